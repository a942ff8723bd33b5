//! Adaptive exponential integrate-and-fire (Brette & Gerstner 2005) with exponential
//! conductance synapses.

use crate::common::{
    ConductanceReceptor, MembraneIntegrator, ReceptorBank, check_input, refractory_steps, reset_below,
    validate_receptors,
};
use engram_core::checkpoint_fields;
use engram_core::error::ParamError;
use engram_core::neuron::{NeuronModel, Receptor, StepContext, StepInput};
use engram_core::params::{Checked, Params, finite, non_negative, positive};
use serde::{Deserialize, Serialize};

/// Largest argument of the exponential term: e^20 ≈ 5·10⁸, far beyond any spike upstroke.
/// Only reached if a user puts `v_peak_mv` more than 20 slope factors above `v_t_mv`.
const EXP_ARG_MAX: f64 = 20.0;

/// Parameters of [`AdEx`]:
/// `C dv/dt = −g_l (v − e_l) + g_l Δ_T exp((v − v_t)/Δ_T) − w + Σ_r g_r (e_rev_r − v) + I_inj`,
/// `tau_w dw/dt = a (v − e_l) − w`; when `v ≥ v_peak`: `v → v_reset`, `w → w + b`.
///
/// Defaults are the regular-spiking cell of Brette & Gerstner (2005) as in Brian2's
/// `Brette_Gerstner_2005.py`: C = 281 pF, g_l = 30 nS, E_l = −70.6 mV, V_T = −50.4 mV,
/// Δ_T = 2 mV, τ_w = 144 ms, a = 4 nS, b = 80.5 pA, V_reset = E_l, spike cut at
/// V_peak = V_T + 5 Δ_T = −40.4 mV (Brian2's choice; the paper plots up to 20 mV, NEST uses
/// 0 mV — a higher cut only changes the last fraction of a millisecond of the upstroke), no
/// refractory period, receptors `exc` (0 mV, 5 ms) and `inh` (−80 mV, 10 ms), forward Euler.
///
/// ```
/// use engram_core::params::Params;
/// use engram_neurons::AdExParams;
/// let p = AdExParams::default();
/// assert!((p.v_peak_mv - (p.v_t_mv + 5.0 * p.delta_t_mv)).abs() < 1e-12);
/// let bad = AdExParams { delta_t_mv: 0.0, ..p };
/// assert_eq!(bad.validate().unwrap_err().field, "delta_t_mv");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdExParams {
    /// Membrane capacitance, pF. Default 281.
    pub c_m_pf: f64,
    /// Leak conductance, nS. Default 30.
    pub g_l_ns: f64,
    /// Leak reversal potential, mV. Default −70.6.
    pub e_l_mv: f64,
    /// Threshold of the exponential term (rheobase potential), mV. Default −50.4.
    pub v_t_mv: f64,
    /// Slope factor Δ_T, mV. Default 2.
    pub delta_t_mv: f64,
    /// Spike detection and cut: a spike when `v ≥ v_peak_mv`. Default −40.4 (V_T + 5 Δ_T).
    pub v_peak_mv: f64,
    /// Reset potential, mV. Default −70.6.
    pub v_reset_mv: f64,
    /// Absolute refractory period, ms. Default 0.
    pub t_ref_ms: f64,
    /// Subthreshold adaptation `a`, nS. Default 4.
    pub a_ns: f64,
    /// Spike-triggered adaptation `b`, pA. Default 80.5.
    pub b_pa: f64,
    /// Adaptation time constant, ms. Default 144.
    pub tau_w_ms: f64,
    /// Conductance channels. Default `exc` (0 mV, 5 ms), `inh` (−80 mV, 10 ms).
    pub receptors: Vec<ConductanceReceptor>,
    /// Membrane integration. Default forward Euler.
    pub integrator: MembraneIntegrator,
}

impl Default for AdExParams {
    fn default() -> Self {
        Self {
            c_m_pf: 281.0,
            g_l_ns: 30.0,
            e_l_mv: -70.6,
            v_t_mv: -50.4,
            delta_t_mv: 2.0,
            v_peak_mv: -40.4,
            v_reset_mv: -70.6,
            t_ref_ms: 0.0,
            a_ns: 4.0,
            b_pa: 80.5,
            tau_w_ms: 144.0,
            receptors: vec![ConductanceReceptor::new("exc", 0.0, 5.0), ConductanceReceptor::new("inh", -80.0, 10.0)],
            integrator: MembraneIntegrator::Euler,
        }
    }
}

