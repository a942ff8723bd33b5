//! Criterion benchmarks of the engine: spike delivery through CSR rows into the delay ring.
//! Part of `cargo bench -p engram-benches`.

use criterion::{Criterion, criterion_group};
use engram_core::neuron::{NeuronModel, Receptor, StepContext, StepInput};
use engram_sim::{Delay, NetworkBuilder};
use rand::Rng;

/// Neurons that spike on a fixed schedule (every `period` steps, staggered), so the bench
/// measures the engine, not a model.
struct Clockwork {
    v: Vec<f64>,
    period: u64,
    receptors: Vec<Receptor>,
}

impl NeuronModel for Clockwork {
    fn kind(&self) -> &str {
        "clockwork"
    }
    fn len(&self) -> usize {
        self.v.len()
    }
    fn receptors(&self) -> &[Receptor] {
        &self.receptors
    }
    fn state_names(&self) -> &[&'static str] {
        &["v_mv"]
    }
    fn state(&self, name: &str) -> Option<&[f64]> {
        (name == "v_mv").then_some(&self.v[..])
    }
    fn state_mut(&mut self, name: &str) -> Option<&mut [f64]> {
        (name == "v_mv").then_some(&mut self.v[..])
    }
    fn step(&mut self, ctx: &StepContext, input: StepInput<'_>, spikes: &mut Vec<u32>) {
        let n = self.v.len() as u64;
        for i in 0..n {
            self.v[i as usize] += input.receptors[0][i as usize];
            if (ctx.step + i) % self.period == 0 {
                spikes.push(i as u32);
            }
        }
    }
}

fn delivery(c: &mut Criterion) {
    // 4000 neurons, 80 inputs each, every neuron spikes at 20 Hz: the COBA event load.
    let n = 4000;
    let mut rng = engram_core::rng::stream(1, 1, 0);
    let mut tri = sprs::TriMatI::<f64, u32>::new((n, n));
    for i in 0..n {
        for j in 0..n {
            if rng.r#gen::<f64>() < 0.02 {
                tri.add_triplet(i, j, 0.1);
            }
        }
    }
    let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    let model = Clockwork { v: vec![0.0; n], period: 500, receptors: vec![Receptor::current("exc", 5.0)] };
    b.add_population("P", model).unwrap();
    b.connect("P", "P", "exc", tri.to_csr(), Delay::Steps(1)).unwrap();
    let mut net = b.build().unwrap();
    c.bench_function("delivery_4000x80_20hz_100ms", |bench| bench.iter(|| net.run_ms(100.0).unwrap()));
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = delivery
}
