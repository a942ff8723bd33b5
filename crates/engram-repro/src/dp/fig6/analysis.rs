//! The analyses of Fig. 6 on one condition (network × variant × before/after): rates,
//! correlations and distances of the pure odors' and the classes' mean patterns, PCA, and the
//! d_M / QDA classification of the mixtures (the choices are in the [module doc](super)).

use engram_analysis::classify::{Qda, select_columns, subsample_neurons};
use engram_analysis::correlation::pearson_correlation;
use engram_analysis::distance::{CovarianceRegularization, mean_mahalanobis_distance};
use engram_analysis::pca::pca;
use engram_core::error::EngramError;
use engram_core::rng::{component_id, stream};
use engram_models::dp::continual::AddedAssemblies;
use engram_models::dp::metrics::mean_of;
use engram_models::dp::subspace::{Subspace, TRAIN_CORR};
use engram_stimuli::Corner;
use ndarray::{Array2, Axis};
use serde::{Deserialize, Serialize};

use super::LEARNED;
use crate::dp::null_as_nan;

/// The presentations of the subspace as the analysis sees them.
pub(super) struct Presentations {
    /// OB correlation of each presented mixture with each pure odor.
    pub corr: Vec<[f64; 4]>,
    /// The pure odor a presentation is (a corner pixel), if any.
    pub pure: Vec<Option<usize>>,
    /// The pure odor with the highest OB correlation (the target of a test pattern).
    pub nearest: Vec<usize>,
    /// The class (pure odor) of a training presentation: its nearest pure odor, if the OB
    /// correlation with it is above [`TRAIN_CORR`].
    pub class: Vec<Option<usize>>,
}

impl Presentations {
    /// The presentations of `sub`.
    pub(super) fn of(sub: &Subspace) -> Self {
        let nearest = sub.classes().target;
        let class = nearest.iter().zip(&sub.corr).map(|(&c, corr)| (corr[c] > TRAIN_CORR).then_some(c)).collect();
        let pure =
            sub.presentations.iter().map(|p| Corner::ALL.iter().position(|c| c.pixel() == (p.row, p.col))).collect();
        Self { corr: sub.corr.clone(), pure, nearest, class }
    }

    /// Number of presentations.
    pub(super) fn len(&self) -> usize {
        self.corr.len()
    }

    /// Half-patterns (2 per presentation, rows `2k`, `2k + 1`) per class.
    pub(super) fn training_halves_per_class(&self) -> [usize; 4] {
        std::array::from_fn(|c| 2 * self.class.iter().filter(|&&k| k == Some(c)).count())
    }
}

/// What one simulation gives the analysis.
#[derive(Serialize, Deserialize)]
pub(super) struct Sim {
    /// E rates (Hz) per half-window (2 per presentation, in order) and neuron.
    pub halves: Array2<f64>,
    /// Mean I rate over every window, Hz.
    pub i_rate_hz: f64,
    /// The assemblies added for Y and Z ("after" only).
    pub added: Option<AddedAssemblies>,
    /// Members of the 15 original assemblies (union).
    pub old_union: Vec<u32>,
}

