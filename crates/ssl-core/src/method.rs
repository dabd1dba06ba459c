//! The self-supervised methods the explorer trains, and the terms each one's loss is made of.
//!
//! The joint-embedding methods see two augmented views of each sample in a batch, project both,
//! and score the pair of projection batches `[n, d]`:
//!
//! - **VICReg** (Bardes, Ponce and LeCun, 2022): `lambda * invariance + mu * variance + nu *
//!   covariance` (see [`crate::loss`]);
//! - **SimCLR** (Chen et al., 2020): the NT-Xent / InfoNCE loss at a temperature (see
//!   [`crate::contrastive`]), one term, weight 1;
//! - **Barlow Twins** (Zbontar et al., 2021): `on_diagonal + lambda_off * off_diagonal` of the
//!   views' cross-correlation (see [`crate::barlow`]).
//!
//! The two pretext methods see one augmented view of each sample, transformed by a task label
//! the trainer draws ([`crate::pretext`]), and score the classifier head's logits `[n, classes]`
//! against those labels:
//!
//! - **Rotation prediction** (Gidaris, Singh and Komodakis, 2018) and **Jigsaw** with 2x2 tiles
//!   (Noroozi and Favaro, 2016): the softmax cross-entropy (see [`crate::cross_entropy`]), one
//!   term, weight 1.
//!
//! [`method_loss`] and [`pretext_loss`] compute the loss a step minimises and its unweighted
//! terms, so the trainer reads them back in one transfer whatever the method.

use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};

use crate::barlow::barlow_terms;
use crate::contrastive::nt_xent;
use crate::cross_entropy::cross_entropy;
use crate::loss::{VicregWeights, vicreg_terms};
use crate::pretext::Pretext;
use crate::settings::Settings;

/// A self-supervised method.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    #[default]
    Vicreg,
    Simclr,
    Barlow,
    Rotation,
    Jigsaw,
}

impl Method {
    pub const ALL: [Method; 5] = [
        Method::Vicreg,
        Method::Simclr,
        Method::Barlow,
        Method::Rotation,
        Method::Jigsaw,
    ];

    /// The name in a link (`method=simclr`) and in the method select.
    pub fn key(self) -> &'static str {
        match self {
            Method::Vicreg => "vicreg",
            Method::Simclr => "simclr",
            Method::Barlow => "barlow",
            Method::Rotation => "rotation",
            Method::Jigsaw => "jigsaw",
        }
    }

    pub fn from_key(key: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.key() == key)
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Method::Vicreg => "VICReg",
            Method::Simclr => "SimCLR (InfoNCE)",
            Method::Barlow => "Barlow Twins",
            Method::Rotation => "Rotation prediction (pretext)",
            Method::Jigsaw => "Jigsaw 2x2 (pretext)",
        }
    }

    /// The pretext task a method trains a classifier on, or `None` for the joint-embedding
    /// methods, which compare two views instead.
    pub fn pretext(self) -> Option<Pretext> {
        match self {
            Method::Vicreg | Method::Simclr | Method::Barlow => None,
            Method::Rotation => Some(Pretext::Rotation),
            Method::Jigsaw => Some(Pretext::Jigsaw),
        }
    }

    /// The terms of this method's loss, in the order of [`StepTerms::values`].
    pub fn terms(self) -> &'static [Term] {
        match self {
            Method::Vicreg => &[Term::Invariance, Term::Variance, Term::Covariance],
            Method::Simclr => &[Term::InfoNce],
            Method::Barlow => &[Term::OnDiagonal, Term::OffDiagonal],
            Method::Rotation | Method::Jigsaw => &[Term::CrossEntropy],
        }
    }

    /// The weight of each of [`Method::terms`] under `settings`.
    pub fn weights(self, settings: &Settings) -> StepValues {
        let mut weights = [0.0; MAX_TERMS];
        let given: &[f64] = match self {
            Method::Vicreg => &[
                settings.invariance_weight,
                settings.variance_weight,
                settings.covariance_weight,
            ],
            Method::Simclr | Method::Rotation | Method::Jigsaw => &[1.0],
            Method::Barlow => &[1.0, settings.offdiag_weight],
        };
        weights[..given.len()].copy_from_slice(given);
        weights
    }
}

