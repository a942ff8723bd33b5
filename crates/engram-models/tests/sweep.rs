//! Sweeps: the grid and its run directory names, keys that reach a value by index or by name,
//! every bad input refused with a message that names the key and what there is, and a tiny
//! sweep run end to end whose points give the same spikes as plain runs.

use std::path::{Path, PathBuf};

use engram_models::description::NetworkDescription;
use engram_models::experiment::{Experiment, FileKind, ModelConfig};
use engram_models::run::run_experiment;
use engram_models::sweep::{Set, Sweep, SweepOptions, parse_seeds, run_sweep};

/// A small description: E and I, three projections (one named `ie`), one phase.
const NET: &str = r#"(
    populations: [
        (name: "E", size: 80, neuron: (kind: "LifCond"), role: Excitatory),
        (name: "I", size: 20, neuron: (kind: "LifCond", params: (tau_m_ms: 10.0)), role: Inhibitory),
    ],
    sources: [(name: "input", source: (kind: "PoissonGroup", params: (n_sources: 50, rates: Constant(rate_hz: 20.0))))],
    projections: [
        (pre: "input", post: "E", receptor: "exc", connectivity: (kind: "FixedInDegree", params: (k: 10)), weight: Constant(value: 2.0)),
        (pre: "E", post: "I", receptor: "exc", connectivity: (kind: "FixedProbability", params: (p: 0.1)), weight: Constant(value: 1.0)),
        (name: "ie", pre: "I", post: "E", receptor: "inh", connectivity: (kind: "FixedProbability", params: (p: 0.1)), weight: Constant(value: 5.0)),
    ],
    monitors: [Spikes(populations: ["input"]), Rates(populations: ["E", "I"], bin_ms: 2.0)],
    phases: [(name: "all", duration_ms: 50.0)],
)"#;

fn description() -> Experiment {
    Experiment::of_description(NetworkDescription::from_ron_str(NET, "net.ron").unwrap())
}

fn sets(args: &[&str]) -> Vec<Set> {
    args.iter().map(|a| Set::parse(a).unwrap()).collect()
}

fn coba(n: usize) -> Experiment {
    Experiment::from_ron_str(&format!("(model: Coba(n: {n}), run: (duration_s: 0.1, seed: 7))"), "coba.ron").unwrap()
}

/// The error of a sweep of `base` with these `--set`s and seeds.
fn error(base: Experiment, kind: FileKind, args: &[&str], seeds: Option<&str>) -> String {
    let seeds = seeds.map(|s| parse_seeds(s).unwrap());
    Sweep::new("file.ron", base, kind, sets(args), seeds).unwrap_err().to_string()
}

fn network_of(exp: &Experiment) -> &NetworkDescription {
    match &exp.model {
        ModelConfig::Network(d) => d,
        other => panic!("not a network: {other:?}"),
    }
}

#[test]
fn the_grid_is_every_combination_in_order_seeds_innermost_with_readable_names() {
    let s = Sweep::new(
        "coba.ron",
        coba(400),
        FileKind::Experiment,
        sets(&["model.Coba.w_exc_ns=[4.0, 6.0]", "run.duration_s=[0.05, 0.1, 0.2]"]),
        Some(parse_seeds("1,9").unwrap()),
    )
    .unwrap();
    assert_eq!(s.points().len(), 12);
    let names: Vec<&str> = s.points().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        &names[..3],
        [
            "000-w_exc_ns=4.0-duration_s=0.05-seed=1",
            "001-w_exc_ns=4.0-duration_s=0.05-seed=9",
            "002-w_exc_ns=4.0-duration_s=0.1-seed=1"
        ]
    );
    assert_eq!(names[11], "011-w_exc_ns=6.0-duration_s=0.2-seed=9");
    for p in s.points() {
        let ModelConfig::Coba(c) = &p.experiment.model else { panic!() };
        let w = if p.index < 6 { 4.0 } else { 6.0 };
        assert_eq!(c.w_exc_ns, Some(w));
        assert_eq!(p.experiment.run.duration_s, [0.05, 0.1, 0.2][(p.index / 2) % 3]);
        assert_eq!(p.experiment.run.seed, [1, 9][p.index % 2]);
        assert_eq!(p.experiment.run.threads, 1);
        assert_eq!(c.n, 400, "what is not swept stays");
        assert_eq!(p.values[0], ("model.Coba.w_exc_ns".to_string(), ["4.0", "6.0"][p.index / 6].to_string()));
    }
    // without --seeds: the file's own seed; keys with the same last segment are told apart
    let s = Sweep::new(
        "net.ron",
        description(),
        FileKind::Description,
        sets(&["projections[1].weight.Constant.value=[0.5]", "projections.ie.weight.Constant.value=[3, 4]"]),
        None,
    )
    .unwrap();
    let names: Vec<&str> = s.points().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "000-1.weight.Constant.value=0.5-ie.weight.Constant.value=3-seed=12345",
            "001-1.weight.Constant.value=0.5-ie.weight.Constant.value=4-seed=12345"
        ]
    );
    // seeds alone
    let s =
        Sweep::new("coba", coba(400), FileKind::Experiment, Vec::new(), Some(parse_seeds("3..=5").unwrap())).unwrap();
    let names: Vec<&str> = s.points().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["000-seed=3", "001-seed=4", "002-seed=5"]);
}

