//! The bench page's side of the worker: times the cases of [`ssl_core::bench`] one repetition
//! at a time, yielding to the event loop between two repetitions, and posts each case's
//! timings as soon as it is done. The clock is the worker's `performance.now()`.

use js_sys::Promise;
use wasm_bindgen_futures::JsFuture;

use ssl_core::bench::{BenchRun, Case};
use ssl_core::data::Dataset;

use super::{now_ms, post, scope};
use crate::protocol::FromWorker;

/// Resolves on the event loop's next turn (a zero-delay timeout).
async fn next_turn() {
    let promise = Promise::new(&mut |resolve, _| {
        let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
    });
    let _ = JsFuture::from(promise).await;
}

/// Starts a pass over `cases` on the digits, fetched first.
pub fn start(cases: Vec<Case>) {
    wasm_bindgen_futures::spawn_local(async move {
        let digits = match super::data::load(Dataset::Digits, |_| {}).await {
            Ok(digits) => digits,
            Err(message) => return post(&FromWorker::BenchFailed { message }),
        };
        let mut run = BenchRun::new(digits, &cases);
        while !run.is_done() {
            match run.step(&now_ms) {
                Ok(Some(result)) => post(&FromWorker::Benched { result }),
                Ok(None) => {}
                Err(e) => {
                    return post(&FromWorker::BenchFailed {
                        message: e.to_string(),
                    });
                }
            }
            next_turn().await;
        }
        post(&FromWorker::BenchDone);
    });
}
