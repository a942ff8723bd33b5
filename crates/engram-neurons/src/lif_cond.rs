//! Conductance-based leaky integrate-and-fire with exponential conductances and an optional
//! adaptation current: the COBA neuron of Brette et al. (2007) and the Dp neurons of
//! Meissner-Bernard, Zenke & Friedrich (eLife 2025).

use crate::common::{
    ConductanceReceptor, MembraneIntegrator, ReceptorBank, check_input, collect_spikes_from, refractory_steps,
    reset_below, validate_receptors,
};
use std::ops::Range;

use engram_core::busy;
use engram_core::checkpoint_fields;
use engram_core::error::ParamError;
use engram_core::neuron::{NeuronModel, Receptor, StepContext, StepInput};
use engram_core::params::{Checked, Params, finite, non_negative, positive};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Membrane integration of [`LifCond`] (forward or exponential Euler).
pub type LifCondIntegrator = MembraneIntegrator;

/// What happens to the membrane potential when a neuron spikes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResetMode {
    /// Brian2 and NEST: `v` is set to `v_reset_mv` in the spiking step and held there (not
    /// integrated) for `t_ref_ms`; conductances and adaptation keep evolving.
    #[default]
    Immediate,
    /// The Dp MATLAB code (docs/models/dp.md#integration-and-update-order): `v` is not reset in the
    /// spiking step; in each of the following `t_ref/dt` steps it is first updated and then clamped
    /// to `v_reset_mv`. The spike test `v > v_th` comes after the clamp, so clamped neurons cannot
    /// spike.
    ClampNextStep,
}

/// Subthreshold and spike-triggered adaptation (Dp paper eq. 3, AdEx's `w`):
/// `tau_w dw/dt = a (v − e_l) − w`, `w → w + b` at each spike; `w` (pA) is subtracted from the
/// membrane current.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adaptation {
    /// Subthreshold coupling `a`, nS.
    pub a_ns: f64,
    /// Spike-triggered increment `b`, pA.
    pub b_pa: f64,
    /// Time constant `tau_w` (the Dp paper's τ_a), ms.
    pub tau_w_ms: f64,
}

impl Params for Adaptation {
    fn validate(&self) -> Result<(), ParamError> {
        finite("a_ns", self.a_ns)?;
        non_negative("b_pa", self.b_pa)?;
        positive("tau_w_ms", self.tau_w_ms)
    }
}

/// Parameters of [`LifCond`].
///
/// `C·dv/dt = g_l (e_l − v) + Σ_r g_r (e_rev_r − v) − w + I_inj` with `C = g_l_ns·tau_m_ms`.
/// The canonical pair is the leak conductance and the membrane time constant, as the Dp paper
/// specifies them (τ and g_rest); the capacitance follows (COBA: 10 nS × 20 ms = 200 pF).
///
/// The default is the COBA neuron of Brette et al. (2007) ([`LifCondParams::coba`]).
///
/// ```
/// use engram_core::params::Params;
/// use engram_neurons::LifCondParams;
/// let p = LifCondParams::dp_excitatory();
/// assert!((p.c_m_pf() - 114.75).abs() < 1e-12);
/// let bad = LifCondParams { v_reset_mv: -30.0, ..LifCondParams::default() };
/// assert_eq!(bad.validate().unwrap_err().field, "v_reset_mv");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LifCondParams {
    /// Leak (resting) conductance, nS. Default 10.
    pub g_l_ns: f64,
    /// Membrane time constant `C/g_l`, ms. Default 20.
    pub tau_m_ms: f64,
    /// Leak reversal (resting) potential, mV. Default −60.
    pub e_l_mv: f64,
    /// Threshold, mV; a neuron spikes when `v > v_th_mv`. Default −50.
    pub v_th_mv: f64,
    /// Reset potential, mV. Default −60.
    pub v_reset_mv: f64,
    /// Absolute refractory period, ms. Default 5.
    pub t_ref_ms: f64,
    /// Conductance channels. Default `exc` (0 mV, 5 ms) and `inh` (−80 mV, 10 ms).
    pub receptors: Vec<ConductanceReceptor>,
    /// Adaptation current, if any. Default none.
    pub adaptation: Option<Adaptation>,
    /// Membrane integration. Default forward Euler.
    pub integrator: LifCondIntegrator,
    /// Reset convention. Default [`ResetMode::Immediate`].
    pub reset: ResetMode,
}

