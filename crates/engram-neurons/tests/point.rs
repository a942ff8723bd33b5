//! `PointPopulation`: a Hodgkin–Huxley point neuron with RK4 (the future
//! `examples/custom_neuron.rs`), and a conductance LIF written as a point neuron against
//! `LifCond`.

use engram_core::neuron::{NeuronModel, PointNeuron, Receptor};
use engram_core::params::Params;
use engram_integrators::IntegratorKind;
use engram_neurons::{LifCond, LifCondParams, PointPopulation, synaptic_current_pa};
use engram_testkit::neuron::{NeuronDrive, isis_ms, v};
use rand::{Rng, SeedableRng};

/// `x / (1 − e^{−x/k})`, with its limit `k` at `x = 0`.
fn vtrap(x: f64, k: f64) -> f64 {
    if x.abs() < 1e-7 * k { k * (1.0 + x / (2.0 * k)) } else { x / (1.0 - (-x / k).exp()) }
}

/// Hodgkin & Huxley (1952), squid axon at 6.3 °C, rest at −65 mV, on a 10⁻⁴ cm² patch:
/// C = 100 pF, g_Na = 12 µS, g_K = 3.6 µS, g_L = 30 nS, so 10 µA/cm² is 1000 pA.
/// State: v_mv, m, h, n, and `armed`, which relaxes to 1 while v < −30 mV and is cleared at
/// each spike, so that a spike (upward crossing of 0 mV) is counted once.
struct HodgkinHuxley {
    receptors: Vec<Receptor>,
}

impl HodgkinHuxley {
    const C_PF: f64 = 100.0;
    const G_NA_NS: f64 = 12_000.0;
    const G_K_NS: f64 = 3_600.0;
    const G_L_NS: f64 = 30.0;
    const E_NA_MV: f64 = 50.0;
    const E_K_MV: f64 = -77.0;
    const E_L_MV: f64 = -54.387;

    fn rates(v: f64) -> [(f64, f64); 3] {
        [
            (0.1 * vtrap(v + 40.0, 10.0), 4.0 * (-(v + 65.0) / 18.0).exp()),
            (0.07 * (-(v + 65.0) / 20.0).exp(), 1.0 / (1.0 + (-(v + 35.0) / 10.0).exp())),
            (0.01 * vtrap(v + 55.0, 10.0), 0.125 * (-(v + 65.0) / 80.0).exp()),
        ]
    }
}

impl PointNeuron for HodgkinHuxley {
    const STATE: &'static [&'static str] = &["v_mv", "m", "h", "n", "armed"];
    fn receptors(&self) -> &[Receptor] {
        &self.receptors
    }
    fn initial_state(&self, s: &mut [f64]) {
        s[0] = -65.0;
        for (k, (a, b)) in Self::rates(-65.0).into_iter().enumerate() {
            s[k + 1] = a / (a + b);
        }
        s[4] = 1.0;
    }
    fn derivatives(&self, s: &[f64], syn: &[f64], i_ext_pa: f64, ds: &mut [f64]) {
        let (v, m, h, n) = (s[0], s[1], s[2], s[3]);
        let i_ion = Self::G_NA_NS * m.powi(3) * h * (v - Self::E_NA_MV)
            + Self::G_K_NS * n.powi(4) * (v - Self::E_K_MV)
            + Self::G_L_NS * (v - Self::E_L_MV);
        ds[0] = (i_ext_pa + synaptic_current_pa(&self.receptors, syn, v) - i_ion) / Self::C_PF;
        for (k, (a, b)) in Self::rates(v).into_iter().enumerate() {
            ds[k + 1] = a * (1.0 - s[k + 1]) - b * s[k + 1];
        }
        ds[4] = if v < -30.0 { (1.0 - s[4]) / 0.2 } else { 0.0 };
    }
    fn spiked(&self, s: &[f64]) -> bool {
        s[0] > 0.0 && s[4] > 0.5
    }
    fn reset(&self, s: &mut [f64]) {
        s[4] = 0.0;
    }
}

fn hh_population(n: usize) -> PointPopulation<HodgkinHuxley> {
    let hh = HodgkinHuxley { receptors: vec![Receptor::conductance("exc", 0.0, 2.0)] };
    PointPopulation::new("hodgkin_huxley", n, hh, IntegratorKind::Rk4.build())
}

#[test]
fn hodgkin_huxley_fires_repetitively_at_10_ua_per_cm2() {
    let mut pop = hh_population(3);
    assert_eq!(pop.kind(), "point:hodgkin_huxley");
    assert_eq!(pop.integrator_name(), "rk4");
    assert_eq!(pop.state_names(), ["v_mv", "m", "h", "n", "armed", "g_exc_ns"]);
    let dt = 0.01;
    let mut drive = NeuronDrive::new(&pop, dt);
    // 0, 2 and 10 µA/cm².
    drive.current_pa.copy_from_slice(&[0.0, 200.0, 1000.0]);
    let mut v_max: f64 = f64::MIN;
    let mut spikes = vec![Vec::new(); 3];
    for _ in 0..(300.0 / dt) as u64 {
        let step = drive.step;
        for &i in drive.step(&mut pop) {
            spikes[i as usize].push(step);
        }
        v_max = v_max.max(v(&pop, 2));
    }
    assert!(spikes[0].is_empty(), "no input, no spike");
    // Below the threshold of repetitive firing (≈ 6 µA/cm²) at most the onset spike.
    assert!(spikes[1].len() <= 1, "2 µA/cm²: {} spikes", spikes[1].len());
    // Repetitive firing at the classical ≈ 68 Hz, regular, with full-size action potentials.
    let isis = isis_ms(&spikes[2], dt);
    let rate = 1000.0 / (isis.iter().sum::<f64>() / isis.len() as f64);
    assert!((55.0..85.0).contains(&rate), "rate {rate} Hz");
    let mean = isis[1..].iter().sum::<f64>() / (isis.len() - 1) as f64;
    assert!(isis[1..].iter().all(|&x| (x / mean - 1.0).abs() < 0.02), "ISIs {isis:?}");
    assert!(v_max > 30.0, "spike peak {v_max}");
}

