//! The [`Registry`] of kinds a description may name: neuron models, spike sources, stimuli,
//! connectivity rules, plasticity rules and monitors. The library's own are registered by
//! [`Registry::default`]; a user's crate adds its own with one call each.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use engram_connectivity::{ConnectSpec, OmittedEntries, Rule, WeightMatrix};
use engram_core::collective::AllGather;
use engram_core::error::{EngramError, ParamError};
use engram_core::monitor::Monitor;
use engram_core::neuron::{NeuronModel, Receptor, SpikeSource};
use engram_core::params::{Checked, Params, finite};
use engram_core::plasticity::PlasticityRule;
use engram_core::stimulus::Stimulus;
use engram_core::time::Clock;
use engram_neurons::{AdEx, AdExParams, Izhikevich, IzhikevichParams, LifCond, LifCondParams, LifCurrent};
use engram_neurons::{LifCurrentParams, LifNmda, LifNmdaParams};
use engram_plasticity::{InhibitoryStdp, InhibitoryStdpParams, PairStdp, PairStdpParams};
use engram_plasticity::{TripletStdp, TripletStdpParams};
use engram_sim::stimulus::ConstantCurrent;
use engram_stimuli::{CurrentInjection, CurrentInjectionParams, PoissonGroup, PoissonGroupParams};
use engram_stimuli::{PoissonInput, PoissonInputParams};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::params::RawParams;
use super::spike_file::spike_trains_from_file;

/// Why a component could not be made: its parameters do not parse, are out of range, or the
/// kind refused them for this place in the network.
#[derive(Debug)]
pub enum ComponentError {
    /// The parameter text does not parse into the kind's parameter struct (line and column
    /// within the parameters).
    Parse(engram_core::error::ConfigError),
    /// A parameter (field relative to the parameters) is out of range.
    Param(ParamError),
    /// Anything else the engine reports.
    Engine(EngramError),
}

impl From<ParamError> for ComponentError {
    fn from(e: ParamError) -> Self {
        Self::Param(e)
    }
}

impl From<EngramError> for ComponentError {
    fn from(e: EngramError) -> Self {
        match e {
            EngramError::Param(p) => Self::Param(p),
            other => Self::Engine(other),
        }
    }
}

fn checked<P: Params + DeserializeOwned>(params: &RawParams) -> Result<Checked<P>, ComponentError> {
    let p: P = params.parse("<params>").map_err(ComponentError::Parse)?;
    Ok(p.check()?)
}

/// What a spike source is built with.
#[derive(Clone, Debug)]
pub struct SourceContext {
    /// Experiment seed.
    pub seed: u64,
    /// The source's stream id (from its `stream` name).
    pub stream_id: u64,
    /// The network's clock (a stand-in step of 0.1 ms while `checking`).
    pub clock: Clock,
    /// `true` while a description is being checked: the source is made only to learn its
    /// size and to refuse bad parameters, and must not refuse anything that depends on the
    /// step (`clock` is a stand-in then).
    pub checking: bool,
    /// The folder relative paths in the parameters are resolved against (see
    /// [`resolve`](Self::resolve)); empty: the current directory.
    pub base_dir: PathBuf,
}

impl SourceContext {
    /// `path` resolved against [`base_dir`](Self::base_dir) (an absolute path as it is).
    pub fn resolve(&self, path: &Path) -> PathBuf {
        self.base_dir.join(path)
    }
}

/// What a stimulus is built with.
#[derive(Clone, Debug)]
pub struct StimulusContext {
    /// Size of the target population.
    pub n_neurons: usize,
    /// Experiment seed.
    pub seed: u64,
    /// The stimulus' stream id (from its `stream` name).
    pub stream_id: u64,
    /// The network's clock (a stand-in step of 0.1 ms while `checking`).
    pub clock: Clock,
    /// `true` while a description is being checked (see [`SourceContext::checking`]).
    pub checking: bool,
    /// The folder relative paths in the parameters are resolved against (see
    /// [`resolve`](Self::resolve)); empty: the current directory.
    pub base_dir: PathBuf,
}

impl StimulusContext {
    /// `path` resolved against [`base_dir`](Self::base_dir) (an absolute path as it is).
    pub fn resolve(&self, path: &Path) -> PathBuf {
        self.base_dir.join(path)
    }
}

/// What a monitor is built with: the network's parts by name, and where a run writes.
#[derive(Clone, Debug)]
pub struct MonitorContext {
    /// The network's clock (a stand-in step of 0.1 ms while `checking`).
    pub clock: Clock,
    /// `true` while a description is being checked (see [`SourceContext::checking`]).
    pub checking: bool,
    /// The neuron populations, then the source groups, in the order of the description,
    /// with their sizes.
    pub populations: Vec<(String, usize)>,
    /// The projections' names, in the order of the description.
    pub projections: Vec<String>,
    /// The run directory when the runner runs the description (`cargo xtask run`): write the
    /// monitor's files there, in [`Monitor::finish`] at the latest. `None` when the network is
    /// built from Rust (read the monitor back with `Network::monitor`).
    pub out_dir: Option<PathBuf>,
}

