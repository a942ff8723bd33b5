//! The slot for plasticity rules: objects that watch one projection's pre- and postsynaptic
//! spikes and change its weights through their own traces. Rules never own the weights.

use crate::checkpoint::{ComponentState, StateField, load_fields, save_fields};
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

impl SynapsesMut<'_> {
    /// Number of presynaptic neurons (rows).
    pub fn n_pre(&self) -> usize {
        self.row_ptr.len().saturating_sub(1)
    }

    /// Number of postsynaptic neurons (columns of the transpose index).
    pub fn n_post(&self) -> usize {
        self.col_ptr.len().saturating_sub(1)
    }

    /// Pre-major walk: the synapses *from* presynaptic neuron `pre`, as
    /// `(synapse index, postsynaptic neuron, &mut weight)`, in storage order (the walk a
    /// presynaptic spike makes: depression at a pre spike, for example).
    ///
    /// ```
    /// # use engram_core::plasticity::SynapsesMut;
    /// // 2 pre × 2 post, synapses 0→0, 0→1, 1→1
    /// let (row_ptr, post, mut w) = ([0, 2, 3], [0u32, 1, 1], [1.0, 2.0, 3.0]);
    /// let (col_ptr, syn_of_post, pre_of_post) = ([0, 1, 3], [0u32, 1, 2], [0u32, 0, 1]);
    /// let mut syn = SynapsesMut { row_ptr: &row_ptr, post: &post, weights: &mut w, col_ptr: &col_ptr,
    ///                             syn_of_post: &syn_of_post, pre_of_post: &pre_of_post };
    /// for (_, j, w) in syn.from_pre(0) { *w += 10.0 * j as f64 }   // pre 0 onto posts 0 and 1
    /// syn.for_each_onto_post(1, |k, i, w| { *w *= 2.0; assert_eq!(k as u32, i + 1) });  // onto post 1
    /// assert_eq!(w, [1.0, 24.0, 6.0]);
    /// ```
    pub fn from_pre(&mut self, pre: usize) -> impl Iterator<Item = (usize, u32, &mut f64)> {
        let range = self.row_ptr[pre]..self.row_ptr[pre + 1];
        let start = range.start;
        self.post[range.clone()]
            .iter()
            .zip(&mut self.weights[range])
            .enumerate()
            .map(move |(k, (&j, w))| (start + k, j, w))
    }

    /// Post-major walk: calls `f(synapse index, presynaptic neuron, &mut weight)` for each
    /// synapse *onto* postsynaptic neuron `post`, through the transpose index (the walk a
    /// postsynaptic spike makes: potentiation at a post spike, for example). A closure, not an
    /// iterator, since these synapses are scattered through the weight array.
    pub fn for_each_onto_post(&mut self, post: usize, mut f: impl FnMut(usize, u32, &mut f64)) {
        let range = self.col_ptr[post]..self.col_ptr[post + 1];
        for (&k, &i) in self.syn_of_post[range.clone()].iter().zip(&self.pre_of_post[range]) {
            f(k as usize, i, &mut self.weights[k as usize]);
        }
    }
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
/// **Which spikes, when.** Attached with `NetworkBuilder::add_plasticity` (engram-sim), a rule sees
/// every spike in the step it is emitted, so spike timing is measured at the somata. Attached with
/// `NetworkBuilder::add_plasticity_with_timing` and a
/// `PlasticityTiming { axonal_delay_ms, dendritic_delay_ms }`, the engine delays the spike lists
/// instead: in step `t` the rule gets the presynaptic spikes emitted in step `t − d_axon` and the
/// postsynaptic spikes emitted in step `t − d_dend` (delays in steps), with the [`StepContext`] of
/// step `t`. A rule that measures timing from `ctx.step` therefore evaluates it at the synapse,
/// `Δt_syn = (t_post + d_dend) − (t_pre + d_axon)`
/// (docs/models/mechanisms.md#spike-timing-at-the-synapse), without buffering spikes itself. Write
/// rules for "the spikes that reach the synapse in this step"; the engine decides when that is.
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

    /// Whether the rule gives the same weights when its projection's synapses are split by
    /// postsynaptic neuron (one network across MPI ranks, each holding the synapses onto its
    /// own neurons, in the same order): true when each synapse's change depends only on its
    /// own weight, the pre- and postsynaptic spikes and traces, the modulator, and at most the
    /// other synapses onto the same postsynaptic neuron; false when it draws random numbers
    /// per synapse, or uses sums over a presynaptic neuron's synapses or over the whole
    /// projection. A distributed network refuses rules that return `false`. Default `false`.
    fn local_to_target(&self) -> bool {
        false
    }

    /// Whether the rule's state belongs to neurons only (traces per pre- and postsynaptic
    /// neuron), none to synapses, so that its projection may be rewired between steps
    /// (`engram_sim::Network::rewire`, structural turnover): the engine then rebuilds the
    /// rule's index of the synapses and the rule goes on. `false` for rules with per-synapse
    /// state (eligibility traces, efficacies), whose values would no longer belong to the
    /// synapses they were made for. Default `false`.
    fn neuron_state_only(&self) -> bool {
        false
    }

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

    /// The fields that hold the rule's dynamic state (traces, rate estimates, sensors), for
    /// checkpoints. Write it with [`checkpoint_fields!`](crate::checkpoint_fields)
    /// (`checkpoint_fields!(x_pre, x_post);`), which also writes
    /// [`checkpoint_fields_mut`](Self::checkpoint_fields_mut). Default: none.
    fn checkpoint_fields(&self) -> Vec<(&'static str, &dyn StateField)> {
        Vec::new()
    }
    /// The same fields, mutable, in the same order (for loading). Default: none.
    fn checkpoint_fields_mut(&mut self) -> Vec<(&'static str, &mut dyn StateField)> {
        Vec::new()
    }
    /// The complete dynamic state (traces, sensors, short-term plasticity variables; not the
    /// weights, which the engine saves), for checkpoints. Default: the
    /// [`checkpoint_fields`](Self::checkpoint_fields) ([`save_fields`]), or an error naming
    /// the rule if it declares none. Override it (with `load_state`) for state that is not in
    /// fields of its own, or for a stateless rule (an empty [`ComponentState`]).
    fn save_state(&self) -> Result<ComponentState, EngramError> {
        let fields = self.checkpoint_fields();
        if fields.is_empty() {
            return Err(ComponentState::unsupported("plasticity rule", self.name()));
        }
        save_fields(self.name(), &fields)
    }
    /// Restore a state written by [`save_state`](Self::save_state), all or nothing. Default:
    /// the counterpart of the default `save_state` ([`load_fields`]).
    fn load_state(&mut self, state: &ComponentState) -> Result<(), EngramError> {
        let kind = self.name().to_string();
        let mut fields = self.checkpoint_fields_mut();
        if fields.is_empty() {
            return Err(ComponentState::unsupported("plasticity rule", &kind));
        }
        load_fields(&kind, state, &mut fields)
    }
}
