//! The line's key figures (`/hotline/{linje}/tal`): one row per group of
//! the period (week, weekday, hour, hour of the week, or the whole period)
//! and the whole period, the cost per answered call, a chart of the calls,
//! and the same table as CSV and XLSX.

use super::{
    base, first, frame, kroner, line, monday_of, query_date, query_pairs, today, PageResult,
};
use crate::access::Authorized;
use crate::format::rows_text;
use crate::frame::Frame;
use crate::reports::download::attachment;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse};
use chrono::{Duration, NaiveDate};
use komhen_core::hotline::figures::Grouping;
use komhen_core::hotline::report::{self, figures_table, FIGURES_HEADER};
use serde_json::json;

#[derive(Template)]
#[template(path = "hotline_figures.html")]
struct FiguresPage {
    frame: Frame,
    base: String,
    from: String,
    to: String,
    grouping: &'static str,
    groupings: Vec<(&'static str, &'static str)>,
    period: String,
    head: Vec<String>,
    rows: Vec<Vec<String>>,
    total: Vec<String>,
    cost: String,
    cost_per_answered: String,
    chart: Option<String>,
    service_rule: String,
    csv: String,
    xlsx: String,
    /// Ready-made views: (label, address).
    shortcuts: Vec<(&'static str, String)>,
}

/// The views the steering group asks for most: the last 4 weeks by week,
/// the last 52 weeks by week (calls across the year) and by hour of day.
fn shortcuts(base: &str, state: &AppState) -> Vec<(&'static str, String)> {
    let monday = monday_of(today(state));
    let last = monday - Duration::days(1);
    let four = monday - Duration::days(28);
    let year = monday - Duration::days(7 * 52);
    vec![
        (
            crate::t("De seneste 4 uger"),
            format!("{base}/tal?fra={four}&til={last}&gruppe=uge"),
        ),
        (
            crate::t("Året uge for uge"),
            format!("{base}/tal?fra={year}&til={last}&gruppe=uge"),
        ),
        (
            crate::t("Året time for time på dagen"),
            format!("{base}/tal?fra={year}&til={last}&gruppe=time"),
        ),
    ]
}

/// The period and grouping asked for: by default the last 4 whole ISO
/// weeks, by week; with the message of a field that cannot be read (the
/// defaults stand in for it).
fn asked(
    state: &AppState,
    pairs: &[(String, String)],
) -> (NaiveDate, NaiveDate, Grouping, Option<String>) {
    let this_monday = monday_of(today(state));
    let from = query_date(
        pairs,
        "fra",
        crate::t("Fra"),
        this_monday - Duration::days(28),
    );
    let to = query_date(
        pairs,
        "til",
        crate::t("Til og med"),
        this_monday - Duration::days(1),
    );
    let asked_grouping = first(pairs, "gruppe");
    let grouping = match asked_grouping {
        "" => Some(Grouping::IsoWeek),
        g => Grouping::parse(g),
    };
    let error = [from.as_ref().err(), to.as_ref().err()]
        .into_iter()
        .flatten()
        .cloned()
        .chain(grouping.is_none().then(|| {
            crate::t1(
                "Opdelingen «{0}» findes ikke: vælg en i listen.",
                asked_grouping,
            )
        }))
        .reduce(|a, b| format!("{a} {b}"));
    (
        from.unwrap_or(this_monday - Duration::days(28)),
        to.unwrap_or(this_monday - Duration::days(1)),
        grouping.unwrap_or(Grouping::IsoWeek),
        error,
    )
}

/// `GET /hotline/{linje}/tal?fra=&til=&gruppe=&format=`
pub(crate) async fn show(
    State(state): State<AppState>,
    auth: Authorized,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let pairs = query_pairs(raw.as_deref());
    let (from, to, grouping, unreadable) = asked(&state, &pairs);
    let line = line(&state, &auth).await?;
    let base = base(&auth)?;
    let address = format!("{base}/tal?fra={from}&til={to}&gruppe={}", grouping.code());
    let figures = match unreadable {
        Some(message) => Err(komhen_core::CoreError::Invalid(message)),
        None => report::period_figures(state.store.as_ref(), &line, from, to, grouping).await,
    };
    let format = first(&pairs, "format");
    if let (Ok(p), "csv" | "xlsx") = (&figures, format) {
        let table = figures_table(p);
        let name = format!(
            "hotline-{}-noegletal-{from}-{to}-{}",
            line.id(),
            grouping.code()
        );
        return Ok(if format == "xlsx" {
            attachment(
                table.xlsx("Nøgletal")?,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &format!("{name}.xlsx"),
            )
        } else {
            attachment(
                table.csv()?,
                "text/csv; charset=utf-8",
                &format!("{name}.csv"),
            )
        });
    }
    let s = &line.row.settings;
    let mut page = FiguresPage {
        frame: frame(&auth, crate::t("Nøgletal"), "/tal"),
        shortcuts: shortcuts(&base, &state),
        base,
        from: from.to_string(),
        to: to.to_string(),
        grouping: grouping.code(),
        groupings: Grouping::ALL
            .iter()
            .map(|g| (g.code(), crate::t(g.label_da())))
            .collect(),
        period: format!("{} – {}", from.format("%d-%m-%Y"), to.format("%d-%m-%Y")),
        head: crate::i18n::header(&FIGURES_HEADER),
        rows: Vec::new(),
        total: Vec::new(),
        cost: String::new(),
        cost_per_answered: String::new(),
        chart: None,
        service_rule: crate::t3(
            "Serviceniveau: andelen af de besvarede og tabte opkald i åbningstiden (kort opgivne undtaget), der er besvaret inden for {0} sekunder. Målet er {1} %. Opkald lagt på inden for {2} sekunder tælles som kort opgivne.",
            s.service_seconds,
            s.service_percent,
            s.short_abandon_seconds
        ),
        csv: format!("{address}&format=csv"),
        xlsx: format!("{address}&format=xlsx"),
    };
    match figures {
        Ok(p) => {
            let table = figures_table(&p);
            let mut rows = rows_text(&table);
            page.total = rows.pop().unwrap_or_default();
            page.rows = rows;
            page.cost = p
                .cost_ore
                .map_or_else(|| crate::t("Ingen pris dækker perioden.").into(), kroner);
            page.cost_per_answered = p.cost_per_answered_ore.map_or_else(|| "–".into(), kroner);
            if !p.figures.groups.is_empty() && grouping != Grouping::Whole {
                let groups = &p.figures.groups;
                page.chart = Some(
                    json!({
                        "kind": "bar",
                        "categories": groups.iter().map(|g| crate::i18n::message(&g.key.label_da())).collect::<Vec<_>>(),
                        "series": [
                            {"name": crate::t("Tilbudt"), "data": groups.iter().map(|g| g.figures.offered).collect::<Vec<_>>()},
                            {"name": crate::t("Besvaret"), "data": groups.iter().map(|g| g.figures.answered).collect::<Vec<_>>()},
                            {"name": crate::t("Tabt"), "data": groups.iter().map(|g| g.figures.lost).collect::<Vec<_>>()},
                        ],
                        "percent": false,
                    })
                    .to_string(),
                );
            }
            Ok(Html(page.render()?).into_response())
        }
        Err(komhen_core::CoreError::Invalid(message)) => {
            page.frame = page.frame.error(Some(message));
            Ok(crate::forms::refused(Html(page.render()?)))
        }
        Err(e) => Err(WebError::from(e)),
    }
}
