//! The tables of the Dp report, one function per generated region, each from [`DpNumbers`].

use std::fmt::Write;

use super::{DpNumbers, Ms, Pair, Wilcoxon, fmt, fmt_ms, fmt_pair};
use super::{Fig1, Fig2, Fig3, Fig4, Fig5, Fig6, Geometry, VariantSets};

/// The variants in the order of the paper, with their short names.
pub(super) const VARIANTS: [(&str, &str); 4] =
    [("rand", "rand"), ("scaled_i", "Scaled I"), ("tuned_i", "Tuned I"), ("tuned_ei", "Tuned E+I")];

fn short(key: &str) -> &str {
    match key {
        "rand" => "rand",
        "scaled_i" => "Scaled I",
        "tuned_i" => "Tuned I",
        "tuned_ei" => "Tuned E+I",
        "tuned_adjust" => "Tuned[adjust]",
        "scaled_adjust" => "Scaled[adjust]",
        "excitability" => "Excitability",
        other => other,
    }
}

/// The heading of region `name` in a run's `report.md`.
pub fn title(name: &str) -> &'static str {
    match name {
        "run" => "The run",
        "claims" => "The claims: our numbers",
        "paper" => "Numbers stated in the paper next to ours",
        "fig1" => "Fig. 1: inhibition stabilisation per network",
        "fig2" => "Figs 1–2: the variants",
        "fig2_alpha" => "Fig. 2B: E-only assemblies of increasing α",
        "fig3" => "Fig. 3: morphs and partial stimulation",
        "fig3_currents" => "Fig. 3C–F: currents along the novel → learned morph",
        "fig4" => "Fig. 4: geometry",
        "fig4_supplements" => "Fig. 4—S2/S3: simple model and controls",
        "fig5" => "Fig. 5: distances and classification",
        "fig5_concentration" => "Fig. 5: concentration readouts",
        "fig6" => "Fig. 6: continual learning",
        "fig1_shuffling" => "Fig. 1: shuffling schemes",
        "fig4_s2_search" => "Fig. 4—S2: the simple model's parameters",
        "fig5_readings" => "Fig. 5: two readings of the class covariances",
        "fig6_separation" => "Fig. 6: two readings of the Y/Z separation",
        _ => "Table",
    }
}

pub(super) fn regions(n: &DpNumbers) -> Vec<(String, String)> {
    let mut out =
        vec![("run".to_string(), run(n)), ("claims".into(), super::claims::claims(n)), ("paper".into(), paper(n))];
    let mut add = |name: &str, text: Option<String>| {
        if let Some(t) = text {
            out.push((name.to_string(), t));
        }
    };
    add("fig1", n.fig1.as_ref().map(|f| fig1(n, f)));
    add("fig1_shuffling", n.fig1.as_ref().map(super::readings::fig1_shuffling));
    add("fig2", n.fig2.as_ref().map(|f| fig2(n, f)));
    add("fig2_alpha", n.fig2.as_ref().map(fig2_alpha));
    add("fig3", n.fig3.as_ref().map(fig3));
    add("fig3_currents", n.fig3.as_ref().map(fig3_currents));
    add("fig4", n.fig4.as_ref().map(fig4));
    add("fig4_supplements", n.fig4.as_ref().and_then(fig4_supplements));
    add("fig4_s2_search", n.fig4.as_ref().map(super::readings::fig4_s2_search));
    add("fig5", n.fig5.as_ref().map(fig5));
    add("fig5_readings", n.fig5.as_ref().map(super::readings::fig5_readings));
    add("fig5_concentration", n.fig5.as_ref().map(fig5_concentration));
    add("fig6", n.fig6.as_ref().map(fig6));
    add("fig6_separation", n.fig6.as_ref().map(super::readings::fig6_separation));
    out
}

// ---------------------------------------------------------------- lookups

pub(super) fn variant<'a>(n: &'a DpNumbers, key: &str) -> Option<&'a VariantSets> {
    n.variants.get(key)
}

/// A learned-odor measure of a variant (Figs 1–2).
pub(super) fn learned(n: &DpNumbers, key: &str, measure: &str) -> Ms {
    variant(n, key).and_then(|v| v.learned.get(measure)).copied().unwrap_or_default()
}

pub(super) fn novel(n: &DpNumbers, key: &str, measure: &str) -> Ms {
    variant(n, key).and_then(|v| v.novel.get(measure)).copied().unwrap_or_default()
}

