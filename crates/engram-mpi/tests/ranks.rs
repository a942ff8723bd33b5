//! Ranks as threads of one process (`ThreadGroup`): `run_rank` on 2 and 3 ranks, with 1, 2 or 4
//! threads inside each rank, writes the single process's arrays and summary (also for a
//! description whose weights and delays are drawn per synapse); each rank's builder holds
//! only its share of the synapses; state records are gathered into the single process's
//! files (npy and CSV). Weights, checkpoints and the refusal of `Custom` monitors: `gathered`.

use std::path::Path;

use engram_connectivity::{DelayDistribution, OutDegreeBalancing};
use engram_models::coba::CobaConfig;
use engram_models::description::{Distribution, ProjectionDescription, models};
use engram_models::dp::Variant;
use engram_models::dp::described::DpModel;
use engram_models::experiment::{Experiment, ModelConfig, StateRecord};
use engram_models::run::{Exchanges, RankShare, Resume, Summary, build_model, build_model_on_rank};
use engram_mpi::run_rank;
use engram_sim::network::{Partition, ThreadGroup};
use engram_sim::npy::OutputFormat;

use crate::{assert_same_run, coba, dp_with_istdp, fresh, model_name, single};

/// `exp` across `n_ranks` threads, rank 0 writing `out`; rank 0's summary.
pub(crate) fn threads_as_ranks(exp: &Experiment, n_ranks: usize, out: &Path) -> anyhow::Result<Summary> {
    threads_as_ranks_resuming(exp, n_ranks, out, None)
}

