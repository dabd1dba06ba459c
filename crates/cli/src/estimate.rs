//! `estimate X Y`: one MI estimator of `ssl_core::mi` on two paired sample files.

use serde::Serialize;
use ssl_core::byo::parse::{Input, Options, load_samples};
use ssl_core::cpu_device;
use ssl_core::mi::binning::binning_nats;
use ssl_core::mi::critic::{Bound, FitConfig, SampleFit};
use ssl_core::mi::kde::kde_nats;
use ssl_core::mi::ksg::{ksg1_nats, ksg2_nats};
use ssl_core::mi::{MiError, Rows};

use crate::args::{Estimate, Estimator};
use crate::error::CliError;
use crate::output::{print, progress_bar, read_within};

/// What `estimate` prints.
#[derive(Debug, Serialize)]
struct Estimated {
    estimator: &'static str,
    samples: usize,
    x_dim: usize,
    y_dim: usize,
    mi_nats: f64,
}

pub fn run(request: &Estimate) -> Result<(), CliError> {
    let options = Options {
        budget_bytes: request.budget_bytes,
        ..Options::default()
    };
    let read = |path: &std::path::Path| -> Result<(Vec<f64>, usize, usize), CliError> {
        let bytes = read_within(path, request.budget_bytes)?;
        let source = path.display().to_string();
        let samples = load_samples(
            Input {
                source: &source,
                bytes: &bytes,
            },
            &options,
            None,
        )?;
        let values = samples.values.iter().map(|&v| f64::from(v)).collect();
        Ok((values, samples.rows, samples.dim))
    };
    let (x, x_rows, x_dim) = read(&request.x)?;
    let (y, y_rows, y_dim) = read(&request.y)?;
    if x_rows != y_rows {
        return Err(CliError::BadInput(format!(
            "{} holds {x_rows} samples but {} holds {y_rows}: expected paired samples, one per row",
            request.x.display(),
            request.y.display()
        )));
    }
    let (xs, ys) = (Rows::new(&x, x_dim), Rows::new(&y, y_dim));
    let mi_error =
        |e: MiError| CliError::BadInput(format!("the {} estimate: {e}", request.estimator.key()));

    let mi_nats = match request.estimator {
        Estimator::Ksg1 { k } => ksg1_nats(xs, ys, k).map_err(mi_error)?,
        Estimator::Ksg2 { k } => ksg2_nats(xs, ys, k).map_err(mi_error)?,
        Estimator::Binning { bins } => binning_nats(xs, ys, bins).map_err(mi_error)?,
        Estimator::Kde { noise_var } => kde_nats(xs, ys, noise_var).map_err(mi_error)?,
        Estimator::Critic {
            bound,
            steps,
            batch,
            critic,
            seed,
        } => {
            // The critics train on half the sample and are evaluated on the other half, as on
            // the estimator page; all three bounds train together, and the one asked for is kept.
            let config = FitConfig {
                batch,
                steps,
                critic,
                seed,
            };
            let context = format!("the {} estimate", request.estimator.key());
            let mut fit = SampleFit::new(&x, &y, (x_dim, y_dim), &config, &cpu_device())
                .map_err(|e| CliError::core(&context, e))?;
            let bar = progress_bar(steps as u64, "training the critics");
            while !fit.is_done() {
                fit.step().map_err(|e| CliError::core(&context, e))?;
                bar.inc(1);
            }
            bar.finish_and_clear();
            let estimates = fit.estimates().map_err(|e| CliError::core(&context, e))?;
            let index = Bound::ALL
                .iter()
                .position(|&b| b == bound)
                .expect("a bound");
            estimates[index]
        }
    };

    let result = Estimated {
        estimator: request.estimator.key(),
        samples: x_rows,
        x_dim,
        y_dim,
        mi_nats,
    };
    let row = vec![
        result.estimator.to_string(),
        x_rows.to_string(),
        x_dim.to_string(),
        y_dim.to_string(),
        mi_nats.to_string(),
    ];
    print(
        request.format,
        &result,
        &["estimator", "samples", "x_dim", "y_dim", "mi_nats"],
        [row],
    )
}
