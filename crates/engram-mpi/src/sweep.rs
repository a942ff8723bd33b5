//! `engram-mpi sweep`: the runs of a sweep spread over ranks, one whole run per process at a
//! time, and `sweep.json` written by rank 0 from the results gathered to it.
//!
//! Rank 0 checks the sweep and creates its folder aside (as `cargo xtask sweep` does) and
//! sends the folder's path to every rank ([`Collect::broadcast`]); each rank runs the points
//! [`plan`] gives it into their run directories in that folder (so the folder must be on a
//! file system every rank sees, as home and scratch folders of clusters are); then every
//! rank sends the results of its runs, serialised as JSON, to rank 0 ([`Collect::gather`]),
//! which writes `sweep.json` and puts the folder in place ([`finish_sweep`]). The run
//! directories and `sweep.json` are those of the single-process sweep, except for the timing
//! fields (`wall_s`, `build_s`, `loop_wall_s`, `loop_cpu_s`) and `parallel_runs` (the runs
//! that went at once on all ranks together).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use engram_core::error::EngramError;
use engram_models::resources::{LONG_RUN_S, Limits, estimate};
use engram_models::sweep::{PointResult, Sweep, SweepReport, create_sweep_dir, finish_sweep, run_points};
use engram_sim::network::{Partition, SpikeExchange};
use engram_sim::progress::{Every, Progress};

/// What the ranks of a sweep say to each other: rank 0's text to all, and every rank's
/// text to rank 0. Every rank must make the same calls in the same order.
pub trait Collect {
    /// This process's rank and the number of ranks.
    fn partition(&self) -> Partition;

    /// Rank 0's `text`, on every rank (the others' `text` is not used).
    fn broadcast(&mut self, text: &str) -> Result<String, EngramError>;

    /// Every rank's `text`, in rank order, on rank 0; `None` on the other ranks.
    fn gather(&mut self, text: &str) -> Result<Option<Vec<String>>, EngramError>;

    /// Every rank's `bytes`, in rank order, on every rank (the results of a reproduction's
    /// jobs, [`crate::reproduce`]).
    fn all_gather(&mut self, bytes: &[u8]) -> Result<Vec<Vec<u8>>, EngramError>;
}

/// [`Collect`] over any [`SpikeExchange`] (texts as words of an all-gather): with an
/// [`engram_sim::network::ThreadGroup`] member, ranks as threads of one process (tests, and
/// checking a plan without MPI). Every rank receives every text; MPI uses
/// `engram_mpi::collect::MpiCollect` (feature `mpi`), a gather to rank 0.
pub struct ExchangeCollect<E> {
    partition: Partition,
    exchange: E,
    recv: Vec<u32>,
    counts: Vec<usize>,
}

impl<E: SpikeExchange> ExchangeCollect<E> {
    /// Rank `partition.rank()` of the group that `exchange` connects.
    pub fn new(partition: Partition, exchange: E) -> Self {
        Self { partition, exchange, recv: Vec::new(), counts: Vec::new() }
    }

    /// Every rank's `text` (rank 0's only, for a broadcast), on every rank.
    fn all_gather_texts(&mut self, text: Option<&str>) -> Result<Vec<String>, EngramError> {
        let bytes = self.all_gather_bytes(text.map(str::as_bytes))?;
        let texts = bytes
            .into_iter()
            .map(|b| String::from_utf8(b).map_err(|e| EngramError::Other(format!("a text that is not UTF-8: {e}"))));
        texts.collect()
    }

    /// Every rank's `bytes` (none for `None`), on every rank.
    fn all_gather_bytes(&mut self, bytes: Option<&[u8]>) -> Result<Vec<Vec<u8>>, EngramError> {
        let words = match bytes {
            Some(b) => to_words(b)?,
            None => Vec::new(),
        };
        self.exchange.all_gather(&words, &mut self.recv, &mut self.counts)?;
        let mut all = Vec::with_capacity(self.counts.len());
        let mut start = 0;
        for &n in &self.counts {
            all.push(from_words(&self.recv[start..start + n])?);
            start += n;
        }
        Ok(all)
    }
}

impl<E: SpikeExchange> Collect for ExchangeCollect<E> {
    fn partition(&self) -> Partition {
        self.partition
    }

