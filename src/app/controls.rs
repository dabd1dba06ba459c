//! The controls: sliders for the settings, the seed, and Play/Pause, Step and Reset.
//!
//! Loss weights and the learning rate apply from the next step; the batch size, augmentation
//! strength, the synthetic set's nuisance and the seed shape a run from its start, so changing
//! them asks for a reset.

use leptos::prelude::*;
use ssl_core::data::Dataset;
use ssl_core::method::Method;
use ssl_core::settings::{self, Settings};

use super::AppState;
use crate::protocol::RunState;

/// How a slider's position maps to a setting's value: linear, or by powers of ten or two.
#[derive(Clone, Copy)]
enum Scale {
    Linear,
    Log10,
    Log2,
}

impl Scale {
    fn to_position(self, value: f64) -> f64 {
        match self {
            Scale::Linear => value,
            Scale::Log10 => value.log10(),
            Scale::Log2 => value.log2(),
        }
    }

    fn to_value(self, position: f64) -> f64 {
        match self {
            Scale::Linear => position,
            // Three significant digits: enough for a log slider, short in a link, and the ends
            // land exactly on the range's bounds (10^-5 computed is 9.999999999999999e-6).
            Scale::Log10 => format!("{:.2e}", 10f64.powf(position))
                .parse()
                .unwrap_or(10f64.powf(position)),
            Scale::Log2 => 2f64.powf(position).round(),
        }
    }
}

/// One labelled slider with its value shown beside it.
#[component]
fn Slider(
    /// The label shown, also the slider's accessible name.
    label: &'static str,
    /// A sentence shown on hover and read by screen readers.
    help: &'static str,
    /// The slider's range, in positions (after `scale`).
    min: f64,
    max: f64,
    step: f64,
    scale: Scale,
    get: fn(&Settings) -> f64,
    set: fn(&mut Settings, f64),
    format: fn(f64) -> String,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let value = move || state.settings.with(get);
    let id = format!(
        "slider-{}",
        label
            .to_lowercase()
            .replace(|c: char| !c.is_alphanumeric(), "-")
    );
    let help_id = format!("{id}-help");
    view! {
        <div class="slider" title=help>
            <label for=id.clone()>{label}</label>
            <input
                type="range"
                id=id
                min=min
                max=max
                step=step
                aria-describedby=help_id.clone()
                prop:value=move || scale.to_position(value()).to_string()
                on:input=move |ev| {
                    if let Ok(position) = event_target_value(&ev).parse::<f64>() {
                        state.settings.update(|s| set(s, scale.to_value(position)));
                    }
                }
            />
            <output>{move || format(value())}</output>
            <small id=help_id class="help">{help}</small>
        </div>
    }
}

fn plain(v: f64) -> String {
    format!("{v:.1}")
}

fn scientific(v: f64) -> String {
    format!("{v:.1e}")
}

fn whole(v: f64) -> String {
    format!("{v:.0}")
}

fn two_places(v: f64) -> String {
    format!("{v:.2}")
}

/// A select for a setting that shapes the run from its first step (the data set, the method):
/// choosing an option starts a fresh run at once, as choosing a data set does in TensorFlow
/// Playground, and fetches a data set the first time.
#[component]
fn RunSelect(
    label: &'static str,
    /// The element's id and test id.
    id: &'static str,
    help: &'static str,
    /// `(key, label)` of each option.
    options: Vec<(&'static str, &'static str)>,
    get: fn(&Settings) -> &'static str,
    /// Sets the setting from an option's key; false if the key is not an option.
    set: fn(&mut Settings, &str) -> bool,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let help_id = format!("{id}-help");
    view! {
        <div class="slider">
            <label for=id>{label}</label>
            <select
                id=id
                data-testid=id
                aria-describedby=help_id.clone()
                prop:value=move || state.settings.with(get)
                on:change=move |ev| {
                    let key = event_target_value(&ev);
                    let mut next = state.settings.get_untracked();
                    if set(&mut next, &key) {
                        state.edit_settings(next);
                    }
                }
            >
                {options
                    .into_iter()
                    .map(|(key, label)| view! { <option value=key>{label}</option> })
                    .collect::<Vec<_>>()}
            </select>
            <small id=help_id class="help">{help}</small>
        </div>
    }
}

