//! An experiment as a file: which model (a built-in one, or any network written as a
//! [`NetworkDescription`]), how long, which seed, what to record.
//!
//! ```
//! use engram_models::experiment::{Experiment, ModelConfig};
//! let exp = Experiment::from_ron_str("(model: Coba(n: 800), run: (duration_s: 0.2, seed: 3))", "<inline>").unwrap();
//! assert!(matches!(exp.model, ModelConfig::Coba(ref c) if c.n == 800));
//! assert_eq!(exp.run.dt_ms, 0.1);                       // a default
//! let err = Experiment::from_ron_str("(model: Coba(n: 800, p_conect: 0.1))", "coba.ron").unwrap_err();
//! assert!(err.to_string().contains("coba.ron:1:") && err.to_string().contains("p_conect"));
//!
//! // any network, written as a description (docs/guide/configuration.md#network-descriptions)
//! let text = r#"(
//!     model: Network(
//!         populations: [(name: "E", size: 20, neuron: (kind: "AdEx"), role: Excitatory)],
//!         phases: [(name: "rest", duration_ms: 50.0)],
//!     ),
//!     run: (duration_s: 0.05, seed: 3),
//! )"#;
//! let exp = Experiment::from_ron_str(text, "net.ron").unwrap();
//! assert_eq!(exp.model.populations().unwrap()[0].n, 20);
//! // its errors name the line in the experiment file, and the field from its top
//! let e = Experiment::from_ron_str(&text.replace("\"AdEx\"", "\"Adex\""), "net.ron").unwrap_err().to_string();
//! assert!(e.starts_with("net.ron:3: model.Network.populations[0].neuron.kind = \"Adex\""), "{e}");
//! ```

use std::borrow::Cow;
use std::path::Path;

use engram_connectivity::{DelayDistribution, Rule};
use engram_core::config::{from_ron_str, invalid_in_text, ron_options};
use engram_core::error::{ConfigError, EngramError, ParamError};
use engram_core::params::{Params, finite, non_negative, positive};
use engram_sim::DivergenceGuard;
use engram_sim::npy::OutputFormat;
use serde::{Deserialize, Serialize};

use crate::auryn_background::AurynBackgroundConfig;
use crate::coba::{CobaConfig, RandomEi, Scaling};
use crate::cuba::CubaConfig;
use crate::description::registry::ConnectContext;
use crate::description::{MonitorDescription, NetworkDescription, Registry, file_folder, models, resolve_folder};
use crate::dp::described::DpModel;
use crate::selection::SelectionConfig;
use crate::vogels2011::RecurrentConfig;

/// The model an experiment runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ModelConfig {
    /// Brette et al. 2007 benchmark 1 (conductance-based).
    Coba(CobaConfig),
    /// Brette et al. 2007 benchmark 2 (current-based).
    Cuba(CubaConfig),
    /// Any network of the library's kinds, written as a description
    /// (`Network(populations: [...], projections: [...], ...)`; its parts are checked against
    /// [`Registry::default`]). Its protocol phases are run in order from the start of the run;
    /// the run lasts `run.duration_s` (cutting the protocol short, or going on after it with
    /// the last phase's settings).
    Network(NetworkDescription),
    /// The Dp model of Meissner-Bernard, Zenke & Friedrich (eLife 2025): one network of a
    /// structure and variant shown odors in the standard trials
    /// (`Dp(structure: A, variant: TunedEI(alpha: 5, beta: 4, gamma: 3), n_odors: 10)`;
    /// [`DpModel`]). It runs as the network description it expands to
    /// ([`DpModel::description`]).
    Dp(DpModel),
    /// Vogels et al. 2011's recurrent memory network (`vogels2011`), run as the description
    /// [`models::vogels2011`] expands it to (its protocol as phases).
    Vogels2011(RecurrentConfig),
    /// Auryn's plastic background network (`auryn-background`), run as
    /// [`models::auryn_background`] expands it (priming, then plastic).
    AurynBackground(AurynBackgroundConfig),
    /// Selection by gated inhibitory plasticity (`selection`), run as [`models::selection`]
    /// expands it (tests, trials and pauses as phases).
    Selection(SelectionConfig),
}

