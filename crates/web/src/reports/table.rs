//! A report as the figures pages show it: a table whose figures link to the
//! registrations behind them, with its downloads, its pivot link, its chart
//! (drawn from `chart`) and the chart's text alternative; and `Section`, a
//! table of a page named by its grouping.
//!
//! Must not compute a figure: a cell is one of the report's numbers,
//! formatted.

use super::chart::chart_json;
use super::context::{link, Context};
use super::cost;
use crate::AppState;
use crate::WebError;
use komhen_core::reports::bank::ChartKind;
use komhen_core::reports::tabular::{self, decimal_da, thousands, Cell};
use komhen_core::reports::{Dimension, Order, Report, ReportQuery, ReportRow, ShareOf};

pub(crate) struct CellView {
    pub(crate) text: String,
    /// The same as the row above's (shown faintly, read always).
    pub(crate) repeat: bool,
    pub(crate) href: Option<String>,
    pub(crate) num: bool,
    /// Read out instead of the text by screen readers when set (a link's
    /// purpose).
    pub(crate) label: Option<String>,
}

pub(crate) struct TableView {
    pub(crate) id: String,
    pub(crate) caption: String,
    pub(crate) head: Vec<(String, bool)>,
    pub(crate) rows: Vec<Vec<CellView>>,
    pub(crate) total: Vec<CellView>,
    pub(crate) csv: String,
    pub(crate) xlsx: String,
    pub(crate) pivot: String,
    /// The chart's data for `charts.js`, when the table has a chart.
    pub(crate) chart: Option<String>,
    /// The chart's text alternative.
    pub(crate) chart_label: String,
    /// Rows left out of the page (the downloads have them all).
    pub(crate) more: String,
    /// By an answer: how many were asked, of all.
    pub(crate) asked: Option<String>,
    /// Why the table has no comparison although one was asked for.
    pub(crate) comparison_note: Option<String>,
}

/// What a page says when the comparison period asked for held nothing
/// (the engine then leaves the comparison out).
pub(super) fn empty_comparison_note(report: &Report) -> Option<String> {
    report.empty_comparison.map(|dates| {
        crate::t1(
            "Ingen sammenligning: der er ingen registreringer i sammenligningsperioden {0}, så en ændring ville kun vise hele perioden som vækst.",
            dates.label_da(),
        )
    })
}

pub(super) fn num(text: String) -> CellView {
    CellView {
        text,
        repeat: false,
        href: None,
        num: true,
        label: None,
    }
}

pub(super) fn text(text: String) -> CellView {
    CellView {
        text,
        repeat: false,
        href: None,
        num: false,
        label: None,
    }
}

pub(super) fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{}", thousands(n))
    } else {
        thousands(n)
    }
}

pub(super) fn signed_decimal(x: f64, decimals: usize) -> String {
    let s = decimal_da(x, decimals);
    if x > 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("+{s}")
    } else {
        s
    }
}

/// The drill-down behind a row: the table's query with one filter per key.
pub(super) fn drill_link(
    base: &str,
    query: &ReportQuery,
    dims: &[Dimension],
    row: &ReportRow,
) -> Option<String> {
    let mut q = query.clone();
    q.group_by.clear();
    q.share_of = ShareOf::Total;
    q.order = Order::Natural;
    q.median = false;
    for (d, key) in dims.iter().zip(&row.keys) {
        let filterable = match d {
            Dimension::Department | Dimension::Direction | Dimension::Medium => {
                !matches!(key.code.as_str(), "ingen" | "ukendt")
            }
            _ => true,
        };
        if !filterable {
            return None;
        }
        q = q.filtered(*d, &key.code);
    }
    Some(link(&format!("{base}/registreringer"), &q, &[]))
}

