//! SpikeTrains: spikes at exactly the right steps, in order, replayable.

use engram_core::prelude::*;
use engram_stimuli::{SpikeTrains, SpikeTrainsParams};

const DT: f64 = 0.1;

fn run(t: &mut SpikeTrains, from: u64, to: u64) -> Vec<(u64, u32)> {
    let mut out = Vec::new();
    let mut s = Vec::new();
    for step in from..to {
        s.clear();
        t.emit(&StepContext { step, dt_ms: DT }, &mut s);
        assert!(s.windows(2).all(|w| w[0] < w[1]), "step {step}: {s:?}");
        out.extend(s.iter().map(|&i| (step, i)));
    }
    out
}

#[test]
fn emits_at_exactly_the_right_steps() {
    let spikes = vec![(3, 1.0), (0, 0.3), (1, 0.26), (2, 1.0), (0, 1.0), (0, 0.0), (3, 99.95)];
    let params = SpikeTrainsParams { n_sources: 4, spikes };
    let mut t = SpikeTrains::new(params.check().unwrap(), Clock::new(DT).unwrap()).unwrap();
    assert_eq!(t.len(), 4);
    assert_eq!(t.n_spikes(), 7);
    // 0.3 ms → step 3 (not 2 from rounding error); 0.26 ms lies in step 2; 99.95 ms in step 999.
    let expected = vec![(0, 0), (2, 1), (3, 0), (10, 0), (10, 2), (10, 3), (999, 3)];
    assert_eq!(run(&mut t, 0, 2000), expected);
    // Reset, or asking for an earlier step, replays.
    t.reset();
    assert_eq!(run(&mut t, 0, 2000), expected);
    assert_eq!(run(&mut t, 5, 20), vec![(10, 0), (10, 2), (10, 3)]);
}

#[test]
fn two_spikes_of_one_source_in_one_step_are_an_error() {
    let params = SpikeTrainsParams { n_sources: 2, spikes: vec![(1, 0.51), (1, 0.55)] };
    let err = SpikeTrains::new(params.check().unwrap(), Clock::new(DT).unwrap()).unwrap_err();
    assert_eq!(err.field, "spikes");
    assert!(err.value.contains("source 1"), "{err}");
}

#[test]
fn from_steps_checks_sources() {
    assert!(SpikeTrains::from_steps(2, vec![(0, 5), (1, 5)]).is_ok());
    assert_eq!(SpikeTrains::from_steps(2, vec![(2, 5)]).unwrap_err().field, "spikes");
}
