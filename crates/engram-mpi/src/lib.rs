//! engram-mpi: one engram network across MPI ranks, with the spikes of a single process.
//!
//! `mpirun -np N engram-mpi run <model|file.ron> [--duration S] [--seed N] [--out DIR]`
//! runs an experiment (a built-in model, an experiment file or a network description, as
//! `cargo xtask run` takes them) split across `N` ranks and writes the same run directory:
//! `config.ron`, `summary.json`, `spikes_<pop>.npy` and `rates.npy`, bit-identical to the
//! single-process run for the same seed, for any `N` and any `--threads` inside a rank;
//! `--resume CHECKPOINT_DIR` goes on from a checkpoint of the same experiment.
//!
//! How (see docs/guide/distributed.md): every rank builds the network description from the
//! same seeds, drawing only the synapses onto its own neurons (one contiguous block of every
//! population per rank, [`engram_sim::network::Partition`]; the steps that look at other
//! targets' synapses, out-degree balancing and the Dp model's assembly rewiring and choice of
//! assemblies, are made by the ranks together; connectivity of a kind of your own that makes
//! its whole matrix is made whole and cut); once per interval of the network's
//! shortest delay (one step for COBA and Dp) the ranks swap the spikes of their own neurons
//! with one `MPI_Allgatherv`, so that each rank delivers and learns with the spike lists of a
//! single process, in the same order.
//!
//! `mpirun -np N engram-mpi sweep <model|file.ron> --set KEY=[...] --seeds A..B` takes the
//! arguments of `cargo xtask sweep` and spreads its runs (each whole, in one process) over the
//! ranks; rank 0 gathers their results and writes the sweep folder of a single process
//! ([`sweep`]; the folder must be on a file system that every rank sees).
//!
//! `mpirun -np N engram-mpi reproduce dp [--quick] [--figure N] [--networks N] [--seed N]
//! [--out DIR] [--force]` takes the arguments of `cargo xtask reproduce` and spreads the
//! reproduction's batches of simulations over the ranks; every rank continues with every
//! result, and rank 0 writes the run directory of a single process ([`reproduce`](mod@reproduce);
//! `dp` and `dp-authors` spread, the other reproductions run on 1 rank only).
//!
//! `mpirun -np N engram-mpi bench --n 16000` measures one COBA network split across the ranks
//! (per rank: neurons, synapses, loop and exchange time, bytes, memory; [`bench`](mod@bench)), and
//! `--collective` the exchange alone; `cargo xtask bench --mpi` runs both on 1 to 3 ranks and
//! [`scaling`] fits the cost model of docs/performance.md to them.
//!
//! The MPI part needs the `mpi` cargo feature (and an MPI library and libclang to build it):
//! `cargo build --release -p engram-mpi --features mpi`. Without it the crate still builds,
//! its library runs ranks as threads of one process ([`run_rank`] with an
//! [`engram_sim::network::ThreadGroup`]), and its binary says how to rebuild it.

pub mod bench;
#[cfg(feature = "mpi")]
pub mod collect;
#[cfg(feature = "mpi")]
pub mod exchange;
pub mod reproduce;
pub mod scaling;
pub mod sweep;

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use engram_core::error::EngramError;
use engram_core::params::Params;
use engram_models::experiment::{Experiment, ModelConfig};
use engram_models::run::{RankShare, Resume, Summary, resume_experiment_on_rank, run_experiment_on_rank};
use engram_models::rundir::{RunDir, RunStatus};

