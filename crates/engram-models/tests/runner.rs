//! A run directory holds the resolved config, the summary and the arrays; the run returns the
//! spikes for the figure. A network description runs as an experiment: the same spikes as the
//! built-in model it writes, its protocol's phases honoured, its monitors written.

use engram_models::coba::CobaConfig;
use engram_models::description::models;
use engram_models::experiment::{Experiment, ModelConfig};
use engram_models::resources::estimate;
use engram_models::run::{Summary, run_experiment};
use engram_sim::npy::read_npy_2d;

#[test]
fn run_directory_has_config_summary_and_arrays_and_the_run_returns_its_spikes() {
    let dir = std::env::temp_dir().join(format!("engram_run_dir_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let text = "(model: Coba(n: 1000), run: (duration_s: 0.2, seed: 5), \
                record: (state: [(population: \"E\", variable: \"v_mv\", neurons: [0, 1, 2], every_ms: 1.0)]))";
    let exp = Experiment::from_ron_str(text, "<test>").unwrap();
    let output = run_experiment(&exp, Some(&dir), false).unwrap();
    let summary = &output.summary;

    let back = Experiment::from_file(&dir.join("config.ron")).unwrap();
    assert_eq!(back, exp, "config.ron is the full resolved experiment and reads back identically");

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    for key in [
        "model",
        "n",
        "duration_s",
        "dt_ms",
        "seed",
        "threads",
        "n_spikes",
        "rate_exc_hz",
        "rate_inh_hz",
        "n_synapses",
        "build_s",
        "loop_wall_s",
        "loop_cpu_s",
    ] {
        assert!(json.get(key).is_some(), "summary.json lacks {key}");
    }
    let parsed: Summary = serde_json::from_value(json).unwrap();
    assert_eq!(parsed.n_spikes, summary.n_spikes);
    assert_eq!(parsed.n, 1000);
    assert!(summary.n_spikes > 0);
    assert!(summary.loop_cpu_s >= 0.0, "the loop's CPU time is measured: {}", summary.loop_cpu_s);
    // an undefined number is written as null and reads back as NaN
    let undefined = Summary { loop_cpu_s: f64::NAN, rate_inh_hz: f64::NAN, ..summary.clone() };
    let text = serde_json::to_string(&undefined).unwrap();
    assert!(text.contains("\"loop_cpu_s\":null"), "{text}");
    let back: Summary = serde_json::from_str(&text).unwrap();
    assert!(back.loop_cpu_s.is_nan() && back.rate_inh_hz.is_nan() && back.n_spikes == summary.n_spikes);

    for f in ["spikes_E.npy", "spikes_I.npy", "rates.npy", "state_E_v_mv.npy"] {
        let len = std::fs::metadata(dir.join(f)).map(|m| m.len()).unwrap_or(0);
        assert!(len > 0, "{f} missing or empty");
    }
    // the spike arrays hold every spike: (n_spikes of E) rows of (time_ms, neuron)
    let bytes = std::fs::read(dir.join("spikes_E.npy")).unwrap();
    let e_spikes = summary.populations.iter().find(|p| p.name == "E").unwrap().n_spikes;
    assert_eq!(bytes.len() as u64, 128 + e_spikes * 16);
    // ... and read as NumPy would: (n_spikes, 2) arrays of (time_ms, neuron) per population,
    // in time order, inside the run, adding up to the summary's counts
    let mut total = 0;
    for pop in &summary.populations {
        let (shape, data) = read_npy_2d(&dir.join(format!("spikes_{}.npy", pop.name))).unwrap();
        assert_eq!(shape, vec![pop.n_spikes as usize, 2], "spikes_{}.npy", pop.name);
        let (times, neurons): (Vec<f64>, Vec<f64>) = data.chunks(2).map(|r| (r[0], r[1])).unzip();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "{}: spike times out of order", pop.name);
        assert!(times.iter().all(|&t| (0.0..200.0).contains(&t)), "{}: a spike outside the run", pop.name);
        assert!(neurons.iter().all(|&i| i.fract() == 0.0 && i >= 0.0 && (i as usize) < pop.n), "{}", pop.name);
        // the spikes returned for the figure are the same spikes
        let kept = output.spikes.iter().find(|k| k.name == pop.name).unwrap();
        assert_eq!((kept.n, &kept.times_ms), (pop.n, &times), "{}", pop.name);
        assert!(kept.neurons.iter().zip(&neurons).all(|(&a, &b)| a as f64 == b), "{}", pop.name);
        let mut per_neuron = vec![0u64; pop.n];
        neurons.iter().for_each(|&i| per_neuron[i as usize] += 1);
        assert!(per_neuron.iter().filter(|&&c| c > 0).count() > 1, "{}: spikes of one neuron only", pop.name);
        total += pop.n_spikes;
    }
    assert_eq!(total, summary.n_spikes);
    assert_eq!(output.spikes.len(), summary.populations.len());
    assert!(!dir.join("raster.png").exists(), "the library draws no figure (cargo xtask run does)");
    assert_eq!(summary.populations.iter().map(|p| p.n).sum::<usize>(), 1000);
    std::fs::remove_dir_all(&dir).ok();
}

/// COBA written as a description (with roles E and I) runs through `run_experiment` to the
/// same spikes, counts, rates and synapses as the built-in model at the same seed.
#[test]
fn coba_as_a_description_runs_as_the_builtin_coba() {
    let config = CobaConfig { n: 1000, ..CobaConfig::default() };
    let mut builtin = Experiment::builtin("coba").unwrap();
    builtin.model = ModelConfig::Coba(config.clone());
    builtin.run.duration_s = 0.2;
    builtin.run.seed = 5;
    builtin.record.spikes = false;
    let described = Experiment { model: ModelConfig::Network(models::coba(&config).unwrap()), ..builtin.clone() };
    let a = run_experiment(&builtin, None, false).unwrap();
    let b = run_experiment(&described, None, false).unwrap();
    let (a, b) = (&a.summary, &b.summary);
    assert!(a.n_spikes > 0);
    assert_eq!(b.n_spikes, a.n_spikes);
    assert_eq!(b.populations, a.populations);
    assert_eq!((b.rate_exc_hz, b.rate_inh_hz), (a.rate_exc_hz, a.rate_inh_hz));
    assert_eq!((b.n, b.n_synapses, b.model.as_str()), (a.n, a.n_synapses, "network"));
}

/// A small driven network: its source is off in the first phase.
const PHASED: &str = r#"(
    model: Network(
        populations: [(name: "E", size: 50, neuron: (kind: "LifCond"), role: Excitatory)],
        sources: [(name: "drive", source: (kind: "PoissonGroup",
                   params: (n_sources: 100, rates: Constant(rate_hz: 20.0))))],
        projections: [(pre: "drive", post: "E", receptor: "exc",
                       connectivity: (kind: "FixedProbability", params: (p: 0.5)),
                       weight: Constant(value: 1.0), delay: Constant(ms: 1.0))],
        monitors: [
            Spikes(populations: ["E", "drive"]),
            State(population: "E", variable: "v_mv", neurons: [0, 1], every_ms: 1.0),
        ],
        phases: [(name: "quiet", duration_ms: 50.0, stimuli_on: []), (name: "driven", duration_ms: 100.0)],
    ),
    run: (duration_s: 0.15, seed: 2),
)"#;

#[test]
fn a_description_runs_its_phases_and_writes_its_monitors() {
    let dir = std::env::temp_dir().join(format!("engram_run_network_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let exp = Experiment::from_ron_str(PHASED, "phased.ron").unwrap_or_else(|e| panic!("{e}"));
    let cost = estimate(&exp);
    assert_eq!(cost.neurons, 50.0);
    assert!(cost.synapse_bytes > 2000.0 && cost.synapse_bytes < 3000.0 * 24.0, "{cost:?}");

    let output = run_experiment(&exp, Some(&dir), false).unwrap();
    let summary = &output.summary;
    let back = Experiment::from_file(&dir.join("config.ron")).unwrap_or_else(|e| panic!("{e}"));
    // with the folder its relative paths were resolved against (here: the current one) written out
    let mut pinned = exp.clone();
    if let ModelConfig::Network(d) = &mut pinned.model {
        d.base_dir = Some(std::env::current_dir().unwrap());
    }
    assert_eq!(back, pinned, "config.ron reads back as the same experiment");

    // the E population fires only once its source is on (phase `driven`, from 50 ms)
    let e = &output.spikes[0];
    assert_eq!(e.name, "E");
    assert!(!e.times_ms.is_empty());
    assert!(e.times_ms.iter().all(|&t| t >= 50.0), "E fired before its drive: {:?}", &e.times_ms[..3]);
    assert_eq!(summary.n_spikes, e.times_ms.len() as u64, "n_spikes counts the neuron populations only");
    assert!(summary.rate_exc_hz > 0.0 && summary.rate_inh_hz == 0.0);
    // the description's monitors are in the run directory (the source group's spikes too)
    for f in ["spikes_E.npy", "spikes_drive.npy", "state_E_v_mv.npy", "rates.npy"] {
        assert!(std::fs::metadata(dir.join(f)).is_ok_and(|m| m.len() > 0), "{f} missing or empty");
    }
    let (shape, data) = read_npy_2d(&dir.join("spikes_drive.npy")).unwrap();
    assert!(shape[0] > 0 && data.chunks(2).all(|r| r[0] >= 50.0), "the source is off in `quiet`");

    // a run shorter than the protocol stops in its first phase: nothing fires
    let mut short = exp.clone();
    short.run.duration_s = 0.04;
    assert_eq!(run_experiment(&short, None, false).unwrap().summary.n_spikes, 0);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn errors_in_a_description_inside_an_experiment_name_the_line_in_the_experiment() {
    let bad = PHASED.replace("rate_hz: 20.0", "rat_hz: 20.0");
    let e = Experiment::from_ron_str(&bad, "phased.ron").unwrap_err().to_string();
    assert!(e.starts_with("phased.ron:5:") && e.contains("model.Network.sources[0].source.params"), "{e}");
    assert!(e.contains("rat_hz"), "{e}");
    let bad = PHASED.replace("duration_ms: 100.0", "duration_ms: 100.05");
    let e = Experiment::from_ron_str(&bad, "phased.ron").unwrap_err().to_string();
    assert!(e.starts_with("phased.ron:13: model.Network.phases[1].duration_ms = 100.05"), "{e}");
    let bad = PHASED.replace("post: \"E\"", "post: \"F\"");
    let e = Experiment::from_ron_str(&bad, "phased.ron").unwrap_err().to_string();
    assert!(e.starts_with("phased.ron:6: model.Network.projections[0].post = \"F\""), "{e}");
}
