//! E-mail: the outbox and the one mailer. Every mail komhen sends is first
//! stored in the outbox with a key of its own (the store refuses a second
//! mail with the same key), then taken by one sender, handed to the SMTP
//! server configured by `KOMHEN_SMTP_URL`, and marked sent or failed. So a
//! reminder job that runs twice mails once, two senders never send the same
//! mail, and a failed mail is tried again, up to [`MAX_ATTEMPTS`] times.
//!
//! A one-time password link is the exception to "stored first, sent
//! later": it is sent at once ([`send_now`]) and the outbox keeps its text
//! with the link left out, so the token is never stored in the clear.

use crate::{CoreError, CoreResult};
use chrono::{DateTime, Duration, Utc};
use komhen_domain::MunicipalityCode;
use komhen_domain::{da, dl};
use komhen_store::{MailOutcome, MailRow, NewMail, Store};
use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How many times a mail is tried before the outbox gives it up.
pub const MAX_ATTEMPTS: i64 = 5;
/// How long a sender may hold a mail before another may take it (a
/// sender that stopped mid-send).
pub const CLAIM_MINUTES: i64 = 10;
/// Mails one delivery round takes.
pub const DELIVER_BATCH: i64 = 200;
/// How long one SMTP conversation may take.
pub const SEND_TIMEOUT_SECONDS: u64 = 20;
/// The longest subject and body komhen stores.
pub const MAX_SUBJECT_CHARS: usize = 200;
pub const MAX_BODY_CHARS: usize = 20_000;
/// Mails the outbox page shows.
pub const OUTBOX_ROWS: i64 = 500;

/// What a mail is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    /// Data missing a set number of days before a deadline.
    DeadlineReminder,
    /// Units that registered nothing on a counting day.
    SilentUnits,
    /// A one-time link to set a password.
    PasswordLink,
}

impl MailKind {
    pub const ALL: [MailKind; 3] = [
        Self::DeadlineReminder,
        Self::SilentUnits,
        Self::PasswordLink,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::DeadlineReminder => "frist",
            Self::SilentUnits => "tavse-enheder",
            Self::PasswordLink => "adgangskode",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == value)
    }

    pub fn label_da(self) -> &'static str {
        match self {
            Self::DeadlineReminder => dl!("Påmindelse om frist"),
            Self::SilentUnits => dl!("Enheder uden registreringer"),
            Self::PasswordLink => dl!("Link til adgangskode"),
        }
    }
}

/// A mail to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// What makes it one: a mail with the same key is never sent twice.
    pub key: String,
    pub kind: MailKind,
    pub municipality: Option<MunicipalityCode>,
    pub recipient: String,
    pub subject: String,
    pub body: String,
}

/// The SMTP server komhen sends through, the sender's address, and the
/// address users reach komhen at (for the links in mails: never the Host
/// header of a request, which anyone can set).
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    base_url: String,
    server: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("server", &self.server)
            .field("from", &self.from.to_string())
            .finish()
    }
}

impl Mailer {
    /// A mailer for `smtp_url` (`smtp://host:port` plain, `?tls=required`
    /// for STARTTLS, `smtps://` for TLS; user and password in the URL).
    pub fn new(smtp_url: &str, from: &str, base_url: &str) -> CoreResult<Self> {
        let server = server_of(smtp_url);
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| {
                CoreError::Invalid(da!(
                    "SMTP-adressen «{server}» kan ikke bruges ({e}). Skriv den som \
                     smtp://vaert:port, smtp://vaert:587?tls=required eller smtps://vaert:465."
                ))
            })?
            .timeout(Some(std::time::Duration::from_secs(SEND_TIMEOUT_SECONDS)))
            .build();
        let from: Mailbox = from.trim().parse().map_err(|_| {
            CoreError::Invalid(da!(
                "Afsenderadressen «{}» er ikke en e-mailadresse.",
                from.trim()
            ))
        })?;
        Ok(Self {
            transport,
            from,
            base_url: base_url.trim_end_matches('/').to_owned(),
            server,
        })
    }

    /// The server as shown to people: scheme, host and port, no password.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// The address users reach komhen at.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn from_address(&self) -> String {
        self.from.to_string()
    }

    /// The full address of a path on the site.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    async fn send(
        &self,
        recipient: &str,
        subject: &str,
        body: &str,
        id: i64,
    ) -> Result<(), String> {
        let to: Mailbox = recipient
            .parse()
            .map_err(|_| format!("«{recipient}» er ikke en e-mailadresse"))?;
        let domain = self.from.email.domain().to_owned();
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(format!("<komhen-outbox-{id}@{domain}>")))
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .map_err(|e| format!("mailen kunne ikke bygges: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| format!("SMTP-serveren {} svarede: {e}", self.server))
    }
}

