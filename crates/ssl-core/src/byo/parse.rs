//! Reading embeddings and labels from the bytes of a file.
//!
//! Formats are told apart by their first bytes ([`Format::sniff`]), not by the file name: NPY
//! starts with `\x93NUMPY`, NPZ is a zip archive (`PK\x03\x04`), anything else is read as CSV
//! or TSV text. Parsing itself is left to well-kept crates (`csv`, `npyz`, `zip` with only its
//! pure-Rust deflate); this module adds the checks that give each bad input its own message.
//!
//! - Text: one sample per row, one value per column, an optional header row (detected when a
//!   cell of the first row is not a number while the cell below it is). Label columns are chosen
//!   by header name or 0-based index; every other column must hold finite numbers.
//! - NPY: float32 or float64 of shape `(rows,)` or `(rows, dim)`, either byte order, C or
//!   Fortran order, for embeddings; any integer type for labels (one column per column).
//! - NPZ: the embeddings under `embeddings` (or `x`, `X`, `features`, or a chosen key) and every
//!   other array, or the chosen ones, as label columns.
//!
//! Every file is first checked against a memory budget, and an NPZ member again before it is
//! inflated, so a small archive cannot unpack into gigabytes.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use npyz::{DType, NpyFile, NpyHeader, Order, TypeChar};

use super::{ByoError, DEFAULT_BUDGET_BYTES, Embeddings, LabelColumn, Table, quote};

mod npy;
pub use npy::parse_npy;
use npy::*;

/// A callback told the fraction of a file parsed so far, from 0 to 1.
pub type Progress<'a> = Option<&'a mut dyn FnMut(f64)>;

/// Records between two progress reports while reading text.
const PROGRESS_EVERY: usize = 4096;

/// The embeddings keys an NPZ archive is searched for, in order, when none is chosen.
pub const NPZ_EMBEDDING_KEYS: [&str; 4] = ["embeddings", "x", "X", "features"];

/// A file's format, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Npy,
    Npz,
}

impl Format {
    pub fn sniff(bytes: &[u8]) -> Format {
        if bytes.starts_with(b"\x93NUMPY") {
            Format::Npy
        } else if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
            Format::Npz
        } else {
            Format::Text
        }
    }
}

/// The field separator of a text file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Delimiter {
    /// A tab if the first line has one and no comma, else a comma.
    #[default]
    Auto,
    Comma,
    Tab,
}

/// Whether a text file's first row names its columns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Header {
    /// A header if a chosen column name is in the first row, or if some cell of the first row is
    /// not a number while the cell below it is (or, in a one-row file, if any embedding cell is
    /// not a number).
    #[default]
    Auto,
    Present,
    Absent,
}

/// A column chosen by the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnRef {
    /// A header name, or an NPZ array key.
    Name(String),
    /// A 0-based position.
    Index(usize),
}

impl ColumnRef {
    /// A name unless `text` is a plain non-negative integer. A header cell that is itself an
    /// integer still matches: names are looked up first (see [`Self::find`]).
    pub fn parse(text: &str) -> ColumnRef {
        match text.parse() {
            Ok(index) => ColumnRef::Index(index),
            Err(_) => ColumnRef::Name(text.to_string()),
        }
    }

    /// The position of this column among `names`, a header's cells or `column N` otherwise.
    fn find(&self, names: &[String], has_header: bool) -> Option<usize> {
        let by_name = |name: &str| names.iter().position(|n| n == name);
        match self {
            ColumnRef::Name(name) => by_name(name),
            ColumnRef::Index(index) => has_header
                .then(|| by_name(&index.to_string()))
                .flatten()
                .or((*index < names.len()).then_some(*index)),
        }
    }

    fn label(&self) -> String {
        match self {
            ColumnRef::Name(name) => name.clone(),
            ColumnRef::Index(index) => index.to_string(),
        }
    }
}

/// How to read the files of one analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub delimiter: Delimiter,
    pub header: Header,
    /// The label columns of the file that holds the labels: the labels file if there is one
    /// (all its columns when empty), else the embeddings' own text file or NPZ archive (for an
    /// archive, all arrays but the embeddings when empty).
    pub label_columns: Vec<ColumnRef>,
    /// The NPZ key of the embeddings; [`NPZ_EMBEDDING_KEYS`] are tried when `None`.
    pub npz_embeddings: Option<String>,
    /// Files larger than this many bytes are refused, as is an NPZ member that would inflate
    /// past it.
    pub budget_bytes: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            delimiter: Delimiter::default(),
            header: Header::default(),
            label_columns: Vec::new(),
            npz_embeddings: None,
            budget_bytes: DEFAULT_BUDGET_BYTES,
        }
    }
}

