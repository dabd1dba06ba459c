//! The settings of one run: every hyperparameter and the seed, with their defaults and ranges.
//!
//! One struct holds them so that a run is reproduced by its settings alone. [`Settings::validated`]
//! is the second step of parsing: raw values (from the page's controls or, later, a link) come in,
//! and every value outside its range falls back to its default with a [`Notice`] naming it.

use serde::{Deserialize, Serialize};

use crate::data::Dataset;
use crate::method::Method;

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

/// SimCLR's temperature tau: lower sharpens the softmax over the batch (the official CIFAR-10
/// recipe uses 0.5, ImageNet 0.1).
pub const TEMPERATURE: Range = Range {
    min: 0.05,
    max: 2.0,
    default: 0.5,
};
/// Barlow Twins' weight of the off-diagonal (redundancy reduction) term; the paper's 5e-3.
pub const OFFDIAG_WEIGHT: Range = Range {
    min: 0.0,
    max: 0.1,
    default: 5e-3,
};

/// The synthetic data set's nuisance: the standard deviation of each nuisance coordinate, in
/// the units of its semantic coordinates (superclass centres sit 4 from the origin, so 3, the
/// default of [`crate::synthetic::SyntheticConfig`], already gives the nuisances most of the
/// pixel variance). Other data sets ignore it.
pub const NUISANCE: Range = Range {
    min: 0.0,
    max: 6.0,
    default: 3.0,
};

/// The largest seed: every seed must survive a trip through a JavaScript number unchanged.
pub const SEED_MAX: u64 = (1 << 53) - 1;
/// The seed, any whole number up to [`SEED_MAX`].
pub const SEED: Range = Range {
    min: 0.0,
    max: SEED_MAX as f64,
    default: 42.0,
};

/// The most characters of a rejected value a notice repeats: a link can hold megabytes.
pub const QUOTE_MAX: usize = 40;

/// Everything that determines a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Seeds the split, the initial weights, the batches and the augmentations.
    pub seed: u64,
    #[serde(default)]
    pub dataset: Dataset,
    #[serde(default)]
    pub method: Method,
    /// Weight of the invariance term (lambda).
    pub invariance_weight: f64,
    /// Weight of the variance term (mu).
    pub variance_weight: f64,
    /// Weight of the covariance term (nu).
    pub covariance_weight: f64,
    pub learning_rate: f64,
    pub batch_size: usize,
    pub augment_strength: f64,
    /// SimCLR's temperature.
    #[serde(default = "default_temperature")]
    pub temperature: f64,
    /// Barlow Twins' off-diagonal weight.
    #[serde(default = "default_offdiag_weight")]
    pub offdiag_weight: f64,
    /// The synthetic data set's nuisance standard deviation ([`NUISANCE`]).
    #[serde(default = "default_nuisance")]
    pub nuisance: f64,
}

fn default_temperature() -> f64 {
    TEMPERATURE.default
}

fn default_offdiag_weight() -> f64 {
    OFFDIAG_WEIGHT.default
}

