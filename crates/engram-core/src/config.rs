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
    ron::from_str(text).map_err(|e| ConfigError::Syntax {
        path: origin.into(),
        line: e.span.start.line,
        column: e.span.start.col,
        message: e.code.to_string(),
    })
}

/// Read and parse a RON file.
pub fn from_ron_file<T: DeserializeOwned>(path: &Path) -> Result<T, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io { path: path.into(), source })?;
    from_ron_str(&text, &path.display().to_string())
}

/// Attach the file name to a validation error.
pub fn invalid(path: &Path, source: ParamError) -> ConfigError {
    ConfigError::Invalid { path: path.into(), source }
}

/// Write a value as pretty RON (for `config.ron` in run directories).
pub fn to_ron_string<T: serde::Serialize>(value: &T) -> String {
    ron::ser::to_string_pretty(value, ron::ser::PrettyConfig::default().struct_names(false))
        .expect("config types serialise to RON")
}
