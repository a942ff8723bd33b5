//! A diverging run stops with a message naming the population, the neuron and the time.

use crate::toy::Poison;
use engram_core::error::EngramError;
use engram_sim::prelude::*;

#[test]
fn nan_stops_the_run_naming_population_neuron_and_time() {
    let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    b.add_population("E", Poison::new(10, 7, 123, false)).unwrap();
    let mut net = b.build().unwrap();
    let err = net.run_ms(100.0).unwrap_err();
    match &err {
        EngramError::Diverged { population, neuron, time_ms, reason } => {
            assert_eq!(population, "E");
            assert_eq!(*neuron, 7);
            // NaN appears in step 123 (12.3 ms); the guard checks every 10 ms
            assert!((*time_ms - 20.0).abs() < 1e-9, "{time_ms}");
            assert!(reason.contains("NaN"), "{reason}");
        }
        other => panic!("expected Diverged, got {other}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("population `E`") && msg.contains("neuron 7") && msg.contains("t = 20.0 ms"), "{msg}");
}

#[test]
fn runaway_rates_stop_the_run() {
    let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    b.add_population("E", Poison::new(10, 0, u64::MAX, true)).unwrap();
    let mut net = b.build().unwrap();
    let err = net.run_ms(100.0).unwrap_err().to_string();
    assert!(err.contains("runaway") && err.contains("10000 Hz") && err.contains("max_rate_hz = 500"), "{err}");
}

#[test]
fn the_guard_is_configurable() {
    let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    b.add_population("E", Poison::new(10, 0, u64::MAX, true)).unwrap();
    b.divergence_guard(DivergenceGuard { check_every_ms: 10.0, max_rate_hz: 20_000.0 });
    let mut net = b.build().unwrap();
    net.run_ms(50.0).unwrap();
}
