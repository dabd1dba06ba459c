//! The worker's state and its message loop.
//!
//! One [`Host`] lives for the worker's lifetime, shared by the message handler and the chunk
//! timer through an `Rc<RefCell<_>>`. Neither holds the borrow across an `await` or a call back
//! into JavaScript that could re-enter it.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::MessageEvent;

use ssl_core::data::{Dataset, Loaded};
use ssl_core::train::{SplitData, Trainer, synthetic_for_run};

use super::{CHUNK_MS, CURRENT_RUN, EMBEDDING_EVERY_MS, EVALUATE_EVERY, now_ms, post, scope};
use crate::protocol::{Analyses, Backend, DebugOptions, FromWorker, RunId, RunState, ToWorker};

/// The worker's state.
pub struct Host {
    /// The data sets fetched so far (each is fetched once, when a run first asks for it). A
    /// generated data set is never kept here: it is made afresh for each run's settings.
    data: Vec<(Dataset, Loaded)>,
    run: RunId,
    trainer: Option<Trainer>,
    state: RunState,
    /// Pause when the trainer reaches this many steps (set by a Step message).
    stop_at: Option<usize>,
    /// Whether a chunk is already scheduled, so two Play messages do not start two loops.
    chunk_scheduled: bool,
    last_embedding_ms: f64,
    debug: DebugOptions,
    analyses: Analyses,
    /// The chunk callback, kept alive for the worker's lifetime.
    chunk_callback: Option<Closure<dyn FnMut()>>,
}

type Shared = Rc<RefCell<Host>>;

impl Host {
    /// Creates the host and installs the message handler.
    pub fn install() {
        let host: Shared = Rc::new(RefCell::new(Host {
            data: Vec::new(),
            run: 0,
            trainer: None,
            state: RunState::Loading,
            stop_at: None,
            chunk_scheduled: false,
            last_embedding_ms: 0.0,
            debug: DebugOptions::default(),
            analyses: Analyses::All,
            chunk_callback: None,
        }));

        let for_chunks = host.clone();
        host.borrow_mut().chunk_callback = Some(Closure::new(move || run_chunk(&for_chunks)));

        let for_messages = host.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            match serde_wasm_bindgen::from_value::<ToWorker>(event.data()) {
                Ok(message) => handle(&for_messages, message),
                Err(e) => web_sys::console::error_1(&format!("worker: bad message: {e}").into()),
            }
        });
        scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();

        post(&FromWorker::Ready {
            backend: Backend::Cpu,
        });
    }

    fn set_state(&mut self, state: RunState) {
        self.state = state;
        post(&FromWorker::State {
            run: self.run,
            state,
        });
    }

    fn fail(&mut self, message: String) {
        self.state = RunState::Failed;
        post(&FromWorker::Failed {
            run: self.run,
            message,
        });
    }

    /// Stops the run on `error`: a divergence can go back to its checkpoint, anything else fails.
    fn stop_on(&mut self, error: ssl_core::CoreError) {
        if error.is_divergence() {
            self.state = RunState::Diverged;
            post(&FromWorker::Diverged {
                run: self.run,
                message: error.to_string(),
                checkpoint_step: self.trainer.as_ref().and_then(Trainer::checkpoint_step),
            });
        } else {
            self.fail(error.to_string());
        }
    }

    fn schedule_chunk(&mut self) {
        if self.chunk_scheduled {
            return;
        }
        let Some(callback) = &self.chunk_callback else {
            return;
        };
        let scheduled = scope()
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                callback.as_ref().unchecked_ref(),
                0,
            )
            .is_ok();
        self.chunk_scheduled = scheduled;
    }

    /// Whether the data of a run with `settings` is at hand: fetched already, or generated.
    fn has_data_for(&self, settings: &ssl_core::settings::Settings) -> bool {
        settings.dataset.is_generated() || self.data.iter().any(|(d, _)| *d == settings.dataset)
    }

    /// Builds a fresh trainer for `run` and reports its references.
    fn start_run(&mut self, settings: ssl_core::settings::Settings) {
        let (settings, _) = settings.validated();
        // A generated set depends on the seed and the nuisance, so it is made for this run and
        // dropped with it (1,800 images of 8x8 take milliseconds).
        let generated;
        let loaded = if settings.dataset.is_generated() {
            match synthetic_for_run(&settings) {
                Ok(data) => {
                    generated = data;
                    &generated
                }
                Err(e) => return self.fail(e.to_string()),
            }
        } else {
            match self.data.iter().find(|(d, _)| *d == settings.dataset) {
                Some((_, loaded)) => loaded,
                None => return,
            }
        };
        let built = SplitData::for_run(loaded, settings.seed).and_then(|split| {
            let trainer = Trainer::with_split(split, settings, ssl_core::cpu_device())?;
            let pixels = trainer.data().pixel_baseline();
            let untrained = trainer.evaluate()?;
            let embedding = trainer.embedding_view()?;
            Ok((trainer, pixels, untrained, embedding))
        });
        match built {
            Ok((trainer, pixels, untrained, embedding)) => {
                self.trainer = Some(trainer);
                post(&FromWorker::Started {
                    run: self.run,
                    pixels,
                    untrained,
                    embedding,
                });
                // Idle first: the step-0 layer and random-target measurements take a moment and
                // need not hold up the first Play.
                self.set_state(RunState::Idle);
                if let Some(trainer) = self
                    .trainer
                    .as_ref()
                    .filter(|_| self.analyses == Analyses::All)
                {
                    post_slow_analyses(self.run, trainer, true, true);
                }
            }
            Err(e) => self.fail(e.to_string()),
        }
    }
}

