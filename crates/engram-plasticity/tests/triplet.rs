//! Triplet STDP: BCM behaviour (drift vs post rate crosses zero at the predicted threshold)
//! and the pairing-frequency dependence of a Sjöström-like protocol, against closed forms.

use engram_core::neuron::StepContext;
use engram_core::params::Params;
use engram_core::plasticity::PlasticityRule;
use engram_plasticity::{SynapseTable, TripletStdp, TripletStdpParams};
use engram_testkit::plasticity::{PrePost, drive};
use engram_testkit::spikes::{poisson_steps, rng};
use engram_testkit::stats::mean;

fn drift(p: &TripletStdpParams, rate_pre: f64, rate_post: f64, seed: u64) -> f64 {
    let (n, dt, t_s) = (200usize, 0.1, 50.0);
    let n_steps = (t_s * 1000.0 / dt) as u64;
    let mut r = rng(seed);
    let pre: Vec<_> = (0..n).map(|_| poisson_steps(&mut r, rate_pre, dt, n_steps)).collect();
    let post: Vec<_> = (0..n).map(|_| poisson_steps(&mut r, rate_post, dt, n_steps)).collect();
    let p = TripletStdpParams { w_min: -100.0, w_max: 100.0, ..p.clone() };
    let mut syn = SynapseTable::one_to_one(n, 0.0);
    let mut rule = TripletStdp::new(p.check().unwrap(), n, n);
    drive(&mut rule, &mut syn, &PrePost::new(&pre, &post), dt);
    mean(&syn.weights) / t_s
}

#[test]
fn bcm_like_drift_with_threshold_at_the_predicted_rate() {
    let p = TripletStdpParams::visual_cortex_all_to_all_minimal();
    let theta = p.bcm_threshold_hz();
    println!("predicted BCM threshold {theta:.2} Hz");
    assert!((theta - 19.22).abs() < 0.01, "{theta}");
    let rates = [5.0, 10.0, 15.0, 20.0, 30.0, 40.0];
    let mut measured = Vec::new();
    for (k, &rho) in rates.iter().enumerate() {
        let got = drift(&p, 10.0, rho, 100 + k as u64);
        let expected = p.poisson_drift_per_s(10.0, rho);
        println!("rho_post {rho:>4} Hz: drift {got:+.4e}/s, closed form {expected:+.4e}/s");
        // the drift is a difference of two large terms; compare to their gross size. The
        // discrete-time rule adds a small bias (same-step pairs count as LTP, traces summed on
        // the grid: ~dt/2τ), about 1% of the gross rate at dt = 0.1 ms.
        let gross = 10.0 * rho * (p.a3_plus * 0.0168 * p.tau_y_ms / 1000.0 * rho + p.a2_minus * 0.0337);
        assert!((got - expected).abs() < 0.02 * gross, "{rho} Hz: {got} vs {expected} (gross {gross})");
        assert_eq!(got > 0.0, rho > theta, "sign at {rho} Hz");
        measured.push(got);
    }
    // zero crossing by linear interpolation between 15 and 20 Hz
    let (d15, d20) = (measured[2], measured[3]);
    let crossing = 15.0 + 5.0 * (-d15) / (d20 - d15);
    println!("measured zero crossing {crossing:.2} Hz");
    assert!((crossing - theta).abs() < 1.5, "{crossing}");
}

