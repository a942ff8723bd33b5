//! [`Connectivity`]: who connects to whom, and how many times, stored as sprs CSR of multiplicities.

use std::ops::Range;

use crate::transpose::TransposeIndex;
use engram_core::error::ParamError;
use serde::{Deserialize, Serialize};
use sprs::CsMatI;

/// The sparse matrix type of a connection pattern: CSR, row = presynaptic neuron, column =
/// postsynaptic neuron, value = multiplicity (how many times the pair is connected).
pub type MultiplicityMatrix = CsMatI<u16, u32, usize>;

/// The sparse matrix type of a projection's weights: same layout as [`MultiplicityMatrix`].
pub type WeightMatrix = CsMatI<f64, u32, usize>;

/// What later edits of a pattern (out-degree balancing, rewiring) may create.
///
/// Generators record the rules they were built under, so that an edit never creates a
/// connection the generator would have refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Constraints {
    /// May presynaptic neuron `i` connect to postsynaptic neuron `i`? `false` only when pre
    /// and post are the same population and self-connections (autapses) are forbidden.
    pub allow_autapses: bool,
    /// May a pair be connected more than once (multiplicity > 1)?
    pub allow_multapses: bool,
}

impl Default for Constraints {
    /// Autapses allowed, multapses not: edits of a pattern built from an explicit list only
    /// ever connect pairs that are not yet connected.
    fn default() -> Self {
        Self { allow_autapses: true, allow_multapses: false }
    }
}

/// A connection pattern between `n_pre` presynaptic and `n_post` postsynaptic neurons.
///
/// Stored as a CSR matrix (row = presynaptic neuron, column indices sorted within each row,
/// `u32` indices) whose values are **multiplicities**: a pair drawn twice is one stored
/// synapse with count 2, and carries twice the weight ([`Connectivity::weights`]).
/// Degrees count multiplicity.
///
/// ```
/// use engram_connectivity::Connectivity;
/// // 3 presynaptic, 2 postsynaptic neurons; (0, 1) is listed twice.
/// let c = Connectivity::from_pairs(3, 2, [(0, 1), (2, 0), (0, 1), (0, 0)]).unwrap();
/// assert_eq!(c.n_entries(), 3);          // stored synapses
/// assert_eq!(c.n_connections(), 4);      // counting multiplicity
/// assert_eq!(c.out_degrees(), vec![3, 0, 1]);
/// assert_eq!(c.in_degrees(), vec![2, 2]);
/// assert_eq!(c.iter().collect::<Vec<_>>(), vec![(0, 0, 1), (0, 1, 2), (2, 0, 1)]);
/// let w = c.weights(0.5);
/// assert_eq!(w.data(), &[0.5, 1.0, 0.5]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Connectivity {
    pub(crate) matrix: MultiplicityMatrix,
    pub(crate) constraints: Constraints,
}

impl Connectivity {
    /// Wrap a CSR matrix of multiplicities (zeros are not allowed as stored values).
    ///
    /// # Panics
    /// If the matrix is stored as CSC, or a stored multiplicity is 0.
    pub fn from_matrix(matrix: MultiplicityMatrix, constraints: Constraints) -> Self {
        assert!(matrix.is_csr(), "a connectivity matrix must be CSR (row = presynaptic neuron)");
        assert!(matrix.data().iter().all(|&m| m > 0), "stored multiplicities must be >= 1");
        Self { matrix, constraints }
    }

    /// No connections at all.
    pub fn empty(n_pre: usize, n_post: usize) -> Self {
        Self::from_matrix(
            CsMatI::new((n_pre, n_post), vec![0; n_pre + 1], Vec::new(), Vec::new()),
            Constraints::default(),
        )
    }

    /// The pattern of an explicit list of `(pre, post)` pairs; a pair listed `m` times gets
    /// multiplicity `m`. The result has [`Constraints::default`]; change them with
    /// [`Connectivity::with_constraints`].
    ///
    /// Errors: a neuron index out of range (field `pairs`), a pair listed more than 65 535
    /// times, or a population larger than `u32` indices can address.
    pub fn from_pairs(
        n_pre: usize,
        n_post: usize,
        pairs: impl IntoIterator<Item = (u32, u32)>,
    ) -> Result<Self, ParamError> {
        check_population_size("n_pre", n_pre)?;
        check_population_size("n_post", n_post)?;
        let pairs: Vec<(u32, u32)> = pairs.into_iter().collect();
        for &(i, j) in &pairs {
            if i as usize >= n_pre || j as usize >= n_post {
                return Err(ParamError::new(
                    "pairs",
                    format!("({i}, {j})"),
                    format!("pairs (pre, post) with pre < {n_pre} and post < {n_post}"),
                ));
            }
        }
        // Counting sort by presynaptic neuron, then sort and collapse each row.
        let mut indptr = vec![0usize; n_pre + 1];
        for &(i, _) in &pairs {
            indptr[i as usize + 1] += 1;
        }
        for i in 0..n_pre {
            indptr[i + 1] += indptr[i];
        }
        let mut next = indptr[..n_pre].to_vec();
        let mut posts = vec![0u32; pairs.len()];
        for &(i, j) in &pairs {
            posts[next[i as usize]] = j;
            next[i as usize] += 1;
        }
        let mut row_ptr = Vec::with_capacity(n_pre + 1);
        row_ptr.push(0);
        let (mut indices, mut data) = (Vec::new(), Vec::new());
        for i in 0..n_pre {
            let row = &mut posts[indptr[i]..indptr[i + 1]];
            row.sort_unstable();
            collapse_sorted(row, &mut indices, &mut data)
                .map_err(|j| ParamError::new("pairs", format!("({i}, {j})"), "each pair listed at most 65535 times"))?;
            row_ptr.push(indices.len());
        }
        Ok(Self::from_matrix(CsMatI::new((n_pre, n_post), row_ptr, indices, data), Constraints::default()))
    }

