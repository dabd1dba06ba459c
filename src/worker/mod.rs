//! The training worker: owns the model and steps it in small chunks.
//!
//! The page posts [`ToWorker`] messages; the worker answers with [`FromWorker`] messages. Training
//! runs in chunks of about [`CHUNK_MS`] milliseconds; between two chunks the worker yields to its
//! event loop (a zero-delay timeout), so a Pause, Tune or Start sent meanwhile is handled before
//! the next chunk. A panic is reported to the page as [`FromWorker::Crashed`] by the panic hook;
//! the page then replaces the worker, since a panicked wasm instance cannot be trusted to go on.

mod bench;
mod data;
mod host;
mod lab;

use std::cell::{Cell, RefCell};

use wasm_bindgen::JsCast;
use web_sys::DedicatedWorkerGlobalScope;

use ssl_core::train::{Evaluation, StepReport};

use crate::protocol::{FromWorker, RunId};

/// How long one chunk of training runs before the worker yields, in milliseconds.
pub const CHUNK_MS: f64 = 40.0;
/// Training steps between two NCC evaluations. A step count, not a time, so the same settings
/// give the same evaluated steps on every machine.
pub const EVALUATE_EVERY: usize = 25;
/// The least time between two embedding views sent to the page, in milliseconds.
pub const EMBEDDING_EVERY_MS: f64 = 250.0;

thread_local! {
    /// The run in progress, for the panic hook, which has no other way to know it.
    static CURRENT_RUN: Cell<RunId> = const { Cell::new(0) };
    /// What the chunk under way has measured and not yet posted. It lives outside the host so
    /// that the panic hook, which cannot reach the host (a panic leaves it borrowed), can still
    /// post the steps before the crash: the page keeps the history right up to it.
    static UNSENT: RefCell<Unsent> = const { RefCell::new(Unsent::new()) };
}

/// Steps and evaluations measured since the last progress message.
pub(crate) struct Unsent {
    pub steps: Vec<StepReport>,
    pub evaluations: Vec<Evaluation>,
}

impl Unsent {
    const fn new() -> Self {
        Self {
            steps: Vec::new(),
            evaluations: Vec::new(),
        }
    }
}

/// Adds to what the chunk under way has measured.
pub(crate) fn unsent(f: impl FnOnce(&mut Unsent)) {
    UNSENT.with(|u| f(&mut u.borrow_mut()));
}

/// Posts what was measured since the last progress message, if anything (or if `run` is going,
/// so the speed shown stays current).
pub(crate) fn post_unsent(run: RunId, steps_per_second: f64) {
    let Ok(Some(unsent)) = UNSENT.try_with(|u| {
        u.try_borrow_mut()
            .ok()
            .map(|mut u| std::mem::replace(&mut *u, Unsent::new()))
    }) else {
        return;
    };
    post(&FromWorker::Progress {
        run,
        steps: unsent.steps,
        evaluations: unsent.evaluations,
        steps_per_second,
        memory_bytes: memory_bytes(),
    });
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// The worker's clock, in milliseconds.
fn now_ms() -> f64 {
    scope().performance().map_or(0.0, |p| p.now())
}

/// The size of this worker's WebAssembly memory, in bytes.
fn memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length()
        .into()
}

/// Posts `message` to the page.
pub(crate) fn post(message: &FromWorker) {
    match serde_wasm_bindgen::to_value(message) {
        Ok(value) => {
            if let Err(e) = scope().post_message(&value) {
                web_sys::console::error_2(&"worker: posting a message failed".into(), &e);
            }
        }
        Err(e) => web_sys::console::error_1(&format!("worker: {e}").into()),
    }
}

/// Starts the worker: installs the panic hook and the message handler.
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let run = CURRENT_RUN.with(Cell::get);
        post_unsent(run, 0.0);
        post(&FromWorker::Crashed {
            run,
            message: format!("the training worker crashed: {info}"),
        });
    }));
    host::Host::install();
}
