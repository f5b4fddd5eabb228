//! Reminders of the yearly cycle, by e-mail through the outbox
//! ([`crate::mail`]).
//!
//! # Rules
//! - **Before a deadline.** From [`REMINDER_DAYS_BEFORE`] days before a
//!   deadline of a national period not yet published, up to and with the
//!   deadline, every active coordinator of a participating municipality
//!   that has not yet submitted a kind of data due then gets one mail
//!   naming what is missing (the same judgement as the checklist,
//!   [`crate::cycle::submissions`]). The kinds reminded of are those every
//!   participant owes: registrations, and total counts once the national
//!   administrator has set their deadline. Extracts from the municipality's
//!   own systems are not: a municipality without such systems has none to
//!   send. One mail per coordinator, municipality and deadline: the job may
//!   run every hour.
//! - **Units that registered nothing.** The day after a counting weekday of
//!   the period (Monday for a Friday), the coordinators of a participating
//!   municipality get one mail listing its counting units with no
//!   registration that day, to pass on to them (units have no e-mail
//!   address of their own).

use crate::cycle::{self, Cycle, DataKind, Status};
use crate::mail::{self, Delivery, MailKind, Mailer, Outgoing};
use crate::CoreResult;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use komhen_domain::{DateDimensions, MunicipalityCode, Role};
use komhen_store::{Store, UserRow};
use std::collections::BTreeMap;

/// How many days before a deadline the reminder goes out.
pub const REMINDER_DAYS_BEFORE: i64 = 5;

/// The most units a mail about units that registered nothing lists (the
/// rest are counted, and the checklist lists them all).
pub const MAX_LISTED_UNITS: usize = 50;

/// The kinds of data a reminder names when missing.
pub const REMINDED: [DataKind; 2] = [DataKind::Registrations, DataKind::Totals];

fn date(day: NaiveDate) -> String {
    day.format("%d-%m-%Y").to_string()
}

/// The active coordinators of every municipality.
async fn coordinators(store: &dyn Store) -> CoreResult<BTreeMap<MunicipalityCode, Vec<UserRow>>> {
    let users: BTreeMap<_, _> = store
        .list_users()
        .await?
        .into_iter()
        .filter(|u| u.active)
        .map(|u| (u.id, u))
        .collect();
    let mut by_municipality: BTreeMap<MunicipalityCode, Vec<UserRow>> = BTreeMap::new();
    for grant in store.list_grants(None).await? {
        if grant.grant.role != Role::Coordinator {
            continue;
        }
        if let (Some(m), Some(user)) = (grant.grant.municipality, users.get(&grant.user)) {
            let list = by_municipality.entry(m).or_default();
            if !list.iter().any(|u| u.id == user.id) {
                list.push(user.clone());
            }
        }
    }
    Ok(by_municipality)
}

/// The last weekday before `today`.
fn previous_weekday(today: NaiveDate) -> NaiveDate {
    let mut day = today - Duration::days(1);
    while day.weekday().num_days_from_monday() >= 5 {
        day -= Duration::days(1);
    }
    day
}

/// The reminders due on the day of `now`, with the address komhen is
/// reached at for the checklist's link.
pub async fn plan(
    store: &dyn Store,
    now: DateTime<Utc>,
    days_before: i64,
    base_url: &str,
) -> CoreResult<Vec<Outgoing>> {
    let today = DateDimensions::of(now).day;
    let base_url = base_url.trim_end_matches('/');
    let coordinators = coordinators(store).await?;
    let mut mails = Vec::new();
    for period in store.list_periods(None).await? {
        if period.municipality.is_some()
            || period.published_at.is_some()
            || period.period.starts_on > today
        {
            continue;
        }
        let cycle = cycle::load(store, period.id).await?;
        let submissions = cycle::submissions(store, &cycle, None, now).await?;
        // The kinds due on each deadline that falls in the window.
        let mut due: BTreeMap<NaiveDate, Vec<DataKind>> = BTreeMap::new();
        for kind in REMINDED {
            if let Some(on) = cycle.due_on(kind) {
                if on - Duration::days(days_before) <= today && today <= on {
                    due.entry(on).or_default().push(kind);
                }
            }
        }
        for submission in submissions.iter().filter(|s| s.participates) {
            let Some(people) = coordinators.get(&submission.municipality) else {
                continue;
            };
            for (on, kinds) in &due {
                let missing: Vec<DataKind> = kinds
                    .iter()
                    .copied()
                    .filter(|k| {
                        submission
                            .kind(*k)
                            .is_some_and(|s| s.status == Status::NotYet)
                    })
                    .collect();
                if missing.is_empty() {
                    continue;
                }
                for person in people {
                    mails.push(deadline_mail(
                        &cycle, submission, *on, &missing, person, base_url,
                    ));
                }
            }
        }
        mails.extend(
            silent_mails(store, &cycle, &submissions, &coordinators, today, base_url).await?,
        );
    }
    Ok(mails)
}

