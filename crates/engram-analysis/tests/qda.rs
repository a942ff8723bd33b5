//! QDA against the Bayes-optimal classifier and the analytic posterior.

use engram_analysis::AnalysisError;
use engram_analysis::classify::{Qda, accuracy};
use engram_analysis::distance::CovarianceRegularization;
use ndarray::{Array2, Axis, array, concatenate};

use crate::common::{gaussian, identity, rng};

/// Class 0 ~ N(0, I₂), class 1 ~ N(0, s² I₂), s = 2, equal priors. The Bayes rule picks class 1
/// when ‖x‖² > r² = 4 ln s / (1 − 1/s²) = 16 ln 2 / 3. With ‖x‖² ~ σ² χ²₂ and
/// P(χ²₂ ≤ t) = 1 − e^(−t/2), the Bayes accuracy is
/// ½ [(1 − e^(−r²/2)) + e^(−r²/(2 s²))] ≈ 0.7363.
fn bayes_accuracy() -> f64 {
    let s2: f64 = 4.0;
    let r2 = 4.0 * s2.sqrt().ln() / (1.0 - 1.0 / s2);
    0.5 * ((1.0 - (-r2 / 2.0).exp()) + (-r2 / (2.0 * s2)).exp())
}

fn two_gaussians(n: usize, seed: u64) -> (Array2<f64>, Vec<usize>) {
    let mut r = rng(seed);
    let a = gaussian(n, &[0.0, 0.0], &identity(2), &mut r);
    let b = gaussian(n, &[0.0, 0.0], &[4.0, 0.0, 0.0, 4.0], &mut r);
    let x = concatenate(Axis(0), &[a.view(), b.view()]).unwrap();
    let y = (0..2 * n).map(|i| usize::from(i >= n)).collect();
    (x, y)
}

#[test]
fn qda_reaches_bayes_optimal_accuracy() {
    let bayes = bayes_accuracy();
    assert!((bayes - 0.7363).abs() < 1e-3, "closed form {bayes}");
    let (x, y) = two_gaussians(2000, 40);
    let qda = Qda::fit(x.view(), &y, CovarianceRegularization::None).unwrap();
    assert_eq!(qda.priors(), vec![0.5, 0.5]);
    let (xt, yt) = two_gaussians(20_000, 41);
    let acc = accuracy(&qda.predict_batch(xt.view()).unwrap(), &yt).unwrap();
    // SE of an accuracy on 40 000 points ≈ 0.0022; fitted parameters cost a little more
    assert!((acc - bayes).abs() < 0.01, "QDA {acc} vs Bayes {bayes}");
}

#[test]
fn posterior_matches_the_analytic_posterior() {
    // analytic posterior of class 1 at x for the true parameters, equal priors:
    // p1/(p0 + p1), p_k = exp(−‖x‖²/(2σ_k²)) / σ_k²
    let analytic = |x: [f64; 2]| {
        let q = x[0] * x[0] + x[1] * x[1];
        let p0 = (-q / 2.0).exp();
        let p1 = (-q / 8.0).exp() / 4.0;
        p1 / (p0 + p1)
    };
    let (x, y) = two_gaussians(20_000, 42);
    let qda = Qda::fit(x.view(), &y, CovarianceRegularization::None).unwrap();
    for pt in [[0.0, 0.0], [1.0, 1.0], [2.0, 0.5], [-3.0, 1.0], [0.3, -1.9]] {
        let p = qda.posterior(ndarray::ArrayView1::from(&pt));
        assert!((p.sum() - 1.0).abs() < 1e-12);
        let expect = analytic(pt);
        assert!((p[1] - expect).abs() < 0.02, "at {pt:?}: {} vs {expect}", p[1]);
    }
}

#[test]
fn discriminant_is_the_gaussian_log_density_with_fitted_parameters() {
    // unequal priors and different means: δ_k must equal log N(x; μ_k, S_k) + log π_k up to the
    // common constant −(d/2) log 2π
    let mut r = rng(43);
    let a = gaussian(30, &[0.0, 1.0, 0.0], &[1.0, 0.3, 0.0, 0.3, 2.0, 0.1, 0.0, 0.1, 0.5], &mut r);
    let b = gaussian(60, &[1.0, 0.0, 2.0], &identity(3), &mut r);
    let x = concatenate(Axis(0), &[a.view(), b.view()]).unwrap();
    let y: Vec<usize> = (0..90).map(|i| usize::from(i >= 30)).collect();
    let qda = Qda::fit(x.view(), &y, CovarianceRegularization::None).unwrap();
    let pri = qda.priors();
    assert!((pri[0] - 1.0 / 3.0).abs() < 1e-12 && (pri[1] - 2.0 / 3.0).abs() < 1e-12);
    let pt = array![0.5, 0.5, 0.5];
    let d = qda.discriminants(pt.view());
    for (k, g) in qda.classes().iter().enumerate() {
        let s = nalgebra::DMatrix::from_fn(3, 3, |i, j| g.covariance()[[i, j]]);
        let diff = nalgebra::DVector::from_fn(3, |i, _| pt[i] - g.mean()[i]);
        let quad = (diff.transpose() * s.clone().try_inverse().unwrap() * &diff)[(0, 0)];
        let expect = -0.5 * s.determinant().ln() - 0.5 * quad + pri[k].ln();
        assert!((d[k] - expect).abs() < 1e-9, "class {k}: {} vs {expect}", d[k]);
    }
    let post = qda.posterior_batch(array![[0.5, 0.5, 0.5]].view()).unwrap();
    let e = (d[1] - d[0]).exp();
    assert!((post[[0, 1]] - e / (1.0 + e)).abs() < 1e-12);
}

#[test]
fn qda_reports_singular_covariance() {
    // class 1 has 3 patterns in 4 dimensions: S_1 has rank 2
    let mut r = rng(44);
    let a = gaussian(20, &[0.0; 4], &identity(4), &mut r);
    let b = gaussian(3, &[1.0; 4], &identity(4), &mut r);
    let x = concatenate(Axis(0), &[a.view(), b.view()]).unwrap();
    let y: Vec<usize> = (0..23).map(|i| usize::from(i >= 20)).collect();
    match Qda::fit(x.view(), &y, CovarianceRegularization::None) {
        Err(AnalysisError::SingularCovariance { class: 1, rank: 2, dim: 4, n_samples: 3 }) => {}
        other => panic!("expected SingularCovariance for class 1, got {other:?}"),
    }
    assert!(Qda::fit(x.view(), &y, CovarianceRegularization::Ridge(1e-3)).is_ok());
    // malformed labels: class 1 missing
    assert!(Qda::fit(x.view(), &vec![0; 22].into_iter().chain([2]).collect::<Vec<_>>(), Default::default()).is_err());
}
