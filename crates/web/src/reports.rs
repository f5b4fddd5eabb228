//! A municipality's figures (`/kommune/{kode}/tal/...`): the overview of a
//! period with its comparison, the report bank, the pivot, the drill-down
//! to the registrations behind a figure, the period report with its
//! findings and recommendations, every table as CSV and XLSX, and the
//! report API (`/api/v1/report`).
//!
//! Must not compute a figure: every number comes from
//! `komhen_core::reports::run` with a request narrowed to the user's scope
//! (`Scope::of_user`), and every table, chart and download of a report is
//! drawn from that one report.

pub(crate) mod extract;

use crate::access::Authorized;
use crate::frame::{with_notice, Frame, NoticeQuery};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use komhen_core::reports::bank::{self, ChartKind, StandardReport, STANDARD_REPORTS};
use komhen_core::reports::findings::{self, Finding};
use komhen_core::reports::tabular::{self, decimal_da, thousands, Cell};
use komhen_core::reports::{
    self, Comparing, Dates, Dimension, Order, Report, ReportQuery, ReportRequest, ReportRow, Scope,
    ShareOf,
};
use komhen_domain::{danish_local, MunicipalityCode, PeriodId, RegistrationId};
use komhen_store::{PeriodRow, RegistrationRow, Store};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

type PageResult = Result<Response, WebError>;

/// Keys of a page's address that are the page's own, not the report's.
const PAGE_KEYS: [&str; 5] = ["periode", "raekker", "kolonner", "maal", "efter"];

/// A page's address split: the report query and the page's own keys.
pub(crate) struct Address {
    pub(crate) query: ReportQuery,
    pub(crate) own: HashMap<String, String>,
}

pub(crate) fn read_address(raw: Option<String>) -> Result<Address, WebError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.as_deref().unwrap_or(""))
        .map_err(|_| WebError::BadRequest("Adressen kan ikke læses.".into()))?;
    let mut own = HashMap::new();
    let mut report_pairs = Vec::new();
    for (k, v) in pairs {
        if PAGE_KEYS.contains(&k.as_str()) || k == "besked" {
            own.insert(k, v);
        } else {
            report_pairs.push((k, v));
        }
    }
    // A period chosen in the list gives the dates (`2026-10-19..2026-11-08`).
    if let Some((from, to)) = own.get("periode").and_then(|p| p.split_once("..")) {
        report_pairs.retain(|(k, _)| k != "fra" && k != "til");
        report_pairs.push(("fra".into(), from.to_owned()));
        report_pairs.push(("til".into(), to.to_owned()));
    }
    Ok(Address {
        query: ReportQuery::parse(&report_pairs)?,
        own,
    })
}

/// A query as a link's query string.
fn encode(query: &ReportQuery) -> String {
    serde_urlencoded::to_string(query.pairs()).unwrap_or_default()
}

pub(crate) fn link(path: &str, query: &ReportQuery, extra: &[(&str, &str)]) -> String {
    let mut pairs = query.pairs();
    pairs.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let q = serde_urlencoded::to_string(pairs).unwrap_or_default();
    if q.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{q}")
    }
}

/// What every figures page of a municipality starts from.
pub(crate) struct Context {
    pub(crate) code: MunicipalityCode,
    /// `/kommune/259/tal`
    pub(crate) base: String,
    scope: Scope,
    periods: Vec<PeriodRow>,
    /// The request with dates and comparison worked out, not grouped.
    pub(crate) request: ReportRequest,
    /// The query with the dates and comparison made explicit (for links).
    pub(crate) query: ReportQuery,
}

pub(crate) async fn context(
    state: &AppState,
    auth: &Authorized,
    query: &ReportQuery,
    default_comparison: Comparing,
) -> Result<Context, WebError> {
    let store = state.store.as_ref();
    let code = auth.code()?;
    let scope = Scope::of_user(&auth.user, code).ok_or(WebError::NoAccess)?;
    let today = komhen_domain::DateDimensions::of(Utc::now()).day;
    let dates = reports::default_dates(store, Some(code), today).await?;
    // The page's own grouping is added per table: the base is ungrouped.
    let mut base = query.clone();
    base.group_by.clear();
    let request = base
        .request(store, &scope, dates, default_comparison)
        .await?;
    let mut explicit = query.clone();
    explicit.dates = Some(request.dates);
    explicit.comparison = Some(match request.comparison {
        Some(d) => Comparing::Dates(d),
        None => Comparing::Nothing,
    });
    Ok(Context {
        code,
        base: format!("/kommune/{code}/tal"),
        scope,
        periods: store.list_periods(Some(code)).await?,
        request,
        query: explicit,
    })
}

impl Context {
    /// The engine's report of the page's request grouped by `dims`.
    async fn run(
        &self,
        store: &dyn Store,
        dims: &[Dimension],
        share_of: ShareOf,
        order: Order,
    ) -> Result<Report, WebError> {
        let mut request = self.request.clone().by(dims);
        request.share_of = share_of;
        request.order = order;
        Ok(reports::run(store, &request).await?)
    }

    /// The query of a table: the page's filters with the table's grouping.
    fn table_query(&self, dims: &[Dimension], share_of: ShareOf, order: Order) -> ReportQuery {
        let mut q = self.query.clone();
        q.group_by = dims.to_vec();
        q.share_of = share_of;
        q.order = order;
        q
    }

    pub(crate) fn filter_form(&self, action: &str, hidden: Vec<(String, String)>) -> FilterForm {
        let dates = self.request.dates;
        let mut periods: Vec<Choice> = self
            .periods
            .iter()
            .map(|p| {
                let value = format!("{}..{}", p.period.starts_on, p.period.ends_on);
                Choice {
                    selected: p.period.starts_on == dates.from && p.period.ends_on == dates.to,
                    label: format!(
                        "{} ({} – {})",
                        p.period.name,
                        p.period.starts_on.format("%d-%m-%Y"),
                        p.period.ends_on.format("%d-%m-%Y")
                    ),
                    value,
                }
            })
            .collect();
        let custom = !periods.iter().any(|p| p.selected);
        periods.push(Choice {
            value: String::new(),
            label: "Egne datoer (herunder)".into(),
            selected: custom,
        });
        let compared = self.request.comparison.is_some();
        FilterForm {
            action: action.to_owned(),
            periods,
            from: dates.from.to_string(),
            to: dates.to.to_string(),
            compare_year: compared,
            hidden,
            showing: format!(
                "{}{}",
                dates.label_da(),
                match self.request.comparison {
                    Some(c) => format!(", sammenlignet med {}", c.label_da()),
                    None => String::new(),
                }
            ),
            unit_lead: self.scope.units.is_some(),
        }
    }
}

