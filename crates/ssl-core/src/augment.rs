//! Augmentations: two random views of each sample, the only signal VICReg learns from.
//!
//! A view is the image shifted by a few pixels, dimmed, with a square patch erased and Gaussian
//! noise added, then clipped to `[0, 1]`. One `strength` in `[0, 1]` scales all four: at 0 both
//! views are the sample itself, so the invariance term is zero and only the regularization acts.
//! The amounts were chosen so that a digit stays recognisable to a person at strength 1.
//!
//! A data set whose nuisance directions are known (the synthetic one) can also have each view
//! re-draw them before the rest, [`NuisanceResampling`]: the one augmentation that is exactly
//! what the data's labels are invariant to. It does not depend on the strength: at strength 0
//! a view of such a set is the sample with fresh nuisances, clipped to `[0, 1]`.

use rand::{Rng, RngExt};
use rand_distr::{Distribution, Normal, StandardNormal};

use crate::data::ImageDataset;

/// Draws augmented views of images of one size.
#[derive(Debug, Clone, PartialEq)]
pub struct Augmenter {
    pub height: usize,
    pub width: usize,
    pub strength: f32,
    /// Re-draws the nuisance coordinates of every view first, where the data set knows them.
    pub resampling: Option<NuisanceResampling>,
}

/// Replaces an image's coordinates along known nuisance directions by fresh draws:
///
/// ```text
/// x' = x + sum_j (scale * n'_j - <x, psi_j>) psi_j,      n'_j ~ N(0, std^2)
/// ```
///
/// where `psi_j` are orthonormal pixel-space directions (rows of `basis`). The view's projection
/// on each `psi_j` becomes `scale * n'_j` and nothing orthogonal to them changes. For the
/// synthetic set ([`crate::synthetic`]) the `psi_j` are its nuisance directions, `std` the
/// generator's nuisance and `scale` the `1 / (max - min)` of its rescaling to `[0, 1]`, so a
/// view is a new draw of the same sample's nuisances. Because every `psi_j` is orthogonal to the
/// constant image, the rescaling's offset has no share in `<x, psi_j>`. At `std = 0` the view
/// has no nuisance at all (the pixel noise along `psi_j` goes too).
///
/// The result is not clipped: the augmentations after it clip to `[0, 1]`.
#[derive(Debug, Clone, PartialEq)]
pub struct NuisanceResampling {
    /// `[directions, pixels]`, orthonormal rows.
    pub basis: Vec<f32>,
    /// Pixels per image (the basis's row length).
    pub pixels: usize,
    /// The pixel-space length of one unit of a nuisance coordinate.
    pub scale: f32,
    /// The standard deviation of each fresh nuisance coordinate, before `scale`.
    pub std: f32,
}

impl NuisanceResampling {
    /// Re-draws the nuisance coordinates of `image` (`[pixels]`) in place.
    pub fn apply(&self, image: &mut [f32], rng: &mut impl Rng) {
        for psi in self.basis.chunks_exact(self.pixels) {
            let current: f32 = psi.iter().zip(image.iter()).map(|(a, b)| a * b).sum();
            let draw: f32 = StandardNormal.sample(rng);
            let fresh = self.scale * self.std * draw;
            let change = fresh - current;
            for (p, &f) in image.iter_mut().zip(psi) {
                *p += change * f;
            }
        }
    }
}

impl Augmenter {
    /// The largest shift in pixels: one pixel per eight of width, at full strength.
    fn max_shift(&self) -> i64 {
        (self.strength * self.width as f32 / 8.0).ceil() as i64
    }

