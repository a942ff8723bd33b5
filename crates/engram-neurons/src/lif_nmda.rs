//! Conductance LIF with AMPA and NMDA excitation and a spike-triggered moving threshold: the
//! neuron of Zenke, Hennequin & Gerstner (2013) and Zenke, Agnes & Gerstner (2015), Auryn's
//! `IFGroup`.

use crate::common::{ReceptorBank, check_input, collect_spikes};
use engram_core::error::ParamError;
use engram_core::neuron::{NeuronModel, Receptor, StepContext, StepInput};
use engram_core::params::{Checked, Params, finite, non_negative, positive};
use serde::{Deserialize, Serialize};

/// Parameters of [`LifNmda`]. Defaults: Auryn's `IFGroup` (Zenke et al. 2013, 2015).
///
/// ```text
/// τ_m dv/dt = (e_l − v) + [(a_ampa g_ampa + a_nmda g_nmda)(e_exc − v) + g_gaba (e_inh − v) + I] / g_l
/// τ_nmda dg_nmda/dt = g_ampa − g_nmda          (NMDA: a low-pass filter of AMPA)
/// τ_thr dθ/dt = −θ                             (threshold v_th + θ; θ = θ_jump at a spike)
/// a_ampa = r/(1 + r), a_nmda = 1/(1 + r),  r = ampa_nmda_ratio
/// ```
///
/// There is no absolute refractory period: the threshold jumps by `threshold_jump_mv` (100 mV)
/// at each spike and relaxes with `tau_threshold_ms` (5 ms), a relative refractoriness of a few
/// ms. `v` is kept within `[e_inh_mv, e_exc_mv]` after each step, as in Auryn. Weights are in nS
/// (Auryn's weights are in units of `g_l`: multiply them by `g_l_ns`).
///
/// ```
/// use engram_core::params::Params;
/// use engram_neurons::LifNmdaParams;
/// let p = LifNmdaParams::default();
/// assert_eq!((p.tau_m_ms, p.e_l_mv, p.v_th_mv, p.tau_nmda_ms), (20.0, -70.0, -50.0, 100.0));
/// let bad = LifNmdaParams { tau_nmda_ms: 2.0, ..p };
/// assert_eq!(bad.validate().unwrap_err().field, "tau_nmda_ms");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LifNmdaParams {
    /// Leak conductance, nS; the unit of Auryn's weights. Default 10.
    pub g_l_ns: f64,
    /// Membrane time constant, ms. Default 20 (Auryn's inhibitory cells: 10).
    pub tau_m_ms: f64,
    /// Leak reversal (resting) potential, mV. Default −70.
    pub e_l_mv: f64,
    /// Resting threshold, mV; a neuron spikes when `v > v_th_mv + θ`. Default −50.
    pub v_th_mv: f64,
    /// Reset potential, mV. Default −70.
    pub v_reset_mv: f64,
    /// Threshold jump θ at a spike, mV. Default 100.
    pub threshold_jump_mv: f64,
    /// Decay time of the threshold jump, ms. Default 5.
    pub tau_threshold_ms: f64,
    /// Excitatory reversal potential, mV. Default 0.
    pub e_exc_mv: f64,
    /// Inhibitory reversal potential, mV. Default −80.
    pub e_inh_mv: f64,
    /// AMPA decay time, ms. Default 5.
    pub tau_ampa_ms: f64,
    /// NMDA time constant, ms (≥ `tau_ampa_ms`). Default 100.
    pub tau_nmda_ms: f64,
    /// GABA decay time, ms. Default 10.
    pub tau_gaba_ms: f64,
    /// AMPA/NMDA ratio `r` of the excitatory conductance. Default 1 (equal shares).
    pub ampa_nmda_ratio: f64,
}

impl Default for LifNmdaParams {
    fn default() -> Self {
        Self {
            g_l_ns: 10.0,
            tau_m_ms: 20.0,
            e_l_mv: -70.0,
            v_th_mv: -50.0,
            v_reset_mv: -70.0,
            threshold_jump_mv: 100.0,
            tau_threshold_ms: 5.0,
            e_exc_mv: 0.0,
            e_inh_mv: -80.0,
            tau_ampa_ms: 5.0,
            tau_nmda_ms: 100.0,
            tau_gaba_ms: 10.0,
            ampa_nmda_ratio: 1.0,
        }
    }
}

