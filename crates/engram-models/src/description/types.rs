//! The serde types of a network description: populations, spike sources, stimuli,
//! projections, monitors and protocol phases, each part naming a registered kind.

use std::path::PathBuf;

use engram_connectivity::{DelayDistribution, OutDegreeBalancing};
use serde::{Deserialize, Serialize};

use super::params::RawParams;

/// A registered kind and its parameters: `(kind: "AdEx", params: (a_ns: 4.0, b_pa: 80.5))`.
///
/// `kind` is looked up in the [`Registry`](super::Registry) (neuron models, spike sources,
/// stimuli, connectivity rules or plasticity rules, depending on where the component is
/// written); `params` is that kind's own parameter struct in RON, checked against it (unknown
/// fields and out-of-range values are errors). Left out, `params` is `()`: every default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// Registered name of the kind (`AdEx`, `PoissonGroup`, `FixedProbability`, `PairStdp`).
    pub kind: String,
    /// The kind's parameters (default `()`, all defaults).
    #[serde(default)]
    pub params: RawParams,
}

impl Component {
    /// A component of `kind` with parameters `params` (any serialisable parameter struct).
    ///
    /// ```
    /// use engram_models::description::Component;
    /// use engram_neurons::AdExParams;
    /// let adex = Component::new("AdEx", &AdExParams { b_pa: 0.0, ..AdExParams::default() });
    /// assert!(adex.params.as_str().contains("b_pa:0.0"));
    /// ```
    pub fn new<P: Serialize>(kind: &str, params: &P) -> Self {
        Self { kind: kind.into(), params: RawParams::from_value(params) }
    }

    /// A component of `kind` with every parameter at its default (`params: ()`).
    pub fn with_defaults(kind: &str) -> Self {
        Self { kind: kind.into(), params: RawParams::default() }
    }
}

/// How a number is drawn, per neuron (initial state) or per synapse (weights).
///
/// In RON: `Constant(value: 6.0)`, `Uniform(low: -60, high: -50)`,
/// `Normal(mean: 4.0, sd: 1.5, times: 10.0)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Distribution {
    /// Always `value` (draws nothing).
    Constant {
        /// The value.
        value: f64,
    },
    /// `low + u · (high − low)`, `u` uniform on [0, 1) (one draw each).
    Uniform {
        /// Lower end.
        low: f64,
        /// Upper end (≥ `low`).
        high: f64,
    },
    /// `(mean + sd · z) · times + plus`, `z` standard normal (one draw each). `times` and
    /// `plus` let a value given in units of another quantity be written as its paper writes
    /// it: g_e ~ (4 ± 1.5)·g_L is `Normal(mean: 4, sd: 1.5, times: 10)` for g_L = 10 nS.
    Normal {
        /// Mean before scaling.
        mean: f64,
        /// Standard deviation before scaling (≥ 0).
        sd: f64,
        /// Factor applied after the draw (default 1).
        #[serde(default = "one")]
        times: f64,
        /// Added last (default 0).
        #[serde(default)]
        plus: f64,
    },
}

fn one() -> f64 {
    1.0
}

impl Distribution {
    /// The smallest and largest value it can give (`±∞` for a normal distribution with
    /// `sd > 0`).
    pub fn range(&self) -> (f64, f64) {
        match *self {
            Distribution::Constant { value } => (value, value),
            Distribution::Uniform { low, high } => (low, high),
            Distribution::Normal { mean, sd, times, plus } => {
                if sd == 0.0 {
                    let v = mean * times + plus;
                    (v, v)
                } else {
                    (f64::NEG_INFINITY, f64::INFINITY)
                }
            }
        }
    }
}

/// The initial value of one state variable of a population.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InitialValue {
    /// The state variable (`v_mv`, `g_exc_ns`, `w_pa`, ...).
    pub variable: String,
    /// How it is drawn, neuron by neuron.
    pub value: Distribution,
}

