//! [`PoissonInput`]: Brian2's `PoissonInput`, many independent Poisson trains per neuron folded
//! into one binomial draw per neuron per step.

use engram_core::checkpoint::ComponentState;
use engram_core::error::{EngramError, ParamError};
use engram_core::neuron::StepContext;
use engram_core::params::{Checked, Params, finite};
use engram_core::rng::{RngStream, stream};
use engram_core::stimulus::{Stimulus, StimulusTarget};
use engram_core::time::{Clock, Step};
use rand::Rng;
use rand_distr::{Binomial, Distribution};
use serde::{Deserialize, Serialize};

use crate::schedule::{RateSchedule, RateSpec};
use crate::targets::Targets;

/// Parameters of a [`PoissonInput`]. The defaults (100 inputs at 10 Hz of 0.1 on `exc`) are
/// only a starting point; set them from your model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PoissonInputParams {
    /// Receptor of the target population the input arrives on. Default `exc`.
    pub receptor: String,
    /// Independent Poisson trains per target neuron. Default 100.
    pub n_inputs: u32,
    /// Rate of each train: `Constant(rate_hz: ...)` or `Piecewise` with one rate per segment
    /// (`PerSource` must have exactly one value). Default `Constant(rate_hz: 10)`.
    pub rate: RateSpec,
    /// Weight of one input spike, in the receptor's unit (nS for conductances). Default 0.1.
    pub weight: f64,
    /// Neurons that receive the input. Default `All`.
    pub targets: Targets,
}

impl Default for PoissonInputParams {
    fn default() -> Self {
        Self {
            receptor: "exc".into(),
            n_inputs: 100,
            rate: RateSpec::Constant { rate_hz: 10.0 },
            weight: 0.1,
            targets: Targets::All,
        }
    }
}

impl Params for PoissonInputParams {
    fn validate(&self) -> Result<(), ParamError> {
        if self.receptor.is_empty() {
            return Err(ParamError::new("receptor", "\"\"", "the name of a receptor of the target population"));
        }
        self.rate.validate(1, "rate")?;
        finite("weight", self.weight)
    }
}

/// Brian2's `PoissonInput`: each target neuron receives `n_inputs` independent Poisson trains
/// of rate `r` with weight `w` on one receptor. In each step every target gets
/// `w · k`, `k ~ Binomial(n_inputs, p)` with `p = min(r · dt, 1)`, which is the sum of the
/// trains' per-step Bernoulli spikes. The mean input per step is `n_inputs · p · w`.
///
/// Sampling: while `n_inputs · p ≤ 30` the binomial is drawn by inversion of a cumulative
/// table built when the rate changes (exact up to double rounding; the table is cut where the
/// remaining tail is below 1e-17). If most targets get nothing in a step (`P(k = 0) ≥ 0.5`),
/// the targets that get something are found by geometric skips and their counts drawn from
/// the binomial conditioned on `k ≥ 1`, so the cost is proportional to the targets reached;
/// otherwise there is one uniform draw per target. Above `n_inputs · p = 30`,
/// `rand_distr::Binomial` is used. The rate may change over time through the same
/// [`RateSchedule`] mechanism as [`PoissonGroup`](crate::PoissonGroup), with one rate.
///
/// ```
/// use engram_core::prelude::*;
/// use engram_stimuli::{PoissonInput, PoissonInputParams, RateSpec};
///
/// let clock = Clock::new(0.1).unwrap();
/// let params = PoissonInputParams {
///     n_inputs: 1000, rate: RateSpec::Constant { rate_hz: 5.0 }, weight: 0.2, ..Default::default()
/// };
/// let mut input = PoissonInput::new(params.check().unwrap(), 50, 1, 2, clock).unwrap();
/// assert_eq!(input.receptor(), Some("exc"));
/// let (mut g, mut i_pa) = (vec![0.0; 50], vec![0.0; 50]);
/// for step in 0..1000 {
///     input.apply(&StepContext { step, dt_ms: 0.1 }, StimulusTarget { receptor: Some(&mut g), current_pa: &mut i_pa, first_neuron: 0 });
/// }
/// // expected per neuron: 1000 steps × 1000 inputs × 5 Hz × 0.1 ms × 0.2 = 100
/// let mean = g.iter().sum::<f64>() / 50.0;
/// assert!((mean - 100.0).abs() < 10.0, "{mean}");
/// assert!(i_pa.iter().all(|&x| x == 0.0));
/// ```
pub struct PoissonInput {
    receptor: String,
    n_inputs: u32,
    weight: f64,
    n_neurons: usize,
    targets: Option<Vec<u32>>,
    dt_ms: f64,
    seed: u64,
    stream_id: u64,
    trial: u64,
    rng: RngStream,
    schedule: Box<dyn RateSchedule>,
    rate_hz: [f64; 1],
    sampler: Sampler,
    /// Cumulative probabilities of k = 0, 1, ... (table sampler).
    cdf: Vec<f64>,
    next_change: Option<Step>,
    expected_step: Step,
}

