//! The Vogels 2011 report: a compact, typed summary of a run (what the report's tables need)
//! and the tables generated from it, with the paper's statements beside our numbers.
//!
//! `cargo xtask report vogels2011 --from runs/vogels2011` writes the compact summary to
//! `docs/reproduction/vogels2011/summary.json` and regenerates the marked tables of
//! `docs/reproduction/vogels2011.md`; a test fails when the committed page and the committed
//! summary disagree.

use std::path::Path;

use engram_core::error::EngramError;
use serde::{Deserialize, Serialize};

/// What the report needs of a run, read from its `summary.json` (the full one has more).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompactSummary {
    /// Seed of the run.
    pub seed: u64,
    /// Whether it was the quick version.
    pub quick: bool,
    /// The single neuron (paper Figs 1–2).
    pub single_cell: SingleCellNumbers,
    /// The recurrent network (paper Fig. 4).
    pub recurrent: RecurrentNumbers,
}

/// The single-neuron numbers of the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SingleCellNumbers {
    /// Runs of `run_ms` each.
    pub runs: usize,
    /// Length of a run, ms.
    pub run_ms: f64,
    /// Runs averaged at each end.
    pub averaged_runs_each_end: usize,
    /// Output rate of run 1, Hz.
    pub rate_run1_hz: f64,
    /// Mean output rate of the first and the last runs, Hz.
    pub rate_first_hz: f64,
    /// See `rate_first_hz`.
    pub rate_last_hz: f64,
    /// Target rate ρ0, Hz.
    pub rho0_hz: f64,
    /// Per-run E/I co-tuning (Pearson r across channels), first and last runs.
    pub cotuning_first: f64,
    /// See `cotuning_first`.
    pub cotuning_last: f64,
    /// Co-tuning of the mean tuning curves: run 1, and the last runs.
    pub mean_tuning_cotuning_run1: f64,
    /// See `mean_tuning_cotuning_run1`.
    pub mean_tuning_cotuning_last: f64,
    /// Pearson r of the total E and I currents over time, first and last runs.
    pub temporal_first: f64,
    /// See `temporal_first`.
    pub temporal_last: f64,
    /// Final inhibitory weight per channel, pS.
    pub inh_weight_ps: Vec<f64>,
    /// Excitatory weight per channel, pS.
    pub exc_weight_ps: Vec<f64>,
    /// CPU seconds.
    pub cpu_s: f64,
}

/// Statistics of one window of the recurrent run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowNumbers {
    /// Mean E and I rates, Hz.
    pub rate_e_hz: f64,
    /// See `rate_e_hz`.
    pub rate_i_hz: f64,
    /// Mean ISI CV of E neurons.
    pub isi_cv: f64,
    /// Mean pairwise spike-count correlation.
    pub count_corr: f64,
    /// Mean Fano factor.
    pub fano: f64,
    /// Group rates (cue, P1 rest, P2, control, background), Hz.
    pub group_rates_hz: Vec<f64>,
}

/// The recurrent-network numbers of the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecurrentNumbers {
    /// Start of A: I→E = 0.
    pub a_start: WindowNumbers,
    /// End of B: learning.
    pub b_end: WindowNumbers,
    /// Start of C: patterns × 5.
    pub c_start: WindowNumbers,
    /// End of D: consolidation.
    pub d_end: WindowNumbers,
    /// E: recall (whole window).
    pub e_recall: WindowNumbers,
    /// Group rates before, during and after the cue, Hz.
    pub recall_before_hz: Vec<f64>,
    /// See `recall_before_hz`.
    pub recall_during_hz: Vec<f64>,
    /// See `recall_before_hz`.
    pub recall_after_hz: Vec<f64>,
    /// E rate 20 s into learning, Hz.
    pub rate_e_20s_into_b_hz: f64,
    /// Mean I→E weight onto each group at the imprint (end of B) and at the end of D, nS.
    pub w_ie_imprint_ns: Vec<f64>,
    /// See `w_ie_imprint_ns`.
    pub w_ie_end_d_ns: Vec<f64>,
    /// Mean I→E weight onto background neurons 50 s before the end of B, nS.
    pub w_ie_background_b_minus_50s_ns: f64,
    /// Simulated seconds.
    pub simulated_s: f64,
    /// CPU and wall seconds.
    pub cpu_s: f64,
    /// See `cpu_s`.
    pub wall_s: f64,
}

