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
//! Parallelism (rayon, when the network is large enough and more than one thread is
//! available): populations advance in parallel (step 3), and spike delivery runs in parallel
//! over *target* populations (step 4), each target written by one thread in a fixed order of
//! projections and spikes. Every floating-point sum is therefore done in the same order
//! whatever the thread count, and results are bit-identical for 1, 2 or 4 threads.

use crate::checkpoint::{
    Checkpoint, FORMAT_VERSION, PlasticityDelayState, PopulationState, ProjectionState, StimulusState,
};
use crate::progress::{Every, Progress};
use crate::stimulus::StimulusHandle;
use engram_core::error::{EngramError, ParamError};
use engram_core::monitor::{Monitor, NetworkView};
use engram_core::neuron::{NeuronModel, SpikeSource, StepContext, StepInput};
use engram_core::plasticity::{PlasticityRule, SynapsesMut};
use engram_core::stimulus::{Stimulus, StimulusTarget};
use engram_core::time::Clock;
use rayon::prelude::*;
use sprs::CsMatI;

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

/// When a plasticity rule sees spikes: after an axonal delay for presynaptic spikes and a
/// dendritic (back-propagation) delay for postsynaptic ones, so that spike timing is evaluated
/// at the synapse, `Δt_syn = (t_post + d_dend) − (t_pre + d_axon)` (see the
/// [module docs](self)). Both delays must be finite, ≥ 0 and whole numbers of steps.
/// Default: both 0, the rule sees spikes when they are emitted (timing at the somata).
///
/// ```
/// use engram_sim::network::PlasticityTiming;
/// // Brian2's convention for a 1.5 ms synapse: the whole delay is axonal
/// let brian = PlasticityTiming { axonal_delay_ms: 1.5, ..Default::default() };
/// // NEST's stdp_synapse: the whole delay is dendritic
/// let nest = PlasticityTiming { dendritic_delay_ms: 1.5, ..Default::default() };
/// assert_eq!(brian.delta_t_syn_ms(10.0, 12.0), 0.5);
/// assert_eq!(nest.delta_t_syn_ms(10.0, 12.0), 3.5);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlasticityTiming {
    /// Delay from a presynaptic spike to its arrival at the synapse, as the rule sees it, ms.
    pub axonal_delay_ms: f64,
    /// Delay from a postsynaptic spike to its back-propagated arrival at the synapse, ms.
    pub dendritic_delay_ms: f64,
}

impl PlasticityTiming {
    /// The spike timing the rule sees for a presynaptic spike emitted at `t_pre_ms` and a
    /// postsynaptic spike emitted at `t_post_ms`:
    /// `(t_post + dendritic_delay_ms) − (t_pre + axonal_delay_ms)`.
    pub fn delta_t_syn_ms(&self, t_pre_ms: f64, t_post_ms: f64) -> f64 {
        (t_post_ms + self.dendritic_delay_ms) - (t_pre_ms + self.axonal_delay_ms)
    }
}

/// A delay in whole steps from a plasticity delay in ms: finite, ≥ 0 and a multiple of `dt`
/// (within 1e-6 of a step).
fn plasticity_delay_steps(field: String, ms: f64, dt_ms: f64) -> Result<u32, ParamError> {
    let steps = ms / dt_ms;
    let allowed = || format!("a finite delay >= 0 ms that is a whole number of steps (dt = {dt_ms} ms)");
    if !ms.is_finite() || ms < 0.0 || (steps - steps.round()).abs() > 1e-6 || steps.round() > u32::MAX as f64 {
        return Err(ParamError::new(field, ms, allowed()));
    }
    Ok(steps.round() as u32)
}

/// Spikes on their way to a plasticity rule: a ring of `d` spike lists (none for `d = 0`).
/// Slot `t mod d` holds the spikes emitted in step `t − d` until step `t` hands them out and
/// stores the spikes of step `t` in their place.
#[derive(Default)]
struct SpikeDelayLine {
    slots: Vec<Vec<u32>>,
    /// The spikes handed out in the current step (a reused buffer).
    arrived: Vec<u32>,
}

impl SpikeDelayLine {
    fn new(steps: u32) -> Self {
        Self { slots: vec![Vec::new(); steps as usize], arrived: Vec::new() }
    }

    /// Store the spikes emitted in `step` and return those that arrive in it (emitted `d` steps
    /// earlier; `emitted` itself without delay). Allocates only when a list outgrows its
    /// capacity.
    fn advance<'a>(&'a mut self, step: u64, emitted: &'a [u32]) -> &'a [u32] {
        if self.slots.is_empty() {
            return emitted;
        }
        let slot = (step % self.slots.len() as u64) as usize;
        self.arrived.clear();
        std::mem::swap(&mut self.arrived, &mut self.slots[slot]);
        self.slots[slot].extend_from_slice(emitted);
        &self.arrived
    }

    fn clear(&mut self) {
        self.slots.iter_mut().for_each(Vec::clear);
        self.arrived.clear();
    }

    /// The spikes in flight, slot by slot, concatenated, and the number in each slot.
    fn save(&self) -> (Vec<u32>, Vec<u32>) {
        (self.slots.concat(), self.slots.iter().map(|s| s.len() as u32).collect())
    }

