//! Vogels et al. (2011): the whole reproduction at its test-only tiny size, as `cargo xtask
//! reproduce vogels2011` runs it.

/// The whole reproduction, as `cargo xtask reproduce vogels2011` runs it, at the test-only tiny
/// size: both experiments, the three figures, the summaries and the generated report.
#[test]
fn the_whole_reproduction_writes_figures_summaries_and_its_report_at_a_tiny_size() {
    use engram_repro::reproduction::{Options, find};
    use engram_repro::vogels2011::report::CompactSummary;
    let out = std::env::temp_dir().join(format!("engram_vogels_tiny_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let r = find("vogels2011").unwrap();
    let options = Options {
        quick: false,
        tiny: true,
        seed: Some(7),
        out: out.clone(),
        progress: false,
        figures: vec![],
        networks: None,
        data: None,
        spread: Default::default(),
    };
    let summary = r.run(&options).unwrap();
    assert_eq!(summary["seed"], 7, "the seed given is the seed used");
    for f in ["summary.json", "single_cell.json", "recurrent.json", "compact_summary.json", "report.md"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    for fig in ["fig1_single_cell", "fig2_recurrent", "fig3_rasters"] {
        assert!(out.join(format!("{fig}.png")).is_file() && out.join(format!("{fig}.svg")).is_file(), "{fig}");
    }
    // the run's compact summary is what its full summary gives, and the report holds its tables
    let compact = CompactSummary::load(&out.join("compact_summary.json")).unwrap();
    assert_eq!(compact, CompactSummary::from_run(&out.join("summary.json")).unwrap());
    assert_eq!((compact.seed, compact.single_cell.runs), (7, 4));
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    for (_, table) in compact.regions() {
        assert!(report.contains(table.trim_end()), "report.md lacks a generated table");
    }
    assert!(
        report.contains("| Output rate after learning |")
            && report.contains("| Recall: cue 25 % of pattern 1 for 1 s |")
    );
    std::fs::remove_dir_all(&out).unwrap();
}
