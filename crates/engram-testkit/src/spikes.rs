//! Synthetic spike drives: Poisson (Bernoulli per step) and regular trains as step indices, and
//! a spike source that replays them in the engine.
//!
//! A train is the sorted list of steps at which one neuron spikes; a set of trains is one list
//! per neuron (`trains[i]`), the layout [`Raster::from_trains`](crate::raster::Raster::from_trains),
//! [`PrePost::new`](crate::plasticity::PrePost::new) and [`to_source`] take.
//!
//! ```
//! use engram_testkit::spikes::{poisson_trains, regular_steps, rng, to_source};
//! let mut r = rng(1);
//! let trains = poisson_trains(&mut r, 20, 10.0, 0.1, 100_000);   // 20 neurons, 10 Hz, 10 s
//! let n: usize = trains.iter().map(Vec::len).sum();
//! assert!((1800..2200).contains(&n), "{n}");
//! assert_eq!(regular_steps(100, 5, 350), vec![5, 105, 205, 305]);
//! let source = to_source(&trains);                                // an engram SpikeSource
//! # use engram_core::neuron::SpikeSource;
//! assert_eq!(source.len(), 20);
//! ```

use engram_stimuli::SpikeTrains;
use rand::Rng;

/// The random stream of synthetic spike trains in tests: `engram_core::rng::stream(seed, 99, 0)`.
pub fn rng(seed: u64) -> rand_pcg::Pcg64 {
    engram_core::rng::stream(seed, 99, 0)
}

/// Spike steps in `0..n_steps` of a Bernoulli-per-step (discrete Poisson) train with
/// `p = rate · dt`, drawn by geometric skips (cost per spike, not per step).
pub fn poisson_steps(rng: &mut impl Rng, rate_hz: f64, dt_ms: f64, n_steps: u64) -> Vec<u64> {
    let p = rate_hz * dt_ms / 1000.0;
    let mut out = Vec::new();
    if p <= 0.0 {
        return out;
    }
    let ln_q = (1.0 - p).ln();
    let mut t: u64 = 0;
    loop {
        let u: f64 = 1.0 - rng.r#gen::<f64>(); // (0, 1]
        t += (u.ln() / ln_q).floor() as u64;
        if t >= n_steps {
            return out;
        }
        out.push(t);
        t += 1;
    }
}

/// `n` independent [`poisson_steps`] trains, drawn one after the other from `rng`.
pub fn poisson_trains(rng: &mut impl Rng, n: usize, rate_hz: f64, dt_ms: f64, n_steps: u64) -> Vec<Vec<u64>> {
    (0..n).map(|_| poisson_steps(rng, rate_hz, dt_ms, n_steps)).collect()
}

/// A regular train: every `period_steps` steps from `first_step` on, below `n_steps`.
pub fn regular_steps(period_steps: u64, first_step: u64, n_steps: u64) -> Vec<u64> {
    assert!(period_steps > 0, "a period of at least one step");
    (first_step..n_steps).step_by(period_steps as usize).collect()
}

/// A regular train at `rate_hz` (period rounded to whole steps), first spike at step
/// `first_step`.
pub fn regular_train(rate_hz: f64, dt_ms: f64, first_step: u64, n_steps: u64) -> Vec<u64> {
    let period = (1000.0 / (rate_hz * dt_ms)).round().max(1.0) as u64;
    regular_steps(period, first_step, n_steps)
}

/// `(neuron, step)` pairs of a set of trains, as `SpikeTrains::from_steps` takes them.
pub fn to_pairs(trains: &[Vec<u64>]) -> Vec<(u32, u64)> {
    trains.iter().enumerate().flat_map(|(i, t)| t.iter().map(move |&s| (i as u32, s))).collect()
}

/// A spike source replaying `trains` in the engine (one source per train).
///
/// # Panics
/// If a train repeats a step.
pub fn to_source(trains: &[Vec<u64>]) -> SpikeTrains {
    SpikeTrains::from_steps(trains.len(), to_pairs(trains)).expect("trains without repeated steps")
}
