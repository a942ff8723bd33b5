//! Tsodyks–Markram short-term plasticity, exact and event-driven (the `tsodyks2_synapse`
//! form of NEST): the efficacy `u·x` of each presynaptic spike scales what the projection
//! transmits; the stored weights stay the baseline.

use engram_core::checkpoint_fields;
use engram_core::error::ParamError;
use engram_core::neuron::StepContext;
use engram_core::params::{Checked, Params, non_negative, positive};
use engram_core::plasticity::{PlasticityRule, SynapsesMut};
use serde::{Deserialize, Serialize};

/// Parameters of [`TsodyksMarkram`]. Default: the depressing pyramidal→pyramidal synapse of
/// NEST's `tsodyks2_synapse` (U = 0.5, τ_rec = 800 ms, τ_fac = 0).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TsodyksMarkramParams {
    /// Utilisation increment U (release probability of a rested synapse), in (0, 1]. Default 0.5.
    pub u_se: f64,
    /// Recovery time constant of the resources x, ms (> 0). Default 800.
    pub tau_rec_ms: f64,
    /// Facilitation time constant of u, ms (≥ 0; 0 = no facilitation, u ≡ U). Default 0.
    pub tau_fac_ms: f64,
}

impl Default for TsodyksMarkramParams {
    fn default() -> Self {
        Self::depressing()
    }
}

impl TsodyksMarkramParams {
    /// Depressing pyramidal→pyramidal synapse (NEST defaults): U 0.5, τ_rec 800 ms, τ_fac 0.
    pub fn depressing() -> Self {
        Self { u_se: 0.5, tau_rec_ms: 800.0, tau_fac_ms: 0.0 }
    }

    /// Facilitating pyramidal→interneuron synapse (Tsodyks, Pawelzik & Markram 1998, Brian2
    /// example): U 0.03, τ_rec 130 ms, τ_fac 530 ms.
    pub fn facilitating() -> Self {
        Self { u_se: 0.03, tau_rec_ms: 130.0, tau_fac_ms: 530.0 }
    }

    /// Synaptic working memory (Mongillo, Barak & Tsodyks 2008): U 0.2, τ_rec 200 ms,
    /// τ_fac 1500 ms.
    pub fn mongillo_2008() -> Self {
        Self { u_se: 0.2, tau_rec_ms: 200.0, tau_fac_ms: 1500.0 }
    }

    fn e_fac(&self, interval_ms: f64) -> f64 {
        if self.tau_fac_ms > 0.0 { (-interval_ms / self.tau_fac_ms).exp() } else { 0.0 }
    }

    /// Steady state `(u*, x*)` for a periodic train with `interval_ms` between spikes:
    /// `u* = U / (1 − (1 − U) E_f)`, `x* = (1 − E_r) / (1 − (1 − u*) E_r)`,
    /// `E_r = e^{−Δ/τ_rec}`, `E_f = e^{−Δ/τ_fac}`. The steady efficacy is `u* x*`.
    pub fn steady_state(&self, interval_ms: f64) -> (f64, f64) {
        let (er, ef) = ((-interval_ms / self.tau_rec_ms).exp(), self.e_fac(interval_ms));
        let u = self.u_se / (1.0 - (1.0 - self.u_se) * ef);
        let x = (1.0 - er) / (1.0 - (1.0 - u) * er);
        (u, x)
    }

    /// Paired-pulse ratio (second efficacy / first) of a rested synapse for two spikes
    /// `interval_ms` apart: `u₂ x₂ / U` with `u₂ = U + U(1 − U) E_f`, `x₂ = 1 − U E_r`.
    pub fn paired_pulse_ratio(&self, interval_ms: f64) -> f64 {
        let u = self.u_se;
        let (er, ef) = ((-interval_ms / self.tau_rec_ms).exp(), self.e_fac(interval_ms));
        let u2 = u + u * (1.0 - u) * ef;
        let x2 = 1.0 - u * er;
        u2 * x2 / u
    }
}

impl Params for TsodyksMarkramParams {
    fn validate(&self) -> Result<(), ParamError> {
        if !(self.u_se > 0.0 && self.u_se <= 1.0) {
            return Err(ParamError::new("u_se", self.u_se, "a number in (0, 1]"));
        }
        positive("tau_rec_ms", self.tau_rec_ms)?;
        non_negative("tau_fac_ms", self.tau_fac_ms)
    }
}

const NEVER: u64 = u64::MAX;

