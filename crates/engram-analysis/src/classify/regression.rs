//! Multiple linear regression readout (concentration from rates, Fig. 5D,E) via linfa-linear.

use linfa::prelude::*;
use linfa_linear::{FittedLinearRegression, LinearRegression};
use ndarray::{Array1, ArrayView1, ArrayView2};
use rand::Rng;

use super::sampling::{k_folds, select_rows, training_indices};
use crate::error::{AnalysisError, Result, check_len};

/// A fitted ordinary-least-squares readout y ≈ w·x + b (linfa-linear `LinearRegression` with an
/// intercept). `x`: rows = responses, columns = neurons (rates); `y`: one target per row
/// (the odor concentration in the paper).
///
/// ```
/// use ndarray::array;
/// use engram_analysis::classify::LinearReadout;
/// let x = array![[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [2.0, 1.0], [0.0, 3.0]];
/// let y = array![2.0, 3.0, 4.0, 6.0, 4.0]; // y = 2 x0 + 1 x1 + 1
/// let m = LinearReadout::fit(x.view(), y.view()).unwrap();
/// assert!((m.coefficients()[0] - 2.0).abs() < 1e-8 && (m.intercept() - 1.0).abs() < 1e-8);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LinearReadout {
    model: FittedLinearRegression<f64>,
}

impl LinearReadout {
    /// Least-squares fit with intercept.
    ///
    /// # Errors
    /// Shape mismatch, no rows, or linfa's failure (for example more coefficients than
    /// responses).
    pub fn fit(x: ArrayView2<f64>, y: ArrayView1<f64>) -> Result<Self> {
        check_len("targets (one per response row)", x.nrows(), y.len())?;
        if x.nrows() == 0 {
            return Err(AnalysisError::TooFewSamples { what: "responses for a regression", needed: 1, found: 0 });
        }
        let ds = Dataset::new(x.to_owned(), y.to_owned());
        let model = LinearRegression::new()
            .fit(&ds)
            .map_err(|e| AnalysisError::Fit { model: "linear regression (linfa-linear)", message: e.to_string() })?;
        Ok(Self { model })
    }

    /// Weights w, one per neuron.
    pub fn coefficients(&self) -> &Array1<f64> {
        self.model.params()
    }

    /// Intercept b.
    pub fn intercept(&self) -> f64 {
        self.model.intercept()
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
