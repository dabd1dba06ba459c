//! The NCC chart: nearest-class-centre accuracy on train and test over steps, against the raw
//! pixels and the untrained network.

use plotters::prelude::*;

use super::{Area, DrawResult, FONT, PALETTE, placeholder};
use crate::app::History;

pub fn draw(history: &History, area: Area) -> DrawResult {
    if history.evaluations.is_empty() {
        return placeholder(&area, "Preparing the run…");
    }
    area.fill(&WHITE)?;
    let last_step = history.steps_done().max(10) as f64;
    let mut chart = ChartBuilder::on(&area)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(0f64..last_step, 0f64..1f64)?;
    chart
        .configure_mesh()
        .x_desc("training step")
        .y_desc("NCC accuracy")
        .axis_desc_style((FONT, 15))
        .label_style((FONT, 13))
        .draw()?;

    let line = |f: fn(&ssl_core::train::Evaluation) -> f64| -> Vec<(f64, f64)> {
        history.evaluations.iter().map(|e| (e.step as f64, f(e))).collect()
    };
    let (train_color, test_color) = (PALETTE[1], PALETTE[0]);
    chart
        .draw_series(LineSeries::new(line(|e| e.ncc_train), train_color.stroke_width(2)))?
        .label("train")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], train_color.stroke_width(2)));
    chart
        .draw_series(LineSeries::new(line(|e| e.ncc_test), test_color.stroke_width(3)))?
        .label("test")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], test_color.stroke_width(3)));

    let references = [
        (history.pixels, "raw pixels (test)", PALETTE[3], 10),
        (history.untrained, "untrained network (test)", PALETTE[7], 4),
    ];
    for (reference, name, color, dash) in references {
        let Some(reference) = reference else { continue };
        let y = reference.ncc_test;
        let style = color.stroke_width(2);
        chart
            .draw_series(DashedLineSeries::new(vec![(0.0, y), (last_step, y)], dash, 6, style))?
            .label(name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font((FONT, 14))
        .draw()?;
    area.present()?;
    Ok(())
}
