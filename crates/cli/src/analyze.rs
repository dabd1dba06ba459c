//! `analyze EMBEDDINGS [LABELS]`: the core's `byo` analyses on brought embeddings.

use ssl_core::byo::analyze::{Analysis, Report};
use ssl_core::byo::parse::{Input, load};

use crate::args::Analyze;
use crate::error::CliError;
use crate::output::{cell, print, progress_bar, read_within};

/// Progress-bar ticks while a file is parsed.
const PARSE_TICKS: u64 = 100;

pub fn run(request: &Analyze) -> Result<(), CliError> {
    let budget = request.options.budget_bytes;
    let embeddings_name = request.embeddings.display().to_string();
    let embeddings = read_within(&request.embeddings, budget)?;
    let labels_name = request.labels.as_ref().map(|p| p.display().to_string());
    let labels = match &request.labels {
        Some(path) => Some(read_within(path, budget)?),
        None => None,
    };

    let bar = progress_bar(PARSE_TICKS, "reading");
    let mut on_progress = |fraction: f64| bar.set_position((fraction * PARSE_TICKS as f64) as u64);
    let table = load(
        Input {
            source: &embeddings_name,
            bytes: &embeddings,
        },
        labels_name
            .as_deref()
            .zip(labels.as_deref())
            .map(|(source, bytes)| Input { source, bytes }),
        &request.options,
        Some(&mut on_progress),
    )?;
    bar.finish_and_clear();

    let mut analysis = Analysis::new(&table, request.config.clone())?;
    let bar = progress_bar(analysis.total_steps() as u64, "analysing");
    let report = loop {
        let done = analysis.step()?;
        bar.inc(1);
        if let Some(report) = done {
            break report;
        }
    };
    bar.finish_and_clear();
    print(request.format, &report, &CSV_HEADER, csv_rows(&report))
}

const CSV_HEADER: [&str; 12] = [
    "column",
    "classes",
    "train_samples",
    "test_samples",
    "ncc_train",
    "ncc_test",
    "cdnv_train",
    "knn_test",
    "probe_test",
    "random_targets_ncc_at_1",
    "mi_nats",
    "label_entropy_nats",
];

/// One row per label column; the random-target fit is summarised by its NCC at full randomness.
fn csv_rows(report: &Report) -> Vec<Vec<String>> {
    report
        .columns
        .iter()
        .map(|c| {
            vec![
                c.name.clone(),
                c.classes.len().to_string(),
                c.train_samples.to_string(),
                c.test_samples.to_string(),
                c.ncc_train.to_string(),
                c.ncc_test.to_string(),
                c.cdnv_train.to_string(),
                c.knn_test.to_string(),
                c.probe_test.to_string(),
                cell(c.random_targets.ncc.last().copied()),
                c.mi_nats.to_string(),
                c.label_entropy_nats.to_string(),
            ]
        })
        .collect()
}
