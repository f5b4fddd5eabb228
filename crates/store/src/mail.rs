//! The outbox: every e-mail komhen sends, kept before it is sent and after.
//! A mail has a key of its own; storing a mail whose key is already there
//! stores nothing, so a job that runs twice mails once. What is sent when,
//! and to whom, is core's (`komhen_core::mail`).

use chrono::{DateTime, Utc};
use komhen_domain::MunicipalityCode;

/// A mail to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMail {
    /// What makes the mail one: the same key is never mailed twice.
    pub key: String,
    /// What the mail is about (a reminder, a password link), as a code.
    pub kind: String,
    /// The municipality it concerns; its coordinators see it in the outbox.
    pub municipality: Option<MunicipalityCode>,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    /// The body kept is not the body sent (something secret left out):
    /// the mail is sent by whoever stored it, never from the outbox.
    pub redacted: bool,
}

/// A mail in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailRow {
    pub id: i64,
    pub key: String,
    pub kind: String,
    pub municipality: Option<MunicipalityCode>,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    /// When a sender took it last (a send under way, or one that stopped).
    pub claimed_at: Option<DateTime<Utc>>,
    /// When the SMTP server accepted it.
    pub sent_at: Option<DateTime<Utc>>,
    /// How many times sending it was tried.
    pub attempts: i64,
    /// Why the last try failed.
    pub last_error: Option<String>,
    /// When the outbox gave it up: it is not tried again.
    pub given_up_at: Option<DateTime<Utc>>,
    /// The body kept is not the body sent; never sent from the outbox.
    pub redacted: bool,
}

/// How sending a claimed mail went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailOutcome {
    /// The SMTP server took it.
    Sent(DateTime<Utc>),
    /// It failed and may be tried again.
    Failed(String),
    /// It failed and is not to be tried again.
    GivenUp(DateTime<Utc>, String),
}