/// Handles one message from the page.
fn handle(host: &Shared, message: ToWorker) {
    if matches!(
        message,
        ToWorker::Estimate { .. }
            | ToWorker::Staircase { .. }
            | ToWorker::InfoPlane { .. }
            | ToWorker::Compression { .. }
            | ToWorker::CancelLab { .. }
    ) {
        return super::lab::handle(message);
    }
    if let ToWorker::Bench { cases } = message {
        return super::bench::start(cases);
    }
    let mut h = host.borrow_mut();
    match message {
        ToWorker::Start {
            run,
            settings,
            debug,
            analyses,
        } => {
            h.run = run;
            h.debug = debug;
            h.analyses = analyses;
            CURRENT_RUN.with(|c| c.set(run));
            h.trainer = None;
            h.stop_at = None;
            h.set_state(RunState::Loading);
            if h.has_data_for(&settings) {
                h.start_run(settings);
            } else {
                drop(h);
                load_then_start(host.clone(), run, settings);
            }
        }
        ToWorker::Play { run } if run == h.run && h.trainer.is_some() => {
            h.stop_at = None;
            h.set_state(RunState::Running);
            h.schedule_chunk();
        }
        ToWorker::Step { run, count } if run == h.run && h.trainer.is_some() => {
            // Steps asked for while earlier ones are still under way add up.
            let done = h.trainer.as_ref().map_or(0, Trainer::steps_done);
            let from = match h.stop_at {
                Some(target) if h.state == RunState::Running => target.max(done),
                _ => done,
            };
            h.stop_at = Some(from + count.max(1));
            h.set_state(RunState::Running);
            h.schedule_chunk();
        }
        ToWorker::Pause { run } if run == h.run && h.state == RunState::Running => {
            h.set_state(RunState::Paused);
        }
        ToWorker::Tune { run, settings } if run == h.run => {
            let (settings, _) = settings.validated();
            if let Some(trainer) = &mut h.trainer {
                trainer.set_live_settings(&settings);
            }
        }
        ToWorker::Rewind { run } if run == h.run && h.state == RunState::Diverged => {
            if let Some(step) = h.trainer.as_mut().and_then(Trainer::rewind) {
                post(&FromWorker::Rewound { run, step });
                h.stop_at = None;
                h.set_state(RunState::Paused);
            }
        }
        // A message about a run the worker has already replaced, or one that does not apply in
        // the current state (Play before the run is built): nothing to do.
        _ => {}
    }
}

