//! The three live charts, each a canvas drawn by plotters beside its explainer paragraph.
//!
//! Each chart's drawing function takes the run's [`History`] and a canvas, and is called by an
//! effect whenever the chart's [`Revision`] of the history changes; nothing else draws.

mod cdnv;
mod embedding;
mod layers;
mod loss;
mod ncc;
mod probes;
mod random_targets;

use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use std::rc::Rc;
use web_sys::HtmlCanvasElement;

use ssl_core::data::Dataset;
use ssl_core::method::Method;

use super::{AppState, History};
use crate::protocol::RunId;

/// What a chart's picture depends on, cheap to compare: the run, its data set, and two counts
/// of the parts of the history the chart draws. A chart is redrawn only when its revision
/// changes. When every chart redrew on every progress message (25 a second), drawing took
/// most of the main thread's time while training, in tasks of up to 90 ms.
pub type Revision = (RunId, Dataset, usize, usize);

/// The revision of the charts drawn from the evaluations (NCC, probes, CDNV).
fn evaluations_revision(h: &History) -> Revision {
    let references = usize::from(h.pixels.is_some()) + 2 * usize::from(h.untrained.is_some());
    (h.run, h.dataset, h.evaluations.len(), references)
}

/// What the charts draw on: the canvas on the page, or an SVG document for a download. Its
/// errors are boxed into [`DrawResult`]s, so they must own their data.
pub trait Backend: DrawingBackend<ErrorType: 'static> {}
impl<B: DrawingBackend<ErrorType: 'static>> Backend for B {}

/// A chart's drawing area, on a canvas unless said otherwise.
pub type Area<B = CanvasBackend> = DrawingArea<B, plotters::coord::Shift>;

/// Colours that stay distinct for readers with the common colour-vision deficiencies: Paul Tol's
/// "muted" scheme, with black in place of its pale grey.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(0xcc, 0x66, 0x77),
    RGBColor(0x33, 0x22, 0x88),
    RGBColor(0xdd, 0xcc, 0x77),
    RGBColor(0x11, 0x77, 0x33),
    RGBColor(0x88, 0xcc, 0xee),
    RGBColor(0x88, 0x22, 0x55),
    RGBColor(0x44, 0xaa, 0x99),
    RGBColor(0x99, 0x99, 0x33),
    RGBColor(0xaa, 0x44, 0x99),
    RGBColor(0x00, 0x00, 0x00),
];

/// The font of every label.
pub const FONT: &str = "sans-serif";

pub type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// The training view's charts, by their canvas's test id, with a short name: the charts that
/// can be saved as pictures and embedded alone (`embed=` names them without `chart-`).
pub const CHARTS: [(&str, &str); 8] = [
    ("chart-loss", "Loss terms"),
    ("chart-ncc", "NCC accuracy"),
    ("chart-compare", "Compare"),
    ("chart-probes", "Probes"),
    ("chart-cdnv", "CDNV"),
    ("chart-layers", "Layer by layer"),
    ("chart-random-targets", "Random targets"),
    ("chart-embedding", "Test embeddings"),
];

/// The size of every chart's canvas, and of its SVG.
pub const CHART_SIZE: (u32, u32) = (640, 360);

