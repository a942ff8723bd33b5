//! Bad experiment files give clear errors naming the file, the line and the field.

use engram_models::experiment::Experiment;
use engram_models::rundir::RunDir;

fn write(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("engram_config_tests_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn error_of(name: &str, text: &str) -> String {
    let path = write(name, text);
    Experiment::from_file(&path).expect_err("must be rejected").to_string()
}

#[test]
fn unknown_field_points_at_file_line_and_field() {
    let e = error_of("typo.ron", "(\n  model: Coba(n: 4000),\n  run: (duraton_s: 1.0),\n)");
    assert!(e.contains("typo.ron:3:"), "{e}");
    assert!(e.contains("duraton_s") && e.contains("duration_s"), "should name the typo and the right field: {e}");
}

#[test]
fn unknown_model_field_is_rejected() {
    let e = error_of("model.ron", "(model: Coba(n: 4000, tau_mm: 3))");
    assert!(e.contains("model.ron:1:") && e.contains("tau_mm"), "{e}");
}

#[test]
fn wrong_type_is_rejected() {
    let e = error_of("type.ron", "(model: Coba(n: \"many\"))");
    assert!(e.contains("type.ron:1:16") && e.contains("Expected integer"), "{e}");
}

#[test]
fn negative_time_constant_names_the_field() {
    let e = error_of("tau.ron", "(\n  model: Coba(\n    neuron: (\n      tau_m_ms: -20.0,\n    ),\n  ),\n)");
    assert!(e.contains("tau.ron:4: model.Coba.neuron.tau_m_ms = -20"), "{e}");
}

#[test]
fn probability_above_one_names_the_field() {
    let e = error_of("p.ron", "(\n  model: Coba(\n    connection_probability: 1.5,\n  ),\n)");
    assert!(e.contains("p.ron:3: model.Coba.connection_probability = 1.5") && e.contains("[0, 1]"), "{e}");
    let e = error_of("p2.ron", "(model: Coba(n: 40))");
    assert!(e.contains("model.Coba.n = 40") && e.contains("> 1"), "fixed in-degree needs p <= 1: {e}");
}

#[test]
fn dt_larger_than_a_time_constant_is_rejected() {
    let e = error_of("dt.ron", "(\n  model: Coba(),\n  run: (\n    seed: 1,\n    dt_ms: 6.0,\n  ),\n)");
    assert!(e.contains("dt.ron:5: run.dt_ms = 6") && e.contains("shortest time constant (5 ms)"), "{e}");
}

#[test]
fn population_size_zero_is_rejected() {
    let e = error_of("n0.ron", "(\n  run: (seed: 3),\n  model: Cuba(n: 0),\n)");
    assert!(e.contains("n0.ron:3: model.Cuba.n = 0"), "{e}");
}

#[test]
fn missing_file_names_the_path() {
    let e = Experiment::from_file(std::path::Path::new("/nonexistent/engram.ron")).unwrap_err().to_string();
    assert!(e.contains("/nonexistent/engram.ron") && e.contains("cannot read"), "{e}");
}

/// Every file under experiments/ parses and validates (experiment files at the top, network
/// descriptions below; `qif.ron` needs an example's own kind), and every named model has its commented file there, which runs it
/// with its built-in defaults.
#[test]
fn experiment_files_in_the_repository_parse() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../experiments");
    let mut n = 0;
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.ends_with("networks/qif.ron") {
                // names the `Qif` kind that examples/description_custom_neuron.rs registers
                continue;
            } else if path.extension().is_some_and(|e| e == "ron") {
                let (exp, _) = Experiment::read(&path).unwrap_or_else(|e| panic!("{e}"));
                engram_core::params::Params::validate(&exp).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                n += 1;
            }
        }
    }
    assert!(n >= 5, "experiments/ holds coba.ron, cuba.ron, the named models' files and descriptions");
    for name in ["vogels2011", "auryn-background", "selection"] {
        let path = root.join(format!("{name}.ron"));
        let exp = Experiment::from_file(&path).unwrap_or_else(|e| panic!("experiments/{name}.ron: {e}"));
        let builtin = Experiment::builtin(name).unwrap();
        assert_eq!(exp.model, builtin.model, "experiments/{name}.ron writes the model's defaults");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("//"), "experiments/{name}.ron starts with a comment saying what it is");
    }
}

#[test]
fn output_directory_is_not_overwritten_without_force() {
    let dir = std::env::temp_dir().join(format!("engram_out_exists_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let run = RunDir::create(&dir, false).unwrap();
    std::fs::write(run.path().join("summary.json"), "{\"first\": 1}").unwrap();
    assert!(!dir.exists(), "nothing appears under the final name before the run succeeds");
    run.commit().unwrap();
    let e = RunDir::create(&dir, false).unwrap_err().to_string();
    assert!(e.contains("already exists") && e.contains("--force"), "{e}");

    // --force: the earlier run stays until the new one commits
    let run = RunDir::create(&dir, true).unwrap();
    assert!(dir.join("summary.json").exists(), "nothing removed before the new run succeeds");
    std::fs::write(run.path().join("summary.json"), "{\"second\": 2}").unwrap();
    run.commit().unwrap();
    assert!(std::fs::read_to_string(dir.join("summary.json")).unwrap().contains("second"));

    // a run abandoned without output leaves nothing; one with output is kept aside, marked
    let run = RunDir::create(&dir, true).unwrap();
    let partial = run.path().to_path_buf();
    assert!(run.abandon(engram_models::rundir::RunStatus::Failed, "boom", None).unwrap().is_none());
    assert!(!partial.exists());
    let run = RunDir::create(&dir, true).unwrap();
    std::fs::write(run.path().join("rates.npy"), "x").unwrap();
    let kept = run.abandon(engram_models::rundir::RunStatus::Interrupted, "SIGINT", Some(0.5)).unwrap().unwrap();
    let summary = std::fs::read_to_string(kept.join("summary.json")).unwrap();
    assert!(summary.contains("\"interrupted\"") && summary.contains("0.5"), "{summary}");
    assert!(std::fs::read_to_string(dir.join("summary.json")).unwrap().contains("second"), "target untouched");
    std::fs::remove_dir_all(&kept).ok();
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn unwritable_output_directory_is_a_clear_error() {
    // a path below a regular file can never be created, whoever runs the test
    let file = write("not_a_dir", "x");
    let e = RunDir::create(&file.join("run"), false).unwrap_err().to_string();
    assert!(e.contains("cannot write") && e.contains("not_a_dir"), "{e}");
}
