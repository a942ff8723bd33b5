//! Network descriptions that read and write files, and monitors of a user's own: spikes
//! replayed from `.npy` (a run's own `spikes_<pop>.npy` replays exactly; every bad file is an
//! error naming the file, row and value), per-phase checkpoints written by the runner that a
//! fresh build resumes from with the same spikes, and a user's monitor kind named in RON.

use std::path::{Path, PathBuf};

use engram_core::error::{EngramError, ParamError};
use engram_core::monitor::{Monitor, NetworkView};
use engram_core::neuron::StepContext;
use engram_core::params::{Checked, Params};
use engram_models::description::{MonitorContext, MonitorDescription, NetworkDescription, Registry};
use engram_models::experiment::{Experiment, FileKind};
use engram_models::run::run_experiment;
use engram_sim::SpikeMonitor;
use engram_sim::checkpoint::Checkpoint;
use engram_sim::npy::{OutputFormat, read_npy_2d, write_array, write_npy_1d};
use engram_testkit::strategies::{custom_monitor, network_description};
use proptest::prelude::*;
use serde::Deserialize;

/// A fresh folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("engram_description_io_{name}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Write `(time_ms, neuron)` rows as engram's spike monitor does.
fn write_spikes(path: &Path, rows: &[(f64, f64)]) {
    let data: Vec<f64> = rows.iter().flat_map(|&(t, n)| [t, n]).collect();
    write_array(path, OutputFormat::Npy, &["time_ms", "neuron"], &data).unwrap();
}

// ─── Spike trains from .npy ─────────────────────────────────────────────────────────────────

/// A population driven by Poisson input, recorded by the runner.
const RECORDED: &str = r#"(
    populations: [(name: "E", size: 30, neuron: (kind: "LifCond"), role: Excitatory,
                   initial: [(variable: "v_mv", value: Uniform(low: -60.0, high: -50.0))])],
    sources: [(name: "drive", source: (kind: "PoissonGroup", params: (n_sources: 80, rates: Constant(rate_hz: 20.0))))],
    projections: [(pre: "drive", post: "E", receptor: "exc",
                   connectivity: (kind: "FixedProbability", params: (p: 0.2)), weight: Constant(value: 1.5))],
    phases: [(name: "all", duration_ms: 300.0)],
)"#;

/// A group replaying `path` (written as given), recorded by a `Spikes` monitor.
fn replay_text(path: &str, n_sources: usize) -> String {
    format!(
        r#"(
    populations: [(name: "X", size: 1, neuron: (kind: "LifCond"))],
    sources: [(name: "replay", source: (kind: "SpikeTrainsFile", params: (path: {path:?}, n_sources: {n_sources})))],
    monitors: [Spikes(populations: ["replay"])],
)"#
    )
}

/// Build `d` and run it `ms`; the spikes of `population` its monitor `k` recorded.
fn run_and_record(d: &NetworkDescription, ms: f64, monitor: usize, population: &str) -> (Vec<f64>, Vec<u32>) {
    let mut built = d.build_with(&Registry::default(), 0.1, 1).unwrap_or_else(|e| panic!("{e}"));
    built.network.run_ms(ms).unwrap();
    let m = built.network.monitor::<SpikeMonitor>(built.monitors[monitor]).unwrap();
    (m.times_ms(population).to_vec(), m.neurons(population).to_vec())
}

