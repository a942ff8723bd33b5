//! A run directory holds the resolved config, the summary and the arrays; the run returns the
//! spikes for the figure.

use engram_models::experiment::Experiment;
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
