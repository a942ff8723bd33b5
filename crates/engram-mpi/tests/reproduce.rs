//! `engram-mpi reproduce`'s logic with ranks as threads (`ThreadGroup`, no MPI): `reproduce dp
//! --tiny` on 3 ranks writes the files of one process, with the same summary except its
//! timing fields; bad arguments give `cargo xtask reproduce`'s errors on every rank, and a
//! reproduction that does not spread is refused on several ranks.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use engram_models::rundir::RunDir;
use engram_mpi::reproduce::{CollectRanks, Reproduced, reproduce_rank};
use engram_mpi::sweep::ExchangeCollect;
use engram_repro::cli::{ReproduceArgs, check};
use engram_repro::jobs::Spread;
use engram_sim::network::{Partition, ThreadGroup};

use crate::fresh;

/// The timing fields of the Dp reproduction's summaries: wall-clock and CPU times of the
/// whole run, of each figure and of each job; they differ from run to run of the same
/// reproduction.
pub(crate) const DP_TIMING: &[&str] = &["wall_s", "cpu_s", "loop_s", "sim_s", "analysis_cpu_s", "sim_cpu_s"];

/// `reproduce dp --tiny --seed 3 --quiet --out out`.
pub(crate) fn dp_tiny(out: &Path) -> ReproduceArgs {
    ReproduceArgs {
        paper: Some("dp".into()),
        tiny: true,
        seed: Some(3),
        quiet: true,
        out: Some(out.to_path_buf()),
        ..ReproduceArgs::default()
    }
}

/// The repository root.
fn root() -> PathBuf {
    engram_mpi::reproduce::repository_root()
}

/// `args` in one process, as `cargo xtask reproduce` runs it: a run directory made aside and
/// put in place.
pub(crate) fn single_process(args: &ReproduceArgs) -> PathBuf {
    let resolved = check(args, &root()).unwrap();
    let dir = RunDir::create(args.out.as_ref().unwrap(), args.force).unwrap();
    resolved.reproduction.run(&resolved.options(args, dir.path(), Spread::here())).unwrap();
    dir.commit().unwrap()
}

/// `args` on `n_ranks` threads as ranks: rank 0's result; the other ranks must return `None`
/// (or rank 0's error).
fn threads_as_ranks(args: &ReproduceArgs, n_ranks: usize) -> anyhow::Result<Reproduced> {
    let group = ThreadGroup::new(n_ranks);
    let root = root();
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..n_ranks)
            .map(|rank| {
                let collect = ExchangeCollect::new(Partition::new(rank, n_ranks).unwrap(), group.member(rank));
                let ranks = Arc::new(CollectRanks::new(collect));
                let root = &root;
                s.spawn(move || reproduce_rank(args, root, ranks))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut results = results.into_iter();
    let first = results.next().unwrap();
    for (k, other) in results.enumerate() {
        match (&first, other) {
            (Ok(_), Ok(None)) => {}
            (Err(e), Err(f)) => assert_eq!(e.to_string(), f.to_string(), "rank {} failed otherwise", k + 1),
            (_, other) => panic!("rank {} returned {other:?} (rank 0: {:?})", k + 1, first.as_ref().map(|_| ())),
        }
    }
    Ok(first?.expect("rank 0 returns what it wrote"))
}

/// A JSON value without the fields `timing` (at any depth).
pub(crate) fn without(mut v: serde_json::Value, timing: &[&str]) -> serde_json::Value {
    match &mut v {
        serde_json::Value::Object(map) => {
            for k in timing {
                map.remove(*k);
            }
            for (_, x) in map.iter_mut() {
                *x = without(std::mem::take(x), timing);
            }
        }
        serde_json::Value::Array(items) => {
            for x in items.iter_mut() {
                *x = without(std::mem::take(x), timing);
            }
        }
        _ => {}
    }
    v
}

/// Every file below `dir`: (path relative to it, bytes), sorted.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.push((name, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// `ranked` holds the files of `reference` (the single process's run): the same names, every
/// JSON file the same but for `timing` fields, and every other file byte for byte (the run
/// directory's marker and the Markdown pages, which quote times, excepted).
pub(crate) fn assert_same_reproduction(reference: &Path, ranked: &Path, timing: &[&str], what: &str) {
    let (a, b) = (files(reference), files(ranked));
    let names = |f: &[(String, Vec<u8>)]| f.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert!(a.len() > 20 && names(&a).contains(&"summary.json".to_string()), "{what}: {:?}", names(&a));
    assert_eq!(names(&a), names(&b), "{what}: other files");
    let mut compared = 0;
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        if name.ends_with(".json") {
            let json = |bytes: &[u8]| without(serde_json::from_slice(bytes).unwrap(), timing);
            assert_eq!(json(x), json(y), "{what}: {name} differs from the single process's (timing fields aside)");
            compared += 1;
        } else if !name.ends_with(".md") && !name.starts_with('.') {
            assert!(x == y, "{what}: {name} differs from the single process's");
            compared += 1;
        }
    }
    assert!(compared > 20, "{what}: only {compared} files compared");
}

/// Three ranks (jobs split unevenly); two ranks run under `mpirun` (tests/mpirun.rs). Each
/// rank repeats the analyses and figures, so every rank count costs a whole tiny reproduction
/// in CI.
#[test]
fn reproduce_dp_tiny_on_3_thread_ranks_writes_the_single_process_reproduction() {
    let reference = fresh("repro-dp-tiny-single");
    let written = single_process(&dp_tiny(&reference));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(written.join("summary.json")).unwrap()).unwrap();
    let n_ranks = 3;
    let out = fresh(&format!("repro-dp-tiny-{n_ranks}-ranks"));
    let done = threads_as_ranks(&dp_tiny(&out), n_ranks).unwrap();
    assert_eq!(done.name, "dp");
    let what = format!("reproduce dp --tiny on {n_ranks} thread ranks");
    assert_eq!(without(done.summary.clone(), DP_TIMING), without(summary.clone(), DP_TIMING), "{what}: summary");
    assert_same_reproduction(&written, &done.dir, DP_TIMING, &what);
    std::fs::remove_dir_all(&out).unwrap();
    std::fs::remove_dir_all(&reference).unwrap();
}

