//! A run resumed from a checkpoint (`resume_experiment`, `cargo xtask run --resume`) goes on
//! to the run that saved it, bit for bit: its spike, rate, state and weight files are the
//! original's from the checkpoint's step on, its last checkpoint is the original's byte for
//! byte, and its summary counts the whole run; checkpoints of another network or past the
//! run's end, and an output folder that holds the checkpoint, are refused.

use std::path::{Path, PathBuf};

use engram_models::description::NetworkDescription;
use engram_models::experiment::Experiment;
use engram_models::run::{Resume, Summary, resume_experiment, run_experiment};
use engram_sim::npy::read_npy_2d;

/// 120 AdEx E and 30 I neurons driven by 200 Poisson inputs through pair-STDP synapses (1 ms
/// delays, I→E 1–2 ms per synapse); three phases: `learn` (60 ms, checkpoint), `rest` (40 ms,
/// modulator 1, E→I set to 4 nS before it), `recall` (50 ms, checkpoint); the weights
/// of `input->E` every 3 ms, the potential of three E neurons every 0.5 ms.
const NETWORK: &str = r#"(
    populations: [
        (
            name: "E", size: 120,
            neuron: (kind: "AdEx", params: (a_ns: 4.0, b_pa: 80.5, tau_w_ms: 144.0)),
            initial: [(variable: "v_mv", value: Uniform(low: -70.6, high: -55.0))],
            role: Excitatory,
        ),
        (name: "I", size: 30, neuron: (kind: "AdEx", params: (a_ns: 0.0, b_pa: 0.0)), role: Inhibitory),
    ],
    sources: [
        (name: "input", source: (kind: "PoissonGroup", params: (n_sources: 200, rates: Constant(rate_hz: 25.0)))),
    ],
    projections: [
        (
            pre: "input", post: "E", receptor: "exc",
            connectivity: (kind: "FixedInDegree", params: (k: 80)),
            weight: Uniform(low: 1.0, high: 3.0), delay: Constant(ms: 1.0),
            plasticity: (rule: (kind: "PairStdp", params: (a_plus: 0.01, a_minus: 0.0105, w_min: 0.0, w_max: 5.0))),
        ),
        (
            pre: "E", post: "I", receptor: "exc",
            connectivity: (kind: "FixedProbability", params: (p: 0.2)),
            weight: Constant(value: 6.0), delay: Constant(ms: 1.0),
        ),
        (
            pre: "I", post: "E", receptor: "inh",
            connectivity: (kind: "FixedProbability", params: (p: 0.2)),
            weight: Constant(value: 4.0), delay: Uniform(min_ms: 1.0, max_ms: 2.0),
        ),
    ],
    monitors: [
        Weights(projection: "input->E", every_ms: 3.0),
        State(population: "E", variable: "v_mv", neurons: [0, 7, 119], every_ms: 0.5),
    ],
    phases: [
        (name: "learn", duration_ms: 60.0, checkpoint: true),
        (
            name: "rest", duration_ms: 40.0, modulator: 1.0,
            weight_changes: [Set(projection: "E->I", value: 4.0)],
        ),
        (name: "recall", duration_ms: 50.0, checkpoint: true),
    ],
)"#;

fn experiment() -> Experiment {
    let mut exp = Experiment::of_description(NetworkDescription::from_ron_str(NETWORK, "resume.ron").unwrap());
    exp.run.duration_s = 0.15;
    // 7 ms bins: the checkpoint at 60 ms falls inside one
    exp.record.rate_bin_ms = 7.0;
    exp
}

