//! Representational drift across days: decoding within and across days, noise-normalised
//! population-vector (PV) correlation with a fitted drift time constant, responsive-pair
//! retention against its chance floor, representational-similarity stability, principal angles
//! and Procrustes alignment between days, and the crystallisation index and decoder span.
//!
//! ```
//! use engram_analysis::drift::{fit_drift, DriftFit};
//! // PV correlations decaying as 0.2 + 0.8·e^(−Δ/10) over lags of 0..32 days
//! let lags: Vec<f64> = (0..=32).step_by(4).map(f64::from).collect();
//! let r: Vec<f64> = lags.iter().map(|d| 0.2 + 0.8 * (-d / 10.0).exp()).collect();
//! let DriftFit { tau_days, c_inf, .. } = fit_drift(&lags, &r, 0.0).unwrap();
//! assert!((tau_days - 10.0).abs() < 1e-3 && (c_inf - 0.2).abs() < 1e-4);
//! ```
//!
//! A **day** is a matrix of responses, rows = trials, columns = neurons (the same neurons on
//! every day), with one stimulus label per trial in `0..n_stimuli` (see the crate's
//! conventions). The measures follow the definitions of the drift literature (Schoonover et
//! al. 2021: decoders across days, responsive cells; Deitch, Rubin & Ziv 2021: stable
//! similarity structure; Bellafard et al. 2024: crystallisation with practice); where a
//! definition is this crate's own choice, its docs say so.

use nalgebra::{DMatrix, SymmetricEigen};
use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::Rng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::classify::{LinearSvm, accuracy, select_rows, stratified_k_folds};
use crate::correlation::{pattern_correlation_matrix, pearson_correlation_view};
use crate::error::{AnalysisError, Result, check_len};
use crate::stats::normal_cdf;

/// One day's responses: `responses` rows = trials, columns = neurons; `labels[t]` the stimulus
/// of trial t.
#[derive(Clone, Copy, Debug)]
pub struct Day<'a> {
    /// Trials × neurons.
    pub responses: ArrayView2<'a, f64>,
    /// Stimulus of each trial, in `0..n_stimuli`.
    pub labels: &'a [usize],
}

impl Day<'_> {
    fn check(&self) -> Result<()> {
        check_len("labels (one per trial row)", self.responses.nrows(), self.labels.len())
    }

    /// The trial-averaged response to `stimulus` (None if it has no trial).
    pub fn mean_response(&self, stimulus: usize) -> Option<Array1<f64>> {
        let rows: Vec<usize> = (0..self.labels.len()).filter(|&t| self.labels[t] == stimulus).collect();
        (!rows.is_empty()).then(|| select_rows(self.responses, &rows).mean_axis(Axis(0)).expect("rows"))
    }
}

// ---------------------------------------------------------------------------------------------
// Decoding

/// The linear decoder of the drift measures: features z-scored with the training day's mean
/// and SD (a neuron silent on that day gets weight-free zeros), then a multiclass linear SVM
/// ([`LinearSvm`], soft margin `c`).
#[derive(Debug)]
pub struct DayDecoder {
    mean: Array1<f64>,
    sd: Array1<f64>,
    svm: LinearSvm,
}

impl DayDecoder {
    /// Train on every trial of `day`.
    ///
    /// # Errors
    /// As [`LinearSvm::fit`].
    pub fn fit(day: Day, c: f64) -> Result<Self> {
        day.check()?;
        let mean = day.responses.mean_axis(Axis(0)).ok_or(AnalysisError::TooFewSamples {
            what: "trials to train a decoder",
            needed: 1,
            found: 0,
        })?;
        let sd = day.responses.std_axis(Axis(0), 0.0);
        let x = zscore(day.responses, &mean, &sd);
        Ok(Self { svm: LinearSvm::fit(x.view(), day.labels, c)?, mean, sd })
    }

    /// The predicted stimulus of each trial of `responses`.
    ///
    /// # Errors
    /// Wrong number of neurons.
    pub fn predict(&self, responses: ArrayView2<f64>) -> Result<Vec<usize>> {
        check_len("neurons (columns)", self.mean.len(), responses.ncols())?;
        self.svm.predict(zscore(responses, &self.mean, &self.sd).view())
    }