/// The bytes of one file and the name errors call it by.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub source: &'a str,
    pub bytes: &'a [u8],
}

/// Embeddings and their labels from `embeddings` and, where the labels are kept apart (always
/// for NPY), `labels`. See [`Options::label_columns`] for which columns become labels.
pub fn load(
    embeddings: Input,
    labels: Option<Input>,
    options: &Options,
    mut progress: Progress,
) -> Result<Table, ByoError> {
    // The labels file, if any, is read first: it is small, and its columns replace any the
    // embeddings file would give.
    let from_labels_file = match labels {
        Some(input) => Some(parse_labels(input, options, None)?),
        None => None,
    };

    match Format::sniff(embeddings.bytes) {
        Format::Npz => {
            let wanted = if from_labels_file.is_some() {
                None
            } else {
                Some(&options.label_columns[..])
            };
            let (values, npz_labels) = parse_npz(embeddings, options, wanted)?;
            report(&mut progress, 1.0);
            Table::new(values, from_labels_file.unwrap_or(npz_labels))
        }
        Format::Npy => {
            let values = parse_npy(embeddings, options.budget_bytes)?;
            report(&mut progress, 1.0);
            Table::new(values, from_labels_file.unwrap_or_default())
        }
        Format::Text => {
            let wanted = match from_labels_file {
                Some(_) => Vec::new(),
                None if options.label_columns.is_empty() => return Err(ByoError::NoLabels),
                None => options.label_columns.clone(),
            };
            let text = read_text(embeddings, options, Columns::Labels(&wanted), progress)?;
            let values = text.embeddings;
            Table::new(values, from_labels_file.unwrap_or(text.labels))
        }
    }
}

/// Samples for an estimator: every column of a text file (a header row optional) or an NPY
/// array, as `[rows, dim]`.
pub fn load_samples(
    input: Input,
    options: &Options,
    progress: Progress,
) -> Result<Embeddings, ByoError> {
    match Format::sniff(input.bytes) {
        Format::Npy => parse_npy(input, options.budget_bytes),
        Format::Npz => {
            let (values, _) = parse_npz(input, options, Some(&[]))?;
            Ok(values)
        }
        Format::Text => Ok(read_text(input, options, Columns::Labels(&[]), progress)?.embeddings),
    }
}

/// The label columns of a labels file: text (`options.label_columns`, or every column) or an
/// integer NPY array (one column per column).
pub fn parse_labels(
    input: Input,
    options: &Options,
    progress: Progress,
) -> Result<Vec<LabelColumn>, ByoError> {
    match Format::sniff(input.bytes) {
        Format::Npy => npy_labels(input, input.source, options.budget_bytes),
        Format::Npz => Err(ByoError::Npz {
            file: input.source.to_string(),
            reason: "an NPZ archive holds its own labels; expected a CSV, TSV or NPY labels file"
                .to_string(),
        }),
        Format::Text => {
            let columns = if options.label_columns.is_empty() {
                Columns::AllLabels
            } else {
                Columns::OnlyLabels(&options.label_columns)
            };
            Ok(read_text(input, options, columns, progress)?.labels)
        }
    }
}

fn check_budget(input: Input, budget: usize) -> Result<(), ByoError> {
    check_size(input.source, input.bytes.len() as u64, budget)
}

/// Refuses `bytes` over `budget`: hosts call it with a file's size before reading the file.
pub fn check_size(source: &str, bytes: u64, budget: usize) -> Result<(), ByoError> {
    if bytes > budget as u64 {
        return Err(ByoError::TooLarge {
            file: source.to_string(),
            bytes,
            budget,
        });
    }
    Ok(())
}

fn report(progress: &mut Progress, fraction: f64) {
    if let Some(callback) = progress {
        callback(fraction);
    }
}

// ---- Text ----------------------------------------------------------------------------------

