//! `cargo xtask sweep`: one experiment over a grid of values and seeds, in parallel (the
//! grid, keys, runner and command line are `engram_models::sweep`).

use std::path::Path;

use anyhow::{Result, bail};
use engram_core::error::EngramError;
use engram_models::resources::{Limits, cores};
pub use engram_models::sweep::SweepArgs;
use engram_models::sweep::{SweepOptions, run_sweep};

use crate::{check_threads, default_out, draw_raster};

pub fn sweep(args: SweepArgs) -> Result<()> {
    let (sweep, name) = args.sweep()?;
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