    /// The fraction of `day`'s trials decoded correctly.
    ///
    /// # Errors
    /// Wrong number of neurons or labels.
    pub fn accuracy(&self, day: Day) -> Result<f64> {
        day.check()?;
        let predicted = self.predict(day.responses)?;
        Ok(accuracy(&predicted, day.labels).unwrap_or(f64::NAN))
    }
}

fn zscore(x: ArrayView2<f64>, mean: &Array1<f64>, sd: &Array1<f64>) -> Array2<f64> {
    let mut z = x.to_owned();
    for mut row in z.rows_mut() {
        for ((v, m), s) in row.iter_mut().zip(mean).zip(sd) {
            *v = if *s > 0.0 { (*v - m) / s } else { 0.0 };
        }
    }
    z
}

/// k-fold cross-validated accuracy of [`DayDecoder`] within one day (stratified folds; the
/// z-scoring is fitted on the training folds only).
///
/// # Errors
/// `folds` out of range, or a training split missing a stimulus.
pub fn within_day_accuracy<R: Rng + ?Sized>(day: Day, folds: usize, c: f64, rng: &mut R) -> Result<f64> {
    day.check()?;
    let n = day.labels.len();
    let mut correct = 0usize;
    for test in stratified_k_folds(day.labels, folds, rng)? {
        let train: Vec<usize> = (0..n).filter(|i| !test.contains(i)).collect();
        let train_labels: Vec<usize> = train.iter().map(|&i| day.labels[i]).collect();
        let train_x = select_rows(day.responses, &train);
        let decoder = DayDecoder::fit(Day { responses: train_x.view(), labels: &train_labels }, c)?;
        let predicted = decoder.predict(select_rows(day.responses, &test).view())?;
        correct += predicted.iter().zip(&test).filter(|(p, i)| **p == day.labels[**i]).count();
    }
    Ok(correct as f64 / n as f64)
}

/// Within-day accuracy and its label-shuffle null.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShuffleTest {
    /// Cross-validated accuracy with the true labels.
    pub accuracy: f64,
    /// Mean accuracy over the permutations.
    pub null_mean: f64,
    /// (1 + permutations at least as accurate) / (1 + permutations).
    pub p_value: f64,
}

/// [`within_day_accuracy`] against `permutations` random relabellings of the trials (the same
/// folds procedure each time).
///
/// # Errors
/// As [`within_day_accuracy`]; `permutations == 0`.
pub fn within_day_shuffle_test<R: Rng + ?Sized>(
    day: Day,
    folds: usize,
    c: f64,
    permutations: usize,
    rng: &mut R,
) -> Result<ShuffleTest> {
    if permutations == 0 {
        return Err(AnalysisError::InvalidArgument {
            name: "permutations",
            value: "0".into(),
            reason: "need at least one permutation for a null",
        });
    }
    let accuracy = within_day_accuracy(day, folds, c, rng)?;
    let mut labels = day.labels.to_vec();
    let (mut sum, mut above) = (0.0, 0usize);
    for _ in 0..permutations {
        labels.shuffle(rng);
        let a = within_day_accuracy(Day { responses: day.responses.view(), labels: &labels }, folds, c, rng)?;
        sum += a;
        above += usize::from(a >= accuracy);
    }
    Ok(ShuffleTest {
        accuracy,
        null_mean: sum / permutations as f64,
        p_value: (1 + above) as f64 / (1 + permutations) as f64,
    })
}

/// The cross-day decoding matrix A: `A[[i, j]]` is the accuracy on day j of a decoder trained
/// on every trial of day i; the diagonal is the within-day cross-validated accuracy
/// ([`within_day_accuracy`] with `folds`). Drift shows as accuracy falling away from the
/// diagonal.
///
/// # Errors
/// No day, days with different neurons, or a failing decoder.
pub fn cross_day_decoding<R: Rng + ?Sized>(days: &[Day], folds: usize, c: f64, rng: &mut R) -> Result<Array2<f64>> {
    let first = days.first().ok_or(AnalysisError::TooFewSamples { what: "days", needed: 1, found: 0 })?;
    let mut m = Array2::zeros((days.len(), days.len()));
    for (i, train) in days.iter().enumerate() {
        check_len("neurons of every day", first.responses.ncols(), train.responses.ncols())?;
        let decoder = DayDecoder::fit(*train, c)?;
        for (j, test) in days.iter().enumerate() {
            m[[i, j]] = if i == j { within_day_accuracy(*train, folds, c, rng)? } else { decoder.accuracy(*test)? };
        }
    }
    Ok(m)
}

