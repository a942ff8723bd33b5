//! Spikes arrive after exactly their delay, with their weight, on the right receptor.

use crate::toy::Probe;
use engram_sim::prelude::*;

fn one_to_one(n: usize, w: f64) -> sprs::CsMatI<f64, u32, usize> {
    let mut tri = sprs::TriMatI::<f64, u32>::new((n, n));
    for i in 0..n {
        tri.add_triplet(i, i, w);
    }
    tri.to_csr()
}

#[test]
fn uniform_delay_arrives_after_exactly_d_steps() {
    for d in [1u32, 2, 7] {
        let mut b = NetworkBuilder::new(0.1, 1).unwrap();
        b.add_population("pre", Probe::new(3, vec![(1, 5)])).unwrap();
        b.add_population("post", Probe::new(3, vec![])).unwrap();
        b.connect("pre", "post", "exc", one_to_one(3, 0.25), Delay::Steps(d)).unwrap();
        let mut net = b.build().unwrap();
        net.run_steps(20).unwrap();
        let v = net.model("post").unwrap().unwrap().state("v_mv").unwrap().to_vec();
        assert_eq!(v, vec![0.0, 0.25, 0.0]);
        // find the step at which the input arrived: the probe's v jumps then
        let mut b = NetworkBuilder::new(0.1, 1).unwrap();
        b.add_population("pre", Probe::new(3, vec![(1, 5)])).unwrap();
        b.add_population("post", Probe::new(3, vec![])).unwrap();
        b.connect("pre", "post", "exc", one_to_one(3, 0.25), Delay::Steps(d)).unwrap();
        let mut net = b.build().unwrap();
        let mut arrived = None;
        for s in 0..20u64 {
            net.run_steps(1).unwrap();
            let v1 = net.model("post").unwrap().unwrap().state("v_mv").unwrap()[1];
            if v1 > 0.0 && arrived.is_none() {
                arrived = Some(s);
            }
        }
        assert_eq!(arrived, Some(5 + d as u64), "delay {d}");
    }
}

#[test]
fn delay_in_ms_rounds_to_steps_and_multiplicity_adds() {
    let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    b.add_population("pre", Probe::new(2, vec![(0, 0), (1, 0)])).unwrap();
    b.add_population("post", Probe::new(1, vec![])).unwrap();
    let mut tri = sprs::TriMatI::<f64, u32>::new((2, 1));
    tri.add_triplet(0, 0, 0.5);
    tri.add_triplet(1, 0, 2.0 * 0.5); // a doubled connection counts 2·w
    b.connect("pre", "post", "exc", tri.to_csr(), Delay::Ms(0.3)).unwrap();
    let mut net = b.build().unwrap();
    net.run_steps(3).unwrap();
    assert_eq!(net.model("post").unwrap().unwrap().state("v_mv").unwrap()[0], 0.0);
    net.run_steps(1).unwrap();
    assert_eq!(net.model("post").unwrap().unwrap().state("v_mv").unwrap()[0], 1.5);
}

#[test]
fn per_synapse_delays() {
    let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    b.add_population("pre", Probe::new(1, vec![(0, 0)])).unwrap();
    b.add_population("post", Probe::new(3, vec![])).unwrap();
    let mut tri = sprs::TriMatI::<f64, u32>::new((1, 3));
    for j in 0..3 {
        tri.add_triplet(0, j, 1.0);
    }
    b.connect("pre", "post", "exc", tri.to_csr(), Delay::PerSynapse(vec![1, 3, 5])).unwrap();
    let mut net = b.build().unwrap();
    let mut arrival = [None; 3];
    for s in 0..10u64 {
        net.run_steps(1).unwrap();
        let v = net.model("post").unwrap().unwrap().state("v_mv").unwrap().to_vec();
        for j in 0..3 {
            if v[j] > 0.0 && arrival[j].is_none() {
                arrival[j] = Some(s);
            }
        }
    }
    assert_eq!(arrival, [Some(1), Some(3), Some(5)]);
}

#[test]
fn bad_connections_are_clear_errors() {
    let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    b.add_population("E", Probe::new(2, vec![])).unwrap();
    let err = b.connect("E", "X", "exc", one_to_one(2, 1.0), Delay::Steps(1)).unwrap_err().to_string();
    assert!(err.contains("unknown population `X`") && err.contains("known: E"), "{err}");
    let err = b.connect("E", "E", "gaba", one_to_one(2, 1.0), Delay::Steps(1)).unwrap_err().to_string();
    assert!(err.contains("unknown receptor `gaba`") && err.contains("exc"), "{err}");
    let err = b.connect("E", "E", "exc", one_to_one(3, 1.0), Delay::Steps(1)).unwrap_err().to_string();
    assert!(err.contains("a 2 x 2 matrix"), "{err}");
    let err = b.connect("E", "E", "exc", one_to_one(2, 1.0), Delay::Steps(0)).unwrap_err().to_string();
    assert!(err.contains("delay") && err.contains("at least 1 step"), "{err}");
    let err = b.connect("E", "E", "exc", one_to_one(2, f64::NAN), Delay::Steps(1)).unwrap_err().to_string();
    assert!(err.contains("finite weights"), "{err}");
    let err = b.add_population("E", Probe::new(2, vec![])).unwrap_err().to_string();
    assert!(err.contains("already used"), "{err}");
    let err = b.add_population("empty", Probe::new(0, vec![])).unwrap_err().to_string();
    assert!(err.contains("populations.empty.n") && err.contains("at least one neuron"), "{err}");
}

#[test]
fn plasticity_rule_sees_pre_and_post_spikes_and_changes_weights() {
    use engram_core::neuron::StepContext;
    use engram_core::plasticity::{PlasticityRule, SynapsesMut};
    struct Hebb;
    impl PlasticityRule for Hebb {
        fn name(&self) -> &str {
            "hebb"
        }
        fn step(&mut self, _c: &StepContext, pre: &[u32], post: &[u32], m: f64, syn: SynapsesMut<'_>) {
            // potentiate synapses onto each spiking post from each pre that spiked now
            for &j in post {
                let j = j as usize;
                for k in syn.col_ptr[j]..syn.col_ptr[j + 1] {
                    if pre.contains(&syn.pre_of_post[k]) {
                        syn.weights[syn.syn_of_post[k] as usize] += m;
                    }
                }
            }
        }
    }
    let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    b.add_population("pre", Probe::new(2, vec![(0, 3), (1, 4)])).unwrap();
    b.add_population("post", Probe::new(2, vec![(1, 3)])).unwrap();
    let mut tri = sprs::TriMatI::<f64, u32>::new((2, 2));
    for (i, j) in [(0, 0), (0, 1), (1, 1)] {
        tri.add_triplet(i, j, 1.0);
    }
    let p = b.connect("pre", "post", "exc", tri.to_csr(), Delay::Steps(1)).unwrap();
    b.add_plasticity(p, Hebb);
    let mut net = b.build().unwrap();
    net.set_modulator(0.5);
    net.run_steps(10).unwrap();
    let w = net.weights(p).to_dense();
    assert_eq!(w[[0, 1]], 1.5, "pre 0 and post 1 spiked together at step 3");
    assert_eq!(w[[0, 0]], 1.0);
    assert_eq!(w[[1, 1]], 1.0);
}
