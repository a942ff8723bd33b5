//! The Dp authors' own files read into engram (`engram_models::mat`, `dp::authors`): the
//! fixture network A1 (Tuned I) and the learned odor set are checked against values computed
//! here from the raw arrays (degrees, summed weights, 1-based assemblies, spikes per trial),
//! bad files, variables, shapes, types and values get errors that name them, and the network
//! runs on the spikes.

use std::path::{Path, PathBuf};

use engram_models::dp::authors::{self, AuthorsNetwork, TRIAL_STEPS};
use engram_models::dp::{OdorSet, Structure, Variant, run_metrics, simulate};
use engram_models::mat::{MatError, MatFile};
use matfile::NumericData;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pdp")
}

/// A file parsed by `matfile` alone (the second route: no engram code).
fn raw_file(file: &Path) -> matfile::MatFile {
    matfile::MatFile::parse(std::io::BufReader::new(std::fs::File::open(file).unwrap())).unwrap()
}

/// The shape and the real values of a raw array as `f64`, column-major.
fn raw_values(parsed: &matfile::MatFile, name: &str) -> (Vec<usize>, Vec<f64>) {
    let a = parsed.find_by_name(name).unwrap();
    let values = match a.data() {
        NumericData::Double { real, imag: None } => real.clone(),
        NumericData::Int8 { real, imag: None } => real.iter().map(|&x| f64::from(x)).collect(),
        other => panic!("{name}: unexpected data {:?}", std::mem::discriminant(other)),
    };
    (a.size().clone(), values)
}

#[test]
fn the_fixture_network_has_the_files_degrees_weights_and_assemblies() {
    let a1 = AuthorsNetwork { structure: Structure::A, number: 1 };
    assert_eq!(a1.file_name("_tI"), "connec_A_1_tI.mat");
    let net = a1.load(&fixtures(), Variant::TUNED_I).unwrap();
    let config = a1.config(Variant::TUNED_I);
    let weights = net.weights(&config);
    let file = raw_file(&fixtures().join("connec_A_1_tI.mat"));
    // (name, pattern, weight matrix, n_pre, Table 2 weight of structure A in nS)
    let pathways = [
        ("w_oe", &net.ob_e, &weights[0], 1500, 0.128),
        ("w_oi", &net.ob_i, &weights[1], 1500, 0.068),
        ("w_ee", &net.e_e, &weights[2], 4000, 0.128),
        ("w_ei", &net.e_i, &weights[3], 4000, 0.068),
        ("w_ie", &net.i_e, &weights[4], 1000, 0.48),
        ("w_ii", &net.i_i, &weights[5], 1000, 0.25),
    ];
    for (name, pattern, w, n_pre, w_ns) in pathways {
        let (size, raw) = raw_values(&file, name);
        let n_post = size[1];
        assert_eq!((size[0], pattern.n_pre(), pattern.n_post()), (n_pre, n_pre, n_post), "{name}");
        // degrees by the second route: column-major, rows = presynaptic
        let (mut out_deg, mut in_deg) = (vec![0u32; n_pre], vec![0u32; n_post]);
        let (mut nonzero, mut total, mut max) = (0usize, 0u64, 0.0f64);
        for (k, &m) in raw.iter().enumerate() {
            assert!(m >= 0.0 && m.fract() == 0.0, "{name}: {m}");
            out_deg[k % n_pre] += m as u32;
            in_deg[k / n_pre] += m as u32;
            nonzero += usize::from(m > 0.0);
            total += m as u64;
            max = max.max(m);
        }
        assert_eq!(pattern.n_entries(), nonzero, "{name}: stored synapses");
        assert_eq!(pattern.n_connections(), total, "{name}: connections with multiplicity");
        assert_eq!(pattern.out_degrees(), out_deg, "{name}: out-degrees");
        assert_eq!(pattern.in_degrees(), in_deg, "{name}: in-degrees");
        assert!(max <= 4.0, "{name}: multiplicities 0-4, max {max}");
        // Σ multiplicity · w is the CSR's summed weight; spot-check the largest entries
        let csr_sum: f64 = w.data().iter().sum();
        assert!((csr_sum - total as f64 * w_ns).abs() < 1e-9 * csr_sum, "{name}: {csr_sum} vs {total} × {w_ns}");
        for (k, &m) in raw.iter().enumerate().filter(|(_, m)| **m == max).take(5) {
            let (pre, post) = (k % n_pre, k / n_pre);
            assert_eq!(w.get(pre, post).copied(), Some(m * w_ns), "{name}({pre}, {post})");
        }
    }
    // the paper's structure A: OB→E in-degree exactly 31; E→E in-degree ≈ 200
    assert!(net.ob_e.in_degrees().iter().all(|&d| d == 31));
    let ee = net.e_e.in_degrees();
    assert!((ee.iter().sum::<u32>() as f64 / 4000.0 - 200.3).abs() < 0.5);
    assert!(net.e_e.max_multiplicity() >= 2, "E→E rewired within assemblies");

    // assemblies: the files' rows, 1-based, are engram's assemblies, 0-based
    for (name, set, size, n) in
        [("Ee", net.assemblies.assemblies().to_vec(), 100, 4000), ("Ii", net.i_assemblies.clone(), 25, 1000)]
    {
        let (shape, raw) = raw_values(&file, name);
        assert_eq!(shape, vec![15, size], "{name}");
        assert_eq!(set.len(), 15, "{name}");
        assert!(raw.iter().all(|&x| x >= 1.0 && x <= n as f64), "{name}: 1-based");
        for (k, a) in set.iter().enumerate() {
            let mut row: Vec<u32> = (0..size).map(|j| raw[j * 15 + k] as u32 - 1).collect();
            row.sort_unstable();
            assert_eq!(a.members(), &row[..], "{name} row {k}");
        }
    }
    // about 30 % of E neurons in an assembly (the authors: 1207–1215 of 4000)
    let union = net.assemblies.union().len();
    assert!((1150..=1260).contains(&union), "{union} E neurons in assemblies");
    assert_eq!(net.chi, 1.0);
}

