//! `engram-mpi run <model|file.ron>`: one experiment across the ranks that `mpirun` starts,
//! writing the run directory of `cargo xtask run`; `engram-mpi sweep`: the runs of a sweep
//! spread over the ranks, writing the folder of `cargo xtask sweep`; `engram-mpi reproduce`:
//! a reproduction's simulations spread over the ranks, writing the run directory of `cargo
//! xtask reproduce` (see the crate docs).

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use engram_models::sweep::SweepArgs;
use engram_mpi::RunArgs;
use engram_repro::cli::ReproduceArgs;

/// One engram network across MPI ranks (`mpirun -np N engram-mpi run coba --duration 1`), or
/// a sweep's runs spread over them (`mpirun -np N engram-mpi sweep coba --seeds 1..9`).
#[derive(Parser)]
#[command(name = "engram-mpi", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run an experiment split across the ranks (the spikes of a single process).
    Run(RunArgs),
    /// Run a sweep (the arguments of `cargo xtask sweep`), its runs spread over the ranks,
    /// each run in one process; rank 0 writes sweep.json. Needs a file system that every
    /// rank sees. `--threads`: runs at once in each rank (default 1).
    Sweep(SweepArgs),
    /// Measure one COBA network split across the ranks (per rank: neurons, synapses, loop
    /// and exchange time, bytes exchanged, memory); rank 0 writes the JSON record. `cargo
    /// xtask bench --mpi` runs it on 1, 2 and 3 ranks for the cost model of docs/performance.md.
    Bench(BenchArgs),
    /// Reproduce a paper (the arguments of `cargo xtask reproduce`; `--list` names them) with
    /// its batches of simulations spread over the ranks; every rank continues with every
    /// result and rank 0 writes the run directory (default `runs/<paper>-mpi`). Spread: dp and
    /// dp-authors; dp-learned, drift and vogels2011 run on 1 rank only. `--threads`: threads
    /// in each rank (default: all cores).
    Reproduce(ReproduceArgs),
}

/// The options of `engram-mpi bench`.
#[derive(clap::Args)]
struct BenchArgs {
    /// Neurons of the COBA network.
    #[arg(long, default_value_t = 4000)]
    n: usize,
    /// Keep the connection probability at 0.02 (0.02 n inputs per neuron) instead of 80 inputs
    /// per neuron.
    #[arg(long)]
    fixed_p: bool,
    /// Simulated time of the measured loop, s.
    #[arg(long, default_value_t = 0.5)]
    duration: f64,
    /// Where rank 0 writes the record (JSON); printed if not given.
    #[arg(long)]
    out: Option<std::path::PathBuf>,
    /// Time the exchange alone instead (no network): messages of 0 to 1 MB per rank, rank 0's
    /// fastest and median exchange of each.
    #[arg(long)]
    collective: bool,
}

#[cfg(feature = "mpi")]
fn default_out(name: &str) -> std::path::PathBuf {
    std::path::PathBuf::from("runs").join(name)
}

#[cfg(feature = "mpi")]
fn run(args: &RunArgs) -> anyhow::Result<()> {
    use engram_models::run::RankShare;
    use engram_mpi::exchange::MpiExchange;

    let (exp, name) = engram_mpi::experiment_of(args)?;
    let partition = MpiExchange::partition()?;
    let share = RankShare { partition, exchange: Box::new(MpiExchange::default()) };
    let resume = args.resume.as_deref().map(engram_models::run::Resume::load).transpose()?;
    let suffix = if resume.is_some() { "-mpi-resumed" } else { "-mpi" };
    let out = args.out.clone().unwrap_or_else(|| default_out(&format!("{name}{suffix}")));
    let progress = !args.quiet && partition.rank() == 0;
    if let Some((written, summary)) = engram_mpi::run_rank(&exp, &out, args.force, progress, share, resume.as_ref())? {
        println!("{}", engram_mpi::describe(&name, partition.n_ranks(), &summary));
        if let Some(r) = &summary.resumed_from {
            println!("resumed from {} at {} ms (step {})", r.checkpoint.display(), r.time_ms, r.step);
        }
        println!("wrote {}", written.display());
    }
    Ok(())
}

#[cfg(feature = "mpi")]
fn sweep(args: &SweepArgs) -> anyhow::Result<()> {
    use engram_models::resources::Limits;
    use engram_mpi::collect::MpiCollect;
    use engram_mpi::sweep::{Collect, RankSweepOptions, sweep_rank};

    let mut collect = MpiCollect::world();
    let partition = collect.partition();
    let (sweep, name) = args.sweep()?;
    let out = args.out.clone().unwrap_or_else(|| default_out(&format!("sweep-{name}")));
    let options = RankSweepOptions {
        parallel: args.threads.unwrap_or(1),
        force: args.force,
        progress: !args.quiet,
        allow_long: args.allow_long,
    };
    if !args.quiet && partition.rank() == 0 {
        eprintln!(
            "sweep: {} runs on {} ranks, {} at once in each, into {}",
            sweep.points().len(),
            partition.n_ranks(),
            options.parallel,
            out.display()
        );
    }
    let limits = Limits::of_this_machine(args.allow_long);
    let Some(report) = sweep_rank(&sweep, &out, &options, &limits, &mut collect)? else { return Ok(()) };
    for row in &report.rows {
        let text = |k: &str| row.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
        println!("{}  {}", text("dir"), text("status"));
    }
    println!(
        "wrote {} ({} runs on {} ranks, {:.1} s; table in sweep.json)",
        report.dir.display(),
        report.rows.len(),
        partition.n_ranks(),
        report.wall_s
    );
    if report.failed > 0 {
        anyhow::bail!(
            "{} of {} runs failed; their errors are in {}",
            report.failed,
            report.rows.len(),
            report.dir.join("sweep.json").display()
        );
    }
    Ok(())
}