/// [`threads_as_ranks`] going on from the checkpoint `resume`.
pub(crate) fn threads_as_ranks_resuming(
    exp: &Experiment,
    n_ranks: usize,
    out: &Path,
    resume: Option<&Resume>,
) -> anyhow::Result<Summary> {
    let group = ThreadGroup::new(n_ranks);
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..n_ranks)
            .map(|rank| {
                let share = RankShare {
                    partition: Partition::new(rank, n_ranks).unwrap(),
                    exchange: Box::new(group.member(rank)),
                };
                s.spawn(move || run_rank(exp, out, false, false, share, resume))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut root = None;
    for (rank, r) in results.into_iter().enumerate() {
        match r? {
            Some((_, summary)) if rank == 0 => root = Some(summary),
            None if rank != 0 => {}
            other => panic!("rank {rank} returned {:?}", other.map(|(p, _)| p)),
        }
    }
    Ok(root.expect("rank 0 returns the summary"))
}

fn check_across_ranks(exp: &Experiment) {
    check_across_ranks_named(exp, model_name(exp));
}

/// [`check_across_ranks`] with `name` in the folders' names and the messages.
fn check_across_ranks_named(exp: &Experiment, name: &str) {
    let reference = fresh(&format!("{name}-single"));
    single(exp, &reference);
    for (n_ranks, threads) in [(2, 1), (3, 1), (2, 2), (2, 4)] {
        let mut exp = exp.clone();
        exp.run.threads = threads;
        exp.run.parallel_min_neurons = 0; // chunked parallel steps inside each rank
        let out = fresh(&format!("{name}-{n_ranks}x{threads}"));
        threads_as_ranks(&exp, n_ranks, &out).unwrap();
        assert_same_run(&reference, &out, &format!("{name} on {n_ranks} ranks x {threads} threads"));
        std::fs::remove_dir_all(&out).unwrap();
    }
    std::fs::remove_dir_all(&reference).unwrap();
}

#[test]
fn coba_4000_across_ranks_writes_the_single_process_run() {
    check_across_ranks(&coba());
}

#[test]
fn dp_with_istdp_across_ranks_writes_the_single_process_run() {
    check_across_ranks(&dp_with_istdp(true));
}

#[test]
fn the_dp_test_network_learns() {
    // the plastic run's spikes differ from the static one's: iSTDP acts within the run
    let (a, b) = (fresh("dp-static"), fresh("dp-plastic"));
    let (s, p) = (single(&dp_with_istdp(false), &a), single(&dp_with_istdp(true), &b));
    assert_ne!(s.populations, p.populations, "iSTDP must change the run");
    std::fs::remove_dir_all(&a).unwrap();
    std::fs::remove_dir_all(&b).unwrap();
}

/// COBA-4000, 200 ms, recording `v_mv` every 0.5 ms of E neurons in every rank's block (out
/// of order) and of two I neurons that only rank 0 owns on 3 ranks.
fn coba_recording_state() -> Experiment {
    let mut exp = coba();
    exp.run.duration_s = 0.2;
    let record = |population: &str, neurons: Vec<u32>| StateRecord {
        population: population.into(),
        variable: "v_mv".into(),
        neurons,
        every_ms: 0.5,
    };
    exp.record.state.push(record("E", vec![3199, 0, 2100, 5, 1600]));
    exp.record.state.push(record("I", vec![3, 0]));
    exp
}

#[test]
fn state_records_across_ranks_write_the_single_process_files() {
    let exp = coba_recording_state();
    let reference = fresh("state-single");
    single(&exp, &reference);
    let files = ["state_E_v_mv.npy", "state_I_v_mv.npy"];
    for f in files {
        assert!(reference.join(f).exists(), "the single process writes {f}");
    }
    for n_ranks in [2, 3] {
        let out = fresh(&format!("state-{n_ranks}"));
        threads_as_ranks(&exp, n_ranks, &out).unwrap();
        assert_same_run(&reference, &out, &format!("state on {n_ranks} ranks"));
        for f in files {
            assert!(out.join(f).exists(), "{n_ranks} ranks write {f}");
        }
        std::fs::remove_dir_all(&out).unwrap();
    }
    std::fs::remove_dir_all(&reference).unwrap();
}

#[test]
fn state_records_across_ranks_write_the_single_process_csv() {
    let mut exp = coba_recording_state();
    exp.run.duration_s = 0.05;
    exp.record.format = OutputFormat::Csv;
    let reference = fresh("state-csv-single");
    single(&exp, &reference);
    let out = fresh("state-csv-3");
    threads_as_ranks(&exp, 3, &out).unwrap();
    for f in ["state_E_v_mv.csv", "state_I_v_mv.csv"] {
        let (a, b) = (std::fs::read(reference.join(f)).unwrap(), std::fs::read(out.join(f)).unwrap());
        assert!(a.len() > 100 && a == b, "{f} differs from the single process's");
    }
    std::fs::remove_dir_all(&out).unwrap();
    std::fs::remove_dir_all(&reference).unwrap();
}

/// COBA-4000 written as a description whose weights are drawn per synapse (uniform within
/// ±50 % of the benchmark's) and whose delays too (uniform 0.1–0.6 ms), 200 ms: a rank
/// replays the draws of the synapses onto other ranks' neurons without keeping them.
fn coba_network_drawn_per_synapse() -> Experiment {
    coba_description_with(|p| {
        let Some(Distribution::Constant { value }) = p.weight else { panic!("COBA's weights are constant") };
        p.weight = Some(Distribution::Uniform { low: 0.5 * value, high: 1.5 * value });
        p.delay = DelayDistribution::Uniform { min_ms: 0.1, max_ms: 0.6 };
    })
}

/// COBA-4000 as a description, each projection changed by `edit`, 200 ms.
fn coba_description_with(edit: impl Fn(&mut ProjectionDescription)) -> Experiment {
    let mut d = models::coba(&CobaConfig::default()).unwrap();
    d.projections.iter_mut().for_each(edit);
    let mut exp = Experiment::of_description(d);
    exp.run.duration_s = 0.2;
    exp
}

#[test]
fn drawn_weights_and_delays_across_ranks_write_the_single_process_run() {
    check_across_ranks_named(&coba_network_drawn_per_synapse(), "coba-drawn");
}

/// COBA-4000 written as a description whose four patterns are out-degree balanced (the Dp
/// model's method, `balance`), 200 ms: across ranks the ranks balance each pattern together
/// (`ConnectSpec::connect_onto_across`), none holding it whole.
pub(crate) fn coba_network_balanced() -> Experiment {
    coba_description_with(|p| p.balance = Some(OutDegreeBalancing::default()))
}

#[test]
fn out_degrees_balanced_across_ranks_write_the_single_process_run() {
    check_across_ranks_named(&coba_network_balanced(), "coba-balanced");
}

/// The Dp network at a quarter of its size, rand variant, 0.4 s into its first odor: every
/// pathway but the bulb input needs no more than out-degree balancing, so across ranks each
/// is balanced across them (`DpConnectivityOnto::pathway_across`), none made whole.
#[test]
fn dp_rand_balanced_across_ranks_writes_the_single_process_run() {
    let model = DpModel { scale_down: 4, n_odors: 1, variant: Variant::Rand, ..DpModel::default() };
    let mut exp = Experiment::of_description(model.description().unwrap());
    exp.run.duration_s = 0.4;
    check_across_ranks_named(&exp, "dp-rand");
}

/// The selection model (E→E `WithinGroups`, drawn row by row onto each rank's neurons; gated
/// iSTDP on I→E) across ranks, through its first trial: the single process's run.
#[test]
fn selection_model_across_ranks_writes_the_single_process_run() {
    let mut exp = Experiment::builtin("selection").unwrap();
    exp.run.duration_s = 3.0;
    check_across_ranks_named(&exp, "selection");
}

#[test]
fn each_rank_builds_only_its_share_of_the_synapses() {
    let models = [
        ("coba", ModelConfig::Coba(CobaConfig::default())),
        ("coba drawn per synapse", coba_network_drawn_per_synapse().model),
    ];
    for (name, model) in models {
        let whole = build_model(&model, 0.1, 7).unwrap().builder.n_synapses();
        assert!(whole > 300_000, "{name}: {whole} synapses");
        for n_ranks in [2, 3] {
            let mut total = 0;
            for rank in 0..n_ranks {
                let partition = Partition::new(rank, n_ranks).unwrap();
                // the builder before `build`: what the rank drew and holds
                let held = build_model_on_rank(&model, 0.1, 7, Some(partition)).unwrap().builder.n_synapses();
                let share = whole as f64 / n_ranks as f64;
                assert!(
                    (held as f64 - share).abs() < 0.02 * share,
                    "{name}: rank {rank} of {n_ranks} holds {held} of {whole} synapses"
                );
                total += held;
            }
            assert_eq!(total, whole, "{name}: the ranks' parts make the whole network");
        }
    }
}

/// COBA-4000 with 1 ms delays (10 steps of 0.1 ms), 200.5 ms: the ranks exchange spikes once
/// per 10 steps.
fn coba_1_ms_delays() -> Experiment {
    let mut exp = Experiment::builtin("coba").unwrap();
    let ModelConfig::Coba(c) = &mut exp.model else { unreachable!() };
    c.delay_ms = 1.0;
    exp.run.duration_s = 0.2005;
    exp
}

#[test]
fn coba_with_1_ms_delays_exchanges_once_per_10_steps_with_the_single_process_spikes() {
    let exp = coba_1_ms_delays();
    let reference = fresh("coba-1ms-single");
    let one = single(&exp, &reference);
    assert_eq!(one.exchanges, None, "one process exchanges nothing");
    for (n_ranks, threads) in [(2, 1), (3, 1), (2, 2), (3, 2)] {
        let mut exp = exp.clone();
        exp.run.threads = threads;
        exp.run.parallel_min_neurons = 0;
        let out = fresh(&format!("coba-1ms-{n_ranks}x{threads}"));
        let summary = threads_as_ranks(&exp, n_ranks, &out).unwrap();
        let what = format!("coba with 1 ms delays on {n_ranks} ranks x {threads} threads");
        assert_same_run(&reference, &out, &what);
        // 2005 steps: 201 intervals of at most 10 steps
        assert_eq!(summary.exchanges, Some(Exchanges { count: 201, interval_steps: 10 }), "{what}");
        std::fs::remove_dir_all(&out).unwrap();
    }
    std::fs::remove_dir_all(&reference).unwrap();
}

#[test]
fn state_records_with_1_ms_delays_exchange_every_step_and_write_the_single_process_files() {
    let mut exp = coba_1_ms_delays();
    exp.record.state = coba_recording_state().record.state;
    let reference = fresh("coba-1ms-state-single");
    single(&exp, &reference);
    for n_ranks in [2, 3] {
        let out = fresh(&format!("coba-1ms-state-{n_ranks}"));
        let summary = threads_as_ranks(&exp, n_ranks, &out).unwrap();
        let what = format!("coba with 1 ms delays recording state on {n_ranks} ranks");
        assert_same_run(&reference, &out, &what);
        assert!(out.join("state_E_v_mv.npy").exists(), "{what}: state_E_v_mv.npy");
        // every step exchanged, so that the monitors see each step's state
        assert_eq!(summary.exchanges, Some(Exchanges { count: 2005, interval_steps: 1 }), "{what}");
        std::fs::remove_dir_all(&out).unwrap();
    }
    std::fs::remove_dir_all(&reference).unwrap();
}
