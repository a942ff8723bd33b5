//! The named models `vogels2011`, `auryn-background` and `selection`: the descriptions they
//! expand to build networks that fire the same spikes as the models' own Rust builds, their
//! runs go through those descriptions, and their experiment files parse.

use engram_models::auryn_background::AurynBackgroundConfig;
use engram_models::description::{NetworkDescription, Registry, models};
use engram_models::experiment::{Experiment, ModelConfig};
use engram_models::run::run_experiment;
use engram_models::selection::{SelectionConfig, run_selection};
use engram_models::vogels2011::{RecurrentConfig, run_recurrent};
use engram_sim::{DivergenceGuard, Network, SpikeMonitor};

/// Steps of `ms` at `dt_ms`.
fn steps(ms: f64, dt_ms: f64) -> u64 {
    (ms / dt_ms).round() as u64
}

/// The selection model at a small size: per 50 ms bin of its protocol, the rates of A and B
/// and the mean I→E weights onto them, computed from the description's network as
/// `run_selection` computes them, are equal to the last bit.
#[test]
fn selection_description_fires_the_spikes_of_run_selection() {
    let cfg = SelectionConfig {
        n_assembly: 30,
        n_inh: 15,
        n_trials: 2,
        test_ms: 300.0,
        trial_ms: 200.0,
        pause_ms: 100.0,
        ..SelectionConfig::default()
    };
    let seed = 5;
    let expected = run_selection(&cfg, seed).unwrap();
    let d = models::selection(&cfg).unwrap();
    let mut built = d.build_with(&Registry::default(), cfg.dt_ms, seed).unwrap();
    let net = &mut built.network;
    let ie = net.projection("I->E").unwrap();
    let (na, dt) = (cfg.n_assembly, cfg.dt_ms);
    let mean_w = |net: &Network| {
        let w = net.weights(ie);
        let (mut s, mut c) = ([0.0f64; 2], [0usize; 2]);
        for (&x, &j) in w.data().iter().zip(w.indices()) {
            let g = (j as usize / na).min(1);
            s[g] += x;
            c[g] += 1;
        }
        (s[0] / c[0].max(1) as f64, s[1] / c[1].max(1) as f64)
    };
    let bin = steps(cfg.bin_ms, dt);
    let (mut rate_a, mut rate_b, mut w_a, mut w_b) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut prev = vec![0u32; 2 * na];
    for (_, phase_steps, modulator) in &built.phases {
        net.set_modulator(*modulator);
        let mut done = 0;
        while done < *phase_steps {
            let n = bin.min(phase_steps - done);
            net.run_steps(n).unwrap();
            done += n;
            let counts = net.spike_counts("E").unwrap().to_vec();
            let secs = n as f64 * dt / 1000.0;
            let rate = |lo: usize| (lo..lo + na).map(|i| (counts[i] - prev[i]) as f64).sum::<f64>() / na as f64 / secs;
            rate_a.push(rate(0));
            rate_b.push(rate(na));
            let (a, b) = mean_w(net);
            w_a.push(a);
            w_b.push(b);
            prev = counts;
        }
    }
    assert!(rate_a.iter().sum::<f64>() > 0.0 && rate_b.iter().sum::<f64>() > 0.0, "the assemblies fire");
    assert!(expected.w_ia_ns.first() != expected.w_ia_ns.last(), "iSTDP moved the weights onto A");
    assert_eq!(rate_a, expected.rate_a_hz);
    assert_eq!(rate_b, expected.rate_b_hz);
    assert_eq!(w_a, expected.w_ia_ns);
    assert_eq!(w_b, expected.w_ib_ns);
}

/// Auryn's background network at a small size, primed then plastic: the spike counts of
/// every neuron and every E→E weight after the protocol are equal to those of
/// `AurynBackgroundConfig::build` switched the same way.
#[test]
fn auryn_background_description_fires_the_spikes_of_its_build() {
    let cfg = AurynBackgroundConfig {
        n_e: 400,
        n_i: 100,
        n_poisson: 100,
        p: 0.2,
        poisson_rate_hz: 20.0,
        priming_ms: 100.0,
        plastic_ms: 200.0,
        ..AurynBackgroundConfig::default()
    };
    let (dt, seed) = (0.1, 3);
    let mut rust = cfg.build(dt, seed).unwrap();
    rust.network.set_modulator(0.0);
    rust.network.run_ms(cfg.priming_ms).unwrap();
    rust.network.set_modulator(1.0);
    rust.network.run_ms(cfg.plastic_ms).unwrap();

    let d = models::auryn_background(&cfg).unwrap();
    let mut built = d.build_with(&Registry::default(), dt, seed).unwrap();
    built.run_protocol().unwrap();
    let net = &built.network;
    for pop in ["E", "I", "P"] {
        assert_eq!(net.spike_counts(pop).unwrap(), rust.network.spike_counts(pop).unwrap(), "spike counts of {pop}");
    }
    assert!(net.spike_counts("E").unwrap().iter().any(|&c| c > 0), "E fires");
    let w = net.weights(net.projection("E->E").unwrap());
    let w_rust = rust.network.weights(rust.ee);
    assert_eq!(w.indptr().raw_storage(), w_rust.indptr().raw_storage());
    assert_eq!(w.indices(), w_rust.indices());
    assert_eq!(w.data(), w_rust.data(), "E->E weights after the plastic phase");
    let w0 = cfg.w_ee * cfg.neuron.g_l_ns;
    assert!(w.data().iter().any(|&x| x != w0), "triplet STDP changed weights while plastic");
}

