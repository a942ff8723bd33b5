//! `cargo xtask bench`: criterion benchmarks, then COBA/CUBA side by side with Brian2
//! standalone, measured in the same run on the same machine (single thread, loop CPU time
//! per simulated second, best of `--repeats`), and the plasticity benchmarks (COBA-4000 with
//! pair STDP against the static network; with `--plastic` Auryn's 33.75 M-synapse
//! network with triplet STDP, and with `--auryn DIR` Auryn's own `sim_background` on the
//! same network in the same run).

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result, bail};
use engram_models::experiment::{Experiment, ModelConfig};
use engram_models::run::run_experiment;

use crate::{sh, workspace_root};

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Python interpreter with brian2 installed (`pip install brian2 "numpy<2.4"`); without it
    /// only engram is measured.
    #[arg(long)]
    brian2_python: Option<PathBuf>,
    /// Folder holding brian2_coba.py (default: xtask/peers in the repository).
    #[arg(long)]
    peers: Option<PathBuf>,
    /// Skip the criterion benchmarks (only the side-by-side table).
    #[arg(long)]
    no_criterion: bool,
    /// Repeats per configuration (the best is reported).
    #[arg(long, default_value_t = 3)]
    repeats: usize,
    /// Only COBA-4000 and CUBA-4000 (skip the 64k network).
    #[arg(long)]
    quick: bool,
    /// Also measure Auryn's plastic background network (20k E + 5k I + 2.5k Poisson, 33.75 M
    /// synapses, triplet STDP on E->E; 30 s priming + 10 s plastic, about 1.5 min and 1.5 GB
    /// on the reference machine).
    #[arg(long)]
    plastic: bool,
    /// Only the plasticity rows (COBA-4000 static vs pair STDP; with --plastic also Auryn's network).
    #[arg(long)]
    plastic_only: bool,
    /// With --plastic: a folder holding Auryn's `sim_background` binary (built from
    /// github.com/fzenke/auryn, examples/plasticity), run in the same bench for the
    /// side-by-side row (about 3 min and 0.5 GB more).
    #[arg(long)]
    auryn: Option<PathBuf>,
    /// Only the scaling benchmark: COBA-64k, the Dp network and (without --quick) Auryn's
    /// plastic network on 1, 2, … threads (and 4 on smaller machines, oversubscribed), with
    /// speedup, efficiency and each thread's busy time; writes scaling.json and scaling.md
    /// beside --table.
    #[arg(long)]
    scaling: bool,
    /// Only the MPI benchmark: COBA networks of 4000 to 64 000 neurons on 1, 2 and 3 ranks
    /// (`engram-mpi bench` under `mpirun`; needs Open MPI and libclang), written to
    /// mpi-scaling.json beside --table for `cargo xtask report mpi-scaling --from`.
    #[arg(long)]
    mpi: bool,
    /// Where to write the table (markdown).
    #[arg(long, default_value = "target/bench/coba_table.md")]
    table: PathBuf,
}

struct Case {
    label: &'static str,
    model: &'static str,
    n: usize,
    duration_s: f64,
}

struct Measured {
    /// engram: the loop's CPU time. Brian2: the whole standalone binary's CPU time (loop plus
    /// synapse creation and set-up), an upper bound on its loop CPU time.
    loop_cpu_s: f64,
    /// The loop's wall time (Brian2: `_last_run_time`, measured inside the binary).
    loop_wall_s: f64,
    rate_hz: f64,
    n_synapses: usize,
}

