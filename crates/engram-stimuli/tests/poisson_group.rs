//! PoissonGroup: rates, Fano factor, ISI CV, schedules, determinism, trials.

use engram_core::prelude::*;
use engram_stimuli::{FnSchedule, PoissonGroup, PoissonGroupParams, PoissonMethod, RateSegment, RateSpec};

const DT: f64 = 0.1;

fn clock() -> Clock {
    Clock::new(DT).unwrap()
}

fn group(n: usize, rates: RateSpec, method: PoissonMethod, seed: u64, stream_id: u64) -> PoissonGroup {
    let params = PoissonGroupParams { n_sources: n, rates, method };
    PoissonGroup::new(params.check().unwrap(), seed, stream_id, clock())
}

/// Run steps `from..to`, checking increasing order within each step; returns (step, source).
fn run(g: &mut PoissonGroup, from: u64, to: u64) -> Vec<(u64, u32)> {
    let mut out = Vec::new();
    let mut spikes = Vec::with_capacity(g.len());
    for step in from..to {
        spikes.clear();
        g.emit(&StepContext { step, dt_ms: DT }, &mut spikes);
        assert!(spikes.windows(2).all(|w| w[0] < w[1]), "step {step}: not strictly increasing: {spikes:?}");
        assert!(spikes.iter().all(|&i| (i as usize) < g.len()));
        out.extend(spikes.iter().map(|&i| (step, i)));
    }
    out
}

/// 1000 sources at 10 Hz for 10 s: total count within 3 SD, Fano ≈ 1, ISI CV ≈ 1, mean ISI 100 ms.
fn check_poisson_statistics(method: PoissonMethod) {
    let (n, rate_hz, steps) = (1000usize, 10.0, 100_000u64);
    let mut g = group(n, RateSpec::Constant { rate_hz }, method, 11, 3);
    let spikes = run(&mut g, 0, steps);

    let p = rate_hz * DT * 1e-3;
    let expected_total = n as f64 * steps as f64 * p;
    let sd_total = (n as f64 * steps as f64 * p * (1.0 - p)).sqrt();
    let total = spikes.len() as f64;
    assert!(
        (total - expected_total).abs() < 3.0 * sd_total,
        "{method:?}: total {total}, expected {expected_total} ± {sd_total}"
    );

    let mut counts = vec![0f64; n];
    let mut last = vec![None::<u64>; n];
    let mut isis = Vec::new();
    for &(step, i) in &spikes {
        counts[i as usize] += 1.0;
        if let Some(prev) = last[i as usize] {
            isis.push((step - prev) as f64 * DT);
        }
        last[i as usize] = Some(step);
    }
    let mean = counts.iter().sum::<f64>() / n as f64;
    let var = counts.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0);
    let fano = var / mean;
    // SD of the Fano estimate ≈ sqrt(2 / (n - 1)) ≈ 0.045.
    assert!((fano - 1.0).abs() < 0.15, "{method:?}: Fano factor {fano}");

    let isi_mean = isis.iter().sum::<f64>() / isis.len() as f64;
    let isi_sd = (isis.iter().map(|x| (x - isi_mean).powi(2)).sum::<f64>() / (isis.len() as f64 - 1.0)).sqrt();
    let cv = isi_sd / isi_mean;
    assert!((isi_mean - 100.0).abs() < 2.0, "{method:?}: mean ISI {isi_mean} ms");
    assert!((cv - 1.0).abs() < 0.03, "{method:?}: ISI CV {cv}");
}

#[test]
fn next_spike_method_is_poisson() {
    check_poisson_statistics(PoissonMethod::NextSpike);
}

#[test]
fn bernoulli_method_is_poisson() {
    check_poisson_statistics(PoissonMethod::Bernoulli);
}

#[test]
fn auto_picks_next_spike_for_low_rates_and_bernoulli_for_high() {
    let g = group(10, RateSpec::Constant { rate_hz: 10.0 }, PoissonMethod::Auto, 1, 1);
    assert_eq!(g.method_in_use(), PoissonMethod::NextSpike);
    let g = group(10, RateSpec::Constant { rate_hz: 1000.0 }, PoissonMethod::Auto, 1, 1);
    assert_eq!(g.method_in_use(), PoissonMethod::Bernoulli);
}