impl ModelConfig {
    /// The model's name as used on the command line and in summaries (`coba`, `cuba`,
    /// `network`, `vogels2011`, `auryn-background`, `selection`).
    pub fn name(&self) -> &'static str {
        match self {
            ModelConfig::Coba(_) => "coba",
            ModelConfig::Cuba(_) => "cuba",
            ModelConfig::Network(_) => "network",
            ModelConfig::Dp(_) => "dp",
            ModelConfig::Vogels2011(_) => "vogels2011",
            ModelConfig::AurynBackground(_) => "auryn-background",
            ModelConfig::Selection(_) => "selection",
        }
    }

    /// The description the model runs as: a description itself, or a named model expanded
    /// ([`DpModel::description`], [`models::vogels2011`], [`models::auryn_background`],
    /// [`models::selection`]); `None` for COBA and CUBA, which build themselves.
    ///
    /// ```
    /// use engram_models::experiment::ModelConfig;
    /// let selection = ModelConfig::builtin("selection").unwrap();
    /// let d = selection.description().unwrap().unwrap();
    /// assert_eq!(d.projections[0].connectivity.kind, "WithinGroups");
    /// ```
    ///
    /// # Errors
    /// A named model whose parameters are out of range.
    pub fn description(&self) -> Result<Option<Cow<'_, NetworkDescription>>, EngramError> {
        let expanded = |d: NetworkDescription| Some(Cow::Owned(d));
        match self {
            ModelConfig::Coba(_) | ModelConfig::Cuba(_) => Ok(None),
            ModelConfig::Network(d) => Ok(Some(Cow::Borrowed(d))),
            ModelConfig::Dp(m) => m.description().map(expanded),
            ModelConfig::Vogels2011(c) => models::vogels2011(c).map(expanded),
            ModelConfig::AurynBackground(c) => models::auryn_background(c).map(expanded),
            ModelConfig::Selection(c) => models::selection(c).map(expanded),
        }
    }

    /// The step a named model's own configuration was written for (`dt_ms` of Vogels 2011 and
    /// selection): the run's `run.dt_ms` must equal it.
    fn own_dt_ms(&self) -> Option<f64> {
        match self {
            ModelConfig::Vogels2011(c) => Some(c.dt_ms),
            ModelConfig::Selection(c) => Some(c.dt_ms),
            _ => None,
        }
    }

    /// The embedded default of a built-in model, by name: `coba`, `cuba`, the same two
    /// written as network descriptions, `coba-network` and `cuba-network`
    /// ([`models::coba`], [`models::cuba`]; the same spikes at the same seed), and the named
    /// models `vogels2011`, `auryn-background` and `selection` with their library defaults.
    pub fn builtin(name: &str) -> Option<Self> {
        match name {
            "coba" => Some(ModelConfig::Coba(CobaConfig::default())),
            "cuba" => Some(ModelConfig::Cuba(CubaConfig::default())),
            "coba-network" => models::coba(&CobaConfig::default()).ok().map(ModelConfig::Network),
            "cuba-network" => models::cuba(&CubaConfig::default()).ok().map(ModelConfig::Network),
            "dp" => Some(ModelConfig::Dp(DpModel::default())),
            "vogels2011" => Some(ModelConfig::Vogels2011(RecurrentConfig::default())),
            "auryn-background" => Some(ModelConfig::AurynBackground(AurynBackgroundConfig::default())),
            "selection" => Some(ModelConfig::Selection(SelectionConfig::default())),
            _ => None,
        }
    }

    /// Names of the built-in models.
    pub const BUILTIN: &'static [&'static str] =
        &["coba", "cuba", "coba-network", "cuba-network", "dp", "vogels2011", "auryn-background", "selection"];

    /// The shortest time constant of the model, ms (the step must be smaller); infinite for a
    /// network description and the named models (their models are not known to this check).
    pub fn shortest_time_constant_ms(&self) -> f64 {
        match self {
            ModelConfig::Coba(c) => c.shortest_time_constant_ms(),
            ModelConfig::Cuba(c) => c.shortest_time_constant_ms(),
            ModelConfig::Network(_) => f64::INFINITY,
            ModelConfig::Dp(m) => {
                let (e, i) = m.structure.neurons();
                crate::coba::shortest_time_constant_ms(&e).min(crate::coba::shortest_time_constant_ms(&i))
            }
            ModelConfig::Vogels2011(_) | ModelConfig::AurynBackground(_) | ModelConfig::Selection(_) => f64::INFINITY,
        }
    }

    /// The field path of the model's parameters in an experiment file (`model.Coba`).
    pub fn field(&self) -> &'static str {
        match self {
            ModelConfig::Coba(_) => "model.Coba",
            ModelConfig::Cuba(_) => "model.Cuba",
            ModelConfig::Network(_) => "model.Network",
            ModelConfig::Dp(_) => "model.Dp",
            ModelConfig::Vogels2011(_) => "model.Vogels2011",
            ModelConfig::AurynBackground(_) => "model.AurynBackground",
            ModelConfig::Selection(_) => "model.Selection",
        }
    }

    /// Size and connectivity for the resource estimate. A description is estimated as one
    /// population of all its neurons with the expected number of synapses of its projections.
    pub(crate) fn shape(&self) -> RandomEi {
        match self {
            ModelConfig::Coba(c) => c.shape(),
            ModelConfig::Cuba(c) => c.shape(),
            ModelConfig::Network(_)
            | ModelConfig::Dp(_)
            | ModelConfig::Vogels2011(_)
            | ModelConfig::AurynBackground(_)
            | ModelConfig::Selection(_) => {
                let (neurons, synapses) = match self.description() {
                    Ok(Some(d)) => expected_size(&d),
                    _ => (0.0, 0.0),
                };
                let n = neurons.max(1.0);
                // fixed p: in_degree = p · n = synapses / n
                RandomEi { n: n as usize, exc_fraction: 0.5, p_at_4000: synapses / (n * n), scaling: Scaling::FixedP }
            }
        }
    }

    /// The synaptic delay, ms (for a description: the longest of its projections).
    pub fn delay_ms(&self) -> f64 {
        match self {
            ModelConfig::Coba(c) => c.delay_ms,
            ModelConfig::Cuba(c) => c.delay_ms,
            // one step, as simulate connects it
            ModelConfig::Dp(_) => 0.0,
            ModelConfig::Network(d) => longest_delay_ms(d),
            ModelConfig::Vogels2011(c) => c.delay_ms,
            ModelConfig::AurynBackground(c) => c.delay_ms,
            ModelConfig::Selection(_) => self.description().ok().flatten().map_or(0.0, |d| longest_delay_ms(&d)),
        }
    }

    /// The populations the model builds: name, size and recordable state variables (valid
    /// parameters assumed; nothing large is built).
    pub fn populations(&self) -> Result<Vec<PopulationInfo>, ParamError> {
        use engram_core::neuron::NeuronModel;
        let names: Vec<String> = match self {
            ModelConfig::Coba(c) => {
                let one = engram_neurons::LifCond::new(1, c.neuron.clone().check().map_err(|e| e.within("neuron"))?);
                one.state_names().iter().map(|s| s.to_string()).collect()
            }
            ModelConfig::Cuba(c) => {
                let one = engram_neurons::LifCurrent::new(1, c.neuron.clone().check().map_err(|e| e.within("neuron"))?);
                one.state_names().iter().map(|s| s.to_string()).collect()
            }
            ModelConfig::Network(_)
            | ModelConfig::Dp(_)
            | ModelConfig::Vogels2011(_)
            | ModelConfig::AurynBackground(_)
            | ModelConfig::Selection(_) => {
                let d = self.description().map_err(param_error)?.expect("a description or a named model");
                let info = d.check_with(&Registry::default()).map_err(|e| param_error(EngramError::from(e)))?;
                return Ok(d
                    .populations
                    .iter()
                    .map(|p| PopulationInfo {
                        name: p.name.clone(),
                        n: p.size,
                        state_names: info.nodes[&p.name]
                            .neurons
                            .as_ref()
                            .map_or_else(Vec::new, |n| n.state_names.clone()),
                    })
                    .collect());
            }
        };
        let (ne, ni) = self.shape().sizes();
        Ok([("E", ne), ("I", ni)]
            .into_iter()
            .map(|(name, n)| PopulationInfo { name: name.into(), n, state_names: names.clone() })
            .collect())
    }

    fn validate(&self) -> Result<(), ParamError> {
        match self {
            ModelConfig::Coba(c) => c.validate().map_err(|e| e.within("model.Coba")),
            ModelConfig::Cuba(c) => c.validate().map_err(|e| e.within("model.Cuba")),
            ModelConfig::Dp(m) => m.validate().map_err(|e| e.within("model.Dp")),
            ModelConfig::Network(d) => d
                .check_with(&Registry::default())
                .map(|_| ())
                .map_err(|e| param_error(EngramError::from(e)).within("model.Network")),
            ModelConfig::Vogels2011(_) | ModelConfig::AurynBackground(_) | ModelConfig::Selection(_) => {
                let d = self.description().map_err(|e| param_error(e).within(self.field()))?;
                let d = d.expect("a named model expands to a description");
                // an error of the expansion names its place in the description the model expands to
                d.check_with(&Registry::default()).map(|_| ()).map_err(|e| {
                    param_error(EngramError::from(e)).within(&format!("{} (as a description)", self.field()))
                })
            }
        }
    }
}

