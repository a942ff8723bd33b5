//! The whole Dp reproduction, as `cargo xtask reproduce dp` runs it, at the test-only tiny size
//! (the quick protocols on networks scaled down 8×): every figure's simulations, analyses,
//! panels and summaries (read back into their types), and `summary.md`. About a minute in
//! debug; its numbers mean nothing.

use std::sync::OnceLock;

use engram_repro::dp::DpSummary;
use engram_repro::dp::fig1::Fig1Summary;
use engram_repro::dp::fig2::Fig2Summary;
use engram_repro::dp::fig3::Fig3Summary;
use engram_repro::dp::fig6::Fig6Summary;
use engram_repro::reproduction::{Options, find};

#[test]
fn the_whole_dp_reproduction_writes_every_figure_and_its_summaries_at_a_tiny_size() {
    let out = std::env::temp_dir().join(format!("engram_dp_tiny_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let options = Options {
        quick: false,
        tiny: true,
        seed: Some(3),
        out: out.clone(),
        progress: false,
        figures: vec![],
        networks: None,
        data: None,
        spread: Default::default(),
    };
    let summary = find("dp").unwrap().run(&options).unwrap();
    assert_eq!(summary["seed"], 3, "the seed given is the seed used");
    assert_eq!(summary["networks"].as_array().unwrap().len(), 2, "quick protocols: one network of A and one of C");
    for fig in 1..=6 {
        let dir = out.join(format!("fig{fig}"));
        assert!(summary.get(format!("fig{fig}")).is_some(), "summary.json lacks fig{fig}");
        let pngs = std::fs::read_dir(&dir)
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "png"));
        assert!(pngs.count() >= 1, "no figure in {}", dir.display());
    }
    assert!(out.join("fig3/fig3.json").is_file() && out.join("summary.json").is_file());
    // summary.json and every figN.json read back into their types, and write the same JSON again
    let read = |path: &str| std::fs::read_to_string(out.join(path)).unwrap();
    let json = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap();
    let typed: DpSummary = serde_json::from_str(&read("summary.json")).unwrap();
    assert_eq!(serde_json::to_value(&typed).unwrap(), json(&read("summary.json")));
    fn again<T: serde::Serialize + serde::de::DeserializeOwned>(text: &str) -> serde_json::Value {
        serde_json::to_value(serde_json::from_str::<T>(text).unwrap()).unwrap()
    }
    assert_eq!(again::<Fig1Summary>(&read("fig1/fig1.json")), json(&read("fig1/fig1.json")));
    assert_eq!(again::<Fig2Summary>(&read("fig2/fig2.json")), json(&read("fig2/fig2.json")));
    assert_eq!(again::<Fig3Summary>(&read("fig3/fig3.json")), json(&read("fig3/fig3.json")));
    assert_eq!(again::<Fig6Summary>(&read("fig6/fig6.json")), json(&read("fig6/fig6.json")));
    assert_eq!(serde_json::to_value(typed.fig3.as_ref().unwrap()).unwrap(), json(&read("fig3/fig3.json")));
    let md = std::fs::read_to_string(out.join("summary.md")).unwrap();
    for section in
        ["## Fig. 1", "## Figs 2–3", "## Fig. 3", "## Fig. 4", "## Fig. 5", "## Fig. 6", "**Only 2 network(s)**"]
    {
        assert!(md.contains(section), "summary.md lacks {section}:\n{md}");
    }
    // report.md: every table of the docs page, generated from this run, the paper beside ours
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    for heading in ["## The claims", "## Numbers stated in the paper", "## Fig. 1", "## Fig. 4: geometry", "## Fig. 6"]
    {
        assert!(report.contains(heading), "report.md lacks {heading}:\n{report}");
    }
    assert!(report.contains("| Spontaneous E rate | < 0.1 Hz |"), "{report}");
    // the second readings of the partly reproduced claims are in the run's summary and report
    let schemes = summary.pointer("/fig1/inhibition_stabilisation/shuffle_schemes").and_then(|v| v.as_array()).unwrap();
    let names: Vec<&str> = schemes.iter().map(|s| s["scheme"].as_str().unwrap()).collect();
    assert_eq!(names, ["uniform_time", "isi", "spike_labels", "trains"]);
    assert_eq!(schemes[0]["p_runaway"], summary["fig1"]["inhibition_stabilisation"]["p_runaway_shuffled"]);
    let search = summary.pointer("/fig4/s2_parameter_search/points").and_then(|v| v.as_array()).unwrap();
    assert_eq!(search.len(), 4, "the quick grid: α 5, 10 × β 1, 4 × γ 3");
    for key in ["rand", "tuned_ei"] {
        let lambda = summary.pointer(&format!("/fig5/variants/{key}/shrinkage_reading/lambda"));
        assert_eq!(lambda.and_then(|v| v.as_f64()), Some(0.1), "{key}");
    }
    assert!(summary.pointer("/fig6/variants/tuned_ei/after/pc_dprime_yz").is_some());
    for heading in [
        "## Fig. 1: shuffling schemes",
        "## Fig. 4—S2: the simple model's parameters",
        "## Fig. 5: two readings",
        "## Fig. 6: two readings",
    ] {
        let section = report.split(heading).nth(1).unwrap_or_else(|| panic!("report.md lacks {heading}:\n{report}"));
        let section = section.split("\n## ").next().unwrap();
        assert!(!section.contains("Not in this summary"), "{heading} is empty for a run that has it:\n{section}");
    }
    // the rand networks are fitted to the paper's observables even at this size
    let rate = summary.pointer("/fig1/observables_rand/e_rate_odor_hz/mean").and_then(|v| v.as_f64()).unwrap();
    assert!(rate.is_finite() && rate > 0.0, "odor-evoked E rate {rate}");
    std::fs::remove_dir_all(&out).unwrap();
}

