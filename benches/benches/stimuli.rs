//! Benchmarks of engram-stimuli: time per simulation step of Poisson sources and Poisson input.
//!
//! Part of `cargo bench -p engram-benches`. Each iteration is one step (dt = 0.1 ms).

use std::hint::black_box;

use criterion::{Criterion, criterion_group};
use engram_core::prelude::*;
use engram_stimuli::{PoissonGroup, PoissonGroupParams, PoissonInput, PoissonInputParams, PoissonMethod, RateSpec};

const DT: f64 = 0.1;

fn bench_group(c: &mut Criterion, name: &str, n_sources: usize, rate_hz: f64, method: PoissonMethod) {
    let params = PoissonGroupParams { n_sources, rates: RateSpec::Constant { rate_hz }, method };
    let mut group = PoissonGroup::new(params.check().unwrap(), 1, 1, Clock::new(DT).unwrap());
    let mut spikes = Vec::with_capacity(n_sources);
    let mut step = 0u64;
    c.bench_function(name, |b| {
        b.iter(|| {
            spikes.clear();
            group.emit(&StepContext { step, dt_ms: DT }, &mut spikes);
            step += 1;
            black_box(spikes.len())
        })
    });
}

fn poisson_groups(c: &mut Criterion) {
    bench_group(c, "poisson_group/ob_1500_at_6hz/next_spike", 1500, 6.0, PoissonMethod::NextSpike);
    bench_group(c, "poisson_group/ob_1500_at_6hz/bernoulli", 1500, 6.0, PoissonMethod::Bernoulli);
    bench_group(c, "poisson_group/10000_at_10hz/next_spike", 10_000, 10.0, PoissonMethod::NextSpike);
    bench_group(c, "poisson_group/10000_at_10hz/bernoulli", 10_000, 10.0, PoissonMethod::Bernoulli);
    bench_group(c, "poisson_group/10000_at_200hz/next_spike", 10_000, 200.0, PoissonMethod::NextSpike);
    bench_group(c, "poisson_group/10000_at_200hz/bernoulli", 10_000, 200.0, PoissonMethod::Bernoulli);
}

fn poisson_input(c: &mut Criterion) {
    // COBA-like external drive: 4000 neurons, 100 inputs at 10 Hz each (n·p = 0.1 per step).
    let n = 4000;
    let params = PoissonInputParams { n_inputs: 100, rate: RateSpec::Constant { rate_hz: 10.0 }, ..Default::default() };
    let mut input = PoissonInput::new(params.check().unwrap(), n, 1, 1, Clock::new(DT).unwrap()).unwrap();
    let (mut g, mut i_pa) = (vec![0.0; n], vec![0.0; n]);
    let mut step = 0u64;
    c.bench_function("poisson_input/4000_neurons_100_inputs_at_10hz", |b| {
        b.iter(|| {
            input.apply(
                &StepContext { step, dt_ms: DT },
                StimulusTarget { receptor: Some(&mut g), current_pa: &mut i_pa, first_neuron: 0 },
            );
            step += 1;
            black_box(g[0])
        })
    });
}

criterion_group!(benches, poisson_groups, poisson_input);
