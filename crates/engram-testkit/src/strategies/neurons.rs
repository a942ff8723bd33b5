//! Strategies for the parameters of the engram-neurons models.
//!
//! Every value passes the type's `validate()` and keeps the model well behaved at the step
//! sizes of [`dt_ms`](super::dt_ms) (time constants of at least 1 ms, thresholds above rest),
//! so a strategy can feed a simulation as well as a round trip.

use engram_neurons::{
    AdExParams, Adaptation, ConductanceReceptor, IzhikevichParams, LifCondParams, LifCurrentParams, LifNmdaParams,
    MembraneIntegrator, ResetMode,
};
use proptest::prelude::*;

/// Forward or exponential Euler.
pub fn membrane_integrator() -> impl Strategy<Value = MembraneIntegrator> {
    prop_oneof![Just(MembraneIntegrator::Euler), Just(MembraneIntegrator::ExpEuler)]
}

/// Either reset convention of `LifCond`.
pub fn reset_mode() -> impl Strategy<Value = ResetMode> {
    prop_oneof![Just(ResetMode::Immediate), Just(ResetMode::ClampNextStep)]
}

/// Conductance channels `exc` (reversal −5..5 mV) and `inh` (−90..−65 mV), in that order, with
/// decay times of 1–20 ms, and sometimes a third excitatory channel `ob`.
pub fn conductance_receptors() -> impl Strategy<Value = Vec<ConductanceReceptor>> {
    (-5.0..5.0f64, 1.0..10.0f64, -90.0..-65.0f64, 2.0..20.0f64, proptest::option::of((-5.0..5.0f64, 1.0..40.0f64)))
        .prop_map(|(e_exc, tau_exc, e_inh, tau_inh, ob)| {
            let mut r =
                vec![ConductanceReceptor::new("exc", e_exc, tau_exc), ConductanceReceptor::new("inh", e_inh, tau_inh)];
            if let Some((e, tau)) = ob {
                r.push(ConductanceReceptor::new("ob", e, tau));
            }
            r
        })
}

/// Subthreshold and spike-triggered adaptation: `a` 0–4 nS, `b` 0–100 pA, `tau_w` 20–300 ms.
pub fn adaptation() -> impl Strategy<Value = Adaptation> {
    (0.0..4.0f64, 0.0..100.0f64, 20.0..300.0f64).prop_map(|(a_ns, b_pa, tau_w_ms)| Adaptation { a_ns, b_pa, tau_w_ms })
}

/// `LifCondParams`: g_l 1–20 nS, τ_m 5–100 ms, E_l −75..−55 mV, threshold 5–25 mV above rest,
/// reset between 5 mV below rest and 1 mV below threshold, t_ref 0–8 ms,
/// [`conductance_receptors`], optional [`adaptation`], either integrator and reset mode.
pub fn lif_cond_params() -> impl Strategy<Value = LifCondParams> {
    (
        (1.0..20.0f64, 5.0..100.0f64, -75.0..-55.0f64, 5.0..25.0f64, 0.0..1.0f64, 0.0..8.0f64),
        conductance_receptors(),
        proptest::option::of(adaptation()),
        membrane_integrator(),
        reset_mode(),
    )
        .prop_map(
            |((g_l_ns, tau_m_ms, e_l_mv, above, reset_at, t_ref_ms), receptors, adaptation, integrator, reset)| {
                let v_th_mv = e_l_mv + above;
                LifCondParams {
                    g_l_ns,
                    tau_m_ms,
                    e_l_mv,
                    v_th_mv,
                    v_reset_mv: (e_l_mv - 5.0) + reset_at * (above + 4.0),
                    t_ref_ms,
                    receptors,
                    adaptation,
                    integrator,
                    reset,
                }
            },
        )
}

/// `LifCurrentParams`: τ_m 5–50 ms, C 50–400 pF, E_l −75..−55 mV, threshold 5–25 mV above
/// rest, reset below threshold, t_ref 0–8 ms, synaptic decay times 1–20 ms.
pub fn lif_current_params() -> impl Strategy<Value = LifCurrentParams> {
    (
        (5.0..50.0f64, 50.0..400.0f64, -75.0..-55.0f64, 5.0..25.0f64, 0.0..1.0f64),
        (0.0..8.0f64, 1.0..10.0f64, 1.0..20.0f64),
    )
        .prop_map(|((tau_m_ms, c_m_pf, e_l_mv, above, reset_at), (t_ref_ms, tau_syn_exc_ms, tau_syn_inh_ms))| {
            LifCurrentParams {
                tau_m_ms,
                c_m_pf,
                e_l_mv,
                v_th_mv: e_l_mv + above,
                v_reset_mv: (e_l_mv - 5.0) + reset_at * (above + 4.0),
                t_ref_ms,
                tau_syn_exc_ms,
                tau_syn_inh_ms,
            }
        })
}

