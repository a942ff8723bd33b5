//! Criterion benchmarks of the built-in models: COBA (static and with pair STDP) and CUBA loops (single thread) and
//! network construction. Part of `cargo bench -p engram-benches`.

use criterion::{Criterion, criterion_group};
use engram_models::experiment::ModelConfig;
use engram_models::run::build_model;
use std::hint::black_box;

/// 100 ms of simulated time after a 100 ms warm-up (the initial transient), one thread.
fn loop_100ms(c: &mut Criterion, model: &str) {
    let config = ModelConfig::builtin(model).expect("built-in");
    let mut net = build_model(&config, 0.1, 12345).expect("builds").builder.build().expect("builds");
    net.run_ms(100.0).expect("runs");
    c.bench_function(&format!("{model}_4000_loop_100ms"), |b| b.iter(|| net.run_ms(black_box(100.0)).expect("runs")));
}

fn coba_loop(c: &mut Criterion) {
    loop_100ms(c, "coba");
}

fn cuba_loop(c: &mut Criterion) {
    loop_100ms(c, "cuba");
}

/// COBA-4000 with pair STDP on E→E: 100 ms after a 100 ms warm-up, one thread (compare
/// with `coba_4000_loop_100ms`).
fn coba_stdp_loop(c: &mut Criterion) {
    use engram_benches::networks::coba_with_pair_stdp;
    use engram_models::coba::CobaConfig;
    let mut net = coba_with_pair_stdp(&CobaConfig::default(), true, 0.1, 12345).expect("builds");
    net.run_ms(100.0).expect("runs");
    c.bench_function("coba_4000_pair_stdp_loop_100ms", |b| b.iter(|| net.run_ms(black_box(100.0)).expect("runs")));
}

fn build_coba(c: &mut Criterion) {
    let config = ModelConfig::builtin("coba").expect("built-in");
    c.bench_function("coba_4000_build", |b| b.iter(|| build_model(black_box(&config), 0.1, 1).expect("builds")));
}

/// The Dp network (4000 E, 1000 I, 1500 mitral cells; Tuned E+I): 1 s of one odor trial.
fn dp_one_second(c: &mut Criterion) {
    use engram_models::dp::{DpConfig, DpConnectivity, Protocol, Variant, odor_sets, simulate};
    let config = DpConfig::default();
    let odors = odor_sets(&config, 1).expect("odors");
    let base = DpConnectivity::generate(&config, &odors.learned, 11).expect("network");
    let (net, _) = base.with_variant(&config, Variant::TUNED_EI, 11).expect("variant");
    let mut protocol = Protocol::trials(vec![odors.learned[0].clone()]);
    protocol.duration_ms = 1000.0;
    protocol.presentations[0].onset_ms = 200.0;
    protocol.presentations[0].duration_ms = 800.0;
    protocol.custom_windows = Some(Vec::new());
    c.bench_function("dp_tuned_ei_1s", |b| {
        b.iter(|| simulate(black_box(&config), &net, &protocol, 5, 0.1, None).expect("runs"))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = coba_loop, coba_stdp_loop, cuba_loop, build_coba, dp_one_second
}
