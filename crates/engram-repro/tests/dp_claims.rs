//! The second readings of the Dp paper's partly reproduced claims on synthetic data: the I
//! spike shuffling schemes of Fig. 1 keep what they say they keep, and the simple model's
//! Tuned-like criterion.

use engram_core::rng::stream;
use engram_models::dp::params::Variant;
use engram_repro::dp::fig1::IShuffle;
use engram_repro::dp::fig45::simple_search::{SimplePoint, SimpleRates, SimpleSearchGrid};

const DT_MS: f64 = 0.1;
const DURATION_MS: f64 = 4000.0;

/// 20 I neurons: neuron n fires every (5 + n) ms during the "odor" (1000–3000 ms) only.
fn spikes() -> Vec<(u32, f64)> {
    let mut out = Vec::new();
    for n in 0..20u32 {
        let mut t = 1000.0 + n as f64;
        while t < 3000.0 {
            out.push((n, t));
            t += 5.0 + n as f64;
        }
    }
    out
}

fn counts(s: &[(u32, f64)]) -> Vec<usize> {
    (0..20).map(|n| s.iter().filter(|x| x.0 == n).count()).collect()
}

fn in_odor(s: &[(u32, f64)]) -> usize {
    s.iter().filter(|x| (1000.0..3000.0).contains(&x.1)).count()
}

fn sorted_times(s: &[(u32, f64)]) -> Vec<i64> {
    let mut t: Vec<i64> = s.iter().map(|x| (x.1 / DT_MS).round() as i64).collect();
    t.sort_unstable();
    t
}

#[test]
fn each_shuffling_scheme_keeps_what_it_says_and_destroys_the_rest() {
    let original = spikes();
    let apply = |scheme: IShuffle, seed: u64| scheme.apply(&original, 20, DURATION_MS, DT_MS, &mut stream(seed, 1, 0));
    for scheme in IShuffle::ALL {
        let s = apply(scheme, 7);
        assert!(s.windows(2).all(|w| (w[0].0, w[0].1) <= (w[1].0, w[1].1)), "{scheme:?}: sorted by neuron, time");
        assert!(s.iter().all(|x| x.1 >= 0.0 && x.1 < DURATION_MS && x.0 < 20), "{scheme:?}: in range");
        assert_ne!(s, original, "{scheme:?} changed nothing");
        assert_eq!(apply(scheme, 7), s, "{scheme:?}: same seed, same shuffle");
    }
    // uniform time: counts kept, the odor time course spread over the whole trial
    let u = apply(IShuffle::UniformTime, 1);
    assert_eq!(counts(&u), counts(&original));
    let frac = in_odor(&u) as f64 / u.len() as f64;
    assert!((frac - 0.5).abs() < 0.1, "half the trial is odor: {frac}");
    // ISI: counts, first spikes and ISI multisets kept, so every spike stays in the odor
    let isi = apply(IShuffle::Isi, 2);
    assert_eq!(counts(&isi), counts(&original));
    assert_eq!(in_odor(&isi), original.len());
    // spike labels: the population's spike times and each neuron's count are kept exactly
    let labels = apply(IShuffle::SpikeLabels, 3);
    assert_eq!(sorted_times(&labels), sorted_times(&original));
    assert_eq!(labels.len(), original.len());
    let neuron0: Vec<f64> = labels.iter().filter(|x| x.0 == 0).map(|x| x.1).collect();
    assert!(neuron0.windows(2).any(|w| (w[1] - w[0] - 5.0).abs() > 1e-9), "neuron 0 lost its 5 ms rhythm");
    // trains: every train intact, given to a neuron with another identity
    let trains = apply(IShuffle::Trains, 4);
    let mut a = counts(&trains);
    let mut b = counts(&original);
    assert_ne!(a, b, "the trains moved");
    a.sort_unstable();
    b.sort_unstable();
    assert_eq!(a, b);
    assert_eq!(sorted_times(&trains), sorted_times(&original));
}

#[test]
fn a_grid_point_is_tuned_like_only_with_modest_amplification_stable_rate_and_no_persistence() {
    let rand = SimpleRates { e_rate_odor_hz: 1.0, assembly_rate_hz: 2.0, assembly_rate_after_offset_hz: 0.1 };
    let v = Variant::TunedEI { alpha: 10.0, beta: 4.0, gamma: 3.0 };
    let point = |e, a, after| {
        SimplePoint::new(
            v,
            SimpleRates { e_rate_odor_hz: e, assembly_rate_hz: a, assembly_rate_after_offset_hz: after },
            &rand,
        )
    };
    let p = point(1.05, 6.0, 0.3);
    assert!(p.tuned_like && (p.amplification - 3.0).abs() < 1e-12 && (p.e_rate_change - 0.05).abs() < 1e-12);
    assert_eq!((p.alpha, p.beta, p.gamma), (10.0, 4.0, 3.0));
    assert!(!point(1.0, 2.2, 0.1).tuned_like, "no amplification");
    assert!(!point(1.0, 30.0, 0.1).tuned_like, "runaway assembly");
    assert!(!point(1.3, 6.0, 0.1).tuned_like, "population rate up 30 %");
    assert!(!point(1.0, 6.0, 5.0).tuned_like, "persistent");
    // the grids hold Table 5's point
    for quick in [true, false] {
        assert!(SimpleSearchGrid::new(quick).points().contains(&Variant::TUNED_EI), "quick {quick}");
    }
}
