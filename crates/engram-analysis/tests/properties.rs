//! Property tests of invariants: participation-ratio bounds, Pearson symmetry and affine
//! invariance, Wilcoxon sign-flip symmetry, least squares never worse than the mean.

use engram_analysis::classify::{LinearReadout, mean_squared_error};
use engram_analysis::correlation::pearson_correlation;
use engram_analysis::pca::participation_ratio;
use engram_analysis::stats::{WilcoxonMethod, wilcoxon_signed_rank};
use ndarray::{Array1, Array2};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config())]

    /// The intercept-only fit is one of the candidates, so least squares never leaves more
    /// in-sample error than the target's variance, whatever the design: duplicated neurons,
    /// silent neurons, more neurons than responses.
    #[test]
    fn least_squares_is_never_worse_in_sample_than_the_mean(
        rows in 2usize..30,
        cols in 1usize..12,
        values in prop::collection::vec(0.0f64..50.0, 30 * 12),
        targets in prop::collection::vec(-10.0f64..10.0, 30),
        copies in prop::collection::vec((0usize..12, 0usize..12), 0..6),
    ) {
        let mut x = Array2::from_shape_fn((rows, cols), |(i, j)| values[i * 12 + j].floor());
        for (from, to) in copies {
            let (from, to) = (from % cols, to % cols);
            let column = x.column(from).to_owned();
            x.column_mut(to).assign(&column);
        }
        let y = Array1::from_iter(targets[..rows].iter().copied());
        let m = LinearReadout::fit(x.view(), y.view()).unwrap();
        let mse = mean_squared_error(m.predict(x.view()).unwrap().view(), y.view()).unwrap();
        prop_assert!(mse <= y.var(0.0) * (1.0 + 1e-9) + 1e-9, "MSE {} > variance {}", mse, y.var(0.0));
    }

    #[test]
    fn participation_ratio_is_between_one_and_the_number_of_nonzero_eigenvalues(
        l in prop::collection::vec(0.0f64..100.0, 1..30)
    ) {
        let nonzero = l.iter().filter(|&&x| x > 0.0).count();
        match participation_ratio(&l) {
            Some(pr) => {
                prop_assert!(pr >= 1.0 - 1e-12);
                prop_assert!(pr <= nonzero as f64 + 1e-9);
            }
            None => prop_assert_eq!(nonzero, 0),
        }
    }

    #[test]
    fn pearson_is_symmetric_bounded_and_affine_invariant(
        xy in prop::collection::vec((-50.0f64..50.0, -50.0f64..50.0), 3..40),
        a in 0.1f64..10.0,
        b in -10.0f64..10.0,
    ) {
        let (x, y): (Vec<f64>, Vec<f64>) = xy.into_iter().unzip();
        let r = pearson_correlation(&x, &y);
        prop_assert_eq!(r, pearson_correlation(&y, &x));
        if let Some(r) = r {
            prop_assert!((-1.0..=1.0).contains(&r));
            let z: Vec<f64> = x.iter().map(|v| a * v + b).collect();
            let r2 = pearson_correlation(&z, &y).unwrap();
            prop_assert!((r - r2).abs() < 1e-9);
        }
    }

    #[test]
    fn wilcoxon_is_symmetric_under_sign_flip(
        d in prop::collection::vec(-20i32..20, 1..18)
    ) {
        let d: Vec<f64> = d.into_iter().map(f64::from).collect();
        let zeros = vec![0.0; d.len()];
        let flipped: Vec<f64> = d.iter().map(|v| -v).collect();
        let (a, b) = (
            wilcoxon_signed_rank(&d, &zeros, WilcoxonMethod::Exact),
            wilcoxon_signed_rank(&flipped, &zeros, WilcoxonMethod::Exact),
        );
        match (a, b) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(a.w_plus, b.w_minus);
                prop_assert!((a.p_value - b.p_value).abs() < 1e-12);
                prop_assert!(a.p_value > 0.0 && a.p_value <= 1.0);
                prop_assert_eq!(a.w_plus + a.w_minus, (a.n * (a.n + 1)) as f64 / 2.0);
            }
            (Err(_), Err(_)) => prop_assert!(d.iter().all(|&v| v == 0.0)),
            _ => prop_assert!(false, "flip changed success"),
        }
    }
}
