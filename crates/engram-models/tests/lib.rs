//! Integration tests of the built-in models and the experiment runner, and property tests over
//! random model configs and experiments (engram-testkit's strategies, feature `models`).

mod benchmarks;
mod config;
mod description;
mod description_io;
mod dp;
mod dp_completion;
mod dp_continual;
mod mutations;
mod properties;
mod runner;
mod vogels2011;
