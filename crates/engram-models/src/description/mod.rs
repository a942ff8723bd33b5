//! Generic network descriptions: any network of registered neuron models, spike sources,
//! stimuli, connectivity rules and plasticity rules, with monitors and protocol phases, as a
//! RON file or the same struct built in Rust (`docs/guide/configuration.md#network-descriptions`).
//!
//! ```
//! use engram_models::description::NetworkDescription;
//! let text = r#"(
//!     populations: [
//!         (name: "E", size: 20, neuron: (kind: "AdEx", params: (b_pa: 60.0)),
//!          initial: [(variable: "v_mv", value: Uniform(low: -70, high: -55))]),
//!     ],
//!     sources: [(name: "drive", source: (kind: "PoissonGroup", params: (n_sources: 50, rates: Constant(rate_hz: 20))))],
//!     projections: [
//!         (pre: "drive", post: "E", receptor: "exc",
//!          connectivity: (kind: "FixedProbability", params: (p: 0.2)),
//!          weight: Constant(value: 0.5), delay: Constant(ms: 1.0),
//!          plasticity: (rule: (kind: "PairStdp", params: (w_max: 1.0)))),
//!     ],
//!     monitors: [Spikes(populations: ["E"])],
//! )"#;
//! let description = NetworkDescription::from_ron_str(text, "adex.ron").unwrap();
//! let mut net = description.build(0.1, 7).unwrap();
//! net.run_ms(100.0).unwrap();
//!
//! // a typo in a kind names the file, the line, the field and the kinds there are
//! let bad = text.replace("\"AdEx\"", "\"Adex\"");
//! let e = NetworkDescription::from_ron_str(&bad, "adex.ron").unwrap_err().to_string();
//! assert!(e.starts_with("adex.ron:3: populations[0].neuron.kind = \"Adex\""), "{e}");
//! assert!(e.contains("AdEx, Izhikevich, LifCond, LifCurrent, LifNmda"), "{e}");
//! ```
//!
//! The kinds are looked up in a [`Registry`]: [`Registry::default`] holds the library's own,
//! and a user's crate registers its own neuron models, rules and monitors with one call each
//! ([`Registry::register_neuron`], [`Registry::register_rule`],
//! [`Registry::register_monitor`], ...), then reads files that name them with
//! [`NetworkDescription::from_ron_str_with`]. A source group can replay spikes from a `.npy`
//! file (`SpikeTrainsFile`, [`SpikeTrainsFileParams`]) or from a 0/1 matrix of a MATLAB file
//! (`MatSpikeMatrix`, [`MatSpikeMatrixParams`]); relative paths are relative to the
//! description's file (its `base_dir`). A phase can save the network's checkpoint at its end
//! (`checkpoint: true`, written by the runner), from which [`BuiltNetwork::run_protocol`]
//! resumes. [`models`] writes the built-in
//! COBA and CUBA benchmarks as descriptions; built from them, they are bit-identical to
//! [`CobaConfig::build`](crate::coba::CobaConfig::build) and
//! [`CubaConfig::build`](crate::cuba::CubaConfig::build); so are the named models
//! `vogels2011`, `auryn-background` and `selection` to their own Rust builds.
//!
//! Randomness: each random part draws from its own stream, named by its `stream` field or by
//! default after its kind and name (`init:E`, `source:drive`, `stimulus:<name>`,
//! `projection:<name>`), so adding a part never changes the draws of another. Per projection,
//! the connections draw from the stream's chunks 0, 1, ...; the weights from chunk
//! [`build::WEIGHT_CHUNK`]; per-synapse delays from the delay chunks of
//! `engram_connectivity::DelayDistribution`.

pub mod build;
mod check;
mod locate;
mod mat_spikes;
pub mod models;
mod named;
mod params;
pub mod registry;
mod spike_file;
mod switch;
pub mod types;

use std::path::{Path, PathBuf};

use engram_core::config::{from_ron_str, to_ron_string};
use engram_core::error::{ConfigError, ParamError};

pub use build::{BuiltNetwork, Handles};
pub use mat_spikes::MatSpikeMatrixParams;
pub use params::RawParams;
pub use registry::{
    ComponentError, ConnectContext, ConstantCurrentParams, FixedDegreeParams, FixedProbabilityParams, MatrixContext,
    MatrixPart, MonitorContext, NoParams, Registry, RuleContext, SourceContext, StimulusContext, WithinGroupsParams,
};
pub use spike_file::SpikeTrainsFileParams;
pub use types::{
    Component, Distribution, InitialValue, MonitorDescription, NetworkDescription, NeuronRange, PhaseDescription,
    PlasticityDescription, PopulationDescription, ProjectionDescription, SourceDescription, StimulusDescription,
    WeightChange,
};

