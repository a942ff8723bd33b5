//! State-space geometry (docs/models/dp.md#geometry, Fig. 4): PCA, explained variance,
//! participation ratio, local variance around pure odors, and angles between difference vectors.
//!
//! Patterns are `ArrayView2<f64>` with **rows = patterns** (odor presentations, time-averaged
//! rate vectors) and **columns = neurons**. Variances use n − 1 in the denominator (the sample
//! covariance), so PCA eigenvalues are the eigenvalues of the sample covariance.
//!
//! PCA itself is linfa-reduction's `Pca` (truncated SVD of the centred data) for a few
//! components, and an exact eigendecomposition for many ([`PcaSolver`]). Two things are
//! computed here instead of taken from linfa: linfa's `explained_variance_ratio` is normalised
//! over the *k kept* components only (and its `explained_variance` divides by k − 1 instead of
//! n − 1), so [`PcaResult::explained_variance_ratio`] is recomputed relative to the total
//! variance (the trace of the covariance); and the full eigenvalue spectrum needed for the
//! participation ratio comes from [`covariance_spectrum`] (nalgebra `SymmetricEigen`), because a
//! PCA with k components only knows k eigenvalues.

use std::ops::Range;

use linfa::prelude::*;
use nalgebra::{DMatrix, SymmetricEigen};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use crate::correlation::{column_means, pearson_correlation, pearson_correlation_view};
use crate::error::{AnalysisError, Result};

/// A fitted PCA: the first k principal components and the projections of the fitted patterns.
#[derive(Debug, Clone, PartialEq)]
pub struct PcaResult {
    /// Projections of the patterns on the components, shape (patterns × k).
    pub projections: Array2<f64>,
    /// Principal axes as rows, shape (k × neurons), unit length, in order of decreasing
    /// variance. The sign of each axis is fixed so that its largest-magnitude loading is positive.
    pub components: Array2<f64>,
    /// Mean pattern (one entry per neuron) subtracted before projecting.
    pub mean: Array1<f64>,
    /// Variance along each component (eigenvalues of the sample covariance), length k.
    pub explained_variance: Array1<f64>,
    /// `explained_variance / total_variance`, length k.
    pub explained_variance_ratio: Array1<f64>,
    /// Total variance: the trace of the sample covariance (sum of all eigenvalues).
    pub total_variance: f64,
    /// The eigensolver that was used (`Linfa` or `Exact`, never `Auto`).
    pub solver: PcaSolver,
}

impl PcaResult {
    /// Project new patterns (rows, same neurons) on the components: shape (patterns × k).
    ///
    /// # Panics
    /// If the number of columns differs from the fitted number of neurons.
    pub fn project(&self, patterns: ArrayView2<f64>) -> Array2<f64> {
        (&patterns - &self.mean).dot(&self.components.t())
    }
}

/// Which eigensolver [`pca_with`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PcaSolver {
    /// linfa-reduction when `5·k ≤ min(patterns, neurons)`, exact otherwise. linfa's truncated
    /// SVD is LOBPCG, which is meant for a few leading components (its source keeps a disabled
    /// check at `5·k`); with k = 400 of 968 patterns it stops before converging, with errors up
    /// to 20 % in the trailing eigenvalues (measured), so large k take the exact route.
    #[default]
    Auto,
    /// linfa-reduction `Pca::params(k)` (LOBPCG truncated SVD).
    Linfa,
    /// Full symmetric eigendecomposition (nalgebra `SymmetricEigen`) of the covariance or of
    /// the Gram matrix of the centred patterns, whichever is smaller.
    Exact,
}

/// PCA of `patterns` (rows = patterns, columns = neurons) keeping `k` components, with
/// [`PcaSolver::Auto`]: linfa-reduction (`Pca::params(k)`) for a few components, the exact
/// eigendecomposition for many.
///
/// ```
/// use ndarray::array;
/// use engram_analysis::pca::pca;
/// // points on the line y = 2x: one component explains everything
/// let x = array![[0.0, 0.0], [1.0, 2.0], [2.0, 4.0], [3.0, 6.0]];
/// let p = pca(x.view(), 1).unwrap();
/// assert!((p.explained_variance_ratio[0] - 1.0).abs() < 1e-6);
/// let axis = p.components.row(0);
/// assert!((axis[1] / axis[0] - 2.0).abs() < 1e-6);
/// ```
///
/// # Errors
/// Fewer than 2 patterns, `k == 0` or `k > min(patterns, neurons)`, or linfa's failure.
pub fn pca(patterns: ArrayView2<f64>, k: usize) -> Result<PcaResult> {
    pca_with(patterns, k, PcaSolver::Auto)
}

