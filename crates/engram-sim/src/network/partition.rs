//! One network split across ranks (MPI processes, or threads in tests): which neurons a rank
//! owns ([`Partition`]), how ranks swap their spikes ([`SpikeExchange`]), and what a rank
//! keeps of the network (the synapses onto its own neurons).
//!
//! A distributed run builds the same network on every rank, from the same seeds, and calls
//! [`NetworkBuilder::distribute`](super::NetworkBuilder::distribute) before
//! [`build`](super::NetworkBuilder::build) (and, to draw only its own synapses,
//! [`NetworkBuilder::split`](super::NetworkBuilder::split) before connecting). Then:
//!
//! - each neuron population is cut into one contiguous block per rank
//!   ([`Partition::block`]; block sizes differ by at most one neuron, so every rank holds the
//!   same share of every population);
//! - every projection holds only the synapses onto the rank's own neurons (drawn so by a
//!   split builder's model code, or cut by `build`; the matrix keeps its shape and global
//!   indices, with the other columns empty), so the synapses, the delivery work and the
//!   plasticity work are divided between the ranks;
//! - the ranks run by intervals of `D` steps, the shortest transmission delay of the network
//!   over all ranks (agreed on in `build`; one step for COBA and Dp): each rank advances its
//!   neurons through the interval and keeps the spikes of its own neurons, one
//!   [`SpikeExchange::all_gather`] gives every rank the interval's spikes of all ranks, put
//!   back in increasing order (rank blocks are in rank order), and every rank then delivers,
//!   learns and counts, step by step, with exactly the spike lists of a single process, adding
//!   every floating-point term in the same order (no spike of the interval is due before
//!   it ends, since every delay is at least `D`). Spikes are identical to the single process,
//!   bit for bit, for any number of ranks (and any thread count inside a rank).
//!
//! Spike sources (Poisson groups, odor inputs) and stimuli draw from their own seeded streams,
//! so every rank computes all of them identically and they need no exchange. A neuron
//! population whose model keeps a block
//! ([`NeuronModel::keep_block`](engram_core::neuron::NeuronModel::keep_block): the library's models)
//! and that no stimulus targets is stored by blocks: each rank's model, input buffers and
//! injected currents hold its own neurons only (the model's neuron `k` is the population's
//! `block.start + k`; spikes are put back in the population's indices; its checkpoint arrays
//! are widened to the whole population, other ranks' neurons zero, so that they merge as
//! those of a whole-stored population). Every other population is stored whole, and each
//! rank advances its own neurons through
//! [`NeuronModel::step_owned`](engram_core::neuron::NeuronModel::step_owned) (`LifCond`
//! advances only those; a model that keeps the default advances all of its neurons, and the
//! spikes of other ranks' neurons, whose input is incomplete here, are dropped).
//!
//! [`Network::run_steps`](super::Network::run_steps) exchanges once per interval; with a
//! between-steps closure ([`Network::run_steps_with`](super::Network::run_steps_with)) every
//! step is exchanged, so that the closure sees every step complete. Monitors are fed after
//! the exchange: every step's spikes and weights as they were then, neuron state as it is at
//! the end of the interval.

use std::ops::Range;
use std::sync::{Arc, Barrier, Mutex};

use engram_core::collective::AllGather;
use engram_core::error::EngramError;

use super::{Body, Population, Projection, SynapseDelay};

/// Which rank this is, of how many, and which neurons each rank owns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partition {
    rank: usize,
    n_ranks: usize,
}

impl Partition {
    /// Rank `rank` of `n_ranks` (at least 1; `rank < n_ranks`).
    pub fn new(rank: usize, n_ranks: usize) -> Result<Self, EngramError> {
        if n_ranks == 0 {
            return Err(EngramError::Other("n_ranks = 0: a partition needs at least 1 rank".into()));
        }
        if rank >= n_ranks {
            return Err(EngramError::Other(format!("rank = {rank}: the ranks of {n_ranks} are 0..{n_ranks}")));
        }
        Ok(Self { rank, n_ranks })
    }

    /// This rank.
    pub fn rank(&self) -> usize {
        self.rank
    }

    /// Number of ranks.
    pub fn n_ranks(&self) -> usize {
        self.n_ranks
    }

