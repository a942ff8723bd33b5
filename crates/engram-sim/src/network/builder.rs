//! [`NetworkBuilder`]: populations, sources, projections with their delays and plasticity rules,
//! stimuli, monitors and the divergence guard, assembled into a [`Network`].

use engram_connectivity::TransposeIndex;
use engram_core::error::{EngramError, ParamError};
use engram_core::monitor::Monitor;
use engram_core::neuron::{NeuronModel, SpikeSource};
use engram_core::plasticity::PlasticityRule;
use engram_core::stimulus::Stimulus;
use engram_core::time::Clock;
use sprs::CsMatI;

use super::chunks;
use super::guard::RateCeiling;
use super::partition::{Distributed, Partition, SpikeExchange, keep_targets};
use super::timing::{PlasticityDelays, SpikeDelayLine, plasticity_delay_steps};
use super::view::View;
use super::{
    Body, Delay, DivergenceGuard, MonitorId, Network, PlasticityTiming, Population, Projection, ProjectionId,
    SynapseDelay,
};
use crate::stimulus::StimulusHandle;

/// Neurons per chunk of a parallel step, unless [`NetworkBuilder::chunk_neurons`] sets it.
pub const DEFAULT_CHUNK_NEURONS: usize = 4096;

/// Assembles populations, projections, stimuli and monitors into a [`Network`].
pub struct NetworkBuilder {
    clock: Clock,
    seed: u64,
    populations: Vec<Population>,
    projections: Vec<(Projection, u32 /* max delay */)>,
    stimuli: Vec<StimulusHandle>,
    monitors: Vec<Box<dyn Monitor>>,
    guard: DivergenceGuard,
    parallel_min_neurons: usize,
    chunk_neurons: usize,
    distributed: Option<(Partition, Box<dyn SpikeExchange>)>,
    /// The rank whose part the projections hold ([`split`](Self::split)).
    split: Option<Partition>,
    /// Exchange spikes after every step ([`exchange_every_step`](Self::exchange_every_step)).
    every_step: bool,
}

impl NetworkBuilder {
    /// A new, empty network with step `dt_ms` and experiment seed `seed`.
    pub fn new(dt_ms: f64, seed: u64) -> Result<Self, ParamError> {
        Ok(Self {
            clock: Clock::new(dt_ms)?,
            seed,
            populations: Vec::new(),
            projections: Vec::new(),
            stimuli: Vec::new(),
            monitors: Vec::new(),
            guard: DivergenceGuard::default(),
            parallel_min_neurons: 20_000,
            chunk_neurons: DEFAULT_CHUNK_NEURONS,
            distributed: None,
            split: None,
            every_step: false,
        })
    }

    /// The clock.
    pub fn clock(&self) -> Clock {
        self.clock
    }

    /// The experiment seed (components derive their streams from it).
    pub fn seed(&self) -> u64 {
        self.seed
    }

    fn check_new_name(&self, name: &str) -> Result<(), EngramError> {
        if name.is_empty() || self.populations.iter().any(|p| p.name == name) {
            return Err(EngramError::Other(format!("population name `{name}` is empty or already used")));
        }
        Ok(())
    }

    fn population(&self, name: &str) -> Result<usize, EngramError> {
        self.populations
            .iter()
            .position(|p| p.name == name)
            .ok_or_else(|| EngramError::unknown("population", name, self.populations.iter().map(|p| p.name.as_str())))
    }

    /// Add a population of neurons. Fails if the name is taken or the population is empty.
    pub fn add_population(&mut self, name: &str, model: impl NeuronModel + 'static) -> Result<usize, EngramError> {
        self.add_population_boxed(name, Box::new(model))
    }

    /// [`add_population`](Self::add_population) for a boxed model.
    pub fn add_population_boxed(&mut self, name: &str, model: Box<dyn NeuronModel>) -> Result<usize, EngramError> {
        self.check_new_name(name)?;
        let len = model.len();
        if len == 0 {
            return Err(ParamError::new(format!("populations.{name}.n"), 0, "at least one neuron").into());
        }
        let body = Body::Neurons { model, ring: Vec::new(), current_pa: vec![0.0; len], stimulated: false };
        self.populations.push(Population { name: name.into(), len, body, local: None });
        Ok(self.populations.len() - 1)
    }

