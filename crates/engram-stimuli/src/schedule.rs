//! Rate schedules: how the firing rates of Poisson sources change over time.
//!
//! A [`RateSchedule`] writes the rates in force from a step on and says at which step they next
//! change, so a source only asks it again then. A constant schedule therefore costs nothing per
//! step, and a slowly varying one (an odor response decaying over seconds) can be updated every
//! millisecond or every step, as its author chooses.
//!
//! [`RateSpec`] is the serialisable form used in configs (constant, per source, piecewise
//! constant); anything else implements [`RateSchedule`] directly or uses [`FnSchedule`].

use engram_core::error::ParamError;
use engram_core::params::non_negative;
use engram_core::time::{Clock, Step};
use serde::{Deserialize, Serialize};

/// Firing rates (Hz) of a set of sources as a function of the step.
///
/// The owner calls [`rates_hz`](RateSchedule::rates_hz) once at the start (or after a reset)
/// and afterwards only at the step the schedule announced. It may call it with any step,
/// including going back to step 0 after a trial reset, so the answer should depend on `step`
/// only, not on earlier calls.
///
/// Rates must be finite and ≥ 0; the spike probability per step is `min(rate_hz · dt, 1)`.
///
/// ```
/// use engram_stimuli::schedule::RateSchedule;
/// /// All sources at 5 Hz, then 20 Hz from step 1000 on.
/// struct Switch;
/// impl RateSchedule for Switch {
///     fn rates_hz(&mut self, step: u64, _dt_ms: f64, out: &mut [f64]) -> Option<u64> {
///         if step < 1000 { out.fill(5.0); Some(1000) } else { out.fill(20.0); None }
///     }
/// }
/// let mut rates = [0.0; 3];
/// assert_eq!(Switch.rates_hz(0, 0.1, &mut rates), Some(1000));
/// assert_eq!(rates, [5.0; 3]);
/// assert_eq!(Switch.rates_hz(1000, 0.1, &mut rates), None);
/// assert_eq!(rates, [20.0; 3]);
/// ```
pub trait RateSchedule: Send {
    /// Write into `out` (one entry per source) the rates in force from `step` on, and return the
    /// first step after `step` at which they change, or `None` if they never change again.
    fn rates_hz(&mut self, step: Step, dt_ms: f64, out: &mut [f64]) -> Option<Step>;
}

/// The same rates forever: one value for all sources, or one per source.
#[derive(Clone, Debug, PartialEq)]
pub struct ConstantRates {
    rates_hz: Vec<f64>,
}

impl ConstantRates {
    /// Every source at `rate_hz`.
    pub fn uniform(rate_hz: f64) -> Self {
        Self { rates_hz: vec![rate_hz] }
    }
    /// Source `i` at `rates_hz[i]` (a single value is used for all sources).
    pub fn per_source(rates_hz: Vec<f64>) -> Self {
        Self { rates_hz }
    }
}

impl RateSchedule for ConstantRates {
    fn rates_hz(&mut self, _step: Step, _dt_ms: f64, out: &mut [f64]) -> Option<Step> {
        broadcast(&self.rates_hz, out);
        None
    }
}

/// Piecewise-constant rates: segment `k` holds from its start step until the next segment's.
/// Before the first segment the rates are 0.
#[derive(Clone, Debug, PartialEq)]
pub struct PiecewiseRates {
    /// `(start step, rates)`, starts strictly increasing; rates have one entry or one per source.
    segments: Vec<(Step, Vec<f64>)>,
}

impl PiecewiseRates {
    /// From `(start step, rates)` pairs with strictly increasing starts.
    pub fn from_steps(segments: Vec<(Step, Vec<f64>)>) -> Self {
        debug_assert!(segments.windows(2).all(|w| w[0].0 < w[1].0), "segment starts must increase");
        Self { segments }
    }
}

impl RateSchedule for PiecewiseRates {
    fn rates_hz(&mut self, step: Step, _dt_ms: f64, out: &mut [f64]) -> Option<Step> {
        // Index of the first segment starting after `step`.
        let next = self.segments.partition_point(|(start, _)| *start <= step);
        if next == 0 {
            out.fill(0.0);
        } else {
            broadcast(&self.segments[next - 1].1, out);
        }
        self.segments.get(next).map(|(start, _)| *start)
    }
}

/// A schedule from a closure `f(step, dt_ms, out) -> next change`, for quick custom time courses.
///
/// ```
/// use engram_stimuli::schedule::{FnSchedule, RateSchedule};
/// // 6 Hz baseline plus 20 Hz decaying with tau = 1 s, updated every 1 ms (10 steps of 0.1 ms).
/// let mut decay = FnSchedule::new(|step, dt_ms, out: &mut [f64]| {
///     let t_ms = step as f64 * dt_ms;
///     out.fill(6.0 + 20.0 * (-t_ms / 1000.0).exp());
///     Some(step + 10)
/// });
/// let mut r = [0.0; 2];
/// assert_eq!(decay.rates_hz(0, 0.1, &mut r), Some(10));
/// assert_eq!(r, [26.0; 2]);
/// ```
pub struct FnSchedule<F>(F);

impl<F> FnSchedule<F>
where
    F: FnMut(Step, f64, &mut [f64]) -> Option<Step> + Send,
{
    /// Wrap the closure.
    pub fn new(f: F) -> Self {
        Self(f)
    }
}

