//! The cost model: the least-squares fit recovers the constants that made synthetic records,
//! its predictions follow the model's formula, and `bench_rank` on ranks as threads counts
//! every exchange, byte, neuron and synapse of the split network.

use engram_mpi::bench::{
    BenchNetwork, BenchRun, COLLECTIVE_WORDS, CollectivePoint, CollectiveRun, RankRecord, bench_rank, collective_rank,
};
use engram_mpi::scaling::{ScalingSummary, Scenario, fit, least_squares, regions};
use engram_sim::network::{Partition, ThreadGroup};

/// Records made exactly by known constants (compute 2 µs + 50 ns per neuron + 3 ns per
/// event; exchange 4 µs + 20 µs per doubling + 0.5 ns per byte + 0.3 s waiting per second of
/// compute on several ranks; memory 30 MB + 12 B per synapse + 150 B per own neuron + 400 B
/// per neuron of the network), on 1 to 3 ranks.
fn synthetic() -> ScalingSummary {
    let mut runs = Vec::new();
    for (n, k) in [(4000usize, 80.0), (16_000, 80.0), (64_000, 80.0), (16_000, 320.0)] {
        for p in 1..=3usize {
            let duration_s = 0.5;
            let steps = duration_s * 1000.0 / 0.1;
            let spikes_per_step = n as f64 * 15.0 * 1e-4; // 15 Hz
            let ranks = (0..p)
                .map(|r| {
                    let neurons = Partition::new(r, p).unwrap().owned(n).len();
                    let synapses = (neurons as f64 * k) as usize;
                    let events = spikes_per_step * synapses as f64 / n as f64;
                    let bytes = 4.0 * (spikes_per_step + 2.0 * p as f64);
                    let compute = 2e-6 + 50e-9 * neurons as f64 + 3e-9 * events;
                    let waits = if p > 1 { 0.3 * compute } else { 0.0 };
                    let exchange = 4e-6 + 20e-6 * (p as f64).log2() + 0.5e-9 * bytes + waits;
                    RankRecord {
                        rank: r,
                        neurons,
                        synapses,
                        build_s: 0.1,
                        loop_wall_s: (compute + exchange) * steps,
                        loop_cpu_s: (compute + exchange) * steps,
                        exchange_s: exchange * steps,
                        exchanges: steps as u64,
                        bytes_sent: 0,
                        bytes_received: (bytes * steps) as u64,
                        peak_rss_bytes: 0,
                        rss_bytes: (30e6 + 12.0 * synapses as f64 + 150.0 * neurons as f64 + 400.0 * n as f64) as u64,
                    }
                })
                .collect();
            let spikes = (spikes_per_step * steps) as u64;
            runs.push(BenchRun {
                network: BenchNetwork { n, fixed_p: k > 80.0 },
                n_ranks: p,
                duration_s,
                spikes,
                ranks,
            });
        }
    }
    let collectives = (1..=3usize)
        .map(|p| CollectiveRun {
            n_ranks: p,
            points: COLLECTIVE_WORDS
                .iter()
                .map(|&w| {
                    let bytes = 4 * (w * p) as u64;
                    let t = 4e-6 + 20e-6 * (p as f64).log2() + 0.5e-9 * bytes as f64;
                    CollectivePoint { words_per_rank: w, bytes_received: bytes, min_s: t, median_s: 2.0 * t }
                })
                .collect(),
        })
        .collect();
    ScalingSummary {
        host: "test".into(),
        cores: 2,
        build: "synthetic".into(),
        load_average: [0.0, 0.0],
        runs,
        collectives,
    }
}

fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() <= 1e-3 * b.abs(), "{what}: fitted {a}, made with {b}");
}

