//! Generated reports: the committed docs pages are exactly what their committed summaries
//! generate, and a number edited by hand is caught.

use std::path::PathBuf;

use engram_repro::report::{check_regions, rewrite_regions};
use engram_repro::vogels2011::report::CompactSummary;

fn docs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/reproduction")
}

#[test]
fn the_vogels2011_page_is_what_its_committed_summary_generates() {
    let summary = CompactSummary::load(&docs().join("vogels2011/summary.json")).unwrap();
    assert!(!summary.quick, "the page reports the full run");
    let page = std::fs::read_to_string(docs().join("vogels2011.md")).unwrap();
    let regions = summary.regions();
    check_regions(&page, &regions, "vogels2011.md").unwrap_or_else(|e| {
        panic!("{e}\n(run `cargo xtask report vogels2011` after changing the summary or the generator)")
    });
    // regenerating changes nothing
    assert_eq!(rewrite_regions(&page, &regions, "vogels2011.md").unwrap(), page);
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
