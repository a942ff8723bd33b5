//! `LifCond::step_chunked` (the parallel step the engine uses) against `step`: the same
//! spikes and the same state, bit for bit, for the COBA and Dp neurons and every option the
//! membrane pass is compiled for, on a rayon pool of 3 threads with an odd chunk size; and a
//! block kept with `keep_block` against those neurons of the whole population.

use engram_core::neuron::{NeuronModel, StepContext, StepInput};
use engram_core::params::Params;
use engram_neurons::{LifCond, LifCondParams, MembraneIntegrator, ResetMode};
use rand::Rng;

const N: usize = 1000;

/// Random arrivals (a few large ones, so that neurons spike) and injected currents per step.
fn inputs(n_receptors: usize, steps: usize) -> Vec<(Vec<Vec<f64>>, Vec<f64>)> {
    let mut rng = engram_core::rng::stream(5, 0, 0);
    (0..steps)
        .map(|_| {
            let receptors = (0..n_receptors)
                .map(|r| {
                    (0..N)
                        .map(|_| if rng.r#gen::<f64>() < 0.05 { rng.r#gen::<f64>() * (3.0 - r as f64) } else { 0.0 })
                        .collect()
                })
                .collect();
            let current_pa = (0..N).map(|_| rng.r#gen::<f64>() * 400.0).collect();
            (receptors, current_pa)
        })
        .collect()
}

/// Spikes of every step and the final state variables as bits.
fn drive(params: &LifCondParams, chunk_len: Option<usize>) -> (Vec<Vec<u32>>, Vec<Vec<u64>>) {
    let mut model = LifCond::new(N, params.clone().check().unwrap());
    let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
    let mut all = Vec::new();
    for (step, (receptors, current_pa)) in inputs(params.receptors.len(), 400).iter().enumerate() {
        let ctx = StepContext { step: step as u64, dt_ms: 0.1 };
        let input = StepInput { receptors, current_pa };
        let mut spikes = Vec::new();
        match chunk_len {
            Some(c) => pool.install(|| model.step_chunked(&ctx, input, c, &mut spikes)),
            None => model.step(&ctx, input, &mut spikes),
        }
        all.push(spikes);
    }
    let names: Vec<&str> = model.state_names().to_vec();
    let state = names.iter().map(|n| model.state(n).unwrap().iter().map(|x| x.to_bits()).collect()).collect();
    (all, state)
}

#[test]
fn step_chunked_is_bit_identical_to_step() {
    let mut cases = Vec::new();
    for base in [LifCondParams::coba(), LifCondParams::dp_excitatory(), LifCondParams::dp_inhibitory()] {
        for integrator in [MembraneIntegrator::Euler, MembraneIntegrator::ExpEuler] {
            for reset in [ResetMode::Immediate, ResetMode::ClampNextStep] {
                cases.push(LifCondParams { integrator, reset, ..base.clone() });
            }
        }
    }
    for params in &cases {
        let sequential = drive(params, None);
        let n_spikes: usize = sequential.0.iter().map(Vec::len).sum();
        assert!(n_spikes > 500, "the neurons must spike ({n_spikes} spikes) with {params:?}");
        for chunk_len in [37, 256, 5000] {
            let chunked = drive(params, Some(chunk_len));
            assert!(chunked.0 == sequential.0, "spikes differ with chunks of {chunk_len}: {params:?}");
            assert!(chunked.1 == sequential.1, "state differs with chunks of {chunk_len}: {params:?}");
        }
    }
}

/// `keep_block` (a rank storing only its neurons): the kept neurons, driven by their part of
/// the inputs, have the spikes and state of those neurons of the whole population, bit for
/// bit, with adaptation and both integrators; the saved state is one value per kept neuron.
#[test]
fn a_kept_block_steps_as_those_neurons_of_the_whole_population() {
    let block = 317..642;
    for base in [LifCondParams::coba(), LifCondParams::dp_excitatory()] {
        for integrator in [MembraneIntegrator::Euler, MembraneIntegrator::ExpEuler] {
            let params = LifCondParams { integrator, ..base.clone() };
            let (whole_spikes, whole_state) = drive(&params, None);
            let mut model = LifCond::new(N, params.clone().check().unwrap());
            assert!(model.keep_block(block.clone()), "LifCond keeps a block");
            assert_eq!(model.len(), block.len());
            for (step, (receptors, current_pa)) in inputs(params.receptors.len(), 400).iter().enumerate() {
                let ctx = StepContext { step: step as u64, dt_ms: 0.1 };
                let receptors: Vec<Vec<f64>> = receptors.iter().map(|r| r[block.clone()].to_vec()).collect();
                let input = StepInput { receptors: &receptors, current_pa: &current_pa[block.clone()] };
                let mut spikes = Vec::new();
                model.step(&ctx, input, &mut spikes);
                let expected: Vec<u32> = whole_spikes[step]
                    .iter()
                    .filter(|&&i| block.contains(&(i as usize)))
                    .map(|&i| i - block.start as u32)
                    .collect();
                assert_eq!(spikes, expected, "{params:?}: spikes of step {step}");
            }
            for (k, name) in model.state_names().to_vec().iter().enumerate() {
                let kept: Vec<u64> = model.state(name).unwrap().iter().map(|x| x.to_bits()).collect();
                assert!(kept == whole_state[k][block.clone()], "{params:?}: {name}");
            }
            let saved = model.save_state().unwrap();
            assert!(saved.f64s.values().all(|v| v.len() == block.len()), "per-neuron arrays only");
            assert!(saved.u64s.values().all(|v| v.len() == block.len()), "per-neuron arrays only");
        }
    }
}
