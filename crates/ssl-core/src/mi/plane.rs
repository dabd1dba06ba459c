//! The information plane (Shwartz-Ziv and Tishby, 2017; Saxe et al., 2018) of a narrow network
//! while it trains: for each hidden layer `T`, `I(X; T)` against `I(T; Y)`, measured on the test
//! images every few steps by binning and by the kernel bound.
//!
//! The network is deliberately narrow (hidden widths [`HIDDEN`], after the paper's
//! 12-10-7-5-4-3-2), because both estimators saturate at `ln N` on wide layers, where every
//! sample has a pattern of its own. It trains either self-supervised, with VICReg on two
//! augmented views through a linear projector, or supervised, with a cross-entropy on the true
//! labels through a linear classifier, for contrast. Its hidden activation is tanh or ReLU:
//! Saxe et al. showed that the "compression phase" seen under binning comes from tanh
//! saturating (values piling up at +-1 fall into the same bins), and that ReLU networks do not
//! show it.
//!
//! `X` is the test image; since every image is distinct and the layer a deterministic function
//! of it, binning's `I(X; T)` is the entropy of the layer's bin patterns, `H(T)`, and its
//! `I(T; Y) = H(T) + H(Y) - H(T, Y)`; the kernel's are those of [`super::kde`]. Both are at most
//! `ln N` and `I(T; Y)` at most `H(Y)`.

use burn::module::{Module, Param};
use burn::nn::Linear;
use burn::optim::{AdamConfig, ModuleOptimizer};
use burn::tensor::activation::{relu, tanh};
use burn::tensor::{Device, Tensor, TensorData};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::Rows;
use super::binning;
use super::kde::{self, LayerInformation};
use crate::CoreError;
use crate::augment::Augmenter;
use crate::cross_entropy::cross_entropy;
use crate::data::{ImageDataset, Standardizer};
use crate::loss::{VicregWeights, vicreg_terms};
use crate::model::{descend, finite_loss};
use crate::readback::read_f32;
use crate::split::{Batches, SplitData, sub_seed};

/// The hidden layers' widths.
pub const HIDDEN: [usize; 5] = [10, 7, 5, 4, 3];
/// The VICReg projector's width.
pub const PROJECTION: usize = 16;

/// The hidden layers' nonlinearity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Activation {
    #[default]
    Tanh,
    Relu,
}

/// What the network is trained to do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Objective {
    /// VICReg (25/25/1) on two augmented views, no labels.
    #[default]
    SelfSupervised,
    /// Cross-entropy on the true labels.
    Supervised,
}

/// One information-plane run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaneConfig {
    pub activation: Activation,
    pub objective: Objective,
    pub steps: usize,
    /// Steps between two measurements (and at step 0).
    pub measure_every: usize,
    pub bins: usize,
    pub noise_var: f64,
    pub batch: usize,
    pub learning_rate: f64,
    pub augment_strength: f32,
    pub seed: u64,
}

impl Default for PlaneConfig {
    fn default() -> Self {
        Self {
            activation: Activation::Tanh,
            objective: Objective::SelfSupervised,
            steps: 2000,
            measure_every: 50,
            bins: 8,
            noise_var: kde::DEFAULT_NOISE_VARIANCE,
            batch: 128,
            learning_rate: 3e-3,
            augment_strength: 0.6,
            seed: 0,
        }
    }
}

/// One layer's position in the plane, by both estimators, in nats.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PlaneLayer {
    pub binning: LayerInformation,
    pub kde: LayerInformation,
}

/// Every hidden layer's position after `step` steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanePoint {
    pub step: usize,
    pub layers: Vec<PlaneLayer>,
    /// `H(Y)` of the test labels, the ceiling of every `I(T; Y)`.
    pub label_entropy: f64,
}

/// The narrow network: hidden layers, then a linear head (projector or classifier).
#[derive(Module, Debug)]
pub struct PlaneNet {
    hidden: Vec<Linear>,
    head: Linear,
}

impl PlaneNet {
    /// Every hidden layer's activated output, then the head's output.
    fn forward_all(&self, x: Tensor<2>, activation: Activation) -> (Vec<Tensor<2>>, Tensor<2>) {
        let mut outputs = Vec::with_capacity(self.hidden.len());
        let mut x = x;
        for layer in &self.hidden {
            let y = layer.forward(x);
            x = match activation {
                Activation::Tanh => tanh(y),
                Activation::Relu => relu(y),
            };
            outputs.push(x.clone());
        }
        let head = self.head.forward(x);
        (outputs, head)
    }
}

/// A linear layer with weights uniform in `[-sqrt(6 / (fan_in + fan_out)), ..]` (Glorot's,
/// suited to tanh as well as ReLU at these widths) and zero biases.
fn linear(fan_in: usize, fan_out: usize, rng: &mut ChaCha8Rng, device: &Device) -> Linear {
    let bound = (6.0 / (fan_in + fan_out) as f32).sqrt();
    let weights: Vec<f32> = (0..fan_in * fan_out)
        .map(|_| rng.random_range(-bound..bound))
        .collect();
    Linear {
        weight: Param::from_tensor(Tensor::from_data(
            TensorData::new(weights, [fan_in, fan_out]),
            device,
        )),
        bias: Some(Param::from_tensor(Tensor::zeros([fan_out], device))),
    }
}

