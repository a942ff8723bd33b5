//! The precisely balanced memory network of zebrafish posterior Dp (Meissner-Bernard, Zenke &
//! Friedrich, eLife 2025; 13:RP96303): 4000 E and 1000 I conductance-based adaptive LIF
//! neurons driven by 1500 olfactory-bulb mitral cells, with E (and E/I) assemblies.
//!
//! - [`params`]: structures A–D and the simple model (Table 2), variants (Table 5);
//! - [`network`]: one network instance (connectivity, assemblies, variants);
//! - [`onto`]: one pathway of a network made onto some of its neurons (a rank's own);
//! - [`simulate`](mod@simulate): protocols of odor presentations, recordings;
//! - [`completion`], [`subspace`]: the protocols of Fig. 3 (odor morphs, partial assembly
//!   stimulation) and Figs 4–6 (the odor subspace, its classes, the corners' assemblies);
//! - [`continual`]: assemblies added to a built network (Fig. 6);
//! - [`structure`]: degrees, assembly inputs and within-assembly wiring of a network, for
//!   comparing generators;
//! - [`authors`]: the authors' own networks and input spikes, from their MATLAB files.
//!
//! The figures, analyses and summaries of the paper's reproduction (`cargo xtask reproduce
//! dp`) are in `engram_repro::dp`.
//!
//! Every number and choice is described in `docs/models/dp.md`; choices where the paper is
//! silent are also stated in the module that makes them.
//!
//! ```no_run
//! use engram_models::dp::{DpConfig, DpConnectivity, Protocol, Variant, odor_sets, simulate};
//! let config = DpConfig::default();
//! let odors = odor_sets(&config, 1).unwrap();
//! let base = DpConnectivity::generate(&config, &odors.learned, 11).unwrap();
//! let (tuned, achieved) = base.with_variant(&config, Variant::TUNED_EI, 11).unwrap();
//! println!("alpha = {:.2}", achieved.alpha);
//! let rec = simulate(&config, &tuned, &Protocol::trials(odors.learned[..10].to_vec()), 5, 0.1, None).unwrap();
//! ```

pub mod authors;
pub mod completion;
pub mod continual;
pub mod described;
pub mod metrics;
pub mod network;
pub mod onto;
pub mod params;
pub mod simulate;
pub mod structure;
pub mod subspace;

pub use metrics::{OdorSet, RunMetrics, mean_sd_table, run_metrics};
pub use network::{Achieved, DpConnectivity, RewiringTargets, odor_sets};
pub use params::{DpConfig, Pathway, Pathways, RecurrentRule, Rewiring, Structure, Variant};
pub use simulate::{DpRecording, Injection, Protocol, Window, WindowKind, simulate};
