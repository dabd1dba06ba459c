//! `train SETTINGS.json`: a run of the explorer, natively, and its metrics history.
//!
//! The data set is the settings' own: a bundled one read from `--www` (as the examples read
//! it), or the synthetic set generated from the settings. The history holds every step's loss
//! terms and an evaluation (NCC, CDNV, kNN, and the probe every `PROBE_EVERY` steps) every
//! `--every` steps, the untrained network's at step 0.

use ssl_core::data::read_bundled;
use ssl_core::record::{RunRecord, metrics_csv};
use ssl_core::train::{PROBE_EVERY, SplitData, Trainer, synthetic_for_run};

use crate::args::{Format, Train};
use crate::error::CliError;
use crate::output::progress_bar;

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

    let mut record = RunRecord::new(settings);
    record
        .evaluations
        .push(trainer.evaluate_with(true).map_err(failed)?);
    record.untrained = record.evaluations.first().copied();
    let bar = progress_bar(request.steps as u64, "training");
    for _ in 0..request.steps {
        let report = trainer.step().map_err(failed)?;
        if report.step.is_multiple_of(request.every) {
            let probe = report.step.is_multiple_of(PROBE_EVERY);
            record
                .evaluations
                .push(trainer.evaluate_with(probe).map_err(failed)?);
        }
        record.steps.push(report);
        bar.inc(1);
    }
    bar.finish_and_clear();

    // The same run file the page saves, so the page can open a run trained here; or the same
    // CSV as the page's "Metrics (CSV)".
    match request.format {
        Format::Json => println!("{}", record.to_json()),
        Format::Csv => print!("{}", metrics_csv(&record)),
    }
    Ok(())
}
