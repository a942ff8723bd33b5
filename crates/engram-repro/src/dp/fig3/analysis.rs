//! The analyses of Fig. 3: per recording (the measures of each morph step; the group rates
//! around partial stimulation), then over networks (the curves and ratios of the summary).

use engram_analysis::correlation::pearson_correlation;
use engram_analysis::cotuning::voltage_clamp_current_pa;
use engram_models::dp::completion::MorphSet;
use engram_models::dp::metrics::mean_of;
use engram_models::dp::network::DpConnectivity;
use engram_models::dp::simulate::{DpRecording, WindowKind};
use serde::{Deserialize, Serialize};

use super::{AlongMorph, DRIVING_FORCE_MV, GroupRateStats, MorphCurve, StimulationVariant};
use crate::dp::MeanSd;

/// Measures of one morph step in one network.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct StepStats {
    /// Input correlation with the target.
    pub input_r: f64,
    /// Output correlation with the target (different trials only).
    pub output_r: f64,
    /// Rate of the target's assembly (pseudo-assembly in rand), Hz.
    pub assembly_hz: f64,
    /// Rate of the target's assembly in the 500 ms after odor offset (persistence), Hz.
    pub post_assembly_hz: f64,
    /// Rate of neurons in no assembly, Hz.
    pub non_assembly_hz: f64,
    /// Mean E rate, Hz.
    pub e_hz: f64,
    /// OB input current, assembly, pA.
    pub ob_assembly_pa: f64,
    /// OB input current, no assembly, pA.
    pub ob_non_pa: f64,
    /// Recurrent E current, assembly, pA.
    pub exc_assembly_pa: f64,
    /// Recurrent E current, no assembly, pA.
    pub exc_non_pa: f64,
    /// I current (magnitude), assembly, pA.
    pub inh_assembly_pa: f64,
    /// I current (magnitude), no assembly, pA.
    pub inh_non_pa: f64,
}

fn mean_over(values: &[f64], set: &[u32]) -> f64 {
    mean_of(set.iter().map(|&i| values[i as usize]))
}

/// Per-step measures of both morphs from a recording of `set`, with `assembly` the target's
/// (pseudo-)assembly.
pub fn analyse_morphs(rec: &DpRecording, set: &MorphSet, net: &DpConnectivity, assembly: usize) -> [Vec<StepStats>; 2] {
    let asm = net.assemblies[assembly].members();
    let outside = net.non_assembly();
    let odor_w: Vec<usize> = rec.windows_of(WindowKind::Odor).collect();
    assert!(
        odor_w.iter().all(|&w| rec.windows.get(w + 1).is_some_and(|p| p.kind == WindowKind::Post)),
        "analyse_morphs needs the windows of morph_protocol (odor, then post)"
    );
    let windows_of =
        |o: usize| -> Vec<usize> { odor_w.iter().copied().filter(|&w| rec.windows[w].odor == o).collect() };
    let target = *set.steps[0].last().expect("at least two steps");
    let target_w = windows_of(target);
    let rates: Vec<Vec<f64>> = (0..rec.windows.len()).map(|w| rec.e_rates_hz(w)).collect();
    let r = |a: usize, b: usize| pearson_correlation(&rates[a], &rates[b]).unwrap_or(f64::NAN);
    let per_morph = |m: usize| -> Vec<StepStats> {
        set.steps[m]
            .iter()
            .enumerate()
            .map(|(s, &o)| {
                let ws = windows_of(o);
                let output_r = if o == target {
                    mean_of(
                        ws.iter()
                            .enumerate()
                            .flat_map(|(i, &a)| ws[i + 1..].iter().map(move |&b| (a, b)))
                            .map(|(a, b)| r(a, b)),
                    )
                } else {
                    mean_of(ws.iter().flat_map(|&a| target_w.iter().map(move |&b| (a, b))).map(|(a, b)| r(a, b)))
                };
                let avg = |f: &dyn Fn(usize) -> f64| mean_of(ws.iter().map(|&w| f(w)));
                let cur = |g: &Vec<Vec<f64>>, set: &[u32]| {
                    avg(&|w| voltage_clamp_current_pa(mean_over(&g[w], set), DRIVING_FORCE_MV))
                };
                StepStats {
                    input_r: set.input_r[m][s],
                    output_r,
                    assembly_hz: avg(&|w| mean_over(&rates[w], asm)),
                    post_assembly_hz: avg(&|w| mean_over(&rates[w + 1], asm)),
                    non_assembly_hz: avg(&|w| mean_over(&rates[w], &outside)),
                    e_hz: avg(&|w| mean_of(rates[w].iter().copied())),
                    ob_assembly_pa: cur(&rec.g_ob_ns, asm),
                    ob_non_pa: cur(&rec.g_ob_ns, &outside),
                    exc_assembly_pa: cur(&rec.g_exc_ns, asm),
                    exc_non_pa: cur(&rec.g_exc_ns, &outside),
                    inh_assembly_pa: cur(&rec.g_inh_ns, asm),
                    inh_non_pa: cur(&rec.g_inh_ns, &outside),
                }
            })
            .collect()
    };
    [per_morph(0), per_morph(1)]
}

