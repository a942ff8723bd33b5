//! `cargo xtask`: the engram task runner (run a model, benchmark, tidy, CI).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use engram_models::experiment::{Experiment, ModelConfig};
use engram_models::run::{prepare_output_dir, run_experiment};

mod bench;
mod tidy;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "engram task runner", version)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run a built-in model (coba, cuba) or an experiment file (.ron) and write a run directory.
    Run(RunArgs),
    /// Reproduce a paper: `dp` (Meissner-Bernard, Zenke & Friedrich, eLife 2025), all figures by
    /// default, or `vogels2011` (Vogels et al., Science 2011).
    Reproduce(ReproduceArgs),
    /// Criterion benchmarks plus a side-by-side table against Brian2 (with --brian2-python).
    Bench(bench::BenchArgs),
    /// What CI runs: fmt --check, clippy -D warnings, doctests, nextest.
    Ci,
    /// Style checks: every .rs file starts with `//!`, no trailing whitespace, no tabs.
    Tidy,
}

#[derive(clap::Args)]
struct ReproduceArgs {
    /// Which paper: `dp`, `dp-learned` (learned E/I assemblies by iSTDP) or `vogels2011`.
    paper: String,
    /// Only these figures (1–6); repeat the flag for several. Default: all.
    #[arg(long = "figure")]
    figures: Vec<u32>,
    /// Networks per structure A–D (the paper's Figs 3–5 use 2 of each).
    #[arg(long, default_value_t = 2)]
    networks: usize,
    /// The quick version (2 networks, shorter protocols; a few minutes).
    #[arg(long)]
    quick: bool,
    /// Experiment seed.
    #[arg(long, default_value_t = 2025)]
    seed: u64,
    /// Worker threads (default: all cores; results do not depend on it).
    #[arg(long)]
    threads: Option<usize>,
    /// Output directory (default: runs/dp or runs/dp-quick).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Overwrite the output directory if it exists.
    #[arg(long)]
    force: bool,
    /// No progress bars.
    #[arg(long)]
    quiet: bool,
}

#[derive(clap::Args)]
struct RunArgs {
    /// A built-in model name (coba, cuba) or the path of a .ron experiment file.
    model: String,
    /// Simulated time in seconds (overrides the experiment's run.duration_s).
    #[arg(long)]
    duration: Option<f64>,
    /// Experiment seed (overrides run.seed).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (overrides run.threads; results do not depend on it).
    #[arg(long)]
    threads: Option<usize>,
    /// Number of neurons for the benchmark models (fixed in-degree scaling).
    #[arg(long)]
    n: Option<usize>,
    /// Output directory (default: runs/<model>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Overwrite the output directory if it exists.
    #[arg(long)]
    force: bool,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

fn main() {
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
        std::process::exit(1);
    }
}

fn run_cli() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Cmd::Run(args) => run(args),
        Cmd::Reproduce(args) => reproduce(args),
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

fn load_experiment(model: &str) -> Result<Experiment> {
    if let Some(exp) = Experiment::builtin(model) {
        return Ok(exp);
    }
    let path = Path::new(model);
    if path.extension().is_some_and(|e| e == "ron") || path.exists() {
        return Ok(Experiment::from_file(path)?);
    }
    bail!("`{model}` is neither a built-in model ({}) nor a .ron experiment file", ModelConfig::BUILTIN.join(", "))
}

fn run(args: RunArgs) -> Result<()> {
    let mut exp = load_experiment(&args.model)?;
    if let Some(d) = args.duration {
        exp.run.duration_s = d;
    }
    if let Some(s) = args.seed {
        exp.run.seed = s;
    }
    if let Some(t) = args.threads {
        exp.run.threads = t;
    }
    if let Some(n) = args.n {
        match &mut exp.model {
            ModelConfig::Coba(c) => c.n = n,
            ModelConfig::Cuba(c) => c.n = n,
        }
    }
    use engram_core::params::Params;
    exp.validate().map_err(|e| anyhow::anyhow!("{}: {e}", args.model))?;
    let out = args.out.unwrap_or_else(|| PathBuf::from("runs").join(exp.model.name()));
    prepare_output_dir(&out, args.force)?;
    let summary = run_experiment(&exp, Some(&out), !args.quiet)?;
    println!(
        "{}: {} neurons, {:.1} s simulated: E {:.2} Hz, I {:.2} Hz, {} synapses; build {:.3} s, loop {:.3} s wall / {:.3} s CPU",
        summary.model,
        summary.n,
        summary.duration_s,
        summary.rate_exc_hz,
        summary.rate_inh_hz,
        summary.n_synapses,
        summary.build_s,
        summary.loop_wall_s,
        summary.loop_cpu_s
    );
    println!("wrote {}", out.display());
    Ok(())
}

