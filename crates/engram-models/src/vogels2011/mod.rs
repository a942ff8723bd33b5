//! The models of Vogels, Sprekeler, Zenke, Clopath & Gerstner, Science 334:1569 (2011):
//! inhibitory plasticity (iSTDP) balances excitation and inhibition.
//!
//! Two experiments, each a configuration and a function that builds and runs it (the figures,
//! summaries and report of the reproduction, `cargo xtask reproduce vogels2011`, are in
//! `engram_repro::vogels2011`; results in `docs/reproduction/vogels2011.md`):
//!
//! 1. **Detailed balance in one neuron** (paper Figs 1–2; reference code `inhib_plasticity.m`,
//!    docs/models/vogels2011.md#single-neuron-setup): one conductance LIF receives 800 excitatory
//!    and 200 inhibitory input trains in 8 signal channels; each channel's trains share one rate
//!    signal (5 Hz background plus rectified, low-pass filtered white noise, τ = 50 ms, peaks
//!    ≈ 500 Hz; 5 ms input refractoriness). Excitatory weights are tuned to channel 5, inhibitory
//!    weights start flat, and iSTDP (η = 1e-3 ḡ_I, α = 0.25, ρ0 = 6.25 Hz) acts on the inhibitory
//!    synapses. Each channel drives its own pair of receptors (`e0..e7`, `i0..i7`) of the neuron,
//!    so the per-channel currents are read from the conductances by name.
//! 2. **Recurrent memory network** (Fig. 4; docs/models/vogels2011.md, recurrent network and
//!    memory-pattern protocol): 8000 E + 2000 I conductance LIF neurons, p = 0.02,
//!    ḡ_EE = ḡ_EI = 3 nS, ḡ_II = 30 nS, I→E plastic with ρ0 = 3 Hz, 200 pA background current.
//!    Protocol: a short run without plasticity, then I→E = 0 and iSTDP on until the rates return
//!    to ρ0, then two assemblies with ×5 E→E weights, iSTDP again, and recall by a Poisson cue to
//!    25 % of one assembly.
//!
//! The weight edits in the middle of a run (I→E = 0, E→E × 5) are made between two chunks of
//! steps, with `Network::weights_mut`.
//!
//! ```no_run
//! use engram_models::vogels2011::{RecurrentConfig, SingleCellConfig, run_recurrent, run_single_cell};
//! let cell = run_single_cell(&SingleCellConfig { n_runs: 10, ..SingleCellConfig::default() }, 1).unwrap();
//! println!("co-tuning after learning: {:.2}", cell.cotuning_corr.last().unwrap());
//! let net = run_recurrent(&RecurrentConfig::tiny(), 1, false).unwrap();
//! println!("{} windows", net.windows.len());
//! ```

mod recurrent;
mod single_cell;

pub use recurrent::{Chunk, Groups, RecurrentConfig, RecurrentResult, WindowStats, run_recurrent};
pub use single_cell::{RunRecord, SingleCellConfig, SingleCellResult, mean_tuning, run_single_cell};

/// The mean of `v` (NaN if empty).
fn mean(v: &[f64]) -> f64 {
    if v.is_empty() { f64::NAN } else { v.iter().sum::<f64>() / v.len() as f64 }
}

/// CPU seconds of this process so far (NaN where not available).
fn cpu_s() -> f64 {
    engram_sim::cputime::process_cpu_s().unwrap_or(f64::NAN)
}
