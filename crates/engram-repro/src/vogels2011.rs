//! Reproduction of Vogels, Sprekeler, Zenke, Clopath & Gerstner, Science 334:1569 (2011):
//! inhibitory plasticity (iSTDP) balances excitation and inhibition.
//!
//! `cargo xtask reproduce vogels2011` ([`reproduce`]): both experiments of the models in
//! [`engram_models::vogels2011`] (detailed balance in one neuron, paper Figs 1–2; the recurrent
//! memory network, Fig. 4), their figures, summaries (`summary.json`, `single_cell.json`,
//! `recurrent.json`) and the generated report ([`report`], `docs/reproduction/vogels2011.md`).

use std::path::{Path, PathBuf};

use engram_analysis::correlation::pearson_correlation;
use engram_core::error::EngramError;
use engram_models::vogels2011::{
    RecurrentConfig, RecurrentResult, SingleCellConfig, SingleCellResult, WindowStats, mean_tuning, run_recurrent,
    run_single_cell,
};
use engram_plot::{BarPanel, Figure, HistogramPanel, LinePanel, PopulationSpikes, RasterPanel};
use serde::{Deserialize, Serialize};

pub mod report;

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

fn plot_err(e: engram_plot::PlotError) -> EngramError {
    EngramError::Other(format!("figure: {e}"))
}

fn write_json(path: &Path, value: &impl Serialize) -> Result<(), EngramError> {
    let text = serde_json::to_string_pretty(value).expect("serialises");
    std::fs::write(path, text).map_err(|source| EngramError::Output { path: path.to_path_buf(), source })
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() { f64::NAN } else { v.iter().sum::<f64>() / v.len() as f64 }
}

fn cpu_s() -> f64 {
    engram_sim::cputime::process_cpu_s().unwrap_or(f64::NAN)
}

// ---------------------------------------------------------------------------------------------
// Part 1: detailed balance in a single neuron
// ---------------------------------------------------------------------------------------------

fn single_cell_figure(res: &SingleCellResult, dir: &Path) -> Result<(), EngramError> {
    let last = res.config.n_runs - 1;
    let currents = |run: usize, title: &str| {
        let tr: Vec<_> = res.traces.iter().filter(|t| t.0 == run && t.1 <= 1000.0).collect();
        let e: Vec<(f64, f64)> = tr.iter().map(|t| (t.1, t.2 / 1000.0)).collect();
        let i: Vec<(f64, f64)> = tr.iter().map(|t| (t.1, t.3 / 1000.0)).collect();
        let net: Vec<(f64, f64)> = tr.iter().map(|t| (t.1, (t.2 + t.3) / 1000.0)).collect();
        LinePanel::new(title, "time (ms)", "synaptic current (nA)")
            .series("excitatory", &e)
            .series("inhibitory", &i)
            .series("net", &net)
    };
    let tuning = |runs: std::ops::Range<usize>, title: &str| {
        let (e, i) = mean_tuning(&res.runs[runs]);
        let pts = |v: &[f64]| v.iter().enumerate().map(|(k, x)| ((k + 1) as f64, x / 1000.0)).collect::<Vec<_>>();
        LinePanel::new(title, "signal channel", "mean current (nA)")
            .series("excitatory", &pts(&e))
            .series("inhibitory (+ leak/8)", &pts(&i))
    };
    let k_end = (res.config.n_runs / 10).max(1);
    let t_s = |k: usize| (k + 1) as f64 * res.config.run_ms / 1000.0;
    let rate: Vec<(f64, f64)> = res.rate_hz.iter().enumerate().map(|(k, &r)| (t_s(k), r)).collect();
    let rho0: Vec<(f64, f64)> = vec![(t_s(0), res.config.rho0_hz), (t_s(last), res.config.rho0_hz)];
    let corr: Vec<(f64, f64)> = res.cotuning_corr.iter().enumerate().map(|(k, &r)| (t_s(k), r)).collect();
    let tcorr: Vec<(f64, f64)> = res.runs.iter().enumerate().map(|(k, r)| (t_s(k), r.temporal_corr)).collect();
    let mut weights = LinePanel::new("H  inhibitory weights per channel", "time (s)", "mean weight (pS)");
    for k in 0..res.config.n_channels {
        let pts: Vec<(f64, f64)> = res.inh_weight_ps.iter().enumerate().map(|(j, w)| (t_s(j), w[k])).collect();
        weights = weights.series(&format!("ch {}", k + 1), &pts);
    }
    Figure::new(2, 4)
        .title("Vogels et al. 2011, Figs 1-2: iSTDP makes inhibition co-tuned with excitation (one neuron)")
        .size(2200, 1000)
        .panel(currents(0, "A  currents, first run (before)"))
        .panel(currents(last, "B  currents, last run (after)"))
        .panel(tuning(0..1, "C  tuning, first run (before)"))
        .panel(tuning(res.config.n_runs - k_end..res.config.n_runs, &format!("D  tuning, last {k_end} runs (after)")))
        .panel(LinePanel::new("E  output rate", "time (s)", "rate (Hz)").series("rate", &rate).series("rho0", &rho0))
        .panel(LinePanel::new("F  E/I co-tuning across channels", "time (s)", "Pearson r").series("r", &corr))
        .panel(LinePanel::new("G  E/I correlation over time", "time (s)", "Pearson r").series("r", &tcorr))
        .panel(weights)
        .save(dir.join("fig1_single_cell"))
        .map_err(plot_err)
}

