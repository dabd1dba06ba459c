//! Mutual-information estimators, and the Gaussian ground truth they are tested against.
//!
//! The information lab's estimators of `I(X; Y)` between two sets of paired samples (an
//! embedding and its input, or the two views' embeddings), in nats. The non-parametric ones
//! work on plain row-major `f64` rows ([`Rows`]) and need no burn tensors; the critics train
//! with burn on the CPU device. All run the same in the worker and in native tests.
//!
//! - [`ksg::ksg1_nats`] and [`ksg::ksg2_nats`]: the k-nearest-neighbour estimators of Kraskov,
//!   Stögbauer and Grassberger (2004), consistent for continuous data.
//! - [`binning::binning_nats`]: the equal-width binning estimator of Shwartz-Ziv and Tishby
//!   (2017), strongly biased but the one the information-plane literature plots.
//! - [`kde::kde_nats`] and [`kde::layer_information`]: the pairwise-distance (kernel) estimates
//!   of Kolchinsky and Tracey (2017) for a layer with added Gaussian noise, as in Saxe et al.
//!   (2018).
//! - [`critic::VariationalEstimator`]: InfoNCE, NWJ and MINE lower bounds with a critic trained
//!   by burn (Poole et al. 2019), and [`critic::Staircase`], their staircase benchmark.
//! - [`gaussian::CorrelatedGaussian`]: samples with a known `I(X; Y)` in closed form, and
//!   [`gaussian::Monotone`] maps that change the distribution but keep the MI.
//!
//! Inputs are checked once ([`Rows::paired`]) and bad ones are a [`MiError`], never a panic.

pub mod binning;
pub mod compression;
pub mod critic;
pub mod gaussian;
pub mod kde;
pub mod ksg;
pub mod lab;
pub mod plane;

use thiserror::Error;

/// Inputs an estimator or sampler cannot work with.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum MiError {
    #[error("a variable needs at least one dimension")]
    ZeroDimensions,

    #[error("{len} values do not split into rows of {dim}")]
    RaggedRows { len: usize, dim: usize },

    #[error("X has {x} samples but Y has {y}: the samples must be paired")]
    MismatchedSamples { x: usize, y: usize },

    #[error("{n} samples are too few for {k} nearest neighbours: need more than {k}")]
    TooFewSamples { n: usize, k: usize },

    #[error("k must be at least 1")]
    ZeroNeighbours,

    #[error("the number of bins must be at least 1")]
    ZeroBins,

    #[error("sample {index} holds a value that is not finite")]
    NonFinite { index: usize },

    #[error("the correlation {rho} is outside (-1, 1)")]
    InvalidCorrelation { rho: f64 },

    #[error("the mutual information {mi_nats} nats is negative or not finite")]
    InvalidInformation { mi_nats: f64 },

    #[error("the noise variance {noise_var} is not a positive number")]
    InvalidNoise { noise_var: f64 },

    #[error("the {name} {value} is out of its range")]
    OutOfRange { name: &'static str, value: f64 },
}

/// `n` samples of a `dim`-dimensional variable, row-major: sample `i` is
/// `values[i * dim..(i + 1) * dim]`.
#[derive(Debug, Clone, Copy)]
pub struct Rows<'a> {
    pub values: &'a [f64],
    pub dim: usize,
}

impl<'a> Rows<'a> {
    /// `values` as rows of `dim`.
    pub fn new(values: &'a [f64], dim: usize) -> Self {
        Self { values, dim }
    }

    /// Sample `i`.
    pub fn row(&self, i: usize) -> &'a [f64] {
        &self.values[i * self.dim..(i + 1) * self.dim]
    }

    /// The number of samples of `x` and `y` after checking that they can be estimated on: both
    /// have dimensions, whole rows, finite values, and the same number of samples.
    pub fn paired(x: Rows, y: Rows) -> Result<usize, MiError> {
        let nx = x.len()?;
        let ny = y.len()?;
        if nx != ny {
            return Err(MiError::MismatchedSamples { x: nx, y: ny });
        }
        for rows in [x, y] {
            if let Some(at) = rows.values.iter().position(|v| !v.is_finite()) {
                return Err(MiError::NonFinite {
                    index: at / rows.dim,
                });
            }
        }
        Ok(nx)
    }

    /// The number of rows, or an error if there are no dimensions or a partial row.
    fn len(&self) -> Result<usize, MiError> {
        if self.dim == 0 {
            return Err(MiError::ZeroDimensions);
        }
        if !self.values.len().is_multiple_of(self.dim) {
            return Err(MiError::RaggedRows {
                len: self.values.len(),
                dim: self.dim,
            });
        }
        Ok(self.values.len() / self.dim)
    }
}

/// The unit the page shows information in: one toggle for the whole page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Units {
    #[default]
    Nats,
    /// `1 bit = ln 2 nats`.
    Bits,
}

impl Units {
    /// `nats` in this unit.
    pub fn from_nats(self, nats: f64) -> f64 {
        match self {
            Units::Nats => nats,
            Units::Bits => nats / std::f64::consts::LN_2,
        }
    }

    /// The unit's short name.
    pub fn label(self) -> &'static str {
        match self {
            Units::Nats => "nats",
            Units::Bits => "bits",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Units;

    #[test]
    fn ln_2_nats_is_one_bit_exactly() {
        assert_eq!(Units::Bits.from_nats(std::f64::consts::LN_2), 1.0);
        assert_eq!(Units::Bits.from_nats(0.0), 0.0);
        assert_eq!(Units::Nats.from_nats(1.25), 1.25);
        // 8 bits of a byte: ln 256 nats.
        assert!((Units::Bits.from_nats(256f64.ln()) - 8.0).abs() < 1e-12);
    }
}
