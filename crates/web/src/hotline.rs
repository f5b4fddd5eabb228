//! The joint hotline's pages (`/hotline/{linje}/…`, and the national
//! administrator's list at `/admin/hotlines`): the line's set-up, its
//! calls, key figures, staffing, statements, Erlang plan and log.
//!
//! Every handler takes [`Authorized`]: the guard has found the line
//! (`{linje}`) and decided the user may read it (GET) or set it up (POST).
//! Must not compute a figure or decide a rule: `komhen_core::hotline` does.

pub(crate) mod calls;
pub(crate) mod figures;
pub(crate) mod plan;
pub(crate) mod staffing;
pub(crate) mod statements;

use crate::access::Authorized;
use crate::format::number;
use crate::forms::{after_change, refused, when};
use crate::frame::{with_notice, Frame, NoticeQuery};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Utc};
use komhen_core::hotline::admin::{self, Line};
use komhen_core::hotline::desk;
use komhen_core::hotline::figures::Grouping;
use komhen_core::hotline::report;
use komhen_core::reports::tabular::decimal_da;
use komhen_core::CoreError;
use komhen_domain::hotline::MemberKind;
use komhen_domain::{danish_local, MunicipalityCode, UserId};
use komhen_store::{HotlineMember, HotlineRole, HotlineSettings, NewHotlinePrice};
use serde::Deserialize;

pub(crate) type PageResult = Result<Response, WebError>;

/// A weekday's name in the request's language, Monday (0) first.
pub(crate) fn weekday(index: usize) -> &'static str {
    match index {
        0 => crate::t("Mandag"),
        1 => crate::t("Tirsdag"),
        2 => crate::t("Onsdag"),
        3 => crate::t("Torsdag"),
        4 => crate::t("Fredag"),
        5 => crate::t("Lørdag"),
        _ => crate::t("Søndag"),
    }
}

/// Where the line's pages start: `/hotline/3`.
pub(crate) fn base(auth: &Authorized) -> Result<String, WebError> {
    Ok(format!("/hotline/{}", auth.hotline()?.id))
}

/// The line the route names, with its members, hours and prices.
pub(crate) async fn line(state: &AppState, auth: &Authorized) -> Result<Line, WebError> {
    Ok(admin::load(state.store.as_ref(), auth.hotline()?.id).await?)
}

/// Today in Denmark, by the web's clock.
pub(crate) fn today(state: &AppState) -> NaiveDate {
    komhen_domain::danish_local(state.clock.now()).date()
}

/// The Monday of the ISO week of a day.
pub(crate) fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// A page of the line, with its side menu.
pub(crate) fn frame(auth: &Authorized, title: impl Into<String>, current: &str) -> Frame {
    let mut frame = Frame::user(auth, title);
    if let Some(h) = &auth.hotline {
        let base = format!("/hotline/{}", h.id);
        let items: &[(&str, &'static str)] = &[
            ("", crate::t("Overblik")),
            ("/opkald", crate::t("Opkald")),
            ("/tal", crate::t("Nøgletal")),
            ("/bemanding", crate::t("Bemanding og vagtplan")),
            ("/opgoerelser", crate::t("Opgørelser")),
            ("/plan", crate::t("Bemandingsbehov (Erlang)")),
            ("/log", crate::t("Ændringslog")),
        ];
        frame.nav = items
            .iter()
            .map(|&(path, label)| crate::frame::NavItem {
                href: format!("{base}{path}"),
                label,
                current: path == current,
            })
            .collect();
        frame.nav_label = crate::t("Hotlinen");
        frame = frame.crumb("/mit", crate::t("Mit komhen"));
        if !current.is_empty() {
            frame = frame.crumb(base, h.settings.name.clone());
        }
    }
    frame
}

/// A date of a page's query (`fra`, `til`, `dag`): `default` when the field
/// is absent or empty, else the date typed, or a message naming the field
/// (`label`) that tells a day that does not exist (31-11-2026) from text
/// that is no date at all.
pub(crate) fn query_date(
    pairs: &[(String, String)],
    key: &str,
    label: &str,
    default: NaiveDate,
) -> Result<NaiveDate, String> {
    let text = first(pairs, key).trim();
    if text.is_empty() {
        return Ok(default);
    }
    parse_date(text).ok_or_else(|| {
        let shape = |s: &str| {
            s.chars()
                .map(|c| if c.is_ascii_digit() { '9' } else { c })
                .collect::<String>()
        };
        if matches!(shape(text).as_str(), "9999-99-99" | "99-99-9999") {
            crate::t2("{0} «{1}» er ikke en dag, der findes.", label, text)
        } else {
            crate::t2(
                "{0} «{1}» er ikke en dato. Skriv den som 2026-03-02 eller 02-03-2026.",
                label,
                text,
            )
        }
    })
}

/// A date as typed: `2026-03-02` (a date field) or `02-03-2026`.
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    komhen_core::reports::parse_date(text).ok()
}

