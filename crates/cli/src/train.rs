//! `train SETTINGS.json`: a run of the explorer, natively, and its metrics history.
//!
//! The data set is the settings' own: a bundled one read from `--www` (as the examples read
//! it), or the synthetic set generated from the settings. The history holds every step's loss
//! terms and an evaluation (NCC, CDNV, kNN, and the probe every `PROBE_EVERY` steps) every
//! `--every` steps, the untrained network's at step 0.

use serde::Serialize;
use ssl_core::data::read_bundled;
use ssl_core::method::Term;
use ssl_core::settings::Settings;
use ssl_core::train::{Evaluation, PROBE_EVERY, SplitData, StepReport, Trainer, synthetic_for_run};

use crate::args::Train;
use crate::error::CliError;
use crate::output::{cell, print, progress_bar};

/// What `train` prints.
#[derive(Debug, Serialize)]
struct History {
    settings: Settings,
    steps: Vec<StepLine>,
    evaluations: Vec<Evaluation>,
}

/// One step's losses, named by the method's terms.
#[derive(Debug, Serialize)]
struct StepLine {
    step: usize,
    total: f64,
    /// Each term of the method with its weighted value.
    terms: Vec<(Term, f64)>,
}

impl From<&StepReport> for StepLine {
    fn from(report: &StepReport) -> Self {
        StepLine {
            step: report.step,
            total: report.total,
            terms: report.weighted_terms().collect(),
        }
    }
}

pub fn run(request: &Train) -> Result<(), CliError> {
    let settings = request.settings.clone();
    let name = request.settings_path.display().to_string();
    let loaded = if settings.dataset.is_generated() {
        synthetic_for_run(&settings)
    } else {
        read_bundled(settings.dataset, &request.www)
    }
    .map_err(|e| CliError::core(&name, e))?;
    let split = SplitData::for_run(&loaded, settings.seed).map_err(|e| CliError::core(&name, e))?;
    let mut trainer = Trainer::with_split(split, settings.clone(), ssl_core::cpu_device())
        .map_err(|e| CliError::core(&name, e))?;
    let failed = |e| CliError::core("training", e);

    let mut evaluations = vec![trainer.evaluate_with(true).map_err(failed)?];
    let mut steps = Vec::with_capacity(request.steps);
    let bar = progress_bar(request.steps as u64, "training");
    for _ in 0..request.steps {
        let report = trainer.step().map_err(failed)?;
        steps.push(StepLine::from(&report));
        if report.step.is_multiple_of(request.every) {
            let probe = report.step.is_multiple_of(PROBE_EVERY);
            evaluations.push(trainer.evaluate_with(probe).map_err(failed)?);
        }
        bar.inc(1);
    }
    bar.finish_and_clear();

    let rows = evaluations.iter().map(|e| {
        vec![
            e.step.to_string(),
            e.ncc_train.to_string(),
            e.ncc_test.to_string(),
            e.cdnv_train.to_string(),
            cell(e.knn_test),
            cell(e.probe_test),
            cell(steps.get(e.step.wrapping_sub(1)).map(|s| s.total)),
        ]
    });
    let header = [
        "step",
        "ncc_train",
        "ncc_test",
        "cdnv_train",
        "knn_test",
        "probe_test",
        "loss",
    ];
    let rows: Vec<Vec<String>> = rows.collect();
    let history = History {
        settings,
        steps,
        evaluations,
    };
    print(request.format, &history, &header, rows)
}