impl Default for LifCondParams {
    fn default() -> Self {
        Self::coba()
    }
}

impl LifCondParams {
    /// The COBA benchmark neuron (Brette et al. 2007, benchmark 1; Vogels & Abbott 2005):
    /// C = 200 pF, g_l = 10 nS (τ_m = 20 ms), E_l = −60 mV, V_th = −50 mV, V_reset = −60 mV,
    /// t_ref = 5 ms, `exc` E = 0 mV τ = 5 ms, `inh` E = −80 mV τ = 10 ms, forward Euler,
    /// immediate reset.
    pub fn coba() -> Self {
        Self {
            g_l_ns: 10.0,
            tau_m_ms: 20.0,
            e_l_mv: -60.0,
            v_th_mv: -50.0,
            v_reset_mv: -60.0,
            t_ref_ms: 5.0,
            receptors: vec![ConductanceReceptor::new("exc", 0.0, 5.0), ConductanceReceptor::new("inh", -80.0, 10.0)],
            adaptation: None,
            integrator: MembraneIntegrator::Euler,
            reset: ResetMode::Immediate,
        }
    }

    /// The three receptors of Dp neurons: `ob` (bulb input, 0 mV), `exc` (recurrent E, 0 mV),
    /// `inh` (−70 mV), with the given excitatory and inhibitory time constants.
    fn dp_receptors(tau_exc_ms: f64, tau_inh_ms: f64) -> Vec<ConductanceReceptor> {
        vec![
            ConductanceReceptor::new("ob", 0.0, tau_exc_ms),
            ConductanceReceptor::new("exc", 0.0, tau_exc_ms),
            ConductanceReceptor::new("inh", -70.0, tau_inh_ms),
        ]
    }

    /// Dp excitatory neuron (Meissner-Bernard et al. 2025, Table 1): τ = 85 ms,
    /// g_rest = 1.35 nS (C = 114.75 pF), E_rest = −60 mV, V_th = −38 mV, reset to E_rest,
    /// t_ref = 8 ms, adaptation τ_a = 40 ms, a = 1 nS, b = 10 pA; receptors `ob`, `exc`
    /// (0 mV, 30 ms) and `inh` (−70 mV, 10 ms); forward Euler with the code's clamp-next-step
    /// reset.
    pub fn dp_excitatory() -> Self {
        Self {
            g_l_ns: 1.35,
            tau_m_ms: 85.0,
            e_l_mv: -60.0,
            v_th_mv: -38.0,
            v_reset_mv: -60.0,
            t_ref_ms: 8.0,
            receptors: Self::dp_receptors(30.0, 10.0),
            adaptation: Some(Adaptation { a_ns: 1.0, b_pa: 10.0, tau_w_ms: 40.0 }),
            integrator: MembraneIntegrator::Euler,
            reset: ResetMode::ClampNextStep,
        }
    }

    /// Dp inhibitory neuron (Table 1): τ = 50 ms, g_rest = 0.9 nS (C = 45 pF),
    /// E_rest = −65 mV, V_th = −45 mV, reset to E_rest, t_ref = 8 ms, no adaptation; the same
    /// three receptors as [`LifCondParams::dp_excitatory`].
    pub fn dp_inhibitory() -> Self {
        Self {
            g_l_ns: 0.9,
            tau_m_ms: 50.0,
            e_l_mv: -65.0,
            v_th_mv: -45.0,
            v_reset_mv: -65.0,
            t_ref_ms: 8.0,
            adaptation: None,
            ..Self::dp_excitatory()
        }
    }

