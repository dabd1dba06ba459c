//! Variational lower bounds on mutual information with a trained critic, after Poole, Ozair,
//! van den Oord, Alemi and Tucker ("On variational bounds of mutual information", ICML 2019),
//! in nats.
//!
//! A critic `f(x, y)` scores pairs. On a batch of `B` paired samples, the scores
//! `S_ij = f(x_i, y_j)` hold the `B` positive pairs on the diagonal and `B (B - 1)` pairs of the
//! product of the marginals off it. Each bound is a function of `S`; training the critic to
//! raise it (with Adam) tightens it:
//!
//! ```text
//! InfoNCE (van den Oord et al. 2018):  I >= 1/B sum_i [ S_ii - ln sum_j exp S_ij ] + ln B
//! NWJ (Nguyen, Wainwright, Jordan 2010): I >= mean_i S_ii - e^-1 mean_{i != j} exp S_ij
//! MINE (Belghazi et al. 2018, the Donsker-Varadhan bound):
//!                                        I >= mean_i S_ii - ln mean_{i != j} exp S_ij
//! ```
//!
//! InfoNCE has low variance but can never exceed `ln B` (each term is a log-probability, at
//! most 0): at a true MI above `ln B` it saturates. NWJ is unbiased in its batch average but its
//! variance grows exponentially with the true MI. MINE's estimate is the DV bound; its gradient
//! is biased by the logarithm of a batch mean, so, as in the MINE paper, the denominator of the
//! gradient is replaced by a moving average of `mean_{i != j} exp S_ij` (weight
//! [`MINE_MOMENTUM`] on the past), which corrects the bias of the gradient, not of the value.
//!
//! Critics ([`CriticKind`]): *separable*, `f(x, y) = g(x) . h(y)` with two MLPs (`B` forward
//! passes each, cheap), or *concatenated*, `f(x, y) = m([x, y])` with one MLP on all `B^2`
//! pairs (more expressive, `B` times the work). The MLPs have two hidden ReLU layers; Poole et
//! al. used 256 units, the default here is [`DEFAULT_HIDDEN`] so that a staircase runs in
//! seconds in a browser tab.

use burn::module::Module;
use burn::optim::{AdamConfig, ModuleOptimizer};
use burn::tensor::activation::log_softmax;
use burn::tensor::{Device, Tensor, TensorData};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::MiError;
use super::gaussian::CorrelatedGaussian;
use crate::CoreError;
use crate::model::{Init, Mlp, descend, mlp_with_init};
use crate::readback::read_f32;

/// Hidden units per layer of a critic's MLPs.
pub const DEFAULT_HIDDEN: usize = 128;
/// Width of the separable critic's two embeddings.
pub const SEPARABLE_EMBEDDING: usize = 32;
/// Adam's learning rate for the critics (Poole et al.'s).
pub const CRITIC_LEARNING_RATE: f64 = 5e-4;
/// Weight of the past in MINE's moving average.
pub const MINE_MOMENTUM: f64 = 0.9;
/// What is subtracted from the diagonal to leave it out of the off-diagonal means.
const DIAGONAL_MASK: f64 = 1e9;

/// The three variational bounds, in the order the page lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Bound {
    InfoNce,
    Nwj,
    Mine,
}

impl Bound {
    pub const ALL: [Bound; 3] = [Bound::InfoNce, Bound::Nwj, Bound::Mine];

    pub fn label(self) -> &'static str {
        match self {
            Bound::InfoNce => "InfoNCE",
            Bound::Nwj => "NWJ",
            Bound::Mine => "MINE",
        }
    }
}

/// How a critic combines `x` and `y`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum CriticKind {
    /// `g(x) . h(y)`.
    #[default]
    Separable,
    /// `m([x, y])`.
    Concatenated,
}

/// A critic: two MLPs (separable) or one (concatenated).
#[derive(Module, Debug)]
pub struct Critic {
    nets: Vec<Mlp>,
}