#[test]
fn the_learned_odor_file_becomes_ten_trials_of_mitral_cell_spikes() {
    let file = fixtures().join("odorset_10learned.mat");
    // spikes per trial by the second route (the raw int8 column-major matrix)
    let per_trial = {
        let parsed = raw_file(&file);
        let a = parsed.find_by_name("r_olfbs").unwrap();
        assert_eq!(a.size(), &[300_000, 1500]);
        let NumericData::Int8 { real, imag: None } = a.data() else { panic!("r_olfbs is int8") };
        let mut per_trial = [0usize; 10];
        let mut first_second = 0usize;
        for (k, &x) in real.iter().enumerate() {
            if x != 0 {
                assert_eq!(x, 1);
                let step = k % 300_000;
                per_trial[step / 30_000] += 1;
                first_second += usize::from(step < 10_000);
            }
        }
        (per_trial, first_second)
    };
    let spikes = authors::odor_spikes(&fixtures(), OdorSet::Learned, 1500).unwrap();
    assert_eq!((spikes.n_sources, spikes.n_steps), (1500, 300_000));
    for (trial, &n) in per_trial.0.iter().enumerate() {
        let t0 = trial as u64 * TRIAL_STEPS;
        assert_eq!(spikes.count_in(t0..t0 + TRIAL_STEPS), n, "trial {trial}");
        // 1 s of baseline at 6 Hz for 1500 cells: 9000 spikes, Poisson SD ≈ 95
        let baseline = spikes.count_in(t0..t0 + 10_000);
        assert!((8600..9400).contains(&baseline), "trial {trial}: {baseline} baseline spikes");
        // the odor raises the mean rate (activated cells at 6 Hz + 8–32 Hz)
        assert!(spikes.count_in(t0 + 10_000..t0 + TRIAL_STEPS) > 2 * baseline, "trial {trial}");
    }
    assert_eq!(spikes.spikes.len(), per_trial.0.iter().sum::<usize>());
    // the standard protocol: 10 trials, then 1 s replaying the first second
    let p = authors::trials(&spikes, 10).unwrap();
    assert_eq!((p.duration_ms, p.presentations.len()), (31_000.0, 10));
    assert_eq!(p.presentations[9].onset_ms, 28_000.0);
    let ob = p.ob_playback.as_ref().unwrap();
    assert_eq!(ob.n_spikes(), spikes.spikes.len() + per_trial.1);
    assert!(authors::trials(&spikes, 11).unwrap_err().to_string().contains("holds 10 trials"));
}

