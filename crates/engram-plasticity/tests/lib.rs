//! Integration tests of engram-plasticity: closed forms (iSTDP drift, TM steady state and
//! paired pulses, triplet BCM threshold and pairing frequency, STDP window, scaling), engine
//! experiments (iSTDP drives a LIF neuron to ρ0, STP through the delivery hook, rewarded
//! synapse), the modulator switch, weight bounds under arbitrary spike trains, and the
//! closed forms of the volatility night steps. Rules are
//! driven on synthetic spike trains by engram-testkit (`plasticity::drive`, `RuleDrive`,
//! `spikes::poisson_steps`).

mod bounds;
mod checkpoint;
mod combined;
mod hebbian;
mod istdp;
mod params;
mod scaling;
mod stdp;
mod stp;
mod switch;
mod three_factor;
mod triplet;
mod volatility;
