//! `LifNmda` against a line-by-line transcription of Auryn's `IFGroup::evolve` (Zenke et al.
//! 2013), the NMDA low-pass, and the relative refractoriness of the moving threshold.

use engram_core::neuron::{NeuronModel, StepContext, StepInput};
use engram_core::params::Params;
use engram_neurons::{LifNmda, LifNmdaParams};
use rand::{Rng, SeedableRng};

/// Auryn's `IFGroup` for one neuron, in its own units (s, V, conductances in units of g_leak),
/// in the order of `integrate_linear_nmda_synapses`, `integrate_membrane`, `check_thresholds`.
/// Incoming weights are added to g_ampa / g_gaba after the step (Auryn's `propagate`).
struct AurynIf {
    mem: f64,
    thr: f64,
    g_ampa: f64,
    g_nmda: f64,
    g_gaba: f64,
}

impl AurynIf {
    const DT: f64 = 1e-4;
    fn evolve(&mut self) -> bool {
        let (tau_ampa, tau_gaba, tau_nmda, tau_thr, tau_mem) = (5e-3, 10e-3, 100e-3, 5e-3, 20e-3);
        let (u_rest, u_reset, u_inh_rev, thr_rest, dthr) = (-70e-3, -70e-3, -80e-3, -50e-3, 100e-3);
        let (a_ampa, a_nmda) = (0.5, 0.5);
        let mul_nmda = 1.0 - (-Self::DT / tau_nmda).exp();
        let t_exc = -(a_ampa * self.g_ampa + a_nmda * self.g_nmda) * self.mem;
        let t_inh = (self.mem - u_inh_rev) * self.g_gaba;
        self.g_nmda += mul_nmda * self.g_ampa - mul_nmda * self.g_nmda;
        self.g_ampa *= (-Self::DT / tau_ampa).exp();
        self.g_gaba *= (-Self::DT / tau_gaba).exp();
        self.thr *= (-Self::DT / tau_thr).exp();
        let t_leak = self.mem - u_rest;
        let k = Self::DT / tau_mem;
        self.mem += k * t_exc - k * t_inh - k * t_leak;
        self.mem = self.mem.clamp(u_inh_rev, 0.0);
        if self.mem > thr_rest + self.thr {
            self.mem = u_reset;
            self.thr = dthr;
            return true;
        }
        false
    }
}

#[test]
fn matches_a_transcription_of_auryns_ifgroup() {
    let p = LifNmdaParams::default();
    let g_l = p.g_l_ns;
    let mut pop = LifNmda::new(1, p.check().unwrap());
    let mut auryn = AurynIf { mem: -70e-3, thr: 0.0, g_ampa: 0.0, g_nmda: 0.0, g_gaba: 0.0 };
    let mut rng = rand_pcg::Pcg64::seed_from_u64(7);
    let (mut spikes, mut n_spikes) = (Vec::new(), 0);
    let mut input = vec![vec![0.0], vec![0.0]];
    for step in 0..50_000u64 {
        // Poisson-like drive in units of g_l: w_exc 0.16 at ~4 kHz, w_inh 1 at ~300 Hz
        let (we, wi) =
            (if rng.r#gen::<f64>() < 0.4 { 0.16 } else { 0.0 }, if rng.r#gen::<f64>() < 0.03 { 1.0 } else { 0.0 });
        // Auryn: the previous step's transmissions are already in g; ours arrive in this step
        auryn.g_ampa += we;
        auryn.g_gaba += wi;
        let fired = auryn.evolve();
        input[0][0] = we * g_l;
        input[1][0] = wi * g_l;
        spikes.clear();
        pop.step(&StepContext { step, dt_ms: 0.1 }, StepInput { receptors: &input, current_pa: &[0.0] }, &mut spikes);
        assert_eq!(!spikes.is_empty(), fired, "spike mismatch at step {step}");
        n_spikes += spikes.len();
        let v = pop.state("v_mv").unwrap()[0];
        assert!((v - auryn.mem * 1e3).abs() < 1e-9, "step {step}: v {v} vs {}", auryn.mem * 1e3);
        let nmda = pop.state("g_nmda_ns").unwrap()[0];
        assert!((nmda - auryn.g_nmda * g_l).abs() < 1e-9, "step {step}: nmda {nmda}");
    }
    assert!(n_spikes > 20, "the drive must make the neuron fire: {n_spikes} spikes");
}

#[test]
fn nmda_follows_ampa_with_its_own_time_constant() {
    let p = LifNmdaParams::default();
    let mut pop = LifNmda::new(1, p.clone().check().unwrap());
    let mut input = vec![vec![1.0], vec![0.0]];
    let mut spikes = Vec::new();
    let mut nmda = Vec::new();
    for step in 0..20_000 {
        pop.step(&StepContext { step, dt_ms: 0.1 }, StepInput { receptors: &input, current_pa: &[0.0] }, &mut spikes);
        input[0][0] = 0.0;
        nmda.push(pop.state("g_nmda_ns").unwrap()[0]);
    }
    // the filtered pulse: area ≈ AMPA's area τ_ampa·1 nS, peak near τ_r τ_d/(τ_d−τ_r) ln(τ_d/τ_r) ≈ 15.8 ms
    let area: f64 = nmda.iter().sum::<f64>() * 0.1;
    assert!((area - p.tau_ampa_ms).abs() < 0.05 * p.tau_ampa_ms, "area {area}");
    let peak_ms = nmda.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap().0 as f64 * 0.1;
    assert!((peak_ms - 15.8).abs() < 1.0, "peak at {peak_ms} ms");
}

#[test]
fn the_moving_threshold_makes_a_relative_refractory_period() {
    // A strong current fires the neuron regularly; the jump of 100 mV decaying with 5 ms
    // allows the next spike only when v_th + θ is back near the reachable range.
    let p = LifNmdaParams::default();
    let mut pop = LifNmda::new(1, p.check().unwrap());
    let input = vec![vec![0.0], vec![0.0]];
    let mut spikes = Vec::new();
    let mut times = Vec::new();
    for step in 0..10_000 {
        spikes.clear();
        pop.step(
            &StepContext { step, dt_ms: 0.1 },
            StepInput { receptors: &input, current_pa: &[5000.0] },
            &mut spikes,
        );
        if !spikes.is_empty() {
            times.push(step as f64 * 0.1);
        }
    }
    let isi: Vec<f64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    let min_isi = isi.iter().cloned().fold(f64::INFINITY, f64::min);
    // 5 nA into 10 nS drives v towards +430 mV (clipped at 0): the threshold must have fallen
    // from +50 mV to 0 mV, i.e. θ ≤ 50 mV after 5 ln 2 ≈ 3.5 ms
    assert!(min_isi > 3.0 && min_isi < 4.5, "min ISI {min_isi} ms");
    assert!(times.len() > 100);
}