impl Params for AdExParams {
    fn validate(&self) -> Result<(), ParamError> {
        positive("c_m_pf", self.c_m_pf)?;
        positive("g_l_ns", self.g_l_ns)?;
        finite("e_l_mv", self.e_l_mv)?;
        finite("v_t_mv", self.v_t_mv)?;
        positive("delta_t_mv", self.delta_t_mv)?;
        if !(self.v_peak_mv.is_finite() && self.v_peak_mv > self.v_t_mv) {
            return Err(ParamError::new(
                "v_peak_mv",
                self.v_peak_mv,
                format!("a finite potential above v_t_mv = {} mV", self.v_t_mv),
            ));
        }
        reset_below("v_reset_mv", self.v_reset_mv, "v_peak_mv", self.v_peak_mv)?;
        non_negative("t_ref_ms", self.t_ref_ms)?;
        finite("a_ns", self.a_ns)?;
        non_negative("b_pa", self.b_pa)?;
        positive("tau_w_ms", self.tau_w_ms)?;
        validate_receptors(&self.receptors)
    }
}

#[derive(Clone, Debug)]
struct DtCache {
    dt_ms: f64,
    n_ref: u32,
    dt_over_c: f64,
    dt_over_tau_w: f64,
}

/// A population of AdEx neurons (see [`AdExParams`]).
///
/// State variables: `v_mv`, `w_pa`, `g_<receptor>_ns`. Receptors: the configured conductance
/// channels (weights in nS).
///
/// Guards against the exponential blow-up: the exponent uses `min(v, v_peak)` and is capped at
/// 20, and any `v ≥ v_peak` after the update counts as a spike in that step, so a huge input
/// produces at most one spike per step and never an infinite or NaN potential.
///
/// ```
/// use engram_core::prelude::*;
/// use engram_neurons::{AdEx, AdExParams};
/// let mut pop = AdEx::new(1, AdExParams::default().check().unwrap());
/// let input = vec![vec![0.0]; 2];
/// let (mut spikes, mut times) = (Vec::new(), Vec::new());
/// for step in 0..5000 {
///     spikes.clear();
///     pop.step(&StepContext { step, dt_ms: 0.1 }, StepInput { receptors: &input, current_pa: &[1000.0] }, &mut spikes);
///     if !spikes.is_empty() { times.push(step) }
/// }
/// // Adapting: later intervals are longer than the first.
/// assert!(times.len() > 4 && times[times.len() - 1] - times[times.len() - 2] > times[1] - times[0]);
/// ```
#[derive(Clone, Debug)]
pub struct AdEx {
    params: AdExParams,
    names: Vec<&'static str>,
    v_mv: Vec<f64>,
    w_pa: Vec<f64>,
    /// The conductances `g_<receptor>_ns`.
    bank: ReceptorBank,
    refractory_left: Vec<u32>,
    g_sum: Vec<f64>,
    ge_sum: Vec<f64>,
    cache: DtCache,
}

impl AdEx {
    /// `n` neurons at rest (`v = e_l`, `w = 0`, no conductance).
    pub fn new(n: usize, params: Checked<AdExParams>) -> Self {
        let params = params.into_inner();
        let bank = ReceptorBank::new(n, params.receptors.iter().map(ConductanceReceptor::to_receptor).collect());
        let mut names = vec!["v_mv", "w_pa"];
        names.extend(bank.names());
        Self {
            v_mv: vec![params.e_l_mv; n],
            w_pa: vec![0.0; n],
            bank,
            refractory_left: vec![0; n],
            g_sum: vec![0.0; n],
            ge_sum: vec![0.0; n],
            cache: DtCache { dt_ms: f64::NAN, n_ref: 0, dt_over_c: 0.0, dt_over_tau_w: 0.0 },
            names,
            params,
        }
    }

    /// The parameters.
    pub fn params(&self) -> &AdExParams {
        &self.params
    }

    fn prepare(&mut self, dt_ms: f64) {
        if self.cache.dt_ms == dt_ms {
            return;
        }
        let p = &self.params;
        let c = &mut self.cache;
        c.dt_ms = dt_ms;
        c.n_ref = refractory_steps(p.t_ref_ms, dt_ms);
        c.dt_over_c = dt_ms / p.c_m_pf;
        c.dt_over_tau_w = dt_ms / p.tau_w_ms;
    }