impl Critic {
    /// A critic for `dim_x` and `dim_y` inputs, its weights drawn from `seed`.
    pub fn new(
        kind: CriticKind,
        dim_x: usize,
        dim_y: usize,
        hidden: usize,
        seed: u64,
        device: &Device,
    ) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let nets = match kind {
            CriticKind::Separable => [dim_x, dim_y]
                .iter()
                .map(|&d| {
                    mlp_with_init(
                        &[d, hidden, hidden, SEPARABLE_EMBEDDING],
                        false,
                        Init::Small,
                        &mut rng,
                        device,
                    )
                })
                .collect(),
            CriticKind::Concatenated => {
                vec![mlp_with_init(
                    &[dim_x + dim_y, hidden, hidden, 1],
                    false,
                    Init::Small,
                    &mut rng,
                    device,
                )]
            }
        };
        Self { nets }
    }

    /// The scores `S_ij = f(x_i, y_j)` of `x`: `[B, dx]` and `y`: `[B, dy]`, as `[B, B]`.
    pub fn scores(&self, x: Tensor<2>, y: Tensor<2>) -> Tensor<2> {
        let [b, dx] = x.dims();
        let [_, dy] = y.dims();
        match self.nets.as_slice() {
            [g, h] => g.forward(x).matmul(h.forward(y).transpose()),
            [m] => {
                let xs = x
                    .unsqueeze_dim::<3>(1)
                    .expand([b, b, dx])
                    .reshape([b * b, dx]);
                let ys = y
                    .unsqueeze_dim::<3>(0)
                    .expand([b, b, dy])
                    .reshape([b * b, dy]);
                m.forward(Tensor::cat(vec![xs, ys], 1)).reshape([b, b])
            }
            _ => unreachable!("a critic has one or two networks"),
        }
    }
}

/// What the bounds read from a batch's scores, as tensors of shape `[1]`.
struct ScoreTerms {
    /// `mean_i S_ii`.
    joint: Tensor<1>,
    /// `ln mean_{i != j} exp S_ij`.
    log_mean_exp_off: Tensor<1>,
    /// `1/B sum_i [S_ii - ln sum_j exp S_ij]`, InfoNCE's term without `ln B`.
    nce: Tensor<1>,
}

fn score_terms(scores: Tensor<2>) -> ScoreTerms {
    let [b, _] = scores.dims();
    let device = scores.device();
    let eye = Tensor::<2>::eye(b, &device);
    let joint = (scores.clone() * eye.clone()).sum() / b as f64;
    let nce = (log_softmax(scores.clone(), 1) * eye.clone()).sum() / b as f64;
    let off = scores - eye * DIAGONAL_MASK;
    let max = off.clone().max().detach();
    let log_mean_exp_off =
        (off - max.clone().reshape([1, 1])).exp().sum().log() + max - ((b * (b - 1)) as f64).ln();
    ScoreTerms {
        joint,
        log_mean_exp_off,
        nce,
    }
}

/// The value of `bound` from the terms read back: `[joint, log_mean_exp_off, nce]`.
fn bound_value(bound: Bound, terms: &[f64; 3], batch: usize) -> f64 {
    let [joint, lme, nce] = *terms;
    match bound {
        Bound::InfoNce => nce + (batch as f64).ln(),
        Bound::Nwj => joint - (lme - 1.0).exp(),
        Bound::Mine => joint - lme,
    }
}

fn read_terms(terms: &ScoreTerms) -> Result<[f64; 3], CoreError> {
    let values = read_f32(Tensor::cat(
        vec![
            terms.joint.clone(),
            terms.log_mean_exp_off.clone(),
            terms.nce.clone(),
        ],
        0,
    ))?;
    Ok([0, 1, 2].map(|i| f64::from(values[i])))
}

/// One bound with its own critic and Adam state.
pub struct VariationalEstimator {
    bound: Bound,
    critic: Critic,
    optimizer: ModuleOptimizer,
    /// MINE's moving average of `mean_{i != j} exp S_ij`, as its logarithm.
    log_average: Option<f64>,
    device: Device,
}

impl VariationalEstimator {
    /// A fresh critic for `bound` on the autodiff version of `device`.
    pub fn new(
        bound: Bound,
        kind: CriticKind,
        dims: (usize, usize),
        hidden: usize,
        seed: u64,
        device: &Device,
    ) -> Self {
        let device = device.clone().autodiff();
        Self {
            bound,
            critic: Critic::new(kind, dims.0, dims.1, hidden, seed, &device),
            optimizer: AdamConfig::new().init(),
            log_average: None,
            device,
        }
    }

    pub fn bound(&self) -> Bound {
        self.bound
    }