impl MonitorContext {
    /// The size of population or source group `name`, or an error for parameter `field`
    /// listing the names there are.
    pub fn population(&self, field: &str, name: &str) -> Result<usize, ParamError> {
        match self.populations.iter().find(|(n, _)| n == name) {
            Some(&(_, size)) => Ok(size),
            None => {
                let names: Vec<&str> = self.populations.iter().map(|(n, _)| n.as_str()).collect();
                Err(ParamError::new(
                    field,
                    format!("{name:?}"),
                    format!("one of the populations and source groups: {}", names.join(", ")),
                ))
            }
        }
    }

    /// An interval in ms as a whole number of steps (at least one), or an error for
    /// parameter `field` unless it is finite and positive.
    pub fn every_steps(&self, field: &str, ms: f64) -> Result<u64, ParamError> {
        engram_core::params::positive(field, ms)?;
        Ok(((ms / self.clock.dt_ms()).round() as u64).max(1))
    }
}

/// What a connectivity rule is built with.
#[derive(Clone, Copy, Debug)]
pub struct ConnectContext {
    /// Presynaptic neurons.
    pub n_pre: usize,
    /// Postsynaptic neurons.
    pub n_post: usize,
    /// Whether pre and post are the same population.
    pub same_population: bool,
    /// The projection's `autapses`.
    pub autapses: bool,
    /// The projection's `multapses`.
    pub multapses: bool,
    /// Experiment seed (0 while a description is checked: nothing is drawn for the network then).
    pub seed: u64,
    /// The projection's stream id (from its `stream` name; 0 while checking). A rule that draws
    /// its pairs itself draws from `stream(seed, stream_id, 0)`, the chunk of the generators'
    /// first rows.
    pub stream_id: u64,
}

/// What a connectivity kind that makes its own weight matrix is built with
/// ([`Registry::register_connectivity_matrix`]).
#[derive(Clone, Debug)]
pub struct MatrixContext {
    /// Presynaptic neurons (the matrix must have this many rows).
    pub n_pre: usize,
    /// Postsynaptic neurons (the matrix must have this many columns).
    pub n_post: usize,
    /// Whether pre and post are the same population.
    pub same_population: bool,
    /// Experiment seed.
    pub seed: u64,
    /// The projection's stream id (from its `stream` name), for kinds that draw.
    pub stream_id: u64,
    /// On a rank of a network split across ranks, the postsynaptic neurons whose incoming
    /// synapses the rank keeps (`None`: the whole network). A kind may make only the
    /// synapses onto them ([`MatrixPart::onto`]) or the whole matrix (cut at build).
    pub targets: Option<Range<usize>>,
}

/// What a connectivity kind that makes its own weight matrix gives: the whole matrix, or,
/// given [`MatrixContext::targets`], only the synapses onto those neurons and what each row
/// of the whole matrix left out, so that per-synapse draws (delays) and the plasticity rule's
/// synapse count are those of the whole projection.
///
/// ```
/// use engram_connectivity::{ConnectSpec, Rule};
/// use engram_models::description::MatrixPart;
/// let pattern = ConnectSpec::new(Rule::FixedInDegree { k: 3 }).connect(10, 8, 1, 1).unwrap();
/// let whole = MatrixPart::from(pattern.weights(0.5));
/// assert!(whole.omitted.is_none());
/// let (part, omitted) = pattern.restrict_targets(0..4).unwrap();
/// let part = MatrixPart::onto(part.weights(0.5), omitted);
/// assert_eq!(part.weights.nnz() + part.omitted.unwrap().n_omitted(), 24);
/// ```
#[derive(Clone, Debug)]
pub struct MatrixPart {
    /// The weights (`n_pre × n_post`; only the targets' columns for a part).
    pub weights: WeightMatrix,
    /// What each row left out (`None`: the whole matrix).
    pub omitted: Option<OmittedEntries>,
}

impl MatrixPart {
    /// The synapses onto some targets and what each row of the whole matrix left out
    /// ([`Connectivity::restrict_targets`](engram_connectivity::Connectivity::restrict_targets),
    /// [`ConnectSpec::connect_onto`]).
    pub fn onto(weights: WeightMatrix, omitted: OmittedEntries) -> Self {
        Self { weights, omitted: Some(omitted) }
    }
}

impl From<WeightMatrix> for MatrixPart {
    /// The whole matrix.
    fn from(weights: WeightMatrix) -> Self {
        Self { weights, omitted: None }
    }
}

/// What a plasticity rule is built with.
#[derive(Clone, Debug)]
pub struct RuleContext {
    /// Presynaptic neurons.
    pub n_pre: usize,
    /// Postsynaptic neurons.
    pub n_post: usize,
    /// Stored synapses: `None` while a description is being checked (nothing is drawn yet),
    /// the count when the network is built.
    pub n_synapses: Option<usize>,
    /// The receptor the projection arrives on.
    pub receptor: Receptor,
    /// The smallest and largest weight the projection can have (of its weight distribution,
    /// before multiplicity; or of the matrix a connectivity kind gave). `None` while a
    /// description is checked and the weights come from a connectivity kind that makes its own
    /// matrix (nothing is drawn yet).
    pub weight_range: Option<(f64, f64)>,
}