/// What the tiny dp-learned run wrote, read back before its directory is removed.
pub(crate) struct TinyLearnedRun {
    /// Its `summary.json`.
    pub summary: serde_json::Value,
    /// Its `report.md`.
    pub report_md: String,
    /// Figures (PNG) it wrote.
    pub pngs: usize,
}

/// The dp-learned study at the tiny size (default seed), run once per test binary and shared by
/// the tests that need a run (this file's and the report's).
pub(crate) fn tiny_dp_learned_run() -> &'static TinyLearnedRun {
    static RUN: OnceLock<TinyLearnedRun> = OnceLock::new();
    RUN.get_or_init(|| {
        let out = std::env::temp_dir().join(format!("engram_dp_learned_tiny_{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        let options = Options {
            quick: false,
            tiny: true,
            seed: None,
            out: out.clone(),
            progress: false,
            figures: vec![],
            networks: None,
            data: None,
            spread: Default::default(),
        };
        let summary = find("dp-learned").unwrap().run(&options).unwrap();
        let written: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
        assert_eq!(written, summary, "summary.json is the summary returned");
        let report_md = std::fs::read_to_string(out.join("report.md")).unwrap();
        let pngs = std::fs::read_dir(&out)
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "png"))
            .count();
        std::fs::remove_dir_all(&out).unwrap();
        TinyLearnedRun { summary, report_md, pngs }
    })
}

/// dp-learned, the same way: training by iSTDP, measurement, the sweep and the continual step on
/// one network scaled down 8×, and its `report.md`.
#[test]
fn the_whole_dp_learned_study_runs_at_a_tiny_size() {
    let run = tiny_dp_learned_run();
    assert_eq!(run.summary["seed"], 2025, "the default seed");
    assert!(run.pngs >= 1, "no figure");
    // report.md: every table of the docs page, generated from this run
    let report = &run.report_md;
    for heading in [
        "## The run",
        "## Does precise balance",
        "## Measures",
        "## Geometry",
        "## Training",
        "## E→I selectivity",
        "## Continual learning",
    ] {
        assert!(report.contains(heading), "report.md lacks {heading}:\n{report}");
    }
    for row in [
        "| rand |",
        "| Tuned E+I |",
        "| **iSTDP ρ0=1 η=0.05** (default) |",
        "| Tuned I |",
        "| after continual learning (default) |",
    ] {
        assert!(report.contains(row), "report.md lacks the row {row}:\n{report}");
    }
    assert!(report.contains("| condition | E rate learned (Hz) |"), "{report}");
    // summary.json: the learned settings and the hard-wired references with the headline keys
    let keys = [
        "name",
        "learns_e_to_i",
        "e_rate_learned_hz",
        "e_rate_novel_hz",
        "amplification_in",
        "assembly_rate_after_offset_hz",
        "cotuning_r",
        "balanced_sd_ratio",
        "isi_cv_assembly",
        "e_to_i_selectivity",
    ];
    for list in ["settings", "references"] {
        let records = run.summary[list].as_array().unwrap_or_else(|| panic!("summary lacks `{list}`"));
        assert!(!records.is_empty());
        for r in records {
            for k in keys {
                assert!(r.get(k).is_some(), "{list} record lacks `{k}`: {r}");
            }
        }
    }
    let names: Vec<&str> =
        run.summary["references"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    for want in ["rand", "scaled_i", "tuned_i", "tuned_ei"] {
        assert!(names.contains(&want), "references lack {want}: {names:?}");
    }
    assert!(
        run.summary["settings"].as_array().unwrap().iter().any(|r| r["learns_e_to_i"] == true),
        "a setting learns both pathways"
    );
}
