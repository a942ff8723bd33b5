//! Pearson correlations: of two vectors, between patterns, and between time bins.
//!
//! Matrices of correlations use `NaN` for entries that are undefined (a vector with zero
//! variance); [`mean_off_diagonal`] skips them.

use ndarray::{Array2, ArrayView1, ArrayView2, Axis};

use crate::error::{AnalysisError, Result, check_len};

/// Pearson correlation coefficient of `x` and `y`. `None` if they have fewer than 2 elements or
/// either has zero variance.
///
/// ```
/// use engram_analysis::correlation::pearson_correlation;
/// let r = pearson_correlation(&[1.0, 2.0, 3.0], &[2.0, 4.0, 7.0]).unwrap();
/// assert!(r > 0.98);
/// assert_eq!(pearson_correlation(&[1.0, 1.0], &[0.0, 1.0]), None);
/// ```
///
/// # Panics
/// If `x` and `y` have different lengths.
pub fn pearson_correlation(x: &[f64], y: &[f64]) -> Option<f64> {
    assert_eq!(x.len(), y.len(), "pearson_correlation: length mismatch");
    pearson_iter(x.iter().copied(), y.iter().copied(), x.len())
}

/// [`pearson_correlation`] of two ndarray views (rows or columns of a matrix).
///
/// # Panics
/// If the views have different lengths.
pub fn pearson_correlation_view(x: ArrayView1<f64>, y: ArrayView1<f64>) -> Option<f64> {
    assert_eq!(x.len(), y.len(), "pearson_correlation: length mismatch");
    pearson_iter(x.iter().copied(), y.iter().copied(), x.len())
}

fn pearson_iter(x: impl Iterator<Item = f64> + Clone, y: impl Iterator<Item = f64> + Clone, n: usize) -> Option<f64> {
    if n < 2 {
        return None;
    }
    let mx = x.clone().sum::<f64>() / n as f64;
    let my = y.clone().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.zip(y) {
        let (da, db) = (a - mx, b - my);
        sxy += da * db;
        sxx += da * da;
        syy += db * db;
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    Some((sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

/// Pattern correlation matrix: entry `(i, j)` is the Pearson correlation between **rows** `i`
/// and `j` of `patterns` (rows = patterns/odors, columns = neurons). Shape (rows × rows),
/// symmetric, diagonal 1 (or `NaN` for a constant row); undefined entries are `NaN`.
/// The paper's "pattern correlation" is the mean off-diagonal of this matrix for the E rate
/// vectors (docs/models/dp.md#fitting-observables).
pub fn pattern_correlation_matrix(patterns: ArrayView2<f64>) -> Array2<f64> {
    let r = patterns.nrows();
    let mut c = Array2::from_elem((r, r), f64::NAN);
    for i in 0..r {
        for j in i..r {
            let v = pearson_correlation_view(patterns.row(i), patterns.row(j)).unwrap_or(f64::NAN);
            c[[i, j]] = v;
            c[[j, i]] = v;
        }
    }
    c
}

/// Time–time correlation between two trials: entry `(t1, t2)` is the Pearson correlation
/// between **column** `t1` of `a` and column `t2` of `b`, where `a` and `b` are binned rate
/// matrices of shape (neurons × bins) from [`crate::rates::binned_rates_hz`]. Undefined entries
/// (a silent bin) are `NaN`. Pass the same matrix twice for a within-trial matrix.
///
/// # Errors
/// `a` and `b` have different numbers of neurons.
pub fn time_time_correlation(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Result<Array2<f64>> {
    check_len("neurons (rows) of the second trial", a.nrows(), b.nrows())?;
    let mut c = Array2::from_elem((a.ncols(), b.ncols()), f64::NAN);
    for t1 in 0..a.ncols() {
        for t2 in 0..b.ncols() {
            if let Some(v) = pearson_correlation_view(a.column(t1), b.column(t2)) {
                c[[t1, t2]] = v;
            }
        }
    }
    Ok(c)
}

/// Trial-averaged time–time correlation (Fig. 2E bottom, Fig. 2—S2D): each `trials[k]` is a binned
/// rate matrix (neurons × bins) of one trial of the same odor. Off-diagonal entries `(t1, t2)`,
/// `t1 ≠ t2`, average over all ordered trial pairs `(k, l)`, same trial included; diagonal entries
/// average only over pairs from different trials (`k ≠ l`), as in the paper
/// (docs/models/dp.md#rates-and-dynamics). `NaN` entries of single pairs are skipped; an entry with
/// no defined pair is `NaN`.
///
/// # Errors
/// Fewer than 2 trials, or trials of different shapes.
pub fn mean_time_time_correlation(trials: &[ArrayView2<f64>]) -> Result<Array2<f64>> {
    if trials.len() < 2 {
        return Err(AnalysisError::TooFewSamples {
            what: "trials for a time-time correlation (the diagonal needs different trials)",
            needed: 2,
            found: trials.len(),
        });
    }
    let (nn, nb) = trials[0].dim();
    for t in trials {
        check_len("neurons (rows) of each trial", nn, t.nrows())?;
        check_len("bins (columns) of each trial", nb, t.ncols())?;
    }
    let mut sum = Array2::<f64>::zeros((nb, nb));
    let mut count = Array2::<f64>::zeros((nb, nb));
    for (k, a) in trials.iter().enumerate() {
        for (l, b) in trials.iter().enumerate() {
            let c = time_time_correlation(a.view(), b.view())?;
            for ((t1, t2), &v) in c.indexed_iter() {
                if (t1 == t2 && k == l) || v.is_nan() {
                    continue;
                }
                sum[[t1, t2]] += v;
                count[[t1, t2]] += 1.0;
            }
        }
    }
    Ok(ndarray::Zip::from(&sum).and(&count).map_collect(|&s, &c| if c > 0.0 { s / c } else { f64::NAN }))
}

/// Mean of the off-diagonal entries of a square matrix, skipping `NaN`. `None` if the matrix is
/// not square or has no defined off-diagonal entry.
pub fn mean_off_diagonal(m: ArrayView2<f64>) -> Option<f64> {
    if m.nrows() != m.ncols() {
        return None;
    }
    let (mut s, mut c) = (0.0, 0usize);
    for ((i, j), &v) in m.indexed_iter() {
        if i != j && !v.is_nan() {
            s += v;
            c += 1;
        }
    }
    (c > 0).then(|| s / c as f64)
}

/// Mean pattern correlation of the rows of `patterns` (rows = patterns, columns = neurons):
/// the mean Pearson r over all pairs of different rows, skipping undefined pairs.
pub fn mean_pattern_correlation(patterns: ArrayView2<f64>) -> Option<f64> {
    mean_off_diagonal(pattern_correlation_matrix(patterns).view())
}

/// Column means of a matrix: with rows = observations this is the mean pattern.
pub(crate) fn column_means(x: ArrayView2<f64>) -> ndarray::Array1<f64> {
    x.mean_axis(Axis(0)).unwrap_or_else(|| ndarray::Array1::zeros(x.ncols()))
}
