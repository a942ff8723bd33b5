//! Assemblies (cell ensembles): sets of member neurons of one population, chosen explicitly, at
//! random, or "from input" as the neurons that receive the most connections from given sources
//! (Meissner-Bernard et al. 2025: the E neurons most strongly driven by an odor's activated
//! mitral cells, and the I neurons most strongly driven by an E assembly).
//!
//! ```
//! use engram_connectivity::{AssemblySet, ConnectSpec, Rule, TopSelection};
//! // 300 mitral cells → 1000 E neurons, 20 inputs each.
//! let ob_e = ConnectSpec::new(Rule::FixedInDegree { k: 20 }).connect(300, 1000, 1, 1).unwrap();
//! // Two odors, each activating 30 mitral cells.
//! let odors: Vec<Vec<u32>> = vec![(0..30).collect(), (100..130).collect()];
//! let e = AssemblySet::from_input(&ob_e, &odors, 50, TopSelection::Strict, 1, 2).unwrap();
//! assert_eq!(e.len(), 2);
//! assert!(e.iter().all(|a| a.len() == 50));
//! // Every member gets at least as much input from its odor as every non-member.
//! let counts = engram_connectivity::input_counts(&ob_e, &odors[0]).unwrap();
//! let min_in = e[0].members().iter().map(|&j| counts[j as usize]).min().unwrap();
//! assert!((0..1000u32).filter(|j| !e[0].contains(*j)).all(|j| counts[j as usize] <= min_in));
//! ```

use crate::pattern::{Connectivity, check_population_size};
use engram_core::error::ParamError;
use engram_core::rng::{RngStream, stream};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// Chunk ids of the random streams that assembly constructors draw from: assembly `k` uses
/// `stream(seed, stream_id, ASSEMBLY_CHUNK_BASE + k)`. Disjoint from the generators' chunks
/// (`0, 1, ...`), [`crate::REWIRE_CHUNK_BASE`], [`crate::DELAY_CHUNK_BASE`] and
/// [`crate::BALANCE_CHUNK`].
pub const ASSEMBLY_CHUNK_BASE: u64 = 1 << 61;

/// One assembly: the sorted, distinct indices of its member neurons in one population.
///
/// ```
/// use engram_connectivity::Assembly;
/// let a = Assembly::new(vec![7, 2, 5], 10).unwrap();
/// assert_eq!(a.members(), &[2, 5, 7]);
/// assert!(a.contains(5) && !a.contains(3));
/// assert!(Assembly::new(vec![1, 1], 10).is_err());   // repeated member
/// assert!(Assembly::new(vec![10], 10).is_err());     // out of range
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assembly {
    members: Vec<u32>,
}

impl Assembly {
    /// An assembly of the given members of a population of `n_neurons` neurons (any order).
    ///
    /// Errors (field `members`): an index `>= n_neurons`, or a neuron listed twice.
    pub fn new(mut members: Vec<u32>, n_neurons: usize) -> Result<Self, ParamError> {
        check_population_size("n_neurons", n_neurons)?;
        members.sort_unstable();
        if let Some(&j) = members.iter().find(|&&j| j as usize >= n_neurons) {
            return Err(ParamError::new("members", j, format!("neuron indices below {n_neurons}")));
        }
        if let Some(w) = members.windows(2).find(|w| w[0] == w[1]) {
            return Err(ParamError::new("members", w[0], "each neuron at most once per assembly"));
        }
        Ok(Self { members })
    }

    /// The member neurons, sorted.
    pub fn members(&self) -> &[u32] {
        &self.members
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether the assembly has no members.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Whether neuron `j` is a member.
    pub fn contains(&self, j: u32) -> bool {
        self.members.binary_search(&j).is_ok()
    }
}

impl AsRef<[u32]> for Assembly {
    fn as_ref(&self) -> &[u32] {
        &self.members
    }
}

/// How [`AssemblySet::from_input`] picks `size` neurons by input count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TopSelection {
    /// The `size` neurons with the highest count: with `t` the `size`-th highest count, every
    /// neuron with count `> t` is a member, and the remaining places go to neurons with count
    /// exactly `t`, drawn uniformly at random. This is the rule as the paper states it
    /// (docs/models/dp.md#assemblies: the 100 E neurons with the highest count, ties at the
    /// threshold broken at random).
    #[default]
    Strict,
    /// What the reference code `introduce_assemblies.m` does: with `t` as above, `size`
    /// neurons are drawn uniformly at random from **all** neurons with count `>= t` (so a
    /// neuron above the threshold may be left out when more than `size` reach it).
    ReferenceCode,
}

