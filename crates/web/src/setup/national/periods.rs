//! National counting periods: creating, editing and publishing them.

use super::*;

pub(crate) struct AdminPeriodView {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) dates: String,
    pub(crate) mandatory: bool,
    pub(crate) deadline: String,
    pub(crate) deadline_value: String,
    pub(crate) published: Option<String>,
    pub(crate) can_publish: bool,
    pub(crate) packages: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "admin_periods.html")]
pub(super) struct PeriodsPage {
    pub(super) frame: Frame,
    pub(super) periods: Vec<AdminPeriodView>,
    pub(super) packages: Vec<Choice>,
    pub(super) next_year: i32,
}

pub(super) async fn periods_page(
    state: &AppState,
    auth: &Authorized,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    let store = state.store.as_ref();
    let now = Utc::now();
    let today = komhen_domain::DateDimensions::of(now).day;
    let packages = store.list_task_packages().await?;
    let choices = |selected: Option<TaskPackageId>| {
        packages
            .iter()
            .map(|p| Choice {
                value: p.id.to_string(),
                label: p.name_da.clone(),
                selected: Some(p.id) == selected,
            })
            .collect::<Vec<_>>()
    };
    use chrono::Datelike;
    let page = PeriodsPage {
        frame: Frame::admin(auth, crate::t("Tælleperioder"), "/perioder")
            .notice(notice)
            .error(error),
        periods: store
            .list_periods(None)
            .await?
            .into_iter()
            .map(|p| AdminPeriodView {
                id: p.id.0,
                name: p.period.name.clone(),
                dates: format!(
                    "{} – {}",
                    p.period.starts_on.format("%d-%m-%Y"),
                    p.period.ends_on.format("%d-%m-%Y")
                ),
                mandatory: p.period.mandatory,
                deadline: p.period.submission_deadline.format("%d-%m-%Y").to_string(),
                deadline_value: p.period.submission_deadline.to_string(),
                published: p.published_at.map(when),
                can_publish: today > p.period.submission_deadline,
                packages: choices(p.task_package),
            })
            .collect(),
        packages: choices(None),
        next_year: now.year() + 1,
    };
    Ok(Html(page.render()?))
}

/// `GET /admin/perioder`
pub(crate) async fn show_periods(
    State(state): State<AppState>,
    auth: Authorized,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    Ok(periods_page(&state, &auth, query.text(), None)
        .await?
        .into_response())
}

pub(super) fn date_of(value: &str, what: &str) -> Result<NaiveDate, CoreError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| CoreError::Invalid(crate::t1("Angiv {0} som en dato.", what)))
}

/// A new counting period: the national weeks of a season and year
/// (`kind` anything but `custom`), or own dates and name; mandatory or
/// not, and its task package.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PeriodForm {
    pub(super) kind: String,
    pub(super) season: String,
    pub(super) year: String,
    pub(super) name: String,
    pub(super) starts_on: String,
    pub(super) ends_on: String,
    #[serde(deserialize_with = "forms::checkbox")]
    pub(super) mandatory: bool,
    #[serde(deserialize_with = "forms::id")]
    pub(super) package: Option<i64>,
}

/// `POST /admin/perioder`: the national weeks of a season, or own dates.
pub(crate) async fn create_period(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<PeriodForm>,
) -> PageResult {
    let task_package = form.package.map(TaskPackageId);
    let input = if form.kind == "custom" {
        match (
            date_of(&form.starts_on, crate::t("første dag")),
            date_of(&form.ends_on, crate::t("sidste dag")),
        ) {
            (Ok(starts_on), Ok(ends_on)) => Ok(PeriodInput {
                name: form.name.clone(),
                starts_on,
                ends_on,
                mandatory: form.mandatory,
                submission_deadline: None,
                task_package,
            }),
            (Err(e), _) | (_, Err(e)) => Err(e),
        }
    } else {
        season_of(&form.season)
            .and_then(|season| Ok((season, year_of(&form.year)?)))
            .and_then(|(season, year)| PeriodInput::national(year, season))
            .map(|mut input| {
                input.task_package = task_package;
                input.mandatory = form.mandatory;
                input
            })
    };
    let outcome = match input {
        Ok(input) => catalogue::create_period(state.store.as_ref(), &auth.user.actor(), &input)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    after_change(outcome, "/admin/perioder", "oprettet", |e| {
        periods_page(&state, &auth, None, Some(e))
    })
    .await
}

/// Changes to a period: its name, deadline, whether it is mandatory, and
/// its task package.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PeriodChangeForm {
    pub(super) name: String,
    pub(super) deadline: String,
    #[serde(deserialize_with = "forms::checkbox")]
    pub(super) mandatory: bool,
    #[serde(deserialize_with = "forms::id")]
    pub(super) package: Option<i64>,
}

