//! The Fig. 3 morph protocol of the Dp model (dp::completion): the morphs approach the target
//! monotonically in input correlation, every odor is shown twice, and a reset follows each trial.

use engram_models::dp::completion::morph_protocol;
use engram_models::dp::{DpConfig, odor_sets};

#[test]
fn morph_protocol_is_monotone_and_shows_every_odor_twice() {
    let config = DpConfig::default().scaled_down(4);
    let odors = odor_sets(&config, 3).unwrap();
    let set =
        morph_protocol(&odors.novel[0], &odors.learned[1], &odors.learned[0], 11, 2, Some(config.n_exc), 9).unwrap();
    assert_eq!(set.protocol.odors.len(), 21, "two morphs of 11 steps share the target");
    for (m, r) in set.input_r.iter().enumerate() {
        assert_eq!(r.len(), 11);
        assert!(r.windows(2).all(|w| w[1] > w[0]), "morph {m}: input correlation must rise toward L: {r:?}");
        assert!((r[10] - 1.0).abs() < 1e-12 && r[0] < 0.3, "morph {m}: {r:?}");
    }
    assert_eq!(set.steps[0][10], set.steps[1][10], "both morphs end in the same target");
    for o in 0..21 {
        assert_eq!(set.protocol.presentations.iter().filter(|p| p.odor == o).count(), 2, "odor {o}");
    }
    let windows = set.protocol.windows();
    assert_eq!(windows.len(), 2 * 42);
    assert!(windows.windows(2).all(|w| w[0].end_ms <= w[1].start_ms), "windows sorted, not overlapping");
    assert_eq!(set.protocol.injections.len(), 42, "one reset per trial");
    // the reset ends before the next odor onset
    for (inj, next) in set.protocol.injections.iter().zip(set.protocol.presentations.iter().skip(1)) {
        assert!(inj.stop_ms < next.onset_ms && inj.amplitude_pa < 0.0);
    }
}
