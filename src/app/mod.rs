//! The page: a Leptos app that drives the training worker and charts what it measures.
//!
//! Source signals: the settings the visitor is editing, the settings the current run started
//! with, and the run's [`History`]. Everything on screen is derived from them. Effects are used
//! only at the edges: to send messages to the worker and to draw on the canvases.

mod bench;
mod bridge;
mod charts;
mod compare;
mod controls;
mod export;
mod files;
pub mod history;
mod lab;
mod link;
mod status;

use std::rc::Rc;

use leptos::prelude::*;
use ssl_core::mi::Units;
use ssl_core::record::RunRecord;
use ssl_core::settings::{self, Notice, Settings};

use crate::protocol::{Analyses, Backend, DebugOptions, FromWorker, RunState, ToWorker};
use bridge::WorkerBridge;
pub use history::History;

/// Mounts the app on the page's body.
pub fn mount() {
    console_error_panic_hook::set_once();
    match link::bench() {
        Some(value) => {
            let cases = bench::parse_cases(&value);
            leptos::mount::mount_to_body(move || view! { <bench::BenchPage cases /> })
        }
        None => leptos::mount::mount_to_body(App),
    }
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
    /// Why the worker died (a panic, an uncaught error), until it is restarted.
    pub crash: RwSignal<Option<String>>,
    /// The values of the opening link that could not be used.
    pub link_notices: RwSignal<Vec<Notice>>,
    debug: StoredValue<DebugOptions>,
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

    /// The settings of the run on screen: those it started with, and the live ones (loss
    /// weights, learning rate) as they are now. The link holds these.
    pub fn settings_on_screen(&self) -> Settings {
        let live = self.settings.get_untracked();
        self.run_settings
            .with_untracked(|run| run.with_live_from(&live))
    }

    /// Shows a run read from a file in place of the run on screen, which stops. Its settings go
    /// into the controls and the link, so Reset (or the link) trains it again.
    pub fn import(&self, record: RunRecord) {
        let old = self.history.with_untracked(|h| h.run);
        self.send(ToWorker::Pause { run: old });
        self.run_settings.set(record.settings.clone());
        self.settings.set(record.settings.clone());
        self.history.set(History::from_record(old + 1, record));
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
        let mut history = History::new(run);
        history.dataset = settings.dataset;
        self.history.set(history);
        let debug = self.debug.get_value();
        self.send(ToWorker::Start {
            run,
            settings,
            debug,
            analyses: Analyses::All,
        });
    }

    /// Shows `next` in the controls; if it trains another data set or method than the run on
    /// screen, starts a fresh run of it at once (as choosing a data set does in TensorFlow
    /// Playground). Other run-shaping settings wait for Reset.
    pub fn edit_settings(&self, next: Settings) {
        let other_run = self
            .run_settings
            .with_untracked(|run| run.dataset != next.dataset || run.method != next.method);
        self.settings.set(next);
        if other_run {
            self.reset();
        }
    }

    /// After a divergence: a fresh run with a tenth of the learning rate.
    pub fn reset_with_lower_learning_rate(&self) {
        self.settings
            .update(|s| s.learning_rate = lowered_learning_rate(s.learning_rate));
        self.reset();
    }

    /// After a divergence: back to the run's last checkpoint, paused.
    pub fn rewind(&self) {
        let run = self.history.with_untracked(|h| h.run);
        self.send(ToWorker::Rewind { run });
    }

    /// Replaces a crashed worker with a fresh one, which starts a fresh run with the current
    /// settings once it is ready. The charts keep the crashed run's history until then.
    pub fn restart_worker(&self) {
        self.worker.set_value(None); // Dropping the bridge terminates the old worker.
        // A fault the link injected happened once; the fresh worker runs without it.
        self.debug.set_value(DebugOptions::default());
        self.crash.set(None);
        self.backend.set(None);
        self.spawn_worker();
    }

    fn spawn_worker(&self) {
        let state = *self;
        match WorkerBridge::spawn(
            move |message| state.receive(message),
            move |error| state.crashed(error),
        ) {
            Ok(bridge) => self.worker.set_value(Some(Rc::new(bridge))),
            Err(e) => self
                .page_error
                .set(Some(format!("the training worker could not start: {e}"))),
        }
    }

    /// Records that the worker died; the first reason given is kept (a panic is reported twice:
    /// by the worker's panic hook, then as an uncaught error).
    fn crashed(&self, message: String) {
        if self.crash.with_untracked(Option::is_none) {
            self.crash.set(Some(message));
        }
        self.history.update(|h| {
            if !matches!(h.state, Some(RunState::Diverged)) {
                h.state = Some(RunState::Failed);
                h.steps_per_second = 0.0;
            }
        });
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
        if let FromWorker::Crashed { message, .. } = &message {
            self.crashed(message.clone());
        }
        self.history.update(|h| {
            h.apply(message);
        });
    }
}

