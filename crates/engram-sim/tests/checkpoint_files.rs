//! `Checkpoint::load` refuses what is not a checkpoint it can read, with an error naming the
//! file and the problem (no manifest, a manifest that is not JSON or not a checkpoint, another
//! format or version, a missing or truncated array, an array of another length or type), and
//! `Network::restore` refuses a checkpoint of another step size or version without changing
//! the network.

use std::path::{Path, PathBuf};

use engram_core::error::EngramError;
use engram_sim::npy::write_npy_1d;
use engram_sim::prelude::*;
use engram_testkit::toy::{ToyLif, random_weights};

fn network(dt_ms: f64) -> Network {
    let mut b = NetworkBuilder::new(dt_ms, 5).unwrap();
    b.add_population("L", ToyLif::new(12, 1)).unwrap();
    b.connect("L", "L", "exc", random_weights(12, 12, 0.3, 1.0, 2), Delay::Steps(3)).unwrap();
    b.build().unwrap()
}

/// A saved checkpoint of the toy network after 100 steps, in a fresh directory.
fn saved(name: &str) -> (PathBuf, Checkpoint) {
    let dir = std::env::temp_dir().join(format!("engram_test_ck_{name}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut net = network(0.1);
    net.run_steps(100).unwrap();
    let ck = net.checkpoint().unwrap();
    ck.save(&dir).unwrap();
    (dir, ck)
}

fn load_error(dir: &Path) -> String {
    match Checkpoint::load(dir) {
        Err(e @ EngramError::Checkpoint(_)) => e.to_string(),
        Err(e) => panic!("not a checkpoint error: {e:?}"),
        Ok(_) => panic!("{} loaded", dir.display()),
    }
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

fn write_manifest(dir: &Path, m: &serde_json::Value) {
    std::fs::write(dir.join("manifest.json"), serde_json::to_string_pretty(m).unwrap()).unwrap();
}

/// The file and manifest entry of the array `key`.
fn array_file(dir: &Path, key: &str) -> PathBuf {
    dir.join(manifest(dir)["arrays"][key]["file"].as_str().unwrap_or_else(|| panic!("no array `{key}`")))
}

#[test]
fn a_saved_checkpoint_loads_back_whole() {
    let (dir, ck) = saved("whole");
    assert_eq!(Checkpoint::load(&dir).unwrap(), ck);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn no_directory_or_no_manifest() {
    let e = load_error(Path::new("/nonexistent/engram/checkpoint"));
    assert!(e.contains("cannot read /nonexistent/engram/checkpoint/manifest.json"), "{e}");
    let (dir, _) = saved("no_manifest");
    std::fs::remove_file(dir.join("manifest.json")).unwrap();
    let e = load_error(&dir);
    assert!(e.contains("cannot read") && e.contains("manifest.json"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_manifest_that_is_not_a_checkpoint() {
    let (dir, _) = saved("bad_manifest");
    std::fs::write(dir.join("manifest.json"), "{ this is not json").unwrap();
    let e = load_error(&dir);
    assert!(e.contains("manifest.json: not an engram checkpoint manifest"), "{e}");
    std::fs::write(dir.join("manifest.json"), r#"{"format": "engram-checkpoint", "version": 1}"#).unwrap();
    let e = load_error(&dir);
    assert!(e.contains("not an engram checkpoint manifest") && e.contains("missing field"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn another_format_or_version_is_refused() {
    let (dir, _) = saved("version");
    let good = manifest(&dir);
    let mut m = good.clone();
    m["version"] = 2.into();
    write_manifest(&dir, &m);
    let e = load_error(&dir);
    assert!(e.contains("format `engram-checkpoint` version 2, expected `engram-checkpoint` version 1"), "{e}");
    let mut m = good.clone();
    m["format"] = "numpy-archive".into();
    write_manifest(&dir, &m);
    let e = load_error(&dir);
    assert!(e.contains("format `numpy-archive` version 1, expected `engram-checkpoint`"), "{e}");
    write_manifest(&dir, &good);
    Checkpoint::load(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_missing_array_is_named() {
    let (dir, _) = saved("missing_array");
    let key = "projections[0].weights";
    std::fs::remove_file(array_file(&dir, key)).unwrap();
    let e = load_error(&dir);
    assert!(e.contains("projections_0__weights.npy") && e.contains("cannot read"), "{e}");
    let mut m = manifest(&dir);
    m["arrays"].as_object_mut().unwrap().remove(key);
    write_manifest(&dir, &m);
    let e = load_error(&dir);
    assert!(e.contains("no file for array `projections[0].weights`"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_array_of_another_shape_or_type_is_refused() {
    let (dir, ck) = saved("shape");
    let v_key = "populations[0].state.f64s.v_mv";
    let v_file = array_file(&dir, v_key);
    let v = &ck.populations[0].state.f64s["v_mv"];
    // one value short of what the manifest says
    write_npy_1d(&v_file, &v[..v.len() - 1]).unwrap();
    let e = load_error(&dir);
    assert!(e.contains(&format!("11 values, the manifest says {}", v.len())), "{e}");
    // integers where floats belong
    write_npy_1d(&v_file, &vec![0u64; v.len()]).unwrap();
    let e = load_error(&dir);
    assert!(e.contains("holds '<u8', expected '<f8'"), "{e}");
    // a truncated file
    write_npy_1d(&v_file, v).unwrap();
    let bytes = std::fs::read(&v_file).unwrap();
    std::fs::write(&v_file, &bytes[..bytes.len() - 8]).unwrap();
    let e = load_error(&dir);
    assert!(e.contains(&v_file.display().to_string()), "{e}");
    // the manifest's length and the arrays agree, but not with the network: restore refuses
    write_npy_1d(&v_file, &v[..v.len() - 1]).unwrap();
    let mut m = manifest(&dir);
    m["arrays"][v_key]["len"] = (v.len() - 1).into();
    write_manifest(&dir, &m);
    let short = Checkpoint::load(&dir).unwrap();
    let mut net = network(0.1);
    let before = net.checkpoint().unwrap();
    let e = net.restore(&short).unwrap_err().to_string();
    assert!(e.contains("state of `toy_lif`") && e.contains("`v_mv` has 11 values, expected 12"), "{e}");
    assert!(net.checkpoint().unwrap() == before, "a refused restore changed the network");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn restore_refuses_another_step_size_or_version() {
    let (dir, ck) = saved("dt");
    std::fs::remove_dir_all(&dir).unwrap();
    for dt in [0.05, 0.1 + 1e-12] {
        let mut other = network(dt);
        other.run_steps(10).unwrap();
        let before = other.checkpoint().unwrap();
        let e = other.restore(&ck).unwrap_err();
        assert!(matches!(e, EngramError::Checkpoint(_)), "{e:?}");
        let e = e.to_string();
        assert!(
            e.contains("does not fit this network")
                && e.contains(&format!("dt = 0.1 ms in the checkpoint, {dt} ms here")),
            "{e}"
        );
        assert!(other.checkpoint().unwrap() == before, "a refused restore changed the network");
        assert_eq!(other.current_step(), 10);
    }
    let mut newer = ck.clone();
    newer.version += 1;
    let e = network(0.1).restore(&newer).unwrap_err().to_string();
    assert!(e.contains(&format!("checkpoint version {}, this engine writes {}", ck.version + 1, ck.version)), "{e}");
    network(0.1).restore(&ck).unwrap();
}
