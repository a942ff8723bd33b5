//! `LifCond`: membrane time constant, rheobase, adaptation, the two reset conventions, the
//! Dp neurons' fitting targets and unitary PSP, exact conductance decay.

use engram_core::neuron::NeuronModel;
use engram_core::params::Params;
use engram_neurons::{Adaptation, LifCond, LifCondIntegrator, LifCondParams, ResetMode};
use engram_testkit::neuron::{NeuronDrive, isis_ms, v};

fn pop(n: usize, p: LifCondParams) -> LifCond {
    LifCond::new(n, p.check().unwrap())
}

/// Fit tau from the relaxation v(t) = e_l + ΔV (1 − e^{−t/tau}) under a small current step:
/// least-squares slope of ln(1 − (v − e_l)/ΔV) against t over the first two time constants.
fn fitted_tau_ms(p: LifCondParams, i_pa: f64, dt: f64) -> f64 {
    let (e_l, g_l, tau) = (p.e_l_mv, p.g_l_ns, p.tau_m_ms);
    let mut model = pop(1, p);
    let mut drive = NeuronDrive::new(&model, dt);
    drive.current_pa[0] = i_pa;
    let dv_inf = i_pa / g_l;
    let (mut sx, mut sy, mut sxx, mut sxy, mut n) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for k in 0..(2.0 * tau / dt) as usize {
        assert!(drive.step(&mut model).is_empty());
        let t = (k + 1) as f64 * dt;
        let y = (1.0 - (v(&model, 0) - e_l) / dv_inf).ln();
        (sx, sy, sxx, sxy, n) = (sx + t, sy + y, sxx + t * t, sxy + t * y, n + 1.0);
    }
    let slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    -1.0 / slope
}

#[test]
fn membrane_time_constant_is_tau_m() {
    for integrator in [LifCondIntegrator::Euler, LifCondIntegrator::ExpEuler] {
        for (p, i_pa) in [(LifCondParams::coba(), 20.0), (LifCondParams::dp_inhibitory(), 5.0)] {
            let tau = p.tau_m_ms;
            for dt in [0.01, 0.1] {
                let fit = fitted_tau_ms(LifCondParams { integrator, ..p.clone() }, i_pa, dt);
                assert!((fit / tau - 1.0).abs() < 0.01, "{integrator:?}, dt {dt}: tau {fit} vs {tau}");
            }
        }
    }
}

#[test]
fn rheobase_separates_silence_from_firing() {
    // g_l (v_th − e_l): 100 pA for COBA, 29.7 pA for Dp E, 18 pA for Dp I.
    let dp_e_plain = LifCondParams { adaptation: None, ..LifCondParams::dp_excitatory() };
    for p in [LifCondParams::coba(), dp_e_plain, LifCondParams::dp_inhibitory()] {
        let rheo = p.rheobase_pa();
        let mut model = pop(2, p);
        let mut drive = NeuronDrive::new(&model, 0.1);
        drive.current_pa.copy_from_slice(&[0.99 * rheo, 1.02 * rheo]);
        let spikes = drive.run(&mut model, 30_000);
        assert!(spikes[0].is_empty(), "0.99 × rheobase {rheo} pA spiked");
        assert!(!spikes[1].is_empty(), "1.02 × rheobase {rheo} pA stayed silent");
    }
    assert!((LifCondParams::coba().rheobase_pa() - 100.0).abs() < 1e-12);
    // Adaptation only opposes depolarisation: below g_l (v_th − e_l) the adapting cell is silent
    // too (v settles at e_l + I/(g_l + a)).
    let p = LifCondParams::dp_excitatory();
    let rheo = p.rheobase_pa();
    let mut model = pop(1, p.clone());
    let mut drive = NeuronDrive::new(&model, 0.1);
    drive.current_pa[0] = 0.99 * rheo;
    assert!(drive.run(&mut model, 30_000)[0].is_empty());
    let v_inf = p.e_l_mv + 0.99 * rheo / (p.g_l_ns + 1.0);
    assert!((v(&model, 0) - v_inf).abs() < 1e-6, "{} vs {v_inf}", v(&model, 0));
}

