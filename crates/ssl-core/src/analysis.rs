//! How embeddings cluster by class, beyond NCC: the class-distance normalised variance, k-nearest
//! neighbour accuracy and a linear probe, the measures Ben-Shaul et al. (2023, "Reverse
//! Engineering Self-Supervised Learning") read off trained encoders.
//!
//! All three work on plain `f32` rows ([`Labelled`], as in [`crate::metrics`]) after training,
//! so they need no burn tensors and run the same in the worker and in native tests. Labels are
//! read here only, never by a training step.
//!
//! - [`cdnv`]: within-class spread relative to the distance between class means; it falls
//!   towards 0 as classes collapse to points (neural collapse), so lower is more clustered.
//! - [`knn_accuracy`]: a test sample takes the majority class of its `k` most cosine-similar
//!   train samples; it needs no fitting and sees non-linear cluster shapes.
//! - [`LinearProbe`]: softmax regression on the frozen embeddings, the standard linear
//!   evaluation of self-supervised learning; it measures linear separability, which NCC and
//!   kNN only bound.

use burn::config::Config;
use nalgebra::DMatrix;

use crate::metrics::{Labelled, class_centres};

/// The class-distance normalised variance (CDNV) of Galanti, Gyorgy and Hutter (ICLR 2022, "On
/// the Role of Neural Collapse in Transfer Learning"), averaged over pairs of classes.
///
/// For classes `i` and `j` with means `mu_i`, `mu_j` and variances
/// `Var_c = 1/n_c * sum_{x in c} ||x - mu_c||^2` (the mean squared distance to the class mean,
/// biased, summed over dimensions),
///
/// ```text
/// V(i, j) = (Var_i + Var_j) / (2 * ||mu_i - mu_j||^2)
/// ```
///
/// and the result is the mean of `V(i, j)` over all pairs `i < j` of classes that have samples
/// in `set` (classes without samples are skipped). It is dimensionless and invariant to a common
/// scaling or shift of the embeddings; 0 means every class is a point.
///
/// Edge cases: with fewer than two non-empty classes there is no pair and the result is NaN; two
/// classes with the same mean make it infinite (or NaN if both also have zero variance).
pub fn cdnv(set: Labelled, classes: usize) -> f64 {
    let centres = class_centres(set, classes);

    // Sum of squared distances to the own class mean, and counts, per class.
    let mut spread = vec![0.0f64; classes];
    let mut counts = vec![0usize; classes];
    for (row, &label) in set.values.chunks_exact(set.dim).zip(set.labels) {
        let c = usize::from(label);
        let centre = centres[c]
            .as_ref()
            .expect("a class with a sample has a centre");
        spread[c] += squared_distance(centre, row.iter().map(|&v| f64::from(v)));
        counts[c] += 1;
    }

    let present: Vec<(usize, &Vec<f64>)> = centres
        .iter()
        .enumerate()
        .filter_map(|(c, centre)| centre.as_ref().map(|centre| (c, centre)))
        .collect();
    let variance = |c: usize| spread[c] / counts[c] as f64;
    let (mut total, mut pairs) = (0.0, 0usize);
    for (k, &(i, mu_i)) in present.iter().enumerate() {
        for &(j, mu_j) in &present[k + 1..] {
            let separation = squared_distance(mu_i, mu_j.iter().copied());
            total += (variance(i) + variance(j)) / (2.0 * separation);
            pairs += 1;
        }
    }
    if pairs == 0 {
        f64::NAN
    } else {
        total / pairs as f64
    }
}

fn squared_distance(a: &[f64], b: impl Iterator<Item = f64>) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum()
}

/// The `k` of the kNN accuracy when none is chosen: 20, the value used by Wu et al. (2018) and
/// DINO for their kNN evaluations.
pub const DEFAULT_K: usize = 20;