/// A first → last pair.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FirstLast {
    /// Mean over the first runs.
    pub first: f64,
    /// Mean over the last runs.
    pub last: f64,
}

/// The output rate over learning.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutputRate {
    /// Mean of the first runs, Hz.
    pub first: f64,
    /// Mean of the last runs, Hz.
    pub last: f64,
    /// Target rate ρ0, Hz.
    pub rho0: f64,
}

/// The same measure for run 1 and for the last runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FirstRunLastRuns<T> {
    /// Run 1.
    pub first_run: T,
    /// The last runs (averaged).
    pub last_runs: T,
}

/// The single-neuron experiment in `summary.json` (and `single_cell.json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SingleCellSummary {
    /// Runs of `run_ms` each.
    pub runs: usize,
    /// Length of a run, ms.
    pub run_ms: f64,
    /// Runs averaged at each end (a tenth of them).
    pub averaged_runs_each_end: usize,
    /// Output rate, Hz.
    pub output_rate_hz: OutputRate,
    /// Per-run E/I co-tuning across channels (Pearson r).
    pub cotuning_corr: FirstLast,
    /// Pearson r of the total E and I currents over time.
    pub temporal_ei_corr: FirstLast,
    /// Co-tuning of the mean tuning curves.
    pub cotuning_corr_of_mean_tuning: FirstRunLastRuns<Option<f64>>,
    /// Mean excitatory current per channel, pA.
    pub exc_tuning_pa: FirstRunLastRuns<Vec<f64>>,
    /// Mean inhibitory current per channel (plus the leak's share), pA.
    pub inh_tuning_pa_plus_leak_share: FirstRunLastRuns<Vec<f64>>,
    /// Output rate of each run, Hz.
    pub rate_hz_per_run: Vec<f64>,
    /// Co-tuning of each run.
    pub cotuning_corr_per_run: Vec<f64>,
    /// Final inhibitory weight per channel, pS.
    pub inh_weight_ps_final: Vec<f64>,
    /// Excitatory weight per channel, pS.
    pub exc_weight_ps: Vec<f64>,
    /// What the paper reports, in words.
    pub paper: SingleCellPaper,
    /// CPU seconds.
    pub cpu_s: f64,
}

/// The paper's single-neuron statements.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SingleCellPaper {
    /// On the output rate.
    pub output_rate: String,
    /// On co-tuning.
    pub cotuning: String,
    /// On E and I over time.
    pub temporal: String,
}

