//! The overview of a period (`/kommune/{kode}/tal`): key figures with their
//! change since the comparison, and the tables of channels, inquiry types,
//! units, tasks, completion and forms (the period report shows the first
//! four); with `omkostning=ja`, the cost beside every count.

use super::context::{context, read_address, FilterForm};
use super::cost::{CostNotes, CostToggle};
use super::table::{signed, signed_decimal, Section, TableView};
use super::PageResult;
use crate::access::Authorized;
use crate::frame::Frame;
use crate::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse};
use komhen_core::economics::prices;
use komhen_core::reports::bank::ChartKind;
use komhen_core::reports::tabular::{thousands, Cell};
use komhen_core::reports::{self, annual, coverage, Comparing, Dimension, Order, Report, ShareOf};

/// The overview's tables; the period report shows the first four.
pub(super) const OVERVIEW_SECTIONS: [Section; 6] = [
    Section {
        id: "kanaler",
        caption: || crate::t("Kanaler efter retning"),
        dims: &[Dimension::Direction, Dimension::Channel],
        share_of: ShareOf::FirstDimension,
        order: Order::Natural,
        chart: Some(ChartKind::Stacked),
        show: 100,
    },
    Section {
        id: "typer",
        caption: || crate::t("Henvendelsestyper efter retning"),
        dims: &[Dimension::Direction, Dimension::InquiryType],
        share_of: ShareOf::FirstDimension,
        order: Order::Natural,
        chart: Some(ChartKind::Stacked),
        show: 100,
    },
    Section {
        id: "enheder",
        caption: || crate::t("Forvaltninger og enheder"),
        dims: &[Dimension::Department, Dimension::Unit],
        share_of: ShareOf::Total,
        order: Order::Natural,
        chart: None,
        show: 200,
    },
    Section {
        id: "opgaver",
        caption: || crate::t("Opgaver med flest henvendelser"),
        dims: &[Dimension::Task],
        share_of: ShareOf::Total,
        order: Order::Inquiries,
        chart: Some(ChartKind::Bars),
        show: 15,
    },
    Section {
        id: "afslutning",
        caption: || crate::t("Afsluttet straks eller lagt til side"),
        dims: &[Dimension::Completion],
        share_of: ShareOf::Total,
        order: Order::Natural,
        chart: None,
        show: 10,
    },
    Section {
        id: "blanket",
        caption: || crate::t("Blanket medsendt"),
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

/// The coverage section: registered against the municipality's own
/// systems' totals, per channel.
pub(crate) struct CoverageView {
    pub(crate) head: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
    pub(crate) total: Vec<String>,
    pub(crate) partly_outside: usize,
    /// Where the totals are entered (for those who may).
    pub(crate) totals_link: String,
}

#[derive(Template)]
#[template(path = "reports_overview.html")]
struct OverviewPage {
    frame: Frame,
    base: String,
    form: FilterForm,
    figures: Vec<KeyFigure>,
    /// None for a reader limited to some units: a total is the whole
    /// municipality's.
    coverage: Option<CoverageView>,
    tables: Vec<TableView>,
    cost_toggle: CostToggle,
    cost_notes: Option<CostNotes>,
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
            &state,
            &[Dimension::Direction],
            ShareOf::Total,
            Order::Natural,
        )
        .await?;
    let mut incoming_request = ctx.request.clone().by(&[Dimension::Digital]);
    incoming_request.filters.directions = vec![komhen_domain::Direction::Incoming];
    let digital = super::run(&state, &incoming_request).await?;
    let completion = ctx
        .run(
            &state,
            &[Dimension::Completion],
            ShareOf::Total,
            Order::Natural,
        )
        .await?;
    let types = ctx
        .run(
            &state,
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
            Some(p) => crate::t3(
                "{0} ({1} %) mod {2}",
                signed(c.change),
                signed_decimal(p, 0),
                thousands(c.inquiries),
            ),
            None => crate::t("ingen at sammenligne med").into(),
        });
    let share_figure = |label: &'static str, found: Option<(f64, i64, Option<f64>)>, of: i64| {
        let (share, count, then) = found.unwrap_or((0.0, 0, None));
        KeyFigure {
            label,
            value: Cell::Share(share).display_da(),
            detail: crate::t3(
                "{0} af {1}{2}",
                thousands(count),
                thousands(of),
                then.map_or(String::new(), |t| {
                    crate::t1(
                        "; {0} pct.-point",
                        signed_decimal(reports::points(share, t), 1),
                    )
                }),
            ),
        }
    };
    let mut figures = vec![
        KeyFigure {
            label: crate::t("Henvendelser i alt"),
            value: thousands(total.inquiries),
            detail: change,
        },
        share_figure(
            crate::t("Digital andel af de indgående"),
            share_of(&digital, "ja"),
            digital.total.inquiries,
        ),
        share_figure(
            crate::t("Afsluttet straks"),
            share_of(&completion, "STRAKS"),
            completion.total.inquiries,
        ),
        share_figure(
            crate::t("Fejlhenvendelser"),
            share_of(&types, "FEJL"),
            types.total.inquiries,
        ),
    ];
    if let Some(figure) = cost_figure(&by_direction) {
        figures.insert(1, figure);
    }

    let coverage = match ctx.scope.units {
        Some(_) => None,
        None => {
            let dates = ctx.request.dates;
            let found = coverage::coverage(store, ctx.code, dates.from, dates.to).await?;
            if let Some(share) = found.share() {
                figures.push(KeyFigure {
                    label: crate::t("Dækningsgrad"),
                    value: Cell::Share(share).display_da(),
                    detail: crate::t("registreret af totalen fra kommunens egne systemer").into(),
                });
            }
            if let Some(e) = annual::annual_estimate(store, ctx.code, dates.from, dates.to).await? {
                figures.push(annual_figure(&e));
            }
            let names = super::channel_names(store).await?;
            Some(coverage_view(&found, &names, &ctx.code.to_string()))
        }
    };

    let mut tables = Vec::new();
    for section in &OVERVIEW_SECTIONS {
        tables.push(section.table(&ctx, &state).await?);
    }
    let page = OverviewPage {
        frame: Frame::municipality(
            &auth,
            crate::t1("Tal og rapporter – {0} Kommune", &m.name),
            "/tal",
        ),
        form: ctx.filter_form(&ctx.base, Vec::new()),
        base: ctx.base.clone(),
        figures,
        coverage,
        tables,
        cost_toggle: CostToggle::of(&ctx.base, &ctx.query, &[]),
        cost_notes: CostNotes::of(&by_direction),
    };
    Ok(Html(page.render()?).into_response())
}

