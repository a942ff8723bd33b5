//! Triplet STDP of Pfister & Gerstner (2006), all-to-all and nearest-spike, with the
//! published visual-cortex parameter sets.

use crate::common::{
    Interaction, Trace, check_bounds, check_shape, clip, for_each_in_column, prefetch_columns, prefetch_rows,
};
use engram_core::checkpoint::StateField;
use engram_core::error::ParamError;
use engram_core::neuron::StepContext;
use engram_core::params::{Checked, Params, non_negative, positive};
use engram_core::plasticity::{PlasticityRule, SynapsesMut};
use serde::{Deserialize, Serialize};

/// Parameters of [`TripletStdp`]. Default: the minimal all-to-all model fitted to the
/// visual-cortex data of Sjöström et al. (2001) (Pfister & Gerstner 2006, Table 3):
/// `A₂⁺ = 0, A₃⁺ = 6.5e-3, A₂⁻ = 7.1e-3, A₃⁻ = 0, τ_y = 114 ms, τ₊ = 16.8 ms, τ₋ = 33.7 ms`
/// (τ_x = 101 ms is unused when `A₃⁻ = 0`), bounds `[0, 1]`. The visual-cortex sets follow the
/// paper's Table 3 as quoted, checked against the open-access text (PMC6674434), in public
/// code (e.g. the `stdp_frequency` example of the `neurosush` package); τ_y = 114 ms of the
/// minimal all-to-all set is also Auryn's `TripletConnection` (τ_long).
///
/// The other published sets: [`visual_cortex_all_to_all_full`](Self::visual_cortex_all_to_all_full),
/// [`visual_cortex_nearest_minimal`](Self::visual_cortex_nearest_minimal),
/// [`visual_cortex_nearest_full`](Self::visual_cortex_nearest_full), and the hippocampal-culture
/// minimal all-to-all set [`hippocampal_all_to_all_minimal`](Self::hippocampal_all_to_all_minimal).
/// (The other three hippocampal-culture sets are not shipped: no citable source for them was
/// found.)
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TripletStdpParams {
    /// Fast presynaptic trace r₁, ms. Default 16.8.
    pub tau_plus_ms: f64,
    /// Fast postsynaptic trace o₁, ms. Default 33.7.
    pub tau_minus_ms: f64,
    /// Slow presynaptic trace r₂, ms. Default 101.
    pub tau_x_ms: f64,
    /// Slow postsynaptic trace o₂, ms. Default 114.
    pub tau_y_ms: f64,
    /// Pair potentiation A₂⁺. Default 0.
    pub a2_plus: f64,
    /// Triplet potentiation A₃⁺. Default 6.5e-3.
    pub a3_plus: f64,
    /// Pair depression A₂⁻. Default 7.1e-3.
    pub a2_minus: f64,
    /// Triplet depression A₃⁻. Default 0.
    pub a3_minus: f64,
    /// Lower weight bound. Default 0.
    pub w_min: f64,
    /// Upper weight bound. Default 1.
    pub w_max: f64,
    /// Pairing scheme (all traces). Default all-to-all.
    pub interaction: Interaction,
    /// Sliding LTD amplitude (Zenke, Hennequin & Gerstner 2013), replacing `a2_minus`.
    /// Default none.
    pub sliding_threshold: Option<SlidingThreshold>,
}

/// Homeostatic LTD of the minimal triplet rule (Zenke, Hennequin & Gerstner 2013; Auryn's
/// `TripletConnection`): the pair-depression amplitude of postsynaptic neuron `i` follows the
/// square of its rate estimate `ν̄_i` (a spike trace with time constant `tau_ms`, divided by it),
///
/// ```text
/// A₂⁻_i = A₃⁺ τ₊ τ_y ν̄_i² / (τ₋ κ)
/// ```
///
/// so the rule's BCM threshold `θ_i = A₂⁻_i τ₋ / (A₃⁺ τ₊ τ_y) = ν̄_i²/κ` equals the rate itself
/// at the target `κ`: neurons above κ depress, below it potentiate. The estimate starts at κ.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlidingThreshold {
    /// Time constant of the rate estimate, ms (Auryn's τ_hom; 10 s in its benchmark).
    pub tau_ms: f64,
    /// Target rate κ, Hz (Auryn: 3 Hz).
    pub target_rate_hz: f64,
}

