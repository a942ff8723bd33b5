//! Inhibitory STDP: the Poisson drift closed form, the gate, the global factor, and a LIF
//! neuron driven to the target rate by plastic inhibition (engine simulation).

use engram_core::neuron::StepContext;
use engram_core::params::Params;
use engram_core::plasticity::PlasticityRule;
use engram_plasticity::{
    GlobalFactorIstdp, GlobalFactorIstdpParams, InhibitoryStdp, InhibitoryStdpParams, SynapseTable,
};
use engram_testkit::plasticity::{PrePost, drive};
use engram_testkit::spikes::{poisson_steps, rng};
use engram_testkit::stats::mean;

/// Mean drift per second of `n` independent pre/post pairs at the given rates.
fn measured_drift(params: &InhibitoryStdpParams, rate_pre: f64, rate_post: f64, seed: u64) -> f64 {
    let (n, dt, t_s) = (200usize, 0.1, 100.0);
    let n_steps = (t_s * 1000.0 / dt) as u64;
    let mut r = rng(seed);
    let pre: Vec<_> = (0..n).map(|_| poisson_steps(&mut r, rate_pre, dt, n_steps)).collect();
    let post: Vec<_> = (0..n).map(|_| poisson_steps(&mut r, rate_post, dt, n_steps)).collect();
    let w0 = 50.0;
    let mut syn = SynapseTable::one_to_one(n, w0);
    let mut rule = InhibitoryStdp::new(params.clone().check().unwrap(), n, n);
    drive(&mut rule, &mut syn, &PrePost::new(&pre, &post), dt);
    assert!(syn.weights.iter().all(|&w| w > 0.0 && w < 100.0), "no clipping in this test");
    (mean(&syn.weights) - w0) / t_s
}

#[test]
fn poisson_drift_matches_closed_form() {
    let params = InhibitoryStdpParams { eta: 1e-3, ..Default::default() };
    let eta = params.eta;
    for (rate_post, rel_tol) in [(10.0, 0.03), (1.0, 0.05)] {
        let expected = params.poisson_drift_per_s(10.0, rate_post); // 2 η τ ρ_pre (ρ_post − ρ0)
        let got = measured_drift(&params, 10.0, rate_post, rate_post as u64);
        println!("rho_post = {rate_post} Hz: drift {got:.4e}/s, closed form {expected:.4e}/s");
        assert!((got - expected).abs() <= rel_tol * expected.abs(), "rho_post {rate_post}: {got} vs {expected}");
    }
    // at the target rate there is no drift (scale: the drift at 10 Hz is 2.8 η per s)
    let got = measured_drift(&params, 10.0, 3.0, 3);
    println!("rho_post = rho0: drift {got:.4e}/s");
    assert!(got.abs() < 0.03 * eta, "{got}");
}

#[test]
fn gate_blocks_weight_change_below_threshold_but_traces_follow_spikes() {
    let p = InhibitoryStdpParams { eta: 0.1, ..InhibitoryStdpParams::gated(0.5) };
    let mut rule = InhibitoryStdp::new(p.check().unwrap(), 1, 1);
    let mut syn = SynapseTable::one_to_one(1, 1.0);
    let ctx = |step| StepContext { step, dt_ms: 1.0 };
    rule.step(&ctx(0), &[0], &[], 0.0, syn.view());
    rule.step(&ctx(5), &[], &[0], 0.5, syn.view()); // at the threshold: still closed
    assert_eq!(syn.weights[0], 1.0);
    assert!(rule.pre_trace().get(0) > 0.0 && rule.post_trace().get(0) > 0.0);
    // window open: the post spike pairs with the earlier (gated) pre spike
    rule.step(&ctx(10), &[], &[0], 1.0, syn.view());
    let expected = 1.0 + 0.1 * (-10.0f64 / 20.0).exp();
    assert!((syn.weights[0] - expected).abs() < 1e-12, "{}", syn.weights[0]);
}

