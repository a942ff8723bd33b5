//! Run a network file that names your own neuron model: register a quadratic
//! integrate-and-fire `PointNeuron` under the name `Qif` with one call, then read
//! `experiments/networks/qif.ron`, build it and run its protocol. No network code is written
//! in Rust; the file says what to build (`docs/guide/configuration.md#network-descriptions`).
//!
//! ```sh
//! cargo run --release --example description_custom_neuron [FILE.ron]
//! ```
//!
//! Prints each population's rate.

use anyhow::Context;
use engram::core::error::ParamError;
use engram::core::params::{Checked, Params, finite, ordered, positive};
use engram::core::prelude::*;
use engram::integrators::Euler;
use engram::models::description::{NetworkDescription, Registry};
use engram::neurons::{PointPopulation, synaptic_current_pa};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Parameters of [`Qif`]: `C dv/dt = k (v − v_rest)(v − v_t) + Σ g (E − v) + I`, spike at
/// `v ≥ v_peak`, then `v ← v_reset` (Izhikevich 2007, without adaptation).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QifParams {
    /// Membrane capacitance, pF.
    pub c_m_pf: f64,
    /// Gain of the quadratic term, nS/mV.
    pub k_ns_per_mv: f64,
    /// Resting potential, mV.
    pub v_rest_mv: f64,
    /// Threshold of the quadratic term, mV.
    pub v_t_mv: f64,
    /// Spike cut, mV.
    pub v_peak_mv: f64,
    /// Reset, mV.
    pub v_reset_mv: f64,
}

impl Default for QifParams {
    fn default() -> Self {
        Self { c_m_pf: 100.0, k_ns_per_mv: 0.7, v_rest_mv: -60.0, v_t_mv: -40.0, v_peak_mv: 35.0, v_reset_mv: -50.0 }
    }
}

impl Params for QifParams {
    fn validate(&self) -> Result<(), ParamError> {
        positive("c_m_pf", self.c_m_pf)?;
        positive("k_ns_per_mv", self.k_ns_per_mv)?;
        finite("v_rest_mv", self.v_rest_mv)?;
        ordered("v_t_mv", self.v_rest_mv, self.v_t_mv)?;
        ordered("v_peak_mv", self.v_t_mv, self.v_peak_mv)?;
        ordered("v_peak_mv", self.v_reset_mv, self.v_peak_mv)
    }
}

/// The quadratic integrate-and-fire neuron with receptors `exc` (0 mV, 5 ms) and `inh`
/// (−80 mV, 10 ms).
pub struct Qif {
    p: QifParams,
    receptors: Vec<Receptor>,
}

impl Qif {
    /// From checked parameters.
    pub fn new(params: Checked<QifParams>) -> Self {
        let receptors = vec![Receptor::conductance("exc", 0.0, 5.0), Receptor::conductance("inh", -80.0, 10.0)];
        Self { p: params.into_inner(), receptors }
    }
}

impl PointNeuron for Qif {
    const STATE: &'static [&'static str] = &["v_mv"];
    fn receptors(&self) -> &[Receptor] {
        &self.receptors
    }
    fn initial_state(&self, s: &mut [f64]) {
        s[0] = self.p.v_rest_mv;
    }
    fn derivatives(&self, s: &[f64], syn: &[f64], i_ext_pa: f64, ds: &mut [f64]) {
        let p = &self.p;
        let v = s[0];
        let i_pa = p.k_ns_per_mv * (v - p.v_rest_mv) * (v - p.v_t_mv) + synaptic_current_pa(&self.receptors, syn, v);
        ds[0] = (i_pa + i_ext_pa) / p.c_m_pf;
    }
    fn spiked(&self, s: &[f64]) -> bool {
        s[0] >= self.p.v_peak_mv
    }
    fn reset(&self, s: &mut [f64]) {
        s[0] = self.p.v_reset_mv;
    }
}

/// The library's kinds plus `Qif`: one call.
pub fn registry() -> Registry {
    let mut registry = Registry::default();
    registry.register_neuron("Qif", |n, p: Checked<QifParams>| {
        Ok(PointPopulation::new("qif", n, Qif::new(p), Box::new(Euler::new())))
    });
    registry
}

fn main() -> anyhow::Result<()> {
    let default = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("experiments/networks/qif.ron");
    let path = std::env::args().nth(1).map(PathBuf::from).unwrap_or(default);
    let registry = registry();
    let description = NetworkDescription::from_file_with(&path, &registry)?;
    let mut built = description.build_with(&registry, 0.1, 2024).context("building the network")?;
    built.run_protocol()?;
    println!("{} ms simulated from {}", built.network.time_ms(), path.display());
    for s in built.network.stats() {
        println!("  {:<6} {:>4} neurons  {:>7.1} Hz", s.name, s.n, s.rate_hz);
    }
    Ok(())
}
