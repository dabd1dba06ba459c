//! The compression trade-off of Shwartz-Ziv and LeCun ("To Compress or Not to Compress", 2023):
//! a self-supervised network with a stochastic, compressed embedding, measured on two
//! downstream tasks, one whose information both views share and one whose information the
//! augmentation destroys.
//!
//! **Data.** The digits, each image given a seeded per-sample *attribute*: a mark, a bright
//! [`MARK`]x[`MARK`] block in the top-left corner (where the digits are blank), present or
//! not. Task A is the digit's class, task B the attribute. A view is augmented as usual, then
//! marked by the sample's attribute, redrawn first with probability `resample`: at
//! `resample = 1` the two views of a sample share nothing about the mark, and at 0 they share
//! it exactly.
//!
//! **Model.** An encoder MLP maps an image to the mean `mu` and log-variance of a Gaussian
//! embedding `Z` of width [`EMBEDDING`], drawn with the reparameterisation
//! `z = mu + exp(logvar / 2) * eps`. A projector maps `z` to where VICReg (25/25/1) scores the
//! two views. The loss adds `beta` times the *rate*,
//!
//! ```text
//! R = 1/2 sum_j (mu_j^2 + s_j^2 - 1 - ln s_j^2)   = KL(q(z | x) || N(0, I))
//! ```
//!
//! averaged over the batch and both views. The rate is the variational upper bound on
//! `I(X; Z)` (Alemi et al., 2017): raising `beta` compresses the embedding.
//!
//! **Measurements** (on the test images, un-augmented, with their own attribute): the rate; a
//! kernel estimate of `I(Z; Y)` for the class, with the noise variance set to the embedding's
//! mean `s^2` (so it measures the stochastic `Z` itself); and linear-probe accuracy on `mu` for
//! task A and for task B.

use burn::module::Module;
use burn::optim::{AdamConfig, ModuleOptimizer};
use burn::tensor::{Device, Tensor, TensorData};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use super::Rows;
use super::kde::layer_information;
use crate::CoreError;
use crate::analysis::{LinearProbe, LinearProbeConfig};
use crate::augment::Augmenter;
use crate::data::{ImageDataset, Standardizer};
use crate::loss::{VicregWeights, vicreg_terms};
use crate::metrics::Labelled;
use crate::model::{Init, Mlp, descend, finite_loss, mlp_with_init};
use crate::readback::read_f32;
use crate::split::{Batches, SplitData, sub_seed};

/// Width of the stochastic embedding.
pub const EMBEDDING: usize = 16;
/// The encoder's hidden width.
pub const HIDDEN: usize = 128;
/// The projector's widths after the embedding.
pub const PROJECTOR: [usize; 2] = [64, 64];
/// The side of the mark, in pixels.
pub const MARK: usize = 2;
/// The log-variance is clamped to this range, so a step cannot overflow `exp`.
const LOG_VARIANCE_RANGE: (f32, f32) = (-10.0, 6.0);

/// One run of the trade-off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompressionConfig {
    /// The rate's weight.
    pub beta: f64,
    /// The probability that a view redraws the attribute.
    pub resample: f64,
    pub steps: usize,
    pub batch: usize,
    pub learning_rate: f64,
    pub augment_strength: f32,
    pub seed: u64,
}

impl Default for CompressionConfig {
    fn default() -> Self {
        Self {
            beta: 0.0,
            resample: 1.0,
            steps: 600,
            batch: 128,
            learning_rate: 3e-3,
            augment_strength: 0.6,
            seed: 0,
        }
    }
}

/// What one run measured at its end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompressionResult {
    pub beta: f64,
    pub resample: f64,
    /// Mean rate on the test images, in nats: the bound on `I(X; Z)`.
    pub rate: f64,
    /// Kernel estimate of `I(Z; class)` in nats.
    pub class_information: f64,
    /// Linear-probe test accuracy for the class (task A) and for the attribute (task B).
    pub class_accuracy: f64,
    pub attribute_accuracy: f64,
    pub last_loss: f64,
}

/// The stochastic encoder and the projector.
#[derive(Module, Debug)]
pub struct CompressionNet {
    encoder: Mlp,
    projector: Mlp,
}