/// Total Δw of 60 pairings at `freq_hz`, post `delta_ms` after pre (negative: before),
/// simulated and from the rule's closed sums in continuous time (minimal all-to-all model).
fn pairing(p: &TripletStdpParams, freq_hz: f64, delta_ms: f64) -> (f64, f64) {
    let dt = 0.1;
    let period = (1000.0 / freq_hz / dt).round() as u64;
    let delta = (delta_ms / dt).round() as i64;
    let t0 = 1000u64;
    let mut events: Vec<(u64, bool)> = Vec::new();
    for k in 0..60u64 {
        let t_pre = t0 + k * period;
        events.push((t_pre, false));
        events.push(((t_pre as i64 + delta) as u64, true));
    }
    events.sort();
    let mut syn = SynapseTable::one_to_one(1, 0.0);
    let pw = TripletStdpParams { w_min: -10.0, w_max: 10.0, ..p.clone() };
    let mut rule = TripletStdp::new(pw.check().unwrap(), 1, 1);
    for (t, is_post) in &events {
        let (a, b): (&[u32], &[u32]) = if *is_post { (&[], &[0]) } else { (&[0], &[]) };
        rule.step(&StepContext { step: *t, dt_ms: dt }, a, b, 0.0, syn.view());
    }
    // closed sums: pre k at k T, post k at k T + δ
    let (tp, dl) = (period as f64 * dt, delta as f64 * dt);
    let (mut expected, n) = (0.0, 60i64);
    let e = |t: f64, tau: f64| if t >= 0.0 { (-t / tau).exp() } else { 0.0 };
    for k in 0..n {
        let t_post = k as f64 * tp + dl;
        let t_pre = k as f64 * tp;
        // at post k: r1 from all pre at or before it (pre at the same time counts), o2 from earlier posts
        let r1: f64 = (0..n).map(|m| e(t_post - m as f64 * tp, p.tau_plus_ms)).sum();
        let o2: f64 = (0..k).map(|m| e(t_post - (m as f64 * tp + dl), p.tau_y_ms)).sum();
        expected += r1 * (p.a2_plus + p.a3_plus * o2);
        // at pre k: o1 from posts strictly before it
        let o1: f64 = (0..n)
            .filter(|&m| m as f64 * tp + dl < t_pre)
            .map(|m| e(t_pre - (m as f64 * tp + dl), p.tau_minus_ms))
            .sum();
        expected -= o1 * p.a2_minus;
    }
    (syn.weights[0], expected)
}

#[test]
fn pairing_frequency_dependence_sjostrom_like() {
    let p = TripletStdpParams::visual_cortex_all_to_all_minimal();
    let freqs = [0.1, 10.0, 20.0, 40.0, 50.0];
    let mut ltp = Vec::new();
    for &f in &freqs {
        let (pre_post, exp_pp) = pairing(&p, f, 10.0);
        let (post_pre, exp_qp) = pairing(&p, f, -10.0);
        println!(
            "{f:>5} Hz: pre-post(+10 ms) Δw {pre_post:+.4} (closed {exp_pp:+.4}), post-pre(-10 ms) Δw {post_pre:+.4} (closed {exp_qp:+.4})"
        );
        assert!((pre_post - exp_pp).abs() < 1e-9 * (1.0 + exp_pp.abs()));
        assert!((post_pre - exp_qp).abs() < 1e-9 * (1.0 + exp_qp.abs()));
        ltp.push((pre_post, post_pre));
    }
    // LTP of pre-post pairs grows with the pairing frequency
    assert!(ltp.windows(2).all(|w| w[1].0 > w[0].0), "{ltp:?}");
    // post-pre pairs: depression at low frequency, potentiation at 50 Hz (Sjöström et al. 2001)
    assert!(ltp[0].1 < 0.0 && ltp[4].1 > 0.0, "{ltp:?}");
    // at 0.1 Hz pre-post pairs barely change the weight (the minimal model has no pair LTP)
    assert!(ltp[0].0.abs() < 1e-6);
}

