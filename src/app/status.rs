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
    // A crash has its own panel, with the restart action.
    let failure = move || {
        state.page_error.get().or_else(|| {
            state
                .crash
                .with(Option::is_none)
                .then(|| history.with(|h| h.failure.clone()))
                .flatten()
        })
    };
    let loss = move || history.with(|h| h.latest_step().map(|s| s.total));
    let latest = move |measure: fn(&ssl_core::train::Evaluation) -> Option<f64>| {
        history.with(|h| h.latest_of(measure))
    };
    let memory_mb = move || history.with(|h| h.memory_bytes / (1024.0 * 1024.0));

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
            // The fine level is the data set's own classes: the same number under two names.
            <span>
                "NCC test "
                <b data-testid="ncc-test" data-value=move || raw(ncc(false))>
                    <span data-testid="ncc-test-fine" data-value=move || raw(ncc(false))>
                        {move || shown(ncc(false))}
                    </span>
                </b>
            </span>
            <Readout label="NCC test, coarse" testid="ncc-test-coarse"
                raw=move || raw(latest(|e| e.ncc_test_coarse))
                shown=move || shown(latest(|e| e.ncc_test_coarse)) />
            <Readout label="CDNV" testid="cdnv"
                raw=move || raw(latest(|e| Some(e.cdnv_train)))
                shown=move || shown(latest(|e| Some(e.cdnv_train))) />
            <Readout label="Linear probe" testid="linear-probe"
                raw=move || raw(latest(|e| e.probe_test))
                shown=move || shown(latest(|e| e.probe_test)) />
            <Readout label="kNN" testid="knn"
                raw=move || raw(latest(|e| e.knn_test))
                shown=move || shown(latest(|e| e.knn_test)) />
            <Readout label="Loss" testid="loss"
                raw=move || raw(loss())
                shown=move || loss().map_or("–".into(), |v| format!("{v:.2}")) />
            <Readout label="Worker memory" testid="memory"
                raw=move || format!("{:.1}", memory_mb())
                shown=move || format!("{:.0} MB", memory_mb()) />
        </div>
        {move || history.with(|h| h.loading).map(|(dataset, fraction)| view! {
            <p class="loading">
                <label for="data-progress">{format!("Fetching {}: ", dataset.label())}</label>
                <progress id="data-progress" data-testid="data-progress" max="1"
                    value=fraction.to_string()>{format!("{:.0}%", fraction * 100.0)}</progress>
                {format!(" {:.0}%", fraction * 100.0)}
            </p>
        })}
        <Show when=move || failure().is_some()>
            <p class="error" role="alert">{failure}</p>
        </Show>
        <DivergencePanel />
        <CrashPanel />
        <LinkNotices />
    }
}

/// What diverged, and the two ways on: a fresh run slower, or back to the last sound step.
#[component]
fn DivergencePanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let divergence = move || state.history.with(|h| h.divergence.clone());
    let lower = move || {
        state
            .settings
            .with(|s| (s.learning_rate / 10.0).max(ssl_core::settings::LEARNING_RATE.min))
    };
    view! {
        {move || divergence().map(|d| view! {
            <div class="error" role="alert" data-testid="divergence">
                <p>{d.message}</p>
                <div class="buttons">
                    <button data-testid="reset-lower-lr"
                        on:click=move |_| state.reset_with_lower_learning_rate()>
                        {format!("Reset with learning rate {}", lower())}
                    </button>
                    {d.checkpoint_step.map(|step| view! {
                        <button data-testid="rewind" on:click=move |_| state.rewind()>
                            {format!("Go back to step {step}, the last finite one measured")}
                        </button>
                    })}
                </div>
            </div>
        })}
    }
}

/// The worker died: say why, keep the charts, and offer a fresh worker.
#[component]
fn CrashPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        {move || state.crash.get().map(|message| view! {
            <div class="error" role="alert" data-testid="crash">
                <p>
                    {message} "."
                    " The charts keep the run up to the crash; a restarted worker begins a new "
                    "run with the same settings."
                </p>
                <button data-testid="restart-worker" on:click=move |_| state.restart_worker()>
                    "Restart worker"
                </button>
            </div>
        })}
    }
}

/// The values of the opening link that were replaced by defaults.
#[component]
fn LinkNotices() -> impl IntoView {
    let state = expect_context::<AppState>();
    let notices = state.link_notices;
    view! {
        <Show when=move || notices.with(|n| !n.is_empty())>
            <div class="notice" role="alert" data-testid="link-notices">
                <p>"This link held values that cannot be used; the defaults stand in for them:"</p>
                <ul>
                    {move || notices.get().into_iter().map(|n| view! { <li>{n.message}</li> })
                        .collect::<Vec<_>>()}
                </ul>
                <button on:click=move |_| notices.set(Vec::new())>"Dismiss"</button>
            </div>
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
