//! `engram-mpi reproduce <name>`: a reproduction of `cargo xtask reproduce` with its batches of
//! simulations spread over the ranks, and the run directory of a single process written by
//! rank 0.
//!
//! Every rank checks the arguments (the checks of `cargo xtask reproduce`,
//! [`engram_repro::cli::check`]) and runs the reproduction's code; each batch of jobs is split
//! over the ranks, each rank runs its share on its own cores, and the results are all-gathered
//! so that every rank continues with every result, in job order ([`engram_repro::jobs`]).
//! Rank 0 makes the run directory (a folder aside, renamed on success; `--force` replaces only
//! an engram run) and tells the others whether it could; the other ranks write their copies of
//! the figures and summaries into a scratch folder of their own under the system's temporary
//! folder, removed at the end, so that nothing but rank 0 writes to the output, and the output
//! needs no file system shared between nodes. Reproductions whose simulations do not go
//! through [`Spread`] ([`Reproduction::spreads`]) are refused on several ranks.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};
use engram_core::error::EngramError;
use engram_models::rundir::RunDir;
use engram_repro::cli::{ReproduceArgs, check};
use engram_repro::jobs::{JobRanks, Spread};
use engram_repro::reproduction::Reproduction;
use engram_sim::network::Partition;

use crate::sweep::Collect;

/// [`JobRanks`] over a [`Collect`] (MPI's, or ranks as threads with an
/// [`ExchangeCollect`](crate::sweep::ExchangeCollect)): its all-gather, one call at a time.
pub struct CollectRanks<C> {
    partition: Partition,
    collect: Mutex<C>,
}

impl<C: Collect + Send> CollectRanks<C> {
    /// The ranks that `collect` connects.
    pub fn new(collect: C) -> Self {
        Self { partition: collect.partition(), collect: Mutex::new(collect) }
    }
}

impl<C: Collect + Send> JobRanks for CollectRanks<C> {
    fn partition(&self) -> Partition {
        self.partition
    }

    fn all_gather(&self, bytes: &[u8]) -> Result<Vec<Vec<u8>>, EngramError> {
        let mut collect =
            self.collect.lock().map_err(|_| EngramError::Other("a rank's exchange failed before".into()))?;
        collect.all_gather(bytes)
    }
}

/// The repository root this binary was built in: the default folder of a reproduction's input
/// files is relative to it (as for `cargo xtask reproduce`).
pub fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Where `engram-mpi reproduce` writes when no `--out` is given: `runs/<name>-mpi` below the
/// current directory (`runs/dp-tiny-mpi`).
pub fn default_out(run_name: &str) -> PathBuf {
    PathBuf::from("runs").join(format!("{run_name}-mpi"))
}

/// What rank 0 returns: where the run directory is, and the summary.
#[derive(Debug)]
pub struct Reproduced {
    /// The run directory, in place.
    pub dir: PathBuf,
    /// The summary (as written to `summary.json`).
    pub summary: serde_json::Value,
    /// The reproduction's name.
    pub name: &'static str,
    /// ` (seed N)` for a reproduction with a seed, else empty.
    pub seed_note: String,
}

/// Run `args` (not `--list`) as this rank of `ranks`, the default data folder under `root`.
/// Rank 0 returns what it wrote; the other ranks `None`. Every rank must call it with the same
/// arguments; an error in the arguments, or rank 0's failure to make the run directory, is
/// returned on every rank.
pub fn reproduce_rank(args: &ReproduceArgs, root: &Path, ranks: Arc<dyn JobRanks>) -> Result<Option<Reproduced>> {
    let resolved = check(args, root)?;
    let r = resolved.reproduction;
    let spread = Spread::over(ranks);
    let partition = spread.partition();
    let (rank, n_ranks) = (partition.rank(), partition.n_ranks());
    if n_ranks > 1 && !r.spreads() {
        bail!(
            "{0}: engram-mpi reproduce spreads the simulations of {1} over ranks, not those of {0}; run it on 1 rank (mpirun -np 1), or with cargo xtask reproduce {0}",
            r.name(),
            spreading().join(" and ")
        );
    }
    let out = args.out.clone().unwrap_or_else(|| default_out(&resolved.run_name));
    // rank 0 makes the run directory; the others learn whether it could
    let made = if rank == 0 { RunDir::create(&out, args.force).map_err(|e| e.to_string()) } else { Err(String::new()) };
    let said = match &made {
        Ok(_) => String::from("ok"),
        Err(e) => format!("error\n{e}"),
    };
    let answers = spread.all_gather(said.as_bytes()).context("telling every rank about the run directory")?;
    let from_root = String::from_utf8_lossy(&answers[0]).into_owned();
    if let Some(e) = from_root.strip_prefix("error\n") {
        bail!("{e}");
    }
    let seed_note = resolved.seed_note(args);
    if rank != 0 {
        let scratch = std::env::temp_dir().join(format!("engram-mpi-reproduce-{}-rank{rank}", std::process::id()));
        let options = resolved.options(args, &scratch, spread);
        let ran = run_quietly(r, options);
        let _ = std::fs::remove_dir_all(&scratch);
        ran?;
        return Ok(None);
    }
    let dir = made.map_err(anyhow::Error::msg)?;
    let options = resolved.options(args, dir.path(), spread);
    match r.run(&options) {
        Ok(summary) => Ok(Some(Reproduced { dir: dir.commit()?, summary, name: r.name(), seed_note })),
        Err(e) => Err(crate::abandon(dir, e)),
    }
}

/// Run `r` with `options` without progress (a rank other than 0).
fn run_quietly(r: &dyn Reproduction, mut options: engram_repro::reproduction::Options) -> Result<()> {
    options.progress = false;
    r.run(&options)?;
    Ok(())
}

/// The names of the reproductions whose simulations are spread over ranks.
pub fn spreading() -> Vec<&'static str> {
    engram_repro::reproduction::all().iter().filter(|r| r.spreads()).map(|r| r.name()).collect()
}
