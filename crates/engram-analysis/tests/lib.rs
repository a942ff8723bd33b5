//! Integration tests of engram-analysis.
