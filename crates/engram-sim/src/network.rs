//! The network builder and the clock-driven loop.
//!
//! One step `t` does, in order:
//! 1. spike sources emit their spikes for step `t`;
//! 2. stimuli add to the receptor and current buffers of their targets;
//! 3. every neuron population advances one step with the input that arrives at `t`
//!    (the delay ring buffer's slot `t mod D`), and the slot is cleared;
//! 4. rules that scale transmission (short-term plasticity,
//!    [`PlasticityRule::scales_transmission`]) set the efficacies of the synapses about to
//!    transmit ([`PlasticityRule::before_delivery`]); then the spikes of step `t` walk their
//!    projections' CSR rows into slot `(t + delay) mod D`, carrying `weight × efficacy` on
//!    those projections and `weight` on all others;
//! 5. plasticity rules see the spikes of step `t` and update their projection's weights
//!    (with a [`PlasticityTiming`], the spikes of earlier steps instead: see below);
//! 6. monitors observe; every `check_every_steps` the divergence guard looks for NaN and
//!    runaway rates (above each population's ceiling, see [`DivergenceGuard`]).
//!
//! After each complete step, [`Network::run_steps`] ends the run if a stop was requested
//! (SIGINT, SIGTERM; see [`crate::interrupt`]).
//!
//! # Between steps
//!
//! Between two steps the network is consistent (the spikes of the last step delivered, seen by
//! the rules and the monitors) and may be changed: a projection's weights with
//! [`Network::weights_mut`] (values only: the connectivity stays), the modulator, a model's
//! state, a stimulus or spike source. Between two calls of [`Network::run_steps`] the caller
//! does so directly; within one run, [`Network::run_steps_with`] calls a closure before every
//! step:
//!
//! ```no_run
//! # use engram_core::error::EngramError;
//! # fn f(net: &mut engram_sim::Network, ie: engram_sim::ProjectionId) -> Result<(), EngramError> {
//! net.run_steps_with(20_000, |net, step| {
//!     if step == 10_000 {
//!         net.weights_mut(ie).data_mut().fill(0.0); // I->E off from t = 1 s (dt = 0.1 ms)
//!         net.set_modulator(1.0);                   // and plasticity on
//!     }
//!     Ok(())
//! })
//! # }
//! ```
//!
//! # Spike timing for plasticity: axonal and dendritic delays
//!
//! A rule attached with [`NetworkBuilder::add_plasticity`] sees every spike in the step it is
//! emitted: STDP timing is measured at the somata, whatever the projection's transmission delay.
//! [`NetworkBuilder::add_plasticity_with_timing`] instead evaluates timing *at the synapse*
//! (docs/models/mechanisms.md#spike-timing-at-the-synapse): a presynaptic spike emitted in step
//! `t_pre` reaches the rule in step `t_pre + d_axon`, a postsynaptic spike emitted in step `t_post`
//! (its back-propagating action potential) in step `t_post + d_dend`, so the rule measures
//!
//! ```text
//! Δt_syn = (t_post + d_dend) − (t_pre + d_axon)
//! ```
//!
//! with `d_axon = axonal_delay_ms` and `d_dend = dendritic_delay_ms` of the
//! [`PlasticityTiming`]. In step `t` the rule's `pre_spikes` are the presynaptic spikes of step
//! `t − d_axon` and its `post_spikes` the postsynaptic spikes of step `t − d_dend`; the
//! [`StepContext`] is that of step `t`, the step in which the spikes arrive. Within a step the
//! rule's own order applies to the delayed lists (the library's STDP rules take pre before
//! post, so arrivals in the same step count as `Δt_syn = 0`). NEST's `stdp_synapse` treats the
//! whole delay as dendritic, Brian2 as axonal; to mimic them set `dendritic_delay_ms` or
//! `axonal_delay_ms` to the transmission delay. The plasticity delays only move what the rule
//! sees: transmission keeps the projection's own [`Delay`].
//!
//! Each delayed side keeps a ring of `d` spike lists per projection (`d` in steps); the lists
//! are reused, growing only when a step has more spikes than the list has ever held. Spikes in
//! flight are part of [`Network::checkpoint`] and are dropped by
//! [`Network::reset_activity`]. Zero delays (the default) keep no ring and are exactly
//! `add_plasticity`.
//!
//! # Parallelism
//!
//! With rayon, when the network is large enough
//! ([`NetworkBuilder::parallel_min_neurons`]) and more than one thread is available, a step
//! splits its work by *chunks of consecutive neurons* of each population
//! ([`NetworkBuilder::chunk_neurons`], 4096 by default, fixed at build and independent of the
//! thread count), so one large population keeps every thread busy:
//! - step 3: populations advance in parallel, and a model that overrides
//!   [`NeuronModel::step_chunked`] (the library's `LifCond`) advances its chunks in parallel;
//! - step 4: each task (target population, chunk) delivers, for every projection onto the
//!   target in build order and every spike in order, the synapses of the spike's row whose
//!   targets lie in its chunk (a contiguous run of the sorted CSR row, its bounds precomputed
//!   per row), into its own neurons' buffers only.
//!
//! Each input element is written by one task and receives its terms in the order of the
//! sequential loop, so every floating-point sum is done in the same order whatever the thread
//! count: results are bit-identical for 1, 2 or 4 threads and to the sequential path. Stimuli,
//! short-term and long-term plasticity, bookkeeping and monitors stay sequential.
//!
//! # Across ranks
//!
//! [`NetworkBuilder::distribute`] makes a network one rank of several (MPI processes in
//! `engram-mpi`, or threads with [`ThreadGroup`]): each rank keeps the synapses onto its own
//! block of every population ([`NetworkBuilder::split`] before connecting lets the model
//! draw only those), and after step 3 the ranks swap their own neurons' spikes, so that
//! steps 4–6 run on every rank with the spike lists of a single process (see [`Partition`],
//! [`SpikeExchange`] and docs/guide/distributed.md): the spikes are identical for any number
//! of ranks. When every delay is at least `D > 1` steps
//! ([`Network::exchange_interval_steps`]), [`Network::run_steps`] runs steps 1–3 for `D`
//! steps, swaps their spikes once, then runs steps 4–6 of each of them in order.
//!
//! [`NeuronModel::step_chunked`]: engram_core::neuron::NeuronModel::step_chunked
//! [`StepContext`]: engram_core::neuron::StepContext

