//! Readouts of a graded target (the odor concentration, Fig. 5D–F) over neuron draws:
//! least-squares regression in sample and 2-fold cross-validated, and a linear SVM on classes
//! of the target, each on classes equalised in size.

use ndarray::{Array1, ArrayView1, ArrayView2};
use rand::Rng;
use rand::seq::SliceRandom;

use super::{NeuronDraws, draw_from_pool, equalised_classes};
use crate::classify::{LinearReadout, mean_squared_error, select_columns, select_rows, svm_cross_validated_accuracy};
use crate::error::Result;

/// Least-squares readout ([`LinearReadout`]) on the columns of `x` that vary across its rows
/// (a neuron silent in every training response has no defined weight); returns the fit and the
/// columns kept, or `None` if no column varies or the fit fails.
///
/// ```
/// use ndarray::array;
/// use engram_analysis::neuron_draws::fit_on_varying_columns;
/// // column 1 is constant: dropped; y = 2 x0 + 1
/// let x = array![[0.0, 5.0], [1.0, 5.0], [2.0, 5.0], [3.0, 5.0]];
/// let y = array![1.0, 3.0, 5.0, 7.0];
/// let (m, kept) = fit_on_varying_columns(x.view(), y.view()).unwrap();
/// assert_eq!(kept, vec![0]);
/// assert!((m.coefficients()[0] - 2.0).abs() < 1e-9);
/// assert!(fit_on_varying_columns(array![[1.0], [1.0]].view(), array![0.0, 1.0].view()).is_none());
/// ```
pub fn fit_on_varying_columns(x: ArrayView2<f64>, y: ArrayView1<f64>) -> Option<(LinearReadout, Vec<usize>)> {
    let kept: Vec<usize> = (0..x.ncols())
        .filter(|&j| {
            let column = x.column(j);
            column.iter().any(|&v| v != column[0])
        })
        .collect();
    if kept.is_empty() {
        return None;
    }
    LinearReadout::fit(select_columns(x, &kept).view(), y).ok().map(|m| (m, kept))
}

/// 2-fold cross-validated MSE of [`fit_on_varying_columns`]: the rows are shuffled by `rng`
/// and split into halves (the first ⌊n/2⌋ and the rest); each half is predicted by the fit on
/// the other; the squared errors of all rows are summed and divided by n. `None` if either
/// half cannot be fitted.
///
/// ```
/// use ndarray::{Array1, Array2};
/// use rand::SeedableRng;
/// use engram_analysis::neuron_draws::two_fold_mse;
/// let x = Array2::from_shape_fn((40, 2), |(i, j)| ((i * (j + 3)) % 7) as f64);
/// let y: Array1<f64> = x.rows().into_iter().map(|r| 3.0 * r[0] - r[1] + 2.0).collect();
/// let mut rng = rand_pcg::Pcg64::seed_from_u64(6);
/// let mse = two_fold_mse(x.view(), y.view(), &mut rng).unwrap().unwrap();
/// assert!(mse < 1e-12, "an exact linear target is predicted exactly: {mse}");
/// ```
///
/// # Errors
/// A prediction with the wrong number of columns (not for a fit from these data).
pub fn two_fold_mse<R: Rng + ?Sized>(x: ArrayView2<f64>, y: ArrayView1<f64>, rng: &mut R) -> Result<Option<f64>> {
    let mut order: Vec<usize> = (0..x.nrows()).collect();
    order.shuffle(rng);
    let half = order.len() / 2;
    let mut squared_error = 0.0;
    let mut fitted = true;
    for (train, test) in [(&order[..half], &order[half..]), (&order[half..], &order[..half])] {
        let y_train = Array1::from_iter(train.iter().map(|&i| y[i]));
        match fit_on_varying_columns(select_rows(x, train).view(), y_train.view()) {
            Some((m, kept)) => {
                let predicted = m.predict(select_columns(select_rows(x, test).view(), &kept).view())?;
                squared_error += test.iter().zip(predicted.iter()).map(|(&i, p)| (p - y[i]).powi(2)).sum::<f64>();
            }
            None => fitted = false,
        }
    }
    Ok(fitted.then(|| squared_error / x.nrows() as f64))
}

/// The scores of [`regression_over_draws`], one per draw that produced one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RegressionDraws {
    /// In-sample MSE of the fit on all the draw's responses (target units²).
    pub in_sample_mse: Vec<f64>,
    /// 2-fold cross-validated MSE ([`two_fold_mse`]) (target units²).
    pub cross_validated_mse: Vec<f64>,
}

