//! `cargo xtask`: the engram task runner (run a model, benchmark, tidy, CI).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use engram_core::error::EngramError;
use engram_models::experiment::{Experiment, ModelConfig};
use engram_models::resources::{Limits, estimate};
use engram_models::run::{PopulationSpikes, Resume, Summary, resume_experiment, run_experiment};
use engram_models::rundir::{RunDir, RunStatus};
use engram_repro::cli::ReproduceArgs;
use engram_repro::jobs::Spread;

mod bench;
mod mpi_scaling;
mod report;
mod scaling;
mod sweep;
mod tidy;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "engram task runner", version)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run a built-in model (`--list` names them), an experiment file or a network description
    /// file (.ron) and write a run directory.
    Run(RunArgs),
    /// Run an experiment over a grid of values (`--set KEY=[...]`, repeatable) and seeds, in
    /// parallel: one run directory per grid point and a `sweep.json` table of their summaries.
    Sweep(sweep::SweepArgs),
    /// Reproduce a paper (`--list` names them): `dp` (Meissner-Bernard, Zenke & Friedrich,
    /// eLife 2025, all figures by default), `dp-authors` (its Fig. 2 measures on the authors'
    /// own networks and input spikes), `dp-learned`, `drift` (representational drift on the Dp
    /// network), `vogels2011` (Vogels et al., Science 2011).
    Reproduce(ReproduceArgs),
    /// Regenerate (or --check) the tables of a reproduction's docs page from its summary.
    Report(report::ReportArgs),
    /// Criterion benchmarks plus a side-by-side table against Brian2 (with --brian2-python).
    Bench(bench::BenchArgs),
    /// What CI runs: fmt --check, clippy -D warnings, doctests, nextest.
    Ci,
    /// Style checks: every .rs file starts with `//!`, no trailing whitespace, no tabs.
    Tidy,
}

#[derive(clap::Args)]
struct RunArgs {
    /// A built-in model (coba, cuba, coba-network, cuba-network, dp, vogels2011,
    /// auryn-background, selection), or the path of a .ron experiment file or network
    /// description file.
    #[arg(required_unless_present = "list")]
    model: Option<String>,
    /// List the built-in models and the experiment and description files under experiments/.
    #[arg(long, conflicts_with = "print_config")]
    list: bool,
    /// Write the resolved experiment (what the run would write as config.ron) to stdout as
    /// RON, and run nothing.
    #[arg(long)]
    print_config: bool,
    /// Like --print-config, with the model written as the network description it runs as
    /// (`model: Network(...)`; for a named model such as dp, its expansion). Runs nothing.
    #[arg(long, conflicts_with_all = ["print_config", "list"])]
    print_description: bool,
    /// Simulated time in seconds (overrides the experiment's run.duration_s; for a
    /// description file, the default is its phases' total duration).
    #[arg(long)]
    duration: Option<f64>,
    /// Experiment seed (overrides run.seed).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (overrides run.threads; results do not depend on it).
    #[arg(long)]
    threads: Option<usize>,
    /// Number of neurons for the benchmark models, built-in or as networks (fixed in-degree
    /// scaling).
    #[arg(long)]
    n: Option<usize>,
    /// Output directory (default: `runs/<model>` in the workspace).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace an earlier engram run in the output directory (only once this one succeeds).
    #[arg(long)]
    force: bool,
    /// Go on from a checkpoint (a run's `checkpoints/<phase>/`, saved by a phase with
    /// `checkpoint: true`) of the same experiment: restore it and run the rest of the protocol
    /// to the run's duration (the default output is then `runs/<model>-resumed`).
    #[arg(long, value_name = "CHECKPOINT_DIR")]
    resume: Option<PathBuf>,
    /// Accept a run estimated to take more than 24 hours.
    #[arg(long)]
    allow_long: bool,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

fn main() {
    // A panic is a bug in engram, never the user's fault: one line, and where to report it.
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        let place = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        eprintln!(
            "Error: internal error in engram ({message}{place}). This is a bug, not a problem with your input; please report it with the command you ran at {}/issues",
            env!("CARGO_PKG_REPOSITORY")
        );
    }));
    // Errors are for users: the message and its causes on one line, never a backtrace (even
    // with RUST_BACKTRACE set, as many developers have it).
    if let Err(e) = run_cli() {
        // Our messages usually embed their cause already; add only causes not yet said.
        let mut message = e.to_string();
        for cause in e.chain().skip(1) {
            let cause = cause.to_string();
            if !message.contains(&cause) {
                message = format!("{message}: {cause}");
            }
        }
        eprintln!("Error: {message}");
        // 128 + the signal number, as a shell reports a process a signal stopped
        let code = match e.downcast_ref::<EngramError>() {
            Some(EngramError::Interrupted { signal: "SIGTERM", .. }) => 143,
            Some(EngramError::Interrupted { .. }) => 130,
            _ => 1,
        };
        std::process::exit(code);
    }
}