/// A failed description check as a parameter error (a parameter text that does not parse
/// becomes an error of that `params` field).
fn param_error(e: EngramError) -> ParamError {
    match e {
        EngramError::Param(p) => p,
        EngramError::Config(ConfigError::Syntax { path, field, message, .. }) => {
            let at = path.display().to_string();
            let at = at.strip_suffix(" (parameters)").unwrap_or(&at).to_string();
            let inner = field.map(|f| format!(".{f}")).unwrap_or_default();
            ParamError::new(format!("{at}{inner}"), "as written", format!("valid parameters: {message}"))
        }
        other => ParamError::new("", "the network", other.to_string()),
    }
}

/// The longest transmission delay of a description's projections, ms.
fn longest_delay_ms(d: &NetworkDescription) -> f64 {
    d.projections
        .iter()
        .map(|p| match p.delay {
            DelayDistribution::Constant { ms } => ms,
            DelayDistribution::Uniform { max_ms, .. } => max_ms,
        })
        .fold(0.0, f64::max)
}

/// Neurons of a description's populations and the expected number of synapses of its
/// projections (from each connectivity rule and the sizes; 0 for a part that does not check).
fn expected_size(d: &NetworkDescription) -> (f64, f64) {
    let neurons: f64 = d.populations.iter().map(|p| p.size as f64).sum();
    let registry = Registry::default();
    let Ok(info) = d.check_with(&registry) else { return (neurons, 0.0) };
    let synapses = d
        .projections
        .iter()
        .map(|p| {
            let (Some(pre), Some(post)) = (info.nodes.get(&p.pre), info.nodes.get(&p.post)) else { return 0.0 };
            let (n_pre, n_post) = (pre.size, post.size);
            let ctx = ConnectContext {
                n_pre,
                n_post,
                same_population: p.pre == p.post,
                autapses: p.autapses,
                multapses: p.multapses,
                seed: 0,
                stream_id: 0,
            };
            let Some(spec) = registry.connect(&p.connectivity.kind).and_then(|f| f(&p.connectivity.params, &ctx).ok())
            else {
                return 0.0;
            };
            let (n_pre, n_post) = (n_pre as f64, n_post as f64);
            match spec.rule {
                Rule::FixedProbability { p } => p * n_pre * n_post,
                Rule::FixedInDegree { k } => f64::from(k) * n_post,
                Rule::FixedOutDegree { k } => f64::from(k) * n_pre,
                Rule::AllToAll => n_pre * n_post,
                Rule::OneToOne => n_pre.min(n_post),
                Rule::Explicit { pairs } => pairs.len() as f64,
                Rule::WithinGroups { p, group_size } => p * n_pre * (group_size as f64).min(n_post),
            }
        })
        .sum();
    (neurons, synapses)
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

/// What a file read by [`Experiment::read`] held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// An experiment: `(model: ..., run: ..., record: ...)`.
    Experiment,
    /// A bare network description: `(populations: [...], ...)`, run as
    /// [`Experiment::of_description`] makes it.
    Description,
}

