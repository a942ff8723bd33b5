//! engram-integrators (placeholder until built).
