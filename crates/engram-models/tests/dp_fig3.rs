//! Fig. 3 protocols of the Dp model on a scaled-down network: the morphs approach the target
//! monotonically in input correlation, and partial assembly stimulation drives the injected
//! neurons, recruits the rest of a Tuned E+I assembly and is cleared by the reset pulse.

use engram_models::dp::reproduce::fig3::{analyse_stimulation, morph_protocol, stimulation_protocol};
use engram_models::dp::{DpConfig, DpConnectivity, Variant, WindowKind, odor_sets, simulate};

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

#[test]
fn partial_stimulation_drives_injected_and_recruits_members() {
    let config = DpConfig::default().scaled_down(4);
    let odors = odor_sets(&config, 3).unwrap();
    let base = DpConnectivity::generate(&config, &odors.learned, 7).unwrap();
    let (net, _) = base.with_variant(&config, Variant::TUNED_EI, 7).unwrap();
    let (protocol, injected) = stimulation_protocol(&net, &odors.learned[0], 3, true, 5);
    assert_eq!(injected.len(), 3);
    for (k, inj) in injected.iter().enumerate() {
        assert_eq!(inj.len(), config.assembly_size / 2);
        assert!(inj.iter().all(|i| net.assemblies[k].members().contains(i)));
    }
    let rec = simulate(&config, &net, &protocol, 11, 0.1, None).unwrap();
    assert_eq!(rec.windows.iter().filter(|w| w.kind == WindowKind::Odor).count(), 3);
    let [before, during, _after] = analyse_stimulation(&rec, &net, &injected);
    assert!(during.injected > 3.0, "28 pA on top of baseline input drives the injected neurons: {during:?}");
    assert!(during.injected > during.other_members, "{during:?}");
    assert!(
        during.other_members > 2.0 * during.non_assembly,
        "the rest of a Tuned E+I assembly is recruited: {during:?}"
    );
    assert!(before.all < 0.5, "spontaneous activity before each step (after the reset) is low: {before:?}");
}