#[test]
fn list_elements_are_reached_by_index_by_name_and_by_default_name() {
    let by = |key: &str| {
        let s = Sweep::new("net.ron", description(), FileKind::Description, sets(&[key]), None).unwrap();
        s.points()[0].experiment.clone()
    };
    // a population by index and by name
    for key in ["populations[1].size=[33]", "populations.I.size=[33]", "populations[\"I\"].size=[33]"] {
        assert_eq!(network_of(&by(key)).populations[1].size, 33, "{key}");
    }
    // a projection by its name, and by the default name of an unnamed one (`pre->post`)
    let d = by("projections.ie.weight.Constant.value=[7.5]");
    assert_eq!(d.model, by("projections[2].weight.Constant.value=[7.5]").model);
    let weight = |e: &Experiment, k: usize| format!("{:?}", network_of(e).projections[k].weight.as_ref().unwrap());
    assert_eq!(weight(&d, 2), "Constant { value: 7.5 }");
    assert_eq!(
        weight(&by("projections.E->I.weight=[Uniform(low: 0.5, high: 1.5)]"), 1),
        "Uniform { low: 0.5, high: 1.5 }"
    );
    assert_eq!(weight(&by("projections.input->E.weight.Constant.value=[3]"), 0), "Constant { value: 3.0 }");
    // a plain number where the file has an enum value with one plain field goes into that field
    assert_eq!(by("projections.ie.weight=[7.5]").model, d.model);
    let ron = network_of(&by("sources.input.source.params.rates=[35.0]")).to_ron_string();
    assert!(ron.contains("rates: Constant(rate_hz: 35.0)"), "{ron}");
    // a phase by name: a description's run lasts as long as its phases, as for `cargo xtask run`
    let e = by("phases.all.duration_ms=[120.0]");
    assert_eq!(e.run.duration_s, 0.12);
    // a description's run and record are the experiment's
    assert_eq!(by("run.dt_ms=[0.05]").run.dt_ms, 0.05);
    assert!(!by("record.figure=[false]").record.figure);
    // a parameter the file leaves at its default is written into `params`
    let e = by("populations.E.neuron.params.tau_m_ms=[15.0]");
    assert!(network_of(&e).populations[0].neuron.params.as_str().contains("tau_m_ms: 15.0"));
    let e = by("populations.I.neuron.params.t_ref_ms=[3.0]");
    let params = network_of(&e).populations[1].neuron.params.as_str().to_string();
    assert!(params.contains("tau_m_ms: 10.0") && params.contains("t_ref_ms: 3.0"), "{params}");
    // an experiment file: the model's variant is a segment; an enum value is given whole
    let s = Sweep::new("coba", coba(400), FileKind::Experiment, sets(&["model.Coba.scaling=[FixedP]"]), None).unwrap();
    assert!(format!("{:?}", s.points()[0].experiment.model).contains("scaling: FixedP"));
    // the built-in description: every default projection name
    let s = Sweep::new(
        "coba-network",
        Experiment::builtin("coba-network").unwrap(),
        FileKind::Experiment,
        sets(&["model.Network.projections.I->E.weight.Constant.value=[50.0]"]),
        None,
    )
    .unwrap();
    assert_eq!(
        format!("{:?}", network_of(&s.points()[0].experiment).projections[2].weight),
        "Some(Constant { value: 50.0 })"
    );
}

