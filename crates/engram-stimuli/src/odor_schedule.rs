//! [`OdorSchedule`]: mitral-cell rates over time for a sequence of odor presentations, as a
//! [`RateSchedule`] that drives a [`PoissonGroup`].
//!
//! Between presentations every MC fires at the baseline. During a presentation of odor `o` with
//! onset `t_on`, activated MC `i` fires at `baseline + Δ_i·exp(−(t − t_on − latency_i)/τ_i)` from
//! `t_on + latency_i` on, inhibited MC `j` at `baseline − d_j` from `t_on + latency_j` on; at offset
//! all MCs return to baseline at once. Each presentation starts its latencies afresh, also when
//! it follows another presentation without a gap (the odor subspace trajectories).
//!
//! **Update grid.** The decaying rates are recomputed every `update_interval_ms` (default 1 ms)
//! from the presentation's onset, and held in between (the value at the grid point, i.e. the left
//! end of each interval: the mean rate over 2 s is overestimated by about Δ·interval/(2τ), below
//! 0.05% of Δ at 1 ms). Latency onsets and offsets fall on their exact steps, between grid points
//! if need be. During baseline the schedule announces no change until the next onset, so a
//! [`PoissonGroup`] costs nothing extra then; during an odor it is asked once per interval.
//!
//! **Trials.** The rates depend on the step only; the Poisson draws come from the group's random
//! stream, which runs on through the whole sequence, so every trial gets fresh spikes while the
//! odor (identities, rates, latencies) stays fixed. To run trials as separate simulations, build
//! a schedule per trial and call [`PoissonGroup::start_trial`] with the trial index: trial `k`
//! then draws the same spikes whatever ran before.
//!
//! ```
//! use engram_core::prelude::*;
//! use engram_stimuli::odor::{OdorParams, OdorSetParams, OdorSets};
//! use engram_stimuli::odor_schedule::{OdorSchedule, OdorTrialParams};
//! use engram_stimuli::schedule::RateSchedule;
//!
//! let clock = Clock::new(0.1).unwrap();
//! let sets = OdorSets::random(&OdorSetParams::default().check().unwrap(), 1);
//! let trial = OdorTrialParams::default().check().unwrap(); // 1 s baseline + 2 s odor
//! let order: Vec<usize> = (0..10).collect();
//! let mut schedule = OdorSchedule::trials(sets.learned.clone(), &order, &trial, clock).unwrap();
//! assert_eq!(schedule.duration_steps(), 300_000); // 10 odors × 3 s
//! let mut rates = vec![0.0; 1500];
//! // Baseline: no change announced until the first odor onset at 1 s.
//! assert_eq!(schedule.rates_hz(0, 0.1, &mut rates), Some(10_000));
//! assert!(rates.iter().all(|&r| r == 6.0));
//! // A whole PoissonGroup for the 30 s sequence:
//! let group = schedule.into_poisson_group(Default::default(), 42, 7);
//! ```

use engram_core::error::ParamError;
use engram_core::params::{Checked, Params, non_negative, positive};
use engram_core::time::{Clock, Step};
use serde::{Deserialize, Serialize};

use crate::odor::{ODOR_DURATION_MS, Odor};
use crate::poisson_group::{PoissonGroup, PoissonMethod};
use crate::schedule::{RateSchedule, ms_to_step};

/// Timing of standard odor trials: a baseline period followed by the odor. Defaults: 1 s + 2 s
/// (paper: odors "presented for 2 s and separated by 1 s of baseline"), rates updated every 1 ms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OdorTrialParams {
    /// Baseline before the odor in each trial, ms (≥ 0). Default 1000.
    pub baseline_ms: f64,
    /// Odor duration, ms (> 0). Default 2000.
    pub odor_ms: f64,
    /// Interval at which decaying rates are recomputed, ms (> 0). Default 1.
    pub update_interval_ms: f64,
}

impl Default for OdorTrialParams {
    fn default() -> Self {
        Self { baseline_ms: 1000.0, odor_ms: ODOR_DURATION_MS, update_interval_ms: 1.0 }
    }
}

