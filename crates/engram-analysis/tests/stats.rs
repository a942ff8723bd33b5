//! Wilcoxon signed-rank test against p-values derived by enumeration; mean ± SD.

use engram_analysis::stats::*;

// Reference p-values were computed by brute-force enumeration of all 2ⁿ sign assignments
// (Python, average ranks for ties, zeros dropped, two-sided p = 2·min(P(W⁺ ≤ w), P(W⁺ ≥ w))),
// and for the normal approximation from the formula with math.erfc. The Darwin example
// matches SciPy's documentation (`wilcoxon(d)` → statistic 24.0, pvalue 0.041259765625).

#[test]
fn all_positive_eight_networks() {
    let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
    let r = wilcoxon_signed_rank(&x, &[0.0; 8], WilcoxonMethod::Auto).unwrap();
    assert_eq!((r.w_plus, r.w_minus, r.statistic), (36.0, 0.0, 0.0));
    assert_eq!(r.p_value, 2.0 / 256.0);
    assert_eq!(r.method, WilcoxonMethod::Exact);
}

#[test]
fn darwin_example_from_scipy_docs() {
    let d = [6.0, 8.0, 14.0, 16.0, 23.0, 24.0, 28.0, 29.0, 41.0, -48.0, 49.0, 56.0, 60.0, -67.0, 75.0];
    let r = wilcoxon_signed_rank(&d, &[0.0; 15], WilcoxonMethod::Exact).unwrap();
    assert_eq!(r.w_plus, 96.0);
    assert_eq!(r.statistic, 24.0);
    assert!((r.p_value - 0.041259765625).abs() < 1e-15, "p {}", r.p_value);
    // paired form gives the same
    let y: Vec<f64> = d.iter().map(|v| 100.0 - v).collect();
    let x = [100.0; 15];
    let diff: Vec<f64> = x.iter().zip(&y).map(|(a, b)| a - b).collect();
    assert_eq!(diff, d);
    let r2 = wilcoxon_signed_rank(&x, &y, WilcoxonMethod::Auto).unwrap();
    assert_eq!(r2.p_value, r.p_value);
}

#[test]
fn exact_with_ties_and_a_zero() {
    // differences with a zero (dropped) and a tie |2.0| = |2.0| = |-2.0|; enumeration gives
    // W⁺ = 37, W⁻ = 8, p = 0.1015625 (n = 9 after dropping the zero)
    let d = [1.5, -0.5, 2.0, 2.0, -1.0, 3.0, 0.0, 4.0, -2.0, 5.0];
    let r = wilcoxon_signed_rank(&d, &[0.0; 10], WilcoxonMethod::Auto).unwrap();
    assert_eq!(r.n, 9);
    assert_eq!((r.w_plus, r.w_minus), (37.0, 8.0));
    assert!((r.p_value - 0.1015625).abs() < 1e-15, "p {}", r.p_value);
}

#[test]
fn normal_approximation_with_ties_beyond_exact_range() {
    // d_i = ((37 i) mod 23) − 9 + 0.5 (i mod 3), i = 0..29: one zero, several ties; n = 29 > 25
    // formula: W⁺ = 289, z = 1.5463300347078164, p = erfc(|z|/√2) = 0.12202488186616411
    let d: Vec<f64> = (0..30).map(|i| ((i * 37) % 23) as f64 - 9.0 + 0.5 * (i % 3) as f64).collect();
    let r = wilcoxon_signed_rank(&d, &[0.0; 30], WilcoxonMethod::Auto).unwrap();
    assert_eq!(r.method, WilcoxonMethod::Normal);
    assert_eq!(r.n, 29);
    assert_eq!(r.w_plus, 289.0);
    // erfc approximation has relative error < 1.2e-7
    assert!((r.p_value - 0.122_024_881_866_164_11).abs() < 1e-7, "p {}", r.p_value);
}

#[test]
fn exact_and_normal_agree_for_moderate_n() {
    let d: Vec<f64> = (1..=20).map(|i| if i % 3 == 0 { -(i as f64) } else { i as f64 + 0.25 }).collect();
    let z = vec![0.0; 20];
    let e = wilcoxon_signed_rank(&d, &z, WilcoxonMethod::Exact).unwrap();
    let n = wilcoxon_signed_rank(&d, &z, WilcoxonMethod::Normal).unwrap();
    assert!((e.p_value - n.p_value).abs() < 0.01, "{} vs {}", e.p_value, n.p_value);
}

#[test]
fn degenerate_inputs() {
    assert!(wilcoxon_signed_rank(&[1.0, 2.0], &[1.0, 2.0], WilcoxonMethod::Auto).is_err());
    assert!(wilcoxon_signed_rank(&[1.0], &[1.0, 2.0], WilcoxonMethod::Auto).is_err());
    let r = wilcoxon_signed_rank(&[1.0], &[0.0], WilcoxonMethod::Auto).unwrap();
    assert_eq!(r.p_value, 1.0);
}

#[test]
fn mean_and_sd() {
    assert_eq!(mean(&[]), None);
    assert_eq!(sd(&[1.0]), None);
    let (m, s) = mean_sd(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
    assert_eq!(m, 5.0);
    assert!((s - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
    assert!((normal_cdf(1.96) - 0.975).abs() < 1e-4);
}
