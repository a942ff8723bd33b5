//! Figs 4 and 5 (with Fig. 4—S2 and 4—S3): geometry of the odor-subspace representations and
//! their classification, from one set of subspace simulations analysed twice.
//!
//! **Subspace** (docs/models/dp.md#odor-subspace, `engram_stimuli::odor_space`): the corners are
//! `[L, M, N, O]` = `[learned[0], learned[1], novel[0], novel[1]]` of the shared odors, in the
//! corner order of [`Corner::ALL`](engram_stimuli::Corner::ALL) (top-left, top-right,
//! bottom-left, bottom-right), so L and M are aligned with assemblies 0 and 1 of every
//! network. Each trajectory presents the 121 pixels for 1 s each after 2 s of baseline; every
//! presentation is measured in two 0.5 s windows. Full size: the 8 trajectories (968
//! presentations, 984 s); `--quick`: trajectories 0 (row-wise from L) and 4 (column-wise from
//! L), 242 presentations. The E pattern of a presentation is the rate of every E neuron over
//! its 1 s; the QDA, d_M and template-matching patterns are the two 0.5 s halves (the paper's
//! split). The OB pattern of a presentation is the exact mean rate of each mitral cell over its
//! 1 s (noise-free); the OB participation ratio is also given for Poisson counts drawn from
//! those rates (what the network receives).
//!
//! **Variants** per network: rand, Scaled I, Tuned E+I (Tuned I only if [`with_tuned_i`]; it
//! is left out of the CPU budget). Fig. 4—S2: one simple-model network (Structure::Simple),
//! rand and Tuned E+I with the Table 5 parameters. Fig. 4—S3 on the first network:
//! `Tuned[adjust]`, `Scaled[adjust]` and **Excitability**, compared with that network's rand,
//! Scaled I and Tuned E+I runs analysed on the same trajectories. S2 and S3 present the 4
//! trajectories [`S_TRAJECTORIES`] (484 presentations) to fit the CPU budget.
//! Excitability: the rand network with a depolarising current into the pseudo-assembly neurons
//! of L (M) during every presentation, `I = I* · c_L / 100` (`c` = concentration, Table 3; a
//! neuron in both sets gets both). This stands in for the paper's lowered g_rest (amount not
//! given). `I*` is calibrated per network by one short run: L and M are presented as 2 s
//! trials in Tuned E+I (target = the mean rate of their assemblies in the first 1 s) and in
//! rand with 0, 10, 20, 30, 40 pA; `I*` is interpolated linearly.
//!
//! **Choices where the paper is silent** (all stated in the JSON too):
//! - PR halves: "learned side" = rows 0–4 (the half nearest L and M), "novel side" = rows 6–10;
//!   the middle row is in neither. PR uses all covariance eigenvalues (no cap at 400).
//! - Related mixtures of a pure odor: its 7 most OB-correlated presentations of the same
//!   trajectory; local variance and angles are computed per trajectory (21 angles × 8
//!   trajectories = 168 per corner) on the projections of the global PCA; angles in the first
//!   400 PCs (or all if fewer) and also in the full 4000-d space.
//! - QDA/d_M classes: class X = presentations with OB correlation > 0.6 to pure odor X (the pure
//!   odor included); test = all others, target = the pure odor with the highest OB correlation.
//!   d_M test class V_X = test presentations with target X and OB correlation ≥ 0.4 to X.
//!   Draws whose class covariance is singular are skipped and counted; with no valid draw the
//!   value is `null` ("not applicable", as the paper says for Scaled networks). P_target = the
//!   fraction of valid draws (× 2 halves) assigning a test pattern to its target.
//! - Covariance regularisation: the paper inverts each class covariance as it is (singular =
//!   not applicable). A second reading shrinks it toward its mean variance
//!   ([`QDA_SHRINKAGE`]); d_M and QDA from (pseudo-)assembly neurons are reported for both
//!   (`"shrinkage_reading"` of each Fig. 5 variant).
//! - Template matching: 80 neurons from the (pseudo-)assemblies, same classes and test set, 10
//!   template draws per neuron draw. Hysteresis: accuracy on test presentations whose
//!   predecessor in the trajectory had a higher concentration of the target ("leaving" the
//!   target) vs a lower one ("approaching"), and row-wise vs column-wise trajectories.
//! - Concentration regression (per corner): the 11 concentration levels 10–80 % of Table 3
//!   (the levels present on ≥ 4 pixels), each subsampled to 32 responses (352, the paper's n),
//!   target = the concentration; 80 neurons of the 4 (pseudo-)assemblies (those silent in every
//!   training response are dropped from the fit), 50 draws; MSE of the least-squares fit on
//!   all 352 (in-sample, mean over draws) and 2-fold cross-validated (median over draws).
//!   SVM: 6 classes (10,25], (25,40], (40,55], (55,70], (70,85], (85,100] %, each subsampled
//!   to 27 (162 responses), linear one-vs-one SVM (C = 1), 2-fold CV; 80 assembly neurons;
//!   draws and repetitions as [`ReadoutSizes`] (fewer than the paper's, CPU budget).
//! - In the quick version (2 trajectories) classes are small: the readouts use 20 neurons
//!   instead of 80 and fewer draws; S2/S3 are skipped.
//! - Only the first network's E patterns are written as `.npy` (31 MB each), with the OB
//!   patterns and a table of the presentations (`presentations.npy`: trajectory, row, col,
//!   onset, the four concentrations and the four OB correlations).
//!
//! **Structure**: `simulate` runs one subspace simulation per network and variant and
//! analyses it right away ([`analyse()`], with the generic readouts of
//! [`engram_analysis::neuron_draws`]); [`measures`] summarises the analyses over networks and
//! [`summary`] assembles them into [`Fig4Summary`] and [`Fig5Summary`]; `panels` draws the
//! figures from those. `dp-learned` measures its networks with the same [`analyse()`],
//! [`measures`] and `panels`.

