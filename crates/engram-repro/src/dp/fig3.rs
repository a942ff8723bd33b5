//! Fig. 3 (and Fig. 3—S1A): pattern completion along odor morphs, the inputs behind it, and
//! partial assembly stimulation.
//!
//! - 3A/B: per network, two morphs of 11 steps (`engram_stimuli::odor::morph`, ±1 Hz rate
//!   jitter at mixed steps) ending in the same learned target odor L: from a novel odor N
//!   (N→L) and from another learned odor L' (L'→L, the paper's "between learned odors").
//!   Network `i` uses L = learned `i mod 10` (assembly `i mod 10`), L' = learned `i+1 mod 10`,
//!   N = novel `i mod 10`. The 21 distinct odors are shown twice, each block of 21 trials in
//!   its own random order (the paper gives no order). Trials: 1 s baseline, then 1.5 s of odor
//!   (the analysis window; the paper's odors last 2 s, shortened to fit the CPU budget).
//!   x: input correlation = Pearson r of the MC rate vectors of the step and of L, averaged
//!   over the first 1.5 s of odor (`input_correlation_over`, exact rates). y: output
//!   correlation = Pearson r of E rate vectors (first 1.5 s of odor) of the step and of L,
//!   always between *different* trials (step trial × L trial, 4 pairs; for L itself its two
//!   trials), so trial noise does not inflate r at the target. Variants: rand, Scaled I,
//!   Tuned E+I (Tuned I left out to stay within the CPU budget). Mean over networks.
//! - Reset between trials (our addition): Scaled I networks keep a learned odor's assembly
//!   firing after the odor (persistent attractor, claim 3) and, in one simulation of many
//!   trials, one attractor could then dominate all later trials (seen in a first version
//!   without reset: output r ≈ 0.5 already for the pure novel odor, in random order). So
//!   500–700 ms after each odor offset every E neuron gets −100 pA, which silences that
//!   activity, and each trial starts from the spontaneous state, as in a fresh simulation.
//!   Persistence is still measured, in the 500 ms after offset, before the reset. rand and
//!   Tuned networks have no persistent activity, so the reset does not change them.
//! - 3C–F: along N→L, for assembly L (pseudo-assembly in rand) and for neurons in no
//!   assembly: rate, and the hypothetical voltage-clamp currents of the recorded mean
//!   conductances in the first 1.5 s of odor, with a fixed 70 mV driving force for both E and
//!   I (as in Fig. 1E; docs/models/dp.md#balance-measures): OB input = g_OB·70 mV, recurrent E =
//!   g_EE·70 mV, I = g_I·70 mV (magnitudes), net recurrent = E − I. Absolute values, not
//!   baseline-subtracted.
//! - 3—S1A: baseline OB input only (6 Hz, no odor); 28 pA for 500 ms into a random half of
//!   assembly k, k = 0..9 in sequence, onsets 2 s apart, with the same reset 500–700 ms after
//!   each step. Windows: the 500 ms before (pre), during and after (post) each step. Rates of
//!   the injected neurons, of the other members of assembly k, of neurons in no assembly and
//!   of all E neurons; rand, Scaled I, Tuned I, Tuned E+I.
//!
//! `--quick`: 6 morph steps (0, 20, …, 100 % target) and 5 stimulated assemblies.

use engram_analysis::correlation::pearson_correlation;
use engram_analysis::cotuning::voltage_clamp_current_pa;
use engram_core::error::EngramError;
use engram_core::rng::component_id;
use engram_models::dp::completion::{
    ANALYSIS_MS, BASELINE_MS, INJECTION_MS, INJECTION_PA, MorphSet, ODOR_MS, RESET_DELAY_MS, RESET_MS, RESET_PA,
    morph_protocol, stimulation_protocol,
};
use engram_models::dp::metrics::mean_of;
use engram_models::dp::network::DpConnectivity;
use engram_models::dp::params::Variant;
use engram_models::dp::simulate::{DpRecording, WindowKind, simulate};
use engram_plot::{BarPanel, Figure, LinePanel};
use serde::Serialize;
use serde_json::json;

use super::basic::VARIANTS;
use super::finite_mean_sd as mean_sd;
use super::{Context, plot_err, write_json};

/// Variants of the morph experiment (Tuned I is optional in the paper's Fig. 3A).
pub const MORPH_VARIANTS: [Variant; 3] = [Variant::Rand, Variant::SCALED_I, Variant::TUNED_EI];
/// Driving force of the hypothetical voltage-clamp currents, mV.
pub const DRIVING_FORCE_MV: f64 = 70.0;

/// Measures of one morph step in one network.
#[derive(Clone, Debug, Default, Serialize)]
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
#[derive(Clone, Copy, Debug, Default, Serialize)]
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

