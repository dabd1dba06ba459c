//! SimCLR's contrastive loss, NT-Xent (Chen, Kornblith, Norouzi and Hinton, ICML 2020), also
//! known as InfoNCE (van den Oord, Li and Vinyals, 2018).
//!
//! For two batches of projections `Z_a`, `Z_b` of shape `[n, d]` (row `i` of each is a view of
//! sample `i`), stack them into `2n` rows `z_1..z_2n` (the `a` views first), so that the positive
//! of anchor `k` is `p(k) = k + n` for `k < n` and `k - n` otherwise. Each row is normalised to
//! unit length, `u_k = z_k / sqrt(max(||z_k||^2, 1e-12))` (TensorFlow's `l2_normalize`, which
//! the official code uses; the same as dividing by `max(||z_k||, 1e-6)`), and
//!
//! ```text
//! s_kl = u_k . u_l / tau                                     (cosine similarity / temperature)
//! l_k  = -log( exp(s_k,p(k)) / sum_{l != k} exp(s_kl) )
//! loss = 1/(2n) * sum_k l_k
//! ```
//!
//! The denominator runs over all `2n - 1` other rows, the positive included, as in the official
//! code (which subtracts `1e9` from the self-similarities before a softmax cross-entropy over
//! `[logits_ab, logits_aa]`); the `2n - 2` other rows are the negatives. The loss is in nats. The
//! official code sums the mean over the `a` anchors and the mean over the `b` anchors, which is
//! twice the mean over all `2n` anchors used here; the factor only rescales the gradients.
//!
//! Edge cases: with `n = 1` there is no negative and the loss is `0`; for `n >= 2` it is positive,
//! and a collapsed embedding (all rows equal) costs `ln(2n - 1)`. A row of zeros stays zero after
//! normalisation and so has similarity 0 with every row.

use burn::tensor::activation::log_softmax;
use burn::tensor::{Tensor, TensorData};

/// The floor under the squared norm of a row before it is divided by its norm (TensorFlow's
/// `l2_normalize` default), so a zero row does not produce NaNs.
pub const NORM_EPSILON_SQUARED: f64 = 1e-12;

/// The temperature of the official code's CIFAR-10 recipe, whose batches of 512 are nearer this
/// app's than those of its ImageNet recipe (4,096, with a temperature of 0.1).
pub const DEFAULT_TEMPERATURE: f64 = 0.5;

/// What the official code subtracts from the self-similarities to leave them out of the softmax.
const SELF_MASK: f64 = 1e9;

/// The NT-Xent loss of projections `z_a`, `z_b` of shape `[n, d]` at temperature `temperature`
/// (`> 0`): shape `[1]`, in nats. See the module documentation for the formula.
pub fn nt_xent(z_a: Tensor<2>, z_b: Tensor<2>, temperature: f64) -> Tensor<1> {
    let [n, _] = z_a.dims();
    let device = z_a.device();

    // Unit rows, the a views first: [2n, d].
    let z = Tensor::cat(vec![z_a, z_b], 0);
    let norm = z
        .clone()
        .square()
        .sum_dim(1)
        .clamp_min(NORM_EPSILON_SQUARED)
        .sqrt(); // [2n, 1]
    let u = z / norm;

    // Similarities over temperature, with each row's similarity to itself pushed to -1e9 so its
    // softmax weight is exactly 0: [2n, 2n].
    let logits = u.clone().matmul(u.transpose()) / temperature
        - Tensor::<2>::eye(2 * n, &device) * SELF_MASK;
    let log_p = log_softmax(logits, 1);

    // Cross-entropy against the positive of each row, read through a one-hot mask.
    let positives = TensorData::new(positive_mask(n), [2 * n, 2 * n]);
    let positives = Tensor::<2>::from_data(positives, &device);
    (log_p * positives).sum().neg() / (2 * n) as f64
}

