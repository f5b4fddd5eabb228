//! Setting a joint hotline up: the line and its settings, queue names,
//! members, opening hours, its own roles, price rules and the roster. Every
//! change goes through `setup::change` with its audit entry (entity
//! `hotline*`, entity id `{hotline}` or `{hotline}/...`), so the hotline's
//! audit page lists them all. Callers have been let through the guard
//! (`Access::SetUpHotline`, or the national administrator for a new line).

use crate::accounts::access::Actor;
use crate::setup::{change, clean_name, Entry};
use crate::{CoreError, CoreResult};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use komhen_domain::hotline::{MemberKind, OpeningHours};
use komhen_domain::{da, danish_instant, dl, HotlineId, MunicipalityCode, ShiftId, UserId};
use komhen_store::{
    HotlineMember, HotlineMemberRow, HotlinePriceRow, HotlineRole, HotlineRow, HotlineSettings,
    NewHotlinePrice, NewShift, OpeningRow, SetupChange, Store,
};
use serde_json::json;

/// The longest hotline name.
pub const NAME_MAX: usize = 100;
/// The most queue names a line has.
pub const QUEUES_MAX: usize = 50;
/// The longest queue name.
pub const QUEUE_NAME_MAX: usize = 80;
/// The longest shift: a day.
pub const SHIFT_MAX_HOURS: i64 = 24;

/// A hotline with what every page of it needs.
#[derive(Debug, Clone)]
pub struct Line {
    pub row: HotlineRow,
    pub members: Vec<HotlineMemberRow>,
    pub opening: OpeningHours,
    pub prices: Vec<HotlinePriceRow>,
}

impl Line {
    pub fn id(&self) -> HotlineId {
        self.row.id
    }

    /// The members on a day.
    pub fn members_on(&self, day: NaiveDate) -> Vec<&HotlineMemberRow> {
        self.members
            .iter()
            .filter(|m| m.member.is_member_on(day))
            .collect()
    }

    /// Agent-hours a week: opening hours × agents at a time.
    pub fn weekly_agent_hours(&self) -> f64 {
        self.opening.hours_per_week() * self.row.settings.agents_at_a_time as f64
    }
}

/// Loads a hotline with its members, opening hours and prices.
pub async fn load(store: &dyn Store, hotline: HotlineId) -> CoreResult<Line> {
    let row = store
        .get_hotline(hotline)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("hotline {hotline}")))?;
    let members = store.list_hotline_members(hotline).await?;
    let opening = opening_hours(&store.list_opening_hours(hotline).await?);
    let prices = store.list_hotline_prices(hotline).await?;
    Ok(Line {
        row,
        members,
        opening,
        prices,
    })
}

/// The stored weekdays as opening hours.
pub fn opening_hours(rows: &[OpeningRow]) -> OpeningHours {
    let mut hours = OpeningHours::default();
    for row in rows {
        if (1..=7).contains(&row.weekday) {
            hours.days[row.weekday as usize - 1] = Some((row.opens, row.closes));
        }
    }
    hours
}

fn invalid<T>(message: impl Into<String>) -> CoreResult<T> {
    Err(CoreError::Invalid(message.into()))
}

pub(crate) fn entity_id(hotline: HotlineId, rest: &str) -> String {
    if rest.is_empty() {
        hotline.to_string()
    } else {
        format!("{hotline}/{rest}")
    }
}

fn settings_json(s: &HotlineSettings) -> serde_json::Value {
    json!({
        "navn": s.name,
        "medarbejdere_ad_gangen": s.agents_at_a_time,
        "vagt_minutter": s.shift_minutes,
        "serviceniveau_sekunder": s.service_seconds,
        "serviceniveau_procent": s.service_percent,
        "kort_opgivet_sekunder": s.short_abandon_seconds,
        "startrabat_procent": s.discount_percent,
        "startrabat_maaneder": s.discount_months,
    })
}