    /// The same pattern with other edit constraints.
    pub fn with_constraints(mut self, constraints: Constraints) -> Self {
        self.constraints = constraints;
        self
    }

    /// What edits of this pattern may create.
    pub fn constraints(&self) -> Constraints {
        self.constraints
    }

    /// Number of presynaptic neurons (rows).
    pub fn n_pre(&self) -> usize {
        self.matrix.rows()
    }

    /// Number of postsynaptic neurons (columns).
    pub fn n_post(&self) -> usize {
        self.matrix.cols()
    }

    /// Number of stored synapses (distinct connected pairs).
    pub fn n_entries(&self) -> usize {
        self.matrix.nnz()
    }

    /// Number of connections, counting multiplicity.
    pub fn n_connections(&self) -> u64 {
        self.matrix.data().iter().map(|&m| m as u64).sum()
    }

    /// Number of inputs of each postsynaptic neuron, counting multiplicity.
    pub fn in_degrees(&self) -> Vec<u32> {
        let mut degrees = vec![0u32; self.n_post()];
        for (&j, &m) in self.matrix.indices().iter().zip(self.matrix.data()) {
            degrees[j as usize] += m as u32;
        }
        degrees
    }

    /// Number of outputs of each presynaptic neuron, counting multiplicity.
    pub fn out_degrees(&self) -> Vec<u32> {
        (0..self.n_pre()).map(|i| self.row(i).1.iter().map(|&m| m as u32).sum()).collect()
    }

    /// The largest multiplicity (0 for an empty pattern).
    pub fn max_multiplicity(&self) -> u16 {
        self.matrix.data().iter().copied().max().unwrap_or(0)
    }

    /// Number of stored synapses from neuron `i` onto neuron `i` (meaningful when pre and post
    /// are the same population).
    pub fn n_diagonal_entries(&self) -> usize {
        (0..self.n_pre()).filter(|&i| self.row(i).0.binary_search(&(i as u32)).is_ok()).count()
    }

    /// The postsynaptic neurons (sorted) and multiplicities of presynaptic neuron `pre`.
    ///
    /// # Panics
    /// If `pre >= n_pre`.
    pub fn row(&self, pre: usize) -> (&[u32], &[u16]) {
        let range = self.matrix.indptr().outer_inds_sz(pre);
        (&self.matrix.indices()[range.clone()], &self.matrix.data()[range])
    }

