//! Integration tests of engram-neurons: analytic checks (f–I curve, PSP peak, membrane time
//! constant, rheobase), published firing patterns, the Dp neuron's fitting targets, and the
//! point-neuron adapter; the chunked (parallel) step against the sequential one; property tests over random parameters (engram-testkit's strategies).
//! Models are driven without the engine by `engram_testkit::NeuronDrive`.

mod adex;
mod checkpoint;
mod chunked;
mod izhikevich;
mod kept_block;
mod lif_cond;
mod lif_current;
mod lif_nmda;
mod params;
mod point;
mod properties;