// The parts of the full summary.json read here (serde ignores the rest).
#[derive(Deserialize)]
struct Full {
    seed: u64,
    quick: bool,
    single_cell: FullSingle,
    recurrent: FullRecurrent,
}
#[derive(Deserialize)]
struct FirstLast {
    first: f64,
    last: f64,
}
#[derive(Deserialize)]
struct FullSingle {
    runs: usize,
    run_ms: f64,
    averaged_runs_each_end: usize,
    output_rate_hz: FullRate,
    cotuning_corr: FirstLast,
    temporal_ei_corr: FirstLast,
    cotuning_corr_of_mean_tuning: FullMeanTuning,
    rate_hz_per_run: Vec<f64>,
    inh_weight_ps_final: Vec<f64>,
    exc_weight_ps: Vec<f64>,
    cpu_s: f64,
}
#[derive(Deserialize)]
struct FullRate {
    first: f64,
    last: f64,
    rho0: f64,
}
#[derive(Deserialize)]
struct FullMeanTuning {
    first_run: f64,
    last_runs: f64,
}
#[derive(Deserialize)]
struct FullRecurrent {
    config: FullConfig,
    chunks: Vec<FullChunk>,
    windows: FullWindows,
    recall_group_rates_hz: FullRecall,
    cpu_s: f64,
    wall_s: f64,
}
#[derive(Deserialize)]
struct FullConfig {
    t_pre_ms: f64,
    t_learn_ms: f64,
    t_memory_ms: f64,
    t_recall_ms: f64,
}
#[derive(Deserialize)]
struct FullChunk {
    t_s: f64,
    rate_e_hz: f64,
    group_w_ie_ns: Vec<f64>,
}
#[derive(Deserialize)]
#[allow(non_snake_case)]
struct FullWindows {
    A_start: WindowIn,
    B_end: WindowIn,
    C_start: WindowIn,
    D_end: WindowIn,
    E_recall: WindowIn,
}
#[derive(Deserialize)]
struct WindowIn {
    rate_e_hz: f64,
    rate_i_hz: f64,
    isi_cv: f64,
    count_corr: f64,
    fano: f64,
    group_rates_hz: Vec<f64>,
}
#[derive(Deserialize)]
struct FullRecall {
    before: Vec<f64>,
    during_cue: Vec<f64>,
    after: Vec<f64>,
}

impl From<WindowIn> for WindowNumbers {
    fn from(w: WindowIn) -> Self {
        Self {
            rate_e_hz: w.rate_e_hz,
            rate_i_hz: w.rate_i_hz,
            isi_cv: w.isi_cv,
            count_corr: w.count_corr,
            fano: w.fano,
            group_rates_hz: w.group_rates_hz,
        }
    }
}

fn bad(path: &Path, what: impl std::fmt::Display) -> EngramError {
    EngramError::Other(format!("{}: {what}", path.display()))
}

impl CompactSummary {
    /// Read the compact summary from a run's full `summary.json`.
    pub fn from_run(summary_json: &Path) -> Result<Self, EngramError> {
        let text = std::fs::read_to_string(summary_json).map_err(|e| bad(summary_json, e))?;
        let full: Full = serde_json::from_str(&text)
            .map_err(|e| bad(summary_json, format!("not a vogels2011 summary.json: {e}")))?;
        let r = full.recurrent;
        let t_b_end_s = (r.config.t_pre_ms + r.config.t_learn_ms) / 1000.0;
        let t_d_end_s = t_b_end_s + r.config.t_memory_ms / 1000.0;
        let chunk_at = |t_s: f64| {
            r.chunks
                .iter()
                .min_by(|a, b| (a.t_s - t_s).abs().total_cmp(&(b.t_s - t_s).abs()))
                .ok_or_else(|| bad(summary_json, "no chunks in recurrent"))
        };
        let rate_20s = chunk_at(r.config.t_pre_ms / 1000.0 + 20.0)?.rate_e_hz;
        let w_imprint = chunk_at(t_b_end_s)?.group_w_ie_ns.clone();
        let w_end_d = chunk_at(t_d_end_s)?.group_w_ie_ns.clone();
        let w_bg_50 =
            *chunk_at(t_b_end_s - 50.0)?.group_w_ie_ns.last().ok_or_else(|| bad(summary_json, "no groups"))?;
        let s = full.single_cell;
        Ok(Self {
            seed: full.seed,
            quick: full.quick,
            single_cell: SingleCellNumbers {
                runs: s.runs,
                run_ms: s.run_ms,
                averaged_runs_each_end: s.averaged_runs_each_end,
                rate_run1_hz: *s.rate_hz_per_run.first().ok_or_else(|| bad(summary_json, "no runs"))?,
                rate_first_hz: s.output_rate_hz.first,
                rate_last_hz: s.output_rate_hz.last,
                rho0_hz: s.output_rate_hz.rho0,
                cotuning_first: s.cotuning_corr.first,
                cotuning_last: s.cotuning_corr.last,
                mean_tuning_cotuning_run1: s.cotuning_corr_of_mean_tuning.first_run,
                mean_tuning_cotuning_last: s.cotuning_corr_of_mean_tuning.last_runs,
                temporal_first: s.temporal_ei_corr.first,
                temporal_last: s.temporal_ei_corr.last,
                inh_weight_ps: s.inh_weight_ps_final,
                exc_weight_ps: s.exc_weight_ps,
                cpu_s: s.cpu_s,
            },
            recurrent: RecurrentNumbers {
                a_start: r.windows.A_start.into(),
                b_end: r.windows.B_end.into(),
                c_start: r.windows.C_start.into(),
                d_end: r.windows.D_end.into(),
                e_recall: r.windows.E_recall.into(),
                recall_before_hz: r.recall_group_rates_hz.before,
                recall_during_hz: r.recall_group_rates_hz.during_cue,
                recall_after_hz: r.recall_group_rates_hz.after,
                rate_e_20s_into_b_hz: rate_20s,
                w_ie_imprint_ns: w_imprint,
                w_ie_end_d_ns: w_end_d,
                w_ie_background_b_minus_50s_ns: w_bg_50,
                simulated_s: t_d_end_s + 3.0 * r.config.t_recall_ms / 1000.0,
                cpu_s: r.cpu_s,
                wall_s: r.wall_s,
            },
        })
    }

