//! Figs 4 and 5 (with Fig. 4—S2 and 4—S3): geometry of the odor-subspace representations and
//! their classification, from one set of subspace simulations analysed twice.
//!
//! **Subspace** (docs/models/dp.md#odor-subspace, `engram_stimuli::odor_space`): the corners are
//! `[L, M, N, O]` = `[learned[0], learned[1], novel[0], novel[1]]` of the shared odors, in the
//! corner order of [`Corner::ALL`] (top-left, top-right, bottom-left, bottom-right), so L and
//! M are aligned with assemblies 0 and 1 of every network. Each trajectory presents the 121
//! pixels for 1 s each after 2 s of baseline; every presentation is measured in two 0.5 s
//! windows. Full size: the 8 trajectories (968 presentations, 984 s); `--quick`: trajectories 0
//! (row-wise from L) and 4 (column-wise from L), 242 presentations. The E pattern of a
//! presentation is the rate of every E neuron over its 1 s; the QDA, d_M and template-matching
//! patterns are the two 0.5 s halves (the paper's split). The OB pattern of a presentation is
//! the exact mean rate of each mitral cell over its 1 s (noise-free); the OB participation
//! ratio is also given for Poisson counts drawn from those rates (what the network receives).
//!
//! **Variants** per network: rand, Scaled I, Tuned E+I (Tuned I only if [`with_tuned_i`]; it
//! is left out of the CPU budget). Fig. 4—S2: one simple-model network (Structure::Simple),
//! rand and Tuned E+I with the Table 5 parameters. Fig. 4—S3 on the first network:
//! Tuned[adjust], Scaled[adjust] and **Excitability**, compared with that network's rand,
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

use std::path::Path;

use engram_analysis::classify::{
    LinearReadout, Qda, mean_squared_error, select_columns, select_rows, subsample_neurons,
    svm_cross_validated_accuracy, template_matching,
};
use engram_analysis::distance::{CovarianceRegularization, GaussianClass, euclidean_distance};
use engram_analysis::pca::{
    PcaSolver, angles_around, local_variance, most_correlated, n_components_for_variance, participation_ratio,
    participation_ratio_of_patterns, pca_with,
};
use engram_analysis::stats::{WilcoxonMethod, wilcoxon_signed_rank};
use engram_core::error::EngramError;
use engram_core::rng::{component_id, stream};
use engram_models::dp::network::DpConnectivity;
use engram_models::dp::params::{DpConfig, Structure, Variant};
use engram_models::dp::simulate::{Injection, Protocol, Window, WindowKind, simulate};
use engram_models::dp::subspace::{Classes, PIXEL_MS, Subspace, corner_assemblies, half_rates};
use engram_plot::{BarPanel, Figure, HistogramPanel, LinePanel, ScatterPanel};
use engram_sim::npy::{OutputFormat, write_array};
use engram_stimuli::odor_space::{GRID_SIDE, trajectories};
use engram_stimuli::{Corner, Odor};
use ndarray::{Array2, ArrayView2, Axis, s};
use rand::Rng;
use rand::seq::SliceRandom;
use rand_distr::{Distribution, Poisson};
use serde::Serialize;
use serde_json::{Value, json};

use super::finite_mean_sd as mean_sd;
use super::{Context, plot_err, write_json};

/// Mean of the finite values (NaN if none).
fn finite_mean(v: &[f64]) -> f64 {
    mean_sd(v).0
}

/// Lowest OB correlation to its target of a d_M test pattern.
pub const DM_TEST_MIN_CORR: f64 = 0.4;
/// Corner names, in [`Corner::ALL`] order: L, M learned (top), N, O novel (bottom).
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

/// Sizes of the readout analyses (Fig. 5).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct ReadoutSizes {
    /// Neurons per draw (paper: 80).
    pub neurons: usize,
    /// Neuron draws for d_M, QDA, template matching and regression (paper: 50).
    pub draws: usize,
    /// Template draws per neuron draw (paper: 10).
    pub template_iterations: usize,
    /// Neuron draws for the SVM (paper: 20).
    pub svm_draws: usize,
    /// Cross-validation repetitions per SVM draw (paper: 20).
    pub svm_repetitions: usize,
    /// Responses per regression class (paper: 32, n = 352).
    pub regression_per_class: usize,
    /// Responses per SVM class (paper: 27, n = 162).
    pub svm_per_class: usize,
    /// Run the Fig. 5 readouts at all (d_M is always computed).
    pub readouts: bool,
}

impl ReadoutSizes {
    /// The sizes used: the paper's where affordable.
    pub fn new(quick: bool) -> Self {
        if quick {
            Self {
                neurons: 20,
                draws: 10,
                template_iterations: 10,
                svm_draws: 2,
                svm_repetitions: 2,
                regression_per_class: 32,
                svm_per_class: 27,
                readouts: true,
            }
        } else {
            Self {
                neurons: 80,
                draws: 50,
                template_iterations: 10,
                svm_draws: 5,
                svm_repetitions: 4,
                regression_per_class: 32,
                svm_per_class: 27,
                readouts: true,
            }
        }
    }
}

/// d_M, d_E and d_Ê between the test class near each pure odor (rows: V_X) and each pure odor's
/// reference class (columns: Q_Y), mean over valid draws; `None` where no draw was valid.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Distances {
    /// Mahalanobis distance d_M(V_X, Q_Y).
    pub d_m: [[Option<f64>; 4]; 4],
    /// ‖μ_V − μ_Q‖.
    pub d_e: [[f64; 4]; 4],
    /// Mean ‖v − μ_Q‖.
    pub d_ehat: [[f64; 4]; 4],
    /// Draws per reference class whose covariance was singular.
    pub singular_draws: [usize; 4],
    /// Draws made.
    pub draws: usize,
}

impl Distances {
    /// Mean of a matrix over (V, Q) pairs from corner sets `v` and `q` (V ≠ Q).
    fn block(m: &[[f64; 4]; 4], v: &[usize], q: &[usize]) -> f64 {
        let vals: Vec<f64> =
            v.iter().flat_map(|&a| q.iter().filter(move |&&b| b != a).map(move |&b| m[a][b])).collect();
        vals.iter().sum::<f64>() / vals.len() as f64
    }

    /// The four direction blocks (learned→novel, novel→learned, novel→novel, learned→learned) of
    /// `d_m` (`None` if any entry is not applicable), `d_e` and `d_ehat`.
    pub fn blocks(&self) -> Value {
        let l = [0usize, 1];
        let n = [2usize, 3];
        let dirs = [
            ("learned_to_novel", l, n),
            ("novel_to_learned", n, l),
            ("novel_to_novel", n, n),
            ("learned_to_learned", l, l),
        ];
        let dm_ok = self.d_m.iter().all(|r| r.iter().all(Option::is_some));
        let dm = self.d_m.map(|r| r.map(|x| x.unwrap_or(f64::NAN)));
        let mut out = serde_json::Map::new();
        for (name, v, q) in dirs {
            out.insert(
                name.into(),
                json!({
                    "d_m": if dm_ok { Some(Self::block(&dm, &v, &q)) } else { None },
                    "d_e": Self::block(&self.d_e, &v, &q),
                    "d_ehat": Self::block(&self.d_ehat, &v, &q),
                }),
            );
        }
        out.into()
    }
}

/// Everything measured on one subspace run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RunAnalysis {
    /// Mean E rate over all presentations, Hz.
    pub e_rate_hz: f64,
    /// Rate of each corner's (pseudo-)assembly during its pure odor (1 s), Hz.
    pub assembly_rate_pure_hz: [f64; 4],
    /// Participation ratio of all E patterns.
    pub pr_all: f64,
    /// PR of the learned-side half (rows 0–4).
    pub pr_learned_half: f64,
    /// PR of the novel-side half (rows 6–10).
    pub pr_novel_half: f64,
    /// Fraction of the variance in the first 400 PCs (or all).
    pub variance_first_400: f64,
    /// PCs needed for 75 % of the variance.
    pub n_pcs_75: usize,
    /// PCs used for the angles (400 or fewer).
    pub angle_pcs: usize,
    /// Local variance on PCs 1–40 around each corner (mean over trajectories).
    pub local_variance_1_40: [Vec<f64>; 4],
    /// Mean local variance on PCs 200–400 around each corner (`None` with fewer PCs).
    pub local_variance_200_400: [Option<f64>; 4],
    /// Angles around each corner in the first `angle_pcs` PCs, rad.
    #[serde(skip)]
    pub angles_pcs: [Vec<f64>; 4],
    /// Angles around each corner in the full space, rad.
    #[serde(skip)]
    pub angles_full: [Vec<f64>; 4],
    /// Projections on PC1 and PC2.
    #[serde(skip)]
    pub pc12: Vec<(f64, f64)>,
    /// Distances from (pseudo-)assembly neurons.
    pub dist_assembly: Distances,
    /// Distances from neurons drawn from all E.
    pub dist_all: Distances,
    /// QDA P_target per presentation (None: not a test presentation or QDA not applicable),
    /// neurons from the (pseudo-)assemblies.
    #[serde(skip)]
    pub qda_assembly: Vec<Option<f64>>,
    /// The same with neurons from all E.
    #[serde(skip)]
    pub qda_all: Vec<Option<f64>>,
    /// Neuron draws where QDA could be fitted (assembly, all).
    pub qda_valid_draws: [usize; 2],
    /// Template-matching accuracy per presentation (assembly neurons).
    #[serde(skip)]
    pub template: Vec<Option<f64>>,
    /// Concentration regression per corner: in-sample MSE, %².
    pub regression_mse_fit: [Option<f64>; 4],
    /// Concentration regression per corner: 2-fold cross-validated MSE, %² (median over draws).
    pub regression_mse_cv: [Option<f64>; 4],
    /// Concentration SVM per corner: 2-fold CV accuracy.
    pub svm_accuracy: [Option<f64>; 4],
}

