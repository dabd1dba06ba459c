//! The information lab: mutual-information estimators against a known truth, and Poole et
//! al.'s staircase, run in a worker of their own so that estimating never holds up training.
//!
//! Source signals: the estimate request being edited, the draws of the job under way, the
//! staircase's points, and the page-wide unit. A change of a control starts a fresh estimate
//! job at once (the worker drops the old one between two of its steps), as TensorFlow
//! Playground redraws on every change.

mod charts;

use std::rc::Rc;

use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

use ssl_core::mi::Units;
use ssl_core::mi::compression::{BETA_GRID, CompressionConfig, CompressionResult, Swept};
use ssl_core::mi::critic::{Bound, CriticKind, StaircaseConfig, StaircasePoint};
use ssl_core::mi::lab::{self, Draw, EstimateRequest, Family};
use ssl_core::mi::plane::{Activation, Objective, PlaneConfig, PlanePoint};

use super::bridge::WorkerBridge;
use super::charts::{Area, DrawResult};
use crate::protocol::{FromWorker, JobId, ToWorker};

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
        if joins {
            // Drop a run at the same β: the new one replaces it.
            self.compression
                .update(|c| c.results.retain(|r| r.beta != base.beta));
        } else {
            self.compression.set(CompressionSweep {
                swept: if swept == Swept::Resample {
                    Swept::Resample
                } else {
                    Swept::Beta
                },
                base: base.clone(),
                results: Vec::new(),
            });
        }
        self.begin(Task::Compression);
        self.send(ToWorker::Compression { job, base, swept });
    }

    /// Stops the job under way; what it measured stays on screen.
    pub fn cancel(&self) {
        let job = self.job.get_value();
        self.task.set(None);
        self.send(ToWorker::CancelLab { job });
    }

    fn begin(&self, task: Task) {
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

/// One estimator as the page lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Estimator {
    Ksg1,
    Ksg2,
    Binning,
    Kde,
    Critic(Bound),
}

impl Estimator {
    pub const ALL: [Estimator; 7] = [
        Estimator::Ksg1,
        Estimator::Ksg2,
        Estimator::Binning,
        Estimator::Kde,
        Estimator::Critic(Bound::InfoNce),
        Estimator::Critic(Bound::Nwj),
        Estimator::Critic(Bound::Mine),
    ];

    pub fn label(self) -> &'static str {
        match self {
            Estimator::Ksg1 => "KSG 1",
            Estimator::Ksg2 => "KSG 2",
            Estimator::Binning => "binning",
            Estimator::Kde => "KDE",
            Estimator::Critic(bound) => bound.label(),
        }
    }

    /// The readout's test id, `mi-estimate-<key>`; KSG 2 has none of its own in the issue's
    /// list, so it is `ksg2`.
    fn key(self) -> &'static str {
        match self {
            Estimator::Ksg1 => "ksg",
            Estimator::Ksg2 => "ksg2",
            Estimator::Binning => "binning",
            Estimator::Kde => "kde",
            Estimator::Critic(Bound::InfoNce) => "infonce",
            Estimator::Critic(Bound::Nwj) => "nwj",
            Estimator::Critic(Bound::Mine) => "mine",
        }
    }

    /// The estimate of `draw`, in nats, or `None` for a critic the request left out.
    pub fn of(self, draw: &Draw) -> Option<f64> {
        let e = &draw.estimates;
        match self {
            Estimator::Ksg1 => Some(e.ksg1),
            Estimator::Ksg2 => Some(e.ksg2),
            Estimator::Binning => Some(e.binning),
            Estimator::Kde => Some(e.kde),
            Estimator::Critic(bound) => {
                let i = Bound::ALL.iter().position(|b| *b == bound)?;
                e.critics.map(|c| c[i])
            }
        }
    }

    fn millis(self, draw: &Draw) -> f64 {
        let t = &draw.estimates.millis;
        match self {
            Estimator::Ksg1 => t.ksg1,
            Estimator::Ksg2 => t.ksg2,
            Estimator::Binning => t.binning,
            Estimator::Kde => t.kde,
            // The three critics train side by side: a third of their time each.
            Estimator::Critic(_) => t.critics / 3.0,
        }
    }

    fn explainer(self) -> &'static str {
        match self {
            Estimator::Ksg1 | Estimator::Ksg2 => include_str!("../../../www/text/lab-ksg.txt"),
            Estimator::Binning => include_str!("../../../www/text/lab-binning.txt"),
            Estimator::Kde => include_str!("../../../www/text/lab-kde.txt"),
            Estimator::Critic(Bound::InfoNce) => include_str!("../../../www/text/lab-infonce.txt"),
            Estimator::Critic(Bound::Nwj) => include_str!("../../../www/text/lab-nwj.txt"),
            Estimator::Critic(Bound::Mine) => include_str!("../../../www/text/lab-mine.txt"),
        }
    }
}

