//! The loss chart: each weighted term of the run's method and their sum, over steps, on a log
//! scale.

use plotters::prelude::*;

use super::{
    Area, Backend, DrawResult, Mark, PALETTE, draw_legend, log_mesh_style, log10, placeholder,
    thinned, whole, with_legend,
};
use crate::app::History;

/// Values below this are drawn at it: a hinge term can be exactly 0, which a log axis cannot show.
const FLOOR: f64 = 1e-4;

pub fn draw<B: Backend>(history: &History, area: Area<B>) -> DrawResult {
    if history.steps.is_empty() {
        return placeholder(&area, "Press Play to train");
    }
    area.fill(&WHITE)?;
    let steps = thinned(&history.steps, 800);
    // The total, then each term of the method (a run has one method throughout); a method with
    // one term has no separate total.
    let method = steps[0].method;
    let terms = method.terms();
    let mut names = if terms.len() > 1 {
        vec!["total"]
    } else {
        vec![]
    };
    names.extend(terms.iter().map(|t| t.label()));
    let offset = names.len() - terms.len();
    let all: Vec<Vec<(f64, f64)>> = (0..names.len())
        .map(|line| {
            steps
                .iter()
                .map(|s| {
                    let value = match line.checked_sub(offset) {
                        None => s.total,
                        Some(i) => s.weights[i] * s.terms[i],
                    };
                    (s.step as f64, value.max(FLOOR))
                })
                .collect()
        })
        .collect();
    // A pretext task's chance level: the cross-entropy of guessing uniformly, ln(classes).
    let chance = method
        .pretext()
        .map(|p| (p.classes(), (p.classes() as f64).ln()));
    let values = || all.iter().flatten().map(|p| p.1).chain(chance.map(|c| c.1));
    let top = values().fold(FLOOR, f64::max) * 2.0;
    let bottom = values().fold(f64::INFINITY, f64::min).max(FLOOR) / 2.0;
    let last_step = history.steps_done().max(10) as f64;

    let (plot, strip) = with_legend(&area);
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(0f64..last_step, bottom.log10()..top.log10())?;
    let y_desc = if terms.len() > 1 {
        "weighted term (log scale)"
    } else {
        "loss (log scale)"
    };
    log_mesh_style(&mut chart, ("training step", whole), y_desc)?;
    let mut legend = Vec::new();
    for (i, (name, points)) in names.iter().zip(all).enumerate() {
        let is_total = i < offset;
        let color = if is_total {
            PALETTE[9]
        } else {
            PALETTE[i - offset + 1]
        };
        let width = if is_total { 3 } else { 2 };
        chart.draw_series(LineSeries::new(log10(points), color.stroke_width(width)))?;
        legend.push((name.to_string(), color, Mark::Line { width }));
    }
    if let Some((classes, level)) = chance {
        let color = PALETTE[7];
        chart.draw_series(DashedLineSeries::new(
            log10(vec![(0.0, level), (last_step, level)]),
            6,
            6,
            color.stroke_width(2),
        ))?;
        legend.push((format!("chance, ln {classes}"), color, Mark::Dashed));
    }
    draw_legend(&strip, &legend)?;
    area.present()?;
    Ok(())
}