#[component]
fn DatasetSelect() -> impl IntoView {
    view! {
        <RunSelect
            label="Data set"
            id="dataset"
            help=concat!(
                "The digits are built in. MNIST (1 MB) and Fashion-MNIST (2.6 MB) are fetched ",
                "from this site the first time you choose them; their 784 pixels make each step ",
                "slower. The synthetic set is generated from the seed: five superclasses of two ",
                "classes each, hidden under textures you can turn up."
            )
            options=Dataset::ALL.map(|d| (d.key(), d.label())).to_vec()
            get=|s| s.dataset.key()
            set=|s, key| Dataset::from_key(key).map(|d| s.dataset = d).is_some()
        />
    }
}

#[component]
fn MethodSelect() -> impl IntoView {
    view! {
        <RunSelect
            label="Method"
            id="method"
            help=concat!(
                "VICReg and Barlow Twins regularize the embedding's statistics; SimCLR contrasts ",
                "each sample with the rest of the batch; the pretext tasks (rotation, jigsaw) ",
                "classify how each image was transformed. Changing it starts a new run."
            )
            options=Method::ALL.map(|m| (m.key(), m.label())).to_vec()
            get=|s| s.method.key()
            set=|s, key| Method::from_key(key).map(|m| s.method = m).is_some()
        />
    }
}

/// Play or Pause, Step and Reset: the buttons every view of a run has, the embedded one too.
#[component]
pub fn RunButtons() -> impl IntoView {
    let state = expect_context::<AppState>();
    let running = move || state.run_state() == RunState::Running;
    let can_train = move || {
        matches!(
            state.run_state(),
            RunState::Idle | RunState::Paused | RunState::Running
        )
    };
    view! {
        <div class="buttons">
            <button
                data-testid="play"
                aria-label=move || if running() { "Pause" } else { "Play" }
                disabled=move || !can_train()
                on:click=move |_| state.play_or_pause()
            >
                {move || if running() { "Pause" } else { "Play" }}
            </button>
            <button
                data-testid="step"
                disabled=move || !can_train()
                on:click=move |_| state.step()
            >
                "Step"
            </button>
            <button
                data-testid="reset"
                class:attention=move || state.reset_pending()
                on:click=move |_| state.reset()
            >
                "Reset"
            </button>
        </div>
    }
}

