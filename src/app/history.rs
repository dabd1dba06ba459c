//! What the page knows about the current run: the source of truth every chart is derived from.
//!
//! [`History::apply`] folds one worker message into it. It is plain data, so its rules (drop
//! messages of replaced runs, keep everything up to a failure) are tested natively.

use ssl_core::data::Dataset;
use ssl_core::record::RunRecord;
use ssl_core::settings::Settings;
use ssl_core::train::{EmbeddingView, Evaluation, LayerNcc, RandomTargetFit, StepReport};

use crate::protocol::{FromWorker, RunId, RunState};

/// The most step reports a history holds; see [`History::thin_steps`].
pub const MAX_STEP_REPORTS: usize = 2048;
/// The latest step reports, which thinning never touches.
pub const RECENT_STEP_REPORTS: usize = 512;

/// The measurements of one run, in the order they arrived.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    pub run: RunId,
    pub steps: Vec<StepReport>,
    /// NCC at step 0 and every few steps after.
    pub evaluations: Vec<Evaluation>,
    /// NCC of the raw pixels, the first reference line.
    pub pixels: Option<Evaluation>,
    /// NCC of the untrained network, the second reference line.
    pub untrained: Option<Evaluation>,
    pub embedding: Option<EmbeddingView>,
    pub state: Option<RunState>,
    pub steps_per_second: f64,
    /// The worker's WebAssembly memory in bytes, at its last progress message.
    pub memory_bytes: f64,
    /// Why the run stopped, if it failed.
    pub failure: Option<String>,
    /// Why the run diverged, and where it can go back to.
    pub divergence: Option<Divergence>,
    /// Per-layer test NCC at step 0 and at its latest measurement.
    pub layers_untrained: Option<LayerNcc>,
    pub layers: Option<LayerNcc>,
    /// The random-target fit at step 0 and at its latest measurement.
    pub random_targets_untrained: Option<RandomTargetFit>,
    pub random_targets: Option<RandomTargetFit>,
    /// The data set of this run.
    pub dataset: Dataset,
    /// The data set being fetched for this run, and the fraction arrived.
    pub loading: Option<(Dataset, f64)>,
}

/// A run that stopped because its loss ran away.
#[derive(Debug, Clone, PartialEq)]
pub struct Divergence {
    pub message: String,
    /// The last checkpoint, the step "Go back" returns to.
    pub checkpoint_step: Option<usize>,
}

impl History {
    /// An empty history for `run`, waiting for its first message.
    pub fn new(run: RunId) -> Self {
        Self {
            run,
            state: Some(RunState::Loading),
            // All the room it will ever need, at once: growing it by doubling grew the page's
            // memory in steps during the first thousands of steps.
            steps: Vec::with_capacity(MAX_STEP_REPORTS),
            ..Self::default()
        }
    }

    /// The run as a file: `settings` (the ones it started with, and the live ones as they are
    /// now) and everything measured.
    pub fn to_record(&self, settings: &Settings) -> RunRecord {
        RunRecord {
            steps: self.steps.clone(),
            evaluations: self.evaluations.clone(),
            pixels: self.pixels,
            untrained: self.untrained,
            layers_untrained: self.layers_untrained.clone(),
            layers: self.layers.clone(),
            random_targets_untrained: self.random_targets_untrained.clone(),
            random_targets: self.random_targets.clone(),
            embedding: self.embedding.clone(),
            ..RunRecord::new(settings.clone())
        }
    }

    /// A history for `run` that shows `record`, in the [`RunState::Imported`] state.
    pub fn from_record(run: RunId, record: RunRecord) -> Self {
        let mut history = Self {
            dataset: record.settings.dataset,
            state: Some(RunState::Imported),
            evaluations: record.evaluations,
            pixels: record.pixels,
            untrained: record.untrained,
            layers_untrained: record.layers_untrained,
            layers: record.layers,
            random_targets_untrained: record.random_targets_untrained,
            random_targets: record.random_targets,
            embedding: record.embedding,
            ..Self::new(run)
        };
        history.steps.extend(record.steps);
        history.thin_steps();
        history
    }

    pub fn steps_done(&self) -> usize {
        self.steps.last().map_or(0, |s| s.step)
    }

