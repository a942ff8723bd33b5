//! Calibrate the drift experiment's volatility on the `--quick` protocol: run chosen
//! conditions with chosen night and turnover settings and print, per condition and schedule
//! group, the drift time constant, the day-0 decoder on the last probe day and within-day
//! decoding (docs/reproduction/drift.md, "Calibration").
//!
//! ```sh
//! cargo run --release -p engram-repro --example drift_calibrate -- \
//!     --turnover 0.05 --tau 20 --sigma 0.5 --conditions main,c1_fluctuation_only [--scale 4]
//! ```

use engram_repro::drift::{Condition, DriftOptions, DriftParams, DriftSummary, experiment};

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
        let night = params.night.clone();
        let turnover = params.ob_e_turnover.clone();
        params = DriftParams::new(true, scale);
        (params.night, params.ob_e_turnover) = (night, turnover);
    }
    params.conditions = conditions;
    let options =
        DriftOptions { quick: true, scale_down: scale, seed, networks: 1, out: std::env::temp_dir(), progress: false };
    let seeds = vec![seed * 1000 + 1];
    let t0 = std::time::Instant::now();
    let runs = experiment::run_all(&params, seed, &seeds, false)?;
    let s = DriftSummary::new(&params, &options, &seeds, &runs)?;
    println!(
        "turnover {:?}/day, tau {} d, sigma {}, scale {scale}: {:.0} s wall",
        params.ob_e_turnover.as_ref().map(|t| t.p_per_day),
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