#[test]
fn global_factor_sign_follows_population_rate() {
    // the postsynaptic population fires at 20 Hz (above γ = 3 Hz): inhibition potentiates;
    // silent: it depresses. τ_H short so that H settles within the run.
    for (rate_post, grows) in [(20.0, true), (0.0, false)] {
        let p = GlobalFactorIstdpParams { tau_rate_ms: 500.0, eta: 1e-3, ..Default::default() };
        let (n, dt, n_steps) = (20, 0.1, 50_000);
        let mut r = rng(11);
        let pre: Vec<_> = (0..n).map(|_| poisson_steps(&mut r, 10.0, dt, n_steps)).collect();
        let post: Vec<_> = (0..n).map(|_| poisson_steps(&mut r, rate_post, dt, n_steps)).collect();
        let mut syn = SynapseTable::all_to_all(n, n, 2.0);
        let mut rule = GlobalFactorIstdp::new(p.check().unwrap(), n, n);
        drive(&mut rule, &mut syn, &PrePost::new(&pre, &post), dt);
        println!("rho_post {rate_post}: H = {:.2} Hz, mean w = {:.4}", rule.rate_estimate_hz(), mean(&syn.weights));
        assert!((rule.rate_estimate_hz() - rate_post).abs() < 0.25 * rate_post.max(1.0));
        assert_eq!(mean(&syn.weights) > 2.0, grows);
    }
}

/// One conductance LIF population (independent neurons) with excitatory Poisson input and
/// plastic inhibitory Poisson inputs: iSTDP drives the rate to ρ0 from above and from below.
fn lif_rate_after_istdp(w_inh0: f64, seed: u64) -> (f64, f64, f64) {
    use engram_neurons::{LifCond, LifCondParams};
    use engram_sim::prelude::*;
    use engram_stimuli::{PoissonGroup, PoissonGroupParams, PoissonInput, PoissonInputParams, RateSpec};

    let (n_e, n_i, dt) = (20usize, 200usize, 0.1);
    let mut b = NetworkBuilder::new(dt, seed).unwrap();
    b.add_population("E", LifCond::new(n_e, LifCondParams::coba().check().unwrap())).unwrap();
    let exc = PoissonInputParams {
        receptor: "exc".into(),
        n_inputs: 800,
        rate: RateSpec::Constant { rate_hz: 5.0 },
        weight: 0.25,
        ..Default::default()
    };
    b.add_stimulus("E", PoissonInput::new(exc.check().unwrap(), n_e, seed, 1, b.clock()).unwrap()).unwrap();
    let inh = PoissonGroupParams { n_sources: n_i, rates: RateSpec::Constant { rate_hz: 10.0 }, ..Default::default() };
    b.add_source("I", PoissonGroup::new(inh.check().unwrap(), seed, 2, b.clock())).unwrap();
    let mut tri = sprs::TriMatI::<f64, u32>::new((n_i, n_e));
    for i in 0..n_i {
        for j in 0..n_e {
            tri.add_triplet(i, j, w_inh0);
        }
    }
    let proj = b.connect("I", "E", "inh", tri.to_csr(), Delay::Steps(1)).unwrap();
    let params = InhibitoryStdpParams { eta: 5e-3, target_rate_hz: 6.25, ..Default::default() };
    b.add_plasticity(proj, InhibitoryStdp::new(params.check().unwrap(), n_i, n_e));
    let mut net = b.build().unwrap();
    net.run_ms(2_000.0).unwrap();
    let initial = net.stats()[0].rate_hz;
    net.run_ms(58_000.0).unwrap();
    net.reset_counts();
    net.run_ms(20_000.0).unwrap();
    let w = net.weights(proj).data();
    (initial, net.stats()[0].rate_hz, w.iter().sum::<f64>() / w.len() as f64)
}

#[test]
fn istdp_drives_a_lif_neuron_to_the_target_rate() {
    let rho0 = 6.25;
    for (w0, seed) in [(0.0, 1), (0.8, 2)] {
        let (initial, last, w) = lif_rate_after_istdp(w0, seed);
        println!(
            "w_inh0 = {w0}: first 2 s {initial:.2} Hz, last 20 s {last:.2} Hz (rho0 = {rho0}), mean w_inh {w:.4} nS"
        );
        if w0 == 0.0 {
            assert!(initial > 3.0 * rho0, "without inhibition the neurons fire well above rho0: {initial}");
        } else {
            assert!(initial < 0.5 * rho0, "with strong inhibition they fire well below rho0: {initial}");
        }
        assert!((last - rho0).abs() < 0.15 * rho0, "rate after learning {last} Hz, rho0 {rho0} Hz");
    }
}
