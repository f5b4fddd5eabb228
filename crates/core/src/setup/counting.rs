//! Getting ready to count: test mode, participation in a period, and the readiness checklist.

use super::*;
use komhen_domain::da;

// --- test mode -----------------------------------------------------------------

/// Switches test mode on (optionally until a moment, after which it ends by
/// itself) or off.
pub async fn set_test_mode(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    on: bool,
    until: Option<DateTime<Utc>>,
) -> CoreResult<()> {
    let before = store
        .get_municipality(municipality)
        .await?
        .ok_or_else(|| CoreError::Invalid(da!("Kommune {municipality} findes ikke.")))?;
    let until = if on { until } else { None };
    if let Some(until) = until.filter(|u| *u <= Utc::now()) {
        return invalid(da!(
            "Sluttidspunktet {} er allerede passeret.",
            komhen_domain::danish_local(until).format("%d-%m-%Y %H:%M")
        ));
    }
    let json = |on: bool, until: Option<DateTime<Utc>>| json!({ "test_mode": on, "until": until.map(|u| u.to_rfc3339()) });
    change(
        store,
        actor,
        SetupChange::SetTestMode {
            municipality,
            on,
            until,
        },
        Entry {
            municipality: Some(municipality),
            action: "set_test_mode",
            entity: "municipality",
            entity_id: municipality.to_string(),
            before: Some(json(before.test_mode, before.test_mode_until)),
            after: Some(json(on, until)),
        },
    )
    .await?;
    Ok(())
}

/// Deletes the municipality's test registrations; returns how many.
pub async fn delete_test_registrations(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
) -> CoreResult<u64> {
    let before = store.count_test_registrations(municipality).await?;
    let applied = change(
        store,
        actor,
        SetupChange::DeleteTestRegistrations { municipality },
        Entry {
            municipality: Some(municipality),
            action: "delete_test_registrations",
            entity: "municipality",
            entity_id: municipality.to_string(),
            before: Some(json!({ "test_registrations": before })),
            after: Some(json!({ "test_registrations": 0 })),
        },
    )
    .await?;
    Ok(applied.count)
}

// --- participation -------------------------------------------------------------

/// Takes part in a period (with the units that count; none named means all
/// active units) or withdraws from it.
pub async fn set_participation(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    period: PeriodId,
    joined: bool,
    units: &[UnitId],
) -> CoreResult<()> {
    let mut units = units.to_vec();
    units.sort();
    units.dedup();
    let was = store
        .list_participations(municipality)
        .await?
        .contains(&period);
    let before_units = store.list_period_units(municipality, period).await?;
    change(
        store,
        actor,
        SetupChange::SetParticipation {
            municipality,
            period,
            joined,
            units: units.clone(),
        },
        Entry {
            municipality: Some(municipality),
            action: "set_participation",
            entity: "period",
            entity_id: period.to_string(),
            before: Some(json!({ "joined": was, "unit_ids": ids(&before_units, |u| u.0) })),
            after: Some(json!({ "joined": joined, "unit_ids": ids(&units, |u| u.0) })),
        },
    )
    .await?;
    Ok(())
}

// --- readiness -----------------------------------------------------------------

/// What is not ready before a period.
#[derive(Debug, Clone, Default)]
pub struct Readiness {
    pub active_units: usize,
    /// Active units with no task: they cannot register.
    pub units_without_tasks: Vec<UnitRow>,
    /// Active units that have never logged in.
    pub units_never_logged_in: Vec<UnitRow>,
    /// Active units without a password: no one can log in as them.
    pub units_without_password: Vec<UnitRow>,
    /// The period's mandatory tasks that no active unit has.
    pub mandatory_unassigned: Vec<TaskRow>,
    /// The period the mandatory tasks are taken from, if any.
    pub period: Option<komhen_store::PeriodRow>,
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        self.active_units > 0
            && self.units_without_tasks.is_empty()
            && self.units_never_logged_in.is_empty()
            && self.units_without_password.is_empty()
            && self.mandatory_unassigned.is_empty()
    }
}

/// Readiness of the municipality's active units within `scope` for the next
/// period it takes part in (or the next national one).
pub async fn readiness(
    store: &dyn Store,
    municipality: MunicipalityCode,
    scope: &crate::accounts::access::UnitScope,
    today: chrono::NaiveDate,
) -> CoreResult<Readiness> {
    let units: Vec<UnitRow> = store
        .list_units(municipality)
        .await?
        .into_iter()
        .filter(|u| u.active && scope.includes(u.id))
        .collect();
    let assignments = store.list_assignments(municipality).await?;
    let has_tasks = |u: &UnitRow| assignments.iter().any(|a| a.unit == u.id);
    let joined = store.list_participations(municipality).await?;
    let periods = store.list_periods(Some(municipality)).await?;
    // The next period (not yet over) the municipality takes part in, or else
    // the next national one.
    let upcoming = |p: &&komhen_store::PeriodRow| p.period.ends_on >= today;
    let period = periods
        .iter()
        .filter(upcoming)
        .filter(|p| joined.contains(&p.id))
        .min_by_key(|p| p.period.starts_on)
        .or_else(|| {
            periods
                .iter()
                .filter(upcoming)
                .filter(|p| p.municipality.is_none())
                .min_by_key(|p| p.period.starts_on)
        })
        .cloned();
    let mut mandatory_unassigned = Vec::new();
    if let Some(package) = period.as_ref().and_then(|p| p.task_package) {
        let all_active: Vec<UnitId> = store
            .list_units(municipality)
            .await?
            .iter()
            .filter(|u| u.active)
            .map(|u| u.id)
            .collect();
        for task in store.list_package_tasks(package).await? {
            let covered = assignments
                .iter()
                .any(|a| a.task == task.task.id && all_active.contains(&a.unit));
            if task.mandatory && !task.task.retired && !covered {
                mandatory_unassigned.push(task.task);
            }
        }
    }
    Ok(Readiness {
        active_units: units.len(),
        units_without_tasks: units.iter().filter(|u| !has_tasks(u)).cloned().collect(),
        units_never_logged_in: units
            .iter()
            .filter(|u| u.last_login_at.is_none())
            .cloned()
            .collect(),
        units_without_password: units
            .iter()
            .filter(|u| u.password_hash.is_none())
            .cloned()
            .collect(),
        mandatory_unassigned,
        period,
    })
}
