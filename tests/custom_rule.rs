//! Tests of `examples/custom_rule.rs`: the BCM rule of the guide (`docs/guide/custom-plasticity.md`)
//! checkpoints and restores bit-identically through the trait's default `save_state` /
//! `load_state` (it only lists its fields with `checkpoint_fields!`), alone and inside the
//! example's network, and its threshold slides with the rate. The example is included as a
//! module, so these tests check exactly the rule the guide walks through.

#[allow(dead_code)]
#[path = "../examples/custom_rule.rs"]
mod custom_rule;

use custom_rule::{Bcm, N_IN, N_OUT};
use engram::core::neuron::StepContext;
use engram::core::plasticity::PlasticityRule;
use engram::plasticity::SynapseTable;
use rand::{Rng, SeedableRng};

/// Random pre and post spikes for `steps` steps (seeded): about 20 Hz per input and 40 Hz per
/// output neuron at dt = 0.1 ms.
fn spike_trains(steps: usize) -> Vec<(Vec<u32>, Vec<u32>)> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    let mut draw = |n: usize, p: f64| (0..n as u32).filter(|_| rng.r#gen::<f64>() < p).collect::<Vec<u32>>();
    (0..steps).map(|_| (draw(N_IN, 0.002), draw(N_OUT, 0.004))).collect()
}

/// Drive `rule` on `syn` with `trains` from step `from`.
fn drive(rule: &mut Bcm, syn: &mut SynapseTable, trains: &[(Vec<u32>, Vec<u32>)], from: u64) {
    for (k, (pre, post)) in trains.iter().enumerate() {
        rule.step(&StepContext { step: from + k as u64, dt_ms: custom_rule::DT_MS }, pre, post, 0.0, syn.view());
    }
}

fn bits(x: &[f64]) -> Vec<u64> {
    x.iter().map(|v| v.to_bits()).collect()
}

#[test]
fn the_rule_checkpoints_and_restores_bit_identically_with_no_code_of_its_own() {
    let trains = spike_trains(6000);
    let mut a = Bcm::new(N_IN, N_OUT);
    let mut syn_a = SynapseTable::all_to_all(N_IN, N_OUT, 0.6);
    drive(&mut a, &mut syn_a, &trains[..3000], 0);
    let saved = a.save_state().unwrap();
    // what the default saved: the three declared fields, by name
    assert_eq!(saved.kind, "bcm");
    let names: Vec<&str> = saved.f64s.keys().map(String::as_str).collect();
    assert_eq!(names, ["rate.dt_factor", "rate.values", "theta_hz", "x_pre.dt_factor", "x_pre.values"], "{saved:?}");
    assert!(saved.u64s.contains_key("x_pre.last_step") && saved.u64s.contains_key("rate.last_step"));

    // a fresh rule with the saved state and a copy of the weights continues bit for bit
    let mut b = Bcm::new(N_IN, N_OUT);
    b.load_state(&saved).unwrap();
    let mut syn_b = syn_a.clone();
    drive(&mut a, &mut syn_a, &trains[3000..], 3000);
    drive(&mut b, &mut syn_b, &trains[3000..], 3000);
    assert_ne!(syn_a.weights, SynapseTable::all_to_all(N_IN, N_OUT, 0.6).weights, "the rule changed no weight");
    assert_eq!(bits(&syn_a.weights), bits(&syn_b.weights));
    assert_eq!(a.save_state().unwrap(), b.save_state().unwrap());
    for j in 0..N_OUT {
        assert_eq!(a.rate_hz(j).to_bits(), b.rate_hz(j).to_bits());
    }
}

#[test]
fn a_bad_state_is_refused_and_leaves_the_rule_unchanged() {
    let trains = spike_trains(500);
    let mut rule = Bcm::new(N_IN, N_OUT);
    let mut syn = SynapseTable::all_to_all(N_IN, N_OUT, 0.6);
    drive(&mut rule, &mut syn, &trains, 0);
    let before = rule.save_state().unwrap();

    let e = Bcm::new(N_IN, N_OUT + 1).load_state(&before).unwrap_err().to_string();
    assert!(e.contains("state of `bcm`: `rate.values` has 10 values, expected 11"), "{e}");
    let mut broken = before.clone();
    broken.f64s.remove("theta_hz");
    let mut fresh = Bcm::new(N_IN, N_OUT);
    let untouched = fresh.save_state().unwrap();
    let e = fresh.load_state(&broken).unwrap_err().to_string();
    assert!(e.contains("state of `bcm`: no array `theta_hz`"), "{e}");
    assert_eq!(fresh.save_state().unwrap(), untouched, "a failed load must change nothing");
    let mut other = before.clone();
    other.kind = "pair_stdp".into();
    let e = fresh.load_state(&other).unwrap_err().to_string();
    assert!(e.contains("a saved `pair_stdp` state cannot be loaded into `bcm`"), "{e}");
}

#[test]
fn the_example_network_restored_from_a_checkpoint_continues_bit_identically() {
    let (mut a, proj) = custom_rule::build(3).unwrap();
    a.run_ms(300.0).unwrap();
    let checkpoint = a.checkpoint().unwrap();
    a.run_ms(300.0).unwrap();

    let (mut b, _) = custom_rule::build(3).unwrap();
    b.restore(&checkpoint).unwrap();
    b.run_ms(300.0).unwrap();
    assert_eq!(bits(a.weights(proj).data()), bits(b.weights(proj).data()));
    assert!(a.checkpoint().unwrap() == b.checkpoint().unwrap(), "the restored run differs");
    let (fresh, _) = custom_rule::build(3).unwrap();
    assert_ne!(bits(a.weights(proj).data()), bits(fresh.weights(proj).data()), "BCM changed no weight");
}

#[test]
fn the_threshold_follows_the_squared_rate() {
    // one output neuron firing regularly at 40 Hz, no input spikes: θ → 40² / 10 = 160 Hz
    let mut rule = Bcm::new(1, 1);
    let mut syn = SynapseTable::all_to_all(1, 1, 0.6);
    for step in 0..50_000u64 {
        let post: &[u32] = if step % 250 == 0 { &[0] } else { &[] };
        rule.step(&StepContext { step, dt_ms: 0.1 }, &[], post, 0.0, syn.view());
    }
    let theta = rule.save_state().unwrap().f64_scalar("theta_hz").unwrap();
    // ⟨ν²⟩ of the filtered spike train is a little above 40² (the estimate fluctuates)
    assert!((theta / 160.0 - 1.0).abs() < 0.05, "theta {theta} Hz");
    assert!((rule.rate_hz(0) - 40.0).abs() < 15.0, "rate estimate {} Hz", rule.rate_hz(0));
    assert_eq!(syn.weights, [0.6], "no presynaptic spike, no weight change");
}
