//! The console's charts, drawn on the server as inline SVG: per-minute counts of the last hour
//! (events by connector, failures by kind) as stacked bars, one colour per label. The template
//! draws the shapes computed here; the labels are escaped by the template like every value.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::serve::metrics::Series;

/// The chart's size in SVG units.
const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 120.0;
const COLOURS: [&str; 8] = [
    "#3366cc", "#dc3912", "#ff9900", "#109618", "#990099", "#0099c6", "#dd4477", "#66aa00",
];

/// One bar segment.
#[derive(Debug, Serialize)]
pub(super) struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub colour: &'static str,
    /// The hover text: label, count and minute.
    pub title: String,
}

/// A legend entry.
#[derive(Debug, Serialize)]
pub(super) struct Legend {
    pub label: String,
    pub colour: &'static str,
    pub total: u64,
}

/// One chart.
#[derive(Debug, Serialize)]
pub(super) struct Chart {
    pub title: &'static str,
    pub width: f64,
    pub height: f64,
    /// The tallest minute's count (the scale).
    pub max: u64,
    pub rects: Vec<Rect>,
    pub legend: Vec<Legend>,
}

/// The chart of one series from the per-minute counts (minutes ago, series, label, count).
pub(super) fn chart(
    title: &'static str,
    series: Series,
    counts: &[(i64, Series, String, u64)],
) -> Chart {
    let mine: Vec<_> = counts
        .iter()
        .filter(|(ago, s, _, _)| *s == series && (0..60).contains(ago))
        .collect();
    let mut totals: BTreeMap<&str, u64> = BTreeMap::new();
    let mut per_minute = [0u64; 60];
    for (ago, _, label, n) in &mine {
        *totals.entry(label.as_str()).or_default() += n;
        per_minute[*ago as usize] += n;
    }
    let max = per_minute.iter().copied().max().unwrap_or(0);
    let colour_of = |label: &str| {
        let i = totals.keys().position(|l| *l == label).unwrap_or(0);
        COLOURS[i % COLOURS.len()]
    };
    let bar = WIDTH / 60.0;
    let mut stacked = [0u64; 60];
    let mut rects = Vec::new();
    for (ago, _, label, n) in &mine {
        let i = *ago as usize;
        let scale = |c: u64| c as f64 / max.max(1) as f64 * HEIGHT;
        stacked[i] += n;
        rects.push(Rect {
            // The current minute on the right.
            x: (59 - i) as f64 * bar,
            y: HEIGHT - scale(stacked[i]),
            w: bar - 1.0,
            h: scale(*n),
            colour: colour_of(label),
            title: format!("{label}: {n} ({ago} min ago)"),
        });
    }
    let legend = totals
        .iter()
        .map(|(l, t)| Legend {
            label: l.to_string(),
            colour: colour_of(l),
            total: *t,
        })
        .collect();
    Chart {
        title,
        width: WIDTH,
        height: HEIGHT,
        max,
        rects,
        legend,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacked_bars_scale_to_the_busiest_minute() {
        let counts = vec![
            (0, Series::Events, "razorpay".to_string(), 2),
            (0, Series::Events, "stripe".to_string(), 2),
            (5, Series::Events, "stripe".to_string(), 1),
            (0, Series::Failures, "InvalidSignature".to_string(), 9),
        ];
        let c = chart("events", Series::Events, &counts);
        assert_eq!(c.max, 4);
        assert_eq!(c.rects.len(), 3);
        // Both of the current minute's segments fill the full height together.
        let now: f64 = c.rects.iter().filter(|r| r.x > 580.0).map(|r| r.h).sum();
        assert!((now - HEIGHT).abs() < 1e-9);
        assert_eq!(c.legend.len(), 2);
        assert_eq!(c.legend[1].total, 3);
        let f = chart("failures", Series::Failures, &counts);
        assert_eq!(f.max, 9);
        assert_eq!(f.rects.len(), 1);
    }
}
