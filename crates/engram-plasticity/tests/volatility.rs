//! The night steps of slow synaptic volatility against their closed forms: stationary law,
//! one-night step, day-to-day correlation ρ^k, the Kesten moments, common random numbers,
//! structural turnover (in-degrees kept, survival (1 − q)^k, new weights from the stationary
//! law), and parameter errors.

use engram_core::config::from_ron_str;
use engram_core::params::Params;
use engram_core::rng::{RngStream, component_id, stream};
use engram_plasticity::volatility::{
    Kesten, KestenParams, LogNormalOu, LogNormalOuParams, LogWeightStats, NightStep, Turnover, TurnoverParams,
    Volatility, log_weight_correlation,
};
use rand::Rng;
use sprs::CsMatI;
use std::collections::HashSet;

const N: usize = 40_000;

fn night(seed: u64, day: u64) -> RngStream {
    stream(seed, component_id("E->E night"), day)
}

fn ou(tau_days: f64, log_sd: f64, mean_weight: f64) -> LogNormalOu {
    let p = LogNormalOuParams { tau_days, log_sd, ..Default::default() };
    LogNormalOu::new(p.check().unwrap(), mean_weight).unwrap()
}

/// Weights drawn from the step's stationary law.
fn stationary(step: &dyn NightStep, seed: u64) -> Vec<f64> {
    let mut rng = stream(seed, component_id("init"), 0);
    (0..N).map(|_| step.draw_stationary(&mut rng)).collect()
}

#[test]
fn log_normal_ou_keeps_its_stationary_law_and_the_class_mean() {
    let step = ou(10.0, 0.8, 2.5);
    let mut w = stationary(&step, 1);
    for day in 0..30 {
        step.apply(&mut w, &mut night(1, day));
    }
    let s = LogWeightStats::of(&w);
    // ln(w / 2.5) ~ N(−σ²/2, σ²): E[w] = 2.5; standard errors ≈ 0.01 (mean), 0.003 (log-SD)
    assert!((s.mean - 2.5).abs() < 0.05, "mean {}", s.mean);
    assert!((s.log_mean - (2.5f64.ln() - 0.32)).abs() < 0.02, "log mean {}", s.log_mean);
    assert!((s.log_sd - 0.8).abs() < 0.015, "log SD {}", s.log_sd);
    assert!(s.log_skewness.abs() < 0.05, "skewness {}", s.log_skewness);
    assert_eq!(s.fraction_zero, 0.0);
}

#[test]
fn one_night_from_equal_weights_is_one_log_step() {
    let step = ou(10.0, 0.8, 1.0);
    let mut w = vec![1.0; N];
    step.apply(&mut w, &mut night(2, 0));
    let s = LogWeightStats::of(&w);
    // x = 0 → μ(1 − ρ) + σ√(1 − ρ²)·ξ
    let rho = (-0.1f64).exp();
    assert!((step.rho() - rho).abs() < 1e-15);
    assert!((step.step_sd() - 0.8 * (1.0 - rho * rho).sqrt()).abs() < 1e-15);
    assert!((s.log_mean - (-0.32 * (1.0 - rho))).abs() < 0.005, "log mean {}", s.log_mean);
    assert!((s.log_sd - step.step_sd()).abs() < 0.005, "log SD {} vs {}", s.log_sd, step.step_sd());
}

#[test]
fn log_weights_decorrelate_as_rho_to_the_lag() {
    for tau in [5.0, 20.0] {
        let step = ou(tau, 0.8, 1.0);
        let day0 = stationary(&step, 3);
        let mut w = day0.clone();
        for day in 1..=8u64 {
            step.apply(&mut w, &mut night(3, day));
            if day == 1 || day == 4 || day == 8 {
                let r = log_weight_correlation(&day0, &w);
                let expected = (-(day as f64) / tau).exp();
                // SE of r ≈ (1 − r²)/√N < 0.005
                assert!((r - expected).abs() < 0.02, "τ {tau}, lag {day}: r {r} vs ρ^k {expected}");
            }
        }
    }
}