    fn load(&mut self, spikes: &[u32], counts: &[u32]) {
        let mut start = 0;
        for (slot, &n) in self.slots.iter_mut().zip(counts) {
            slot.clear();
            slot.extend_from_slice(&spikes[start..start + n as usize]);
            start += n as usize;
        }
        self.arrived.clear();
    }
}

/// The axonal (pre) and dendritic (post) delay lines of one projection's plasticity rule.
#[derive(Default)]
struct PlasticityDelays {
    pre: SpikeDelayLine,
    post: SpikeDelayLine,
}

impl PlasticityDelays {
    fn is_delayed(&self) -> bool {
        !self.pre.slots.is_empty() || !self.post.slots.is_empty()
    }
}

/// When the engine declares a run diverged: a membrane potential that is NaN or infinite
/// (always an error), or a population whose mean rate over the last check window exceeds its
/// ceiling (runaway activity, an error or a warning: [`on_runaway`](Self::on_runaway)).
///
/// The ceiling of a population is `max_rate_hz` if it is set, else derived from the model's
/// refractory period ([`NeuronModel::refractory_ms`]): `min(500 Hz, 0.5 / t_ref)`, half the
/// highest rate the period allows (500 Hz for models without one). A network pinned at the
/// refractory limit therefore stops instead of reporting success.
///
/// ```
/// use engram_sim::network::{DivergenceGuard, RunawayAction};
/// let guard = DivergenceGuard::default();
/// assert_eq!(guard.rate_ceiling_hz(Some(5.0)), 100.0);   // 0.5 / 5 ms
/// assert_eq!(guard.rate_ceiling_hz(Some(0.5)), 500.0);   // capped
/// assert_eq!(guard.rate_ceiling_hz(None), 500.0);
/// let fixed = DivergenceGuard { max_rate_hz: Some(1000.0), on_runaway: RunawayAction::Warn, ..guard };
/// assert_eq!(fixed.rate_ceiling_hz(Some(5.0)), 1000.0);
/// ```
///
/// In RON (`run.divergence` of an experiment), `max_rate_hz: 1000.0` sets a fixed ceiling:
/// `(check_every_ms: 10.0, max_rate_hz: 1000.0, on_runaway: Warn)`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DivergenceGuard {
    /// Check every this many ms of simulated time.
    pub check_every_ms: f64,
    /// One fixed ceiling for every population, Hz: a population whose mean rate over the last
    /// check window exceeds it is a runaway. `None` (default): per population,
    /// `min(500, 0.5 / t_ref)` Hz (see [`rate_ceiling_hz`](Self::rate_ceiling_hz)).
    pub max_rate_hz: Option<f64>,
    /// What a runaway population does to the run. Default [`RunawayAction::Stop`].
    pub on_runaway: RunawayAction,
}

impl Default for DivergenceGuard {
    fn default() -> Self {
        Self { check_every_ms: 10.0, max_rate_hz: None, on_runaway: RunawayAction::Stop }
    }
}

/// The ceiling of models without a refractory period, and the cap of derived ceilings, Hz.
const DEFAULT_MAX_RATE_HZ: f64 = 500.0;

impl DivergenceGuard {
    /// The rate ceiling, Hz, of a population whose model has the refractory period
    /// `refractory_ms` ([`NeuronModel::refractory_ms`]): `max_rate_hz` if set, else
    /// `min(500, 0.5 / t_ref)` (500 without a refractory period).
    pub fn rate_ceiling_hz(&self, refractory_ms: Option<f64>) -> f64 {
        self.ceiling(refractory_ms).hz()
    }

    fn ceiling(&self, refractory_ms: Option<f64>) -> RateCeiling {
        match (self.max_rate_hz, refractory_ms) {
            (Some(hz), _) => RateCeiling::Fixed(hz),
            (None, Some(t_ref_ms)) if t_ref_ms > 0.0 && 500.0 / t_ref_ms < DEFAULT_MAX_RATE_HZ => {
                RateCeiling::Refractory { hz: 500.0 / t_ref_ms, t_ref_ms }
            }
            (None, t_ref_ms) => RateCeiling::Default { t_ref_ms },
        }
    }
}

/// What the divergence guard does when a population's rate exceeds its ceiling.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RunawayAction {
    /// Stop the run with [`EngramError::Diverged`] (default).
    #[default]
    Stop,
    /// Print one line to stderr the first time each population exceeds its ceiling and go on.
    Warn,
}

/// The rate ceiling of one population and where it comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
enum RateCeiling {
    /// `max_rate_hz` of the guard.
    Fixed(f64),
    /// `0.5 / t_ref`.
    Refractory { hz: f64, t_ref_ms: f64 },
    /// 500 Hz: no refractory period, or one so short that `0.5 / t_ref` is higher.
    Default { t_ref_ms: Option<f64> },
}

impl RateCeiling {
    fn hz(self) -> f64 {
        match self {
            RateCeiling::Fixed(hz) | RateCeiling::Refractory { hz, .. } => hz,
            RateCeiling::Default { .. } => DEFAULT_MAX_RATE_HZ,
        }
    }

