//! Getting ready to count: a municipality's test mode and its participation in counting periods.

use super::*;

#[derive(Template)]
#[template(path = "setup_test_mode.html")]
pub(super) struct TestModePage {
    pub(super) frame: Frame,
    pub(super) base: String,
    pub(super) can_set_up: bool,
    pub(super) on: bool,
    pub(super) until: Option<String>,
    pub(super) until_date: String,
    pub(super) until_time: String,
    pub(super) test_registrations: i64,
    pub(super) test_registrations_text: String,
}

pub(super) async fn test_mode_page(
    state: &AppState,
    auth: &Authorized,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    let store = state.store.as_ref();
    // Read again: the guard's copy is from before a change on this request.
    let m = store
        .get_municipality(auth.code()?)
        .await?
        .ok_or(WebError::NotFound)?;
    let count = store.count_test_registrations(m.code).await?;
    let until_local = m.test_mode_until.map(danish_local);
    let page = TestModePage {
        frame: Frame::municipality(auth, crate::t("Testtilstand"), "/testtilstand")
            .notice(notice)
            .error(error),
        base: base(auth)?,
        can_set_up: auth.can_set_up(),
        on: m.in_test_mode(Utc::now()),
        until: m.test_mode_until.map(when),
        until_date: until_local
            .map(|t| t.date().format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        until_time: until_local
            .map(|t| t.time().format("%H:%M").to_string())
            .unwrap_or_default(),
        test_registrations: count,
        test_registrations_text: number(count),
    };
    Ok(Html(page.render()?))
}

/// `GET /kommune/{kode}/testtilstand`
pub(crate) async fn show_test_mode(
    State(state): State<AppState>,
    auth: Authorized,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    Ok(test_mode_page(&state, &auth, query.text(), None)
        .await?
        .into_response())
}

/// Test mode on or off (`state`), and its optional end in Danish time.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct TestModeForm {
    pub(super) state: String,
    pub(super) until_date: String,
    pub(super) until_time: String,
}

/// The optional end of test mode from a date and a time field (Danish time).
pub(super) fn until_of(form: &TestModeForm) -> Result<Option<chrono::DateTime<Utc>>, CoreError> {
    let date = form.until_date.trim();
    let time = form.until_time.trim();
    if date.is_empty() && time.is_empty() {
        return Ok(None);
    }
    let day = NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map_err(|_| CoreError::Invalid(crate::t1("«{0}» er ikke en dato.", date)))?;
    let time = if time.is_empty() {
        NaiveTime::MIN
    } else {
        NaiveTime::parse_from_str(time, "%H:%M").map_err(|_| {
            CoreError::Invalid(crate::t1("«{0}» er ikke et klokkeslæt som 08:00.", time))
        })?
    };
    komhen_domain::danish_instant(day, time.hour(), time.minute())
        .map(Some)
        .ok_or_else(|| CoreError::Invalid(crate::t("Tidspunktet findes ikke i dansk tid.").into()))
}

/// `POST /kommune/{kode}/testtilstand`
pub(crate) async fn set_test_mode(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<TestModeForm>,
) -> PageResult {
    let on = form.state == "on";
    let outcome = match until_of(&form) {
        Ok(until) => {
            setup::set_test_mode(
                state.store.as_ref(),
                &auth.user.actor(),
                auth.code()?,
                on,
                until,
            )
            .await
        }
        Err(e) => Err(e),
    };
    after_change(
        outcome,
        &format!("{}/testtilstand", base(&auth)?),
        "gemt",
        |e| test_mode_page(&state, &auth, None, Some(e)),
    )
    .await
}

/// `POST /kommune/{kode}/testtilstand/slet`
pub(crate) async fn delete_test_registrations(
    State(state): State<AppState>,
    auth: Authorized,
) -> PageResult {
    let outcome =
        setup::delete_test_registrations(state.store.as_ref(), &auth.user.actor(), auth.code()?)
            .await
            .map(|_| ());
    after_change(
        outcome,
        &format!("{}/testtilstand", base(&auth)?),
        "slettet",
        |e| test_mode_page(&state, &auth, None, Some(e)),
    )
    .await
}

