//! Random neuron subsampling, row/column selection, cross-validation folds, accuracy.

use ndarray::{Array2, ArrayView2, Axis};
use rand::Rng;
use rand::seq::SliceRandom;

use crate::error::{AnalysisError, Result};

/// Draw `m` of the neuron indices `0..n` without replacement, returned sorted (the paper draws 80 E
/// neurons 50 times, docs/models/dp.md#distances-and-classification). To draw from a set (the 400
/// (pseudo-)assembly neurons), draw positions in the set: `subsample_neurons(set.len(), m, rng)`
/// and map them.
///
/// ```
/// use rand::SeedableRng;
/// use engram_analysis::classify::subsample_neurons;
/// let mut rng = rand_pcg::Pcg64::seed_from_u64(1);
/// let idx = subsample_neurons(4000, 80, &mut rng).unwrap();
/// assert_eq!(idx.len(), 80);
/// assert!(idx.windows(2).all(|w| w[0] < w[1]));
/// ```
///
/// # Errors
/// `m > n`.
pub fn subsample_neurons<R: Rng + ?Sized>(n: usize, m: usize, rng: &mut R) -> Result<Vec<usize>> {
    if m > n {
        return Err(AnalysisError::InvalidArgument {
            name: "m",
            value: m.to_string(),
            reason: "cannot draw more neurons than there are",
        });
    }
    let mut v = rand::seq::index::sample(rng, n, m).into_vec();
    v.sort_unstable();
    Ok(v)
}

/// The columns `cols` of `x` (for example a neuron subsample), as a new matrix.
///
/// # Panics
/// If an index is out of range.
pub fn select_columns(x: ArrayView2<f64>, cols: &[usize]) -> Array2<f64> {
    x.select(Axis(1), cols)
}

/// The rows `rows` of `x`, as a new matrix.
///
/// # Panics
/// If an index is out of range.
pub fn select_rows(x: ArrayView2<f64>, rows: &[usize]) -> Array2<f64> {
    x.select(Axis(0), rows)
}

fn check_k(k: usize, n: usize) -> Result<()> {
    if k < 2 || k > n {
        return Err(AnalysisError::InvalidArgument {
            name: "k",
            value: k.to_string(),
            reason: "need 2 <= k <= number of samples",
        });
    }
    Ok(())
}

/// Random partition of `0..n` into `k` folds of near-equal size (test index sets).
///
/// # Errors
/// `k < 2` or `k > n`.
pub fn k_folds<R: Rng + ?Sized>(n: usize, k: usize, rng: &mut R) -> Result<Vec<Vec<usize>>> {
    check_k(k, n)?;
    let mut idx: Vec<usize> = (0..n).collect();
    idx.shuffle(rng);
    let mut folds = vec![Vec::new(); k];
    for (i, j) in idx.into_iter().enumerate() {
        folds[i % k].push(j);
    }
    Ok(folds)
}

/// Stratified random partition into `k` folds: the rows of each class are shuffled and dealt
/// round-robin (continuing across classes), so every fold has near-equal class counts.
///
/// # Errors
/// `k < 2` or `k > labels.len()`.
pub fn stratified_k_folds<R: Rng + ?Sized>(labels: &[usize], k: usize, rng: &mut R) -> Result<Vec<Vec<usize>>> {
    check_k(k, labels.len())?;
    let n_classes = labels.iter().copied().max().map_or(0, |m| m + 1);
    let mut folds = vec![Vec::new(); k];
    let mut next = 0usize;
    for c in 0..n_classes {
        let mut members: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == c).collect();
        members.shuffle(rng);
        for j in members {
            folds[next % k].push(j);
            next += 1;
        }
    }
    Ok(folds)
}

/// Fraction of `predicted` equal to `truth`; `None` if empty.
///
/// # Panics
/// If the lengths differ.
pub fn accuracy(predicted: &[usize], truth: &[usize]) -> Option<f64> {
    assert_eq!(predicted.len(), truth.len(), "accuracy: length mismatch");
    (!truth.is_empty()).then(|| predicted.iter().zip(truth).filter(|(a, b)| a == b).count() as f64 / truth.len() as f64)
}

/// Complement of a fold in `0..n` (the training indices).
pub(crate) fn training_indices(n: usize, test: &[usize]) -> Vec<usize> {
    crate::rates::complement(test, n)
}
