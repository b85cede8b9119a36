//! Small SVG charts a person reads at a glance, with their axes: the value scale on the left,
//! dates (month-day, UTC days) below, and each day's values on hover (`<title>`). Drawn by the
//! server like the rest of the page: no chart library in the browser, nothing to load, and the
//! same picture before and after hydration. Each sits above the table of its figures, whose rows
//! link to the lists behind them.

use leptos::prelude::*;

const W: f64 = 560.0;
const H: f64 = 160.0;
/// Room for the value labels on the left and the dates below.
const LEFT: f64 = 40.0;
const BOTTOM: f64 = 20.0;
const TOP: f64 = 8.0;
const RIGHT: f64 = 8.0;
/// Dates written under the axis at most (every day of 90 would overlap).
const DATE_LABELS: usize = 7;

fn plot_w() -> f64 {
    W - LEFT - RIGHT
}

fn plot_h() -> f64 {
    H - TOP - BOTTOM
}

/// The centre of day `i` of `n`.
fn x_of(i: usize, n: usize) -> f64 {
    LEFT + (i as f64 + 0.5) * plot_w() / n.max(1) as f64
}

/// The height of `v` on a scale up to `max`.
fn y_of(v: f64, max: f64) -> f64 {
    TOP + plot_h() * (1.0 - (v / max).clamp(0.0, 1.0))
}

/// A round top for a count scale: 1, 2, 5, 10, 20, 50… at or above `max`.
fn nice_max(max: i64) -> i64 {
    let mut step = 1;
    loop {
        for m in [1, 2, 5] {
            if m * step >= max.max(1) {
                return m * step;
            }
        }
        step *= 10;
    }
}

/// The axes: value labels (`ticks` as text at their heights) and every few days' date.
#[component]
fn Axes(days: Vec<String>, ticks: Vec<(f64, String)>) -> impl IntoView {
    let n = days.len();
    let every = n.div_ceil(DATE_LABELS).max(1);
    view! {
        {ticks
            .into_iter()
            .map(|(y, label)| {
                view! {
                    <line x1={LEFT} x2={W - RIGHT} y1={y} y2={y} class="grid" />
                    <text x={LEFT - 4.0} y={y + 3.0} text-anchor="end" class="axis">
                        {label}
                    </text>
                }
            })
            .collect_view()}
        <line x1={LEFT} x2={W - RIGHT} y1={H - BOTTOM} y2={H - BOTTOM} class="axis-line" />
        {days
            .iter()
            .enumerate()
            .filter(|(i, _)| (n - 1 - i) % every == 0)
            .map(|(i, d)| {
                view! {
                    <text x={x_of(i, n)} y={H - 5.0} text-anchor="middle" class="axis">
                        {d.get(5..).unwrap_or(d).to_string()}
                    </text>
                }
            })
            .collect_view()}
    }
}

fn count_ticks(max: i64) -> Vec<(f64, String)> {
    [0, max / 2, max].into_iter().map(|v| (y_of(v as f64, max as f64), v.to_string())).collect()
}

/// A share per day (0 to 1) as a line with a dot per day.
#[component]
pub fn ShareLine(
    #[prop(into)] testid: String,
    #[prop(into)] label: String,
    days: Vec<String>,
    values: Vec<f64>,
) -> impl IntoView {
    let n = values.len();
    let points: Vec<String> =
        values.iter().enumerate().map(|(i, v)| format!("{:.1},{:.1}", x_of(i, n), y_of(*v, 1.0))).collect();
    let ticks = [0.0, 0.5, 1.0].into_iter().map(|v| (y_of(v, 1.0), format!("{:.0}%", 100.0 * v))).collect();
    view! {
        <svg
            class="chart"
            data-testid={testid}
            viewBox={format!("0 0 {W} {H}")}
            role="img"
            aria-label={label.clone()}
        >
            <Axes days={days.clone()} ticks />
            <polyline fill="none" class="line" points={points.join(" ")} />
            {values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    view! {
                        <circle cx={x_of(i, n)} cy={y_of(*v, 1.0)} r="3" class="dot">
                            <title>{format!("{}: {label} {:.0}%", days[i], 100.0 * v)}</title>
                        </circle>
                    }
                })
                .collect_view()}
        </svg>
    }
}

