//! Bring-your-own embeddings across the parsers and the analyses: every format read from a
//! fixture written by numpy (`tests/fixtures/byo/make_fixtures.py`), checked against the values
//! that script printed (`expected.txt`), and the analyses' report on them.

use std::collections::HashMap;
use std::path::Path;

use ssl_core::byo::analyze::{AnalyzeConfig, LabelMi, analyze};
use ssl_core::byo::parse::{ColumnRef, Input, Options, load, load_samples, parse_labels};
use ssl_core::byo::{ByoError, Embeddings, LabelColumn, Table};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/byo");

fn read(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(FIXTURES).join(name)).unwrap()
}

/// The values `make_fixtures.py` printed, by name.
fn expected() -> HashMap<String, f64> {
    String::from_utf8(read("expected.txt"))
        .unwrap()
        .lines()
        .map(|line| {
            let (key, value) = line.split_once(' ').unwrap();
            (key.to_string(), value.parse().unwrap())
        })
        .collect()
}

/// Checks `e` against the fixture's shape, sum and sampled entries (the CSV holds the values
/// to 3 decimals, which float32 keeps to about 1e-6 each; the sum of 120 to 1e-4).
fn assert_fixture(e: &Embeddings, what: &str) {
    let want = expected();
    assert_eq!(
        (e.rows as f64, e.dim as f64),
        (want["rows"], want["dim"]),
        "{what}"
    );
    let sum: f64 = e.values.iter().map(|&v| f64::from(v)).sum();
    assert!((sum - want["sum"]).abs() < 1e-4, "{what}: sum {sum}");
    let at = |i: usize, j: usize| f64::from(e.values[i * e.dim + j]);
    for (key, value) in [
        ("x[0,0]", at(0, 0)),
        ("x[29,3]", at(29, 3)),
        ("x[7,2]", at(7, 2)),
    ] {
        assert!((value - want[key]).abs() < 1e-6, "{what}: {key} = {value}");
    }
}

fn label_sum(column: &LabelColumn) -> f64 {
    column
        .labels
        .iter()
        .map(|&l| column.classes[usize::from(l)].parse::<f64>().unwrap())
        .sum()
}

fn input<'a>(source: &'a str, bytes: &'a [u8]) -> Input<'a> {
    Input { source, bytes }
}

#[test]
fn every_npy_dtype_byte_order_and_memory_order_reads_the_same_values() {
    for name in [
        "x_f4_le_c.npy",
        "x_f8_be_c.npy",
        "x_f4_be_f.npy",
        "x_f8_le_f.npy",
    ] {
        let bytes = read(name);
        let e = load_samples(input(name, &bytes), &Options::default(), None).unwrap();
        assert_fixture(&e, name);
    }
}

#[test]
fn npy_with_integer_labels_in_a_separate_file() {
    let (x, labels) = (read("x_f4_le_c.npy"), read("labels_i8.npy"));
    let t = load(
        input("x.npy", &x),
        Some(input("labels.npy", &labels)),
        &Options::default(),
        None,
    )
    .unwrap();
    assert_fixture(&t.embeddings, "x.npy");
    assert_eq!(label_sum(&t.label_columns[0]), expected()["label_sum"]);
}

#[test]
fn a_two_column_fortran_labels_npy_gives_two_label_columns() {
    let bytes = read("labels_2col_u1_f.npy");
    let columns = parse_labels(input("l.npy", &bytes), &Options::default(), None).unwrap();
    assert_eq!(columns.len(), 2);
    assert_eq!(label_sum(&columns[0]), expected()["label_sum"]);
    assert_eq!(label_sum(&columns[1]), expected()["parity_sum"]);
}

#[test]
fn npz_holds_the_embeddings_and_every_other_array_as_labels() {
    let bytes = read("both.npz");
    let t = load(input("both.npz", &bytes), None, &Options::default(), None).unwrap();
    assert_fixture(&t.embeddings, "both.npz");
    let names: Vec<&str> = t.label_columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["fine", "parity"]);
    assert_eq!(label_sum(&t.label_columns[1]), expected()["parity_sum"]);
}

#[test]
fn csv_with_a_header_and_two_label_columns() {
    let bytes = read("table.csv");
    let options = Options {
        label_columns: vec![ColumnRef::parse("species"), ColumnRef::parse("5")],
        ..Options::default()
    };
    let t = load(input("table.csv", &bytes), None, &options, None).unwrap();
    assert_fixture(&t.embeddings, "table.csv");
    assert_eq!(t.label_columns[0].classes, ["ant", "bee", "cat"]);
    assert_eq!(t.label_columns[1].name, "parity");
    assert_eq!(label_sum(&t.label_columns[1]), expected()["parity_sum"]);
}

