//! Current-based leaky integrate-and-fire with exponential synaptic currents, integrated
//! exactly (Rotter & Diesmann 1999; NEST `iaf_psc_exp`, Brian2 CUBA with `method='exact'`).

use crate::common::{ReceptorBank, check_input, collect_spikes, refractory_steps, reset_below};
use engram_core::checkpoint_fields;
use engram_core::error::ParamError;
use engram_core::neuron::{NeuronModel, Receptor, StepContext, StepInput};
use engram_core::params::{Checked, Params, finite, non_negative, positive};
use serde::{Deserialize, Serialize};

/// Parameters of [`LifCurrent`]:
/// `C dv/dt = −(C/tau_m)(v − e_l) + i_exc + i_inh + I_inj`, `tau_syn di/dt = −i`.
///
/// Defaults are the CUBA benchmark neuron of Brette et al. (2007, benchmark 2) with a resting
/// potential below threshold: τ_m = 20 ms, C = 200 pF (g_l = 10 nS), E_l = −60 mV,
/// V_th = −50 mV, V_reset = −60 mV, t_ref = 5 ms, τ_exc = 5 ms, τ_inh = 10 ms.
/// [`LifCurrentParams::cuba`] has the benchmark's E_l = −49 mV (above threshold: the
/// benchmark's neurons fire without input). CUBA's weights, 1.62 mV and −9 mV in voltage units,
/// are 16.2 pA and −90 pA here (× g_l).
///
/// ```
/// use engram_core::params::Params;
/// use engram_neurons::LifCurrentParams;
/// assert!(LifCurrentParams::default().validate().is_ok());
/// let bad = LifCurrentParams { t_ref_ms: -1.0, ..LifCurrentParams::default() };
/// assert_eq!(bad.validate().unwrap_err().field, "t_ref_ms");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LifCurrentParams {
    /// Membrane time constant, ms. Default 20.
    pub tau_m_ms: f64,
    /// Membrane capacitance, pF. Default 200.
    pub c_m_pf: f64,
    /// Resting potential, mV. Default −60.
    pub e_l_mv: f64,
    /// Threshold, mV; spike when `v > v_th_mv`. Default −50.
    pub v_th_mv: f64,
    /// Reset potential, mV. Default −60.
    pub v_reset_mv: f64,
    /// Absolute refractory period, ms. Default 5.
    pub t_ref_ms: f64,
    /// Decay time of the excitatory current, ms. Default 5.
    pub tau_syn_exc_ms: f64,
    /// Decay time of the inhibitory current, ms. Default 10.
    pub tau_syn_inh_ms: f64,
}

impl Default for LifCurrentParams {
    fn default() -> Self {
        Self {
            tau_m_ms: 20.0,
            c_m_pf: 200.0,
            e_l_mv: -60.0,
            v_th_mv: -50.0,
            v_reset_mv: -60.0,
            t_ref_ms: 5.0,
            tau_syn_exc_ms: 5.0,
            tau_syn_inh_ms: 10.0,
        }
    }
}

impl LifCurrentParams {
    /// The CUBA benchmark neuron exactly (E_l = −49 mV).
    pub fn cuba() -> Self {
        Self { e_l_mv: -49.0, ..Self::default() }
    }

    /// Leak conductance `C/tau_m`, nS.
    pub fn g_l_ns(&self) -> f64 {
        self.c_m_pf / self.tau_m_ms
    }
}

impl Params for LifCurrentParams {
    fn validate(&self) -> Result<(), ParamError> {
        positive("tau_m_ms", self.tau_m_ms)?;
        positive("c_m_pf", self.c_m_pf)?;
        finite("e_l_mv", self.e_l_mv)?;
        finite("v_th_mv", self.v_th_mv)?;
        reset_below("v_reset_mv", self.v_reset_mv, "v_th_mv", self.v_th_mv)?;
        non_negative("t_ref_ms", self.t_ref_ms)?;
        positive("tau_syn_exc_ms", self.tau_syn_exc_ms)?;
        positive("tau_syn_inh_ms", self.tau_syn_inh_ms)
    }
}