/// Draws a chart into an SVG document.
pub fn svg_string(draw: impl FnOnce(Area<SVGBackend<'_>>) -> DrawResult) -> Result<String, String> {
    let mut out = String::new();
    {
        let backend = SVGBackend::with_string(&mut out, CHART_SIZE);
        draw(backend.into_drawing_area()).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// Draws a chart as SVG, from what is on screen now.
pub type SvgExport = Rc<dyn Fn() -> Result<String, String>>;

/// The charts on the page that can be saved as SVG, by their canvas's test id: each chart
/// registers how to draw itself again on an SVG backend. Shared through the context.
#[derive(Clone, Copy)]
pub struct SvgExports(StoredValue<Vec<(&'static str, SvgExport)>, LocalStorage>);

impl SvgExports {
    pub fn new() -> Self {
        Self(StoredValue::new_local(Vec::new()))
    }

    pub fn register(&self, testid: &'static str, export: SvgExport) {
        self.0.update_value(|v| v.push((testid, export)));
    }

    /// The SVG of the chart `testid`, drawn now.
    pub fn svg(&self, testid: &str) -> Result<String, String> {
        let export = self.0.with_value(|v| {
            v.iter()
                .find(|(id, _)| *id == testid)
                .map(|(_, e)| Rc::clone(e))
        });
        export.ok_or_else(|| "that chart is not on the page".to_string())?()
    }
}

/// Draws on `canvas` with `draw` once it is mounted, and again whenever a signal `draw` reads
/// changes. A failure is logged under `name`; the canvas keeps its last picture.
pub fn paint_on(
    canvas: NodeRef<Canvas>,
    name: &'static str,
    draw: impl Fn(Area) -> DrawResult + 'static,
) {
    Effect::new(move |_| {
        let Some(element) = canvas.get() else { return };
        let element: HtmlCanvasElement = element;
        let Some(backend) = CanvasBackend::with_canvas_object(element) else {
            return;
        };
        if let Err(e) = draw(backend.into_drawing_area()) {
            web_sys::console::warn_1(&format!("{name}: drawing failed: {e}").into());
        }
    });
}

/// A chart's `draw` as a function that draws it into an SVG document.
macro_rules! svg_of {
    ($draw:path) => {
        |h: &History| svg_string(|area| $draw(h, area))
    };
}

/// One chart: a heading, the canvas and the explainer paragraph.
#[component]
fn ChartPanel(
    title: &'static str,
    testid: &'static str,
    /// The explainer paragraph for the run's method.
    explainer: fn(Method) -> &'static str,
    draw: fn(&History, Area) -> DrawResult,
    /// The same drawing on an SVG backend (see [`svg_of`]).
    svg: fn(&History) -> Result<String, String>,
    /// What the picture depends on (see [`Revision`]).
    revision: fn(&History) -> Revision,
    /// On an embedded page, the one chart shown: the others are not built at all.
    only: Option<&'static str>,
) -> impl IntoView {
    if only.is_some_and(|o| o != testid) {
        return None;
    }
    let state = expect_context::<AppState>();
    let canvas = NodeRef::<Canvas>::new();
    let current = Memo::new(move |_| state.history.with(revision));
    expect_context::<SvgExports>()
        .register(testid, Rc::new(move || state.history.with_untracked(svg)));
    paint_on(canvas, title, move |area| {
        // Read, not just tracked: a memo nobody has read is never computed, and so never
        // notices its history change (every chart stayed blank that way).
        let _ = current.get();
        state.history.with_untracked(|h| draw(h, area))
    });
    Some(view! {
        <figure class="panel chart">
            <figcaption><h2>{title}</h2></figcaption>
            <canvas node_ref=canvas data-testid=testid aria-label=title
                width="640" height="360"></canvas>
            <p class="explainer">
                {move || explainer(state.run_settings.with(|s| s.method))}
            </p>
        </figure>
    })
}

/// Every chart, or only the one whose canvas has the test id `only` (an embedded page).
#[component]
pub fn Charts(#[prop(optional)] only: Option<&'static str>) -> impl IntoView {
    view! {
        <ChartPanel
            title="Loss terms"
            testid="chart-loss"
            only=only
            explainer=|method| match method {
                Method::Vicreg => include_str!("../../../www/text/loss-vicreg.txt"),
                Method::Simclr => include_str!("../../../www/text/loss-simclr.txt"),
                Method::Barlow => include_str!("../../../www/text/loss-barlow.txt"),
                Method::Rotation => include_str!("../../../www/text/loss-rotation.txt"),
                Method::Jigsaw => include_str!("../../../www/text/loss-jigsaw.txt"),
            }
            draw=loss::draw
            svg=svg_of!(loss::draw)
            revision=|h| (h.run, h.dataset, h.steps.len(), 0)
        />
        <ChartPanel
            title="Clustering by class (NCC accuracy)"
            testid="chart-ncc"
            only=only
            explainer=|_| include_str!("../../../www/text/ncc.txt")
            draw=ncc::draw
            svg=svg_of!(ncc::draw)
            revision=evaluations_revision
        />
        <super::compare::ComparePanel only />
        <ChartPanel
            title="Probes: linear, kNN, coarse classes"
            testid="chart-probes"
            only=only
            explainer=|_| include_str!("../../../www/text/probes.txt")
            draw=probes::draw
            svg=svg_of!(probes::draw)
            revision=evaluations_revision
        />
        <ChartPanel
            title="Cluster tightness (CDNV)"
            testid="chart-cdnv"
            only=only
            explainer=|_| include_str!("../../../www/text/cdnv.txt")
            draw=cdnv::draw
            svg=svg_of!(cdnv::draw)
            revision=evaluations_revision
        />
        <ChartPanel
            title="Layer by layer (NCC)"
            testid="chart-layers"
            only=only
            explainer=|_| include_str!("../../../www/text/layers.txt")
            draw=layers::draw
            svg=svg_of!(layers::draw)
            revision=|h| {
                let step = h.layers.as_ref().map_or(0, |l| l.step + 1);
                (h.run, h.dataset, step, usize::from(h.layers_untrained.is_some()))
            }
        />
        <ChartPanel
            title="Semantic or random targets"
            testid="chart-random-targets"
            only=only
            explainer=|_| include_str!("../../../www/text/random-targets.txt")
            draw=random_targets::draw
            svg=svg_of!(random_targets::draw)
            revision=|h| {
                let step = h.random_targets.as_ref().map_or(0, |f| f.step + 1);
                (h.run, h.dataset, step, usize::from(h.random_targets_untrained.is_some()))
            }
        />
        <ChartPanel
            title="Test embeddings (PCA)"
            testid="chart-embedding"
            only=only
            explainer=|_| include_str!("../../../www/text/embedding.txt")
            draw=embedding::draw
            svg=svg_of!(embedding::draw)
            revision=|h| {
                let view = h.embedding.as_ref();
                let step = view.map_or(0, |v| v.step + 1);
                (h.run, h.dataset, step, view.map_or(0, |v| v.points.len()))
            }
        />
    }
}

/// Every `stride`-th item of `items` and the last one, so a long history draws in bounded time.
pub fn thinned<T: Copy>(items: &[T], most: usize) -> Vec<T> {
    if items.is_empty() {
        return Vec::new();
    }
    let stride = items.len().div_ceil(most.max(1)).max(1);
    let mut out: Vec<T> = items.iter().step_by(stride).copied().collect();
    if !(items.len() - 1).is_multiple_of(stride) {
        out.extend(items.last().copied());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::significant;

    #[test]
    fn log_ticks_read_as_plain_numbers_with_two_significant_digits() {
        let shown: Vec<String> = [0.3, 0.35, 0.7, 1.0, 1.4, 2.0, 20.0, 300.0, 4e4, 2e-4]
            .iter()
            .map(significant)
            .collect();
        assert_eq!(
            shown,
            [
                "0.3", "0.35", "0.7", "1", "1.4", "2", "20", "300", "4e4", "2e-4"
            ]
        );
    }
}

/// How a legend entry is marked.
#[derive(Clone, Copy)]
pub enum Mark {
    Line { width: u32 },
    Dashed,
    Dot,
}

/// The width of the legend strip at the right of every chart, in canvas pixels.
pub const LEGEND_WIDTH: u32 = 150;

/// Splits `area` into the plot and the legend strip at its right.
pub fn with_legend<B: Backend>(area: &Area<B>) -> (Area<B>, Area<B>) {
    let (w, _) = area.dim_in_pixel();
    area.split_horizontally(w.saturating_sub(LEGEND_WIDTH))
}

/// Draws legend entries top to bottom in `strip`, each a mark in its colour and its name.
pub fn draw_legend<B: Backend>(
    strip: &Area<B>,
    entries: &[(String, RGBColor, Mark)],
) -> DrawResult {
    let text = TextStyle::from((FONT, 14).into_font()).color(&BLACK);
    for (i, (name, color, mark)) in entries.iter().enumerate() {
        let y = 30 + 22 * i as i32;
        match *mark {
            Mark::Line { width } => strip.draw(&PathElement::new(
                vec![(6, y), (30, y)],
                color.stroke_width(width),
            ))?,
            Mark::Dashed => {
                for x in [6, 16, 26] {
                    strip.draw(&PathElement::new(
                        vec![(x, y), (x + 6, y)],
                        color.stroke_width(2),
                    ))?
                }
            }
            Mark::Dot => strip.draw(&Circle::new((18, y), 4, color.filled()))?,
        }
        strip.draw_text(name, &text, (38, y - 7))?;
    }
    Ok(())
}

/// How an axis writes its tick values.
pub type TickFormat = fn(&f64) -> String;

/// Whole numbers, for steps.
pub fn whole(v: &f64) -> String {
    format!("{v:.0}")
}

/// At most one decimal place, without a trailing ".0", and powers of ten for large values so
/// that tick labels never run into each other.
pub fn one_place(v: &f64) -> String {
    if v.abs() >= 1e4 {
        format!("{v:.0e}")
    } else if v.fract().abs() < 0.05 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// The chart of an accuracy over training steps: steps from 0 to `last_step` across, 0 to 1 up,
/// with [`mesh_style`]'s grid and `y_desc` as the y axis's title. Drawn on `plot`, the part of
/// the canvas left of the legend strip (see [`with_legend`]).
pub fn accuracy_chart<'a, B: Backend>(
    plot: &'a Area<B>,
    last_step: f64,
    y_desc: &str,
) -> Result<AccuracyChart<'a, B>, Box<dyn std::error::Error>> {
    let mut chart = ChartBuilder::on(plot)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(0f64..last_step, 0f64..1f64)?;
    mesh_style(&mut chart, ("training step", whole), (y_desc, one_place))?;
    Ok(chart)
}

/// What [`accuracy_chart`] returns.
pub type AccuracyChart<'a, B> = ChartContext<
    'a,
    B,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// The light grid, axis titles and tick labels every chart uses.
pub fn mesh_style<B: Backend, X, Y>(
    chart: &mut ChartContext<'_, B, Cartesian2d<X, Y>>,
    x: (&str, TickFormat),
    y: (&str, TickFormat),
) -> DrawResult
where
    X: plotters::coord::ranged1d::Ranged<ValueType = f64>
        + plotters::coord::ranged1d::ValueFormatter<f64>,
    Y: plotters::coord::ranged1d::Ranged<ValueType = f64>
        + plotters::coord::ranged1d::ValueFormatter<f64>,
{
    styled_mesh(chart, x, y, 10)
}

/// [`mesh_style`] with at most `y_labels` tick labels on the y axis.
fn styled_mesh<B: Backend, X, Y>(
    chart: &mut ChartContext<'_, B, Cartesian2d<X, Y>>,
    (x_desc, x_format): (&str, TickFormat),
    (y_desc, y_format): (&str, TickFormat),
    y_labels: usize,
) -> DrawResult
where
    X: plotters::coord::ranged1d::Ranged<ValueType = f64>
        + plotters::coord::ranged1d::ValueFormatter<f64>,
    Y: plotters::coord::ranged1d::Ranged<ValueType = f64>
        + plotters::coord::ranged1d::ValueFormatter<f64>,
{
    chart
        .configure_mesh()
        .light_line_style(RGBColor(0xee, 0xee, 0xee))
        .bold_line_style(RGBColor(0xd8, 0xd8, 0xd8))
        .y_labels(y_labels)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(&x_format)
        .y_label_formatter(&y_format)
        .axis_desc_style((FONT, 15))
        .label_style((FONT, 13))
        .draw()?;
    Ok(())
}

/// Two significant digits in plain notation (0.35, 1.4, 20, 300), powers of ten outside
/// `1e-3..1e4`: the tick labels of a log axis, which fall on 1-9 times a power of ten.
pub fn significant(v: &f64) -> String {
    let v = *v;
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    if !(1e-3..1e4).contains(&v.abs()) {
        return format!("{v:.0e}");
    }
    let digits = (1 - v.abs().log10().floor() as i32).max(0) as usize;
    let text = format!("{v:.digits$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// Points with their y value replaced by its base-10 logarithm: the log charts plot `log10(y)`
/// on a linear axis whose ticks [`log_mesh_style`] labels with `10^tick`. Plotters' own log axis
/// puts its labels only on 1 to 9 times a power of ten, so a curve within one decade (a
/// cross-entropy between 0.2 and 1.4) got one label or nine crowded ones.
pub fn log10(points: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    points.into_iter().map(|(x, y)| (x, y.log10())).collect()
}

/// [`mesh_style`] for a chart drawn through [`log10`]: the y ticks are evenly spaced in the
/// logarithm, at most six, each labelled with its value to two significant digits.
pub fn log_mesh_style<B: Backend, X, Y>(
    chart: &mut ChartContext<'_, B, Cartesian2d<X, Y>>,
    x: (&str, TickFormat),
    y_desc: &str,
) -> DrawResult
where
    X: plotters::coord::ranged1d::Ranged<ValueType = f64>
        + plotters::coord::ranged1d::ValueFormatter<f64>,
    Y: plotters::coord::ranged1d::Ranged<ValueType = f64>
        + plotters::coord::ranged1d::ValueFormatter<f64>,
{
    styled_mesh(chart, x, (y_desc, |v| significant(&10f64.powf(*v))), 6)
}

/// Writes `message` in the middle of an empty chart.
pub fn placeholder<B: Backend>(area: &Area<B>, message: &str) -> DrawResult {
    area.fill(&WHITE)?;
    let (w, h) = area.dim_in_pixel();
    let style = TextStyle::from((FONT, 18).into_font()).color(&RGBColor(0x66, 0x66, 0x66));
    area.draw_text(
        message,
        &style,
        (w as i32 / 2 - 4 * message.len() as i32, h as i32 / 2),
    )?;
    area.present()?;
    Ok(())
}
