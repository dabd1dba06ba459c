//! The link: the run's settings live in the page's query string. It is read once when the page
//! opens (two-step parsing in [`Settings::from_query`]) and rewritten whenever a setting changes,
//! so the address bar always holds a link that reproduces the run. The one module of the page that
//! touches `location` and `history`.

use std::cell::Cell;

use ssl_core::mi::Units;
use ssl_core::settings::{Notice, Settings, quote};
use wasm_bindgen::JsValue;
use web_sys::UrlSearchParams;

use super::charts::CHARTS;
use crate::protocol::DebugOptions;

/// Parameters the page reads itself, which the settings parser skips.
const PAGE_KEYS: [&str; 5] = [EMBED, "hide", VIEW, UNITS, DEBUG_PANIC_AT];
/// Parameters kept when the link is rewritten (the debug ones are dropped on purpose, so a shared
/// link never carries a fault).
const KEPT_KEYS: [&str; 2] = [EMBED, "hide"];
/// Shows one chart alone, for an iframe: `embed=ncc` shows the chart `chart-ncc`.
const EMBED: &str = "embed";
/// The part of the page shown: absent for training, `lab` for the information lab.
const VIEW: &str = "view";
/// Opens the bench page instead of the explorer: `bench`, or `bench=case,case`.
const BENCH: &str = "bench";
/// The unit of information: absent for nats, `bits` for bits.
const UNITS: &str = "units";

/// The part of the page on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Train,
    Lab,
}
/// The hidden parameter that makes the worker panic before a given step, for the tests.
const DEBUG_PANIC_AT: &str = "debug-panic-at";
/// The most parameters read from one link; a link with thousands is not worth parsing.
const MAX_PARAMETERS: usize = 64;

/// What a link asked for.
pub struct Link {
    pub settings: Settings,
    /// One per value that could not be used.
    pub notices: Vec<Notice>,
    pub debug: DebugOptions,
    pub view: View,
    pub units: Units,
    /// The test id of the one chart an embedded page shows.
    pub embed: Option<&'static str>,
}

fn search_params() -> Option<UrlSearchParams> {
    let search = web_sys::window()?.location().search().ok()?;
    UrlSearchParams::new_with_str(&search).ok()
}

/// The query string's pairs, decoded by the browser's own parser.
fn pairs(params: &UrlSearchParams) -> Vec<(String, String)> {
    let Ok(Some(entries)) = js_sys::try_iter(&params.entries()) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pair = js_sys::Array::from(&entry);
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect()
}

/// The `bench` parameter's value, when the link asks for the bench page (`?bench` gives an
/// empty value).
pub fn bench() -> Option<String> {
    search_params()?.get(BENCH)
}

/// Reads the settings and debug options from the page's address.
pub fn read() -> Link {
    let pairs = search_params().map(|p| pairs(&p)).unwrap_or_default();
    let read = &pairs[..pairs.len().min(MAX_PARAMETERS)];
    let (settings, mut notices) = Settings::from_query(
        read.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        &PAGE_KEYS,
    );
    if pairs.len() > MAX_PARAMETERS {
        notices.push(Notice {
            field: "link".into(),
            message: format!(
                "the link has {} parameters; only the first {MAX_PARAMETERS} were read",
                pairs.len()
            ),
        });
    }
    let mut debug = DebugOptions::default();
    if let Some((_, raw)) = read.iter().find(|(k, _)| k == DEBUG_PANIC_AT) {
        match raw.parse::<usize>() {
            Ok(step) if step > 0 => debug.panic_at_step = Some(step),
            _ => notices.push(Notice {
                field: DEBUG_PANIC_AT.into(),
                message: format!("{DEBUG_PANIC_AT} must be a step number from 1; ignored"),
            }),
        }
    }
    let value = |key: &str| read.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let view = match value(VIEW) {
        None | Some("train") => View::Train,
        Some("lab") => View::Lab,
        Some(other) => {
            notices.push(Notice {
                field: VIEW.into(),
                message: format!(
                    "view must be train or lab, not \"{}\"; showing training",
                    quote(other)
                ),
            });
            View::Train
        }
    };
    let units = match value(UNITS) {
        None | Some("nats") => Units::Nats,
        Some("bits") => Units::Bits,
        Some(other) => {
            notices.push(Notice {
                field: UNITS.into(),
                message: format!(
                    "units must be nats or bits, not \"{}\"; using nats",
                    quote(other)
                ),
            });
            Units::Nats
        }
    };
    let embed = value(EMBED).and_then(|name| {
        let found = CHARTS
            .into_iter()
            .map(|(id, _)| id)
            .find(|id| id.strip_prefix("chart-") == Some(name));
        if found.is_none() {
            let names: Vec<&str> = CHARTS.iter().map(|(id, _)| &id[6..]).collect();
            notices.push(Notice {
                field: EMBED.into(),
                message: format!(
                    "embed must name a chart ({}), not \"{}\"; showing the whole page",
                    names.join(", "),
                    quote(name)
                ),
            });
        }
        found
    });
    Link {
        settings,
        notices,
        debug,
        view,
        units,
        embed,
    }
}