    /// "the ceiling of 100 Hz = 0.5 / t_ref (5 ms); set ... to change it", for messages.
    fn describe(self, kind: &str) -> String {
        const HOW: &str = "set run.divergence.max_rate_hz to change it";
        match self {
            RateCeiling::Fixed(hz) => format!("max_rate_hz = {hz} Hz (run.divergence.max_rate_hz)"),
            RateCeiling::Refractory { hz, t_ref_ms } => format!(
                "the ceiling of {hz} Hz = 0.5 / t_ref ({t_ref_ms} ms), half the highest rate the refractory period of `{kind}` allows; {HOW}"
            ),
            RateCeiling::Default { t_ref_ms: None } => {
                format!("the default ceiling of {DEFAULT_MAX_RATE_HZ} Hz (`{kind}` has no refractory period); {HOW}")
            }
            RateCeiling::Default { t_ref_ms: Some(t) } => format!(
                "the default ceiling of {DEFAULT_MAX_RATE_HZ} Hz (0.5 / t_ref ({t} ms) of `{kind}` is higher); {HOW}"
            ),
        }
    }
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

enum Body {
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

struct Population {
    name: String,
    len: usize,
    body: Body,
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

enum SynapseDelay {
    Uniform(u32),
    PerSynapse(Vec<u32>),
}

/// The transpose index a plasticity rule needs beside the CSR weights.
struct Transpose {
    col_ptr: Vec<usize>,
    syn_of_post: Vec<u32>,
    pre_of_post: Vec<u32>,
}

struct Projection {
    name: String,
    pre: usize,
    post: usize,
    receptor: usize,
    weights: CsMatI<f64, u32, usize>,
    delay: SynapseDelay,
    rule: Option<(Box<dyn PlasticityRule>, Transpose)>,
    /// One efficacy per synapse, only for projections whose rule scales transmission.
    efficacy: Option<Vec<f64>>,
    /// What the rule sees when (empty lines: spikes as they are emitted).
    timing: PlasticityDelays,
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
        self.populations.push(Population { name: name.into(), len, body });
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
        self.populations.push(Population { name: name.into(), len, body: Body::Source(source) });
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
        let t = transpose(&p.weights);
        p.efficacy = rule.scales_transmission().then(|| vec![1.0; p.weights.nnz()]);
        p.rule = Some((Box::new(rule), t));
        p.timing = PlasticityDelays::default();
    }

    /// Attach a plasticity rule that sees presynaptic spikes `timing.axonal_delay_ms` and
    /// postsynaptic spikes `timing.dendritic_delay_ms` after their emission, so that it
    /// measures `Δt_syn = (t_post + d_dend) − (t_pre + d_axon)` (see the [module docs](self)).
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

    /// Finish: allocate the delay buffers and bind the monitors.
    pub fn build(self) -> Result<Network, EngramError> {
        let ring_len = self.projections.iter().map(|(_, d)| *d as usize + 1).max().unwrap_or(2).max(2);
        let mut populations = self.populations;
        for p in &mut populations {
            if let Body::Neurons { model, ring, .. } = &mut p.body {
                *ring = vec![vec![vec![0.0; p.len]; model.receptors().len()]; ring_len];
            }
        }
        let mut by_target = vec![Vec::new(); populations.len()];
        let projections: Vec<Projection> = self.projections.into_iter().map(|(p, _)| p).collect();
        for (i, p) in projections.iter().enumerate() {
            by_target[p.post].push(i);
        }
        let spikes = populations.iter().map(|p| Vec::with_capacity(p.len)).collect();
        let n_neurons: usize = populations.iter().map(|p| p.len).sum();
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
            parallel: n_neurons >= self.parallel_min_neurons,
            modulator: 0.0,
            steps_run: 0,
        };
        let view = View { pops: &net.populations, spikes: &net.spikes, projections: &net.projections };
        for m in &mut net.monitors {
            m.bind(&view)?;
        }
        Ok(net)
    }
}

fn transpose(w: &CsMatI<f64, u32, usize>) -> Transpose {
    let n_post = w.cols();
    let mut col_ptr = vec![0usize; n_post + 1];
    for &j in w.indices() {
        col_ptr[j as usize + 1] += 1;
    }
    for j in 0..n_post {
        col_ptr[j + 1] += col_ptr[j];
    }
    let mut fill = col_ptr.clone();
    let mut syn_of_post = vec![0u32; w.nnz()];
    let mut pre_of_post = vec![0u32; w.nnz()];
    let ip = w.indptr();
    let ip = ip.raw_storage();
    for i in 0..w.rows() {
        for k in ip[i]..ip[i + 1] {
            let j = w.indices()[k] as usize;
            syn_of_post[fill[j]] = k as u32;
            pre_of_post[fill[j]] = i as u32;
            fill[j] += 1;
        }
    }
    Transpose { col_ptr, syn_of_post, pre_of_post }
}

/// A built network, ready to run.
pub struct Network {
    clock: Clock,
    seed: u64,
    step: u64,
    ring_len: usize,
    populations: Vec<Population>,
    spikes: Vec<Vec<u32>>,
    spike_counts: Vec<u64>,
    window_counts: Vec<u64>,
    neuron_counts: Vec<Vec<u32>>,
    projections: Vec<Projection>,
    by_target: Vec<Vec<usize>>,
    stimuli: Vec<StimulusHandle>,
    monitors: Vec<Box<dyn Monitor>>,
    guard: DivergenceGuard,
    /// The divergence guard's rate ceiling of each population.
    ceilings: Vec<RateCeiling>,
    /// Populations the guard has warned about ([`RunawayAction::Warn`]).
    warned: Vec<bool>,
    check_every: u64,
    parallel: bool,
    modulator: f64,
    steps_run: u64,
}

struct View<'a> {
    pops: &'a [Population],
    spikes: &'a [Vec<u32>],
    projections: &'a [Projection],
}