pub(super) fn mean(m: Ms, digits: usize) -> String {
    fmt(m.mean, digits)
}

pub(super) fn pmean(p: Pair, digits: usize) -> String {
    fmt(p.0, digits)
}

/// The range `lo–hi` of some values with `digits` decimals (one value: itself).
pub(super) fn range(values: impl IntoIterator<Item = Option<f64>>, digits: usize) -> String {
    let v: Vec<f64> = values.into_iter().flatten().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return "–".into();
    }
    let (lo, hi) = v.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
    let (lo_s, hi_s) = (format!("{lo:.digits$}"), format!("{hi:.digits$}"));
    if lo_s == hi_s { lo_s } else { format!("{lo_s}–{hi_s}") }
}

pub(super) fn geometry<'a>(f: &'a Fig4, key: &str) -> Option<&'a Geometry> {
    f.variants.get(key)
}

pub(super) fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = format!("| {} |\n|{}|\n", header.join(" | "), vec!["---"; header.len()].join("|"));
    for r in rows {
        let _ = writeln!(s, "| {} |", r.join(" | "));
    }
    s
}

fn minutes(s: f64) -> String {
    let total = s.round() as u64;
    format!("{} min {:02} s", total / 60, total % 60)
}

// ---------------------------------------------------------------- regions

fn run(n: &DpNumbers) -> String {
    format!(
        "- **Seed:** {}{}.\n- **Networks:** {} ({}).\n- **Wall time of this run:** {} (all figures, on the cores the run had).",
        n.seed,
        if n.quick { " (quick version)" } else { "" },
        n.networks.len(),
        n.networks.join(", "),
        minutes(n.wall_s)
    )
}

