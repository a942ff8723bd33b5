//! Readouts of population patterns (docs/models/dp.md#distances-and-classification): QDA, template
//! matching, linear regression of concentration, linear SVM, plus neuron subsampling and
//! cross-validation folds.
//!
//! Patterns are `ArrayView2<f64>` with **rows = patterns** (trials) and **columns = neurons**;
//! class labels are `usize` in `0..n_classes`, one per row. Random choices take the caller's
//! `rand::Rng` (rand 0.8), so results are reproducible from a seed.

mod qda;
mod regression;
mod sampling;
mod svm;
mod template;

pub use qda::Qda;
pub use regression::{LinearReadout, cross_validated_mse, mean_squared_error};
pub use sampling::{accuracy, k_folds, select_columns, select_rows, stratified_k_folds, subsample_neurons};
pub use svm::{LinearSvm, svm_cross_validated_accuracy};
pub use template::{template_matching, template_matching_accuracy};

use crate::error::{AnalysisError, Result, check_len};

/// Number of classes implied by `labels` (max + 1), checking that every class in between has at
/// least one row and that there is one label per row.
pub(crate) fn count_classes(labels: &[usize], n_rows: usize) -> Result<usize> {
    check_len("labels (one per pattern row)", n_rows, labels.len())?;
    let k = labels.iter().copied().max().map_or(0, |m| m + 1);
    if k == 0 {
        return Err(AnalysisError::TooFewSamples { what: "labelled patterns", needed: 1, found: 0 });
    }
    let mut counts = vec![0usize; k];
    for &l in labels {
        counts[l] += 1;
    }
    if let Some(c) = counts.iter().position(|&c| c == 0) {
        return Err(AnalysisError::InvalidArgument {
            name: "labels",
            value: format!("class {c} has no pattern"),
            reason: "labels must be 0..n_classes with every class present",
        });
    }
    Ok(k)
}
