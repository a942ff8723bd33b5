//! The analysis of the drift runs (docs/reproduction/drift.md, "Measures") and their typed
//! summary: per condition and schedule group, cross-day and within-day decoding, noise-normalised PV correlation against
//! lag with its fitted drift time constant, responsive-pair retention, crystallisation index
//! and halt rebound; per night, the weight statistics; and the two figures.

use std::path::Path;

use engram_analysis::drift::{
    Day, DayDecoder, DriftFit, cross_day_decoding, decoder_span, different_stimulus_floor, fit_drift, is_responsive,
    pv_correlation, retention, within_day_accuracy,
};
use engram_core::error::EngramError;
use engram_core::rng::{component_id, stream};
use engram_plot::{Figure, HeatmapPanel, LinePanel};
use ndarray::Array2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::experiment::{ConditionRun, NightStats};
use super::{Condition, DriftOptions, DriftParams, ODOR_ROLES, Role};
use crate::dp::plot_err;

/// Folds of the within-day cross-validation.
const FOLDS: usize = 3;
/// Soft margin of the linear SVM decoders.
const SVM_C: f64 = 1.0;
/// Significance of a responsive neuron–odor pair (one-sided Mann–Whitney against blanks).
const RESPONSIVE_ALPHA: f64 = 0.01;
/// Decoder span: the fraction of its within-day accuracy a decoder must keep.
const SPAN_FRACTION: f64 = 0.9;

/// Noise-normalised PV correlation pooled at one lag.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LagPoint {
    /// Lag, experiment days.
    pub lag_days: f64,
    /// Mean r̃ over the group's odors, the day pairs at this lag and the networks.
    pub mean_r: f64,
    /// Values pooled.
    pub n: usize,
}

/// Responsive-pair retention from the first to the last probe.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RetentionAt {
    /// Lag, experiment days.
    pub lag_days: f64,
    /// P(responsive on the last probe | responsive on the first).
    pub retained: f64,
    /// Chance floor: the fraction responsive on the last probe.
    pub chance: f64,
    /// Responsive pairs on the first probe (all networks).
    pub n_before: usize,
}

/// One schedule group in one condition (means over networks; fits on the pooled points).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupSummary {
    /// The group.
    pub group: Role,
    /// Its odors (0 = O1).
    pub odors: Vec<usize>,
    /// Drift time constant of r̃ against lag, experiment days (`fit_drift`, c∞ at least the
    /// different-odor floor); None if no fit.
    pub tau_drift_days: Option<f64>,
    /// The whole fit.
    pub drift_fit: Option<DriftFit>,
    /// r̃ against lag.
    pub pv_by_lag: Vec<LagPoint>,
    /// Recall of the group's odors by a decoder trained on probe day i (all odors) and tested
    /// on probe day j; diagonal cross-validated.
    pub decoding_matrix: Vec<Vec<f64>>,
    /// The diagonal: within-day (cross-validated) recall of the group's odors per probe day.
    pub within_day_accuracy: Vec<f64>,
    /// Recall of the day-0 decoder on the last probe day.
    pub day0_decoder_at_last_probe: f64,
    /// Decoder span per training probe day, experiment days (≥ 90 % of its within-day recall).
    pub decoder_span_days: Vec<f64>,
    /// Responsive-pair retention from the first to the last probe (the last probe is day 32 in
    /// both protocols).
    pub retention_at_last_probe: Option<RetentionAt>,
    /// The retention curve: responsive-pair retention from the first probe to each later one
    /// (one point per later probe day with responsive pairs on the first).
    #[serde(default)]
    pub retention_by_probe: Vec<RetentionAt>,
    /// 1 − r̃ between consecutive probe days (mean over odors and networks; None without a
    /// normalised value).
    pub consecutive_change: Vec<Option<f64>>,
    /// Crystallisation index: 1 − (late change ÷ early change) over the windows of the params.
    pub crystallisation_index: Option<f64>,
    /// Drift rate after the halt day ÷ before (mean consecutive change); None if a side has
    /// no pair of probes.
    pub halt_rebound: Option<f64>,
}