impl Experiment {
    /// The embedded default experiment of a built-in model (see [`ModelConfig::builtin`]).
    /// A named model runs its whole protocol (the total of its phases), with its own step;
    /// `vogels2011` with a rate ceiling of 500 Hz (the unbalanced start, before iSTDP, fires at
    /// up to 200 Hz by design, above the default ceiling of 0.5 / t_ref = 100 Hz).
    ///
    /// ```
    /// use engram_models::experiment::Experiment;
    /// let exp = Experiment::builtin("auryn-background").unwrap();
    /// assert_eq!(exp.run.duration_s, 40.0);                   // 30 s priming + 10 s plastic
    /// ```
    pub fn builtin(name: &str) -> Option<Self> {
        let model = ModelConfig::builtin(name)?;
        let mut run = RunConfig::default();
        if let ModelConfig::Dp(m) = &model {
            // the whole protocol of trials (the bulb presents the odors; no phases)
            run.duration_s = m.duration_ms() / 1000.0;
        } else if !matches!(model, ModelConfig::Network(_)) {
            if let Ok(Some(d)) = model.description() {
                run.duration_s = d.phases.iter().map(|p| p.duration_ms).sum::<f64>() / 1000.0;
            }
        }
        if let Some(dt_ms) = model.own_dt_ms() {
            run.dt_ms = dt_ms;
        }
        if let ModelConfig::Vogels2011(_) = model {
            run.divergence.max_rate_hz = Some(500.0);
        }
        Some(Self { model, run, record: RecordConfig::default() })
    }