impl Params for SlidingThreshold {
    fn validate(&self) -> Result<(), ParamError> {
        positive("tau_ms", self.tau_ms)?;
        positive("target_rate_hz", self.target_rate_hz)
    }
}

impl Default for TripletStdpParams {
    fn default() -> Self {
        Self::visual_cortex_all_to_all_minimal()
    }
}

impl TripletStdpParams {
    fn base(interaction: Interaction) -> Self {
        Self {
            tau_plus_ms: 16.8,
            tau_minus_ms: 33.7,
            tau_x_ms: 101.0,
            tau_y_ms: 125.0,
            a2_plus: 0.0,
            a3_plus: 0.0,
            a2_minus: 0.0,
            a3_minus: 0.0,
            w_min: 0.0,
            w_max: 1.0,
            interaction,
            sliding_threshold: None,
        }
    }

    /// Visual cortex, all-to-all, minimal model (the default).
    pub fn visual_cortex_all_to_all_minimal() -> Self {
        Self { a3_plus: 6.5e-3, a2_minus: 7.1e-3, tau_y_ms: 114.0, ..Self::base(Interaction::AllToAll) }
    }

    /// Visual cortex, all-to-all, full model: `A₂⁺ 5e-10, A₃⁺ 6.2e-3, A₂⁻ 7e-3, A₃⁻ 2.3e-4,
    /// τ_x 101 ms, τ_y 125 ms`.
    pub fn visual_cortex_all_to_all_full() -> Self {
        Self {
            a2_plus: 5e-10,
            a3_plus: 6.2e-3,
            a2_minus: 7e-3,
            a3_minus: 2.3e-4,
            tau_x_ms: 101.0,
            tau_y_ms: 125.0,
            ..Self::base(Interaction::AllToAll)
        }
    }

    /// Visual cortex, nearest-spike, minimal model: `A₃⁺ 5e-2, A₂⁻ 8e-3, τ_y 40 ms`.
    pub fn visual_cortex_nearest_minimal() -> Self {
        Self { a3_plus: 5e-2, a2_minus: 8e-3, tau_y_ms: 40.0, ..Self::base(Interaction::Nearest) }
    }

    /// Visual cortex, nearest-spike, full model: `A₂⁺ 8.8e-11, A₃⁺ 5.3e-2, A₂⁻ 6.6e-3,
    /// A₃⁻ 3.1e-3, τ_x 714 ms, τ_y 40 ms`.
    pub fn visual_cortex_nearest_full() -> Self {
        Self {
            a2_plus: 8.8e-11,
            a3_plus: 5.3e-2,
            a2_minus: 6.6e-3,
            a3_minus: 3.1e-3,
            tau_x_ms: 714.0,
            tau_y_ms: 40.0,
            ..Self::base(Interaction::Nearest)
        }
    }

