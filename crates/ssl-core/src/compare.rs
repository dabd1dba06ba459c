//! The presets of compare mode: VICReg with one of its loss terms switched off, for finding (b)
//! of Ben-Shaul et al. (2023), that the regularization term drives most of the clustering.
//!
//! Each preset is a triple of VICReg weights (invariance lambda, variance mu, covariance nu).
//! "Balanced" is the official default, 25/25/1. "Invariance only" keeps the term that pulls the
//! two views of a sample together and drops both regularizers (25/0/0): nothing then stops every
//! embedding from collapsing to one point. "Regularization only" keeps the variance and
//! covariance terms and drops invariance (0/25/1): the views are never pulled together, so
//! whatever clustering appears comes from spreading and decorrelating the batch.
//!
//! Compare mode runs every preset from the same seed, so the split, the initial weights and the
//! batches are the same in all of them and only the weights differ.

use serde::{Deserialize, Serialize};

use crate::method::Method;
use crate::settings::Settings;

/// A named set of VICReg weights.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Preset {
    /// The stable name in test ids (`preset-balanced`) and in exported data.
    pub key: &'static str,
    /// The name shown on its button and in the chart's legend.
    pub label: &'static str,
    pub invariance: f64,
    pub variance: f64,
    pub covariance: f64,
}

/// The presets, in the order they are shown.
pub const PRESETS: [Preset; 3] = [
    Preset {
        key: "balanced",
        label: "balanced 25/25/1",
        invariance: 25.0,
        variance: 25.0,
        covariance: 1.0,
    },
    Preset {
        key: "invariance",
        label: "invariance only 25/0/0",
        invariance: 25.0,
        variance: 0.0,
        covariance: 0.0,
    },
    Preset {
        key: "regularization",
        label: "regularization only 0/25/1",
        invariance: 0.0,
        variance: 25.0,
        covariance: 1.0,
    },
];

/// Steps each compare run trains before it stops: the length the closing note's measurements use.
pub const COMPARE_STEPS: usize = 1000;

impl Preset {
    /// `settings` with this preset's weights, as a VICReg run; everything else (data set, seed,
    /// learning rate, batch, augmentation) is kept.
    pub fn apply(&self, settings: &Settings) -> Settings {
        Settings {
            method: Method::Vicreg,
            invariance_weight: self.invariance,
            variance_weight: self.variance,
            covariance_weight: self.covariance,
            ..settings.clone()
        }
    }

    /// Whether `settings` trains VICReg with exactly this preset's weights.
    pub fn is_applied_to(&self, settings: &Settings) -> bool {
        settings.method == Method::Vicreg
            && settings.invariance_weight == self.invariance
            && settings.variance_weight == self.variance
            && settings.covariance_weight == self.covariance
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings;

    #[test]
    fn balanced_is_the_default_vicreg_weighting() {
        let defaults = Settings::default();
        assert!(PRESETS[0].is_applied_to(&defaults));
        assert!(!PRESETS[1].is_applied_to(&defaults));
    }

    #[test]
    fn a_preset_changes_only_the_method_and_the_weights() {
        let start = Settings {
            seed: 7,
            method: Method::Simclr,
            learning_rate: 0.003,
            ..Settings::default()
        };
        let applied = PRESETS[2].apply(&start);
        assert!(PRESETS[2].is_applied_to(&applied));
        assert_eq!((applied.seed, applied.learning_rate), (7, 0.003));
        assert_eq!(applied.method, Method::Vicreg);
        assert_eq!(
            (
                applied.invariance_weight,
                applied.variance_weight,
                applied.covariance_weight
            ),
            (0.0, 25.0, 1.0)
        );
    }

    #[test]
    fn every_preset_is_a_valid_setting() {
        for preset in PRESETS {
            let (validated, notices) = preset.apply(&Settings::default()).validated();
            assert!(notices.is_empty(), "{}: {notices:?}", preset.key);
            assert!(preset.is_applied_to(&validated));
        }
        // Within the sliders' ranges, so the page can show them.
        for p in PRESETS {
            assert!((settings::INVARIANCE.min..=settings::INVARIANCE.max).contains(&p.invariance));
            assert!((settings::VARIANCE.min..=settings::VARIANCE.max).contains(&p.variance));
            assert!((settings::COVARIANCE.min..=settings::COVARIANCE.max).contains(&p.covariance));
        }
    }
}