    /// Writes one random view of `image` (shape `[height * width]`) into `out`.
    pub fn view(&self, image: &[f32], rng: &mut impl Rng, out: &mut [f32]) {
        // New nuisances first, so the shift and the rest act on a fresh draw of the sample.
        let resampled;
        let image = match &self.resampling {
            Some(resampling) => {
                let mut fresh = image.to_vec();
                resampling.apply(&mut fresh, rng);
                resampled = fresh;
                &resampled[..]
            }
            None => image,
        };
        let (h, w) = (self.height as i64, self.width as i64);
        let s = self.strength;

        // Shift by (dx, dy), filling with black.
        let m = self.max_shift();
        let dx = rng.random_range(-m..=m);
        let dy = rng.random_range(-m..=m);
        for y in 0..h {
            for x in 0..w {
                let (sx, sy) = (x - dx, y - dy);
                let inside = (0..w).contains(&sx) && (0..h).contains(&sy);
                out[(y * w + x) as usize] = if inside {
                    image[(sy * w + sx) as usize]
                } else {
                    0.0
                };
            }
        }

        // Dim by a random factor in [1 - 0.4 s, 1].
        let gain = 1.0 - 0.4 * s * rng.random::<f32>();

        // Erase a square a quarter of the width wide, with probability s / 2.
        if rng.random::<f32>() < 0.5 * s {
            let side = (w / 4).max(1);
            let x0 = rng.random_range(0..=w - side);
            let y0 = rng.random_range(0..=h - side);
            for y in y0..y0 + side {
                for x in x0..x0 + side {
                    out[(y * w + x) as usize] = 0.0;
                }
            }
        }

        // Add noise and clip.
        let noise = Normal::new(0.0, 0.15 * s).expect("a non-negative standard deviation");
        for p in out.iter_mut() {
            *p = (*p * gain + noise.sample(rng)).clamp(0.0, 1.0);
        }
    }

    /// One view of each image in `indices`, `[indices.len(), height * width]`: what a pretext
    /// method transforms and classifies. The draws are those of the first view of
    /// [`Augmenter::views`] only, one image after the other.
    pub fn one_view_each(
        &self,
        data: &ImageDataset,
        indices: &[usize],
        rng: &mut impl Rng,
    ) -> Vec<f32> {
        let d = data.dim();
        let mut views = vec![0.0; indices.len() * d];
        for (row, &i) in indices.iter().enumerate() {
            self.view(data.image(i), rng, &mut views[row * d..(row + 1) * d]);
        }
        views
    }

    /// Two views of each image in `indices`: each of shape `[indices.len(), height * width]`.
    pub fn views(
        &self,
        data: &ImageDataset,
        indices: &[usize],
        rng: &mut impl Rng,
    ) -> (Vec<f32>, Vec<f32>) {
        let d = data.dim();
        let mut a = vec![0.0; indices.len() * d];
        let mut b = vec![0.0; indices.len() * d];
        for (row, &i) in indices.iter().enumerate() {
            self.view(data.image(i), rng, &mut a[row * d..(row + 1) * d]);
            self.view(data.image(i), rng, &mut b[row * d..(row + 1) * d]);
        }
        (a, b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn zero_strength_returns_the_image() {
        let image: Vec<f32> = (0..64).map(|i| i as f32 / 64.0).collect();
        let aug = Augmenter {
            height: 8,
            width: 8,
            strength: 0.0,
            resampling: None,
        };
        let mut out = vec![0.0; 64];
        aug.view(&image, &mut ChaCha8Rng::seed_from_u64(1), &mut out);
        assert_eq!(out, image);
    }

    #[test]
    fn views_stay_in_range_and_differ_from_each_other() {
        let image: Vec<f32> = (0..64).map(|i| (i % 8) as f32 / 8.0).collect();
        let aug = Augmenter {
            height: 8,
            width: 8,
            strength: 1.0,
            resampling: None,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let (mut a, mut b) = (vec![0.0; 64], vec![0.0; 64]);
        aug.view(&image, &mut rng, &mut a);
        aug.view(&image, &mut rng, &mut b);
        assert!(a.iter().chain(&b).all(|p| (0.0..=1.0).contains(p)));
        assert_ne!(a, b);
    }

    #[test]
    fn a_shift_moves_pixels_by_at_most_the_max_shift() {
        // A single lit pixel in the middle must land within one pixel of where it was.
        let mut image = vec![0.0; 64];
        image[3 * 8 + 4] = 1.0;
        let aug = Augmenter {
            height: 8,
            width: 8,
            strength: 0.5,
            resampling: None,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for _ in 0..50 {
            let mut out = vec![0.0; 64];
            aug.view(&image, &mut rng, &mut out);
            let brightest = (0..64).max_by(|&i, &j| out[i].total_cmp(&out[j])).unwrap();
            if out[brightest] < 0.5 {
                continue; // The erased patch covered the pixel.
            }
            let (y, x) = (brightest / 8, brightest % 8);
            assert!(
                y.abs_diff(3) <= 1 && x.abs_diff(4) <= 1,
                "moved to ({y}, {x})"
            );
        }
    }
}