/// `POST /admin/perioder/{periode}`
pub(crate) async fn update_period(
    State(state): State<AppState>,
    auth: Authorized,
    Path(period): Path<i64>,
    Form(form): Form<PeriodChangeForm>,
) -> PageResult {
    let outcome = match date_of(&form.deadline, crate::t("fristen for indberetning")) {
        Ok(deadline) => {
            let input = PeriodInput {
                name: form.name.clone(),
                // Dates are kept: the use case takes the stored ones.
                starts_on: deadline,
                ends_on: deadline,
                mandatory: form.mandatory,
                submission_deadline: Some(deadline),
                task_package: form.package.map(TaskPackageId),
            };
            catalogue::update_period(
                state.store.as_ref(),
                &auth.user.actor(),
                PeriodId(period),
                &input,
            )
            .await
        }
        Err(e) => Err(e),
    };
    after_change(outcome, "/admin/perioder", "gemt", |e| {
        periods_page(&state, &auth, None, Some(e))
    })
    .await
}

/// Publish a period (`publish=ja`) or withdraw it (anything else), once
/// confirmed (`confirm=ja`) on the confirmation page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PublishForm {
    pub(super) publish: String,
    pub(super) confirm: String,
}

/// What the confirmation page asks about.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PublishQuery {
    /// `ja` to publish, anything else to withdraw.
    pub(super) publish: String,
}

#[derive(Template)]
#[template(path = "admin_period_publish.html")]
struct PublishPage {
    frame: Frame,
    id: i64,
    name: String,
    dates: String,
    deadline: String,
    publish: bool,
    /// Participating municipalities that have stored registrations, and all
    /// participating.
    submitted: usize,
    participating: usize,
    inquiries: String,
}

/// `GET /admin/perioder/{periode}/offentliggoer`: what publishing (or
/// withdrawing) the period means, and the button that does it. Publishing
/// is never one click from the list.
pub(crate) async fn confirm_publish(
    State(state): State<AppState>,
    auth: Authorized,
    Path(period): Path<i64>,
    Query(query): Query<PublishQuery>,
) -> PageResult {
    let store = state.store.as_ref();
    let cycle = komhen_core::cycle::load(store, PeriodId(period)).await?;
    let publish = query.publish == "ja";
    let submissions =
        komhen_core::cycle::submissions(store, &cycle, None, state.clock.now()).await?;
    let participating: Vec<_> = submissions.iter().filter(|s| s.participates).collect();
    let registrations = |s: &komhen_core::cycle::Submission| {
        s.kind(komhen_core::cycle::DataKind::Registrations)
            .map_or(0, |k| k.count)
    };
    let submitted = participating
        .iter()
        .filter(|s| registrations(s) > 0)
        .count();
    let inquiries: i64 = participating.iter().map(|s| registrations(s)).sum();
    let p = &cycle.period.period;
    let title = if publish {
        crate::t("Offentliggør tælleperioden")
    } else {
        crate::t("Træk offentliggørelsen tilbage")
    };
    Ok(Html(
        PublishPage {
            frame: Frame::admin(&auth, title, "/perioder"),
            id: period,
            name: p.name.clone(),
            dates: format!(
                "{} – {}",
                p.starts_on.format("%d-%m-%Y"),
                p.ends_on.format("%d-%m-%Y")
            ),
            deadline: p.submission_deadline.format("%d-%m-%Y").to_string(),
            publish,
            submitted,
            participating: participating.len(),
            inquiries: crate::format::number(inquiries),
        }
        .render()?,
    )
    .into_response())
}

/// `POST /admin/perioder/{periode}/offentliggoer`: publishes or withdraws
/// once confirmed; a post without the confirmation is sent to the page
/// that asks for it.
pub(crate) async fn publish_period(
    State(state): State<AppState>,
    auth: Authorized,
    Path(period): Path<i64>,
    Form(form): Form<PublishForm>,
) -> PageResult {
    let publish = form.publish == "ja";
    if form.confirm != "ja" {
        return Ok(Redirect::to(&format!(
            "/admin/perioder/{period}/offentliggoer?publish={}",
            if publish { "ja" } else { "nej" }
        ))
        .into_response());
    }
    let outcome = catalogue::set_published(
        state.store.as_ref(),
        &auth.user.actor(),
        PeriodId(period),
        publish,
        Utc::now(),
    )
    .await;
    let notice = if publish { "offentliggjort" } else { "trukket" };
    after_change(outcome, "/admin/perioder", notice, |e| {
        periods_page(&state, &auth, None, Some(e))
    })
    .await
}
