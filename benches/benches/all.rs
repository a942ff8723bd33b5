//! The workspace's criterion benchmarks, one module per crate: `cargo bench -p engram-benches`
//! (`cargo xtask bench` runs them with `--quick`, then the side-by-side table with Brian2).

mod connectivity;
mod models;
mod neurons;
mod sim;
mod stimuli;

criterion::criterion_main!(connectivity::benches, models::benches, neurons::benches, sim::benches, stimuli::benches);
