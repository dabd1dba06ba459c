//! Fetching the bundled data files, from the worker, with progress.
//!
//! A data set is fetched only when a run first asks for it. Bodies are read as streams so the
//! page can show how much has arrived; the total is the response's length or, when the host
//! sends none (or sends the file already decompressed), the bundled size.

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStreamDefaultReader, Response};

use ssl_core::data::{Dataset, Loaded, decode_dataset};

fn describe(url: &str, e: JsValue) -> String {
    let reason = e
        .dyn_ref::<js_sys::Error>()
        .map_or_else(|| format!("{e:?}"), |e| String::from(e.message()));
    format!("could not load {url}: {reason}")
}

/// The bytes at `url`, calling `progress` with the bytes received so far.
async fn fetch_bytes(url: &str, mut progress: impl FnMut(usize)) -> Result<Vec<u8>, String> {
    let failed = |e| describe(url, e);
    let response: Response = JsFuture::from(super::scope().fetch_with_str(url))
        .await
        .map_err(failed)?
        .unchecked_into();
    if !response.ok() {
        return Err(format!("could not load {url}: HTTP {}", response.status()));
    }
    let Some(body) = response.body() else {
        return Ok(Vec::new());
    };
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut bytes = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(failed)?;
        let done = Reflect::get(&chunk, &"done".into()).map_err(failed)?;
        if done.is_truthy() {
            break;
        }
        let value = Reflect::get(&chunk, &"value".into()).map_err(failed)?;
        bytes.extend(value.unchecked_into::<Uint8Array>().to_vec());
        progress(bytes.len());
    }
    Ok(bytes)
}

/// Fetches and decodes `dataset`, calling `progress` with the fraction received, from 0 to 1.
pub async fn load(dataset: Dataset, progress: impl Fn(f64)) -> Result<Loaded, String> {
    let files = dataset.files();
    let total: usize = files.iter().map(|f| f.gzip_bytes).sum();
    let mut done = 0;
    let mut fetched = Vec::with_capacity(files.len());
    for file in files {
        let bytes = fetch_bytes(file.path, |received| {
            progress(((done + received.min(file.gzip_bytes)) as f64 / total as f64).min(1.0))
        })
        .await?;
        done += file.gzip_bytes;
        fetched.push(bytes);
    }
    progress(1.0);
    decode_dataset(dataset, &fetched).map_err(|e| e.to_string())
}
