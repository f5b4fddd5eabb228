// Joint hotlines: the line, its members, opening hours, roles, prices,
// roster, statements and calls.

use super::*;
use komhen_domain::hotline::{Call, CallOutcome, HotlineOutcome, MemberKind};
use komhen_domain::{CallBatchId, HotlineId, ShiftId, StatementId};
use komhen_store::{
    CallBatchRow, CallsStored, HotlineAccess, HotlineGrant, HotlineMember, HotlineMemberRow,
    HotlinePriceRow, HotlineRegistration, HotlineRegistrationFilter, HotlineRegistrationRow,
    HotlineRole, HotlineRoleRow, HotlineRow, HotlineSettings, HotlineUnitRow, NewCallBatch,
    NewHotlinePrice, NewShift, NewStatement, OpeningRow, ShiftRow, StatementRow,
};

/// Columns of one call row.
const CALL_COLUMNS: usize = 10;

fn instant(seconds: i64) -> StoreResult<DateTime<Utc>> {
    DateTime::from_timestamp(seconds, 0).ok_or_else(|| corrupt("tidspunkt", seconds))
}

fn opt_instant(seconds: Option<i64>) -> StoreResult<Option<DateTime<Utc>>> {
    seconds.map(instant).transpose()
}

fn hotline_row(row: &DbRow, queues: Vec<String>) -> StoreResult<HotlineRow> {
    Ok(HotlineRow {
        id: HotlineId(get(row, "id")?),
        settings: HotlineSettings {
            name: get(row, "name")?,
            agents_at_a_time: get(row, "agents_at_a_time")?,
            shift_minutes: get(row, "shift_minutes")?,
            service_seconds: get(row, "service_seconds")?,
            service_percent: get(row, "service_percent")?,
            short_abandon_seconds: get(row, "short_abandon_seconds")?,
            discount_percent: get(row, "discount_percent")?,
            discount_months: get(row, "discount_months")?,
        },
        created_at: get(row, "created_at")?,
        queues,
    })
}

const HOTLINE_COLUMNS: &str = "id, name, CAST(agents_at_a_time AS BIGINT) AS agents_at_a_time, \
     CAST(shift_minutes AS BIGINT) AS shift_minutes, \
     CAST(service_seconds AS BIGINT) AS service_seconds, \
     CAST(service_percent AS BIGINT) AS service_percent, \
     CAST(short_abandon_seconds AS BIGINT) AS short_abandon_seconds, \
     CAST(discount_percent AS BIGINT) AS discount_percent, \
     CAST(discount_months AS BIGINT) AS discount_months, created_at";

/// A registration joined with its hotline link (the link's columns renamed
/// so none clashes with the registration's).
fn hotline_registration_row(row: &DbRow) -> StoreResult<HotlineRegistrationRow> {
    let outcome: String = get(row, "outcome")?;
    Ok(HotlineRegistrationRow {
        registration: registration_row(row)?,
        link: HotlineRegistration {
            hotline: HotlineId(get(row, "link_hotline")?),
            unit: UnitId(get(row, "link_unit")?),
            outcome: HotlineOutcome::parse(&outcome)
                .ok_or_else(|| corrupt("hotlineopkaldets udfald", &outcome))?,
        },
    })
}

fn call_from(row: &DbRow) -> StoreResult<Call> {
    let outcome: String = get(row, "outcome")?;
    Ok(Call {
        call_id: get(row, "call_id")?,
        queue: get(row, "queue")?,
        arrived_at: instant(get(row, "arrived_at")?)?,
        answered_at: opt_instant(get(row, "answered_at")?)?,
        ended_at: opt_instant(get(row, "ended_at")?)?,
        outcome: CallOutcome::parse(&outcome)
            .ok_or_else(|| corrupt("opkaldets udfald", &outcome))?,
        agent: get(row, "agent")?,
        transferred: get(row, "transferred")?,
    })
}

fn statement_row(row: &DbRow) -> StoreResult<StatementRow> {
    Ok(StatementRow {
        id: StatementId(get(row, "id")?),
        statement: NewStatement {
            hotline: HotlineId(get(row, "hotline_id")?),
            municipality: municipality_from(get(row, "municipality_code")?)?,
            first_month: get(row, "first_month")?,
            last_month: get(row, "last_month")?,
            amount_ore: get(row, "amount_ore")?,
            body: get(row, "body")?,
            corrects: get::<Option<i64>>(row, "corrects")?.map(StatementId),
            reason: get(row, "reason")?,
            issued_by: get(row, "issued_by")?,
            issued_at: get(row, "issued_at")?,
        },
        corrected_by: get::<Option<i64>>(row, "corrected_by")?.map(StatementId),
    })
}

