//! Firing rates from spike trains: per-neuron rates in a window, binned rates, population rate.
//!
//! Spike trains are given as two parallel slices, `times_ms[i]` and `neurons[i]` (the neuron
//! index of spike `i`), plus the population size `n`; they need not be sorted. Windows are
//! half-open, `[t0_ms, t1_ms)`, and rates are in Hz (spikes per second).

use ndarray::Array2;

use crate::error::{AnalysisError, Result, check_len};

fn check_window(t0_ms: f64, t1_ms: f64) -> Result<()> {
    if t0_ms.is_finite() && t1_ms.is_finite() && t1_ms > t0_ms {
        Ok(())
    } else {
        Err(AnalysisError::InvalidArgument {
            name: "window",
            value: format!("[{t0_ms}, {t1_ms})"),
            reason: "need finite t0_ms < t1_ms",
        })
    }
}

fn check_train(times_ms: &[f64], neurons: &[u32], n: usize) -> Result<()> {
    check_len("neurons (one index per spike time)", times_ms.len(), neurons.len())?;
    if let Some(&index) = neurons.iter().find(|&&i| i as usize >= n) {
        return Err(AnalysisError::NeuronOutOfRange { index, n });
    }
    Ok(())
}

/// Number of spikes of each of the `n` neurons in the window `[t0_ms, t1_ms)`.
///
/// # Errors
/// Mismatched slice lengths, an empty or reversed window, or a neuron index `>= n`.
pub fn spike_counts(times_ms: &[f64], neurons: &[u32], n: usize, t0_ms: f64, t1_ms: f64) -> Result<Vec<usize>> {
    check_train(times_ms, neurons, n)?;
    check_window(t0_ms, t1_ms)?;
    let mut counts = vec![0usize; n];
    for (&t, &i) in times_ms.iter().zip(neurons) {
        if t >= t0_ms && t < t1_ms {
            counts[i as usize] += 1;
        }
    }
    Ok(counts)
}

/// Firing rate (Hz) of each of the `n` neurons in `[t0_ms, t1_ms)`: spike count divided by the
/// window length in seconds. This is the paper's odor-evoked rate when the window is the first
/// 1.5 s of the odor (docs/models/dp.md#fitting-observables).
///
/// ```
/// use engram_analysis::rates::firing_rates_hz;
/// // neuron 0 fires 3 spikes and neuron 1 one spike in a 500 ms window
/// let r = firing_rates_hz(&[10.0, 20.0, 30.0, 40.0, 900.0], &[0, 0, 0, 1, 1], 2, 0.0, 500.0).unwrap();
/// assert_eq!(r, vec![6.0, 2.0]);
/// ```
///
/// # Errors
/// As [`spike_counts`].
pub fn firing_rates_hz(times_ms: &[f64], neurons: &[u32], n: usize, t0_ms: f64, t1_ms: f64) -> Result<Vec<f64>> {
    let duration_s = (t1_ms - t0_ms) / 1000.0;
    Ok(spike_counts(times_ms, neurons, n, t0_ms, t1_ms)?.into_iter().map(|c| c as f64 / duration_s).collect())
}

/// Number of whole bins of `bin_ms` that fit in `[t0_ms, t1_ms)` (a partial last bin is
/// dropped; a length within 1e-9 bins of a whole number counts as whole).
fn n_bins(t0_ms: f64, t1_ms: f64, bin_ms: f64) -> usize {
    ((t1_ms - t0_ms) / bin_ms + 1e-9).floor() as usize
}

