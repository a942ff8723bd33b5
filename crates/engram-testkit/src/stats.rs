//! Small statistics for assertions: mean, variance, standard deviation, coefficient of
//! variation.
//!
//! ```
//! use engram_testkit::stats::{cv, mean, sd, variance};
//! let x = [1.0, 2.0, 3.0, 4.0];
//! assert_eq!(mean(&x), 2.5);
//! assert_eq!(variance(&x), 1.25);                  // population variance (divides by n)
//! assert_eq!(sd(&x), 1.25f64.sqrt());
//! assert_eq!(cv(&x), 1.25f64.sqrt() / 2.5);
//! ```

/// Arithmetic mean (`NaN` for an empty slice).
pub fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Population variance, `Σ(x − mean)² / n` (`NaN` for an empty slice).
pub fn variance(x: &[f64]) -> f64 {
    let m = mean(x);
    x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / x.len() as f64
}

/// Population standard deviation.
pub fn sd(x: &[f64]) -> f64 {
    variance(x).sqrt()
}

/// Coefficient of variation, `sd / mean`.
pub fn cv(x: &[f64]) -> f64 {
    sd(x) / mean(x)
}