#[derive(Clone, Copy, Debug)]
enum Sampler {
    /// p = 0: nothing arrives.
    Zero,
    /// p = 1: every input spikes every step.
    All,
    /// Inversion of `cdf`.
    Table,
    /// `rand_distr::Binomial`.
    Distr(Binomial),
}

/// Mean `n_inputs · p` up to which the table sampler is used.
const TABLE_MAX_MEAN: f64 = 30.0;

/// `P(k = 0)` from which the table sampler skips over targets that receive nothing.
const SKIP_ABOVE_P0: f64 = 0.5;

impl std::fmt::Debug for PoissonInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoissonInput")
            .field("receptor", &self.receptor)
            .field("n_inputs", &self.n_inputs)
            .field("weight", &self.weight)
            .field("rate_hz", &self.rate_hz[0])
            .field("seed", &self.seed)
            .field("stream_id", &self.stream_id)
            .finish_non_exhaustive()
    }
}

impl PoissonInput {
    /// Input into a population of `n_neurons`; random stream `stream(seed, stream_id, 0)`.
    /// Fails (naming `targets`) if a target index is out of range or repeated.
    pub fn new(
        params: Checked<PoissonInputParams>,
        n_neurons: usize,
        seed: u64,
        stream_id: u64,
        clock: Clock,
    ) -> Result<Self, ParamError> {
        let schedule = params.rate.to_schedule(clock);
        let params = params.into_inner();
        Self::with_schedule(params, schedule, n_neurons, seed, stream_id, clock)
    }

    /// Like [`new`](Self::new) but with any rate schedule (filling one rate); `params.rate` is
    /// ignored. The other parameters are validated here.
    pub fn with_schedule(
        params: PoissonInputParams,
        schedule: Box<dyn RateSchedule>,
        n_neurons: usize,
        seed: u64,
        stream_id: u64,
        clock: Clock,
    ) -> Result<Self, ParamError> {
        if params.receptor.is_empty() {
            return Err(ParamError::new("receptor", "\"\"", "the name of a receptor of the target population"));
        }
        finite("weight", params.weight)?;
        let targets = params.targets.resolve(n_neurons, "targets")?;
        let mut input = Self {
            receptor: params.receptor,
            n_inputs: params.n_inputs,
            weight: params.weight,
            n_neurons,
            targets,
            dt_ms: clock.dt_ms(),
            seed,
            stream_id,
            trial: 0,
            rng: stream(seed, stream_id, 0),
            schedule,
            rate_hz: [0.0],
            sampler: Sampler::Zero,
            cdf: Vec::new(),
            next_change: None,
            expected_step: 0,
        };
        input.update_rate(0);
        Ok(input)
    }

    /// The rate of each train in force at the last step, Hz.
    pub fn rate_hz(&self) -> f64 {
        self.rate_hz[0]
    }

