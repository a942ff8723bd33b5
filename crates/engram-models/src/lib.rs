//! engram-models (placeholder until built).
