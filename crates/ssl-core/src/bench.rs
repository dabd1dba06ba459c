//! The benchmark cases that the browser's bench page (`?bench`) and the native table
//! (`examples/bench_table.rs`) both run: the same code on the same inputs, so that their medians
//! compare. Criterion (`benches/core.rs`) is the native benchmark proper; this module exists so
//! that one timing loop runs in both places, one repetition per call, and the worker can yield
//! between two of them.
//!
//! A case is warmed up (its first repetitions are run and not timed: the first step allocates
//! the optimizer's state, and the browser compiles the wasm lazily), then timed repetition by
//! repetition on a clock the caller gives, in milliseconds. The estimator cases draw their
//! samples from [`sample_pairs`], a fixed seed and a fixed truth, so that a reference library
//! (scikit-learn's `mutual_info_regression`) can be run on the very same numbers.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::CoreError;
use crate::data::Loaded;
use crate::method::Method;
use crate::mi::Rows;
use crate::mi::binning::binning_nats;
use crate::mi::gaussian::CorrelatedGaussian;
use crate::mi::kde::{DEFAULT_NOISE_VARIANCE, kde_nats};
use crate::mi::ksg::ksg1_nats;
use crate::settings::Settings;
use crate::split::SplitData;
use crate::train::Trainer;

/// The true MI of the estimators' samples, in nats.
pub const SAMPLE_MI_NATS: f64 = 1.0;
/// The seed of the estimators' samples.
pub const SAMPLE_SEED: u64 = 0;
/// KSG's neighbour count, scikit-learn's default too.
pub const KSG_K: usize = 3;
/// Bins per dimension for the binning case.
pub const BINS: usize = 30;

/// One thing to time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Case {
    /// One training step of the default model on the digits with this method.
    Step(Method),
    /// The regular evaluation: NCC, CDNV and kNN on the train and test embeddings.
    Evaluate,
    /// The same with the linear probe.
    EvaluateWithProbe,
    /// KSG 1 (k = 3) on `n` pairs of scalars, joint dimension 2.
    Ksg(usize),
    /// The kernel estimate (noise 0.1) on `n` pairs of scalars.
    Kde(usize),
    /// Binning (30 bins) on `n` pairs of scalars.
    Binning(usize),
}

impl Case {
    /// Every case, in the order the table lists them.
    pub fn all() -> Vec<Case> {
        let mut cases: Vec<Case> = Method::ALL.into_iter().map(Case::Step).collect();
        cases.extend([Case::Evaluate, Case::EvaluateWithProbe]);
        for n in [2000, 10_000] {
            cases.extend([Case::Ksg(n), Case::Kde(n), Case::Binning(n)]);
        }
        cases
    }

    /// A short stable name, used in the bench page's test ids and in the table.
    pub fn key(self) -> String {
        match self {
            Case::Step(method) => format!("step-{}", method.key()),
            Case::Evaluate => "evaluate".into(),
            Case::EvaluateWithProbe => "evaluate-probe".into(),
            Case::Ksg(n) => format!("ksg-{n}"),
            Case::Kde(n) => format!("kde-{n}"),
            Case::Binning(n) => format!("binning-{n}"),
        }
    }

    /// The case named `key`, if any.
    pub fn from_key(key: &str) -> Option<Case> {
        Case::all().into_iter().find(|c| c.key() == key)
    }

    /// What the case times, in words.
    pub fn describe(self) -> String {
        match self {
            Case::Step(method) => format!(
                "one {} training step (digits, batch {})",
                method.key(),
                Settings::default().batch_size
            ),
            Case::Evaluate => "evaluation: NCC, CDNV, kNN".into(),
            Case::EvaluateWithProbe => "evaluation with the linear probe".into(),
            Case::Ksg(n) => format!("KSG (k = {KSG_K}), N = {n}, d = 2"),
            Case::Kde(n) => format!("kernel estimate, N = {n}, d = 2"),
            Case::Binning(n) => format!("binning ({BINS} bins), N = {n}, d = 2"),
        }
    }

    /// Untimed and timed repetitions: fewer for the slow cases, so that a whole pass takes tens
    /// of seconds in a browser.
    pub fn repetitions(self) -> (usize, usize) {
        match self {
            Case::Step(_) => (20, 100),
            Case::Evaluate => (2, 10),
            Case::EvaluateWithProbe => (1, 5),
            Case::Ksg(n) | Case::Binning(n) if n <= 2000 => (2, 10),
            Case::Ksg(_) | Case::Binning(_) => (1, 5),
            Case::Kde(n) if n <= 2000 => (1, 5),
            Case::Kde(_) => (1, 2),
        }
    }
}

/// `n` pairs of scalars (X, Y), correlated Gaussians with [`SAMPLE_MI_NATS`] of MI, drawn from
/// [`SAMPLE_SEED`]: the same numbers natively and in the browser (ChaCha8 is portable).
pub fn sample_pairs(n: usize) -> (Vec<f64>, Vec<f64>) {
    CorrelatedGaussian::from_mi_nats(1, SAMPLE_MI_NATS)
        .expect("a valid MI")
        .sample(n, &mut ChaCha8Rng::seed_from_u64(SAMPLE_SEED))
}

/// The timings of one case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseResult {
    pub case: Case,
    /// Every timed repetition, in milliseconds.
    pub millis: Vec<f64>,
    /// What the last repetition computed: the estimate in nats, the loss, or the test NCC.
    pub value: f64,
}