/// What a population is for the run's summary: its excitatory and inhibitory rates
/// (`rate_exc_hz`, `rate_inh_hz` of `summary.json`) average over the populations of each role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// Counted in `rate_exc_hz`.
    Excitatory,
    /// Counted in `rate_inh_hz`.
    Inhibitory,
}

/// A population of neurons.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationDescription {
    /// Name, unique among populations and sources (`E`, `I`).
    pub name: String,
    /// Number of neurons (≥ 1).
    pub size: usize,
    /// The neuron model: a registered neuron kind and its parameters.
    pub neuron: Component,
    /// Initial state, in order: each entry draws all neurons' values of one variable from the
    /// population's stream before the next entry. Variables not listed keep the model's own
    /// initial state. Default none.
    #[serde(default)]
    pub initial: Vec<InitialValue>,
    /// Name of the random stream of the initial state (default `init:<name>`).
    #[serde(default)]
    pub stream: Option<String>,
    /// `Excitatory` or `Inhibitory`, for the summary's E and I rates (default none: the
    /// population is in neither, its own counts and rate are still reported). Changes nothing
    /// in the network.
    #[serde(default)]
    pub role: Option<Role>,
}

/// A group of spike sources: a population that only emits spikes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceDescription {
    /// Name, unique among populations and sources.
    pub name: String,
    /// A registered source kind (`PoissonGroup`) and its parameters; its size is its own
    /// (`n_sources` for a Poisson group).
    pub source: Component,
    /// Name of its random stream (default `source:<name>`).
    #[serde(default)]
    pub stream: Option<String>,
}

/// A stimulus acting directly on a population's inputs (Poisson input, currents).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StimulusDescription {
    /// Name, unique among stimuli (default `stimulus<k>`, `k` its index); phases name it.
    #[serde(default)]
    pub name: Option<String>,
    /// The population it acts on.
    pub target: String,
    /// A registered stimulus kind (`PoissonInput`, `CurrentInjection`, `ConstantCurrent`)
    /// and its parameters.
    pub stimulus: Component,
    /// Name of its random stream (default `stimulus:<name>`).
    #[serde(default)]
    pub stream: Option<String>,
}

fn yes() -> bool {
    true
}

/// A plasticity rule on a projection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlasticityDescription {
    /// A registered rule (`PairStdp`, `InhibitoryStdp`, ...) and its parameters.
    pub rule: Component,
    /// The rule sees presynaptic spikes this much after emission, ms (default 0: timing at
    /// the somata).
    #[serde(default)]
    pub axonal_delay_ms: f64,
    /// The rule sees postsynaptic spikes this much after emission, ms (default 0).
    #[serde(default)]
    pub dendritic_delay_ms: f64,
    /// Weights change only while the phase's modulator is above this value, while the rule
    /// still sees every spike (its traces and rate estimates run: Auryn's priming with
    /// `stdp_active` off; `engram_plasticity::ModulatorSwitch`). Default none: always. Unlike
    /// a phase's `learning`, which hides the spikes from the rule. For rules whose state is
    /// per neuron (STDP traces, rate estimates).
    #[serde(default)]
    pub gate_threshold: Option<f64>,
}

