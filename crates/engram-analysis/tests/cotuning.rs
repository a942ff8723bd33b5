//! Co-tuning correlation and balanced-axis SD ratio on synthetic conductances.

use engram_analysis::cotuning::*;
use ndarray::Array2;
use rand::Rng;
use rand_distr::{Distribution, Normal};

const ODORS: usize = 10;
const NEURONS: usize = 400;

#[test]
fn proportional_inputs_give_r_one_independent_give_r_zero() {
    let mut rng = crate::common::rng(21);
    let mut g_e = Array2::zeros((ODORS, NEURONS));
    let mut g_i_prop = Array2::zeros((ODORS, NEURONS));
    let mut g_i_ind = Array2::zeros((ODORS, NEURONS));
    for k in 0..ODORS {
        for n in 0..NEURONS {
            let e = 2.0 + rng.r#gen::<f64>();
            g_e[[k, n]] = e;
            g_i_prop[[k, n]] = 1.2 * e + 0.3; // affine: r = 1 exactly
            g_i_ind[[k, n]] = 2.4 + rng.r#gen::<f64>();
        }
    }
    let r = cotuning_correlation(g_e.view(), g_i_prop.view()).unwrap();
    assert!(r.iter().all(|v| (v.unwrap() - 1.0).abs() < 1e-9));
    // independent: mean of 400 correlations of 10 points, SD of r is 1/3, SE 1/60
    let m = mean_cotuning_correlation(g_e.view(), g_i_ind.view()).unwrap().unwrap();
    assert!(m.abs() < 0.06, "mean r {m}");
    // a per-neuron constant baseline does not change r
    let base: Vec<f64> = (0..NEURONS).map(|n| n as f64 * 0.01).collect();
    let ge_b = subtract_baseline(g_e.view(), &base).unwrap();
    let gi_b = subtract_baseline(g_i_ind.view(), &base).unwrap();
    let r1 = cotuning_correlation(g_e.view(), g_i_ind.view()).unwrap();
    let r2 = cotuning_correlation(ge_b.view(), gi_b.view()).unwrap();
    for (a, b) in r1.iter().zip(&r2) {
        assert!((a.unwrap() - b.unwrap()).abs() < 1e-9);
    }
}

#[test]
fn balanced_axis_slope_is_exact_for_proportional_data() {
    let g_e = Array2::from_shape_fn((ODORS, 3), |(k, n)| 1.0 + k as f64 + n as f64);
    let g_i = g_e.mapv(|x| 1.2 * x);
    let b = balanced_axis(g_e.view(), g_i.view()).unwrap();
    assert!((b.slope - 1.2).abs() < 1e-12);
    // no spread across the counter-balanced axis: ratio undefined
    assert!(b.sd_ratio.iter().all(|r| r.is_none()));
}

/// Baseline-subtracted conductances around a mean operating point (g_E, 1.2 g_E) per neuron:
/// co-tuned neurons vary along (1, 1.2) with SD 1 plus isotropic noise SD 0.3; independent
/// neurons vary isotropically with SD 1 in both E and I.
fn synthetic(cotuned: bool, seed: u64) -> (Array2<f64>, Array2<f64>) {
    let mut rng = crate::common::rng(seed);
    let unit = Normal::new(0.0, 1.0).unwrap();
    let mut g_e = Array2::zeros((ODORS, NEURONS));
    let mut g_i = Array2::zeros((ODORS, NEURONS));
    let norm = (1.0f64 + 1.44).sqrt();
    for n in 0..NEURONS {
        let centre = 3.0 + rng.r#gen::<f64>();
        for k in 0..ODORS {
            let (de, di) = if cotuned {
                let s = unit.sample(&mut rng);
                (s / norm + 0.3 * unit.sample(&mut rng), 1.2 * s / norm + 0.3 * unit.sample(&mut rng))
            } else {
                (unit.sample(&mut rng), unit.sample(&mut rng))
            };
            g_e[[k, n]] = centre + de;
            g_i[[k, n]] = 1.2 * centre + di;
        }
    }
    (g_e, g_i)
}

#[test]
fn sd_ratio_above_one_for_cotuned_and_near_one_for_independent() {
    let (e, i) = synthetic(true, 31);
    let b = balanced_axis(e.view(), i.view()).unwrap();
    assert!((b.slope - 1.2).abs() < 0.05, "slope {}", b.slope);
    let tuned = b.mean_sd_ratio().unwrap();
    // (the co-tuned slope is 1.2 (E[c²] + 1/2.44) / (E[c²] + 1/2.44 + 0.09) ≈ 1.19)
    // population SDs: balanced sqrt(1 + 0.09) ≈ 1.04, counter 0.3 -> ratio ≈ 3.5
    assert!(tuned > 2.5, "co-tuned ratio {tuned}");

    let (e, i) = synthetic(false, 32);
    let b = balanced_axis(e.view(), i.view()).unwrap();
    // no-intercept fit with noise in g_E: k = 1.2 E[c²] / (E[c²] + 1), c ~ U(3, 4),
    // E[c²] = 1/12 + 12.25 -> k ≈ 1.110 (regression dilution)
    let ec2 = 1.0 / 12.0 + 12.25;
    let expected = 1.2 * ec2 / (ec2 + 1.0);
    assert!((b.slope - expected).abs() < 0.02, "slope {} vs {expected}", b.slope);
    // the log ratio is symmetric around 0 for isotropic noise; the mean ratio of two sample SDs
    // from 10 points is slightly above 1 (E[s1/s2] = E[s] E[1/s] ≈ 1.06 for 9 degrees of freedom)
    let logs: Vec<f64> = b.sd_ratio.iter().flatten().map(|r| r.ln()).collect();
    let mean_log = logs.iter().sum::<f64>() / logs.len() as f64;
    assert!(mean_log.abs() < 0.05, "mean log ratio {mean_log}");
    let m = b.mean_sd_ratio().unwrap();
    assert!((m - 1.0).abs() < 0.15, "independent ratio {m}");
}

#[test]
fn shapes_and_degenerate_inputs() {
    let a = Array2::<f64>::zeros((3, 2));
    let b = Array2::<f64>::zeros((3, 3));
    assert!(cotuning_correlation(a.view(), b.view()).is_err());
    assert!(balanced_axis_slope(a.view(), a.view()).is_err());
    assert!(subtract_baseline(a.view(), &[0.0]).is_err());
    assert_eq!(voltage_clamp_current_pa(2.0, 70.0), 140.0);
}
