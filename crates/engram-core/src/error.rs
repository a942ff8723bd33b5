//! Typed errors: bad parameters, bad configuration files, diverging simulations.

use std::path::PathBuf;

/// A parameter outside its allowed range. Names the field, the value and what is allowed.
///
/// ```
/// use engram_core::error::ParamError;
/// let e = ParamError::new("tau_m_ms", -1.0, "a positive number of ms");
/// assert_eq!(e.to_string(), "tau_m_ms = -1 is not allowed: expected a positive number of ms");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field} = {value} is not allowed: expected {allowed}")]
pub struct ParamError {
    /// Dotted path of the field, e.g. `neuron.tau_m_ms` or `projections[2].p`.
    pub field: String,
    /// The offending value, as written.
    pub value: String,
    /// What would have been accepted.
    pub allowed: String,
}

impl ParamError {
    /// A new error for `field` holding `value`, which should have been `allowed`.
    pub fn new(field: impl Into<String>, value: impl std::fmt::Display, allowed: impl Into<String>) -> Self {
        Self { field: field.into(), value: value.to_string(), allowed: allowed.into() }
    }

    /// The same error with `prefix.` in front of the field name (for nested parameters).
    pub fn within(mut self, prefix: &str) -> Self {
        self.field = if self.field.is_empty() { prefix.to_string() } else { format!("{prefix}.{}", self.field) };
        self
    }
}

/// A configuration that could not be read: which file, where in it, and why.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file does not exist or cannot be read.
    #[error("cannot read config file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// RON syntax or type error (unknown field, wrong type, ...), with its line and column and
    /// the field where it happened: `coba.ron:5:12: model.Coba.n: expected a whole number,
    /// found 400.5`.
    #[error("{path}:{line}:{column}: {}{message}", .field.as_ref().map(|f| format!("{f}: ")).unwrap_or_default())]
    Syntax {
        /// The file (or `<inline>` for a string).
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// Path of the field being read, e.g. `model.Coba.n` or `record.state[0].every_ms`
        /// (`None` at the top level, or for an error outside any value).
        field: Option<String>,
        /// What was wrong, e.g. `expected a whole number, found 400.5` or
        /// `Unexpected field named tau_mm, expected one of ...`.
        message: String,
    },
    /// The file parsed but a value is out of range.
    #[error("{path}{}: {source}", .line.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line where the field is written, if it is written in the file (a default
        /// value that fails has no line).
        line: Option<usize>,
        /// The failing field.
        #[source]
        source: ParamError,
    },
}

/// Errors the engine reports while building or running a network.
#[derive(Debug, thiserror::Error)]
pub enum EngramError {
    /// A parameter is out of range.
    #[error(transparent)]
    Param(#[from] ParamError),
    /// A configuration could not be read.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A name (population, receptor, state variable) that does not exist.
    #[error("unknown {what} `{name}`; known: {known}")]
    Unknown {
        /// What kind of name, e.g. "population".
        what: &'static str,
        /// The name asked for.
        name: String,
        /// The names that exist, comma separated.
        known: String,
    },
    /// The simulation diverged (NaN, infinite state, or runaway rates).
    #[error("simulation diverged at t = {time_ms:.1} ms in population `{population}`, neuron {neuron}: {reason}")]
    Diverged {
        /// Population name.
        population: String,
        /// Neuron index within the population.
        neuron: usize,
        /// Simulated time of detection.
        time_ms: f64,
        /// What was seen.
        reason: String,
    },
    /// Writing output failed.
    #[error("cannot write {path}: {source}")]
    Output {
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A checkpoint cannot be taken or restored (unsupported component, different network).
    #[error("checkpoint: {0}")]
    Checkpoint(String),
    /// The run was stopped by a signal (SIGINT, SIGTERM) at the end of a step; the outputs
    /// written so far are complete up to `time_ms`.
    #[error("interrupted by {signal} at t = {time_ms:.1} ms")]
    Interrupted {
        /// The signal's name (`SIGINT`, `SIGTERM`).
        signal: &'static str,
        /// Simulated time reached, ms.
        time_ms: f64,
    },
    /// Anything else, with a message for the user.
    #[error("{0}")]
    Other(String),
}

impl EngramError {
    /// An `Unknown` error listing the known names.
    pub fn unknown<'a>(what: &'static str, name: &str, known: impl IntoIterator<Item = &'a str>) -> Self {
        let known: Vec<&str> = known.into_iter().collect();
        Self::Unknown { what, name: name.to_string(), known: known.join(", ") }
    }
}
