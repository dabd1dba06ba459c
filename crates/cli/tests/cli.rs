//! The built `ssl-explorer` binary, run as a user would: exit codes, the one-line messages on
//! bad input, and the JSON fields other tools read (`mi_nats`).

use std::path::PathBuf;
use std::process::{Command, Output};

fn fixture(name: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ssl-core/tests/fixtures/byo");
    dir.join(name).display().to_string()
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ssl-explorer"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A file in a fresh temporary folder, removed with the folder when the test ends.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("ssl-explorer-cli-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn file(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn estimate_ksg_prints_mi_nats_near_the_truth() {
    let out = run(&[
        "estimate",
        "--estimator",
        "ksg",
        "--k",
        "3",
        &fixture("gauss_x.csv"),
        &fixture("gauss_y.csv"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let value = json(&out);
    let mi = value["mi_nats"].as_f64().unwrap();
    // rho = 0.9: the true MI is 0.830 nats; KSG on 500 samples lands within 0.1.
    assert!((mi - 0.830366).abs() < 0.1, "mi_nats {mi}");
    assert_eq!(value["estimator"], "ksg1");
    assert_eq!(value["samples"], 500);
}

#[test]
fn every_estimator_name_gives_a_finite_estimate() {
    for estimator in ["ksg1", "ksg2", "binning", "kde", "infonce", "nwj", "mine"] {
        let out = run(&[
            "estimate",
            "--estimator",
            estimator,
            "--steps",
            "20",
            &fixture("gauss_x.csv"),
            &fixture("gauss_y.csv"),
        ]);
        assert_eq!(out.status.code(), Some(0), "{estimator}: {}", stderr(&out));
        assert!(
            json(&out)["mi_nats"].as_f64().unwrap().is_finite(),
            "{estimator}"
        );
    }
}

#[test]
fn estimate_prints_csv_on_request() {
    let out = run(&[
        "estimate",
        "--csv",
        &fixture("gauss_x.csv"),
        &fixture("gauss_y.csv"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("estimator,samples,x_dim,y_dim,mi_nats\nksg1,500,1,1,"),
        "{text}"
    );
}

#[test]
fn an_unknown_estimator_is_bad_input() {
    let out = run(&[
        "estimate",
        "--estimator",
        "magic",
        &fixture("gauss_x.csv"),
        &fixture("gauss_y.csv"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--estimator \"magic\": expected ksg"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn unpaired_sample_files_are_bad_input() {
    let scratch = Scratch::new("unpaired");
    let y = scratch.file("y.csv", b"y\n1\n2\n3\n");
    let out = run(&["estimate", &fixture("gauss_x.csv"), &y]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("holds 500 samples but"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn analyze_an_npz_prints_a_report_per_label_column() {
    let out = run(&["analyze", &fixture("both.npz")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["rows"], 30);
    assert_eq!(report["columns"][0]["name"], "fine");
    assert_eq!(report["columns"][0]["ncc_train"], 1.0);
    assert!(
        report["columns"][1]["mi_nats"]
            .as_f64()
            .unwrap()
            .is_finite()
    );
}

#[test]
fn analyze_a_csv_with_chosen_label_columns() {
    let out = run(&[
        "analyze",
        "--csv",
        "--label",
        "species",
        "--label",
        "parity",
        &fixture("table.csv"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[1].starts_with("species,3,24,6,"), "{text}");
}

#[test]
fn analyze_npy_with_a_labels_file() {
    let out = run(&[
        "analyze",
        &fixture("x_f8_be_c.npy"),
        &fixture("labels_i8.npy"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["dim"], 4);
}

#[test]
fn bad_input_exits_with_2_and_one_line_naming_the_file() {
    let scratch = Scratch::new("bad");
    let cases: Vec<(String, Vec<String>, &str)> = vec![
        (
            scratch.file("empty.csv", b""),
            vec!["--label".into(), "0".into()],
            "the file is empty",
        ),
        (
            scratch.file("ragged.csv", b"1,2,a\n3,b\n"),
            vec!["--label".into(), "2".into()],
            "line 2: 2 fields, expected 3",
        ),
        (
            scratch.file("single.csv", b"1,2,a\n3,4,a\n5,6,a\n"),
            vec!["--label".into(), "2".into()],
            "every sample has the class \"a\"",
        ),
        (
            fixture("x_truncated.npy"),
            vec![fixture("labels_i8.npy")],
            "truncated",
        ),
        (
            fixture("x_i4.npy"),
            vec![fixture("labels_i8.npy")],
            "dtype '<i4' is not supported",
        ),
        (
            scratch.file("binary.csv", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            vec!["--label".into(), "0".into()],
            "looks like a binary file",
        ),
        (
            fixture("table.csv"),
            vec![
                "--label".into(),
                "species".into(),
                "--max-mb".into(),
                "0".into(),
            ],
            "--max-mb",
        ),
    ];
    for (file, extra, message) in cases {
        let mut args = vec!["analyze".to_string(), file.clone()];
        args.extend(extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(&args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{file}: {err}");
        assert!(err.contains(message), "{file}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{file}: {err}");
    }
}

#[test]
fn more_labels_than_rows_is_bad_input() {
    let scratch = Scratch::new("labels");
    let labels = scratch.file("labels.csv", &"0\n1\n".repeat(20).into_bytes());
    let out = run(&["analyze", &fixture("x_f4_le_c.npy"), &labels]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("40 labels for 30 embedding rows"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_missing_file_is_bad_input() {
    let out = run(&["analyze", "/nonexistent/x.csv", "--label", "0"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn train_writes_a_run_file_that_trains_the_same_run_again() {
    let scratch = Scratch::new("train");
    let settings = ssl_core::settings::Settings {
        batch_size: 32,
        ..Default::default()
    };
    let path = scratch.file("settings.json", &serde_json::to_vec(&settings).unwrap());
    let www = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../www");
    let www = www.display().to_string();
    let out = run(&[
        "train", &path, "--steps", "4", "--every", "2", "--www", &www,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let history = json(&out);
    assert_eq!(history["steps"].as_array().unwrap().len(), 4);
    let steps: Vec<u64> = history["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["step"].as_u64().unwrap())
        .collect();
    assert_eq!(steps, [0, 2, 4]);

    // It is a run file the page opens, and training from it again gives the same run.
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    let record = ssl_core::record::RunRecord::from_json(&text).expect("a valid run file");
    assert_eq!(record.settings, settings);
    let again = scratch.file("run.json", text.as_bytes());
    let out = run(&[
        "train", &again, "--steps", "4", "--every", "2", "--www", &www,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), text);
}

#[test]
fn a_settings_file_that_is_not_json_is_bad_input() {
    let scratch = Scratch::new("settings");
    let path = scratch.file("settings.json", b"{ not json");
    let out = run(&["train", &path]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("settings.json, line 1"),
        "{}",
        stderr(&out)
    );
}
