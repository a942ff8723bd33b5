//! Integration tests of engram-core: messages of configuration parse errors, and the
//! `NeuronModel` default checkpoint on the test kit's toy LIF.

mod config_errors;
mod default_checkpoint;
