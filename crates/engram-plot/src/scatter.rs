//! Scatter plots: points in coloured groups, with an optional y = x diagonal for comparisons.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::style::{
    OrMessage, axis_font, chart_builder, finite_bounds, fmt_tick, grid_style, legend_font, padded_range, palette,
    tick_font,
};
use crate::{Figure, PlotError};

/// A panel of grouped scatter points. Build with [`ScatterPanel::new`] and [`ScatterPanel::group`].
#[derive(Debug, Clone, Default)]
pub struct ScatterPanel {
    /// Panel title (none if empty).
    pub title: String,
    /// x-axis description, with units.
    pub x_label: String,
    /// y-axis description, with units.
    pub y_label: String,
    /// The groups: (name, points), one palette colour per group.
    pub groups: Vec<(String, Vec<(f64, f64)>)>,
    /// Draw the diagonal y = x (dashed grey) and give both axes the same range.
    pub diagonal: bool,
}

impl ScatterPanel {
    /// An empty panel with a title and axis descriptions.
    pub fn new(title: &str, x_label: &str, y_label: &str) -> Self {
        ScatterPanel { title: title.into(), x_label: x_label.into(), y_label: y_label.into(), ..Default::default() }
    }

    /// Adds a named group of points.
    pub fn group(mut self, name: &str, points: &[(f64, f64)]) -> Self {
        self.groups.push((name.into(), points.to_vec()));
        self
    }

    /// Draws the diagonal y = x (and uses the same range on both axes).
    pub fn diagonal(mut self, diagonal: bool) -> Self {
        self.diagonal = diagonal;
        self
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        Ok(())
    }

    pub(crate) fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let pts = || self.groups.iter().flat_map(|(_, p)| p.iter()).filter(|p| p.0.is_finite() && p.1.is_finite());
        let (x, y) = if self.diagonal {
            let r = padded_range(finite_bounds(pts().flat_map(|p| [p.0, p.1])));
            (r.clone(), r)
        } else {
            (padded_range(finite_bounds(pts().map(|p| p.0))), padded_range(finite_bounds(pts().map(|p| p.1))))
        };
        let mut chart = chart_builder(area, &self.title).build_cartesian_2d(x.clone(), y).msg()?;
        chart
            .configure_mesh()
            .x_label_formatter(&fmt_tick)
            .y_label_formatter(&fmt_tick)
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .axis_desc_style(axis_font())
            .label_style(tick_font())
            .light_line_style(TRANSPARENT)
            .bold_line_style(grid_style())
            .x_labels(8)
            .y_labels(7)
            .draw()
            .msg()?;
        if self.diagonal {
            let grey = RGBColor(130, 130, 130);
            chart.draw_series(DashedLineSeries::new([(x.start, x.start), (x.end, x.end)], 8, 5, grey.into())).msg()?;
        }
        for (i, (name, points)) in self.groups.iter().enumerate() {
            let color = palette(i);
            let dots = points
                .iter()
                .filter(|p| p.0.is_finite() && p.1.is_finite())
                .map(|&p| Circle::new(p, 3, color.mix(0.8).filled()));
            let anno = chart.draw_series(dots).msg()?;
            if !name.is_empty() {
                anno.label(name.as_str()).legend(move |(x, y)| Circle::new((x + 10, y), 4, color.filled()));
            }
        }
        if self.groups.iter().any(|(n, _)| !n.is_empty()) {
            chart
                .configure_series_labels()
                .label_font(legend_font())
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(180, 180, 180))
                .position(SeriesLabelPosition::UpperLeft)
                .draw()
                .msg()?;
        }
        Ok(())
    }
}

/// Writes a single-panel scatter plot to `path_stem.png` and `path_stem.svg`
/// ([`DEFAULT_PANEL_SIZE`](crate::DEFAULT_PANEL_SIZE)).
///
/// `groups` are (name, points) pairs, one colour each; `diagonal` adds the line y = x.
pub fn scatter_plot(
    path_stem: impl AsRef<Path>,
    title: &str,
    x_label: &str,
    y_label: &str,
    groups: &[(&str, &[(f64, f64)])],
    diagonal: bool,
) -> Result<(), PlotError> {
    let panel =
        groups.iter().fold(ScatterPanel::new(title, x_label, y_label).diagonal(diagonal), |p, (n, g)| p.group(n, g));
    Figure::single(panel).save(path_stem)
}
