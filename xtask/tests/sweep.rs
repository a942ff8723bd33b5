//! `cargo xtask sweep` as a user meets it: a tiny grid runs in parallel into one folder with a
//! run directory per point and `sweep.json`; bad input is one clear line and writes nothing;
//! a failing point is recorded and makes the command fail.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("engram_cli_sweep_{name}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn xtask(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).current_dir(cwd).env_remove("RUST_BACKTRACE").output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

const TINY: &[&str] = &["sweep", "coba", "--set", "model.Coba.n=[400]", "--set", "run.duration_s=[0.05]"];

#[test]
fn a_tiny_sweep_writes_its_runs_figures_and_table_with_one_progress_line_per_run() {
    let root = scratch("tiny");
    let mut args = TINY.to_vec();
    args.extend(["--set", "model.Coba.w_inh_ns=[60.0, 67.0]", "--seeds", "1..3", "--out", "grid", "--threads", "2"]);
    let o = xtask(&root, &args);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert!(o.status.success(), "{err}");
    let dirs: Vec<String> = listing(&root.join("grid")).into_iter().filter(|n| n.starts_with('0')).collect();
    assert_eq!(
        dirs,
        [
            "000-n=400-duration_s=0.05-w_inh_ns=60.0-seed=1",
            "001-n=400-duration_s=0.05-w_inh_ns=60.0-seed=2",
            "002-n=400-duration_s=0.05-w_inh_ns=67.0-seed=1",
            "003-n=400-duration_s=0.05-w_inh_ns=67.0-seed=2",
        ]
    );
    for d in &dirs {
        let files = listing(&root.join("grid").join(d));
        for f in ["config.ron", "raster.png", "spikes_E.npy", "summary.json"] {
            assert!(files.contains(&f.to_string()), "{d}: {files:?}");
        }
    }
    let table: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("grid/sweep.json")).unwrap()).unwrap();
    assert_eq!(table["runs"].as_array().unwrap().len(), 4);
    assert!(out.contains("wrote") && out.contains("4 runs, 2 at once"), "{out}");
    // stderr is not a terminal here: one plain line per finished run
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("sweep: ") && l.contains("/4 runs")).collect();
    assert_eq!(lines.len(), 4, "{err}");
    assert!(lines[3].contains("4/4 runs (100 %)"), "{err}");
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn bad_sweep_input_is_one_clear_line_and_writes_nothing() {
    let root = scratch("bad");
    let cases: &[(&[&str], &str)] = &[
        (&["--set", "model.Coba.nn=[400]"], "--set model.Coba.nn: `model.Coba` has no field `nn`; its fields: n, "),
        (&["--set", "model.Coba.n=400"], "the values must be a RON list"),
        (
            &["--set", "run.parallel_min_neurons=[1.5]"],
            "--set run.parallel_min_neurons=1.5: run.parallel_min_neurons: expected a whole number",
        ),
        (&["--seeds", "3..1"], "--seeds 3..1: the range is empty"),
        (&["--threads", "0"], "--threads = 0: at least 1 thread"),
    ];
    for (extra, expect) in cases {
        let mut args = TINY.to_vec();
        args.extend_from_slice(extra);
        args.extend(["--out", "never"]);
        let o = xtask(&root, &args);
        let e = text(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{extra:?}: {e}");
        assert!(e.contains(expect), "{extra:?}: expected `{expect}` in: {e}");
        assert_eq!(e.lines().count(), 1, "{extra:?}: {e}");
        assert!(listing(&root).is_empty(), "{extra:?} wrote {:?}", listing(&root));
    }
    // a point that fails: recorded in sweep.json, the others run, the command fails
    let mut args = TINY.to_vec();
    args.extend(["--set", "run.divergence.max_rate_hz=[1000.0, 0.5]", "--out", "failing", "--quiet"]);
    let o = xtask(&root, &args);
    let e = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(e.contains("1 of 2 runs failed; their errors are in"), "{e}");
    let table = std::fs::read_to_string(root.join("failing/sweep.json")).unwrap();
    assert!(table.contains("\"status\": \"failed\"") && table.contains("\"status\": \"complete\""), "{table}");
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn sigint_stops_the_sweep_and_keeps_it_aside_marked_interrupted() {
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let root = scratch("sigint");
    let args = ["sweep", "coba", "--set", "run.duration_s=[200.0]", "--seeds", "1..4", "--threads", "1", "--quiet"];
    let child = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .args(["--out", "long"])
        .current_dir(&root)
        .env_remove("RUST_BACKTRACE")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // wait until the first run has streamed spikes to disk, then interrupt the sweep
    let t0 = Instant::now();
    let partial = loop {
        let found = listing(&root).into_iter().find(|n| n.starts_with("long.partial-")).map(|p| root.join(p));
        if let Some(p) = found
            && let Some(run) = listing(&p).into_iter().find(|n| n.starts_with("000-"))
            && std::fs::metadata(p.join(run).join("spikes_E.npy")).is_ok_and(|m| m.len() > 100_000)
        {
            break p;
        }
        assert!(t0.elapsed() < Duration::from_secs(120), "the sweep never wrote spikes");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success());
    let o = child.wait_with_output().unwrap();
    let e = text(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "{e}");
    assert!(e.contains("interrupted by SIGINT") && e.contains(partial.to_str().unwrap()), "{e}");
    assert!(!root.join("long").exists(), "an interrupted sweep does not take the final name");
    let table: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(partial.join("sweep.json")).unwrap()).unwrap();
    assert_eq!(table["status"], "interrupted");
    let status: Vec<&str> = table["runs"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(status, ["interrupted", "not run", "not run"]);
    let first: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(partial.join("000-duration_s=200.0-seed=1").join("summary.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(first["status"], "interrupted");
    std::fs::remove_dir_all(&root).unwrap();
}
