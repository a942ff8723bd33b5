//! `engram-mpi run <model|file.ron>`: one experiment across the ranks that `mpirun` starts,
//! writing the run directory of `cargo xtask run` (see the crate docs).

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use engram_mpi::RunArgs;

/// One engram network across MPI ranks: `mpirun -np N engram-mpi run coba --duration 1`.
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
}

#[cfg(feature = "mpi")]
fn default_out(name: &str) -> std::path::PathBuf {
    std::path::PathBuf::from("runs").join(format!("{name}-mpi"))
}

#[cfg(feature = "mpi")]
fn main() -> ExitCode {
    use engram_models::run::RankShare;
    use engram_mpi::exchange::MpiExchange;
    use mpi::traits::Communicator;

    let cli = Cli::parse();
    let Some(universe) = mpi::initialize() else {
        eprintln!("error: MPI was already initialised");
        return ExitCode::FAILURE;
    };
    let world = universe.world();
    let Command::Run(args) = cli.command;
    let result = (|| -> anyhow::Result<()> {
        let (exp, name) = engram_mpi::experiment_of(&args)?;
        let partition = MpiExchange::partition()?;
        let share = RankShare { partition, exchange: Box::new(MpiExchange::default()) };
        let out = args.out.clone().unwrap_or_else(|| default_out(&name));
        let progress = !args.quiet && partition.rank() == 0;
        if let Some((written, summary)) = engram_mpi::run_rank(&exp, &out, args.force, progress, share)? {
            println!("{}", engram_mpi::describe(&name, partition.n_ranks(), &summary));
            println!("wrote {}", written.display());
        }
        Ok(())
    })();
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
    let Command::Run(args) = Cli::parse().command;
    eprintln!(
        "error: engram-mpi was built without MPI. Install an MPI library and libclang (Debian: \
         libopenmpi-dev openmpi-bin libclang-dev clang), then build it with \
         `cargo build --release -p engram-mpi --features mpi` and run \
         `mpirun -np N target/release/engram-mpi run {} ...`.",
        args.model
    );
    ExitCode::from(2)
}