/// A report as the page's table with its links, downloads and chart.
pub(super) fn table_view(
    ctx: &Context,
    id: &str,
    caption: &str,
    report: &Report,
    query: &ReportQuery,
    chart: Option<ChartKind>,
    show_rows: usize,
) -> TableView {
    let columns = MeasureColumns::of(report);
    let rows: Vec<Vec<CellView>> = report
        .rows
        .iter()
        .take(show_rows)
        .enumerate()
        .map(|(i, row)| body_row(ctx, report, query, columns, i, row))
        .collect();
    TableView {
        id: id.to_owned(),
        caption: caption.to_owned(),
        head: table_head(report, columns),
        rows,
        total: total_row(ctx, report, query, columns),
        csv: link(&format!("{}/tabel.csv", ctx.base), query, &[]),
        xlsx: link(&format!("{}/tabel.xlsx", ctx.base), query, &[]),
        pivot: pivot_link(ctx, query, &report.dimensions),
        chart_label: chart_label(caption, report),
        chart: chart.map(|kind| chart_json(report, kind)),
        more: rows_left_out(report, show_rows),
        asked: report.asked.map(super::answers::asked_note),
        comparison_note: empty_comparison_note(report),
    }
}

/// The measure columns a table has beyond the count and the share.
#[derive(Clone, Copy)]
struct MeasureColumns {
    /// The comparison's count and share, and the changes.
    compared: bool,
    /// The median and mean registration time.
    durations: bool,
    /// The cost and the inquiries without a price (and the comparison's
    /// cost).
    cost: bool,
}

impl MeasureColumns {
    fn of(report: &Report) -> Self {
        Self {
            compared: report.request.comparison.is_some(),
            durations: report.total.mean_duration_s.is_some() && report.request.median,
            cost: report.request.cost,
        }
    }

    /// A row's measure cells; `what` names the row for a screen reader.
    fn cells(self, row: &ReportRow, href: Option<String>, what: &str) -> Vec<CellView> {
        let mut cells = vec![CellView {
            repeat: false,
            text: thousands(row.inquiries),
            label: href.as_ref().map(|_| {
                crate::t2(
                    "{0} henvendelser{1}: vis registreringerne",
                    thousands(row.inquiries),
                    what,
                )
            }),
            href,
            num: true,
        }];
        cells.push(num(tabular::Cell::Share(row.share).display_da()));
        if self.compared {
            match row.comparison {
                Some(c) => {
                    cells.push(num(thousands(c.inquiries)));
                    cells.push(num(Cell::Share(c.share).display_da()));
                    cells.push(num(match c.change_pct {
                        Some(p) => format!("{} ({} %)", signed(c.change), signed_decimal(p, 0)),
                        None => signed(c.change),
                    }));
                    cells.push(num(signed_decimal(c.share_change_pp, 1)));
                }
                None => cells.extend((0..4).map(|_| num(String::new()))),
            }
        }
        if self.durations {
            cells.push(num(row
                .median_duration_s
                .map_or(String::new(), |s| decimal_da(s, 0))));
            cells.push(num(row
                .mean_duration_s
                .map_or(String::new(), |s| decimal_da(s, 1))));
        }
        if self.cost {
            cells.push(num(cost::amount(row.cost)));
            cells.push(num(cost::unpriced(row.cost)));
            if self.compared {
                cells.push(num(cost::amount(row.comparison.and_then(|c| c.cost))));
            }
        }
        cells
    }
}

/// The table's headings: the dimensions', then the measures' (true: a
/// number column).
fn table_head(report: &Report, columns: MeasureColumns) -> Vec<(String, bool)> {
    let dims = &report.dimension_labels;
    let mut head: Vec<(String, bool)> = dims
        .iter()
        .map(|d| (crate::i18n::message(d), false))
        .collect();
    head.push((crate::t("Henvendelser").into(), true));
    head.push((
        match (report.request.share_of, dims.first()) {
            (ShareOf::FirstDimension, Some(d)) if dims.len() > 1 => {
                crate::t1("Andel af {0}", crate::i18n::message(d).to_lowercase())
            }
            _ if report.asked.is_some() => crate::t("Andel af de spurgte").into(),
            _ => crate::t("Andel").into(),
        },
        true,
    ));
    if columns.compared {
        head.push((crate::t("Sammenligning").into(), true));
        head.push((crate::t("Andel dengang").into(), true));
        head.push((crate::t("Ændring").into(), true));
        head.push((crate::t("Ændring i andel (pct.-point)").into(), true));
    }
    if columns.durations {
        head.push((crate::t("Median tid (sek.)").into(), true));
        head.push((crate::t("Gns. tid (sek.)").into(), true));
    }
    if columns.cost {
        head.push((crate::t("Omkostning (kr.)").into(), true));
        head.push((crate::t("Henvendelser uden pris").into(), true));
        if columns.compared {
            head.push((crate::t("Omkostning dengang (kr.)").into(), true));
        }
    }
    head
}

