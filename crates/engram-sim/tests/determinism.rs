//! Same seed, same results, whatever the thread count.

use crate::toy::{ToyLif, random_weights};
use engram_sim::prelude::*;

fn run(threads: usize) -> (Vec<f64>, Vec<u32>, Vec<f64>) {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| {
        let (ne, ni) = (1600, 400);
        let mut b = NetworkBuilder::new(0.1, 9).unwrap();
        b.parallel_min_neurons(0); // force the parallel path even for this small network
        b.add_population("E", ToyLif::new(ne, 1)).unwrap();
        b.add_population("I", ToyLif::new(ni, 2)).unwrap();
        for (pre, np, rec, w) in [("E", ne, "exc", 1.1), ("I", ni, "inh", 4.0)] {
            for (post, nq) in [("E", ne), ("I", ni)] {
                let seed = (pre.len() * 10 + post.len()) as u64 + np as u64 + w as u64;
                b.connect(pre, post, rec, random_weights(np, nq, 0.05, w, seed), Delay::Steps(2)).unwrap();
            }
        }
        let spikes = b.add_monitor(SpikeMonitor::new(&["E", "I"]));
        let mut net = b.build().unwrap();
        net.run_ms(300.0).unwrap();
        let m = net.monitor::<SpikeMonitor>(spikes).unwrap();
        assert!(m.count("E") > 1000, "the test network must be active: {} spikes", m.count("E"));
        let v = net.model("E").unwrap().unwrap().state("v_mv").unwrap().to_vec();
        (m.times_ms("E").to_vec(), m.neurons("E").to_vec(), v)
    })
}

#[test]
fn bit_identical_for_1_2_and_4_threads() {
    let one = run(1);
    for t in [2, 4] {
        let other = run(t);
        assert_eq!(one.0, other.0, "spike times differ with {t} threads");
        assert_eq!(one.1, other.1, "spiking neurons differ with {t} threads");
        let same_bits = one.2.iter().zip(&other.2).all(|(a, b)| a.to_bits() == b.to_bits());
        assert!(same_bits, "membrane potentials differ in their bits with {t} threads");
    }
}
