//! Bar plots with error bars: mean ± SD per category, one bar per group side by side.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::style::{
    KeyedAxis, OrMessage, axis_font, chart_builder, finite_bounds, fmt_tick, grid_style, legend_font, palette,
    tick_font,
};
use crate::{Figure, PlotError};

/// One group of bars: a mean and a standard deviation per category.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BarSeries {
    /// Group name (legend entry; no legend if every name is empty).
    pub name: String,
    /// Bar heights, one per category.
    pub mean: Vec<f64>,
    /// Error-bar half-lengths (drawn as mean ± sd), one per category; empty for no error bars.
    pub sd: Vec<f64>,
}

impl BarSeries {
    /// A group from its name, means and standard deviations (`sd` may be empty).
    pub fn new(name: &str, mean: &[f64], sd: &[f64]) -> Self {
        BarSeries { name: name.into(), mean: mean.to_vec(), sd: sd.to_vec() }
    }
}

/// A panel of grouped bars with error bars. Build with [`BarPanel::new`] and [`BarPanel::group`].
#[derive(Debug, Clone, Default)]
pub struct BarPanel {
    /// Panel title (none if empty).
    pub title: String,
    /// y-axis description, with units.
    pub y_label: String,
    /// Category names along the x axis.
    pub categories: Vec<String>,
    /// The groups; each has one mean (and sd) per category.
    pub groups: Vec<BarSeries>,
}

impl BarPanel {
    /// An empty panel with a title, a y-axis description and the category names.
    pub fn new(title: &str, y_label: &str, categories: &[&str]) -> Self {
        BarPanel {
            title: title.into(),
            y_label: y_label.into(),
            categories: categories.iter().map(|c| c.to_string()).collect(),
            groups: Vec::new(),
        }
    }

    /// Adds a group of bars (one colour); `sd` may be empty for no error bars.
    pub fn group(mut self, name: &str, mean: &[f64], sd: &[f64]) -> Self {
        self.groups.push(BarSeries::new(name, mean, sd));
        self
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        let n = self.categories.len();
        for g in &self.groups {
            if g.mean.len() != n {
                return Err(format!("bar group `{}` has {} means for {n} categories", g.name, g.mean.len()));
            }
            if !g.sd.is_empty() && g.sd.len() != n {
                return Err(format!("bar group `{}` has {} sds for {n} categories", g.name, g.sd.len()));
            }
        }
        Ok(())
    }

    fn sd(g: &BarSeries, i: usize) -> f64 {
        g.sd.get(i).copied().filter(|s| s.is_finite()).map_or(0.0, f64::abs)
    }

    pub(crate) fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let n = self.categories.len();
        let ends = self.groups.iter().flat_map(|g| {
            g.mean.iter().enumerate().flat_map(move |(i, m)| [m - Self::sd(g, i), m + Self::sd(g, i), 0.0])
        });
        let (lo, hi) = finite_bounds(ends).unwrap_or((0.0, 1.0));
        let pad = if hi > lo { (hi - lo) * 0.08 } else { 1.0 };
        let y = (if lo < 0.0 { lo - pad } else { 0.0 })..(if hi > 0.0 { hi + pad } else { 0.0 + pad * 0.1 });
        let centres: Vec<f64> = (0..n).map(|i| i as f64 + 0.5).collect();
        let x = KeyedAxis::new(0.0..n.max(1) as f64, centres);
        let mut chart = chart_builder(area, &self.title).build_cartesian_2d(x, y).msg()?;
        let cats = &self.categories;
        let name_of = |v: &f64| cats.get(v.floor().max(0.0) as usize).cloned().unwrap_or_default();
        chart
            .configure_mesh()
            .y_label_formatter(&fmt_tick)
            .disable_x_mesh()
            .x_label_formatter(&name_of)
            .y_desc(&self.y_label)
            .axis_desc_style(axis_font())
            .label_style(tick_font())
            .light_line_style(TRANSPARENT)
            .bold_line_style(grid_style())
            .y_labels(7)
            .draw()
            .msg()?;
        let ng = self.groups.len().max(1) as f64;
        let width = 0.8 / ng;
        for (gi, g) in self.groups.iter().enumerate() {
            let color = palette(gi);
            let left = |i: usize| i as f64 + 0.1 + gi as f64 * width;
            let bars = g.mean.iter().enumerate().filter(|(_, m)| m.is_finite()).map(|(i, &m)| {
                Rectangle::new([(left(i) + width * 0.06, 0.0), (left(i) + width * 0.94, m)], color.mix(0.85).filled())
            });
            let anno = chart.draw_series(bars).msg()?;
            if !g.name.is_empty() {
                anno.label(g.name.as_str())
                    .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], color.filled()));
            }
            for (i, &m) in g.mean.iter().enumerate() {
                let s = Self::sd(g, i);
                if !m.is_finite() || s <= 0.0 {
                    continue;
                }
                let (xc, cap) = (left(i) + width / 2.0, width * 0.18);
                let style = BLACK.stroke_width(2);
                let lines = [
                    vec![(xc, m - s), (xc, m + s)],
                    vec![(xc - cap, m - s), (xc + cap, m - s)],
                    vec![(xc - cap, m + s), (xc + cap, m + s)],
                ];
                chart.draw_series(lines.into_iter().map(|l| PathElement::new(l, style))).msg()?;
            }
        }
        if self.groups.iter().any(|g| !g.name.is_empty()) {
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

/// Writes a single-panel bar plot with error bars to `path_stem.png` and `path_stem.svg`
/// ([`DEFAULT_PANEL_SIZE`](crate::DEFAULT_PANEL_SIZE)).
///
/// Each group in `groups` has one mean (and sd) per category; a length mismatch is a
/// [`PlotError::InvalidData`].
pub fn bar_plot(
    path_stem: impl AsRef<Path>,
    title: &str,
    y_label: &str,
    categories: &[&str],
    groups: &[BarSeries],
) -> Result<(), PlotError> {
    let mut panel = BarPanel::new(title, y_label, categories);
    panel.groups = groups.to_vec();
    Figure::single(panel).save(path_stem)
}