    /// One Adam step on the batch `x`: `[batch, dx]`, `y`: `[batch, dy]` (row-major); returns
    /// the bound's value on the batch before the step.
    pub fn train_step(&mut self, x: &[f32], y: &[f32], batch: usize) -> Result<f64, CoreError> {
        let (x, y) = tensors(x, y, batch, &self.device);
        let terms = score_terms(self.critic.scores(x, y));
        let read = read_terms(&terms)?;
        let value = bound_value(self.bound, &read, batch);
        if !value.is_finite() {
            return Err(CoreError::CriticDiverged {
                bound: self.bound.label(),
                value,
            });
        }
        let loss = match self.bound {
            Bound::InfoNce => terms.nce.neg(),
            Bound::Nwj => (terms.joint - (terms.log_mean_exp_off - 1.0).exp()).neg(),
            Bound::Mine => {
                // The gradient of ln mean exp S is mean(exp S grad S) / mean exp S; MINE
                // divides by the moving average instead of this batch's mean.
                let lme = read[1];
                let average = match self.log_average {
                    None => lme,
                    Some(past) => {
                        log_add_exp(past + MINE_MOMENTUM.ln(), lme + (1.0 - MINE_MOMENTUM).ln())
                    }
                };
                self.log_average = Some(average);
                (terms.joint - (terms.log_mean_exp_off - average).exp()).neg()
            }
        };
        descend(
            &mut self.critic,
            &mut self.optimizer,
            loss,
            CRITIC_LEARNING_RATE,
        );
        Ok(value)
    }

    /// The bound's value on the batch `x`, `y` without training.
    pub fn evaluate(&self, x: &[f32], y: &[f32], batch: usize) -> Result<f64, CoreError> {
        let device = self.device.clone().without_autodiff();
        let (x, y) = tensors(x, y, batch, &device);
        let terms = score_terms(self.critic.valid().scores(x, y));
        Ok(bound_value(self.bound, &read_terms(&terms)?, batch))
    }
}

fn tensors(x: &[f32], y: &[f32], batch: usize, device: &Device) -> (Tensor<2>, Tensor<2>) {
    let (dx, dy) = (x.len() / batch, y.len() / batch);
    (
        Tensor::from_data(TensorData::new(x.to_vec(), [batch, dx]), device),
        Tensor::from_data(TensorData::new(y.to_vec(), [batch, dy]), device),
    )
}

fn log_add_exp(a: f64, b: f64) -> f64 {
    let m = a.max(b);
    m + ((a - m).exp() + (b - m).exp()).ln()
}

/// One fresh estimator per bound, in the order of [`Bound::ALL`], each critic's weights drawn
/// from its own part of `seed`.
fn all_bounds(
    kind: CriticKind,
    dims: (usize, usize),
    hidden: usize,
    seed: u64,
    device: &Device,
) -> Vec<VariationalEstimator> {
    Bound::ALL
        .iter()
        .enumerate()
        .map(|(i, &bound)| {
            let seed = crate::split::sub_seed(seed, 10 + i as u64);
            VariationalEstimator::new(bound, kind, dims, hidden, seed, device)
        })
        .collect()
}

/// The settings of Poole et al.'s staircase (their Figure 2): `dim`-dimensional correlated
/// Gaussians whose true MI steps through `levels`, `steps_per_level` steps on each, fresh
/// batches of `batch` every step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaircaseConfig {
    pub dim: usize,
    pub levels: Vec<f64>,
    pub steps_per_level: usize,
    pub batch: usize,
    pub critic: CriticKind,
    pub hidden: usize,
    pub seed: u64,
}

impl Default for StaircaseConfig {
    fn default() -> Self {
        Self {
            dim: 20,
            levels: vec![2.0, 4.0, 6.0, 8.0, 10.0],
            steps_per_level: 1000,
            batch: 64,
            critic: CriticKind::Separable,
            hidden: DEFAULT_HIDDEN,
            seed: 0,
        }
    }
}

/// One step of the staircase: the true MI of its batch and each bound's value on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaircasePoint {
    pub step: usize,
    pub true_nats: f64,
    /// In the order of [`Bound::ALL`].
    pub estimates: [f64; 3],
}

/// The staircase in progress: three critics trained side by side on the same batches.
pub struct Staircase {
    config: StaircaseConfig,
    estimators: Vec<VariationalEstimator>,
    rng: ChaCha8Rng,
    step: usize,
}

