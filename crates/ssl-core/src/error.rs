//! Typed errors of the core. The app converts each into one message the visitor sees.

use thiserror::Error;

/// Everything in the core that can fail on bad input rather than on a bug.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum CoreError {
    /// A gzip stream could not be decoded.
    #[error("the data file {name} is not a valid gzip stream: {reason}")]
    Decompress { name: String, reason: String },

    /// A data file has a length that does not fit the shape it should have.
    #[error("the data file {name} holds {actual} bytes, expected {expected}")]
    Shape {
        name: String,
        expected: usize,
        actual: usize,
    },

    /// A label is out of the range of classes.
    #[error("label {label} at sample {index} is outside 0..{classes}")]
    Label {
        index: usize,
        label: u8,
        classes: usize,
    },

    /// A split asked for more samples than a class has.
    #[error("class {class} has {count} samples: too few to split into train and test")]
    TooFewSamples { class: usize, count: usize },

    /// The loss became NaN or infinite, or grew past [`crate::train::DIVERGENCE_FACTOR`] times
    /// its first value: the weights are running away and the run cannot recover.
    #[error(
        "training diverged at step {step}: {} The learning rate {learning_rate} is the likely \
         cause: try a lower one (large loss weights can do this too).",
        describe_loss(*loss, *first_loss)
    )]
    Diverged {
        step: usize,
        learning_rate: f64,
        /// The loss of the step that diverged.
        loss: f64,
        /// The loss of the run's first step, the scale `loss` is compared with.
        first_loss: f64,
    },

    /// The encoder produced NaN or infinite embeddings: the weights overflowed.
    #[error(
        "training diverged by step {step}: the embeddings are no longer finite numbers. The \
         learning rate {learning_rate} is the likely cause: try a lower one."
    )]
    EmbeddingNotFinite { step: usize, learning_rate: f64 },

    /// A data file could not be read from disk (native callers only: the examples and tests).
    #[error("the data file {path} could not be read: {reason}")]
    Read { path: String, reason: String },

    /// A generated data set was asked to decode files.
    #[error("the data set {name} is generated, not read from files")]
    Generated { name: String },

    /// The synthetic data set's configuration cannot be generated.
    #[error("the synthetic data set cannot be generated: {0}")]
    Synthetic(#[from] crate::synthetic::SyntheticError),

    /// A mutual-information estimator or sampler was given input it cannot work with.
    #[error("{0}")]
    Mi(#[from] crate::mi::MiError),

    /// A critic's bound stopped being a finite number (its scores overflowed).
    #[error("the {bound} critic diverged: its bound became {value}")]
    CriticDiverged { bound: &'static str, value: f64 },

    /// A tensor could not be read back to the CPU synchronously.
    #[error("a tensor read-back did not complete at once: {0}")]
    Readback(String),
}

impl CoreError {
    /// Whether this error means the run diverged (as opposed to bad input or a bug).
    pub fn is_divergence(&self) -> bool {
        matches!(
            self,
            CoreError::Diverged { .. } | CoreError::EmbeddingNotFinite { .. }
        )
    }
}

fn describe_loss(loss: f64, first_loss: f64) -> String {
    if loss.is_finite() {
        format!(
            "the loss reached {loss:.3e}, over {:.0} times its first value ({first_loss:.3}).",
            crate::train::DIVERGENCE_FACTOR
        )
    } else {
        format!("the loss is {loss}, not a finite number.")
    }
}
