//! The panels of Fig. 3, drawn from its summary: 3A/B (output against input correlation along
//! both morphs), 3C–F (rates and currents along N→L) and 3—S1A (partial stimulation).

use engram_plot::{BarPanel, Figure, LinePanel};

use super::{AlongMorph, Fig3Summary, GroupRateStats, MORPH_VARIANTS, MorphCurve, MorphVariant, StimulationVariant};
use crate::dp::MeanSd;
use crate::dp::basic::VARIANTS;

/// The morph curves of the variants of [`MORPH_VARIANTS`] that were run, in that order.
fn morph_variants(summary: &Fig3Summary) -> impl Iterator<Item = &MorphVariant> {
    MORPH_VARIANTS.iter().filter_map(|v| summary.morphs.get(v.name()))
}

/// One morph of a variant.
type MorphOf = fn(&MorphVariant) -> &MorphCurve;

/// A named measure of partial stimulation.
type StimulationMeasure<'a> = (&'a str, &'a dyn Fn(&StimulationVariant) -> MeanSd);

/// Means of `values` against `x`.
fn line(x: &[f64], values: &[MeanSd]) -> Vec<(f64, f64)> {
    x.iter().zip(values).map(|(&x, y)| (x, y.mean)).collect()
}

/// 3A/B: output against input correlation with the target along both morphs, per variant.
pub fn morphs(summary: &Fig3Summary) -> Figure {
    let mut fig = Figure::new(1, 2)
        .title("Fig. 3A/B — output vs input correlation along morphs to a learned odor L (mean over networks)")
        .size(1500, 620);
    let morph_of: [(&str, MorphOf); 2] = [("N → L", |v| &v.novel_to_learned), ("L' → L", |v| &v.learned_to_learned)];
    for (name, morph) in morph_of {
        let mut panel =
            LinePanel::new(&format!("{name} (target L)"), "input correlation with L", "output correlation with L");
        for v in morph_variants(summary) {
            let curve = morph(v);
            let input: Vec<f64> = curve.input_r.iter().map(|r| r.mean).collect();
            panel = panel.series(&v.label, &line(&input, &curve.output_r));
        }
        fig = fig.panel(panel.series("output = input", &[(0.0, 0.0), (1.0, 1.0)]));
    }
    fig
}

/// 3C–F: rates and currents along the N→L morph, one row per variant.
pub fn currents(summary: &Fig3Summary) -> Figure {
    let mut fig = Figure::new(MORPH_VARIANTS.len(), 4)
        .title("Fig. 3C–F — along the N → L morph: assembly L vs neurons in no assembly (currents = g · 70 mV)")
        .size(2000, 480 * MORPH_VARIANTS.len() as u32);
    for v in morph_variants(summary) {
        let curve = &v.novel_to_learned;
        let Some(a) = &curve.along_morph else { continue };
        let x: Vec<f64> = curve.fraction_target.iter().map(|f| 100.0 * f).collect();
        let line = |f: fn(&AlongMorph) -> &Vec<MeanSd>| line(&x, f(a));
        let (xl, l) = ("% of target L", &v.label);
        fig = fig
            .panel(
                LinePanel::new(&format!("C: rate — {l}"), xl, "rate (Hz)")
                    .series("assembly L", &line(|a| &a.assembly_hz))
                    .series("assembly L, 0.5 s after offset", &line(|a| &a.post_assembly_hz))
                    .series("no assembly", &line(|a| &a.non_assembly_hz))
                    .series("all E", &line(|a| &a.e_hz)),
            )
            .panel(
                LinePanel::new(&format!("D: OB input — {l}"), xl, "current (pA)")
                    .series("assembly L", &line(|a| &a.ob_assembly_pa))
                    .series("no assembly", &line(|a| &a.ob_non_pa)),
            )
            .panel(
                LinePanel::new(&format!("E: net recurrent (E − I) — {l}"), xl, "current (pA)")
                    .series("assembly L", &line(|a| &a.net_recurrent_assembly_pa))
                    .series("no assembly", &line(|a| &a.net_recurrent_non_pa)),
            )
            .panel(
                LinePanel::new(&format!("F: recurrent E and I — {l}"), xl, "|current| (pA)")
                    .series("E, assembly L", &line(|a| &a.exc_assembly_pa))
                    .series("I, assembly L", &line(|a| &a.inh_assembly_pa))
                    .series("E, no assembly", &line(|a| &a.exc_non_pa))
                    .series("I, no assembly", &line(|a| &a.inh_non_pa)),
            );
    }
    fig
}

/// A bar panel with one group per `(name, value)`, one bar per variant of [`VARIANTS`]
/// (NaN where a variant was not run).
fn variant_bars<'a>(
    title: &str,
    ylabel: &str,
    summary: &Fig3Summary,
    groups: impl IntoIterator<Item = StimulationMeasure<'a>>,
) -> BarPanel {
    let names: Vec<&str> = VARIANTS.iter().map(|v| v.name()).collect();
    let mut panel = BarPanel::new(title, ylabel, &names);
    for (name, value) in groups {
        let stats: Vec<MeanSd> = names
            .iter()
            .map(|n| summary.partial_stimulation.get(*n).map_or(MeanSd { mean: f64::NAN, sd: 0.0 }, value))
            .collect();
        panel = panel.group(
            name,
            &stats.iter().map(|s| s.mean).collect::<Vec<_>>(),
            &stats.iter().map(|s| s.sd).collect::<Vec<_>>(),
        );
    }
    panel
}

/// 3—S1A: group rates before, during and after the step, and the recruitment ratios.
pub fn partial_stimulation(summary: &Fig3Summary) -> Figure {
    let window = |title: &str, w: fn(&StimulationVariant) -> &GroupRateStats| {
        let groups: [StimulationMeasure; 4] = [
            ("injected", &|s: &StimulationVariant| w(s).injected),
            ("other members", &|s: &StimulationVariant| w(s).other_members),
            ("no assembly", &|s: &StimulationVariant| w(s).no_assembly),
            ("all E", &|s: &StimulationVariant| w(s).all_e),
        ];
        variant_bars(title, "rate (Hz)", summary, groups)
    };
    let ratios: [StimulationMeasure; 2] = [
        ("other members / no assembly", &|s: &StimulationVariant| s.other_members_over_no_assembly_during),
        ("other members / rand's", &|s: &StimulationVariant| s.other_members_vs_rand_during),
    ];
    Figure::new(1, 4)
        .title(&format!(
            "Fig. 3—S1A — 28 pA into half of an assembly at baseline ({} assemblies per network; mean ± SD over networks)",
            summary.settings.stimulated_assemblies
        ))
        .size(2200, 560)
        .panel(window("500 ms before the step", |s| &s.before))
        .panel(window("during the 28 pA step (500 ms)", |s| &s.during))
        .panel(window("500 ms after the step", |s| &s.after))
        .panel(variant_bars("recruitment during the step", "ratio", summary, ratios))
}
