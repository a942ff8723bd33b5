//! Generated reports: the committed docs pages are exactly what their committed summaries
//! generate, and a number edited by hand is caught; the dp-learned report's regions and compact
//! summary, from the tiny run.

use std::path::PathBuf;

use engram_repro::dp::report::DpNumbers;
use engram_repro::dp_learned::report::LearnedNumbers;
use engram_repro::report::{check_regions, rewrite_regions};
use engram_repro::reproduction;
use engram_repro::vogels2011::report::CompactSummary;

fn docs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/reproduction")
}

#[test]
fn a_hand_edited_dp_number_fails_the_check() {
    let numbers = DpNumbers::load(&docs().join("dp/summary.json")).unwrap();
    assert!(!numbers.quick && numbers.networks.len() == 8, "the page reports the full run");
    let page = std::fs::read_to_string(docs().join("dp.md")).unwrap();
    let f1 = numbers.fig1.as_ref().unwrap();
    let runaway = format!(
        "**{:.2} ± {:.2}**",
        f1.inhibition_stabilisation.p_runaway_shuffled.mean, f1.inhibition_stabilisation.p_runaway_shuffled.sd
    );
    assert!(page.contains(&runaway), "the generated runaway fraction is on the page");
    let edited = page.replacen(&runaway, "**0.79 ± 0.20**", 1);
    let e = check_regions(&edited, &numbers.regions(), "dp.md").unwrap_err().to_string();
    assert!(e.contains("`claims`") && e.contains("0.79 ± 0.20"), "{e}");
}

