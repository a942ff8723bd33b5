//! `engram-mpi bench`: what one COBA network costs on each rank when it is split across
//! ranks — neurons and synapses held, build and loop time, time in the spike exchange and
//! bytes exchanged, resident memory — gathered to rank 0 as one [`BenchRun`].
//!
//! The exchange is timed from outside the engine: [`TimedExchange`] wraps the rank's
//! [`SpikeExchange`] and counts every `all_gather` call (wall time, words sent and received).
//! [`crate::scaling`] fits a cost model to these records.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use engram_core::error::EngramError;
use engram_models::coba::{CobaConfig, Scaling};
use engram_models::experiment::ModelConfig;
use engram_models::run::build_model_on_rank;
use engram_sim::cputime::thread_cpu_s;
use engram_sim::network::{AllGather, Partition, SpikeExchange};
use serde::{Deserialize, Serialize};

use crate::sweep::Collect;

/// Counts of the exchange calls of one rank (shared between the wrapper inside the network
/// and the bench that reads them).
#[derive(Debug, Default)]
pub struct ExchangeCounters {
    calls: AtomicU64,
    nanos: AtomicU64,
    words_sent: AtomicU64,
    words_received: AtomicU64,
}

impl ExchangeCounters {
    /// (calls, seconds inside them, words sent, words received) so far.
    pub fn read(&self) -> (u64, f64, u64, u64) {
        (
            self.calls.load(Ordering::Relaxed),
            self.nanos.load(Ordering::Relaxed) as f64 * 1e-9,
            self.words_sent.load(Ordering::Relaxed),
            self.words_received.load(Ordering::Relaxed),
        )
    }

    /// Back to zero (after the build, before the measured loop).
    pub fn reset(&self) {
        for c in [&self.calls, &self.nanos, &self.words_sent, &self.words_received] {
            c.store(0, Ordering::Relaxed);
        }
    }
}

/// A [`SpikeExchange`] that times and counts every `all_gather` of the one it wraps (two
/// clock reads and four atomic adds per step; nothing is allocated).
pub struct TimedExchange {
    inner: Box<dyn SpikeExchange>,
    counters: Arc<ExchangeCounters>,
}

impl TimedExchange {
    /// `inner`, counted into `counters`.
    pub fn new(inner: Box<dyn SpikeExchange>, counters: Arc<ExchangeCounters>) -> Self {
        Self { inner, counters }
    }

    /// Count one collective that began at `t0`, with the words sent and received.
    fn count(&self, t0: Instant, sent: usize, received: usize) {
        let c = &self.counters;
        c.nanos.fetch_add(t0.elapsed().as_nanos() as u64, Ordering::Relaxed);
        c.calls.fetch_add(1, Ordering::Relaxed);
        c.words_sent.fetch_add(sent as u64, Ordering::Relaxed);
        c.words_received.fetch_add(received as u64, Ordering::Relaxed);
    }
}

impl AllGather for TimedExchange {
    fn all_gather(&mut self, send: &[u32], recv: &mut Vec<u32>, counts: &mut Vec<usize>) -> Result<(), EngramError> {
        let t0 = Instant::now();
        let r = self.inner.all_gather(send, recv, counts);
        self.count(t0, send.len(), recv.len());
        r
    }

    fn all_reduce_sum(&mut self, values: &[u64], sums: &mut Vec<u64>) -> Result<(), EngramError> {
        let t0 = Instant::now();
        let r = self.inner.all_reduce_sum(values, sums);
        self.count(t0, 2 * values.len(), 2 * sums.len());
        r
    }

    fn exclusive_scan_sum(&mut self, me: usize, values: &[u64], before: &mut Vec<u64>) -> Result<(), EngramError> {
        let t0 = Instant::now();
        let r = self.inner.exclusive_scan_sum(me, values, before);
        self.count(t0, 2 * values.len(), 2 * before.len());
        r
    }
}

impl SpikeExchange for TimedExchange {
    fn sum_u64(&self, value: u64) -> Result<u64, EngramError> {
        self.inner.sum_u64(value)
    }
}

