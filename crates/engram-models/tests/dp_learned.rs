//! Learned E/I assemblies (dp::learned) on a scaled-down Dp network: iSTDP on I→E, started
//! from E assemblies with random inhibition (Scaled I, χ = 1), raises the inhibition onto the
//! neurons of the presented assemblies more than onto neurons in no assembly.

use engram_models::dp::learned::{LearnedParams, START, inhibitory_input_ns, train};
use engram_models::dp::{DpConfig, DpConnectivity, odor_sets};

#[test]
fn istdp_raises_inhibition_onto_presented_assemblies() {
    let config = DpConfig::default().scaled_down(4);
    let odors = odor_sets(&config, 3).unwrap();
    let base = DpConnectivity::generate(&config, &odors.learned, 17).unwrap();
    let (start, _) = base.with_variant(&config, START, 17).unwrap();
    let params = LearnedParams { repeats: 1, ..LearnedParams::default() };
    let (w, steps) = train(&config, &start, &odors.learned[..3], &[0, 1, 2], None, &params, 17, 0.1).unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!(inhibitory_input_ns(&w, config.n_exc).len(), config.n_exc);
    let d_asm = steps[1].w_assembly_ns - steps[0].w_assembly_ns;
    let d_non = steps[1].w_non_assembly_ns - steps[0].w_non_assembly_ns;
    assert!(d_asm > 0.0, "inhibition onto the assemblies grew: {d_asm}");
    assert!(d_asm > d_non, "assembly {d_asm} vs non-assembly {d_non} nS");
}
