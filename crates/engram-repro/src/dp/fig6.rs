//! Fig. 6 (continual learning): two assemblies for the correlated odors Y and Z are added to
//! existing Tuned E+I and Scaled I networks without re-tuning α, β, γ or χ (claim 9 of
//! docs/models/dp.md#claims; set-up in docs/models/dp.md#correlated-subspace and
//! docs/models/dp.md#protocols).
//!
//! Protocol (choices where the paper is silent are marked *):
//! - A correlated subspace ([`OdorSubspace::correlated`], adjacent pure odors share half of
//!   their activated and inhibited MCs). *Corners: Y = top-left, Z = top-right (adjacent, so
//!   their assemblies overlap), W = bottom-left, X = bottom-right.
//! - The base networks keep their 15 assemblies of `ctx.odors.learned` (unrelated to the
//!   subspace). "Before": the variant as built by
//!   [`DpConnectivity::with_variant`](engram_models::dp::DpConnectivity::with_variant).
//!   "After": [`add_assemblies`] (in `engram_models::dp::continual`) adds assemblies for Y and Z exactly like the others (top-100 E neurons
//!   by input from the odor's activated MCs; E→E rewiring to the same α target; for Tuned E+I
//!   I assemblies with I→E (β) and E→I (γ) rewiring), continuing the same assembly loop and
//!   random streams as if the network had been built with 17 assemblies.
//! - *Budget: a subset of the 8 trajectories (quick: 1 trajectory, 1 network; full: 3
//!   trajectories, 2 networks), each preceded by 2 s of baseline, 1 s per pixel. Before and
//!   after use the same Poisson draws of the OB (paired comparison).
//! - Patterns: E rate vectors in the two halves of each 1 s presentation (as for QDA,
//!   docs/models/dp.md#distances-and-classification); whole-presentation patterns (mean of the
//!   halves) for rates, correlations and PCA.
//! - Measures: E population rate, rates of the Y/Z (pseudo-)assemblies during Y/Z, output
//!   correlation and Euclidean distance of the mean Y and Z patterns, PCA per condition (PC1–2;
//!   Y–Z distance in PC1–2 relative to the RMS spread of all patterns), d_M and QDA P_target.
//!   *The Y and Z representations are the class means (pure odor plus the mixtures with OB
//!   correlation > 0.6 to it, see below), which are less noisy than the pure-odor patterns alone
//!   with few trajectories; the pure-odor versions are in the JSON too (`*_pure`).
//! - d_M and QDA (docs/models/dp.md#distances-and-classification): class c = half-patterns of
//!   pixels whose OB correlation with pure odor c is > 0.6 (training / reference class Q_c); test
//!   patterns = all other pixels, target = the pure odor with the highest OB correlation (V_c).
//!   Neurons are drawn from the union of the four (pseudo-)assemblies of the pure odors (W and X
//!   never get assemblies). *With a few trajectories a class has far fewer than 80 patterns, so the
//!   number of neurons is min(80, n_min / 2) (n_min = smallest class) and no regularisation is
//!   used: draws with a singular covariance are counted as "not applicable" (the paper: Scaled I).

use engram_analysis::classify::{Qda, select_columns, subsample_neurons};
use engram_analysis::correlation::pearson_correlation;
use engram_analysis::distance::{CovarianceRegularization, mean_mahalanobis_distance};
use engram_analysis::pca::pca;
use engram_core::error::EngramError;
use engram_core::params::Params;
use engram_core::rng::{component_id, stream};
use engram_models::dp::continual::{AddedAssemblies, add_assemblies};
use engram_models::dp::metrics::mean_of;
use engram_models::dp::params::Variant;
use engram_models::dp::simulate::{Protocol, Window, WindowKind, simulate};
use engram_plot::{BarPanel, Figure, ScatterPanel};
use engram_stimuli::odor::{OdorParams, input_correlation};
use engram_stimuli::odor_space::trajectories;
use engram_stimuli::{Corner, Odor, OdorSubspace, Presentation};
use ndarray::{Array2, Axis};
use serde::Serialize;
use serde_json::json;

use super::finite_mean_sd as mean_sd;
use super::{Context, plot_err, write_json};