/// The learning rate offered after a divergence: a tenth of `learning_rate`, rounded to two
/// significant digits, and never above the default (a tenth of 10 diverged again in the
/// newcomer's probe), nor below the range.
pub fn lowered_learning_rate(learning_rate: f64) -> f64 {
    let tenth: f64 = format!("{:.1e}", learning_rate / 10.0)
        .parse()
        .unwrap_or(learning_rate / 10.0);
    tenth.clamp(settings::LEARNING_RATE.min, settings::LEARNING_RATE.default)
}

#[component]
pub fn App() -> impl IntoView {
    let opened = link::read();
    let view = RwSignal::new(opened.view);
    let units = RwSignal::new(opened.units);
    // The lab is built the first time it is shown, and kept (with its worker) from then on.
    let lab_opened = RwSignal::new(opened.view == link::View::Lab);
    let state = AppState {
        settings: RwSignal::new(opened.settings.clone()),
        run_settings: RwSignal::new(opened.settings),
        history: RwSignal::new(History::new(0)),
        backend: RwSignal::new(None),
        page_error: RwSignal::new(None),
        crash: RwSignal::new(None),
        link_notices: RwSignal::new(opened.notices),
        debug: StoredValue::new(opened.debug),
        worker: StoredValue::new_local(None),
    };
    provide_context(state);
    provide_context(charts::SvgExports::new());
    state.spawn_worker();

    // The address bar always holds a link to the run on screen: the settings it started with,
    // and the live ones (loss weights, learning rate) as they are now. Edits that wait for a
    // Reset reach the link with the Reset. A new run's settings are a new history entry, so
    // Back and Forward move between runs' settings.
    Effect::new(move |previous: Option<Settings>| {
        let live = state.settings.get();
        let run = state.run_settings.get();
        let new_run = previous.is_some_and(|p| p != run);
        link::write(&run.with_live_from(&live), new_run);
        run
    });
    // Back or Forward restored an address: train what it holds.
    let _ = window_event_listener(leptos::ev::popstate, move |_| {
        let restored = link::read();
        state.link_notices.set(restored.notices);
        state.settings.set(restored.settings);
        state.reset();
    });

    // Live settings reach the running model at its next step.
    Effect::new(move |_| {
        let settings = state.settings.get();
        let run = state.history.with_untracked(|h| h.run);
        state.send(ToWorker::Tune { run, settings });
    });

    Effect::new(move |_| link::write_page(view.get(), units.get()));
    if let Some(testid) = opened.embed {
        return view! { <EmbeddedChart testid /> }.into_any();
    }
    let show = move |next: link::View| {
        view.set(next);
        if next == link::View::Lab {
            lab_opened.set(true);
        }
    };
    let tab = move |this: link::View, label: &'static str, testid: &'static str| {
        view! {
            <button role="tab" data-testid=testid
                aria-selected=move || (view.get() == this).to_string()
                class:selected=move || view.get() == this
                on:click=move |_| show(this)>
                {label}
            </button>
        }
    };

    view! {
        <header>
            <h1>"SSL Explorer"</h1>
            <p class="lede">
                "Train a small self-supervised network (VICReg, SimCLR, Barlow Twins, or a "
                "rotation or jigsaw pretext task) on handwritten digits, pictures of clothes or a "
                "synthetic hierarchy of shapes, "
                "here in your browser, and watch whether its embeddings sort themselves by "
                "class, although no class label is ever shown to the training."
            </p>
            <nav class="tabs" role="tablist" aria-label="Parts of the explorer">
                {tab(link::View::Train, "Train a network", "tab-train")}
                {tab(link::View::Lab, "Information lab", "tab-lab")}
                <label class="units">
                    "Information in "
                    <select data-testid="units-choice" on:change=move |ev| {
                        units.set(if event_target_value(&ev) == "bits" {
                            Units::Bits
                        } else {
                            Units::Nats
                        })
                    }>
                        <option value="nats" selected=move || units.get() == Units::Nats>
                            "nats"
                        </option>
                        <option value="bits" selected=move || units.get() == Units::Bits>
                            "bits"
                        </option>
                    </select>
                </label>
            </nav>
        </header>
        <main style:display=move || if view.get() == link::View::Train { "" } else { "none" }>
            <aside class="panel controls-panel">
                <controls::Controls />
                <export::ExportPanel />
            </aside>
            <section class="charts">
                <status::StatusLine />
                <charts::Charts />
            </section>
        </main>
        <Show when=move || lab_opened.get()>
            <div style:display=move || if view.get() == link::View::Lab { "" } else { "none" }>
                <lab::InfoLab units=units />
            </div>
        </Show>
        <footer>
            <p>
                "Data: the UCI optical recognition of handwritten digits "
                "(Alpaydin and Kaynak, 1998), as shipped with scikit-learn; MNIST (LeCun, Cortes "
                "and Burges), the first 500 training and 100 test images of each digit; "
                "Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017, MIT licence, Zalando SE), the "
                "same subset rule; and a synthetic hierarchy, generated in this tab from the "
                "seed and never downloaded. Methods: VICReg (Bardes, Ponce and LeCun, 2022), "
                "SimCLR (Chen, Kornblith, Norouzi and Hinton, 2020), Barlow Twins (Zbontar, Jing, "
                "Misra, LeCun and Deny, 2021); rotation prediction (Gidaris, Singh and "
                "Komodakis, 2018) and jigsaw puzzles (Noroozi and Favaro, 2016) as pretext tasks. "
                "Analysis after Ben-Shaul, Shwartz-Ziv, Galanti, Dekel and LeCun, "
                "\"Reverse Engineering Self-Supervised Learning\" (2023)."
            </p>
            <p data-testid="privacy">
                "Privacy: everything runs in this tab. After the page loads it fetches only its "
                "own data files, from this site; nothing you do here is sent anywhere, and there "
                "are no analytics, cookies, or fonts and scripts from other sites."
            </p>
        </footer>
    }
    .into_any()
}