fn aerr(e: engram_analysis::AnalysisError) -> EngramError {
    EngramError::Other(format!("fig 4/5 analysis: {e}"))
}

fn is_singular(e: &engram_analysis::AnalysisError) -> bool {
    matches!(e, engram_analysis::AnalysisError::SingularCovariance { .. })
}

/// Draw `m` of `pool` (all of it if smaller), sorted.
fn draw_from(pool: &[usize], m: usize, rng: &mut impl Rng) -> Vec<usize> {
    let idx = subsample_neurons(pool.len(), m.min(pool.len()), rng).expect("m <= pool");
    idx.into_iter().map(|i| pool[i]).collect()
}

/// Geometry (Fig. 4) of the 1 s patterns `full` (presentations × neurons).
fn geometry(sub: &Subspace, full: ArrayView2<f64>, out: &mut RunAnalysis) -> Result<(), EngramError> {
    let (n, d) = full.dim();
    let k = n.min(d);
    let p = pca_with(full, k, PcaSolver::Exact).map_err(aerr)?;
    let eig = p.explained_variance.to_vec();
    out.pr_all = participation_ratio(&eig).unwrap_or(f64::NAN);
    let rows = |f: &dyn Fn(usize) -> bool| -> Vec<usize> { (0..n).filter(|&i| f(sub.presentations[i].row)).collect() };
    let pr_of = |idx: Vec<usize>| -> f64 {
        participation_ratio_of_patterns(select_rows(full, &idx).view()).ok().flatten().unwrap_or(f64::NAN)
    };
    out.pr_learned_half = pr_of(rows(&|r| r <= LEARNED_HALF_LAST_ROW));
    out.pr_novel_half = pr_of(rows(&|r| r >= GRID_SIDE - 1 - LEARNED_HALF_LAST_ROW));
    let k400 = 400.min(k);
    out.angle_pcs = k400;
    out.variance_first_400 = eig[..k400].iter().sum::<f64>() / p.total_variance;
    out.n_pcs_75 = n_components_for_variance(&eig, 0.75).unwrap_or(0);
    out.pc12 = (0..n).map(|i| (p.projections[[i, 0]], p.projections[[i, 1.min(k - 1)]])).collect();
    let proj400 = p.projections.slice(s![.., ..k400]);
    let mut lv: [Vec<Vec<f64>>; 4] = Default::default();
    let mut lv_hi: [Vec<f64>; 4] = Default::default();
    for block in sub.trajectory_blocks() {
        let ob = select_rows(sub.ob.view(), &block);
        for (c, corner) in Corner::ALL.iter().enumerate() {
            let Some(local) = block.iter().position(|&i| {
                let pr = &sub.presentations[i];
                (pr.row, pr.col) == corner.pixel()
            }) else {
                continue;
            };
            let neigh: Vec<usize> = most_correlated(ob.view(), local, 7).into_iter().map(|j| block[j]).collect();
            let center = block[local];
            out.angles_pcs[c].extend(angles_around(proj400, center, &neigh));
            out.angles_full[c].extend(angles_around(full, center, &neigh));
            let mut members = vec![center];
            members.extend_from_slice(&neigh);
            lv[c].push(local_variance(p.projections.view(), &members, 0..40.min(k)).map_err(aerr)?);
            if k >= 400 {
                lv_hi[c].push(finite_mean(&local_variance(p.projections.view(), &members, 199..400).map_err(aerr)?));
            }
        }
    }
    for c in 0..4 {
        let m = lv[c].first().map_or(0, Vec::len);
        out.local_variance_1_40[c] =
            (0..m).map(|j| finite_mean(&lv[c].iter().map(|v| v[j]).collect::<Vec<_>>())).collect();
        out.local_variance_200_400[c] = (!lv_hi[c].is_empty()).then(|| finite_mean(&lv_hi[c]));
    }
    Ok(())
}

/// The rows of the half-pattern matrix (2 per presentation) of the presentations `pres`.
fn half_rows(pres: &[usize]) -> Vec<usize> {
    pres.iter().flat_map(|&k| [2 * k, 2 * k + 1]).collect()
}

struct DrawSets {
    train: Vec<usize>,
    train_labels: Vec<usize>,
    test: Vec<usize>,
    /// Per class: the presentations of Q_X and V_X.
    q: [Vec<usize>; 4],
    v: [Vec<usize>; 4],
}

fn draw_sets(sub: &Subspace, cl: &Classes) -> DrawSets {
    let n = sub.len();
    let mut q: [Vec<usize>; 4] = Default::default();
    let mut v: [Vec<usize>; 4] = Default::default();
    for k in 0..n {
        if let Some(c) = cl.train[k] {
            q[c].push(k);
        } else if sub.corr[k][cl.target[k]] >= DM_TEST_MIN_CORR {
            v[cl.target[k]].push(k);
        }
    }
    let train_p: Vec<usize> = (0..4).flat_map(|c| q[c].clone()).collect();
    let train = half_rows(&train_p);
    let train_labels =
        train_p.iter().flat_map(|&k| [cl.train[k].expect("train"), cl.train[k].expect("train")]).collect();
    let test = half_rows(&(0..n).filter(|&k| cl.test[k]).collect::<Vec<_>>());
    DrawSets { train, train_labels, test, q, v }
}

/// d_M, d_E, d_Ê and QDA on one neuron pool; returns (distances, P_target per presentation, valid QDA draws).
#[allow(clippy::too_many_arguments)]
fn distances_and_qda(
    sub: &Subspace,
    cl: &Classes,
    sets: &DrawSets,
    halves: ArrayView2<f64>,
    pool: &[usize],
    sizes: &ReadoutSizes,
    rng: &mut impl Rng,
) -> Result<(Distances, Vec<Option<f64>>, usize), EngramError> {
    let n = sub.len();
    let mut dist = Distances { draws: sizes.draws, ..Distances::default() };
    let mut dm_sum = [[0.0; 4]; 4];
    let mut dm_n = [[0usize; 4]; 4];
    let mut hits = vec![0usize; n];
    let mut valid = 0usize;
    for _ in 0..sizes.draws {
        let cols = draw_from(pool, sizes.neurons, rng);
        let x = select_columns(halves, &cols);
        let q: Vec<Array2<f64>> = (0..4).map(|c| select_rows(x.view(), &half_rows(&sets.q[c]))).collect();
        let v: Vec<Array2<f64>> = (0..4).map(|c| select_rows(x.view(), &half_rows(&sets.v[c]))).collect();
        let mut all_ok = true;
        for c in 0..4 {
            let mu_q = q[c].mean_axis(Axis(0)).expect("non-empty class");
            for a in 0..4 {
                if v[a].nrows() == 0 {
                    continue;
                }
                let mu_v = v[a].mean_axis(Axis(0)).expect("non-empty");
                dist.d_e[a][c] += euclidean_distance(mu_v.view(), mu_q.view()) / sizes.draws as f64;
                dist.d_ehat[a][c] += v[a].rows().into_iter().map(|r| euclidean_distance(r, mu_q.view())).sum::<f64>()
                    / v[a].nrows() as f64
                    / sizes.draws as f64;
            }
            match GaussianClass::fit(q[c].view(), CovarianceRegularization::None, c) {
                Ok(g) => {
                    for a in 0..4 {
                        if v[a].nrows() > 0 {
                            dm_sum[a][c] +=
                                v[a].rows().into_iter().map(|r| g.mahalanobis(r)).sum::<f64>() / v[a].nrows() as f64;
                            dm_n[a][c] += 1;
                        }
                    }
                }
                Err(e) if is_singular(&e) => {
                    dist.singular_draws[c] += 1;
                    all_ok = false;
                }
                Err(e) => return Err(aerr(e)),
            }
        }
        if !all_ok || sets.test.is_empty() {
            continue;
        }
        let train = select_rows(x.view(), &sets.train);
        let qda = match Qda::fit(train.view(), &sets.train_labels, CovarianceRegularization::None) {
            Ok(q) => q,
            Err(e) if is_singular(&e) => continue,
            Err(e) => return Err(aerr(e)),
        };
        valid += 1;
        let test = select_rows(x.view(), &sets.test);
        let pred = qda.predict_batch(test.view()).map_err(aerr)?;
        for (j, &row) in sets.test.iter().enumerate() {
            let k = row / 2;
            if pred[j] == cl.target[k] {
                hits[k] += 1;
            }
        }
    }
    for a in 0..4 {
        for c in 0..4 {
            dist.d_m[a][c] = (dm_n[a][c] > 0).then(|| dm_sum[a][c] / dm_n[a][c] as f64);
        }
    }
    let p = (0..n).map(|k| (cl.test[k] && valid > 0).then(|| hits[k] as f64 / (2 * valid) as f64)).collect();
    Ok((dist, p, valid))
}

