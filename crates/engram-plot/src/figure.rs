//! The multi-panel `Figure` builder and the code that writes every figure as PNG and SVG.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::style::{OrMessage, figure_title_font};
use crate::{
    BarPanel, HeatmapPanel, HistogramPanel, LinePanel, PlotError, RasterPanel, RatesPanel, ScatterPanel, ensure_font,
};

/// Size in pixels (width, height) of one panel in a [`Figure`] whose size was not set, and of
/// the single-panel figures ([`line_plot`](crate::line_plot), [`histogram`](crate::histogram), ...).
pub const DEFAULT_PANEL_SIZE: (u32, u32) = (800, 600);

/// One panel of a [`Figure`]. Build it from one of the panel types (`LinePanel::new(...).into()`).
#[derive(Debug, Clone)]
pub enum Panel {
    /// Named line series.
    Line(LinePanel),
    /// Grouped scatter points.
    Scatter(ScatterPanel),
    /// Bars with error bars.
    Bar(BarPanel),
    /// Histograms.
    Histogram(HistogramPanel),
    /// A matrix with a colour bar.
    Heatmap(HeatmapPanel),
    /// A spike raster.
    Raster(RasterPanel),
    /// Binned population rates.
    Rates(RatesPanel),
}

macro_rules! panel_from {
    ($($variant:ident($ty:ty)),* $(,)?) => {
        $(impl From<$ty> for Panel {
            fn from(p: $ty) -> Self {
                Panel::$variant(p)
            }
        })*
    };
}
panel_from!(
    Line(LinePanel),
    Scatter(ScatterPanel),
    Bar(BarPanel),
    Histogram(HistogramPanel),
    Heatmap(HeatmapPanel),
    Raster(RasterPanel),
    Rates(RatesPanel),
);

impl Panel {
    /// Checks that the panel's data is consistent; the message names the offending input.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            Panel::Line(p) => p.validate(),
            Panel::Scatter(p) => p.validate(),
            Panel::Bar(p) => p.validate(),
            Panel::Histogram(p) => p.validate(),
            Panel::Heatmap(p) => p.validate(),
            Panel::Raster(p) => p.validate(),
            Panel::Rates(p) => p.validate(),
        }
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        match self {
            Panel::Line(p) => p.draw(area),
            Panel::Scatter(p) => p.draw(area),
            Panel::Bar(p) => p.draw(area),
            Panel::Histogram(p) => p.draw(area),
            Panel::Heatmap(p) => p.draw(area),
            Panel::Raster(p) => p.draw(area).map(|_| ()),
            Panel::Rates(p) => p.draw(area),
        }
    }
}

/// A grid of panels (rows × cols) with an optional overall title, written as PNG and SVG.
///
/// Panels are placed row by row with [`Figure::panel`], or at a given cell with
/// [`Figure::panel_at`]; empty cells stay blank. Row heights and column widths are equal unless
/// set with [`Figure::row_heights`] / [`Figure::col_widths`].
///
/// ```
/// use engram_plot::{Figure, HistogramPanel, LinePanel};
/// let stem = std::env::temp_dir().join("engram_plot_doc_figure");
/// Figure::new(1, 2)
///     .title("Two panels")
///     .panel(LinePanel::new("A", "time (ms)", "V (mV)").series("V", &[(0.0, -70.0), (1.0, -65.0)]))
///     .panel(HistogramPanel::new("B", "ISI (ms)").data("ISI", &[3.0, 5.0, 5.5, 9.0]))
///     .save(&stem)?;
/// assert!(stem.with_extension("png").exists());
/// # Ok::<(), engram_plot::PlotError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Figure {
    rows: usize,
    cols: usize,
    size: Option<(u32, u32)>,
    title: String,
    cells: Vec<Option<Panel>>,
    row_weights: Vec<f64>,
    col_weights: Vec<f64>,
    next: usize,
}

impl Figure {
    /// An empty grid with `rows` × `cols` cells (each at least 1).
    pub fn new(rows: usize, cols: usize) -> Self {
        let (rows, cols) = (rows.max(1), cols.max(1));
        Figure {
            rows,
            cols,
            size: None,
            title: String::new(),
            cells: vec![None; rows * cols],
            row_weights: vec![1.0; rows],
            col_weights: vec![1.0; cols],
            next: 0,
        }
    }

    /// A figure with one panel.
    pub fn single(panel: impl Into<Panel>) -> Self {
        Figure::new(1, 1).panel(panel)
    }

