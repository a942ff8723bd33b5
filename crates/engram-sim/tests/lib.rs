//! Integration tests of the engine: delivery and delays, determinism across thread counts
//! (populations split into chunks for any chunk size),
//! the between-steps hook and weight edits, divergence detection, monitors and their files,
//! plasticity slot, errors, checkpoints and the weight monitor, plasticity timing (axonal and
//! dendritic delays), streams valid at every flush, stopping a run on request (SIGINT,
//! SIGTERM), progress lines in logs, state monitors against the model step by step, checkpoint
//! files that cannot be read, one network split across ranks (threads as ranks), rewiring between steps, and property tests on random networks (engram-testkit): the
//! complete state is the same for any thread count and after checkpoint → restore → continue.

/// The toy models of the engine tests (`crate::toy::ToyLif`, ...).
use engram_testkit::toy;

mod between_steps;
mod checkpoint;
mod checkpoint_files;
mod chunks;
mod cputime;
mod delivery;
mod determinism;
mod divergence;
mod interrupt;
mod monitors;
mod npy;
mod partition;
mod plasticity_timing;
mod progress;
mod properties;
mod rewire;
mod state_monitor;
