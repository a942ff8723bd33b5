//! Benchmarks of engram-stimuli.
fn main() {}
