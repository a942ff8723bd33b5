//! `cargo xtask reproduce dp-authors`: the Dp paper's Fig. 2 measures on the authors' own
//! networks and input spikes (their MATLAB files, read by [`engram_models::dp::authors`]),
//! so that engram's simulator is checked on exactly what the authors simulated, apart from
//! engram's network and odor generators.
//!
//! Four networks (A1, B4, C1, D1) × the four variants of Table 5 (rand, Scaled I, Tuned I,
//! Tuned E+I) × both odor sets (learned, novel): 32 simulations of the standard protocol
//! (10 trials of 3 s from the authors' spike files, then 1 s), measured by the same code as
//! `reproduce dp`'s Figs 1–2 ([`run_metrics`], amplification against the same network's
//! rand run, [`variants_table`], [`variant_measures`]).
//!
//! Writes `OUT/summary.json` ([`AuthorsSummary`]: a list `runs` of the 32 runs' measures
//! plus the tables over networks), `OUT/report.md` (the same as Markdown tables) and
//! `OUT/fig2_variants.png` / `.svg` (Fig. 2E–I's bars). There is no randomness: the bulb
//! replays the files and the neurons start at rest, so a rerun gives the same numbers.

pub mod report;
pub mod structure;
pub mod structure_tables;

use std::collections::BTreeMap;
use std::path::PathBuf;

use engram_core::error::EngramError;
use engram_models::dp::authors::{
    AuthorsNetwork, DT_MS, N_TRIALS, achieved, learned_activated_cells, missing_files, odor_spikes, trial, trials,
};
use engram_models::dp::metrics::{OdorSet, RunMetrics, run_metrics};
use engram_models::dp::network::DpConnectivity;
use engram_models::dp::params::{DpConfig, Rewiring, Variant};
use engram_models::dp::simulate::{Protocol, WindowKind, simulate};
use serde::Serialize;

use crate::dp::basic::{AchievedStructure, BasicRun, VARIANTS, VariantStats, set_amplification, variants_table};
use crate::dp::fig1::{InhibitionStabilisation, inhibition_stabilisation, playback_trial};
use crate::dp::fig2::{VariantMeasures, variant_measures, variant_panels};
use crate::dp::{CpuClock, plot_err, write_summary};
use crate::jobs::{Spread, run_here as run_jobs};

/// Where the authors' files are and where the run goes.
#[derive(Clone, Debug)]
pub struct AuthorsOptions {
    /// The folder of the authors' `.mat` files (`connec_*`, `odorset_10*`).
    pub data: PathBuf,
    /// Output directory.
    pub out: PathBuf,
    /// Show progress.
    pub progress: bool,
    /// Where the simulations run: here, or spread over ranks (`engram-mpi reproduce
    /// dp-authors`; the files are read, and the networks made, on every rank).
    pub spread: Spread,
}

/// One run: a network, a variant, an odor set, and the measures of `reproduce dp`'s Fig. 2
/// (the keys of [`RunMetrics`], written at the top level of the run's object).
#[derive(Clone, Debug, Serialize)]
pub struct AuthorsRun {
    /// `A1`, `B4`, `C1` or `D1`.
    pub network: String,
    /// `rand`, `scaled_i`, `tuned_i` or `tuned_ei`.
    pub variant: String,
    /// `learned` or `novel`.
    pub odor_set: String,
    /// The measures.
    #[serde(flatten)]
    pub metrics: RunMetrics,
    /// α, β, γ of the files' rewiring against the rand file, and assembly coverage.
    pub achieved: AchievedStructure,
    /// Mean E rate per odor (the first 1.5 s of each of the 10 odors), Hz.
    pub e_rate_per_odor_hz: Vec<f64>,
    /// Loop CPU time of the simulation, s.
    pub loop_s: f64,
}

