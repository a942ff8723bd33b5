//! Integration tests of engram-core: messages of configuration parse errors.

mod config_errors;
