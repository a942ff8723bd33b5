//! Strategies for the parameters of the engram-stimuli sources and currents.
//!
//! Every value passes the type's `validate()`; those that name neurons (`Targets`) are made for a
//! population size, and spike trains never put two spikes of one source in one step at the
//! step sizes of [`dt_ms`](super::dt_ms), so the constructors accept them too.

use engram_stimuli::{
    CurrentInjectionParams, CurrentPulse, PoissonGroupParams, PoissonInputParams, PoissonMethod, RateSegment, RateSpec,
    SpikeTrainsParams, Targets,
};
use proptest::collection::{btree_set, vec};
use proptest::prelude::*;

/// Any sampling method of a Poisson group.
pub fn poisson_method() -> impl Strategy<Value = PoissonMethod> {
    prop_oneof![Just(PoissonMethod::Auto), Just(PoissonMethod::NextSpike), Just(PoissonMethod::Bernoulli)]
}

/// One rate for all sources (`n = 1`) or one per source, 0–`max_hz` Hz.
fn rates(n: usize, max_hz: f64) -> impl Strategy<Value = Vec<f64>> {
    prop_oneof![vec(0.0..max_hz, 1), vec(0.0..max_hz, n)]
}

/// Rates for `n_sources` sources, up to 200 Hz: `Constant`, `PerSource`, or `Piecewise` with
/// 1–4 segments starting at strictly increasing times in 0–500 ms (each with one rate or one
/// per source).
pub fn rate_spec(n_sources: usize) -> impl Strategy<Value = RateSpec> {
    let segments = vec((1.0..125.0f64, rates(n_sources, 200.0)), 1..=4).prop_map(|segs| {
        let mut start = 0.0;
        let segments = segs
            .into_iter()
            .enumerate()
            .map(|(k, (gap, rates_hz))| {
                if k > 0 {
                    start += gap;
                }
                RateSegment { start_ms: start, rates_hz }
            })
            .collect();
        RateSpec::Piecewise { segments }
    });
    prop_oneof![
        (0.0..200.0f64).prop_map(|rate_hz| RateSpec::Constant { rate_hz }),
        vec(0.0..200.0f64, n_sources).prop_map(|rates_hz| RateSpec::PerSource { rates_hz }),
        segments,
    ]
}

/// Rates with one value at a time (`Constant`, or `Piecewise` with one rate per segment), as a
/// `PoissonInput` takes them.
pub fn single_rate_spec() -> impl Strategy<Value = RateSpec> {
    rate_spec(1).prop_map(|r| match r {
        RateSpec::PerSource { rates_hz } => RateSpec::Constant { rate_hz: rates_hz[0] },
        other => other,
    })
}

/// `PoissonGroupParams`: 1–`max_sources` sources with [`rate_spec`] rates and any method.
pub fn poisson_group_params(max_sources: usize) -> impl Strategy<Value = PoissonGroupParams> {
    (1..=max_sources.max(1))
        .prop_flat_map(|n| (Just(n), rate_spec(n), poisson_method()))
        .prop_map(|(n_sources, rates, method)| PoissonGroupParams { n_sources, rates, method })
}

/// `All`, or a non-empty set of distinct neurons of a population of `n`, in random order.
pub fn targets(n: usize) -> impl Strategy<Value = Targets> {
    let n = n.max(1);
    prop_oneof![
        Just(Targets::All),
        btree_set(0..n as u32, 1..=n)
            .prop_map(|s| s.into_iter().collect::<Vec<u32>>())
            .prop_shuffle()
            .prop_map(Targets::Indices),
    ]
}

/// `PoissonInputParams` for a population of `n_neurons` on `receptor`: 1–500 inputs,
/// [`single_rate_spec`] rates, weights in 0–`max_weight`, [`targets`].
pub fn poisson_input_params(
    n_neurons: usize,
    receptor: &str,
    max_weight: f64,
) -> impl Strategy<Value = PoissonInputParams> {
    let receptor = receptor.to_string();
    (1..=500u32, single_rate_spec(), 0.0..max_weight, targets(n_neurons)).prop_map(
        move |(n_inputs, rate, weight, targets)| PoissonInputParams {
            receptor: receptor.clone(),
            n_inputs,
            rate,
            weight,
            targets,
        },
    )
}

/// `SpikeTrainsParams`: 1–`max_sources` sources, each with up to 10 spikes at distinct
/// multiples of 0.25 ms in 0–100 ms (listed in random order).
pub fn spike_trains_params(max_sources: usize) -> impl Strategy<Value = SpikeTrainsParams> {
    (1..=max_sources.max(1)).prop_flat_map(|n| vec(btree_set(0..400u32, 0..10), n)).prop_flat_map(|per_source| {
        let n_sources = per_source.len();
        let spikes: Vec<(u32, f64)> = per_source
            .into_iter()
            .enumerate()
            .flat_map(|(i, quarters)| quarters.into_iter().map(move |q| (i as u32, q as f64 * 0.25)))
            .collect();
        Just(spikes).prop_shuffle().prop_map(move |spikes| SpikeTrainsParams { n_sources, spikes })
    })
}

/// One rectangular pulse: onset 0–100 ms, 0.1–50 ms long, −500..500 pA.
pub fn current_pulse() -> impl Strategy<Value = CurrentPulse> {
    (0.0..100.0f64, 0.1..50.0f64, -500.0..500.0f64).prop_map(|(start_ms, len, amplitude_pa)| CurrentPulse {
        start_ms,
        stop_ms: start_ms + len,
        amplitude_pa,
    })
}

/// `CurrentInjectionParams` for a population of `n_neurons`: up to 4 [`current_pulse`]s, a bias
/// of −200..200 pA, [`targets`].
pub fn current_injection_params(n_neurons: usize) -> impl Strategy<Value = CurrentInjectionParams> {
    (vec(current_pulse(), 0..=4), -200.0..200.0f64, targets(n_neurons))
        .prop_map(|(pulses, bias_pa, targets)| CurrentInjectionParams { pulses, bias_pa, targets })
}
