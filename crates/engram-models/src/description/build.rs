//! Building a checked description into an engine network: the protocol's phases in steps,
//! then populations, sources, projections (with their weights, delays and plasticity),
//! stimuli and monitors, one function each, called in that order from
//! [`NetworkDescription::builder_with`]; and the handles to the parts.

use std::any::Any;
use std::path::PathBuf;

use engram_connectivity::{OmittedEntries, WeightMatrix};
use engram_core::collective::AllGather;
use engram_core::error::{EngramError, ParamError};
use engram_core::monitor::{Monitor, NetworkView};
use engram_core::neuron::{NeuronModel, StepContext};
use engram_core::plasticity::PlasticityRule as _;
use engram_core::rng::{RngStream, component_id, stream};
use engram_core::time::Clock;
use engram_plasticity::ModulatorSwitch;
use engram_sim::network::Partition;
use engram_sim::{
    Delay, MonitorId, Network, NetworkBuilder, PlasticityTiming, ProjectionId, RateMonitor, SpikeMonitor, StateMonitor,
    WeightMonitor,
};
use rand::Rng;
use rand_distr::{Distribution as _, StandardNormal};

use super::check::{CheckedInfo, place};
use super::registry::{
    ConnectContext, MatrixContext, MatrixPart, Registry, RuleContext, SourceContext, StimulusContext,
};
use super::switch::Protocol;
use super::types::{Distribution, MonitorDescription, NetworkDescription, ProjectionDescription, WeightChange};

/// Chunk id of the weight draws of a projection (`stream(seed, id, WEIGHT_CHUNK)`), apart from
/// the chunks its connectivity and delays use.
pub const WEIGHT_CHUNK: u64 = 1 << 62;

/// Handles to the parts of a description in a builder (see
/// [`NetworkDescription::builder_with`]).
#[derive(Clone, Debug)]
pub struct Handles {
    /// The projections, in the order of the description.
    pub projections: Vec<ProjectionId>,
    /// The monitors, in the order of the description.
    pub monitors: Vec<MonitorId>,
    /// The protocol's phases: name, steps, modulator.
    pub phases: Vec<(String, u64, f64)>,
    /// The phases' weight changes: the step before which they are made (the phase's first),
    /// and the changes; only phases that have some.
    pub weight_changes: Vec<(u64, Vec<WeightChange>)>,
}

/// A network built from a description, with handles to its parts.
pub struct BuiltNetwork {
    /// The network, ready to run.
    pub network: Network,
    /// The projections, in the order of the description.
    pub projections: Vec<ProjectionId>,
    /// The monitors, in the order of the description.
    pub monitors: Vec<MonitorId>,
    /// The protocol's phases: name, steps, modulator.
    pub phases: Vec<(String, u64, f64)>,
    /// The phases' weight changes (see [`Handles::weight_changes`]).
    pub weight_changes: Vec<(u64, Vec<WeightChange>)>,
}

impl BuiltNetwork {
    /// Run the protocol from the network's current step to its end: each phase (or what is
    /// left of it) for its duration with its modulator, its weight changes made before its
    /// first step (the stimuli and rules switch by themselves). Without phases, or past the
    /// last one, runs nothing.
    ///
    /// From a fresh network this is the whole protocol; after
    /// [`Network::restore`](engram_sim::Network::restore) of a checkpoint saved at the end of a
    /// phase (a phase's `checkpoint`), it is the phases that remain, with the same spikes as the
    /// run that saved it.
    pub fn run_protocol(&mut self) -> Result<(), EngramError> {
        let mut start = 0u64;
        for (_, steps, modulator) in &self.phases {
            let end = start + steps;
            let now = self.network.current_step();
            if now < end {
                self.network.set_modulator(*modulator);
                if now == start {
                    for (_, changes) in self.weight_changes.iter().filter(|(at, _)| *at == start) {
                        apply_weight_changes(&mut self.network, changes)?;
                    }
                }
                self.network.run_steps(end - now)?;
            }
            start = end;
        }
        Ok(())
    }
}

/// A monitor made by a registered kind, behind the builder's `add_monitor` (reads back as the
/// kind's own type: `as_any` is the inner monitor's).
pub(crate) struct BoxedMonitor(pub(crate) Box<dyn Monitor>);

