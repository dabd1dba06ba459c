//! The probes chart: how well other readers of the embeddings find the classes, over steps. A
//! linear probe (softmax regression trained on the frozen train embeddings), cosine kNN, and NCC
//! at the coarse level of the label hierarchy where the data set has one; all on test.

use plotters::prelude::*;

use super::{
    Area, Backend, DrawResult, Mark, PALETTE, accuracy_chart, draw_legend, placeholder, with_legend,
};
use crate::app::History;
use ssl_core::train::Evaluation;

/// One line: a measure that some evaluations have.
type Measure = fn(&Evaluation) -> Option<f64>;

pub fn draw<B: Backend>(history: &History, area: Area<B>) -> DrawResult {
    if history.evaluations.is_empty() {
        return placeholder(&area, "Preparing the run…");
    }
    area.fill(&WHITE)?;
    let last_step = history.evaluated_step().max(10) as f64;
    let (plot, strip) = with_legend(&area);
    let mut chart = accuracy_chart(&plot, last_step, "test accuracy")?;

    let lines: [(&str, Measure, RGBColor); 4] = [
        ("linear probe", |e| e.probe_test, PALETTE[5]),
        ("kNN (k = 20)", |e| e.knn_test, PALETTE[6]),
        ("NCC, fine", |e| Some(e.ncc_test), PALETTE[0]),
        ("NCC, coarse", |e| e.ncc_test_coarse, PALETTE[4]),
    ];
    let mut legend = Vec::new();
    for (name, measure, color) in lines {
        let points: Vec<(f64, f64)> = history
            .evaluations
            .iter()
            .filter_map(|e| measure(e).map(|v| (e.step as f64, v)))
            .collect();
        if points.is_empty() {
            continue;
        }
        chart.draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))?;
        // Marks too, since the probe has a point only every few evaluations.
        chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, color.filled())))?;
        legend.push((name.to_string(), color, Mark::Line { width: 2 }));
    }
    draw_legend(&strip, &legend)?;
    area.present()?;
    Ok(())
}
