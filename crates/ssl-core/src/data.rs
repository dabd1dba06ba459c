//! Image data sets: decoding, scaling and a seeded, stratified train/test split.
//!
//! The files are gzip streams of raw `u8` values in row-major order (see `www/data/PROVENANCE.md`).
//! Pixels are scaled to `[0, 1]` by the set's largest possible value (16 for the 8x8 digits).
//! One data set, [`Dataset::Synthetic`], has no files: it is generated from the run's seed
//! ([`crate::synthetic`], [`crate::train::synthetic_for_run`]).

use std::io::Read;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use serde::{Deserialize, Serialize};

use crate::CoreError;
use crate::synthetic::SyntheticData;

/// A set of grey-scale images with one class label each.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageDataset {
    /// Pixels scaled to `[0, 1]`, one image after another: shape `[len, height * width]`.
    pub pixels: Vec<f32>,
    /// One class label per image, each in `0..classes`.
    pub labels: Vec<u8>,
    pub height: usize,
    pub width: usize,
    pub classes: usize,
}

/// The raw bytes of a data set as fetched, still compressed, and how to read them.
pub struct RawImages<'a> {
    /// A name for error messages, for example `digits_x.u8.gz`.
    pub name: &'a str,
    pub pixels_gz: &'a [u8],
    pub labels_gz: &'a [u8],
    pub height: usize,
    pub width: usize,
    pub classes: usize,
    /// The largest value a pixel can take (16 for the digits, 255 for MNIST).
    pub max_value: f32,
}

/// The gzip magic bytes; a stream without them is taken as already decompressed.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Decompresses a gzip stream.
///
/// A static host may serve a `.gz` file with `Content-Encoding: gzip`, in which case the browser
/// has already decompressed it; bytes that do not start with the gzip magic are returned as they
/// are so that both cases load.
pub fn gunzip(name: &str, bytes: &[u8]) -> Result<Vec<u8>, CoreError> {
    if !bytes.starts_with(&GZIP_MAGIC) {
        return Ok(bytes.to_vec());
    }
    let mut out = Vec::with_capacity(bytes.len() * 3);
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .map_err(|e| CoreError::Decompress {
            name: name.to_string(),
            reason: e.to_string(),
        })?;
    Ok(out)
}

impl ImageDataset {
    /// The number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The number of pixels of one image.
    pub fn dim(&self) -> usize {
        self.height * self.width
    }

    /// The pixels of image `index`.
    pub fn image(&self, index: usize) -> &[f32] {
        let d = self.dim();
        &self.pixels[index * d..(index + 1) * d]
    }

    /// Decodes and checks a data set from its two gzip files.
    pub fn decode(raw: &RawImages) -> Result<Self, CoreError> {
        let pixels = gunzip(raw.name, raw.pixels_gz)?;
        let labels = gunzip(raw.name, raw.labels_gz)?;
        let dim = raw.height * raw.width;
        if labels.is_empty() || pixels.len() != labels.len() * dim {
            return Err(CoreError::Shape {
                name: raw.name.to_string(),
                expected: labels.len().max(1) * dim,
                actual: pixels.len(),
            });
        }
        if let Some((index, &label)) = labels
            .iter()
            .enumerate()
            .find(|&(_, &l)| usize::from(l) >= raw.classes)
        {
            return Err(CoreError::Label {
                index,
                label,
                classes: raw.classes,
            });
        }
        Ok(Self {
            pixels: pixels
                .iter()
                .map(|&p| f32::from(p) / raw.max_value)
                .collect(),
            labels,
            height: raw.height,
            width: raw.width,
            classes: raw.classes,
        })
    }

    /// The images at `indices`, in that order, as a new data set.
    pub fn subset(&self, indices: &[usize]) -> Self {
        let mut pixels = Vec::with_capacity(indices.len() * self.dim());
        for &i in indices {
            pixels.extend_from_slice(self.image(i));
        }
        Self {
            pixels,
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
            height: self.height,
            width: self.width,
            classes: self.classes,
        }
    }
}

