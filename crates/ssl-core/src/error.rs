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

    /// The loss became NaN or infinite.
    #[error(
        "training diverged at step {step}: the loss is not a finite number \
         (learning rate {learning_rate}; try a lower one, or smaller loss weights)"
    )]
    Diverged { step: usize, learning_rate: f64 },

    /// A tensor could not be read back to the CPU synchronously.
    #[error("a tensor read-back did not complete at once: {0}")]
    Readback(String),
}
