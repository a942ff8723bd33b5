//! Strategies for the parameters of the engram-plasticity rules.
//!
//! Every value passes the type's `validate()`. Weight bounds are `w_min` in [0, 1) and `w_max`
//! 0.1–5 above it; [`with_bounds`](crate::network::RuleSpec::with_bounds) moves them to a
//! projection's weights in the random networks.

use engram_plasticity::{
    GlobalFactorIstdpParams, InhibitoryStdpParams, Interaction, PairStdpParams, PlusOneOn, RewardModulatedStdpParams,
    SlidingThreshold, SynapticScalingParams, TripletStdpParams, TsodyksMarkramParams, WeightDependence,
};
use proptest::prelude::*;

/// All-to-all or nearest-spike pairing.
pub fn interaction() -> impl Strategy<Value = Interaction> {
    prop_oneof![Just(Interaction::AllToAll), Just(Interaction::Nearest)]
}

/// Additive, or multiplicative with μ in [0, 1].
pub fn weight_dependence() -> impl Strategy<Value = WeightDependence> {
    prop_oneof![Just(WeightDependence::Additive), (0.0..=1.0f64).prop_map(|mu| WeightDependence::Multiplicative { mu })]
}

/// `(w_min, w_max)`: `w_min` in [0, 1), `w_max` 0.1–5 above it.
pub fn weight_bounds() -> impl Strategy<Value = (f64, f64)> {
    (0.0..1.0f64, 0.1..5.0f64).prop_map(|(lo, span)| (lo, lo + span))
}

/// `PairStdpParams`: windows 5–50 ms, amplitudes 0–0.05, any weight dependence and pairing.
pub fn pair_stdp_params() -> impl Strategy<Value = PairStdpParams> {
    ((5.0..50.0f64, 5.0..50.0f64, 0.0..0.05f64, 0.0..0.05f64), weight_bounds(), weight_dependence(), interaction())
        .prop_map(|((tau_plus_ms, tau_minus_ms, a_plus, a_minus), (w_min, w_max), weight_dependence, interaction)| {
            PairStdpParams { tau_plus_ms, tau_minus_ms, a_plus, a_minus, w_min, w_max, weight_dependence, interaction }
        })
}

/// `InhibitoryStdpParams`: τ 5–50 ms, ρ0 0–20 Hz, η 0–0.05, sometimes a gate in [−1, 1].
pub fn inhibitory_stdp_params() -> impl Strategy<Value = InhibitoryStdpParams> {
    ((5.0..50.0f64, 0.0..20.0f64, 0.0..0.05f64), weight_bounds(), proptest::option::of(-1.0..1.0f64)).prop_map(
        |((tau_stdp_ms, target_rate_hz, eta), (w_min, w_max), gate_threshold)| InhibitoryStdpParams {
            tau_stdp_ms,
            target_rate_hz,
            eta,
            w_min,
            w_max,
            gate_threshold,
        },
    )
}

/// `GlobalFactorIstdpParams`: traces 5–50 ms, rate estimate 10–10 000 ms, γ 0.5–20 Hz,
/// η 0–1e-3, either normalisation and placement of the "+1".
pub fn global_factor_istdp_params() -> impl Strategy<Value = GlobalFactorIstdpParams> {
    (
        (5.0..50.0f64, 10.0..10_000.0f64, 0.5..20.0f64, 0.0..1e-3f64),
        weight_bounds(),
        any::<bool>(),
        prop_oneof![Just(PlusOneOn::Pre), Just(PlusOneOn::Post)],
    )
        .prop_map(
            |((tau_stdp_ms, tau_rate_ms, target_rate_hz, eta), (w_min, w_max), normalize_by_target, plus_one_on)| {
                GlobalFactorIstdpParams {
                    tau_stdp_ms,
                    tau_rate_ms,
                    target_rate_hz,
                    eta,
                    w_min,
                    w_max,
                    normalize_by_target,
                    plus_one_on,
                }
            },
        )
}

