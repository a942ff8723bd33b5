//! Which neurons of the target population a stimulus acts on.

use engram_core::error::ParamError;
use serde::{Deserialize, Serialize};

/// The neurons a stimulus reaches: all of them, or a list of indices.
///
/// In RON: `All` or `Indices([0, 4, 7])`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Targets {
    /// Every neuron of the population.
    #[default]
    All,
    /// These neurons (distinct, any order; applied in increasing order).
    Indices(Vec<u32>),
}

impl Targets {
    /// Check the indices against a population of `n` neurons and return them sorted, or
    /// `None` for [`Targets::All`]. The error names `field`.
    pub fn resolve(&self, n: usize, field: &str) -> Result<Option<Vec<u32>>, ParamError> {
        match self {
            Targets::All => Ok(None),
            Targets::Indices(idx) => {
                let mut sorted = idx.clone();
                sorted.sort_unstable();
                if let Some(&bad) = sorted.iter().find(|&&i| i as usize >= n) {
                    return Err(ParamError::new(field, bad, format!("neuron indices below the population size {n}")));
                }
                if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
                    return Err(ParamError::new(field, w[0], "distinct neuron indices (this one is repeated)"));
                }
                Ok(Some(sorted))
            }
        }
    }
}
