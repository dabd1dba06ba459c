//! The VICReg loss (Bardes, Ponce and LeCun, ICLR 2022) and its three terms.
//!
//! For two batches of projections `Z`, `Z'` of shape `[n, d]` (row `i` of each is a view of
//! sample `i`):
//!
//! - **invariance** `s(Z, Z') = 1/(n d) * sum_i ||z_i - z'_i||^2`, the mean squared error over
//!   every entry (the official code's `F.mse_loss`);
//! - **variance** `v = (v(Z) + v(Z')) / 2` with
//!   `v(Z) = 1/d * sum_j max(0, 1 - sqrt(Var(z_j) + 1e-4))`, where `Var` is the *unbiased*
//!   variance of column `j` (divided by `n - 1`); it keeps every dimension's standard deviation
//!   near 1, so the embedding cannot collapse to a point;
//! - **covariance** `c = c(Z) + c(Z')` with `c(Z) = 1/d * sum_{j != k} C(Z)_{jk}^2` and
//!   `C(Z) = 1/(n - 1) * sum_i (z_i - mean)(z_i - mean)^T`; it decorrelates the dimensions. The
//!   two views' terms are summed, not averaged, as in the official code.
//!
//! The loss is `lambda * s + mu * v + nu * c`; the variance and covariance terms together are the
//! *regularization* the paper of Ben-Shaul et al. credits with most of the clustering.

use burn::tensor::Tensor;
use burn::tensor::activation::relu;
use serde::{Deserialize, Serialize};

/// The epsilon under the square root of the variance term, as in the official code.
pub const VARIANCE_EPSILON: f64 = 1e-4;

/// The three VICReg terms, each of type `T` (tensors of shape `[1]`, or their values).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct VicregTerms<T> {
    pub invariance: T,
    pub variance: T,
    pub covariance: T,
}

/// The weights lambda, mu and nu of the three terms.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct VicregWeights {
    pub invariance: f64,
    pub variance: f64,
    pub covariance: f64,
}

impl VicregTerms<Tensor<1>> {
    /// `lambda * s + mu * v + nu * c`, shape `[1]`.
    pub fn weighted(&self, w: VicregWeights) -> Tensor<1> {
        self.invariance.clone() * w.invariance
            + self.variance.clone() * w.variance
            + self.covariance.clone() * w.covariance
    }
}

impl VicregTerms<f64> {
    pub fn weighted(&self, w: VicregWeights) -> f64 {
        w.invariance * self.invariance + w.variance * self.variance + w.covariance * self.covariance
    }
}

/// The three terms for projections `z_a`, `z_b` of shape `[n, d]`, `n >= 2`.
pub fn vicreg_terms(z_a: Tensor<2>, z_b: Tensor<2>) -> VicregTerms<Tensor<1>> {
    let invariance = (z_a.clone() - z_b.clone()).square().mean();
    let (var_a, cov_a) = variance_and_covariance(z_a);
    let (var_b, cov_b) = variance_and_covariance(z_b);
    VicregTerms {
        invariance,
        variance: (var_a + var_b) / 2.0,
        covariance: cov_a + cov_b,
    }
}

/// `v(Z)` and `c(Z)` for one view, `z`: `[n, d]`.
fn variance_and_covariance(z: Tensor<2>) -> (Tensor<1>, Tensor<1>) {
    let [n, d] = z.dims();
    let centred = z.clone() - z.mean_dim(0); // [n, d]

    // Unbiased per-column variance, the diagonal of the covariance matrix: [1, d].
    let var = centred.clone().square().sum_dim(0) / (n as f64 - 1.0);
    let std = (var.clone() + VARIANCE_EPSILON).sqrt();
    let variance = relu(std.neg() + 1.0).mean();

    // Sum of squared off-diagonal covariances: all entries minus the diagonal.
    let cov = centred.clone().transpose().matmul(centred) / (n as f64 - 1.0); // [d, d]
    let off_diagonal = cov.square().sum() - var.square().sum();
    (variance, off_diagonal / d as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::readback::read_f32;
    use burn::tensor::TensorData;

    fn tensor(rows: &[[f32; 2]]) -> Tensor<2> {
        let flat: Vec<f32> = rows.iter().flatten().copied().collect();
        Tensor::from_data(TensorData::new(flat, [rows.len(), 2]), &crate::cpu_device())
    }

    fn value(t: Tensor<1>) -> f64 {
        read_f32(t).unwrap()[0] as f64
    }

    /// Worked by hand for Z = [[0,0],[1,1],[2,0]], Z' = [[0,1],[1,1],[2,2]] (n = 3, d = 2):
    /// - invariance: the differences are (0,-1), (0,0), (0,-2); squares sum to 5, over 6 entries.
    /// - variance: column 0 of both views is 0,1,2 with unbiased variance 1, so its hinge is 0.
    ///   Column 1 is 0,1,0 in Z and 1,1,2 in Z', both with unbiased variance (2/3)/2 = 1/3, so
    ///   each view's term is (1 - sqrt(1/3 + 1e-4)) / 2, and so is their mean.
    /// - covariance: in Z the centred columns are (-1,0,1) and (-1/3,2/3,-1/3), whose products sum
    ///   to 0; in Z' they are (-1,0,1) and (-1/3,-1/3,2/3), summing to 1, so C_01 = 1/2. The two
    ///   off-diagonal entries give 2 * (1/2)^2 = 1/2, over d = 2: 1/4.
    #[test]
    fn terms_match_a_hand_computation() {
        let z_a = tensor(&[[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]]);
        let z_b = tensor(&[[0.0, 1.0], [1.0, 1.0], [2.0, 2.0]]);
        let terms = vicreg_terms(z_a, z_b);
        let expected_variance = (1.0 - (1.0f64 / 3.0 + 1e-4).sqrt()) / 2.0;
        assert!((value(terms.invariance.clone()) - 5.0 / 6.0).abs() < 1e-6);
        assert!((value(terms.variance.clone()) - expected_variance).abs() < 1e-6);
        assert!((value(terms.covariance.clone()) - 0.25).abs() < 1e-6);

        let w = VicregWeights {
            invariance: 25.0,
            variance: 25.0,
            covariance: 1.0,
        };
        let total = 25.0 * 5.0 / 6.0 + 25.0 * expected_variance + 0.25;
        assert!((value(terms.weighted(w)) - total).abs() < 1e-4);
    }

    #[test]
    fn identical_well_spread_views_cost_nothing() {
        // Columns with standard deviation above 1 and zero correlation: every term vanishes.
        let z = tensor(&[[-2.0, -2.0], [-2.0, 2.0], [2.0, -2.0], [2.0, 2.0]]);
        let terms = vicreg_terms(z.clone(), z);
        assert!(value(terms.invariance) < 1e-9);
        assert!(value(terms.variance) < 1e-9);
        assert!(value(terms.covariance) < 1e-9);
    }
}