impl RuleContext {
    /// An error unless every weight the projection can have lies in `[w_min, w_max]` (a rule
    /// that clips to those bounds would otherwise move every weight at its first update).
    /// Passes while the weights are not known yet (`weight_range` is `None`).
    pub fn require_weights_within(&self, w_min: f64, w_max: f64) -> Result<(), ParamError> {
        let Some((lo, hi)) = self.weight_range else { return Ok(()) };
        if lo < w_min {
            return Err(ParamError::new(
                "w_min",
                w_min,
                format!("at most the projection's smallest weight ({lo}): the rule clips weights to [w_min, w_max]"),
            ));
        }
        if hi > w_max {
            return Err(ParamError::new(
                "w_max",
                w_max,
                format!("at least the projection's largest weight ({hi}): the rule clips weights to [w_min, w_max]"),
            ));
        }
        Ok(())
    }
}

type NeuronFactory = Arc<dyn Fn(&RawParams, usize) -> Result<Box<dyn NeuronModel>, ComponentError> + Send + Sync>;
type SourceFactory =
    Arc<dyn Fn(&RawParams, &SourceContext) -> Result<Box<dyn SpikeSource>, ComponentError> + Send + Sync>;
type StimulusFactory =
    Arc<dyn Fn(&RawParams, &StimulusContext) -> Result<Box<dyn Stimulus>, ComponentError> + Send + Sync>;
type ConnectFactory = Arc<dyn Fn(&RawParams, &ConnectContext) -> Result<ConnectSpec, ComponentError> + Send + Sync>;
type MatrixCheck = Arc<dyn Fn(&RawParams) -> Result<(), ComponentError> + Send + Sync>;
type MatrixFactory = Arc<
    dyn Fn(&RawParams, &MatrixContext, Option<&mut dyn AllGather>) -> Result<MatrixPart, ComponentError> + Send + Sync,
>;
type RuleFactory =
    Arc<dyn Fn(&RawParams, &RuleContext) -> Result<Box<dyn PlasticityRule>, ComponentError> + Send + Sync>;
type MonitorFactory =
    Arc<dyn Fn(&RawParams, &MonitorContext) -> Result<Box<dyn Monitor>, ComponentError> + Send + Sync>;

/// The kinds a description may name, by family.
///
/// [`Registry::default`] holds the library's kinds (see [`Registry::library`]); register your
/// own with one call each. A kind is a name, a parameter struct (serde, `deny_unknown_fields`,
/// [`Params`]) and a function that makes the component from the checked parameters:
///
/// ```
/// use engram_core::params::{Checked, Params};
/// use engram_models::description::{NetworkDescription, Registry};
/// use engram_neurons::{LifCurrent, LifCurrentParams};
///
/// let mut registry = Registry::default();
/// // a LifCurrent with another name and its own defaults, as a user's crate would register its model
/// registry.register_neuron("Fast", |n, p: Checked<LifCurrentParams>| Ok(LifCurrent::new(n, p)));
/// let text = r#"(populations: [(name: "A", size: 3, neuron: (kind: "Fast", params: (tau_m_ms: 5)))])"#;
/// let description = NetworkDescription::from_ron_str_with(text, "fast.ron", &registry).unwrap();
/// let net = description.build_with(&registry, 0.1, 1).unwrap().network;
/// assert_eq!(net.stats()[0].n, 3);
/// ```
#[derive(Clone)]
pub struct Registry {
    neurons: BTreeMap<String, NeuronFactory>,
    sources: BTreeMap<String, SourceFactory>,
    stimuli: BTreeMap<String, StimulusFactory>,
    connectivity: BTreeMap<String, ConnectFactory>,
    matrices: BTreeMap<String, (MatrixCheck, MatrixFactory)>,
    rules: BTreeMap<String, RuleFactory>,
    monitors: BTreeMap<String, MonitorFactory>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("neurons", &self.neurons.keys().collect::<Vec<_>>())
            .field("sources", &self.sources.keys().collect::<Vec<_>>())
            .field("stimuli", &self.stimuli.keys().collect::<Vec<_>>())
            .field("connectivity", &self.connectivity_kinds())
            .field("rules", &self.rules.keys().collect::<Vec<_>>())
            .field("monitors", &self.monitors.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Default for Registry {
    /// The library's kinds: [`Registry::library`].
    fn default() -> Self {
        Self::library()
    }
}

/// Parameters of the `ConstantCurrent` stimulus: the same current into every neuron.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConstantCurrentParams {
    /// Current, pA (any sign). Default 0.
    pub amplitude_pa: f64,
}

impl Default for ConstantCurrentParams {
    fn default() -> Self {
        Self { amplitude_pa: 0.0 }
    }
}

impl Params for ConstantCurrentParams {
    fn validate(&self) -> Result<(), ParamError> {
        finite("amplitude_pa", self.amplitude_pa)
    }
}

/// Parameters of the `FixedProbability` connectivity rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixedProbabilityParams {
    /// Connection probability of each pair, in [0, 1].
    pub p: f64,
}