/// [`pca`] with an explicit choice of eigensolver.
///
/// # Errors
/// As [`pca`].
pub fn pca_with(patterns: ArrayView2<f64>, k: usize, solver: PcaSolver) -> Result<PcaResult> {
    let (n, d) = patterns.dim();
    if n < 2 {
        return Err(AnalysisError::TooFewSamples { what: "patterns for a PCA", needed: 2, found: n });
    }
    if k == 0 || k > n.min(d) {
        return Err(AnalysisError::InvalidArgument {
            name: "k",
            value: k.to_string(),
            reason: "need 1 <= k <= min(number of patterns, number of neurons)",
        });
    }
    let use_linfa = match solver {
        PcaSolver::Auto => 5 * k <= n.min(d),
        PcaSolver::Linfa => true,
        PcaSolver::Exact => false,
    };
    let (mean, mut components, explained_variance) =
        if use_linfa { linfa_pca(patterns, k)? } else { exact_pca(patterns, k) };
    for mut row in components.rows_mut() {
        let big = row.iter().copied().fold(0.0f64, |b, x| if x.abs() > b.abs() { x } else { b });
        if big < 0.0 {
            row.mapv_inplace(|x| -x);
        }
    }
    let centred = &patterns - &mean;
    let total_variance = centred.iter().map(|x| x * x).sum::<f64>() / (n as f64 - 1.0);
    let explained_variance_ratio =
        if total_variance > 0.0 { &explained_variance / total_variance } else { Array1::zeros(k) };
    let projections = centred.dot(&components.t());
    Ok(PcaResult {
        projections,
        components,
        mean,
        explained_variance,
        explained_variance_ratio,
        total_variance,
        solver: if use_linfa { PcaSolver::Linfa } else { PcaSolver::Exact },
    })
}

type PcaParts = (Array1<f64>, Array2<f64>, Array1<f64>);

fn linfa_pca(patterns: ArrayView2<f64>, k: usize) -> Result<PcaParts> {
    let n = patterns.nrows();
    let ds = DatasetBase::from(patterns.to_owned());
    let model: linfa_reduction::Pca<f64> = linfa_reduction::Pca::params(k)
        .fit(&ds)
        .map_err(|e| AnalysisError::Fit { model: "PCA (linfa-reduction)", message: e.to_string() })?;
    // λ = σ² / (n − 1); linfa's own explained_variance divides by (k − 1)
    let ev = model.singular_values().mapv(|s| s * s / (n as f64 - 1.0));
    Ok((model.mean().clone(), model.components().clone(), ev))
}

/// Top-k eigenpairs of the sample covariance by a full symmetric eigendecomposition.
fn exact_pca(patterns: ArrayView2<f64>, k: usize) -> PcaParts {
    let (n, d) = patterns.dim();
    let mean = column_means(patterns);
    let centred = &patterns - &mean;
    let scale = 1.0 / (n as f64 - 1.0);
    let gram = n <= d;
    let m = if gram { centred.dot(&centred.t()) * scale } else { centred.t().dot(&centred) * scale };
    let s = m.nrows();
    let eig = SymmetricEigen::new(DMatrix::from_fn(s, s, |i, j| m[[i, j]]));
    let mut order: Vec<usize> = (0..s).collect();
    order.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]));
    let mut components = Array2::<f64>::zeros((k, d));
    let mut ev = Array1::<f64>::zeros(k);
    for (row, &c) in order.iter().take(k).enumerate() {
        let l = eig.eigenvalues[c].max(0.0);
        ev[row] = l;
        let vec = Array1::from_iter((0..s).map(|i| eig.eigenvectors[(i, c)]));
        if gram {
            // v = Xcᵀ u / ‖Xcᵀ u‖ (‖Xcᵀ u‖² = (n − 1) λ)
            let v = centred.t().dot(&vec);
            let norm = v.dot(&v).sqrt();
            if norm > 0.0 {
                components.row_mut(row).assign(&(v / norm));
            }
        } else {
            components.row_mut(row).assign(&vec);
        }
    }
    (mean, components, ev)
}