/// The `i`th row of the table: its keys (the first shown faintly when it
/// repeats the row above's) and its measures, linked to the drill-down.
fn body_row(
    ctx: &Context,
    report: &Report,
    query: &ReportQuery,
    columns: MeasureColumns,
    i: usize,
    row: &ReportRow,
) -> Vec<CellView> {
    let dims = &report.dimensions;
    let mut cells: Vec<CellView> = row.keys.iter().map(|k| text(k.label.clone())).collect();
    let repeats = dims.len() > 1 && i > 0 && report.rows[i - 1].keys.first() == row.keys.first();
    if let Some(first) = cells.first_mut() {
        first.repeat = repeats;
    }
    let what = crate::t1(
        " for {0}",
        row.keys
            .iter()
            .map(|k| k.label.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    );
    cells.extend(columns.cells(row, drill_link(&ctx.base, query, dims, row), &what));
    cells
}

/// The table's total row: «I alt» and the whole report's measures.
fn total_row(
    ctx: &Context,
    report: &Report,
    query: &ReportQuery,
    columns: MeasureColumns,
) -> Vec<CellView> {
    let mut total: Vec<CellView> = report
        .dimensions
        .iter()
        .enumerate()
        .map(|(i, _)| {
            text(if i == 0 {
                crate::t("I alt").into()
            } else {
                String::new()
            })
        })
        .collect();
    let mut whole = report.total.clone();
    whole.share = 1.0;
    total.extend(columns.cells(
        &whole,
        drill_link(&ctx.base, query, &[], &whole),
        crate::t(" i alt"),
    ));
    total
}

/// The table opened in the pivot: its first dimension in the rows, its
/// second in the columns.
fn pivot_link(ctx: &Context, query: &ReportQuery, dims: &[Dimension]) -> String {
    let mut ungrouped = query.clone();
    ungrouped.group_by.clear();
    link(
        &format!("{}/pivot", ctx.base),
        &ungrouped,
        &[
            (
                "raekker",
                &dims.first().map_or("kanal".into(), |d| d.code()),
            ),
            ("kolonner", &dims.get(1).map_or("".into(), |d| d.code())),
        ],
    )
}

/// What the page says when it shows fewer rows than the report has.
fn rows_left_out(report: &Report, show_rows: usize) -> String {
    if report.rows.len() > show_rows {
        crate::t2(
            "Siden viser de {0} første af {1} rækker; hent tabellen for at se dem alle.",
            show_rows,
            thousands(report.rows.len() as i64),
        )
    } else {
        String::new()
    }
}

/// The chart's text alternative: what it shows and where the numbers are.
fn chart_label(caption: &str, report: &Report) -> String {
    let largest = report
        .rows
        .iter()
        .max_by_key(|r| r.inquiries)
        .map(|r| {
            crate::t2(
                " Størst: {0} med {1} henvendelser.",
                r.keys
                    .iter()
                    .map(|k| k.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                thousands(r.inquiries),
            )
        })
        .unwrap_or_default();
    crate::t2(
        "Diagram: {0}.{1} Alle tal står i tabellen under diagrammet.",
        caption,
        largest,
    )
}

/// A table of a page: its grouping, share, order, chart and rows shown.
pub(super) struct Section {
    pub(super) id: &'static str,
    /// The caption in the request's language (a function, as a `const`
    /// section cannot ask for the language).
    pub(super) caption: fn() -> &'static str,
    pub(super) dims: &'static [Dimension],
    pub(super) share_of: ShareOf,
    pub(super) order: Order,
    pub(super) chart: Option<ChartKind>,
    pub(super) show: usize,
}

impl Section {
    pub(super) async fn table(
        &self,
        ctx: &Context,
        state: &AppState,
    ) -> Result<TableView, WebError> {
        let report = ctx.run(state, self.dims, self.share_of, self.order).await?;
        let query = ctx.table_query(self.dims, self.share_of, self.order);
        Ok(table_view(
            ctx,
            self.id,
            (self.caption)(),
            &report,
            &query,
            self.chart,
            self.show,
        ))
    }
}
