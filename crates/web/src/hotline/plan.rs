//! The line's Erlang plan (`/hotline/{linje}/plan`) and its log
//! (`/hotline/{linje}/log`).

use super::{base, frame, line, monday_of, query_date, query_pairs, today, PageResult};
use crate::access::Authorized;
use crate::frame::Frame;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse};
use chrono::Duration;
use komhen_core::hotline::plan::MIN_ANSWERED_FOR_SLOT_HANDLE;
use komhen_core::hotline::report;
use komhen_core::reports::tabular::decimal_da;
use komhen_core::CoreError;

struct SlotView {
    label: String,
    offered: String,
    handle: String,
    erlang_c: String,
    erlang_a: String,
    roster: String,
    roster_sl: String,
    wait: String,
    verdict: &'static str,
    verdict_code: &'static str,
}

#[derive(Template)]
#[template(path = "hotline_plan.html")]
struct PlanPage {
    frame: Frame,
    base: String,
    from: String,
    to: String,
    /// The period as the caption writes it (dd-mm-yyyy).
    period: String,
    slots: Vec<SlotView>,
    rules: Vec<String>,
}

/// `GET /hotline/{linje}/plan?fra=&til=`
pub(crate) async fn show(
    State(state): State<AppState>,
    auth: Authorized,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let pairs = query_pairs(raw.as_deref());
    let monday = monday_of(today(&state));
    let from = query_date(&pairs, "fra", crate::t("Fra"), monday - Duration::days(28));
    let to = query_date(
        &pairs,
        "til",
        crate::t("Til og med"),
        monday - Duration::days(1),
    );
    let unreadable = [from.as_ref().err(), to.as_ref().err()]
        .into_iter()
        .flatten()
        .cloned()
        .reduce(|a, b| format!("{a} {b}"));
    let from = from.unwrap_or(monday - Duration::days(28));
    let to = to.unwrap_or(monday - Duration::days(1));
    let line = line(&state, &auth).await?;
    let mut page = PlanPage {
        frame: frame(&auth, crate::t("Bemandingsbehov (Erlang)"), "/plan"),
        base: base(&auth)?,
        from: from.to_string(),
        to: to.to_string(),
        period: format!("{} – {}", from.format("%d-%m-%Y"), to.format("%d-%m-%Y")),
        slots: Vec::new(),
        rules: Vec::new(),
    };
    let opt = |v: Option<u32>| v.map_or("–".into(), |n| n.to_string());
    let plan = match unreadable {
        Some(message) => Err(CoreError::Invalid(message)),
        None => report::plan(state.store.as_ref(), &line, from, to).await,
    };
    match plan {
        Ok(plan) => {
            page.slots = plan
                .slots
                .iter()
                .map(|s| SlotView {
                    label: format!(
                        "{} {:02}–{:02}",
                        crate::t(komhen_core::hotline::figures::weekday_da(s.weekday)),
                        s.hour,
                        s.hour + 1
                    ),
                    offered: decimal_da(s.offered_per_hour, 1),
                    handle: s.handle_seconds.map_or("–".into(), |h| {
                        format!(
                            "{}{}",
                            decimal_da(h, 0),
                            if s.handle_is_overall { " *" } else { "" }
                        )
                    }),
                    erlang_c: opt(s.erlang_c_agents),
                    erlang_a: opt(s.erlang_a_agents),
                    roster: decimal_da(s.roster_agents, 1),
                    roster_sl: s
                        .roster_service_level
                        .map_or("–".into(), |x| format!("{} %", decimal_da(x * 100.0, 1))),
                    wait: s
                        .roster_mean_wait_seconds
                        .map_or("–".into(), |w| format!("{} s", decimal_da(w, 0))),
                    verdict: crate::t(s.verdict.label_da()),
                    verdict_code: s.verdict.code(),
                })
                .collect();
            page.rules = vec![
                crate::t2(
                    "Målet: {0} % af opkaldene besvaret inden for {1} sekunder.",
                    decimal_da(plan.settings.service_target * 100.0, 0),
                    plan.settings.service_seconds,
                ),
                crate::t2(
                    "Behandlingstid pr. time i ugen, når timen har mindst {0} \
                     besvarede opkald; ellers periodens samlede ({1}), markeret med *.",
                    MIN_ANSWERED_FOR_SLOT_HANDLE,
                    plan.overall_handle_seconds.map_or_else(
                        || crate::t("ukendt").to_owned(),
                        |h| format!("{} s", decimal_da(h, 0)),
                    ),
                ),
                crate::t("Erlang C regner, som om ingen lægger på i køen.").into(),
                crate::t2(
                    "Erlang A regner med, at de ventende lægger på efter {0} i gennemsnit (målt \
                     af periodens tabte opkald i åbningstiden: {1}).",
                    plan.patience_seconds.map_or_else(
                        || crate::t("ukendt tid").to_owned(),
                        |p| crate::t1("{0} sekunder", decimal_da(p, 0)),
                    ),
                    plan.lost_in_hours,
                ),
                crate::t1(
                    "Vagtplanens medarbejdere er gennemsnittet over periodens forekomster af timen. \
                     {0} opkald uden for åbningstid er ikke med.",
                    plan.outside_hours,
                ),
            ];
            Ok(Html(page.render()?).into_response())
        }
        Err(CoreError::Invalid(message)) => {
            page.frame = page.frame.error(Some(message));
            Ok(crate::forms::refused(Html(page.render()?)))
        }
        Err(e) => Err(WebError::from(e)),
    }
}

struct AuditView {
    at: String,
    actor: String,
    action: String,
    entity: String,
    municipality: String,
    before: String,
    after: String,
}

/// The log reuses the municipalities' audit page.
#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    frame: Frame,
    national: bool,
    entries: Vec<AuditView>,
    limit: i64,
}

const AUDIT_LIMIT: i64 = 500;

/// `GET /hotline/{linje}/log`
pub(crate) async fn show_log(State(state): State<AppState>, auth: Authorized) -> PageResult {
    let entries = state
        .store
        .list_hotline_audit(auth.hotline()?.id, AUDIT_LIMIT)
        .await?;
    let page = AuditPage {
        frame: frame(&auth, crate::t("Ændringslog"), "/log"),
        national: true,
        entries: entries
            .into_iter()
            .map(|a| AuditView {
                at: komhen_domain::danish_local(a.at)
                    .format("%d-%m-%Y %H:%M:%S")
                    .to_string(),
                actor: a.entry.actor,
                action: a.entry.action,
                entity: format!("{} {}", a.entry.entity, a.entry.entity_id),
                municipality: a
                    .entry
                    .municipality
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| "–".into()),
                before: a.entry.before_json.unwrap_or_default(),
                after: a.entry.after_json.unwrap_or_default(),
            })
            .collect(),
        limit: AUDIT_LIMIT,
    };
    Ok(Html(page.render()?).into_response())
}
