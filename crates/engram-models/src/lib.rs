//! Ready-made engram models and the experiment runner: the COBA and CUBA benchmarks of
//! Brette et al. 2007 (with their fixed-in-degree scaling), experiment files, run directories.
//!
//! ```no_run
//! use engram_models::experiment::Experiment;
//! use engram_models::rundir::RunDir;
//! use engram_models::run::run_experiment;
//! let exp = Experiment::builtin("coba").unwrap();
//! let run = RunDir::create("runs/coba".as_ref(), false).unwrap();   // written aside ...
//! let summary = run_experiment(&exp, Some(run.path()), true).unwrap();
//! run.commit().unwrap();                                             // ... and put in place
//! println!("E rate {:.1} Hz", summary.rate_exc_hz);
//! ```

pub mod coba;
pub mod cputime;
pub mod cuba;
pub mod description;
pub mod dp;
pub mod experiment;
pub mod plastic_benchmarks;
pub mod resources;
pub mod run;
pub mod rundir;
pub mod selection;
pub mod vogels2011;