/// Which columns of a text file are labels.
enum Columns<'a> {
    /// These are labels, every other column an embedding column.
    Labels(&'a [ColumnRef]),
    /// Only these columns are read, all as labels.
    OnlyLabels(&'a [ColumnRef]),
    /// Every column is a label column.
    AllLabels,
}

struct Text {
    embeddings: Embeddings,
    labels: Vec<LabelColumn>,
}

/// What a text column becomes.
#[derive(Clone, Copy, PartialEq)]
enum Role {
    Value,
    Label(usize),
    Skip,
}

fn read_text(
    input: Input,
    options: &Options,
    columns: Columns,
    mut progress: Progress,
) -> Result<Text, ByoError> {
    let source = input.source;
    check_budget(input, options.budget_bytes)?;
    check_is_text(input)?;
    if input.bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ByoError::Empty {
            file: source.to_string(),
        });
    }

    let delimiter = match options.delimiter {
        Delimiter::Comma => b',',
        Delimiter::Tab => b'\t',
        Delimiter::Auto => {
            let first_line = input
                .bytes
                .split(|&b| b == b'\n')
                .next()
                .unwrap_or_default();
            let has = |c: u8| first_line.contains(&c);
            if has(b'\t') && !has(b',') {
                b'\t'
            } else {
                b','
            }
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .delimiter(delimiter)
        .from_reader(input.bytes);
    let mut records = reader.records();
    let csv_error = |e: csv::Error| ByoError::Csv {
        file: source.to_string(),
        line: e.position().map_or(0, |p| p.line()),
        reason: e.to_string(),
    };

    // The first two records decide whether there is a header.
    let first = match records.next() {
        Some(record) => record.map_err(csv_error)?,
        None => {
            return Err(ByoError::Empty {
                file: source.to_string(),
            });
        }
    };
    let second = records.next().transpose().map_err(csv_error)?;
    let width = first.len();
    let chosen: &[ColumnRef] = match columns {
        Columns::Labels(chosen) | Columns::OnlyLabels(chosen) => chosen,
        Columns::AllLabels => &[],
    };
    let has_header = match options.header {
        Header::Present => true,
        Header::Absent => false,
        Header::Auto => {
            let numeric = |cell: &str| cell.parse::<f64>().is_ok();
            let named = chosen.iter().any(
                |c| matches!(c, ColumnRef::Name(n) if first.iter().any(|cell| cell == n.as_str())),
            );
            let indexed = |j: usize| chosen.contains(&ColumnRef::Index(j));
            let labels_only = !matches!(columns, Columns::Labels(_));
            named
                || match &second {
                    Some(second) => (0..width)
                        .any(|j| !numeric(&first[j]) && second.get(j).is_some_and(numeric)),
                    None => !labels_only && (0..width).any(|j| !indexed(j) && !numeric(&first[j])),
                }
        }
    };
    let names: Vec<String> = if has_header {
        first.iter().map(str::to_string).collect()
    } else {
        (0..width).map(|j| format!("column {j}")).collect()
    };

    // Each column's role, and one class builder per label column in the order chosen.
    let mut roles = vec![
        match columns {
            Columns::Labels(_) => Role::Value,
            Columns::OnlyLabels(_) => Role::Skip,
            Columns::AllLabels => Role::Label(0),
        };
        width
    ];
    let mut builders = Vec::new();
    if let Columns::AllLabels = columns {
        for (j, role) in roles.iter_mut().enumerate() {
            *role = Role::Label(j);
            builders.push(ClassBuilder::new(&names[j]));
        }
    } else {
        for column in chosen {
            let j = column
                .find(&names, has_header)
                .ok_or_else(|| ByoError::UnknownColumn {
                    file: source.to_string(),
                    column: column.label(),
                    available: quote(&names.join(", ")),
                })?;
            roles[j] = Role::Label(builders.len());
            builders.push(ClassBuilder::new(&names[j]));
        }
    }
    let dim = roles.iter().filter(|r| **r == Role::Value).count();
    if dim == 0 && matches!(columns, Columns::Labels(_)) {
        return Err(ByoError::NoEmbeddingColumns {
            file: source.to_string(),
        });
    }

    // Then every data row, the first included unless it was the header.
    let mut values = Vec::new();
    let mut rows = 0usize;
    let data = (!has_header)
        .then_some(Ok(first.clone()))
        .into_iter()
        .chain(second.map(Ok))
        .chain(records);
    for record in data {
        let record = record.map_err(csv_error)?;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != width {
            return Err(ByoError::Ragged {
                file: source.to_string(),
                line,
                found: record.len(),
                expected: width,
            });
        }
        for (j, cell) in record.iter().enumerate() {
            match roles[j] {
                Role::Value => values.push(number(cell, source, line, &names[j])?),
                Role::Label(b) => builders[b].push(cell),
                Role::Skip => {}
            }
        }
        rows += 1;
        if rows.is_multiple_of(PROGRESS_EVERY) {
            let byte = record.position().map_or(0, |p| p.byte());
            report(&mut progress, byte as f64 / input.bytes.len() as f64);
        }
    }
    if rows == 0 {
        return Err(ByoError::HeaderOnly {
            file: source.to_string(),
        });
    }
    report(&mut progress, 1.0);

    let labels = builders
        .into_iter()
        .map(|b| b.finish(source))
        .collect::<Result<_, _>>()?;
    Ok(Text {
        embeddings: Embeddings { values, rows, dim },
        labels,
    })
}

/// Refuses bytes that are not text: a NUL byte, or a sequence that is not UTF-8.
fn check_is_text(input: Input) -> Result<(), ByoError> {
    let binary = |offset, what| ByoError::Binary {
        file: input.source.to_string(),
        offset,
        what,
    };
    if let Some(offset) = input.bytes.iter().position(|&b| b == 0) {
        return Err(binary(offset, "a NUL"));
    }
    if let Err(e) = std::str::from_utf8(input.bytes) {
        return Err(binary(e.valid_up_to(), "not UTF-8"));
    }
    Ok(())
}

/// One cell as a finite `f32`.
fn number(cell: &str, source: &str, line: u64, column: &str) -> Result<f32, ByoError> {
    let error = |finite: bool| {
        let (file, column, value) = (source.to_string(), column.to_string(), quote(cell));
        if finite {
            ByoError::NotNumeric {
                file,
                line,
                column,
                value,
            }
        } else {
            ByoError::NotFinite {
                file,
                line,
                column,
                value,
            }
        }
    };
    let value: f64 = cell.parse().map_err(|_| error(true))?;
    // A finite f64 beyond f32's range becomes infinite here, and is refused as such.
    let value = value as f32;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(error(false))
    }
}

