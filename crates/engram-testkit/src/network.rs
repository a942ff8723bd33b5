//! Small random networks: a plain description ([`NetworkSpec`]) of a few populations of the toy
//! or library models, Poisson groups, random fixed-probability projections with optional
//! plasticity, and Poisson input, which builds into an engine network; and a proptest strategy
//! for it ([`network_spec`]).
//!
//! The description is data, so a failing case prints in full and shrinks. Weights are set
//! from each model's own scale ([`ModelSpec::unit_weight`]) so that the networks are active
//! but do not run away, whatever the parameters drawn; the divergence guard of the built
//! network only stops on NaN (its rate ceiling is set out of reach).
//!
//! ```
//! use engram_testkit::network::{NetworkOptions, network_spec};
//! use proptest::strategy::{Strategy, ValueTree};
//! use proptest::test_runner::TestRunner;
//!
//! let mut runner = TestRunner::deterministic();
//! let spec = network_spec(NetworkOptions::default()).new_tree(&mut runner).unwrap().current();
//! let mut net = spec.build().unwrap();
//! net.run_steps(100).unwrap();
//! let checkpoint = net.checkpoint().unwrap();             // every model and rule supports it
//! assert_eq!(checkpoint.populations.len(), spec.populations.len() + spec.sources.len());
//! ```

use engram_connectivity::{ConnectSpec, DelayDistribution, Rule};
use engram_core::error::EngramError;
use engram_core::neuron::NeuronModel;
use engram_core::params::Params;
use engram_core::plasticity::PlasticityRule;
use engram_core::rng::component_id;
use engram_neurons::{
    AdEx, AdExParams, Izhikevich, IzhikevichParams, LifCond, LifCondParams, LifCurrent, LifCurrentParams, LifNmda,
    LifNmdaParams,
};
use engram_plasticity::{
    GlobalFactorIstdp, GlobalFactorIstdpParams, InhibitoryStdp, InhibitoryStdpParams, PairStdp, PairStdpParams,
    RewardModulatedStdp, RewardModulatedStdpParams, SynapticScaling, SynapticScalingParams, TripletStdp,
    TripletStdpParams, TsodyksMarkram, TsodyksMarkramParams,
};
use engram_sim::{Delay, DivergenceGuard, Network, NetworkBuilder, PlasticityTiming, ProjectionId};
use engram_stimuli::{PoissonGroup, PoissonGroupParams, PoissonInput, PoissonInputParams, RateSpec, Targets};
use proptest::collection::vec;
use proptest::prelude::*;

use crate::strategies;
use crate::toy::ToyLif;

/// The neuron model of a population and its parameters.
#[derive(Clone, Debug, PartialEq)]
pub enum ModelSpec {
    /// [`ToyLif`] with this bias (mV; above 10 it fires on its own) and initial-state seed.
    Toy {
        /// Constant drive, mV.
        bias: f64,
        /// Seed of the initial potentials.
        seed: u64,
    },
    /// [`LifCond`].
    LifCond(LifCondParams),
    /// [`LifCurrent`].
    LifCurrent(LifCurrentParams),
    /// [`AdEx`].
    AdEx(AdExParams),
    /// [`Izhikevich`].
    Izhikevich(IzhikevichParams),
    /// [`LifNmda`].
    LifNmda(LifNmdaParams),
}

impl ModelSpec {
    /// A population of `n` neurons of this model.
    pub fn build(&self, n: usize) -> Result<Box<dyn NeuronModel>, EngramError> {
        Ok(match self {
            ModelSpec::Toy { bias, seed } => Box::new(ToyLif::new(n, *seed).with_bias(*bias)),
            ModelSpec::LifCond(p) => Box::new(LifCond::new(n, p.clone().check()?)),
            ModelSpec::LifCurrent(p) => Box::new(LifCurrent::new(n, p.clone().check()?)),
            ModelSpec::AdEx(p) => Box::new(AdEx::new(n, p.clone().check()?)),
            ModelSpec::Izhikevich(p) => Box::new(Izhikevich::new(n, p.clone().check()?)),
            ModelSpec::LifNmda(p) => Box::new(LifNmda::new(n, p.clone().check()?)),
        })
    }

