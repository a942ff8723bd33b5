//! Stimuli bound to their target population, and the simplest stimulus: a constant current.

use engram_core::checkpoint::ComponentState;
use engram_core::error::EngramError;
use engram_core::neuron::StepContext;
use engram_core::stimulus::{Stimulus, StimulusTarget};

/// A stimulus with its resolved target population and receptor.
pub(crate) struct StimulusHandle {
    pub(crate) target: usize,
    pub(crate) receptor: Option<usize>,
    pub(crate) stimulus: Box<dyn Stimulus>,
}

/// The same current into every neuron of the target, at every step.
/// (Pulses, subsets and Poisson drive are in `engram-stimuli`.)
///
/// ```
/// use engram_core::stimulus::{Stimulus, StimulusTarget};
/// use engram_core::neuron::StepContext;
/// let mut i = vec![0.0; 3];
/// engram_sim::stimulus::ConstantCurrent::new(200.0)
///     .apply(&StepContext { step: 0, dt_ms: 0.1 }, StimulusTarget { receptor: None, current_pa: &mut i, first_neuron: 0 });
/// assert_eq!(i, vec![200.0; 3]);
/// ```
#[derive(Clone, Debug)]
pub struct ConstantCurrent {
    amplitude_pa: f64,
}

impl ConstantCurrent {
    /// A constant current of `amplitude_pa` pA.
    pub fn new(amplitude_pa: f64) -> Self {
        Self { amplitude_pa }
    }
}

impl Stimulus for ConstantCurrent {
    fn receptor(&self) -> Option<&str> {
        None
    }
    fn apply(&mut self, _ctx: &StepContext, target: StimulusTarget<'_>) {
        target.current_pa.iter_mut().for_each(|i| *i += self.amplitude_pa);
    }
    fn kind(&self) -> &str {
        "constant_current"
    }
    fn writes_blocks(&self) -> bool {
        true
    }
    /// Stateless: an empty state.
    fn save_state(&self) -> Result<ComponentState, EngramError> {
        Ok(ComponentState::new(self.kind()))
    }
    fn load_state(&mut self, state: &ComponentState) -> Result<(), EngramError> {
        state.check_kind(self.kind())
    }
    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        Some(self)
    }
}