    /// Read a compact summary written by [`save`](Self::save).
    pub fn load(path: &Path) -> Result<Self, EngramError> {
        let text = std::fs::read_to_string(path).map_err(|e| bad(path, e))?;
        serde_json::from_str(&text).map_err(|e| bad(path, e))
    }

    /// Write it as pretty JSON.
    pub fn save(&self, path: &Path) -> Result<(), EngramError> {
        crate::report::save_compact(self, path)
    }

    /// The generated regions of the report: `(name, Markdown)`.
    pub fn regions(&self) -> Vec<(String, String)> {
        vec![("single_cell".into(), self.single_cell_table()), ("recurrent".into(), self.recurrent_table())]
    }

    fn single_cell_table(&self) -> String {
        let s = &self.single_cell;
        let k = s.averaged_runs_each_end;
        let (w, e) = (&s.inh_weight_ps, &s.exc_weight_ps);
        let flanks = |v: &[f64]| {
            let rest: Vec<f64> = v.iter().enumerate().filter(|(c, _)| !(3..=5).contains(c)).map(|(_, x)| *x).collect();
            let (lo, hi) = rest.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
            format!("{lo:.0}–{hi:.0}")
        };
        let weights = if w.len() >= 6 && e.len() >= 6 {
            format!(
                "channel 5: {:.0} pS; channels 4/6: {:.0}/{:.0} pS; flanks {} pS (E: {:.0} / {:.0}/{:.0} / {} pS)",
                w[4],
                w[3],
                w[5],
                flanks(w),
                e[4],
                e[3],
                e[5],
                flanks(e)
            )
        } else {
            "fewer than 6 channels".into()
        };
        let rows = [
            (
                "Output rate before learning (first run)",
                "high (unbalanced)".to_string(),
                format!("{:.0} Hz mean of first {k} runs ({:.0} Hz in run 1)", s.rate_first_hz, s.rate_run1_hz),
            ),
            (
                "Output rate after learning",
                format!("settles near ρ0 = {} Hz", s.rho0_hz),
                format!("**{:.1} Hz** (mean of last {k} runs)", s.rate_last_hz),
            ),
            (
                "E/I co-tuning across the 8 channels, per run, Pearson r",
                "\"detailed balance\"; > 0.9 ([validation targets](../models/vogels2011.md#validation-targets))".into(),
                format!("{:.2} (first {k} runs) → **{:.3}** (last {k} runs)", s.cotuning_first, s.cotuning_last),
            ),
            (
                "Co-tuning of the mean tuning curves",
                "I tuning matches E tuning".into(),
                format!(
                    "{:.2} (run 1) → **{:.3}** (last {k} runs)",
                    s.mean_tuning_cotuning_run1, s.mean_tuning_cotuning_last
                ),
            ),
            (
                "E and I currents over time (Pearson r of total currents)",
                "track each other after learning".into(),
                format!("{:.2} → **{:.2}**", s.temporal_first, s.temporal_last),
            ),
            ("Inhibitory weights", "grow most on the preferred channel".into(), weights),
            (
                "CPU time",
                "—".into(),
                format!("{:.1} s for {:.0} s simulated", s.cpu_s, s.runs as f64 * s.run_ms / 1000.0),
            ),
        ];
        table(&rows, self.quick)
    }