/// The page's own parameters as the link holds them: only those away from their default.
fn page_pairs(view: View, units: Units) -> Vec<(&'static str, &'static str)> {
    let mut pairs = Vec::new();
    if view == View::Lab {
        pairs.push((VIEW, "lab"));
    }
    if units == Units::Bits {
        pairs.push((UNITS, "bits"));
    }
    pairs
}

thread_local! {
    /// The view and unit last written, which [`write`] keeps in the link.
    static PAGE: Cell<(View, Units)> = const { Cell::new((View::Train, Units::Nats)) };
}

/// Rewrites the address with the view and unit on screen, keeping everything else.
pub fn write_page(view: View, units: Units) {
    PAGE.with(|p| p.set((view, units)));
    let Some(current) = search_params() else {
        return;
    };
    current.delete(VIEW);
    current.delete(UNITS);
    for (key, value) in page_pairs(view, units) {
        current.append(key, value);
    }
    set_query(&current, false);
}

/// The page's address as it is now: a link to the run on screen.
pub fn current_url() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default()
}

/// The address of this page without its query: where links to other settings point.
fn page_address() -> String {
    web_sys::window()
        .and_then(|w| {
            let location = w.location();
            Some(location.origin().ok()? + &location.pathname().ok()?)
        })
        .unwrap_or_default()
}

/// A link to the whole explorer with `settings`: what an embedded chart's "Open in SSL
/// Explorer" points at.
pub fn explorer_url(settings: &Settings) -> String {
    let Ok(params) = UrlSearchParams::new() else {
        return page_address();
    };
    for (key, value) in settings.to_query() {
        params.append(key, &value);
    }
    format!("{}?{}", page_address(), String::from(params.to_string()))
}

/// A link that shows the chart `testid` alone with `settings`, for an iframe.
pub fn embed_url(settings: &Settings, testid: &str) -> String {
    let name = testid.strip_prefix("chart-").unwrap_or(testid);
    format!("{}&{EMBED}={name}", explorer_url(settings))
}

/// Puts `params` in the address bar without reloading: as a new history entry when `push`, so
/// Back returns to the address before, else in place of the current entry. An address equal to
/// the current one is left alone (so going Back, which restores an address and then starts its
/// run, adds no entry).
fn set_query(params: &UrlSearchParams, push: bool) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let query = format!("?{}", String::from(params.to_string()));
    let unchanged = window.location().search().is_ok_and(|s| s == query);
    if let (false, Ok(history)) = (unchanged, window.history()) {
        // A failure here only leaves the old address in the bar; the run is unaffected.
        let _ = if push {
            history.push_state_with_url(&JsValue::NULL, "", Some(&query))
        } else {
            history.replace_state_with_url(&JsValue::NULL, "", Some(&query))
        };
    }
}

/// Rewrites the address to hold `settings` (and the page's own parameters), without reloading;
/// `new_run` adds a history entry, so Back returns to the run before.
pub fn write(settings: &Settings, new_run: bool) {
    let Ok(next) = UrlSearchParams::new() else {
        return;
    };
    for (key, value) in settings.to_query() {
        next.append(key, &value);
    }
    if let Some(current) = search_params() {
        for key in KEPT_KEYS {
            if let Some(value) = current.get(key) {
                next.append(key, &value);
            }
        }
    }
    let (view, units) = PAGE.with(Cell::get);
    for (key, value) in page_pairs(view, units) {
        next.append(key, value);
    }
    set_query(&next, new_run);
}
