//! Criterion benchmarks of the engine (filled in with the COBA loop).
fn main() {}
