//! Two classic pretext tasks: transform an image in one of a few known ways and ask a network
//! which way it was.
//!
//! - **Rotation prediction** (Gidaris, Singh and Komodakis, ICLR 2018): the image is turned by
//!   `0`, `90`, `180` or `270` degrees and the label is the number of quarter turns. Telling them
//!   apart needs some idea of what an upright object looks like.
//! - **Jigsaw** (Noroozi and Favaro, ECCV 2016), simplified to 2x2 tiles: the image is cut into
//!   four equal tiles, the tiles are put back in the order of one of the 24 [`PERMUTATIONS`], and
//!   the label is that permutation's index. Undoing the shuffle needs some idea of how the parts
//!   of an object fit together.
//!
//! Unlike VICReg or SimCLR these tasks have labels, made up from the image alone, so the network
//! is trained with an ordinary classification loss over [`Pretext::classes`] classes; the
//! embedding it learns on the way is what the analyses read.
//!
//! Conventions. Images are row-major `[height * width]` with row 0 at the top, as displayed. A
//! quarter turn is counter-clockwise, so the top-right pixel moves to the top-left. Tiles are
//! numbered in reading order: 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right; permutation
//! `p` puts input tile `p[i]` at output tile `i`.
//!
//! Known shortcomings. The paper cuts 3x3 tiles, keeps a subset of permutations far apart in
//! Hamming distance, and leaves gaps between tiles so that a network cannot solve the puzzle by
//! matching pixels across tile edges; these 2x2 tiles touch, so some of the task can be solved
//! from edge continuity alone. Some images have no upright: a 0 or an 8 looks the same turned
//! half way, and a 6 turned half way is a 9, so a few rotation labels cannot be predicted even in
//! principle and the best possible accuracy is below 100%.

use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};

use crate::data::ImageDataset;

/// The number of rotation classes: 0, 1, 2 or 3 quarter turns.
pub const ROTATIONS: usize = 4;

/// Every ordering of the four tiles, in lexicographic order, so the identity is class 0.
///
/// With 2x2 tiles there are only `4! = 24` orderings, so all are used, rather than a subset
/// chosen for Hamming distance as in the paper's 3x3 puzzle with its `9!` orderings.
pub const PERMUTATIONS: [[usize; 4]; 24] = [
    [0, 1, 2, 3],
    [0, 1, 3, 2],
    [0, 2, 1, 3],
    [0, 2, 3, 1],
    [0, 3, 1, 2],
    [0, 3, 2, 1],
    [1, 0, 2, 3],
    [1, 0, 3, 2],
    [1, 2, 0, 3],
    [1, 2, 3, 0],
    [1, 3, 0, 2],
    [1, 3, 2, 0],
    [2, 0, 1, 3],
    [2, 0, 3, 1],
    [2, 1, 0, 3],
    [2, 1, 3, 0],
    [2, 3, 0, 1],
    [2, 3, 1, 0],
    [3, 0, 1, 2],
    [3, 0, 2, 1],
    [3, 1, 0, 2],
    [3, 1, 2, 0],
    [3, 2, 0, 1],
    [3, 2, 1, 0],
];

/// Writes `image` (shape `[height * width]`, square) turned counter-clockwise by
/// `quarter_turns * 90` degrees into `out` (same shape). Turns are taken modulo 4.
///
/// # Panics
///
/// If the image is not square: a turned non-square image has another shape, which no caller
/// here expects, so it is a bug.
pub fn rotate(image: &[f32], height: usize, width: usize, quarter_turns: usize, out: &mut [f32]) {
    assert_eq!(height, width, "only square images can be rotated in place");
    debug_assert_eq!(image.len(), height * width);
    debug_assert_eq!(out.len(), height * width);
    let n = height;
    let last = n - 1;

    // Each output pixel (y, x) reads the input pixel that the turn brings to it.
    for y in 0..n {
        for x in 0..n {
            let (sy, sx) = match quarter_turns % ROTATIONS {
                0 => (y, x),
                1 => (x, last - y),
                2 => (last - y, last - x),
                _ => (last - x, y),
            };
            out[y * n + x] = image[sy * n + sx];
        }
    }
}

