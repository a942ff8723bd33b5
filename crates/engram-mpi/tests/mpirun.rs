//! The `engram-mpi` binary under `mpirun` (Open MPI; `MPIRUN` names another launcher):
//! `mpirun -np 2` and `mpirun -np 3 --oversubscribe` write the single process's arrays and
//! summary for COBA-4000 and for the Dp network with inhibitory STDP (given as an experiment
//! file), with 1, 2 and 4 threads in each rank, and for COBA with 1 ms delays, whose ranks
//! exchange spikes once per 10 steps (the summary's count is checked for every run);
//! `mpirun -np 2` (and 3) `engram-mpi sweep` of 4 runs writes the single-process sweep; an
//! experiment file recording neuron state gets the single process's state files; the plastic
//! network of `gathered` gets the single process's weight files and checkpoint folders, and
//! its checkpoint resumes in one process, and `engram-mpi run --resume` from the single
//! process's checkpoint ends in its state; `mpirun -np 2 engram-mpi reproduce dp --tiny`
//! writes the single process's reproduction; COBA written as a description with out-degree
//! balanced patterns, balanced across the MPI ranks, writes the single process's run.

use std::path::Path;
use std::process::Command;

use engram_models::experiment::{Experiment, StateRecord};

use engram_models::description::Registry;
use engram_sim::Checkpoint;

use crate::gathered::{WEIGHT_FILES, assert_same_checkpoints, plastic_description, plastic_network};
use crate::reproduce::{DP_TIMING, assert_same_reproduction, dp_tiny, single_process};
use crate::sweep::{FOUR_RUNS, assert_same_sweep, four_runs, single_sweep};
use crate::{assert_same_run, coba, dp_with_istdp, fresh, model_name, single, summary_in};

