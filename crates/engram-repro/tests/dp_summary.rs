//! `summary.md` of the Dp reproduction: the paper's targets beside our numbers for every figure
//! run, and a warning when too few networks make the spreads meaningless.

use engram_repro::dp::readable_summary;
use serde_json::json;

#[test]
fn summary_md_shows_figs_3_and_6_with_targets_and_warns_about_few_networks() {
    let m = |x: f64| json!([x, 0.5]);
    let fig3_variant = |slope: f64, ratio: f64| {
        json!({ "morphs": { "novel_to_learned": { "steepest_step_slope": m(slope) } },
                "partial_stimulation": { "other_members_over_no_assembly_during": m(ratio) } })
    };
    let summary = json!({
        "networks": ["A1", "C11"],
        "fig3": { "morphs": {
                    "rand": fig3_variant(0.9, 1.0)["morphs"], "scaled_i": fig3_variant(4.8, 79.0)["morphs"],
                    "tuned_i": fig3_variant(1.1, 9.0)["morphs"], "tuned_ei": fig3_variant(1.06, 17.0)["morphs"] },
                  "partial_stimulation": {
                    "rand": fig3_variant(0.9, 1.04)["partial_stimulation"], "scaled_i": fig3_variant(4.8, 79.0)["partial_stimulation"],
                    "tuned_i": fig3_variant(1.1, 9.0)["partial_stimulation"], "tuned_ei": fig3_variant(1.06, 17.0)["partial_stimulation"] } },
        "fig6": { "variants": {
            "scaled_i": { "before": { "e_rate_hz": m(0.45), "yz_assembly_rate_own_hz": m(2.0), "corr_yz_pure": m(0.24) },
                          "after": { "e_rate_hz": m(1.78), "yz_assembly_rate_own_hz": m(38.6), "corr_yz_pure": m(0.96) } },
            "tuned_ei": { "before": { "e_rate_hz": m(1.06), "yz_assembly_rate_own_hz": m(3.2), "corr_yz_pure": m(0.15) },
                          "after": { "e_rate_hz": m(1.05), "yz_assembly_rate_own_hz": m(7.2), "corr_yz_pure": m(0.21) } } } },
    });
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
    // figures not run are left out; enough networks, no warning
    let eight = json!({ "networks": ["A1", "A2", "B11", "B12", "C21", "C22", "D31", "D32"] });
    let text = readable_summary(&eight);
    assert!(!text.contains("Only") && !text.contains("## Fig. 3") && !text.contains("## Fig. 6"), "{text}");
}