/// One series of bars: its class (colour), its name in the reader's language, a value per day.
pub type Series = (&'static str, String, Vec<i64>);

/// Stacked bars per day: each series a class, bottom first.
#[component]
pub fn StackedBars(
    #[prop(into)] testid: String,
    #[prop(into)] label: String,
    days: Vec<String>,
    series: Vec<Series>,
) -> impl IntoView {
    let n = days.len().max(1);
    let totals: Vec<i64> = (0..days.len()).map(|i| series.iter().map(|(_, _, v)| v[i]).sum()).collect();
    let max = nice_max(totals.iter().copied().max().unwrap_or(0));
    let slot = plot_w() / n as f64;
    let width = (slot * 0.7).max(1.0);
    let mut rects = Vec::new();
    for (i, day) in days.iter().enumerate() {
        let mut top = 0;
        let title =
            series.iter().map(|(_, name, v)| format!("{name} {}", v[i])).collect::<Vec<_>>().join(" · ");
        for (class, _, values) in &series {
            let y = y_of((top + values[i]) as f64, max as f64);
            let h = y_of(top as f64, max as f64) - y;
            top += values[i];
            rects.push((x_of(i, n) - width / 2.0, y, h, *class, format!("{day}: {title}")));
        }
    }
    view! { <Bars testid label days max width rects /> }
}

/// Two series side by side per day (inflow against resolved).
#[component]
pub fn PairedBars(
    #[prop(into)] testid: String,
    #[prop(into)] label: String,
    days: Vec<String>,
    first: Series,
    second: Series,
) -> impl IntoView {
    let n = days.len().max(1);
    let max = nice_max(first.2.iter().chain(&second.2).copied().max().unwrap_or(0));
    let slot = plot_w() / n as f64;
    let width = (slot * 0.38).max(1.0);
    let mut rects = Vec::new();
    for (i, day) in days.iter().enumerate() {
        let title = format!("{day}: {} {} · {} {}", first.1, first.2[i], second.1, second.2[i]);
        for (k, (class, _, values)) in [&first, &second].into_iter().enumerate() {
            let y = y_of(values[i] as f64, max as f64);
            let x = x_of(i, n) - width + k as f64 * width;
            rects.push((x, y, H - BOTTOM - y, *class, title.clone()));
        }
    }
    view! { <Bars testid label days max width rects /> }
}

/// One bar: x, top, height, class (colour) and what hovering it says.
type Bar = (f64, f64, f64, &'static str, String);

/// Bars of one width on a count scale up to `max`, with their axes.
#[component]
fn Bars(
    testid: String,
    label: String,
    days: Vec<String>,
    max: i64,
    width: f64,
    rects: Vec<Bar>,
) -> impl IntoView {
    view! {
        <svg
            class="chart"
            data-testid={testid}
            viewBox={format!("0 0 {W} {H}")}
            role="img"
            aria-label={label}
        >
            <Axes days ticks={count_ticks(max)} />
            {rects
                .into_iter()
                .map(|(x, y, h, class, title)| {
                    view! {
                        <rect x={x} y={y} width={width} height={h} class={class}>
                            <title>{title}</title>
                        </rect>
                    }
                })
                .collect_view()}
        </svg>
    }
}

/// A share as a horizontal bar inside a table cell.
#[component]
pub fn Meter(value: f64) -> impl IntoView {
    view! {
        <span class="meter" title={format!("{:.0}%", 100.0 * value)}>
            <span style={format!("width: {:.1}%", 100.0 * value.clamp(0.0, 1.0))}></span>
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_end_on_round_numbers_and_values_stay_inside() {
        assert_eq!([0, 1, 3, 7, 12, 51, 999].map(nice_max), [1, 1, 5, 10, 20, 100, 1000]);
        assert_eq!(y_of(0.0, 10.0), H - BOTTOM, "zero on the axis");
        assert_eq!(y_of(10.0, 10.0), TOP);
        assert_eq!(y_of(50.0, 10.0), TOP, "clamped");
        assert!(x_of(0, 7) > LEFT && x_of(6, 7) < W - RIGHT);
    }
}
