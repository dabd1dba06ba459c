//! Runs Poole et al.'s staircase natively and prints, per level, each bound's mean over the
//! last quarter of the level's steps, and the wall time.
//!
//! ```text
//! cargo run --release -p ssl-core --example staircase -- [steps] [critic] [seed] [hidden]
//! ```
//!
//! `steps` is per level; `critic` is `separable` (the default) or `concatenated`; `hidden`
//! is the critics' width.

use std::time::Instant;

use ssl_core::mi::critic::{Bound, CriticKind, Staircase, StaircaseConfig};

fn main() {
    let mut args = std::env::args().skip(1);
    let steps_per_level = args
        .next()
        .map_or(400, |v| v.parse().expect("a step count"));
    let critic = match args.next().as_deref() {
        Some("concatenated") => CriticKind::Concatenated,
        _ => CriticKind::Separable,
    };
    let seed = args.next().map_or(0, |v| v.parse().expect("a seed"));
    let hidden = args
        .next()
        .map_or(ssl_core::mi::critic::DEFAULT_HIDDEN, |v| {
            v.parse().expect("a width")
        });
    let config = StaircaseConfig {
        steps_per_level,
        critic,
        seed,
        hidden,
        ..StaircaseConfig::default()
    };
    let levels = config.levels.clone();
    let batch = config.batch;
    let start = Instant::now();
    let mut staircase = Staircase::new(config, &ssl_core::cpu_device()).expect("valid settings");
    let mut points = Vec::new();
    while let Some(point) = staircase.step() {
        points.push(point.expect("the critics train"));
    }
    let seconds = start.elapsed().as_secs_f64();
    println!("critic {critic:?}, {steps_per_level} steps per level, batch {batch}: {seconds:.1} s");
    println!("| true | InfoNCE | NWJ | MINE | ln(batch) |");
    println!("| --- | --- | --- | --- | --- |");
    for (l, level) in levels.iter().enumerate() {
        let tail =
            &points[l * steps_per_level + steps_per_level * 3 / 4..(l + 1) * steps_per_level];
        let means: Vec<String> = (0..Bound::ALL.len())
            .map(|b| {
                let m = tail.iter().map(|p| p.estimates[b]).sum::<f64>() / tail.len() as f64;
                format!("{m:.2}")
            })
            .collect();
        println!(
            "| {level} | {} | {:.2} |",
            means.join(" | "),
            (batch as f64).ln()
        );
    }
}