/// Template matching on the (pseudo-)assembly pool: accuracy per test presentation.
fn template_accuracy(
    sub: &Subspace,
    cl: &Classes,
    sets: &DrawSets,
    halves: ArrayView2<f64>,
    pool: &[usize],
    sizes: &ReadoutSizes,
    rng: &mut impl Rng,
) -> Result<Vec<Option<f64>>, EngramError> {
    let n = sub.len();
    let mut hits = vec![0usize; n];
    let mut trials = vec![0usize; n];
    if sets.test.is_empty() {
        return Ok(vec![None; n]);
    }
    for _ in 0..sizes.draws {
        let cols = draw_from(pool, sizes.neurons, rng);
        let x = select_columns(halves, &cols);
        let train = select_rows(x.view(), &sets.train);
        let test = select_rows(x.view(), &sets.test);
        for _ in 0..sizes.template_iterations {
            let pred = template_matching(train.view(), &sets.train_labels, test.view(), rng).map_err(aerr)?;
            for (j, &row) in sets.test.iter().enumerate() {
                let k = row / 2;
                trials[k] += 1;
                if pred[j] == Some(cl.target[k]) {
                    hits[k] += 1;
                }
            }
        }
    }
    Ok((0..n).map(|k| (trials[k] > 0).then(|| hits[k] as f64 / trials[k] as f64)).collect())
}

/// Equalised classes: `per_class` random members of each class (fewer if a class is smaller:
/// then every class gets the size of the smallest). Returns the chosen presentations.
fn equalised(classes: &[Vec<usize>], per_class: usize, rng: &mut impl Rng) -> Vec<Vec<usize>> {
    let m = classes.iter().map(Vec::len).min().unwrap_or(0).min(per_class);
    classes
        .iter()
        .map(|c| {
            let mut c = c.clone();
            c.shuffle(rng);
            c.truncate(m);
            c
        })
        .collect()
}

/// In-sample regression MSE, cross-validated regression MSE and SVM accuracy of one corner.
type ConcentrationReadouts = (Option<f64>, Option<f64>, Option<f64>);

/// Least-squares readout on the neurons that vary across the training responses (a neuron
/// silent in every training response has no defined weight); `None` if the fit fails.
fn ols(x: ArrayView2<f64>, y: ndarray::ArrayView1<f64>) -> Option<(LinearReadout, Vec<usize>)> {
    let kept: Vec<usize> = (0..x.ncols())
        .filter(|&j| {
            let c = x.column(j);
            c.iter().any(|&v| v != c[0])
        })
        .collect();
    if kept.is_empty() {
        return None;
    }
    LinearReadout::fit(select_columns(x, &kept).view(), y).ok().map(|m| (m, kept))
}

/// Concentration regression and SVM for corner `c` on the 1 s patterns.
fn concentration_readouts(
    sub: &Subspace,
    full: ArrayView2<f64>,
    c: usize,
    pool: &[usize],
    sizes: &ReadoutSizes,
    rng: &mut impl Rng,
) -> Result<ConcentrationReadouts, EngramError> {
    let conc = |k: usize| sub.presentations[k].concentration_percent[c] as usize;
    // regression: the 11 concentration levels 10–80 % (each on at least 4 pixels)
    let mut reg_classes: Vec<Vec<usize>> = vec![Vec::new(); REGRESSION_LEVELS.len()];
    for k in 0..sub.len() {
        if let Some(j) = REGRESSION_LEVELS.iter().position(|&l| l == conc(k)) {
            reg_classes[j].push(k);
        }
    }
    let (mut fit, mut cv) = (Vec::new(), Vec::new());
    for _ in 0..sizes.draws {
        let chosen: Vec<usize> = equalised(&reg_classes, sizes.regression_per_class, rng).concat();
        if chosen.len() <= sizes.neurons + 1 {
            break;
        }
        let cols = draw_from(pool, sizes.neurons, rng);
        let x = select_columns(select_rows(full, &chosen).view(), &cols);
        let y = ndarray::Array1::from_iter(chosen.iter().map(|&k| conc(k) as f64));
        if let Some((m, kept)) = ols(x.view(), y.view()) {
            let pred = m.predict(select_columns(x.view(), &kept).view()).map_err(aerr)?;
            fit.extend(mean_squared_error(pred.view(), y.view()));
        }
        // 2-fold CV (folds too small for a fit are skipped)
        let mut order: Vec<usize> = (0..chosen.len()).collect();
        order.shuffle(rng);
        let half = order.len() / 2;
        let mut se = 0.0;
        let mut ok = true;
        for (tr, te) in [(&order[..half], &order[half..]), (&order[half..], &order[..half])] {
            let xt = select_rows(x.view(), tr);
            let yt = ndarray::Array1::from_iter(tr.iter().map(|&i| y[i]));
            match ols(xt.view(), yt.view()) {
                Some((m, kept)) => {
                    let p = m.predict(select_columns(select_rows(x.view(), te).view(), &kept).view()).map_err(aerr)?;
                    se += te.iter().zip(p.iter()).map(|(&i, p)| (p - y[i]).powi(2)).sum::<f64>();
                }
                None => ok = false,
            }
        }
        if ok {
            cv.push(se / chosen.len() as f64);
        }
    }
    // SVM: 6 classes (10,25], ..., (85,100]
    let mut svm_classes: Vec<Vec<usize>> = vec![Vec::new(); 6];
    for k in 0..sub.len() {
        if conc(k) > 10 {
            svm_classes[((conc(k) - 11) / 15).min(5)].push(k);
        }
    }
    let mut acc = Vec::new();
    for _ in 0..sizes.svm_draws {
        let eq = equalised(&svm_classes, sizes.svm_per_class, rng);
        if eq[0].len() < 2 {
            break;
        }
        let chosen: Vec<usize> = eq.concat();
        let labels: Vec<usize> = eq.iter().enumerate().flat_map(|(l, v)| std::iter::repeat_n(l, v.len())).collect();
        let cols = draw_from(pool, sizes.neurons, rng);
        let x = select_columns(select_rows(full, &chosen).view(), &cols);
        match svm_cross_validated_accuracy(x.view(), &labels, 2, sizes.svm_repetitions, 1.0, rng) {
            Ok(a) => acc.push(a),
            Err(e) => return Err(aerr(e)),
        }
    }
    let opt = |v: &[f64]| (!v.is_empty()).then(|| finite_mean(v));
    // median over draws for the cross-validated MSE: with nearly silent neurons a held-out
    // fold can meet a numerically singular fit (seen in Scaled I), which would swamp a mean
    cv.sort_by(f64::total_cmp);
    let cv_median = (!cv.is_empty()).then(|| cv[cv.len() / 2]);
    Ok((opt(&fit), cv_median, opt(&acc)))
}

/// Analyse one subspace run (Figs 4 and 5).
pub fn analyse(
    sub: &Subspace,
    first: &Array2<f64>,
    second: &Array2<f64>,
    asm: &[Vec<u32>; 4],
    sizes: &ReadoutSizes,
    seed: u64,
) -> Result<RunAnalysis, EngramError> {
    let full = (first + second) / 2.0;
    let (n, ne) = full.dim();
    let mut out = RunAnalysis { e_rate_hz: full.mean().unwrap_or(f64::NAN), ..RunAnalysis::default() };
    for c in 0..4 {
        let pure: Vec<usize> = (0..n)
            .filter(|&k| {
                let p = &sub.presentations[k];
                (p.row, p.col) == Corner::ALL[c].pixel()
            })
            .collect();
        let rates: Vec<f64> = pure
            .iter()
            .flat_map(|&k| asm[c].iter().map(move |&i| (k, i as usize)))
            .map(|(k, i)| full[[k, i]])
            .collect();
        out.assembly_rate_pure_hz[c] = finite_mean(&rates);
    }
    geometry(sub, full.view(), &mut out)?;

    // halves: row 2k = first half of presentation k, 2k + 1 = second half
    let mut halves = Array2::<f64>::zeros((2 * n, ne));
    for k in 0..n {
        halves.row_mut(2 * k).assign(&first.row(k));
        halves.row_mut(2 * k + 1).assign(&second.row(k));
    }
    let cl = sub.classes();
    let sets = draw_sets(sub, &cl);
    let mut pool: Vec<usize> = asm.iter().flatten().map(|&i| i as usize).collect();
    pool.sort_unstable();
    pool.dedup();
    let all: Vec<usize> = (0..ne).collect();
    let mut rng = stream(seed, component_id("dp:fig45:readouts"), 0);
    let (da, qa, va) = distances_and_qda(sub, &cl, &sets, halves.view(), &pool, sizes, &mut rng)?;
    let (dall, qall, vall) = distances_and_qda(sub, &cl, &sets, halves.view(), &all, sizes, &mut rng)?;
    out.dist_assembly = da;
    out.dist_all = dall;
    out.qda_assembly = qa;
    out.qda_all = qall;
    out.qda_valid_draws = [va, vall];
    if sizes.readouts {
        out.template = template_accuracy(sub, &cl, &sets, halves.view(), &pool, sizes, &mut rng)?;
        for c in 0..4 {
            let (f, cv, a) = concentration_readouts(sub, full.view(), c, &pool, sizes, &mut rng)?;
            out.regression_mse_fit[c] = f;
            out.regression_mse_cv[c] = cv;
            out.svm_accuracy[c] = a;
        }
    }
    Ok(out)
}