/// A projection from a population or source group onto a receptor of a population.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectionDescription {
    /// Name, unique among projections (default `pre->post`, or `pre->post:receptor` when that
    /// is taken); monitors and phases name it.
    #[serde(default)]
    pub name: Option<String>,
    /// Presynaptic population or source group.
    pub pre: String,
    /// Postsynaptic population.
    pub post: String,
    /// Receptor of the postsynaptic model the spikes arrive on (`exc`, `inh`).
    pub receptor: String,
    /// A registered connectivity kind and its parameters: a rule that draws the pattern
    /// (`FixedProbability`, `FixedInDegree`, ...), or a kind that makes the whole weight
    /// matrix (`DpPathway`).
    pub connectivity: Component,
    /// Allow `i → i` when `pre` and `post` are the same population (default `true`; rules
    /// that draw a pattern only).
    #[serde(default = "yes")]
    pub autapses: bool,
    /// Allow a pair to be drawn twice (multiplicity > 1) by fixed-degree rules (default
    /// `false`; rules that draw a pattern only). Multiplicity is folded into the weight.
    #[serde(default)]
    pub multapses: bool,
    /// Out-degree balancing of the drawn pattern (default none; rules that draw a pattern
    /// only), the Dp model's method: `balance: (trigger_fraction: 0.05, target_fraction: 0.03)`
    /// moves connections from presynaptic neurons whose out-degree is at least 5 %
    /// off the mean to others until they are within 3 %, keeping every in-degree. Across
    /// ranks the ranks balance together, none holding the whole pattern.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<OutDegreeBalancing>,
    /// Weight of each synapse, in the receptor's unit (nS for conductances, pA for currents),
    /// drawn per stored synapse in row order and multiplied by its multiplicity. Required for
    /// a rule that draws a pattern; left out for a kind that makes its own matrix.
    #[serde(default)]
    pub weight: Option<Distribution>,
    /// Transmission delay (default one step): `Constant(ms: 1.5)` or
    /// `Uniform(min_ms: 0.5, max_ms: 3.0)` (per synapse).
    #[serde(default)]
    pub delay: DelayDistribution,
    /// Plasticity rule (default none).
    #[serde(default)]
    pub plasticity: Option<PlasticityDescription>,
    /// Name of the random stream of its connections, weights and delays (default
    /// `projection:<name>`).
    #[serde(default)]
    pub stream: Option<String>,
}

/// What to record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum MonitorDescription {
    /// Every spike of these populations or source groups.
    Spikes {
        /// Populations or source groups.
        populations: Vec<String>,
    },
    /// Population rates in bins.
    Rates {
        /// Populations or source groups.
        populations: Vec<String>,
        /// Bin, ms.
        bin_ms: f64,
    },
    /// A state variable of some neurons.
    State {
        /// Population.
        population: String,
        /// State variable of its model (`v_mv`, `g_exc_ns`, ...).
        variable: String,
        /// Neuron indices.
        neurons: Vec<u32>,
        /// Sampling interval, ms (at least one step).
        every_ms: f64,
    },
    /// The weights of a projection.
    Weights {
        /// Projection name.
        projection: String,
        /// Sampling interval, ms (at least one step).
        every_ms: f64,
    },
    /// A monitor kind registered with
    /// [`Registry::register_monitor`](super::Registry::register_monitor), and its parameters:
    /// `Custom(kind: "SpikeCount", params: (population: "E"))`.
    Custom {
        /// Registered name of the monitor kind.
        kind: String,
        /// The kind's parameters (default `()`, all defaults).
        #[serde(default)]
        params: RawParams,
    },
}

/// One phase of the protocol. Phases follow each other; in a phase, only the listed stimuli
/// and source groups are on and only the listed projections' rules learn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseDescription {
    /// Name (for messages and summaries).
    pub name: String,
    /// Start, ms. Default: where the previous phase ends (0 for the first). If written, it
    /// must be exactly there: phases may neither overlap nor leave gaps.
    #[serde(default)]
    pub start_ms: Option<f64>,
    /// Duration, ms (a whole number of steps, at least one).
    pub duration_ms: f64,
    /// Stimuli (by name) and source groups that are on; `None` (the default): all. A source
    /// group that is off emits nothing; a stimulus that is off adds nothing.
    #[serde(default)]
    pub stimuli_on: Option<Vec<String>>,
    /// Projections (by name) whose rules learn; `None` (the default): all. A rule that does
    /// not learn sees no spikes in the phase: its weights stay, its traces decay.
    #[serde(default)]
    pub learning: Option<Vec<String>>,
    /// Value of the neuromodulatory signal in the phase (default 0; gated rules learn only
    /// while it is above their threshold).
    #[serde(default)]
    pub modulator: f64,
    /// Save the network's checkpoint when the phase ends (default `false`): the runner writes
    /// it into the run directory as `checkpoints/<name>/` (see
    /// [`engram_sim::checkpoint`]); restore it into the same description built again and
    /// [`BuiltNetwork::run_protocol`](super::BuiltNetwork::run_protocol) runs the phases that
    /// remain.
    #[serde(default)]
    pub checkpoint: bool,
    /// Changes of weights made once, before the phase's first step, in order (default none).
    #[serde(default)]
    pub weight_changes: Vec<WeightChange>,
}

