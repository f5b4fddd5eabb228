// Set-up changes of a joint hotline: the line, its queues, members, opening
// hours, roles, price rules, roster and issued statements.

use super::*;
use komhen_domain::hotline::MemberKind;
use komhen_domain::HotlineId;
use komhen_store::HotlineSettings;

async fn require_hotline(tx: &mut Tx<'_>, hotline: HotlineId) -> StoreResult<()> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM hotlines WHERE id = $1")
        .bind(hotline.0)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_err)?;
    found
        .map(|_| ())
        .ok_or_else(|| not_found(format!("hotline {hotline}")))
}

fn settings_named(settings: &HotlineSettings) -> String {
    format!("en hotline ved navn «{}» findes allerede", settings.name)
}

/// Deletes one row of the hotline's from one of its tables.
async fn remove(
    tx: &mut Tx<'_>,
    table: &str,
    hotline: HotlineId,
    id: i64,
    what: &str,
) -> StoreResult<Applied> {
    let done = sqlx::query(&format!(
        "DELETE FROM {table} WHERE id = $1 AND hotline_id = $2"
    ))
    .bind(id)
    .bind(hotline.0)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    if done.rows_affected() == 0 {
        return Err(not_found(format!("{what} {id}")));
    }
    Ok(Applied {
        id: None,
        count: done.rows_affected(),
    })
}

