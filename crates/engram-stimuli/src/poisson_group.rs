//! [`PoissonGroup`]: independent Poisson spike sources with scheduled rates.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use engram_core::checkpoint::ComponentState;
use engram_core::error::{EngramError, ParamError};
use engram_core::neuron::{SpikeSource, StepContext};
use engram_core::params::{Checked, Params};
use engram_core::rng::{RngStream, stream};
use engram_core::time::{Clock, Step};
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::schedule::{RateSchedule, RateSpec};

/// How a [`PoissonGroup`] draws its spikes. All methods give the same statistics: in each step
/// source `i` spikes with probability `p_i = min(rate_i · dt, 1)`, independently of other steps
/// and sources (Brian2's `PoissonGroup` rule). They consume random numbers differently, so the
/// spike trains differ between methods (each is reproducible on its own).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PoissonMethod {
    /// `NextSpike` while the mean `p` is below [`BERNOULLI_ABOVE_P`], `Bernoulli` above it.
    /// Re-decided whenever the rates change.
    #[default]
    Auto,
    /// Draw each source's next spike step from the geometric distribution and keep the pending
    /// spikes in a binary heap: cost per step ∝ spikes in the step (× log n), not sources.
    /// Best for the usual low rates (10 Hz at dt = 0.1 ms is p = 0.001).
    NextSpike,
    /// One uniform draw per source per step: cost ∝ sources. Best for high `rate · dt`.
    Bernoulli,
}

/// Mean spike probability per step above which [`PoissonMethod::Auto`] uses `Bernoulli`.
pub const BERNOULLI_ABOVE_P: f64 = 0.015;

/// Parameters of a [`PoissonGroup`]. Defaults: the zebrafish olfactory bulb baseline of the Dp
/// model, 1500 mitral cells at 6 Hz.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PoissonGroupParams {
    /// Number of sources (≥ 1). Default 1500.
    pub n_sources: usize,
    /// Rates over time. Default `Constant(rate_hz: 6)`.
    pub rates: RateSpec,
    /// Sampling method. Default `Auto`.
    pub method: PoissonMethod,
}

impl Default for PoissonGroupParams {
    fn default() -> Self {
        Self { n_sources: 1500, rates: RateSpec::Constant { rate_hz: 6.0 }, method: PoissonMethod::Auto }
    }
}

impl Params for PoissonGroupParams {
    fn validate(&self) -> Result<(), ParamError> {
        if self.n_sources == 0 || self.n_sources > u32::MAX as usize {
            return Err(ParamError::new("n_sources", self.n_sources, "between 1 and 2^32 - 1"));
        }
        self.rates.validate(self.n_sources, "rates")
    }
}

const NEVER: Step = Step::MAX;

/// `n` independent Poisson spike sources whose rates follow a [`RateSchedule`].
///
/// The schedule is asked for rates only at the steps it announces, so constant rates cost
/// nothing per step. When rates change, only the sources whose rate changed redraw their
/// pending spike (exact, since a Poisson process has no memory).
///
/// Reproducibility: the spikes depend only on `(seed, stream_id, trial)`, the schedule and the
/// method. [`reset`](Self::reset) rewinds to step 0 and continues the random stream (fresh
/// draws for the next trial); [`start_trial`](Self::start_trial) rewinds and restarts the
/// stream at chunk `trial`, so trial `k` is the same whichever trials ran before.
///
/// ```
/// use engram_core::prelude::*;
/// use engram_stimuli::{PoissonGroup, PoissonGroupParams, RateSpec};
///
/// let clock = Clock::new(0.1).unwrap();
/// let params = PoissonGroupParams { n_sources: 100, rates: RateSpec::Constant { rate_hz: 20.0 }, ..Default::default() };
/// let mut group = PoissonGroup::new(params.check().unwrap(), 42, 7, clock);
/// let (mut spikes, mut count) = (Vec::new(), 0);
/// for step in 0..10_000 {  // 1 s
///     spikes.clear();
///     group.emit(&StepContext { step, dt_ms: 0.1 }, &mut spikes);
///     assert!(spikes.windows(2).all(|w| w[0] < w[1]));
///     count += spikes.len();
/// }
/// assert!((1600..2400).contains(&count), "{count}"); // 100 × 20 Hz × 1 s = 2000 expected
/// ```
pub struct PoissonGroup {
    dt_ms: f64,
    seed: u64,
    stream_id: u64,
    trial: u64,
    rng: RngStream,
    method: PoissonMethod,
    /// `true`: next-spike heap; `false`: Bernoulli.
    use_heap: bool,
    schedule: Box<dyn RateSchedule>,
    rates_hz: Vec<f64>,
    scratch_hz: Vec<f64>,
    /// Spike probability per step.
    p: Vec<f64>,
    /// ln(1 - p), for the geometric draw.
    ln_q: Vec<f64>,
    /// Next spike step of each source (heap method); `NEVER` if none.
    next_spike: Vec<Step>,
    /// Pending spikes (step, source); an entry is stale unless `next_spike[source] == step`.
    heap: BinaryHeap<Reverse<(Step, u32)>>,
    heap_limit: usize,
    next_change: Option<Step>,
    /// The step `emit` expects next; anything else resynchronises.
    expected_step: Step,
}