    /// Add a spike source (Poisson group, odor input, spike trains).
    pub fn add_source(&mut self, name: &str, source: impl SpikeSource + 'static) -> Result<usize, EngramError> {
        self.add_source_boxed(name, Box::new(source))
    }

    /// [`add_source`](Self::add_source) for a boxed source.
    pub fn add_source_boxed(&mut self, name: &str, source: Box<dyn SpikeSource>) -> Result<usize, EngramError> {
        self.check_new_name(name)?;
        let len = source.len();
        if len == 0 {
            return Err(ParamError::new(format!("populations.{name}.n"), 0, "at least one source").into());
        }
        self.populations.push(Population { name: name.into(), len, body: Body::Source(source), local: None });
        Ok(self.populations.len() - 1)
    }

    /// Connect `pre` to `post` on receptor `receptor` of `post`, with a weight matrix
    /// (CSR, row = presynaptic neuron, `n_pre × n_post`; multiplicity already folded into the
    /// weights) and a delay.
    pub fn connect(
        &mut self,
        pre: &str,
        post: &str,
        receptor: &str,
        weights: CsMatI<f64, u32, usize>,
        delay: Delay,
    ) -> Result<ProjectionId, EngramError> {
        let (pre_i, post_i) = (self.population(pre)?, self.population(post)?);
        let receptor_i = self.populations[post_i].receptor_index(receptor)?;
        let (n_pre, n_post) = (self.populations[pre_i].len, self.populations[post_i].len);
        let what = format!("projections.{pre}->{post}");
        if weights.shape() != (n_pre, n_post) {
            return Err(ParamError::new(
                format!("{what}.weights"),
                format!("{:?}", weights.shape()),
                format!("a {n_pre} x {n_post} matrix"),
            )
            .into());
        }
        let weights = if weights.is_csr() { weights } else { weights.to_csr() };
        if let Some(w) = weights.data().iter().find(|w| !w.is_finite()) {
            return Err(ParamError::new(format!("{what}.weights"), w, "finite weights").into());
        }
        let (delay, max_delay) = match delay {
            Delay::Steps(0) => return Err(ParamError::new(format!("{what}.delay"), 0, "at least 1 step").into()),
            Delay::Steps(d) => (SynapseDelay::Uniform(d), d),
            Delay::Ms(ms) => {
                let d = self.clock.delay_steps(ms).map_err(|e| e.within(&what))?;
                (SynapseDelay::Uniform(d), d)
            }
            Delay::PerSynapse(d) => {
                if d.len() != weights.nnz() {
                    return Err(ParamError::new(
                        format!("{what}.delay"),
                        format!("{} delays", d.len()),
                        format!("one delay per synapse ({})", weights.nnz()),
                    )
                    .into());
                }
                if d.contains(&0) {
                    return Err(ParamError::new(format!("{what}.delay"), 0, "at least 1 step").into());
                }
                let max = d.iter().copied().max().unwrap_or(1);
                (SynapseDelay::PerSynapse(d), max)
            }
        };
        let index = self.projections.len();
        let name = [
            format!("{pre}->{post}"),
            format!("{pre}->{post}:{receptor}"),
            format!("{pre}->{post}:{receptor}#{index}"),
        ]
        .into_iter()
        .find(|n| !self.projections.iter().any(|(p, _)| &p.name == n))
        .expect("the index makes the last name unique");
        let projection = Projection {
            name,
            pre: pre_i,
            post: post_i,
            receptor: receptor_i,
            weights,
            delay,
            rule: None,
            efficacy: None,
            timing: PlasticityDelays::default(),
            chunk_splits: None,
        };
        self.projections.push((projection, max_delay));
        Ok(ProjectionId(index))
    }

    /// Name a projection (for monitors and checkpoints). [`connect`](Self::connect) names it
    /// `"pre->post"`, or `"pre->post:receptor"` when that is taken (then
    /// `"pre->post:receptor#index"`). Fails if the name is empty or used by another projection.
    pub fn name_projection(&mut self, projection: ProjectionId, name: &str) -> Result<(), EngramError> {
        let taken = self.projections.iter().enumerate().any(|(i, (p, _))| i != projection.0 && p.name == name);
        if name.is_empty() || taken {
            return Err(EngramError::Other(format!("projection name `{name}` is empty or already used")));
        }
        self.projections[projection.0].0.name = name.into();
        Ok(())
    }

