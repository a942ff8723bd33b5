//! The MPI cost-model tables of docs/performance.md are what the committed summary
//! (docs/data/mpi-scaling.json) generates, and a number edited by hand is caught.

use std::path::{Path, PathBuf};

use engram_mpi::scaling::{ScalingSummary, regions};
use engram_repro::report::{check_regions, load_compact};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn committed() -> (String, Vec<(String, String)>) {
    let root = workspace();
    let summary: ScalingSummary = load_compact(&root.join("docs/data/mpi-scaling.json"), "mpi-scaling").unwrap();
    let page = std::fs::read_to_string(root.join("docs/performance.md")).unwrap();
    (page, regions(&summary).unwrap())
}

#[test]
fn the_mpi_scaling_tables_are_generated_from_the_committed_summary() {
    let (page, regions) = committed();
    assert_eq!(regions.len(), 3);
    check_regions(&page, &regions, "docs/performance.md").unwrap();
}

#[test]
fn an_mpi_scaling_number_edited_by_hand_is_caught() {
    let (page, regions) = committed();
    // change the first fitted constant's value in the page
    let (_, model) = regions.iter().find(|(n, _)| n == "mpi-model").unwrap();
    let line = model.lines().find(|l| l.contains("per synaptic event")).unwrap();
    let edited_line = line.replacen(" ns |", "1 ns |", 1);
    assert_ne!(line, edited_line);
    let edited = page.replacen(line, &edited_line, 1);
    let e = check_regions(&edited, &regions, "docs/performance.md").unwrap_err().to_string();
    assert!(e.contains("`mpi-model`") && e.contains("per synaptic event"), "{e}");
    // and a summary that holds a field the report does not know is refused
    let dir = std::env::temp_dir().join(format!("engram-mpi-scaling-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(workspace().join("docs/data/mpi-scaling.json")).unwrap())
            .unwrap();
    value["typed_by_hand"] = 1.into();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, value.to_string()).unwrap();
    let e = load_compact::<ScalingSummary>(&bad, "mpi-scaling").unwrap_err().to_string();
    assert!(e.contains("bad.json"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}