/// Checks a line's settings, in the user's words.
pub fn check_settings(mut settings: HotlineSettings) -> CoreResult<HotlineSettings> {
    settings.name = clean_name(&settings.name, dl!("linjens navn"), NAME_MAX)?;
    let within = |value: i64, low: i64, high: i64, what: &str| -> CoreResult<()> {
        if (low..=high).contains(&value) {
            Ok(())
        } else {
            invalid(da!("{what} skal være mellem {low} og {high}."))
        }
    };
    within(
        settings.agents_at_a_time,
        1,
        500,
        dl!("Medarbejdere ad gangen"),
    )?;
    within(
        settings.shift_minutes,
        15,
        1440,
        dl!("En vagts længde i minutter"),
    )?;
    within(
        settings.service_seconds,
        1,
        3600,
        dl!("Serviceniveauets sekunder"),
    )?;
    within(
        settings.service_percent,
        1,
        100,
        dl!("Serviceniveauets procent"),
    )?;
    within(
        settings.short_abandon_seconds,
        0,
        600,
        dl!("Grænsen for kort opgivne opkald i sekunder"),
    )?;
    within(
        settings.discount_percent,
        0,
        100,
        dl!("Startrabatten i procent"),
    )?;
    within(
        settings.discount_months,
        0,
        120,
        dl!("Startrabattens måneder"),
    )?;
    Ok(settings)
}

/// The reference line's settings (seed `003_*`): two agents at a time in
/// 3-hour shifts; the service level and short-abandon limit are common
/// defaults the administrator changes.
pub fn default_settings(name: &str) -> HotlineSettings {
    HotlineSettings {
        name: name.to_owned(),
        agents_at_a_time: 2,
        shift_minutes: 180,
        service_seconds: 60,
        service_percent: 80,
        short_abandon_seconds: 5,
        discount_percent: 20,
        discount_months: 3,
    }
}

/// Creates a hotline (the national administrator).
pub async fn create(
    store: &dyn Store,
    actor: &Actor,
    settings: HotlineSettings,
    now: DateTime<Utc>,
) -> CoreResult<HotlineId> {
    let settings = check_settings(settings)?;
    let after = settings_json(&settings);
    let applied = change(
        store,
        actor,
        SetupChange::CreateHotline { settings, now },
        Entry {
            municipality: None,
            action: "create",
            entity: "hotline",
            entity_id: String::new(),
            before: None,
            after: Some(after),
        },
    )
    .await?;
    Ok(HotlineId(applied.created()?))
}

/// Changes a hotline's settings.
pub async fn update(
    store: &dyn Store,
    actor: &Actor,
    line: &Line,
    settings: HotlineSettings,
) -> CoreResult<()> {
    let settings = check_settings(settings)?;
    let after = settings_json(&settings);
    change(
        store,
        actor,
        SetupChange::UpdateHotline {
            hotline: line.id(),
            settings,
        },
        Entry {
            municipality: None,
            action: "update",
            entity: "hotline",
            entity_id: entity_id(line.id(), ""),
            before: Some(settings_json(&line.row.settings)),
            after: Some(after),
        },
    )
    .await?;
    Ok(())
}

/// Replaces the queue names (one per line, or separated by commas).
pub async fn set_queues(
    store: &dyn Store,
    actor: &Actor,
    line: &Line,
    text: &str,
) -> CoreResult<Vec<String>> {
    let mut queues: Vec<String> = Vec::new();
    for name in text.split([',', '\n', ';']) {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        if name.chars().count() > QUEUE_NAME_MAX {
            return invalid(da!(
                "Kønavnet «{}…» er for langt: højst {QUEUE_NAME_MAX} tegn.",
                name.chars().take(20).collect::<String>()
            ));
        }
        if !queues.iter().any(|q| q == name) {
            queues.push(name.to_owned());
        }
    }
    if queues.len() > QUEUES_MAX {
        return invalid(da!("Højst {QUEUES_MAX} køer."));
    }
    queues.sort();
    change(
        store,
        actor,
        SetupChange::SetHotlineQueues {
            hotline: line.id(),
            queues: queues.clone(),
        },
        Entry {
            municipality: None,
            action: "set_queues",
            entity: "hotline",
            entity_id: entity_id(line.id(), "koeer"),
            before: Some(json!(line.row.queues)),
            after: Some(json!(queues)),
        },
    )
    .await?;
    Ok(queues)
}

