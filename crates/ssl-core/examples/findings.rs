//! Measures finding (a) of Ben-Shaul et al. natively: for each data set, method and seed, the
//! analyses of the untrained and the trained network (the probe included), as CSV. The trained
//! row also gives the mean loss of the last [`LAST_STEPS`] steps, which for a pretext method
//! (`rotation`, `jigsaw`) reads against `ln(classes)`, the loss of a network that knows nothing.
//!
//! `cargo run --release -p ssl-core --example findings -- [steps] [seeds] [data sets] [methods]
//! [nuisances]`, the data sets and methods as comma-separated keys (`digits,mnist`,
//! `vicreg,simclr`), all by default; the nuisances (`0,3,6`, default `3`) are the levels the
//! synthetic set is generated at, one row group each; other data sets ignore them and get an
//! empty `nuisance` column. (Run from the workspace root: the bundled data sets are read from
//! `www/data/`.)

use std::path::Path;
use std::time::Instant;

use ssl_core::data::{Dataset, Loaded, read_bundled};
use ssl_core::method::Method;
use ssl_core::settings::{self, Settings};
use ssl_core::train::{Evaluation, SplitData, Trainer, synthetic_for_run};

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
    let nuisances: Vec<f64> = args.next().map_or(vec![settings::NUISANCE.default], |a| {
        a.split(',')
            .map(|v| v.parse().expect("a nuisance"))
            .collect()
    });
    println!(
        "dataset,nuisance,method,seed,when,ncc_test,ncc_test_coarse,cdnv_train,knn_test,\
         probe_test,steps_per_second,last_loss"
    );
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.4}"));
    let row = |s: &Settings, when: &str, e: &Evaluation, rate: f64, loss: Option<f64>| {
        let nuisance = s.dataset.is_generated().then_some(s.nuisance);
        println!(
            "{},{},{},{},{when},{:.4},{},{:.4},{},{},{rate:.1},{}",
            s.dataset.key(),
            nuisance.map_or(String::new(), |v| v.to_string()),
            s.method.key(),
            s.seed,
            e.ncc_test,
            opt(e.ncc_test_coarse),
            e.cdnv_train,
            opt(e.knn_test),
            opt(e.probe_test),
            opt(loss)
        );
    };
    for dataset in datasets {
        // A bundled set is read once; the synthetic one is generated for every run's settings.
        let bundled = (!dataset.is_generated())
            .then(|| read_bundled(dataset, Path::new("www")).expect("run from the workspace root"));
        let levels = if dataset.is_generated() {
            &nuisances[..]
        } else {
            &[settings::NUISANCE.default][..]
        };
        for &nuisance in levels {
            for &method in &methods {
                for seed in 0..seeds {
                    let settings = Settings {
                        seed,
                        method,
                        dataset,
                        nuisance,
                        ..Settings::default()
                    };
                    let generated: Loaded;
                    let loaded = match &bundled {
                        Some(loaded) => loaded,
                        None => {
                            generated = synthetic_for_run(&settings).expect("synthetic data");
                            &generated
                        }
                    };
                    let split = SplitData::for_run(loaded, seed).unwrap();
                    row(&settings, "pixels", &split.pixel_baseline(), 0.0, None);
                    let mut trainer =
                        Trainer::with_split(split, settings.clone(), ssl_core::cpu_device())
                            .expect("trainer");
                    row(
                        &settings,
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
                        &settings,
                        "trained",
                        &trainer.evaluate_with(true).unwrap(),
                        rate,
                        last_loss,
                    );
                }
            }
        }
    }
}
