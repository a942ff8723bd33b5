//! Drift measures on synthetic days with a known answer: codes that drift as an AR(1) process
//! of known ρ per day, stable codes, permuted and rotated codes, and hand-computed statistics.

use engram_analysis::drift::{
    Day, cross_day_decoding, crystallisation_index, decoder_span, different_stimulus_floor, fit_drift, is_responsive,
    mann_whitney_greater, principal_angles, procrustes_residual, pv_correlation, rdm, rdm_stability, retention,
    split_half_reliability, within_day_shuffle_test,
};
use ndarray::{Array2, array, s};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::common::rng;

/// Days of responses: each stimulus's code drifts as s_d = ρ s_(d−1) + √(1 − ρ²) ξ per neuron
/// and day; a trial is `gain`·s_d plus unit noise. Returns (responses, labels) per day.
fn drifting_days(
    rho: f64,
    n_days: usize,
    neurons: usize,
    stimuli: usize,
    trials: usize,
    gain: f64,
    seed: u64,
) -> Vec<(Array2<f64>, Vec<usize>)> {
    let mut r = rng(seed);
    let mut normal = move || -> f64 { StandardNormal.sample(&mut r) };
    let mut codes: Vec<Vec<f64>> = (0..stimuli).map(|_| (0..neurons).map(|_| normal()).collect()).collect();
    let mut days = Vec::new();
    for day in 0..n_days {
        if day > 0 {
            for code in &mut codes {
                for v in code.iter_mut() {
                    *v = rho * *v + (1.0 - rho * rho).sqrt() * normal();
                }
            }
        }
        let labels: Vec<usize> = (0..stimuli * trials).map(|t| t % stimuli).collect();
        let x = Array2::from_shape_fn((labels.len(), neurons), |(t, n)| gain * codes[labels[t]][n]);
        let noisy = x.mapv(|v| v + normal());
        days.push((noisy, labels));
    }
    days
}

fn view(days: &[(Array2<f64>, Vec<usize>)]) -> Vec<Day<'_>> {
    days.iter().map(|(x, l)| Day { responses: x.view(), labels: l }).collect()
}

#[test]
fn noise_normalised_pv_correlation_recovers_rho_to_the_lag_and_the_fit_its_time_constant() {
    let rho: f64 = 0.8; // τ = −1/ln ρ ≈ 4.48 days
    let days = drifting_days(rho, 9, 600, 3, 10, 0.5, 11);
    let days = view(&days);
    // the trials are noisy: split-half reliability ≈ 0.25·5/(0.25·5 + 1) ≈ 0.56, far from 1
    let reliability = split_half_reliability(days[0], 0).unwrap();
    assert!((0.45..0.7).contains(&reliability), "reliability {reliability}");
    let (mut lags, mut r) = (Vec::new(), Vec::new());
    for i in 0..days.len() {
        for j in i + 1..days.len() {
            for stim in 0..3 {
                let pv = pv_correlation(days[i], days[j], stim).unwrap();
                // the raw correlation is attenuated by the noise; the normalised one is not
                assert!(pv.raw < pv.normalised.unwrap());
                lags.push((j - i) as f64);
                r.push(pv.normalised.unwrap());
            }
        }
    }
    let one_day: Vec<f64> = lags.iter().zip(&r).filter(|(l, _)| **l == 1.0).map(|(_, v)| *v).collect();
    let mean_one_day = one_day.iter().sum::<f64>() / one_day.len() as f64;
    assert!((mean_one_day - rho).abs() < 0.06, "r̃ at lag 1: {mean_one_day}");
    let fit = fit_drift(&lags, &r, 0.0).unwrap();
    let tau = -1.0 / rho.ln();
    assert!((fit.tau_days / tau - 1.0).abs() < 0.2, "τ {} vs {tau}", fit.tau_days);
    assert!(fit.c_inf < 0.1, "c∞ {}", fit.c_inf);
    // independent codes: the floor between different stimuli is ≈ 0
    assert!(different_stimulus_floor(days[0], 3).unwrap().abs() < 0.1);
}

#[test]
fn the_drift_fit_respects_its_floor_and_reports_no_decay() {
    let lags = [0.0f64, 4.0, 8.0, 16.0, 32.0];
    let r: Vec<f64> = lags.iter().map(|d| 0.3 + 0.7 * (-d / 6.0).exp()).collect();
    let free = fit_drift(&lags, &r, 0.0).unwrap();
    assert!((free.tau_days - 6.0).abs() < 1e-3 && (free.c_inf - 0.3).abs() < 1e-4 && free.rmse < 1e-6);
    let floored = fit_drift(&lags, &r, 0.5).unwrap();
    assert!((floored.c_inf - 0.5).abs() < 1e-12 && floored.rmse > 0.01);
    // a code that does not change: τ at the top of the search
    let flat = fit_drift(&lags, &[1.0; 5], 0.0).unwrap();
    assert!(flat.tau_days > 1e4, "τ {}", flat.tau_days);
    assert!(fit_drift(&[0.0], &[1.0], 0.0).is_none());
    assert!(fit_drift(&[1.0, 2.0], &[1.0, f64::NAN], 0.0).is_none());
}

