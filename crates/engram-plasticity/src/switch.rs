//! A switch for any rule: weight changes only while the neuromodulator is above a threshold,
//! while the rule's traces keep running (Auryn's `stdp_active` flag; a priming phase).
//!
//! This is a behaviour of the rule, not an edit of the network: a between-steps hook cannot
//! give it, since the rule must see every spike while its weight changes are held back.

use engram_core::checkpoint::ComponentState;
use engram_core::error::EngramError;
use engram_core::neuron::StepContext;
use engram_core::plasticity::{PlasticityRule, SynapsesMut};

/// A rule whose weight updates are on only while the modulator is above `threshold`, like
/// Auryn's `stdp_active` flag: while off, `inner` still sees every spike (its traces, and a
/// sliding threshold's rate estimates, evolve as in Auryn's priming phase) but through a
/// projection without synapses, so no weight changes. The same network then has a static
/// phase and a plastic phase. Meant for rules whose state is per neuron (STDP traces, rate
/// estimates); per-synapse state, such as an eligibility trace, pauses while off.
pub struct ModulatorSwitch<R> {
    inner: R,
    threshold: f64,
    /// Row and column pointers of an empty projection of the same shape (all zero).
    empty_row_ptr: Vec<usize>,
    empty_col_ptr: Vec<usize>,
}

impl<R: PlasticityRule> ModulatorSwitch<R> {
    /// Weight updates while the modulator is strictly above `threshold`.
    pub fn new(inner: R, threshold: f64) -> Self {
        Self { inner, threshold, empty_row_ptr: Vec::new(), empty_col_ptr: Vec::new() }
    }
}

impl<R: PlasticityRule> PlasticityRule for ModulatorSwitch<R> {
    fn neuron_state_only(&self) -> bool {
        self.inner.neuron_state_only()
    }

    fn local_to_target(&self) -> bool {
        self.inner.local_to_target()
    }

    fn name(&self) -> &str {
        self.inner.name()
    }

    fn step(&mut self, ctx: &StepContext, pre: &[u32], post: &[u32], modulator: f64, syn: SynapsesMut<'_>) {
        if modulator > self.threshold {
            self.inner.step(ctx, pre, post, modulator, syn);
        } else {
            // Sized once (the projection's shape never changes); no per-step allocation.
            self.empty_row_ptr.resize(syn.row_ptr.len(), 0);
            self.empty_col_ptr.resize(syn.col_ptr.len(), 0);
            let empty = SynapsesMut {
                row_ptr: &self.empty_row_ptr,
                post: &[],
                weights: &mut [],
                col_ptr: &self.empty_col_ptr,
                syn_of_post: &[],
                pre_of_post: &[],
            };
            self.inner.step(ctx, pre, post, modulator, empty);
        }
    }

    fn reset_traces(&mut self) {
        self.inner.reset_traces();
    }

    fn save_state(&self) -> Result<ComponentState, EngramError> {
        self.inner.save_state()
    }

    fn load_state(&mut self, state: &ComponentState) -> Result<(), EngramError> {
        self.inner.load_state(state)
    }
}

/// A rule that sees only the modulator's excess over `baseline`, `max(0, modulator − baseline)`,
/// so that one global signal can both switch phases (values up to `baseline`) and deliver
/// reward pulses (values above it). Unlike [`ModulatorSwitch`] the inner rule sees every spike
/// and every synapse all the time: a three-factor rule ([`RewardModulatedStdp`]) keeps tagging
/// its per-synapse eligibility during presentations and turns it into weight change only while
/// the modulator is above `baseline`.
///
/// ```
/// use engram_core::{neuron::StepContext, params::Params, plasticity::PlasticityRule};
/// use engram_plasticity::{ModulatorExcess, RewardModulatedStdp, RewardModulatedStdpParams, SynapseTable};
///
/// let p = RewardModulatedStdpParams::default();
/// let mut rule = ModulatorExcess::new(RewardModulatedStdp::new(p.check().unwrap(), 1, 1, 1), 2.0);
/// let mut syn = SynapseTable::one_to_one(1, 1.0);
/// let ctx = |step| StepContext { step, dt_ms: 1.0 };
/// rule.step(&ctx(0), &[0], &[], 2.0, syn.view());   // pre, modulator at the baseline
/// rule.step(&ctx(5), &[], &[0], 2.0, syn.view());   // post: tagged, no change
/// assert_eq!(syn.weights[0], 1.0);
/// rule.step(&ctx(6), &[], &[], 3.0, syn.view());    // reward pulse: excess 1
/// assert!(syn.weights[0] > 1.0);
/// ```
///
/// [`RewardModulatedStdp`]: crate::RewardModulatedStdp
pub struct ModulatorExcess<R> {
    inner: R,
    baseline: f64,
}

impl<R: PlasticityRule> ModulatorExcess<R> {
    /// The inner rule sees `max(0, modulator − baseline)`.
    pub fn new(inner: R, baseline: f64) -> Self {
        Self { inner, baseline }
    }

    /// The inner rule.
    pub fn inner(&self) -> &R {
        &self.inner
    }
}

impl<R: PlasticityRule> PlasticityRule for ModulatorExcess<R> {
    fn neuron_state_only(&self) -> bool {
        self.inner.neuron_state_only()
    }

    fn local_to_target(&self) -> bool {
        self.inner.local_to_target()
    }

    fn name(&self) -> &str {
        self.inner.name()
    }

    fn step(&mut self, ctx: &StepContext, pre: &[u32], post: &[u32], modulator: f64, syn: SynapsesMut<'_>) {
        self.inner.step(ctx, pre, post, (modulator - self.baseline).max(0.0), syn);
    }

    fn reset_traces(&mut self) {
        self.inner.reset_traces();
    }

    fn save_state(&self) -> Result<ComponentState, EngramError> {
        self.inner.save_state()
    }

    fn load_state(&mut self, state: &ComponentState) -> Result<(), EngramError> {
        self.inner.load_state(state)
    }
}
