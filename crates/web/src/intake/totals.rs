//! The total counts pages: a municipality's (`/kommune/{kode}/totaltal`:
//! entries in a form, CSV files, the phone system's rules and call logs,
//! the figures delivered centrally for it) and the national
//! administrator's (`/admin/totaltal`: borger.dk logins and NemID issued
//! per municipality).
//!
//! An upload is answered with its preview: every problem and overlap, or
//! the totals staged and a "Gem" button that commits them. Every handler
//! takes [`Authorized`]; every rule (parsing, overlaps, counting calls)
//! lives in `komhen_core::intake::totals` and `komhen_core::intake::phone`.

mod national;
pub(crate) use national::*;

use crate::access::Authorized;
use crate::format::number;
use crate::forms::{self, refused, when};
use crate::frame::{with_notice, Frame, NoticeQuery};
use crate::intake::form::ProblemsView;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use komhen_core::intake::phone::{self, CdrFile, CdrOptions, CdrPreview, CdrRuleInput};
use komhen_core::intake::totals::{self, Labels, TotalInput, TotalsEntry, TotalsPreview};
use komhen_core::CoreError;
use komhen_domain::{BatchId, CdrRuleId};
use komhen_store::{CdrMatch, CdrRuleField, TotalEntryRow};
use serde::Deserialize;

type PageResult = Result<Response, WebError>;

fn base(auth: &Authorized) -> Result<String, WebError> {
    Ok(format!("{}/totaltal", forms::base(auth)?))
}

/// `POST /kommune/{kode}/totaltal`: one total as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct TotalForm {
    channel: String,
    from: String,
    to: String,
    count: String,
}

/// `POST /kommune/{kode}/totaltal/telefoni/regler`: one phone-system rule.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PhoneRuleForm {
    field: String,
    matching: String,
    pattern: String,
    direction: String,
}

