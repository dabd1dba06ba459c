//! Runs the information plane natively on the digits and prints each hidden layer's place at a
//! few steps, by binning and by the kernel bound, for every activation and objective.
//!
//! ```text
//! cargo run --release -p ssl-core --example plane -- [steps] [seed]
//! ```

use std::time::Instant;

use ssl_core::data::{Dataset, read_workspace_bundled};
use ssl_core::mi::plane::{Activation, InformationPlane, Objective, PlaneConfig};
use ssl_core::split::SplitData;

fn main() {
    let mut args = std::env::args().skip(1);
    let steps = args
        .next()
        .map_or(2000, |v| v.parse().expect("a step count"));
    let seed = args.next().map_or(0, |v| v.parse().expect("a seed"));
    let loaded = read_workspace_bundled(Dataset::Digits).expect("the bundled digits");
    for objective in [Objective::SelfSupervised, Objective::Supervised] {
        for activation in [Activation::Tanh, Activation::Relu] {
            let config = PlaneConfig {
                activation,
                objective,
                steps,
                seed,
                ..PlaneConfig::default()
            };
            let split = SplitData::for_run(&loaded, seed).expect("a split");
            let start = Instant::now();
            let mut plane =
                InformationPlane::new(split, config, &ssl_core::cpu_device()).expect("a run");
            let mut points = vec![plane.measure().expect("measured")];
            let mut loss = 0.0;
            while !plane.is_done() {
                loss = plane.step().expect("a step");
                if plane.measure_due() {
                    points.push(plane.measure().expect("measured"));
                }
            }
            println!(
                "{objective:?} {activation:?}: {steps} steps in {:.1} s, \
                 last loss {loss:.3}, H(Y) {:.3}",
                start.elapsed().as_secs_f64(),
                points[0].label_entropy
            );
            for p in [
                &points[0],
                &points[points.len() / 4],
                &points[points.len() / 2],
                points.last().unwrap(),
            ] {
                let cells: Vec<String> = p
                    .layers
                    .iter()
                    .map(|l| {
                        format!(
                            "bin ({:.2}, {:.2}) kde ({:.2}, {:.2})",
                            l.binning.input, l.binning.label, l.kde.input, l.kde.label
                        )
                    })
                    .collect();
                println!("  step {:>5}: {}", p.step, cells.join(" | "));
            }
        }
    }
}