/// Measures of one condition (network × variant × before/after).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Measures {
    /// Mean E rate over all subspace odors, Hz.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub e_rate_hz: f64,
    /// Mean I rate, Hz.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub i_rate_hz: f64,
    /// Mean E rate during each pure odor (Y, Z, W, X), Hz.
    #[serde(deserialize_with = "null_as_nan::array")]
    pub e_rate_pure_hz: [f64; 4],
    /// Rate of the Y (Z) (pseudo-)assembly during Y (Z), mean of the two, Hz.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub yz_assembly_rate_own_hz: f64,
    /// Rate of the Y and Z (pseudo-)assemblies (union) during W and X, Hz.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub yz_assembly_rate_wx_hz: f64,
    /// Rate of the Y and Z (pseudo-)assemblies over all subspace odors, Hz.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub yz_assembly_rate_all_hz: f64,
    /// Rate of the 15 original assemblies over all subspace odors, Hz.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub old_assembly_rate_hz: f64,
    /// Pearson r of the mean E patterns of the four pure odors (4 × 4).
    #[serde(deserialize_with = "null_as_nan::matrix")]
    pub output_corr_pure: Vec<Vec<f64>>,
    /// Pearson r of the mean E patterns of the four classes (pure odor and the mixtures with
    /// OB correlation > 0.6 to it), 4 × 4.
    #[serde(deserialize_with = "null_as_nan::matrix")]
    pub output_corr: Vec<Vec<f64>>,
    /// `output_corr[Y][Z]` (class means).
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub corr_yz: f64,
    /// `output_corr_pure[Y][Z]`.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub corr_yz_pure: f64,
    /// Euclidean distance of the Y and Z class means, Hz.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub dist_yz_hz: f64,
    /// Euclidean distance of the Y and Z pure-odor means, Hz.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub dist_yz_pure_hz: f64,
    /// Fraction of the variance along PC1 and PC2.
    #[serde(deserialize_with = "null_as_nan::array")]
    pub pc_var_ratio: [f64; 2],
    /// Distance of the Y and Z class centroids in PC1–2 / RMS distance of all patterns from
    /// their centroid in PC1–2.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub pc_sep_yz: f64,
    /// The same distance divided by the Y and Z classes' own spread in PC1–2 (RMS distance of
    /// their patterns from their own centroid, pooled): a d′, the second reading of "the
    /// separation of Y and Z in PC space" (NaN when the classes have no spread).
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub pc_dprime_yz: f64,
    /// PC1–2 of every presentation's pattern (for the plot; not written).
    #[serde(skip)]
    pub pc: Vec<(f64, f64)>,
    /// d_M(V_a, Q_b), mean over neuron draws (rows a = test class, cols b = reference).
    #[serde(deserialize_with = "null_as_nan::matrix")]
    pub d_m: Vec<Vec<f64>>,
    /// Fraction of neuron draws in which d_M / QDA was applicable (non-singular covariances).
    pub qda_applicable: f64,
    /// QDA P_target per target pure odor (NaN if never applicable).
    #[serde(deserialize_with = "null_as_nan::array")]
    pub p_target: [f64; 4],
    /// QDA P_target per test pattern's OB correlation bin with its target: (bin centre,
    /// P_target) for the bins [0.2, 0.3), … that hold test patterns.
    pub p_target_by_corr: Vec<(f64, f64)>,
}

/// Mean of the rows `rows` of `x` (one value per column).
fn rows_mean(x: &Array2<f64>, rows: &[usize]) -> Vec<f64> {
    let mut out = vec![0.0; x.ncols()];
    for &r in rows {
        for (o, v) in out.iter_mut().zip(x.row(r)) {
            *o += v;
        }
    }
    out.iter().map(|s| s / rows.len().max(1) as f64).collect()
}

/// Mean of `x` over the rows `rows` and the columns (neurons) `cols`.
fn cols_mean(x: &Array2<f64>, rows: &[usize], cols: &[u32]) -> f64 {
    mean_of(rows.iter().flat_map(|&r| cols.iter().map(move |&c| x[[r, c as usize]])))
}

/// The sorted union of neuron sets.
fn union<'a>(sets: impl IntoIterator<Item = &'a Vec<u32>>) -> Vec<u32> {
    let mut u: Vec<u32> = sets.into_iter().flatten().copied().collect();
    u.sort_unstable();
    u.dedup();
    u
}

