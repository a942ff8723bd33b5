//! The simple spiking model of Izhikevich (IEEE Trans. Neural Netw. 14:1569, 2003), with
//! exponential synaptic currents.

use crate::common::{ReceptorBank, check_input, reset_below};
use engram_core::error::ParamError;
use engram_core::neuron::{NeuronModel, Receptor, StepContext, StepInput};
use engram_core::params::{Checked, Params, finite, positive};
use serde::{Deserialize, Serialize};

/// Membrane potential at rest and after `reset_state`, mV (as in the paper's code, `v = −65`,
/// `u = b·v`).
const V_INIT_MV: f64 = -65.0;

/// Parameters of [`Izhikevich`]:
/// `dv/dt = 0.04 v² + 5 v + 140 − u + I`, `du/dt = a (b v − u)`; if `v ≥ v_peak`: `v → c`,
/// `u → u + d` (v in mV, t in ms).
///
/// Current unit: the 2003 model has unit capacitance, so its `I` (mV/ms) is a current in pA on
/// a membrane of `c_m_pf = 1` pF. `I = (i_exc + i_inh + I_inj)/c_m_pf`: the injected current,
/// the synaptic weights and `i_exc_pa`/`i_inh_pa` are all in that unit (pA for the default
/// 1 pF), so the paper's `I = 10` is 10 pA here. Inhibitory weights are negative.
///
/// Defaults: regular spiking (a = 0.02, b = 0.2, c = −65, d = 8), `v_peak = 30` mV, synaptic
/// currents decaying with 5 ms (`exc`) and 10 ms (`inh`) — the paper used instantaneous pulses;
/// a weight `w` here delivers a charge `w·tau` instead of `w·1 ms`.
///
/// ```
/// use engram_core::params::Params;
/// use engram_neurons::IzhikevichParams;
/// let fs = IzhikevichParams::fast_spiking();
/// assert_eq!((fs.a, fs.d), (0.1, 2.0));
/// let bad = IzhikevichParams { c: 40.0, ..IzhikevichParams::default() };
/// assert_eq!(bad.validate().unwrap_err().field, "c");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IzhikevichParams {
    /// Recovery rate `a`, 1/ms. Default 0.02.
    pub a: f64,
    /// Sensitivity of `u` to `v`, `b` (1/ms per unit of `a`). Default 0.2.
    pub b: f64,
    /// After-spike reset of `v`, `c`, mV. Default −65.
    pub c: f64,
    /// After-spike increment of `u`, `d`. Default 8.
    pub d: f64,
    /// Spike cut-off, mV. Default 30.
    pub v_peak_mv: f64,
    /// Capacitance that converts pA into the model's `I` (mV/ms), pF. Default 1.
    pub c_m_pf: f64,
    /// Decay time of the excitatory current, ms. Default 5.
    pub tau_syn_exc_ms: f64,
    /// Decay time of the inhibitory current, ms. Default 10.
    pub tau_syn_inh_ms: f64,
}

impl Default for IzhikevichParams {
    fn default() -> Self {
        Self::regular_spiking()
    }
}

impl IzhikevichParams {
    fn with(a: f64, b: f64, c: f64, d: f64) -> Self {
        Self { a, b, c, d, v_peak_mv: 30.0, c_m_pf: 1.0, tau_syn_exc_ms: 5.0, tau_syn_inh_ms: 10.0 }
    }
    /// Regular spiking (RS) cortical cell: a = 0.02, b = 0.2, c = −65, d = 8.
    pub fn regular_spiking() -> Self {
        Self::with(0.02, 0.2, -65.0, 8.0)
    }
    /// Fast spiking (FS) interneuron: a = 0.1, b = 0.2, c = −65, d = 2.
    pub fn fast_spiking() -> Self {
        Self::with(0.1, 0.2, -65.0, 2.0)
    }
    /// Intrinsically bursting (IB): a = 0.02, b = 0.2, c = −55, d = 4.
    pub fn intrinsically_bursting() -> Self {
        Self::with(0.02, 0.2, -55.0, 4.0)
    }
    /// Chattering (CH): a = 0.02, b = 0.2, c = −50, d = 2.
    pub fn chattering() -> Self {
        Self::with(0.02, 0.2, -50.0, 2.0)
    }
}

impl Params for IzhikevichParams {
    fn validate(&self) -> Result<(), ParamError> {
        positive("a", self.a)?;
        finite("b", self.b)?;
        finite("v_peak_mv", self.v_peak_mv)?;
        reset_below("c", self.c, "v_peak_mv", self.v_peak_mv)?;
        finite("d", self.d)?;
        positive("c_m_pf", self.c_m_pf)?;
        positive("tau_syn_exc_ms", self.tau_syn_exc_ms)?;
        positive("tau_syn_inh_ms", self.tau_syn_inh_ms)
    }
}

