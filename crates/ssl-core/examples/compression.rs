//! Runs the compression trade-off's two sweeps natively on the two-task digits and prints, per
//! value, the rate, the class information and both tasks' probe accuracies.
//!
//! ```text
//! cargo run --release -p ssl-core --example compression -- [steps] [seeds] [resample] [beta]
//! ```
//!
//! `resample` is the redraw chance of the beta sweep, `beta` the weight of the resample sweep.

use std::time::Instant;

use ssl_core::data::{Dataset, read_workspace_bundled};
use ssl_core::mi::compression::{CompressionConfig, Sweep, Swept};
use ssl_core::split::SplitData;

fn main() {
    let mut args = std::env::args().skip(1);
    let steps = args
        .next()
        .map_or(600, |v| v.parse().expect("a step count"));
    let seeds: u64 = args.next().map_or(1, |v| v.parse().expect("a seed count"));
    let resample = args
        .next()
        .map_or(1.0, |v| v.parse().expect("a probability"));
    let beta = args.next().map_or(0.0, |v| v.parse().expect("a weight"));
    let loaded = read_workspace_bundled(Dataset::Digits).expect("the bundled digits");
    println!(
        "| sweep | seed | beta | resample | rate | I(Z;class) | class acc | attribute acc | loss |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for swept in [Swept::Beta, Swept::Resample] {
        for seed in 0..seeds {
            let base = CompressionConfig {
                steps,
                seed,
                resample,
                beta,
                ..CompressionConfig::default()
            };
            let split = SplitData::for_run(&loaded, seed).expect("a split");
            let start = Instant::now();
            let mut sweep = Sweep::new(split, base, swept, &ssl_core::cpu_device());
            while !sweep.is_done() {
                if let Some(r) = sweep.step().expect("a step") {
                    println!(
                        "| {swept:?} | {seed} | {} | {} | {:.2} | {:.3} | {:.3} | {:.3} | {:.2} |",
                        r.beta,
                        r.resample,
                        r.rate,
                        r.class_information,
                        r.class_accuracy,
                        r.attribute_accuracy,
                        r.last_loss
                    );
                }
            }
            eprintln!(
                "{swept:?} seed {seed}: {:.1} s",
                start.elapsed().as_secs_f64()
            );
        }
    }
}
