//! The binning estimator of mutual information, as used for the information plane by
//! Shwartz-Ziv and Tishby ("Opening the Black Box of Deep Neural Networks via Information",
//! 2017), in nats.
//!
//! Each unit (coordinate) of `X` is cut into `bins` equal-width bins over its observed range
//! `[min, max]`, and a sample's pattern of bin indices across all units is one discrete symbol;
//! `Y` alike. With plug-in (maximum-likelihood) entropies of those symbols,
//!
//! ```text
//! H(S)    = -sum_s p(s) ln p(s),   p(s) = count(s) / N
//! I(X; Y) = H(X) + H(Y) - H(X, Y)
//! ```
//!
//! where the joint symbol is the pair of patterns. A unit with a single observed value falls in
//! one bin. (The paper bins tanh activations over the fixed range [-1, 1]; the observed range is
//! used here because embeddings are unbounded.)
//!
//! Bias: this measures the MI of the quantised variables, not of the continuous ones, and the
//! plug-in entropies over few samples per symbol are biased. The estimate grows with `bins` and
//! with the dimension, because more distinct patterns make each sample its own symbol; once
//! every sample has a distinct pattern in `X` (or `Y`) the estimate saturates at `ln N`, whatever
//! the true dependence. It is always in `[0, min(H(X), H(Y))] ⊆ [0, ln N]`.
//!
//! Invariance: an increasing affine map of a unit leaves the bins, and so the estimate,
//! unchanged; a non-linear monotone map (which keeps the true MI) moves samples between the
//! equal-width bins and changes the estimate. Deterministic data (`Y` a function of `X`) has
//! infinite true MI, while this returns a finite `H(Y)`.

use std::collections::HashMap;
use std::hash::Hash;

use super::kde::LayerInformation;
use super::{MiError, Rows};

/// The binning estimate of `I(X; Y)` in nats, with `bins` equal-width bins per unit.
///
/// Errors: bad rows (see [`Rows::paired`]) or `bins = 0`. No samples give 0.
pub fn binning_nats(x: Rows, y: Rows, bins: usize) -> Result<f64, MiError> {
    if bins == 0 {
        return Err(MiError::ZeroBins);
    }
    let n = Rows::paired(x, y)?;

    let x_symbols = patterns(x, n, bins);
    let y_symbols = patterns(y, n, bins);
    let joint: Vec<(&[u32], &[u32])> = x_symbols
        .chunks_exact(x.dim)
        .zip(y_symbols.chunks_exact(y.dim))
        .collect();

    let h_x = plug_in_entropy(x_symbols.chunks_exact(x.dim));
    let h_y = plug_in_entropy(y_symbols.chunks_exact(y.dim));
    let h_xy = plug_in_entropy(joint.into_iter());
    // Exact arithmetic gives a non-negative value; clamp the rounding.
    Ok((h_x + h_y - h_xy).max(0.0))
}

/// `I(X; T)` and `I(T; Y)` of a deterministic layer `T` of distinct inputs `X`, binned with
/// `bins` equal-width bins per unit: since `T` is a function of `X` and each `X` its own symbol,
/// `I(X; T) = H(T)`; and `I(T; Y) = H(T) + H(Y) - H(T, Y)` with `Y` the labels.
///
/// Errors: bad rows, `bins = 0`, or a label count that differs from the sample count.
pub fn layer_information(
    layer: Rows,
    labels: &[usize],
    bins: usize,
) -> Result<LayerInformation, MiError> {
    if bins == 0 {
        return Err(MiError::ZeroBins);
    }
    let n = Rows::paired(layer, layer)?;
    if labels.len() != n {
        return Err(MiError::MismatchedSamples {
            x: n,
            y: labels.len(),
        });
    }
    let symbols = patterns(layer, n, bins);
    let h_t = plug_in_entropy(symbols.chunks_exact(layer.dim));
    let joint = symbols.chunks_exact(layer.dim).zip(labels.iter().copied());
    let h_ty = plug_in_entropy(joint);
    let h_y = label_entropy(labels);
    Ok(LayerInformation {
        input: h_t,
        label: (h_t + h_y - h_ty).max(0.0),
    })
}

/// The plug-in entropy of `labels`, in nats.
pub fn label_entropy(labels: &[usize]) -> f64 {
    plug_in_entropy(labels.iter().copied())
}

/// The bin index of every value, row-major like the rows: `[n, dim]`.
fn patterns(rows: Rows, n: usize, bins: usize) -> Vec<u32> {
    let mut indices = vec![0u32; n * rows.dim];
    for unit in 0..rows.dim {
        let column = (0..n).map(|i| rows.values[i * rows.dim + unit]);
        let (min, max) = column
            .clone()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        let width = (max - min) / bins as f64;
        for (i, v) in column.enumerate() {
            // The maximum lands on `bins` exactly and belongs to the last bin.
            let bin = if width > 0.0 {
                (((v - min) / width) as usize).min(bins - 1)
            } else {
                0
            };
            indices[i * rows.dim + unit] = bin as u32;
        }
    }
    indices
}

