//! Pair-based STDP: additive (hard bounds) and multiplicative (weight-dependent, Gütig et al.
//! 2003) updates, with all-to-all or nearest-spike interactions.

use crate::common::{
    Interaction, Trace, check_bounds, check_shape, clip, for_each_in_column, prefetch_columns, prefetch_rows,
};
use engram_core::checkpoint_fields;
use engram_core::error::ParamError;
use engram_core::neuron::StepContext;
use engram_core::params::{Checked, Params, non_negative, positive};
use engram_core::plasticity::{PlasticityRule, SynapsesMut};
use serde::{Deserialize, Serialize};

/// How the size of a weight change depends on the weight.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightDependence {
    /// `f₊ = f₋ = 1`; weights are clipped to `[w_min, w_max]` (Song, Miller & Abbott 2000).
    #[default]
    Additive,
    /// `f₊ = ((w_max − w)/(w_max − w_min))^μ`, `f₋ = ((w − w_min)/(w_max − w_min))^μ`: soft
    /// bounds; Gütig et al. (2003) for `w_min = 0, w_max = 1`; μ = 1 is the fully
    /// multiplicative rule, μ → 0 the additive one.
    Multiplicative {
        /// Exponent μ ∈ [0, 1].
        mu: f64,
    },
}

impl WeightDependence {
    /// `(f₊(w), f₋(w))` for a weight `w` in `[lo, hi]`.
    #[inline]
    pub fn factors(self, w: f64, lo: f64, hi: f64) -> (f64, f64) {
        match self {
            WeightDependence::Additive => (1.0, 1.0),
            WeightDependence::Multiplicative { mu } => {
                let s = (w - lo) / (hi - lo);
                let s = s.clamp(0.0, 1.0);
                if mu == 1.0 { (1.0 - s, s) } else { ((1.0 - s).powf(mu), s.powf(mu)) }
            }
        }
    }
}

/// Parameters of [`PairStdp`]. Defaults: Song, Miller & Abbott (2000): τ₊ = τ₋ = 20 ms,
/// `A₊ = 0.01`, `A₋ = 1.05 A₊` (weights in units of `w_max = 1`), additive, all-to-all.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PairStdpParams {
    /// Time constant of the presynaptic trace (potentiation window), ms. Default 20.
    pub tau_plus_ms: f64,
    /// Time constant of the postsynaptic trace (depression window), ms. Default 20.
    pub tau_minus_ms: f64,
    /// Potentiation amplitude A₊ (weight units). Default 0.01.
    pub a_plus: f64,
    /// Depression amplitude A₋ (weight units, positive). Default 0.0105.
    pub a_minus: f64,
    /// Lower weight bound. Default 0.
    pub w_min: f64,
    /// Upper weight bound. Default 1.
    pub w_max: f64,
    /// Weight dependence. Default additive.
    pub weight_dependence: WeightDependence,
    /// Pairing scheme. Default all-to-all.
    pub interaction: Interaction,
}

impl Default for PairStdpParams {
    fn default() -> Self {
        Self {
            tau_plus_ms: 20.0,
            tau_minus_ms: 20.0,
            a_plus: 0.01,
            a_minus: 0.0105,
            w_min: 0.0,
            w_max: 1.0,
            weight_dependence: WeightDependence::Additive,
            interaction: Interaction::AllToAll,
        }
    }
}

impl PairStdpParams {
    /// Bi & Poo (1998) window time constants (τ₊ = 16.8 ms, τ₋ = 33.7 ms), other values default.
    pub fn bi_poo() -> Self {
        Self { tau_plus_ms: 16.8, tau_minus_ms: 33.7, ..Self::default() }
    }

    /// The additive window for one isolated pair, `Δt = t_post − t_pre` in ms:
    /// `A₊ e^{−Δt/τ₊}` for `Δt ≥ 0`, `−A₋ e^{Δt/τ₋}` for `Δt < 0`.
    pub fn window(&self, dt_ms: f64) -> f64 {
        if dt_ms >= 0.0 {
            self.a_plus * (-dt_ms / self.tau_plus_ms).exp()
        } else {
            -self.a_minus * (dt_ms / self.tau_minus_ms).exp()
        }
    }
}

impl Params for PairStdpParams {
    fn validate(&self) -> Result<(), ParamError> {
        positive("tau_plus_ms", self.tau_plus_ms)?;
        positive("tau_minus_ms", self.tau_minus_ms)?;
        non_negative("a_plus", self.a_plus)?;
        non_negative("a_minus", self.a_minus)?;
        check_bounds(self.w_min, self.w_max)?;
        if let WeightDependence::Multiplicative { mu } = self.weight_dependence {
            if !(0.0..=1.0).contains(&mu) {
                return Err(ParamError::new("weight_dependence.mu", mu, "a number in [0, 1]"));
            }
        }
        Ok(())
    }
}

