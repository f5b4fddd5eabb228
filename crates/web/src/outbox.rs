//! The outbox page: every mail komhen sent or will send, for the national
//! administrator (`/admin/udbakke`, all mails, and a button that runs the
//! reminder job now) and for a municipality's coordinator
//! (`/kommune/{kode}/udbakke`, the mails about the municipality). What is
//! sent when is `komhen_core::mail` and `komhen_core::reminders`.

use crate::access::Authorized;
use crate::forms::when;
use crate::frame::{Frame, NoticeQuery};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use komhen_core::mail::{self, MailKind, MailState};
use komhen_core::reminders;

type PageResult = Result<Response, WebError>;

struct MailView {
    created: String,
    kind: &'static str,
    recipient: String,
    subject: String,
    body: String,
    state: &'static str,
    state_code: &'static str,
    detail: String,
    attempts: i64,
}

#[derive(Template)]
#[template(path = "outbox.html")]
struct OutboxPage {
    frame: Frame,
    /// How mail leaves komhen, in a sentence.
    transport: String,
    configured: bool,
    national: bool,
    mails: Vec<MailView>,
    waiting: usize,
    limit: i64,
}

async fn page(state: &AppState, auth: &Authorized, notice: Option<String>) -> PageResult {
    page_with(state, auth, notice, None).await
}

async fn page_with(
    state: &AppState,
    auth: &Authorized,
    notice: Option<String>,
    error: Option<String>,
) -> PageResult {
    let municipality = auth.municipality.as_ref().map(|m| m.code);
    let rows = mail::outbox(state.store.as_ref(), municipality).await?;
    let mails: Vec<MailView> = rows
        .iter()
        .map(|m| {
            let state = MailState::of(m);
            let (code, detail) = match &state {
                MailState::Sent(at) => ("sendt", when(*at)),
                MailState::Waiting => ("venter", String::new()),
                MailState::Failing(e) => ("fejlede", e.clone()),
                MailState::GivenUp(e) => ("opgivet", e.clone()),
            };
            MailView {
                created: when(m.created_at),
                kind: MailKind::parse(&m.kind).map_or("Mail", MailKind::label_da),
                recipient: m.recipient.clone(),
                subject: m.subject.clone(),
                body: m.body.clone(),
                state: crate::t(state.label_da()),
                state_code: code,
                detail,
                attempts: m.attempts,
            }
        })
        .collect();
    let (transport, configured) = match &state.mailer {
        Some(m) => (
            crate::t3(
                "Mails sendes gennem {0} fra {1}, og deres links peger på {2}.",
                m.server(),
                m.from_address(),
                m.base_url(),
            ),
            true,
        ),
        None => (
            crate::t(
                "Der er ingen SMTP-server sat op (KOMHEN_SMTP_URL), så mails venter her og \
                 sendes, når en server er sat op. Links til adgangskoder vises i stedet på \
                 siden Brugere.",
            )
            .into(),
            false,
        ),
    };
    let national = municipality.is_none();
    let frame = if national {
        Frame::admin(auth, crate::t("Udbakke"), "/udbakke")
    } else {
        Frame::municipality(auth, crate::t("Udbakke"), "/udbakke")
    };
    let page = OutboxPage {
        frame: frame.notice(notice).error(error),
        transport,
        configured,
        national,
        waiting: mails.iter().filter(|m| m.state_code == "venter").count(),
        mails,
        limit: mail::OUTBOX_ROWS,
    };
    Ok(Html(page.render()?).into_response())
}

/// `GET /admin/udbakke` and `GET /kommune/{kode}/udbakke`
pub(crate) async fn show_outbox(
    State(state): State<AppState>,
    auth: Authorized,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    page(&state, &auth, query.text()).await
}

/// `POST /admin/udbakke/paamindelser`: stores the day's reminders now
/// (each is stored once, however often it runs). The server's own round
/// sends them within half a minute; the request itself sends nothing, so
/// a closed tab never leaves a mail sent but unrecorded.
pub(crate) async fn run_reminders(State(state): State<AppState>, auth: Authorized) -> PageResult {
    let Some(base_url) = state.base_url.clone() else {
        return page_with(
            &state,
            &auth,
            None,
            Some(
                crate::t(
                    "Sæt KOMHEN_BASE_URL til den adresse, brugerne når komhen på, før påmindelser \
                     laves: linket i en mail sendes én gang og rettes aldrig.",
                )
                .into(),
            ),
        )
        .await;
    };
    let run = reminders::run(
        state.store.as_ref(),
        None,
        &base_url,
        state.clock.now(),
        reminders::REMINDER_DAYS_BEFORE,
    )
    .await?;
    let mut notice = crate::t3(
        "{0} påmindelser er aktuelle i dag; {1} er lagt i udbakken nu (de øvrige lå der i \
         forvejen og sendes ikke igen). {2}",
        run.due,
        run.stored,
        if state.mailer.is_some() {
            crate::t("Serveren sender dem inden for et halvt minut.")
        } else {
            crate::t("De venter i udbakken, til en SMTP-server er sat op.")
        },
    );
    for (to, why) in &run.refused {
        notice.push_str(&format!(
            " {}",
            crate::t2("Ikke lagt i udbakken, til {0}: {1}", to, why)
        ));
    }
    page_with(&state, &auth, Some(notice), None).await
}