/// A population of Izhikevich neurons (see [`IzhikevichParams`]).
///
/// Integration follows the paper's code: `v` takes two forward-Euler half steps of `dt/2`,
/// then `u` one step of `dt` from the new `v`. (At the paper's dt = 1 ms these are its two
/// 0.5 ms half steps.) If `v` reaches `v_peak` after the first half step the second is
/// skipped, which keeps `0.04 v²` from overflowing under huge inputs.
///
/// Receptors `exc`, `inh` (kind `Current`, in the model's current unit, see
/// [`IzhikevichParams`]). State variables: `v_mv`, `u`, `i_exc_pa`, `i_inh_pa`.
///
/// ```
/// use engram_core::prelude::*;
/// use engram_neurons::{Izhikevich, IzhikevichParams};
/// let mut rs = Izhikevich::new(1, IzhikevichParams::regular_spiking().check().unwrap());
/// let input = vec![vec![0.0]; 2];
/// let (mut spikes, mut n) = (Vec::new(), 0);
/// for step in 0..10_000 {
///     spikes.clear();
///     rs.step(&StepContext { step, dt_ms: 0.1 }, StepInput { receptors: &input, current_pa: &[10.0] }, &mut spikes);
///     n += spikes.len();
/// }
/// assert!(n > 5 && n < 50, "{n} spikes in 1 s");
/// ```
#[derive(Clone, Debug)]
pub struct Izhikevich {
    params: IzhikevichParams,
    v_mv: Vec<f64>,
    u: Vec<f64>,
    /// The synaptic currents `i_exc_pa` and `i_inh_pa`.
    bank: ReceptorBank,
}

impl Izhikevich {
    /// `n` neurons at `v = −65` mV, `u = b·v`, no current.
    pub fn new(n: usize, params: Checked<IzhikevichParams>) -> Self {
        let params = params.into_inner();
        let receptors =
            vec![Receptor::current("exc", params.tau_syn_exc_ms), Receptor::current("inh", params.tau_syn_inh_ms)];
        Self {
            bank: ReceptorBank::new(n, receptors),
            v_mv: vec![V_INIT_MV; n],
            u: vec![params.b * V_INIT_MV; n],
            params,
        }
    }

    /// The parameters.
    pub fn params(&self) -> &IzhikevichParams {
        &self.params
    }
}

impl NeuronModel for Izhikevich {
    fn keep_block(&mut self, block: std::ops::Range<usize>) -> bool {
        assert!(block.end <= self.len(), "izhikevich: keep_block({block:?}) of {} neurons", self.len());
        crate::common::keep_block(&mut self.v_mv, &block);
        crate::common::keep_block(&mut self.u, &block);
        self.bank.keep_block(&block);
        true
    }
    fn kind(&self) -> &str {
        "izhikevich"
    }
    fn len(&self) -> usize {
        self.v_mv.len()
    }
    fn receptors(&self) -> &[Receptor] {
        self.bank.receptors()
    }
    fn state_names(&self) -> &[&'static str] {
        &["v_mv", "u", "i_exc_pa", "i_inh_pa"]
    }
    fn state(&self, name: &str) -> Option<&[f64]> {
        match name {
            "v_mv" => Some(&self.v_mv),
            "u" => Some(&self.u),
            _ => self.bank.get(name),
        }
    }
    fn state_mut(&mut self, name: &str) -> Option<&mut [f64]> {
        match name {
            "v_mv" => Some(&mut self.v_mv),
            "u" => Some(&mut self.u),
            _ => self.bank.get_mut(name),
        }
    }
    fn step(&mut self, ctx: &StepContext, input: StepInput<'_>, spikes: &mut Vec<u32>) {
        let n = self.len();
        check_input("izhikevich", n, 2, &input);
        let dt = ctx.dt_ms;
        self.bank.prepare(dt);
        let (decay_e, decay_i) = (self.bank.decay()[0], self.bank.decay()[1]);
        let p = &self.params;
        let (a, b, c, d, v_peak) = (p.a, p.b, p.c, p.d, p.v_peak_mv);
        let inv_c = 1.0 / p.c_m_pf;
        let half = 0.5 * dt;
        let v = &mut self.v_mv[..n];
        let u = &mut self.u[..n];
        let [i_e, i_i] = self.bank.values_mut() else { unreachable!("two receptors") };
        let (i_e, i_i) = (&mut i_e[..n], &mut i_i[..n]);
        let w_e = &input.receptors[0][..n];
        let w_i = &input.receptors[1][..n];
        let i_inj = &input.current_pa[..n];
        for k in 0..n {
            let ie = i_e[k] + w_e[k];
            let ii = i_i[k] + w_i[k];
            let drive = (ie + ii + i_inj[k]) * inv_c;
            let (mut vk, uk) = (v[k], u[k]);
            vk += half * (0.04 * vk * vk + 5.0 * vk + 140.0 - uk + drive);
            if vk < v_peak {
                vk += half * (0.04 * vk * vk + 5.0 * vk + 140.0 - uk + drive);
            }
            let mut u_new = uk + dt * a * (b * vk - uk);
            // A NaN (from absurd inputs) is reset like a spike.
            if vk >= v_peak || vk.is_nan() {
                vk = c;
                u_new += d;
                spikes.push(k as u32);
            }
            v[k] = vk;
            u[k] = u_new;
            i_e[k] = ie * decay_e;
            i_i[k] = ii * decay_i;
        }
    }
    fn reset_state(&mut self) {
        self.v_mv.fill(V_INIT_MV);
        self.u.fill(self.params.b * V_INIT_MV);
        self.bank.reset();
    }
}