/// The fraction of `test`'s samples whose `k` nearest `train` samples, by cosine similarity,
/// vote for their own class.
///
/// Each of the `k` neighbours (all of `train` if it has fewer) casts one vote; the class with
/// most votes wins, a tie goes to the tied class whose voters have the larger summed similarity,
/// and a tie in that too to the lowest class. Neighbours with equal similarity are taken in
/// index order, so the result is deterministic. A zero row has similarity 0 with every row. If
/// `test` is `train` itself, each sample counts as its own neighbour.
pub fn knn_accuracy(train: Labelled, test: Labelled, classes: usize, k: usize) -> f64 {
    let (n, dim) = (train.labels.len(), train.dim);
    let k = k.min(n);
    if k == 0 {
        return 0.0;
    }
    let train_units = DMatrix::from_row_slice(n, dim, &unit_rows(train.values, dim)); // [n, dim]
    let test_units = unit_rows(test.values, dim);

    let mut similarities: Vec<(f32, usize)> = Vec::with_capacity(n);
    let mut votes = vec![(0usize, 0.0f32); classes];
    let mut correct = 0usize;
    let labels = test.labels.chunks(KNN_BLOCK);
    for (block, block_labels) in test_units.chunks(KNN_BLOCK * dim).zip(labels) {
        // All similarities of a block of test rows in one matrix product: row-major test rows
        // are the columns of the block's transpose, so column j of the product, [n], holds the
        // similarities of test row j to every train row.
        let block_t = DMatrix::from_column_slice(dim, block_labels.len(), block);
        let block_similarities = &train_units * block_t; // [n, block]

        for (column, &label) in block_similarities
            .as_slice()
            .chunks_exact(n)
            .zip(block_labels)
        {
            similarities.clear();
            similarities.extend(column.iter().copied().zip(0..));

            // Most similar first, then lower index first: a total order.
            let order =
                |a: &(f32, usize), b: &(f32, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
            if k < n {
                similarities.select_nth_unstable_by(k - 1, order);
            }

            votes.fill((0, 0.0));
            for &(s, i) in &similarities[..k] {
                let vote = &mut votes[usize::from(train.labels[i])];
                vote.0 += 1;
                vote.1 += s;
            }
            let mut winner = 0;
            for c in 1..classes {
                let (best, this) = (votes[winner], votes[c]);
                if this.0 > best.0 || (this.0 == best.0 && this.1 > best.1) {
                    winner = c;
                }
            }
            correct += usize::from(winner == usize::from(label));
        }
    }
    correct as f64 / test.labels.len().max(1) as f64
}

/// Test rows whose similarities are computed together, so that the `[train, block]` matrix of
/// them stays small (a megabyte per 1,000 train samples).
const KNN_BLOCK: usize = 256;

/// Rows of `values` (`[len, dim]`) scaled to unit length; zero rows stay zero.
fn unit_rows(values: &[f32], dim: usize) -> Vec<f32> {
    let mut out = values.to_vec();
    for row in out.chunks_exact_mut(dim) {
        let norm = row.iter().map(|v| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            row.iter_mut().for_each(|v| *v /= norm);
        }
    }
    out
}

/// How the linear probe is fitted. Nothing in the fit is random: the weights start at zero and
/// every step uses the whole train set, so the same embeddings give the same probe.
#[derive(Config, Debug)]
pub struct LinearProbeConfig {
    /// Full-batch Adam steps (one pass over the train set each).
    #[config(default = 100)]
    pub epochs: usize,
    /// Adam's step size, for standardised features.
    #[config(default = 0.05)]
    pub learning_rate: f64,
    /// The L2 penalty `weight_decay / 2 * ||W||^2` on the weights (not the biases), added to the
    /// mean cross-entropy; it keeps the weights finite on separable data.
    #[config(default = 1e-3)]
    pub weight_decay: f64,
}

/// Adam's moment decay rates and epsilon (Kingma and Ba, 2015, the usual defaults).
const ADAM_BETAS: (f32, f32) = (0.9, 0.999);
const ADAM_EPSILON: f32 = 1e-8;

/// Multinomial logistic (softmax) regression on frozen embeddings.
///
/// Each feature is standardised by its train mean and (biased) standard deviation, then
/// `p(c | x) = softmax(x W + b)_c`; the loss is the mean cross-entropy in nats plus the L2
/// penalty of [`LinearProbeConfig::weight_decay`], minimised by full-batch Adam.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearProbe {
    /// Per-feature train mean and inverse standard deviation: `[dim]` each.
    mean: Vec<f32>,
    inverse_std: Vec<f32>,
    /// `[dim + 1, classes]`: the weights, then the biases as the last row.
    weights: DMatrix<f32>,
}

