//! Calibrate the drift experiment's volatility on the `--quick` protocol: run chosen
//! conditions with chosen night and turnover settings and print, per condition and schedule
//! group, the drift time constant, the day-0 decoder on the last probe day and within-day
//! decoding (docs/reproduction/drift.md, "Calibration").
//!
//! ```sh
//! cargo run --release -p engram-repro --example drift_calibrate -- \
//!     --turnover 0.05 --tau 20 --sigma 0.5 --ob-eta 0.01 --ob-threshold 2 --ob-tau 100 \\
//!     --ee-scale 1 --istdp-scale 1 --conditions main,c1_fluctuation_only [--scale 4] [--seed 2021]
//! ```

use engram_repro::drift::{Condition, DriftOptions, DriftParams, DriftSummary, ObELearning, experiment};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<()> {
    let mut params = DriftParams::new(true, 4);
    let mut scale = 4;
    let mut seed = 2021u64;
    let mut conditions = vec![Condition::Main, Condition::FluctuationOnly];
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut k = 0;
    while k < args.len() {
        let value = args.get(k + 1).ok_or_else(|| format!("{} needs a value", args[k]))?;
        match args[k].as_str() {
            "--turnover" => {
                let p: f64 = value.parse()?;
                params.ob_e_turnover = (p > 0.0).then(|| {
                    let mut t = params.ob_e_turnover.clone().unwrap_or_default();
                    t.p_per_day = p;
                    t
                });
            }
            "--ob-eta" => {
                let eta: f64 = value.parse()?;
                let w = params.network.pathways().ob_e.w_ns;
                match params.ob_e_learning.as_mut() {
                    Some(ObELearning::Hebbian(p)) => p.eta = eta * w,
                    Some(ObELearning::Stdp(p)) => (p.a_plus, p.a_minus) = (eta * w, 1.05 * eta * w),
                    None => return Err("no OB->E learning".into()),
                }
                if eta == 0.0 {
                    params.ob_e_learning = None;
                }
            }
            "--ob-threshold" => match params.ob_e_learning.as_mut() {
                Some(ObELearning::Hebbian(p)) => p.target_rate_hz = value.parse()?,
                _ => return Err("--ob-threshold needs the Hebbian OB->E rule".into()),
            },
            "--ob-tau" => match params.ob_e_learning.as_mut() {
                Some(ObELearning::Hebbian(p)) => p.tau_ms = value.parse()?,
                _ => return Err("--ob-tau needs the Hebbian OB->E rule".into()),
            },
            "--ee-scale" => {
                // scale E→E pair STDP and the three-factor rule (0: off)
                let f: f64 = value.parse()?;
                if f == 0.0 {
                    (params.e_e_stdp, params.e_e_reward) = (None, None);
                } else {
                    if let Some(p) = params.e_e_stdp.as_mut() {
                        (p.a_plus, p.a_minus) = (p.a_plus * f, p.a_minus * f);
                    }
                    if let Some(p) = params.e_e_reward.as_mut() {
                        (p.a_plus, p.a_minus) = (p.a_plus * f, p.a_minus * f);
                    }
                }
            }
            "--ee-pair" => {
                // `off`: no pair STDP on E→E (the three-factor rule stays)
                if value == "off" {
                    params.e_e_stdp = None;
                }
            }
            "--istdp-scale" => params.istdp.eta *= value.parse::<f64>()?,
            "--tau" => params.night.tau_days = value.parse()?,
            "--sigma" => params.night.log_sd = value.parse()?,
            "--seed" => seed = value.parse()?,
            "--scale" => scale = value.parse()?,
            "--conditions" => {
                conditions = value
                    .split(',')
                    .map(|key| {
                        Condition::ALL
                            .into_iter()
                            .find(|c| c.key() == key)
                            .ok_or_else(|| format!("no condition `{key}`").into())
                    })
                    .collect::<Result<_>>()?
            }
            other => return Err(format!("unknown option {other}").into()),
        }
        k += 2;
    }
    if scale != 4 {
        let (night, turnover, ob) = (params.night.clone(), params.ob_e_turnover.clone(), params.ob_e_learning.clone());
        params = DriftParams::new(true, scale);
        (params.night, params.ob_e_turnover, params.ob_e_learning) = (night, turnover, ob);
    }
    params.conditions = conditions;
    let options =
        DriftOptions { quick: true, scale_down: scale, seed, networks: 1, out: std::env::temp_dir(), progress: false };
    let seeds = vec![seed * 1000 + 1];
    let t0 = std::time::Instant::now();
    let runs = experiment::run_all(&params, seed, &seeds, false)?;
    let s = DriftSummary::new(&params, &options, &seeds, &runs)?;
    println!(
        "turnover {:?}/day, OB->E learning {:?}, tau {} d, sigma {}, scale {scale}: {:.0} s wall",
        params.ob_e_turnover.as_ref().map(|t| t.p_per_day),
        params.ob_e_learning,
        params.night.tau_days,
        params.night.log_sd,
        t0.elapsed().as_secs_f64()
    );
    for c in &s.conditions {
        let acc: Vec<String> = c.within_day_accuracy.iter().map(|a| format!("{a:.2}")).collect();
        println!(
            "{} (within-day {}; odor/blank rate day 0 {:.2}/{:.2} Hz)",
            c.key,
            acc.join(" "),
            c.odor_rate_hz[0],
            c.blank_rate_hz[0]
        );
        let n = |k: usize| {
            c.nights.get(k).map_or("-".to_string(), |n| format!(
            "exposure E->E {:.3} I->E {:.3} OB->E {:.3}; night {:.3} / {:.3} / {:.3}; OB->E mean {:.4} nS, replaced {:.3}",
            n.e_e_exposure_log_step_rms, n.i_e_exposure_log_step_rms, n.ob_e_exposure_log_step_rms,
            n.e_e_night_log_step_rms, n.i_e_night_log_step_rms, n.ob_e_night_log_step_rms, n.ob_e.mean, n.ob_e_turnover_fraction))
        };
        println!("  night 1: {}\n  last night: {}", n(0), n(c.nights.len().saturating_sub(1)));
        for g in &c.groups {
            let row: Vec<String> =
                g.decoding_matrix.first().map_or(vec![], |r| r.iter().map(|a| format!("{a:.2}")).collect());
            let pv: Vec<String> = g.pv_by_lag.iter().map(|x| format!("{:.0}:{:.2}", x.lag_days, x.mean_r)).collect();
            println!(
                "  {:13} tau {:>5} d; day-0 decoder by day [{}]; r~ by lag [{}]",
                g.group.key(),
                g.tau_drift_days.map_or("-".into(), |t| format!("{t:.1}")),
                row.join(" "),
                pv.join(" ")
            );
        }
    }
    Ok(())
}
