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
//!   "After": [`add_assemblies`] (in `engram_models::dp::continual`) adds assemblies for Y and
//!   Z exactly like the others (top-100 E neurons by input from the odor's activated MCs; E→E
//!   rewiring to the same α target; for Tuned E+I I assemblies with I→E (β) and E→I (γ)
//!   rewiring), continuing the same assembly loop and random streams as if the network had been
//!   built with 17 assemblies.
//! - *Budget: a subset of the 8 trajectories (quick: 1 trajectory, 1 network; full: 3
//!   trajectories, 2 networks), each preceded by 2 s of baseline, 1 s per pixel (the protocol
//!   of Figs 4–5, [`Subspace::on`]). Before and after use the same Poisson draws of the OB
//!   (paired comparison). *OB correlations of a mixture with the pure odors are over the first
//!   2 s of the odors ([`input_correlation`]'s window), although each pixel lasts 1 s.
//! - Patterns: E rate vectors in the two halves of each 1 s presentation (as for QDA,
//!   docs/models/dp.md#distances-and-classification); whole-presentation patterns (mean of the
//!   halves) for rates, correlations and PCA.
//! - Measures: E population rate, rates of the Y/Z (pseudo-)assemblies during Y/Z, output
//!   correlation and Euclidean distance of the mean Y and Z patterns, PCA per condition (PC1–2;
//!   Y–Z distance in PC1–2 relative to the RMS spread of all patterns, and, as a second
//!   reading of the paper's "separation in PC space", relative to the Y and Z classes' own
//!   spread: a d′), d_M and QDA P_target.
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
//!
//! [`run`] simulates every condition, analyses each (`analysis`), summarises them over
//! networks ([`Fig6Summary`]) and draws the panels from the summary (`panels`).

use std::collections::BTreeMap;

use engram_core::error::EngramError;
use engram_core::params::Params;
use engram_models::dp::continual::{AddedAssemblies, add_assemblies};
use engram_models::dp::metrics::mean_of;
use engram_models::dp::params::Variant;
use engram_models::dp::simulate::simulate;
use engram_models::dp::subspace::{Subspace, half_rates};
use engram_stimuli::odor::{ODOR_DURATION_MS, OdorParams, input_correlation};
use engram_stimuli::{Odor, OdorSubspace};
use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::{Context, CpuClock, MeanSd, null_as_nan, plot_err, write_summary};

mod analysis;
mod panels;

pub use analysis::Measures;
use analysis::{Presentations, Sim, analyse};

/// Names of the pure odors, indexed as [`Corner::ALL`](engram_stimuli::Corner::ALL) (TL, TR,
/// BL, BR).
pub const ODOR_NAMES: [&str; 4] = ["Y", "Z", "W", "X"];
/// The two odors that get assemblies (indices into [`Corner::ALL`](engram_stimuli::Corner::ALL)).
const LEARNED: [usize; 2] = [0, 1];
/// The variants of Fig. 6.
const VARIANTS: [Variant; 2] = [Variant::TUNED_EI, Variant::SCALED_I];

/// What `fig6.json` (and `"fig6"` of `summary.json`) holds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Fig6Summary {
    /// The protocol of this run.
    pub protocol: Fig6Protocol,
    /// OB input correlation between the pure odors (Y, Z, W, X), 4 × 4.
    #[serde(deserialize_with = "null_as_nan::matrix")]
    pub input_corr: Vec<Vec<f64>>,
    /// Per variant (by name): the conditions before and after adding the assemblies.
    pub variants: BTreeMap<String, Fig6Variant>,
    /// CPU time of the process over this figure, s.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub cpu_s: f64,
    /// Wall-clock time of this figure, s.
    pub wall_s: f64,
}

/// The protocol of a Fig. 6 run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Fig6Protocol {
    /// Trajectories presented (indices into `engram_stimuli::odor_space::trajectories`).
    pub trajectories: Vec<usize>,
    /// Labels of the networks used.
    pub networks: Vec<String>,
    /// Names of the pure odors at the top-left, top-right, bottom-left, bottom-right corners.
    pub odor_names_tl_tr_bl_br: Vec<String>,
    /// The pure odors that get new assemblies.
    pub learned_new: Vec<String>,
    /// Simulated time per condition, s.
    pub simulated_s_per_condition: f64,
    /// Neuron draws of d_M and QDA.
    pub neuron_draws: usize,
    /// Neurons per draw: min(80, smallest class / 2).
    pub neurons_per_draw: usize,
    /// Training half-patterns per class (Y, Z, W, X).
    pub training_half_patterns_per_class: Vec<usize>,
}

