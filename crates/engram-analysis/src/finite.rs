//! Averages over the finite values only: NaN (or ±∞) marks a measure that was not applicable
//! to one network or one draw (QDA with a singular covariance, a rate of an empty set), and the
//! summaries across networks and draws skip it instead of turning NaN themselves.

use crate::stats::{mean, sd};

/// The finite entries of `values`, in order.
fn finite_values(values: &[f64]) -> Vec<f64> {
    values.iter().copied().filter(|x| x.is_finite()).collect()
}

/// Mean of the finite values of `values`; NaN if there are none.
///
/// ```
/// use engram_analysis::finite::finite_mean;
/// assert_eq!(finite_mean(&[1.0, f64::NAN, 3.0, f64::INFINITY]), 2.0);
/// assert!(finite_mean(&[f64::NAN]).is_nan());
/// ```
pub fn finite_mean(values: &[f64]) -> f64 {
    mean(&finite_values(values)).unwrap_or(f64::NAN)
}

/// Mean ± sample SD (n − 1) over the finite values of `values`, as the Dp figures report them
/// across networks: `(NaN, 0)` without finite values, SD 0 for a single one.
///
/// ```
/// use engram_analysis::finite::finite_mean_sd;
/// assert_eq!(finite_mean_sd(&[1.0, f64::NAN, 3.0]), (2.0, 2f64.sqrt()));
/// assert_eq!(finite_mean_sd(&[5.0]), (5.0, 0.0));
/// let (m, s) = finite_mean_sd(&[]);
/// assert!(m.is_nan() && s == 0.0);
/// ```
pub fn finite_mean_sd(values: &[f64]) -> (f64, f64) {
    let v = finite_values(values);
    (mean(&v).unwrap_or(f64::NAN), sd(&v).unwrap_or(0.0))
}
