//! Add your own neuron model without touching the engine: Hodgkin–Huxley (1952) as a
//! `PointNeuron` integrated with RK4, and a quadratic integrate-and-fire population written
//! directly as a `NeuronModel`, both wired into a network with the library's `LifCond`.
//!
//! ```sh
//! cargo run --release --example custom_neuron
//! ```
//!
//! Network (1 s at dt = 0.05 ms): 400 Poisson inputs → 100 HH neurons `E_hh` (exc) ⇄ 25
//! conductance LIF neurons `I_lif` (E→I exc, I→E inh); the same inputs also drive 50 QIF
//! neurons `qif`. Prints the rates and writes `raster.png` and `voltage.png` (and `.svg`)
//! into `target/examples/custom_neuron/`. The guide is `docs/guide/custom-neuron.md`.

use anyhow::Context;
use engram::connectivity::{ConnectSpec, Rule};
use engram::core::error::ParamError;
use engram::core::params::{Checked, Params, finite, non_negative, ordered, positive};
use engram::core::prelude::*;
use engram::integrators::Rk4;
use engram::neurons::{LifCond, LifCondParams, PointPopulation, synaptic_current_pa};
use engram::plot::{PopulationSpikes, line_plot, raster_and_rates};
use engram::sim::{Delay, MonitorId, Network, NetworkBuilder, SpikeMonitor, StateMonitor};
use engram::stimuli::{PoissonGroup, PoissonGroupParams, RateSpec};
use std::path::Path;

// ─── Route 1: a `PointNeuron` (one neuron's equations; `PointPopulation` vectorises it) ─────

/// Parameters of the Hodgkin–Huxley neuron: the squid axon of Hodgkin & Huxley (1952) at
/// 6.3 °C, shifted to rest at −65 mV, on a 10⁻⁴ cm² patch (so 1 µA/cm² is 100 pA), with
/// two exponential synaptic conductances.
#[derive(Clone, Debug, PartialEq)]
pub struct HodgkinHuxleyParams {
    /// Membrane capacitance, pF (1 µF/cm²).
    pub c_m_pf: f64,
    /// Maximal sodium conductance, nS (120 mS/cm²).
    pub g_na_ns: f64,
    /// Maximal potassium conductance, nS (36 mS/cm²).
    pub g_k_ns: f64,
    /// Leak conductance, nS (0.3 mS/cm²).
    pub g_l_ns: f64,
    /// Sodium reversal potential, mV.
    pub e_na_mv: f64,
    /// Potassium reversal potential, mV.
    pub e_k_mv: f64,
    /// Leak reversal potential, mV.
    pub e_l_mv: f64,
    /// A spike is an upward crossing of this potential, mV.
    pub v_spike_mv: f64,
    /// Reversal potential of the excitatory receptor `exc`, mV.
    pub e_exc_mv: f64,
    /// Decay time of the `exc` conductance, ms.
    pub tau_exc_ms: f64,
    /// Reversal potential of the inhibitory receptor `inh`, mV.
    pub e_inh_mv: f64,
    /// Decay time of the `inh` conductance, ms.
    pub tau_inh_ms: f64,
}

impl Default for HodgkinHuxleyParams {
    fn default() -> Self {
        Self {
            c_m_pf: 100.0,
            g_na_ns: 12_000.0,
            g_k_ns: 3_600.0,
            g_l_ns: 30.0,
            e_na_mv: 50.0,
            e_k_mv: -77.0,
            e_l_mv: -54.387,
            v_spike_mv: 0.0,
            e_exc_mv: 0.0,
            tau_exc_ms: 5.0,
            e_inh_mv: -80.0,
            tau_inh_ms: 10.0,
        }
    }
}

impl Params for HodgkinHuxleyParams {
    /// The first field out of range, by name: `positive`, `ordered`, ... build the
    /// `ParamError` (field, value, what is allowed).
    fn validate(&self) -> Result<(), ParamError> {
        positive("c_m_pf", self.c_m_pf)?;
        non_negative("g_na_ns", self.g_na_ns)?;
        non_negative("g_k_ns", self.g_k_ns)?;
        positive("g_l_ns", self.g_l_ns)?;
        ordered("e_na_mv", self.e_k_mv, self.e_na_mv)?;
        finite("e_l_mv", self.e_l_mv)?;
        ordered("v_spike_mv", self.e_l_mv, self.v_spike_mv)?;
        finite("e_exc_mv", self.e_exc_mv)?;
        positive("tau_exc_ms", self.tau_exc_ms)?;
        finite("e_inh_mv", self.e_inh_mv)?;
        positive("tau_inh_ms", self.tau_inh_ms)
    }
}