/// `[2n, 2n]` row-major, 1 at `(k, p(k))` and 0 elsewhere.
fn positive_mask(n: usize) -> Vec<f32> {
    let mut mask = vec![0.0f32; 4 * n * n];
    for k in 0..2 * n {
        mask[k * 2 * n + (k + n) % (2 * n)] = 1.0;
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::readback::read_f32;
    use crate::test_support::{tensor, value};
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, StandardNormal};

    /// An independent plain-f64 NT-Xent, written loop by loop from the formula: `a`, `b` are
    /// `[n, d]` row-major.
    fn reference(a: &[f64], b: &[f64], d: usize, tau: f64) -> f64 {
        let rows: Vec<Vec<f64>> = a.chunks(d).chain(b.chunks(d)).map(|r| r.to_vec()).collect();
        let units: Vec<Vec<f64>> = rows
            .iter()
            .map(|r| {
                let norm = r.iter().map(|v| v * v).sum::<f64>().max(1e-12).sqrt();
                r.iter().map(|v| v / norm).collect()
            })
            .collect();
        let (m, n) = (units.len(), units.len() / 2);
        let sim = |k: usize, l: usize| -> f64 {
            units[k]
                .iter()
                .zip(&units[l])
                .map(|(x, y)| x * y)
                .sum::<f64>()
                / tau
        };
        let mut total = 0.0;
        for k in 0..m {
            let denominator: f64 = (0..m).filter(|&l| l != k).map(|l| sim(k, l).exp()).sum();
            total += denominator.ln() - sim(k, (k + n) % m);
        }
        total / m as f64
    }

    /// Anchors e1, e2 (view a) and the same e1, e2 (view b), at temperature 1: each anchor has
    /// similarity 1 with its positive and 0 with the two other rows, so every term is
    /// `-ln(e / (e + 1 + 1)) = ln(1 + 2/e)`. Scaling rows must not change it (normalisation).
    #[test]
    fn orthogonal_pairs_match_a_hand_computation() {
        let device = crate::cpu_device();
        let expected = (1.0 + 2.0 / 1f64.exp()).ln();
        let a = tensor(&[3.0, 0.0, 0.0, 2.0], 2, &device);
        let b = tensor(&[0.5, 0.0, 0.0, 7.0], 2, &device);
        assert!((value(nt_xent(a.clone(), b.clone(), 1.0)) - expected).abs() < 1e-6);

        // At temperature 1/2 the positive's logit doubles: ln(1 + 2/e^2).
        let expected = (1.0 + 2.0 / 2f64.exp()).ln();
        assert!((value(nt_xent(a, b, 0.5)) - expected).abs() < 1e-6);
    }

    #[test]
    fn collapsed_embedding_costs_log_of_the_other_rows() {
        // All 2n = 6 rows equal: every logit ties, so each term is ln(5).
        let device = crate::cpu_device();
        let a = tensor(&[1.0, 2.0, 1.0, 2.0, 1.0, 2.0], 3, &device);
        let loss = value(nt_xent(a.clone(), a, 0.3));
        assert!((loss - 5f64.ln()).abs() < 1e-5, "loss {loss}");
    }

    fn random(len: usize, seed: u64) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..len).map(|_| StandardNormal.sample(&mut rng)).collect()
    }

    #[test]
    fn loss_and_gradients_match_an_f64_reference_and_finite_differences() {
        let (n, d, tau) = (4, 3, 0.5);
        let (a, b) = (random(n * d, 1), random(n * d, 2));
        let device = crate::cpu_device().autodiff();
        let ta = tensor(&a, n, &device).require_grad();
        let tb = tensor(&b, n, &device).require_grad();
        let loss = nt_xent(ta.clone(), tb.clone(), tau);
        let grads = loss.backward();
        assert!((value(loss) - reference(&a, &b, d, tau)).abs() < 1e-5);

        // Central differences of the f64 reference, whose truncation error at h = 1e-5 is about
        // 1e-10 and rounding error about 1e-11, far below f32's precision; the tolerance is that
        // of f32 arithmetic on values of order 1.
        let grad_a = read_f32(ta.grad(&grads).unwrap()).unwrap();
        let grad_b = read_f32(tb.grad(&grads).unwrap()).unwrap();
        let h = 1e-5;
        for i in 0..n * d {
            for (view, grad) in [(0, &grad_a), (1, &grad_b)] {
                let (mut plus, mut minus) = ((a.clone(), b.clone()), (a.clone(), b.clone()));
                if view == 0 {
                    plus.0[i] += h;
                    minus.0[i] -= h;
                } else {
                    plus.1[i] += h;
                    minus.1[i] -= h;
                }
                let numeric = (reference(&plus.0, &plus.1, d, tau)
                    - reference(&minus.0, &minus.1, d, tau))
                    / (2.0 * h);
                let analytic = f64::from(grad[i]);
                assert!(
                    (numeric - analytic).abs() < 1e-4,
                    "view {view}, entry {i}: {analytic} vs {numeric}"
                );
            }
        }
    }
}