fn ours(case: &Case, repeats: usize) -> Result<Measured> {
    let mut best: Option<Measured> = None;
    for _ in 0..repeats {
        let mut exp = Experiment::builtin(case.model).expect("built-in model");
        exp.run.duration_s = case.duration_s;
        exp.run.threads = 1;
        exp.record.spikes = false;
        exp.record.figure = false;
        match &mut exp.model {
            ModelConfig::Coba(c) => c.n = case.n,
            ModelConfig::Cuba(c) => c.n = case.n,
            ModelConfig::Network(_)
            | ModelConfig::Dp(_)
            | ModelConfig::Vogels2011(_)
            | ModelConfig::AurynBackground(_)
            | ModelConfig::Selection(_) => unreachable!("the benchmark cases are built-in models"),
        }
        let s = run_experiment(&exp, None, false)?.summary;
        let total_spikes = s.n_spikes as f64;
        let m = Measured {
            loop_cpu_s: s.loop_cpu_s,
            loop_wall_s: s.loop_wall_s,
            rate_hz: total_spikes / s.n as f64 / s.duration_s,
            n_synapses: s.n_synapses,
        };
        if best.as_ref().is_none_or(|b| m.loop_wall_s < b.loop_wall_s) {
            best = Some(m);
        }
    }
    Ok(best.expect("at least one repeat"))
}