    /// The mean excitatory synaptic variable of a strong drive, in the unit of the weights: one
    /// leak conductance for the conductance models, one rheobase current for `LifCurrent`,
    /// 10 pA per pF for `Izhikevich`, 10 for the toy model. At this mean input the model fires.
    pub fn drive_unit(&self) -> f64 {
        match self {
            ModelSpec::Toy { .. } => 10.0,
            ModelSpec::LifCond(p) => p.g_l_ns,
            ModelSpec::AdEx(p) => p.g_l_ns,
            ModelSpec::LifNmda(p) => p.g_l_ns,
            ModelSpec::LifCurrent(p) => p.g_l_ns() * (p.v_th_mv - p.e_l_mv),
            ModelSpec::Izhikevich(p) => 10.0 * p.c_m_pf,
        }
    }

    /// Decay time of the excitatory synaptic variable, ms.
    pub fn exc_tau_ms(&self) -> f64 {
        let receptor =
            |r: &[engram_neurons::ConductanceReceptor]| r.iter().find(|r| r.name == "exc").map_or(5.0, |r| r.tau_ms);
        match self {
            ModelSpec::Toy { .. } => 5.0,
            ModelSpec::LifCond(p) => receptor(&p.receptors),
            ModelSpec::AdEx(p) => receptor(&p.receptors),
            ModelSpec::LifNmda(p) => p.tau_ampa_ms,
            ModelSpec::LifCurrent(p) => p.tau_syn_exc_ms,
            ModelSpec::Izhikevich(p) => p.tau_syn_exc_ms,
        }
    }

    /// The weight per input spike on `exc` that gives a mean input of `strength` ×
    /// [`drive_unit`](Self::drive_unit) from `n_inputs` Poisson trains at `rate_hz`.
    pub fn input_weight(&self, n_inputs: u32, rate_hz: f64, strength: f64) -> f64 {
        strength * self.drive_unit() / (n_inputs as f64 * rate_hz / 1000.0 * self.exc_tau_ms())
    }

    /// A typical weight onto receptor `exc` or `inh` (anything else counts as `exc`), in the
    /// model's unit and with the sign the receptor needs (negative for the inhibitory currents
    /// of `LifCurrent` and `Izhikevich`): 0.2 (exc) or 0.8 (inh) leak conductances for
    /// `LifCond` and `LifNmda` (half that for `AdEx`), 0.3 or −0.9 rheobase currents for
    /// `LifCurrent`, 1 or −3 pA per pF for `Izhikevich`, 2 or 6 for the toy model.
    pub fn unit_weight(&self, receptor: &str) -> f64 {
        let inh = receptor == "inh";
        let conductance = |g_l: f64| if inh { 0.8 * g_l } else { 0.2 * g_l };
        match self {
            ModelSpec::Toy { .. } => {
                if inh {
                    6.0
                } else {
                    2.0
                }
            }
            ModelSpec::LifCond(p) => conductance(p.g_l_ns),
            ModelSpec::AdEx(p) => conductance(p.g_l_ns) / 2.0,
            ModelSpec::LifNmda(p) => conductance(p.g_l_ns),
            ModelSpec::LifCurrent(p) => {
                let rheobase = p.g_l_ns() * (p.v_th_mv - p.e_l_mv);
                if inh { -0.9 * rheobase } else { 0.3 * rheobase }
            }
            ModelSpec::Izhikevich(p) => {
                if inh {
                    -3.0 * p.c_m_pf
                } else {
                    p.c_m_pf
                }
            }
        }
    }
}

/// One population.
#[derive(Clone, Debug, PartialEq)]
pub struct PopulationSpec {
    /// Name (`P0`, `P1`, ...).
    pub name: String,
    /// Number of neurons.
    pub n: usize,
    /// Model and parameters.
    pub model: ModelSpec,
}

/// One group of Poisson sources.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceSpec {
    /// Name (`S0`, ...).
    pub name: String,
    /// Sources and rates.
    pub params: PoissonGroupParams,
}

/// A plasticity rule and its parameters.
#[derive(Clone, Debug, PartialEq)]
pub enum RuleSpec {
    /// [`PairStdp`].
    PairStdp(PairStdpParams),
    /// [`TripletStdp`].
    TripletStdp(TripletStdpParams),
    /// [`InhibitoryStdp`].
    InhibitoryStdp(InhibitoryStdpParams),
    /// [`GlobalFactorIstdp`].
    GlobalFactorIstdp(GlobalFactorIstdpParams),
    /// [`TsodyksMarkram`] (short-term plasticity: efficacies, not weights).
    TsodyksMarkram(TsodyksMarkramParams),
    /// [`SynapticScaling`].
    SynapticScaling(SynapticScalingParams),
    /// [`RewardModulatedStdp`].
    RewardModulatedStdp(RewardModulatedStdpParams),
}

