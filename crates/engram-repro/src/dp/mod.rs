//! `cargo xtask reproduce dp`: every figure of the Dp paper, one module each (the model, its
//! variants and the protocols of Figs 3–6 are in [`engram_models::dp`]).
//!
//! A [`Context`] holds the network instances (by default 2 per structure A–D, i.e. 8
//! networks, the paper's count for Figs 3–5), the shared odors and the output directory.
//! Each figure module runs its simulations in parallel over cores (rayon; each simulation is
//! single-threaded and seeded, so results do not depend on the thread count), writes its
//! panels under `OUT/figN/`, its arrays as `.npy`, and returns its numbers, which go into
//! `OUT/summary.json` under `"figN"`.

use std::path::{Path, PathBuf};

use engram_core::error::EngramError;
use engram_models::dp::network::{DpConnectivity, odor_sets};
use engram_models::dp::params::{DpConfig, Structure};
use engram_sim::progress::{Every, Progress};
use engram_stimuli::OdorSets;
use rayon::prelude::*;

pub mod basic;
pub mod fig1;
pub mod fig2;
pub mod fig3;
pub mod fig45;
pub mod fig6;
pub mod report;

/// What to reproduce and how big.
#[derive(Clone, Debug)]
pub struct ReproduceOptions {
    /// Figures to run (1–6); empty = all.
    pub figures: Vec<u32>,
    /// Networks per structure (the paper's Figs 3–5 use 2 of each of A–D).
    pub networks_per_structure: usize,
    /// The quick version: fewer networks and shorter protocols (minutes, not half an hour).
    pub quick: bool,
    /// Experiment seed (odors, network instances and Poisson draws derive from it).
    pub seed: u64,
    /// Output directory.
    pub out: PathBuf,
    /// Show progress bars.
    pub progress: bool,
    /// Test-only size: the quick protocols on networks scaled down by this factor (1 = full
    /// size), to run the whole pipeline in CI. Its numbers mean nothing.
    pub scale_down: usize,
}

impl Default for ReproduceOptions {
    fn default() -> Self {
        Self {
            figures: Vec::new(),
            networks_per_structure: 2,
            quick: false,
            seed: 2025,
            out: "runs/dp".into(),
            progress: true,
            scale_down: 1,
        }
    }
}

/// One network instance: its structure and seed, and its base (rand) connectivity.
pub struct Instance {
    /// Configuration (structure A–D, rand variant).
    pub config: DpConfig,
    /// Seed of this network.
    pub network_seed: u64,
    /// The random (rand) connectivity with pseudo-assemblies.
    pub base: DpConnectivity,
}

impl Instance {
    /// A label like `A1`.
    pub fn label(&self) -> String {
        format!("{}{}", self.config.structure.name(), self.network_seed % 100)
    }
}

/// Everything the figure modules share.
pub struct Context {
    /// The options.
    pub options: ReproduceOptions,
    /// Learned (15, one per assembly) and novel (10) odors, shared by all networks.
    pub odors: OdorSets,
    /// The network instances.
    pub instances: Vec<Instance>,
    /// Integration step, ms.
    pub dt_ms: f64,
}

impl Context {
    /// Draw odors and network instances.
    pub fn new(options: ReproduceOptions) -> Result<Self, EngramError> {
        let structures: Vec<Structure> =
            if options.quick { vec![Structure::A, Structure::C] } else { Structure::FITTED.to_vec() };
        let per = if options.quick { 1 } else { options.networks_per_structure.max(1) };
        let template = DpConfig::default().scaled_down(options.scale_down.max(1));
        let odors = odor_sets(&template, options.seed)?;
        let specs: Vec<(Structure, u64)> = structures
            .iter()
            .enumerate()
            .flat_map(|(s, &st)| (0..per).map(move |k| (st, 1 + k as u64 + 10 * s as u64)))
            .collect();
        let instances = specs
            .par_iter()
            .map(|&(structure, k)| {
                let config = DpConfig { structure, ..template.clone() };
                let network_seed = options.seed.wrapping_mul(1000).wrapping_add(k);
                let base = DpConnectivity::generate(&config, &odors.learned, network_seed)?;
                Ok(Instance { config, network_seed, base })
            })
            .collect::<Result<Vec<_>, EngramError>>()?;
        Ok(Self { options, odors, instances, dt_ms: 0.1 })
    }

