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
use engram_core::params::{Params, finite, non_negative, positive};
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

    /// The field path of the model's parameters in an experiment file (`model.Coba`).
    pub fn field(&self) -> &'static str {
        match self {
            ModelConfig::Coba(_) => "model.Coba",
            ModelConfig::Cuba(_) => "model.Cuba",
        }
    }

    pub(crate) fn shape(&self) -> crate::coba::RandomEi {
        match self {
            ModelConfig::Coba(c) => c.shape(),
            ModelConfig::Cuba(c) => c.shape(),
        }
    }

    /// The synaptic delay, ms.
    pub fn delay_ms(&self) -> f64 {
        match self {
            ModelConfig::Coba(c) => c.delay_ms,
            ModelConfig::Cuba(c) => c.delay_ms,
        }
    }

    /// The populations the model builds: name, size and recordable state variables (valid
    /// parameters assumed; nothing large is built).
    pub fn populations(&self) -> Result<Vec<PopulationInfo>, ParamError> {
        use engram_core::neuron::NeuronModel;
        let (ne, ni) = self.shape().sizes();
        let names: Vec<String> = match self {
            ModelConfig::Coba(c) => {
                let one = engram_neurons::LifCond::new(1, c.neuron.clone().check().map_err(|e| e.within("neuron"))?);
                one.state_names().iter().map(|s| s.to_string()).collect()
            }
            ModelConfig::Cuba(c) => {
                let one = engram_neurons::LifCurrent::new(1, c.neuron.clone().check().map_err(|e| e.within("neuron"))?);
                one.state_names().iter().map(|s| s.to_string()).collect()
            }
        };
        Ok([("E", ne), ("I", ni)]
            .into_iter()
            .map(|(name, n)| PopulationInfo { name: name.into(), n, state_names: names.clone() })
            .collect())
    }

    fn validate(&self) -> Result<(), ParamError> {
        match self {
            ModelConfig::Coba(c) => c.validate().map_err(|e| e.within("model.Coba")),
            ModelConfig::Cuba(c) => c.validate().map_err(|e| e.within("model.Cuba")),
        }
    }
}

/// A population of a model, as an experiment file can refer to it.
#[derive(Clone, Debug, PartialEq)]
pub struct PopulationInfo {
    /// Name (`E`, `I`).
    pub name: String,
    /// Number of neurons.
    pub n: usize,
    /// State variables a monitor can record.
    pub state_names: Vec<String>,
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
    /// Keep every spike in memory for the raster-and-rates figure (`raster.png`, `raster.svg`),
    /// which `cargo xtask run` draws into the run directory (returned in
    /// [`RunOutput::spikes`](crate::run::RunOutput::spikes)).
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
        finite("run.duration_s", r.duration_s)?;
        finite("run.dt_ms", r.dt_ms)?;
        let tau = self.model.shortest_time_constant_ms();
        if r.dt_ms >= tau {
            return Err(ParamError::new(
                "run.dt_ms",
                r.dt_ms,
                format!("a step smaller than the model's shortest time constant ({tau} ms)"),
            ));
        }
        let steps = r.duration_s * 1000.0 / r.dt_ms;
        if steps.round() < 1.0 || (steps - steps.round()).abs() > 1e-6 * steps.max(1.0) {
            let seconds = |k: f64| {
                let text = format!("{:.9}", k.max(1.0) * r.dt_ms / 1000.0);
                text.trim_end_matches('0').trim_end_matches('.').to_string()
            };
            let (below, above) = (seconds(steps.floor()), seconds(steps.ceil()));
            let nearest = if below == above { below } else { format!("{below} or {above}") };
            return Err(ParamError::new(
                "run.duration_s",
                r.duration_s,
                format!("a whole number of steps of run.dt_ms = {} ms (at least one); nearest: {nearest} s", r.dt_ms),
            ));
        }
        let delay_ms = self.model.delay_ms();
        if delay_ms > r.duration_s * 1000.0 {
            return Err(ParamError::new(
                format!("{}.delay_ms", self.model.field()),
                delay_ms,
                format!("at most the run's duration ({} ms): a longer delay delivers no spike", r.duration_s * 1000.0),
            ));
        }
        if r.threads == 0 {
            return Err(ParamError::new("run.threads", 0, "at least 1 thread"));
        }
        positive("run.divergence.check_every_ms", r.divergence.check_every_ms)?;
        if let Some(max_rate_hz) = r.divergence.max_rate_hz {
            positive("run.divergence.max_rate_hz", max_rate_hz)?;
        }
        positive("record.rate_bin_ms", self.record.rate_bin_ms)?;
        let populations = self.model.populations().map_err(|e| e.within(self.model.field()))?;
        for (k, s) in self.record.state.iter().enumerate() {
            let field = |name: &str| format!("record.state[{k}].{name}");
            non_negative(&field("every_ms"), s.every_ms)?;
            finite(&field("every_ms"), s.every_ms)?;
            let Some(pop) = populations.iter().find(|p| p.name == s.population) else {
                let known: Vec<&str> = populations.iter().map(|p| p.name.as_str()).collect();
                return Err(ParamError::new(
                    field("population"),
                    format!("{:?}", s.population),
                    format!("one of {}", known.join(", ")),
                ));
            };
            if !pop.state_names.contains(&s.variable) {
                return Err(ParamError::new(
                    field("variable"),
                    format!("{:?}", s.variable),
                    format!("a state variable of `{}`: {}", pop.name, pop.state_names.join(", ")),
                ));
            }
            if let Some(bad) = s.neurons.iter().find(|&&i| i as usize >= pop.n) {
                return Err(ParamError::new(
                    field("neurons"),
                    bad,
                    format!("neuron indices of `{}` (0 to {})", pop.name, pop.n - 1),
                ));
            }
        }
        Ok(())
    }
}