#[test]
fn a_stable_code_decodes_across_days_and_a_drifting_one_falls_to_chance() {
    let stable = drifting_days(1.0, 4, 40, 4, 6, 1.5, 12);
    let fast = drifting_days(0.2, 4, 40, 4, 6, 1.5, 12);
    let mut r = rng(13);
    let a = cross_day_decoding(&view(&stable), 3, 1.0, &mut r).unwrap();
    let b = cross_day_decoding(&view(&fast), 3, 1.0, &mut r).unwrap();
    for i in 0..4 {
        assert!(a[[i, i]] > 0.9 && b[[i, i]] > 0.9, "within-day {} {}", a[[i, i]], b[[i, i]]);
        for j in 0..4 {
            assert!(a[[i, j]] > 0.9, "stable A[{i},{j}] = {}", a[[i, j]]);
        }
    }
    // ρ² = 0.04 after two days: chance is 0.25
    let far: Vec<f64> = (0..2).map(|i| b[[i, i + 2]]).chain((2..4).map(|i| b[[i, i - 2]])).collect();
    let mean_far = far.iter().sum::<f64>() / far.len() as f64;
    assert!(mean_far < 0.5, "drifting code two days apart: {far:?}");
    let days = [0.0, 4.0, 8.0, 12.0];
    assert_eq!(decoder_span(a.view(), &days, 0.9).unwrap(), vec![12.0, 8.0, 4.0, 0.0]);
    assert_eq!(decoder_span(b.view(), &days, 0.9).unwrap()[0], 0.0);
}

#[test]
fn the_decoder_span_stops_at_the_first_day_below_the_bar() {
    let m = array![[1.0, 0.95, 0.5, 0.95], [0.2, 0.8, 0.8, 0.1], [0.0, 0.0, 0.6, 0.6], [0.0, 0.0, 0.0, 1.0]];
    assert_eq!(decoder_span(m.view(), &[0.0, 2.0, 4.0, 8.0], 0.9).unwrap(), vec![2.0, 2.0, 4.0, 0.0]);
    assert!(decoder_span(m.view(), &[0.0, 1.0], 0.9).is_err());
}

#[test]
fn the_shuffle_test_separates_a_code_from_random_labels() {
    let days = drifting_days(1.0, 1, 30, 3, 8, 1.5, 14);
    let mut r = rng(15);
    let day = Day { responses: days[0].0.view(), labels: &days[0].1 };
    let t = within_day_shuffle_test(day, 4, 1.0, 19, &mut r).unwrap();
    assert!(t.accuracy > 0.9 && t.p_value <= 0.05 + 1e-12, "{t:?}");
    assert!((t.null_mean - 1.0 / 3.0).abs() < 0.15, "null mean {}", t.null_mean);
    // pure noise with labels: no better than its own shuffles
    let noise = Array2::from_shape_fn((24, 30), |_| r.r#gen::<f64>());
    let labels: Vec<usize> = (0..24).map(|t| t % 3).collect();
    let t = within_day_shuffle_test(Day { responses: noise.view(), labels: &labels }, 4, 1.0, 19, &mut r).unwrap();
    assert!(t.p_value > 0.05, "{t:?}");
}

#[test]
fn mann_whitney_matches_the_hand_computation() {
    // x above every y: U = 9 of 9 pairs; z = (9 − 4.5 − 0.5)/√(3·3·7/12)
    let t = mann_whitney_greater(&[4.0, 5.0, 6.0], &[1.0, 2.0, 3.0]).unwrap();
    assert_eq!(t.u, 9.0);
    let z: f64 = 4.0 / (63.0f64 / 12.0).sqrt();
    let p = 0.5 * libm_erfc(z / std::f64::consts::SQRT_2);
    assert!((t.p_greater - p).abs() < 1e-6, "{} vs {p}", t.p_greater);
    assert_eq!(mann_whitney_greater(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]).unwrap().u, 0.0);
    // ties count one half, and all-tied samples carry no evidence
    assert_eq!(mann_whitney_greater(&[1.0, 2.0], &[2.0, 0.0]).unwrap().u, 2.5);
    assert_eq!(mann_whitney_greater(&[1.0, 1.0], &[1.0, 1.0]).unwrap().p_greater, 1.0);
    assert!(mann_whitney_greater(&[], &[1.0]).is_none());
}

/// erfc by its series for the moderate arguments used here (independent of the crate's fit).
fn libm_erfc(x: f64) -> f64 {
    // erf(x) = 2/√π Σ (−1)^n x^(2n+1) / (n! (2n+1))
    let (mut term, mut sum) = (x, x);
    for n in 1..60 {
        term *= -x * x / n as f64;
        sum += term / (2 * n + 1) as f64;
    }
    1.0 - 2.0 / std::f64::consts::PI.sqrt() * sum
}