/// SIGINT and SIGTERM ask the engine to stop at the end of the step (outputs are flushed and
/// marked `interrupted`); a second one stops the process at once.
fn install_signal_handlers() -> Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let again = Arc::new(AtomicBool::new(false));
    for signal in [SIGINT, SIGTERM] {
        signal_hook::flag::register_conditional_shutdown(signal, 128 + signal, Arc::clone(&again))
            .context("cannot install the signal handlers")?;
        signal_hook::flag::register(signal, Arc::clone(&again)).context("cannot install the signal handlers")?;
        signal_hook::flag::register_usize(signal, engram_sim::interrupt::flag(), signal as usize)
            .context("cannot install the signal handlers")?;
    }
    Ok(())
}

fn run_cli() -> Result<()> {
    let cli = Cli::parse();
    install_signal_handlers()?;
    match cli.command {
        Cmd::Run(args) => run(args),
        Cmd::Sweep(args) => sweep::sweep(args),
        Cmd::Reproduce(args) => reproduce(args),
        Cmd::Report(args) => report::report(args),
        Cmd::Bench(args) => bench::bench(args),
        Cmd::Ci => ci(),
        Cmd::Tidy => {
            let problems = tidy::check(&workspace_root())?;
            if problems.is_empty() {
                println!("tidy: ok");
                Ok(())
            } else {
                problems.iter().for_each(|p| eprintln!("{p}"));
                bail!("tidy: {} problem(s)", problems.len())
            }
        }
    }
}

/// The repository root (the parent of `xtask/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

/// Where a run writes when no `--out` is given: `runs/<name>` in the workspace, whatever the
/// current directory.
fn default_out(name: &str) -> PathBuf {
    workspace_root().join("runs").join(name)
}

/// The run directory's name for a model: its name, except `dp-run` for the Dp model, so that
/// a run never meets the reproduction's `runs/dp`.
fn run_name(model: &str) -> String {
    match model {
        "dp" => "dp-run".into(),
        other => other.into(),
    }
}

/// The experiment `model` names (a built-in model, an experiment file or a description file)
/// and the name of its run (`runs/<name>` by default): the model's for the benchmark models,
/// the built-in name or the file's stem for a description.
fn load_experiment(model: &str) -> Result<(Experiment, String)> {
    if let Some(exp) = Experiment::builtin(model) {
        return Ok((exp, run_name(model)));
    }
    let path = Path::new(model);
    if path.extension().is_some_and(|e| e == "ron") || path.exists() {
        let (exp, _) = Experiment::read(path)?;
        let name = match exp.model {
            ModelConfig::Network(_) => path.file_stem().map_or("network".into(), |s| s.to_string_lossy().into_owned()),
            _ => run_name(exp.model.name()),
        };
        return Ok((exp, name));
    }
    bail!(
        "`{model}` is neither a built-in model ({}) nor a .ron experiment or description file (cargo xtask run --list)",
        ModelConfig::BUILTIN.join(", ")
    )
}

/// What `--list` says of each built-in model.
const BUILTIN_ABOUT: &[(&str, &str)] = &[
    ("coba", "Brette et al. 2007 benchmark 1: 4000 conductance-based LIF neurons (built-in)"),
    ("cuba", "Brette et al. 2007 benchmark 2: 4000 current-based LIF neurons (built-in)"),
    ("coba-network", "COBA written as a network description (built-in; the same spikes as coba)"),
    ("cuba-network", "CUBA written as a network description (built-in; the same spikes as cuba)"),
    (
        "dp",
        "Dp model (Meissner-Bernard et al. 2025): structure A, Tuned E+I, 10 learned odors in 3 s trials (31 s; built-in)",
    ),
    ("vogels2011", "Vogels et al. 2011: 10 000-neuron memory network, iSTDP, patterns and recall (255 s; named model)"),
    (
        "auryn-background",
        "Auryn's background network: 25 000 NMDA neurons, triplet STDP (30 s priming + 10 s; named model)",
    ),
    ("selection", "Selection by neuromodulator-gated iSTDP: assemblies A and B, one I pool (named model)"),
];

/// `cargo xtask run --list`: the built-in models, then every .ron file under experiments/
/// (relative to the workspace) with the first line of its leading comment.
fn list_runnable() -> Result<()> {
    for (name, about) in BUILTIN_ABOUT {
        println!("{name:<38} {about}");
    }
    let root = workspace_root();
    let mut files = Vec::new();
    let mut dirs = vec![root.join("experiments")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "ron") {
                files.push(path);
            }
        }
    }
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let about = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .and_then(|l| l.strip_prefix("//"))
            .map_or("", str::trim);
        let shown = path.strip_prefix(&root).unwrap_or(&path);
        println!("{:<38} {about}", shown.display());
    }
    Ok(())
}

