//! Integration tests of the built-in models and the experiment runner, and property tests over
//! random model configs and experiments (engram-testkit's strategies, feature `models`).

mod benchmarks;
mod config;
mod dp;
mod dp_fig3;
mod dp_fig45;
mod dp_fig6;
mod dp_learned;
mod mutations;
mod properties;
mod report;
mod runner;
mod vogels2011;
