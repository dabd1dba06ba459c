//! The training loop, one step at a time.
//!
//! [`Trainer`] owns the model, the Adam state, the train/test split and the generator that draws
//! batches, views and, for a pretext method, the task labels. A joint-embedding step (VICReg,
//! SimCLR, Barlow Twins) scores two augmented views of each sample; a pretext step (rotation,
//! jigsaw) transforms one augmented view of each sample by a label drawn for it and scores the
//! classifier head's cross-entropy against those labels.
//!
//! A caller (the web worker, a native test, later the command line) calls [`Trainer::step`] as
//! often as it likes and [`Trainer::evaluate`] on its own schedule; nothing here loops or sleeps,
//! so the caller can stop between any two steps.
//!
//! Labels are used only by [`Trainer::evaluate`] and [`Trainer::embedding_view`], after the
//! fact; the training step never reads them (a pretext task's labels are made up from the
//! transformation, not read from the data set).

use burn::module::Module;
use burn::optim::{AdamConfig, ModuleOptimizer};
use burn::tensor::{Device, Tensor, TensorData};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::CoreError;
use crate::analysis::{DEFAULT_K, LinearProbe, LinearProbeConfig, cdnv, knn_accuracy};
use crate::augment::Augmenter;
use crate::data::{CoarseLabels, ImageDataset, Standardizer};
use crate::method::{Method, MethodLoss, StepValues, method_loss, pretext_loss};
use crate::metrics::{Labelled, ncc_accuracy};
use crate::model::{ModelConfig, SslModel, descend};
use crate::pca::Pca;
use crate::pretext::{Pretext, pretext_rows};
use crate::random_targets::{RANDOMNESS_LEVELS, random_targets};
use crate::readback::read_f32;
use crate::settings::Settings;
use crate::split::{BATCHES_PART, Batches, RANDOM_TARGETS_PART, SPLIT_PART, WEIGHTS_PART};
pub use crate::split::{Part, SplitData, TEST_FRACTION, sub_seed, synthetic_for_run};

/// A loss this many times the first step's loss counts as diverged. Measured on the digits with
/// the default weights (first loss 42.6): learning rates up to 1 peak below 70 times it and
/// recover; 3 and 10 reach 1e8 and 1e12, finite numbers that will not come back down. A
/// non-finite loss always counts.
pub const DIVERGENCE_FACTOR: f64 = 1e3;

/// Whether a step's `loss` means the run diverged, given the run's `first_loss`. The scale is at
/// least 1, so a run whose loss starts near zero (every weight at 0) is not flagged for noise.
pub fn diverged(loss: f64, first_loss: f64) -> bool {
    !loss.is_finite() || loss > DIVERGENCE_FACTOR * first_loss.abs().max(1.0)
}

/// What one training step measured.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StepReport {
    /// The number of steps done, this one included.
    pub step: usize,
    pub method: Method,
    /// The unweighted terms, in the order of [`Method::terms`], padded with zeros.
    pub terms: StepValues,
    /// The weights this step used (they can change between steps).
    pub weights: StepValues,
    /// The weighted sum that was minimised.
    pub total: f64,
}

impl StepReport {
    /// Each term of the method with its weighted value.
    pub fn weighted_terms(&self) -> impl Iterator<Item = (crate::method::Term, f64)> + '_ {
        self.method
            .terms()
            .iter()
            .enumerate()
            .map(|(i, &term)| (term, self.weights[i] * self.terms[i]))
    }
}

/// What the analyses of Ben-Shaul et al. measure on the embeddings at one step. Labels are read
/// here and only here.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub step: usize,
    /// Nearest-class-centre accuracy on train and on test (centres from train), fine classes.
    pub ncc_train: f64,
    pub ncc_test: f64,
    /// Test NCC at the coarse level of the label hierarchy, where the data set has one.
    pub ncc_test_coarse: Option<f64>,
    /// Train NCC and CDNV at the coarse level, where the data set has one.
    #[serde(default)]
    pub ncc_train_coarse: Option<f64>,
    #[serde(default)]
    pub cdnv_train_coarse: Option<f64>,
    /// Class-distance normalised variance of the train embeddings (fine classes): lower means
    /// tighter, better separated clusters (see [`crate::analysis::cdnv`]).
    pub cdnv_train: f64,
    /// Cosine k-nearest-neighbour accuracy on test, k = [`crate::analysis::DEFAULT_K`].
    pub knn_test: Option<f64>,
    /// Linear-probe accuracy on test (softmax regression on frozen train embeddings), when this
    /// evaluation ran one: it is slower than the rest, so it runs every [`PROBE_EVERY`] steps.
    pub probe_test: Option<f64>,
}