#[test]
fn hodgkin_huxley_responds_to_synaptic_conductance() {
    let mut pop = hh_population(2);
    let mut drive = NeuronDrive::new(&pop, 0.01);
    drive.receptors[0][1] = 100.0; // 100 nS excitatory kick on neuron 1
    let spikes = drive.run(&mut pop, 2000);
    assert!(spikes[0].is_empty());
    assert_eq!(spikes[1].len(), 1);
    // The conductance decayed exactly: 100 e^{−20/2}.
    let g = pop.state("g_exc_ns").unwrap()[1];
    assert!((g - 100.0 * (-10.0f64).exp()).abs() < 1e-9, "{g}");
}

/// The COBA neuron written as a point neuron.
struct CobaPoint {
    receptors: Vec<Receptor>,
}

impl PointNeuron for CobaPoint {
    const STATE: &'static [&'static str] = &["v_mv"];
    fn receptors(&self) -> &[Receptor] {
        &self.receptors
    }
    fn initial_state(&self, s: &mut [f64]) {
        s[0] = -60.0;
    }
    fn derivatives(&self, s: &[f64], syn: &[f64], i_ext_pa: f64, ds: &mut [f64]) {
        ds[0] = (10.0 * (-60.0 - s[0]) + synaptic_current_pa(&self.receptors, syn, s[0]) + i_ext_pa) / 200.0;
    }
    fn spiked(&self, s: &[f64]) -> bool {
        s[0] > -50.0
    }
    fn reset(&self, s: &mut [f64]) {
        s[0] = -60.0;
    }
    fn refractory_ms(&self) -> f64 {
        5.0
    }
}

#[test]
fn point_lif_with_euler_matches_lif_cond() {
    let n = 20;
    let receptors = LifCondParams::coba().receptors.iter().map(|r| r.to_receptor()).collect();
    let mut point = PointPopulation::new("coba", n, CobaPoint { receptors }, IntegratorKind::Euler.build());
    let mut lif = LifCond::new(n, LifCondParams::coba().check().unwrap());
    let (mut dp, mut dl) = (NeuronDrive::new(&point, 0.1), NeuronDrive::new(&lif, 0.1));
    let mut rng = rand_pcg::Pcg64::seed_from_u64(7);
    let currents: Vec<f64> = (0..n).map(|i| 50.0 + 10.0 * i as f64).collect();
    dp.current_pa.copy_from_slice(&currents);
    dl.current_pa.copy_from_slice(&currents);
    let mut total = 0;
    for step in 0..20_000 {
        for i in 0..n {
            let e = if rng.gen_bool(0.05) { 6.0 } else { 0.0 };
            let inh = if rng.gen_bool(0.01) { 20.0 } else { 0.0 };
            dp.receptors[0][i] = e;
            dl.receptors[0][i] = e;
            dp.receptors[1][i] = inh;
            dl.receptors[1][i] = inh;
        }
        let sp = dp.step(&mut point).to_vec();
        let sl = dl.step(&mut lif).to_vec();
        assert_eq!(sp, sl, "step {step}");
        total += sp.len();
        for name in ["v_mv", "g_exc_ns", "g_inh_ns"] {
            for (a, b) in point.state(name).unwrap().iter().zip(lif.state(name).unwrap()) {
                assert!((a - b).abs() < 1e-9, "step {step}, {name}: {a} vs {b}");
            }
        }
    }
    assert!(total > 100, "{total} spikes");
}

#[test]
fn refractory_hold_and_reset_state() {
    let receptors = vec![Receptor::current("drive", 1.0)];
    let mut pop = PointPopulation::new("coba", 1, CobaPoint { receptors }, IntegratorKind::Rk2.build());
    assert_eq!(pop.state_names(), ["v_mv", "i_drive_pa"]);
    let mut drive = NeuronDrive::new(&pop, 0.1);
    drive.current_pa[0] = 5000.0;
    let spikes = drive.run(&mut pop, 300);
    let isis = isis_ms(&spikes[0], 0.1);
    // 5 ms refractory plus a short charge time at 5 nA: every ISI just over 5 ms.
    assert!(isis.iter().all(|&x| x > 5.0 && x < 6.0), "{isis:?}");
    pop.state_mut("v_mv").unwrap()[0] = -52.0;
    pop.reset_state();
    assert_eq!(pop.state("v_mv").unwrap()[0], -60.0);
    assert!(pop.state("g_drive_ns").is_none());
}

#[test]
fn point_populations_report_their_neurons_refractory_period() {
    let receptors = LifCondParams::coba().receptors.iter().map(|r| r.to_receptor()).collect();
    let point = PointPopulation::new("coba", 2, CobaPoint { receptors }, IntegratorKind::Euler.build());
    assert_eq!(point.refractory_ms(), Some(5.0));
    assert_eq!(hh_population(2).refractory_ms(), None); // PointNeuron's default 0
}
