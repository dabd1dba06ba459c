//! The estimator page's work, as a job the worker advances in small steps: draw a seeded sample
//! with a known MI, run every estimator on it, repeat with the next seed.
//!
//! A step does one unit of work (the four non-parametric estimates of one draw, or one training
//! step of the three critics), so the worker can yield between steps and a newer request can
//! cancel the job between two of them. Time is read through a clock the caller passes, since
//! the core has no clock of its own in a browser.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::Rows;
use super::binning::binning_nats;
use super::critic::{CriticKind, FitConfig, SampleFit};
use super::gaussian::{CorrelatedGaussian, Monotone};
use super::kde::kde_nats;
use super::ksg::{ksg1_nats, ksg2_nats};
use crate::CoreError;
use crate::settings::Range;

/// The ground truth a sample is drawn from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Family {
    /// `d` independent pairs of standard normals with correlation `rho`.
    #[default]
    Gaussian,
    /// The same, with every coordinate of `Y` cubed: the MI is unchanged.
    Cube,
    /// The same, with every coordinate of `Y` exponentiated: the MI is unchanged.
    Exp,
}

impl Family {
    pub const ALL: [Family; 3] = [Family::Gaussian, Family::Cube, Family::Exp];

    pub fn key(self) -> &'static str {
        match self {
            Family::Gaussian => "gaussian",
            Family::Cube => "cube",
            Family::Exp => "exp",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Family::Gaussian => "correlated Gaussians",
            Family::Cube => "Gaussians, Y cubed",
            Family::Exp => "Gaussians, Y exponentiated",
        }
    }

    fn map(self) -> Option<Monotone> {
        match self {
            Family::Gaussian => None,
            Family::Cube => Some(Monotone::Cube),
            Family::Exp => Some(Monotone::Exp),
        }
    }
}

/// Samples per draw.
pub const SAMPLES: Range = Range {
    min: 100.0,
    max: 10_000.0,
    default: 2000.0,
};
/// Dimensions of `X` (and of `Y`).
pub const DIMENSION: Range = Range {
    min: 1.0,
    max: 20.0,
    default: 1.0,
};
/// The true MI, in nats.
pub const TRUE_MI: Range = Range {
    min: 0.0,
    max: 10.0,
    default: 1.0,
};
/// KSG's neighbours.
pub const NEIGHBOURS: Range = Range {
    min: 1.0,
    max: 20.0,
    default: 3.0,
};
/// Binning's bins per unit.
pub const BINS: Range = Range {
    min: 2.0,
    max: 100.0,
    default: 30.0,
};
/// The kernel estimator's noise variance.
pub const NOISE: Range = Range {
    min: 0.001,
    max: 1.0,
    default: super::kde::DEFAULT_NOISE_VARIANCE,
};
/// Seeded draws per request.
pub const REPEATS: Range = Range {
    min: 1.0,
    max: 10.0,
    default: 3.0,
};
/// Training steps of each critic per draw (0 leaves the critics out).
pub const CRITIC_STEPS: Range = Range {
    min: 0.0,
    max: 3000.0,
    default: 500.0,
};
/// The critics' batch size.
pub const CRITIC_BATCH: usize = 64;

/// What the estimator page asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimateRequest {
    pub family: Family,
    pub samples: usize,
    pub dim: usize,
    pub mi_nats: f64,
    pub k: usize,
    pub bins: usize,
    pub noise_var: f64,
    pub repeats: usize,
    pub critic_steps: usize,
    /// The critics' kind; old requests without it get the separable one.
    #[serde(default)]
    pub critic: CriticKind,
    pub seed: u64,
}

impl Default for EstimateRequest {
    fn default() -> Self {
        Self {
            family: Family::Gaussian,
            samples: SAMPLES.default as usize,
            dim: DIMENSION.default as usize,
            mi_nats: TRUE_MI.default,
            k: NEIGHBOURS.default as usize,
            bins: BINS.default as usize,
            noise_var: NOISE.default,
            repeats: REPEATS.default as usize,
            critic_steps: CRITIC_STEPS.default as usize,
            critic: CriticKind::Separable,
            seed: 0,
        }
    }
}