impl Params for FixedProbabilityParams {
    fn validate(&self) -> Result<(), ParamError> {
        engram_core::params::probability("p", self.p)
    }
}

/// Parameters of the `FixedInDegree` and `FixedOutDegree` connectivity rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixedDegreeParams {
    /// Inputs per postsynaptic neuron (in-degree) or outputs per presynaptic neuron.
    pub k: u32,
}

impl Params for FixedDegreeParams {
    fn validate(&self) -> Result<(), ParamError> {
        Ok(())
    }
}

/// Parameters of the `WithinGroups` connectivity rule: consecutive groups of `group_size`
/// neurons (neuron `i` in group `i / group_size`, in both populations), each pair within a
/// group connected with probability `p`, none between groups. Two assemblies of 100 neurons
/// with 20 % recurrent connections, as in the selection model's E→E
/// (`crate::selection`), are `(p: 0.2, group_size: 100)` on a population of 200.
///
/// Randomness: one uniform draw per candidate pair (`u < p` connects), rows in order and each
/// row's group in order, from the projection's stream, chunk 0 (`stream(seed, id, 0)`),
/// sequentially: the same pattern for any number of threads; `i → i` within one population
/// with `autapses: false` is no candidate (no draw). It is
/// [`Rule::WithinGroups`](engram_connectivity::Rule::WithinGroups), so a rank of a network
/// split across ranks keeps only the pairs onto its own neurons while drawing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithinGroupsParams {
    /// Connection probability of each pair within a group, in [0, 1].
    pub p: f64,
    /// Neurons per group (≥ 1); the last group may be smaller.
    pub group_size: usize,
}

impl Params for WithinGroupsParams {
    fn validate(&self) -> Result<(), ParamError> {
        engram_core::params::probability("p", self.p)?;
        if self.group_size == 0 {
            return Err(ParamError::new("group_size", 0, "at least 1 neuron per group"));
        }
        Ok(())
    }
}

/// No parameters: `()` (`AllToAll`, `OneToOne`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

impl Params for NoParams {
    fn validate(&self) -> Result<(), ParamError> {
        Ok(())
    }
}

impl Registry {
    /// A registry with no kinds at all.
    pub fn empty() -> Self {
        Self {
            neurons: BTreeMap::new(),
            sources: BTreeMap::new(),
            stimuli: BTreeMap::new(),
            connectivity: BTreeMap::new(),
            matrices: BTreeMap::new(),
            rules: BTreeMap::new(),
            monitors: BTreeMap::new(),
        }
    }