fn paper(n: &DpNumbers) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row = |item: &str, paper: &str, ours: String| rows.push(vec![item.into(), paper.into(), ours]);
    if let Some(f) = n.fig1.as_ref() {
        let o = |k: &str, d: usize| f.observables_rand.get(k).copied().map_or("–".into(), |m| fmt_ms(m, d));
        row("Spontaneous E rate", "< 0.1 Hz", format!("{} Hz", o("e_rate_baseline_hz", 3)));
        row("Odor-evoked E rate (rand)", "≈ 1 Hz (fit band 0.9–1.1)", format!("{} Hz", o("e_rate_odor_hz", 3)));
        row("I rate during odors", "4–6 Hz, above E", format!("{} Hz", o("i_rate_odor_hz", 2)));
        row("g_OE (odor-evoked)", "0.03–0.16 nS", format!("{} nS", o("g_oe_ns", 3)));
        row("g_syn (odor-evoked)", "1–9 nS, well above g_rest 1.35 nS", format!("{} nS", o("g_syn_ns", 2)));
        row("Recurrent share of E input", "> 80 % (fit band 78–90 %)", format!("{} %", o("pct_recurrent", 1)));
        row("Pattern correlation between odors", "≈ 0 (band ±0.15)", o("pattern_corr", 3));
        let s = &f.inhibition_stabilisation;
        row(
            "Runaway probability, shuffled I spikes",
            "0.79 ± 0.20",
            format!(
                "{:.2} ± {:.2} (replayed unshuffled: {:.2})",
                s.p_runaway_shuffled.mean, s.p_runaway_shuffled.sd, s.p_runaway_replayed_control.mean
            ),
        );
    }
    if let Some(v) = variant(n, "rand") {
        let pct = |g: fn(&super::Achieved) -> f64| {
            let x: Vec<f64> = v.achieved.iter().map(g).collect();
            100.0 * x.iter().sum::<f64>() / x.len().max(1) as f64
        };
        row(
            "E neurons in ≥ 1 assembly / > 1",
            "≈ 30 % / 6 %",
            format!("{:.1} % / {:.1} %", pct(|a| a.frac_in_assembly), pct(|a| a.frac_in_several)),
        );
    }
    if let Some(f) = n.fig2.as_ref() {
        let at = |a: f64| f.alpha_sweep.iter().find(|p| p.alpha == a).map_or("–".into(), |p| pmean(p.e_rate_hz, 1));
        row(
            "Critical α (χ = 1)",
            "≈ 6",
            format!("E rate {} Hz at α 5, {} at α 6, {} at α 7", at(5.0), at(6.0), at(7.0)),
        );
    }
    let achieved = |key: &str, g: fn(&super::Achieved) -> Option<f64>| {
        variant(n, key).map_or("–".into(), |v| range(v.achieved.iter().map(g), 2))
    };
    if variant(n, "tuned_ei").is_some() {
        row(
            "α / β / γ achieved, Tuned E+I (authors' code: 4.90–4.94 / 3.98 / 2.86–2.93)",
            "5 / 4 / 3",
            format!(
                "{} / {} / {}",
                achieved("tuned_ei", |a| a.alpha),
                achieved("tuned_ei", |a| a.beta),
                achieved("tuned_ei", |a| a.gamma)
            ),
        );
    }
    if variant(n, "tuned_i").is_some() {
        row("β achieved, Tuned I (authors' code: 18.6)", "18", achieved("tuned_i", |a| a.beta));
    }
    if variant(n, "rand").is_some() {
        let base = learned(n, "rand", "e_rate_odor_hz").mean;
        let change = |k: &str| match (learned(n, k, "e_rate_odor_hz").mean, base) {
            (Some(x), Some(b)) if b > 0.0 => format!("{:+.0} %", 100.0 * (x / b - 1.0)),
            _ => "–".into(),
        };
        row(
            "Rate change vs rand for learned odors",
            "< 15 %",
            format!("Tuned E+I {}, Tuned I {}, Scaled I {}", change("tuned_ei"), change("tuned_i"), change("scaled_i")),
        );
        row(
            "I/E slope of the balanced axis",
            "≈ 1.2",
            format!(
                "rand {}, Tuned E+I {}, Scaled I {}",
                fmt_ms(learned(n, "rand", "balanced_axis_slope"), 2),
                fmt_ms(learned(n, "tuned_ei", "balanced_axis_slope"), 2),
                fmt_ms(learned(n, "scaled_i", "balanced_axis_slope"), 2)
            ),
        );
    }
    if let Some(g) = n.fig4.as_ref().and_then(|f| geometry(f, "rand")) {
        row(
            "PCs explaining ≥ 75 % of variance (rand)",
            "400",
            g.pcs_for_75_percent.map_or("–".into(), |m| fmt_ms(m, 0)),
        );
    }
    if let Some(r) = n.fig5.as_ref().and_then(|f| f.variants.get("tuned_ei")) {
        let q = &r.qda_assembly_neurons;
        row(
            "QDA P_target, learned vs novel (Tuned E+I)",
            "0.941 vs 0.867",
            format!("{} vs {}", mean(q.p_target_learned, 3), mean(q.p_target_novel, 3)),
        );
    }
    if let Some(f) = n.fig6.as_ref() {
        // Y, Z, W, X sit at the top-left, top-right, bottom-left and bottom-right corners:
        // adjacent pairs are Y–Z, W–X, Y–W and Z–X.
        let c = |i: usize, j: usize| f.input_corr.get(i).and_then(|r| r.get(j)).copied();
        row(
            "Correlation of adjacent correlated pure odors",
            "0.27–0.44",
            range([c(0, 1), c(2, 3), c(0, 2), c(1, 3)], 2),
        );
        if let Some(t) = f.variants.get("tuned_ei") {
            let (m, s) = t.added.overlap;
            row(
                "Overlap of the two added assemblies",
                "16 %",
                format!("{} ± {} %", fmt(m.map(|x| 100.0 * x), 1), fmt(s.map(|x| 100.0 * x), 1)),
            );
        }
    }
    table(&["Item", "Paper", "engram"], &rows)
}

fn fig1(n: &DpNumbers, f: &Fig1) -> String {
    let s = &f.inhibition_stabilisation;
    let per: Vec<String> =
        n.networks.iter().zip(&s.p_runaway_shuffled.per_network).map(|(label, p)| format!("{label} {p:.2}")).collect();
    let trials = n.networks.len() * s.odors_per_network;
    let runaway_trials: f64 = s.p_runaway_shuffled.per_network.iter().map(|p| p * s.odors_per_network as f64).sum();
    let control_trials: f64 =
        s.p_runaway_replayed_control.per_network.iter().map(|p| p * s.odors_per_network as f64).sum();
    format!(
        "- Unchanged playback (control): E {:.2} Hz during the odor (simulated: {:.2} Hz); runaway in {:.0} of {trials} trials.\n- Shuffled: runaway (E above {:.0} Hz during the odor) in {:.0} of {trials} trials, mean E rate {:.1} Hz; {:.2} ± {:.2} per network (paper 0.79 ± 0.20).\n- Per network: {}.",
        s.e_rate_odor_hz.replayed,
        s.e_rate_odor_hz.simulated,
        control_trials,
        s.runaway_rate_hz,
        runaway_trials,
        s.e_rate_odor_hz.shuffled,
        s.p_runaway_shuffled.mean,
        s.p_runaway_shuffled.sd,
        per.join(", ")
    )
}

