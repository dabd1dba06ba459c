//! A run on file: its settings and everything the page measured, as the page exports it and
//! imports it again. The settings alone reproduce the run (every random draw comes from their
//! seed); the measurements let a reader look at a run again without training it.
//!
//! The JSON is the record below, serialized by serde, with a format tag and a version so that a
//! file from elsewhere, or from a later version, is refused with a message rather than misread.
//! [`metrics_csv`] writes the same measurements as one table, a row per step measured.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::settings::Settings;
use crate::train::{EmbeddingView, Evaluation, LayerNcc, RandomTargetFit, StepReport};

/// The value of a run file's `format` field.
pub const FORMAT: &str = "ssl-explorer-run";
/// The version written; a file with a later one is refused.
pub const VERSION: u32 = 1;
/// The largest run file read, in bytes. A run of 10,000 steps exports about 1 MB; a file a
/// hundred times that is not one of ours.
pub const MAX_BYTES: usize = 100 << 20;

/// A run's settings and its measurements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Always [`FORMAT`].
    pub format: String,
    pub version: u32,
    pub settings: Settings,
    /// The step reports, in step order (the page keeps at most 2,048, thinned far back).
    pub steps: Vec<StepReport>,
    /// The evaluations (NCC, CDNV, kNN, probe), in step order, from step 0.
    pub evaluations: Vec<Evaluation>,
    /// The raw pixels' and the untrained network's evaluations, the charts' reference lines.
    pub pixels: Option<Evaluation>,
    pub untrained: Option<Evaluation>,
    pub layers_untrained: Option<LayerNcc>,
    pub layers: Option<LayerNcc>,
    pub random_targets_untrained: Option<RandomTargetFit>,
    pub random_targets: Option<RandomTargetFit>,
    pub embedding: Option<EmbeddingView>,
}

/// The fields of a run file read before the rest, to refuse a foreign file with a message.
#[derive(Debug, Deserialize)]
pub struct RecordTag {
    pub format: Option<String>,
    pub version: Option<u32>,
}

impl RecordTag {
    /// Whether the file says it is a run file of a version this one reads.
    fn check(&self) -> Result<(), RecordError> {
        match (self.format.as_deref(), self.version) {
            (Some(FORMAT), Some(v)) if v > VERSION => Err(RecordError::Version(v)),
            (Some(FORMAT), _) => Ok(()),
            (other, _) => Err(RecordError::Format(other.unwrap_or("missing").into())),
        }
    }
}

/// Why a run file cannot be read.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum RecordError {
    #[error("the run file is empty")]
    Empty,
    #[error("the run file is {bytes} bytes, more than the {MAX_BYTES} a run file can be")]
    TooLarge { bytes: usize },
    /// Not JSON, or JSON of another shape. serde_json names the line and column.
    #[error("the run file could not be read: {0}")]
    Json(String),
    #[error("this is not an SSL Explorer run file (its format is \"{0}\", not \"{FORMAT}\")")]
    Format(String),
    #[error("the run file has version {0}, made by a later SSL Explorer; this one reads {VERSION}")]
    Version(u32),
    /// A setting outside its range: the file was edited, or made by another version.
    #[error("the run file's settings are not valid: {0}")]
    Settings(String),
    /// The measurements contradict each other or the settings.
    #[error("the run file's measurements are not consistent: {0}")]
    Inconsistent(String),
}

impl RunRecord {
    /// A record of `settings` with no measurements yet.
    pub fn new(settings: Settings) -> Self {
        Self {
            format: FORMAT.into(),
            version: VERSION,
            settings,
            steps: Vec::new(),
            evaluations: Vec::new(),
            pixels: None,
            untrained: None,
            layers_untrained: None,
            layers: None,
            random_targets_untrained: None,
            random_targets: None,
            embedding: None,
        }
    }

    /// The record as indented JSON.
    pub fn to_json(&self) -> String {
        // Serializing plain data to a string cannot fail; a non-finite number becomes `null`,
        // which `from_json` then refuses (the page never records one: a run stops first).
        serde_json::to_string_pretty(self).expect("a run record serializes")
    }

    /// Reads a run file, refusing anything this version did not write or cannot show.
    pub fn from_json(text: &str) -> Result<Self, RecordError> {
        let json = |e: serde_json::Error| e.to_string();
        Self::read_with(
            text,
            |text| serde_json::from_str(text).map_err(json),
            |text| serde_json::from_str(text).map_err(json),
        )
    }

