//! Amplification: ratios of mean rates over neuron sets (assembly vs pseudo-assembly, Fig. 2G;
//! assembly vs rest, Fig. 2—S2B).
//!
//! Rate patterns are `Array2<f64>` with **rows = odors** and **columns = neurons**, in Hz. Each
//! odor (row) has its own neuron set (the assembly of learned odor k for row k), given as
//! `sets[k]`. Definitions follow docs/models/dp.md#rates-and-dynamics.

use ndarray::ArrayView2;

use crate::error::{AnalysisError, Result, check_len};

/// Mean rate of the odor-specific neuron sets: for each row `k`, the mean of `rates[k, sets[k]]`,
/// then the mean over rows (a mean of per-odor means; with equal set sizes it equals the pooled
/// mean). Rows whose set is empty are skipped; `Ok(None)` if every set is empty.
///
/// # Errors
/// `sets.len()` differs from the number of rows, or an index is not below the number of columns.
pub fn mean_rate_of_sets(rates: ArrayView2<f64>, sets: &[Vec<usize>]) -> Result<Option<f64>> {
    check_len("neuron sets (one per odor row)", rates.nrows(), sets.len())?;
    let (mut s, mut c) = (0.0, 0usize);
    for (k, set) in sets.iter().enumerate() {
        if set.is_empty() {
            continue;
        }
        let mut row_sum = 0.0;
        for &i in set {
            if i >= rates.ncols() {
                return Err(AnalysisError::ShapeMismatch {
                    what: "neuron index below the number of columns",
                    expected: rates.ncols(),
                    found: i,
                });
            }
            row_sum += rates[[k, i]];
        }
        s += row_sum / set.len() as f64;
        c += 1;
    }
    Ok((c > 0).then(|| s / c as f64))
}

/// Amplification (Fig. 2G): the mean learned-odor rate of the neuron sets in a structured
/// network divided by the mean rate of the **same** sets in the corresponding rand network,
/// `mean_rate_of_sets(structured, sets) / mean_rate_of_sets(rand, sets)`. Inside assemblies
/// `sets[k]` is assembly k (a pseudo-assembly in the rand network); outside, its complement
/// ([`crate::rates::complement`]). `Ok(None)` if the rand rate is zero or all sets are empty.
///
/// ```
/// use ndarray::array;
/// use engram_analysis::amplification::amplification;
/// let structured = array![[10.0, 1.0], [1.0, 8.0]]; // odor k drives neuron k
/// let rand = array![[2.0, 1.0], [1.0, 2.0]];
/// let a = amplification(structured.view(), rand.view(), &[vec![0], vec![1]]).unwrap().unwrap();
/// assert_eq!(a, 4.5); // (10 + 8)/2 over (2 + 2)/2
/// ```
///
/// # Errors
/// As [`mean_rate_of_sets`], or the two matrices differ in shape.
pub fn amplification(structured: ArrayView2<f64>, rand: ArrayView2<f64>, sets: &[Vec<usize>]) -> Result<Option<f64>> {
    check_len("odor rows of the rand network", structured.nrows(), rand.nrows())?;
    check_len("neuron columns of the rand network", structured.ncols(), rand.ncols())?;
    ratio_of(mean_rate_of_sets(structured, sets)?, mean_rate_of_sets(rand, sets)?)
}

/// Ratio of the (pseudo-)assembly rate to the non-assembly rate in one network
/// (Fig. 2—S2B): `mean_rate_of_sets(rates, sets) / mean_rate_of_sets(rates, complements)`, where
/// the complement of `sets[k]` is taken in `0..rates.ncols()`. `Ok(None)` if the denominator is
/// zero or undefined.
///
/// # Errors
/// As [`mean_rate_of_sets`].
pub fn assembly_to_rest_ratio(rates: ArrayView2<f64>, sets: &[Vec<usize>]) -> Result<Option<f64>> {
    let rest: Vec<Vec<usize>> = sets.iter().map(|s| crate::rates::complement(s, rates.ncols())).collect();
    ratio_of(mean_rate_of_sets(rates, sets)?, mean_rate_of_sets(rates, &rest)?)
}

fn ratio_of(num: Option<f64>, den: Option<f64>) -> Result<Option<f64>> {
    Ok(match (num, den) {
        (Some(a), Some(b)) if b != 0.0 => Some(a / b),
        _ => None,
    })
}
