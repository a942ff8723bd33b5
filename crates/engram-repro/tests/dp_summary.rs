//! `summary.md` of the Dp reproduction: the paper's targets beside our numbers for every figure
//! run, and a warning when too few networks make the spreads meaningless; and `summary.json`
//! reads back into the typed summary.

use engram_repro::dp::fig3::{Fig3Summary, MorphCurve, MorphVariant, StimulationVariant};
use engram_repro::dp::fig6::{Fig6Summary, Fig6Variant, PhaseStats};
use engram_repro::dp::{DpSummary, MeanSd, readable_summary};

fn m(mean: f64) -> MeanSd {
    MeanSd { mean, sd: 0.5 }
}

fn fig3(rows: &[(&str, f64, f64)]) -> Fig3Summary {
    let mut fig3 = Fig3Summary::default();
    for &(name, slope, ratio) in rows {
        let novel_to_learned = MorphCurve { steepest_step_slope: m(slope), ..MorphCurve::default() };
        fig3.morphs.insert(name.into(), MorphVariant { novel_to_learned, ..MorphVariant::default() });
        let stimulation =
            StimulationVariant { other_members_over_no_assembly_during: m(ratio), ..StimulationVariant::default() };
        fig3.partial_stimulation.insert(name.into(), stimulation);
    }
    fig3
}

fn fig6_variant(before: [f64; 3], after: [f64; 3]) -> Fig6Variant {
    let phase = |[e, yz, corr]: [f64; 3]| PhaseStats {
        e_rate_hz: m(e),
        yz_assembly_rate_own_hz: m(yz),
        corr_yz_pure: m(corr),
        ..PhaseStats::default()
    };
    Fig6Variant { before: phase(before), after: phase(after), ..Fig6Variant::default() }
}

#[test]
fn summary_md_shows_figs_3_and_6_with_targets_and_warns_about_few_networks() {
    let mut fig6 = Fig6Summary::default();
    fig6.variants.insert("scaled_i".into(), fig6_variant([0.45, 2.0, 0.24], [1.78, 38.6, 0.96]));
    fig6.variants.insert("tuned_ei".into(), fig6_variant([1.06, 3.2, 0.15], [1.05, 7.2, 0.21]));
    let summary = DpSummary {
        networks: vec!["A1".into(), "C11".into()],
        fig3: Some(fig3(&[
            ("rand", 0.9, 1.04),
            ("scaled_i", 4.8, 79.0),
            ("tuned_i", 1.1, 9.0),
            ("tuned_ei", 1.06, 17.0),
        ])),
        fig6: Some(fig6),
        ..DpSummary::default()
    };
    let text = readable_summary(&summary);
    assert!(text.contains("**Only 2 network(s)**"), "{text}");
    assert!(text.contains("## Fig. 3") && text.contains("steep rise of output correlation"), "{text}");
    assert!(text.contains("| scaled_i | 4.80 ± 0.50 | 79.00 ± 0.50 |"), "{text}");
    assert!(text.contains("| tuned_ei | 1.06 ± 0.50 | 17.00 ± 0.50 |"), "{text}");
    assert!(text.contains("## Fig. 6") && text.contains("Y and Z merge"), "{text}");
    assert!(
        text.contains(
            "| scaled_i | 0.45 ± 0.50 → 1.78 ± 0.50 | 2.00 ± 0.50 → 38.60 ± 0.50 | 0.24 ± 0.50 → 0.96 ± 0.50 |"
        ),
        "{text}"
    );
    // a variant not run, or a measure that was not applicable, shows as –
    let partial = DpSummary { fig3: Some(fig3(&[("rand", f64::NAN, 1.0)])), ..summary.clone() };
    let text = readable_summary(&partial);
    assert!(text.contains("| rand | – | 1.00 ± 0.50 |") && text.contains("| tuned_i | – | – |"), "{text}");
    // figures not run are left out; enough networks, no warning
    let networks = ["A1", "A2", "B11", "B12", "C21", "C22", "D31", "D32"];
    let eight = DpSummary { networks: networks.map(String::from).to_vec(), ..DpSummary::default() };
    let text = readable_summary(&eight);
    assert!(!text.contains("Only") && !text.contains("## Fig. 3") && !text.contains("## Fig. 6"), "{text}");
}

#[test]
fn a_summary_with_not_applicable_measures_reads_back_from_its_json() {
    let mut fig6 = Fig6Summary::default();
    let mut variant = fig6_variant([f64::NAN, 2.0, 0.24], [1.78, f64::INFINITY, 0.96]);
    variant.before.per_network.push(engram_repro::dp::fig6::Measures {
        p_target: [0.5, f64::NAN, 1.0, f64::NAN],
        d_m: vec![vec![f64::NAN, 1.0]],
        ..Default::default()
    });
    fig6.variants.insert("scaled_i".into(), variant);
    fig6.cpu_s = f64::NAN;
    let summary = DpSummary { networks: vec!["A1".into()], fig6: Some(fig6), ..DpSummary::default() };
    let json = serde_json::to_string(&summary).unwrap();
    assert!(json.contains("\"e_rate_hz\":[null,0.5]") && json.contains("\"cpu_s\":null"), "{json}");
    let back: DpSummary = serde_json::from_str(&json).unwrap();
    let variant = &back.fig6.as_ref().unwrap().variants["scaled_i"];
    assert!(variant.before.e_rate_hz.mean.is_nan() && variant.after.yz_assembly_rate_own_hz.mean.is_nan());
    assert!(variant.before.per_network[0].p_target[1].is_nan() && variant.before.per_network[0].d_m[0][0].is_nan());
    assert_eq!(serde_json::to_string(&back).unwrap(), json, "the same JSON again");
}