/// Decoder span: for each training day i, how many days after it its decoder keeps at least
/// `fraction` of its within-day accuracy, `day_numbers[j] − day_numbers[i]` for the last j
/// such that every day from i to j does (0 if not even the next one). The span of a code that
/// crystallises grows with i.
///
/// # Errors
/// `matrix` not square of `day_numbers.len()`.
pub fn decoder_span(matrix: ArrayView2<f64>, day_numbers: &[f64], fraction: f64) -> Result<Vec<f64>> {
    check_len("rows of the decoding matrix", day_numbers.len(), matrix.nrows())?;
    check_len("columns of the decoding matrix", day_numbers.len(), matrix.ncols())?;
    Ok((0..day_numbers.len())
        .map(|i| {
            let bar = fraction * matrix[[i, i]];
            let last = (i + 1..day_numbers.len()).take_while(|&j| matrix[[i, j]] >= bar).last().unwrap_or(i);
            day_numbers[last] - day_numbers[i]
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Population-vector correlation

/// Split-half reliability of the response to `stimulus` on one day: the Pearson correlation
/// between the mean of its even-numbered trials and the mean of its odd-numbered trials (in
/// the order they appear). None with fewer than two trials or no variance.
pub fn split_half_reliability(day: Day, stimulus: usize) -> Option<f64> {
    let rows: Vec<usize> = (0..day.labels.len()).filter(|&t| day.labels[t] == stimulus).collect();
    if rows.len() < 2 {
        return None;
    }
    let half = |parity: usize| {
        let r: Vec<usize> = rows.iter().enumerate().filter(|(k, _)| k % 2 == parity).map(|(_, &t)| t).collect();
        select_rows(day.responses, &r).mean_axis(Axis(0)).expect("rows")
    };
    pearson_correlation_view(half(0).view(), half(1).view())
}

/// The PV correlation of `stimulus` between two days: raw (Pearson r of the trial-averaged
/// responses) and normalised by the noise ceiling, r̃ = r / √(c(a) · c(b)), where
/// c = 2·r_split / (1 + r_split) is the split-half reliability ([`split_half_reliability`])
/// stepped up by Spearman–Brown to the reliability of the mean of *all* trials. r̃ is 1 in
/// expectation for a code that did not change, however noisy the trials (dividing by the raw
/// split-half r instead would overshoot 1). The normalised value is None if a ceiling is not
/// positive.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PvCorrelation {
    /// Pearson r of the two days' trial-averaged responses.
    pub raw: f64,
    /// r / √(r_split(a) · r_split(b)).
    pub normalised: Option<f64>,
}

/// [`PvCorrelation`] of `stimulus` between days `a` and `b`; None if it is missing on a day or
/// a response has no variance.
pub fn pv_correlation(a: Day, b: Day, stimulus: usize) -> Option<PvCorrelation> {
    let raw = pearson_correlation_view(a.mean_response(stimulus)?.view(), b.mean_response(stimulus)?.view())?;
    let stepped_up = |r: f64| 2.0 * r / (1.0 + r);
    let ceiling = split_half_reliability(a, stimulus).zip(split_half_reliability(b, stimulus));
    let normalised =
        ceiling.and_then(|(x, y)| (x > 0.0 && y > 0.0).then(|| raw / (stepped_up(x) * stepped_up(y)).sqrt()));
    Some(PvCorrelation { raw, normalised })
}

/// The floor of PV correlation on one day: the mean Pearson r between the trial-averaged
/// responses to different stimuli. None with fewer than two stimuli.
pub fn different_stimulus_floor(day: Day, n_stimuli: usize) -> Option<f64> {
    let means: Vec<Array1<f64>> = (0..n_stimuli).filter_map(|s| day.mean_response(s)).collect();
    if means.len() < 2 {
        return None;
    }
    let views: Vec<_> = means.iter().map(|m| m.view().insert_axis(Axis(0))).collect();
    let patterns = ndarray::concatenate(Axis(0), &views).expect("same neurons");
    crate::correlation::mean_pattern_correlation(patterns.view())
}

/// A fitted drift curve r(Δ) = c∞ + (1 − c∞)·e^(−Δ/τ).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DriftFit {
    /// Drift time constant τ, days (the rate is 1/τ). At the upper end of the search
    /// (10⁴ × the longest lag) the data show no decay.
    pub tau_days: f64,
    /// Asymptote c∞, at least the floor given.
    pub c_inf: f64,
    /// Root-mean-square residual of the fit.
    pub rmse: f64,
}

/// Least-squares fit of r(Δ) = c∞ + (1 − c∞)·e^(−Δ/τ) to (lag, r) pairs, with c∞ kept in
/// [`floor`, 1] (give the different-stimulus floor, or 0). For each τ the best c∞ is linear
/// least squares; τ is found on a logarithmic grid from 10⁻² to 10⁴ times the longest lag and
/// refined by golden-section search; where several τ fit equally (a flat curve, which c∞ = 1
/// fits for any τ), the longest is reported. None if there are no positive lags or a value is
/// not finite.
pub fn fit_drift(lags_days: &[f64], r: &[f64], floor: f64) -> Option<DriftFit> {
    if lags_days.len() != r.len() || lags_days.iter().chain(r).any(|v| !v.is_finite()) {
        return None;
    }
    let longest = lags_days.iter().copied().fold(0.0_f64, f64::max);
    if longest <= 0.0 {
        return None;
    }
    let floor = floor.min(1.0);
    let sse_at = |log_tau: f64| -> (f64, f64) {
        let tau = log_tau.exp();
        let (mut num, mut den) = (0.0, 0.0);
        for (&d, &y) in lags_days.iter().zip(r) {
            let e = (-d / tau).exp();
            num += (1.0 - e) * (y - e);
            den += (1.0 - e) * (1.0 - e);
        }
        let c = if den > 0.0 { (num / den).clamp(floor, 1.0) } else { floor };
        let sse = lags_days.iter().zip(r).map(|(&d, &y)| (y - (c + (1.0 - c) * (-d / tau).exp())).powi(2)).sum();
        (sse, c)
    };
    let (lo, hi) = ((longest * 1e-2).ln(), (longest * 1e4).ln());
    let steps = 200;
    let grid = |k: usize| lo + (hi - lo) * k as f64 / steps as f64;
    // the last of equal minima: a curve that does not decay (c∞ = 1 fits it for any τ) gets the longest τ
    let best = (0..=steps).max_by(|&a, &b| sse_at(grid(b)).0.total_cmp(&sse_at(grid(a)).0)).expect("grid");
    let (mut a, mut b) = (grid(best.saturating_sub(1)), grid((best + 1).min(steps)));
    let golden = (5f64.sqrt() - 1.0) / 2.0;
    for _ in 0..100 {
        let (x1, x2) = (b - golden * (b - a), a + golden * (b - a));
        if sse_at(x1).0 < sse_at(x2).0 {
            b = x2;
        } else {
            a = x1;
        }
    }
    let log_tau = 0.5 * (a + b);
    let (sse, c_inf) = sse_at(log_tau);
    Some(DriftFit { tau_days: log_tau.exp(), c_inf, rmse: (sse / r.len() as f64).sqrt() })
}

/// Crystallisation index CI = 1 − D_late / D_early, where D is the mean day-to-day change
/// (1 − r̃ of consecutive probe days) in an early and a late window (this crate's
/// operationalisation of "crystallisation": CI > 0 when the code changes less from day to day
/// late in practice). None if a window is empty or D_early is 0.
pub fn crystallisation_index(early_changes: &[f64], late_changes: &[f64]) -> Option<f64> {
    let mean = |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
    let (early, late) = (mean(early_changes)?, mean(late_changes)?);
    (early != 0.0).then(|| 1.0 - late / early)
}

// ---------------------------------------------------------------------------------------------
// Responsive pairs

/// One-sided Mann–Whitney U test that `x` tends to exceed `y`: U counts the pairs with
/// x > y (ties ½); p from the normal approximation with tie correction and a continuity
/// correction. None if a sample is empty.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MannWhitney {
    /// U statistic of `x`.
    pub u: f64,
    /// One-sided p-value for "x is stochastically greater than y".
    pub p_greater: f64,
}

/// See [`MannWhitney`].
pub fn mann_whitney_greater(x: &[f64], y: &[f64]) -> Option<MannWhitney> {
    let (n1, n2) = (x.len() as f64, y.len() as f64);
    if x.is_empty() || y.is_empty() {
        return None;
    }
    let mut all: Vec<(f64, bool)> = x.iter().map(|&v| (v, true)).chain(y.iter().map(|&v| (v, false))).collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    // mid-ranks and the tie term Σ(t³ − t)
    let (mut rank_sum_x, mut ties) = (0.0, 0.0);
    let mut i = 0;
    while i < all.len() {
        let j = (i..all.len()).take_while(|&k| all[k].0 == all[i].0).last().expect("i");
        let t = (j - i + 1) as f64;
        let mid = (i + j) as f64 / 2.0 + 1.0;
        rank_sum_x += mid * all[i..=j].iter().filter(|e| e.1).count() as f64;
        ties += t * t * t - t;
        i = j + 1;
    }
    let u = rank_sum_x - n1 * (n1 + 1.0) / 2.0;
    let n = n1 + n2;
    let var = n1 * n2 / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)).max(1.0));
    let p_greater = if var > 0.0 { 1.0 - normal_cdf((u - n1 * n2 / 2.0 - 0.5) / var.sqrt()) } else { 1.0 };
    Some(MannWhitney { u, p_greater })
}