impl LinearProbe {
    /// Fits a probe on `train` with `config.epochs` steps of [`ProbeFit::step`].
    pub fn fit(train: Labelled, classes: usize, config: &LinearProbeConfig) -> Self {
        let mut fit = ProbeFit::new(train, classes, config);
        for _ in 0..config.epochs {
            fit.step();
        }
        fit.probe()
    }

    /// The most probable class of each row of `values` (`[len, dim]`), the lowest on a tie.
    pub fn predict(&self, values: &[f32]) -> Vec<usize> {
        let logits = self.standardised(values) * &self.weights; // [len, classes]
        logits
            .row_iter()
            .map(|row| {
                let mut best = 0;
                for (c, &v) in row.iter().enumerate() {
                    if v > row[best] {
                        best = c;
                    }
                }
                best
            })
            .collect()
    }

    /// The fraction of `test`'s samples predicted as their own class.
    pub fn accuracy(&self, test: Labelled) -> f64 {
        let correct = self
            .predict(test.values)
            .into_iter()
            .zip(test.labels)
            .filter(|&(p, &l)| p == usize::from(l))
            .count();
        correct as f64 / test.labels.len().max(1) as f64
    }

    /// `values` (`[len, dim]`) standardised, with a last column of ones for the biases:
    /// `[len, dim + 1]`.
    fn standardised(&self, values: &[f32]) -> DMatrix<f32> {
        let dim = self.mean.len();
        let len = values.len() / dim;
        DMatrix::from_fn(len, dim + 1, |i, j| {
            if j == dim {
                1.0
            } else {
                (values[i * dim + j] - self.mean[j]) * self.inverse_std[j]
            }
        })
    }
}

/// A linear probe being fitted, one full-batch step at a time, so a caller such as the worker
/// can spread the fit over several chunks. [`LinearProbe::fit`] runs it to the end.
#[derive(Debug, Clone)]
pub struct ProbeFit {
    /// The probe so far; its weights change with every step.
    probe: LinearProbe,
    /// The standardised train features with the ones column, `[n, dim + 1]`, and its transpose.
    x: DMatrix<f32>,
    x_t: DMatrix<f32>,
    labels: Vec<u8>,
    learning_rate: f32,
    weight_decay: f32,
    /// Adam's first and second moments, `[dim + 1, classes]` each, and the steps taken.
    m: DMatrix<f32>,
    v: DMatrix<f32>,
    steps: usize,
}

impl ProbeFit {
    /// Standardises `train` and sets the weights to zero (every class equally likely).
    pub fn new(train: Labelled, classes: usize, config: &LinearProbeConfig) -> Self {
        let (dim, n) = (train.dim, train.labels.len());
        let mut mean = vec![0.0f64; dim];
        let mut squares = vec![0.0f64; dim];
        for row in train.values.chunks_exact(dim) {
            for (j, &v) in row.iter().enumerate() {
                mean[j] += f64::from(v);
                squares[j] += f64::from(v).powi(2);
            }
        }
        let n_f = n.max(1) as f64;
        let inverse_std = mean
            .iter()
            .zip(&squares)
            .map(|(&s, &q)| {
                let var = (q / n_f - (s / n_f).powi(2)).max(0.0);
                // A constant feature is zero after centring whatever its scale.
                if var > 1e-12 {
                    (1.0 / var.sqrt()) as f32
                } else {
                    1.0
                }
            })
            .collect();
        let probe = LinearProbe {
            mean: mean.iter().map(|&s| (s / n_f) as f32).collect(),
            inverse_std,
            weights: DMatrix::zeros(dim + 1, classes),
        };
        let x = probe.standardised(train.values);
        Self {
            x_t: x.transpose(),
            x,
            labels: train.labels.to_vec(),
            learning_rate: config.learning_rate as f32,
            weight_decay: config.weight_decay as f32,
            m: DMatrix::zeros(dim + 1, classes),
            v: DMatrix::zeros(dim + 1, classes),
            steps: 0,
            probe,
        }
    }

