//! The command line of `cargo xtask reproduce` and `engram-mpi reproduce` (clap arguments with
//! the `cli` feature), and the checks both make before anything runs, so that both say the
//! same of the same mistake.
//!
//! ```
//! use engram_repro::cli::{ReproduceArgs, check};
//! let root = std::path::Path::new(".");
//! let args = ReproduceArgs { paper: Some("dp".into()), tiny: true, ..ReproduceArgs::default() };
//! let checked = check(&args, root).unwrap();
//! assert_eq!((checked.reproduction.name(), checked.run_name.as_str()), ("dp", "dp-tiny"));
//! let bad = ReproduceArgs { paper: Some("dp".into()), figures: vec![7], ..ReproduceArgs::default() };
//! assert_eq!(check(&bad, root).unwrap_err().to_string(), "--figure 7: dp has figures 1 to 6");
//! let unknown = ReproduceArgs { paper: Some("dq".into()), ..ReproduceArgs::default() };
//! assert!(check(&unknown, root).unwrap_err().to_string().starts_with("unknown paper `dq`; available: dp, "));
//! ```

use std::path::{Path, PathBuf};

use engram_core::error::EngramError;
use engram_models::resources::cores;

use crate::jobs::Spread;
use crate::reproduction::{self, Options, Reproduction};

/// What `reproduce` takes (`cargo xtask reproduce`, `engram-mpi reproduce`).
#[derive(Clone, Debug, Default)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
pub struct ReproduceArgs {
    /// Which reproduction (`--list` names them).
    #[cfg_attr(feature = "cli", arg(required_unless_present = "list"))]
    pub paper: Option<String>,
    /// List the reproductions, one line each.
    #[cfg_attr(feature = "cli", arg(long))]
    pub list: bool,
    /// Only these figures (1–6); repeat the flag for several. Default: all.
    #[cfg_attr(feature = "cli", arg(long = "figure"))]
    pub figures: Vec<u32>,
    /// Networks per structure A–D (dp only; default 2, as the paper's Figs 3–5).
    #[cfg_attr(feature = "cli", arg(long))]
    pub networks: Option<usize>,
    /// The quick version (2 networks, shorter protocols; a few minutes).
    #[cfg_attr(feature = "cli", arg(long))]
    pub quick: bool,
    /// Experiment seed (default: 2025 for dp and dp-learned, 2021 for drift, 2011 for vogels2011).
    #[cfg_attr(feature = "cli", arg(long))]
    pub seed: Option<u64>,
    /// Worker threads (in each rank under `engram-mpi`; default: all cores; results do not
    /// depend on it).
    #[cfg_attr(feature = "cli", arg(long))]
    pub threads: Option<usize>,
    /// Output directory (default: `runs/<paper>` or `runs/<paper>-quick`).
    #[cfg_attr(feature = "cli", arg(long))]
    pub out: Option<PathBuf>,
    /// The folder of the input files (dp-authors only: the authors' .mat files; default
    /// ../shared/pdp-model relative to the repository root).
    #[cfg_attr(feature = "cli", arg(long))]
    pub data: Option<PathBuf>,
    /// Replace an earlier engram run in the output directory (only once this one succeeds).
    #[cfg_attr(feature = "cli", arg(long))]
    pub force: bool,
    /// No progress bars.
    #[cfg_attr(feature = "cli", arg(long))]
    pub quiet: bool,
    /// Developers only: the test-only tiny size (seconds; its numbers mean nothing), to compare
    /// a summary before and after a refactoring.
    #[cfg_attr(feature = "cli", arg(long, hide = true))]
    pub tiny: bool,
}

/// `reproduce --list`: one line per reproduction (name, default seed, description).
pub fn list() -> String {
    let mut out = String::new();
    for r in reproduction::all() {
        let seed = if r.takes_seed() { r.default_seed().to_string() } else { "-".into() };
        out += &format!("{:<12} seed {seed:<5} {}\n", r.name(), r.describe());
    }
    out
}

/// A thread count is at least 1 and at most the machine's cores (more only slows a run down;
/// results do not depend on it). `what` names where it was given.
pub fn check_threads(what: &str, n: usize) -> Result<(), EngramError> {
    if n == 0 {
        return Err(EngramError::Other(format!("{what} = 0: at least 1 thread")));
    }
    let cores = cores();
    if n > cores {
        return Err(EngramError::Other(format!(
            "{what} = {n}: this machine has {cores} cores; use at most {cores} (results do not depend on the thread count)"
        )));
    }
    Ok(())
}

/// What checked arguments resolve to: the reproduction, the name of its run (`dp`,
/// `dp-quick`, `dp-tiny`) and the folder of its input files.
pub struct Resolved {
    /// The reproduction.
    pub reproduction: &'static dyn Reproduction,
    /// The name of its run directory by default.
    pub run_name: String,
    /// The folder of its input files (reproductions that read some).
    pub data: Option<PathBuf>,
}