    /// The Dp paper's "simple model" neuron (Table 1, Fig. 4—S2), used for both E and I:
    /// τ = 68 ms, g_rest = 1.1 nS, E_rest = −62 mV, V_th = −41 mV, t_ref = 8 ms,
    /// τ_a = 20 ms, a = 0.5 nS, b = 5 pA; all synaptic time constants 10 ms.
    pub fn dp_simple() -> Self {
        Self {
            g_l_ns: 1.1,
            tau_m_ms: 68.0,
            e_l_mv: -62.0,
            v_th_mv: -41.0,
            v_reset_mv: -62.0,
            t_ref_ms: 8.0,
            receptors: Self::dp_receptors(10.0, 10.0),
            adaptation: Some(Adaptation { a_ns: 0.5, b_pa: 5.0, tau_w_ms: 20.0 }),
            integrator: MembraneIntegrator::Euler,
            reset: ResetMode::ClampNextStep,
        }
    }

    /// Membrane capacitance `g_l·tau_m`, pF.
    pub fn c_m_pf(&self) -> f64 {
        self.g_l_ns * self.tau_m_ms
    }

    /// Rheobase without adaptation, `g_l (v_th − e_l)` in pA: the smallest constant current
    /// that makes the non-adapting neuron fire. With adaptation (`a ≥ 0`, `b ≥ 0`) no smaller
    /// current fires either; a slowly ramped current needs up to `(g_l + a)(v_th − e_l)`, while a
    /// step can fire below that because `v` overshoots before the adaptation current builds up.
    pub fn rheobase_pa(&self) -> f64 {
        self.g_l_ns * (self.v_th_mv - self.e_l_mv)
    }
}

impl Params for LifCondParams {
    fn validate(&self) -> Result<(), ParamError> {
        positive("g_l_ns", self.g_l_ns)?;
        positive("tau_m_ms", self.tau_m_ms)?;
        finite("e_l_mv", self.e_l_mv)?;
        finite("v_th_mv", self.v_th_mv)?;
        reset_below("v_reset_mv", self.v_reset_mv, "v_th_mv", self.v_th_mv)?;
        non_negative("t_ref_ms", self.t_ref_ms)?;
        validate_receptors(&self.receptors)?;
        if let Some(ad) = &self.adaptation {
            ad.validate().map_err(|e| e.within("adaptation"))?;
        }
        Ok(())
    }
}

/// Step-size dependent factors, recomputed when `dt` changes.
#[derive(Clone, Debug)]
struct DtCache {
    dt_ms: f64,
    /// Refractory steps.
    n_ref: u32,
    /// `dt/C`, ms/pF.
    dt_over_c: f64,
    /// `dt/tau_w`, for forward-Euler adaptation.
    dt_over_tau_w: f64,
    /// `exp(-dt/tau_w)` for exponential-Euler adaptation.
    w_decay: f64,
}

/// A population of conductance-based LIF neurons (see [`LifCondParams`]).
///
/// State variables: `v_mv`, `g_<receptor>_ns` for each receptor (e.g. `g_exc_ns`), and `w_pa`
/// when adaptation is on. Receptors are the configured conductance channels, in order;
/// weights are in nS.
///
/// ```
/// use engram_core::prelude::*;
/// use engram_neurons::{LifCond, LifCondParams};
///
/// let mut e = LifCond::new(1, LifCondParams::dp_excitatory().check().unwrap());
/// assert_eq!(e.state_names(), ["v_mv", "g_ob_ns", "g_exc_ns", "g_inh_ns", "w_pa"]);
/// // One 128 pS input on `ob` at rest: the membrane depolarises by about 1 mV.
/// let mut input = vec![vec![0.128], vec![0.0], vec![0.0]];
/// let (mut spikes, mut peak) = (Vec::new(), -60.0f64);
/// for step in 0..2000 {
///     e.step(&StepContext { step, dt_ms: 0.1 }, StepInput { receptors: &input, current_pa: &[0.0] }, &mut spikes);
///     input[0][0] = 0.0;
///     peak = peak.max(e.state("v_mv").unwrap()[0]);
/// }
/// assert!((peak + 60.0 - 1.0).abs() < 0.15, "{peak}");
/// ```
#[derive(Clone, Debug)]
pub struct LifCond {
    params: LifCondParams,
    names: Vec<&'static str>,
    v_mv: Vec<f64>,
    w_pa: Vec<f64>,
    /// The conductances `g_<receptor>_ns`.
    bank: ReceptorBank,
    refractory_left: Vec<u32>,
    /// Scratch: total synaptic conductance after arrivals, nS.
    g_sum: Vec<f64>,
    /// Scratch: `Σ g_r e_rev_r`, nS·mV = pA.
    ge_sum: Vec<f64>,
    /// Scratch: 1 where the neuron spiked in this step.
    spiked: Vec<u8>,
    /// Scratch of [`NeuronModel::step_chunked`]: the spikes of each chunk, reused.
    chunk_spikes: Vec<Vec<u32>>,
    cache: DtCache,
}

