//! Criterion benchmarks of the built-in models (filled in below).
fn main() {}