impl Staircase {
    pub fn new(config: StaircaseConfig, device: &Device) -> Result<Self, CoreError> {
        if config.batch < 2 {
            return Err(MiError::TooFewSamples {
                n: config.batch,
                k: 1,
            }
            .into());
        }
        if config.levels.is_empty() {
            return Err(MiError::InvalidInformation { mi_nats: f64::NAN }.into());
        }
        for &level in &config.levels {
            CorrelatedGaussian::from_mi_nats(config.dim, level)?;
        }
        let estimators = all_bounds(
            config.critic,
            (config.dim, config.dim),
            config.hidden,
            config.seed,
            device,
        );
        Ok(Self {
            rng: ChaCha8Rng::seed_from_u64(crate::split::sub_seed(config.seed, 9)),
            config,
            estimators,
            step: 0,
        })
    }

    pub fn total_steps(&self) -> usize {
        self.config.levels.len() * self.config.steps_per_level
    }

    pub fn is_done(&self) -> bool {
        self.step >= self.total_steps()
    }

    /// Trains every critic one step on a fresh batch, or `None` once the staircase is done.
    pub fn step(&mut self) -> Option<Result<StaircasePoint, CoreError>> {
        if self.is_done() {
            return None;
        }
        let level = self.config.levels[self.step / self.config.steps_per_level];
        let gaussian = CorrelatedGaussian::from_mi_nats(self.config.dim, level)
            .expect("levels were checked in new");
        let (x, y) = gaussian.sample(self.config.batch, &mut self.rng);
        let (x, y) = (to_f32(&x), to_f32(&y));
        let mut estimates = [0.0; 3];
        for (estimate, estimator) in estimates.iter_mut().zip(&mut self.estimators) {
            match estimator.train_step(&x, &y, self.config.batch) {
                Ok(value) => *estimate = value,
                Err(e) => return Some(Err(e)),
            }
        }
        self.step += 1;
        Some(Ok(StaircasePoint {
            step: self.step,
            true_nats: level,
            estimates,
        }))
    }
}

/// Fits the three critics to a fixed sample, as the estimator page does: they train on
/// mini-batches drawn from the first half and are evaluated on the second, held-out half, so a
/// critic that memorised its training pairs gains nothing.
pub struct SampleFit {
    estimators: Vec<VariationalEstimator>,
    train: (Vec<f32>, Vec<f32>),
    held_out: (Vec<f32>, Vec<f32>),
    dims: (usize, usize),
    batch: usize,
    steps: usize,
    done: usize,
    rng: ChaCha8Rng,
}

/// How [`SampleFit`] trains its critics.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FitConfig {
    /// Batch size (cut to half the sample when it is smaller).
    pub batch: usize,
    pub steps: usize,
    pub critic: CriticKind,
    pub seed: u64,
}

impl SampleFit {
    /// `x` and `y` hold `n` paired rows of `dims`; the critics train as `config` says.
    pub fn new(
        x: &[f64],
        y: &[f64],
        dims: (usize, usize),
        config: &FitConfig,
        device: &Device,
    ) -> Result<Self, CoreError> {
        let FitConfig {
            batch,
            steps,
            critic,
            seed,
        } = *config;
        let n = x.len() / dims.0;
        if y.len() / dims.1 != n {
            return Err(MiError::MismatchedSamples {
                x: n,
                y: y.len() / dims.1,
            }
            .into());
        }
        if n < 4 {
            return Err(MiError::TooFewSamples { n, k: 3 }.into());
        }
        let half = n / 2;
        let split = |v: &[f64], d: usize| (to_f32(&v[..half * d]), to_f32(&v[half * d..]));
        let (x_train, x_held) = split(x, dims.0);
        let (y_train, y_held) = split(y, dims.1);
        let estimators = all_bounds(critic, dims, DEFAULT_HIDDEN, seed, device);
        Ok(Self {
            estimators,
            train: (x_train, y_train),
            held_out: (x_held, y_held),
            dims,
            batch: batch.clamp(2, half.max(2)),
            steps,
            done: 0,
            rng: ChaCha8Rng::seed_from_u64(crate::split::sub_seed(seed, 9)),
        })
    }

    pub fn is_done(&self) -> bool {
        self.done >= self.steps
    }

    /// The fraction of the training done, from 0 to 1.
    pub fn progress(&self) -> f64 {
        if self.steps == 0 {
            1.0
        } else {
            self.done as f64 / self.steps as f64
        }
    }