/// Steps between two linear probes (a multiple of the worker's evaluation interval). The
/// per-layer NCC runs on the same schedule.
pub const PROBE_EVERY: usize = 100;
/// Steps between two random-target measurements (eleven NCC fits and eleven probes).
pub const RANDOM_TARGETS_EVERY: usize = 200;
/// The most train samples the random-target measurement uses (every k-th train sample), so it
/// costs about the same on every data set.
pub const RANDOM_TARGETS_SAMPLES: usize = 1000;

/// Test NCC of every layer's representation at one step (finding e).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerNcc {
    pub step: usize,
    pub names: Vec<String>,
    pub ncc_test: Vec<f64>,
}

/// How well the train embeddings fit targets of growing randomness (finding c): at level `r`
/// a fixed, seeded fraction `r` of the samples get a uniformly random class
/// ([`crate::random_targets`]). Both measures are fit accuracies on the train samples used:
/// random targets cannot be predicted on unseen samples, so the question is how well the
/// embedding's geometry can express them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RandomTargetFit {
    pub step: usize,
    pub levels: Vec<f64>,
    /// NCC accuracy against the targets, centres from the same samples.
    pub ncc: Vec<f64>,
    /// Linear-probe accuracy against the targets, trained on the same samples.
    pub probe: Vec<f64>,
}

/// The analyses of one set of embeddings (or of the raw pixels).
pub(crate) struct Measured<'a> {
    pub(crate) train: Labelled<'a>,
    pub(crate) test: Labelled<'a>,
    pub(crate) classes: usize,
    pub(crate) coarse: Option<&'a CoarseLabels>,
}

impl Measured<'_> {
    pub(crate) fn evaluation(&self, step: usize, knn: bool, probe: bool) -> Evaluation {
        let (train, test, classes) = (self.train, self.test, self.classes);
        // [train NCC, test NCC, train CDNV] at the coarse level.
        let coarse = self.coarse.map(|c| {
            let train_coarse = Labelled {
                labels: &c.train[..],
                ..train
            };
            let test_coarse = Labelled {
                labels: &c.test[..],
                ..test
            };
            [
                ncc_accuracy(train_coarse, train_coarse, c.classes),
                ncc_accuracy(train_coarse, test_coarse, c.classes),
                cdnv(train_coarse, c.classes),
            ]
        });
        Evaluation {
            step,
            ncc_train: ncc_accuracy(train, train, classes),
            ncc_test: ncc_accuracy(train, test, classes),
            ncc_test_coarse: coarse.map(|c| c[1]),
            ncc_train_coarse: coarse.map(|c| c[0]),
            cdnv_train_coarse: coarse.map(|c| c[2]),
            cdnv_train: cdnv(train, classes),
            knn_test: knn.then(|| knn_accuracy(train, test, classes, DEFAULT_K)),
            probe_test: probe.then(|| {
                LinearProbe::fit(train, classes, &LinearProbeConfig::new()).accuracy(test)
            }),
        }
    }
}

/// The test embeddings projected on their top two principal components.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmbeddingView {
    pub step: usize,
    /// `[len, 2]`, row-major.
    pub points: Vec<f32>,
    pub labels: Vec<u8>,
}

/// Everything a step changes, saved so a diverged run can go back to it.
#[derive(Clone)]
struct Checkpoint {
    model: SslModel,
    optimizer: ModuleOptimizer,
    rng: ChaCha8Rng,
    batches: Batches,
    steps_done: usize,
}

/// A run in progress, of any [`Method`].
pub struct Trainer {
    settings: Settings,
    /// The autodiff device the model trains on.
    device: Device,
    model: SslModel,
    optimizer: ModuleOptimizer,
    data: SplitData,
    /// Fitted on the train images; applied to every input after augmentation.
    standardizer: Standardizer,
    /// The train and test images standardized once, for the embeddings: `[len, dim]` each.
    train_inputs: Vec<f32>,
    test_inputs: Vec<f32>,
    augmenter: Augmenter,
    rng: ChaCha8Rng,
    batches: Batches,
    steps_done: usize,
    /// The loss of step 1, the scale divergence is judged against.
    first_loss: Option<f64>,
    /// The last state known to be sound (see [`Trainer::checkpoint`]).
    checkpoint: Option<Checkpoint>,
}

