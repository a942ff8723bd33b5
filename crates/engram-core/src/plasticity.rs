//! The slot for plasticity rules: objects that watch one projection's pre- and postsynaptic
//! spikes and change its weights through their own traces. Rules never own the weights.

use crate::checkpoint::ComponentState;
use crate::error::EngramError;
use crate::neuron::StepContext;

/// Mutable access to one projection's synapses, in its CSR layout (row = presynaptic neuron).
#[derive(Debug)]
pub struct SynapsesMut<'a> {
    /// CSR row pointers: the synapses of presynaptic neuron `i` are `row_ptr[i]..row_ptr[i+1]`.
    pub row_ptr: &'a [usize],
    /// Postsynaptic neuron of each synapse.
    pub post: &'a [u32],
    /// Weight of each synapse (multiplicity folded in). The rule updates these in place.
    pub weights: &'a mut [f64],
    /// Transpose index: the synapses onto postsynaptic neuron `j` are
    /// `syn_of_post[col_ptr[j]..col_ptr[j+1]]`.
    pub col_ptr: &'a [usize],
    /// Synapse indices grouped by postsynaptic neuron (see `col_ptr`).
    pub syn_of_post: &'a [u32],
    /// Presynaptic neuron of each entry of `syn_of_post`.
    pub pre_of_post: &'a [u32],
}

/// A plasticity rule attached to one projection.
///
/// The engine calls `step` once per step, after the neurons have spiked and their spikes have
/// been delivered, with the spikes of the projection's pre- and postsynaptic populations in
/// this step and the current value of the experiment's neuromodulatory signal. Rules that
/// change transmission itself (short-term plasticity) also implement
/// [`scales_transmission`](Self::scales_transmission) and
/// [`before_delivery`](Self::before_delivery), which run before delivery.
///
/// **Which spikes, when.** Attached with `NetworkBuilder::add_plasticity` (engram-sim), a rule
/// sees every spike in the step it is emitted, so spike timing is measured at the somata.
/// Attached with `NetworkBuilder::add_plasticity_with_timing` and a `PlasticityTiming
/// { axonal_delay_ms, dendritic_delay_ms }`, the engine delays the spike lists instead: in step
/// `t` the rule gets the presynaptic spikes emitted in step `t − d_axon` and the postsynaptic
/// spikes emitted in step `t − d_dend` (delays in steps), with the [`StepContext`] of step `t`.
/// A rule that measures timing from `ctx.step` therefore evaluates it at the synapse,
/// `Δt_syn = (t_post + d_dend) − (t_pre + d_axon)` (mechanisms.md §0 item 4), without
/// buffering spikes itself. Write rules for "the spikes that reach the synapse in this step";
/// the engine decides when that is.
///
/// ```
/// use engram_core::plasticity::{PlasticityRule, SynapsesMut};
/// use engram_core::neuron::StepContext;
/// /// Every presynaptic spike potentiates its synapses by `eta`, up to `w_max`.
/// struct PreOnly { eta: f64, w_max: f64 }
/// impl PlasticityRule for PreOnly {
///     fn name(&self) -> &str { "pre_only" }
///     fn step(&mut self, _ctx: &StepContext, pre: &[u32], _post: &[u32], _m: f64, syn: SynapsesMut<'_>) {
///         for &i in pre {
///             for k in syn.row_ptr[i as usize]..syn.row_ptr[i as usize + 1] {
///                 syn.weights[k] = (syn.weights[k] + self.eta).min(self.w_max);
///             }
///         }
///     }
/// }
/// let (row_ptr, post, mut w) = (vec![0, 2, 3], vec![0u32, 1, 1], vec![0.5, 0.95, 0.1]);
/// let syn = SynapsesMut { row_ptr: &row_ptr, post: &post, weights: &mut w,
///     col_ptr: &[], syn_of_post: &[], pre_of_post: &[] };
/// PreOnly { eta: 0.1, w_max: 1.0 }.step(&StepContext { step: 0, dt_ms: 0.1 }, &[0], &[], 0.0, syn);
/// assert_eq!(w, vec![0.6, 1.0, 0.1]);
/// ```
pub trait PlasticityRule: Send + Sync {
    /// Short name of the rule.
    fn name(&self) -> &str;
    /// React to the spikes that reach the synapses in this step (emitted in this step, or
    /// earlier by the axonal and dendritic plasticity delays, see above) and update weights.
    fn step(
        &mut self,
        ctx: &StepContext,
        pre_spikes: &[u32],
        post_spikes: &[u32],
        modulator: f64,
        syn: SynapsesMut<'_>,
    );
    /// Forget traces (between trials). Default: nothing.
    fn reset_traces(&mut self) {}

    /// Whether this rule scales what its projection transmits (short-term plasticity).
    ///
    /// Read once, when the rule is attached. If `true`, the engine keeps one *efficacy* per
    /// synapse beside the weights and calls [`before_delivery`](Self::before_delivery) in every
    /// step; the weights stay the baseline (one place), the efficacy is a transient factor
    /// used only for transmission. Default `false`: the projection is delivered exactly as a
    /// static one, with no extra work.
    fn scales_transmission(&self) -> bool {
        false
    }

    /// Set the efficacies of the synapses about to transmit (only called when
    /// [`scales_transmission`](Self::scales_transmission) is `true`).
    ///
    /// Called in every step after the neurons have spiked and *before* this step's spikes are
    /// delivered, with the presynaptic spikes of the step (the same slice `step` gets later) and
    /// the CSR row pointers. The rule writes `efficacy[k]` for every synapse `k` in the rows of
    /// `pre_spikes`; the engine then delivers `weights[k] * efficacy[k]` for them. Entries of
    /// other rows are not read in this step. Efficacies start at 1.
    ///
    /// Delays: the efficacy is computed at the presynaptic spike time and travels with the
    /// spike, so with a constant delay per synapse the inter-spike intervals at the synapse are
    /// the presynaptic ones and event-driven models (Tsodyks–Markram) stay exact.
    fn before_delivery(&mut self, ctx: &StepContext, pre_spikes: &[u32], row_ptr: &[usize], efficacy: &mut [f64]) {
        let _ = (ctx, pre_spikes, row_ptr, efficacy);
    }

    /// The complete dynamic state (traces, sensors, short-term plasticity variables; not the
    /// weights, which the engine saves), for checkpoints. Default: an error naming the rule.
    fn save_state(&self) -> Result<ComponentState, EngramError> {
        Err(ComponentState::unsupported("plasticity rule", self.name()))
    }
    /// Restore a state written by [`save_state`](Self::save_state). Default: an error.
    fn load_state(&mut self, state: &ComponentState) -> Result<(), EngramError> {
        let _ = state;
        Err(ComponentState::unsupported("plasticity rule", self.name()))
    }
}
