//! The page's side of the worker: spawning it and exchanging messages. The one module of the page
//! that touches the Worker API.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{MessageEvent, Worker};

use crate::protocol::{FromWorker, ToWorker};

/// The script Trunk writes for the `worker` binary (see `index.html`).
const WORKER_SCRIPT: &str = "./worker_loader.js";

/// A running training worker.
pub struct WorkerBridge {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl WorkerBridge {
    /// Starts the worker; `on_message` is called with every message it sends, and `on_error`
    /// with a description when the worker's script fails to load or throws (a panic does).
    pub fn spawn(
        on_message: impl Fn(FromWorker) + 'static,
        on_error: impl Fn(String) + 'static,
    ) -> Result<Self, String> {
        let worker = Worker::new(WORKER_SCRIPT).map_err(|e| format!("{e:?}"))?;
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            match serde_wasm_bindgen::from_value::<FromWorker>(event.data()) {
                Ok(message) => on_message(message),
                Err(e) => web_sys::console::error_1(&format!("page: bad message: {e}").into()),
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            // Handled here: the browser need not log it again (a panic's message is already in
            // the console, from the worker's panic hook).
            event.prevent_default();
            on_error("the training worker stopped with an error (see the console)".to_string())
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Self {
            worker,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    pub fn send(&self, message: &ToWorker) {
        match serde_wasm_bindgen::to_value(message) {
            Ok(value) => {
                if let Err(e) = self.worker.post_message(&value) {
                    web_sys::console::error_2(&"page: posting to the worker failed".into(), &e);
                }
            }
            Err(e) => web_sys::console::error_1(&format!("page: {e}").into()),
        }
    }
}

impl Drop for WorkerBridge {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