    /// Attach a plasticity rule to a projection. The rule sees spikes in the step they are
    /// emitted (timing at the somata); see
    /// [`add_plasticity_with_timing`](Self::add_plasticity_with_timing) for timing at the
    /// synapse.
    pub fn add_plasticity(&mut self, projection: ProjectionId, rule: impl PlasticityRule + 'static) {
        let p = &mut self.projections[projection.0].0;
        let t = TransposeIndex::new(&p.weights);
        p.efficacy = rule.scales_transmission().then(|| vec![1.0; p.weights.nnz()]);
        p.rule = Some((Box::new(rule), t));
        p.timing = PlasticityDelays::default();
    }

    /// Attach a plasticity rule that sees presynaptic spikes `timing.axonal_delay_ms` and
    /// postsynaptic spikes `timing.dendritic_delay_ms` after their emission, so that it
    /// measures `Δt_syn = (t_post + d_dend) − (t_pre + d_axon)` (see the
    /// [module docs](crate::network#spike-timing-for-plasticity-axonal-and-dendritic-delays)).
    /// Zero delays are exactly [`add_plasticity`](Self::add_plasticity).
    ///
    /// Fails, naming the field and its value, if a delay is negative, not finite or not a
    /// whole number of steps, and refuses non-zero delays for rules that
    /// [scale transmission](PlasticityRule::scales_transmission) (short-term plasticity acts
    /// on the spikes as they are transmitted).
    ///
    /// ```
    /// use engram_core::prelude::*;
    /// use engram_neurons::{LifCond, LifCondParams};
    /// use engram_plasticity::{PairStdp, PairStdpParams};
    /// use engram_sim::network::PlasticityTiming;
    /// use engram_sim::prelude::*;
    ///
    /// let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    /// b.add_population("E", LifCond::new(2, LifCondParams::coba().check().unwrap())).unwrap();
    /// let proj = b.connect("E", "E", "exc", sprs::CsMatI::eye(2), Delay::Ms(1.5)).unwrap();
    /// let stdp = PairStdp::new(PairStdpParams::default().check().unwrap(), 2, 2);
    /// // Brian2's convention: the transmission delay is axonal, for plasticity too
    /// let timing = PlasticityTiming { axonal_delay_ms: 1.5, dendritic_delay_ms: 0.0 };
    /// b.add_plasticity_with_timing(proj, stdp, timing).unwrap();
    ///
    /// let stdp = PairStdp::new(PairStdpParams::default().check().unwrap(), 2, 2);
    /// let bad = PlasticityTiming { axonal_delay_ms: 0.25, dendritic_delay_ms: 0.0 };
    /// let e = b.add_plasticity_with_timing(proj, stdp, bad).unwrap_err().to_string();
    /// assert!(e.starts_with("projections.E->E.plasticity_timing.axonal_delay_ms = 0.25 is not allowed"));
    /// ```
    pub fn add_plasticity_with_timing(
        &mut self,
        projection: ProjectionId,
        rule: impl PlasticityRule + 'static,
        timing: PlasticityTiming,
    ) -> Result<(), EngramError> {
        let dt_ms = self.clock.dt_ms();
        let p = &self.projections[projection.0].0;
        let field = |name: &str| format!("projections.{}.plasticity_timing.{name}", p.name);
        let d_axon = plasticity_delay_steps(field("axonal_delay_ms"), timing.axonal_delay_ms, dt_ms)?;
        let d_dend = plasticity_delay_steps(field("dendritic_delay_ms"), timing.dendritic_delay_ms, dt_ms)?;
        if rule.scales_transmission() && (d_axon, d_dend) != (0, 0) {
            return Err(EngramError::Other(format!(
                "projection `{}`: rule `{}` scales transmission (short-term plasticity) and takes no plasticity delays",
                p.name,
                rule.name()
            )));
        }
        self.add_plasticity(projection, rule);
        self.projections[projection.0].0.timing =
            PlasticityDelays { pre: SpikeDelayLine::new(d_axon), post: SpikeDelayLine::new(d_dend) };
        Ok(())
    }

