//! Focused measurements of the Dp paper's partly reproduced claims at a reduced size, without
//! the whole `reproduce dp`: `cargo run --release -p engram-repro --example dp_claims -- WHAT
//! [NETWORKS_PER_STRUCTURE] [--quick] [--first K]`, WHAT = `shuffle` (Fig. 1's shuffling
//! schemes), `simple` (the simple model's parameter search) or `readouts` (Fig. 5's d_M and
//! QDA in both covariance readings, rand and Tuned E+I). `--first K` keeps only the first K
//! networks (A1, then B…). Prints the typed result as JSON; files go to a fresh folder of this process under the system's temporary directory.

use engram_repro::dp::{Context, ReproduceOptions, fig1, fig45};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let what = args.first().map(String::as_str).unwrap_or("");
    let networks = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1);
    let quick = args.iter().any(|a| a == "--quick");
    let first: Option<usize> = args.iter().position(|a| a == "--first").and_then(|i| args.get(i + 1)?.parse().ok());
    let options = ReproduceOptions {
        networks_per_structure: networks,
        quick,
        progress: false,
        out: std::env::temp_dir().join(format!("engram_dp_claims_{}", std::process::id())),
        ..Default::default()
    };
    let mut ctx = Context::new(options)?;
    if let Some(k) = first {
        ctx.instances.truncate(k);
    }
    let t0 = std::time::Instant::now();
    let json = match what {
        "shuffle" => serde_json::to_string_pretty(&fig1::shuffle_test(&ctx)?)?,
        "simple" => {
            let seed = ctx.options.seed.wrapping_mul(1000).wrapping_add(901);
            serde_json::to_string_pretty(&fig45::simple_search::run(&ctx, seed)?)?
        }
        "readouts" => serde_json::to_string_pretty(&fig45::readouts_only(&ctx, &["rand", "tuned_ei"])?)?,
        other => return Err(format!("unknown measurement {other:?}: shuffle, simple or readouts").into()),
    };
    println!("{json}");
    eprintln!("wall {:.0} s", t0.elapsed().as_secs_f64());
    Ok(())
}