    /// The library's kinds.
    ///
    /// - neurons: `LifCond` ([`LifCondParams`], COBA's neuron), `LifCurrent`
    ///   ([`LifCurrentParams`], CUBA's), `AdEx`, `Izhikevich`, `LifNmda`;
    /// - sources: `PoissonGroup` ([`PoissonGroupParams`]), `SpikeTrainsFile`
    ///   ([`SpikeTrainsFileParams`](super::SpikeTrainsFileParams): spikes replayed from a `.npy` file, as engram's spike
    ///   monitor writes them), `MatSpikeMatrix`
    ///   ([`MatSpikeMatrixParams`](super::MatSpikeMatrixParams): spikes replayed from a 0/1
    ///   matrix of a MATLAB file, as the Dp authors' odor files);
    /// - stimuli: `PoissonInput` ([`PoissonInputParams`]), `CurrentInjection`
    ///   ([`CurrentInjectionParams`]), `ConstantCurrent` ([`ConstantCurrentParams`]);
    /// - connectivity: `FixedProbability` (`(p: 0.02)`), `FixedInDegree` and
    ///   `FixedOutDegree` (`(k: 80)`), `AllToAll`, `OneToOne` (`()`), `WithinGroups`
    ///   ([`WithinGroupsParams`], `(p: 0.2, group_size: 100)`: assemblies connected within);
    ///   `DpPathway` ([`DpPathwayParams`](crate::dp::described::DpPathwayParams): one pathway
    ///   of a Dp network with its assemblies, a whole weight matrix);
    /// - the Dp model's bulb: the source `OdorBulb`
    ///   ([`OdorBulbParams`](crate::dp::described::OdorBulbParams));
    /// - rules: `PairStdp` ([`PairStdpParams`]), `TripletStdp`, `InhibitoryStdp`
    ///   ([`InhibitoryStdpParams`]); each refuses a projection whose weights lie outside its
    ///   bounds `[w_min, w_max]`;
    /// - monitors: none besides the built-in `Spikes`, `Rates`, `State` and `Weights`
    ///   (register your own with [`register_monitor`](Self::register_monitor)).
    pub fn library() -> Self {
        let mut r = Self::empty();
        r.register_neuron("LifCond", |n, p: Checked<LifCondParams>| Ok(LifCond::new(n, p)));
        r.register_neuron("LifCurrent", |n, p: Checked<LifCurrentParams>| Ok(LifCurrent::new(n, p)));
        r.register_neuron("AdEx", |n, p: Checked<AdExParams>| Ok(AdEx::new(n, p)));
        r.register_neuron("Izhikevich", |n, p: Checked<IzhikevichParams>| Ok(Izhikevich::new(n, p)));
        r.register_neuron("LifNmda", |n, p: Checked<LifNmdaParams>| Ok(LifNmda::new(n, p)));

        r.register_source("PoissonGroup", |p: Checked<PoissonGroupParams>, c: &SourceContext| {
            Ok(PoissonGroup::new(p, c.seed, c.stream_id, c.clock))
        });
        r.register_source("SpikeTrainsFile", spike_trains_from_file);
        r.register_source("MatSpikeMatrix", super::mat_spikes::spike_trains_from_mat);

        r.register_stimulus("PoissonInput", |p: Checked<PoissonInputParams>, c: &StimulusContext| {
            PoissonInput::new(p, c.n_neurons, c.seed, c.stream_id, c.clock)
        });
        r.register_stimulus("CurrentInjection", |p: Checked<CurrentInjectionParams>, c: &StimulusContext| {
            CurrentInjection::new(p, c.n_neurons, c.clock)
        });
        r.register_stimulus("ConstantCurrent", |p: Checked<ConstantCurrentParams>, _: &StimulusContext| {
            Ok(ConstantCurrent::new(p.amplitude_pa))
        });

        r.register_connectivity("FixedProbability", |p: Checked<FixedProbabilityParams>, _: &ConnectContext| {
            Ok(Rule::FixedProbability { p: p.p })
        });
        r.register_connectivity("FixedInDegree", |p: Checked<FixedDegreeParams>, _: &ConnectContext| {
            Ok(Rule::FixedInDegree { k: p.k })
        });
        r.register_connectivity("FixedOutDegree", |p: Checked<FixedDegreeParams>, _: &ConnectContext| {
            Ok(Rule::FixedOutDegree { k: p.k })
        });
        r.register_connectivity("AllToAll", |_: Checked<NoParams>, _: &ConnectContext| Ok(Rule::AllToAll));
        r.register_connectivity("OneToOne", |_: Checked<NoParams>, _: &ConnectContext| Ok(Rule::OneToOne));
        r.register_connectivity("WithinGroups", |p: Checked<WithinGroupsParams>, _: &ConnectContext| {
            Ok(Rule::WithinGroups { p: p.p, group_size: p.group_size })
        });

        r.register_rule("PairStdp", |p: Checked<PairStdpParams>, c: &RuleContext| {
            c.require_weights_within(p.w_min, p.w_max)?;
            Ok(PairStdp::new(p, c.n_pre, c.n_post))
        });
        r.register_rule("TripletStdp", |p: Checked<TripletStdpParams>, c: &RuleContext| {
            c.require_weights_within(p.w_min, p.w_max)?;
            Ok(TripletStdp::new(p, c.n_pre, c.n_post))
        });
        crate::dp::described::register(&mut r);

        r.register_rule("InhibitoryStdp", |p: Checked<InhibitoryStdpParams>, c: &RuleContext| {
            c.require_weights_within(p.w_min, p.w_max)?;
            Ok(InhibitoryStdp::new(p, c.n_pre, c.n_post))
        });
        r
    }

    /// Register a neuron model: `build(n, params)` makes a population of `n` neurons (any
    /// [`NeuronModel`]; for a [`PointNeuron`](engram_core::neuron::PointNeuron), return an
    /// `engram_neurons::PointPopulation`). Replaces a kind of the same name.
    pub fn register_neuron<P, N, F>(&mut self, kind: &str, build: F) -> &mut Self
    where
        P: Params + DeserializeOwned + 'static,
        N: NeuronModel + 'static,
        F: Fn(usize, Checked<P>) -> Result<N, ParamError> + Send + Sync + 'static,
    {
        let f: NeuronFactory = Arc::new(move |raw: &RawParams, n: usize| {
            let model = build(n, checked::<P>(raw)?)?;
            Ok(Box::new(model) as Box<dyn NeuronModel>)
        });
        self.neurons.insert(kind.into(), f);
        self
    }

    /// Register a spike source (its size is its own).
    pub fn register_source<P, S, F>(&mut self, kind: &str, build: F) -> &mut Self
    where
        P: Params + DeserializeOwned + 'static,
        S: SpikeSource + 'static,
        F: Fn(Checked<P>, &SourceContext) -> Result<S, ParamError> + Send + Sync + 'static,
    {
        let f: SourceFactory = Arc::new(move |raw: &RawParams, c: &SourceContext| {
            Ok(Box::new(build(checked::<P>(raw)?, c)?) as Box<dyn SpikeSource>)
        });
        self.sources.insert(kind.into(), f);
        self
    }

