//! A report's chart as the data `charts.js` draws: stacked shares, lines or
//! bars, with the comparison period beside the chosen one.
//!
//! Must not compute a figure: shares and counts are the report's, only
//! rounded for the chart.

use komhen_core::reports::bank::ChartKind;
use komhen_core::reports::{Dates, Report, ReportRow};
use serde_json::json;

/// Most bars a chart draws (the table has all rows).
const CHART_BARS: usize = 15;

/// The data `charts.js` draws.
pub(super) fn chart_json(report: &Report, kind: ChartKind) -> String {
    let period = report.request.dates.label_da();
    let label = |r: &ReportRow| {
        r.keys
            .iter()
            .map(|k| k.label.as_str())
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let value = match (kind, report.dimensions.len()) {
        (ChartKind::Stacked, 2) => {
            // Categories: the first dimension (and its comparison); series:
            // the second dimension's shares within it.
            let mut firsts: Vec<&str> = Vec::new();
            let mut seconds: Vec<&str> = Vec::new();
            for r in &report.rows {
                if !firsts.contains(&r.keys[0].label.as_str()) {
                    firsts.push(&r.keys[0].label);
                }
                if !seconds.contains(&r.keys[1].label.as_str()) {
                    seconds.push(&r.keys[1].label);
                }
            }
            let compared = report.request.comparison;
            let mut categories = Vec::new();
            for f in &firsts {
                categories.push(format!("{f} {}", period_short(report.request.dates)));
                if let Some(c) = compared {
                    categories.push(format!("{f} {}", period_short(c)));
                }
            }
            let series: Vec<_> = seconds
                .iter()
                .map(|s| {
                    let mut data = Vec::new();
                    for f in &firsts {
                        let row = report
                            .rows
                            .iter()
                            .find(|r| r.keys[0].label == *f && r.keys[1].label == *s);
                        data.push(row.map_or(0.0, |r| round1(r.share * 100.0)));
                        if compared.is_some() {
                            data.push(
                                row.and_then(|r| r.comparison)
                                    .map_or(0.0, |c| round1(c.share * 100.0)),
                            );
                        }
                    }
                    json!({"name": s, "data": data})
                })
                .collect();
            json!({"kind": "stacked", "categories": categories, "series": series, "percent": true})
        }
        (ChartKind::Line, 2) => {
            let mut xs: Vec<&str> = Vec::new();
            let mut names: Vec<&str> = Vec::new();
            for r in &report.rows {
                if !xs.contains(&r.keys[0].label.as_str()) {
                    xs.push(&r.keys[0].label);
                }
                if !names.contains(&r.keys[1].label.as_str()) {
                    names.push(&r.keys[1].label);
                }
            }
            let series: Vec<_> = names
                .iter()
                .map(|n| {
                    let data: Vec<i64> = xs
                        .iter()
                        .map(|x| {
                            report
                                .rows
                                .iter()
                                .find(|r| r.keys[0].label == *x && r.keys[1].label == *n)
                                .map_or(0, |r| r.inquiries)
                        })
                        .collect();
                    json!({"name": n, "data": data})
                })
                .collect();
            json!({"kind": "line", "categories": xs, "series": series, "percent": false})
        }
        (ChartKind::Line, _) => {
            let xs: Vec<String> = report.rows.iter().map(label).collect();
            let data: Vec<i64> = report.rows.iter().map(|r| r.inquiries).collect();
            json!({"kind": "line", "categories": xs, "series": [{"name": period, "data": data}], "percent": false})
        }
        _ => {
            let mut rows: Vec<&ReportRow> = report.rows.iter().collect();
            rows.sort_by_key(|r| std::cmp::Reverse(r.inquiries));
            rows.truncate(CHART_BARS);
            let categories: Vec<String> = rows.iter().map(|r| label(r)).collect();
            let mut series = vec![json!({
                "name": period,
                "data": rows.iter().map(|r| r.inquiries).collect::<Vec<_>>(),
            })];
            if let Some(c) = report.request.comparison {
                series.push(json!({
                    "name": c.label_da(),
                    "data": rows.iter().map(|r| r.comparison.map_or(0, |c| c.inquiries)).collect::<Vec<_>>(),
                }));
            }
            json!({"kind": "bar", "categories": categories, "series": series, "percent": false})
        }
    };
    value.to_string()
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// A period's short name in a chart: its year, or its dates.
fn period_short(d: Dates) -> String {
    use chrono::Datelike;
    if d.from.year() == d.to.year() {
        d.from.year().to_string()
    } else {
        d.label_da()
    }
}
