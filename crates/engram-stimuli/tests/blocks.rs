//! Stimuli given a block of their target (a rank of a network split across ranks): each
//! neuron of the block gets exactly what it gets in the whole population, for every sampler
//! of `PoissonInput`, with and without a target list, and for `CurrentInjection`.

use engram_core::prelude::*;
use engram_stimuli::{
    CurrentInjection, CurrentInjectionParams, CurrentPulse, PoissonInput, PoissonInputParams, RateSpec, Targets,
};

const DT: f64 = 0.1;
const N: usize = 97;

/// `make()` applied for `steps` steps to the whole population and, as separate copies, to
/// each of `blocks`: the blocks' receptor and current buffers, glued in order, must equal the
/// whole population's in every step.
fn whole_and_blocks(make: &dyn Fn() -> Box<dyn Stimulus>, blocks: &[std::ops::Range<usize>], steps: u64) {
    let mut whole = make();
    assert!(whole.writes_blocks(), "{} writes blocks", whole.kind());
    let mut parts: Vec<_> = blocks.iter().map(|_| make()).collect();
    let mut touched = 0;
    for step in 0..steps {
        let ctx = StepContext { step, dt_ms: DT };
        let (mut g, mut i_pa) = (vec![0.0; N], vec![0.0; N]);
        whole.apply(&ctx, StimulusTarget { receptor: Some(&mut g), current_pa: &mut i_pa, first_neuron: 0 });
        let (mut g_parts, mut i_parts) = (Vec::new(), Vec::new());
        for (stim, block) in parts.iter_mut().zip(blocks) {
            let (mut g, mut i_pa) = (vec![0.0; block.len()], vec![0.0; block.len()]);
            let target = StimulusTarget { receptor: Some(&mut g), current_pa: &mut i_pa, first_neuron: block.start };
            assert_eq!(target.neurons(), block.clone());
            stim.apply(&ctx, target);
            g_parts.extend(g);
            i_parts.extend(i_pa);
        }
        assert!(g_parts == g && i_parts == i_pa, "{}: step {step} differs", whole.kind());
        touched += g.iter().chain(&i_pa).filter(|&&x| x != 0.0).count();
    }
    assert!(touched > 100, "{}: the stimulus must write something ({touched} values)", whole.kind());
}

fn blocks() -> Vec<std::ops::Range<usize>> {
    vec![0..30, 30..31, 31..31, 31..80, 80..N]
}

fn poisson(n_inputs: u32, rate_hz: f64, targets: Targets) -> Box<dyn Stimulus> {
    let params = PoissonInputParams {
        n_inputs,
        rate: RateSpec::Constant { rate_hz },
        weight: 0.5,
        targets,
        ..Default::default()
    };
    Box::new(PoissonInput::new(params.check().unwrap(), N, 3, 9, Clock::new(DT).unwrap()).unwrap())
}

#[test]
fn poisson_input_gives_a_block_what_the_whole_population_gets() {
    let listed = || Targets::Indices((0..N as u32).filter(|i| i % 3 != 1).rev().collect());
    // skipping sampler (P(k = 0) > 0.5), one draw per target (table), rand_distr's binomial
    for (n_inputs, rate_hz) in [(10, 20.0), (200, 50.0), (2000, 200.0)] {
        whole_and_blocks(&|| poisson(n_inputs, rate_hz, Targets::All), &blocks(), 300);
        whole_and_blocks(&|| poisson(n_inputs, rate_hz, listed()), &blocks(), 300);
    }
}

#[test]
fn current_injection_gives_a_block_what_the_whole_population_gets() {
    let make = |targets: Targets| {
        move || -> Box<dyn Stimulus> {
            let params = CurrentInjectionParams {
                pulses: vec![CurrentPulse { start_ms: 5.0, stop_ms: 15.0, amplitude_pa: 40.0 }],
                bias_pa: 3.0,
                targets: targets.clone(),
            };
            Box::new(CurrentInjection::new(params.check().unwrap(), N, Clock::new(DT).unwrap()).unwrap())
        }
    };
    whole_and_blocks(&make(Targets::All), &blocks(), 200);
    whole_and_blocks(&make(Targets::Indices(vec![96, 0, 30, 45, 79, 80])), &blocks(), 200);
}
