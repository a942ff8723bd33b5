//! PoissonInput: mean and variance of the input per step, targets, time-varying rate, determinism.

use engram_core::prelude::*;
use engram_stimuli::{PoissonInput, PoissonInputParams, RateSegment, RateSpec, Targets};

const DT: f64 = 0.1;

fn input(n_inputs: u32, rate: RateSpec, weight: f64, targets: Targets, n: usize, seed: u64, id: u64) -> PoissonInput {
    let params = PoissonInputParams { receptor: "ob".into(), n_inputs, rate, weight, targets };
    PoissonInput::new(params.check().unwrap(), n, seed, id, Clock::new(DT).unwrap()).unwrap()
}

/// Per-step input of every neuron, for steps `from..to` (buffers zeroed each step).
fn run(inp: &mut PoissonInput, n: usize, from: u64, to: u64) -> Vec<Vec<f64>> {
    let mut g = vec![0.0; n];
    let mut i_pa = vec![0.0; n];
    (from..to)
        .map(|step| {
            g.fill(0.0);
            inp.apply(
                &StepContext { step, dt_ms: DT },
                StimulusTarget { receptor: Some(&mut g), current_pa: &mut i_pa, first_neuron: 0 },
            );
            assert!(i_pa.iter().all(|&x| x == 0.0), "PoissonInput must not inject current");
            g.clone()
        })
        .collect()
}

/// Mean per step = n·p·w and variance = n·p·(1-p)·w² (binomial), each within tolerance.
fn check_moments(n_inputs: u32, rate_hz: f64, weight: f64) {
    let (n, steps) = (200usize, 10_000u64);
    let mut inp = input(n_inputs, RateSpec::Constant { rate_hz }, weight, Targets::All, n, 4, 4);
    assert_eq!(inp.receptor(), Some("ob"));
    let per_step = run(&mut inp, n, 0, steps);
    let values: Vec<f64> = per_step.into_iter().flatten().collect();
    let m = values.len() as f64;
    let p = rate_hz * DT * 1e-3;
    let expected_mean = n_inputs as f64 * p * weight;
    let expected_var = n_inputs as f64 * p * (1.0 - p) * weight * weight;
    let mean = values.iter().sum::<f64>() / m;
    let var = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (m - 1.0);
    let sd_of_mean = (expected_var / m).sqrt();
    assert!(
        (mean - expected_mean).abs() < 4.0 * sd_of_mean,
        "n={n_inputs} r={rate_hz}: mean {mean}, expected {expected_mean} ± {sd_of_mean}"
    );
    assert!(
        (var / expected_var - 1.0).abs() < 0.02,
        "n={n_inputs} r={rate_hz}: variance {var}, expected {expected_var}"
    );
    // Every value is a whole number of input spikes, and P(k = 0), P(k = 1) match the binomial.
    assert!(values.iter().all(|v| ((v / weight) - (v / weight).round()).abs() < 1e-9));
    let nf = n_inputs as f64;
    for (k, pmf) in [(0.0, (1.0 - p).powf(nf)), (1.0, nf * p * (1.0 - p).powf(nf - 1.0))] {
        let freq = values.iter().filter(|&&v| (v / weight - k).abs() < 0.5).count() as f64 / m;
        let sd = (pmf * (1.0 - pmf) / m).sqrt();
        assert!((freq - pmf).abs() < 4.0 * sd + 1e-12, "n={n_inputs} r={rate_hz}: P(k={k}) = {freq}, expected {pmf}");
    }
}

#[test]
fn mean_input_per_step_is_n_r_dt_w_small_mean() {
    // n·p = 1: table sampler.
    check_moments(1000, 10.0, 0.5);
}

#[test]
fn mean_input_per_step_is_n_r_dt_w_sparse() {
    // n·p = 0.1: most neurons get nothing; geometric skips over targets.
    check_moments(100, 10.0, 0.7);
}

#[test]
fn mean_input_per_step_is_n_r_dt_w_large_mean() {
    // n·p = 100: rand_distr::Binomial.
    check_moments(10_000, 100.0, 0.02);
}

