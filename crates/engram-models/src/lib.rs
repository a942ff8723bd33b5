//! Ready-made engram models and the experiment runner: the COBA and CUBA benchmarks of
//! Brette et al. 2007 (with their fixed-in-degree scaling), experiment files, run directories.
//!
//! ```no_run
//! use engram_models::experiment::Experiment;
//! use engram_models::run::{prepare_output_dir, run_experiment};
//! let exp = Experiment::builtin("coba").unwrap();
//! let out = std::path::Path::new("runs/coba");
//! prepare_output_dir(out, false).unwrap();
//! let summary = run_experiment(&exp, Some(out), true).unwrap();
//! println!("E rate {:.1} Hz", summary.rate_exc_hz);
//! ```

pub mod coba;
pub mod cputime;
pub mod cuba;
pub mod dp;
pub mod experiment;
pub mod plastic_benchmarks;
pub mod run;
pub mod selection;
pub mod vogels2011;
