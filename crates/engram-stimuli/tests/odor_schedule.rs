//! OdorSchedule: baseline, latencies, decay, measured mitral-cell rates, trials, determinism.

use engram_core::prelude::*;
use engram_stimuli::odor::{Odor, OdorParams, OdorSetParams, OdorSets};
use engram_stimuli::odor_schedule::{OdorSchedule, OdorTrialParams, Presentation, odor_trials_group};
use engram_stimuli::schedule::RateSchedule;
use engram_stimuli::{PoissonGroup, PoissonMethod};

const DT: f64 = 0.1;

fn clock() -> Clock {
    Clock::new(DT).unwrap()
}

fn odor(seed: u64) -> Odor {
    Odor::random(&OdorParams::default().check().unwrap(), seed, 0)
}

fn trial() -> Checked<OdorTrialParams> {
    OdorTrialParams::default().check().unwrap()
}

/// Rates of the schedule at `step`, as a fresh owner would ask.
fn rates_at(s: &mut OdorSchedule, step: u64) -> (Vec<f64>, Option<u64>) {
    let mut r = vec![0.0; s.n_mitral_cells()];
    let next = s.rates_hz(step, DT, &mut r);
    (r, next)
}

#[test]
fn baseline_before_onset_and_after_offset() {
    let o = odor(1);
    let mut s = OdorSchedule::trials(vec![o.clone()], &[0], &trial(), clock()).unwrap();
    assert_eq!(s.duration_steps(), 30_000);
    for step in [0, 5_000, 9_999] {
        let (r, next) = rates_at(&mut s, step);
        assert!(r.iter().all(|&x| x == 6.0), "step {step}");
        assert_eq!(next, Some(10_000), "baseline announces the onset");
    }
    for step in [30_000, 30_001, 40_000] {
        let (r, next) = rates_at(&mut s, step);
        assert!(r.iter().all(|&x| x == 6.0), "step {step}");
        assert_eq!(next, None);
    }
    // The last odor step still has the odor.
    let (r, next) = rates_at(&mut s, 29_999);
    assert!(r.iter().any(|&x| x != 6.0));
    assert_eq!(next, Some(30_000));
    // Uninvolved MCs never leave baseline.
    let involved: std::collections::HashSet<u32> =
        o.activated().iter().map(|c| c.mitral_cell).chain(o.inhibited().iter().map(|c| c.mitral_cell)).collect();
    let (r, _) = rates_at(&mut s, 15_000);
    for (i, &x) in r.iter().enumerate() {
        if !involved.contains(&(i as u32)) {
            assert_eq!(x, 6.0);
        }
    }
}

#[test]
fn increments_start_at_their_latency_and_decay_with_tau() {
    let o = odor(2);
    let onset = 10_000u64;
    let mut s = OdorSchedule::trials(vec![o.clone()], &[0], &trial(), clock()).unwrap();
    for c in o.activated() {
        let i = c.mitral_cell as usize;
        let lat = (c.latency_ms / DT).round() as u64;
        if lat > 0 {
            assert_eq!(rates_at(&mut s, onset + lat - 1).0[i], 6.0, "{c:?} before its latency");
        }
        assert_eq!(rates_at(&mut s, onset + lat).0[i], 6.0 + c.increment_hz, "{c:?} at its latency");
        // One τ after the latency the increment is Δ/e (the point is on the 1 ms grid).
        let at_tau = onset + lat + (c.tau_decay_ms / DT).round() as u64;
        if at_tau < onset + 20_000 {
            let inc = rates_at(&mut s, at_tau).0[i] - 6.0;
            assert!((inc - c.increment_hz / std::f64::consts::E).abs() < 1e-9, "{c:?}: {inc}");
        }
    }
    for c in o.inhibited() {
        let i = c.mitral_cell as usize;
        let lat = (c.latency_ms / DT).round() as u64;
        if lat > 0 {
            assert_eq!(rates_at(&mut s, onset + lat - 1).0[i], 6.0);
        }
        for step in [onset + lat, onset + 19_999] {
            assert_eq!(rates_at(&mut s, step).0[i], 6.0 - c.decrement_hz, "inhibited, constant");
        }
    }
    // The schedule agrees with the odor's own rates on the 1 ms grid, and asks again within 1 ms.
    let mut expected = vec![0.0; 1500];
    for k in [0u64, 37, 150, 999, 1999] {
        let (r, next) = rates_at(&mut s, onset + 10 * k);
        o.rates_at_hz(k as f64, &mut expected);
        for (a, b) in r.iter().zip(&expected) {
            assert!((a - b).abs() < 1e-9);
        }
        let next = next.unwrap();
        assert!(next > onset + 10 * k && next <= onset + 10 * k + 10);
    }
}

