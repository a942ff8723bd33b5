//! Integration tests of the engine: delivery and delays, determinism across thread counts,
//! divergence detection, monitors and their files, plasticity slot, errors, checkpoints and
//! the weight monitor, plasticity timing (axonal and dendritic delays), streams valid at every
//! flush, stopping a run on request (SIGINT, SIGTERM), and progress lines in logs.

mod toy;

mod checkpoint;
mod delivery;
mod determinism;
mod divergence;
mod interrupt;
mod monitors;
mod npy;
mod plasticity_timing;
mod progress;
