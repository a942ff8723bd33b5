//! The `NeuronModel` default checkpoint on a real model: the test kit's toy LIF declares only
//! `checkpoint_fields!(refractory)`, and a driven population continues bit for bit after a
//! save and a load into a fresh one.

use engram_core::neuron::NeuronModel;
use engram_testkit::neuron::NeuronDrive;
use engram_testkit::toy::ToyLif;

/// Drive `model` for `steps` steps from step `from` with a fixed input pattern; the spike
/// steps of every neuron and the final state, as bits.
fn drive(model: &mut ToyLif, from: u64, steps: u64) -> (Vec<Vec<u64>>, Vec<Vec<u64>>) {
    let mut drive = NeuronDrive::new(model, 0.1);
    drive.step = from;
    let mut spikes = vec![Vec::new(); model.len()];
    for _ in 0..steps {
        let step = drive.step;
        for (i, w) in drive.receptor_mut(model, "exc").iter_mut().enumerate() {
            *w = if (step + i as u64) % 7 == 0 { 3.0 } else { 0.0 };
        }
        for &i in drive.step(model) {
            spikes[i as usize].push(step);
        }
    }
    let state =
        model.state_names().iter().map(|&s| model.state(s).unwrap().iter().map(|x| x.to_bits()).collect()).collect();
    (spikes, state)
}

#[test]
fn the_default_checkpoint_continues_a_driven_population_bit_for_bit() {
    let mut a = ToyLif::new(30, 5);
    drive(&mut a, 0, 1000);
    let saved = a.save_state().expect("the default checkpoints declared state");
    let (spikes_a, state_a) = drive(&mut a, 1000, 1000);
    assert!(spikes_a.iter().any(|s| !s.is_empty()), "the population fires");

    let mut b = ToyLif::new(30, 99); // other initial potentials
    b.load_state(&saved).unwrap();
    let (spikes_b, state_b) = drive(&mut b, 1000, 1000);
    assert_eq!(spikes_a, spikes_b);
    assert_eq!(state_a, state_b);

    // the declared refractory counters are part of it: a state without them is refused whole
    let mut c = ToyLif::new(30, 7);
    let before: Vec<u64> = c.state("v_mv").unwrap().iter().map(|x| x.to_bits()).collect();
    assert!(c.load_state(&engram_core::checkpoint::ComponentState::new("toy_lif")).is_err());
    let after: Vec<u64> = c.state("v_mv").unwrap().iter().map(|x| x.to_bits()).collect();
    assert_eq!(before, after, "a refused load changes nothing");
}
