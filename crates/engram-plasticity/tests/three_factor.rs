//! Three-factor rule: a reduced version of Izhikevich's (2007) rewarded-synapse experiment,
//! and the modulator reaching the rule through the engine.

use engram_core::neuron::StepContext;
use engram_core::params::Params;
use engram_core::plasticity::PlasticityRule;
use engram_plasticity::{RewardModulatedStdp, RewardModulatedStdpParams, SynapseTable};
use engram_testkit::spikes::{poisson_steps, rng};
use rand::Rng;

/// 50 presynaptic neurons onto one postsynaptic neuron, all Poisson at `rate_hz`, dt = 1 ms.
/// Whenever pre 0 fires and the post neuron fires within 20 ms after it, a reward (dopamine
/// += 0.5, decaying with τ_d = 200 ms) follows 1–3 s later (one pending reward at a time).
/// With `rewarded = false` about as many rewards come at independent random times instead.
/// Tonic modulator 0.002 as in Izhikevich's `daspnet.m`.
fn experiment(rewarded: bool, seed: u64) -> (Vec<f64>, usize) {
    experiment_with(rewarded, seed, 1.0, 1800.0, 0.002)
}

fn experiment_with(rewarded: bool, seed: u64, rate: f64, t_s: f64, offset: f64) -> (Vec<f64>, usize) {
    let (n, dt) = (50usize, 1.0);
    let n_steps = (t_s * 1000.0) as u64;
    let mut r = rng(seed);
    let pre: Vec<Vec<u64>> = (0..n).map(|_| poisson_steps(&mut r, rate, dt, n_steps)).collect();
    let post = poisson_steps(&mut r, rate, dt, n_steps);
    let mut pre_at = vec![Vec::<u32>::new(); n_steps as usize];
    for (i, t) in pre.iter().enumerate() {
        for &s in t {
            pre_at[s as usize].push(i as u32);
        }
    }
    let mut post_at = vec![false; n_steps as usize];
    post.iter().for_each(|&s| post_at[s as usize] = true);
    let mut syn = SynapseTable::all_to_all(n, 1, 1.0);
    let params = RewardModulatedStdpParams { modulator_offset: offset, ..Default::default() };
    let mut rule = RewardModulatedStdp::new(params.check().unwrap(), n, 1, n);
    let decay = (-dt / 200.0f64).exp();
    // control: rewards at independent Poisson times, about as many as in the rewarded run
    let control_rewards = poisson_steps(&mut r, 0.022, dt, n_steps);
    let (mut da, mut last_pre0, mut pending, mut n_rewards) = (0.0, None::<u64>, None::<u64>, 0);
    for step in 0..n_steps {
        da *= decay;
        let pre_now = &pre_at[step as usize];
        if pre_now.contains(&0) {
            last_pre0 = Some(step);
        }
        let post_now: &[u32] = if post_at[step as usize] { &[0] } else { &[] };
        if rewarded && !post_now.is_empty() && pending.is_none() && last_pre0.is_some_and(|t| step - t <= 20) {
            pending = Some(step + r.gen_range(1000..3000));
        }
        let reward_now = if rewarded { pending == Some(step) } else { control_rewards.binary_search(&step).is_ok() };
        if reward_now {
            da += 0.5;
            n_rewards += 1;
            pending = None;
        }
        rule.step(&StepContext { step, dt_ms: dt }, pre_now, post_now, da, syn.view());
    }
    (syn.weights, n_rewards)
}

#[test]
fn rewarded_synapse_grows_relative_to_the_others() {
    // thresholds hold for seeds 1-4 (measured: target 3.63-3.97 vs other max 1.56-2.20;
    // control target 0.005-1.24)
    let stats = |w: &[f64]| {
        let o = &w[1..];
        (o.iter().sum::<f64>() / o.len() as f64, o.iter().cloned().fold(f64::MIN, f64::max))
    };
    let (w, n_rewards) = experiment(true, 1);
    let (mean_o, max_o) = stats(&w);
    println!("rewarded: {n_rewards} rewards; target w = {:.3}, others mean {mean_o:.3}, max {max_o:.3}", w[0]);
    assert!(n_rewards >= 20, "{n_rewards}");
    assert!(w[0] > 3.0, "the rewarded synapse grows towards w_max = 4: {}", w[0]);
    assert!(w[0] > max_o + 1.0, "and well above every other synapse ({max_o})");
    // control: as many rewards at times unrelated to the pairings
    let (wc, n_rewards) = experiment(false, 1);
    let (mean_o, max_o) = stats(&wc);
    println!("control: {n_rewards} rewards; target w = {:.3}, others mean {mean_o:.3}, max {max_o:.3}", wc[0]);
    assert!(wc[0] < 2.0 && wc[0] < w[0] - 1.5, "without the contingency synapse 0 does not grow: {}", wc[0]);
}