/// A thread count is at least 1 and at most the machine's cores (more only slows a run down;
/// results do not depend on it). `what` names where it was given.
fn check_threads(what: &str, n: usize) -> Result<()> {
    Ok(engram_repro::cli::check_threads(what, n)?)
}

/// Run `body` in a fresh run directory for `out`; put it in place on success, keep it aside
/// (marked interrupted or failed) otherwise. Returns where the results are.
fn in_run_dir(out: &Path, force: bool, body: impl FnOnce(&Path) -> Result<()>) -> Result<PathBuf> {
    let dir = RunDir::create(out, force)?;
    match body(dir.path()) {
        Ok(()) => Ok(dir.commit()?),
        Err(e) => {
            let (status, simulated_s) = match e.downcast_ref::<EngramError>() {
                Some(EngramError::Interrupted { time_ms, .. }) => (RunStatus::Interrupted, Some(time_ms / 1000.0)),
                Some(EngramError::Diverged { time_ms, .. }) => (RunStatus::Failed, Some(time_ms / 1000.0)),
                _ => (RunStatus::Failed, None),
            };
            match dir.abandon(status, &format!("{e:#}"), simulated_s) {
                Ok(Some(kept)) => {
                    eprintln!("The outputs written so far are in {}, marked {status}.", kept.display());
                    Err(e)
                }
                Ok(None) => Err(e),
                Err(cleanup) => Err(e.context(format!("and the partial outputs could not be marked: {cleanup}"))),
            }
        }
    }
}

fn run(args: RunArgs) -> Result<()> {
    if args.list {
        return list_runnable();
    }
    let model = args.model.clone().expect("clap requires a model without --list");
    let (mut exp, name) = load_experiment(&model)?;
    if let Some(d) = args.duration {
        exp.run.duration_s = d;
    }
    if let Some(s) = args.seed {
        exp.run.seed = s;
    }
    if let Some(t) = args.threads {
        check_threads("--threads", t)?;
        exp.run.threads = t;
    }
    if let Some(n) = args.n {
        set_n(&mut exp.model, &model, n)?;
    }
    use engram_core::params::Params;
    exp.validate().map_err(|e| anyhow::anyhow!("{model}: {e}"))?;
    if args.print_config {
        print!("{}", engram_core::config::to_ron_string(&exp));
        println!();
        return Ok(());
    }
    if args.print_description {
        let Some(d) = exp.model.description()? else {
            bail!(
                "{model}: built in Rust, not from a description; `coba-network` and `cuba-network` are its descriptions"
            )
        };
        let described = Experiment { model: ModelConfig::Network(d.into_owned()), ..exp };
        print!("{}", engram_core::config::to_ron_string(&described));
        println!();
        return Ok(());
    }
    estimate(&exp).check(&Limits::of_this_machine(args.allow_long))?;
    let resume = args.resume.as_deref().map(Resume::load).transpose()?;
    let out = match (args.out, &resume) {
        (Some(out), _) => out,
        (None, None) => default_out(&name),
        (None, Some(_)) => default_out(&format!("{name}-resumed")),
    };
    if let Some(from) = &resume {
        Resume::check_out(&out, &from.path)?;
    }
    let mut summary = None;
    let written = in_run_dir(&out, args.force, |dir| {
        let output = match &resume {
            Some(from) => resume_experiment(&exp, Some(dir), !args.quiet, from)?,
            None => run_experiment(&exp, Some(dir), !args.quiet)?,
        };
        if exp.record.figure {
            draw_raster(dir, &exp, &name, &output.summary, output.spikes)?;
        }
        summary = Some(output.summary);
        Ok(())
    })?;
    let summary = summary.expect("a successful run has a summary");
    let rates = match exp.model {
        ModelConfig::Network(_) => {
            let each: Vec<String> =
                summary.populations.iter().map(|p| format!("{} {:.2} Hz", p.name, p.rate_hz)).collect();
            each.join(", ")
        }
        _ => format!("E {:.2} Hz, I {:.2} Hz", summary.rate_exc_hz, summary.rate_inh_hz),
    };
    println!(
        "{name}: {} neurons, {:.1} s simulated: {rates}, {} synapses; build {:.3} s, loop {:.3} s wall / {:.3} s CPU",
        summary.n, summary.duration_s, summary.n_synapses, summary.build_s, summary.loop_wall_s, summary.loop_cpu_s
    );
    if let Some(r) = &summary.resumed_from {
        println!("resumed from {} at {} ms (step {})", r.checkpoint.display(), r.time_ms, r.step);
    }
    println!("wrote {}", written.display());
    Ok(())
}

