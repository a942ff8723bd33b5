//! Tsodyks–Markram: steady state and paired-pulse ratios against the closed forms, and the
//! engine's transmission hook delivering `weight · u · x`.

use engram_core::neuron::{NeuronModel, Receptor, StepContext, StepInput};
use engram_core::params::Params;
use engram_core::plasticity::PlasticityRule;
use engram_plasticity::{TsodyksMarkram, TsodyksMarkramParams};

/// Efficacies of a periodic train of `n` spikes `interval_steps` apart (dt = 0.1 ms).
fn train(p: &TsodyksMarkramParams, interval_steps: u64, n: usize) -> Vec<f64> {
    let mut stp = TsodyksMarkram::new(p.clone().check().unwrap(), 1);
    let (row_ptr, mut eff) = (vec![0, 1], vec![0.0]);
    (0..n as u64)
        .map(|k| {
            stp.before_delivery(&StepContext { step: k * interval_steps, dt_ms: 0.1 }, &[0], &row_ptr, &mut eff);
            eff[0]
        })
        .collect()
}

#[test]
fn periodic_train_reaches_the_closed_form_steady_state() {
    for p in [
        TsodyksMarkramParams::depressing(),
        TsodyksMarkramParams::facilitating(),
        TsodyksMarkramParams::mongillo_2008(),
    ] {
        for interval_ms in [10.0, 25.0, 50.0, 100.0, 250.0] {
            let e = train(&p, (interval_ms * 10.0) as u64, 400);
            let (u, x) = p.steady_state(interval_ms);
            let last = *e.last().unwrap();
            assert!((last - u * x).abs() < 1e-9 * u * x, "{p:?} at {interval_ms} ms: {last} vs {}", u * x);
        }
    }
    // depressing synapse: the steady efficacy falls like 1/rate at high rates
    let p = TsodyksMarkramParams::depressing();
    let (e10, e20) = (p.steady_state(10.0), p.steady_state(5.0));
    let ratio = (e20.0 * e20.1) / (e10.0 * e10.1);
    println!("depressing: steady efficacy at 200 Hz / at 100 Hz = {ratio:.3}");
    assert!((ratio - 0.5).abs() < 0.02, "{ratio}");
}

#[test]
fn paired_pulse_ratios_depress_and_facilitate_as_in_the_closed_form() {
    for interval_ms in [5.0, 20.0, 50.0, 100.0] {
        let dep = TsodyksMarkramParams::depressing();
        let fac = TsodyksMarkramParams::facilitating();
        let e = train(&dep, (interval_ms * 10.0) as u64, 2);
        let f = train(&fac, (interval_ms * 10.0) as u64, 2);
        let (ppr_d, ppr_f) = (e[1] / e[0], f[1] / f[0]);
        println!("{interval_ms} ms: PPR depressing {ppr_d:.4}, facilitating {ppr_f:.4}");
        assert!(ppr_d < 1.0 && ppr_f > 1.0);
        assert!((ppr_d - dep.paired_pulse_ratio(interval_ms)).abs() < 1e-12);
        assert!((ppr_f - fac.paired_pulse_ratio(interval_ms)).abs() < 1e-12);
        assert_eq!(e[0], dep.u_se);
    }
    // full recovery after a long pause
    let e = train(&TsodyksMarkramParams::depressing(), 200_000, 2); // 20 s
    assert!((e[1] / e[0] - 1.0).abs() < 1e-9);
}

/// Records the input on its two receptors each step; never spikes.
struct Recorder {
    v: Vec<f64>,
    receptors: Vec<Receptor>,
    log: std::sync::Arc<std::sync::Mutex<Vec<(u64, f64, f64)>>>,
}

impl NeuronModel for Recorder {
    fn kind(&self) -> &str {
        "recorder"
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
    fn step(&mut self, ctx: &StepContext, input: StepInput<'_>, _spikes: &mut Vec<u32>) {
        let (a, b) = (input.receptors[0][0], input.receptors[1][0]);
        if a != 0.0 || b != 0.0 {
            self.log.lock().unwrap().push((ctx.step, a, b));
        }
    }
}

#[test]
fn engine_delivers_weight_times_efficacy_and_keeps_weights_as_baseline() {
    use engram_sim::prelude::*;
    use engram_stimuli::SpikeTrains;
    for per_synapse_delay in [false, true] {
        let mut b = NetworkBuilder::new(0.1, 1).unwrap();
        // 8 spikes 20 ms apart, then one after a 300 ms pause
        let mut steps: Vec<(u32, u64)> = (0..8).map(|k| (0, 10 + 200 * k)).collect();
        steps.push((0, 10 + 200 * 7 + 3000));
        b.add_source("pre", SpikeTrains::from_steps(1, steps.clone()).unwrap()).unwrap();
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let rec = Recorder {
            v: vec![0.0],
            receptors: vec![Receptor::current("static", 1.0), Receptor::current("stp", 1.0)],
            log: log.clone(),
        };
        b.add_population("post", rec).unwrap();
        let w = || sprs::CsMatI::<f64, u32, usize>::new((1, 1), vec![0, 1], vec![0], vec![2.0]);
        let delay = || if per_synapse_delay { Delay::PerSynapse(vec![3]) } else { Delay::Steps(3) };
        b.connect("pre", "post", "static", w(), delay()).unwrap();
        let p = b.connect("pre", "post", "stp", w(), delay()).unwrap();
        let params = TsodyksMarkramParams::depressing();
        b.add_plasticity(p, TsodyksMarkram::new(params.clone().check().unwrap(), 1));
        let mut net = b.build().unwrap();
        net.run_steps(5000).unwrap();
        assert_eq!(net.weights(p).data(), &[2.0], "weights stay the baseline");
        // expected efficacies by the closed recursion (NEST tsodyks2)
        let (mut u, mut x, mut last) = (params.u_se, 1.0, None::<u64>);
        let log = log.lock().unwrap().clone();
        assert_eq!(log.len(), steps.len());
        for ((step, stat, stp), &(_, t)) in log.iter().zip(&steps) {
            assert_eq!(*step, t + 3, "delivered after the delay");
            assert_eq!(*stat, 2.0, "the static projection is untouched");
            if let Some(l) = last {
                let h = (t - l) as f64 * 0.1;
                x = 1.0 + (x - x * u - 1.0) * (-h / params.tau_rec_ms).exp();
                u = params.u_se;
            }
            last = Some(t);
            assert!((stp - 2.0 * u * x).abs() < 1e-12, "step {step}: {stp} vs {}", 2.0 * u * x);
        }
        println!(
            "STP through the engine: {:?}",
            log.iter().map(|l| (l.2 * 1000.0).round() / 1000.0).collect::<Vec<_>>()
        );
        assert!(log[7].2 < 0.5 * log[0].2 && log[8].2 > log[7].2, "depressed, then partly recovered");
    }
}