/// A neuron is responsive to a stimulus when its counts on the stimulus trials exceed its
/// blank-trial counts: one-sided Mann–Whitney p < `alpha` and a positive mean difference.
pub fn is_responsive(stimulus_counts: &[f64], blank_counts: &[f64], alpha: f64) -> bool {
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    mann_whitney_greater(stimulus_counts, blank_counts)
        .is_some_and(|t| t.p_greater < alpha && mean(stimulus_counts) > mean(blank_counts))
}

/// Responsive-pair retention from one day to a later one, with its chance floor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Retention {
    /// P(responsive later | responsive before), over neuron–stimulus pairs.
    pub retained: f64,
    /// The fraction of pairs responsive later: the retention if responsiveness were redrawn.
    pub chance: f64,
    /// Pairs responsive before.
    pub n_before: usize,
}

/// [`Retention`] of the neuron–stimulus pairs flagged in `before` (one flag per pair, the same
/// pairs in `after`). None if no pair was responsive before.
///
/// # Panics
/// If the slices differ in length.
pub fn retention(before: &[bool], after: &[bool]) -> Option<Retention> {
    assert_eq!(before.len(), after.len(), "retention: different pairs");
    let n_before = before.iter().filter(|&&b| b).count();
    let kept = before.iter().zip(after).filter(|(b, a)| **b && **a).count();
    (n_before > 0).then(|| Retention {
        retained: kept as f64 / n_before as f64,
        chance: after.iter().filter(|&&a| a).count() as f64 / after.len() as f64,
        n_before,
    })
}