    /// The directory of figure `n` (created).
    pub fn figure_dir(&self, n: &str) -> Result<PathBuf, EngramError> {
        let dir = self.options.out.join(n);
        std::fs::create_dir_all(&dir).map_err(|source| EngramError::Output { path: dir.clone(), source })?;
        Ok(dir)
    }

    /// Run `jobs` in parallel with a progress bar labelled `label`; results in job order.
    pub fn run_jobs<J, T, F>(&self, label: &str, jobs: &[J], f: F) -> Result<Vec<T>, EngramError>
    where
        J: Sync,
        T: Send,
        F: Fn(&J) -> Result<T, EngramError> + Sync,
    {
        let progress = Progress::new(label, jobs.len() as u64, "simulations", Every::Item, self.options.progress);
        let out = jobs
            .par_iter()
            .map(|j| {
                let r = f(j);
                progress.inc(1);
                r
            })
            .collect::<Result<Vec<T>, EngramError>>();
        match out {
            Ok(_) => progress.finish(),
            Err(_) => progress.abandon(),
        }
        out
    }
}

/// For each variant and odor set, mean ± SD over networks of every per-run measure.
fn variants_table(basic: &[basic::BasicRun]) -> serde_json::Value {
    use engram_models::dp::metrics::{OdorSet, mean_sd_table};
    let mut out = serde_json::Map::new();
    for v in basic::VARIANTS {
        let mut sets = serde_json::Map::new();
        for (name, set) in [("learned", OdorSet::Learned), ("novel", OdorSet::Novel)] {
            sets.insert(name.into(), mean_sd_table(&basic::select(basic, v, set)).into());
        }
        let achieved: Vec<&engram_models::dp::network::Achieved> =
            basic.iter().filter(|r| r.variant == v && r.set == OdorSet::Learned).map(|r| &r.achieved).collect();
        sets.insert("achieved".into(), serde_json::to_value(achieved).expect("serialises"));
        sets.insert("label".into(), v.label().into());
        out.insert(v.name().into(), sets.into());
    }
    out.into()
}

/// Mean ± sample SD over the finite values, as the figures report them across networks
/// (NaN marks a measure that was not applicable, e.g. QDA with a singular covariance):
/// `(NaN, 0)` without finite values, SD 0 for a single one.
pub fn finite_mean_sd(values: &[f64]) -> (f64, f64) {
    use engram_analysis::stats::{mean, sd};
    let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    (mean(&v).unwrap_or(f64::NAN), sd(&v).unwrap_or(0.0))
}