/// The COBA network measured: `n` neurons (80 % excitatory), connection probability 0.02 at
/// 4000 neurons, kept at 80 inputs per neuron (`FixedK`) or at p = 0.02 (`FixedP`, 0.02·n
/// inputs per neuron).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenchNetwork {
    /// Neurons.
    pub n: usize,
    /// Keep p = 0.02 (synapses grow as n²) instead of the in-degree.
    pub fixed_p: bool,
}

impl BenchNetwork {
    /// `coba-16000` (fixed in-degree) or `coba-16000-p` (fixed p).
    pub fn label(&self) -> String {
        format!("coba-{}{}", self.n, if self.fixed_p { "-p" } else { "" })
    }

    fn model(&self) -> ModelConfig {
        let scaling = if self.fixed_p { Scaling::FixedP } else { Scaling::FixedK };
        ModelConfig::Coba(CobaConfig { n: self.n, scaling, ..CobaConfig::default() })
    }
}

/// What one rank measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RankRecord {
    /// The rank.
    pub rank: usize,
    /// Neurons it advances (its block of every population).
    pub neurons: usize,
    /// Synapses it holds (those onto its neurons).
    pub synapses: usize,
    /// Network build wall time, s (every rank draws the whole network's random numbers and keeps
    /// the synapses onto its own neurons).
    pub build_s: f64,
    /// Simulation loop wall time, s.
    pub loop_wall_s: f64,
    /// Simulation loop CPU time of the rank's (one) thread, s.
    pub loop_cpu_s: f64,
    /// Wall time inside the spike exchange during the loop, s.
    pub exchange_s: f64,
    /// Exchanges during the loop (one per step).
    pub exchanges: u64,
    /// Bytes this rank sent into the exchanges of the loop.
    pub bytes_sent: u64,
    /// Bytes this rank received from the exchanges of the loop.
    pub bytes_received: u64,
    /// Peak resident memory of the process (`VmHWM`), bytes.
    pub peak_rss_bytes: u64,
    /// Resident memory at the end of the loop (`VmRSS`), bytes.
    pub rss_bytes: u64,
}

/// One network on `n_ranks` ranks: every rank's record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenchRun {
    /// The network.
    pub network: BenchNetwork,
    /// Ranks.
    pub n_ranks: usize,
    /// Simulated time of the loop, s.
    pub duration_s: f64,
    /// Spikes of the whole network during the loop (the same on every rank).
    pub spikes: u64,
    /// Every rank's record, in rank order.
    pub ranks: Vec<RankRecord>,
}