#[test]
fn dp_excitatory_neuron_meets_its_fitting_targets() {
    // docs/models/dp.md#neuron-model: a 500 ms, 15 pA step gives no spike; 100 pA gives tens of Hz;
    // I rates exceed E rates.
    let mut e = pop(2, LifCondParams::dp_excitatory());
    let mut drive = NeuronDrive::new(&e, 0.1);
    drive.current_pa.copy_from_slice(&[15.0, 100.0]);
    let spikes = drive.run(&mut e, 5000);
    assert!(spikes[0].is_empty(), "15 pA: {} spikes", spikes[0].len());
    let rate_e = spikes[1].len() as f64 / 0.5;
    assert!((10.0..100.0).contains(&rate_e), "100 pA: {rate_e} Hz");

    let mut i = pop(1, LifCondParams::dp_inhibitory());
    let mut drive = NeuronDrive::new(&i, 0.1);
    drive.current_pa[0] = 100.0;
    let rate_i = drive.run(&mut i, 5000)[0].len() as f64 / 0.5;
    assert!(rate_i > rate_e, "I {rate_i} Hz vs E {rate_e} Hz");
}

/// Spike steps and (w before, w after) at each spike, for a constant current.
fn run_with_w(p: LifCondParams, i_pa: f64, n_steps: u64) -> (Vec<u64>, Vec<(f64, f64)>) {
    let mut model = pop(1, p);
    let mut drive = NeuronDrive::new(&model, 0.1);
    drive.current_pa[0] = i_pa;
    let (mut steps, mut w) = (Vec::new(), Vec::new());
    for step in 0..n_steps {
        let w_before = model.state("w_pa").unwrap()[0];
        if !drive.step(&mut model).is_empty() {
            steps.push(step);
            w.push((w_before, model.state("w_pa").unwrap()[0]));
        }
    }
    (steps, w)
}

#[test]
fn adaptation_lowers_the_rate_and_lengthens_isis() {
    // The Dp E cell adapts weakly (b = 10 pA, tau_a = 40 ms): under 150 pA its ISIs grow from
    // 28.5 to 30.1 ms and then stay there.
    let p = LifCondParams::dp_excitatory();
    let b = p.adaptation.as_ref().unwrap().b_pa;
    let (steps, w) = run_with_w(p.clone(), 150.0, 10_000);
    let isis = isis_ms(&steps, 0.1);
    assert!(isis.len() > 10);
    assert!(isis.windows(2).all(|x| x[1] >= x[0] - 1e-9), "ISIs never shorten: {isis:?}");
    assert!(isis[isis.len() - 1] > 1.04 * isis[0], "ISIs {isis:?}");
    // Each spike adds b to w (on top of the continuous change over one step, < 1 pA here),
    // and w accumulates over the first spikes.
    for (before, after) in &w {
        assert!((after - before - b).abs() < 1.0, "w {before} -> {after}");
    }
    assert!(w[5].1 > w[0].1 + b);
    // The same cell without adaptation fires faster.
    let mut plain = pop(1, LifCondParams { adaptation: None, ..p });
    let mut drive = NeuronDrive::new(&plain, 0.1);
    drive.current_pa[0] = 150.0;
    let n_plain = drive.run(&mut plain, 10_000)[0].len();
    assert!(n_plain as f64 > 1.05 * steps.len() as f64, "{n_plain} vs {}", steps.len());

    // Strong spike-triggered adaptation on the COBA cell: the rate drops by more than half.
    let strong = LifCondParams {
        adaptation: Some(Adaptation { a_ns: 2.0, b_pa: 50.0, tau_w_ms: 200.0 }),
        ..LifCondParams::coba()
    };
    let (steps, _) = run_with_w(strong, 400.0, 10_000);
    let isis = isis_ms(&steps, 0.1);
    assert!(isis[isis.len() - 1] > 2.0 * isis[0], "ISIs {isis:?}");
    let early = steps.iter().filter(|&&s| s < 1000).count() as f64 / 0.1;
    let late = steps.iter().filter(|&&s| s >= 5000).count() as f64 / 0.5;
    assert!(late < 0.5 * early, "early {early} Hz, late {late} Hz");
}

