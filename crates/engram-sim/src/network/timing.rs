//! Plasticity timing: when a rule sees spikes ([`PlasticityTiming`]), and the delay lines that
//! hold spikes on their way to it (step 5 of the loop).

use engram_core::error::ParamError;

/// When a plasticity rule sees spikes: after an axonal delay for presynaptic spikes and a
/// dendritic (back-propagation) delay for postsynaptic ones, so that spike timing is evaluated
/// at the synapse, `Δt_syn = (t_post + d_dend) − (t_pre + d_axon)` (see the
/// [module docs](crate::network#spike-timing-for-plasticity-axonal-and-dendritic-delays)).
/// Both delays must be finite, ≥ 0 and whole numbers of steps.
/// Default: both 0, the rule sees spikes when they are emitted (timing at the somata).
///
/// ```
/// use engram_sim::network::PlasticityTiming;
/// // Brian2's convention for a 1.5 ms synapse: the whole delay is axonal
/// let brian = PlasticityTiming { axonal_delay_ms: 1.5, ..Default::default() };
/// // NEST's stdp_synapse: the whole delay is dendritic
/// let nest = PlasticityTiming { dendritic_delay_ms: 1.5, ..Default::default() };
/// assert_eq!(brian.delta_t_syn_ms(10.0, 12.0), 0.5);
/// assert_eq!(nest.delta_t_syn_ms(10.0, 12.0), 3.5);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlasticityTiming {
    /// Delay from a presynaptic spike to its arrival at the synapse, as the rule sees it, ms.
    pub axonal_delay_ms: f64,
    /// Delay from a postsynaptic spike to its back-propagated arrival at the synapse, ms.
    pub dendritic_delay_ms: f64,
}

impl PlasticityTiming {
    /// The spike timing the rule sees for a presynaptic spike emitted at `t_pre_ms` and a
    /// postsynaptic spike emitted at `t_post_ms`:
    /// `(t_post + dendritic_delay_ms) − (t_pre + axonal_delay_ms)`.
    pub fn delta_t_syn_ms(&self, t_pre_ms: f64, t_post_ms: f64) -> f64 {
        (t_post_ms + self.dendritic_delay_ms) - (t_pre_ms + self.axonal_delay_ms)
    }
}

/// A delay in whole steps from a plasticity delay in ms: finite, ≥ 0 and a multiple of `dt`
/// (within 1e-6 of a step).
pub(crate) fn plasticity_delay_steps(field: String, ms: f64, dt_ms: f64) -> Result<u32, ParamError> {
    let steps = ms / dt_ms;
    let allowed = || format!("a finite delay >= 0 ms that is a whole number of steps (dt = {dt_ms} ms)");
    if !ms.is_finite() || ms < 0.0 || (steps - steps.round()).abs() > 1e-6 || steps.round() > u32::MAX as f64 {
        return Err(ParamError::new(field, ms, allowed()));
    }
    Ok(steps.round() as u32)
}

/// Spikes on their way to a plasticity rule: a ring of `d` spike lists (none for `d = 0`).
/// Slot `t mod d` holds the spikes emitted in step `t − d` until step `t` hands them out and
/// stores the spikes of step `t` in their place.
#[derive(Default)]
pub(crate) struct SpikeDelayLine {
    slots: Vec<Vec<u32>>,
    /// The spikes handed out in the current step (a reused buffer).
    arrived: Vec<u32>,
}

impl SpikeDelayLine {
    pub(crate) fn new(steps: u32) -> Self {
        Self { slots: vec![Vec::new(); steps as usize], arrived: Vec::new() }
    }

    /// The delay in steps (the number of slots).
    pub(crate) fn steps(&self) -> usize {
        self.slots.len()
    }

    /// Store the spikes emitted in `step` and return those that arrive in it (emitted `d` steps
    /// earlier; `emitted` itself without delay). Allocates only when a list outgrows its
    /// capacity.
    pub(crate) fn advance<'a>(&'a mut self, step: u64, emitted: &'a [u32]) -> &'a [u32] {
        if self.slots.is_empty() {
            return emitted;
        }
        let slot = (step % self.slots.len() as u64) as usize;
        self.arrived.clear();
        std::mem::swap(&mut self.arrived, &mut self.slots[slot]);
        self.slots[slot].extend_from_slice(emitted);
        &self.arrived
    }

    pub(crate) fn clear(&mut self) {
        self.slots.iter_mut().for_each(Vec::clear);
        self.arrived.clear();
    }

    /// The spikes in flight, slot by slot, concatenated, and the number in each slot.
    pub(crate) fn save(&self) -> (Vec<u32>, Vec<u32>) {
        (self.slots.concat(), self.slots.iter().map(|s| s.len() as u32).collect())
    }

    pub(crate) fn load(&mut self, spikes: &[u32], counts: &[u32]) {
        let mut start = 0;
        for (slot, &n) in self.slots.iter_mut().zip(counts) {
            slot.clear();
            slot.extend_from_slice(&spikes[start..start + n as usize]);
            start += n as usize;
        }
        self.arrived.clear();
    }
}

/// The axonal (pre) and dendritic (post) delay lines of one projection's plasticity rule.
#[derive(Default)]
pub(crate) struct PlasticityDelays {
    pub(crate) pre: SpikeDelayLine,
    pub(crate) post: SpikeDelayLine,
}

impl PlasticityDelays {
    pub(crate) fn is_delayed(&self) -> bool {
        self.pre.steps() > 0 || self.post.steps() > 0
    }
}