    /// Reads a run file with the JSON readers given (the page uses the browser's parser,
    /// natively serde_json): the tag first, so that another JSON file gets "not a run file"
    /// rather than a missing field, then the record, then its invariants. A reader's error is
    /// its one-line message.
    pub fn read_with(
        text: &str,
        read_tag: impl FnOnce(&str) -> Result<RecordTag, String>,
        read_record: impl FnOnce(&str) -> Result<RunRecord, String>,
    ) -> Result<Self, RecordError> {
        if text.trim().is_empty() {
            return Err(RecordError::Empty);
        }
        if text.len() > MAX_BYTES {
            return Err(RecordError::TooLarge { bytes: text.len() });
        }
        read_tag(text).map_err(RecordError::Json)?.check()?;
        let record = read_record(text).map_err(RecordError::Json)?;
        record.check()?;
        Ok(record)
    }

    /// The invariants the page relies on when it draws a record.
    fn check(&self) -> Result<(), RecordError> {
        let (_, notices) = self.settings.clone().validated();
        if let Some(notice) = notices.first() {
            return Err(RecordError::Settings(notice.message.clone()));
        }
        let inconsistent = |what: String| Err(RecordError::Inconsistent(what));
        if let Some(s) = self.steps.iter().find(|s| s.method != self.settings.method) {
            return inconsistent(format!(
                "step {} was trained with {:?}, the settings say {:?}",
                s.step, s.method, self.settings.method
            ));
        }
        if !self.steps.windows(2).all(|w| w[0].step < w[1].step) {
            return inconsistent("the steps are not in increasing order".into());
        }
        if !self.evaluations.windows(2).all(|w| w[0].step < w[1].step) {
            return inconsistent("the evaluations are not in increasing step order".into());
        }
        let bad_fraction = |x: f64| !(0.0..=1.0).contains(&x);
        let evaluations = self
            .evaluations
            .iter()
            .chain(&self.pixels)
            .chain(&self.untrained);
        for e in evaluations {
            let fractions = [
                Some(e.ncc_train),
                Some(e.ncc_test),
                e.knn_test,
                e.probe_test,
            ];
            if fractions.into_iter().flatten().any(bad_fraction) || e.cdnv_train < 0.0 {
                return inconsistent(format!("the evaluation at step {} is out of range", e.step));
            }
        }
        if let Some(view) = &self.embedding
            && view.points.len() != 2 * view.labels.len()
        {
            return inconsistent(format!(
                "the embedding view has {} coordinates for {} labels",
                view.points.len(),
                view.labels.len()
            ));
        }
        for fit in self
            .random_targets
            .iter()
            .chain(&self.random_targets_untrained)
        {
            if fit.ncc.len() != fit.levels.len() || fit.probe.len() != fit.levels.len() {
                return inconsistent("a random-target fit has a value per level missing".into());
            }
        }
        for layers in self.layers.iter().chain(&self.layers_untrained) {
            if layers.names.len() != layers.ncc_test.len() {
                return inconsistent("a layer NCC has a value per layer missing".into());
            }
        }
        Ok(())
    }
}

