//! Weight scaling by postsynaptic neuron: the "Scaled I" variant of the Dp model multiplies
//! inhibitory weights by χ (docs/models/dp.md#variants: every I→E weight × χ, χ = 1.4).
//!
//! ```
//! use engram_connectivity::{ConnectSpec, Rule, scale_weights, scale_weights_onto};
//! let i_to_e = ConnectSpec::new(Rule::FixedInDegree { k: 50 }).connect(1000, 4000, 1, 1).unwrap();
//! // Scaled I, as in the paper: every I→E weight × χ.
//! let mut w = i_to_e.weights(0.48);
//! scale_weights(&mut w, 1.4);
//! assert!(w.data().iter().all(|&x| (x - 0.672).abs() < 1e-12 || (x - 1.344).abs() < 1e-12));
//! // Or only the synapses onto given postsynaptic neurons (e.g. assembly members).
//! let mut w = i_to_e.weights(0.48);
//! scale_weights_onto(&mut w, &[0, 1, 2], 1.4).unwrap();
//! ```

use crate::pattern::WeightMatrix;
use engram_core::error::ParamError;

/// Multiply every weight by `factor` (the Scaled I variant: all I→E weights × χ).
pub fn scale_weights(weights: &mut WeightMatrix, factor: f64) {
    weights.data_mut().iter_mut().for_each(|w| *w *= factor);
}

/// Multiply the weights of the synapses onto the postsynaptic neurons `posts` by `factor`
/// (each synapse once, even if its postsynaptic neuron is listed twice).
///
/// Errors (field `posts`): an index `>= weights.cols()`.
pub fn scale_weights_onto(weights: &mut WeightMatrix, posts: &[u32], factor: f64) -> Result<(), ParamError> {
    let mut factors = vec![1.0; weights.cols()];
    for &j in posts {
        let f = factors
            .get_mut(j as usize)
            .ok_or_else(|| ParamError::new("posts", j, format!("postsynaptic indices below {}", weights.cols())))?;
        *f = factor;
    }
    scale_weights_by_post(weights, &factors)
}

/// Multiply the weight of every synapse onto postsynaptic neuron `j` by `factors[j]`.
///
/// Errors (field `factors`): not one factor per postsynaptic neuron.
pub fn scale_weights_by_post(weights: &mut WeightMatrix, factors: &[f64]) -> Result<(), ParamError> {
    if factors.len() != weights.cols() {
        return Err(ParamError::new(
            "factors",
            format!("{} factors", factors.len()),
            format!("one factor per postsynaptic neuron ({})", weights.cols()),
        ));
    }
    assert!(weights.is_csr(), "weights must be CSR (row = presynaptic neuron)");
    for mut row in weights.outer_iterator_mut() {
        for (j, w) in row.iter_mut() {
            *w *= factors[j];
        }
    }
    Ok(())
}
