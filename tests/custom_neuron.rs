//! Tests of `examples/custom_neuron.rs`: the Hodgkin–Huxley `PointNeuron` rests at −65 mV,
//! fires regularly at the classical ≈ 68 Hz under 10 µA/cm², rejects bad parameters, and the
//! example's network runs. The example is included as a module, so these tests check exactly
//! the model the guide (`docs/guide/custom-neuron.md`) walks through.

#[allow(dead_code)]
#[path = "../examples/custom_neuron.rs"]
mod custom_neuron;

use custom_neuron::{HodgkinHuxley, HodgkinHuxleyParams, Qif};
use engram::core::params::Params;
use engram::core::prelude::*;
use engram::integrators::IntegratorKind;
use engram::neurons::PointPopulation;
use engram::sim::SpikeMonitor;

/// Drive `pop` alone for `duration_ms` with a constant current per neuron and no synaptic
/// input; return each neuron's spike times (ms) and the highest potential of each neuron.
fn drive(pop: &mut dyn NeuronModel, current_pa: &[f64], dt_ms: f64, duration_ms: f64) -> (Vec<Vec<f64>>, Vec<f64>) {
    let n = pop.len();
    let receptors = vec![vec![0.0; n]; pop.receptors().len()];
    let (mut spikes, mut times, mut v_max) = (Vec::with_capacity(n), vec![Vec::new(); n], vec![f64::MIN; n]);
    for step in 0..(duration_ms / dt_ms).round() as u64 {
        spikes.clear();
        let ctx = StepContext { step, dt_ms };
        pop.step(&ctx, StepInput { receptors: &receptors, current_pa }, &mut spikes);
        for &i in &spikes {
            times[i as usize].push(ctx.time_ms());
        }
        for (m, &v) in v_max.iter_mut().zip(pop.state("v_mv").unwrap()) {
            *m = m.max(v);
        }
    }
    (times, v_max)
}

fn hh(n: usize, integrator: IntegratorKind) -> PointPopulation<HodgkinHuxley> {
    let neuron = HodgkinHuxley::new(HodgkinHuxleyParams::default().check().unwrap());
    PointPopulation::new("hodgkin_huxley", n, neuron, integrator.build())
}

#[test]
fn state_names_carry_units_for_monitors() {
    let pop = hh(1, IntegratorKind::Rk4);
    assert_eq!(pop.kind(), "point:hodgkin_huxley");
    assert_eq!(pop.state_names(), ["v_mv", "m", "h", "n", "armed", "g_exc_ns", "g_inh_ns"]);
    assert_eq!(Qif::new(3).state_names(), ["v_mv", "g_exc_ns"]);
}

#[test]
fn rests_at_minus_65_mv_without_input() {
    let mut pop = hh(1, IntegratorKind::Rk4);
    let (spikes, _) = drive(&mut pop, &[0.0], custom_neuron::DT_MS, 200.0);
    assert!(spikes[0].is_empty());
    let v = pop.state("v_mv").unwrap()[0];
    assert!((v + 65.0).abs() < 0.05, "resting potential {v} mV");
}

#[test]
fn fires_repetitively_at_10_ua_per_cm2_and_not_at_2() {
    // 0, 2 and 10 µA/cm² on the 10⁻⁴ cm² patch.
    let mut pop = hh(3, IntegratorKind::Rk4);
    let (spikes, v_max) = drive(&mut pop, &[0.0, 200.0, 1000.0], custom_neuron::DT_MS, 500.0);
    assert!(spikes[0].is_empty(), "no input, no spike");
    // Below the threshold of repetitive firing (≈ 6 µA/cm²): at most the onset spike.
    assert!(spikes[1].len() <= 1, "2 µA/cm²: {} spikes", spikes[1].len());
    // Regular firing at ≈ 68 Hz, each action potential counted once, overshooting to > 30 mV.
    let isis: Vec<f64> = spikes[2].windows(2).map(|w| w[1] - w[0]).collect();
    let rate_hz = 1000.0 / (isis.iter().sum::<f64>() / isis.len() as f64);
    assert!((60.0..80.0).contains(&rate_hz), "rate {rate_hz} Hz");
    let mean = isis[1..].iter().sum::<f64>() / (isis.len() - 1) as f64;
    assert!(isis[1..].iter().all(|&x| (x / mean - 1.0).abs() < 0.02), "ISIs {isis:?}");
    assert!(v_max[2] > 30.0, "spike peak {} mV", v_max[2]);
}

#[test]
fn rk4_at_the_network_step_matches_a_fine_reference() {
    // The example's dt (0.05 ms) against RK4 at 0.005 ms: the same spike times within a step.
    let mut coarse = hh(1, IntegratorKind::Rk4);
    let mut fine = hh(1, IntegratorKind::Rk4);
    let (a, _) = drive(&mut coarse, &[1000.0], custom_neuron::DT_MS, 100.0);
    let (b, _) = drive(&mut fine, &[1000.0], 0.005, 100.0);
    assert_eq!(a[0].len(), b[0].len(), "{:?} vs {:?}", a[0], b[0]);
    for (ta, tb) in a[0].iter().zip(&b[0]) {
        assert!((ta - tb).abs() <= custom_neuron::DT_MS + 1e-9, "spike at {ta} vs {tb} ms");
    }
}

#[test]
fn bad_parameters_name_the_field() {
    let err = HodgkinHuxleyParams { c_m_pf: -1.0, ..Default::default() }.check().unwrap_err();
    assert_eq!(err.field, "c_m_pf");
    let err = HodgkinHuxleyParams { e_na_mv: -90.0, ..Default::default() }.check().unwrap_err();
    assert_eq!(err.field, "e_na_mv");
    let err = HodgkinHuxleyParams { tau_inh_ms: 0.0, ..Default::default() }.check().unwrap_err();
    assert_eq!(err.field, "tau_inh_ms");
}

#[test]
fn the_example_network_runs_with_every_population_firing() {
    let mut exp = custom_neuron::build(7).unwrap();
    exp.net.run_ms(200.0).unwrap();
    for s in exp.net.stats() {
        assert!((1.0..150.0).contains(&s.rate_hz), "{}: {} Hz", s.name, s.rate_hz);
    }
    let spikes = exp.net.monitor::<SpikeMonitor>(exp.spikes).unwrap();
    assert!(spikes.count("E_hh") > 0 && spikes.count("qif") > 0);
    let v = exp.net.monitor::<engram::sim::StateMonitor>(exp.voltage).unwrap();
    assert_eq!(v.times_ms().len(), 2000); // every 0.1 ms for 200 ms
    assert!(v.values().iter().all(|v| (-90.0..60.0).contains(v)));
}
