//! Command-line arguments in two steps: clap reads the raw values (strings and numbers, with
//! defaults), and `validated()` turns each subcommand's into the typed request it runs, or a
//! bad-input error naming the argument and what was expected.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use ssl_core::byo::DEFAULT_BUDGET_BYTES;
use ssl_core::byo::analyze::{AnalyzeConfig, LabelMi};
use ssl_core::byo::parse::{ColumnRef, Delimiter, Header, Options};
use ssl_core::mi::critic::{Bound, CriticKind};
use ssl_core::settings::Settings;

use crate::error::CliError;

#[derive(Debug, Parser)]
#[command(
    name = "ssl-explorer",
    version,
    about = "SSL Explorer's analyses and MI estimators, natively"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train a run from a settings file (a run file the page saved, or its `Settings`, as
    /// JSON) and print the run file, or its metrics as CSV.
    Train(RawTrain),
    /// Run the analyses (NCC, CDNV, kNN, linear probe, random targets, MI, PCA view) on
    /// embeddings and labels from a CSV, TSV, NPY or NPZ file.
    Analyze(RawAnalyze),
    /// Estimate the MI between two paired sample files (one sample per row, a header row).
    Estimate(RawEstimate),
}

/// Output flags every subcommand takes.
#[derive(Debug, Args)]
pub struct RawOutput {
    /// Print CSV instead of JSON.
    #[arg(long)]
    pub csv: bool,
    /// Refuse input files larger than this many MiB.
    #[arg(long, default_value_t = DEFAULT_BUDGET_BYTES >> 20)]
    pub max_mb: usize,
}

#[derive(Debug, Args)]
pub struct RawTrain {
    /// The settings file, JSON; missing optional fields take their defaults.
    pub settings: PathBuf,
    /// Training steps.
    #[arg(long, default_value_t = 500)]
    pub steps: usize,
    /// Steps between two evaluations (the page evaluates every 25).
    #[arg(long, default_value_t = 25)]
    pub every: usize,
    /// The folder holding the bundled data sets (`data/<set>/...`).
    #[arg(long, default_value = "www")]
    pub www: PathBuf,
    #[command(flatten)]
    pub output: RawOutput,
}

#[derive(Debug, Args)]
pub struct RawAnalyze {
    /// Embeddings: CSV or TSV, NPY, or NPZ (told apart by their first bytes).
    pub embeddings: PathBuf,
    /// Labels, when the embeddings file does not hold them: CSV, TSV or an integer NPY.
    pub labels: Option<PathBuf>,
    /// A label column, by header name or 0-based index (repeat for several); in the labels
    /// file if one is given (all its columns by default), else in the embeddings file.
    #[arg(long = "label")]
    pub labels_chosen: Vec<String>,
    /// The field separator of text files: auto, comma or tab.
    #[arg(long, default_value = "auto")]
    pub delimiter: String,
    /// Whether text files have a header row: auto, yes or no.
    #[arg(long, default_value = "auto")]
    pub header: String,
    /// The NPZ key of the embeddings (default: embeddings, x, X or features).
    #[arg(long)]
    pub npz_embeddings: Option<String>,
    /// Seeds the train/test split and the random targets.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// kNN's neighbours.
    #[arg(long, default_value_t = ssl_core::analysis::DEFAULT_K)]
    pub knn_k: usize,
    /// The estimator of I(embedding; label): ksg or binning.
    #[arg(long, default_value = "ksg")]
    pub mi: String,
    /// KSG's neighbours for the label MI.
    #[arg(long, default_value_t = 3)]
    pub k: usize,
    /// Binning's bins per unit for the label MI.
    #[arg(long, default_value_t = 30)]
    pub bins: usize,
    /// The most rows measured (an evenly strided subsample beyond).
    #[arg(long, default_value_t = AnalyzeConfig::default().max_samples)]
    pub max_samples: usize,
    #[command(flatten)]
    pub output: RawOutput,
}

