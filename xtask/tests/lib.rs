//! Tests of the task runner: the repository is tidy, and `cargo xtask run`, `sweep` and `reproduce` never
//! lose a user's data and refuse bad input with clear errors.

mod cli;
mod sweep;
mod tidy_check;