/// A small Vogels et al. 2011 recurrent network (the full protocol: pre, I→E = 0 and iSTDP
/// on, patterns × 5, recall with a cue): per bookkeeping chunk, the E and I rates computed
/// from the description's network as `run_recurrent` computes them are equal to the last bit,
/// and so are the spikes of the first window and of the recall window.
#[test]
fn vogels2011_description_fires_the_spikes_of_run_recurrent() {
    let cfg = RecurrentConfig {
        n_e: 400,
        n_i: 100,
        p: 0.4,
        pattern_size: 80,
        pattern_overlap: 8,
        cue_size: 20,
        t_pre_ms: 1000.0,
        t_learn_ms: 1000.0,
        t_memory_ms: 1000.0,
        t_recall_ms: 250.0,
        stats_window_ms: 500.0,
        chunk_ms: 250.0,
        ..RecurrentConfig::quick()
    };
    let seed = 11;
    let expected = run_recurrent(&cfg, seed, false).unwrap();

    let d = NetworkDescription {
        monitors: vec![engram_models::description::MonitorDescription::Spikes { populations: vec!["E".into()] }],
        ..models::vogels2011(&cfg).unwrap()
    };
    let dt = cfg.dt_ms;
    let (mut b, handles) = d.builder_with(&Registry::default(), dt, seed).unwrap();
    b.divergence_guard(DivergenceGuard { max_rate_hz: Some(500.0), ..Default::default() });
    let mut net = b.build().unwrap();
    // the phases' modulators and weight changes, made at the start of the chunk they start in
    let mut starts = Vec::new();
    let mut at = 0u64;
    for (_, phase_steps, modulator) in &handles.phases {
        starts.push((at, *modulator));
        at += phase_steps;
    }
    let chunk = steps(cfg.chunk_ms, dt);
    let (mut rate_e, mut rate_i) = (Vec::new(), Vec::new());
    let (mut prev_e, mut prev_i) = (vec![0u32; cfg.n_e], 0u64);
    let mut step0 = 0;
    while step0 < at {
        if let Some(&(_, m)) = starts.iter().find(|(s, _)| *s == step0) {
            net.set_modulator(m);
        }
        for (_, changes) in handles.weight_changes.iter().filter(|(s, _)| *s == step0) {
            engram_models::description::build::apply_weight_changes(&mut net, changes).unwrap();
        }
        let n = chunk.min(at - step0);
        net.run_steps(n).unwrap();
        step0 += n;
        let secs = n as f64 * dt / 1000.0;
        let counts_e = net.spike_counts("E").unwrap().to_vec();
        let i_total: u64 = net.spike_counts("I").unwrap().iter().map(|&c| c as u64).sum();
        let e_spikes: u64 = counts_e.iter().zip(&prev_e).map(|(a, b)| (a - b) as u64).sum();
        rate_e.push(e_spikes as f64 / cfg.n_e as f64 / secs);
        rate_i.push((i_total - prev_i) as f64 / cfg.n_i as f64 / secs);
        prev_e = counts_e;
        prev_i = i_total;
    }
    let chunks_e: Vec<f64> = expected.chunks.iter().map(|c| c.rate_e_hz).collect();
    let chunks_i: Vec<f64> = expected.chunks.iter().map(|c| c.rate_i_hz).collect();
    assert!(chunks_e.iter().all(|&r| r > 0.0), "E fires in every chunk: {chunks_e:?}");
    assert_eq!(rate_e, chunks_e);
    assert_eq!(rate_i, chunks_i);

    // the spikes themselves, in the first window (the last second of `pre`) and in recall
    net.finish_monitors().unwrap();
    let m = net.monitor::<SpikeMonitor>(handles.monitors[0]).unwrap();
    for (w, (t0, t1)) in
        [(0, (cfg.t_pre_ms - 1000.0, cfg.t_pre_ms)), (5, (at as f64 * dt - 3.0 * cfg.t_recall_ms, at as f64 * dt))]
    {
        let (lo, hi) = (steps(t0, dt), steps(t1, dt));
        let ours: Vec<(u64, u32)> = m
            .times_ms("E")
            .iter()
            .zip(m.neurons("E"))
            .map(|(&t, &i)| (steps(t, dt), i))
            .filter(|&(s, _)| s >= lo && s < hi)
            .collect();
        let (_, _, times, neurons) = &expected.raster[w];
        let theirs: Vec<(u64, u32)> = times.iter().zip(neurons).map(|(&t, &i)| (steps(t + t0, dt), i)).collect();
        assert!(!theirs.is_empty(), "window {w} has spikes");
        assert_eq!(ours, theirs, "spikes of window {w}");
    }
}

