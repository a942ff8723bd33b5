//! Delays: whole steps, at least one, rounded to the nearest step, with the right spread.

use engram_connectivity::DelayDistribution;
use engram_core::time::Clock;
use proptest::prelude::*;

proptest! {
    #![proptest_config(crate::config(64))]

    #[test]
    fn uniform_delays_stay_in_the_rounded_range(
        dt in 0.01f64..0.5, min_ms in 0.0f64..5.0, width in 0.0f64..5.0, n in 0usize..5000, seed: u64,
    ) {
        let clock = Clock::new(dt).unwrap();
        let d = DelayDistribution::Uniform { min_ms, max_ms: min_ms + width };
        let steps = d.sample_steps(n, &clock, seed, 0);
        prop_assert_eq!(steps.len(), n);
        let lo = ((min_ms / dt).round() as u32).max(1);
        let hi = (((min_ms + width) / dt).round() as u32).max(1);
        prop_assert_eq!((d.min_steps(&clock), d.max_steps(&clock)), (lo, hi));
        prop_assert!(steps.iter().all(|&s| s >= 1 && lo <= s && s <= hi));
    }

    #[test]
    fn constant_delays_round_to_the_nearest_step(dt in 0.01f64..0.5, ms in 0.0f64..10.0, n in 0usize..100) {
        let clock = Clock::new(dt).unwrap();
        let steps = DelayDistribution::Constant { ms }.sample_steps(n, &clock, 1, 1);
        let expected = clock.delay_steps(ms).unwrap();
        prop_assert!(steps.iter().all(|&s| s == expected));
    }
}

#[test]
fn uniform_delays_have_the_expected_mean_and_half_weight_ends() {
    let clock = Clock::new(0.1).unwrap();
    let d = DelayDistribution::Uniform { min_ms: 1.0, max_ms: 2.0 };
    let n = 200_000;
    let steps = d.sample_steps(n, &clock, 5, 6);
    let mean = steps.iter().map(|&s| s as f64).sum::<f64>() / n as f64;
    assert!((mean - 15.0).abs() < 0.05, "{mean}");
    // 10 and 20 steps cover half a step of ms each: probability 0.05; inner steps 0.1
    let frac = |s: u32| steps.iter().filter(|&&x| x == s).count() as f64 / n as f64;
    assert!((frac(10) - 0.05).abs() < 0.005 && (frac(20) - 0.05).abs() < 0.005);
    assert!((frac(15) - 0.1).abs() < 0.006);
    // delays shorter than half a step still take one step
    let short = DelayDistribution::Uniform { min_ms: 0.0, max_ms: 0.04 }.sample_steps(100, &clock, 1, 1);
    assert!(short.iter().all(|&s| s == 1));
}