impl RuleSpec {
    /// The same rule with weight bounds `[w_min, w_max]` (rules without bounds unchanged).
    pub fn with_bounds(mut self, w_min: f64, w_max: f64) -> Self {
        match &mut self {
            RuleSpec::PairStdp(p) => (p.w_min, p.w_max) = (w_min, w_max),
            RuleSpec::TripletStdp(p) => (p.w_min, p.w_max) = (w_min, w_max),
            RuleSpec::InhibitoryStdp(p) => (p.w_min, p.w_max) = (w_min, w_max),
            RuleSpec::GlobalFactorIstdp(p) => (p.w_min, p.w_max) = (w_min, w_max),
            RuleSpec::SynapticScaling(p) => (p.w_min, p.w_max) = (w_min, w_max),
            RuleSpec::RewardModulatedStdp(p) => (p.w_min, p.w_max) = (w_min, w_max),
            RuleSpec::TsodyksMarkram(_) => {}
        }
        self
    }

    /// Attach the rule to `projection` of `b` (`n_pre` × `n_post` neurons, `n_synapses`
    /// synapses), seeing spikes after `timing`'s delays if they are not zero.
    pub fn attach(
        &self,
        b: &mut NetworkBuilder,
        projection: ProjectionId,
        (n_pre, n_post, n_synapses): (usize, usize, usize),
        timing: PlasticityTiming,
    ) -> Result<(), EngramError> {
        fn add(
            b: &mut NetworkBuilder,
            id: ProjectionId,
            rule: impl PlasticityRule + 'static,
            timing: PlasticityTiming,
        ) -> Result<(), EngramError> {
            if timing == PlasticityTiming::default() {
                b.add_plasticity(id, rule);
                Ok(())
            } else {
                b.add_plasticity_with_timing(id, rule, timing)
            }
        }
        let id = projection;
        match self {
            RuleSpec::PairStdp(p) => add(b, id, PairStdp::new(p.clone().check()?, n_pre, n_post), timing),
            RuleSpec::TripletStdp(p) => add(b, id, TripletStdp::new(p.clone().check()?, n_pre, n_post), timing),
            RuleSpec::InhibitoryStdp(p) => add(b, id, InhibitoryStdp::new(p.clone().check()?, n_pre, n_post), timing),
            RuleSpec::GlobalFactorIstdp(p) => {
                add(b, id, GlobalFactorIstdp::new(p.clone().check()?, n_pre, n_post), timing)
            }
            RuleSpec::TsodyksMarkram(p) => add(b, id, TsodyksMarkram::new(p.clone().check()?, n_pre), timing),
            RuleSpec::SynapticScaling(p) => add(b, id, SynapticScaling::new(p.clone().check()?, n_pre, n_post), timing),
            RuleSpec::RewardModulatedStdp(p) => {
                add(b, id, RewardModulatedStdp::new(p.clone().check()?, n_pre, n_post, n_synapses), timing)
            }
        }
    }
}

/// Axonal delay of a projection.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DelaySpec {
    /// The same delay for every synapse, in steps (≥ 1).
    Steps(u32),
    /// One delay per synapse, uniform in 1–`max_steps` steps.
    Uniform {
        /// Longest delay, steps.
        max_steps: u32,
    },
}

/// One projection with fixed connection probability.
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectionSpec {
    /// Presynaptic population or source group.
    pub pre: String,
    /// Postsynaptic population.
    pub post: String,
    /// Receptor of the postsynaptic model (`exc` or `inh`).
    pub receptor: String,
    /// Connection probability.
    pub p: f64,
    /// Weight of every synapse.
    pub weight: f64,
    /// Axonal delay.
    pub delay: DelaySpec,
    /// Plasticity rule, if any.
    pub rule: Option<RuleSpec>,
    /// Axonal and dendritic delays of the spikes the rule sees, in steps (`(0, 0)`: at the
    /// somata, `add_plasticity`; always so for short-term plasticity, which the engine refuses
    /// to delay).
    pub plasticity_delay_steps: (u32, u32),
}

/// Poisson input into one population.
#[derive(Clone, Debug, PartialEq)]
pub struct InputSpec {
    /// Target population.
    pub target: String,
    /// The input.
    pub params: PoissonInputParams,
}

