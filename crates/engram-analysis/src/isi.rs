//! Inter-spike-interval (ISI) coefficient of variation, per neuron and averaged over a set.
//!
//! CV = SD(ISI) / mean(ISI), with the population SD (divide by the number of intervals, as in
//! NumPy's `std` and Elephant's `cv`). A neuron needs at least 3 spikes (2 intervals); otherwise
//! its CV is `None`, so no NaN ever appears.

use crate::error::{AnalysisError, Result, check_len};

/// ISI CV of one spike train (times in ms, any order; they are sorted internally).
/// `None` with fewer than 3 spikes or a zero mean interval (all spikes at one time).
///
/// ```
/// use engram_analysis::isi::isi_cv;
/// assert_eq!(isi_cv(&[0.0, 10.0, 20.0, 30.0]), Some(0.0)); // a regular train
/// assert_eq!(isi_cv(&[0.0, 10.0]), None);                 // one interval only
/// ```
pub fn isi_cv(spike_times_ms: &[f64]) -> Option<f64> {
    if spike_times_ms.len() < 3 {
        return None;
    }
    let mut t = spike_times_ms.to_vec();
    t.sort_by(f64::total_cmp);
    let isis: Vec<f64> = t.windows(2).map(|w| w[1] - w[0]).collect();
    let m = isis.iter().sum::<f64>() / isis.len() as f64;
    if m <= 0.0 {
        return None;
    }
    let var = isis.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / isis.len() as f64;
    Some(var.sqrt() / m)
}

/// ISI CV of each of the `n` neurons of a spike train given as parallel slices
/// (`times_ms[i]`, `neurons[i]`). Entry `i` is `None` if neuron `i` fired fewer than 3 spikes.
///
/// # Errors
/// Mismatched slice lengths or a neuron index `>= n`.
pub fn isi_cv_per_neuron(times_ms: &[f64], neurons: &[u32], n: usize) -> Result<Vec<Option<f64>>> {
    check_len("neurons (one index per spike time)", times_ms.len(), neurons.len())?;
    let mut trains: Vec<Vec<f64>> = vec![Vec::new(); n];
    for (&t, &i) in times_ms.iter().zip(neurons) {
        let train = trains.get_mut(i as usize).ok_or(AnalysisError::NeuronOutOfRange { index: i, n })?;
        train.push(t);
    }
    Ok(trains.iter().map(|t| isi_cv(t)).collect())
}

/// Mean ISI CV over the neurons in `subset` that have one (`None` entries are skipped);
/// `subset = None` means all neurons. `None` if no neuron in the set has a CV.
///
/// # Panics
/// If an index in `subset` is out of range.
pub fn mean_isi_cv(cvs: &[Option<f64>], subset: Option<&[usize]>) -> Option<f64> {
    let values: Vec<f64> = match subset {
        Some(s) => s.iter().filter_map(|&i| cvs[i]).collect(),
        None => cvs.iter().flatten().copied().collect(),
    };
    if values.is_empty() { None } else { Some(values.iter().sum::<f64>() / values.len() as f64) }
}