/// The Hodgkin–Huxley neuron. State: `v_mv`, the gates `m`, `h`, `n`, and `armed`, which
/// relaxes to 1 while v is below −30 mV and is cleared at each spike, so that one action
/// potential counts as one spike (HH has no reset that would do this).
pub struct HodgkinHuxley {
    p: HodgkinHuxleyParams,
    receptors: Vec<Receptor>,
}

impl HodgkinHuxley {
    /// Takes checked parameters, so the equations never see a negative capacitance.
    pub fn new(params: Checked<HodgkinHuxleyParams>) -> Self {
        let p = params.into_inner();
        let receptors = vec![
            Receptor::conductance("exc", p.e_exc_mv, p.tau_exc_ms),
            Receptor::conductance("inh", p.e_inh_mv, p.tau_inh_ms),
        ];
        Self { p, receptors }
    }

    /// Opening and closing rates (per ms) of the gates m, h, n at potential `v` (mV).
    fn rates(v: f64) -> [(f64, f64); 3] {
        [
            (0.1 * vtrap(v + 40.0, 10.0), 4.0 * (-(v + 65.0) / 18.0).exp()),
            (0.07 * (-(v + 65.0) / 20.0).exp(), 1.0 / (1.0 + (-(v + 35.0) / 10.0).exp())),
            (0.01 * vtrap(v + 55.0, 10.0), 0.125 * (-(v + 65.0) / 80.0).exp()),
        ]
    }
}

/// `x / (1 − e^{−x/k})`, with its limit `k` at `x = 0` (the 0/0 in the m and n rates).
fn vtrap(x: f64, k: f64) -> f64 {
    if x.abs() < 1e-7 * k { k * (1.0 + x / (2.0 * k)) } else { x / (1.0 - (-x / k).exp()) }
}

impl PointNeuron for HodgkinHuxley {
    // Monitors record these by name; the population adds `g_exc_ns` and `g_inh_ns`.
    const STATE: &'static [&'static str] = &["v_mv", "m", "h", "n", "armed"];

    fn receptors(&self) -> &[Receptor] {
        &self.receptors
    }

    fn initial_state(&self, s: &mut [f64]) {
        let v = -65.0;
        s[0] = v;
        for (k, (a, b)) in Self::rates(v).into_iter().enumerate() {
            s[k + 1] = a / (a + b); // each gate at its steady state
        }
        s[4] = 1.0;
    }

    /// `syn` holds the receptors' conductances (nS) after this step's arrivals; `i_ext_pa` the
    /// injected current. Both are constant over the step.
    fn derivatives(&self, s: &[f64], syn: &[f64], i_ext_pa: f64, ds: &mut [f64]) {
        let p = &self.p;
        let (v, m, h, n) = (s[0], s[1], s[2], s[3]);
        let i_ion_pa = p.g_na_ns * m.powi(3) * h * (v - p.e_na_mv)
            + p.g_k_ns * n.powi(4) * (v - p.e_k_mv)
            + p.g_l_ns * (v - p.e_l_mv);
        let i_syn_pa = synaptic_current_pa(&self.receptors, syn, v); // Σ g_r (E_r − v)
        ds[0] = (i_ext_pa + i_syn_pa - i_ion_pa) / p.c_m_pf; // mV/ms
        for (k, (a, b)) in Self::rates(v).into_iter().enumerate() {
            ds[k + 1] = a * (1.0 - s[k + 1]) - b * s[k + 1];
        }
        ds[4] = if v < -30.0 { (1.0 - s[4]) / 0.2 } else { 0.0 };
    }

    fn spiked(&self, s: &[f64]) -> bool {
        s[0] > self.p.v_spike_mv && s[4] > 0.5
    }

    /// No voltage reset: the action potential ends by itself. Only disarm the detector.
    fn reset(&self, s: &mut [f64]) {
        s[4] = 0.0;
    }
}