/// A whole network.
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkSpec {
    /// Step, ms.
    pub dt_ms: f64,
    /// Experiment seed (connectivity, delays, Poisson streams).
    pub seed: u64,
    /// Neuron populations.
    pub populations: Vec<PopulationSpec>,
    /// Poisson source groups.
    pub sources: Vec<SourceSpec>,
    /// Projections, in the order they are connected.
    pub projections: Vec<ProjectionSpec>,
    /// Poisson inputs, in the order they are added.
    pub inputs: Vec<InputSpec>,
}

impl NetworkSpec {
    /// Number of neurons or sources of the population or group `name`.
    ///
    /// # Panics
    /// If there is none of that name.
    pub fn size(&self, name: &str) -> usize {
        let pop = self.populations.iter().find(|p| p.name == name).map(|p| p.n);
        pop.or_else(|| self.sources.iter().find(|s| s.name == name).map(|s| s.params.n_sources))
            .unwrap_or_else(|| panic!("no population or source group `{name}`"))
    }

    /// Neurons in all populations.
    pub fn n_neurons(&self) -> usize {
        self.populations.iter().map(|p| p.n).sum()
    }

    /// Projections with a plasticity rule.
    pub fn n_plastic(&self) -> usize {
        self.projections.iter().filter(|p| p.rule.is_some()).count()
    }

    /// A builder with everything added (add monitors or options, then build), and the
    /// projections in the order of [`projections`](Self::projections). Random streams are
    /// derived from the seed and the component's name, so they do not depend on the build
    /// order. The divergence guard only stops on NaN.
    pub fn builder(&self) -> Result<(NetworkBuilder, Vec<ProjectionId>), EngramError> {
        let mut b = NetworkBuilder::new(self.dt_ms, self.seed)?;
        let clock = b.clock();
        let stream = |what: &str| component_id(&format!("testkit:{what}"));
        for p in &self.populations {
            b.add_population_boxed(&p.name, p.model.build(p.n)?)?;
        }
        for s in &self.sources {
            let group = PoissonGroup::new(s.params.clone().check()?, self.seed, stream(&s.name), clock);
            b.add_source(&s.name, group)?;
        }
        let mut ids = Vec::with_capacity(self.projections.len());
        for (k, pr) in self.projections.iter().enumerate() {
            let (n_pre, n_post) = (self.size(&pr.pre), self.size(&pr.post));
            let spec = ConnectSpec::new(Rule::FixedProbability { p: pr.p });
            let name = format!("{k}:{}->{}", pr.pre, pr.post);
            let pattern = spec.connect_populations(n_pre, n_post, pr.pre == pr.post, self.seed, stream(&name))?;
            let weights = pattern.weights(pr.weight);
            let nnz = weights.nnz();
            let delay = match pr.delay {
                DelaySpec::Steps(d) => Delay::Steps(d),
                DelaySpec::Uniform { max_steps } => {
                    let d = DelayDistribution::Uniform { min_ms: self.dt_ms, max_ms: max_steps as f64 * self.dt_ms };
                    Delay::PerSynapse(d.sample_steps(nnz, &clock, self.seed, stream(&format!("{name}:delays"))))
                }
            };
            let id = b.connect(&pr.pre, &pr.post, &pr.receptor, weights, delay)?;
            if let Some(rule) = &pr.rule {
                let (axonal, dendritic) = pr.plasticity_delay_steps;
                let timing = PlasticityTiming {
                    axonal_delay_ms: axonal as f64 * self.dt_ms,
                    dendritic_delay_ms: dendritic as f64 * self.dt_ms,
                };
                rule.attach(&mut b, id, (n_pre, n_post, nnz), timing)?;
            }
            ids.push(id);
        }
        for (k, input) in self.inputs.iter().enumerate() {
            let n = self.size(&input.target);
            let id = stream(&format!("input{k}:{}", input.target));
            b.add_stimulus(&input.target, PoissonInput::new(input.params.clone().check()?, n, self.seed, id, clock)?)?;
        }
        b.divergence_guard(DivergenceGuard { max_rate_hz: Some(1e9), ..DivergenceGuard::default() });
        Ok((b, ids))
    }

    /// The built network.
    pub fn build(&self) -> Result<Network, EngramError> {
        self.builder()?.0.build()
    }
}

