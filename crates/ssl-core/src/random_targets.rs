//! Targets with a chosen share of random labels, to ask how far clustering follows semantics.
//!
//! Ben-Shaul et al. (2023) train on targets where a fraction `r` of the samples carry a random
//! class instead of their own, and measure how well the embeddings still cluster by the true and
//! by the random targets as `r` goes from 0 to 1 ([`RANDOMNESS_LEVELS`]). As in Zhang et al.
//! (2017, "Understanding deep learning requires rethinking generalization"), a random class is
//! drawn uniformly from all classes, so it equals the true one with probability `1/classes`.
//!
//! The samples to randomise are the first `round(r * len)` of one seeded permutation, and each
//! sample's random class is drawn once, whatever `r`: with the same seed the set randomised at
//! `r = 0.2` contains the set at `r = 0.1`, and the shared samples get the same random class, so
//! the levels differ only by the samples added.

use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The randomness levels of the paper's sweep: 0, 0.1, ..., 1.
pub const RANDOMNESS_LEVELS: [f64; 11] = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];

/// `labels` with the share `r` of them (clamped to `[0, 1]`) replaced by a class drawn uniformly
/// from `0..classes` (`1..=256` classes), by a generator seeded with `seed`. The replaced samples
/// are [`randomised_indices`]`(labels.len(), r, seed)`.
pub fn random_targets(labels: &[u8], classes: usize, r: f64, seed: u64) -> Vec<u8> {
    assert!(
        (1..=256).contains(&classes),
        "{classes} classes do not fit u8 labels"
    );
    let mut rng = ChaCha8Rng::seed_from_u64(seed);

    // The order in which samples are randomised, and the class each would get, both drawn in
    // full before `r` is looked at, so that they are the same for every level.
    let order = permutation(labels.len(), &mut rng);
    let draws: Vec<u8> = order
        .iter()
        .map(|_| rng.random_range(0..classes) as u8)
        .collect();

    let mut targets = labels.to_vec();
    for (&i, &class) in order.iter().zip(&draws).take(count(labels.len(), r)) {
        targets[i] = class;
    }
    targets
}

/// The `round(r * len)` samples that [`random_targets`] gives a random class at level `r` with
/// `seed`, in the order they join as `r` grows.
pub fn randomised_indices(len: usize, r: f64, seed: u64) -> Vec<usize> {
    let mut order = permutation(len, &mut ChaCha8Rng::seed_from_u64(seed));
    order.truncate(count(len, r));
    order
}

/// A seeded permutation of `0..len`, the first draws from `rng`.
fn permutation(len: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.shuffle(rng);
    order
}

fn count(len: usize, r: f64) -> usize {
    (r.clamp(0.0, 1.0) * len as f64).round() as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(len: usize, classes: usize) -> Vec<u8> {
        (0..len).map(|i| (i % classes) as u8).collect()
    }

    #[test]
    fn no_randomness_keeps_the_labels() {
        let labels = labels(500, 10);
        assert_eq!(random_targets(&labels, 10, 0.0, 3), labels);
    }

    #[test]
    fn full_randomness_is_independent_of_the_labels() {
        // Each target matches its label with probability exactly 1/10 when targets are uniform
        // and independent. Over 20,000 samples the agreement is binomial with standard error
        // sqrt(0.1 * 0.9 / 20000) = 0.0021; the tolerance is five of them. Uniformity: each
        // class's share has standard error 0.0021 too.
        let labels = labels(20_000, 10);
        let targets = random_targets(&labels, 10, 1.0, 4);
        let agree = labels.iter().zip(&targets).filter(|(a, b)| a == b).count();
        let rate = agree as f64 / labels.len() as f64;
        assert!((rate - 0.1).abs() < 0.0105, "agreement {rate}");
        for class in 0..10u8 {
            let share = targets.iter().filter(|&&t| t == class).count() as f64 / 20_000.0;
            assert!((share - 0.1).abs() < 0.0105, "class {class}: {share}");
        }
    }

    #[test]
    fn levels_are_nested_and_agree_where_they_overlap() {
        let labels = labels(1_000, 10);
        let seed = 5;
        for pair in RANDOMNESS_LEVELS.windows(2) {
            let (low, high) = (
                randomised_indices(labels.len(), pair[0], seed),
                randomised_indices(labels.len(), pair[1], seed),
            );
            assert!(low.iter().all(|i| high.contains(i)), "{pair:?}");
            let (t_low, t_high) = (
                random_targets(&labels, 10, pair[0], seed),
                random_targets(&labels, 10, pair[1], seed),
            );
            // Outside the randomised set the targets are the labels; inside the lower level's
            // set both levels gave the same random class.
            assert!((0..labels.len()).all(|i| high.contains(&i) || t_high[i] == labels[i]));
            assert!(low.iter().all(|&i| t_low[i] == t_high[i]));
        }
        assert_eq!(randomised_indices(labels.len(), 0.1, seed).len(), 100);
        assert_eq!(randomised_indices(labels.len(), 1.0, seed).len(), 1_000);
    }

    #[test]
    fn the_seed_fixes_the_targets() {
        let labels = labels(300, 10);
        let a = random_targets(&labels, 10, 0.5, 1);
        assert_eq!(a, random_targets(&labels, 10, 0.5, 1));
        assert_ne!(a, random_targets(&labels, 10, 0.5, 2));
    }
}