#[component]
pub fn Controls() -> impl IntoView {
    let state = expect_context::<AppState>();
    let seed_text = move || state.settings.with(|s| s.seed.to_string());
    // What the visitor typed, when it is not a seed; the run keeps its last valid seed.
    let seed_error = RwSignal::new(None::<String>);

    view! {
        <h2>"Training"</h2>
        <RunButtons />
        <Show when=move || state.reset_pending()>
            <p class="notice">
                "Batch size, augmentation, nuisance and seed apply from the start: "
                "press Reset to use them."
            </p>
        </Show>

        <DatasetSelect />
        <MethodSelect />
        <h3>
            {move || if state.settings.with(|s| s.method.pretext().is_some()) {
                "Learning (applies at the next step)"
            } else {
                "Loss weights (apply at the next step)"
            }}
        </h3>
        <Show when=move || state.settings.with(|s| s.method == Method::Simclr)>
            <Slider
                label="Temperature τ"
                help=concat!(
                    "SimCLR's softmax temperature: lower makes each sample compete harder against ",
                    "its nearest negatives."
                )
                min=settings::TEMPERATURE.min.log10() max=settings::TEMPERATURE.max.log10()
                step=0.05 scale=Scale::Log10
                get=|s| s.temperature set=|s, v| s.temperature = v format=two_places
            />
        </Show>
        <Show when=move || state.settings.with(|s| s.method == Method::Barlow)>
            <Slider
                label="Off-diagonal λ"
                help=concat!(
                    "Barlow Twins' weight of redundancy reduction: how strongly different ",
                    "embedding dimensions are decorrelated across the two views."
                )
                min=-4.0 max=settings::OFFDIAG_WEIGHT.max.log10()
                step=0.1 scale=Scale::Log10
                get=|s| s.offdiag_weight set=|s, v| s.offdiag_weight = v format=scientific
            />
        </Show>
        <Show when=move || state.settings.with(|s| s.method == Method::Vicreg)>
        <Slider
            label="Invariance λ"
            help="How strongly the two views of a sample are pulled together."
            min=0.0 max=settings::INVARIANCE.max step=0.5 scale=Scale::Linear
            get=|s| s.invariance_weight set=|s, v| s.invariance_weight = v format=plain
        />
        <Slider
            label="Variance μ"
            help=concat!(
                "How strongly every embedding dimension is kept spread out ",
                "(standard deviation near 1): the guard against collapse."
            )
            min=0.0 max=settings::VARIANCE.max step=0.5 scale=Scale::Linear
            get=|s| s.variance_weight set=|s, v| s.variance_weight = v format=plain
        />
        <Slider
            label="Covariance ν"
            help="How strongly the embedding dimensions are decorrelated from each other."
            min=0.0 max=settings::COVARIANCE.max step=0.1 scale=Scale::Linear
            get=|s| s.covariance_weight set=|s, v| s.covariance_weight = v format=plain
        />
        </Show>
        <Show when=move || state.settings.with(|s| s.method.pretext().is_some())>
            <p class="pretext-note" data-testid="pretext-note">
                "A pretext task has one loss: cross-entropy on the made-up labels."
            </p>
        </Show>
        <Slider
            label="Learning rate"
            help="Adam's step size. Too high and training diverges."
            min=settings::LEARNING_RATE.min.log10() max=settings::LEARNING_RATE.max.log10()
            step=0.1 scale=Scale::Log10
            get=|s| s.learning_rate set=|s, v| s.learning_rate = v format=scientific
        />

        <h3>"Run (apply after Reset)"</h3>
        <Slider
            label="Batch size"
            help=concat!(
                "Samples per step; two augmented views are drawn of each (one for a pretext ",
                "task)."
            )
            min=settings::BATCH_SIZE.min.log2() max=settings::BATCH_SIZE.max.log2()
            step=1.0 scale=Scale::Log2
            get=|s| s.batch_size as f64 set=|s, v| s.batch_size = v as usize format=whole
        />
        <Slider
            label="Augmentation"
            help=concat!(
                "How different the two views are (for a pretext task, how far its one view is ",
                "from the image): shifts, dimming, an erased patch and noise, all scaled by this ",
                "strength."
            )
            min=0.0 max=1.0 step=0.05 scale=Scale::Linear
            get=|s| s.augment_strength set=|s, v| s.augment_strength = v format=two_places
        />
        <Show when=move || state.settings.with(|s| s.dataset == Dataset::Synthetic)>
            <Slider
                label="Nuisance"
                help=concat!(
                    "The spread of the synthetic set's textures, which say nothing about the ",
                    "class; every view draws them anew. At 0 the images are class patterns ",
                    "alone; at the default 3 the textures already carry most of the pixel variance."
                )
                min=settings::NUISANCE.min max=settings::NUISANCE.max step=0.25
                scale=Scale::Linear
                get=|s| s.nuisance set=|s, v| s.nuisance = v format=two_places
            />
            <p class="explainer" data-testid="synthetic-explainer">
                {include_str!("../../www/text/synthetic.txt")}
            </p>
        </Show>
        <div class="slider">
            <label for="seed">"Seed"</label>
            <input
                id="seed"
                data-testid="seed"
                type="number"
                min=0
                max=settings::SEED_MAX
                prop:value=seed_text
                aria-invalid=move || seed_error.with(Option::is_some).to_string()
                aria-describedby="seed-help"
                on:change=move |ev| {
                    let text = event_target_value(&ev);
                    match text.trim().parse::<u64>() {
                        Ok(seed) if seed <= settings::SEED_MAX => {
                            seed_error.set(None);
                            state.settings.update(|s| s.seed = seed);
                        }
                        _ => seed_error.set(Some(text)),
                    }
                }
            />
            <Show when=move || seed_error.with(Option::is_some)>
                <p class="notice" role="alert">
                    {move || seed_error.get().map(|typed| format!(
                        "\"{typed}\" is not a seed: use a whole number from 0 to {}. \
                         The seed stays {}.",
                        settings::SEED_MAX,
                        state.settings.with(|s| s.seed),
                    ))}
                </p>
            </Show>
            <small id="seed-help" class="help">
                "Fixes the split, the initial weights, the batches and the views: "
                "the same seed gives the same run."
            </small>
        </div>
    }
}
