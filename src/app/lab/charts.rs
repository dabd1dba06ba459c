//! The lab's two charts: every estimate of every draw against the true MI, and the critics'
//! bounds over the staircase's steps.

use leptos::prelude::*;
use plotters::prelude::*;

use ssl_core::mi::critic::Bound;
use ssl_core::mi::lab::CRITIC_BATCH;

use super::LabState;
use super::estimates::Estimator;
use super::widgets::mean_and_spread;
use crate::app::charts::{
    Area, DrawResult, FONT, Mark, PALETTE, draw_legend, mesh_style, one_place, placeholder,
    thinned, whole, with_legend,
};

/// Where a value is drawn: clamped into the axis, so a runaway estimate (NWJ's, at a high MI)
/// sits on the edge instead of over the labels.
fn clamp(v: f64, (low, high): (f64, f64)) -> f64 {
    v.clamp(low, high)
}

/// The colour of each estimator, also the staircase's bounds'.
fn colour(estimator: Estimator) -> RGBColor {
    match estimator {
        Estimator::Ksg1 => PALETTE[1],
        Estimator::Ksg2 => PALETTE[4],
        Estimator::Binning => PALETTE[7],
        Estimator::Kde => PALETTE[3],
        Estimator::Critic(Bound::InfoNce) => PALETTE[0],
        Estimator::Critic(Bound::Nwj) => PALETTE[6],
        Estimator::Critic(Bound::Mine) => PALETTE[5],
    }
}