/// All eigenvalues of the sample covariance of `patterns` (rows = patterns, columns = neurons),
/// in decreasing order, negative rounding residues set to 0. Computed with nalgebra's
/// `SymmetricEigen` on the smaller of the covariance (neurons × neurons) and the Gram matrix
/// of the centred patterns (patterns × patterns), which share their nonzero eigenvalues; the
/// result has min(patterns, neurons) entries.
///
/// # Errors
/// Fewer than 2 patterns.
pub fn covariance_spectrum(patterns: ArrayView2<f64>) -> Result<Vec<f64>> {
    let (n, d) = patterns.dim();
    if n < 2 {
        return Err(AnalysisError::TooFewSamples { what: "patterns for a covariance spectrum", needed: 2, found: n });
    }
    let centred = &patterns - &column_means(patterns);
    let scale = 1.0 / (n as f64 - 1.0);
    let m = if n <= d { centred.dot(&centred.t()) * scale } else { centred.t().dot(&centred) * scale };
    let s = m.nrows();
    let eig = SymmetricEigen::new(DMatrix::from_fn(s, s, |i, j| m[[i, j]]));
    let mut l: Vec<f64> = eig.eigenvalues.iter().map(|&x| x.max(0.0)).collect();
    l.sort_by(|a, b| b.total_cmp(a));
    Ok(l)
}

/// Participation ratio PR = (Σλᵢ)² / Σλᵢ² of covariance eigenvalues (docs/models/dp.md#geometry; no
/// normalisation by the number of neurons). PR is 1 when one eigenvalue carries all variance and d
/// when d eigenvalues are equal. `None` when all eigenvalues are zero or the slice is empty.
///
/// ```
/// use engram_analysis::pca::participation_ratio;
/// assert_eq!(participation_ratio(&[1.0, 1.0, 1.0]), Some(3.0));
/// assert_eq!(participation_ratio(&[2.0, 0.0, 0.0]), Some(1.0));
/// assert_eq!(participation_ratio(&[3.0, 1.0]), Some(16.0 / 10.0));
/// ```
pub fn participation_ratio(eigenvalues: &[f64]) -> Option<f64> {
    let s: f64 = eigenvalues.iter().sum();
    let s2: f64 = eigenvalues.iter().map(|l| l * l).sum();
    (s2 > 0.0).then(|| s * s / s2)
}

/// Participation ratio of `patterns` (rows = patterns, columns = neurons) from the full
/// covariance spectrum ([`covariance_spectrum`]). `Ok(None)` when the patterns do not vary.
///
/// # Errors
/// Fewer than 2 patterns.
pub fn participation_ratio_of_patterns(patterns: ArrayView2<f64>) -> Result<Option<f64>> {
    Ok(participation_ratio(&covariance_spectrum(patterns)?))
}

/// Smallest number of leading eigenvalues (in decreasing order) whose sum is at least
/// `fraction` of the total (the paper: 400 PCs explain ≥ 75 % of the variance). `None` if all
/// eigenvalues are zero or `fraction` is not in (0, 1].
pub fn n_components_for_variance(eigenvalues: &[f64], fraction: f64) -> Option<usize> {
    if !(fraction > 0.0 && fraction <= 1.0) {
        return None;
    }
    let mut l = eigenvalues.to_vec();
    l.sort_by(|a, b| b.total_cmp(a));
    let total: f64 = l.iter().sum();
    if total <= 0.0 {
        return None;
    }
    let mut acc = 0.0;
    for (i, x) in l.iter().enumerate() {
        acc += x;
        // tolerate rounding when the fraction is reached exactly
        if acc >= fraction * total * (1.0 - 1e-12) {
            return Some(i + 1);
        }
    }
    Some(l.len())
}

/// Local variance (Fig. 4G): the sample variance, along each principal component in `pcs`
/// (0-based column range of `projections`), of the projections of the patterns in `members`
/// (a pure odor and its 7 most closely related mixtures in the paper). `projections` has
/// rows = patterns and columns = PCs (e.g. [`PcaResult::projections`] of the global PCA).
/// Returns one variance per PC in `pcs`.
///
/// # Errors
/// Fewer than 2 members, or an index (member or PC) out of range.
pub fn local_variance(projections: ArrayView2<f64>, members: &[usize], pcs: Range<usize>) -> Result<Vec<f64>> {
    if members.len() < 2 {
        return Err(AnalysisError::TooFewSamples {
            what: "patterns for a local variance",
            needed: 2,
            found: members.len(),
        });
    }
    if pcs.end > projections.ncols() {
        return Err(AnalysisError::ShapeMismatch {
            what: "PC range end (at most the number of projection columns)",
            expected: projections.ncols(),
            found: pcs.end,
        });
    }
    if let Some(&bad) = members.iter().find(|&&m| m >= projections.nrows()) {
        return Err(AnalysisError::ShapeMismatch {
            what: "member index (below the number of patterns)",
            expected: projections.nrows(),
            found: bad,
        });
    }
    Ok(pcs
        .map(|c| {
            let v: Vec<f64> = members.iter().map(|&m| projections[[m, c]]).collect();
            crate::stats::sd(&v).map_or(0.0, |s| s * s)
        })
        .collect())
}

