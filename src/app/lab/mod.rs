//! The information lab: mutual-information estimators against a known truth, and Poole et
//! al.'s staircase, run in a worker of their own so that estimating never holds up training.
//!
//! Source signals: the estimate request being edited, the draws of the job under way, the
//! staircase's points, and the page-wide unit. A change of a control starts a fresh estimate
//! job at once (the worker drops the old one between two of its steps), as TensorFlow
//! Playground redraws on every change.

mod charts;
mod compression;
mod estimates;
mod plane;
mod staircase;
mod widgets;

use std::rc::Rc;

use leptos::prelude::*;

use ssl_core::mi::Units;
use ssl_core::mi::compression::{CompressionConfig, CompressionResult, Swept};
use ssl_core::mi::critic::{StaircaseConfig, StaircasePoint};
use ssl_core::mi::lab::{Draw, EstimateRequest};
use ssl_core::mi::plane::{PlaneConfig, PlanePoint};

use super::bridge::WorkerBridge;
use crate::protocol::{FromWorker, JobId, ToWorker};
use compression::{CompressionPanel, CompressionTable};
use estimates::{EstimateControls, EstimateTable, Estimator};
use plane::PlanePanel;
use staircase::StaircasePanel;
use widgets::LabCanvas;

/// What the lab's worker is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    Estimate,
    Staircase,
    Plane,
    Compression,
}

/// A compression sweep: what it moved, from which settings, and the runs done.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CompressionSweep {
    pub swept: Swept,
    pub base: CompressionConfig,
    pub results: Vec<CompressionResult>,
    /// How many results the runs asked for so far add up to.
    pub expected: usize,
}

/// An information-plane run: its settings, its measurements, how far it got.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlaneRun {
    pub config: PlaneConfig,
    pub points: Vec<PlanePoint>,
    pub steps_done: usize,
    pub loss: Option<f64>,
    pub millis: Option<f64>,
}

/// Which estimator the information plane shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PlaneEstimator {
    #[default]
    Binning,
    Kde,
}

/// A staircase run: its settings, the steps done, and how long it took.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StaircaseRun {
    pub config: StaircaseConfig,
    pub points: Vec<StaircasePoint>,
    pub total_steps: usize,
    /// Milliseconds of work, once done.
    pub millis: Option<f64>,
}

/// The lab's state, shared with its components through the context.
#[derive(Clone, Copy)]
pub struct LabState {
    pub request: RwSignal<EstimateRequest>,
    /// The draws of the last estimate job, in order.
    pub draws: RwSignal<Vec<Draw>>,
    /// The request those draws answer.
    pub drawn_request: RwSignal<EstimateRequest>,
    pub estimate_millis: RwSignal<Option<f64>>,
    pub staircase_config: RwSignal<StaircaseConfig>,
    pub staircase: RwSignal<StaircaseRun>,
    pub plane_config: RwSignal<PlaneConfig>,
    pub plane: RwSignal<PlaneRun>,
    pub plane_estimator: RwSignal<PlaneEstimator>,
    pub compression_base: RwSignal<CompressionConfig>,
    pub compression: RwSignal<CompressionSweep>,
    pub task: RwSignal<Option<Task>>,
    pub progress: RwSignal<f64>,
    pub error: RwSignal<Option<String>>,
    pub units: RwSignal<Units>,
    job: StoredValue<JobId>,
    ready: StoredValue<bool>,
    /// A message waiting for the worker to be ready.
    pending: StoredValue<Option<ToWorker>>,
    /// When the worker last posted a message, in milliseconds since the epoch.
    last_heard_ms: StoredValue<f64>,
    worker: StoredValue<Option<Rc<WorkerBridge>>, LocalStorage>,
}