use engram_core::error::EngramError;
use engram_core::rng::component_id;
use engram_models::dp::subspace::Subspace;
use engram_stimuli::odor_space::trajectories;
use serde::Serialize;

use super::{Context, plot_err, write_json};

pub mod analyse;
pub mod measures;
pub(crate) mod panels;
pub mod simple_search;
mod simulate;
pub mod summary;

pub use analyse::{Distances, ReadoutSizes, RunAnalysis, analyse};
pub use summary::{Fig4Summary, Fig5Summary};

/// Shrinkage λ of the second reading of the d_M and QDA class covariances,
/// `(1 − λ) S + λ (tr S / d) I` (the paper inverts S as it is; with 80 neurons and classes of
/// a few hundred half-patterns S is poorly estimated, so both readings are reported).
pub const QDA_SHRINKAGE: f64 = 0.1;
/// Lowest OB correlation to its target of a d_M test pattern.
pub const DM_TEST_MIN_CORR: f64 = 0.4;
/// Corner names, in [`Corner::ALL`](engram_stimuli::Corner::ALL) order: L, M learned (top), N, O
/// novel (bottom).
pub const CORNER_NAMES: [&str; 4] = ["L", "M", "N", "O"];
/// Last row of the learned-side half of the grid (rows 0..=4); the novel side is rows 6..=10.
pub const LEARNED_HALF_LAST_ROW: usize = 4;
/// Trajectories of Fig. 4—S2/S3 (CPU budget): row-wise and column-wise scans from L and from O.
pub const S_TRAJECTORIES: [usize; 4] = [0, 3, 4, 7];
/// Concentration levels (%) of the regression classes: the 11 levels of Table 3 between 10
/// and 80 %, each present on at least 4 pixels (11 × 32 = the paper's n = 352).
pub const REGRESSION_LEVELS: [usize; 11] = [10, 15, 20, 25, 30, 35, 40, 50, 60, 70, 80];
/// Currents tried in the Excitability calibration, pA.
pub const EXCITABILITY_TRIAL_PA: [f64; 5] = [0.0, 10.0, 20.0, 30.0, 40.0];

/// Whether Tuned I is simulated too (it costs one more 984 s run per network; left out of the
/// default budget of the full reproduction).
pub fn with_tuned_i(_quick: bool) -> bool {
    false
}

/// The trajectories presented: all 8, or in the quick version one row-wise and one
/// column-wise scan starting at L.
pub fn trajectory_ids(quick: bool) -> Vec<usize> {
    if quick { vec![0, 4] } else { (0..trajectories().len()).collect() }
}

/// The JSON of a summary, as written.
fn to_json(summary: &impl Serialize) -> serde_json::Value {
    serde_json::to_value(summary).expect("summaries serialise")
}

