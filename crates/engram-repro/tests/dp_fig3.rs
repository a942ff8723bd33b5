//! Fig. 3 of the Dp reproduction on a scaled-down network: partial assembly stimulation
//! (dp::completion's protocol) drives the injected neurons, recruits the rest of a Tuned E+I
//! assembly and is cleared by the reset pulse, as fig3's analysis measures it.

use engram_models::dp::completion::stimulation_protocol;
use engram_models::dp::{DpConfig, DpConnectivity, Variant, WindowKind, odor_sets, simulate};
use engram_repro::dp::fig3::analyse_stimulation;

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