impl LabState {
    pub fn new(units: RwSignal<Units>) -> Self {
        Self {
            request: RwSignal::new(EstimateRequest::default()),
            draws: RwSignal::new(Vec::new()),
            drawn_request: RwSignal::new(EstimateRequest::default()),
            estimate_millis: RwSignal::new(None),
            staircase_config: RwSignal::new(StaircaseConfig::default()),
            staircase: RwSignal::new(StaircaseRun::default()),
            plane_config: RwSignal::new(PlaneConfig::default()),
            plane: RwSignal::new(PlaneRun::default()),
            plane_estimator: RwSignal::new(PlaneEstimator::default()),
            compression_base: RwSignal::new(CompressionConfig::default()),
            compression: RwSignal::new(CompressionSweep::default()),
            task: RwSignal::new(None),
            progress: RwSignal::new(0.0),
            error: RwSignal::new(None),
            units,
            job: StoredValue::new(0),
            ready: StoredValue::new(false),
            pending: StoredValue::new(None),
            last_heard_ms: StoredValue::new(0.0),
            worker: StoredValue::new_local(None),
        }
    }

    fn spawn_worker(&self) {
        let state = *self;
        self.ready.set_value(false);
        match WorkerBridge::spawn(
            move |message| state.receive(message),
            move |error| state.crashed(error),
        ) {
            Ok(bridge) => self.worker.set_value(Some(Rc::new(bridge))),
            Err(e) => self
                .error
                .set(Some(format!("the lab's worker could not start: {e}"))),
        }
    }

    /// Sends `message` now, or once the worker is ready; a later message replaces a waiting one.
    fn send(&self, message: ToWorker) {
        if self.worker.with_value(Option::is_none) {
            self.spawn_worker();
        }
        if !self.ready.get_value() {
            self.pending.set_value(Some(message));
            return;
        }
        self.worker.with_value(|w| {
            if let Some(w) = w {
                w.send(&message)
            }
        });
    }

    fn next_job(&self) -> JobId {
        let job = self.job.get_value() + 1;
        self.job.set_value(job);
        job
    }

    /// Runs every estimator on fresh draws of the request being edited.
    pub fn estimate(&self) {
        let request = self.request.get_untracked().validated();
        let job = self.next_job();
        self.draws.set(Vec::new());
        self.drawn_request.set(request.clone());
        self.estimate_millis.set(None);
        self.begin(Task::Estimate);
        self.send(ToWorker::Estimate { job, request });
    }

    /// Trains the three critics on the staircase.
    pub fn run_staircase(&self) {
        let config = self.staircase_config.get_untracked();
        let job = self.next_job();
        self.staircase.set(StaircaseRun {
            config: config.clone(),
            ..StaircaseRun::default()
        });
        self.begin(Task::Staircase);
        self.send(ToWorker::Staircase { job, config });
    }

    /// Trains the narrow network and measures its information plane.
    pub fn run_plane(&self) {
        let config = self.plane_config.get_untracked();
        let job = self.next_job();
        self.plane.set(PlaneRun {
            config: config.clone(),
            ..PlaneRun::default()
        });
        self.begin(Task::Plane);
        self.send(ToWorker::InfoPlane { job, config });
    }

    /// Trains one compressed network per value of `swept`, or one at the base settings for
    /// [`Swept::Single`]; a single run joins the β runs on screen if they share its chance of
    /// redrawing the mark, and starts a fresh set otherwise.
    pub fn sweep_compression(&self, swept: Swept) {
        let base = self.compression_base.get_untracked();
        let job = self.next_job();
        let joins = swept == Swept::Single
            && self
                .compression
                .with_untracked(|c| c.swept != Swept::Resample && c.base.resample == base.resample);
        let runs = match swept {
            Swept::Single => 1,
            _ => ssl_core::mi::compression::sweep_values(swept).len(),
        };
        if joins {
            // Drop a run at the same β: the new one replaces it.
            self.compression.update(|c| {
                c.results.retain(|r| r.beta != base.beta);
                c.expected = c.results.len() + runs;
            });
        } else {
            self.compression.set(CompressionSweep {
                swept: if swept == Swept::Resample {
                    Swept::Resample
                } else {
                    Swept::Beta
                },
                base: base.clone(),
                results: Vec::new(),
                expected: runs,
            });
        }
        self.begin(Task::Compression);
        self.send(ToWorker::Compression { job, base, swept });
    }

