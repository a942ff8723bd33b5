//! Integration tests of engram-stimuli: statistics, timing, determinism and parameter checks.
//! Sources are driven by hand (`emit` / `apply` in a loop), without the engine; property tests
//! over random parameters use engram-testkit's strategies.

mod blocks;
mod checkpoint;
mod current;
mod odor;
mod odor_schedule;
mod odor_space;
mod params;
mod poisson_group;
mod poisson_input;
mod properties;
mod spike_trains;