/// One term of a loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Term {
    Invariance,
    Variance,
    Covariance,
    InfoNce,
    OnDiagonal,
    OffDiagonal,
    CrossEntropy,
}

impl Term {
    /// The term's column name in exported tables: lower case, ASCII, no spaces.
    pub fn key(self) -> &'static str {
        match self {
            Term::Invariance => "invariance",
            Term::Variance => "variance",
            Term::Covariance => "covariance",
            Term::InfoNce => "infonce",
            Term::OnDiagonal => "on_diagonal",
            Term::OffDiagonal => "off_diagonal",
            Term::CrossEntropy => "cross_entropy",
        }
    }

    /// The legend label of the weighted term.
    pub fn label(self) -> &'static str {
        match self {
            Term::Invariance => "λ · invariance",
            Term::Variance => "μ · variance",
            Term::Covariance => "ν · covariance",
            Term::InfoNce => "InfoNCE",
            Term::OnDiagonal => "on-diagonal",
            Term::OffDiagonal => "λ · off-diagonal",
            Term::CrossEntropy => "cross-entropy",
        }
    }

    /// Whether the term regularizes (spreads and decorrelates the embedding) rather than pulls
    /// views together: the split the paper of Ben-Shaul et al. studies.
    pub fn is_regularization(self) -> bool {
        matches!(self, Term::Variance | Term::Covariance | Term::OffDiagonal)
    }
}

/// The most terms a method has.
pub const MAX_TERMS: usize = 3;

/// One value per term of a method, padded with zeros: fixed-size so a step report stays small
/// (the page keeps one per step).
pub type StepValues = [f64; MAX_TERMS];

/// The loss of one step and its unweighted terms, each of shape `[1]`.
pub struct MethodLoss {
    pub loss: Tensor<1>,
    pub terms: Vec<Tensor<1>>,
}

/// The loss `settings.method` minimises for projections `z_a`, `z_b`: `[n, d]`, `n >= 2`.
///
/// # Panics
///
/// If `settings.method` is a pretext method: those score one view against labels, with
/// [`pretext_loss`], and a trainer that calls this for one is a bug.
pub fn method_loss(settings: &Settings, z_a: Tensor<2>, z_b: Tensor<2>) -> MethodLoss {
    match settings.method {
        Method::Vicreg => {
            let terms = vicreg_terms(z_a, z_b);
            let loss = terms.weighted(VicregWeights {
                invariance: settings.invariance_weight,
                variance: settings.variance_weight,
                covariance: settings.covariance_weight,
            });
            MethodLoss {
                loss,
                terms: vec![terms.invariance, terms.variance, terms.covariance],
            }
        }
        Method::Simclr => {
            let loss = nt_xent(z_a, z_b, settings.temperature);
            MethodLoss {
                loss: loss.clone(),
                terms: vec![loss],
            }
        }
        Method::Barlow => {
            let terms = barlow_terms(z_a, z_b);
            MethodLoss {
                loss: terms.weighted(settings.offdiag_weight),
                terms: vec![terms.on_diagonal, terms.off_diagonal],
            }
        }
        Method::Rotation | Method::Jigsaw => {
            panic!(
                "{:?} is a pretext method, scored by pretext_loss",
                settings.method
            )
        }
    }
}

/// The loss of a pretext method: the cross-entropy of the head's `logits` (`[n, classes]`)
/// against the task `labels` (`[n]`), its one term, weight 1.
pub fn pretext_loss(logits: Tensor<2>, labels: &[u8]) -> MethodLoss {
    let loss = cross_entropy(logits, labels);
    MethodLoss {
        loss: loss.clone(),
        terms: vec![loss],
    }
}