/// Writes `image` (shape `[height * width]`) with its four tiles rearranged by `permutation`
/// into `out` (same shape): output tile `i` is input tile `permutation[i]`, tiles numbered 0
/// top-left, 1 top-right, 2 bottom-left, 3 bottom-right.
///
/// # Panics
///
/// If `height` or `width` is odd, since the tiles would not be equal, or if `permutation` names
/// a tile outside `0..4`. Both are bugs: the bundled images are 8x8 and 28x28.
pub fn jigsaw(
    image: &[f32],
    height: usize,
    width: usize,
    permutation: &[usize; 4],
    out: &mut [f32],
) {
    assert!(
        height.is_multiple_of(2) && width.is_multiple_of(2),
        "a {height}x{width} image does not cut into four equal tiles"
    );
    debug_assert_eq!(image.len(), height * width);
    debug_assert_eq!(out.len(), height * width);
    let (tile_h, tile_w) = (height / 2, width / 2);

    // Copy one row of one tile at a time: the rows of a tile are contiguous runs of `tile_w`.
    for (to, &from) in permutation.iter().enumerate() {
        assert!(from < 4, "tile {from} does not exist");
        let (to_y, to_x) = ((to / 2) * tile_h, (to % 2) * tile_w);
        let (from_y, from_x) = ((from / 2) * tile_h, (from % 2) * tile_w);
        for row in 0..tile_h {
            let dst = (to_y + row) * width + to_x;
            let src = (from_y + row) * width + from_x;
            out[dst..dst + tile_w].copy_from_slice(&image[src..src + tile_w]);
        }
    }
}

/// A pretext task: which transformation the network learns to recognise.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pretext {
    /// Predict how many quarter turns the image was rotated by: [`ROTATIONS`] classes.
    #[default]
    Rotation,
    /// Predict which of the [`PERMUTATIONS`] shuffled its 2x2 tiles: 24 classes.
    Jigsaw,
}

impl Pretext {
    pub const ALL: [Pretext; 2] = [Pretext::Rotation, Pretext::Jigsaw];

    /// The name in a link (`pretext=jigsaw`) and in a select.
    pub fn key(self) -> &'static str {
        match self {
            Pretext::Rotation => "rotation",
            Pretext::Jigsaw => "jigsaw",
        }
    }

    pub fn from_key(key: &str) -> Option<Pretext> {
        Pretext::ALL.into_iter().find(|p| p.key() == key)
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Pretext::Rotation => "Rotation prediction",
            Pretext::Jigsaw => "Jigsaw (2x2 tiles)",
        }
    }

    /// The number of task labels, the width of the classifier's output.
    pub fn classes(self) -> usize {
        match self {
            Pretext::Rotation => ROTATIONS,
            Pretext::Jigsaw => PERMUTATIONS.len(),
        }
    }

    /// Writes `image` (shape `[height * width]`) transformed as task label `class` says into
    /// `out`: `class` quarter turns, or the tiles shuffled by `PERMUTATIONS[class]`.
    ///
    /// # Panics
    ///
    /// If `class >= self.classes()`, or on the preconditions of [`rotate`] and [`jigsaw`].
    pub fn transform(
        self,
        image: &[f32],
        height: usize,
        width: usize,
        class: usize,
        out: &mut [f32],
    ) {
        assert!(class < self.classes(), "{self:?} has no class {class}");
        match self {
            Pretext::Rotation => rotate(image, height, width, class, out),
            Pretext::Jigsaw => jigsaw(image, height, width, &PERMUTATIONS[class], out),
        }
    }
}