    /// One training step of every critic on a batch drawn from the training half.
    pub fn step(&mut self) -> Result<(), CoreError> {
        let n = self.train.0.len() / self.dims.0;
        let rows: Vec<usize> = rand::seq::index::sample(&mut self.rng, n, self.batch).into_vec();
        let (x, y) = gather(&self.train, self.dims, &rows);
        for estimator in &mut self.estimators {
            estimator.train_step(&x, &y, self.batch)?;
        }
        self.done += 1;
        Ok(())
    }

    /// Each bound on the held-out half: the mean over its batches of `batch` (in the order of
    /// [`Bound::ALL`]).
    pub fn estimates(&self) -> Result<[f64; 3], CoreError> {
        let n = self.held_out.0.len() / self.dims.0;
        let batch = self.batch.min(n);
        let batches = n / batch;
        let mut sums = [0.0; 3];
        for b in 0..batches {
            let rows: Vec<usize> = (b * batch..(b + 1) * batch).collect();
            let (x, y) = gather(&self.held_out, self.dims, &rows);
            for (sum, estimator) in sums.iter_mut().zip(&self.estimators) {
                *sum += estimator.evaluate(&x, &y, batch)?;
            }
        }
        Ok(sums.map(|s| s / batches as f64))
    }
}

/// The rows `rows` of a paired sample.
fn gather(
    (x, y): &(Vec<f32>, Vec<f32>),
    (dx, dy): (usize, usize),
    rows: &[usize],
) -> (Vec<f32>, Vec<f32>) {
    let mut gx = Vec::with_capacity(rows.len() * dx);
    let mut gy = Vec::with_capacity(rows.len() * dy);
    for &r in rows {
        gx.extend_from_slice(&x[r * dx..(r + 1) * dx]);
        gy.extend_from_slice(&y[r * dy..(r + 1) * dy]);
    }
    (gx, gy)
}

fn to_f32(values: &[f64]) -> Vec<f32> {
    values.iter().map(|&v| v as f32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::tensor;

    fn terms_of(scores: &[f64], b: usize) -> [f64; 3] {
        let device = crate::cpu_device();
        read_terms(&score_terms(tensor(scores, b, &device))).unwrap()
    }

    #[test]
    fn the_bounds_of_a_hand_computed_score_matrix() {
        // S = [[2, 0], [0, 2]]: joint 2, off-diagonal exp 1 so ln mean = 0, and each row's
        // log-softmax at the diagonal is 2 - ln(e^2 + 1).
        let terms = terms_of(&[2.0, 0.0, 0.0, 2.0], 2);
        let nce = 2.0 - (2f64.exp() + 1.0).ln();
        assert!((terms[0] - 2.0).abs() < 1e-5);
        assert!(terms[1].abs() < 1e-5);
        assert!((terms[2] - nce).abs() < 1e-5);
        assert!((bound_value(Bound::InfoNce, &terms, 2) - (nce + 2f64.ln())).abs() < 1e-5);
        assert!((bound_value(Bound::Nwj, &terms, 2) - (2.0 - (-1f64).exp())).abs() < 1e-5);
        assert!((bound_value(Bound::Mine, &terms, 2) - 2.0).abs() < 1e-5);
    }

    #[test]
    fn infonce_never_exceeds_ln_batch() {
        // A critic that separates the pairs as well as a score of 1000 can: still at most ln 4.
        let mut s = vec![-1000.0; 16];
        for i in 0..4 {
            s[i * 4 + i] = 1000.0;
        }
        let value = bound_value(Bound::InfoNce, &terms_of(&s, 4), 4);
        assert!(
            value <= 4f64.ln() + 1e-6 && value > 4f64.ln() - 1e-3,
            "{value}"
        );
    }

    #[test]
    fn the_concatenated_critic_scores_every_pair() {
        let device = crate::cpu_device();
        let critic = Critic::new(CriticKind::Concatenated, 2, 3, 8, 1, &device);
        let x = tensor(&[0.1, 0.2, 0.3, 0.4], 2, &device);
        let y = tensor(&[1.0, 0.0, 0.5, -1.0, 0.2, 0.0], 2, &device);
        let all = read_f32(critic.scores(x, y.clone())).unwrap();
        // S_10 = f(x_1, y_0) from a batch of one.
        let x1 = tensor(&[0.3, 0.4], 1, &device);
        let y0 = tensor(&[1.0, 0.0, 0.5], 1, &device);
        let single = read_f32(critic.scores(x1, y0)).unwrap();
        assert!((all[2] - single[0]).abs() < 1e-6, "{all:?} {single:?}");
    }
}