pub(crate) use komhen_core::reports::parse_month;

/// A time of day as typed: `08:00` or `8.00`.
pub(crate) fn parse_time(text: &str) -> Option<NaiveTime> {
    let t = text.trim();
    NaiveTime::parse_from_str(t, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(t, "%H.%M"))
        .ok()
}

/// Øre as Danish kroner: `1.234,56 kr.`.
pub(crate) fn kroner(ore: i64) -> String {
    komhen_core::economics::prices::kroner(ore)
}

pub(crate) use komhen_core::economics::prices::millikroner;

fn invalid(message: impl Into<String>) -> CoreError {
    CoreError::Invalid(message.into())
}

/// The pairs of a raw query (repeated keys kept).
pub(crate) fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    raw.and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
        .unwrap_or_default()
}

pub(crate) fn first<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.as_str())
}

// --- the national list --------------------------------------------------

struct LineListView {
    href: String,
    name: String,
    created: String,
}

#[derive(Template)]
#[template(path = "hotline_admin.html")]
struct AdminPage {
    frame: Frame,
    lines: Vec<LineListView>,
    name: String,
}

async fn admin_page(
    state: &AppState,
    auth: &Authorized,
    error: Option<String>,
    name: String,
) -> Result<Html<String>, WebError> {
    let lines = state
        .store
        .list_hotlines()
        .await?
        .into_iter()
        .map(|h| LineListView {
            href: format!("/hotline/{}", h.id),
            name: h.settings.name,
            created: when(h.created_at),
        })
        .collect();
    let page = AdminPage {
        frame: Frame::admin(auth, crate::t("Fælles hotlines"), "/hotlines").error(error),
        lines,
        name,
    };
    Ok(Html(page.render()?))
}

