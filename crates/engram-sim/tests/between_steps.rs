//! Between steps: `Network::run_steps_with` calls its closure before every step (a no-op
//! closure is bit-identical to `run_steps`), an error from it ends the run before that step,
//! and `Network::weights_mut` edits made there equal the same edits between two `run_steps`
//! calls; spikes in flight keep the weight they left with.

use crate::toy::{Probe, ToyLif, random_weights};
use engram_core::error::EngramError;
use engram_core::params::Params;
use engram_plasticity::{PairStdp, PairStdpParams};
use engram_sim::prelude::*;

/// Recurrent toy E/I network with pair STDP on E->E; returns it and the E->E projection.
fn network() -> (Network, ProjectionId) {
    let (ne, ni) = (400, 100);
    let mut b = NetworkBuilder::new(0.1, 5).unwrap();
    b.add_population("E", ToyLif::new(ne, 1)).unwrap();
    b.add_population("I", ToyLif::new(ni, 2)).unwrap();
    let mut ee = None;
    for (pre, np, rec, w) in [("E", ne, "exc", 1.1), ("I", ni, "inh", 4.0)] {
        for (post, nq) in [("E", ne), ("I", ni)] {
            let seed = (pre.len() * 10 + post.len()) as u64 + np as u64;
            let id = b.connect(pre, post, rec, random_weights(np, nq, 0.1, w, seed), Delay::Steps(2)).unwrap();
            if (pre, post) == ("E", "E") {
                ee = Some(id);
            }
        }
    }
    let ee = ee.unwrap();
    let stdp = PairStdpParams { w_max: 3.0, a_plus: 0.02, a_minus: 0.021, ..PairStdpParams::default() };
    b.add_plasticity(ee, PairStdp::new(stdp.check().unwrap(), ne, ne));
    (b.build().unwrap(), ee)
}

/// Spikes of every step, then the final E potentials and E->E weights, as bits.
fn record(net: &mut Network, ee: ProjectionId, run: impl FnOnce(&mut Network)) -> (Vec<u64>, Vec<u64>) {
    run(net);
    let v = net.model("E").unwrap().unwrap().state("v_mv").unwrap().iter().map(|x| x.to_bits());
    let w = net.weights(ee).data().iter().map(|x| x.to_bits());
    let counts = net.spike_counts("E").unwrap().iter().map(|&c| c as u64);
    (counts.chain(v).collect(), w.collect())
}

#[test]
fn a_closure_that_does_nothing_is_bit_identical_to_run_steps() {
    let (mut a, ee) = network();
    let (mut b, _) = network();
    let plain = record(&mut a, ee, |n| n.run_steps(1000).unwrap());
    let hooked = record(&mut b, ee, |n| n.run_steps_with(1000, |_, _| Ok(())).unwrap());
    assert!(plain.0.iter().take(400).sum::<u64>() > 100, "the test network must be active");
    assert_eq!(plain, hooked);
}

#[test]
fn the_closure_runs_before_every_step_with_its_number() {
    let (mut net, _) = network();
    net.run_steps(3).unwrap();
    let mut seen = Vec::new();
    net.run_steps_with(5, |net, step| {
        assert_eq!(step, net.current_step());
        seen.push(step);
        Ok(())
    })
    .unwrap();
    assert_eq!(seen, vec![3, 4, 5, 6, 7]);
    assert_eq!(net.current_step(), 8);
}

#[test]
fn an_error_from_the_closure_ends_the_run_before_that_step() {
    let (mut net, _) = network();
    let e = net
        .run_steps_with(10, |_, step| if step == 4 { Err(EngramError::Other("stop here".into())) } else { Ok(()) })
        .unwrap_err();
    assert_eq!(e.to_string(), EngramError::Other("stop here".into()).to_string());
    assert_eq!(net.current_step(), 4);
}

#[test]
fn an_edit_in_the_closure_equals_the_same_edit_between_two_runs() {
    let edit = |net: &mut Network, ee: ProjectionId| {
        let mut w = net.weights_mut(ee);
        for (i, mut row) in w.outer_iterator_mut().enumerate() {
            for (j, w) in row.iter_mut() {
                if i < 100 && j < 100 {
                    *w *= 2.5;
                }
            }
        }
    };
    let (mut a, ee) = network();
    let between_runs = record(&mut a, ee, |n| {
        n.run_steps(500).unwrap();
        edit(n, ee);
        n.run_steps(500).unwrap();
    });
    let (mut b, _) = network();
    let in_closure = record(&mut b, ee, |n| {
        n.run_steps_with(1000, |n, step| {
            if step == 500 {
                edit(n, ee);
            }
            Ok(())
        })
        .unwrap()
    });
    let (mut c, _) = network();
    let unedited = record(&mut c, ee, |n| n.run_steps(1000).unwrap());
    assert_eq!(between_runs, in_closure);
    assert_ne!(between_runs, unedited);
}

#[test]
fn spikes_in_flight_keep_their_weight_and_later_ones_carry_the_new_one() {
    let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    b.add_population("pre", Probe::new(1, vec![(0, 8), (0, 15)])).unwrap();
    b.add_population("post", Probe::new(1, vec![])).unwrap();
    let w = sprs::CsMatI::<f64, u32, usize>::new((1, 1), vec![0, 1], vec![0], vec![0.25]);
    let p = b.connect("pre", "post", "exc", w, Delay::Steps(3)).unwrap();
    let mut net = b.build().unwrap();
    net.run_steps_with(20, |net, step| {
        if step == 10 {
            net.weights_mut(p).data_mut()[0] = 1.0; // the spike of step 8 arrives in step 11
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(net.model("post").unwrap().unwrap().state("v_mv").unwrap(), &[1.25]);
    assert_eq!(net.weights(p).data(), &[1.0]);
}
