//! The messages between the page and the training worker.
//!
//! Both directions are enums with named fields, serialized with serde-wasm-bindgen. Every message
//! about a run carries the `run` number the page gave it when it started that run; the page drops
//! messages of runs it has since reset, so a chunk that was already under way when the visitor
//! pressed Reset cannot leak into the new run's charts.

use serde::{Deserialize, Serialize};
use ssl_core::bench::{Case, CaseResult};
use ssl_core::data::Dataset;
use ssl_core::mi::compression::{CompressionConfig, CompressionResult, Swept};
use ssl_core::mi::critic::{StaircaseConfig, StaircasePoint};
use ssl_core::mi::lab::{Draw, EstimateRequest};
use ssl_core::mi::plane::{PlaneConfig, PlanePoint};
use ssl_core::settings::Settings;
use ssl_core::train::{EmbeddingView, Evaluation, LayerNcc, RandomTargetFit, StepReport};

/// Identifies one run: the page counts them up from 1.
pub type RunId = u64;

/// Identifies one job of the information lab: the page counts them up from 1.
pub type JobId = u64;

/// From the page to the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum ToWorker {
    /// Drop the current run, if any, and start a fresh one (idle, at step 0).
    Start {
        run: RunId,
        settings: Settings,
        #[serde(default)]
        debug: DebugOptions,
        #[serde(default)]
        analyses: Analyses,
    },
    /// Train until paused.
    Play { run: RunId },
    /// Stop after the step under way.
    Pause { run: RunId },
    /// Train `count` more steps, then pause (counted after any steps still asked for; while
    /// playing, pause after `count` more).
    Step { run: RunId, count: usize },
    /// Change the loss weights and learning rate from the next step on.
    Tune { run: RunId, settings: Settings },
    /// Go back to the run's last checkpoint (after a divergence), paused.
    Rewind { run: RunId },
    /// Information lab: run every estimator on seeded draws, replacing any lab job under way.
    Estimate {
        job: JobId,
        request: EstimateRequest,
    },
    /// Information lab: train the three critics on Poole et al.'s staircase, replacing any lab
    /// job under way.
    Staircase { job: JobId, config: StaircaseConfig },
    /// Information lab: train the narrow network on the digits and measure its information
    /// plane, replacing any lab job under way.
    InfoPlane { job: JobId, config: PlaneConfig },
    /// Information lab: train one compressed network per value of the `swept` setting, the
    /// others from `base`, replacing any lab job under way.
    Compression {
        job: JobId,
        base: CompressionConfig,
        swept: Swept,
    },
    /// Information lab: stop the job under way.
    CancelLab { job: JobId },
    /// The bench page: time these cases, one after the other (see [`ssl_core::bench`]).
    Bench { cases: Vec<Case> },
}

/// Faults to inject on purpose, so the tests can check the page survives them. Set only by hidden
/// link parameters, never by a control.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DebugOptions {
    /// Panic in the worker just before this step (`debug-panic-at=N` in the link).
    pub panic_at_step: Option<usize>,
}

/// Which analyses a run measures and posts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Analyses {
    /// Everything the page charts.
    #[default]
    All,
    /// Only the loss and the regular evaluations (NCC, CDNV, kNN, the probe): no per-layer NCC,
    /// random targets or embedding views. Compare mode's runs need no more, and three of them
    /// share the visitor's cores.
    Curves,
}

/// What the worker is doing with a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RunState {
    /// Loading data or building the model.
    Loading,
    /// Built, not started.
    Idle,
    Running,
    Paused,
    /// Stopped by an error; the history up to it is kept.
    Failed,
    /// Stopped because the loss ran away; the history up to it is kept and the run can go back
    /// to its last checkpoint.
    Diverged,
    /// Read from a run file: its history is on screen and nothing trains. Reset trains the same
    /// settings again, which reproduces it.
    Imported,
}