    fn broadcast(&mut self, text: &str) -> Result<String, EngramError> {
        let root = self.partition.rank() == 0;
        let mut texts = self.all_gather_texts(root.then_some(text))?;
        Ok(std::mem::take(&mut texts[0]))
    }

    fn gather(&mut self, text: &str) -> Result<Option<Vec<String>>, EngramError> {
        let texts = self.all_gather_texts(Some(text))?;
        Ok((self.partition.rank() == 0).then_some(texts))
    }

    fn all_gather(&mut self, bytes: &[u8]) -> Result<Vec<Vec<u8>>, EngramError> {
        self.all_gather_bytes(Some(bytes))
    }
}

/// Bytes as 32-bit words: their length, then the bytes (little-endian, zero-padded).
fn to_words(bytes: &[u8]) -> Result<Vec<u32>, EngramError> {
    let len = u32::try_from(bytes.len())
        .map_err(|_| EngramError::Other(format!("{} bytes: at most {} can be sent", bytes.len(), u32::MAX)))?;
    let mut words = Vec::with_capacity(1 + bytes.len().div_ceil(4));
    words.push(len);
    words.extend(bytes.chunks(4).map(|c| {
        let mut b = [0u8; 4];
        b[..c.len()].copy_from_slice(c);
        u32::from_le_bytes(b)
    }));
    Ok(words)
}

/// The bytes of [`to_words`]; no words is no bytes.
fn from_words(words: &[u32]) -> Result<Vec<u8>, EngramError> {
    let Some((&len, body)) = words.split_first() else { return Ok(Vec::new()) };
    let mut bytes: Vec<u8> = body.iter().flat_map(|w| w.to_le_bytes()).collect();
    let len = len as usize;
    if len > bytes.len() {
        return Err(EngramError::Other(format!("a message of {len} bytes arrived with {} bytes", bytes.len())));
    }
    bytes.truncate(len);
    Ok(bytes)
}

/// Which points of `sweep` each of `n_ranks` ranks runs, and in which order: longest first
/// ([`estimate`]d wall time, then grid order), each to the rank with the least estimated
/// work so far (then the lowest rank). The same on every rank: it depends only on the sweep.
///
/// ```
/// use engram_models::experiment::{Experiment, FileKind};
/// use engram_models::sweep::{Set, Sweep};
/// let base = Experiment::builtin("coba").unwrap();
/// let sets = vec![Set::parse("run.duration_s=[0.1, 0.4, 0.2, 0.3]").unwrap()];
/// let sweep = Sweep::new("coba", base, FileKind::Experiment, sets, None).unwrap();
/// assert_eq!(engram_mpi::sweep::plan(&sweep, 2), [vec![1, 0], vec![3, 2]]);
/// ```
pub fn plan(sweep: &Sweep, n_ranks: usize) -> Vec<Vec<usize>> {
    let n_ranks = n_ranks.max(1);
    let cost: Vec<f64> = sweep
        .points()
        .iter()
        .map(|p| estimate(&p.experiment).wall_s)
        .map(|w| if w.is_finite() { w.max(0.0) } else { 0.0 })
        .collect();
    let mut order: Vec<usize> = (0..cost.len()).collect();
    order.sort_by(|&a, &b| cost[b].total_cmp(&cost[a]).then(a.cmp(&b)));
    let mut load = vec![0.0f64; n_ranks];
    let mut ranks = vec![Vec::new(); n_ranks];
    for i in order {
        let r = (0..n_ranks).min_by(|&a, &b| load[a].total_cmp(&load[b]).then(a.cmp(&b))).unwrap_or(0);
        load[r] += cost[i];
        ranks[r].push(i);
    }
    ranks
}

/// How the ranks of a sweep run.
#[derive(Clone, Copy, Debug)]
pub struct RankSweepOptions {
    /// Runs at once in each rank (each on one thread).
    pub parallel: usize,
    /// Replace an earlier engram sweep in the output directory (only once this one is done).
    pub force: bool,
    /// Rank 0 shows one line per finished run of its own.
    pub progress: bool,
    /// Accept a sweep estimated to take more than 24 hours.
    pub allow_long: bool,
}