/// Mean and sample standard deviation of `values` (0 for a single value).
pub fn mean_and_spread(values: &[f64]) -> Option<(f64, f64)> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let spread = if values.len() > 1 {
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    Some((mean, spread))
}

/// A canvas that `draw` paints whenever the signals it reads change.
#[component]
fn LabCanvas(
    testid: &'static str,
    label: &'static str,
    draw: fn(&LabState, Area) -> DrawResult,
) -> impl IntoView {
    let lab = expect_context::<LabState>();
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let Some(element) = canvas.get() else { return };
        let element: HtmlCanvasElement = element;
        let Some(backend) = CanvasBackend::with_canvas_object(element) else {
            return;
        };
        if let Err(e) = draw(&lab, backend.into_drawing_area()) {
            web_sys::console::warn_1(&format!("{testid}: drawing failed: {e}").into());
        }
    });
    view! {
        <canvas node_ref=canvas data-testid=testid aria-label=label width="640" height="360">
        </canvas>
    }
}

/// A slider of the estimate request. The value shown follows the thumb; the request changes,
/// and a fresh estimate starts, when the thumb is let go.
#[component]
fn RequestSlider(
    label: &'static str,
    help: &'static str,
    min: f64,
    max: f64,
    step: f64,
    get: fn(&EstimateRequest) -> f64,
    set: fn(&mut EstimateRequest, f64),
    format: fn(f64) -> String,
) -> impl IntoView {
    let lab = expect_context::<LabState>();
    let shown = RwSignal::new(lab.request.with_untracked(get));
    let id = format!(
        "lab-{}",
        label
            .to_lowercase()
            .replace(|c: char| !c.is_alphanumeric(), "-")
    );
    view! {
        <div class="slider" title=help>
            <label for=id.clone()>{label}</label>
            <input
                type="range" id=id min=min max=max step=step
                prop:value=move || lab.request.with(get).to_string()
                on:input=move |ev| {
                    if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                        shown.set(v);
                    }
                }
                on:change=move |ev| {
                    if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                        lab.request.update(|r| set(r, v));
                        lab.estimate();
                    }
                }
            />
            <output>{move || format(shown.get())}</output>
            <small class="help">{help}</small>
        </div>
    }
}

fn whole(v: f64) -> String {
    format!("{v:.0}")
}

fn two_places(v: f64) -> String {
    format!("{v:.2}")
}

fn three_places(v: f64) -> String {
    format!("{v:.3}")
}

/// A value in the page's unit, to three decimals.
fn in_units(units: Units, nats: f64) -> String {
    format!("{:.3}", units.from_nats(nats))
}

