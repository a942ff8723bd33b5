//! `AdEx`: rheobase from the I–V curve, spike-triggered adaptation, robustness to huge inputs.

use engram_core::neuron::NeuronModel;
use engram_core::params::Params;
use engram_neurons::{AdEx, AdExParams, MembraneIntegrator};
use engram_testkit::neuron::{NeuronDrive, isis_ms};

/// Maximum of the steady-state I–V curve I(V) = (g_l + a)(V − E_l) − g_l Δ_T e^{(V − V_T)/Δ_T}:
/// the largest constant current with a resting fixed point.
fn iv_max_pa(p: &AdExParams) -> f64 {
    let g = p.g_l_ns + p.a_ns;
    let v_star = p.v_t_mv + p.delta_t_mv * (g / p.g_l_ns).ln();
    g * (v_star - p.e_l_mv) - g * p.delta_t_mv
}

#[test]
fn rheobase_is_near_the_top_of_the_iv_curve() {
    for integrator in [MembraneIntegrator::Euler, MembraneIntegrator::ExpEuler] {
        let p = AdExParams { integrator, ..AdExParams::default() };
        let top = iv_max_pa(&p); // ≈ 627 pA for the defaults
        assert!((600.0..650.0).contains(&top), "{top}");
        let mut model = AdEx::new(3, p.clone().check().unwrap());
        let mut drive = NeuronDrive::new(&model, 0.05);
        // Well below: a stable resting point, no spike. Above the top: no fixed point, firing.
        // (With a > C/tau_w the loss of stability is a Hopf bifurcation slightly below the top,
        // so the test stays 10% away on the low side.)
        drive.current_pa.copy_from_slice(&[0.0, 0.9 * top, 1.05 * top]);
        let spikes = drive.run(&mut model, 40_000);
        assert!(spikes[0].is_empty() && spikes[1].is_empty(), "{integrator:?}: {:?}", spikes[1].len());
        assert!(spikes[2].len() >= 3, "{integrator:?}: {} spikes above rheobase", spikes[2].len());
        // With no input v rests just above e_l: the exponential term contributes
        // g_l Δ_T e^{(e_l − v_t)/Δ_T} ≈ 2.5·10⁻³ pA, shifting rest by ≈ 7·10⁻⁵ mV.
        let rest = model.state("v_mv").unwrap()[0] - p.e_l_mv;
        assert!(rest > 0.0 && rest < 1e-3, "{rest}");
    }
}

#[test]
fn spike_triggered_adaptation_lengthens_isis() {
    let adapting = AdExParams::default();
    let tonic = AdExParams { a_ns: 0.0, b_pa: 0.0, ..AdExParams::default() };
    let mut result = Vec::new();
    for p in [adapting, tonic] {
        let mut model = AdEx::new(1, p.check().unwrap());
        let mut drive = NeuronDrive::new(&model, 0.05);
        drive.current_pa[0] = 1000.0;
        let spikes = drive.run(&mut model, 20_000); // 1 s
        result.push(isis_ms(&spikes[0], 0.05));
    }
    let (adapting, tonic) = (&result[0], &result[1]);
    assert!(adapting.len() > 5 && tonic.len() > 5);
    let last = adapting[adapting.len() - 1];
    assert!(last > 2.0 * adapting[0], "adapting ISIs {adapting:?}");
    // Without adaptation every ISI is the same (to the step).
    let (min, max) = tonic.iter().fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
    assert!(max - min <= 0.05 + 1e-9, "tonic ISIs {tonic:?}");
    assert!(last > tonic[tonic.len() - 1], "adaptation slows the steady rate");
}

#[test]
fn w_jumps_by_b_at_each_spike() {
    let p = AdExParams::default();
    let mut model = AdEx::new(1, p.clone().check().unwrap());
    let mut drive = NeuronDrive::new(&model, 0.1);
    drive.current_pa[0] = 1500.0;
    let mut jumps = 0;
    for _ in 0..5000 {
        let w0 = model.state("w_pa").unwrap()[0];
        let spiked = !drive.step(&mut model).is_empty();
        let w1 = model.state("w_pa").unwrap()[0];
        if spiked {
            jumps += 1;
            // b plus the continuous change over one step (|dw| ≤ dt/tau_w·|a(v − e_l) − w|, small)
            assert!((w1 - w0 - p.b_pa).abs() < 2.0, "{w0} -> {w1}");
            assert_eq!(model.state("v_mv").unwrap()[0], p.v_reset_mv);
        } else {
            assert!((w1 - w0).abs() < 2.0);
        }
    }
    assert!(jumps > 5);
}

#[test]
fn huge_inputs_never_produce_nan_or_infinity() {
    for integrator in [MembraneIntegrator::Euler, MembraneIntegrator::ExpEuler] {
        let p = AdExParams { integrator, ..AdExParams::default() };
        let mut model = AdEx::new(5, p.check().unwrap());
        let mut drive = NeuronDrive::new(&model, 0.1);
        drive.current_pa.copy_from_slice(&[1e9, 1e15, -1e9, 0.0, 0.0]);
        let mut n_spikes = [0usize; 5];
        for _ in 0..2000 {
            drive.receptors[0][3] = 1e6; // huge excitatory conductance every step
            drive.receptors[1][4] = 1e6; // huge inhibitory conductance every step
            for &i in drive.step(&mut model) {
                n_spikes[i as usize] += 1;
            }
            for name in ["v_mv", "w_pa", "g_exc_ns", "g_inh_ns"] {
                for &x in model.state(name).unwrap() {
                    assert!(x.is_finite(), "{integrator:?}: {name} = {x}");
                }
            }
        }
        // Huge depolarising drive: one spike per step at most, and it does fire.
        assert!(n_spikes[0] > 0 && n_spikes[0] <= 2000);
        assert!(n_spikes[1] > 0);
        assert!(n_spikes[3] > 0);
    }
}

#[test]
fn names_and_kind() {
    let mut model = AdEx::new(2, AdExParams::default().check().unwrap());
    assert_eq!(model.kind(), "adex");
    assert_eq!(model.state_names(), ["v_mv", "w_pa", "g_exc_ns", "g_inh_ns"]);
    model.state_mut("w_pa").unwrap()[0] = 50.0;
    model.state_mut("g_exc_ns").unwrap()[1] = 5.0;
    model.reset_state();
    assert_eq!(model.state("w_pa").unwrap(), [0.0, 0.0]);
    assert_eq!(model.state("g_exc_ns").unwrap(), [0.0, 0.0]);
}