/// The scikit-learn 8x8 digits (1,797 images, pixels 0..16), from the bytes of the two files
/// bundled under `www/data/digits/`.
pub fn digits(pixels_gz: &[u8], labels_gz: &[u8]) -> Result<ImageDataset, CoreError> {
    ImageDataset::decode(&RawImages {
        name: "digits",
        pixels_gz,
        labels_gz,
        height: 8,
        width: 8,
        classes: 10,
        max_value: 16.0,
    })
}

/// A data set the page offers: bundled, or generated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dataset {
    /// scikit-learn's 8x8 digits: 1,797 images, split by the run's seed. Fetched at start.
    #[default]
    Digits,
    /// MNIST, 5,000 train and 1,000 test images of 28x28, already split.
    Mnist,
    /// Fashion-MNIST, 5,000 train and 1,000 test images of 28x28, already split.
    Fashion,
    /// The synthetic hierarchy of [`crate::synthetic`] with its default shape: 1,800 images of
    /// 8x8, five superclasses of two classes. Generated from the run's seed, split by it.
    Synthetic,
}

/// One file of a data set, relative to the site's `data/` folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataFile {
    pub path: &'static str,
    /// Its size as bundled (gzip), for a progress bar when the host sends no length.
    pub gzip_bytes: usize,
}

impl Dataset {
    pub const ALL: [Dataset; 4] = [
        Dataset::Digits,
        Dataset::Mnist,
        Dataset::Fashion,
        Dataset::Synthetic,
    ];

    /// The name in a link (`dataset=mnist`) and in the select.
    pub fn key(self) -> &'static str {
        match self {
            Dataset::Digits => "digits",
            Dataset::Mnist => "mnist",
            Dataset::Fashion => "fashion",
            Dataset::Synthetic => "synthetic",
        }
    }

    pub fn from_key(key: &str) -> Option<Dataset> {
        Dataset::ALL.into_iter().find(|d| d.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Dataset::Digits => "Digits (8x8, 1,797)",
            Dataset::Mnist => "MNIST (28x28, 6,000)",
            Dataset::Fashion => "Fashion-MNIST (28x28, 6,000)",
            Dataset::Synthetic => "Synthetic hierarchy (8x8, 1,800)",
        }
    }

    /// The name of each class, for legends: one per label, in label order.
    pub fn class_names(self) -> &'static [&'static str] {
        match self {
            Dataset::Digits | Dataset::Mnist => &["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
            Dataset::Synthetic => &SYNTHETIC_CLASS_NAMES,
            Dataset::Fashion => &[
                "T-shirt/top",
                "trouser",
                "pullover",
                "dress",
                "coat",
                "sandal",
                "shirt",
                "sneaker",
                "bag",
                "ankle boot",
            ],
        }
    }

    /// The name of each coarse class, where the data set has a second, coarser labelling.
    pub fn coarse_names(self) -> &'static [&'static str] {
        match self {
            Dataset::Digits | Dataset::Mnist => &[],
            Dataset::Fashion => &FASHION_COARSE_NAMES,
            Dataset::Synthetic => &SYNTHETIC_COARSE_NAMES,
        }
    }

    /// The files to fetch: pixels then labels, for the whole set (digits) or train then test.
    /// Sizes from `shared/data/manifest.json`. None for a generated data set.
    pub fn files(self) -> &'static [DataFile] {
        match self {
            Dataset::Digits => &DIGITS_FILES,
            Dataset::Mnist => &MNIST_FILES,
            Dataset::Fashion => &FASHION_FILES,
            Dataset::Synthetic => &[],
        }
    }

    /// Whether the data set is generated from the run's settings rather than fetched, so that
    /// no copy of it may serve a run with other settings.
    pub fn is_generated(self) -> bool {
        self == Dataset::Synthetic
    }
}

const fn file(path: &'static str, gzip_bytes: usize) -> DataFile {
    DataFile { path, gzip_bytes }
}

