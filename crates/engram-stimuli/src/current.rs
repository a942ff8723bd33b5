//! [`CurrentInjection`]: step pulses of current and a constant bias into chosen neurons.

use engram_core::checkpoint::ComponentState;
use engram_core::error::{EngramError, ParamError};
use engram_core::neuron::StepContext;
use engram_core::params::{Checked, Params, finite, non_negative};
use engram_core::stimulus::{Stimulus, StimulusTarget};
use engram_core::time::{Clock, Step};
use serde::{Deserialize, Serialize};

use crate::targets::Targets;

/// One rectangular current pulse, on during `[start_ms, stop_ms)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CurrentPulse {
    /// Onset, ms (≥ 0).
    pub start_ms: f64,
    /// Offset, ms (> `start_ms`); the pulse is off from this time on.
    pub stop_ms: f64,
    /// Current while on, pA (any sign).
    pub amplitude_pa: f64,
}

/// Parameters of a [`CurrentInjection`]. Default: no pulses, no bias, all neurons.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CurrentInjectionParams {
    /// The pulses; overlapping pulses add. Default none.
    pub pulses: Vec<CurrentPulse>,
    /// Constant current at all times, pA. Default 0.
    pub bias_pa: f64,
    /// Neurons that receive the current. Default `All`.
    pub targets: Targets,
}

impl Params for CurrentInjectionParams {
    fn validate(&self) -> Result<(), ParamError> {
        finite("bias_pa", self.bias_pa)?;
        for (k, pulse) in self.pulses.iter().enumerate() {
            let field = format!("pulses[{k}]");
            non_negative("start_ms", pulse.start_ms).map_err(|e| e.within(&field))?;
            if !(pulse.stop_ms.is_finite() && pulse.stop_ms > pulse.start_ms) {
                return Err(ParamError::new(
                    "stop_ms",
                    pulse.stop_ms,
                    format!("a finite time after start_ms = {}", pulse.start_ms),
                )
                .within(&field));
            }
            finite("amplitude_pa", pulse.amplitude_pa).map_err(|e| e.within(&field))?;
        }
        Ok(())
    }
}

/// Current injected into chosen neurons: a constant bias plus rectangular pulses.
///
/// A step `s` (covering `[s·dt, (s+1)·dt)`) is inside a pulse when its start time `s·dt` lies in
/// `[start_ms, stop_ms)` (with a 1e-6-step tolerance for rounding), so a pulse from 10 to 20 ms
/// at dt = 0.1 ms covers steps 100..200. The total current is precomputed as a
/// piecewise-constant function of the step; each step costs a binary search over its pieces.
///
/// ```
/// use engram_core::prelude::*;
/// use engram_stimuli::{CurrentInjection, CurrentInjectionParams, CurrentPulse, Targets};
///
/// let clock = Clock::new(0.1).unwrap();
/// let params = CurrentInjectionParams {
///     pulses: vec![CurrentPulse { start_ms: 10.0, stop_ms: 20.0, amplitude_pa: 200.0 }],
///     bias_pa: 5.0,
///     targets: Targets::Indices(vec![1]),
/// };
/// let mut inj = CurrentInjection::new(params.check().unwrap(), 3, clock).unwrap();
/// let mut i_pa = vec![0.0; 3];
/// inj.apply(&StepContext { step: 150, dt_ms: 0.1 }, StimulusTarget { receptor: None, current_pa: &mut i_pa, first_neuron: 0 });
/// assert_eq!(i_pa, vec![0.0, 205.0, 0.0]);
/// ```
#[derive(Clone, Debug)]
pub struct CurrentInjection {
    n_neurons: usize,
    targets: Option<Vec<u32>>,
    /// `(from step, total current in pA)`, steps increasing; the first piece starts at 0.
    levels: Vec<(Step, f64)>,
}

impl CurrentInjection {
    /// Injection into a population of `n_neurons`. Fails (naming `targets`) if a target index
    /// is out of range or repeated.
    pub fn new(params: Checked<CurrentInjectionParams>, n_neurons: usize, clock: Clock) -> Result<Self, ParamError> {
        let targets = params.targets.resolve(n_neurons, "targets")?;
        let pulses: Vec<(Step, Step, f64)> = params
            .pulses
            .iter()
            .map(|p| (first_step_from(clock, p.start_ms), first_step_from(clock, p.stop_ms), p.amplitude_pa))
            .collect();
        let mut edges: Vec<Step> = std::iter::once(0).chain(pulses.iter().flat_map(|&(a, b, _)| [a, b])).collect();
        edges.sort_unstable();
        edges.dedup();
        let mut levels: Vec<(Step, f64)> = Vec::with_capacity(edges.len());
        for &edge in &edges {
            // Sum in the order the pulses were given, so the total does not depend on sorting.
            let total = pulses
                .iter()
                .filter(|&&(a, b, _)| a <= edge && edge < b)
                .fold(params.bias_pa, |acc, &(_, _, amp)| acc + amp);
            if levels.last().is_none_or(|&(_, last)| last != total) {
                levels.push((edge, total));
            }
        }
        Ok(Self { n_neurons, targets, levels })
    }

    /// Total current (bias plus active pulses) in step `step`, pA.
    pub fn current_pa_at(&self, step: Step) -> f64 {
        let k = self.levels.partition_point(|&(from, _)| from <= step);
        self.levels[k - 1].1
    }
}

/// First step whose start time is at or after `ms`.
fn first_step_from(clock: Clock, ms: f64) -> Step {
    (ms / clock.dt_ms() - 1e-6).ceil().max(0.0) as Step
}

impl Stimulus for CurrentInjection {
    fn receptor(&self) -> Option<&str> {
        None
    }

    fn kind(&self) -> &str {
        "current_injection"
    }

    fn writes_blocks(&self) -> bool {
        true
    }

    /// Stateless (the current is a function of the step): an empty state.
    fn save_state(&self) -> Result<ComponentState, EngramError> {
        Ok(ComponentState::new(self.kind()))
    }

    fn load_state(&mut self, state: &ComponentState) -> Result<(), EngramError> {
        state.check_kind(self.kind())
    }

    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        Some(self)
    }

    fn apply(&mut self, ctx: &StepContext, target: StimulusTarget<'_>) {
        let amp = self.current_pa_at(ctx.step);
        if amp == 0.0 {
            return;
        }
        let (first, i_pa) = (target.first_neuron, target.current_pa);
        assert!(
            first + i_pa.len() <= self.n_neurons,
            "CurrentInjection was built for {} neurons, not neurons {first}..{}",
            self.n_neurons,
            first + i_pa.len()
        );
        match &self.targets {
            None => i_pa.iter_mut().for_each(|x| *x += amp),
            // only the targets the slice holds (all of them in one process)
            Some(idx) => idx.iter().for_each(|&i| {
                if let Some(x) = i_pa.get_mut((i as usize).wrapping_sub(first)) {
                    *x += amp
                }
            }),
        }
    }
}