#[test]
fn piecewise_changes_take_effect_at_the_exact_step() {
    // p = 1 at 10 kHz and dt = 0.1 ms: a source then spikes in every step, so the change is visible exactly.
    let rates = RateSpec::Piecewise {
        segments: vec![
            RateSegment { start_ms: 0.0, rates_hz: vec![0.0] },
            RateSegment { start_ms: 100.0, rates_hz: vec![0.0, 10_000.0, 0.0, 10_000.0] },
            RateSegment { start_ms: 200.0, rates_hz: vec![0.0] },
        ],
    };
    for method in [PoissonMethod::NextSpike, PoissonMethod::Bernoulli, PoissonMethod::Auto] {
        let mut g = group(4, rates.clone(), method, 5, 5);
        let spikes = run(&mut g, 0, 3000);
        let expected: Vec<(u64, u32)> = (1000..2000).flat_map(|s| [(s, 1), (s, 3)]).collect();
        assert_eq!(spikes, expected, "{method:?}");
    }
}

#[test]
fn rate_changes_give_the_new_rate_with_method_switching() {
    // 2000 sources: 5 Hz for 0.5 s, 1000 Hz (p = 0.1, Auto → Bernoulli) for 0.1 s, 50 Hz (→ NextSpike) for 0.5 s.
    let rates = RateSpec::Piecewise {
        segments: vec![
            RateSegment { start_ms: 0.0, rates_hz: vec![5.0] },
            RateSegment { start_ms: 500.0, rates_hz: vec![1000.0] },
            RateSegment { start_ms: 600.0, rates_hz: vec![50.0] },
        ],
    };
    let n = 2000usize;
    let mut g = group(n, rates, PoissonMethod::Auto, 9, 9);
    let windows = [
        (0u64, 5000u64, 5.0, PoissonMethod::NextSpike),
        (5000, 6000, 1000.0, PoissonMethod::Bernoulli),
        (6000, 11000, 50.0, PoissonMethod::NextSpike),
    ];
    for (from, to, rate_hz, method) in windows {
        let count = run(&mut g, from, to).len() as f64;
        assert_eq!(g.method_in_use(), method, "window from step {from}");
        let p = rate_hz * DT * 1e-3;
        let trials = n as f64 * (to - from) as f64;
        let (mean, sd) = (trials * p, (trials * p * (1.0 - p)).sqrt());
        assert!((count - mean).abs() < 4.0 * sd, "window {from}..{to}: {count} spikes, expected {mean} ± {sd}");
    }
}

#[test]
fn decaying_schedule_changing_half_the_sources_every_ms() {
    // Odor-like: odd sources at 6 + 20·exp(-t/200 ms), updated every 1 ms; even sources stay at 6 Hz.
    // Exercises the incremental redraw (only changed sources) and heap compaction.
    let n = 2000usize;
    let schedule = FnSchedule::new(|step: u64, dt_ms: f64, out: &mut [f64]| {
        let t_ms = (step as f64 * dt_ms).round();
        for (i, r) in out.iter_mut().enumerate() {
            *r = if i % 2 == 1 { 6.0 + 20.0 * (-t_ms / 200.0).exp() } else { 6.0 };
        }
        Some(step + 10)
    });
    let mut g = PoissonGroup::with_schedule(n, Box::new(schedule), PoissonMethod::NextSpike, 3, 4, clock());
    let spikes = run(&mut g, 0, 10_000); // 1 s
    let odd = spikes.iter().filter(|&&(_, i)| i % 2 == 1).count() as f64;
    let even = spikes.len() as f64 - odd;
    // Expected spikes per source: sum over 1-ms blocks of rate · 1 ms.
    let per_odd: f64 = (0..1000).map(|k| (6.0 + 20.0 * (-(k as f64) / 200.0).exp()) * 1e-3).sum();
    let per_even = 6.0;
    for (count, per) in [(odd, per_odd), (even, per_even)] {
        let mean = per * (n / 2) as f64;
        assert!((count - mean).abs() < 4.0 * mean.sqrt(), "{count} spikes, expected {mean}");
    }
    // The decay shows: odd sources fire more in the first 100 ms than in the last 100 ms.
    let early = spikes.iter().filter(|&&(s, i)| i % 2 == 1 && s < 1000).count();
    let late = spikes.iter().filter(|&&(s, i)| i % 2 == 1 && s >= 9000).count();
    assert!(early > 2 * late, "early {early}, late {late}");
}

