//! Compare mode: up to three settings trained side by side from one seed, their test NCC overlaid
//! on one chart. By default the lanes are the three VICReg presets of [`ssl_core::compare`]
//! (finding b); each lane can instead take the visitor's own settings, or be switched off.
//!
//! Each lane gets a worker of its own, so the three runs share nothing but the visitor's
//! cores, and each folds its messages into its own [`History`], exactly as the main run does.
//! The main run is paused while they train and its charts are left alone. A comparison's workers
//! are terminated when they finish, when it is stopped, and when a new one starts.

use std::rc::Rc;

use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;

use ssl_core::compare::{COMPARE_STEPS, PRESETS, Preset};
use ssl_core::settings::Settings;

use super::bridge::WorkerBridge;
use super::charts::{
    Area, Backend, DrawResult, Mark, PALETTE, SvgExports, accuracy_chart, draw_legend, placeholder,
    svg_string, with_legend,
};
use super::{AppState, History};
use crate::protocol::{Analyses, DebugOptions, FromWorker, RunState, ToWorker};

/// The run number every compare worker uses: each worker only ever has one run.
const LANE_RUN: u64 = 1;

/// The colour and line of each lane, so that the lanes differ by more than colour.
const STYLES: [(RGBColor, Mark); 3] = [
    (PALETTE[1], Mark::Line { width: 3 }),
    (PALETTE[0], Mark::Dashed),
    (PALETTE[3], Mark::Line { width: 2 }),
];

/// What one lane of a comparison trains.
#[derive(Debug, Clone, Copy, PartialEq)]
enum LaneChoice {
    /// The visitor's settings with a preset's VICReg weights.
    Preset(Preset),
    /// The visitor's settings as they are (any method).
    Yours,
    Off,
}

impl LaneChoice {
    /// Every choice, keyed for the lane's select.
    fn all() -> Vec<LaneChoice> {
        let mut all: Vec<LaneChoice> = PRESETS.iter().copied().map(LaneChoice::Preset).collect();
        all.extend([LaneChoice::Yours, LaneChoice::Off]);
        all
    }

    fn key(self) -> &'static str {
        match self {
            LaneChoice::Preset(p) => p.key,
            LaneChoice::Yours => "yours",
            LaneChoice::Off => "off",
        }
    }

    fn label(self) -> &'static str {
        match self {
            LaneChoice::Preset(p) => p.label,
            LaneChoice::Yours => "your settings",
            LaneChoice::Off => "off",
        }
    }

    /// The lane's settings, from the visitor's `base`; `None` when it is off.
    fn settings(self, base: &Settings) -> Option<Settings> {
        match self {
            LaneChoice::Preset(p) => Some(p.apply(base)),
            LaneChoice::Yours => Some(base.clone()),
            LaneChoice::Off => None,
        }
    }
}

/// The comparison on screen: one history per lane, and the workers still training.
#[derive(Clone, Copy)]
struct CompareState {
    /// What each lane trains next time Compare is pressed.
    choices: RwSignal<[LaneChoice; 3]>,
    /// What each lane trained in the comparison on screen, and the visitor's settings it started
    /// from (none before the first comparison).
    shown: RwSignal<[LaneChoice; 3]>,
    base: RwSignal<Option<Settings>>,
    lanes: [RwSignal<History>; 3],
    workers: StoredValue<[Option<Rc<WorkerBridge>>; 3], LocalStorage>,
    /// Which lanes still have a worker: a signal, so the compare button's label follows.
    active: RwSignal<[bool; 3]>,
}

impl CompareState {
    fn new() -> Self {
        let presets = PRESETS.map(LaneChoice::Preset);
        Self {
            choices: RwSignal::new(presets),
            shown: RwSignal::new(presets),
            base: RwSignal::new(None),
            lanes: std::array::from_fn(|_| RwSignal::new(History::new(LANE_RUN))),
            workers: StoredValue::new_local([None, None, None]),
            active: RwSignal::new([false; 3]),
        }
    }

    fn running(&self) -> bool {
        self.active.with(|a| a.iter().any(|&on| on))
    }

    /// Whether Compare would train anything.
    fn any_lane_on(&self) -> bool {
        self.choices
            .with(|c| c.iter().any(|&l| l != LaneChoice::Off))
    }

