//! The status line: backend, steps done, speed, state, and the latest NCC readouts.

use leptos::prelude::*;

use super::AppState;

#[component]
pub fn StatusLine() -> impl IntoView {
    let state = expect_context::<AppState>();
    let history = state.history;
    let backend = move || state.backend.get().map_or("starting", |b| b.label());
    let steps = move || history.with(|h| h.steps_done());
    let rate = move || history.with(|h| h.steps_per_second);
    let run_state = move || state.run_state().label();
    let ncc = move |train: bool| {
        history.with(|h| {
            h.latest_evaluation()
                .map(|e| if train { e.ncc_train } else { e.ncc_test })
        })
    };
    let shown = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.3}"));
    let raw = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());

    view! {
        <div class="status panel" role="status" aria-live="polite">
            <span>"Backend: " <b data-testid="backend" data-value=move || backend().to_lowercase()>{backend}</b></span>
            <span>"Step " <b data-testid="step-count" data-value=move || steps().to_string()>{steps}</b></span>
            <span>
                <b data-testid="steps-per-second" data-value=move || format!("{:.1}", rate())>
                    {move || format!("{:.0}", rate())}
                </b>
                " steps/s"
            </span>
            <span>"State: " <b data-testid="run-state" data-value=run_state>{run_state}</b></span>
            <span>"NCC train " <b data-testid="ncc-train" data-value=move || raw(ncc(true))>{move || shown(ncc(true))}</b></span>
            <span>"NCC test " <b data-testid="ncc-test" data-value=move || raw(ncc(false))>{move || shown(ncc(false))}</b></span>
        </div>
        <Show when=move || state.page_error.with(Option::is_some) || history.with(|h| h.failure.is_some())>
            <p class="error" role="alert">
                {move || state.page_error.get().or_else(|| history.with(|h| h.failure.clone()))}
            </p>
        </Show>
    }
}
