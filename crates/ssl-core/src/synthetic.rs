//! A synthetic image data set whose class hierarchy and nuisances are known by construction.
//!
//! Ben-Shaul et al. (2023) find that self-supervised embeddings cluster by semantic classes at
//! several levels at once (CIFAR-100's superclasses and classes) and that nuisance variation is
//! what training has to suppress. Real data never says which directions are which; this
//! generator does. Each 8x8 image (64 pixels, so the encoder's input fits) is
//!
//! ```text
//! x = sum_k s_k phi_k  +  sum_j n_j psi_j  +  pixel_noise * e,          then rescaled to [0, 1]
//! s = coarse_separation * c_S + fine_separation * f_C + within_std * g   (semantic coordinates)
//! n ~ N(0, nuisance^2 I)                                                 (nuisance coordinates)
//! ```
//!
//! where `S` is the sample's superclass (*coarse* class), `C` its class (*fine* class), `c_S` the
//! `S`-th unit vector of the semantic coordinates (so the superclass centres
//! `coarse_separation * c_S` are `sqrt(2) * coarse_separation` apart), `f_C` a seeded random unit
//! vector (a class mean lies `fine_separation` from its superclass centre), and `g`, `e` standard
//! normal. The directions
//! `phi_k` and `psi_j` are 8x8 two-dimensional DCT-II basis images, orthonormal in pixel space:
//! the semantic ones are the `semantic_dims` lowest frequencies after the constant image (coarse
//! shapes, which survive the augmentations' shifts, dimming and noise) and the nuisances the
//! `nuisance_dims` frequencies after them (textures). Nuisances are independent of the classes
//! and, at the default `nuisance = 3`, carry most of the pixel variance.
//!
//! With `fine_separation < coarse_separation * sqrt(2) / 4` (1.2 against 4 by default) the
//! hierarchy holds in the means: every class mean is nearer the other classes of its superclass
//! than any class of another superclass. The rescaling to `[0, 1]` is one affine map for the
//! whole set (`(x - min) / (max - min)`), so it keeps every distance ratio; projecting the pixels
//! on `phi_k` gives `s_k / (max - min)` plus the pixel noise's share, since every `phi_k` is
//! orthogonal to the constant image.
//!
//! Fine class `C` belongs to superclass `C / fine_per_coarse`; samples cycle through the fine
//! classes (sample `i` has class `i % classes`), so every class has `samples_per_class` samples.
//!
//! [`SyntheticData::resampling`] gives the augmentation that re-draws a view's nuisance
//! coordinates from the same distribution (see [`crate::augment::NuisanceResampling`]): the
//! invariance the labels have by construction, offered to the training directly.

use burn::config::Config;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use thiserror::Error;

use crate::augment::NuisanceResampling;
use crate::data::ImageDataset;

/// The side of the generated images, in pixels.
pub const SIDE: usize = 8;

/// The pixels of one image.
const PIXELS: usize = SIDE * SIDE;

/// The shape of the data set, its geometry and the seed that fixes both.
#[derive(Config, Debug)]
pub struct SyntheticConfig {
    /// Superclasses.
    #[config(default = 5)]
    pub coarse_classes: usize,
    /// Classes in each superclass; there are `coarse_classes * fine_per_coarse` classes.
    #[config(default = 2)]
    pub fine_per_coarse: usize,
    /// 180 per class makes 1,800 images, about the size of the bundled digits.
    #[config(default = 180)]
    pub samples_per_class: usize,
    /// Semantic directions; at least `coarse_classes`.
    #[config(default = 8)]
    pub semantic_dims: usize,
    /// Nuisance directions; `1 + semantic_dims + nuisance_dims` may not exceed 64.
    #[config(default = 16)]
    pub nuisance_dims: usize,
    /// The distance of each superclass centre from the origin of the semantic coordinates.
    #[config(default = 4.0)]
    pub coarse_separation: f64,
    /// The distance of each class mean from its superclass centre.
    #[config(default = 1.2)]
    pub fine_separation: f64,
    /// The standard deviation of a semantic coordinate within a class.
    #[config(default = 0.5)]
    pub within_std: f64,
    /// The standard deviation of each nuisance coordinate.
    #[config(default = 3.0)]
    pub nuisance: f64,
    /// The standard deviation of independent noise on every pixel.
    #[config(default = 0.05)]
    pub pixel_noise: f64,
    #[config(default = 42)]
    pub seed: u64,
}

