//! `reproduce dp-authors` refuses what it cannot run, before simulating anything: no data
//! folder, a folder without the authors' files (named one by one), and quick or tiny sizes.

use std::path::PathBuf;

use engram_repro::reproduction::{Options, find};

fn options(data: Option<PathBuf>, out: PathBuf) -> Options {
    Options {
        quick: false,
        tiny: false,
        seed: None,
        out,
        progress: false,
        figures: vec![],
        networks: None,
        data,
        spread: Default::default(),
    }
}

#[test]
fn dp_authors_names_the_folder_or_the_files_it_misses() {
    let r = find("dp-authors").unwrap();
    let out = std::env::temp_dir().join(format!("engram_dp_authors_{}", std::process::id()));
    let e = r.run(&options(None, out.clone())).unwrap_err().to_string();
    assert!(e.contains("needs the folder of the authors' .mat files"), "{e}");
    let e = r.run(&options(Some("no/such/folder".into()), out.clone())).unwrap_err().to_string();
    assert!(e.contains("no/such/folder") && e.contains("does not exist"), "{e}");
    // the fixtures hold one network file and one odor file of the 14 needed
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../engram-models/tests/fixtures/pdp");
    let e = r.run(&options(Some(fixtures.clone()), out.clone())).unwrap_err().to_string();
    assert!(e.contains("missing the authors' files"), "{e}");
    for name in ["connec_A_1.mat", "connec_A_1_tEI.mat", "connec_D_1_tI.mat", "odorset_10novel.mat"] {
        assert!(e.contains(name), "{name} in: {e}");
    }
    assert!(!e.contains("connec_A_1_tI.mat") && !e.contains("odorset_10learned.mat"), "{e}");
    let quick = Options { quick: true, ..options(Some(fixtures), out.clone()) };
    assert!(r.run(&quick).unwrap_err().to_string().contains("no quick or tiny version"));
    assert!(!out.exists(), "nothing written");
}