/// Rates (Hz) of the neuron groups of one stimulated assembly in one window kind.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct GroupRates {
    /// Injected neurons.
    pub injected: f64,
    /// The other members of the stimulated assembly.
    pub other_members: f64,
    /// Neurons in no assembly.
    pub non_assembly: f64,
    /// All E neurons.
    pub all: f64,
}

/// Group rates in the pre, during and post windows, averaged over the stimulated assemblies.
pub fn analyse_stimulation(rec: &DpRecording, net: &DpConnectivity, injected: &[Vec<u32>]) -> [GroupRates; 3] {
    let outside = net.non_assembly();
    [WindowKind::Pre, WindowKind::Odor, WindowKind::Post].map(|kind| {
        let per: Vec<GroupRates> = rec
            .windows_of(kind)
            .map(|w| {
                let k = rec.windows[w].odor;
                let rates = rec.e_rates_hz(w);
                let others: Vec<u32> = net.assemblies[k]
                    .members()
                    .iter()
                    .copied()
                    .filter(|i| injected[k].binary_search(i).is_err())
                    .collect();
                GroupRates {
                    injected: mean_over(&rates, &injected[k]),
                    other_members: mean_over(&rates, &others),
                    non_assembly: mean_over(&rates, &outside),
                    all: mean_of(rates.iter().copied()),
                }
            })
            .collect();
        GroupRates {
            injected: mean_of(per.iter().map(|g| g.injected)),
            other_members: mean_of(per.iter().map(|g| g.other_members)),
            non_assembly: mean_of(per.iter().map(|g| g.non_assembly)),
            all: mean_of(per.iter().map(|g| g.all)),
        }
    })
}

/// Least-squares slope of y on x.
fn slope(points: &[(f64, f64)]) -> f64 {
    let n = points.len() as f64;
    if points.len() < 2 {
        return f64::NAN;
    }
    let (mx, my) = (points.iter().map(|p| p.0).sum::<f64>() / n, points.iter().map(|p| p.1).sum::<f64>() / n);
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    sxy / sxx
}

/// Shape measures of one morph curve (one network): slopes of output on input correlation far
/// from (target fraction ≤ 0.4) and near the target (0.6 ≤ fraction < 1), the steepest step
/// (Δ output / Δ input between consecutive steps), and the mean excess of output over input
/// correlation at fractions 0.5 … < 1.
fn shape(steps: &[StepStats], fraction: &[f64]) -> [f64; 4] {
    let pts = |lo: f64, hi: f64| -> Vec<(f64, f64)> {
        steps
            .iter()
            .zip(fraction)
            .filter(|(_, f)| **f >= lo - 1e-9 && **f < hi - 1e-9)
            .map(|(s, _)| (s.input_r, s.output_r))
            .collect()
    };
    let far = slope(&pts(0.0, 0.41));
    let near = slope(&pts(0.6, 1.0));
    let steepest = steps
        .windows(2)
        .map(|w| (w[1].output_r - w[0].output_r) / (w[1].input_r - w[0].input_r))
        .filter(|x| x.is_finite())
        .fold(f64::NEG_INFINITY, f64::max);
    let excess = mean_of(pts(0.5, 1.0).iter().map(|(i, o)| o - i));
    [far, near, steepest, excess]
}