/// Adds a member municipality from a day (and, when known, to a day).
pub async fn add_member(
    store: &dyn Store,
    actor: &Actor,
    line: &Line,
    member: HotlineMember,
) -> CoreResult<()> {
    if store.get_municipality(member.municipality).await?.is_none() {
        return invalid(da!("Kommunekoden {} findes ikke.", member.municipality));
    }
    if member.left_on.is_some_and(|left| left <= member.joined_on) {
        return invalid(dl!("Udmeldelsen skal ligge efter indmeldelsen."));
    }
    if let Some(other) = line.members.iter().find(|m| {
        m.member.municipality == member.municipality
            && m.member.left_on.is_none_or(|left| left > member.joined_on)
            && member.left_on.is_none_or(|left| m.member.joined_on < left)
    }) {
        return invalid(da!(
            "{} er allerede medlem fra {}: afslut det medlemskab først.",
            other.name,
            other.member.joined_on.format("%d-%m-%Y")
        ));
    }
    let after = json!({
        "kommune": member.municipality.get(),
        "form": member.kind.code(),
        "fra": member.joined_on.to_string(),
        "til": member.left_on.map(|d| d.to_string()),
    });
    change(
        store,
        actor,
        SetupChange::AddHotlineMember {
            hotline: line.id(),
            member: member.clone(),
        },
        Entry {
            municipality: Some(member.municipality),
            action: "add_member",
            entity: "hotline_member",
            entity_id: entity_id(line.id(), &format!("medlem/{}", member.municipality)),
            before: None,
            after: Some(after),
        },
    )
    .await?;
    Ok(())
}

/// Ends a member's open membership: `left_on` is its first day out.
pub async fn end_member(
    store: &dyn Store,
    actor: &Actor,
    line: &Line,
    municipality: MunicipalityCode,
    left_on: NaiveDate,
) -> CoreResult<()> {
    let Some(open) = line
        .members
        .iter()
        .find(|m| m.member.municipality == municipality && m.member.left_on.is_none())
    else {
        return invalid(da!(
            "Kommune {municipality} har intet åbent medlemskab af linjen."
        ));
    };
    if left_on <= open.member.joined_on {
        return invalid(da!(
            "Udmeldelsen skal ligge efter indmeldelsen den {}.",
            open.member.joined_on.format("%d-%m-%Y")
        ));
    }
    change(
        store,
        actor,
        SetupChange::EndHotlineMembership {
            hotline: line.id(),
            municipality,
            left_on,
        },
        Entry {
            municipality: Some(municipality),
            action: "end_member",
            entity: "hotline_member",
            entity_id: entity_id(line.id(), &format!("medlem/{municipality}")),
            before: Some(json!({ "til": null })),
            after: Some(json!({ "til": left_on.to_string() })),
        },
    )
    .await?;
    Ok(())
}

/// Replaces the opening hours: per weekday (Monday first) an interval or
/// closed.
pub async fn set_opening_hours(
    store: &dyn Store,
    actor: &Actor,
    line: &Line,
    days: [Option<(NaiveTime, NaiveTime)>; 7],
) -> CoreResult<()> {
    const NAMES: [&str; 7] = [
        dl!("mandag"),
        dl!("tirsdag"),
        dl!("onsdag"),
        dl!("torsdag"),
        dl!("fredag"),
        dl!("lørdag"),
        dl!("søndag"),
    ];
    let mut rows = Vec::new();
    for (i, day) in days.iter().enumerate() {
        if let Some((opens, closes)) = day {
            if closes <= opens {
                return invalid(da!(
                    "Om {} skal lukketiden ligge efter åbningstiden.",
                    NAMES[i]
                ));
            }
            rows.push(OpeningRow {
                weekday: i as u32 + 1,
                opens: *opens,
                closes: *closes,
            });
        }
    }
    let show = |hours: &OpeningHours| {
        json!(hours
            .days
            .iter()
            .zip(NAMES)
            .filter_map(|(d, name)| d.map(|(o, c)| format!(
                "{name} {}-{}",
                o.format("%H:%M"),
                c.format("%H:%M")
            )))
            .collect::<Vec<_>>())
    };
    let after = show(&OpeningHours { days });
    change(
        store,
        actor,
        SetupChange::SetOpeningHours {
            hotline: line.id(),
            days: rows,
        },
        Entry {
            municipality: None,
            action: "set_opening_hours",
            entity: "hotline",
            entity_id: entity_id(line.id(), "aabningstid"),
            before: Some(show(&line.opening)),
            after: Some(after),
        },
    )
    .await?;
    Ok(())
}

