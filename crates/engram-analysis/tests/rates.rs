//! Rates from synthetic spike trains.

use engram_analysis::AnalysisError;
use engram_analysis::rates::*;

#[test]
fn rates_in_window_count_half_open() {
    // neuron 0: regular 10 Hz (every 100 ms from 0), neuron 1: 3 spikes, neuron 2 silent
    let mut t = Vec::new();
    let mut i = Vec::new();
    for k in 0..30 {
        t.push(k as f64 * 100.0);
        i.push(0u32);
    }
    t.extend([1000.0, 1500.0, 2499.9, 2500.0]);
    i.extend([1, 1, 1, 1]);
    // window [1000, 2500): neuron 0 spikes at 1000..2400 -> 15 spikes over 1.5 s = 10 Hz
    let r = firing_rates_hz(&t, &i, 3, 1000.0, 2500.0).unwrap();
    assert_eq!(r[0], 10.0);
    assert_eq!(r[1], 2.0); // 3 spikes (2500 excluded) / 1.5 s
    assert_eq!(r[2], 0.0);
    let c = spike_counts(&t, &i, 3, 1000.0, 2500.0).unwrap();
    assert_eq!(c, vec![15, 3, 0]);
}

#[test]
fn binned_rates_and_population_rate_agree() {
    let t = [5.0, 15.0, 16.0, 25.0, 29.0, 31.0];
    let i = [0u32, 1, 1, 0, 2, 2];
    let m = binned_rates_hz(&t, &i, 3, 0.0, 30.0, 10.0).unwrap();
    assert_eq!(m.shape(), &[3, 3]);
    assert_eq!(m.column(0).to_vec(), vec![100.0, 0.0, 0.0]);
    assert_eq!(m.column(1).to_vec(), vec![0.0, 200.0, 0.0]);
    assert_eq!(m.column(2).to_vec(), vec![100.0, 0.0, 100.0]); // 31 ms is outside
    let p = population_rate_hz(&t, 3, 0.0, 30.0, 10.0).unwrap();
    for b in 0..3 {
        assert!((p[b] - m.column(b).sum() / 3.0).abs() < 1e-12);
    }
    // a partial last bin is dropped
    assert_eq!(binned_rates_hz(&t, &i, 3, 0.0, 35.0, 10.0).unwrap().ncols(), 3);
}

#[test]
fn poisson_train_rate_is_recovered() {
    use rand::Rng;
    let mut rng = crate::common::rng(7);
    // 100 neurons at 20 Hz for 50 s: mean rate 20 Hz within 1 %
    let (mut t, mut i) = (Vec::new(), Vec::new());
    for n in 0..100u32 {
        let mut s = 0.0;
        loop {
            s += -(1.0 - rng.r#gen::<f64>()).ln() / 20.0 * 1000.0;
            if s >= 50_000.0 {
                break;
            }
            t.push(s);
            i.push(n);
        }
    }
    let r = firing_rates_hz(&t, &i, 100, 0.0, 50_000.0).unwrap();
    let all: Vec<usize> = (0..100).collect();
    let m = mean_over(&r, &all).unwrap();
    assert!((m - 20.0).abs() < 0.2, "mean rate {m}");
}

#[test]
fn bad_inputs_are_errors() {
    assert!(matches!(
        firing_rates_hz(&[1.0], &[5], 3, 0.0, 10.0),
        Err(AnalysisError::NeuronOutOfRange { index: 5, n: 3 })
    ));
    assert!(firing_rates_hz(&[1.0], &[0], 3, 10.0, 0.0).is_err());
    assert!(firing_rates_hz(&[1.0, 2.0], &[0], 3, 0.0, 10.0).is_err());
    assert!(binned_rates_hz(&[1.0], &[0], 1, 0.0, 10.0, 20.0).is_err());
    assert!(population_rate_hz(&[1.0], 0, 0.0, 10.0, 5.0).is_err());
}

#[test]
fn complement_and_mean_over() {
    assert_eq!(complement(&[1, 3], 5), vec![0, 2, 4]);
    assert_eq!(mean_over(&[1.0, 2.0, 3.0], &[0, 2]), Some(2.0));
    assert_eq!(mean_over(&[1.0], &[]), None);
}
