//! Three-factor plasticity: STDP tags a per-synapse eligibility trace, a neuromodulator turns
//! it into weight change (Izhikevich 2007, "Solving the distal reward problem").

use crate::common::{Interaction, Trace, check_bounds, check_shape, clip, load_all_or_nothing};
use engram_core::checkpoint::{ComponentState, StateField};
use engram_core::error::{EngramError, ParamError};
use engram_core::neuron::StepContext;
use engram_core::params::{Checked, Params, finite, non_negative, positive};
use engram_core::plasticity::{PlasticityRule, SynapsesMut};
use serde::{Deserialize, Serialize};

/// Parameters of [`RewardModulatedStdp`]. Defaults: Izhikevich (2007) as in `daspnet.m`:
/// STDP amplitudes `A₊ = 0.1`, `A₋ = 0.15`, τ± = 20 ms, eligibility τ_c = 1 s, learning rate
/// 0.1 per ms (the code applies `s += DA · c` every 10 ms), bounds `[0, 4]`, no modulator
/// offset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RewardModulatedStdpParams {
    /// Presynaptic trace (potentiation window), ms. Default 20.
    pub tau_plus_ms: f64,
    /// Postsynaptic trace (depression window), ms. Default 20.
    pub tau_minus_ms: f64,
    /// Eligibility tag per pre→post pairing, `A₊ e^{−Δt/τ₊}`. Default 0.1.
    pub a_plus: f64,
    /// Eligibility tag per post→pre pairing, `−A₋ e^{−Δt/τ₋}`. Default 0.15.
    pub a_minus: f64,
    /// Decay time constant τ_c of the eligibility trace, ms. Default 1000.
    pub tau_eligibility_ms: f64,
    /// Learning rate η in `dw/dt = η c d` (per ms). Default 0.1.
    pub learning_rate_per_ms: f64,
    /// Added to the engine's modulator: `d = modulator + offset` (Izhikevich's code uses a
    /// tonic 0.002). Default 0.
    pub modulator_offset: f64,
    /// Lower weight bound. Default 0.
    pub w_min: f64,
    /// Upper weight bound. Default 4.
    pub w_max: f64,
    /// Pairing scheme of the STDP traces. Default all-to-all.
    pub interaction: Interaction,
    /// Apply the weight change every this many ms instead of every step: `η d c dt` is summed
    /// over the steps between (as Izhikevich's code applies `s += DA · c` every 10 ms), and a
    /// batch is applied early in the first step whose `d` is 0, so that a reward pulse has
    /// acted in full when it ends. A tag set inside a batch is credited for the whole batch,
    /// and the bounds are applied once per batch. Default `None`: every step.
    pub apply_every_ms: Option<f64>,
}

impl Default for RewardModulatedStdpParams {
    fn default() -> Self {
        Self {
            tau_plus_ms: 20.0,
            tau_minus_ms: 20.0,
            a_plus: 0.1,
            a_minus: 0.15,
            tau_eligibility_ms: 1000.0,
            learning_rate_per_ms: 0.1,
            modulator_offset: 0.0,
            w_min: 0.0,
            w_max: 4.0,
            interaction: Interaction::AllToAll,
            apply_every_ms: None,
        }
    }
}

impl Params for RewardModulatedStdpParams {
    fn validate(&self) -> Result<(), ParamError> {
        positive("tau_plus_ms", self.tau_plus_ms)?;
        positive("tau_minus_ms", self.tau_minus_ms)?;
        non_negative("a_plus", self.a_plus)?;
        non_negative("a_minus", self.a_minus)?;
        positive("tau_eligibility_ms", self.tau_eligibility_ms)?;
        non_negative("learning_rate_per_ms", self.learning_rate_per_ms)?;
        finite("modulator_offset", self.modulator_offset)?;
        if let Some(every) = self.apply_every_ms {
            positive("apply_every_ms", every)?;
        }
        check_bounds(self.w_min, self.w_max)
    }
}

/// Renormalise the eligibility epoch when its factor falls below this.
const EPOCH_FLOOR: f64 = 1e-150;

