//! `IntegratorKind`: config names and construction.

use engram_integrators::IntegratorKind;

#[test]
fn config_names_are_snake_case_and_round_trip() {
    let names: Vec<String> = IntegratorKind::ALL.iter().map(|k| ron::to_string(k).unwrap()).collect();
    assert_eq!(names, ["euler", "exp_euler", "rk2", "rk4"]);
    for kind in IntegratorKind::ALL {
        let text = ron::to_string(&kind).unwrap();
        assert_eq!(ron::from_str::<IntegratorKind>(&text).unwrap(), kind);
        // The config name is the integrator's own name.
        assert_eq!(text, kind.build().name());
    }
    assert!(ron::from_str::<IntegratorKind>("rk3").is_err());
    assert_eq!(IntegratorKind::default(), IntegratorKind::Euler);
}
