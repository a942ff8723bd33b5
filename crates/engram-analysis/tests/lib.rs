//! Integration tests of engram-analysis: every analysis on data with a known answer.

mod common;

mod amplification;
mod correlation;
mod cotuning;
mod distance;
mod drift;
mod isi;
mod neuron_draws;
mod pca;
mod properties;
mod qda;
mod rates;
mod readouts;
mod stats;
