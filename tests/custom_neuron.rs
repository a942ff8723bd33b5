//! Tests of `examples/custom_neuron.rs`: the Hodgkin–Huxley `PointNeuron` rests at −65 mV,
//! fires regularly at the classical ≈ 68 Hz under 10 µA/cm², rejects bad parameters, and the
//! example's network runs. Both custom models checkpoint and restore bit-identically with no
//! checkpoint code of their own (the defaults of `NeuronModel`), alone and inside the example's
//! network. The example is included as a module, so these tests check exactly the models the
//! guide (`docs/guide/custom-neuron.md`) walks through.

#[allow(dead_code)]
#[path = "../examples/custom_neuron.rs"]
mod custom_neuron;

use custom_neuron::{HodgkinHuxley, HodgkinHuxleyParams, Qif};
use engram::core::params::Params;
use engram::core::prelude::*;
use engram::integrators::IntegratorKind;
use engram::neurons::PointPopulation;
use engram::sim::SpikeMonitor;
use engram_testkit::neuron::NeuronDrive;

/// Drive `pop` alone for `duration_ms` with a constant current per neuron and no synaptic
/// input; return each neuron's spike times (ms) and the highest potential of each neuron.
fn drive(pop: &mut dyn NeuronModel, current_pa: &[f64], dt_ms: f64, duration_ms: f64) -> (Vec<Vec<f64>>, Vec<f64>) {
    let n = pop.len();
    let mut drive = NeuronDrive::new(pop, dt_ms);
    drive.current_pa.copy_from_slice(current_pa);
    let (mut times, mut v_max) = (vec![Vec::new(); n], vec![f64::MIN; n]);
    for _ in 0..(duration_ms / dt_ms).round() as u64 {
        let t_ms = drive.step as f64 * dt_ms;
        for &i in drive.step(pop) {
            times[i as usize].push(t_ms);
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

/// Drive `pop` for `steps` steps from step `from` with a seeded mix of excitatory input and
/// injected current; the spikes of every step and the final state variables, as bits.
fn drive_noisy(
    pop: &mut dyn NeuronModel,
    from: u64,
    steps: u64,
    w_ns: f64,
    i_pa: f64,
) -> (Vec<Vec<u32>>, Vec<Vec<u64>>) {
    let n = pop.len();
    let n_r = pop.receptors().len();
    let mut all = Vec::new();
    let mut spikes = Vec::with_capacity(n);
    for step in from..from + steps {
        // a cheap deterministic pseudo-random pattern, the same whoever drives the model
        let hash = |i: u64, r: u64| (step.wrapping_mul(2654435761) ^ i.wrapping_mul(40503) ^ r.wrapping_mul(9973)) % 97;
        let receptors: Vec<Vec<f64>> = (0..n_r as u64)
            .map(|r| (0..n as u64).map(|i| if hash(i, r) < 5 && r == 0 { w_ns } else { 0.0 }).collect())
            .collect();
        let current: Vec<f64> = (0..n as u64).map(|i| i_pa * (hash(i, 7) as f64 / 97.0)).collect();
        spikes.clear();
        pop.step(
            &StepContext { step, dt_ms: custom_neuron::DT_MS },
            StepInput { receptors: &receptors, current_pa: &current },
            &mut spikes,
        );
        all.push(spikes.clone());
    }
    let state =
        pop.state_names().iter().map(|&s| pop.state(s).unwrap().iter().map(|x| x.to_bits()).collect()).collect();
    (all, state)
}

/// Run `make()` for 2000 steps, save its state, run 2000 more; a fresh `make()` loaded with the
/// saved state must produce the same spikes and end in the same state, bit for bit.
fn continues_bit_identically(make: &dyn Fn() -> Box<dyn NeuronModel>, w_ns: f64, i_pa: f64) {
    let mut a = make();
    drive_noisy(a.as_mut(), 0, 2000, w_ns, i_pa);
    let saved = a.save_state().unwrap();
    let (spikes_a, state_a) = drive_noisy(a.as_mut(), 2000, 2000, w_ns, i_pa);
    assert!(spikes_a.iter().map(Vec::len).sum::<usize>() > 10, "{}: the test needs spikes", a.kind());
    let mut b = make();
    b.load_state(&saved).unwrap();
    let (spikes_b, state_b) = drive_noisy(b.as_mut(), 2000, 2000, w_ns, i_pa);
    assert_eq!(spikes_a, spikes_b, "{}", a.kind());
    assert_eq!(state_a, state_b, "{}", a.kind());
}

#[test]
fn both_custom_models_checkpoint_with_no_code_of_their_own() {
    // QIF, a `NeuronModel`: its two declared state variables are its whole state.
    let qif = Qif::new(20);
    let saved = qif.save_state().unwrap();
    assert_eq!(saved.kind, "qif");
    assert_eq!(saved.f64s.keys().collect::<Vec<_>>(), ["g_exc_ns", "v_mv"]);
    continues_bit_identically(&|| Box::new(Qif::new(20)), 2.0, 200.0);
    // HH, a `PointNeuron` under `PointPopulation`: the state variables, the synaptic
    // conductances and the (here unused) refractory counters.
    let saved = hh(3, IntegratorKind::Rk4).save_state().unwrap();
    assert_eq!(saved.kind, "point:hodgkin_huxley");
    assert_eq!(saved.f64s.len(), 7);
    assert_eq!(saved.u64_array("refractory_left").unwrap(), [0, 0, 0]);
    continues_bit_identically(&|| Box::new(hh(10, IntegratorKind::Rk4)), 20.0, 1500.0);
    // another size is refused, naming the variable
    let e = Qif::new(3).load_state(&Qif::new(2).save_state().unwrap()).unwrap_err().to_string();
    assert!(e.contains("state of `qif`: `v_mv` has 2 values, expected 3"), "{e}");
}

#[test]
fn the_example_network_restored_from_a_checkpoint_continues_bit_identically() {
    let mut a = custom_neuron::build(5).unwrap();
    a.net.run_ms(40.0).unwrap();
    let checkpoint = a.net.checkpoint().unwrap();
    a.net.run_ms(40.0).unwrap();
    let mut b = custom_neuron::build(5).unwrap();
    b.net.restore(&checkpoint).unwrap();
    b.net.run_ms(40.0).unwrap();
    assert!(a.net.checkpoint().unwrap() == b.net.checkpoint().unwrap(), "the restored run differs");
    let spikes = |e: &custom_neuron::Experiment, pop: &str| e.net.monitor::<SpikeMonitor>(e.spikes).unwrap().count(pop);
    assert!(spikes(&a, "E_hh") > 0 && spikes(&a, "qif") > 0, "the test needs spikes");
}