/// Coefficient of the synaptic current `i(t)` in `v(t + h)` for a current decaying with
/// `tau_s` into a membrane with `tau_m` and `C`:
/// `tau_m tau_s / (C (tau_m − tau_s)) · (e^{−h/tau_m} − e^{−h/tau_s})`, written as
/// `(h/C) e^{−h/tau_s} · expm1(x)/x` with `x = h (1/tau_s − 1/tau_m)`, which is exact and
/// well-conditioned at and near the singular case `tau_m = tau_s` (where it is `(h/C) e^{−h/tau}`).
pub(crate) fn psc_propagator(h: f64, tau_m: f64, tau_s: f64, c_m: f64) -> f64 {
    let x = h * (1.0 / tau_s - 1.0 / tau_m);
    let ratio = if x.abs() < 1e-300 { 1.0 } else { x.exp_m1() / x };
    h / c_m * (-h / tau_s).exp() * ratio
}

#[derive(Clone, Debug)]
struct DtCache {
    dt_ms: f64,
    /// `e^{−h/tau_m}`.
    p_vv: f64,
    /// Coefficient of a constant current, mV/pA: `(tau_m/C)(1 − e^{−h/tau_m})`.
    p_vi_const: f64,
    p_v_exc: f64,
    p_v_inh: f64,
    n_ref: u32,
}

/// A population of current-based LIF neurons with exponential synaptic currents, integrated
/// exactly: `v` at the end of each step is the exact solution for the currents present at its
/// start (synaptic currents decaying exponentially, injected current constant over the step).
///
/// Receptors: `exc` and `inh` (kind `Current`, weights in pA, added with their sign, so
/// inhibitory weights are negative as in NEST and Brian's CUBA). State variables: `v_mv`,
/// `i_exc_pa`, `i_inh_pa`. Threshold `v > v_th_mv`, immediate reset, `v` held at the reset for
/// `t_ref_ms` while the currents keep decaying.
///
/// ```
/// use engram_core::prelude::*;
/// use engram_neurons::{LifCurrent, LifCurrentParams};
/// let mut pop = LifCurrent::new(1, LifCurrentParams::default().check().unwrap());
/// let input = vec![vec![100.0], vec![0.0]]; // 100 pA on `exc` in every step
/// let mut spikes = Vec::new();
/// let mut n = 0;
/// for step in 0..10_000 {
///     spikes.clear();
///     pop.step(&StepContext { step, dt_ms: 0.1 }, StepInput { receptors: &input, current_pa: &[0.0] }, &mut spikes);
///     n += spikes.len();
/// }
/// assert!(n > 10);
/// ```
#[derive(Clone, Debug)]
pub struct LifCurrent {
    params: LifCurrentParams,
    v_mv: Vec<f64>,
    /// The synaptic currents `i_exc_pa` and `i_inh_pa`.
    bank: ReceptorBank,
    refractory_left: Vec<u32>,
    /// Scratch: 1 for neurons that spiked in this step (collected after the loop, so that the
    /// loop has no pushes and vectorises).
    spiked: Vec<u8>,
    cache: DtCache,
}

impl LifCurrent {
    /// `n` neurons at rest (`v = e_l`, no current).
    pub fn new(n: usize, params: Checked<LifCurrentParams>) -> Self {
        let params = params.into_inner();
        let receptors =
            vec![Receptor::current("exc", params.tau_syn_exc_ms), Receptor::current("inh", params.tau_syn_inh_ms)];
        Self {
            bank: ReceptorBank::new(n, receptors),
            v_mv: vec![params.e_l_mv; n],
            refractory_left: vec![0; n],
            spiked: vec![0; n],
            cache: DtCache { dt_ms: f64::NAN, p_vv: 0.0, p_vi_const: 0.0, p_v_exc: 0.0, p_v_inh: 0.0, n_ref: 0 },
            params,
        }
    }

    /// The parameters.
    pub fn params(&self) -> &LifCurrentParams {
        &self.params
    }