/// Names of the pure odors, indexed as [`Corner::ALL`] (TL, TR, BL, BR).
pub const ODOR_NAMES: [&str; 4] = ["Y", "Z", "W", "X"];
/// The two odors that get assemblies (indices into [`Corner::ALL`]).
const LEARNED: [usize; 2] = [0, 1];
/// OB correlation above which a mixture joins its pure odor's class
/// (docs/models/dp.md#distances-and-classification).
const CLASS_THRESHOLD: f64 = 0.6;
/// The variants of Fig. 6.
const VARIANTS: [Variant; 2] = [Variant::TUNED_EI, Variant::SCALED_I];

/// One presented pixel.
#[derive(Clone, Debug)]
struct Pixel {
    row: usize,
    col: usize,
    /// OB correlation of the presented mixture with each pure odor.
    corr: [f64; 4],
}

impl Pixel {
    fn pure(&self) -> Option<usize> {
        Corner::ALL.iter().position(|c| c.pixel() == (self.row, self.col))
    }
    fn nearest(&self) -> usize {
        (0..4).max_by(|&a, &b| self.corr[a].total_cmp(&self.corr[b])).unwrap_or(0)
    }
    /// The class (pure odor) of a training pixel: OB correlation > 0.6 with it.
    fn class(&self) -> Option<usize> {
        let c = self.nearest();
        (self.corr[c] > CLASS_THRESHOLD).then_some(c)
    }
}

/// The subspace protocol: the trajectories `trajs`, 2 s of baseline before each, 1 s per
/// pixel, two 500 ms windows per pixel.
fn subspace_protocol(space: &OdorSubspace, trajs: &[usize]) -> (Protocol, Vec<Pixel>) {
    let paths = trajectories();
    let (mut odors, mut presentations, mut windows, mut pixels) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut t = 0.0;
    for &tr in trajs {
        t += 2000.0;
        for &(row, col) in &paths[tr] {
            let odor = space.mixture(row, col, tr);
            let corr = Corner::ALL.map(|c| input_correlation(&odor, space.corner(c)));
            let k = odors.len();
            odors.push(odor);
            presentations.push(Presentation { odor: k, onset_ms: t, duration_ms: 1000.0 });
            let w = |kind, s: f64| Window { presentation: k, odor: k, kind, start_ms: s, end_ms: s + 500.0 };
            windows.push(w(WindowKind::Odor, t));
            windows.push(w(WindowKind::Late, t + 500.0));
            pixels.push(Pixel { row, col, corr });
            t += 1000.0;
        }
    }
    let protocol = Protocol {
        odors,
        presentations,
        duration_ms: t,
        injections: Vec::new(),
        inhibition_playback: None,
        custom_windows: Some(windows),
    };
    (protocol, pixels)
}

/// What one simulation gives the analysis.
struct Sim {
    /// E rates (Hz) per half-window (2 per pixel, in order) and neuron.
    halves: Array2<f64>,
    i_rate_hz: f64,
    added: Option<AddedAssemblies>,
    /// Members of the 15 original assemblies (union).
    old_union: Vec<u32>,
}

/// Measures of one condition (network × variant × before/after).
#[derive(Clone, Debug, Serialize)]
struct Measures {
    e_rate_hz: f64,
    i_rate_hz: f64,
    e_rate_pure_hz: [f64; 4],
    /// Rate of the Y (Z) (pseudo-)assembly during Y (Z), mean of the two.
    yz_assembly_rate_own_hz: f64,
    /// Rate of the Y and Z (pseudo-)assemblies (union) during W and X.
    yz_assembly_rate_wx_hz: f64,
    /// Rate of the Y and Z (pseudo-)assemblies over all subspace odors.
    yz_assembly_rate_all_hz: f64,
    /// Rate of the 15 original assemblies over all subspace odors.
    old_assembly_rate_hz: f64,
    /// Pearson r of the mean E patterns of the four pure odors (4 × 4).
    output_corr_pure: Vec<Vec<f64>>,
    /// Pearson r of the mean E patterns of the four classes (pure odor and the mixtures with
    /// OB correlation > 0.6 to it), 4 × 4.
    output_corr: Vec<Vec<f64>>,
    /// `output_corr[Y][Z]` (class means).
    corr_yz: f64,
    /// `output_corr_pure[Y][Z]`.
    corr_yz_pure: f64,
    /// Euclidean distance of the Y and Z class means, Hz.
    dist_yz_hz: f64,
    /// Euclidean distance of the Y and Z pure-odor means, Hz.
    dist_yz_pure_hz: f64,
    pc_var_ratio: [f64; 2],
    /// Distance of the Y and Z class centroids in PC1–2 / RMS distance of all patterns from
    /// their centroid in PC1–2.
    pc_sep_yz: f64,
    /// PC1–2 of every pixel pattern (for the plot).
    #[serde(skip)]
    pc: Vec<(f64, f64)>,
    /// d_M(V_a, Q_b), mean over neuron draws (rows a = test class, cols b = reference).
    d_m: Vec<Vec<f64>>,
    /// Fraction of neuron draws in which d_M / QDA was applicable (non-singular covariances).
    qda_applicable: f64,
    /// QDA P_target per target pure odor (NaN if never applicable).
    p_target: [f64; 4],
    /// QDA P_target per test pattern's OB correlation bin with its target ([0.2, 0.3), …).
    p_target_by_corr: Vec<(f64, f64)>,
}

