//! Chunked parallelism (`NetworkBuilder::chunk_neurons`): a population split into many chunks
//! gives the same spikes, weights and membrane potentials, bit for bit, on 1 (the sequential
//! path), 2 and 4 threads and for any chunk size, on the checkpoint tests' network: `LifCond`
//! E/I driven by a Poisson group, per-synapse delays on P→E, E→E and E→I, inhibitory STDP on
//! I→E and Tsodyks–Markram efficacies on E→I.

use crate::checkpoint::{Record, Setup, build_with, run};
use engram_sim::prelude::*;

const N_E: usize = 300;

/// The network's first 1500 steps on `threads` threads, with chunks of `chunk` neurons.
fn record(threads: usize, chunk: usize) -> Record {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| {
        let setup = Setup { n_e: N_E, ..Setup::default() };
        let mut built = build_with(&setup, |b: &mut NetworkBuilder| {
            b.parallel_min_neurons(0).chunk_neurons(chunk);
        });
        run(&mut built, 1500)
    })
}

#[test]
fn chunked_steps_are_bit_identical_for_1_2_and_4_threads() {
    let one = record(1, 32); // E in 10 chunks; one thread takes the sequential path
    for pop in 0..3 {
        assert!(one.n_spikes(pop) > 100, "population {pop} must be active: {} spikes", one.n_spikes(pop));
    }
    for threads in [2, 4] {
        let other = record(threads, 32);
        assert!(other == one, "spikes, weights or potentials differ with {threads} threads");
    }
}

#[test]
fn results_do_not_depend_on_the_chunk_size() {
    let reference = record(2, 4096); // one chunk per population
    for chunk in [1, 7, 64] {
        assert!(record(2, chunk) == reference, "chunks of {chunk} neurons change the run");
    }
}

#[test]
fn a_chunk_size_of_zero_is_refused() {
    let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    b.chunk_neurons(0);
    let err = b.build().err().expect("chunk_neurons = 0 must be refused").to_string();
    assert!(err.contains("chunk_neurons = 0"), "{err}");
}
