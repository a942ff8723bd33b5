//! The per-run measures of the Dp paper (Figs 1–2; docs/models/dp.md#analyses), computed
//! from a [`DpRecording`] of one network and one odor set.
//!
//! Definitions (all on E neurons, odor window = first 1.5 s of each odor, baseline window =
//! the 500 ms before odor onset):
//! - `e_rate_baseline_hz`, `e_rate_odor_hz`, `i_rate_odor_hz`: mean rates;
//! - `assembly_rate_hz`: for learned odor k, the rate of assembly k during odor k; for novel
//!   odors, the rate of all assembly neurons (they have no assembly of their own);
//!   `non_assembly_rate_hz`: neurons in no assembly;
//! - `assembly_rate_after_offset_hz`: the same neurons in the 500 ms after odor offset;
//! - `amplification_in` / `_out`: assembly / non-assembly rate divided by the same in the
//!   corresponding rand network (filled in by the caller, which has both);
//! - `cotuning_r`: per neuron, Pearson r across odors between g_E = g_OB + g_EE and g_I;
//!   mean over neurons (a constant per-neuron baseline does not change r);
//! - `balanced_sd_ratio`: conductances minus each neuron's mean pre-odor conductance, slope k
//!   of g_I = k·g_E fitted over all (neuron, odor) pairs, SD along (1, k) over SD across it,
//!   per neuron, mean over neurons;
//! - `isi_cv_assembly`: ISI CV of assembly neurons during their odor (per neuron and trial
//!   with ≥ 3 spikes), mean;
//! - `pattern_corr`: mean Pearson r between the E rate vectors of different odors;
//! - `g_oe_ns`, `g_syn_ns`: mean odor-evoked change of g_OB and of g_OB + g_EE + g_I over the
//!   pre-odor value; `pct_recurrent`: 100·Δg_EE / (Δg_EE + Δg_OB) on population means (the
//!   authors' code's version; the per-neuron ratio is unstable where both changes are tiny).

use engram_analysis::correlation::mean_pattern_correlation;
use engram_analysis::cotuning::{balanced_axis, mean_cotuning_correlation};
use engram_analysis::isi::isi_cv;
use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::network::DpConnectivity;
use super::simulate::{DpRecording, WindowKind};

/// Whether an odor set is the learned one (odor k ↔ assembly k) or novel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OdorSet {
    /// Learned odors: odor k has assembly k.
    Learned,
    /// Novel odors: no assembly.
    Novel,
}

/// The measures of one run (one network, one odor set).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunMetrics {
    /// Mean E rate before odor onset, Hz.
    pub e_rate_baseline_hz: f64,
    /// Mean E rate during odors, Hz.
    pub e_rate_odor_hz: f64,
    /// Mean I rate during odors, Hz.
    pub i_rate_odor_hz: f64,
    /// Assembly rate during odors, Hz.
    pub assembly_rate_hz: f64,
    /// Rate of neurons in no assembly during odors, Hz.
    pub non_assembly_rate_hz: f64,
    /// Assembly rate ÷ the rand network's (set by the caller; NaN until then).
    pub amplification_in: f64,
    /// Non-assembly rate ÷ the rand network's.
    pub amplification_out: f64,
    /// Assembly rate in the 500 ms after odor offset, Hz.
    pub assembly_rate_after_offset_hz: f64,
    /// E/I co-tuning correlation.
    pub cotuning_r: f64,
    /// Balanced / counter-balanced SD ratio.
    pub balanced_sd_ratio: f64,
    /// Slope of the balanced axis (g_I / g_E).
    pub balanced_axis_slope: f64,
    /// ISI CV of assembly neurons during odors.
    pub isi_cv_assembly: f64,
    /// Mean correlation between odor response patterns.
    pub pattern_corr: f64,
    /// Odor-evoked bulb conductance change, nS.
    pub g_oe_ns: f64,
    /// Odor-evoked total synaptic conductance change, nS.
    pub g_syn_ns: f64,
    /// Recurrent share of the odor-evoked excitatory conductance, %.
    pub pct_recurrent: f64,
}

/// Mean of the values (NaN if there are none).
pub fn mean_of(v: impl IntoIterator<Item = f64>) -> f64 {
    let (s, n) = v.into_iter().fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    if n == 0 { f64::NAN } else { s / n as f64 }
}

fn mean_over_set(values: &[f64], set: &[u32]) -> f64 {
    mean_of(set.iter().map(|&i| values[i as usize]))
}

