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
//! - Olfactory-bulb odor inputs of the Dp model (Meissner-Bernard, Zenke & Friedrich, eLife
//!   2025): [`Odor`] patterns over mitral cells, learned/novel [`OdorSets`], [`mixture`]s and
//!   [`morph`]s with [`input_correlation`] ([`odor`]); their time course as an [`OdorSchedule`]
//!   driving a [`PoissonGroup`] ([`odor_schedule`]); the 11 × 11 [`OdorSubspace`] of Figs 4–6
//!   with its trajectories and concentrations ([`odor_space`]).
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

//!
//! # Odor inputs: choices where the paper is silent
//!
//! The Dp odor model follows the paper's Methods (`docs/models/dp.md#odor-inputs`). Where the
//! paper leaves a choice open, this crate does the following (cite this list in model reports):
//!
//! 1. **Rate convention.** Default `increment_on_baseline` (the authors' shipped spike files):
//!    activated MCs get Δ ~ U{8..32} Hz *on top of* the 6 Hz baseline; inhibited MCs drop by
//!    U{2..6} Hz (to 0–4 Hz). The paper text's `rate_replaces_baseline` (rate U{8..32} Hz,
//!    inhibited rate U{0..5} Hz) is an option ([`RateConvention`]).
//! 2. **Decay.** A clean exponential from each cell's latency, `6 + Δ·exp(−(t − t_on − lat)/τ)`,
//!    τ ∈ {1, 2, 4} s in exactly equal shares (shuffled over the cells), not the files' block-wise,
//!    roughly Gaussian decay. Inhibited MCs do not decay (as in the files).
//! 3. **Latency.** Discrete uniform 0–200 ms in 1 ms steps (paper; the files use 1–200), for
//!    activated *and* inhibited MCs (the decrement starts at its latency).
//! 4. **Update grid.** Decaying rates are recomputed every 1 ms (`update_interval_ms`), holding
//!    the grid-point value in between; latency onsets and offsets are step-exact. All MCs return
//!    to baseline at offset.
//! 5. **Measured rates** (default convention, 10 odors, 2 s windows, dt = 0.1 ms): activated MCs
//!    18.1 Hz (band 15–19 Hz; files 18.6 Hz), inhibited MCs 2.25 Hz (files 2.2–2.3 Hz), baseline
//!    6.0 Hz (exact mean over 100 odors: 18.0 Hz). The paper-text convention gives 14.4 Hz.
//! 6. **Odor sets.** Learned and novel odors are independent draws over all 1500 MCs
//!    (uncorrelated); [`OdorSetParams::shipped_files`] draws learned odors from MCs 0..1125 and
//!    novel ones from 0..750, as in the files.
//! 7. **Input correlation** ([`input_correlation`]): Pearson correlation of the exact mean MC rates
//!    over the 2 s odor window.
//! 8. **Mixtures.** A pure odor at concentration f keeps `floor(f·150)` activated and `floor(f·75)`
//!    inhibited cells (rounding down keeps every pixel within ±10%), drawn from its Table 4 pool
//!    of shortest-latency cells (the same pool rule for inhibited cells); kept cells keep latency
//!    and τ, and their Δ (decrement) is jittered by U{−1, 0, +1} Hz, but only in true mixtures
//!    (corners and morph endpoints are the pure odors exactly). An MC claimed by two odors goes to
//!    the odor with the larger fraction (activated before inhibited); the other odor takes its
//!    next eligible cell instead.
//! 9. **Morphs** ([`morph`]): nested random subsets (one fixed random order of each odor's
//!    cells), fractions 100%…0% in `n_steps` equal steps; Fig. 3A may equally be a subspace edge.
//! 10. **Subspace corners and mirroring.** Table 3 and Table 4 are embedded as printed
//!     (including "60 70") for the top-left odor and mirrored to each corner (`row → 10 − row`
//!     for bottom corners, `col → 10 − col` for right corners); the four concentrations at a
//!     pixel then sum to 100–110%. Learned odors L, M sit at the top corners, novel N, O at the
//!     bottom ones.
//! 11. **Trajectories.** 8 serpentine scans, row-wise then column-wise from each corner (TL, TR,
//!     BL, BR). Row-wise scans present L and M 10 s apart, column-wise ones 110 s apart (the two
//!     groups of Fig. 5—S2B). 1 s per pixel, 2 s baseline *before* each trajectory: 984 s.
//!     Mixtures are drawn independently per trajectory; each pixel restarts its latencies.
//! 12. **Correlated subspace (Fig. 6).** Adjacent corners share half of their activated and half
//!     of their inhibited MC *identities* in a ring TL–TR–BR–BL (diagonals share none); each odor
//!     draws its own Δ, latency and τ for shared cells. Adjacent-pair input correlations come out
//!     0.32–0.44 (mean 0.39; target 0.27–0.44), diagonal pairs ≈ 0. Sharing identities *and*
//!     rates would give ≈ 0.47, above the target.

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