#[test]
fn dp_unitary_psp_is_about_one_millivolt() {
    // docs/models/dp.md#unitary-psps: a single 128 pS OB→E (or E→E) input at rest peaks at
    // ≈ 1.0 mV.
    for receptor in [0, 1] {
        let mut e = pop(1, LifCondParams::dp_excitatory());
        let mut drive = NeuronDrive::new(&e, 0.1);
        drive.receptors[receptor][0] = 0.128;
        let mut peak = f64::MIN;
        for _ in 0..3000 {
            drive.step(&mut e);
            peak = peak.max(v(&e, 0) + 60.0);
        }
        assert!((peak - 1.0).abs() < 0.15, "receptor {receptor}: PSP peak {peak} mV");
    }
    // I→E, 480 pS at −60 mV: ≈ −0.3 mV.
    let mut e = pop(1, LifCondParams::dp_excitatory());
    let mut drive = NeuronDrive::new(&e, 0.1);
    drive.receptors[2][0] = 0.48;
    let mut trough = f64::MAX;
    for _ in 0..3000 {
        drive.step(&mut e);
        trough = trough.min(v(&e, 0) + 60.0);
    }
    assert!((trough + 0.3).abs() < 0.3 * 0.15, "IPSP {trough} mV");
}

/// First step index at which neuron 0 spikes.
fn first_spike(model: &mut LifCond, drive: &mut NeuronDrive) -> u64 {
    for _ in 0..100_000 {
        let step = drive.step;
        if !drive.step(model).is_empty() {
            return step;
        }
    }
    panic!("no spike");
}

#[test]
fn immediate_reset_holds_v_for_t_ref() {
    let p = LifCondParams::coba(); // 5 ms = 50 steps
    let mut model = pop(1, p.clone());
    let mut drive = NeuronDrive::new(&model, 0.1);
    drive.current_pa[0] = 3000.0;
    let n = first_spike(&mut model, &mut drive);
    assert_eq!(v(&model, 0), p.v_reset_mv);
    assert_eq!(model.refractory_steps_left()[0], 50);
    for step in n + 1..n + 50 {
        drive.step(&mut model);
        assert_eq!(v(&model, 0), p.v_reset_mv, "step {step}");
    }
    drive.step(&mut model); // step n + 50 integrates
    assert!(v(&model, 0) > p.v_reset_mv);
}

#[test]
fn clamp_next_step_reset_follows_the_dp_code() {
    // docs/models/dp.md#integration-and-update-order: v is not reset in the spiking step; it is
    // clamped to the reset after its update in each of the next t_ref/dt = 80 steps; b is added at
    // the spike.
    let p = LifCondParams::dp_excitatory();
    let mut model = pop(1, p.clone());
    let mut drive = NeuronDrive::new(&model, 0.1);
    drive.current_pa[0] = 400.0;
    let n = first_spike(&mut model, &mut drive);
    assert!(v(&model, 0) > p.v_th_mv, "v stays above threshold in the spiking step");
    for step in n + 1..=n + 80 {
        assert!(drive.step(&mut model).is_empty());
        assert_eq!(v(&model, 0), p.v_reset_mv, "step {step}");
    }
    drive.step(&mut model); // step n + 81: free
    assert!(v(&model, 0) > p.v_reset_mv);
}

#[test]
fn clamp_next_step_matches_a_direct_transcription_of_the_dp_loop() {
    // The MATLAB update order written out for one E neuron with a current and an OB input.
    let p = LifCondParams::dp_excitatory();
    let ad = p.adaptation.clone().unwrap();
    let (dt, c_m) = (0.1, p.c_m_pf());
    let (mut v_ref, mut z, mut g_ob, mut counter) = (p.e_l_mv, 0.0, 0.0, 0u32);
    let decay = (-dt / 30.0f64).exp();
    let mut model = pop(1, p.clone());
    let mut drive = NeuronDrive::new(&model, dt);
    drive.current_pa[0] = 60.0;
    let mut n_spikes = 0;
    for step in 0..20_000u64 {
        let w = if step % 37 == 0 { 0.5 } else { 0.0 };
        // engine: weights of this step arrive before the update (they were added at the end
        // of the previous step in the MATLAB code)
        g_ob += w;
        let v_prev = v_ref;
        v_ref = v_prev + dt / c_m * (p.g_l_ns * (p.e_l_mv - v_prev) + g_ob * (0.0 - v_prev) - z + 60.0);
        z += dt / ad.tau_w_ms * (ad.a_ns * (v_prev - p.e_l_mv) - z);
        if counter > 0 {
            v_ref = p.e_l_mv;
        }
        let spiked = v_ref > p.v_th_mv;
        counter = counter.saturating_sub(1);
        if spiked {
            counter = 80;
            z += ad.b_pa;
        }
        g_ob *= decay;

        drive.receptors[0][0] = w;
        let model_spiked = !drive.step(&mut model).is_empty();
        assert_eq!(model_spiked, spiked, "step {step}");
        n_spikes += spiked as usize;
        assert!((v(&model, 0) - v_ref).abs() < 1e-9, "step {step}: {} vs {v_ref}", v(&model, 0));
        assert!((model.state("w_pa").unwrap()[0] - z).abs() < 1e-9);
    }
    assert!(n_spikes > 5);
}

