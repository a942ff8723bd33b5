//! Stimuli that act directly on a target population's inputs: per-neuron Poisson drive,
//! current injection. (Stimuli with their own identity and projections are
//! [`SpikeSource`](crate::neuron::SpikeSource)s.)

use crate::checkpoint::ComponentState;
use crate::error::EngramError;
use crate::neuron::StepContext;

/// Where a stimulus writes in one step.
///
/// The slices hold the neurons `first_neuron .. first_neuron + len` of the target population:
/// all of them (`first_neuron` 0) in one process; on a rank of a network split across ranks,
/// the rank's own block when the stimulus [writes blocks](Stimulus::writes_blocks).
#[derive(Debug)]
pub struct StimulusTarget<'a> {
    /// Weights arriving on the stimulus' receptor in this step (add to it), if it has one.
    pub receptor: Option<&'a mut [f64]>,
    /// Injected current per neuron in this step, pA (add to it).
    pub current_pa: &'a mut [f64],
    /// The population index of the slices' element 0 (0 unless the population is stored by
    /// blocks).
    pub first_neuron: usize,
}

impl StimulusTarget<'_> {
    /// The neurons the slices hold, as population indices.
    pub fn neurons(&self) -> std::ops::Range<usize> {
        self.first_neuron..self.first_neuron + self.current_pa.len()
    }
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
/// Step.apply(&StepContext { step: 100, dt_ms: 0.1 }, StimulusTarget { receptor: None, current_pa: &mut i, first_neuron: 0 });
/// assert_eq!(i, vec![50.0, 0.0]);
/// ```
///
/// This stimulus writes neuron 0 wherever the slices start, so it keeps the default
/// [`writes_blocks`](Stimulus::writes_blocks) `false`: on a rank of a network split across
/// ranks its target population is then stored whole. A stimulus that honours
/// [`StimulusTarget::first_neuron`] says so and lets the rank store only its own neurons:
///
/// ```
/// # use engram_core::stimulus::{Stimulus, StimulusTarget};
/// # use engram_core::neuron::StepContext;
/// /// 50 pA into neuron 3 from 10 ms on, wherever neuron 3 is stored.
/// struct Step;
/// impl Stimulus for Step {
///     fn receptor(&self) -> Option<&str> { None }
///     fn writes_blocks(&self) -> bool { true }
///     fn apply(&mut self, ctx: &StepContext, t: StimulusTarget<'_>) {
///         if ctx.time_ms() >= 10.0 && t.neurons().contains(&3) {
///             t.current_pa[3 - t.first_neuron] += 50.0
///         }
///     }
/// }
/// // a rank that stores neurons 2..4 of the population
/// let mut i = vec![0.0; 2];
/// Step.apply(&StepContext { step: 100, dt_ms: 0.1 }, StimulusTarget { receptor: None, current_pa: &mut i, first_neuron: 2 });
/// assert_eq!(i, vec![0.0, 50.0]);
/// ```
pub trait Stimulus: Send {
    /// Receptor the stimulus delivers spikes onto, or `None` if it injects current only.
    fn receptor(&self) -> Option<&str>;
    /// Add this step's input.
    fn apply(&mut self, ctx: &StepContext, target: StimulusTarget<'_>);
    /// `true` if [`apply`](Self::apply) honours [`StimulusTarget::first_neuron`]: given the
    /// slices of a block of its target population (a rank's own neurons), it adds to each of
    /// them exactly the input it would add in the whole population, drawing its random
    /// numbers as for the whole population so that every rank's stream stays the same.
    /// A rank of a network split across ranks then stores only its own neurons of the
    /// population ([`NeuronModel::keep_block`](crate::neuron::NeuronModel::keep_block)).
    ///
    /// Default `false`: the slices always hold the whole population (and a rank stores it
    /// whole). The library's stimuli write blocks.
    fn writes_blocks(&self) -> bool {
        false
    }
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