/// Mean ± SD over networks of `f` at every step of morph `m`.
fn step_stats(runs: &[[Vec<StepStats>; 2]], m: usize, f: fn(&StepStats) -> f64) -> Vec<MeanSd> {
    let n_steps = runs.first().map_or(0, |r| r[m].len());
    (0..n_steps).map(|s| MeanSd::of_finite(&runs.iter().map(|r| f(&r[m][s])).collect::<Vec<_>>())).collect()
}

/// The curve of morph `m` (0: N→L, with the rates and currents along it; 1: L'→L) over
/// networks; `fraction` is the target's fraction at each step.
pub fn morph_curve(runs: &[[Vec<StepStats>; 2]], m: usize, fraction: &[f64]) -> MorphCurve {
    let shapes: Vec<[f64; 4]> = runs.iter().map(|r| shape(&r[m], fraction)).collect();
    let col = |k: usize| MeanSd::of_finite(&shapes.iter().map(|s| s[k]).collect::<Vec<_>>());
    let along = |f: fn(&StepStats) -> f64| step_stats(runs, m, f);
    MorphCurve {
        fraction_target: fraction.to_vec(),
        input_r: along(|s| s.input_r),
        output_r: along(|s| s.output_r),
        slope_far: col(0),
        slope_near_target: col(1),
        steepest_step_slope: col(2),
        mean_output_minus_input_near_target: col(3),
        along_morph: (m == 0).then(|| AlongMorph {
            assembly_hz: along(|s| s.assembly_hz),
            post_assembly_hz: along(|s| s.post_assembly_hz),
            non_assembly_hz: along(|s| s.non_assembly_hz),
            e_hz: along(|s| s.e_hz),
            ob_assembly_pa: along(|s| s.ob_assembly_pa),
            ob_non_pa: along(|s| s.ob_non_pa),
            exc_assembly_pa: along(|s| s.exc_assembly_pa),
            exc_non_pa: along(|s| s.exc_non_pa),
            inh_assembly_pa: along(|s| s.inh_assembly_pa),
            inh_non_pa: along(|s| s.inh_non_pa),
            net_recurrent_assembly_pa: along(|s| s.exc_assembly_pa - s.inh_assembly_pa),
            net_recurrent_non_pa: along(|s| s.exc_non_pa - s.inh_non_pa),
        }),
    }
}

/// Partial stimulation of one variant over networks: `runs` and `rand_runs` (the same
/// networks as rand) hold the group rates before, during and after the step per network.
pub fn stimulation_variant(
    runs: &[[GroupRates; 3]],
    rand_runs: &[[GroupRates; 3]],
    label: String,
) -> StimulationVariant {
    let over = |f: &dyn Fn(&[GroupRates; 3]) -> f64| MeanSd::of_finite(&runs.iter().map(f).collect::<Vec<_>>());
    let window = |w: usize| GroupRateStats {
        injected: over(&|r| r[w].injected),
        other_members: over(&|r| r[w].other_members),
        no_assembly: over(&|r| r[w].non_assembly),
        all_e: over(&|r| r[w].all),
    };
    // per network: other members / no assembly (during); other members / the same network's
    // rand other members; all-E rate change during vs before.
    let vs_rand: Vec<f64> = runs.iter().zip(rand_runs).map(|(r, q)| r[1].other_members / q[1].other_members).collect();
    StimulationVariant {
        before: window(0),
        during: window(1),
        after: window(2),
        other_members_over_no_assembly_during: over(&|r| r[1].other_members / r[1].non_assembly),
        other_members_vs_rand_during: MeanSd::of_finite(&vs_rand),
        all_e_rate_change_hz: over(&|r| r[1].all - r[0].all),
        label,
    }
}