/// `GET /admin/hotlines`
pub(crate) async fn show_lines(State(state): State<AppState>, auth: Authorized) -> PageResult {
    Ok(admin_page(&state, &auth, None, String::new())
        .await?
        .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct NameForm {
    name: String,
}

/// `POST /admin/hotlines`: creates a line and goes to it.
pub(crate) async fn create_line(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<NameForm>,
) -> PageResult {
    match admin::create(
        state.store.as_ref(),
        &auth.user.actor(),
        admin::default_settings(form.name.trim()),
        Utc::now(),
    )
    .await
    {
        Ok(id) => {
            Ok(Redirect::to(&with_notice(&format!("/hotline/{id}"), "oprettet")).into_response())
        }
        Err(CoreError::Invalid(message)) => Ok(refused(
            admin_page(&state, &auth, Some(message), form.name).await?,
        )),
        Err(e) => Err(e.into()),
    }
}

// --- the overview ---------------------------------------------------------

struct MemberView {
    code: String,
    name: String,
    kind: &'static str,
    from: String,
    to: String,
    open: bool,
}

struct DayView {
    index: usize,
    name: &'static str,
    opens: String,
    closes: String,
}

struct LinePriceView {
    id: i64,
    from: String,
    price: String,
    credit: String,
    note: String,
}

struct RoleView {
    user: i64,
    email: String,
    name: String,
    role: &'static str,
    code: &'static str,
}

struct HeadlineView {
    week: String,
    offered: String,
    answered: String,
    lost: String,
    service: String,
    mean_wait: String,
    /// Registered calls, and the shares solved at once and referred to
    /// personal attendance ("–" with none registered).
    registered: String,
    solved: String,
    attendance: String,
}

pub(crate) struct Choice {
    pub(crate) code: String,
    pub(crate) label: String,
}

/// The settings as the form shows them.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct SettingsForm {
    name: String,
    agents_at_a_time: String,
    shift_minutes: String,
    service_seconds: String,
    service_percent: String,
    short_abandon_seconds: String,
    discount_percent: String,
    discount_months: String,
}

impl SettingsForm {
    fn of(s: &HotlineSettings) -> Self {
        Self {
            name: s.name.clone(),
            agents_at_a_time: s.agents_at_a_time.to_string(),
            shift_minutes: s.shift_minutes.to_string(),
            service_seconds: s.service_seconds.to_string(),
            service_percent: s.service_percent.to_string(),
            short_abandon_seconds: s.short_abandon_seconds.to_string(),
            discount_percent: s.discount_percent.to_string(),
            discount_months: s.discount_months.to_string(),
        }
    }

    fn settings(&self) -> Result<HotlineSettings, CoreError> {
        let whole = |text: &str, what: &str| {
            text.trim()
                .parse::<i64>()
                .map_err(|_| invalid(crate::t1("{0} skal være et helt tal.", what)))
        };
        Ok(HotlineSettings {
            name: self.name.clone(),
            agents_at_a_time: whole(&self.agents_at_a_time, crate::t("Medarbejdere ad gangen"))?,
            shift_minutes: whole(&self.shift_minutes, crate::t("En vagts længde i minutter"))?,
            service_seconds: whole(&self.service_seconds, crate::t("Serviceniveauets sekunder"))?,
            service_percent: whole(&self.service_percent, crate::t("Serviceniveauets procent"))?,
            short_abandon_seconds: whole(
                &self.short_abandon_seconds,
                crate::t("Grænsen for kort opgivne opkald"),
            )?,
            discount_percent: whole(&self.discount_percent, crate::t("Startrabatten i procent"))?,
            discount_months: whole(&self.discount_months, crate::t("Startrabattens måneder"))?,
        })
    }
}

/// A share as "12,3 %", or "–".
fn percent(share: Option<f64>) -> String {
    share.map_or("–".into(), |s| format!("{} %", decimal_da(s * 100.0, 1)))
}

/// A unit that answers the line.
struct UnitView {
    id: i64,
    name: String,
    login: String,
    municipality: String,
    since: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "hotline.html")]
struct OverviewPage {
    frame: Frame,
    base: String,
    can_set_up: bool,
    settings: HotlineSettings,
    weekly_agent_hours: String,
    form: SettingsForm,
    members: Vec<MemberView>,
    days: Vec<DayView>,
    queues: Vec<String>,
    queues_text: String,
    prices: Vec<LinePriceView>,
    roles: Vec<RoleView>,
    units: Vec<UnitView>,
    headline: Option<HeadlineView>,
    municipalities: Vec<Choice>,
    kinds: Vec<Choice>,
    today: String,
}