/// A configuration the generator cannot build.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum SyntheticError {
    #[error(
        "{semantic} semantic and {nuisance} nuisance directions do not fit beside the constant \
         image in {PIXELS} pixels"
    )]
    TooManyDirections { semantic: usize, nuisance: usize },

    #[error("{coarse} superclasses need at least {coarse} semantic directions, not {semantic}")]
    TooFewSemanticDirections { coarse: usize, semantic: usize },

    #[error("{classes} classes do not fit u8 labels")]
    TooManyClasses { classes: usize },

    #[error("the data set would be empty")]
    Empty,
}

/// The generated images with their fine labels, and the hierarchy above them.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticData {
    /// The images, labelled by fine class (`coarse_classes * fine_per_coarse` classes).
    pub data: ImageDataset,
    /// The superclass of each image.
    pub coarse_labels: Vec<u8>,
    pub coarse_classes: usize,
    /// The superclass of each fine class: `[data.classes]`.
    pub fine_to_coarse: Vec<u8>,
    /// The semantic directions in pixel space: `[semantic_dims, 64]`, orthonormal rows.
    pub semantic_basis: Vec<f32>,
    /// The nuisance directions in pixel space: `[nuisance_dims, 64]`, orthonormal rows.
    pub nuisance_basis: Vec<f32>,
    /// The rescaling's `1 / (max - min)`: a coordinate `a` along a basis direction is `scale * a`
    /// in the pixels.
    pub scale: f32,
    /// The standard deviation the nuisance coordinates were drawn with.
    pub nuisance: f64,
}

impl SyntheticData {
    /// The augmentation that gives each view fresh nuisance coordinates, drawn as the generator
    /// drew them.
    pub fn resampling(&self) -> NuisanceResampling {
        NuisanceResampling {
            basis: self.nuisance_basis.clone(),
            pixels: PIXELS,
            scale: self.scale,
            std: self.nuisance as f32,
        }
    }

    /// The same images labelled by superclass.
    pub fn coarse(&self) -> ImageDataset {
        ImageDataset {
            labels: self.coarse_labels.clone(),
            classes: self.coarse_classes,
            ..self.data.clone()
        }
    }

    /// The pixels of every image projected on `basis` (`[k, 64]`, for instance
    /// [`Self::semantic_basis`]): `[len, k]`.
    pub fn project(&self, basis: &[f32]) -> Vec<f32> {
        let mut out = Vec::with_capacity(self.data.len() * basis.len() / PIXELS);
        for image in self.data.pixels.chunks_exact(PIXELS) {
            out.extend(
                basis
                    .chunks_exact(PIXELS)
                    .map(|phi| phi.iter().zip(image).map(|(a, b)| a * b).sum::<f32>()),
            );
        }
        out
    }
}