    fn recurrent_table(&self) -> String {
        let r = &self.recurrent;
        let g = |v: &[f64], i: usize| v.get(i).copied().unwrap_or(f64::NAN);
        let range = |v: &[f64], idx: &[usize], digits: usize| {
            let xs: Vec<f64> = idx.iter().map(|&i| g(v, i)).collect();
            let (lo, hi) = xs.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
            format!("{lo:.digits$}–{hi:.digits$}")
        };
        let pats = [0, 1, 2];
        let (c, d, e) = (&r.c_start, &r.d_end, &r.e_recall);
        let (before, during, after) = (&r.recall_before_hz, &r.recall_during_hz, &r.recall_after_hz);
        let rows = [
            (
                "I→E = 0 → high, synchronous activity (A)",
                "yes".to_string(),
                format!(
                    "E {:.0} Hz, I {:.0} Hz, population bursts (raster A); count correlation {:.2}, Fano {:.1}",
                    r.a_start.rate_e_hz, r.a_start.rate_i_hz, r.a_start.count_corr, r.a_start.fano
                ),
            ),
            (
                "iSTDP restores the AI state (end of B)",
                "E rate ≈ ρ0 = 3 Hz, CV ≈ 1, low correlation".into(),
                format!(
                    "**E {:.1} Hz**, I {:.1} Hz; ISI CV {:.2}; count correlation {:.3}; Fano {:.2}",
                    r.b_end.rate_e_hz, r.b_end.rate_i_hz, r.b_end.isi_cv, r.b_end.count_corr, r.b_end.fano
                ),
            ),
            (
                "Convergence",
                "~1 h simulated with η = 10 pS".into(),
                format!(
                    "E {:.1} Hz 20 s into learning and {:.1} Hz at the end of B; I→E weights onto background neurons still creeping up ({:.1} → {:.1} nS over the last 50 s of B) — **ρ0 = 3 Hz not reached in our budget**",
                    r.rate_e_20s_into_b_hz,
                    r.b_end.rate_e_hz,
                    r.w_ie_background_b_minus_50s_ns,
                    g(&r.w_ie_imprint_ns, 4)
                ),
            ),
            (
                "Patterns ×5 → elevated activity (C, first second)",
                "pattern neurons fire at elevated, more synchronous rates".into(),
                format!(
                    "patterns {} Hz vs control {:.1} Hz",
                    range(&c.group_rates_hz, &pats, 0),
                    g(&c.group_rates_hz, 3)
                ),
            ),
            (
                "iSTDP suppresses it (end of D)",
                "patterns ≈ background".into(),
                format!(
                    "patterns {} Hz vs control {:.1} Hz, background {:.1} Hz",
                    range(&d.group_rates_hz, &pats, 1),
                    g(&d.group_rates_hz, 3),
                    g(&d.group_rates_hz, 4)
                ),
            ),
            (
                "Selective inhibitory strengthening (\"inhibitory replica\")",
                "inhibition onto pattern neurons grows".into(),
                format!(
                    "mean I→E weight onto the pattern groups {} → {} nS; control {:.1} → {:.1} nS",
                    range(&r.w_ie_imprint_ns, &pats, 1),
                    range(&r.w_ie_end_d_ns, &pats, 1),
                    g(&r.w_ie_imprint_ns, 3),
                    g(&r.w_ie_end_d_ns, 3)
                ),
            ),
            (
                "Recall: cue 25 % of pattern 1 for 1 s",
                "rest of the pattern activated; other pattern and control nearly unaffected; back to background after"
                    .into(),
                format!(
                    "cue {:.0} Hz; **rest of pattern 1 {:.1} Hz** vs control {:.1} Hz (ratio {:.1}); pattern 2 {:.1} Hz; background {:.1} Hz; after the cue: {} Hz (before: {} Hz)",
                    g(during, 0),
                    g(during, 1),
                    g(during, 3),
                    g(during, 1) / g(during, 3).max(1e-9),
                    g(during, 2),
                    g(during, 4),
                    range(after, &[0, 1, 2, 3, 4], 1),
                    range(before, &[0, 1, 2, 3, 4], 1)
                ),
            ),
            (
                "Activity during recall stays irregular",
                "AI within the pattern".into(),
                format!("ISI CV {:.2} over the recall window", e.isi_cv),
            ),
            (
                "CPU time",
                "—".into(),
                format!("{:.0} s CPU, {:.0} s wall for {:.0} s simulated", r.cpu_s, r.wall_s, r.simulated_s),
            ),
        ];
        table(&rows, self.quick)
    }
}

fn table(rows: &[(&str, String, String)], quick: bool) -> String {
    let run = if quick { "quick run" } else { "full run" };
    let mut out = format!("| Statement / number | Paper / reference | engram ({run}) |\n|---|---|---|\n");
    for (what, paper, ours) in rows {
        out.push_str(&format!("| {what} | {paper} | {ours} |\n"));
    }
    out
}