/// One condition (all networks).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConditionSummary {
    /// The condition.
    pub condition: Condition,
    /// Its key.
    pub key: String,
    /// Per schedule group.
    pub groups: Vec<GroupSummary>,
    /// Within-day accuracy over all odors per probe day (`within_day_accuracy`), mean over
    /// networks.
    pub within_day_accuracy: Vec<f64>,
    /// Cross-day decoding over all odors (`cross_day_decoding`), mean over networks.
    pub decoding_matrix: Vec<Vec<f64>>,
    /// Mean Pearson r between different odors on one day (the PV floor).
    pub different_odor_floor: f64,
    /// Fraction of responsive neuron–odor pairs per probe day.
    pub fraction_responsive: Vec<f64>,
    /// Mean E rate in the odor windows per probe day, Hz.
    pub odor_rate_hz: Vec<f64>,
    /// Mean E rate in the blank windows per probe day, Hz.
    pub blank_rate_hz: Vec<f64>,
    /// Weight statistics after each night (first network).
    pub nights: Vec<NightStats>,
    /// Wall time of each network's run, s.
    pub run_wall_s: Vec<f64>,
    /// CPU time of each network's run, s.
    pub run_cpu_s: Vec<f64>,
}

/// `summary.json` of `reproduce drift`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DriftSummary {
    /// `--quick` (or the tiny size).
    pub quick: bool,
    /// Network scale-down factor used (1 = full size).
    pub scale_down: usize,
    /// Experiment seed.
    pub seed: u64,
    /// Network seeds.
    pub network_seeds: Vec<u64>,
    /// The protocol and model settings.
    pub params: DriftParams,
    /// The role of each odor (O1 first).
    pub odor_roles: Vec<Role>,
    /// Probe days, experiment days.
    pub probe_days: Vec<u32>,
    /// Chance accuracy (1 / odors).
    pub chance: f64,
    /// Per condition, main first.
    pub conditions: Vec<ConditionSummary>,
    /// Simulated time of one run, s.
    pub bio_s_per_run: f64,
    /// R: wall seconds per simulated second of one run, mean over runs (two run at a time).
    pub wall_s_per_bio_s: f64,
    /// Wall time of the whole reproduction, s.
    pub wall_s: f64,
    /// CPU time of the whole process, s.
    pub cpu_s: Option<f64>,
    /// Figures written (stems, relative to the run directory).
    pub figures: Vec<String>,
}

/// One probe day of one run, as the measures need it.
struct DayData {
    /// Odor trials × E neurons: counts minus the neuron's mean blank count.
    responses: Array2<f64>,
    /// Odor of each row.
    labels: Vec<usize>,
    /// Per odor, per neuron: responsive.
    responsive: Vec<Vec<bool>>,
    odor_rate_hz: f64,
    blank_rate_hz: f64,
}

impl DayData {
    fn view(&self) -> Day<'_> {
        Day { responses: self.responses.view(), labels: &self.labels }
    }
}

