//! Rewiring between steps (`Network::rewire`): a rewired network runs on exactly as one that
//! held both structures from the start with zero weights where a structure is absent
//! (sequentially and in chunks), a rule with state per neuron only learns on the new synapses
//! as it would on a network built with them, and refusals name the projection and the reason.

use crate::toy::{ToyLif, random_weights};
use engram_core::params::Params;
use engram_plasticity::{ModulatorSwitch, PairStdp, PairStdpParams, RewardModulatedStdp, RewardModulatedStdpParams};
use engram_sim::prelude::*;
use sprs::CsMatI;

const NE: usize = 300;

/// A recurrent toy network whose E->E weights are `ee`; `chunk`: parallel with this chunk size.
fn network(ee: CsMatI<f64, u32, usize>, chunk: Option<usize>) -> (Network, ProjectionId) {
    let mut b = NetworkBuilder::new(0.1, 9).unwrap();
    if let Some(c) = chunk {
        b.parallel_min_neurons(0).chunk_neurons(c);
    }
    b.add_population("E", ToyLif::new(NE, 1)).unwrap();
    b.add_population("I", ToyLif::new(80, 2)).unwrap();
    let id = b.connect("E", "E", "exc", ee, Delay::Steps(2)).unwrap();
    b.connect("E", "I", "exc", random_weights(NE, 80, 0.1, 1.1, 2), Delay::Steps(1)).unwrap();
    b.connect("I", "E", "inh", random_weights(80, NE, 0.1, 0.8, 3), Delay::Steps(1)).unwrap();
    (b.build().unwrap(), id)
}

fn spikes(net: &mut Network, steps: u64) -> Vec<Vec<u32>> {
    let mut out = Vec::new();
    net.run_steps_with(steps, |net, _| {
        out.push(net.last_spikes("E").unwrap().to_vec());
        Ok(())
    })
    .unwrap();
    out
}

/// The union of two matrices' synapses, with the weights of `values` (0 where it has none).
fn on_union(
    a: &CsMatI<f64, u32, usize>,
    b: &CsMatI<f64, u32, usize>,
    values: &CsMatI<f64, u32, usize>,
) -> CsMatI<f64, u32, usize> {
    let mut tri = sprs::TriMatI::<f64, u32>::new(a.shape());
    for (m, keep) in [(a, true), (b, false)] {
        for (pre, row) in m.outer_iterator().enumerate() {
            for (post, _) in row.iter() {
                if keep || a.get(pre, post).is_none() {
                    tri.add_triplet(pre, post, values.get(pre, post).copied().unwrap_or(0.0));
                }
            }
        }
    }
    tri.to_csr()
}

#[test]
fn a_rewired_network_runs_on_as_one_with_both_structures_and_zero_weights() {
    // Rewiring `before` -> `after` at step 500 must equal a network that holds both sets of
    // synapses from the start, `after`'s at weight 0 until step 500 and `before`'s at 0 from
    // then on (adding +0.0 changes no sum), sequentially and in chunks of 64 neurons.
    let before = random_weights(NE, NE, 0.1, 1.1, 4);
    let after = random_weights(NE, NE, 0.1, 1.3, 5);
    assert_ne!(before.indices(), after.indices());
    for chunk in [None, Some(64)] {
        let (mut a, ee) = network(before.clone(), chunk);
        let mut rewired = spikes(&mut a, 500);
        a.rewire(ee, after.clone()).unwrap();
        assert_eq!(a.weights(ee), &after);
        rewired.extend(spikes(&mut a, 1000));

        let (mut b, ee_b) = network(on_union(&before, &after, &before), chunk);
        let mut both = spikes(&mut b, 500);
        let later = on_union(&before, &after, &after);
        b.weights_mut(ee_b).data_mut().copy_from_slice(later.data());
        both.extend(spikes(&mut b, 1000));

        let (first, second) =
            (rewired[..500].iter().map(Vec::len).sum::<usize>(), rewired[500..].iter().map(Vec::len).sum::<usize>());
        assert!(first > 50 && second > 50, "the test network must be active ({first}, {second} E spikes)");
        assert_eq!(rewired, both, "chunk {chunk:?}");
    }
}