#[test]
fn the_dp_compact_summary_refuses_unknown_fields() {
    let text = std::fs::read_to_string(docs().join("dp/summary.json")).unwrap();
    let dir = std::env::temp_dir().join(format!("engram-dp-compact-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("summary.json");
    std::fs::write(&path, text.replacen('{', "{\"sead\": 1, ", 1)).unwrap();
    let e = DpNumbers::load(&path).unwrap_err().to_string();
    assert!(e.contains("summary.json") && e.contains("does not know"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_hand_edited_number_fails_the_check() {
    let summary = CompactSummary::load(&docs().join("vogels2011/summary.json")).unwrap();
    let page = std::fs::read_to_string(docs().join("vogels2011.md")).unwrap();
    let rate = format!("**{:.1} Hz** (mean of last", summary.single_cell.rate_last_hz);
    assert!(page.contains(&rate), "the generated rate is on the page");
    let edited = page.replacen(&rate, "**6.2 Hz** (mean of last", 1);
    let e = check_regions(&edited, &summary.regions(), "vogels2011.md").unwrap_err().to_string();
    assert!(e.contains("`single_cell`") && e.contains("6.2 Hz"), "{e}");
    // and a page whose markers were removed is an error, not a silent pass
    let unmarked = page.replace("<!-- /report:recurrent -->", "");
    let e = check_regions(&unmarked, &summary.regions(), "vogels2011.md").unwrap_err().to_string();
    assert!(e.contains("/report:recurrent"), "{e}");
}

#[test]
fn the_compact_summary_round_trips_and_refuses_unknown_fields() {
    let path = docs().join("vogels2011/summary.json");
    let summary = CompactSummary::load(&path).unwrap();
    let text = serde_json::to_string(&summary).unwrap();
    assert_eq!(serde_json::from_str::<CompactSummary>(&text).unwrap(), summary);
    let extra = text.replacen('{', "{\"sead\": 1, ", 1);
    assert!(serde_json::from_str::<CompactSummary>(&extra).unwrap_err().to_string().contains("sead"));
}

#[test]
fn every_generated_page_is_what_its_committed_summary_generates() {
    let with_pages: Vec<&str> = reproduction::all().iter().filter(|r| r.report().is_some()).map(|r| r.name()).collect();
    assert_eq!(with_pages, ["dp", "dp-authors", "dp-learned", "drift", "vogels2011"]);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let failures: Vec<String> = reproduction::all()
        .iter()
        .filter_map(|r| r.report().map(|report| (r.name(), report)))
        .filter_map(|(name, report)| {
            let page = std::fs::read_to_string(root.join(report.page())).map_err(|e| e.to_string());
            let checked = page.and_then(|page| {
                let regions = report.regions(&root.join(report.summary())).map_err(|e| e.to_string())?;
                check_regions(&page, &regions, report.page()).map_err(|e| e.to_string())?;
                // regenerating changes nothing
                match rewrite_regions(&page, &regions, report.page()) {
                    Ok(again) if again == page => Ok(()),
                    _ => Err(format!("{}: regenerating it changes it", report.page())),
                }
            });
            checked.err().map(|e| format!("{name}: {e} (run `cargo xtask report {name}`)"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The regions of the dp-learned page, from the numbers of the tiny run (the committed page's
/// own numbers come from the full run).
fn dp_learned_tiny_numbers() -> LearnedNumbers {
    LearnedNumbers::from_value(&crate::dp_tiny::tiny_dp_learned_run().summary).unwrap()
}

#[test]
fn every_dp_learned_table_has_its_marked_region_and_a_hand_edited_number_fails_the_check() {
    let numbers = dp_learned_tiny_numbers();
    let regions = numbers.regions();
    let names: Vec<&str> = regions.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["run", "answer", "measures", "geometry", "training", "selectivity", "continual"]);
    let page = std::fs::read_to_string(docs().join("dp-learned.md")).unwrap();
    let filled = rewrite_regions(&page, &regions, "dp-learned.md").expect("every region is marked on the page");
    check_regions(&filled, &regions, "dp-learned.md").unwrap();
    // the prose around the regions is left as it was
    let strip = |p: &str| {
        let mut out = String::new();
        let mut inside = false;
        for line in p.lines() {
            if line.starts_with("<!-- /report:") {
                inside = false;
            }
            if !inside {
                out.push_str(line);
                out.push('\n');
            }
            if line.starts_with("<!-- report:") {
                inside = true;
            }
        }
        out
    };
    assert_eq!(strip(&filled), strip(&page));
    // a number typed over in the measures table is caught, naming the region and the line
    let rand = numbers.table["rand"].learned["e_rate_odor_hz"].mean.unwrap();
    let cell = format!("| rand | {rand:.2} ± ");
    assert!(filled.contains(&cell), "the generated rand row is on the page");
    let edited = filled.replacen(&cell, &format!("| rand | {:.2} ± ", rand + 0.31), 1);
    let e = check_regions(&edited, &regions, "dp-learned.md").unwrap_err().to_string();
    assert!(e.contains("`measures`") && e.contains(&format!("{:.2} ±", rand + 0.31)), "{e}");
    // and a page whose markers were removed is an error, not a silent pass
    let unmarked = filled.replace("<!-- /report:continual -->", "");
    let e = check_regions(&unmarked, &regions, "dp-learned.md").unwrap_err().to_string();
    assert!(e.contains("/report:continual"), "{e}");
}

#[test]
fn the_dp_learned_compact_summary_round_trips_and_refuses_unknown_fields() {
    let numbers = dp_learned_tiny_numbers();
    assert!(numbers.quick, "the tiny run is a quick one");
    let path = std::env::temp_dir().join(format!("engram_dp_learned_compact_{}.json", std::process::id()));
    numbers.save(&path).unwrap();
    assert_eq!(LearnedNumbers::load(&path).unwrap(), numbers);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    // an unknown field at the top and one deep inside are both refused, by name
    let mut top = value.clone();
    top["sead"] = 1.into();
    let e = LearnedNumbers::from_compact(top).unwrap_err().to_string();
    assert!(e.contains("/sead"), "{e}");
    let mut deep = value.clone();
    deep["instances"][0]["training"][0]["steps"][1]["w_assembly_nS"] = 1.0.into();
    let e = LearnedNumbers::from_compact(deep).unwrap_err().to_string();
    assert!(e.contains("/instances/0/training/0/steps/1/w_assembly_nS"), "{e}");
    // the full summary of a run holds much more; the compact one is what the report needs
    let full = &crate::dp_tiny::tiny_dp_learned_run().summary;
    assert!(LearnedNumbers::from_compact(full.clone()).is_err(), "a full summary is not a compact one");
    // a quick run is not committed as the page's numbers
    let report = reproduction::find("dp-learned").unwrap().report().unwrap();
    assert_eq!(report.page(), "docs/reproduction/dp-learned.md");
    let run = std::env::temp_dir().join(format!("engram_dp_learned_quick_run_{}", std::process::id()));
    std::fs::create_dir_all(&run).unwrap();
    std::fs::write(run.join("summary.json"), serde_json::to_string(full).unwrap()).unwrap();
    let e = report.commit_from_run(&run, &run.join("compact.json")).unwrap_err().to_string();
    assert!(e.contains("--quick") && !run.join("compact.json").exists(), "{e}");
    std::fs::remove_dir_all(&run).unwrap();
}

#[test]
fn a_hand_edited_dp_authors_number_fails_the_check() {
    use engram_repro::dp_authors::report::AuthorsNumbers;
    let path = docs().join("dp-authors/summary.json");
    let numbers = AuthorsNumbers::load(&path).unwrap();
    assert_eq!(numbers.networks, ["A1", "B4", "C1", "D1"]);
    let page = std::fs::read_to_string(docs().join("dp-authors.md")).unwrap();
    let regions = numbers.regions();
    check_regions(&page, &regions, "dp-authors.md").unwrap();
    let cotuning = numbers.variants["scaled_i"].learned["cotuning_r"];
    let shown = format!("{:.2} ± {:.2}", cotuning.mean.unwrap(), cotuning.sd.unwrap());
    assert!(page.contains(&shown), "the authors' Scaled I co-tuning {shown} is on the page");
    let edited = page.replacen(&shown, "0.99 ± 0.01", 1);
    let e = check_regions(&edited, &regions, "dp-authors.md").unwrap_err().to_string();
    assert!(e.contains("`authors-variants`") && e.contains("0.99 ± 0.01"), "{e}");
    // the compact summary refuses a field it does not know
    let text = std::fs::read_to_string(&path).unwrap().replacen('{', "{\"sead\": 1, ", 1);
    let odd = std::env::temp_dir().join("engram-dp-authors-odd-summary.json");
    std::fs::write(&odd, text).unwrap();
    assert!(AuthorsNumbers::load(&odd).is_err());
}