// The engine in parts: `builder` (NetworkBuilder), `step` (running: one step of the loop and
// the between-steps hook), `timing` (plasticity delay lines), `guard` (divergence guard),
// `view` (what monitors see); this file holds the Network, its parts and its accessors, and
// `crate::checkpoint` takes and restores its state.
mod builder;
mod chunks;
mod guard;
mod partition;
mod step;
mod timing;
mod view;

pub use builder::{DEFAULT_CHUNK_NEURONS, NetworkBuilder};
pub use engram_core::collective::AllGather;
pub use guard::{DivergenceGuard, RunawayAction};
pub use partition::{MAX_EXCHANGE_INTERVAL_STEPS, Partition, SpikeExchange, ThreadGroup};
pub use timing::PlasticityTiming;

use engram_connectivity::TransposeIndex;
use engram_core::error::EngramError;
use engram_core::monitor::Monitor;
use engram_core::neuron::{NeuronModel, SpikeSource};
use engram_core::plasticity::PlasticityRule;
use engram_core::stimulus::Stimulus;
use engram_core::time::Clock;
use sprs::{CsMatI, CsMatViewMutI};

use crate::stimulus::StimulusHandle;
use guard::RateCeiling;
use timing::PlasticityDelays;

/// Axonal delay of a projection.
#[derive(Clone, Debug, PartialEq)]
pub enum Delay {
    /// The same delay for every synapse, in steps (≥ 1).
    Steps(u32),
    /// The same delay for every synapse, in ms (rounded to the nearest step, at least one).
    Ms(f64),
    /// One delay per synapse in steps (≥ 1), aligned with the CSR data of the weights.
    PerSynapse(Vec<u32>),
}

/// Options for [`Network::run_ms_with`].
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Show a progress bar (simulated time and speed) on stderr.
    pub progress: bool,
    /// Label of the progress bar.
    pub label: String,
}

/// Handle to a monitor added with [`NetworkBuilder::add_monitor`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MonitorId(usize);

/// Handle to a projection added with [`NetworkBuilder::connect`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProjectionId(pub usize);

