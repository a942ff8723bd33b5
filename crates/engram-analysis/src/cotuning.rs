//! Co-tuning of excitation and inhibition (docs/models/dp.md#balance-measures, Fig. 2H–I).
//!
//! Inputs are time-averaged conductances (nS; currents in pA work the same way) as
//! `Array2<f64>` with **rows = odors** and **columns = neurons**: `g_e[[k, i]]` is neuron `i`'s
//! mean excitatory conductance during odor `k` (the paper: the 10 learned odors, first 1.5 s of
//! each odor, with `g_E = g_OE + g_EE` and `g_I = g_IE`).
//!
//! Baseline (docs/models/dp.md#balance-measures): subtract **one constant baseline per neuron**
//! (for example its mean conductance before the first odor) or none; do **not** subtract a
//! per-trial pre-odor baseline, which creates an artefact in Scaled I networks. The co-tuning
//! correlation is invariant to a per-neuron constant, so [`cotuning_correlation`] takes raw or
//! baseline-subtracted values alike; the balanced-axis fit has no intercept, so
//! [`balanced_axis`] needs baseline-subtracted values ([`subtract_baseline`]).

use ndarray::{Array2, ArrayView2};

use crate::correlation::pearson_correlation_view;
use crate::error::{AnalysisError, Result, check_len};

fn check_same_shape(g_e: &ArrayView2<f64>, g_i: &ArrayView2<f64>) -> Result<()> {
    check_len("odor rows of g_i", g_e.nrows(), g_i.nrows())?;
    check_len("neuron columns of g_i", g_e.ncols(), g_i.ncols())
}

/// Subtract one constant baseline per neuron: returns `g[[k, i]] - baseline[i]`.
/// `g` has rows = odors, columns = neurons.
///
/// # Errors
/// `baseline.len()` differs from the number of columns.
pub fn subtract_baseline(g: ArrayView2<f64>, baseline: &[f64]) -> Result<Array2<f64>> {
    check_len("baseline (one per neuron column)", g.ncols(), baseline.len())?;
    let b = ndarray::ArrayView1::from(baseline);
    Ok(&g - &b)
}

/// Co-tuning correlation of each neuron (Fig. 2H): the Pearson correlation across odors (rows)
/// between its excitatory and inhibitory conductances (column `i` of `g_e` and of `g_i`).
/// `None` for a neuron whose E or I input does not vary across odors.
///
/// ```
/// use ndarray::array;
/// use engram_analysis::cotuning::cotuning_correlation;
/// let g_e = array![[1.0, 1.0], [2.0, 3.0], [3.0, 2.0]];
/// let g_i = array![[1.2, 5.0], [2.4, 5.0], [3.6, 5.0]]; // neuron 0 proportional, neuron 1 flat
/// let r = cotuning_correlation(g_e.view(), g_i.view()).unwrap();
/// assert!((r[0].unwrap() - 1.0).abs() < 1e-12);
/// assert_eq!(r[1], None);
/// ```
///
/// # Errors
/// `g_e` and `g_i` differ in shape.
pub fn cotuning_correlation(g_e: ArrayView2<f64>, g_i: ArrayView2<f64>) -> Result<Vec<Option<f64>>> {
    check_same_shape(&g_e, &g_i)?;
    Ok((0..g_e.ncols()).map(|i| pearson_correlation_view(g_e.column(i), g_i.column(i))).collect())
}

/// Mean co-tuning correlation over the neurons that have one (the value plotted in Fig. 2H).
/// `Ok(None)` if no neuron has a defined correlation.
///
/// # Errors
/// `g_e` and `g_i` differ in shape.
pub fn mean_cotuning_correlation(g_e: ArrayView2<f64>, g_i: ArrayView2<f64>) -> Result<Option<f64>> {
    let r: Vec<f64> = cotuning_correlation(g_e, g_i)?.into_iter().flatten().collect();
    Ok((!r.is_empty()).then(|| r.iter().sum::<f64>() / r.len() as f64))
}

/// Result of the balanced-axis analysis (Fig. 2I).
#[derive(Debug, Clone, PartialEq)]
pub struct BalancedAxis {
    /// Slope `k` of the fit `g_I = k·g_E` without intercept over all (neuron, odor) pairs
    /// (the paper reports k ≈ 1.2). The balanced axis is the direction `(1, k)`, the
    /// counter-balanced axis the orthogonal direction `(−k, 1)`.
    pub slope: f64,
    /// Per neuron: SD of its (g_E, g_I) points projected on the balanced axis divided by the SD
    /// of the projections on the counter-balanced axis; `None` when the latter is zero or the
    /// neuron has fewer than 2 odors (an SD below 1e-12 of the balanced SD counts as zero).
    /// ≈ 1 in rand and Scaled I networks, > 1 in Tuned networks.
    pub sd_ratio: Vec<Option<f64>>,
}