    /// Register a stimulus.
    pub fn register_stimulus<P, S, F>(&mut self, kind: &str, build: F) -> &mut Self
    where
        P: Params + DeserializeOwned + 'static,
        S: Stimulus + 'static,
        F: Fn(Checked<P>, &StimulusContext) -> Result<S, ParamError> + Send + Sync + 'static,
    {
        let f: StimulusFactory = Arc::new(move |raw: &RawParams, c: &StimulusContext| {
            Ok(Box::new(build(checked::<P>(raw)?, c)?) as Box<dyn Stimulus>)
        });
        self.stimuli.insert(kind.into(), f);
        self
    }

    /// Register a connectivity rule, as the [`Rule`] of engram's generators that it stands
    /// for (the projection's `autapses` and `multapses` are applied to it).
    pub fn register_connectivity<P, F>(&mut self, kind: &str, build: F) -> &mut Self
    where
        P: Params + DeserializeOwned + 'static,
        F: Fn(Checked<P>, &ConnectContext) -> Result<Rule, ParamError> + Send + Sync + 'static,
    {
        let f: ConnectFactory = Arc::new(move |raw: &RawParams, c: &ConnectContext| {
            let rule = build(checked::<P>(raw)?, c)?;
            Ok(ConnectSpec::new(rule).autapses(c.autapses).multapses(c.multapses))
        });
        self.matrices.remove(kind);
        self.connectivity.insert(kind.into(), f);
        self
    }

    /// Register a connectivity kind that makes the whole weight matrix itself (pattern and
    /// weights: a network read from a file, or one drawn with structure the generic rules
    /// cannot express, such as the Dp model's assemblies). A projection naming it leaves out
    /// `weight` (each synapse has its own) and keeps `autapses`/`multapses` at their defaults.
    /// `build` is called only when the network is built (a check parses the parameters
    /// only); the matrix must be `n_pre × n_post` (rows = presynaptic neurons). On a rank of a
    /// network split across ranks, `build` may return only the synapses onto
    /// [`MatrixContext::targets`] ([`MatrixPart::onto`]; the Dp model's `DpPathway` does) and
    /// need never hold the other ranks' synapses; a whole matrix is cut at build.
    ///
    /// ```
    /// use engram_connectivity::{ConnectSpec, Rule};
    /// use engram_core::params::Checked;
    /// use engram_models::description::{FixedDegreeParams, MatrixContext, NetworkDescription, Registry};
    ///
    /// let mut registry = Registry::default();
    /// // every presynaptic neuron k onto postsynaptic neuron k mod n_post, weight 0.1·(k + 1) nS
    /// registry.register_connectivity_matrix("Ramp", |_: Checked<FixedDegreeParams>, c: &MatrixContext| {
    ///     let pattern = ConnectSpec::new(Rule::Explicit { pairs: (0..c.n_pre as u32).map(|k| (k, k % c.n_post as u32)).collect() })
    ///         .connect(c.n_pre, c.n_post, c.seed, c.stream_id)?;
    ///     let mut w = pattern.weights(1.0);
    ///     w.data_mut().iter_mut().enumerate().for_each(|(k, x)| *x = 0.1 * (k + 1) as f64);
    ///     Ok(w)
    /// });
    /// let text = r#"(populations: [(name: "A", size: 4, neuron: (kind: "LifCond"))],
    ///     projections: [(pre: "A", post: "A", receptor: "exc", connectivity: (kind: "Ramp", params: (k: 1)))])"#;
    /// let d = NetworkDescription::from_ron_str_with(text, "ramp.ron", &registry).unwrap();
    /// let built = d.build_with(&registry, 0.1, 1).unwrap();
    /// assert_eq!(built.network.weights(built.projections[0]).data(), &[0.1, 0.2, 0.30000000000000004, 0.4]);
    /// ```
    pub fn register_connectivity_matrix<P, M, F>(&mut self, kind: &str, build: F) -> &mut Self
    where
        P: Params + DeserializeOwned + 'static,
        M: Into<MatrixPart>,
        F: Fn(Checked<P>, &MatrixContext) -> Result<M, EngramError> + Send + Sync + 'static,
    {
        self.register_connectivity_matrix_across(kind, move |p: Checked<P>, c: &MatrixContext, _| build(p, c))
    }

