//! Line plots: several named (x, y) series on shared axes, with an optional logarithmic y axis.

use std::path::Path;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;

use crate::style::{
    OrMessage, axis_font, chart_builder, finite_bounds, fmt_tick, grid_style, legend_font, padded_log_range,
    padded_range, palette, tick_font,
};
use crate::{Figure, PlotError};

/// A panel of named line series. Build with [`LinePanel::new`] and [`LinePanel::series`].
#[derive(Debug, Clone, Default)]
pub struct LinePanel {
    /// Panel title (none if empty).
    pub title: String,
    /// x-axis description, with units (e.g. `"time (ms)"`).
    pub x_label: String,
    /// y-axis description, with units.
    pub y_label: String,
    /// The series: (name, points). Points are drawn in the order given.
    pub series: Vec<(String, Vec<(f64, f64)>)>,
    /// Logarithmic y axis; points with y ≤ 0 are then skipped.
    pub log_y: bool,
}

impl LinePanel {
    /// An empty panel with a title and axis descriptions.
    pub fn new(title: &str, x_label: &str, y_label: &str) -> Self {
        LinePanel { title: title.into(), x_label: x_label.into(), y_label: y_label.into(), ..Default::default() }
    }

    /// Adds a named series (drawn in the next palette colour; the name goes in the legend).
    pub fn series(mut self, name: &str, points: &[(f64, f64)]) -> Self {
        self.series.push((name.into(), points.to_vec()));
        self
    }

    /// Sets a logarithmic y axis.
    pub fn log_y(mut self, log_y: bool) -> Self {
        self.log_y = log_y;
        self
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        Ok(())
    }

    fn usable(&self, p: &(f64, f64)) -> bool {
        p.0.is_finite() && p.1.is_finite() && (!self.log_y || p.1 > 0.0)
    }

    pub(crate) fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let pts = || self.series.iter().flat_map(|(_, p)| p.iter()).filter(|p| self.usable(p));
        let x = padded_range(finite_bounds(pts().map(|p| p.0)));
        let yb = finite_bounds(pts().map(|p| p.1));
        if self.log_y {
            self.draw_with(area, x, padded_log_range(yb).log_scale())
        } else {
            self.draw_with(area, x, padded_range(yb))
        }
    }

    fn draw_with<DB: DrawingBackend, Y>(
        &self,
        area: &DrawingArea<DB, Shift>,
        x: std::ops::Range<f64>,
        y: Y,
    ) -> Result<(), String>
    where
        Y: AsRangedCoord<Value = f64>,
        Y::CoordDescType: ValueFormatter<f64>,
    {
        let mut chart = chart_builder(area, &self.title).build_cartesian_2d(x, y).msg()?;
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
        for (i, (name, points)) in self.series.iter().enumerate() {
            let color = palette(i);
            let data: Vec<(f64, f64)> = points.iter().copied().filter(|p| self.usable(p)).collect();
            let anno = chart.draw_series(LineSeries::new(data, color.stroke_width(2))).msg()?;
            if !name.is_empty() {
                anno.label(name.as_str())
                    .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2)));
            }
        }
        if self.series.iter().any(|(n, _)| !n.is_empty()) {
            chart
                .configure_series_labels()
                .label_font(legend_font())
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(180, 180, 180))
                .position(SeriesLabelPosition::UpperRight)
                .draw()
                .msg()?;
        }
        Ok(())
    }
}

/// Writes a single-panel line plot to `path_stem.png` and `path_stem.svg`
/// ([`DEFAULT_PANEL_SIZE`](crate::DEFAULT_PANEL_SIZE)).
///
/// `series` are (name, points) pairs; with `log_y` points with y ≤ 0 are skipped.
pub fn line_plot(
    path_stem: impl AsRef<Path>,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[(&str, &[(f64, f64)])],
    log_y: bool,
) -> Result<(), PlotError> {
    let panel = series.iter().fold(LinePanel::new(title, x_label, y_label).log_y(log_y), |p, (n, s)| p.series(n, s));
    Figure::single(panel).save(path_stem)
}