/// The key numbers of a reproduction as a short Markdown page (`summary.md`): what a reader
/// wants to see first, with the paper's values beside ours. Figures that were not run are
/// left out.
pub fn readable_summary(summary: &serde_json::Value) -> String {
    use std::fmt::Write;
    let num = |ptr: &str| summary.pointer(ptr).and_then(serde_json::Value::as_f64);
    let ms = |ptr: &str| match (num(&format!("{ptr}/mean")), num(&format!("{ptr}/sd"))) {
        (Some(m), Some(s)) => format!("{m:.2} ± {s:.2}"),
        _ => "–".into(),
    };
    // figure measures are stored as [mean, sd] pairs
    let pair = |ptr: &str| match summary.pointer(ptr).and_then(serde_json::Value::as_array).map(|a| a.as_slice()) {
        Some([m, s]) => match (m.as_f64(), s.as_f64()) {
            (Some(m), Some(s)) => format!("{m:.2} ± {s:.2}"),
            _ => "–".into(),
        },
        _ => "–".into(),
    };
    let mut out = String::new();
    let networks = summary.pointer("/networks").map(|n| n.to_string()).unwrap_or_default();
    let n_networks = summary.pointer("/networks").and_then(serde_json::Value::as_array).map_or(0, Vec::len);
    let _ = writeln!(out, "# Dp reproduction: key numbers\n\nNetworks: {networks}. Mean ± SD over networks.\n");
    if n_networks < 4 {
        let _ = writeln!(
            out,
            "> **Only {n_networks} network(s)**: the spreads below are wide (one structure may differ from another by more than the effects), and quick protocols are shorter. Compare with the paper after the full run (8 networks, `cargo xtask reproduce dp`).\n"
        );
    }
    if summary.get("fig1").is_some() {
        let _ = writeln!(out, "## Fig. 1: rand networks (paper targets in brackets)\n");
        let o = "/fig1/observables_rand";
        for (key, label, target) in [
            ("e_rate_baseline_hz", "spontaneous E rate, Hz", "< 0.1"),
            ("e_rate_odor_hz", "odor-evoked E rate, Hz", "≈ 1"),
            ("i_rate_odor_hz", "odor-evoked I rate, Hz", "4–6"),
            ("g_oe_ns", "Δg_OE, nS", "0.03–0.16"),
            ("g_syn_ns", "Δg_syn, nS", "1–9"),
            ("pct_recurrent", "recurrent E input, %", "> 80"),
            ("pattern_corr", "pattern correlation", "≈ 0"),
        ] {
            let _ = writeln!(out, "- {label}: {} [{target}]", ms(&format!("{o}/{key}")));
        }
        let _ = writeln!(
            out,
            "- runaway after shuffling I spikes: {} [0.79 ± 0.20]\n",
            ms("/fig1/inhibition_stabilisation/p_runaway_shuffled")
        );
    }
    if let Some(variants) = summary.get("variants").and_then(|v| v.as_object()) {
        let _ = writeln!(out, "## Figs 2–3: variants (learned odors; novel in the second column)\n");
        let _ = writeln!(
            out,
            "| variant | E rate learned | E rate novel | assembly rate | amplification | after offset | co-tuning r | SD ratio | ISI CV |\n|---|---|---|---|---|---|---|---|---|"
        );
        for (name, _) in variants {
            let l = format!("/variants/{name}/learned");
            let _ = writeln!(
                out,
                "| {name} | {} | {} | {} | {} | {} | {} | {} | {} |",
                ms(&format!("{l}/e_rate_odor_hz")),
                ms(&format!("/variants/{name}/novel/e_rate_odor_hz")),
                ms(&format!("{l}/assembly_rate_hz")),
                ms(&format!("{l}/amplification_in")),
                ms(&format!("{l}/assembly_rate_after_offset_hz")),
                ms(&format!("{l}/cotuning_r")),
                ms(&format!("{l}/balanced_sd_ratio")),
                ms(&format!("{l}/isi_cv_assembly")),
            );
        }
        let _ = writeln!(
            out,
            "\nPaper: Scaled I fires its assemblies at high rates, regularly (low ISI CV), persists after the odor, responds far less to novel odors and is weakly co-tuned; Tuned I and Tuned E+I stay near 1 Hz for learned and novel odors with modest amplification, irregular firing, and co-tuning and SD ratio clearly above rand and Scaled I.\n"
        );
    }
    if summary.get("fig3").is_some() {
        let _ = writeln!(
            out,
            "## Fig. 3: attractors and pattern completion (paper: a steep rise of output correlation along morphs in Scaled I only; partial stimulation recruits the assembly in structured networks)\n"
        );
        let _ = writeln!(
            out,
            "| variant | steepest slope, novel → learned morph | rest of assembly / non-assembly, during stimulation |\n|---|---|---|"
        );
        for v in ["rand", "scaled_i", "tuned_i", "tuned_ei"] {
            let _ = writeln!(
                out,
                "| {v} | {} | {} |",
                pair(&format!("/fig3/morphs/{v}/novel_to_learned/steepest_step_slope")),
                pair(&format!("/fig3/partial_stimulation/{v}/other_members_over_no_assembly_during")),
            );
        }
        let _ = writeln!(out);
    }
    if summary.get("fig6").is_some() {
        let _ = writeln!(
            out,
            "## Fig. 6: continual learning, before → after adding the Y/Z assemblies (paper: Tuned E+I keeps its rate and separates Y and Z; Scaled I's rate rises and Y and Z merge)\n"
        );
        let _ = writeln!(
            out,
            "| variant | E rate, Hz | Y/Z assembly rate, Hz | Y/Z correlation (pure odors) |\n|---|---|---|---|"
        );
        for v in ["scaled_i", "tuned_ei"] {
            let f = |when: &str, key: &str| pair(&format!("/fig6/variants/{v}/{when}/{key}"));
            let _ = writeln!(
                out,
                "| {v} | {} → {} | {} → {} | {} → {} |",
                f("before", "e_rate_hz"),
                f("after", "e_rate_hz"),
                f("before", "yz_assembly_rate_own_hz"),
                f("after", "yz_assembly_rate_own_hz"),
                f("before", "corr_yz_pure"),
                f("after", "corr_yz_pure"),
            );
        }
        let _ = writeln!(out);
    }
    if summary.get("fig4").is_some() {
        let _ = writeln!(out, "## Fig. 4: participation ratio (paper: rand > Tuned > Scaled I)\n");
        for v in ["rand", "scaled_i", "tuned_ei"] {
            let _ = writeln!(out, "- {v}: {}", ms(&format!("/fig4/variants/{v}/participation_ratio/all")));
        }
        let _ = writeln!(out);
    }
    if summary.get("fig5").is_some() {
        let _ = writeln!(out, "## Fig. 5: concentration readout, learned odors (paper: Tuned best)\n");
        for v in ["rand", "scaled_i", "tuned_ei"] {
            let _ = writeln!(
                out,
                "- {v}: regression MSE {} %², SVM accuracy {}",
                ms(&format!("/fig5/variants/{v}/regression_mse_fit_pct2/learned")),
                ms(&format!("/fig5/variants/{v}/svm_accuracy/learned"))
            );
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "Everything else: summary.json and figN/figN.json; figures in figN/.");
    out
}

/// Write a JSON value to `path`.
pub fn write_json(path: &Path, value: &serde_json::Value) -> Result<(), EngramError> {
    let text = serde_json::to_string_pretty(value).expect("serialises");
    std::fs::write(path, text).map_err(|source| EngramError::Output { path: path.to_path_buf(), source })
}

/// Convert a plot error into an engine error.
pub fn plot_err(e: engram_plot::PlotError) -> EngramError {
    EngramError::Other(format!("figure: {e}"))
}

/// Run the requested figures; returns the summary (also written to `OUT/summary.json`).
pub fn reproduce(options: ReproduceOptions) -> Result<serde_json::Value, EngramError> {
    let t0 = std::time::Instant::now();
    let ctx = Context::new(options)?;
    let wants = |n: u32| ctx.options.figures.is_empty() || ctx.options.figures.contains(&n);
    let mut summary = serde_json::Map::new();
    summary.insert("model".into(), "dp (Meissner-Bernard, Zenke & Friedrich, eLife 2025)".into());
    summary.insert("seed".into(), ctx.options.seed.into());
    summary.insert("quick".into(), ctx.options.quick.into());
    summary.insert("networks".into(), ctx.instances.iter().map(|i| i.label()).collect::<Vec<_>>().into());
    if wants(1) || wants(2) {
        let basic = basic::basic_runs(&ctx)?;
        summary.insert("variants".into(), variants_table(&basic));
        if wants(1) {
            summary.insert("fig1".into(), fig1::run(&ctx, &basic)?);
        }
        if wants(2) {
            summary.insert("fig2".into(), fig2::run(&ctx, &basic)?);
        }
    }
    if wants(3) {
        summary.insert("fig3".into(), fig3::run(&ctx)?);
    }
    if wants(6) {
        summary.insert("fig6".into(), fig6::run(&ctx)?);
    }
    if wants(4) || wants(5) {
        let (fig4, fig5) = fig45::run(&ctx)?;
        summary.insert("fig4".into(), serde_json::to_value(fig4).expect("serialises"));
        summary.insert("fig5".into(), serde_json::to_value(fig5).expect("serialises"));
    }
    summary.insert("wall_s".into(), t0.elapsed().as_secs_f64().into());
    let summary = serde_json::Value::Object(summary);
    write_json(&ctx.options.out.join("summary.json"), &summary)?;
    let text = readable_summary(&summary);
    let path = ctx.options.out.join("summary.md");
    std::fs::write(&path, &text).map_err(|source| EngramError::Output { path, source })?;
    if ctx.options.progress {
        eprintln!("\n{text}");
    }
    Ok(summary)
}
