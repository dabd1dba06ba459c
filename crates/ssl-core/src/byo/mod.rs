//! Bring your own embeddings: read embeddings and labels that someone else's model produced, and
//! run the explorer's analyses on them.
//!
//! - [`parse`] turns the bytes of a file into [`Embeddings`] and [`LabelColumn`]s: CSV or TSV
//!   (a header row optional, label columns chosen by name or index), NPY (float32 or float64,
//!   either byte order, C or Fortran order) with a separate labels file, or NPZ holding both.
//! - [`analyze`] measures every label column of a [`Table`] as the trainer measures its own
//!   embeddings (NCC, CDNV, kNN, the linear probe, random-target alignment, MI) and adds a 2-D
//!   PCA view, into one serde-serializable [`analyze::Report`].
//!
//! The module never touches a file system: it works on byte slices, so the page can hand it the
//! bytes of a dropped file and the CLI the bytes it read. Every file is named by the caller
//! (`source`), and every error says which file, which line or field, and what was expected, in
//! one line ([`ByoError`]'s `Display`).

pub mod analyze;
pub mod parse;

use thiserror::Error;

use crate::mi::MiError;

/// The largest file the parsers accept by default: 256 MiB, comfortably above the 100 MB the
/// issue asks for. A CSV of that size holds about 25 million numbers, 100 MB as `f32`.
pub const DEFAULT_BUDGET_BYTES: usize = 256 << 20;

/// The most characters of a bad cell an error repeats: a cell can be megabytes long.
const QUOTE_MAX: usize = 40;

/// Embeddings as the analyses read them: `values` is `[rows, dim]`, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Embeddings {
    pub values: Vec<f32>,
    pub rows: usize,
    pub dim: usize,
}

/// One labelling of the samples: each sample's class index into `classes`.
///
/// Classes are sorted (numerically if every label is an integer, else as text), so the same
/// labels give the same indices whatever the order of the rows.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelColumn {
    /// The file the labels came from, for error messages.
    pub source: String,
    /// The column's header, or `column N` (0-based) without one; an NPZ array's key.
    pub name: String,
    /// The class names, in index order.
    pub classes: Vec<String>,
    /// `[rows]`: the class index of each sample.
    pub labels: Vec<u8>,
}

/// Embeddings with at least one labelling of the same samples.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub embeddings: Embeddings,
    pub label_columns: Vec<LabelColumn>,
}

impl Table {
    /// Pairs `embeddings` with `label_columns`, checking that every column labels every row.
    pub fn new(embeddings: Embeddings, label_columns: Vec<LabelColumn>) -> Result<Self, ByoError> {
        if label_columns.is_empty() {
            return Err(ByoError::NoLabels);
        }
        for column in &label_columns {
            if column.labels.len() != embeddings.rows {
                return Err(ByoError::LabelCount {
                    file: column.source.clone(),
                    labels: column.labels.len(),
                    rows: embeddings.rows,
                });
            }
        }
        Ok(Self {
            embeddings,
            label_columns,
        })
    }
}

/// Everything about a brought file that the parsers or the analyses refuse. The `Display` of
/// each is one line naming the file, the line or field, and what was expected. (The file is
/// `file`, not `source`: thiserror reserves that name for an underlying error.)
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ByoError {
    #[error("{file}: the file is empty; expected rows of numbers")]
    Empty { file: String },

    #[error("{file}: the file holds a header row but no data rows")]
    HeaderOnly { file: String },

    #[error("{file}, line {line}: {found} fields, expected {expected} like the first row")]
    Ragged {
        file: String,
        line: u64,
        found: usize,
        expected: usize,
    },

    #[error("{file}, line {line}, column {column}: {value:?} is not a number")]
    NotNumeric {
        file: String,
        line: u64,
        column: String,
        value: String,
    },

    #[error("{file}, line {line}, column {column}: {value:?} is not a finite number")]
    NotFinite {
        file: String,
        line: u64,
        column: String,
        value: String,
    },

    #[error(
        "{file}: byte {offset} is {what}: this looks like a binary file, expected CSV or TSV \
         text (NPY and NPZ files are recognised by their first bytes)"
    )]
    Binary {
        file: String,
        offset: usize,
        what: &'static str,
    },

    #[error("{file}, line {line}: {reason}")]
    Csv {
        file: String,
        line: u64,
        reason: String,
    },

    #[error("{file}: no column {column:?}; the columns are {available}")]
    UnknownColumn {
        file: String,
        column: String,
        available: String,
    },

    #[error("{file}: every column is a label column; expected at least one embedding column")]
    NoEmbeddingColumns { file: String },

    #[error("no labels given: the analyses need at least one label column")]
    NoLabels,

    #[error("{file}: {labels} labels for {rows} embedding rows; expected one label per row")]
    LabelCount {
        file: String,
        labels: usize,
        rows: usize,
    },

    #[error(
        "{file}, label column {column}: every sample has the class {class:?}; expected at \
         least two classes"
    )]
    SingleClass {
        file: String,
        column: String,
        class: String,
    },

    #[error(
        "{file}, label column {column}: class {class:?} has {count} sample(s); expected at \
         least two per class (one to train on, one to test on)"
    )]
    TooFewPerClass {
        file: String,
        column: String,
        class: String,
        count: usize,
    },

    #[error("{file}, label column {column}: {classes} classes; expected at most 256")]
    TooManyClasses {
        file: String,
        column: String,
        classes: usize,
    },

    #[error(
        "{file}: the file is {bytes} bytes, over the memory budget of {budget} bytes \
         ({} MiB); expected a smaller file or a larger budget",
        budget >> 20
    )]
    TooLarge {
        file: String,
        bytes: u64,
        budget: usize,
    },

    #[error("{file}: not an NPY file ({reason})")]
    NpyHeader { file: String, reason: String },

    #[error("{file}: the NPY dtype {dtype} is not supported; expected {expected}")]
    UnsupportedDtype {
        file: String,
        dtype: String,
        expected: &'static str,
    },

    #[error("{file}: the NPY shape {shape:?} is not supported; expected (rows,) or (rows, dim)")]
    NpyShape { file: String, shape: Vec<u64> },

    #[error(
        "{file}: the NPY body holds {actual} bytes but its header promises {expected}: the \
         file is truncated"
    )]
    Truncated {
        file: String,
        expected: u64,
        actual: u64,
    },

    #[error("{file}: not a readable NPZ (zip) archive: {reason}")]
    Npz { file: String, reason: String },

    #[error("{file}: the NPZ archive has no array named {wanted:?}; it holds {available}")]
    NpzMissing {
        file: String,
        wanted: String,
        available: String,
    },

    /// The MI estimator refused the samples (too few for its neighbours, say).
    #[error("the MI estimate failed: {0}")]
    Mi(#[from] MiError),
}

/// At most [`QUOTE_MAX`] characters of `text`, for an error message.
fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTE_MAX) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_string(),
    }
}
