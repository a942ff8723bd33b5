//! Integration tests of engram-connectivity: degree statistics of every generator, balancing,
//! the transpose index, determinism across thread counts, delays, input errors, assemblies,
//! assembly rewiring, weight scaling, and random connection specs (engram-testkit's strategies).

mod across;
mod assemblies;
mod balance;
mod delays;
mod determinism;
mod errors;
mod generators;
mod onto;
mod rewiring;
mod scaling;
mod specs;
mod timing;
mod transpose;

use proptest::test_runner::Config;

/// Property-test settings shared by the modules: few cases (the networks are not tiny) and no
/// failure files.
pub fn config(cases: u32) -> Config {
    Config { cases, failure_persistence: None, ..Config::default() }
}