impl LifCond {
    /// `n` neurons at rest (`v = e_l`, no conductance, no adaptation current).
    pub fn new(n: usize, params: Checked<LifCondParams>) -> Self {
        let params = params.into_inner();
        let bank = ReceptorBank::new(n, params.receptors.iter().map(ConductanceReceptor::to_receptor).collect());
        let mut names = vec!["v_mv"];
        names.extend(bank.names());
        if params.adaptation.is_some() {
            names.push("w_pa");
        }
        Self {
            v_mv: vec![params.e_l_mv; n],
            w_pa: vec![0.0; n],
            bank,
            refractory_left: vec![0; n],
            g_sum: vec![0.0; n],
            ge_sum: vec![0.0; n],
            spiked: vec![0; n],
            chunk_spikes: Vec::new(),
            cache: DtCache { dt_ms: f64::NAN, n_ref: 0, dt_over_c: 0.0, dt_over_tau_w: 0.0, w_decay: 0.0 },
            names,
            params,
        }
    }

    /// The parameters.
    pub fn params(&self) -> &LifCondParams {
        &self.params
    }

    /// Remaining refractory steps per neuron (0 = free).
    pub fn refractory_steps_left(&self) -> &[u32] {
        &self.refractory_left
    }

    fn prepare(&mut self, dt_ms: f64) {
        if self.cache.dt_ms == dt_ms {
            return;
        }
        let p = &self.params;
        let c = &mut self.cache;
        c.dt_ms = dt_ms;
        c.n_ref = refractory_steps(p.t_ref_ms, dt_ms);
        c.dt_over_c = dt_ms / p.c_m_pf();
        let tau_w = p.adaptation.as_ref().map_or(1.0, |a| a.tau_w_ms);
        c.dt_over_tau_w = dt_ms / tau_w;
        c.w_decay = (-dt_ms / tau_w).exp();
    }

    /// The constants of the membrane pass for this step (after [`prepare`](Self::prepare)).
    fn membrane_consts(&self) -> MembraneConsts {
        let (p, c) = (&self.params, &self.cache);
        let (a_ns, b_pa) = p.adaptation.as_ref().map_or((0.0, 0.0), |ad| (ad.a_ns, ad.b_pa));
        MembraneConsts {
            g_l: p.g_l_ns,
            e_l: p.e_l_mv,
            v_th: p.v_th_mv,
            v_reset: p.v_reset_mv,
            a_ns,
            b_pa,
            dt_over_c: c.dt_over_c,
            dt_over_tau_w: c.dt_over_tau_w,
            w_decay: c.w_decay,
            n_ref: c.n_ref,
        }
    }

    /// Steps 2–4 for the neurons `own`, monomorphised over the options so that the loop has
    /// no per-neuron branches on configuration. [`ReceptorBank::advance_with_sums`] has
    /// already done steps 1 and 5 and filled `g_sum` and `ge_sum`.
    fn membrane_pass<const ADAPT: bool, const EXP: bool, const CLAMP: bool>(
        &mut self,
        input: &StepInput<'_>,
        own: Range<usize>,
        spikes: &mut Vec<u32>,
    ) {
        let k = self.membrane_consts();
        let Self { v_mv, w_pa, refractory_left, g_sum, ge_sum, spiked, .. } = self;
        let run = MembraneRun {
            v: &mut v_mv[own.clone()],
            w: &mut w_pa[own.clone()],
            refr: &mut refractory_left[own.clone()],
            g_sum: &g_sum[own.clone()],
            ge_sum: &ge_sum[own.clone()],
            i_inj: &input.current_pa[own.clone()],
            spiked: &mut spiked[own.clone()],
        };
        membrane_run::<ADAPT, EXP, CLAMP>(&k, run);
        collect_spikes_from(&spiked[own.clone()], own.start as u32, spikes);
    }