impl Monitor for BoxedMonitor {
    fn bind(&mut self, net: &dyn NetworkView) -> Result<(), EngramError> {
        self.0.bind(net)
    }
    fn observe(&mut self, ctx: &StepContext, net: &dyn NetworkView) -> Result<(), EngramError> {
        self.0.observe(ctx, net)
    }
    fn flush(&mut self) -> Result<(), EngramError> {
        self.0.flush()
    }
    fn finish(&mut self) -> Result<(), EngramError> {
        self.0.finish()
    }
    fn as_any(&self) -> Option<&dyn Any> {
        self.0.as_any()
    }
}

/// Make `changes` to the weights of `net`, in order (between two steps).
pub fn apply_weight_changes(net: &mut Network, changes: &[WeightChange]) -> Result<(), EngramError> {
    for change in changes {
        let id = net.projection(change.projection())?;
        match change {
            WeightChange::Set { value, .. } => net.weights_mut(id).data_mut().fill(*value),
            WeightChange::ScaleWithin { groups, factor, .. } => {
                for (i, mut row) in net.weights_mut(id).outer_iterator_mut().enumerate() {
                    for (j, w) in row.iter_mut() {
                        if groups.iter().any(|g| g.contains(i) && g.contains(j)) {
                            *w *= factor;
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

fn draw(d: &Distribution, rng: &mut RngStream) -> f64 {
    match *d {
        Distribution::Constant { value } => value,
        // the order of operations of the built-in models (bit-identical results)
        Distribution::Uniform { low, high } => low + rng.r#gen::<f64>() * (high - low),
        Distribution::Normal { mean, sd, times, plus } => {
            let z: f64 = StandardNormal.sample(rng);
            (mean + sd * z) * times + plus
        }
    }
}

fn model_state_names(model: &dyn NeuronModel) -> Vec<&str> {
    model.state_names().to_vec()
}

/// A phase as [`Handles::phases`] gives it: name, steps, modulator.
type PhaseHandle = (String, u64, f64);

/// What building each part needs besides the part: the kinds, what the check learnt, the
/// experiment seed, the builder's clock, and the protocol that switches parts on and off.
struct Parts<'a> {
    registry: &'a Registry,
    info: &'a CheckedInfo,
    seed: u64,
    clock: Clock,
    protocol: Protocol<'a>,
    /// On a rank, the other ranks, for connectivity made across them (out-degree balancing).
    ranks: std::cell::RefCell<Option<&'a mut dyn AllGather>>,
}

impl NetworkDescription {
    /// Check the description against `registry` and build it with step `dt_ms` and experiment
    /// seed `seed`: the builder with everything added (add monitors or options of your own,
    /// then build), and the handles of its parts.
    pub fn builder_with(
        &self,
        registry: &Registry,
        dt_ms: f64,
        seed: u64,
    ) -> Result<(NetworkBuilder, Handles), EngramError> {
        self.builder_on_rank(registry, dt_ms, seed, None)
    }

    /// [`builder_with`](Self::builder_with) as rank `partition.rank()`'s part of a network
    /// split across ranks ([`NetworkBuilder::split`]; `None`: the whole network). Projections
    /// whose connectivity rule draws the pattern (`FixedProbability`, `FixedInDegree`, ...)
    /// hold only the synapses onto the rank's own neurons, with the single process's draws
    /// of their pattern, weights and delays
    /// ([`ConnectSpec::connect_onto`](engram_connectivity::ConnectSpec::connect_onto)); a
    /// connectivity kind that makes its own matrix is told the rank's targets
    /// ([`MatrixContext::targets`]) and either makes only the synapses onto them (the Dp
    /// model's `DpPathway`: [`MatrixPart::onto`]) or the whole matrix, whose other ranks'
    /// synapses the builder drops at `build`.
    ///
    /// A pattern with out-degree balancing (`balance: Some(...)`) is made whole on every rank
    /// and cut here; [`builder_across`](Self::builder_across) balances it across the ranks
    /// instead.
    pub fn builder_on_rank(
        &self,
        registry: &Registry,
        dt_ms: f64,
        seed: u64,
        partition: Option<Partition>,
    ) -> Result<(NetworkBuilder, Handles), EngramError> {
        self.builder_ranked(registry, dt_ms, seed, partition, None)
    }

    /// [`builder_on_rank`](Self::builder_on_rank) for rank `partition.rank()`, with the
    /// other ranks reachable through `ranks` while the network is built: every rank must
    /// call it at the same point with the same description. A pattern with out-degree
    /// balancing is then drawn onto the rank's own neurons and balanced across the ranks
    /// ([`ConnectSpec::connect_onto_across`](engram_connectivity::ConnectSpec::connect_onto_across)),
    /// so that no rank holds it whole, and a connectivity kind registered with
    /// [`Registry::register_connectivity_matrix_across`] (the Dp model's `DpPathway`) gets the
    /// ranks; everything else is as `builder_on_rank` builds it.
    pub fn builder_across(
        &self,
        registry: &Registry,
        dt_ms: f64,
        seed: u64,
        partition: Partition,
        ranks: &mut dyn AllGather,
    ) -> Result<(NetworkBuilder, Handles), EngramError> {
        self.builder_ranked(registry, dt_ms, seed, Some(partition), Some(ranks))
    }

    fn builder_ranked(
        &self,
        registry: &Registry,
        dt_ms: f64,
        seed: u64,
        partition: Option<Partition>,
        ranks: Option<&mut dyn AllGather>,
    ) -> Result<(NetworkBuilder, Handles), EngramError> {
        let info = self.check_with(registry)?;
        let mut b = NetworkBuilder::new(dt_ms, seed)?;
        if let Some(partition) = partition {
            b.split(partition);
        }
        let (protocol, phases) = self.protocol(&info, dt_ms)?;
        let mut ranks = ranks;
        // a reborrow for the build (the trait object's lifetime shortened to it)
        let ranks = std::cell::RefCell::new(ranks.as_mut().map(|r| &mut **r as &mut dyn AllGather));
        let parts = Parts { registry, info: &info, seed, clock: b.clock(), protocol, ranks };
        self.add_populations(&parts, &mut b)?;
        self.add_sources(&parts, &mut b)?;
        let projections = self.add_projections(&parts, &mut b)?;
        self.add_stimuli(&parts, &mut b)?;
        let monitors = self.add_monitors(&parts, &mut b, dt_ms)?;
        let mut weight_changes = Vec::new();
        let mut start = 0u64;
        for (ph, (_, steps, _)) in self.phases.iter().zip(&phases) {
            if !ph.weight_changes.is_empty() {
                weight_changes.push((start, ph.weight_changes.clone()));
            }
            start += steps;
        }
        Ok((b, Handles { projections, monitors, phases, weight_changes }))
    }

    /// Check and build with `registry` (see [`builder_with`](Self::builder_with)).
    pub fn build_with(&self, registry: &Registry, dt_ms: f64, seed: u64) -> Result<BuiltNetwork, EngramError> {
        let (b, Handles { projections, monitors, phases, weight_changes }) =
            self.builder_with(registry, dt_ms, seed)?;
        Ok(BuiltNetwork { network: b.build()?, projections, monitors, phases, weight_changes })
    }

    /// Check and build with the library's kinds ([`Registry::default`]).
    pub fn build(&self, dt_ms: f64, seed: u64) -> Result<Network, EngramError> {
        Ok(self.build_with(&Registry::default(), dt_ms, seed)?.network)
    }

    /// The protocol in steps of `dt_ms` (each phase a whole number of steps, at least one):
    /// the steps `[start, end)` of each phase to switch parts by, and each one's name, steps
    /// and modulator.
    fn protocol(&self, info: &CheckedInfo, dt_ms: f64) -> Result<(Protocol<'_>, Vec<PhaseHandle>), EngramError> {
        let mut phase_steps = Vec::with_capacity(self.phases.len());
        let mut phases = Vec::with_capacity(self.phases.len());
        let mut start = 0u64;
        for (k, (ph, &(_, _))) in self.phases.iter().zip(&info.phase_times_ms).enumerate() {
            let exact = ph.duration_ms / dt_ms;
            let steps = exact.round();
            if steps < 1.0 || (exact - steps).abs() > 1e-6 * steps.max(1.0) {
                return Err(ParamError::new(
                    format!("phases[{k}].duration_ms"),
                    ph.duration_ms,
                    format!("a whole number of steps of dt = {dt_ms} ms (at least one)"),
                )
                .into());
            }
            let steps = steps as u64;
            phase_steps.push((start, start + steps));
            phases.push((ph.name.clone(), steps, ph.modulator));
            start += steps;
        }
        Ok((Protocol::new(&self.phases, phase_steps), phases))
    }

    /// Each population, its initial values drawn from its stream (`init:<name>`).
    fn add_populations(&self, parts: &Parts<'_>, b: &mut NetworkBuilder) -> Result<(), EngramError> {
        for (k, p) in self.populations.iter().enumerate() {
            let factory = parts.registry.neuron(&p.neuron.kind).expect("checked");
            let field = format!("populations[{k}].neuron.params");
            let mut model = factory(&p.neuron.params, p.size)
                .map_err(|e| EngramError::from(place(&field, p.neuron.params.as_str(), e)))?;
            if !p.initial.is_empty() {
                let name = p.stream.clone().unwrap_or_else(|| format!("init:{}", p.name));
                let mut rng = stream(parts.seed, component_id(&name), 0);
                for init in &p.initial {
                    let values: Vec<f64> = (0..p.size).map(|_| draw(&init.value, &mut rng)).collect();
                    if model.state(&init.variable).is_none() {
                        return Err(EngramError::unknown("state variable", &init.variable, model_state_names(&*model)));
                    }
                    model.state_mut(&init.variable).expect("checked above").copy_from_slice(&values);
                }
            }
            b.add_population_boxed(&p.name, model)?;
        }
        Ok(())
    }

    /// Each source group on its stream (`source:<name>`), switched by the phases.
    fn add_sources(&self, parts: &Parts<'_>, b: &mut NetworkBuilder) -> Result<(), EngramError> {
        for (k, s) in self.sources.iter().enumerate() {
            let factory = parts.registry.source(&s.source.kind).expect("checked");
            let name = s.stream.clone().unwrap_or_else(|| format!("source:{}", s.name));
            let ctx = SourceContext {
                seed: parts.seed,
                stream_id: component_id(&name),
                clock: parts.clock,
                checking: false,
                base_dir: self.base_dir(),
            };
            let field = format!("sources[{k}].source.params");
            let source = factory(&s.source.params, &ctx)
                .map_err(|e| EngramError::from(place(&field, s.source.params.as_str(), e)))?;
            b.add_source_boxed(&s.name, parts.protocol.source(&s.name, source))?;
        }
        Ok(())
    }

    /// Each projection, in order; their ids.
    fn add_projections(&self, parts: &Parts<'_>, b: &mut NetworkBuilder) -> Result<Vec<ProjectionId>, EngramError> {
        let mut projections = Vec::with_capacity(self.projections.len());
        for (k, p) in self.projections.iter().enumerate() {
            projections.push(add_projection(parts, b, k, p)?);
        }
        Ok(projections)
    }

    /// Each stimulus on its target, on its stream (`stimulus:<name>`), switched by the phases.
    fn add_stimuli(&self, parts: &Parts<'_>, b: &mut NetworkBuilder) -> Result<(), EngramError> {
        for (k, s) in self.stimuli.iter().enumerate() {
            let name = &parts.info.stimulus_names[k];
            let factory = parts.registry.stimulus(&s.stimulus.kind).expect("checked");
            let stream_name = s.stream.clone().unwrap_or_else(|| format!("stimulus:{name}"));
            let ctx = StimulusContext {
                n_neurons: parts.info.nodes[&s.target].size,
                seed: parts.seed,
                stream_id: component_id(&stream_name),
                clock: parts.clock,
                checking: false,
                base_dir: self.base_dir(),
            };
            let field = format!("stimuli[{k}].stimulus.params");
            let stim = factory(&s.stimulus.params, &ctx)
                .map_err(|e| EngramError::from(place(&field, s.stimulus.params.as_str(), e)))?;
            b.add_stimulus_boxed(&s.target, parts.protocol.stimulus(name, stim))?;
        }
        Ok(())
    }

    /// Monitor `k`, a `Custom` one, made by its registered kind in a network of step `clock`,
    /// writing into `out_dir` if given.
    pub(crate) fn custom_monitor(
        &self,
        registry: &Registry,
        k: usize,
        clock: Clock,
        out_dir: Option<PathBuf>,
    ) -> Result<BoxedMonitor, EngramError> {
        let MonitorDescription::Custom { kind, params } = &self.monitors[k] else {
            return Err(EngramError::Other(format!("monitors[{k}] is not a Custom monitor")));
        };
        let info = self.check_with(registry)?;
        let factory = registry.monitor(kind).expect("checked");
        let ctx = self.monitor_context(&info.nodes, &info.projection_names, clock, false, out_dir);
        let field = format!("monitors[{k}].params");
        let monitor = factory(params, &ctx).map_err(|e| EngramError::from(place(&field, params.as_str(), e)))?;
        Ok(BoxedMonitor(monitor))
    }

    /// Each monitor, sampling every so many steps of `dt_ms` (at least one); their ids.
    fn add_monitors(
        &self,
        parts: &Parts<'_>,
        b: &mut NetworkBuilder,
        dt_ms: f64,
    ) -> Result<Vec<MonitorId>, EngramError> {
        let every = |ms: f64| ((ms / dt_ms).round() as u64).max(1);
        let mut monitors = Vec::with_capacity(self.monitors.len());
        for (k, m) in self.monitors.iter().enumerate() {
            let id = match m {
                MonitorDescription::Spikes { populations } => {
                    let names: Vec<&str> = populations.iter().map(String::as_str).collect();
                    b.add_monitor(SpikeMonitor::new(&names))
                }
                MonitorDescription::Rates { populations, bin_ms } => {
                    let names: Vec<&str> = populations.iter().map(String::as_str).collect();
                    b.add_monitor(RateMonitor::new(&names, *bin_ms))
                }
                MonitorDescription::State { population, variable, neurons, every_ms } => {
                    b.add_monitor(StateMonitor::new(population, variable, neurons, every(*every_ms)))
                }
                MonitorDescription::Weights { projection, every_ms } => {
                    b.add_monitor(WeightMonitor::new(projection.as_str(), every(*every_ms), None))
                }
                MonitorDescription::Custom { kind, params } => {
                    let factory = parts.registry.monitor(kind).expect("checked");
                    let info = parts.info;
                    let ctx = self.monitor_context(&info.nodes, &info.projection_names, parts.clock, false, None);
                    let field = format!("monitors[{k}].params");
                    let monitor =
                        factory(params, &ctx).map_err(|e| EngramError::from(place(&field, params.as_str(), e)))?;
                    b.add_monitor(BoxedMonitor(monitor))
                }
            };
            monitors.push(id);
        }
        Ok(monitors)
    }
}

/// Projection `k`: its pattern drawn from the projection's stream (`projection:<name>`,
/// chunks 0, 1, ...), its weights (chunk [`WEIGHT_CHUNK`]) and delays, its name and rule.
fn add_projection(
    parts: &Parts<'_>,
    b: &mut NetworkBuilder,
    k: usize,
    p: &ProjectionDescription,
) -> Result<ProjectionId, EngramError> {
    let (info, seed) = (parts.info, parts.seed);
    let name = &info.projection_names[k];
    let n_pre = info.nodes[&p.pre].size;
    let post = &info.nodes[&p.post];
    let n_post = post.size;
    let id = component_id(&p.stream.clone().unwrap_or_else(|| format!("projection:{name}")));
    let field = format!("projections[{k}].connectivity.params");
    // what a rank's part left out of each row of the whole pattern (None: the whole pattern)
    let omitted;
    let weights = match &p.weight {
        Some(distribution) => {
            let targets = b.owned_targets(n_post);
            let (w, left_out) = drawn_weights(parts, k, p, (n_pre, n_post), id, distribution, targets)?;
            omitted = left_out;
            w
        }
        None => {
            let factory = parts.registry.matrix(&p.connectivity.kind).expect("checked");
            let targets = b.owned_targets(n_post);
            let same_population = p.pre == p.post;
            let ctx = MatrixContext { n_pre, n_post, same_population, seed, stream_id: id, targets: targets.clone() };
            let mut ranks = parts.ranks.borrow_mut();
            let ranks = ranks.as_deref_mut().map(|r| r as &mut dyn AllGather);
            let part = factory(&p.connectivity.params, &ctx, ranks)
                .map_err(|e| EngramError::from(place(&field, p.connectivity.params.as_str(), e)))?;
            check_matrix_part(&part, k, p, (n_pre, n_post), targets)?;
            omitted = part.omitted;
            part.weights
        }
    };
    // the whole projection's synapses (rules are made for the whole projection)
    let nnz = weights.nnz() + omitted.as_ref().map_or(0, OmittedEntries::n_omitted);
    let weight_range = weights.data().iter().fold(None, |range: Option<(f64, f64)>, &w| match range {
        None => Some((w, w)),
        Some((lo, hi)) => Some((lo.min(w), hi.max(w))),
    });
    let delay = match p.delay {
        engram_connectivity::DelayDistribution::Constant { ms } => Delay::Ms(ms),
        ref d => Delay::PerSynapse(match &omitted {
            Some(omitted) => d.sample_steps_onto(weights.indptr().raw_storage(), omitted, &parts.clock, seed, id),
            None => d.sample_steps(nnz, &parts.clock, seed, id),
        }),
    };
    let pid = b.connect(&p.pre, &p.post, &p.receptor, weights, delay)?;
    b.name_projection(pid, name)?;
    if p.plasticity.is_some() {
        let receptor = post
            .neurons
            .as_ref()
            .and_then(|n| n.receptors.iter().find(|r| r.name == p.receptor))
            .cloned()
            .expect("checked");
        let weight_range = p.weight.as_ref().map(Distribution::range).or(weight_range);
        let ctx = RuleContext { n_pre, n_post, n_synapses: Some(nnz), receptor, weight_range };
        add_rule(parts, b, k, p, pid, ctx)?;
    }
    Ok(pid)
}

/// An error unless `part`, made by the matrix kind of projection `k`, is `n_pre × n_post`
/// and, if it is a part, lies on the rank's `targets` and counts what every row left out.
fn check_matrix_part(
    part: &MatrixPart,
    k: usize,
    p: &ProjectionDescription,
    (n_pre, n_post): (usize, usize),
    targets: Option<std::ops::Range<usize>>,
) -> Result<(), EngramError> {
    let field = format!("projections[{k}].connectivity");
    let w = &part.weights;
    if (w.rows(), w.cols()) != (n_pre, n_post) {
        return Err(ParamError::new(
            field,
            format!("a {} x {} matrix", w.rows(), w.cols()),
            format!("{n_pre} x {n_post} ({} -> {})", p.pre, p.post),
        )
        .into());
    }
    let Some(omitted) = &part.omitted else { return Ok(()) };
    let kind = &p.connectivity.kind;
    let Some(targets) = targets else {
        return Err(ParamError::new(
            field,
            format!("a part of the matrix from `{kind}`"),
            "the whole matrix (the network is not split)",
        )
        .into());
    };
    if omitted.before.len() != n_pre || omitted.after.len() != n_pre {
        return Err(ParamError::new(
            field,
            format!("a part counting what {} and {} rows left out", omitted.before.len(), omitted.after.len()),
            format!("a count for each of the {n_pre} rows"),
        )
        .into());
    }
    if let Some(&j) = w.indices().iter().find(|&&j| !targets.contains(&(j as usize))) {
        return Err(ParamError::new(
            field,
            format!("a part with a synapse onto neuron {j} of `{}`", p.post),
            format!("synapses onto this rank's neurons {targets:?} only"),
        )
        .into());
    }
    Ok(())
}

/// The weights of projection `k` whose connectivity rule draws the pattern (from the
/// projection's stream `id`, chunks 0, 1, ...) and whose `distribution` draws each weight
/// (chunk [`WEIGHT_CHUNK`], one draw per synapse of the whole pattern in CSR order). With
/// `targets` (a rank's own neurons), only the synapses onto them, and what each row of the
/// whole pattern left out: the weights are the whole pattern's, the draws of the synapses
/// left out are made and dropped.
fn drawn_weights(
    parts: &Parts<'_>,
    k: usize,
    p: &ProjectionDescription,
    (n_pre, n_post): (usize, usize),
    id: u64,
    distribution: &Distribution,
    targets: Option<std::ops::Range<usize>>,
) -> Result<(WeightMatrix, Option<OmittedEntries>), EngramError> {
    let same = p.pre == p.post;
    let ctx = ConnectContext {
        n_pre,
        n_post,
        same_population: same,
        autapses: p.autapses,
        multapses: p.multapses,
        seed: parts.seed,
        stream_id: id,
    };
    let factory = parts.registry.connect(&p.connectivity.kind).expect("checked");
    let field = format!("projections[{k}].connectivity.params");
    let mut spec = factory(&p.connectivity.params, &ctx)
        .map_err(|e| EngramError::from(place(&field, p.connectivity.params.as_str(), e)))?;
    if let Some(b) = p.balance {
        spec = spec.balance(b);
    }
    let within = |e: ParamError| e.within(&format!("projections[{k}].connectivity"));
    let (pattern, omitted) = match targets {
        Some(own) => {
            let (part, omitted) = match parts.ranks.borrow_mut().as_deref_mut() {
                Some(ranks) => {
                    spec.connect_onto_across(n_pre, n_post, same, parts.seed, id, own, ranks).map_err(|e| match e {
                        EngramError::Param(e) => EngramError::Param(within(e)),
                        e => e,
                    })?
                }
                None => spec.connect_onto(n_pre, n_post, same, parts.seed, id, own).map_err(within)?,
            };
            (part, Some(omitted))
        }
        None => (spec.connect_populations(n_pre, n_post, same, parts.seed, id).map_err(within)?, None),
    };
    let weights = match (distribution, &omitted) {
        (&Distribution::Constant { value }, _) => pattern.weights(value),
        (d, None) => {
            let mut w = pattern.weights(1.0);
            let mut rng = stream(parts.seed, id, WEIGHT_CHUNK);
            for x in w.data_mut() {
                *x *= draw(d, &mut rng);
            }
            w
        }
        (d, Some(omitted)) => {
            let mut w = pattern.weights(1.0);
            let mut rng = stream(parts.seed, id, WEIGHT_CHUNK);
            for (i, mut row) in w.outer_iterator_mut().enumerate() {
                for _ in 0..omitted.before[i] {
                    draw(d, &mut rng);
                }
                for (_, x) in row.iter_mut() {
                    *x *= draw(d, &mut rng);
                }
                for _ in 0..omitted.after[i] {
                    draw(d, &mut rng);
                }
            }
            w
        }
    };
    Ok((weights, omitted))
}

/// The plasticity rule of projection `k` (added as `pid`), learning in the phases that list
/// it, with its axonal and dendritic delays.
fn add_rule(
    parts: &Parts<'_>,
    b: &mut NetworkBuilder,
    k: usize,
    p: &ProjectionDescription,
    pid: ProjectionId,
    ctx: RuleContext,
) -> Result<(), EngramError> {
    let pl = p.plasticity.as_ref().expect("a projection with plasticity");
    let factory = parts.registry.rule(&pl.rule.kind).expect("checked");
    let field = format!("projections[{k}].plasticity.rule.params");
    let inner =
        factory(&pl.rule.params, &ctx).map_err(|e| EngramError::from(place(&field, pl.rule.params.as_str(), e)))?;
    let rule = parts.protocol.rule(&parts.info.projection_names[k], inner);
    let timing = PlasticityTiming { axonal_delay_ms: pl.axonal_delay_ms, dendritic_delay_ms: pl.dendritic_delay_ms };
    match pl.gate_threshold {
        None if timing == PlasticityTiming::default() => b.add_plasticity(pid, rule),
        None => b.add_plasticity_with_timing(pid, rule, timing)?,
        Some(_) if rule.scales_transmission() => {
            return Err(ParamError::new(
                format!("projections[{k}].plasticity.gate_threshold"),
                "set",
                format!(
                    "none for `{}`: it scales transmission (short-term plasticity), which a gate would stop",
                    pl.rule.kind
                ),
            )
            .into());
        }
        Some(threshold) => b.add_plasticity_with_timing(pid, ModulatorSwitch::new(rule, threshold), timing)?,
    }
    Ok(())
}
