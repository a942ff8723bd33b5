//! Multiple linear regression readout (concentration from rates, Fig. 5D,E): least squares with
//! an intercept, solved through the eigendecomposition of the design's Gram matrix so that
//! collinear neurons give the minimum-norm fit instead of running away.

use nalgebra::{DMatrix, DVector, SymmetricEigen};
use ndarray::{Array1, ArrayView1, ArrayView2, Axis};
use rand::Rng;

use super::sampling::{k_folds, select_rows, training_indices};
use crate::error::{AnalysisError, Result, check_len};

/// A fitted ordinary-least-squares readout y ≈ w·x + b. `x`: rows = responses, columns =
/// neurons (rates); `y`: one target per row (the odor concentration in the paper).
///
/// ```
/// use ndarray::array;
/// use engram_analysis::classify::LinearReadout;
/// let x = array![[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [2.0, 1.0], [0.0, 3.0]];
/// let y = array![2.0, 3.0, 4.0, 6.0, 4.0]; // y = 2 x0 + 1 x1 + 1
/// let m = LinearReadout::fit(x.view(), y.view()).unwrap();
/// assert!((m.coefficients()[0] - 2.0).abs() < 1e-8 && (m.intercept() - 1.0).abs() < 1e-8);
///
/// // Two identical neurons: the weight is shared between them (minimum norm), and the fit is
/// // the same as with one of them.
/// let twins = array![[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]];
/// let m = LinearReadout::fit(twins.view(), array![1.0, 3.0, 5.0, 7.0].view()).unwrap();
/// assert!((m.coefficients()[0] - 1.0).abs() < 1e-9 && (m.coefficients()[1] - 1.0).abs() < 1e-9);
/// ```
///
/// How it is solved: the columns and the targets are centred (the intercept is then
/// b = ȳ − w·x̄), and the centred design X is solved through the eigendecomposition of its
/// Gram matrix on the smaller side (XᵀX for more responses than neurons, XXᵀ otherwise),
/// whose eigenvalues are the squared singular values of X. Eigenvalues below
/// `max(rows, columns) · ε · λ_max` (the rounding of forming the Gram matrix) are treated as
/// zero. On a full-rank, well-conditioned design this is the ordinary least-squares fit. On a
/// rank-deficient one (neurons whose rates are linear combinations of others, as the
/// saturated assemblies of Scaled I networks give) the predictions are the least-squares
/// projection onto the kept directions, and the weights are the smallest that produce it, so
/// the in-sample error never exceeds the targets' variance.
///
/// (nalgebra 0.35's `SVD` is not used: asked for its singular vectors, it returns wrong
/// singular values for some rank-deficient matrices, e.g. identical columns — upstream issue
/// dimforge/nalgebra#1172; a test here keeps such a design.)
#[derive(Debug, Clone, PartialEq)]
pub struct LinearReadout {
    coefficients: Array1<f64>,
    intercept: f64,
}

impl LinearReadout {
    /// Least-squares fit with intercept (see the type's docs for the method).
    ///
    /// # Errors
    /// Shape mismatch, no rows, or a non-finite value in `x` or `y`.
    pub fn fit(x: ArrayView2<f64>, y: ArrayView1<f64>) -> Result<Self> {
        check_len("targets (one per response row)", x.nrows(), y.len())?;
        let (n, p) = x.dim();
        if n == 0 {
            return Err(AnalysisError::TooFewSamples { what: "responses for a regression", needed: 1, found: 0 });
        }
        if x.iter().chain(y.iter()).any(|v| !v.is_finite()) {
            return Err(AnalysisError::Fit {
                model: "linear regression",
                message: "a rate or target is not finite".into(),
            });
        }
        let x_mean = x.mean_axis(Axis(0)).expect("at least one row");
        let y_mean = y.mean().expect("at least one row");
        let centred = DMatrix::from_fn(n, p, |i, j| x[[i, j]] - x_mean[j]);
        let target = DVector::from_fn(n, |i, _| y[i] - y_mean);
        let w = min_norm_least_squares(&centred, &target);
        let coefficients = Array1::from_iter(w.iter().copied());
        let intercept = y_mean - coefficients.dot(&x_mean);
        Ok(Self { coefficients, intercept })
    }

    /// Weights w, one per neuron.
    pub fn coefficients(&self) -> &Array1<f64> {
        &self.coefficients
    }

    /// Intercept b.
    pub fn intercept(&self) -> f64 {
        self.intercept
    }

    /// Predictions w·x + b for each row of `x`.
    ///
    /// # Errors
    /// Wrong number of columns.
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        check_len("neurons (columns)", self.coefficients().len(), x.ncols())?;
        Ok(x.dot(self.coefficients()) + self.intercept())
    }
}

/// The minimum-norm w minimising |X w − t|², through the eigendecomposition of the Gram
/// matrix on X's smaller side (see [`LinearReadout`]).
fn min_norm_least_squares(x: &DMatrix<f64>, t: &DVector<f64>) -> DVector<f64> {
    let (n, p) = x.shape();
    let neurons_side = p <= n;
    let gram = if neurons_side { x.tr_mul(x) } else { x * x.transpose() };
    let eig = SymmetricEigen::new(gram);
    let largest = eig.eigenvalues.iter().copied().fold(0.0_f64, f64::max);
    let tolerance = n.max(p) as f64 * f64::EPSILON * largest;
    // project the right-hand side onto each kept eigenvector, divided by its eigenvalue
    let rhs = if neurons_side { x.tr_mul(t) } else { t.clone() };
    let mut solution = DVector::zeros(rhs.len());
    for (k, &lambda) in eig.eigenvalues.iter().enumerate() {
        if lambda > tolerance {
            let v = eig.eigenvectors.column(k);
            solution += v * (v.dot(&rhs) / lambda);
        }
    }
    if neurons_side { solution } else { x.tr_mul(&solution) }
}

/// Mean squared error between predictions and targets; `None` if empty.
///
/// # Panics
/// If the lengths differ.
pub fn mean_squared_error(predicted: ArrayView1<f64>, truth: ArrayView1<f64>) -> Option<f64> {
    assert_eq!(predicted.len(), truth.len(), "mean_squared_error: length mismatch");
    (!truth.is_empty())
        .then(|| predicted.iter().zip(truth).map(|(p, t)| (p - t) * (p - t)).sum::<f64>() / truth.len() as f64)
}

/// K-fold cross-validated MSE of the [`LinearReadout`]: random folds from `rng`, fit on k − 1
/// folds, predict the held-out fold; returns the MSE over all held-out predictions.
///
/// # Errors
/// `k < 2` or `k > rows`, shape mismatch, or a failing fit.
pub fn cross_validated_mse<R: Rng + ?Sized>(
    x: ArrayView2<f64>,
    y: ArrayView1<f64>,
    k: usize,
    rng: &mut R,
) -> Result<f64> {
    check_len("targets (one per response row)", x.nrows(), y.len())?;
    let folds = k_folds(x.nrows(), k, rng)?;
    let mut se = 0.0;
    for test in &folds {
        let train = training_indices(x.nrows(), test);
        let m = LinearReadout::fit(select_rows(x, &train).view(), y.select(ndarray::Axis(0), &train).view())?;
        let pred = m.predict(select_rows(x, test).view())?;
        se += pred.iter().zip(test).map(|(p, &i)| (p - y[i]) * (p - y[i])).sum::<f64>();
    }
    Ok(se / x.nrows() as f64)
}
