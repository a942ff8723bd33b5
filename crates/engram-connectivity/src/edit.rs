//! Row-wise editing of a CSR pattern: rows are copied out only when first touched, and the
//! CSR matrix is rebuilt once at the end. Used by out-degree balancing and assembly rewiring.

use crate::pattern::MultiplicityMatrix;
use sprs::CsMatI;

/// A CSR pattern under edit. Untouched rows stay in the original matrix.
pub(crate) struct RowEditor<'a> {
    base: &'a MultiplicityMatrix,
    indptr: std::borrow::Cow<'a, [usize]>,
    edited: Vec<Option<Vec<(u32, u16)>>>,
}

impl<'a> RowEditor<'a> {
    pub(crate) fn new(base: &'a MultiplicityMatrix) -> Self {
        Self { base, indptr: base.proper_indptr(), edited: vec![None; base.rows()] }
    }

    fn base_row(&self, pre: usize) -> (&[u32], &[u16]) {
        let r = self.indptr[pre]..self.indptr[pre + 1];
        (&self.base.indices()[r.clone()], &self.base.data()[r])
    }

    /// Number of stored synapses of row `pre`.
    pub(crate) fn row_len(&self, pre: usize) -> usize {
        match &self.edited[pre] {
            Some(row) => row.len(),
            None => self.indptr[pre + 1] - self.indptr[pre],
        }
    }

    /// Entry `k` of row `pre` as (post, multiplicity).
    pub(crate) fn entry(&self, pre: usize, k: usize) -> (u32, u16) {
        match &self.edited[pre] {
            Some(row) => row[k],
            None => {
                let (posts, counts) = self.base_row(pre);
                (posts[k], counts[k])
            }
        }
    }

    /// Multiplicity of `pre → post` (0 if not connected).
    pub(crate) fn multiplicity(&self, pre: usize, post: u32) -> u16 {
        match &self.edited[pre] {
            Some(row) => row.binary_search_by_key(&post, |e| e.0).map_or(0, |k| row[k].1),
            None => {
                let (posts, counts) = self.base_row(pre);
                posts.binary_search(&post).map_or(0, |k| counts[k])
            }
        }
    }

    fn row_mut(&mut self, pre: usize) -> &mut Vec<(u32, u16)> {
        if self.edited[pre].is_none() {
            let (posts, counts) = self.base_row(pre);
            let row = posts.iter().copied().zip(counts.iter().copied()).collect();
            self.edited[pre] = Some(row);
        }
        self.edited[pre].as_mut().expect("row was just materialised")
    }

    /// Add one unit of multiplicity to `pre → post`.
    ///
    /// # Panics
    /// If the multiplicity would exceed `u16::MAX`.
    pub(crate) fn add_unit(&mut self, pre: usize, post: u32) {
        let row = self.row_mut(pre);
        match row.binary_search_by_key(&post, |e| e.0) {
            Ok(k) => row[k].1 = row[k].1.checked_add(1).expect("multiplicity above 65535"),
            Err(k) => row.insert(k, (post, 1)),
        }
    }

    /// Remove one unit of multiplicity from `pre → post`; the synapse disappears at 0.
    ///
    /// # Panics
    /// If `pre → post` is not connected.
    pub(crate) fn remove_unit(&mut self, pre: usize, post: u32) {
        let row = self.row_mut(pre);
        let k = row.binary_search_by_key(&post, |e| e.0).expect("removing a connection that does not exist");
        row[k].1 -= 1;
        if row[k].1 == 0 {
            row.remove(k);
        }
    }

    /// The edited matrix.
    pub(crate) fn finish(self) -> MultiplicityMatrix {
        let n_pre = self.base.rows();
        let nnz: usize = (0..n_pre).map(|i| self.row_len(i)).sum();
        let mut indptr = Vec::with_capacity(n_pre + 1);
        indptr.push(0);
        let mut indices = Vec::with_capacity(nnz);
        let mut data = Vec::with_capacity(nnz);
        for i in 0..n_pre {
            match &self.edited[i] {
                Some(row) => {
                    indices.extend(row.iter().map(|e| e.0));
                    data.extend(row.iter().map(|e| e.1));
                }
                None => {
                    let (posts, counts) = self.base_row(i);
                    indices.extend_from_slice(posts);
                    data.extend_from_slice(counts);
                }
            }
            indptr.push(indices.len());
        }
        CsMatI::new((n_pre, self.base.cols()), indptr, indices, data)
    }
}
