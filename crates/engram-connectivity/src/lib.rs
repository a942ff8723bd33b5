//! engram-connectivity (placeholder until built).
