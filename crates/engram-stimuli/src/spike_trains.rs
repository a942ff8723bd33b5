//! [`SpikeTrains`]: sources that fire at given times (Brian2's `SpikeGeneratorGroup`).

use engram_core::checkpoint::ComponentState;
use engram_core::error::{EngramError, ParamError};
use engram_core::neuron::{SpikeSource, StepContext};
use engram_core::params::{Checked, Params};
use engram_core::time::{Clock, Step};
use serde::{Deserialize, Serialize};

use crate::schedule::ms_to_step;

/// Parameters of [`SpikeTrains`]. Default: one source, no spikes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SpikeTrainsParams {
    /// Number of sources (≥ 1). Default 1.
    pub n_sources: usize,
    /// `(source, time_ms)` pairs, any order. In RON: `spikes: [(0, 1.5), (3, 20.0)]`.
    pub spikes: Vec<(u32, f64)>,
}

impl Default for SpikeTrainsParams {
    fn default() -> Self {
        Self { n_sources: 1, spikes: Vec::new() }
    }
}

impl Params for SpikeTrainsParams {
    fn validate(&self) -> Result<(), ParamError> {
        if self.n_sources == 0 || self.n_sources > u32::MAX as usize {
            return Err(ParamError::new("n_sources", self.n_sources, "between 1 and 2^32 - 1"));
        }
        for (k, &(source, t_ms)) in self.spikes.iter().enumerate() {
            if source as usize >= self.n_sources {
                return Err(ParamError::new(
                    format!("spikes[{k}].source"),
                    source,
                    format!("a source index below n_sources = {}", self.n_sources),
                ));
            }
            if !(t_ms.is_finite() && t_ms >= 0.0) {
                return Err(ParamError::new(format!("spikes[{k}].time_ms"), t_ms, "a finite time >= 0"));
            }
        }
        Ok(())
    }
}

/// Sources that spike at explicitly given times, converted to steps once.
///
/// A spike at `t` ms is emitted in the step that contains it, `floor(t / dt)` (with a 1e-6-step
/// tolerance, so 0.3 ms at dt = 0.1 ms is step 3), as Brian2's `SpikeGeneratorGroup` does. Two
/// spikes of one source in the same step are an error. Emitting costs nothing per step beyond
/// the spikes of the step; the group follows the step it is asked for, so calling `emit` for
/// step 0 again replays the trains.
///
/// ```
/// use engram_core::prelude::*;
/// use engram_stimuli::{SpikeTrains, SpikeTrainsParams};
///
/// let clock = Clock::new(0.1).unwrap();
/// let params = SpikeTrainsParams { n_sources: 3, spikes: vec![(2, 0.5), (0, 0.5), (1, 0.25)] };
/// let mut trains = SpikeTrains::new(params.check().unwrap(), clock).unwrap();
/// let mut s = Vec::new();
/// trains.emit(&StepContext { step: 2, dt_ms: 0.1 }, &mut s);
/// assert_eq!(s, vec![1]);
/// s.clear();
/// trains.emit(&StepContext { step: 5, dt_ms: 0.1 }, &mut s);
/// assert_eq!(s, vec![0, 2]);
/// ```
#[derive(Clone, Debug)]
pub struct SpikeTrains {
    n_sources: usize,
    /// Spike steps, sorted, with `sources` in increasing order within a step.
    steps: Vec<Step>,
    sources: Vec<u32>,
    cursor: usize,
    expected_step: Step,
}

impl SpikeTrains {
    /// Trains from checked parameters. Fails (naming `spikes`) if one source has two spikes in
    /// the same step.
    pub fn new(params: Checked<SpikeTrainsParams>, clock: Clock) -> Result<Self, ParamError> {
        let spikes = params.spikes.iter().map(|&(source, t_ms)| (source, ms_to_step(clock, t_ms))).collect();
        Self::from_steps(params.n_sources, spikes)
    }

    /// Trains from `(source, step)` pairs. Fails if a source is out of range or repeats a step.
    pub fn from_steps(n_sources: usize, spikes: Vec<(u32, Step)>) -> Result<Self, ParamError> {
        if let Some(&(source, _)) = spikes.iter().find(|&&(source, _)| source as usize >= n_sources) {
            return Err(ParamError::new("spikes", source, format!("source indices below n_sources = {n_sources}")));
        }
        let mut pairs: Vec<(Step, u32)> = spikes.into_iter().map(|(source, step)| (step, source)).collect();
        pairs.sort_unstable();
        if let Some(w) = pairs.windows(2).find(|w| w[0] == w[1]) {
            return Err(ParamError::new(
                "spikes",
                format!("source {} twice in step {}", w[0].1, w[0].0),
                "at most one spike per source per step",
            ));
        }
        let (steps, sources) = pairs.into_iter().unzip();
        Ok(Self { n_sources, steps, sources, cursor: 0, expected_step: 0 })
    }

    /// Total number of spikes.
    pub fn n_spikes(&self) -> usize {
        self.steps.len()
    }

    /// Rewind to step 0.
    pub fn reset(&mut self) {
        self.cursor = 0;
        self.expected_step = 0;
    }
}

impl SpikeSource for SpikeTrains {
    fn kind(&self) -> &str {
        "spike_trains"
    }

    /// Saves the position in the spike list and the expected next step.
    fn save_state(&self) -> Result<ComponentState, EngramError> {
        Ok(ComponentState::new(self.kind())
            .with_u64("cursor_expected_step", vec![self.cursor as u64, self.expected_step])
            .with_u64("n_spikes", vec![self.steps.len() as u64]))
    }

    fn load_state(&mut self, state: &ComponentState) -> Result<(), EngramError> {
        state.check_kind(self.kind())?;
        let n = state.u64_scalar("n_spikes")?;
        if n != self.steps.len() as u64 {
            return Err(EngramError::Checkpoint(format!(
                "state of `spike_trains`: saved for {n} spikes, these trains hold {}",
                self.steps.len()
            )));
        }
        let mut v = [0u64; 2];
        state.read_u64("cursor_expected_step", &mut v)?;
        self.cursor = (v[0] as usize).min(self.steps.len());
        self.expected_step = v[1];
        Ok(())
    }

    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        Some(self)
    }

    fn len(&self) -> usize {
        self.n_sources
    }

    fn emit(&mut self, ctx: &StepContext, spikes: &mut Vec<u32>) {
        let step = ctx.step;
        if step != self.expected_step {
            self.cursor = self.steps.partition_point(|&s| s < step);
        }
        self.expected_step = step + 1;
        while self.cursor < self.steps.len() && self.steps[self.cursor] == step {
            spikes.push(self.sources[self.cursor]);
            self.cursor += 1;
        }
    }
}