    /// Every stored synapse as `(pre, post, multiplicity)`, by presynaptic neuron, then
    /// postsynaptic neuron.
    pub fn iter(&self) -> impl Iterator<Item = (u32, u32, u16)> + '_ {
        (0..self.n_pre()).flat_map(move |i| {
            let (posts, counts) = self.row(i);
            posts.iter().zip(counts).map(move |(&j, &m)| (i as u32, j, m))
        })
    }

    /// The weight matrix of this pattern: each synapse carries `multiplicity × w`. Same layout
    /// (row pointers, column indices) as [`Connectivity::matrix`], so synapse `k` of one is
    /// synapse `k` of the other.
    pub fn weights(&self, w: f64) -> WeightMatrix {
        self.matrix.map(|&m| m as f64 * w)
    }

    /// The CSR matrix of multiplicities.
    pub fn matrix(&self) -> &MultiplicityMatrix {
        &self.matrix
    }

    /// The CSR matrix of multiplicities, by value.
    pub fn into_matrix(self) -> MultiplicityMatrix {
        self.matrix
    }

    /// The postsynaptic view of this pattern (see [`TransposeIndex`]).
    pub fn transpose_index(&self) -> TransposeIndex {
        TransposeIndex::new(&self.matrix)
    }

    /// This pattern's entries onto the postsynaptic neurons `targets` only (same shape, same
    /// global indices, every other column empty), and what each row left out
    /// ([`OmittedEntries`]). This is what a rank of a network split across ranks keeps;
    /// [`ConnectSpec::connect_onto`](crate::ConnectSpec::connect_onto) draws it without
    /// holding the whole pattern.
    ///
    /// Errors: `targets` not within `0..n_post` (field `targets`).
    ///
    /// ```
    /// use engram_connectivity::Connectivity;
    /// let c = Connectivity::from_pairs(2, 4, [(0, 0), (0, 2), (0, 3), (1, 1)]).unwrap();
    /// let (part, omitted) = c.restrict_targets(1..3).unwrap();
    /// assert_eq!(part.iter().collect::<Vec<_>>(), vec![(0, 2, 1), (1, 1, 1)]);
    /// assert_eq!((omitted.before, omitted.after), (vec![1, 0], vec![1, 0]));
    /// ```
    pub fn restrict_targets(&self, targets: Range<usize>) -> Result<(Connectivity, OmittedEntries), ParamError> {
        let keep = check_targets(targets, self.n_post())?;
        let n_pre = self.n_pre();
        let mut indptr = Vec::with_capacity(n_pre + 1);
        indptr.push(0usize);
        let (mut indices, mut data) = (Vec::new(), Vec::new());
        let mut omitted = OmittedEntries { before: Vec::with_capacity(n_pre), after: Vec::with_capacity(n_pre) };
        for i in 0..n_pre {
            let (posts, counts) = self.row(i);
            let (a, b) = kept_run(posts, &keep);
            indices.extend_from_slice(&posts[a..b]);
            data.extend_from_slice(&counts[a..b]);
            indptr.push(indices.len());
            omitted.before.push(a as u32);
            omitted.after.push((posts.len() - b) as u32);
        }
        let matrix = CsMatI::new((n_pre, self.n_post()), indptr, indices, data);
        Ok((Connectivity { matrix, constraints: self.constraints }, omitted))
    }
}

/// What a pattern restricted to some postsynaptic neurons (one rank's targets) left out of
/// each row of the whole pattern: the number of the row's entries (stored synapses) before
/// the kept ones and after them. The kept entries of a row are one run of the whole row
/// (its columns are sorted), so with these counts a draw made per entry of the whole
/// pattern, in CSR order (weights, delays), can be replayed for the kept entries only.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OmittedEntries {
    /// Per presynaptic neuron: entries onto postsynaptic neurons below the kept range.
    pub before: Vec<u32>,
    /// Per presynaptic neuron: entries onto postsynaptic neurons above the kept range.
    pub after: Vec<u32>,
}

impl OmittedEntries {
    /// Entries of the whole pattern that were left out.
    pub fn n_omitted(&self) -> usize {
        self.before.iter().chain(&self.after).map(|&n| n as usize).sum()
    }

    /// The index, in the whole pattern's CSR order, of every entry of `part` (the restricted
    /// pattern's row pointers, `n_pre + 1` of them), row by row.
    pub fn whole_indices<'a>(&'a self, part_indptr: &'a [usize]) -> impl Iterator<Item = usize> + 'a {
        let mut whole = 0usize;
        part_indptr.windows(2).enumerate().flat_map(move |(i, row)| {
            let start = whole + self.before[i] as usize;
            let len = row[1] - row[0];
            whole = start + len + self.after[i] as usize;
            start..start + len
        })
    }
}

/// `targets` as a `u32` range, if it lies within `0..n_post`.
pub(crate) fn check_targets(targets: Range<usize>, n_post: usize) -> Result<Range<u32>, ParamError> {
    if targets.start > targets.end || targets.end > n_post {
        return Err(ParamError::new(
            "targets",
            format!("{}..{}", targets.start, targets.end),
            format!("a range of postsynaptic neurons within 0..{n_post}"),
        ));
    }
    Ok(targets.start as u32..targets.end as u32)
}

/// The run `a..b` of a sorted row's columns that lie in `keep`.
pub(crate) fn kept_run(columns: &[u32], keep: &Range<u32>) -> (usize, usize) {
    (columns.partition_point(|&j| j < keep.start), columns.partition_point(|&j| j < keep.end))
}

/// `Ok` if a population of `n` neurons can be addressed with `u32` indices.
pub(crate) fn check_population_size(field: &str, n: usize) -> Result<(), ParamError> {
    if n as u64 <= u32::MAX as u64 {
        Ok(())
    } else {
        Err(ParamError::new(field, n, format!("at most {} neurons (u32 indices)", u32::MAX)))
    }
}

/// Append the distinct values of `sorted` to `indices` and how often each occurs to `counts`.
/// `Err(value)` if one value occurs more than `u16::MAX` times.
pub(crate) fn collapse_sorted(sorted: &[u32], indices: &mut Vec<u32>, counts: &mut Vec<u16>) -> Result<(), u32> {
    let mut k = 0;
    while k < sorted.len() {
        let v = sorted[k];
        let mut end = k + 1;
        while end < sorted.len() && sorted[end] == v {
            end += 1;
        }
        let count = u16::try_from(end - k).map_err(|_| v)?;
        indices.push(v);
        counts.push(count);
        k = end;
    }
    Ok(())
}
