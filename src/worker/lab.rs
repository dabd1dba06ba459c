//! The information lab's side of the worker: estimate jobs and staircases, advanced in chunks
//! of about [`CHUNK_MS`] like training, so a newer request or a cancel is handled between two
//! chunks. A page runs its lab in a worker of its own, so estimating never holds up training.

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use ssl_core::data::{Dataset, Loaded};
use ssl_core::mi::compression::{CompressionConfig, Sweep, Swept};
use ssl_core::mi::critic::Staircase;
use ssl_core::mi::lab::EstimateJob;
use ssl_core::mi::plane::{InformationPlane, PlaneConfig};
use ssl_core::split::SplitData;

use super::{CHUNK_MS, now_ms, post, scope};
use crate::protocol::{FromWorker, JobId, ToWorker};

enum Work {
    Estimate(Box<EstimateJob>),
    Staircase(Box<Staircase>),
    Plane(Box<InformationPlane>),
    Compression(Box<Sweep>),
}

struct Lab {
    job: JobId,
    work: Option<Work>,
    scheduled: bool,
    /// Milliseconds spent working on the job so far.
    busy_ms: f64,
    /// The digits, once fetched for an information-plane run.
    digits: Option<Loaded>,
}

thread_local! {
    static LAB: RefCell<Lab> = const {
        RefCell::new(Lab { job: 0, work: None, scheduled: false, busy_ms: 0.0, digits: None })
    };
    static CALLBACK: Closure<dyn FnMut()> = Closure::new(run_chunk);
}

/// Handles a lab message; others are not the lab's and are ignored.
pub fn handle(message: ToWorker) {
    let started = match message {
        ToWorker::Estimate { job, request } => (
            job,
            EstimateJob::new(request).map(|j| Work::Estimate(Box::new(j))),
        ),
        ToWorker::Staircase { job, config } => (
            job,
            Staircase::new(config, &ssl_core::cpu_device()).map(|s| Work::Staircase(Box::new(s))),
        ),
        ToWorker::InfoPlane { job, config } => return start_plane(job, config),
        ToWorker::Compression { job, base, swept } => return start_compression(job, base, swept),
        ToWorker::CancelLab { job } => {
            LAB.with_borrow_mut(|lab| {
                if lab.job == job {
                    lab.work = None;
                }
            });
            return;
        }
        _ => return,
    };
    let (job, work) = started;
    LAB.with_borrow_mut(|lab| begin(lab, job, work));
}

/// Makes `work` the lab's job `job`, or reports why it could not start.
fn begin(lab: &mut Lab, job: JobId, work: Result<Work, ssl_core::CoreError>) {
    lab.job = job;
    lab.busy_ms = 0.0;
    match work {
        Ok(work) => lab.work = Some(work),
        Err(e) => {
            lab.work = None;
            post(&FromWorker::LabFailed {
                job,
                message: e.to_string(),
            });
        }
    }
    schedule(lab);
}

/// Starts an information-plane run on the digits.
fn start_plane(job: JobId, config: PlaneConfig) {
    with_digits(job, move |loaded| {
        SplitData::for_run(loaded, config.seed).and_then(|split| {
            InformationPlane::new(split, config.clone(), &ssl_core::cpu_device())
                .map(|p| Work::Plane(Box::new(p)))
        })
    });
}

/// Starts a compression sweep on the digits.
fn start_compression(job: JobId, base: CompressionConfig, swept: Swept) {
    with_digits(job, move |loaded| {
        SplitData::for_run(loaded, base.seed).map(|split| {
            Work::Compression(Box::new(Sweep::new(
                split,
                base.clone(),
                swept,
                &ssl_core::cpu_device(),
            )))
        })
    });
}

/// Makes the work `build` makes from the digits the lab's job `job`, fetching the digits first
/// if this worker has not yet.
fn with_digits(job: JobId, build: impl Fn(&Loaded) -> Result<Work, ssl_core::CoreError> + 'static) {
    let ready = LAB.with_borrow_mut(|lab| {
        lab.job = job;
        lab.work = None;
        let work = lab.digits.as_ref().map(&build);
        match work {
            Some(work) => {
                begin(lab, job, work);
                true
            }
            None => false,
        }
    });
    if ready {
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        let loaded = super::data::load(Dataset::Digits, |_| {}).await;
        LAB.with_borrow_mut(|lab| match loaded {
            Ok(loaded) => {
                let work = build(&loaded);
                lab.digits = Some(loaded);
                if lab.job == job {
                    begin(lab, job, work);
                }
            }
            Err(message) if lab.job == job => post(&FromWorker::LabFailed { job, message }),
            Err(_) => {}
        });
    });
}