/// A named model runs through its description: its summary (rates, counts, synapses) equals
/// that of the same description run as a `Network`, and shows the E and I rates.
#[test]
fn a_named_model_runs_as_its_description_with_e_and_i_rates() {
    let cfg = SelectionConfig {
        n_assembly: 20,
        n_inh: 10,
        n_trials: 1,
        test_ms: 100.0,
        trial_ms: 100.0,
        pause_ms: 50.0,
        ..SelectionConfig::default()
    };
    let mut named = Experiment::builtin("selection").unwrap();
    named.model = ModelConfig::Selection(cfg.clone());
    named.run.duration_s = 0.4;
    named.record.figure = false;
    named.record.spikes = false;
    let described = Experiment { model: ModelConfig::Network(models::selection(&cfg).unwrap()), ..named.clone() };
    let a = run_experiment(&named, None, false).unwrap().summary;
    let b = run_experiment(&described, None, false).unwrap().summary;
    assert_eq!(a.model, "selection");
    assert!(a.rate_exc_hz > 0.0 && a.rate_inh_hz > 0.0, "{a:?}");
    assert_eq!((a.n, a.n_spikes, a.n_synapses), (b.n, b.n_spikes, b.n_synapses));
    assert_eq!((a.rate_exc_hz, a.rate_inh_hz), (b.rate_exc_hz, b.rate_inh_hz));
    assert_eq!(a.populations, b.populations);
}

/// The built-in named models: their embedded experiments run the whole protocol and
/// validate; the step of a model's own configuration must be the run's.
#[test]
fn named_models_are_built_in_with_their_protocols() {
    for (name, seconds) in
        [("vogels2011", 255.0), ("auryn-background", 40.0), ("selection", 2.0 * 1.0 + 0.25 + 20.0 * 0.75)]
    {
        assert!(ModelConfig::BUILTIN.contains(&name), "{name}");
        let exp = Experiment::builtin(name).unwrap();
        assert_eq!(exp.model.name(), name);
        assert!((exp.run.duration_s - seconds).abs() < 1e-9, "{name}: {}", exp.run.duration_s);
        engram_core::params::Params::validate(&exp).unwrap_or_else(|e| panic!("{name}: {e}"));
        let d = exp.model.description().unwrap().unwrap();
        assert!(d.populations.iter().all(|p| p.role.is_some()), "{name}: every population has a role");
    }
    let text = "(model: Selection(dt_ms: 0.05), run: (dt_ms: 0.1))";
    let e = Experiment::from_ron_str(text, "sel.ron").unwrap_err().to_string();
    assert!(e.contains("sel.ron:1: model.Selection.dt_ms = 0.05") && e.contains("run.dt_ms = 0.1"), "{e}");
    let e = Experiment::from_ron_str("(model: Vogels2011(pattern_overlap: 900))", "v.ron").unwrap_err().to_string();
    assert!(e.contains("model.Vogels2011.pattern_overlap = 900") && e.contains("at most pattern_size = 784"), "{e}");
}

/// A weight change on a projection that does not exist, or on neurons a projection does not
/// have, is an error that names the field.
#[test]
fn weight_changes_are_checked() {
    let mut d = models::vogels2011(&RecurrentConfig::tiny()).unwrap();
    d.phases[1].weight_changes =
        vec![engram_models::description::WeightChange::Set { projection: "I->F".into(), value: 0.0 }];
    let e = d.check(&Registry::default()).unwrap_err().to_string();
    assert!(
        e.contains("phases[1].weight_changes[0].projection = \"I->F\"") && e.contains("E->E, E->I, I->I, I->E"),
        "{e}"
    );
    let text = d.to_ron_string().replace("\"I->F\"", "\"I->E\"").replace("end: 376", "end: 3760");
    let e = NetworkDescription::from_ron_str(&text, "v.ron").unwrap_err().to_string();
    assert!(e.contains("phases[2].weight_changes[0].groups[1]") && e.contains("<= 2000"), "{e}");
}
