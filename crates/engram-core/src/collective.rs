//! The one collective operation that ranks of a network split across ranks share while they
//! build and run it: every rank gets every rank's words ([`AllGather`]).

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
