//! Distances between patterns and classes: Mahalanobis distance with the class covariance
//! (docs/models/dp.md#distances-and-classification, Fig. 5B), and its Euclidean companions d_E and
//! d_Ê (Fig. 5—S1).
//!
//! A class of patterns is an `ArrayView2<f64>` with **rows = patterns** (trials, odors) and
//! **columns = neurons**. Its covariance is the sample covariance (divides by n − 1).
//! Inverting it goes through a symmetric eigendecomposition (nalgebra `SymmetricEigen`), so a
//! singular covariance is detected reliably and reported as
//! [`AnalysisError::SingularCovariance`], unless the caller asks for a
//! [`CovarianceRegularization`].

use nalgebra::{DMatrix, SymmetricEigen};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use crate::correlation::column_means;
use crate::error::{AnalysisError, Result, check_len};

/// An eigenvalue of a covariance counts as zero when it is below `SINGULAR_RTOL` times the
/// largest eigenvalue (a condition number above 10¹⁰ makes the inverse meaningless in f64).
pub const SINGULAR_RTOL: f64 = 1e-10;

/// What to do when a class covariance is singular.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum CovarianceRegularization {
    /// No regularisation: a singular covariance is an error
    /// ([`AnalysisError::SingularCovariance`]). This is the paper's QDA/Mahalanobis.
    #[default]
    None,
    /// Add `ridge · I` to the covariance before inverting (units of variance, e.g. Hz²).
    Ridge(f64),
    /// Shrink the covariance toward a multiple of the identity with the same trace:
    /// `(1 − λ) S + λ (tr S / d) I`, `λ` in (0, 1] (no units: a fraction). Unlike a ridge it
    /// scales with the data, so one λ serves classes of any rate.
    Shrinkage(f64),
    /// Moore–Penrose pseudo-inverse: eigenvalues below [`SINGULAR_RTOL`] · λ_max are dropped,
    /// so distances are measured only within the span of the class; the log determinant is the
    /// log pseudo-determinant (sum of the log of the kept eigenvalues).
    PseudoInverse,
}

/// Sample covariance (n − 1 in the denominator) of the rows of `patterns`
/// (rows = observations, columns = variables); shape (columns × columns).
///
/// # Errors
/// Fewer than 2 rows.
pub fn sample_covariance(patterns: ArrayView2<f64>) -> Result<Array2<f64>> {
    let n = patterns.nrows();
    if n < 2 {
        return Err(AnalysisError::TooFewSamples { what: "patterns for a covariance", needed: 2, found: n });
    }
    let mean = column_means(patterns);
    let centred = &patterns - &mean;
    Ok(centred.t().dot(&centred) / (n as f64 - 1.0))
}

/// A class of patterns summarised as a Gaussian: mean, covariance, and the inverse and log
/// determinant of the covariance (regularised as asked). Used for the Mahalanobis distance and
/// by [`crate::classify::Qda`].
#[derive(Debug, Clone, PartialEq)]
pub struct GaussianClass {
    mean: Array1<f64>,
    covariance: Array2<f64>,
    /// diag(1/√λ) Vᵀ over the kept eigenpairs: ‖W (v − μ)‖² is the squared Mahalanobis distance.
    whitening: Array2<f64>,
    log_det: f64,
    rank: usize,
    n_samples: usize,
}