/// Every measure of one condition: `pure_asms` are the (pseudo-)assemblies of the four pure
/// odors, `draws` the neuron draws of d_M and QDA (seeded by `seed`).
pub(super) fn analyse(
    sim: &Sim,
    pres: &Presentations,
    pure_asms: &[Vec<u32>; 4],
    draws: usize,
    seed: u64,
) -> Result<Measures, EngramError> {
    let h = &sim.halves;
    let n_pix = pres.len();
    let full = Array2::from_shape_fn((n_pix, h.ncols()), |(p, j)| 0.5 * (h[[2 * p, j]] + h[[2 * p + 1, j]]));
    let all: Vec<usize> = (0..n_pix).collect();
    let pure_rows: [Vec<usize>; 4] = std::array::from_fn(|c| (0..n_pix).filter(|&p| pres.pure[p] == Some(c)).collect());
    let class_rows: [Vec<usize>; 4] =
        std::array::from_fn(|c| (0..n_pix).filter(|&p| pres.class[p] == Some(c)).collect());
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
    let yz_union = union([&pure_asms[y], &pure_asms[z]]);
    let wx_rows: Vec<usize> = pure_rows[2].iter().chain(&pure_rows[3]).copied().collect();
    let pca = PrincipalComponents::of(&full, &class_rows)?;
    let classification = classify(h, pres, &union(pure_asms), draws, seed)?;
    Ok(Measures {
        e_rate_hz: mean_of(full.iter().copied()),
        i_rate_hz: sim.i_rate_hz,
        e_rate_pure_hz: std::array::from_fn(|c| mean_of(pure_rows[c].iter().flat_map(|&r| full.row(r).to_vec()))),
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
        pc_var_ratio: pca.var_ratio,
        pc_sep_yz: pca.sep_yz,
        pc_dprime_yz: pca.dprime_yz,
        pc: pca.pc,
        d_m: classification.d_m,
        qda_applicable: classification.qda_applicable,
        p_target: classification.p_target,
        p_target_by_corr: classification.p_target_by_corr,
    })
}

/// PCA of one condition's whole-presentation patterns.
struct PrincipalComponents {
    /// PC1–2 of every pattern.
    pc: Vec<(f64, f64)>,
    /// Fractions of the variance along PC1 and PC2.
    var_ratio: [f64; 2],
    /// Distance of the Y and Z class centroids in PC1–2 / RMS distance of all patterns from
    /// their centroid.
    sep_yz: f64,
    /// Distance of the Y and Z class centroids in PC1–2 / their pooled within-class RMS spread.
    dprime_yz: f64,
}

/// Separation of the point clouds `a` and `b` in a plane: (distance of their centroids,
/// that distance divided by their pooled within-class RMS distance from their own centroid;
/// NaN if either is empty or both have no spread).
pub(super) fn plane_separation(a: &[(f64, f64)], b: &[(f64, f64)]) -> (f64, f64) {
    let centroid = |p: &[(f64, f64)]| (mean_of(p.iter().map(|q| q.0)), mean_of(p.iter().map(|q| q.1)));
    let (ca, cb) = (centroid(a), centroid(b));
    let distance = ((ca.0 - cb.0).powi(2) + (ca.1 - cb.1).powi(2)).sqrt();
    let sq = |p: &[(f64, f64)], c: (f64, f64)| p.iter().map(|q| (q.0 - c.0).powi(2) + (q.1 - c.1).powi(2)).sum::<f64>();
    let n = (a.len() + b.len()) as f64;
    let within = ((sq(a, ca) + sq(b, cb)) / n).sqrt();
    let dprime = if within > 0.0 && !a.is_empty() && !b.is_empty() { distance / within } else { f64::NAN };
    (distance, dprime)
}

impl PrincipalComponents {
    fn of(full: &Array2<f64>, class_rows: &[Vec<usize>; 4]) -> Result<Self, EngramError> {
        let p = pca(full.view(), 2).map_err(analysis_error)?;
        let pc: Vec<(f64, f64)> = p.projections.rows().into_iter().map(|r| (r[0], r[1])).collect();
        let centroid = (mean_of(pc.iter().map(|q| q.0)), mean_of(pc.iter().map(|q| q.1)));
        let rms = mean_of(pc.iter().map(|q| (q.0 - centroid.0).powi(2) + (q.1 - centroid.1).powi(2))).sqrt();
        let points = |rows: &[usize]| rows.iter().map(|&r| pc[r]).collect::<Vec<_>>();
        let (distance, dprime_yz) =
            plane_separation(&points(&class_rows[LEARNED[0]]), &points(&class_rows[LEARNED[1]]));
        let var_ratio = [p.explained_variance_ratio[0], p.explained_variance_ratio[1]];
        Ok(Self { pc, var_ratio, sep_yz: distance / rms, dprime_yz })
    }
}

fn analysis_error(e: engram_analysis::AnalysisError) -> EngramError {
    EngramError::Other(format!("fig6 analysis: {e}"))
}

/// The d_M and QDA results of one condition (fields as in [`Measures`]).
struct Classification {
    d_m: Vec<Vec<f64>>,
    qda_applicable: f64,
    p_target: [f64; 4],
    p_target_by_corr: Vec<(f64, f64)>,
}

