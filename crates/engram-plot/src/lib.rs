//! engram-plot (placeholder until built).
