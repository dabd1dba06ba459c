//! "Save and share": the link to the run, its measurements as CSV, the whole run as JSON (and
//! back), and each chart as a picture. Files are made and read in the tab; nothing is uploaded.

use leptos::prelude::*;
use ssl_core::record::metrics_csv;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

use super::charts::CHARTS;
use super::{AppState, files, link};

/// The size of the iframe the embed code asks for, in CSS pixels: one chart with the run's
/// buttons, its status and its explainer.
const EMBED_WIDTH: u32 = 680;
const EMBED_HEIGHT: u32 = 800;

/// What the last action did, or why it failed: shown under the buttons and announced.
#[derive(Clone, PartialEq)]
enum Outcome {
    Done(String),
    Failed(String),
}

#[component]
pub fn ExportPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let outcome = RwSignal::new(None::<Outcome>);
    let chart = RwSignal::new(CHARTS[0].0);
    let svg_exports = expect_context::<super::charts::SvgExports>();
    let report = move |result: Result<String, String>| {
        outcome.set(Some(match result {
            Ok(done) => Outcome::Done(done),
            Err(e) => Outcome::Failed(e),
        }))
    };

    // The file name of everything saved from this run: what it trained, and how far.
    let stem = move || {
        let settings = state.run_settings.get_untracked();
        let step = state.history.with_untracked(|h| h.steps_done());
        format!(
            "ssl-explorer-{}-{}-seed{}-step{step}",
            settings.dataset.key(),
            settings.method.key(),
            settings.seed
        )
    };
    let record = move || {
        let settings = state.settings_on_screen();
        state.history.with_untracked(|h| h.to_record(&settings))
    };

    // Copies `text`; when the browser refuses, the message shows it to copy by hand.
    let copy = move |what: &'static str, text: String| {
        leptos::task::spawn_local(async move {
            report(match files::copy_text(&text).await {
                Ok(()) => Ok(format!("Copied the {what}: {text}")),
                Err(e) => Err(format!("Could not copy ({e}); the {what} is: {text}")),
            });
        });
    };
    let copy_link = move |_| copy("link", link::current_url());
    let copy_embed = move |_| {
        let testid = chart.get_untracked();
        let name = CHARTS
            .iter()
            .find(|(id, _)| *id == testid)
            .map_or("", |(_, n)| *n);
        let url = link::embed_url(&state.settings_on_screen(), testid);
        let code = format!(
            "<iframe src=\"{url}\" title=\"SSL Explorer: {name}\" width=\"{EMBED_WIDTH}\" \
             height=\"{EMBED_HEIGHT}\" style=\"border:0;max-width:100%\" loading=\"lazy\"></iframe>"
        );
        copy("embed code", code);
    };
    let export_csv = move |_| {
        let name = format!("{}.csv", stem());
        report(
            files::download_text(&name, "text/csv", &metrics_csv(&record()))
                .map(|()| format!("Saved {name}")),
        )
    };
    let export_json = move |_| {
        let name = format!("{}.json", stem());
        report(
            files::record_json(&record())
                .and_then(|json| files::download_text(&name, "application/json", &json))
                .map(|()| format!("Saved {name}")),
        )
    };
    let export_png = move |_| {
        let testid = chart.get_untracked();
        let name = format!("{}-{}.png", stem(), testid.trim_start_matches("chart-"));
        report(match files::canvas_by_testid(testid) {
            Some(canvas) => files::download_png(&name, &canvas).map(|()| format!("Saved {name}")),
            None => Err("that chart is not on the page".into()),
        })
    };
    let export_svg = move |_| {
        let testid = chart.get_untracked();
        let name = format!("{}-{}.svg", stem(), testid.trim_start_matches("chart-"));
        report(
            svg_exports
                .svg(testid)
                .and_then(|svg| files::download_text(&name, "image/svg+xml", &svg))
                .map(|()| format!("Saved {name}")),
        )
    };
    let import_json = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        // Choosing the same file again must fire `change` again.
        input.set_value("");
        let name = file.name();
        leptos::task::spawn_local(async move {
            let read = files::read_text(&file)
                .await
                .and_then(|text| files::parse_record(&text));
            report(match read {
                Ok(record) => {
                    let steps = record.steps.last().map_or(0, |s| s.step);
                    state.import(record);
                    Ok(format!(
                        "Showing {name} ({steps} steps). Reset trains these settings again."
                    ))
                }
                Err(e) => Err(format!(
                    "{name} was not opened: {e}. The run on screen is kept."
                )),
            });
        });
    };

    let message = move || match outcome.get() {
        Some(Outcome::Done(m) | Outcome::Failed(m)) => m,
        None => String::new(),
    };
    let failed = move || matches!(outcome.get(), Some(Outcome::Failed(_)));
    view! {
        <section class="export" aria-labelledby="export-heading">
            <h2 id="export-heading">"Save and share"</h2>
            <div class="buttons">
                <button data-testid="copy-link" on:click=copy_link
                    title="Copy a link that trains this run again, with the same numbers">
                    "Copy link"
                </button>
                <button data-testid="export-csv" on:click=export_csv
                    title="The loss terms and every measurement, a row per step">
                    "Metrics (CSV)"
                </button>
                <button data-testid="export-json" on:click=export_json
                    title="The settings and everything measured, to open here again later">
                    "Run (JSON)"
                </button>
            </div>
            <label class="file">
                "Open a saved run: "
                <input type="file" accept=".json,application/json" data-testid="import-json"
                    on:change=import_json />
            </label>
            <div class="buttons">
                <label>
                    "Chart "
                    <select data-testid="export-chart"
                        on:change=move |ev| {
                            let value = event_target_value(&ev);
                            if let Some((id, _)) = CHARTS.iter().find(|(id, _)| *id == value) {
                                chart.set(id);
                            }
                        }>
                        {CHARTS
                            .iter()
                            .map(|(id, name)| view! { <option value=*id>{*name}</option> })
                            .collect_view()}
                    </select>
                </label>
                <button data-testid="export-png" on:click=export_png>"PNG"</button>
                <button data-testid="export-svg" on:click=export_svg>"SVG"</button>
                <button data-testid="copy-embed" on:click=copy_embed
                    title="Copy the HTML that shows this chart, live, in another page">
                    "Copy embed code"
                </button>
            </div>
            <p data-testid="export-message" role="status" class:error=failed>{message}</p>
        </section>
    }
}