/// `--n`: the size of a benchmark model, built-in or written as a network (`coba-network`,
/// `cuba-network`, rebuilt at that size); a description file sets its own sizes.
fn set_n(model: &mut ModelConfig, name: &str, n: usize) -> Result<()> {
    use engram_models::coba::CobaConfig;
    use engram_models::cuba::CubaConfig;
    use engram_models::description::models;
    match model {
        ModelConfig::Coba(c) => c.n = n,
        ModelConfig::Cuba(c) => c.n = n,
        ModelConfig::Network(d) => {
            *d = match name {
                "coba-network" => models::coba(&CobaConfig { n, ..CobaConfig::default() })?,
                "cuba-network" => models::cuba(&CubaConfig { n, ..CubaConfig::default() })?,
                _ => bail!(
                    "--n applies to the benchmark models (coba, cuba, coba-network, cuba-network); a network description sets the size of each population"
                ),
            }
        }
        ModelConfig::Dp(_) => bail!(
            "--n applies to the benchmark models (coba, cuba, coba-network, cuba-network); the Dp model keeps its 4000 E, 1000 I (`scale_down` in an experiment file divides them)"
        ),
        ModelConfig::Vogels2011(_) | ModelConfig::AurynBackground(_) | ModelConfig::Selection(_) => bail!(
            "--n applies to the benchmark models (coba, cuba, coba-network, cuba-network); a named model sets its sizes in its own fields (cargo xtask run {name} --print-config)"
        ),
    }
    Ok(())
}

/// The figure of a run, drawn into its run directory before it is put in place:
/// `raster.png` / `raster.svg`, the spike raster (at most 250 rows per population) and the
/// population rates in `record.rate_bin_ms` bins.
fn draw_raster(
    dir: &Path,
    exp: &Experiment,
    name: &str,
    summary: &Summary,
    spikes: Vec<PopulationSpikes>,
) -> Result<()> {
    let pops: Vec<engram_plot::PopulationSpikes> = spikes
        .into_iter()
        .map(|p| engram_plot::PopulationSpikes { name: p.name, n: p.n, times_ms: p.times_ms, neurons: p.neurons })
        .collect();
    let label = match exp.model {
        ModelConfig::Network(_) => name.to_string(),
        _ => exp.model.name().to_uppercase(),
    };
    let title = format!("{label} · {} neurons · seed {}", summary.n, exp.run.seed);
    let (duration_ms, bin_ms) = (exp.run.duration_s * 1000.0, exp.record.rate_bin_ms);
    engram_plot::raster_and_rates(dir.join("raster"), &title, &pops, duration_ms, bin_ms, Some(250))
        .context("figure")?;
    Ok(())
}

fn reproduce(args: ReproduceArgs) -> Result<()> {
    if args.list {
        print!("{}", engram_repro::cli::list());
        return Ok(());
    }
    let resolved = engram_repro::cli::check(&args, &workspace_root())?;
    let out = args.out.clone().unwrap_or_else(|| default_out(&resolved.run_name));
    if let Some(t) = args.threads {
        rayon_threads(t)?;
    }
    let t0 = std::time::Instant::now();
    let written = in_run_dir(&out, args.force, |dir| {
        resolved.reproduction.run(&resolved.options(&args, dir, Spread::here()))?;
        Ok(())
    })?;
    println!(
        "reproduced {} in {:.0} s{}; figures and summary.json in {}",
        resolved.reproduction.name(),
        t0.elapsed().as_secs_f64(),
        resolved.seed_note(&args),
        written.display()
    );
    Ok(())
}

fn rayon_threads(n: usize) -> Result<()> {
    check_threads("--threads", n)?;
    rayon::ThreadPoolBuilder::new().num_threads(n).build_global().context("cannot configure the thread pool")
}

/// Run a command in the workspace root, failing with its name if it fails.
pub fn sh(program: &str, args: &[&str]) -> Result<()> {
    eprintln!("$ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(workspace_root())
        .status()
        .with_context(|| format!("cannot start {program}"))?;
    if !status.success() {
        bail!("`{program} {}` failed with {status}", args.join(" "));
    }
    Ok(())
}

fn ci() -> Result<()> {
    sh("bash", &[".ci/run"])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_output_is_under_the_workspace_whatever_the_current_directory() {
        let out = default_out("coba");
        assert!(out.is_absolute(), "{}", out.display());
        assert_eq!(out, workspace_root().join("runs").join("coba"));
        assert!(workspace_root().join("Cargo.toml").exists());
    }
}