impl Store {
    async fn hotline_queues(&self, hotline: HotlineId) -> StoreResult<Vec<String>> {
        sqlx::query_scalar("SELECT name FROM hotline_queues WHERE hotline_id = $1 ORDER BY name")
            .bind(hotline.0)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)
    }

    pub(super) async fn list_hotlines(&self) -> StoreResult<Vec<HotlineRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {HOTLINE_COLUMNS} FROM hotlines ORDER BY name"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let queues = self.hotline_queues(HotlineId(get(row, "id")?)).await?;
            out.push(hotline_row(row, queues)?);
        }
        Ok(out)
    }

    pub(super) async fn get_hotline(&self, hotline: HotlineId) -> StoreResult<Option<HotlineRow>> {
        let row = sqlx::query(&format!(
            "SELECT {HOTLINE_COLUMNS} FROM hotlines WHERE id = $1"
        ))
        .bind(hotline.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        match row {
            Some(row) => Ok(Some(hotline_row(
                &row,
                self.hotline_queues(hotline).await?,
            )?)),
            None => Ok(None),
        }
    }

    pub(super) async fn list_hotline_members(
        &self,
        hotline: HotlineId,
    ) -> StoreResult<Vec<HotlineMemberRow>> {
        let rows = sqlx::query(
            "SELECT m.id, m.hotline_id, m.municipality_code, m.kind, m.joined_on, m.left_on, \
             k.name FROM hotline_members m JOIN municipalities k ON k.code = m.municipality_code \
             WHERE m.hotline_id = $1 ORDER BY k.name, m.joined_on",
        )
        .bind(hotline.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                let kind: String = get(row, "kind")?;
                Ok(HotlineMemberRow {
                    id: get(row, "id")?,
                    hotline: HotlineId(get(row, "hotline_id")?),
                    member: HotlineMember {
                        municipality: municipality_from(get(row, "municipality_code")?)?,
                        kind: MemberKind::parse(&kind)
                            .ok_or_else(|| corrupt("medlemsform", &kind))?,
                        joined_on: get(row, "joined_on")?,
                        left_on: get(row, "left_on")?,
                    },
                    name: get(row, "name")?,
                })
            })
            .collect()
    }

    pub(super) async fn list_opening_hours(
        &self,
        hotline: HotlineId,
    ) -> StoreResult<Vec<OpeningRow>> {
        let rows = sqlx::query(
            "SELECT CAST(weekday AS BIGINT) AS weekday, opens, closes \
             FROM hotline_opening_hours WHERE hotline_id = $1 ORDER BY weekday",
        )
        .bind(hotline.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                let time = |column: &str| -> StoreResult<chrono::NaiveTime> {
                    let text: String = get(row, column)?;
                    chrono::NaiveTime::parse_from_str(&text, "%H:%M")
                        .map_err(|e| corrupt("åbningstid", e))
                };
                let weekday: i64 = get(row, "weekday")?;
                Ok(OpeningRow {
                    weekday: u32::try_from(weekday).map_err(|e| corrupt("ugedag", e))?,
                    opens: time("opens")?,
                    closes: time("closes")?,
                })
            })
            .collect()
    }

    pub(super) async fn list_hotline_roles(
        &self,
        hotline: HotlineId,
    ) -> StoreResult<Vec<HotlineRoleRow>> {
        let rows = sqlx::query(
            "SELECT r.user_id, r.role, u.email, u.name FROM hotline_roles r \
             JOIN users u ON u.id = r.user_id WHERE r.hotline_id = $1 ORDER BY u.email, r.role",
        )
        .bind(hotline.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                let role: String = get(row, "role")?;
                Ok(HotlineRoleRow {
                    user: UserId(get(row, "user_id")?),
                    email: get(row, "email")?,
                    name: get(row, "name")?,
                    role: HotlineRole::parse(&role)
                        .ok_or_else(|| corrupt("hotline-rolle", &role))?,
                })
            })
            .collect()
    }

    pub(super) async fn list_user_hotlines(
        &self,
        user: UserId,
        day: NaiveDate,
    ) -> StoreResult<Vec<HotlineGrant>> {
        let roles = sqlx::query("SELECT hotline_id, role FROM hotline_roles WHERE user_id = $1")
            .bind(user.0)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        let mut grants = Vec::new();
        for row in &roles {
            let role: String = get(row, "role")?;
            grants.push(HotlineGrant {
                hotline: HotlineId(get(row, "hotline_id")?),
                access: HotlineAccess::Role(
                    HotlineRole::parse(&role).ok_or_else(|| corrupt("hotline-rolle", &role))?,
                ),
            });
        }
        let members = sqlx::query(
            "SELECT DISTINCT m.hotline_id, m.municipality_code FROM hotline_members m \
             JOIN user_roles r ON r.municipality_code = m.municipality_code \
             WHERE r.user_id = $1 AND r.role = 'coordinator' \
             AND m.joined_on <= $2 AND (m.left_on IS NULL OR m.left_on > $2)",
        )
        .bind(user.0)
        .bind(day)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        for row in &members {
            grants.push(HotlineGrant {
                hotline: HotlineId(get(row, "hotline_id")?),
                access: HotlineAccess::MemberCoordinator(municipality_from(get(
                    row,
                    "municipality_code",
                )?)?),
            });
        }
        Ok(grants)
    }

    pub(super) async fn list_hotline_prices(
        &self,
        hotline: HotlineId,
    ) -> StoreResult<Vec<HotlinePriceRow>> {
        let rows = sqlx::query(
            "SELECT id, hotline_id, valid_from, price_millikr, credit_ore_per_hour, note, set_by, \
             set_at FROM hotline_prices WHERE hotline_id = $1 ORDER BY valid_from",
        )
        .bind(hotline.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                Ok(HotlinePriceRow {
                    id: get(row, "id")?,
                    price: NewHotlinePrice {
                        hotline: HotlineId(get(row, "hotline_id")?),
                        valid_from: get(row, "valid_from")?,
                        price_millikr: get(row, "price_millikr")?,
                        credit_ore_per_hour: get(row, "credit_ore_per_hour")?,
                        note: get(row, "note")?,
                        set_by: get(row, "set_by")?,
                        set_at: get(row, "set_at")?,
                    },
                })
            })
            .collect()
    }

    pub(super) async fn list_shifts(
        &self,
        hotline: HotlineId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<ShiftRow>> {
        let rows = sqlx::query(
            "SELECT id, hotline_id, municipality_code, starts_at, ends_at, agents, note, set_by, \
             set_at FROM hotline_shifts WHERE hotline_id = $1 AND starts_at < $3 AND ends_at > $2 \
             ORDER BY starts_at, id",
        )
        .bind(hotline.0)
        .bind(from.timestamp())
        .bind(to.timestamp())
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                Ok(ShiftRow {
                    id: ShiftId(get(row, "id")?),
                    shift: NewShift {
                        hotline: HotlineId(get(row, "hotline_id")?),
                        municipality: municipality_from(get(row, "municipality_code")?)?,
                        starts_at: instant(get(row, "starts_at")?)?,
                        ends_at: instant(get(row, "ends_at")?)?,
                        agents: get(row, "agents")?,
                        note: get(row, "note")?,
                        set_by: get(row, "set_by")?,
                        set_at: get(row, "set_at")?,
                    },
                })
            })
            .collect()
    }

    pub(super) async fn list_statements(
        &self,
        hotline: HotlineId,
        municipality: Option<MunicipalityCode>,
    ) -> StoreResult<Vec<StatementRow>> {
        let rows = sqlx::query(
            "SELECT s.id, s.hotline_id, s.municipality_code, s.first_month, s.last_month, \
             s.amount_ore, s.body, s.corrects, s.reason, s.issued_by, s.issued_at, \
             (SELECT MIN(c.id) FROM hotline_statements c WHERE c.corrects = s.id) AS corrected_by \
             FROM hotline_statements s WHERE s.hotline_id = $1 \
             AND ($2 IS NULL OR s.municipality_code = $2) ORDER BY s.id DESC",
        )
        .bind(hotline.0)
        .bind(municipality.map(code_of))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(statement_row).collect()
    }

    pub(super) async fn store_calls(
        &self,
        batch: &NewCallBatch,
        calls: &[Call],
        audit: &NewAuditEntry,
    ) -> StoreResult<CallsStored> {
        let mut tx = begin_write(&self.writer).await.map_err(db_err)?;
        let same: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM hotline_call_batches WHERE hotline_id = $1 AND fingerprint = $2",
        )
        .bind(batch.hotline.0)
        .bind(&batch.fingerprint)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        if let Some(id) = same {
            return Ok(CallsStored::SameFile {
                batch: CallBatchId(id),
            });
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO hotline_call_batches (hotline_id, file_name, format, fingerprint, calls, \
             already_stored, loaded_by, loaded_at) VALUES ($1, $2, $3, $4, 0, 0, $5, $6) \
             RETURNING id",
        )
        .bind(batch.hotline.0)
        .bind(&batch.file_name)
        .bind(&batch.format)
        .bind(&batch.fingerprint)
        .bind(&batch.loaded_by)
        .bind(batch.loaded_at)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        let mut added = 0u64;
        for chunk in calls.chunks(INSERT_CHUNK.min(30_000 / CALL_COLUMNS)) {
            let mut insert = QueryBuilder::<Db>::new(
                "INSERT INTO hotline_calls (hotline_id, batch_id, call_id, queue, arrived_at, \
                 answered_at, ended_at, outcome, agent, transferred) ",
            );
            insert.push_values(chunk, |mut row, call| {
                row.push_bind(batch.hotline.0)
                    .push_bind(id)
                    .push_bind(&call.call_id)
                    .push_bind(&call.queue)
                    .push_bind(call.arrived_at.timestamp())
                    .push_bind(call.answered_at.map(|t| t.timestamp()))
                    .push_bind(call.ended_at.map(|t| t.timestamp()))
                    .push_bind(call.outcome.code())
                    .push_bind(call.agent.as_deref())
                    .push_bind(call.transferred);
            });
            // A call a rolling log repeats is stored once; one the earlier
            // file left without an end is completed by the file that ends it.
            insert.push(
                " ON CONFLICT (hotline_id, call_id, queue, arrived_at) DO UPDATE SET \
                 answered_at = excluded.answered_at, ended_at = excluded.ended_at, \
                 outcome = excluded.outcome, agent = excluded.agent, \
                 transferred = excluded.transferred, batch_id = excluded.batch_id \
                 WHERE hotline_calls.ended_at IS NULL AND excluded.ended_at IS NOT NULL",
            );
            let done = insert.build().execute(&mut *tx).await.map_err(db_err)?;
            added += done.rows_affected();
        }
        let already = calls.len() as u64 - added.min(calls.len() as u64);
        sqlx::query(
            "UPDATE hotline_call_batches SET calls = $1, already_stored = $2 WHERE id = $3",
        )
        .bind(added as i64)
        .bind(already as i64)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        let entity_id = if audit.entity_id.is_empty() {
            format!("{}/opkald/{id}", batch.hotline.0)
        } else {
            audit.entity_id.clone()
        };
        sqlx::query(
            "INSERT INTO audit_log (municipality_code, actor, action, entity, entity_id, \
             before_json, after_json, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(audit.municipality.map(code_of))
        .bind(&audit.actor)
        .bind(&audit.action)
        .bind(&audit.entity)
        .bind(entity_id)
        .bind(audit.before_json.as_deref())
        .bind(audit.after_json.as_deref())
        .bind(batch.loaded_at)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(CallsStored::Stored {
            batch: CallBatchId(id),
            added,
            already_stored: already,
        })
    }

    pub(super) async fn list_call_batches(
        &self,
        hotline: HotlineId,
    ) -> StoreResult<Vec<CallBatchRow>> {
        let rows = sqlx::query(
            "SELECT id, hotline_id, file_name, format, fingerprint, calls, already_stored, \
             loaded_by, loaded_at FROM hotline_call_batches WHERE hotline_id = $1 ORDER BY id DESC",
        )
        .bind(hotline.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                Ok(CallBatchRow {
                    id: CallBatchId(get(row, "id")?),
                    batch: NewCallBatch {
                        hotline: HotlineId(get(row, "hotline_id")?),
                        file_name: get(row, "file_name")?,
                        format: get(row, "format")?,
                        fingerprint: get(row, "fingerprint")?,
                        loaded_by: get(row, "loaded_by")?,
                        loaded_at: get(row, "loaded_at")?,
                    },
                    calls: get(row, "calls")?,
                    already_stored: get(row, "already_stored")?,
                })
            })
            .collect()
    }

    pub(super) async fn list_calls(
        &self,
        hotline: HotlineId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Call>> {
        let rows = sqlx::query(
            "SELECT call_id, queue, arrived_at, answered_at, ended_at, outcome, agent, transferred \
             FROM hotline_calls WHERE hotline_id = $1 AND arrived_at >= $2 AND arrived_at < $3 \
             ORDER BY arrived_at, id",
        )
        .bind(hotline.0)
        .bind(from.timestamp())
        .bind(to.timestamp())
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(call_from).collect()
    }

    pub(super) async fn list_hotline_audit(
        &self,
        hotline: HotlineId,
        limit: i64,
    ) -> StoreResult<Vec<AuditRow>> {
        let rows = sqlx::query(
            "SELECT municipality_code, actor, action, entity, entity_id, before_json, after_json, \
             at FROM audit_log WHERE entity LIKE 'hotline%' \
             AND (entity_id = $1 OR entity_id LIKE $2) ORDER BY id DESC LIMIT $3",
        )
        .bind(hotline.0.to_string())
        .bind(format!("{}/%", hotline.0))
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(audit_row).collect()
    }

    pub(super) async fn hotline_of_unit(&self, unit: UnitId) -> StoreResult<Option<HotlineId>> {
        let id: Option<i64> =
            sqlx::query_scalar("SELECT hotline_id FROM hotline_units WHERE unit_id = $1")
                .bind(unit.0)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?;
        Ok(id.map(HotlineId))
    }

    pub(super) async fn list_hotline_units(
        &self,
        hotline: HotlineId,
    ) -> StoreResult<Vec<HotlineUnitRow>> {
        let rows = sqlx::query(
            "SELECT h.hotline_id, h.unit_id, u.municipality_code, m.name AS municipality_name, \
             u.name, u.login, u.active, h.added_at FROM hotline_units h \
             JOIN units u ON u.id = h.unit_id \
             JOIN municipalities m ON m.code = u.municipality_code \
             WHERE h.hotline_id = $1 ORDER BY m.name, u.name",
        )
        .bind(hotline.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                Ok(HotlineUnitRow {
                    hotline: HotlineId(get(row, "hotline_id")?),
                    unit: UnitId(get(row, "unit_id")?),
                    municipality: municipality_from(get(row, "municipality_code")?)?,
                    municipality_name: get(row, "municipality_name")?,
                    name: get(row, "name")?,
                    login: get(row, "login")?,
                    active: get(row, "active")?,
                    added_at: get(row, "added_at")?,
                })
            })
            .collect()
    }

    pub(super) async fn insert_hotline_registration(
        &self,
        registration: &NewRegistration,
        link: &HotlineRegistration,
    ) -> StoreResult<Inserted> {
        registration
            .validate()
            .map_err(|e| StoreError::invalid(e.to_string()))?;
        // What the link means: a call counted in the caller's municipality.
        if registration.source != Source::Hotline || registration.unit.is_some() {
            return Err(StoreError::invalid(
                "et hotlineopkald har datakilden hotline og ingen enhed",
            ));
        }
        let mut tx = begin_write(&self.writer).await.map_err(db_err)?;
        let created = registrations::insert_one(&mut tx, registration, None, Utc::now()).await?;
        if let Some(id) = created {
            sqlx::query(
                "INSERT INTO hotline_registrations (registration_id, hotline_id, unit_id, \
                 outcome, day) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id.0)
            .bind(link.hotline.0)
            .bind(link.unit.0)
            .bind(link.outcome.code())
            .bind(registration.dimensions().day)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
        let inserted = registrations::inserted(&mut *tx, registration, created).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(inserted)
    }

    pub(super) async fn list_hotline_registrations(
        &self,
        filter: &HotlineRegistrationFilter,
    ) -> StoreResult<Vec<HotlineRegistrationRow>> {
        let mut b: QueryBuilder<Db> = QueryBuilder::new(format!(
            "SELECT {REGISTRATION_COLUMNS}, link_hotline, link_unit, outcome FROM registrations \
             JOIN (SELECT registration_id, hotline_id AS link_hotline, unit_id AS link_unit, \
             outcome FROM hotline_registrations WHERE day >= "
        ));
        b.push_bind(filter.from)
            .push(" AND day <= ")
            .push_bind(filter.to);
        if let Some(hotline) = filter.hotline {
            b.push(" AND hotline_id = ").push_bind(hotline.0);
        }
        if let Some(unit) = filter.unit {
            b.push(" AND unit_id = ").push_bind(unit.0);
        }
        b.push(") link ON link.registration_id = registrations.id");
        if !filter.include_test {
            b.push(" WHERE NOT is_test");
        }
        b.push(" ORDER BY registered_at DESC, id DESC");
        if let Some(limit) = filter.limit {
            b.push(" LIMIT ").push_bind(i64::from(limit));
        }
        let rows = b.build().fetch_all(&self.pool).await.map_err(db_err)?;
        rows.iter().map(hotline_registration_row).collect()
    }

    pub(super) async fn get_hotline_registration(
        &self,
        registration: RegistrationId,
    ) -> StoreResult<Option<HotlineRegistrationRow>> {
        let row = sqlx::query(&format!(
            "SELECT {REGISTRATION_COLUMNS}, link_hotline, link_unit, outcome FROM registrations \
             JOIN (SELECT registration_id, hotline_id AS link_hotline, unit_id AS link_unit, \
             outcome FROM hotline_registrations WHERE registration_id = $1) link \
             ON link.registration_id = registrations.id"
        ))
        .bind(registration.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.as_ref().map(hotline_registration_row).transpose()
    }
}