    /// The name of lane `index` in the table and the legend: the preset, or the method of the
    /// visitor's settings.
    fn lane_name(&self, index: usize, short: bool) -> String {
        let choice = self.shown.with(|c| c[index]);
        let method = self.base.with(|b| b.as_ref().map(|b| b.method));
        match (choice, method) {
            (LaneChoice::Yours, Some(m)) if short => format!("yours: {}", m.key()),
            (LaneChoice::Yours, Some(m)) => format!("your settings ({})", m.label()),
            (choice, _) if short => choice.key().to_string(),
            (choice, _) => choice.label().to_string(),
        }
    }

    /// Starts one worker per lane that is on, from the visitor's settings `base`.
    fn start(&self, base: Settings) {
        self.stop();
        let choices = self.choices.get_untracked();
        self.shown.set(choices);
        self.base.set(Some(base.clone()));
        for (lane, choice) in choices.into_iter().enumerate() {
            let mut history = History::new(LANE_RUN);
            let Some(settings) = choice.settings(&base) else {
                history.state = None;
                self.lanes[lane].set(history);
                continue;
            };
            self.lanes[lane].set(history);
            let this = *self;
            let spawned = WorkerBridge::spawn(
                move |message| this.receive(lane, &settings, message),
                move |error| {
                    this.lanes[lane].update(|h| {
                        h.state = Some(RunState::Failed);
                        h.failure = Some(error);
                    });
                    this.finish(lane);
                },
            );
            match spawned {
                Ok(bridge) => {
                    self.workers
                        .update_value(|w| w[lane] = Some(Rc::new(bridge)));
                    self.active.update(|a| a[lane] = true);
                }
                Err(e) => self.lanes[lane].update(|h| {
                    h.state = Some(RunState::Failed);
                    h.failure = Some(format!("its worker could not start: {e}"));
                }),
            }
        }
    }

    fn send(&self, lane: usize, message: ToWorker) {
        self.workers.with_value(|w| {
            if let Some(worker) = &w[lane] {
                worker.send(&message);
            }
        });
    }

    fn receive(&self, lane: usize, settings: &Settings, message: FromWorker) {
        match message {
            FromWorker::Ready { .. } => self.send(
                lane,
                ToWorker::Start {
                    run: LANE_RUN,
                    settings: settings.clone(),
                    debug: DebugOptions::default(),
                    analyses: Analyses::Curves,
                },
            ),
            message => {
                let started = matches!(message, FromWorker::Started { .. });
                self.lanes[lane].update(|h| {
                    h.apply(message);
                });
                let (state, steps) = self.lanes[lane]
                    .with_untracked(|h| (h.state.unwrap_or(RunState::Loading), h.steps_done()));
                if started {
                    let count = COMPARE_STEPS;
                    self.send(
                        lane,
                        ToWorker::Step {
                            run: LANE_RUN,
                            count,
                        },
                    );
                } else if matches!(state, RunState::Failed | RunState::Diverged)
                    || (state == RunState::Paused && steps >= COMPARE_STEPS)
                {
                    self.finish(lane);
                }
            }
        }
    }

    /// Terminates `lane`'s worker once the message being handled has returned: the worker's
    /// callbacks must not be dropped while one of them runs.
    fn finish(&self, lane: usize) {
        let (workers, active) = (self.workers, self.active);
        leptos::task::spawn_local(async move {
            workers.update_value(|w| w[lane] = None);
            active.update(|a| a[lane] = false);
        });
    }

    /// Terminates every worker; the histories stay on the chart.
    fn stop(&self) {
        self.workers.update_value(|w| *w = [None, None, None]);
        self.active.set([false; 3]);
        for lane in self.lanes {
            lane.update(|h| {
                if matches!(h.state, Some(RunState::Running | RunState::Loading)) {
                    h.state = Some(RunState::Paused);
                }
            });
        }
    }
}

