//! `save_state` / `load_state` of every model: a population restored from a checkpoint into a
//! freshly built one continues bit-identically (spikes and every state variable), and bad
//! states (another model, another size) are refused with a clear error.

use engram_core::neuron::{NeuronModel, PointNeuron, Receptor, StepContext, StepInput};
use engram_core::params::Params;
use engram_integrators::IntegratorKind;
use engram_neurons::{
    AdEx, AdExParams, Adaptation, Izhikevich, IzhikevichParams, LifCond, LifCondParams, LifCurrent, LifCurrentParams,
    LifNmda, LifNmdaParams, PointPopulation, ResetMode,
};
use rand::{Rng, SeedableRng};

const N: usize = 20;

/// Leaky integrator with a 2 ms refractory period, as a point neuron.
struct Leaky {
    receptors: Vec<Receptor>,
}

impl PointNeuron for Leaky {
    const STATE: &'static [&'static str] = &["v_mv"];
    fn receptors(&self) -> &[Receptor] {
        &self.receptors
    }
    fn initial_state(&self, s: &mut [f64]) {
        s[0] = -65.0
    }
    fn derivatives(&self, s: &[f64], syn: &[f64], i_pa: f64, ds: &mut [f64]) {
        ds[0] = (-(s[0] + 65.0) * 10.0 + syn[0] * (0.0 - s[0]) + i_pa) / 200.0;
    }
    fn spiked(&self, s: &[f64]) -> bool {
        s[0] > -50.0
    }
    fn reset(&self, s: &mut [f64]) {
        s[0] = -65.0
    }
    fn refractory_ms(&self) -> f64 {
        2.0
    }
}