/// Spike counts of a group over steps `from..to`, per source.
fn counts(g: &mut PoissonGroup, from: u64, to: u64) -> Vec<u32> {
    let mut c = vec![0u32; g.len()];
    let mut spikes = Vec::new();
    for step in from..to {
        spikes.clear();
        g.emit(&StepContext { step, dt_ms: DT }, &mut spikes);
        for &i in &spikes {
            c[i as usize] += 1;
        }
    }
    c
}

#[test]
fn measured_activated_rate_over_the_odor_window_is_in_the_reference_band() {
    // 10 learned odors, one 3 s trial each (30 s), as in the paper's odor sets.
    let sets = OdorSets::random(&OdorSetParams::default().check().unwrap(), 17);
    let odors = sets.learned;
    let order: Vec<usize> = (0..10).collect();
    let mut g = odor_trials_group(odors.clone(), &order, &trial(), clock(), 5, 1).unwrap();
    let (mut act_spikes, mut inh_spikes, mut base_spikes, mut expected) = (0u64, 0u64, 0u64, 0.0);
    let mut step = 0;
    for (k, o) in odors.iter().enumerate() {
        let trial_start = k as u64 * 30_000;
        let base = counts(&mut g, step, trial_start + 10_000);
        base_spikes += base.iter().map(|&x| x as u64).sum::<u64>();
        let c = counts(&mut g, trial_start + 10_000, trial_start + 30_000);
        step = trial_start + 30_000;
        act_spikes += o.activated().iter().map(|a| c[a.mitral_cell as usize] as u64).sum::<u64>();
        inh_spikes += o.inhibited().iter().map(|a| c[a.mitral_cell as usize] as u64).sum::<u64>();
        let mean = o.mean_rates_hz(2000.0);
        expected += o.activated().iter().map(|a| mean[a.mitral_cell as usize]).sum::<f64>();
    }
    let act_rate = act_spikes as f64 / (1500.0 * 2.0);
    let expected_rate = expected / 1500.0;
    let inh_rate = inh_spikes as f64 / (750.0 * 2.0);
    let base_rate = base_spikes as f64 / (1500.0 * 10.0);
    println!(
        "activated MCs over the 2 s odor: {act_rate:.2} Hz measured, {expected_rate:.2} Hz expected; \
         inhibited {inh_rate:.2} Hz; baseline {base_rate:.3} Hz"
    );
    // docs/models/dp.md#the-authors-spike-files: 15–19 Hz (shipped files: 18.6 Hz).
    assert!((15.0..=19.0).contains(&act_rate), "activated MC rate {act_rate} Hz");
    // Poisson counting: SD of the mean ≈ sqrt(18 · 3000) / 3000 ≈ 0.08 Hz.
    assert!((act_rate - expected_rate).abs() < 0.3, "{act_rate} vs {expected_rate}");
    // Inhibited: 6 − U{2..6} (mean 4), from their latency on: ≈ 2.2 Hz (files: 2.2–2.3 Hz).
    assert!((1.9..=2.6).contains(&inh_rate), "inhibited MC rate {inh_rate} Hz");
    assert!((base_rate - 6.0).abs() < 0.1, "baseline {base_rate} Hz"); // SD ≈ 0.02 Hz
}

#[test]
fn trials_get_fresh_draws_of_the_same_odor() {
    let o = odor(3);
    let mut s = OdorSchedule::trials(vec![o.clone()], &[0, 0], &trial(), clock()).unwrap();
    // Same rates at the same time of both trials.
    for t in [0u64, 10_000, 10_500, 25_000] {
        assert_eq!(rates_at(&mut s, t).0, rates_at(&mut s, t + 30_000).0);
    }
    let mut g = s.into_poisson_group(PoissonMethod::Auto, 9, 4);
    let mut trains = [Vec::new(), Vec::new()];
    let mut spikes = Vec::new();
    for step in 0..60_000u64 {
        spikes.clear();
        g.emit(&StepContext { step, dt_ms: DT }, &mut spikes);
        let k = (step / 30_000) as usize;
        trains[k].extend(spikes.iter().map(|&i| (step % 30_000, i)));
    }
    assert!(!trains[0].is_empty() && trains[0] != trains[1], "trial 2 must have fresh draws");
    // Both trials respond to the same odor: the activated MCs fire more than baseline in both.
    for train in &trains {
        let in_odor = |&&(t, i): &&(u64, u32)| t >= 10_000 && o.activated().iter().any(|c| c.mitral_cell == i);
        let n = train.iter().filter(in_odor).count() as f64 / (150.0 * 2.0);
        assert!(n > 12.0, "activated MC rate in a trial {n} Hz");
    }
}

