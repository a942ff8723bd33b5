//! Heatmaps: a matrix drawn as coloured cells with a colour bar (e.g. correlation matrices).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::style::{
    KeyedAxis, MARGIN, OrMessage, X_LABEL_AREA, Y_LABEL_AREA, axis_font, finite_bounds, fmt_tick, tick_font, title_font,
};
use crate::{Figure, PlotError};

/// Viridis (matplotlib) sampled at nine evenly spaced points; interpolated linearly between them.
const VIRIDIS: [[u8; 3]; 9] = [
    [68, 1, 84],
    [72, 40, 120],
    [62, 73, 137],
    [49, 104, 142],
    [38, 130, 142],
    [31, 158, 137],
    [53, 183, 121],
    [110, 206, 88],
    [253, 231, 37],
];

/// How values map to colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colormap {
    /// Perceptually uniform dark blue → green → yellow, for magnitudes.
    Viridis,
    /// Blue → white → red, for signed values centred on zero (correlations, weight changes).
    Diverging,
}

impl Colormap {
    /// The colour of `v` on this map over `lo..=hi` (clamped; NaN gives light grey).
    pub fn color(self, v: f64, lo: f64, hi: f64) -> RGBColor {
        if !v.is_finite() {
            return RGBColor(210, 210, 210);
        }
        let t = if hi > lo { ((v - lo) / (hi - lo)).clamp(0.0, 1.0) } else { 0.5 };
        match self {
            Colormap::Viridis => {
                let x = t * (VIRIDIS.len() - 1) as f64;
                let i = (x.floor() as usize).min(VIRIDIS.len() - 2);
                let s = x - i as f64;
                let m = |c: usize| {
                    (VIRIDIS[i][c] as f64 + (VIRIDIS[i + 1][c] as f64 - VIRIDIS[i][c] as f64) * s).round() as u8
                };
                RGBColor(m(0), m(1), m(2))
            }
            Colormap::Diverging => {
                let (blue, white, red) = ([33.0, 102.0, 172.0], [247.0, 247.0, 247.0], [178.0, 24.0, 43.0]);
                let (a, b, s) = if t < 0.5 { (blue, white, t * 2.0) } else { (white, red, (t - 0.5) * 2.0) };
                let m = |i: usize| (a[i] + (b[i] - a[i]) * s).round() as u8;
                RGBColor(m(0), m(1), m(2))
            }
        }
    }
}

/// A matrix panel with a colour bar. Row 0 is drawn at the top, column 0 at the left.
#[derive(Debug, Clone)]
pub struct HeatmapPanel {
    /// Panel title (none if empty).
    pub title: String,
    /// x-axis (column) description.
    pub x_label: String,
    /// y-axis (row) description.
    pub y_label: String,
    /// Description of the values, shown beside the colour bar (e.g. `"correlation"`).
    pub value_label: String,
    /// The matrix, row by row; every row must have the same length.
    pub matrix: Vec<Vec<f64>>,
    /// Names of the rows (default: indices); if set, one per row.
    pub row_labels: Vec<String>,
    /// Names of the columns (default: indices); if set, one per column.
    pub col_labels: Vec<String>,
    /// The colour map; default: [`Colormap::Diverging`] if the values have both signs, else
    /// [`Colormap::Viridis`].
    pub colormap: Option<Colormap>,
    /// The value range of the colour bar; default: the data range (symmetric about 0 for diverging).
    pub value_range: Option<(f64, f64)>,
}

impl HeatmapPanel {
    /// A panel showing `matrix` (row by row).
    pub fn new(title: &str, x_label: &str, y_label: &str, value_label: &str, matrix: &[Vec<f64>]) -> Self {
        HeatmapPanel {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            value_label: value_label.into(),
            matrix: matrix.to_vec(),
            row_labels: Vec::new(),
            col_labels: Vec::new(),
            colormap: None,
            value_range: None,
        }
    }

    /// Sets row and column names (either may be empty for indices).
    pub fn labels(mut self, rows: &[&str], cols: &[&str]) -> Self {
        self.row_labels = rows.iter().map(|s| s.to_string()).collect();
        self.col_labels = cols.iter().map(|s| s.to_string()).collect();
        self
    }

    /// Sets the colour map.
    pub fn colormap(mut self, colormap: Colormap) -> Self {
        self.colormap = Some(colormap);
        self
    }

    /// Sets the colour bar's value range.
    pub fn value_range(mut self, lo: f64, hi: f64) -> Self {
        self.value_range = Some((lo, hi));
        self
    }

    fn n_cols(&self) -> usize {
        self.matrix.first().map_or(0, Vec::len)
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        let nc = self.n_cols();
        if let Some((i, r)) = self.matrix.iter().enumerate().find(|(_, r)| r.len() != nc) {
            return Err(format!("heatmap matrix is ragged: row {i} has {} values, row 0 has {nc}", r.len()));
        }
        if !self.row_labels.is_empty() && self.row_labels.len() != self.matrix.len() {
            return Err(format!("heatmap has {} row labels for {} rows", self.row_labels.len(), self.matrix.len()));
        }
        if !self.col_labels.is_empty() && self.col_labels.len() != nc {
            return Err(format!("heatmap has {} column labels for {nc} columns", self.col_labels.len()));
        }
        if let Some((lo, hi)) = self.value_range {
            if !(lo.is_finite() && hi.is_finite() && hi > lo) {
                return Err(format!("heatmap value range ({lo}, {hi}) must be finite with hi > lo"));
            }
        }
        Ok(())
    }