/// Which group of runs a job belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Group {
    /// Figs 4 and 5: every network.
    Main,
    /// Fig. 4—S2: the simple model.
    Simple,
    /// Fig. 4—S3: controls on the first network.
    Controls,
}

#[derive(Clone, Copy, Debug)]
struct Job {
    group: Group,
    instance: usize,
    /// Key in the outputs (`rand`, `scaled_i`, …, `excitability`).
    key: &'static str,
    variant: Variant,
    excitability: bool,
}

struct JobOut {
    job: Job,
    label: String,
    analysis: RunAnalysis,
    /// CPU time of this job's simulations (calibration included), s.
    sim_s: f64,
    analysis_cpu_s: f64,
    /// Main runs of the first network: the same run analysed on the Fig. 4—S2/S3 trajectories.
    subset: Option<RunAnalysis>,
    calibration: Value,
}

/// A network used by the jobs.
struct Net<'a> {
    config: &'a DpConfig,
    base: &'a DpConnectivity,
    seed: u64,
    label: String,
}

fn windows_first_second(p: &Protocol) -> Vec<Window> {
    p.presentations
        .iter()
        .enumerate()
        .map(|(k, pr)| Window {
            presentation: k,
            odor: pr.odor,
            kind: WindowKind::Odor,
            start_ms: pr.onset_ms,
            end_ms: pr.onset_ms + PIXEL_MS,
        })
        .collect()
}

/// CPU seconds used by the calling thread (Linux; NaN elsewhere).
fn thread_cpu_s() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|t| t.split_whitespace().next().and_then(|x| x.parse::<u64>().ok()))
        .map_or(f64::NAN, |ns| ns as f64 * 1e-9)
}

fn set_rate(rates: &[f64], set: &[u32]) -> f64 {
    finite_mean(&set.iter().map(|&i| rates[i as usize]).collect::<Vec<_>>())
}

/// The Excitability current I* (pA at 100 % concentration), calibrated so that the
/// pseudo-assemblies of L and M in the rand network reach the rate of their assemblies in
/// Tuned E+I during the first 1 s of the pure odors (see the module docs).
fn calibrate_excitability(
    net: &Net<'_>,
    corners: &[Odor; 4],
    asm: &[Vec<u32>; 4],
    dt_ms: f64,
) -> Result<(f64, Value), EngramError> {
    let lm = vec![corners[0].clone(), corners[1].clone()];
    let (tuned, _) = net.base.with_variant(net.config, Variant::TUNED_EI, net.seed)?;
    let mut pt = Protocol::trials(lm.clone());
    pt.custom_windows = Some(windows_first_second(&pt));
    let rt = simulate(net.config, &tuned, &pt, net.seed ^ 0xCA11, dt_ms, None)?;
    let target = finite_mean(&[set_rate(&rt.e_rates_hz(0), &asm[0]), set_rate(&rt.e_rates_hz(1), &asm[1])]);
    let reps = EXCITABILITY_TRIAL_PA.len();
    let mut pr = Protocol::repeated_trials(lm, reps);
    pr.injections = pr
        .presentations
        .iter()
        .enumerate()
        .filter(|(k, _)| EXCITABILITY_TRIAL_PA[k / 2] > 0.0)
        .map(|(k, p)| Injection {
            neurons: asm[p.odor].clone(),
            start_ms: p.onset_ms,
            stop_ms: p.onset_ms + p.duration_ms,
            amplitude_pa: EXCITABILITY_TRIAL_PA[k / 2],
        })
        .collect();
    pr.custom_windows = Some(windows_first_second(&pr));
    let rr = simulate(net.config, net.base, &pr, net.seed ^ 0xCA12, dt_ms, None)?;
    let rates: Vec<f64> = (0..reps)
        .map(|j| finite_mean(&[set_rate(&rr.e_rates_hz(2 * j), &asm[0]), set_rate(&rr.e_rates_hz(2 * j + 1), &asm[1])]))
        .collect();
    let a = &EXCITABILITY_TRIAL_PA;
    let (current, how) = match rates.iter().position(|&r| r >= target) {
        Some(0) => (0.0, "target at or below the rand rate"),
        Some(j) => (a[j - 1] + (a[j] - a[j - 1]) * (target - rates[j - 1]) / (rates[j] - rates[j - 1]), "interpolated"),
        None => {
            let (j0, j1) = (reps - 2, reps - 1);
            let slope = (rates[j1] - rates[j0]) / (a[j1] - a[j0]);
            let x = if slope > 0.0 { a[j1] + (target - rates[j1]) / slope } else { a[j1] };
            (x.min(3.0 * a[j1]), "extrapolated (capped at 3× the largest trial current)")
        }
    };
    Ok((
        current,
        json!({
            "target_tuned_ei_assembly_rate_hz": target,
            "trial_currents_pa": a,
            "rand_pseudo_assembly_rates_hz": rates,
            "current_at_100_percent_pa": current,
            "how": how,
        }),
    ))
}

/// One injection per corner L, M and run of presentations with the same current:
/// `current · c / 100` into that corner's pseudo-assembly.
fn excitability_injections(sub: &Subspace, asm: &[Vec<u32>; 4], current: f64) -> Vec<Injection> {
    let mut out: Vec<Injection> = Vec::new();
    let mut last: [Option<usize>; 2] = [None, None];
    for p in &sub.presentations {
        for c in 0..2 {
            let amp = (current * p.concentration_percent[c] as f64 / 100.0 * 100.0).round() / 100.0;
            if amp <= 0.0 {
                last[c] = None;
                continue;
            }
            if let Some(j) = last[c] {
                if out[j].stop_ms == p.onset_ms && out[j].amplitude_pa == amp {
                    out[j].stop_ms = p.onset_ms + p.duration_ms;
                    continue;
                }
            }
            out.push(Injection {
                neurons: asm[c].clone(),
                start_ms: p.onset_ms,
                stop_ms: p.onset_ms + p.duration_ms,
                amplitude_pa: amp,
            });
            last[c] = Some(out.len() - 1);
        }
    }
    out
}

fn write_patterns(path: &Path, m: ArrayView2<f64>, prefix: &str) -> Result<(), EngramError> {
    let names: Vec<String> = (0..m.ncols()).map(|i| format!("{prefix}{i}")).collect();
    let cols: Vec<&str> = names.iter().map(String::as_str).collect();
    let data: Vec<f64> = m.iter().copied().collect();
    write_array(path, OutputFormat::Npy, &cols, &data)
}

#[allow(clippy::too_many_arguments)]
fn run_job(
    ctx: &Context,
    sub: &Subspace,
    net: &Net<'_>,
    job: Job,
    sizes: &ReadoutSizes,
    npy_dir: Option<&Path>,
    subset: Option<&Subspace>,
) -> Result<JobOut, EngramError> {
    let t_sim = thread_cpu_s();
    let variant = if job.excitability { Variant::Rand } else { job.variant };
    let (conn, _) = net.base.with_variant(net.config, variant, net.seed)?;
    let asm = corner_assemblies(&conn, net.config, &sub.corners, net.seed)?;
    let mut protocol = sub.protocol();
    let mut calibration = Value::Null;
    if job.excitability {
        let (current, cal) = calibrate_excitability(net, &sub.corners, &asm, ctx.dt_ms)?;
        protocol.injections = excitability_injections(sub, &asm, current);
        calibration = cal;
        calibration["injections"] = protocol.injections.len().into();
    }
    let rec = simulate(net.config, &conn, &protocol, net.seed ^ 0x4545, ctx.dt_ms, None)?;
    let (first, second) = half_rates(&rec);
    drop(rec);
    let t0 = thread_cpu_s();
    let sim_s = t0 - t_sim;
    if let Some(dir) = npy_dir {
        let full = (&first + &second) / 2.0;
        write_patterns(&dir.join(format!("e_patterns_{}_{}.npy", net.label, job.key)), full.view(), "e")?;
    }
    let seed = net.seed ^ component_id(job.key);
    let analysis = analyse(sub, &first, &second, &asm, sizes, seed)?;
    let subset = match subset {
        Some(ss) => {
            let rows: Vec<usize> = (0..sub.len())
                .filter(|&k| ss.presentations.iter().any(|p| p.trajectory == sub.presentations[k].trajectory))
                .collect();
            let (a, b) = (select_rows(first.view(), &rows), select_rows(second.view(), &rows));
            Some(analyse(ss, &a, &b, &asm, sizes, seed)?)
        }
        None => None,
    };
    let analysis_cpu_s = thread_cpu_s() - t0;
    Ok(JobOut { job, label: net.label.clone(), analysis, sim_s, analysis_cpu_s, subset, calibration })
}

/// Geometry of the OB patterns (the reference of Fig. 4).
pub(crate) struct ObReference {
    pr_all: f64,
    pr_learned_half: f64,
    pr_novel_half: f64,
    pr_poisson: f64,
    pc12: Vec<(f64, f64)>,
}