#[test]
fn the_fit_recovers_the_constants_that_made_the_records() {
    let m = fit(&synthetic()).unwrap();
    close(m.c0_s.value, 2e-6, "c0");
    close(m.c_neuron_s.value, 50e-9, "c_n");
    close(m.c_event_s.value, 3e-9, "c_ev");
    close(m.a0_s.value, 4e-6, "a0");
    close(m.alpha_s.value, 20e-6, "alpha");
    close(m.beta_s_per_byte.value, 0.5e-9, "beta");
    close(m.wait_per_compute.value, 0.3, "w");
    close(m.m0_bytes.value, 30e6, "m0");
    close(m.m_synapse_bytes.value, 12.0, "m_s");
    close(m.m_neuron_bytes.value, 150.0, "m_n");
    close(m.m_network_neuron_bytes.value, 400.0, "m_N");
    // compute from the 1-rank runs; the exchange from the collective benchmark on 1 and 2
    // ranks (ranks <= cores); waiting from the 2-rank network runs; memory from all
    assert_eq!((m.n_compute, m.n_comm, m.n_wait, m.n_memory), (4, 12, 8, 24));
    // exact data: no residual, so (almost) no standard error
    assert!(m.c_neuron_s.std_err < 1e-6 * m.c_neuron_s.value, "{:?}", m.c_neuron_s);
    // and the prediction is the model's formula
    let s = Scenario { n: 1e6, synapses_per_neuron: 1e4, rate_hz: 10.0 };
    let x = m.predict(s, 64);
    let events = 1e6 * 10.0 * 1e-4 * 1e4 / 64.0;
    let compute = 2e-6 + 50e-9 * 1e6 / 64.0 + 3e-9 * events;
    close(x.compute_s, 1e4 * compute, "compute");
    let bytes = 4.0 * (1e6 * 10.0 * 1e-4 + 2.0 * 64.0);
    close(x.exchange_s, 1e4 * (4e-6 + 20e-6 * 6.0 + 0.5e-9 * bytes), "exchange (no waiting)");
    close(x.memory_bytes, 30e6 + 12.0 * 1e10 / 64.0 + 150.0 * 1e6 / 64.0 + 400.0 * 1e6, "memory");
    let tables = regions(&synthetic()).unwrap();
    let names: Vec<&str> = tables.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["mpi-measured", "mpi-model", "mpi-prediction"]);
    assert_eq!(tables[0].1.lines().filter(|l| l.starts_with("| coba-")).count(), 12, "a row per run");
    assert_eq!(tables[2].1.lines().filter(|l| l.starts_with("| 1e")).count(), 8, "2 sizes x 4 rank counts");
}

#[test]
fn a_fit_without_enough_different_runs_says_what_it_needs() {
    assert!(least_squares(&[vec![1.0, 2.0], vec![2.0, 4.0]], &[1.0, 2.0]).is_none(), "collinear columns");
    assert!(least_squares(&[vec![1.0, 2.0]], &[1.0]).is_none(), "fewer rows than columns");
    let mut one = synthetic();
    one.runs.retain(|r| r.network.n == 4000);
    let e = fit(&one).unwrap_err();
    assert!(e.contains("compute fit"), "{e}");
}

#[test]
fn bench_rank_counts_every_exchange_byte_neuron_and_synapse() {
    let network = BenchNetwork { n: 800, fixed_p: false };
    let duration_s = 0.05;
    let steps = 500u64;
    for n_ranks in [1usize, 2, 3] {
        let group = ThreadGroup::new(n_ranks);
        let records: Vec<(RankRecord, u64)> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..n_ranks)
                .map(|r| {
                    let member = Box::new(group.member(r));
                    s.spawn(move || {
                        bench_rank(network, duration_s, Partition::new(r, n_ranks).unwrap(), member).unwrap()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let spikes = records[0].1;
        assert!(spikes > 50, "the network must be active: {spikes} spikes");
        let neurons: usize = records.iter().map(|(r, _)| r.neurons).sum();
        let synapses: usize = records.iter().map(|(r, _)| r.synapses).sum();
        assert_eq!(neurons, 800);
        // 80 inputs per neuron on average (p = 0.02 at 4000 neurons)
        assert!((synapses as f64 / 800.0 - 80.0).abs() < 5.0, "{synapses} synapses");
        let sent: u64 = records.iter().map(|(r, _)| r.bytes_sent).sum();
        for (r, s) in &records {
            assert_eq!(*s, spikes, "every rank counts the same spikes");
            assert_eq!(r.exchanges, steps, "one exchange per step");
            // per step, each rank sends per population a count and its neurons' spikes
            assert_eq!(r.bytes_received, 4 * (spikes + 2 * n_ranks as u64 * steps), "{n_ranks} ranks");
            assert!(r.exchange_s >= 0.0 && r.exchange_s <= r.loop_wall_s);
            assert!(r.rss_bytes > 0 && r.peak_rss_bytes >= r.rss_bytes);
        }
        assert_eq!(sent, 4 * (spikes + 2 * n_ranks as u64 * steps));
        // a rank's share of the synapses is about its share of the neurons
        for (r, _) in &records {
            let share = r.synapses as f64 / synapses as f64;
            assert!((share - r.neurons as f64 / 800.0).abs() < 0.05, "rank {}: {share}", r.rank);
        }
    }
}

#[test]
fn the_collective_bench_times_every_size_on_thread_ranks() {
    let words = [0usize, 10, 1000];
    let group = ThreadGroup::new(2);
    let points: Vec<Vec<CollectivePoint>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|r| {
                let mut member = group.member(r);
                s.spawn(move || collective_rank(&mut member, &words, 5).unwrap())
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for p in &points {
        let received: Vec<u64> = p.iter().map(|x| x.bytes_received).collect();
        assert_eq!(received, [0, 80, 8000], "2 ranks x 4 bytes x words");
        assert!(p.iter().all(|x| x.min_s >= 0.0 && x.median_s >= x.min_s), "{p:?}");
    }
}