    /// The membrane pass of the neurons `own` with this population's options: sequential with
    /// `chunk_len = None`, else in chunks ([`membrane_pass_chunked`](Self::membrane_pass_chunked)).
    fn membrane(&mut self, input: &StepInput<'_>, own: Range<usize>, chunk_len: Option<usize>, spikes: &mut Vec<u32>) {
        let adapt = self.params.adaptation.is_some();
        let exp = self.params.integrator == MembraneIntegrator::ExpEuler;
        let clamp = self.params.reset == ResetMode::ClampNextStep;
        match (chunk_len, adapt, exp, clamp) {
            (None, false, false, false) => self.membrane_pass::<false, false, false>(input, own, spikes),
            (None, false, false, true) => self.membrane_pass::<false, false, true>(input, own, spikes),
            (None, false, true, false) => self.membrane_pass::<false, true, false>(input, own, spikes),
            (None, false, true, true) => self.membrane_pass::<false, true, true>(input, own, spikes),
            (None, true, false, false) => self.membrane_pass::<true, false, false>(input, own, spikes),
            (None, true, false, true) => self.membrane_pass::<true, false, true>(input, own, spikes),
            (None, true, true, false) => self.membrane_pass::<true, true, false>(input, own, spikes),
            (None, true, true, true) => self.membrane_pass::<true, true, true>(input, own, spikes),
            (Some(c), false, false, false) => self.membrane_pass_chunked::<false, false, false>(input, own, c, spikes),
            (Some(c), false, false, true) => self.membrane_pass_chunked::<false, false, true>(input, own, c, spikes),
            (Some(c), false, true, false) => self.membrane_pass_chunked::<false, true, false>(input, own, c, spikes),
            (Some(c), false, true, true) => self.membrane_pass_chunked::<false, true, true>(input, own, c, spikes),
            (Some(c), true, false, false) => self.membrane_pass_chunked::<true, false, false>(input, own, c, spikes),
            (Some(c), true, false, true) => self.membrane_pass_chunked::<true, false, true>(input, own, c, spikes),
            (Some(c), true, true, false) => self.membrane_pass_chunked::<true, true, false>(input, own, c, spikes),
            (Some(c), true, true, true) => self.membrane_pass_chunked::<true, true, true>(input, own, c, spikes),
        }
    }

    /// [`membrane_pass`](Self::membrane_pass) in chunks of `chunk_len` neurons on the current
    /// rayon pool: each chunk runs the same per-neuron code and collects its spikes into its
    /// own reused list, and the lists are appended in chunk order (increasing neuron index).
    fn membrane_pass_chunked<const ADAPT: bool, const EXP: bool, const CLAMP: bool>(
        &mut self,
        input: &StepInput<'_>,
        own: Range<usize>,
        chunk_len: usize,
        spikes: &mut Vec<u32>,
    ) {
        let k = self.membrane_consts();
        let Self { v_mv, w_pa, refractory_left, g_sum, ge_sum, spiked, chunk_spikes, .. } = self;
        let c = chunk_len.max(1);
        chunk_spikes.resize_with(own.len().div_ceil(c), Vec::new);
        let i_inj = &input.current_pa[own.clone()];
        let first = own.start;
        v_mv[own.clone()]
            .par_chunks_mut(c)
            .zip(w_pa[own.clone()].par_chunks_mut(c))
            .zip(refractory_left[own.clone()].par_chunks_mut(c))
            .zip(g_sum[own.clone()].par_chunks(c).zip(ge_sum[own.clone()].par_chunks(c)))
            .zip(i_inj.par_chunks(c).zip(spiked[own].par_chunks_mut(c)))
            .zip(chunk_spikes.par_iter_mut())
            .enumerate()
            .for_each(|(chunk, (((((v, w), refr), (g_sum, ge_sum)), (i_inj, spiked)), out))| {
                busy::timed(|| {
                    membrane_run::<ADAPT, EXP, CLAMP>(&k, MembraneRun { v, w, refr, g_sum, ge_sum, i_inj, spiked });
                    out.clear();
                    collect_spikes_from(spiked, (first + chunk * c) as u32, out);
                })
            });
        for out in chunk_spikes.iter() {
            spikes.extend_from_slice(out);
        }
    }
}