/// Which neuron models the random populations use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Models {
    /// Only [`ToyLif`].
    Toy,
    /// Only the library models (`LifCond`, `LifCurrent`, `AdEx`, `Izhikevich`, `LifNmda`).
    Library,
    /// Both.
    Any,
}

/// Sizes and contents of the random networks of [`network_spec`].
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkOptions {
    /// At most this many populations (at least one). Default 3.
    pub max_populations: usize,
    /// At most this many neurons per population or sources per group. Default 30.
    pub max_neurons: usize,
    /// The smallest step, ms: steps come from [`dt_ms`](strategies::dt_ms) (0.01–0.2 ms)
    /// at or above this. Default 0.05, so that a few hundred steps are long enough for
    /// neurons to charge and fire.
    pub min_dt_ms: f64,
    /// At most this many Poisson source groups. Default 1.
    pub max_sources: usize,
    /// At most this many projections (at least one). Default 6.
    pub max_projections: usize,
    /// Longest axonal delay, steps. Default 5.
    pub max_delay_steps: u32,
    /// Which models. Default [`Models::Any`].
    pub models: Models,
    /// Attach plasticity rules (any of the library's, with random plasticity delays) to
    /// about half of the projections. Default `true`.
    pub plasticity: bool,
}

impl Default for NetworkOptions {
    fn default() -> Self {
        Self {
            max_populations: 3,
            max_neurons: 30,
            min_dt_ms: 0.05,
            max_sources: 1,
            max_projections: 6,
            max_delay_steps: 5,
            models: Models::Any,
            plasticity: true,
        }
    }
}

/// Any model of `models`, with parameters from the strategies of this crate.
pub fn model_spec(models: Models) -> BoxedStrategy<ModelSpec> {
    let toy = (8.0..14.0f64, strategies::seed()).prop_map(|(bias, seed)| ModelSpec::Toy { bias, seed });
    let library = prop_oneof![
        strategies::lif_cond_params().prop_map(ModelSpec::LifCond),
        strategies::lif_current_params().prop_map(ModelSpec::LifCurrent),
        strategies::adex_params().prop_map(ModelSpec::AdEx),
        strategies::izhikevich_params().prop_map(ModelSpec::Izhikevich),
        strategies::lif_nmda_params().prop_map(ModelSpec::LifNmda),
    ];
    match models {
        Models::Toy => toy.boxed(),
        Models::Library => library.boxed(),
        Models::Any => prop_oneof![1 => toy, 2 => library].boxed(),
    }
}

/// Any rule of the library, with parameters from the strategies of this crate.
pub fn rule_spec() -> impl Strategy<Value = RuleSpec> {
    prop_oneof![
        strategies::pair_stdp_params().prop_map(RuleSpec::PairStdp),
        strategies::triplet_stdp_params().prop_map(RuleSpec::TripletStdp),
        strategies::inhibitory_stdp_params().prop_map(RuleSpec::InhibitoryStdp),
        strategies::global_factor_istdp_params().prop_map(RuleSpec::GlobalFactorIstdp),
        strategies::tsodyks_markram_params().prop_map(RuleSpec::TsodyksMarkram),
        strategies::synaptic_scaling_params().prop_map(RuleSpec::SynapticScaling),
        strategies::reward_modulated_stdp_params().prop_map(RuleSpec::RewardModulatedStdp),
    ]
}

/// A projection before it knows its end points: indices taken modulo the number of candidates.
#[derive(Clone, Debug)]
struct ProjectionDraw {
    pre: usize,
    post: usize,
    inhibitory: bool,
    p: f64,
    factor: f64,
    delay: DelaySpec,
    rule: Option<RuleSpec>,
    plasticity_delay_steps: (u32, u32),
}

fn projection_draw(plasticity: bool, max_delay_steps: u32) -> impl Strategy<Value = ProjectionDraw> {
    let max_delay = max_delay_steps.max(1);
    let delay = prop_oneof![
        (1..=max_delay).prop_map(DelaySpec::Steps),
        (1..=max_delay).prop_map(|max_steps| DelaySpec::Uniform { max_steps }),
    ];
    let rule = if plasticity { proptest::option::of(rule_spec()).boxed() } else { Just(None).boxed() };
    let timing = prop_oneof![3 => Just((0, 0)), 1 => (0..=3u32, 0..=3u32)];
    (any::<usize>(), any::<usize>(), any::<bool>(), strategies::probability(), 0.2..2.0f64, delay, rule, timing)
        .prop_map(|(pre, post, inhibitory, p, factor, delay, rule, plasticity_delay_steps)| ProjectionDraw {
            pre,
            post,
            inhibitory,
            p,
            factor,
            delay,
            rule,
            plasticity_delay_steps,
        })
}