#[test]
fn rewiring_is_refused_with_the_projection_and_the_reason() {
    let w = random_weights(NE, NE, 0.1, 1.1, 4);
    let (mut net, ee) = network(w.clone(), None);
    let err = net.rewire(ee, random_weights(NE, 80, 0.1, 1.1, 4)).unwrap_err().to_string();
    assert!(err.contains("cannot rewire projection") && err.contains("(300, 80)"), "{err}");
    // a projection whose rule keeps state per synapse (eligibility traces)
    let mut b = NetworkBuilder::new(0.1, 9).unwrap();
    b.add_population("E", ToyLif::new(NE, 1)).unwrap();
    let id = b.connect("E", "E", "exc", w.clone(), Delay::Steps(1)).unwrap();
    let p = RewardModulatedStdpParams::default().check().unwrap();
    b.add_plasticity(id, RewardModulatedStdp::new(p, NE, NE, w.nnz()));
    let mut net = b.build().unwrap();
    let err = net.rewire(id, w.clone()).unwrap_err().to_string();
    assert!(err.contains("keeps state per synapse") && err.contains("reward_modulated"), "{err}");
    // one delay per synapse
    let mut b = NetworkBuilder::new(0.1, 9).unwrap();
    b.add_population("E", ToyLif::new(NE, 1)).unwrap();
    let id = b.connect("E", "E", "exc", w.clone(), Delay::PerSynapse(vec![1; w.nnz()])).unwrap();
    let mut net = b.build().unwrap();
    let err = net.rewire(id, w).unwrap_err().to_string();
    assert!(err.contains("one delay per synapse"), "{err}");
}

/// P (fires on its own) -> E with all-zero weights `w` and additive pair STDP behind a switch
/// at modulator 0.5: until the switch the projection transmits nothing, whatever its structure.
fn learning(w: CsMatI<f64, u32, usize>) -> (Network, ProjectionId) {
    let mut b = NetworkBuilder::new(0.1, 9).unwrap();
    b.add_population("P", ToyLif::new(200, 3)).unwrap();
    b.add_population("E", ToyLif::new(NE, 1)).unwrap();
    let id = b.connect("P", "E", "exc", w, Delay::Steps(1)).unwrap();
    let stdp = PairStdpParams { a_plus: 0.05, a_minus: 0.04, w_max: 2.0, ..PairStdpParams::default() };
    b.add_plasticity(id, ModulatorSwitch::new(PairStdp::new(stdp.check().unwrap(), 200, NE), 0.5));
    (b.build().unwrap(), id)
}

#[test]
fn a_rule_with_neuron_state_only_learns_on_the_new_synapses() {
    let zero = |m: CsMatI<f64, u32, usize>| m.map(|_| 0.0);
    let before = zero(random_weights(200, NE, 0.1, 1.0, 6));
    let after = zero(random_weights(200, NE, 0.1, 1.0, 7));
    // A: built with `before`, rewired to `after` at step 500, learning from then on
    let (mut a, pa) = learning(before);
    a.run_steps(500).unwrap();
    a.rewire(pa, after.clone()).unwrap();
    a.set_modulator(1.0);
    a.run_steps(1500).unwrap();
    // B: built with `after`, learning from step 500
    let (mut b, pb) = learning(after);
    b.run_steps(500).unwrap();
    b.set_modulator(1.0);
    b.run_steps(1500).unwrap();
    let learned = b.weights(pb).data().iter().filter(|&&w| w > 0.0).count();
    assert!(learned > 100, "the test must learn ({learned} synapses)");
    assert_eq!(a.weights(pa), b.weights(pb));
    assert_eq!(a.spike_counts("E").unwrap(), b.spike_counts("E").unwrap());
}
