//! Selection by gated inhibitory plasticity (`engram::models::selection`): after the gated
//! learning trials the competitor B is more inhibited than the relevant assembly A and A wins
//! the equal-stimulus test; with the signal never on nothing changes.

use engram::models::selection::{SelectionConfig, run_selection};

#[test]
fn gated_istdp_selects_the_relevant_assembly() {
    let cfg = SelectionConfig { n_trials: 16, ..SelectionConfig::default() };
    for seed in [1, 2] {
        let r = run_selection(&cfg, seed).unwrap();
        // before learning: no strong winner (same stimulus, statistically symmetric network)
        let (a0, b0) = (r.before.rate_a_hz, r.before.rate_b_hz);
        assert!((a0 - b0).abs() < 0.5 * (a0 + b0) / 2.0, "seed {seed}: before A {a0:.1} B {b0:.1}");
        // during the first gated trial the salient competitor dominates
        assert!(r.first_trial.rate_b_hz > 2.0 * r.first_trial.rate_a_hz, "seed {seed}: {:?}", r.first_trial);
        // gated iSTDP: inhibition onto B up, onto A not up
        let (ia, ib) = (r.w_ia_before_after_ns, r.w_ib_before_after_ns);
        assert!(ib.1 > ib.0 + 1.0, "seed {seed}: I->B {ib:?}");
        assert!(ia.1 <= ia.0 + 0.1, "seed {seed}: I->A {ia:?}");
        // test with both stimulated: A wins
        assert!(r.after.rate_a_hz > 3.0 * r.after.rate_b_hz, "seed {seed}: after {:?}", r.after);
        assert!(r.selection_gain() > 0.25, "seed {seed}: gain {}", r.selection_gain());
    }
    // control: signal never on, no weight change, still a tie
    let c = run_selection(&SelectionConfig { gated: false, ..cfg }, 1).unwrap();
    assert_eq!(c.w_ia_before_after_ns.0, c.w_ia_before_after_ns.1);
    assert_eq!(c.w_ib_before_after_ns.0, c.w_ib_before_after_ns.1);
    assert!(c.selection_gain().abs() < 0.1, "control gain {}", c.selection_gain());
}