    /// The experiment that runs a bare description: every run and record default, except
    /// that the run lasts as long as the description's phases (1 s without phases) and the
    /// rate trace takes the bin of its first `Rates` monitor, if it has one.
    ///
    /// ```
    /// use engram_models::description::NetworkDescription;
    /// use engram_models::experiment::Experiment;
    /// let d = NetworkDescription::from_ron_str(r#"(
    ///     populations: [(name: "E", size: 10, neuron: (kind: "LifCond"))],
    ///     monitors: [Rates(populations: ["E"], bin_ms: 2.0)],
    ///     phases: [(name: "a", duration_ms: 150.0), (name: "b", duration_ms: 50.0)],
    /// )"#, "<inline>").unwrap();
    /// let exp = Experiment::of_description(d);
    /// assert_eq!((exp.run.duration_s, exp.record.rate_bin_ms), (0.2, 2.0));
    /// ```
    pub fn of_description(description: NetworkDescription) -> Self {
        let mut exp = Self {
            model: ModelConfig::Network(description),
            run: RunConfig::default(),
            record: RecordConfig::default(),
        };
        let ModelConfig::Network(d) = &exp.model else { unreachable!("made above") };
        if !d.phases.is_empty() {
            exp.run.duration_s = d.phases.iter().map(|p| p.duration_ms).sum::<f64>() / 1000.0;
        }
        let bin = d.monitors.iter().find_map(|m| match m {
            MonitorDescription::Rates { bin_ms, .. } => Some(*bin_ms),
            _ => None,
        });
        if let Some(bin_ms) = bin {
            exp.record.rate_bin_ms = bin_ms;
        }
        exp
    }