/// What a population is: neurons with their input buffers, or a spike source.
pub(crate) enum Body {
    /// `stimulated`: some stimulus targets the population, so `current_pa` must be cleared
    /// after each step (otherwise it stays zero and clearing it is skipped).
    Neurons {
        model: Box<dyn NeuronModel>,
        ring: Vec<Vec<Vec<f64>>>,
        current_pa: Vec<f64>,
        stimulated: bool,
    },
    Source(Box<dyn SpikeSource>),
}

/// A population of neurons or spike sources.
pub(crate) struct Population {
    pub(crate) name: String,
    pub(crate) len: usize,
    pub(crate) body: Body,
    /// On a rank of a network split across ranks, the neurons this rank stores when its
    /// model keeps only them ([`NeuronModel::keep_block`]): the model, its input buffers and
    /// injected currents hold the block, element `k` being neuron `block.start + k`. `None`:
    /// every neuron is stored (element `i` is neuron `i`).
    pub(crate) local: Option<std::ops::Range<usize>>,
}

impl Population {
    /// The first neuron stored (0 unless only a block is).
    pub(crate) fn first_stored(&self) -> usize {
        self.local.as_ref().map_or(0, |b| b.start)
    }
}

impl Population {
    fn receptor_index(&self, receptor: &str) -> Result<usize, EngramError> {
        match &self.body {
            Body::Neurons { model, .. } => model.receptors().iter().position(|r| r.name == receptor).ok_or_else(|| {
                EngramError::unknown("receptor", receptor, model.receptors().iter().map(|r| r.name.as_str()))
            }),
            Body::Source(_) => Err(EngramError::Other(format!(
                "population `{}` is a spike source and cannot receive input (receptor `{receptor}`)",
                self.name
            ))),
        }
    }
}

/// The transmission delays of a projection, in steps.
pub(crate) enum SynapseDelay {
    Uniform(u32),
    PerSynapse(Vec<u32>),
}

/// A projection: CSR weights (row = presynaptic neuron), delays, and the plasticity rule with
/// the transpose index it needs.
pub(crate) struct Projection {
    pub(crate) name: String,
    pub(crate) pre: usize,
    pub(crate) post: usize,
    pub(crate) receptor: usize,
    pub(crate) weights: CsMatI<f64, u32, usize>,
    pub(crate) delay: SynapseDelay,
    pub(crate) rule: Option<(Box<dyn PlasticityRule>, TransposeIndex)>,
    /// One efficacy per synapse, only for projections whose rule scales transmission.
    pub(crate) efficacy: Option<Vec<f64>>,
    /// What the rule sees when (empty lines: spikes as they are emitted).
    pub(crate) timing: PlasticityDelays,
    /// Where each chunk of the target starts in each row (parallel networks whose target
    /// has several chunks; see [`chunks::chunk_splits`]).
    pub(crate) chunk_splits: Option<chunks::ChunkSplits>,
}

/// Statistics of one population over the steps run so far.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PopulationStats {
    /// Population name.
    pub name: String,
    /// Number of neurons.
    pub n: usize,
    /// Total spikes.
    pub n_spikes: u64,
    /// Mean rate per neuron, Hz.
    pub rate_hz: f64,
}

/// A built network, ready to run: made by [`NetworkBuilder::build`], run with
/// [`run_ms`](Self::run_ms), [`run_steps`](Self::run_steps) or
/// [`run_steps_with`](Self::run_steps_with) (a closure between steps), saved and restored with
/// [`checkpoint`](Self::checkpoint) and [`restore`](Self::restore).
pub struct Network {
    pub(crate) clock: Clock,
    pub(crate) seed: u64,
    pub(crate) step: u64,
    pub(crate) ring_len: usize,
    pub(crate) populations: Vec<Population>,
    pub(crate) spikes: Vec<Vec<u32>>,
    pub(crate) spike_counts: Vec<u64>,
    pub(crate) window_counts: Vec<u64>,
    pub(crate) neuron_counts: Vec<Vec<u32>>,
    pub(crate) projections: Vec<Projection>,
    pub(crate) by_target: Vec<Vec<usize>>,
    pub(crate) stimuli: Vec<StimulusHandle>,
    pub(crate) monitors: Vec<Box<dyn Monitor>>,
    pub(crate) guard: DivergenceGuard,
    /// The divergence guard's rate ceiling of each population.
    pub(crate) ceilings: Vec<RateCeiling>,
    /// Populations the guard has warned about ([`RunawayAction::Warn`]).
    pub(crate) warned: Vec<bool>,
    pub(crate) check_every: u64,
    pub(crate) parallel: bool,
    /// Neurons per chunk of a parallel step.
    pub(crate) chunk_len: usize,
    /// The delivery tasks of a parallel step (empty for a sequential network).
    pub(crate) tasks: chunks::DeliveryTasks,
    /// Pointers to the input buffers, refilled before each parallel delivery.
    pub(crate) ring_table: chunks::RingTable,
    pub(crate) modulator: f64,
    pub(crate) steps_run: u64,
    /// This rank's part of a network split across ranks ([`NetworkBuilder::distribute`]).
    pub(crate) distributed: Option<partition::Distributed>,
}

