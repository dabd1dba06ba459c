//! The NCC chart: nearest-class-centre accuracy on train and test over steps, against the raw
//! pixels and the untrained network.

use plotters::prelude::*;

use super::{
    Area, Backend, DrawResult, Mark, PALETTE, accuracy_chart, draw_legend, placeholder, with_legend,
};
use crate::app::History;

pub fn draw<B: Backend>(history: &History, area: Area<B>) -> DrawResult {
    if history.evaluations.is_empty() {
        return placeholder(&area, "Preparing the run…");
    }
    area.fill(&WHITE)?;
    let last_step = history.evaluated_step().max(10) as f64;
    let (plot, strip) = with_legend(&area);
    let mut chart = accuracy_chart(&plot, last_step, "NCC accuracy")?;

    // The steps at which an evaluation has the measure `f`, with its value.
    let line = |f: fn(&ssl_core::train::Evaluation) -> Option<f64>| -> Vec<(f64, f64)> {
        history
            .evaluations
            .iter()
            .filter_map(|e| f(e).map(|v| (e.step as f64, v)))
            .collect()
    };
    let (train_color, test_color) = (PALETTE[1], PALETTE[0]);
    chart.draw_series(LineSeries::new(
        line(|e| Some(e.ncc_train)),
        train_color.stroke_width(2),
    ))?;
    chart.draw_series(LineSeries::new(
        line(|e| Some(e.ncc_test)),
        test_color.stroke_width(3),
    ))?;
    let mut legend = vec![
        ("train".to_string(), train_color, Mark::Line { width: 2 }),
        ("test".to_string(), test_color, Mark::Line { width: 3 }),
    ];

    // The coarse level of the hierarchy, where the data set has one, dashed.
    let coarse_lines = [
        ("train, coarse", line(|e| e.ncc_train_coarse), PALETTE[4]),
        ("test, coarse", line(|e| e.ncc_test_coarse), PALETTE[5]),
    ];
    for (name, points, color) in coarse_lines {
        if points.is_empty() {
            continue;
        }
        chart.draw_series(DashedLineSeries::new(points, 8, 4, color.stroke_width(2)))?;
        legend.push((name.to_string(), color, Mark::Dashed));
    }

    let references = [
        (history.pixels, "raw pixels, test", PALETTE[3], 10),
        (history.untrained, "step 0, test", PALETTE[7], 4),
    ];
    for (reference, name, color, dash) in references {
        let Some(reference) = reference else { continue };
        let y = reference.ncc_test;
        let style = color.stroke_width(2);
        chart.draw_series(DashedLineSeries::new(
            vec![(0.0, y), (last_step, y)],
            dash,
            6,
            style,
        ))?;
        legend.push((name.to_string(), color, Mark::Dashed));
    }
    draw_legend(&strip, &legend)?;
    area.present()?;
    Ok(())
}
