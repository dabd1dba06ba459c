//! The status line: backend, steps done, speed, state, and the latest NCC readouts.

use leptos::prelude::*;

use super::AppState;

#[component]
pub fn StatusLine() -> impl IntoView {
    let state = expect_context::<AppState>();
    let history = state.history;
    let backend = move || {
        state
            .backend
            .get()
            .map_or("starting", |b| b.label())
            .to_string()
    };
    let ncc = move |train: bool| {
        history.with(|h| {
            h.latest_evaluation()
                .map(|e| if train { e.ncc_train } else { e.ncc_test })
        })
    };
    let shown = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.3}"));
    let raw = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    let failure = move || {
        state
            .page_error
            .get()
            .or_else(|| history.with(|h| h.failure.clone()))
    };

    view! {
        <div class="status panel" role="status" aria-live="polite">
            <Readout label="Backend:" testid="backend"
                raw=move || backend().to_lowercase() shown=backend />
            <Readout label="Step" testid="step-count"
                raw=move || history.with(|h| h.steps_done()).to_string()
                shown=move || history.with(|h| h.steps_done()).to_string() />
            <Readout label="Steps/s" testid="steps-per-second"
                raw=move || history.with(|h| format!("{:.1}", h.steps_per_second))
                shown=move || history.with(|h| format!("{:.0}", h.steps_per_second)) />
            <Readout label="State:" testid="run-state"
                raw=move || state.run_state().label().to_string()
                shown=move || state.run_state().label().to_string() />
            <Readout label="NCC train" testid="ncc-train"
                raw=move || raw(ncc(true)) shown=move || shown(ncc(true)) />
            <Readout label="NCC test" testid="ncc-test"
                raw=move || raw(ncc(false)) shown=move || shown(ncc(false)) />
        </div>
        <Show when=move || failure().is_some()>
            <p class="error" role="alert">{failure}</p>
        </Show>
    }
}

/// One labelled readout: `shown` for people, `raw` in `data-value` for automated checks.
#[component]
fn Readout(
    label: &'static str,
    testid: &'static str,
    raw: impl Fn() -> String + Send + Sync + 'static,
    shown: impl Fn() -> String + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <span>{label} " " <b data-testid=testid data-value=raw>{shown}</b></span>
    }
}