impl GaussianClass {
    /// Fit mean and sample covariance to `patterns` (rows = patterns, columns = neurons).
    /// `class` is only used to label a [`AnalysisError::SingularCovariance`] error.
    ///
    /// # Errors
    /// Fewer than 2 patterns, a non-positive or non-finite ridge, or (with
    /// [`CovarianceRegularization::None`]) a singular covariance.
    pub fn fit(patterns: ArrayView2<f64>, regularization: CovarianceRegularization, class: usize) -> Result<Self> {
        let covariance = sample_covariance(patterns)?;
        let mean = column_means(patterns);
        let d = covariance.nrows();
        let mut m = DMatrix::from_fn(d, d, |i, j| covariance[[i, j]]);
        if let CovarianceRegularization::Ridge(r) = regularization {
            if !(r > 0.0 && r.is_finite()) {
                return Err(AnalysisError::InvalidArgument {
                    name: "ridge",
                    value: r.to_string(),
                    reason: "must be positive and finite",
                });
            }
            for i in 0..d {
                m[(i, i)] += r;
            }
        }
        if let CovarianceRegularization::Shrinkage(lambda) = regularization {
            if !(lambda > 0.0 && lambda <= 1.0) {
                return Err(AnalysisError::InvalidArgument {
                    name: "shrinkage",
                    value: lambda.to_string(),
                    reason: "must be in (0, 1]",
                });
            }
            let target = m.trace() / d as f64;
            m *= 1.0 - lambda;
            for i in 0..d {
                m[(i, i)] += lambda * target;
            }
        }
        let eig = SymmetricEigen::new(m);
        let lmax = eig.eigenvalues.iter().cloned().fold(0.0f64, f64::max);
        let tol = SINGULAR_RTOL * lmax;
        let kept: Vec<usize> = (0..d).filter(|&i| lmax > 0.0 && eig.eigenvalues[i] > tol).collect();
        let rank = kept.len();
        if rank < d && regularization != CovarianceRegularization::PseudoInverse {
            return Err(AnalysisError::SingularCovariance { class, rank, dim: d, n_samples: patterns.nrows() });
        }
        if rank == 0 {
            return Err(AnalysisError::SingularCovariance { class, rank, dim: d, n_samples: patterns.nrows() });
        }
        let mut whitening = Array2::<f64>::zeros((rank, d));
        let mut log_det = 0.0;
        for (row, &k) in kept.iter().enumerate() {
            let l = eig.eigenvalues[k];
            log_det += l.ln();
            let s = 1.0 / l.sqrt();
            for j in 0..d {
                whitening[[row, j]] = s * eig.eigenvectors[(j, k)];
            }
        }
        Ok(Self { mean, covariance, whitening, log_det, rank, n_samples: patterns.nrows() })
    }

    /// Class mean μ (one entry per neuron).
    pub fn mean(&self) -> &Array1<f64> {
        &self.mean
    }

    /// Sample covariance S (without the ridge).
    pub fn covariance(&self) -> &Array2<f64> {
        &self.covariance
    }

    /// log |S| (of the regularised covariance; the log pseudo-determinant for
    /// [`CovarianceRegularization::PseudoInverse`]).
    pub fn log_det(&self) -> f64 {
        self.log_det
    }

    /// Number of eigenvalues used (the dimension unless a pseudo-inverse dropped some).
    pub fn rank(&self) -> usize {
        self.rank
    }

    /// Number of patterns the class was fitted on.
    pub fn n_samples(&self) -> usize {
        self.n_samples
    }

    /// Squared Mahalanobis distance (v − μ)ᵀ S⁻¹ (v − μ).
    ///
    /// # Panics
    /// If `v` does not have one entry per neuron.
    pub fn mahalanobis_squared(&self, v: ArrayView1<f64>) -> f64 {
        assert_eq!(v.len(), self.mean.len(), "pattern length differs from class dimension");
        let diff = &v - &self.mean;
        self.whitening.dot(&diff).iter().map(|y| y * y).sum()
    }

    /// Mahalanobis distance d_M(v, Q) = sqrt((v − μ_Q)ᵀ S_Q⁻¹ (v − μ_Q)).
    ///
    /// # Panics
    /// If `v` does not have one entry per neuron.
    pub fn mahalanobis(&self, v: ArrayView1<f64>) -> f64 {
        self.mahalanobis_squared(v).sqrt()
    }
}

