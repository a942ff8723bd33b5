//! Quadratic discriminant analysis, written by hand (no crate provides it).

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use crate::distance::{CovarianceRegularization, GaussianClass};
use crate::error::{Result, check_len};

/// A fitted QDA classifier (docs/models/dp.md#distances-and-classification, Fig. 5C): one Gaussian
/// per class with its own mean μ_k and sample covariance S_k, priors π_k = class frequencies in the
/// training set, and the discriminant
///
/// δ_k(x) = −½ log|S_k| − ½ (x − μ_k)ᵀ S_k⁻¹ (x − μ_k) + log π_k.
///
/// `predict` assigns x to the class with the largest δ_k; `posterior` is softmax(δ), which is
/// exactly the Bayes posterior under the fitted Gaussians (the common (2π)^(−d/2) cancels).
///
/// ```
/// use ndarray::array;
/// use engram_analysis::classify::Qda;
/// use engram_analysis::distance::CovarianceRegularization;
/// let x = array![[0.0, 0.1], [0.2, -0.1], [-0.1, 0.0], [0.1, 0.2],
///                [5.0, 5.2], [5.3, 4.9], [4.8, 5.0], [5.1, 5.3]];
/// let y = [0, 0, 0, 0, 1, 1, 1, 1];
/// let qda = Qda::fit(x.view(), &y, CovarianceRegularization::None).unwrap();
/// assert_eq!(qda.predict(array![4.9, 5.1].view()), 1);
/// let p = qda.posterior(array![0.0, 0.0].view());
/// assert!(p[0] > 0.99 && (p.sum() - 1.0).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Qda {
    classes: Vec<GaussianClass>,
    log_priors: Vec<f64>,
}

impl Qda {
    /// Fit one Gaussian per class. `patterns`: rows = training patterns, columns = neurons;
    /// `labels[i]` in `0..n_classes` is the class of row `i`, every class present.
    ///
    /// # Errors
    /// [`crate::AnalysisError::SingularCovariance`] `{ class, .. }` when S_k is singular and
    /// `regularization` is `None` (the case of Scaled networks in the paper, where QDA is not
    /// applicable; a class needs more patterns than neurons for S_k to be invertible), a class
    /// with fewer than 2 patterns, or malformed labels.
    pub fn fit(patterns: ArrayView2<f64>, labels: &[usize], regularization: CovarianceRegularization) -> Result<Self> {
        let k = super::count_classes(labels, patterns.nrows())?;
        let n = labels.len() as f64;
        let mut classes = Vec::with_capacity(k);
        let mut log_priors = Vec::with_capacity(k);
        for c in 0..k {
            let rows: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == c).collect();
            let x = super::select_rows(patterns, &rows);
            classes.push(GaussianClass::fit(x.view(), regularization, c)?);
            log_priors.push((rows.len() as f64 / n).ln());
        }
        Ok(Self { classes, log_priors })
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.classes.len()
    }

    /// The fitted class Gaussians (mean, covariance, log determinant).
    pub fn classes(&self) -> &[GaussianClass] {
        &self.classes
    }

    /// Priors π_k (class frequencies of the training set).
    pub fn priors(&self) -> Vec<f64> {
        self.log_priors.iter().map(|l| l.exp()).collect()
    }

    /// Discriminants δ_k(x) for all classes.
    ///
    /// # Panics
    /// If `x` does not have one entry per neuron.
    pub fn discriminants(&self, x: ArrayView1<f64>) -> Array1<f64> {
        self.classes
            .iter()
            .zip(&self.log_priors)
            .map(|(g, lp)| -0.5 * g.log_det() - 0.5 * g.mahalanobis_squared(x) + lp)
            .collect()
    }

    /// Posterior class probabilities softmax(δ(x)) (sum to 1).
    ///
    /// # Panics
    /// If `x` does not have one entry per neuron.
    pub fn posterior(&self, x: ArrayView1<f64>) -> Array1<f64> {
        let d = self.discriminants(x);
        let m = d.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let e = d.mapv(|v| (v - m).exp());
        let s = e.sum();
        e / s
    }

    /// The class with the largest discriminant (lowest label on exact ties).
    ///
    /// # Panics
    /// If `x` does not have one entry per neuron.
    pub fn predict(&self, x: ArrayView1<f64>) -> usize {
        argmax(self.discriminants(x).view())
    }

    /// Posterior for every row of `patterns`: shape (patterns × classes). Column k of a test
    /// set's posteriors, averaged, is the paper's P_target when k is the target class.
    ///
    /// # Errors
    /// Wrong number of columns.
    pub fn posterior_batch(&self, patterns: ArrayView2<f64>) -> Result<Array2<f64>> {
        self.check_dim(patterns)?;
        let mut out = Array2::zeros((patterns.nrows(), self.n_classes()));
        for (i, row) in patterns.rows().into_iter().enumerate() {
            out.row_mut(i).assign(&self.posterior(row));
        }
        Ok(out)
    }

    /// [`Qda::predict`] for every row of `patterns`.
    ///
    /// # Errors
    /// Wrong number of columns.
    pub fn predict_batch(&self, patterns: ArrayView2<f64>) -> Result<Vec<usize>> {
        self.check_dim(patterns)?;
        Ok(patterns.rows().into_iter().map(|r| self.predict(r)).collect())
    }

    fn check_dim(&self, patterns: ArrayView2<f64>) -> Result<()> {
        check_len("neurons (columns) of the patterns", self.classes[0].mean().len(), patterns.ncols())
    }
}

pub(crate) fn argmax(v: ArrayView1<f64>) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}
