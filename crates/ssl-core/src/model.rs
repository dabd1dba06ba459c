//! The encoder and projector: small multilayer perceptrons built with burn.
//!
//! The encoder maps a flattened image to its *embedding*, the representation every analysis
//! reads. The projector maps the embedding to the space where the VICReg loss is computed; it is
//! thrown away after training, as in the VICReg paper. A pretext method uses the same module as
//! its classifier head, whose last width is the number of task labels; it too is thrown away.
//! Weights are drawn from a generator seeded by [`ModelConfig::seed`] rather than from burn's
//! per-device generator, so the same seed gives the same network on every backend.

use burn::config::Config;
use burn::module::{Module, Param};
use burn::nn::{BatchNorm, BatchNormConfig, Linear};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor, TensorData};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The shape of the network and the seed of its initial weights.
#[derive(Config, Debug)]
pub struct ModelConfig {
    /// Pixels per image (64 for the 8x8 digits).
    #[config(default = 64)]
    pub input_dim: usize,
    /// Widths of the encoder's hidden layers.
    #[config(default = "vec![128, 128]")]
    pub encoder_hidden: Vec<usize>,
    /// Width of the embedding, the encoder's output.
    #[config(default = 64)]
    pub embedding_dim: usize,
    /// Widths of the projector's layers; the last is the width the loss sees.
    #[config(default = "vec![128, 128]")]
    pub projector_dims: Vec<usize>,
    #[config(default = 42)]
    pub seed: u64,
}

/// A stack of linear layers with a ReLU between two layers (none after the last), each ReLU
/// preceded by batch normalisation when `norms` is not empty.
#[derive(Module, Debug)]
pub struct Mlp {
    pub layers: Vec<Linear>,
    /// One per hidden layer, or none.
    pub norms: Vec<BatchNorm>,
}

impl Mlp {
    /// The output of every layer for `x`: hidden layers after their ReLU, the last as it is.
    pub fn forward_all(&self, x: Tensor<2>) -> Vec<Tensor<2>> {
        let last = self.layers.len() - 1;
        let mut outputs = Vec::with_capacity(self.layers.len());
        let mut x = x;
        for (i, layer) in self.layers.iter().enumerate() {
            let y = layer.forward(x);
            x = if i == last {
                y
            } else {
                match self.norms.get(i) {
                    Some(norm) => relu(norm.forward(y)),
                    None => relu(y),
                }
            };
            outputs.push(x.clone());
        }
        outputs
    }

    /// `x`: `[batch, widths[0]]` to `[batch, widths.last()]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let last = self.layers.len() - 1;
        self.layers.iter().enumerate().fold(x, |x, (i, layer)| {
            let y = layer.forward(x);
            if i == last {
                return y;
            }
            match self.norms.get(i) {
                Some(norm) => relu(norm.forward(y)),
                None => relu(y),
            }
        })
    }
}

/// The encoder and the projector, trained together by one optimizer.
///
/// As in VICReg, the projector normalises each hidden layer over the batch; the encoder does
/// not, so an embedding depends on its own sample only and reads the same in training and after.
#[derive(Module, Debug)]
pub struct SslModel {
    pub encoder: Mlp,
    pub projector: Mlp,
}

impl SslModel {
    /// `x`: `[batch, input_dim]` to the embedding `[batch, embedding_dim]`.
    pub fn embed(&self, x: Tensor<2>) -> Tensor<2> {
        self.encoder.forward(x)
    }

    /// Every representation from the input to the projection, for finding (e) of Ben-Shaul et
    /// al. (deeper layers are more semantic): the input, each encoder layer (the last is the
    /// embedding), and each projector layer (the last is the projection). Named by
    /// [`SslModel::layer_names`].
    pub fn layer_outputs(&self, x: Tensor<2>) -> Vec<Tensor<2>> {
        let mut outputs = vec![x.clone()];
        outputs.extend(self.encoder.forward_all(x));
        let embedding = outputs.last().cloned().expect("the encoder has layers");
        outputs.extend(self.projector.forward_all(relu(embedding)));
        outputs
    }

    /// A short name for each of [`SslModel::layer_outputs`].
    pub fn layer_names(&self) -> Vec<String> {
        self.names("projector", "projection")
    }

    /// The names of [`SslModel::layer_outputs`] when the projector is a pretext method's
    /// classifier head: its layers are `head 1`, ..., and its output the `logits`.
    pub fn head_layer_names(&self) -> Vec<String> {
        self.names("head", "logits")
    }

    fn names(&self, projector_layer: &str, output: &str) -> Vec<String> {
        let mut names = vec!["input".to_string()];
        let encoder = self.encoder.layers.len();
        names.extend((1..encoder).map(|i| format!("encoder {i}")));
        names.push("embedding".into());
        let projector = self.projector.layers.len();
        names.extend((1..projector).map(|i| format!("{projector_layer} {i}")));
        names.push(output.into());
        names
    }

    /// `x`: `[batch, input_dim]` to the projection `[batch, projector_dims.last()]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.projector.forward(relu(self.embed(x)))
    }
}