impl std::fmt::Debug for PoissonGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoissonGroup")
            .field("n_sources", &self.rates_hz.len())
            .field("seed", &self.seed)
            .field("stream_id", &self.stream_id)
            .field("trial", &self.trial)
            .field("method", &self.method)
            .field("next_spike_heap", &self.use_heap)
            .finish_non_exhaustive()
    }
}

impl PoissonGroup {
    /// A group from checked parameters; its random stream is `stream(seed, stream_id, 0)`.
    pub fn new(params: Checked<PoissonGroupParams>, seed: u64, stream_id: u64, clock: Clock) -> Self {
        let schedule = params.rates.to_schedule(clock);
        Self::with_schedule(params.n_sources, schedule, params.method, seed, stream_id, clock)
    }

    /// A group of `n_sources` driven by any schedule (which must fill `n_sources` rates).
    pub fn with_schedule(
        n_sources: usize,
        schedule: Box<dyn RateSchedule>,
        method: PoissonMethod,
        seed: u64,
        stream_id: u64,
        clock: Clock,
    ) -> Self {
        assert!(n_sources <= u32::MAX as usize, "PoissonGroup: at most 2^32 - 1 sources");
        let heap_limit = 4 * n_sources + 16;
        let mut group = Self {
            dt_ms: clock.dt_ms(),
            seed,
            stream_id,
            trial: 0,
            rng: stream(seed, stream_id, 0),
            method,
            use_heap: true,
            schedule,
            rates_hz: vec![0.0; n_sources],
            scratch_hz: vec![0.0; n_sources],
            p: vec![0.0; n_sources],
            ln_q: vec![0.0; n_sources],
            next_spike: vec![NEVER; n_sources],
            heap: BinaryHeap::with_capacity(heap_limit + n_sources + 1),
            heap_limit,
            next_change: None,
            expected_step: 0,
        };
        group.sync(0);
        group
    }

    /// The rates in force at the last emitted step (after construction or a reset: step 0), Hz.
    pub fn rates_hz(&self) -> &[f64] {
        &self.rates_hz
    }

    /// The method in use now (`NextSpike` or `Bernoulli`; `Auto` resolved).
    pub fn method_in_use(&self) -> PoissonMethod {
        if self.use_heap { PoissonMethod::NextSpike } else { PoissonMethod::Bernoulli }
    }

    /// Seed of the random stream.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Component id of the random stream.
    pub fn stream_id(&self) -> u64 {
        self.stream_id
    }

    /// Rewind to step 0, keeping the random stream running: the next trial gets fresh draws.
    pub fn reset(&mut self) {
        self.sync(0);
    }

    /// Restart the random stream from `stream(seed, stream_id, 0)` and rewind to step 0.
    pub fn reseed(&mut self, seed: u64) {
        self.seed = seed;
        self.start_trial(0);
    }