impl Params for OdorTrialParams {
    fn validate(&self) -> Result<(), ParamError> {
        non_negative("baseline_ms", self.baseline_ms)?;
        positive("odor_ms", self.odor_ms)?;
        positive("update_interval_ms", self.update_interval_ms)
    }
}

/// One presentation of an odor, in ms.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Presentation {
    /// Index of the odor in the schedule's odor list.
    pub odor: usize,
    /// Onset time, ms (≥ 0).
    pub onset_ms: f64,
    /// Duration, ms (> 0).
    pub duration_ms: f64,
}

/// A presentation converted to steps, with the odor's latencies in steps.
#[derive(Clone, Copy, Debug, PartialEq)]
struct PresentationSteps {
    odor: usize,
    onset: Step,
    offset: Step,
}

/// Rates of the mitral cells over a sequence of odor presentations. See the [module docs](self).
#[derive(Clone, Debug)]
pub struct OdorSchedule {
    odors: Vec<Odor>,
    /// Per odor: latency of each activated / inhibited cell in steps (same order as the odor's).
    latency_steps: Vec<(Vec<Step>, Vec<Step>)>,
    presentations: Vec<PresentationSteps>,
    dt_ms: f64,
    update_steps: Step,
    n_mitral_cells: usize,
    baseline_rate_hz: f64,
}

impl OdorSchedule {
    /// A schedule of `presentations` (in time order, not overlapping; back-to-back allowed) of
    /// `odors` (at least one; all with the same MC count and baseline). Times are rounded to
    /// steps of `clock` (a time falls in the step that contains it).
    pub fn new(
        odors: Vec<Odor>,
        presentations: &[Presentation],
        update_interval_ms: f64,
        clock: Clock,
    ) -> Result<Self, ParamError> {
        positive("update_interval_ms", update_interval_ms)?;
        let first = odors.first().ok_or_else(|| ParamError::new("odors", "[]", "at least one odor"))?;
        if let Some(k) = odors.iter().position(|o| !o.is_compatible(first)) {
            return Err(ParamError::new(
                format!("odors[{k}]"),
                "an odor",
                "the same n_mitral_cells and baseline_rate_hz as odors[0]",
            ));
        }
        let (n_mitral_cells, baseline_rate_hz) = (first.n_mitral_cells(), first.baseline_rate_hz());
        let mut steps = Vec::with_capacity(presentations.len());
        let mut last_offset = 0;
        for (k, p) in presentations.iter().enumerate() {
            let field = format!("presentations[{k}]");
            if p.odor >= odors.len() {
                return Err(ParamError::new("odor", p.odor, format!("an odor index < {}", odors.len())).within(&field));
            }
            non_negative("onset_ms", p.onset_ms).map_err(|e| e.within(&field))?;
            positive("duration_ms", p.duration_ms).map_err(|e| e.within(&field))?;
            let onset = ms_to_step(clock, p.onset_ms);
            let offset = ms_to_step(clock, p.onset_ms + p.duration_ms);
            if offset <= onset {
                return Err(ParamError::new("duration_ms", p.duration_ms, "at least one step").within(&field));
            }
            if k > 0 && onset < last_offset {
                return Err(ParamError::new(
                    "onset_ms",
                    p.onset_ms,
                    "a time at or after the end of the previous presentation",
                )
                .within(&field));
            }
            last_offset = offset;
            steps.push(PresentationSteps { odor: p.odor, onset, offset });
        }
        let to_steps = |ms: f64| ms_to_step(clock, ms);
        let latency_steps = odors
            .iter()
            .map(|o| {
                (
                    o.activated().iter().map(|c| to_steps(c.latency_ms)).collect(),
                    o.inhibited().iter().map(|c| to_steps(c.latency_ms)).collect(),
                )
            })
            .collect();
        let update_steps = ((update_interval_ms / clock.dt_ms()).round() as Step).max(1);
        Ok(Self {
            odors,
            latency_steps,
            presentations: steps,
            dt_ms: clock.dt_ms(),
            update_steps,
            n_mitral_cells,
            baseline_rate_hz,
        })
    }

