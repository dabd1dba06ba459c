//! Correlated Gaussians: paired samples whose mutual information is known in closed form, the
//! ground truth the estimators are tested against.
//!
//! `X` and `Y` are each `d`-dimensional standard normal. Coordinate pairs `(X_i, Y_i)` are
//! independent across `i`, each with correlation `rho`, drawn as
//! `Y_i = rho * X_i + sqrt(1 - rho^2) * Z_i` with `Z_i` an independent standard normal. Each
//! pair then carries `-1/2 ln(1 - rho^2)` nats and the pairs add:
//!
//! ```text
//! I(X; Y) = -(d / 2) * ln(1 - rho^2)   nats
//! rho     = sqrt(1 - exp(-2 I / d))    (the inverse, for a target I)
//! ```
//!
//! (Cover and Thomas, "Elements of Information Theory", 2nd ed., eq. 8.56 for one pair.)
//!
//! Mutual information is invariant under any invertible map of each coordinate, so applying a
//! strictly increasing [`Monotone`] map to `Y` gives non-Gaussian samples with the same MI: a
//! test that an estimator measures dependence, not correlation. The KSG estimators should keep
//! their estimate (up to sampling noise); equal-width binning does not, since the map moves
//! samples between bins.

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

use super::MiError;

/// `d` independent coordinate pairs, each with correlation `rho`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CorrelatedGaussian {
    dim: usize,
    rho: f64,
}

impl CorrelatedGaussian {
    /// `dim` pairs with correlation `rho`, which must lie in the open interval (-1, 1) (at
    /// +-1 the MI is infinite).
    pub fn new(dim: usize, rho: f64) -> Result<Self, MiError> {
        if dim == 0 {
            return Err(MiError::ZeroDimensions);
        }
        if rho.is_nan() || rho.abs() >= 1.0 {
            return Err(MiError::InvalidCorrelation { rho });
        }
        Ok(Self { dim, rho })
    }

    /// `dim` pairs sharing `mi_nats` between them equally, with a non-negative correlation.
    pub fn from_mi_nats(dim: usize, mi_nats: f64) -> Result<Self, MiError> {
        if !mi_nats.is_finite() || mi_nats < 0.0 {
            return Err(MiError::InvalidInformation { mi_nats });
        }
        // `-expm1(-x)` is `1 - exp(-x)` without cancellation for small MI.
        let rho = (-(-2.0 * mi_nats / dim.max(1) as f64).exp_m1()).sqrt();
        Self::new(dim, rho)
    }

    /// The dimension of `X`, and of `Y`.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The correlation of each coordinate pair.
    pub fn rho(&self) -> f64 {
        self.rho
    }

    /// The exact `I(X; Y)` in nats.
    pub fn mi_nats(&self) -> f64 {
        // `ln_1p(-rho^2)` keeps precision when `rho` is small.
        -0.5 * self.dim as f64 * (-self.rho * self.rho).ln_1p()
    }

    /// `n` paired samples `(x, y)`, each row-major `[n, dim]`.
    pub fn sample(&self, n: usize, rng: &mut impl Rng) -> (Vec<f64>, Vec<f64>) {
        let noise_scale = (1.0 - self.rho * self.rho).sqrt();
        let mut x = Vec::with_capacity(n * self.dim);
        let mut y = Vec::with_capacity(n * self.dim);
        for _ in 0..n * self.dim {
            let a: f64 = StandardNormal.sample(rng);
            let z: f64 = StandardNormal.sample(rng);
            x.push(a);
            y.push(self.rho * a + noise_scale * z);
        }
        (x, y)
    }
}

/// A strictly increasing map of one coordinate, which leaves the mutual information unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Monotone {
    /// `v -> v^3`: keeps the sign, stretches the tails and squeezes the centre.
    Cube,
    /// `v -> exp(v)`: a heavy right tail, everything positive.
    Exp,
}

impl Monotone {
    /// The image of one value.
    pub fn apply(self, v: f64) -> f64 {
        match self {
            Self::Cube => v * v * v,
            Self::Exp => v.exp(),
        }
    }

    /// Every value of `values` mapped, in place.
    pub fn apply_all(self, values: &mut [f64]) {
        for v in values {
            *v = self.apply(*v);
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    #[test]
    fn from_mi_nats_inverts_the_closed_form() {
        for dim in [1, 3, 20] {
            for mi in [0.0, 0.01, 0.83, 5.0] {
                let g = CorrelatedGaussian::from_mi_nats(dim, mi).unwrap();
                // Squaring a rho near 1 loses digits of 1 - rho^2, hence not 1e-12.
                assert!((g.mi_nats() - mi).abs() < 1e-9, "{dim} {mi}");
            }
        }
    }

    #[test]
    fn rho_09_carries_0830_nats_per_pair() {
        let g = CorrelatedGaussian::new(1, 0.9).unwrap();
        assert!((g.mi_nats() - 0.830_366_4).abs() < 1e-6);
    }

    #[test]
    fn samples_have_the_requested_correlation() {
        let g = CorrelatedGaussian::new(2, 0.6).unwrap();
        let (x, y) = g.sample(20_000, &mut ChaCha8Rng::seed_from_u64(0));
        let n = x.len() as f64;
        let cov = x.iter().zip(&y).map(|(a, b)| a * b).sum::<f64>() / n;
        let var_y = y.iter().map(|b| b * b).sum::<f64>() / n;
        assert!((cov - 0.6).abs() < 0.02, "{cov}");
        assert!((var_y - 1.0).abs() < 0.03, "{var_y}");
    }

    #[test]
    fn correlation_of_one_is_rejected() {
        assert!(CorrelatedGaussian::new(1, 1.0).is_err());
        assert!(CorrelatedGaussian::new(1, f64::NAN).is_err());
        assert!(CorrelatedGaussian::new(0, 0.5).is_err());
        assert!(CorrelatedGaussian::from_mi_nats(1, -0.1).is_err());
    }

    #[test]
    fn monotone_maps_are_strictly_increasing() {
        let values = [-3.0, -0.5, 0.0, 1e-3, 2.0];
        for map in [Monotone::Cube, Monotone::Exp] {
            for pair in values.windows(2) {
                assert!(map.apply(pair[0]) < map.apply(pair[1]), "{map:?}");
            }
        }
    }
}
