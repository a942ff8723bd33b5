//! Integration tests of engram-neurons: analytic checks (f–I curve, PSP peak, membrane time
//! constant, rheobase), published firing patterns, the Dp neuron's fitting targets, and the
//! point-neuron adapter.

mod adex;
mod checkpoint;
mod common;
mod izhikevich;
mod lif_cond;
mod lif_current;
mod lif_nmda;
mod params;
mod point;