    /// Sets the image size in pixels (the PNG's width and height; the SVG's view size).
    /// Default: [`DEFAULT_PANEL_SIZE`] per cell, scaled to 75 % per cell when there are several.
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.size = Some((width.max(1), height.max(1)));
        self
    }

    /// Sets the overall title, drawn above the grid (none if empty).
    pub fn title(mut self, title: &str) -> Self {
        self.title = title.to_string();
        self
    }

    /// Relative row heights (one per row; non-positive or missing entries count as 1).
    pub fn row_heights(mut self, weights: &[f64]) -> Self {
        for (i, w) in self.row_weights.iter_mut().enumerate() {
            *w = weights.get(i).copied().filter(|w| *w > 0.0 && w.is_finite()).unwrap_or(1.0);
        }
        self
    }

    /// Relative column widths (one per column; non-positive or missing entries count as 1).
    pub fn col_widths(mut self, weights: &[f64]) -> Self {
        for (i, w) in self.col_weights.iter_mut().enumerate() {
            *w = weights.get(i).copied().filter(|w| *w > 0.0 && w.is_finite()).unwrap_or(1.0);
        }
        self
    }

    /// Puts `panel` in the next free cell, row by row.
    ///
    /// # Panics
    /// If every cell is already taken.
    pub fn panel(mut self, panel: impl Into<Panel>) -> Self {
        let free = (self.next..self.cells.len()).find(|&i| self.cells[i].is_none());
        let i = free.unwrap_or_else(|| panic!("Figure::panel: all {} cells are taken", self.cells.len()));
        self.cells[i] = Some(panel.into());
        self.next = i + 1;
        self
    }

    /// Puts `panel` in cell (`row`, `col`), counted from 0 at the top left, replacing what was there.
    ///
    /// # Panics
    /// If the cell is outside the grid.
    pub fn panel_at(mut self, row: usize, col: usize, panel: impl Into<Panel>) -> Self {
        assert!(
            row < self.rows && col < self.cols,
            "Figure::panel_at: cell ({row}, {col}) is outside the {}×{} grid",
            self.rows,
            self.cols
        );
        self.cells[row * self.cols + col] = Some(panel.into());
        self
    }

    /// The image size in pixels (width, height) that [`Figure::save`] writes.
    pub fn pixel_size(&self) -> (u32, u32) {
        self.size.unwrap_or_else(|| {
            let scale = if self.rows * self.cols > 1 { 0.75 } else { 1.0 };
            let w = (DEFAULT_PANEL_SIZE.0 as f64 * scale) as u32 * self.cols as u32;
            let h = (DEFAULT_PANEL_SIZE.1 as f64 * scale) as u32 * self.rows as u32;
            let title = if self.title.is_empty() { 0 } else { 40 };
            (w, h + title)
        })
    }

    /// Writes the figure to `path_stem.png` and `path_stem.svg` (the extensions are appended, so a
    /// stem may contain dots). The directory must exist.
    pub fn save(&self, path_stem: impl AsRef<Path>) -> Result<(), PlotError> {
        let stem = path_stem.as_ref();
        for (i, cell) in self.cells.iter().enumerate() {
            if let Some(p) = cell {
                p.validate().map_err(|m| PlotError::InvalidData {
                    path: stem.to_path_buf(),
                    message: format!("panel ({}, {}): {m}", i / self.cols, i % self.cols),
                })?;
            }
        }
        save_both(stem, self.pixel_size(), self)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let area =
            if self.title.is_empty() { root.clone() } else { root.titled(&self.title, figure_title_font()).msg()? };
        let (w, h) = area.dim_in_pixel();
        let breaks = |weights: &[f64], total: u32| -> Vec<i32> {
            let sum: f64 = weights.iter().sum();
            let mut acc = 0.0;
            weights[..weights.len() - 1]
                .iter()
                .map(|w| {
                    acc += w;
                    (acc / sum * total as f64).round() as i32
                })
                .collect()
        };
        let xs = breaks(&self.col_weights, w);
        let ys = breaks(&self.row_weights, h);
        let areas = area.split_by_breakpoints(xs, ys);
        for (cell, a) in self.cells.iter().zip(areas.iter()) {
            if let Some(p) = cell {
                p.draw(a)?;
            }
        }
        Ok(())
    }
}

/// `stem` with `.ext` appended (not replacing anything after a dot in the stem).
pub(crate) fn with_ext(stem: &Path, ext: &str) -> PathBuf {
    let mut s: OsString = stem.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

/// Draws `fig` on a white SVG and a white bitmap canvas and writes `stem.svg` and `stem.png`.
fn save_both(stem: &Path, size: (u32, u32), fig: &Figure) -> Result<(), PlotError> {
    ensure_font();
    let svg_path = with_ext(stem, "svg");
    let png_path = with_ext(stem, "png");

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE)
            .msg()
            .and_then(|_| fig.draw(&root))
            .and_then(|_| root.present().msg())
            .map_err(|message| PlotError::Draw { path: svg_path.clone(), message })?;
    }
    std::fs::write(&svg_path, svg).map_err(|source| PlotError::Io { path: svg_path.clone(), source })?;

    // Create the file first so that an unwritable path is reported as an I/O error naming it.
    std::fs::File::create(&png_path).map_err(|source| PlotError::Io { path: png_path.clone(), source })?;
    let root = BitMapBackend::new(&png_path, size).into_drawing_area();
    root.fill(&WHITE)
        .msg()
        .and_then(|_| fig.draw(&root))
        .and_then(|_| root.present().msg())
        .map_err(|message| PlotError::Draw { path: png_path.clone(), message })?;
    Ok(())
}