impl CaseResult {
    pub fn median_ms(&self) -> f64 {
        median(&self.millis)
    }
}

/// The median of `values` (the mean of the two middle ones for an even count); NaN when empty.
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// What a case runs on, built once before its first repetition.
enum Fixture {
    Trainer(Box<Trainer>),
    Pairs(Vec<f64>, Vec<f64>),
}

/// The case under way.
struct Current {
    case: Case,
    fixture: Fixture,
    done: usize,
    millis: Vec<f64>,
}

/// A benchmark pass over some cases, one repetition per [`BenchRun::step`].
pub struct BenchRun {
    digits: Loaded,
    /// Cases not started yet, next first.
    queue: Vec<Case>,
    current: Option<Current>,
}

impl BenchRun {
    /// A pass over `cases` (they need the digits for the training and evaluation cases).
    pub fn new(digits: Loaded, cases: &[Case]) -> Self {
        Self {
            digits,
            queue: cases.iter().rev().copied().collect(),
            current: None,
        }
    }

    pub fn is_done(&self) -> bool {
        self.current.is_none() && self.queue.is_empty()
    }

    /// Runs one repetition of the case under way (building it first if need be); returns the
    /// case's result once its last repetition is done. `clock` reads milliseconds.
    pub fn step(&mut self, clock: &dyn Fn() -> f64) -> Result<Option<CaseResult>, CoreError> {
        let current = match &mut self.current {
            Some(current) => current,
            None => {
                let Some(case) = self.queue.pop() else {
                    return Ok(None);
                };
                let fixture = self.fixture(case)?;
                self.current.insert(Current {
                    case,
                    fixture,
                    done: 0,
                    millis: Vec::new(),
                })
            }
        };
        let (warmup, timed) = current.case.repetitions();
        let started = clock();
        let value = run_once(current.case, &mut current.fixture)?;
        let elapsed = clock() - started;
        current.done += 1;
        if current.done > warmup {
            current.millis.push(elapsed);
        }
        if current.done < warmup + timed {
            return Ok(None);
        }
        let current = self.current.take().expect("a case under way");
        Ok(Some(CaseResult {
            case: current.case,
            millis: current.millis,
            value,
        }))
    }

    fn fixture(&self, case: Case) -> Result<Fixture, CoreError> {
        let trainer = |method| -> Result<Fixture, CoreError> {
            let settings = Settings {
                method,
                ..Settings::default()
            };
            let split = SplitData::for_run(&self.digits, settings.seed)?;
            let trainer = Trainer::with_split(split, settings, crate::cpu_device())?;
            Ok(Fixture::Trainer(Box::new(trainer)))
        };
        match case {
            Case::Step(method) => trainer(method),
            Case::Evaluate | Case::EvaluateWithProbe => trainer(Method::Vicreg),
            Case::Ksg(n) | Case::Kde(n) | Case::Binning(n) => {
                let (x, y) = sample_pairs(n);
                Ok(Fixture::Pairs(x, y))
            }
        }
    }
}

/// One repetition of `case`; returns what it computed.
fn run_once(case: Case, fixture: &mut Fixture) -> Result<f64, CoreError> {
    match (case, fixture) {
        (Case::Step(_), Fixture::Trainer(trainer)) => Ok(trainer.step()?.total),
        (Case::Evaluate, Fixture::Trainer(trainer)) => Ok(trainer.evaluate_with(false)?.ncc_test),
        (Case::EvaluateWithProbe, Fixture::Trainer(trainer)) => {
            Ok(trainer.evaluate_with(true)?.ncc_test)
        }
        (Case::Ksg(_), Fixture::Pairs(x, y)) => Ok(ksg1_nats(pairs(x), pairs(y), KSG_K)?),
        (Case::Kde(_), Fixture::Pairs(x, y)) => {
            Ok(kde_nats(pairs(x), pairs(y), DEFAULT_NOISE_VARIANCE)?)
        }
        (Case::Binning(_), Fixture::Pairs(x, y)) => Ok(binning_nats(pairs(x), pairs(y), BINS)?),
        _ => unreachable!("every case is built with its own fixture"),
    }
}

fn pairs(values: &[f64]) -> Rows<'_> {
    Rows::new(values, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_odd_and_an_even_count() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn every_case_key_reads_back_as_its_case() {
        for case in Case::all() {
            assert_eq!(Case::from_key(&case.key()), Some(case));
        }
        assert_eq!(Case::from_key("step-nothing"), None);
    }

    #[test]
    fn a_pass_times_only_the_repetitions_after_the_warm_up() {
        let digits = crate::data::read_workspace_bundled(crate::data::Dataset::Digits).unwrap();
        let mut run = BenchRun::new(digits, &[Case::Binning(2000)]);
        let ticks = std::cell::Cell::new(0.0);
        let clock = || {
            ticks.set(ticks.get() + 1.0);
            ticks.get()
        };
        let (warmup, timed) = Case::Binning(2000).repetitions();
        let mut result = None;
        for _ in 0..warmup + timed {
            assert!(result.is_none());
            result = run.step(&clock).unwrap();
        }
        let result = result.expect("done after every repetition");
        assert!(run.is_done());
        // Each repetition reads the clock twice, one tick apart.
        assert_eq!(result.millis, vec![1.0; timed]);
        assert!(
            (result.value - SAMPLE_MI_NATS).abs() < 0.3,
            "{}",
            result.value
        );
    }
}
