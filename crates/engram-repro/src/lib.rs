//! Reproductions of papers with engram: per paper a module, per figure simulate → analyse →
//! panels, typed summaries and generated reports. The models and their protocols are in
//! `engram-models`; this crate runs them as the papers did and compares.
//!
//! - [`dp`]: Meissner-Bernard, Zenke & Friedrich, eLife 2025 (the Dp memory network), Figs 1–6;
//! - [`dp_authors`]: the Dp paper's Fig. 2 measures on the authors' own networks and input
//!   spikes (their MATLAB files);
//! - [`dp_learned`]: can inhibitory plasticity learn the Dp network's E/I assemblies?
//! - [`drift`]: representational drift on the Dp network (synaptic volatility, odor schedules);
//! - [`vogels2011`]: Vogels, Sprekeler, Zenke, Clopath & Gerstner, Science 2011;
//! - [`reproduction`]: all of them behind one trait (`cargo xtask reproduce <name>`);
//! - [`jobs`]: their batches of simulations, on this process's cores or spread over ranks
//!   (`engram-mpi reproduce <name>`);
//! - [`cli`]: the command line of `reproduce` and its checks (clap arguments with the `cli`
//!   feature);
//! - [`report`]: docs pages whose marked regions are generated from a run's summary.
//!
//! ```no_run
//! use engram_repro::reproduction::{Options, find};
//! let r = find("vogels2011").unwrap();
//! let options = Options {
//!     quick: true,
//!     tiny: false,
//!     seed: None,
//!     out: "runs/vogels2011-quick".into(),
//!     progress: true,
//!     figures: vec![],
//!     networks: None,
//!     data: None,
//!     spread: Default::default(),
//! };
//! let summary = r.run(&options).unwrap();
//! println!("{}", summary["single_cell"]["output_rate_hz"]);
//! ```

pub mod cli;
pub mod dp;
pub mod dp_authors;
pub mod dp_learned;
pub mod drift;
pub mod jobs;
pub mod report;
pub mod reproduction;
pub mod vogels2011;