    /// One Adam step on the whole train set; returns the loss (mean cross-entropy in nats plus
    /// the penalty) at the weights before the step.
    pub fn step(&mut self) -> f64 {
        let n = self.labels.len().max(1) as f32;
        let bias_row = self.probe.mean.len();

        // Softmax of the logits, row by row, then minus the one-hot labels: [n, classes].
        let mut residual = &self.x * &self.probe.weights;
        let mut cross_entropy = 0.0f64;
        for (i, &label) in self.labels.iter().enumerate() {
            let mut row = residual.row_mut(i);
            let max = row.max();
            row.apply(|v| *v = (*v - max).exp());
            let sum = row.sum();
            row /= sum;
            let l = usize::from(label);
            cross_entropy -= f64::from(row[l].max(f32::MIN_POSITIVE).ln());
            row[l] -= 1.0;
        }

        // The gradient of the mean cross-entropy, plus the penalty's on the weights only.
        let w = &self.probe.weights;
        let mut grad = &self.x_t * residual / n; // [dim + 1, classes]
        let mut penalty = 0.0f64;
        for c in 0..w.ncols() {
            for j in 0..bias_row {
                grad[(j, c)] += self.weight_decay * w[(j, c)];
                penalty += 0.5 * f64::from(self.weight_decay) * f64::from(w[(j, c)]).powi(2);
            }
        }

        // Adam, with the bias corrections of its first steps.
        self.steps += 1;
        let (b1, b2) = ADAM_BETAS;
        let t = i32::try_from(self.steps).unwrap_or(i32::MAX);
        let (correction1, correction2) = (1.0 - b1.powi(t), 1.0 - b2.powi(t));
        let weights = &mut self.probe.weights;
        for ((w, g), (m, v)) in weights
            .iter_mut()
            .zip(grad.iter())
            .zip(self.m.iter_mut().zip(self.v.iter_mut()))
        {
            *m = b1 * *m + (1.0 - b1) * g;
            *v = b2 * *v + (1.0 - b2) * g * g;
            let step = (*m / correction1) / ((*v / correction2).sqrt() + ADAM_EPSILON);
            *w -= self.learning_rate * step;
        }
        cross_entropy / f64::from(n) + penalty
    }

    /// The number of steps taken.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// The probe as it stands.
    pub fn probe(&self) -> LinearProbe {
        self.probe.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, StandardNormal};

    fn set<'a>(values: &'a [f32], labels: &'a [u8], dim: usize) -> Labelled<'a> {
        Labelled {
            values,
            labels,
            dim,
        }
    }

    /// Class 0 at (0, 0) and (2, 0): mean (1, 0), variance (1 + 1) / 2 = 1. Class 1 at (0, 4)
    /// and (0, 6): mean (0, 5), variance 1. Squared distance of the means 1 + 25 = 26, so
    /// V(0, 1) = (1 + 1) / (2 * 26) = 1/26.
    #[test]
    fn cdnv_matches_a_hand_computation() {
        let values = [0.0, 0.0, 2.0, 0.0, 0.0, 4.0, 0.0, 6.0];
        let labels = [0, 0, 1, 1];
        assert!((cdnv(set(&values, &labels, 2), 2) - 1.0 / 26.0).abs() < 1e-12);
    }

