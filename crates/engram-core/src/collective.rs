//! The collective operations that ranks of a network split across ranks share while they
//! build and run it ([`AllGather`]): every rank gets every rank's words, and sums over the
//! ranks (all of them, and those before a rank).

use crate::error::EngramError;

/// Every rank gives its words and gets every rank's, in rank order (MPI's `allgatherv`).
/// Every rank must call it at the same point, or the ranks wait for each other forever.
///
/// The engine's `SpikeExchange` (`engram-sim`) is one; so is any group of ranks a
/// construction that needs the others' parts (out-degree balancing across ranks) is given.
///
/// ```
/// use engram_core::collective::{AllGather, OneRank};
/// let (mut recv, mut counts) = (Vec::new(), Vec::new());
/// OneRank.all_gather(&[3, 4], &mut recv, &mut counts).unwrap();
/// assert_eq!((recv, counts), (vec![3, 4], vec![2]));
/// ```
pub trait AllGather {
    /// Give every rank the concatenation of every rank's `send`, in rank order, in `recv`, and
    /// the length of each rank's part in `counts` (both are cleared first).
    fn all_gather(&mut self, send: &[u32], recv: &mut Vec<u32>, counts: &mut Vec<usize>) -> Result<(), EngramError>;

    /// Give every rank, in `sums`, the element-wise sum over the ranks of `values` (every rank
    /// gives as many; MPI's `allreduce` with `MPI_SUM`). `sums` is cleared first.
    ///
    /// The default gathers every rank's values ([`all_gather`](Self::all_gather), two words
    /// each), so it holds `values.len()` × ranks words for a moment; an implementation over
    /// MPI reduces instead, holding `values.len()`.
    ///
    /// ```
    /// use engram_core::collective::{AllGather, OneRank};
    /// let mut sums = Vec::new();
    /// OneRank.all_reduce_sum(&[3, 1 << 40], &mut sums).unwrap();
    /// assert_eq!(sums, vec![3, 1 << 40]);
    /// ```
    fn all_reduce_sum(&mut self, values: &[u64], sums: &mut Vec<u64>) -> Result<(), EngramError> {
        let parts = gather_u64(self, values)?;
        sums.clear();
        sums.resize(values.len(), 0);
        for part in &parts {
            sums.iter_mut().zip(part).for_each(|(s, &v)| *s += v);
        }
        Ok(())
    }

    /// Give rank `me`, in `before`, the element-wise sum of `values` over the ranks before it
    /// (zeros on rank 0; MPI's `exscan` with `MPI_SUM`). Every rank calls it with its own
    /// index `me` and as many values. `before` is cleared first.
    ///
    /// The default gathers every rank's values, as [`all_reduce_sum`](Self::all_reduce_sum)'s.
    ///
    /// ```
    /// use engram_core::collective::{AllGather, OneRank};
    /// let mut before = Vec::new();
    /// OneRank.exclusive_scan_sum(0, &[3, 4], &mut before).unwrap();
    /// assert_eq!(before, vec![0, 0]);
    /// ```
    fn exclusive_scan_sum(&mut self, me: usize, values: &[u64], before: &mut Vec<u64>) -> Result<(), EngramError> {
        let parts = gather_u64(self, values)?;
        before.clear();
        before.resize(values.len(), 0);
        for part in parts.iter().take(me) {
            before.iter_mut().zip(part).for_each(|(s, &v)| *s += v);
        }
        Ok(())
    }
}

/// Every rank's `values`, in rank order, through [`AllGather::all_gather`] (two words each);
/// an error if a rank gave another number of values.
fn gather_u64<G: AllGather + ?Sized>(ranks: &mut G, values: &[u64]) -> Result<Vec<Vec<u64>>, EngramError> {
    let words: Vec<u32> = values.iter().flat_map(|&v| [v as u32, (v >> 32) as u32]).collect();
    let (mut recv, mut counts) = (Vec::new(), Vec::new());
    ranks.all_gather(&words, &mut recv, &mut counts)?;
    if counts.iter().any(|&c| c != words.len()) {
        return Err(EngramError::Other(format!(
            "a sum over ranks: the ranks gave {:?} words where each should give {}",
            counts,
            words.len()
        )));
    }
    Ok(recv
        .chunks(words.len().max(1))
        .take(counts.len())
        .map(|part| part.chunks_exact(2).map(|w| u64::from(w[0]) | (u64::from(w[1]) << 32)).collect())
        .collect())
}

/// A single rank: its own words come back.
#[derive(Clone, Copy, Debug, Default)]
pub struct OneRank;

impl AllGather for OneRank {
    fn all_gather(&mut self, send: &[u32], recv: &mut Vec<u32>, counts: &mut Vec<usize>) -> Result<(), EngramError> {
        recv.clear();
        recv.extend_from_slice(send);
        counts.clear();
        counts.push(send.len());
        Ok(())
    }
}