/// `mpirun -np n engram-mpi <args>`; panics with the output if it fails.
fn mpirun(n_ranks: usize, args: &[&str]) {
    let launcher = std::env::var("MPIRUN").unwrap_or_else(|_| "mpirun".into());
    let mut cmd = Command::new(&launcher);
    cmd.args(["-np", &n_ranks.to_string(), "--oversubscribe"])
        .arg(env!("CARGO_BIN_EXE_engram-mpi"))
        .args(args)
        // Open MPI refuses root without these (CI containers run as root)
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("cannot start `{launcher}` ({e}): the mpi feature needs an MPI installation (Debian: openmpi-bin)")
    });
    assert!(
        out.status.success(),
        "{launcher} -np {n_ranks} engram-mpi {args:?} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `exp` (a built-in model `builtin`, or written to a file) on 2 and 3 ranks.
fn check_with_mpirun(exp: &Experiment, builtin: Option<&str>) {
    check_with_mpirun_named(exp, builtin, model_name(exp));
}

/// [`check_with_mpirun`] with `name` in the folders' names and the messages (tests that run
/// at the same time need different names).
fn check_with_mpirun_named(exp: &Experiment, builtin: Option<&str>, name: &str) {
    let reference = fresh(&format!("mpi-{name}-single"));
    single(exp, &reference);
    let file = fresh(&format!("mpi-{name}.ron"));
    std::fs::write(&file, engram_core::config::to_ron_string(exp)).unwrap();
    let model = builtin.map_or(file.to_string_lossy().into_owned(), str::to_string);
    let duration = exp.run.duration_s.to_string();
    for (n_ranks, threads) in [(2, 1), (3, 1), (3, 2), (2, 4)] {
        let out = fresh(&format!("mpi-{name}-{n_ranks}x{threads}"));
        let out_arg = out.to_string_lossy().into_owned();
        let threads_arg = threads.to_string();
        let args = ["run", &model, "--duration", &duration, "--threads", &threads_arg, "--out", &out_arg, "--quiet"];
        mpirun(n_ranks, &args);
        assert_same_run(&reference, &out, &format!("{name}: mpirun -np {n_ranks}, {threads} threads"));
        let exchanges = summary_in(&out).exchanges.expect("a run across ranks counts its exchanges");
        let steps = (exp.run.duration_s * 1000.0 / exp.run.dt_ms).round() as u64;
        assert_eq!(exchanges.count, steps.div_ceil(u64::from(exchanges.interval_steps)), "{name}: exchanges");
        remove(&out);
    }
    remove(&reference);
    std::fs::remove_file(&file).unwrap();
}

fn remove(dir: &Path) {
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn coba_4000_with_mpirun_writes_the_single_process_run() {
    check_with_mpirun(&coba(), Some("coba"));
}

#[test]
fn dp_with_istdp_with_mpirun_writes_the_single_process_run() {
    check_with_mpirun(&dp_with_istdp(true), None);
}

#[test]
fn out_degrees_balanced_across_mpi_ranks_write_the_single_process_run() {
    // the ranks balance each pattern together through MPI collectives while they build
    check_with_mpirun_named(&crate::ranks::coba_network_balanced(), None, "coba-balanced");
}

#[test]
fn a_sweep_of_4_runs_with_mpirun_writes_the_single_process_sweep() {
    let single = fresh("mpi-sweep-single");
    single_sweep(&four_runs(), &single, 2);
    let out = fresh("mpi-sweep-2-ranks");
    let out_arg = out.to_string_lossy().into_owned();
    let mut args = vec!["sweep"];
    args.extend(FOUR_RUNS);
    args.extend(["--out", &out_arg, "--quiet"]);
    mpirun(2, &args);
    assert_same_sweep(&single, &out, "mpirun -np 2 engram-mpi sweep");
    // again over it with --force, on 3 ranks
    args.push("--force");
    mpirun(3, &args);
    assert_same_sweep(&single, &out, "mpirun -np 3 engram-mpi sweep --force");
    remove(&out);
    remove(&single);
}

#[test]
fn coba_with_1_ms_delays_with_mpirun_exchanges_once_per_10_steps() {
    let mut exp = coba();
    let engram_models::experiment::ModelConfig::Coba(c) = &mut exp.model else { unreachable!() };
    c.delay_ms = 1.0;
    check_with_mpirun(&exp, None);
}

#[test]
fn state_records_with_mpirun_write_the_single_process_files() {
    let mut exp = coba();
    exp.run.duration_s = 0.2;
    let record = |population: &str, neurons: Vec<u32>| StateRecord {
        population: population.into(),
        variable: "v_mv".into(),
        neurons,
        every_ms: 0.5,
    };
    exp.record.state = vec![record("E", vec![3199, 0, 2100, 5, 1600]), record("I", vec![3, 0])];
    let reference = fresh("mpi-state-single");
    single(&exp, &reference);
    let file = fresh("mpi-state.ron");
    std::fs::write(&file, engram_core::config::to_ron_string(&exp)).unwrap();
    let model = file.to_string_lossy().into_owned();
    for n_ranks in [2, 3] {
        let out = fresh(&format!("mpi-state-{n_ranks}"));
        let out_arg = out.to_string_lossy().into_owned();
        mpirun(n_ranks, &["run", &model, "--out", &out_arg, "--quiet"]);
        let what = format!("state records: mpirun -np {n_ranks}");
        assert_same_run(&reference, &out, &what);
        for f in ["state_E_v_mv.npy", "state_I_v_mv.npy"] {
            assert!(out.join(f).exists(), "{what}: {f}");
        }
        remove(&out);
    }
    remove(&reference);
    std::fs::remove_file(&file).unwrap();
}

/// The plastic network of `gathered` run by `mpirun -np 2` and `-np 3`, and in one process:
/// calls `check(reference, ranked, what)` for each, then removes the folders.
fn plastic_network_with_mpirun(name: &str, check: impl Fn(&Path, &Path, &str)) {
    let exp = plastic_network();
    let reference = fresh(&format!("mpi-{name}-single"));
    single(&exp, &reference);
    let file = fresh(&format!("mpi-{name}.ron"));
    std::fs::write(&file, engram_core::config::to_ron_string(&exp)).unwrap();
    let model = file.to_string_lossy().into_owned();
    for n_ranks in [2, 3] {
        let out = fresh(&format!("mpi-{name}-{n_ranks}"));
        let out_arg = out.to_string_lossy().into_owned();
        mpirun(n_ranks, &["run", &model, "--out", &out_arg, "--quiet"]);
        check(&reference, &out, &format!("{name}: mpirun -np {n_ranks}"));
        remove(&out);
    }
    remove(&reference);
    std::fs::remove_file(&file).unwrap();
}

#[test]
fn weight_monitors_with_mpirun_write_the_single_process_files() {
    plastic_network_with_mpirun("weights", |reference, out, what| {
        // every .npy of the run directory, the weights included, byte for byte
        assert_same_run(reference, out, what);
        for f in WEIGHT_FILES {
            assert!(out.join(format!("{f}.npy")).exists(), "{what}: {f}.npy");
        }
    });
}

#[test]
fn checkpoints_with_mpirun_are_the_single_process_folders_and_resume_in_one_process() {
    plastic_network_with_mpirun("checkpoints", |reference, out, what| {
        assert_same_checkpoints(reference, out, what);
        let exp = plastic_network();
        let mut built = plastic_description().build_with(&Registry::default(), exp.run.dt_ms, exp.run.seed).unwrap();
        built.network.restore(&Checkpoint::load(&out.join("checkpoints/first")).unwrap()).unwrap();
        built.run_protocol().unwrap();
        let end = Checkpoint::load(&reference.join("checkpoints/second")).unwrap();
        assert_eq!(built.network.checkpoint().unwrap(), end, "{what}: resumed in one process");
    });
}

#[test]
fn a_run_resumed_with_mpirun_ends_in_the_single_process_state() {
    let exp = plastic_network();
    let reference = fresh("mpi-resume-single");
    single(&exp, &reference);
    let file = fresh("mpi-resume.ron");
    std::fs::write(&file, engram_core::config::to_ron_string(&exp)).unwrap();
    let (model, checkpoint) = (file.to_string_lossy().into_owned(), reference.join("checkpoints/first"));
    let out = fresh("mpi-resume-2");
    let args = ["run", &model, "--resume", &checkpoint.to_string_lossy(), "--out", &out.to_string_lossy(), "--quiet"];
    mpirun(2, &args);
    let (whole, resumed) = (summary_in(&reference), summary_in(&out));
    assert_eq!(resumed.resumed_from.map(|r| (r.checkpoint, r.step)), Some((checkpoint, 1000)));
    assert_eq!((resumed.n_spikes, resumed.populations), (whole.n_spikes, whole.populations));
    let end = |dir: &Path| Checkpoint::load(&dir.join("checkpoints/second")).unwrap();
    assert!(end(&out) == end(&reference), "mpirun -np 2 run --resume: the end differs from the single process's");
    remove(&out);
    remove(&reference);
    std::fs::remove_file(&file).unwrap();
}

#[test]
fn reproduce_dp_tiny_with_mpirun_writes_the_single_process_reproduction() {
    let reference = fresh("mpi-repro-dp-tiny-single");
    let written = single_process(&dp_tiny(&reference));
    let out = fresh("mpi-repro-dp-tiny-2");
    let out_arg = out.to_string_lossy().into_owned();
    mpirun(2, &["reproduce", "dp", "--tiny", "--seed", "3", "--threads", "1", "--out", &out_arg, "--quiet"]);
    assert_same_reproduction(&written, &out, DP_TIMING, "mpirun -np 2 engram-mpi reproduce dp --tiny");
    remove(&out);
    remove(&reference);
}
