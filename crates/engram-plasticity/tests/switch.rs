//! `ModulatorSwitch`: a rule's weight changes are gated by the neuromodulator, its traces are not.

/// `ModulatorSwitch` gates weight changes only: a pre spike while the switch is off still
/// sets the presynaptic trace, so a post spike 10 ms later, with the switch on, potentiates
/// by the pair window `A₊ e^{−10/τ₊}`; and nothing changes while it is off.
#[test]
fn modulator_switch_keeps_traces_running_while_off() {
    use engram_core::neuron::StepContext;
    use engram_core::params::Params;
    use engram_core::plasticity::PlasticityRule;
    use engram_plasticity::{ModulatorSwitch, PairStdp, PairStdpParams, SynapseTable};
    let p = PairStdpParams { w_max: 2.0, ..Default::default() };
    let mut rule = ModulatorSwitch::new(PairStdp::new(p.clone().check().unwrap(), 1, 1), 0.5);
    let mut syn = SynapseTable::one_to_one(1, 1.0);
    let ctx = |step| StepContext { step, dt_ms: 0.1 };
    rule.step(&ctx(0), &[0], &[], 0.0, syn.view()); // pre at 0 ms, switch off
    rule.step(&ctx(50), &[], &[0], 0.0, syn.view()); // post at 5 ms, still off: no change
    assert_eq!(syn.weights[0], 1.0);
    rule.step(&ctx(100), &[], &[0], 1.0, syn.view()); // post at 10 ms, switch on
    // All-to-all: the 5 ms post spike (off) also set the post trace, which does not act on a
    // post spike; the change is the 10 ms pairing alone.
    assert!((syn.weights[0] - (1.0 + p.window(10.0))).abs() < 1e-12, "{}", syn.weights[0]);
}