/// What `OUT/summary.json` holds.
#[derive(Clone, Debug, Serialize)]
pub struct AuthorsSummary {
    /// The model, the paper and the data.
    pub model: String,
    /// The folder the files were read from.
    pub data: PathBuf,
    /// The networks, in run order.
    pub networks: Vec<String>,
    /// The protocol, in words.
    pub protocol: String,
    /// Every run (network × variant × odor set).
    pub runs: Vec<AuthorsRun>,
    /// Per variant: mean ± SD over the networks of every measure, for both odor sets (as
    /// `"variants"` of `reproduce dp`'s summary).
    pub variants: BTreeMap<String, VariantStats>,
    /// Per variant: Fig. 2E–I's measures over the networks (as `"fig2"."variants"` of
    /// `reproduce dp`'s summary).
    pub fig2: BTreeMap<String, VariantMeasures>,
    /// The connectivity of every network, the authors' and engram's (seed
    /// [`ENGRAM_SEED`], [`ENGRAM_NETWORKS`] per structure), per variant.
    pub structure_runs: Vec<structure::StructureRow>,
    /// The same averaged per source and variant.
    pub structure: Vec<structure::StructureMeans>,
    /// engram's generator on the authors' odors: per variant, the measures of networks drawn
    /// by engram (one per structure, network seeds as `reproduce dp`'s first network of each
    /// structure) with assemblies from the authors' 15 learned odors, driven by the authors'
    /// spikes (both odor sets).
    pub generated_variants: BTreeMap<String, VariantStats>,
    /// engram's rewiring on the authors' rand networks: per rewiring rule (`factors`, the same
    /// factor per assembly, [`Rewiring::Factors`]; `counts`, the authors' fixed counts,
    /// [`Rewiring::Reference`], engram's default) and
    /// variant, the measures of the variants engram derives from each rand file with the
    /// file's assemblies, driven by the authors' spikes. Separates the rewiring step from the
    /// rest of the network generator.
    pub rewired_variants: BTreeMap<String, BTreeMap<String, VariantStats>>,
    /// Fig. 1's inhibition-stabilisation test on the authors' rand networks, driven by the 10
    /// learned trials of their input file one at a time (as `reproduce dp`'s Fig. 1 on
    /// engram's networks): separates the rand networks from the test.
    pub shuffle: InhibitionStabilisation,
    /// The same test on engram's generator drawn for the authors' odors (the rand networks of
    /// [`generated_variants`](Self::generated_variants)), driven by the same trials: what
    /// differs from [`shuffle`](Self::shuffle) is only the network generator.
    pub shuffle_generated: InhibitionStabilisation,
    /// Wall-clock time of the whole reproduction, s.
    pub wall_s: f64,
    /// CPU time of the whole reproduction (all threads), s.
    pub cpu_s: f64,
}

/// The seed of `reproduce dp` whose networks the structure comparison draws.
pub const ENGRAM_SEED: u64 = 2025;

/// engram's networks per structure in the structure comparison (as `reproduce dp`).
pub const ENGRAM_NETWORKS: usize = 2;

/// The name of an odor set in the summary.
fn set_name(set: OdorSet) -> &'static str {
    match set {
        OdorSet::Learned => "learned",
        OdorSet::Novel => "novel",
    }
}

