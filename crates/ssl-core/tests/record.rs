//! Run files across the boundary: the page writes them with the browser's `JSON.stringify`
//! (through serde-wasm-bindgen), the core reads them with serde_json. The fixture is the file
//! the page saved in `tests/e2e/export.test.mjs` (`?seed=5&batch=64`, 50 steps with Step, then
//! "Run (JSON)"), kept as it came.

use ssl_core::method::Method;
use ssl_core::record::{RunRecord, metrics_csv};

const PAGE_RUN: &str = include_str!("fixtures/record/page-digits-seed5-step50.json");

#[test]
fn the_core_reads_a_run_file_the_page_saved() {
    let record = RunRecord::from_json(PAGE_RUN).expect("the page's run file reads");
    assert_eq!(record.settings.seed, 5);
    assert_eq!(record.settings.batch_size, 64);
    assert_eq!(record.settings.method, Method::Vicreg);
    let steps: Vec<usize> = record.steps.iter().map(|s| s.step).collect();
    assert_eq!(steps, (1..=50).collect::<Vec<_>>());
    // Evaluations at step 0 and every 25 steps; the untrained one is the first.
    let evaluated: Vec<usize> = record.evaluations.iter().map(|e| e.step).collect();
    assert_eq!(evaluated, [0, 25, 50]);
    assert_eq!(record.untrained, record.evaluations.first().copied());
    assert!(record.pixels.is_some() && record.embedding.is_some());
}

#[test]
fn a_run_file_the_page_saved_comes_back_unchanged_through_the_core() {
    let record = RunRecord::from_json(PAGE_RUN).unwrap();
    assert_eq!(RunRecord::from_json(&record.to_json()), Ok(record.clone()));
    // A row per step from 0 to 50, and the header.
    assert_eq!(metrics_csv(&record).lines().count(), 52);
}
