//! Measures finding (a) of Ben-Shaul et al. natively: for each data set, method and seed, the
//! analyses of the untrained and the trained network (the probe included), as CSV. The trained
//! row also gives the mean loss of the last [`LAST_STEPS`] steps, which for a pretext method
//! (`rotation`, `jigsaw`) reads against `ln(classes)`, the loss of a network that knows nothing.
//!
//! `cargo run --release -p ssl-core --example findings -- [steps] [seeds] [data sets] [methods]`,
//! the last two comma-separated keys (`digits,mnist`, `vicreg,simclr`); all by default.
//! (run from the workspace root: the data sets are read from `www/data/`).

use std::time::Instant;

use ssl_core::data::{Dataset, decode_dataset};
use ssl_core::method::Method;
use ssl_core::settings::Settings;
use ssl_core::train::{Evaluation, SplitData, Trainer};

/// How many of the last steps' losses the trained row averages.
const LAST_STEPS: usize = 20;

fn main() {
    let mut args = std::env::args().skip(1);
    let steps: usize = args.next().map_or(1000, |a| a.parse().expect("steps"));
    let seeds: u64 = args.next().map_or(3, |a| a.parse().expect("seeds"));
    let datasets: Vec<Dataset> = args.next().map_or(Dataset::ALL.to_vec(), |a| {
        a.split(',')
            .map(|k| Dataset::from_key(k).expect("a data set"))
            .collect()
    });
    let methods: Vec<Method> = args.next().map_or(Method::ALL.to_vec(), |a| {
        a.split(',')
            .map(|k| Method::from_key(k).expect("a method"))
            .collect()
    });
    println!(
        "dataset,method,seed,when,ncc_test,ncc_test_coarse,cdnv_train,knn_test,probe_test,\
         steps_per_second,last_loss"
    );
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.4}"));
    let row = |d: Dataset,
               m: Method,
               seed: u64,
               when: &str,
               e: &Evaluation,
               rate: f64,
               loss: Option<f64>| {
        println!(
            "{},{},{seed},{when},{:.4},{},{:.4},{},{},{rate:.1},{}",
            d.key(),
            m.key(),
            e.ncc_test,
            opt(e.ncc_test_coarse),
            e.cdnv_train,
            opt(e.knn_test),
            opt(e.probe_test),
            opt(loss)
        );
    };
    for dataset in datasets {
        let files: Vec<Vec<u8>> = dataset
            .files()
            .iter()
            .map(|f| std::fs::read(format!("www/{}", f.path)).expect("run from the workspace root"))
            .collect();
        let loaded = decode_dataset(dataset, &files).expect("bundled data");
        for &method in &methods {
            for seed in 0..seeds {
                let settings = Settings {
                    seed,
                    method,
                    dataset,
                    ..Settings::default()
                };
                let split = SplitData::for_run(&loaded, seed).unwrap();
                let pixels = split.pixel_baseline();
                let mut trainer =
                    Trainer::with_split(split, settings, ssl_core::cpu_device()).expect("trainer");
                row(dataset, method, seed, "pixels", &pixels, 0.0, None);
                row(
                    dataset,
                    method,
                    seed,
                    "untrained",
                    &trainer.evaluate_with(true).unwrap(),
                    0.0,
                    None,
                );
                let start = Instant::now();
                let mut losses = Vec::with_capacity(steps);
                for _ in 0..steps {
                    losses.push(trainer.step().expect("step").total);
                }
                let rate = steps as f64 / start.elapsed().as_secs_f64();
                let last = &losses[steps.saturating_sub(LAST_STEPS)..];
                let last_loss =
                    (!last.is_empty()).then(|| last.iter().sum::<f64>() / last.len() as f64);
                row(
                    dataset,
                    method,
                    seed,
                    "trained",
                    &trainer.evaluate_with(true).unwrap(),
                    rate,
                    last_loss,
                );
            }
        }
    }
}