fn default_nuisance() -> f64 {
    NUISANCE.default
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            seed: SEED.default as u64,
            dataset: Dataset::default(),
            method: Method::default(),
            invariance_weight: INVARIANCE.default,
            variance_weight: VARIANCE.default,
            covariance_weight: COVARIANCE.default,
            learning_rate: LEARNING_RATE.default,
            batch_size: BATCH_SIZE.default as usize,
            augment_strength: AUGMENT_STRENGTH.default,
            temperature: TEMPERATURE.default,
            offdiag_weight: OFFDIAG_WEIGHT.default,
            nuisance: NUISANCE.default,
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
    /// notice per replaced value, naming the field as in the struct.
    pub fn validated(self) -> (Self, Vec<Notice>) {
        self.validated_naming(|field| field.name)
    }

    /// [`Settings::validated`], naming each field with `name`.
    fn validated_naming(mut self, name: fn(&Field) -> &'static str) -> (Self, Vec<Notice>) {
        let mut notices = Vec::new();
        for field in &FIELDS {
            let value = (field.get)(&self);
            if !field.range.admits(value) || (field.whole && value.fract() != 0.0) {
                notices.push(Notice {
                    field: name(field).to_string(),
                    message: format!(
                        "{} = {} is outside {}..={}; using the default {}",
                        name(field),
                        readable(value),
                        field.range.min,
                        field.range.max,
                        field.range.default
                    ),
                });
                (field.set)(&mut self, field.range.default);
            }
        }
        (self, notices)
    }

    /// The settings as query-string pairs, every field in a fixed order, numbers in Rust's
    /// shortest form that parses back to the same value, so parsing them gives these settings
    /// exactly (and serializing again gives the same link).
    pub fn to_query(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![
            (DATASET_KEY, self.dataset.key().to_string()),
            (METHOD_KEY, self.method.key().to_string()),
        ];
        pairs.extend(
            FIELDS
                .iter()
                .map(|field| (field.key, format_number((field.get)(self)))),
        );
        pairs
    }

    /// Parses settings from query-string pairs (already percent-decoded), in two steps: raw
    /// values are read and parsed as numbers, then every value is checked against its range.
    /// Keys in `ignored` belong to someone else (the page's own parameters) and are skipped.
    /// Anything else unknown, repeated, malformed or out of range is dropped, the default used,
    /// and a notice says so; a notice quotes at most [`QUOTE_MAX`] characters of what was given.
    pub fn from_query<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
        ignored: &[&str],
    ) -> (Self, Vec<Notice>) {
        let mut settings = Settings::default();
        let mut notices = Vec::new();
        let mut seen = Vec::new();
        for (key, raw) in pairs {
            if ignored.contains(&key) {
                continue;
            }
            if key == METHOD_KEY || key == DATASET_KEY {
                if seen.contains(&key) {
                    notices.push(Notice {
                        field: key.to_string(),
                        message: format!("{key} is given more than once; the first value is used"),
                    });
                    continue;
                }
                seen.push(if key == METHOD_KEY {
                    METHOD_KEY
                } else {
                    DATASET_KEY
                });
                let raw = raw.trim();
                let chosen = if key == METHOD_KEY {
                    Method::from_key(raw).map(|m| settings.method = m)
                } else {
                    Dataset::from_key(raw).map(|d| settings.dataset = d)
                };
                if chosen.is_none() {
                    let (keys, default) = if key == METHOD_KEY {
                        (
                            Method::ALL.map(Method::key).join(", "),
                            Method::default().key(),
                        )
                    } else {
                        (
                            Dataset::ALL.map(Dataset::key).join(", "),
                            Dataset::default().key(),
                        )
                    };
                    notices.push(Notice {
                        field: key.to_string(),
                        message: format!(
                            "{key} = \"{}\" is not one of {keys}; using the default {default}",
                            quote(raw)
                        ),
                    });
                }
                continue;
            }
            let Some(field) = FIELDS.iter().find(|f| f.key == key) else {
                notices.push(Notice {
                    field: quote(key),
                    message: format!(
                        "the link's parameter \"{}\" is not a setting; ignored",
                        quote(key)
                    ),
                });
                continue;
            };
            if seen.contains(&field.key) {
                notices.push(Notice {
                    field: field.key.to_string(),
                    message: format!(
                        "{} is given more than once; the first value is used",
                        field.key
                    ),
                });
                continue;
            }
            seen.push(field.key);
            if let Some(n) = field
                .whole
                .then(|| raw.trim().parse::<u64>().ok())
                .flatten()
                && n as f64 > field.range.max
            {
                // Quoted as given: as an f64 it would print rounded, or as 2^64.
                notices.push(Notice {
                    field: field.key.to_string(),
                    message: format!(
                        "{} = {n} is above {}; using the default {}",
                        field.key,
                        readable(field.range.max),
                        field.range.default
                    ),
                });
                continue;
            }
            match parse_number(raw.trim(), field.whole) {
                Some(value) => (field.set)(&mut settings, value),
                None => notices.push(Notice {
                    field: field.key.to_string(),
                    message: format!(
                        "{} = \"{}\" is not {}; using the default {}",
                        field.key,
                        quote(raw),
                        if field.whole {
                            "a whole number from 0"
                        } else {
                            "a number"
                        },
                        field.range.default
                    ),
                }),
            }
        }
        let (settings, mut range_notices) = settings.validated_naming(|field| field.key);
        notices.append(&mut range_notices);
        (settings, notices)
    }
    /// These settings with the ones that apply from the next step (loss weights, learning rate,
    /// temperature, off-diagonal weight) taken from `next`: what a run started with `self` uses
    /// after its controls were moved to `next`.
    pub fn with_live_from(&self, next: &Settings) -> Settings {
        Settings {
            invariance_weight: next.invariance_weight,
            variance_weight: next.variance_weight,
            covariance_weight: next.covariance_weight,
            learning_rate: next.learning_rate,
            temperature: next.temperature,
            offdiag_weight: next.offdiag_weight,
            ..self.clone()
        }
    }

    /// Whether going from `self` to `next` needs a fresh model. The loss weights and the
    /// learning rate can change between two steps; everything else shapes the run from its start
    /// (the nuisance changes the synthetic data set itself).
    pub fn needs_reset(&self, next: &Settings) -> bool {
        self.seed != next.seed
            || self.method != next.method
            || self.dataset != next.dataset
            || self.batch_size != next.batch_size
            || self.augment_strength != next.augment_strength
            || self.nuisance != next.nuisance
    }
}

