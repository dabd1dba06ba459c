//! The random-targets chart: how well the train embeddings fit targets in which a fraction r of
//! the samples got a random class, for r from 0 to 1, at step 0 and now (finding c).

use plotters::prelude::*;

use super::{
    Area, Backend, DrawResult, Mark, PALETTE, draw_legend, mesh_style, one_place, placeholder,
    with_legend,
};
use crate::app::History;
use ssl_core::train::RandomTargetFit;

pub fn draw<B: Backend>(history: &History, area: Area<B>) -> DrawResult {
    let Some(now) = &history.random_targets else {
        return placeholder(&area, "Preparing the run…");
    };
    area.fill(&WHITE)?;
    let (plot, strip) = with_legend(&area);
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(0f64..1f64, 0f64..1f64)?;
    mesh_style(
        &mut chart,
        ("randomness r of the targets", one_place),
        ("train accuracy on the targets", one_place),
    )?;

    let line = |fit: &RandomTargetFit, probe: bool| -> Vec<(f64, f64)> {
        let values = if probe { &fit.probe } else { &fit.ncc };
        fit.levels
            .iter()
            .copied()
            .zip(values.iter().copied())
            .collect()
    };
    let mut legend = Vec::new();
    let (probe_color, ncc_color) = (PALETTE[5], PALETTE[0]);
    if let Some(start) = &history.random_targets_untrained {
        for (probe, color, name) in [
            (true, probe_color, "probe, step 0"),
            (false, ncc_color, "NCC, step 0"),
        ] {
            chart.draw_series(DashedLineSeries::new(
                line(start, probe),
                6,
                5,
                color.stroke_width(2),
            ))?;
            legend.push((name.to_string(), color, Mark::Dashed));
        }
    }
    for (probe, color, name) in [(true, probe_color, "probe"), (false, ncc_color, "NCC")] {
        let points = line(now, probe);
        chart.draw_series(LineSeries::new(points.clone(), color.stroke_width(3)))?;
        chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, color.filled())))?;
        legend.push((
            format!("{name}, step {}", now.step),
            color,
            Mark::Line { width: 3 },
        ));
    }
    draw_legend(&strip, &legend)?;
    area.present()?;
    Ok(())
}