impl Trainer {
    /// A fresh run on `data` with `settings`, training on `device` (a non-autodiff device; the
    /// trainer adds autodiff itself).
    pub fn new(data: &ImageDataset, settings: Settings, device: Device) -> Result<Self, CoreError> {
        let split = SplitData::new(data, sub_seed(settings.seed, SPLIT_PART))?;
        Self::with_split(split, settings, device)
    }

    /// A fresh run on a split already made (see [`SplitData::for_run`]).
    pub fn with_split(
        data: SplitData,
        settings: Settings,
        device: Device,
    ) -> Result<Self, CoreError> {
        let device = device.autodiff();
        let mut config = ModelConfig::new()
            .with_input_dim(data.train.dim())
            .with_seed(sub_seed(settings.seed, WEIGHTS_PART));
        // A pretext method's head is the projector with its last width cut to the number of task
        // labels. The weights are drawn in the same order, so the encoder starts the same.
        if let Some(pretext) = settings.method.pretext() {
            let mut dims = config.projector_dims.clone();
            *dims.last_mut().expect("the projector has layers") = pretext.classes();
            config = config.with_projector_dims(dims);
        }
        let model = config.init(&device);
        let augmenter = Augmenter {
            height: data.train.height,
            width: data.train.width,
            strength: settings.augment_strength as f32,
            resampling: data.resampling.clone(),
        };
        let standardizer = Standardizer::fit(&data.train);
        let standardized = |set: &ImageDataset| {
            let mut inputs = set.pixels.clone();
            standardizer.apply(&mut inputs);
            inputs
        };
        let mut trainer = Self {
            train_inputs: standardized(&data.train),
            test_inputs: standardized(&data.test),
            standardizer,
            rng: ChaCha8Rng::seed_from_u64(sub_seed(settings.seed, BATCHES_PART)),
            batches: Batches::new(data.train.len()),
            optimizer: AdamConfig::new().init(),
            settings,
            device,
            model,
            data,
            augmenter,
            steps_done: 0,
            first_loss: None,
            checkpoint: None,
        };
        trainer.checkpoint();
        Ok(trainer)
    }

    /// Remembers the current state as sound, to [`Trainer::rewind`] to if the run diverges later.
    /// The worker calls it after every evaluation that came out finite. The copy is cheap: burn's
    /// tensors are reference-counted, so it shares the weights until the next step replaces them.
    pub fn checkpoint(&mut self) {
        self.checkpoint = Some(Checkpoint {
            model: self.model.clone(),
            optimizer: self.optimizer.clone(),
            rng: self.rng.clone(),
            batches: self.batches.clone(),
            steps_done: self.steps_done,
        });
    }

    /// The step of the last checkpoint.
    pub fn checkpoint_step(&self) -> Option<usize> {
        self.checkpoint.as_ref().map(|c| c.steps_done)
    }