/// An ordered list of assemblies in one population of `n_neurons` neurons. Assemblies may
/// overlap. Indexing (`set[k]`) gives assembly `k`.
///
/// ```
/// use engram_connectivity::AssemblySet;
/// // 15 random assemblies of 100 among 4000 neurons (overlaps allowed), as in the Dp model.
/// let e = AssemblySet::random(4000, 15, 100, 1, 3).unwrap();
/// assert_eq!((e.len(), e.n_neurons()), (15, 4000));
/// assert!(e.iter().all(|a| a.len() == 100));
/// // Non-overlapping assemblies:
/// let d = AssemblySet::random_disjoint(1000, 5, 200, 1, 3).unwrap();
/// assert_eq!(d.memberships().iter().filter(|&&m| m == 1).count(), 1000);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssemblySet {
    n_neurons: usize,
    assemblies: Vec<Assembly>,
}

impl std::ops::Index<usize> for AssemblySet {
    type Output = Assembly;
    fn index(&self, k: usize) -> &Assembly {
        &self.assemblies[k]
    }
}

impl AssemblySet {
    /// Explicit assemblies: `members[k]` are the members of assembly `k` (any order).
    ///
    /// Errors (field `members[k]`): an index `>= n_neurons` or a repeated member.
    pub fn from_members(n_neurons: usize, members: Vec<Vec<u32>>) -> Result<Self, ParamError> {
        let assemblies = members
            .into_iter()
            .enumerate()
            .map(|(k, m)| Assembly::new(m, n_neurons).map_err(|e| e.within(&format!("members[{k}]"))))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { n_neurons, assemblies })
    }

    /// A set of already checked assemblies of a population of `n_neurons` neurons.
    ///
    /// Errors (field `assemblies[k].members`): a member `>= n_neurons`.
    pub fn new(n_neurons: usize, assemblies: Vec<Assembly>) -> Result<Self, ParamError> {
        check_population_size("n_neurons", n_neurons)?;
        for (k, a) in assemblies.iter().enumerate() {
            if let Some(&j) = a.members.last().filter(|&&j| j as usize >= n_neurons) {
                return Err(ParamError::new(
                    format!("assemblies[{k}].members"),
                    j,
                    format!("neuron indices below {n_neurons}"),
                ));
            }
        }
        Ok(Self { n_neurons, assemblies })
    }

    /// `n_assemblies` assemblies of `size` neurons, each drawn uniformly without replacement
    /// and independently of the others (so assemblies may overlap). Assembly `k` draws from
    /// `stream(seed, stream_id, ASSEMBLY_CHUNK_BASE + k)`.
    ///
    /// Errors: `size > n_neurons` (field `size`).
    pub fn random(
        n_neurons: usize,
        n_assemblies: usize,
        size: usize,
        seed: u64,
        stream_id: u64,
    ) -> Result<Self, ParamError> {
        check_population_size("n_neurons", n_neurons)?;
        check_size(size, n_neurons)?;
        let all: Vec<u32> = (0..n_neurons as u32).collect();
        let assemblies = (0..n_assemblies)
            .map(|k| {
                let mut rng = stream(seed, stream_id, ASSEMBLY_CHUNK_BASE + k as u64);
                Assembly { members: choose_sorted(&mut rng, &all, size) }
            })
            .collect();
        Ok(Self { n_neurons, assemblies })
    }

    /// `n_assemblies` non-overlapping assemblies of `size` neurons: one random permutation of
    /// the population (from `stream(seed, stream_id, ASSEMBLY_CHUNK_BASE)`) cut into blocks.
    ///
    /// Errors: `n_assemblies · size > n_neurons` (field `size`).
    pub fn random_disjoint(
        n_neurons: usize,
        n_assemblies: usize,
        size: usize,
        seed: u64,
        stream_id: u64,
    ) -> Result<Self, ParamError> {
        check_population_size("n_neurons", n_neurons)?;
        let total = n_assemblies.saturating_mul(size);
        if total > n_neurons {
            return Err(ParamError::new(
                "size",
                size,
                format!(
                    "at most {} ({n_neurons} neurons / {n_assemblies} disjoint assemblies)",
                    n_neurons / n_assemblies
                ),
            ));
        }
        let mut rng = stream(seed, stream_id, ASSEMBLY_CHUNK_BASE);
        let mut order: Vec<u32> = (0..n_neurons as u32).collect();
        partial_shuffle(&mut rng, &mut order, total);
        let assemblies = order[..total]
            .chunks(size.max(1))
            .take(n_assemblies)
            .map(|block| {
                let mut members = block.to_vec();
                members.sort_unstable();
                Assembly { members }
            })
            .chain(std::iter::repeat_with(|| Assembly { members: Vec::new() }))
            .take(n_assemblies)
            .collect();
        Ok(Self { n_neurons, assemblies })
    }

    /// Assemblies "from input": assembly `k` is made of the `size` postsynaptic neurons of
    /// `input` that receive the most connections (counting multiplicity, see [`input_counts`])
    /// from the presynaptic neurons `sources[k]`; `selection` says how ties at the threshold
    /// are broken. Assembly `k` draws from `stream(seed, stream_id, ASSEMBLY_CHUNK_BASE + k)`.
    ///
    /// In the Dp model (docs/models/dp.md#assemblies, #variants):
    /// - E assembly `k` = top 100 E neurons by connections from odor `k`'s 150 activated mitral
    ///   cells: `from_input(&ob_to_e, &activated_mcs, 100, ..)`;
    /// - I assembly `k` = top 25 I neurons by connections from E assembly `k` (the column sums of
    ///   the E→I matrix over the E members): `from_input(&e_to_i, e_assemblies.assemblies(), 25, ..)`.
    ///   The reference code selects I assembly `k` on the E→I matrix *after* the E→I rewiring
    ///   of assemblies `0..k` (Tuned E+I); to reproduce that, select and rewire one assembly
    ///   at a time (see [`crate::rewire_assembly`]).
    ///
    /// Errors: `size > input.n_post()` (field `size`); a source out of range or repeated
    /// (field `sources[k]`).
    pub fn from_input<S: AsRef<[u32]>>(
        input: &Connectivity,
        sources: &[S],
        size: usize,
        selection: TopSelection,
        seed: u64,
        stream_id: u64,
    ) -> Result<Self, ParamError> {
        let assemblies = sources
            .iter()
            .enumerate()
            .map(|(k, s)| {
                Assembly::from_input(input, s.as_ref(), size, selection, seed, stream_id, k as u64).map_err(|e| {
                    if e.field == "sources" { ParamError { field: format!("sources[{k}]"), ..e } } else { e }
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { n_neurons: input.n_post(), assemblies })
    }

    /// Assemblies from input counts: assembly `k` is made of the `size` neurons with the
    /// highest `counts[k]` (one count per neuron of a population of `n_neurons`), drawn as
    /// [`from_input`](Self::from_input) draws them (the same streams). `from_input` is this
    /// with the counts of [`input_counts`]; give the counts yourself when they are computed
    /// without holding the input pattern ([`ConnectSpec::input_counts`](crate::ConnectSpec::input_counts)).
    ///
    /// Errors: `size > n_neurons` (field `size`); a list of counts not of `n_neurons`
    /// (field `counts[k]`).
    ///
    /// ```
    /// use engram_connectivity::{AssemblySet, ConnectSpec, Rule, TopSelection, input_counts};
    /// let ob_e = ConnectSpec::new(Rule::FixedInDegree { k: 20 }).connect(300, 1000, 1, 1).unwrap();
    /// let odors: Vec<Vec<u32>> = vec![(0..30).collect(), (100..130).collect()];
    /// let counts: Vec<Vec<u32>> = odors.iter().map(|o| input_counts(&ob_e, o).unwrap()).collect();
    /// assert_eq!(
    ///     AssemblySet::from_counts(1000, &counts, 50, TopSelection::ReferenceCode, 1, 2).unwrap(),
    ///     AssemblySet::from_input(&ob_e, &odors, 50, TopSelection::ReferenceCode, 1, 2).unwrap()
    /// );
    /// ```
    pub fn from_counts<C: AsRef<[u32]>>(
        n_neurons: usize,
        counts: &[C],
        size: usize,
        selection: TopSelection,
        seed: u64,
        stream_id: u64,
    ) -> Result<Self, ParamError> {
        check_population_size("n_neurons", n_neurons)?;
        check_size(size, n_neurons)?;
        let assemblies = counts
            .iter()
            .enumerate()
            .map(|(k, c)| {
                let c = c.as_ref();
                if c.len() != n_neurons {
                    return Err(ParamError::new(
                        format!("counts[{k}]"),
                        format!("{} counts", c.len()),
                        format!("one count per neuron ({n_neurons})"),
                    ));
                }
                Assembly::from_counts(c, size, selection, seed, stream_id, k as u64)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { n_neurons, assemblies })
    }

    /// Number of neurons of the population.
    pub fn n_neurons(&self) -> usize {
        self.n_neurons
    }

    /// Number of assemblies.
    pub fn len(&self) -> usize {
        self.assemblies.len()
    }

    /// Whether there are no assemblies.
    pub fn is_empty(&self) -> bool {
        self.assemblies.is_empty()
    }

    /// The assemblies, in order.
    pub fn assemblies(&self) -> &[Assembly] {
        &self.assemblies
    }

    /// The assemblies, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Assembly> {
        self.assemblies.iter()
    }

    /// Append an assembly.
    ///
    /// Errors (field `members`): a member `>= n_neurons`.
    pub fn push(&mut self, assembly: Assembly) -> Result<(), ParamError> {
        if let Some(&j) = assembly.members.last().filter(|&&j| j as usize >= self.n_neurons) {
            return Err(ParamError::new("members", j, format!("neuron indices below {}", self.n_neurons)));
        }
        self.assemblies.push(assembly);
        Ok(())
    }

    /// For each neuron, the number of assemblies it belongs to.
    pub fn memberships(&self) -> Vec<u32> {
        let mut m = vec![0u32; self.n_neurons];
        for a in &self.assemblies {
            for &j in &a.members {
                m[j as usize] += 1;
            }
        }
        m
    }

    /// The neurons that belong to at least one assembly, sorted.
    pub fn union(&self) -> Vec<u32> {
        self.memberships().iter().enumerate().filter(|&(_, &m)| m > 0).map(|(j, _)| j as u32).collect()
    }
}

impl<'a> IntoIterator for &'a AssemblySet {
    type Item = &'a Assembly;
    type IntoIter = std::slice::Iter<'a, Assembly>;
    fn into_iter(self) -> Self::IntoIter {
        self.assemblies.iter()
    }
}

impl Assembly {
    /// One assembly "from input" (see [`AssemblySet::from_input`]): the `size` postsynaptic
    /// neurons of `input` with the most connections from `sources`, drawing ties from
    /// `stream(seed, stream_id, ASSEMBLY_CHUNK_BASE + index)`.
    ///
    /// Errors: `size > input.n_post()` (field `size`); a source out of range or repeated
    /// (field `sources`).
    pub fn from_input(
        input: &Connectivity,
        sources: &[u32],
        size: usize,
        selection: TopSelection,
        seed: u64,
        stream_id: u64,
        index: u64,
    ) -> Result<Self, ParamError> {
        check_size(size, input.n_post())?;
        let counts = input_counts(input, sources)?;
        Self::from_counts(&counts, size, selection, seed, stream_id, index)
    }

    /// One assembly from input counts (see [`AssemblySet::from_counts`]): the `size` neurons
    /// with the highest `counts` (one per neuron), drawing ties from
    /// `stream(seed, stream_id, ASSEMBLY_CHUNK_BASE + index)`.
    ///
    /// Errors: `size > counts.len()` (field `size`).
    pub fn from_counts(
        counts: &[u32],
        size: usize,
        selection: TopSelection,
        seed: u64,
        stream_id: u64,
        index: u64,
    ) -> Result<Self, ParamError> {
        check_size(size, counts.len())?;
        let mut rng = stream(seed, stream_id, ASSEMBLY_CHUNK_BASE + index);
        Ok(Self { members: select_top(counts, size, selection, &mut rng) })
    }
}

/// For each postsynaptic neuron of `input`, the number of connections (counting multiplicity)
/// it receives from the presynaptic neurons `sources`.
///
/// Errors (field `sources`): a source `>= input.n_pre()` or listed twice.
///
/// ```
/// use engram_connectivity::{Connectivity, input_counts};
/// let c = Connectivity::from_pairs(3, 2, [(0, 1), (1, 1), (1, 1), (2, 0)]).unwrap();
/// assert_eq!(input_counts(&c, &[0, 1]).unwrap(), vec![0, 3]);
/// ```
pub fn input_counts(input: &Connectivity, sources: &[u32]) -> Result<Vec<u32>, ParamError> {
    let mut seen = vec![false; input.n_pre()];
    let mut counts = vec![0u32; input.n_post()];
    for &i in sources {
        if i as usize >= input.n_pre() {
            return Err(ParamError::new("sources", i, format!("presynaptic indices below {}", input.n_pre())));
        }
        if std::mem::replace(&mut seen[i as usize], true) {
            return Err(ParamError::new("sources", i, "each source at most once"));
        }
        let (posts, mults) = input.row(i as usize);
        for (&j, &m) in posts.iter().zip(mults) {
            counts[j as usize] += m as u32;
        }
    }
    Ok(counts)
}

fn check_size(size: usize, n: usize) -> Result<(), ParamError> {
    if size > n { Err(ParamError::new("size", size, format!("at most {n} (the population size)"))) } else { Ok(()) }
}

/// The `size` indices with the highest `counts`, sorted (see [`TopSelection`]).
fn select_top(counts: &[u32], size: usize, selection: TopSelection, rng: &mut RngStream) -> Vec<u32> {
    if size == 0 {
        return Vec::new();
    }
    let mut sorted = counts.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let threshold = sorted[size - 1];
    let mut members: Vec<u32> = match selection {
        TopSelection::Strict => {
            let mut above: Vec<u32> = (0..counts.len() as u32).filter(|&j| counts[j as usize] > threshold).collect();
            let at: Vec<u32> = (0..counts.len() as u32).filter(|&j| counts[j as usize] == threshold).collect();
            let missing = size - above.len();
            above.extend(choose_sorted(rng, &at, missing));
            above
        }
        TopSelection::ReferenceCode => {
            let candidates: Vec<u32> = (0..counts.len() as u32).filter(|&j| counts[j as usize] >= threshold).collect();
            choose_sorted(rng, &candidates, size)
        }
    };
    members.sort_unstable();
    members
}

/// Move `k` uniformly chosen elements of `v` to its front (partial Fisher–Yates).
pub(crate) fn partial_shuffle<T>(rng: &mut RngStream, v: &mut [T], k: usize) {
    for i in 0..k.min(v.len()) {
        let j = rng.gen_range(i..v.len());
        v.swap(i, j);
    }
}

/// The random numbers [`partial_shuffle`] draws for `k` elements of a list of `len`, drawn
/// and dropped: a rank that does not hold a list advances its stream as the one that holds it.
pub(crate) fn skip_partial_shuffle(rng: &mut RngStream, len: usize, k: usize) {
    for i in 0..k.min(len) {
        let _: usize = rng.gen_range(i..len);
    }
}

/// `k` distinct elements of `pool` drawn uniformly, sorted.
fn choose_sorted(rng: &mut RngStream, pool: &[u32], k: usize) -> Vec<u32> {
    let mut v = pool.to_vec();
    partial_shuffle(rng, &mut v, k);
    v.truncate(k);
    v.sort_unstable();
    v
}
