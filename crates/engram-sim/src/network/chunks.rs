//! Parallel work inside one step, split by chunks of consecutive neurons of each target
//! population (not by population), so that one large population uses every thread.
//!
//! A population of `n` neurons is cut into `ceil(n / chunk_len)` chunks of `chunk_len`
//! consecutive neurons (the last one shorter). `chunk_len` is fixed when the network is built
//! ([`NetworkBuilder::chunk_neurons`](super::NetworkBuilder::chunk_neurons)), never derived
//! from the number of threads, and each chunk is one task:
//!
//! - **advance**: a model that overrides
//!   [`NeuronModel::step_chunked`](engram_core::neuron::NeuronModel::step_chunked) advances its
//!   chunks in parallel (the others step sequentially, several populations at once);
//! - **delivery**: task (target population, chunk) walks, for each projection onto the
//!   target in build order and each spike in order, the part of the spike's CSR row whose
//!   columns fall in the chunk (columns are sorted, so that part is one contiguous run whose
//!   bounds are precomputed per row, [`chunk_splits`]) and adds the weights into its own
//!   neurons' input buffers only.
//!
//! Every input buffer element is therefore written by one task, and receives its terms in the
//! order the sequential loop adds them (projections, spikes, synapses of a row): every
//! floating-point sum is the same, and the run is bit-identical for 1, 2, 4, … threads and
//! to the sequential path.

// The one `unsafe` of the engine: several threads write disjoint chunks of the same input
// buffer (see `ChunkWriter`). It is confined to this file, and the only way in is
// `deliver_parallel`, which holds the populations mutably and takes the tasks that
// `delivery_tasks` made (one per chunk, so disjoint).
#![allow(unsafe_code)]

use engram_core::busy;
use rayon::prelude::*;

use super::{Body, Population, Projection, SynapseDelay};

/// One delivery task: the neurons `first..end` of target population `pop`, its chunk `chunk`
/// (chunks count from the first neuron the population stores, `stored_from`).
#[derive(Clone, Debug)]
struct DeliveryTask {
    pop: usize,
    chunk: usize,
    first: usize,
    end: usize,
    stored_from: usize,
}

/// The delivery tasks of a network, one per chunk (so their neurons are disjoint); made only
/// by [`delivery_tasks`].
#[derive(Clone, Debug, Default)]
pub(crate) struct DeliveryTasks(Vec<DeliveryTask>);

/// The delivery tasks of a network: every chunk of the stored neurons of every neuron
/// population with incoming projections, in population order.
pub(crate) fn delivery_tasks(populations: &[Population], by_target: &[Vec<usize>], chunk_len: usize) -> DeliveryTasks {
    let mut tasks = Vec::new();
    for (pop, p) in populations.iter().enumerate() {
        if !matches!(p.body, Body::Neurons { .. }) || by_target[pop].is_empty() {
            continue;
        }
        let stored = p.local.clone().unwrap_or(0..p.len);
        for (chunk, first) in stored.clone().step_by(chunk_len).enumerate() {
            let end = (first + chunk_len).min(stored.end);
            tasks.push(DeliveryTask { pop, chunk, first, end, stored_from: stored.start });
        }
    }
    DeliveryTasks(tasks)
}

/// Step 4 of a parallel step: every task of `tasks` in parallel ([`deliver_chunk`]),
/// writing into the input buffers of `populations` through `table` (reused between steps).
#[allow(clippy::too_many_arguments)]
pub(crate) fn deliver_parallel(
    table: &mut RingTable,
    populations: &mut [Population],
    tasks: &DeliveryTasks,
    by_target: &[Vec<usize>],
    projections: &[Projection],
    spikes: &[Vec<u32>],
    step: u64,
    ring_len: usize,
) {
    table.fill(populations);
    let table = &*table;
    tasks.0.par_iter().for_each(|task| {
        // SAFETY: the tasks are one per chunk (`delivery_tasks`), so no two writers cover the
        // same neurons; each task makes one writer; `populations` stays borrowed mutably
        // (untouched, unmoved) by this function until every task is done.
        let out = unsafe { ChunkWriter::new(table, task) };
        deliver_chunk(task, out, &by_target[task.pop], projections, spikes, step, ring_len);
    });
}