/// Fetches the run's data set, reporting progress, then starts `run` unless a newer Start
/// arrived meanwhile.
fn load_then_start(host: Shared, run: RunId, settings: ssl_core::settings::Settings) {
    wasm_bindgen_futures::spawn_local(async move {
        let dataset = settings.dataset;
        let loaded = super::data::load(dataset, |fraction| {
            post(&FromWorker::Loading {
                run,
                dataset,
                fraction,
            })
        })
        .await;
        let mut h = host.borrow_mut();
        match loaded {
            Ok(data) => {
                if !h.data.iter().any(|(d, _)| *d == dataset) {
                    h.data.push((dataset, data));
                }
                if h.run == run {
                    h.start_run(settings);
                }
            }
            Err(message) if h.run == run => h.fail(format!("{message}. Press Reset to try again.")),
            Err(_) => {}
        }
    });
}

/// Posts the per-layer NCC and the random-target fit, the analyses too slow for every
/// evaluation. A failure here is not the run's: it is logged and the analysis skipped.
fn post_slow_analyses(run: RunId, trainer: &Trainer, layers: bool, targets: bool) {
    let warn = |e: ssl_core::CoreError| web_sys::console::warn_1(&format!("worker: {e}").into());
    if layers {
        match trainer.layer_ncc() {
            Ok(layers) => post(&FromWorker::Layers { run, layers }),
            Err(e) => warn(e),
        }
    }
    if targets {
        match trainer.random_target_fit() {
            Ok(fit) => post(&FromWorker::RandomTargets { run, fit }),
            Err(e) => warn(e),
        }
    }
}

/// Runs training steps for about [`CHUNK_MS`], posts what they measured, and schedules the next
/// chunk if the run is still going.
fn run_chunk(host: &Shared) {
    let mut h = host.borrow_mut();
    h.chunk_scheduled = false;
    if h.state != RunState::Running {
        return;
    }
    let run = h.run;
    let stop_at = h.stop_at;
    let panic_at = h.debug.panic_at_step;
    let all_analyses = h.analyses == Analyses::All;
    let Some(trainer) = h.trainer.as_mut() else {
        return;
    };

    let reached = |trainer: &Trainer| stop_at.is_some_and(|target| trainer.steps_done() >= target);
    let started = now_ms();
    let mut steps = 0;
    let mut failure = None;
    loop {
        if panic_at == Some(trainer.steps_done() + 1) {
            panic!(
                "a deliberate panic before step {}, asked for by the link's debug-panic-at",
                trainer.steps_done() + 1
            );
        }
        match trainer.step() {
            Ok(report) => {
                steps += 1;
                super::unsent(|u| u.steps.push(report));
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
        if trainer.steps_done() % EVALUATE_EVERY == 0 {
            let probe = trainer
                .steps_done()
                .is_multiple_of(ssl_core::train::PROBE_EVERY);
            match trainer.evaluate_with(probe) {
                Ok(evaluation) => {
                    super::unsent(|u| u.evaluations.push(evaluation));
                    let step = trainer.steps_done();
                    let layers = all_analyses && step.is_multiple_of(ssl_core::train::PROBE_EVERY);
                    let targets =
                        all_analyses && step.is_multiple_of(ssl_core::train::RANDOM_TARGETS_EVERY);
                    if layers || targets {
                        // The speed is not known mid-chunk: NaN leaves the page's reading as is.
                        super::post_unsent(run, f64::NAN);
                        post_slow_analyses(run, trainer, layers, targets);
                    }
                    // A finite evaluation marks a state worth going back to.
                    trainer.checkpoint();
                }
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        if reached(trainer) || now_ms() - started >= CHUNK_MS {
            break;
        }
    }
    let elapsed_s = (now_ms() - started).max(1e-3) / 1000.0;
    let reached = reached(trainer);

    let steps_per_second = f64::from(steps) / elapsed_s;
    super::post_unsent(run, steps_per_second);

    let due = now_ms() - h.last_embedding_ms >= EMBEDDING_EVERY_MS;
    if all_analyses && (due || reached || failure.is_some()) {
        h.last_embedding_ms = now_ms();
        if let Some(Ok(view)) = h.trainer.as_ref().map(Trainer::embedding_view) {
            post(&FromWorker::Embedding { run, view });
        }
    }

    if let Some(error) = failure {
        h.stop_on(error);
    } else if reached {
        h.stop_at = None;
        h.set_state(RunState::Paused);
    } else {
        h.schedule_chunk();
    }
}
