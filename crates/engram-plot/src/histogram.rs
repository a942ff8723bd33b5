//! Histograms: counts of values in equal-width bins, several data sets overlaid.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::style::{
    OrMessage, axis_font, chart_builder, finite_bounds, fmt_tick, grid_style, legend_font, padded_range, palette,
    tick_font,
};
use crate::{Figure, PlotError};

/// A histogram panel. Build with [`HistogramPanel::new`] and [`HistogramPanel::data`].
#[derive(Debug, Clone)]
pub struct HistogramPanel {
    /// Panel title (none if empty).
    pub title: String,
    /// x-axis description, with units.
    pub x_label: String,
    /// y-axis description (default `"count"`).
    pub y_label: String,
    /// The data sets: (name, values). Non-finite values are skipped.
    pub data: Vec<(String, Vec<f64>)>,
    /// Number of equal-width bins (default 30; must be ≥ 1).
    pub bins: usize,
    /// Bin range; default: the range of all finite values. Values outside are not counted.
    pub range: Option<(f64, f64)>,
}

impl HistogramPanel {
    /// An empty panel with a title and an x-axis description; 30 bins, y axis "count".
    pub fn new(title: &str, x_label: &str) -> Self {
        HistogramPanel {
            title: title.into(),
            x_label: x_label.into(),
            y_label: "count".into(),
            data: Vec::new(),
            bins: 30,
            range: None,
        }
    }

    /// Adds a named data set (drawn semi-transparent so overlaps stay visible).
    pub fn data(mut self, name: &str, values: &[f64]) -> Self {
        self.data.push((name.into(), values.to_vec()));
        self
    }

    /// Sets the number of bins.
    pub fn bins(mut self, bins: usize) -> Self {
        self.bins = bins;
        self
    }

    /// Sets the bin range (lo, hi).
    pub fn range(mut self, lo: f64, hi: f64) -> Self {
        self.range = Some((lo, hi));
        self
    }

    /// Sets the y-axis description.
    pub fn y_label(mut self, y_label: &str) -> Self {
        self.y_label = y_label.into();
        self
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.bins == 0 {
            return Err("histogram needs at least one bin (bins = 0)".into());
        }
        if let Some((lo, hi)) = self.range {
            if !(lo.is_finite() && hi.is_finite() && hi > lo) {
                return Err(format!("histogram range ({lo}, {hi}) must be finite with hi > lo"));
            }
        }
        Ok(())
    }

    /// The bin edges' range and the counts per bin of each data set.
    pub(crate) fn counts(&self) -> ((f64, f64), Vec<Vec<usize>>) {
        let all = self.data.iter().flat_map(|(_, v)| v.iter().copied());
        let (lo, hi) = match self.range.or_else(|| finite_bounds(all)) {
            Some((lo, hi)) if hi > lo => (lo, hi),
            Some((lo, _)) => (lo - 0.5, lo + 0.5),
            None => (0.0, 1.0),
        };
        let bins = self.bins.max(1);
        let w = (hi - lo) / bins as f64;
        let counts = self
            .data
            .iter()
            .map(|(_, values)| {
                let mut c = vec![0usize; bins];
                for &v in values.iter().filter(|v| v.is_finite() && **v >= lo && **v <= hi) {
                    c[(((v - lo) / w) as usize).min(bins - 1)] += 1;
                }
                c
            })
            .collect();
        ((lo, hi), counts)
    }

    pub(crate) fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let ((lo, hi), counts) = self.counts();
        let max = counts.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
        let x = padded_range(Some((lo, hi)));
        let mut chart = chart_builder(area, &self.title).build_cartesian_2d(x, 0.0..max * 1.08).msg()?;
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
            .disable_x_mesh()
            .x_labels(8)
            .y_labels(7)
            .draw()
            .msg()?;
        let w = (hi - lo) / self.bins.max(1) as f64;
        let alpha = if self.data.len() > 1 { 0.45 } else { 0.8 };
        for (gi, ((name, _), c)) in self.data.iter().zip(&counts).enumerate() {
            let color = palette(gi);
            let bars = c.iter().enumerate().filter(|(_, n)| **n > 0).map(|(i, &n)| {
                let x0 = lo + i as f64 * w;
                Rectangle::new([(x0, 0.0), (x0 + w, n as f64)], color.mix(alpha).filled())
            });
            let anno = chart.draw_series(bars).msg()?;
            if !name.is_empty() {
                anno.label(name.as_str())
                    .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], color.mix(alpha).filled()));
            }
            let outlines = c.iter().enumerate().filter(|(_, n)| **n > 0).map(|(i, &n)| {
                let x0 = lo + i as f64 * w;
                Rectangle::new([(x0, 0.0), (x0 + w, n as f64)], color.stroke_width(1))
            });
            chart.draw_series(outlines).msg()?;
        }
        if self.data.iter().any(|(n, _)| !n.is_empty()) {
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

/// Writes a single-panel histogram of `values` in `bins` equal-width bins to `path_stem.png` and
/// `path_stem.svg` ([`DEFAULT_PANEL_SIZE`](crate::DEFAULT_PANEL_SIZE)); `bins = 0` is a
/// [`PlotError::InvalidData`].
pub fn histogram(
    path_stem: impl AsRef<Path>,
    title: &str,
    x_label: &str,
    values: &[f64],
    bins: usize,
) -> Result<(), PlotError> {
    Figure::single(HistogramPanel::new(title, x_label).data("", values).bins(bins)).save(path_stem)
}