/// Fig. 5 alone for the variants `keys` of the main comparison (`rand`, `scaled_i`,
/// `tuned_ei`) on every network of `ctx`, without Fig. 4's supplements or panels: a focused
/// measurement of the readouts (the `dp_claims` example).
pub fn readouts_only(ctx: &Context, keys: &[&str]) -> Result<Fig5Summary, EngramError> {
    let quick = ctx.options.quick;
    let o = &ctx.odors;
    let corners = [o.learned[0].clone(), o.learned[1].clone(), o.novel[0].clone(), o.novel[1].clone()];
    let sub_seed = ctx.options.seed ^ component_id("dp:fig45:subspace");
    let sub = Subspace::new(corners, &trajectory_ids(quick), sub_seed)?;
    let sizes = ReadoutSizes::new(quick);
    let variants: Vec<_> = simulate::main_variants(quick).into_iter().filter(|v| keys.contains(&v.0)).collect();
    let dir = ctx.figure_dir("fig5")?;
    let outs = simulate::simulate_all(ctx, &sub, None, &variants, &sizes, &dir)?;
    let keys: Vec<&str> = variants.iter().map(|v| v.0).collect();
    Ok(summary::fig5(&sub, &keys, &sizes, &outs))
}

/// Run Figs 4 and 5 (with 4—S2 and 4—S3 in the full version): simulate, analyse, summarise,
/// draw; returns the numbers of Fig. 4 and of Fig. 5 (also written to `fig4/fig4.json` and
/// `fig5/fig5.json`).
pub fn run(ctx: &Context) -> Result<(Fig4Summary, Fig5Summary), EngramError> {
    let quick = ctx.options.quick;
    let (dir4, dir5) = (ctx.figure_dir("fig4")?, ctx.figure_dir("fig5")?);
    let o = &ctx.odors;
    let corners = [o.learned[0].clone(), o.learned[1].clone(), o.novel[0].clone(), o.novel[1].clone()];
    let sub_seed = ctx.options.seed ^ component_id("dp:fig45:subspace");
    let sub = Subspace::new(corners.clone(), &trajectory_ids(quick), sub_seed)?;
    // Fig. 4—S2/S3: fewer trajectories (CPU budget); the same mixtures as the main runs.
    let sub_s = if quick { None } else { Some(Subspace::new(corners, &S_TRAJECTORIES, sub_seed)?) };
    let sizes = ReadoutSizes::new(quick);
    let ob = analyse::ob_reference(&sub, ctx.options.seed)?;
    simulate::write_inputs(&dir4, &sub)?;
    let variants = simulate::main_variants(quick);
    let keys: Vec<&str> = variants.iter().map(|v| v.0).collect();
    let outs = simulate::simulate_all(ctx, &sub, sub_s.as_ref(), &variants, &sizes, &dir4)?;

    let mut fig4 = summary::fig4(ctx, &sub, &ob, &keys, &outs);
    panels::fig4(ctx, &sub, &ob, &variants, &fig4, &outs).save(dir4.join("fig4_geometry")).map_err(plot_err)?;
    if let Some(sub_s) = &sub_s {
        let ob_s = analyse::ob_reference(sub_s, ctx.options.seed)?;
        let s2 = summary::simple_model(sub_s, &ob_s, &outs);
        panels::fig4_s2(sub_s, &ob_s, &s2, &outs).save(dir4.join("fig4_s2_simple_model")).map_err(plot_err)?;
        let s3 = summary::controls(ctx, sub_s, &ob_s, &outs);
        panels::fig4_s3(sub_s, &ob_s, &s3, &outs).save(dir4.join("fig4_s3_controls")).map_err(plot_err)?;
        fig4.s2_simple_model = summary::Supplement::Run(Box::new(s2));
        fig4.s3_controls = summary::Supplement::Run(Box::new(s3));
    }
    fig4.s2_parameter_search = Some(simple_search::run(ctx, simulate::simple_seed(ctx))?);
    write_json(&dir4.join("fig4.json"), &to_json(&fig4))?;

    let fig5 = summary::fig5(&sub, &keys, &sizes, &outs);
    panels::fig5(ctx, &keys, &sizes, &fig5).save(dir5.join("fig5_readouts")).map_err(plot_err)?;
    write_json(&dir5.join("fig5.json"), &to_json(&fig5))?;
    Ok((fig4, fig5))
}
