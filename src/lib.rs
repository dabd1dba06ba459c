//! SSL Explorer in the browser: the page (a Leptos app) and the training worker.
//!
//! Two wasm binaries are built from this crate by Trunk: `ssl-explorer`, the page, from
//! [`app`], and `worker`, the Web Worker that owns the model, from [`worker`]. They talk only
//! through the typed messages of [`protocol`]. All computation is in the `ssl-core` crate.

pub mod app;
pub mod protocol;
pub mod worker;