/// An information-plane run in progress.
pub struct InformationPlane {
    config: PlaneConfig,
    net: PlaneNet,
    optimizer: ModuleOptimizer,
    device: Device,
    train: ImageDataset,
    standardizer: Standardizer,
    test_inputs: Vec<f32>,
    test_labels: Vec<usize>,
    augmenter: Augmenter,
    rng: ChaCha8Rng,
    batches: Batches,
    step: usize,
}

impl InformationPlane {
    /// A fresh run on `data`'s split, on the autodiff version of `device`.
    pub fn new(data: SplitData, config: PlaneConfig, device: &Device) -> Result<Self, CoreError> {
        if config.batch < 2 || config.measure_every == 0 {
            return Err(super::MiError::TooFewSamples {
                n: config.batch,
                k: 1,
            }
            .into());
        }
        let device = device.clone().autodiff();
        let mut rng = ChaCha8Rng::seed_from_u64(sub_seed(config.seed, 20));
        let mut widths = vec![data.train.dim()];
        widths.extend(HIDDEN);
        let hidden = widths
            .windows(2)
            .map(|w| linear(w[0], w[1], &mut rng, &device))
            .collect();
        let out = match config.objective {
            Objective::SelfSupervised => PROJECTION,
            Objective::Supervised => data.train.classes,
        };
        let head = linear(
            *HIDDEN.last().expect("hidden layers"),
            out,
            &mut rng,
            &device,
        );
        let standardizer = Standardizer::fit(&data.train);
        let mut test_inputs = data.test.pixels.clone();
        standardizer.apply(&mut test_inputs);
        Ok(Self {
            augmenter: Augmenter {
                height: data.train.height,
                width: data.train.width,
                strength: config.augment_strength,
                resampling: data.resampling.clone(),
            },
            test_labels: data.test.labels.iter().map(|&l| usize::from(l)).collect(),
            batches: Batches::new(data.train.len()),
            rng: ChaCha8Rng::seed_from_u64(sub_seed(config.seed, 21)),
            net: PlaneNet { hidden, head },
            optimizer: AdamConfig::new().init(),
            device,
            train: data.train,
            standardizer,
            test_inputs,
            config,
            step: 0,
        })
    }

    pub fn config(&self) -> &PlaneConfig {
        &self.config
    }

    pub fn steps_done(&self) -> usize {
        self.step
    }

    pub fn is_done(&self) -> bool {
        self.step >= self.config.steps
    }

    /// One step of Adam on the objective; returns the loss.
    pub fn step(&mut self) -> Result<f64, CoreError> {
        let indices = self.batches.next(self.config.batch, &mut self.rng);
        let shape = [indices.len(), self.train.dim()];
        let tensor = |mut values: Vec<f32>, this: &Self| {
            this.standardizer.apply(&mut values);
            Tensor::<2>::from_data(TensorData::new(values, shape), &this.device)
        };
        let activation = self.config.activation;
        let loss = match self.config.objective {
            Objective::SelfSupervised => {
                let (a, b) = self.augmenter.views(&self.train, &indices, &mut self.rng);
                let (_, za) = self.net.forward_all(tensor(a, self), activation);
                let (_, zb) = self.net.forward_all(tensor(b, self), activation);
                vicreg_terms(za, zb).weighted(VicregWeights {
                    invariance: 25.0,
                    variance: 25.0,
                    covariance: 1.0,
                })
            }
            Objective::Supervised => {
                let views = self
                    .augmenter
                    .one_view_each(&self.train, &indices, &mut self.rng);
                let labels: Vec<u8> = indices.iter().map(|&i| self.train.labels[i]).collect();
                let (_, logits) = self.net.forward_all(tensor(views, self), activation);
                cross_entropy(logits, &labels)
            }
        };
        let learning_rate = self.config.learning_rate;
        let value = finite_loss(&loss, self.step + 1, learning_rate)?;
        descend(&mut self.net, &mut self.optimizer, loss, learning_rate);
        self.step += 1;
        Ok(value)
    }

    /// Whether the step just done (or step 0) is one to measure.
    pub fn measure_due(&self) -> bool {
        self.step.is_multiple_of(self.config.measure_every) || self.is_done()
    }

    /// Every hidden layer's place in the plane now, on the test images.
    pub fn measure(&self) -> Result<PlanePoint, CoreError> {
        let device = self.device.clone().without_autodiff();
        let n = self.test_labels.len();
        let x = Tensor::<2>::from_data(
            TensorData::new(self.test_inputs.clone(), [n, self.train.dim()]),
            &device,
        );
        let (hidden, _) = self.net.valid().forward_all(x, self.config.activation);
        let mut layers = Vec::with_capacity(hidden.len());
        for (output, &width) in hidden.into_iter().zip(&HIDDEN) {
            let values: Vec<f64> = read_f32(output)?.into_iter().map(f64::from).collect();
            let rows = Rows::new(&values, width);
            layers.push(PlaneLayer {
                binning: binning::layer_information(rows, &self.test_labels, self.config.bins)?,
                kde: kde::layer_information(rows, &self.test_labels, self.config.noise_var)?,
            });
        }
        Ok(PlanePoint {
            step: self.step,
            layers,
            label_entropy: binning::label_entropy(&self.test_labels),
        })
    }
}
