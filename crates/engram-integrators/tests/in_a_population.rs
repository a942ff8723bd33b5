//! Every integrator inside a population, as a user's `PointNeuron` runs it: a leaky membrane
//! charged by a constant current, driven without the engine by the test kit, follows the closed
//! form v(t) = E_L + R·I·(1 − e^(−t/τ)) to each method's order. A `PointNeuron` reports no
//! linear part, so exponential Euler is forward Euler there, as docs/guide/custom-neuron.md says.

use engram_core::neuron::{NeuronModel, PointNeuron, Receptor};
use engram_integrators::IntegratorKind;
use engram_neurons::PointPopulation;
use engram_testkit::neuron::NeuronDrive;

const TAU_MS: f64 = 20.0;
const E_L_MV: f64 = -65.0;
/// Membrane resistance, GΩ (so R·I is in mV for I in pA).
const R_GOHM: f64 = 0.1;

/// A leaky membrane with no threshold in reach.
struct Leaky;

impl PointNeuron for Leaky {
    const STATE: &'static [&'static str] = &["v_mv"];
    fn receptors(&self) -> &[Receptor] {
        &[]
    }
    fn initial_state(&self, state: &mut [f64]) {
        state[0] = E_L_MV;
    }
    fn derivatives(&self, state: &[f64], _synaptic: &[f64], i_ext_pa: f64, dstate: &mut [f64]) {
        dstate[0] = (-(state[0] - E_L_MV) + R_GOHM * i_ext_pa) / TAU_MS;
    }
    fn spiked(&self, _state: &[f64]) -> bool {
        false
    }
    fn reset(&self, _state: &mut [f64]) {}
}

/// The largest deviation from the closed form over 200 ms, and the final potentials' bits.
fn charge(kind: IntegratorKind) -> (f64, Vec<u64>) {
    let (dt_ms, i_pa) = (0.1, 200.0);
    let mut pop = PointPopulation::new("leaky", 3, Leaky, kind.build());
    let mut drive = NeuronDrive::new(&pop, dt_ms);
    drive.current_pa.fill(i_pa);
    let mut worst: f64 = 0.0;
    for k in 1..=2000u64 {
        assert!(drive.step(&mut pop).is_empty());
        let exact = E_L_MV + R_GOHM * i_pa * (1.0 - (-(k as f64 * dt_ms) / TAU_MS).exp());
        for &v in pop.state("v_mv").unwrap() {
            worst = worst.max((v - exact).abs());
        }
    }
    (worst, pop.state("v_mv").unwrap().iter().map(|v| v.to_bits()).collect())
}

#[test]
fn every_integrator_follows_the_closed_form_charging_curve_to_its_order() {
    let (euler, euler_bits) = charge(IntegratorKind::Euler);
    let (rk2, _) = charge(IntegratorKind::Rk2);
    let (rk4, _) = charge(IntegratorKind::Rk4);
    // first order: about (dt / 2τ)·R·I·e^(-1) ≈ 0.018 mV; second and fourth order far below
    assert!(euler > 0.005 && euler < 0.05, "Euler: {euler} mV");
    assert!(rk2 < 1e-3 && rk2 < euler / 50.0, "RK2: {rk2} mV");
    assert!(rk4 < 1e-7, "RK4: {rk4} mV");
    // no linear part from a PointNeuron: exponential Euler is forward Euler, bit for bit
    let (exp_euler, exp_bits) = charge(IntegratorKind::ExpEuler);
    assert_eq!((exp_euler, exp_bits), (euler, euler_bits));
}
