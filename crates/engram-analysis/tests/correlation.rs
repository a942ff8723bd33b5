//! Pearson, pattern and time-time correlations against hand-computed values.

use engram_analysis::correlation::*;
use ndarray::{Array2, array};

#[test]
fn pearson_closed_form() {
    // x = 1..5, y = 2x + 1 -> r = 1; y = -x -> r = -1
    let x = [1.0, 2.0, 3.0, 4.0, 5.0];
    assert!((pearson_correlation(&x, &[3.0, 5.0, 7.0, 9.0, 11.0]).unwrap() - 1.0).abs() < 1e-12);
    assert!((pearson_correlation(&x, &[-1.0, -2.0, -3.0, -4.0, -5.0]).unwrap() + 1.0).abs() < 1e-12);
    // hand value: x = (1,2,3), y = (1,3,2): cov 0.5, var 1 each -> r = 0.5
    assert!((pearson_correlation(&[1.0, 2.0, 3.0], &[1.0, 3.0, 2.0]).unwrap() - 0.5).abs() < 1e-12);
    assert_eq!(pearson_correlation(&[1.0], &[2.0]), None);
    assert_eq!(pearson_correlation(&[2.0, 2.0, 2.0], &[1.0, 2.0, 3.0]), None);
}

#[test]
fn pattern_matrix_and_mean_off_diagonal() {
    let p = array![[1.0, 2.0, 3.0], [1.0, 3.0, 2.0], [3.0, 2.0, 1.0]];
    let c = pattern_correlation_matrix(p.view());
    assert!((c[[0, 1]] - 0.5).abs() < 1e-12);
    assert!((c[[0, 2]] + 1.0).abs() < 1e-12);
    assert!((c[[1, 2]] + 0.5).abs() < 1e-12);
    assert_eq!(c[[1, 0]], c[[0, 1]]);
    assert!((c[[2, 2]] - 1.0).abs() < 1e-12);
    // mean of 0.5, -1, -0.5 = -1/3
    assert!((mean_pattern_correlation(p.view()).unwrap() + 1.0 / 3.0).abs() < 1e-12);
    // a constant row gives NaN entries that are skipped
    let q = array![[1.0, 2.0, 3.0], [2.0, 2.0, 2.0], [2.0, 4.0, 6.0]];
    let cq = pattern_correlation_matrix(q.view());
    assert!(cq[[0, 1]].is_nan());
    assert!((mean_off_diagonal(cq.view()).unwrap() - 1.0).abs() < 1e-12);
}

#[test]
fn time_time_correlation_of_a_stationary_pattern_is_one_and_of_switching_is_block() {
    // 4 neurons x 4 bins: bins 0,1 show pattern A, bins 2,3 pattern B orthogonal-ish (r = -1/3)
    let a = [5.0, 0.0, 0.0, 0.0];
    let b = [0.0, 5.0, 0.0, 0.0];
    let mut m = Array2::zeros((4, 4));
    for n in 0..4 {
        m[[n, 0]] = a[n];
        m[[n, 1]] = a[n];
        m[[n, 2]] = b[n];
        m[[n, 3]] = b[n];
    }
    let c = time_time_correlation(m.view(), m.view()).unwrap();
    assert!((c[[0, 1]] - 1.0).abs() < 1e-12);
    assert!((c[[2, 3]] - 1.0).abs() < 1e-12);
    assert!((c[[0, 2]] + 1.0 / 3.0).abs() < 1e-12);
    assert!(time_time_correlation(m.view(), Array2::zeros((3, 4)).view()).is_err());
}

#[test]
fn mean_time_time_diagonal_uses_only_different_trials() {
    // trial 1 and trial 2 differ in bin 0; the within-trial diagonal (always 1) must not enter
    let t1 = array![[1.0, 1.0], [0.0, 2.0], [0.0, 3.0]];
    let t2 = array![[0.0, 1.0], [1.0, 2.0], [0.0, 3.0]];
    let c = mean_time_time_correlation(&[t1.view(), t2.view()]).unwrap();
    let r00 = pearson_correlation(&[1.0, 0.0, 0.0], &[0.0, 1.0, 0.0]).unwrap(); // -0.5
    assert!((c[[0, 0]] - r00).abs() < 1e-12);
    assert!((c[[1, 1]] - 1.0).abs() < 1e-12);
    // off-diagonal (0,1): average over (1,1), (1,2), (2,1), (2,2) pairs
    let col1 = [1.0, 2.0, 3.0];
    let expect = (pearson_correlation(&[1.0, 0.0, 0.0], &col1).unwrap()
        + pearson_correlation(&[1.0, 0.0, 0.0], &col1).unwrap()
        + pearson_correlation(&[0.0, 1.0, 0.0], &col1).unwrap()
        + pearson_correlation(&[0.0, 1.0, 0.0], &col1).unwrap())
        / 4.0;
    assert!((c[[0, 1]] - expect).abs() < 1e-12);
    assert!(mean_time_time_correlation(&[t1.view()]).is_err());
}
