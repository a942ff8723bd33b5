//! Parameter checks: bad values give errors naming the field; configs read from RON.

use engram_core::config::{from_ron_str, to_ron_string};
use engram_core::prelude::*;
use engram_stimuli::{
    CurrentInjectionParams, CurrentPulse, PoissonGroupParams, PoissonInput, PoissonInputParams, PoissonMethod,
    RateSegment, RateSpec, SpikeTrainsParams, Targets,
};

fn field<P: Params>(p: P) -> String {
    p.check().err().expect("should be rejected").field
}

#[test]
fn poisson_group_bad_params_name_the_field() {
    let base = PoissonGroupParams { n_sources: 3, ..Default::default() };
    assert!(base.clone().check().is_ok());
    assert_eq!(field(PoissonGroupParams { n_sources: 0, ..base.clone() }), "n_sources");
    assert_eq!(
        field(PoissonGroupParams { rates: RateSpec::Constant { rate_hz: -1.0 }, ..base.clone() }),
        "rates.rate_hz"
    );
    assert_eq!(
        field(PoissonGroupParams { rates: RateSpec::Constant { rate_hz: f64::NAN }, ..base.clone() }),
        "rates.rate_hz"
    );
    assert_eq!(
        field(PoissonGroupParams { rates: RateSpec::PerSource { rates_hz: vec![1.0, 2.0] }, ..base.clone() }),
        "rates.rates_hz"
    );
    assert_eq!(
        field(PoissonGroupParams {
            rates: RateSpec::PerSource { rates_hz: vec![1.0, 2.0, f64::INFINITY] },
            ..base.clone()
        }),
        "rates.rates_hz[2]"
    );
    let seg = |start_ms: f64, rates_hz: Vec<f64>| RateSegment { start_ms, rates_hz };
    let piecewise = |segments| PoissonGroupParams { rates: RateSpec::Piecewise { segments }, ..base.clone() };
    assert_eq!(field(piecewise(vec![])), "rates.segments");
    assert_eq!(field(piecewise(vec![seg(0.0, vec![1.0]), seg(0.0, vec![2.0])])), "rates.segments[1].start_ms");
    assert_eq!(field(piecewise(vec![seg(-5.0, vec![1.0])])), "rates.segments[0].start_ms");
    assert_eq!(field(piecewise(vec![seg(0.0, vec![1.0]), seg(10.0, vec![1.0, 2.0])])), "rates.segments[1].rates_hz");
    assert_eq!(field(piecewise(vec![seg(0.0, vec![1.0, -2.0, 3.0])])), "rates.segments[0].rates_hz[1]");
    assert!(piecewise(vec![seg(0.0, vec![1.0]), seg(10.0, vec![1.0, 2.0, 3.0])]).check().is_ok());
}

#[test]
fn poisson_input_bad_params_name_the_field() {
    let base = PoissonInputParams::default();
    assert!(base.clone().check().is_ok());
    assert_eq!(field(PoissonInputParams { weight: f64::NAN, ..base.clone() }), "weight");
    assert_eq!(
        field(PoissonInputParams { rate: RateSpec::Constant { rate_hz: -3.0 }, ..base.clone() }),
        "rate.rate_hz"
    );
    assert_eq!(
        field(PoissonInputParams { rate: RateSpec::PerSource { rates_hz: vec![1.0, 2.0] }, ..base.clone() }),
        "rate.rates_hz"
    );
    assert_eq!(field(PoissonInputParams { receptor: String::new(), ..base.clone() }), "receptor");
    let clock = Clock::new(0.1).unwrap();
    let out_of_range = PoissonInputParams { targets: Targets::Indices(vec![10]), ..base.clone() }.check().unwrap();
    assert_eq!(PoissonInput::new(out_of_range, 10, 1, 1, clock).unwrap_err().field, "targets");
}