/// One chart alone, with the run's buttons and status and a link to the whole explorer: the
/// page an iframe shows (`?embed=ncc`). It needs nothing from its host page.
#[component]
fn EmbeddedChart(testid: &'static str) -> impl IntoView {
    let state = expect_context::<AppState>();
    let explorer = move || {
        let run = state.run_settings.get();
        link::explorer_url(&state.settings.with(|live| run.with_live_from(live)))
    };
    view! {
        <div class="embed">
            <header class="embed-bar">
                <strong>"SSL Explorer"</strong>
                <controls::RunButtons />
                <a data-testid="open-explorer" href=explorer target="_blank" rel="noopener">
                    "Open in SSL Explorer"
                </a>
            </header>
            <section class="charts">
                <status::StatusLine />
                <charts::Charts only=testid />
            </section>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::lowered_learning_rate;

    #[test]
    fn the_lowered_learning_rate_is_a_tenth_rounded_and_kept_in_range() {
        assert_eq!(lowered_learning_rate(10.0), 0.01);
        assert_eq!(lowered_learning_rate(0.05), 0.005);
        assert_eq!(lowered_learning_rate(10f64.powf(-2.3)), 5.0e-4);
        assert_eq!(lowered_learning_rate(1e-5), 1e-5);
    }
}
