//! CurrentInjection: the right current on the right neurons only during [start, stop).

use engram_core::prelude::*;
use engram_stimuli::{CurrentInjection, CurrentInjectionParams, CurrentPulse, Targets};

const DT: f64 = 0.1;

fn apply(inj: &mut CurrentInjection, n: usize, step: u64) -> Vec<f64> {
    let mut i_pa = vec![0.0; n];
    inj.apply(
        &StepContext { step, dt_ms: DT },
        StimulusTarget { receptor: None, current_pa: &mut i_pa, first_neuron: 0 },
    );
    i_pa
}

#[test]
fn pulses_and_bias_on_targets_only_during_start_stop() {
    let params = CurrentInjectionParams {
        pulses: vec![
            CurrentPulse { start_ms: 10.0, stop_ms: 20.0, amplitude_pa: 100.0 },
            CurrentPulse { start_ms: 15.0, stop_ms: 30.0, amplitude_pa: -40.0 },
        ],
        bias_pa: 5.0,
        targets: Targets::Indices(vec![2, 0]),
    };
    let mut inj = CurrentInjection::new(params.check().unwrap(), 4, Clock::new(DT).unwrap()).unwrap();
    assert_eq!(inj.receptor(), None);
    for step in 0..400u64 {
        let mut expected = 5.0;
        if (100..200).contains(&step) {
            expected += 100.0;
        }
        if (150..300).contains(&step) {
            expected -= 40.0;
        }
        let i_pa = apply(&mut inj, 4, step);
        assert_eq!(i_pa, vec![expected, 0.0, expected, 0.0], "step {step}");
        assert_eq!(inj.current_pa_at(step), expected);
    }
}

#[test]
fn all_neurons_and_boundaries_between_steps() {
    // 10.05 ms is inside step 100 ([10.0, 10.1)): the pulse starts with step 101, the first
    // step starting at or after 10.05 ms; it stops before step 121 (12.1 ≥ 12.05).
    let params = CurrentInjectionParams {
        pulses: vec![CurrentPulse { start_ms: 10.05, stop_ms: 12.05, amplitude_pa: 7.0 }],
        ..Default::default()
    };
    let mut inj = CurrentInjection::new(params.check().unwrap(), 3, Clock::new(DT).unwrap()).unwrap();
    for step in 0..200u64 {
        let expected = if (101..121).contains(&step) { 7.0 } else { 0.0 };
        assert_eq!(apply(&mut inj, 3, step), vec![expected; 3], "step {step}");
    }
}

#[test]
fn adds_to_existing_current_and_leaves_receptor_alone() {
    let params = CurrentInjectionParams { bias_pa: 2.5, ..Default::default() };
    let mut inj = CurrentInjection::new(params.check().unwrap(), 2, Clock::new(DT).unwrap()).unwrap();
    let mut i_pa = vec![1.0, -1.0];
    let mut g = vec![0.5, 0.5];
    inj.apply(
        &StepContext { step: 3, dt_ms: DT },
        StimulusTarget { receptor: Some(&mut g), current_pa: &mut i_pa, first_neuron: 0 },
    );
    assert_eq!(i_pa, vec![3.5, 1.5]);
    assert_eq!(g, vec![0.5, 0.5]);
}

#[test]
fn bad_targets_are_rejected_naming_targets() {
    let params = CurrentInjectionParams { targets: Targets::Indices(vec![0, 4]), ..Default::default() };
    let err = CurrentInjection::new(params.check().unwrap(), 4, Clock::new(DT).unwrap()).unwrap_err();
    assert_eq!(err.field, "targets");
    let params = CurrentInjectionParams { targets: Targets::Indices(vec![1, 1]), ..Default::default() };
    let err = CurrentInjection::new(params.check().unwrap(), 4, Clock::new(DT).unwrap()).unwrap_err();
    assert_eq!(err.field, "targets");
}
