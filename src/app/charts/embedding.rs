//! The embedding chart: the test embeddings on their top two principal components, one colour
//! per digit.

use plotters::prelude::*;

use super::{Area, DrawResult, FONT, PALETTE, placeholder};
use crate::app::History;

pub fn draw(history: &History, area: Area) -> DrawResult {
    let Some(view) = &history.embedding else {
        return placeholder(&area, "Preparing the run…");
    };
    area.fill(&WHITE)?;
    let points: Vec<(f64, f64)> =
        view.points.chunks_exact(2).map(|p| (f64::from(p[0]), f64::from(p[1]))).collect();
    let span = |f: fn(&(f64, f64)) -> f64| {
        let (lo, hi) = points.iter().map(f).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
        let pad = ((hi - lo) * 0.05).max(1e-6);
        (lo - pad)..(hi + pad)
    };
    let (xs, ys) = (span(|p| p.0), span(|p| p.1));

    let caption = format!("step {}", view.step);
    let mut chart = ChartBuilder::on(&area)
        .margin(12)
        .caption(caption, (FONT, 14))
        .x_label_area_size(36)
        .y_label_area_size(52)
        .right_y_label_area_size(70)
        .build_cartesian_2d(xs, ys)?;
    chart
        .configure_mesh()
        .x_desc("principal component 1")
        .y_desc("principal component 2")
        .axis_desc_style((FONT, 15))
        .label_style((FONT, 12))
        .x_label_formatter(&|v| format!("{v:.1}"))
        .y_label_formatter(&|v| format!("{v:.1}"))
        .draw()?;
    let classes = view.labels.iter().copied().max().map_or(0, |m| usize::from(m) + 1);
    for class in 0..classes {
        let color = PALETTE[class % PALETTE.len()];
        let members = points
            .iter()
            .zip(&view.labels)
            .filter(|&(_, &l)| usize::from(l) == class)
            .map(|(&p, _)| Circle::new(p, 3, color.filled()));
        chart
            .draw_series(members)?
            .label(format!("digit {class}"))
            .legend(move |(x, y)| Circle::new((x + 8, y), 4, color.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font((FONT, 12))
        .draw()?;
    area.present()?;
    Ok(())
}