/// A template file as a download.
fn csv_download(name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// What an upload form sent: the file and its other fields.
struct Upload {
    file_name: String,
    bytes: Vec<u8>,
    /// The measure of a national delivery.
    measure: String,
    /// Whether a call log's times are UTC.
    utc: bool,
    /// A call log's column layout.
    columns: String,
}

/// Reads an upload form through the one upload path; a totals file is
/// read once, straight away (its totals are staged in the database), so
/// it does not wait on disk.
async fn read_upload(
    state: &AppState,
    auth: &Authorized,
    multipart: Multipart,
) -> Result<Upload, WebError> {
    let scope = match auth.code() {
        Ok(code) => format!("totaltal-{code}"),
        Err(_) => "totaltal-central".to_owned(),
    };
    let form = state
        .uploads
        .receive(multipart, &scope, Some(auth.user.user.id))
        .await?;
    let (file_name, bytes) = match &form.file {
        Some(kept) => (kept.meta.file_name.clone(), state.uploads.take(kept)?),
        None => (String::new(), Vec::new()),
    };
    Ok(Upload {
        file_name,
        bytes,
        measure: form.field("measure").to_owned(),
        utc: matches!(form.field("utc"), "on" | "ja" | "true"),
        columns: form.field("columns").to_owned(),
    })
}

// --- views --------------------------------------------------------------------------

pub(crate) struct TotalLine {
    pub(crate) subject: String,
    pub(crate) period: String,
    pub(crate) count: String,
}

pub(crate) struct EntryView {
    pub(crate) id: i64,
    pub(crate) kind: &'static str,
    pub(crate) file_name: String,
    pub(crate) period: String,
    pub(crate) totals: String,
    pub(crate) sum: String,
    pub(crate) unit: &'static str,
    pub(crate) entered_by: String,
    pub(crate) entered_at: String,
    pub(crate) lines: Vec<TotalLine>,
}

fn entry_view(labels: &Labels, entry: &TotalsEntry) -> EntryView {
    let unit = entry.totals.first().map_or(crate::t("henvendelser"), |t| {
        totals::unit_da(t.total.measure)
    });
    EntryView {
        id: entry.batch.id.0,
        kind: crate::t(entry.batch.kind.label_da()),
        file_name: entry.batch.file_name.clone(),
        period: match (entry.first_day, entry.last_day) {
            (Some(from), Some(to)) => totals::range_da(from, to),
            _ => String::new(),
        },
        totals: number(entry.totals.len() as i64),
        sum: number(entry.sum),
        unit,
        entered_by: totals::actor_da(&entry.batch.created_by),
        entered_at: when(entry.batch.created_at),
        lines: entry.totals.iter().map(|t| line_of(labels, t)).collect(),
    }
}

fn line_of(labels: &Labels, entry: &TotalEntryRow) -> TotalLine {
    let t = &entry.total;
    TotalLine {
        subject: match &t.channel {
            Some(channel) => labels.channel(channel),
            None => labels.municipality(t.municipality),
        },
        period: totals::range_da(t.from, t.to),
        count: number(t.count),
    }
}

pub(crate) struct CentralView {
    pub(crate) measure: &'static str,
    pub(crate) period: String,
    pub(crate) count: String,
    pub(crate) delivered: String,
}

pub(crate) struct Choice {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

pub(crate) struct RuleView {
    pub(crate) id: i64,
    pub(crate) field: &'static str,
    pub(crate) matching: &'static str,
    pub(crate) pattern: String,
    pub(crate) direction: &'static str,
}

// --- the municipality's page --------------------------------------------------------------

#[derive(Template)]
#[template(path = "totals.html")]
struct TotalsPage {
    frame: Frame,
    base: String,
    can_set_up: bool,
    entries: Vec<EntryView>,
    central: Vec<CentralView>,
    channels: Vec<Choice>,
    form_from: String,
    form_to: String,
    form_count: String,
    rules: Vec<RuleView>,
    rule_fields: Vec<Choice>,
    rule_matchings: Vec<Choice>,
}

/// The form's values to show again after a refusal.
#[derive(Default)]
struct Typed {
    total: TotalInput,
}

async fn totals_page(
    state: &AppState,
    auth: &Authorized,
    notice: Option<String>,
    error: Option<String>,
    typed: Typed,
) -> Result<Html<String>, WebError> {
    let store = state.store.as_ref();
    let code = auth.code()?;
    let labels = Labels::load(store).await?;
    let entries = totals::entries(store, Some(code)).await?;
    let central = totals::central_for(store, code).await?;
    let channels = store.list_channels().await?;
    let rules = store.list_cdr_rules(code).await?;
    let page = TotalsPage {
        frame: Frame::municipality(auth, crate::t("Totaltal"), "/totaltal")
            .notice(notice)
            .error(error),
        base: base(auth)?,
        can_set_up: auth.can_set_up(),
        entries: entries.iter().map(|e| entry_view(&labels, e)).collect(),
        central: central
            .iter()
            .map(|e| CentralView {
                measure: totals::measure_da(e.total.measure),
                period: totals::range_da(e.total.from, e.total.to),
                count: number(e.total.count),
                delivered: format!(
                    "{}, {}",
                    e.entered_by
                        .as_deref()
                        .map(totals::actor_da)
                        .unwrap_or_default(),
                    when(e.entered_at)
                ),
            })
            .collect(),
        channels: channels
            .iter()
            .filter(|c| c.active)
            .map(|c| Choice {
                value: c.code.to_string(),
                label: format!("{} ({})", c.label_da, c.code),
                selected: c.code.as_str() == typed.total.channel,
            })
            .collect(),
        form_from: typed.total.from,
        form_to: typed.total.to,
        form_count: typed.total.count,
        rules: rules
            .iter()
            .map(|r| RuleView {
                id: r.id.0,
                field: r.rule.field.code(),
                matching: crate::t(r.rule.matching.label_da()),
                pattern: r.rule.pattern.clone(),
                direction: crate::t(r.rule.direction.label_da()),
            })
            .collect(),
        rule_fields: CdrRuleField::ALL
            .iter()
            .map(|f| Choice {
                value: f.code().into(),
                label: crate::t(f.label_da()).into(),
                selected: false,
            })
            .collect(),
        rule_matchings: CdrMatch::ALL
            .iter()
            .map(|m| Choice {
                value: m.code().into(),
                label: match m {
                    CdrMatch::Equals => crate::t("er præcis").into(),
                    CdrMatch::Prefix => crate::t("begynder med").into(),
                },
                selected: false,
            })
            .collect(),
    };
    Ok(Html(page.render()?))
}

/// `GET /kommune/{kode}/totaltal`
pub(crate) async fn show_totals(
    State(state): State<AppState>,
    auth: Authorized,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    Ok(
        totals_page(&state, &auth, query.text(), None, Typed::default())
            .await?
            .into_response(),
    )
}

/// `GET /kommune/{kode}/totaltal/skabelon.csv`
pub(crate) async fn download_totals_template(_auth: Authorized) -> Response {
    csv_download("totaltal-skabelon.csv", totals::channel_template())
}

/// `POST /kommune/{kode}/totaltal`: one total from the form, stored at once.
pub(crate) async fn enter_total(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<TotalForm>,
) -> PageResult {
    let input = TotalInput {
        channel: form.channel,
        from: form.from,
        to: form.to,
        count: form.count,
    };
    match totals::enter(
        state.store.as_ref(),
        &auth.user.actor(),
        auth.code()?,
        &input,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&with_notice(&base(&auth)?, "totaltal-gemt")).into_response()),
        Err(CoreError::Invalid(message)) => Ok(refused(
            totals_page(&state, &auth, None, Some(message), Typed { total: input }).await?,
        )),
        Err(e) => Err(e.into()),
    }
}

