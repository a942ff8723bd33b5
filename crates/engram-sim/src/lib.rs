//! engram-sim (placeholder until built).