fn day_data(probe: &super::ProbeDay, n_odors: usize, window_s: f64) -> DayData {
    let n = probe.counts.first().map_or(0, Vec::len);
    let blanks: Vec<usize> = (0..probe.labels.len()).filter(|&t| probe.labels[t] == n_odors).collect();
    let trials: Vec<usize> = (0..probe.labels.len()).filter(|&t| probe.labels[t] < n_odors).collect();
    let blank_of = |i: usize| -> Vec<f64> { blanks.iter().map(|&t| probe.counts[t][i] as f64).collect() };
    let blank_mean: Vec<f64> = (0..n).map(|i| blank_of(i).iter().sum::<f64>() / blanks.len().max(1) as f64).collect();
    let mut responses = Array2::zeros((trials.len(), n));
    for (r, &t) in trials.iter().enumerate() {
        for i in 0..n {
            responses[[r, i]] = probe.counts[t][i] as f64 - blank_mean[i];
        }
    }
    let labels: Vec<usize> = trials.iter().map(|&t| probe.labels[t]).collect();
    let responsive = (0..n_odors)
        .map(|o| {
            let rows: Vec<usize> = trials.iter().copied().filter(|&t| probe.labels[t] == o).collect();
            (0..n)
                .map(|i| {
                    let x: Vec<f64> = rows.iter().map(|&t| probe.counts[t][i] as f64).collect();
                    is_responsive(&x, &blank_of(i), RESPONSIVE_ALPHA)
                })
                .collect()
        })
        .collect();
    let rate = |ts: &[usize]| {
        let spikes: f64 = ts.iter().map(|&t| probe.counts[t].iter().map(|&c| c as f64).sum::<f64>()).sum();
        spikes / (ts.len().max(1) * n.max(1)) as f64 / window_s
    };
    DayData { odor_rate_hz: rate(&trials), blank_rate_hz: rate(&blanks), responses, labels, responsive }
}

/// What one run gives the summary before networks are pooled.
struct RunMeasures {
    days: Vec<DayData>,
    /// `correct[i][j][t]`: trial t of day j decoded right by day i's decoder (CV on i = j).
    correct: Vec<Vec<Vec<bool>>>,
    /// `pv[i][j][o]`: r̃ of odor o between probe days i < j.
    pv: Vec<Vec<Vec<Option<f64>>>>,
    within_day: Vec<f64>,
    matrix: Array2<f64>,
    floor: f64,
}

/// Cross-validated correctness of each trial of `day` (stratified: the k-th trial of an odor
/// goes to fold k mod `FOLDS`).
fn cv_correct(day: &DayData) -> Result<Vec<bool>, EngramError> {
    let n = day.labels.len();
    let mut seen = vec![0usize; day.labels.iter().max().map_or(0, |m| m + 1)];
    let fold: Vec<usize> = day
        .labels
        .iter()
        .map(|&o| {
            seen[o] += 1;
            (seen[o] - 1) % FOLDS
        })
        .collect();
    let mut correct = vec![false; n];
    for f in 0..FOLDS {
        let train: Vec<usize> = (0..n).filter(|&t| fold[t] != f).collect();
        let test: Vec<usize> = (0..n).filter(|&t| fold[t] == f).collect();
        let rows = |idx: &[usize]| day.responses.select(ndarray::Axis(0), idx);
        let labels: Vec<usize> = train.iter().map(|&t| day.labels[t]).collect();
        let x = rows(&train);
        let decoder = DayDecoder::fit(Day { responses: x.view(), labels: &labels }, SVM_C).map_err(analysis_err)?;
        let predicted = decoder.predict(rows(&test).view()).map_err(analysis_err)?;
        for (p, &t) in predicted.iter().zip(&test) {
            correct[t] = *p == day.labels[t];
        }
    }
    Ok(correct)
}

fn analysis_err(e: engram_analysis::AnalysisError) -> EngramError {
    EngramError::Other(format!("drift analysis: {e}"))
}