/// Reward-modulated STDP (Izhikevich 2007; R-STDP in Frémaux & Gerstner 2016):
///
/// ```text
/// dc_ij/dt = −c_ij/τ_c + STDP(Δt)           pre spike: c −= A₋ y_post;  post spike: c += A₊ x_pre
/// dw_ij/dt = η c_ij d(t)                    d = modulator (Network::set_modulator) + offset
/// ```
///
/// Pre/post traces are per neuron (decayed per step by one multiply); the eligibility trace is
/// per synapse and decays *lazily*: all eligibilities share one exponential factor (stored
/// values are relative to a common epoch, renormalised in one pass when the factor underflows
/// towards 1e-150, i.e. every ~345 τ_c), so a step without modulator costs nothing per
/// synapse. In a step with `d ≠ 0` every synapse is updated, `w ← clip(w + η d c dt)` (Euler,
/// with the eligibility after this step's tags); with
/// [`apply_every_ms`](RewardModulatedStdpParams::apply_every_ms) the update is made once per
/// batch of steps, `w ← clip(w + c Σ η d e^(−(t−t_a)/τ_c) dt)`, a tenth of the cost per step
/// for batches of 10 steps. Pre spikes are tagged before post spikes.
///
/// **Delays:** pairings are timed at the somata (emission times; zero axonal and zero
/// dendritic delay for plasticity) unless the rule is attached with
/// `add_plasticity_with_timing`. The modulator is read in the step it is set.
///
/// ```
/// use engram_core::{neuron::StepContext, params::Params, plasticity::PlasticityRule};
/// use engram_plasticity::{RewardModulatedStdp, RewardModulatedStdpParams, SynapseTable};
///
/// let p = RewardModulatedStdpParams::default();
/// let mut syn = SynapseTable::one_to_one(1, 1.0);
/// let mut rule = RewardModulatedStdp::new(p.clone().check().unwrap(), 1, 1, syn.len());
/// let ctx = |step| StepContext { step, dt_ms: 1.0 };
/// rule.step(&ctx(0), &[0], &[], 0.0, syn.view());            // pre
/// rule.step(&ctx(5), &[], &[0], 0.0, syn.view());            // post 5 ms later: tag, no change
/// assert_eq!(syn.weights[0], 1.0);
/// assert!((rule.eligibility(5)[0] - 0.1 * (-5.0f64 / 20.0).exp()).abs() < 1e-12);
/// rule.step(&ctx(6), &[], &[], 1.0, syn.view());             // reward: d = 1 for one step
/// assert!(syn.weights[0] > 1.0);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RewardModulatedStdp {
    params: RewardModulatedStdpParams,
    x_pre: Trace,
    y_post: Trace,
    /// Eligibility relative to the epoch: true value = `stored · epoch`.
    stored: Vec<f64>,
    epoch: f64,
    dt_ms: f64,
    c_decay: f64,
    last_step: Option<u64>,
    /// `Σ η d dt · epoch` over the steps of the batch not yet applied (relative to the epoch
    /// of `stored`), and how many steps it holds.
    pending: f64,
    pending_steps: u64,
}

impl RewardModulatedStdp {
    /// A rule for a projection of `n_pre` onto `n_post` neurons with `n_synapses` synapses.
    pub fn new(params: Checked<RewardModulatedStdpParams>, n_pre: usize, n_post: usize, n_synapses: usize) -> Self {
        let params = params.into_inner();
        Self {
            x_pre: Trace::new(n_pre, params.tau_plus_ms),
            y_post: Trace::new(n_post, params.tau_minus_ms),
            stored: vec![0.0; n_synapses],
            epoch: 1.0,
            dt_ms: 0.0,
            c_decay: 1.0,
            last_step: None,
            pending: 0.0,
            pending_steps: 0,
            params,
        }
    }

    /// The eligibility traces `c` (one per synapse, CSR order) as of the last step run; the
    /// argument is that step (used only to check it). Allocates: for inspection, not the loop.
    pub fn eligibility(&self, step: u64) -> Vec<f64> {
        debug_assert!(self.last_step.is_none_or(|s| s == step), "eligibility asked for step {step}");
        self.stored.iter().map(|c| c * self.epoch).collect()
    }

    /// Eligibility of synapse `k` as of the last step run.
    pub fn eligibility_of(&self, k: usize) -> f64 {
        self.stored[k] * self.epoch
    }

    /// The parameters.
    pub fn params(&self) -> &RewardModulatedStdpParams {
        &self.params
    }
}

impl PlasticityRule for RewardModulatedStdp {
    fn name(&self) -> &str {
        "reward_modulated_stdp"
    }

