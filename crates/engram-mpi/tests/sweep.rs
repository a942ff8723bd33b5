//! `engram-mpi sweep`'s logic with ranks as threads (`ThreadGroup`, no MPI): a sweep of 4 runs
//! on 2 ranks writes the runs made one by one and the single-process sweep's `sweep.json`;
//! a sweep that rank 0 cannot start fails on every rank and writes nothing.

use std::path::Path;

use engram_models::resources::Limits;
use engram_models::run::run_experiment;
use engram_models::sweep::{Sweep, SweepArgs, SweepOptions, SweepReport, run_sweep};
use engram_mpi::sweep::{ExchangeCollect, RankSweepOptions, plan, sweep_rank};
use engram_sim::network::{Partition, ThreadGroup};

use crate::{arrays, fresh, summary_in};

/// The arguments of the test sweep: COBA-4000 for 0.1 s, seeds 1 to 4 (4 runs).
pub(crate) const FOUR_RUNS: &[&str] = &["coba", "--set", "run.duration_s=[0.1]", "--seeds", "1..5"];

/// The sweep of [`FOUR_RUNS`], read as the command line reads it.
pub(crate) fn four_runs() -> Sweep {
    let args = SweepArgs {
        model: FOUR_RUNS[0].into(),
        sets: vec![FOUR_RUNS[2].into()],
        seeds: Some(FOUR_RUNS[4].into()),
        ..SweepArgs::default()
    };
    let (sweep, name) = args.sweep().unwrap();
    assert_eq!((name.as_str(), sweep.points().len()), ("coba", 4));
    sweep
}

