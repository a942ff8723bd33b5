//! Tests of engram-mpi: one experiment split across ranks writes the run directory of the
//! single process (spike arrays, rates and summary), for COBA-4000 and a Dp network with
//! inhibitory STDP. `ranks` runs the ranks as threads of one process (no MPI needed);
//! `mpirun` (only with the `mpi` feature) starts the `engram-mpi` binary with
//! `mpirun -np 2` and `mpirun -np 3 --oversubscribe`. `sweep`: a sweep's runs spread over
//! ranks (as threads) write the single-process sweep. `reproduce`: `reproduce dp --tiny` with
//! its simulations spread over ranks (as threads) writes the single-process reproduction.
//! `scaling`: the bench's counts and the cost model's fit.

use std::path::{Path, PathBuf};

use engram_core::params::Params;
use engram_models::description::{Component, PlasticityDescription};
use engram_models::dp::described::DpModel;
use engram_models::experiment::{Experiment, ModelConfig};
use engram_models::run::{Summary, run_experiment};
use engram_plasticity::InhibitoryStdpParams;

mod gathered;
#[cfg(feature = "mpi")]
mod mpirun;
mod ranks;
mod reproduce;
mod scaling;
mod sweep;

/// A fresh, empty path under the system's temporary folder (removed first if a previous run
/// of the same test left it).
fn fresh(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("engram-mpi-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// COBA-4000 (the benchmark), 300 ms.
fn coba() -> Experiment {
    let mut exp = Experiment::builtin("coba").unwrap();
    exp.run.duration_s = 0.3;
    exp
}

/// The Dp network at a quarter of its size, one odor trial, with inhibitory STDP on I→E
/// (a fast rule, so that the weights change within the run), 1.3 s: spontaneous activity,
/// then the odor from 1 s.
fn dp_with_istdp(plastic: bool) -> Experiment {
    let model = DpModel { scale_down: 4, n_odors: 1, ..DpModel::default() };
    let mut d = model.description().unwrap();
    if plastic {
        let istdp = InhibitoryStdpParams { eta: 0.5, target_rate_hz: 2.0, ..Default::default() };
        istdp.validate().unwrap();
        let i_to_e = d.projections.iter_mut().find(|p| p.pre == "I" && p.post == "E").unwrap();
        i_to_e.plasticity = Some(PlasticityDescription {
            rule: Component::new("InhibitoryStdp", &istdp),
            axonal_delay_ms: 0.0,
            dendritic_delay_ms: 0.0,
            gate_threshold: None,
        });
    }
    let mut exp = Experiment::of_description(d);
    exp.run.duration_s = 1.3;
    exp
}

/// The single-process run of `exp` into a fresh folder `dir`.
fn single(exp: &Experiment, dir: &Path) -> Summary {
    std::fs::create_dir_all(dir).unwrap();
    run_experiment(exp, Some(dir), false).unwrap().summary
}

/// Every `.npy` array of a run directory: (file name, bytes), sorted by name.
fn arrays(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "npy"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    out.sort();
    out
}

/// The summary written into a run directory.
fn summary_in(dir: &Path) -> Summary {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

/// `ranked` (a run directory written across ranks) holds the arrays of `reference` (the
/// single process's), byte for byte, and a summary with the same counts.
fn assert_same_run(reference: &Path, ranked: &Path, what: &str) {
    let (a, b) = (arrays(reference), arrays(ranked));
    let names: Vec<&str> = a.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"spikes_E.npy") && names.contains(&"rates.npy"), "{what}: arrays {names:?}");
    assert_eq!(names, b.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), "{what}: other arrays");
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{what}: {name} differs from the single process's");
    }
    let (s, t) = (summary_in(reference), summary_in(ranked));
    assert!(s.n_spikes > 500, "{what}: the network must be active ({} spikes)", s.n_spikes);
    assert_eq!(t.n_spikes, s.n_spikes, "{what}: n_spikes");
    assert_eq!(t.populations, s.populations, "{what}: populations");
    assert_eq!(t.n_synapses, s.n_synapses, "{what}: n_synapses (summed over ranks)");
    assert_eq!(t.syn_events_per_s, s.syn_events_per_s, "{what}: syn_events_per_s (summed over ranks)");
    assert_eq!((t.rate_exc_hz, t.rate_inh_hz), (s.rate_exc_hz, s.rate_inh_hz), "{what}: rates");
}

/// The model of an experiment, for messages.
fn model_name(exp: &Experiment) -> &'static str {
    match &exp.model {
        ModelConfig::Network(_) => "dp+istdp",
        ModelConfig::Coba(c) if c.delay_ms != 0.1 => "coba-long-delays",
        _ => exp.model.name(),
    }
}