impl Params for LifNmdaParams {
    fn validate(&self) -> Result<(), ParamError> {
        positive("g_l_ns", self.g_l_ns)?;
        positive("tau_m_ms", self.tau_m_ms)?;
        finite("e_l_mv", self.e_l_mv)?;
        finite("v_th_mv", self.v_th_mv)?;
        if !(self.v_reset_mv.is_finite() && self.v_reset_mv < self.v_th_mv) {
            return Err(ParamError::new(
                "v_reset_mv",
                self.v_reset_mv,
                format!("a finite potential below v_th_mv = {} mV", self.v_th_mv),
            ));
        }
        non_negative("threshold_jump_mv", self.threshold_jump_mv)?;
        positive("tau_threshold_ms", self.tau_threshold_ms)?;
        finite("e_exc_mv", self.e_exc_mv)?;
        if !(self.e_inh_mv.is_finite() && self.e_inh_mv < self.e_exc_mv) {
            return Err(ParamError::new(
                "e_inh_mv",
                self.e_inh_mv,
                format!("a finite potential below e_exc_mv = {} mV", self.e_exc_mv),
            ));
        }
        positive("tau_ampa_ms", self.tau_ampa_ms)?;
        if !(self.tau_nmda_ms.is_finite() && self.tau_nmda_ms >= self.tau_ampa_ms) {
            return Err(ParamError::new(
                "tau_nmda_ms",
                self.tau_nmda_ms,
                format!("a time constant ≥ tau_ampa_ms = {} ms", self.tau_ampa_ms),
            ));
        }
        positive("tau_gaba_ms", self.tau_gaba_ms)?;
        non_negative("ampa_nmda_ratio", self.ampa_nmda_ratio)?;
        finite("ampa_nmda_ratio", self.ampa_nmda_ratio)
    }
}

/// Step-size dependent factors.
#[derive(Clone, Debug)]
struct DtCache {
    dt_ms: f64,
    threshold_decay: f64,
    /// `1 − exp(−dt/τ_nmda)`.
    nmda_gain: f64,
}

/// A population of [`LifNmdaParams`] neurons (Auryn's `IFGroup`), integrated as Auryn does:
/// forward Euler for `v` from the conductances at the start of the step (after this step's
/// arrivals), exact decay of AMPA, GABA and the threshold, one Euler step of the NMDA filter.
///
/// Receptors: `exc` (AMPA, which also drives NMDA) and `inh` (GABA). State variables: `v_mv`,
/// `g_ampa_ns`, `g_nmda_ns`, `g_gaba_ns`, `theta_mv` (threshold jump left).
///
/// ```
/// use engram_core::prelude::*;
/// use engram_neurons::{LifNmda, LifNmdaParams};
///
/// let mut pop = LifNmda::new(1, LifNmdaParams::default().check().unwrap());
/// // one 1.6 nS excitatory input (0.16 g_l, Auryn's w): AMPA now, NMDA builds up over ~10 ms
/// let mut input = vec![vec![1.6], vec![0.0]];
/// let mut spikes = Vec::new();
/// let (mut peak, mut nmda_peak) = (-70.0f64, 0.0f64);
/// for step in 0..2000 {
///     pop.step(&StepContext { step, dt_ms: 0.1 }, StepInput { receptors: &input, current_pa: &[0.0] }, &mut spikes);
///     input[0][0] = 0.0;
///     peak = peak.max(pop.state("v_mv").unwrap()[0]);
///     nmda_peak = nmda_peak.max(pop.state("g_nmda_ns").unwrap()[0]);
/// }
/// assert!(spikes.is_empty() && peak > -69.5 && peak < -68.0, "{peak}");
/// assert!(nmda_peak > 0.05 && nmda_peak < 0.1, "{nmda_peak}");
/// ```
#[derive(Clone, Debug)]
pub struct LifNmda {
    params: LifNmdaParams,
    v_mv: Vec<f64>,
    /// `g_ampa_ns` (receptor `exc`) and `g_gaba_ns` (receptor `inh`).
    bank: ReceptorBank,
    g_nmda_ns: Vec<f64>,
    theta_mv: Vec<f64>,
    /// Scratch: 1 where the neuron spiked in this step.
    spiked: Vec<u8>,
    cache: DtCache,
}

const STATE_NAMES: [&str; 5] = ["v_mv", "g_ampa_ns", "g_nmda_ns", "g_gaba_ns", "theta_mv"];

impl LifNmda {
    /// `n` neurons at rest, no conductance, no threshold jump.
    pub fn new(n: usize, params: Checked<LifNmdaParams>) -> Self {
        let p = params.into_inner();
        let receptors = vec![
            Receptor::conductance("exc", p.e_exc_mv, p.tau_ampa_ms),
            Receptor::conductance("inh", p.e_inh_mv, p.tau_gaba_ms),
        ];
        Self {
            bank: ReceptorBank::new(n, receptors).with_names(&["g_ampa_ns", "g_gaba_ns"]),
            v_mv: vec![p.e_l_mv; n],
            g_nmda_ns: vec![0.0; n],
            theta_mv: vec![0.0; n],
            spiked: vec![0; n],
            cache: DtCache { dt_ms: f64::NAN, threshold_decay: 0.0, nmda_gain: 0.0 },
            params: p,
        }
    }

    /// The parameters.
    pub fn params(&self) -> &LifNmdaParams {
        &self.params
    }