impl<F> RateSchedule for FnSchedule<F>
where
    F: FnMut(Step, f64, &mut [f64]) -> Option<Step> + Send,
{
    fn rates_hz(&mut self, step: Step, dt_ms: f64, out: &mut [f64]) -> Option<Step> {
        (self.0)(step, dt_ms, out)
    }
}

impl<F> std::fmt::Debug for FnSchedule<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FnSchedule(..)")
    }
}

fn broadcast(rates_hz: &[f64], out: &mut [f64]) {
    if rates_hz.len() == 1 {
        out.fill(rates_hz[0]);
    } else {
        out.copy_from_slice(rates_hz);
    }
}

/// One segment of a piecewise-constant rate: the rates in force from `start_ms` on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateSegment {
    /// Start of the segment, ms (≥ 0; segments strictly increasing).
    pub start_ms: f64,
    /// Rates in Hz: one value for all sources, or one per source.
    pub rates_hz: Vec<f64>,
}

/// Rates as written in a config file.
///
/// In RON: `Constant(rate_hz: 10)`, `PerSource(rates_hz: [5, 6, 7])`, or
/// `Piecewise(segments: [(start_ms: 0, rates_hz: [6]), (start_ms: 500, rates_hz: [20])])`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum RateSpec {
    /// Every source at the same rate forever.
    Constant {
        /// Rate, Hz (≥ 0).
        rate_hz: f64,
    },
    /// A fixed rate per source.
    PerSource {
        /// Rate of each source, Hz (≥ 0); one entry per source.
        rates_hz: Vec<f64>,
    },
    /// Piecewise-constant rates; 0 Hz before the first segment.
    Piecewise {
        /// The segments, with strictly increasing `start_ms`.
        segments: Vec<RateSegment>,
    },
}

impl Default for RateSpec {
    fn default() -> Self {
        RateSpec::Constant { rate_hz: 10.0 }
    }
}

impl RateSpec {
    /// Check the rates for `n` sources; errors name the field below `prefix` (e.g. `rates`).
    pub fn validate(&self, n: usize, prefix: &str) -> Result<(), ParamError> {
        self.validate_unprefixed(n).map_err(|e| e.within(prefix))
    }

    fn validate_unprefixed(&self, n: usize) -> Result<(), ParamError> {
        match self {
            RateSpec::Constant { rate_hz } => non_negative("rate_hz", *rate_hz),
            RateSpec::PerSource { rates_hz } => check_rates("rates_hz", rates_hz, n, false),
            RateSpec::Piecewise { segments } => {
                if segments.is_empty() {
                    return Err(ParamError::new("segments", "[]", "at least one segment"));
                }
                let mut last = f64::NEG_INFINITY;
                for (k, seg) in segments.iter().enumerate() {
                    let field = format!("segments[{k}]");
                    non_negative("start_ms", seg.start_ms).map_err(|e| e.within(&field))?;
                    if seg.start_ms <= last {
                        return Err(ParamError::new(
                            "start_ms",
                            seg.start_ms,
                            format!("a time after the previous segment's start ({last} ms)"),
                        )
                        .within(&field));
                    }
                    last = seg.start_ms;
                    check_rates("rates_hz", &seg.rates_hz, n, true).map_err(|e| e.within(&field))?;
                }
                Ok(())
            }
        }
    }

    /// The schedule these rates describe, with times converted to steps of `clock`.
    ///
    /// Segments whose starts round to the same step are merged (the later one wins).
    pub fn to_schedule(&self, clock: Clock) -> Box<dyn RateSchedule> {
        match self {
            RateSpec::Constant { rate_hz } => Box::new(ConstantRates::uniform(*rate_hz)),
            RateSpec::PerSource { rates_hz } => Box::new(ConstantRates::per_source(rates_hz.clone())),
            RateSpec::Piecewise { segments } => {
                let mut steps: Vec<(Step, Vec<f64>)> = Vec::with_capacity(segments.len());
                for seg in segments {
                    let start = ms_to_step(clock, seg.start_ms);
                    match steps.last_mut() {
                        Some(last) if last.0 == start => last.1 = seg.rates_hz.clone(),
                        _ => steps.push((start, seg.rates_hz.clone())),
                    }
                }
                Box::new(PiecewiseRates::from_steps(steps))
            }
        }
    }
}

/// `rates` must be 1 value (if `broadcast_ok`) or `n` values, each finite and ≥ 0.
pub(crate) fn check_rates(field: &str, rates: &[f64], n: usize, broadcast_ok: bool) -> Result<(), ParamError> {
    let len_ok = rates.len() == n || (broadcast_ok && rates.len() == 1);
    if !len_ok {
        let allowed = if broadcast_ok { format!("1 or {n} values") } else { format!("{n} values (one per source)") };
        return Err(ParamError::new(field, format!("{} values", rates.len()), allowed));
    }
    for (i, r) in rates.iter().enumerate() {
        non_negative(&format!("{field}[{i}]"), *r)?;
    }
    Ok(())
}

/// The step in which time `ms` falls: step `k` covers `[k·dt, (k+1)·dt)`. A tolerance of
/// 1e-6 steps absorbs floating-point error (0.3 ms at dt = 0.1 ms is step 3, not 2).
pub(crate) fn ms_to_step(clock: Clock, ms: f64) -> Step {
    (ms / clock.dt_ms() + 1e-6).floor().max(0.0) as Step
}