/// The preset buttons, the compare button, the chart and its readouts.
#[component]
pub fn ComparePanel(
    /// On an embedded page, the one chart shown: this panel is built only if it is this one.
    only: Option<&'static str>,
) -> impl IntoView {
    if only.is_some_and(|o| o != "chart-compare") {
        return None;
    }
    let state = expect_context::<AppState>();
    let compare = CompareState::new();
    on_cleanup(move || compare.stop());

    let start_or_stop = move |_| {
        if compare.running() {
            compare.stop();
        } else {
            if state.run_state() == RunState::Running {
                state.play_or_pause();
            }
            compare.start(state.settings.get_untracked().validated().0);
        }
    };

    let canvas = NodeRef::<Canvas>::new();
    let lanes = move || -> Vec<(LaneChoice, String, History)> {
        compare
            .shown
            .get()
            .into_iter()
            .zip(compare.lanes)
            .enumerate()
            .map(|(i, (choice, h))| (choice, compare.lane_name(i, true), h.get()))
            .collect()
    };
    super::charts::paint_on(canvas, "compare", move |area| draw(&lanes(), area));
    expect_context::<SvgExports>().register(
        "chart-compare",
        Rc::new(move || untrack(|| svg_string(|area| draw(&lanes(), area)))),
    );

    Some(view! {
        <figure class="panel chart">
            <figcaption><h2>"Compare: which term makes the clusters?"</h2></figcaption>
            <p class="help" id="presets-help">"Use a preset's VICReg weights in the main run:"</p>
            <div class="buttons" role="group" aria-labelledby="presets-help">
                {PRESETS
                    .iter()
                    .map(|preset| {
                        let preset = *preset;
                        view! {
                            <button
                                data-testid=format!("preset-{}", preset.key)
                                aria-pressed=move || {
                                    state.settings.with(|s| preset.is_applied_to(s)).to_string()
                                }
                                title="Use these VICReg weights in the main run"
                                on:click=move |_| {
                                    let next = preset.apply(&state.settings.get_untracked());
                                    state.edit_settings(next);
                                }
                            >
                                {preset.label}
                            </button>
                        }
                    })
                    .collect::<Vec<_>>()}
            </div>
            <p class="help">
                "Or train up to three runs side by side, each with the main run's data set, seed, "
                "learning rate, batch and augmentation:"
            </p>
            <div class="lanes">
                {(0..3).map(|lane| lane_select(compare, lane)).collect::<Vec<_>>()}
            </div>
            <div class="buttons">
                <button
                    data-testid="compare"
                    disabled=move || !compare.running() && !compare.any_lane_on()
                    title=move || {
                        (!compare.any_lane_on()).then_some("Switch at least one lane on")
                    }
                    on:click=start_or_stop
                >
                    {move || if compare.running() {
                        "Stop the comparison".to_string()
                    } else {
                        format!("Compare ({COMPARE_STEPS} steps each)")
                    }}
                </button>
            </div>
            <p class="help" data-testid="compare-caption">
                {move || compare.base.with(|b| match b {
                    Some(b) => format!(
                        "Trained on {} with seed {} and learning rate {}.",
                        b.dataset.label(),
                        b.seed,
                        b.learning_rate
                    ),
                    None => String::new(),
                })}
            </p>
            <Show when=move || {
                compare.lanes.iter().any(|l| l.with(|h| h.state == Some(RunState::Diverged)))
            }>
                <p class="notice" data-testid="compare-diverged">
                    "A lane diverged: its loss ran away. Lower the learning rate in the "
                    "controls and compare again."
                </p>
            </Show>
            <canvas node_ref=canvas data-testid="chart-compare"
                aria-label="Test NCC of each compared run over training steps"
                width="640" height="360"></canvas>
            <table class="compare-table">
                <thead>
                    <tr>
                        <th scope="col">"lane"</th>
                        <th scope="col">"steps"</th>
                        <th scope="col">"test NCC"</th>
                        <th scope="col">"CDNV"</th>
                        <th scope="col">"linear probe"</th>
                    </tr>
                </thead>
                <tbody>
                    {(0..3).map(|lane| lane_row(compare, lane)).collect::<Vec<_>>()}
                </tbody>
            </table>
            <p class="explainer">{include_str!("../../www/text/compare.txt")}</p>
        </figure>
    })
}

/// The select of what lane `lane` (0-based; shown and tested as 1 to 3) trains.
fn lane_select(compare: CompareState, lane: usize) -> impl IntoView {
    let id = format!("compare-lane-{}", lane + 1);
    view! {
        <label for=id.clone()>{format!("Lane {}", lane + 1)}</label>
        <select
            id=id.clone()
            data-testid=id
            prop:value=move || compare.choices.with(|c| c[lane].key())
            on:change=move |event| {
                let key = event_target_value(&event);
                if let Some(choice) = LaneChoice::all().into_iter().find(|c| c.key() == key) {
                    compare.choices.update(|c| c[lane] = choice);
                }
            }
        >
            {LaneChoice::all()
                .into_iter()
                .map(|c| view! { <option value=c.key()>{c.label()}</option> })
                .collect::<Vec<_>>()}
        </select>
    }
}

