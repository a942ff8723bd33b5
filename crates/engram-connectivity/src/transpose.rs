//! [`TransposeIndex`]: the postsynaptic view of a CSR projection, as indices into its data.

use serde::{Deserialize, Serialize};
use sprs::CsMatI;

/// For each postsynaptic neuron, which synapses (indices into the CSR data array of the
/// projection) end on it, and from which presynaptic neuron.
///
/// The synapses onto postsynaptic neuron `j` are `syn_of_post[col_ptr[j]..col_ptr[j + 1]]`,
/// in increasing presynaptic order; `pre_of_post` holds their presynaptic neurons in the same
/// places. These are the fields `engram_core::plasticity::SynapsesMut` asks for. Built with one
/// counting sort, O(synapses + neurons).
///
/// ```
/// use engram_connectivity::{Connectivity, TransposeIndex};
/// // 0 -> 1, 1 -> 0, 1 -> 1, 2 -> 1
/// let c = Connectivity::from_pairs(3, 2, [(0, 1), (1, 0), (1, 1), (2, 1)]).unwrap();
/// let w = c.weights(0.1);
/// let t = TransposeIndex::new(&w);
/// assert_eq!(t.col_ptr, vec![0, 1, 4]);
/// assert_eq!(t.pre_onto(1), &[0, 1, 2]);
/// // synapse 2 of the CSR data is 1 -> 1
/// assert_eq!(t.synapses_onto(1), &[0, 2, 3]);
/// assert_eq!(w.indices()[2], 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransposeIndex {
    /// `n_post + 1` offsets into `syn_of_post` and `pre_of_post`.
    pub col_ptr: Vec<usize>,
    /// Synapse indices (positions in the CSR data array) grouped by postsynaptic neuron.
    pub syn_of_post: Vec<u32>,
    /// Presynaptic neuron of each entry of `syn_of_post`.
    pub pre_of_post: Vec<u32>,
}

impl TransposeIndex {
    /// The transpose index of a CSR matrix (weights or multiplicities).
    ///
    /// # Panics
    /// If the matrix is CSC, or has more than `u32::MAX` stored synapses.
    pub fn new<N>(matrix: &CsMatI<N, u32, usize>) -> Self {
        assert!(matrix.is_csr(), "the transpose index is built from a CSR matrix");
        let nnz = matrix.nnz();
        assert!(nnz as u64 <= u32::MAX as u64, "a projection holds at most u32::MAX synapses");
        let n_post = matrix.cols();
        let indices = matrix.indices();
        let mut col_ptr = vec![0usize; n_post + 1];
        for &j in indices {
            col_ptr[j as usize + 1] += 1;
        }
        for j in 0..n_post {
            col_ptr[j + 1] += col_ptr[j];
        }
        let mut next = col_ptr[..n_post].to_vec();
        let mut syn_of_post = vec![0u32; nnz];
        let mut pre_of_post = vec![0u32; nnz];
        let indptr = matrix.proper_indptr();
        // Rows in increasing order, so each column's list comes out sorted by presynaptic neuron.
        for i in 0..matrix.rows() {
            for k in indptr[i]..indptr[i + 1] {
                let j = indices[k] as usize;
                syn_of_post[next[j]] = k as u32;
                pre_of_post[next[j]] = i as u32;
                next[j] += 1;
            }
        }
        Self { col_ptr, syn_of_post, pre_of_post }
    }

    /// Number of postsynaptic neurons.
    pub fn n_post(&self) -> usize {
        self.col_ptr.len() - 1
    }

    /// The synapse indices onto postsynaptic neuron `post`, by increasing presynaptic neuron.
    pub fn synapses_onto(&self, post: usize) -> &[u32] {
        &self.syn_of_post[self.col_ptr[post]..self.col_ptr[post + 1]]
    }

    /// The presynaptic neurons of the synapses onto `post`, increasing.
    pub fn pre_onto(&self, post: usize) -> &[u32] {
        &self.pre_of_post[self.col_ptr[post]..self.col_ptr[post + 1]]
    }
}