/// One variant before and after adding the Y/Z assemblies.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Fig6Variant {
    /// The variant as built.
    pub before: PhaseStats,
    /// With the Y/Z assemblies added.
    pub after: PhaseStats,
    /// What adding the assemblies achieved, over networks.
    pub added: AddedStats,
    /// Label with the variant's parameters.
    pub label: String,
}

/// The measures of one phase (before or after), mean ± SD over networks (see [`Measures`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PhaseStats {
    /// Mean E rate over all subspace odors, Hz.
    pub e_rate_hz: MeanSd,
    /// Mean I rate, Hz.
    pub i_rate_hz: MeanSd,
    /// Mean E rate during Y and Z (mean of the two), Hz.
    pub e_rate_pure_yz_hz: MeanSd,
    /// Mean E rate during W and X (mean of the two), Hz.
    pub e_rate_pure_wx_hz: MeanSd,
    /// Rate of the Y (Z) (pseudo-)assembly during Y (Z), Hz.
    pub yz_assembly_rate_own_hz: MeanSd,
    /// Rate of the Y and Z (pseudo-)assemblies during W and X, Hz.
    pub yz_assembly_rate_wx_hz: MeanSd,
    /// Rate of the Y and Z (pseudo-)assemblies over all subspace odors, Hz.
    pub yz_assembly_rate_all_hz: MeanSd,
    /// Rate of the 15 original assemblies over all subspace odors, Hz.
    pub old_assembly_rate_hz: MeanSd,
    /// Output correlation of the Y and Z class means.
    pub corr_yz: MeanSd,
    /// Output correlation of the W and X class means.
    pub corr_wx: MeanSd,
    /// Output correlation of the Y and Z pure-odor means.
    pub corr_yz_pure: MeanSd,
    /// Euclidean distance of the Y and Z class means, Hz.
    pub dist_yz_hz: MeanSd,
    /// Euclidean distance of the Y and Z pure-odor means, Hz.
    pub dist_yz_pure_hz: MeanSd,
    /// Y–Z class distance in PC1–2 / RMS spread.
    pub pc_sep_yz: MeanSd,
    /// Y–Z class distance in PC1–2 / the Y and Z classes' own spread (d′; absent in summaries
    /// written before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pc_dprime_yz: Option<MeanSd>,
    /// QDA P_target of Y and Z (mean of the two).
    pub p_target_yz: MeanSd,
    /// QDA P_target of W and X (mean of the two).
    pub p_target_wx: MeanSd,
    /// d_M(V_Y, Q_Z).
    pub d_m_vy_qz: MeanSd,
    /// d_M(V_Z, Q_Y).
    pub d_m_vz_qy: MeanSd,
    /// d_M(V_W, Q_X).
    pub d_m_vw_qx: MeanSd,
    /// d_M(V_X, Q_W).
    pub d_m_vx_qw: MeanSd,
    /// Every measure of each network.
    pub per_network: Vec<Measures>,
}

impl PhaseStats {
    /// The statistics over the networks' `measures`.
    fn over(measures: Vec<Measures>) -> Self {
        let stat = |f: &dyn Fn(&Measures) -> f64| MeanSd::of_finite(&measures.iter().map(f).collect::<Vec<_>>());
        Self {
            e_rate_hz: stat(&|m| m.e_rate_hz),
            i_rate_hz: stat(&|m| m.i_rate_hz),
            e_rate_pure_yz_hz: stat(&|m| 0.5 * (m.e_rate_pure_hz[0] + m.e_rate_pure_hz[1])),
            e_rate_pure_wx_hz: stat(&|m| 0.5 * (m.e_rate_pure_hz[2] + m.e_rate_pure_hz[3])),
            yz_assembly_rate_own_hz: stat(&|m| m.yz_assembly_rate_own_hz),
            yz_assembly_rate_wx_hz: stat(&|m| m.yz_assembly_rate_wx_hz),
            yz_assembly_rate_all_hz: stat(&|m| m.yz_assembly_rate_all_hz),
            old_assembly_rate_hz: stat(&|m| m.old_assembly_rate_hz),
            corr_yz: stat(&|m| m.corr_yz),
            corr_wx: stat(&|m| m.output_corr[2][3]),
            corr_yz_pure: stat(&|m| m.corr_yz_pure),
            dist_yz_hz: stat(&|m| m.dist_yz_hz),
            dist_yz_pure_hz: stat(&|m| m.dist_yz_pure_hz),
            pc_sep_yz: stat(&|m| m.pc_sep_yz),
            pc_dprime_yz: Some(stat(&|m| m.pc_dprime_yz)),
            p_target_yz: stat(&|m| 0.5 * (m.p_target[0] + m.p_target[1])),
            p_target_wx: stat(&|m| 0.5 * (m.p_target[2] + m.p_target[3])),
            d_m_vy_qz: stat(&|m| m.d_m[0][1]),
            d_m_vz_qy: stat(&|m| m.d_m[1][0]),
            d_m_vw_qx: stat(&|m| m.d_m[2][3]),
            d_m_vx_qw: stat(&|m| m.d_m[3][2]),
            per_network: measures,
        }
    }
}