impl RunState {
    /// The word shown in the status line and in `data-value` of the `run-state` readout.
    pub fn label(self) -> &'static str {
        match self {
            RunState::Loading => "loading",
            RunState::Idle => "idle",
            RunState::Running => "running",
            RunState::Paused => "paused",
            RunState::Failed => "failed",
            RunState::Diverged => "diverged",
            RunState::Imported => "imported",
        }
    }
}

/// The compute backend the worker trains on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Backend {
    /// burn-flex on the CPU, in the worker's thread.
    Cpu,
}

impl Backend {
    pub fn label(self) -> &'static str {
        match self {
            Backend::Cpu => "CPU",
        }
    }
}

/// From the worker to the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum FromWorker {
    /// The worker is up and can take messages.
    Ready {
        backend: Backend,
    },
    /// Part of the run's data set has arrived: `fraction` of its bytes, from 0 to 1.
    Loading {
        run: RunId,
        dataset: Dataset,
        fraction: f64,
    },
    /// A run was built: the references it will be compared against, and its first embedding view.
    Started {
        run: RunId,
        /// NCC of the raw pixels.
        pixels: Evaluation,
        /// NCC of the untrained network (step 0).
        untrained: Evaluation,
        embedding: EmbeddingView,
    },
    /// Steps done since the last progress message, and the evaluations made among them.
    Progress {
        run: RunId,
        steps: Vec<StepReport>,
        evaluations: Vec<Evaluation>,
        steps_per_second: f64,
        /// The size of the worker's WebAssembly memory, in bytes (it only grows).
        memory_bytes: f64,
    },
    /// Test NCC of every layer (at step 0 and every few steps).
    Layers {
        run: RunId,
        layers: LayerNcc,
    },
    /// How well the embeddings fit targets of growing randomness (at step 0 and every few steps).
    RandomTargets {
        run: RunId,
        fit: RandomTargetFit,
    },
    /// A fresh 2-D view of the test embeddings.
    Embedding {
        run: RunId,
        view: EmbeddingView,
    },
    State {
        run: RunId,
        state: RunState,
    },
    /// The run stopped on an error (bad data, a failed read-back).
    Failed {
        run: RunId,
        message: String,
    },
    /// The run stopped because its loss or embeddings ran away.
    Diverged {
        run: RunId,
        message: String,
        /// The step the run can go back to with [`ToWorker::Rewind`].
        checkpoint_step: Option<usize>,
    },
    /// The run went back to `step`, its last checkpoint; later steps are gone.
    Rewound {
        run: RunId,
        step: usize,
    },
    /// The worker panicked. It cannot go on; the page must start a new one.
    Crashed {
        run: RunId,
        message: String,
    },
    /// Information lab: one draw of an estimate job is done; `progress` is the job's, 0 to 1.
    Drawn {
        job: JobId,
        draw: Draw,
        progress: f64,
    },
    /// Information lab: how far the job under way has got, from 0 to 1.
    LabProgress {
        job: JobId,
        progress: f64,
    },
    /// Information lab: staircase steps done since the last message.
    StaircaseSteps {
        job: JobId,
        points: Vec<StaircasePoint>,
        total_steps: usize,
    },
    /// Information lab: information-plane measurements since the last message, and the run's
    /// progress.
    PlanePoints {
        job: JobId,
        points: Vec<PlanePoint>,
        steps_done: usize,
        /// The last training loss.
        loss: f64,
    },
    /// Information lab: one run of a compression sweep is done.
    Compressed {
        job: JobId,
        result: CompressionResult,
        progress: f64,
    },
    /// Information lab: the job finished after `millis` milliseconds of work.
    LabDone {
        job: JobId,
        millis: f64,
    },
    /// Information lab: the job stopped on an error.
    LabFailed {
        job: JobId,
        message: String,
    },
    /// The bench page: one case is timed.
    Benched {
        result: CaseResult,
    },
    /// The bench page: every case is timed.
    BenchDone,
    /// The bench page: the pass stopped on an error.
    BenchFailed {
        message: String,
    },
}