    /// Add a stimulus acting on population `target`.
    pub fn add_stimulus(&mut self, target: &str, stimulus: impl Stimulus + 'static) -> Result<(), EngramError> {
        self.add_stimulus_boxed(target, Box::new(stimulus))
    }

    /// [`add_stimulus`](Self::add_stimulus) for a boxed stimulus.
    pub fn add_stimulus_boxed(&mut self, target: &str, stimulus: Box<dyn Stimulus>) -> Result<(), EngramError> {
        let t = self.population(target)?;
        let receptor = match stimulus.receptor() {
            Some(r) => Some(self.populations[t].receptor_index(r)?),
            None => {
                if let Body::Source(_) = self.populations[t].body {
                    return Err(EngramError::Other(format!("population `{target}` is a spike source")));
                }
                None
            }
        };
        if let Body::Neurons { stimulated, .. } = &mut self.populations[t].body {
            *stimulated = true;
        }
        self.stimuli.push(StimulusHandle { target: t, receptor, stimulus });
        Ok(())
    }

    /// Add a monitor; read it back after the run with [`Network::monitor`].
    pub fn add_monitor(&mut self, monitor: impl Monitor + 'static) -> MonitorId {
        self.monitors.push(Box::new(monitor));
        MonitorId(self.monitors.len() - 1)
    }

    /// Replace the divergence guard.
    pub fn divergence_guard(&mut self, guard: DivergenceGuard) -> &mut Self {
        self.guard = guard;
        self
    }

    /// Networks with at least this many neurons use rayon inside a step (default 20 000).
    /// Below it the per-step synchronisation costs more than it saves.
    pub fn parallel_min_neurons(&mut self, n: usize) -> &mut Self {
        self.parallel_min_neurons = n;
        self
    }

    /// The size of the chunks of consecutive neurons that parallel steps split each
    /// population into (default [`DEFAULT_CHUNK_NEURONS`]; see
    /// [`network`](crate::network#parallelism)). Results do not depend on it nor on the number
    /// of threads; smaller chunks balance the load better and cost more synchronisation and
    /// memory (one offset per CSR row and chunk of the target). At least 1, checked by
    /// [`build`](Self::build).
    pub fn chunk_neurons(&mut self, n: usize) -> &mut Self {
        self.chunk_neurons = n;
        self
    }

    /// Make this builder rank `partition.rank()` of a network split across
    /// `partition.n_ranks()` ranks that swap spikes through `exchange` (see [`Partition`],
    /// [`SpikeExchange`] and the [network docs](crate::network#across-ranks)). Every rank
    /// builds the same network from the same seeds and calls this before
    /// [`build`](Self::build), which keeps only the synapses onto the rank's own neurons
    /// (a builder [split](Self::split) before its projections were connected holds only
    /// those already); the ranks then exchange their spikes, so that every rank sees those of
    /// a single process.
    ///
    /// `build` makes one exchange (the ranks agree on the
    /// [exchange interval](Network::exchange_interval_steps)), so every rank of the group must
    /// build, or `build` waits for the missing ones. It fails if a plasticity rule does not
    /// declare itself [local to its targets](PlasticityRule::local_to_target). Monitors see every spike, but
    /// neuron state and weights only of the rank's own neurons and synapses.
    pub fn distribute(&mut self, partition: Partition, exchange: Box<dyn SpikeExchange>) -> &mut Self {
        self.distributed = Some((partition, exchange));
        self
    }

    /// On a [distributed](Self::distribute) network, exchange spikes after every step (an
    /// [exchange interval](Network::exchange_interval_steps) of 1) even where the shortest
    /// delay would allow longer intervals, so that monitors see each step's neuron state at
    /// that step (as in one process) rather than at the end of the interval: for recording
    /// neuron state across ranks. Every rank must ask for it alike (the ranks agree on the
    /// shortest interval any of them asks for). No effect in one process.
    pub fn exchange_every_step(&mut self) -> &mut Self {
        self.every_step = true;
        self
    }