pub(crate) struct PreviewLine {
    pub(crate) line: String,
    pub(crate) subject: String,
    pub(crate) period: String,
    pub(crate) count: String,
}

/// What the preview pages share: the file, its problems, and the totals
/// that would be stored.
pub(crate) struct PreviewView {
    pub(crate) file_name: String,
    pub(crate) format: String,
    pub(crate) rows: String,
    pub(crate) totals_count: String,
    pub(crate) sum: String,
    pub(crate) refusal: Option<String>,
    pub(crate) problems: ProblemsView,
    pub(crate) overlaps: Vec<String>,
    pub(crate) lines: Vec<PreviewLine>,
    /// Where "Gem" and "Annullér" post, when the totals are staged.
    pub(crate) save: Option<String>,
    pub(crate) cancel: Option<String>,
}

fn preview_view(preview: &TotalsPreview, refusal: Option<String>, base: &str) -> PreviewView {
    let staged = preview.staged.filter(|_| refusal.is_none());
    PreviewView {
        file_name: preview.file_name.clone(),
        format: crate::i18n::message(&preview.format),
        rows: number(preview.rows as i64),
        totals_count: number(preview.totals.len() as i64),
        sum: number(preview.sum()),
        problems: ProblemsView::of(&preview.problems),
        overlaps: preview.overlaps.clone(),
        lines: preview
            .totals
            .iter()
            .map(|t| PreviewLine {
                line: t.line.map(|l| l.to_string()).unwrap_or_default(),
                subject: t.label.clone(),
                period: totals::range_da(t.total.from, t.total.to),
                count: number(t.total.count),
            })
            .collect(),
        save: staged.map(|b| format!("{base}/{b}/gem")),
        cancel: staged.map(|b| format!("{base}/{b}/slet")),
        refusal,
    }
}

#[derive(Template)]
#[template(path = "totals_preview.html")]
struct PreviewPage {
    frame: Frame,
    back: String,
    preview: PreviewView,
    unit: &'static str,
}

