//! `cargo xtask sweep`: one experiment over a grid of values and seeds, in parallel (the
//! grid, keys and runner are `engram_models::sweep`).

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use engram_core::error::EngramError;
use engram_models::experiment::{Experiment, FileKind, ModelConfig};
use engram_models::resources::{Limits, cores};
use engram_models::sweep::{Set, Sweep, SweepOptions, parse_seeds, run_sweep};

use crate::{check_threads, default_out, draw_raster};

#[derive(clap::Args)]
pub struct SweepArgs {
    /// A built-in model (`cargo xtask run --list`), or the path of a .ron experiment file or
    /// network description file.
    model: String,
    /// `KEY=[v1, v2, ...]`: a dotted path from the top of the file (`model.Coba.w_exc_ns`,
    /// `run.duration_s`, `projections.E->I.weight.Constant.value`, `populations[0].size`) and a
    /// RON list of values. Repeat it for a grid (every combination).
    #[arg(long = "set", value_name = "KEY=VALUES")]
    sets: Vec<String>,
    /// Seeds of every combination: `A..B` (A to B-1), `A..=B`, or `A,B,C` (default: the
    /// file's own seed).
    #[arg(long)]
    seeds: Option<String>,
    /// Output directory (default: runs/sweep-<file stem or model> in the workspace).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Runs at once, each on one thread (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Replace an earlier engram sweep in the output directory (only once this one is done).
    #[arg(long)]
    force: bool,
    /// Accept a sweep estimated to take more than 24 hours.
    #[arg(long)]
    allow_long: bool,
    /// No progress lines.
    #[arg(long)]
    quiet: bool,
}

/// The experiment `model` names, what it was read as, and the sweep's default name.
fn load(model: &str) -> Result<(Experiment, FileKind, String)> {
    if let Some(exp) = Experiment::builtin(model) {
        return Ok((exp, FileKind::Experiment, model.to_string()));
    }
    let path = Path::new(model);
    if path.extension().is_some_and(|e| e == "ron") || path.exists() {
        let (exp, kind) = Experiment::read(path)?;
        let stem = path.file_stem().map_or("experiment".into(), |s| s.to_string_lossy().into_owned());
        return Ok((exp, kind, stem));
    }
    bail!(
        "`{model}` is neither a built-in model ({}) nor a .ron experiment or description file (cargo xtask run --list)",
        ModelConfig::BUILTIN.join(", ")
    )
}

pub fn sweep(args: SweepArgs) -> Result<()> {
    let (base, kind, name) = load(&args.model)?;
    let sets = args.sets.iter().map(|s| Set::parse(s)).collect::<Result<Vec<_>, _>>()?;
    let seeds = args.seeds.as_deref().map(parse_seeds).transpose()?;
    let sweep = Sweep::new(&args.model, base, kind, sets, seeds)?;
    let parallel = match args.threads {
        Some(t) => {
            check_threads("--threads", t)?;
            t
        }
        None => cores(),
    }
    .min(sweep.points().len());
    sweep.check_resources(&Limits::of_this_machine(args.allow_long), parallel)?;
    let out = args.out.unwrap_or_else(|| default_out(&format!("sweep-{name}")));
    if !args.quiet {
        eprintln!("sweep: {} runs, {parallel} at once, into {}", sweep.points().len(), out.display());
    }
    let options = SweepOptions { parallel, force: args.force, progress: !args.quiet };
    let draw = |dir: &Path, point: &engram_models::sweep::Point, output: &engram_models::run::RunOutput| {
        if !point.experiment.record.figure {
            return Ok(());
        }
        draw_raster(dir, &point.experiment, &name, &output.summary, output.spikes.clone())
            .map_err(|e| EngramError::Other(format!("{e:#}")))
    };
    let report = run_sweep(&sweep, &out, &options, &draw)?;
    for row in &report.rows {
        let text = |k: &str| row.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
        let number = |k: &str| row.get(k).and_then(serde_json::Value::as_f64);
        let numbers = match (number("rate_exc_hz"), number("rate_inh_hz"), number("loop_wall_s")) {
            (Some(e), Some(i), Some(w)) => format!("E {e:.2} Hz, I {i:.2} Hz, loop {w:.2} s"),
            _ => text("error"),
        };
        println!("{}  {}  {numbers}", text("dir"), text("status"));
    }
    println!(
        "wrote {} ({} runs, {parallel} at once, {:.1} s; table in sweep.json)",
        report.dir.display(),
        report.rows.len(),
        report.wall_s
    );
    if report.failed > 0 {
        bail!(
            "{} of {} runs failed; their errors are in {}",
            report.failed,
            report.rows.len(),
            report.dir.join("sweep.json").display()
        );
    }
    Ok(())
}