fn single_cell_summary(res: &SingleCellResult) -> SingleCellSummary {
    let n = res.rate_hz.len();
    let k = (n / 10).max(1);
    let first = |v: &[f64]| mean(&v[..k]);
    let lastk = |v: &[f64]| mean(&v[n - k..]);
    let tc: Vec<f64> = res.runs.iter().map(|r| r.temporal_corr).collect();
    let (e_last, i_last) = mean_tuning(&res.runs[n - k..]);
    let (e_first, i_first) = mean_tuning(&res.runs[..1]);
    SingleCellSummary {
        runs: n,
        run_ms: res.config.run_ms,
        averaged_runs_each_end: k,
        output_rate_hz: OutputRate { first: first(&res.rate_hz), last: lastk(&res.rate_hz), rho0: res.config.rho0_hz },
        cotuning_corr: FirstLast { first: first(&res.cotuning_corr), last: lastk(&res.cotuning_corr) },
        temporal_ei_corr: FirstLast { first: first(&tc), last: lastk(&tc) },
        cotuning_corr_of_mean_tuning: FirstRunLastRuns {
            first_run: pearson_correlation(&e_first, &i_first),
            last_runs: pearson_correlation(&e_last, &i_last),
        },
        exc_tuning_pa: FirstRunLastRuns { first_run: e_first, last_runs: e_last },
        inh_tuning_pa_plus_leak_share: FirstRunLastRuns { first_run: i_first, last_runs: i_last },
        rate_hz_per_run: res.rate_hz.clone(),
        cotuning_corr_per_run: res.cotuning_corr.clone(),
        inh_weight_ps_final: res.inh_weight_ps[n - 1].clone(),
        exc_weight_ps: res.exc_weight_ps.clone(),
        paper: SingleCellPaper {
            output_rate: "settles near rho0 (6.25 Hz for alpha = 0.25 eta; correlations shift it slightly)".into(),
            cotuning: "inhibitory tuning matches excitatory tuning (detailed balance), r > 0.9 suggested (docs/models/vogels2011.md#validation-targets)".into(),
            temporal: "E and I currents track each other in time after learning".into(),
        },
        cpu_s: res.cpu_s,
    }
}

// ---------------------------------------------------------------------------------------------
// Part 2: recurrent network with memory patterns
// ---------------------------------------------------------------------------------------------

