//! Mahalanobis distance against closed forms, singular covariances, Euclidean companions.

use engram_analysis::AnalysisError;
use engram_analysis::distance::*;
use nalgebra::{DMatrix, DVector};
use ndarray::{Array1, Array2, array};

use crate::common::{gaussian, rng};

fn closed_form(v: &[f64], mu: &[f64], cov: &DMatrix<f64>) -> f64 {
    let d = DVector::from_column_slice(v) - DVector::from_column_slice(mu);
    let inv = cov.clone().try_inverse().unwrap();
    (d.transpose() * inv * d)[(0, 0)].sqrt()
}

#[test]
fn identity_covariance_gives_euclidean_distance() {
    // ±a on each of 3 axes, a² = (2·3 − 1)/2: mean 0, sample covariance exactly I
    let a = 2.5f64.sqrt();
    let mut q = Array2::zeros((6, 3));
    for i in 0..3 {
        q[[2 * i, i]] = a;
        q[[2 * i + 1, i]] = -a;
    }
    let s = sample_covariance(q.view()).unwrap();
    assert!((&s - &Array2::<f64>::eye(3)).iter().all(|x| x.abs() < 1e-12));
    for v in [array![1.0, 2.0, 2.0], array![-0.5, 0.0, 0.0], array![0.0, 0.0, 0.0]] {
        let dm = mahalanobis_distance(v.view(), q.view(), CovarianceRegularization::None).unwrap();
        let de = euclidean_distance(v.view(), Array1::zeros(3).view());
        assert!((dm - de).abs() < 1e-12, "{dm} vs {de}");
    }
}

#[test]
fn equals_closed_form_with_the_sample_covariance() {
    let cov = [4.0, 1.2, 0.0, 1.2, 1.0, -0.3, 0.0, -0.3, 0.5];
    let mut r = rng(10);
    let q = gaussian(200, &[1.0, 2.0, 3.0], &cov, &mut r);
    let s = sample_covariance(q.view()).unwrap();
    let s_na = DMatrix::from_fn(3, 3, |i, j| s[[i, j]]);
    let mu = q.mean_axis(ndarray::Axis(0)).unwrap();
    let g = GaussianClass::fit(q.view(), CovarianceRegularization::None, 0).unwrap();
    for v in [[0.0, 0.0, 0.0], [3.0, 1.0, 3.5], [1.0, 2.0, 3.0]] {
        let expect = closed_form(&v, mu.as_slice().unwrap(), &s_na);
        let got = g.mahalanobis(ndarray::ArrayView1::from(&v));
        assert!((got - expect).abs() < 1e-9 * expect.max(1.0), "{got} vs {expect}");
    }
    assert!((g.log_det() - s_na.determinant().ln()).abs() < 1e-9);
}

#[test]
fn converges_to_the_true_covariance_distance() {
    let cov = [4.0, 1.2, 1.2, 1.0];
    let true_cov = DMatrix::from_row_slice(2, 2, &cov);
    let mut r = rng(11);
    let q = gaussian(40_000, &[1.0, -1.0], &cov, &mut r);
    for v in [[3.0, 0.0], [-1.0, -2.0], [1.0, 1.0]] {
        let got = mahalanobis_distance(ndarray::ArrayView1::from(&v), q.view(), Default::default()).unwrap();
        let expect = closed_form(&v, &[1.0, -1.0], &true_cov);
        assert!((got / expect - 1.0).abs() < 0.02, "{got} vs {expect}");
    }
    // test class drawn from the same Gaussian: mean d_M² = d (χ² with d degrees of freedom)
    let v = gaussian(20_000, &[1.0, -1.0], &cov, &mut r);
    let g = GaussianClass::fit(q.view(), CovarianceRegularization::None, 0).unwrap();
    let m2: f64 = v.rows().into_iter().map(|x| g.mahalanobis_squared(x)).sum::<f64>() / 20_000.0;
    assert!((m2 - 2.0).abs() < 0.05, "mean d² {m2}");
    // and the mean distance E[χ₂] = sqrt(π/2)
    let md = mean_mahalanobis_distance(v.view(), q.view(), Default::default()).unwrap();
    assert!((md - (std::f64::consts::PI / 2.0).sqrt()).abs() < 0.03, "mean d {md}");
}