/// Neurons `start..end` of a population (`start` included, `end` not).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeuronRange {
    /// First neuron.
    pub start: u32,
    /// One past the last neuron (≥ `start`).
    pub end: u32,
}

impl NeuronRange {
    /// Whether neuron `i` is in the range.
    pub fn contains(&self, i: usize) -> bool {
        (self.start as usize..self.end as usize).contains(&i)
    }
}

/// A change of a projection's weights at the start of a phase, between two steps: spikes
/// already on their way keep the weight they left with. The experimenter's hand in a protocol:
/// Vogels et al. (2011) silence inhibition onto E when iSTDP starts, then imprint two memory
/// patterns by strengthening E→E within each of them:
///
/// ```text
/// weight_changes: [Set(projection: "I->E", value: 0.0)]
/// weight_changes: [ScaleWithin(projection: "E->E", factor: 5.0,
///                              groups: [(start: 0, end: 784), (start: 720, end: 1504)])]
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum WeightChange {
    /// Every weight of `projection` becomes `value` (in the receptor's unit).
    Set {
        /// Projection name.
        projection: String,
        /// The new weight.
        value: f64,
    },
    /// The weight of each synapse `i → j` of `projection` whose pre- and postsynaptic
    /// neurons lie in one of `groups` (both in the same group) is multiplied by `factor`,
    /// once, however many groups hold both.
    ScaleWithin {
        /// Projection name.
        projection: String,
        /// Groups of neurons (index ranges, in the presynaptic and postsynaptic population).
        groups: Vec<NeuronRange>,
        /// Factor (finite, ≥ 0).
        factor: f64,
    },
}

impl WeightChange {
    /// The projection it changes.
    pub fn projection(&self) -> &str {
        match self {
            WeightChange::Set { projection, .. } | WeightChange::ScaleWithin { projection, .. } => projection,
        }
    }
}

/// A whole network: what to build, what to record and how to run it.
///
/// Every list defaults to empty; a description needs at least one population.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkDescription {
    /// Neuron populations, in order.
    #[serde(default)]
    pub populations: Vec<PopulationDescription>,
    /// Spike source groups.
    #[serde(default)]
    pub sources: Vec<SourceDescription>,
    /// Stimuli, in the order they are applied.
    #[serde(default)]
    pub stimuli: Vec<StimulusDescription>,
    /// Projections, in the order they deliver.
    #[serde(default)]
    pub projections: Vec<ProjectionDescription>,
    /// Monitors.
    #[serde(default)]
    pub monitors: Vec<MonitorDescription>,
    /// Protocol phases (default none: everything on, run for as long as the caller asks).
    #[serde(default)]
    pub phases: Vec<PhaseDescription>,
    /// The folder that relative paths in the components' parameters (a `SpikeTrainsFile`'s
    /// `path`) are resolved against. Default: the folder of the file the description is read
    /// from ([`from_file`](NetworkDescription::from_file) and the experiment readers write it
    /// in, as an absolute path, so that a run's `config.ron` finds the same files); for a
    /// description read from a string or built in Rust, the current directory. A relative
    /// `base_dir` written in a file is relative to that file's folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_dir: Option<PathBuf>,
}
