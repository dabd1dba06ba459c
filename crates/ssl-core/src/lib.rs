//! The web-free core of SSL Explorer.
//!
//! Everything that computes lives here: loading the bundled image data, drawing augmented views,
//! the encoder and projector, the VICReg loss, the Adam training step, and the analyses (nearest
//! class centre accuracy, PCA). It knows nothing of the browser: the worker in the app drives it
//! through [`train::Trainer::step`], one small step at a time, and it is tested natively with
//! `cargo test`.
//!
//! Every random draw comes from a generator seeded by [`settings::Settings::seed`], so a run is
//! reproduced by its settings alone.

pub mod analysis;
pub mod augment;
pub mod barlow;
pub mod bench;
pub mod byo;
pub mod compare;
pub mod contrastive;
pub mod cross_entropy;
pub mod data;
pub mod error;
pub mod loss;
pub mod method;
pub mod metrics;
pub mod mi;
pub mod model;
pub mod pca;
pub mod pretext;
pub mod random_targets;
pub mod readback;
pub mod record;
pub mod settings;
pub mod split;
pub mod synthetic;
pub mod train;

pub use error::CoreError;

/// The burn device the core trains on: burn-flex, burn's pure-Rust CPU backend.
pub fn cpu_device() -> burn::tensor::Device {
    burn::tensor::Device::flex()
}

/// Helpers shared by the tests of the tensor code.
#[cfg(test)]
pub(crate) mod test_support {
    use burn::tensor::{Device, Tensor, TensorData};

    use crate::readback::read_f32;

    /// A `[rows, len / rows]` tensor of `values`.
    pub fn tensor(values: &[f64], rows: usize, device: &Device) -> Tensor<2> {
        let values: Vec<f32> = values.iter().map(|&v| v as f32).collect();
        let cols = values.len() / rows;
        Tensor::from_data(TensorData::new(values, [rows, cols]), device)
    }

    /// The one value of a `[1]` tensor.
    pub fn value(t: Tensor<1>) -> f64 {
        f64::from(read_f32(t).unwrap()[0])
    }
}
