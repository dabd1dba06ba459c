//! Principal component analysis, for the 2-D view of the embeddings.
//!
//! The components are the eigenvectors of the sample covariance matrix (divided by `n - 1`) with
//! the largest eigenvalues, found by nalgebra's symmetric eigen-decomposition. Each component's
//! sign is fixed so that its largest-magnitude entry is positive; without that the scatter could
//! flip from one update to the next while nothing changed.

use nalgebra::{DMatrix, SymmetricEigen};

/// A fitted projection onto the top principal components.
#[derive(Debug, Clone, PartialEq)]
pub struct Pca {
    /// The mean of the fitted rows: `[dim]`.
    pub mean: Vec<f64>,
    /// The components, one per row, unit length: `[k, dim]`.
    pub components: Vec<Vec<f64>>,
    /// The variance along each component (its eigenvalue): `[k]`.
    pub variances: Vec<f64>,
}

impl Pca {
    /// Fits the top `k` components of `values` (`[len, dim]`, `len >= 2`, `k <= dim`).
    pub fn fit(values: &[f32], dim: usize, k: usize) -> Self {
        let n = values.len() / dim;
        let rows = DMatrix::from_row_iterator(n, dim, values.iter().map(|&v| f64::from(v)));
        let mean = rows.row_mean();
        let centred = DMatrix::from_fn(n, dim, |i, j| rows[(i, j)] - mean[j]);
        let covariance = centred.transpose() * &centred / (n as f64 - 1.0);

        let eigen = SymmetricEigen::new(covariance);
        let mut order: Vec<usize> = (0..dim).collect();
        order.sort_by(|&a, &b| eigen.eigenvalues[b].total_cmp(&eigen.eigenvalues[a]));

        let components = order[..k]
            .iter()
            .map(|&j| {
                let v: Vec<f64> = eigen.eigenvectors.column(j).iter().copied().collect();
                let largest = v.iter().copied().max_by(|a, b| a.abs().total_cmp(&b.abs()));
                let sign = if largest.unwrap_or(0.0) < 0.0 {
                    -1.0
                } else {
                    1.0
                };
                v.into_iter().map(|x| x * sign).collect()
            })
            .collect();
        Self {
            mean: mean.iter().copied().collect(),
            components,
            variances: order[..k].iter().map(|&j| eigen.eigenvalues[j]).collect(),
        }
    }

    /// Projects `values` (`[len, dim]`) onto the components: `[len, k]`, row-major.
    pub fn project(&self, values: &[f32]) -> Vec<f32> {
        let dim = self.mean.len();
        let mut out = Vec::with_capacity(values.len() / dim * self.components.len());
        for row in values.chunks_exact(dim) {
            for c in &self.components {
                let dot: f64 = row
                    .iter()
                    .zip(&self.mean)
                    .zip(c)
                    .map(|((&v, m), w)| (f64::from(v) - m) * w)
                    .sum();
                out.push(dot as f32);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, StandardNormal};

    #[test]
    fn pca_recovers_the_axes_of_an_anisotropic_gaussian() {
        // Standard deviations 3, 2 and 0.5 along an orthonormal basis rotated away from the
        // coordinate axes: the components must be those basis vectors, in that order, and the
        // variances 9, 4 and 0.25.
        let s = 1.0 / 2f64.sqrt();
        let t = 1.0 / 6f64.sqrt();
        let u = 1.0 / 3f64.sqrt();
        let basis = [[s, s, 0.0], [t, -t, 2.0 * t], [u, -u, -u]];
        let sd = [3.0, 2.0, 0.5];
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let n = 20_000;
        let mut values = Vec::with_capacity(n * 3);
        for _ in 0..n {
            // x = sum_i z_i * basis_i, with z_i ~ N(0, sd_i^2).
            let mut x = [5.0f64; 3];
            for (axis, s) in basis.iter().zip(sd) {
                let z = s * Distribution::<f64>::sample(&StandardNormal, &mut rng);
                for (xj, bj) in x.iter_mut().zip(axis) {
                    *xj += z * bj;
                }
            }
            values.extend(x.iter().map(|&v| v as f32));
        }
        let pca = Pca::fit(&values, 3, 3);
        for (i, axis) in basis.iter().enumerate() {
            let cos: f64 = pca.components[i].iter().zip(axis).map(|(a, b)| a * b).sum();
            assert!(cos.abs() > 0.995, "component {i}: |cos| = {}", cos.abs());
            let var = sd[i] * sd[i];
            assert!((pca.variances[i] - var).abs() < 0.05 * var, "variance {i}");
        }
        assert!(pca.mean.iter().all(|m| (m - 5.0).abs() < 0.1));
    }

    #[test]
    fn projection_of_the_mean_is_the_origin() {
        let values = [1.0, 2.0, 3.0, 6.0, 5.0, 4.0];
        let pca = Pca::fit(&values, 2, 1);
        let p = pca.project(&[3.0, 4.0]);
        assert!(p[0].abs() < 1e-6);
    }
}