/// The parameters and `dt`-derived factors the membrane pass needs.
#[derive(Clone, Copy)]
struct MembraneConsts {
    g_l: f64,
    e_l: f64,
    v_th: f64,
    v_reset: f64,
    a_ns: f64,
    b_pa: f64,
    dt_over_c: f64,
    dt_over_tau_w: f64,
    w_decay: f64,
    n_ref: u32,
}

/// One run of consecutive neurons (all of them, or one chunk): their state and inputs.
struct MembraneRun<'a> {
    v: &'a mut [f64],
    w: &'a mut [f64],
    refr: &'a mut [u32],
    g_sum: &'a [f64],
    ge_sum: &'a [f64],
    i_inj: &'a [f64],
    spiked: &'a mut [u8],
}

/// Steps 2–4 (membrane, adaptation, threshold, reset, refractoriness) for one run of neurons.
#[inline]
fn membrane_run<const ADAPT: bool, const EXP: bool, const CLAMP: bool>(k: &MembraneConsts, run: MembraneRun<'_>) {
    let MembraneConsts { g_l, e_l, v_th, v_reset, a_ns: a, b_pa: b, dt_over_c, dt_over_tau_w, w_decay, n_ref } = *k;
    let g_l_e_l = g_l * e_l;
    let neg_dt_over_c = -dt_over_c;
    // The conductances were handled by the receptor bank; one flat pass over plain
    // zipped slices (no indexing, so no bounds checks) lets the loop vectorise.
    let per_neuron = run
        .v
        .iter_mut()
        .zip(run.w.iter_mut())
        .zip(run.refr.iter_mut())
        .zip(run.g_sum.iter().zip(run.ge_sum))
        .zip(run.i_inj.iter().zip(run.spiked.iter_mut()));
    for ((((v, w), refr), (&g_syn, &ge_syn)), (&i_inj, spiked)) in per_neuron {
        let (v0, w0) = (*v, if ADAPT { *w } else { 0.0 });
        let v_new = if EXP {
            let g_tot = g_l + g_syn;
            let v_inf = (g_l_e_l + ge_syn + i_inj - w0) / g_tot;
            v_inf + (v0 - v_inf) * (neg_dt_over_c * g_tot).exp()
        } else {
            v0 + dt_over_c * (g_l_e_l - g_l * v0 + ge_syn - g_syn * v0 + i_inj - w0)
        };
        let mut w_new = 0.0f64;
        if ADAPT {
            let w_inf = a * (v0 - e_l);
            w_new = if EXP { w_inf + (w0 - w_inf) * w_decay } else { w0 + dt_over_tau_w * (w_inf - w0) };
        }
        let r0 = *refr;
        let (v_int, r_mid) = if CLAMP {
            (if r0 > 0 { v_reset } else { v_new }, r0.saturating_sub(1))
        } else {
            let r = r0.saturating_sub(1);
            (if r > 0 { v0 } else { v_new }, r)
        };
        let spike = v_int > v_th;
        *v = if spike && !CLAMP { v_reset } else { v_int };
        *refr = if spike { n_ref } else { r_mid };
        if ADAPT {
            *w = w_new + if spike { b } else { 0.0 };
        }
        *spiked = spike as u8;
    }
}