impl BalancedAxis {
    /// Mean of the defined per-neuron SD ratios; `None` if there is none.
    pub fn mean_sd_ratio(&self) -> Option<f64> {
        let v: Vec<f64> = self.sd_ratio.iter().flatten().copied().collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    }
}

/// Slope `k` of the least-squares fit `g_I = k·g_E` without intercept over all entries:
/// `k = Σ g_E g_I / Σ g_E²`. Pass baseline-subtracted conductances.
///
/// # Errors
/// Shapes differ, or every `g_E` is zero (no slope).
pub fn balanced_axis_slope(g_e: ArrayView2<f64>, g_i: ArrayView2<f64>) -> Result<f64> {
    check_same_shape(&g_e, &g_i)?;
    let sxy: f64 = ndarray::Zip::from(&g_e).and(&g_i).fold(0.0, |s, &a, &b| s + a * b);
    let sxx: f64 = g_e.iter().map(|a| a * a).sum();
    if sxx > 0.0 {
        Ok(sxy / sxx)
    } else {
        Err(AnalysisError::InvalidArgument {
            name: "g_e",
            value: "all zero".into(),
            reason: "the balanced-axis fit needs some nonzero excitatory input",
        })
    }
}

/// SD ratio along a given balanced axis of slope `k` for each neuron (column): the (g_E, g_I)
/// points of the neuron across odors (rows) are projected on the unit vectors
/// `(1, k)/√(1+k²)` and `(−k, 1)/√(1+k²)`; the ratio is SD(balanced)/SD(counter-balanced)
/// (the normalisation of the SDs cancels).
///
/// # Errors
/// `g_e` and `g_i` differ in shape.
pub fn balanced_axis_sd_ratio(g_e: ArrayView2<f64>, g_i: ArrayView2<f64>, slope: f64) -> Result<Vec<Option<f64>>> {
    check_same_shape(&g_e, &g_i)?;
    let norm = (1.0 + slope * slope).sqrt();
    let (bx, by) = (1.0 / norm, slope / norm);
    let (cx, cy) = (-slope / norm, 1.0 / norm);
    let n_odors = g_e.nrows();
    Ok((0..g_e.ncols())
        .map(|i| {
            if n_odors < 2 {
                return None;
            }
            let ge = g_e.column(i);
            let gi = g_i.column(i);
            let pb: Vec<f64> = ge.iter().zip(gi).map(|(e, j)| bx * e + by * j).collect();
            let pc: Vec<f64> = ge.iter().zip(gi).map(|(e, j)| cx * e + cy * j).collect();
            let (sb, sc) = (crate::stats::sd(&pb)?, crate::stats::sd(&pc)?);
            // a counter-balanced SD at rounding level (≤ 1e-12 of the balanced one) counts as 0
            (sc > 1e-12 * sb.max(f64::MIN_POSITIVE)).then(|| sb / sc)
        })
        .collect())
}

/// Balanced-axis analysis (Fig. 2I, docs/models/dp.md#balance-measures): fit `g_I = k·g_E` without
/// intercept over all (neuron, odor) pairs ([`balanced_axis_slope`]), then the per-neuron SD ratio
/// along the balanced vs counter-balanced axis ([`balanced_axis_sd_ratio`]). Pass
/// **baseline-subtracted** conductances (one constant per neuron, see the module notes).
///
/// ```
/// use ndarray::array;
/// use engram_analysis::cotuning::balanced_axis;
/// // two neurons, three odors, I tracks E with gain 1.2 plus a little counter-balanced noise
/// let g_e = array![[1.0, 0.5], [2.0, 1.5], [3.0, 0.0]];
/// let g_i = array![[1.25, 0.6], [2.35, 1.8], [3.6, 0.05]];
/// let b = balanced_axis(g_e.view(), g_i.view()).unwrap();
/// assert!((b.slope - 1.2).abs() < 0.05);
/// assert!(b.mean_sd_ratio().unwrap() > 10.0);
/// ```
///
/// # Errors
/// As [`balanced_axis_slope`].
pub fn balanced_axis(g_e: ArrayView2<f64>, g_i: ArrayView2<f64>) -> Result<BalancedAxis> {
    let slope = balanced_axis_slope(g_e, g_i)?;
    let sd_ratio = balanced_axis_sd_ratio(g_e, g_i, slope)?;
    Ok(BalancedAxis { slope, sd_ratio })
}

/// Hypothetical voltage-clamp current (pA) from a conductance (nS): `g · driving_force_mv`.
/// The paper uses 70 mV, the distance between holding and reversal potential (Fig. 1E).
pub fn voltage_clamp_current_pa(g_ns: f64, driving_force_mv: f64) -> f64 {
    g_ns * driving_force_mv
}
