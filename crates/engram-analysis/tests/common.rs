//! Shared test helpers: seeded RNG and Gaussian samples with a given mean and covariance.

use nalgebra::DMatrix;
use ndarray::Array2;
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use rand_pcg::Pcg64;

pub fn rng(seed: u64) -> Pcg64 {
    Pcg64::seed_from_u64(seed)
}

/// `n` rows drawn from N(mean, cov) (cov given row-major, d × d), via its Cholesky factor.
pub fn gaussian(n: usize, mean: &[f64], cov: &[f64], rng: &mut Pcg64) -> Array2<f64> {
    let d = mean.len();
    let l = DMatrix::from_row_slice(d, d, cov).cholesky().expect("test covariance must be positive definite").l();
    let mut x = Array2::zeros((n, d));
    for i in 0..n {
        let z: Vec<f64> = (0..d).map(|_| StandardNormal.sample(rng)).collect();
        for a in 0..d {
            let mut v = mean[a];
            for b in 0..=a {
                v += l[(a, b)] * z[b];
            }
            x[[i, a]] = v;
        }
    }
    x
}

/// Identity matrix, row-major.
pub fn identity(d: usize) -> Vec<f64> {
    let mut v = vec![0.0; d * d];
    for i in 0..d {
        v[i * d + i] = 1.0;
    }
    v
}