/// Mahalanobis distance of pattern `v` from the reference class `reference`
/// (rows = patterns, columns = neurons), with the class's own mean and covariance.
///
/// # Errors
/// As [`GaussianClass::fit`], or `v` has the wrong length.
pub fn mahalanobis_distance(
    v: ArrayView1<f64>,
    reference: ArrayView2<f64>,
    regularization: CovarianceRegularization,
) -> Result<f64> {
    check_len("pattern length (neurons)", reference.ncols(), v.len())?;
    Ok(GaussianClass::fit(reference, regularization, 0)?.mahalanobis(v))
}

/// The paper's reported distance (Fig. 5B): the mean of d_M(v, Q) over all patterns `v` (rows)
/// of the test class `test`, with Q = `reference`. Asymmetric in its arguments.
///
/// ```
/// use ndarray::array;
/// use engram_analysis::distance::{mean_mahalanobis_distance, CovarianceRegularization};
/// // reference class with mean 0 and covariance exactly the identity (±a on each axis,
/// // a² = (2d − 1)/2 = 1.5 for d = 2), so d_M is the Euclidean distance to the origin
/// let a = 1.5f64.sqrt();
/// let q = array![[a, 0.0], [-a, 0.0], [0.0, a], [0.0, -a]];
/// let v = array![[3.0, 4.0], [0.0, 2.0]];
/// let d = mean_mahalanobis_distance(v.view(), q.view(), CovarianceRegularization::None).unwrap();
/// assert!((d - 3.5).abs() < 1e-12);
/// ```
///
/// # Errors
/// As [`GaussianClass::fit`], the two classes have different numbers of neurons, or `test` is
/// empty.
pub fn mean_mahalanobis_distance(
    test: ArrayView2<f64>,
    reference: ArrayView2<f64>,
    regularization: CovarianceRegularization,
) -> Result<f64> {
    check_len("neurons (columns) of the test class", reference.ncols(), test.ncols())?;
    nonempty(test)?;
    let q = GaussianClass::fit(reference, regularization, 0)?;
    Ok(test.rows().into_iter().map(|v| q.mahalanobis(v)).sum::<f64>() / test.nrows() as f64)
}

fn nonempty(test: ArrayView2<f64>) -> Result<()> {
    if test.nrows() == 0 {
        Err(AnalysisError::TooFewSamples { what: "patterns in the test class", needed: 1, found: 0 })
    } else {
        Ok(())
    }
}

/// Euclidean distance ‖a − b‖.
///
/// # Panics
/// If the lengths differ.
pub fn euclidean_distance(a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
    assert_eq!(a.len(), b.len(), "euclidean_distance: length mismatch");
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>().sqrt()
}

/// d_E = ‖μ_V − μ_Q‖: Euclidean distance between the mean patterns of the test class V and the
/// reference class Q (Fig. 5—S1).
///
/// # Errors
/// Different numbers of neurons, or an empty class.
pub fn distance_between_means(test: ArrayView2<f64>, reference: ArrayView2<f64>) -> Result<f64> {
    check_len("neurons (columns) of the test class", reference.ncols(), test.ncols())?;
    nonempty(test)?;
    nonempty(reference)?;
    Ok(euclidean_distance(column_means(test).view(), column_means(reference).view()))
}

/// d_Ê = mean over v ∈ V of ‖v − μ_Q‖: the Mahalanobis distance without covariance
/// normalisation (Fig. 5—S1).
///
/// # Errors
/// Different numbers of neurons, or an empty class.
pub fn mean_distance_to_mean(test: ArrayView2<f64>, reference: ArrayView2<f64>) -> Result<f64> {
    check_len("neurons (columns) of the test class", reference.ncols(), test.ncols())?;
    nonempty(test)?;
    nonempty(reference)?;
    let mu = column_means(reference);
    Ok(test.rows().into_iter().map(|v| euclidean_distance(v, mu.view())).sum::<f64>() / test.nrows() as f64)
}
