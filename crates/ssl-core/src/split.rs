//! The data a run trains and is measured on: the seeded train/test split of a data set, and the
//! independent seeds the parts of a run derive from its one seed.
//!
//! A bundled data set that ships whole (the digits) is split here, stratified by class, with the
//! run's split seed; MNIST and Fashion-MNIST ship their own split; the synthetic set is generated
//! from the run's seed and split here, its superclasses carried along as the coarse labels.

use crate::CoreError;
use crate::augment::NuisanceResampling;
use crate::data::{CoarseLabels, ImageDataset, Loaded, stratified_split};
use crate::metrics::Labelled;
use crate::settings::Settings;
use crate::synthetic::{SyntheticConfig, SyntheticData};
use crate::train::{Evaluation, Measured};

/// The share of each class held out for testing.
pub const TEST_FRACTION: f64 = 0.2;

/// One half of the split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Train,
    Test,
}

/// The train and test halves of a data set.
#[derive(Debug, Clone)]
pub struct SplitData {
    pub train: ImageDataset,
    pub test: ImageDataset,
    /// Coarse labels of the same train and test images, where the data set has a hierarchy.
    pub coarse: Option<CoarseLabels>,
    /// The nuisance resampling each view gets, where the data set's nuisances are known.
    pub resampling: Option<NuisanceResampling>,
}

impl SplitData {
    /// The split a run of `loaded` with `seed` uses: the seeded split of a whole data set, or
    /// the data set's own.
    pub fn for_run(loaded: &Loaded, seed: u64) -> Result<Self, CoreError> {
        match loaded {
            Loaded::Whole(data) => Self::new(data, sub_seed(seed, SPLIT_PART)),
            Loaded::Split {
                train,
                test,
                coarse,
            } => Ok(Self {
                train: train.clone(),
                test: test.clone(),
                coarse: coarse.clone(),
                resampling: None,
            }),
            Loaded::Synthetic(synthetic) => Self::synthetic(synthetic, sub_seed(seed, SPLIT_PART)),
        }
    }

    /// The seeded split of a synthetic set, stratified by fine class (so every superclass keeps
    /// the test fraction too), with each image's superclass and the set's nuisance resampling.
    fn synthetic(synthetic: &SyntheticData, seed: u64) -> Result<Self, CoreError> {
        let data = &synthetic.data;
        let split = stratified_split(&data.labels, data.classes, TEST_FRACTION, seed)?;
        let coarse = |indices: &[usize]| -> Vec<u8> {
            indices
                .iter()
                .map(|&i| synthetic.coarse_labels[i])
                .collect()
        };
        Ok(Self {
            train: data.subset(&split.train),
            test: data.subset(&split.test),
            coarse: Some(CoarseLabels {
                train: coarse(&split.train),
                test: coarse(&split.test),
                classes: synthetic.coarse_classes,
            }),
            resampling: Some(synthetic.resampling()),
        })
    }

    /// The seeded, stratified split of `data` (see [`stratified_split`]).
    pub fn new(data: &ImageDataset, seed: u64) -> Result<Self, CoreError> {
        let split = stratified_split(&data.labels, data.classes, TEST_FRACTION, seed)?;
        Ok(Self {
            train: data.subset(&split.train),
            test: data.subset(&split.test),
            coarse: None,
            resampling: None,
        })
    }

    /// The analyses of the raw pixels: the baseline an embedding must beat. kNN and the probe
    /// are left out: on 784 pixels they would hold the worker for seconds.
    pub fn pixel_baseline(&self) -> Evaluation {
        let (train, test) = (&self.train, &self.test);
        let train_set = Labelled {
            values: &train.pixels,
            labels: &train.labels,
            dim: train.dim(),
        };
        let test_set = Labelled {
            values: &test.pixels,
            labels: &test.labels,
            dim: test.dim(),
        };
        let measured = Measured {
            train: train_set,
            test: test_set,
            classes: train.classes,
            coarse: self.coarse.as_ref(),
        };
        measured.evaluation(0, false, false)
    }
}

/// Independent seeds for the parts of a run, derived from its one seed (SplitMix64's finaliser
/// applied to the seed plus a per-part constant), so that changing, say, the batch size does not
/// change the initial weights.
pub fn sub_seed(seed: u64, part: u64) -> u64 {
    let mut z = seed.wrapping_add(part.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

pub(crate) const SPLIT_PART: u64 = 1;
pub(crate) const WEIGHTS_PART: u64 = 2;
pub(crate) const BATCHES_PART: u64 = 3;
pub(crate) const RANDOM_TARGETS_PART: u64 = 4;
pub(crate) const SYNTHETIC_PART: u64 = 5;

/// The synthetic data set a run with `settings` trains on: [`SyntheticConfig`]'s defaults with
/// the run's own sub-seed and the settings' nuisance. The same settings always give the same
/// images; any other seed or nuisance gives other ones, so a caller that keeps a copy must key it
/// by both.
pub fn synthetic_for_run(settings: &Settings) -> Result<Loaded, CoreError> {
    let data = SyntheticConfig::new()
        .with_seed(sub_seed(settings.seed, SYNTHETIC_PART))
        .with_nuisance(settings.nuisance)
        .generate()?;
    Ok(Loaded::Synthetic(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_seeds_differ_by_part_and_by_seed() {
        assert_ne!(sub_seed(1, SPLIT_PART), sub_seed(1, WEIGHTS_PART));
        assert_ne!(sub_seed(1, SPLIT_PART), sub_seed(2, SPLIT_PART));
        assert_eq!(sub_seed(1, SPLIT_PART), sub_seed(1, SPLIT_PART));
    }
}

/// The batches of a training run: a permutation of the train indices read in order and
/// reshuffled, by the run's generator, once every sample has been seen (the last, incomplete
/// batch of an epoch is skipped). It starts exhausted, so the first batch shuffles.
#[derive(Debug, Clone, PartialEq)]
pub struct Batches {
    order: Vec<usize>,
    cursor: usize,
}

impl Batches {
    /// Batches of the indices `0..len`.
    pub fn new(len: usize) -> Self {
        Self {
            order: (0..len).collect(),
            cursor: usize::MAX,
        }
    }

    /// The indices of the next batch of `batch` (at most every index).
    pub fn next(&mut self, batch: usize, rng: &mut impl rand::Rng) -> Vec<usize> {
        use rand::seq::SliceRandom;
        let batch = batch.min(self.order.len());
        if self.cursor.saturating_add(batch) > self.order.len() {
            self.order.shuffle(rng);
            self.cursor = 0;
        }
        let indices = self.order[self.cursor..self.cursor + batch].to_vec();
        self.cursor += batch;
        indices
    }
}
