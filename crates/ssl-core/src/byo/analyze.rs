//! The analyses of brought embeddings, one label column at a time, into a serializable
//! [`Report`].
//!
//! Each label column is measured as the trainer measures its own embeddings, with the same
//! functions: a seeded stratified split ([`crate::data::stratified_split`], 20% of each class
//! held out), NCC on train and test ([`crate::metrics`]), CDNV on train, cosine kNN and the
//! linear probe on test ([`crate::analysis`]), how well the train embeddings fit random targets
//! ([`crate::random_targets`], NCC and a probe at each level, as
//! [`crate::train::Trainer::random_target_fit`]), and the MI between embeddings and labels
//! ([`crate::mi`]). A 2-D PCA view ([`crate::pca`]) of a strided subsample closes the report.
//!
//! The work is cut into steps ([`Analysis::step`]: one measure of one column each) so that a
//! host can show progress or yield between them; [`analyze`] runs them all.
//!
//! Cost: kNN is quadratic in the samples, so a table with more rows than
//! [`AnalyzeConfig::max_samples`] is measured on an evenly strided subsample of them (the report
//! says how many were used); the MI estimate and the view subsample further.

use serde::{Deserialize, Serialize};

use super::{ByoError, LabelColumn, Table};
use crate::analysis::{DEFAULT_K, LinearProbe, LinearProbeConfig, cdnv, knn_accuracy};
use crate::data::stratified_split;
use crate::metrics::{Labelled, ncc_accuracy};
use crate::mi::Rows;
use crate::mi::binning::{label_entropy, layer_information};
use crate::mi::ksg::ksg1_nats;
use crate::pca::Pca;
use crate::random_targets::{RANDOMNESS_LEVELS, random_targets};
use crate::split::{TEST_FRACTION, sub_seed};

/// The parts of [`AnalyzeConfig::seed`] each random draw derives its seed from.
const SPLIT_PART: u64 = 1;
const RANDOM_TARGETS_PART: u64 = 2;

/// How the analyses run. Every default matches what the explorer uses on its own embeddings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalyzeConfig {
    /// Seeds the train/test split and the random targets.
    pub seed: u64,
    /// kNN's neighbours.
    pub knn_k: usize,
    /// The linear probe's full-batch Adam steps.
    pub probe_epochs: usize,
    /// The estimator of the MI between embeddings and labels.
    pub label_mi: LabelMi,
    /// The most rows any measure uses (an evenly strided subsample beyond it).
    pub max_samples: usize,
    /// The most samples of the MI estimate.
    pub mi_samples: usize,
    /// The most train samples of the random-target fits.
    pub random_target_samples: usize,
    /// The most points of the PCA view.
    pub view_samples: usize,
}

impl Default for AnalyzeConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            knn_k: DEFAULT_K,
            probe_epochs: LinearProbeConfig::new().epochs,
            label_mi: LabelMi::default(),
            max_samples: 20_000,
            mi_samples: 2000,
            random_target_samples: crate::train::RANDOM_TARGETS_SAMPLES,
            view_samples: 2000,
        }
    }
}

/// The estimator of `I(embedding; label)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LabelMi {
    /// KSG algorithm 1 with `k` neighbours, the label coded as one coordinate `class * scale`
    /// with `scale` wider than the embeddings' max-norm extent: every joint neighbour then
    /// shares the sample's class, and the estimate reduces to Ross's (2014, "Mutual Information
    /// between Discrete and Continuous Data Sets") estimator for a discrete `Y`.
    Ksg { k: usize },
    /// The binning estimate `I(T; Y)` of [`crate::mi::binning::layer_information`], `bins` per
    /// unit. It saturates at `H(Y)` once every sample has its own pattern (high dimension).
    Binning { bins: usize },
}

impl Default for LabelMi {
    fn default() -> Self {
        LabelMi::Ksg { k: 3 }
    }
}

