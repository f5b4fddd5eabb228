//! The hotline in the registration tool. A line's administrator names the
//! units (of staffing members) that answer it; what such a unit registers
//! is a hotline call: stored once, in the caller's municipality, with
//! source "hotline" and no unit, and linked to the line, the answering unit
//! and the call's outcome. The caller's municipality counts it in its
//! figures (as source "Fælles hotline"), the line counts it through the
//! link, and the answering unit's municipality does not count it at all:
//! never twice.

use super::admin::{entity_id, Line};
use crate::accounts::access::Actor;
use crate::setup::{change, Entry};
use crate::{CoreError, CoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use komhen_domain::hotline::MemberKind;
use komhen_domain::{da, dl, HotlineId, MunicipalityCode, UnitId};
use komhen_store::{HotlineUnitRow, SetupChange, Store, UnitRow};
use serde_json::json;

/// A municipality whose citizens the line serves on the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub municipality: MunicipalityCode,
    pub name: String,
}

/// What a unit that answers a line needs to register a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Desk {
    pub hotline: HotlineId,
    pub name: String,
    /// The line's members on the day (staffing and paying alike: their
    /// citizens all call), by name.
    pub callers: Vec<Caller>,
}

impl Desk {
    /// The caller's municipality as chosen on the form (its code), among
    /// the members.
    pub fn caller(&self, value: &str) -> Result<&Caller, String> {
        let value = value.trim();
        if value.is_empty() {
            return Err(dl!("Vælg borgerens kommune.").into());
        }
        value
            .parse::<u16>()
            .ok()
            .and_then(|code| self.callers.iter().find(|c| c.municipality.get() == code))
            .ok_or_else(|| da!("Kommune «{value}» er ikke medlem af {}.", self.name))
    }

    pub fn caller_name(&self, municipality: MunicipalityCode) -> String {
        self.callers
            .iter()
            .find(|c| c.municipality == municipality)
            .map_or_else(|| municipality.to_string(), |c| c.name.clone())
    }
}

/// The line a unit answers, with the members whose citizens call on `day`;
/// None for every other unit, and for a unit whose municipality does not
/// staff the line on `day` (it left, or pays only): its registrations are
/// then its own municipality's again.
pub async fn of_unit(store: &dyn Store, unit: UnitId, day: NaiveDate) -> CoreResult<Option<Desk>> {
    let Some(hotline) = store.hotline_of_unit(unit).await? else {
        return Ok(None);
    };
    let Some(row) = store.get_hotline(hotline).await? else {
        return Ok(None);
    };
    let members = store.list_hotline_members(hotline).await?;
    let staffing = store
        .list_hotline_units(hotline)
        .await?
        .iter()
        .find(|u| u.unit == unit)
        .is_some_and(|u| {
            members.iter().any(|m| {
                m.member.municipality == u.municipality
                    && m.member.kind == MemberKind::StaffsAndPays
                    && m.member.is_member_on(day)
            })
        });
    if !staffing {
        return Ok(None);
    }
    let mut callers: Vec<Caller> = members
        .into_iter()
        .filter(|m| m.member.is_member_on(day))
        .map(|m| Caller {
            municipality: m.member.municipality,
            name: m.name,
        })
        .collect();
    callers.sort_by(|a, b| a.name.cmp(&b.name));
    callers.dedup_by_key(|c| c.municipality);
    Ok(Some(Desk {
        hotline,
        name: row.settings.name,
        callers,
    }))
}

/// The units that answer the line.
pub async fn units(store: &dyn Store, line: &Line) -> CoreResult<Vec<HotlineUnitRow>> {
    Ok(store.list_hotline_units(line.id()).await?)
}

fn invalid<T>(message: impl Into<String>) -> CoreResult<T> {
    Err(CoreError::Invalid(message.into()))
}

/// Makes the unit with this login one that answers the line: it must be an
/// active unit of a member that staffs shifts on `now`'s day.
pub async fn add_unit(
    store: &dyn Store,
    actor: &Actor,
    line: &Line,
    login: &str,
    now: DateTime<Utc>,
) -> CoreResult<UnitRow> {
    let login = login.trim();
    if login.is_empty() {
        return invalid(dl!("Skriv enhedens login."));
    }
    let Some(unit) = store.find_unit_by_login(login).await? else {
        return invalid(da!("Der findes ingen enhed med login «{login}»."));
    };
    if !unit.active {
        return invalid(da!("Enheden «{}» er lukket.", unit.name));
    }
    let today = komhen_domain::DateDimensions::of(now).day;
    let staffs = line.members_on(today).iter().any(|m| {
        m.member.municipality == unit.municipality && m.member.kind == MemberKind::StaffsAndPays
    });
    if !staffs {
        return invalid(da!(
            "Enheden «{}» hører ikke til en kommune, der bemander linjen.",
            unit.name
        ));
    }
    if let Some(other) = store.hotline_of_unit(unit.id).await? {
        return invalid(if other == line.id() {
            da!("Enheden «{}» besvarer allerede linjen.", unit.name)
        } else {
            da!(
                "Enheden «{}» besvarer allerede en anden hotline.",
                unit.name
            )
        });
    }
    change(
        store,
        actor,
        SetupChange::AddHotlineUnit {
            hotline: line.id(),
            unit: unit.id,
            now,
        },
        Entry {
            municipality: Some(unit.municipality),
            action: "add_unit",
            entity: "hotline_unit",
            entity_id: entity_id(line.id(), &format!("enhed/{}", unit.id)),
            before: None,
            after: Some(json!({ "enhed": unit.login, "navn": unit.name })),
        },
    )
    .await?;
    Ok(unit)
}

/// Stops a unit answering the line. Its calls registered so far stay.
pub async fn remove_unit(
    store: &dyn Store,
    actor: &Actor,
    line: &Line,
    unit: UnitId,
) -> CoreResult<()> {
    let Some(row) = units(store, line)
        .await?
        .into_iter()
        .find(|u| u.unit == unit)
    else {
        return invalid(dl!("Enheden besvarer ikke linjen."));
    };
    change(
        store,
        actor,
        SetupChange::RemoveHotlineUnit {
            hotline: line.id(),
            unit,
        },
        Entry {
            municipality: Some(row.municipality),
            action: "remove_unit",
            entity: "hotline_unit",
            entity_id: entity_id(line.id(), &format!("enhed/{unit}")),
            before: Some(json!({ "enhed": row.login, "navn": row.name })),
            after: None,
        },
    )
    .await?;
    Ok(())
}
