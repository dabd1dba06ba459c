//! Measures findings (b), (c) and (e) of Ben-Shaul et al. natively, as CSV on standard output:
//!
//! - (b) for each data set and seed, the three compare presets ([`PRESETS`]) trained from the
//!   same seed: test NCC, CDNV and the linear probe after `steps` steps;
//! - (c) for the balanced preset, the random-target fit (NCC and probe) at randomness 0, 0.5 and
//!   1, untrained and trained;
//! - (e) for the balanced preset, the test NCC of every layer, untrained and trained.
//!
//! `cargo run --release -p ssl-core --example compare -- [steps] [seeds] [data sets]`, the last
//! comma-separated keys (`digits,mnist`); 1000 steps, 3 seeds and every data set by default.
//! Run from the workspace root: the data sets are read from `www/data/`.

use std::path::Path;

use ssl_core::compare::PRESETS;
use ssl_core::data::{Dataset, read_bundled};
use ssl_core::settings::Settings;
use ssl_core::train::{RandomTargetFit, SplitData, Trainer, synthetic_for_run};

fn main() {
    let mut args = std::env::args().skip(1);
    let steps: usize = args.next().map_or(1000, |a| a.parse().expect("steps"));
    let seeds: u64 = args.next().map_or(3, |a| a.parse().expect("seeds"));
    let datasets: Vec<Dataset> = args.next().map_or(Dataset::ALL.to_vec(), |a| {
        a.split(',')
            .map(|k| Dataset::from_key(k).expect("a data set"))
            .collect()
    });
    println!("finding,dataset,seed,variant,when,measure,value");
    let row = |finding: &str, d: Dataset, seed: u64, variant: &str, when: &str, m: &str, v: f64| {
        println!("{finding},{},{seed},{variant},{when},{m},{v:.4}", d.key());
    };
    let targets = |d: Dataset, seed: u64, when: &str, fit: &RandomTargetFit| {
        for (i, r) in fit.levels.iter().enumerate() {
            if [0.0, 0.5, 1.0].iter().any(|l| (l - r).abs() < 1e-9) {
                row("c", d, seed, &format!("r={r}"), when, "ncc", fit.ncc[i]);
                row("c", d, seed, &format!("r={r}"), when, "probe", fit.probe[i]);
            }
        }
    };
    for dataset in datasets {
        let bundled = (!dataset.is_generated())
            .then(|| read_bundled(dataset, Path::new("www")).expect("run from the workspace root"));
        for seed in 0..seeds {
            // The synthetic set is generated from the run's seed (at the default nuisance).
            let generated;
            let loaded = match &bundled {
                Some(loaded) => loaded,
                None => {
                    let base = Settings {
                        seed,
                        dataset,
                        ..Settings::default()
                    };
                    generated = synthetic_for_run(&base).expect("synthetic data");
                    &generated
                }
            };
            for preset in PRESETS {
                let settings = preset.apply(&Settings {
                    seed,
                    dataset,
                    ..Settings::default()
                });
                let split = SplitData::for_run(loaded, seed).expect("split");
                let mut trainer =
                    Trainer::with_split(split, settings, ssl_core::cpu_device()).expect("trainer");
                let balanced = preset.key == "balanced";
                if balanced {
                    let untrained = trainer.evaluate_with(true).expect("evaluate");
                    row(
                        "b",
                        dataset,
                        seed,
                        "untrained",
                        "0",
                        "ncc_test",
                        untrained.ncc_test,
                    );
                    targets(
                        dataset,
                        seed,
                        "untrained",
                        &trainer.random_target_fit().unwrap(),
                    );
                    let layers = trainer.layer_ncc().expect("layers");
                    for (name, v) in layers.names.iter().zip(&layers.ncc_test) {
                        row("e", dataset, seed, name, "untrained", "ncc_test", *v);
                    }
                }
                let mut diverged = false;
                for _ in 0..steps {
                    if trainer.step().is_err() {
                        diverged = true;
                        break;
                    }
                }
                let when = if diverged { "diverged" } else { "trained" };
                match trainer.evaluate_with(true) {
                    Ok(e) => {
                        row("b", dataset, seed, preset.key, when, "ncc_test", e.ncc_test);
                        row("b", dataset, seed, preset.key, when, "cdnv", e.cdnv_train);
                        let probe = e.probe_test.unwrap_or(f64::NAN);
                        row("b", dataset, seed, preset.key, when, "probe", probe);
                    }
                    Err(e) => eprintln!("{} seed {seed} {}: {e}", dataset.key(), preset.key),
                }
                if balanced && !diverged {
                    targets(
                        dataset,
                        seed,
                        "trained",
                        &trainer.random_target_fit().unwrap(),
                    );
                    let layers = trainer.layer_ncc().expect("layers");
                    for (name, v) in layers.names.iter().zip(&layers.ncc_test) {
                        row("e", dataset, seed, name, "trained", "ncc_test", *v);
                    }
                }
            }
        }
    }
}
