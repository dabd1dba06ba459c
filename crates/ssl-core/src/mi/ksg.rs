//! The k-nearest-neighbour mutual-information estimators of Kraskov, Stögbauer and Grassberger
//! ("Estimating mutual information", Phys. Rev. E 69, 066138, 2004), in nats.
//!
//! Both work in the joint space `Z = (X, Y)` with the max-norm (Chebyshev distance),
//! `||z - z'|| = max(||x - x'||_max, ||y - y'||_max)`. For each sample `i`, find its `k`-th
//! nearest neighbour in `Z` (itself excluded), then count marginal neighbours:
//!
//! ```text
//! algorithm 1:  eps_i = distance to the k-th joint neighbour
//!               n_x(i) = #{j != i : ||x_j - x_i|| <  eps_i}   (and n_y alike)
//!               I = psi(k) + psi(N) - < psi(n_x + 1) + psi(n_y + 1) >
//!
//! algorithm 2:  eps_x(i), eps_y(i) = the largest X and Y distances among the k joint neighbours
//!               n_x(i) = #{j != i : ||x_j - x_i|| <= eps_x(i)}  (and n_y alike)
//!               I = psi(k) - 1/k + psi(N) - < psi(n_x) + psi(n_y) >
//! ```
//!
//! with `psi` the digamma function and `< >` the mean over samples.
//!
//! Assumptions and bias: the density must be continuous, and locally uniform at the scale of
//! the `k`-th neighbour. The estimate is exact (in expectation) for independent variables, has
//! a small bias elsewhere that grows with the MI and the dimension (it underestimates
//! dependent high-dimensional pairs), and is invariant under smooth invertible maps of `X` and
//! `Y` separately. Larger `k` lowers the variance and raises the bias; the paper suggests
//! `k = 2..4`. Algorithm 1 has the smaller variance, algorithm 2 the smaller bias in high
//! dimension. Both may return small negative values when the true MI is near zero.
//!
//! Ties: duplicate samples break the method (a distance of zero makes the neighbour counts
//! arbitrary, and `eps_i = 0` with algorithm 1 gives `n_x = 0`). No jitter is added here, so
//! that the estimate is a deterministic function of the samples; data with repeated values
//! (quantised pixels, a collapsed embedding) should have noise added by the caller, well below
//! the scale of interest.
//!
//! Cost: `O(N log N)` per query on low-dimensional data, degrading towards `O(N^2)` in high
//! joint dimension where a k-d tree prunes little; the counts are `O(N * n_x)`.
//!
//! Crates: neighbours come from `kdtree` (a k-d tree whose dimension is a runtime value and
//! whose queries take a custom distance, so the same tree serves the max-norm `nearest` and
//! `within` queries); `kiddo`, faster, fixes the dimension as a const generic, which does not
//! fit embedding widths chosen at run time. Digamma comes from `special` (a recurrence up to 8
//! then the asymptotic series), checked here against known values.

use kdtree::KdTree;
use special::Gamma;

use super::{MiError, Rows};

/// KSG algorithm 1 estimate of `I(X; Y)` in nats, with `k` joint neighbours.
///
/// Errors: bad rows (see [`Rows::paired`]), `k = 0`, or `n <= k` samples.
pub fn ksg1_nats(x: Rows, y: Rows, k: usize) -> Result<f64, MiError> {
    ksg_nats(x, y, k, Algorithm::One)
}

/// KSG algorithm 2 estimate of `I(X; Y)` in nats, with `k` joint neighbours.
///
/// Errors: bad rows (see [`Rows::paired`]), `k = 0`, or `n <= k` samples.
pub fn ksg2_nats(x: Rows, y: Rows, k: usize) -> Result<f64, MiError> {
    ksg_nats(x, y, k, Algorithm::Two)
}

/// The digamma function `psi(x) = d/dx ln Gamma(x)`, for `x > 0`.
pub fn digamma(x: f64) -> f64 {
    Gamma::digamma(x)
}

/// The max-norm distance between two points of the same dimension.
pub(crate) fn max_norm(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(p, q)| (p - q).abs())
        .fold(0.0, f64::max)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Algorithm {
    One,
    Two,
}

type Tree<'a> = KdTree<f64, usize, &'a [f64]>;

