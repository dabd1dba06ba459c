//! The kernel (pairwise-distance) estimators of Kolchinsky and Tracey ("Estimating mixture
//! entropy with pairwise distances", Entropy 19(7), 2017), as used for the information plane by
//! Saxe et al. ("On the information bottleneck theory of deep learning", ICLR 2018), in nats.
//!
//! A deterministic layer `h(X)` has infinite mutual information with a continuous input, so
//! the information plane measures a noisy layer instead, `T = h(X) + e` with
//! `e ~ N(0, noise_var * I)`. Given `N` samples `h_1..h_N`, `T` is a mixture of `N` Gaussians,
//! and its entropy has the upper bound
//!
//! ```text
//! H(T) <= d/2 ln(2 pi e s2) + E(h),
//! E(h)  = -1/N sum_i ln( 1/N sum_j exp(-||h_i - h_j||^2 / (2 s2)) )
//! ```
//!
//! (the bound of the paper's Eq. 10 with the KL divergence between mixture components, which
//! for equal spherical Gaussians is `||h_i - h_j||^2 / (2 s2)`), with `s2 = noise_var` and `d`
//! the width. Since `H(T | X) = d/2 ln(2 pi e s2)` exactly, `E(h)` is the upper bound on
//! `I(X; T)` ([`layer_information`]), always in `[0, ln N]`. For labels `Y`,
//! `I(T; Y) = H(T) - sum_c p(c) H(T | Y = c)` uses the same bound within each class; the
//! constants cancel and what is left is `E(h) - sum_c p(c) E(h of class c)`. That difference of
//! two bounds is an estimate, not a bound, as in Saxe et al.
//!
//! For two continuous variables ([`kde_nats`]) the same plug-in entropies give
//! `I(X; Y) = E(x) + E(y) - E(x, y)`, the constants cancelling again: an estimate of the MI of
//! the noisy pair `(X + e, Y + e')`, which the noise lowers below the MI of `(X, Y)`. It is at
//! most `ln N` and can be slightly negative on independent samples.
//!
//! Bias and limits: the estimate depends on the noise variance, which is a free choice (Saxe et
//! al. used 0.1, and so does the page's default); with a noise much smaller than the spacing of
//! the samples every sample is its own component and the estimate saturates at `ln N`, as
//! binning does with too many bins. It is not invariant under monotone maps of the units.
//!
//! Cost: `O(N^2 d)` time, `O(N)` extra memory; about a second at `N = 10,000`, `d = 20`.

use super::{MiError, Rows};

/// The noise variance of Saxe et al. (2018), the page's default.
pub const DEFAULT_NOISE_VARIANCE: f64 = 0.1;

/// `I(X; T)` and `I(T; Y)` of a noisy layer, in nats (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LayerInformation {
    /// The upper bound on `I(X; T)`.
    pub input: f64,
    /// The estimate of `I(T; Y)`.
    pub label: f64,
}

/// The kernel estimate of `I(X; Y)` in nats, for noise of variance `noise_var` added to each
/// coordinate of `X` and `Y`.
///
/// Errors: bad rows (see [`Rows::paired`]) or a noise variance that is not positive.
pub fn kde_nats(x: Rows, y: Rows, noise_var: f64) -> Result<f64, MiError> {
    check_noise(noise_var)?;
    let n = Rows::paired(x, y)?;
    if n == 0 {
        return Ok(0.0);
    }
    let scale = -0.5 / noise_var;
    let (mut sum_x, mut sum_y, mut sum_xy) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (xi, yi) = (x.row(i), y.row(i));
        let (mut kx, mut ky, mut kxy) = (0.0, 0.0, 0.0);
        for j in 0..n {
            let dx = squared_distance(xi, x.row(j));
            let dy = squared_distance(yi, y.row(j));
            kx += (scale * dx).exp();
            ky += (scale * dy).exp();
            kxy += (scale * (dx + dy)).exp();
        }
        // Each sum holds the term j = i, exp(0) = 1, so none is zero.
        sum_x += kx.ln();
        sum_y += ky.ln();
        sum_xy += kxy.ln();
    }
    // E(x) + E(y) - E(x, y), each E = ln N - mean ln(sum): one ln N is left.
    Ok((n as f64).ln() + (sum_xy - sum_x - sum_y) / n as f64)
}