/// A sliding LTD threshold: τ 100–20 000 ms, κ 0.5–20 Hz.
pub fn sliding_threshold() -> impl Strategy<Value = SlidingThreshold> {
    (100.0..20_000.0f64, 0.5..20.0f64).prop_map(|(tau_ms, target_rate_hz)| SlidingThreshold { tau_ms, target_rate_hz })
}

/// `TripletStdpParams`: fast traces 5–50 ms, slow ones 50–200 ms, amplitudes 0–0.01, any
/// pairing, sometimes a sliding threshold.
pub fn triplet_stdp_params() -> impl Strategy<Value = TripletStdpParams> {
    (
        (5.0..50.0f64, 5.0..50.0f64, 50.0..200.0f64, 50.0..200.0f64),
        (0.0..0.01f64, 0.0..0.01f64, 0.0..0.01f64, 0.0..0.01f64),
        weight_bounds(),
        interaction(),
        proptest::option::of(sliding_threshold()),
    )
        .prop_map(
            |(
                (tau_plus_ms, tau_minus_ms, tau_x_ms, tau_y_ms),
                (a2_plus, a3_plus, a2_minus, a3_minus),
                (w_min, w_max),
                interaction,
                sliding_threshold,
            )| TripletStdpParams {
                tau_plus_ms,
                tau_minus_ms,
                tau_x_ms,
                tau_y_ms,
                a2_plus,
                a3_plus,
                a2_minus,
                a3_minus,
                w_min,
                w_max,
                interaction,
                sliding_threshold,
            },
        )
}

/// `TsodyksMarkramParams`: U in (0, 1], recovery 10–1000 ms, facilitation 0 (none) or
/// 10–1000 ms.
pub fn tsodyks_markram_params() -> impl Strategy<Value = TsodyksMarkramParams> {
    (0.01..=1.0f64, 10.0..1000.0f64, prop_oneof![Just(0.0), 10.0..1000.0f64])
        .prop_map(|(u_se, tau_rec_ms, tau_fac_ms)| TsodyksMarkramParams { u_se, tau_rec_ms, tau_fac_ms })
}

/// `SynapticScalingParams`: sensor 10–100 000 ms, target 0–20 Hz, gains up to 1e-3 and 1e-5,
/// applied every 0.5–100 ms.
pub fn synaptic_scaling_params() -> impl Strategy<Value = SynapticScalingParams> {
    ((10.0..100_000.0f64, 0.0..20.0f64, 0.0..1e-3f64, 0.0..1e-5f64, 0.5..100.0f64), weight_bounds()).prop_map(
        |((tau_sensor_ms, target_rate_hz, beta_per_s_hz, gamma_per_s2_hz, update_every_ms), (w_min, w_max))| {
            SynapticScalingParams {
                tau_sensor_ms,
                target_rate_hz,
                beta_per_s_hz,
                gamma_per_s2_hz,
                update_every_ms,
                w_min,
                w_max,
            }
        },
    )
}

/// `RewardModulatedStdpParams`: windows 5–50 ms, tags 0–0.2, eligibility 50–2000 ms, learning
/// rate 0–0.1 per ms, modulator offset −0.01..0.01, any pairing, applied every step or in
/// batches of 0.1–20 ms.
pub fn reward_modulated_stdp_params() -> impl Strategy<Value = RewardModulatedStdpParams> {
    (
        (5.0..50.0f64, 5.0..50.0f64, 0.0..0.2f64, 0.0..0.2f64),
        (50.0..2000.0f64, 0.0..0.1f64, -0.01..0.01f64),
        weight_bounds(),
        (interaction(), proptest::option::of(0.1..20.0f64)),
    )
        .prop_map(
            |(
                (tau_plus_ms, tau_minus_ms, a_plus, a_minus),
                (tau_eligibility_ms, learning_rate_per_ms, modulator_offset),
                (w_min, w_max),
                (interaction, apply_every_ms),
            )| RewardModulatedStdpParams {
                tau_plus_ms,
                tau_minus_ms,
                a_plus,
                a_minus,
                tau_eligibility_ms,
                learning_rate_per_ms,
                modulator_offset,
                w_min,
                w_max,
                interaction,
                apply_every_ms,
            },
        )
}