const DIGITS_FILES: [DataFile; 2] = [
    file("data/digits/digits_x.u8.gz", 44_089),
    file("data/digits/digits_y.u8.gz", 142),
];
const MNIST_FILES: [DataFile; 4] = [
    file("data/mnist/mnist_train5k_test1k_train_x.u8.gz", 813_128),
    file("data/mnist/mnist_train5k_test1k_train_y.u8.gz", 2_504),
    file("data/mnist/mnist_train5k_test1k_test_x.u8.gz", 158_175),
    file("data/mnist/mnist_train5k_test1k_test_y.u8.gz", 516),
];
const FASHION_FILES: [DataFile; 6] = [
    file(
        "data/fashion/fashion_train5k_test1k_train_x.u8.gz",
        2_177_715,
    ),
    file("data/fashion/fashion_train5k_test1k_train_y.u8.gz", 2_548),
    file("data/fashion/fashion_train5k_test1k_test_x.u8.gz", 436_237),
    file("data/fashion/fashion_train5k_test1k_test_y.u8.gz", 513),
    file(
        "data/fashion/fashion_train5k_test1k_train_coarse3.u8.gz",
        1_144,
    ),
    file(
        "data/fashion/fashion_train5k_test1k_test_coarse3.u8.gz",
        268,
    ),
];

/// Fashion-MNIST's coarse classes, made up for this project (not part of Fashion-MNIST): 0
/// clothing (T-shirt/top, trouser, pullover, dress, coat, shirt), 1 footwear (sandal, sneaker,
/// ankle boot), 2 bag. See `www/data/PROVENANCE.md`.
pub const FASHION_COARSE_NAMES: [&str; 3] = ["clothing", "footwear", "bag"];

/// The synthetic set's superclasses, one letter each.
pub const SYNTHETIC_COARSE_NAMES: [&str; 5] = ["A", "B", "C", "D", "E"];

/// The synthetic set's classes: the superclass's letter and the class's number within it
/// (class `C` belongs to superclass `C / 2`).
pub const SYNTHETIC_CLASS_NAMES: [&str; 10] =
    ["A1", "A2", "B1", "B2", "C1", "C2", "D1", "D2", "E1", "E2"];

/// A second, coarser labelling of the same images (a label hierarchy's upper level).
#[derive(Debug, Clone, PartialEq)]
pub struct CoarseLabels {
    pub train: Vec<u8>,
    pub test: Vec<u8>,
    pub classes: usize,
}

/// A data set as loaded: whole (split later by each run's seed), already split, or generated
/// (split later by the run's seed, its superclasses and nuisance directions carried along).
#[derive(Debug, Clone, PartialEq)]
pub enum Loaded {
    Whole(ImageDataset),
    Split {
        train: ImageDataset,
        test: ImageDataset,
        coarse: Option<CoarseLabels>,
    },
    Synthetic(SyntheticData),
}