/// Tsodyks–Markram short-term plasticity, exact between spikes (NEST `tsodyks2_synapse`,
/// Maass & Markram 2002):
///
/// ```text
/// h = time since the previous spike of the presynaptic neuron
/// x ← 1 + (x − x u − 1) e^{−h/τ_rec}        (recovery after the previous release)
/// u ← U + u (1 − U) e^{−h/τ_fac}            (facilitation; u ≡ U if τ_fac = 0)
/// transmitted: weight · u · x               first spike: u = U, x = 1
/// ```
///
/// It acts through the engine's transmission hook
/// ([`PlasticityRule::before_delivery`]): the weights are never changed, the efficacy `u·x`
/// multiplies them for the spike being delivered. State is kept per presynaptic neuron (all
/// synapses of a neuron share its spike train and these parameters, so this is exact and
/// costs one `exp` pair per spike, not per synapse).
///
/// **Delays:** the efficacy is computed at the presynaptic spike and travels with it; with a
/// constant delay per synapse the intervals at the synapse equal the presynaptic intervals,
/// so the result is exact for axonal delays.
///
/// ```
/// use engram_core::{neuron::StepContext, params::Params, plasticity::PlasticityRule};
/// use engram_plasticity::{TsodyksMarkram, TsodyksMarkramParams};
///
/// let p = TsodyksMarkramParams::depressing();
/// let mut stp = TsodyksMarkram::new(p.clone().check().unwrap(), 1);
/// let (row_ptr, mut eff) = (vec![0, 1], vec![1.0]);
/// stp.before_delivery(&StepContext { step: 0, dt_ms: 0.1 }, &[0], &row_ptr, &mut eff);
/// assert_eq!(eff[0], 0.5);                                   // U · 1
/// stp.before_delivery(&StepContext { step: 500, dt_ms: 0.1 }, &[0], &row_ptr, &mut eff);
/// assert!((eff[0] / 0.5 - p.paired_pulse_ratio(50.0)).abs() < 1e-12); // depressed
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TsodyksMarkram {
    params: TsodyksMarkramParams,
    u: Vec<f64>,
    x: Vec<f64>,
    last_spike: Vec<u64>,
}

impl TsodyksMarkram {
    /// Short-term plasticity for a projection whose presynaptic population has `n_pre` neurons.
    pub fn new(params: Checked<TsodyksMarkramParams>, n_pre: usize) -> Self {
        let params = params.into_inner();
        Self { u: vec![params.u_se; n_pre], x: vec![1.0; n_pre], last_spike: vec![NEVER; n_pre], params }
    }

    /// The parameters.
    pub fn params(&self) -> &TsodyksMarkramParams {
        &self.params
    }

    /// `u` of presynaptic neuron `i` at its last spike (U before any spike).
    pub fn u(&self, i: usize) -> f64 {
        self.u[i]
    }

    /// `x` of presynaptic neuron `i` at its last spike, before release (1 before any spike).
    pub fn x(&self, i: usize) -> f64 {
        self.x[i]
    }

    /// Efficacy `u·x` of presynaptic neuron `i`'s last spike.
    pub fn last_efficacy(&self, i: usize) -> f64 {
        self.u[i] * self.x[i]
    }

    /// Advance neuron `i` to a spike at `step` and return its efficacy.
    #[inline]
    fn spike(&mut self, i: usize, step: u64, dt_ms: f64) -> f64 {
        let p = &self.params;
        let last = self.last_spike[i];
        if last == NEVER {
            self.u[i] = p.u_se;
            self.x[i] = 1.0;
        } else if last != step {
            let h = (step - last) as f64 * dt_ms;
            let (u, x) = (self.u[i], self.x[i]);
            self.x[i] = 1.0 + (x - x * u - 1.0) * (-h / p.tau_rec_ms).exp();
            self.u[i] =
                if p.tau_fac_ms > 0.0 { p.u_se + u * (1.0 - p.u_se) * (-h / p.tau_fac_ms).exp() } else { p.u_se };
        }
        self.last_spike[i] = step;
        self.u[i] * self.x[i]
    }
}

impl PlasticityRule for TsodyksMarkram {
    /// Efficacies from per-presynaptic-neuron state (every rank sees all presynaptic spikes).
    fn local_to_target(&self) -> bool {
        true
    }

    fn name(&self) -> &str {
        "tsodyks_markram"
    }

    checkpoint_fields!(u, x, last_spike);

    fn step(&mut self, _ctx: &StepContext, _pre: &[u32], _post: &[u32], _modulator: f64, _syn: SynapsesMut<'_>) {}

    fn reset_traces(&mut self) {
        self.u.fill(self.params.u_se);
        self.x.fill(1.0);
        self.last_spike.fill(NEVER);
    }

    fn scales_transmission(&self) -> bool {
        true
    }

    fn before_delivery(&mut self, ctx: &StepContext, pre_spikes: &[u32], row_ptr: &[usize], efficacy: &mut [f64]) {
        assert!(
            row_ptr.len() == self.u.len() + 1,
            "tsodyks_markram was built for {} presynaptic neurons but its projection has {}",
            self.u.len(),
            row_ptr.len().saturating_sub(1)
        );
        for &i in pre_spikes {
            let i = i as usize;
            let e = self.spike(i, ctx.step, ctx.dt_ms);
            efficacy[row_ptr[i]..row_ptr[i + 1]].fill(e);
        }
    }
}