/// `f(spread)` on `n_ranks` threads as ranks, each with a `Spread` over them: every rank's result.
fn on_thread_ranks<T: Send>(n_ranks: usize, f: impl Fn(Spread) -> T + Sync) -> Vec<T> {
    let group = ThreadGroup::new(n_ranks);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..n_ranks)
            .map(|rank| {
                let collect = ExchangeCollect::new(Partition::new(rank, n_ranks).unwrap(), group.member(rank));
                let spread = Spread::over(Arc::new(CollectRanks::new(collect)));
                let f = &f;
                s.spawn(move || f(spread))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

#[test]
fn each_rank_runs_its_share_and_every_rank_gets_every_result_bit_for_bit() {
    let jobs: Vec<u64> = (0..11).collect();
    // odd numbers as bits: NaN payloads, -0, subnormals and the rest cross ranks unchanged
    let value = |j: u64| f64::from_bits(0x7FF8_0000_0000_0001 + j * 0x0123_4567_89AB);
    for n_ranks in [2, 3] {
        let all = on_thread_ranks(n_ranks, |spread| {
            let rank = spread.partition().rank();
            spread.run_jobs("test", &jobs, false, |&j| Ok((j, rank, value(j), -0.0f64, 1e-310f64))).unwrap()
        });
        for (r, results) in all.iter().enumerate() {
            assert_eq!(results.len(), jobs.len(), "rank {r}");
            for (i, &(j, ran_on, x, z, sub)) in results.iter().enumerate() {
                assert_eq!(j, i as u64, "rank {r}: job order");
                assert_eq!(ran_on, i % n_ranks, "job {i} runs on rank i % {n_ranks}, once");
                assert_eq!(x.to_bits(), value(j).to_bits(), "rank {r}, job {i}");
                assert_eq!((z.to_bits(), sub.to_bits()), ((-0.0f64).to_bits(), 1e-310f64.to_bits()));
            }
        }
    }
}

#[test]
fn a_job_that_fails_fails_the_batch_on_every_rank() {
    let jobs: Vec<u64> = (0..6).collect();
    let errors = on_thread_ranks(3, |spread| {
        spread
            .run_jobs("test", &jobs, false, |&j| {
                if j == 4 { Err(engram_core::error::EngramError::Other("job 4 diverged".into())) } else { Ok(j) }
            })
            .unwrap_err()
            .to_string()
    });
    // job 4 runs on rank 1, which returns its own error; the others name it
    assert_eq!(errors, ["rank 1: job 4 diverged", "job 4 diverged", "rank 1: job 4 diverged"]);
}

#[test]
fn bad_arguments_give_the_errors_of_cargo_xtask_reproduce_on_every_rank() {
    let out = fresh("repro-bad");
    let with = |paper: &str, f: &dyn Fn(&mut ReproduceArgs)| {
        let mut args = ReproduceArgs { paper: Some(paper.into()), out: Some(out.clone()), ..ReproduceArgs::default() };
        f(&mut args);
        args
    };
    let cases = [
        with("dq", &|_| {}),
        with("dp", &|a| a.figures = vec![2, 7]),
        with("vogels2011", &|a| a.figures = vec![1]),
        with("dp", &|a| a.networks = Some(0)),
        with("dp-learned", &|a| a.networks = Some(2)),
    ];
    for args in &cases {
        let Err(xtask) = check(args, &root()) else { panic!("the check refuses {:?}", args.paper) };
        let xtask = xtask.to_string();
        let ranked = threads_as_ranks(args, 2).unwrap_err().to_string();
        assert_eq!(ranked, xtask, "{:?}", args.paper);
    }
    let unknown = threads_as_ranks(&cases[0], 2).unwrap_err().to_string();
    assert!(unknown.starts_with("unknown paper `dq`; available: dp, dp-authors, dp-learned, drift, vogels2011"));
    let figure = threads_as_ranks(&cases[1], 3).unwrap_err().to_string();
    assert_eq!(figure, "--figure 7: dp has figures 1 to 6");
    assert!(!out.exists(), "nothing written");
}

#[test]
fn a_reproduction_that_does_not_spread_is_refused_on_several_ranks() {
    let out = fresh("repro-drift");
    let args = ReproduceArgs {
        paper: Some("drift".into()),
        tiny: true,
        quiet: true,
        out: Some(out.clone()),
        ..ReproduceArgs::default()
    };
    let e = threads_as_ranks(&args, 2).unwrap_err().to_string();
    assert!(e.starts_with("drift: engram-mpi reproduce spreads the simulations of dp and dp-authors over ranks, not those of drift; run it on 1 rank"), "{e}");
    assert!(!out.exists(), "nothing written");
}

#[test]
fn rank_0_that_cannot_make_the_run_directory_stops_every_rank() {
    // an existing folder that engram did not write is never replaced, even with --force
    let out = fresh("repro-not-engram");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let args = ReproduceArgs { force: true, ..dp_tiny(&out) };
    let e = threads_as_ranks(&args, 2).unwrap_err().to_string();
    assert!(e.contains(&out.display().to_string()), "{e}");
    assert_eq!(std::fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
    std::fs::remove_dir_all(&out).unwrap();
}