#[test]
fn singular_covariance_is_reported_and_can_be_regularised() {
    // 3 patterns in 5 dimensions: rank 2
    let q = array![[1.0, 0.0, 2.0, 0.0, 1.0], [0.0, 1.0, 0.0, 3.0, 1.0], [2.0, 2.0, 1.0, 1.0, 0.0]];
    let v = array![1.0, 1.0, 1.0, 1.0, 1.0];
    match mahalanobis_distance(v.view(), q.view(), CovarianceRegularization::None) {
        Err(AnalysisError::SingularCovariance { class: 0, rank: 2, dim: 5, n_samples: 3 }) => {}
        other => panic!("expected SingularCovariance, got {other:?}"),
    }
    // a silent neuron makes any sample size singular
    let mut r = rng(12);
    let mut big = gaussian(100, &[0.0; 3], &crate::common::identity(3), &mut r);
    big.column_mut(1).fill(0.0);
    assert!(matches!(
        GaussianClass::fit(big.view(), CovarianceRegularization::None, 4),
        Err(AnalysisError::SingularCovariance { class: 4, rank: 2, dim: 3, .. })
    ));
    // ridge: finite distance; pseudo-inverse: the distance within the span only
    assert!(mahalanobis_distance(v.view(), q.view(), CovarianceRegularization::Ridge(0.1)).unwrap().is_finite());
    assert!(GaussianClass::fit(q.view(), CovarianceRegularization::Ridge(0.0), 0).is_err());
    // data in the plane z = 0 with identity covariance in (x, y): pinv distance ignores z
    let a = 1.5f64.sqrt();
    let plane = array![[a, 0.0, 0.0], [-a, 0.0, 0.0], [0.0, a, 0.0], [0.0, -a, 0.0]];
    let g = GaussianClass::fit(plane.view(), CovarianceRegularization::PseudoInverse, 0).unwrap();
    assert_eq!(g.rank(), 2);
    assert!((g.mahalanobis(array![3.0, 4.0, 100.0].view()) - 5.0).abs() < 1e-9);
}

#[test]
fn euclidean_companions() {
    let q = array![[0.0, 0.0], [2.0, 0.0]]; // mean (1, 0)
    let v = array![[1.0, 3.0], [1.0, -1.0]]; // mean (1, 1)
    assert!((distance_between_means(v.view(), q.view()).unwrap() - 1.0).abs() < 1e-12);
    // distances to (1, 0): 3 and 1 -> mean 2
    assert!((mean_distance_to_mean(v.view(), q.view()).unwrap() - 2.0).abs() < 1e-12);
    assert!(distance_between_means(Array2::zeros((0, 2)).view(), q.view()).is_err());
    assert!(mean_distance_to_mean(Array2::zeros((1, 3)).view(), q.view()).is_err());
}

#[test]
fn mahalanobis_is_asymmetric() {
    let wide = array![[-3.0, 0.0], [3.0, 0.0], [0.0, -3.0], [0.0, 3.0], [0.0, 0.0]];
    let narrow = array![[9.0, 0.0], [11.0, 0.0], [10.0, -1.0], [10.0, 1.0], [10.0, 0.0]];
    let reg = CovarianceRegularization::None;
    let a = mean_mahalanobis_distance(narrow.view(), wide.view(), reg).unwrap();
    let b = mean_mahalanobis_distance(wide.view(), narrow.view(), reg).unwrap();
    assert!(b > 2.0 * a, "{a} {b}");
}

#[test]
fn shrinkage_pulls_the_covariance_toward_its_mean_variance() {
    // sample covariance diag(1, 4) exactly (n − 1 = 3): x = ±√1.5, y = ±√6
    let (x, y) = (1.5f64.sqrt(), 6f64.sqrt());
    let q = array![[x, 0.0], [-x, 0.0], [0.0, y], [0.0, -y]];
    let v = array![1.0, 2.0];
    // λ = 0.5: (1 − λ) diag(1, 4) + λ · 2.5 · I = diag(1.75, 3.25)
    let d = mahalanobis_distance(v.view(), q.view(), CovarianceRegularization::Shrinkage(0.5)).unwrap();
    assert!((d - (1.0 / 1.75 + 4.0 / 3.25f64).sqrt()).abs() < 1e-12, "{d}");
    // λ = 1: the identity times the mean variance, a scaled Euclidean distance
    let d1 = mahalanobis_distance(v.view(), q.view(), CovarianceRegularization::Shrinkage(1.0)).unwrap();
    assert!((d1 - (5.0 / 2.5f64).sqrt()).abs() < 1e-12, "{d1}");
    // a silent neuron no longer makes the class singular
    let mut r = rng(13);
    let mut big = gaussian(100, &[0.0; 3], &crate::common::identity(3), &mut r);
    big.column_mut(1).fill(0.0);
    assert!(GaussianClass::fit(big.view(), CovarianceRegularization::Shrinkage(0.1), 0).is_ok());
    for bad in [0.0, -0.1, 1.5, f64::NAN] {
        assert!(matches!(
            GaussianClass::fit(q.view(), CovarianceRegularization::Shrinkage(bad), 0),
            Err(AnalysisError::InvalidArgument { name: "shrinkage", .. })
        ));
    }
}
