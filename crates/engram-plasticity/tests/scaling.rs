//! Synaptic scaling: the multiplicative exponential approach for a fixed sensor value
//! (proportional and integral terms), ratios preserved.

use engram_core::params::Params;
use engram_plasticity::{SynapseTable, SynapticScaling, SynapticScalingParams};
use engram_testkit::plasticity::{PrePost, drive};

/// Regular post spikes at 10 Hz in 10 neurons for `t_s` seconds, dt = 1 ms, scaling every ms.
fn run(beta: f64, gamma: f64, t_s: f64) -> (SynapseTable, f64) {
    let dt = 1.0;
    let n_steps = (t_s * 1000.0) as u64;
    let p = SynapticScalingParams {
        tau_sensor_ms: 1000.0,
        target_rate_hz: 5.0,
        beta_per_s_hz: beta,
        gamma_per_s2_hz: gamma,
        update_every_ms: 1.0,
        w_min: 0.0,
        w_max: 1e6,
    };
    let mut rule = SynapticScaling::new(p.check().unwrap(), 3, 10);
    // the sensor of a regular 10 Hz train oscillates around 10 Hz; start it there
    rule.set_sensor_hz(10.0);
    let triplets: Vec<_> = (0..3).flat_map(|i| (0..10).map(move |j| (i, j, 1.0 + i as f64))).collect();
    let mut syn = SynapseTable::from_triplets(3, 10, &triplets);
    // every step is visited (post spikes every 100 steps, with a phase per neuron)
    let post: Vec<Vec<u64>> = (0..10).map(|j| (0..n_steps).filter(|s| (s + 7 * j) % 100 == 0).collect()).collect();
    let mut all_steps: Vec<Vec<u64>> = vec![(0..n_steps).collect()];
    all_steps.extend(std::iter::repeat_n(Vec::new(), 2));
    let raster = PrePost::new(&all_steps, &post);
    drive(&mut rule, &mut syn, &raster, dt);
    (syn, t_s)
}

#[test]
fn proportional_term_scales_weights_exponentially_and_keeps_ratios() {
    let beta = 1e-3;
    let (syn, t) = run(beta, 0.0, 20.0);
    let expected = (beta * (5.0 - 10.0) * t).exp(); // w(T) = w0 exp(β (a_goal − a) T)
    for i in 0..3 {
        for j in 0..10 {
            let w0 = 1.0 + i as f64;
            let ratio = syn.weight(i, j).unwrap() / w0;
            assert!((ratio / expected - 1.0).abs() < 0.01, "({i},{j}): {ratio} vs {expected}");
            assert!((syn.weight(i, j).unwrap() / syn.weight(0, j).unwrap() - w0).abs() < 1e-9, "ratios kept");
        }
    }
    println!("proportional: w/w0 = {:.5}, closed form {expected:.5}", syn.weight(0, 0).unwrap());
}

#[test]
fn integral_term_grows_quadratically_in_time() {
    let gamma = 1e-4;
    let (syn, t) = run(0.0, gamma, 20.0);
    let expected = (gamma * (5.0 - 10.0) * t * t / 2.0).exp(); // ∫∫ (a_goal − a) = err t²/2
    let ratio = syn.weight(0, 0).unwrap();
    println!("integral: w/w0 = {ratio:.5}, closed form {expected:.5}");
    assert!((ratio / expected - 1.0).abs() < 0.01, "{ratio} vs {expected}");
}