pub(crate) struct PeriodView {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) dates: String,
    pub(crate) deadline: String,
    pub(crate) mandatory: bool,
    pub(crate) national: bool,
    pub(crate) joined: bool,
    pub(crate) past: bool,
    pub(crate) units: Vec<OptionView>,
    pub(crate) counting: String,
}

#[derive(Template)]
#[template(path = "setup_periods.html")]
pub(super) struct PeriodsPage {
    pub(super) frame: Frame,
    pub(super) base: String,
    pub(super) can_set_up: bool,
    pub(super) periods: Vec<PeriodView>,
}

pub(super) async fn periods_page(
    state: &AppState,
    auth: &Authorized,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    let store = state.store.as_ref();
    let m = auth.municipality()?;
    let today = komhen_domain::DateDimensions::of(Utc::now()).day;
    let joined = store.list_participations(m.code).await?;
    let units: Vec<UnitRow> = store
        .list_units(m.code)
        .await?
        .into_iter()
        .filter(|u| u.active)
        .collect();
    let mut periods = Vec::new();
    for p in store.list_periods(Some(m.code)).await? {
        let named = store.list_period_units(m.code, p.id).await?;
        let is_joined = joined.contains(&p.id);
        periods.push(PeriodView {
            id: p.id.0,
            name: p.period.name.clone(),
            dates: format!(
                "{} – {}",
                p.period.starts_on.format("%d-%m-%Y"),
                p.period.ends_on.format("%d-%m-%Y")
            ),
            deadline: p.period.submission_deadline.format("%d-%m-%Y").to_string(),
            mandatory: p.period.mandatory,
            national: p.municipality.is_none(),
            joined: is_joined,
            past: p.period.ends_on < today,
            units: units
                .iter()
                .map(|u| OptionView {
                    value: u.id.0,
                    label: format!("{} ({})", u.name, u.login),
                    selected: named.contains(&u.id),
                })
                .collect(),
            counting: match (is_joined, named.len()) {
                (false, _) => crate::t("Deltager ikke").into(),
                (true, 0) => crate::t("Alle aktive enheder tæller").into(),
                (true, n) => crate::t1("{0} udvalgte enheder tæller", n),
            },
        });
    }
    let page = PeriodsPage {
        frame: Frame::municipality(auth, crate::t("Tælleperioder"), "/perioder")
            .notice(notice)
            .error(error),
        base: base(auth)?,
        can_set_up: auth.can_set_up(),
        periods,
    };
    Ok(Html(page.render()?))
}

/// `GET /kommune/{kode}/perioder`
pub(crate) async fn show_periods(
    State(state): State<AppState>,
    auth: Authorized,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    Ok(periods_page(&state, &auth, query.text(), None)
        .await?
        .into_response())
}

/// Whether the municipality joins a period (`joined=ja`), and the units
/// that count in it (one `unit` field each; none means all active units).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ParticipationForm {
    pub(super) joined: String,
    #[serde(deserialize_with = "forms::ids")]
    pub(super) unit: Vec<i64>,
}

/// `POST /kommune/{kode}/perioder/{periode}`
pub(crate) async fn set_participation(
    State(state): State<AppState>,
    auth: Authorized,
    Path((_, period)): Path<(String, i64)>,
    axum_extra::extract::Form(form): axum_extra::extract::Form<ParticipationForm>,
) -> PageResult {
    let units: Vec<UnitId> = form.unit.into_iter().map(UnitId).collect();
    let outcome = setup::set_participation(
        state.store.as_ref(),
        &auth.user.actor(),
        auth.code()?,
        PeriodId(period),
        form.joined == "ja",
        &units,
    )
    .await;
    after_change(
        outcome,
        &format!("{}/perioder", base(&auth)?),
        "gemt",
        |e| periods_page(&state, &auth, None, Some(e)),
    )
    .await
}