impl NetworkView for View<'_> {
    fn population_names(&self) -> Vec<&str> {
        self.pops.iter().map(|p| p.name.as_str()).collect()
    }
    fn population(&self, name: &str) -> Option<usize> {
        self.pops.iter().position(|p| p.name == name)
    }
    fn population_len(&self, pop: usize) -> usize {
        self.pops[pop].len
    }
    fn spikes(&self, pop: usize) -> &[u32] {
        &self.spikes[pop]
    }
    fn state(&self, pop: usize, name: &str) -> Option<&[f64]> {
        match &self.pops[pop].body {
            Body::Neurons { model, .. } => model.state(name),
            Body::Source(_) => None,
        }
    }
    fn state_names(&self, pop: usize) -> Vec<&'static str> {
        match &self.pops[pop].body {
            Body::Neurons { model, .. } => model.state_names().to_vec(),
            Body::Source(_) => Vec::new(),
        }
    }
    fn projection_names(&self) -> Vec<&str> {
        self.projections.iter().map(|p| p.name.as_str()).collect()
    }
    fn projection(&self, name: &str) -> Option<usize> {
        self.projections.iter().position(|p| p.name == name)
    }
    fn weights(&self, projection: usize) -> Option<&[f64]> {
        self.projections.get(projection).map(|p| p.weights.data())
    }
}