/// `I(X; T)` and `I(T; Y)` of the layer with samples `layer` and the labels `labels` (one per
/// sample), for noise of variance `noise_var`.
///
/// Errors: bad rows, a label count that differs from the sample count, or a noise variance that
/// is not positive.
pub fn layer_information(
    layer: Rows,
    labels: &[usize],
    noise_var: f64,
) -> Result<LayerInformation, MiError> {
    check_noise(noise_var)?;
    let n = Rows::paired(layer, layer)?;
    if labels.len() != n {
        return Err(MiError::MismatchedSamples {
            x: n,
            y: labels.len(),
        });
    }
    if n == 0 {
        return Ok(LayerInformation {
            input: 0.0,
            label: 0.0,
        });
    }
    let scale = -0.5 / noise_var;
    // For each sample, the kernel sums over all samples and over those of its own class.
    let (mut all, mut within) = (0.0, 0.0);
    let mut class_sizes = std::collections::HashMap::<usize, usize>::new();
    for &c in labels {
        *class_sizes.entry(c).or_default() += 1;
    }
    for i in 0..n {
        let hi = layer.row(i);
        let (mut k_all, mut k_class) = (0.0, 0.0);
        for j in 0..n {
            let k = (scale * squared_distance(hi, layer.row(j))).exp();
            k_all += k;
            if labels[j] == labels[i] {
                k_class += k;
            }
        }
        all += (k_all / n as f64).ln();
        within += (k_class / class_sizes[&labels[i]] as f64).ln();
    }
    let input = -all / n as f64;
    // sum_c p(c) E(class c) = -1/N sum_i ln(mean kernel within i's class).
    let label = input + within / n as f64;
    Ok(LayerInformation { input, label })
}

fn check_noise(noise_var: f64) -> Result<(), MiError> {
    if noise_var.is_finite() && noise_var > 0.0 {
        Ok(())
    } else {
        Err(MiError::InvalidNoise { noise_var })
    }
}

fn squared_distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(p, q)| (p - q) * (p - q)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_far_apart_pairs_give_ln_2() {
        // Two samples, far apart in both X and Y: every kernel sum is 1 + e^-huge = 1, so
        // E(x) = E(y) = E(x, y) = ln 2 and I = ln 2.
        let x = [0.0, 100.0];
        let y = [0.0, 100.0];
        let mi = kde_nats(Rows::new(&x, 1), Rows::new(&y, 1), 0.1).unwrap();
        assert!((mi - 2f64.ln()).abs() < 1e-12, "{mi}");
    }

    #[test]
    fn a_hand_computed_pair() {
        // X = (0, 1), Y = (0, 0), s2 = 0.5: kernel between the samples exp(-1) in X, 1 in Y.
        // E(x) = -ln((1 + e^-1)/2), E(y) = -ln(1) = 0, E(x, y) = E(x): I = 0.
        let x = [0.0, 1.0];
        let y = [0.0, 0.0];
        let mi = kde_nats(Rows::new(&x, 1), Rows::new(&y, 1), 0.5).unwrap();
        assert!(mi.abs() < 1e-12, "{mi}");
    }

    #[test]
    fn a_layer_of_distinct_far_samples_holds_ln_n_about_its_input() {
        let layer: Vec<f64> = (0..8).map(|i| 10.0 * i as f64).collect();
        let labels = [0, 0, 0, 0, 1, 1, 1, 1];
        let info = layer_information(Rows::new(&layer, 1), &labels, 0.1).unwrap();
        assert!((info.input - 8f64.ln()).abs() < 1e-12);
        // Within a class every sample is alone too: E(class) = ln 4, so I(T; Y) = ln 8 - ln 4.
        assert!((info.label - 2f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn a_collapsed_layer_holds_nothing() {
        let layer = [0.3; 6];
        let info = layer_information(Rows::new(&layer, 2), &[0, 1, 2], 0.1).unwrap();
        assert!(
            info.input.abs() < 1e-12 && info.label.abs() < 1e-12,
            "{info:?}"
        );
    }

    #[test]
    fn bad_noise_is_refused() {
        let x = [0.0, 1.0];
        assert_eq!(
            kde_nats(Rows::new(&x, 1), Rows::new(&x, 1), 0.0),
            Err(MiError::InvalidNoise { noise_var: 0.0 })
        );
    }
}