#[test]
fn the_same_seed_class_and_day_give_the_same_night() {
    let step = ou(10.0, 0.8, 1.0);
    let (mut a, mut b, mut c) = (vec![1.0; 100], vec![1.0; 100], vec![1.0; 100]);
    step.apply(&mut a, &mut night(4, 7));
    step.apply(&mut b, &mut night(4, 7));
    step.apply(&mut c, &mut night(4, 8));
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn weights_stay_in_bounds_and_a_zero_weight_comes_back() {
    let p = LogNormalOuParams { log_sd: 3.0, min_ratio: 0.01, max_ratio: 5.0, ..Default::default() };
    let step = LogNormalOu::new(p.check().unwrap(), 2.0).unwrap();
    let mut w = vec![0.0, -1.0, 1e9, 2.0];
    for day in 0..20 {
        step.apply(&mut w, &mut night(5, day));
        assert!(w.iter().all(|&x| (0.02..=10.0).contains(&x)), "{w:?}");
    }
}

#[test]
fn kesten_has_its_closed_form_mean_and_sd() {
    let p = KestenParams { tau_days: 5.0, a_log_sd: 0.15, b_sd_ratio: 0.02, ..Default::default() };
    let step = Kesten::new(p.check().unwrap(), 3.0).unwrap();
    let a = (-0.2f64).exp();
    assert!((step.a_mean() - a).abs() < 1e-15);
    // second moment (2ā·b̄·m + b̄² + s_b²) / (1 − ā²e^(s_a²)), by hand
    let (m, b, s_b) = (3.0, 3.0 * (1.0 - a), 0.06);
    let second = (2.0 * a * b * m + b * b + s_b * s_b) / (1.0 - a * a * (0.15f64 * 0.15).exp());
    let sd = (second - m * m).sqrt();
    assert!((step.stationary_sd() - sd).abs() < 1e-12);
    let mut w = vec![3.0; N];
    for day in 0..60 {
        step.apply(&mut w, &mut night(6, day));
    }
    let mean = w.iter().sum::<f64>() / N as f64;
    let measured_sd = (w.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / N as f64).sqrt();
    assert!((mean - 3.0).abs() < 0.02, "mean {mean}");
    assert!((measured_sd / sd - 1.0).abs() < 0.03, "SD {measured_sd} vs closed form {sd}");
}

#[test]
fn parameters_out_of_range_name_the_field() {
    let e = KestenParams { tau_days: 1.0, a_log_sd: 2.0, ..Default::default() }.check().unwrap_err();
    assert_eq!(e.field, "a_log_sd");
    assert!(e.to_string().contains("E[a²]"), "{e}");
    let e = LogNormalOuParams { tau_days: 0.0, ..Default::default() }.check().unwrap_err();
    assert_eq!(e.field, "tau_days");
    let e = LogNormalOuParams { min_ratio: 2.0, ..Default::default() }.check().unwrap_err();
    assert_eq!(e.field, "min_ratio");
    let e = LogNormalOu::new(LogNormalOuParams::default().check().unwrap(), 0.0).unwrap_err();
    assert_eq!(e.field, "mean_weight");
}

#[test]
fn a_volatility_is_read_from_ron_and_refuses_unknown_fields() {
    // the project's RON dialect (engram_core::config): newtype variants written with their fields
    let v: Volatility = from_ron_str("LogNormalOu(tau_days: 20.0)", "night.ron").unwrap();
    let step = v.build(1.0).unwrap();
    assert!((step.mean_weight() - 1.0).abs() < 1e-15);
    assert_eq!(v, Volatility::LogNormalOu(LogNormalOuParams { tau_days: 20.0, ..Default::default() }));
    let e = from_ron_str::<Volatility>("Kesten(tau: 20.0)", "night.ron").unwrap_err().to_string();
    assert!(e.starts_with("night.ron:1:") && e.contains("`tau`"), "{e}");
    assert_eq!(
        Volatility::Kesten(KestenParams { tau_days: -1.0, ..Default::default() }).build(1.0).err().unwrap().field,
        "tau_days"
    );
}

/// A random `n_pre × n_post` matrix with `k` synapses onto every target (distinct
/// presynaptic neurons, no autapses when square), all of weight `w`.
fn fixed_in_degree(n_pre: usize, n_post: usize, k: usize, w: f64, seed: u64) -> CsMatI<f64, u32, usize> {
    let mut rng = stream(seed, component_id("matrix"), 0);
    let mut tri = sprs::TriMatI::<f64, u32>::new((n_pre, n_post));
    for post in 0..n_post {
        let mut chosen = HashSet::new();
        while chosen.len() < k {
            let pre = rng.gen_range(0..n_pre);
            if !(n_pre == n_post && pre == post) && chosen.insert(pre) {
                tri.add_triplet(pre, post, w);
            }
        }
    }
    tri.to_csr()
}

fn in_degrees(w: &CsMatI<f64, u32, usize>) -> Vec<usize> {
    let mut d = vec![0; w.cols()];
    for &post in w.indices() {
        d[post as usize] += 1;
    }
    d
}

fn pairs(w: &CsMatI<f64, u32, usize>) -> HashSet<(usize, usize)> {
    w.outer_iterator()
        .enumerate()
        .flat_map(|(pre, row)| row.indices().iter().map(move |&j| (pre, j as usize)).collect::<Vec<_>>())
        .collect()
}

fn turnover(p_per_day: f64, no_autapses: bool) -> Turnover {
    Turnover::new(TurnoverParams { p_per_day, days_per_night: 1.0, no_autapses }.check().unwrap())
}

#[test]
fn turnover_keeps_every_in_degree_and_makes_no_duplicates_or_autapses() {
    let w0 = fixed_in_degree(300, 300, 15, 0.2, 3);
    let law = ou(10.0, 0.8, 0.2);
    let step = turnover(0.3, true);
    let mut w = w0.clone();
    for day in 0..10 {
        let (next, replaced) = step.apply(&w, &law, &mut night(3, day));
        assert!(replaced > 0);
        w = next;
        assert_eq!(in_degrees(&w), in_degrees(&w0), "night {day}: in-degrees changed");
        // CsMatI::new checked sorted, unique indices per row; no autapse either
        assert!(pairs(&w).iter().all(|&(i, j)| i != j), "night {day}: an autapse");
        assert_eq!(pairs(&w).len(), w.nnz(), "night {day}: a duplicate synapse");
    }
    // the presynaptic side moved: out-degrees now differ from the start's
    assert_ne!(w.indptr().raw_storage(), w0.indptr().raw_storage());
}

#[test]
fn a_synapse_survives_k_nights_with_probability_one_minus_q_to_the_k() {
    // 2 % per day over 4 days a night: q = 1 − 0.98⁴ = 0.0776; 40 000 synapses
    let w0 = fixed_in_degree(2000, 1000, 40, 0.5, 4);
    let law = ou(10.0, 0.5, 0.5);
    let step =
        Turnover::new(TurnoverParams { p_per_day: 0.02, days_per_night: 4.0, no_autapses: false }.check().unwrap());
    let q = 1.0 - 0.98f64.powf(4.0);
    assert!((step.p_per_night() - q).abs() < 1e-12);
    let start = pairs(&w0);
    let mut w = w0;
    for k in 1..=8u64 {
        let (next, replaced) = step.apply(&w, &law, &mut night(4, k));
        // replaced ~ Binomial(40 000, q): SD ≈ 53
        assert!((replaced as f64 - 40_000.0 * q).abs() < 300.0, "night {k}: {replaced} replaced");
        w = next;
        let survived = pairs(&w).intersection(&start).count() as f64 / 40_000.0;
        // a deleted synapse comes back with probability ≈ 1/2000 per replacement: negligible
        let expected = (1.0 - q).powi(k as i32);
        assert!((survived - expected).abs() < 0.01, "night {k}: survival {survived} against {expected}");
    }
}

#[test]
fn new_synapses_take_their_weights_from_the_stationary_law() {
    // everything replaced in one night (p = 1): weights log-normal, log mean ln w̄ − σ²/2, log-SD σ
    let w0 = fixed_in_degree(1000, 1000, 30, 1.0, 5);
    let law = ou(10.0, 0.6, 0.4);
    let (w, replaced) = turnover(1.0, false).apply(&w0, &law, &mut night(5, 0));
    assert_eq!(replaced, 30_000);
    // an old synapse comes back only when a later replacement of the same target draws it: the
    // k-th replacement (k = 0…29) picks one of the k already deleted among 970 free neurons,
    // Σ k/970 = 0.45 per target, 448 of 30 000 (SD ≈ 21)
    let back = pairs(&w).intersection(&pairs(&w0)).count();
    assert!((350..550).contains(&back), "{back} old synapses made again");
    let s = LogWeightStats::of(w.data());
    assert!((s.log_mean - (0.4f64.ln() - 0.18)).abs() < 0.02, "log mean {}", s.log_mean);
    assert!((s.log_sd - 0.6).abs() < 0.015, "log SD {}", s.log_sd);
    // the new presynaptic neurons are uniform: every one of 1000 gets about 30 (SD ≈ 5.5)
    let out: Vec<usize> = w.outer_iterator().map(|r| r.nnz()).collect();
    assert!(out.iter().all(|&d| (5..=65).contains(&d)), "out-degrees {:?}", (out.iter().min(), out.iter().max()));
}

#[test]
fn turnover_is_a_function_of_the_matrix_and_the_stream() {
    let w0 = fixed_in_degree(400, 200, 20, 0.3, 6);
    let law = ou(10.0, 0.8, 0.3);
    let step = turnover(0.1, false);
    let (a, _) = step.apply(&w0, &law, &mut night(6, 2));
    let (b, _) = step.apply(&w0, &law, &mut night(6, 2));
    let (c, _) = step.apply(&w0, &law, &mut night(6, 3));
    assert_eq!(a, b);
    assert_ne!(a, c);
    // p = 0 changes nothing; a full target (connected to every allowed neuron) keeps its synapses
    let (same, n) = turnover(0.0, false).apply(&w0, &law, &mut night(6, 2));
    assert_eq!((same, n), (w0, 0));
    let full = fixed_in_degree(10, 10, 9, 0.3, 7);
    let (kept, n) = turnover(1.0, true).apply(&full, &law, &mut night(6, 2));
    assert_eq!((kept, n), (full, 0));
}

#[test]
fn turnover_parameters_out_of_range_name_the_field() {
    let e = TurnoverParams { p_per_day: 1.5, ..Default::default() }.check().unwrap_err();
    assert!(e.to_string().contains("p_per_day") && e.to_string().contains("1.5"), "{e}");
    let e = TurnoverParams { days_per_night: 0.0, ..Default::default() }.check().unwrap_err();
    assert!(e.to_string().contains("days_per_night"), "{e}");
    let e = from_ron_str::<TurnoverParams>("(p_per_day: 0.1, p_per_week: 0.5)", "turnover.ron").unwrap_err();
    assert!(e.to_string().contains("p_per_week"), "{e}");
}
