//! `cargo xtask bench --scaling`: how a step's chunked parallelism scales with the thread count
//! on COBA-64k, the Dp network and Auryn's background network: loop wall time, speedup and
//! efficiency for 1, 2, … threads, with each thread's busy time (engram_core::busy) so that
//! load imbalance and waiting show even on a machine with few cores.

use std::path::Path;
use std::time::Instant;

use anyhow::{Result, bail};
use engram_benches::scaling::{ScalingRow as Row, ThreadScaling};
use engram_core::busy;
use engram_models::auryn_background::AurynBackgroundConfig;
use engram_models::coba::CobaConfig;
use engram_models::experiment::ModelConfig;
use engram_models::run::build_model;
use engram_repro::report::save_compact;
use engram_sim::Network;

/// A network to measure: built once, warmed up, then the same segment is run from a
/// checkpoint for every thread count and repeat.
struct Case {
    label: &'static str,
    build: fn() -> Result<Network>,
    warmup_ms: f64,
    measure_ms: f64,
}

fn coba_64k() -> Result<Network> {
    Ok(CobaConfig { n: 64_000, ..CobaConfig::default() }.build(0.1, 12345)?.builder.build()?)
}

fn dp() -> Result<Network> {
    let mut b = build_model(&ModelConfig::builtin("dp").expect("built-in dp"), 0.1, 12345)?.builder;
    b.parallel_min_neurons(0); // 5000 neurons and the OB: below the default threshold
    Ok(b.build()?)
}

fn auryn() -> Result<Network> {
    let mut bg = AurynBackgroundConfig::default().build(0.1, 1)?;
    bg.network.set_modulator(1.0); // triplet STDP on E->E changes weights
    Ok(bg.network)
}

/// The thread counts: 1, 2, … up to the available parallelism, and up to 4 in any case.
fn thread_counts() -> (Vec<usize>, usize) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    ((1..=cores.max(4)).collect(), cores)
}

/// Run `case` for every thread count, best wall of `repeats`.
fn measure(case: &Case, repeats: usize, threads: &[usize], cores: usize) -> Result<Vec<Row>> {
    eprintln!("scaling: building {}", case.label);
    let mut net = (case.build)()?;
    net.run_ms(case.warmup_ms)?;
    let start = net.checkpoint()?;
    let mut rows: Vec<Row> = Vec::new();
    for &n in threads {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(n).build()?;
        let mut best: Option<(f64, Vec<f64>, u64)> = None;
        for _ in 0..repeats {
            net.restore(&start)?;
            net.reset_counts();
            pool.broadcast(|_| busy::take_thread_s());
            busy::set_enabled(true);
            let t0 = Instant::now();
            pool.install(|| net.run_ms(case.measure_ms))?;
            let wall_s = t0.elapsed().as_secs_f64();
            busy::set_enabled(false);
            let busy_s = pool.broadcast(|_| busy::take_thread_s());
            let spikes = net.stats().iter().map(|s| s.n_spikes).sum();
            if best.as_ref().is_none_or(|b| wall_s < b.0) {
                best = Some((wall_s, busy_s, spikes));
            }
        }
        let (loop_wall_s, busy_s, spikes) = best.expect("at least one repeat");
        if let Some(first) = rows.first()
            && first.spikes != spikes
        {
            bail!(
                "{}: {spikes} spikes on {n} threads, {} on 1: runs must not depend on the thread count",
                case.label,
                first.spikes
            );
        }
        let base = rows.first().map_or(loop_wall_s, |r| r.loop_wall_s);
        let speedup = base / loop_wall_s;
        eprintln!("scaling: {} on {n} threads: {loop_wall_s:.3} s wall, busy {busy_s:.3?}", case.label);
        rows.push(Row {
            network: case.label.into(),
            threads: n,
            oversubscribed: n > cores,
            loop_wall_s,
            speedup,
            efficiency: speedup / n as f64,
            busy_s,
            spikes,
        });
    }
    Ok(rows)
}

/// Run the scaling benchmark; write `scaling.json` and `scaling.md` into `out`.
pub fn scaling(out: &Path, repeats: usize, quick: bool) -> Result<()> {
    let mut cases = vec![
        Case { label: "COBA-64000", build: coba_64k, warmup_ms: 100.0, measure_ms: 1000.0 },
        Case { label: "Dp (4000 E, 1000 I)", build: dp, warmup_ms: 100.0, measure_ms: 1000.0 },
    ];
    if !quick {
        cases.push(Case { label: "Auryn background (plastic)", build: auryn, warmup_ms: 100.0, measure_ms: 1000.0 });
    }
    let (threads, cores) = thread_counts();
    let before = crate::mpi_scaling::load_average();
    let mut rows = Vec::new();
    for case in &cases {
        rows.extend(measure(case, repeats, &threads, cores)?);
    }
    std::fs::create_dir_all(out)?;
    let summary = ThreadScaling {
        host: crate::mpi_scaling::cpu_model(),
        cores,
        load_average: [before, crate::mpi_scaling::load_average()],
        repeats,
        rows,
    };
    save_compact(&summary, &out.join("scaling.json"))?;
    let md = summary.table();
    std::fs::write(out.join("scaling.md"), &md)?;
    println!(
        "{md}\nwrote {}; put it in docs/performance.md with `cargo xtask report thread-scaling --from {}`",
        out.join("scaling.{json,md}").display(),
        out.join("scaling.json").display()
    );
    Ok(())
}