fn measure_run(
    run: &ConditionRun,
    params: &DriftParams,
    n_odors: usize,
    seed: u64,
) -> Result<RunMeasures, EngramError> {
    let days: Vec<DayData> = run.probes.iter().map(|p| day_data(p, n_odors, params.t_on_ms / 1000.0)).collect();
    let n_days = days.len();
    let mut correct = vec![vec![Vec::new(); n_days]; n_days];
    for i in 0..n_days {
        let decoder = DayDecoder::fit(days[i].view(), SVM_C).map_err(analysis_err)?;
        for j in 0..n_days {
            correct[i][j] = if i == j {
                cv_correct(&days[i])?
            } else {
                let predicted = decoder.predict(days[j].responses.view()).map_err(analysis_err)?;
                predicted.iter().zip(&days[j].labels).map(|(p, l)| p == l).collect()
            };
        }
    }
    let pv = (0..n_days)
        .map(|i| {
            (0..n_days)
                .map(|j| {
                    (0..n_odors)
                        .map(|o| {
                            if i < j {
                                pv_correlation(days[i].view(), days[j].view(), o).and_then(|p| p.normalised)
                            } else {
                                None
                            }
                        })
                        .collect()
                })
                .collect()
        })
        .collect();
    let views: Vec<Day> = days.iter().map(DayData::view).collect();
    let mut rng = stream(seed, component_id("drift:decoding folds"), run.network_seed);
    let matrix = cross_day_decoding(&views, FOLDS, SVM_C, &mut rng).map_err(analysis_err)?;
    let within_day = views
        .iter()
        .map(|d| within_day_accuracy(*d, FOLDS, SVM_C, &mut rng).map_err(analysis_err))
        .collect::<Result<Vec<_>, _>>()?;
    let floors: Vec<f64> = views.iter().filter_map(|d| different_stimulus_floor(*d, n_odors)).collect();
    let floor = floors.iter().sum::<f64>() / floors.len().max(1) as f64;
    Ok(RunMeasures { days, correct, pv, within_day, matrix, floor })
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn mean_opt(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| mean(v))
}

fn group_summary(
    role: Role,
    runs: &[&RunMeasures],
    params: &DriftParams,
    probe_days: &[f64],
    floor: f64,
) -> GroupSummary {
    let n_odors = runs[0].days[0].responsive.len();
    let odors: Vec<usize> = (0..n_odors).filter(|&o| ODOR_ROLES[o] == role).collect();
    let n_days = probe_days.len();
    // recall of the group's trials, pooled over networks
    let recall = |i: usize, j: usize| {
        let (mut hit, mut n) = (0usize, 0usize);
        for r in runs {
            for (t, &ok) in r.correct[i][j].iter().enumerate() {
                if odors.contains(&r.days[j].labels[t]) {
                    hit += ok as usize;
                    n += 1;
                }
            }
        }
        hit as f64 / n.max(1) as f64
    };
    let matrix: Vec<Vec<f64>> = (0..n_days).map(|i| (0..n_days).map(|j| recall(i, j)).collect()).collect();
    let within: Vec<f64> = (0..n_days).map(|i| matrix[i][i]).collect();
    let flat = Array2::from_shape_fn((n_days, n_days), |(i, j)| matrix[i][j]);
    let span = decoder_span(flat.view(), probe_days, SPAN_FRACTION).unwrap_or_default();
    // r̃ against lag
    let mut lags = Vec::new();
    let mut rs = Vec::new();
    for r in runs {
        for i in 0..n_days {
            for j in i + 1..n_days {
                for &o in &odors {
                    if let Some(v) = r.pv[i][j][o] {
                        lags.push(probe_days[j] - probe_days[i]);
                        rs.push(v);
                    }
                }
            }
        }
    }
    let fit = fit_drift(&lags, &rs, floor);
    let mut distinct: Vec<f64> = lags.clone();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    let pv_by_lag = distinct
        .iter()
        .map(|&lag| {
            let v: Vec<f64> = lags.iter().zip(&rs).filter(|(l, _)| **l == lag).map(|(_, r)| *r).collect();
            LagPoint { lag_days: lag, mean_r: mean(&v), n: v.len() }
        })
        .collect();
    let consecutive_change: Vec<Option<f64>> = (0..n_days.saturating_sub(1))
        .map(|i| {
            let v: Vec<f64> =
                runs.iter().flat_map(|r| odors.iter().filter_map(|&o| r.pv[i][i + 1][o])).map(|x| 1.0 - x).collect();
            mean_opt(&v)
        })
        .collect();
    let changes_in = |lo: f64, hi: f64| -> Vec<f64> {
        (0..consecutive_change.len())
            .filter(|&i| probe_days[i] >= lo && probe_days[i + 1] <= hi)
            .filter_map(|i| consecutive_change[i])
            .collect()
    };
    let (early, late) = (
        changes_in(params.early_window_days.0, params.early_window_days.1),
        changes_in(params.late_window_days.0, params.late_window_days.1),
    );
    let crystallisation_index = engram_analysis::drift::crystallisation_index(&early, &late);
    let before = mean_opt(&changes_in(f64::NEG_INFINITY, params.halt_day));
    let after = mean_opt(&changes_in(params.halt_day, f64::INFINITY));
    let halt_rebound = before.zip(after).and_then(|(b, a)| (b > 0.0).then(|| a / b));
    // retention from the first probe to each later one
    let retention_to = |j: usize| {
        let (mut before_flags, mut after_flags) = (Vec::new(), Vec::new());
        for r in runs {
            for &o in &odors {
                before_flags.extend_from_slice(&r.days[0].responsive[o]);
                after_flags.extend_from_slice(&r.days[j].responsive[o]);
            }
        }
        retention(&before_flags, &after_flags).map(|x| RetentionAt {
            lag_days: probe_days[j] - probe_days[0],
            retained: x.retained,
            chance: x.chance,
            n_before: x.n_before,
        })
    };
    let retention_at_last_probe = retention_to(n_days - 1);
    let retention_by_probe: Vec<RetentionAt> = (1..n_days).filter_map(retention_to).collect();
    GroupSummary {
        group: role,
        odors,
        tau_drift_days: fit.as_ref().map(|f| f.tau_days),
        drift_fit: fit,
        pv_by_lag,
        day0_decoder_at_last_probe: matrix[0][n_days - 1],
        decoding_matrix: matrix,
        within_day_accuracy: within,
        decoder_span_days: span,
        retention_at_last_probe,
        retention_by_probe,
        consecutive_change,
        crystallisation_index,
        halt_rebound,
    }
}