    fn save_state(&self) -> Result<ComponentState, EngramError> {
        let mut s = ComponentState::new(self.name());
        self.x_pre.save_field(&mut s, "x_pre")?;
        self.y_post.save_field(&mut s, "y_post")?;
        Ok(s.with_f64("stored", self.stored.clone())
            .with_f64("epoch_dt_decay", vec![self.epoch, self.dt_ms, self.c_decay])
            .with_opt_u64("last_step", self.last_step)
            .with_f64("pending_batch", vec![self.pending, self.pending_steps as f64]))
    }

    fn load_state(&mut self, state: &ComponentState) -> Result<(), EngramError> {
        let kind = self.name().to_string();
        load_all_or_nothing(self, &kind, state, |r, s| {
            r.x_pre.load_field(s, "x_pre")?;
            r.y_post.load_field(s, "y_post")?;
            s.read_f64("stored", &mut r.stored)?;
            let mut f = [0.0; 3];
            s.read_f64("epoch_dt_decay", &mut f)?;
            [r.epoch, r.dt_ms, r.c_decay] = f;
            r.last_step = s.opt_u64("last_step")?;
            // checkpoints written before batches existed hold none (nothing pending)
            let mut b = [0.0; 2];
            if s.f64_array("pending_batch").is_ok() {
                s.read_f64("pending_batch", &mut b)?;
            }
            (r.pending, r.pending_steps) = (b[0], b[1] as u64);
            Ok(())
        })
    }

    fn step(&mut self, ctx: &StepContext, pre: &[u32], post: &[u32], modulator: f64, syn: SynapsesMut<'_>) {
        check_shape(self.name(), self.x_pre.len(), self.y_post.len(), &syn);
        assert_eq!(syn.weights.len(), self.stored.len(), "reward_modulated_stdp: number of synapses changed");
        let p = &self.params;
        if ctx.dt_ms != self.dt_ms {
            self.dt_ms = ctx.dt_ms;
            self.c_decay = (-ctx.dt_ms / p.tau_eligibility_ms).exp();
        }
        // eligibility decays over the steps since the last call (normally one)
        let elapsed = self.last_step.map_or(1, |s| ctx.step.saturating_sub(s));
        self.last_step = Some(ctx.step);
        self.epoch *= if elapsed == 1 { self.c_decay } else { self.c_decay.powf(elapsed as f64) };
        if self.epoch < EPOCH_FLOOR {
            let g = self.epoch;
            self.stored.iter_mut().for_each(|c| *c *= g);
            self.pending /= g;
            self.epoch = 1.0;
        }
        self.x_pre.advance(ctx.step, ctx.dt_ms);
        self.y_post.advance(ctx.step, ctx.dt_ms);
        let inv = 1.0 / self.epoch;
        for &i in pre {
            let i = i as usize;
            for k in syn.row_ptr[i]..syn.row_ptr[i + 1] {
                self.stored[k] -= p.a_minus * self.y_post.get(syn.post[k] as usize) * inv;
            }
            self.x_pre.bump(i, p.interaction);
        }
        for &j in post {
            let j = j as usize;
            for e in syn.col_ptr[j]..syn.col_ptr[j + 1] {
                self.stored[syn.syn_of_post[e] as usize] +=
                    p.a_plus * self.x_pre.get(syn.pre_of_post[e] as usize) * inv;
            }
            self.y_post.bump(j, p.interaction);
        }
        let d = modulator + p.modulator_offset;
        if d != 0.0 {
            self.pending += p.learning_rate_per_ms * d * ctx.dt_ms * self.epoch;
            self.pending_steps += 1;
        }
        let batch_steps = p.apply_every_ms.map_or(1, |every| ((every / ctx.dt_ms).round() as u64).max(1));
        if self.pending_steps > 0 && (self.pending_steps >= batch_steps || d == 0.0) {
            let (f, lo, hi) = (self.pending, p.w_min, p.w_max);
            for (w, c) in syn.weights.iter_mut().zip(&self.stored) {
                *w = clip(*w + f * c, lo, hi);
            }
            (self.pending, self.pending_steps) = (0.0, 0);
        }
    }

    fn reset_traces(&mut self) {
        self.x_pre.reset();
        self.y_post.reset();
        self.stored.fill(0.0);
        self.epoch = 1.0;
        self.last_step = None;
        (self.pending, self.pending_steps) = (0.0, 0);
    }
}
