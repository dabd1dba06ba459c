//! The compression panel's controls and its table of runs.

use leptos::prelude::*;

use ssl_core::mi::compression::{BETA_GRID, Swept};

use super::widgets::LabSelect;
use super::{LabState, Task};

/// The compression sweep's controls.
#[component]
pub fn CompressionPanel() -> impl IntoView {
    let lab = expect_context::<LabState>();
    let running = move || lab.task.get() == Some(Task::Compression);
    // The option key of a setting's value: the options are exactly these values.
    let keys = |v: f64| -> &'static str {
        const KEYS: [(f64, &str); 5] = [
            (0.0, "0"),
            (0.25, "0.25"),
            (0.5, "0.5"),
            (0.75, "0.75"),
            (1.0, "1"),
        ];
        KEYS.iter().find(|(x, _)| *x == v).map_or("1", |(_, k)| k)
    };
    view! {
        <div class="lab-row">
            <div class="slider">
                <label for="compression-beta">"Compression β"</label>
                <input type="range" id="compression-beta" data-testid="compression-beta"
                    min=0 max=BETA_GRID.len() - 1 step=1
                    prop:value=move || lab.compression_base.with(|c| {
                        BETA_GRID.iter().position(|b| *b == c.beta).unwrap_or(0).to_string()
                    })
                    on:input=move |ev| {
                        if let Some(beta) = event_target_value(&ev)
                            .parse::<usize>()
                            .ok()
                            .and_then(|i| BETA_GRID.get(i))
                        {
                            lab.compression_base.update(|c| c.beta = *beta);
                        }
                    } />
                <output>{move || lab.compression_base.with(|c| format!("{}", c.beta))}</output>
                <small class="help">
                    "The weight of the rate in the loss: 0 leaves the embedding free, 1 squeezes "
                    "it to almost nothing. Train at this β adds one run to the β chart; the "
                    "augmentation sweep uses it too."
                </small>
            </div>
            <LabSelect label="Mark redrawn by a view (for the β sweep)"
                testid="compression-resample"
                options=vec![("0", "never"), ("0.25", "25%"), ("0.5", "50%"), ("0.75", "75%"),
                    ("1", "always")]
                selected=Signal::derive(move || keys(lab.compression_base.with(|c| c.resample)))
                pick=|lab, key| if let Ok(v) = key.parse() {
                    lab.compression_base.update(|c| c.resample = v)
                } />
        </div>
        <div class="buttons">
            <button data-testid="compression-single" disabled=running
                on:click=move |_| lab.sweep_compression(Swept::Single)>"Train at this β"</button>
            <button data-testid="compression-sweep-beta" disabled=running
                on:click=move |_| lab.sweep_compression(Swept::Beta)>"Sweep β"</button>
            <button data-testid="compression-sweep-resample" disabled=running
                on:click=move |_| lab.sweep_compression(Swept::Resample)>
                "Sweep the augmentation"
            </button>
            <button data-testid="compression-stop" disabled=move || !running()
                on:click=move |_| lab.cancel()>"Stop"</button>
        </div>
    }
}

/// One row per run of the sweep; the last run's cells are the readouts.
#[component]
pub fn CompressionTable() -> impl IntoView {
    let lab = expect_context::<LabState>();
    let rows = move || {
        let units = lab.units.get();
        lab.compression.with(|c| {
            let last = c.results.len().saturating_sub(1);
            // In the order they finished, so the last row is the last run (the readouts').
            c.results
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let id = |name: &str| (i == last).then(|| format!("compression-{name}"));
                    view! {
                        <tr>
                            <td>{format!("{}", r.beta)}</td>
                            <td>{format!("{}", r.resample)}</td>
                            <td data-testid=id("rate")
                                data-value=units.from_nats(r.rate).to_string()>
                                {format!("{:.1}", units.from_nats(r.rate))}
                            </td>
                            <td data-testid=id("class-info")
                                data-value=units.from_nats(r.class_information).to_string()>
                                {format!("{:.2}", units.from_nats(r.class_information))}
                            </td>
                            <td data-testid=id("class-acc") data-value=r.class_accuracy.to_string()>
                                {format!("{:.3}", r.class_accuracy)}
                            </td>
                            <td data-testid=id("attribute-acc")
                                data-value=r.attribute_accuracy.to_string()>
                                {format!("{:.3}", r.attribute_accuracy)}
                            </td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <div class="table-scroll">
        <table class="lab-table">
            <thead>
                <tr>
                    <th scope="col">"β"</th>
                    <th scope="col">"mark redrawn"</th>
                    <th scope="col">{move || format!("rate ({})", lab.units.get().label())}</th>
                    <th scope="col">
                        {move || format!("I(Z;class) ({})", lab.units.get().label())}
                    </th>
                    <th scope="col">"class accuracy (task A)"</th>
                    <th scope="col">"mark accuracy (task B)"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        </div>
        <p class="lab-truth" data-testid="compression-summary">
            {move || lab.compression.with(|c| {
                let running = lab.task.get() == Some(Task::Compression);
                let stopped = c.results.len() < c.expected && !running;
                format!(
                    "{} of {} runs{}.",
                    c.results.len(),
                    c.expected,
                    if stopped { " (stopped)" } else { "" }
                )
            })}
        </p>
    }
}