// ─── Route 2: a `NeuronModel` (the whole population at once, for speed) ────────────────────

/// Quadratic integrate-and-fire (Izhikevich 2007, without adaptation):
/// `C dv/dt = k (v − v_r)(v − v_t) + g_exc (E_exc − v) + I`, spike at `v ≥ v_peak`, then
/// `v ← v_reset`. Stored as structure-of-arrays and stepped in one loop, forward Euler.
pub struct Qif {
    v_mv: Vec<f64>,
    g_exc_ns: Vec<f64>,
    receptors: Vec<Receptor>,
}

impl Qif {
    const C_PF: f64 = 100.0;
    const K_NS_PER_MV: f64 = 0.7;
    const V_REST_MV: f64 = -60.0;
    const V_T_MV: f64 = -40.0;
    const V_PEAK_MV: f64 = 35.0;
    const V_RESET_MV: f64 = -50.0;
    const E_EXC_MV: f64 = 0.0;

    /// `n` neurons at rest.
    pub fn new(n: usize) -> Self {
        Self {
            v_mv: vec![Self::V_REST_MV; n],
            g_exc_ns: vec![0.0; n],
            receptors: vec![Receptor::conductance("exc", Self::E_EXC_MV, 5.0)],
        }
    }
}

impl NeuronModel for Qif {
    fn kind(&self) -> &str {
        "qif"
    }
    fn len(&self) -> usize {
        self.v_mv.len()
    }
    fn receptors(&self) -> &[Receptor] {
        &self.receptors
    }
    fn state_names(&self) -> &[&'static str] {
        &["v_mv", "g_exc_ns"]
    }
    fn state(&self, name: &str) -> Option<&[f64]> {
        match name {
            "v_mv" => Some(&self.v_mv),
            "g_exc_ns" => Some(&self.g_exc_ns),
            _ => None,
        }
    }
    fn state_mut(&mut self, name: &str) -> Option<&mut [f64]> {
        match name {
            "v_mv" => Some(&mut self.v_mv),
            "g_exc_ns" => Some(&mut self.g_exc_ns),
            _ => None,
        }
    }
    fn step(&mut self, ctx: &StepContext, input: StepInput<'_>, spikes: &mut Vec<u32>) {
        let dt = ctx.dt_ms;
        let decay = (-dt / self.receptors[0].tau_ms).exp();
        let arriving_ns = &input.receptors[0]; // summed weights of this step, nS
        for i in 0..self.v_mv.len() {
            let g = self.g_exc_ns[i] + arriving_ns[i]; // (1) arrivals
            let v = self.v_mv[i];
            let i_pa = Self::K_NS_PER_MV * (v - Self::V_REST_MV) * (v - Self::V_T_MV)
                + g * (Self::E_EXC_MV - v)
                + input.current_pa[i];
            let v = v + dt * i_pa / Self::C_PF; // (2) membrane
            if v >= Self::V_PEAK_MV {
                self.v_mv[i] = Self::V_RESET_MV; // (3)–(4) threshold and reset
                spikes.push(i as u32);
            } else {
                self.v_mv[i] = v;
            }
            self.g_exc_ns[i] = g * decay; // (5) exact decay
        }
    }
    fn reset_state(&mut self) {
        self.v_mv.fill(Self::V_REST_MV);
        self.g_exc_ns.fill(0.0);
    }
}

// ─── The network: custom and library models side by side ──────────────────────────────────

/// Time step, ms: HH with any explicit scheme diverges at the usual 0.1 ms.
pub const DT_MS: f64 = 0.05;
const N_INPUT: usize = 400;
const N_HH: usize = 100;
const N_LIF: usize = 25;
const N_QIF: usize = 50;
/// HH neurons whose membrane potential is recorded.
const RECORDED: [u32; 3] = [0, 1, 2];

/// The built network and the handles of its monitors.
pub struct Experiment {
    /// The network, ready to run.
    pub net: Network,
    /// All spikes of every population.
    pub spikes: MonitorId,
    /// `v_mv` of the `RECORDED` HH neurons.
    pub voltage: MonitorId,
}