fn brian2(python: &PathBuf, script: &PathBuf, case: &Case, repeats: usize) -> Result<Measured> {
    let mut best: Option<Measured> = None;
    for _ in 0..repeats {
        let out = Command::new(python)
            .arg(script)
            .args(["--model", case.model, "--mode", "cpp_standalone", "--threads", "1"])
            .args(["--n", &case.n.to_string(), "--duration", &case.duration_s.to_string()])
            .output()
            .with_context(|| format!("cannot run {}", python.display()))?;
        if !out.status.success() {
            bail!("brian2 failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        let json = stdout.lines().find_map(|l| l.strip_prefix("JSON ")).context("no JSON line from brian2_coba.py")?;
        let v: serde_json::Value = serde_json::from_str(json)?;
        let f = |k: &str| v.get(k).and_then(serde_json::Value::as_f64).unwrap_or(f64::NAN);
        let m = Measured {
            loop_cpu_s: f("binary_cpu_s"),
            loop_wall_s: f("run_s"),
            rate_hz: f("mean_rate_hz"),
            n_synapses: f("n_synapses") as usize,
        };
        if best.as_ref().is_none_or(|b| m.loop_wall_s < b.loop_wall_s) {
            best = Some(m);
        }
    }
    Ok(best.expect("at least one repeat"))
}

fn dp_30s(repeats: usize) -> Result<f64> {
    use engram_models::dp::{DpConfig, DpConnectivity, Protocol, Variant, odor_sets, simulate};
    let config = DpConfig::default();
    let odors = odor_sets(&config, 1)?;
    let base = DpConnectivity::generate(&config, &odors.learned, 11)?;
    let (net, _) = base.with_variant(&config, Variant::TUNED_EI, 11)?;
    let mut protocol = Protocol::trials(odors.learned[..10].to_vec());
    protocol.duration_ms = 30_000.0;
    protocol.custom_windows = Some(Vec::new());
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
    let mut best = f64::INFINITY;
    for _ in 0..repeats {
        let rec = pool.install(|| simulate(&config, &net, &protocol, 5, 0.1, None))?;
        best = best.min(rec.loop_s);
    }
    Ok(best)
}

/// Process CPU seconds (user + system, all threads, exited ones included; 10 ms ticks of
/// `/proc/self/stat`). An earlier per-thread `schedstat` sum reported ~1 s less than this for
/// each 1 s phase of the 34 M-synapse network (threads that had exited were not counted), so
/// engram_sim's process clock now reads the process-wide counters too.
fn process_stat_cpu_s() -> f64 {
    engram_sim::cputime::process_cpu_s().unwrap_or(f64::NAN)
}

/// CPU and wall seconds of `f`, run in a one-thread pool.
fn timed(f: impl FnOnce() -> Result<()> + Send) -> Result<(f64, f64)> {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
    let (c0, t0) = (process_stat_cpu_s(), std::time::Instant::now());
    pool.install(f)?;
    Ok((process_stat_cpu_s() - c0, t0.elapsed().as_secs_f64()))
}

/// COBA-4000 static and with pair STDP on E->E, alternating, 10 s each (after a 100 ms
/// warm-up; long enough for the 10 ms CPU ticks); best CPU of the repeats. Returns
/// (static, plastic) CPU s per simulated s and E rates.
fn coba_stdp(repeats: usize) -> Result<[(f64, f64); 2]> {
    use engram_benches::networks::coba_with_pair_stdp;
    use engram_models::coba::CobaConfig;
    let mut best = [(f64::INFINITY, 0.0); 2];
    for _ in 0..repeats {
        for (k, plastic) in [false, true].into_iter().enumerate() {
            let mut net = coba_with_pair_stdp(&CobaConfig::default(), plastic, 0.1, 12345)?;
            net.run_ms(100.0)?;
            net.reset_counts();
            let (cpu, _) = timed(|| Ok(net.run_ms(10_000.0)?))?;
            let cpu = cpu / 10.0;
            let rate = net.stats().iter().find(|s| s.name == "E").map_or(f64::NAN, |s| s.rate_hz);
            if cpu < best[k].0 {
                best[k] = (cpu, rate);
            }
        }
    }
    Ok(best)
}

/// The median over `pairs` of the plastic / static CPU-time ratio of 1 s chunks run
/// alternately in one thread of one process (both networks built and warmed up once, CPU time
/// per thread from `schedstat`). The load of a shared host changes between pairs more than
/// within one, so this is steadier than the ratio of two best-ofs.
fn coba_stdp_paired(pairs: usize) -> Result<f64> {
    use engram_benches::networks::coba_with_pair_stdp;
    use engram_models::coba::CobaConfig;
    use engram_sim::cputime::thread_cpu_s;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
    pool.install(|| {
        let mut nets = Vec::new();
        for plastic in [false, true] {
            let mut net = coba_with_pair_stdp(&CobaConfig::default(), plastic, 0.1, 12345)?;
            net.run_ms(100.0)?;
            nets.push(net);
        }
        let mut ratios = Vec::with_capacity(pairs);
        for _ in 0..pairs {
            let mut cpu = [0.0; 2];
            for (c, net) in cpu.iter_mut().zip(&mut nets) {
                let t0 = thread_cpu_s().context("per-thread CPU time (schedstat) is not available")?;
                net.run_ms(1000.0)?;
                *c = thread_cpu_s().context("per-thread CPU time")? - t0;
            }
            ratios.push(cpu[1] / cpu[0]);
        }
        ratios.sort_by(f64::total_cmp);
        Ok(ratios[ratios.len() / 2])
    })
}

/// Auryn's plastic background network, timed as Auryn's own benchmark
/// (`sim_background --tau 10`): build, 30 s of priming with triplet STDP off (3 τ_hom: the
/// rule's traces and rate estimates run, the weights stay), then 10 s plastic. The first
/// second (the start is a synchronous transient) is not measured; the other 29 s of priming
/// give the static row. Each phase's CPU time per simulated second and rates; about 1.5 min.
fn auryn_like() -> Result<(String, f64)> {
    use engram_models::auryn_background::{AurynBackground, AurynBackgroundConfig};
    let config = AurynBackgroundConfig::default();
    let mut built = None;
    let (build_cpu, _) = timed(|| {
        built = Some(config.build(0.1, 1)?);
        Ok(())
    })?;
    let mut bg = built.expect("built above");
    let n_syn = bg.network.n_synapses();
    let phase = |bg: &mut AurynBackground, modulator: f64, ms: f64| -> Result<(f64, f64, f64)> {
        let net = &mut bg.network;
        net.set_modulator(modulator);
        net.reset_counts();
        let (cpu, wall) = timed(|| Ok(net.run_ms(ms)?))?;
        let per_s = cpu / (ms / 1000.0);
        eprintln!("  modulator {modulator}, {ms} ms: {per_s:.3} CPU-s per bio-s, {wall:.3} s wall");
        let st = net.stats();
        let rate = |n: &str| st.iter().find(|s| s.name == n).map_or(f64::NAN, |s| s.rate_hz);
        Ok((per_s, rate("E"), rate("I")))
    };
    phase(&mut bg, 0.0, 1000.0)?;
    let (s_cpu, s_e, s_i) = phase(&mut bg, 0.0, 29_000.0)?;
    let (p_cpu, p_e, p_i) = phase(&mut bg, 1.0, 10_000.0)?;
    let row = format!(
        "\nAuryn's plastic background network (20k E + 5k I LifNmda + 2.5k Poisson, p = 0.05, {n_syn} synapses), single thread, \
         Auryn's protocol (30 s priming with STDP off, then 10 s plastic): build **{build_cpu:.2} s CPU** (target < 3 s); \
         priming (29 s after the first) **{s_cpu:.2} CPU-s per bio-s** (E {s_e:.2} Hz, I {s_i:.2} Hz; Auryn ≈ 0.84 on the \
         reference machine); plastic (10 s, triplet STDP on E->E) **{p_cpu:.2} CPU-s per bio-s** (E {p_e:.2} Hz, I {p_i:.2} Hz; \
         target: at most Auryn's own, `--auryn`)\n"
    );
    Ok((row, p_cpu))
}

fn plastic_rows(args: &BenchArgs, table: &mut String) -> Result<()> {
    eprintln!("measuring COBA-4000 static vs pair STDP ...");
    let [(s_cpu, s_rate), (p_cpu, p_rate)] = coba_stdp(args.repeats)?;
    let paired = coba_stdp_paired(11)?;
    let row = format!(
        "\nCOBA-4000 with pair STDP on E->E (10 s after 100 ms, single thread, best of {}): static **{s_cpu:.4}** CPU-s per bio-s \
         (E {s_rate:.1} Hz), plastic **{p_cpu:.4}** (E {p_rate:.1} Hz), ratio **{:.2}×**; median of 11 paired 1 s chunks \
         **{paired:.2}×** (target ≤ 1.5×)\n",
        args.repeats,
        p_cpu / s_cpu
    );
    eprint!("{row}");
    table.push_str(&row);
    if args.plastic {
        eprintln!("measuring Auryn's plastic background network ...");
        let (row, ours_plastic) = auryn_like()?;
        eprint!("{row}");
        table.push_str(&row);
        if let Some(dir) = &args.auryn {
            eprintln!("running Auryn's sim_background from {} ...", dir.display());
            let row = auryn_itself(dir, ours_plastic)?;
            eprint!("{row}");
            table.push_str(&row);
        }
    }
    Ok(())
}

/// Auryn's own `sim_background --fast --tau_hom 10` (30 s priming, then `--simtime` plastic
/// seconds), once with 10 and once with 1 plastic second: Auryn reports wall time per phase
/// in whole seconds only, so its plastic CPU time per simulated second is the difference of
/// the two runs' CPU times over 9 s. `ours_plastic` is our plastic CPU-s per bio-s.
fn auryn_itself(dir: &std::path::Path, ours_plastic: f64) -> Result<String> {
    let bin = dir.join("sim_background");
    if !bin.is_file() {
        bail!("--auryn {}: no sim_background there (build Auryn's examples/plasticity/sim_background)", dir.display());
    }
    let out = workspace_root().join("target/bench/auryn");
    let cpu_of = |plastic_s: u32| -> Result<f64> {
        std::fs::create_dir_all(&out)?;
        let c0 = engram_sim::cputime::waited_children_cpu_s().unwrap_or(f64::NAN);
        let status = Command::new(&bin)
            .args(["--fast", "--tau_hom", "10", "--simtime", &plastic_s.to_string(), "--dir"])
            .arg(&out)
            .stdout(std::process::Stdio::null())
            .status()
            .with_context(|| format!("running {}", bin.display()))?;
        if !status.success() {
            bail!("{} --simtime {plastic_s} failed: {status}", bin.display());
        }
        let cpu = engram_sim::cputime::waited_children_cpu_s().unwrap_or(f64::NAN) - c0;
        eprintln!("  Auryn, 30 s priming + {plastic_s} s plastic: {cpu:.2} CPU-s (build included)");
        Ok(cpu)
    };
    let (long, short) = (cpu_of(10)?, cpu_of(1)?);
    let plastic = (long - short) / 9.0;
    Ok(format!(
        "\nAuryn's own sim_background (--fast --tau_hom 10, one process, same run): build + 30 s priming + \
         1 s plastic **{short:.1} CPU-s**; plastic **{plastic:.2} CPU-s per bio-s** (difference of the 10 s and 1 s \
         runs over 9 s); engram / Auryn plastic **{:.2}×**\n",
        ours_plastic / plastic
    ))
}

fn write_table(args: &BenchArgs, table: &str) -> Result<()> {
    let path = workspace_root().join(&args.table);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&path, table)?;
    println!("{table}");
    println!("wrote {}", path.display());
    Ok(())
}

pub fn bench(args: BenchArgs) -> Result<()> {
    if args.mpi {
        let out = args.table.parent().map_or_else(|| PathBuf::from("."), PathBuf::from);
        return crate::mpi_scaling::measure(&out);
    }
    if args.scaling {
        let out = args.table.parent().map_or_else(|| PathBuf::from("."), PathBuf::from);
        return crate::scaling::scaling(&out, args.repeats, args.quick);
    }
    if args.auryn.is_some() && !args.plastic {
        bail!("--auryn runs Auryn's plastic network beside ours, which needs --plastic");
    }
    if args.plastic_only {
        let mut table = String::from("Plasticity benchmarks, CPU seconds per simulated second.\n");
        plastic_rows(&args, &mut table)?;
        return write_table(&args, &table);
    }
    if !args.no_criterion {
        sh("cargo", &["bench", "--workspace", "--benches", "--", "--quick"])?;
    }
    let mut cases = vec![
        Case { label: "COBA-4000", model: "coba", n: 4000, duration_s: 1.0 },
        Case { label: "COBA-4000 (10 s)", model: "coba", n: 4000, duration_s: 10.0 },
        Case { label: "CUBA-4000", model: "cuba", n: 4000, duration_s: 1.0 },
        Case { label: "CUBA-4000 (10 s)", model: "cuba", n: 4000, duration_s: 10.0 },
    ];
    if !args.quick {
        cases.push(Case { label: "COBA-64000", model: "coba", n: 64_000, duration_s: 1.0 });
    }
    let script = args.peers.clone().unwrap_or_else(|| workspace_root().join("xtask/peers")).join("brian2_coba.py");
    let mut table = String::from(
        "Seconds per simulated second, single thread, best of the repeats. Brian2 is C++ standalone; \
         its CPU column is the whole binary (loop + set-up), an upper bound on its loop.\n\n\
         | benchmark | engram loop wall | engram loop CPU | Brian2 loop wall | Brian2 binary CPU | wall ratio engram/Brian2 | rate Hz engram / Brian2 | synapses engram / Brian2 |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    for case in &cases {
        eprintln!("measuring {} ...", case.label);
        let o = ours(case, args.repeats)?;
        let b = match &args.brian2_python {
            Some(py) => Some(brian2(py, &script, case, args.repeats)?),
            None => None,
        };
        let per = |s: f64| s / case.duration_s;
        let row = match &b {
            Some(b) => format!(
                "| {} | {:.4} | {:.4} | {:.4} | {:.4} | {:.2} | {:.2} / {:.2} | {} / {} |\n",
                case.label,
                per(o.loop_wall_s),
                per(o.loop_cpu_s),
                per(b.loop_wall_s),
                per(b.loop_cpu_s),
                o.loop_wall_s / b.loop_wall_s,
                o.rate_hz,
                b.rate_hz,
                o.n_synapses,
                b.n_synapses
            ),
            None => format!(
                "| {} | {:.4} | {:.4} | – | – | – | {:.2} / – | {} / – |\n",
                case.label,
                per(o.loop_wall_s),
                per(o.loop_cpu_s),
                o.rate_hz,
                o.n_synapses
            ),
        };
        eprint!("{row}");
        table.push_str(&row);
    }
    // The Dp network: one 30 s simulation (10 odors × 3 s) of one Tuned E+I network.
    let dp = dp_30s(args.repeats)?;
    let row = format!(
        "\nDp network (4000 E + 1000 I + 1500 mitral cells, Tuned E+I), one 30 s simulation (10 odor trials), single thread: \
         **{:.2} s CPU** (best of {}; target ≤ 3 s)\n",
        dp, args.repeats
    );
    eprint!("{row}");
    table.push_str(&row);
    plastic_rows(&args, &mut table)?;
    write_table(&args, &table)
}