/// Everything measured on one table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub rows: usize,
    pub dim: usize,
    /// The rows the measures used (all, or a strided subsample of [`AnalyzeConfig::max_samples`]).
    pub samples_used: usize,
    pub config: AnalyzeConfig,
    pub columns: Vec<ColumnReport>,
    pub view: PcaView,
}

/// The measures of one label column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnReport {
    pub name: String,
    pub classes: Vec<String>,
    /// Samples of each class among those used, in the order of `classes`.
    pub class_counts: Vec<usize>,
    pub train_samples: usize,
    pub test_samples: usize,
    pub ncc_train: f64,
    pub ncc_test: f64,
    /// Lower is tighter, better separated classes (see [`crate::analysis::cdnv`]).
    pub cdnv_train: f64,
    pub knn_test: f64,
    pub probe_test: f64,
    pub random_targets: RandomTargets,
    /// `I(embedding; label)` by [`AnalyzeConfig::label_mi`], in nats.
    pub mi_nats: f64,
    /// `H(label)` of the MI sample, in nats: the most any estimate of the MI can mean.
    pub label_entropy_nats: f64,
}

/// NCC and probe fit accuracies on the train samples against targets of growing randomness.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RandomTargets {
    pub levels: Vec<f64>,
    pub ncc: Vec<f64>,
    pub probe: Vec<f64>,
}

/// The samples of a strided subsample on their top two principal components.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PcaView {
    /// The row of each point in the table.
    pub rows: Vec<usize>,
    /// `[len]` points `[pc1, pc2]`; `pc2` is 0 for one-dimensional embeddings.
    pub points: Vec<[f32; 2]>,
}

/// Runs every analysis of `table`, telling `progress` the fraction done after each step.
pub fn analyze(
    table: &Table,
    config: &AnalyzeConfig,
    mut progress: Option<&mut dyn FnMut(f64)>,
) -> Result<Report, ByoError> {
    let mut analysis = Analysis::new(table, config.clone())?;
    loop {
        let done = analysis.step()?;
        if let Some(callback) = progress.as_mut() {
            callback(analysis.progress());
        }
        if let Some(report) = done {
            return Ok(report);
        }
    }
}

/// The measures of one column, in the order [`Analysis::step`] runs them.
const MEASURES: usize = 4;

/// An analysis under way: each [`Analysis::step`] runs one measure of one column, then the view.
pub struct Analysis<'a> {
    table: &'a Table,
    config: AnalyzeConfig,
    /// The rows measured, `[used]`, and their embeddings, `[used, dim]`.
    rows: Vec<usize>,
    values: Vec<f32>,
    steps_done: usize,
    current: Option<ColumnWork>,
    columns: Vec<ColumnReport>,
}

/// One column's labels on the rows used, its split, and what has been measured so far.
struct ColumnWork {
    labels: Vec<u8>,
    classes: usize,
    train: Vec<usize>,
    test: Vec<usize>,
    report: ColumnReport,
}

impl<'a> Analysis<'a> {
    /// Checks every label column (two classes or more, two samples or more each) before any
    /// work starts, so a bad column fails at once.
    pub fn new(table: &'a Table, config: AnalyzeConfig) -> Result<Self, ByoError> {
        let embeddings = &table.embeddings;
        let rows = strided(embeddings.rows, config.max_samples);
        let dim = embeddings.dim;
        let values = gather(&embeddings.values, dim, &rows);
        for column in &table.label_columns {
            let labels: Vec<u8> = rows.iter().map(|&i| column.labels[i]).collect();
            check_classes(column, &class_counts(&labels, column.classes.len()))?;
        }
        Ok(Self {
            table,
            config,
            rows,
            values,
            steps_done: 0,
            current: None,
            columns: Vec::new(),
        })
    }

    /// How many [`Analysis::step`] calls the whole analysis takes.
    pub fn total_steps(&self) -> usize {
        self.table.label_columns.len() * MEASURES + 1
    }

    /// The fraction of the steps done, from 0 to 1.
    pub fn progress(&self) -> f64 {
        self.steps_done as f64 / self.total_steps() as f64
    }