fn fig2(n: &DpNumbers, f: &Fig2) -> String {
    let rows: Vec<Vec<String>> = VARIANTS
        .iter()
        .filter(|(k, _)| n.variants.contains_key(*k))
        .map(|&(k, name)| {
            vec![
                name.to_string(),
                fmt_ms(learned(n, k, "e_rate_odor_hz"), 2),
                fmt_ms(novel(n, k, "e_rate_odor_hz"), 2),
                fmt_ms(learned(n, k, "assembly_rate_hz"), 1),
                fmt_ms(learned(n, k, "amplification_in"), 1),
                fmt_ms(learned(n, k, "amplification_out"), 2),
                fmt_ms(learned(n, k, "assembly_rate_after_offset_hz"), 2),
                fmt_ms(learned(n, k, "isi_cv_assembly"), 2),
                fmt_ms(learned(n, k, "cotuning_r"), 2),
                fmt_ms(learned(n, k, "balanced_sd_ratio"), 2),
                f.time_time.get(k).map_or("–".into(), |t| format!("{:.3}", t.mean_offdiag_during_odor)),
            ]
        })
        .collect();
    table(
        &[
            "variant",
            "E rate, learned, Hz",
            "E rate, novel, Hz",
            "assembly rate, Hz",
            "amplification inside",
            "outside",
            "assembly after offset, Hz",
            "ISI CV",
            "co-tuning r",
            "balanced-axis SD ratio",
            "time–time r",
        ],
        &rows,
    )
}

fn fig2_alpha(f: &Fig2) -> String {
    let rows: Vec<Vec<String>> = f
        .alpha_sweep
        .iter()
        .map(|p| {
            vec![
                p.alpha.to_string(),
                fmt_pair(p.e_rate_hz, 2),
                fmt_pair(p.i_rate_hz, 2),
                fmt_pair(p.assembly_rate_hz, 1),
            ]
        })
        .collect();
    table(&["α", "E rate, Hz", "I rate, Hz", "assembly rate, Hz"], &rows)
}

fn fig3(f: &Fig3) -> String {
    let rows: Vec<Vec<String>> = VARIANTS
        .iter()
        .filter(|(k, _)| f.morphs.contains_key(*k) || f.partial_stimulation.contains_key(*k))
        .map(|&(k, name)| {
            let m = f.morphs.get(k).map(|m| &m.novel_to_learned);
            let at = |v: &[Pair], i: usize| v.get(i).map_or("–".into(), |p| pmean(*p, 2));
            let p = f.partial_stimulation.get(k);
            let output_r = m.map_or("–".into(), |m| {
                let n = m.output_r.len();
                let mid: Vec<String> = (0..n).map(|i| at(&m.output_r, i)).collect();
                mid.join(" → ")
            });
            vec![
                name.to_string(),
                output_r,
                m.map_or("–".into(), |m| m.input_r.last().map_or("–".into(), |p| pmean(*p, 2))),
                m.map_or("–".into(), |m| fmt_pair(m.steepest_step_slope, 2)),
                p.map_or("–".into(), |p| fmt_pair(p.other_members_over_no_assembly_during, 1)),
                p.map_or("–".into(), |p| {
                    format!("{} → {}", pmean(p.before.no_assembly, 2), pmean(p.during.no_assembly, 2))
                }),
            ]
        })
        .collect();
    table(
        &[
            "variant",
            "output r with the learned odor, 0 → 100 % of it",
            "input r at 100 %",
            "steepest slope",
            "partial stimulation: rest of assembly / non-assembly",
            "non-assembly rate before → during, Hz",
        ],
        &rows,
    )
}

fn fig3_currents(f: &Fig3) -> String {
    let rows: Vec<Vec<String>> = VARIANTS
        .iter()
        .filter_map(|&(k, name)| f.morphs.get(k).map(|m| (name, &m.novel_to_learned)))
        .map(|(name, m)| {
            let ends = |v: &[Pair]| match (v.first(), v.last()) {
                (Some(a), Some(b)) => format!("{} → {}", pmean(*a, 0), pmean(*b, 0)),
                _ => "–".into(),
            };
            vec![
                name.to_string(),
                ends(&m.ob_assembly_pa),
                ends(&m.exc_assembly_pa),
                ends(&m.inh_assembly_pa),
                ends(&m.net_recurrent_assembly_pa),
            ]
        })
        .collect();
    table(
        &[
            "variant (assembly neurons, novel → learned odor)",
            "OB input, pA",
            "recurrent excitation, pA",
            "inhibition, pA",
            "net recurrent, pA",
        ],
        &rows,
    )
}