/// With the sliding threshold the rate estimate ν̄ follows the postsynaptic rate and the
/// Poisson drift, for independent trains, is
///
/// ```text
/// ⟨dw/dt⟩ = ρ_pre ρ_post A₃⁺ τ₊ τ_y (ρ_post − E[ν̄²]_o₁ / κ),   E[ν̄²]_o₁ = ρ² + 2.5 ρ/τ_hom + 1/τ_hom²
/// ```
///
/// (the o₁-weighted mean of ν̄²: ν̄ fluctuates, variance ρ/2τ_hom, and is correlated with o₁
/// through the same spikes). Potentiation below the target κ, depression above it, whatever
/// the fixed `a2_minus` says.
#[test]
fn sliding_threshold_moves_the_bcm_crossing_to_the_target_rate() {
    use engram_plasticity::SlidingThreshold;
    let (kappa, tau_hom_s) = (3.0, 5.0);
    let p = TripletStdpParams {
        sliding_threshold: Some(SlidingThreshold { tau_ms: tau_hom_s * 1000.0, target_rate_hz: kappa }),
        w_min: -100.0,
        w_max: 100.0,
        ..TripletStdpParams::visual_cortex_all_to_all_minimal()
    };
    let bad = TripletStdpParams {
        sliding_threshold: Some(SlidingThreshold { tau_ms: 0.0, target_rate_hz: 3.0 }),
        ..p.clone()
    };
    assert_eq!(bad.validate().unwrap_err().field, "sliding_threshold.tau_ms");
    let (n, dt, warm_s, t_s, rho_pre) = (400usize, 0.1, 25.0, 50.0, 10.0);
    for (k, rho) in [1.5f64, 6.0].into_iter().enumerate() {
        let n_steps = ((warm_s + t_s) * 1000.0 / dt) as u64;
        let mut r = rng(300 + k as u64);
        let pre: Vec<_> = (0..n).map(|_| poisson_steps(&mut r, rho_pre, dt, n_steps)).collect();
        let post: Vec<_> = (0..n).map(|_| poisson_steps(&mut r, rho, dt, n_steps)).collect();
        let mut syn = SynapseTable::one_to_one(n, 0.0);
        let mut rule = TripletStdp::new(p.clone().check().unwrap(), n, n);
        let warm_step = (warm_s * 1000.0 / dt) as u64;
        let mut w_warm = None;
        for (step, pre, post) in &PrePost::new(&pre, &post).events {
            if *step >= warm_step && w_warm.is_none() {
                w_warm = Some(mean(&syn.weights));
            }
            rule.step(&StepContext { step: *step, dt_ms: dt }, pre, post, 0.0, syn.view());
        }
        let got = (mean(&syn.weights) - w_warm.unwrap()) / t_s;
        let nu2 = rho * rho + 2.5 * rho / tau_hom_s + 1.0 / (tau_hom_s * tau_hom_s);
        let expected = rho_pre * rho * p.a3_plus * 0.0168 * p.tau_y_ms / 1000.0 * (rho - nu2 / kappa);
        println!("rho_post {rho} Hz: drift {got:+.4e}/s, closed form {expected:+.4e}/s");
        assert_eq!(got > 0.0, rho < kappa, "sign at {rho} Hz");
        // a difference of two large terms: compare to their gross size, as above
        let gross = rho_pre * rho * p.a3_plus * 0.0168 * p.tau_y_ms / 1000.0 * (rho + nu2 / kappa);
        assert!((got - expected).abs() < 0.04 * gross, "{rho} Hz: {got} vs {expected} (gross {gross})");
    }
    // the fixed rule (a2_minus = 7.1e-3, θ = 19.2 Hz) depresses at both rates
    let fixed = TripletStdpParams::visual_cortex_all_to_all_minimal();
    assert!(drift(&fixed, 10.0, 6.0, 310) < 0.0 && drift(&fixed, 10.0, 1.5, 311) < 0.0);
}

