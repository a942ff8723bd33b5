//! Strategies for the model configs and experiments of engram-models (feature `models`).
//!
//! Every value passes `validate()`: sizes fit the connection probability, the step is below
//! the model's shortest time constant, the duration is a whole number of steps and longer
//! than the delay, and recorded state variables and neurons exist.

use engram_models::coba::{CobaConfig, CobaVariant, Scaling};
use engram_models::cuba::CubaConfig;
use engram_models::experiment::{Experiment, ModelConfig, RecordConfig, RunConfig, StateRecord};
use engram_sim::npy::OutputFormat;
use engram_sim::{DivergenceGuard, RunawayAction};
use proptest::collection::vec;
use proptest::prelude::*;

use super::neurons::{lif_cond_params, lif_current_params};

/// Fixed in-degree or fixed probability.
pub fn scaling() -> impl Strategy<Value = Scaling> {
    prop_oneof![Just(Scaling::FixedK), Just(Scaling::FixedP)]
}

/// Any published COBA variant.
pub fn coba_variant() -> impl Strategy<Value = CobaVariant> {
    prop_oneof![Just(CobaVariant::Brette2007), Just(CobaVariant::Driven), Just(CobaVariant::Auryn)]
}

/// `(n, exc_fraction, connection_probability, scaling)` of a random E/I network of 50–`max_n`
/// neurons whose probability stays ≤ 1 at this size (p at 4000 neurons ≤ min(0.05, n/4000)).
fn shape(max_n: usize) -> impl Strategy<Value = (usize, f64, f64, Scaling)> {
    (50..=max_n.max(50), 0.5..0.9f64, scaling()).prop_flat_map(|(n, exc_fraction, scaling)| {
        let p_max = (n as f64 / 4000.0).min(0.05);
        (Just(n), Just(exc_fraction), 0.001..p_max, Just(scaling))
    })
}

/// `CobaConfig` of 50–`max_n` neurons: any variant and scaling, [`lif_cond_params`] neurons,
/// optional weights (0–10 and 0–100 nS), delay 0–2 ms.
pub fn coba_config(max_n: usize) -> impl Strategy<Value = CobaConfig> {
    (
        shape(max_n),
        coba_variant(),
        lif_cond_params(),
        proptest::option::of(0.0..10.0f64),
        proptest::option::of(0.0..100.0f64),
        0.0..2.0f64,
    )
        .prop_map(
            |((n, exc_fraction, connection_probability, scaling), variant, neuron, w_exc_ns, w_inh_ns, delay_ms)| {
                CobaConfig {
                    n,
                    exc_fraction,
                    connection_probability,
                    scaling,
                    variant,
                    neuron,
                    w_exc_ns,
                    w_inh_ns,
                    delay_ms,
                }
            },
        )
}

/// `CubaConfig` of 50–`max_n` neurons: [`lif_current_params`] neurons, jumps of 0–5 mV and
/// −20..0 mV, delay 0–2 ms.
pub fn cuba_config(max_n: usize) -> impl Strategy<Value = CubaConfig> {
    (shape(max_n), lif_current_params(), 0.0..5.0f64, -20.0..0.0f64, 0.0..2.0f64).prop_map(
        |((n, exc_fraction, connection_probability, scaling), neuron, w_exc_mv, w_inh_mv, delay_ms)| CubaConfig {
            n,
            exc_fraction,
            connection_probability,
            scaling,
            neuron,
            w_exc_mv,
            w_inh_mv,
            delay_ms,
        },
    )
}

/// Either model, of 50–`max_n` neurons.
pub fn model_config(max_n: usize) -> impl Strategy<Value = ModelConfig> {
    prop_oneof![coba_config(max_n).prop_map(ModelConfig::Coba), cuba_config(max_n).prop_map(ModelConfig::Cuba)]
}

/// A divergence guard: checks every 1–50 ms, optional fixed ceiling 10–2000 Hz, either action.
pub fn divergence_guard() -> impl Strategy<Value = DivergenceGuard> {
    (
        1.0..50.0f64,
        proptest::option::of(10.0..2000.0f64),
        prop_oneof![Just(RunawayAction::Stop), Just(RunawayAction::Warn)],
    )
        .prop_map(|(check_every_ms, max_rate_hz, on_runaway)| DivergenceGuard {
            check_every_ms,
            max_rate_hz,
            on_runaway,
        })
}

/// `RunConfig` with step `dt_ms`: 200–5000 whole steps (at least 2 ms), any seed, 1–8 threads.
pub fn run_config(dt_ms: f64) -> impl Strategy<Value = RunConfig> {
    let steps = (200u32..=5000).prop_filter("at least 2 ms", move |&k| k as f64 * dt_ms >= 2.0);
    (steps, super::seed(), 1..=8usize, divergence_guard(), 0..100_000usize).prop_map(
        move |(k, seed, threads, divergence, parallel_min_neurons)| RunConfig {
            duration_s: k as f64 * dt_ms / 1000.0,
            dt_ms,
            seed,
            threads,
            divergence,
            parallel_min_neurons,
        },
    )
}

/// `RecordConfig` for `model`: up to 3 state records of variables and neurons that exist, every
/// 0–10 ms, any format.
pub fn record_config(model: &ModelConfig) -> impl Strategy<Value = RecordConfig> + use<> {
    let populations = model.populations().expect("a valid model config");
    let record = (0..populations.len()).prop_flat_map(move |k| {
        let p = populations[k].clone();
        (
            proptest::sample::select(p.state_names.clone()),
            vec(0..p.n as u32, 0..5),
            prop_oneof![Just(0.0), 0.0..10.0f64],
        )
            .prop_map(move |(variable, neurons, every_ms)| StateRecord {
                population: p.name.clone(),
                variable,
                neurons,
                every_ms,
            })
    });
    (
        any::<bool>(),
        0.1..50.0f64,
        vec(record, 0..=3),
        prop_oneof![Just(OutputFormat::Npy), Just(OutputFormat::Csv)],
        any::<bool>(),
    )
        .prop_map(|(spikes, rate_bin_ms, state, format, figure)| RecordConfig {
            spikes,
            rate_bin_ms,
            state,
            format,
            figure,
        })
}

/// A whole `Experiment` of 50–`max_n` neurons: [`model_config`], a step from
/// [`dt_ms`](super::dt_ms), [`run_config`] and [`record_config`].
pub fn experiment(max_n: usize) -> impl Strategy<Value = Experiment> {
    (model_config(max_n), super::dt_ms()).prop_flat_map(|(model, dt_ms)| {
        let record = record_config(&model);
        (Just(model), run_config(dt_ms), record).prop_map(|(model, run, record)| Experiment { model, run, record })
    })
}