    /// Stops the job under way; what it measured stays on screen.
    pub fn cancel(&self) {
        let job = self.job.get_value();
        if !self.interrupt() {
            self.send(ToWorker::CancelLab { job });
        }
        self.task.set(None);
    }

    /// If a job is under way and the worker has been silent for longer than a few chunks, it is
    /// inside one long step (a KSG estimate on 10,000 samples of 20 dimensions takes tens of
    /// seconds) and would only see a new message after it: replace the worker instead, so a
    /// Stop or a new request takes effect at once. A worker that talks gets a message instead,
    /// and keeps the data it has fetched. Returns whether the worker was replaced.
    fn interrupt(&self) -> bool {
        const SILENT_MS: f64 = 300.0;
        let busy = self.task.get_untracked().is_some();
        let silent = js_sys::Date::now() - self.last_heard_ms.get_value() > SILENT_MS;
        if busy && silent && self.ready.get_value() {
            self.worker.set_value(None); // Dropping the bridge terminates the worker.
            self.ready.set_value(false);
            self.pending.set_value(None);
            return true;
        }
        false
    }

    fn begin(&self, task: Task) {
        self.interrupt();
        self.error.set(None);
        self.progress.set(0.0);
        self.task.set(Some(task));
    }

    fn crashed(&self, message: String) {
        self.worker.set_value(None);
        self.ready.set_value(false);
        self.task.set(None);
        self.error.set(Some(format!(
            "{message}. What was measured is kept; the next estimate starts a fresh worker."
        )));
    }

    fn receive(&self, message: FromWorker) {
        self.last_heard_ms.set_value(js_sys::Date::now());
        let current = self.job.get_value();
        match message {
            FromWorker::Ready { .. } => {
                self.ready.set_value(true);
                if let Some(pending) = self.pending.try_update_value(Option::take).flatten() {
                    self.send(pending);
                }
            }
            FromWorker::Drawn {
                job,
                draw,
                progress,
            } if job == current => {
                self.draws.update(|d| d.push(draw));
                self.progress.set(progress);
            }
            FromWorker::LabProgress { job, progress } if job == current => {
                self.progress.set(progress)
            }
            FromWorker::StaircaseSteps {
                job,
                points,
                total_steps,
            } if job == current => {
                self.staircase.update(|s| {
                    s.points.extend(points);
                    s.total_steps = total_steps;
                });
                self.staircase.with_untracked(|s| {
                    self.progress
                        .set(s.points.len() as f64 / s.total_steps.max(1) as f64)
                });
            }
            FromWorker::PlanePoints {
                job,
                points,
                steps_done,
                loss,
            } if job == current => {
                self.plane.update(|p| {
                    p.points.extend(points);
                    p.steps_done = steps_done;
                    if loss.is_finite() {
                        p.loss = Some(loss);
                    }
                });
                let total = self.plane.with_untracked(|p| p.config.steps.max(1));
                self.progress.set(steps_done as f64 / total as f64);
            }
            FromWorker::Compressed {
                job,
                result,
                progress,
            } if job == current => {
                self.compression.update(|c| c.results.push(result));
                self.progress.set(progress);
            }
            FromWorker::LabDone { job, millis } if job == current => {
                match self.task.get_untracked() {
                    Some(Task::Estimate) => self.estimate_millis.set(Some(millis)),
                    Some(Task::Staircase) => self.staircase.update(|s| s.millis = Some(millis)),
                    Some(Task::Plane) => self.plane.update(|p| p.millis = Some(millis)),
                    Some(Task::Compression) => {}
                    None => {}
                }
                self.progress.set(1.0);
                self.task.set(None);
            }
            FromWorker::LabFailed { job, message } if job == current => {
                self.task.set(None);
                self.error.set(Some(message));
            }
            FromWorker::Crashed { message, .. } => self.crashed(message),
            _ => {}
        }
    }
}