fn recurrent_figures(res: &RecurrentResult, dir: &Path) -> Result<(), EngramError> {
    let names = ["cue", "P1 rest", "P2", "control", "background"];
    let mut rates = LinePanel::new("A  rates over the protocol", "time (s)", "rate (Hz)").log_y(true);
    rates = rates.series("E", &res.chunks.iter().map(|c| (c.t_s, c.rate_e_hz)).collect::<Vec<_>>());
    rates = rates.series("I", &res.chunks.iter().map(|c| (c.t_s, c.rate_i_hz)).collect::<Vec<_>>());
    for (g, name) in names.iter().enumerate().take(4) {
        rates = rates.series(name, &res.chunks.iter().map(|c| (c.t_s, c.group_rates_hz[g])).collect::<Vec<_>>());
    }
    let last = res.chunks.last().map_or(0.0, |c| c.t_s);
    rates = rates.series("rho0", &[(0.0, res.config.rho0_hz), (last, res.config.rho0_hz)]);
    let mut w = LinePanel::new("B  mean I->E weight onto each group", "time (s)", "weight (nS)");
    for (g, name) in names.iter().enumerate() {
        w = w.series(name, &res.chunks.iter().map(|c| (c.t_s, c.group_w_ie_ns[g])).collect::<Vec<_>>());
    }
    let (b_win, d_win) = (&res.windows[2], &res.windows[4]);
    let cv = HistogramPanel::new("C  ISI CV of E neurons", "ISI CV")
        .data("end of learning (B)", &b_win.cvs)
        .data("end of consolidation (D)", &d_win.cvs)
        .bins(40)
        .range(0.0, 2.5);
    let cc = HistogramPanel::new("D  spike-count correlations (100 ms bins)", "Pearson r")
        .data("B", &b_win.corrs)
        .data("D", &d_win.corrs)
        .bins(60)
        .range(-0.25, 0.35);
    let mut recall = LinePanel::new("E  recall: cue to 25 % of pattern 1 during [0, 1] s", "time (s)", "rate (Hz)");
    for (g, name) in names.iter().enumerate() {
        let pts: Vec<(f64, f64)> = res.recall_bins.iter().map(|(t, v)| (t / 1000.0, v[g])).collect();
        recall = recall.series(name, &pts);
    }
    let cats = ["pre", "A", "B end", "C", "D end", "E recall"];
    let zeros = vec![0.0; res.windows.len()];
    let col = |f: &dyn Fn(&WindowStats) -> f64| res.windows.iter().map(f).collect::<Vec<f64>>();
    let ws = BarPanel::new("F  per phase: E rate, ISI CV, Fano factor", "value", &cats)
        .group("E rate (Hz)", &col(&|w| w.rate_e_hz), &zeros)
        .group("ISI CV", &col(&|w| w.isi_cv), &zeros)
        .group("Fano factor", &col(&|w| w.fano), &zeros);
    Figure::new(2, 3)
        .title("Vogels et al. 2011, Fig. 4: iSTDP in a recurrent network with two memory patterns")
        .size(2100, 1100)
        .panel(rates)
        .panel(w)
        .panel(recall)
        .panel(cv)
        .panel(cc)
        .panel(ws)
        .save(dir.join("fig2_recurrent"))
        .map_err(plot_err)?;

    // rasters: one panel per window; groups P1 (incl. cue), P2, control, background
    let g = res.config.groups();
    let mut fig = Figure::new(2, 3)
        .title("E rasters per phase (rows: pattern 1, pattern 2, control, background)")
        .size(2100, 1200);
    for (label, dur, t, n) in &res.raster {
        let pick = |r: std::ops::Range<usize>, name: &str| {
            let (mut tt, mut nn) = (Vec::new(), Vec::new());
            for (&ti, &ni) in t.iter().zip(n) {
                let ni = ni as usize;
                if r.contains(&ni) {
                    tt.push(ti);
                    nn.push((ni - r.start) as u32);
                }
            }
            PopulationSpikes::new(name, r.len(), &tt, &nn)
        };
        let pops = vec![
            pick(g.p1.clone(), "P1"),
            pick(g.p1.end..g.p2.end, "P2"),
            pick(g.ctrl.clone(), "control"),
            pick(g.ctrl.end..g.ctrl.end + 2000, "backgr."),
        ];
        fig = fig.panel(RasterPanel::new(label, &pops, *dur, Some(120)));
    }
    fig.save(dir.join("fig3_rasters")).map_err(plot_err)
}

/// The recurrent experiment in `summary.json` (and `recurrent.json`). It embeds the model's
/// own records (configuration, chunks, windows), which serialise only: the report reads the
/// file back through its own typed view ([`report::CompactSummary::from_run`]).
#[derive(Clone, Debug, Serialize)]
pub struct RecurrentSummary<'a> {
    /// The configuration run.
    pub config: &'a RecurrentConfig,
    /// Synapses built.
    pub n_synapses: usize,
    /// Rates and weights per chunk of the protocol.
    pub chunks: &'a [engram_models::vogels2011::Chunk],
    /// Names of the groups, in the order of every per-group vector.
    pub group_order: [&'static str; 5],
    /// Statistics per window.
    pub windows: Windows<'a>,
    /// Group rates before, during and after the cue, Hz.
    pub recall_group_rates_hz: RecallRates,
    /// Rest of pattern 1 over the control group, during the cue.
    pub pattern_completion_ratio_p1rest_over_control_during_cue: f64,
    /// Group rates in the first second after the imprint, Hz.
    pub pattern_rate_after_imprint_hz: &'a [f64],
    /// What the paper reports, in words.
    pub paper: RecurrentPaper,
    /// CPU seconds.
    pub cpu_s: f64,
    /// Wall seconds.
    pub wall_s: f64,
}