fn deadline_mail(
    cycle: &Cycle,
    submission: &cycle::Submission,
    due_on: NaiveDate,
    missing: &[DataKind],
    person: &UserRow,
    base_url: &str,
) -> Outgoing {
    let period = &cycle.period;
    let list: String = missing
        .iter()
        .map(|k| format!("- {}\n", k.label_da()))
        .collect();
    Outgoing {
        key: format!(
            "frist/{}/{}/{}/{}",
            period.id, due_on, submission.municipality, person.email
        ),
        kind: MailKind::DeadlineReminder,
        municipality: Some(submission.municipality),
        recipient: person.email.clone(),
        subject: format!(
            "Frist {} for tælleperioden {}: {} mangler data",
            date(due_on),
            period.period.name,
            submission.name
        ),
        body: format!(
            "Kære {name}\n\n\
             Fristen for at indsende data til tælleperioden «{period}» er {due}. \
             For {municipality} har komhen endnu ikke modtaget:\n\n{list}\n\
             Se tjeklisten for perioden: {base_url}/kommune/{code}/tjekliste\n\n\
             Data indsendt efter fristen modtages, indtil perioden er offentliggjort, \
             men markeres som indsendt for sent.\n\n\
             Venlig hilsen\nkomhen\n",
            name = mail::addressee(&person.name, &person.email),
            period = period.period.name,
            due = date(due_on),
            municipality = submission.name,
            code = submission.municipality,
        ),
    }
}

async fn silent_mails(
    store: &dyn Store,
    cycle: &Cycle,
    submissions: &[cycle::Submission],
    coordinators: &BTreeMap<MunicipalityCode, Vec<UserRow>>,
    today: NaiveDate,
    base_url: &str,
) -> CoreResult<Vec<Outgoing>> {
    let period = &cycle.period;
    let day = previous_weekday(today);
    if day < period.period.starts_on || day > period.period.ends_on {
        return Ok(Vec::new());
    }
    let mut mails = Vec::new();
    for submission in submissions.iter().filter(|s| s.participates) {
        let Some(people) = coordinators.get(&submission.municipality) else {
            continue;
        };
        let silent: Vec<_> = cycle::silent_units(store, submission.municipality, cycle, today)
            .await?
            .into_iter()
            .filter(|u| u.days.contains(&day))
            .collect();
        if silent.is_empty() {
            continue;
        }
        let mut list: String = silent
            .iter()
            .take(MAX_LISTED_UNITS)
            .map(|u| format!("- {} ({})\n", u.name, u.login))
            .collect();
        if silent.len() > MAX_LISTED_UNITS {
            list.push_str(&format!(
                "- og {} enheder mere (se dem alle på tjeklisten)\n",
                silent.len() - MAX_LISTED_UNITS
            ));
        }
        for person in people {
            mails.push(Outgoing {
                key: format!(
                    "tavse/{}/{}/{}/{}",
                    period.id, day, submission.municipality, person.email
                ),
                kind: MailKind::SilentUnits,
                municipality: Some(submission.municipality),
                recipient: person.email.clone(),
                subject: format!(
                    "{} i {} registrerede intet {}",
                    match silent.len() {
                        1 => "1 enhed".to_owned(),
                        n => format!("{n} enheder"),
                    },
                    submission.name,
                    date(day)
                ),
                body: format!(
                    "Kære {name}\n\n\
                     Disse enheder i {municipality} registrerede ingen henvendelser {day} \
                     i tælleperioden «{period}»:\n\n{list}\n\
                     Send gerne en påmindelse videre til enhederne: alle henvendelser i \
                     tælleugerne skal registreres, også på travle dage. En enhed, der \
                     ikke havde henvendelser, behøver intet at gøre.\n\n\
                     Se tjeklisten: {base_url}/kommune/{code}/tjekliste\n\n\
                     Venlig hilsen\nkomhen\n",
                    name = mail::addressee(&person.name, &person.email),
                    municipality = submission.name,
                    day = date(day),
                    period = period.period.name,
                    code = submission.municipality,
                ),
            });
        }
    }
    Ok(mails)
}

/// What a run of the reminder job did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Run {
    /// Reminders due today.
    pub due: usize,
    /// Of those, the ones new to the outbox (the rest were stored by an
    /// earlier run and are not sent again).
    pub stored: usize,
    /// Reminders the outbox refused (an address komhen cannot mail), with
    /// why; the others are stored all the same.
    pub refused: Vec<(String, String)>,
    /// What was sent, when an SMTP server is configured.
    pub delivery: Option<Delivery>,
}

/// The reminder job: stores today's reminders in the outbox once each and,
/// with a mailer, sends what waits there.
pub async fn run(
    store: &dyn Store,
    mailer: Option<&Mailer>,
    base_url: &str,
    now: DateTime<Utc>,
    days_before: i64,
) -> CoreResult<Run> {
    let planned = plan(store, now, days_before, base_url).await?;
    let mut run = Run {
        due: planned.len(),
        ..Run::default()
    };
    for mail in &planned {
        match mail::enqueue(store, mail, now).await {
            Ok(true) => run.stored += 1,
            Ok(false) => {}
            Err(crate::CoreError::Invalid(why)) => {
                tracing::warn!(recipient = %mail.recipient, %why, "en påmindelse kan ikke sendes");
                run.refused.push((mail.recipient.clone(), why));
            }
            Err(e) => return Err(e),
        }
    }
    if let Some(mailer) = mailer {
        run.delivery = Some(mail::deliver(store, mailer).await?);
    }
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_before_monday_is_friday() {
        let monday = NaiveDate::from_ymd_opt(2026, 11, 16).unwrap();
        assert_eq!(
            previous_weekday(monday),
            NaiveDate::from_ymd_opt(2026, 11, 13).unwrap()
        );
        let wednesday = NaiveDate::from_ymd_opt(2026, 11, 18).unwrap();
        assert_eq!(
            previous_weekday(wednesday),
            NaiveDate::from_ymd_opt(2026, 11, 17).unwrap()
        );
    }
}
