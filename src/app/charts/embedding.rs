//! The embedding chart: the test embeddings on their top two principal components, one colour
//! per class.

use plotters::prelude::*;
use ssl_core::data::Dataset;

use super::{
    Area, Backend, DrawResult, FONT, Mark, PALETTE, draw_legend, mesh_style, one_place,
    placeholder, with_legend,
};
use crate::app::History;

pub fn draw<B: Backend>(history: &History, area: Area<B>) -> DrawResult {
    let Some(view) = &history.embedding else {
        return placeholder(&area, "Preparing the run…");
    };
    area.fill(&WHITE)?;
    let points: Vec<(f64, f64)> = view
        .points
        .chunks_exact(2)
        .map(|p| (f64::from(p[0]), f64::from(p[1])))
        .collect();
    let span = |f: fn(&(f64, f64)) -> f64| {
        let (lo, hi) = points
            .iter()
            .map(f)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        let pad = ((hi - lo) * 0.05).max(1e-6);
        (lo - pad)..(hi + pad)
    };
    let (xs, ys) = (span(|p| p.0), span(|p| p.1));

    let caption = format!("step {}", view.step);
    let (plot, strip) = with_legend(&area);
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .caption(caption, (FONT, 14))
        .x_label_area_size(36)
        .y_label_area_size(52)
        .build_cartesian_2d(xs, ys)?;
    mesh_style(
        &mut chart,
        ("principal component 1", one_place),
        ("principal component 2", one_place),
    )?;
    let classes = view
        .labels
        .iter()
        .copied()
        .max()
        .map_or(0, |m| usize::from(m) + 1);
    for class in 0..classes {
        let color = PALETTE[class % PALETTE.len()];
        let members = points
            .iter()
            .zip(&view.labels)
            .filter(|&(_, &l)| usize::from(l) == class)
            .map(|(&p, _)| Circle::new(p, 3, color.filled()));
        chart.draw_series(members)?;
    }
    let names = history.dataset.class_names();
    let legend: Vec<_> = (0..classes)
        .map(|c| {
            let name = names
                .get(c)
                .map_or_else(|| c.to_string(), |n| n.to_string());
            let name = match history.dataset {
                Dataset::Digits | Dataset::Mnist => format!("digit {name}"),
                Dataset::Synthetic => format!("class {name}"),
                Dataset::Fashion => name,
            };
            (name, PALETTE[c % PALETTE.len()], Mark::Dot)
        })
        .collect();
    draw_legend(&strip, &legend)?;
    area.present()?;
    Ok(())
}