/// The plug-in entropy in nats of the symbols' empirical distribution.
fn plug_in_entropy<S: Hash + Eq>(symbols: impl Iterator<Item = S>) -> f64 {
    let mut counts: HashMap<S, usize> = HashMap::new();
    let mut n = 0usize;
    for s in symbols {
        *counts.entry(s).or_default() += 1;
        n += 1;
    }
    let n = n as f64;
    // Summed in a fixed order (the counts sorted), so the same samples give the same last digit
    // whatever order the hash map keeps them in.
    let mut counts: Vec<usize> = counts.into_values().collect();
    counts.sort_unstable();
    counts
        .into_iter()
        .map(|c| {
            let p = c as f64 / n;
            -p * p.ln()
        })
        .sum()
}

#[cfg(test)]
mod layer_tests {
    use super::*;

    #[test]
    fn a_layer_with_one_pattern_per_class_holds_the_label_entropy() {
        // Four samples, two classes; the layer puts each class at one value: H(T) = ln 2 and
        // I(T; Y) = ln 2.
        let layer = [0.0, 0.0, 1.0, 1.0];
        let info = layer_information(Rows::new(&layer, 1), &[0, 0, 1, 1], 10).unwrap();
        assert!((info.input - 2f64.ln()).abs() < 1e-12);
        assert!((info.label - 2f64.ln()).abs() < 1e-12);
        assert!((label_entropy(&[0, 0, 1, 1]) - 2f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn distinct_patterns_that_ignore_the_class_hold_ln_n_about_the_input() {
        // Four distinct bins, classes crossing them: H(T) = ln 4, H(T, Y) = ln 4, H(Y) = ln 2.
        let layer = [0.0, 1.0, 2.0, 3.0];
        let info = layer_information(Rows::new(&layer, 1), &[0, 1, 0, 1], 4).unwrap();
        assert!((info.input - 4f64.ln()).abs() < 1e-12);
        assert!((info.label - 2f64.ln()).abs() < 1e-12);
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::mi::gaussian::CorrelatedGaussian;

    #[test]
    fn identical_fair_binary_variables_share_ln_2() {
        let v = [0.0, 1.0, 0.0, 1.0, 1.0, 0.0];
        let rows = Rows::new(&v, 1);
        let mi = binning_nats(rows, rows, 2).unwrap();
        assert!((mi - std::f64::consts::LN_2).abs() < 1e-12, "{mi}");
    }

    #[test]
    fn independent_discrete_variables_share_nothing() {
        // Every (x, y) combination once: the joint is the product of the marginals.
        let x = [0.0, 0.0, 1.0, 1.0];
        let y = [0.0, 1.0, 0.0, 1.0];
        let mi = binning_nats(Rows::new(&x, 1), Rows::new(&y, 1), 2).unwrap();
        assert!(mi.abs() < 1e-12, "{mi}");
    }

    #[test]
    fn two_units_make_one_symbol_per_pattern() {
        // X has 4 equally likely patterns over 2 units and Y copies X: I = H(X) = ln 4.
        let x = [0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0];
        let rows = Rows::new(&x, 2);
        let mi = binning_nats(rows, rows, 2).unwrap();
        assert!((mi - 4f64.ln()).abs() < 1e-12, "{mi}");
    }

    #[test]
    fn mi_is_bounded_by_ln_n() {
        let g = CorrelatedGaussian::new(3, 0.9).unwrap();
        let (x, y) = g.sample(200, &mut ChaCha8Rng::seed_from_u64(1));
        let (x, y) = (Rows::new(&x, 3), Rows::new(&y, 3));
        let ln_n = 200f64.ln();
        for bins in [2, 10, 100] {
            let mi = binning_nats(x, y, bins).unwrap();
            assert!((0.0..=ln_n + 1e-12).contains(&mi), "{bins}: {mi}");
        }
        // Fine bins in 3 dimensions give each sample its own pattern: the estimate saturates.
        let fine = binning_nats(x, y, 100).unwrap();
        assert!((fine - ln_n).abs() < 1e-9, "{fine}");
    }

    #[test]
    fn mi_is_invariant_under_increasing_affine_maps() {
        let g = CorrelatedGaussian::new(2, 0.8).unwrap();
        let (x, y) = g.sample(500, &mut ChaCha8Rng::seed_from_u64(2));
        // Powers of two keep the scaled bin edges exact in floating point.
        let y_mapped: Vec<f64> = y.iter().map(|v| 4.0 * v + 8.0).collect();
        let before = binning_nats(Rows::new(&x, 2), Rows::new(&y, 2), 8).unwrap();
        let after = binning_nats(Rows::new(&x, 2), Rows::new(&y_mapped, 2), 8).unwrap();
        assert!((before - after).abs() < 1e-12, "{before} {after}");
    }

    #[test]
    fn mi_is_symmetric() {
        let g = CorrelatedGaussian::new(2, 0.5).unwrap();
        let (x, y) = g.sample(300, &mut ChaCha8Rng::seed_from_u64(3));
        let (x, y) = (Rows::new(&x, 2), Rows::new(&y, 2));
        let xy = binning_nats(x, y, 5).unwrap();
        let yx = binning_nats(y, x, 5).unwrap();
        assert!((xy - yx).abs() < 1e-12);
    }

    #[test]
    fn zero_bins_is_an_error() {
        let v = [0.0, 1.0];
        let rows = Rows::new(&v, 1);
        assert_eq!(binning_nats(rows, rows, 0), Err(MiError::ZeroBins));
    }
}
