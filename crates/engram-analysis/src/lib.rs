//! engram-analysis (being built).
