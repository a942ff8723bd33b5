//! Tests of the task runner: the repository is tidy, the generated MPI and thread scaling tables
//! match their summaries, and `cargo xtask run`, `sweep` and `reproduce` never
//! lose a user's data and refuse bad input with clear errors.

mod cli;
mod mpi_scaling;
mod sweep;
mod thread_scaling;
mod tidy_check;