/// Binned firing rates (Hz): a matrix of shape **(n neurons × bins)**; entry `(i, b)` is the
/// spike count of neuron `i` in `[t0_ms + b·bin_ms, t0_ms + (b+1)·bin_ms)` divided by the bin
/// length in seconds. Only whole bins are kept. Column `b` is the population rate vector at
/// time bin `b`, the input of [`crate::correlation::time_time_correlation`] (the paper uses
/// 100 ms bins, docs/models/dp.md#rates-and-dynamics).
///
/// ```
/// use engram_analysis::rates::binned_rates_hz;
/// let m = binned_rates_hz(&[5.0, 15.0, 16.0], &[0, 1, 1], 2, 0.0, 20.0, 10.0).unwrap();
/// assert_eq!(m.shape(), &[2, 2]);
/// assert_eq!(m[[1, 1]], 200.0); // two spikes in a 10 ms bin
/// ```
///
/// # Errors
/// As [`spike_counts`], and a non-positive `bin_ms` or a window shorter than one bin.
pub fn binned_rates_hz(
    times_ms: &[f64],
    neurons: &[u32],
    n: usize,
    t0_ms: f64,
    t1_ms: f64,
    bin_ms: f64,
) -> Result<Array2<f64>> {
    check_train(times_ms, neurons, n)?;
    check_window(t0_ms, t1_ms)?;
    let nb = check_bins(t0_ms, t1_ms, bin_ms)?;
    let mut m = Array2::<f64>::zeros((n, nb));
    let end = t0_ms + nb as f64 * bin_ms;
    let per_spike = 1000.0 / bin_ms;
    for (&t, &i) in times_ms.iter().zip(neurons) {
        if t >= t0_ms && t < end {
            let b = (((t - t0_ms) / bin_ms).floor() as usize).min(nb - 1);
            m[[i as usize, b]] += per_spike;
        }
    }
    Ok(m)
}

fn check_bins(t0_ms: f64, t1_ms: f64, bin_ms: f64) -> Result<usize> {
    if !(bin_ms > 0.0 && bin_ms.is_finite()) {
        return Err(AnalysisError::InvalidArgument {
            name: "bin_ms",
            value: bin_ms.to_string(),
            reason: "must be positive and finite",
        });
    }
    let nb = n_bins(t0_ms, t1_ms, bin_ms);
    if nb == 0 {
        return Err(AnalysisError::InvalidArgument {
            name: "bin_ms",
            value: bin_ms.to_string(),
            reason: "window is shorter than one bin",
        });
    }
    Ok(nb)
}

/// Population rate (Hz per neuron) in bins of `bin_ms`: the number of spikes of all `n` neurons
/// in each whole bin of `[t0_ms, t1_ms)`, divided by `n` and by the bin length in seconds.
/// Neuron indices are not needed (every spike counts), so only the times are passed.
///
/// ```
/// use engram_analysis::rates::population_rate_hz;
/// // 4 spikes of a 2-neuron population in one 100 ms bin: 4 / (2 · 0.1 s) = 20 Hz
/// let r = population_rate_hz(&[1.0, 2.0, 3.0, 4.0], 2, 0.0, 100.0, 100.0).unwrap();
/// assert_eq!(r, vec![20.0]);
/// ```
///
/// # Errors
/// `n == 0`, an empty or reversed window, a non-positive `bin_ms` or a window shorter than one bin.
pub fn population_rate_hz(times_ms: &[f64], n: usize, t0_ms: f64, t1_ms: f64, bin_ms: f64) -> Result<Vec<f64>> {
    if n == 0 {
        return Err(AnalysisError::InvalidArgument {
            name: "n",
            value: "0".into(),
            reason: "population must have at least one neuron",
        });
    }
    check_window(t0_ms, t1_ms)?;
    let nb = check_bins(t0_ms, t1_ms, bin_ms)?;
    let mut r = vec![0.0; nb];
    let end = t0_ms + nb as f64 * bin_ms;
    let per_spike = 1000.0 / (bin_ms * n as f64);
    for &t in times_ms {
        if t >= t0_ms && t < end {
            let b = (((t - t0_ms) / bin_ms).floor() as usize).min(nb - 1);
            r[b] += per_spike;
        }
    }
    Ok(r)
}

/// Mean of `values` over the indices in `subset` (for example the rate of an assembly).
/// `None` when `subset` is empty.
///
/// # Panics
/// If an index in `subset` is out of range.
pub fn mean_over(values: &[f64], subset: &[usize]) -> Option<f64> {
    if subset.is_empty() {
        return None;
    }
    Some(subset.iter().map(|&i| values[i]).sum::<f64>() / subset.len() as f64)
}

/// The indices in `0..n` that are not in `subset` (for example the non-assembly neurons).
pub fn complement(subset: &[usize], n: usize) -> Vec<usize> {
    let mut inside = vec![false; n];
    for &i in subset {
        if i < n {
            inside[i] = true;
        }
    }
    (0..n).filter(|&i| !inside[i]).collect()
}