#[test]
fn current_injection_bad_params_name_the_field() {
    let pulse = |start_ms, stop_ms, amplitude_pa| CurrentPulse { start_ms, stop_ms, amplitude_pa };
    let with = |pulses| CurrentInjectionParams { pulses, ..Default::default() };
    assert!(with(vec![pulse(0.0, 1.0, -5.0)]).check().is_ok());
    assert_eq!(field(with(vec![pulse(0.0, 1.0, 1.0), pulse(5.0, 4.0, 1.0)])), "pulses[1].stop_ms");
    assert_eq!(field(with(vec![pulse(5.0, 5.0, 1.0)])), "pulses[0].stop_ms");
    assert_eq!(field(with(vec![pulse(-1.0, 5.0, 1.0)])), "pulses[0].start_ms");
    assert_eq!(field(with(vec![pulse(0.0, 5.0, f64::INFINITY)])), "pulses[0].amplitude_pa");
    assert_eq!(field(CurrentInjectionParams { bias_pa: f64::NAN, ..Default::default() }), "bias_pa");
}

#[test]
fn spike_trains_bad_params_name_the_field() {
    assert_eq!(field(SpikeTrainsParams { n_sources: 0, spikes: vec![] }), "n_sources");
    assert_eq!(field(SpikeTrainsParams { n_sources: 2, spikes: vec![(0, 1.0), (2, 1.0)] }), "spikes[1].source");
    assert_eq!(field(SpikeTrainsParams { n_sources: 2, spikes: vec![(0, -1.0)] }), "spikes[0].time_ms");
    assert_eq!(field(SpikeTrainsParams { n_sources: 2, spikes: vec![(0, f64::NAN)] }), "spikes[0].time_ms");
}

#[test]
fn configs_read_from_ron_with_defaults_and_reject_unknown_fields() {
    let g: PoissonGroupParams = from_ron_str("(n_sources: 20)", "<inline>").unwrap();
    assert_eq!(
        g,
        PoissonGroupParams { n_sources: 20, rates: RateSpec::Constant { rate_hz: 6.0 }, method: PoissonMethod::Auto }
    );
    let g: PoissonGroupParams = from_ron_str(
        "(n_sources: 2, rates: Piecewise(segments: [(start_ms: 0, rates_hz: [6]), (start_ms: 500, rates_hz: [20, 3])]), method: Bernoulli)",
        "<inline>",
    )
    .unwrap();
    assert!(g.check().is_ok());
    let err = from_ron_str::<PoissonGroupParams>("(n_sources: 2, rate_hz: 5)", "g.ron").unwrap_err().to_string();
    assert!(err.contains("rate_hz"), "{err}");
    let err = from_ron_str::<CurrentInjectionParams>("(pulses: [(start_ms: 0, stop_ms: 1, amplitude: 5)])", "c.ron")
        .unwrap_err()
        .to_string();
    assert!(err.contains("amplitude"), "{err}");

    let i: PoissonInputParams =
        from_ron_str("(receptor: \"ob\", n_inputs: 50, weight: 0.3, targets: Indices([1, 2]))", "<inline>").unwrap();
    assert_eq!(i.rate, RateSpec::Constant { rate_hz: 10.0 });
    assert_eq!(i.targets, Targets::Indices(vec![1, 2]));
    let s: SpikeTrainsParams = from_ron_str("(n_sources: 3, spikes: [(0, 1.5), (2, 20)])", "<inline>").unwrap();
    assert_eq!(s.spikes, vec![(0, 1.5), (2, 20.0)]);

    // Round trip.
    let c = CurrentInjectionParams {
        pulses: vec![CurrentPulse { start_ms: 1.0, stop_ms: 2.0, amplitude_pa: 3.0 }],
        bias_pa: 4.0,
        targets: Targets::All,
    };
    assert_eq!(from_ron_str::<CurrentInjectionParams>(&to_ron_string(&c), "<inline>").unwrap(), c);
}