/// FNV-1a hash of a projection's connectivity (row pointers, columns) and delays.
fn structure_hash(p: &Projection) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    let mut eat = |x: u64| {
        for b in x.to_le_bytes() {
            h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    let ip = p.weights.indptr();
    ip.raw_storage().iter().for_each(|&x| eat(x as u64));
    p.weights.indices().iter().for_each(|&x| eat(x as u64));
    match &p.delay {
        SynapseDelay::Uniform(d) => eat(*d as u64),
        SynapseDelay::PerSynapse(d) => d.iter().for_each(|&x| eat(x as u64 | 1 << 40)),
    }
    h
}

/// Put `where_` in front of a checkpoint error from a component.
fn within(e: EngramError, where_: &str) -> EngramError {
    match e {
        EngramError::Checkpoint(msg) => EngramError::Checkpoint(format!("{where_}: {msg}")),
        other => other,
    }
}

/// Advance one population (steps 1 and 3 of the loop).
fn advance(pop: &mut Population, spikes: &mut Vec<u32>, ctx: &StepContext, slot: usize) {
    spikes.clear();
    match &mut pop.body {
        Body::Source(src) => src.emit(ctx, spikes),
        Body::Neurons { model, ring, current_pa, stimulated } => {
            model.step(ctx, StepInput { receptors: &ring[slot], current_pa }, spikes);
            for buf in ring[slot].iter_mut() {
                buf.fill(0.0);
            }
            if *stimulated {
                current_pa.fill(0.0);
            }
        }
    }
}

/// Deliver this step's spikes of all projections onto one target population (step 4).
fn deliver(pop: &mut Population, incoming: &[usize], projections: &[Projection], spikes: &[Vec<u32>], step: u64) {
    let Body::Neurons { ring, .. } = &mut pop.body else { return };
    let ring_len = ring.len() as u64;
    for &pi in incoming {
        let p = &projections[pi];
        let pre_spikes = &spikes[p.pre];
        if pre_spikes.is_empty() {
            continue;
        }
        let ip = p.weights.indptr();
        let ip = ip.raw_storage();
        let (idx, w) = (p.weights.indices(), p.weights.data());
        match (&p.delay, &p.efficacy) {
            (SynapseDelay::Uniform(d), None) => {
                let buf = &mut ring[((step + *d as u64) % ring_len) as usize][p.receptor];
                for &i in pre_spikes {
                    let row = ip[i as usize]..ip[i as usize + 1];
                    for (&j, &wk) in idx[row.clone()].iter().zip(&w[row]) {
                        buf[j as usize] += wk;
                    }
                }
            }
            (SynapseDelay::PerSynapse(delays), None) => {
                for &i in pre_spikes {
                    for k in ip[i as usize]..ip[i as usize + 1] {
                        let slot = ((step + delays[k] as u64) % ring_len) as usize;
                        ring[slot][p.receptor][idx[k] as usize] += w[k];
                    }
                }
            }
            (SynapseDelay::Uniform(d), Some(eff)) => {
                let buf = &mut ring[((step + *d as u64) % ring_len) as usize][p.receptor];
                for &i in pre_spikes {
                    let row = ip[i as usize]..ip[i as usize + 1];
                    for ((&j, &wk), &ek) in idx[row.clone()].iter().zip(&w[row.clone()]).zip(&eff[row]) {
                        buf[j as usize] += wk * ek;
                    }
                }
            }
            (SynapseDelay::PerSynapse(delays), Some(eff)) => {
                for &i in pre_spikes {
                    for k in ip[i as usize]..ip[i as usize + 1] {
                        let slot = ((step + delays[k] as u64) % ring_len) as usize;
                        ring[slot][p.receptor][idx[k] as usize] += w[k] * eff[k];
                    }
                }
            }
        }
    }
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

    /// Total number of stored synapses.
    pub fn n_synapses(&self) -> usize {
        self.projections.iter().map(|p| p.weights.nnz()).sum()
    }

    /// Synaptic events delivered since build (or the last [`reset_counts`](Self::reset_counts)):
    /// the sum over spikes of the spiking neuron's out-degree in every projection. Computed
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

    /// Run for `duration_ms` of simulated time.
    pub fn run_ms(&mut self, duration_ms: f64) -> Result<(), EngramError> {
        self.run_ms_with(duration_ms, &RunOptions::default())
    }

    /// Run for `duration_ms` with options (progress bar), then finish the monitors.
    ///
    /// If [`run_steps`](Self::run_steps) stops with an error, the progress bar is cleared and
    /// the error returned after the monitors are flushed; on [`EngramError::Interrupted`]
    /// (see [`crate::interrupt`]) they are also finished, so every streamed file is complete up
    /// to the time reached. (Should writing them fail as well, that is printed to stderr and
    /// the run's error returned.)
    pub fn run_ms_with(&mut self, duration_ms: f64, options: &RunOptions) -> Result<(), EngramError> {
        let n = self.clock.steps(duration_ms)?;
        let progress = Progress::new(&options.label, n, "steps", Every::Tenth, options.progress);
        let chunk = (n / 200).max(1);
        let mut done = 0;
        while done < n {
            let k = chunk.min(n - done);
            if let Err(e) = self.run_steps(k) {
                progress.set_message(&format!("{:.2} s simulated", self.time_ms() / 1000.0));
                progress.abandon();
                let written = match e {
                    EngramError::Interrupted { .. } => self.finish_monitors(),
                    _ => self.flush_monitors(),
                };
                if let Err(w) = written {
                    eprintln!("error: writing the monitors' outputs after the run stopped: {w}");
                }
                return Err(e);
            }
            done += k;
            progress.set_message(&format!("{:.2} s simulated", self.time_ms() / 1000.0));
            progress.set_position(done);
        }
        progress.finish();
        self.finish_monitors()
    }

    /// Write what the monitors have buffered to their files ([`Monitor::flush`]) and go on
    /// recording: every streamed file is then complete and readable up to the current step.
    pub fn flush_monitors(&mut self) -> Result<(), EngramError> {
        self.monitors.iter_mut().try_for_each(|m| m.flush())
    }

    /// Flush and close the monitors' outputs (called at the end of `run_ms`; safe to call again).
    pub fn finish_monitors(&mut self) -> Result<(), EngramError> {
        for m in &mut self.monitors {
            m.finish()?;
        }
        Ok(())
    }

    /// Run `n` steps.
    ///
    /// After each complete step, checks for a stop request ([`crate::interrupt`]) and, if one
    /// is set, returns [`EngramError::Interrupted`] with the simulated time reached (the end
    /// of that step). The monitors are left open: [`run_ms_with`](Self::run_ms_with) finishes
    /// them, a caller of `run_steps` calls [`finish_monitors`](Self::finish_monitors).
    pub fn run_steps(&mut self, n: u64) -> Result<(), EngramError> {
        let parallel = self.parallel && rayon::current_num_threads() > 1;
        let stop = crate::interrupt::flag_ref();
        for _ in 0..n {
            self.step_once(parallel)?;
            if let Some(signal) = crate::interrupt::name(stop.load(std::sync::atomic::Ordering::Relaxed)) {
                return Err(EngramError::Interrupted { signal, time_ms: self.time_ms() });
            }
        }
        Ok(())
    }

    fn step_once(&mut self, parallel: bool) -> Result<(), EngramError> {
        let step = self.step;
        let ctx = StepContext { step, dt_ms: self.clock.dt_ms() };
        let slot = (step % self.ring_len as u64) as usize;

        // 2. stimuli write into this step's input
        for s in &mut self.stimuli {
            if let Body::Neurons { ring, current_pa, .. } = &mut self.populations[s.target].body {
                let receptor = s.receptor.map(|r| &mut ring[slot][r][..]);
                s.stimulus.apply(&ctx, StimulusTarget { receptor, current_pa });
            }
        }

        // 1 + 3. sources emit, neurons advance
        if parallel {
            self.populations
                .par_iter_mut()
                .zip(self.spikes.par_iter_mut())
                .for_each(|(p, s)| advance(p, s, &ctx, slot));
        } else {
            for (p, s) in self.populations.iter_mut().zip(self.spikes.iter_mut()) {
                advance(p, s, &ctx, slot);
            }
        }

        // 4. short-term plasticity sets the efficacies of this step's transmitting synapses
        //    (sequential: one rule per projection), then delivery, one writer per target
        for p in &mut self.projections {
            if let (Some((rule, _)), Some(eff)) = (&mut p.rule, &mut p.efficacy) {
                let row_ptr = p.weights.indptr();
                rule.before_delivery(&ctx, &self.spikes[p.pre], row_ptr.raw_storage(), eff);
            }
        }
        let (projections, spikes) = (&self.projections, &self.spikes);
        if parallel {
            self.populations
                .par_iter_mut()
                .zip(self.by_target.par_iter())
                .for_each(|(p, incoming)| deliver(p, incoming, projections, spikes, step));
        } else {
            for (p, incoming) in self.populations.iter_mut().zip(&self.by_target) {
                deliver(p, incoming, projections, spikes, step);
            }
        }

        // 5. plasticity (on the spikes that reach the synapse in this step)
        for p in &mut self.projections {
            if let Some((rule, t)) = &mut p.rule {
                // The matrix's own row pointers and columns beside its mutable values (no
                // copies; the rows of this step's spikes are still in cache from delivery).
                let (row_ptr, post, weights) = p.weights.view_mut().into_raw_storage();
                let syn = SynapsesMut {
                    row_ptr,
                    post,
                    weights,
                    col_ptr: &t.col_ptr,
                    syn_of_post: &t.syn_of_post,
                    pre_of_post: &t.pre_of_post,
                };
                let pre = p.timing.pre.advance(step, &self.spikes[p.pre]);
                let post = p.timing.post.advance(step, &self.spikes[p.post]);
                rule.step(&ctx, pre, post, self.modulator, syn);
            }
        }

        // 6. bookkeeping and monitors
        for ((s, total), (window, per_neuron)) in self
            .spikes
            .iter()
            .zip(&mut self.spike_counts)
            .zip(self.window_counts.iter_mut().zip(&mut self.neuron_counts))
        {
            *total += s.len() as u64;
            *window += s.len() as u64;
            for &i in s {
                per_neuron[i as usize] += 1;
            }
        }
        if !self.monitors.is_empty() {
            let view = View { pops: &self.populations, spikes: &self.spikes, projections: &self.projections };
            for m in &mut self.monitors {
                m.observe(&ctx, &view)?;
            }
        }
        self.step += 1;
        self.steps_run += 1;
        if self.step % self.check_every == 0 {
            self.check_divergence()?;
        }
        Ok(())
    }

    /// The complete dynamic state, for [`restore`](Self::restore) into this network or into
    /// one built the same way (see [`crate::checkpoint`]). Fails, naming it, if a model,
    /// source, stimulus or rule does not implement checkpoints. Monitors are not included.
    pub fn checkpoint(&self) -> Result<Checkpoint, EngramError> {
        let populations = self
            .populations
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let (state, is_source, n_receptors, ring, current_pa) = match &p.body {
                    Body::Neurons { model, ring, current_pa, .. } => (
                        model.save_state()?,
                        false,
                        model.receptors().len(),
                        ring.iter().flatten().flatten().copied().collect(),
                        current_pa.clone(),
                    ),
                    Body::Source(src) => (src.save_state()?, true, 0, Vec::new(), Vec::new()),
                };
                Ok(PopulationState {
                    name: p.name.clone(),
                    len: p.len,
                    is_source,
                    state,
                    n_receptors,
                    ring,
                    current_pa,
                    last_spikes: self.spikes[i].clone(),
                    spike_count: self.spike_counts[i],
                    window_count: self.window_counts[i],
                    neuron_counts: self.neuron_counts[i].clone(),
                })
            })
            .collect::<Result<_, EngramError>>()?;
        let projections = self
            .projections
            .iter()
            .map(|p| {
                Ok(ProjectionState {
                    name: p.name.clone(),
                    pre: self.populations[p.pre].name.clone(),
                    post: self.populations[p.post].name.clone(),
                    receptor: self.receptor_name(p),
                    shape: p.weights.shape(),
                    nnz: p.weights.nnz(),
                    structure_hash: structure_hash(p),
                    weights: p.weights.data().to_vec(),
                    efficacy: p.efficacy.clone(),
                    rule: p.rule.as_ref().map(|(r, _)| r.save_state()).transpose()?,
                    plasticity_delays: p.timing.is_delayed().then(|| {
                        let ((pre_spikes, pre_counts), (post_spikes, post_counts)) =
                            (p.timing.pre.save(), p.timing.post.save());
                        PlasticityDelayState { pre_spikes, pre_counts, post_spikes, post_counts }
                    }),
                })
            })
            .collect::<Result<_, EngramError>>()?;
        let stimuli = self
            .stimuli
            .iter()
            .map(|s| {
                Ok(StimulusState { target: self.populations[s.target].name.clone(), state: s.stimulus.save_state()? })
            })
            .collect::<Result<_, EngramError>>()?;
        Ok(Checkpoint {
            version: FORMAT_VERSION,
            dt_ms: self.clock.dt_ms(),
            seed: self.seed,
            step: self.step,
            steps_run: self.steps_run,
            modulator: self.modulator,
            ring_len: self.ring_len,
            populations,
            projections,
            stimuli,
        })
    }

    fn receptor_name(&self, p: &Projection) -> String {
        match &self.populations[p.post].body {
            Body::Neurons { model, .. } => model.receptors()[p.receptor].name.clone(),
            Body::Source(_) => String::new(),
        }
    }

    /// Check that `checkpoint` was taken from a network with this structure (step size,
    /// populations with their names, sizes and kinds, projections with their end points,
    /// receptors, shapes, connectivity and delays, rules, stimuli).
    fn check_structure(&self, ck: &Checkpoint) -> Result<(), EngramError> {
        let fail =
            |msg: String| Err(EngramError::Checkpoint(format!("the checkpoint does not fit this network: {msg}")));
        if ck.version != FORMAT_VERSION {
            return fail(format!("checkpoint version {}, this engine writes {FORMAT_VERSION}", ck.version));
        }
        if ck.dt_ms.to_bits() != self.clock.dt_ms().to_bits() {
            return fail(format!("dt = {} ms in the checkpoint, {} ms here", ck.dt_ms, self.clock.dt_ms()));
        }
        if ck.populations.len() != self.populations.len() {
            let names: Vec<&str> = ck.populations.iter().map(|p| p.name.as_str()).collect();
            return fail(format!(
                "{} populations ({}) in the checkpoint, {} here ({})",
                names.len(),
                names.join(", "),
                self.populations.len(),
                self.populations.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ")
            ));
        }
        for (p, c) in self.populations.iter().zip(&ck.populations) {
            if p.name != c.name || p.len != c.len {
                return fail(format!(
                    "population `{}` ({} neurons) here, `{}` ({}) in the checkpoint",
                    p.name, p.len, c.name, c.len
                ));
            }
            let (kind, is_source, n_receptors) = match &p.body {
                Body::Neurons { model, .. } => (model.kind().to_string(), false, model.receptors().len()),
                Body::Source(src) => (src.kind().to_string(), true, 0),
            };
            if kind != c.state.kind || is_source != c.is_source {
                return fail(format!(
                    "population `{}` is a `{kind}` here, a `{}` in the checkpoint",
                    p.name, c.state.kind
                ));
            }
            let ring = if is_source { 0 } else { self.ring_len * n_receptors * p.len };
            let current = if is_source { 0 } else { p.len };
            if c.n_receptors != n_receptors
                || c.ring.len() != ring
                || c.current_pa.len() != current
                || c.neuron_counts.len() != p.len
                || c.last_spikes.iter().any(|&i| i as usize >= p.len)
            {
                return fail(format!(
                    "population `{}`: delay buffers or counters of another size (longest delay or receptors differ)",
                    p.name
                ));
            }
        }
        if ck.projections.len() != self.projections.len() {
            return fail(format!(
                "{} projections in the checkpoint, {} here",
                ck.projections.len(),
                self.projections.len()
            ));
        }
        for (p, c) in self.projections.iter().zip(&ck.projections) {
            let (pre, post) = (&self.populations[p.pre].name, &self.populations[p.post].name);
            let what = format!("projection `{}` ({pre} -> {post})", p.name);
            if (pre, post) != (&c.pre, &c.post) || self.receptor_name(p) != c.receptor {
                return fail(format!(
                    "{what} here, `{}` ({} -> {}, receptor `{}`) in the checkpoint",
                    c.name, c.pre, c.post, c.receptor
                ));
            }
            if p.weights.shape() != c.shape || p.weights.nnz() != c.nnz || c.weights.len() != c.nnz {
                return fail(format!(
                    "{what}: {:?} with {} synapses here, {:?} with {} in the checkpoint",
                    p.weights.shape(),
                    p.weights.nnz(),
                    c.shape,
                    c.nnz
                ));
            }
            if structure_hash(p) != c.structure_hash {
                return fail(format!("{what}: same size, but other synapses or delays"));
            }
            let rule = p.rule.as_ref().map(|(r, _)| r.name().to_string());
            let saved = c.rule.as_ref().map(|r| r.kind.clone());
            if rule != saved {
                let show = |r: Option<String>| r.map_or("no plasticity rule".to_string(), |r| format!("`{r}`"));
                return fail(format!("{what}: {} here, {} in the checkpoint", show(rule), show(saved)));
            }
            if p.efficacy.as_ref().map(Vec::len) != c.efficacy.as_ref().map(Vec::len) {
                return fail(format!("{what}: short-term plasticity efficacies differ"));
            }
            let steps = |pre: usize, post: usize| format!("axonal {pre}, dendritic {post} steps");
            let here = steps(p.timing.pre.slots.len(), p.timing.post.slots.len());
            let saved =
                c.plasticity_delays.as_ref().map_or(steps(0, 0), |d| steps(d.pre_counts.len(), d.post_counts.len()));
            if here != saved {
                return fail(format!("{what}: plasticity delays of {here} here, {saved} in the checkpoint"));
            }
            if let Some(d) = &c.plasticity_delays {
                let (n_pre, n_post) = (self.populations[p.pre].len, self.populations[p.post].len);
                let fits = |spikes: &[u32], counts: &[u32], n: usize| {
                    counts.iter().map(|&c| c as usize).sum::<usize>() == spikes.len()
                        && spikes.iter().all(|&i| (i as usize) < n)
                };
                if !fits(&d.pre_spikes, &d.pre_counts, n_pre) || !fits(&d.post_spikes, &d.post_counts, n_post) {
                    return fail(format!("{what}: the spikes on their way to the plasticity rule do not fit"));
                }
            }
        }
        if ck.stimuli.len() != self.stimuli.len() {
            return fail(format!("{} stimuli in the checkpoint, {} here", ck.stimuli.len(), self.stimuli.len()));
        }
        for (k, (s, c)) in self.stimuli.iter().zip(&ck.stimuli).enumerate() {
            let target = &self.populations[s.target].name;
            if target != &c.target || s.stimulus.kind() != c.state.kind {
                return fail(format!(
                    "stimulus {k} is a `{}` on `{target}` here, a `{}` on `{}` in the checkpoint",
                    s.stimulus.kind(),
                    c.state.kind,
                    c.target
                ));
            }
        }
        Ok(())
    }

    /// Load a [`checkpoint`](Self::checkpoint) taken from this network or from one built the
    /// same way (same step size, populations, projections with the same synapses and delays,
    /// rules and stimuli); the next steps are then bit-identical to those that followed the
    /// checkpoint in the original run. A network of another structure is refused with an error
    /// naming the first difference, before anything changes; if a component refuses its state,
    /// the network is put back as it was. Monitors are left as they are.
    pub fn restore(&mut self, checkpoint: &Checkpoint) -> Result<(), EngramError> {
        self.check_structure(checkpoint)?;
        let backup = self.checkpoint()?;
        if let Err(e) = self.load_unchecked(checkpoint) {
            self.load_unchecked(&backup).expect("the network's own state loads back");
            return Err(e);
        }
        Ok(())
    }

    fn load_unchecked(&mut self, ck: &Checkpoint) -> Result<(), EngramError> {
        let ring_len = self.ring_len;
        for (i, (p, c)) in self.populations.iter_mut().zip(&ck.populations).enumerate() {
            match &mut p.body {
                Body::Neurons { model, ring, current_pa, .. } => {
                    model.load_state(&c.state).map_err(|e| within(e, &p.name))?;
                    let mut values = c.ring.iter();
                    for buf in ring.iter_mut().flatten().flatten() {
                        *buf = *values.next().expect("ring size checked");
                    }
                    debug_assert_eq!(ring.len(), ring_len);
                    current_pa.copy_from_slice(&c.current_pa);
                }
                Body::Source(src) => src.load_state(&c.state).map_err(|e| within(e, &p.name))?,
            }
            self.spikes[i].clear();
            self.spikes[i].extend_from_slice(&c.last_spikes);
            self.spike_counts[i] = c.spike_count;
            self.window_counts[i] = c.window_count;
            self.neuron_counts[i].copy_from_slice(&c.neuron_counts);
        }
        for (p, c) in self.projections.iter_mut().zip(&ck.projections) {
            p.weights.data_mut().copy_from_slice(&c.weights);
            if let (Some(eff), Some(saved)) = (&mut p.efficacy, &c.efficacy) {
                eff.copy_from_slice(saved);
            }
            if let (Some((rule, _)), Some(saved)) = (&mut p.rule, &c.rule) {
                rule.load_state(saved).map_err(|e| within(e, &p.name))?;
            }
            match &c.plasticity_delays {
                Some(d) => {
                    p.timing.pre.load(&d.pre_spikes, &d.pre_counts);
                    p.timing.post.load(&d.post_spikes, &d.post_counts);
                }
                None => {
                    p.timing.pre.clear();
                    p.timing.post.clear();
                }
            }
        }
        for (k, (s, c)) in self.stimuli.iter_mut().zip(&ck.stimuli).enumerate() {
            s.stimulus.load_state(&c.state).map_err(|e| within(e, &format!("stimulus {k}")))?;
        }
        self.step = ck.step;
        self.steps_run = ck.steps_run;
        self.modulator = ck.modulator;
        Ok(())
    }

    fn check_divergence(&mut self) -> Result<(), EngramError> {
        let window_s = self.clock.time_ms(self.check_every) / 1000.0;
        let time_ms = self.time_ms();
        for (k, p) in self.populations.iter().enumerate() {
            let rate = self.window_counts[k] as f64 / p.len as f64 / window_s;
            self.window_counts[k] = 0;
            let Body::Neurons { model, .. } = &p.body else { continue };
            if let Some(v) = model.state(model.potential_name()) {
                if let Some(i) = v.iter().position(|x| !x.is_finite()) {
                    return Err(EngramError::Diverged {
                        population: p.name.clone(),
                        neuron: i,
                        time_ms,
                        reason: format!("{} = {}", model.potential_name(), v[i]),
                    });
                }
            }
            let ceiling = self.ceilings[k];
            if rate > ceiling.hz() {
                let what = format!(
                    "runaway activity: mean rate {rate:.0} Hz over the last {:.1} ms exceeds {}",
                    window_s * 1000.0,
                    ceiling.describe(model.kind())
                );
                match self.guard.on_runaway {
                    RunawayAction::Stop => {
                        let counts = &self.neuron_counts[k];
                        let busiest = counts.iter().enumerate().max_by_key(|(_, c)| **c).map_or(0, |(i, _)| i);
                        return Err(EngramError::Diverged {
                            population: p.name.clone(),
                            neuron: busiest,
                            time_ms,
                            reason: format!("{what} (neuron given: the most active so far)"),
                        });
                    }
                    RunawayAction::Warn if !self.warned[k] => {
                        self.warned[k] = true;
                        eprintln!(
                            "warning: population `{}` at t = {time_ms:.1} ms: {what}; going on (on_runaway: Warn, reported once)",
                            p.name
                        );
                    }
                    RunawayAction::Warn => {}
                }
            }
        }
        Ok(())
    }
}