fn rows_mean(x: &Array2<f64>, rows: &[usize]) -> Vec<f64> {
    let mut out = vec![0.0; x.ncols()];
    for &r in rows {
        for (o, v) in out.iter_mut().zip(x.row(r)) {
            *o += v;
        }
    }
    out.iter().map(|s| s / rows.len().max(1) as f64).collect()
}

fn cols_mean(x: &Array2<f64>, rows: &[usize], cols: &[u32]) -> f64 {
    mean_of(rows.iter().flat_map(|&r| cols.iter().map(move |&c| x[[r, c as usize]])))
}

fn analyse(
    sim: &Sim,
    pixels: &[Pixel],
    pure_asms: &[Vec<u32>; 4],
    draws: usize,
    seed: u64,
) -> Result<Measures, EngramError> {
    let aerr = |e: engram_analysis::AnalysisError| EngramError::Other(format!("fig6 analysis: {e}"));
    let h = &sim.halves;
    let n_pix = pixels.len();
    let full = Array2::from_shape_fn((n_pix, h.ncols()), |(p, j)| 0.5 * (h[[2 * p, j]] + h[[2 * p + 1, j]]));
    let all: Vec<usize> = (0..n_pix).collect();
    let pure_rows: [Vec<usize>; 4] =
        std::array::from_fn(|c| (0..n_pix).filter(|&p| pixels[p].pure() == Some(c)).collect());
    let e_rate_pure_hz = std::array::from_fn(|c| mean_of(pure_rows[c].iter().flat_map(|&r| full.row(r).to_vec())));
    let class_rows: [Vec<usize>; 4] =
        std::array::from_fn(|c| (0..n_pix).filter(|&p| pixels[p].class() == Some(c)).collect());
    let corr_matrix = |rows: &[Vec<usize>; 4]| -> Vec<Vec<f64>> {
        let means: Vec<Vec<f64>> = rows.iter().map(|r| rows_mean(&full, r)).collect();
        (0..4)
            .map(|a| (0..4).map(|b| pearson_correlation(&means[a], &means[b]).unwrap_or(f64::NAN)).collect())
            .collect()
    };
    let (y, z) = (LEARNED[0], LEARNED[1]);
    let dist = |rows: &[Vec<usize>; 4]| {
        let (a, b) = (rows_mean(&full, &rows[y]), rows_mean(&full, &rows[z]));
        a.iter().zip(&b).map(|(a, b)| (a - b).powi(2)).sum::<f64>().sqrt()
    };
    let (output_corr, output_corr_pure) = (corr_matrix(&class_rows), corr_matrix(&pure_rows));
    let yz_union: Vec<u32> = {
        let mut u: Vec<u32> = pure_asms[y].iter().chain(&pure_asms[z]).copied().collect();
        u.sort_unstable();
        u.dedup();
        u
    };
    let wx_rows: Vec<usize> = pure_rows[2].iter().chain(&pure_rows[3]).copied().collect();

    // PCA of this condition's whole-presentation patterns.
    let p = pca(full.view(), 2).map_err(aerr)?;
    let pc: Vec<(f64, f64)> = p.projections.rows().into_iter().map(|r| (r[0], r[1])).collect();
    let centroid = (mean_of(pc.iter().map(|q| q.0)), mean_of(pc.iter().map(|q| q.1)));
    let rms = mean_of(pc.iter().map(|q| (q.0 - centroid.0).powi(2) + (q.1 - centroid.1).powi(2))).sqrt();
    let pc_mean = |rows: &[usize]| (mean_of(rows.iter().map(|&r| pc[r].0)), mean_of(rows.iter().map(|&r| pc[r].1)));
    let (py, pz) = (pc_mean(&class_rows[y]), pc_mean(&class_rows[z]));
    let pc_sep_yz = ((py.0 - pz.0).powi(2) + (py.1 - pz.1).powi(2)).sqrt() / rms;

    // Classes for d_M and QDA, on half-patterns.
    let mut train: [Vec<usize>; 4] = Default::default();
    let mut test: [Vec<usize>; 4] = Default::default();
    let mut test_corr: Vec<(usize, usize, f64)> = Vec::new(); // (half row, target, OB corr)
    for (k, px) in pixels.iter().enumerate() {
        for half in [2 * k, 2 * k + 1] {
            match px.class() {
                Some(c) => train[c].push(half),
                None => {
                    let c = px.nearest();
                    test[c].push(half);
                    test_corr.push((half, c, px.corr[c]));
                }
            }
        }
    }
    let n_min = train.iter().map(Vec::len).min().unwrap_or(0);
    let mut union4: Vec<u32> = pure_asms.iter().flatten().copied().collect();
    union4.sort_unstable();
    union4.dedup();
    let m = (n_min / 2).min(80).min(union4.len());
    let mut d_sum = vec![vec![0.0; 4]; 4];
    let mut d_n = vec![vec![0usize; 4]; 4];
    let mut hits = [0usize; 4];
    let mut tried = [0usize; 4];
    let bins: Vec<f64> = (2..10).map(|b| b as f64 / 10.0).collect();
    let mut bin_hits = vec![(0usize, 0usize); bins.len()];
    let mut applicable = 0usize;
    let mut rng = stream(seed, component_id("fig6:neurons"), 0);
    for _ in 0..if m >= 2 { draws } else { 0 } {
        let idx = subsample_neurons(union4.len(), m, &mut rng).map_err(aerr)?;
        let cols: Vec<usize> = idx.iter().map(|&i| union4[i] as usize).collect();
        let x = select_columns(h.view(), &cols);
        let class_x: Vec<Array2<f64>> = train.iter().map(|r| x.select(Axis(0), r)).collect();
        for a in 0..4 {
            let v = x.select(Axis(0), &test[a]);
            if v.nrows() == 0 {
                continue;
            }
            for b in 0..4 {
                if let Ok(d) = mean_mahalanobis_distance(v.view(), class_x[b].view(), CovarianceRegularization::None) {
                    d_sum[a][b] += d;
                    d_n[a][b] += 1;
                }
            }
        }
        let rows: Vec<usize> = train.iter().flatten().copied().collect();
        let labels: Vec<usize> = (0..4).flat_map(|c| std::iter::repeat_n(c, train[c].len())).collect();
        let Ok(qda) = Qda::fit(x.select(Axis(0), &rows).view(), &labels, CovarianceRegularization::None) else {
            continue;
        };
        applicable += 1;
        for &(r, c, corr) in &test_corr {
            let ok = qda.predict(x.row(r)) == c;
            tried[c] += 1;
            hits[c] += usize::from(ok);
            if let Some(b) = bins.iter().rposition(|&lo| corr >= lo) {
                bin_hits[b].0 += usize::from(ok);
                bin_hits[b].1 += 1;
            }
        }
    }
    let d_m = (0..4)
        .map(|a| (0..4).map(|b| if d_n[a][b] > 0 { d_sum[a][b] / d_n[a][b] as f64 } else { f64::NAN }).collect())
        .collect();
    let p_target = std::array::from_fn(|c| if tried[c] > 0 { hits[c] as f64 / tried[c] as f64 } else { f64::NAN });
    let p_target_by_corr = bins
        .iter()
        .zip(&bin_hits)
        .filter(|(_, h)| h.1 > 0)
        .map(|(&lo, h)| (lo + 0.05, h.0 as f64 / h.1 as f64))
        .collect();
    Ok(Measures {
        e_rate_hz: mean_of(full.iter().copied()),
        i_rate_hz: sim.i_rate_hz,
        e_rate_pure_hz,
        yz_assembly_rate_own_hz: 0.5
            * (cols_mean(&full, &pure_rows[y], &pure_asms[y]) + cols_mean(&full, &pure_rows[z], &pure_asms[z])),
        yz_assembly_rate_wx_hz: cols_mean(&full, &wx_rows, &yz_union),
        yz_assembly_rate_all_hz: cols_mean(&full, &all, &yz_union),
        old_assembly_rate_hz: cols_mean(&full, &all, &sim.old_union),
        corr_yz: output_corr[y][z],
        corr_yz_pure: output_corr_pure[y][z],
        output_corr,
        output_corr_pure,
        dist_yz_hz: dist(&class_rows),
        dist_yz_pure_hz: dist(&pure_rows),
        pc_var_ratio: [p.explained_variance_ratio[0], p.explained_variance_ratio[1]],
        pc_sep_yz,
        pc,
        d_m,
        qda_applicable: if draws > 0 && m >= 2 { applicable as f64 / draws as f64 } else { 0.0 },
        p_target,
        p_target_by_corr,
    })
}