impl DriftSummary {
    /// Analyse the runs (in the order of [`experiment::run_all`](super::experiment::run_all)).
    pub fn new(
        params: &DriftParams,
        options: &DriftOptions,
        seeds: &[u64],
        runs: &[ConditionRun],
    ) -> Result<Self, EngramError> {
        let n_odors = ODOR_ROLES.len().min(params.network.n_assemblies);
        let probe_days: Vec<u32> = params.probe_sim_days().iter().map(|&d| params.day_of(d)).collect();
        let days_f: Vec<f64> = probe_days.iter().map(|&d| d as f64).collect();
        let measured = runs
            .par_iter()
            .map(|r| measure_run(r, params, n_odors, options.seed))
            .collect::<Result<Vec<_>, EngramError>>()?;
        let conditions = params
            .conditions
            .iter()
            .map(|&c| {
                let idx: Vec<usize> = (0..runs.len()).filter(|&k| runs[k].condition == c).collect();
                let mine: Vec<&RunMeasures> = idx.iter().map(|&k| &measured[k]).collect();
                let floor = mean(&mine.iter().map(|m| m.floor).collect::<Vec<_>>());
                let n_days = probe_days.len();
                let per_day = |f: &dyn Fn(&RunMeasures, usize) -> f64| -> Vec<f64> {
                    (0..n_days).map(|d| mean(&mine.iter().map(|m| f(m, d)).collect::<Vec<_>>())).collect()
                };
                ConditionSummary {
                    condition: c,
                    key: c.key().to_string(),
                    groups: Role::ALL
                        .iter()
                        .filter(|&&role| ODOR_ROLES[..n_odors].contains(&role))
                        .map(|&role| group_summary(role, &mine, params, &days_f, floor))
                        .collect(),
                    within_day_accuracy: per_day(&|m, d| m.within_day[d]),
                    decoding_matrix: (0..n_days)
                        .map(|i| {
                            (0..n_days)
                                .map(|j| mean(&mine.iter().map(|m| m.matrix[[i, j]]).collect::<Vec<_>>()))
                                .collect()
                        })
                        .collect(),
                    different_odor_floor: floor,
                    fraction_responsive: per_day(&|m, d| {
                        let all: Vec<bool> = m.days[d].responsive.iter().flatten().copied().collect();
                        all.iter().filter(|&&x| x).count() as f64 / all.len().max(1) as f64
                    }),
                    odor_rate_hz: per_day(&|m, d| m.days[d].odor_rate_hz),
                    blank_rate_hz: per_day(&|m, d| m.days[d].blank_rate_hz),
                    nights: runs[idx[0]].nights.clone(),
                    run_wall_s: idx.iter().map(|&k| runs[k].wall_s).collect(),
                    run_cpu_s: idx.iter().map(|&k| runs[k].cpu_s).collect(),
                }
            })
            .collect();
        let bio_s = runs[0].bio_s;
        Ok(Self {
            quick: options.quick,
            scale_down: 4000 / params.network.n_exc.max(1),
            seed: options.seed,
            network_seeds: seeds.to_vec(),
            params: params.clone(),
            odor_roles: ODOR_ROLES[..n_odors].to_vec(),
            probe_days,
            chance: 1.0 / n_odors as f64,
            conditions,
            bio_s_per_run: bio_s,
            wall_s_per_bio_s: mean(&runs.iter().map(|r| r.wall_s / r.bio_s).collect::<Vec<_>>()),
            wall_s: 0.0,
            cpu_s: None,
            figures: Vec::new(),
        })
    }