/// Random input for `steps` steps (seeded), strong enough to make every model fire.
fn inputs(n_receptors: usize, steps: usize, scale: f64, current_pa: f64) -> Vec<(Vec<Vec<f64>>, Vec<f64>)> {
    let mut rng = rand_pcg::Pcg64::seed_from_u64(3);
    (0..steps)
        .map(|_| {
            let rec =
                (0..n_receptors)
                    .map(|r| {
                        (0..N)
                            .map(|_| {
                                if rng.r#gen::<f64>() < 0.2 { scale * rng.r#gen::<f64>() / (r + 1) as f64 } else { 0.0 }
                            })
                            .collect()
                    })
                    .collect();
            let cur = (0..N).map(|_| current_pa * rng.r#gen::<f64>()).collect();
            (rec, cur)
        })
        .collect()
}

/// Run `steps` from step `from`; the spikes of every step and the final state bits.
fn run(model: &mut dyn NeuronModel, input: &[(Vec<Vec<f64>>, Vec<f64>)], from: u64) -> (Vec<Vec<u32>>, Vec<Vec<u64>>) {
    let mut all = Vec::new();
    for (k, (rec, cur)) in input.iter().enumerate() {
        let mut spikes = Vec::with_capacity(N);
        let ctx = StepContext { step: from + k as u64, dt_ms: 0.1 };
        model.step(&ctx, StepInput { receptors: rec, current_pa: cur }, &mut spikes);
        all.push(spikes);
    }
    let names: Vec<&'static str> = model.state_names().to_vec();
    let state = names.iter().map(|n| model.state(n).unwrap().iter().map(|x| x.to_bits()).collect()).collect();
    (all, state)
}

fn check(make: &dyn Fn() -> Box<dyn NeuronModel>, scale: f64, current_pa: f64) {
    let mut a = make();
    let input = inputs(a.receptors().len(), 1200, scale, current_pa);
    run(a.as_mut(), &input[..600], 0);
    let saved = a.save_state().unwrap();
    let (spikes_a, state_a) = run(a.as_mut(), &input[600..], 600);
    let n_spikes: usize = spikes_a.iter().map(Vec::len).sum();
    assert!(n_spikes > 10, "{}: the test needs spikes, got {n_spikes}", a.kind());
    let mut b = make();
    b.load_state(&saved).unwrap();
    let (spikes_b, state_b) = run(b.as_mut(), &input[600..], 600);
    assert_eq!(spikes_a, spikes_b, "{}", a.kind());
    assert_eq!(state_a, state_b, "{}", a.kind());
    // The saved state round-trips through its own serde form.
    let json = serde_json::to_string(&saved).unwrap();
    let back: engram_core::checkpoint::ComponentState = serde_json::from_str(&json).unwrap();
    assert_eq!(back, saved);
}

#[test]
fn every_model_continues_bit_identically() {
    let lif = LifCondParams::coba().check().unwrap();
    check(&|| Box::new(LifCond::new(N, lif.clone())), 20.0, 100.0);
    let dp = LifCondParams { reset: ResetMode::ClampNextStep, ..LifCondParams::dp_excitatory() }.check().unwrap();
    check(&|| Box::new(LifCond::new(N, dp.clone())), 10.0, 100.0);
    let ad = LifCondParams {
        adaptation: Some(Adaptation { a_ns: 2.0, b_pa: 20.0, tau_w_ms: 50.0 }),
        ..LifCondParams::coba()
    }
    .check()
    .unwrap();
    check(&|| Box::new(LifCond::new(N, ad.clone())), 20.0, 200.0);
    let nmda = LifNmdaParams::default().check().unwrap();
    check(&|| Box::new(LifNmda::new(N, nmda.clone())), 20.0, 100.0);
    let cur = LifCurrentParams::default().check().unwrap();
    check(&|| Box::new(LifCurrent::new(N, cur.clone())), 400.0, 300.0);
    let adex = AdExParams::default().check().unwrap();
    check(&|| Box::new(AdEx::new(N, adex.clone())), 20.0, 600.0);
    let izh = IzhikevichParams::regular_spiking().check().unwrap();
    check(&|| Box::new(Izhikevich::new(N, izh.clone())), 20.0, 10.0);
    let leaky = || {
        let n = Leaky { receptors: vec![Receptor::conductance("exc", 0.0, 5.0)] };
        Box::new(PointPopulation::new("leaky", N, n, IntegratorKind::Rk2.build())) as Box<dyn NeuronModel>
    };
    check(&leaky, 20.0, 400.0);
}

#[test]
fn refractory_counters_are_part_of_the_state() {
    let p = LifCondParams::coba().check().unwrap();
    let mut a = LifCond::new(1, p.clone());
    let mut spikes = Vec::new();
    let rec = vec![vec![0.0], vec![0.0]];
    // 2 nA fires the neuron within a few ms; stop right after the spike.
    for step in 0..1000 {
        spikes.clear();
        a.step(&StepContext { step, dt_ms: 0.1 }, StepInput { receptors: &rec, current_pa: &[2000.0] }, &mut spikes);
        if !spikes.is_empty() {
            break;
        }
    }
    assert!(a.refractory_steps_left()[0] > 0);
    let mut b = LifCond::new(1, p);
    b.load_state(&a.save_state().unwrap()).unwrap();
    assert_eq!(b.refractory_steps_left(), a.refractory_steps_left());
}

#[test]
fn wrong_kind_or_size_is_refused() {
    let lif = LifCond::new(N, LifCondParams::coba().check().unwrap());
    let saved = lif.save_state().unwrap();
    let mut other = LifCurrent::new(N, LifCurrentParams::default().check().unwrap());
    let e = other.load_state(&saved).unwrap_err().to_string();
    assert!(e.contains("`lif_cond` state cannot be loaded into `lif_current`"), "{e}");
    let mut small = LifCond::new(N - 1, LifCondParams::coba().check().unwrap());
    let e = small.load_state(&saved).unwrap_err().to_string();
    assert!(e.contains(&format!("`v_mv` has {N} values, expected {}", N - 1)), "{e}");
}

/// A model that does not implement checkpoints still compiles and says so.
#[test]
fn models_without_checkpoints_report_their_kind() {
    struct Bare(Vec<f64>);
    impl NeuronModel for Bare {
        fn kind(&self) -> &str {
            "point:hh"
        }
        fn len(&self) -> usize {
            self.0.len()
        }
        fn receptors(&self) -> &[Receptor] {
            &[]
        }
        fn state_names(&self) -> &[&'static str] {
            &[]
        }
        fn state(&self, _: &str) -> Option<&[f64]> {
            None
        }
        fn state_mut(&mut self, _: &str) -> Option<&mut [f64]> {
            None
        }
        fn step(&mut self, _: &StepContext, _: StepInput<'_>, _: &mut Vec<u32>) {}
    }
    let e = Bare(vec![0.0]).save_state().unwrap_err().to_string();
    assert!(e.contains("neuron model `point:hh` does not support checkpoints"), "{e}");
}