    /// Hippocampal culture (data of Wang et al. 2005), all-to-all, minimal model:
    /// `A₂⁺ 5.3e-3, A₃⁺ 8e-3, A₂⁻ 3.5e-3, A₃⁻ 0, τ_y 40 ms`, with τ₊ = 16.8 ms and τ₋ = 33.7 ms
    /// (τ_x unused).
    ///
    /// Source: Pfister & Gerstner (2006), Table 4, as implemented in Auryn's
    /// `MinimalTripletConnection` by F. Zenke (github.com/fzenke/auryn,
    /// `src/auryn/MinimalTripletConnection.cpp`, "minimal triplet STDP as described by Pfister
    /// and Gerstner 2006", `eta = 1`), and given as "Table 4 ... hippocampal culture data set,
    /// all-to-all minimal model" in SNNModels.jl (github.com/JuliaSNN/SNNModels.jl,
    /// `src/connections/sparse_plasticity/STDP_triplet.jl`). Checked against these two sources,
    /// not against the paper's table itself. Unlike the visual-cortex sets it has pair
    /// potentiation (`A₂⁺ > 0`), so its Poisson drift changes sign at
    /// `(A₂⁻ τ₋ − A₂⁺ τ₊)/(A₃⁺ τ₊ τ_y) ≈ 5.4 Hz`, not at
    /// [`bcm_threshold_hz`](Self::bcm_threshold_hz) (≈ 21.9 Hz, which ignores `A₂⁺`).
    pub fn hippocampal_all_to_all_minimal() -> Self {
        Self {
            a2_plus: 5.3e-3,
            a3_plus: 8e-3,
            a2_minus: 3.5e-3,
            a3_minus: 0.0,
            tau_y_ms: 40.0,
            ..Self::base(Interaction::AllToAll)
        }
    }

    /// Mean drift for independent Poisson trains (all-to-all, `A₃⁻` and `A₂⁺` included),
    /// weight units per second:
    /// `ρ_pre ρ_post (A₂⁺ τ₊ + A₃⁺ τ₊ τ_y ρ_post − A₂⁻ τ₋ − A₃⁻ τ₋ τ_x ρ_pre)`.
    pub fn poisson_drift_per_s(&self, rate_pre_hz: f64, rate_post_hz: f64) -> f64 {
        let s = |ms: f64| ms / 1000.0;
        rate_pre_hz
            * rate_post_hz
            * (self.a2_plus * s(self.tau_plus_ms)
                + self.a3_plus * s(self.tau_plus_ms) * s(self.tau_y_ms) * rate_post_hz
                - self.a2_minus * s(self.tau_minus_ms)
                - self.a3_minus * s(self.tau_minus_ms) * s(self.tau_x_ms) * rate_pre_hz)
    }

    /// The BCM threshold of the minimal all-to-all model, Hz: the postsynaptic rate at which
    /// the Poisson drift changes sign, `θ = A₂⁻ τ₋ / (A₃⁺ τ₊ τ_y)` (for `A₂⁺ = A₃⁻ = 0`).
    pub fn bcm_threshold_hz(&self) -> f64 {
        self.a2_minus * self.tau_minus_ms / (self.a3_plus * self.tau_plus_ms * self.tau_y_ms / 1000.0)
    }
}

impl Params for TripletStdpParams {
    fn validate(&self) -> Result<(), ParamError> {
        positive("tau_plus_ms", self.tau_plus_ms)?;
        positive("tau_minus_ms", self.tau_minus_ms)?;
        positive("tau_x_ms", self.tau_x_ms)?;
        positive("tau_y_ms", self.tau_y_ms)?;
        non_negative("a2_plus", self.a2_plus)?;
        non_negative("a3_plus", self.a3_plus)?;
        non_negative("a2_minus", self.a2_minus)?;
        non_negative("a3_minus", self.a3_minus)?;
        if let Some(h) = &self.sliding_threshold {
            h.validate().map_err(|e| e.within("sliding_threshold"))?;
        }
        check_bounds(self.w_min, self.w_max)
    }
}