impl EstimateRequest {
    /// The request with every number clamped into its range (a non-finite one to its default).
    pub fn validated(mut self) -> Self {
        let clamp = |v: f64, r: Range| {
            if v.is_finite() {
                v.clamp(r.min, r.max)
            } else {
                r.default
            }
        };
        let whole = |v: usize, r: Range| clamp(v as f64, r).round() as usize;
        self.samples = whole(self.samples, SAMPLES);
        self.dim = whole(self.dim, DIMENSION);
        self.mi_nats = clamp(self.mi_nats, TRUE_MI);
        self.k = whole(self.k, NEIGHBOURS);
        self.bins = whole(self.bins, BINS);
        self.noise_var = clamp(self.noise_var, NOISE);
        self.repeats = whole(self.repeats, REPEATS);
        self.critic_steps = whole(self.critic_steps, CRITIC_STEPS);
        // A seed a JavaScript number holds exactly, as every seed of the page.
        self.seed = self.seed.min(crate::settings::SEED_MAX);
        self
    }
}

/// Every estimator's value on one draw, in nats, and the time each took in milliseconds. The
/// critics' are `None` when the request left them out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Estimates {
    pub ksg1: f64,
    pub ksg2: f64,
    pub binning: f64,
    pub kde: f64,
    /// InfoNCE, NWJ and MINE, in the order of [`super::critic::Bound::ALL`].
    pub critics: Option<[f64; 3]>,
    pub millis: Timings,
}

/// Milliseconds per estimator for one draw; the critics train together, so they share one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    pub ksg1: f64,
    pub ksg2: f64,
    pub binning: f64,
    pub kde: f64,
    pub critics: f64,
}

/// One finished draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draw {
    pub repeat: usize,
    pub truth_nats: f64,
    pub estimates: Estimates,
}

enum Stage {
    /// Draw the next sample and run the non-parametric estimators.
    Sample,
    /// Train the critics on the sample drawn.
    Critics {
        fit: Box<SampleFit>,
        partial: Estimates,
    },
}

/// A request in progress.
pub struct EstimateJob {
    request: EstimateRequest,
    truth: CorrelatedGaussian,
    repeat: usize,
    stage: Stage,
}

impl EstimateJob {
    pub fn new(request: EstimateRequest) -> Result<Self, CoreError> {
        let request = request.validated();
        let truth = CorrelatedGaussian::from_mi_nats(request.dim, request.mi_nats)?;
        Ok(Self {
            request,
            truth,
            repeat: 0,
            stage: Stage::Sample,
        })
    }

    pub fn request(&self) -> &EstimateRequest {
        &self.request
    }

    pub fn is_done(&self) -> bool {
        self.repeat >= self.request.repeats
    }

    /// The fraction of the job done, from 0 to 1.
    pub fn progress(&self) -> f64 {
        let within = match &self.stage {
            Stage::Sample => 0.0,
            Stage::Critics { fit, .. } => 0.1 + 0.9 * fit.progress(),
        };
        ((self.repeat as f64 + within) / self.request.repeats as f64).min(1.0)
    }