    /// The case above plus an empty class 2 (skipped) and class 3 twice at (10, 0): mean
    /// (10, 0), variance 0. V(0, 3) = (1 + 0) / (2 * 81), V(1, 3) = (1 + 0) / (2 * (100 + 25)),
    /// and the result is the mean of the three pairs.
    #[test]
    fn cdnv_averages_pairs_and_skips_empty_classes() {
        let values = [0.0, 0.0, 2.0, 0.0, 0.0, 4.0, 0.0, 6.0, 10.0, 0.0, 10.0, 0.0];
        let labels = [0, 0, 1, 1, 3, 3];
        let expected = (1.0 / 26.0 + 1.0 / 162.0 + 1.0 / 250.0) / 3.0;
        assert!((cdnv(set(&values, &labels, 2), 4) - expected).abs() < 1e-12);
        assert!(cdnv(set(&values[..4], &labels[..2], 2), 4).is_nan());
    }

    #[test]
    fn cdnv_is_invariant_to_scale() {
        let values = [0.0, 0.0, 2.0, 0.0, 0.0, 4.0, 0.0, 6.0];
        let scaled: Vec<f32> = values.iter().map(|v| 3.0 * v - 1.0).collect();
        let labels = [0, 0, 1, 1];
        let (a, b) = (
            cdnv(set(&values, &labels, 2), 2),
            cdnv(set(&scaled, &labels, 2), 2),
        );
        assert!((a - b).abs() < 1e-9);
    }

    /// kNN accuracy of a single 2-D test point with `label`.
    fn knn_one(train: &[f32], train_labels: &[u8], point: [f32; 2], label: u8, k: usize) -> f64 {
        knn_accuracy(set(train, train_labels, 2), set(&point, &[label], 2), 3, k)
    }

    #[test]
    fn knn_follows_the_majority_not_the_nearest() {
        // The nearest train point to (1, 0) is itself, class 1; the next two, at +-0.2, are
        // class 0. With k = 1 the answer is 1; with k = 3 the majority, 0.
        let train = [1.0, 0.0, 1.0, 0.2, 1.0, -0.2];
        let labels = [1, 0, 0];
        assert_eq!(knn_one(&train, &labels, [1.0, 0.0], 1, 1), 1.0);
        assert_eq!(knn_one(&train, &labels, [1.0, 0.0], 0, 3), 1.0);
        // Cosine similarity ignores the length of the test row.
        assert_eq!(knn_one(&train, &labels, [5.0, 0.0], 0, 3), 1.0);
    }

    #[test]
    fn knn_ties_go_to_the_larger_summed_similarity_then_the_lower_class() {
        // One vote each from (1, 0), class 0, and (0, 1), class 1: (1, 0.5) is more similar to
        // the first (0.89 against 0.45), (0.5, 1) to the second.
        let train = [1.0, 0.0, 0.0, 1.0];
        let labels = [0, 1];
        assert_eq!(knn_one(&train, &labels, [1.0, 0.5], 0, 2), 1.0);
        assert_eq!(knn_one(&train, &labels, [0.5, 1.0], 1, 2), 1.0);
        // On the diagonal both similarities are equal (the same products, added in another
        // order): the lower class, 0, wins.
        assert_eq!(knn_one(&train, &labels, [1.0, 1.0], 0, 2), 1.0);
        // k larger than the train set uses all of it.
        assert_eq!(knn_one(&train, &labels, [1.0, 1.0], 0, 50), 1.0);
    }

