//! Spike sources and input currents for engram: Poisson groups with scheduled rates, Brian2-style
//! Poisson input, explicit spike trains, and current steps.
//!
//! - [`PoissonGroup`] ([`SpikeSource`](engram_core::neuron::SpikeSource)): `n` independent
//!   Poisson sources whose rates follow a [`RateSchedule`] (constant, per source, piecewise
//!   constant, or your own time course such as an odor response).
//! - [`SpikeTrains`] ([`SpikeSource`](engram_core::neuron::SpikeSource)): sources firing at
//!   given times.
//! - [`PoissonInput`] ([`Stimulus`](engram_core::stimulus::Stimulus)): `n_inputs` Poisson
//!   trains per target neuron, summed into one binomial draw per neuron per step.
//! - [`CurrentInjection`] ([`Stimulus`](engram_core::stimulus::Stimulus)): bias and pulses of
//!   current.
//!
//! Each has a serde parameter struct (`deny_unknown_fields`, defaults, [`Params`]) and a
//! constructor that takes the [`Checked`] parameters. Stochastic ones own the random stream
//! `engram_core::rng::stream(seed, stream_id, trial)`, so their draws are reproducible and
//! independent of everything else in the network.
//!
//! [`Params`]: engram_core::params::Params
//! [`Checked`]: engram_core::params::Checked
//!
//! ```
//! use engram_core::prelude::*;
//! use engram_stimuli::{PoissonGroup, PoissonGroupParams, RateSegment, RateSpec};
//!
//! // 10 sources at 5 Hz, all jumping to 50 Hz at 100 ms.
//! let clock = Clock::new(0.1).unwrap();
//! let rates = RateSpec::Piecewise { segments: vec![
//!     RateSegment { start_ms: 0.0, rates_hz: vec![5.0] },
//!     RateSegment { start_ms: 100.0, rates_hz: vec![50.0] },
//! ] };
//! let params = PoissonGroupParams { n_sources: 10, rates, ..Default::default() };
//! let mut group = PoissonGroup::new(params.check().unwrap(), 1, 2, clock);
//! let mut spikes = Vec::new();
//! group.emit(&StepContext { step: 1000, dt_ms: 0.1 }, &mut spikes);
//! assert_eq!(group.rates_hz(), &[50.0; 10]);
//! ```

pub mod current;
pub mod odor;
pub mod odor_schedule;
pub mod odor_space;
pub mod poisson_group;
pub mod poisson_input;
pub mod schedule;
pub mod spike_trains;
pub mod targets;

pub use current::{CurrentInjection, CurrentInjectionParams, CurrentPulse};
pub use odor::{
    ActivatedMc, InhibitedMc, MixtureComponent, Odor, OdorParams, OdorSetParams, OdorSets, RateConvention,
    input_correlation, mixture, morph,
};
pub use odor_schedule::{OdorSchedule, OdorTrialParams, Presentation, odor_trials_group};
pub use odor_space::{Corner, OdorSubspace, SubspacePresentation, SubspaceTimingParams};
pub use poisson_group::{PoissonGroup, PoissonGroupParams, PoissonMethod};
pub use poisson_input::{PoissonInput, PoissonInputParams};
pub use schedule::{ConstantRates, FnSchedule, PiecewiseRates, RateSchedule, RateSegment, RateSpec};
pub use spike_trains::{SpikeTrains, SpikeTrainsParams};
pub use targets::Targets;