#[test]
fn same_seed_same_spikes_other_stream_or_seed_differs() {
    for method in [PoissonMethod::NextSpike, PoissonMethod::Bernoulli] {
        let spec = RateSpec::Constant { rate_hz: 20.0 };
        let a = run(&mut group(300, spec.clone(), method, 42, 1), 0, 5000);
        let b = run(&mut group(300, spec.clone(), method, 42, 1), 0, 5000);
        let c = run(&mut group(300, spec.clone(), method, 42, 2), 0, 5000);
        let d = run(&mut group(300, spec.clone(), method, 43, 1), 0, 5000);
        assert!(!a.is_empty());
        assert_eq!(a, b, "{method:?}");
        assert_ne!(a, c, "{method:?}");
        assert_ne!(a, d, "{method:?}");
    }
}

#[test]
fn trials_reset_and_reseed() {
    let spec = RateSpec::Constant { rate_hz: 20.0 };
    let mut g = group(200, spec.clone(), PoissonMethod::Auto, 7, 7);
    let trial0 = run(&mut g, 0, 3000);
    // reset: rewinds, keeps the stream running → fresh draws.
    g.reset();
    let fresh = run(&mut g, 0, 3000);
    assert_ne!(trial0, fresh);
    // start_trial(k) is reproducible whichever trials ran before.
    g.start_trial(5);
    let t5 = run(&mut g, 0, 3000);
    let mut other = group(200, spec.clone(), PoissonMethod::Auto, 7, 7);
    other.start_trial(5);
    assert_eq!(run(&mut other, 0, 3000), t5);
    assert_ne!(t5, trial0);
    // reseed(seed) equals a new group with that seed; trial 0 of the original seed replays.
    g.reseed(99);
    assert_eq!(run(&mut g, 0, 3000), run(&mut group(200, spec.clone(), PoissonMethod::Auto, 99, 7), 0, 3000));
    g.reseed(7);
    assert_eq!(run(&mut g, 0, 3000), trial0);
}

#[test]
fn starting_at_a_later_step_uses_the_rates_of_that_step() {
    let rates = RateSpec::Piecewise {
        segments: vec![
            RateSegment { start_ms: 0.0, rates_hz: vec![0.0] },
            RateSegment { start_ms: 50.0, rates_hz: vec![10_000.0] },
        ],
    };
    let mut g = group(3, rates, PoissonMethod::Auto, 1, 1);
    let spikes = run(&mut g, 700, 702);
    assert_eq!(spikes, vec![(700, 0), (700, 1), (700, 2), (701, 0), (701, 1), (701, 2)]);
    assert_eq!(g.rates_hz(), &[10_000.0; 3]);
}

#[test]
fn zero_rate_never_spikes_and_per_source_rates_apply() {
    let rates = RateSpec::PerSource { rates_hz: vec![0.0, 100.0, 0.0, 400.0] };
    let mut g = group(4, rates, PoissonMethod::NextSpike, 2, 2);
    let spikes = run(&mut g, 0, 100_000); // 10 s
    let count = |k: u32| spikes.iter().filter(|&&(_, i)| i == k).count() as f64;
    assert_eq!(count(0), 0.0);
    assert_eq!(count(2), 0.0);
    assert!((count(1) - 1000.0).abs() < 4.0 * 1000f64.sqrt(), "{}", count(1));
    assert!((count(3) - 4000.0).abs() < 4.0 * 4000f64.sqrt(), "{}", count(3));
}