/// Pair-based STDP with per-neuron traces:
///
/// ```text
/// pre spike of j:   w_ij ← clip(w_ij − A₋ f₋(w_ij) y_post,i)     then x_pre,j jumps
/// post spike of i:  w_ij ← clip(w_ij + A₊ f₊(w_ij) x_pre,j)      then y_post,i jumps
/// ```
///
/// Traces jump by +1 (all-to-all) or reset to 1 (nearest-spike), see [`Interaction`]. In a
/// step, pre spikes are processed before post spikes, so a pre and a post spike in the same
/// step count as `Δt = 0`, potentiation `A₊`. Traces are decayed per step by one multiply.
///
/// **Delays:** attached with `add_plasticity`, Δt is measured between emission times at the
/// somata (zero axonal and zero dendritic delay for plasticity), whatever the projection's
/// transmission delay; with `add_plasticity_with_timing` it is
/// `(t_post + d_dend) − (t_pre + d_axon)`, the timing at the synapse.
///
/// ```
/// use engram_core::{neuron::StepContext, params::Params, plasticity::PlasticityRule};
/// use engram_plasticity::{PairStdp, PairStdpParams, SynapseTable};
///
/// let p = PairStdpParams { w_max: 2.0, ..Default::default() };
/// let mut rule = PairStdp::new(p.clone().check().unwrap(), 1, 1);
/// let mut syn = SynapseTable::one_to_one(1, 1.0);
/// let ctx = |step| StepContext { step, dt_ms: 0.1 };
/// rule.step(&ctx(0), &[0], &[], 0.0, syn.view());     // pre at 0 ms
/// rule.step(&ctx(100), &[], &[0], 0.0, syn.view());   // post at 10 ms
/// assert!((syn.weights[0] - (1.0 + p.window(10.0))).abs() < 1e-12);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PairStdp {
    params: PairStdpParams,
    x_pre: Trace,
    y_post: Trace,
}

impl PairStdp {
    /// A rule for a projection of `n_pre` onto `n_post` neurons.
    pub fn new(params: Checked<PairStdpParams>, n_pre: usize, n_post: usize) -> Self {
        let params = params.into_inner();
        Self { x_pre: Trace::new(n_pre, params.tau_plus_ms), y_post: Trace::new(n_post, params.tau_minus_ms), params }
    }

    /// The parameters.
    pub fn params(&self) -> &PairStdpParams {
        &self.params
    }

    /// Depression along the rows of this step's pre spikes, then potentiation along the columns
    /// of its post spikes; `factors(w)` gives `(f₊(w), f₋(w))`.
    #[inline]
    fn walk(&mut self, pre: &[u32], post: &[u32], mut syn: SynapsesMut<'_>, factors: impl Fn(f64) -> (f64, f64)) {
        let p = &self.params;
        let (lo, hi, inter) = (p.w_min, p.w_max, p.interaction);
        // Start the cache misses of both walks now, so they overlap with each other and with
        // the depression walk (a hint only; see `prefetch_rows`).
        prefetch_rows(&syn, pre);
        prefetch_columns(&syn, post);
        // Rows over zipped slices: no bounds checks on the weights of a row.
        for &i in pre {
            let i = i as usize;
            let row = syn.row_ptr[i]..syn.row_ptr[i + 1];
            for (&j, w) in syn.post[row.clone()].iter().zip(&mut syn.weights[row]) {
                // No test for a zero trace: a branch-free walk keeps more loads in flight,
                // and a zero trace leaves a weight within bounds unchanged anyway.
                let y = self.y_post.get(j as usize);
                *w = clip(*w - p.a_minus * factors(*w).1 * y, lo, hi);
            }
            self.x_pre.bump(i, inter);
        }
        for &j in post {
            let j = j as usize;
            let x_pre = &self.x_pre;
            for_each_in_column(&mut syn, j, |i, w| {
                let x = x_pre.get(i);
                *w = clip(*w + p.a_plus * factors(*w).0 * x, lo, hi);
            });
            self.y_post.bump(j, inter);
        }
    }
}

impl PlasticityRule for PairStdp {
    /// Per synapse, from its own neurons' traces: local to the targets.
    fn local_to_target(&self) -> bool {
        true
    }

    /// Its traces belong to the neurons: a projection with it can be rewired.
    fn neuron_state_only(&self) -> bool {
        true
    }

    fn name(&self) -> &str {
        "pair_stdp"
    }

    checkpoint_fields!(x_pre, y_post);

    fn step(&mut self, ctx: &StepContext, pre: &[u32], post: &[u32], _modulator: f64, syn: SynapsesMut<'_>) {
        check_shape(self.name(), self.x_pre.len(), self.y_post.len(), &syn);
        self.x_pre.advance(ctx.step, ctx.dt_ms);
        self.y_post.advance(ctx.step, ctx.dt_ms);
        let (lo, hi) = (self.params.w_min, self.params.w_max);
        // One monomorphised walk per weight dependence: the additive one has no per-synapse work
        // beyond the update itself.
        match self.params.weight_dependence {
            WeightDependence::Additive => self.walk(pre, post, syn, |_| (1.0, 1.0)),
            dep => self.walk(pre, post, syn, |w| dep.factors(w, lo, hi)),
        }
    }

    fn reset_traces(&mut self) {
        self.x_pre.reset();
        self.y_post.reset();
    }
}