/// Run the reproduction into `options.out`; returns its summary (also written there).
pub fn reproduce(options: AuthorsOptions) -> Result<serde_json::Value, EngramError> {
    let t0 = std::time::Instant::now();
    let cpu = CpuClock::start();
    let dir = &options.data;
    let networks = AuthorsNetwork::REPRODUCED;
    if !dir.is_dir() {
        return Err(EngramError::Other(format!(
            "dp-authors: the folder of the authors' files, {}, does not exist (give another with --data DIR)",
            dir.display()
        )));
    }
    let missing = missing_files(dir, &networks);
    if !missing.is_empty() {
        let names: Vec<String> = missing.iter().map(|p| p.display().to_string()).collect();
        return Err(EngramError::Other(format!("dp-authors: missing the authors' files {}", names.join(", "))));
    }
    let out_dir = &options.out;
    std::fs::create_dir_all(out_dir).map_err(|source| EngramError::Output { path: out_dir.clone(), source })?;

    let sets = [OdorSet::Learned, OdorSet::Novel];
    let n_mitral_cells = networks[0].config(Variant::Rand).n_mitral_cells;
    let protocols: Vec<Protocol> = run_jobs("dp-authors: odor files", &sets, options.progress, |&set| {
        trials(&odor_spikes(dir, set, n_mitral_cells)?, N_TRIALS)
    })?;
    let loads: Vec<(usize, Variant)> =
        (0..networks.len()).flat_map(|i| VARIANTS.iter().map(move |&v| (i, v))).collect();
    let nets: Vec<DpConnectivity> =
        run_jobs("dp-authors: network files", &loads, options.progress, |&(i, v)| Ok(networks[i].load(dir, v)?))?;
    let spread = &options.spread;
    let mut runs = simulate_all(
        "dp-authors: simulations",
        (&networks, &loads, &nets),
        &protocols,
        &sets,
        spread,
        options.progress,
    )?;
    set_amplification(&mut runs);

    let config = networks[0].config(Variant::Rand);
    let activated = learned_activated_cells(dir, config.n_assemblies, config.n_mitral_cells)?;
    let labels: Vec<String> = networks.iter().map(AuthorsNetwork::label).collect();
    let mut structure_runs = structure::authors_structures("authors", &labels, &loads, &nets, &activated)?;
    structure_runs.extend(structure::engram_structures(ENGRAM_SEED, ENGRAM_NETWORKS, spread, options.progress)?);

    // engram's generator on the authors' odors (assemblies from their activated cells),
    // driven by the authors' spikes: separates the network generator from the odor inputs.
    let generated: Vec<DpConnectivity> =
        run_jobs("dp-authors: engram's networks on the authors' odors", &loads, options.progress, |&(i, v)| {
            let config = networks[i].config(v);
            let seed = ENGRAM_SEED.wrapping_mul(1000).wrapping_add(1 + 10 * i as u64);
            let base = DpConnectivity::generate_for_sources(&config, &activated, seed)?;
            Ok(base.with_variant(&config, v, seed)?.0)
        })?;
    let mut generated_runs = simulate_all(
        "dp-authors: engram's networks, the authors' spikes",
        (&networks, &loads, &generated),
        &protocols,
        &sets,
        spread,
        options.progress,
    )?;
    set_amplification(&mut generated_runs);

    // engram's rewiring on the authors' rand networks and assemblies: separates the rewiring
    // step from the rand network generator (in-degrees, out-degree balancing, assemblies).
    let mut rewired_variants = BTreeMap::new();
    for (rule, counts) in [("factors", false), ("counts", true)] {
        let label = format!("dp-authors: engram's rewiring ({rule}) on the authors' rand networks");
        let rewired: Vec<DpConnectivity> = run_jobs(&label, &loads, options.progress, |&(i, v)| {
            let rand = &nets[loads.iter().position(|&(j, w)| j == i && w == Variant::Rand).expect("rand loaded")];
            let rewiring = if counts { Rewiring::Reference } else { Rewiring::Factors };
            let config = DpConfig { rewiring, ..networks[i].config(v) };
            let seed = ENGRAM_SEED.wrapping_mul(1000).wrapping_add(1 + 10 * i as u64);
            Ok(rand.with_variant(&config, v, seed)?.0)
        })?;
        let source = format!("rewired_{rule}");
        structure_runs.extend(structure::authors_structures(&source, &labels, &loads, &rewired, &activated)?);
        let nets = (&networks[..], &loads[..], &rewired[..]);
        let mut runs = simulate_all(&label, nets, &protocols, &sets, spread, options.progress)?;
        set_amplification(&mut runs);
        rewired_variants.insert(rule.to_string(), variants_table(&runs));
    }
    let shuffle = shuffle_test(dir, (&networks, &loads, &nets), n_mitral_cells, spread, options.progress)?;
    let shuffle_generated =
        shuffle_test(dir, (&networks, &loads, &generated), n_mitral_cells, spread, options.progress)?;
    drop(nets);
    let structure = structure::structure_means(&structure_runs)?;
    variant_panels(&runs).save(out_dir.join("fig2_variants")).map_err(plot_err)?;
    let summary = AuthorsSummary {
        model: "dp-authors: the Dp paper's Fig. 2 measures (Meissner-Bernard, Zenke & Friedrich, eLife 2025) on the authors' networks and input spikes".into(),
        data: dir.clone(),
        networks: networks.iter().map(AuthorsNetwork::label).collect(),
        protocol: format!(
            "{N_TRIALS} trials of 3 s (1 s baseline, 2 s odor) from the odor files' spikes, then 1 s replaying their first second; dt {DT_MS} ms"
        ),
        runs: runs
            .iter()
            .map(|r| AuthorsRun {
                network: networks[r.instance].label(),
                variant: r.variant.name().into(),
                odor_set: set_name(r.set).into(),
                metrics: r.metrics.clone(),
                achieved: AchievedStructure::from(&r.achieved),
                e_rate_per_odor_hz: r.e_rate_per_odor_hz.clone(),
                loop_s: r.loop_s,
            })
            .collect(),
        variants: variants_table(&runs),
        fig2: VARIANTS.iter().map(|&v| (v.name().to_string(), variant_measures(&runs, v))).collect(),
        structure_runs,
        structure,
        generated_variants: variants_table(&generated_runs),
        rewired_variants,
        shuffle,
        shuffle_generated,
        wall_s: t0.elapsed().as_secs_f64(),
        cpu_s: cpu.elapsed_s(),
    };
    write_summary(&out_dir.join("summary.json"), &summary)?;
    let numbers = report::AuthorsNumbers::from_run(&out_dir.join("summary.json"))?;
    let report = report_md(&summary) + "\n## The page's tables\n" + &numbers.report_md();
    let path = out_dir.join("report.md");
    std::fs::write(&path, &report).map_err(|source| EngramError::Output { path, source })?;
    if options.progress {
        eprintln!("\n{report}");
    }
    Ok(serde_json::to_value(&summary).expect("serialises"))
}

/// The stream of the shuffles of trial `k` (as `reproduce dp`'s Fig. 1, from a fixed seed:
/// there is no experiment seed here).
fn shuffle_seed(k: usize) -> u64 {
    ENGRAM_SEED ^ (0x51ED + k as u64)
}

