//! The softmax cross-entropy a pretext task ([`crate::pretext`]) is trained with.
//!
//! For logits `X` of shape `[n, c]` (one row per sample, one column per task label) and labels
//! `y_i` in `0..c`,
//!
//! ```text
//! m_i      = max_j x_ij                                       (the row's largest logit)
//! log p_ij = (x_ij - m_i) - ln( sum_k exp(x_ik - m_i) )       (log-softmax)
//! loss     = -1/n * sum_i log p_i,y_i
//! ```
//!
//! in nats. Subtracting `m_i` changes nothing mathematically (the softmax of a row does not move
//! when a constant is added to it) but keeps every `exp` at most 1, so large logits cannot
//! overflow f32. The maximum is detached from the graph: its gradient would cancel exactly.
//!
//! Edge cases: the loss is never negative; logits that are all equal (a network that has learned
//! nothing) cost `ln(c)`, the reference the loss chart is read against (`ln 4 = 1.386` for
//! rotation, `ln 24 = 3.178` for jigsaw). `n >= 1` is needed.

use burn::tensor::{Tensor, TensorData};

/// The mean softmax cross-entropy of `logits` (`[n, c]`) against `labels` (`[n]`, each below
/// `c`): shape `[1]`, in nats. See the module documentation for the formula.
///
/// # Panics
///
/// If `labels.len()` is not `n` or a label is not below `c`: the trainer draws the labels
/// itself, so either is a bug.
pub fn cross_entropy(logits: Tensor<2>, labels: &[u8]) -> Tensor<1> {
    let [n, c] = logits.dims();
    assert_eq!(labels.len(), n, "one label per row of logits");
    let device = logits.device();

    // Stable log-softmax: shift each row by its maximum, [n, c] - [n, 1].
    let max = logits.clone().max_dim(1).detach(); // [n, 1]
    let shifted = logits - max; // [n, c]
    let log_sum = shifted.clone().exp().sum_dim(1).log(); // [n, 1]
    let log_p = shifted - log_sum; // [n, c]

    // The log-probability of each row's label, read through a one-hot mask.
    let chosen = TensorData::new(one_hot(labels, c), [n, c]);
    let chosen = Tensor::<2>::from_data(chosen, &device);
    (log_p * chosen).sum().neg() / n as f64
}

/// `[labels.len(), classes]` row-major, 1 at `(i, labels[i])` and 0 elsewhere.
fn one_hot(labels: &[u8], classes: usize) -> Vec<f32> {
    let mut mask = vec![0.0f32; labels.len() * classes];
    for (i, &label) in labels.iter().enumerate() {
        let label = usize::from(label);
        assert!(label < classes, "label {label} is not below {classes}");
        mask[i * classes + label] = 1.0;
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

    /// An independent plain-f64 cross-entropy, written from the definition `-ln(e^x_y / sum
    /// e^x_k)` without the shift: `logits` is `[labels.len(), c]` row-major, values of order 1.
    fn reference(logits: &[f64], labels: &[u8], c: usize) -> f64 {
        let total: f64 = logits
            .chunks(c)
            .zip(labels)
            .map(|(row, &y)| {
                let sum: f64 = row.iter().map(|x| x.exp()).sum();
                sum.ln() - row[usize::from(y)]
            })
            .sum();
        total / labels.len() as f64
    }

    /// Logits `[0, ln 3]` are the probabilities `[1/4, 3/4]`, so label 1 costs `-ln(3/4) =
    /// ln(4/3)` and label 0 costs `ln 4`; two rows average them.
    #[test]
    fn two_classes_match_a_hand_computation() {
        let device = crate::cpu_device();
        let ln3 = 3f64.ln();
        let one = tensor(&[0.0, ln3], 1, &device);
        let loss = value(cross_entropy(one.clone(), &[1]));
        assert!((loss - (4.0f64 / 3.0).ln()).abs() < 1e-6, "loss {loss}");
        assert!((value(cross_entropy(one, &[0])) - 4f64.ln()).abs() < 1e-6);

        let two = tensor(&[0.0, ln3, 0.0, ln3], 2, &device);
        let expected = 0.5 * ((4.0f64 / 3.0).ln() + 4f64.ln());
        assert!((value(cross_entropy(two, &[1, 0])) - expected).abs() < 1e-6);
    }

    #[test]
    fn equal_logits_cost_log_of_the_classes() {
        let device = crate::cpu_device();
        let logits = tensor(&[2.5; 3 * 24], 3, &device);
        let loss = value(cross_entropy(logits, &[0, 7, 23]));
        assert!((loss - 24f64.ln()).abs() < 1e-5, "loss {loss}");
    }

    /// Without the shift, `exp(1000)` overflows f32 and the loss would be NaN.
    #[test]
    fn huge_logits_stay_finite() {
        let device = crate::cpu_device();
        let logits = tensor(&[1000.0, 1000.0 + 3f64.ln()], 1, &device);
        let loss = value(cross_entropy(logits, &[1]));
        assert!((loss - (4.0f64 / 3.0).ln()).abs() < 1e-4, "loss {loss}");
    }

    #[test]
    fn loss_and_gradient_match_an_f64_reference_and_finite_differences() {
        let (n, c) = (5, 4);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let logits: Vec<f64> = (0..n * c)
            .map(|_| StandardNormal.sample(&mut rng))
            .collect();
        let labels = [0, 3, 1, 1, 2];
        let device = crate::cpu_device().autodiff();
        let x = tensor(&logits, n, &device).require_grad();
        let loss = cross_entropy(x.clone(), &labels);
        let grads = loss.backward();
        assert!((value(loss) - reference(&logits, &labels, c)).abs() < 1e-6);

        // Central differences of the f64 reference (truncation error about 1e-10 at h = 1e-5),
        // and the closed form (softmax - one-hot) / n as a second check; the tolerance is that of
        // f32 arithmetic on values of order 1.
        let grad = read_f32(x.grad(&grads).unwrap()).unwrap();
        let h = 1e-5;
        for i in 0..n * c {
            let (mut plus, mut minus) = (logits.clone(), logits.clone());
            plus[i] += h;
            minus[i] -= h;
            let numeric =
                (reference(&plus, &labels, c) - reference(&minus, &labels, c)) / (2.0 * h);
            let analytic = f64::from(grad[i]);
            assert!(
                (numeric - analytic).abs() < 1e-5,
                "entry {i}: {analytic} vs {numeric}"
            );

            let (row, col) = (i / c, i % c);
            let exps: Vec<f64> = logits[row * c..(row + 1) * c]
                .iter()
                .map(|x| x.exp())
                .collect();
            let softmax = exps[col] / exps.iter().sum::<f64>();
            let target = if usize::from(labels[row]) == col {
                1.0
            } else {
                0.0
            };
            assert!((analytic - (softmax - target) / n as f64).abs() < 1e-5);
        }
    }
}
