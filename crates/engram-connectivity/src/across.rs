//! A pattern split by columns across ranks: each rank holds the entries onto its own
//! postsynaptic neurons (a range of columns; the ranks' ranges tile the columns in rank
//! order), and what needs the other columns is gathered from the other ranks
//! ([`AllGather`]): what each row leaves out ([`Connectivity::omitted_across`]), input counts
//! ([`input_counts_across`]); out-degree balancing
//! ([`Connectivity::balance_out_degrees_across`]) and assembly rewiring
//! ([`crate::rewire_within_across`]) build on the same exchange.
//!
//! ```
//! use engram_connectivity::{ConnectSpec, Rule, input_counts, input_counts_across};
//! use engram_core::collective::OneRank;
//! let whole = ConnectSpec::new(Rule::FixedInDegree { k: 10 }).connect(100, 50, 1, 2).unwrap();
//! // one rank owning every column: its part is the whole pattern
//! let counts = input_counts_across(&whole, 0..50, &[3, 4, 5], &mut OneRank).unwrap();
//! assert_eq!(counts, input_counts(&whole, &[3, 4, 5]).unwrap());
//! ```

use std::ops::Range;

use crate::pattern::{Connectivity, OmittedEntries, check_targets};
use engram_core::collective::AllGather;
use engram_core::error::{EngramError, ParamError};

impl Connectivity {
    /// What each row of the whole pattern leaves out of this rank's part (`self`, the entries
    /// onto the columns `own`): the other ranks' entries before and after `own`, gathered from
    /// the other ranks, each calling this at the same point for its own part. This is the
    /// [`OmittedEntries`] of [`restrict_targets`](Self::restrict_targets) on the whole pattern,
    /// without it.
    ///
    /// ```
    /// use engram_connectivity::{ConnectSpec, Rule};
    /// use engram_core::collective::OneRank;
    /// let whole = ConnectSpec::new(Rule::FixedInDegree { k: 5 }).connect(20, 10, 1, 1).unwrap();
    /// assert_eq!(whole.omitted_across(0..10, &mut OneRank).unwrap(), whole.restrict_targets(0..10).unwrap().1);
    /// ```
    ///
    /// Errors: `own` outside `0..n_post` or not tiling it with the other ranks' in rank order,
    /// an entry of `self` outside `own` (on every rank, whichever rank it is), and a failed
    /// collective.
    pub fn omitted_across(&self, own: Range<usize>, ranks: &mut dyn AllGather) -> Result<OmittedEntries, EngramError> {
        let (mut exchange, me) = Exchange::join(ranks, self, &own)?;
        exchange.omitted(self, me)
    }
}

/// [`input_counts`](crate::input_counts) of the whole pattern, on one of several ranks that
/// each hold its entries onto their own columns `own` (`part`) and call this at the same
/// point with the same `sources`: each rank counts its columns and every rank gets every
/// column's count (one word per column gathered).
///
/// Errors: as [`input_counts`](crate::input_counts) (field `sources`), and as
/// [`Connectivity::omitted_across`] for `own` and `part`.
pub fn input_counts_across(
    part: &Connectivity,
    own: Range<usize>,
    sources: &[u32],
    ranks: &mut dyn AllGather,
) -> Result<Vec<u32>, EngramError> {
    let (mut exchange, _) = Exchange::join(ranks, part, &own)?;
    // the same sources on every rank: a bad one fails on every rank, after the collective
    let counts = crate::input_counts(part, sources)?;
    let all = exchange.gather_parts(&counts[own])?.0;
    if all.len() != part.n_post() {
        return Err(EngramError::Other(format!(
            "input counts across ranks: gathered {} counts for {} columns",
            all.len(),
            part.n_post()
        )));
    }
    Ok(all.to_vec())
}

/// The ranks' collective with its buffers.
pub(crate) struct Exchange<'g> {
    ranks: &'g mut dyn AllGather,
    recv: Vec<u32>,
    counts: Vec<usize>,
}

/// No column (collectives carry `u32`s).
const NO_COLUMN: u32 = u32::MAX;

impl<'g> Exchange<'g> {
    /// Join the ranks holding a pattern split by columns, this rank holding `part`, its
    /// entries onto the columns `own`; returns the exchange and this rank's index. The first
    /// collective checks every rank's range and entries, so that a rank's mistake fails on
    /// every rank (no rank is left waiting in a later collective).
    pub(crate) fn join(
        ranks: &'g mut dyn AllGather,
        part: &Connectivity,
        own: &Range<usize>,
    ) -> Result<(Self, usize), EngramError> {
        let keep = check_targets(own.clone(), part.n_post()).unwrap_or(0..0);
        let stray = part.iter().find(|&(_, j, _)| !keep.contains(&j)).map(|(_, j, _)| j);
        let mut exchange = Self { ranks, recv: Vec::new(), counts: Vec::new() };
        let me = exchange.my_rank(own, part, stray)?;
        Ok((exchange, me))
    }