/// The lab's whole view.
#[component]
pub fn InfoLab(units: RwSignal<Units>) -> impl IntoView {
    let lab = LabState::new(units);
    provide_context(lab);
    lab.estimate();
    let busy = move || lab.task.get().is_some();
    view! {
        <main class="lab">
            <aside class="panel controls-panel">
                <h2>"Estimators"</h2>
                <div class="buttons">
                    <button data-testid="estimate" on:click=move |_| {
                        lab.request.update(|r| r.seed += r.repeats as u64);
                        lab.estimate();
                    }>"Draw again"</button>
                    <button data-testid="lab-cancel" disabled=move || !busy()
                        on:click=move |_| lab.cancel()>"Stop"</button>
                </div>
                <EstimateControls />
            </aside>
            <section class="charts">
                <div class="status" role="status" aria-live="polite">
                    <span data-testid="lab-state" data-value=move || match lab.task.get() {
                        Some(Task::Estimate) => "estimating",
                        Some(Task::Staircase) => "staircase",
                        Some(Task::Plane) => "plane",
                        Some(Task::Compression) => "compression",
                        None => "idle",
                    }>
                        {move || match lab.task.get() {
                            Some(Task::Estimate) => format!(
                                "Estimating: {:.0}%", 100.0 * lab.progress.get()),
                            Some(Task::Staircase) => format!(
                                "Training critics: {:.0}%", 100.0 * lab.progress.get()),
                            Some(Task::Plane) => format!(
                                "Training the narrow network: {:.0}%", 100.0 * lab.progress.get()),
                            Some(Task::Compression) => format!(
                                "Training compressed networks: {:.0}%", 100.0 * lab.progress.get()),
                            None => "Idle".to_string(),
                        }}
                    </span>
                    <Show when=move || lab.error.with(Option::is_some)>
                        <span class="error" data-testid="lab-error" role="alert">
                            {move || lab.error.get()}
                        </span>
                    </Show>
                </div>
                <figure class="panel chart wide">
                    <figcaption><h2>"Estimates against the truth"</h2></figcaption>
                    <LabCanvas testid="chart-estimates" label="Estimates against the truth"
                        draw=charts::draw_estimates />
                    <EstimateTable />
                    <p class="explainer">{include_str!("../../../www/text/lab-estimators.txt")}</p>
                    <details class="explainer">
                        <summary>"How each estimator works"</summary>
                        {Estimator::ALL.iter().filter(|e| **e != Estimator::Ksg2).map(|e| view! {
                            <p><strong>{e.label()}": "</strong>{e.explainer()}</p>
                        }).collect_view()}
                    </details>
                </figure>
                <figure class="panel chart wide">
                    <figcaption><h2>"The staircase (Poole et al., 2019)"</h2></figcaption>
                    <StaircasePanel />
                    <LabCanvas testid="chart-staircase" label="Critic bounds on the staircase"
                        draw=charts::draw_staircase />
                    <p class="explainer">{include_str!("../../../www/text/lab-staircase.txt")}</p>
                </figure>
                <figure class="panel chart wide">
                    <figcaption><h2>"The information plane during training"</h2></figcaption>
                    <PlanePanel />
                    <LabCanvas testid="chart-info-plane" label="The information plane"
                        draw=charts::draw_plane />
                    <p class="explainer">{include_str!("../../../www/text/lab-plane.txt")}</p>
                </figure>
                <figure class="panel chart wide">
                    <figcaption>
                        <h2>"Compression: when it helps and when it hurts"</h2>
                    </figcaption>
                    <CompressionPanel />
                    <LabCanvas testid="chart-compression" label="Both tasks' accuracy"
                        draw=charts::draw_compression />
                    <CompressionTable />
                    <p class="explainer">
                        {include_str!("../../../www/text/lab-compression.txt")}
                    </p>
                </figure>
            </section>
        </main>
    }
}