/// `scheme://host:port` of an SMTP URL, without user or password.
fn server_of(smtp_url: &str) -> String {
    let (scheme, rest) = smtp_url.split_once("://").unwrap_or(("smtp", smtp_url));
    let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    let host = host.split(['?', '/']).next().unwrap_or(host);
    format!("{scheme}://{host}")
}

fn check(mail: &Outgoing) -> CoreResult<()> {
    if !valid_address(&mail.recipient) {
        return Err(CoreError::Invalid(da!(
            "«{}» er ikke en e-mailadresse.",
            mail.recipient
        )));
    }
    if mail.subject.chars().count() > MAX_SUBJECT_CHARS
        || mail.body.chars().count() > MAX_BODY_CHARS
    {
        return Err(CoreError::Invalid(da!(
            "En mail må have et emne på højst {MAX_SUBJECT_CHARS} tegn og en tekst på højst \
             {MAX_BODY_CHARS} tegn."
        )));
    }
    Ok(())
}

fn new_mail(mail: &Outgoing, body: &str, now: DateTime<Utc>) -> NewMail {
    NewMail {
        key: mail.key.clone(),
        kind: mail.kind.code().to_owned(),
        municipality: mail.municipality,
        recipient: mail.recipient.clone(),
        subject: mail.subject.clone(),
        body: body.to_owned(),
        created_at: now,
        redacted: body != mail.body,
    }
}

/// Whether komhen can mail this address (the one rule: lettre's, the
/// client that sends it).
pub fn valid_address(address: &str) -> bool {
    address.parse::<lettre::Address>().is_ok()
}

/// The name a mail greets its recipient by: the name, or the address when
/// there is none.
pub fn addressee(name: &str, email: &str) -> String {
    match name.trim() {
        "" => email.to_owned(),
        name => name.to_owned(),
    }
}

/// Stores a mail in the outbox: true when stored, false when a mail with
/// its key is already there (and so is not sent again).
pub async fn enqueue(store: &dyn Store, mail: &Outgoing, now: DateTime<Utc>) -> CoreResult<bool> {
    check(mail)?;
    Ok(store
        .enqueue_mail(&new_mail(mail, &mail.body, now))
        .await?
        .is_some())
}

/// What a delivery round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivery {
    pub sent: usize,
    /// Mails that failed this round, with why.
    pub failed: Vec<(String, String)>,
}

/// Sends the outbox's waiting mails, oldest first, each by the one sender
/// that takes it. A claim is stamped with the moment it is made, so a long
/// round never hands another sender a mail it is still sending.
pub async fn deliver(store: &dyn Store, mailer: &Mailer) -> CoreResult<Delivery> {
    let stale = || {
        let now = Utc::now();
        (now, now - Duration::minutes(CLAIM_MINUTES))
    };
    let mut delivery = Delivery::default();
    for mail in store
        .pending_mails(MAX_ATTEMPTS, stale().1, DELIVER_BATCH)
        .await?
    {
        let (at, stale_before) = stale();
        if !store.claim_mail(mail.id, at, stale_before).await? {
            continue;
        }
        match mailer
            .send(&mail.recipient, &mail.subject, &mail.body, mail.id)
            .await
        {
            Ok(()) => {
                store
                    .finish_mail(mail.id, &MailOutcome::Sent(Utc::now()))
                    .await?;
                delivery.sent += 1;
            }
            Err(error) => {
                tracing::warn!(recipient = %mail.recipient, %error, "en mail kunne ikke sendes");
                let outcome = if mail.attempts + 1 >= MAX_ATTEMPTS {
                    MailOutcome::GivenUp(Utc::now(), error.clone())
                } else {
                    MailOutcome::Failed(error.clone())
                };
                store.finish_mail(mail.id, &outcome).await?;
                delivery.failed.push((mail.recipient.clone(), error));
            }
        }
    }
    Ok(delivery)
}

