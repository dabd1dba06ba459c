//! Fetching the bundled data files, from the worker.

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::Response;

use ssl_core::data::{ImageDataset, digits};

/// The bytes at `url` (relative to the worker's script), or a message naming the file.
async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let failed = |e: wasm_bindgen::JsValue| format!("could not load {url}: {e:?}");
    let response = JsFuture::from(super::scope().fetch_with_str(url))
        .await
        .map_err(failed)?;
    let response: Response = response.unchecked_into();
    if !response.ok() {
        return Err(format!("could not load {url}: HTTP {}", response.status()));
    }
    let buffer = JsFuture::from(response.array_buffer().map_err(failed)?)
        .await
        .map_err(failed)?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// The 8x8 digits bundled under `data/digits/`.
pub async fn load_digits() -> Result<ImageDataset, String> {
    let pixels = fetch_bytes("data/digits/digits_x.u8.gz").await?;
    let labels = fetch_bytes("data/digits/digits_y.u8.gz").await?;
    digits(&pixels, &labels).map_err(|e| e.to_string())
}
