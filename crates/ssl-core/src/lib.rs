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
pub mod contrastive;
pub mod data;
pub mod error;
pub mod loss;
pub mod method;
pub mod metrics;
pub mod model;
pub mod pca;
pub mod pretext;
pub mod random_targets;
pub mod readback;
pub mod settings;
pub mod synthetic;
pub mod train;

pub use error::CoreError;

/// The burn device the core trains on: burn-flex, burn's pure-Rust CPU backend.
pub fn cpu_device() -> burn::tensor::Device {
    burn::tensor::Device::flex()
}