/// The statistics windows of the protocol.
#[derive(Clone, Debug, Serialize)]
#[allow(non_snake_case)]
pub struct Windows<'a> {
    /// Before plasticity.
    pub pre: &'a WindowStats,
    /// Start of A (I→E = 0).
    pub A_start: &'a WindowStats,
    /// End of B (learning).
    pub B_end: &'a WindowStats,
    /// Start of C (patterns × 5).
    pub C_start: &'a WindowStats,
    /// End of D (consolidation).
    pub D_end: &'a WindowStats,
    /// E: the recall window.
    pub E_recall: &'a WindowStats,
}

/// Group rates around the cue, Hz.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecallRates {
    /// Before the cue.
    pub before: Vec<f64>,
    /// During it.
    pub during_cue: Vec<f64>,
    /// After it.
    pub after: Vec<f64>,
}

/// The paper's statements on the recurrent network, per window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[allow(non_snake_case)]
pub struct RecurrentPaper {
    /// End of B.
    pub B_end: String,
    /// Start of A.
    pub A_start: String,
    /// Start of C.
    pub C_start: String,
    /// End of D.
    pub D_end: String,
    /// Recall.
    pub E_recall: String,
}

fn recurrent_summary(res: &RecurrentResult) -> RecurrentSummary<'_> {
    // group rates during the three recall segments
    let seg = |a: f64, b: f64| -> Vec<f64> {
        let sel: Vec<&(f64, Vec<f64>)> = res.recall_bins.iter().filter(|(t, _)| *t >= a && *t < b).collect();
        (0..5).map(|g| mean(&sel.iter().map(|(_, v)| v[g]).collect::<Vec<_>>())).collect()
    };
    let r = res.config.t_recall_ms;
    let (before, during, after) = (seg(-r, 0.0), seg(0.0, r), seg(r, 2.0 * r));
    let w = &res.windows;
    RecurrentSummary {
        config: &res.config,
        n_synapses: res.n_synapses,
        chunks: &res.chunks,
        group_order: ["cue", "P1 rest", "P2", "control", "background"],
        windows: Windows { pre: &w[0], A_start: &w[1], B_end: &w[2], C_start: &w[3], D_end: &w[4], E_recall: &w[5] },
        pattern_completion_ratio_p1rest_over_control_during_cue: during[1] / during[3].max(1e-9),
        recall_group_rates_hz: RecallRates { before, during_cue: during, after },
        pattern_rate_after_imprint_hz: &w[3].group_rates_hz,
        paper: RecurrentPaper {
            B_end: "AI state restored, E rate ~ rho0 = 3 Hz, ISI CV ~ 1, low correlations".into(),
            A_start: "I->E = 0: high, synchronous rates".into(),
            C_start: "pattern neurons fire at elevated, more synchronous rates".into(),
            D_end: "patterns indistinguishable from background (rates back near rho0)".into(),
            E_recall: "cue to 25 % of a pattern activates the rest of it; other pattern and control nearly unaffected; back to background after the cue".into(),
        },
        cpu_s: res.cpu_s,
        wall_s: res.wall_s,
    }
}

/// `summary.json` of the reproduction.
#[derive(Clone, Debug, Serialize)]
pub struct VogelsSummary<'a> {
    /// The paper.
    pub paper: &'static str,
    /// Seed.
    pub seed: u64,
    /// Whether it was the quick version.
    pub quick: bool,
    /// The single neuron.
    pub single_cell: SingleCellSummary,
    /// The recurrent network.
    pub recurrent: RecurrentSummary<'a>,
    /// Wall seconds of the whole reproduction.
    pub wall_s: f64,
    /// CPU seconds.
    pub cpu_s: f64,
}