/// A MAT 5 file with one uncompressed complex double 2×1 matrix `z`.
fn complex_mat_file(path: &Path) {
    let mut b = Vec::new();
    let mut header = b"MATLAB 5.0 MAT-file, written by an engram test".to_vec();
    header.resize(116, b' ');
    b.extend(header);
    b.extend([0u8; 8]); // no subsystem data
    b.extend(0x0100u16.to_le_bytes());
    b.extend(*b"IM");
    let tag = |t: u32, n: u32| [t.to_le_bytes(), n.to_le_bytes()].concat();
    let mut m = Vec::new();
    m.extend(tag(6, 8)); // array flags: complex (0x0800), class double (6)
    m.extend(0x0806u32.to_le_bytes());
    m.extend(0u32.to_le_bytes());
    m.extend(tag(5, 8)); // dimensions 2×1
    m.extend(2i32.to_le_bytes());
    m.extend(1i32.to_le_bytes());
    m.extend(tag(1, 1)); // name "z", padded to 8 bytes
    m.extend([b'z', 0, 0, 0, 0, 0, 0, 0]);
    for part in [[1.0f64, 2.0], [0.5, -0.5]] {
        m.extend(tag(9, 16));
        part.iter().for_each(|x| m.extend(x.to_le_bytes()));
    }
    b.extend(tag(14, m.len() as u32));
    b.extend(m);
    std::fs::write(path, b).unwrap();
}

