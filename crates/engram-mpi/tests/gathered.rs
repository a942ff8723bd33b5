//! Weights monitors and checkpoints across ranks (as threads, `ThreadGroup`): a plastic
//! network whose readout population `R` has 2 neurons (on 3 ranks, rank 2 owns none of the
//! targets of `E->R`) writes, on 2 and 3 ranks, the single process's `weights_<projection>`
//! files (npy and CSV) and checkpoint folders byte for byte; the checkpoint saved across ranks
//! loads into the network built in one process, and its remaining phase then ends in the
//! state of the single process's last checkpoint; the single process's checkpoint, restored
//! on 2 and 3 ranks (`Network::restore_whole`), ends there too; a `Custom` monitor is refused.

use std::path::{Path, PathBuf};

use engram_models::description::{BuiltNetwork, MonitorDescription, NetworkDescription, RawParams, Registry};
use engram_models::experiment::Experiment;
use engram_models::run::{Resume, resume_experiment};
use engram_sim::Checkpoint;
use engram_sim::network::{Partition, ThreadGroup};
use engram_sim::npy::{OutputFormat, read_npy_2d};

use crate::ranks::{threads_as_ranks, threads_as_ranks_resuming};
use crate::{assert_same_run, fresh, single};

/// 160 adapting excitatory and 40 inhibitory AdEx neurons driven by 300 Poisson inputs
/// through pair-STDP synapses (I also by a Poisson input stimulus, three E neurons by a
/// current pulse across the first checkpoint), and a readout `R` of 2 neurons that learns
/// from `E` (pair STDP); delays of 1 ms (ten steps: the ranks exchange once per 10 steps), I→E drawn per
/// synapse (1–2 ms). Two phases of 100 ms, each saving a checkpoint; the weights of
/// `input->E` every 5 ms and of `E->R` every 1 ms.
pub(crate) const PLASTIC_NETWORK: &str = r#"(
    populations: [
        (
            name: "E", size: 160,
            neuron: (kind: "AdEx", params: (a_ns: 4.0, b_pa: 80.5, tau_w_ms: 144.0)),
            initial: [(variable: "v_mv", value: Uniform(low: -70.6, high: -55.0))],
            role: Excitatory,
        ),
        (name: "I", size: 40, neuron: (kind: "AdEx", params: (a_ns: 0.0, b_pa: 0.0)), role: Inhibitory),
        (name: "R", size: 2, neuron: (kind: "AdEx")),
    ],
    sources: [
        (name: "input", source: (kind: "PoissonGroup", params: (n_sources: 300, rates: Constant(rate_hz: 20.0)))),
    ],
    // stimuli that write blocks: on a rank, E and I are stored by blocks all the same
    stimuli: [
        (name: "drive", target: "I", stimulus: (kind: "PoissonInput",
            params: (n_inputs: 50, rate: Constant(rate_hz: 10.0), weight: 0.5))),
        (name: "pulse", target: "E", stimulus: (kind: "CurrentInjection",
            params: (pulses: [(start_ms: 20.0, stop_ms: 150.0, amplitude_pa: 60.0)], targets: Indices([159, 3, 81])))),
    ],
    projections: [
        (
            pre: "input", post: "E", receptor: "exc",
            connectivity: (kind: "FixedInDegree", params: (k: 100)),
            weight: Uniform(low: 1.0, high: 3.0), delay: Constant(ms: 1.0),
            plasticity: (rule: (kind: "PairStdp", params: (a_plus: 0.01, a_minus: 0.0105, w_min: 0.0, w_max: 5.0))),
        ),
        (
            pre: "E", post: "I", receptor: "exc",
            connectivity: (kind: "FixedProbability", params: (p: 0.1)),
            weight: Constant(value: 2.0), delay: Constant(ms: 1.0),
        ),
        (
            pre: "I", post: "E", receptor: "inh",
            connectivity: (kind: "FixedProbability", params: (p: 0.2)),
            weight: Constant(value: 4.0), delay: Uniform(min_ms: 1.0, max_ms: 2.0),
        ),
        (
            pre: "E", post: "R", receptor: "exc",
            connectivity: (kind: "FixedProbability", params: (p: 0.5)),
            weight: Uniform(low: 1.0, high: 3.0), delay: Constant(ms: 1.0),
            plasticity: (rule: (kind: "PairStdp", params: (a_plus: 0.02, a_minus: 0.021, w_min: 0.0, w_max: 5.0))),
        ),
    ],
    monitors: [
        Weights(projection: "input->E", every_ms: 5.0),
        Weights(projection: "E->R", every_ms: 1.0),
    ],
    phases: [
        (name: "first", duration_ms: 100.0, checkpoint: true),
        (name: "second", duration_ms: 100.0, checkpoint: true),
    ],
)"#;

