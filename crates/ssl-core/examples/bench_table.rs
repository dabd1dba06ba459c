//! The native column of the benchmark table (`scripts/bench.sh`): runs every case of
//! [`ssl_core::bench`] with the same loop the browser's bench page runs, and writes
//!
//! - `OUT/native.json`: one object per case, `{ key, describe, median_ms, millis, value }`;
//! - `OUT/pairs-N.csv`: the estimators' samples (`x,y`, one pair per row), for scikit-learn.
//!
//! ```text
//! cargo run --release -p ssl-core --example bench_table -- OUT [case,case,...]
//! ```

use std::fmt::Write as _;
use std::time::Instant;

use ssl_core::bench::{BenchRun, Case, sample_pairs};
use ssl_core::data::{Dataset, read_workspace_bundled};

fn main() {
    let mut args = std::env::args().skip(1);
    let out = std::path::PathBuf::from(args.next().unwrap_or_else(|| "target/bench".into()));
    let cases: Vec<Case> = match args.next() {
        Some(keys) => keys
            .split(',')
            .map(|k| Case::from_key(k).unwrap_or_else(|| panic!("no bench case is named {k}")))
            .collect(),
        None => Case::all(),
    };
    std::fs::create_dir_all(&out).expect("an output folder");

    let mut sizes: Vec<usize> = cases
        .iter()
        .filter_map(|c| match c {
            Case::Ksg(n) | Case::Kde(n) | Case::Binning(n) => Some(*n),
            _ => None,
        })
        .collect();
    sizes.sort_unstable();
    sizes.dedup();
    for n in sizes {
        let (x, y) = sample_pairs(n);
        let mut csv = String::from("x,y\n");
        for (a, b) in x.iter().zip(&y) {
            writeln!(csv, "{a:e},{b:e}").expect("writing to a string");
        }
        std::fs::write(out.join(format!("pairs-{n}.csv")), csv).expect("a samples file");
    }

    let digits = read_workspace_bundled(Dataset::Digits).expect("the bundled digits");
    let mut run = BenchRun::new(digits, &cases);
    let start = Instant::now();
    let clock = || start.elapsed().as_secs_f64() * 1000.0;
    let mut results = Vec::new();
    while !run.is_done() {
        if let Some(result) = run.step(&clock).expect("a bench step") {
            eprintln!(
                "{:<16} {:>10.3} ms  ({})",
                result.case.key(),
                result.median_ms(),
                result.case.describe()
            );
            results.push(serde_json::json!({
                "key": result.case.key(),
                "describe": result.case.describe(),
                "median_ms": result.median_ms(),
                "millis": result.millis,
                "value": result.value,
            }));
        }
    }
    let json = serde_json::to_string_pretty(&results).expect("JSON");
    std::fs::write(out.join("native.json"), json).expect("a results file");
}