/// Least-squares readout of `targets` (one per row of `patterns`) over `draws.draws` draws:
/// per draw, the classes (rows of `patterns`, e.g. one per concentration level) are equalised
/// to `per_class` responses each ([`equalised_classes`]), `draws.neurons` neurons are drawn
/// from `pool`, and [`fit_on_varying_columns`] is scored in sample and by [`two_fold_mse`].
/// Random order per draw: the equalisation, the neuron draw, the fold shuffle. The draws stop
/// early once the equalised responses are no more than the fitted parameters (neurons + 1).
///
/// ```
/// use ndarray::Array2;
/// use rand::{Rng, SeedableRng};
/// use engram_analysis::neuron_draws::{NeuronDraws, regression_over_draws};
/// let mut rng = rand_pcg::Pcg64::seed_from_u64(7);
/// // 5 levels × 12 responses of 10 neurons; neuron j fires (level + 1)·j Hz plus noise
/// let level = |row: usize| (row / 12) as f64;
/// let x = Array2::from_shape_fn((60, 10), |(i, j)| (level(i) + 1.0) * j as f64 + rng.gen_range(0.0..0.1));
/// let targets: Vec<f64> = (0..60).map(level).collect();
/// let classes: Vec<Vec<usize>> = (0..5).map(|l| (12 * l..12 * l + 12).collect()).collect();
/// let pool: Vec<usize> = (0..10).collect();
/// let draws = NeuronDraws { neurons: 4, draws: 3 };
/// let r = regression_over_draws(x.view(), &classes, &targets, 10, &pool, draws, &mut rng).unwrap();
/// assert_eq!(r.in_sample_mse.len(), 3);
/// assert!(r.in_sample_mse.iter().chain(&r.cross_validated_mse).all(|&mse| mse < 0.01));
/// ```
///
/// # Errors
/// As [`LinearReadout::predict`] (not for fits from these data).
///
/// # Panics
/// If a class names a row outside `patterns` or `targets`.
pub fn regression_over_draws<R: Rng + ?Sized>(
    patterns: ArrayView2<f64>,
    classes: &[Vec<usize>],
    targets: &[f64],
    per_class: usize,
    pool: &[usize],
    draws: NeuronDraws,
    rng: &mut R,
) -> Result<RegressionDraws> {
    let mut out = RegressionDraws::default();
    for _ in 0..draws.draws {
        let chosen: Vec<usize> = equalised_classes(classes, per_class, rng).concat();
        if chosen.len() <= draws.neurons + 1 {
            break;
        }
        let neurons = draw_from_pool(pool, draws.neurons, rng);
        let x = select_columns(select_rows(patterns, &chosen).view(), &neurons);
        let y = Array1::from_iter(chosen.iter().map(|&k| targets[k]));
        if let Some((m, kept)) = fit_on_varying_columns(x.view(), y.view()) {
            let predicted = m.predict(select_columns(x.view(), &kept).view())?;
            out.in_sample_mse.extend(mean_squared_error(predicted.view(), y.view()));
        }
        out.cross_validated_mse.extend(two_fold_mse(x.view(), y.view(), rng)?);
    }
    Ok(out)
}

/// Cross-validated accuracy of a linear one-vs-one SVM ([`svm_cross_validated_accuracy`]: `folds`
/// stratified folds, `repetitions` times, penalty `c`) over `draws.draws` draws: per draw the
/// classes (rows of `patterns`; label = class index) are equalised to `per_class` responses
/// each and `draws.neurons` neurons are drawn from `pool`. Random order per draw: the
/// equalisation, the neuron draw, the folds. The draws stop early once the equalised classes
/// have fewer than 2 responses each. One accuracy per draw made.
///
/// ```
/// use ndarray::Array2;
/// use rand::{Rng, SeedableRng};
/// use engram_analysis::neuron_draws::{NeuronDraws, svm_over_draws};
/// let mut rng = rand_pcg::Pcg64::seed_from_u64(8);
/// // 3 classes × 20 responses of 6 neurons; class c drives neuron c strongly
/// let x = Array2::from_shape_fn((60, 6), |(i, j)| if j == i / 20 { 10.0 } else { 0.0 } + rng.gen_range(0.0..1.0));
/// let classes: Vec<Vec<usize>> = (0..3).map(|c| (20 * c..20 * c + 20).collect()).collect();
/// let pool: Vec<usize> = (0..6).collect();
/// let draws = NeuronDraws { neurons: 6, draws: 2 };
/// let acc = svm_over_draws(x.view(), &classes, 16, &pool, draws, 2, 1, 1.0, &mut rng).unwrap();
/// assert_eq!(acc.len(), 2);
/// assert!(acc.iter().all(|&a| a > 0.95), "{acc:?}");
/// ```
///
/// # Errors
/// As [`svm_cross_validated_accuracy`].
///
/// # Panics
/// If a class names a row outside `patterns`.
pub fn svm_over_draws<R: Rng + ?Sized>(
    patterns: ArrayView2<f64>,
    classes: &[Vec<usize>],
    per_class: usize,
    pool: &[usize],
    draws: NeuronDraws,
    folds: usize,
    repetitions: usize,
    c: f64,
    rng: &mut R,
) -> Result<Vec<f64>> {
    let mut accuracies = Vec::new();
    for _ in 0..draws.draws {
        let equalised = equalised_classes(classes, per_class, rng);
        if equalised.first().map_or(0, Vec::len) < 2 {
            break;
        }
        let chosen: Vec<usize> = equalised.concat();
        let labels: Vec<usize> =
            equalised.iter().enumerate().flat_map(|(l, members)| std::iter::repeat_n(l, members.len())).collect();
        let neurons = draw_from_pool(pool, draws.neurons, rng);
        let x = select_columns(select_rows(patterns, &chosen).view(), &neurons);
        accuracies.push(svm_cross_validated_accuracy(x.view(), &labels, folds, repetitions, c, rng)?);
    }
    Ok(accuracies)
}
