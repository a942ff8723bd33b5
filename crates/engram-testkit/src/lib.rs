//! Test helpers for engram and for researchers testing their own models and rules: drivers that
//! run a neuron model or a plasticity rule without the engine, synthetic spike drives, rasters
//! with simple statistics, toy models for engine tests, and proptest strategies for every
//! parameter and config type and for small random networks.
//!
//! | Module | What |
//! |---|---|
//! | [`neuron`] | [`NeuronDrive`]: step a `NeuronModel` with given receptor inputs and currents; spikes and state traces |
//! | [`plasticity`] | [`drive`](plasticity::drive), [`RuleDrive`]: run a `PlasticityRule` on a tiny projection with given pre/post trains |
//! | [`spikes`] | Poisson and regular spike trains as step lists; a spike source replaying them in the engine |
//! | [`raster`] | [`Raster`]: spike steps and neurons; counts, rates, ISIs, CV, Fano factor |
//! | [`stats`] | mean, variance, standard deviation, CV |
//! | [`toy`] | [`ToyLif`], [`Probe`](toy::Probe), [`Poison`](toy::Poison), random sparse weights |
//! | [`strategies`] | proptest strategies for the parameters of every model, rule, stimulus and connection rule (and, with feature `models`, the model configs and experiments) |
//! | [`network`] | [`NetworkSpec`]: small random networks as data, built into an engine network; [`network_spec`](network::network_spec) |
//!
//! Add it as a dev-dependency (`engram-testkit = { path = ... }`, or `workspace = true` inside
//! the workspace). The workspace's own tests use it; see `docs/guide/testing.md`.
//!
//! ```
//! use engram_core::params::Params;
//! use engram_neurons::{LifCurrent, LifCurrentParams};
//! use engram_testkit::{NeuronDrive, Raster};
//! use engram_testkit::spikes::{poisson_trains, rng};
//!
//! // 10 LIF neurons, each driven by its own 800 Hz Poisson train of 40 pA inputs, for 1 s.
//! let mut model = LifCurrent::new(10, LifCurrentParams::default().check().unwrap());
//! let mut drive = NeuronDrive::new(&model, 0.1);
//! let input = Raster::from_trains(&poisson_trains(&mut rng(7), 10, 800.0, 0.1, 10_000), 0.1);
//! let mut next = 0;
//! let rec = drive.record(&mut model, 10_000, &["v_mv"], |step, receptors, _| {
//!     while next < input.len() && input.steps()[next] == step {
//!         receptors[0][input.neurons()[next] as usize] += 40.0;
//!         next += 1;
//!     }
//! });
//! let rate = rec.raster.mean_rate_hz(10_000);
//! assert!(rate > 1.0 && rate < 100.0, "{rate}");
//! assert!(rec.trace("v_mv", 3).iter().all(|&v| v <= -50.0)); // at or below threshold after each step
//! ```

pub mod network;
pub mod neuron;
pub mod plasticity;
pub mod raster;
pub mod spikes;
pub mod stats;
pub mod strategies;
pub mod toy;

pub use network::NetworkSpec;
pub use neuron::{NeuronDrive, Recording};
pub use plasticity::{PrePost, RuleDrive};
pub use raster::Raster;
pub use toy::ToyLif;