/// Triplet STDP (Pfister & Gerstner 2006):
///
/// ```text
/// pre traces r₁ (τ₊), r₂ (τ_x); post traces o₁ (τ₋), o₂ (τ_y)
/// pre spike of j:   w_ij ← clip(w_ij − o₁,i [A₂⁻ + A₃⁻ r₂,j(t−ε)]);  then r₁,j, r₂,j jump
/// post spike of i:  w_ij ← clip(w_ij + r₁,j [A₂⁺ + A₃⁺ o₂,i(t−ε)]);  then o₁,i, o₂,i jump
/// ```
///
/// The `t − ε` reads are encoded by processing a spike before adding it to its own traces.
/// Pre spikes are processed before post spikes in a step. With all-to-all interactions and
/// Poisson trains the rule is a BCM rule with threshold
/// [`bcm_threshold_hz`](TripletStdpParams::bcm_threshold_hz) (≈ 19.2 Hz for the default set).
/// Traces per neuron, decayed per step; delays as in [`PairStdp`](crate::PairStdp) (timing
/// at the somata with `add_plasticity`, at the synapse with `add_plasticity_with_timing`).
///
/// With [`sliding_threshold`](TripletStdpParams::sliding_threshold) the pair-depression
/// amplitude of each postsynaptic neuron follows its rate estimate ([`SlidingThreshold`]; Zenke,
/// Hennequin & Gerstner 2013, the rule of Auryn's plasticity benchmark);
/// [`reset_traces`](PlasticityRule::reset_traces) sets the estimates back to the target rate.
///
/// ```
/// use engram_core::{neuron::StepContext, params::Params, plasticity::PlasticityRule};
/// use engram_plasticity::{SynapseTable, TripletStdp, TripletStdpParams};
///
/// let p = TripletStdpParams::default();
/// let mut rule = TripletStdp::new(p.clone().check().unwrap(), 1, 1);
/// let mut syn = SynapseTable::one_to_one(1, 0.5);
/// let ctx = |step| StepContext { step, dt_ms: 1.0 };
/// // post, pre 10 ms later: pair depression A₂⁻ e^{−10/τ₋}
/// rule.step(&ctx(0), &[], &[0], 0.0, syn.view());
/// rule.step(&ctx(10), &[0], &[], 0.0, syn.view());
/// let expected = 0.5 - p.a2_minus * (-10.0 / p.tau_minus_ms).exp();
/// assert!((syn.weights[0] - expected).abs() < 1e-12);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TripletStdp {
    params: TripletStdpParams,
    r1: Trace,
    r2: Trace,
    o1: Trace,
    o2: Trace,
    /// Rate estimate of the sliding threshold (spike trace, τ_hom), if any.
    nu: Option<Trace>,
}

impl TripletStdp {
    /// A rule for a projection of `n_pre` onto `n_post` neurons.
    pub fn new(params: Checked<TripletStdpParams>, n_pre: usize, n_post: usize) -> Self {
        let p = params.into_inner();
        Self {
            r1: Trace::new(n_pre, p.tau_plus_ms),
            r2: Trace::new(n_pre, p.tau_x_ms),
            o1: Trace::new(n_post, p.tau_minus_ms),
            o2: Trace::new(n_post, p.tau_y_ms),
            nu: p.sliding_threshold.as_ref().map(|h| {
                let mut nu = Trace::new(n_post, h.tau_ms);
                nu.fill(h.target_rate_hz * h.tau_ms / 1000.0);
                nu
            }),
            params: p,
        }
    }

    /// The rate estimates `ν̄` of the sliding threshold, Hz (`None` without one).
    pub fn rate_estimates_hz(&self) -> Option<Vec<f64>> {
        let tau_s = self.params.sliding_threshold.as_ref()?.tau_ms / 1000.0;
        self.nu.as_ref().map(|nu| nu.values().iter().map(|x| x / tau_s).collect())
    }

    /// The parameters.
    pub fn params(&self) -> &TripletStdpParams {
        &self.params
    }
}

impl PlasticityRule for TripletStdp {
    /// Per synapse, from its own neurons' traces: local to the targets.
    fn local_to_target(&self) -> bool {
        true
    }

    fn name(&self) -> &str {
        "triplet_stdp"
    }