/// Run Fig. 6.
pub fn run(ctx: &Context) -> Result<serde_json::Value, EngramError> {
    let cpu0 = engram_sim::cputime::process_cpu_s();
    let t0 = std::time::Instant::now();
    let dir = ctx.figure_dir("fig6")?;
    let quick = ctx.options.quick;
    let trajs: Vec<usize> = if quick { vec![0] } else { vec![0, 7, 3] };
    let n_nets = if quick { 1 } else { 2 }.min(ctx.instances.len());
    let draws = if quick { 10 } else { 50 };
    let template = &ctx.instances[0].config;
    let odor_params = OdorParams {
        n_mitral_cells: template.n_mitral_cells,
        n_activated: template.n_mitral_cells / 10,
        n_inhibited: template.n_mitral_cells / 20,
        ..OdorParams::default()
    }
    .check()?;
    let space = OdorSubspace::correlated(&odor_params, 0.5, ctx.options.seed ^ 0xF16)?;
    let input_corr: Vec<Vec<f64>> =
        (0..4).map(|a| (0..4).map(|b| input_correlation(&space.corners()[a], &space.corners()[b])).collect()).collect();
    let (protocol, pixels) = subspace_protocol(&space, &trajs);
    let yz_odors: Vec<Odor> = LEARNED.iter().map(|&c| space.corners()[c].clone()).collect();

    let jobs: Vec<(usize, Variant, bool)> = (0..n_nets)
        .flat_map(|i| VARIANTS.iter().flat_map(move |&v| [false, true].map(|after| (i, v, after))))
        .collect();
    let sims = ctx.run_jobs("Fig 6: before/after learning", &jobs, |&(i, variant, after)| {
        let inst = &ctx.instances[i];
        let (net, _) = inst.base.with_variant(&inst.config, variant, inst.network_seed)?;
        let old_union = net.assemblies.union();
        let (net, added) = if after {
            let (n, a) = add_assemblies(&inst.config, variant, &inst.base, &net, &yz_odors, inst.network_seed)?;
            (n, Some(a))
        } else {
            (net, None)
        };
        let rec = simulate(&inst.config, &net, &protocol, inst.network_seed ^ 0xF166, ctx.dt_ms, None)?;
        let halves = Array2::from_shape_fn((rec.e_counts.len(), inst.config.n_exc), |(w, j)| {
            rec.e_counts[w][j] as f64 / rec.windows[w].seconds()
        });
        let i_rate_hz = mean_of(rec.i_counts.iter().zip(&rec.windows).flat_map(|(c, w)| {
            let s = w.seconds();
            c.iter().map(move |&x| x as f64 / s)
        }));
        Ok(Sim { halves, i_rate_hz, added, old_union })
    })?;

    // (Pseudo-)assemblies of the four pure odors per network: built like the others, so the
    // Y and Z ones are exactly the assemblies added "after".
    let pure_asms: Vec<[Vec<u32>; 4]> = (0..n_nets)
        .map(|i| {
            let inst = &ctx.instances[i];
            let (_, a) = add_assemblies(
                &inst.config,
                Variant::Rand,
                &inst.base,
                &inst.base,
                space.corners(),
                inst.network_seed,
            )?;
            Ok(std::array::from_fn(|c| a.e[c].members().to_vec()))
        })
        .collect::<Result<_, EngramError>>()?;
    let measures: Vec<Measures> = jobs
        .iter()
        .zip(&sims)
        .map(|(&(i, _, _), sim)| analyse(sim, &pixels, &pure_asms[i], draws, ctx.instances[i].network_seed))
        .collect::<Result<_, _>>()?;

    // Summaries: mean ± SD over networks for each variant and phase.
    let phase = |after: bool| if after { "after" } else { "before" };
    let pick = |v: Variant, after: bool| -> Vec<&Measures> {
        jobs.iter().zip(&measures).filter(|(j, _)| j.1 == v && j.2 == after).map(|(_, m)| m).collect()
    };
    let stat = |v: Variant, after: bool, f: &dyn Fn(&Measures) -> f64| {
        mean_sd(&pick(v, after).iter().map(|m| f(m)).collect::<Vec<_>>())
    };
    type Field = (&'static str, fn(&Measures) -> f64);
    let fields: [Field; 16] = [
        ("e_rate_hz", |m| m.e_rate_hz),
        ("i_rate_hz", |m| m.i_rate_hz),
        ("e_rate_pure_yz_hz", |m| 0.5 * (m.e_rate_pure_hz[0] + m.e_rate_pure_hz[1])),
        ("e_rate_pure_wx_hz", |m| 0.5 * (m.e_rate_pure_hz[2] + m.e_rate_pure_hz[3])),
        ("yz_assembly_rate_own_hz", |m| m.yz_assembly_rate_own_hz),
        ("yz_assembly_rate_wx_hz", |m| m.yz_assembly_rate_wx_hz),
        ("yz_assembly_rate_all_hz", |m| m.yz_assembly_rate_all_hz),
        ("old_assembly_rate_hz", |m| m.old_assembly_rate_hz),
        ("corr_yz", |m| m.corr_yz),
        ("corr_wx", |m| m.output_corr[2][3]),
        ("corr_yz_pure", |m| m.corr_yz_pure),
        ("dist_yz_hz", |m| m.dist_yz_hz),
        ("dist_yz_pure_hz", |m| m.dist_yz_pure_hz),
        ("pc_sep_yz", |m| m.pc_sep_yz),
        ("p_target_yz", |m| 0.5 * (m.p_target[0] + m.p_target[1])),
        ("p_target_wx", |m| 0.5 * (m.p_target[2] + m.p_target[3])),
    ];
    let mut per_variant = serde_json::Map::new();
    for v in VARIANTS {
        let mut obj = serde_json::Map::new();
        for after in [false, true] {
            let mut ph = serde_json::Map::new();
            for (name, f) in &fields {
                let (m, s) = stat(v, after, f);
                ph.insert((*name).into(), json!([m, s]));
            }
            for (name, (a, b)) in
                [("d_m_vy_qz", (0, 1)), ("d_m_vz_qy", (1, 0)), ("d_m_vw_qx", (2, 3)), ("d_m_vx_qw", (3, 2))]
            {
                let (m, s) = stat(v, after, &|m: &Measures| m.d_m[a][b]);
                ph.insert(name.into(), json!([m, s]));
            }
            let per_net: Vec<&Measures> = pick(v, after);
            ph.insert("per_network".into(), serde_json::to_value(per_net).expect("serialises"));
            obj.insert(phase(after).into(), ph.into());
        }
        let added: Vec<&AddedAssemblies> =
            jobs.iter().zip(&sims).filter(|(j, _)| j.1 == v && j.2).filter_map(|(_, s)| s.added.as_ref()).collect();
        obj.insert(
            "added".into(),
            json!({
                "overlap": mean_sd(&added.iter().map(|a| a.overlap).collect::<Vec<_>>()),
                "alpha": mean_sd(&added.iter().map(|a| a.alpha).collect::<Vec<_>>()),
                "beta": mean_sd(&added.iter().map(|a| a.beta).collect::<Vec<_>>()),
                "gamma": mean_sd(&added.iter().map(|a| a.gamma).collect::<Vec<_>>()),
                "e_e_targets": added.iter().map(|a| a.e_e_targets.clone()).collect::<Vec<_>>(),
            }),
        );
        obj.insert("label".into(), v.label().into());
        per_variant.insert(v.name().into(), obj.into());
    }

    // PCA panels (first network): before / after × variant.
    let mut fig = Figure::new(2, 2).title("Fig. 6 — PC1–2 of E patterns (network 1; per condition)").size(1400, 1200);
    for v in VARIANTS {
        for after in [false, true] {
            let m = pick(v, after)[0];
            // 8 groups (the palette's 8 colours): the four classes, other mixtures, then the
            // pure odors drawn again on top.
            let mut groups: Vec<(String, Vec<(f64, f64)>)> =
                ODOR_NAMES.iter().map(|n| (format!("{n} + mixtures r > 0.6"), Vec::new())).collect();
            for name in ["other mixtures", "pure Y", "pure Z", "pure W, X"] {
                groups.push((name.into(), Vec::new()));
            }
            for (k, px) in pixels.iter().enumerate() {
                groups[px.class().unwrap_or(4)].1.push(m.pc[k]);
                if let Some(c) = px.pure() {
                    groups[5 + c.min(2)].1.push(m.pc[k]);
                }
            }
            let title = format!(
                "{} {} (PC1 {:.0} %, PC2 {:.0} %)",
                v.label(),
                phase(after),
                100.0 * m.pc_var_ratio[0],
                100.0 * m.pc_var_ratio[1]
            );
            let mut panel = ScatterPanel::new(&title, "PC1", "PC2");
            for (name, pts) in &groups {
                panel = panel.group(name, pts);
            }
            fig = fig.panel(panel);
        }
    }
    fig.save(dir.join("fig6_pca")).map_err(plot_err)?;

    let cats = ["Tuned E+I", "Scaled I"];
    let bars = |title: &str, ylabel: &str, f: &dyn Fn(&Measures) -> f64| {
        let mut p = BarPanel::new(title, ylabel, &cats);
        for after in [false, true] {
            let s: Vec<(f64, f64)> = VARIANTS.iter().map(|&v| stat(v, after, f)).collect();
            p = p.group(
                phase(after),
                &s.iter().map(|x| x.0).collect::<Vec<_>>(),
                &s.iter().map(|x| x.1).collect::<Vec<_>>(),
            );
        }
        p
    };
    Figure::new(2, 4)
        .title(&format!(
            "Fig. 6 — before/after adding assemblies for Y and Z (mean ± SD over {n_nets} network(s), {} trajectories)",
            trajs.len()
        ))
        .size(2200, 1000)
        .panel(bars("E rate, all subspace odors", "Hz", &|m| m.e_rate_hz))
        .panel(bars("Y/Z assembly rate during Y/Z", "Hz", &|m| m.yz_assembly_rate_own_hz))
        .panel(bars("Y∪Z assembly rate during W, X", "Hz", &|m| m.yz_assembly_rate_wx_hz))
        .panel(bars("output corr of Y and Z class means", "r", &|m| m.corr_yz))
        .panel(bars("‖μ_Y − μ_Z‖ (class means)", "Hz", &|m| m.dist_yz_hz))
        .panel(bars("Y–Z class distance in PC1–2 / RMS spread", "ratio", &|m| m.pc_sep_yz))
        .panel(bars("d_M(V_Y, Q_Z), d_M(V_Z, Q_Y) (n/a: singular)", "d_M", &|m| 0.5 * (m.d_m[0][1] + m.d_m[1][0])))
        .panel(bars("QDA P_target, Y and Z (n/a: singular)", "P", &|m| 0.5 * (m.p_target[0] + m.p_target[1])))
        .save(dir.join("fig6_measures"))
        .map_err(plot_err)?;

    let cpu_s = match (cpu0, engram_sim::cputime::process_cpu_s()) {
        (Some(a), Some(b)) => b - a,
        _ => f64::NAN,
    };
    let n_train: Vec<usize> = (0..4).map(|c| 2 * pixels.iter().filter(|p| p.class() == Some(c)).count()).collect();
    let result = json!({
        "protocol": {
            "trajectories": trajs,
            "networks": ctx.instances[..n_nets].iter().map(|i| i.label()).collect::<Vec<_>>(),
            "odor_names_tl_tr_bl_br": ODOR_NAMES,
            "learned_new": ["Y", "Z"],
            "simulated_s_per_condition": protocol.duration_ms / 1000.0,
            "neuron_draws": draws,
            "neurons_per_draw": (n_train.iter().min().copied().unwrap_or(0) / 2).min(80),
            "training_half_patterns_per_class": n_train,
        },
        "input_corr": input_corr,
        "variants": per_variant,
        "cpu_s": cpu_s,
        "wall_s": t0.elapsed().as_secs_f64(),
    });
    write_json(&dir.join("fig6.json"), &result)?;
    Ok(result)
}
