//! The page's one boundary to downloads, chosen files and the clipboard. Everything here stays
//! in the tab: a download is made from a blob in memory, a chosen file is read in memory, and
//! nothing is sent anywhere.

use serde::Serialize;
use ssl_core::record::RunRecord;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, File, HtmlAnchorElement, HtmlCanvasElement, Url};

/// Why a file operation failed, as one sentence for the page.
fn describe(error: JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "the browser refused".into())
}

/// Offers `text` as a download named `name`, of type `mime`.
pub fn download_text(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options).map_err(describe)?;
    let url = Url::create_object_url_with_blob(&blob).map_err(describe)?;
    let clicked = click_link(name, &url);
    // The download has its own copy of the blob once the click is handled.
    let _ = Url::revoke_object_url(&url);
    clicked
}

/// Offers the picture on `canvas` as a PNG download named `name`.
pub fn download_png(name: &str, canvas: &HtmlCanvasElement) -> Result<(), String> {
    let url = canvas
        .to_data_url_with_type("image/png")
        .map_err(describe)?;
    click_link(name, &url)
}

/// Clicks a temporary `<a download>` pointing at `url`.
fn click_link(name: &str, url: &str) -> Result<(), String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("the page has no document")?;
    let link: HtmlAnchorElement = document
        .create_element("a")
        .map_err(describe)?
        .unchecked_into();
    link.set_href(url);
    link.set_download(name);
    link.click();
    Ok(())
}

/// The canvas whose `data-testid` is `testid`, if it is on the page.
pub fn canvas_by_testid(testid: &str) -> Option<HtmlCanvasElement> {
    let document = web_sys::window()?.document()?;
    document
        .query_selector(&format!("canvas[data-testid=\"{testid}\"]"))
        .ok()??
        .dyn_into()
        .ok()
}

/// The text of a file the visitor chose, read in memory.
pub async fn read_text(file: &File) -> Result<String, String> {
    let text = JsFuture::from(file.text()).await.map_err(describe)?;
    text.as_string()
        .ok_or_else(|| "the file could not be read as text".into())
}

/// Puts `text` on the clipboard. It can fail (an insecure page, a denied permission), so the
/// page also shows what it tried to copy.
pub async fn copy_text(text: &str) -> Result<(), String> {
    let clipboard = web_sys::window()
        .ok_or("the page has no window")?
        .navigator()
        .clipboard();
    JsFuture::from(clipboard.write_text(text))
        .await
        .map(|_| ())
        .map_err(describe)
}

/// A run as indented JSON, written by the browser's own `JSON.stringify`. The page reuses the
/// serde-wasm-bindgen code of its worker messages rather than carry serde_json (about 50 KB of
/// wasm); the JSON is the same as [`RunRecord::to_json`] writes natively.
pub fn record_json(record: &RunRecord) -> Result<String, String> {
    let value = record
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| e.to_string())?;
    js_sys::JSON::stringify_with_replacer_and_space(&value, &JsValue::NULL, &JsValue::from(2))
        .map_err(describe)?
        .as_string()
        .ok_or_else(|| "the run could not be written as JSON".into())
}

/// Reads a run file with the browser's `JSON.parse`, with the checks of
/// [`RunRecord::from_json`].
pub fn parse_record(text: &str) -> Result<RunRecord, String> {
    fn read<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
        let value = js_sys::JSON::parse(text).map_err(describe)?;
        serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
    }
    RunRecord::read_with(text, read, read).map_err(|e| e.to_string())
}