// ---------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------

/// What to run.
#[derive(Clone, Debug)]
pub struct ReproduceOptions {
    /// Short version (≈ 1 min).
    pub quick: bool,
    /// Test-only size: the whole pipeline (simulations, figures, summaries, report) in seconds
    /// ([`RecurrentConfig::tiny`], 4 single-neuron runs of 0.5 s); overrides `quick`.
    pub tiny: bool,
    /// Seed.
    pub seed: u64,
    /// Output directory.
    pub out: PathBuf,
    /// Progress bars.
    pub progress: bool,
}

/// Run both experiments, write figures and `summary.json` into `options.out`.
pub fn reproduce(options: ReproduceOptions) -> Result<serde_json::Value, EngramError> {
    let t0 = std::time::Instant::now();
    let cpu0 = cpu_s();
    std::fs::create_dir_all(&options.out)
        .map_err(|source| EngramError::Output { path: options.out.clone(), source })?;
    let (sc, rc) = if options.tiny {
        (SingleCellConfig { n_runs: 4, run_ms: 500.0, ..Default::default() }, RecurrentConfig::tiny())
    } else if options.quick {
        (SingleCellConfig { n_runs: 30, ..Default::default() }, RecurrentConfig::quick())
    } else {
        (SingleCellConfig::default(), RecurrentConfig::default())
    };
    if options.progress {
        eprintln!("vogels2011: single neuron, {} runs x {} s", sc.n_runs, sc.run_ms / 1000.0);
    }
    let single = run_single_cell(&sc, options.seed)?;
    single_cell_figure(&single, &options.out)?;
    let single_summary = single_cell_summary(&single);
    write_json(&options.out.join("single_cell.json"), &single_summary)?;
    let rec = run_recurrent(&rc, options.seed, options.progress)?;
    recurrent_figures(&rec, &options.out)?;
    let rec_summary = recurrent_summary(&rec);
    write_json(&options.out.join("recurrent.json"), &rec_summary)?;
    let summary = VogelsSummary {
        paper: "Vogels, Sprekeler, Zenke, Clopath & Gerstner, Science 334:1569 (2011)",
        seed: options.seed,
        quick: options.quick,
        single_cell: single_summary,
        recurrent: rec_summary,
        wall_s: t0.elapsed().as_secs_f64(),
        cpu_s: cpu_s() - cpu0,
    };
    let summary = serde_json::to_value(&summary).expect("the summary serialises");
    let summary_path = options.out.join("summary.json");
    write_json(&summary_path, &summary)?;
    // the report's compact summary and the report itself, generated from what was just written
    let compact = report::CompactSummary::from_run(&summary_path)?;
    compact.save(&options.out.join("compact_summary.json"))?;
    write_report(&options.out.join("report.md"), &compact, options.quick)?;
    Ok(summary)
}

/// `report.md` of a run: the generated tables of `docs/reproduction/vogels2011.md`.
fn write_report(path: &std::path::Path, compact: &report::CompactSummary, quick: bool) -> Result<(), EngramError> {
    let mut text = format!(
        "# Vogels et al. 2011, {} run (seed {})\n\nGenerated from `compact_summary.json` of this run; the paper's statements beside our numbers. Figures: `fig1_single_cell.png`, `fig2_recurrent.png`, `fig3_rasters.png`.\n",
        if quick { "quick" } else { "full" },
        compact.seed
    );
    for (name, table) in compact.regions() {
        let title = if name == "single_cell" {
            "Detailed balance in one neuron"
        } else {
            "Recurrent network and memory patterns"
        };
        text.push_str(&format!("\n## {title}\n\n{table}"));
    }
    std::fs::write(path, text).map_err(|source| EngramError::Output { path: path.to_path_buf(), source })
}