// ---------------------------------------------------------------------------------------------
// Geometry across days

/// Representational dissimilarity matrix: 1 − Pearson r between the rows of `patterns`
/// (stimuli × neurons); NaN where a row has no variance.
pub fn rdm(patterns: ArrayView2<f64>) -> Array2<f64> {
    pattern_correlation_matrix(patterns).mapv(|r| 1.0 - r)
}

/// Stability of the similarity structure between two days: Pearson r between the upper
/// triangles of their RDMs (the geometry can be stable while the PVs drift). None with fewer
/// than two pairs, NaN entries, or no variance.
///
/// # Errors
/// RDMs of different sizes.
pub fn rdm_stability(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Result<Option<f64>> {
    check_len("stimuli of both RDMs", a.nrows(), b.nrows())?;
    let n = a.nrows();
    let upper = |m: ArrayView2<f64>| -> Vec<f64> {
        (0..n).flat_map(|i| (i + 1..n).map(move |j| (i, j))).map(|(i, j)| m[[i, j]]).collect()
    };
    let (x, y) = (upper(a), upper(b));
    if x.len() < 2 || x.iter().chain(&y).any(|v| !v.is_finite()) {
        return Ok(None);
    }
    Ok(crate::correlation::pearson_correlation(&x, &y))
}

/// Orthonormal columns spanning the columns of `basis` (modified Gram–Schmidt; columns that
/// depend on earlier ones, below 1e-10 of their norm, are dropped).
fn orthonormal_columns(basis: ArrayView2<f64>) -> Vec<Array1<f64>> {
    let mut q: Vec<Array1<f64>> = Vec::new();
    for col in basis.columns() {
        let norm0 = col.dot(&col).sqrt();
        let mut v = col.to_owned();
        for u in &q {
            let p = u.dot(&v);
            v.scaled_add(-p, u);
        }
        let norm = v.dot(&v).sqrt();
        if norm > 1e-10 * norm0 && norm > 0.0 {
            q.push(v / norm);
        }
    }
    q
}

/// Principal angles (radians, ascending) between the subspaces spanned by the columns of `a`
/// and of `b` (neurons × dimensions each, e.g. two days' leading principal components): the
/// arc-cosines of the singular values of Q_aᵀQ_b, computed as the square roots of the
/// eigenvalues of its Gram matrix. As many angles as the smaller dimension.
///
/// # Errors
/// Different numbers of neurons.
pub fn principal_angles(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Result<Vec<f64>> {
    check_len("neurons (rows) of both bases", a.nrows(), b.nrows())?;
    let (qa, qb) = (orthonormal_columns(a), orthonormal_columns(b));
    let (small, large) = if qa.len() <= qb.len() { (&qa, &qb) } else { (&qb, &qa) };
    if small.is_empty() {
        return Ok(Vec::new());
    }
    // G = MMᵀ with M = Q_smallᵀ Q_large: its eigenvalues are cos² of the angles
    let m = DMatrix::from_fn(small.len(), large.len(), |i, j| small[i].dot(&large[j]));
    let eig = SymmetricEigen::new(&m * m.transpose());
    let mut angles: Vec<f64> = eig.eigenvalues.iter().map(|&l| l.clamp(0.0, 1.0).sqrt().acos()).collect();
    angles.sort_by(f64::total_cmp);
    Ok(angles)
}

/// Orthogonal Procrustes residual between two days' matched representations `x` and `y`
/// (rows = the same stimuli or trials, columns = neurons or latent dimensions): the smallest
/// ‖x R − y‖²_F over orthogonal R, divided by ‖y‖²_F. It is
/// (‖x‖² + ‖y‖² − 2‖xᵀy‖_*) / ‖y‖² with ‖·‖_* the nuclear norm (sum of singular values, here
/// from the eigenvalues of the Gram matrix), so 0 when one day is a rotation of the other.
/// No centring or scaling is applied. None if `y` is all zeros.
///
/// # Errors
/// Shapes that differ.
pub fn procrustes_residual(x: ArrayView2<f64>, y: ArrayView2<f64>) -> Result<Option<f64>> {
    check_len("rows of both representations", x.nrows(), y.nrows())?;
    check_len("columns of both representations", x.ncols(), y.ncols())?;
    let m = x.t().dot(&y);
    let d = m.nrows();
    let g = DMatrix::from_fn(d, d, |i, j| m.row(i).dot(&m.row(j)));
    let nuclear: f64 = SymmetricEigen::new(g).eigenvalues.iter().map(|&l| l.max(0.0).sqrt()).sum();
    let (xx, yy) = (x.iter().map(|v| v * v).sum::<f64>(), y.iter().map(|v| v * v).sum::<f64>());
    Ok((yy > 0.0).then(|| ((xx + yy - 2.0 * nuclear) / yy).max(0.0)))
}
