//! The staircase panel's controls and its table of each level's bounds.

use leptos::prelude::*;

use ssl_core::mi::critic::{Bound, CriticKind};

use super::estimates::Estimator;
use super::widgets::{in_units, mean_and_spread};
use super::{LabState, Task};

/// The staircase's controls and summary.
#[component]
pub fn StaircasePanel() -> impl IntoView {
    let lab = expect_context::<LabState>();
    let running = move || lab.task.get() == Some(Task::Staircase);
    let summary = move || {
        lab.staircase.with(|s| {
            let units = lab.units.get();
            let steps = s.points.len();
            let time = s
                .millis
                .map(|ms| format!(" in {:.1} s", ms / 1000.0))
                .unwrap_or_default();
            let total = s
                .total_steps
                .max(s.config.levels.len() * s.config.steps_per_level);
            let stopped = if steps > 0 && steps < total && !running() {
                " (stopped)"
            } else {
                ""
            };
            format!(
                "{steps} of {total} steps{stopped}{time}; InfoNCE cannot exceed ln {} = {} {}.",
                s.config.batch,
                in_units(units, (s.config.batch as f64).ln()),
                units.label(),
            )
        })
    };
    view! {
        <div class="lab-row">
            <div class="slider">
                <label for="staircase-batch">"Batch"</label>
                <select id="staircase-batch" data-testid="staircase-batch"
                    on:change=move |ev| {
                        if let Ok(b) = event_target_value(&ev).parse::<usize>() {
                            lab.staircase_config.update(|c| c.batch = b);
                        }
                    }>
                    {[16usize, 32, 64, 128, 256].into_iter().map(|b| view! {
                        <option value=b.to_string()
                            selected=move || lab.staircase_config.with(|c| c.batch == b)>
                            {b.to_string()}
                        </option>
                    }).collect_view()}
                </select>
            </div>
            <div class="slider">
                <label for="staircase-steps">"Steps per level"</label>
                <select id="staircase-steps" data-testid="staircase-steps"
                    on:change=move |ev| {
                        if let Ok(n) = event_target_value(&ev).parse::<usize>() {
                            lab.staircase_config.update(|c| c.steps_per_level = n);
                        }
                    }>
                    {[200usize, 500, 1000, 2000, 4000].into_iter().map(|n| view! {
                        <option value=n.to_string()
                            selected=move || lab.staircase_config.with(|c| c.steps_per_level == n)>
                            {n.to_string()}
                        </option>
                    }).collect_view()}
                </select>
            </div>
            <div class="slider">
                <label for="staircase-critic">"Critic"</label>
                <select id="staircase-critic" data-testid="staircase-critic"
                    on:change=move |ev| {
                        let kind = if event_target_value(&ev) == "concatenated" {
                            CriticKind::Concatenated
                        } else {
                            CriticKind::Separable
                        };
                        lab.staircase_config.update(|c| c.critic = kind);
                    }>
                    <option value="separable">"separable g(x)·h(y)"</option>
                    <option value="concatenated">"concatenated m([x, y]) (batch× slower)"</option>
                </select>
            </div>
            <button data-testid="staircase-run"
                on:click=move |_| {
                    if running() { lab.cancel() } else { lab.run_staircase() }
                }>
                {move || if running() { "Stop" } else { "Run the staircase" }}
            </button>
        </div>
        <p data-testid="staircase-summary" class="lab-truth">{summary}</p>
        <Show when=move || lab.staircase.with(|s| !s.points.is_empty())>
        <div class="table-scroll">
        <table class="lab-table">
            <thead>
                <tr>
                    <th scope="col">"level"</th>
                    <th scope="col">{move || format!("true ({})", lab.units.get().label())}</th>
                    {Bound::ALL.iter().map(|b| view! { <th scope="col">{b.label()}</th> })
                        .collect_view()}
                </tr>
            </thead>
            <tbody>{move || level_rows(lab)}</tbody>
        </table>
        </div>
        </Show>
    }
}

/// One row per staircase level reached: the true MI and each bound's mean over the last
/// quarter of the level's steps (the critic has had time to catch up there). The last row's
/// cells are readouts, `staircase-<bound>` with `data-value`.
fn level_rows(lab: LabState) -> impl IntoView {
    let units = lab.units.get();
    lab.staircase.with(|run| {
        let per = run.config.steps_per_level.max(1);
        let levels = run.points.len().div_ceil(per);
        (0..levels)
            .map(|l| {
                let points = &run.points[l * per..run.points.len().min((l + 1) * per)];
                let tail = &points[points.len() * 3 / 4..];
                let truth = run.config.levels.get(l).copied().unwrap_or(f64::NAN);
                let last = l + 1 == levels;
                let cells = (0..Bound::ALL.len())
                    .map(|b| {
                        let values: Vec<f64> = tail.iter().map(|p| p.estimates[b]).collect();
                        let mean = mean_and_spread(&values).map_or(f64::NAN, |m| m.0);
                        let testid = last.then(|| {
                            format!("staircase-{}", Estimator::Critic(Bound::ALL[b]).key())
                        });
                        view! {
                            <td data-testid=testid data-value=units.from_nats(mean).to_string()>
                                {in_units(units, mean)}
                            </td>
                        }
                    })
                    .collect_view();
                view! {
                    <tr>
                        <th scope="row">{(l + 1).to_string()}</th>
                        <td>{in_units(units, truth)}</td>
                        {cells}
                    </tr>
                }
            })
            .collect_view()
    })
}