    fn membrane_pass<const EXP: bool>(&mut self, current_pa: &[f64], spikes: &mut Vec<u32>) {
        let p = &self.params;
        let c = &self.cache;
        let n = self.v_mv.len();
        let v = &mut self.v_mv[..n];
        let w = &mut self.w_pa[..n];
        let refr = &mut self.refractory_left[..n];
        let g_sum = &self.g_sum[..n];
        let ge_sum = &self.ge_sum[..n];
        let i_inj = &current_pa[..n];
        let (g_l, e_l, v_t, d_t, v_peak, v_reset) =
            (p.g_l_ns, p.e_l_mv, p.v_t_mv, p.delta_t_mv, p.v_peak_mv, p.v_reset_mv);
        let (a, b) = (p.a_ns, p.b_pa);
        let (dt_over_c, dt_over_tau_w, n_ref) = (c.dt_over_c, c.dt_over_tau_w, c.n_ref);
        for i in 0..n {
            let (v0, w0) = (v[i], w[i]);
            let arg = ((v0.min(v_peak) - v_t) / d_t).min(EXP_ARG_MAX);
            let i_spike = g_l * d_t * arg.exp();
            let v_new = if EXP {
                let g_tot = g_l + g_sum[i];
                let v_inf = (g_l * e_l + ge_sum[i] + i_spike - w0 + i_inj[i]) / g_tot;
                v_inf + (v0 - v_inf) * (-dt_over_c * g_tot).exp()
            } else {
                v0 + dt_over_c * (g_l * (e_l - v0) + i_spike + ge_sum[i] - g_sum[i] * v0 - w0 + i_inj[i])
            };
            let mut w_new = w0 + dt_over_tau_w * (a * (v0 - e_l) - w0);
            let r = refr[i].saturating_sub(1);
            let mut v_out = if r > 0 { v0 } else { v_new };
            let mut r_out = r;
            // A NaN (from absurd inputs such as infinite currents) is reset like a spike.
            if v_out >= v_peak || v_out.is_nan() {
                v_out = v_reset;
                w_new += b;
                r_out = n_ref;
                spikes.push(i as u32);
            }
            v[i] = v_out;
            w[i] = w_new;
            refr[i] = r_out;
        }
    }
}

impl NeuronModel for AdEx {
    fn keep_block(&mut self, block: std::ops::Range<usize>) -> bool {
        assert!(block.end <= self.len(), "adex: keep_block({block:?}) of {} neurons", self.len());
        crate::common::keep_block(&mut self.v_mv, &block);
        crate::common::keep_block(&mut self.w_pa, &block);
        crate::common::keep_block(&mut self.g_sum, &block);
        crate::common::keep_block(&mut self.ge_sum, &block);
        crate::common::keep_block(&mut self.refractory_left, &block);
        self.bank.keep_block(&block);
        true
    }
    fn kind(&self) -> &str {
        "adex"
    }
    fn len(&self) -> usize {
        self.v_mv.len()
    }
    fn receptors(&self) -> &[Receptor] {
        self.bank.receptors()
    }
    fn state_names(&self) -> &[&'static str] {
        &self.names
    }
    fn state(&self, name: &str) -> Option<&[f64]> {
        match name {
            "v_mv" => Some(&self.v_mv),
            "w_pa" => Some(&self.w_pa),
            _ => self.bank.get(name),
        }
    }
    fn state_mut(&mut self, name: &str) -> Option<&mut [f64]> {
        match name {
            "v_mv" => Some(&mut self.v_mv),
            "w_pa" => Some(&mut self.w_pa),
            _ => self.bank.get_mut(name),
        }
    }
    checkpoint_fields!(refractory_left);
    fn step(&mut self, ctx: &StepContext, input: StepInput<'_>, spikes: &mut Vec<u32>) {
        check_input("adex", self.len(), self.bank.receptors().len(), &input);
        self.prepare(ctx.dt_ms);
        self.bank.advance_with_sums(ctx.dt_ms, input.receptors, &mut self.g_sum, &mut self.ge_sum);
        match self.params.integrator {
            MembraneIntegrator::Euler => self.membrane_pass::<false>(input.current_pa, spikes),
            MembraneIntegrator::ExpEuler => self.membrane_pass::<true>(input.current_pa, spikes),
        }
    }
    fn refractory_ms(&self) -> Option<f64> {
        let t_ref_ms = self.params.t_ref_ms;
        (t_ref_ms > 0.0).then_some(t_ref_ms)
    }
    fn reset_state(&mut self) {
        self.v_mv.fill(self.params.e_l_mv);
        self.w_pa.fill(0.0);
        self.bank.reset();
        self.refractory_left.fill(0);
    }
}