    /// Restart the random stream at `stream(seed, stream_id, trial)` and rewind to step 0, so
    /// trial `k` draws the same spikes whichever trials ran before it.
    pub fn start_trial(&mut self, trial: u64) {
        self.trial = trial;
        self.rng = stream(self.seed, self.stream_id, trial);
        self.sync(0);
    }

    /// Ask the schedule for the rates at `step` and redraw every source from `step` on.
    fn sync(&mut self, step: Step) {
        self.next_change = self.schedule.rates_hz(step, self.dt_ms, &mut self.scratch_hz);
        self.rates_hz.copy_from_slice(&self.scratch_hz);
        for i in 0..self.rates_hz.len() {
            self.set_probability(i, step);
        }
        self.use_heap = self.choose_heap();
        if self.use_heap {
            for i in 0..self.rates_hz.len() {
                self.next_spike[i] = draw_next(&mut self.rng, step, self.p[i], self.ln_q[i]);
            }
            self.rebuild_heap();
        }
        self.expected_step = step;
    }

    /// Apply a scheduled rate change at `step`: only changed sources redraw.
    fn change(&mut self, step: Step) {
        self.next_change = self.schedule.rates_hz(step, self.dt_ms, &mut self.scratch_hz);
        if let Some(next) = self.next_change {
            assert!(next > step, "RateSchedule returned next change {next} at step {step}; it must be later");
        }
        let mut any_changed = false;
        for i in 0..self.rates_hz.len() {
            if self.scratch_hz[i] != self.rates_hz[i] {
                self.rates_hz[i] = self.scratch_hz[i];
                self.set_probability(i, step);
                any_changed = true;
            }
        }
        if !any_changed {
            return;
        }
        let use_heap = self.choose_heap();
        if use_heap != self.use_heap {
            self.use_heap = use_heap;
            if use_heap {
                for i in 0..self.rates_hz.len() {
                    self.next_spike[i] = draw_next(&mut self.rng, step, self.p[i], self.ln_q[i]);
                }
                self.rebuild_heap();
            }
            return;
        }
        if self.use_heap {
            for i in 0..self.rates_hz.len() {
                // `set_probability` marked changed sources by clearing their pending spike.
                if self.next_spike[i] == NEVER - 1 {
                    let next = draw_next(&mut self.rng, step, self.p[i], self.ln_q[i]);
                    self.next_spike[i] = next;
                    if next != NEVER {
                        self.heap.push(Reverse((next, i as u32)));
                        if self.heap.len() >= self.heap_limit {
                            self.rebuild_heap();
                        }
                    }
                }
            }
        }
    }

    /// Recompute `p` and `ln(1-p)` of source `i` from its rate; mark its pending spike for redraw.
    fn set_probability(&mut self, i: usize, step: Step) {
        let r = self.rates_hz[i];
        assert!(r.is_finite() && r >= 0.0, "RateSchedule gave source {i} the rate {r} Hz at step {step}");
        let p = (r * self.dt_ms * 1e-3).min(1.0);
        self.p[i] = p;
        self.ln_q[i] = (-p).ln_1p();
        self.next_spike[i] = NEVER - 1;
    }

    fn choose_heap(&self) -> bool {
        match self.method {
            PoissonMethod::NextSpike => true,
            PoissonMethod::Bernoulli => false,
            PoissonMethod::Auto => {
                let n = self.p.len().max(1) as f64;
                self.p.iter().sum::<f64>() / n <= BERNOULLI_ABOVE_P
            }
        }
    }

    /// Rebuild the heap from `next_spike` (drops stale entries), reusing its allocation.
    fn rebuild_heap(&mut self) {
        let mut entries = std::mem::take(&mut self.heap).into_vec();
        entries.clear();
        for (i, &next) in self.next_spike.iter().enumerate() {
            if next < NEVER - 1 {
                entries.push(Reverse((next, i as u32)));
            }
        }
        self.heap = BinaryHeap::from(entries);
    }
}