/// The annualised estimate as a key figure, with its rule in a sentence.
fn annual_figure(e: &annual::AnnualEstimate) -> KeyFigure {
    let round = |x: f64| thousands(x.round() as i64);
    KeyFigure {
        label: crate::t("Årsskøn for hele kommunen"),
        value: round(e.estimate),
        detail: crate::t3(
            "95 %-interval {0}: gennemsnittet af {1} hele uger ({2} henvendelser) gange 52; \
             forudsætter at ugerne er typiske for året",
            format!("{}–{}", round(e.low), round(e.high)),
            e.weeks.len(),
            round(e.mean_per_week),
        ),
    }
}

/// The coverage as the page shows it (the same table as the command line's),
/// each channel by its name in the page's language (`names`, by code).
fn coverage_view(
    found: &coverage::Coverage,
    names: &std::collections::HashMap<String, String>,
    municipality: &str,
) -> CoverageView {
    let table = coverage::coverage_table(found);
    let mut rows = crate::format::rows_text(&table);
    // A row per channel, in the coverage's order, then all channels.
    for (row, channel) in rows.iter_mut().zip(&found.channels) {
        if let (Some(cell), Some(name)) = (row.first_mut(), names.get(channel.channel.as_str())) {
            cell.clone_from(name);
        }
    }
    let total = if rows.is_empty() {
        Vec::new()
    } else {
        rows.pop().unwrap_or_default()
    };
    CoverageView {
        head: crate::i18n::header(&table.header),
        rows,
        total,
        partly_outside: found.partly_outside,
        totals_link: format!("/kommune/{municipality}/totaltal"),
    }
}

/// With cost: the report's total cost, and then's beside it.
pub(super) fn cost_figure(report: &Report) -> Option<KeyFigure> {
    let now = report.total.cost?;
    let mut detail = Vec::new();
    if now.unpriced_inquiries > 0 {
        detail.push(crate::t1(
            "{0} henvendelser uden pris",
            thousands(now.unpriced_inquiries),
        ));
    }
    if let Some(then) = report.total.comparison.and_then(|c| c.cost) {
        detail.push(crate::t1("{0} i sammenligningen", prices::kroner(then.ore)));
    }
    Some(KeyFigure {
        label: crate::t("Omkostning i alt"),
        value: prices::kroner(now.ore),
        detail: detail.join("; "),
    })
}