    /// Weight of one input spike.
    pub fn weight(&self) -> f64 {
        self.weight
    }

    /// Number of trains per target neuron.
    pub fn n_inputs(&self) -> u32 {
        self.n_inputs
    }

    /// Rewind to step 0, keeping the random stream running (fresh draws for the next trial).
    pub fn reset(&mut self) {
        self.update_rate(0);
    }

    /// Restart the random stream from `stream(seed, stream_id, 0)` and rewind to step 0.
    pub fn reseed(&mut self, seed: u64) {
        self.seed = seed;
        self.start_trial(0);
    }

    /// Restart the random stream at `stream(seed, stream_id, trial)` and rewind to step 0.
    pub fn start_trial(&mut self, trial: u64) {
        self.trial = trial;
        self.rng = stream(self.seed, self.stream_id, trial);
        self.update_rate(0);
    }

    fn update_rate(&mut self, step: Step) {
        self.next_change = self.schedule.rates_hz(step, self.dt_ms, &mut self.rate_hz);
        self.expected_step = step;
        self.set_sampler(step);
    }

    /// The sampler for the rate in force (`step` only names it in the panic message).
    fn set_sampler(&mut self, step: Step) {
        let r = self.rate_hz[0];
        assert!(r.is_finite() && r >= 0.0, "PoissonInput: the schedule gave the rate {r} Hz at step {step}");
        let p = (r * self.dt_ms * 1e-3).min(1.0);
        let n = self.n_inputs;
        self.sampler = if p == 0.0 || n == 0 {
            Sampler::Zero
        } else if p >= 1.0 {
            Sampler::All
        } else if n as f64 * p <= TABLE_MAX_MEAN {
            self.build_table(n, p);
            // a rate so small that P(k = 0) rounds to 1: no target ever gets an input (and the
            // geometric skips over targets would have no length to draw)
            if self.cdf[0] >= 1.0 { Sampler::Zero } else { Sampler::Table }
        } else {
            Sampler::Distr(Binomial::new(n as u64, p).expect("0 < p < 1"))
        };
    }

    /// Cumulative binomial probabilities, cut where the remaining tail is negligible.
    fn build_table(&mut self, n: u32, p: f64) {
        self.cdf.clear();
        let mean = n as f64 * p;
        let ratio = p / (1.0 - p);
        // n·p ≤ 30 keeps (1-p)^n ≥ e^-30·… far above underflow.
        let mut pmf = (n as f64 * (-p).ln_1p()).exp();
        let mut cdf = pmf;
        self.cdf.push(cdf);
        let mut k = 0u32;
        while k < n && !(k as f64 > mean && pmf < 1e-17) {
            pmf *= (n - k) as f64 / (k + 1) as f64 * ratio;
            cdf += pmf;
            k += 1;
            self.cdf.push(cdf);
        }
    }

    #[inline]
    fn sample(&mut self) -> u32 {
        match self.sampler {
            Sampler::Zero => 0,
            Sampler::All => self.n_inputs,
            Sampler::Table => {
                let u: f64 = self.rng.r#gen();
                let mut k = 0;
                while k + 1 < self.cdf.len() && u >= self.cdf[k] {
                    k += 1;
                }
                k as u32
            }
            Sampler::Distr(b) => b.sample(&mut self.rng) as u32,
        }
    }

    /// A table draw conditioned on k ≥ 1: u uniform in [P(0), 1).
    #[inline]
    fn sample_nonzero(&mut self) -> u32 {
        let p0 = self.cdf[0];
        let u = p0 + (1.0 - p0) * self.rng.r#gen::<f64>();
        let mut k = 1;
        while k + 1 < self.cdf.len() && u >= self.cdf[k] {
            k += 1;
        }
        k as u32
    }
}

impl Stimulus for PoissonInput {
    fn receptor(&self) -> Option<&str> {
        Some(&self.receptor)
    }