    /// Standard trials: trial `k` presents `odors[sequence[k]]` after `trial.baseline_ms` of
    /// baseline, for `trial.odor_ms`; trials follow each other without gaps, so the sequence lasts
    /// `sequence.len() · (baseline_ms + odor_ms)` (10 odors: 30 s).
    pub fn trials(
        odors: Vec<Odor>,
        sequence: &[usize],
        trial: &Checked<OdorTrialParams>,
        clock: Clock,
    ) -> Result<Self, ParamError> {
        let period_ms = trial.baseline_ms + trial.odor_ms;
        let presentations: Vec<Presentation> = sequence
            .iter()
            .enumerate()
            .map(|(k, &odor)| Presentation {
                odor,
                onset_ms: k as f64 * period_ms + trial.baseline_ms,
                duration_ms: trial.odor_ms,
            })
            .collect();
        Self::new(odors, &presentations, trial.update_interval_ms, clock)
    }

    /// The step at which the last presentation ends (for trials: the end of the last trial).
    pub fn duration_steps(&self) -> Step {
        self.presentations.last().map_or(0, |p| p.offset)
    }

    /// Number of mitral cells (sources).
    pub fn n_mitral_cells(&self) -> usize {
        self.n_mitral_cells
    }

    /// The odors, indexed as in the presentations.
    pub fn odors(&self) -> &[Odor] {
        &self.odors
    }

    /// The presentations as `(odor index, onset step, offset step)`; the odor is on in steps
    /// `onset..offset`.
    pub fn presentation_steps(&self) -> impl Iterator<Item = (usize, Step, Step)> + '_ {
        self.presentations.iter().map(|p| (p.odor, p.onset, p.offset))
    }

    /// A [`PoissonGroup`] of `n_mitral_cells` sources driven by this schedule, with random stream
    /// `(seed, stream_id, 0)`.
    pub fn into_poisson_group(self, method: PoissonMethod, seed: u64, stream_id: u64) -> PoissonGroup {
        let clock = Clock::new(self.dt_ms).expect("dt of a valid clock");
        let n = self.n_mitral_cells;
        PoissonGroup::with_schedule(n, Box::new(self), method, seed, stream_id, clock)
    }
}

impl RateSchedule for OdorSchedule {
    fn rates_hz(&mut self, step: Step, dt_ms: f64, out: &mut [f64]) -> Option<Step> {
        debug_assert!((dt_ms - self.dt_ms).abs() <= 1e-12 * self.dt_ms, "dt differs from the schedule's clock");
        out.fill(self.baseline_rate_hz);
        // The last presentation starting at or before `step`.
        let k = self.presentations.partition_point(|p| p.onset <= step);
        let current = k.checked_sub(1).map(|i| self.presentations[i]).filter(|p| step < p.offset);
        let Some(p) = current else {
            return self.presentations.get(k).map(|p| p.onset);
        };
        let since = step - p.onset;
        let mut next = p.offset.min(p.onset + (since / self.update_steps + 1) * self.update_steps);
        let odor = &self.odors[p.odor];
        let (act_lat, inh_lat) = &self.latency_steps[p.odor];
        for (c, &lat) in odor.activated().iter().zip(act_lat) {
            if since >= lat {
                let t_ms = (since - lat) as f64 * self.dt_ms;
                out[c.mitral_cell as usize] += c.increment_hz * (-t_ms / c.tau_decay_ms).exp();
            } else {
                next = next.min(p.onset + lat);
            }
        }
        for (c, &lat) in odor.inhibited().iter().zip(inh_lat) {
            if since >= lat {
                out[c.mitral_cell as usize] -= c.decrement_hz;
            } else {
                next = next.min(p.onset + lat);
            }
        }
        Some(next)
    }
}

/// The [`PoissonGroup`] of mitral cells for standard odor trials (see [`OdorSchedule::trials`]),
/// with the default sampling method and random stream `(seed, stream_id, 0)`.
pub fn odor_trials_group(
    odors: Vec<Odor>,
    sequence: &[usize],
    trial: &Checked<OdorTrialParams>,
    clock: Clock,
    seed: u64,
    stream_id: u64,
) -> Result<PoissonGroup, ParamError> {
    Ok(OdorSchedule::trials(odors, sequence, trial, clock)?.into_poisson_group(PoissonMethod::Auto, seed, stream_id))
}
