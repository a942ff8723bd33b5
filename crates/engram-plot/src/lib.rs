//! Figures for engram: spike rasters, population rates and paper-style panels, written as PNG and SVG.
//!
//! Everything here is data-oriented and independent of the engine: plain slices and small structs
//! go in, files come out. Every figure is written twice, as `stem.png` (bitmap) and `stem.svg`
//! (vector), from the same drawing code. Text is rendered with an embedded DejaVu Sans font
//! (registered once under the family name `"sans-serif"`), so no system font libraries are needed.
//!
//! * [`raster_and_rates`]: the standard "look at a run" figure (spike raster over population rates).
//! * [`line_plot`], [`scatter_plot`], [`bar_plot`], [`histogram`], [`heatmap`]: single-panel figures.
//! * [`Figure`]: a grid of [`Panel`]s (rows × cols) for multi-panel, paper-style figures.
//!
//! Empty data is not an error: it gives an empty but valid figure (axes, labels, no marks).
//! Inconsistent data (mismatched lengths, a neuron index outside its population, a non-positive
//! duration or bin width, zero histogram bins, a ragged matrix) is a [`PlotError::InvalidData`].
//! Non-finite values (NaN, ±∞) are skipped when drawing.

mod bar;
mod figure;
mod heatmap;
mod histogram;
mod line;
mod scatter;
mod spikes;
mod style;

use std::path::{Path, PathBuf};

pub use bar::{BarPanel, BarSeries, bar_plot};
pub use figure::{DEFAULT_PANEL_SIZE, Figure, Panel};
pub use heatmap::{Colormap, HeatmapPanel, heatmap};
pub use histogram::{HistogramPanel, histogram};
pub use line::{LinePanel, line_plot};
pub use scatter::{ScatterPanel, scatter_plot};
pub use spikes::{
    PopulationSpikes, RASTER_FIGURE_SIZE, RasterPanel, RasterStats, RatesPanel, population_rates, raster_and_rates,
    raster_rows,
};
pub use style::{Rgb, population_color};

/// The embedded font (DejaVu Sans, Bitstream Vera licence; see `assets/LICENSE-DejaVu.txt`).
static FONT_BYTES: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

/// Registers the embedded font under `"sans-serif"` exactly once per process.
pub(crate) fn ensure_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // The bytes are a known-good TTF compiled into the binary; failure here is a build defect.
        if plotters::style::register_font("sans-serif", plotters::style::FontStyle::Normal, FONT_BYTES).is_err() {
            panic!("engram-plot: the embedded DejaVuSans.ttf could not be parsed");
        }
    });
}

/// Why a figure could not be written. Every variant names the file (or path stem) concerned.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// The file could not be created or written (missing directory, permissions, full disk).
    #[error("cannot write figure file {path}: {source}")]
    Io {
        /// The file that could not be written.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The plotting backend failed while drawing or encoding.
    #[error("cannot draw figure {path}: {message}")]
    Draw {
        /// The file being drawn.
        path: PathBuf,
        /// The backend's message.
        message: String,
    },
    /// The data given cannot be drawn as asked (see the crate docs for what counts as invalid).
    #[error("invalid data for figure {path}: {message}")]
    InvalidData {
        /// The path stem of the figure.
        path: PathBuf,
        /// What is wrong, naming the offending input.
        message: String,
    },
}

impl PlotError {
    /// The file (or path stem, for [`PlotError::InvalidData`]) this error is about.
    pub fn path(&self) -> &Path {
        match self {
            PlotError::Io { path, .. } | PlotError::Draw { path, .. } | PlotError::InvalidData { path, .. } => path,
        }
    }
}