#[test]
fn conductances_jump_and_decay_exactly_and_act_in_the_arrival_step() {
    let p = LifCondParams::coba();
    let mut model = pop(1, p.clone());
    let mut drive = NeuronDrive::new(&model, 0.1);
    drive.receptors[0][0] = 6.0;
    drive.step(&mut model);
    // The membrane saw g = 6 nS in this step: dv = dt/C · g (E − v).
    assert!((v(&model, 0) - (-60.0 + 0.1 / 200.0 * 6.0 * 60.0)).abs() < 1e-12);
    for k in 1..=100 {
        let g = model.state("g_exc_ns").unwrap()[0];
        assert!((g - 6.0 * (-0.1 * k as f64 / 5.0).exp()).abs() < 1e-12, "step {k}: g {g}");
        drive.step(&mut model);
    }
    // Huge inhibitory conductance with exponential Euler: stable, v stays between E_inh and E_l.
    let mut stiff = pop(1, LifCondParams { integrator: LifCondIntegrator::ExpEuler, ..p });
    let mut drive = NeuronDrive::new(&stiff, 0.1);
    drive.receptors[1][0] = 1e6;
    drive.step(&mut stiff);
    let x = v(&stiff, 0);
    assert!((-80.0..=-60.0).contains(&x) && (x + 80.0).abs() < 1e-3, "{x}");
}

#[test]
fn exp_euler_and_euler_agree_at_small_dt() {
    let mk = |integrator| LifCondParams { integrator, ..LifCondParams::coba() };
    let mut counts = Vec::new();
    for integrator in [LifCondIntegrator::Euler, LifCondIntegrator::ExpEuler] {
        let mut model = pop(1, mk(integrator));
        let mut drive = NeuronDrive::new(&model, 0.01);
        drive.current_pa[0] = 200.0;
        counts.push(drive.run(&mut model, 100_000)[0].len() as f64);
    }
    assert!(counts[0] > 20.0 && (counts[0] - counts[1]).abs() <= 1.0, "{counts:?}");
}

#[test]
fn names_receptors_state_and_reset() {
    let mut coba = pop(2, LifCondParams::coba());
    assert_eq!(coba.kind(), "lif_cond");
    assert_eq!(coba.state_names(), ["v_mv", "g_exc_ns", "g_inh_ns"]);
    assert!(coba.state("w_pa").is_none());
    let rs: Vec<_> = coba.receptors().iter().map(|r| (r.name.as_str(), r.tau_ms)).collect();
    assert_eq!(rs, [("exc", 5.0), ("inh", 10.0)]);
    coba.state_mut("g_inh_ns").unwrap()[1] = 3.0;
    coba.state_mut("v_mv").unwrap()[0] = -55.0;
    coba.reset_state();
    assert_eq!(coba.state("g_inh_ns").unwrap(), [0.0, 0.0]);
    assert_eq!(coba.state("v_mv").unwrap(), [-60.0, -60.0]);

    let dp = pop(1, LifCondParams::dp_excitatory());
    assert_eq!(dp.state_names(), ["v_mv", "g_ob_ns", "g_exc_ns", "g_inh_ns", "w_pa"]);
    let rs: Vec<_> = dp.receptors().iter().map(|r| r.name.as_str()).collect();
    assert_eq!(rs, ["ob", "exc", "inh"]);

    // A custom receptor list and adaptation on a COBA cell.
    let custom = LifCondParams {
        receptors: vec![engram_neurons::ConductanceReceptor::new("nmda_like", 0.0, 80.0)],
        adaptation: Some(Adaptation { a_ns: 2.0, b_pa: 20.0, tau_w_ms: 100.0 }),
        reset: ResetMode::ClampNextStep,
        ..LifCondParams::coba()
    };
    let m = pop(1, custom);
    assert_eq!(m.state_names(), ["v_mv", "g_nmda_like_ns", "w_pa"]);
}