/// Build the network; `seed` fixes the connections and the Poisson input.
pub fn build(seed: u64) -> anyhow::Result<Experiment> {
    let mut b = NetworkBuilder::new(DT_MS, seed)?;
    let input =
        PoissonGroupParams { n_sources: N_INPUT, rates: RateSpec::Constant { rate_hz: 10.0 }, ..Default::default() };
    b.add_source("input", PoissonGroup::new(input.check()?, seed, 1, b.clock()))?;
    let hh = HodgkinHuxley::new(HodgkinHuxleyParams::default().check()?);
    b.add_population("E_hh", PointPopulation::new("hodgkin_huxley", N_HH, hh, Box::new(Rk4::new())))?;
    b.add_population("I_lif", LifCond::new(N_LIF, LifCondParams::coba().check()?))?;
    b.add_population("qif", Qif::new(N_QIF))?;

    // pre → post on a receptor of post: connection probability p, weight in nS.
    let projections = [
        ("input", N_INPUT, "E_hh", N_HH, "exc", 0.1, 4.0),
        ("E_hh", N_HH, "I_lif", N_LIF, "exc", 0.2, 1.0),
        ("I_lif", N_LIF, "E_hh", N_HH, "inh", 0.4, 10.0),
        ("input", N_INPUT, "qif", N_QIF, "exc", 0.1, 1.0),
    ];
    for (k, (pre, n_pre, post, n_post, receptor, p, w_ns)) in projections.into_iter().enumerate() {
        // Each projection draws from its own random stream (seed, 10 + k).
        let c = ConnectSpec::new(Rule::FixedProbability { p }).connect(n_pre, n_post, seed, 10 + k as u64)?;
        b.connect(pre, post, receptor, c.weights(w_ns), Delay::Ms(1.0))?;
    }

    let spikes = b.add_monitor(SpikeMonitor::new(&["input", "E_hh", "I_lif", "qif"]));
    let voltage = b.add_monitor(StateMonitor::new("E_hh", "v_mv", &RECORDED, 2)); // every 0.1 ms
    Ok(Experiment { net: b.build()?, spikes, voltage })
}

fn main() -> anyhow::Result<()> {
    let duration_ms = 1000.0;
    let mut exp = build(2024)?;
    let started = std::time::Instant::now();
    exp.net.run_ms(duration_ms)?; // quiet: no progress bar
    let wall_s = started.elapsed().as_secs_f64();

    println!("{duration_ms} ms simulated in {wall_s:.2} s (dt = {DT_MS} ms)");
    for s in exp.net.stats() {
        println!("  {:<6} {:>4} neurons  {:>7.1} Hz", s.name, s.n, s.rate_hz);
    }

    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/examples/custom_neuron");
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;

    let rec = exp.net.monitor::<SpikeMonitor>(exp.spikes).context("spike monitor")?;
    let pops: Vec<PopulationSpikes> = [("input", N_INPUT), ("E_hh", N_HH), ("I_lif", N_LIF), ("qif", N_QIF)]
        .into_iter()
        .map(|(name, n)| PopulationSpikes::new(name, n, rec.times_ms(name), rec.neurons(name)))
        .collect();
    let title = "Poisson input → Hodgkin–Huxley (RK4) ⇄ conductance LIF; QIF";
    raster_and_rates(out.join("raster"), title, &pops, duration_ms, 5.0, Some(50))?;

    // v(t) of the recorded HH neurons over a 200 ms window, where single spikes are visible.
    let vm = exp.net.monitor::<StateMonitor>(exp.voltage).context("state monitor")?;
    let traces: Vec<Vec<(f64, f64)>> = (0..RECORDED.len())
        .map(|k| {
            let window = vm.times_ms().iter().zip(vm.trace(k));
            window.filter(|(t, _)| (400.0..600.0).contains(*t)).map(|(&t, v)| (t, v)).collect()
        })
        .collect();
    let names: Vec<String> = RECORDED.iter().map(|i| format!("HH neuron {i}")).collect();
    let series: Vec<(&str, &[(f64, f64)])> =
        names.iter().map(String::as_str).zip(traces.iter().map(Vec::as_slice)).collect();
    line_plot(out.join("voltage"), "Hodgkin–Huxley membrane potential", "time (ms)", "v (mV)", &series, false)?;

    println!("figures: {}/raster.png, voltage.png", out.display());
    Ok(())
}