/// d_M and QDA on the half-patterns `h`, with neurons drawn from `neurons` (the union of the
/// pure odors' (pseudo-)assemblies): training classes = the presentations' classes, test
/// patterns = all others, target = their nearest pure odor.
fn classify(
    h: &Array2<f64>,
    pres: &Presentations,
    neurons: &[u32],
    draws: usize,
    seed: u64,
) -> Result<Classification, EngramError> {
    let mut train: [Vec<usize>; 4] = Default::default();
    let mut test: [Vec<usize>; 4] = Default::default();
    let mut test_corr: Vec<(usize, usize, f64)> = Vec::new(); // (half row, target, OB corr)
    for k in 0..pres.len() {
        for half in [2 * k, 2 * k + 1] {
            match pres.class[k] {
                Some(c) => train[c].push(half),
                None => {
                    let c = pres.nearest[k];
                    test[c].push(half);
                    test_corr.push((half, c, pres.corr[k][c]));
                }
            }
        }
    }
    let n_min = train.iter().map(Vec::len).min().unwrap_or(0);
    let m = (n_min / 2).min(80).min(neurons.len());
    let mut d_sum = vec![vec![0.0; 4]; 4];
    let mut d_n = vec![vec![0usize; 4]; 4];
    let mut hits = [0usize; 4];
    let mut tried = [0usize; 4];
    let bins: Vec<f64> = (2..10).map(|b| b as f64 / 10.0).collect();
    let mut bin_hits = vec![(0usize, 0usize); bins.len()];
    let mut applicable = 0usize;
    let mut rng = stream(seed, component_id("fig6:neurons"), 0);
    for _ in 0..if m >= 2 { draws } else { 0 } {
        let idx = subsample_neurons(neurons.len(), m, &mut rng).map_err(analysis_error)?;
        let cols: Vec<usize> = idx.iter().map(|&i| neurons[i] as usize).collect();
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
    Ok(Classification {
        d_m: (0..4)
            .map(|a| (0..4).map(|b| if d_n[a][b] > 0 { d_sum[a][b] / d_n[a][b] as f64 } else { f64::NAN }).collect())
            .collect(),
        qda_applicable: if draws > 0 && m >= 2 { applicable as f64 / draws as f64 } else { 0.0 },
        p_target: std::array::from_fn(|c| if tried[c] > 0 { hits[c] as f64 / tried[c] as f64 } else { f64::NAN }),
        p_target_by_corr: bins
            .iter()
            .zip(&bin_hits)
            .filter(|(_, h)| h.1 > 0)
            .map(|(&lo, h)| (lo + 0.05, h.0 as f64 / h.1 as f64))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::plane_separation;

    #[test]
    fn plane_separation_is_the_centroid_distance_over_the_pooled_spread() {
        // two clouds of 4 points at distance 1 from their centroids (0, 0) and (3, 4)
        let ring = |c: (f64, f64)| vec![(c.0 + 1.0, c.1), (c.0 - 1.0, c.1), (c.0, c.1 + 1.0), (c.0, c.1 - 1.0)];
        let (d, dprime) = plane_separation(&ring((0.0, 0.0)), &ring((3.0, 4.0)));
        assert!((d - 5.0).abs() < 1e-12 && (dprime - 5.0).abs() < 1e-12, "{d} {dprime}");
        // twice the spread halves d′, not the distance
        let wide: Vec<(f64, f64)> = ring((0.0, 0.0)).iter().map(|p| (2.0 * p.0, 2.0 * p.1)).collect();
        let wide_b: Vec<(f64, f64)> = wide.iter().map(|p| (p.0 + 3.0, p.1 + 4.0)).collect();
        let (d2, dprime2) = plane_separation(&wide, &wide_b);
        assert!((d2 - 5.0).abs() < 1e-12 && (dprime2 - 2.5).abs() < 1e-12, "{d2} {dprime2}");
        // no spread or no points: not defined
        assert!(plane_separation(&[(0.0, 0.0)], &[(1.0, 0.0)]).1.is_nan());
        assert!(plane_separation(&[], &ring((0.0, 0.0))).1.is_nan());
    }
}