#[cfg(feature = "mpi")]
fn reproduce(args: &ReproduceArgs) -> anyhow::Result<()> {
    use std::sync::Arc;

    use engram_mpi::collect::MpiCollect;
    use engram_mpi::reproduce::{CollectRanks, repository_root, reproduce_rank};
    use engram_mpi::sweep::Collect;

    let collect = MpiCollect::world();
    let rank = collect.partition().rank();
    if args.list {
        if rank == 0 {
            print!("{}", engram_repro::cli::list());
        }
        return Ok(());
    }
    if let Some(t) = args.threads {
        engram_repro::cli::check_threads("--threads", t)?;
        rayon::ThreadPoolBuilder::new().num_threads(t).build_global()?;
    }
    let t0 = std::time::Instant::now();
    let Some(done) = reproduce_rank(args, &repository_root(), Arc::new(CollectRanks::new(collect)))? else {
        return Ok(());
    };
    println!(
        "reproduced {} on {} ranks in {:.0} s{}; figures and summary.json in {}",
        done.name,
        MpiCollect::world().partition().n_ranks(),
        t0.elapsed().as_secs_f64(),
        done.seed_note,
        done.dir.display()
    );
    Ok(())
}

#[cfg(feature = "mpi")]
fn bench(args: &BenchArgs) -> anyhow::Result<()> {
    use engram_mpi::bench::{BenchNetwork, bench_across_ranks};
    use engram_mpi::collect::MpiCollect;
    use engram_mpi::exchange::MpiExchange;

    let network = BenchNetwork { n: args.n, fixed_p: args.fixed_p };
    let mut collect = MpiCollect::world();
    let text = if args.collective {
        use engram_mpi::bench::{COLLECTIVE_WORDS, CollectiveRun, collective_rank};
        use engram_mpi::sweep::Collect;
        let points = collective_rank(&mut MpiExchange::default(), &COLLECTIVE_WORDS, 200)?;
        let partition = collect.partition();
        if partition.rank() != 0 {
            return Ok(());
        }
        serde_json::to_string_pretty(&CollectiveRun { n_ranks: partition.n_ranks(), points })?
    } else {
        let Some(run) = bench_across_ranks(network, args.duration, Box::new(MpiExchange::default()), &mut collect)?
        else {
            return Ok(());
        };
        serde_json::to_string_pretty(&run)?
    } + "\n";
    match &args.out {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?
        }
        None => print!("{text}"),
    }
    Ok(())
}

#[cfg(feature = "mpi")]
fn main() -> ExitCode {
    use mpi::traits::Communicator;

    let cli = Cli::parse();
    // a reproduction's exchanges are made by whichever thread runs a batch of jobs, one at a time
    let universe = match &cli.command {
        Command::Reproduce(_) => mpi::initialize_with_threading(mpi::Threading::Serialized).map(|(u, _)| u),
        _ => mpi::initialize(),
    };
    let Some(universe) = universe else {
        eprintln!("error: MPI was already initialised");
        return ExitCode::FAILURE;
    };
    let world = universe.world();
    let result = match &cli.command {
        Command::Run(args) => run(args),
        Command::Sweep(args) => sweep(args),
        Command::Bench(args) => bench(args),
        Command::Reproduce(args) => reproduce(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error (rank {} of {}): {e:#}", world.rank(), world.size());
            // the other ranks may be waiting in an exchange: end them all
            if world.size() > 1 {
                world.abort(1);
            }
            ExitCode::FAILURE
        }
    }
}

#[cfg(not(feature = "mpi"))]
fn main() -> ExitCode {
    let (command, model) = match Cli::parse().command {
        Command::Run(args) => ("run", args.model),
        Command::Sweep(args) => ("sweep", args.model),
        Command::Bench(args) => ("bench", format!("--n {}", args.n)),
        Command::Reproduce(args) => ("reproduce", args.paper.unwrap_or_default()),
    };
    eprintln!(
        "error: engram-mpi was built without MPI. Install an MPI library and libclang (Debian: \
         libopenmpi-dev openmpi-bin libclang-dev clang), then build it with \
         `cargo build --release -p engram-mpi --features mpi` and run \
         `mpirun -np N target/release/engram-mpi {command} {model} ...`.",
    );
    ExitCode::from(2)
}