async fn overview_page(
    state: &AppState,
    auth: &Authorized,
    notice: Option<String>,
    error: Option<String>,
    form: Option<SettingsForm>,
) -> Result<Html<String>, WebError> {
    let store = state.store.as_ref();
    let line = line(state, auth).await?;
    let today = today(state);
    let week_start = monday_of(today) - Duration::days(7);
    let week_end = week_start + Duration::days(6);
    let headline = report::period_figures(store, &line, week_start, week_end, Grouping::Whole)
        .await
        .ok()
        .map(|p| {
            let w = &p.figures.whole;
            let iso = week_start.iso_week();
            HeadlineView {
                week: format!(
                    "{} ({} – {})",
                    crate::t2("Uge {0} {1}", iso.week(), iso.year()),
                    week_start.format("%d-%m-%Y"),
                    week_end.format("%d-%m-%Y")
                ),
                offered: number(w.offered as i64),
                answered: number(w.answered as i64),
                lost: number(w.lost as i64),
                service: percent(w.service_level),
                mean_wait: w
                    .mean_wait_seconds
                    .map_or("–".into(), |s| format!("{} s", decimal_da(s, 0))),
                registered: number(w.outcomes.registered as i64),
                solved: percent(w.outcomes.solved_share()),
                attendance: percent(w.outcomes.attendance_share()),
            }
        });
    let roles = store
        .list_hotline_roles(line.id())
        .await?
        .into_iter()
        .map(|r| RoleView {
            user: r.user.0,
            email: r.email,
            name: r.name,
            role: crate::t(r.role.label_da()),
            code: r.role.code(),
        })
        .collect();
    let units = desk::units(store, &line)
        .await?
        .into_iter()
        .map(|u| UnitView {
            id: u.unit.0,
            name: u.name,
            login: u.login,
            municipality: u.municipality_name,
            since: danish_local(u.added_at).format("%d-%m-%Y").to_string(),
            active: u.active,
        })
        .collect();
    let municipalities = store
        .list_municipalities()
        .await?
        .into_iter()
        .map(|m| Choice {
            code: m.code.to_string(),
            label: format!("{} ({})", m.name, m.code),
        })
        .collect();
    let s = &line.row.settings;
    let page = OverviewPage {
        frame: frame(auth, s.name.clone(), "").notice(notice).error(error),
        base: base(auth)?,
        can_set_up: auth.can_set_up_hotline(),
        settings: s.clone(),
        weekly_agent_hours: decimal_da(line.weekly_agent_hours(), 1),
        form: form.unwrap_or_else(|| SettingsForm::of(s)),
        members: line
            .members
            .iter()
            .map(|m| MemberView {
                code: m.member.municipality.to_string(),
                name: m.name.clone(),
                kind: crate::t(m.member.kind.label_da()),
                from: m.member.joined_on.format("%d-%m-%Y").to_string(),
                to: m
                    .member
                    .left_on
                    .map_or(String::new(), |d| d.format("%d-%m-%Y").to_string()),
                open: m.member.left_on.is_none(),
            })
            .collect(),
        days: line
            .opening
            .days
            .iter()
            .enumerate()
            .map(|(index, d)| DayView {
                index,
                name: weekday(index),
                opens: d.map_or(String::new(), |(o, _)| o.format("%H:%M").to_string()),
                closes: d.map_or(String::new(), |(_, c)| c.format("%H:%M").to_string()),
            })
            .collect(),
        queues: line.row.queues.clone(),
        queues_text: line.row.queues.join("\n"),
        prices: line
            .prices
            .iter()
            .map(|p| LinePriceView {
                id: p.id,
                from: p.price.valid_from.format("%d-%m-%Y").to_string(),
                price: millikroner(p.price.price_millikr),
                credit: kroner(p.price.credit_ore_per_hour),
                note: p.price.note.clone(),
            })
            .collect(),
        roles,
        units,
        headline,
        municipalities,
        kinds: MemberKind::ALL
            .iter()
            .map(|k| Choice {
                code: k.code().into(),
                label: crate::t(k.label_da()).into(),
            })
            .collect(),
        today: today.to_string(),
    };
    Ok(Html(page.render()?))
}

/// `GET /hotline/{linje}`
pub(crate) async fn show(
    State(state): State<AppState>,
    auth: Authorized,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    Ok(overview_page(&state, &auth, query.text(), None, None)
        .await?
        .into_response())
}

/// The answer to a change of the line's set-up.
async fn changed(
    state: &AppState,
    auth: &Authorized,
    outcome: Result<(), CoreError>,
    form: Option<SettingsForm>,
) -> PageResult {
    let back = base(auth)?;
    after_change(outcome, &back, "gemt", |e| {
        overview_page(state, auth, None, Some(e), form)
    })
    .await
}

