//! Measures every mutual-information estimator against the closed form on correlated
//! Gaussians: the bias (mean of estimate minus truth) and the spread (standard deviation) over
//! seeded draws, and the time per estimate, for each sample size and dimension asked for.
//!
//! ```text
//! cargo run --release -p ssl-core --example mi_table -- [N,N,..] [d,d,..] [repeats] [critic steps]
//! cargo run --release -p ssl-core --example mi_table -- 500,2000,10000 1,5,20 5 1000
//! ```
//!
//! The correlation of each coordinate pair is chosen so the true MI is 0.5 nats per dimension
//! (capped at 10 nats): I = -d/2 ln(1 - rho^2). Prints one Markdown row per (N, d, estimator).

use std::time::Instant;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use ssl_core::mi::Rows;
use ssl_core::mi::binning::binning_nats;
use ssl_core::mi::critic::{Bound, CriticKind, FitConfig, SampleFit};
use ssl_core::mi::gaussian::CorrelatedGaussian;
use ssl_core::mi::kde::{DEFAULT_NOISE_VARIANCE, kde_nats};
use ssl_core::mi::ksg::{ksg1_nats, ksg2_nats};

fn list(arg: Option<String>, default: &str) -> Vec<usize> {
    arg.unwrap_or_else(|| default.into())
        .split(',')
        .map(|v| v.parse().expect("a comma-separated list of integers"))
        .collect()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let sizes = list(args.next(), "500,2000");
    let dims = list(args.next(), "1,5");
    let repeats = list(args.next(), "5")[0];
    let critic_steps = list(args.next(), "1000")[0];
    println!("| N | d | true (nats) | estimator | bias | spread | ms per estimate |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for &n in &sizes {
        for &d in &dims {
            let truth = (0.5 * d as f64).min(10.0);
            let g = CorrelatedGaussian::from_mi_nats(d, truth).unwrap();
            let names = [
                "KSG 1 (k=3)",
                "KSG 2 (k=3)",
                "binning (30 bins)",
                "KDE (noise 0.1)",
                "InfoNCE",
                "NWJ",
                "MINE",
            ];
            let mut errors = vec![Vec::new(); names.len()];
            let mut millis = vec![0.0; names.len()];
            for seed in 0..repeats as u64 {
                let (x, y) = g.sample(n, &mut ChaCha8Rng::seed_from_u64(seed));
                let (rx, ry) = (Rows::new(&x, d), Rows::new(&y, d));
                let mut timed = |i: usize, f: &mut dyn FnMut() -> f64| {
                    let start = Instant::now();
                    let value = f();
                    millis[i] += start.elapsed().as_secs_f64() * 1000.0 / repeats as f64;
                    errors[i].push(value - truth);
                };
                timed(0, &mut || ksg1_nats(rx, ry, 3).unwrap());
                timed(1, &mut || ksg2_nats(rx, ry, 3).unwrap());
                timed(2, &mut || binning_nats(rx, ry, 30).unwrap());
                timed(3, &mut || kde_nats(rx, ry, DEFAULT_NOISE_VARIANCE).unwrap());
                let start = Instant::now();
                let device = ssl_core::cpu_device();
                let config = FitConfig {
                    batch: 64,
                    steps: critic_steps,
                    critic: CriticKind::Separable,
                    seed,
                };
                let mut fit =
                    SampleFit::new(&x, &y, (d, d), &config, &device).expect("a valid sample");
                while !fit.is_done() {
                    fit.step().expect("the critics train");
                }
                let estimates = fit.estimates().expect("the critics evaluate");
                let per_critic = start.elapsed().as_secs_f64() * 1000.0 / 3.0 / repeats as f64;
                for (i, bound) in Bound::ALL.iter().enumerate() {
                    let _ = bound;
                    errors[4 + i].push(estimates[i] - truth);
                    millis[4 + i] += per_critic;
                }
            }
            for (i, name) in names.iter().enumerate() {
                let e = &errors[i];
                let mean = e.iter().sum::<f64>() / e.len() as f64;
                let var =
                    e.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (e.len().max(2) - 1) as f64;
                println!(
                    "| {n} | {d} | {truth:.2} | {name} | {mean:+.3} | {:.3} | {:.0} |",
                    var.sqrt(),
                    millis[i]
                );
            }
        }
    }
}
