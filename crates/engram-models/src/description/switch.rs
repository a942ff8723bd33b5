//! The protocol's switches: which steps each stimulus, source group and plasticity rule is on
//! in, and thin wrappers that make a built part act only in those steps.

use engram_core::checkpoint::{ComponentState, StateField};
use engram_core::error::EngramError;
use engram_core::neuron::{SpikeSource, StepContext};
use engram_core::plasticity::{PlasticityRule, SynapsesMut};
use engram_core::stimulus::{Stimulus, StimulusTarget};

use super::types::PhaseDescription;

/// Steps `[start, end)` in which a switched component is on (the last phase's setting holds
/// after the protocol ends).
type OnSteps = Vec<(u64, u64)>;

fn is_on(on: &OnSteps, step: u64) -> bool {
    on.iter().any(|&(a, b)| step >= a && step < b)
}

/// The protocol's phases with the steps `[start, end)` of each: wraps the parts it switches.
pub(crate) struct Protocol<'a> {
    phases: &'a [PhaseDescription],
    steps: Vec<(u64, u64)>,
}

impl<'a> Protocol<'a> {
    /// The phases and their steps (one pair per phase).
    pub(crate) fn new(phases: &'a [PhaseDescription], steps: Vec<(u64, u64)>) -> Self {
        Self { phases, steps }
    }

    /// The steps in which `name` is on by the phases' `list`; `None` if it is on throughout.
    fn on(&self, list: fn(&PhaseDescription) -> Option<&Vec<String>>, name: &str) -> Option<OnSteps> {
        if self.phases.is_empty() { None } else { on_steps(self.phases, &self.steps, list, name) }
    }

    /// Source group `name`, switched by the phases' `stimuli_on` (as it is if always on).
    pub(crate) fn source(&self, name: &str, source: Box<dyn SpikeSource>) -> Box<dyn SpikeSource> {
        match self.on(|ph| ph.stimuli_on.as_ref(), name) {
            Some(on) => Box::new(SwitchedSource { inner: source, on }),
            None => source,
        }
    }

    /// Stimulus `name`, switched by the phases' `stimuli_on` (as it is if always on).
    pub(crate) fn stimulus(&self, name: &str, stimulus: Box<dyn Stimulus>) -> Box<dyn Stimulus> {
        match self.on(|ph| ph.stimuli_on.as_ref(), name) {
            Some(on) => Box::new(SwitchedStimulus { inner: stimulus, on }),
            None => stimulus,
        }
    }

    /// The rule of projection `name`, learning as the phases' `learning` says.
    pub(crate) fn rule(&self, name: &str, rule: Box<dyn PlasticityRule>) -> DescribedRule {
        DescribedRule { inner: rule, learning: self.on(|ph| ph.learning.as_ref(), name) }
    }
}

/// The steps in which `name` is on, given each phase's list (`None` in a phase: on); `None`
/// if it is on throughout (no wrapper needed).
fn on_steps(
    phases: &[PhaseDescription],
    steps: &[(u64, u64)],
    list: impl Fn(&PhaseDescription) -> Option<&Vec<String>>,
    name: &str,
) -> Option<OnSteps> {
    let on = |ph: &PhaseDescription| list(ph).is_none_or(|names| names.iter().any(|n| n == name));
    if phases.iter().all(on) {
        return None;
    }
    let last = phases.len() - 1;
    Some(
        phases
            .iter()
            .zip(steps)
            .enumerate()
            .filter(|(_, (ph, _))| on(ph))
            .map(|(k, (_, &(a, b)))| (a, if k == last { u64::MAX } else { b }))
            .collect(),
    )
}

/// A stimulus that acts only in some steps.
struct SwitchedStimulus {
    inner: Box<dyn Stimulus>,
    on: OnSteps,
}

impl Stimulus for SwitchedStimulus {
    fn receptor(&self) -> Option<&str> {
        self.inner.receptor()
    }
    fn apply(&mut self, ctx: &StepContext, target: StimulusTarget<'_>) {
        if is_on(&self.on, ctx.step) {
            self.inner.apply(ctx, target);
        }
    }
    fn writes_blocks(&self) -> bool {
        self.inner.writes_blocks()
    }
    fn kind(&self) -> &str {
        self.inner.kind()
    }
    fn save_state(&self) -> Result<ComponentState, EngramError> {
        self.inner.save_state()
    }
    fn load_state(&mut self, state: &ComponentState) -> Result<(), EngramError> {
        self.inner.load_state(state)
    }
    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        self.inner.as_any_mut()
    }
}

/// A spike source that emits only in some steps.
struct SwitchedSource {
    inner: Box<dyn SpikeSource>,
    on: OnSteps,
}

impl SpikeSource for SwitchedSource {
    fn kind(&self) -> &str {
        self.inner.kind()
    }
    fn len(&self) -> usize {
        self.inner.len()
    }
    fn emit(&mut self, ctx: &StepContext, spikes: &mut Vec<u32>) {
        if is_on(&self.on, ctx.step) {
            self.inner.emit(ctx, spikes);
        }
    }
    fn checkpoint_fields(&self) -> Vec<(&'static str, &dyn StateField)> {
        self.inner.checkpoint_fields()
    }
    fn checkpoint_fields_mut(&mut self) -> Vec<(&'static str, &mut dyn StateField)> {
        self.inner.checkpoint_fields_mut()
    }
    fn save_state(&self) -> Result<ComponentState, EngramError> {
        self.inner.save_state()
    }
    fn load_state(&mut self, state: &ComponentState) -> Result<(), EngramError> {
        self.inner.load_state(state)
    }
    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        self.inner.as_any_mut()
    }
}

/// A registered rule behind the engine's `add_plasticity`, learning only in some steps
/// (`None`: always).
pub(crate) struct DescribedRule {
    inner: Box<dyn PlasticityRule>,
    learning: Option<OnSteps>,
}

impl PlasticityRule for DescribedRule {
    fn name(&self) -> &str {
        self.inner.name()
    }
    fn step(
        &mut self,
        ctx: &StepContext,
        pre_spikes: &[u32],
        post_spikes: &[u32],
        modulator: f64,
        syn: SynapsesMut<'_>,
    ) {
        if self.learning.as_ref().is_none_or(|on| is_on(on, ctx.step)) {
            self.inner.step(ctx, pre_spikes, post_spikes, modulator, syn);
        }
    }
    fn reset_traces(&mut self) {
        self.inner.reset_traces();
    }
    fn local_to_target(&self) -> bool {
        self.inner.local_to_target()
    }
    fn scales_transmission(&self) -> bool {
        self.inner.scales_transmission()
    }
    fn before_delivery(&mut self, ctx: &StepContext, pre_spikes: &[u32], row_ptr: &[usize], efficacy: &mut [f64]) {
        self.inner.before_delivery(ctx, pre_spikes, row_ptr, efficacy);
    }
    fn checkpoint_fields(&self) -> Vec<(&'static str, &dyn StateField)> {
        self.inner.checkpoint_fields()
    }
    fn checkpoint_fields_mut(&mut self) -> Vec<(&'static str, &mut dyn StateField)> {
        self.inner.checkpoint_fields_mut()
    }
    fn save_state(&self) -> Result<ComponentState, EngramError> {
        self.inner.save_state()
    }
    fn load_state(&mut self, state: &ComponentState) -> Result<(), EngramError> {
        self.inner.load_state(state)
    }
}
