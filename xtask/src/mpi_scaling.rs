//! `cargo xtask bench --mpi`: the exchange alone and COBA networks of a few sizes on 1, 2 and
//! 3 MPI ranks (`engram-mpi bench` under `mpirun`), gathered into one summary for the cost model of
//! docs/performance.md; `cargo xtask report mpi-scaling` writes its tables from the committed
//! summary `docs/data/mpi-scaling.json` (see `engram_mpi::scaling`).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use engram_benches::scaling::ThreadScaling;
use engram_mpi::bench::{BenchNetwork, BenchRun, CollectiveRun};
use engram_mpi::scaling::{ScalingSummary, regions};
use engram_repro::report::{check_regions, load_compact, rewrite_regions, save_compact};

use crate::{sh, workspace_root};

/// The committed summary, relative to the workspace.
pub const SUMMARY: &str = "docs/data/mpi-scaling.json";
/// The committed thread-scaling summary (`cargo xtask bench --scaling`), relative to the
/// workspace.
pub const THREAD_SUMMARY: &str = "docs/data/thread-scaling.json";
/// The page with the generated tables.
pub const PAGE: &str = "docs/performance.md";

/// The networks measured and their simulated time, s: the in-degree kept at 80 (4000, 16 000
/// and 64 000 neurons) and p kept at 0.02 (16 000 neurons, 320 inputs each), so that neurons
/// and synaptic events vary independently.
const CASES: [(BenchNetwork, f64); 4] = [
    (BenchNetwork { n: 4000, fixed_p: false }, 1.0),
    (BenchNetwork { n: 16_000, fixed_p: false }, 0.5),
    (BenchNetwork { n: 64_000, fixed_p: false }, 0.2),
    (BenchNetwork { n: 16_000, fixed_p: true }, 0.25),
];

/// The rank counts.
const RANKS: [usize; 3] = [1, 2, 3];

/// The 1-minute load average (NaN where /proc/loadavg cannot be read).
pub fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|t| t.split_whitespace().next().and_then(|x| x.parse().ok()))
        .unwrap_or(f64::NAN)
}

/// The CPU model name from /proc/cpuinfo.
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("model name").map(|r| r.trim_start_matches([' ', '\t', ':']).to_string()))
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

/// Build `engram-mpi` (release, with MPI), run every case on 1, 2 and 3 ranks, and write the
/// summary to `out/mpi-scaling.json`.
pub fn measure(out: &Path) -> Result<()> {
    sh("cargo", &["build", "--release", "-p", "engram-mpi", "--features", "mpi"])?;
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| workspace_root().join("target"), PathBuf::from);
    let binary = target.join("release").join("engram-mpi");
    let launcher = std::env::var("MPIRUN").unwrap_or_else(|_| "mpirun".into());
    let out = workspace_root().join(out);
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let before = load_average();
    let mpirun = |n_ranks: usize, args: &[&str], record: &Path| -> Result<String> {
        let status = Command::new(&launcher)
            .args(["-np", &n_ranks.to_string(), "--oversubscribe"])
            .arg(&binary)
            .args(args)
            .arg("--out")
            .arg(record)
            .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
            .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
            .status()
            .with_context(|| format!("cannot start `{launcher}` (Debian: openmpi-bin)"))?;
        if !status.success() {
            bail!("{launcher} -np {n_ranks} engram-mpi {} failed with {status}", args.join(" "));
        }
        let text = std::fs::read_to_string(record).with_context(|| format!("reading {}", record.display()))?;
        std::fs::remove_file(record)?;
        Ok(text)
    };
    let mut collectives: Vec<CollectiveRun> = Vec::new();
    for n_ranks in RANKS {
        eprintln!("the exchange alone on {n_ranks} ranks");
        let record = out.join(format!("mpi-collective-{n_ranks}.json"));
        let text = mpirun(n_ranks, &["bench", "--collective"], &record)?;
        collectives.push(serde_json::from_str(&text).with_context(|| format!("reading {}", record.display()))?);
    }
    let mut runs: Vec<BenchRun> = Vec::new();
    for (network, duration_s) in CASES {
        for n_ranks in RANKS {
            let record = out.join(format!("mpi-{}-{n_ranks}.json", network.label()));
            let (n, duration) = (network.n.to_string(), duration_s.to_string());
            let mut args = vec!["bench", "--n", &n, "--duration", &duration];
            if network.fixed_p {
                args.push("--fixed-p");
            }
            eprintln!("{} on {n_ranks} ranks, {duration_s} s", network.label());
            let text = mpirun(n_ranks, &args, &record)?;
            runs.push(serde_json::from_str(&text).with_context(|| format!("reading {}", record.display()))?);
        }
    }
    let summary = ScalingSummary {
        host: cpu_model(),
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        build: format!("release build, {launcher} --oversubscribe (Open MPI), one thread per rank"),
        load_average: [before, load_average()],
        runs,
        collectives,
    };
    let path = out.join("mpi-scaling.json");
    save_compact(&summary, &path)?;
    println!(
        "wrote {}; put it in docs/performance.md with `cargo xtask report mpi-scaling --from {}`",
        path.display(),
        path.display()
    );
    Ok(())
}

