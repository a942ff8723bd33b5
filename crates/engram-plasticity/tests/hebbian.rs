//! Normalised Hebbian E→I plasticity: the Poisson drift closed form and its fixed point
//! (no drift when the input rate equals ρ0), postsynaptic normalisation holding each
//! neuron's total input exactly while the weights move to the most active inputs, soft
//! bounds keeping weights inside the range, the PostRate signal, and normalisation targets
//! taken when a `ModulatorSwitch` first lets the rule learn.

use engram_core::params::Params;
use engram_plasticity::{
    HebbianSignal, ModulatorSwitch, NormaliseSide, NormalisedHebbian, NormalisedHebbianParams, SynapseTable,
    WeightDependence, l1_sums,
};
use engram_testkit::plasticity::{PrePost, drive};
use engram_testkit::spikes::{poisson_steps, rng};
use engram_testkit::stats::mean;

const DT_MS: f64 = 0.1;

/// `n_in` inputs at `rate_hz` onto `n_post` neurons (all to all, weight `w0`), driven for
/// `t_s`; returns the table and the rule.
fn run(
    params: &NormalisedHebbianParams,
    rates_hz: &[f64],
    n_post: usize,
    w0: f64,
    t_s: f64,
    seed: u64,
) -> SynapseTable {
    let n_steps = (t_s * 1000.0 / DT_MS) as u64;
    let mut r = rng(seed);
    let pre: Vec<_> = rates_hz.iter().map(|&rate| poisson_steps(&mut r, rate, DT_MS, n_steps)).collect();
    let post: Vec<Vec<u64>> = vec![Vec::new(); n_post];
    let mut syn = SynapseTable::all_to_all(rates_hz.len(), n_post, w0);
    let mut rule = NormalisedHebbian::new(params.clone().check().unwrap(), rates_hz.len(), n_post);
    drive(&mut rule, &mut syn, &PrePost::new(&pre, &post), DT_MS);
    syn
}

fn no_norm(eta: f64) -> NormalisedHebbianParams {
    NormalisedHebbianParams { eta, w_max: 10.0, normalise_every_ms: None, ..Default::default() }
}

#[test]
fn input_rate_drift_matches_the_closed_form_and_vanishes_at_the_target() {
    let params = no_norm(1e-4);
    let (n_in, t_s, w0) = (100, 50.0, 1.0);
    for (rate, rel_tol) in [(5.0, 0.05), (3.0, 0.06)] {
        let syn = run(&params, &vec![rate; n_in], 4, w0, t_s, rate as u64);
        let got = (mean(&syn.weights) - w0) / t_s;
        // η τ r (r_in − ρ0) with r_in = r (all inputs equal)
        let expected = params.poisson_drift_per_s(rate, rate);
        println!("rate {rate} Hz: drift {got:.4e}/s, closed form {expected:.4e}/s");
        assert!((got - expected).abs() <= rel_tol * expected, "rate {rate}: {got} vs {expected}");
    }
    // fixed point: inputs at ρ0 (1 Hz) → no drift, against the 5 Hz drift scale
    let scale = params.poisson_drift_per_s(5.0, 5.0);
    let syn = run(&params, &vec![1.0; n_in], 4, w0, t_s, 11);
    let got = (mean(&syn.weights) - w0) / t_s;
    assert!(got.abs() < 0.02 * scale, "drift at the target rate {got} (scale {scale})");
    // below the target: depression
    let syn = run(&params, &vec![0.5; n_in], 4, w0, t_s, 12);
    assert!(mean(&syn.weights) < w0);
}