#[test]
fn responsive_pairs_and_their_retention_against_chance() {
    let blank = [0.0, 1.0, 0.0, 2.0, 1.0, 0.0, 1.0, 0.0];
    assert!(is_responsive(&[5.0, 6.0, 4.0, 7.0, 5.0, 6.0, 8.0, 5.0], &blank, 0.01));
    assert!(!is_responsive(&[0.0, 1.0, 1.0, 0.0, 2.0, 0.0, 1.0, 0.0], &blank, 0.01));
    assert!(!is_responsive(&[0.0; 8], &[5.0; 8], 0.01));
    // responsiveness redrawn independently with p = 0.2: retention ≈ chance ≈ 0.2
    let mut r = rng(16);
    let before: Vec<bool> = (0..20_000).map(|_| r.r#gen::<f64>() < 0.2).collect();
    let after: Vec<bool> = (0..20_000).map(|_| r.r#gen::<f64>() < 0.2).collect();
    let ret = retention(&before, &after).unwrap();
    assert!((ret.retained - 0.2).abs() < 0.02 && (ret.chance - 0.2).abs() < 0.01, "{ret:?}");
    assert_eq!(retention(&before, &before).unwrap().retained, 1.0);
    assert!(retention(&[false, false], &[true, true]).is_none());
}

#[test]
fn permuted_neurons_keep_the_geometry_while_the_population_vectors_drift() {
    let days = drifting_days(1.0, 1, 200, 6, 1, 1.0, 17);
    let day0 = &days[0].0;
    // day 1: the same responses carried by other neurons (a permutation)
    let mut order: Vec<usize> = (0..200).collect();
    order.rotate_left(37);
    let day1 = Array2::from_shape_fn((6, 200), |(i, n)| day0[[i, order[n]]]);
    let labels: Vec<usize> = (0..6).collect();
    let (a, b) = (Day { responses: day0.view(), labels: &labels }, Day { responses: day1.view(), labels: &labels });
    let pv = pv_correlation(a, b, 0).unwrap();
    assert!(pv.raw.abs() < 0.25, "PV r {}", pv.raw);
    let stability = rdm_stability(rdm(day0.view()).view(), rdm(day1.view()).view()).unwrap().unwrap();
    assert!((stability - 1.0).abs() < 1e-12, "RDM stability {stability}");
    // an unrelated day: stability ≈ 0
    let other = drifting_days(1.0, 1, 200, 6, 1, 1.0, 18);
    let s2 = rdm_stability(rdm(day0.view()).view(), rdm(other[0].0.view()).view()).unwrap().unwrap();
    assert!(s2.abs() < 0.6, "unrelated RDM stability {s2}");
}

#[test]
fn principal_angles_of_planes_at_a_known_angle() {
    let theta: f64 = 0.4;
    // span(e1, e2) and span(e1, cos θ e2 + sin θ e3) in 5 dimensions
    let a = array![[1.0, 0.0], [0.0, 2.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]];
    let b = array![[3.0, 0.0], [0.0, theta.cos()], [0.0, theta.sin()], [0.0, 0.0], [0.0, 0.0]];
    let angles = principal_angles(a.view(), b.view()).unwrap();
    assert_eq!(angles.len(), 2);
    assert!(angles[0].abs() < 1e-6 && (angles[1] - theta).abs() < 1e-9, "{angles:?}");
    // a line in the plane and the orthogonal line: one angle each
    let line = array![[0.0], [0.0], [0.0], [1.0], [0.0]];
    let angles = principal_angles(a.view(), line.view()).unwrap();
    assert!(angles.len() == 1 && (angles[0] - std::f64::consts::FRAC_PI_2).abs() < 1e-9);
    assert!(principal_angles(a.view(), a.slice(s![..4, ..]).view()).is_err());
}

#[test]
fn procrustes_residual_is_zero_for_a_rotation_and_grows_with_noise() {
    let mut r = rng(19);
    let x: Array2<f64> = Array2::from_shape_fn((8, 3), |_| StandardNormal.sample(&mut r));
    let (c, s) = (0.7f64.cos(), 0.7f64.sin());
    let rot = array![[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]];
    let y = x.dot(&rot);
    assert!(procrustes_residual(x.view(), y.view()).unwrap().unwrap() < 1e-10);
    let noisy = y.mapv(|v| {
        let z: f64 = StandardNormal.sample(&mut r);
        v + 0.3 * z
    });
    let res = procrustes_residual(x.view(), noisy.view()).unwrap().unwrap();
    assert!(res > 0.01 && res < 0.5, "{res}");
    // unrelated data: a large residual
    let z: Array2<f64> = Array2::from_shape_fn((8, 3), |_| StandardNormal.sample(&mut r));
    assert!(procrustes_residual(x.view(), z.view()).unwrap().unwrap() > res);
    assert!(procrustes_residual(x.view(), Array2::zeros((8, 3)).view()).unwrap().is_none());
}

#[test]
fn crystallisation_index_compares_late_with_early_change() {
    assert!((crystallisation_index(&[0.4, 0.4], &[0.1]).unwrap() - 0.75).abs() < 1e-12);
    assert!(crystallisation_index(&[0.2], &[0.3]).unwrap() < 0.0);
    assert!(crystallisation_index(&[], &[0.3]).is_none());
}