/// `sweep` on `n_ranks` threads, one run at a time in each, into `out`: rank 0's result (the
/// others' must be `None`, or the same error).
fn threads_as_ranks(sweep: &Sweep, n_ranks: usize, out: &Path, force: bool) -> anyhow::Result<SweepReport> {
    let group = ThreadGroup::new(n_ranks);
    let options = RankSweepOptions { parallel: 1, force, progress: false, allow_long: false };
    let limits = Limits::of_this_machine(false);
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..n_ranks)
            .map(|rank| {
                let mut collect = ExchangeCollect::new(Partition::new(rank, n_ranks).unwrap(), group.member(rank));
                let (options, limits) = (&options, &limits);
                s.spawn(move || sweep_rank(sweep, out, options, limits, &mut collect))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut results = results.into_iter();
    let root = results.next().unwrap();
    for (k, other) in results.enumerate() {
        match (&root, other) {
            (Ok(_), Ok(None)) => {}
            (Err(e), Err(f)) => assert_eq!(e.to_string(), f.to_string(), "rank {} failed otherwise", k + 1),
            (_, other) => panic!("rank {} returned {other:?} (rank 0: {:?})", k + 1, root.as_ref().map(|_| ())),
        }
    }
    Ok(root?.expect("rank 0 returns the report"))
}

/// The fields that hold wall or CPU times, or how many runs went at once: they differ from run
/// to run of the same sweep.
const TIMING: &[&str] = &["wall_s", "build_s", "loop_wall_s", "loop_cpu_s", "parallel_runs"];

/// A JSON value without its timing fields (at any depth).
fn without_timing(mut v: serde_json::Value) -> serde_json::Value {
    match &mut v {
        serde_json::Value::Object(map) => {
            for k in TIMING {
                map.remove(*k);
            }
            for (_, x) in map.iter_mut() {
                *x = without_timing(std::mem::take(x));
            }
        }
        serde_json::Value::Array(items) => {
            for x in items.iter_mut() {
                *x = without_timing(std::mem::take(x));
            }
        }
        _ => {}
    }
    v
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every file below `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

/// `ranked` (a sweep folder written across ranks) holds the folder `reference` (the single
/// process's): the same files, the same `sweep.json` but for timing fields, and in each run
/// directory the same arrays and `config.ron`, byte for byte, and the same summary but for
/// timing fields.
pub(crate) fn assert_same_sweep(reference: &Path, ranked: &Path, what: &str) {
    assert_eq!(files(ranked), files(reference), "{what}: other files");
    let (a, b) = (json(&reference.join("sweep.json")), json(&ranked.join("sweep.json")));
    assert_eq!(b["status"], "complete", "{what}: {b}");
    assert_eq!(without_timing(b.clone()), without_timing(a.clone()), "{what}: sweep.json");
    let runs = a["runs"].as_array().unwrap();
    for row in runs {
        let dir = row["dir"].as_str().unwrap();
        let (x, y) = (reference.join(dir), ranked.join(dir));
        assert!(row["n_spikes"].as_u64().unwrap() > 100, "{what}: {dir} must be active: {row}");
        assert!(arrays(&x) == arrays(&y), "{what}: the arrays of {dir} differ");
        assert_eq!(std::fs::read(x.join("config.ron")).unwrap(), std::fs::read(y.join("config.ron")).unwrap());
        let (s, t) = (summary_in(&x), summary_in(&y));
        assert_eq!(
            without_timing(serde_json::to_value(&t).unwrap()),
            without_timing(serde_json::to_value(&s).unwrap()),
            "{what}: the summary of {dir}"
        );
    }
}

/// The single-process sweep of `sweep`, `parallel` runs at once, into `out`.
pub(crate) fn single_sweep(sweep: &Sweep, out: &Path, parallel: usize) -> SweepReport {
    let options = SweepOptions { parallel, force: false, progress: false };
    run_sweep(sweep, out, &options, &|_, _, _| Ok(())).unwrap()
}

#[test]
fn a_sweep_of_4_runs_on_2_ranks_equals_the_4_runs_made_one_by_one() {
    let sweep = four_runs();
    assert_eq!(plan(&sweep, 2), [vec![0, 2], vec![1, 3]], "equal runs alternate between the ranks");
    let ranked = fresh("sweep-2-ranks");
    let report = threads_as_ranks(&sweep, 2, &ranked, false).unwrap();
    assert_eq!((report.rows.len(), report.failed), (4, 0));
    // each run directory is the run made alone
    let alone = fresh("sweep-alone");
    for point in sweep.points() {
        let dir = alone.join(&point.name);
        std::fs::create_dir_all(&dir).unwrap();
        let summary = run_experiment(&point.experiment, Some(&dir), false).unwrap().summary;
        let written = ranked.join(&point.name);
        assert!(arrays(&dir) == arrays(&written), "{}: the arrays differ from the run made alone", point.name);
        assert_eq!(summary_in(&written).populations, summary.populations, "{}", point.name);
        assert_eq!(summary_in(&written).seed, point.seed);
    }
    let seeds: Vec<u64> = sweep.points().iter().map(|p| summary_in(&ranked.join(&p.name)).seed).collect();
    assert_eq!(seeds, [1, 2, 3, 4]);
    let spikes: Vec<u64> = sweep.points().iter().map(|p| summary_in(&ranked.join(&p.name)).n_spikes).collect();
    assert!(spikes.windows(2).any(|w| w[0] != w[1]), "the seeds must make different runs: {spikes:?}");
    // and the whole folder is the single-process sweep's (2 runs at once, as on the 2 ranks)
    let single = fresh("sweep-single");
    single_sweep(&sweep, &single, 2);
    assert_same_sweep(&single, &ranked, "2 ranks as threads");
    assert_eq!(json(&ranked.join("sweep.json"))["parallel_runs"], 2);
    // --force replaces the earlier sweep, on 3 ranks this time (one of them runs 2 points)
    let report = threads_as_ranks(&sweep, 3, &ranked, true).unwrap();
    assert_eq!(report.failed, 0);
    assert_same_sweep(&single, &ranked, "3 ranks as threads, --force");
    for dir in [ranked, alone, single] {
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[test]
fn a_sweep_rank_0_cannot_start_fails_on_every_rank_and_writes_nothing() {
    let sweep = four_runs();
    let out = fresh("sweep-refused");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    // without --force, and with it (notes.txt is not an earlier sweep)
    for force in [false, true] {
        let e = threads_as_ranks(&sweep, 2, &out, force).unwrap_err().to_string();
        let expected = if force { "it is not an earlier sweep" } else { "already exists and is not empty" };
        assert!(e.contains(expected) && e.contains(&out.display().to_string()), "{e}");
    }
    let left: Vec<_> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&*out.file_name().unwrap().to_string_lossy()))
        .collect();
    assert_eq!(left, [out.file_name().unwrap().to_string_lossy().into_owned()], "no folder aside");
    assert_eq!(files(&out), ["notes.txt"]);
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn texts_travel_between_thread_ranks_whole() {
    use engram_mpi::sweep::Collect;
    let texts = ["", "a", "abcd", "abcde", "Größe → ranks", &"x".repeat(1001)];
    for n_ranks in [1, 2, 3] {
        let group = ThreadGroup::new(n_ranks);
        std::thread::scope(|s| {
            for rank in 0..n_ranks {
                let mut c = ExchangeCollect::new(Partition::new(rank, n_ranks).unwrap(), group.member(rank));
                s.spawn(move || {
                    for (k, t) in texts.iter().enumerate() {
                        let mine = format!("{t}#{rank}");
                        let sent = if rank == 0 { t.to_string() } else { format!("not {t}") };
                        assert_eq!(c.broadcast(&sent).unwrap(), *t, "broadcast {k}");
                        let got = c.gather(&mine).unwrap();
                        if rank == 0 {
                            let expected: Vec<String> = (0..n_ranks).map(|r| format!("{t}#{r}")).collect();
                            assert_eq!(got.unwrap(), expected, "gather {k}");
                        } else {
                            assert!(got.is_none());
                        }
                    }
                });
            }
        });
    }
}