impl SyntheticConfig {
    /// Generates the data set (see the module documentation).
    pub fn generate(&self) -> Result<SyntheticData, SyntheticError> {
        let (semantic, nuisance) = (self.semantic_dims, self.nuisance_dims);
        if 1 + semantic + nuisance > PIXELS {
            return Err(SyntheticError::TooManyDirections { semantic, nuisance });
        }
        if self.coarse_classes > semantic {
            return Err(SyntheticError::TooFewSemanticDirections {
                coarse: self.coarse_classes,
                semantic,
            });
        }
        let classes = self.coarse_classes * self.fine_per_coarse;
        if classes > 256 {
            return Err(SyntheticError::TooManyClasses { classes });
        }
        let len = classes * self.samples_per_class;
        if len == 0 {
            return Err(SyntheticError::Empty);
        }
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let mut normal = || -> f64 { StandardNormal.sample(&mut rng) };

        // The directions: DCT images after the constant one, lowest frequencies first.
        let basis = dct_basis();
        let semantic_basis = &basis[PIXELS..PIXELS * (1 + semantic)];
        let nuisance_basis = &basis[PIXELS * (1 + semantic)..PIXELS * (1 + semantic + nuisance)];

        // Class means in semantic coordinates: the superclass's axis plus a random unit offset.
        let fine_to_coarse: Vec<u8> = (0..classes)
            .map(|c| (c / self.fine_per_coarse) as u8)
            .collect();
        let mut means = vec![0.0f64; classes * semantic]; // [classes, semantic]
        for (c, mean) in means.chunks_exact_mut(semantic).enumerate() {
            let offset: Vec<f64> = (0..semantic).map(|_| normal()).collect();
            let norm = offset.iter().map(|v| v * v).sum::<f64>().sqrt().max(1e-12);
            for (m, o) in mean.iter_mut().zip(&offset) {
                *m = self.fine_separation * o / norm;
            }
            mean[usize::from(fine_to_coarse[c])] += self.coarse_separation;
        }

        // Each image: semantic and nuisance coordinates mapped to pixels, plus pixel noise.
        let mut pixels = vec![0.0f64; len * PIXELS];
        let mut coordinates = vec![0.0f64; semantic + nuisance];
        for (i, image) in pixels.chunks_exact_mut(PIXELS).enumerate() {
            let mean = &means[(i % classes) * semantic..][..semantic];
            for (k, s) in coordinates[..semantic].iter_mut().enumerate() {
                *s = mean[k] + self.within_std * normal();
            }
            for n in &mut coordinates[semantic..] {
                *n = self.nuisance * normal();
            }
            // The nuisance directions follow the semantic ones in the basis.
            let directions = basis[PIXELS..].chunks_exact(PIXELS);
            for (&a, phi) in coordinates.iter().zip(directions) {
                for (p, &f) in image.iter_mut().zip(phi) {
                    *p += a * f64::from(f);
                }
            }
            for p in image.iter_mut() {
                *p += self.pixel_noise * normal();
            }
        }

        // One affine map of the whole set onto [0, 1].
        let (min, max) = pixels
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &p| {
                (lo.min(p), hi.max(p))
            });
        let range = if max > min { max - min } else { 1.0 };
        let labels: Vec<u8> = (0..len).map(|i| (i % classes) as u8).collect();
        Ok(SyntheticData {
            coarse_labels: labels
                .iter()
                .map(|&l| fine_to_coarse[usize::from(l)])
                .collect(),
            data: ImageDataset {
                pixels: pixels.iter().map(|&p| ((p - min) / range) as f32).collect(),
                labels,
                height: SIDE,
                width: SIDE,
                classes,
            },
            coarse_classes: self.coarse_classes,
            fine_to_coarse,
            semantic_basis: semantic_basis.to_vec(),
            nuisance_basis: nuisance_basis.to_vec(),
            scale: (1.0 / range) as f32,
            nuisance: self.nuisance,
        })
    }
}

