//! Integration tests of the engine: delivery and delays, determinism across thread counts,
//! divergence detection, monitors and their files, plasticity slot, errors, checkpoints and
//! the weight monitor, plasticity timing (axonal and dendritic delays).

mod toy;

mod checkpoint;
mod delivery;
mod determinism;
mod divergence;
mod monitors;
mod plasticity_timing;
