//! Parameter validation (field, value, allowed range) and RON round trips of every
//! parameter struct.

use engram_core::params::Params;
use engram_neurons::{
    AdExParams, Adaptation, ConductanceReceptor, IzhikevichParams, LifCondParams, LifCurrentParams, ResetMode,
};

fn field_of<P: Params>(p: P) -> String {
    p.validate().unwrap_err().field
}

#[test]
fn defaults_and_presets_are_valid() {
    assert!(LifCurrentParams::default().validate().is_ok());
    assert!(LifCurrentParams::cuba().validate().is_ok());
    for p in [
        LifCondParams::default(),
        LifCondParams::coba(),
        LifCondParams::dp_excitatory(),
        LifCondParams::dp_inhibitory(),
        LifCondParams::dp_simple(),
    ] {
        p.validate().unwrap();
    }
    assert!(AdExParams::default().validate().is_ok());
    for p in [
        IzhikevichParams::regular_spiking(),
        IzhikevichParams::fast_spiking(),
        IzhikevichParams::intrinsically_bursting(),
        IzhikevichParams::chattering(),
    ] {
        p.validate().unwrap();
    }
}

#[test]
fn dp_presets_hold_table_1() {
    let e = LifCondParams::dp_excitatory();
    assert_eq!(
        (e.tau_m_ms, e.g_l_ns, e.e_l_mv, e.v_th_mv, e.v_reset_mv, e.t_ref_ms),
        (85.0, 1.35, -60.0, -38.0, -60.0, 8.0)
    );
    assert_eq!(e.adaptation, Some(Adaptation { a_ns: 1.0, b_pa: 10.0, tau_w_ms: 40.0 }));
    assert_eq!(e.reset, ResetMode::ClampNextStep);
    assert_eq!(
        e.receptors,
        vec![
            ConductanceReceptor::new("ob", 0.0, 30.0),
            ConductanceReceptor::new("exc", 0.0, 30.0),
            ConductanceReceptor::new("inh", -70.0, 10.0)
        ]
    );
    let i = LifCondParams::dp_inhibitory();
    assert_eq!((i.tau_m_ms, i.g_l_ns, i.e_l_mv, i.v_th_mv, i.v_reset_mv), (50.0, 0.9, -65.0, -45.0, -65.0));
    assert!(i.adaptation.is_none());
    assert_eq!(i.receptors, e.receptors);
    assert!((i.c_m_pf() - 45.0).abs() < 1e-12);
    let s = LifCondParams::dp_simple();
    assert_eq!((s.tau_m_ms, s.g_l_ns, s.e_l_mv, s.v_th_mv), (68.0, 1.1, -62.0, -41.0));
    assert!(s.receptors.iter().all(|r| r.tau_ms == 10.0));
    let coba = LifCondParams::coba();
    assert!((coba.c_m_pf() - 200.0).abs() < 1e-12);
}

#[test]
fn validation_names_the_field_and_range() {
    let err = LifCurrentParams { tau_m_ms: -20.0, ..Default::default() }.validate().unwrap_err();
    assert_eq!(err.to_string(), "tau_m_ms = -20 is not allowed: expected a finite number > 0");
    assert_eq!(field_of(LifCurrentParams { v_reset_mv: -50.0, ..Default::default() }), "v_reset_mv");
    assert_eq!(field_of(LifCurrentParams { t_ref_ms: -0.1, ..Default::default() }), "t_ref_ms");
    assert_eq!(field_of(LifCurrentParams { tau_syn_inh_ms: 0.0, ..Default::default() }), "tau_syn_inh_ms");

    assert_eq!(field_of(LifCondParams { g_l_ns: 0.0, ..Default::default() }), "g_l_ns");
    let err = LifCondParams { v_reset_mv: -40.0, ..Default::default() }.validate().unwrap_err();
    assert!(err.to_string().contains("below v_th_mv = -50"), "{err}");
    assert_eq!(field_of(LifCondParams { t_ref_ms: f64::NAN, ..Default::default() }), "t_ref_ms");
    let mut p = LifCondParams::dp_excitatory();
    p.receptors[2].tau_ms = -10.0;
    assert_eq!(field_of(p), "receptors[2].tau_ms");
    let mut p = LifCondParams::coba();
    p.receptors[1].name = "exc".into();
    assert_eq!(field_of(p), "receptors[1].name");
    let mut p = LifCondParams::coba();
    p.receptors[0].name = "a b".into();
    assert_eq!(field_of(p), "receptors[0].name");
    let p =
        LifCondParams { adaptation: Some(Adaptation { a_ns: 1.0, b_pa: 1.0, tau_w_ms: 0.0 }), ..Default::default() };
    assert_eq!(field_of(p), "adaptation.tau_w_ms");

    assert_eq!(field_of(AdExParams { v_peak_mv: -60.0, ..Default::default() }), "v_peak_mv");
    assert_eq!(field_of(AdExParams { v_reset_mv: -30.0, ..Default::default() }), "v_reset_mv");
    assert_eq!(field_of(AdExParams { tau_w_ms: -1.0, ..Default::default() }), "tau_w_ms");
    assert_eq!(field_of(AdExParams { c_m_pf: 0.0, ..Default::default() }), "c_m_pf");

    assert_eq!(field_of(IzhikevichParams { a: 0.0, ..Default::default() }), "a");
    assert_eq!(field_of(IzhikevichParams { c: 35.0, ..Default::default() }), "c");
}

