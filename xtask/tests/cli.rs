//! `cargo xtask run` and `reproduce` as a user meets them: runs never lose data, interrupted
//! runs leave readable arrays, and bad input is a clear error (never a panic, never a hang).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A fresh, empty temporary folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("engram_cli_{name}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn xtask(cwd: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_xtask"));
    c.args(args).current_dir(cwd).env_remove("RUST_BACKTRACE");
    c
}

fn run(cwd: &Path, args: &[&str]) -> Output {
    xtask(cwd, args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A small, quick COBA run.
const SMALL: &[&str] = &["run", "coba", "--n", "400", "--duration", "0.05", "--quiet"];

fn small_into(out: &Path, force: bool) -> Vec<String> {
    let mut a: Vec<String> = SMALL.iter().map(|s| s.to_string()).collect();
    a.extend(["--out".into(), out.display().to_string()]);
    if force {
        a.push("--force".into());
    }
    a
}

fn run_strings(cwd: &Path, args: &[String]) -> Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(cwd, &args)
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

/// A folder with a user's files in it, standing for something precious.
fn precious(dir: &Path) {
    std::fs::create_dir_all(dir.join("notes")).unwrap();
    std::fs::write(dir.join("thesis.tex"), "chapter 1").unwrap();
    std::fs::write(dir.join("notes").join("ideas.md"), "more").unwrap();
}

fn assert_refused(o: &Output, what: &str) {
    let e = stderr(o);
    assert_eq!(o.status.code(), Some(1), "{what}: {e}");
    assert!(e.contains("refusing") && e.contains("nothing was deleted"), "{what}: {e}");
    assert!(!e.contains("panicked"), "{what}: {e}");
}

#[test]
fn force_never_deletes_what_engram_did_not_write() {
    let root = scratch("force");

    // `--out .` inside a git work tree, with --force
    let repo = root.join("repo");
    precious(&repo);
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    let before = listing(&repo);
    assert_refused(&run_strings(&repo, &small_into(Path::new("."), true)), "--out .");
    assert_eq!(listing(&repo), before);

    // `--out <a git work tree>` from elsewhere
    assert_refused(&run_strings(&root, &small_into(&repo, true)), "--out repo");
    assert_eq!(listing(&repo), before);

    // `--out $HOME`
    let home = root.join("home");
    precious(&home);
    let o = xtask(&root, &[SMALL, &["--out", home.to_str().unwrap(), "--force"]].concat())
        .env("HOME", &home)
        .output()
        .unwrap();
    assert_refused(&o, "--out $HOME");
    assert!(home.join("thesis.tex").exists() && home.join("notes/ideas.md").exists());

    // an unrelated non-empty folder
    let other = root.join("other");
    precious(&other);
    let o = run_strings(&root, &small_into(&other, true));
    assert_refused(&o, "--out other");
    assert!(stderr(&o).contains("no .engram-run marker"), "{}", stderr(&o));
    assert!(other.join("thesis.tex").exists());

    // an earlier engram run to which the user added a file of their own
    let earlier = root.join("earlier");
    assert!(run_strings(&root, &small_into(&earlier, false)).status.success());
    std::fs::write(earlier.join("analysis.ipynb"), "{}").unwrap();
    let o = run_strings(&root, &small_into(&earlier, true));
    assert_refused(&o, "run + user file");
    assert!(stderr(&o).contains("analysis.ipynb"), "{}", stderr(&o));
    assert!(earlier.join("analysis.ipynb").exists() && earlier.join("summary.json").exists());

    // without --force an earlier run is never replaced
    std::fs::remove_file(earlier.join("analysis.ipynb")).unwrap();
    let o = run_strings(&root, &small_into(&earlier, false));
    assert!(!o.status.success() && stderr(&o).contains("--force"), "{}", stderr(&o));

    // and with --force an earlier engram run is replaced, leaving nothing aside
    let o = run_strings(&root, &small_into(&earlier, true));
    assert!(o.status.success(), "{}", stderr(&o));
    let left: Vec<String> =
        listing(&root).into_iter().filter(|n| n.contains(".partial-") || n.contains(".old-")).collect();
    assert!(left.is_empty(), "{left:?}");
    std::fs::remove_dir_all(&root).unwrap();
}

/// The raster figure is drawn inside the run directory and listed in its marker.
#[test]
fn a_run_draws_its_raster_into_the_run_directory() {
    let root = scratch("raster");
    let out = root.join("coba");
    let o = run_strings(&root, &small_into(&out, false));
    assert!(o.status.success(), "{}", stderr(&o));
    let marker = std::fs::read_to_string(out.join(".engram-run")).unwrap();
    for f in ["raster.png", "raster.svg"] {
        assert!(std::fs::metadata(out.join(f)).is_ok_and(|m| m.len() > 0), "{f} missing or empty");
        assert!(marker.contains(&format!("\"{f}\"")), "{f} is not listed in the marker: {marker}");
    }
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn a_failing_run_with_force_keeps_the_previous_results() {
    let root = scratch("failing");
    let out = root.join("coba");
    assert!(run_strings(&root, &small_into(&out, false)).status.success());
    let previous = std::fs::read(out.join("summary.json")).unwrap();

    // excitation strong enough to run away: the divergence guard stops it
    let file = root.join("runaway.ron");
    std::fs::write(&file, "(model: Coba(n: 400, w_exc_ns: 200.0, w_inh_ns: 0.0), run: (duration_s: 0.5))").unwrap();
    let o = run(&root, &["run", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "--force", "--quiet"]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(e.contains("diverged") && e.contains("outputs written so far"), "{e}");
    assert_eq!(std::fs::read(out.join("summary.json")).unwrap(), previous, "the previous results are intact");

    // the failed run's partial outputs are aside, marked failed, and block nothing
    let partial = listing(&root).into_iter().find(|n| n.starts_with("coba.partial-")).expect("kept aside");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join(&partial).join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["status"], "failed");
    assert!(run_strings(&root, &small_into(&root.join("again"), false)).status.success());
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn sigint_leaves_loadable_arrays_and_an_interrupted_summary() {
    let root = scratch("sigint");
    let out = root.join("long");
    let child = xtask(&root, &["run", "coba", "--duration", "200", "--quiet", "--out", out.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // wait until the run has streamed spikes to disk (a flushed buffer), then interrupt it
    let t0 = Instant::now();
    let partial = loop {
        let found = listing(&root).into_iter().find(|n| n.starts_with("long.partial-"));
        if let Some(p) = found.map(|p| root.join(p))
            && std::fs::metadata(p.join("spikes_E.npy")).is_ok_and(|m| m.len() > 200_000)
        {
            break p;
        }
        assert!(t0.elapsed() < Duration::from_secs(120), "the run never wrote spikes");
        std::thread::sleep(Duration::from_millis(50));
    };
    let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let o = child.wait_with_output().unwrap();
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(130), "{e}");
    assert!(e.contains("interrupted by SIGINT") && e.contains(partial.to_str().unwrap()), "{e}");
    assert!(!out.exists(), "an interrupted run does not take the final name");

    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(partial.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["status"], "interrupted");
    let simulated_s = summary["duration_s"].as_f64().unwrap();
    assert!(simulated_s > 0.0 && simulated_s < 200.0, "{simulated_s}");
    let (shape, data) = engram_sim::npy::read_npy_2d(&partial.join("spikes_E.npy")).unwrap();
    assert_eq!(shape[1], 2);
    assert!(shape[0] > 0 && data.len() == shape[0] * 2);
    let e_spikes = summary["populations"].as_array().unwrap().iter().find(|p| p["name"] == "E").unwrap()["n_spikes"]
        .as_u64()
        .unwrap();
    assert_eq!(shape[0] as u64, e_spikes, "every spike up to the stop is in the array");
    let last_ms = data.chunks(2).map(|r| r[0]).fold(0.0, f64::max);
    assert!(last_ms <= simulated_s * 1000.0, "{last_ms} ms after the stop at {simulated_s} s");
    std::fs::remove_dir_all(&root).unwrap();
}

/// Run `args` under a 95,000 KiB (97 MB) address-space limit: refusals must come before anything large
/// is allocated (an attempt would abort with code 134 instead of our message).
fn run_limited(cwd: &Path, args: &[&str]) -> (Output, Duration) {
    let t0 = Instant::now();
    let o = Command::new("bash")
        .arg("-c")
        .arg(r#"ulimit -v 95000; exec "$0" "$@""#)
        .arg(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap();
    (o, t0.elapsed())
}

#[test]
fn absurd_sizes_are_refused_at_once_without_allocating() {
    let root = scratch("sizes");
    for (file_text, extra, expect) in [
        ("(model: Coba(n: 10000000000))", None, "indices are 32-bit"),
        ("(model: Coba(n: 100000000))", None, "GB of memory"),
        ("(model: Coba(delay_ms: 1e9))", None, "model.Coba.delay_ms"),
        ("(model: Coba(delay_ms: 1e9), run: (duration_s: 1e7))", None, "need --allow-long"),
        ("(model: Coba(delay_ms: 1e9), run: (duration_s: 1e7))", Some("--allow-long"), "GB of memory"),
        ("(model: Coba(), run: (duration_s: 1e300))", None, "--allow-long"),
    ] {
        let file = root.join("big.ron");
        std::fs::write(&file, file_text).unwrap();
        let mut args = vec!["run", file.to_str().unwrap(), "--quiet"];
        args.extend(extra);
        let (o, took) = run_limited(&root, &args);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{file_text}: {e}");
        assert!(e.contains(expect), "{file_text}: {e}");
        assert!(took < Duration::from_secs(2), "{file_text}: took {took:?}");
    }
    assert_eq!(listing(&root), ["big.ron"], "a refused run writes nothing");
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn bad_input_is_a_clear_error_never_a_panic() {
    let root = scratch("bad");
    let receptors = "(model: Coba(neuron: (receptors: [(name: \"ampa\", e_rev_mv: 0.0, tau_ms: 5.0), \
                     (name: \"inh\", e_rev_mv: -80.0, tau_ms: 10.0)])))";
    std::fs::write(root.join("receptor.ron"), receptors).unwrap();
    std::fs::write(
        root.join("monitor.ron"),
        "(model: Coba(n: 400), record: (state: [\n  (population: \"X\", variable: \"v_mv\", neurons: [0])]))",
    )
    .unwrap();
    std::fs::write(
        root.join("neuron.ron"),
        "(model: Coba(n: 400), record: (state: [\n  (population: \"I\", variable: \"v_mv\", neurons: [0, 80])]))",
    )
    .unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["run", "receptor.ron"], "`exc` is missing"),
        (&["run", "monitor.ron"], "monitor.ron:2: record.state[0].population = \"X\""),
        (&["run", "neuron.ron"], "monitor.ron:2: record.state[0].neurons = 80"),
        (&["run", "coba", "--duration", "0.00001"], "whole number of steps"),
        (&["run", "coba", "--duration", "0.10005"], "nearest: 0.1 or 0.1001 s"),
        (&["run", "coba", "--threads", "10000"], "--threads = 10000: this machine has"),
        (&["run", "coba", "--threads", "0"], "at least 1 thread"),
        (&["reproduce", "dp", "--networks", "0"], "--networks 0"),
        (&["reproduce", "dp", "--networks", "3", "--quick"], "cannot be combined with --quick"),
        (&["reproduce", "vogels2011", "--networks", "3"], "applies to dp only"),
        (&["reproduce", "vogels2011", "--figure", "2"], "--figure does not apply to vogels2011"),
        (&["reproduce", "dp", "--figure", "7"], "dp has figures 1 to 6"),
        (&["reproduce", "dp", "--threads", "10000"], "this machine has"),
        (&["reproduce", "nature2031"], "unknown paper"),
        (&["reproduce", "dp-authors", "--data", "no/such/folder"], "dp-authors: --data no/such/folder does not exist"),
        (&["reproduce", "dp-authors", "--quick"], "--quick does not apply to dp-authors"),
        (&["reproduce", "dp-authors", "--seed", "3"], "--seed does not apply to dp-authors"),
        (&["reproduce", "dp", "--data", "."], "--data does not apply to dp"),
    ];
    for (args, expect) in cases {
        let t0 = Instant::now();
        let o = run(&root, args);
        let e = stderr(&o);
        let expect = expect.replace("monitor.ron:2: record.state[0].neurons", "neuron.ron:2: record.state[0].neurons");
        assert_eq!(o.status.code(), Some(1), "{args:?}: {e}");
        assert!(e.contains(&expect), "{args:?}: expected `{expect}` in: {e}");
        assert!(!e.contains("panicked"), "{args:?}: {e}");
        assert!(t0.elapsed() < Duration::from_secs(5), "{args:?} took {:?}", t0.elapsed());
    }
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn reproduce_list_names_every_reproduction_with_its_default_seed() {
    let root = scratch("list");
    let o = run(&root, &["reproduce", "--list"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5, "{out}");
    let expected =
        [("dp ", "2025"), ("dp-authors", "-"), ("dp-learned", "2025"), ("drift", "2021"), ("vogels2011", "2011")];
    for (line, (name, seed)) in lines.iter().zip(expected) {
        assert!(line.starts_with(name) && line.contains(&format!("seed {seed}")), "{line}");
    }
    assert!(listing(&root).is_empty(), "listing writes nothing");
    std::fs::remove_dir_all(&root).unwrap();
}

/// The repository root (the shipped experiment and description files are under it).
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn shipped_description() -> String {
    workspace().join("experiments/networks/adex_stdp.ron").display().to_string()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A description file runs as it is: its protocol (cut short by `--duration`), its roles in
/// the summary, its monitors and the raster in the run directory.
#[test]
fn a_description_file_runs_with_no_rust_written() {
    let root = scratch("description");
    let out = root.join("adex");
    let file = shipped_description();
    let o = run(&root, &["run", &file, "--duration", "0.2", "--out", out.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("adex_stdp: 250 neurons, 0.2 s simulated: E "), "{}", stdout(&o));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["status"], "complete");
    assert_eq!(summary["model"], "network");
    assert_eq!(summary["duration_s"], 0.2);
    assert!(summary["n_spikes"].as_u64().unwrap() > 0, "{summary}");
    assert!(summary["rate_exc_hz"].as_f64().unwrap() > 0.0 && summary["rate_inh_hz"].as_f64().unwrap() > 0.0);
    let names: Vec<&str> =
        summary["populations"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["E", "I", "input"]);
    for f in ["raster.png", "raster.svg", "spikes_E.npy", "spikes_I.npy", "state_E_w_pa.npy", "weights_input_to_E.npy"]
    {
        assert!(std::fs::metadata(out.join(f)).is_ok_and(|m| m.len() > 0), "{f} missing or empty");
    }
    // its config.ron is an experiment that runs again
    let config = out.join("config.ron");
    let o = run(&root, &["run", config.to_str().unwrap(), "--print-config"]);
    assert!(o.status.success() && stdout(&o).contains("model: Network("), "{}", stderr(&o));
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn run_list_names_the_builtin_models_and_the_shipped_files() {
    let root = scratch("run_list");
    let o = run(&root, &["run", "--list"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    let builtin = ["coba", "cuba", "coba-network", "cuba-network", "dp", "vogels2011", "auryn-background", "selection"];
    for (line, name) in lines.iter().zip(builtin) {
        assert!(line.starts_with(&format!("{name} ")), "{out}");
    }
    for name in ["dp", "vogels2011", "auryn-background", "selection"] {
        let file = format!("experiments/{name}.ron ");
        assert!(lines.iter().any(|l| l.starts_with(&file)), "{file} listed: {out}");
    }
    let adex = lines.iter().find(|l| l.starts_with("experiments/networks/adex_stdp.ron")).expect("adex_stdp listed");
    assert!(
        adex.ends_with("AdEx neurons learning from Poisson input with pair STDP, under feedback inhibition."),
        "{adex}"
    );
    assert!(lines.iter().any(|l| l.starts_with("experiments/coba.ron ") && l.contains("COBA benchmark")), "{out}");
    assert!(listing(&root).is_empty(), "listing writes nothing");
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn print_config_writes_the_resolved_ron_and_nothing_else() {
    use engram_models::experiment::{Experiment, ModelConfig};
    let root = scratch("print_config");
    let read = |args: &[&str]| {
        let o = run(&root, args);
        assert!(o.status.success() && o.stderr.is_empty(), "{args:?}: {}", stderr(&o));
        Experiment::from_ron_str(&stdout(&o), "<stdout>").unwrap_or_else(|e| panic!("{args:?}: {e}"))
    };
    let mut expected = Experiment::builtin("coba").unwrap();
    expected.run.seed = 7;
    assert_eq!(read(&["run", "coba", "--print-config", "--seed", "7"]), expected);

    let network = read(&["run", "coba-network", "--print-config", "--n", "400"]);
    let ModelConfig::Network(d) = &network.model else { panic!("{network:?}") };
    let sizes: Vec<usize> = d.populations.iter().map(|p| p.size).collect();
    assert_eq!(sizes, [320, 80]);

    // a description file: the experiment it runs as, lasting its phases' total
    let adex = read(&["run", &shipped_description(), "--print-config"]);
    assert!(matches!(adex.model, ModelConfig::Network(_)) && adex.run.duration_s == 1.0, "{adex:?}");

    // a named model: its own short config, every field written, and its whole protocol
    for name in ["vogels2011", "auryn-background", "selection"] {
        assert_eq!(read(&["run", name, "--print-config"]), Experiment::builtin(name).unwrap(), "{name}");
    }
    let o = run(&root, &["run", "selection", "--print-config"]);
    assert!(stdout(&o).contains("model: Selection(") && stdout(&o).contains("n_assembly: 100"), "{}", stdout(&o));
    assert!(listing(&root).is_empty(), "printing the config writes nothing");
    std::fs::remove_dir_all(&root).unwrap();
}

/// A bad description is one line naming the file and the line (not an experiment's error
/// as well), and nothing is written; a bad experiment gets the experiment's error.
#[test]
fn a_bad_description_file_is_a_one_line_error_and_writes_nothing() {
    let root = scratch("bad_description");
    let text = std::fs::read_to_string(shipped_description()).unwrap().replacen("\"AdEx\"", "\"Adex\"", 1);
    let line = text.lines().position(|l| l.contains("\"Adex\"")).unwrap() + 1;
    std::fs::write(root.join("bad.ron"), &text).unwrap();
    std::fs::write(root.join("typo.ron"), "(\n  populatons: [],\n)").unwrap();
    std::fs::write(root.join("exp.ron"), "(model: Coba(n: 400),\n run: (duraton_s: 1.0))").unwrap();
    let cases = [
        ("bad.ron", format!("bad.ron:{line}: populations[0].neuron.kind = \"Adex\" is not allowed")),
        ("typo.ron", "typo.ron:2:".to_string()),
        ("exp.ron", "exp.ron:2:".to_string()),
    ];
    for (file, expect) in cases {
        let o = run(&root, &["run", file, "--out", "out", "--quiet"]);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{file}: {e}");
        assert_eq!(e.lines().count(), 1, "{file}: one line: {e}");
        assert!(e.starts_with("Error: ") && e.contains(&expect), "{file}: expected `{expect}` in: {e}");
        assert!(!e.contains("panicked"), "{e}");
    }
    let e = stderr(&run(&root, &["run", "typo.ron"]));
    assert!(e.contains("populatons") && !e.contains("`model`"), "the description's error: {e}");
    let e = stderr(&run(&root, &["run", "exp.ron"]));
    assert!(e.contains("duraton_s") && !e.contains("populations"), "the experiment's error: {e}");
    assert_eq!(listing(&root), ["bad.ron", "exp.ron", "typo.ron"], "a refused run writes nothing");
    std::fs::remove_dir_all(&root).unwrap();
}

/// `--resume`: a run goes on from a checkpoint of an earlier run (the shipped AdEx network
/// with STDP, saving a checkpoint at the end of its 200 ms baseline) to that run's spikes and
/// counts; the earlier run's folder is refused as the output, and left as it was.
#[test]
fn a_run_resumes_from_a_checkpoint_of_an_earlier_run() {
    let root = scratch("resume");
    let (first, resumed) = (root.join("adex"), root.join("resumed"));
    let text = std::fs::read_to_string(shipped_description()).unwrap();
    let baseline = r#"(name: "baseline", duration_ms: 200.0, learning: [])"#;
    assert!(text.contains(baseline), "the shipped file's baseline phase");
    let file = root.join("adex_checkpoint.ron");
    let with_checkpoint = baseline.replace(")", ", checkpoint: true)");
    std::fs::write(&file, text.replace(baseline, &with_checkpoint)).unwrap();
    let o =
        run(&root, &["run", file.to_str().unwrap(), "--duration", "0.3", "--out", first.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (config, checkpoint) = (first.join("config.ron"), first.join("checkpoints/baseline"));
    let before = listing(&first);

    let into = |out: &Path| {
        let args = ["run", config.to_str().unwrap(), "--resume", checkpoint.to_str().unwrap()];
        run(&root, &[&args[..], &["--out", out.to_str().unwrap(), "--force", "--quiet"]].concat())
    };
    let o = into(&first);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("holds the checkpoint"), "{}", stderr(&o));
    assert_eq!(listing(&first), before, "the refused run leaves the earlier run as it was");

    let o = into(&resumed);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("resumed from") && stdout(&o).contains("at 200 ms (step 2000)"), "{}", stdout(&o));
    let summary = |dir: &Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
    };
    let (a, b) = (summary(&first), summary(&resumed));
    assert_eq!(b["resumed_from"]["step"], 2000);
    assert!(a["n_spikes"].as_u64().unwrap() > 0 && a["n_spikes"] == b["n_spikes"], "{a} {b}");
    // the resumed run's spikes and learnt weights are the earlier run's after 200 ms
    let rows = |dir: &Path, file: &str| {
        let (shape, data) = engram_sim::npy::read_npy_2d(&dir.join(file)).unwrap();
        data.chunks(shape[1]).map(<[f64]>::to_vec).collect::<Vec<_>>()
    };
    for file in ["spikes_E.npy", "weights_input_to_E.npy"] {
        let after: Vec<_> = rows(&first, file).into_iter().filter(|r| r[0] >= 200.0).collect();
        assert!(!after.is_empty() && rows(&resumed, file) == after, "{file}: the rows after 200 ms differ");
    }
    std::fs::remove_dir_all(&root).unwrap();
}