pub(crate) fn ob_reference(sub: &Subspace, seed: u64) -> Result<ObReference, EngramError> {
    let ob = sub.ob.view();
    let (n, d) = ob.dim();
    let p = pca_with(ob, n.min(d), PcaSolver::Exact).map_err(aerr)?;
    let pr_of = |m: ArrayView2<f64>| participation_ratio_of_patterns(m).ok().flatten().unwrap_or(f64::NAN);
    let half = |f: &dyn Fn(usize) -> bool| -> Vec<usize> { (0..n).filter(|&i| f(sub.presentations[i].row)).collect() };
    let mut rng = stream(seed, component_id("dp:fig45:ob_poisson"), 0);
    let counts = ob
        .mapv(|r| if r > 0.0 { Poisson::new(r * PIXEL_MS / 1000.0).map_or(0.0, |d| d.sample(&mut rng)) } else { 0.0 });
    Ok(ObReference {
        pr_all: participation_ratio(&p.explained_variance.to_vec()).unwrap_or(f64::NAN),
        pr_learned_half: pr_of(select_rows(ob, &half(&|r| r <= LEARNED_HALF_LAST_ROW)).view()),
        pr_novel_half: pr_of(select_rows(ob, &half(&|r| r >= GRID_SIDE - 1 - LEARNED_HALF_LAST_ROW)).view()),
        pr_poisson: pr_of(counts.view()),
        pc12: (0..n).map(|i| (p.projections[[i, 0]], p.projections[[i, 1]])).collect(),
    })
}

fn msj(v: &[f64]) -> Value {
    let v: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return Value::Null;
    }
    let (m, sd) = mean_sd(&v);
    json!({ "mean": m, "sd": sd, "n": v.len() })
}

fn wilcoxon_p(x: &[f64], y: &[f64]) -> Value {
    if x.len() != y.len() || x.len() < 2 || x.iter().chain(y).any(|v| !v.is_finite()) {
        return Value::Null;
    }
    match wilcoxon_signed_rank(x, y, WilcoxonMethod::Auto) {
        Ok(r) => json!({ "p": r.p_value, "n": r.n, "w_plus": r.w_plus, "w_minus": r.w_minus }),
        Err(_) => Value::Null,
    }
}

const LEARNED: [usize; 2] = [0, 1];
const NOVEL: [usize; 2] = [2, 3];

/// Per-presentation values averaged over the test presentations whose target is in `targets`
/// (and that pass `keep`).
fn mean_over(vals: &[Option<f64>], cl: &Classes, targets: &[usize], keep: &dyn Fn(usize) -> bool) -> f64 {
    let v: Vec<f64> =
        (0..vals.len()).filter(|&k| targets.contains(&cl.target[k]) && keep(k)).filter_map(|k| vals[k]).collect();
    finite_mean(&v)
}

/// Direction of presentation `k` relative to its target: +1 leaving (the previous presentation
/// of the trajectory had more of the target), −1 approaching, 0 otherwise.
fn direction(sub: &Subspace, cl: &Classes, k: usize) -> i32 {
    if k == 0 || sub.presentations[k - 1].trajectory != sub.presentations[k].trajectory {
        return 0;
    }
    let c = cl.target[k];
    let (prev, now) =
        (sub.presentations[k - 1].concentration_percent[c], sub.presentations[k].concentration_percent[c]);
    (prev as i32 - now as i32).signum()
}

/// OB-correlation bins of the QDA curves: [0, 0.1), …, [0.5, 0.6].
const QDA_BINS: usize = 6;

fn qda_curve(runs: &[&RunAnalysis], sub: &Subspace, cl: &Classes, targets: &[usize], all: bool) -> Vec<(f64, f64)> {
    (0..QDA_BINS)
        .map(|b| {
            let lo = b as f64 / 10.0;
            let per_net: Vec<f64> = runs
                .iter()
                .map(|r| {
                    let vals = if all { &r.qda_all } else { &r.qda_assembly };
                    mean_over(vals, cl, targets, &|k| {
                        let x = sub.corr[k][cl.target[k]];
                        x >= lo && (x < lo + 0.1 || b == QDA_BINS - 1)
                    })
                })
                .collect();
            (lo + 0.05, finite_mean(&per_net))
        })
        .collect()
}

pub(crate) fn geometry_summary(runs: &[&RunAnalysis]) -> Value {
    let ms = |f: &dyn Fn(&RunAnalysis) -> f64| msj(&runs.iter().map(|r| f(r)).collect::<Vec<_>>());
    let pooled = |full: bool, cs: [usize; 2]| -> Vec<f64> {
        runs.iter()
            .flat_map(|r| {
                cs.iter().flat_map(move |&c| if full { r.angles_full[c].clone() } else { r.angles_pcs[c].clone() })
            })
            .collect()
    };
    let net_means = |full: bool, cs: [usize; 2]| -> Vec<f64> {
        runs.iter()
            .map(|r| {
                finite_mean(
                    &cs.iter()
                        .flat_map(|&c| if full { r.angles_full[c].clone() } else { r.angles_pcs[c].clone() })
                        .collect::<Vec<_>>(),
                )
            })
            .collect()
    };
    let angles = |full: bool| {
        let (l, n) = (net_means(full, LEARNED), net_means(full, NOVEL));
        json!({
            "learned_pooled": msj(&pooled(full, LEARNED)),
            "novel_pooled": msj(&pooled(full, NOVEL)),
            "learned_network_means": msj(&l),
            "novel_network_means": msj(&n),
            "wilcoxon_learned_vs_novel": wilcoxon_p(&l, &n),
        })
    };
    let lv = |cs: [usize; 2], pcs: std::ops::Range<usize>| {
        msj(&runs
            .iter()
            .map(|r| {
                finite_mean(
                    &cs.iter()
                        .flat_map(|&c| r.local_variance_1_40[c].get(pcs.clone()).unwrap_or(&[]).to_vec())
                        .collect::<Vec<_>>(),
                )
            })
            .collect::<Vec<_>>())
    };
    let lv_hi = |cs: [usize; 2]| {
        msj(&runs
            .iter()
            .map(|r| finite_mean(&cs.iter().filter_map(|&c| r.local_variance_200_400[c]).collect::<Vec<_>>()))
            .collect::<Vec<_>>())
    };
    json!({
        "networks": runs.len(),
        "e_rate_hz": ms(&|r| r.e_rate_hz),
        "assembly_rate_pure_learned_hz": ms(&|r| finite_mean(&r.assembly_rate_pure_hz[..2])),
        "assembly_rate_pure_novel_hz": ms(&|r| finite_mean(&r.assembly_rate_pure_hz[2..])),
        "participation_ratio": {
            "all": ms(&|r| r.pr_all),
            "learned_half": ms(&|r| r.pr_learned_half),
            "novel_half": ms(&|r| r.pr_novel_half),
        },
        "variance_in_first_400_pcs": ms(&|r| r.variance_first_400),
        "pcs_for_75_percent": ms(&|r| r.n_pcs_75 as f64),
        "angle_pcs": runs.first().map_or(0, |r| r.angle_pcs),
        "angles_rad_in_pcs": angles(false),
        "angles_rad_full_space": angles(true),
        "local_variance": {
            "learned_pcs_1_5": lv(LEARNED, 0..5),
            "novel_pcs_1_5": lv(NOVEL, 0..5),
            "learned_pcs_1_40": lv(LEARNED, 0..40),
            "novel_pcs_1_40": lv(NOVEL, 0..40),
            "learned_pcs_200_400": lv_hi(LEARNED),
            "novel_pcs_200_400": lv_hi(NOVEL),
        },
    })
}

pub(crate) fn distances_summary(runs: &[&RunAnalysis], all: bool) -> Value {
    let blocks: Vec<Value> =
        runs.iter().map(|r| if all { r.dist_all.blocks() } else { r.dist_assembly.blocks() }).collect();
    let get =
        |dir: &str, m: &str| -> Vec<f64> { blocks.iter().map(|b| b[dir][m].as_f64().unwrap_or(f64::NAN)).collect() };
    let mut out = serde_json::Map::new();
    for dir in ["learned_to_novel", "novel_to_learned", "novel_to_novel", "learned_to_learned"] {
        out.insert(
            dir.into(),
            json!({ "d_m": msj(&get(dir, "d_m")), "d_e": msj(&get(dir, "d_e")), "d_ehat": msj(&get(dir, "d_ehat")) }),
        );
    }
    let singular: usize = runs
        .iter()
        .map(|r| if all { &r.dist_all } else { &r.dist_assembly })
        .map(|d| d.singular_draws.iter().sum::<usize>())
        .sum();
    let total: usize = runs.iter().map(|r| if all { r.dist_all.draws } else { r.dist_assembly.draws } * 4).sum();
    out.insert("singular_reference_fits".into(), json!({ "singular": singular, "of": total }));
    for m in ["d_m", "d_e", "d_ehat"] {
        out.insert(
            format!("wilcoxon_{m}_learned_to_novel_vs_novel_to_learned"),
            wilcoxon_p(&get("learned_to_novel", m), &get("novel_to_learned", m)),
        );
    }
    out.into()
}