fn geometry_row(name: &str, g: &Geometry) -> Vec<String> {
    let a = &g.angles_rad_full_space;
    vec![
        name.to_string(),
        fmt_ms(g.participation_ratio.all, 1),
        mean(g.participation_ratio.learned_half, 1),
        mean(g.participation_ratio.novel_half, 1),
        g.pcs_for_75_percent.map_or("–".into(), |m| fmt_ms(m, 0)),
        format!("{} vs {}", mean(a.learned_network_means, 3), mean(a.novel_network_means, 3)),
        fmt(Wilcoxon::p_of(a.wilcoxon_learned_vs_novel), 4),
        format!("{} vs {}", mean(g.local_variance.learned_pcs_1_5, 0), mean(g.local_variance.novel_pcs_1_5, 0)),
        match (g.assembly_rate_pure_learned_hz, g.assembly_rate_pure_novel_hz) {
            (Some(l), Some(nv)) => format!("{} / {}", mean(l, 1), mean(nv, 1)),
            _ => "–".into(),
        },
    ]
}

const GEOMETRY_HEADER: [&str; 9] = [
    "variant",
    "participation ratio",
    "PR, learned half",
    "PR, novel half",
    "PCs for 75 %",
    "angles near learned vs novel odors, rad",
    "p (Wilcoxon)",
    "local variance PCs 1–5, learned vs novel",
    "assembly rate, pure learned / novel odor, Hz",
];

fn fig4(f: &Fig4) -> String {
    let mut rows: Vec<Vec<String>> =
        VARIANTS.iter().filter_map(|&(k, name)| geometry(f, k).map(|g| geometry_row(name, g))).collect();
    let mut ob = vec!["OB input".to_string(), format!("{:.1}", f.ob.pr_all)];
    ob.push(format!("{:.1}", f.ob.pr_learned_half));
    ob.push(format!("{:.1}", f.ob.pr_novel_half));
    ob.resize(GEOMETRY_HEADER.len(), String::new());
    rows.push(ob);
    format!(
        "{}\nNetworks {}; {} presentations each.",
        table(&GEOMETRY_HEADER, &rows),
        f.networks.join(", "),
        f.presentations
    )
}

fn fig4_supplements(f: &Fig4) -> Option<String> {
    let (s2, s3) = (f.s2_simple_model.as_ref()?, f.s3_controls.as_ref()?);
    let mut rows: Vec<Vec<String>> = Vec::new();
    for k in ["rand", "tuned_ei"] {
        if let Some(g) = s2.variants.get(k) {
            rows.push(geometry_row(&format!("simple model, {}", short(k)), g));
        }
    }
    for k in ["rand", "scaled_i", "tuned_ei", "tuned_adjust", "scaled_adjust", "excitability"] {
        if let Some(g) = s3.variants.get(k) {
            let mut r = geometry_row(&format!("{}, {}", s3.network, short(k)), g);
            r.push(g.distances_assembly_neurons.map_or("–".into(), |d| {
                format!("{} vs {}", mean(d.learned_to_novel.d_m, 1), mean(d.novel_to_learned.d_m, 1))
            }));
            rows.push(r);
        }
    }
    for r in &mut rows {
        r.resize(GEOMETRY_HEADER.len() + 1, "–".into());
    }
    let mut header = GEOMETRY_HEADER.to_vec();
    header.push("d_M learned→novel vs novel→learned");
    Some(table(&header, &rows))
}

