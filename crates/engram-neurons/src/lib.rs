//! engram-neurons (placeholder until built).
