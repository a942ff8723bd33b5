//! Parameter checks: defaults from the literature validate, bad values name their field,
//! unknown fields are rejected, RON round trip.

use engram_core::params::Params;
use engram_plasticity::*;

#[test]
fn defaults_validate_and_bad_values_name_the_field() {
    assert!(InhibitoryStdpParams::default().validate().is_ok());
    assert!(InhibitoryStdpParams::single_cell().validate().is_ok());
    assert!(GlobalFactorIstdpParams::default().validate().is_ok());
    assert!(PairStdpParams::default().validate().is_ok());
    assert!(TsodyksMarkramParams::facilitating().validate().is_ok());
    assert!(SynapticScalingParams::default().validate().is_ok());
    assert!(RewardModulatedStdpParams::default().validate().is_ok());
    for p in [
        TripletStdpParams::visual_cortex_all_to_all_minimal(),
        TripletStdpParams::visual_cortex_all_to_all_full(),
        TripletStdpParams::visual_cortex_nearest_minimal(),
        TripletStdpParams::visual_cortex_nearest_full(),
    ] {
        assert!(p.validate().is_ok());
    }
    let field = |e: engram_core::error::ParamError| e.field;
    assert_eq!(
        field(InhibitoryStdpParams { tau_stdp_ms: 0.0, ..Default::default() }.validate().unwrap_err()),
        "tau_stdp_ms"
    );
    assert_eq!(field(InhibitoryStdpParams { w_max: -1.0, ..Default::default() }.validate().unwrap_err()), "w_max");
    assert_eq!(
        field(InhibitoryStdpParams { gate_threshold: Some(f64::NAN), ..Default::default() }.validate().unwrap_err()),
        "gate_threshold"
    );
    assert_eq!(
        field(GlobalFactorIstdpParams { target_rate_hz: 0.0, ..Default::default() }.validate().unwrap_err()),
        "target_rate_hz"
    );
    let p = PairStdpParams { weight_dependence: WeightDependence::Multiplicative { mu: 2.0 }, ..Default::default() };
    assert_eq!(field(p.validate().unwrap_err()), "weight_dependence.mu");
    assert_eq!(field(PairStdpParams { a_minus: -0.1, ..Default::default() }.validate().unwrap_err()), "a_minus");
    assert_eq!(field(TripletStdpParams { tau_y_ms: -1.0, ..Default::default() }.validate().unwrap_err()), "tau_y_ms");
    assert_eq!(field(TsodyksMarkramParams { u_se: 0.0, ..Default::default() }.validate().unwrap_err()), "u_se");
    assert_eq!(
        field(TsodyksMarkramParams { tau_fac_ms: -1.0, ..Default::default() }.validate().unwrap_err()),
        "tau_fac_ms"
    );
    assert_eq!(
        field(SynapticScalingParams { update_every_ms: 0.0, ..Default::default() }.validate().unwrap_err()),
        "update_every_ms"
    );
    assert_eq!(
        field(RewardModulatedStdpParams { tau_eligibility_ms: 0.0, ..Default::default() }.validate().unwrap_err()),
        "tau_eligibility_ms"
    );
    let e = InhibitoryStdpParams { eta: -1.0, ..Default::default() }.validate().unwrap_err().to_string();
    assert!(e.contains("eta = -1"), "{e}");
}

#[test]
fn ron_round_trip_and_unknown_fields() {
    let p = PairStdpParams {
        weight_dependence: WeightDependence::Multiplicative { mu: 0.5 },
        interaction: Interaction::Nearest,
        ..Default::default()
    };
    let s = ron::to_string(&p).unwrap();
    assert_eq!(ron::from_str::<PairStdpParams>(&s).unwrap(), p);
    let p: InhibitoryStdpParams = ron::from_str("(target_rate_hz: 5.0, gate_threshold: Some(0.2))").unwrap();
    assert_eq!((p.target_rate_hz, p.tau_stdp_ms, p.gate_threshold), (5.0, 20.0, Some(0.2)));
    let err = ron::from_str::<TsodyksMarkramParams>("(u_se: 0.2, tau_rec: 100.0)").unwrap_err().to_string();
    assert!(err.contains("tau_rec"), "{err}");
    let err = ron::from_str::<TripletStdpParams>("(a3plus: 0.1)").unwrap_err().to_string();
    assert!(err.contains("a3plus"), "{err}");
}
