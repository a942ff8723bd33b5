//! An experiment as a file: which model, how long, which seed, what to record.
//!
//! ```
//! use engram_models::experiment::{Experiment, ModelConfig};
//! let exp = Experiment::from_ron_str("(model: Coba(n: 800), run: (duration_s: 0.2, seed: 3))", "<inline>").unwrap();
//! assert!(matches!(exp.model, ModelConfig::Coba(ref c) if c.n == 800));
//! assert_eq!(exp.run.dt_ms, 0.1);                       // a default
//! let err = Experiment::from_ron_str("(model: Coba(n: 800, p_conect: 0.1))", "coba.ron").unwrap_err();
//! assert!(err.to_string().contains("coba.ron:1:") && err.to_string().contains("p_conect"));
//! ```

use std::path::Path;

use engram_core::config::{from_ron_str, invalid_in_text};
use engram_core::error::{ConfigError, ParamError};
use engram_core::params::{Params, non_negative, positive};
use engram_sim::DivergenceGuard;
use engram_sim::npy::OutputFormat;
use serde::{Deserialize, Serialize};

use crate::coba::CobaConfig;
use crate::cuba::CubaConfig;

/// The model an experiment runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ModelConfig {
    /// Brette et al. 2007 benchmark 1 (conductance-based).
    Coba(CobaConfig),
    /// Brette et al. 2007 benchmark 2 (current-based).
    Cuba(CubaConfig),
}

impl ModelConfig {
    /// The model's name as used on the command line (`coba`, `cuba`).
    pub fn name(&self) -> &'static str {
        match self {
            ModelConfig::Coba(_) => "coba",
            ModelConfig::Cuba(_) => "cuba",
        }
    }

    /// The embedded default of a built-in model, by name.
    pub fn builtin(name: &str) -> Option<Self> {
        match name {
            "coba" => Some(ModelConfig::Coba(CobaConfig::default())),
            "cuba" => Some(ModelConfig::Cuba(CubaConfig::default())),
            _ => None,
        }
    }

    /// Names of the built-in models.
    pub const BUILTIN: &'static [&'static str] = &["coba", "cuba"];

    /// The shortest time constant of the model, ms (the step must be smaller).
    pub fn shortest_time_constant_ms(&self) -> f64 {
        match self {
            ModelConfig::Coba(c) => c.shortest_time_constant_ms(),
            ModelConfig::Cuba(c) => c.shortest_time_constant_ms(),
        }
    }

    fn validate(&self) -> Result<(), ParamError> {
        match self {
            ModelConfig::Coba(c) => c.validate().map_err(|e| e.within("model.Coba")),
            ModelConfig::Cuba(c) => c.validate().map_err(|e| e.within("model.Cuba")),
        }
    }
}

/// How long, how finely, with which seed and how many threads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunConfig {
    /// Simulated time, s.
    pub duration_s: f64,
    /// Integration step, ms.
    pub dt_ms: f64,
    /// Experiment seed: every random stream derives from it.
    pub seed: u64,
    /// Worker threads (results do not depend on it).
    pub threads: usize,
    /// When the run counts as diverged.
    pub divergence: DivergenceGuard,
    /// Networks with at least this many neurons use the worker threads inside each step
    /// (below it, per-step synchronisation costs more than it saves).
    pub parallel_min_neurons: usize,
}

impl Default for RunConfig {
    fn default() -> Self {
        Self {
            duration_s: 1.0,
            dt_ms: 0.1,
            seed: 12345,
            threads: 1,
            divergence: DivergenceGuard::default(),
            parallel_min_neurons: 20_000,
        }
    }
}

/// A state variable to record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateRecord {
    /// Population name (`E`, `I`).
    pub population: String,
    /// Variable name (`v_mv`, `g_exc_ns`, ...).
    pub variable: String,
    /// Neuron indices within the population.
    pub neurons: Vec<u32>,
    /// Sampling interval, ms.
    #[serde(default = "default_every_ms")]
    pub every_ms: f64,
}

fn default_every_ms() -> f64 {
    1.0
}

/// What to record and write.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RecordConfig {
    /// Write every spike (`spikes_<pop>.npy`: time_ms, neuron).
    pub spikes: bool,
    /// Bin of the population-rate trace (`rates.npy`), ms.
    pub rate_bin_ms: f64,
    /// State variables to record (`state_<pop>_<var>.npy`).
    pub state: Vec<StateRecord>,
    /// File format of the arrays.
    pub format: OutputFormat,
    /// Draw the raster-and-rates figure (`raster.png`, `raster.svg`).
    pub figure: bool,
}

impl Default for RecordConfig {
    fn default() -> Self {
        Self { spikes: true, rate_bin_ms: 5.0, state: Vec::new(), format: OutputFormat::Npy, figure: true }
    }
}

/// A whole experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Experiment {
    /// The model and its parameters.
    pub model: ModelConfig,
    /// Duration, step, seed, threads.
    #[serde(default)]
    pub run: RunConfig,
    /// Outputs.
    #[serde(default)]
    pub record: RecordConfig,
}

impl Experiment {
    /// The embedded default experiment of a built-in model.
    pub fn builtin(name: &str) -> Option<Self> {
        Some(Self { model: ModelConfig::builtin(name)?, run: RunConfig::default(), record: RecordConfig::default() })
    }

    /// Parse and validate a RON string; `origin` names it in errors.
    pub fn from_ron_str(text: &str, origin: &str) -> Result<Self, ConfigError> {
        let exp: Self = from_ron_str(text, origin)?;
        exp.validate().map_err(|e| invalid_in_text(Path::new(origin), text, e))?;
        Ok(exp)
    }

    /// Read, parse and validate a RON file.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io { path: path.into(), source })?;
        let exp: Self = from_ron_str(&text, &path.display().to_string())?;
        exp.validate().map_err(|e| invalid_in_text(path, &text, e))?;
        Ok(exp)
    }
}

impl Params for Experiment {
    fn validate(&self) -> Result<(), ParamError> {
        self.model.validate()?;
        let r = &self.run;
        positive("run.duration_s", r.duration_s)?;
        positive("run.dt_ms", r.dt_ms)?;
        let tau = self.model.shortest_time_constant_ms();
        if r.dt_ms >= tau {
            return Err(ParamError::new(
                "run.dt_ms",
                r.dt_ms,
                format!("a step smaller than the model's shortest time constant ({tau} ms)"),
            ));
        }
        if r.threads == 0 {
            return Err(ParamError::new("run.threads", 0, "at least 1 thread"));
        }
        positive("run.divergence.check_every_ms", r.divergence.check_every_ms)?;
        positive("run.divergence.max_rate_hz", r.divergence.max_rate_hz)?;
        positive("record.rate_bin_ms", self.record.rate_bin_ms)?;
        for (k, s) in self.record.state.iter().enumerate() {
            non_negative(&format!("record.state[{k}].every_ms"), s.every_ms)?;
        }
        Ok(())
    }
}