fn fresh(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("engram_resume_{name}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn summary_in(dir: &Path) -> Summary {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

/// The rows of `file` (npy, first column a time in ms) from `from_ms` on.
fn rows_from(dir: &Path, file: &str, from_ms: f64) -> (usize, Vec<Vec<f64>>) {
    let (shape, data) = read_npy_2d(&dir.join(file)).unwrap();
    let rows: Vec<Vec<f64>> = data.chunks(shape[1]).map(<[f64]>::to_vec).collect();
    (rows.len(), rows.into_iter().filter(|r| r[0] >= from_ms).collect())
}

/// Every file of a folder: (name, bytes), sorted.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    out.sort();
    out
}

#[test]
fn a_resumed_run_goes_on_to_the_run_that_saved_the_checkpoint() {
    let exp = experiment();
    let (full, resumed) = (fresh("full"), fresh("resumed"));
    let original = run_experiment(&exp, Some(&full), false).unwrap().summary;
    assert!(original.n_spikes > 500, "the network must be active ({} spikes)", original.n_spikes);
    let from = Resume::load(&full.join("checkpoints/learn")).unwrap();
    assert_eq!(from.checkpoint.step, 600);
    let again = resume_experiment(&exp, Some(&resumed), false, &from).unwrap().summary;

    // the summary: the whole run's counts (the checkpoint holds those of the first 60 ms)
    assert_eq!(summary_in(&resumed), again);
    let r = again.resumed_from.as_ref().expect("a resumed run says so");
    assert_eq!((r.step, r.time_ms, r.checkpoint.as_path()), (600, 60.0, full.join("checkpoints/learn").as_path()));
    assert_eq!((again.n_spikes, &again.populations), (original.n_spikes, &original.populations));
    assert_eq!(
        (again.duration_s, again.rate_exc_hz, again.rate_inh_hz),
        (0.15, original.rate_exc_hz, original.rate_inh_hz)
    );

    // the files: the original's from 60 ms on
    for (file, from_ms) in [
        ("spikes_E.npy", 60.0),
        ("spikes_I.npy", 60.0),
        ("weights_input_to_E.npy", 60.0),
        ("state_E_v_mv.npy", 60.0),
        // the bin 56-63 ms was seen in part by the resumed run, and is left out
        ("rates.npy", 63.0),
    ] {
        let (n_all, tail) = rows_from(&full, file, from_ms);
        let (n_resumed, own) = rows_from(&resumed, file, 0.0);
        assert!(tail.len() > 5 && tail.len() < n_all, "{file}: {} of {n_all} rows after {from_ms} ms", tail.len());
        assert_eq!(n_resumed, tail.len(), "{file}: the resumed run's rows");
        assert!(own == tail, "{file}: differs from the original run's rows after {from_ms} ms");
    }
    // the weights learnt after the checkpoint, and the state at the end, bit for bit
    let (a, b) = (files(&full.join("checkpoints/recall")), files(&resumed.join("checkpoints/recall")));
    assert!(a.len() > 10 && a == b, "checkpoints/recall differs from the original run's");
    assert!(!resumed.join("checkpoints/learn").exists(), "the checkpoint resumed from is not saved again");
    std::fs::remove_dir_all(&full).ok();
    std::fs::remove_dir_all(&resumed).ok();
}

#[test]
fn checkpoints_that_do_not_fit_the_run_are_refused_with_their_folder() {
    let exp = experiment();
    let full = fresh("refused");
    run_experiment(&exp, Some(&full), false).unwrap();
    let folder = full.join("checkpoints/recall");
    let from = Resume::load(&folder).unwrap();

    // past the end of a shorter run
    let mut short = exp.clone();
    short.run.duration_s = 0.1;
    let err = resume_experiment(&short, None, false, &from).unwrap_err().to_string();
    assert!(err.contains(&folder.display().to_string()) && err.contains("after the end of the run"), "{err}");

    // another network: another seed draws other synapses
    let mut other = exp.clone();
    other.run.seed += 1;
    let err = resume_experiment(&other, None, false, &from).unwrap_err().to_string();
    assert!(err.contains(&folder.display().to_string()), "{err}");

    // a folder that is not a checkpoint
    let err = Resume::load(&full).unwrap_err().to_string();
    assert!(err.contains("manifest.json"), "{err}");

    // the run that holds the checkpoint is not an output folder for its resumption
    let err = Resume::check_out(&full, &folder).unwrap_err().to_string();
    assert!(err.contains("holds the checkpoint"), "{err}");
    std::fs::remove_dir_all(&full).ok();
}