    /// Parse and validate a RON string; `origin` names it in errors.
    pub fn from_ron_str(text: &str, origin: &str) -> Result<Self, ConfigError> {
        Self::from_ron_str_in(text, origin, None)
    }

    /// Parse and validate `text`; with `folder` (the folder of the file it was read from), a
    /// `Network` model's `base_dir` is resolved against it, so that relative paths in the
    /// description are relative to the file.
    fn from_ron_str_in(text: &str, origin: &str, folder: Option<&Path>) -> Result<Self, ConfigError> {
        let mut exp: Self = from_ron_str(text, origin)?;
        if let (Some(folder), ModelConfig::Network(d)) = (folder, &mut exp.model) {
            d.base_dir = Some(resolve_folder(folder, d.base_dir.as_deref()));
        }
        exp.check_description_in(text, origin, folder)?;
        exp.validate().map_err(|e| invalid_in_text(Path::new(origin), text, e))?;
        Ok(exp)
    }

    /// Read, parse and validate a RON file (relative paths in a `Network` model are relative
    /// to the file's folder).
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io { path: path.into(), source })?;
        Self::from_ron_str_in(&text, &path.display().to_string(), Some(file_folder(path)))
    }

    /// Read an experiment file or a bare network description file (tried in that order), and
    /// say which it was. When neither reads, the error is the one of the kind the file's
    /// first top-level field belongs to (`model`, `run`, `record`: an experiment), so a typo
    /// in a description is reported as such, with its line.
    ///
    /// ```
    /// use engram_models::experiment::{Experiment, FileKind};
    /// let dir = std::env::temp_dir().join(format!("engram_read_doc_{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// let file = dir.join("net.ron");
    /// std::fs::write(&file, "(\n  populations: [(name: \"E\", size: 0, neuron: (kind: \"AdEx\"))],\n)").unwrap();
    /// let e = Experiment::read(&file).unwrap_err().to_string();
    /// assert!(e.contains("net.ron:2: populations[0].size = 0"), "{e}");
    /// std::fs::write(&file, "(populations: [(name: \"E\", size: 5, neuron: (kind: \"AdEx\"))])").unwrap();
    /// assert_eq!(Experiment::read(&file).unwrap().1, FileKind::Description);
    /// # std::fs::remove_dir_all(&dir).ok();
    /// ```
    pub fn read(path: &Path) -> Result<(Self, FileKind), ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io { path: path.into(), source })?;
        let origin = path.display().to_string();
        let folder = file_folder(path);
        let as_experiment = match Self::from_ron_str_in(&text, &origin, Some(folder)) {
            Ok(exp) => return Ok((exp, FileKind::Experiment)),
            Err(e) => e,
        };
        let as_description =
            match NetworkDescription::from_ron_str_in(&text, &origin, &Registry::default(), Some(folder)) {
                Ok(d) => return Ok((Self::of_description(d), FileKind::Description)),
                Err(e) => e,
            };
        match first_top_level_field(&text).as_deref() {
            Some("model" | "run" | "record") => Err(as_experiment),
            Some(_) => Err(as_description),
            None => Err(as_experiment),
        }
    }

    /// For a description model, check it in `text` so that an error names the line where the
    /// failing field is written (the description's own errors, placed inside the experiment);
    /// `folder`: the folder of the file `text` was read from.
    fn check_description_in(&self, text: &str, origin: &str, folder: Option<&Path>) -> Result<(), ConfigError> {
        let ModelConfig::Network(_) = &self.model else { return Ok(()) };
        let Some((inner, at)) = description_text(text) else { return Ok(()) };
        let Err(e) = NetworkDescription::from_ron_str_in(inner, origin, &Registry::default(), folder) else {
            return Ok(());
        };
        let (line0, col0) = line_and_column(text, at);
        let shift = |line: usize| line0 + line - 1;
        Err(match e {
            ConfigError::Invalid { path, line, source } => {
                ConfigError::Invalid { path, line: line.map(shift), source: source.within("model.Network") }
            }
            ConfigError::Syntax { path, line, column, field, message } => ConfigError::Syntax {
                path,
                line: shift(line),
                column: if line == 1 { col0 + column - 1 } else { column },
                field: Some(field.map_or_else(|| "model.Network".into(), |f| format!("model.Network.{f}"))),
                message,
            },
            other => other,
        })
    }
}

