//! The CDNV chart: class-distance normalised variance of the train embeddings over steps, on a
//! log scale, against the raw pixels and the untrained network. Lower is tighter clusters.

use plotters::prelude::*;

use super::{
    Area, Backend, DrawResult, Mark, PALETTE, draw_legend, log_mesh_style, log10, placeholder,
    whole, with_legend,
};
use crate::app::History;

pub fn draw<B: Backend>(history: &History, area: Area<B>) -> DrawResult {
    let finite = |v: f64| v.is_finite() && v > 0.0;
    let points: Vec<(f64, f64)> = history
        .evaluations
        .iter()
        .filter(|e| finite(e.cdnv_train))
        .map(|e| (e.step as f64, e.cdnv_train))
        .collect();
    if points.is_empty() {
        return placeholder(&area, "Preparing the run…");
    }
    // The coarse level of the hierarchy, where the data set has one.
    let coarse: Vec<(f64, f64)> = history
        .evaluations
        .iter()
        .filter_map(|e| {
            e.cdnv_train_coarse
                .filter(|&v| finite(v))
                .map(|v| (e.step as f64, v))
        })
        .collect();
    area.fill(&WHITE)?;
    let references: Vec<(f64, &str, RGBColor, u32)> = [
        (history.pixels, "raw pixels", PALETTE[3], 10),
        (history.untrained, "step 0", PALETTE[7], 4),
    ]
    .into_iter()
    .filter_map(|(r, name, color, dash)| {
        r.map(|r| r.cdnv_train)
            .filter(|&v| finite(v))
            .map(|v| (v, name, color, dash))
    })
    .collect();
    let values = points
        .iter()
        .chain(&coarse)
        .map(|p| p.1)
        .chain(references.iter().map(|r| r.0));
    let (low, high) = values.fold((f64::INFINITY, 0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let last_step = history.evaluated_step().max(10) as f64;

    let (plot, strip) = with_legend(&area);
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(0f64..last_step, (low / 1.5).log10()..(high * 1.5).log10())?;
    log_mesh_style(
        &mut chart,
        ("training step", whole),
        "CDNV, train (log scale)",
    )?;
    let color = PALETTE[1];
    chart.draw_series(LineSeries::new(log10(points), color.stroke_width(3)))?;
    let mut legend = vec![("embedding".to_string(), color, Mark::Line { width: 3 })];
    if !coarse.is_empty() {
        let coarse_color = PALETTE[4];
        chart.draw_series(DashedLineSeries::new(
            log10(coarse),
            8,
            4,
            coarse_color.stroke_width(2),
        ))?;
        legend.push(("coarse classes".to_string(), coarse_color, Mark::Dashed));
    }
    for (y, name, color, dash) in references {
        chart.draw_series(DashedLineSeries::new(
            log10(vec![(0.0, y), (last_step, y)]),
            dash,
            6,
            color.stroke_width(2),
        ))?;
        legend.push((name.to_string(), color, Mark::Dashed));
    }
    draw_legend(&strip, &legend)?;
    area.present()?;
    Ok(())
}