    /// The step of the latest evaluation: where the charts drawn from the evaluations end, so
    /// that they change only when an evaluation arrives.
    pub fn evaluated_step(&self) -> usize {
        self.evaluations.last().map_or(0, |e| e.step)
    }

    pub fn latest_evaluation(&self) -> Option<&Evaluation> {
        self.evaluations.last()
    }

    /// The latest value of a measure that not every evaluation has (the probe).
    pub fn latest_of(&self, measure: impl Fn(&Evaluation) -> Option<f64>) -> Option<f64> {
        self.evaluations.iter().rev().find_map(measure)
    }

    pub fn latest_step(&self) -> Option<&StepReport> {
        self.steps.last()
    }

    /// Keeps the step reports within [`MAX_STEP_REPORTS`]: once full, every second report
    /// older than the latest [`RECENT_STEP_REPORTS`] goes (the first is kept). The loss chart
    /// draws at most 800 points anyway, and the page's memory stays flat however long a run
    /// trains (it grew by 64 bytes a step, 0.2 MB per 1,000 steps, before).
    ///
    /// Thinning leaves 1,280 reports, so it runs once every 768 steps.
    fn thin_steps(&mut self) {
        if self.steps.len() < MAX_STEP_REPORTS {
            return;
        }
        let older = self.steps.len() - RECENT_STEP_REPORTS;
        let mut index = 0;
        self.steps.retain(|_| {
            index += 1;
            index > older || index % 2 == 1
        });
    }