impl CompressionNet {
    /// `mu` and the clamped log-variance of `x`'s embedding: `[n, EMBEDDING]` each.
    fn encode(&self, x: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let out = self.encoder.forward(x);
        let mu = out.clone().narrow(1, 0, EMBEDDING);
        let log_variance = out
            .narrow(1, EMBEDDING, EMBEDDING)
            .clamp(LOG_VARIANCE_RANGE.0, LOG_VARIANCE_RANGE.1);
        (mu, log_variance)
    }
}

/// The rate of each row, `[n, 1]`.
fn rate(mu: Tensor<2>, log_variance: Tensor<2>) -> Tensor<2> {
    (mu.square() + log_variance.clone().exp() - 1.0 - log_variance).sum_dim(1) * 0.5
}

/// The two-task digits: the split and each image's attribute.
struct TwoTasks {
    train: ImageDataset,
    train_attributes: Vec<u8>,
    test: ImageDataset,
    test_attributes: Vec<u8>,
}

/// Sets the mark's pixels of `image` (`[height * width]`, row-major) to 1 if `attribute` is 1.
fn mark(image: &mut [f32], width: usize, attribute: u8) {
    if attribute == 1 {
        for row in 0..MARK {
            image[row * width..row * width + MARK].fill(1.0);
        }
    }
}

impl TwoTasks {
    fn new(split: SplitData, seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut draw = |set: &ImageDataset| -> Vec<u8> {
            (0..set.len()).map(|_| rng.random_range(0..2u8)).collect()
        };
        let train_attributes = draw(&split.train);
        let test_attributes = draw(&split.test);
        Self {
            train: split.train,
            train_attributes,
            test: split.test,
            test_attributes,
        }
    }

    /// `set`'s images at `indices`, marked by `attributes`.
    fn marked(set: &ImageDataset, indices: &[usize], attributes: &[u8]) -> ImageDataset {
        let mut subset = set.subset(indices);
        mark_rows(&mut subset.pixels, set.dim(), set.width, attributes);
        subset
    }
}

/// Marks each row of `pixels` (`[n, dim]`) by its attribute.
fn mark_rows(pixels: &mut [f32], dim: usize, width: usize, attributes: &[u8]) {
    for (row, &a) in pixels.chunks_exact_mut(dim).zip(attributes) {
        mark(row, width, a);
    }
}

/// A run in progress.
pub struct CompressionRun {
    config: CompressionConfig,
    net: CompressionNet,
    optimizer: ModuleOptimizer,
    device: Device,
    data: TwoTasks,
    standardizer: Standardizer,
    augmenter: Augmenter,
    rng: ChaCha8Rng,
    batches: Batches,
    step: usize,
    last_loss: f64,
}

impl CompressionRun {
    pub fn new(
        split: SplitData,
        config: CompressionConfig,
        device: &Device,
    ) -> Result<Self, CoreError> {
        if !(config.beta.is_finite() && config.beta >= 0.0) {
            return Err(super::MiError::OutOfRange {
                name: "compression weight beta",
                value: config.beta,
            }
            .into());
        }
        if !(0.0..=1.0).contains(&config.resample) {
            return Err(super::MiError::OutOfRange {
                name: "resampling probability",
                value: config.resample,
            }
            .into());
        }
        let device = device.clone().autodiff();
        let data = TwoTasks::new(split, sub_seed(config.seed, 30));
        let mut rng = ChaCha8Rng::seed_from_u64(sub_seed(config.seed, 31));
        let dim = data.train.dim();
        let encoder = mlp_with_init(
            &[dim, HIDDEN, 2 * EMBEDDING],
            false,
            Init::He,
            &mut rng,
            &device,
        );
        let projector = mlp_with_init(
            &[EMBEDDING, PROJECTOR[0], PROJECTOR[1]],
            true,
            Init::He,
            &mut rng,
            &device,
        );
        // Standardised as the run sees its inputs: the train images with their own marks.
        let all: Vec<usize> = (0..data.train.len()).collect();
        let standardizer =
            Standardizer::fit(&TwoTasks::marked(&data.train, &all, &data.train_attributes));
        Ok(Self {
            augmenter: Augmenter {
                height: data.train.height,
                width: data.train.width,
                strength: config.augment_strength,
                resampling: None,
            },
            batches: Batches::new(all.len()),
            rng: ChaCha8Rng::seed_from_u64(sub_seed(config.seed, 32)),
            net: CompressionNet { encoder, projector },
            optimizer: AdamConfig::new().init(),
            device,
            data,
            standardizer,
            config,
            step: 0,
            last_loss: f64::NAN,
        })
    }