/// Compute the measures of one recording of `net` with `set` odors.
pub fn run_metrics(rec: &DpRecording, net: &DpConnectivity, set: OdorSet) -> RunMetrics {
    let odor_w: Vec<usize> = rec.windows_of(WindowKind::Odor).collect();
    let pre_w: Vec<usize> = rec.windows_of(WindowKind::Pre).collect();
    let post_w: Vec<usize> = rec.windows_of(WindowKind::Post).collect();
    let n_e = rec.e_counts[0].len();
    let rate = |counts: &Vec<Vec<u32>>, ws: &[usize]| {
        mean_of(
            ws.iter()
                .map(|&w| counts[w].iter().sum::<u32>() as f64 / counts[w].len() as f64 / rec.windows[w].seconds()),
        )
    };
    let union = net.assemblies.union();
    let outside = net.non_assembly();
    let members_for = |w: usize| -> &[u32] {
        match set {
            OdorSet::Learned => net.assemblies[rec.windows[w].odor].members(),
            OdorSet::Novel => &union,
        }
    };
    let set_rate = |ws: &[usize], members: &dyn Fn(usize) -> Vec<u32>| {
        mean_of(ws.iter().map(|&w| mean_over_set(&rec.e_rates_hz(w), &members(w))))
    };
    let assembly_rate_hz = set_rate(&odor_w, &|w| members_for(w).to_vec());
    let assembly_rate_after_offset_hz = set_rate(&post_w, &|w| members_for(w).to_vec());
    let non_assembly_rate_hz = set_rate(&odor_w, &|_| outside.clone());

    // Conductances: odors × neurons, time-averaged over the odor window.
    let stack = |g: &Vec<Vec<f64>>, ws: &[usize]| Array2::from_shape_fn((ws.len(), n_e), |(k, i)| g[ws[k]][i]);
    let g_ob = stack(&rec.g_ob_ns, &odor_w);
    let g_ee = stack(&rec.g_exc_ns, &odor_w);
    let g_i = stack(&rec.g_inh_ns, &odor_w);
    let g_e = &g_ob + &g_ee;
    let cotuning_r = mean_cotuning_correlation(g_e.view(), g_i.view()).ok().flatten().unwrap_or(f64::NAN);
    // one constant baseline per neuron: its mean pre-odor conductance over all trials
    let baseline =
        |g: &Vec<Vec<f64>>| -> Vec<f64> { (0..n_e).map(|i| mean_of(pre_w.iter().map(|&w| g[w][i]))).collect() };
    let (b_ob, b_ee, b_i) = (baseline(&rec.g_ob_ns), baseline(&rec.g_exc_ns), baseline(&rec.g_inh_ns));
    let b_e: Vec<f64> = b_ob.iter().zip(&b_ee).map(|(a, b)| a + b).collect();
    let minus = |g: &Array2<f64>, b: &[f64]| {
        let mut out = g.clone();
        out.rows_mut().into_iter().for_each(|mut row| row.iter_mut().zip(b).for_each(|(x, b)| *x -= b));
        out
    };
    let (de, di) = (minus(&g_e, &b_e), minus(&g_i, &b_i));
    let (balanced_sd_ratio, balanced_axis_slope) = match balanced_axis(de.view(), di.view()) {
        Ok(axis) => (axis.mean_sd_ratio().unwrap_or(f64::NAN), axis.slope),
        Err(_) => (f64::NAN, f64::NAN),
    };
    let d_ob = mean_of(
        odor_w.iter().zip(&pre_w).map(|(&w, &p)| mean_of((0..n_e).map(|i| rec.g_ob_ns[w][i] - rec.g_ob_ns[p][i]))),
    );
    let d_ee = mean_of(
        odor_w.iter().zip(&pre_w).map(|(&w, &p)| mean_of((0..n_e).map(|i| rec.g_exc_ns[w][i] - rec.g_exc_ns[p][i]))),
    );
    let d_i = mean_of(
        odor_w.iter().zip(&pre_w).map(|(&w, &p)| mean_of((0..n_e).map(|i| rec.g_inh_ns[w][i] - rec.g_inh_ns[p][i]))),
    );

    // Rate patterns: odors × neurons.
    let patterns = Array2::from_shape_fn((odor_w.len(), n_e), |(k, i)| {
        rec.e_counts[odor_w[k]][i] as f64 / rec.windows[odor_w[k]].seconds()
    });
    let pattern_corr = mean_pattern_correlation(patterns.view()).unwrap_or(f64::NAN);

    // ISI CV of assembly neurons during their odor window (whole odor: onset to offset).
    let mut per_neuron: Vec<Vec<f64>> = vec![Vec::new(); n_e];
    let mut cvs = Vec::new();
    for &w in &odor_w {
        let start = rec.windows[w].start_ms;
        let end =
            rec.windows.get(w + 1).filter(|x| x.kind == WindowKind::Late).map_or(rec.windows[w].end_ms, |x| x.end_ms);
        per_neuron.iter_mut().for_each(Vec::clear);
        for (&t, &i) in rec.e_spike_times_ms.iter().zip(&rec.e_spike_neurons) {
            if t >= start && t < end {
                per_neuron[i as usize].push(t);
            }
        }
        cvs.extend(members_for(w).iter().filter_map(|&i| isi_cv(&per_neuron[i as usize])));
    }

    RunMetrics {
        e_rate_baseline_hz: rate(&rec.e_counts, &pre_w),
        e_rate_odor_hz: rate(&rec.e_counts, &odor_w),
        i_rate_odor_hz: rate(&rec.i_counts, &odor_w),
        assembly_rate_hz,
        non_assembly_rate_hz,
        amplification_in: f64::NAN,
        amplification_out: f64::NAN,
        assembly_rate_after_offset_hz,
        cotuning_r,
        balanced_sd_ratio,
        balanced_axis_slope,
        isi_cv_assembly: mean_of(cvs),
        pattern_corr,
        g_oe_ns: d_ob,
        g_syn_ns: d_ob + d_ee + d_i,
        pct_recurrent: 100.0 * d_ee / (d_ee + d_ob),
    }
}

/// Mean ± SD over networks of every measure, keyed by name (for `summary.json`).
pub fn mean_sd_table(runs: &[RunMetrics]) -> serde_json::Map<String, serde_json::Value> {
    let rows: Vec<serde_json::Value> = runs.iter().map(|r| serde_json::to_value(r).expect("serialises")).collect();
    let mut out = serde_json::Map::new();
    let Some(first) = rows.first().and_then(|r| r.as_object()) else { return out };
    for key in first.keys() {
        let v: Vec<f64> = rows.iter().filter_map(|r| r[key].as_f64()).filter(|x| x.is_finite()).collect();
        let m = mean_of(v.iter().copied());
        let sd = if v.len() > 1 {
            (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
        } else {
            0.0
        };
        out.insert(key.clone(), serde_json::json!({ "mean": m, "sd": sd, "n": v.len() }));
    }
    out
}