    /// Every rank's `send`, concatenated in rank order; each rank must send as many words.
    pub(crate) fn gather(&mut self, send: &[u32]) -> Result<&[u32], EngramError> {
        self.ranks.all_gather(send, &mut self.recv, &mut self.counts)?;
        if self.counts.iter().any(|&c| c != send.len()) {
            return Err(EngramError::Other(format!(
                "a construction across ranks: the ranks sent {:?} words where each should send {}",
                self.counts,
                send.len()
            )));
        }
        Ok(&self.recv)
    }

    /// Every rank's `send` (of any length), concatenated in rank order, and each one's length.
    pub(crate) fn gather_parts(&mut self, send: &[u32]) -> Result<(&[u32], &[usize]), EngramError> {
        self.ranks.all_gather(send, &mut self.recv, &mut self.counts)?;
        Ok((&self.recv, &self.counts))
    }

    /// The element-wise sum of every rank's `values` (each rank gives as many).
    pub(crate) fn sum(&mut self, values: &[u64]) -> Result<Vec<u64>, EngramError> {
        let mut sums = Vec::new();
        self.ranks.all_reduce_sum(values, &mut sums)?;
        Ok(sums)
    }

    /// What each row of the whole pattern leaves out of `part` (this rank's, index `me`): the
    /// row lengths of the ranks before this one (an exclusive scan over the ranks) and of
    /// those after it (the total less those and this rank's).
    pub(crate) fn omitted(&mut self, part: &Connectivity, me: usize) -> Result<OmittedEntries, EngramError> {
        let lens: Vec<u64> = part.matrix.indptr().raw_storage().windows(2).map(|r| (r[1] - r[0]) as u64).collect();
        let total = self.sum(&lens)?;
        let mut before = Vec::new();
        self.ranks.exclusive_scan_sum(me, &lens, &mut before)?;
        let after = total.iter().zip(&before).zip(&lens).map(|((&t, &b), &l)| (t - b - l) as u32).collect();
        Ok(OmittedEntries { before: before.iter().map(|&b| b as u32).collect(), after })
    }

    /// This rank's index, from every rank's `own` range: the ranges must tile `0..n_post` in
    /// rank order (an empty range may repeat; any of its equals is a valid index). `stray`: a
    /// column outside `own` that this rank holds an entry in; every rank fails if any has one,
    /// or if the ranks' parts have different shapes (`n_pre`, `n_post`).
    fn my_rank(&mut self, own: &Range<usize>, part: &Connectivity, stray: Option<u32>) -> Result<usize, EngramError> {
        let n_post = part.n_post();
        let shape = [part.n_pre() as u32, n_post as u32];
        let words = self.gather(&[own.start as u32, own.end as u32, stray.unwrap_or(NO_COLUMN), shape[0], shape[1]])?;
        if let Some((rank, w)) = words.chunks(5).enumerate().find(|(_, w)| w[3..] != shape) {
            return Err(ParamError::new(
                "part",
                format!("{} x {} on rank {rank}", w[3], w[4]),
                format!("the shape of every rank's part ({} x {} here)", shape[0], shape[1]),
            )
            .into());
        }
        if let Some((rank, w)) = words.chunks(5).enumerate().find(|(_, w)| w[2] != NO_COLUMN) {
            return Err(ParamError::new(
                "own",
                format!("{}..{} on rank {rank}", w[0], w[1]),
                format!("the columns that rank holds (it holds an entry in column {})", w[2]),
            )
            .into());
        }
        let ranges: Vec<Range<usize>> = words.chunks(5).map(|r| r[0] as usize..r[1] as usize).collect();
        let tiles = ranges.first().is_some_and(|r| r.start == 0)
            && ranges.last().is_some_and(|r| r.end == n_post)
            && ranges.windows(2).all(|w| w[0].end == w[1].start);
        if !tiles {
            return Err(ParamError::new(
                "own",
                format!("{ranges:?}"),
                format!("ranges of columns that tile 0..{n_post} in rank order, one per rank"),
            )
            .into());
        }
        Ok(ranges.iter().position(|r| r == own).expect("this rank's range is among them"))
    }
}