impl NeuronModel for LifCond {
    fn kind(&self) -> &str {
        "lif_cond"
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
            "w_pa" if self.params.adaptation.is_some() => Some(&self.w_pa),
            _ => self.bank.get(name),
        }
    }
    fn state_mut(&mut self, name: &str) -> Option<&mut [f64]> {
        match name {
            "v_mv" => Some(&mut self.v_mv),
            "w_pa" if self.params.adaptation.is_some() => Some(&mut self.w_pa),
            _ => self.bank.get_mut(name),
        }
    }
    checkpoint_fields!(refractory_left);
    fn step(&mut self, ctx: &StepContext, input: StepInput<'_>, spikes: &mut Vec<u32>) {
        check_input("lif_cond", self.len(), self.bank.receptors().len(), &input);
        self.prepare(ctx.dt_ms);
        // Two passes, each a flat loop over plain slices that vectorises: conductances (per
        // receptor: arrival, sums for the membrane, exact decay), then the membrane.
        self.bank.advance_with_sums(ctx.dt_ms, input.receptors, &mut self.g_sum, &mut self.ge_sum);
        self.membrane(&input, 0..self.len(), None, spikes);
    }
    /// In parallel: the receptor bank's fused pass ([`ReceptorBank::par_advance_with_sums`]),
    /// then the membrane pass, each over chunks of `chunk_len` neurons; bit-identical to
    /// [`step`](Self::step) (no randomness, and every neuron's arithmetic is unchanged).
    fn step_chunked(&mut self, ctx: &StepContext, input: StepInput<'_>, chunk_len: usize, spikes: &mut Vec<u32>) {
        if chunk_len == 0 || self.len() <= chunk_len {
            return busy::timed(|| self.step(ctx, input, spikes));
        }
        check_input("lif_cond", self.len(), self.bank.receptors().len(), &input);
        self.prepare(ctx.dt_ms);
        self.bank.par_advance_with_sums(ctx.dt_ms, input.receptors, chunk_len, &mut self.g_sum, &mut self.ge_sum);
        self.membrane(&input, 0..self.len(), Some(chunk_len), spikes);
    }
    /// Only the neurons `owned` (a rank's block), sequentially or in chunks: each neuron's
    /// arithmetic is that of [`step`](Self::step), and the others are left untouched.
    fn step_owned(
        &mut self,
        ctx: &StepContext,
        input: StepInput<'_>,
        owned: Range<usize>,
        chunk_len: Option<usize>,
        spikes: &mut Vec<u32>,
    ) {
        let c = match chunk_len {
            Some(c) if c > 0 && owned.len() > c => c,
            // one chunk: sequentially, timed as one piece of work as `step_chunked` does
            Some(_) => return busy::timed(|| self.step_owned(ctx, input, owned, None, spikes)),
            None => 0,
        };
        check_input("lif_cond", self.len(), self.bank.receptors().len(), &input);
        assert!(owned.end <= self.len(), "lif_cond: owned neurons {owned:?} of {}", self.len());
        self.prepare(ctx.dt_ms);
        let (dt, first) = (ctx.dt_ms, owned.start);
        let (g_sum, ge_sum) = (&mut self.g_sum[owned.clone()], &mut self.ge_sum[owned.clone()]);
        if c > 0 {
            self.bank.par_advance_range_with_sums(dt, input.receptors, c, first, g_sum, ge_sum);
            self.membrane(&input, owned, Some(c), spikes);
        } else {
            self.bank.advance_range_with_sums(dt, input.receptors, first, g_sum, ge_sum);
            self.membrane(&input, owned, None, spikes);
        }
    }
    fn refractory_ms(&self) -> Option<f64> {
        let t_ref_ms = self.params.t_ref_ms;
        (t_ref_ms > 0.0).then_some(t_ref_ms)
    }
    fn keep_block(&mut self, block: Range<usize>) -> bool {
        assert!(block.end <= self.len(), "lif_cond: keep_block({block:?}) of {} neurons", self.len());
        for v in [&mut self.v_mv, &mut self.w_pa, &mut self.g_sum, &mut self.ge_sum] {
            crate::common::keep_block(v, &block);
        }
        crate::common::keep_block(&mut self.refractory_left, &block);
        crate::common::keep_block(&mut self.spiked, &block);
        self.bank.keep_block(&block);
        true
    }
    fn reset_state(&mut self) {
        self.v_mv.fill(self.params.e_l_mv);
        self.w_pa.fill(0.0);
        self.bank.reset();
        self.refractory_left.fill(0);
    }
}