/// The assemblies added for Y and Z, mean ± SD over networks.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AddedStats {
    /// Fraction of the Y assembly's members also in Z's.
    pub overlap: MeanSd,
    /// Achieved α of the new assemblies.
    pub alpha: MeanSd,
    /// Achieved β (NaN without I assemblies).
    pub beta: MeanSd,
    /// Achieved γ (NaN unless Tuned E+I).
    pub gamma: MeanSd,
    /// E→E target counts of the new assemblies, per network.
    pub e_e_targets: Vec<Vec<u32>>,
}

impl AddedStats {
    fn over(added: &[&AddedAssemblies]) -> Self {
        let stat = |f: fn(&AddedAssemblies) -> f64| MeanSd::of_finite(&added.iter().map(|a| f(a)).collect::<Vec<_>>());
        Self {
            overlap: stat(|a| a.overlap),
            alpha: stat(|a| a.alpha),
            beta: stat(|a| a.beta),
            gamma: stat(|a| a.gamma),
            e_e_targets: added.iter().map(|a| a.e_e_targets.clone()).collect(),
        }
    }
}

/// The phase names of the summary.
fn phase(after: bool) -> &'static str {
    if after { "after" } else { "before" }
}

/// Run Fig. 6.
pub fn run(ctx: &Context) -> Result<Fig6Summary, EngramError> {
    let cpu = CpuClock::start();
    let t0 = std::time::Instant::now();
    let dir = ctx.figure_dir("fig6")?;
    let quick = ctx.options.quick;
    let trajectories: Vec<usize> = if quick { vec![0] } else { vec![0, 7, 3] };
    let n_nets = if quick { 1 } else { 2 }.min(ctx.instances.len());
    let draws = if quick { 10 } else { 50 };
    let space = correlated_subspace(ctx)?;
    let sub = Subspace::on(&space, &trajectories, ODOR_DURATION_MS);
    let pres = Presentations::of(&sub);
    let jobs: Vec<(usize, Variant, bool)> = (0..n_nets)
        .flat_map(|i| VARIANTS.iter().flat_map(move |&v| [false, true].map(|after| (i, v, after))))
        .collect();
    let sims = simulate_conditions(ctx, &sub, &jobs)?;
    let pure_asms = pure_odor_assemblies(ctx, &space, n_nets)?;
    let measures: Vec<Measures> = jobs
        .iter()
        .zip(&sims)
        .map(|(&(i, _, _), sim)| analyse(sim, &pres, &pure_asms[i], draws, ctx.instances[i].network_seed))
        .collect::<Result<_, _>>()?;
    let phase_of = |v: Variant, after: bool| {
        let picked = jobs.iter().zip(&measures).filter(|(j, _)| j.1 == v && j.2 == after);
        PhaseStats::over(picked.map(|(_, m)| m.clone()).collect())
    };
    let mut variants = BTreeMap::new();
    for v in VARIANTS {
        let (before, after) = (phase_of(v, false), phase_of(v, true));
        let added: Vec<&AddedAssemblies> =
            jobs.iter().zip(&sims).filter(|(j, _)| j.1 == v && j.2).filter_map(|(_, s)| s.added.as_ref()).collect();
        let stats = Fig6Variant { before, after, added: AddedStats::over(&added), label: v.label() };
        variants.insert(v.name().to_string(), stats);
    }
    let n_train = pres.training_halves_per_class();
    let mut summary = Fig6Summary {
        protocol: Fig6Protocol {
            trajectories,
            networks: ctx.instances[..n_nets].iter().map(|i| i.label()).collect(),
            odor_names_tl_tr_bl_br: ODOR_NAMES.map(String::from).to_vec(),
            learned_new: LEARNED.iter().map(|&c| ODOR_NAMES[c].to_string()).collect(),
            simulated_s_per_condition: sub.duration_ms / 1000.0,
            neuron_draws: draws,
            neurons_per_draw: (n_train.iter().min().copied().unwrap_or(0) / 2).min(80),
            training_half_patterns_per_class: n_train.to_vec(),
        },
        input_corr: (0..4)
            .map(|a| (0..4).map(|b| input_correlation(&space.corners()[a], &space.corners()[b])).collect())
            .collect(),
        variants,
        cpu_s: f64::NAN,
        wall_s: f64::NAN,
    };
    panels::pca(&summary, &pres).save(dir.join("fig6_pca")).map_err(plot_err)?;
    panels::measures(&summary).save(dir.join("fig6_measures")).map_err(plot_err)?;
    summary.cpu_s = cpu.elapsed_s();
    summary.wall_s = t0.elapsed().as_secs_f64();
    write_summary(&dir.join("fig6.json"), &summary)?;
    Ok(summary)
}

