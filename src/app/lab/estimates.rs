//! The estimator panel: every estimator on seeded draws with a known MI, its controls and its
//! table of readouts.

use leptos::prelude::*;

use ssl_core::mi::critic::{Bound, CriticKind};
use ssl_core::mi::lab::{self, Draw, EstimateRequest, Family};
use ssl_core::settings::SEED_MAX;

use super::widgets::{LabSelect, in_units, mean_and_spread, three_places, two_places, whole};
use super::{LabState, Task};

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
    pub fn key(self) -> &'static str {
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

    pub fn explainer(self) -> &'static str {
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
    /// Whether the value is an amount of information in nats, shown in the page's unit.
    #[prop(optional)]
    information: bool,
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
            <output>
                {move || if information {
                    let units = lab.units.get();
                    format!("{} {}", in_units(units, shown.get()), units.label())
                } else {
                    format(shown.get())
                }}
            </output>
            <small class="help">{help}</small>
        </div>
    }
}

/// The readouts and the table of the estimates so far.
#[component]
pub fn EstimateTable() -> impl IntoView {
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
                // No value yet: waiting for a draw, the critics left out, or the job stopped.
                let critics_off = matches!(estimator, Estimator::Critic(_))
                    && lab.drawn_request.with(|r| r.critic_steps == 0);
                let waiting = if critics_off {
                    "off"
                } else if lab.task.get() == Some(Task::Estimate) {
                    "…"
                } else {
                    "—"
                };
                let mean = stats.map_or(waiting.to_string(), |(m, _)| in_units(u, m));
                // One draw has no spread to speak of.
                let spread = match stats {
                    Some((_, s)) if values.len() > 1 => in_units(u, s),
                    Some(_) => "—".to_string(),
                    None => String::new(),
                };
                let bias = stats.map_or(String::new(), |(m, _)| {
                    let bias = u.from_nats(m - truth());
                    if bias.abs() >= 1e4 {
                        format!("{bias:+.2e}")
                    } else {
                        format!("{bias:+.3}")
                    }
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
            {move || lab.draws.with(|d| {
                let (repeats, samples) = lab.drawn_request.with(|r| (r.repeats, r.samples));
                let stopped = d.len() < repeats && lab.task.get() != Some(Task::Estimate);
                format!(
                    ", {} of {repeats} draws of {samples} samples{}",
                    d.len(),
                    if stopped { ", stopped" } else { "" },
                )
            })}
        </p>
        <div class="table-scroll">
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
        </div>
    }
}

/// The estimate request's controls.
#[component]
pub fn EstimateControls() -> impl IntoView {
    let lab = expect_context::<LabState>();
    // What the visitor typed, when it is not a seed; the request keeps its last valid seed.
    let seed_error = RwSignal::new(None::<String>);
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
        <RequestSlider label="True MI"
            help="The mutual information the pairs are drawn with (in steps of 0.25 nats)."
            min=lab::TRUE_MI.min max=lab::TRUE_MI.max step=0.25
            get=|r| r.mi_nats set=|r, v| r.mi_nats = v format=two_places information=true />
        <RequestSlider label="Dimension d"
            help="Coordinates of X and of Y; the MI is shared evenly."
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
        <RequestSlider label="Bins per unit"
            help="Binning's equal-width bins over each unit's range."
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
            <input id="lab-seed" data-testid="lab-seed" type="number" min=0 max=SEED_MAX
                prop:value=move || lab.request.with(|r| r.seed.to_string())
                aria-invalid=move || seed_error.with(Option::is_some).to_string()
                on:change=move |ev| {
                    let text = event_target_value(&ev);
                    match text.trim().parse::<u64>() {
                        Ok(seed) if seed <= SEED_MAX => {
                            seed_error.set(None);
                            lab.request.update(|r| r.seed = seed);
                            lab.estimate();
                        }
                        _ => seed_error.set(Some(text)),
                    }
                }
            />
            <Show when=move || seed_error.with(Option::is_some)>
                <p class="notice" role="alert" data-testid="lab-seed-error">
                    {move || seed_error.get().map(|typed| format!(
                        "\"{typed}\" is not a seed: use a whole number from 0 to {SEED_MAX}. \
                         The seed stays {}.",
                        lab.request.with(|r| r.seed),
                    ))}
                </p>
            </Show>
        </div>
    }
}