/// One setting as the link and the validation see it.
pub struct Field {
    /// The name in the struct.
    pub name: &'static str,
    /// The short, stable name in a link's query string.
    pub key: &'static str,
    pub range: Range,
    /// Whether only whole numbers are allowed.
    pub whole: bool,
    get: fn(&Settings) -> f64,
    set: fn(&mut Settings, f64),
}

/// The link key of the method, one of the two settings that are not numbers.
pub const METHOD_KEY: &str = "method";
/// The link key of the data set.
pub const DATASET_KEY: &str = "dataset";

/// Every numeric setting, in the order links list them (after the method).
pub const FIELDS: [Field; 10] = [
    Field {
        name: "seed",
        key: "seed",
        range: SEED,
        whole: true,
        get: |s| s.seed as f64,
        set: |s, v| s.seed = v as u64,
    },
    Field {
        name: "learning_rate",
        key: "lr",
        range: LEARNING_RATE,
        whole: false,
        get: |s| s.learning_rate,
        set: |s, v| s.learning_rate = v,
    },
    Field {
        name: "batch_size",
        key: "batch",
        range: BATCH_SIZE,
        whole: true,
        get: |s| s.batch_size as f64,
        set: |s, v| s.batch_size = v as usize,
    },
    Field {
        name: "invariance_weight",
        key: "lambda",
        range: INVARIANCE,
        whole: false,
        get: |s| s.invariance_weight,
        set: |s, v| s.invariance_weight = v,
    },
    Field {
        name: "variance_weight",
        key: "mu",
        range: VARIANCE,
        whole: false,
        get: |s| s.variance_weight,
        set: |s, v| s.variance_weight = v,
    },
    Field {
        name: "covariance_weight",
        key: "nu",
        range: COVARIANCE,
        whole: false,
        get: |s| s.covariance_weight,
        set: |s, v| s.covariance_weight = v,
    },
    Field {
        name: "augment_strength",
        key: "aug",
        range: AUGMENT_STRENGTH,
        whole: false,
        get: |s| s.augment_strength,
        set: |s, v| s.augment_strength = v,
    },
    Field {
        name: "temperature",
        key: "tau",
        range: TEMPERATURE,
        whole: false,
        get: |s| s.temperature,
        set: |s, v| s.temperature = v,
    },
    Field {
        name: "offdiag_weight",
        key: "offdiag",
        range: OFFDIAG_WEIGHT,
        whole: false,
        get: |s| s.offdiag_weight,
        set: |s, v| s.offdiag_weight = v,
    },
    Field {
        name: "nuisance",
        key: "nuisance",
        range: NUISANCE,
        whole: false,
        get: |s| s.nuisance,
        set: |s, v| s.nuisance = v,
    },
];

/// Formats a setting for a link: whole numbers without a fraction, others in the shortest form
/// that parses back to the same `f64`.
fn format_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e16 {
        format!("{value:.0}")
    } else {
        value.to_string()
    }
}

/// A number short enough for a notice: scientific notation when plain would be long.
fn readable(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude != 0.0 && !(1e-4..1e6).contains(&magnitude) {
        format!("{value:e}")
    } else {
        value.to_string()
    }
}

/// Parses one raw value: a plain decimal or scientific number. Rust's parser also accepts
/// "inf" and "NaN"; those are refused here, and the range check refuses what overflows.
fn parse_number(raw: &str, whole: bool) -> Option<f64> {
    if whole {
        // Whole numbers go through u64 so a seed above 2^53 is not silently rounded.
        let n: u64 = raw.parse().ok()?;
        return if n <= SEED_MAX {
            Some(n as f64)
        } else {
            Some(f64::INFINITY)
        };
    }
    let plain = raw
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
    if !plain || raw.is_empty() {
        return None;
    }
    raw.parse().ok()
}

