//! Weight scaling by postsynaptic neuron (the Scaled I variant's χ).

use engram_connectivity::{Connectivity, scale_weights, scale_weights_by_post, scale_weights_onto};

#[test]
fn scaling_touches_exactly_the_synapses_onto_the_given_posts() {
    let c = Connectivity::from_pairs(3, 4, [(0, 0), (0, 2), (1, 2), (1, 2), (2, 3), (2, 1)]).unwrap();
    let w0 = c.weights(0.5);
    let mut w = w0.clone();
    scale_weights_onto(&mut w, &[2, 3, 2], 1.4).unwrap();
    for ((i, j, m), (&a, &b)) in c.iter().zip(w0.data().iter().zip(w.data())) {
        assert_eq!(a, m as f64 * 0.5, "({i}, {j})");
        let expect = if j == 2 || j == 3 { a * 1.4 } else { a };
        assert_eq!(b, expect, "({i}, {j})");
    }
    let mut all = w0.clone();
    scale_weights(&mut all, 1.4);
    assert!(all.data().iter().zip(w0.data()).all(|(&b, &a)| b == a * 1.4));
    let mut per = w0.clone();
    scale_weights_by_post(&mut per, &[1.0, 2.0, 3.0, 4.0]).unwrap();
    // rows: 0 -> {0, 2}, 1 -> {2 (x2)}, 2 -> {1, 3}
    assert_eq!(per.data(), &[0.5, 1.5, 3.0, 1.0, 2.0]);
    assert_eq!(scale_weights_by_post(&mut per, &[1.0]).unwrap_err().field, "factors");
    assert_eq!(scale_weights_onto(&mut per, &[4], 2.0).unwrap_err().field, "posts");
}