#[test]
fn normalisation_holds_the_total_input_and_moves_weight_to_the_active_inputs() {
    let params =
        NormalisedHebbianParams { eta: 0.05, w_max: 10.0, normalise_every_ms: Some(10.0), ..Default::default() };
    // 20 inputs at 10 Hz (an active assembly) and 80 at 1 Hz onto 5 neurons
    let rates: Vec<f64> = (0..100).map(|k| if k < 20 { 10.0 } else { 1.0 }).collect();
    let syn0 = SynapseTable::all_to_all(100, 5, 0.5);
    let t0 = l1_sums(&syn0.clone().view(), NormaliseSide::Post);
    let mut syn = run(&params, &rates, 5, 0.5, 20.0, 3);
    // the last events may fall after the last normalisation: 2 % tolerance
    let t1 = l1_sums(&syn.view(), NormaliseSide::Post);
    for (a, b) in t0.iter().zip(&t1) {
        assert!((a - b).abs() < 0.02 * a, "total input {b} vs {a}");
    }
    let active = mean(&(0..20).map(|i| syn.weight(i, 0).unwrap()).collect::<Vec<_>>());
    let rest = mean(&(20..100).map(|i| syn.weight(i, 0).unwrap()).collect::<Vec<_>>());
    println!("active {active:.3}, rest {rest:.3}");
    assert!(active > 1.5 * 0.5 && rest < 0.5, "active {active}, rest {rest}");
    // selectivity: share of the input from the active fifth, above its 20 % start
    let share = 20.0 * active / (20.0 * active + 80.0 * rest);
    assert!(share > 0.3, "share {share}");
}

#[test]
fn normalisation_is_exact_at_each_due_step() {
    let params =
        NormalisedHebbianParams { eta: 5e-3, w_max: 10.0, normalise_every_ms: Some(1.0), ..Default::default() };
    let mut rule = NormalisedHebbian::new(params.check().unwrap(), 3, 2);
    let mut syn = SynapseTable::from_triplets(3, 2, &[(0, 0, 0.2), (1, 0, 0.3), (2, 0, 0.5), (1, 1, 1.0), (2, 1, 2.0)]);
    let mut r = rng(5);
    let trains: Vec<_> = (0..3).map(|_| poisson_steps(&mut r, 200.0, DT_MS, 20_000)).collect();
    // drive every step so that each due step is visited
    let events = PrePost::new(&trains, &[vec![], vec![]]);
    let mut by_step = std::collections::BTreeMap::new();
    for (s, pre, _) in &events.events {
        by_step.insert(*s, pre.clone());
    }
    for step in 0..20_000u64 {
        let pre = by_step.get(&step).cloned().unwrap_or_default();
        engram_core::plasticity::PlasticityRule::step(
            &mut rule,
            &engram_core::neuron::StepContext { step, dt_ms: DT_MS },
            &pre,
            &[],
            0.0,
            syn.view(),
        );
        if step % 10 == 0 && step > 0 {
            let sums = l1_sums(&syn.view(), NormaliseSide::Post);
            assert!((sums[0] - 1.0).abs() < 1e-12 && (sums[1] - 3.0).abs() < 1e-12, "step {step}: {sums:?}");
        }
    }
    assert_ne!(syn.weights, vec![0.2, 0.3, 0.5, 1.0, 2.0], "the weights moved");
}

#[test]
fn behind_a_switch_the_targets_are_the_sums_when_learning_starts() {
    // Off for 1000 steps (the switch passes no synapses, only the spikes for the traces),
    // then on: the rule must hold the sums the weights have when it is switched on, not the
    // zero sums of the empty table it saw first.
    use engram_core::neuron::StepContext;
    use engram_core::plasticity::PlasticityRule;
    let params =
        NormalisedHebbianParams { eta: 5e-3, w_max: 10.0, normalise_every_ms: Some(1.0), ..Default::default() };
    let mut rule = ModulatorSwitch::new(NormalisedHebbian::new(params.check().unwrap(), 3, 2), 0.5);
    let mut syn = SynapseTable::from_triplets(3, 2, &[(0, 0, 0.2), (1, 0, 0.3), (2, 0, 0.5), (1, 1, 1.0), (2, 1, 2.0)]);
    for step in 0..3000u64 {
        let modulator = if step < 1000 { 0.0 } else { 1.0 };
        let pre: Vec<u32> = if step % 7 == 0 { vec![(step % 3) as u32] } else { vec![] };
        rule.step(&StepContext { step, dt_ms: DT_MS }, &pre, &[], modulator, syn.view());
        // normalised every 10 steps from the first step switched on (1000)
        if step >= 1010 && step % 10 == 0 {
            let sums = l1_sums(&syn.view(), NormaliseSide::Post);
            assert!((sums[0] - 1.0).abs() < 1e-12 && (sums[1] - 3.0).abs() < 1e-12, "step {step}: sums {sums:?}");
        }
    }
    assert_ne!(syn.weights, vec![0.2, 0.3, 0.5, 1.0, 2.0], "the weights moved");
}

