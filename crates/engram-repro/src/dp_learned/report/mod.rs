//! The dp-learned report: the tables of `docs/reproduction/dp-learned.md` (and of a run's
//! `report.md`), generated from the typed [`LearnedNumbers`] of a run, with the hard-wired
//! references (rand, Scaled I, Tuned E+I, the χ = 1 start) beside the learned networks.
//!
//! `cargo xtask report dp-learned --from runs/dp-learned` commits the numbers of a full run to
//! `docs/reproduction/dp-learned/summary.json` and rewrites the page's marked regions; a test
//! fails when the committed page and the committed summary disagree.
//!
//! ```
//! use engram_repro::dp_learned::report::arrow;
//! assert_eq!(arrow(&[Some(24.0), Some(29.43), None], 1), "24.0 → 29.4 → –");
//! ```

mod numbers;
mod tables;

use std::path::Path;

use engram_core::error::EngramError;
pub use numbers::*;

use crate::dp::report::fmt;

/// Values joined by arrows, each with `digits` decimals (`–` where missing).
pub fn arrow(values: &[Option<f64>], digits: usize) -> String {
    values.iter().map(|&v| fmt(v, digits)).collect::<Vec<_>>().join(" → ")
}

fn bad(path: &Path, what: impl std::fmt::Display) -> EngramError {
    EngramError::Other(format!("{}: {what}", path.display()))
}

impl LearnedNumbers {
    /// Read the numbers from a run's full `summary.json`.
    pub fn from_run(summary_json: &Path) -> Result<Self, EngramError> {
        let text = std::fs::read_to_string(summary_json).map_err(|e| bad(summary_json, e))?;
        serde_json::from_str(&text).map_err(|e| bad(summary_json, format!("not a dp-learned summary.json: {e}")))
    }

    /// The numbers of a full-run summary value (as `dp_learned::reproduce` builds it).
    pub fn from_value(summary: &serde_json::Value) -> Result<Self, EngramError> {
        serde_json::from_value(summary.clone())
            .map_err(|e| EngramError::Other(format!("the dp-learned summary lacks a field the report needs: {e}")))
    }

    /// Read a committed compact summary written by [`save`](Self::save). It must hold exactly
    /// what these structs hold: an unknown or misspelt field is an error.
    pub fn load(path: &Path) -> Result<Self, EngramError> {
        let text = std::fs::read_to_string(path).map_err(|e| bad(path, e))?;
        let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(path, e))?;
        Self::from_compact(value).map_err(|e| bad(path, e))
    }

    /// The numbers of a compact summary value; an error names what it holds that they do not
    /// (an unknown or misspelt field, or a value they cannot hold).
    pub fn from_compact(value: serde_json::Value) -> Result<Self, EngramError> {
        let numbers: Self = serde_json::from_value(value.clone()).map_err(|e| EngramError::Other(e.to_string()))?;
        let back = serde_json::to_value(&numbers).expect("the numbers serialise");
        if back != value {
            let extra = first_difference(&value, &back, "");
            return Err(EngramError::Other(format!(
                "holds `{extra}`, which the dp-learned report does not know (or a value it cannot hold); regenerate it with `cargo xtask report dp-learned --from <run>`"
            )));
        }
        Ok(numbers)
    }

    /// Write them as pretty JSON.
    pub fn save(&self, path: &Path) -> Result<(), EngramError> {
        crate::report::save_compact(self, path)
    }

    /// The generated regions of the docs page: `(name, Markdown)`.
    pub fn regions(&self) -> Vec<(String, String)> {
        tables::regions(self)
    }

    /// The run's `report.md`: every generated table under a heading.
    pub fn report_md(&self) -> String {
        let mut out = format!(
            "# dp-learned: report\n\nSeed {}{}; networks {}. Mean ± SD over networks unless stated. The docs page `docs/reproduction/dp-learned.md` explains each table.\n",
            self.seed,
            if self.quick { " (quick version: 1 network, 2 settings, 4 repeats, one subspace trajectory)" } else { "" },
            self.networks.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
        );
        for (name, text) in self.regions() {
            out.push_str(&format!("\n## {}\n\n{}\n", tables::title(&name), text.trim_end()));
        }
        out
    }
}

/// The JSON path of the first place where `have` holds what `want` does not (`want`: the
/// value read back from the typed numbers).
fn first_difference(have: &serde_json::Value, want: &serde_json::Value, at: &str) -> String {
    use serde_json::Value;
    match (have, want) {
        (Value::Object(h), Value::Object(w)) => h
            .iter()
            .find_map(|(k, hv)| {
                let path = format!("{at}/{k}");
                match w.get(k) {
                    None => Some(path),
                    Some(wv) if wv != hv => Some(first_difference(hv, wv, &path)),
                    _ => None,
                }
            })
            .unwrap_or_else(|| at.to_string()),
        (Value::Array(h), Value::Array(w)) if h.len() == w.len() => h
            .iter()
            .zip(w)
            .enumerate()
            .find(|(_, (hv, wv))| hv != wv)
            .map_or_else(|| at.to_string(), |(i, (hv, wv))| first_difference(hv, wv, &format!("{at}/{i}"))),
        _ => at.to_string(),
    }
}