/// Indices of the `m` rows of `reference` most correlated (Pearson) with row `index`, itself
/// excluded, in decreasing order of correlation; rows with undefined correlation come last.
/// With `reference` the OB input patterns this picks "the 7 most closely related mixtures" of a
/// pure odor (docs/models/dp.md#geometry).
///
/// # Panics
/// If `index` is out of range.
pub fn most_correlated(reference: ArrayView2<f64>, index: usize, m: usize) -> Vec<usize> {
    let target = reference.row(index);
    let mut scored: Vec<(usize, f64)> = (0..reference.nrows())
        .filter(|&j| j != index)
        .map(|j| {
            let r = pearson_correlation_view(target, reference.row(j)).unwrap_or(f64::NEG_INFINITY);
            (j, r)
        })
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scored.into_iter().take(m).map(|(j, _)| j).collect()
}

/// Angle (radians, in [0, π]) between vectors `a` and `b`; `None` if either is zero.
///
/// ```
/// use ndarray::array;
/// use engram_analysis::pca::angle;
/// let t = angle(array![1.0, 0.0].view(), array![1.0, 1.0].view()).unwrap();
/// assert!((t - std::f64::consts::FRAC_PI_4).abs() < 1e-12);
/// ```
///
/// # Panics
/// If the lengths differ.
pub fn angle(a: ArrayView1<f64>, b: ArrayView1<f64>) -> Option<f64> {
    assert_eq!(a.len(), b.len(), "angle: length mismatch");
    let na = a.dot(&a).sqrt();
    let nb = b.dot(&b).sqrt();
    if na == 0.0 || nb == 0.0 {
        return None;
    }
    Some((a.dot(&b) / (na * nb)).clamp(-1.0, 1.0).acos())
}

/// θ = arccos[(s_z − p)·(s_y − p) / (‖s_z − p‖ ‖s_y − p‖)] (Fig. 4H): the angle at pattern `p`
/// between the difference vectors to `s_y` and `s_z`. `None` if either equals `p`.
///
/// # Panics
/// If the lengths differ.
pub fn angle_between_differences(p: ArrayView1<f64>, s_y: ArrayView1<f64>, s_z: ArrayView1<f64>) -> Option<f64> {
    angle((&s_y - &p).view(), (&s_z - &p).view())
}

/// All angles at pattern `center` between the difference vectors to each unordered pair of
/// `neighbours` (rows of `patterns`, rows = patterns, columns = neurons or PCs): 7 neighbours
/// give the paper's 21 angles per trajectory. Undefined angles (a neighbour equal to the
/// center) are skipped.
///
/// # Panics
/// If an index is out of range.
pub fn angles_around(patterns: ArrayView2<f64>, center: usize, neighbours: &[usize]) -> Vec<f64> {
    let p = patterns.row(center);
    let mut out = Vec::with_capacity(neighbours.len() * neighbours.len().saturating_sub(1) / 2);
    for (a, &y) in neighbours.iter().enumerate() {
        for &z in &neighbours[a + 1..] {
            if let Some(t) = angle_between_differences(p, patterns.row(y), patterns.row(z)) {
                out.push(t);
            }
        }
    }
    out
}

/// Euclidean distances between all pairs of rows `i < j` of `patterns`, in row-major order of
/// the upper triangle.
pub fn pairwise_distances(patterns: ArrayView2<f64>) -> Vec<f64> {
    let n = patterns.nrows();
    let mut out = Vec::with_capacity(n * n.saturating_sub(1) / 2);
    for i in 0..n {
        for j in i + 1..n {
            out.push(crate::distance::euclidean_distance(patterns.row(i), patterns.row(j)));
        }
    }
    out
}

/// Reconstruction error of a reduced representation (Fig. 4—S1D): 1 − corr(D_full, D_k), where
/// D are the pairwise Euclidean distances between the rows of `full` (all neurons) and of
/// `reduced` (the same patterns projected on the first k PCs). `None` if fewer than 3 patterns
/// or the distances do not vary.
///
/// # Panics
/// If the two matrices have different numbers of rows.
pub fn distance_reconstruction_error(full: ArrayView2<f64>, reduced: ArrayView2<f64>) -> Option<f64> {
    assert_eq!(full.nrows(), reduced.nrows(), "same patterns expected");
    let a = pairwise_distances(full);
    let b = pairwise_distances(reduced);
    pearson_correlation(&a, &b).map(|r| 1.0 - r)
}
