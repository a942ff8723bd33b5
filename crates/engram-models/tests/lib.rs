//! Integration tests of the built-in models, the experiment runner and sweeps, and property tests over
//! random model configs and experiments (engram-testkit's strategies, feature `models`).

mod benchmarks;
mod chunks;
mod config;
mod description;
mod description_io;
mod dp;
mod dp_authors;
mod dp_completion;
mod dp_continual;
mod dp_described;
mod dp_onto;
mod mutations;
mod named;
mod properties;
mod resume;
mod runner;
mod sweep;
mod vogels2011;
