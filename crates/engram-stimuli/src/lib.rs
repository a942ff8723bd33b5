//! engram-stimuli (placeholder until built).
