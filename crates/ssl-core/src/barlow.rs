//! The Barlow Twins loss (Zbontar, Jing, Misra, LeCun and Deny, ICML 2021) and its two terms.
//!
//! For two batches of projections `Z_a`, `Z_b` of shape `[n, d]` (row `i` of each is a view of
//! sample `i`), each column is first standardised over the batch,
//!
//! ```text
//! zhat_ij = (z_ij - mean_i z_ij) / sqrt(Var_i z_ij + 1e-5)
//! ```
//!
//! with the *biased* variance (divided by `n`) and `eps = 1e-5`: what the official code's
//! `nn.BatchNorm1d(d, affine=False)` does in training mode. The cross-correlation matrix of the
//! two views is then `C = Zhat_a^T Zhat_b / n` (`[d, d]`; its entries lie in `[-1, 1]` up to the
//! epsilon) and
//!
//! - **on-diagonal** `sum_i (1 - C_ii)^2` pulls each dimension of the two views to correlation 1,
//!   the invariance;
//! - **off-diagonal** `sum_{i != j} C_ij^2` decorrelates the dimensions, the redundancy reduction
//!   that keeps the embedding from collapsing.
//!
//! The loss is `on + lambda * off` with `lambda` = [`DEFAULT_LAMBDA`] = `5e-3`, the paper's value
//! (its official code uses `0.0051`). Both terms are sums, not means, so the loss grows with `d`.
//! A column that is constant over the batch standardises to zeros and contributes `1` to the
//! on-diagonal term; `n >= 2` is needed for anything else.

use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};

/// The epsilon added to the batch variance before the square root, PyTorch's `BatchNorm1d`
/// default, which the official code uses.
pub const BATCH_NORM_EPSILON: f64 = 1e-5;

/// The weight of the off-diagonal term in the paper (section 4, "Implementation details").
pub const DEFAULT_LAMBDA: f64 = 5e-3;

/// The two Barlow Twins terms, each of type `T` (tensors of shape `[1]`, or their values).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BarlowTerms<T = Tensor<1>> {
    pub on_diagonal: T,
    pub off_diagonal: T,
}

impl BarlowTerms<Tensor<1>> {
    /// `on + lambda_offdiag * off`, shape `[1]`.
    pub fn weighted(&self, lambda_offdiag: f64) -> Tensor<1> {
        self.on_diagonal.clone() + self.off_diagonal.clone() * lambda_offdiag
    }
}

impl BarlowTerms<f64> {
    pub fn weighted(&self, lambda_offdiag: f64) -> f64 {
        self.on_diagonal + lambda_offdiag * self.off_diagonal
    }
}

/// The two terms for projections `z_a`, `z_b` of shape `[n, d]`, `n >= 2`.
pub fn barlow_terms(z_a: Tensor<2>, z_b: Tensor<2>) -> BarlowTerms {
    let [n, d] = z_a.dims();
    let device = z_a.device();
    let (a, b) = (standardised(z_a), standardised(z_b));

    // The diagonal of C directly, without forming it from the matrix: [1, d].
    let diagonal = (a.clone() * b.clone()).sum_dim(0) / n as f64;
    let on_diagonal = (diagonal.neg() + 1.0).square().sum();

    // C with its diagonal zeroed by a mask, rather than all squares minus the diagonal's, which
    // would cancel d terms near 1 in f32: [d, d].
    let c = a.transpose().matmul(b) / n as f64;
    let off_mask = Tensor::<2>::eye(d, &device).neg() + 1.0;
    let off_diagonal = (c * off_mask).square().sum();
    BarlowTerms {
        on_diagonal,
        off_diagonal,
    }
}

