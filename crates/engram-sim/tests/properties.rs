//! Property tests on random small networks (engram-testkit's `network_spec`: a few populations
//! of the toy and library models, Poisson groups, random fixed-probability projections with
//! constant or per-synapse delays, any of the library's plasticity rules with or without
//! plasticity delays, Poisson input):
//!
//! - the complete state after a run (every population's state, delay buffers, counters, weights,
//!   rule traces, efficacies, spikes in flight, random streams: `Network::checkpoint`, compared
//!   as serialised bytes) is the same for 1, 2 and 4 rayon threads on the parallel path;
//! - checkpoint → restore (into a fresh network, into the same network after it ran on, through
//!   files) → continue gives the same state as the uninterrupted run.
//!
//! A plain test checks that these networks are not trivial: most spike and most plastic ones
//! change their weights.

use engram_sim::prelude::*;
use engram_testkit::NetworkSpec;
use engram_testkit::network::{NetworkOptions, network_spec};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

/// Steps before the checkpoint and after it.
const T1: u64 = 300;
const T2: u64 = 300;

fn options() -> NetworkOptions {
    NetworkOptions::default()
}

/// The network of `spec`, on the parallel path whatever its size.
fn build(spec: &NetworkSpec) -> Network {
    let (mut b, _) = spec.builder().unwrap();
    b.parallel_min_neurons(0);
    b.build().unwrap()
}

/// The checkpoint as bytes: every array, bit for bit (JSON writes the shortest decimal that
/// reads back to the same `f64`, so equal text means equal bits).
fn bytes(ck: &Checkpoint) -> Vec<u8> {
    serde_json::to_vec(ck).unwrap()
}

fn with_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(f)
}

/// Run `steps` from a fresh network on `threads` threads; the checkpoint at the end, or the
/// error that stopped the run (which must then be the same for every thread count).
fn run(spec: &NetworkSpec, threads: usize, steps: u64) -> Result<Vec<u8>, String> {
    with_threads(threads, || {
        let mut net = build(spec);
        net.run_steps(steps).map_err(|e| e.to_string())?;
        Ok(bytes(&net.checkpoint().unwrap()))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn the_complete_state_is_the_same_for_1_2_and_4_threads(spec in network_spec(options())) {
        let one = run(&spec, 1, T1 + T2);
        for threads in [2, 4] {
            prop_assert!(run(&spec, threads, T1 + T2) == one, "{threads} threads: another state than 1 thread");
        }
    }

    #[test]
    fn checkpoint_restore_continue_equals_the_uninterrupted_run(spec in network_spec(options())) {
        let mut a = build(&spec);
        prop_assume!(a.run_steps(T1).is_ok());
        let ck = a.checkpoint().unwrap();
        prop_assume!(a.run_steps(T2).is_ok());
        let end = bytes(&a.checkpoint().unwrap());

        // into a fresh network, continuing on 2 threads
        let fresh = with_threads(2, || {
            let mut b = build(&spec);
            b.restore(&ck).unwrap();
            b.run_steps(T2).unwrap();
            bytes(&b.checkpoint().unwrap())
        });
        prop_assert!(fresh == end, "restored into a fresh network: another state");

        // into the same network, after it ran on
        a.restore(&ck).unwrap();
        a.run_steps(T2).unwrap();
        prop_assert!(bytes(&a.checkpoint().unwrap()) == end, "restored into the same network: another state");

        // through files
        let dir = std::env::temp_dir().join(format!("engram_prop_checkpoint_{}_{}", std::process::id(), spec.seed));
        ck.save(&dir).unwrap();
        let loaded = Checkpoint::load(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        prop_assert!(bytes(&loaded) == bytes(&ck), "the files read back to another checkpoint");
        let mut c = build(&spec);
        c.restore(&loaded).unwrap();
        c.run_steps(T2).unwrap();
        prop_assert!(bytes(&c.checkpoint().unwrap()) == end, "restored from files: another state");
    }
}

/// The properties above would hold vacuously for silent networks with frozen weights: check
/// on a fixed sample that the random networks spike and learn.
#[test]
fn the_random_networks_spike_and_learn() {
    let mut runner = TestRunner::deterministic();
    let strategy = network_spec(options());
    let (mut active, mut plastic, mut learned, n) = (0, 0, 0, 40);
    for _ in 0..n {
        let spec = strategy.new_tree(&mut runner).unwrap().current();
        let mut net = build(&spec);
        let ids: Vec<ProjectionId> = (0..spec.projections.len()).map(ProjectionId).collect();
        let before: Vec<Vec<f64>> = ids.iter().map(|&p| net.weights(p).data().to_vec()).collect();
        net.run_steps(T1 + T2).unwrap();
        let neurons_spiked =
            net.stats().iter().any(|s| s.n_spikes > 0 && spec.populations.iter().any(|p| p.name == s.name));
        active += neurons_spiked as usize;
        if spec.n_plastic() > 0 {
            plastic += 1;
            learned += ids.iter().zip(&before).any(|(&p, w)| net.weights(p).data() != &w[..]) as usize;
        }
    }
    eprintln!("{active} of {n} random networks spiked; {learned} of {plastic} plastic ones changed a weight");
    assert!(active >= n * 9 / 10, "only {active} of {n} random networks spiked");
    assert!(plastic >= n / 2 && learned >= plastic / 2, "{learned} of {plastic} plastic networks changed a weight");
}
