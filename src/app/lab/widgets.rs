//! The lab's small shared pieces: a canvas drawn from the lab's state, a select, number
//! formats, and the mean and spread of repeated estimates.

use leptos::html::Canvas;
use leptos::prelude::*;

use ssl_core::mi::Units;

use super::LabState;
use crate::app::charts::{Area, DrawResult, paint_on};

/// Mean and sample standard deviation of `values` (0 for a single value).
pub fn mean_and_spread(values: &[f64]) -> Option<(f64, f64)> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let spread = if values.len() > 1 {
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    Some((mean, spread))
}

/// A canvas that `draw` paints whenever the signals it reads change.
#[component]
pub fn LabCanvas(
    testid: &'static str,
    label: &'static str,
    draw: fn(&LabState, Area) -> DrawResult,
) -> impl IntoView {
    let lab = expect_context::<LabState>();
    let canvas = NodeRef::<Canvas>::new();
    paint_on(canvas, testid, move |area| draw(&lab, area));
    view! {
        <canvas node_ref=canvas data-testid=testid aria-label=label width="640" height="360">
        </canvas>
    }
}

/// A select whose options are `(key, label)` pairs; `pick` gets the key chosen.
#[component]
pub fn LabSelect(
    label: &'static str,
    testid: &'static str,
    options: Vec<(&'static str, &'static str)>,
    selected: Signal<&'static str>,
    pick: fn(&LabState, &str),
) -> impl IntoView {
    let lab = expect_context::<LabState>();
    view! {
        <div class="slider">
            <label for=testid>{label}</label>
            <select id=testid data-testid=testid
                on:change=move |ev| pick(&lab, &event_target_value(&ev))>
                {options.into_iter().map(|(key, text)| view! {
                    <option value=key selected=move || selected.get() == key>{text}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

pub fn whole(v: f64) -> String {
    format!("{v:.0}")
}

pub fn two_places(v: f64) -> String {
    format!("{v:.2}")
}

pub fn three_places(v: f64) -> String {
    format!("{v:.3}")
}

/// A value in the page's unit, to three decimals; runaway values (NWJ's, at a high MI) in
/// powers of ten, so a table row stays readable.
pub fn in_units(units: Units, nats: f64) -> String {
    let v = units.from_nats(nats);
    if v.abs() >= 1e4 {
        format!("{v:.2e}")
    } else {
        format!("{v:.3}")
    }
}