pub(crate) fn readout_summary(runs: &[&RunAnalysis], sub: &Subspace, cl: &Classes) -> Value {
    let per_net = |f: &dyn Fn(&RunAnalysis) -> f64| -> Vec<f64> { runs.iter().map(|r| f(r)).collect() };
    let qda = |all: bool| {
        let vals = |r: &RunAnalysis| if all { r.qda_all.clone() } else { r.qda_assembly.clone() };
        let l = per_net(&|r| mean_over(&vals(r), cl, &LEARNED, &|_| true));
        let n = per_net(&|r| mean_over(&vals(r), cl, &NOVEL, &|_| true));
        let valid: usize = runs.iter().map(|r| r.qda_valid_draws[usize::from(all)]).sum();
        json!({
            "p_target_learned": msj(&l),
            "p_target_novel": msj(&n),
            "wilcoxon_learned_vs_novel": wilcoxon_p(&l, &n),
            "valid_draws": valid,
            "draws": runs.len() * runs.first().map_or(0, |r| r.dist_all.draws),
            "applicable": valid > 0,
            "curve_learned": qda_curve(runs, sub, cl, &LEARNED, all),
            "curve_novel": qda_curve(runs, sub, cl, &NOVEL, all),
        })
    };
    let both = [0usize, 1, 2, 3];
    let tm =
        |targets: &[usize], keep: &dyn Fn(usize) -> bool| msj(&per_net(&|r| mean_over(&r.template, cl, targets, keep)));
    let rowwise = |k: usize| sub.presentations[k].trajectory < 4;
    let opt = |f: &dyn Fn(&RunAnalysis) -> [Option<f64>; 4], cs: [usize; 2]| {
        msj(&per_net(&|r| finite_mean(&cs.iter().filter_map(|&c| f(r)[c]).collect::<Vec<_>>())))
    };
    json!({
        "qda_assembly_neurons": qda(false),
        "qda_all_neurons": qda(true),
        "template_matching": {
            "accuracy_all": tm(&both, &|_| true),
            "accuracy_learned_targets": tm(&LEARNED, &|_| true),
            "accuracy_novel_targets": tm(&NOVEL, &|_| true),
            "hysteresis": {
                "approaching_target": tm(&both, &|k| direction(sub, cl, k) < 0),
                "leaving_target": tm(&both, &|k| direction(sub, cl, k) > 0),
                "learned_approaching": tm(&LEARNED, &|k| direction(sub, cl, k) < 0),
                "learned_leaving": tm(&LEARNED, &|k| direction(sub, cl, k) > 0),
                "row_wise_trajectories": tm(&both, &rowwise),
                "column_wise_trajectories": tm(&both, &|k| !rowwise(k)),
            },
        },
        "regression_mse_fit_pct2": { "learned": opt(&|r| r.regression_mse_fit, LEARNED), "novel": opt(&|r| r.regression_mse_fit, NOVEL) },
        "regression_mse_cv_pct2": { "learned": opt(&|r| r.regression_mse_cv, LEARNED), "novel": opt(&|r| r.regression_mse_cv, NOVEL) },
        "svm_accuracy": { "learned": opt(&|r| r.svm_accuracy, LEARNED), "novel": opt(&|r| r.svm_accuracy, NOVEL) },
    })
}

/// Scatter groups: the corner with ≥ 50 % concentration, or mixed.
pub(crate) fn corner_scatter(title: &str, pc12: &[(f64, f64)], sub: &Subspace) -> ScatterPanel {
    let names = ["L (learned)", "M (learned)", "N (novel)", "O (novel)", "mixed (< 50 % of each)"];
    let mut groups: Vec<Vec<(f64, f64)>> = vec![Vec::new(); 5];
    for (p, &xy) in sub.presentations.iter().zip(pc12) {
        let c = p.concentration_percent;
        let g = (0..4).find(|&i| c[i] >= 50).unwrap_or(4);
        groups[g].push(xy);
    }
    let mut panel = ScatterPanel::new(title, "PC1", "PC2");
    for (name, pts) in names.iter().zip(&groups) {
        panel = panel.group(name, pts);
    }
    panel
}

pub(crate) fn stat(v: &Value, path: &[&str]) -> (f64, f64) {
    let mut x = v;
    for p in path {
        x = &x[*p];
    }
    (x["mean"].as_f64().unwrap_or(f64::NAN), x["sd"].as_f64().unwrap_or(f64::NAN))
}

pub(crate) fn bars(title: &str, ylabel: &str, cats: &[&str], groups: &[(&str, Vec<(f64, f64)>)]) -> BarPanel {
    let mut p = BarPanel::new(title, ylabel, cats);
    for (name, v) in groups {
        p = p.group(name, &v.iter().map(|x| x.0).collect::<Vec<_>>(), &v.iter().map(|x| x.1).collect::<Vec<_>>());
    }
    p
}

/// Geometry panels for a set of (name, summary) variants: PR, angle bars.
pub(crate) fn pr_panel(title: &str, ob: &ObReference, rows: &[(&str, &Value)]) -> BarPanel {
    let mut cats = vec!["OB"];
    cats.extend(rows.iter().map(|r| r.0));
    let col = |key: &str, obv: f64| -> Vec<(f64, f64)> {
        std::iter::once((obv, 0.0)).chain(rows.iter().map(|r| stat(r.1, &["participation_ratio", key]))).collect()
    };
    bars(
        title,
        "participation ratio",
        &cats,
        &[
            ("all stimuli", col("all", ob.pr_all)),
            ("learned half (rows 1-5)", col("learned_half", ob.pr_learned_half)),
            ("novel half (rows 7-11)", col("novel_half", ob.pr_novel_half)),
        ],
    )
}

pub(crate) fn angle_panel(title: &str, rows: &[(&str, &Value)], space: &str) -> BarPanel {
    let cats: Vec<&str> = rows.iter().map(|r| r.0).collect();
    let col = |key: &str| -> Vec<(f64, f64)> { rows.iter().map(|r| stat(r.1, &[space, key])).collect() };
    bars(
        title,
        "angle (rad), mean ± SD",
        &cats,
        &[("near learned (L, M)", col("learned_pooled")), ("near novel (N, O)", col("novel_pooled"))],
    )
}

fn lv_hi_panel(rows: &[(&str, &Value)]) -> BarPanel {
    let cats: Vec<&str> = rows.iter().map(|r| r.0).collect();
    let col = |key: &str| -> Vec<(f64, f64)> { rows.iter().map(|r| stat(r.1, &["local_variance", key])).collect() };
    bars(
        "local variance, mean over PCs 200–400",
        "variance (Hz²)",
        &cats,
        &[("near learned (L, M)", col("learned_pcs_200_400")), ("near novel (N, O)", col("novel_pcs_200_400"))],
    )
}

pub(crate) fn dm_panel(title: &str, metric: &str, ylabel: &str, rows: &[(&str, &Value)], pool: &str) -> BarPanel {
    let cats: Vec<&str> = rows.iter().map(|r| r.0).collect();
    let col = |dir: &str| -> Vec<(f64, f64)> { rows.iter().map(|r| stat(r.1, &[pool, dir, metric])).collect() };
    bars(
        title,
        ylabel,
        &cats,
        &[
            ("learned → novel Q", col("learned_to_novel")),
            ("novel → learned Q", col("novel_to_learned")),
            ("novel → novel Q", col("novel_to_novel")),
            ("learned → learned Q", col("learned_to_learned")),
        ],
    )
}