#[test]
fn a_runs_spike_file_replays_as_the_same_spikes() {
    let dir = scratch("replay");
    let exp = Experiment::of_description(NetworkDescription::from_ron_str(RECORDED, "recorded.ron").unwrap());
    let out = dir.join("run");
    std::fs::create_dir_all(&out).unwrap();
    run_experiment(&exp, Some(&out), false).unwrap();
    let (shape, data) = read_npy_2d(&out.join("spikes_E.npy")).unwrap();
    assert!(shape[0] > 20, "E fires: {shape:?}");

    // the description lives beside the run, and names the file relative to itself
    std::fs::write(dir.join("replay.ron"), replay_text("run/spikes_E.npy", 30)).unwrap();
    let d = NetworkDescription::from_file(&dir.join("replay.ron")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.base_dir.as_deref(), Some(dir.as_path()));
    let (times, neurons) = run_and_record(&d, 300.0, 0, "replay");
    let recorded_times: Vec<f64> = data.chunks(2).map(|r| r[0]).collect();
    let recorded_neurons: Vec<u32> = data.chunks(2).map(|r| r[1] as u32).collect();
    assert_eq!(times, recorded_times);
    assert_eq!(neurons, recorded_neurons);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn rows_in_any_order_replay_sorted_and_an_experiment_file_resolves_paths_against_itself() {
    let dir = scratch("unsorted");
    std::fs::create_dir_all(dir.join("inputs")).unwrap();
    write_spikes(&dir.join("inputs/in.npy"), &[(2.0, 1.0), (0.5, 2.0), (2.0, 0.0), (0.0, 1.0)]);
    let text = format!("(model: Network{}, run: (duration_s: 0.005))", replay_text("inputs/in.npy", 3));
    std::fs::write(dir.join("exp.ron"), &text).unwrap();
    let (exp, kind) = Experiment::read(&dir.join("exp.ron")).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(kind, FileKind::Experiment);
    let engram_models::experiment::ModelConfig::Network(d) = &exp.model else { panic!("a network") };
    assert_eq!(run_and_record(d, 5.0, 0, "replay"), (vec![0.0, 0.5, 2.0, 2.0], vec![1, 2, 0, 1]));

    // the run's config.ron carries the folder, so that it finds the same file from elsewhere
    let out = dir.join("run");
    std::fs::create_dir_all(&out).unwrap();
    run_experiment(&exp, Some(&out), false).unwrap();
    let config = std::fs::read_to_string(out.join("config.ron")).unwrap();
    assert!(config.contains(&format!("base_dir: {:?}", dir.display().to_string())), "{config}");
    let (again, _) = Experiment::read(&out.join("config.ron")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.model, exp.model);
    std::fs::remove_dir_all(&dir).ok();
}

/// The error of a replay description in `dir` reading `file` (written there first by `write`).
fn replay_error(dir: &Path, file: &str, n_sources: usize) -> String {
    std::fs::write(dir.join("net.ron"), replay_text(file, n_sources)).unwrap();
    NetworkDescription::from_file(&dir.join("net.ron")).unwrap_err().to_string()
}

#[test]
fn a_missing_spike_file_names_the_path_as_written_and_as_resolved() {
    let dir = scratch("missing");
    let e = replay_error(&dir, "inputs/nothing.npy", 3);
    let resolved = dir.join("inputs/nothing.npy");
    assert!(
        e.starts_with(&format!(
            "{}:3: sources[0].source.params.path = \"inputs/nothing.npy\" is not allowed: expected a float64 .npy \
             array of shape (rows, 2), one spike per row: time_ms, neuron",
            dir.join("net.ron").display()
        )),
        "{e}"
    );
    assert!(e.contains(&format!("{} cannot be read: No such file", resolved.display())), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_bad_row_names_the_row_and_the_value() {
    let dir = scratch("rows");
    let row = |k: usize| format!("(row {k} of {}, rows counted from 0)", dir.join("s.npy").display());

    write_spikes(&dir.join("s.npy"), &[(0.0, 0.0), (1.0, 1.0), (2.0, 2.0), (3.0, 12.0)]);
    let e = replay_error(&dir, "s.npy", 10);
    assert!(
        e.ends_with(&format!(
            "sources[0].source.params.path[3].neuron = 12 is not allowed: expected a source index below n_sources \
             = 10 {}",
            row(3)
        )),
        "{e}"
    );

    write_spikes(&dir.join("s.npy"), &[(0.0, 0.0), (-1.0, 1.0)]);
    let e = replay_error(&dir, "s.npy", 10);
    assert!(e.ends_with(&format!("path[1].time_ms = -1 is not allowed: expected a finite time >= 0 ms {}", row(1))));

    write_spikes(&dir.join("s.npy"), &[(0.0, 0.0), (f64::NAN, 1.0)]);
    let e = replay_error(&dir, "s.npy", 10);
    assert!(e.contains("path[1].time_ms = NaN is not allowed"), "{e}");

    write_spikes(&dir.join("s.npy"), &[(0.0, 0.0), (1.0, 1.0), (1.5, 2.5)]);
    let e = replay_error(&dir, "s.npy", 10);
    assert!(
        e.ends_with(&format!(
            "path[2].neuron = 2.5 is not allowed: expected a whole neuron index from 0 to 2^32 - 1 {}",
            row(2)
        )),
        "{e}"
    );

    // one source twice at one time, in any order of rows: refused whatever the step
    write_spikes(&dir.join("s.npy"), &[(4.0, 3.0), (1.0, 1.0), (4.0, 3.0)]);
    let e = replay_error(&dir, "s.npy", 10);
    assert!(e.contains("path[2] = (time_ms: 4, neuron: 3) is not allowed: expected at most one spike per source per step: row 0 (time_ms: 4) puts source 3 into one time as well"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_spike_file_of_another_layout_is_refused_naming_its_shape() {
    let dir = scratch("layout");
    write_array(&dir.join("three.npy"), OutputFormat::Npy, &["a", "b", "c"], &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
    let e = replay_error(&dir, "three.npy", 10);
    assert!(e.ends_with(&format!("{} has shape (2, 3)", dir.join("three.npy").display())), "{e}");

    write_npy_1d(&dir.join("ints.npy"), &[1u32, 2, 3]).unwrap();
    let e = replay_error(&dir, "ints.npy", 10);
    assert!(e.contains("path = \"ints.npy\" is not allowed") && e.contains("holds '<u4', expected '<f8'"), "{e}");

    std::fs::write(dir.join("text.npy"), "time_ms,neuron\n1,2\n").unwrap();
    let e = replay_error(&dir, "text.npy", 10);
    assert!(e.contains("not a .npy file"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn two_spikes_of_a_source_in_one_step_are_refused_at_that_step_only() {
    let dir = scratch("step");
    write_spikes(&dir.join("s.npy"), &[(1.0, 0.0), (1.05, 0.0), (3.0, 1.0)]);
    std::fs::write(dir.join("net.ron"), replay_text("s.npy", 2)).unwrap();
    // the check knows no step: it accepts them
    let d = NetworkDescription::from_file(&dir.join("net.ron")).unwrap_or_else(|e| panic!("{e}"));
    let e = d.build_with(&Registry::default(), 0.1, 1).err().expect("one step of 0.1 ms holds both").to_string();
    assert!(
        e.contains(
            "sources[0].source.params.path[1] = (time_ms: 1.05, neuron: 0) is not allowed: expected at most one \
             spike per source per step: row 0 (time_ms: 1) puts source 0 into one step of dt = 0.1 ms as well"
        ) && e.contains("a smaller dt_ms may separate them"),
        "{e}"
    );
    let mut built = d.build_with(&Registry::default(), 0.05, 1).unwrap_or_else(|e| panic!("{e}"));
    built.network.run_ms(5.0).unwrap();
    let m = built.network.monitor::<SpikeMonitor>(built.monitors[0]).unwrap();
    assert_eq!(m.times_ms("replay"), &[1.0, 1.05, 3.0]);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_shipped_replay_description_replays_its_file() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../experiments/networks/replay.ron");
    let d = NetworkDescription::from_file(&path).unwrap_or_else(|e| panic!("{e}"));
    let (shape, data) =
        read_npy_2d(&path.parent().unwrap().join("inputs/ob_spikes.npy")).unwrap_or_else(|e| panic!("{e}"));
    let mut built = d.build_with(&Registry::default(), 0.1, 1).unwrap();
    built.run_protocol().unwrap();
    let m = built.network.monitor::<SpikeMonitor>(built.monitors[0]).unwrap();
    assert_eq!(m.count("ob"), shape[0]);
    assert_eq!(m.times_ms("ob"), data.chunks(2).map(|r| r[0]).collect::<Vec<_>>());
    assert!(m.count("E") > 0, "the replay drives E");
}

// ─── Per-phase checkpoints ─────────────────────────────────────────────────────────────────

/// Poisson input onto E through STDP, two phases; the first saves a checkpoint.
const PHASED: &str = r#"(
    populations: [(name: "E", size: 40, neuron: (kind: "AdEx", params: (b_pa: 40.0)), role: Excitatory,
                   initial: [(variable: "v_mv", value: Uniform(low: -70.0, high: -55.0))])],
    sources: [(name: "drive", source: (kind: "PoissonGroup", params: (n_sources: 100, rates: Constant(rate_hz: 30.0))))],
    projections: [(pre: "drive", post: "E", receptor: "exc",
                   connectivity: (kind: "FixedProbability", params: (p: 0.25)), weight: Uniform(low: 2.0, high: 5.0),
                   plasticity: (rule: (kind: "PairStdp", params: (w_max: 8.0)))),
                  (pre: "E", post: "E", receptor: "exc",
                   connectivity: (kind: "FixedProbability", params: (p: 0.1)), weight: Constant(value: 0.5),
                   delay: Uniform(min_ms: 0.5, max_ms: 2.0))],
    monitors: [Spikes(populations: ["E"])],
    phases: [
        (name: "first", duration_ms: 150.0, learning: [], checkpoint: true),
        (name: "second", duration_ms: 150.0, modulator: 1.0),
    ],
)"#;

#[test]
fn a_checkpoint_after_phase_one_resumes_a_fresh_build_with_the_same_spikes() {
    let dir = scratch("checkpoint");
    let d = NetworkDescription::from_ron_str(PHASED, "phased.ron").unwrap();
    let exp = Experiment::of_description(d.clone());
    let out = dir.join("run");
    std::fs::create_dir_all(&out).unwrap();
    run_experiment(&exp, Some(&out), false).unwrap();
    let saved = out.join("checkpoints/first");
    assert!(saved.join("manifest.json").is_file(), "the runner saved checkpoints/first/");
    assert!(!out.join("checkpoints/second").exists(), "only the phases that ask");

    // the uninterrupted run, built from the description in memory
    let mut whole = d.build_with(&Registry::default(), 0.1, exp.run.seed).unwrap();
    whole.run_protocol().unwrap();
    let m = whole.network.monitor::<SpikeMonitor>(whole.monitors[0]).unwrap();
    let (all_t, all_n) = (m.times_ms("E").to_vec(), m.neurons("E").to_vec());

    // a fresh build, restored from the runner's checkpoint, runs the second phase
    let checkpoint = Checkpoint::load(&saved).unwrap();
    assert_eq!(checkpoint.step, 1500);
    let mut resumed = d.build_with(&Registry::default(), 0.1, exp.run.seed).unwrap();
    resumed.network.restore(&checkpoint).unwrap();
    resumed.run_protocol().unwrap();
    assert_eq!(resumed.network.current_step(), 3000);
    let m = resumed.network.monitor::<SpikeMonitor>(resumed.monitors[0]).unwrap();
    let from = all_t.iter().position(|&t| t >= checkpoint.time_ms() - 1e-9).unwrap_or(all_t.len());
    assert!(from > 0 && from < all_t.len(), "spikes in both phases: {from} of {}", all_t.len());
    assert_eq!(m.times_ms("E"), &all_t[from..]);
    assert_eq!(m.neurons("E"), &all_n[from..]);
    assert_eq!(
        resumed.network.weights(resumed.projections[0]).data(),
        whole.network.weights(whole.projections[0]).data()
    );

    // and the runner's own spikes of the second phase are these
    let (_, data) = read_npy_2d(&out.join("spikes_E.npy")).unwrap();
    let file_t: Vec<f64> = data.chunks(2).map(|r| r[0]).collect();
    assert_eq!(file_t, all_t);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_phase_saving_a_checkpoint_needs_a_name_that_can_be_a_folder() {
    let bad = PHASED.replace("name: \"first\"", "name: \"a/b\"");
    let e = NetworkDescription::from_ron_str(&bad, "phased.ron").unwrap_err().to_string();
    assert!(
        e.starts_with(
            "phased.ron:13: phases[0].name = \"a/b\" is not allowed: expected a name that can be a folder's (the \
             phase saves checkpoints/<name>/)"
        ),
        "{e}"
    );
    // without a checkpoint the name is free
    let free = bad.replace(", checkpoint: true", "");
    assert!(NetworkDescription::from_ron_str(&free, "phased.ron").is_ok());
}

// ─── A user's monitor kind ──────────────────────────────────────────────────────────────────

/// Parameters of the user's `SpikeCount` monitor.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SpikeCountParams {
    /// The population or source group counted.
    population: String,
}

impl Params for SpikeCountParams {
    fn validate(&self) -> Result<(), ParamError> {
        Ok(())
    }
}

/// Counts the spikes of one population, per neuron.
struct SpikeCount {
    population: String,
    index: usize,
    per_neuron: Vec<u64>,
}

impl Monitor for SpikeCount {
    fn bind(&mut self, net: &dyn NetworkView) -> Result<(), EngramError> {
        self.index = net
            .population(&self.population)
            .ok_or_else(|| EngramError::unknown("population", &self.population, net.population_names()))?;
        Ok(())
    }
    fn observe(&mut self, _: &StepContext, net: &dyn NetworkView) -> Result<(), EngramError> {
        for &i in net.spikes(self.index) {
            self.per_neuron[i as usize] += 1;
        }
        Ok(())
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

/// The library's kinds and the user's `SpikeCount`.
fn with_spike_count() -> Registry {
    let mut registry = Registry::default();
    registry.register_monitor("SpikeCount", |p: Checked<SpikeCountParams>, c: &MonitorContext| {
        let n = c.population("population", &p.population)?;
        Ok(SpikeCount { population: p.into_inner().population, index: 0, per_neuron: vec![0; n] })
    });
    registry
}

/// A network with the user's monitor second; line numbers matter.
const COUNTED: &str = r#"(
    populations: [(name: "E", size: 25, neuron: (kind: "LifCond"),
                   initial: [(variable: "v_mv", value: Uniform(low: -60.0, high: -50.0))])],
    sources: [(name: "in", source: (kind: "PoissonGroup", params: (n_sources: 50, rates: Constant(rate_hz: 30.0))))],
    projections: [(pre: "in", post: "E", receptor: "exc",
                   connectivity: (kind: "FixedProbability", params: (p: 0.2)), weight: Constant(value: 1.5))],
    monitors: [
        Spikes(populations: ["E"]),
        Custom(kind: "SpikeCount", params: (population: "E")),
    ],
)"#;

#[test]
fn a_user_monitor_named_in_ron_counts_spikes() {
    let registry = with_spike_count();
    assert_eq!(registry.monitor_kinds(), vec!["SpikeCount"]);
    let d = NetworkDescription::from_ron_str_with(COUNTED, "counted.ron", &registry).unwrap();
    let mut built = d.build_with(&registry, 0.1, 4).unwrap();
    built.network.run_ms(200.0).unwrap();
    let count = built.network.monitor::<SpikeCount>(built.monitors[1]).expect("reads back as the user's type");
    let spikes = built.network.monitor::<SpikeMonitor>(built.monitors[0]).unwrap();
    let mut expected = vec![0u64; 25];
    spikes.neurons("E").iter().for_each(|&i| expected[i as usize] += 1);
    assert!(spikes.count("E") > 10, "E fires");
    assert_eq!(count.per_neuron, expected);
}

#[test]
fn an_unknown_monitor_kind_lists_the_known_ones() {
    let bad = COUNTED.replace("\"SpikeCount\"", "\"SpikeCounter\"");
    let e = NetworkDescription::from_ron_str_with(&bad, "counted.ron", &with_spike_count()).unwrap_err().to_string();
    assert_eq!(
        e,
        "counted.ron:9: monitors[1].kind = \"SpikeCounter\" is not allowed: expected one of the registered monitor \
         kinds: SpikeCount (the built-in Spikes, Rates, State and Weights are written without Custom: \
         `Spikes(populations: [...])`)"
    );
    let e = NetworkDescription::from_ron_str(COUNTED, "counted.ron").unwrap_err().to_string();
    assert!(e.contains("expected one of the registered monitor kinds: none registered"), "{e}");
}

#[test]
fn a_user_monitor_s_parameters_are_checked_by_its_kind_at_their_line() {
    let registry = with_spike_count();
    let e = NetworkDescription::from_ron_str_with(
        &COUNTED.replace("(population: \"E\")", "(population: \"F\")"),
        "counted.ron",
        &registry,
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        "counted.ron:9: monitors[1].params.population = \"F\" is not allowed: expected one of the populations and \
         source groups: E, in"
    );
    let e = NetworkDescription::from_ron_str_with(
        &COUNTED.replace("(population: \"E\")", "(populaton: \"E\")"),
        "counted.ron",
        &registry,
    )
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("counted.ron:9:") && e.contains("monitors[1].params") && e.contains("populaton"), "{e}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn descriptions_with_user_monitors_round_trip_through_ron(
        (d, monitors) in network_description().prop_flat_map(|d| {
            let names: Vec<String> = d.populations.iter().map(|p| p.name.clone()).collect();
            (Just(d), proptest::collection::vec(custom_monitor(&["SpikeCount"], names), 0..=2))
        })
    ) {
        let mut d = d;
        // `()` parameters do not name a population: give them one
        d.monitors.extend(monitors.into_iter().map(|m| match m {
            MonitorDescription::Custom { kind, params } if params.as_str() == "()" => MonitorDescription::Custom {
                kind,
                params: engram_models::description::RawParams::from_text("(population: \"P0\")").unwrap(),
            },
            other => other,
        }));
        let registry = with_spike_count();
        prop_assert!(d.check(&registry).is_ok(), "{:?}", d.check(&registry));
        let text = d.to_ron_string();
        let back = NetworkDescription::from_ron_str_with(&text, "<rt>", &registry)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(back, d);
    }
}