    /// The colour map and value range actually used.
    fn scale(&self) -> (Colormap, f64, f64) {
        let b = finite_bounds(self.matrix.iter().flatten().copied());
        let cmap = self.colormap.unwrap_or(match b {
            Some((lo, hi)) if lo < 0.0 && hi > 0.0 => Colormap::Diverging,
            _ => Colormap::Viridis,
        });
        let (lo, hi) = match (self.value_range, b) {
            (Some(r), _) => r,
            (None, None) => (0.0, 1.0),
            (None, Some((lo, hi))) if cmap == Colormap::Diverging => {
                let m = lo.abs().max(hi.abs()).max(f64::MIN_POSITIVE);
                (-m, m)
            }
            (None, Some((lo, hi))) if hi > lo => (lo, hi),
            (None, Some((lo, _))) => (lo - 0.5, lo + 0.5),
        };
        (cmap, lo, hi)
    }

    pub(crate) fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        // Same title placement as the other panels: the outer margin, then the title.
        let area = area.margin(MARGIN, 0, 0, 0);
        let area = if self.title.is_empty() { area } else { area.titled(&self.title, title_font()).msg()? };
        let (w, _) = area.dim_in_pixel();
        let bar_w = 120.min(w / 3);
        let (main, bar) = area.split_horizontally(w - bar_w);
        let (nr, nc) = (self.matrix.len(), self.n_cols());
        let (cmap, lo, hi) = self.scale();

        // Tick positions at cell centres, thinned to at most ~12 per axis.
        let ticks = |n: usize| -> Vec<f64> {
            let step = n.div_ceil(12).max(1);
            (0..n).step_by(step).map(|i| i as f64 + 0.5).collect()
        };
        let row_ticks: Vec<f64> = ticks(nr).into_iter().map(|c| nr as f64 - c).collect();
        let x = KeyedAxis::new(0.0..nc.max(1) as f64, ticks(nc));
        let y = KeyedAxis::new(0.0..nr.max(1) as f64, row_ticks);
        let mut chart = ChartBuilder::on(&main)
            .margin(MARGIN)
            .margin_top(4)
            .margin_right(4)
            .x_label_area_size(X_LABEL_AREA)
            .y_label_area_size(Y_LABEL_AREA)
            .build_cartesian_2d(x, y)
            .msg()?;
        let name = |labels: &[String], i: usize| labels.get(i).cloned().unwrap_or_else(|| i.to_string());
        let col_name = |v: &f64| name(&self.col_labels, v.floor().max(0.0) as usize);
        let row_name = |v: &f64| name(&self.row_labels, (nr as f64 - v).floor().max(0.0) as usize);
        chart
            .configure_mesh()
            .disable_mesh()
            .x_label_formatter(&col_name)
            .y_label_formatter(&row_name)
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .axis_desc_style(axis_font())
            .label_style(tick_font())
            .draw()
            .msg()?;
        let cells = self.matrix.iter().enumerate().flat_map(|(i, row)| {
            let top = (nr - i) as f64;
            row.iter().enumerate().map(move |(j, &v)| {
                Rectangle::new([(j as f64, top - 1.0), (j as f64 + 1.0, top)], cmap.color(v, lo, hi).filled())
            })
        });
        chart.draw_series(cells).msg()?;

        let mut cbar = ChartBuilder::on(&bar)
            .margin(MARGIN)
            .margin_top(4)
            .margin_left(6)
            .x_label_area_size(X_LABEL_AREA)
            .right_y_label_area_size(bar_w.saturating_sub(50))
            .build_cartesian_2d(0.0..1.0, lo..hi)
            .msg()?;
        cbar.configure_mesh()
            .y_label_formatter(&fmt_tick)
            .disable_mesh()
            .disable_x_axis()
            .y_desc(&self.value_label)
            .axis_desc_style(axis_font())
            .label_style(tick_font())
            .y_labels(6)
            .draw()
            .msg()?;
        let steps = 128;
        let strips = (0..steps).map(|k| {
            let a = lo + (hi - lo) * k as f64 / steps as f64;
            let b = lo + (hi - lo) * (k + 1) as f64 / steps as f64;
            Rectangle::new([(0.0, a), (1.0, b)], cmap.color((a + b) / 2.0, lo, hi).filled())
        });
        cbar.draw_series(strips).msg()?;
        Ok(())
    }
}

/// Writes a single-panel heatmap of `matrix` (row by row, row 0 at the top) with a colour bar to
/// `path_stem.png` and `path_stem.svg` ([`DEFAULT_PANEL_SIZE`](crate::DEFAULT_PANEL_SIZE)).
///
/// The colour map is diverging (blue–white–red, symmetric about 0) when the values have both
/// signs, else viridis. A ragged matrix is a [`PlotError::InvalidData`].
pub fn heatmap(
    path_stem: impl AsRef<Path>,
    title: &str,
    x_label: &str,
    y_label: &str,
    value_label: &str,
    matrix: &[Vec<f64>],
) -> Result<(), PlotError> {
    Figure::single(HeatmapPanel::new(title, x_label, y_label, value_label, matrix)).save(path_stem)
}
