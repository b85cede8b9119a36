//! Small SVG charts a person reads at a glance; each sits above the table of its figures, whose
//! rows link to the lists behind them.

use leptos::prelude::*;

const W: f64 = 560.0;
const H: f64 = 140.0;
const PAD: f64 = 4.0;

fn x_of(i: usize, n: usize) -> f64 {
    if n <= 1 {
        W / 2.0
    } else {
        PAD + i as f64 * (W - 2.0 * PAD) / (n - 1) as f64
    }
}

/// A share per day (0 to 1) as a line with a dot per day.
#[component]
pub fn ShareLine(#[prop(into)] testid: String, days: Vec<String>, values: Vec<f64>) -> impl IntoView {
    let n = values.len();
    let y = |v: f64| H - PAD - v.clamp(0.0, 1.0) * (H - 2.0 * PAD);
    let points: Vec<String> =
        values.iter().enumerate().map(|(i, v)| format!("{:.1},{:.1}", x_of(i, n), y(*v))).collect();
    view! {
        <svg class="chart" data-testid=testid viewBox=format!("0 0 {W} {H}") preserveAspectRatio="none" role="img">
            <line x1="0" x2=W y1=y(0.5) y2=y(0.5) class="grid"/>
            <polyline fill="none" class="line" points=points.join(" ")/>
            {values.iter().enumerate().map(|(i, v)| view! {
                <circle cx=x_of(i, n) cy=y(*v) r="3" class="dot"><title>{format!("{}: {:.0}%", days[i], 100.0 * v)}</title></circle>
            }).collect_view()}
        </svg>
    }
}

/// Stacked bars per day: each series a class, bottom first.
#[component]
pub fn StackedBars(
    #[prop(into)] testid: String,
    days: Vec<String>,
    series: Vec<(&'static str, Vec<i64>)>,
) -> impl IntoView {
    let n = days.len().max(1);
    let totals: Vec<i64> = (0..days.len()).map(|i| series.iter().map(|(_, v)| v[i]).sum()).collect();
    let max = totals.iter().copied().max().unwrap_or(0).max(1) as f64;
    let slot = (W - 2.0 * PAD) / n as f64;
    let width = (slot * 0.7).max(1.0);
    let mut rects = Vec::new();
    for i in 0..days.len() {
        let mut base = H - PAD;
        for (class, values) in &series {
            let h = values[i] as f64 / max * (H - 2.0 * PAD);
            base -= h;
            rects.push((
                PAD + i as f64 * slot + (slot - width) / 2.0,
                base,
                h,
                *class,
                format!("{}: {} {}", days[i], values[i], class),
            ));
        }
    }
    view! {
        <svg class="chart" data-testid=testid viewBox=format!("0 0 {W} {H}") preserveAspectRatio="none" role="img">
            {rects.into_iter().map(|(x, y, h, class, title)| view! {
                <rect x=x y=y width=width height=h class=class><title>{title}</title></rect>
            }).collect_view()}
        </svg>
    }
}

/// Two series side by side per day (inflow against resolved).
#[component]
pub fn PairedBars(
    #[prop(into)] testid: String,
    days: Vec<String>,
    first: (&'static str, Vec<i64>),
    second: (&'static str, Vec<i64>),
) -> impl IntoView {
    let n = days.len().max(1);
    let max = first.1.iter().chain(&second.1).copied().max().unwrap_or(0).max(1) as f64;
    let slot = (W - 2.0 * PAD) / n as f64;
    let width = (slot * 0.38).max(1.0);
    let mut rects = Vec::new();
    for i in 0..days.len() {
        for (k, (class, values)) in [&first, &second].into_iter().enumerate() {
            let h = values[i] as f64 / max * (H - 2.0 * PAD);
            let x = PAD + i as f64 * slot + slot * 0.1 + k as f64 * width;
            rects.push((x, H - PAD - h, h, *class, format!("{}: {} {}", days[i], values[i], class)));
        }
    }
    view! {
        <svg class="chart" data-testid=testid viewBox=format!("0 0 {W} {H}") preserveAspectRatio="none" role="img">
            {rects.into_iter().map(|(x, y, h, class, title)| view! {
                <rect x=x y=y width=width height=h class=class><title>{title}</title></rect>
            }).collect_view()}
        </svg>
    }
}

/// A share as a horizontal bar inside a table cell.
#[component]
pub fn Meter(value: f64) -> impl IntoView {
    view! {
        <span class="meter" title=format!("{:.0}%", 100.0 * value)>
            <span style=format!("width: {:.1}%", 100.0 * value.clamp(0.0, 1.0))></span>
        </span>
    }
}
