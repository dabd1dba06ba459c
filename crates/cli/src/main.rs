//! `ssl-explorer`, the explorer's command line: the same core as the page, run natively.
//!
//! - `train SETTINGS.json`: trains a run from a settings file and prints its metrics history.
//! - `analyze EMBEDDINGS [LABELS]`: the page's analyses on embeddings made elsewhere.
//! - `estimate X Y`: one MI estimator on two paired sample files.
//!
//! Each prints JSON on stdout (CSV with `--csv`) and progress on stderr. Arguments are parsed in
//! two steps ([`args`]: clap's raw values, then validated types), and every error is turned
//! into one line on stderr and an exit code once, here: 0 success, 2 bad input, 1 otherwise.

mod analyze;
mod args;
mod error;
mod estimate;
mod output;
mod train;

use clap::Parser;

use crate::args::{Cli, Command};
use crate::error::CliError;

fn main() {
    let cli = Cli::parse();
    if let Err(error) = run(cli) {
        eprintln!("ssl-explorer: {error}");
        std::process::exit(error.exit_code());
    }
}

fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Train(raw) => train::run(&raw.validated()?),
        Command::Analyze(raw) => analyze::run(&raw.validated()?),
        Command::Estimate(raw) => estimate::run(&raw.validated()?),
    }
}