    /// The condition `c`.
    pub fn condition(&self, c: Condition) -> Option<&ConditionSummary> {
        self.conditions.iter().find(|s| s.condition == c)
    }
}

impl ConditionSummary {
    /// The group `role`.
    pub fn group(&self, role: Role) -> Option<&GroupSummary> {
        self.groups.iter().find(|g| g.group == role)
    }
}

/// Draw the decoding matrices of the main run (all odors, and per group), r̃ against lag
/// and the retention curves per group (main, C1, C2, C4) and the main run's weight statistics
/// per night; returns the stems written.
pub fn figures(summary: &DriftSummary, out: &Path) -> Result<Vec<String>, EngramError> {
    let days: Vec<String> = summary.probe_days.iter().map(|d| d.to_string()).collect();
    let labels: Vec<&str> = days.iter().map(String::as_str).collect();
    let Some(main) = summary.condition(Condition::Main) else { return Ok(Vec::new()) };
    let mut fig = Figure::new(2, 4).title("Drift: cross-day decoding (train on row day, test on column day), main run");
    let heat = |title: &str, m: &[Vec<f64>]| {
        HeatmapPanel::new(title, "test day", "train day", "accuracy", m).labels(&labels, &labels).value_range(0.0, 1.0)
    };
    fig = fig.panel(heat("all odors", &main.decoding_matrix));
    for g in &main.groups {
        fig = fig.panel(heat(g.group.key(), &g.decoding_matrix));
    }
    fig.save(out.join("drift_decoding")).map_err(plot_err)?;
    let mut lag = Figure::new(2, 2)
        .title("Drift: noise-normalised PV correlation against lag, per schedule group, with the fitted decay");
    for c in [Condition::Main, Condition::FluctuationOnly, Condition::PlasticityOnly, Condition::NoTurnover] {
        let Some(s) = summary.condition(c) else { continue };
        let mut p = LinePanel::new(c.key(), "lag (days)", "r̃");
        let longest = summary.probe_days.last().copied().unwrap_or(0) as f64;
        for g in &s.groups {
            let pts: Vec<(f64, f64)> = g.pv_by_lag.iter().map(|x| (x.lag_days, x.mean_r)).collect();
            p = p.series(g.group.key(), &pts);
            // the fitted r̃(Δ) = c∞ + (1 − c∞) e^(−Δ/τ), from lag 0 to the longest
            if let Some(f) = &g.drift_fit {
                let curve: Vec<(f64, f64)> = (0..=32)
                    .map(|k| {
                        let lag = longest * k as f64 / 32.0;
                        (lag, f.c_inf + (1.0 - f.c_inf) * (-lag / f.tau_days).exp())
                    })
                    .collect();
                p = p.series(&format!("{} fit", g.group.key()), &curve);
            }
        }
        lag = lag.panel(p);
    }
    lag.save(out.join("drift_pv_lag")).map_err(plot_err)?;
    let mut ret = Figure::new(2, 2)
        .title("Drift: responsive-pair retention from day 0 against lag, per schedule group, with the chance floor");
    for c in [Condition::Main, Condition::FluctuationOnly, Condition::PlasticityOnly, Condition::NoTurnover] {
        let Some(s) = summary.condition(c) else { continue };
        let mut p = LinePanel::new(c.key(), "lag (days)", "P(responsive | responsive on day 0)");
        for g in &s.groups {
            let pts: Vec<(f64, f64)> = g.retention_by_probe.iter().map(|x| (x.lag_days, x.retained)).collect();
            p = p.series(g.group.key(), &pts);
        }
        // the floor: the fraction responsive on the later day, mean over the groups
        let n_lags = s.groups.iter().map(|g| g.retention_by_probe.len()).max().unwrap_or(0);
        let floor: Vec<(f64, f64)> = (0..n_lags)
            .filter_map(|k| {
                let at: Vec<&RetentionAt> = s.groups.iter().filter_map(|g| g.retention_by_probe.get(k)).collect();
                (!at.is_empty()).then(|| (at[0].lag_days, mean(&at.iter().map(|x| x.chance).collect::<Vec<_>>())))
            })
            .collect();
        ret = ret.panel(p.series("chance floor", &floor));
    }
    ret.save(out.join("drift_retention")).map_err(plot_err)?;
    // weight statistics per night of the main run (first network)
    let nights = &main.nights;
    let by_day =
        |f: &dyn Fn(&NightStats) -> f64| -> Vec<(f64, f64)> { nights.iter().map(|n| (n.day as f64, f(n))).collect() };
    let weights = Figure::new(2, 2)
        .title("Drift: weights after each night, main run")
        .panel(
            LinePanel::new("log-SD of the weights", "day", "SD of ln w")
                .series("E→E", &by_day(&|n| n.e_e.log_sd))
                .series("I→E", &by_day(&|n| n.i_e.log_sd))
                .series("OB→E", &by_day(&|n| n.ob_e.log_sd)),
        )
        .panel(
            LinePanel::new("correlation of ln w with day 0", "day", "r")
                .series("E→E", &by_day(&|n| n.e_e_log_corr_with_start))
                .series("I→E", &by_day(&|n| n.i_e_log_corr_with_start)),
        )
        .panel(
            LinePanel::new("RMS change of ln w in the exposure block and in the night", "day", "RMS Δ ln w")
                .series("E→E exposure", &by_day(&|n| n.e_e_exposure_log_step_rms))
                .series("I→E exposure", &by_day(&|n| n.i_e_exposure_log_step_rms))
                .series("OB→E exposure", &by_day(&|n| n.ob_e_exposure_log_step_rms))
                .series("E→E night", &by_day(&|n| n.e_e_night_log_step_rms))
                .series("I→E night", &by_day(&|n| n.i_e_night_log_step_rms))
                .series("OB→E night", &by_day(&|n| n.ob_e_night_log_step_rms)),
        )
        .panel(
            LinePanel::new("mean weight (nS) and OB→E turnover", "day", "nS / fraction")
                .series("E→E mean", &by_day(&|n| n.e_e.mean))
                .series("I→E mean", &by_day(&|n| n.i_e.mean))
                .series("OB→E mean", &by_day(&|n| n.ob_e.mean))
                .series("OB→E replaced", &by_day(&|n| n.ob_e_turnover_fraction)),
        );
    weights.save(out.join("drift_weights")).map_err(plot_err)?;
    Ok(vec!["drift_decoding".into(), "drift_pv_lag".into(), "drift_retention".into(), "drift_weights".into()])
}
