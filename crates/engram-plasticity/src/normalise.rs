//! L1 normalisation of a projection's weights, per postsynaptic neuron (the total input a
//! neuron receives) or per presynaptic neuron (the total output a neuron sends): a building
//! block that keeps a Hebbian rule's weights from growing without bound.

use engram_core::plasticity::SynapsesMut;
use serde::{Deserialize, Serialize};

use crate::common::clip;

/// Which sums a normalisation holds fixed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NormaliseSide {
    /// The sum of the weights onto each postsynaptic neuron (its total input; "postsynaptic
    /// normalisation", the form of Mackwood et al. 2021's E→I rule).
    #[default]
    Post,
    /// The sum of the weights from each presynaptic neuron (its total output).
    Pre,
}

/// The L1 sum of the weights on each neuron of `side` (one per postsynaptic neuron for
/// [`NormaliseSide::Post`], one per presynaptic neuron for [`NormaliseSide::Pre`]).
///
/// ```
/// use engram_plasticity::{NormaliseSide, SynapseTable, l1_sums};
/// let mut t = SynapseTable::from_triplets(2, 2, &[(0, 0, 1.0), (1, 0, 2.0), (1, 1, 0.5)]);
/// assert_eq!(l1_sums(&t.view(), NormaliseSide::Post), vec![3.0, 0.5]);
/// assert_eq!(l1_sums(&t.view(), NormaliseSide::Pre), vec![1.0, 2.5]);
/// ```
pub fn l1_sums(syn: &SynapsesMut<'_>, side: NormaliseSide) -> Vec<f64> {
    match side {
        NormaliseSide::Post => (0..syn.n_post())
            .map(|j| (syn.col_ptr[j]..syn.col_ptr[j + 1]).map(|e| syn.weights[syn.syn_of_post[e] as usize].abs()).sum())
            .collect(),
        NormaliseSide::Pre => (0..syn.n_pre())
            .map(|i| syn.weights[syn.row_ptr[i]..syn.row_ptr[i + 1]].iter().map(|w| w.abs()).sum())
            .collect(),
    }
}

/// Rescale the weights on each neuron of `side` multiplicatively so that their L1 sum equals
/// `targets[n]`, then clip them to `[lo, hi]`. The sum is exact unless a clip binds (a weight
/// pushed above `hi`); a neuron whose weights sum to zero is left as it is.
///
/// ```
/// use engram_plasticity::{NormaliseSide, SynapseTable, l1_sums, normalise_l1};
/// let mut t = SynapseTable::from_triplets(2, 1, &[(0, 0, 1.0), (1, 0, 3.0)]);
/// normalise_l1(&mut t.view(), NormaliseSide::Post, &[2.0], 0.0, 10.0);
/// assert_eq!(t.weights, vec![0.5, 1.5]);
/// ```
///
/// # Panics
///
/// If `targets` does not have one entry per neuron of `side`.
pub fn normalise_l1(syn: &mut SynapsesMut<'_>, side: NormaliseSide, targets: &[f64], lo: f64, hi: f64) {
    let sums = l1_sums(syn, side);
    assert_eq!(sums.len(), targets.len(), "normalise_l1: one target per neuron ({} neurons)", sums.len());
    for (n, (&sum, &target)) in sums.iter().zip(targets).enumerate() {
        if sum <= 0.0 {
            continue;
        }
        let f = target / sum;
        match side {
            NormaliseSide::Post => {
                for e in syn.col_ptr[n]..syn.col_ptr[n + 1] {
                    let k = syn.syn_of_post[e] as usize;
                    syn.weights[k] = clip(syn.weights[k] * f, lo, hi);
                }
            }
            NormaliseSide::Pre => {
                for w in &mut syn.weights[syn.row_ptr[n]..syn.row_ptr[n + 1]] {
                    *w = clip(*w * f, lo, hi);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SynapseTable;

    #[test]
    fn post_normalisation_holds_every_column_sum_at_its_target() {
        let t: Vec<_> = (0..5).flat_map(|i| (0..3).map(move |j| (i, j, 0.1 + 0.07 * (i * 3 + j) as f64))).collect();
        let mut s = SynapseTable::from_triplets(5, 3, &t);
        let targets = [1.0, 2.0, 0.5];
        normalise_l1(&mut s.view(), NormaliseSide::Post, &targets, 0.0, 10.0);
        for (got, want) in l1_sums(&s.view(), NormaliseSide::Post).iter().zip(targets) {
            assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        }
        // rows keep their ratios within a column
        let r = s.weight(1, 0).unwrap() / s.weight(0, 0).unwrap();
        assert!((r - 0.31 / 0.1).abs() < 1e-12);
    }

    #[test]
    fn pre_normalisation_holds_every_row_sum_at_its_target() {
        let mut s = SynapseTable::all_to_all(3, 4, 0.3);
        s.weights[0] = 2.0;
        normalise_l1(&mut s.view(), NormaliseSide::Pre, &[1.0, 1.0, 3.0], 0.0, 10.0);
        for (got, want) in l1_sums(&s.view(), NormaliseSide::Pre).iter().zip([1.0, 1.0, 3.0]) {
            assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        }
    }

    #[test]
    fn a_binding_upper_bound_clips_after_rescaling() {
        let mut s = SynapseTable::from_triplets(2, 1, &[(0, 0, 1.0), (1, 0, 1.0)]);
        normalise_l1(&mut s.view(), NormaliseSide::Post, &[4.0], 0.0, 1.5);
        assert_eq!(s.weights, vec![1.5, 1.5]);
    }
}
