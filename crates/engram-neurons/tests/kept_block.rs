//! `keep_block` (a rank of a network split across ranks storing only its own neurons), for
//! every library model that implements it: the kept neurons, driven by their part of the
//! inputs, have the spikes and the state of those neurons of the whole population, bit for
//! bit, and save one value per kept neuron in each checkpoint array.

use engram_core::neuron::{NeuronModel, PointNeuron, Receptor, StepContext, StepInput};
use engram_core::params::Params;
use engram_integrators::IntegratorKind;
use engram_neurons::{
    AdEx, AdExParams, Izhikevich, IzhikevichParams, LifCond, LifCondParams, LifCurrent, LifCurrentParams, LifNmda,
    LifNmdaParams, PointPopulation, synaptic_current_pa,
};
use rand::Rng;

const N: usize = 400;
const STEPS: usize = 600;

/// Random arrivals per receptor (`scale` sets their size) and injected currents (uniform up
/// to `current_max_pa`), per step.
fn inputs(n_receptors: usize, scale: f64, current_max_pa: f64) -> Vec<(Vec<Vec<f64>>, Vec<f64>)> {
    let mut rng = engram_core::rng::stream(11, 0, 0);
    (0..STEPS)
        .map(|_| {
            let receptors =
                (0..n_receptors)
                    .map(|r| {
                        (0..N)
                            .map(|_| {
                                if rng.r#gen::<f64>() < 0.05 {
                                    rng.r#gen::<f64>() * scale / (1 + r) as f64
                                } else {
                                    0.0
                                }
                            })
                            .collect()
                    })
                    .collect();
            (receptors, (0..N).map(|_| rng.r#gen::<f64>() * current_max_pa).collect())
        })
        .collect()
}

fn bits(model: &dyn NeuronModel) -> Vec<Vec<u64>> {
    model.state_names().iter().map(|n| model.state(n).unwrap().iter().map(|x| x.to_bits()).collect()).collect()
}

/// `whole` and `kept` (the same model, to keep `block`) driven alike: the same spikes and state.
fn check(name: &str, mut whole: Box<dyn NeuronModel>, mut kept: Box<dyn NeuronModel>, scale: f64, current_max_pa: f64) {
    let block = 97..311;
    assert!(kept.keep_block(block.clone()), "{name} keeps a block");
    assert_eq!(kept.len(), block.len(), "{name}");
    let mut fired = 0;
    for (step, (receptors, current_pa)) in inputs(whole.receptors().len(), scale, current_max_pa).iter().enumerate() {
        let ctx = StepContext { step: step as u64, dt_ms: 0.1 };
        let mut all = Vec::new();
        whole.step(&ctx, StepInput { receptors, current_pa }, &mut all);
        let part: Vec<Vec<f64>> = receptors.iter().map(|r| r[block.clone()].to_vec()).collect();
        let mut mine = Vec::new();
        kept.step(&ctx, StepInput { receptors: &part, current_pa: &current_pa[block.clone()] }, &mut mine);
        let expected: Vec<u32> =
            all.iter().filter(|&&i| block.contains(&(i as usize))).map(|&i| i - block.start as u32).collect();
        assert_eq!(mine, expected, "{name}: spikes of step {step}");
        fired += mine.len();
    }
    assert!(fired > 20, "{name}: the kept neurons must spike ({fired} spikes)");
    let (w, k) = (bits(whole.as_ref()), bits(kept.as_ref()));
    for (name_k, (a, b)) in whole.state_names().iter().zip(w.iter().zip(&k)) {
        assert!(b == &a[block.clone()], "{name}: state {name_k}");
    }
    let saved = kept.save_state().unwrap();
    assert!(
        saved.f64s.values().map(Vec::len).chain(saved.u64s.values().map(Vec::len)).all(|l| l == block.len()),
        "{name}: a checkpoint array that is not per neuron"
    );
}

#[test]
fn every_library_model_keeps_a_block_bit_for_bit() {
    let adex = || Box::new(AdEx::new(N, AdExParams::default().check().unwrap())) as Box<dyn NeuronModel>;
    check("AdEx", adex(), adex(), 3.0, 2000.0);
    let izh = || Box::new(Izhikevich::new(N, IzhikevichParams::default().check().unwrap())) as Box<dyn NeuronModel>;
    check("Izhikevich", izh(), izh(), 30.0, 500.0);
    let lif = || Box::new(LifCurrent::new(N, LifCurrentParams::default().check().unwrap())) as Box<dyn NeuronModel>;
    check("LifCurrent", lif(), lif(), 30.0, 500.0);
    let nmda = || Box::new(LifNmda::new(N, LifNmdaParams::default().check().unwrap())) as Box<dyn NeuronModel>;
    check("LifNmda", nmda(), nmda(), 3.0, 500.0);
    let cond = || Box::new(LifCond::new(N, LifCondParams::default().check().unwrap())) as Box<dyn NeuronModel>;
    check("LifCond", cond(), cond(), 3.0, 500.0);
}

/// A conductance LIF with adaptation written as a user's point neuron (two state variables).
struct AdaptingPoint {
    receptors: Vec<Receptor>,
}

impl PointNeuron for AdaptingPoint {
    const STATE: &'static [&'static str] = &["v_mv", "w_pa"];
    fn receptors(&self) -> &[Receptor] {
        &self.receptors
    }
    fn initial_state(&self, s: &mut [f64]) {
        s[0] = -60.0;
        s[1] = 0.0;
    }
    fn derivatives(&self, s: &[f64], syn: &[f64], i_ext_pa: f64, ds: &mut [f64]) {
        ds[0] = (10.0 * (-60.0 - s[0]) + synaptic_current_pa(&self.receptors, syn, s[0]) + i_ext_pa - s[1]) / 200.0;
        ds[1] = -s[1] / 100.0;
    }
    fn spiked(&self, s: &[f64]) -> bool {
        s[0] > -50.0
    }
    fn reset(&self, s: &mut [f64]) {
        s[0] = -60.0;
        s[1] += 20.0;
    }
    fn refractory_ms(&self) -> f64 {
        2.0
    }
}

#[test]
fn a_point_population_keeps_a_block_bit_for_bit() {
    let point = || {
        let receptors = vec![Receptor::conductance("exc", 0.0, 5.0), Receptor::conductance("inh", -80.0, 10.0)];
        Box::new(PointPopulation::new("adapting", N, AdaptingPoint { receptors }, IntegratorKind::Rk2.build()))
            as Box<dyn NeuronModel>
    };
    check("PointPopulation", point(), point(), 3.0, 500.0);
}