/// At most [`QUOTE_MAX`] characters of `text`, control characters replaced, for a notice.
pub fn quote(text: &str) -> String {
    let mut quoted: String = text
        .chars()
        .take(QUOTE_MAX)
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect();
    if text.chars().count() > QUOTE_MAX {
        quoted.push('…');
    }
    quoted
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
        assert_eq!(fields, ["learning_rate", "batch_size", "variance_weight"]);
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
        assert!(a.needs_reset(&Settings {
            nuisance: 4.0,
            ..a.clone()
        }));
    }

    #[test]
    fn the_nuisance_parses_from_a_link_within_its_range() {
        let (settings, notices) = query("dataset=synthetic&nuisance=4");
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(
            (settings.dataset, settings.nuisance),
            (Dataset::Synthetic, 4.0)
        );
        for edge in ["0", "6", "2.5"] {
            let (settings, notices) = query(&format!("nuisance={edge}"));
            assert!(notices.is_empty(), "{edge}: {notices:?}");
            assert_eq!(settings.nuisance, edge.parse::<f64>().unwrap());
        }
        for bad in ["6.01", "-1", "NaN", "lots"] {
            let (settings, notices) = query(&format!("nuisance={bad}"));
            assert_eq!(settings.nuisance, NUISANCE.default, "{bad}");
            assert_eq!(notices.len(), 1, "{bad}: {notices:?}");
            assert_eq!(notices[0].field, "nuisance");
        }
    }

    #[test]
    fn a_link_from_before_the_nuisance_gets_its_default() {
        let (settings, notices) = query("dataset=digits&seed=3");
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(settings.nuisance, NUISANCE.default);
    }

    fn query(link: &str) -> (Settings, Vec<Notice>) {
        let pairs: Vec<(&str, &str)> = link
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| p.split_once('=').unwrap_or((p, "")))
            .collect();
        Settings::from_query(pairs, &["embed", "hide"])
    }

    #[test]
    fn a_link_round_trips_exactly() {
        let settings = Settings {
            seed: SEED_MAX,
            learning_rate: 10f64.powf(-2.3),
            batch_size: 64,
            invariance_weight: 12.5,
            variance_weight: 0.0,
            covariance_weight: 0.1,
            augment_strength: 0.35,
            method: Method::Barlow,
            dataset: Dataset::Fashion,
            temperature: 0.1,
            offdiag_weight: 0.0051,
            nuisance: 4.5,
        };
        let link = |s: &Settings| {
            s.to_query()
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("&")
        };
        let first = link(&settings);
        let (parsed, notices) = query(&first);
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(parsed, settings);
        assert_eq!(link(&parsed), first);
        assert_eq!(
            link(&Settings::default()),
            concat!(
                "dataset=digits&method=vicreg&seed=42&lr=0.01&batch=256",
                "&lambda=25&mu=25&nu=1&aug=0.6&tau=0.5&offdiag=0.005&nuisance=3"
            )
        );
    }

    #[test]
    fn hostile_values_fall_back_to_defaults_with_a_notice_each() {
        let long = "9".repeat(100_000);
        let cases: [(&str, String); 17] = [
            ("dataset", "../../etc/passwd".into()),
            ("method", "VICReg<svg onload=alert(1)>".into()),
            ("tau", "0".into()),
            ("seed", "-1".into()),
            ("seed", "9007199254740992".into()), // 2^53: one past the largest
            ("seed", "1.5".into()),
            ("lr", "0".into()),
            ("lr", "NaN".into()),
            ("lr", "inf".into()),
            ("lr", "1e308".into()),
            ("lr", "-0.01".into()),
            ("batch", "0".into()),
            ("batch", long.clone()),
            ("lambda", "<script>alert(1)</script>".into()),
            ("mu", "\"><img src=x onerror=alert(1)>".into()),
            ("nu", "".into()),
            ("aug", "0x10".into()),
        ];
        for (key, value) in &cases {
            let (settings, notices) = query(&format!("{key}={value}"));
            assert_eq!(settings, Settings::default(), "{key}={value}");
            assert_eq!(notices.len(), 1, "{key}={value}: {notices:?}");
            assert_eq!(notices[0].field, *key);
            let quoted = notices[0].message.chars().count();
            assert!(
                quoted < QUOTE_MAX + 80,
                "{key}: a notice of {quoted} characters"
            );
        }
    }

    #[test]
    fn unknown_and_repeated_parameters_get_a_notice_and_the_page_keys_none() {
        let (settings, notices) = query("seed=7&seed=8&embed=loss&hide=seed&colour=red");
        assert_eq!(settings.seed, 7);
        let fields: Vec<_> = notices.iter().map(|n| n.field.as_str()).collect();
        assert_eq!(fields, ["seed", "colour"]);
    }

    #[test]
    fn a_seed_above_the_largest_is_quoted_as_given() {
        let (_, notices) = query("seed=9007199254740992");
        assert_eq!(
            notices[0].message,
            "seed = 9007199254740992 is above 9.007199254740991e15; using the default 42"
        );
    }

    #[test]
    fn only_live_settings_are_taken_from_the_controls() {
        let run = Settings::default();
        let controls = Settings {
            seed: 7,
            batch_size: 64,
            learning_rate: 0.001,
            invariance_weight: 5.0,
            ..Settings::default()
        };
        let shown = run.with_live_from(&controls);
        assert_eq!((shown.seed, shown.batch_size), (42, 256));
        assert_eq!((shown.learning_rate, shown.invariance_weight), (0.001, 5.0));
    }

    #[test]
    fn zero_is_a_valid_seed_and_weight() {
        let (settings, notices) = query("seed=0&lambda=0&mu=0&nu=0&aug=0");
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(settings.seed, 0);
        assert_eq!(settings.invariance_weight, 0.0);
    }
}