impl ModelConfig {
    pub fn init(&self, device: &Device) -> SslModel {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let mut encoder_widths = vec![self.input_dim];
        encoder_widths.extend(&self.encoder_hidden);
        encoder_widths.push(self.embedding_dim);
        let mut projector_widths = vec![self.embedding_dim];
        projector_widths.extend(&self.projector_dims);
        SslModel {
            encoder: mlp(&encoder_widths, false, &mut rng, device),
            projector: mlp(&projector_widths, true, &mut rng, device),
        }
    }
}

/// Linear layers between consecutive `widths`, with batch normalisation before each hidden ReLU
/// if `normalised`. Weights are drawn uniformly from `[-sqrt(6/fan_in), sqrt(6/fan_in)]` (He et
/// al.'s initialisation for ReLU networks, which keeps the activations' scale from layer to
/// layer); biases start at zero.
fn mlp(widths: &[usize], normalised: bool, rng: &mut ChaCha8Rng, device: &Device) -> Mlp {
    mlp_with_init(widths, normalised, Init::He, rng, device)
}

/// How an MLP's weights are first drawn: uniformly from `[-sqrt(c/fan_in), sqrt(c/fan_in)]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Init {
    /// `c = 6`: He et al.'s, for the trained networks.
    He,
    /// `c = 1`: PyTorch's default for a linear layer, whose smaller outputs keep a critic's
    /// first scores, and so their exponentials, in range.
    Small,
}

pub(crate) fn mlp_with_init(
    widths: &[usize],
    normalised: bool,
    init: Init,
    rng: &mut ChaCha8Rng,
    device: &Device,
) -> Mlp {
    let numerator = match init {
        Init::He => 6.0,
        Init::Small => 1.0,
    };
    let layers = widths
        .windows(2)
        .map(|pair| {
            let (fan_in, fan_out) = (pair[0], pair[1]);
            let bound = (numerator / fan_in as f32).sqrt();
            let weights: Vec<f32> = (0..fan_in * fan_out)
                .map(|_| rng.random_range(-bound..bound))
                .collect();
            let weight = TensorData::new(weights, [fan_in, fan_out]);
            Linear {
                weight: Param::from_tensor(Tensor::from_data(weight, device)),
                bias: Some(Param::from_tensor(Tensor::zeros([fan_out], device))),
            }
        })
        .collect();
    let hidden = &widths[1..widths.len() - 1];
    let norms = if normalised {
        hidden
            .iter()
            .map(|&w| BatchNormConfig::new(w).init(device))
            .collect()
    } else {
        Vec::new()
    };
    Mlp { layers, norms }
}

/// The value of a step's loss, or a divergence at `step` if it is not a finite number.
pub(crate) fn finite_loss(
    loss: &Tensor<1>,
    step: usize,
    learning_rate: f64,
) -> Result<f64, crate::CoreError> {
    let value = f64::from(crate::readback::read_f32(loss.clone())?[0]);
    if value.is_finite() {
        Ok(value)
    } else {
        Err(crate::CoreError::Diverged {
            step,
            learning_rate,
            loss: value,
            first_loss: value,
        })
    }
}

/// One optimizer step of `model` down the gradient of `loss` (an autodiff tensor of shape `[1]`).
pub(crate) fn descend<M: Module>(
    model: &mut M,
    optimizer: &mut burn::optim::ModuleOptimizer,
    loss: Tensor<1>,
    learning_rate: f64,
) {
    let grads = burn::optim::GradientsParams::from_grads(loss.backward(), model);
    *model = optimizer.step(learning_rate, model.clone(), grads);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::readback::read_f32;

    #[test]
    fn shapes_follow_the_config() {
        let device = crate::cpu_device();
        let model = ModelConfig::new().init(&device);
        let x = Tensor::<2>::zeros([5, 64], &device);
        assert_eq!(model.embed(x.clone()).dims(), [5, 64]);
        assert_eq!(model.forward(x).dims(), [5, 128]);
    }

    #[test]
    fn layer_outputs_end_in_the_embedding_and_the_projection() {
        let device = crate::cpu_device();
        let model = ModelConfig::new().init(&device).valid();
        let x = Tensor::<2>::ones([3, 64], &device);
        let outputs = model.layer_outputs(x.clone());
        let names = model.layer_names();
        assert_eq!(
            names,
            [
                "input",
                "encoder 1",
                "encoder 2",
                "embedding",
                "projector 1",
                "projection"
            ]
        );
        assert_eq!(outputs.len(), names.len());
        let read = |t: Tensor<2>| read_f32(t).unwrap();
        assert_eq!(read(outputs[3].clone()), read(model.embed(x.clone())));
        assert_eq!(read(outputs[5].clone()), read(model.forward(x)));
    }

    #[test]
    fn the_seed_alone_fixes_the_weights() {
        let device = crate::cpu_device();
        let x = Tensor::<2>::ones([2, 64], &device);
        let out = |seed| {
            read_f32(
                ModelConfig::new()
                    .with_seed(seed)
                    .init(&device)
                    .forward(x.clone()),
            )
        };
        assert_eq!(out(3).unwrap(), out(3).unwrap());
        assert_ne!(out(3).unwrap(), out(4).unwrap());
    }
}