    /// `per_class` samples of each of `classes` Gaussian clusters in `dim` dimensions: the
    /// centres have standard normal coordinates times `separation`, the noise is standard
    /// normal. Labels are interleaved.
    fn gaussian_clusters(
        classes: usize,
        per_class: usize,
        dim: usize,
        separation: f32,
        seed: u64,
    ) -> (Vec<f32>, Vec<u8>) {
        let mut centres_rng = ChaCha8Rng::seed_from_u64(0);
        let centres: Vec<f32> = (0..classes * dim)
            .map(|_| {
                let z: f32 = StandardNormal.sample(&mut centres_rng);
                separation * z
            })
            .collect();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let (mut values, mut labels) = (Vec::new(), Vec::new());
        for i in 0..classes * per_class {
            let c = i % classes;
            for j in 0..dim {
                let noise: f32 = StandardNormal.sample(&mut rng);
                values.push(centres[c * dim + j] + noise);
            }
            labels.push(c as u8);
        }
        (values, labels)
    }

    #[test]
    fn knn_and_probe_are_perfect_on_separated_clusters() {
        // Centres about 2 * sqrt(2 * 64) = 22 apart against unit noise: separable by a wide
        // margin, so any error is a bug.
        let (train, train_labels) = gaussian_clusters(10, 140, 64, 2.0, 1);
        let (test, test_labels) = gaussian_clusters(10, 40, 64, 2.0, 2);
        let (train, test) = (set(&train, &train_labels, 64), set(&test, &test_labels, 64));
        assert_eq!(knn_accuracy(train, test, 10, DEFAULT_K), 1.0);
        let probe = LinearProbe::fit(train, 10, &LinearProbeConfig::new());
        assert_eq!(probe.accuracy(train), 1.0);
        assert_eq!(probe.accuracy(test), 1.0);
    }

    #[test]
    fn probe_is_near_chance_on_random_labels() {
        // Labels drawn independently of everything: a test prediction, whatever the probe, is
        // right with probability 1/10, so the accuracy on 2,000 samples is binomial with
        // standard error 0.0067; the tolerance is five of them.
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let (train, _) = gaussian_clusters(10, 140, 64, 2.0, 3);
        let (test, _) = gaussian_clusters(10, 200, 64, 2.0, 4);
        let train_labels: Vec<u8> = (0..1400).map(|_| rng.random_range(0..10u8)).collect();
        let test_labels: Vec<u8> = (0..2000).map(|_| rng.random_range(0..10u8)).collect();
        let probe = LinearProbe::fit(
            set(&train, &train_labels, 64),
            10,
            &LinearProbeConfig::new(),
        );
        let accuracy = probe.accuracy(set(&test, &test_labels, 64));
        assert!((accuracy - 0.1).abs() < 0.034, "accuracy {accuracy}");
    }

    #[test]
    fn probe_starts_at_log_classes_and_descends_deterministically() {
        // Zero weights give every class probability 1/10: a cross-entropy of ln 10 nats, and no
        // penalty.
        let (train, labels) = gaussian_clusters(10, 20, 8, 1.0, 5);
        let train = set(&train, &labels, 8);
        let config = LinearProbeConfig::new().with_epochs(30);
        let mut fit = ProbeFit::new(train, 10, &config);
        let first = fit.step();
        assert!((first - 10f64.ln()).abs() < 1e-5, "first loss {first}");
        let mut last = first;
        for _ in 1..30 {
            last = fit.step();
        }
        assert!(last < 0.5 * first, "loss {first} -> {last}");
        assert_eq!(fit.steps(), 30);
        assert_eq!(fit.probe(), LinearProbe::fit(train, 10, &config));
    }

    /// Not a check but a measurement: `cargo test --release -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn probe_fit_time_on_digit_sized_embeddings() {
        let (train, labels) = gaussian_clusters(10, 140, 64, 0.3, 6);
        let start = std::time::Instant::now();
        let probe = LinearProbe::fit(set(&train, &labels, 64), 10, &LinearProbeConfig::new());
        let fit = start.elapsed();
        let start = std::time::Instant::now();
        let knn = knn_accuracy(set(&train, &labels, 64), set(&train, &labels, 64), 10, 20);
        println!(
            "probe fit {fit:?} (train accuracy {}), kNN 1400 x 1400 {:?} ({knn})",
            probe.accuracy(set(&train, &labels, 64)),
            start.elapsed()
        );
    }
}