    /// The four traces, and the rate estimate `nu` when the LTD threshold slides.
    fn checkpoint_fields(&self) -> Vec<(&'static str, &dyn StateField)> {
        let mut fields: Vec<(&'static str, &dyn StateField)> =
            vec![("r1", &self.r1), ("r2", &self.r2), ("o1", &self.o1), ("o2", &self.o2)];
        if let Some(nu) = &self.nu {
            fields.push(("nu", nu));
        }
        fields
    }

    fn checkpoint_fields_mut(&mut self) -> Vec<(&'static str, &mut dyn StateField)> {
        let mut fields: Vec<(&'static str, &mut dyn StateField)> =
            vec![("r1", &mut self.r1), ("r2", &mut self.r2), ("o1", &mut self.o1), ("o2", &mut self.o2)];
        if let Some(nu) = &mut self.nu {
            fields.push(("nu", nu));
        }
        fields
    }

    fn step(&mut self, ctx: &StepContext, pre: &[u32], post: &[u32], _modulator: f64, mut syn: SynapsesMut<'_>) {
        check_shape(self.name(), self.r1.len(), self.o1.len(), &syn);
        let p = &self.params;
        let dt = ctx.dt_ms;
        self.r1.advance(ctx.step, dt);
        self.o1.advance(ctx.step, dt);
        // the slow traces matter only when their amplitude does
        if p.a3_minus != 0.0 {
            self.r2.advance(ctx.step, dt);
        }
        if p.a3_plus != 0.0 {
            self.o2.advance(ctx.step, dt);
        }
        // Start the cache misses of both walks now, so they overlap with each other and with
        // the depression walk (hints only).
        prefetch_rows(&syn, pre);
        prefetch_columns(&syn, post);
        let (lo, hi, inter) = (p.w_min, p.w_max, p.interaction);
        match (&mut self.nu, &p.sliding_threshold) {
            (Some(nu), Some(h)) => {
                nu.advance(ctx.step, dt);
                // A₂⁻_i = A₃⁺ τ₊ τ_y ν̄_i² / (τ₋ κ), ν̄_i = nu_i / τ_hom (times in s)
                let s = |ms: f64| ms / 1000.0;
                let tau_hom = s(h.tau_ms);
                let gain = p.a3_plus * s(p.tau_plus_ms) * s(p.tau_y_ms)
                    / (s(p.tau_minus_ms) * h.target_rate_hz * tau_hom * tau_hom);
                for &i in pre {
                    let i = i as usize;
                    let a3m = p.a3_minus * self.r2.get(i);
                    for k in syn.row_ptr[i]..syn.row_ptr[i + 1] {
                        let j = syn.post[k] as usize;
                        // branch-free, as in the pair rule (a zero trace changes nothing)
                        let (o1, nu_j) = (self.o1.get(j), nu.get(j));
                        syn.weights[k] = clip(syn.weights[k] - o1 * (gain * nu_j * nu_j + a3m), lo, hi);
                    }
                    self.r1.bump(i, inter);
                    if p.a3_minus != 0.0 {
                        self.r2.bump(i, inter);
                    }
                }
                for &j in post {
                    nu.bump(j as usize, Interaction::AllToAll);
                }
            }
            _ => {
                for &i in pre {
                    let i = i as usize;
                    let dep = p.a2_minus + p.a3_minus * self.r2.get(i);
                    for k in syn.row_ptr[i]..syn.row_ptr[i + 1] {
                        let o1 = self.o1.get(syn.post[k] as usize);
                        syn.weights[k] = clip(syn.weights[k] - o1 * dep, lo, hi);
                    }
                    self.r1.bump(i, inter);
                    if p.a3_minus != 0.0 {
                        self.r2.bump(i, inter);
                    }
                }
            }
        }
        for &j in post {
            let j = j as usize;
            let pot = p.a2_plus + p.a3_plus * self.o2.get(j);
            let r1 = &self.r1;
            for_each_in_column(&mut syn, j, |i, w| {
                *w = clip(*w + r1.get(i) * pot, lo, hi);
            });
            self.o1.bump(j, inter);
            if p.a3_plus != 0.0 {
                self.o2.bump(j, inter);
            }
        }
    }

    fn reset_traces(&mut self) {
        self.r1.reset();
        self.r2.reset();
        self.o1.reset();
        self.o2.reset();
        if let (Some(nu), Some(h)) = (&mut self.nu, &self.params.sliding_threshold) {
            nu.reset();
            nu.fill(h.target_rate_hz * h.tau_ms / 1000.0);
        }
    }
}