/// Run the share of `sweep` of this rank (`collect.partition()`), writing into `out` as
/// the single-process sweep does (see the module docs). Every rank must call it with the same
/// sweep and options. Rank 0 returns the sweep's report (an error if it could not start it,
/// or if the sweep was interrupted); the other ranks return `None` once their runs are
/// gathered, or rank 0's error if it could not start the sweep.
pub fn sweep_rank(
    sweep: &Sweep,
    out: &Path,
    options: &RankSweepOptions,
    limits: &Limits,
    collect: &mut dyn Collect,
) -> Result<Option<SweepReport>> {
    let t0 = Instant::now();
    let partition = collect.partition();
    let (rank, n_ranks) = (partition.rank(), partition.n_ranks());
    if options.parallel == 0 {
        bail!("--threads = 0: at least 1 run at once in each rank");
    }
    let plan = plan(sweep, n_ranks);
    let parallel = options.parallel.min(sweep.points().len().max(1));
    // rank 0 checks the sweep and makes its folder; the others learn the folder or the error
    let started = if rank == 0 { start(sweep, out, options, limits, &plan, parallel) } else { Err(String::new()) };
    let message = match &started {
        Ok(dir) => format!("ok\n{}", dir.path().display()),
        Err(e) => format!("error\n{e}"),
    };
    let message = collect.broadcast(&message).context("sending the sweep's folder to every rank")?;
    let folder = match message.split_once('\n') {
        Some(("ok", path)) => PathBuf::from(path),
        Some(("error", e)) => bail!("{e}"),
        _ => bail!("rank 0 sent `{message}` instead of the sweep's folder"),
    };
    let mine = &plan[rank];
    let progress = Progress::new(
        &format!("sweep (rank 0 of {n_ranks})"),
        mine.len() as u64,
        "runs",
        Every::Item,
        options.progress && rank == 0,
    );
    let results = if folder.is_dir() {
        run_points(sweep, &folder, mine, parallel, &progress, &|_, _, _| Ok(()))
    } else {
        // no run can be written here; say so in sweep.json rather than leave rank 0 waiting
        let why = format!(
            "rank {rank} cannot see the sweep's folder {} made by rank 0: engram-mpi sweep needs a file system that every rank sees",
            folder.display()
        );
        mine.iter().map(|&i| PointResult::failed(&sweep.points()[i], why.clone())).collect()
    };
    progress.finish();
    let text = serde_json::to_string(&results).context("serialising this rank's results")?;
    let gathered = collect.gather(&text).context("gathering the results on rank 0")?;
    let (Some(texts), Ok(dir)) = (gathered, started) else { return Ok(None) };
    let mut all = Vec::with_capacity(sweep.points().len());
    for (r, text) in texts.iter().enumerate() {
        let results: Vec<PointResult> =
            serde_json::from_str(text).with_context(|| format!("reading the results that rank {r} sent"))?;
        all.extend(results);
    }
    let at_once = (parallel * n_ranks).min(sweep.points().len().max(1));
    Ok(Some(finish_sweep(sweep, dir, all, at_once, t0)?))
}

/// Rank 0's checks of the sweep (each run, memory of `parallel` runs, the estimated wall time
/// of the busiest rank) and its folder made aside; the message of what is wrong otherwise.
fn start(
    sweep: &Sweep,
    out: &Path,
    options: &RankSweepOptions,
    limits: &Limits,
    plan: &[Vec<usize>],
    parallel: usize,
) -> Result<engram_models::rundir::RunDir, String> {
    sweep.check_resources(&Limits { allow_long: true, ..*limits }, parallel).map_err(|e| e.to_string())?;
    let busiest_s = plan
        .iter()
        .map(|mine| mine.iter().map(|&i| estimate(&sweep.points()[i].experiment).wall_s).sum::<f64>())
        .fold(0.0f64, f64::max)
        / parallel as f64;
    if !options.allow_long && !limits.allow_long && (busiest_s > LONG_RUN_S || busiest_s.is_nan()) {
        return Err(format!(
            "this sweep would take about {:.1} hours on its busiest rank ({parallel} runs at once); sweeps estimated above {} hours need --allow-long",
            busiest_s / 3600.0,
            LONG_RUN_S / 3600.0
        ));
    }
    create_sweep_dir(out, options.force).map_err(|e| e.to_string())
}
