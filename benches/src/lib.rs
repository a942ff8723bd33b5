//! The engram workspace's benchmarks: the criterion benchmarks in `benches/all.rs` (one module
//! per crate; `cargo bench -p engram-benches`) and the networks that only benchmarks use
//! ([`networks`]), shared with `cargo xtask bench`, and the thread-scaling summary behind the
//! generated table of docs/performance.md ([`scaling`]).
//!
//! ```
//! use engram_benches::networks::coba_with_pair_stdp;
//! use engram_models::coba::CobaConfig;
//! let mut net = coba_with_pair_stdp(&CobaConfig { n: 400, ..CobaConfig::default() }, true, 0.1, 1).unwrap();
//! net.run_ms(5.0).unwrap();
//! ```

pub mod networks;
pub mod scaling;
