//! Multiclass linear SVM (concentration classes, Fig. 5F) from linfa-svm binary machines,
//! combined one-vs-one like MATLAB's `fitcecoc` default.

use linfa::prelude::*;
use linfa_svm::Svm;
use ndarray::{Array1, ArrayView2};
use rand::Rng;

use super::sampling::{select_rows, stratified_k_folds, training_indices};
use crate::error::{AnalysisError, Result, check_len};

/// A multiclass linear SVM: one binary linfa-svm machine (linear kernel, soft margin C) per
/// pair of classes, trained on the rows of those two classes; a pattern gets one vote per
/// machine and is assigned the class with most votes, the lowest label on ties. This is the
/// one-vs-one coding of the paper's MATLAB `fitcecoc` (which breaks ties by a loss instead).
/// No feature standardisation (`fitcecoc`'s default for linear learners).
///
/// ```
/// use ndarray::array;
/// use engram_analysis::classify::LinearSvm;
/// let x = array![[0.0, 0.0], [0.5, 0.2], [5.0, 0.0], [5.5, 0.3], [0.0, 5.0], [0.2, 5.5]];
/// let svm = LinearSvm::fit(x.view(), &[0, 0, 1, 1, 2, 2], 1.0).unwrap();
/// assert_eq!(svm.predict(array![[5.2, 0.1], [0.1, 4.8]].view()).unwrap(), vec![1, 2]);
/// ```
pub struct LinearSvm {
    n_classes: usize,
    n_features: usize,
    /// (a, b, machine): the machine predicts `true` for class a, `false` for class b.
    machines: Vec<(usize, usize, Svm<f64, bool>)>,
}

impl std::fmt::Debug for LinearSvm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinearSvm")
            .field("n_classes", &self.n_classes)
            .field("n_features", &self.n_features)
            .field("machines", &self.machines.len())
            .finish()
    }
}

impl LinearSvm {
    /// Train on `x` (rows = responses, columns = neurons) with `labels` in `0..n_classes`
    /// (every class present, at least 2) and soft-margin constant `c` (MATLAB's default box
    /// constraint is 1).
    ///
    /// # Errors
    /// Malformed labels, fewer than 2 classes, non-positive `c`, or linfa's failure.
    pub fn fit(x: ArrayView2<f64>, labels: &[usize], c: f64) -> Result<Self> {
        let k = super::count_classes(labels, x.nrows())?;
        if k < 2 {
            return Err(AnalysisError::TooFewSamples { what: "classes for an SVM", needed: 2, found: k });
        }
        if !(c > 0.0 && c.is_finite()) {
            return Err(AnalysisError::InvalidArgument {
                name: "c",
                value: c.to_string(),
                reason: "the soft-margin constant must be positive and finite",
            });
        }
        let params = Svm::<f64, bool>::params().linear_kernel().pos_neg_weights(c, c);
        let mut machines = Vec::with_capacity(k * (k - 1) / 2);
        for a in 0..k {
            for b in a + 1..k {
                let rows: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == a || labels[i] == b).collect();
                let xs = select_rows(x, &rows);
                let ys: Array1<bool> = rows.iter().map(|&i| labels[i] == a).collect();
                let m = params
                    .fit(&Dataset::new(xs, ys))
                    .map_err(|e| AnalysisError::Fit { model: "linear SVM (linfa-svm)", message: e.to_string() })?;
                machines.push((a, b, m));
            }
        }
        Ok(Self { n_classes: k, n_features: x.ncols(), machines })
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Predicted class of each row of `x`.
    ///
    /// # Errors
    /// Wrong number of columns.
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Vec<usize>> {
        check_len("neurons (columns)", self.n_features, x.ncols())?;
        let mut votes = vec![vec![0usize; self.n_classes]; x.nrows()];
        for (a, b, m) in &self.machines {
            let p: Array1<bool> = m.predict(&x);
            for (v, &is_a) in votes.iter_mut().zip(p.iter()) {
                v[if is_a { *a } else { *b }] += 1;
            }
        }
        Ok(votes
            .iter()
            .map(|v| {
                let mut best = 0;
                for (i, &c) in v.iter().enumerate() {
                    if c > v[best] {
                        best = i;
                    }
                }
                best
            })
            .collect())
    }
}

/// Cross-validated accuracy of [`LinearSvm`]: `repetitions` times, split the rows into `k`
/// stratified random folds ([`stratified_k_folds`]), train on k − 1 and test on the held-out
/// fold; returns the mean over repetitions of the fraction of correctly classified rows (the
/// paper: twofold, 20 repetitions).
///
/// # Errors
/// As [`LinearSvm::fit`] on a training split (for example a class missing from it), `k` out
/// of range, or `repetitions == 0`.
pub fn svm_cross_validated_accuracy<R: Rng + ?Sized>(
    x: ArrayView2<f64>,
    labels: &[usize],
    k: usize,
    repetitions: usize,
    c: f64,
    rng: &mut R,
) -> Result<f64> {
    check_len("labels (one per response row)", x.nrows(), labels.len())?;
    if repetitions == 0 {
        return Err(AnalysisError::InvalidArgument {
            name: "repetitions",
            value: "0".into(),
            reason: "need at least one repetition",
        });
    }
    let mut total = 0.0;
    for _ in 0..repetitions {
        let folds = stratified_k_folds(labels, k, rng)?;
        let mut correct = 0usize;
        for test in &folds {
            let train = training_indices(x.nrows(), test);
            let train_labels: Vec<usize> = train.iter().map(|&i| labels[i]).collect();
            let svm = LinearSvm::fit(select_rows(x, &train).view(), &train_labels, c)?;
            let pred = svm.predict(select_rows(x, test).view())?;
            correct += pred.iter().zip(test).filter(|(p, i)| **p == labels[**i]).count();
        }
        total += correct as f64 / x.nrows() as f64;
    }
    Ok(total / repetitions as f64)
}