/// Where each chunk of the target starts inside each CSR row, relative to the row's start:
/// for every row, the starts of chunks `1..n_chunks` (chunk 0 starts at the row's start and
/// the last chunk ends at its end, since a row only holds columns the target stores), the
/// first synapse of the row whose column is at least `s + c · chunk_len`, `s` the first
/// neuron the target stores. Bounds are kept in 2 bytes while every row is shorter than
/// 65 536 synapses, in 4 otherwise.
#[derive(Debug)]
pub(crate) struct ChunkSplits {
    /// Interior bounds per row (`n_chunks − 1`).
    stride: usize,
    bounds: Bounds,
}

#[derive(Debug)]
enum Bounds {
    Short(Vec<u16>),
    Long(Vec<u32>),
}

impl ChunkSplits {
    /// The synapses of row `row` (whose CSR entries are `row_start..row_end`) onto chunk `c`.
    #[inline]
    fn part(&self, row: usize, c: usize, row_start: usize, row_end: usize) -> std::ops::Range<usize> {
        let bound = |k: usize| match &self.bounds {
            Bounds::Short(b) => b[row * self.stride + k] as usize,
            Bounds::Long(b) => b[row * self.stride + k] as usize,
        };
        let start = if c == 0 { row_start } else { row_start + bound(c - 1) };
        let end = if c == self.stride { row_end } else { row_start + bound(c) };
        start..end
    }
}

/// The [`ChunkSplits`] of projection `p` onto `target` cut into chunks of `chunk_len`;
/// `None` when the target has a single chunk (the whole row is its part).
pub(crate) fn chunk_splits(p: &Projection, target: &Population, chunk_len: usize) -> Option<ChunkSplits> {
    let stored = target.local.clone().unwrap_or(0..target.len);
    let (start, n_post) = (stored.start, stored.len());
    let n_chunks = n_post.div_ceil(chunk_len);
    if n_chunks <= 1 {
        return None;
    }
    let ip = p.weights.indptr();
    let ip = ip.raw_storage();
    let idx = p.weights.indices();
    let stride = n_chunks - 1;
    // the interior bounds of every row, each converted by `to`
    fn interior<T>(
        ip: &[usize],
        idx: &[u32],
        start: usize,
        chunk_len: usize,
        n_chunks: usize,
        to: fn(usize) -> T,
    ) -> Vec<T> {
        let mut bounds = Vec::with_capacity((ip.len() - 1) * (n_chunks - 1));
        for row in ip.windows(2) {
            let cols = &idx[row[0]..row[1]];
            bounds.extend((1..n_chunks).map(|c| to(cols.partition_point(|&j| (j as usize) < start + c * chunk_len))));
        }
        bounds
    }
    let longest = ip.windows(2).map(|r| r[1] - r[0]).max().unwrap_or(0);
    let bounds = if longest <= u16::MAX as usize {
        Bounds::Short(interior(ip, idx, start, chunk_len, n_chunks, |k| k as u16))
    } else {
        Bounds::Long(interior(ip, idx, start, chunk_len, n_chunks, |k| k as u32))
    };
    Some(ChunkSplits { stride, bounds })
}

/// Raw pointers to every input buffer (`ring[slot][receptor]`) of every neuron population,
/// refilled before each parallel delivery (no allocation once it has grown), so that the
/// delivery tasks can each write their own chunk of a buffer at the same time.
#[derive(Default)]
pub(crate) struct RingTable {
    /// `ptrs[first[pop] + slot * n_receptors[pop] + receptor]`.
    ptrs: Vec<BufferPtr>,
    first: Vec<usize>,
    n_receptors: Vec<usize>,
}

/// The start of one input buffer.
#[derive(Clone, Copy)]
struct BufferPtr(*mut f64);

// SAFETY: the pointers are only dereferenced through `ChunkWriter`, whose invariant (each
// task writes only its own, disjoint chunk) makes concurrent use from several threads sound.
unsafe impl Send for BufferPtr {}
unsafe impl Sync for BufferPtr {}