#[test]
fn tsv_without_a_header_and_a_labels_csv() {
    let (x, labels) = (read("x.tsv"), read("labels.csv"));
    let t = load(
        input("x.tsv", &x),
        Some(input("labels.csv", &labels)),
        &Options::default(),
        None,
    )
    .unwrap();
    assert_fixture(&t.embeddings, "x.tsv");
    assert_eq!(t.label_columns[0].name, "fine");
    assert_eq!(label_sum(&t.label_columns[0]), expected()["label_sum"]);
}

#[test]
fn npy_fixtures_with_an_integer_dtype_or_a_cut_body_are_refused() {
    let bytes = read("x_i4.npy");
    let e = load_samples(input("x_i4.npy", &bytes), &Options::default(), None).unwrap_err();
    assert!(matches!(e, ByoError::UnsupportedDtype { .. }), "{e}");
    let bytes = read("x_truncated.npy");
    let e = load_samples(input("x_truncated.npy", &bytes), &Options::default(), None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "x_truncated.npy: the NPY body holds 470 bytes but its header \
                               promises 480: the file is truncated"
    );
}

#[test]
fn parsing_reports_progress_up_to_one() {
    let bytes = read("table.csv");
    let options = Options {
        label_columns: vec![ColumnRef::parse("species")],
        ..Options::default()
    };
    let mut last = 0.0;
    let mut on_progress = |f: f64| last = f;
    load(
        input("t.csv", &bytes),
        None,
        &options,
        Some(&mut on_progress),
    )
    .unwrap();
    assert_eq!(last, 1.0);
}

fn fixture_table() -> Table {
    let bytes = read("both.npz");
    load(input("both.npz", &bytes), None, &Options::default(), None).unwrap()
}

#[test]
fn clustered_embeddings_score_high_on_every_measure() {
    let report = analyze(&fixture_table(), &AnalyzeConfig::default(), None).unwrap();
    assert_eq!(report.columns.len(), 2);
    let fine = &report.columns[0];
    assert_eq!(fine.class_counts, [10, 10, 10]);
    assert_eq!((fine.train_samples, fine.test_samples), (24, 6));
    // The fixture's clusters touch: one of the six test samples sits nearer another centre.
    assert!(
        fine.ncc_train == 1.0 && fine.ncc_test >= 5.0 / 6.0,
        "{fine:?}"
    );
    assert!(fine.probe_test >= 5.0 / 6.0, "probe {}", fine.probe_test);
    assert!(fine.cdnv_train < 0.2, "cdnv {}", fine.cdnv_train);
    // The MI of three equally likely classes, fully determined by the clusters, is ln 3.
    assert!((fine.label_entropy_nats - 3f64.ln()).abs() < 1e-12);
    assert!(fine.mi_nats > 0.5 * 3f64.ln(), "mi {}", fine.mi_nats);
    // Random targets fit worse than the true ones at full randomness.
    assert_eq!(fine.random_targets.levels.len(), 11);
    assert!(fine.random_targets.ncc[10] < fine.random_targets.ncc[0]);
    assert_eq!(report.view.points.len(), 30);
}

#[test]
fn the_report_is_a_function_of_the_table_and_the_seed() {
    let config = AnalyzeConfig {
        label_mi: LabelMi::Binning { bins: 5 },
        ..AnalyzeConfig::default()
    };
    let table = fixture_table();
    assert_eq!(
        analyze(&table, &config, None).unwrap(),
        analyze(&table, &config, None).unwrap()
    );
}

fn with_labels(labels: &[&str]) -> Table {
    let rows = labels.len();
    let embeddings = Embeddings {
        values: (0..rows * 2).map(|v| v as f32).collect(),
        rows,
        dim: 2,
    };
    let text: String = labels.iter().map(|l| format!("{l}\n")).collect();
    let columns = parse_labels(input("l.csv", text.as_bytes()), &Options::default(), None).unwrap();
    Table::new(embeddings, columns).unwrap()
}

#[test]
fn a_single_class_is_refused() {
    let e = analyze(
        &with_labels(&["a", "a", "a"]),
        &AnalyzeConfig::default(),
        None,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "l.csv, label column column 0: every sample has the class \"a\"; expected at least two \
         classes"
    );
}

#[test]
fn a_class_with_one_sample_is_refused() {
    let table = with_labels(&["a", "a", "b", "a"]);
    let e = analyze(&table, &AnalyzeConfig::default(), None).unwrap_err();
    assert!(
        matches!(e, ByoError::TooFewPerClass { count: 1, .. }),
        "{e}"
    );
}