#[test]
fn schedules_are_deterministic_and_trials_restart_by_index() {
    let odors = vec![odor(4), odor(5)];
    let make = || odor_trials_group(odors.clone(), &[0, 1], &trial(), clock(), 3, 8).unwrap();
    let run = |g: &mut PoissonGroup, n: u64| {
        let mut out = Vec::new();
        let mut spikes = Vec::new();
        for step in 0..n {
            spikes.clear();
            g.emit(&StepContext { step, dt_ms: DT }, &mut spikes);
            out.extend(spikes.iter().map(|&i| (step, i)));
        }
        out
    };
    let (mut a, mut b) = (make(), make());
    let first = run(&mut a, 60_000);
    assert_eq!(first, run(&mut b, 60_000));
    // start_trial(k): the same spikes for trial k whatever ran before.
    a.start_trial(5);
    let t5 = run(&mut a, 30_000);
    let mut c = make();
    c.start_trial(5);
    assert_eq!(t5, run(&mut c, 30_000));
    assert_ne!(t5, first[..t5.len().min(first.len())].to_vec());
}

#[test]
fn back_to_back_presentations_restart_latencies() {
    let (a, b) = (odor(6), odor(7));
    let ps = [
        Presentation { odor: 0, onset_ms: 0.0, duration_ms: 1000.0 },
        Presentation { odor: 1, onset_ms: 1000.0, duration_ms: 1000.0 },
    ];
    let mut s = OdorSchedule::new(vec![a.clone(), b.clone()], &ps, 1.0, clock()).unwrap();
    let mut expected = vec![0.0; 1500];
    for t_ms in [0u64, 1, 120, 999] {
        b.rates_at_hz(t_ms as f64, &mut expected);
        let (r, _) = rates_at(&mut s, 10_000 + 10 * t_ms);
        assert!(r.iter().zip(&expected).all(|(x, y)| (x - y).abs() < 1e-9), "t = {t_ms} ms into b");
    }
    assert_eq!(rates_at(&mut s, 20_000), (vec![6.0; 1500], None));
}

#[test]
fn schedule_errors_name_the_field() {
    let o = odor(1);
    let p = |odor, onset_ms, duration_ms| Presentation { odor, onset_ms, duration_ms };
    let err = |ps: &[Presentation]| OdorSchedule::new(vec![o.clone()], ps, 1.0, clock()).unwrap_err().field;
    assert_eq!(err(&[p(1, 0.0, 10.0)]), "presentations[0].odor");
    assert_eq!(err(&[p(0, -1.0, 10.0)]), "presentations[0].onset_ms");
    assert_eq!(err(&[p(0, 0.0, 0.0)]), "presentations[0].duration_ms");
    assert_eq!(err(&[p(0, 0.0, 100.0), p(0, 50.0, 100.0)]), "presentations[1].onset_ms");
    assert_eq!(OdorSchedule::new(vec![], &[], 1.0, clock()).unwrap_err().field, "odors");
    assert_eq!(OdorSchedule::new(vec![o.clone()], &[], 0.0, clock()).unwrap_err().field, "update_interval_ms");
    let other = Odor::random(&OdorParams { n_mitral_cells: 500, ..Default::default() }.check().unwrap(), 1, 1);
    assert_eq!(OdorSchedule::new(vec![o.clone(), other], &[], 1.0, clock()).unwrap_err().field, "odors[1]");
    let field = |t: OdorTrialParams| t.check().unwrap_err().field;
    assert_eq!(field(OdorTrialParams { baseline_ms: -1.0, ..Default::default() }), "baseline_ms");
    assert_eq!(field(OdorTrialParams { odor_ms: 0.0, ..Default::default() }), "odor_ms");
    assert_eq!(field(OdorTrialParams { update_interval_ms: f64::NAN, ..Default::default() }), "update_interval_ms");
}

#[test]
fn paper_text_convention_gives_a_lower_activated_rate() {
    // Exact mean rates over the 2 s window, 100 odors (15 000 activated MCs) per convention.
    let mean_activated = |p: OdorParams| {
        let p = p.check().unwrap();
        let mut sum = 0.0;
        for s in 0..100 {
            let o = Odor::random(&p, 77, s);
            let m = o.mean_rates_hz(2000.0);
            sum += o.activated().iter().map(|c| m[c.mitral_cell as usize]).sum::<f64>();
        }
        sum / 15_000.0
    };
    let files = mean_activated(OdorParams::default());
    let text = mean_activated(OdorParams::paper_text());
    println!(
        "mean activated-MC rate over 2 s: increment_on_baseline {files:.2} Hz, rate_replaces_baseline {text:.2} Hz"
    );
    assert!((15.0..=19.0).contains(&files), "{files}");
    // Paper text: "activated MCs go to a mean of 15 Hz"; peak rates U{8..32} average 20 Hz.
    assert!((13.0..=16.0).contains(&text), "{text}");
    assert!(text < files);
}