/// The message of an error that must happen.
fn text<T>(r: Result<T, MatError>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_files_variables_shapes_types_and_values_are_named() {
    let dir = std::env::temp_dir().join(format!("engram_mat_errors_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    // a missing file names it; a whole missing network names its first file
    let e = text(MatFile::open(&dir.join("connec_Z_9.mat")));
    assert!(e.contains("cannot read MAT file") && e.contains("connec_Z_9.mat"), "{e}");
    let b4 = AuthorsNetwork { structure: Structure::B, number: 4 };
    let e = text(b4.load(&fixtures(), Variant::Rand));
    assert!(e.contains("connec_B_4.mat"), "{e}");
    let missing = authors::missing_files(&fixtures(), &AuthorsNetwork::REPRODUCED);
    assert_eq!(missing.len(), 12, "all but connec_A_1_tI.mat and the learned set: {missing:?}");

    // not a MAT file
    std::fs::write(dir.join("notes.mat"), "just text").unwrap();
    let e = text(MatFile::open(&dir.join("notes.mat")));
    assert!(e.contains("notes.mat") && e.contains("not a MATLAB 5 MAT-file"), "{e}");

    // a complex matrix where real numbers are needed
    complex_mat_file(&dir.join("complex.mat"));
    let f = MatFile::open(&dir.join("complex.mat")).unwrap();
    let e = text(f.multiplicities("z", 2, 1));
    assert!(e.contains("complex.mat: variable `z` is complex double, expected a real numeric matrix"), "{e}");

    let f = MatFile::open(&fixtures().join("connec_A_1_tI.mat")).unwrap();
    // a variable that is not there: the message lists what is
    let e = text(f.multiplicities("w_xx", 4000, 4000));
    assert!(e.contains("no numeric variable `w_xx`") && e.contains("w_ee (4000×4000 double)"), "{e}");
    // a wrong shape: expected and found
    let e = text(f.multiplicities("w_ei", 1000, 4000));
    assert!(e.contains("connec_A_1_tI.mat: variable `w_ei` has shape 4000×1000, expected 1000×4000"), "{e}");
    let e = text(f.index_groups("Ee", 15, 25, 4000));
    assert!(e.contains("`Ee` has shape 15×100, expected 15×25"), "{e}");
    // values out of range: multiplicities are not spikes, E indices go beyond 1000
    let e = text(f.spike_matrix("w_ie", 1000, 4000));
    assert!(e.contains("w_ie(") && e.contains("= 2 (1-based") && e.contains("expected 0 or 1"), "{e}");
    let e = text(f.index_groups("Ee", 15, 100, 1000));
    assert!(e.contains("Ee(") && e.contains("expected a 1-based index from 1 to 1000"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_fixture_network_runs_on_the_fixture_spikes_and_its_assemblies_answer_their_odors() {
    let a1 = AuthorsNetwork { structure: Structure::A, number: 1 };
    let net = a1.load(&fixtures(), Variant::TUNED_I).unwrap();
    let spikes = authors::odor_spikes(&fixtures(), OdorSet::Learned, 1500).unwrap();
    let protocol = authors::trials(&spikes, 2).unwrap(); // 7 s: odors 1 and 2
    let rec = simulate(&a1.config(Variant::TUNED_I), &net, &protocol, 0, authors::DT_MS, None).unwrap();
    let m = run_metrics(&rec, &net, OdorSet::Learned);
    // the fitted regime: sparse spontaneous activity, ≈ 1 Hz to odors, I above E
    assert!(m.e_rate_baseline_hz < 0.5, "{m:?}");
    assert!((0.2..5.0).contains(&m.e_rate_odor_hz), "{m:?}");
    assert!(m.i_rate_odor_hz > m.e_rate_odor_hz, "{m:?}");
    // odor k drives assembly k (row k of Ee) above the neurons in no assembly
    assert!(m.assembly_rate_hz > 2.0 * m.non_assembly_rate_hz, "{m:?}");
    // the same inputs give the same spikes
    let again = simulate(&a1.config(Variant::TUNED_I), &net, &protocol, 99, authors::DT_MS, None).unwrap();
    assert_eq!(again.e_spike_times_ms, rec.e_spike_times_ms);
}

#[test]
fn a_description_replays_the_odor_file_through_a_mat_spike_matrix_source() {
    use engram_models::description::NetworkDescription;
    let file = fixtures().join("odorset_10learned.mat");
    let text = r#"(
        populations: [(name: "E", size: 1500, neuron: (kind: "LifCond"))],
        sources: [(name: "ob", source: (kind: "MatSpikeMatrix",
            params: (path: "odorset_10learned.mat", variable: "r_olfbs", n_sources: 1500, dt_ms: DT)))],
        projections: [(pre: "ob", post: "E", receptor: "exc",
                       connectivity: (kind: "OneToOne"), weight: Constant(value: 1.0))],
        monitors: [Spikes(populations: ["ob"])],
    )"#;
    let dir = std::env::temp_dir().join(format!("engram_mat_source_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(&file, dir.join("odorset_10learned.mat")).unwrap();
    std::fs::write(dir.join("replay.ron"), text.replace("DT", "0.1")).unwrap();
    let d = NetworkDescription::from_file(&dir.join("replay.ron")).unwrap();
    let mut built = d.build_with(&Default::default(), 0.1, 1).unwrap();
    built.network.run_ms(1500.0).unwrap(); // the first second's baseline and 0.5 s of odor 1
    let m = built.network.monitor::<engram_sim::SpikeMonitor>(built.monitors[0]).unwrap();
    let spikes = authors::odor_spikes(&fixtures(), OdorSet::Learned, 1500).unwrap();
    assert_eq!(m.times_ms("ob").len(), spikes.count_in(0..15_000));
    let first = spikes.spikes[0];
    assert_eq!((m.neurons("ob")[0], m.times_ms("ob")[0]), (first.0, first.1 as f64 * 0.1));
    // another step than the file's, another variable: errors that name them
    std::fs::write(dir.join("dt.ron"), text.replace("DT", "0.05")).unwrap();
    let d = NetworkDescription::from_file(&dir.join("dt.ron")).unwrap();
    let e = d.build_with(&Default::default(), 0.1, 1).err().expect("dt_ms 0.05 at dt 0.1").to_string();
    assert!(e.contains("dt_ms = 0.05") && e.contains("the network's step, 0.1 ms"), "{e}");
    std::fs::write(dir.join("var.ron"), text.replace("DT", "0.1").replace("r_olfbs", "OBinp")).unwrap();
    let e = NetworkDescription::from_file(&dir.join("var.ron")).expect_err("OBinp is 3-D").to_string();
    assert!(e.contains("variable = \"OBinp\"") && e.contains("has shape 15×300×4"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}

/// `OBinp`'s first layer, slots 1–150, are the odors' activated cells: the authors' assembly k
/// (`Ee` of `connec_A_1_tI.mat`) is made of E neurons at or above the 100th highest input count
/// from odor k's cells (the selection rule), which a misread table would not give.
#[test]
fn the_activated_cells_of_the_learned_odors_define_the_authors_assemblies() {
    let cells = authors::learned_activated_cells(&fixtures(), 15, 1500).unwrap();
    assert_eq!(cells.len(), 15);
    for c in &cells {
        let mut sorted = c.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 150);
        assert!(sorted.iter().all(|&i| i < 1500));
    }
    let f = MatFile::open(&fixtures().join("connec_A_1_tI.mat")).unwrap();
    let ob_e = f.multiplicities("w_oe", 1500, 4000).unwrap();
    let members = f.index_groups("Ee", 15, 100, 4000).unwrap();
    for (k, m) in members.iter().enumerate() {
        let counts = engram_connectivity::input_counts(&ob_e, &cells[k]).unwrap();
        let mut sorted = counts.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        let threshold = sorted[99];
        assert!(m.iter().all(|&j| counts[j as usize] >= threshold), "assembly {k}");
    }
    let e = authors::learned_activated_cells(&fixtures(), 16, 1500).unwrap_err().to_string();
    assert!(e.contains("OBinp"), "{e}");
}