    /// Does one unit of work; returns the draw it finished, if any. `clock` gives the time in
    /// milliseconds.
    pub fn step(&mut self, clock: &dyn Fn() -> f64) -> Result<Option<Draw>, CoreError> {
        if self.is_done() {
            return Ok(None);
        }
        match &mut self.stage {
            Stage::Sample => {
                let r = &self.request;
                let seed = crate::split::sub_seed(r.seed, self.repeat as u64);
                let (x, mut y) = self
                    .truth
                    .sample(r.samples, &mut ChaCha8Rng::seed_from_u64(seed));
                if let Some(map) = r.family.map() {
                    map.apply_all(&mut y);
                }
                let (rx, ry) = (Rows::new(&x, r.dim), Rows::new(&y, r.dim));
                let mut millis = Timings::default();
                let timed = |slot: &mut f64, f: &mut dyn FnMut() -> Result<f64, super::MiError>| {
                    let start = clock();
                    let value = f();
                    *slot = clock() - start;
                    value
                };
                let ksg1 = timed(&mut millis.ksg1, &mut || ksg1_nats(rx, ry, r.k))?;
                let ksg2 = timed(&mut millis.ksg2, &mut || ksg2_nats(rx, ry, r.k))?;
                let binning = timed(&mut millis.binning, &mut || binning_nats(rx, ry, r.bins))?;
                let kde = timed(&mut millis.kde, &mut || kde_nats(rx, ry, r.noise_var))?;
                let partial = Estimates {
                    ksg1,
                    ksg2,
                    binning,
                    kde,
                    critics: None,
                    millis,
                };
                if r.critic_steps == 0 {
                    return Ok(Some(self.finish(partial)));
                }
                let config = FitConfig {
                    batch: CRITIC_BATCH,
                    steps: r.critic_steps,
                    critic: r.critic,
                    seed,
                };
                let fit = SampleFit::new(&x, &y, (r.dim, r.dim), &config, &crate::cpu_device())?;
                self.stage = Stage::Critics {
                    fit: Box::new(fit),
                    partial,
                };
                Ok(None)
            }
            Stage::Critics { fit, partial } => {
                let start = clock();
                fit.step()?;
                let done = fit.is_done();
                if done {
                    partial.critics = Some(fit.estimates()?);
                }
                partial.millis.critics += clock() - start;
                if !done {
                    return Ok(None);
                }
                let partial = std::mem::take(partial);
                Ok(Some(self.finish(partial)))
            }
        }
    }

    fn finish(&mut self, estimates: Estimates) -> Draw {
        let draw = Draw {
            repeat: self.repeat,
            truth_nats: self.truth.mi_nats(),
            estimates,
        };
        self.repeat += 1;
        self.stage = Stage::Sample;
        draw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(request: EstimateRequest) -> Vec<Draw> {
        let mut job = EstimateJob::new(request).unwrap();
        let mut draws = Vec::new();
        while !job.is_done() {
            if let Some(draw) = job.step(&|| 0.0).unwrap() {
                draws.push(draw);
            }
        }
        draws
    }

    #[test]
    fn a_job_makes_one_draw_per_repeat_and_is_fixed_by_its_seed() {
        let request = EstimateRequest {
            samples: 200,
            repeats: 2,
            critic_steps: 3,
            ..EstimateRequest::default()
        };
        let draws = run(request.clone());
        assert_eq!(draws.len(), 2);
        assert_eq!(draws[0].repeat, 0);
        assert!(draws[1].estimates.critics.is_some());
        assert_ne!(draws[0].estimates.ksg1, draws[1].estimates.ksg1);
        assert_eq!(draws, run(request));
    }

    #[test]
    fn out_of_range_requests_are_clamped() {
        let r = EstimateRequest {
            samples: 5,
            dim: 500,
            mi_nats: f64::NAN,
            seed: u64::MAX,
            ..EstimateRequest::default()
        }
        .validated();
        assert_eq!((r.samples, r.dim, r.mi_nats), (100, 20, 1.0));
        assert_eq!(r.seed, (1 << 53) - 1);
    }

    #[test]
    fn a_monotone_family_keeps_the_truth() {
        let request = EstimateRequest {
            family: Family::Exp,
            samples: 200,
            repeats: 1,
            critic_steps: 0,
            ..EstimateRequest::default()
        };
        let draw = &run(request)[0];
        assert!((draw.truth_nats - 1.0).abs() < 1e-12);
        assert!(draw.estimates.critics.is_none());
    }
}