    fn prepare(&mut self, dt_ms: f64) {
        if self.cache.dt_ms == dt_ms {
            return;
        }
        let p = &self.params;
        self.bank.prepare(dt_ms);
        self.cache = DtCache {
            dt_ms,
            threshold_decay: (-dt_ms / p.tau_threshold_ms).exp(),
            nmda_gain: -(-dt_ms / p.tau_nmda_ms).exp_m1(),
        };
    }
}

impl NeuronModel for LifNmda {
    fn keep_block(&mut self, block: std::ops::Range<usize>) -> bool {
        assert!(block.end <= self.len(), "lifnmda: keep_block({block:?}) of {} neurons", self.len());
        crate::common::keep_block(&mut self.v_mv, &block);
        crate::common::keep_block(&mut self.g_nmda_ns, &block);
        crate::common::keep_block(&mut self.theta_mv, &block);
        crate::common::keep_block(&mut self.spiked, &block);
        self.bank.keep_block(&block);
        true
    }
    fn kind(&self) -> &str {
        "lif_nmda"
    }
    fn len(&self) -> usize {
        self.v_mv.len()
    }
    fn receptors(&self) -> &[Receptor] {
        self.bank.receptors()
    }
    fn state_names(&self) -> &[&'static str] {
        &STATE_NAMES
    }
    fn state(&self, name: &str) -> Option<&[f64]> {
        match name {
            "v_mv" => Some(&self.v_mv),
            "g_nmda_ns" => Some(&self.g_nmda_ns),
            "theta_mv" => Some(&self.theta_mv),
            _ => self.bank.get(name),
        }
    }
    fn state_mut(&mut self, name: &str) -> Option<&mut [f64]> {
        match name {
            "v_mv" => Some(&mut self.v_mv),
            "g_nmda_ns" => Some(&mut self.g_nmda_ns),
            "theta_mv" => Some(&mut self.theta_mv),
            _ => self.bank.get_mut(name),
        }
    }
    fn step(&mut self, ctx: &StepContext, input: StepInput<'_>, spikes: &mut Vec<u32>) {
        check_input("lif_nmda", self.len(), 2, &input);
        self.prepare(ctx.dt_ms);
        let p = &self.params;
        let c = &self.cache;
        let n = self.v_mv.len();
        let r = p.ampa_nmda_ratio;
        let (a_ampa, a_nmda) = (r / (1.0 + r), 1.0 / (1.0 + r));
        let dt_over_tau = ctx.dt_ms / p.tau_m_ms;
        let inv_g_l = 1.0 / p.g_l_ns;
        let (e_l, e_exc, e_inh, v_th, v_reset, jump) =
            (p.e_l_mv, p.e_exc_mv, p.e_inh_mv, p.v_th_mv, p.v_reset_mv, p.threshold_jump_mv);
        let (d_ampa, d_gaba) = (self.bank.decay()[0], self.bank.decay()[1]);
        let (d_thr, k_nmda) = (c.threshold_decay, c.nmda_gain);
        let (w_exc, w_inh, i_inj) = (&input.receptors[0][..n], &input.receptors[1][..n], &input.current_pa[..n]);
        let [g_ampa_ns, g_gaba_ns] = self.bank.values_mut() else { unreachable!("two receptors") };
        // One flat pass over zipped slices (no bounds checks), so the loop vectorises.
        let per_neuron = self.v_mv[..n]
            .iter_mut()
            .zip(&mut g_ampa_ns[..n])
            .zip(&mut self.g_nmda_ns[..n])
            .zip(&mut g_gaba_ns[..n])
            .zip(&mut self.theta_mv[..n])
            .zip(w_exc.iter().zip(w_inh).zip(i_inj))
            .zip(&mut self.spiked[..n]);
        for ((((((v, ga), gn), gg), th), ((&we, &wi), &ii)), spiked) in per_neuron {
            let (a, nm, g) = (*ga + we, *gn, *gg + wi);
            let v0 = *v;
            let i_syn = (a_ampa * a + a_nmda * nm) * (e_exc - v0) + g * (e_inh - v0) + ii;
            let v1 = (v0 + dt_over_tau * (e_l - v0 + i_syn * inv_g_l)).clamp(e_inh, e_exc);
            *gn = nm + k_nmda * (a - nm);
            *ga = a * d_ampa;
            *gg = g * d_gaba;
            let theta = *th * d_thr;
            let spike = v1 > v_th + theta;
            *v = if spike { v_reset } else { v1 };
            *th = if spike { jump } else { theta };
            *spiked = spike as u8;
        }
        collect_spikes(&self.spiked, spikes);
    }
    fn reset_state(&mut self) {
        self.v_mv.fill(self.params.e_l_mv);
        self.bank.reset();
        self.g_nmda_ns.fill(0.0);
        self.theta_mv.fill(0.0);
    }
}
