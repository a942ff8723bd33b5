//! Stimuli that act directly on a target population's inputs: per-neuron Poisson drive,
//! current injection. (Stimuli with their own identity and projections are
//! [`SpikeSource`](crate::neuron::SpikeSource)s.)

use crate::checkpoint::ComponentState;
use crate::error::EngramError;
use crate::neuron::StepContext;

/// Where a stimulus writes in one step.
#[derive(Debug)]
pub struct StimulusTarget<'a> {
    /// Weights arriving on the stimulus' receptor in this step (add to it), if it has one.
    pub receptor: Option<&'a mut [f64]>,
    /// Injected current per neuron in this step, pA (add to it).
    pub current_pa: &'a mut [f64],
}

/// Input written straight into a population's receptor or current buffer each step.
///
/// A stimulus owns its random stream, so its draws do not depend on anything else in the
/// network or on the thread count.
///
/// ```
/// use engram_core::stimulus::{Stimulus, StimulusTarget};
/// use engram_core::neuron::StepContext;
/// /// 50 pA into neuron 0 from 10 ms on.
/// struct Step;
/// impl Stimulus for Step {
///     fn receptor(&self) -> Option<&str> { None }
///     fn apply(&mut self, ctx: &StepContext, t: StimulusTarget<'_>) {
///         if ctx.time_ms() >= 10.0 { t.current_pa[0] += 50.0 }
///     }
/// }
/// let mut i = vec![0.0; 2];
/// Step.apply(&StepContext { step: 100, dt_ms: 0.1 }, StimulusTarget { receptor: None, current_pa: &mut i });
/// assert_eq!(i, vec![50.0, 0.0]);
/// ```
pub trait Stimulus: Send {
    /// Receptor the stimulus delivers spikes onto, or `None` if it injects current only.
    fn receptor(&self) -> Option<&str>;
    /// Add this step's input.
    fn apply(&mut self, ctx: &StepContext, target: StimulusTarget<'_>);
    /// Short name of the stimulus (`poisson_input`, ...), for checkpoints and errors.
    /// Default: the Rust type name.
    fn kind(&self) -> &str {
        std::any::type_name::<Self>()
    }
    /// The complete dynamic state (random stream, schedule position), for checkpoints.
    /// Default: an error naming the stimulus.
    fn save_state(&self) -> Result<ComponentState, EngramError> {
        Err(ComponentState::unsupported("stimulus", self.kind()))
    }
    /// Restore a state written by [`save_state`](Self::save_state). Default: an error.
    fn load_state(&mut self, state: &ComponentState) -> Result<(), EngramError> {
        let _ = state;
        Err(ComponentState::unsupported("stimulus", self.kind()))
    }
    /// The stimulus as `Any`, so that its owner can reach its own methods (reseed, start a
    /// trial) through `Network::stimulus_mut`. Default `None`.
    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        None
    }
}