#[test]
fn soft_bounds_keep_weights_inside_the_range_under_strong_drive() {
    let (lo, hi) = (0.0, 1.0);
    let soft = |mu, eta| NormalisedHebbianParams {
        eta,
        w_min: lo,
        w_max: hi,
        weight_dependence: WeightDependence::Multiplicative { mu },
        normalise_every_ms: None,
        ..Default::default()
    };
    // μ = 1: each step moves a fraction of the distance to the bound, so the weights approach
    // the bounds and never reach them
    let syn = run(&soft(1.0, 0.002), &[40.0; 30], 3, 0.5, 5.0, 8);
    assert!(syn.weights.iter().all(|&w| w > 0.5 && w < hi), "{:?}", &syn.weights[..3]);
    let syn = run(&soft(1.0, 5.0), &[0.3; 30], 3, 0.5, 50.0, 9);
    assert!(syn.weights.iter().all(|&w| w > lo && w < 0.5), "{:?}", &syn.weights[..3]);
    // μ < 1 steps can overshoot a bound; the clip keeps them inside
    for (rate, eta) in [(40.0, 0.5), (0.3, 5.0)] {
        let syn = run(&soft(0.5, eta), &[rate; 30], 3, 0.5, 20.0, 10);
        assert!(syn.weights.iter().all(|&w| (lo..=hi).contains(&w)), "{:?}", &syn.weights[..3]);
    }
}

#[test]
fn post_rate_signal_follows_the_postsynaptic_neuron() {
    let params = NormalisedHebbianParams { signal: HebbianSignal::PostRate, ..no_norm(1e-4) };
    let n_steps = (50.0 * 1000.0 / DT_MS) as u64;
    let mut r = rng(21);
    let pre: Vec<_> = (0..100).map(|_| poisson_steps(&mut r, 5.0, DT_MS, n_steps)).collect();
    // post neuron 0 fires at 6 Hz (above ρ0 = 1 Hz), neuron 1 is silent
    let post = vec![poisson_steps(&mut r, 6.0, DT_MS, n_steps), Vec::new()];
    let mut syn = SynapseTable::all_to_all(100, 2, 1.0);
    let mut rule = NormalisedHebbian::new(params.clone().check().unwrap(), 100, 2);
    drive(&mut rule, &mut syn, &PrePost::new(&pre, &post), DT_MS);
    let col = |j| mean(&(0..100).map(|i| syn.weight(i, j).unwrap()).collect::<Vec<_>>());
    let (up, down) = ((col(0) - 1.0) / 50.0, (col(1) - 1.0) / 50.0);
    let (e_up, e_down) = (params.poisson_drift_per_s(5.0, 6.0), params.poisson_drift_per_s(5.0, 0.0));
    assert!((up - e_up).abs() < 0.06 * e_up, "{up} vs {e_up}");
    assert!((down - e_down).abs() < 0.02 * e_down.abs(), "{down} vs {e_down}");
}

#[test]
fn bad_parameters_name_the_field() {
    let bad = NormalisedHebbianParams { normalise_every_ms: Some(0.0), ..Default::default() };
    assert!(bad.check().unwrap_err().to_string().contains("normalise_every_ms"));
    let bad = NormalisedHebbianParams {
        weight_dependence: WeightDependence::Multiplicative { mu: 2.0 },
        ..Default::default()
    };
    assert!(bad.check().unwrap_err().to_string().contains("mu"));
    let bad = NormalisedHebbianParams { tau_ms: -1.0, ..Default::default() };
    assert!(bad.check().unwrap_err().to_string().contains("tau_ms"));
}