    /// Goes back to the last checkpoint (weights, Adam's moments, the batch order and the
    /// generator) and returns its step. The live settings are kept, so a lowered learning rate
    /// applies from there. Stepping on from a checkpoint repeats the steps taken after it exactly.
    pub fn rewind(&mut self) -> Option<usize> {
        let c = self.checkpoint.clone()?;
        self.model = c.model;
        self.optimizer = c.optimizer;
        self.rng = c.rng;
        self.batches = c.batches;
        self.steps_done = c.steps_done;
        Some(self.steps_done)
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn steps_done(&self) -> usize {
        self.steps_done
    }

    pub fn data(&self) -> &SplitData {
        &self.data
    }

    /// Changes the loss weights and learning rate from the next step on. Settings that shape the
    /// run from its start (see [`Settings::needs_reset`]) are ignored here.
    pub fn set_live_settings(&mut self, next: &Settings) {
        self.settings = self.settings.with_live_from(next);
    }

    /// The train indices of the next batch.
    fn next_batch(&mut self) -> Vec<usize> {
        self.batches.next(self.settings.batch_size, &mut self.rng)
    }

    /// One step of Adam on the method's loss of one batch.
    pub fn step(&mut self) -> Result<StepReport, CoreError> {
        let indices = self.next_batch();
        let method = self.settings.method;
        let scored = match method.pretext() {
            None => self.score_two_views(&indices),
            Some(pretext) => self.score_pretext(pretext, &indices),
        };
        let loss = scored.loss;

        // Read the terms back in one transfer, before the graph is consumed.
        let values = read_f32(Tensor::cat(scored.terms, 0))?;
        let mut terms: StepValues = [0.0; crate::method::MAX_TERMS];
        for (term, value) in terms.iter_mut().zip(values) {
            *term = f64::from(value);
        }
        let weights = method.weights(&self.settings);
        let total: f64 = terms.iter().zip(weights).map(|(t, w)| t * w).sum();
        let first_loss = *self.first_loss.get_or_insert(total);
        if diverged(total, first_loss) {
            return Err(CoreError::Diverged {
                step: self.steps_done + 1,
                learning_rate: self.settings.learning_rate,
                loss: total,
                first_loss,
            });
        }

        // Back-propagate and update.
        descend(
            &mut self.model,
            &mut self.optimizer,
            loss,
            self.settings.learning_rate,
        );
        self.steps_done += 1;
        Ok(StepReport {
            step: self.steps_done,
            method,
            terms,
            weights,
            total,
        })
    }

    /// The joint-embedding loss of the samples at `indices`: two augmented views of each,
    /// projected and scored by the method.
    fn score_two_views(&mut self, indices: &[usize]) -> MethodLoss {
        // Draw the two views: each [batch, dim].
        let (mut a, mut b) = self
            .augmenter
            .views(&self.data.train, indices, &mut self.rng);
        self.standardizer.apply(&mut a);
        self.standardizer.apply(&mut b);
        let shape = [indices.len(), self.data.train.dim()];
        let view_a = Tensor::<2>::from_data(TensorData::new(a, shape), &self.device);
        let view_b = Tensor::<2>::from_data(TensorData::new(b, shape), &self.device);

        // Project both views and score them.
        method_loss(
            &self.settings,
            self.model.forward(view_a),
            self.model.forward(view_b),
        )
    }

    /// The pretext loss of the samples at `indices`: one augmented view of each, transformed by
    /// a task label drawn for it, classified by the head.
    fn score_pretext(&mut self, pretext: Pretext, indices: &[usize]) -> MethodLoss {
        // One view of each sample, so the augmentation strength still matters, then the task's
        // transformation with its label: [batch, dim] and [batch]. Augmenting first keeps the
        // tiles on the image's 2x2 grid and the turn about its centre, as the labels describe.
        let train = &self.data.train;
        let views = self.augmenter.one_view_each(train, indices, &mut self.rng);
        let mut inputs = Vec::with_capacity(views.len());
        let labels = pretext_rows(
            pretext,
            &views,
            train.height,
            train.width,
            &mut self.rng,
            &mut inputs,
        );
        self.standardizer.apply(&mut inputs);
        let shape = [indices.len(), train.dim()];
        let x = Tensor::<2>::from_data(TensorData::new(inputs, shape), &self.device);

        // Classify: logits [batch, classes], scored against the labels.
        pretext_loss(self.model.forward(x), &labels)
    }

    /// The embeddings of each of `parts` by the current encoder, each `[len, embedding_dim]`,
    /// and `embedding_dim`.
    pub fn embed(&self, parts: &[Part]) -> Result<(Vec<Vec<f32>>, usize), CoreError> {
        let device = self.device.clone().without_autodiff();
        let model = self.model.valid();
        let dim = self.data.train.dim();
        let mut embeddings = Vec::with_capacity(parts.len());
        let mut embedding_dim = 0;
        for part in parts {
            let inputs = match part {
                Part::Train => &self.train_inputs,
                Part::Test => &self.test_inputs,
            };
            let data = TensorData::new(inputs.clone(), [inputs.len() / dim, dim]);
            let embedding = model.embed(Tensor::<2>::from_data(data, &device));
            embedding_dim = embedding.dims()[1];
            let values = read_f32(embedding)?;
            if !values.iter().all(|v| v.is_finite()) {
                return Err(CoreError::EmbeddingNotFinite {
                    step: self.steps_done,
                    learning_rate: self.settings.learning_rate,
                });
            }
            embeddings.push(values);
        }
        Ok((embeddings, embedding_dim))
    }

    /// The analyses of the current embeddings, without the linear probe.
    pub fn evaluate(&self) -> Result<Evaluation, CoreError> {
        self.evaluate_with(false)
    }

    /// The analyses of the current embeddings, the linear probe included if `probe`.
    pub fn evaluate_with(&self, probe: bool) -> Result<Evaluation, CoreError> {
        let (embeddings, dim) = self.embed(&[Part::Train, Part::Test])?;
        let classes = self.data.train.classes;
        let train_set = Labelled {
            values: &embeddings[0],
            labels: &self.data.train.labels,
            dim,
        };
        let test_set = Labelled {
            values: &embeddings[1],
            labels: &self.data.test.labels,
            dim,
        };
        let measured = Measured {
            train: train_set,
            test: test_set,
            classes,
            coarse: self.data.coarse.as_ref(),
        };
        Ok(measured.evaluation(self.steps_done, true, probe))
    }

    /// Test NCC of every layer, from the input to the projection (centres from train).
    pub fn layer_ncc(&self) -> Result<LayerNcc, CoreError> {
        let device = self.device.clone().without_autodiff();
        let model = self.model.valid();
        let dim = self.data.train.dim();
        let outputs = |inputs: &[f32]| -> Result<Vec<(Vec<f32>, usize)>, CoreError> {
            let data = TensorData::new(inputs.to_vec(), [inputs.len() / dim, dim]);
            model
                .layer_outputs(Tensor::<2>::from_data(data, &device))
                .into_iter()
                .map(|t| {
                    let width = t.dims()[1];
                    Ok((read_f32(t)?, width))
                })
                .collect()
        };
        let train = outputs(&self.train_inputs)?;
        let test = outputs(&self.test_inputs)?;
        let classes = self.data.train.classes;
        let ncc_test = train
            .iter()
            .zip(&test)
            .map(|((train, width), (test, _))| {
                let train = Labelled {
                    values: train,
                    labels: &self.data.train.labels,
                    dim: *width,
                };
                let test = Labelled {
                    values: test,
                    labels: &self.data.test.labels,
                    dim: *width,
                };
                ncc_accuracy(train, test, classes)
            })
            .collect();
        let names = match self.settings.method.pretext() {
            Some(_) => model.head_layer_names(),
            None => model.layer_names(),
        };
        Ok(LayerNcc {
            step: self.steps_done,
            names,
            ncc_test,
        })
    }

    /// How well the current train embeddings fit targets of each randomness level.
    pub fn random_target_fit(&self) -> Result<RandomTargetFit, CoreError> {
        let (embeddings, dim) = self.embed(&[Part::Train])?;
        let train = &self.data.train;
        let stride = train.len().div_ceil(RANDOM_TARGETS_SAMPLES).max(1);
        let picked: Vec<usize> = (0..train.len()).step_by(stride).collect();
        let values: Vec<f32> = picked
            .iter()
            .flat_map(|&i| embeddings[0][i * dim..(i + 1) * dim].iter().copied())
            .collect();
        let labels: Vec<u8> = picked.iter().map(|&i| train.labels[i]).collect();
        let seed = sub_seed(self.settings.seed, RANDOM_TARGETS_PART);
        let config = LinearProbeConfig::new().with_epochs(50);
        let (mut ncc, mut probe) = (Vec::new(), Vec::new());
        for &r in &RANDOMNESS_LEVELS {
            let targets = random_targets(&labels, train.classes, r, seed);
            let set = Labelled {
                values: &values,
                labels: &targets,
                dim,
            };
            ncc.push(ncc_accuracy(set, set, train.classes));
            probe.push(LinearProbe::fit(set, train.classes, &config).accuracy(set));
        }
        Ok(RandomTargetFit {
            step: self.steps_done,
            levels: RANDOMNESS_LEVELS.to_vec(),
            ncc,
            probe,
        })
    }

    /// The test embeddings on their top two principal components.
    pub fn embedding_view(&self) -> Result<EmbeddingView, CoreError> {
        let (embeddings, dim) = self.embed(&[Part::Test])?;
        let test = &embeddings[0];
        let pca = Pca::fit(test, dim, 2);
        Ok(EmbeddingView {
            step: self.steps_done,
            points: pca.project(test),
            labels: self.data.test.labels.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_non_finite_or_runaway_loss_counts_as_diverged() {
        assert!(diverged(f64::NAN, 42.0));
        assert!(diverged(f64::INFINITY, 42.0));
        assert!(diverged(f64::NEG_INFINITY, 42.0));
        assert!(diverged(42_001.0, 42.0));
        assert!(!diverged(41_999.0, 42.0));
        assert!(!diverged(20.0, 42.0));
        // A loss starting at zero is judged against a scale of 1, not 0.
        assert!(!diverged(0.5, 0.0));
        assert!(diverged(1_001.0, 0.0));
    }
}