    /// The neurons of a population of `n` that rank `rank` owns: consecutive blocks in rank
    /// order, the first `n % n_ranks` ranks one neuron more.
    ///
    /// ```
    /// use engram_sim::network::Partition;
    /// let p = Partition::new(0, 3).unwrap();
    /// assert_eq!((0..3).map(|r| p.block(10, r)).collect::<Vec<_>>(), vec![0..4, 4..7, 7..10]);
    /// ```
    pub fn block(&self, n: usize, rank: usize) -> Range<usize> {
        let (base, extra) = (n / self.n_ranks, n % self.n_ranks);
        let start = rank * base + rank.min(extra);
        start..start + base + usize::from(rank < extra)
    }

    /// The neurons of a population of `n` that this rank owns.
    pub fn owned(&self, n: usize) -> Range<usize> {
        self.block(n, self.rank)
    }
}

/// How the ranks of a distributed network swap data: every rank calls each method at the same
/// point of the run (collective operations, as in MPI), or the run deadlocks.
/// Its [`all_gather`](AllGather::all_gather) (every rank's words to every rank) comes from
/// [`AllGather`], so that an exchange can also serve a construction that needs the other
/// ranks' parts while the network is built.
pub trait SpikeExchange: AllGather + Send {
    /// The sum of `value` over all ranks, on every rank.
    fn sum_u64(&self, value: u64) -> Result<u64, EngramError>;

    /// Give rank 0 the concatenation of every rank's `send`, in rank order, in `recv`, and the
    /// length of each rank's part in `counts`; what the other ranks find in `recv` and `counts`
    /// is left to the implementation (callers ignore it). For what only rank 0 writes (a
    /// checkpoint), so that no other rank holds every part.
    ///
    /// Default: [`all_gather`](AllGather::all_gather) (correct, but every rank receives every
    /// part); [`ThreadGroup`] and `engram-mpi`'s exchange send to rank 0 only.
    fn gather_to_rank_0(
        &mut self,
        send: &[u32],
        recv: &mut Vec<u32>,
        counts: &mut Vec<usize>,
    ) -> Result<(), EngramError> {
        self.all_gather(send, recv, counts)
    }
}

/// Ranks as threads of one process (a [`SpikeExchange`] for tests and for checking a
/// partition without MPI): make one group of `n` ranks with [`ThreadGroup::new`] and hand
/// [`ThreadGroup::member`]`(r)` to the network of rank `r`, each run on its own thread.
#[derive(Clone)]
pub struct ThreadGroup {
    rank: usize,
    barrier: Arc<Barrier>,
    slots: Arc<Mutex<Vec<Vec<u32>>>>,
}

impl ThreadGroup {
    /// A group of `n_ranks` ranks; its member 0.
    pub fn new(n_ranks: usize) -> Self {
        Self {
            rank: 0,
            barrier: Arc::new(Barrier::new(n_ranks.max(1))),
            slots: Arc::new(Mutex::new(vec![Vec::new(); n_ranks.max(1)])),
        }
    }

    /// Member `rank` of the group (to be used by one thread only).
    pub fn member(&self, rank: usize) -> Self {
        Self { rank, ..self.clone() }
    }

    /// Every rank's `send`, in rank order, into `recv` and their lengths into `counts` (both
    /// cleared) if `receive`; both left empty otherwise.
    fn collect(
        &self,
        send: &[u32],
        receive: bool,
        recv: &mut Vec<u32>,
        counts: &mut Vec<usize>,
    ) -> Result<(), EngramError> {
        recv.clear();
        counts.clear();
        self.gather_slots(send, |slots| {
            for s in slots.iter().filter(|_| receive) {
                recv.extend_from_slice(s);
                counts.push(s.len());
            }
        })
    }

    fn gather_slots(&self, send: &[u32], mut read: impl FnMut(&[Vec<u32>])) -> Result<(), EngramError> {
        let poisoned = |_| EngramError::Other("a rank of the thread group panicked".into());
        {
            let mut slots = self.slots.lock().map_err(poisoned)?;
            slots[self.rank].clear();
            slots[self.rank].extend_from_slice(send);
        }
        self.barrier.wait();
        read(&self.slots.lock().map_err(poisoned)?);
        // nobody writes the next round before everyone has read this one
        self.barrier.wait();
        Ok(())
    }
}

