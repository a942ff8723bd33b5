//! Summary statistics (mean, SD) and the Wilcoxon signed-rank test.

use crate::error::{AnalysisError, Result, check_len};

/// Arithmetic mean; `None` for an empty slice.
pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// Sample standard deviation (divides by n − 1, as MATLAB's `std`); `None` with fewer than 2
/// values.
pub fn sd(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let m = mean(values)?;
    let ss: f64 = values.iter().map(|x| (x - m) * (x - m)).sum();
    Some((ss / (values.len() - 1) as f64).sqrt())
}

/// Mean ± sample SD, as the paper reports (`mean ± SD`); `None` with fewer than 2 values.
///
/// ```
/// use engram_analysis::stats::mean_sd;
/// let (m, s) = mean_sd(&[1.0, 2.0, 3.0]).unwrap();
/// assert_eq!((m, s), (2.0, 1.0));
/// ```
pub fn mean_sd(values: &[f64]) -> Option<(f64, f64)> {
    Some((mean(values)?, sd(values)?))
}

/// How the p-value of [`wilcoxon_signed_rank`] is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WilcoxonMethod {
    /// Exact for up to [`WILCOXON_EXACT_MAX_N`] nonzero differences, normal approximation beyond.
    #[default]
    Auto,
    /// The exact null distribution of W⁺ given the observed ranks (all 2ⁿ sign assignments,
    /// counted by dynamic programming; ties keep their average ranks).
    Exact,
    /// Normal approximation with the tie correction of the variance, no continuity correction
    /// (SciPy's default `correction=False`).
    Normal,
}

/// Largest number of nonzero differences for which [`WilcoxonMethod::Auto`] is exact.
pub const WILCOXON_EXACT_MAX_N: usize = 25;

/// Result of a two-sided Wilcoxon signed-rank test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WilcoxonResult {
    /// Sum of the ranks of the positive differences.
    pub w_plus: f64,
    /// Sum of the ranks of the negative differences.
    pub w_minus: f64,
    /// The test statistic W = min(W⁺, W⁻) (SciPy's two-sided `statistic`).
    pub statistic: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// Number of nonzero differences used (zeros are dropped).
    pub n: usize,
    /// Whether the p-value is exact (`Exact`) or approximate (`Normal`); never `Auto`.
    pub method: WilcoxonMethod,
}

/// Two-sided Wilcoxon signed-rank test of the paired samples `x` and `y` (differences
/// `x[i] − y[i]`; pass `y` all zeros for a one-sample test). Zero differences are dropped
/// (Wilcoxon's convention, SciPy's default `zero_method="wilcox"`); tied |differences| get
/// average ranks. The exact p-value is `min(1, 2·min(P(W⁺ ≤ w⁺), P(W⁺ ≥ w⁺)))` under the
/// exact conditional null distribution; with no ties it equals SciPy's exact p-value.
///
/// ```
/// use engram_analysis::stats::{wilcoxon_signed_rank, WilcoxonMethod};
/// // 8 networks, all differences positive: p = 2/2⁸ (the paper's p < 0.01 at n = 8)
/// let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
/// let r = wilcoxon_signed_rank(&x, &[0.0; 8], WilcoxonMethod::Auto).unwrap();
/// assert_eq!(r.p_value, 0.0078125);
/// ```
///
/// # Errors
/// `x` and `y` differ in length, or all differences are zero.
pub fn wilcoxon_signed_rank(x: &[f64], y: &[f64], method: WilcoxonMethod) -> Result<WilcoxonResult> {
    check_len("y (paired with x)", x.len(), y.len())?;
    let d: Vec<f64> = x.iter().zip(y).map(|(a, b)| a - b).filter(|v| *v != 0.0).collect();
    let n = d.len();
    if n == 0 {
        return Err(AnalysisError::TooFewSamples {
            what: "nonzero paired differences for the Wilcoxon test",
            needed: 1,
            found: 0,
        });
    }
    let abs: Vec<f64> = d.iter().map(|v| v.abs()).collect();
    let (ranks, tie_sizes) = average_ranks(&abs);
    let w_plus: f64 = ranks.iter().zip(&d).filter(|(_, v)| **v > 0.0).map(|(r, _)| r).sum();
    let total = (n * (n + 1)) as f64 / 2.0;
    let w_minus = total - w_plus;
    let method = match method {
        WilcoxonMethod::Auto if n <= WILCOXON_EXACT_MAX_N => WilcoxonMethod::Exact,
        WilcoxonMethod::Auto => WilcoxonMethod::Normal,
        m => m,
    };
    let p_value = match method {
        WilcoxonMethod::Exact => exact_p(&ranks, w_plus),
        _ => {
            let nf = n as f64;
            let tie_term: f64 = tie_sizes.iter().map(|&t| (t * t * t - t) as f64).sum::<f64>();
            let var = nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0 - tie_term / 48.0;
            if var <= 0.0 {
                1.0
            } else {
                let z = (w_plus - total / 2.0) / var.sqrt();
                erfc(z.abs() / std::f64::consts::SQRT_2).min(1.0)
            }
        }
    };
    Ok(WilcoxonResult { w_plus, w_minus, statistic: w_plus.min(w_minus), p_value, n, method })
}

/// Average ranks (1-based) of `v` and the sizes of the tie groups.
fn average_ranks(v: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut ranks = vec![0.0; v.len()];
    let mut ties = Vec::new();
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            ranks[k] = r;
        }
        ties.push(j - i + 1);
        i = j + 1;
    }
    (ranks, ties)
}

/// Exact two-sided p-value: the number of sign assignments with W⁺ at most / at least the
/// observed one, over 2ⁿ. Ranks are doubled so that average ranks are integers.
fn exact_p(ranks: &[f64], w_plus: f64) -> f64 {
    let doubled: Vec<usize> = ranks.iter().map(|r| (2.0 * r).round() as usize).collect();
    let max: usize = doubled.iter().sum();
    let mut counts = vec![0.0f64; max + 1];
    counts[0] = 1.0;
    for &r in &doubled {
        for s in (r..=max).rev() {
            counts[s] += counts[s - r];
        }
    }
    let w = (2.0 * w_plus).round() as usize;
    let total: f64 = counts.iter().sum();
    let le: f64 = counts[..=w].iter().sum();
    let ge: f64 = counts[w..].iter().sum();
    (2.0 * le.min(ge) / total).min(1.0)
}

/// Standard normal cumulative distribution function Φ(x).
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// Complementary error function, Chebyshev fit of Numerical Recipes (`erfcc`), fractional
/// error below 1.2e-7 everywhere.
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let ans = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 { ans } else { 2.0 - ans }
}