/// `VmHWM` and `VmRSS` of this process, bytes (Linux; `(0, 0)` elsewhere).
pub fn resident_memory_bytes() -> (u64, u64) {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else { return (0, 0) };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// Build `network` as rank `partition.rank()` (seed 1, dt 0.1 ms, one thread), run it for
/// `duration_s` and measure; every rank calls it with the same arguments.
pub fn bench_rank(
    network: BenchNetwork,
    duration_s: f64,
    partition: Partition,
    exchange: Box<dyn SpikeExchange>,
) -> Result<(RankRecord, u64)> {
    if !(duration_s > 0.0 && duration_s.is_finite()) {
        bail!("--duration = {duration_s} s: a positive number of seconds");
    }
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().context("a one-thread pool")?;
    pool.install(|| {
        let counters = Arc::new(ExchangeCounters::default());
        let t0 = Instant::now();
        let mut builder = build_model_on_rank(&network.model(), 0.1, 1, Some(partition))?.builder;
        builder.distribute(partition, Box::new(TimedExchange::new(exchange, counters.clone())));
        let mut net = builder.build()?;
        let build_s = t0.elapsed().as_secs_f64();
        let neurons: usize = net.stats().iter().map(|p| partition.owned(p.n).len()).sum();
        counters.reset();
        let (c0, w0) = (thread_cpu_s().unwrap_or(0.0), Instant::now());
        net.run_ms(duration_s * 1000.0)?;
        let (loop_wall_s, loop_cpu_s) = (w0.elapsed().as_secs_f64(), thread_cpu_s().unwrap_or(0.0) - c0);
        let (exchanges, exchange_s, sent, received) = counters.read();
        let (peak_rss_bytes, rss_bytes) = resident_memory_bytes();
        let spikes = net.stats().iter().map(|p| p.n_spikes).sum();
        let record = RankRecord {
            rank: partition.rank(),
            neurons,
            synapses: net.n_synapses(),
            build_s,
            loop_wall_s,
            loop_cpu_s,
            exchange_s,
            exchanges,
            bytes_sent: 4 * sent,
            bytes_received: 4 * received,
            peak_rss_bytes,
            rss_bytes,
        };
        Ok((record, spikes))
    })
}

/// [`bench_rank`] on every rank, the records gathered to rank 0, which returns the run.
pub fn bench_across_ranks(
    network: BenchNetwork,
    duration_s: f64,
    exchange: Box<dyn SpikeExchange>,
    collect: &mut dyn Collect,
) -> Result<Option<BenchRun>> {
    let partition = collect.partition();
    let (record, spikes) = bench_rank(network, duration_s, partition, exchange)?;
    let text = serde_json::to_string(&(record, spikes)).context("serialising this rank's record")?;
    let Some(texts) = collect.gather(&text)? else { return Ok(None) };
    let mut ranks = Vec::with_capacity(texts.len());
    for (r, t) in texts.iter().enumerate() {
        let (record, s): (RankRecord, u64) =
            serde_json::from_str(t).with_context(|| format!("reading rank {r}'s record"))?;
        if s != spikes {
            bail!("rank {r} counted {s} spikes and rank 0 {spikes}: the ranks did not run the same network");
        }
        ranks.push(record);
    }
    Ok(Some(BenchRun { network, n_ranks: partition.n_ranks(), duration_s, spikes, ranks }))
}

/// One message size of the collective benchmark: what every rank received per exchange and
/// how long one exchange took on rank 0.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectivePoint {
    /// 32-bit words each rank sends.
    pub words_per_rank: usize,
    /// Bytes each rank receives per exchange.
    pub bytes_received: u64,
    /// Fastest exchange of the repeats, s (the cost without waiting for a descheduled rank).
    pub min_s: f64,
    /// Median exchange, s.
    pub median_s: f64,
}

/// The collective benchmark on `n_ranks` ranks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectiveRun {
    /// Ranks.
    pub n_ranks: usize,
    /// One point per message size.
    pub points: Vec<CollectivePoint>,
}

/// The message sizes of the collective benchmark, words per rank: empty to 1 MB.
pub const COLLECTIVE_WORDS: [usize; 6] = [0, 64, 1024, 16_384, 65_536, 262_144];

/// Time the exchange alone (no network) for each of `words` per rank, `repeats` times each,
/// every exchange after a synchronising sum so that the ranks start together; every rank calls
/// it with the same arguments, and each returns its own timings.
pub fn collective_rank(
    exchange: &mut dyn SpikeExchange,
    words: &[usize],
    repeats: usize,
) -> Result<Vec<CollectivePoint>> {
    let max = words.iter().copied().max().unwrap_or(0);
    let send: Vec<u32> = (0..max as u32).collect();
    let (mut recv, mut counts) = (Vec::with_capacity(max * 4), Vec::new());
    let mut times = Vec::with_capacity(repeats);
    let mut points = Vec::with_capacity(words.len());
    for &w in words {
        times.clear();
        for _ in 0..repeats.max(1) {
            exchange.sum_u64(0)?;
            let t0 = Instant::now();
            exchange.all_gather(&send[..w], &mut recv, &mut counts)?;
            times.push(t0.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        points.push(CollectivePoint {
            words_per_rank: w,
            bytes_received: 4 * recv.len() as u64,
            min_s: times[0],
            median_s: times[times.len() / 2],
        });
    }
    Ok(points)
}