#[test]
fn a_key_that_names_no_field_says_which_segment_failed_and_what_there_is() {
    let exp = || coba(400);
    let net = || Experiment::builtin("coba-network").unwrap();
    let cases: Vec<(Experiment, FileKind, &str, String)> = vec![
        (
            net(),
            FileKind::Experiment,
            "model.Network.projections.ei.weight=[Constant(value: 1.0)]",
            "--set model.Network.projections.ei.weight: no projection named \"ei\"; there are: E->E, E->I, I->E, I->I".into(),
        ),
        (
            description(),
            FileKind::Description,
            "projections.ei.weight.Constant.value=[1.0]",
            "--set projections.ei.weight.Constant.value: no projection named \"ei\"; there are: input->E, E->I, ie".into(),
        ),
        (
            description(),
            FileKind::Description,
            "populations.X.size=[3]",
            "--set populations.X.size: no population named \"X\"; there are: E, I".into(),
        ),
        (
            description(),
            FileKind::Description,
            "populations[2].size=[3]",
            "--set populations[2].size: `populations` has 2 elements: [0] to [1], not [2]".into(),
        ),
        (
            description(),
            FileKind::Description,
            "projection.ie.weight=[1]",
            "--set projection.ie.weight: the description has no field `projection`; its fields: populations, sources, stimuli, projections, monitors, phases, run, record (run and record: the experiment it runs as)".into(),
        ),
        (
            exp(),
            FileKind::Experiment,
            "model.Coba.w_exc=[1.0]",
            "--set model.Coba.w_exc: `model.Coba` has no field `w_exc`; its fields: n, exc_fraction, connection_probability, scaling, variant, neuron, w_exc_ns, w_inh_ns, delay_ms".into(),
        ),
        (
            exp(),
            FileKind::Experiment,
            "modle.Coba.n=[1]",
            "--set modle.Coba.n: the experiment has no field `modle`; its fields: model, run, record".into(),
        ),
        (
            exp(),
            FileKind::Experiment,
            "model.n=[800]",
            "--set model.n: `model` is Coba(...): write model.Coba.n".into(),
        ),
        (
            exp(),
            FileKind::Experiment,
            "model.Cuba.n=[800]",
            "--set model.Cuba.n: `model` is Coba(...), not Cuba: the segment after `model` is its variant name, Coba (to change the variant, set the whole value: --set 'model=[Cuba(...)]')".into(),
        ),
        (
            exp(),
            FileKind::Experiment,
            "run.duration_s.x=[1]",
            "--set run.duration_s.x: `run.duration_s` is a single value (0.1), with no field `x`".into(),
        ),
        (
            exp(),
            FileKind::Experiment,
            "run[0]=[1]",
            "--set run[0]: `run` is a struct with fields duration_s, dt_ms, seed, threads, divergence, parallel_min_neurons, not a list: it has no element [0]".into(),
        ),
    ];
    for (base, kind, arg, expected) in cases {
        assert_eq!(error(base, kind, &[arg], None), expected);
    }
    // the list's elements have no names: say to use indices
    let e = error(exp(), FileKind::Experiment, &["record.state.E.every_ms=[1.0]"], None);
    assert!(e.contains("record.state` is an empty list"), "{e}");
    let e = error(description(), FileKind::Description, &["monitors.x.bin_ms=[1.0]"], None);
    assert_eq!(
        e,
        "--set monitors.x.bin_ms: the monitors of `monitors` have no names; address them by index: monitors[0] to monitors[1]"
    );
    assert_eq!(
        error(description(), FileKind::Description, &["monitors[1].Spikes.bin_ms=[1.0]"], None),
        "--set monitors[1].Spikes.bin_ms: `monitors[1]` is Rates(...), not Spikes: the segment after `monitors[1]` is its variant name, Rates (to change the variant, set the whole value: --set 'monitors[1]=[Spikes(...)]')"
    );
}