pub fn draw_estimates(lab: &LabState, area: Area) -> DrawResult {
    let units = lab.units.get();
    let request = lab.drawn_request.get();
    let draws = lab.draws.get();
    if draws.is_empty() {
        let message = if lab.error.with(Option::is_some) {
            "No estimate: see the message above"
        } else if lab.task.get() == Some(super::Task::Estimate) {
            "Estimating the first draw..."
        } else {
            "Stopped before a draw was done: press Draw again"
        };
        return placeholder(&area, message);
    }
    area.fill(&WHITE)?;
    let truth = units.from_nats(request.mi_nats);
    // InfoNCE's ceiling: ln of the batch it is evaluated on (cut to half the sample).
    let batch = CRITIC_BATCH.min(request.samples / 2).max(2);
    let ceiling = units.from_nats((batch as f64).ln());
    let values: Vec<f64> = draws
        .iter()
        .flat_map(|d| Estimator::ALL.iter().filter_map(|e| e.of(d)))
        .map(|v| units.from_nats(v))
        .collect();
    let top = values.iter().copied().fold(truth.max(ceiling), f64::max) * 1.1 + 0.1;
    let bottom = values.iter().copied().fold(0.0, f64::min).max(-top) - 0.1;
    let range = (bottom, top);

    let (plot, strip) = with_legend(&area);
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.5f64..6.5f64, bottom..top)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(RGBColor(0xee, 0xee, 0xee))
        .bold_line_style(RGBColor(0xd8, 0xd8, 0xd8))
        .x_labels(14)
        .x_label_formatter(&|v| {
            let i = v.round();
            if (v - i).abs() < 1e-6 && (0.0..7.0).contains(&i) {
                Estimator::ALL[i as usize].label().to_string()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|v| one_place(v))
        .y_desc(format!("estimate ({})", units.label()))
        .axis_desc_style((FONT, 15))
        .label_style((FONT, 13))
        .draw()?;

    chart.draw_series(LineSeries::new(
        vec![(-0.5, truth), (6.5, truth)],
        BLACK.stroke_width(2),
    ))?;
    let infonce = 4.0;
    chart.draw_series(DashedLineSeries::new(
        vec![(infonce - 0.4, ceiling), (infonce + 0.4, ceiling)],
        5,
        4,
        PALETTE[0].stroke_width(2),
    ))?;
    let mut clipped = false;
    for (i, estimator) in Estimator::ALL.iter().enumerate() {
        let column: Vec<f64> = draws
            .iter()
            .filter_map(|d| estimator.of(d))
            .map(|v| units.from_nats(v))
            .collect();
        let n = column.len().max(1) as f64;
        let color = colour(*estimator);
        // The draws side by side across the column, so equal values do not hide each other; a
        // value off the axis is a triangle on its edge, pointing the way it went.
        for (j, &v) in column.iter().enumerate() {
            let x = i as f64 + 0.5 * ((j as f64 + 0.5) / n - 0.5);
            let at = (x, clamp(v, range));
            if v < range.0 || v > range.1 {
                clipped = true;
                let (tip, base) = if v < range.0 { (6, -4) } else { (-6, 4) };
                chart.draw_series(std::iter::once(
                    EmptyElement::at(at)
                        + Polygon::new(vec![(0, tip), (-5, base), (5, base)], color.filled()),
                ))?;
            } else {
                chart.draw_series(std::iter::once(Circle::new(at, 4, color.filled())))?;
            }
        }
        if let Some((mean, _)) = mean_and_spread(&column) {
            let y = clamp(mean, range);
            chart.draw_series(LineSeries::new(
                vec![(i as f64 - 0.35, y), (i as f64 + 0.35, y)],
                color.stroke_width(3),
            ))?;
        }
    }
    let mut legend = vec![
        ("true MI".into(), BLACK, Mark::Line { width: 2 }),
        ("one draw".into(), PALETTE[1], Mark::Dot),
        ("mean".into(), PALETTE[1], Mark::Line { width: 3 }),
        (format!("cap, ln {batch}"), PALETTE[0], Mark::Dashed),
    ];
    if clipped {
        // The table holds the value; the chart only says where it went.
        legend.push((
            "▼ off the axis".into(),
            RGBColor(0x66, 0x66, 0x66),
            Mark::Dot,
        ));
    }
    draw_legend(&strip, &legend)?;
    area.present()?;
    Ok(())
}

/// An exponential moving average of `values` (weight `alpha` on the newest), as Poole et al.
/// smoothed their staircase plots.
fn smoothed(values: impl Iterator<Item = f64>, alpha: f64) -> Vec<f64> {
    let mut average = None;
    values
        .map(|v| {
            let next = match average {
                None => v,
                Some(a) => alpha * v + (1.0 - alpha) * a,
            };
            average = Some(next);
            next
        })
        .collect()
}

pub fn draw_staircase(lab: &LabState, area: Area) -> DrawResult {
    let units = lab.units.get();
    let run = lab.staircase.get();
    if run.points.is_empty() {
        let message = if lab.task.get().is_some() {
            "Training the critics..."
        } else {
            "Press Run the staircase"
        };
        return placeholder(&area, message);
    }
    area.fill(&WHITE)?;
    let config = &run.config;
    let total = run.total_steps.max(1) as f64;
    let top_level = config.levels.iter().copied().fold(0.0, f64::max);
    let top = units.from_nats(top_level) * 1.2;
    let bottom = -0.1 * top;
    let range = (bottom, top);
    let ceiling = units.from_nats((config.batch as f64).ln());

    let (plot, strip) = with_legend(&area);
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(0f64..total, bottom..top)?;
    mesh_style(
        &mut chart,
        ("training step", whole),
        (&format!("MI ({})", units.label()), one_place),
    )?;

    // The true staircase: each level across its steps.
    let mut truth = Vec::new();
    for (l, level) in config.levels.iter().enumerate() {
        let v = units.from_nats(*level);
        truth.push(((l * config.steps_per_level) as f64, v));
        truth.push((((l + 1) * config.steps_per_level) as f64, v));
    }
    chart.draw_series(LineSeries::new(truth, BLACK.stroke_width(2)))?;
    chart.draw_series(DashedLineSeries::new(
        vec![(0.0, ceiling), (total, ceiling)],
        6,
        6,
        PALETTE[0].stroke_width(2),
    ))?;

    let mut legend = vec![("true MI".to_string(), BLACK, Mark::Line { width: 2 })];
    for (b, bound) in Bound::ALL.iter().enumerate() {
        let color = colour(Estimator::Critic(*bound));
        let average = smoothed(
            run.points.iter().map(|p| units.from_nats(p.estimates[b])),
            0.05,
        );
        let line: Vec<(f64, f64)> = run
            .points
            .iter()
            .zip(average)
            .map(|(p, v)| (p.step as f64, clamp(v, range)))
            .collect();
        chart.draw_series(LineSeries::new(thinned(&line, 800), color.stroke_width(2)))?;
        legend.push((bound.label().to_string(), color, Mark::Line { width: 2 }));
    }
    legend.push((
        format!("cap, ln {}", config.batch),
        PALETTE[0],
        Mark::Dashed,
    ));
    draw_legend(&strip, &legend)?;
    area.present()?;
    Ok(())
}

/// The colour of a measurement taken at `fraction` of the run (0 to 1): from sand to indigo
/// (two ends of Paul Tol's muted scheme), light to dark, so the order reads without colour too.
fn step_colour(fraction: f64) -> RGBColor {
    let (a, b) = ((0xdd, 0xcc, 0x77), (0x33, 0x22, 0x88));
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * fraction) as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

pub fn draw_plane(lab: &LabState, area: Area) -> DrawResult {
    let units = lab.units.get();
    let estimator = lab.plane_estimator.get();
    let run = lab.plane.get();
    if run.points.is_empty() {
        let message = if lab.task.get() == Some(super::Task::Plane) {
            "Fetching the digits and measuring step 0..."
        } else {
            "Press Train and measure"
        };
        return placeholder(&area, message);
    }
    area.fill(&WHITE)?;
    let first = &run.points[0];
    let samples_cap = run
        .points
        .iter()
        .flat_map(|p| &p.layers)
        .map(|l| l.binning.input.max(l.kde.input))
        .fold(1.0, f64::max);
    let x_top = units.from_nats(samples_cap) * 1.05;
    let y_top = units.from_nats(first.label_entropy) * 1.05;

    let (plot, strip) = with_legend(&area);
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(0f64..x_top, 0f64..y_top)?;
    mesh_style(
        &mut chart,
        (&format!("I(X;T) ({})", units.label()), one_place),
        (&format!("I(T;Y) ({})", units.label()), one_place),
    )?;
    let last_step = run.config.steps.max(1) as f64;
    let layers = first.layers.len();
    let label_style = TextStyle::from((FONT, 14).into_font()).color(&BLACK);
    for layer in 0..layers {
        let path: Vec<(f64, f64, usize)> = run
            .points
            .iter()
            .filter_map(|p| p.layers.get(layer).map(|l| (l, p.step)))
            .map(|(l, step)| {
                let info = match estimator {
                    super::PlaneEstimator::Binning => l.binning,
                    super::PlaneEstimator::Kde => l.kde,
                };
                (
                    units.from_nats(info.input),
                    units.from_nats(info.label),
                    step,
                )
            })
            .collect();
        chart.draw_series(LineSeries::new(
            path.iter().map(|&(x, y, _)| (x, y)),
            RGBColor(0xbb, 0xbb, 0xbb).stroke_width(1),
        ))?;
        chart.draw_series(path.iter().map(|&(x, y, step)| {
            Circle::new((x, y), 4, step_colour(step as f64 / last_step).filled())
        }))?;
        if let Some(&(x, y, _)) = path.last() {
            chart.draw_series(std::iter::once(Text::new(
                format!("T{}", layer + 1),
                (x, y),
                label_style.clone(),
            )))?;
        }
    }
    let mut legend = vec![
        ("step 0".to_string(), step_colour(0.0), Mark::Dot),
        (
            format!("step {}", run.config.steps / 2),
            step_colour(0.5),
            Mark::Dot,
        ),
        (
            format!("step {}", run.config.steps),
            step_colour(1.0),
            Mark::Dot,
        ),
    ];
    legend.push((
        "T1..: layers".to_string(),
        RGBColor(0xbb, 0xbb, 0xbb),
        Mark::Line { width: 1 },
    ));
    draw_legend(&strip, &legend)?;
    area.present()?;
    Ok(())
}

/// Reads one number from a compression run's result.
type Reading = fn(&ssl_core::mi::compression::CompressionResult) -> f64;

pub fn draw_compression(lab: &LabState, area: Area) -> DrawResult {
    use ssl_core::mi::compression::{BETA_GRID, Swept, sweep_values};
    let sweep = lab.compression.get();
    if sweep.results.is_empty() {
        let message = if lab.task.get() == Some(super::Task::Compression) {
            "Training the first network..."
        } else {
            "Press Sweep β or Sweep the augmentation"
        };
        return placeholder(&area, message);
    }
    area.fill(&WHITE)?;
    // The swept values at evenly spaced positions (the β grid is logarithmic, with 0 first).
    let values = match sweep.swept {
        Swept::Resample => sweep_values(Swept::Resample),
        _ => BETA_GRID.to_vec(),
    };
    let position = |v: f64| values.iter().position(|x| *x == v).unwrap_or(0) as f64;
    let (x_desc, swept_of): (&str, Reading) = match sweep.swept {
        Swept::Resample => ("chance that a view redraws the mark", |r| r.resample),
        _ => ("compression weight β", |r| r.beta),
    };
    let (plot, strip) = with_legend(&area);
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.3f64..(values.len() as f64 - 0.7), 0f64..1f64)?;
    let labels: Vec<String> = values.iter().map(|v| format!("{v}")).collect();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(RGBColor(0xee, 0xee, 0xee))
        .bold_line_style(RGBColor(0xd8, 0xd8, 0xd8))
        .x_labels(2 * values.len())
        .x_label_formatter(&|v| {
            let i = v.round();
            if (v - i).abs() < 1e-6 && i >= 0.0 {
                labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|v| one_place(v))
        .x_desc(x_desc)
        .y_desc("test accuracy (linear probe)")
        .axis_desc_style((FONT, 15))
        .label_style((FONT, 13))
        .draw()?;
    let right = values.len() as f64 - 0.7;
    let tasks: [(&str, RGBColor, Reading, f64); 2] = [
        ("class (task A)", PALETTE[1], |r| r.class_accuracy, 0.1),
        ("mark (task B)", PALETTE[0], |r| r.attribute_accuracy, 0.5),
    ];
    let mut legend = Vec::new();
    for (name, color, accuracy, chance) in tasks {
        let mut points: Vec<(f64, f64)> = sweep
            .results
            .iter()
            .map(|r| (position(swept_of(r)), accuracy(r)))
            .collect();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        chart.draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))?;
        chart.draw_series(points.iter().map(|&p| Circle::new(p, 4, color.filled())))?;
        chart.draw_series(DashedLineSeries::new(
            vec![(-0.3, chance), (right, chance)],
            5,
            5,
            color.stroke_width(1),
        ))?;
        legend.push((name.to_string(), color, Mark::Line { width: 2 }));
        legend.push((format!("chance {chance}"), color, Mark::Dashed));
    }
    draw_legend(&strip, &legend)?;
    area.present()?;
    Ok(())
}
