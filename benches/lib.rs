//! The engram workspace's benchmarks live in `benches/all.rs` (criterion, one module per
//! crate); this library is empty. Run them with `cargo bench -p engram-benches`.
