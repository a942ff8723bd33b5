//! Reading RON configuration files with errors that point at the file, line and field.

use crate::error::{ConfigError, ParamError};
use serde::de::DeserializeOwned;
use std::path::Path;

/// Parse a RON string; `origin` names it in errors (a path, or `<inline>`).
///
/// ```
/// #[derive(serde::Deserialize, Debug)]
/// #[serde(deny_unknown_fields)]
/// struct Run { duration_ms: f64 }
/// let ok: Run = engram_core::config::from_ron_str("(duration_ms: 100)", "<inline>").unwrap();
/// assert_eq!(ok.duration_ms, 100.0);
/// let err = engram_core::config::from_ron_str::<Run>("(\n  duraton_ms: 100)", "run.ron").unwrap_err();
/// let msg = err.to_string();
/// assert!(msg.starts_with("run.ron:2:"), "{msg}");
/// assert!(msg.contains("duraton_ms"), "{msg}");
/// ```
pub fn from_ron_str<T: DeserializeOwned>(text: &str, origin: &str) -> Result<T, ConfigError> {
    ron_options().from_str(text).map_err(|e| ConfigError::Syntax {
        path: origin.into(),
        line: e.span.start.line,
        column: e.span.start.col,
        message: e.code.to_string(),
    })
}

/// The RON dialect of engram files: `Some` may be left out (`delay_ms: 1.5` for an
/// `Option<f64>`), and an enum variant that wraps a struct takes its fields directly
/// (`Coba(n: 4000)` rather than `Coba((n: 4000))`).
pub fn ron_options() -> ron::Options {
    use ron::extensions::Extensions;
    ron::Options::default().with_default_extension(Extensions::IMPLICIT_SOME | Extensions::UNWRAP_VARIANT_NEWTYPES)
}

/// Read and parse a RON file.
pub fn from_ron_file<T: DeserializeOwned>(path: &Path) -> Result<T, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io { path: path.into(), source })?;
    from_ron_str(&text, &path.display().to_string())
}

/// Attach the file name to a validation error (no line: use [`invalid_in_text`] when the
/// file's text is at hand).
pub fn invalid(path: &Path, source: ParamError) -> ConfigError {
    ConfigError::Invalid { path: path.into(), line: None, source }
}

/// Attach the file name and the line where the failing field is written.
///
/// ```
/// use engram_core::{config::invalid_in_text, error::ParamError};
/// let text = "(\n  model: Coba(\n    neuron: (tau_m_ms: -20),\n  ),\n)";
/// let e = invalid_in_text("x.ron".as_ref(), text, ParamError::new("model.Coba.neuron.tau_m_ms", -20, "> 0"));
/// assert!(e.to_string().starts_with("x.ron:3: model.Coba.neuron.tau_m_ms = -20"), "{e}");
/// ```
pub fn invalid_in_text(path: &Path, text: &str, source: ParamError) -> ConfigError {
    let line = field_line(text, &source.field);
    ConfigError::Invalid { path: path.into(), line, source }
}

/// The 1-based line where the dotted field path (`model.Coba.neuron.tau_m_ms`,
/// `record.state[0].every_ms`) is written: each segment is looked for, in order, as a name
/// followed by `:` (a field) or `(` (an enum variant). `None` if the last segment is not
/// written (the failing value is a default).
fn field_line(text: &str, field: &str) -> Option<usize> {
    let mut from = 0;
    let mut found = None;
    for segment in field.split('.') {
        let name = segment.split('[').next().unwrap_or(segment);
        if name.is_empty() {
            continue;
        }
        let mut search = from;
        let at = loop {
            let i = search + text[search..].find(name)?;
            let before_ok = text[..i].chars().next_back().is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
            let after = text[i + name.len()..].trim_start();
            if before_ok && (after.starts_with(':') || after.starts_with('(')) {
                break i;
            }
            search = i + name.len();
        };
        from = at + name.len();
        found = Some(at);
    }
    found.map(|at| text[..at].matches('\n').count() + 1)
}

/// Write a value as pretty RON (for `config.ron` in run directories).
pub fn to_ron_string<T: serde::Serialize>(value: &T) -> String {
    let pretty = ron::ser::PrettyConfig::default().struct_names(false);
    ron_options().to_string_pretty(value, pretty).expect("config types serialise to RON")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        n: usize,
        delay_ms: Option<f64>,
    }
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    enum Model {
        Net(Inner),
    }

    #[test]
    fn dialect_round_trips_and_reads_short_forms() {
        let m: Model = from_ron_str("Net(n: 3, delay_ms: 1.5)", "<t>").unwrap();
        assert_eq!(m, Model::Net(Inner { n: 3, delay_ms: Some(1.5) }));
        let back: Model = from_ron_str(&to_ron_string(&m), "<t>").unwrap();
        assert_eq!(back, m);
        let err = from_ron_str::<Model>("Net(n: 3, delay: 1.5)", "x.ron").unwrap_err().to_string();
        assert!(err.starts_with("x.ron:1:") && err.contains("delay"), "{err}");
    }
}
