//! A diverging run stops with a message naming the population, the neuron and the time; the
//! rate ceiling follows each population's refractory period unless set, and can warn instead.

use crate::toy::{Poison, random_weights};
use engram_core::error::EngramError;
use engram_core::params::Params;
use engram_neurons::{LifCond, LifCondParams};
use engram_sim::prelude::*;
use engram_sim::stimulus::ConstantCurrent;
use engram_stimuli::{PoissonInput, PoissonInputParams, RateSpec};

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
fn nan_stops_the_run_even_when_runaways_only_warn() {
    let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    b.add_population("E", Poison::new(10, 7, 123, false)).unwrap();
    b.divergence_guard(DivergenceGuard { on_runaway: RunawayAction::Warn, ..Default::default() });
    let mut net = b.build().unwrap();
    assert!(matches!(net.run_ms(100.0), Err(EngramError::Diverged { neuron: 7, .. })));
}

#[test]
fn runaway_rates_stop_the_run() {
    // a model without a refractory period gets the default ceiling of 500 Hz
    let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    b.add_population("E", Poison::new(10, 0, u64::MAX, true)).unwrap();
    let mut net = b.build().unwrap();
    let err = net.run_ms(100.0).unwrap_err().to_string();
    assert!(err.contains("runaway") && err.contains("10000 Hz"), "{err}");
    assert!(err.contains("the default ceiling of 500 Hz (`poison` has no refractory period)"), "{err}");
    assert!(err.contains("set run.divergence.max_rate_hz to change it"), "{err}");
}

#[test]
fn the_guard_is_configurable() {
    let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    b.add_population("E", Poison::new(10, 0, u64::MAX, true)).unwrap();
    b.divergence_guard(DivergenceGuard { check_every_ms: 10.0, max_rate_hz: Some(20_000.0), ..Default::default() });
    let mut net = b.build().unwrap();
    net.run_ms(50.0).unwrap();
}

/// 20 COBA neurons (t_ref = 5 ms) driven so hard that they fire at the refractory limit,
/// 1 / (5 ms + one step) ≈ 196 Hz.
fn pinned(guard: Option<DivergenceGuard>) -> Network {
    let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    b.add_population("E", LifCond::new(20, LifCondParams::coba().check().unwrap())).unwrap();
    b.add_stimulus("E", ConstantCurrent::new(100_000.0)).unwrap();
    if let Some(g) = guard {
        b.divergence_guard(g);
    }
    b.build().unwrap()
}

#[test]
fn a_population_pinned_at_its_refractory_limit_trips_the_default_guard() {
    let mut net = pinned(None);
    let ceiling = DivergenceGuard::default().rate_ceiling_hz(net.model("E").unwrap().unwrap().refractory_ms());
    assert_eq!(ceiling, 100.0);
    let err = net.run_ms(200.0).unwrap_err();
    let EngramError::Diverged { population, time_ms, reason, .. } = &err else {
        panic!("expected Diverged, got {err}")
    };
    assert_eq!(population, "E");
    assert!((*time_ms - 10.0).abs() < 1e-9, "stops at the first check: {time_ms}");
    assert!(reason.contains("runaway activity: mean rate"), "{reason}");
    assert!(reason.contains("exceeds the ceiling of 100 Hz = 0.5 / t_ref (5 ms)"), "{reason}");
    assert!(reason.contains("set run.divergence.max_rate_hz to change it"), "{reason}");
    // the run did stop: the clock is at the check
    assert_eq!(net.current_step(), 100);
}

#[test]
fn with_warn_the_pinned_population_completes_at_its_rate() {
    let mut net = pinned(Some(DivergenceGuard { on_runaway: RunawayAction::Warn, ..Default::default() }));
    net.run_ms(200.0).unwrap();
    assert_eq!(net.current_step(), 2000);
    let rate = net.stats()[0].rate_hz;
    assert!((180.0..=200.0).contains(&rate), "pinned near 1 / (t_ref + dt): {rate} Hz");
}

#[test]
fn a_fixed_ceiling_replaces_the_refractory_one() {
    let mut net = pinned(Some(DivergenceGuard { max_rate_hz: Some(1000.0), ..Default::default() }));
    net.run_ms(200.0).unwrap();
    assert!(net.stats()[0].rate_hz > 180.0);
    // and a fixed ceiling below the rate stops it, naming that ceiling
    let mut net = pinned(Some(DivergenceGuard { max_rate_hz: Some(150.0), ..Default::default() }));
    let err = net.run_ms(200.0).unwrap_err().to_string();
    assert!(err.contains("exceeds max_rate_hz = 150 Hz"), "{err}");
}

#[test]
fn a_healthy_coba_like_network_does_not_trip_the_default_guard() {
    // 800 E + 200 I COBA neurons, sparse recurrence, Poisson background: an asynchronous
    // state at a few tens of Hz, well below the 100 Hz ceiling of t_ref = 5 ms.
    let (ne, ni) = (800, 200);
    let dt = 0.1;
    let mut b = NetworkBuilder::new(dt, 7).unwrap();
    let params = LifCondParams::coba().check().unwrap();
    b.add_population("E", LifCond::new(ne, params.clone())).unwrap();
    b.add_population("I", LifCond::new(ni, params)).unwrap();
    for (k, (pre, n_pre, rec, w)) in [("E", ne, "exc", 0.5), ("I", ni, "inh", 5.0)].into_iter().enumerate() {
        for (j, (post, n_post)) in [("E", ne), ("I", ni)].into_iter().enumerate() {
            let weights = random_weights(n_pre, n_post, 0.05, w, 10 + 2 * k as u64 + j as u64);
            b.connect(pre, post, rec, weights, Delay::Ms(1.0)).unwrap();
        }
    }
    for (k, (name, n)) in [("E", ne), ("I", ni)].into_iter().enumerate() {
        let background = PoissonInputParams {
            n_inputs: 100,
            rate: RateSpec::Constant { rate_hz: 20.0 },
            weight: 1.0,
            ..Default::default()
        };
        let clock = b.clock();
        b.add_stimulus(name, PoissonInput::new(background.check().unwrap(), n, 7, 100 + k as u64, clock).unwrap())
            .unwrap();
    }
    let mut net = b.build().unwrap();
    net.run_ms(500.0).unwrap();
    for s in net.stats() {
        assert!(s.rate_hz > 1.0 && s.rate_hz < 80.0, "{}: {} Hz", s.name, s.rate_hz);
    }
}

#[test]
fn guards_read_from_ron_with_or_without_a_fixed_ceiling() {
    use engram_core::config::from_ron_str;
    let fixed: DivergenceGuard = from_ron_str("(check_every_ms: 10.0, max_rate_hz: 1000.0)", "test").unwrap();
    assert_eq!(fixed.max_rate_hz, Some(1000.0));
    assert_eq!(fixed.on_runaway, RunawayAction::Stop);
    let warn: DivergenceGuard = from_ron_str("(on_runaway: Warn)", "test").unwrap();
    assert_eq!(warn, DivergenceGuard { on_runaway: RunawayAction::Warn, ..Default::default() });
    let default: DivergenceGuard = from_ron_str("()", "test").unwrap();
    assert_eq!(default, DivergenceGuard::default());
    assert_eq!(default.max_rate_hz, None);
    assert!(from_ron_str::<DivergenceGuard>("(max_rate: 5.0)", "test").is_err());
    // what is written reads back
    let text = engram_core::config::to_ron_string(&fixed);
    assert_eq!(from_ron_str::<DivergenceGuard>(&text, "test").unwrap(), fixed);
}