impl std::fmt::Debug for Resolved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolved")
            .field("reproduction", &self.reproduction.name())
            .field("run_name", &self.run_name)
            .field("data", &self.data)
            .finish()
    }
}

fn err(message: String) -> EngramError {
    EngramError::Other(message)
}

/// Check `args` (not `--list`) before anything runs: a known reproduction, and every option
/// applies to it; the folder of its input files, if it reads some, exists (`--data`, else its
/// default under `root`, the repository root).
pub fn check(args: &ReproduceArgs, root: &Path) -> Result<Resolved, EngramError> {
    let paper = args.paper.clone().unwrap_or_default();
    let Some(r) = reproduction::find(&paper) else {
        let names: Vec<&str> = reproduction::all().iter().map(|r| r.name()).collect();
        return Err(err(format!(
            "unknown paper `{paper}`; available: {} (cargo xtask reproduce --list)",
            names.join(", ")
        )));
    };
    check_options(args, r)?;
    let data = data_dir(args, r, root)?;
    if args.tiny && !r.has_tiny() {
        return Err(err(format!("--tiny: {paper} has no tiny size")));
    }
    let run_name = if args.tiny {
        format!("{paper}-tiny")
    } else if args.quick {
        format!("{paper}-quick")
    } else {
        paper
    };
    Ok(Resolved { reproduction: r, run_name, data })
}

/// Options that do not apply to `r` are errors, not ignored.
fn check_options(args: &ReproduceArgs, r: &dyn Reproduction) -> Result<(), EngramError> {
    let name = r.name();
    match r.figures() {
        None if !args.figures.is_empty() => {
            return Err(err(format!("--figure does not apply to {name}: it runs all of its experiments")));
        }
        Some(range) => {
            if let Some(bad) = args.figures.iter().find(|f| !range.contains(*f)) {
                return Err(err(format!("--figure {bad}: {name} has figures {} to {}", range.start(), range.end())));
            }
        }
        None => {}
    }
    if let Some(n) = args.networks {
        if !r.takes_networks() {
            return Err(err(format!("--networks applies to dp only, not to {name}")));
        }
        if args.quick {
            return Err(err(
                "--networks cannot be combined with --quick (the quick version runs one network each of structures A and C)"
                    .into(),
            ));
        }
        if n == 0 {
            return Err(err("--networks 0: at least 1 network per structure".into()));
        }
    }
    if let Some(t) = args.threads {
        check_threads("--threads", t)?;
    }
    if args.quick && !r.has_quick() {
        return Err(err(format!("--quick does not apply to {name}: it has one size (minutes)")));
    }
    if args.seed.is_some() && !r.takes_seed() {
        return Err(err(format!("--seed does not apply to {name}: it has no randomness (its inputs are files)")));
    }
    if args.data.is_some() && r.default_data().is_none() {
        return Err(err(format!("--data does not apply to {name}: it reads no input files")));
    }
    Ok(())
}

/// The folder of a reproduction's input files: `--data`, else its default under `root`; it
/// must exist (checked before a run directory is made).
fn data_dir(args: &ReproduceArgs, r: &dyn Reproduction, root: &Path) -> Result<Option<PathBuf>, EngramError> {
    let Some(default) = r.default_data() else { return Ok(None) };
    let (dir, given) = match &args.data {
        Some(d) => (d.clone(), "--data"),
        None => (root.join(default), "the default folder"),
    };
    if !dir.is_dir() {
        return Err(err(format!(
            "{}: {given} {} does not exist; it must hold the input files (the default is {default} relative to the repository root; name another folder with --data DIR)",
            r.name(),
            dir.display()
        )));
    }
    Ok(Some(dir.canonicalize().unwrap_or(dir)))
}

impl Resolved {
    /// The options of [`Reproduction::run`] for `args`, writing into `out`, its jobs spread
    /// as `spread` says.
    pub fn options(&self, args: &ReproduceArgs, out: &Path, spread: Spread) -> Options {
        Options {
            quick: args.quick,
            tiny: args.tiny,
            seed: args.seed,
            out: out.to_path_buf(),
            progress: !args.quiet,
            figures: args.figures.clone(),
            networks: args.networks,
            data: self.data.clone(),
            spread,
        }
    }

    /// `(seed N)` for a reproduction that takes a seed (the one used), else nothing.
    pub fn seed_note(&self, args: &ReproduceArgs) -> String {
        let r = self.reproduction;
        if r.takes_seed() { format!(" (seed {})", args.seed.unwrap_or(r.default_seed())) } else { String::new() }
    }
}