/// A named measure.
type Field<T> = (&'static str, fn(&T) -> f64);

#[derive(Clone, Copy)]
enum Job {
    Morph(usize, Variant),
    Stim(usize, Variant),
}

enum Outcome {
    Morph([Vec<StepStats>; 2]),
    Stim([GroupRates; 3]),
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

/// Run Fig. 3 and Fig. 3—S1A.
pub fn run(ctx: &Context) -> Result<serde_json::Value, EngramError> {
    let t0 = std::time::Instant::now();
    let cpu0 = engram_sim::cputime::process_cpu_s();
    let dir = ctx.figure_dir("fig3")?;
    let quick = ctx.options.quick;
    let n_steps = if quick { 6 } else { 11 };
    let n_stim = if quick { 5 } else { 10 };
    let trials = 2;
    let n_inst = ctx.instances.len();
    let sets: Vec<(MorphSet, usize)> = (0..n_inst)
        .map(|i| {
            let (l, l2, nv) = (i % 10, (i + 1) % 10, i % 10);
            let seed = ctx.instances[i].network_seed ^ component_id("fig3:morph");
            let set = morph_protocol(
                &ctx.odors.novel[nv],
                &ctx.odors.learned[l2],
                &ctx.odors.learned[l],
                n_steps,
                trials,
                Some(ctx.instances[i].config.n_exc),
                seed,
            )?;
            Ok((set, l))
        })
        .collect::<Result<_, EngramError>>()?;
    let mut jobs: Vec<Job> = (0..n_inst).flat_map(|i| MORPH_VARIANTS.iter().map(move |&v| Job::Morph(i, v))).collect();
    jobs.extend((0..n_inst).flat_map(|i| VARIANTS.iter().map(move |&v| Job::Stim(i, v))));
    let results = ctx.run_jobs("Fig 3: morphs, stimulation", &jobs, |&job| {
        let (i, variant) = match job {
            Job::Morph(i, v) | Job::Stim(i, v) => (i, v),
        };
        let inst = &ctx.instances[i];
        let (net, _) = inst.base.with_variant(&inst.config, variant, inst.network_seed)?;
        match job {
            Job::Morph(..) => {
                let (set, asm) = &sets[i];
                let rec = simulate(&inst.config, &net, &set.protocol, inst.network_seed ^ 0xF163, ctx.dt_ms, None)?;
                Ok(Outcome::Morph(analyse_morphs(&rec, set, &net, *asm)))
            }
            Job::Stim(..) => {
                let seed = inst.network_seed ^ component_id("fig3:stim");
                let (protocol, injected) = stimulation_protocol(&net, &ctx.odors.learned[0], n_stim, true, seed);
                let rec = simulate(&inst.config, &net, &protocol, seed, ctx.dt_ms, None)?;
                Ok(Outcome::Stim(analyse_stimulation(&rec, &net, &injected)))
            }
        }
    })?;
    let fraction = sets[0].0.fraction.clone();
    let morph_names = ["novel_to_learned", "learned_to_learned"];
    let morph_labels = ["N → L", "L' → L"];

    // Morph results: [variant][network] → per morph steps.
    let morph_runs = |v: Variant| -> Vec<&[Vec<StepStats>; 2]> {
        jobs.iter()
            .zip(&results)
            .filter_map(|(j, o)| match (j, o) {
                (Job::Morph(_, jv), Outcome::Morph(m)) if *jv == v => Some(m),
                _ => None,
            })
            .collect()
    };
    let step_mean = |runs: &[&[Vec<StepStats>; 2]], m: usize, f: fn(&StepStats) -> f64| -> Vec<(f64, f64)> {
        (0..n_steps).map(|s| mean_sd(&runs.iter().map(|r| f(&r[m][s])).collect::<Vec<_>>())).collect()
    };
    let mut morph_json = serde_json::Map::new();
    let mut ab = Figure::new(1, 2)
        .title("Fig. 3A/B — output vs input correlation along morphs to a learned odor L (mean over networks)")
        .size(1500, 620);
    let mut ab_panels: Vec<LinePanel> = morph_labels
        .iter()
        .map(|l| LinePanel::new(&format!("{l} (target L)"), "input correlation with L", "output correlation with L"))
        .collect();
    let mut cf = Figure::new(MORPH_VARIANTS.len(), 4)
        .title("Fig. 3C–F — along the N → L morph: assembly L vs neurons in no assembly (currents = g · 70 mV)")
        .size(2000, 480 * MORPH_VARIANTS.len() as u32);
    for v in MORPH_VARIANTS {
        let runs = morph_runs(v);
        let mut vj = serde_json::Map::new();
        for m in 0..2 {
            let input = step_mean(&runs, m, |s| s.input_r);
            let output = step_mean(&runs, m, |s| s.output_r);
            let shapes: Vec<[f64; 4]> = runs.iter().map(|r| shape(&r[m], &fraction)).collect();
            let col = |k: usize| mean_sd(&shapes.iter().map(|s| s[k]).collect::<Vec<_>>());
            let mut mj = json!({
                "fraction_target": fraction,
                "input_r": input,
                "output_r": output,
                "slope_far": col(0),
                "slope_near_target": col(1),
                "steepest_step_slope": col(2),
                "mean_output_minus_input_near_target": col(3),
            });
            if m == 0 {
                let fields: [Field<StepStats>; 10] = [
                    ("assembly_hz", |s| s.assembly_hz),
                    ("post_assembly_hz", |s| s.post_assembly_hz),
                    ("non_assembly_hz", |s| s.non_assembly_hz),
                    ("e_hz", |s| s.e_hz),
                    ("ob_assembly_pa", |s| s.ob_assembly_pa),
                    ("ob_non_pa", |s| s.ob_non_pa),
                    ("exc_assembly_pa", |s| s.exc_assembly_pa),
                    ("exc_non_pa", |s| s.exc_non_pa),
                    ("inh_assembly_pa", |s| s.inh_assembly_pa),
                    ("inh_non_pa", |s| s.inh_non_pa),
                ];
                for (name, f) in fields {
                    mj[name] = json!(step_mean(&runs, 0, f));
                }
                let x: Vec<f64> = fraction.iter().map(|f| 100.0 * f).collect();
                let line = |f: fn(&StepStats) -> f64| -> Vec<(f64, f64)> {
                    x.iter().zip(step_mean(&runs, 0, f)).map(|(&x, (y, _))| (x, y)).collect()
                };
                let net_rec = |s: &StepStats| s.exc_assembly_pa - s.inh_assembly_pa;
                let net_non = |s: &StepStats| s.exc_non_pa - s.inh_non_pa;
                mj["net_recurrent_assembly_pa"] = json!(step_mean(&runs, 0, net_rec));
                mj["net_recurrent_non_pa"] = json!(step_mean(&runs, 0, net_non));
                let xl = "% of target L";
                let l = v.label();
                cf = cf
                    .panel(
                        LinePanel::new(&format!("C: rate — {l}"), xl, "rate (Hz)")
                            .series("assembly L", &line(|s| s.assembly_hz))
                            .series("assembly L, 0.5 s after offset", &line(|s| s.post_assembly_hz))
                            .series("no assembly", &line(|s| s.non_assembly_hz))
                            .series("all E", &line(|s| s.e_hz)),
                    )
                    .panel(
                        LinePanel::new(&format!("D: OB input — {l}"), xl, "current (pA)")
                            .series("assembly L", &line(|s| s.ob_assembly_pa))
                            .series("no assembly", &line(|s| s.ob_non_pa)),
                    )
                    .panel(
                        LinePanel::new(&format!("E: net recurrent (E − I) — {l}"), xl, "current (pA)")
                            .series("assembly L", &line(net_rec))
                            .series("no assembly", &line(net_non)),
                    )
                    .panel(
                        LinePanel::new(&format!("F: recurrent E and I — {l}"), xl, "|current| (pA)")
                            .series("E, assembly L", &line(|s| s.exc_assembly_pa))
                            .series("I, assembly L", &line(|s| s.inh_assembly_pa))
                            .series("E, no assembly", &line(|s| s.exc_non_pa))
                            .series("I, no assembly", &line(|s| s.inh_non_pa)),
                    );
            }
            let pts: Vec<(f64, f64)> = input.iter().zip(&output).map(|(i, o)| (i.0, o.0)).collect();
            ab_panels[m] = std::mem::take(&mut ab_panels[m]).series(&v.label(), &pts);
            vj.insert(morph_names[m].into(), mj);
        }
        vj.insert("label".into(), v.label().into());
        morph_json.insert(v.name().into(), vj.into());
    }
    for p in ab_panels {
        ab = ab.panel(p.series("output = input", &[(0.0, 0.0), (1.0, 1.0)]));
    }
    ab.save(dir.join("fig3ab_morphs")).map_err(plot_err)?;
    cf.save(dir.join("fig3cf_currents")).map_err(plot_err)?;

    // Partial stimulation.
    let stim_runs = |v: Variant| -> Vec<[GroupRates; 3]> {
        jobs.iter()
            .zip(&results)
            .filter_map(|(j, o)| match (j, o) {
                (Job::Stim(_, jv), Outcome::Stim(s)) if *jv == v => Some(*s),
                _ => None,
            })
            .collect()
    };
    let rand_runs = stim_runs(Variant::Rand);
    let mut stim_json = serde_json::Map::new();
    let names: Vec<String> = VARIANTS.iter().map(|v| v.name().to_string()).collect();
    let cats: Vec<&str> = names.iter().map(String::as_str).collect();
    let groups: [Field<GroupRates>; 4] = [
        ("injected", |g| g.injected),
        ("other members", |g| g.other_members),
        ("no assembly", |g| g.non_assembly),
        ("all E", |g| g.all),
    ];
    let mut during = BarPanel::new("during the 28 pA step (500 ms)", "rate (Hz)", &cats);
    let mut before = BarPanel::new("500 ms before the step", "rate (Hz)", &cats);
    let mut after = BarPanel::new("500 ms after the step", "rate (Hz)", &cats);
    let stats = |v: Variant, window: usize, f: fn(&GroupRates) -> f64| -> (f64, f64) {
        mean_sd(&stim_runs(v).iter().map(|r| f(&r[window])).collect::<Vec<_>>())
    };
    for (name, f) in groups {
        for (panel, window) in [(&mut before, 0), (&mut during, 1), (&mut after, 2)] {
            let s: Vec<(f64, f64)> = VARIANTS.iter().map(|&v| stats(v, window, f)).collect();
            *panel = std::mem::take(panel).group(
                name,
                &s.iter().map(|x| x.0).collect::<Vec<_>>(),
                &s.iter().map(|x| x.1).collect::<Vec<_>>(),
            );
        }
    }
    let mut ratio_panel = BarPanel::new("recruitment during the step", "ratio", &cats);
    let mut ratios = Vec::new();
    for v in VARIANTS {
        let runs = stim_runs(v);
        // per network: other members / no assembly (during); other members / the same
        // network's rand other members; all-E rate change during vs before.
        let within: Vec<f64> = runs.iter().map(|r| r[1].other_members / r[1].non_assembly).collect();
        let vs_rand: Vec<f64> =
            runs.iter().zip(&rand_runs).map(|(r, q)| r[1].other_members / q[1].other_members).collect();
        let pop_change: Vec<f64> = runs.iter().map(|r| r[1].all - r[0].all).collect();
        let mut vj = serde_json::Map::new();
        for (w, wname) in ["before", "during", "after"].iter().enumerate() {
            let g: serde_json::Map<String, serde_json::Value> =
                groups.iter().map(|(n, f)| (n.replace(' ', "_"), json!(stats(v, w, *f)))).collect();
            vj.insert((*wname).into(), g.into());
        }
        vj.insert("other_members_over_no_assembly_during".into(), json!(mean_sd(&within)));
        vj.insert("other_members_vs_rand_during".into(), json!(mean_sd(&vs_rand)));
        vj.insert("all_e_rate_change_hz".into(), json!(mean_sd(&pop_change)));
        vj.insert("label".into(), v.label().into());
        ratios.push((mean_sd(&within), mean_sd(&vs_rand)));
        stim_json.insert(v.name().into(), vj.into());
    }
    ratio_panel = ratio_panel
        .group(
            "other members / no assembly",
            &ratios.iter().map(|r| r.0.0).collect::<Vec<_>>(),
            &ratios.iter().map(|r| r.0.1).collect::<Vec<_>>(),
        )
        .group(
            "other members / rand's",
            &ratios.iter().map(|r| r.1.0).collect::<Vec<_>>(),
            &ratios.iter().map(|r| r.1.1).collect::<Vec<_>>(),
        );
    Figure::new(1, 4)
        .title(&format!(
            "Fig. 3—S1A — 28 pA into half of an assembly at baseline ({n_stim} assemblies per network; mean ± SD over networks)"
        ))
        .size(2200, 560)
        .panel(before)
        .panel(during)
        .panel(after)
        .panel(ratio_panel)
        .save(dir.join("fig3s1a_partial_stimulation"))
        .map_err(plot_err)?;

    // CPU time of the process over this figure (it runs alone; includes building the variants).
    let cpu_s = match (cpu0, engram_sim::cputime::process_cpu_s()) {
        (Some(a), Some(b)) => b - a,
        _ => f64::NAN,
    };
    let result = json!({
        "morphs": morph_json,
        "partial_stimulation": stim_json,
        "settings": {
            "n_steps": n_steps,
            "trials_per_step": trials,
            "odor_ms": ODOR_MS,
            "baseline_ms": BASELINE_MS,
            "reset_between_trials": { "pa": RESET_PA, "after_offset_ms": [RESET_DELAY_MS, RESET_DELAY_MS + RESET_MS] },
            "analysis_ms": ANALYSIS_MS,
            "driving_force_mv": DRIVING_FORCE_MV,
            "injection_pa": INJECTION_PA,
            "injection_ms": INJECTION_MS,
            "stimulated_assemblies": n_stim,
            "networks": n_inst,
        },
        "simulations": jobs.len(),
        "cpu_s": cpu_s,
        "wall_s": t0.elapsed().as_secs_f64(),
    });
    write_json(&dir.join("fig3.json"), &result)?;
    Ok(result)
}