    /// Runs the next measure; the report once the last is done.
    pub fn step(&mut self) -> Result<Option<Report>, ByoError> {
        let dim = self.table.embeddings.dim;
        let column_index = self.steps_done / MEASURES;
        if column_index == self.table.label_columns.len() {
            self.steps_done += 1;
            return Ok(Some(self.finish()));
        }

        let work = match self.current.take() {
            Some(work) => work,
            None => self.start_column(&self.table.label_columns[column_index])?,
        };
        let mut work = work;
        let train_values = gather(&self.values, dim, &work.train);
        let test_values = gather(&self.values, dim, &work.test);
        let train_labels: Vec<u8> = work.train.iter().map(|&i| work.labels[i]).collect();
        let test_labels: Vec<u8> = work.test.iter().map(|&i| work.labels[i]).collect();
        let train = Labelled {
            values: &train_values,
            labels: &train_labels,
            dim,
        };
        let test = Labelled {
            values: &test_values,
            labels: &test_labels,
            dim,
        };
        let classes = work.classes;

        match self.steps_done % MEASURES {
            0 => {
                work.report.ncc_train = ncc_accuracy(train, train, classes);
                work.report.ncc_test = ncc_accuracy(train, test, classes);
                work.report.cdnv_train = cdnv(train, classes);
            }
            1 => {
                work.report.knn_test = knn_accuracy(train, test, classes, self.config.knn_k);
                let probe_config = LinearProbeConfig::new().with_epochs(self.config.probe_epochs);
                let probe = LinearProbe::fit(train, classes, &probe_config);
                work.report.probe_test = probe.accuracy(test);
            }
            2 => work.report.random_targets = self.random_target_fit(train, classes),
            _ => {
                let (mi, entropy) = self.label_mi(&work.labels)?;
                work.report.mi_nats = mi;
                work.report.label_entropy_nats = entropy;
            }
        }
        self.steps_done += 1;
        if self.steps_done.is_multiple_of(MEASURES) {
            self.columns.push(work.report);
        } else {
            self.current = Some(work);
        }
        Ok(None)
    }

    fn start_column(&self, column: &LabelColumn) -> Result<ColumnWork, ByoError> {
        let labels: Vec<u8> = self.rows.iter().map(|&i| column.labels[i]).collect();
        let classes = column.classes.len();
        let seed = sub_seed(self.config.seed, SPLIT_PART);
        // Every class has two samples or more (checked in `new`), so the split cannot fail.
        let split = stratified_split(&labels, classes, TEST_FRACTION, seed)
            .expect("classes were checked to have two samples each");
        let report = ColumnReport {
            name: column.name.clone(),
            classes: column.classes.clone(),
            class_counts: class_counts(&labels, classes),
            train_samples: split.train.len(),
            test_samples: split.test.len(),
            ncc_train: 0.0,
            ncc_test: 0.0,
            cdnv_train: 0.0,
            knn_test: 0.0,
            probe_test: 0.0,
            random_targets: RandomTargets {
                levels: Vec::new(),
                ncc: Vec::new(),
                probe: Vec::new(),
            },
            mi_nats: 0.0,
            label_entropy_nats: 0.0,
        };
        Ok(ColumnWork {
            labels,
            classes,
            train: split.train,
            test: split.test,
            report,
        })
    }

    /// NCC and probe fits of every randomness level on a strided subsample of `train`.
    fn random_target_fit(&self, train: Labelled, classes: usize) -> RandomTargets {
        let picked = strided(train.labels.len(), self.config.random_target_samples);
        let values = gather(train.values, train.dim, &picked);
        let labels: Vec<u8> = picked.iter().map(|&i| train.labels[i]).collect();
        let seed = sub_seed(self.config.seed, RANDOM_TARGETS_PART);
        // Fifty epochs, as the trainer's own random-target fit: eleven probes add up.
        let config = LinearProbeConfig::new().with_epochs(self.config.probe_epochs.min(50));
        let (mut ncc, mut probe) = (Vec::new(), Vec::new());
        for &r in &RANDOMNESS_LEVELS {
            let targets = random_targets(&labels, classes, r, seed);
            let set = Labelled {
                values: &values,
                labels: &targets,
                dim: train.dim,
            };
            ncc.push(ncc_accuracy(set, set, classes));
            probe.push(LinearProbe::fit(set, classes, &config).accuracy(set));
        }
        RandomTargets {
            levels: RANDOMNESS_LEVELS.to_vec(),
            ncc,
            probe,
        }
    }

