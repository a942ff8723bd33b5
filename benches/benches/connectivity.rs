//! Criterion benchmarks of engram-connectivity: building the Auryn-like 33.75 M-synapse
//! network and the COBA-4000 network single-threaded, Dp-like fixed in-degree with balancing,
//! and the transpose index. Part of `cargo bench -p engram-benches`.

use criterion::{Criterion, criterion_group};
use engram_connectivity::{ConnectSpec, Connectivity, Rule};
use std::hint::black_box;
use std::time::Duration;

/// Run `f` on a rayon pool of one thread (the build time the brief asks for is single-threaded).
fn single_threaded<T: Send>(pool: &rayon::ThreadPool, f: impl FnOnce() -> T + Send) -> T {
    pool.install(f)
}

/// 20 000 E + 5 000 I, all four recurrent pathways at p = 0.05, plus 2 500 Poisson inputs onto
/// E at p = 0.05: 33.75 M synapses in five patterns.
fn auryn_like(seed: u64) -> Vec<Connectivity> {
    let spec = ConnectSpec::new(Rule::FixedProbability { p: 0.05 });
    let (ne, ni, np) = (20_000, 5_000, 2_500);
    vec![
        spec.connect_recurrent(ne, seed, 1).unwrap(),
        spec.connect(ne, ni, seed, 2).unwrap(),
        spec.connect(ni, ne, seed, 3).unwrap(),
        spec.connect_recurrent(ni, seed, 4).unwrap(),
        spec.connect(np, ne, seed, 5).unwrap(),
    ]
}

fn build(c: &mut Criterion) {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let mut group = c.benchmark_group("build_1_thread");
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(10));
    group.bench_function("auryn_like_33.75M", |b| b.iter(|| single_threaded(&pool, || black_box(auryn_like(1)))));
    group.bench_function("coba_4000_p0.02", |b| {
        b.iter(|| {
            single_threaded(&pool, || {
                black_box(
                    ConnectSpec::new(Rule::FixedProbability { p: 0.02 })
                        .autapses(false)
                        .connect_recurrent(4000, 1, 1)
                        .unwrap(),
                )
            })
        })
    });
    group.bench_function("dp_ee_4000_k200_balanced", |b| {
        b.iter(|| {
            single_threaded(&pool, || {
                let mut c = ConnectSpec::new(Rule::FixedInDegree { k: 200 }).connect_recurrent(4000, 1, 1).unwrap();
                c.balance_out_degrees(0.03, 0.03, 1, 1).unwrap();
                black_box(c)
            })
        })
    });
    let coba = ConnectSpec::new(Rule::FixedProbability { p: 0.02 }).connect_recurrent(4000, 1, 1).unwrap();
    group.bench_function("transpose_index_coba_4000", |b| b.iter(|| black_box(coba.transpose_index())));
    group.finish();
}

criterion_group!(benches, build);