impl RingTable {
    /// Point at the buffers of `populations` (to be used only while they are borrowed
    /// mutably by the caller and not otherwise touched).
    fn fill(&mut self, populations: &mut [Population]) {
        self.ptrs.clear();
        self.first.clear();
        self.n_receptors.clear();
        for p in populations {
            self.first.push(self.ptrs.len());
            match &mut p.body {
                Body::Neurons { ring, .. } => {
                    self.n_receptors.push(ring.first().map_or(0, Vec::len));
                    for buf in ring.iter_mut().flatten() {
                        self.ptrs.push(BufferPtr(buf.as_mut_ptr()));
                    }
                }
                Body::Source(_) => self.n_receptors.push(0),
            }
        }
    }
}

/// Write access to one chunk (neurons `first..end`) of one population's input buffers.
///
/// Invariant (what makes it sound): while writers are alive, the [`RingTable`] was filled
/// from populations that nobody else touches, no two writers cover the same neurons of the
/// same population, and each writer hands out one buffer slice at a time (`&mut self`).
struct ChunkWriter<'a> {
    table: &'a RingTable,
    pop: usize,
    /// The chunk's first element in the buffers (its first neuron minus the first stored).
    first: usize,
    len: usize,
}

impl<'a> ChunkWriter<'a> {
    /// # Safety
    /// No other live writer may cover any neuron of `task`'s chunk, and the populations the
    /// table was filled from must stay untouched (and unmoved) while the writer is alive.
    unsafe fn new(table: &'a RingTable, task: &DeliveryTask) -> Self {
        Self { table, pop: task.pop, first: task.first - task.stored_from, len: task.end - task.first }
    }

    /// The chunk's part of buffer `ring[slot][receptor]`: index `j - first` is neuron `j`.
    #[inline]
    fn buffer(&mut self, slot: usize, receptor: usize) -> &mut [f64] {
        let k = self.table.first[self.pop] + slot * self.table.n_receptors[self.pop] + receptor;
        let start = self.table.ptrs[k].0;
        // SAFETY: the buffer holds the population's stored `len ≥ first + self.len` neurons; the
        // range is this writer's own chunk (disjoint from every other live writer's) and the
        // returned borrow ends before the next call.
        unsafe { std::slice::from_raw_parts_mut(start.add(self.first), self.len) }
    }
}

/// Deliver this step's spikes onto one chunk of one target population (step 4 of the loop).
fn deliver_chunk(
    task: &DeliveryTask,
    mut out: ChunkWriter<'_>,
    incoming: &[usize],
    projections: &[Projection],
    spikes: &[Vec<u32>],
    step: u64,
    ring_len: usize,
) {
    busy::timed(|| {
        let ring_len = ring_len as u64;
        let (first, c) = (task.first as u32, task.chunk);
        for &pi in incoming {
            let p = &projections[pi];
            let pre_spikes = &spikes[p.pre];
            if pre_spikes.is_empty() {
                continue;
            }
            let ip = p.weights.indptr();
            let ip = ip.raw_storage();
            let (idx, w) = (p.weights.indices(), p.weights.data());
            // The chunk's run of synapses in row `i`.
            let part = |i: usize| match &p.chunk_splits {
                Some(s) => s.part(i, c, ip[i], ip[i + 1]),
                None => ip[i]..ip[i + 1],
            };
            match (&p.delay, &p.efficacy) {
                (SynapseDelay::Uniform(d), eff) => {
                    let buf = out.buffer(((step + *d as u64) % ring_len) as usize, p.receptor);
                    for &i in pre_spikes {
                        let k = part(i as usize);
                        let (cols, ws) = (&idx[k.clone()], &w[k.clone()]);
                        match eff {
                            None => {
                                for (&j, &wk) in cols.iter().zip(ws) {
                                    buf[(j - first) as usize] += wk;
                                }
                            }
                            Some(eff) => {
                                for ((&j, &wk), &ek) in cols.iter().zip(ws).zip(&eff[k]) {
                                    buf[(j - first) as usize] += wk * ek;
                                }
                            }
                        }
                    }
                }
                (SynapseDelay::PerSynapse(delays), eff) => {
                    for &i in pre_spikes {
                        for k in part(i as usize) {
                            let slot = ((step + delays[k] as u64) % ring_len) as usize;
                            let wk = match eff {
                                None => w[k],
                                Some(eff) => w[k] * eff[k],
                            };
                            out.buffer(slot, p.receptor)[(idx[k] - first) as usize] += wk;
                        }
                    }
                }
            }
        }
    });
}