    /// Folds `message` in; messages about other runs are ignored. Returns whether anything
    /// changed.
    pub fn apply(&mut self, message: FromWorker) -> bool {
        match message {
            FromWorker::Ready { .. } => false,
            FromWorker::Loading {
                run,
                dataset,
                fraction,
            } if run == self.run => {
                self.loading = Some((dataset, fraction));
                true
            }
            FromWorker::Started {
                run,
                pixels,
                untrained,
                embedding,
            } if run == self.run => {
                self.loading = None;
                self.pixels = Some(pixels);
                self.evaluations = vec![untrained];
                self.untrained = Some(untrained);
                self.embedding = Some(embedding);
                true
            }
            FromWorker::Progress {
                run,
                steps,
                evaluations,
                steps_per_second,
                memory_bytes,
            } if run == self.run => {
                self.steps.extend(steps);
                self.thin_steps();
                self.evaluations.extend(evaluations);
                if steps_per_second.is_finite() {
                    self.steps_per_second = steps_per_second;
                }
                self.memory_bytes = memory_bytes;
                true
            }
            FromWorker::Layers { run, layers } if run == self.run => {
                if layers.step == 0 {
                    self.layers_untrained = Some(layers.clone());
                }
                self.layers = Some(layers);
                true
            }
            FromWorker::RandomTargets { run, fit } if run == self.run => {
                if fit.step == 0 {
                    self.random_targets_untrained = Some(fit.clone());
                }
                self.random_targets = Some(fit);
                true
            }
            FromWorker::Embedding { run, view } if run == self.run => {
                self.embedding = Some(view);
                true
            }
            FromWorker::State { run, state } if run == self.run => {
                self.state = Some(state);
                if state != RunState::Running {
                    self.steps_per_second = 0.0;
                }
                true
            }
            FromWorker::Failed { run, message } | FromWorker::Crashed { run, message }
                if run == self.run =>
            {
                self.loading = None;
                self.state = Some(RunState::Failed);
                self.failure = Some(message);
                self.steps_per_second = 0.0;
                true
            }
            FromWorker::Diverged {
                run,
                message,
                checkpoint_step,
            } if run == self.run => {
                self.state = Some(RunState::Diverged);
                self.steps_per_second = 0.0;
                self.divergence = Some(Divergence {
                    message,
                    checkpoint_step,
                });
                true
            }
            FromWorker::Rewound { run, step } if run == self.run => {
                // Everything measured after the checkpoint belongs to the abandoned path.
                self.steps.retain(|s| s.step <= step);
                self.evaluations.retain(|e| e.step <= step);
                self.layers = self.layers.take().filter(|l| l.step <= step);
                self.random_targets = self.random_targets.take().filter(|f| f.step <= step);
                self.divergence = None;
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ssl_core::method::Method;

    fn report(step: usize) -> StepReport {
        StepReport {
            step,
            method: Method::Vicreg,
            terms: [1.0, 0.5, 0.1],
            weights: [25.0, 25.0, 1.0],
            total: 37.6,
        }
    }

    #[test]
    fn a_history_comes_back_from_its_record_as_an_imported_run() {
        let mut history = History::new(3);
        history.apply(FromWorker::Progress {
            run: 3,
            steps: (1..=30).map(report).collect(),
            evaluations: vec![],
            steps_per_second: 10.0,
            memory_bytes: 0.0,
        });
        let settings = Settings::default();
        let back = History::from_record(4, history.to_record(&settings));
        assert_eq!(back.run, 4);
        assert_eq!(back.state, Some(RunState::Imported));
        assert_eq!(back.steps, history.steps);
        assert_eq!(back.to_record(&settings), history.to_record(&settings));
    }

    #[test]
    fn a_long_run_keeps_a_bounded_thinned_history_with_every_recent_step() {
        let mut history = History::new(1);
        for chunk in 0..100 {
            history.apply(FromWorker::Progress {
                run: 1,
                steps: (1..=100).map(|i| report(chunk * 100 + i)).collect(),
                evaluations: vec![],
                steps_per_second: 10.0,
                memory_bytes: 0.0,
            });
            assert!(
                history.steps.len() < MAX_STEP_REPORTS,
                "{}",
                history.steps.len()
            );
        }
        assert_eq!(history.steps_done(), 10_000);
        assert_eq!(history.steps[0].step, 1);
        // The latest reports are all there, one per step, and the older ones in step order.
        let recent = &history.steps[history.steps.len() - RECENT_STEP_REPORTS..];
        assert!(recent.windows(2).all(|w| w[1].step == w[0].step + 1));
        assert!(history.steps.windows(2).all(|w| w[1].step > w[0].step));
    }

    #[test]
    fn messages_of_a_replaced_run_are_dropped() {
        let mut history = History::new(2);
        let stale = FromWorker::Progress {
            run: 1,
            steps: vec![report(1)],
            evaluations: vec![],
            steps_per_second: 10.0,
            memory_bytes: 0.0,
        };
        assert!(!history.apply(stale));
        assert_eq!(history.steps_done(), 0);
    }

    #[test]
    fn a_failure_keeps_the_steps_before_it() {
        let mut history = History::new(1);
        history.apply(FromWorker::Progress {
            run: 1,
            steps: vec![report(1), report(2)],
            evaluations: vec![],
            steps_per_second: 10.0,
            memory_bytes: 0.0,
        });
        history.apply(FromWorker::Failed {
            run: 1,
            message: "diverged".into(),
        });
        assert_eq!(history.steps_done(), 2);
        assert_eq!(history.state, Some(RunState::Failed));
        assert_eq!(history.failure.as_deref(), Some("diverged"));
    }

    fn evaluation(step: usize) -> Evaluation {
        Evaluation {
            step,
            ncc_train: 0.5,
            ncc_test: 0.5,
            ncc_test_coarse: None,
            ncc_train_coarse: None,
            cdnv_train_coarse: None,
            cdnv_train: 1.0,
            knn_test: None,
            probe_test: None,
        }
    }

    #[test]
    fn going_back_after_a_divergence_drops_what_came_after_the_checkpoint() {
        let mut history = History::new(1);
        history.apply(FromWorker::Progress {
            run: 1,
            steps: (1..=30).map(report).collect(),
            evaluations: vec![evaluation(25)],
            steps_per_second: 10.0,
            memory_bytes: 0.0,
        });
        history.apply(FromWorker::Diverged {
            run: 1,
            message: "diverged at step 31".into(),
            checkpoint_step: Some(25),
        });
        assert_eq!(history.state, Some(RunState::Diverged));
        assert_eq!(
            history.steps_done(),
            30,
            "the history up to the divergence stays"
        );
        history.apply(FromWorker::Rewound { run: 1, step: 25 });
        assert_eq!(history.steps_done(), 25);
        assert_eq!(history.evaluations.len(), 1);
        assert_eq!(history.divergence, None);
    }
}