impl AllGather for ThreadGroup {
    fn all_gather(&mut self, send: &[u32], recv: &mut Vec<u32>, counts: &mut Vec<usize>) -> Result<(), EngramError> {
        self.collect(send, true, recv, counts)
    }
}

impl SpikeExchange for ThreadGroup {
    fn gather_to_rank_0(
        &mut self,
        send: &[u32],
        recv: &mut Vec<u32>,
        counts: &mut Vec<usize>,
    ) -> Result<(), EngramError> {
        self.collect(send, self.rank == 0, recv, counts)
    }

    fn sum_u64(&self, value: u64) -> Result<u64, EngramError> {
        let words = [(value >> 32) as u32, value as u32];
        let mut total = 0u64;
        self.gather_slots(&words, |slots| {
            total = slots.iter().map(|s| (u64::from(s[0]) << 32) | u64::from(s[1])).sum();
        })?;
        Ok(total)
    }
}

/// The longest exchange interval, in steps (networks whose shortest delay is longer, or
/// that have no projections, exchange at least this often).
pub const MAX_EXCHANGE_INTERVAL_STEPS: u32 = 1000;

/// What a distributed network keeps: its partition, the exchange, how many steps its ranks
/// run between two exchanges, and reused buffers.
pub(crate) struct Distributed {
    pub(crate) partition: Partition,
    exchange: Box<dyn SpikeExchange>,
    /// The neuron populations (sources are computed on every rank and not exchanged).
    neuron_pops: Vec<usize>,
    /// This rank's block of each population (indexed by population).
    owned: Vec<Range<usize>>,
    /// Steps between two exchanges: the shortest transmission delay of the network.
    interval_steps: u32,
    /// The spike lists of each step of an interval (indexed by step in the interval, then
    /// by population; reused, swapped with the network's lists).
    pub(crate) interval: Vec<Vec<Vec<u32>>>,
    /// Spike exchanges so far.
    exchanges: u64,
    send: Vec<u32>,
    recv: Vec<u32>,
    counts: Vec<usize>,
}

impl Distributed {
    /// The distributed part of a network with `populations`, whose shortest transmission
    /// delay on this rank is `min_delay_steps` (`None`: no synapses here). The ranks agree on
    /// the exchange interval (the shortest delay over all ranks) with one exchange, so every
    /// rank calls this at the same point (in `build`).
    pub(crate) fn new(
        partition: Partition,
        mut exchange: Box<dyn SpikeExchange>,
        populations: &[Population],
        min_delay_steps: Option<u32>,
    ) -> Result<Self, EngramError> {
        let neuron_pops =
            populations.iter().enumerate().filter(|(_, p)| matches!(p.body, Body::Neurons { .. })).map(|(i, _)| i);
        let (mut recv, mut counts) = (Vec::new(), Vec::new());
        let mine = min_delay_steps.unwrap_or(MAX_EXCHANGE_INTERVAL_STEPS).min(MAX_EXCHANGE_INTERVAL_STEPS);
        exchange.all_gather(&[mine], &mut recv, &mut counts)?;
        let interval_steps = recv.iter().copied().min().unwrap_or(1).max(1);
        let interval = if interval_steps > 1 {
            (0..interval_steps).map(|_| vec![Vec::new(); populations.len()]).collect()
        } else {
            Vec::new()
        };
        Ok(Self {
            partition,
            exchange,
            neuron_pops: neuron_pops.collect(),
            owned: populations.iter().map(|p| partition.owned(p.len)).collect(),
            interval_steps,
            interval,
            exchanges: 0,
            send: Vec::new(),
            recv,
            counts,
        })
    }