/// Collects one label column's classes while rows stream past.
struct ClassBuilder {
    name: String,
    ids: HashMap<String, u32>,
    names: Vec<String>,
    rows: Vec<u32>,
}

impl ClassBuilder {
    fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            ids: HashMap::new(),
            names: Vec::new(),
            rows: Vec::new(),
        }
    }

    fn push(&mut self, label: &str) {
        let next = self.names.len() as u32;
        let id = *self.ids.entry(label.to_string()).or_insert_with(|| {
            self.names.push(label.to_string());
            next
        });
        self.rows.push(id);
    }

    /// The column with its classes sorted: as integers when all are integers, else as text.
    fn finish(self, source: &str) -> Result<LabelColumn, ByoError> {
        if self.names.len() > 256 {
            return Err(ByoError::TooManyClasses {
                file: source.to_string(),
                column: self.name,
                classes: self.names.len(),
            });
        }
        let mut order: Vec<usize> = (0..self.names.len()).collect();
        let integers: Option<Vec<i128>> = self.names.iter().map(|n| n.parse().ok()).collect();
        match integers {
            Some(integers) => order.sort_by_key(|&i| integers[i]),
            None => order.sort_by(|&a, &b| self.names[a].cmp(&self.names[b])),
        }
        let mut index = vec![0u8; order.len()];
        for (rank, &id) in order.iter().enumerate() {
            index[id] = rank as u8;
        }
        Ok(LabelColumn {
            source: source.to_string(),
            name: self.name,
            classes: order.iter().map(|&i| self.names[i].clone()).collect(),
            labels: self.rows.iter().map(|&id| index[id as usize]).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(bytes: &'a [u8]) -> Input<'a> {
        Input {
            source: "t.csv",
            bytes,
        }
    }

    /// Options choosing `labels` (names or indices) as the label columns.
    fn labelled(labels: &[&str]) -> Options {
        Options {
            label_columns: labels.iter().map(|l| ColumnRef::parse(l)).collect(),
            ..Options::default()
        }
    }

    fn table(text: &str, labels: &[&str]) -> Result<Table, ByoError> {
        load(input(text.as_bytes()), None, &labelled(labels), None)
    }

    /// An NPY file (format 1.0) with this dtype, shape and body.
    pub(crate) fn npy(descr: &str, fortran: bool, shape: &str, body: &[u8]) -> Vec<u8> {
        let fortran = if fortran { "True" } else { "False" };
        let mut header =
            format!("{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape}, }}");
        while (10 + header.len() + 1) % 64 != 0 {
            header.push(' ');
        }
        header.push('\n');
        let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
        bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
        bytes.extend_from_slice(header.as_bytes());
        bytes.extend_from_slice(body);
        bytes
    }

    fn f4(values: &[f32]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    #[test]
    fn a_header_row_is_detected_and_names_the_columns() {
        let t = table("a,b,kind\n1,2,x\n3,4,y\n", &["kind"]).unwrap();
        assert_eq!(t.embeddings.values, vec![1.0, 2.0, 3.0, 4.0]);
        assert_eq!((t.embeddings.rows, t.embeddings.dim), (2, 2));
        assert_eq!(t.label_columns[0].name, "kind");
        assert_eq!(t.label_columns[0].classes, vec!["x", "y"]);
    }

    #[test]
    fn without_a_header_the_first_row_is_data() {
        let t = table("1,2,x\n3,4,y\n", &["2"]).unwrap();
        assert_eq!(t.embeddings.rows, 2);
        assert_eq!(t.label_columns[0].name, "column 2");
    }

    #[test]
    fn a_tab_separated_file_is_read_as_tsv() {
        let t = table("1\t2\t0\n3\t4\t1\n", &["2"]).unwrap();
        assert_eq!(t.embeddings.values, vec![1.0, 2.0, 3.0, 4.0]);
    }

    #[test]
    fn integer_classes_sort_numerically_whatever_the_row_order() {
        let t = table("1,10\n2,9\n3,10\n4,2\n", &["1"]).unwrap();
        assert_eq!(t.label_columns[0].classes, vec!["2", "9", "10"]);
        assert_eq!(t.label_columns[0].labels, vec![2, 1, 2, 0]);
    }

    #[test]
    fn an_empty_file_is_refused() {
        for text in ["", "  \n\n"] {
            let e = table(text, &["0"]).unwrap_err();
            assert!(matches!(e, ByoError::Empty { .. }), "{e}");
            assert_eq!(
                e.to_string(),
                "t.csv: the file is empty; expected rows of numbers"
            );
        }
    }

    #[test]
    fn a_header_without_rows_is_refused() {
        let e = table("a,b,kind\n", &["kind"]).unwrap_err();
        assert!(matches!(e, ByoError::HeaderOnly { .. }), "{e}");
    }

    #[test]
    fn a_ragged_row_names_its_line() {
        let e = table("1,2,x\n3,4,y\n5,z\n", &["2"]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv, line 3: 2 fields, expected 3 like the first row"
        );
    }

    #[test]
    fn a_non_numeric_cell_names_its_line_and_column() {
        let e = table("a,b,kind\n1,2,x\n3,oops,y\n", &["kind"]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv, line 3, column b: \"oops\" is not a number"
        );
    }

    #[test]
    fn nan_and_infinity_are_refused() {
        for cell in ["NaN", "inf", "-infinity", "1e39"] {
            let e = table(&format!("1,2,x\n3,{cell},y\n"), &["2"]).unwrap_err();
            assert!(matches!(e, ByoError::NotFinite { line: 2, .. }), "{e}");
        }
    }

    #[test]
    fn a_binary_file_passed_as_csv_is_refused() {
        let e = table("1,2\0,3\n", &["0"]).unwrap_err();
        assert!(matches!(e, ByoError::Binary { offset: 3, .. }), "{e}");
        let e = load(input(b"1,2,\xff\xfe\n"), None, &labelled(&["0"]), None).unwrap_err();
        assert!(matches!(e, ByoError::Binary { offset: 4, .. }), "{e}");
    }

    #[test]
    fn a_file_over_the_budget_is_refused_before_parsing() {
        let options = Options {
            budget_bytes: 8,
            ..labelled(&["2"])
        };
        let e = load(input(b"1,2,x\n3,4,y\n"), None, &options, None).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("t.csv: the file is 12 bytes, over the memory budget"),
            "{e}"
        );
    }

    #[test]
    fn more_labels_than_rows_is_refused() {
        let labels = Input {
            source: "labels.csv",
            bytes: b"0\n1\n0\n",
        };
        let e = load(
            input(b"1,2\n3,4\n"),
            Some(labels),
            &Options::default(),
            None,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "labels.csv: 3 labels for 2 embedding rows; expected one label per row"
        );
    }

    #[test]
    fn an_unknown_label_column_lists_the_columns() {
        let e = table("a,b\n1,2\n", &["kind"]).unwrap_err();
        assert!(matches!(e, ByoError::UnknownColumn { .. }), "{e}");
    }

    #[test]
    fn text_without_chosen_labels_is_refused() {
        let e = load(input(b"1,2\n"), None, &Options::default(), None).unwrap_err();
        assert_eq!(e, ByoError::NoLabels);
    }

    #[test]
    fn npy_in_either_order_reads_row_major() {
        // The same 2x3 matrix stored in C and in Fortran order.
        let c = npy("<f4", false, "(2, 3)", &f4(&[1., 2., 3., 4., 5., 6.]));
        let f = npy("<f4", true, "(2, 3)", &f4(&[1., 4., 2., 5., 3., 6.]));
        for bytes in [c, f] {
            let e = parse_npy(input(&bytes), DEFAULT_BUDGET_BYTES).unwrap();
            assert_eq!(e.values, vec![1., 2., 3., 4., 5., 6.]);
            assert_eq!((e.rows, e.dim), (2, 3));
        }
    }

    #[test]
    fn npy_with_an_unsupported_dtype_is_refused() {
        let bytes = npy("<i4", false, "(2,)", &[0; 8]);
        let e = parse_npy(input(&bytes), DEFAULT_BUDGET_BYTES).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("t.csv: the NPY dtype '<i4' is not supported; expected float32"),
            "{e}"
        );
    }

    #[test]
    fn npy_with_a_truncated_body_is_refused() {
        let bytes = npy("<f4", false, "(2, 3)", &f4(&[1., 2., 3., 4., 5.]));
        let e = parse_npy(input(&bytes), DEFAULT_BUDGET_BYTES).unwrap_err();
        assert_eq!(
            e,
            ByoError::Truncated {
                file: "t.csv".into(),
                expected: 24,
                actual: 20
            }
        );
    }

    #[test]
    fn npy_holding_nan_names_the_row_and_column() {
        let bytes = npy("<f4", false, "(2, 2)", &f4(&[1., 2., 3., f32::NAN]));
        let e = parse_npy(input(&bytes), DEFAULT_BUDGET_BYTES).unwrap_err();
        assert!(matches!(e, ByoError::NotFinite { line: 1, .. }), "{e}");
    }

    /// npyz multiplies the shape out unchecked: a shape whose product overflows must be refused
    /// before it is handed over (found by the nasty-input corpus below).
    #[test]
    fn npy_shape_whose_element_count_overflows_is_refused() {
        let bytes = npy("<f8", false, "(18446744073709551615, 3)", &[]);
        let e = parse_npy(input(&bytes), DEFAULT_BUDGET_BYTES).unwrap_err();
        assert!(matches!(e, ByoError::NpyShape { .. }), "{e}");
    }

    #[test]
    fn more_than_256_classes_are_refused() {
        let text: String = (0..300).map(|i| format!("{i}.0,{i}\n")).collect();
        let e = table(&text, &["1"]).unwrap_err();
        assert!(
            matches!(e, ByoError::TooManyClasses { classes: 300, .. }),
            "{e}"
        );
    }

    /// Inputs that once crashed a parser somewhere, or that are shaped to: each must give an
    /// error or a table, never a panic.
    #[test]
    fn nasty_inputs_give_errors_not_panics() {
        let huge_shape = npy(
            "<f8",
            false,
            "(18446744073709551615, 18446744073709551615)",
            &[],
        );
        let odd_shape = npy("<f4", false, "(2, 3, 4)", &[0; 96]);
        let zero_shape = npy("<f4", false, "(0, 3)", &[]);
        let record = npy("[('a', '<f4')]", false, "(1,)", &[0; 4]);
        let nasty: Vec<Vec<u8>> = vec![
            b"\"unterminated,1\n2,3".to_vec(),
            b",,,\n,,,\n".to_vec(),
            b"\xef\xbb\xbf1,2\n3,4\n".to_vec(),
            b"1,2\r\n3,4\r\n".to_vec(),
            b"\x93NUMPY".to_vec(),
            b"\x93NUMPY\x01\x00\xff\xff{".to_vec(),
            b"PK\x03\x04".to_vec(),
            b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0".to_vec(),
            huge_shape,
            odd_shape,
            zero_shape,
            record,
            vec![b'9'; 10_000],
        ];
        for bytes in &nasty {
            let _ = load(input(bytes), None, &labelled(&["1"]), None);
            let _ = load_samples(input(bytes), &Options::default(), None);
            let _ = parse_labels(input(bytes), &Options::default(), None);
        }
    }
}