/// The text of the description in an experiment's `model: Network(populations: ...)` (from
/// its opening parenthesis, read as the description's own), and its byte offset.
fn description_text(text: &str) -> Option<(&str, usize)> {
    #[derive(Deserialize)]
    struct Shadow<'a> {
        #[serde(borrow)]
        model: &'a ron::value::RawValue,
    }
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let shadow: Shadow<'_> = ron_options().from_str(body).ok()?;
    let raw = shadow.model.get_ron();
    let start = (raw.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    let open = raw.find('(')?;
    Some((raw[open..].trim_end(), start + open))
}

/// 1-based line and column of byte offset `at`.
fn line_and_column(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at.min(text.len())];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (before.matches('\n').count() + 1, before[line_start..].chars().count() + 1)
}

/// The name of the first field of the top-level struct of a RON text (comments skipped).
fn first_top_level_field(text: &str) -> Option<String> {
    let mut rest = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut seen_open = false;
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("//") {
            rest = r.split_once('\n').map_or("", |(_, after)| after);
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.split_once("*/").map_or("", |(_, after)| after);
        } else if !seen_open && rest.starts_with('(') {
            seen_open = true;
            rest = &rest[1..];
        } else if !seen_open && rest.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
            // a struct name before the parenthesis
            let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
            rest = &rest[end..];
        } else if seen_open {
            let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
            return (end > 0).then(|| rest[..end].to_string());
        } else {
            return None;
        }
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
        if let Some(dt_ms) = self.model.own_dt_ms() {
            if dt_ms != r.dt_ms {
                return Err(ParamError::new(
                    format!("{}.dt_ms", self.model.field()),
                    dt_ms,
                    format!("run.dt_ms = {} ms: the model is built and run with the run's step", r.dt_ms),
                ));
            }
        }
        if let Ok(Some(d)) = self.model.description() {
            let named = !matches!(self.model, ModelConfig::Network(_));
            for (k, ph) in d.phases.iter().enumerate() {
                let steps = ph.duration_ms / r.dt_ms;
                if steps.round() < 1.0 || (steps - steps.round()).abs() > 1e-6 * steps.round().max(1.0) {
                    let field = if named {
                        format!("{} (as a description).phases[{k}] `{}`.duration_ms", self.model.field(), ph.name)
                    } else {
                        format!("model.Network.phases[{k}].duration_ms")
                    };
                    return Err(ParamError::new(
                        field,
                        ph.duration_ms,
                        format!("a whole number of steps of run.dt_ms = {} ms (at least one)", r.dt_ms),
                    ));
                }
            }
        }
        let delay_ms = self.model.delay_ms();
        if matches!(self.model, ModelConfig::Coba(_) | ModelConfig::Cuba(_)) && delay_ms > r.duration_s * 1000.0 {
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
