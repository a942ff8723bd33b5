//! Monitors record what they should, and stream it to files NumPy can read.

use crate::toy::{Probe, ToyLif};
use engram_sim::prelude::*;
use engram_sim::stimulus::ConstantCurrent;

fn read_npy_shape(path: &std::path::Path) -> (usize, usize, Vec<f64>) {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..6], b"\x93NUMPY");
    let header = String::from_utf8_lossy(&bytes[10..128]).to_string();
    let shape = header.split("'shape': (").nth(1).unwrap().split(')').next().unwrap().to_string();
    let dims: Vec<usize> = shape.split(',').map(|s| s.trim().parse().unwrap()).collect();
    let data = bytes[128..].chunks(8).map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect();
    (dims[0], dims[1], data)
}

#[test]
fn spike_state_and_rate_monitors_record_and_stream() {
    let dir = std::env::temp_dir().join(format!("engram_monitor_test_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    b.add_population("A", Probe::new(4, vec![(0, 0), (2, 0), (3, 55), (1, 99)])).unwrap();
    b.add_population("L", ToyLif::new(5, 3)).unwrap();
    b.add_stimulus("L", ConstantCurrent::new(5.0)).unwrap();
    let sm = b.add_monitor(SpikeMonitor::new(&["A"]).streaming_to(&dir, OutputFormat::Npy));
    let st = b.add_monitor(StateMonitor::new("L", "v_mv", &[0, 4], 10).streaming_to(&dir, OutputFormat::Csv));
    let rm = b.add_monitor(RateMonitor::new(&["A"], 5.0).streaming_to(&dir, OutputFormat::Npy));
    let mut net = b.build().unwrap();
    net.run_ms(10.0).unwrap();

    let spikes = net.monitor::<SpikeMonitor>(sm).unwrap();
    assert_eq!(spikes.neurons("A"), &[0, 2, 3, 1]);
    let t: Vec<f64> = spikes.times_ms("A").iter().map(|t| (t * 10.0).round() / 10.0).collect();
    assert_eq!(t, vec![0.0, 0.0, 5.5, 9.9]);
    let (rows, cols, data) = read_npy_shape(&dir.join("spikes_A.npy"));
    assert_eq!((rows, cols), (4, 2));
    assert_eq!(data[7], 1.0);

    let state = net.monitor::<StateMonitor>(st).unwrap();
    assert_eq!(state.times_ms().len(), 10); // steps 0, 10, ..., 90
    assert_eq!(state.values().len(), 20);
    let v_now = net.model("L").unwrap().unwrap().state("v_mv").unwrap()[4];
    assert!(state.trace(1).iter().all(|v| v.is_finite()) && v_now.is_finite());
    let csv = std::fs::read_to_string(dir.join("state_L_v_mv.csv")).unwrap();
    assert_eq!(csv.lines().next().unwrap(), "time_ms,n0,n4");
    assert_eq!(csv.lines().count(), 11);

    let rates = net.monitor::<RateMonitor>(rm).unwrap();
    // bin 0-5 ms: 2 spikes of 4 neurons in 5 ms = 100 Hz; bin 5-10 ms: 2 spikes = 100 Hz
    assert_eq!(rates.rates_hz("A"), vec![100.0, 100.0]);
    let (rows, cols, _) = read_npy_shape(&dir.join("rates.npy"));
    assert_eq!((rows, cols), (2, 2));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn monitors_reject_unknown_names_before_the_run() {
    let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    b.add_population("E", Probe::new(4, vec![])).unwrap();
    b.add_monitor(StateMonitor::new("E", "g_exc", &[0], 1));
    let err = b.build().err().expect("unknown state variable must fail").to_string();
    assert!(err.contains("unknown state variable `g_exc`") && err.contains("v_mv"), "{err}");
    let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    b.add_population("E", Probe::new(4, vec![])).unwrap();
    b.add_monitor(SpikeMonitor::new(&["I"]));
    let err = b.build().err().expect("unknown population must fail").to_string();
    assert!(err.contains("unknown population `I`"), "{err}");
    let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    b.add_population("E", Probe::new(4, vec![])).unwrap();
    b.add_monitor(StateMonitor::new("E", "v_mv", &[9], 1));
    let err = b.build().err().expect("missing neuron must fail").to_string();
    assert!(err.contains("neuron 9 does not exist"), "{err}");
}

#[test]
fn stats_and_reset_activity() {
    let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    b.add_population("A", Probe::new(2, vec![(0, 1), (1, 2), (1, 3)])).unwrap();
    let mut net = b.build().unwrap();
    net.run_ms(100.0).unwrap();
    let s = &net.stats()[0];
    assert_eq!(s.n_spikes, 3);
    assert!((s.rate_hz - 15.0).abs() < 1e-9, "{}", s.rate_hz); // 3 spikes / 2 neurons / 0.1 s
    assert_eq!(net.spike_counts("A").unwrap(), &[1, 2]);
    net.reset_counts();
    assert_eq!(net.stats()[0].n_spikes, 0);
}

#[test]
fn syn_events_count_spikes_times_out_degree() {
    let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    b.add_population("A", Probe::new(2, vec![(0, 1), (1, 2), (1, 3)])).unwrap();
    b.add_population("B", Probe::new(3, vec![])).unwrap();
    let mut tri = sprs::TriMatI::<f64, u32>::new((2, 3));
    for (i, j) in [(0, 0), (0, 1), (0, 2), (1, 2)] {
        tri.add_triplet(i, j, 0.0);
    }
    b.connect("A", "B", "exc", tri.to_csr(), Delay::Steps(1)).unwrap();
    let mut net = b.build().unwrap();
    net.run_steps(10).unwrap();
    assert_eq!(net.syn_events(), 3 + 1 + 1); // neuron 0 (3 targets) once, neuron 1 (1 target) twice
}

#[test]
fn window_monitor_counts_and_averages_per_window() {
    // neuron 0 fires at steps 5 and 150, neuron 1 at 120; the probe's v grows with input 0
    let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    b.add_population("A", Probe::new(2, vec![(0, 5), (1, 120), (0, 150)])).unwrap();
    b.add_stimulus("A", engram_sim::stimulus::ConstantCurrent::new(0.0)).unwrap();
    let wm = b.add_monitor(WindowMonitor::new("A", &[(0, 100), (100, 200)], &["v_mv"], 10));
    let mut net = b.build().unwrap();
    // write a known v: 1.0 for neuron 0 from step 50 on, by setting state between runs
    net.run_steps(50).unwrap();
    net.model_mut("A").unwrap().state_mut("v_mv").unwrap()[0] = 1.0;
    net.run_steps(200).unwrap();
    let m = net.monitor::<WindowMonitor>(wm).unwrap();
    assert_eq!(m.counts(0), &[1, 0]);
    assert_eq!(m.counts(1), &[1, 1]);
    // window 0 samples steps 0, 10, ..., 90: v0 = 0 for 5 samples (0..40) and 1 for 5 (50..90)
    assert_eq!(m.mean("v_mv", 0).unwrap(), vec![0.5, 0.0]);
    assert_eq!(m.mean("v_mv", 1).unwrap(), vec![1.0, 0.0]);
    assert!(m.mean("g", 0).is_none());
}

#[test]
fn window_monitor_rejects_overlapping_windows() {
    let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    b.add_population("A", Probe::new(2, vec![])).unwrap();
    b.add_monitor(WindowMonitor::new("A", &[(0, 100), (50, 200)], &[], 10));
    let err = b.build().err().expect("overlap must fail").to_string();
    assert!(err.contains("overlaps"), "{err}");
}
