//! The CLI's one error type and its exit codes: 2 for bad input (the user can fix the file or
//! the arguments), 1 for anything else.

use ssl_core::CoreError;
use ssl_core::byo::ByoError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum CliError {
    /// A file or argument the command cannot use; the message names it and what was expected.
    #[error("{0}")]
    BadInput(String),

    /// A brought file the core refused.
    #[error("{0}")]
    Byo(#[from] ByoError),

    /// Anything else: an I/O failure, a diverged run.
    #[error("{0}")]
    Failed(String),
}

impl CliError {
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::BadInput(_) | CliError::Byo(_) => 2,
            CliError::Failed(_) => 1,
        }
    }

    /// A core error: bad input when it is about the data given, a failure otherwise.
    pub fn core(context: &str, error: CoreError) -> Self {
        match error {
            CoreError::Mi(_)
            | CoreError::Synthetic(_)
            | CoreError::TooFewSamples { .. }
            | CoreError::Read { .. } => CliError::BadInput(format!("{context}: {error}")),
            _ => CliError::Failed(format!("{context}: {error}")),
        }
    }
}