/// Draws one task label per sample, uniformly from `0..pretext.classes()`, and writes the
/// samples at `indices` so transformed into `out`, resized to `[indices.len(), data.dim()]`.
///
/// The labels are drawn from `rng` in the order of `indices`, one draw each, so a seeded
/// generator gives the same batch on every platform. Returns the labels, `[indices.len()]`.
pub fn pretext_batch(
    pretext: Pretext,
    data: &ImageDataset,
    indices: &[usize],
    rng: &mut impl Rng,
    out: &mut Vec<f32>,
) -> Vec<u8> {
    let d = data.dim();
    out.clear();
    out.resize(indices.len() * d, 0.0);
    let classes = pretext.classes();
    let mut labels = Vec::with_capacity(indices.len());
    for (row, &i) in indices.iter().enumerate() {
        let class = rng.random_range(0..classes);
        let slot = &mut out[row * d..(row + 1) * d];
        pretext.transform(data.image(i), data.height, data.width, class, slot);
        // Both tasks have at most 24 classes, so the label fits in the data set's label type.
        labels.push(class as u8);
    }
    labels
}

/// Draws one task label per row of `images` (`[n, height * width]`, row-major), uniformly from
/// `0..pretext.classes()`, and writes each row so transformed into `out`, resized to the same
/// shape. This is [`pretext_batch`] for images that are not a data set's own, such as the
/// augmented views a trainer makes.
///
/// One draw per row, in row order, so a seeded generator gives the same batch on every
/// platform. Returns the labels, `[n]`.
pub fn pretext_rows(
    pretext: Pretext,
    images: &[f32],
    height: usize,
    width: usize,
    rng: &mut impl Rng,
    out: &mut Vec<f32>,
) -> Vec<u8> {
    let d = height * width;
    debug_assert_eq!(images.len() % d, 0);
    out.clear();
    out.resize(images.len(), 0.0);
    let classes = pretext.classes();
    images
        .chunks_exact(d)
        .zip(out.chunks_exact_mut(d))
        .map(|(image, slot)| {
            let class = rng.random_range(0..classes);
            pretext.transform(image, height, width, class, slot);
            // Both tasks have at most 24 classes, so the label fits in a u8.
            class as u8
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// A 3x3 image whose pixels are 1..=9 in reading order.
    const NINE: [f32; 9] = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0];

    fn turned(image: &[f32], n: usize, quarter_turns: usize) -> Vec<f32> {
        let mut out = vec![0.0; n * n];
        rotate(image, n, n, quarter_turns, &mut out);
        out
    }

    fn shuffled(image: &[f32], h: usize, w: usize, permutation: &[usize; 4]) -> Vec<f32> {
        let mut out = vec![0.0; h * w];
        jigsaw(image, h, w, permutation, &mut out);
        out
    }

    /// A 4x4 image whose pixel at (y, x) holds `4 y + x`, so a value names where it came from.
    fn positions() -> Vec<f32> {
        (0..16).map(|i| i as f32).collect()
    }

    /// The permutation `q` with `q[p[i]] = i`.
    fn inverse(p: &[usize; 4]) -> [usize; 4] {
        let mut q = [0; 4];
        for (i, &pi) in p.iter().enumerate() {
            q[pi] = i;
        }
        q
    }

    #[test]
    fn rotate_matches_hand_turned_images() {
        // Worked by hand on paper: a counter-clockwise turn brings the right column (3, 6, 9)
        // up to the top row, the left column (1, 4, 7) down to the bottom row.
        let expected: [[f32; 9]; 4] = [
            [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
            [3.0, 6.0, 9.0, 2.0, 5.0, 8.0, 1.0, 4.0, 7.0],
            [9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0],
            [7.0, 4.0, 1.0, 8.0, 5.0, 2.0, 9.0, 6.0, 3.0],
        ];
        for (k, want) in expected.iter().enumerate() {
            assert_eq!(turned(&NINE, 3, k), want, "{k} quarter turns");
        }
    }

    #[test]
    fn rotate_moves_the_top_right_pixel_of_an_even_image_to_the_top_left() {
        // 2x2: [a b; c d] turned counter-clockwise is [b d; a c].
        assert_eq!(turned(&[1.0, 2.0, 3.0, 4.0], 2, 1), [2.0, 4.0, 1.0, 3.0]);
    }

    #[test]
    fn four_quarter_turns_are_the_identity() {
        let image: Vec<f32> = (0..64).map(|i| (i * 7 % 13) as f32).collect();
        let mut out = image.clone();
        for _ in 0..4 {
            out = turned(&out, 8, 1);
        }
        assert_eq!(out, image);
        assert_eq!(turned(&image, 8, 4), image);
    }

    #[test]
    fn one_quarter_turn_then_three_is_the_identity() {
        let image: Vec<f32> = (0..25).map(|i| (i * 11 % 17) as f32).collect();
        assert_eq!(turned(&turned(&image, 5, 1), 5, 3), image);
        assert_eq!(turned(&turned(&image, 5, 3), 5, 1), image);
    }

    #[test]
    #[should_panic(expected = "square")]
    fn rotating_a_non_square_image_is_a_bug() {
        let mut out = vec![0.0; 6];
        rotate(&[0.0; 6], 2, 3, 1, &mut out);
    }

    #[test]
    fn the_identity_permutation_leaves_the_image_unchanged() {
        assert_eq!(shuffled(&positions(), 4, 4, &PERMUTATIONS[0]), positions());
    }

    #[test]
    fn a_permutation_moves_tiles_where_a_hand_computation_says() {
        // The 4x4 image's tiles are 0 = {0, 1, 4, 5}, 1 = {2, 3, 6, 7}, 2 = {8, 9, 12, 13} and
        // 3 = {10, 11, 14, 15}. [0, 3, 1, 2] keeps tile 0 top-left and puts tile 3 top-right,
        // tile 1 bottom-left and tile 2 bottom-right.
        let expected = [
            0.0, 1.0, 10.0, 11.0, //
            4.0, 5.0, 14.0, 15.0, //
            2.0, 3.0, 8.0, 9.0, //
            6.0, 7.0, 12.0, 13.0,
        ];
        assert_eq!(shuffled(&positions(), 4, 4, &[0, 3, 1, 2]), expected);
        // In lexicographic order it comes after the five orderings starting 0 1, 0 2 and 0 3 1.
        assert_eq!(PERMUTATIONS[4], [0, 3, 1, 2]);
    }

    #[test]
    fn jigsaw_cuts_non_square_images_into_equal_tiles() {
        // 2x4: tiles are 1x2. Swapping top and bottom rows of tiles ([2, 3, 0, 1]) swaps rows.
        let image = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
        let expected = [4.0, 5.0, 6.0, 7.0, 0.0, 1.0, 2.0, 3.0];
        assert_eq!(shuffled(&image, 2, 4, &[2, 3, 0, 1]), expected);
    }

    #[test]
    fn a_permutation_then_its_inverse_restores_the_image() {
        let image: Vec<f32> = (0..36).map(|i| (i * 5 % 19) as f32).collect();
        for p in &PERMUTATIONS {
            let back = shuffled(&shuffled(&image, 6, 6, p), 6, 6, &inverse(p));
            assert_eq!(back, image, "{p:?}");
        }
    }

    #[test]
    fn permutations_are_the_24_orderings_of_four_tiles_in_lexicographic_order() {
        for p in &PERMUTATIONS {
            let mut sorted = *p;
            sorted.sort_unstable();
            assert_eq!(sorted, [0, 1, 2, 3], "{p:?} is not a permutation");
        }
        // Strictly increasing means distinct; 24 distinct orderings of 4 tiles are all of them.
        assert!(PERMUTATIONS.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(PERMUTATIONS[0], [0, 1, 2, 3]);
    }

    #[test]
    fn classes_count_the_transformations() {
        assert_eq!(Pretext::Rotation.classes(), 4);
        assert_eq!(Pretext::Jigsaw.classes(), 24);
        for p in Pretext::ALL {
            assert_eq!(Pretext::from_key(p.key()), Some(p));
        }
    }

    /// Five 4x4 images with distinct pixels, so a wrong image or transformation shows.
    fn five_images() -> ImageDataset {
        ImageDataset {
            pixels: (0..80).map(|i| (i * 37 % 101) as f32 / 101.0).collect(),
            labels: vec![0; 5],
            height: 4,
            width: 4,
            classes: 1,
        }
    }

    #[test]
    fn each_batch_image_is_its_sample_transformed_as_its_label_says() {
        let data = five_images();
        let indices = [3, 0, 4, 3, 1, 2, 2, 0];
        for pretext in Pretext::ALL {
            let mut rng = ChaCha8Rng::seed_from_u64(5);
            let mut out = vec![9.0; 3]; // Stale contents of the wrong size must not survive.
            let labels = pretext_batch(pretext, &data, &indices, &mut rng, &mut out);
            assert_eq!(labels.len(), indices.len());
            assert_eq!(out.len(), indices.len() * 16);
            for (row, (&i, &label)) in indices.iter().zip(&labels).enumerate() {
                let label = usize::from(label);
                assert!(label < pretext.classes());
                let want = match pretext {
                    Pretext::Rotation => turned(data.image(i), 4, label),
                    Pretext::Jigsaw => shuffled(data.image(i), 4, 4, &PERMUTATIONS[label]),
                };
                assert_eq!(
                    &out[row * 16..(row + 1) * 16],
                    want,
                    "{pretext:?} row {row}"
                );
            }
        }
    }

    #[test]
    fn batches_are_reproduced_by_the_seed() {
        let data = five_images();
        let indices: Vec<usize> = (0..40).map(|i| i % 5).collect();
        let batch = |seed| {
            let mut out = Vec::new();
            let labels = pretext_batch(
                Pretext::Jigsaw,
                &data,
                &indices,
                &mut ChaCha8Rng::seed_from_u64(seed),
                &mut out,
            );
            (labels, out)
        };
        assert_eq!(batch(11), batch(11));
        assert_ne!(batch(11).0, batch(12).0);
    }

    /// The trainer transforms augmented views with [`pretext_rows`]; given the samples' own
    /// images it must draw and transform exactly as [`pretext_batch`] does.
    #[test]
    fn rows_and_batches_agree_on_the_same_images() {
        let data = five_images();
        let indices = [2, 2, 0, 4, 1, 3];
        let rows: Vec<f32> = indices
            .iter()
            .flat_map(|&i| data.image(i).iter().copied())
            .collect();
        for pretext in Pretext::ALL {
            let (mut from_rows, mut from_batch) = (Vec::new(), Vec::new());
            let mut rng = ChaCha8Rng::seed_from_u64(21);
            let labels_rows = pretext_rows(pretext, &rows, 4, 4, &mut rng, &mut from_rows);
            let mut rng = ChaCha8Rng::seed_from_u64(21);
            let labels_batch = pretext_batch(pretext, &data, &indices, &mut rng, &mut from_batch);
            assert_eq!(labels_rows, labels_batch, "{pretext:?}");
            assert_eq!(from_rows, from_batch, "{pretext:?}");
        }
    }

    #[test]
    fn labels_are_close_to_uniform() {
        // 1,000 draws per class: each count is Binomial(n, 1/k) with standard deviation
        // sqrt(1000 (1 - 1/k)), under 32, so 160 (five standard deviations) is missed by a fair
        // draw with probability under 1e-6 per class, while a label that is never drawn, or a
        // skew of 16% of the expected count, fails.
        let data = ImageDataset {
            pixels: vec![0.0; 4],
            labels: vec![0],
            height: 2,
            width: 2,
            classes: 1,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(13);
        for pretext in Pretext::ALL {
            let k = pretext.classes();
            let indices = vec![0; 1000 * k];
            let mut out = Vec::new();
            let labels = pretext_batch(pretext, &data, &indices, &mut rng, &mut out);
            let mut counts = vec![0i64; k];
            for &label in &labels {
                counts[usize::from(label)] += 1;
            }
            for (class, &count) in counts.iter().enumerate() {
                assert!(
                    (count - 1000).abs() < 160,
                    "{pretext:?} class {class}: {count}"
                );
            }
        }
    }
}
