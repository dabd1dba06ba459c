//! What the subcommands share at the edges: reading a file within the memory budget, a
//! progress bar on stderr, and printing a result as JSON or CSV on stdout.

use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use ssl_core::byo::parse::check_size;

use crate::args::Format;
use crate::error::CliError;

/// The bytes of `path`, refused before reading when larger than `budget` bytes.
pub fn read_within(path: &Path, budget: usize) -> Result<Vec<u8>, CliError> {
    let name = path.display().to_string();
    let unreadable = |e: std::io::Error| CliError::BadInput(format!("{name}: cannot be read: {e}"));
    let size = std::fs::metadata(path).map_err(unreadable)?.len();
    check_size(&name, size, budget)?;
    std::fs::read(path).map_err(unreadable)
}

/// A bar on stderr counting to `total` (hidden when stderr is not a terminal).
pub fn progress_bar(total: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(total);
    let style = ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
        .expect("the template is valid")
        .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(what.to_string());
    bar
}

/// Prints `value` as pretty JSON, or as CSV with `header` and `rows`.
pub fn print(
    format: Format,
    value: &impl Serialize,
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<(), CliError> {
    match format {
        Format::Json => {
            let text = serde_json::to_string_pretty(value).map_err(|e| {
                CliError::Failed(format!("the result cannot be written as JSON: {e}"))
            })?;
            println!("{text}");
        }
        Format::Csv => {
            println!("{}", header.join(","));
            for row in rows {
                println!("{}", row.join(","));
            }
        }
    }
    Ok(())
}

/// A number for a CSV cell: empty when absent.
pub fn cell(value: Option<f64>) -> String {
    value.map_or(String::new(), |v| v.to_string())
}