impl Store {
    pub(super) async fn apply_hotline(
        tx: &mut Tx<'_>,
        change: &SetupChange,
    ) -> StoreResult<Applied> {
        use SetupChange::*;
        let id: i64 = match change {
            CreateHotline { settings, now } => sqlx::query_scalar(
                "INSERT INTO hotlines (name, agents_at_a_time, shift_minutes, service_seconds, \
                 service_percent, short_abandon_seconds, discount_percent, discount_months, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(&settings.name)
            .bind(settings.agents_at_a_time)
            .bind(settings.shift_minutes)
            .bind(settings.service_seconds)
            .bind(settings.service_percent)
            .bind(settings.short_abandon_seconds)
            .bind(settings.discount_percent)
            .bind(settings.discount_months)
            .bind(now)
            .fetch_one(&mut **tx)
            .await
            .map_err(conflict_as(settings_named(settings)))?,
            UpdateHotline { hotline, settings } => {
                require_hotline(tx, *hotline).await?;
                sqlx::query(
                    "UPDATE hotlines SET name = $1, agents_at_a_time = $2, shift_minutes = $3, \
                     service_seconds = $4, service_percent = $5, short_abandon_seconds = $6, \
                     discount_percent = $7, discount_months = $8 WHERE id = $9",
                )
                .bind(&settings.name)
                .bind(settings.agents_at_a_time)
                .bind(settings.shift_minutes)
                .bind(settings.service_seconds)
                .bind(settings.service_percent)
                .bind(settings.short_abandon_seconds)
                .bind(settings.discount_percent)
                .bind(settings.discount_months)
                .bind(hotline.0)
                .execute(&mut **tx)
                .await
                .map_err(conflict_as(settings_named(settings)))?;
                hotline.0
            }
            SetHotlineQueues { hotline, queues } => {
                require_hotline(tx, *hotline).await?;
                sqlx::query("DELETE FROM hotline_queues WHERE hotline_id = $1")
                    .bind(hotline.0)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?;
                for queue in queues {
                    sqlx::query(
                        "INSERT INTO hotline_queues (hotline_id, name) VALUES ($1, $2) \
                         ON CONFLICT (hotline_id, name) DO NOTHING",
                    )
                    .bind(hotline.0)
                    .bind(queue)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?;
                }
                hotline.0
            }
            AddHotlineMember { hotline, member } => {
                require_hotline(tx, *hotline).await?;
                // Two memberships of one municipality never overlap.
                let overlapping: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM hotline_members WHERE hotline_id = $1 \
                     AND municipality_code = $2 AND (left_on IS NULL OR left_on > $3) \
                     AND ($4 IS NULL OR joined_on < $4)",
                )
                .bind(hotline.0)
                .bind(code_of(member.municipality))
                .bind(member.joined_on)
                .bind(member.left_on)
                .fetch_optional(&mut **tx)
                .await
                .map_err(db_err)?;
                if overlapping.is_some() {
                    return Err(StoreError::Conflict(Detail::new(format!(
                        "kommune {} er allerede medlem i en del af perioden",
                        member.municipality
                    ))));
                }
                sqlx::query_scalar(
                    "INSERT INTO hotline_members (hotline_id, municipality_code, kind, joined_on, \
                     left_on) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(hotline.0)
                .bind(code_of(member.municipality))
                .bind(member.kind.code())
                .bind(member.joined_on)
                .bind(member.left_on)
                .fetch_one(&mut **tx)
                .await
                .map_err(db_err)?
            }
            EndHotlineMembership {
                hotline,
                municipality,
                left_on,
            } => {
                let done = sqlx::query(
                    "UPDATE hotline_members SET left_on = $1 WHERE hotline_id = $2 \
                     AND municipality_code = $3 AND left_on IS NULL AND joined_on < $1",
                )
                .bind(left_on)
                .bind(hotline.0)
                .bind(code_of(*municipality))
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                if done.rows_affected() == 0 {
                    return Err(not_found(format!(
                        "et åbent medlemskab for kommune {municipality} begyndt før {left_on}"
                    )));
                }
                hotline.0
            }
            SetOpeningHours { hotline, days } => {
                require_hotline(tx, *hotline).await?;
                sqlx::query("DELETE FROM hotline_opening_hours WHERE hotline_id = $1")
                    .bind(hotline.0)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?;
                for day in days {
                    sqlx::query(
                        "INSERT INTO hotline_opening_hours (hotline_id, weekday, opens, closes) \
                         VALUES ($1, $2, $3, $4)",
                    )
                    .bind(hotline.0)
                    .bind(i64::from(day.weekday))
                    .bind(day.opens.format("%H:%M").to_string())
                    .bind(day.closes.format("%H:%M").to_string())
                    .execute(&mut **tx)
                    .await
                    .map_err(conflict_as("en ugedag står to gange".into()))?;
                }
                hotline.0
            }
            GrantHotlineRole {
                hotline,
                user,
                role,
            } => {
                require_hotline(tx, *hotline).await?;
                sqlx::query(
                    "INSERT INTO hotline_roles (hotline_id, user_id, role) VALUES ($1, $2, $3) \
                     ON CONFLICT (hotline_id, user_id, role) DO NOTHING",
                )
                .bind(hotline.0)
                .bind(user.0)
                .bind(role.code())
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                hotline.0
            }
            RevokeHotlineRole {
                hotline,
                user,
                role,
            } => {
                let done = sqlx::query(
                    "DELETE FROM hotline_roles WHERE hotline_id = $1 AND user_id = $2 AND role = $3",
                )
                .bind(hotline.0)
                .bind(user.0)
                .bind(role.code())
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                if done.rows_affected() == 0 {
                    return Err(not_found(format!("rollen for bruger {user}")));
                }
                hotline.0
            }
            SetHotlinePrice(price) => {
                require_hotline(tx, price.hotline).await?;
                sqlx::query_scalar(
                    "INSERT INTO hotline_prices (hotline_id, valid_from, price_millikr, \
                     credit_ore_per_hour, note, set_by, set_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                     ON CONFLICT (hotline_id, valid_from) DO UPDATE SET \
                     price_millikr = excluded.price_millikr, \
                     credit_ore_per_hour = excluded.credit_ore_per_hour, note = excluded.note, \
                     set_by = excluded.set_by, set_at = excluded.set_at RETURNING id",
                )
                .bind(price.hotline.0)
                .bind(price.valid_from)
                .bind(price.price_millikr)
                .bind(price.credit_ore_per_hour)
                .bind(&price.note)
                .bind(&price.set_by)
                .bind(price.set_at)
                .fetch_one(&mut **tx)
                .await
                .map_err(db_err)?
            }
            RemoveHotlinePrice { hotline, price } => {
                return remove(tx, "hotline_prices", *hotline, *price, "pris").await
            }
            AddShift(shift) => {
                let day = komhen_domain::danish_local(shift.starts_at).date();
                let staffing: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM hotline_members WHERE hotline_id = $1 \
                     AND municipality_code = $2 AND kind = $3 AND joined_on <= $4 \
                     AND (left_on IS NULL OR left_on > $4)",
                )
                .bind(shift.hotline.0)
                .bind(code_of(shift.municipality))
                .bind(MemberKind::StaffsAndPays.code())
                .bind(day)
                .fetch_optional(&mut **tx)
                .await
                .map_err(db_err)?;
                if staffing.is_none() {
                    return Err(StoreError::Invalid(Detail::new(format!(
                        "kommune {} bemander ikke linjen den {}",
                        shift.municipality,
                        day.format("%d-%m-%Y")
                    ))));
                }
                sqlx::query_scalar(
                    "INSERT INTO hotline_shifts (hotline_id, municipality_code, starts_at, \
                     ends_at, agents, note, set_by, set_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(shift.hotline.0)
                .bind(code_of(shift.municipality))
                .bind(shift.starts_at.timestamp())
                .bind(shift.ends_at.timestamp())
                .bind(shift.agents)
                .bind(&shift.note)
                .bind(&shift.set_by)
                .bind(shift.set_at)
                .fetch_one(&mut **tx)
                .await
                .map_err(db_err)?
            }
            RemoveShift { hotline, shift } => {
                return remove(tx, "hotline_shifts", *hotline, shift.0, "vagt").await
            }
            IssueStatement(s) => {
                require_hotline(tx, s.hotline).await?;
                if let Some(corrects) = s.corrects {
                    let owner: Option<i32> = sqlx::query_scalar(
                        "SELECT municipality_code FROM hotline_statements \
                         WHERE id = $1 AND hotline_id = $2",
                    )
                    .bind(corrects.0)
                    .bind(s.hotline.0)
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(db_err)?;
                    if owner != Some(code_of(s.municipality)) {
                        return Err(not_found(format!("opgørelse {corrects}")));
                    }
                }
                sqlx::query_scalar(
                    "INSERT INTO hotline_statements (hotline_id, municipality_code, first_month, \
                     last_month, amount_ore, body, corrects, reason, issued_by, issued_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                )
                .bind(s.hotline.0)
                .bind(code_of(s.municipality))
                .bind(s.first_month)
                .bind(s.last_month)
                .bind(s.amount_ore)
                .bind(&s.body)
                .bind(s.corrects.map(|c| c.0))
                .bind(&s.reason)
                .bind(&s.issued_by)
                .bind(s.issued_at)
                .fetch_one(&mut **tx)
                .await
                .map_err(db_err)?
            }
            AddHotlineUnit { hotline, unit, now } => {
                require_hotline(tx, *hotline).await?;
                let done = sqlx::query(
                    "INSERT INTO hotline_units (unit_id, hotline_id, added_at) \
                     SELECT id, $2, $3 FROM units WHERE id = $1 AND active",
                )
                .bind(unit.0)
                .bind(hotline.0)
                .bind(now)
                .execute(&mut **tx)
                .await
                .map_err(conflict_as(
                    "enheden besvarer allerede en hotline".to_string(),
                ))?;
                if done.rows_affected() == 0 {
                    return Err(not_found(format!("aktiv enhed {unit}")));
                }
                unit.0
            }
            RemoveHotlineUnit { hotline, unit } => {
                let done =
                    sqlx::query("DELETE FROM hotline_units WHERE unit_id = $1 AND hotline_id = $2")
                        .bind(unit.0)
                        .bind(hotline.0)
                        .execute(&mut **tx)
                        .await
                        .map_err(db_err)?;
                if done.rows_affected() == 0 {
                    return Err(not_found(format!("hotline-enhed {unit}")));
                }
                unit.0
            }
            _ => return Err(StoreError::internal("ikke en ændring af en hotline")),
        };
        Ok(Applied {
            id: Some(id),
            count: 1,
        })
    }
}