/// Sends one mail at once and keeps it in the outbox with `stored_body` as
/// its text (the body with what must not be stored left out). Err in the
/// result: why the server did not take it (the mail stays in the outbox as
/// failed and is not tried again, for its text is not kept).
pub async fn send_now(
    store: &dyn Store,
    mailer: &Mailer,
    mail: &Outgoing,
    stored_body: &str,
    now: DateTime<Utc>,
) -> CoreResult<Result<(), String>> {
    check(mail)?;
    let Some(id) = store
        .enqueue_mail(&new_mail(mail, stored_body, now))
        .await?
    else {
        return Ok(Err("den samme mail er allerede sendt".into()));
    };
    // Stored as redacted, no delivery round takes it; the claim counts the
    // try.
    let claimed = Utc::now();
    if !store
        .claim_mail(id, claimed, claimed - Duration::minutes(CLAIM_MINUTES))
        .await?
    {
        return Ok(Err("mailen er allerede ved at blive sendt".into()));
    }
    let result = mailer
        .send(&mail.recipient, &mail.subject, &mail.body, id)
        .await;
    let outcome = match &result {
        Ok(()) => MailOutcome::Sent(Utc::now()),
        Err(error) => MailOutcome::GivenUp(Utc::now(), error.clone()),
    };
    store.finish_mail(id, &outcome).await?;
    Ok(result)
}

/// Where a mail in the outbox stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailState {
    Sent(DateTime<Utc>),
    /// Not sent yet: waiting for the next round (or for an SMTP server).
    Waiting,
    /// Tried and failed; it will be tried again.
    Failing(String),
    /// Tried [`MAX_ATTEMPTS`] times, or not to be tried again.
    GivenUp(String),
}

impl MailState {
    pub fn of(row: &MailRow) -> Self {
        match (&row.sent_at, &row.last_error) {
            (Some(at), _) => Self::Sent(*at),
            (None, Some(e)) if row.given_up_at.is_some() || row.attempts >= MAX_ATTEMPTS => {
                Self::GivenUp(e.clone())
            }
            (None, Some(e)) => Self::Failing(e.clone()),
            (None, None) => Self::Waiting,
        }
    }

    pub fn label_da(&self) -> &'static str {
        match self {
            Self::Sent(_) => dl!("Sendt"),
            Self::Waiting => dl!("Venter"),
            Self::Failing(_) => dl!("Fejlede, prøves igen"),
            Self::GivenUp(_) => dl!("Opgivet"),
        }
    }
}

/// The outbox as a reader may see it: the national administrator every
/// mail, a coordinator the mails about their municipality.
pub async fn outbox(
    store: &dyn Store,
    municipality: Option<MunicipalityCode>,
) -> CoreResult<Vec<MailRow>> {
    Ok(store.list_mails(municipality, OUTBOX_ROWS).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_is_shown_without_its_password() {
        assert_eq!(
            server_of("smtps://komhen:hemmelig@mail.example.dk:465"),
            "smtps://mail.example.dk:465"
        );
        assert_eq!(
            server_of("smtp://127.0.0.1:2525?tls=required"),
            "smtp://127.0.0.1:2525"
        );
    }

    #[test]
    fn a_bad_smtp_url_or_sender_is_refused_in_danish() {
        let e = Mailer::new("ftp://x", "komhen@example.dk", "http://x").unwrap_err();
        assert!(e.to_string().contains("kan ikke bruges"), "{e}");
        let e = Mailer::new("smtp://127.0.0.1:25", "ikke en adresse", "http://x").unwrap_err();
        assert!(e.to_string().contains("Afsenderadressen"), "{e}");
    }

    #[test]
    fn a_failed_mail_is_tried_until_it_is_given_up() {
        let mut row = MailRow {
            id: 1,
            key: "k".into(),
            kind: "frist".into(),
            municipality: None,
            recipient: "a@b.dk".into(),
            subject: "s".into(),
            body: "b".into(),
            created_at: Utc::now(),
            claimed_at: None,
            sent_at: None,
            attempts: 0,
            last_error: None,
            given_up_at: None,
            redacted: false,
        };
        assert_eq!(MailState::of(&row), MailState::Waiting);
        row.attempts = 1;
        row.last_error = Some("nej".into());
        assert_eq!(MailState::of(&row), MailState::Failing("nej".into()));
        row.attempts = MAX_ATTEMPTS;
        assert_eq!(MailState::of(&row), MailState::GivenUp("nej".into()));
    }
}
