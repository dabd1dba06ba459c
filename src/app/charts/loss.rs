//! The loss chart: each weighted VICReg term and their sum, over steps, on a log scale.

use plotters::prelude::*;

use super::{
    Area, DrawResult, Mark, PALETTE, draw_legend, mesh_style, placeholder, thinned, whole,
    with_legend,
};
use crate::app::History;
use ssl_core::train::StepReport;

/// Values below this are drawn at it: a hinge term can be exactly 0, which a log axis cannot show.
const FLOOR: f64 = 1e-4;

/// One line of the chart: a value read off each step's report.
type Term = fn(&StepReport) -> f64;

pub fn draw(history: &History, area: Area) -> DrawResult {
    if history.steps.is_empty() {
        return placeholder(&area, "Press Play to train");
    }
    area.fill(&WHITE)?;
    let steps = thinned(&history.steps, 800);
    let series: [(&str, Term); 4] = [
        ("total", |s| s.total),
        ("λ · invariance", |s| {
            s.weights.invariance * s.terms.invariance
        }),
        ("μ · variance", |s| s.weights.variance * s.terms.variance),
        ("ν · covariance", |s| {
            s.weights.covariance * s.terms.covariance
        }),
    ];
    let values = |f: Term| -> Vec<(f64, f64)> {
        steps
            .iter()
            .map(|s| (s.step as f64, f(s).max(FLOOR)))
            .collect()
    };
    let all: Vec<Vec<(f64, f64)>> = series.iter().map(|&(_, f)| values(f)).collect();
    let top = all.iter().flatten().map(|p| p.1).fold(FLOOR, f64::max) * 2.0;
    let bottom = all
        .iter()
        .flatten()
        .map(|p| p.1)
        .fold(f64::INFINITY, f64::min)
        .max(FLOOR)
        / 2.0;
    let last_step = history.steps_done().max(10) as f64;

    let (plot, strip) = with_legend(&area);
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(0f64..last_step, (bottom..top).log_scale())?;
    mesh_style(
        &mut chart,
        ("training step", whole),
        ("weighted term (log scale)", |v| format!("{v:.0e}")),
    )?;
    let mut legend = Vec::new();
    for (i, ((name, _), points)) in series.iter().zip(all).enumerate() {
        let color = if i == 0 { PALETTE[9] } else { PALETTE[i] };
        let width = if i == 0 { 3 } else { 2 };
        chart.draw_series(LineSeries::new(points, color.stroke_width(width)))?;
        legend.push((name.to_string(), color, Mark::Line { width }));
    }
    draw_legend(&strip, &legend)?;
    area.present()?;
    Ok(())
}