fn preview_response(page: PreviewPage) -> PageResult {
    let status = if page.preview.save.is_some() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `POST /kommune/{kode}/totaltal/fil`: a CSV file's preview; staged when
/// it has no problems.
pub(crate) async fn preview_totals_file(
    State(state): State<AppState>,
    auth: Authorized,
    multipart: Multipart,
) -> PageResult {
    let upload = read_upload(&state, &auth, multipart).await?;
    if upload.bytes.is_empty() {
        return Ok(refused(
            totals_page(
                &state,
                &auth,
                None,
                Some(crate::t("Vælg en CSV-fil med totaltal.").into()),
                Typed::default(),
            )
            .await?,
        ));
    }
    let preview = totals::preview_channel_file(
        state.store.as_ref(),
        &auth.user.actor(),
        auth.code()?,
        &upload.file_name,
        &upload.bytes,
        true,
    )
    .await?;
    let base = base(&auth)?;
    preview_response(PreviewPage {
        frame: Frame::municipality(&auth, crate::t("Forhåndsvisning af totaltal"), "/totaltal")
            .crumb(base.clone(), crate::t("Totaltal")),
        back: base.clone(),
        preview: preview_view(&preview, preview.refusal(), &base),
        unit: crate::t("henvendelser"),
    })
}

pub(crate) struct DayView {
    pub(crate) day: String,
    pub(crate) incoming: String,
    pub(crate) outgoing: String,
    pub(crate) unmapped: String,
    pub(crate) unanswered: String,
}

#[derive(Template)]
#[template(path = "totals_cdr_preview.html")]
struct CdrPreviewPage {
    frame: Frame,
    back: String,
    preview: PreviewView,
    layout: String,
    clock: &'static str,
    span: String,
    records: String,
    calls: String,
    answered: String,
    unanswered: String,
    unmapped: String,
    conflicting: String,
    legs_merged: String,
    incoming: String,
    outgoing: String,
    directions: String,
    dispositions: Vec<(&'static str, String)>,
    days: Vec<DayView>,
    unmapped_kinds: Vec<(String, String)>,
    unit: &'static str,
}

fn cdr_page(auth: &Authorized, base: &str, preview: &CdrPreview) -> CdrPreviewPage {
    let counts = &preview.counts;
    let sum = |f: fn(&phone::CdrDay) -> u64| number(counts.days.iter().map(f).sum::<u64>() as i64);
    let mut view = preview_view(&preview.totals, preview.refusal(), base);
    // A call log's totals are its days, shown in their own table.
    view.lines.clear();
    CdrPreviewPage {
        frame: Frame::municipality(
            auth,
            crate::t("Forhåndsvisning af opkaldslisten"),
            "/totaltal",
        )
        .crumb(base.to_owned(), crate::t("Totaltal")),
        back: base.to_owned(),
        preview: view,
        layout: preview.layout.clone(),
        clock: preview.clock,
        span: phone::span_da(preview).unwrap_or_default(),
        records: number(counts.records as i64),
        calls: number(counts.calls as i64),
        answered: number(counts.answered as i64),
        unanswered: number(counts.unanswered as i64),
        unmapped: number(counts.unmapped as i64),
        conflicting: number(counts.conflicting as i64),
        legs_merged: number(counts.records.saturating_sub(counts.calls) as i64),
        incoming: sum(|d| d.incoming),
        outgoing: sum(|d| d.outgoing),
        directions: if preview.directions.is_empty() {
            crate::t("ingen").into()
        } else {
            preview
                .directions
                .iter()
                .map(|d| crate::t(d.label_da()).to_lowercase())
                .collect::<Vec<_>>()
                .join(crate::t(" og "))
        },
        dispositions: counts
            .dispositions
            .iter()
            .map(|(d, n)| (d.code(), number(*n as i64)))
            .collect(),
        days: counts
            .days
            .iter()
            .map(|d| DayView {
                day: d
                    .day
                    .map(|day| day.format("%d-%m-%Y").to_string())
                    .unwrap_or_default(),
                incoming: number(d.incoming as i64),
                outgoing: number(d.outgoing as i64),
                unmapped: number(d.unmapped as i64),
                unanswered: number(d.unanswered as i64),
            })
            .collect(),
        unmapped_kinds: counts
            .unmapped_kinds
            .iter()
            .map(|(kind, n)| (kind.clone(), number(*n as i64)))
            .collect(),
        unit: crate::t("henvendelser"),
    }
}

/// `POST /kommune/{kode}/totaltal/telefoni`: a call log's preview; staged
/// when it can be stored.
pub(crate) async fn preview_call_log(
    State(state): State<AppState>,
    auth: Authorized,
    multipart: Multipart,
) -> PageResult {
    let upload = read_upload(&state, &auth, multipart).await?;
    if upload.bytes.is_empty() {
        return Ok(refused(
            totals_page(
                &state,
                &auth,
                None,
                Some(crate::t("Vælg telefonsystemets opkaldsliste (Master.csv).").into()),
                Typed::default(),
            )
            .await?,
        ));
    }
    let options = CdrOptions {
        utc: upload.utc,
        columns: upload.columns.clone(),
    };
    let preview = match phone::preview_cdr(
        state.store.as_ref(),
        &auth.user.actor(),
        auth.code()?,
        CdrFile::Bytes(upload.bytes),
        &upload.file_name,
        &options,
        true,
    )
    .await
    {
        Ok(preview) => preview,
        Err(CoreError::Invalid(message)) => {
            return Ok(refused(
                totals_page(&state, &auth, None, Some(message), Typed::default()).await?,
            ))
        }
        Err(e) => return Err(e.into()),
    };
    let base = base(&auth)?;
    let page = cdr_page(&auth, &base, &preview);
    let status = if page.preview.save.is_some() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `POST /kommune/{kode}/totaltal/telefoni/regler`
pub(crate) async fn create_phone_rule(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<PhoneRuleForm>,
) -> PageResult {
    let input = CdrRuleInput {
        field: form.field,
        matching: form.matching,
        pattern: form.pattern,
        direction: form.direction,
    };
    match phone::create_rule(
        state.store.as_ref(),
        &auth.user.actor(),
        auth.code()?,
        &input,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "{}#telefoni",
            with_notice(&base(&auth)?, "oprettet")
        ))
        .into_response()),
        Err(CoreError::Invalid(message)) => Ok(refused(
            totals_page(&state, &auth, None, Some(message), Typed::default()).await?,
        )),
        Err(e) => Err(e.into()),
    }
}