pub(crate) struct Choice {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

/// The period and comparison form at the top of the figures pages.
pub(crate) struct FilterForm {
    pub(crate) action: String,
    pub(crate) periods: Vec<Choice>,
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) compare_year: bool,
    /// The page's other keys, kept when the period changes.
    pub(crate) hidden: Vec<(String, String)>,
    /// What the page shows, in words.
    pub(crate) showing: String,
    /// A unit lead sees their own units only: the page says so.
    pub(crate) unit_lead: bool,
}

// --- tables and charts -----------------------------------------------------------------

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
}

fn num(text: String) -> CellView {
    CellView {
        text,
        repeat: false,
        href: None,
        num: true,
        label: None,
    }
}

fn text(text: String) -> CellView {
    CellView {
        text,
        repeat: false,
        href: None,
        num: false,
        label: None,
    }
}

fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{}", thousands(n))
    } else {
        thousands(n)
    }
}

fn signed_decimal(x: f64, decimals: usize) -> String {
    let s = decimal_da(x, decimals);
    if x > 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("+{s}")
    } else {
        s
    }
}

/// The drill-down behind a row: the table's query with one filter per key.
fn drill_link(
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
fn table_view(
    ctx: &Context,
    id: &str,
    caption: &str,
    report: &Report,
    query: &ReportQuery,
    chart: Option<ChartKind>,
    show_rows: usize,
) -> TableView {
    let dims = &report.dimensions;
    let compared = report.request.comparison.is_some();
    let durations = report.total.mean_duration_s.is_some() && report.request.median;
    let mut head: Vec<(String, bool)> = dims
        .iter()
        .map(|d| (d.label_da().to_owned(), false))
        .collect();
    head.push(("Henvendelser".into(), true));
    head.push((
        match (report.request.share_of, dims.first()) {
            (ShareOf::FirstDimension, Some(d)) if dims.len() > 1 => {
                format!("Andel af {}", d.label_da().to_lowercase())
            }
            _ => "Andel".into(),
        },
        true,
    ));
    if compared {
        head.push(("Sammenligning".into(), true));
        head.push(("Andel dengang".into(), true));
        head.push(("Ændring".into(), true));
        head.push(("Ændring i andel (pct.-point)".into(), true));
    }
    if durations {
        head.push(("Median tid (sek.)".into(), true));
        head.push(("Gns. tid (sek.)".into(), true));
    }
    let measure_cells = |row: &ReportRow, href: Option<String>, what: &str| {
        let mut cells = vec![CellView {
            repeat: false,
            text: thousands(row.inquiries),
            label: href.as_ref().map(|_| {
                format!(
                    "{} henvendelser{what}: vis registreringerne",
                    thousands(row.inquiries)
                )
            }),
            href,
            num: true,
        }];
        cells.push(num(tabular::Cell::Share(row.share).display_da()));
        if compared {
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
        if durations {
            cells.push(num(row
                .median_duration_s
                .map_or(String::new(), |s| decimal_da(s, 0))));
            cells.push(num(row
                .mean_duration_s
                .map_or(String::new(), |s| decimal_da(s, 1))));
        }
        cells
    };
    let rows: Vec<Vec<CellView>> = report
        .rows
        .iter()
        .take(show_rows)
        .enumerate()
        .map(|(i, row)| {
            let mut cells: Vec<CellView> = row.keys.iter().map(|k| text(k.label.clone())).collect();
            let repeats =
                dims.len() > 1 && i > 0 && report.rows[i - 1].keys.first() == row.keys.first();
            if let Some(first) = cells.first_mut() {
                first.repeat = repeats;
            }
            let what = format!(
                " for {}",
                row.keys
                    .iter()
                    .map(|k| k.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            cells.extend(measure_cells(
                row,
                drill_link(&ctx.base, query, dims, row),
                &what,
            ));
            cells
        })
        .collect();
    let mut total: Vec<CellView> = dims
        .iter()
        .enumerate()
        .map(|(i, _)| {
            text(if i == 0 {
                "I alt".into()
            } else {
                String::new()
            })
        })
        .collect();
    let mut whole = report.total.clone();
    whole.share = 1.0;
    total.extend(measure_cells(
        &whole,
        drill_link(&ctx.base, query, &[], &whole),
        " i alt",
    ));
    let chart_data = chart.map(|kind| chart_json(report, kind));
    TableView {
        id: id.to_owned(),
        caption: caption.to_owned(),
        head,
        rows,
        total,
        csv: link(&format!("{}/tabel.csv", ctx.base), query, &[]),
        xlsx: link(&format!("{}/tabel.xlsx", ctx.base), query, &[]),
        pivot: link(
            &format!("{}/pivot", ctx.base),
            &{
                let mut q = query.clone();
                q.group_by.clear();
                q
            },
            &[
                ("raekker", dims.first().map_or("kanal", |d| d.code())),
                ("kolonner", dims.get(1).map_or("", |d| d.code())),
            ],
        ),
        chart_label: chart_label(caption, report),
        chart: chart_data,
        more: if report.rows.len() > show_rows {
            format!(
                "Siden viser de {} første af {} rækker; hent tabellen for at se dem alle.",
                show_rows,
                thousands(report.rows.len() as i64)
            )
        } else {
            String::new()
        },
    }
}

/// The chart's text alternative: what it shows and where the numbers are.
fn chart_label(caption: &str, report: &Report) -> String {
    let largest = report
        .rows
        .iter()
        .max_by_key(|r| r.inquiries)
        .map(|r| {
            format!(
                " Størst: {} med {} henvendelser.",
                r.keys
                    .iter()
                    .map(|k| k.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                thousands(r.inquiries)
            )
        })
        .unwrap_or_default();
    format!("Diagram: {caption}.{largest} Alle tal står i tabellen under diagrammet.")
}

/// Most bars a chart draws (the table has all rows).
const CHART_BARS: usize = 15;

/// The data `charts.js` draws.
fn chart_json(report: &Report, kind: ChartKind) -> String {
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

/// A table of a page: its grouping, share, order, chart and rows shown.
struct Section {
    id: &'static str,
    caption: &'static str,
    dims: &'static [Dimension],
    share_of: ShareOf,
    order: Order,
    chart: Option<ChartKind>,
    show: usize,
}

impl Section {
    async fn table(&self, ctx: &Context, store: &dyn Store) -> Result<TableView, WebError> {
        let report = ctx.run(store, self.dims, self.share_of, self.order).await?;
        let query = ctx.table_query(self.dims, self.share_of, self.order);
        Ok(table_view(
            ctx,
            self.id,
            self.caption,
            &report,
            &query,
            self.chart,
            self.show,
        ))
    }
}

// --- the overview ---------------------------------------------------------------------

/// The overview's tables; the period report shows the first four.
const OVERVIEW_SECTIONS: [Section; 6] = [
    Section {
        id: "kanaler",
        caption: "Kanaler efter retning",
        dims: &[Dimension::Direction, Dimension::Channel],
        share_of: ShareOf::FirstDimension,
        order: Order::Natural,
        chart: Some(ChartKind::Stacked),
        show: 100,
    },
    Section {
        id: "typer",
        caption: "Henvendelsestyper efter retning",
        dims: &[Dimension::Direction, Dimension::InquiryType],
        share_of: ShareOf::FirstDimension,
        order: Order::Natural,
        chart: Some(ChartKind::Stacked),
        show: 100,
    },
    Section {
        id: "enheder",
        caption: "Forvaltninger og enheder",
        dims: &[Dimension::Department, Dimension::Unit],
        share_of: ShareOf::Total,
        order: Order::Natural,
        chart: None,
        show: 200,
    },
    Section {
        id: "opgaver",
        caption: "Opgaver med flest henvendelser",
        dims: &[Dimension::Task],
        share_of: ShareOf::Total,
        order: Order::Inquiries,
        chart: Some(ChartKind::Bars),
        show: 15,
    },
    Section {
        id: "afslutning",
        caption: "Afsluttet straks eller lagt til side",
        dims: &[Dimension::Completion],
        share_of: ShareOf::Total,
        order: Order::Natural,
        chart: None,
        show: 10,
    },
    Section {
        id: "blanket",
        caption: "Blanket medsendt",
        dims: &[Dimension::Form],
        share_of: ShareOf::Total,
        order: Order::Natural,
        chart: None,
        show: 10,
    },
];

pub(crate) struct KeyFigure {
    pub(crate) label: &'static str,
    pub(crate) value: String,
    pub(crate) detail: String,
}

#[derive(Template)]
#[template(path = "reports_overview.html")]
struct OverviewPage {
    frame: Frame,
    base: String,
    form: FilterForm,
    figures: Vec<KeyFigure>,
    tables: Vec<TableView>,
}

/// `GET /kommune/{kode}/tal`
pub(crate) async fn show_overview(
    State(state): State<AppState>,
    auth: Authorized,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let store = state.store.as_ref();
    let address = read_address(raw)?;
    let ctx = context(&state, &auth, &address.query, Comparing::YearBefore).await?;
    let m = auth.municipality()?;

    let by_direction = ctx
        .run(
            store,
            &[Dimension::Direction],
            ShareOf::Total,
            Order::Natural,
        )
        .await?;
    let mut incoming_request = ctx.request.clone().by(&[Dimension::Digital]);
    incoming_request.filters.directions = vec![komhen_domain::Direction::Incoming];
    let digital = reports::run(store, &incoming_request).await?;
    let completion = ctx
        .run(
            store,
            &[Dimension::Completion],
            ShareOf::Total,
            Order::Natural,
        )
        .await?;
    let types = ctx
        .run(
            store,
            &[Dimension::InquiryType],
            ShareOf::Total,
            Order::Natural,
        )
        .await?;
    let share_of = |report: &Report, code: &str| {
        report
            .rows
            .iter()
            .find(|r| r.keys[0].code == code)
            .map(|r| (r.share, r.inquiries, r.comparison.map(|c| c.share)))
    };
    let total = &by_direction.total;
    let change = total
        .comparison
        .map_or(String::new(), |c| match c.change_pct {
            Some(p) => format!(
                "{} ({} %) mod {}",
                signed(c.change),
                signed_decimal(p, 0),
                thousands(c.inquiries)
            ),
            None => "ingen at sammenligne med".into(),
        });
    let share_figure = |label: &'static str, found: Option<(f64, i64, Option<f64>)>, of: i64| {
        let (share, count, then) = found.unwrap_or((0.0, 0, None));
        KeyFigure {
            label,
            value: Cell::Share(share).display_da(),
            detail: format!(
                "{} af {}{}",
                thousands(count),
                thousands(of),
                then.map_or(String::new(), |t| format!(
                    "; {} pct.-point",
                    signed_decimal(reports::points(share, t), 1)
                ))
            ),
        }
    };
    let figures = vec![
        KeyFigure {
            label: "Henvendelser i alt",
            value: thousands(total.inquiries),
            detail: change,
        },
        share_figure(
            "Digital andel af de indgående",
            share_of(&digital, "ja"),
            digital.total.inquiries,
        ),
        share_figure(
            "Afsluttet straks",
            share_of(&completion, "STRAKS"),
            completion.total.inquiries,
        ),
        share_figure(
            "Fejlhenvendelser",
            share_of(&types, "FEJL"),
            types.total.inquiries,
        ),
    ];

    let mut tables = Vec::new();
    for section in &OVERVIEW_SECTIONS {
        tables.push(section.table(&ctx, store).await?);
    }
    let page = OverviewPage {
        frame: Frame::municipality(
            &auth,
            format!("Tal og rapporter – {} Kommune", m.name),
            "/tal",
        ),
        form: ctx.filter_form(&ctx.base, Vec::new()),
        base: ctx.base.clone(),
        figures,
        tables,
    };
    Ok(Html(page.render()?).into_response())
}

// --- the report bank ------------------------------------------------------------------

pub(crate) struct BankEntry {
    pub(crate) href: String,
    pub(crate) title: &'static str,
    pub(crate) description: &'static str,
}

#[derive(Template)]
#[template(path = "reports_bank.html")]
struct BankPage {
    frame: Frame,
    base: String,
    entries: Vec<BankEntry>,
}

/// `GET /kommune/{kode}/tal/rapporter`
pub(crate) async fn show_bank(
    State(state): State<AppState>,
    auth: Authorized,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let address = read_address(raw)?;
    let ctx = context(&state, &auth, &address.query, Comparing::YearBefore).await?;
    let m = auth.municipality()?;
    let keep = encode(&ReportQuery {
        group_by: Vec::new(),
        ..ctx.query.clone()
    });
    let entries = STANDARD_REPORTS
        .iter()
        .map(|r| BankEntry {
            href: format!("{}/rapporter/{}?{keep}", ctx.base, r.slug),
            title: r.title,
            description: r.description,
        })
        .collect();
    let page = BankPage {
        frame: Frame::municipality(&auth, format!("Rapportbank – {} Kommune", m.name), "/tal"),
        base: ctx.base.clone(),
        entries,
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Template)]
#[template(path = "reports_standard.html")]
struct StandardPage {
    frame: Frame,
    base: String,
    form: FilterForm,
    description: &'static str,
    table: TableView,
}

/// `GET /kommune/{kode}/tal/rapporter/{rapport}`
pub(crate) async fn show_standard(
    State(state): State<AppState>,
    auth: Authorized,
    Path((_, slug)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let store = state.store.as_ref();
    let standard: &StandardReport = bank::find(&slug)?;
    let address = read_address(raw)?;
    // The page's period and filters, the standard report's grouping and filters.
    let mut query = standard.report_query()?;
    query.dates = address.query.dates;
    query.comparison = address.query.comparison;
    for (d, code) in &address.query.filters {
        if !query.filters.iter().any(|(own, _)| own == d) {
            query.filters.push((*d, code.clone()));
        }
    }
    let ctx = context(&state, &auth, &query, Comparing::YearBefore).await?;
    let mut request = ctx.request.clone().by(&query.group_by);
    request.share_of = query.share_of;
    request.order = query.order;
    request.median = query.median;
    let report = reports::run(store, &request).await?;
    let mut table_query = ctx.query.clone();
    table_query.group_by = query.group_by.clone();
    let table = table_view(
        &ctx,
        standard.slug,
        standard.title,
        &report,
        &table_query,
        Some(standard.chart),
        500,
    );
    let page = StandardPage {
        frame: Frame::municipality(&auth, standard.title, "/tal"),
        form: ctx.filter_form(
            &format!("{}/rapporter/{}", ctx.base, standard.slug),
            Vec::new(),
        ),
        base: ctx.base.clone(),
        description: standard.description,
        table,
    };
    Ok(Html(page.render()?).into_response())
}

// --- the pivot ------------------------------------------------------------------------

/// What a pivot's cells show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Measure {
    Inquiries,
    Share,
    ShareOfRow,
    Change,
    Median,
}

impl Measure {
    const ALL: [(Measure, &'static str, &'static str); 5] = [
        (Measure::Inquiries, "antal", "Antal henvendelser"),
        (Measure::Share, "andel", "Andel af alle (%)"),
        (Measure::ShareOfRow, "raekkeandel", "Andel af rækken (%)"),
        (Measure::Change, "aendring", "Ændring mod sammenligningen"),
        (Measure::Median, "median", "Median registreringstid (sek.)"),
    ];

    fn parse(code: &str) -> Self {
        Self::ALL
            .iter()
            .find(|(_, c, _)| *c == code)
            .map_or(Measure::Inquiries, |(m, _, _)| *m)
    }

    fn code(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(m, _, _)| *m == self)
            .map_or("antal", |(_, c, _)| c)
    }
}

pub(crate) struct PivotRow {
    pub(crate) label: String,
    pub(crate) cells: Vec<CellView>,
    pub(crate) total: CellView,
}

#[derive(Template)]
#[template(path = "reports_pivot.html")]
struct PivotPage {
    frame: Frame,
    base: String,
    form: FilterForm,
    dimensions: Vec<Choice>,
    column_choices: Vec<Choice>,
    measures: Vec<Choice>,
    filters: Vec<FilterSelect>,
    caption: String,
    columns: Vec<String>,
    rows: Vec<PivotRow>,
    totals: Vec<CellView>,
    grand_total: CellView,
    share_link: String,
    csv: String,
    xlsx: String,
    rows_label: String,
}

/// A filter list on the pivot page.
pub(crate) struct FilterSelect {
    pub(crate) key: &'static str,
    pub(crate) label: &'static str,
    pub(crate) options: Vec<Choice>,
}

fn measure_text(m: Measure, row: &ReportRow) -> String {
    match m {
        Measure::Inquiries => thousands(row.inquiries),
        Measure::Share | Measure::ShareOfRow => Cell::Share(row.share).display_da(),
        Measure::Change => row.comparison.map_or(String::new(), |c| signed(c.change)),
        Measure::Median => row
            .median_duration_s
            .map_or(String::new(), |s| decimal_da(s, 0)),
    }
}

/// `GET /kommune/{kode}/tal/pivot?raekker=opgave&kolonner=kanal&maal=antal&...`
pub(crate) async fn show_pivot(
    State(state): State<AppState>,
    auth: Authorized,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let store = state.store.as_ref();
    let address = read_address(raw)?;
    let rows_dim = address
        .own
        .get("raekker")
        .and_then(|c| Dimension::parse(c))
        .unwrap_or(Dimension::Channel);
    let cols_dim = address
        .own
        .get("kolonner")
        .and_then(|c| Dimension::parse(c))
        .filter(|d| *d != rows_dim);
    let measure = Measure::parse(address.own.get("maal").map_or("antal", String::as_str));
    let comparing = if measure == Measure::Change {
        Comparing::YearBefore
    } else {
        Comparing::Nothing
    };
    let ctx = context(&state, &auth, &address.query, comparing).await?;
    let m = auth.municipality()?;
    let dims: Vec<Dimension> = std::iter::once(rows_dim).chain(cols_dim).collect();
    let share_of = if measure == Measure::ShareOfRow {
        ShareOf::FirstDimension
    } else {
        ShareOf::Total
    };
    let mut request = ctx.request.clone().by(&dims);
    request.share_of = share_of;
    request.median = measure == Measure::Median;
    let report = reports::run(store, &request).await?;
    let margin = |dims: Vec<Dimension>| {
        let mut r = ctx.request.clone().by(&dims);
        r.median = measure == Measure::Median;
        r
    };
    let by_rows = reports::run(store, &margin(vec![rows_dim])).await?;
    let by_cols = match cols_dim {
        Some(c) => Some(reports::run(store, &margin(vec![c])).await?),
        None => None,
    };
    let mut table_query = ctx.query.clone();
    table_query.group_by = dims.clone();
    table_query.share_of = share_of;
    table_query.median = request.median;
    let drill =
        |row: &ReportRow, dims: &[Dimension]| drill_link(&ctx.base, &table_query, dims, row);
    let column_labels: Vec<&ReportRow> = by_cols
        .as_ref()
        .map_or(Vec::new(), |r| r.rows.iter().collect());
    let cell_of = |row: &ReportRow, dims: &[Dimension]| {
        let text = measure_text(measure, row);
        CellView {
            repeat: false,
            label: Some(format!(
                "{} – {}: vis registreringerne",
                row.keys
                    .iter()
                    .map(|k| k.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                text
            )),
            href: drill(row, dims),
            text,
            num: true,
        }
    };
    let rows: Vec<PivotRow> = by_rows
        .rows
        .iter()
        .map(|r| {
            let cells = match cols_dim {
                Some(_) => column_labels
                    .iter()
                    .map(|c| {
                        match report
                            .rows
                            .iter()
                            .find(|x| x.keys[0] == r.keys[0] && x.keys[1] == c.keys[0])
                        {
                            Some(x) => cell_of(x, &dims),
                            None => num(String::new()),
                        }
                    })
                    .collect(),
                None => Vec::new(),
            };
            let mut row_total = r.clone();
            if measure == Measure::ShareOfRow {
                row_total.share = 1.0;
            }
            PivotRow {
                label: r.keys[0].label.clone(),
                cells,
                total: cell_of(&row_total, &[rows_dim]),
            }
        })
        .collect();
    let totals: Vec<CellView> = column_labels
        .iter()
        .map(|c| cell_of(c, &[cols_dim.unwrap_or(rows_dim)]))
        .collect();
    let mut whole = by_rows.total.clone();
    whole.share = 1.0;
    let grand_total = cell_of(&whole, &[]);
    let dimension_choices = |selected: Option<Dimension>| -> Vec<Choice> {
        Dimension::ALL
            .iter()
            .map(|d| Choice {
                value: d.code().into(),
                label: d.label_da().into(),
                selected: Some(*d) == selected,
            })
            .collect()
    };
    let mut column_choices = vec![Choice {
        value: String::new(),
        label: "(ingen)".into(),
        selected: cols_dim.is_none(),
    }];
    column_choices.extend(dimension_choices(cols_dim));
    let own = vec![
        ("raekker".to_owned(), rows_dim.code().to_owned()),
        (
            "kolonner".to_owned(),
            cols_dim.map_or(String::new(), |d| d.code().to_owned()),
        ),
        ("maal".to_owned(), measure.code().to_owned()),
    ];
    let mut link_query = ctx.query.clone();
    link_query.group_by.clear();
    if measure != Measure::Change {
        link_query.comparison = None;
    }
    let own_refs: Vec<(&str, &str)> = own.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let share_link = link(&format!("{}/pivot", ctx.base), &link_query, &own_refs);
    let filters = pivot_filters(store, &ctx, &address.query).await?;
    let mut hidden = own.clone();
    hidden.extend(
        address
            .query
            .filters
            .iter()
            .map(|(d, c)| (d.code().to_owned(), c.clone())),
    );
    let page = PivotPage {
        frame: Frame::municipality(&auth, format!("Pivottabel – {} Kommune", m.name), "/tal"),
        form: ctx.filter_form(&format!("{}/pivot", ctx.base), hidden),
        base: ctx.base.clone(),
        dimensions: dimension_choices(Some(rows_dim)),
        column_choices,
        measures: Measure::ALL
            .iter()
            .map(|(m, code, label)| Choice {
                value: (*code).into(),
                label: (*label).into(),
                selected: *m == measure,
            })
            .collect(),
        filters,
        caption: format!(
            "{} efter {}{}",
            Measure::ALL
                .iter()
                .find(|(x, _, _)| *x == measure)
                .map_or("", |(_, _, l)| l),
            rows_dim.label_da().to_lowercase(),
            cols_dim.map_or(String::new(), |c| format!(
                " og {}",
                c.label_da().to_lowercase()
            ))
        ),
        columns: column_labels
            .iter()
            .map(|c| c.keys[0].label.clone())
            .collect(),
        rows,
        totals,
        grand_total,
        share_link,
        csv: link(&format!("{}/tabel.csv", ctx.base), &table_query, &[]),
        xlsx: link(&format!("{}/tabel.xlsx", ctx.base), &table_query, &[]),
        rows_label: rows_dim.label_da().into(),
    };
    Ok(Html(page.render()?).into_response())
}

/// The pivot's filter lists, with the current choices selected.
async fn pivot_filters(
    store: &dyn Store,
    ctx: &Context,
    query: &ReportQuery,
) -> Result<Vec<FilterSelect>, WebError> {
    let chosen = |d: Dimension, value: &str| query.filter_codes(d).contains(&value);
    let any = |d: Dimension| Choice {
        value: String::new(),
        label: "Alle".into(),
        selected: query.filter_codes(d).is_empty(),
    };
    let mut filters = Vec::new();
    let mut directions = vec![any(Dimension::Direction)];
    for d in [
        komhen_domain::Direction::Incoming,
        komhen_domain::Direction::Outgoing,
    ] {
        directions.push(Choice {
            value: d.code().into(),
            label: d.label_da().into(),
            selected: chosen(Dimension::Direction, d.code()),
        });
    }
    filters.push(FilterSelect {
        key: "retning",
        label: "Retning",
        options: directions,
    });
    let mut channels = vec![any(Dimension::Channel)];
    for c in store.list_channels().await? {
        channels.push(Choice {
            selected: chosen(Dimension::Channel, c.code.as_str()),
            value: c.code.to_string(),
            label: c.label_da.clone(),
        });
    }
    filters.push(FilterSelect {
        key: "kanal",
        label: "Kanal",
        options: channels,
    });
    let mut types = vec![any(Dimension::InquiryType)];
    for t in store.list_inquiry_types().await? {
        types.push(Choice {
            selected: chosen(Dimension::InquiryType, t.inquiry_type.code()),
            value: t.inquiry_type.code().into(),
            label: t.label_da.clone(),
        });
    }
    filters.push(FilterSelect {
        key: "type",
        label: "Henvendelsestype",
        options: types,
    });
    let mut units = vec![any(Dimension::Unit)];
    for u in store.list_units(ctx.code).await? {
        if ctx
            .scope
            .units
            .as_ref()
            .is_some_and(|only| !only.contains(&u.id))
        {
            continue;
        }
        units.push(Choice {
            selected: chosen(Dimension::Unit, &u.login),
            value: u.login.clone(),
            label: u.name.clone(),
        });
    }
    filters.push(FilterSelect {
        key: "enhed",
        label: "Enhed",
        options: units,
    });
    Ok(filters)
}

// --- the drill-down -------------------------------------------------------------------

pub(crate) struct RegistrationView {
    pub(crate) when: String,
    pub(crate) unit: String,
    pub(crate) task: String,
    pub(crate) channel: String,
    pub(crate) inquiry_type: String,
    pub(crate) completion: String,
    pub(crate) form: String,
    pub(crate) quantity: String,
    pub(crate) source: String,
    pub(crate) duration: String,
}

#[derive(Template)]
#[template(path = "reports_registrations.html")]
struct RegistrationsPage {
    frame: Frame,
    form: FilterForm,
    filters: Vec<String>,
    inquiries: String,
    registrations: String,
    rows: Vec<RegistrationView>,
    next: Option<String>,
    first: Option<String>,
    extract: String,
}

/// Registrations per page of the drill-down.
const PAGE_SIZE: u32 = 100;

/// `GET /kommune/{kode}/tal/registreringer?...filters&efter=id`
pub(crate) async fn show_registrations(
    State(state): State<AppState>,
    auth: Authorized,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let store = state.store.as_ref();
    let address = read_address(raw)?;
    let ctx = context(&state, &auth, &address.query, Comparing::Nothing).await?;
    let m = auth.municipality()?;
    let after = address
        .own
        .get("efter")
        .and_then(|v| v.parse::<i64>().ok())
        .map(RegistrationId);
    let total = reports::run(store, &ctx.request).await?;
    let selection = reports::selection(store, &ctx.request).await?;
    let rows = store
        .select_registrations(&selection, after, PAGE_SIZE)
        .await?;
    let names = Names::load(store, ctx.code).await?;
    let mut query = ctx.query.clone();
    query.comparison = None;
    let next = (rows.len() == PAGE_SIZE as usize)
        .then(|| rows.last().map(|r| r.id.0.to_string()))
        .flatten()
        .map(|id| {
            link(
                &format!("{}/registreringer", ctx.base),
                &query,
                &[("efter", &id)],
            )
        });
    let first = after.map(|_| link(&format!("{}/registreringer", ctx.base), &query, &[]));
    let filters = describe_filters(store, &address.query).await?;
    let page = RegistrationsPage {
        frame: Frame::municipality(
            &auth,
            format!("Registreringerne bag tallet – {} Kommune", m.name),
            "/tal",
        ),
        form: ctx.filter_form(
            &format!("{}/registreringer", ctx.base),
            filters_kept(&address.query),
        ),
        filters,
        inquiries: thousands(total.total.inquiries),
        registrations: thousands(total.total.rows),
        rows: rows.iter().map(|r| names.view(r)).collect(),
        next,
        first,
        extract: link(&format!("{}/udtraek", ctx.base), &query, &[]),
    };
    Ok(Html(page.render()?).into_response())
}

/// A list's filters as hidden fields of its period form, so choosing
/// another period keeps them.
pub(crate) fn filters_kept(query: &ReportQuery) -> Vec<(String, String)> {
    query
        .filters
        .iter()
        .map(|(d, c)| (d.code().to_owned(), c.clone()))
        .collect()
}

/// The filters of a drill-down in words (`Kanal: Telefon, indgående`).
pub(crate) async fn describe_filters(
    store: &dyn Store,
    query: &ReportQuery,
) -> Result<Vec<String>, WebError> {
    let channels = store.list_channels().await?;
    let mut out = Vec::new();
    for (d, code) in &query.filters {
        let value = match d {
            Dimension::Channel => channels
                .iter()
                .find(|c| c.code.as_str() == code)
                .map_or(code.clone(), |c| c.label_da.clone()),
            Dimension::Unit => store
                .find_unit_by_login(code)
                .await?
                .map_or(code.clone(), |u| u.name),
            _ => code.clone(),
        };
        out.push(format!("{}: {value}", d.label_da()));
    }
    Ok(out)
}

/// Names of a municipality's units and tasks and the channels, for lists.
struct Names {
    units: HashMap<i64, String>,
    tasks: HashMap<i64, String>,
    channels: HashMap<String, String>,
    types: HashMap<String, String>,
}

impl Names {
    async fn load(store: &dyn Store, code: MunicipalityCode) -> Result<Self, WebError> {
        Ok(Self {
            units: store
                .list_units(code)
                .await?
                .into_iter()
                .map(|u| (u.id.0, u.name))
                .collect(),
            tasks: store
                .list_tasks(code)
                .await?
                .into_iter()
                .map(|t| (t.id.0, format!("{} {}", t.kle, t.name)))
                .collect(),
            channels: store
                .list_channels()
                .await?
                .into_iter()
                .map(|c| (c.code.to_string(), c.label_da))
                .collect(),
            types: store
                .list_inquiry_types()
                .await?
                .into_iter()
                .map(|t| (t.inquiry_type.code().to_owned(), t.label_da))
                .collect(),
        })
    }

    fn view(&self, r: &RegistrationRow) -> RegistrationView {
        RegistrationView {
            when: danish_local(r.registered_at)
                .format("%d-%m-%Y %H:%M")
                .to_string(),
            unit: r
                .unit
                .and_then(|u| self.units.get(&u.0).cloned())
                .unwrap_or_else(|| "(ingen enhed)".into()),
            task: self
                .tasks
                .get(&r.task.0)
                .cloned()
                .unwrap_or_else(|| r.task.to_string()),
            channel: self
                .channels
                .get(r.channel.as_str())
                .cloned()
                .unwrap_or_else(|| r.channel.to_string()),
            inquiry_type: r
                .inquiry_type
                .and_then(|t| self.types.get(t.code()).cloned())
                .unwrap_or_default(),
            completion: match r.completion {
                Some(komhen_domain::Completion::AtOnce) => "Straks".into(),
                Some(komhen_domain::Completion::PutAside) => "Lagt til side".into(),
                None => String::new(),
            },
            form: match r.has_form {
                Some(true) => "Ja".into(),
                Some(false) => "Nej".into(),
                None => String::new(),
            },
            quantity: thousands(r.quantity),
            source: match r.source {
                komhen_domain::Source::Tool => "Værktøjet",
                komhen_domain::Source::Paper => "Papirskema",
                komhen_domain::Source::Upload => "Indlæst fil",
                komhen_domain::Source::Api => "System",
                komhen_domain::Source::Central => "Centralt",
            }
            .into(),
            duration: r
                .duration_ms
                .map_or(String::new(), |ms| decimal_da(ms as f64 / 1000.0, 1)),
        }
    }
}

// --- the period report ----------------------------------------------------------------

#[derive(Template)]
#[template(path = "reports_period.html")]
struct PeriodPage {
    frame: Frame,
    base: String,
    municipality: String,
    periods: Vec<Choice>,
    period_name: String,
    period_dates: String,
    comparison: String,
    findings: Vec<(&'static str, Vec<String>)>,
    min_inquiries: String,
    tables: Vec<TableView>,
    recommendations: Vec<String>,
    recommendations_text: String,
    recommendations_by: String,
    can_write: bool,
    period_id: i64,
    generated: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct PeriodQuery {
    periode: Option<i64>,
    #[serde(flatten)]
    notice: NoticeQuery,
}

/// `GET /kommune/{kode}/tal/beretning?periode=ID`
pub(crate) async fn show_period_report(
    State(state): State<AppState>,
    auth: Authorized,
    axum::extract::Query(q): axum::extract::Query<PeriodQuery>,
) -> PageResult {
    let store = state.store.as_ref();
    let m = auth.municipality()?;
    let code = m.code;
    let today = komhen_domain::DateDimensions::of(Utc::now()).day;
    let periods: Vec<PeriodRow> = store
        .list_periods(Some(code))
        .await?
        .into_iter()
        .filter(|p| p.period.starts_on <= today)
        .collect();
    let Some(period) = q
        .periode
        .and_then(|id| periods.iter().find(|p| p.id.0 == id))
        .or_else(|| periods.first())
        .cloned()
    else {
        return Err(WebError::BadRequest(
            "Der er ingen tælleperiode, der er begyndt, at skrive en beretning om.".into(),
        ));
    };
    let dates = Dates {
        from: period.period.starts_on,
        to: period.period.ends_on,
    };
    let query = ReportQuery {
        dates: Some(dates),
        comparison: Some(Comparing::YearBefore),
        ..ReportQuery::default()
    };
    let ctx = context(&state, &auth, &query, Comparing::YearBefore).await?;
    let found: Vec<Finding> = findings::period_findings(store, &ctx.request).await?;
    let mut grouped: Vec<(&'static str, Vec<String>)> = Vec::new();
    for f in found {
        let label = f.topic.label_da();
        match grouped.iter_mut().find(|(l, _)| *l == label) {
            Some((_, list)) => list.push(f.text),
            None => grouped.push((label, vec![f.text])),
        }
    }
    let mut tables = Vec::new();
    for section in &OVERVIEW_SECTIONS[..4] {
        tables.push(section.table(&ctx, store).await?);
    }
    let notes = store.find_period_notes(code, period.id).await?;
    let page = PeriodPage {
        frame: Frame::municipality(
            &auth,
            format!("Periodeberetning – {} Kommune", m.name),
            "/tal",
        )
        .notice(q.notice.text()),
        base: ctx.base.clone(),
        municipality: format!("{} Kommune", m.name),
        periods: periods
            .iter()
            .map(|p| Choice {
                value: p.id.0.to_string(),
                label: format!(
                    "{} ({} – {})",
                    p.period.name,
                    p.period.starts_on.format("%d-%m-%Y"),
                    p.period.ends_on.format("%d-%m-%Y")
                ),
                selected: p.id == period.id,
            })
            .collect(),
        period_name: period.period.name.clone(),
        period_dates: dates.label_da(),
        comparison: ctx.request.comparison.map_or("ingen".into(), |c| {
            format!("samme uger året før ({})", c.label_da())
        }),
        findings: grouped,
        min_inquiries: thousands(findings::MIN_INQUIRIES),
        tables,
        recommendations: notes
            .as_ref()
            .map(|n| {
                n.recommendations
                    .split("\n\n")
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        recommendations_text: notes
            .as_ref()
            .map_or(String::new(), |n| n.recommendations.clone()),
        recommendations_by: notes.as_ref().map_or(String::new(), |n| {
            format!(
                "Skrevet af {} den {}",
                n.updated_by.trim_start_matches("bruger:"),
                danish_local(n.updated_at).format("%d-%m-%Y %H:%M")
            )
        }),
        can_write: auth.can_set_up(),
        period_id: period.id.0,
        generated: danish_local(Utc::now())
            .format("%d-%m-%Y %H:%M")
            .to_string(),
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct RecommendationsForm {
    periode: i64,
    anbefalinger: String,
}

/// `POST /kommune/{kode}/tal/beretning`
pub(crate) async fn save_recommendations(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<RecommendationsForm>,
) -> PageResult {
    let code = auth.code()?;
    findings::save_recommendations(
        state.store.as_ref(),
        &auth.user.actor(),
        code,
        PeriodId(form.periode),
        &form.anbefalinger,
    )
    .await?;
    let path = format!("/kommune/{code}/tal/beretning");
    Ok(Redirect::to(&format!(
        "{}&periode={}#anbefalinger",
        with_notice(&path, "gemt"),
        form.periode
    ))
    .into_response())
}

// --- downloads and the API ------------------------------------------------------------

/// `GET /kommune/{kode}/tal/tabel.csv` and `.xlsx`: any report of the page.
pub(crate) async fn download_table_csv(
    state: State<AppState>,
    auth: Authorized,
    raw: RawQuery,
) -> PageResult {
    download_table(state, auth, raw, false).await
}

pub(crate) async fn download_table_xlsx(
    state: State<AppState>,
    auth: Authorized,
    raw: RawQuery,
) -> PageResult {
    download_table(state, auth, raw, true).await
}

async fn download_table(
    State(state): State<AppState>,
    auth: Authorized,
    RawQuery(raw): RawQuery,
    xlsx: bool,
) -> PageResult {
    let store = state.store.as_ref();
    let address = read_address(raw)?;
    let ctx = context(&state, &auth, &address.query, Comparing::Nothing).await?;
    let mut request = ctx.request.clone().by(&address.query.group_by);
    request.share_of = address.query.share_of;
    request.order = address.query.order;
    request.median = address.query.median;
    let report = reports::run(store, &request).await?;
    let table = tabular::report_table(&report);
    let name = file_name(ctx.code, &report);
    Ok(if xlsx {
        attachment(
            table.xlsx("Tabel")?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("{name}.xlsx"),
        )
    } else {
        attachment(
            table.csv()?,
            "text/csv; charset=utf-8",
            &format!("{name}.csv"),
        )
    })
}

fn file_name(code: MunicipalityCode, report: &Report) -> String {
    let dims: Vec<&str> = report.dimensions.iter().map(|d| d.code()).collect();
    format!(
        "komhen-{code}-{}-{}{}{}",
        report.request.dates.from,
        report.request.dates.to,
        if dims.is_empty() { "" } else { "-" },
        dims.join("-")
    )
}

pub(crate) fn attachment(body: impl IntoResponse, content_type: &str, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// `GET /api/v1/report?kommune=259&fra=..&til=..&grupper=kanal[&format=csv]`:
/// the engine's report as JSON (or CSV), within the caller's scope: a
/// national reader may name any municipalities or none (the nation); anyone
/// else names a municipality they read (or none, when they read just one).
/// Errors are JSON with a stable code, like every API route.
pub(crate) async fn api_report(
    State(state): State<AppState>,
    auth: Authorized,
    RawQuery(raw): RawQuery,
) -> Response {
    use axum::http::StatusCode;
    let refuse = |status: StatusCode, code: &str, message: String| {
        crate::api::error_response(status, code, message)
    };
    let store = state.store.as_ref();
    let Ok(mut pairs) =
        serde_urlencoded::from_str::<Vec<(String, String)>>(raw.as_deref().unwrap_or(""))
    else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            "Adressen kan ikke læses.".into(),
        );
    };
    let csv = pairs.iter().any(|(k, v)| k == "format" && v == "csv");
    pairs.retain(|(k, _)| k != "format");
    let query = match ReportQuery::parse(&pairs) {
        Ok(q) => q,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, "invalid_query", e.to_string()),
    };
    let named: Vec<MunicipalityCode> = query
        .filter_codes(Dimension::Municipality)
        .iter()
        .filter_map(|c| MunicipalityCode::parse(c).ok())
        .collect();
    let user = &auth.user;
    let scope = if user.reads_national() {
        Scope::national()
    } else {
        let readable: Vec<MunicipalityCode> = user
            .municipalities()
            .into_iter()
            .filter(|m| user.can_read(*m))
            .collect();
        let one = match (named.as_slice(), readable.as_slice()) {
            ([one], _) => *one,
            ([], [only]) => *only,
            ([], _) => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    "municipality_required",
                    "Angiv kommunen med kommune=, fx kommune=259: du har adgang til flere.".into(),
                )
            }
            _ => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    "one_municipality",
                    "Du kan kun hente én kommune ad gangen; angiv én kommune=.".into(),
                )
            }
        };
        match Scope::of_user(user, one) {
            Some(scope) => scope,
            None => {
                return refuse(
                    StatusCode::FORBIDDEN,
                    "no_access",
                    format!("Du har ikke adgang til tallene for kommune {one}."),
                )
            }
        }
    };
    let result = async {
        let today = komhen_domain::DateDimensions::of(Utc::now()).day;
        let default_for = match named.as_slice() {
            [one] => Some(*one),
            _ => scope.municipalities.first().copied(),
        };
        let dates = reports::default_dates(store, default_for, today).await?;
        let request = query
            .request(store, &scope, dates, Comparing::Nothing)
            .await?;
        let report = reports::run(store, &request).await?;
        Ok::<_, komhen_core::CoreError>((request, report))
    }
    .await;
    let (request, report) = match result {
        Ok(done) => done,
        Err(komhen_core::CoreError::Invalid(message)) => {
            return refuse(StatusCode::BAD_REQUEST, "invalid_query", message)
        }
        Err(e) => {
            crate::error::log_internal(&e);
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Rapporten kunne ikke beregnes lige nu. Fejlen er skrevet i systemets log.".into(),
            );
        }
    };
    if csv {
        return match tabular::report_table(&report).csv() {
            Ok(bytes) => attachment(bytes, "text/csv; charset=utf-8", "komhen-rapport.csv"),
            Err(e) => {
                crate::error::log_internal(&e);
                refuse(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Rapporten kunne ikke skrives som CSV lige nu. Fejlen er skrevet i systemets \
                     log."
                        .into(),
                )
            }
        };
    }
    let mut explicit = query.clone();
    explicit.dates = Some(request.dates);
    (
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(tabular::report_json(&report, &explicit.pairs())),
    )
        .into_response()
}