    pub fn is_done(&self) -> bool {
        self.step >= self.config.steps
    }

    pub fn steps_done(&self) -> usize {
        self.step
    }

    /// One augmented view of each sample of `indices`, then marked by its attribute, redrawn
    /// with probability `resample`: standardised, `[n, dim]`.
    fn view(&mut self, indices: &[usize]) -> Tensor<2> {
        let attributes: Vec<u8> = indices
            .iter()
            .map(|&i| {
                if self.rng.random_bool(self.config.resample) {
                    self.rng.random_range(0..2u8)
                } else {
                    self.data.train_attributes[i]
                }
            })
            .collect();
        let train = &self.data.train;
        let mut views = self.augmenter.one_view_each(train, indices, &mut self.rng);
        mark_rows(&mut views, train.dim(), train.width, &attributes);
        self.standardizer.apply(&mut views);
        Tensor::from_data(
            TensorData::new(views, [indices.len(), train.dim()]),
            &self.device,
        )
    }

    /// One step of Adam on VICReg plus `beta` times the rate; returns the loss.
    pub fn step(&mut self) -> Result<f64, CoreError> {
        let indices = self.batches.next(self.config.batch, &mut self.rng);
        let batch = indices.len();

        let (a, b) = (self.view(&indices), self.view(&indices));
        // The reparameterisation's noise comes from the run's generator, so a seed fixes it.
        let mut noise = || {
            let values: Vec<f32> = (0..batch * EMBEDDING)
                .map(|_| StandardNormal.sample(&mut self.rng))
                .collect();
            Tensor::<2>::from_data(TensorData::new(values, [batch, EMBEDDING]), &self.device)
        };
        let (noise_a, noise_b) = (noise(), noise());
        let sample = |x: Tensor<2>, net: &CompressionNet, noise: Tensor<2>| {
            let (mu, log_variance) = net.encode(x);
            let z = mu.clone() + (log_variance.clone() * 0.5).exp() * noise;
            (net.projector.forward(z), rate(mu, log_variance).mean())
        };
        let (pa, rate_a) = sample(a, &self.net, noise_a);
        let (pb, rate_b) = sample(b, &self.net, noise_b);
        let vicreg = vicreg_terms(pa, pb).weighted(VicregWeights {
            invariance: 25.0,
            variance: 25.0,
            covariance: 1.0,
        });
        let loss = vicreg + (rate_a + rate_b) * (0.5 * self.config.beta);
        let learning_rate = self.config.learning_rate;
        let value = finite_loss(&loss, self.step + 1, learning_rate)?;
        descend(&mut self.net, &mut self.optimizer, loss, learning_rate);
        self.step += 1;
        self.last_loss = value;
        Ok(value)
    }

    /// `mu` and the variances of every image of `set` with its own mark, `[n, EMBEDDING]`.
    fn embed(
        &self,
        set: &ImageDataset,
        attributes: &[u8],
    ) -> Result<(Vec<f32>, Vec<f32>), CoreError> {
        let all: Vec<usize> = (0..set.len()).collect();
        let mut pixels = TwoTasks::marked(set, &all, attributes).pixels;
        self.standardizer.apply(&mut pixels);
        let device = self.device.clone().without_autodiff();
        let x = Tensor::<2>::from_data(TensorData::new(pixels, [set.len(), set.dim()]), &device);
        let (mu, log_variance) = self.net.valid().encode(x);
        Ok((read_f32(mu)?, read_f32(log_variance.exp())?))
    }

