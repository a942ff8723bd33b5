//! Criterion benchmarks of one population step (ns per neuron-step = 1 / throughput):
//! `LifCond` on the COBA benchmark's 4000 neurons, plus the other models at the same size.

use criterion::{Criterion, Throughput, criterion_group};
use engram_core::neuron::{NeuronModel, StepContext, StepInput};
use engram_core::params::Params;
use engram_neurons::{
    AdEx, AdExParams, Izhikevich, IzhikevichParams, LifCond, LifCondIntegrator, LifCondParams, LifCurrent,
    LifCurrentParams,
};
use rand::{Rng, SeedableRng};
use std::hint::black_box;

const N: usize = 4000;
/// Number of pre-drawn input patterns cycled through.
const PATTERNS: usize = 4;

/// COBA-like input: per step each neuron receives an excitatory event with probability 0.03
/// (6 nS) and an inhibitory one with probability 0.01 (67 nS); the last receptors get the
/// same pattern. Current: the "driven" variant's 200 pA.
fn inputs(n_receptors: usize) -> (Vec<Vec<Vec<f64>>>, Vec<f64>) {
    let mut rng = rand_pcg::Pcg64::seed_from_u64(1);
    let patterns = (0..PATTERNS)
        .map(|_| {
            (0..n_receptors)
                .map(|r| {
                    let (p, w) = if r + 1 == n_receptors && n_receptors > 1 { (0.01, 67.0) } else { (0.03, 6.0) };
                    (0..N).map(|_| if rng.gen_bool(p) { w } else { 0.0 }).collect()
                })
                .collect()
        })
        .collect();
    (patterns, vec![200.0; N])
}

fn bench_model(c: &mut Criterion, name: &str, mut model: Box<dyn NeuronModel>, scale: f64) {
    let (patterns, current) = inputs(model.receptors().len());
    let patterns: Vec<Vec<Vec<f64>>> = patterns
        .into_iter()
        .map(|p| p.into_iter().map(|r| r.into_iter().map(|w| w * scale).collect()).collect())
        .collect();
    let mut spikes = Vec::with_capacity(N);
    let mut step = 0u64;
    let mut group = c.benchmark_group("neuron_step");
    group.throughput(Throughput::Elements(N as u64));
    group.bench_function(name, |b| {
        b.iter(|| {
            spikes.clear();
            let input = StepInput { receptors: &patterns[step as usize % PATTERNS], current_pa: &current };
            model.step(&StepContext { step, dt_ms: 0.1 }, input, &mut spikes);
            step += 1;
            black_box(spikes.len())
        })
    });
    group.finish();
}

fn neuron_steps(c: &mut Criterion) {
    let coba = LifCondParams::coba();
    bench_model(c, "lif_cond_coba_euler_4000", Box::new(LifCond::new(N, coba.clone().check().unwrap())), 1.0);
    let exp = LifCondParams { integrator: LifCondIntegrator::ExpEuler, ..coba };
    bench_model(c, "lif_cond_coba_exp_euler_4000", Box::new(LifCond::new(N, exp.check().unwrap())), 1.0);
    let dp = LifCondParams::dp_excitatory();
    bench_model(c, "lif_cond_dp_excitatory_4000", Box::new(LifCond::new(N, dp.check().unwrap())), 0.02);
    let cuba = LifCurrentParams::default();
    bench_model(c, "lif_current_4000", Box::new(LifCurrent::new(N, cuba.check().unwrap())), 3.0);
    bench_model(c, "adex_4000", Box::new(AdEx::new(N, AdExParams::default().check().unwrap())), 1.0);
    let izh = IzhikevichParams::regular_spiking();
    bench_model(c, "izhikevich_4000", Box::new(Izhikevich::new(N, izh.check().unwrap())), 0.1);
}

criterion_group!(benches, neuron_steps);