use check::CheckError;

/// Turn a failed check into an error placed in the file: the line of the field (for a value
/// out of range), or the line and column inside a component's parameters (for parameters that
/// do not parse).
fn placed(origin: &str, text: &str, e: CheckError) -> ConfigError {
    let path = Path::new(origin);
    match e {
        CheckError::Param(source) => {
            let line = locate::field_offset(text, &source.field).map(|at| locate::position_of(text, at).0);
            ConfigError::Invalid { path: path.into(), line, source }
        }
        CheckError::Syntax { field, params, error } => match *error {
            ConfigError::Syntax { line, column, field: inner, message, .. } => {
                let (line, column) = match locate::params_offset(text, &field, &params) {
                    Some(at) => {
                        let (l0, c0) = locate::position_of(text, at);
                        (l0 + line - 1, if line == 1 { c0 + column - 1 } else { column })
                    }
                    None => (line, column),
                };
                let field = Some(match inner {
                    Some(inner) => format!("{field}.{inner}"),
                    None => field,
                });
                ConfigError::Syntax { path: path.into(), line, column, field, message }
            }
            other => other,
        },
        CheckError::Engine(e) => ConfigError::Invalid {
            path: path.into(),
            line: None,
            source: ParamError::new("description", "the network", e.to_string()),
        },
    }
}

/// The folder `file` is in (`.` for a bare file name).
pub(crate) fn file_folder(file: &Path) -> &Path {
    match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The folder relative paths of a file in `folder` are resolved against: `written` (a
/// `base_dir` the file gives) relative to `folder`, or `folder` itself; absolute.
pub(crate) fn resolve_folder(folder: &Path, written: Option<&Path>) -> PathBuf {
    let folder = folder.join(written.unwrap_or(Path::new("")));
    let folder = std::path::absolute(&folder).unwrap_or(folder);
    // `a/./b` and a trailing `.` say nothing: drop them
    folder.components().collect()
}

impl NetworkDescription {
    /// Parse a RON string and check it against the library's kinds; `origin` names it in
    /// errors (`file:line: field = value is not allowed: expected ...`).
    pub fn from_ron_str(text: &str, origin: &str) -> Result<Self, ConfigError> {
        Self::from_ron_str_with(text, origin, &Registry::default())
    }

    /// Parse a RON string and check it against `registry` (the library's kinds and a user's).
    pub fn from_ron_str_with(text: &str, origin: &str, registry: &Registry) -> Result<Self, ConfigError> {
        Self::from_ron_str_in(text, origin, registry, None)
    }

    /// Read, parse and check a RON file against `registry`. Its `base_dir` is set to the
    /// file's folder, as an absolute path (or, if the file writes one, to that, relative to the
    /// file's folder), so that relative paths in it are relative to the file.
    pub fn from_file_with(path: &Path, registry: &Registry) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io { path: path.into(), source })?;
        Self::from_ron_str_in(&text, &path.display().to_string(), registry, Some(file_folder(path)))
    }

    /// Parse `text` and check it against `registry`; with `folder` (the folder of the file
    /// the text was read from), `base_dir` is resolved against it (see
    /// [`from_file_with`](Self::from_file_with)).
    pub(crate) fn from_ron_str_in(
        text: &str,
        origin: &str,
        registry: &Registry,
        folder: Option<&Path>,
    ) -> Result<Self, ConfigError> {
        let mut description: Self = from_ron_str(text, origin)?;
        if let Some(folder) = folder {
            description.base_dir = Some(resolve_folder(folder, description.base_dir.as_deref()));
        }
        description.check_with(registry).map_err(|e| placed(origin, text, e))?;
        Ok(description)
    }

    /// Read, parse and check a RON file against the library's kinds.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        Self::from_file_with(path, &Registry::default())
    }

    /// Check against `registry` without building: the same errors as
    /// [`from_ron_str_with`](Self::from_ron_str_with), without a line.
    pub fn check(&self, registry: &Registry) -> Result<(), engram_core::error::EngramError> {
        self.check_with(registry).map(|_| ()).map_err(Into::into)
    }

    /// The description as pretty RON (parses back equal).
    pub fn to_ron_string(&self) -> String {
        to_ron_string(self)
    }
}