/// Fig. 1's inhibition-stabilisation test on the rand networks among `nets`, each learned
/// trial of the authors' input file alone.
fn shuffle_test(
    dir: &std::path::Path,
    (networks, loads, nets): Networks<'_>,
    n_mitral_cells: usize,
    spread: &Spread,
    progress: bool,
) -> Result<InhibitionStabilisation, EngramError> {
    let spikes = odor_spikes(dir, OdorSet::Learned, n_mitral_cells)?;
    let rand: Vec<usize> = (0..loads.len()).filter(|&k| loads[k].1 == Variant::Rand).collect();
    let jobs: Vec<(usize, usize)> = rand.iter().flat_map(|&k| (0..N_TRIALS).map(move |t| (k, t))).collect();
    let outcomes = spread.run_jobs("dp-authors: shuffled inhibition", &jobs, progress, |&(k, t)| {
        let config = networks[loads[k].0].config(Variant::Rand);
        playback_trial(&config, &nets[k], trial(&spikes, t)?, shuffle_seed(t), DT_MS)
    })?;
    let per_network: Vec<Vec<_>> = outcomes.chunks(N_TRIALS).map(<[_]>::to_vec).collect();
    Ok(inhibition_stabilisation(&per_network, N_TRIALS))
}

/// The networks of a batch: `nets[k]` is network `networks[loads[k].0]`, variant `loads[k].1`.
type Networks<'a> = (&'a [AuthorsNetwork], &'a [(usize, Variant)], &'a [DpConnectivity]);

/// Simulate every network of `nets` with each odor set of `sets` (`protocols[0]` learned,
/// `protocols[1]` novel), spread as `spread` says, measured as `reproduce dp`'s Fig. 2 runs;
/// amplification is left to [`set_amplification`].
fn simulate_all(
    label: &str,
    (networks, loads, nets): Networks<'_>,
    protocols: &[Protocol],
    sets: &[OdorSet],
    spread: &Spread,
    progress: bool,
) -> Result<Vec<BasicRun>, EngramError> {
    let rand_of = |i: usize| &nets[loads.iter().position(|&(j, v)| j == i && v == Variant::Rand).expect("rand")];
    let jobs: Vec<(usize, OdorSet)> = (0..loads.len()).flat_map(|k| sets.iter().map(move |&s| (k, s))).collect();
    spread.run_jobs(label, &jobs, progress, |&(k, set)| {
        let (i, variant) = loads[k];
        let net = &nets[k];
        let config = networks[i].config(variant);
        let protocol = &protocols[if set == OdorSet::Learned { 0 } else { 1 }];
        let rec = simulate(&config, net, protocol, 0, DT_MS, None)?;
        let e_rate_per_odor_hz = rec
            .windows_of(WindowKind::Odor)
            .map(|w| rec.e_rates_hz(w).iter().sum::<f64>() / rec.e_counts[w].len() as f64)
            .collect();
        Ok(BasicRun {
            instance: i,
            variant,
            set,
            metrics: run_metrics(&rec, net, set),
            achieved: achieved(rand_of(i), net, variant)?,
            e_rate_per_odor_hz,
            loop_s: rec.loop_s,
        })
    })
}

/// `12.34`, or `–` for a measure that was not applicable.
fn num(x: f64) -> String {
    if x.is_finite() { format!("{x:.2}") } else { "–".into() }
}

/// The run's numbers as Markdown: every run, then the table over networks.
pub fn report_md(s: &AuthorsSummary) -> String {
    use std::fmt::Write;
    let mut out = String::from("# dp-authors: Fig. 2 measures on the authors' networks and input spikes\n\n");
    let _ = writeln!(
        out,
        "- **Data:** {} (networks {}).\n- **Protocol:** {}.\n- **Time:** {:.0} s wall, {:.0} s CPU.\n",
        s.data.display(),
        s.networks.join(", "),
        s.protocol,
        s.wall_s,
        s.cpu_s
    );
    out += "## Every run\n\n";
    out += "| network | variant | odors | E rate odor (Hz) | I rate odor (Hz) | assembly rate (Hz) | amplification in | amplification out | after offset (Hz) | co-tuning r | SD ratio | ISI CV | α | β | γ |\n";
    out += "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    for r in &s.runs {
        let m = &r.metrics;
        let a = &r.achieved;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.network,
            r.variant,
            r.odor_set,
            num(m.e_rate_odor_hz),
            num(m.i_rate_odor_hz),
            num(m.assembly_rate_hz),
            num(m.amplification_in),
            num(m.amplification_out),
            num(m.assembly_rate_after_offset_hz),
            num(m.cotuning_r),
            num(m.balanced_sd_ratio),
            num(m.isi_cv_assembly),
            num(a.alpha),
            num(a.beta),
            num(a.gamma),
        );
    }
    out += "\n";
    out += &crate::dp::basic::variants_key_numbers(&s.variants);
    out
}
