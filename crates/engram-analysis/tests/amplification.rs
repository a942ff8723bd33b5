//! Amplification ratios on hand-made rate matrices.

use engram_analysis::amplification::*;
use ndarray::array;

#[test]
fn amplification_inside_and_outside_assemblies() {
    // 2 odors x 4 neurons; assembly of odor 0 = {0, 1}, of odor 1 = {2, 3}
    let structured = array![[6.0, 4.0, 1.0, 1.0], [0.5, 0.5, 9.0, 3.0]];
    let rand = array![[2.0, 2.0, 1.0, 1.0], [1.0, 0.0, 2.0, 2.0]];
    let sets = vec![vec![0, 1], vec![2, 3]];
    // inside: structured (5 + 6)/2 = 5.5, rand (2 + 2)/2 = 2 -> 2.75
    let a = amplification(structured.view(), rand.view(), &sets).unwrap().unwrap();
    assert!((a - 2.75).abs() < 1e-12);
    // outside: complements {2,3} and {0,1}: structured (1 + 0.5)/2 = 0.75, rand (1 + 0.5)/2 = 0.75
    let out: Vec<Vec<usize>> = sets.iter().map(|s| engram_analysis::rates::complement(s, 4)).collect();
    let b = amplification(structured.view(), rand.view(), &out).unwrap().unwrap();
    assert!((b - 1.0).abs() < 1e-12);
    // assembly vs rest in the structured network: 5.5 / 0.75
    let r = assembly_to_rest_ratio(structured.view(), &sets).unwrap().unwrap();
    assert!((r - 5.5 / 0.75).abs() < 1e-12);
}

#[test]
fn undefined_and_malformed() {
    let z = array![[0.0, 0.0]];
    let s = vec![vec![0]];
    assert_eq!(amplification(z.view(), z.view(), &s).unwrap(), None);
    assert!(mean_rate_of_sets(z.view(), &[vec![0], vec![1]]).is_err());
    assert!(mean_rate_of_sets(z.view(), &[vec![5]]).is_err());
}