#[test]
fn engine_modulator_gates_the_weight_change() {
    use engram_sim::prelude::*;
    use engram_sim::stimulus::ConstantCurrent;
    use engram_stimuli::SpikeTrains;
    let mut b = NetworkBuilder::new(0.1, 3).unwrap();
    // pre spikes every 7 ms; the post neuron fires regularly on a strong current
    let pre: Vec<(u32, u64)> = (0..70).map(|k| (0, 5 + 70 * k)).collect();
    b.add_source("pre", SpikeTrains::from_steps(1, pre).unwrap()).unwrap();
    let lif = engram_neurons::LifCond::new(1, engram_neurons::LifCondParams::coba().check().unwrap());
    b.add_population("post", lif).unwrap();
    b.add_stimulus("post", ConstantCurrent::new(400.0)).unwrap();
    let w = sprs::CsMatI::<f64, u32, usize>::new((1, 1), vec![0, 1], vec![0], vec![1.0]);
    let p = b.connect("pre", "post", "exc", w, Delay::Steps(1)).unwrap();
    b.add_plasticity(p, RewardModulatedStdp::new(RewardModulatedStdpParams::default().check().unwrap(), 1, 1, 1));
    let mut net = b.build().unwrap();
    net.run_ms(400.0).unwrap();
    assert!(net.spike_counts("post").unwrap()[0] > 5);
    assert_eq!(net.weights(p).data()[0], 1.0, "pairings tag the eligibility but without modulator nothing changes");
    net.set_modulator(1.0);
    net.run_ms(1.0).unwrap();
    let w1 = net.weights(p).data()[0];
    println!("after 1 ms of modulator: w = {w1}");
    assert!(w1 != 1.0, "the modulator turns the eligibility into weight change");
    net.set_modulator(0.0);
    net.run_ms(1.0).unwrap();
    assert_eq!(net.weights(p).data()[0], w1);
}

/// Three synapses (pre 0, 1, 2 onto post 0), dt = 1 ms: pre 0 and 1 fire at `tag_step` − 1 and
/// the post neuron at `tag_step` (pre 2 fires after the post neuron: a negative tag), then a
/// reward d = 1 over `pulse` (no spikes in it). Returns the weights after every step.
fn pulse_run(
    params: &RewardModulatedStdpParams,
    tag_step: u64,
    pulse: std::ops::Range<u64>,
    n_steps: u64,
) -> Vec<Vec<f64>> {
    let mut syn = SynapseTable::all_to_all(3, 1, 1.0);
    let mut rule = RewardModulatedStdp::new(params.clone().check().unwrap(), 3, 1, 3);
    let mut out = Vec::new();
    for step in 0..n_steps {
        let pre: &[u32] = if step + 1 == tag_step {
            &[0, 1]
        } else if step == tag_step + 1 {
            &[2]
        } else {
            &[]
        };
        let post: &[u32] = if step == tag_step { &[0] } else { &[] };
        let d = if pulse.contains(&step) { 1.0 } else { 0.0 };
        rule.step(&StepContext { step, dt_ms: 1.0 }, pre, post, d, syn.view());
        out.push(syn.weights.clone());
    }
    out
}

fn rel_close(a: &[f64], b: &[f64], tol: f64) -> bool {
    a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol * x.abs().max(y.abs()).max(1e-300))
}