    /// The measurements of the network as it is now.
    pub fn result(&self) -> Result<CompressionResult, CoreError> {
        let (train_mu, _) = self.embed(&self.data.train, &self.data.train_attributes)?;
        let (test_mu, test_var) = self.embed(&self.data.test, &self.data.test_attributes)?;
        let n = self.data.test.len();
        let mean_rate = test_mu
            .chunks_exact(EMBEDDING)
            .zip(test_var.chunks_exact(EMBEDDING))
            .map(|(mu, var)| {
                mu.iter()
                    .zip(var)
                    .map(|(&m, &v)| {
                        let v = f64::from(v);
                        0.5 * (f64::from(m).powi(2) + v - 1.0 - v.ln())
                    })
                    .sum::<f64>()
            })
            .sum::<f64>()
            / n as f64;
        let mean_variance =
            (test_var.iter().map(|&v| f64::from(v)).sum::<f64>() / test_var.len() as f64).max(1e-3);
        let mu64: Vec<f64> = test_mu.iter().map(|&v| f64::from(v)).collect();
        let classes: Vec<usize> = self
            .data
            .test
            .labels
            .iter()
            .map(|&l| usize::from(l))
            .collect();
        let class_information =
            layer_information(Rows::new(&mu64, EMBEDDING), &classes, mean_variance)?.label;

        let probe = LinearProbeConfig::new();
        let accuracy = |train_labels: &[u8], test_labels: &[u8], classes: usize| {
            let train = Labelled {
                values: &train_mu,
                labels: train_labels,
                dim: EMBEDDING,
            };
            let test = Labelled {
                values: &test_mu,
                labels: test_labels,
                dim: EMBEDDING,
            };
            LinearProbe::fit(train, classes, &probe).accuracy(test)
        };
        Ok(CompressionResult {
            beta: self.config.beta,
            resample: self.config.resample,
            rate: mean_rate,
            class_information,
            class_accuracy: accuracy(
                &self.data.train.labels,
                &self.data.test.labels,
                self.data.train.classes,
            ),
            attribute_accuracy: accuracy(
                &self.data.train_attributes,
                &self.data.test_attributes,
                2,
            ),
            last_loss: self.last_loss,
        })
    }
}

/// Which setting a sweep moves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Swept {
    #[default]
    Beta,
    Resample,
    /// No sweep: one run at the base settings.
    Single,
}

/// The values of beta the page's slider offers, its sweep's among them.
pub const BETA_GRID: [f64; 9] = [0.0, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0];

/// The values a sweep trains at (none for a single run, which trains at its base).
pub fn sweep_values(swept: Swept) -> Vec<f64> {
    match swept {
        Swept::Beta => vec![0.0, 0.001, 0.01, 0.1, 1.0],
        Swept::Resample => vec![0.0, 0.25, 0.5, 0.75, 1.0],
        Swept::Single => Vec::new(),
    }
}

/// A sweep in progress: one run per value of the swept setting, the others from `base`.
pub struct Sweep {
    split: SplitData,
    configs: Vec<CompressionConfig>,
    current: Option<CompressionRun>,
    next: usize,
    device: Device,
}

impl Sweep {
    pub fn new(split: SplitData, base: CompressionConfig, swept: Swept, device: &Device) -> Self {
        let configs = match swept {
            Swept::Single => vec![base],
            _ => sweep_values(swept)
                .into_iter()
                .map(|v| match swept {
                    Swept::Resample => CompressionConfig {
                        resample: v,
                        ..base.clone()
                    },
                    _ => CompressionConfig {
                        beta: v,
                        ..base.clone()
                    },
                })
                .collect(),
        };
        Self {
            split,
            configs,
            current: None,
            next: 0,
            device: device.clone(),
        }
    }

    pub fn is_done(&self) -> bool {
        self.current.is_none() && self.next >= self.configs.len()
    }

    /// The fraction done, from 0 to 1.
    pub fn progress(&self) -> f64 {
        let total: usize = self.configs.iter().map(|c| c.steps.max(1)).sum();
        let finished = if self.current.is_some() {
            self.next - 1
        } else {
            self.next
        };
        let done: usize = self.configs[..finished]
            .iter()
            .map(|c| c.steps.max(1))
            .sum::<usize>()
            + self.current.as_ref().map_or(0, CompressionRun::steps_done);
        done as f64 / total.max(1) as f64
    }

    /// One training step of the run under way (starting the next if none is); returns a run's
    /// result when it finishes.
    pub fn step(&mut self) -> Result<Option<CompressionResult>, CoreError> {
        if self.current.is_none() {
            let Some(config) = self.configs.get(self.next) else {
                return Ok(None);
            };
            self.current = Some(CompressionRun::new(
                self.split.clone(),
                config.clone(),
                &self.device,
            )?);
            self.next += 1;
        }
        let run = self.current.as_mut().expect("a run is under way");
        if !run.is_done() {
            run.step()?;
        }
        if run.is_done() {
            let result = run.result()?;
            self.current = None;
            return Ok(Some(result));
        }
        Ok(None)
    }
}