fn round_trip<P>(p: &P)
where
    P: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let text = ron::to_string(p).unwrap();
    let back: P = ron::from_str(&text).unwrap();
    assert_eq!(&back, p, "{text}");
}

#[test]
fn params_round_trip_and_reject_unknown_fields() {
    round_trip(&LifCurrentParams::cuba());
    round_trip(&LifCondParams::dp_excitatory());
    round_trip(&LifCondParams::coba());
    round_trip(&AdExParams::default());
    round_trip(&IzhikevichParams::chattering());
    // Missing fields take the defaults; enums use snake_case names.
    let p: LifCondParams = ron::from_str("(tau_m_ms: 30, integrator: exp_euler, reset: clamp_next_step)").unwrap();
    assert_eq!(p.tau_m_ms, 30.0);
    assert_eq!(p.g_l_ns, 10.0);
    assert_eq!(p.integrator, engram_neurons::LifCondIntegrator::ExpEuler);
    assert_eq!(p.reset, ResetMode::ClampNextStep);
    let p: LifCondParams = ron::from_str("(adaptation: Some((a_ns: 1, b_pa: 5, tau_w_ms: 100)))").unwrap();
    assert_eq!(p.adaptation.unwrap().b_pa, 5.0);
    assert!(ron::from_str::<LifCondParams>("(tau_mm_ms: 30)").is_err());
    assert!(ron::from_str::<LifCurrentParams>("(c_m: 30)").is_err());
    assert!(ron::from_str::<AdExParams>("(receptors: [(name: \"exc\", e_rev_mv: 0, tau_ms: 5, x: 1)])").is_err());
}

#[test]
fn models_report_their_refractory_period_to_the_engine() {
    use engram_core::neuron::NeuronModel;
    use engram_neurons::{AdEx, Izhikevich, LifCond, LifCurrent, LifNmda, LifNmdaParams};
    let coba = LifCond::new(3, LifCondParams::coba().check().unwrap());
    assert_eq!(coba.refractory_ms(), Some(5.0));
    assert_eq!(LifCond::new(3, LifCondParams::dp_excitatory().check().unwrap()).refractory_ms(), Some(8.0));
    let no_ref = LifCondParams { t_ref_ms: 0.0, ..LifCondParams::coba() };
    assert_eq!(LifCond::new(3, no_ref.check().unwrap()).refractory_ms(), None);
    assert_eq!(LifCurrent::new(3, LifCurrentParams::default().check().unwrap()).refractory_ms(), Some(5.0));
    assert_eq!(AdEx::new(3, AdExParams::default().check().unwrap()).refractory_ms(), None); // t_ref = 0
    let adex = AdExParams { t_ref_ms: 2.0, ..AdExParams::default() };
    assert_eq!(AdEx::new(3, adex.check().unwrap()).refractory_ms(), Some(2.0));
    // no absolute refractory period: the threshold jumps instead, or none at all
    assert_eq!(LifNmda::new(3, LifNmdaParams::default().check().unwrap()).refractory_ms(), None);
    assert_eq!(Izhikevich::new(3, IzhikevichParams::default().check().unwrap()).refractory_ms(), None);

    // the period reported is the one the model keeps: driven as hard as possible, a neuron
    // fires every t_ref (Brian2's `(t − lastspike) < refractory`), or one step later with the
    // Dp code's clamp-next-step reset
    let models: Vec<Box<dyn NeuronModel>> = vec![
        Box::new(coba),
        Box::new(LifCurrent::new(3, LifCurrentParams::default().check().unwrap())),
        Box::new(LifCond::new(3, LifCondParams::dp_excitatory().check().unwrap())),
    ];
    for mut model in models {
        let mut drive = engram_testkit::NeuronDrive::new(model.as_ref(), 0.1);
        drive.current_pa.fill(1e6);
        let spikes = drive.run(model.as_mut(), 500);
        let isis = engram_testkit::neuron::isis_ms(&spikes[0], 0.1);
        let t_ref = model.refractory_ms().unwrap();
        assert!(
            isis.len() > 3 && isis.iter().all(|&d| d > t_ref - 1e-9 && d < t_ref + 0.1 + 1e-9),
            "{}: {isis:?}",
            model.kind()
        );
    }
}
