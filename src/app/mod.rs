//! The page: a Leptos app that drives the training worker and charts what it measures.
//!
//! Source signals: the settings the visitor is editing, the settings the current run started
//! with, and the run's [`History`]. Everything on screen is derived from them. Effects are used
//! only at the edges: to send messages to the worker and to draw on the canvases.

mod bridge;
mod charts;
mod controls;
pub mod history;
mod status;

use std::rc::Rc;

use leptos::prelude::*;
use ssl_core::settings::Settings;

use crate::protocol::{Backend, FromWorker, RunState, ToWorker};
use bridge::WorkerBridge;
pub use history::History;

/// Mounts the app on the page's body.
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

/// The page's state, shared with every component through the context.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The settings shown in the controls.
    pub settings: RwSignal<Settings>,
    /// The settings the current run was started with.
    pub run_settings: RwSignal<Settings>,
    pub history: RwSignal<History>,
    pub backend: RwSignal<Option<Backend>>,
    /// A failure outside any run (the worker could not start).
    pub page_error: RwSignal<Option<String>>,
    worker: StoredValue<Option<Rc<WorkerBridge>>, LocalStorage>,
}

impl AppState {
    fn send(&self, message: ToWorker) {
        self.worker.with_value(|w| {
            if let Some(w) = w {
                w.send(&message)
            }
        });
    }

    pub fn run_state(&self) -> RunState {
        self.history.with(|h| h.state.unwrap_or(RunState::Loading))
    }

    /// Whether the edited settings differ from the run's in a way only a reset applies.
    pub fn reset_pending(&self) -> bool {
        self.run_settings
            .with(|run| self.settings.with(|s| run.needs_reset(s)))
    }

    /// Starts a fresh run with the edited settings.
    pub fn reset(&self) {
        let settings = self.settings.get_untracked();
        let run = self.history.with_untracked(|h| h.run) + 1;
        self.run_settings.set(settings.clone());
        self.history.set(History::new(run));
        self.send(ToWorker::Start { run, settings });
    }

    /// Sends Play or Pause, and shows the new state at once: without that, clicks made before
    /// the worker's answer would all send the same command again.
    pub fn play_or_pause(&self) {
        let run = self.history.with_untracked(|h| h.run);
        let (message, shown) = match self.history.with_untracked(|h| h.state) {
            Some(RunState::Running) => (ToWorker::Pause { run }, RunState::Paused),
            Some(RunState::Idle | RunState::Paused) => (ToWorker::Play { run }, RunState::Running),
            _ => return,
        };
        self.history.update(|h| h.state = Some(shown));
        self.send(message);
    }

    /// One more step: from idle or paused, train one step; while training, stop after the next.
    pub fn step(&self) {
        let run = self.history.with_untracked(|h| h.run);
        if matches!(
            self.history.with_untracked(|h| h.state),
            Some(RunState::Idle | RunState::Paused | RunState::Running)
        ) {
            self.send(ToWorker::Step { run, count: 1 });
        }
    }

    fn receive(&self, message: FromWorker) {
        if let FromWorker::Ready { backend } = message {
            self.backend.set(Some(backend));
            self.reset();
            return;
        }
        self.history.update(|h| {
            h.apply(message);
        });
    }
}

#[component]
pub fn App() -> impl IntoView {
    let state = AppState {
        settings: RwSignal::new(Settings::default()),
        run_settings: RwSignal::new(Settings::default()),
        history: RwSignal::new(History::new(0)),
        backend: RwSignal::new(None),
        page_error: RwSignal::new(None),
        worker: StoredValue::new_local(None),
    };
    provide_context(state);

    match WorkerBridge::spawn(
        move |message| state.receive(message),
        move |error| state.page_error.set(Some(error)),
    ) {
        Ok(bridge) => state.worker.set_value(Some(Rc::new(bridge))),
        Err(e) => state
            .page_error
            .set(Some(format!("the training worker could not start: {e}"))),
    }

    // Live settings reach the running model at its next step.
    Effect::new(move |_| {
        let settings = state.settings.get();
        let run = state.history.with_untracked(|h| h.run);
        state.send(ToWorker::Tune { run, settings });
    });

    view! {
        <header>
            <h1>"SSL Explorer"</h1>
            <p class="lede">
                "Train a small self-supervised network (VICReg) on 1,797 handwritten digits, "
                "here in your browser, and watch its embeddings sort themselves by digit, "
                "although no label "
                "is ever shown to the training."
            </p>
        </header>
        <main>
            <aside class="panel controls-panel">
                <controls::Controls />
            </aside>
            <section class="charts">
                <status::StatusLine />
                <charts::Charts />
            </section>
        </main>
        <footer>
            <p>
                "Data: the UCI optical recognition of handwritten digits "
                "(Alpaydin and Kaynak, 1998), "
                "as shipped with scikit-learn. Method: VICReg (Bardes, Ponce and LeCun, 2022). "
                "Analysis after Ben-Shaul, Shwartz-Ziv, Galanti, Dekel and LeCun, "
                "\"Reverse Engineering Self-Supervised Learning\" (2023)."
            </p>
        </footer>
    }
}