/// Each column of `z` (`[n, d]`) centred and scaled by its biased batch standard deviation.
fn standardised(z: Tensor<2>) -> Tensor<2> {
    let centred = z.clone() - z.mean_dim(0); // [n, d]
    let var = centred.clone().square().mean_dim(0); // [1, d], biased
    centred / (var + BATCH_NORM_EPSILON).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::readback::read_f32;
    use crate::test_support::{tensor, value};
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, StandardNormal};

    /// An independent plain-f64 Barlow Twins loss, loop by loop from the formula: `a`, `b` are
    /// `[n, d]` row-major. Returns (on-diagonal, off-diagonal).
    fn reference(a: &[f64], b: &[f64], d: usize) -> (f64, f64) {
        let n = a.len() / d;
        let standardise = |z: &[f64]| -> Vec<f64> {
            let mut out = vec![0.0; z.len()];
            for j in 0..d {
                let mean = (0..n).map(|i| z[i * d + j]).sum::<f64>() / n as f64;
                let var = (0..n).map(|i| (z[i * d + j] - mean).powi(2)).sum::<f64>() / n as f64;
                for i in 0..n {
                    out[i * d + j] = (z[i * d + j] - mean) / (var + 1e-5).sqrt();
                }
            }
            out
        };
        let (a, b) = (standardise(a), standardise(b));
        let (mut on, mut off) = (0.0, 0.0);
        for j in 0..d {
            for k in 0..d {
                let c = (0..n).map(|i| a[i * d + j] * b[i * d + k]).sum::<f64>() / n as f64;
                if j == k {
                    on += (1.0 - c).powi(2);
                } else {
                    off += c * c;
                }
            }
        }
        (on, off)
    }

    /// Z_a = [[0, 0], [2, 1]], Z_b = [[0, 1], [1, 0]] (n = 2, d = 2). With two samples every
    /// column standardises to -+1 up to the epsilon: a column with deviations -+s becomes
    /// -+s / sqrt(s^2 + eps). Here Z_a's columns have s = 1 and 1/2, Z_b's both 1/2, and Z_b's
    /// second column runs the other way. With k1 = 1/sqrt(1 + eps), k2 = 0.5/sqrt(0.25 + eps),
    /// C = [[k1 k2, -k1 k2], [k2^2, -k2^2]], so on = (1 - k1 k2)^2 + (1 + k2^2)^2 (about 4) and
    /// off = (k1 k2)^2 + k2^4 (about 2).
    #[test]
    fn terms_match_a_hand_computation() {
        let device = crate::cpu_device();
        let a = tensor(&[0.0, 0.0, 2.0, 1.0], 2, &device);
        let b = tensor(&[0.0, 1.0, 1.0, 0.0], 2, &device);
        let terms = barlow_terms(a, b);
        let k1 = 1.0 / (1.0 + BATCH_NORM_EPSILON).sqrt();
        let k2 = 0.5 / (0.25 + BATCH_NORM_EPSILON).sqrt();
        let on = (1.0 - k1 * k2).powi(2) + (1.0 + k2 * k2).powi(2);
        let off = (k1 * k2).powi(2) + k2.powi(4);
        assert!((value(terms.on_diagonal.clone()) - on).abs() < 1e-5);
        assert!((value(terms.off_diagonal.clone()) - off).abs() < 1e-5);
        assert!((value(terms.weighted(DEFAULT_LAMBDA)) - (on + 5e-3 * off)).abs() < 1e-5);
    }

    #[test]
    fn identical_decorrelated_views_cost_almost_nothing() {
        // Columns with zero correlation: C is the identity up to the epsilon.
        let device = crate::cpu_device();
        let z = tensor(&[-1.0, -1.0, -1.0, 1.0, 1.0, -1.0, 1.0, 1.0], 4, &device);
        let terms = barlow_terms(z.clone(), z);
        assert!(value(terms.on_diagonal) < 1e-8);
        assert!(value(terms.off_diagonal) < 1e-12);
    }

    fn random(len: usize, seed: u64) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..len).map(|_| StandardNormal.sample(&mut rng)).collect()
    }

    #[test]
    fn loss_and_gradients_match_an_f64_reference_and_finite_differences() {
        let (n, d, lambda) = (5, 3, 0.5);
        let (a, b) = (random(n * d, 3), random(n * d, 4));
        let device = crate::cpu_device().autodiff();
        let ta = tensor(&a, n, &device).require_grad();
        let tb = tensor(&b, n, &device).require_grad();
        let terms = barlow_terms(ta.clone(), tb.clone());
        let loss = terms.weighted(lambda);
        let grads = loss.backward();
        let (on, off) = reference(&a, &b, d);
        assert!((value(terms.on_diagonal) - on).abs() < 1e-5);
        assert!((value(terms.off_diagonal) - off).abs() < 1e-5);

        // Central differences of the f64 reference at h = 1e-5 (truncation and rounding errors
        // below 1e-9); the tolerance is that of f32 arithmetic on gradients of order 1. A lambda
        // of 0.5 rather than 5e-3 makes the off-diagonal term's gradient visible in the check.
        let loss_at = |a: &[f64], b: &[f64]| {
            let (on, off) = reference(a, b, d);
            on + lambda * off
        };
        let grad_a = read_f32(ta.grad(&grads).unwrap()).unwrap();
        let grad_b = read_f32(tb.grad(&grads).unwrap()).unwrap();
        let h = 1e-5;
        for i in 0..n * d {
            let (mut a_plus, mut a_minus) = (a.clone(), a.clone());
            a_plus[i] += h;
            a_minus[i] -= h;
            let numeric = (loss_at(&a_plus, &b) - loss_at(&a_minus, &b)) / (2.0 * h);
            let analytic = f64::from(grad_a[i]);
            assert!(
                (numeric - analytic).abs() < 1e-4,
                "a[{i}]: {analytic} vs {numeric}"
            );

            let (mut b_plus, mut b_minus) = (b.clone(), b.clone());
            b_plus[i] += h;
            b_minus[i] -= h;
            let numeric = (loss_at(&a, &b_plus) - loss_at(&a, &b_minus)) / (2.0 * h);
            let analytic = f64::from(grad_b[i]);
            assert!(
                (numeric - analytic).abs() < 1e-4,
                "b[{i}]: {analytic} vs {numeric}"
            );
        }
    }
}