    /// `I(embedding; label)` and `H(label)` on a strided subsample, in nats.
    fn label_mi(&self, labels: &[u8]) -> Result<(f64, f64), ByoError> {
        let dim = self.table.embeddings.dim;
        let picked = strided(labels.len(), self.config.mi_samples);
        let x: Vec<f64> = gather(&self.values, dim, &picked)
            .into_iter()
            .map(f64::from)
            .collect();
        let y: Vec<usize> = picked.iter().map(|&i| usize::from(labels[i])).collect();
        let entropy = label_entropy(&y);
        let mi = match self.config.label_mi {
            LabelMi::Ksg { k } => {
                let extent = x.iter().fold(0.0f64, |m, v| m.max(v.abs())) * 2.0;
                let scale = extent + 1.0;
                let coded: Vec<f64> = y.iter().map(|&c| c as f64 * scale).collect();
                ksg1_nats(Rows::new(&x, dim), Rows::new(&coded, 1), k)?
            }
            LabelMi::Binning { bins } => layer_information(Rows::new(&x, dim), &y, bins)?.label,
        };
        Ok((mi, entropy))
    }

    fn finish(&mut self) -> Report {
        let dim = self.table.embeddings.dim;
        let picked = strided(self.rows.len(), self.config.view_samples);
        let values = gather(&self.values, dim, &picked);
        let components = dim.min(2);
        let projected = if picked.len() >= 2 {
            Pca::fit(&values, dim, components).project(&values)
        } else {
            vec![0.0; picked.len() * components]
        };
        let points = projected
            .chunks_exact(components)
            .map(|p| [p[0], p.get(1).copied().unwrap_or(0.0)])
            .collect();
        Report {
            rows: self.table.embeddings.rows,
            dim,
            samples_used: self.rows.len(),
            config: self.config.clone(),
            columns: std::mem::take(&mut self.columns),
            view: PcaView {
                rows: picked.iter().map(|&i| self.rows[i]).collect(),
                points,
            },
        }
    }
}

/// Refuses a column with one class, or a class with fewer than two samples among the rows used
/// (a class absent from a subsample counts as zero).
fn check_classes(column: &LabelColumn, counts: &[usize]) -> Result<(), ByoError> {
    if counts.len() < 2 {
        return Err(ByoError::SingleClass {
            file: column.source.clone(),
            column: column.name.clone(),
            class: column.classes.first().cloned().unwrap_or_default(),
        });
    }
    if let Some(c) = (0..counts.len()).find(|&c| counts[c] < 2) {
        return Err(ByoError::TooFewPerClass {
            file: column.source.clone(),
            column: column.name.clone(),
            class: column.classes[c].clone(),
            count: counts[c],
        });
    }
    Ok(())
}

fn class_counts(labels: &[u8], classes: usize) -> Vec<usize> {
    let mut counts = vec![0; classes];
    for &l in labels {
        counts[usize::from(l)] += 1;
    }
    counts
}

/// At most `max` of `0..len`, evenly strided from 0: all of them when `len <= max`.
fn strided(len: usize, max: usize) -> Vec<usize> {
    let stride = len.div_ceil(max.max(1)).max(1);
    (0..len).step_by(stride).collect()
}

/// The rows `rows` of `values` (`[len, dim]`): `[rows.len(), dim]`.
fn gather(values: &[f32], dim: usize, rows: &[usize]) -> Vec<f32> {
    let mut out = Vec::with_capacity(rows.len() * dim);
    for &i in rows {
        out.extend_from_slice(&values[i * dim..(i + 1) * dim]);
    }
    out
}