#[derive(Debug, Args)]
pub struct RawEstimate {
    /// Samples of X: one per row, one column per dimension, a header row.
    pub x: PathBuf,
    /// Samples of Y, paired with X's row by row.
    pub y: PathBuf,
    /// ksg (= ksg1), ksg1, ksg2, binning, kde, infonce, nwj or mine.
    #[arg(long, default_value = "ksg")]
    pub estimator: String,
    /// KSG's neighbours.
    #[arg(long, default_value_t = 3)]
    pub k: usize,
    /// Binning's bins per unit.
    #[arg(long, default_value_t = 30)]
    pub bins: usize,
    /// The kernel estimator's noise variance.
    #[arg(long, default_value_t = ssl_core::mi::kde::DEFAULT_NOISE_VARIANCE)]
    pub noise_var: f64,
    /// Training steps of a critic (infonce, nwj, mine).
    #[arg(long, default_value_t = 500)]
    pub steps: usize,
    /// A critic's batch size.
    #[arg(long, default_value_t = ssl_core::mi::lab::CRITIC_BATCH)]
    pub batch: usize,
    /// A critic's form: separable or concatenated.
    #[arg(long, default_value = "separable")]
    pub critic: String,
    /// Seeds a critic's weights and batches.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[command(flatten)]
    pub output: RawOutput,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

impl RawOutput {
    fn format(&self) -> Format {
        if self.csv { Format::Csv } else { Format::Json }
    }

    fn budget_bytes(&self) -> Result<usize, CliError> {
        self.max_mb
            .checked_mul(1 << 20)
            .filter(|&b| b > 0)
            .ok_or_else(|| {
                bad(
                    "--max-mb",
                    &self.max_mb.to_string(),
                    "a positive number of MiB",
                )
            })
    }
}

fn bad(argument: &str, value: &str, expected: &str) -> CliError {
    CliError::BadInput(format!("{argument} {value:?}: expected {expected}"))
}

/// A validated `train`.
pub struct Train {
    pub settings_path: PathBuf,
    pub settings: Settings,
    pub steps: usize,
    pub every: usize,
    pub www: PathBuf,
    pub format: Format,
}

impl RawTrain {
    /// Reads and validates the settings: out-of-range values fall back to their defaults with
    /// a notice on stderr, as a link's do on the page.
    pub fn validated(self) -> Result<Train, CliError> {
        let name = self.settings.display().to_string();
        let text = std::fs::read_to_string(&self.settings)
            .map_err(|e| CliError::BadInput(format!("{name}: cannot be read: {e}")))?;
        // A run file the page saved (its `settings` field), or the settings alone.
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum SettingsFile {
            Run { settings: Settings },
            Settings(Settings),
        }
        let raw = match serde_json::from_str(&text) {
            Ok(SettingsFile::Run { settings } | SettingsFile::Settings(settings)) => settings,
            Err(_) => {
                // The untagged error says nothing useful; the one for the settings alone does.
                let e = serde_json::from_str::<Settings>(&text).expect_err("failed above");
                return Err(CliError::BadInput(format!(
                    "{name}, line {}, column {}: {e}; expected a run file saved by the \
                     explorer, or its settings, as JSON",
                    e.line(),
                    e.column()
                )));
            }
        };
        let (settings, notices) = raw.validated();
        for notice in notices {
            eprintln!("ssl-explorer: {name}: {}", notice.message);
        }
        if self.every == 0 {
            return Err(bad("--every", "0", "at least 1 step"));
        }
        Ok(Train {
            settings_path: self.settings,
            settings,
            steps: self.steps,
            every: self.every,
            www: self.www,
            format: self.output.format(),
        })
    }
}

/// A validated `analyze`.
pub struct Analyze {
    pub embeddings: PathBuf,
    pub labels: Option<PathBuf>,
    pub options: Options,
    pub config: AnalyzeConfig,
    pub format: Format,
}

impl RawAnalyze {
    pub fn validated(self) -> Result<Analyze, CliError> {
        let delimiter = match self.delimiter.as_str() {
            "auto" => Delimiter::Auto,
            "comma" | "," => Delimiter::Comma,
            "tab" | "\\t" => Delimiter::Tab,
            other => return Err(bad("--delimiter", other, "auto, comma or tab")),
        };
        let header = match self.header.as_str() {
            "auto" => Header::Auto,
            "yes" => Header::Present,
            "no" => Header::Absent,
            other => return Err(bad("--header", other, "auto, yes or no")),
        };
        let positive = |name: &str, v: usize| {
            if v == 0 {
                Err(bad(name, "0", "at least 1"))
            } else {
                Ok(v)
            }
        };
        let label_mi = match self.mi.as_str() {
            "ksg" => LabelMi::Ksg {
                k: positive("--k", self.k)?,
            },
            "binning" => LabelMi::Binning {
                bins: positive("--bins", self.bins)?,
            },
            other => return Err(bad("--mi", other, "ksg or binning")),
        };
        let options = Options {
            delimiter,
            header,
            label_columns: self
                .labels_chosen
                .iter()
                .map(|c| ColumnRef::parse(c))
                .collect(),
            npz_embeddings: self.npz_embeddings,
            budget_bytes: self.output.budget_bytes()?,
        };
        let config = AnalyzeConfig {
            seed: self.seed,
            knn_k: positive("--knn-k", self.knn_k)?,
            label_mi,
            max_samples: positive("--max-samples", self.max_samples)?,
            ..AnalyzeConfig::default()
        };
        Ok(Analyze {
            embeddings: self.embeddings,
            labels: self.labels,
            options,
            config,
            format: self.output.format(),
        })
    }
}

/// The estimators `estimate` runs, by name.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Estimator {
    Ksg1 {
        k: usize,
    },
    Ksg2 {
        k: usize,
    },
    Binning {
        bins: usize,
    },
    Kde {
        noise_var: f64,
    },
    Critic {
        bound: Bound,
        steps: usize,
        batch: usize,
        critic: CriticKind,
        seed: u64,
    },
}