/// Reads `dataset`'s files from the site's folder `www` (the repository's `www/`) and decodes
/// them: the native way in, for the examples and tests, where the page fetches instead.
pub fn read_bundled(dataset: Dataset, www: &std::path::Path) -> Result<Loaded, CoreError> {
    let files = dataset
        .files()
        .iter()
        .map(|f| {
            let path = www.join(f.path);
            std::fs::read(&path).map_err(|e| CoreError::Read {
                path: path.display().to_string(),
                reason: e.to_string(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    decode_dataset(dataset, &files)
}

/// [`read_bundled`] from this repository's `www/`, found from the core's own folder: for the
/// native examples, tests and benchmarks, whatever folder they run in.
pub fn read_workspace_bundled(dataset: Dataset) -> Result<Loaded, CoreError> {
    let www = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../www");
    read_bundled(dataset, &www)
}

/// Decodes the fetched bytes of `dataset`'s files, in the order of [`Dataset::files`]. A
/// generated data set has no files to decode: asking for one is an error.
pub fn decode_dataset(dataset: Dataset, files: &[Vec<u8>]) -> Result<Loaded, CoreError> {
    let expected = dataset.files().len();
    if files.len() != expected {
        return Err(CoreError::Shape {
            name: dataset.key().to_string(),
            expected,
            actual: files.len(),
        });
    }
    let mnist_like = |name, pixels: &[u8], labels: &[u8]| {
        ImageDataset::decode(&RawImages {
            name,
            pixels_gz: pixels,
            labels_gz: labels,
            height: 28,
            width: 28,
            classes: 10,
            max_value: 255.0,
        })
    };
    let coarse = |train: &ImageDataset, test: &ImageDataset| -> Result<CoarseLabels, CoreError> {
        let classes = FASHION_COARSE_NAMES.len();
        let read = |index: usize, expected: usize| -> Result<Vec<u8>, CoreError> {
            let name = dataset.files()[index].path;
            let labels = gunzip(name, &files[index])?;
            if labels.len() != expected {
                return Err(CoreError::Shape {
                    name: name.to_string(),
                    expected,
                    actual: labels.len(),
                });
            }
            if let Some((index, &label)) = labels
                .iter()
                .enumerate()
                .find(|&(_, &l)| usize::from(l) >= classes)
            {
                return Err(CoreError::Label {
                    index,
                    label,
                    classes,
                });
            }
            Ok(labels)
        };
        Ok(CoarseLabels {
            train: read(4, train.len())?,
            test: read(5, test.len())?,
            classes,
        })
    };
    Ok(match dataset {
        Dataset::Synthetic => {
            return Err(CoreError::Generated {
                name: dataset.key().to_string(),
            });
        }
        Dataset::Digits => Loaded::Whole(digits(&files[0], &files[1])?),
        Dataset::Mnist | Dataset::Fashion => {
            let train = mnist_like(dataset.files()[0].path, &files[0], &files[1])?;
            let test = mnist_like(dataset.files()[2].path, &files[2], &files[3])?;
            let coarse = match dataset {
                Dataset::Fashion => Some(coarse(&train, &test)?),
                _ => None,
            };
            Loaded::Split {
                train,
                test,
                coarse,
            }
        }
    })
}

/// Centres each pixel on its train-set mean and scales by the train set's overall standard
/// deviation, so the network's inputs have mean 0 and variance about 1 whatever the data set.
#[derive(Debug, Clone, PartialEq)]
pub struct Standardizer {
    /// `[dim]`.
    pub mean: Vec<f32>,
    pub inverse_std: f32,
}

impl Standardizer {
    /// Fits the per-pixel means and the pooled standard deviation of `data`.
    pub fn fit(data: &ImageDataset) -> Self {
        let (d, n) = (data.dim(), data.len().max(1));
        let mut mean = vec![0.0f64; d];
        for row in data.pixels.chunks_exact(d) {
            for (m, &p) in mean.iter_mut().zip(row) {
                *m += f64::from(p) / n as f64;
            }
        }
        let mut squares = 0.0f64;
        for row in data.pixels.chunks_exact(d) {
            squares += row
                .iter()
                .zip(&mean)
                .map(|(&p, m)| (f64::from(p) - m).powi(2))
                .sum::<f64>();
        }
        let std = (squares / (n * d) as f64).sqrt();
        Self {
            mean: mean.into_iter().map(|m| m as f32).collect(),
            inverse_std: if std > 0.0 { (1.0 / std) as f32 } else { 1.0 },
        }
    }

    /// Standardizes rows of `[len, dim]` in place.
    pub fn apply(&self, values: &mut [f32]) {
        for row in values.chunks_exact_mut(self.mean.len()) {
            for (v, m) in row.iter_mut().zip(&self.mean) {
                *v = (*v - m) * self.inverse_std;
            }
        }
    }
}

/// Indices of a train/test split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

/// Splits `labels` into train and test so that every class keeps the same test fraction.
///
/// Within each class the indices are shuffled by a generator seeded with `seed`, and the first
/// `round(count * test_fraction)` (at least one) go to the test set. Both lists come back sorted,
/// so the split depends on the seed only and not on the order classes are visited.
pub fn stratified_split(
    labels: &[u8],
    classes: usize,
    test_fraction: f64,
    seed: u64,
) -> Result<Split, CoreError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut split = Split {
        train: Vec::new(),
        test: Vec::new(),
    };
    for class in 0..classes {
        let mut members: Vec<usize> = (0..labels.len())
            .filter(|&i| usize::from(labels[i]) == class)
            .collect();
        if members.len() < 2 {
            return Err(CoreError::TooFewSamples {
                class,
                count: members.len(),
            });
        }
        members.shuffle(&mut rng);
        let n_test =
            ((members.len() as f64 * test_fraction).round() as usize).clamp(1, members.len() - 1);
        split.test.extend_from_slice(&members[..n_test]);
        split.train.extend_from_slice(&members[n_test..]);
    }
    split.train.sort_unstable();
    split.test.sort_unstable();
    Ok(split)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gz(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(bytes).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn decode_scales_pixels_and_keeps_labels() {
        let pixels = gz(&[0, 16, 8, 4]);
        let labels = gz(&[1]);
        let set = ImageDataset::decode(&RawImages {
            name: "t",
            pixels_gz: &pixels,
            labels_gz: &labels,
            height: 2,
            width: 2,
            classes: 2,
            max_value: 16.0,
        })
        .unwrap();
        assert_eq!(set.pixels, vec![0.0, 1.0, 0.5, 0.25]);
        assert_eq!(set.labels, vec![1]);
    }

    #[test]
    fn standardized_pixels_have_zero_mean_and_unit_pooled_variance() {
        // Two pixels over two images: means 1 and 3; deviations +-1 and +-1, so std 1... then
        // scaled by 2 to check the scale: pixels (0, 2), (2, 6) -> means (1, 4), deviations
        // (-1, -2), (1, 2): pooled variance (1 + 4 + 1 + 4) / 4 = 2.5.
        let set = ImageDataset {
            pixels: vec![0.0, 2.0, 2.0, 6.0],
            labels: vec![0, 0],
            height: 1,
            width: 2,
            classes: 1,
        };
        let s = Standardizer::fit(&set);
        assert_eq!(s.mean, vec![1.0, 4.0]);
        assert!((s.inverse_std - 1.0 / 2.5f32.sqrt()).abs() < 1e-6);
        let mut v = set.pixels.clone();
        s.apply(&mut v);
        assert!((v[0] + v[2]).abs() < 1e-6 && (v[1] + v[3]).abs() < 1e-6);
    }

    #[test]
    fn already_decompressed_bytes_load_as_they_are() {
        assert_eq!(gunzip("t", &[3, 4, 5]).unwrap(), vec![3, 4, 5]);
    }

    #[test]
    fn ragged_pixels_are_refused_with_the_sizes() {
        let err = ImageDataset::decode(&RawImages {
            name: "t",
            pixels_gz: &gz(&[0, 1, 2]),
            labels_gz: &gz(&[0]),
            height: 2,
            width: 2,
            classes: 2,
            max_value: 16.0,
        })
        .unwrap_err();
        assert_eq!(
            err,
            CoreError::Shape {
                name: "t".into(),
                expected: 4,
                actual: 3
            }
        );
    }

    #[test]
    fn split_is_stratified_disjoint_and_seeded() {
        let labels: Vec<u8> = (0..100).map(|i| (i % 4) as u8).collect();
        let a = stratified_split(&labels, 4, 0.2, 7).unwrap();
        assert_eq!(a.test.len(), 20);
        assert_eq!(a.train.len(), 80);
        for class in 0..4u8 {
            assert_eq!(a.test.iter().filter(|&&i| labels[i] == class).count(), 5);
        }
        assert!(a.test.iter().all(|i| !a.train.contains(i)));
        assert_eq!(a, stratified_split(&labels, 4, 0.2, 7).unwrap());
        assert_ne!(a, stratified_split(&labels, 4, 0.2, 8).unwrap());
    }
}
