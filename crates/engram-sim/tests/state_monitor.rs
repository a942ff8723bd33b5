//! A `StateMonitor` records, at every sampling step, exactly the model's state after that step:
//! its samples are compared with `v_mv` (and a conductance) read from the model step by step,
//! bit for bit, for every step and for a sampling interval, in memory and in its file.

use engram_core::params::Params;
use engram_neurons::{LifCond, LifCondParams};
use engram_sim::npy::read_npy_2d;
use engram_sim::prelude::*;
use engram_stimuli::{PoissonInput, PoissonInputParams, RateSpec, Targets};

const N: usize = 8;
const STEPS: u64 = 400;

/// `LifCond` neurons driven by Poisson input (fluctuating, spiking), with monitors of `v_mv`
/// every step and every 7 steps and of `g_exc_ns` every step.
fn network(dir: &std::path::Path) -> (Network, [MonitorId; 3]) {
    let mut b = NetworkBuilder::new(0.1, 3).unwrap();
    b.add_population("E", LifCond::new(N, LifCondParams::coba().check().unwrap())).unwrap();
    let drive = PoissonInputParams {
        receptor: "exc".into(),
        n_inputs: 100,
        rate: RateSpec::Constant { rate_hz: 10.0 },
        weight: 0.8,
        targets: Targets::All,
    };
    b.add_stimulus("E", PoissonInput::new(drive.check().unwrap(), N, 3, 1, b.clock()).unwrap()).unwrap();
    let neurons = [5, 0, 7, 2];
    let every = b.add_monitor(StateMonitor::new("E", "v_mv", &neurons, 1).streaming_to(dir, OutputFormat::Npy));
    let sparse = b.add_monitor(StateMonitor::new("E", "v_mv", &neurons, 7));
    let g = b.add_monitor(StateMonitor::new("E", "g_exc_ns", &[1, 6], 1));
    (b.build().unwrap(), [every, sparse, g])
}

#[test]
fn samples_are_the_models_state_after_each_sampled_step() {
    let dir = std::env::temp_dir().join(format!("engram_test_state_monitor_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (mut net, [every, sparse, g]) = network(&dir);
    let neurons = [5usize, 0, 7, 2];
    let (mut v_after, mut g_after, mut spikes) = (Vec::new(), Vec::new(), 0);
    for _ in 0..STEPS {
        net.run_steps(1).unwrap();
        let model = net.model("E").unwrap().unwrap();
        let v = model.state("v_mv").unwrap();
        v_after.push(neurons.map(|i| v[i]));
        let ge = model.state("g_exc_ns").unwrap();
        g_after.push([ge[1], ge[6]]);
        spikes += net.last_spikes("E").unwrap().len();
    }
    net.finish_monitors().unwrap();
    assert!(spikes > 10, "the neurons should fire (resets are part of the comparison): {spikes} spikes");

    let bits = |x: &[f64]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    let m = net.monitor::<StateMonitor>(every).unwrap();
    assert_eq!(m.neurons(), [5, 0, 7, 2]);
    assert_eq!(m.times_ms().len(), STEPS as usize);
    for (k, v) in v_after.iter().enumerate() {
        assert_eq!(m.times_ms()[k], k as f64 * 0.1, "sample {k} is stamped with its step's start");
        assert_eq!(bits(&m.values()[4 * k..4 * k + 4]), bits(v), "sample {k}");
    }
    for (j, &i) in neurons.iter().enumerate() {
        let trace: Vec<f64> = v_after.iter().map(|v| v[j]).collect();
        assert_eq!(bits(&m.trace(j)), bits(&trace), "trace of neuron {i}");
    }

    let s = net.monitor::<StateMonitor>(sparse).unwrap();
    let sampled: Vec<usize> = (0..STEPS as usize).step_by(7).collect();
    assert_eq!(s.times_ms(), sampled.iter().map(|&k| k as f64 * 0.1).collect::<Vec<_>>());
    for (row, &k) in sampled.iter().enumerate() {
        assert_eq!(bits(&s.values()[4 * row..4 * row + 4]), bits(&v_after[k]), "every 7 steps: step {k}");
    }

    let c = net.monitor::<StateMonitor>(g).unwrap();
    let flat: Vec<f64> = g_after.iter().flatten().copied().collect();
    assert_eq!(bits(c.values()), bits(&flat), "g_exc_ns");
    assert!(flat.iter().any(|&x| x > 0.0));

    // The file: time, then one column per neuron, the same bits.
    let (shape, data) = read_npy_2d(&dir.join("state_E_v_mv.npy")).unwrap();
    assert_eq!(shape, vec![STEPS as usize, 5]);
    for (k, v) in v_after.iter().enumerate() {
        assert_eq!(data[5 * k], k as f64 * 0.1);
        assert_eq!(bits(&data[5 * k + 1..5 * k + 5]), bits(v), "file row {k}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