    /// Make this builder rank `partition.rank()`'s part of a network split across
    /// `partition.n_ranks()` ranks *before* its projections are connected, so that the
    /// model's code can draw only the synapses onto the rank's own neurons
    /// ([`owned_targets`](Self::owned_targets); with
    /// `engram_connectivity::ConnectSpec::connect_onto`) and no rank ever holds the whole
    /// network. [`connect`](Self::connect) still takes whole matrices (what they hold onto other
    /// ranks' neurons is dropped at [`build`](Self::build)); a matrix drawn for this rank only
    /// has the whole matrix's shape and global indices, and only this rank's columns filled.
    ///
    /// `build` then needs [`distribute`](Self::distribute) with the same partition: a split
    /// builder holds only its rank's synapses, and could not run as one process.
    pub fn split(&mut self, partition: Partition) -> &mut Self {
        self.split = Some(partition);
        self
    }

    /// The partition set by [`split`](Self::split) or [`distribute`](Self::distribute).
    pub fn partition(&self) -> Option<Partition> {
        self.split.or(self.distributed.as_ref().map(|(p, _)| *p))
    }

    /// The postsynaptic neurons, of a population of `n_post`, whose incoming synapses this
    /// builder keeps: this rank's block ([`Partition::owned`]) once [`split`](Self::split)
    /// or [`distribute`](Self::distribute) was called, `None` (all of them) otherwise.
    ///
    /// ```
    /// use engram_sim::network::Partition;
    /// use engram_sim::prelude::*;
    /// let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    /// assert_eq!(b.owned_targets(10), None);
    /// b.split(Partition::new(1, 3).unwrap());
    /// assert_eq!(b.owned_targets(10), Some(4..7));
    /// ```
    pub fn owned_targets(&self, n_post: usize) -> Option<std::ops::Range<usize>> {
        self.partition().map(|p| p.owned(n_post))
    }

    /// Synapses stored so far (all projections connected until now).
    pub fn n_synapses(&self) -> usize {
        self.projections.iter().map(|(p, _)| p.weights.nnz()).sum()
    }

    /// [`build`](Self::build) for a [distributed](Self::distribute) network: keep the synapses
    /// onto this rank's neurons (transpose indices and efficacies follow).
    fn keep_own_synapses(&mut self, partition: Partition) -> Result<(), EngramError> {
        for (p, _) in &mut self.projections {
            let own = partition.owned(self.populations[p.post].len);
            if let Some((rule, _)) = &p.rule
                && !rule.local_to_target()
            {
                return Err(EngramError::Other(format!(
                    "projection `{}`: plasticity rule `{}` is not local to its targets, so it would not give the \
                     same weights with the projection's synapses split across ranks; run it in one process",
                    p.name,
                    rule.name()
                )));
            }
            keep_targets(p, &own);
            if let Some((_, t)) = &mut p.rule {
                *t = TransposeIndex::new(&p.weights);
            }
            if let Some(eff) = &mut p.efficacy {
                *eff = vec![1.0; p.weights.nnz()];
            }
        }
        Ok(())
    }

    /// On a rank of a distributed network, let each neuron population store only the rank's
    /// own neurons ([`NeuronModel::keep_block`]) when every stimulus that targets it
    /// [writes blocks](engram_core::stimulus::Stimulus::writes_blocks); a model that declines,
    /// and a population with a stimulus that writes whole populations only, keep every neuron.
    fn keep_own_neurons(&mut self, partition: Partition) {
        let whole_only: Vec<usize> =
            self.stimuli.iter().filter(|s| !s.stimulus.writes_blocks()).map(|s| s.target).collect();
        for (i, p) in self.populations.iter_mut().enumerate() {
            let own = partition.owned(p.len);
            if let Body::Neurons { model, current_pa, .. } = &mut p.body {
                if !whole_only.contains(&i) && model.keep_block(own.clone()) {
                    assert_eq!(model.len(), own.len(), "{}: keep_block({own:?}) left {} neurons", p.name, model.len());
                    *current_pa = vec![0.0; own.len()];
                    p.local = Some(own);
                }
            }
        }
    }

