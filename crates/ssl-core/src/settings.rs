//! The settings of one run: every hyperparameter and the seed, with their defaults and ranges.
//!
//! One struct holds them so that a run is reproduced by its settings alone. [`Settings::validated`]
//! is the second step of parsing: raw values (from the page's controls or, later, a link) come in,
//! and every value outside its range falls back to its default with a [`Notice`] naming it.

use serde::{Deserialize, Serialize};

/// The inclusive range a numeric setting must lie in, and its default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    pub min: f64,
    pub max: f64,
    pub default: f64,
}

impl Range {
    fn admits(&self, value: f64) -> bool {
        value.is_finite() && value >= self.min && value <= self.max
    }
}

/// Invariance weight lambda (VICReg's default is 25).
pub const INVARIANCE: Range = Range {
    min: 0.0,
    max: 100.0,
    default: 25.0,
};
/// Variance weight mu (VICReg's default is 25).
pub const VARIANCE: Range = Range {
    min: 0.0,
    max: 100.0,
    default: 25.0,
};
/// Covariance weight nu (VICReg's default is 1).
pub const COVARIANCE: Range = Range {
    min: 0.0,
    max: 100.0,
    default: 1.0,
};
/// Adam's learning rate.
pub const LEARNING_RATE: Range = Range {
    min: 1e-5,
    max: 10.0,
    default: 1e-2,
};
/// Samples per batch; two views are drawn of each.
pub const BATCH_SIZE: Range = Range {
    min: 16.0,
    max: 1024.0,
    default: 256.0,
};
/// How strongly the views are perturbed, from 0 (two copies of the sample) to 1.
pub const AUGMENT_STRENGTH: Range = Range {
    min: 0.0,
    max: 1.0,
    default: 0.6,
};

/// The largest seed: every seed must survive a trip through a JavaScript number unchanged.
pub const SEED_MAX: u64 = (1 << 53) - 1;

/// Everything that determines a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Seeds the split, the initial weights, the batches and the augmentations.
    pub seed: u64,
    /// Weight of the invariance term (lambda).
    pub invariance_weight: f64,
    /// Weight of the variance term (mu).
    pub variance_weight: f64,
    /// Weight of the covariance term (nu).
    pub covariance_weight: f64,
    pub learning_rate: f64,
    pub batch_size: usize,
    pub augment_strength: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            seed: 42,
            invariance_weight: INVARIANCE.default,
            variance_weight: VARIANCE.default,
            covariance_weight: COVARIANCE.default,
            learning_rate: LEARNING_RATE.default,
            batch_size: BATCH_SIZE.default as usize,
            augment_strength: AUGMENT_STRENGTH.default,
        }
    }
}

/// A value that was out of range and replaced by its default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    pub field: String,
    pub message: String,
}

impl Settings {
    /// Returns these settings with every out-of-range value replaced by its default, and one
    /// notice per replaced value.
    pub fn validated(mut self) -> (Self, Vec<Notice>) {
        let mut notices = Vec::new();
        let mut check = |field: &str, value: &mut f64, range: Range| {
            if !range.admits(*value) {
                notices.push(Notice {
                    field: field.to_string(),
                    message: format!(
                        "{field} = {value} is outside {}..={}; using the default {}",
                        range.min, range.max, range.default
                    ),
                });
                *value = range.default;
            }
        };
        check("invariance_weight", &mut self.invariance_weight, INVARIANCE);
        check("variance_weight", &mut self.variance_weight, VARIANCE);
        check("covariance_weight", &mut self.covariance_weight, COVARIANCE);
        check("learning_rate", &mut self.learning_rate, LEARNING_RATE);
        check(
            "augment_strength",
            &mut self.augment_strength,
            AUGMENT_STRENGTH,
        );
        let mut batch = self.batch_size as f64;
        check("batch_size", &mut batch, BATCH_SIZE);
        self.batch_size = batch as usize;
        if self.seed > SEED_MAX {
            notices.push(Notice {
                field: "seed".to_string(),
                message: format!(
                    "seed = {} is above {SEED_MAX}; using the default 42",
                    self.seed
                ),
            });
            self.seed = Settings::default().seed;
        }
        (self, notices)
    }

    /// Whether going from `self` to `next` needs a fresh model. The loss weights and the
    /// learning rate can change between two steps; everything else shapes the run from its start.
    pub fn needs_reset(&self, next: &Settings) -> bool {
        self.seed != next.seed
            || self.batch_size != next.batch_size
            || self.augment_strength != next.augment_strength
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_pass_validation_unchanged() {
        let (s, notices) = Settings::default().validated();
        assert_eq!(s, Settings::default());
        assert!(notices.is_empty());
    }

    #[test]
    fn out_of_range_values_fall_back_with_a_notice_each() {
        let raw = Settings {
            learning_rate: f64::NAN,
            variance_weight: -1.0,
            batch_size: 1 << 30,
            ..Settings::default()
        };
        let (s, notices) = raw.validated();
        assert_eq!(s, Settings::default());
        let fields: Vec<_> = notices.iter().map(|n| n.field.as_str()).collect();
        assert_eq!(fields, ["variance_weight", "learning_rate", "batch_size"]);
    }

    #[test]
    fn only_run_shaping_changes_need_a_reset() {
        let a = Settings::default();
        assert!(!a.needs_reset(&Settings {
            learning_rate: 0.01,
            invariance_weight: 1.0,
            ..a.clone()
        }));
        assert!(a.needs_reset(&Settings {
            seed: 1,
            ..a.clone()
        }));
        assert!(a.needs_reset(&Settings {
            batch_size: 64,
            ..a.clone()
        }));
    }
}