    /// Replace the spikes of every neuron population, in each of `steps` (consecutive steps,
    /// each a list per population), by those of the owners, with one exchange: each rank
    /// sends, per step and neuron population, the number of its own neurons' spikes and their
    /// indices; every rank then rebuilds each list rank by rank (increasing order). Sources'
    /// lists are left as they are (every rank computes them).
    pub(crate) fn exchange_steps(&mut self, steps: &mut [Vec<Vec<u32>>]) -> Result<(), EngramError> {
        self.send.clear();
        for spikes in steps.iter() {
            for &pop in &self.neuron_pops {
                let own = &self.owned[pop];
                let start = self.send.len();
                self.send.push(0);
                let mine = spikes[pop].iter().filter(|&&i| own.contains(&(i as usize)));
                self.send.extend(mine);
                self.send[start] = (self.send.len() - start - 1) as u32;
            }
        }
        self.exchange.all_gather(&self.send, &mut self.recv, &mut self.counts)?;
        self.exchanges += 1;
        for spikes in steps.iter_mut() {
            for &pop in &self.neuron_pops {
                spikes[pop].clear();
            }
        }
        let mut at = 0;
        for &count in &self.counts {
            let part = &self.recv[at..at + count];
            let mut k = 0;
            for spikes in steps.iter_mut() {
                for &pop in &self.neuron_pops {
                    let n = part[k] as usize;
                    spikes[pop].extend_from_slice(&part[k + 1..k + 1 + n]);
                    k += 1 + n;
                }
            }
            at += count;
        }
        Ok(())
    }

    /// Steps between two exchanges.
    pub(crate) fn interval_steps(&self) -> u32 {
        self.interval_steps
    }

    /// Spike exchanges so far.
    pub(crate) fn exchanges(&self) -> u64 {
        self.exchanges
    }

    /// This rank's block of each population (indexed by population).
    pub(crate) fn owned(&self) -> &[Range<usize>] {
        &self.owned
    }

    /// Every rank's `send`, in rank order (see [`SpikeExchange::all_gather`]).
    pub(crate) fn all_gather(
        &mut self,
        send: &[u32],
        recv: &mut Vec<u32>,
        counts: &mut Vec<usize>,
    ) -> Result<(), EngramError> {
        self.exchange.all_gather(send, recv, counts)
    }

    /// Every rank's `send` to rank 0 ([`SpikeExchange::gather_to_rank_0`]); `recv` and
    /// `counts` are empty on the other ranks.
    pub(crate) fn gather_to_rank_0(
        &mut self,
        send: &[u32],
        recv: &mut Vec<u32>,
        counts: &mut Vec<usize>,
    ) -> Result<(), EngramError> {
        self.exchange.gather_to_rank_0(send, recv, counts)?;
        if self.partition.rank() != 0 {
            recv.clear();
            counts.clear();
        }
        Ok(())
    }

    /// The sum of `value` over all ranks.
    pub(crate) fn sum_u64(&self, value: u64) -> Result<u64, EngramError> {
        self.exchange.sum_u64(value)
    }
}

/// Keep only the synapses of `p` onto the neurons `own` of its target (same shape, same global
/// indices; rows keep their order). Per-synapse delays follow their synapses.
pub(crate) fn keep_targets(p: &mut Projection, own: &Range<usize>) {
    if p.weights.indices().iter().all(|&j| own.contains(&(j as usize))) {
        // drawn for this rank only (`NetworkBuilder::split`): nothing to drop
        return;
    }
    let (n_pre, n_post) = p.weights.shape();
    let ip = p.weights.indptr();
    let ip = ip.raw_storage();
    let (idx, w) = (p.weights.indices(), p.weights.data());
    let mut kept = Vec::new();
    let mut indptr = Vec::with_capacity(n_pre + 1);
    indptr.push(0usize);
    for row in ip.windows(2) {
        let cols = &idx[row[0]..row[1]];
        // columns are sorted: the owned ones are one run
        let a = row[0] + cols.partition_point(|&j| (j as usize) < own.start);
        let b = row[0] + cols.partition_point(|&j| (j as usize) < own.end);
        kept.extend(a..b);
        indptr.push(kept.len());
    }
    let indices = kept.iter().map(|&k| idx[k]).collect();
    let data = kept.iter().map(|&k| w[k]).collect();
    if let SynapseDelay::PerSynapse(d) = &mut p.delay {
        *d = kept.iter().map(|&k| d[k]).collect();
    }
    p.weights = sprs::CsMatI::new((n_pre, n_post), indptr, indices, data);
}