/// Small random networks: 1–`max_populations` populations of 1–`max_neurons` neurons of
/// [`model_spec`] models, 0–`max_sources` Poisson groups (5–50 Hz), 1–`max_projections`
/// fixed-probability projections (probability from [`probability`](strategies::probability),
/// weights 0.2–2 × [`ModelSpec::unit_weight`], constant or per-synapse delays, optional rules
/// from [`rule_spec`] with bounds [0, 2w]), and Poisson input on `exc` of the first population
/// and sometimes of the others (10–100 inputs at 5–40 Hz, a mean input of 0.5–3 ×
/// [`ModelSpec::drive_unit`]).
/// The step comes from [`dt_ms`](strategies::dt_ms) (at least `min_dt_ms`) and the seed from
/// [`seed`](strategies::seed).
pub fn network_spec(opts: NetworkOptions) -> impl Strategy<Value = NetworkSpec> {
    let max_pops = opts.max_populations.max(1);
    let max_n = opts.max_neurons.max(1);
    let populations = vec((model_spec(opts.models), 1..=max_n), 1..=max_pops);
    let sources = vec((1..=max_n, 5.0..50.0f64), 0..=opts.max_sources);
    let projections = vec(projection_draw(opts.plasticity, opts.max_delay_steps), 1..=opts.max_projections.max(1));
    let inputs = vec((any::<bool>(), 10..=100u32, 5.0..40.0f64, 0.5..3.0f64), max_pops);
    let min_dt = opts.min_dt_ms;
    let dt_ms = strategies::dt_ms().prop_filter("dt below min_dt_ms", move |&dt| dt >= min_dt - 1e-12);
    (dt_ms, strategies::seed(), populations, sources, projections, inputs).prop_map(
        |(dt_ms, seed, populations, sources, projections, inputs)| {
            let populations: Vec<PopulationSpec> = populations
                .into_iter()
                .enumerate()
                .map(|(k, (model, n))| PopulationSpec { name: format!("P{k}"), n, model })
                .collect();
            let sources: Vec<SourceSpec> = sources
                .into_iter()
                .enumerate()
                .map(|(k, (n_sources, rate_hz))| SourceSpec {
                    name: format!("S{k}"),
                    params: PoissonGroupParams {
                        n_sources,
                        rates: RateSpec::Constant { rate_hz },
                        ..PoissonGroupParams::default()
                    },
                })
                .collect();
            let nodes: Vec<&str> =
                populations.iter().map(|p| p.name.as_str()).chain(sources.iter().map(|s| s.name.as_str())).collect();
            let projections = projections
                .into_iter()
                .map(|d| {
                    let post = &populations[d.post % populations.len()];
                    let receptor = if d.inhibitory { "inh" } else { "exc" };
                    let weight = post.model.unit_weight(receptor) * d.factor;
                    let (lo, hi) = if weight < 0.0 { (2.0 * weight, 0.0) } else { (0.0, 2.0 * weight) };
                    ProjectionSpec {
                        pre: nodes[d.pre % nodes.len()].to_string(),
                        post: post.name.clone(),
                        receptor: receptor.into(),
                        p: d.p,
                        weight,
                        delay: d.delay,
                        // short-term plasticity acts at transmission: no plasticity delays
                        plasticity_delay_steps: match d.rule {
                            Some(RuleSpec::TsodyksMarkram(_)) | None => (0, 0),
                            Some(_) => d.plasticity_delay_steps,
                        },
                        rule: d.rule.map(|r| r.with_bounds(lo, hi)),
                    }
                })
                .collect();
            let inputs = populations
                .iter()
                .zip(inputs)
                .enumerate()
                .filter(|(k, (_, (present, ..)))| *k == 0 || *present)
                .map(|(_, (pop, (_, n_inputs, rate_hz, strength)))| InputSpec {
                    target: pop.name.clone(),
                    params: PoissonInputParams {
                        receptor: "exc".into(),
                        n_inputs,
                        rate: RateSpec::Constant { rate_hz },
                        weight: pop.model.input_weight(n_inputs, rate_hz, strength),
                        targets: Targets::All,
                    },
                })
                .collect();
            NetworkSpec { dt_ms, seed, populations, sources, projections, inputs }
        },
    )
}