impl Estimator {
    /// The name printed in the output.
    pub fn key(&self) -> &'static str {
        match self {
            Estimator::Ksg1 { .. } => "ksg1",
            Estimator::Ksg2 { .. } => "ksg2",
            Estimator::Binning { .. } => "binning",
            Estimator::Kde { .. } => "kde",
            Estimator::Critic {
                bound: Bound::InfoNce,
                ..
            } => "infonce",
            Estimator::Critic {
                bound: Bound::Nwj, ..
            } => "nwj",
            Estimator::Critic {
                bound: Bound::Mine, ..
            } => "mine",
        }
    }
}

/// A validated `estimate`.
pub struct Estimate {
    pub x: PathBuf,
    pub y: PathBuf,
    pub estimator: Estimator,
    pub budget_bytes: usize,
    pub format: Format,
}

impl RawEstimate {
    pub fn validated(self) -> Result<Estimate, CliError> {
        let positive = |name: &str, v: usize| {
            if v == 0 {
                Err(bad(name, "0", "at least 1"))
            } else {
                Ok(v)
            }
        };
        let critic = match self.critic.as_str() {
            "separable" => CriticKind::Separable,
            "concatenated" | "concat" => CriticKind::Concatenated,
            other => return Err(bad("--critic", other, "separable or concatenated")),
        };
        let critic_of = |bound| -> Result<Estimator, CliError> {
            Ok(Estimator::Critic {
                bound,
                steps: positive("--steps", self.steps)?,
                batch: self.batch.max(2),
                critic,
                seed: self.seed,
            })
        };
        let estimator = match self.estimator.as_str() {
            "ksg" | "ksg1" => Estimator::Ksg1 {
                k: positive("--k", self.k)?,
            },
            "ksg2" => Estimator::Ksg2 {
                k: positive("--k", self.k)?,
            },
            "binning" => Estimator::Binning {
                bins: positive("--bins", self.bins)?,
            },
            "kde" if self.noise_var > 0.0 && self.noise_var.is_finite() => Estimator::Kde {
                noise_var: self.noise_var,
            },
            "kde" => {
                return Err(bad(
                    "--noise-var",
                    &self.noise_var.to_string(),
                    "a positive number",
                ));
            }
            "infonce" => critic_of(Bound::InfoNce)?,
            "nwj" => critic_of(Bound::Nwj)?,
            "mine" => critic_of(Bound::Mine)?,
            other => {
                return Err(bad(
                    "--estimator",
                    other,
                    "ksg, ksg1, ksg2, binning, kde, infonce, nwj or mine",
                ));
            }
        };
        Ok(Estimate {
            x: self.x,
            y: self.y,
            estimator,
            budget_bytes: self.output.budget_bytes()?,
            format: self.output.format(),
        })
    }
}