/// One lane's row of the table: what it trains, its progress and latest measurements.
fn lane_row(compare: CompareState, index: usize) -> impl IntoView {
    let lane = compare.lanes[index];
    let name = index + 1;
    // A lane that diverged or failed before its first evaluation after step 0 has no result:
    // its step-0 numbers would read as one.
    let latest = move |f: fn(&ssl_core::train::Evaluation) -> Option<f64>| {
        lane.with(|h| {
            let stopped = matches!(h.state, Some(RunState::Diverged | RunState::Failed));
            let trained = h.latest_evaluation().is_some_and(|e| e.step > 0);
            if stopped && !trained {
                None
            } else {
                h.latest_of(f)
            }
        })
    };
    let cell = move |key: &'static str, f: fn(&ssl_core::train::Evaluation) -> Option<f64>| {
        view! {
            <td
                data-testid=format!("compare-{name}-{key}")
                data-value=move || latest(f).map(|v| v.to_string()).unwrap_or_default()
            >
                {move || latest(f).map_or("–".to_string(), |v| format!("{v:.3}"))}
            </td>
        }
    };
    let progress = move || {
        lane.with(|h| match h.state {
            None => "–".to_string(),
            Some(RunState::Failed) => "failed".to_string(),
            Some(RunState::Diverged) => format!("diverged at {}", h.steps_done()),
            Some(_) if h.evaluations.is_empty() && h.steps_done() == 0 => "–".to_string(),
            Some(RunState::Paused) if h.steps_done() < COMPARE_STEPS && !compare.running() => {
                format!("{}/{COMPARE_STEPS}, stopped", h.steps_done())
            }
            Some(_) => format!("{}/{COMPARE_STEPS}", h.steps_done()),
        })
    };
    view! {
        <tr>
            <th scope="row">{move || compare.lane_name(index, false)}</th>
            <td data-testid=format!("compare-{name}-steps")
                data-value=move || lane.with(|h| h.steps_done().to_string())>
                {progress}
            </td>
            {cell("ncc", |e| Some(e.ncc_test))}
            {cell("cdnv", |e| Some(e.cdnv_train))}
            {cell("probe", |e| e.probe_test)}
        </tr>
    }
}

/// Test NCC of each lane over steps, with the raw pixels as a reference line.
fn draw<B: Backend>(lanes: &[(LaneChoice, String, History)], area: Area<B>) -> DrawResult {
    if lanes.iter().all(|(_, _, h)| h.evaluations.is_empty()) {
        return placeholder(&area, "Press Compare to train the lanes");
    }
    area.fill(&WHITE)?;
    let last_step = lanes
        .iter()
        .map(|(_, _, h)| h.steps_done())
        .max()
        .unwrap_or(0)
        .max(10) as f64;
    let (plot, strip) = with_legend(&area);
    let mut chart = accuracy_chart(&plot, last_step, "test NCC accuracy")?;
    let mut legend = Vec::new();
    for ((choice, name, history), (color, mark)) in lanes.iter().zip(STYLES) {
        if *choice == LaneChoice::Off {
            continue;
        }
        let points: Vec<(f64, f64)> = history
            .evaluations
            .iter()
            .map(|e| (e.step as f64, e.ncc_test))
            .collect();
        // A lane stopped at its first evaluation has one point, which a line does not show.
        if points.len() == 1 {
            chart.draw_series(points.iter().map(|&p| Circle::new(p, 4, color.filled())))?;
        }
        match mark {
            Mark::Dashed => {
                chart.draw_series(DashedLineSeries::new(points, 8, 5, color.stroke_width(3)))?;
            }
            Mark::Line { width } => {
                chart.draw_series(LineSeries::new(points, color.stroke_width(width)))?;
            }
            Mark::Dot => {}
        }
        legend.push((name.clone(), color, mark));
    }
    if let Some(pixels) = lanes.iter().find_map(|(_, _, h)| h.pixels) {
        let color = PALETTE[9];
        let y = pixels.ncc_test;
        chart.draw_series(DashedLineSeries::new(
            vec![(0.0, y), (last_step, y)],
            2,
            6,
            color.stroke_width(1),
        ))?;
        legend.push(("raw pixels".to_string(), color, Mark::Dashed));
    }
    draw_legend(&strip, &legend)?;
    area.present()?;
    Ok(())
}