/// Gives a user (by e-mail) a role of the hotline's own.
pub async fn grant_role(
    store: &dyn Store,
    actor: &Actor,
    line: &Line,
    email: &str,
    role: HotlineRole,
) -> CoreResult<UserId> {
    let email = email.trim().to_lowercase();
    let Some(user) = store.find_user_by_email(&email).await? else {
        return invalid(da!(
            "Der findes ingen bruger med e-mail {email}. Den nationale administrator opretter \
             brugere."
        ));
    };
    change(
        store,
        actor,
        SetupChange::GrantHotlineRole {
            hotline: line.id(),
            user: user.id,
            role,
        },
        Entry {
            municipality: None,
            action: "grant_role",
            entity: "hotline_role",
            entity_id: entity_id(line.id(), &format!("rolle/{}", user.id)),
            before: None,
            after: Some(json!({ "bruger": email, "rolle": role.code() })),
        },
    )
    .await?;
    Ok(user.id)
}

pub async fn revoke_role(
    store: &dyn Store,
    actor: &Actor,
    line: &Line,
    user: UserId,
    role: HotlineRole,
) -> CoreResult<()> {
    change(
        store,
        actor,
        SetupChange::RevokeHotlineRole {
            hotline: line.id(),
            user,
            role,
        },
        Entry {
            municipality: None,
            action: "revoke_role",
            entity: "hotline_role",
            entity_id: entity_id(line.id(), &format!("rolle/{user}")),
            before: Some(json!({ "rolle": role.code() })),
            after: None,
        },
    )
    .await?;
    Ok(())
}

/// Keeps a price rule of the cost sharing from a date (replacing the one
/// of that date).
pub async fn set_price(
    store: &dyn Store,
    actor: &Actor,
    line: &Line,
    price: NewHotlinePrice,
) -> CoreResult<()> {
    if price.price_millikr < 0 || price.credit_ore_per_hour < 0 {
        return invalid(dl!("Pris og godtgørelse kan ikke være negative."));
    }
    if price.note.chars().count() > 200 {
        return invalid(dl!("Noten må højst være 200 tegn."));
    }
    let after = json!({
        "fra": price.valid_from.to_string(),
        "pris_pr_borger_pr_maaned_kr": price.price_millikr as f64 / 1000.0,
        "godtgoerelse_pr_time_kr": price.credit_ore_per_hour as f64 / 100.0,
        "note": price.note,
    });
    change(
        store,
        actor,
        SetupChange::SetHotlinePrice(price.clone()),
        Entry {
            municipality: None,
            action: "set_price",
            entity: "hotline_price",
            entity_id: entity_id(line.id(), &format!("pris/{}", price.valid_from)),
            before: None,
            after: Some(after),
        },
    )
    .await?;
    Ok(())
}

pub async fn remove_price(
    store: &dyn Store,
    actor: &Actor,
    line: &Line,
    price: i64,
) -> CoreResult<()> {
    let Some(row) = line.prices.iter().find(|p| p.id == price) else {
        return Err(CoreError::NotFound(format!("pris {price}")));
    };
    change(
        store,
        actor,
        SetupChange::RemoveHotlinePrice {
            hotline: line.id(),
            price,
        },
        Entry {
            municipality: None,
            action: "remove_price",
            entity: "hotline_price",
            entity_id: entity_id(line.id(), &format!("pris/{}", row.price.valid_from)),
            before: Some(json!({ "fra": row.price.valid_from.to_string() })),
            after: None,
        },
    )
    .await?;
    Ok(())
}

