//! Focused measurements of the Dp paper's partly reproduced claims at a reduced size, without
//! the whole `reproduce dp`: `cargo run --release -p engram-repro --example dp_claims -- WHAT
//! [NETWORKS_PER_STRUCTURE] [--quick]`, WHAT = `shuffle` (Fig. 1's shuffling schemes) or
//! `simple` (the simple model's parameter search). Prints the typed result as JSON.

use engram_repro::dp::{Context, ReproduceOptions, fig1, fig45};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let what = args.first().map(String::as_str).unwrap_or("");
    let networks = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1);
    let quick = args.iter().any(|a| a == "--quick");
    let options = ReproduceOptions { networks_per_structure: networks, quick, progress: false, ..Default::default() };
    let ctx = Context::new(options)?;
    let t0 = std::time::Instant::now();
    let json = match what {
        "shuffle" => serde_json::to_string_pretty(&fig1::shuffle_test(&ctx)?)?,
        "simple" => {
            let seed = ctx.options.seed.wrapping_mul(1000).wrapping_add(901);
            serde_json::to_string_pretty(&fig45::simple_search::run(&ctx, seed)?)?
        }
        other => return Err(format!("unknown measurement {other:?}: shuffle or simple").into()),
    };
    println!("{json}");
    eprintln!("wall {:.0} s", t0.elapsed().as_secs_f64());
    Ok(())
}