pub(crate) fn plastic_description() -> NetworkDescription {
    NetworkDescription::from_ron_str(PLASTIC_NETWORK, "plastic.ron").unwrap()
}

/// The plastic network as an experiment of 200 ms (its two phases).
pub(crate) fn plastic_network() -> Experiment {
    let mut exp = Experiment::of_description(plastic_description());
    exp.run.duration_s = 0.2;
    exp
}

pub(crate) const WEIGHT_FILES: [&str; 2] = ["weights_input_to_E", "weights_E_to_R"];
pub(crate) const CHECKPOINTS: [&str; 2] = ["first", "second"];

/// Every file of a folder and its subfolders: (path below `dir`, bytes), sorted.
fn files_below(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else {
                out.push((path.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// The checkpoint folders of `ranked` are those of `reference`, file for file and byte for
/// byte (manifest and arrays).
pub(crate) fn assert_same_checkpoints(reference: &Path, ranked: &Path, what: &str) {
    for phase in CHECKPOINTS {
        let (a, b) = (reference.join("checkpoints").join(phase), ranked.join("checkpoints").join(phase));
        let (x, y) = (files_below(&a), files_below(&b));
        assert!(x.len() > 10, "{what}: the single process's checkpoint {phase} has {} files", x.len());
        let names = |v: &[(PathBuf, Vec<u8>)]| v.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
        assert_eq!(names(&x), names(&y), "{what}: checkpoint {phase}: other files");
        for ((name, p), (_, q)) in x.iter().zip(&y) {
            assert!(p == q, "{what}: checkpoints/{phase}/{} differs from the single process's", name.display());
        }
    }
}

/// The weights recorded in `file` (npy) change during the run: its first and last samples differ.
fn assert_weights_change(dir: &Path, file: &str) {
    let (shape, data) = read_npy_2d(&dir.join(format!("{file}.npy"))).unwrap();
    let (rows, cols) = (shape[0], shape[1]);
    assert!(rows > 10 && cols > 40, "{file}: {rows} samples of {} synapses", cols - 1);
    let (first, last) = (&data[1..cols], &data[(rows - 1) * cols + 1..rows * cols]);
    assert!(first != last, "{file}: plasticity must change the weights within the run");
}

#[test]
fn weights_and_checkpoints_across_ranks_are_the_single_process_files() {
    let exp = plastic_network();
    let reference = fresh("gathered-single");
    single(&exp, &reference);
    for f in WEIGHT_FILES {
        assert_weights_change(&reference, f);
    }
    for (n_ranks, threads) in [(2, 1), (3, 1), (3, 2)] {
        let mut exp = exp.clone();
        exp.run.threads = threads;
        exp.run.parallel_min_neurons = 0;
        let out = fresh(&format!("gathered-{n_ranks}x{threads}"));
        threads_as_ranks(&exp, n_ranks, &out).unwrap();
        let what = format!("plastic network on {n_ranks} ranks x {threads} threads");
        // every .npy of the run directory, the weights included, byte for byte
        assert_same_run(&reference, &out, &what);
        for f in WEIGHT_FILES {
            assert!(out.join(format!("{f}.npy")).exists(), "{what}: {f}.npy");
        }
        assert_same_checkpoints(&reference, &out, &what);
        std::fs::remove_dir_all(&out).unwrap();
    }
    std::fs::remove_dir_all(&reference).unwrap();
}

#[test]
fn weights_across_ranks_are_the_single_process_csv() {
    let mut exp = plastic_network();
    exp.run.duration_s = 0.05;
    exp.record.format = OutputFormat::Csv;
    let reference = fresh("gathered-csv-single");
    single(&exp, &reference);
    let out = fresh("gathered-csv-3");
    threads_as_ranks(&exp, 3, &out).unwrap();
    for f in WEIGHT_FILES {
        let f = format!("{f}.csv");
        let (a, b) = (std::fs::read(reference.join(&f)).unwrap(), std::fs::read(out.join(&f)).unwrap());
        assert!(a.len() > 1000 && a == b, "{f} differs from the single process's");
    }
    std::fs::remove_dir_all(&out).unwrap();
    std::fs::remove_dir_all(&reference).unwrap();
}

#[test]
fn a_checkpoint_saved_across_ranks_resumes_in_one_process() {
    let exp = plastic_network();
    let reference = fresh("resume-single");
    single(&exp, &reference);
    let out = fresh("resume-3");
    threads_as_ranks(&exp, 3, &out).unwrap();
    // the first phase's checkpoint, saved by 3 ranks, into the network built in one process
    let mut built = plastic_description().build_with(&Registry::default(), exp.run.dt_ms, exp.run.seed).unwrap();
    built.network.restore(&Checkpoint::load(&out.join("checkpoints/first")).unwrap()).unwrap();
    assert_eq!(built.network.current_step(), 1000);
    built.run_protocol().unwrap();
    // ends where the single process's run ended
    let end = Checkpoint::load(&reference.join("checkpoints/second")).unwrap();
    assert_eq!(built.network.checkpoint().unwrap(), end, "the resumed run ends in the single process's state");
    std::fs::remove_dir_all(&out).unwrap();
    std::fs::remove_dir_all(&reference).unwrap();
}

/// The plastic network as rank `rank` of `n_ranks` (threads of `group`): restore the whole
/// network's checkpoint `start`, run the rest of the protocol, return the whole network's
/// checkpoint at its end (on rank 0).
fn resume_on_rank(start: &Checkpoint, rank: usize, n_ranks: usize, group: ThreadGroup) -> Option<Checkpoint> {
    let exp = plastic_network();
    let partition = Partition::new(rank, n_ranks).unwrap();
    let d = plastic_description();
    let (mut b, h) = d.builder_on_rank(&Registry::default(), exp.run.dt_ms, exp.run.seed, Some(partition)).unwrap();
    b.distribute(partition, Box::new(group));
    let network = b.build().unwrap();
    let (projections, monitors, phases, weight_changes) = (h.projections, h.monitors, h.phases, h.weight_changes);
    let mut built = BuiltNetwork { network, projections, monitors, phases, weight_changes };
    // a rank's part does not take the whole checkpoint through `restore`
    let refused = built.network.restore(start).unwrap_err().to_string();
    assert!(refused.contains("restore_whole"), "rank {rank}: {refused}");
    built.network.restore_whole(start).unwrap();
    assert_eq!(built.network.current_step(), 1000);
    built.run_protocol().unwrap();
    built.network.gather_checkpoint().unwrap()
}

#[test]
fn the_whole_networks_checkpoint_resumes_across_ranks() {
    let exp = plastic_network();
    let reference = fresh("resume-ranks-single");
    single(&exp, &reference);
    let start = Checkpoint::load(&reference.join("checkpoints/first")).unwrap();
    let end = Checkpoint::load(&reference.join("checkpoints/second")).unwrap();
    for n_ranks in [2, 3] {
        let group = ThreadGroup::new(n_ranks);
        let ends: Vec<Option<Checkpoint>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..n_ranks)
                .map(|rank| {
                    let (member, start) = (group.member(rank), &start);
                    s.spawn(move || resume_on_rank(start, rank, n_ranks, member))
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(ends[1..].iter().all(Option::is_none), "only rank 0 holds the gathered checkpoint");
        let got = ends[0].as_ref().expect("rank 0 gathers the checkpoint");
        assert!(got == &end, "resumed on {n_ranks} ranks: the end differs from the single process's");
    }
    std::fs::remove_dir_all(&reference).unwrap();
}

/// `engram-mpi run --resume` as threads: the single process's first checkpoint, resumed on 2
/// ranks, writes the files of the run resumed in one process (`resume_experiment`), and its
/// last checkpoint is the full run's.
#[test]
fn a_run_resumed_across_ranks_writes_the_run_resumed_in_one_process() {
    let exp = plastic_network();
    let reference = fresh("resumed-full");
    single(&exp, &reference);
    let from = Resume::load(&reference.join("checkpoints/first")).unwrap();
    let (one, two) = (fresh("resumed-1"), fresh("resumed-2"));
    std::fs::create_dir_all(&one).unwrap();
    let alone = resume_experiment(&exp, Some(&one), false, &from).unwrap().summary;
    let ranked = threads_as_ranks_resuming(&exp, 2, &two, Some(&from)).unwrap();
    assert_eq!(ranked.resumed_from, alone.resumed_from);
    assert_eq!(alone.resumed_from.as_ref().map(|r| r.step), Some(1000));
    assert_same_run(&one, &two, "resumed on 2 ranks");
    let last = |dir: &Path| files_below(&dir.join("checkpoints/second"));
    assert!(last(&two) == last(&reference), "resumed on 2 ranks: checkpoints/second differs from the full run's");
    for dir in [reference, one, two] {
        std::fs::remove_dir_all(dir).unwrap();
    }
}

/// The plastic network with `LifCond` neurons, which store only each rank's own block
/// (`NeuronModel::keep_block`; R's 2 neurons leave rank 2 of 3 with none): on 2 and 3 ranks
/// the single process's files and checkpoint folders byte for byte, and the single process's
/// first checkpoint resumed on 3 ranks ends in its last one.
#[test]
fn neurons_stored_by_blocks_write_and_resume_the_single_process_checkpoints() {
    let text = PLASTIC_NETWORK
        .replace(
            r#"neuron: (kind: "AdEx", params: (a_ns: 4.0, b_pa: 80.5, tau_w_ms: 144.0))"#,
            r#"neuron: (kind: "LifCond")"#,
        )
        .replace(r#"neuron: (kind: "AdEx", params: (a_ns: 0.0, b_pa: 0.0))"#, r#"neuron: (kind: "LifCond")"#)
        .replace(r#"neuron: (kind: "AdEx")"#, r#"neuron: (kind: "LifCond")"#)
        // LifCond's COBA parameters are more excitable than AdEx's: a weaker drive (and a
        // weaker Poisson input onto I, whose inhibition would otherwise silence E)
        .replace("rate_hz: 20.0", "rate_hz: 4.0")
        .replace("rate_hz: 10.0), weight: 0.5", "rate_hz: 10.0), weight: 0.1");
    assert!(!text.contains("AdEx"), "every population is LifCond");
    let mut exp = Experiment::of_description(NetworkDescription::from_ron_str(&text, "lif.ron").unwrap());
    exp.run.duration_s = 0.2;
    // the readout R fires near its refractory limit (identity is what is tested here)
    exp.run.divergence.max_rate_hz = Some(1000.0);
    let reference = fresh("blocks-single");
    single(&exp, &reference);
    for n_ranks in [2, 3] {
        let out = fresh(&format!("blocks-{n_ranks}"));
        threads_as_ranks(&exp, n_ranks, &out).unwrap();
        let what = format!("LifCond plastic network on {n_ranks} ranks");
        assert_same_run(&reference, &out, &what);
        assert_same_checkpoints(&reference, &out, &what);
        std::fs::remove_dir_all(&out).unwrap();
    }
    let from = Resume::load(&reference.join("checkpoints/first")).unwrap();
    let out = fresh("blocks-resumed-3");
    threads_as_ranks_resuming(&exp, 3, &out, Some(&from)).unwrap();
    let last = |dir: &Path| files_below(&dir.join("checkpoints/second"));
    assert!(last(&out) == last(&reference), "resumed on 3 ranks: checkpoints/second differs from the single process's");
    for dir in [reference, out] {
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[test]
fn custom_monitors_are_refused_across_ranks() {
    let mut d = plastic_description();
    d.monitors.push(MonitorDescription::Custom { kind: "SpikeCount".into(), params: RawParams::default() });
    let mut exp = Experiment::of_description(d);
    exp.run.duration_s = 0.01;
    let out = fresh("custom-refused");
    let err = threads_as_ranks(&exp, 2, &out).unwrap_err().to_string();
    assert!(err.contains("Custom(kind: \"SpikeCount\")") && err.contains("one process"), "{err}");
    assert!(!out.exists(), "a refused run leaves no run directory");
}