/// `AdExParams` around Brette & Gerstner (2005): C 100–400 pF, g_l 5–40 nS, E_l −75..−60 mV,
/// V_T 10–25 mV above rest, Δ_T 0.5–4 mV, V_peak 2–6 Δ_T above V_T, reset between E_l − 5
/// and V_T, t_ref 0–3 ms, a 0–8 nS, b 0–150 pA, τ_w 30–300 ms.
pub fn adex_params() -> impl Strategy<Value = AdExParams> {
    (
        (100.0..400.0f64, 5.0..40.0f64, -75.0..-60.0f64, 10.0..25.0f64, 0.5..4.0f64, 2.0..6.0f64),
        (0.0..1.0f64, 0.0..3.0f64, 0.0..8.0f64, 0.0..150.0f64, 30.0..300.0f64),
        conductance_receptors(),
        membrane_integrator(),
    )
        .prop_map(
            |(
                (c_m_pf, g_l_ns, e_l_mv, v_t_above, delta_t_mv, peak_slopes),
                (reset_at, t_ref_ms, a_ns, b_pa, tau_w_ms),
                receptors,
                integrator,
            )| {
                let v_t_mv = e_l_mv + v_t_above;
                AdExParams {
                    c_m_pf,
                    g_l_ns,
                    e_l_mv,
                    v_t_mv,
                    delta_t_mv,
                    v_peak_mv: v_t_mv + peak_slopes * delta_t_mv,
                    v_reset_mv: (e_l_mv - 5.0) + reset_at * (v_t_above + 5.0),
                    t_ref_ms,
                    a_ns,
                    b_pa,
                    tau_w_ms,
                    receptors,
                    integrator,
                }
            },
        )
}

/// `IzhikevichParams` spanning the published cell classes: a 0.01–0.1, b 0.1–0.3,
/// c −70..−45 mV, d 0.05–10, v_peak 25–35 mV, C 0.5–2 pF, synaptic decay 1–20 ms.
pub fn izhikevich_params() -> impl Strategy<Value = IzhikevichParams> {
    (
        (0.01..0.1f64, 0.1..0.3f64, -70.0..-45.0f64, 0.05..10.0f64),
        (25.0..35.0f64, 0.5..2.0f64, 1.0..10.0f64, 1.0..20.0f64),
    )
        .prop_map(|((a, b, c, d), (v_peak_mv, c_m_pf, tau_syn_exc_ms, tau_syn_inh_ms))| IzhikevichParams {
            a,
            b,
            c,
            d,
            v_peak_mv,
            c_m_pf,
            tau_syn_exc_ms,
            tau_syn_inh_ms,
        })
}

/// `LifNmdaParams` around Auryn's `IFGroup`: g_l 5–20 nS, τ_m 5–30 ms, E_l −75..−60 mV,
/// threshold 10–25 mV above rest, reset below it, threshold jump 0–100 mV relaxing in 2–10 ms,
/// E_exc −5..5 mV, E_inh −90..−70 mV, AMPA 1–10 ms, NMDA 1–20 × AMPA, GABA 2–20 ms, ratio 0–3.
pub fn lif_nmda_params() -> impl Strategy<Value = LifNmdaParams> {
    (
        (5.0..20.0f64, 5.0..30.0f64, -75.0..-60.0f64, 10.0..25.0f64, 0.0..1.0f64),
        (0.0..100.0f64, 2.0..10.0f64, -5.0..5.0f64, -90.0..-70.0f64),
        (1.0..10.0f64, 1.0..20.0f64, 2.0..20.0f64, 0.0..3.0f64),
    )
        .prop_map(
            |(
                (g_l_ns, tau_m_ms, e_l_mv, above, reset_at),
                (threshold_jump_mv, tau_threshold_ms, e_exc_mv, e_inh_mv),
                (tau_ampa_ms, nmda_factor, tau_gaba_ms, ampa_nmda_ratio),
            )| LifNmdaParams {
                g_l_ns,
                tau_m_ms,
                e_l_mv,
                v_th_mv: e_l_mv + above,
                v_reset_mv: (e_l_mv - 5.0) + reset_at * (above + 4.0),
                threshold_jump_mv,
                tau_threshold_ms,
                e_exc_mv,
                e_inh_mv,
                tau_ampa_ms,
                tau_nmda_ms: tau_ampa_ms * nmda_factor,
                tau_gaba_ms,
                ampa_nmda_ratio,
            },
        )
}