    /// Finish: allocate the delay buffers and bind the monitors.
    pub fn build(mut self) -> Result<Network, EngramError> {
        let distributed = self.distributed.take();
        match (self.split, &distributed) {
            (Some(split), None) => {
                return Err(EngramError::Other(format!(
                    "this builder was split for rank {} of {} (NetworkBuilder::split) but not distributed: it holds \
                     only that rank's synapses; call distribute with the same partition before build",
                    split.rank(),
                    split.n_ranks()
                )));
            }
            (Some(split), Some((partition, _))) if split != *partition => {
                return Err(EngramError::Other(format!(
                    "distribute(rank {} of {}) after split(rank {} of {}): a network is split one way only",
                    partition.rank(),
                    partition.n_ranks(),
                    split.rank(),
                    split.n_ranks()
                )));
            }
            _ => {}
        }
        if let Some((partition, _)) = &distributed {
            self.keep_own_synapses(*partition)?;
            self.keep_own_neurons(*partition);
        }
        if self.chunk_neurons == 0 {
            return Err(EngramError::Other(
                "chunk_neurons = 0: the chunks of a parallel step need at least 1 neuron (default 4096)".into(),
            ));
        }
        let ring_len = self.projections.iter().map(|(_, d)| *d as usize + 1).max().unwrap_or(2).max(2);
        let mut populations = self.populations;
        for p in &mut populations {
            if let Body::Neurons { model, ring, .. } = &mut p.body {
                *ring = vec![vec![vec![0.0; model.len()]; model.receptors().len()]; ring_len];
            }
        }
        let mut by_target = vec![Vec::new(); populations.len()];
        let mut projections: Vec<Projection> = self.projections.into_iter().map(|(p, _)| p).collect();
        for (i, p) in projections.iter().enumerate() {
            by_target[p.post].push(i);
        }
        let spikes = populations.iter().map(|p| Vec::with_capacity(p.len)).collect();
        let n_neurons: usize = populations.iter().map(|p| p.len).sum();
        let parallel = n_neurons >= self.parallel_min_neurons;
        let chunk_len = self.chunk_neurons;
        if parallel {
            for p in &mut projections {
                p.chunk_splits = chunks::chunk_splits(p, &populations[p.post], chunk_len);
            }
        }
        let tasks =
            if parallel { chunks::delivery_tasks(&populations, &by_target, chunk_len) } else { Default::default() };
        let check_every = self.clock.steps(self.guard.check_every_ms)?.max(1);
        let ceilings: Vec<RateCeiling> = populations
            .iter()
            .map(|p| match &p.body {
                Body::Neurons { model, .. } => self.guard.ceiling(model.refractory_ms()),
                Body::Source(_) => self.guard.ceiling(None),
            })
            .collect();
        let mut net = Network {
            clock: self.clock,
            seed: self.seed,
            step: 0,
            ring_len,
            spikes,
            spike_counts: vec![0; populations.len()],
            window_counts: vec![0; populations.len()],
            neuron_counts: populations.iter().map(|p| vec![0; p.len]).collect(),
            populations,
            projections,
            by_target,
            stimuli: self.stimuli,
            monitors: self.monitors,
            warned: vec![false; ceilings.len()],
            ceilings,
            guard: self.guard,
            check_every,
            parallel,
            chunk_len,
            tasks,
            ring_table: chunks::RingTable::default(),
            modulator: 0.0,
            steps_run: 0,
            distributed: None,
        };
        if let Some((part, exchange)) = distributed {
            // the shortest transmission delay of this rank's synapses (the ranks agree on the
            // shortest of all in `Distributed::new`)
            let min_delay_steps = net
                .projections
                .iter()
                .filter_map(|p| match &p.delay {
                    SynapseDelay::Uniform(d) => Some(*d),
                    SynapseDelay::PerSynapse(d) => d.iter().copied().min(),
                })
                .min();
            let min_delay_steps = if self.every_step { Some(1) } else { min_delay_steps };
            net.distributed = Some(Distributed::new(part, exchange, &net.populations, min_delay_steps)?);
        }
        let view = View { pops: &net.populations, spikes: &net.spikes, projections: &net.projections };
        for m in &mut net.monitors {
            m.bind(&view)?;
        }
        Ok(net)
    }
}