/// The 64 orthonormal 8x8 DCT-II basis images, `[64, 64]`, ordered by frequency `u + v` and then
/// by vertical frequency `u`; the first is the constant image.
///
/// `phi_uv(y, x) = a(u) a(v) cos(pi (2y + 1) u / 16) cos(pi (2x + 1) v / 16)` with
/// `a(0) = sqrt(1/8)` and `a(k) = sqrt(2/8)` otherwise.
pub fn dct_basis() -> Vec<f32> {
    let mut frequencies: Vec<(usize, usize)> = (0..SIDE)
        .flat_map(|u| (0..SIDE).map(move |v| (u, v)))
        .collect();
    frequencies.sort_by_key(|&(u, v)| (u + v, u));
    let scale = |k: usize| (if k == 0 { 1.0 } else { 2.0 } / SIDE as f64).sqrt();
    let wave = |k: usize, t: usize| {
        scale(k) * (std::f64::consts::PI * (2 * t + 1) as f64 * k as f64 / (2 * SIDE) as f64).cos()
    };
    let mut basis = Vec::with_capacity(PIXELS * PIXELS);
    for (u, v) in frequencies {
        for y in 0..SIDE {
            for x in 0..SIDE {
                basis.push((wave(u, y) * wave(v, x)) as f32);
            }
        }
    }
    basis
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::stratified_split;
    use crate::metrics::{Labelled, ncc_accuracy};

    #[test]
    fn the_dct_basis_is_orthonormal() {
        let basis = dct_basis();
        for (i, a) in basis.chunks_exact(PIXELS).enumerate() {
            for (j, b) in basis.chunks_exact(PIXELS).enumerate() {
                let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
                let expected = if i == j { 1.0 } else { 0.0 };
                assert!((dot - expected).abs() < 1e-5, "{i} . {j} = {dot}");
            }
        }
    }

    #[test]
    fn the_seed_alone_fixes_the_data() {
        let config = SyntheticConfig::new().with_samples_per_class(20);
        let a = config.generate().unwrap();
        assert_eq!(a, config.generate().unwrap());
        assert_ne!(
            a.data.pixels,
            config.clone().with_seed(43).generate().unwrap().data.pixels
        );
    }

    #[test]
    fn shapes_labels_and_hierarchy_are_consistent() {
        let s = SyntheticConfig::new().generate().unwrap();
        let d = &s.data;
        assert_eq!((d.height, d.width, d.classes, d.len()), (8, 8, 10, 1800));
        assert_eq!(d.pixels.len(), 1800 * 64);
        assert!(d.pixels.iter().all(|p| (0.0..=1.0).contains(p)));
        assert_eq!(s.fine_to_coarse, vec![0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
        for (&fine, &coarse) in d.labels.iter().zip(&s.coarse_labels) {
            assert_eq!(s.fine_to_coarse[usize::from(fine)], coarse);
        }
        for class in 0..10u8 {
            assert_eq!(d.labels.iter().filter(|&&l| l == class).count(), 180);
        }
        assert_eq!(s.coarse().labels, s.coarse_labels);
    }

    /// Per-class means of `[len, dim]` rows: `[classes][dim]`.
    fn means(values: &[f32], labels: &[u8], dim: usize, classes: usize) -> Vec<Vec<f64>> {
        crate::metrics::class_centres(
            Labelled {
                values,
                labels,
                dim,
            },
            classes,
        )
        .into_iter()
        .map(Option::unwrap)
        .collect()
    }

    fn distance(a: &[f64], b: &[f64]) -> f64 {
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).powi(2))
            .sum::<f64>()
            .sqrt()
    }

    #[test]
    fn class_means_nest_inside_superclasses() {
        // Measured on the samples' semantic coordinates: the farthest pair of classes that share
        // a superclass is nearer than the nearest pair that do not.
        let s = SyntheticConfig::new().generate().unwrap();
        let semantic = s.project(&s.semantic_basis);
        let m = means(&semantic, &s.data.labels, 8, 10);
        let (mut within, mut across) = (0.0f64, f64::INFINITY);
        for i in 0..10 {
            for j in i + 1..10 {
                let dist = distance(&m[i], &m[j]);
                if s.fine_to_coarse[i] == s.fine_to_coarse[j] {
                    within = within.max(dist);
                } else {
                    across = across.min(dist);
                }
            }
        }
        assert!(within < across, "within {within}, across {across}");
    }

    #[test]
    fn ncc_on_the_semantic_directions_separates_superclasses() {
        // Superclass means 5.7 apart against a within-superclass spread of 1.2 (class offset)
        // plus 0.5 per direction (noise), in units before rescaling: errors need a 3-sigma
        // excursion, about one sample in a thousand.
        let s = SyntheticConfig::new().generate().unwrap();
        let semantic = s.project(&s.semantic_basis);
        let split = stratified_split(&s.coarse_labels, 5, 0.2, 1).unwrap();
        let part = |indices: &[usize]| -> (Vec<f32>, Vec<u8>) {
            let values = indices
                .iter()
                .flat_map(|&i| semantic[i * 8..][..8].to_vec())
                .collect();
            (
                values,
                indices.iter().map(|&i| s.coarse_labels[i]).collect(),
            )
        };
        let (train, test) = (part(&split.train), part(&split.test));
        fn set(p: &(Vec<f32>, Vec<u8>)) -> Labelled<'_> {
            Labelled {
                values: &p.0,
                labels: &p.1,
                dim: 8,
            }
        }
        let accuracy = ncc_accuracy(set(&train), set(&test), 5);
        assert!(accuracy > 0.98, "accuracy {accuracy}");
    }

    #[test]
    fn nuisance_directions_carry_the_nuisance_variance() {
        // The rescaling divides every projection by the same range, so the ratio of the
        // variance along a nuisance direction to the within-class variance along a semantic one
        // is (nuisance^2 + pixel_noise^2) / (within_std^2 + pixel_noise^2) = 9.0025 / 0.2525,
        // about 35.7. Each variance is estimated from 1,800 x 16 or 1,800 x 8 normal draws, with
        // relative standard errors under 3%; the tolerance is 10%.
        let s = SyntheticConfig::new().generate().unwrap();
        let nuisance = s.project(&s.nuisance_basis);
        let semantic = s.project(&s.semantic_basis);
        let nuisance_mean =
            nuisance.iter().map(|&v| f64::from(v)).sum::<f64>() / nuisance.len() as f64;
        let nuisance_var = nuisance
            .iter()
            .map(|&v| (f64::from(v) - nuisance_mean).powi(2))
            .sum::<f64>()
            / nuisance.len() as f64;
        let m = means(&semantic, &s.data.labels, 8, 10);
        let within_var = semantic
            .chunks_exact(8)
            .zip(&s.data.labels)
            .map(|(row, &l)| {
                row.iter()
                    .zip(&m[usize::from(l)])
                    .map(|(&v, c)| (f64::from(v) - c).powi(2))
                    .sum::<f64>()
            })
            .sum::<f64>()
            / semantic.len() as f64;
        let ratio = nuisance_var / within_var;
        let expected = (9.0 + 0.0025) / (0.25 + 0.0025);
        assert!(
            (ratio / expected - 1.0).abs() < 0.1,
            "ratio {ratio}, expected {expected}"
        );
    }

    /// Sample `index`'s projections on the semantic and the nuisance basis after one resampling
    /// by a generator seeded with `seed`, and before it.
    fn resampled(s: &SyntheticData, index: usize, seed: u64) -> [Vec<f32>; 4] {
        use rand::SeedableRng;
        let image = s.data.image(index);
        let mut view = image.to_vec();
        s.resampling()
            .apply(&mut view, &mut ChaCha8Rng::seed_from_u64(seed));
        let on = |basis: &[f32], x: &[f32]| -> Vec<f32> {
            basis
                .chunks_exact(PIXELS)
                .map(|phi| phi.iter().zip(x).map(|(a, b)| a * b).sum())
                .collect()
        };
        [
            on(&s.semantic_basis, image),
            on(&s.semantic_basis, &view),
            on(&s.nuisance_basis, image),
            on(&s.nuisance_basis, &view),
        ]
    }

    #[test]
    fn resampling_keeps_the_semantic_projection_and_redraws_the_nuisance() {
        // Pixels lie in [0, 1] and the basis rows have unit length, so projections are at most 8
        // in size; 1e-5 is a few f32 roundings of sums of 64 products.
        let s = SyntheticConfig::new()
            .with_samples_per_class(10)
            .generate()
            .unwrap();
        for index in [0, 17, 99] {
            let [semantic, semantic_after, nuisance, nuisance_after] = resampled(&s, index, 5);
            for (a, b) in semantic.iter().zip(&semantic_after) {
                assert!((a - b).abs() < 1e-5, "sample {index}: {a} became {b}");
            }
            let moved: f32 = nuisance
                .iter()
                .zip(&nuisance_after)
                .map(|(a, b)| (a - b).abs())
                .sum();
            // Old and new coordinates are independent N(0, (3 scale)^2) (plus pixel noise), so
            // each moves by 3 sqrt(2) scale sqrt(2 / pi), about 3.4 scale, on average; asking
            // for a mean of scale over the 16 leaves a wide margin.
            assert!(moved > 16.0 * s.scale, "sample {index}: moved {moved}");
        }
    }

    #[test]
    fn resampling_at_nuisance_zero_removes_the_nuisance() {
        let s = SyntheticConfig::new()
            .with_samples_per_class(10)
            .with_nuisance(0.0)
            .generate()
            .unwrap();
        let mut noisy = SyntheticConfig::new()
            .with_samples_per_class(10)
            .generate()
            .unwrap();
        noisy.nuisance = 0.0;
        for data in [&s, &noisy] {
            let [_, _, _, nuisance_after] = resampled(data, 3, 1);
            assert!(
                nuisance_after.iter().all(|v| v.abs() < 1e-5),
                "{nuisance_after:?}"
            );
        }
    }

    #[test]
    fn resampling_is_fixed_by_the_seed() {
        let s = SyntheticConfig::new()
            .with_samples_per_class(10)
            .generate()
            .unwrap();
        assert_eq!(resampled(&s, 4, 9), resampled(&s, 4, 9));
        assert_ne!(resampled(&s, 4, 9)[3], resampled(&s, 4, 10)[3]);
    }

    #[test]
    fn the_page_names_follow_the_generated_hierarchy() {
        // The page's legends name each class after its superclass; the default shape must agree.
        use crate::data::Dataset;
        let s = SyntheticConfig::new()
            .with_samples_per_class(2)
            .generate()
            .unwrap();
        let (fine, coarse) = (
            Dataset::Synthetic.class_names(),
            Dataset::Synthetic.coarse_names(),
        );
        assert_eq!(
            (fine.len(), coarse.len()),
            (s.data.classes, s.coarse_classes)
        );
        for (name, &c) in fine.iter().zip(&s.fine_to_coarse) {
            assert!(
                name.starts_with(coarse[usize::from(c)]),
                "{name} is not in {c}"
            );
        }
    }

    #[test]
    fn impossible_configurations_are_refused() {
        let too_many = SyntheticConfig::new().with_nuisance_dims(60).generate();
        assert_eq!(
            too_many,
            Err(SyntheticError::TooManyDirections {
                semantic: 8,
                nuisance: 60
            })
        );
        let few = SyntheticConfig::new().with_semantic_dims(3).generate();
        assert!(matches!(
            few,
            Err(SyntheticError::TooFewSemanticDirections { .. })
        ));
    }
}