/// The options of `engram-mpi run`.
#[derive(Clone, Debug, clap::Args)]
pub struct RunArgs {
    /// A built-in model (coba, cuba, coba-network, cuba-network, dp, ...), or the path of a
    /// .ron experiment file or network description file.
    pub model: String,
    /// Simulated time in seconds (overrides the experiment's run.duration_s).
    #[arg(long)]
    pub duration: Option<f64>,
    /// Experiment seed (overrides run.seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads in each rank (overrides run.threads; results do not depend on it).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output directory (default: `runs/<model>-mpi` below the current directory).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an earlier engram run in the output directory (only once this one succeeds).
    #[arg(long)]
    pub force: bool,
    /// Go on from a checkpoint of the same experiment (a run's `checkpoints/<phase>/`, saved
    /// across any number of ranks or by one process); every rank reads it, so it must be on a
    /// file system all ranks see. The default output is then `runs/<model>-mpi-resumed`.
    #[arg(long, value_name = "CHECKPOINT_DIR")]
    pub resume: Option<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// The experiment `model` names (a built-in model, or an experiment or description file) and
/// the name of its run.
pub fn load_experiment(model: &str) -> Result<(Experiment, String)> {
    if let Some(exp) = Experiment::builtin(model) {
        return Ok((exp, model.to_string()));
    }
    let path = Path::new(model);
    if path.extension().is_some_and(|e| e == "ron") || path.exists() {
        let (exp, _) = Experiment::read(path)?;
        let name = match exp.model {
            ModelConfig::Network(_) => path.file_stem().map_or("network".into(), |s| s.to_string_lossy().into_owned()),
            _ => exp.model.name().to_string(),
        };
        return Ok((exp, name));
    }
    bail!(
        "`{model}` is neither a built-in model ({}) nor a .ron experiment or description file",
        ModelConfig::BUILTIN.join(", ")
    )
}

/// The experiment of `args`, with its overrides applied and checked, and the run's name.
pub fn experiment_of(args: &RunArgs) -> Result<(Experiment, String)> {
    let (mut exp, name) = load_experiment(&args.model)?;
    if let Some(d) = args.duration {
        exp.run.duration_s = d;
    }
    if let Some(s) = args.seed {
        exp.run.seed = s;
    }
    if let Some(t) = args.threads {
        if t == 0 {
            bail!("--threads = 0: at least 1 thread per rank");
        }
        exp.run.threads = t;
    }
    // the raster figure is drawn by `cargo xtask run`; the arrays are written here
    exp.record.figure = false;
    exp.validate().map_err(|e| anyhow::anyhow!("{}: {e}", args.model))?;
    Ok((exp, name))
}

/// Run `exp` as rank `share.partition.rank()`: rank 0 writes the run directory `out` (a fresh
/// folder put in place on success, as `cargo xtask run` does) and returns its path and the
/// summary; the other ranks write nothing and return `None`. With `resume`, the network goes
/// on from that checkpoint ([`resume_experiment_on_rank`]). Every rank must call it with the
/// same experiment and checkpoint.
pub fn run_rank(
    exp: &Experiment,
    out: &Path,
    force: bool,
    progress: bool,
    share: RankShare,
    resume: Option<&Resume>,
) -> Result<Option<(PathBuf, Summary)>> {
    let run = |out: Option<&Path>, progress: bool, share: RankShare| match resume {
        Some(from) => resume_experiment_on_rank(exp, out, progress, Some(share), from),
        None => run_experiment_on_rank(exp, out, progress, Some(share)),
    };
    if let Some(from) = resume {
        // on every rank, so that all stop together
        Resume::check_out(out, &from.path)?;
    }
    if share.partition.rank() != 0 {
        run(None, false, share)?;
        return Ok(None);
    }
    let dir = RunDir::create(out, force)?;
    match run(Some(dir.path()), progress, share) {
        Ok(output) => {
            let written = dir.commit()?;
            Ok(Some((written, output.summary)))
        }
        Err(e) => Err(abandon(dir, e)),
    }
}

/// Put the run directory `dir` aside after the error `e`, marked interrupted or failed (as
/// `cargo xtask run` does), saying where the outputs written so far are; returns the error.
pub(crate) fn abandon(dir: RunDir, e: EngramError) -> anyhow::Error {
    let (status, simulated_s) = match &e {
        EngramError::Interrupted { time_ms, .. } => (RunStatus::Interrupted, Some(time_ms / 1000.0)),
        EngramError::Diverged { time_ms, .. } => (RunStatus::Failed, Some(time_ms / 1000.0)),
        _ => (RunStatus::Failed, None),
    };
    match dir.abandon(status, &e.to_string(), simulated_s) {
        Ok(Some(kept)) => {
            eprintln!("The outputs written so far are in {}, marked {status}.", kept.display());
            e.into()
        }
        Ok(None) => e.into(),
        Err(cleanup) => {
            anyhow::Error::from(e).context(format!("and the partial outputs could not be marked: {cleanup}"))
        }
    }
}

/// One line about a finished run (rank 0 prints it).
pub fn describe(name: &str, n_ranks: usize, summary: &Summary) -> String {
    let rates: Vec<String> = summary.populations.iter().map(|p| format!("{} {:.2} Hz", p.name, p.rate_hz)).collect();
    format!(
        "{name} on {n_ranks} ranks: {} neurons, {:.3} s simulated: {}, {} synapses; build {:.3} s, loop {:.3} s wall",
        summary.n,
        summary.duration_s,
        rates.join(", "),
        summary.n_synapses,
        summary.build_s,
        summary.loop_wall_s
    )
}