#[test]
fn sliding_threshold_rate_estimate_starts_at_the_target_and_tracks_the_rate() {
    use engram_plasticity::SlidingThreshold;
    let p = TripletStdpParams {
        sliding_threshold: Some(SlidingThreshold { tau_ms: 500.0, target_rate_hz: 3.0 }),
        ..TripletStdpParams::default()
    };
    let (n, dt) = (50usize, 0.1);
    let mut rule = TripletStdp::new(p.check().unwrap(), n, n);
    assert!(rule.rate_estimates_hz().unwrap().iter().all(|&x| (x - 3.0).abs() < 1e-12));
    let mut r = rng(5);
    let n_steps = (20_000.0 / dt) as u64;
    let pre: Vec<_> = (0..n).map(|_| Vec::new()).collect();
    let post: Vec<_> = (0..n).map(|_| poisson_steps(&mut r, 8.0, dt, n_steps)).collect();
    let mut syn = SynapseTable::one_to_one(n, 0.5);
    drive(&mut rule, &mut syn, &PrePost::new(&pre, &post), dt);
    let nu = mean(&rule.rate_estimates_hz().unwrap());
    assert!((nu - 8.0).abs() < 0.5, "mean rate estimate {nu} Hz");
    rule.reset_traces();
    assert!(rule.rate_estimates_hz().unwrap().iter().all(|&x| (x - 3.0).abs() < 1e-12));
}

/// The hippocampal-culture minimal all-to-all set (Auryn's `MinimalTripletConnection`):
/// pair potentiation moves the zero of the Poisson drift from the BCM threshold to
/// `(A₂⁻τ₋ − A₂⁺τ₊)/(A₃⁺τ₊τ_y)`, and isolated pre-post pairs potentiate.
#[test]
fn hippocampal_minimal_set_has_pair_ltp_and_a_low_rate_threshold() {
    let p = TripletStdpParams::hippocampal_all_to_all_minimal();
    assert_eq!((p.a2_plus, p.a3_plus, p.a2_minus, p.a3_minus, p.tau_y_ms), (5.3e-3, 8e-3, 3.5e-3, 0.0, 40.0));
    assert_eq!((p.tau_plus_ms, p.tau_minus_ms), (16.8, 33.7));
    p.clone().check().unwrap();
    let s = 1e-3;
    let zero = (p.a2_minus * p.tau_minus_ms - p.a2_plus * p.tau_plus_ms) * s
        / (p.a3_plus * p.tau_plus_ms * s * p.tau_y_ms * s);
    println!("drift zero {zero:.2} Hz, BCM threshold without A2+ {:.2} Hz", p.bcm_threshold_hz());
    assert!((zero - 5.38).abs() < 0.01, "{zero}");
    assert!((p.bcm_threshold_hz() - 21.94).abs() < 0.01);
    assert!(p.poisson_drift_per_s(10.0, zero).abs() < 1e-12);
    // simulated drift: depression below the zero, potentiation above it
    for (k, rho) in [2.0, 12.0].into_iter().enumerate() {
        let got = drift(&p, 10.0, rho, 300 + k as u64);
        let expected = p.poisson_drift_per_s(10.0, rho);
        println!("rho_post {rho} Hz: drift {got:+.4e}/s, closed form {expected:+.4e}/s");
        assert_eq!(got > 0.0, rho > zero, "sign at {rho} Hz: {got}");
        let gross = 10.0 * rho * (p.a3_plus * 0.0168 * 0.04 * rho + p.a2_minus * 0.0337 + p.a2_plus * 0.0168);
        assert!((got - expected).abs() < 0.03 * gross, "{rho} Hz: {got} vs {expected} (gross {gross})");
    }
    // 60 isolated pre-post pairs (+10 ms, 0.1 Hz): pair LTP 60 A2+ e^(-10/16.8)
    let (dw, closed) = pairing(&p, 0.1, 10.0);
    assert!((dw - closed).abs() < 1e-9, "{dw} vs {closed}");
    let pair_ltp = 60.0 * p.a2_plus * (-10.0 / p.tau_plus_ms).exp();
    assert!((dw - pair_ltp).abs() < 1e-3 * pair_ltp, "{dw} vs {pair_ltp}");
}