/// `POST /kommune/{kode}/totaltal/telefoni/regler/{regel}/slet`
pub(crate) async fn delete_phone_rule(
    State(state): State<AppState>,
    auth: Authorized,
    Path((_, rule)): Path<(String, i64)>,
) -> PageResult {
    match phone::delete_rule(
        state.store.as_ref(),
        &auth.user.actor(),
        auth.code()?,
        CdrRuleId(rule),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "{}#telefoni",
            with_notice(&base(&auth)?, "regel-slettet")
        ))
        .into_response()),
        Err(CoreError::Invalid(message)) => Ok(refused(
            totals_page(&state, &auth, None, Some(message), Typed::default()).await?,
        )),
        Err(e) => Err(e.into()),
    }
}

/// `POST /kommune/{kode}/totaltal/{indlaesning}/gem`: stores staged totals.
pub(crate) async fn save_totals(
    State(state): State<AppState>,
    auth: Authorized,
    Path((_, batch)): Path<(String, i64)>,
) -> PageResult {
    let code = auth.code()?;
    match totals::commit(
        state.store.as_ref(),
        &auth.user.actor(),
        Some(code),
        BatchId(batch),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&with_notice(&base(&auth)?, "totaltal-gemt")).into_response()),
        Err(CoreError::Invalid(message)) => Ok(refused(
            totals_page(&state, &auth, None, Some(message), Typed::default()).await?,
        )),
        Err(e) => Err(e.into()),
    }
}

/// `POST /kommune/{kode}/totaltal/{indlaesning}/slet`: deletes an entry, or
/// cancels staged totals.
pub(crate) async fn delete_totals(
    State(state): State<AppState>,
    auth: Authorized,
    Path((_, batch)): Path<(String, i64)>,
) -> PageResult {
    match totals::delete(
        state.store.as_ref(),
        &auth.user.actor(),
        Some(auth.code()?),
        BatchId(batch),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&with_notice(&base(&auth)?, "totaltal-slettet")).into_response()),
        Err(CoreError::Invalid(message)) => Ok(refused(
            totals_page(&state, &auth, None, Some(message), Typed::default()).await?,
        )),
        Err(e) => Err(e.into()),
    }
}