#[test]
fn batches_give_the_per_step_weights_when_no_tag_arrives_inside_a_pulse() {
    let every_step = RewardModulatedStdpParams { w_min: -10.0, w_max: 10.0, ..Default::default() };
    let batched = RewardModulatedStdpParams { apply_every_ms: Some(5.0), ..every_step.clone() };
    let a = pulse_run(&every_step, 10, 20..40, 60);
    let b = pulse_run(&batched, 10, 20..40, 60);
    // the pulse moved the tagged synapses (up for pre-before-post, down for post-before-pre)
    assert!(a[59][0] > 1.0 && a[59][1] > 1.0 && a[59][2] < 1.0, "{:?}", a[59]);
    // inside the pulse the batched weights move only at the end of each batch of 5 steps
    assert_eq!(b[20], b[23], "nothing applied before the batch is full");
    assert!(b[24][0] > b[23][0]);
    for step in [24, 29, 34, 39, 59] {
        assert!(rel_close(&a[step], &b[step], 1e-12), "step {step}: {:?} vs {:?}", a[step], b[step]);
    }
}

#[test]
fn a_pulse_shorter_than_a_batch_acts_in_full_when_it_ends() {
    let every_step = RewardModulatedStdpParams::default();
    let batched = RewardModulatedStdpParams { apply_every_ms: Some(10.0), ..every_step.clone() };
    let a = pulse_run(&every_step, 10, 20..23, 40);
    let b = pulse_run(&batched, 10, 20..23, 40);
    assert_eq!(b[22], b[19], "three steps of a 10-step batch: not applied yet");
    // applied in the first step without modulator
    assert!(rel_close(&a[23], &b[23], 1e-12), "{:?} vs {:?}", a[23], b[23]);
    assert_ne!(b[23], b[19]);
}

#[test]
fn a_batch_across_the_eligibility_renormalisation_keeps_its_sum() {
    // τ_c = 2 ms: the common factor e^(−(step+1)/2) passes 1e-150 at step 690, in the middle
    // of the batch of steps 685–694; a tag made at step 675 is still large there, so a batch
    // that lost its sum at the renormalisation would give visibly different weights
    let every_step =
        RewardModulatedStdpParams { tau_eligibility_ms: 2.0, learning_rate_per_ms: 1.0, ..Default::default() };
    let batched = RewardModulatedStdpParams { apply_every_ms: Some(10.0), ..every_step.clone() };
    let a = pulse_run(&every_step, 675, 685..725, 730);
    let b = pulse_run(&batched, 675, 685..725, 730);
    let moved = a[729][0] - a[684][0];
    assert!(moved > 1e-3, "the pulse moves the weight: {moved}");
    assert!(rel_close(&a[729], &b[729], 1e-12), "{:?} vs {:?}", a[729], b[729]);
}

#[test]
fn a_checkpoint_inside_a_batch_resumes_exactly() {
    let params = RewardModulatedStdpParams { apply_every_ms: Some(10.0), ..Default::default() };
    let run = |split: Option<u64>| {
        let mut syn = SynapseTable::all_to_all(2, 1, 1.0);
        let mut rule = RewardModulatedStdp::new(params.clone().check().unwrap(), 2, 1, 2);
        for step in 0..60u64 {
            if Some(step) == split {
                let state = rule.save_state().unwrap();
                rule = RewardModulatedStdp::new(params.clone().check().unwrap(), 2, 1, 2);
                rule.load_state(&state).unwrap();
            }
            let pre: &[u32] = if step == 4 { &[0] } else { &[] };
            let post: &[u32] = if step == 5 { &[0] } else { &[] };
            let d = if (20..50).contains(&step) { 0.5 } else { 0.0 };
            rule.step(&StepContext { step, dt_ms: 1.0 }, pre, post, d, syn.view());
        }
        syn.weights
    };
    let whole = run(None);
    assert!(whole[0] > 1.0);
    assert_eq!(run(Some(25)), whole, "saved 5 steps into a batch of 10");
}

#[test]
fn apply_every_ms_must_be_positive() {
    for bad in [0.0, -1.0, f64::NAN] {
        let p = RewardModulatedStdpParams { apply_every_ms: Some(bad), ..Default::default() };
        let e = p.check().unwrap_err().to_string();
        assert!(e.contains("apply_every_ms"), "{e}");
    }
}
