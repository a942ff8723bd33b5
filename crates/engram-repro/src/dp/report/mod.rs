//! The Dp report: the tables of `docs/reproduction/dp.md` (and of a run's `report.md`),
//! generated from the typed [`DpNumbers`] of a run, with the paper's values beside ours.
//!
//! `cargo xtask report dp --from runs/dp` commits the numbers of a full run to
//! `docs/reproduction/dp/summary.json` and rewrites the page's marked regions; a test fails
//! when the committed page and the committed summary disagree.
//!
//! ```
//! use engram_repro::dp::report::{Ms, fmt_ms};
//! assert_eq!(fmt_ms(Ms { mean: Some(1.005), sd: Some(0.057) }, 3), "1.005 ± 0.057");
//! assert_eq!(fmt_ms(Ms { mean: None, sd: None }, 2), "–");
//! assert_eq!(fmt_ms(Ms { mean: Some(9.4e57), sd: Some(2.7e58) }, 1), "9.4e57 ± 2.7e58");
//! ```

mod claims;
mod numbers;
mod readings;
mod tables;

use std::path::Path;

use engram_core::error::EngramError;
pub use numbers::*;

/// `x` with `digits` decimals (in scientific notation from 10⁶ on, where a value has run
/// away), or `–` when not applicable.
pub fn fmt(x: Option<f64>, digits: usize) -> String {
    match x {
        Some(v) if v.is_finite() && v.abs() >= 1e6 => format!("{v:.1e}"),
        Some(v) if v.is_finite() => format!("{v:.digits$}"),
        _ => "–".into(),
    }
}

/// `mean ± sd`, or `–`.
pub fn fmt_ms(m: Ms, digits: usize) -> String {
    match (m.mean, m.sd) {
        (Some(_), Some(_)) => format!("{} ± {}", fmt(m.mean, digits), fmt(m.sd, digits)),
        (Some(_), None) => fmt(m.mean, digits),
        _ => "–".into(),
    }
}

/// `mean ± sd` of a `[mean, sd]` pair, or `–`.
pub fn fmt_pair(p: Pair, digits: usize) -> String {
    fmt_ms(Ms { mean: p.0, sd: p.1 }, digits)
}

fn bad(path: &Path, what: impl std::fmt::Display) -> EngramError {
    EngramError::Other(format!("{}: {what}", path.display()))
}

impl DpNumbers {
    /// Read the numbers from a run's full `summary.json`.
    pub fn from_run(summary_json: &Path) -> Result<Self, EngramError> {
        let text = std::fs::read_to_string(summary_json).map_err(|e| bad(summary_json, e))?;
        serde_json::from_str(&text).map_err(|e| bad(summary_json, format!("not a dp summary.json: {e}")))
    }

    /// The numbers of a full-run summary value (as `dp::reproduce` returns it).
    pub fn from_value(summary: &serde_json::Value) -> Result<Self, EngramError> {
        serde_json::from_value(summary.clone())
            .map_err(|e| EngramError::Other(format!("the dp summary lacks a field the report needs: {e}")))
    }

    /// Read a committed compact summary written by [`save`](Self::save). It must hold exactly
    /// what these structs hold: an unknown or misspelt field is an error.
    pub fn load(path: &Path) -> Result<Self, EngramError> {
        crate::report::load_compact(path, "dp")
    }

    /// Write them as pretty JSON.
    pub fn save(&self, path: &Path) -> Result<(), EngramError> {
        crate::report::save_compact(self, path)
    }

    /// The generated regions of the docs page: `(name, Markdown)`; figures the run left out
    /// give no region.
    pub fn regions(&self) -> Vec<(String, String)> {
        tables::regions(self)
    }

    /// The run's `report.md`: every generated table under a heading.
    pub fn report_md(&self) -> String {
        let mut out = format!(
            "# Dp reproduction: report\n\nSeed {}{}; networks {}. Mean ± SD over networks; the paper's values beside ours. The docs page `docs/reproduction/dp.md` explains each table.\n",
            self.seed,
            if self.quick { " (quick version: fewer networks, shorter protocols)" } else { "" },
            self.networks.join(", ")
        );
        for (name, text) in self.regions() {
            out.push_str(&format!("\n## {}\n\n{}\n", tables::title(&name), text.trim_end()));
        }
        out
    }
}