fn reproduce(args: ReproduceArgs) -> Result<()> {
    use engram_models::dp::reproduce::{ReproduceOptions, reproduce as run_reproduction};
    if args.paper == "vogels2011" {
        return reproduce_vogels2011(args);
    }
    if args.paper == "dp-learned" {
        return reproduce_dp_learned(args);
    }
    if args.paper != "dp" {
        bail!("unknown paper `{}`; available: dp, dp-learned, vogels2011", args.paper);
    }
    if let Some(bad) = args.figures.iter().find(|f| !(1..=6).contains(*f)) {
        bail!("--figure {bad}: the Dp paper has figures 1 to 6");
    }
    let out = args.out.unwrap_or_else(|| PathBuf::from(if args.quick { "runs/dp-quick" } else { "runs/dp" }));
    prepare_output_dir(&out, args.force)?;
    if let Some(t) = args.threads {
        rayon_threads(t)?;
    }
    let options = ReproduceOptions {
        figures: args.figures,
        networks_per_structure: args.networks,
        quick: args.quick,
        seed: args.seed,
        out: out.clone(),
        progress: !args.quiet,
    };
    let t0 = std::time::Instant::now();
    run_reproduction(options)?;
    println!("reproduced dp in {:.0} s; figures and summary.json in {}", t0.elapsed().as_secs_f64(), out.display());
    Ok(())
}

fn reproduce_vogels2011(args: ReproduceArgs) -> Result<()> {
    use engram_models::vogels2011::{ReproduceOptions, reproduce};
    if !args.figures.is_empty() {
        bail!("--figure applies to dp only; vogels2011 always runs both experiments");
    }
    let out =
        args.out.unwrap_or_else(|| PathBuf::from(if args.quick { "runs/vogels2011-quick" } else { "runs/vogels2011" }));
    prepare_output_dir(&out, args.force)?;
    if let Some(t) = args.threads {
        rayon_threads(t)?;
    }
    let seed = if args.seed == 2025 { 2011 } else { args.seed };
    let t0 = std::time::Instant::now();
    reproduce(ReproduceOptions { quick: args.quick, seed, out: out.clone(), progress: !args.quiet })?;
    println!(
        "reproduced vogels2011 in {:.0} s; figures and summary.json in {}",
        t0.elapsed().as_secs_f64(),
        out.display()
    );
    Ok(())
}

fn reproduce_dp_learned(args: ReproduceArgs) -> Result<()> {
    use engram_models::dp::learned::{LearnedOptions, reproduce};
    if !args.figures.is_empty() {
        bail!("--figure applies to dp only; dp-learned runs one experiment");
    }
    let out =
        args.out.unwrap_or_else(|| PathBuf::from(if args.quick { "runs/dp-learned-quick" } else { "runs/dp-learned" }));
    prepare_output_dir(&out, args.force)?;
    if let Some(t) = args.threads {
        rayon_threads(t)?;
    }
    let t0 = std::time::Instant::now();
    reproduce(LearnedOptions { quick: args.quick, seed: args.seed, out: out.clone() })?;
    println!(
        "reproduced dp-learned in {:.0} s; figures and summary.json in {}",
        t0.elapsed().as_secs_f64(),
        out.display()
    );
    Ok(())
}

fn rayon_threads(n: usize) -> Result<()> {
    if n == 0 {
        bail!("--threads must be at least 1");
    }
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