fn ksg_nats(x: Rows, y: Rows, k: usize, algorithm: Algorithm) -> Result<f64, MiError> {
    if k == 0 {
        return Err(MiError::ZeroNeighbours);
    }
    let n = Rows::paired(x, y)?;
    if n <= k {
        return Err(MiError::TooFewSamples { n, k });
    }

    // One tree on the joint samples for the k-th neighbour, one per marginal for the counts.
    let joint: Vec<f64> = (0..n).flat_map(|i| [x.row(i), y.row(i)].concat()).collect();
    let joint = Rows::new(&joint, x.dim + y.dim);
    let joint_tree = tree(joint, n);
    let x_counts = Marginal::new(x, n);
    let y_counts = Marginal::new(y, n);

    let mut digamma_sum = 0.0;
    for i in 0..n {
        // The k+1 nearest include sample i itself at distance 0. With duplicate samples another
        // may take its place; dropping i by index keeps k neighbours either way.
        let found = joint_tree
            .nearest(joint.row(i), k + 1, &max_norm)
            .expect("the tree holds finite points of the query's dimension");
        let neighbours = found.iter().map(|&(_, &j)| j).filter(|&j| j != i).take(k);
        let (eps_x, eps_y) = neighbours.fold((0.0f64, 0.0f64), |(ex, ey), j| {
            (
                ex.max(max_norm(x.row(i), x.row(j))),
                ey.max(max_norm(y.row(i), y.row(j))),
            )
        });

        digamma_sum += match algorithm {
            Algorithm::One => {
                // The k-th joint distance is the larger of the two marginal extents.
                let eps = eps_x.max(eps_y);
                let n_x = x_counts.count(x.row(i), eps, |d| d < eps);
                let n_y = y_counts.count(y.row(i), eps, |d| d < eps);
                digamma(n_x as f64 + 1.0) + digamma(n_y as f64 + 1.0)
            }
            Algorithm::Two => {
                let n_x = x_counts.count(x.row(i), eps_x, |d| d <= eps_x);
                let n_y = y_counts.count(y.row(i), eps_y, |d| d <= eps_y);
                digamma(n_x as f64) + digamma(n_y as f64)
            }
        };
    }

    let k = k as f64;
    let offset = match algorithm {
        Algorithm::One => 0.0,
        Algorithm::Two => 1.0 / k,
    };
    Ok(digamma(k) - offset + digamma(n as f64) - digamma_sum / n as f64)
}