/// A shift to add, as typed: a day and a start and end time (Danish local
/// time; an end at or before the start runs into the next day).
#[derive(Debug, Clone)]
pub struct ShiftInput {
    pub municipality: MunicipalityCode,
    pub day: NaiveDate,
    pub starts: NaiveTime,
    pub ends: NaiveTime,
    pub agents: i64,
    pub note: String,
}

/// The instants of a typed shift.
pub fn shift_instants(input: &ShiftInput) -> CoreResult<(DateTime<Utc>, DateTime<Utc>)> {
    use chrono::Timelike;
    let end_day = if input.ends <= input.starts {
        input.day.succ_opt().unwrap_or(input.day)
    } else {
        input.day
    };
    let at = |day: NaiveDate, time: NaiveTime| {
        danish_instant(day, time.hour(), time.minute()).ok_or_else(|| {
            CoreError::Invalid(da!(
                "Klokken {} findes ikke den {} (sommertid): vælg et andet tidspunkt.",
                time.format("%H:%M"),
                day.format("%d-%m-%Y")
            ))
        })
    };
    let starts = at(input.day, input.starts)?;
    let ends = at(end_day, input.ends)?;
    if (ends - starts).num_hours() >= SHIFT_MAX_HOURS {
        return invalid(da!("En vagt er højst {SHIFT_MAX_HOURS} timer."));
    }
    Ok((starts, ends))
}

/// Adds a shift to the roster: the member must staff the line that day.
pub async fn add_shift(
    store: &dyn Store,
    actor: &Actor,
    line: &Line,
    input: ShiftInput,
    now: DateTime<Utc>,
) -> CoreResult<ShiftId> {
    if !(1..=500).contains(&input.agents) {
        return invalid(dl!(
            "Antal medarbejdere på vagten skal være mellem 1 og 500."
        ));
    }
    let Some(member) = line
        .members
        .iter()
        .find(|m| m.member.municipality == input.municipality && m.member.is_member_on(input.day))
    else {
        return invalid(da!(
            "Kommune {} er ikke medlem af linjen den {}.",
            input.municipality,
            input.day.format("%d-%m-%Y")
        ));
    };
    if member.member.kind != MemberKind::StaffsAndPays {
        return invalid(da!("{} betaler kun og bemander ikke vagter.", member.name));
    }
    let note = input.note.trim().chars().take(200).collect::<String>();
    let (starts_at, ends_at) = shift_instants(&input)?;
    let after = json!({
        "kommune": input.municipality.get(),
        "fra": starts_at.to_rfc3339(),
        "til": ends_at.to_rfc3339(),
        "medarbejdere": input.agents,
    });
    let applied = change(
        store,
        actor,
        SetupChange::AddShift(NewShift {
            hotline: line.id(),
            municipality: input.municipality,
            starts_at,
            ends_at,
            agents: input.agents,
            note,
            set_by: actor.as_str().to_owned(),
            set_at: now,
        }),
        Entry {
            municipality: Some(input.municipality),
            action: "add_shift",
            entity: "hotline_shift",
            entity_id: entity_id(line.id(), "vagt"),
            before: None,
            after: Some(after),
        },
    )
    .await?;
    Ok(ShiftId(applied.created()?))
}

pub async fn remove_shift(
    store: &dyn Store,
    actor: &Actor,
    line: &Line,
    shift: ShiftId,
) -> CoreResult<()> {
    change(
        store,
        actor,
        SetupChange::RemoveShift {
            hotline: line.id(),
            shift,
        },
        Entry {
            municipality: None,
            action: "remove_shift",
            entity: "hotline_shift",
            entity_id: entity_id(line.id(), &format!("vagt/{shift}")),
            before: Some(json!({ "vagt": shift.0 })),
            after: None,
        },
    )
    .await?;
    Ok(())
}