impl Network {
    /// The clock.
    pub fn clock(&self) -> Clock {
        self.clock
    }

    /// The experiment seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The next step to be computed (= steps run since build).
    pub fn current_step(&self) -> u64 {
        self.step
    }

    /// Simulated time so far, ms.
    pub fn time_ms(&self) -> f64 {
        self.clock.time_ms(self.step)
    }

    /// Set the neuromodulatory signal plasticity rules see from now on.
    pub fn set_modulator(&mut self, value: f64) {
        self.modulator = value;
    }

    /// Index of a population by name.
    pub fn population_index(&self, name: &str) -> Result<usize, EngramError> {
        self.populations
            .iter()
            .position(|p| p.name == name)
            .ok_or_else(|| EngramError::unknown("population", name, self.populations.iter().map(|p| p.name.as_str())))
    }

    /// The neuron model of a population (`None` for spike sources).
    pub fn model(&self, name: &str) -> Result<Option<&dyn NeuronModel>, EngramError> {
        let i = self.population_index(name)?;
        Ok(match &self.populations[i].body {
            Body::Neurons { model, .. } => Some(model.as_ref()),
            Body::Source(_) => None,
        })
    }

    /// The neuron model of a population, mutable (initial conditions, perturbations).
    pub fn model_mut(&mut self, name: &str) -> Result<&mut dyn NeuronModel, EngramError> {
        let i = self.population_index(name)?;
        match &mut self.populations[i].body {
            Body::Neurons { model, .. } => Ok(model.as_mut()),
            Body::Source(_) => Err(EngramError::Other(format!("population `{name}` is a spike source"))),
        }
    }

    /// The spike source of a population, mutable (to change odors between trials, reseed).
    pub fn source_mut(&mut self, name: &str) -> Result<&mut dyn SpikeSource, EngramError> {
        let i = self.population_index(name)?;
        match &mut self.populations[i].body {
            Body::Source(s) => Ok(s.as_mut()),
            Body::Neurons { .. } => Err(EngramError::Other(format!("population `{name}` is not a spike source"))),
        }
    }

    /// The weights of a projection (CSR, row = presynaptic).
    pub fn weights(&self, projection: ProjectionId) -> &CsMatI<f64, u32, usize> {
        &self.projections[projection.0].weights
    }