/// The readouts and the table of the estimates so far.
#[component]
fn EstimateTable() -> impl IntoView {
    let lab = expect_context::<LabState>();
    let units = move || lab.units.get();
    let truth = move || lab.drawn_request.with(|r| r.mi_nats);
    let rows = move || {
        Estimator::ALL
            .iter()
            .map(|&estimator| {
                let (values, millis): (Vec<f64>, Vec<f64>) = lab.draws.with(|draws| {
                    draws
                        .iter()
                        .filter_map(|d| estimator.of(d).map(|v| (v, estimator.millis(d))))
                        .unzip()
                });
                let stats = mean_and_spread(&values);
                let time = mean_and_spread(&millis).map(|m| m.0);
                let u = units();
                let value = stats
                    .map(|(m, _)| u.from_nats(m).to_string())
                    .unwrap_or_default();
                let mean = stats.map_or("…".to_string(), |(m, _)| in_units(u, m));
                let spread = stats.map_or(String::new(), |(_, s)| in_units(u, s));
                let bias = stats.map_or(String::new(), |(m, _)| {
                    format!("{:+.3}", u.from_nats(m - truth()))
                });
                let time_value = time.map(|t| t.to_string()).unwrap_or_default();
                let time = time.map_or(String::new(), |t| format!("{t:.0}"));
                view! {
                    <tr>
                        <th scope="row" title=estimator.explainer()>{estimator.label()}</th>
                        <td>
                            <output
                                data-testid=format!("mi-estimate-{}", estimator.key())
                                data-value=value
                            >
                                {mean}
                            </output>
                        </td>
                        <td>{spread}</td>
                        <td>{bias}</td>
                        <td data-testid=format!("mi-millis-{}", estimator.key())
                            data-value=time_value>{time}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <p class="lab-truth">
            "True MI: "
            <output data-testid="mi-true"
                data-value=move || units().from_nats(truth()).to_string()>
                {move || in_units(units(), truth())}
            </output>
            " " {move || units().label()}
            {move || lab.draws.with(|d| format!(
                ", {} of {} draws of {} samples",
                d.len(),
                lab.drawn_request.with(|r| r.repeats),
                lab.drawn_request.with(|r| r.samples),
            ))}
        </p>
        <table class="lab-table">
            <thead>
                <tr>
                    <th scope="col">"estimator"</th>
                    <th scope="col">{move || format!("mean ({})", units().label())}</th>
                    <th scope="col">"spread (sd)"</th>
                    <th scope="col">"bias"</th>
                    <th scope="col">"ms per estimate"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// The estimate request's controls.
#[component]
fn EstimateControls() -> impl IntoView {
    let lab = expect_context::<LabState>();
    view! {
        <div class="slider">
            <label for="lab-family">"Ground truth"</label>
            <select
                id="lab-family" data-testid="lab-family"
                on:change=move |ev| {
                    let key = event_target_value(&ev);
                    if let Some(f) = Family::ALL.iter().find(|f| f.key() == key) {
                        lab.request.update(|r| r.family = *f);
                        lab.estimate();
                    }
                }
            >
                {Family::ALL.iter().map(|f| view! {
                    <option value=f.key() selected=move || lab.request.with(|r| r.family == *f)>
                        {f.label()}
                    </option>
                }).collect_view()}
            </select>
            <small class="help">
                "A monotone map of Y changes its distribution but not the MI: an estimator that "
                "moves has an assumption the data broke."
            </small>
        </div>
        <RequestSlider label="True MI (nats)" help="The mutual information the pairs are drawn with."
            min=lab::TRUE_MI.min max=lab::TRUE_MI.max step=0.25
            get=|r| r.mi_nats set=|r, v| r.mi_nats = v format=two_places />
        <RequestSlider label="Dimension d" help="Coordinates of X and of Y; the MI is shared evenly."
            min=lab::DIMENSION.min max=lab::DIMENSION.max step=1.0
            get=|r| r.dim as f64 set=|r, v| r.dim = v as usize format=whole />
        <RequestSlider label="Samples N" help="Pairs per draw."
            min=lab::SAMPLES.min max=lab::SAMPLES.max step=100.0
            get=|r| r.samples as f64 set=|r, v| r.samples = v as usize format=whole />
        <Show when=move || lab.request.with(|r| r.samples * r.dim > 40_000)>
            <p class="notice" data-testid="lab-slow">
                "At this size KSG and KDE take seconds to a minute per draw (their cost grows "
                "with N squared in high dimension); a change waits for the draw under way."
            </p>
        </Show>
        <RequestSlider label="Draws" help="Seeded draws: their spread is the estimator's variance."
            min=lab::REPEATS.min max=lab::REPEATS.max step=1.0
            get=|r| r.repeats as f64 set=|r, v| r.repeats = v as usize format=whole />
        <RequestSlider label="KSG neighbours k" help="More neighbours: less variance, more bias."
            min=lab::NEIGHBOURS.min max=lab::NEIGHBOURS.max step=1.0
            get=|r| r.k as f64 set=|r, v| r.k = v as usize format=whole />
        <RequestSlider label="Bins per unit" help="Binning's equal-width bins over each unit's range."
            min=lab::BINS.min max=lab::BINS.max step=1.0
            get=|r| r.bins as f64 set=|r, v| r.bins = v as usize format=whole />
        <RequestSlider label="KDE noise variance"
            help="The Gaussian noise the kernel estimate adds to every coordinate."
            min=lab::NOISE.min max=lab::NOISE.max step=0.001
            get=|r| r.noise_var set=|r, v| r.noise_var = v format=three_places />
        <RequestSlider label="Critic steps"
            help="Adam steps of each critic on half the sample (0 leaves the critics out)."
            min=lab::CRITIC_STEPS.min max=lab::CRITIC_STEPS.max step=100.0
            get=|r| r.critic_steps as f64 set=|r, v| r.critic_steps = v as usize format=whole />
        <LabSelect label="Critic" testid="lab-critic"
            options=vec![("separable", "separable g(x)·h(y)"),
                ("concatenated", "concatenated m([x, y]) (slower)")]
            selected=Signal::derive(move || match lab.request.with(|r| r.critic) {
                CriticKind::Separable => "separable",
                CriticKind::Concatenated => "concatenated",
            })
            pick=|lab, key| {
                lab.request.update(|r| r.critic = if key == "concatenated" {
                    CriticKind::Concatenated
                } else {
                    CriticKind::Separable
                });
                lab.estimate();
            } />
        <div class="slider">
            <label for="lab-seed">"Seed"</label>
            <input id="lab-seed" data-testid="lab-seed" type="number" min=0
                prop:value=move || lab.request.with(|r| r.seed.to_string())
                on:change=move |ev| {
                    if let Ok(seed) = event_target_value(&ev).trim().parse::<u64>() {
                        lab.request.update(|r| r.seed = seed);
                        lab.estimate();
                    }
                }
            />
        </div>
    }
}

/// The staircase's controls and summary.
#[component]
fn StaircasePanel() -> impl IntoView {
    let lab = expect_context::<LabState>();
    let running = move || lab.task.get() == Some(Task::Staircase);
    let summary = move || {
        lab.staircase.with(|s| {
            let units = lab.units.get();
            let steps = s.points.len();
            let time = s
                .millis
                .map(|ms| format!(" in {:.1} s", ms / 1000.0))
                .unwrap_or_default();
            format!(
                "{steps} of {} steps{time}; InfoNCE cannot exceed ln {} = {} {}.",
                s.total_steps
                    .max(s.config.levels.len() * s.config.steps_per_level),
                s.config.batch,
                in_units(units, (s.config.batch as f64).ln()),
                units.label(),
            )
        })
    };
    view! {
        <div class="lab-row">
            <div class="slider">
                <label for="staircase-batch">"Batch"</label>
                <select id="staircase-batch" data-testid="staircase-batch"
                    on:change=move |ev| {
                        if let Ok(b) = event_target_value(&ev).parse::<usize>() {
                            lab.staircase_config.update(|c| c.batch = b);
                        }
                    }>
                    {[16usize, 32, 64, 128, 256].into_iter().map(|b| view! {
                        <option value=b.to_string()
                            selected=move || lab.staircase_config.with(|c| c.batch == b)>
                            {b.to_string()}
                        </option>
                    }).collect_view()}
                </select>
            </div>
            <div class="slider">
                <label for="staircase-steps">"Steps per level"</label>
                <select id="staircase-steps" data-testid="staircase-steps"
                    on:change=move |ev| {
                        if let Ok(n) = event_target_value(&ev).parse::<usize>() {
                            lab.staircase_config.update(|c| c.steps_per_level = n);
                        }
                    }>
                    {[200usize, 500, 1000, 2000, 4000].into_iter().map(|n| view! {
                        <option value=n.to_string()
                            selected=move || lab.staircase_config.with(|c| c.steps_per_level == n)>
                            {n.to_string()}
                        </option>
                    }).collect_view()}
                </select>
            </div>
            <div class="slider">
                <label for="staircase-critic">"Critic"</label>
                <select id="staircase-critic" data-testid="staircase-critic"
                    on:change=move |ev| {
                        let kind = if event_target_value(&ev) == "concatenated" {
                            CriticKind::Concatenated
                        } else {
                            CriticKind::Separable
                        };
                        lab.staircase_config.update(|c| c.critic = kind);
                    }>
                    <option value="separable">"separable g(x)·h(y)"</option>
                    <option value="concatenated">"concatenated m([x, y]) (batch× slower)"</option>
                </select>
            </div>
            <button data-testid="staircase-run"
                on:click=move |_| {
                    if running() { lab.cancel() } else { lab.run_staircase() }
                }>
                {move || if running() { "Stop" } else { "Run the staircase" }}
            </button>
        </div>
        <p data-testid="staircase-summary" class="lab-truth">{summary}</p>
        <table class="lab-table">
            <thead>
                <tr>
                    <th scope="col">"level"</th>
                    <th scope="col">{move || format!("true ({})", lab.units.get().label())}</th>
                    {Bound::ALL.iter().map(|b| view! { <th scope="col">{b.label()}</th> })
                        .collect_view()}
                </tr>
            </thead>
            <tbody>{move || level_rows(lab)}</tbody>
        </table>
    }
}

/// One row per staircase level reached: the true MI and each bound's mean over the last
/// quarter of the level's steps (the critic has had time to catch up there). The last row's
/// cells are readouts, `staircase-<bound>` with `data-value`.
fn level_rows(lab: LabState) -> impl IntoView {
    let units = lab.units.get();
    lab.staircase.with(|run| {
        let per = run.config.steps_per_level.max(1);
        let levels = run.points.len().div_ceil(per);
        (0..levels)
            .map(|l| {
                let points = &run.points[l * per..run.points.len().min((l + 1) * per)];
                let tail = &points[points.len() * 3 / 4..];
                let truth = run.config.levels.get(l).copied().unwrap_or(f64::NAN);
                let last = l + 1 == levels;
                let cells = (0..Bound::ALL.len())
                    .map(|b| {
                        let values: Vec<f64> = tail.iter().map(|p| p.estimates[b]).collect();
                        let mean = mean_and_spread(&values).map_or(f64::NAN, |m| m.0);
                        let testid = last.then(|| {
                            format!("staircase-{}", Estimator::Critic(Bound::ALL[b]).key())
                        });
                        view! {
                            <td data-testid=testid data-value=units.from_nats(mean).to_string()>
                                {in_units(units, mean)}
                            </td>
                        }
                    })
                    .collect_view();
                view! {
                    <tr>
                        <th scope="row">{(l + 1).to_string()}</th>
                        <td>{in_units(units, truth)}</td>
                        {cells}
                    </tr>
                }
            })
            .collect_view()
    })
}

/// A select whose options are `(key, label)` pairs; `pick` gets the key chosen.
#[component]
fn LabSelect(
    label: &'static str,
    testid: &'static str,
    options: Vec<(&'static str, &'static str)>,
    selected: Signal<&'static str>,
    pick: fn(&LabState, &str),
) -> impl IntoView {
    let lab = expect_context::<LabState>();
    view! {
        <div class="slider">
            <label for=testid>{label}</label>
            <select id=testid data-testid=testid
                on:change=move |ev| pick(&lab, &event_target_value(&ev))>
                {options.into_iter().map(|(key, text)| view! {
                    <option value=key selected=move || selected.get() == key>{text}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

/// The information plane's controls and readouts.
#[component]
fn PlanePanel() -> impl IntoView {
    let lab = expect_context::<LabState>();
    let running = move || lab.task.get() == Some(Task::Plane);
    let last = move |pick: fn(&ssl_core::mi::kde::LayerInformation) -> f64| {
        let units = lab.units.get();
        let estimator = lab.plane_estimator.get();
        lab.plane.with(|p| {
            p.points
                .last()
                .and_then(|point| point.layers.last())
                .map(|layer| {
                    let info = match estimator {
                        PlaneEstimator::Binning => &layer.binning,
                        PlaneEstimator::Kde => &layer.kde,
                    };
                    units.from_nats(pick(info))
                })
        })
    };
    let summary = move || {
        lab.plane.with(|p| {
            let time = p
                .millis
                .map(|ms| format!(" in {:.1} s", ms / 1000.0))
                .unwrap_or_default();
            let loss = p.loss.map(|l| format!(", loss {l:.3}")).unwrap_or_default();
            format!("{} of {} steps{time}{loss}.", p.steps_done, p.config.steps)
        })
    };
    view! {
        <div class="lab-row">
            <LabSelect label="Training" testid="plane-objective"
                options=vec![("ssl", "self-supervised (VICReg)"), ("supervised", "supervised (labels)")]
                selected=Signal::derive(move || match lab.plane_config.with(|c| c.objective) {
                    Objective::SelfSupervised => "ssl",
                    Objective::Supervised => "supervised",
                })
                pick=|lab, key| lab.plane_config.update(|c| c.objective = if key == "supervised" {
                    Objective::Supervised
                } else {
                    Objective::SelfSupervised
                }) />
            <LabSelect label="Activation" testid="plane-activation"
                options=vec![("tanh", "tanh (saturates)"), ("relu", "ReLU")]
                selected=Signal::derive(move || match lab.plane_config.with(|c| c.activation) {
                    Activation::Tanh => "tanh",
                    Activation::Relu => "relu",
                })
                pick=|lab, key| lab.plane_config.update(|c| c.activation = if key == "relu" {
                    Activation::Relu
                } else {
                    Activation::Tanh
                }) />
            <LabSelect label="Steps" testid="plane-steps"
                options=vec![("500", "500"), ("2000", "2,000"), ("5000", "5,000")]
                selected=Signal::derive(move || match lab.plane_config.with(|c| c.steps) {
                    500 => "500",
                    5000 => "5000",
                    _ => "2000",
                })
                pick=|lab, key| if let Ok(n) = key.parse() {
                    lab.plane_config.update(|c| c.steps = n)
                } />
            <LabSelect label="Bins per unit" testid="plane-bins"
                options=vec![("4", "4"), ("8", "8"), ("16", "16"), ("30", "30")]
                selected=Signal::derive(move || match lab.plane_config.with(|c| c.bins) {
                    4 => "4",
                    16 => "16",
                    30 => "30",
                    _ => "8",
                })
                pick=|lab, key| if let Ok(n) = key.parse() {
                    lab.plane_config.update(|c| c.bins = n)
                } />
            <button data-testid="plane-run"
                on:click=move |_| {
                    if running() { lab.cancel() } else { lab.run_plane() }
                }>
                {move || if running() { "Stop" } else { "Train and measure" }}
            </button>
            <LabSelect label="Show" testid="plane-estimator"
                options=vec![("binning", "binning"), ("kde", "KDE (noise 0.1)")]
                selected=Signal::derive(move || match lab.plane_estimator.get() {
                    PlaneEstimator::Binning => "binning",
                    PlaneEstimator::Kde => "kde",
                })
                pick=|lab, key| lab.plane_estimator.set(if key == "kde" {
                    PlaneEstimator::Kde
                } else {
                    PlaneEstimator::Binning
                }) />
        </div>
        <p class="lab-truth" data-testid="plane-summary">
            {summary}
            " Last hidden layer now: I(X;T) "
            <output data-testid="plane-last-input"
                data-value=move || last(|i| i.input).map(|v| v.to_string()).unwrap_or_default()>
                {move || last(|i| i.input).map_or("…".into(), |v| format!("{v:.2}"))}
            </output>
            ", I(T;Y) "
            <output data-testid="plane-last-label"
                data-value=move || last(|i| i.label).map(|v| v.to_string()).unwrap_or_default()>
                {move || last(|i| i.label).map_or("…".into(), |v| format!("{v:.2}"))}
            </output>
            " " {move || lab.units.get().label()} "."
        </p>
    }
}

/// The compression sweep's controls.
#[component]
fn CompressionPanel() -> impl IntoView {
    let lab = expect_context::<LabState>();
    let running = move || lab.task.get() == Some(Task::Compression);
    // The option key of a setting's value: the options are exactly these values.
    let keys = |v: f64| -> &'static str {
        const KEYS: [(f64, &str); 5] = [
            (0.0, "0"),
            (0.25, "0.25"),
            (0.5, "0.5"),
            (0.75, "0.75"),
            (1.0, "1"),
        ];
        KEYS.iter().find(|(x, _)| *x == v).map_or("1", |(_, k)| k)
    };
    view! {
        <div class="lab-row">
            <div class="slider">
                <label for="compression-beta">"Compression β"</label>
                <input type="range" id="compression-beta" data-testid="compression-beta"
                    min=0 max=BETA_GRID.len() - 1 step=1
                    prop:value=move || lab.compression_base.with(|c| {
                        BETA_GRID.iter().position(|b| *b == c.beta).unwrap_or(0).to_string()
                    })
                    on:input=move |ev| {
                        if let Some(beta) = event_target_value(&ev)
                            .parse::<usize>()
                            .ok()
                            .and_then(|i| BETA_GRID.get(i))
                        {
                            lab.compression_base.update(|c| c.beta = *beta);
                        }
                    } />
                <output>{move || lab.compression_base.with(|c| format!("{}", c.beta))}</output>
                <small class="help">
                    "The weight of the rate in the loss: 0 leaves the embedding free, 1 squeezes "
                    "it to almost nothing. Train at this β adds one run to the β chart; the "
                    "augmentation sweep uses it too."
                </small>
            </div>
            <LabSelect label="Mark redrawn by a view (for the β sweep)" testid="compression-resample"
                options=vec![("0", "never"), ("0.25", "25%"), ("0.5", "50%"), ("0.75", "75%"),
                    ("1", "always")]
                selected=Signal::derive(move || keys(lab.compression_base.with(|c| c.resample)))
                pick=|lab, key| if let Ok(v) = key.parse() {
                    lab.compression_base.update(|c| c.resample = v)
                } />
        </div>
        <div class="buttons">
            <button data-testid="compression-single" disabled=running
                on:click=move |_| lab.sweep_compression(Swept::Single)>"Train at this β"</button>
            <button data-testid="compression-sweep-beta" disabled=running
                on:click=move |_| lab.sweep_compression(Swept::Beta)>"Sweep β"</button>
            <button data-testid="compression-sweep-resample" disabled=running
                on:click=move |_| lab.sweep_compression(Swept::Resample)>
                "Sweep the augmentation"
            </button>
            <button data-testid="compression-stop" disabled=move || !running()
                on:click=move |_| lab.cancel()>"Stop"</button>
        </div>
    }
}

/// One row per run of the sweep; the last run's cells are the readouts.
#[component]
fn CompressionTable() -> impl IntoView {
    let lab = expect_context::<LabState>();
    let rows = move || {
        let units = lab.units.get();
        lab.compression.with(|c| {
            let last = c.results.len().saturating_sub(1);
            // In the order they finished, so the last row is the last run (the readouts').
            c.results
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let id = |name: &str| (i == last).then(|| format!("compression-{name}"));
                    view! {
                        <tr>
                            <td>{format!("{}", r.beta)}</td>
                            <td>{format!("{}", r.resample)}</td>
                            <td data-testid=id("rate") data-value=units.from_nats(r.rate).to_string()>
                                {format!("{:.1}", units.from_nats(r.rate))}
                            </td>
                            <td data-testid=id("class-info")
                                data-value=units.from_nats(r.class_information).to_string()>
                                {format!("{:.2}", units.from_nats(r.class_information))}
                            </td>
                            <td data-testid=id("class-acc") data-value=r.class_accuracy.to_string()>
                                {format!("{:.3}", r.class_accuracy)}
                            </td>
                            <td data-testid=id("attribute-acc")
                                data-value=r.attribute_accuracy.to_string()>
                                {format!("{:.3}", r.attribute_accuracy)}
                            </td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <table class="lab-table">
            <thead>
                <tr>
                    <th scope="col">"β"</th>
                    <th scope="col">"mark redrawn"</th>
                    <th scope="col">{move || format!("rate ({})", lab.units.get().label())}</th>
                    <th scope="col">{move || format!("I(Z;class) ({})", lab.units.get().label())}</th>
                    <th scope="col">"class accuracy (task A)"</th>
                    <th scope="col">"mark accuracy (task B)"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
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
