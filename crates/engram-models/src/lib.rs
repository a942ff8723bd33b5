//! Ready-made engram models and their protocols, and the experiment runner.
//!
//! ```no_run
//! use engram_models::experiment::Experiment;
//! use engram_models::rundir::RunDir;
//! use engram_models::run::run_experiment;
//! let exp = Experiment::builtin("coba").unwrap();
//! let run = RunDir::create("runs/coba".as_ref(), false).unwrap();   // written aside ...
//! let output = run_experiment(&exp, Some(run.path()), true).unwrap();
//! run.commit().unwrap();                                             // ... and put in place
//! println!("E rate {:.1} Hz", output.summary.rate_exc_hz);
//! ```
//!
//! The models:
//! - [`coba`], [`cuba`]: the COBA and CUBA benchmarks of Brette et al. 2007, with their
//!   fixed-in-degree scaling; built by name (`coba`, `cuba`) from an experiment file;
//! - [`dp`]: the balanced memory network of zebrafish posterior Dp (Meissner-Bernard, Zenke &
//!   Friedrich 2025), its variants and odor protocols;
//! - [`vogels2011`]: inhibitory plasticity balancing one neuron and a recurrent network with
//!   memory patterns (Vogels et al. 2011);
//! - [`auryn_background`]: Auryn's plastic background network (Zenke, Hennequin & Gerstner 2013);
//! - [`selection`]: selection by neuromodulator-gated inhibitory plasticity.
//!
//! The last three (the recurrent network of Vogels et al.) are also named models of an
//! experiment file (`vogels2011`, `auryn-background`, `selection`): their own configuration,
//! run as the network description it expands to ([`description::models`]), with the same
//! spikes as their Rust code.
//!
//! Data from elsewhere: [`mat`] reads MATLAB 5 `.mat` files (connection multiplicities,
//! index tables, spike matrices) into engram's types.
//!
//! Running them: [`experiment`] (experiment files), [`run`] (build, run, write the arrays and
//! the summary), [`rundir`] (run directories that never lose data), [`resources`] (what a run
//! will cost, checked before it is built).
//!
//! This crate draws no figures: runs return what a figure needs (the raster of
//! `cargo xtask run` is drawn by xtask, the papers' figures by `engram-repro`). Networks that
//! only benchmarks use live in the bench crate (`engram_benches::networks`); CPU timers are
//! `engram_sim::cputime`.

pub mod auryn_background;
pub mod coba;
pub mod cuba;
pub mod description;
pub mod dp;
pub mod experiment;
pub mod mat;
pub mod resources;
pub mod run;
pub mod rundir;
pub mod selection;
pub mod sweep;
pub mod vogels2011;

/// A number, `null` (what serde_json writes for NaN) read as NaN, so that a summary with an
/// undefined number reads back.
pub(crate) fn nan_if_null<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    Ok(<Option<f64> as serde::Deserialize>::deserialize(deserializer)?.unwrap_or(f64::NAN))
}
