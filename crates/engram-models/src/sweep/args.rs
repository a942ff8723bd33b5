//! The command line of a sweep, shared by `cargo xtask sweep` and `engram-mpi sweep`: the
//! arguments (clap ones with the `cli` feature) and the [`Sweep`] they describe.

use std::path::{Path, PathBuf};

use engram_core::error::EngramError;

use super::{Set, Sweep, parse_seeds};
use crate::experiment::{Experiment, FileKind, ModelConfig};

/// The arguments of `cargo xtask sweep` and `engram-mpi sweep`.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
pub struct SweepArgs {
    /// A built-in model (`cargo xtask run --list`), or the path of a .ron experiment file or
    /// network description file.
    pub model: String,
    /// `KEY=[v1, v2, ...]`: a dotted path from the top of the file (`model.Coba.w_exc_ns`,
    /// `run.duration_s`, `projections.E->I.weight.Constant.value`, `populations[0].size`) and a
    /// RON list of values. Repeat it for a grid (every combination).
    #[cfg_attr(feature = "cli", arg(long = "set", value_name = "KEY=VALUES"))]
    pub sets: Vec<String>,
    /// Seeds of every combination: `A..B` (A to B-1), `A..=B`, or `A,B,C` (default: the
    /// file's own seed).
    #[cfg_attr(feature = "cli", arg(long))]
    pub seeds: Option<String>,
    /// Output directory (default: `runs/sweep-<file stem or model>`; in the workspace for
    /// `cargo xtask`, below the current directory for `engram-mpi`).
    #[cfg_attr(feature = "cli", arg(long))]
    pub out: Option<PathBuf>,
    /// Runs at once, each on one thread (default: all cores; with `engram-mpi`, in each rank,
    /// default 1).
    #[cfg_attr(feature = "cli", arg(long))]
    pub threads: Option<usize>,
    /// Replace an earlier engram sweep in the output directory (only once this one is done).
    #[cfg_attr(feature = "cli", arg(long))]
    pub force: bool,
    /// Accept a sweep estimated to take more than 24 hours.
    #[cfg_attr(feature = "cli", arg(long))]
    pub allow_long: bool,
    /// No progress lines.
    #[cfg_attr(feature = "cli", arg(long))]
    pub quiet: bool,
}

impl SweepArgs {
    /// The sweep the arguments describe, every point checked (nothing is run), and the name
    /// of what it sweeps (the model, or the file's stem; the default output directory is
    /// `runs/sweep-<name>`).
    pub fn sweep(&self) -> Result<(Sweep, String), EngramError> {
        let (base, kind, name) = load_base(&self.model)?;
        let other = |e: super::SweepError| EngramError::Other(e.to_string());
        let sets = self.sets.iter().map(|s| Set::parse(s)).collect::<Result<Vec<_>, _>>().map_err(other)?;
        let seeds = self.seeds.as_deref().map(parse_seeds).transpose().map_err(other)?;
        let sweep = Sweep::new(&self.model, base, kind, sets, seeds).map_err(other)?;
        Ok((sweep, name))
    }
}

/// The experiment `model` names (a built-in model, or an experiment or description file),
/// what it was read as, and its name (the model's, or the file's stem).
pub fn load_base(model: &str) -> Result<(Experiment, FileKind, String), EngramError> {
    if let Some(exp) = Experiment::builtin(model) {
        return Ok((exp, FileKind::Experiment, model.to_string()));
    }
    let path = Path::new(model);
    if path.extension().is_some_and(|e| e == "ron") || path.exists() {
        let (exp, kind) = Experiment::read(path)?;
        let stem = path.file_stem().map_or("experiment".into(), |s| s.to_string_lossy().into_owned());
        return Ok((exp, kind, stem));
    }
    Err(EngramError::Other(format!(
        "`{model}` is neither a built-in model ({}) nor a .ron experiment or description file (cargo xtask run --list)",
        ModelConfig::BUILTIN.join(", ")
    )))
}