/// First spike step ≥ `from` of a source spiking with probability `p` per step.
#[inline]
fn draw_next(rng: &mut RngStream, from: Step, p: f64, ln_q: f64) -> Step {
    if p <= 0.0 {
        return NEVER;
    }
    if p >= 1.0 {
        return from;
    }
    // u in (0, 1]; k = floor(ln u / ln(1-p)) is geometric: P(k) = (1-p)^k p, k ≥ 0.
    let u = 1.0 - rng.r#gen::<f64>();
    let k = (u.ln() / ln_q).floor();
    if k >= 1e18 { NEVER } else { from.saturating_add(k as Step).min(NEVER - 2) }
}

impl SpikeSource for PoissonGroup {
    fn kind(&self) -> &str {
        "poisson"
    }

    /// Saves the random stream, the rates in force and their spike probabilities, the pending
    /// spike step of every source (the heap is rebuilt from them on load: stale heap entries
    /// never change what is emitted), the sampling method in use, the next rate change, the
    /// expected next step, and the seed and trial. The [`RateSchedule`] itself is not saved: by
    /// its contract its answer depends on the step only.
    fn save_state(&self) -> Result<ComponentState, EngramError> {
        ComponentState::new(self.kind())
            .with_f64("rates_hz", self.rates_hz.clone())
            .with_f64("p", self.p.clone())
            .with_f64("ln_q", self.ln_q.clone())
            .with_u64("next_spike", self.next_spike.clone())
            .with_u64("use_heap", vec![self.use_heap as u64])
            .with_opt_u64("next_change", self.next_change)
            .with_u64("expected_step", vec![self.expected_step])
            .with_u64("seed_stream_trial", vec![self.seed, self.stream_id, self.trial])
            .with_blob("rng", &self.rng)
    }

    fn load_state(&mut self, state: &ComponentState) -> Result<(), EngramError> {
        state.check_kind(self.kind())?;
        let n = self.rates_hz.len();
        for name in ["rates_hz", "p", "ln_q"] {
            if state.f64_array(name)?.len() != n {
                return Err(EngramError::Checkpoint(format!(
                    "state of `poisson`: `{name}` has {} values, expected {n}",
                    state.f64_array(name)?.len()
                )));
            }
        }
        let rng: RngStream = state.blob("rng")?;
        let mut ids = [0u64; 3];
        state.read_u64("seed_stream_trial", &mut ids)?;
        state.read_u64("next_spike", &mut self.next_spike)?;
        state.read_f64("rates_hz", &mut self.rates_hz)?;
        state.read_f64("p", &mut self.p)?;
        state.read_f64("ln_q", &mut self.ln_q)?;
        self.use_heap = state.u64_scalar("use_heap")? != 0;
        self.next_change = state.opt_u64("next_change")?;
        self.expected_step = state.u64_scalar("expected_step")?;
        [self.seed, self.stream_id, self.trial] = ids;
        self.rng = rng;
        if self.use_heap {
            self.rebuild_heap();
        } else {
            self.heap.clear();
        }
        Ok(())
    }

    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        Some(self)
    }

    fn len(&self) -> usize {
        self.rates_hz.len()
    }

    fn emit(&mut self, ctx: &StepContext, spikes: &mut Vec<u32>) {
        let step = ctx.step;
        debug_assert!((ctx.dt_ms - self.dt_ms).abs() <= 1e-12 * self.dt_ms, "dt differs from the group's clock");
        if step != self.expected_step {
            self.sync(step);
        } else if self.next_change.is_some_and(|c| c <= step) {
            self.change(step);
        }
        self.expected_step = step + 1;

        if self.use_heap {
            while let Some(&Reverse((s, i))) = self.heap.peek() {
                if s > step {
                    break;
                }
                self.heap.pop();
                let i_us = i as usize;
                if self.next_spike[i_us] != s {
                    continue; // stale: the source's rate changed after this was drawn
                }
                spikes.push(i);
                let next = draw_next(&mut self.rng, step + 1, self.p[i_us], self.ln_q[i_us]);
                self.next_spike[i_us] = next;
                if next != NEVER {
                    self.heap.push(Reverse((next, i)));
                }
            }
        } else {
            for (i, &p) in self.p.iter().enumerate() {
                if self.rng.r#gen::<f64>() < p {
                    spikes.push(i as u32);
                }
            }
        }
    }
}
