//! Nearest class centre (NCC) accuracy: how well embeddings cluster by class.
//!
//! The class centres are the means of the *train* embeddings of each class; a sample is
//! classified by the centre nearest to it in Euclidean distance, and the accuracy is the fraction
//! classified as their own class. It is the measure of clustering used by Ben-Shaul et al. (2023)
//! and in the neural-collapse literature (Papyan, Han and Donoho, 2020). Labels are only read
//! here, after training, never by the training step.

/// Embeddings of a set of samples: `values` has shape `[len, dim]`, `labels` has `len` entries.
#[derive(Debug, Clone, Copy)]
pub struct Labelled<'a> {
    pub values: &'a [f32],
    pub labels: &'a [u8],
    pub dim: usize,
}

/// The mean of each class's rows of `train`: shape `[classes, dim]`. A class without samples
/// gets no centre (`None`), so it is never predicted.
pub fn class_centres(train: Labelled, classes: usize) -> Vec<Option<Vec<f64>>> {
    let mut sums = vec![vec![0.0f64; train.dim]; classes];
    let mut counts = vec![0usize; classes];
    for (row, &label) in train.values.chunks_exact(train.dim).zip(train.labels) {
        let c = usize::from(label);
        counts[c] += 1;
        for (s, &v) in sums[c].iter_mut().zip(row) {
            *s += f64::from(v);
        }
    }
    sums.into_iter()
        .zip(counts)
        .map(|(sum, n)| (n > 0).then(|| sum.into_iter().map(|s| s / n as f64).collect()))
        .collect()
}

/// The fraction of `eval`'s samples whose nearest train class centre is their own class.
pub fn ncc_accuracy(train: Labelled, eval: Labelled, classes: usize) -> f64 {
    let centres = class_centres(train, classes);
    let correct = eval
        .values
        .chunks_exact(eval.dim)
        .zip(eval.labels)
        .filter(|&(row, &label)| nearest(&centres, row) == Some(usize::from(label)))
        .count();
    correct as f64 / eval.labels.len().max(1) as f64
}

fn nearest(centres: &[Option<Vec<f64>>], row: &[f32]) -> Option<usize> {
    let distance = |centre: &[f64]| -> f64 {
        centre
            .iter()
            .zip(row)
            .map(|(c, &v)| (c - f64::from(v)).powi(2))
            .sum()
    };
    centres
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.as_ref().map(|c| (i, distance(c))))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::seq::SliceRandom;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// `per_class` points of each of `classes` classes, around centres 10 units apart on a line
    /// in the first coordinate, with uniform noise of half-width `spread`.
    fn clusters(classes: usize, per_class: usize, spread: f32, seed: u64) -> (Vec<f32>, Vec<u8>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let (mut values, mut labels) = (Vec::new(), Vec::new());
        for c in 0..classes {
            for _ in 0..per_class {
                values.push(10.0 * c as f32 + rng.random_range(-spread..spread));
                values.push(rng.random_range(-spread..spread));
                labels.push(c as u8);
            }
        }
        (values, labels)
    }

    /// NCC accuracy of 2-D points given as (values, labels).
    fn ncc_2d(train: (&[f32], &[u8]), eval: (&[f32], &[u8]), classes: usize) -> f64 {
        let train = Labelled {
            values: train.0,
            labels: train.1,
            dim: 2,
        };
        let eval = Labelled {
            values: eval.0,
            labels: eval.1,
            dim: 2,
        };
        ncc_accuracy(train, eval, classes)
    }

    #[test]
    fn ncc_is_one_on_well_separated_clusters() {
        let (tv, tl) = clusters(5, 40, 1.0, 1);
        let (ev, el) = clusters(5, 20, 1.0, 2);
        assert_eq!(ncc_2d((&tv, &tl), (&ev, &el), 5), 1.0);
    }

    #[test]
    fn ncc_is_near_chance_on_shuffled_labels() {
        // With labels shuffled the class centres all sit near the overall mean and carry no
        // information, so accuracy on fresh samples with shuffled labels is about 1/C.
        let classes = 10;
        let (tv, mut tl) = clusters(classes, 200, 1.0, 3);
        let (ev, mut el) = clusters(classes, 200, 1.0, 4);
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        tl.shuffle(&mut rng);
        el.shuffle(&mut rng);
        let acc = ncc_2d((&tv, &tl), (&ev, &el), classes);
        // 2000 samples: the standard error of a rate of 0.1 is about 0.007.
        assert!((acc - 0.1).abs() < 0.03, "accuracy {acc}");
    }

    #[test]
    fn centres_are_class_means() {
        let values = [0.0, 2.0, 4.0, 6.0, 1.0, 1.0];
        let labels = [0, 0, 1];
        let centres = class_centres(
            Labelled {
                values: &values,
                labels: &labels,
                dim: 2,
            },
            3,
        );
        assert_eq!(
            centres,
            vec![Some(vec![2.0, 4.0]), Some(vec![1.0, 1.0]), None]
        );
    }
}