/// The generated regions of the page from the summary at `path`.
pub fn regions_of(path: &Path) -> Result<Vec<(String, String)>> {
    let summary: ScalingSummary = load_compact(path, "mpi-scaling")?;
    regions(&summary).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// `cargo xtask report thread-scaling [--from FILE] [--check]`: the table of
/// `cargo xtask bench --scaling` in docs/performance.md, from `docs/data/thread-scaling.json`.
pub fn report_threads(from: Option<&Path>, check: bool) -> Result<()> {
    let regions_of = |path: &Path| -> Result<Vec<(String, String)>> {
        Ok(load_compact::<ThreadScaling>(path, "thread-scaling")?.regions())
    };
    let commit = |source: &Path, to: &Path| -> Result<()> {
        Ok(save_compact(&load_compact::<ThreadScaling>(source, "thread-scaling")?, to)?)
    };
    generated_tables(THREAD_SUMMARY, "thread scaling", regions_of, commit, from, check)
}

/// `cargo xtask report mpi-scaling [--from FILE] [--check]`.
pub fn report(from: Option<&Path>, check: bool) -> Result<()> {
    let commit = |source: &Path, to: &Path| -> Result<()> {
        Ok(save_compact(&load_compact::<ScalingSummary>(source, "mpi-scaling")?, to)?)
    };
    generated_tables(SUMMARY, "MPI scaling", regions_of, commit, from, check)
}

/// Regenerate (or `check`) the tables of [`PAGE`] that the committed summary `summary`
/// generates; `--from` a new summary, which is committed once the page is rewritten.
fn generated_tables(
    summary: &str,
    what: &str,
    regions_of: impl Fn(&Path) -> Result<Vec<(String, String)>>,
    commit: impl Fn(&Path, &Path) -> Result<()>,
    from: Option<&Path>,
    check: bool,
) -> Result<()> {
    let root = workspace_root();
    let committed = root.join(summary);
    let page_path = root.join(PAGE);
    if check && from.is_some() {
        bail!("--check compares the committed page with the committed summary; it takes no --from");
    }
    let source = from.map_or_else(|| committed.clone(), Path::to_path_buf);
    let regions = regions_of(&source)?;
    let page = std::fs::read_to_string(&page_path).with_context(|| format!("reading {}", page_path.display()))?;
    if check {
        check_regions(&page, &regions, PAGE)?;
        println!("{PAGE}: the {what} tables match {summary}");
        return Ok(());
    }
    let new = rewrite_regions(&page, &regions, PAGE)?;
    if from.is_some() {
        if let Some(dir) = committed.parent() {
            std::fs::create_dir_all(dir)?;
        }
        commit(&source, &committed)?;
    }
    std::fs::write(&page_path, new)?;
    println!("wrote the {what} tables of {PAGE} from {}", source.display());
    Ok(())
}
