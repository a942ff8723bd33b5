//! Integration tests of the engine: delivery and delays, determinism across thread counts,
//! divergence detection, monitors and their files, plasticity slot, errors.

mod toy;

mod delivery;
mod determinism;
mod divergence;
mod monitors;
