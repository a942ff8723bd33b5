//! Template matching: assign a pattern to the class whose randomly chosen member correlates
//! best with it (Fig. 5—S2).

use ndarray::ArrayView2;
use rand::Rng;

use crate::correlation::pearson_correlation_view;
use crate::error::{Result, check_len};

/// Template matching (docs/models/dp.md#distances-and-classification): one training pattern per
/// class is drawn at random as that class's template (one draw per call, shared by all test
/// patterns); each test pattern (row of `test`) is assigned to the class whose template has the
/// highest Pearson correlation with it. Entry `i` is `None` if no template has a defined
/// correlation with test row `i` (a constant pattern). `train`/`test`: rows = patterns, columns =
/// neurons; `train_labels` in `0..n_classes`, every class present.
///
/// ```
/// use ndarray::array;
/// use rand::SeedableRng;
/// use engram_analysis::classify::template_matching;
/// let train = array![[1.0, 0.0, 0.0], [0.9, 0.1, 0.0], [0.0, 0.0, 1.0], [0.1, 0.0, 0.8]];
/// let test = array![[1.0, 0.2, 0.0], [0.0, 0.1, 1.0]];
/// let mut rng = rand_pcg::Pcg64::seed_from_u64(3);
/// let p = template_matching(train.view(), &[0, 0, 1, 1], test.view(), &mut rng).unwrap();
/// assert_eq!(p, vec![Some(0), Some(1)]);
/// ```
///
/// # Errors
/// Malformed labels, or `train` and `test` have different numbers of neurons.
pub fn template_matching<R: Rng + ?Sized>(
    train: ArrayView2<f64>,
    train_labels: &[usize],
    test: ArrayView2<f64>,
    rng: &mut R,
) -> Result<Vec<Option<usize>>> {
    let k = super::count_classes(train_labels, train.nrows())?;
    check_len("neurons (columns) of the test patterns", train.ncols(), test.ncols())?;
    let templates: Vec<usize> = (0..k)
        .map(|c| {
            let members: Vec<usize> = (0..train_labels.len()).filter(|&i| train_labels[i] == c).collect();
            members[rng.gen_range(0..members.len())]
        })
        .collect();
    Ok(test
        .rows()
        .into_iter()
        .map(|x| {
            let mut best: Option<(usize, f64)> = None;
            for (c, &t) in templates.iter().enumerate() {
                if let Some(r) = pearson_correlation_view(x, train.row(t)) {
                    if best.is_none_or(|(_, b)| r > b) {
                        best = Some((c, r));
                    }
                }
            }
            best.map(|(c, _)| c)
        })
        .collect())
}

/// Mean accuracy of [`template_matching`] over `iterations` independent template draws (the
/// paper uses 10): the fraction of test rows assigned to `test_labels`, an undefined
/// assignment counting as wrong.
///
/// # Errors
/// As [`template_matching`], `test_labels` not one per test row, or `iterations == 0`.
pub fn template_matching_accuracy<R: Rng + ?Sized>(
    train: ArrayView2<f64>,
    train_labels: &[usize],
    test: ArrayView2<f64>,
    test_labels: &[usize],
    iterations: usize,
    rng: &mut R,
) -> Result<f64> {
    check_len("test labels (one per test row)", test.nrows(), test_labels.len())?;
    if iterations == 0 || test.nrows() == 0 {
        return Err(crate::AnalysisError::TooFewSamples {
            what: "iterations and test patterns for template matching",
            needed: 1,
            found: 0,
        });
    }
    let mut total = 0.0;
    for _ in 0..iterations {
        let pred = template_matching(train, train_labels, test, rng)?;
        let correct = pred.iter().zip(test_labels).filter(|(p, t)| **p == Some(**t)).count();
        total += correct as f64 / test.nrows() as f64;
    }
    Ok(total / iterations as f64)
}