#[test]
fn only_targets_receive_input() {
    // n·p = 1 (a draw per target) and n·p = 0.05 (skipping over targets).
    for (n_inputs, steps) in [(500, 2000), (25, 40_000)] {
        check_targets(n_inputs, steps);
    }
}

/// 20 Hz inputs onto neurons 2, 5, 7 of 10; expected total per target: 2000 spikes.
fn check_targets(n_inputs: u32, steps: u64) {
    let targets = Targets::Indices(vec![7, 2, 5]);
    let mut inp = input(n_inputs, RateSpec::Constant { rate_hz: 20.0 }, 1.0, targets, 10, 1, 1);
    let per_step = run(&mut inp, 10, 0, steps);
    let mut totals = [0.0; 10];
    for g in &per_step {
        for (t, x) in totals.iter_mut().zip(g) {
            *t += x;
        }
    }
    for (i, &t) in totals.iter().enumerate() {
        if [2, 5, 7].contains(&i) {
            // expected steps × n_inputs × 0.002 = 2000
            assert!((t - 2000.0).abs() < 4.0 * 2000f64.sqrt(), "neuron {i}: {t}");
        } else {
            assert_eq!(t, 0.0, "neuron {i} is not a target");
        }
    }
}

#[test]
fn time_varying_rate_switches_at_the_right_step() {
    let rate = RateSpec::Piecewise {
        segments: vec![
            RateSegment { start_ms: 0.0, rates_hz: vec![0.0] },
            RateSegment { start_ms: 50.0, rates_hz: vec![10_000.0] },
        ],
    };
    // p = 1 from step 500: every input spikes every step, so each neuron gets n_inputs·w exactly.
    let mut inp = input(3, rate, 0.25, Targets::All, 4, 1, 1);
    let per_step = run(&mut inp, 4, 0, 1000);
    for (step, g) in per_step.iter().enumerate() {
        let expected = if step < 500 { 0.0 } else { 0.75 };
        assert!(g.iter().all(|&x| x == expected), "step {step}: {g:?}");
    }
    assert_eq!(inp.rate_hz(), 10_000.0);
}

#[test]
fn deterministic_per_seed_and_stream() {
    let spec = RateSpec::Constant { rate_hz: 10.0 };
    let a = run(&mut input(100, spec.clone(), 1.0, Targets::All, 20, 5, 1), 20, 0, 3000);
    let b = run(&mut input(100, spec.clone(), 1.0, Targets::All, 20, 5, 1), 20, 0, 3000);
    let c = run(&mut input(100, spec.clone(), 1.0, Targets::All, 20, 5, 2), 20, 0, 3000);
    assert_eq!(a, b);
    assert_ne!(a, c);
    let mut inp = input(100, spec.clone(), 1.0, Targets::All, 20, 5, 1);
    let first = run(&mut inp, 20, 0, 3000);
    inp.reset();
    assert_ne!(run(&mut inp, 20, 0, 3000), first, "reset continues the stream: fresh draws");
    inp.reseed(5);
    assert_eq!(run(&mut inp, 20, 0, 3000), first, "reseed restarts the stream");
}

#[test]
fn adds_to_what_is_already_in_the_buffer() {
    let mut inp = input(1, RateSpec::Constant { rate_hz: 10_000.0 }, 2.0, Targets::All, 2, 1, 1);
    let mut g = vec![1.0, 3.0];
    inp.apply(
        &StepContext { step: 0, dt_ms: DT },
        StimulusTarget { receptor: Some(&mut g), current_pa: &mut [0.0; 2], first_neuron: 0 },
    );
    assert_eq!(g, vec![3.0, 5.0]);
}

/// A rate so small that P(no input) rounds to 1 in double precision: nothing arrives, and
/// nothing panics (the skip sampler once ran past the last target here).
#[test]
fn a_vanishing_rate_delivers_nothing_without_panicking() {
    let n = 200;
    for rate_hz in [1e-15, 1e-300, f64::MIN_POSITIVE] {
        let mut inp = input(3, RateSpec::Constant { rate_hz }, 1.0, Targets::All, n, 5, 5);
        let per_step = run(&mut inp, n, 0, 100);
        assert!(per_step.iter().flatten().all(|&g| g == 0.0), "rate {rate_hz} Hz");
    }
}