#[test]
fn bad_values_and_seeds_are_refused_with_the_typed_error() {
    let exp = || coba(400);
    let bad_set = |arg: &str| Set::parse(arg).unwrap_err().to_string();
    assert_eq!(
        bad_set("run.duration_s=0.5"),
        "--set run.duration_s=0.5: the values must be a RON list, like [0.5, 1.0]; found 0.5"
    );
    assert_eq!(
        bad_set("run.duration_s=[]"),
        "--set run.duration_s=[]: the list of values is empty; give at least one value"
    );
    assert_eq!(
        bad_set("run.duration_s=[0.5"),
        "--set run.duration_s=[0.5: the values are not valid RON: expected `,` or `]` at column 5, found the end"
    );
    assert_eq!(
        bad_set("run.duration_s"),
        "--set run.duration_s: expected KEY=[values], e.g. model.Coba.w_exc_ns=[4.0, 6.0]"
    );
    assert_eq!(bad_set("run.seed=[1, 1]"), "--set run.seed=[1, 1]: the value 1 is given twice");
    assert_eq!(bad_set("run..seed=[1]"), "--set run..seed=[1]: empty segment after `run`");
    assert_eq!(
        bad_set("a[x]=[1]"),
        "--set a[x]=[1]: [x] after `a`: an index (a whole number from 0) or a name in quotes"
    );

    // a value of the wrong kind or out of range: the error of reading it, naming the field
    let e = error(exp(), FileKind::Experiment, &["model.Coba.n=[400, 400.5]"], None);
    assert_eq!(e, "--set model.Coba.n=400.5: model.Coba.n: expected a whole number, found 400.5");
    let e = error(exp(), FileKind::Experiment, &["run.duration_s=[0.1, -1.0]"], None);
    assert!(e.starts_with("--set run.duration_s=-1.0: run.duration_s = -1 is not allowed: expected"), "{e}");
    let e = error(exp(), FileKind::Experiment, &["model.Coba.scaling=[FixedQ]"], None);
    assert!(e.starts_with("--set model.Coba.scaling=FixedQ: model.Coba.scaling: ") && e.contains("FixedQ"), "{e}");
    let e = error(exp(), FileKind::Experiment, &["record.spikes=[\"yes\"]"], None);
    assert!(e.starts_with("--set record.spikes=\"yes\": record.spikes: "), "{e}");
    // a plain number where the file has a distribution of several fields: the hint names the
    // field to sweep
    let uniform = Sweep::new(
        "net.ron",
        description(),
        FileKind::Description,
        sets(&["projections.ie.weight=[Uniform(low: 4.0, high: 6.0)]"]),
        None,
    )
    .unwrap()
    .points()[0]
        .experiment
        .clone();
    let e = error(uniform, FileKind::Description, &["projections.ie.weight=[0.4]"], None);
    assert!(e.starts_with("--set projections.ie.weight=0.4: projections[2].weight: "), "{e}");
    assert!(e.contains("sweep its field with --set 'projections.ie.weight.Uniform.low=[0.4, ...]'"), "{e}");
    // an unknown parameter of a component: its kind's error, with what it takes
    let e = error(description(), FileKind::Description, &["populations.E.neuron.params.tau_mm=[1.0]"], None);
    assert!(
        e.starts_with("--set populations.E.neuron.params.tau_mm=1.0: populations[0].neuron.params")
            && e.contains("tau_mm")
            && e.contains("tau_m_ms"),
        "{e}"
    );
    // a combination that is invalid although each value is not: the grid point is named
    let e = error(exp(), FileKind::Experiment, &["run.duration_s=[0.1001]", "run.dt_ms=[0.1, 0.2]"], None);
    assert!(
        e.starts_with("grid point 1 (run.duration_s=0.1001, run.dt_ms=0.2): run.duration_s = 0.1001 is not allowed: expected a whole number of steps"),
        "{e}"
    );
    // a key inside another's value
    let e = error(
        description(),
        FileKind::Description,
        &["projections.ie.weight=[Uniform(low: 1.0, high: 2.0)]", "projections.ie.weight.Constant.value=[0.5]"],
        None,
    );
    assert_eq!(
        e,
        "--set projections.ie.weight.Constant.value: it overlaps --set projections.ie.weight; sweep a value or the values inside it, not both"
    );

    // keys that a sweep sets itself, twice, or nothing to sweep
    assert_eq!(
        error(exp(), FileKind::Experiment, &["run.seed=[1, 2]"], None),
        "--set run.seed: sweep seeds with --seeds (e.g. --seeds 1..5), not --set run.seed"
    );
    assert_eq!(
        error(exp(), FileKind::Experiment, &["run.threads=[1, 2]"], None),
        "--set run.threads: each run of a sweep uses one thread; --threads sets how many runs go at once"
    );
    assert_eq!(
        error(exp(), FileKind::Experiment, &["run.dt_ms=[0.1]", "run.dt_ms=[0.05]"], None),
        "--set run.dt_ms: this key is given twice; give all its values in one list"
    );
    assert!(error(exp(), FileKind::Experiment, &[], None).starts_with("nothing to sweep"));

    // seeds
    let bad_seeds = |arg: &str| parse_seeds(arg).unwrap_err().to_string();
    assert_eq!(
        bad_seeds("4..1"),
        "--seeds 4..1: the range is empty; A..B runs the seeds A to B-1 (1..4: 1, 2, 3) and A..=B includes B (1..=4: 1, 2, 3, 4)"
    );
    assert_eq!(bad_seeds("1..1"), bad_seeds("1..1").replace("4..1", "1..1"));
    assert_eq!(
        bad_seeds("1..x"),
        "--seeds 1..x: `x` is not a seed: seeds are whole numbers from 0 to 18446744073709551615"
    );
    assert_eq!(
        bad_seeds("-1,2"),
        "--seeds -1,2: `-1` is not a seed: seeds are whole numbers from 0 to 18446744073709551615"
    );
    assert_eq!(bad_seeds("1,2,1"), "--seeds 1,2,1: the seed 1 is given twice");
    assert_eq!(bad_seeds("0..1000000"), "--seeds 0..1000000: 1000000 seeds; a sweep has at most 100000 runs");
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("engram_sweep_{name}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn a_tiny_sweep_writes_a_run_directory_per_point_and_sweep_json_and_matches_plain_runs() {
    let out = scratch("tiny");
    let mut base = coba(400);
    base.record.figure = false;
    let s = Sweep::new(
        "coba.ron",
        base.clone(),
        FileKind::Experiment,
        sets(&["model.Coba.w_exc_ns=[4.0, 6.0]"]),
        Some(parse_seeds("1..3").unwrap()),
    )
    .unwrap();
    let options = SweepOptions { parallel: 2, force: false, progress: false };
    let t0 = std::time::Instant::now();
    let report = run_sweep(&s, &out, &options, &|_, _, _| Ok(())).unwrap();
    eprintln!("tiny sweep: 4 runs of COBA n=400, 0.1 s, 2 at once: {:.2} s wall", t0.elapsed().as_secs_f64());
    assert_eq!(report.failed, 0);
    let mut listing: Vec<String> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    listing.sort();
    assert_eq!(
        listing,
        [
            ".engram-run",
            "000-w_exc_ns=4.0-seed=1",
            "001-w_exc_ns=4.0-seed=2",
            "002-w_exc_ns=6.0-seed=1",
            "003-w_exc_ns=6.0-seed=2",
            "sweep.json"
        ]
    );
    let table = json(&out.join("sweep.json"));
    assert_eq!(table["status"], "complete");
    assert_eq!(table["set"]["model.Coba.w_exc_ns"], serde_json::json!([4.0, 6.0]));
    assert_eq!(table["seeds"], serde_json::json!([1, 2]));
    let rows = table["runs"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    for (k, row) in rows.iter().enumerate() {
        assert_eq!(row["index"], k);
        assert_eq!(row["status"], "complete");
        assert_eq!(row["model.Coba.w_exc_ns"], [4.0, 6.0][k / 2]);
        assert_eq!(row["seed"], [1, 2][k % 2]);
        assert_eq!(row["threads"], 1);
        for field in ["n_spikes", "rate_exc_hz", "rate_inh_hz", "loop_wall_s", "loop_cpu_s", "build_s", "n_synapses"] {
            assert!(row[field].is_number(), "{field}: {row}");
        }
        let dir = out.join(row["dir"].as_str().unwrap());
        // each as `cargo xtask run` writes one: the resolved experiment, the summary, the arrays
        let config = Experiment::from_file(&dir.join("config.ron")).unwrap();
        assert_eq!(config, s.points()[k].experiment);
        assert_eq!(json(&dir.join("summary.json"))["n_spikes"], row["n_spikes"]);
        assert!(dir.join("spikes_E.npy").exists() && dir.join(".engram-run").exists());
    }
    // a point gives exactly the spikes of a plain run of the same experiment, value and seed
    let plain = scratch("tiny_plain");
    std::fs::create_dir_all(&plain).unwrap();
    let mut same = base.clone();
    let ModelConfig::Coba(c) = &mut same.model else { panic!() };
    c.w_exc_ns = Some(6.0);
    same.run.seed = 2;
    let output = run_experiment(&same, Some(&plain), false).unwrap();
    assert_eq!(rows[3]["n_spikes"], output.summary.n_spikes);
    for file in ["spikes_E.npy", "spikes_I.npy", "rates.npy"] {
        let a = std::fs::read(out.join(rows[3]["dir"].as_str().unwrap()).join(file)).unwrap();
        assert_eq!(a, std::fs::read(plain.join(file)).unwrap(), "{file}");
    }
    assert_ne!(rows[2]["n_spikes"], rows[3]["n_spikes"], "the seed matters");

    // the output is never overwritten without --force, and --force replaces only a sweep
    let e = run_sweep(&s, &out, &options, &|_, _, _| Ok(())).unwrap_err().to_string();
    assert!(e.contains("already exists") && e.contains("--force"), "{e}");
    let e = run_sweep(&s, &plain, &SweepOptions { force: true, ..options }, &|_, _, _| Ok(())).unwrap_err().to_string();
    assert!(e.contains("not an earlier sweep") && e.contains("nothing was deleted"), "{e}");
    assert!(plain.join("spikes_E.npy").exists());
    let again = run_sweep(&s, &out, &SweepOptions { force: true, parallel: 1, ..options }, &|_, _, _| Ok(())).unwrap();
    assert_eq!(again.rows.len(), 4);
    assert_eq!(json(&out.join("sweep.json"))["parallel_runs"], 1);
    std::fs::remove_dir_all(&out).unwrap();
    std::fs::remove_dir_all(&plain).unwrap();
}

#[test]
fn a_failed_point_is_recorded_with_its_error_and_the_others_go_on() {
    let out = scratch("failing");
    let mut base = coba(400);
    base.record.figure = false;
    // a rate ceiling of 0.5 Hz stops the second point as diverged
    let s = Sweep::new(
        "coba.ron",
        base,
        FileKind::Experiment,
        sets(&["run.divergence.max_rate_hz=[1000.0, 0.5, 900.0]"]),
        None,
    )
    .unwrap();
    let report =
        run_sweep(&s, &out, &SweepOptions { parallel: 2, force: false, progress: false }, &|_, _, _| Ok(())).unwrap();
    assert_eq!(report.failed, 1);
    let table = json(&out.join("sweep.json"));
    assert_eq!(table["status"], "failed");
    let rows = table["runs"].as_array().unwrap();
    let status: Vec<&str> = rows.iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(status, ["complete", "failed", "complete"]);
    assert!(rows[1]["error"].as_str().unwrap().contains("Hz"), "{}", rows[1]);
    let failed_dir = out.join(rows[1]["dir"].as_str().unwrap());
    assert_eq!(json(&failed_dir.join("summary.json"))["status"], "failed");
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn resolved_experiments_read_back_equal_so_a_point_without_values_is_the_file() {
    // the sweep edits the resolved experiment's RON text: it must read back as the experiment
    for name in ModelConfig::BUILTIN {
        let base = Experiment::builtin(name).unwrap();
        let same_step = format!("run.dt_ms=[{}]", base.run.dt_ms);
        let s = Sweep::new(name, base.clone(), FileKind::Experiment, sets(&[&same_step]), None).unwrap();
        let mut expected = base;
        expected.run.threads = 1;
        assert_eq!(s.points()[0].experiment, expected, "{name}");
    }
    let s = Sweep::new("net.ron", description(), FileKind::Description, sets(&["phases.all.duration_ms=[50.0]"]), None)
        .unwrap();
    let mut expected = description();
    expected.run.threads = 1;
    assert_eq!(s.points()[0].experiment, expected);
}
