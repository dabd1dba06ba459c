//! The information plane panel's controls and readouts.

use leptos::prelude::*;

use ssl_core::mi::plane::{Activation, Objective};

use super::widgets::LabSelect;
use super::{LabState, PlaneEstimator, Task};

/// The information plane's controls and readouts.
#[component]
pub fn PlanePanel() -> impl IntoView {
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
            let stopped = if p.steps_done > 0 && p.steps_done < p.config.steps && !running() {
                " (stopped)"
            } else {
                ""
            };
            format!(
                "{} of {} steps{stopped}{time}{loss}.",
                p.steps_done, p.config.steps
            )
        })
    };
    view! {
        <div class="lab-row">
            <LabSelect label="Training" testid="plane-objective"
                options=vec![
                    ("ssl", "self-supervised (VICReg)"),
                    ("supervised", "supervised (labels)"),
                ]
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