    /// [`register_connectivity_matrix`](Self::register_connectivity_matrix) for a kind that
    /// can make its part together with the other ranks: on a rank of a run across ranks,
    /// `build` also gets the ranks (every rank calls it at the same point, for the same
    /// projection), so that a construction that needs the others' synapses (out-degree
    /// balancing, [`ConnectSpec::connect_onto_across`](engram_connectivity::ConnectSpec::connect_onto_across);
    /// assembly rewiring, [`rewire_within_across`](engram_connectivity::rewire_within_across);
    /// input counts, [`input_counts_across`](engram_connectivity::input_counts_across))
    /// need not make the whole matrix; `None` in one process and when the network is built
    /// rank by rank without them ([`NetworkDescription::builder_on_rank`](crate::description::NetworkDescription::builder_on_rank)).
    /// The Dp model's `DpPathway` is one.
    ///
    /// ```
    /// use engram_connectivity::{ConnectSpec, OutDegreeBalancing, Rule};
    /// use engram_core::params::Checked;
    /// use engram_models::description::{FixedDegreeParams, MatrixContext, MatrixPart, NetworkDescription, Registry};
    ///
    /// let mut registry = Registry::default();
    /// // fixed in-degree with balanced out-degrees, 0.5 nS: whole in one process, the rank's
    /// // part balanced with the other ranks in a run across ranks
    /// registry.register_connectivity_matrix_across("Balanced", |p: Checked<FixedDegreeParams>, c: &MatrixContext, ranks| {
    ///     let spec = ConnectSpec::new(Rule::FixedInDegree { k: p.k }).balance(OutDegreeBalancing::default());
    ///     let (n_pre, n_post, same, seed, id) = (c.n_pre, c.n_post, c.same_population, c.seed, c.stream_id);
    ///     Ok(match (c.targets.clone(), ranks) {
    ///         (Some(own), Some(ranks)) => {
    ///             let (part, omitted) = spec.connect_onto_across(n_pre, n_post, same, seed, id, own, ranks)?;
    ///             MatrixPart::onto(part.weights(0.5), omitted)
    ///         }
    ///         (Some(own), None) => {
    ///             let (part, omitted) = spec.connect_onto(n_pre, n_post, same, seed, id, own)?;
    ///             MatrixPart::onto(part.weights(0.5), omitted)
    ///         }
    ///         (None, _) => spec.connect_populations(n_pre, n_post, same, seed, id)?.weights(0.5).into(),
    ///     })
    /// });
    /// let text = r#"(populations: [(name: "A", size: 300, neuron: (kind: "LifCond"))],
    ///     projections: [(pre: "A", post: "A", receptor: "exc", connectivity: (kind: "Balanced", params: (k: 20)))])"#;
    /// let d = NetworkDescription::from_ron_str_with(text, "balanced.ron", &registry).unwrap();
    /// let built = d.build_with(&registry, 0.1, 1).unwrap();
    /// assert_eq!(built.network.weights(built.projections[0]).data().iter().sum::<f64>(), 300.0 * 20.0 * 0.5);
    /// ```
    pub fn register_connectivity_matrix_across<P, M, F>(&mut self, kind: &str, build: F) -> &mut Self
    where
        P: Params + DeserializeOwned + 'static,
        M: Into<MatrixPart>,
        F: Fn(Checked<P>, &MatrixContext, Option<&mut dyn AllGather>) -> Result<M, EngramError> + Send + Sync + 'static,
    {
        let check: MatrixCheck = Arc::new(|raw: &RawParams| checked::<P>(raw).map(|_| ()));
        let f: MatrixFactory =
            Arc::new(move |raw: &RawParams, c: &MatrixContext, ranks: Option<&mut dyn AllGather>| {
                Ok(build(checked::<P>(raw)?, c, ranks)?.into())
            });
        self.connectivity.remove(kind);
        self.matrices.insert(kind.into(), (check, f));
        self
    }

    /// Register a plasticity rule. `build` may refuse a projection it cannot serve (an
    /// error naming the parameter, e.g. with [`RuleContext::require_weights_within`]).
    pub fn register_rule<P, R, F>(&mut self, kind: &str, build: F) -> &mut Self
    where
        P: Params + DeserializeOwned + 'static,
        R: PlasticityRule + 'static,
        F: Fn(Checked<P>, &RuleContext) -> Result<R, ParamError> + Send + Sync + 'static,
    {
        let f: RuleFactory = Arc::new(move |raw: &RawParams, c: &RuleContext| {
            Ok(Box::new(build(checked::<P>(raw)?, c)?) as Box<dyn PlasticityRule>)
        });
        self.rules.insert(kind.into(), f);
        self
    }