/// Run Figs 4 and 5 (with 4—S2 and 4—S3 in the full version); returns the numbers of
/// Fig. 4 and of Fig. 5 (also written to `fig4/fig4.json` and `fig5/fig5.json`).
pub fn run(ctx: &Context) -> Result<(Value, Value), EngramError> {
    let quick = ctx.options.quick;
    let (dir4, dir5) = (ctx.figure_dir("fig4")?, ctx.figure_dir("fig5")?);
    let o = &ctx.odors;
    let corners = [o.learned[0].clone(), o.learned[1].clone(), o.novel[0].clone(), o.novel[1].clone()];
    let ids = trajectory_ids(quick);
    let sub_seed = ctx.options.seed ^ component_id("dp:fig45:subspace");
    let sub = Subspace::new(corners.clone(), &ids, sub_seed)?;
    // Fig. 4—S2/S3: fewer trajectories (CPU budget); the same mixtures as the main runs.
    let sub_s = if quick { None } else { Some(Subspace::new(corners, &S_TRAJECTORIES, sub_seed)?) };
    let cl = sub.classes();
    let sizes = ReadoutSizes::new(quick);
    let ob = ob_reference(&sub, ctx.options.seed)?;
    write_patterns(&dir4.join("ob_patterns.npy"), sub.ob.view(), "mc")?;
    let table: Vec<f64> = sub
        .presentations
        .iter()
        .zip(&sub.corr)
        .flat_map(|(p, c)| {
            let mut row = vec![p.trajectory as f64, p.row as f64, p.col as f64, p.onset_ms];
            row.extend(p.concentration_percent.iter().map(|&x| x as f64));
            row.extend_from_slice(c);
            row
        })
        .collect();
    let cols = [
        "trajectory",
        "row",
        "col",
        "onset_ms",
        "conc_L",
        "conc_M",
        "conc_N",
        "conc_O",
        "ob_corr_L",
        "ob_corr_M",
        "ob_corr_N",
        "ob_corr_O",
    ];
    write_array(&dir4.join("presentations.npy"), OutputFormat::Npy, &cols, &table)?;

    let simple_config = DpConfig { structure: Structure::Simple, ..DpConfig::default() };
    let simple_seed = ctx.options.seed.wrapping_mul(1000).wrapping_add(901);
    let simple_base =
        if quick { None } else { Some(DpConnectivity::generate(&simple_config, &o.learned, simple_seed)?) };

    let mut variants: Vec<(&'static str, Variant)> =
        vec![("rand", Variant::Rand), ("scaled_i", Variant::SCALED_I), ("tuned_ei", Variant::TUNED_EI)];
    if with_tuned_i(quick) {
        variants.insert(2, ("tuned_i", Variant::TUNED_I));
    }
    let mut jobs: Vec<Job> = Vec::new();
    if !quick {
        let j = |group, key, variant, excitability| Job { group, instance: 0, key, variant, excitability };
        jobs.push(j(Group::Controls, "excitability", Variant::Rand, true));
        jobs.push(j(Group::Controls, "tuned_adjust", Variant::TUNED_ADJUST, false));
        jobs.push(j(Group::Controls, "scaled_adjust", Variant::SCALED_ADJUST, false));
        jobs.push(j(Group::Simple, "rand", Variant::Rand, false));
        jobs.push(j(Group::Simple, "tuned_ei", Variant::TUNED_EI, false));
    }
    for i in 0..ctx.instances.len() {
        for &(key, variant) in &variants {
            jobs.push(Job { group: Group::Main, instance: i, key, variant, excitability: false });
        }
    }
    let outs = ctx.run_jobs("Figs 4-5: odor subspace", &jobs, |&job| {
        let net = match job.group {
            Group::Simple => Net {
                config: &simple_config,
                base: simple_base.as_ref().expect("simple network in the full version"),
                seed: simple_seed,
                label: "simple1".into(),
            },
            _ => {
                let inst = &ctx.instances[job.instance];
                Net { config: &inst.config, base: &inst.base, seed: inst.network_seed, label: inst.label() }
            }
        };
        let first = job.group == Group::Main && job.instance == 0;
        let npy = first.then_some(dir4.as_path());
        match job.group {
            Group::Main => run_job(ctx, &sub, &net, job, &sizes, npy, sub_s.as_ref().filter(|_| first)),
            _ => run_job(ctx, sub_s.as_ref().expect("full version"), &net, job, &sizes, None, None),
        }
    })?;
    let select = |group: Group, key: &str| -> Vec<&RunAnalysis> {
        outs.iter().filter(|o| o.job.group == group && o.job.key == key).map(|o| &o.analysis).collect()
    };
    let sim_s: f64 = outs.iter().map(|o| o.sim_s).sum();
    let analysis_s: f64 = outs.iter().map(|o| o.analysis_cpu_s).sum();

    // ---- Fig. 4 ----
    let mut geo = serde_json::Map::new();
    for &(key, _) in &variants {
        geo.insert(key.into(), geometry_summary(&select(Group::Main, key)));
    }
    let ob_json = json!({
        "pr_all": ob.pr_all, "pr_learned_half": ob.pr_learned_half, "pr_novel_half": ob.pr_novel_half,
        "pr_poisson_counts": ob.pr_poisson,
        "note": "exact mean OB rates over each 1 s presentation; pr_poisson_counts: Poisson counts drawn from them",
    });
    let labels: Vec<String> = variants.iter().map(|(k, _)| k.to_string()).collect();
    let rows: Vec<(&str, &Value)> = labels.iter().map(|k| (k.as_str(), &geo[k.as_str()])).collect();
    let first_label = ctx.instances[0].label();
    let pc12_of = |group: Group, key: &str| -> Option<&Vec<(f64, f64)>> {
        outs.iter().find(|o| o.job.group == group && o.job.key == key && o.job.instance == 0).map(|o| &o.analysis.pc12)
    };
    let nv = variants.len();
    let mut fig = Figure::new(3, nv + 1)
        .title(&format!(
            "Fig. 4 — odor subspace: PCA of E patterns ({} presentations; scatter: network {first_label}), PR, local variance, angles",
            sub.len()
        ))
        .size(560 * (nv as u32 + 1), 1500);
    fig = fig.panel(corner_scatter("OB (input)", &ob.pc12, &sub));
    for &(key, v) in &variants {
        if let Some(p) = pc12_of(Group::Main, key) {
            fig = fig.panel(corner_scatter(&v.label(), p, &sub));
        }
    }
    fig = fig.panel(pr_panel("participation ratio (mean ± SD over networks)", &ob, &rows));
    let mut lvp = LinePanel::new("local variance around pure odors (PCs 1–40)", "PC", "variance (Hz²)").log_y(true);
    for &(key, _) in &variants {
        let runs = select(Group::Main, key);
        for (set, cs) in [("learned", LEARNED), ("novel", NOVEL)] {
            let m = runs.first().map_or(0, |r| r.local_variance_1_40[0].len());
            let pts: Vec<(f64, f64)> = (0..m)
                .map(|j| {
                    let v: Vec<f64> =
                        runs.iter().flat_map(|r| cs.iter().map(move |&c| r.local_variance_1_40[c][j])).collect();
                    ((j + 1) as f64, finite_mean(&v))
                })
                .collect();
            lvp = lvp.series(&format!("{key}, {set}"), &pts);
        }
    }
    fig = fig.panel(lvp);
    let n_pcs = rows.first().map_or(0, |r| r.1["angle_pcs"].as_u64().unwrap_or(0));
    fig = fig.panel(angle_panel(&format!("angles around pure odors (first {n_pcs} PCs)"), &rows, "angles_rad_in_pcs"));
    fig = fig.panel(angle_panel("angles around pure odors (all 4000 E neurons)", &rows, "angles_rad_full_space"));
    for (j, &(key, v)) in variants.iter().enumerate() {
        let runs = select(Group::Main, key);
        let pooled = |cs: [usize; 2]| -> Vec<f64> {
            runs.iter().flat_map(|r| cs.iter().flat_map(|&c| r.angles_pcs[c].clone())).collect()
        };
        fig = fig.panel_at(
            2,
            j,
            HistogramPanel::new(&format!("angles, {}", v.label()), "angle (rad)")
                .data("near learned (L, M)", &pooled(LEARNED))
                .data("near novel (N, O)", &pooled(NOVEL))
                .bins(30)
                .range(0.0, std::f64::consts::PI),
        );
    }
    fig = fig.panel_at(2, nv, lv_hi_panel(&rows));
    fig.save(dir4.join("fig4_geometry")).map_err(plot_err)?;

    let mut fig4 = serde_json::Map::new();
    fig4.insert("presentations".into(), sub.len().into());
    fig4.insert("trajectories".into(), json!(ids));
    fig4.insert("networks".into(), ctx.instances.iter().map(|i| i.label()).collect::<Vec<_>>().into());
    fig4.insert("ob".into(), ob_json);
    fig4.insert("variants".into(), geo.clone().into());
    fig4.insert(
        "choices".into(),
        json!({
            "corners": "L, M = learned odors 0, 1 (assemblies 0, 1), top corners; N, O = novel odors 0, 1, bottom corners",
            "pr_halves": "learned half = grid rows 1-5 (top, nearest L and M), novel half = rows 7-11; middle row in neither",
            "related_mixtures": "7 most OB-correlated presentations of the same trajectory; 21 angles per trajectory and corner",
            "patterns": "E rates over each 1 s presentation",
            "tuned_i": if with_tuned_i(quick) { "included" } else { "left out (CPU budget)" },
        }),
    );

    // Fig. 4—S2 and S3.
    if let Some(sub_s) = sub_s.as_ref() {
        let cl_s = sub_s.classes();
        let ob_s = ob_reference(sub_s, ctx.options.seed)?;
        let mut s2 = serde_json::Map::new();
        for key in ["rand", "tuned_ei"] {
            s2.insert(key.into(), geometry_summary(&select(Group::Simple, key)));
        }
        let rows2: Vec<(&str, &Value)> = vec![("simple rand", &s2["rand"]), ("simple tuned_ei", &s2["tuned_ei"])];
        let mut fig =
            Figure::new(2, 2).title("Fig. 4—S2 — simple model (equal E/I parameters), one network").size(1400, 1100);
        for key in ["rand", "tuned_ei"] {
            if let Some(p) = pc12_of(Group::Simple, key) {
                fig = fig.panel(corner_scatter(&format!("simple model, {key}"), p, sub_s));
            }
        }
        fig = fig.panel(pr_panel("participation ratio", &ob_s, &rows2)).panel(angle_panel(
            "angles around pure odors",
            &rows2,
            "angles_rad_in_pcs",
        ));
        fig.save(dir4.join("fig4_s2_simple_model")).map_err(plot_err)?;
        fig4.insert(
            "s2_simple_model".into(),
            json!({
                "networks": 1,
                "trajectories": S_TRAJECTORIES,
                "presentations": sub_s.len(),
                "ob_pr_all": ob_s.pr_all,
                "variants": s2,
                "note": "Structure::Simple with the Table 5 Tuned E+I parameters (α 5, β 4, γ 3)",
            }),
        );

        let mut s3 = serde_json::Map::new();
        let mut s3_read = serde_json::Map::new();
        let controls: Vec<(&str, Group)> = vec![
            ("rand", Group::Main),
            ("scaled_i", Group::Main),
            ("tuned_ei", Group::Main),
            ("tuned_adjust", Group::Controls),
            ("scaled_adjust", Group::Controls),
            ("excitability", Group::Controls),
        ];
        for &(key, group) in &controls {
            let runs: Vec<&RunAnalysis> = outs
                .iter()
                .filter(|o| o.job.group == group && o.job.key == key && o.job.instance == 0)
                .map(|o| o.subset.as_ref().unwrap_or(&o.analysis))
                .collect();
            let mut g = geometry_summary(&runs);
            g["distances_assembly_neurons"] = distances_summary(&runs, false);
            g["distances_all_neurons"] = distances_summary(&runs, true);
            s3.insert(key.into(), g);
            s3_read.insert(key.into(), readout_summary(&runs, sub_s, &cl_s));
        }
        let short = |k: &'static str| -> &'static str {
            match k {
                "scaled_i" => "Scaled I",
                "tuned_ei" => "Tuned E+I",
                "tuned_adjust" => "Tuned[adj]",
                "scaled_adjust" => "Scaled[adj]",
                "excitability" => "Excitab.",
                other => other,
            }
        };
        let rows3: Vec<(&str, &Value)> = controls.iter().map(|(k, _)| (short(k), &s3[*k])).collect();
        let mut fig =
            Figure::new(2, 3).title(&format!("Fig. 4—S3 — controls on network {first_label}")).size(2100, 1100);
        for key in ["tuned_adjust", "scaled_adjust", "excitability"] {
            if let Some(p) = pc12_of(Group::Controls, key) {
                fig = fig.panel(corner_scatter(key, p, sub_s));
            }
        }
        fig = fig
            .panel(pr_panel("participation ratio", &ob_s, &rows3))
            .panel(angle_panel("angles around pure odors", &rows3, "angles_rad_in_pcs"))
            .panel(dm_panel("d_M, 80 (pseudo-)assembly neurons", "d_m", "d_M", &rows3, "distances_assembly_neurons"));
        fig.save(dir4.join("fig4_s3_controls")).map_err(plot_err)?;
        let calib = outs.iter().find(|o| o.job.excitability).map_or(Value::Null, |o| o.calibration.clone());
        fig4.insert(
            "s3_controls".into(),
            json!({
                "network": first_label,
                "trajectories": S_TRAJECTORIES,
                "presentations": sub_s.len(),
                "ob_pr_all": ob_s.pr_all,
                "note": "rand, scaled_i, tuned_ei: the main runs of this network analysed on the same trajectories",
                "variants": s3,
                "readouts": s3_read,
                "excitability": {
                    "method": "rand network; depolarising current I*·c/100 into the pseudo-assembly neurons of L (M) during every presentation with concentration c of L (M) (stands in for lowered g_rest)",
                    "calibration": calib,
                },
                "parameters": { "tuned_adjust": Variant::TUNED_ADJUST.label(), "scaled_adjust": Variant::SCALED_ADJUST.label() },
            }),
        );
    } else {
        fig4.insert("s2_simple_model".into(), "skipped in the quick version".into());
        fig4.insert("s3_controls".into(), "skipped in the quick version".into());
    }
    fig4.insert("sim_cpu_s".into(), sim_s.into());
    fig4.insert("analysis_cpu_s".into(), analysis_s.into());
    fig4.insert(
        "runs".into(),
        outs.iter()
            .map(|o| json!({ "group": format!("{:?}", o.job.group), "network": o.label, "variant": o.job.key, "sim_cpu_s": o.sim_s, "analysis_cpu_s": o.analysis_cpu_s }))
            .collect::<Vec<_>>()
            .into(),
    );
    let fig4 = Value::Object(fig4);
    write_json(&dir4.join("fig4.json"), &fig4)?;

    // ---- Fig. 5 ----
    let mut f5 = serde_json::Map::new();
    for &(key, _) in &variants {
        let runs = select(Group::Main, key);
        let mut r = readout_summary(&runs, &sub, &cl);
        r["distances_assembly_neurons"] = distances_summary(&runs, false);
        r["distances_all_neurons"] = distances_summary(&runs, true);
        f5.insert(key.into(), r);
    }
    let rows5: Vec<(&str, &Value)> = labels.iter().map(|k| (k.as_str(), &f5[k.as_str()])).collect();
    let cats: Vec<&str> = rows5.iter().map(|r| r.0).collect();
    let by = |path: &[&str]| -> Vec<(f64, f64)> { rows5.iter().map(|r| stat(r.1, path)).collect() };
    let mut qp =
        LinePanel::new("QDA: P(target) vs OB correlation (assembly neurons)", "OB correlation to target", "P(target)");
    for (key, v) in &rows5 {
        for (set, name) in [("curve_learned", "learned"), ("curve_novel", "novel")] {
            let pts: Vec<(f64, f64)> = v["qda_assembly_neurons"][set]
                .as_array()
                .map(|a| {
                    a.iter().map(|p| (p[0].as_f64().unwrap_or(f64::NAN), p[1].as_f64().unwrap_or(f64::NAN))).collect()
                })
                .unwrap_or_default();
            if pts.iter().any(|p| p.1.is_finite()) {
                qp = qp.series(&format!("{key}, {name}"), &pts);
            }
        }
    }
    let n = sizes.neurons;
    Figure::new(2, 5)
        .title(&format!(
            "Fig. 5 — distances and readouts ({} networks; {n} neurons per draw; missing bars: not applicable, singular covariance)",
            ctx.instances.len()
        ))
        .size(2800, 1150)
        .panel(dm_panel(&format!("d_M, {n} (pseudo-)assembly neurons"), "d_m", "d_M", &rows5, "distances_assembly_neurons"))
        .panel(dm_panel(&format!("d_M, {n} neurons of all E"), "d_m", "d_M", &rows5, "distances_all_neurons"))
        .panel(dm_panel("d_E = ‖μ_V − μ_Q‖ (assembly neurons)", "d_e", "d_E (Hz)", &rows5, "distances_assembly_neurons"))
        .panel(dm_panel("d_Ê = mean ‖v − μ_Q‖ (assembly neurons)", "d_ehat", "d_Ê (Hz)", &rows5, "distances_assembly_neurons"))
        .panel(qp)
        .panel(bars(
            "QDA P(target), test mixtures (assembly neurons)",
            "P(target)",
            &cats,
            &[
                ("learned targets", by(&["qda_assembly_neurons", "p_target_learned"])),
                ("novel targets", by(&["qda_assembly_neurons", "p_target_novel"])),
            ],
        ))
        .panel(bars(
            "template matching accuracy",
            "accuracy",
            &cats,
            &[
                ("learned targets", by(&["template_matching", "accuracy_learned_targets"])),
                ("novel targets", by(&["template_matching", "accuracy_novel_targets"])),
                ("approaching target", by(&["template_matching", "hysteresis", "approaching_target"])),
                ("leaving target", by(&["template_matching", "hysteresis", "leaving_target"])),
            ],
        ))
        .panel(bars(
            "concentration regression, in-sample MSE",
            "MSE (%²)",
            &cats,
            &[("learned", by(&["regression_mse_fit_pct2", "learned"])), ("novel", by(&["regression_mse_fit_pct2", "novel"]))],
        ))
        .panel(bars(
            "concentration regression, 2-fold CV MSE (median over draws)",
            "MSE (%²)",
            &cats,
            &[("learned", by(&["regression_mse_cv_pct2", "learned"])), ("novel", by(&["regression_mse_cv_pct2", "novel"]))],
        ))
        .panel(bars(
            "concentration SVM (6 classes), 2-fold CV",
            "accuracy",
            &cats,
            &[("learned", by(&["svm_accuracy", "learned"])), ("novel", by(&["svm_accuracy", "novel"]))],
        ))
        .save(dir5.join("fig5_readouts"))
        .map_err(plot_err)?;
    let class_sizes: Vec<usize> = (0..4).map(|c| cl.train.iter().filter(|t| **t == Some(c)).count()).collect();
    let fig5 = json!({
        "variants": f5,
        "sizes": sizes,
        "training_presentations_per_class": class_sizes,
        "test_presentations": cl.test.iter().filter(|t| **t).count(),
        "choices": {
            "classes": "class X = presentations with OB correlation > 0.6 to pure odor X (2 half-patterns each); test = the rest, target = most OB-correlated pure odor",
            "d_m_test_classes": format!("V_X = test presentations with target X and OB correlation >= {DM_TEST_MIN_CORR}; directions: learned_to_novel = V near L/M against Q of N/O"),
            "singular": "draws with a singular class covariance are skipped and counted; none valid = not applicable (null)",
            "p_target": "fraction of valid neuron draws x 2 halves assigning a test pattern to its target",
            "hysteresis": "template accuracy on test presentations whose predecessor had more (leaving) or less (approaching) of the target",
            "regression": "11 concentration levels 10-80 % x 32 responses (pure odors and 90 % have too few pixels), OLS from 1 s rates on the neurons that vary in the training responses; in-sample MSE (mean over draws) and 2-fold CV MSE (median over draws)",
            "svm": "6 classes (10,25],...,(85,100] % x 27 responses, linear one-vs-one SVM C=1, 2-fold CV",
        },
    });
    write_json(&dir5.join("fig5.json"), &fig5)?;
    Ok((fig4, fig5))
}