    fn prepare(&mut self, h: f64) {
        if self.cache.dt_ms == h {
            return;
        }
        let p = &self.params;
        let (tm, c) = (p.tau_m_ms, p.c_m_pf);
        self.bank.prepare(h);
        self.cache = DtCache {
            dt_ms: h,
            p_vv: (-h / tm).exp(),
            p_vi_const: -(-h / tm).exp_m1() * tm / c,
            p_v_exc: psc_propagator(h, tm, p.tau_syn_exc_ms, c),
            p_v_inh: psc_propagator(h, tm, p.tau_syn_inh_ms, c),
            n_ref: refractory_steps(p.t_ref_ms, h),
        };
    }
}

impl NeuronModel for LifCurrent {
    fn keep_block(&mut self, block: std::ops::Range<usize>) -> bool {
        assert!(block.end <= self.len(), "lifcurrent: keep_block({block:?}) of {} neurons", self.len());
        crate::common::keep_block(&mut self.v_mv, &block);
        crate::common::keep_block(&mut self.refractory_left, &block);
        crate::common::keep_block(&mut self.spiked, &block);
        self.bank.keep_block(&block);
        true
    }
    fn kind(&self) -> &str {
        "lif_current"
    }
    fn len(&self) -> usize {
        self.v_mv.len()
    }
    fn receptors(&self) -> &[Receptor] {
        self.bank.receptors()
    }
    fn state_names(&self) -> &[&'static str] {
        &["v_mv", "i_exc_pa", "i_inh_pa"]
    }
    fn state(&self, name: &str) -> Option<&[f64]> {
        match name {
            "v_mv" => Some(&self.v_mv),
            _ => self.bank.get(name),
        }
    }
    fn state_mut(&mut self, name: &str) -> Option<&mut [f64]> {
        match name {
            "v_mv" => Some(&mut self.v_mv),
            _ => self.bank.get_mut(name),
        }
    }
    checkpoint_fields!(refractory_left);
    fn step(&mut self, ctx: &StepContext, input: StepInput<'_>, spikes: &mut Vec<u32>) {
        let n = self.len();
        check_input("lif_current", n, 2, &input);
        self.prepare(ctx.dt_ms);
        let c = &self.cache;
        let p = &self.params;
        let (e_l, v_th, v_reset) = (p.e_l_mv, p.v_th_mv, p.v_reset_mv);
        let (p_vv, p_v_exc, p_v_inh, p_vi_const) = (c.p_vv, c.p_v_exc, c.p_v_inh, c.p_vi_const);
        let (decay_exc, decay_inh, n_ref) = (self.bank.decay()[0], self.bank.decay()[1], c.n_ref);
        let [i_exc_pa, i_inh_pa] = self.bank.values_mut() else { unreachable!("two receptors") };
        let per_neuron = self.v_mv[..n]
            .iter_mut()
            .zip(i_exc_pa[..n].iter_mut().zip(i_inh_pa[..n].iter_mut()))
            .zip(self.refractory_left[..n].iter_mut().zip(self.spiked[..n].iter_mut()))
            .zip(input.receptors[0][..n].iter().zip(&input.receptors[1][..n]))
            .zip(&input.current_pa[..n]);
        for ((((v, (i_e, i_i)), (refr, spiked)), (&w_e, &w_i)), &i_inj) in per_neuron {
            // (1) arrivals
            let ie = *i_e + w_e;
            let ii = *i_i + w_i;
            // (2) exact membrane step unless refractory
            let v_new = e_l + (*v - e_l) * p_vv + p_v_exc * ie + p_v_inh * ii + p_vi_const * i_inj;
            let r = refr.saturating_sub(1);
            let v_int = if r > 0 { *v } else { v_new };
            // (3)–(4) threshold and reset, as selects
            let spike = v_int > v_th;
            *v = if spike { v_reset } else { v_int };
            *refr = if spike { n_ref } else { r };
            *spiked = spike as u8;
            // (5) exact decay
            *i_e = ie * decay_exc;
            *i_i = ii * decay_inh;
        }
        collect_spikes(&self.spiked[..n], spikes);
    }
    fn refractory_ms(&self) -> Option<f64> {
        let t_ref_ms = self.params.t_ref_ms;
        (t_ref_ms > 0.0).then_some(t_ref_ms)
    }
    fn reset_state(&mut self) {
        self.v_mv.fill(self.params.e_l_mv);
        self.bank.reset();
        self.refractory_left.fill(0);
    }
}