    /// The weights of a projection, mutable: **values only**. The view (sprs'
    /// [`CsMatViewMutI`]) has the projection's row pointers and columns read-only, so the
    /// connectivity cannot change, and with it the delays, the transpose index of the
    /// plasticity rule and the structure a [checkpoint](Self::checkpoint) is checked against.
    /// Edit between steps (between two [`run_steps`](Self::run_steps), or in the closure of
    /// [`run_steps_with`](Self::run_steps_with)): spikes already on their way carry the weight
    /// they left with, the next spikes the new one. Weights are not checked: keep them finite
    /// (and within the bounds of the projection's rule, which clips them only when it next
    /// changes them). Rule state (traces, short-term efficacies) is not touched.
    ///
    /// ```
    /// # use engram_core::prelude::*;
    /// # use engram_neurons::{LifCond, LifCondParams};
    /// # use engram_sim::prelude::*;
    /// let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    /// b.add_population("E", LifCond::new(3, LifCondParams::coba().check().unwrap())).unwrap();
    /// let w = sprs::CsMatI::<f64, u32, usize>::new((3, 3), vec![0, 2, 3, 3], vec![1, 2, 0], vec![1.0, 2.0, 3.0]);
    /// let ee = b.connect("E", "E", "exc", w, Delay::Steps(1)).unwrap();
    /// let mut net = b.build().unwrap();
    /// let mut w = net.weights_mut(ee);
    /// w.scale(2.0);                                     // every weight
    /// if let Some(w01) = w.get_mut(0, 1) {              // one synapse
    ///     *w01 = 0.5;
    /// }
    /// for (pre, mut row) in w.outer_iterator_mut().enumerate() {
    ///     for (post, w) in row.iter_mut() {             // by presynaptic neuron
    ///         if pre + post == 2 {
    ///             *w += 1.0;
    ///         }
    ///     }
    /// }
    /// assert_eq!(net.weights(ee).data(), &[0.5, 5.0, 6.0]);
    /// ```
    pub fn weights_mut(&mut self, projection: ProjectionId) -> CsMatViewMutI<'_, f64, u32, usize> {
        self.projections[projection.0].weights.view_mut()
    }

    /// Replace a projection's connectivity and weights (structural change between steps, such
    /// as the turnover of `engram_plasticity::volatility::Turnover`): `weights` must have the
    /// projection's shape (presynaptic × postsynaptic neurons, CSR, row = presynaptic).
    /// Spikes already on their way keep the weights they left with.
    ///
    /// Only for projections whose structure nothing else depends on: no plasticity rule, or
    /// one that keeps state per neuron only
    /// ([`PlasticityRule::neuron_state_only`]; its index of the synapses is rebuilt), one delay
    /// for all synapses, and a network in one process. A [checkpoint](Self::checkpoint) taken after a
    /// rewiring restores only into a network rewired the same way (its structure hash differs
    /// from a freshly built one's).
    ///
    /// # Errors
    /// A shape that differs, a projection with a rule or per-synapse delays, or a distributed
    /// network: the error names the projection and what is allowed.
    ///
    /// ```
    /// # use engram_core::prelude::*;
    /// # use engram_neurons::{LifCond, LifCondParams};
    /// # use engram_sim::prelude::*;
    /// let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    /// b.add_population("E", LifCond::new(3, LifCondParams::coba().check().unwrap())).unwrap();
    /// let w = sprs::CsMatI::<f64, u32, usize>::new((3, 3), vec![0, 1, 2, 2], vec![1, 2], vec![1.0, 2.0]);
    /// let ee = b.connect("E", "E", "exc", w, Delay::Steps(1)).unwrap();
    /// let mut net = b.build().unwrap();
    /// // 0 -> 1 becomes 2 -> 1
    /// let moved = sprs::CsMatI::<f64, u32, usize>::new((3, 3), vec![0, 0, 1, 2], vec![2, 1], vec![2.0, 1.0]);
    /// net.rewire(ee, moved).unwrap();
    /// assert_eq!(net.weights(ee).indices(), &[2, 1]);
    /// ```
    pub fn rewire(&mut self, projection: ProjectionId, weights: CsMatI<f64, u32, usize>) -> Result<(), EngramError> {
        let chunk_len = self.chunk_len;
        let parallel = self.parallel;
        let distributed = self.distributed.is_some();
        let p = &self.projections[projection.0];
        let refuse = |why: String| Err(EngramError::Other(format!("cannot rewire projection `{}`: {why}", p.name)));
        if distributed {
            return refuse("the network is split across ranks (rewire a network in one process)".into());
        }
        if weights.shape() != p.weights.shape() {
            return refuse(format!(
                "the new weights are {:?} (presynaptic × postsynaptic), the projection {:?}",
                weights.shape(),
                p.weights.shape()
            ));
        }
        if !weights.is_csr() {
            return refuse("the new weights are CSC; give CSR (row = presynaptic neuron)".into());
        }
        if let Some((rule, _)) = &p.rule
            && (!rule.neuron_state_only() || p.efficacy.is_some())
        {
            return refuse(format!(
                "it has the plasticity rule `{}`, which keeps state per synapse (only projections \
                 without a rule, or whose rule keeps state per neuron only, can be rewired)",
                rule.name()
            ));
        }
        if matches!(p.delay, SynapseDelay::PerSynapse(_)) {
            return refuse("it has one delay per synapse (only a uniform delay can be rewired)".into());
        }
        let post = p.post;
        let p = &mut self.projections[projection.0];
        if let Some((_, index)) = &mut p.rule {
            *index = TransposeIndex::new(&weights);
        }
        p.weights = weights;
        if parallel {
            p.chunk_splits = chunks::chunk_splits(p, &self.populations[post], chunk_len);
        }
        Ok(())
    }

    /// Index of a projection by name (see [`NetworkBuilder::name_projection`]).
    pub fn projection(&self, name: &str) -> Result<ProjectionId, EngramError> {
        self.projections
            .iter()
            .position(|p| p.name == name)
            .map(ProjectionId)
            .ok_or_else(|| EngramError::unknown("projection", name, self.projections.iter().map(|p| p.name.as_str())))
    }

    /// The name of a projection.
    pub fn projection_name(&self, projection: ProjectionId) -> &str {
        &self.projections[projection.0].name
    }

    /// Names of all projections, in build order.
    pub fn projection_names(&self) -> Vec<&str> {
        self.projections.iter().map(|p| p.name.as_str()).collect()
    }

    /// Number of stimuli, in the order they were added.
    pub fn n_stimuli(&self) -> usize {
        self.stimuli.len()
    }

    /// Stimulus `index` (in the order of [`NetworkBuilder::add_stimulus`]), mutable; reach its
    /// own methods (reseed, start a trial) with
    /// [`as_any_mut`](engram_core::stimulus::Stimulus::as_any_mut) and a downcast.
    pub fn stimulus_mut(&mut self, index: usize) -> Option<&mut dyn Stimulus> {
        Some(self.stimuli.get_mut(index)?.stimulus.as_mut())
    }

    /// Total number of stored synapses (on a rank of a [distributed](NetworkBuilder::distribute)
    /// network, this rank's: those onto its own neurons; see
    /// [`sum_over_ranks`](Self::sum_over_ranks)).
    pub fn n_synapses(&self) -> usize {
        self.projections.iter().map(|p| p.weights.nnz()).sum()
    }

    /// The rank and rank count of a [distributed](NetworkBuilder::distribute) network
    /// (`None` for a network in one process).
    pub fn partition(&self) -> Option<Partition> {
        self.distributed.as_ref().map(|d| d.partition)
    }

    /// The sum of `value` over the ranks of a [distributed](NetworkBuilder::distribute)
    /// network (`value` itself for a network in one process): for totals of per-rank counts
    /// such as [`n_synapses`](Self::n_synapses) and [`syn_events`](Self::syn_events). A
    /// collective call: every rank must make it at the same point, or the run hangs.
    pub fn sum_over_ranks(&self, value: u64) -> Result<u64, EngramError> {
        match &self.distributed {
            Some(d) => d.sum_u64(value),
            None => Ok(value),
        }
    }

    /// Give every rank of a [distributed](NetworkBuilder::distribute) network the
    /// concatenation of every rank's `send`, in rank order, in `recv`, and the length of each
    /// rank's part in `counts` (both cleared first); in one process, `send` itself and its
    /// length. For gathering what each rank recorded of its own neurons after a run. A
    /// collective call: every rank must make it at the same point (with an empty `send` if
    /// it has nothing to give), or the run hangs.
    pub fn all_gather_over_ranks(
        &mut self,
        send: &[u32],
        recv: &mut Vec<u32>,
        counts: &mut Vec<usize>,
    ) -> Result<(), EngramError> {
        match &mut self.distributed {
            Some(d) => d.all_gather(send, recv, counts),
            None => {
                recv.clear();
                recv.extend_from_slice(send);
                counts.clear();
                counts.push(send.len());
                Ok(())
            }
        }
    }

    /// [`all_gather_over_ranks`](Self::all_gather_over_ranks) to rank 0 only
    /// ([`SpikeExchange::gather_to_rank_0`]): `recv` and `counts` hold every rank's part on
    /// rank 0 and are empty on the others; in one process, `send` itself. A collective call.
    pub fn gather_to_rank_0_over_ranks(
        &mut self,
        send: &[u32],
        recv: &mut Vec<u32>,
        counts: &mut Vec<usize>,
    ) -> Result<(), EngramError> {
        match &mut self.distributed {
            Some(d) => d.gather_to_rank_0(send, recv, counts),
            None => self.all_gather_over_ranks(send, recv, counts),
        }
    }

    /// Synaptic events delivered since build (or the last [`reset_counts`](Self::reset_counts)):
    /// the sum over spikes of the spiking neuron's out-degree in every projection (on a rank
    /// of a distributed network, into this rank's synapses). Computed
    /// from the spike counters, so it costs nothing during the run.
    pub fn syn_events(&self) -> u64 {
        self.projections
            .iter()
            .map(|p| {
                let ip = p.weights.indptr();
                let ip = ip.raw_storage();
                self.neuron_counts[p.pre]
                    .iter()
                    .enumerate()
                    .map(|(i, &c)| c as u64 * (ip[i + 1] - ip[i]) as u64)
                    .sum::<u64>()
            })
            .sum()
    }

    /// Spikes of `name` in the last step.
    pub fn last_spikes(&self, name: &str) -> Result<&[u32], EngramError> {
        Ok(&self.spikes[self.population_index(name)?])
    }

    /// Spike count of every neuron of `name` since build (or the last [`reset_counts`](Self::reset_counts)).
    pub fn spike_counts(&self, name: &str) -> Result<&[u32], EngramError> {
        Ok(&self.neuron_counts[self.population_index(name)?])
    }

    /// Zero the spike counters (per population and per neuron).
    pub fn reset_counts(&mut self) {
        self.spike_counts.fill(0);
        self.neuron_counts.iter_mut().for_each(|c| c.fill(0));
        self.steps_run = 0;
    }

    /// Per-population statistics since build (or the last [`reset_counts`](Self::reset_counts)).
    pub fn stats(&self) -> Vec<PopulationStats> {
        let seconds = self.clock.time_ms(self.steps_run) / 1000.0;
        self.populations
            .iter()
            .zip(&self.spike_counts)
            .map(|(p, &n_spikes)| PopulationStats {
                name: p.name.clone(),
                n: p.len,
                n_spikes,
                rate_hz: if seconds > 0.0 { n_spikes as f64 / p.len as f64 / seconds } else { 0.0 },
            })
            .collect()
    }

    /// Return every neuron model to rest ([`NeuronModel::reset_state`]) and clear the delay
    /// buffers, injected currents, plasticity traces ([`PlasticityRule::reset_traces`]),
    /// short-term plasticity efficacies, spikes on their way to plasticity rules
    /// ([`PlasticityTiming`]), this step's spikes and the divergence guard's window, keeping
    /// weights (between trials).
    ///
    /// Not reset: the clock (see [`reset_clock`](Self::reset_clock)), the spike counters
    /// ([`reset_counts`](Self::reset_counts)), spike sources and stimuli (they own their
    /// random streams: reseed them or start a trial through [`source_mut`](Self::source_mut)
    /// and [`stimulus_mut`](Self::stimulus_mut)), and the monitors' records.
    pub fn reset_activity(&mut self) {
        for p in &mut self.populations {
            if let Body::Neurons { model, ring, current_pa, .. } = &mut p.body {
                model.reset_state();
                ring.iter_mut().flatten().for_each(|b| b.fill(0.0));
                current_pa.fill(0.0);
            }
        }
        for p in &mut self.projections {
            if let Some((rule, _)) = &mut p.rule {
                rule.reset_traces();
            }
            if let Some(eff) = &mut p.efficacy {
                eff.fill(1.0);
            }
            p.timing.pre.clear();
            p.timing.post.clear();
        }
        self.spikes.iter_mut().for_each(Vec::clear);
        self.window_counts.fill(0);
    }

    /// Start a new trial at t = 0: [`reset_activity`](Self::reset_activity) and set the clock
    /// back to step 0 (stimulus schedules and spike sources' `start_trial` count from there).
    /// The activity is reset too because the delay buffers and rules that remember spike
    /// steps (Tsodyks–Markram) assume that time only moves forward. Monitors then record times
    /// from 0 again.
    pub fn reset_clock(&mut self) {
        self.reset_activity();
        self.step = 0;
    }

    /// A monitor, downcast to its type.
    pub fn monitor<T: 'static>(&self, id: MonitorId) -> Option<&T> {
        self.monitors.get(id.0)?.as_any()?.downcast_ref::<T>()
    }

    /// A monitor, downcast to its type, mutable (for monitors that implement
    /// [`Monitor::as_any_mut`], such as [`WeightMonitor::take_samples`](crate::WeightMonitor::take_samples)).
    pub fn monitor_mut<T: 'static>(&mut self, id: MonitorId) -> Option<&mut T> {
        self.monitors.get_mut(id.0)?.as_any_mut()?.downcast_mut::<T>()
    }
}