fn fig5(f: &Fig5) -> String {
    let rows: Vec<Vec<String>> = VARIANTS
        .iter()
        .filter_map(|&(k, name)| f.variants.get(k).map(|r| (name, r)))
        .map(|(name, r)| {
            let d = &r.distances_assembly_neurons;
            let q = &r.qda_assembly_neurons;
            let t = &r.template_matching;
            vec![
                name.to_string(),
                format!(
                    "{} / {} / {}",
                    mean(d.learned_to_novel.d_m, 1),
                    mean(d.novel_to_learned.d_m, 1),
                    mean(d.novel_to_novel.d_m, 1)
                ),
                fmt(Wilcoxon::p_of(d.wilcoxon_d_m_learned_to_novel_vs_novel_to_learned), 3),
                format!("{} of {}", d.singular_reference_fits.singular, d.singular_reference_fits.of),
                if q.applicable {
                    format!(
                        "{} vs {} (p = {})",
                        mean(q.p_target_learned, 2),
                        mean(q.p_target_novel, 2),
                        fmt(Wilcoxon::p_of(q.wilcoxon_learned_vs_novel), 2)
                    )
                } else {
                    "not applicable".into()
                },
                format!("{} vs {}", mean(t.accuracy_learned_targets, 2), mean(t.accuracy_novel_targets, 2)),
                format!(
                    "{} vs {} (learned targets {} vs {})",
                    mean(t.hysteresis.approaching_target, 2),
                    mean(t.hysteresis.leaving_target, 2),
                    mean(t.hysteresis.learned_approaching, 2),
                    mean(t.hysteresis.learned_leaving, 2)
                ),
            ]
        })
        .collect();
    table(
        &[
            "variant (80 assembly neurons)",
            "d_M learned→novel / novel→learned / novel→novel",
            "p (first two)",
            "singular covariance fits",
            "QDA P_target, learned vs novel",
            "template accuracy, learned vs novel targets",
            "template accuracy approaching vs leaving the target",
        ],
        &rows,
    )
}

fn fig5_concentration(f: &Fig5) -> String {
    let rows: Vec<Vec<String>> = VARIANTS
        .iter()
        .filter_map(|&(k, name)| f.variants.get(k).map(|r| (name, r)))
        .map(|(name, r)| {
            vec![
                name.to_string(),
                fmt_ms(r.regression_mse_fit_pct2.learned, 1),
                fmt_ms(r.regression_mse_fit_pct2.novel, 1),
                fmt_ms(r.regression_mse_cv_pct2.learned, 0),
                fmt_ms(r.svm_accuracy.learned, 2),
                fmt_ms(r.svm_accuracy.novel, 2),
            ]
        })
        .collect();
    table(
        &[
            "variant",
            "regression MSE, learned, %² (in-sample)",
            "novel",
            "learned, cross-validated",
            "SVM accuracy, learned",
            "novel",
        ],
        &rows,
    )
}

fn fig6(f: &Fig6) -> String {
    let rows: Vec<Vec<String>> = ["scaled_i", "tuned_ei"]
        .iter()
        .filter_map(|&k| f.variants.get(k).map(|c| (short(k), c)))
        .map(|(name, c)| {
            let arrow = |g: fn(&super::ContinualState) -> Pair, d: usize| {
                format!("{} → {}", pmean(g(&c.before), d), pmean(g(&c.after), d))
            };
            vec![
                name.to_string(),
                arrow(|s| s.e_rate_hz, 2),
                arrow(|s| s.yz_assembly_rate_own_hz, 1),
                arrow(|s| s.corr_yz, 2),
                arrow(|s| s.corr_yz_pure, 2),
                arrow(|s| s.dist_yz_hz, 0),
                arrow(|s| s.pc_sep_yz, 2),
                arrow(|s| s.p_target_yz, 2),
                format!("{} / {}", arrow(|s| s.d_m_vy_qz, 1), arrow(|s| s.d_m_vz_qy, 1)),
                format!("{} / {}", arrow(|s| s.d_m_vw_qx, 1), arrow(|s| s.d_m_vx_qw, 1)),
            ]
        })
        .collect();
    let overlap = f.variants.get("tuned_ei").map_or("–".into(), |c| fmt(c.added.overlap.0.map(|o| 100.0 * o), 1));
    format!(
        "{}\nBefore → after adding the Y and Z assemblies; networks {}, trajectories {:?}; overlap of the added assemblies {} %.",
        table(
            &[
                "variant",
                "E rate, Hz",
                "Y/Z assembly rate, Hz",
                "Y–Z correlation (class means)",
                "Y–Z correlation (pure odors)",
                "Y–Z distance, Hz",
                "Y–Z PC separation",
                "QDA P_target Y, Z",
                "d_M Y→Z / Z→Y",
                "d_M W→X / X→W (untrained pair)",
            ],
            &rows,
        ),
        f.protocol.networks.join(", "),
        f.protocol.trajectories,
        overlap
    )
}