/// A k-d tree over the rows, each tagged with its index.
fn tree(rows: Rows<'_>, n: usize) -> Tree<'_> {
    let mut tree = KdTree::new(rows.dim);
    for i in 0..n {
        tree.add(rows.row(i), i)
            .expect("rows were checked finite and whole");
    }
    tree
}

/// What counts a marginal's neighbours: for one dimension, the values sorted (two binary
/// searches per query, where the tree's `within` collects and sorts every point it finds: at
/// N = 10,000 that was most of the estimate's time); for more, a k-d tree.
enum Marginal<'a> {
    Sorted(Vec<f64>),
    Tree(Tree<'a>),
}

impl<'a> Marginal<'a> {
    fn new(rows: Rows<'a>, n: usize) -> Self {
        if rows.dim == 1 {
            let mut sorted = rows.values[..n].to_vec();
            sorted.sort_by(f64::total_cmp);
            Marginal::Sorted(sorted)
        } else {
            Marginal::Tree(tree(rows, n))
        }
    }

    /// The number of other samples within max-norm `radius` of `point` whose distance passes
    /// `keep` (the strict or the inclusive comparison with `radius`). The query point itself,
    /// at distance 0, is always among those found and is not counted.
    fn count(&self, point: &[f64], radius: f64, keep: impl Fn(f64) -> bool) -> usize {
        let kept = match self {
            Marginal::Sorted(sorted) => {
                // Below the point the distance `c - a` falls as `a` rises, above it `a - c`
                // rises (floating-point subtraction is monotone), so each side's kept values
                // are one run that a binary search finds with the very comparison the tree
                // uses: the counts are the same, ties and rounding included.
                let c = point[0];
                let below = sorted.partition_point(|&a| a < c);
                let first = sorted[..below].partition_point(|&a| !keep(c - a));
                let last = below + sorted[below..].partition_point(|&a| keep(a - c));
                last - first
            }
            Marginal::Tree(tree) => {
                let found = tree
                    .within(point, radius, &max_norm)
                    .expect("the tree holds finite points of the query's dimension");
                found.iter().filter(|&&(d, _)| keep(d)).count()
            }
        };
        // With radius 0 and the strict comparison nothing passes, not even the point itself.
        kept.saturating_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::mi::gaussian::CorrelatedGaussian;

    const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;

    #[test]
    fn digamma_matches_known_values() {
        assert!((digamma(1.0) + EULER_GAMMA).abs() < 1e-13);
        assert!((digamma(2.0) - (1.0 - EULER_GAMMA)).abs() < 1e-13);
        let half = -EULER_GAMMA - 2.0 * std::f64::consts::LN_2;
        assert!((digamma(0.5) - half).abs() < 1e-13);
        // psi(n + 1) = psi(n) + 1 / n, and psi(x) ~ ln x - 1 / (2x) for large x.
        assert!((digamma(11.0) - digamma(10.0) - 0.1).abs() < 1e-13);
        assert!((digamma(1e6) - (1e6f64.ln() - 0.5e-6)).abs() < 1e-12);
    }

    /// KSG by plain loops over all pairs, with no tree: the reference the tree version must
    /// equal.
    fn brute_force(x: Rows, y: Rows, k: usize, algorithm: Algorithm) -> f64 {
        let n = x.values.len() / x.dim;
        let mut sum = 0.0;
        for i in 0..n {
            let mut others: Vec<(f64, usize)> = (0..n)
                .filter(|&j| j != i)
                .map(|j| {
                    let d = max_norm(x.row(i), x.row(j)).max(max_norm(y.row(i), y.row(j)));
                    (d, j)
                })
                .collect();
            others.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut eps_x: f64 = 0.0;
            let mut eps_y: f64 = 0.0;
            for &(_, j) in &others[..k] {
                eps_x = eps_x.max(max_norm(x.row(i), x.row(j)));
                eps_y = eps_y.max(max_norm(y.row(i), y.row(j)));
            }
            let (mut n_x, mut n_y) = (0usize, 0usize);
            for j in (0..n).filter(|&j| j != i) {
                let dx = max_norm(x.row(i), x.row(j));
                let dy = max_norm(y.row(i), y.row(j));
                match algorithm {
                    Algorithm::One => {
                        let eps = others[k - 1].0;
                        n_x += usize::from(dx < eps);
                        n_y += usize::from(dy < eps);
                    }
                    Algorithm::Two => {
                        n_x += usize::from(dx <= eps_x);
                        n_y += usize::from(dy <= eps_y);
                    }
                }
            }
            sum += match algorithm {
                Algorithm::One => digamma(n_x as f64 + 1.0) + digamma(n_y as f64 + 1.0),
                Algorithm::Two => digamma(n_x as f64) + digamma(n_y as f64),
            };
        }
        let offset = match algorithm {
            Algorithm::One => 0.0,
            Algorithm::Two => 1.0 / k as f64,
        };
        digamma(k as f64) - offset + digamma(n as f64) - sum / n as f64
    }

    #[test]
    fn tree_search_equals_brute_force_on_a_tiny_sample() {
        let g = CorrelatedGaussian::new(2, 0.7).unwrap();
        for seed in 0..3 {
            let (x, y) = g.sample(30, &mut ChaCha8Rng::seed_from_u64(seed));
            // Unequal marginal dimensions exercise the joint concatenation.
            let (x, y) = (Rows::new(&x, 2), Rows::new(&y[..30], 1));
            for k in [1, 3, 5] {
                let one = ksg1_nats(x, y, k).unwrap();
                let two = ksg2_nats(x, y, k).unwrap();
                assert!((one - brute_force(x, y, k, Algorithm::One)).abs() < 1e-12);
                assert!((two - brute_force(x, y, k, Algorithm::Two)).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn sorted_marginal_counts_equal_the_trees_with_ties() {
        // Scalars on a coarse grid, and radii that are themselves distances between samples:
        // many distances equal the radius exactly, where the strict and inclusive comparisons
        // differ, and where a sum-based shortcut (c - r < a) would round differently.
        let g = CorrelatedGaussian::new(1, 0.6).unwrap();
        for seed in 0..3 {
            let (x, _) = g.sample(200, &mut ChaCha8Rng::seed_from_u64(seed));
            let x: Vec<f64> = x.iter().map(|a| (a * 10.0).round() / 10.0 + 0.1).collect();
            let rows = Rows::new(&x, 1);
            let sorted = Marginal::new(rows, x.len());
            let tree = Marginal::Tree(tree(rows, x.len()));
            for (i, &c) in x.iter().enumerate() {
                let radius = (c - x[(i * 7 + 3) % x.len()]).abs();
                for strict in [true, false] {
                    let keep = |d: f64| if strict { d < radius } else { d <= radius };
                    assert_eq!(
                        sorted.count(&[c], radius, keep),
                        tree.count(&[c], radius, keep),
                        "seed {seed}, sample {i}, radius {radius}, strict {strict}"
                    );
                }
            }
        }
    }

    #[test]
    fn too_few_samples_for_k_is_an_error() {
        let v = [0.0, 1.0, 2.0];
        let rows = Rows::new(&v, 1);
        assert_eq!(
            ksg1_nats(rows, rows, 3),
            Err(MiError::TooFewSamples { n: 3, k: 3 })
        );
        assert_eq!(ksg2_nats(rows, rows, 0), Err(MiError::ZeroNeighbours));
        assert!(ksg1_nats(rows, rows, 2).is_ok());
    }

    #[test]
    fn mismatched_or_ragged_rows_are_errors() {
        let a = [0.0, 1.0, 2.0, 3.0];
        assert_eq!(
            ksg1_nats(Rows::new(&a, 1), Rows::new(&a[..3], 1), 1),
            Err(MiError::MismatchedSamples { x: 4, y: 3 })
        );
        assert_eq!(
            ksg1_nats(Rows::new(&a[..3], 2), Rows::new(&a[..3], 2), 1),
            Err(MiError::RaggedRows { len: 3, dim: 2 })
        );
        assert_eq!(
            ksg2_nats(Rows::new(&a, 0), Rows::new(&a, 1), 1),
            Err(MiError::ZeroDimensions)
        );
        let nan = [0.0, f64::NAN, 2.0, 3.0];
        assert_eq!(
            ksg2_nats(Rows::new(&a, 1), Rows::new(&nan, 1), 1),
            Err(MiError::NonFinite { index: 1 })
        );
    }
}