/// The correlated subspace (adjacent pure odors share half of their activated and inhibited
/// MCs), with odors of the networks' size.
fn correlated_subspace(ctx: &Context) -> Result<OdorSubspace, EngramError> {
    let template = &ctx.instances[0].config;
    let odor_params = OdorParams {
        n_mitral_cells: template.n_mitral_cells,
        n_activated: template.n_mitral_cells / 10,
        n_inhibited: template.n_mitral_cells / 20,
        ..OdorParams::default()
    }
    .check()?;
    Ok(OdorSubspace::correlated(&odor_params, 0.5, ctx.options.seed ^ 0xF16)?)
}

/// Simulate every condition `(network, variant, after)` of `jobs` on the subspace protocol.
fn simulate_conditions(
    ctx: &Context,
    sub: &Subspace,
    jobs: &[(usize, Variant, bool)],
) -> Result<Vec<Sim>, EngramError> {
    let protocol = sub.protocol();
    let yz_odors: Vec<Odor> = LEARNED.iter().map(|&c| sub.corners[c].clone()).collect();
    ctx.run_jobs("Fig 6: before/after learning", jobs, |&(i, variant, after)| {
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
        // the two halves of each presentation in time order: rows 2k, 2k + 1
        let (first, second) = half_rates(&rec);
        let halves = Array2::from_shape_fn((2 * first.nrows(), first.ncols()), |(w, j)| {
            if w % 2 == 0 { first[[w / 2, j]] } else { second[[w / 2, j]] }
        });
        let i_rate_hz = mean_of(rec.i_counts.iter().zip(&rec.windows).flat_map(|(c, w)| {
            let s = w.seconds();
            c.iter().map(move |&x| x as f64 / s)
        }));
        Ok(Sim { halves, i_rate_hz, added, old_union })
    })
}

/// (Pseudo-)assemblies of the four pure odors per network: built like the others, so the
/// Y and Z ones are exactly the assemblies added "after".
fn pure_odor_assemblies(ctx: &Context, space: &OdorSubspace, n_nets: usize) -> Result<Vec<[Vec<u32>; 4]>, EngramError> {
    (0..n_nets)
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
        .collect()
}

impl Fig6Summary {
    /// The Fig. 6 section of `summary.md`: rates and the Y/Z correlation before → after.
    pub fn key_numbers(&self) -> String {
        let mut out = String::from(
            "## Fig. 6: continual learning, before → after adding the Y/Z assemblies (paper: Tuned E+I keeps its rate and separates Y and Z; Scaled I's rate rises and Y and Z merge)\n\n",
        );
        out += "| variant | E rate, Hz | Y/Z assembly rate, Hz | Y/Z correlation (pure odors) |\n|---|---|---|---|\n";
        for (name, v) in &self.variants {
            let (b, a) = (&v.before, &v.after);
            out += &format!(
                "| {name} | {} → {} | {} → {} | {} → {} |\n",
                b.e_rate_hz,
                a.e_rate_hz,
                b.yz_assembly_rate_own_hz,
                a.yz_assembly_rate_own_hz,
                b.corr_yz_pure,
                a.corr_yz_pure,
            );
        }
        out + "\n"
    }
}