fn schedule(lab: &mut Lab) {
    if lab.scheduled || lab.work.is_none() {
        return;
    }
    lab.scheduled = CALLBACK.with(|callback| {
        scope()
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                callback.as_ref().unchecked_ref(),
                0,
            )
            .is_ok()
    });
}

/// Works on the job for about [`CHUNK_MS`], posts what it did, and schedules the next chunk.
fn run_chunk() {
    LAB.with_borrow_mut(|lab| {
        lab.scheduled = false;
        let job = lab.job;
        let started = now_ms();
        let clock = now_ms;
        let outcome = match &mut lab.work {
            None => return,
            Some(Work::Estimate(estimate)) => estimate_chunk(job, estimate, started, &clock),
            Some(Work::Staircase(staircase)) => staircase_chunk(job, staircase, started),
            Some(Work::Plane(plane)) => plane_chunk(job, plane, started),
            Some(Work::Compression(sweep)) => compression_chunk(job, sweep, started),
        };
        lab.busy_ms += now_ms() - started;
        match outcome {
            Ok(true) => {
                lab.work = None;
                post(&FromWorker::LabDone {
                    job,
                    millis: lab.busy_ms,
                });
            }
            Ok(false) => schedule(lab),
            Err(message) => {
                lab.work = None;
                post(&FromWorker::LabFailed { job, message });
            }
        }
    });
}

/// Steps an estimate job; `Ok(true)` once it is done.
fn estimate_chunk(
    job: JobId,
    estimate: &mut EstimateJob,
    started: f64,
    clock: &dyn Fn() -> f64,
) -> Result<bool, String> {
    while !estimate.is_done() {
        if let Some(draw) = estimate.step(clock).map_err(|e| e.to_string())? {
            post(&FromWorker::Drawn {
                job,
                draw,
                progress: estimate.progress(),
            });
        }
        if now_ms() - started >= CHUNK_MS {
            post(&FromWorker::LabProgress {
                job,
                progress: estimate.progress(),
            });
            return Ok(estimate.is_done());
        }
    }
    Ok(true)
}

/// Steps a staircase; `Ok(true)` once it is done.
fn staircase_chunk(job: JobId, staircase: &mut Staircase, started: f64) -> Result<bool, String> {
    let mut points = Vec::new();
    let mut failure = None;
    while now_ms() - started < CHUNK_MS {
        match staircase.step() {
            Some(Ok(point)) => points.push(point),
            Some(Err(e)) => {
                failure = Some(e.to_string());
                break;
            }
            None => break,
        }
    }
    if !points.is_empty() {
        post(&FromWorker::StaircaseSteps {
            job,
            points,
            total_steps: staircase.total_steps(),
        });
    }
    match failure {
        Some(message) => Err(message),
        None => Ok(staircase.is_done()),
    }
}

/// Trains the information-plane network and measures it when due; `Ok(true)` once it is done.
fn plane_chunk(job: JobId, plane: &mut InformationPlane, started: f64) -> Result<bool, String> {
    let mut points = Vec::new();
    if plane.steps_done() == 0 {
        points.push(plane.measure().map_err(|e| e.to_string())?);
    }
    let mut loss = f64::NAN;
    let mut failure = None;
    while !plane.is_done() && now_ms() - started < CHUNK_MS {
        match plane.step() {
            Ok(value) => loss = value,
            Err(e) => {
                failure = Some(e.to_string());
                break;
            }
        }
        if plane.measure_due() {
            match plane.measure() {
                Ok(point) => points.push(point),
                Err(e) => {
                    failure = Some(e.to_string());
                    break;
                }
            }
        }
    }
    post(&FromWorker::PlanePoints {
        job,
        points,
        steps_done: plane.steps_done(),
        loss,
    });
    match failure {
        Some(message) => Err(message),
        None => Ok(plane.is_done()),
    }
}

/// Steps a compression sweep, posting each run's result; `Ok(true)` once it is done.
fn compression_chunk(job: JobId, sweep: &mut Sweep, started: f64) -> Result<bool, String> {
    while !sweep.is_done() && now_ms() - started < CHUNK_MS {
        if let Some(result) = sweep.step().map_err(|e| e.to_string())? {
            post(&FromWorker::Compressed {
                job,
                result,
                progress: sweep.progress(),
            });
        }
    }
    post(&FromWorker::LabProgress {
        job,
        progress: sweep.progress(),
    });
    Ok(sweep.is_done())
}
