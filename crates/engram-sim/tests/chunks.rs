//! Chunked parallelism (`NetworkBuilder::chunk_neurons`): a population split into many chunks
//! gives the same spikes, weights and membrane potentials, bit for bit, on 1 (the sequential
//! path), 2 and 4 threads and for any chunk size, on the checkpoint tests' network: `LifCond`
//! E/I driven by a Poisson group, per-synapse delays on P→E, E→E and E→I, inhibitory STDP on
//! I→E and Tsodyks–Markram efficacies on E→I; and, where every input element gets dozens
//! of terms in one step (so the order of each sum shows in its bits), dense projections
//! with uniform and per-synapse delays onto `Probe` targets.

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

/// What 500 `Probe` targets sum in every step when 60 sources all fire together every 4th
/// step onto dense projections (one with a uniform delay, one with a delay per synapse) of
/// weights spread over six decades: each input element gets dozens of terms in one step, so
/// any change in the order of the sums changes bits.
fn dense_sums(threads: usize) -> Vec<Vec<u64>> {
    use crate::toy::Probe;
    use rand::Rng;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| {
        let mut rng = engram_core::rng::stream(4, 0, 0);
        let mut weights = |p: f64| {
            let mut tri = sprs::TriMatI::<f64, u32>::new((60, 500));
            for i in 0..60 {
                for j in 0..500 {
                    if rng.r#gen::<f64>() < p {
                        tri.add_triplet(i, j, 10f64.powf(rng.gen_range(-3.0..3.0)));
                    }
                }
            }
            tri.to_csr::<usize>()
        };
        let (uniform, per_synapse) = (weights(0.8), weights(0.6));
        let delays = (0..per_synapse.nnz()).map(|k| 1 + (k % 3) as u32).collect();
        let fire_at = (0..60u32).flat_map(|i| (0..50u64).map(move |s| (i, 4 * s))).collect();
        let mut b = NetworkBuilder::new(0.1, 1).unwrap();
        b.parallel_min_neurons(0).chunk_neurons(16);
        b.divergence_guard(DivergenceGuard { max_rate_hz: Some(5000.0), ..Default::default() });
        b.add_population("S", Probe::new(60, fire_at)).unwrap();
        b.add_population("T", Probe::new(500, Vec::new())).unwrap();
        b.connect("S", "T", "exc", uniform, Delay::Steps(2)).unwrap();
        b.connect("S", "T", "exc", per_synapse, Delay::PerSynapse(delays)).unwrap();
        let mut net = b.build().unwrap();
        (0..200)
            .map(|_| {
                net.run_steps(1).unwrap();
                net.model("T").unwrap().unwrap().state("v_mv").unwrap().iter().map(|v| v.to_bits()).collect()
            })
            .collect()
    })
}

#[test]
fn chunked_delivery_keeps_the_order_of_every_sum() {
    let one = dense_sums(1);
    assert!(one.last().unwrap().iter().all(|&v| v != 0), "every target must receive input");
    for threads in [2, 4] {
        assert!(dense_sums(threads) == one, "the summed inputs differ in their bits with {threads} threads");
    }
}

/// The final sums of 90 000 `Probe` targets reached by 3 sources whose rows hold more than
/// 65 536 synapses each (chunk bounds then take 4 bytes), in chunks of 5000 neurons.
fn long_row_sums(threads: usize) -> Vec<u64> {
    use crate::toy::Probe;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| {
        let n_post = 90_000;
        let mut tri = sprs::TriMatI::<f64, u32>::new((3, n_post));
        for i in 0..3 {
            // every neuron but every 7th (shifted per row), weights over three decades
            for j in (0..n_post).filter(|j| (j + i) % 7 != 0) {
                tri.add_triplet(i, j, 10f64.powi((j % 4) as i32 - 1) + i as f64);
            }
        }
        let weights = tri.to_csr::<usize>();
        assert!(weights.indptr().raw_storage().windows(2).all(|r| r[1] - r[0] > 65_536));
        let fire_at = (0..3u32).flat_map(|i| (0..5u64).map(move |s| (i, 2 * s + u64::from(i % 2)))).collect();
        let mut b = NetworkBuilder::new(0.1, 1).unwrap();
        b.parallel_min_neurons(0).chunk_neurons(5000);
        b.divergence_guard(DivergenceGuard { max_rate_hz: Some(5000.0), ..Default::default() });
        b.add_population("S", Probe::new(3, fire_at)).unwrap();
        b.add_population("T", Probe::new(n_post, Vec::new())).unwrap();
        b.connect("S", "T", "exc", weights, Delay::Steps(1)).unwrap();
        let mut net = b.build().unwrap();
        net.run_steps(12).unwrap();
        net.model("T").unwrap().unwrap().state("v_mv").unwrap().iter().map(|v| v.to_bits()).collect()
    })
}

#[test]
fn rows_longer_than_65536_synapses_are_cut_into_chunks_alike() {
    let one = long_row_sums(1);
    assert!(one.iter().all(|&v| v != 0), "every target must receive input");
    assert!(long_row_sums(2) == one, "the summed inputs differ with 2 threads");
}
