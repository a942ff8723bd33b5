//! The second readings of the Dp paper's partly reproduced claims on synthetic data: the I
//! spike shuffling schemes of Fig. 1 keep what they say they keep, and the simple model's
//! Tuned-like criterion.

use engram_core::rng::stream;
use engram_models::dp::params::Variant;
use engram_repro::dp::fig1::IShuffle;
use engram_repro::dp::fig45::simple_search::{SimplePoint, SimpleRates, SimpleSearchGrid};

const DT_MS: f64 = 0.1;
const DURATION_MS: f64 = 4000.0;

/// 20 I neurons, irregular: neuron n's k-th interval is 4 + ((k + n) mod 5)·(1 + n mod 3) ms,
/// during the "odor" (1000–3000 ms) only.
fn spikes() -> Vec<(u32, f64)> {
    let mut out = Vec::new();
    for n in 0..20u32 {
        let mut t = 1000.0 + n as f64;
        let mut k = 0;
        while t < 3000.0 {
            out.push((n, t));
            t += 4.0 + ((k + n) % 5) as f64 * (1 + n % 3) as f64;
            k += 1;
        }
    }
    out
}

fn times_of(s: &[(u32, f64)], n: u32) -> Vec<f64> {
    s.iter().filter(|x| x.0 == n).map(|x| x.1).collect()
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
        assert!(s != original, "{scheme:?} changed nothing");
        assert!(apply(scheme, 7) == s, "{scheme:?}: same seed, same shuffle");
    }
    // uniform time: counts kept, the odor time course spread over the whole trial
    // (less the few spikes that land on a step the neuron already fires in)
    let u = apply(IShuffle::UniformTime, 1);
    for (a, b) in counts(&u).into_iter().zip(counts(&original)) {
        assert!(a <= b && a as f64 >= 0.97 * b as f64, "{a} of {b}");
    }
    let frac = in_odor(&u) as f64 / u.len() as f64;
    assert!((frac - 0.5).abs() < 0.1, "half the trial is odor: {frac}");
    // ISI: counts, first spikes and ISI multisets kept, so every spike stays in the odor
    let isi = apply(IShuffle::Isi, 2);
    assert_eq!(counts(&isi), counts(&original));
    assert_eq!(in_odor(&isi), original.len());
    for n in 0..20 {
        let (a, b) = (times_of(&isi, n), times_of(&original, n));
        assert!((a[0] - b[0]).abs() < 1e-9, "neuron {n} keeps its first spike");
        let sorted_isis = |t: &[f64]| {
            let mut d: Vec<i64> = t.windows(2).map(|w| ((w[1] - w[0]) / DT_MS).round() as i64).collect();
            d.sort_unstable();
            d
        };
        assert_eq!(sorted_isis(&a), sorted_isis(&b), "neuron {n} keeps its ISIs");
    }
    // spike labels: the population's spike times are kept (less the few dealt twice to one
    // neuron at one step)
    let labels = apply(IShuffle::SpikeLabels, 3);
    let times = sorted_times(&original);
    assert!(sorted_times(&labels).iter().all(|t| times.binary_search(t).is_ok()));
    // (these trains are on a 1 ms grid, so coincidences are far more common than in a run)
    assert!(labels.len() as f64 >= 0.9 * original.len() as f64, "{} of {}", labels.len(), original.len());
    assert!(times_of(&labels, 0) != times_of(&original, 0), "neuron 0 got other spike times");
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
