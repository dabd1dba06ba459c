//! The layers chart: test NCC of every representation from the input to the projection, as
//! bars, at step 0 and now (finding e: deeper layers are more semantic).

use plotters::prelude::*;

use super::{
    Area, Backend, DrawResult, FONT, Mark, PALETTE, draw_legend, one_place, placeholder,
    with_legend,
};
use crate::app::History;

pub fn draw<B: Backend>(history: &History, area: Area<B>) -> DrawResult {
    let Some(now) = &history.layers else {
        return placeholder(&area, "Preparing the run…");
    };
    area.fill(&WHITE)?;
    let layers = now.names.len();
    let (plot, strip) = with_legend(&area);
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.5f64..layers as f64 - 0.5, 0f64..1f64)?;
    let names = now.names.clone();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(RGBColor(0xee, 0xee, 0xee))
        .bold_line_style(RGBColor(0xd8, 0xd8, 0xd8))
        .x_labels(layers)
        .x_label_formatter(&|x| {
            // Each pair of bars is centred on its layer's index.
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                names.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_desc("test NCC accuracy")
        .y_label_formatter(&one_place)
        .axis_desc_style((FONT, 15))
        .label_style((FONT, 12))
        .draw()?;

    let mut legend = Vec::new();
    let mut bars = |values: &[f64], offset: f64, color: RGBColor| -> DrawResult {
        chart.draw_series(values.iter().enumerate().map(|(i, &v)| {
            let x = i as f64 + offset;
            Rectangle::new([(x, 0.0), (x + 0.36, v)], color.filled())
        }))?;
        Ok(())
    };
    if let Some(start) = history.layers_untrained.as_ref().filter(|_| now.step > 0) {
        bars(&start.ncc_test, -0.38, PALETTE[7])?;
        legend.push(("step 0".to_string(), PALETTE[7], Mark::Line { width: 8 }));
    }
    bars(&now.ncc_test, 0.02, PALETTE[1])?;
    legend.push((
        format!("step {}", now.step),
        PALETTE[1],
        Mark::Line { width: 8 },
    ));
    draw_legend(&strip, &legend)?;
    area.present()?;
    Ok(())
}