    /// Register a monitor kind, named in a description as
    /// `Custom(kind: "...", params: (...))`. `build` makes the monitor from its checked
    /// parameters; it may refuse names that are not in the network (with
    /// [`MonitorContext::population`]). Built from Rust, the monitor is read back with
    /// `network.monitor::<M>(built.monitors[k])` (implement [`Monitor::as_any`]); run by the
    /// runner, it may write into [`MonitorContext::out_dir`].
    ///
    /// ```
    /// use engram_core::error::{EngramError, ParamError};
    /// use engram_core::monitor::{Monitor, NetworkView};
    /// use engram_core::neuron::StepContext;
    /// use engram_core::params::{Checked, Params};
    /// use engram_models::description::{MonitorContext, NetworkDescription, Registry};
    ///
    /// /// Parameters of the `SpikeCount` monitor: `(population: "E")`.
    /// #[derive(serde::Deserialize)]
    /// #[serde(deny_unknown_fields)]
    /// struct SpikeCountParams { population: String }
    /// impl Params for SpikeCountParams {
    ///     fn validate(&self) -> Result<(), ParamError> { Ok(()) }
    /// }
    /// /// Counts the spikes of one population.
    /// struct SpikeCount { population: String, index: usize, n_spikes: usize }
    /// impl Monitor for SpikeCount {
    ///     fn bind(&mut self, net: &dyn NetworkView) -> Result<(), EngramError> {
    ///         self.index = net.population(&self.population).expect("checked by the registry");
    ///         Ok(())
    ///     }
    ///     fn observe(&mut self, _: &StepContext, net: &dyn NetworkView) -> Result<(), EngramError> {
    ///         self.n_spikes += net.spikes(self.index).len();
    ///         Ok(())
    ///     }
    ///     fn as_any(&self) -> Option<&dyn std::any::Any> { Some(self) }
    /// }
    ///
    /// let mut registry = Registry::default();
    /// registry.register_monitor("SpikeCount", |p: Checked<SpikeCountParams>, c: &MonitorContext| {
    ///     c.population("population", &p.population)?;
    ///     Ok(SpikeCount { population: p.into_inner().population, index: 0, n_spikes: 0 })
    /// });
    /// let text = r#"(
    ///     populations: [(name: "E", size: 10, neuron: (kind: "LifCurrent"))],
    ///     stimuli: [(target: "E", stimulus: (kind: "ConstantCurrent", params: (amplitude_pa: 300.0)))],
    ///     monitors: [Custom(kind: "SpikeCount", params: (population: "E"))],
    /// )"#;
    /// let d = NetworkDescription::from_ron_str_with(text, "count.ron", &registry).unwrap();
    /// let mut built = d.build_with(&registry, 0.1, 1).unwrap();
    /// built.network.run_ms(100.0).unwrap();
    /// let count = built.network.monitor::<SpikeCount>(built.monitors[0]).unwrap();
    /// assert!(count.n_spikes > 0);
    /// assert_eq!(count.n_spikes as u64, built.network.stats()[0].n_spikes);
    /// ```
    pub fn register_monitor<P, M, F>(&mut self, kind: &str, build: F) -> &mut Self
    where
        P: Params + DeserializeOwned + 'static,
        M: Monitor + 'static,
        F: Fn(Checked<P>, &MonitorContext) -> Result<M, ParamError> + Send + Sync + 'static,
    {
        let f: MonitorFactory = Arc::new(move |raw: &RawParams, c: &MonitorContext| {
            Ok(Box::new(build(checked::<P>(raw)?, c)?) as Box<dyn Monitor>)
        });
        self.monitors.insert(kind.into(), f);
        self
    }

    /// Names of the registered neuron kinds, sorted.
    pub fn neuron_kinds(&self) -> Vec<&str> {
        self.neurons.keys().map(String::as_str).collect()
    }

    /// Names of the registered source kinds, sorted.
    pub fn source_kinds(&self) -> Vec<&str> {
        self.sources.keys().map(String::as_str).collect()
    }

    /// Names of the registered stimulus kinds, sorted.
    pub fn stimulus_kinds(&self) -> Vec<&str> {
        self.stimuli.keys().map(String::as_str).collect()
    }

    /// Names of the registered connectivity kinds (rules and matrix kinds), sorted.
    pub fn connectivity_kinds(&self) -> Vec<&str> {
        let mut kinds: Vec<&str> = self.connectivity.keys().chain(self.matrices.keys()).map(String::as_str).collect();
        kinds.sort_unstable();
        kinds
    }

    /// Names of the registered plasticity rules, sorted.
    pub fn rule_kinds(&self) -> Vec<&str> {
        self.rules.keys().map(String::as_str).collect()
    }

    /// Names of the registered monitor kinds, sorted (not the built-in `Spikes`, `Rates`,
    /// `State` and `Weights`).
    pub fn monitor_kinds(&self) -> Vec<&str> {
        self.monitors.keys().map(String::as_str).collect()
    }

    pub(crate) fn neuron(&self, kind: &str) -> Option<&NeuronFactory> {
        self.neurons.get(kind)
    }
    pub(crate) fn source(&self, kind: &str) -> Option<&SourceFactory> {
        self.sources.get(kind)
    }
    pub(crate) fn stimulus(&self, kind: &str) -> Option<&StimulusFactory> {
        self.stimuli.get(kind)
    }
    pub(crate) fn connect(&self, kind: &str) -> Option<&ConnectFactory> {
        self.connectivity.get(kind)
    }
    pub(crate) fn matrix_check(&self, kind: &str) -> Option<&MatrixCheck> {
        self.matrices.get(kind).map(|(check, _)| check)
    }
    pub(crate) fn matrix(&self, kind: &str) -> Option<&MatrixFactory> {
        self.matrices.get(kind).map(|(_, build)| build)
    }
    pub(crate) fn rule(&self, kind: &str) -> Option<&RuleFactory> {
        self.rules.get(kind)
    }
    pub(crate) fn monitor(&self, kind: &str) -> Option<&MonitorFactory> {
        self.monitors.get(kind)
    }
}
