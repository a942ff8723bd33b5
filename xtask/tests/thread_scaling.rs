//! The thread-scaling table of docs/performance.md is what the committed summary
//! (docs/data/thread-scaling.json, from `cargo xtask bench --scaling`) generates, and a number
//! edited by hand is caught.

use std::path::{Path, PathBuf};

use engram_benches::scaling::ThreadScaling;
use engram_repro::report::{check_regions, load_compact};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

#[test]
fn the_thread_scaling_table_is_generated_from_the_committed_summary() {
    let root = workspace();
    let summary: ThreadScaling = load_compact(&root.join("docs/data/thread-scaling.json"), "thread-scaling").unwrap();
    assert!(summary.rows.iter().any(|r| r.threads == 1) && summary.rows.iter().any(|r| r.threads == 2));
    let page = std::fs::read_to_string(root.join("docs/performance.md")).unwrap();
    let regions = summary.regions();
    check_regions(&page, &regions, "docs/performance.md").unwrap();
    // a loop wall time edited by hand is caught
    let first = &summary.rows[0];
    let cell = format!("| {:.3} |", first.loop_wall_s);
    assert!(page.contains(&cell));
    let edited = page.replacen(&cell, "| 0.001 |", 1);
    let e = check_regions(&edited, &regions, "docs/performance.md").unwrap_err().to_string();
    assert!(e.contains("`thread-scaling`"), "{e}");
}