/// `POST /hotline/{linje}/indstillinger`
pub(crate) async fn save_settings(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<SettingsForm>,
) -> PageResult {
    let line = line(&state, &auth).await?;
    let outcome = match form.settings() {
        Ok(settings) => {
            admin::update(state.store.as_ref(), &auth.user.actor(), &line, settings).await
        }
        Err(e) => Err(e),
    };
    changed(&state, &auth, outcome, Some(form)).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct QueuesForm {
    queues: String,
}

/// `POST /hotline/{linje}/koeer`
pub(crate) async fn save_queues(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<QueuesForm>,
) -> PageResult {
    let line = line(&state, &auth).await?;
    let outcome = admin::set_queues(
        state.store.as_ref(),
        &auth.user.actor(),
        &line,
        &form.queues,
    )
    .await
    .map(|_| ());
    changed(&state, &auth, outcome, None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct MemberForm {
    municipality: String,
    kind: String,
    from: String,
    to: String,
}

fn municipality_of(text: &str) -> Result<MunicipalityCode, CoreError> {
    MunicipalityCode::parse(text.trim()).map_err(|_| invalid(crate::t("Vælg en kommune.")))
}

fn date_of(text: &str, what: &str) -> Result<NaiveDate, CoreError> {
    parse_date(text)
        .ok_or_else(|| invalid(crate::t1("Skriv {0} som en dato, fx 01-03-2026.", what)))
}

/// `POST /hotline/{linje}/medlemmer`
pub(crate) async fn add_member(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<MemberForm>,
) -> PageResult {
    let line = line(&state, &auth).await?;
    let member = (|| {
        Ok::<_, CoreError>(HotlineMember {
            municipality: municipality_of(&form.municipality)?,
            kind: MemberKind::parse(&form.kind).ok_or_else(|| {
                invalid(crate::t(
                    "Vælg, om kommunen bemander vagter eller kun betaler.",
                ))
            })?,
            joined_on: date_of(&form.from, crate::t("indmeldelsen"))?,
            left_on: match form.to.trim() {
                "" => None,
                to => Some(date_of(to, crate::t("udmeldelsen"))?),
            },
        })
    })();
    let outcome = match member {
        Ok(m) => admin::add_member(state.store.as_ref(), &auth.user.actor(), &line, m).await,
        Err(e) => Err(e),
    };
    changed(&state, &auth, outcome, None).await
}

/// `POST /hotline/{linje}/medlemmer/afslut`
pub(crate) async fn end_member(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<MemberForm>,
) -> PageResult {
    let line = line(&state, &auth).await?;
    let outcome = match (
        municipality_of(&form.municipality),
        date_of(&form.to, crate::t("udmeldelsen")),
    ) {
        (Ok(code), Ok(day)) => {
            admin::end_member(state.store.as_ref(), &auth.user.actor(), &line, code, day).await
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    changed(&state, &auth, outcome, None).await
}

/// `POST /hotline/{linje}/aabningstid`: `opens_0`…`closes_6`.
pub(crate) async fn save_opening_hours(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    let line = line(&state, &auth).await?;
    let field = |name: String| {
        form.iter()
            .find(|(k, _)| *k == name)
            .map_or("", |(_, v)| v.as_str())
            .trim()
            .to_owned()
    };
    let mut days = [None; 7];
    let mut problem = None;
    for (i, day) in days.iter_mut().enumerate() {
        let (opens, closes) = (field(format!("opens_{i}")), field(format!("closes_{i}")));
        if opens.is_empty() && closes.is_empty() {
            continue;
        }
        match (parse_time(&opens), parse_time(&closes)) {
            (Some(o), Some(c)) => *day = Some((o, c)),
            _ => {
                problem.get_or_insert_with(|| {
                    invalid(crate::t1(
                        "{0}: skriv både åbne- og lukketid som tt:mm, eller lad begge stå tomme \
                         for lukket.",
                        weekday(i),
                    ))
                });
            }
        }
    }
    let outcome = match problem {
        Some(e) => Err(e),
        None => {
            admin::set_opening_hours(state.store.as_ref(), &auth.user.actor(), &line, days).await
        }
    };
    changed(&state, &auth, outcome, None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct RoleForm {
    email: String,
    role: String,
    #[serde(deserialize_with = "crate::forms::id")]
    user: Option<i64>,
}

/// `POST /hotline/{linje}/roller`
pub(crate) async fn grant_role(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<RoleForm>,
) -> PageResult {
    let line = line(&state, &auth).await?;
    let outcome = match HotlineRole::parse(&form.role) {
        Some(role) => admin::grant_role(
            state.store.as_ref(),
            &auth.user.actor(),
            &line,
            &form.email,
            role,
        )
        .await
        .map(|_| ()),
        None => Err(invalid(crate::t("Vælg en rolle."))),
    };
    changed(&state, &auth, outcome, None).await
}

/// `POST /hotline/{linje}/roller/fjern`
pub(crate) async fn revoke_role(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<RoleForm>,
) -> PageResult {
    let line = line(&state, &auth).await?;
    let outcome = match (form.user, HotlineRole::parse(&form.role)) {
        (Some(user), Some(role)) => {
            admin::revoke_role(
                state.store.as_ref(),
                &auth.user.actor(),
                &line,
                UserId(user),
                role,
            )
            .await
        }
        _ => Err(invalid(crate::t("Vælg den rolle, der skal fjernes."))),
    };
    changed(&state, &auth, outcome, None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct UnitForm {
    login: String,
    #[serde(deserialize_with = "crate::forms::id")]
    unit: Option<i64>,
}

/// `POST /hotline/{linje}/enheder`
pub(crate) async fn add_unit(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<UnitForm>,
) -> PageResult {
    let line = line(&state, &auth).await?;
    let outcome = desk::add_unit(
        state.store.as_ref(),
        &auth.user.actor(),
        &line,
        &form.login,
        state.clock.now(),
    )
    .await
    .map(|_| ());
    changed(&state, &auth, outcome, None).await
}

/// `POST /hotline/{linje}/enheder/fjern`
pub(crate) async fn remove_unit(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<UnitForm>,
) -> PageResult {
    let line = line(&state, &auth).await?;
    let outcome = match form.unit {
        Some(unit) => {
            desk::remove_unit(
                state.store.as_ref(),
                &auth.user.actor(),
                &line,
                komhen_domain::UnitId(unit),
            )
            .await
        }
        None => Err(invalid(crate::t("Vælg den enhed, der skal fjernes."))),
    };
    changed(&state, &auth, outcome, None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct LinePriceForm {
    valid_from: String,
    price: String,
    credit: String,
    note: String,
    #[serde(deserialize_with = "crate::forms::id")]
    id: Option<i64>,
}

/// `POST /hotline/{linje}/priser`
pub(crate) async fn save_price(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<LinePriceForm>,
) -> PageResult {
    let line = line(&state, &auth).await?;
    let price = (|| {
        Ok::<_, CoreError>(NewHotlinePrice {
            hotline: line.id(),
            valid_from: date_of(&form.valid_from, crate::t("datoen"))?,
            price_millikr: komhen_core::economics::prices::parse_millikroner(&form.price).ok_or_else(|| {
                invalid(crate::t("Skriv prisen pr. borger pr. måned i kroner med højst 3 decimaler, fx 0,210."))
            })?,
            credit_ore_per_hour: komhen_core::economics::prices::parse_kroner(&form.credit).ok_or_else(|| {
                invalid(crate::t("Skriv godtgørelsen pr. bemandet time i kroner med højst 2 decimaler, fx 272,00."))
            })?,
            note: form.note.trim().to_owned(),
            set_by: auth.user.actor().as_str().to_owned(),
            set_at: Utc::now(),
        })
    })();
    let outcome = match price {
        Ok(p) => admin::set_price(state.store.as_ref(), &auth.user.actor(), &line, p).await,
        Err(e) => Err(e),
    };
    changed(&state, &auth, outcome, None).await
}

/// `POST /hotline/{linje}/priser/fjern`
pub(crate) async fn remove_price(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<LinePriceForm>,
) -> PageResult {
    let line = line(&state, &auth).await?;
    let outcome = match form.id {
        Some(id) => admin::remove_price(state.store.as_ref(), &auth.user.actor(), &line, id).await,
        None => Err(invalid(crate::t("Vælg den pris, der skal fjernes."))),
    };
    changed(&state, &auth, outcome, None).await
}