/// The measurements as CSV: a header, then one row per step that has a step report or an
/// evaluation, in step order. A cell is empty where the step was not measured that way (the
/// probe runs every 100 steps, the other evaluations every 25). Losses are the unweighted
/// terms of the run's method, then the weighted total that was minimised.
pub fn metrics_csv(record: &RunRecord) -> String {
    let terms = record.settings.method.terms();
    let mut header: Vec<&str> = vec!["step", "loss"];
    header.extend(terms.iter().map(|t| t.key()));
    header.extend([
        "ncc_train",
        "ncc_test",
        "cdnv_train",
        "knn_test",
        "probe_test",
        "ncc_train_coarse",
        "ncc_test_coarse",
        "cdnv_train_coarse",
    ]);
    let mut out = header.join(",");
    out.push('\n');

    let cell = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
    let (mut s, mut e) = (
        record.steps.iter().peekable(),
        record.evaluations.iter().peekable(),
    );
    loop {
        // The next step measured either way; both iterators are in step order.
        let step = match (s.peek(), e.peek()) {
            (Some(a), Some(b)) => a.step.min(b.step),
            (Some(a), None) => a.step,
            (None, Some(b)) => b.step,
            (None, None) => break,
        };
        let report = s.next_if(|r| r.step == step);
        let evaluation = e.next_if(|v| v.step == step);

        let mut row = vec![step.to_string(), cell(report.map(|r| r.total))];
        row.extend((0..terms.len()).map(|i| cell(report.map(|r| r.terms[i]))));
        row.extend(
            [
                evaluation.map(|v| v.ncc_train),
                evaluation.map(|v| v.ncc_test),
                evaluation.map(|v| v.cdnv_train),
                evaluation.and_then(|v| v.knn_test),
                evaluation.and_then(|v| v.probe_test),
                evaluation.and_then(|v| v.ncc_train_coarse),
                evaluation.and_then(|v| v.ncc_test_coarse),
                evaluation.and_then(|v| v.cdnv_train_coarse),
            ]
            .map(cell),
        );
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::method::{MAX_TERMS, Method};

    const _: () = assert!(MAX_TERMS == 3, "the test rows below list three terms");

    fn report(step: usize, total: f64) -> StepReport {
        let mut terms = [0.0; MAX_TERMS];
        terms[..3].copy_from_slice(&[1.0, 0.5, 0.25]);
        StepReport {
            step,
            method: Method::Vicreg,
            terms,
            weights: [25.0, 25.0, 1.0],
            total,
        }
    }

    fn evaluation(step: usize, probe: Option<f64>) -> Evaluation {
        Evaluation {
            step,
            ncc_train: 0.5,
            ncc_test: 0.25,
            ncc_test_coarse: None,
            ncc_train_coarse: None,
            cdnv_train: 2.0,
            cdnv_train_coarse: None,
            knn_test: Some(0.75),
            probe_test: probe,
        }
    }

    fn record() -> RunRecord {
        let mut r = RunRecord::new(Settings::default());
        r.steps = vec![report(1, 38.75), report(2, 30.0)];
        r.evaluations = vec![evaluation(0, Some(0.125)), evaluation(2, None)];
        r
    }

    #[test]
    fn a_record_survives_the_round_trip_through_json() {
        let r = record();
        assert_eq!(RunRecord::from_json(&r.to_json()), Ok(r));
    }

    #[test]
    fn the_csv_has_a_row_per_step_measured_and_empty_cells_where_unmeasured() {
        let csv = metrics_csv(&record());
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines,
            [
                "step,loss,invariance,variance,covariance,ncc_train,ncc_test,cdnv_train,\
                 knn_test,probe_test,ncc_train_coarse,ncc_test_coarse,cdnv_train_coarse",
                "0,,,,,0.5,0.25,2,0.75,0.125,,,",
                "1,38.75,1,0.5,0.25,,,,,,,,",
                "2,30,1,0.5,0.25,0.5,0.25,2,0.75,,,,",
            ]
        );
    }

    #[test]
    fn files_that_are_not_run_files_get_their_own_message() {
        let cases = [
            ("", RecordError::Empty),
            ("  \n", RecordError::Empty),
            (r#"{"name": "x"}"#, RecordError::Format("missing".into())),
            (r#"{"format": "png"}"#, RecordError::Format("png".into())),
            (
                r#"{"format": "ssl-explorer-run", "version": 2}"#,
                RecordError::Version(2),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(RunRecord::from_json(text), Err(expected), "{text:?}");
        }
        assert!(matches!(
            RunRecord::from_json("{ not json"),
            Err(RecordError::Json(_))
        ));
        let missing = r#"{"format": "ssl-explorer-run", "version": 1}"#;
        let Err(RecordError::Json(message)) = RunRecord::from_json(missing) else {
            panic!("a run file without settings was read");
        };
        assert!(message.contains("settings"), "{message}");
    }

    #[test]
    fn an_edited_run_file_is_refused_with_what_is_wrong() {
        let mut r = record();
        r.settings.learning_rate = 50.0;
        assert!(matches!(
            RunRecord::from_json(&r.to_json()),
            Err(RecordError::Settings(_))
        ));

        let mut r = record();
        r.steps.swap(0, 1);
        assert!(matches!(
            RunRecord::from_json(&r.to_json()),
            Err(RecordError::Inconsistent(_))
        ));

        let mut r = record();
        r.evaluations[1].ncc_test = 1.5;
        assert!(matches!(
            RunRecord::from_json(&r.to_json()),
            Err(RecordError::Inconsistent(_))
        ));

        let mut r = record();
        r.steps[0].method = Method::Simclr;
        assert!(matches!(
            RunRecord::from_json(&r.to_json()),
            Err(RecordError::Inconsistent(_))
        ));

        // A NaN is written as null, which is not a number: the file is refused, not misread.
        let mut r = record();
        r.steps[1].total = f64::NAN;
        assert!(matches!(
            RunRecord::from_json(&r.to_json()),
            Err(RecordError::Json(_))
        ));
    }
}
