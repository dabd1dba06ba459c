//! The bench page (`?bench`, or `?bench=step-vicreg,ksg-10000` for some cases): times the
//! training step and the estimators in a training worker, after a warm-up, and shows the median
//! of each case. `tests/bench/run.mjs` drives it headless and reads the medians from the table's
//! `bench-<case>` cells, beside the same cases natively, TensorFlow.js and scikit-learn.

use std::rc::Rc;

use leptos::prelude::*;

use ssl_core::bench::{Case, CaseResult};

use super::bridge::WorkerBridge;
use crate::protocol::{FromWorker, ToWorker};

/// How far the pass has got.
#[derive(Debug, Clone, PartialEq)]
enum Progress {
    Running,
    Done,
    Failed(String),
}

impl Progress {
    fn label(&self) -> &'static str {
        match self {
            Progress::Running => "running",
            Progress::Done => "done",
            Progress::Failed(_) => "failed",
        }
    }
}

/// The cases a `bench` parameter names: every case when empty, else the comma-separated keys.
pub fn parse_cases(value: &str) -> Result<Vec<Case>, String> {
    if value.trim().is_empty() {
        return Ok(Case::all());
    }
    value
        .split(',')
        .map(|key| {
            Case::from_key(key.trim()).ok_or_else(|| {
                let known: Vec<String> = Case::all().into_iter().map(Case::key).collect();
                format!(
                    "no bench case is named \"{key}\"; the cases are {}",
                    known.join(", ")
                )
            })
        })
        .collect()
}

/// Milliseconds with three significant digits at most.
fn millis(value: f64) -> String {
    match value {
        v if v >= 100.0 => format!("{v:.0}"),
        v if v >= 10.0 => format!("{v:.1}"),
        v => format!("{v:.2}"),
    }
}

#[component]
pub fn BenchPage(cases: Result<Vec<Case>, String>) -> impl IntoView {
    let results = RwSignal::new(Vec::<CaseResult>::new());
    let progress = RwSignal::new(Progress::Running);
    let total = cases.as_ref().map_or(0, Vec::len);
    let worker = StoredValue::new_local(None::<Rc<WorkerBridge>>);
    match cases {
        Err(message) => progress.set(Progress::Failed(message)),
        Ok(cases) => {
            let on_message = move |message| match message {
                FromWorker::Ready { .. } => worker.with_value(|w| {
                    if let Some(w) = w {
                        w.send(&ToWorker::Bench {
                            cases: cases.clone(),
                        })
                    }
                }),
                FromWorker::Benched { result } => results.update(|r| r.push(result)),
                FromWorker::BenchDone => progress.set(Progress::Done),
                FromWorker::BenchFailed { message } => progress.set(Progress::Failed(message)),
                _ => {}
            };
            let on_error = move |message| progress.set(Progress::Failed(message));
            match WorkerBridge::spawn(on_message, on_error) {
                Ok(bridge) => worker.set_value(Some(Rc::new(bridge))),
                Err(e) => {
                    progress.set(Progress::Failed(format!("the worker could not start: {e}")))
                }
            }
        }
    }

    let state_line = move || match progress.get() {
        Progress::Running => format!("Timing case {} of {total}…", results.with(Vec::len) + 1),
        Progress::Done => format!("Done: {total} cases timed."),
        Progress::Failed(message) => format!("Stopped: {message}"),
    };
    let rows = move || {
        results
            .get()
            .into_iter()
            .map(|r| {
                let median = r.median_ms();
                let fastest = r.millis.iter().copied().fold(f64::INFINITY, f64::min);
                let slowest = r.millis.iter().copied().fold(0.0, f64::max);
                view! {
                    <tr>
                        <th scope="row"><code>{r.case.key()}</code></th>
                        <td class="what">{r.case.describe()}</td>
                        <td class="number">{r.millis.len()}</td>
                        <td class="number" data-testid=format!("bench-{}", r.case.key())
                            data-value=median.to_string()>{millis(median)}</td>
                        <td class="number">{millis(fastest)}</td>
                        <td class="number">{millis(slowest)}</td>
                        <td class="number" data-testid=format!("bench-{}-value", r.case.key())
                            data-value=r.value.to_string()>{format!("{:.4}", r.value)}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    let simd = cfg!(target_feature = "simd128");

    view! {
        <header>
            <h1>"SSL Explorer: benchmark"</h1>
            <p class="lede">
                "Times one training step of the default network (batch 256, on the digits) per "
                "method, the evaluations, and the KSG, kernel and binning estimators on fixed "
                "samples, in a Web Worker of this tab, as the explorer runs them. Each case is "
                "warmed up first; the table gives the median of the timed repetitions. Nothing "
                "is sent anywhere. "
                <a href="./">"Back to the explorer"</a>
            </p>
        </header>
        <main class="bench">
            <section class="panel">
                <p role="status" aria-live="polite" data-testid="bench-state"
                    data-value=move || progress.with(|p| p.label())>
                    {state_line}
                </p>
                <p data-testid="bench-simd" data-value=simd.to_string()>
                    {if simd {
                        "This build uses WebAssembly SIMD128."
                    } else {
                        "This build does not use WebAssembly SIMD128."
                    }}
                </p>
                <div class="table-scroll">
                <table class="lab-table">
                    <thead>
                        <tr>
                            <th scope="col">"case"</th>
                            <th scope="col" class="what">"what is timed"</th>
                            <th scope="col">"timed runs"</th>
                            <th scope="col">"median (ms)"</th>
                            <th scope="col">"fastest (ms)"</th>
                            <th scope="col">"slowest (ms)"</th>
                            <th scope="col">"value"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
                </div>
                <p class="explainer">
                    "The value column is what the last run computed: the training loss, the "
                    "test NCC, or the estimate in nats (the samples are correlated Gaussian "
                    "scalars whose true mutual information is 1 nat)."
                </p>
            </section>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_bench_parameter_times_every_case() {
        assert_eq!(parse_cases(""), Ok(Case::all()));
    }

    #[test]
    fn named_cases_are_read_in_order_and_an_unknown_one_is_refused() {
        assert_eq!(
            parse_cases("ksg-10000,step-vicreg"),
            Ok(vec![
                Case::Ksg(10_000),
                Case::Step(ssl_core::method::Method::Vicreg)
            ])
        );
        let refused = parse_cases("step-vicreg,fast").unwrap_err();
        assert!(
            refused.starts_with("no bench case is named \"fast\""),
            "{refused}"
        );
    }
}