    fn kind(&self) -> &str {
        "poisson_input"
    }

    fn writes_blocks(&self) -> bool {
        true
    }

    /// Saves the random stream, the rate in force, the next rate change, the expected next
    /// step, and the seed and trial; the sampler is rebuilt from the rate on load. The
    /// [`RateSchedule`] is not saved: by its contract its answer depends on the step only.
    fn save_state(&self) -> Result<ComponentState, EngramError> {
        ComponentState::new(self.kind())
            .with_f64("rate_hz", self.rate_hz.to_vec())
            .with_opt_u64("next_change", self.next_change)
            .with_u64("expected_step", vec![self.expected_step])
            .with_u64("seed_stream_trial", vec![self.seed, self.stream_id, self.trial])
            .with_u64("n_neurons", vec![self.n_neurons as u64])
            .with_blob("rng", &self.rng)
    }

    fn load_state(&mut self, state: &ComponentState) -> Result<(), EngramError> {
        state.check_kind(self.kind())?;
        let n = state.u64_scalar("n_neurons")?;
        if n != self.n_neurons as u64 {
            return Err(EngramError::Checkpoint(format!(
                "state of `poisson_input`: saved for {n} neurons, this input drives {}",
                self.n_neurons
            )));
        }
        let rng: RngStream = state.blob("rng")?;
        let mut rate = [0.0];
        state.read_f64("rate_hz", &mut rate)?;
        let mut ids = [0u64; 3];
        state.read_u64("seed_stream_trial", &mut ids)?;
        self.next_change = state.opt_u64("next_change")?;
        self.expected_step = state.u64_scalar("expected_step")?;
        [self.seed, self.stream_id, self.trial] = ids;
        self.rng = rng;
        self.rate_hz = rate;
        self.set_sampler(self.expected_step);
        Ok(())
    }

    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        Some(self)
    }

    fn apply(&mut self, ctx: &StepContext, target: StimulusTarget<'_>) {
        let step = ctx.step;
        if step != self.expected_step || self.next_change.is_some_and(|c| c <= step) {
            self.update_rate(step);
        }
        self.expected_step = step + 1;
        if matches!(self.sampler, Sampler::Zero) {
            return;
        }
        let first = target.first_neuron;
        let g = target.receptor.expect("PoissonInput needs the buffer of its receptor");
        assert!(
            first + g.len() <= self.n_neurons,
            "PoissonInput was built for {} neurons, not neurons {first}..{}",
            self.n_neurons,
            first + g.len()
        );
        let w = self.weight;
        let targets = self.targets.take();
        let n_targets = targets.as_ref().map_or(self.n_neurons, Vec::len);
        let index = |j: usize| targets.as_ref().map_or(j, |idx| idx[j] as usize);
        // Every target's count is drawn (the stream is the whole population's on every rank);
        // it is added only where the slice holds the target (all of them in one process).
        let mut add = |i: usize, k: u32| {
            if let Some(x) = g.get_mut(i.wrapping_sub(first)) {
                *x += w * k as f64;
            }
        };
        if matches!(self.sampler, Sampler::Table) && self.cdf[0] >= SKIP_ABOVE_P0 {
            // Most targets get nothing: jump over them with a geometric draw, then draw the count
            // of a target that gets something from the binomial conditioned on k ≥ 1.
            let ln_p0 = self.cdf[0].ln();
            let mut j = 0usize;
            loop {
                let u = 1.0 - self.rng.r#gen::<f64>();
                let skip = (u.ln() / ln_p0).floor();
                if skip >= (n_targets - j) as f64 {
                    break;
                }
                j += skip as usize;
                let k = self.sample_nonzero();
                add(index(j), k);
                j += 1;
            }
        } else {
            for j in 0..n_targets {
                let k = self.sample();
                if k > 0 {
                    add(index(j), k);
                }
            }
        }
        self.targets = targets;
    }
}
