//! Checks of the joint hotline: its set-up (line, queues, members, opening
//! hours, its own roles and price rules) with the audit trail it leaves,
//! statements that never change, imported calls stored once, and the
//! roster listed by overlap; the units that answer a line and the calls
//! they register (stored once, in the caller's municipality, with a link to
//! the line). A second line shows that nothing of one line is listed for
//! another.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use komhen_domain::hotline::{Call, CallOutcome, HotlineOutcome, MemberKind};
use komhen_domain::*;
use komhen_store::*;

use crate::fixtures::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
}

/// A Danish local time as an instant.
fn local(d: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    danish_instant(d, h, m).unwrap()
}

fn settings(name: &str) -> HotlineSettings {
    HotlineSettings {
        name: name.into(),
        agents_at_a_time: 2,
        shift_minutes: 180,
        service_seconds: 30,
        service_percent: 80,
        short_abandon_seconds: 5,
        discount_percent: 50,
        discount_months: 12,
    }
}

fn hotline_audit(entity: &str, entity_id: String, action: &str) -> NewAuditEntry {
    NewAuditEntry {
        municipality: None,
        actor: "admin@hotline.dk".into(),
        action: action.into(),
        entity: entity.into(),
        entity_id,
        before_json: None,
        after_json: None,
    }
}

/// Applies a change of a line with an audit entry of the line's (entity
/// `hotline*`, entity id `{hotline}` or `{hotline}/...`), and notes its
/// action as the line's newest audit entry.
async fn logged(
    store: &dyn Store,
    log: &mut Vec<String>,
    change: SetupChange,
    entity: &str,
    entity_id: String,
    action: &str,
) -> Applied {
    let applied = store
        .apply(&change, &hotline_audit(entity, entity_id, action))
        .await
        .unwrap_or_else(|e| panic!("{action}: {e:?}"));
    log.push(action.to_owned());
    applied
}

/// Applies a change that must be refused; returns the error.
async fn refused(store: &dyn Store, change: SetupChange) -> StoreError {
    let audit = hotline_audit("hotline", "0/refused".into(), "refused");
    match store.apply(&change, &audit).await {
        Ok(applied) => panic!("{change:?} was applied: {applied:?}"),
        Err(e) => e,
    }
}

/// A new line with the suite's settings.
async fn create_line(
    store: &dyn Store,
    log: &mut Vec<String>,
    name: &str,
    now: DateTime<Utc>,
) -> HotlineId {
    let applied = logged(
        store,
        log,
        SetupChange::CreateHotline {
            settings: settings(name),
            now,
        },
        "hotline",
        String::new(),
        "create",
    )
    .await;
    HotlineId(applied.created().unwrap())
}

fn member(
    municipality: u16,
    kind: MemberKind,
    joined_on: NaiveDate,
    left_on: Option<NaiveDate>,
) -> HotlineMember {
    HotlineMember {
        municipality: code(municipality),
        kind,
        joined_on,
        left_on,
    }
}

async fn add_member(
    store: &dyn Store,
    log: &mut Vec<String>,
    hotline: HotlineId,
    member: HotlineMember,
) -> i64 {
    let entity_id = format!("{hotline}/medlem/{}", member.municipality);
    logged(
        store,
        log,
        SetupChange::AddHotlineMember { hotline, member },
        "hotline_member",
        entity_id,
        "add_member",
    )
    .await
    .created()
    .unwrap()
}

async fn user(store: &dyn Store, email: &str, role: Option<(Role, u16, Option<UnitId>)>) -> UserId {
    let id = store
        .create_user(&NewUser {
            email: email.into(),
            name: email.split('@').next().unwrap().into(),
            password_hash: None,
        })
        .await
        .unwrap();
    if let Some((role, municipality, unit)) = role {
        store
            .grant_role(&NewRoleGrant {
                user: id,
                role,
                municipality: Some(code(municipality)),
                unit,
            })
            .await
            .unwrap();
    }
    id
}

/// Grants as comparable text: the store promises no order.
fn grant_set(grants: Vec<HotlineGrant>) -> Vec<String> {
    let mut out: Vec<String> = grants.iter().map(|g| format!("{g:?}")).collect();
    out.sort();
    out
}

fn role_grant(hotline: HotlineId, role: HotlineRole) -> HotlineGrant {
    HotlineGrant {
        hotline,
        access: HotlineAccess::Role(role),
    }
}

fn member_grant(hotline: HotlineId, municipality: u16) -> HotlineGrant {
    HotlineGrant {
        hotline,
        access: HotlineAccess::MemberCoordinator(code(municipality)),
    }
}

fn opening(weekday: u32, opens: (u32, u32), closes: (u32, u32)) -> OpeningRow {
    OpeningRow {
        weekday,
        opens: NaiveTime::from_hms_opt(opens.0, opens.1, 0).unwrap(),
        closes: NaiveTime::from_hms_opt(closes.0, closes.1, 0).unwrap(),
    }
}

/// The actions of the line's audit entries, newest first.
async fn audit_actions(store: &dyn Store, hotline: HotlineId) -> Vec<String> {
    store
        .list_hotline_audit(hotline, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.entry.action)
        .collect()
}

fn newest_first(log: &[String]) -> Vec<String> {
    log.iter().rev().cloned().collect()
}

pub async fn hotlines_are_set_up_with_members_hours_roles_and_prices(store: &dyn Store) {
    with_reference(store).await;
    let (mut log, mut other_log) = (Vec::new(), Vec::new());
    let created_at = at(2026, 1, 5, 9, 0, 0);
    let line = create_line(store, &mut log, "Fælles hotline", created_at).await;
    let other = create_line(store, &mut other_log, "Anden hotline", created_at).await;
    assert_ne!(line, other);
    assert!(matches!(
        refused(
            store,
            SetupChange::CreateHotline {
                settings: settings("Fælles hotline"),
                now: created_at,
            }
        )
        .await,
        StoreError::Conflict(_)
    ));
    assert_eq!(
        store.get_hotline(line).await.unwrap(),
        Some(HotlineRow {
            id: line,
            settings: settings("Fælles hotline"),
            created_at,
            queues: vec![],
        })
    );
    assert_eq!(
        store
            .get_hotline(HotlineId(line.0 + other.0 + 100))
            .await
            .unwrap(),
        None
    );

    // --- settings and queues
    let updated = HotlineSettings {
        agents_at_a_time: 3,
        shift_minutes: 240,
        service_seconds: 60,
        service_percent: 85,
        short_abandon_seconds: 10,
        discount_percent: 25,
        discount_months: 6,
        ..settings("Fælles hotline")
    };
    logged(
        store,
        &mut log,
        SetupChange::UpdateHotline {
            hotline: line,
            settings: updated.clone(),
        },
        "hotline",
        line.to_string(),
        "update",
    )
    .await;
    assert!(matches!(
        refused(
            store,
            SetupChange::UpdateHotline {
                hotline: line,
                settings: settings("Anden hotline"),
            }
        )
        .await,
        StoreError::Conflict(_)
    ));
    assert!(matches!(
        refused(
            store,
            SetupChange::UpdateHotline {
                hotline: HotlineId(line.0 + other.0 + 100),
                settings: settings("Ingen hotline"),
            }
        )
        .await,
        StoreError::NotFound(_)
    ));
    let set_queues = |hotline: HotlineId, queues: &[&str]| SetupChange::SetHotlineQueues {
        hotline,
        queues: queues.iter().map(|q| q.to_string()).collect(),
    };
    logged(
        store,
        &mut log,
        set_queues(line, &["hotline", "borgerservice", "hotline"]),
        "hotline",
        format!("{line}/koeer"),
        "set_queues",
    )
    .await;
    assert_eq!(
        store.get_hotline(line).await.unwrap().unwrap().queues,
        vec!["borgerservice", "hotline"]
    );
    logged(
        store,
        &mut log,
        set_queues(line, &["sundhed", "hotline"]),
        "hotline",
        format!("{line}/koeer"),
        "set_queues_again",
    )
    .await;
    logged(
        store,
        &mut other_log,
        set_queues(other, &["anden"]),
        "hotline",
        format!("{other}/koeer"),
        "set_queues",
    )
    .await;
    assert_eq!(
        store.list_hotlines().await.unwrap(),
        vec![
            HotlineRow {
                id: other,
                settings: settings("Anden hotline"),
                created_at,
                queues: vec!["anden".into()],
            },
            HotlineRow {
                id: line,
                settings: updated.clone(),
                created_at,
                queues: vec!["hotline".into(), "sundhed".into()],
            },
        ],
        "by name, each with its own queues, sorted"
    );

    // --- members
    use MemberKind::{PaysOnly, StaffsAndPays};
    let koege_first = add_member(
        store,
        &mut log,
        line,
        member(KOEGE, StaffsAndPays, day(2026, 1, 1), None),
    )
    .await;
    logged(
        store,
        &mut log,
        SetupChange::EndHotlineMembership {
            hotline: line,
            municipality: code(KOEGE),
            left_on: day(2026, 4, 1),
        },
        "hotline_member",
        format!("{line}/medlem/{KOEGE}"),
        "end_member",
    )
    .await;
    // The day it left, it may join again (the leave date is its first day out).
    let koege_again = add_member(
        store,
        &mut log,
        line,
        member(KOEGE, PaysOnly, day(2026, 4, 1), None),
    )
    .await;
    let kbh = add_member(
        store,
        &mut log,
        line,
        member(KOEBENHAVN, PaysOnly, day(2026, 2, 1), Some(day(2026, 9, 1))),
    )
    .await;
    let kbh_before = add_member(
        store,
        &mut log,
        line,
        member(KOEBENHAVN, PaysOnly, day(2025, 1, 1), Some(day(2026, 2, 1))),
    )
    .await;
    add_member(
        store,
        &mut other_log,
        other,
        member(AARHUS, StaffsAndPays, day(2026, 1, 1), None),
    )
    .await;
    for overlapping in [
        member(KOEGE, StaffsAndPays, day(2026, 6, 1), None),
        member(KOEGE, StaffsAndPays, day(2025, 1, 1), Some(day(2026, 4, 2))),
        member(
            KOEBENHAVN,
            StaffsAndPays,
            day(2026, 8, 1),
            Some(day(2026, 10, 1)),
        ),
        member(KOEBENHAVN, PaysOnly, day(2024, 6, 1), Some(day(2025, 1, 2))),
        member(KOEBENHAVN, PaysOnly, day(2024, 6, 1), None),
    ] {
        let e = refused(
            store,
            SetupChange::AddHotlineMember {
                hotline: line,
                member: overlapping.clone(),
            },
        )
        .await;
        assert!(
            matches!(e, StoreError::Conflict(_)),
            "{overlapping:?} overlaps: {e:?}"
        );
    }
    assert!(matches!(
        refused(
            store,
            SetupChange::AddHotlineMember {
                hotline: HotlineId(line.0 + other.0 + 100),
                member: member(AARHUS, PaysOnly, day(2026, 1, 1), None),
            }
        )
        .await,
        StoreError::NotFound(_)
    ));
    for (municipality, left_on) in [
        // København's memberships both have a leave date.
        (KOEBENHAVN, day(2026, 12, 1)),
        // Køge's open membership began on this day, not before it.
        (KOEGE, day(2026, 4, 1)),
        // Aarhus is a member of the other line only.
        (AARHUS, day(2026, 12, 1)),
    ] {
        assert!(matches!(
            refused(
                store,
                SetupChange::EndHotlineMembership {
                    hotline: line,
                    municipality: code(municipality),
                    left_on,
                }
            )
            .await,
            StoreError::NotFound(_)
        ));
    }
    let row = |id: i64, member: HotlineMember, name: &str| HotlineMemberRow {
        id,
        hotline: line,
        member,
        name: name.into(),
    };
    assert_eq!(
        store.list_hotline_members(line).await.unwrap(),
        vec![
            row(
                kbh_before,
                member(KOEBENHAVN, PaysOnly, day(2025, 1, 1), Some(day(2026, 2, 1))),
                "København"
            ),
            row(
                kbh,
                member(KOEBENHAVN, PaysOnly, day(2026, 2, 1), Some(day(2026, 9, 1))),
                "København"
            ),
            row(
                koege_first,
                member(KOEGE, StaffsAndPays, day(2026, 1, 1), Some(day(2026, 4, 1))),
                "Køge"
            ),
            row(
                koege_again,
                member(KOEGE, PaysOnly, day(2026, 4, 1), None),
                "Køge"
            ),
        ],
        "by municipality name and join date"
    );
    let others = store.list_hotline_members(other).await.unwrap();
    assert_eq!(others.len(), 1);
    assert_eq!(others[0].hotline, other);
    assert_eq!(others[0].member.municipality, code(AARHUS));

    // --- opening hours
    logged(
        store,
        &mut log,
        SetupChange::SetOpeningHours {
            hotline: line,
            days: vec![
                opening(5, (8, 0), (13, 0)),
                opening(1, (8, 0), (15, 0)),
                opening(4, (8, 30), (17, 30)),
            ],
        },
        "hotline",
        format!("{line}/aabningstid"),
        "set_opening_hours",
    )
    .await;
    let week = vec![
        opening(1, (8, 0), (15, 0)),
        opening(4, (8, 30), (17, 30)),
        opening(5, (8, 0), (13, 0)),
    ];
    assert_eq!(store.list_opening_hours(line).await.unwrap(), week);
    assert!(matches!(
        refused(
            store,
            SetupChange::SetOpeningHours {
                hotline: line,
                days: vec![opening(2, (8, 0), (12, 0)), opening(2, (13, 0), (15, 0))],
            }
        )
        .await,
        StoreError::Conflict(_)
    ));
    assert_eq!(
        store.list_opening_hours(line).await.unwrap(),
        week,
        "a refused change leaves the hours as they were"
    );
    assert!(store.list_opening_hours(other).await.unwrap().is_empty());
    logged(
        store,
        &mut log,
        SetupChange::SetOpeningHours {
            hotline: line,
            days: vec![opening(3, (9, 30), (12, 0)), opening(7, (10, 0), (14, 0))],
        },
        "hotline",
        format!("{line}/aabningstid"),
        "set_opening_hours_again",
    )
    .await;
    assert_eq!(
        store.list_opening_hours(line).await.unwrap(),
        vec![opening(3, (9, 30), (12, 0)), opening(7, (10, 0), (14, 0))],
        "the days are replaced, not added to"
    );

    // --- roles
    let admin = user(store, "admin@hotline.dk", None).await;
    let reader = user(store, "laeser@hotline.dk", None).await;
    let koege_coordinator = user(
        store,
        "tov@koege.dk",
        Some((Role::Coordinator, KOEGE, None)),
    )
    .await;
    let kbh_coordinator = user(
        store,
        "tov@kbh.dk",
        Some((Role::Coordinator, KOEBENHAVN, None)),
    )
    .await;
    let aarhus_coordinator = user(
        store,
        "tov@aarhus.dk",
        Some((Role::Coordinator, AARHUS, None)),
    )
    .await;
    let koege_unit = unit_in(store, KOEGE, "259bs").await;
    let koege_lead = user(
        store,
        "leder@koege.dk",
        Some((Role::UnitLead, KOEGE, Some(koege_unit))),
    )
    .await;
    let grant =
        |hotline: HotlineId, user: UserId, role: HotlineRole| SetupChange::GrantHotlineRole {
            hotline,
            user,
            role,
        };
    let revoke =
        |hotline: HotlineId, user: UserId, role: HotlineRole| SetupChange::RevokeHotlineRole {
            hotline,
            user,
            role,
        };
    for (user, role) in [
        (admin, HotlineRole::Admin),
        (admin, HotlineRole::Admin), // twice: still one role
        (reader, HotlineRole::Reader),
        (reader, HotlineRole::Admin),
        (koege_coordinator, HotlineRole::Reader),
    ] {
        logged(
            store,
            &mut log,
            grant(line, user, role),
            "hotline_role",
            format!("{line}/rolle/{user}"),
            "grant_role",
        )
        .await;
    }
    logged(
        store,
        &mut other_log,
        grant(other, admin, HotlineRole::Reader),
        "hotline_role",
        format!("{other}/rolle/{admin}"),
        "grant_role",
    )
    .await;
    assert!(matches!(
        refused(
            store,
            grant(HotlineId(line.0 + other.0 + 100), admin, HotlineRole::Admin)
        )
        .await,
        StoreError::NotFound(_)
    ));
    let role_row = |user: UserId, email: &str, role: HotlineRole| HotlineRoleRow {
        user,
        email: email.into(),
        name: email.split('@').next().unwrap().into(),
        role,
    };
    assert_eq!(
        store.list_hotline_roles(line).await.unwrap(),
        vec![
            role_row(admin, "admin@hotline.dk", HotlineRole::Admin),
            role_row(reader, "laeser@hotline.dk", HotlineRole::Admin),
            role_row(reader, "laeser@hotline.dk", HotlineRole::Reader),
            role_row(koege_coordinator, "tov@koege.dk", HotlineRole::Reader),
        ]
    );
    logged(
        store,
        &mut log,
        revoke(line, reader, HotlineRole::Admin),
        "hotline_role",
        format!("{line}/rolle/{reader}"),
        "revoke_role",
    )
    .await;
    for change in [
        revoke(line, reader, HotlineRole::Admin),
        revoke(other, reader, HotlineRole::Reader),
        revoke(other, admin, HotlineRole::Admin),
    ] {
        assert!(matches!(
            refused(store, change).await,
            StoreError::NotFound(_)
        ));
    }
    assert_eq!(
        store.list_hotline_roles(line).await.unwrap(),
        vec![
            role_row(admin, "admin@hotline.dk", HotlineRole::Admin),
            role_row(reader, "laeser@hotline.dk", HotlineRole::Reader),
            role_row(koege_coordinator, "tov@koege.dk", HotlineRole::Reader),
        ]
    );
    assert_eq!(
        store.list_hotline_roles(other).await.unwrap(),
        vec![role_row(admin, "admin@hotline.dk", HotlineRole::Reader)]
    );

    // --- how users reach the lines
    let reach = |user: UserId, on: NaiveDate| async move {
        grant_set(store.list_user_hotlines(user, on).await.unwrap())
    };
    let spring = day(2026, 3, 1);
    assert_eq!(
        reach(admin, spring).await,
        grant_set(vec![
            role_grant(line, HotlineRole::Admin),
            role_grant(other, HotlineRole::Reader),
        ])
    );
    assert_eq!(
        reach(reader, spring).await,
        grant_set(vec![role_grant(line, HotlineRole::Reader)])
    );
    // Køge's coordinator: a reader of the line on any day, and its member's
    // coordinator while Køge is a member (both memberships, one grant).
    assert_eq!(
        reach(koege_coordinator, day(2025, 12, 31)).await,
        grant_set(vec![role_grant(line, HotlineRole::Reader)])
    );
    for on in [
        day(2026, 1, 1),
        day(2026, 3, 31),
        day(2026, 4, 1),
        day(2030, 1, 1),
    ] {
        assert_eq!(
            reach(koege_coordinator, on).await,
            grant_set(vec![
                role_grant(line, HotlineRole::Reader),
                member_grant(line, KOEGE),
            ]),
            "Køge is a member on {on}"
        );
    }
    for on in [
        day(2025, 1, 1),
        day(2026, 1, 31),
        day(2026, 2, 1),
        day(2026, 8, 31),
    ] {
        assert_eq!(
            reach(kbh_coordinator, on).await,
            grant_set(vec![member_grant(line, KOEBENHAVN)]),
            "København is a member on {on}"
        );
    }
    for on in [day(2024, 12, 31), day(2026, 9, 1), day(2027, 1, 1)] {
        assert_eq!(
            reach(kbh_coordinator, on).await,
            grant_set(vec![]),
            "København is no member on {on}"
        );
    }
    assert_eq!(
        reach(aarhus_coordinator, spring).await,
        grant_set(vec![member_grant(other, AARHUS)]),
        "Aarhus is a member of the other line only"
    );
    assert_eq!(
        reach(koege_lead, spring).await,
        grant_set(vec![]),
        "only a coordinator reads the line through the membership"
    );

    // --- price rules
    let price = |hotline: HotlineId,
                 valid_from: NaiveDate,
                 price_millikr: i64,
                 credit_ore_per_hour: i64,
                 note: &str,
                 set_at: DateTime<Utc>| NewHotlinePrice {
        hotline,
        valid_from,
        price_millikr,
        credit_ore_per_hour,
        note: note.into(),
        set_by: "admin@hotline.dk".into(),
        set_at,
    };
    let first_set = at(2026, 1, 10, 12, 0, 0);
    let january = price(line, day(2026, 1, 1), 210, 27_200, "Start", first_set);
    let july = price(line, day(2026, 7, 1), 230, 27_200, "Regulering", first_set);
    let july_again = price(
        line,
        day(2026, 7, 1),
        240,
        28_000,
        "Rettet regulering",
        at(2026, 2, 1, 8, 0, 0),
    );
    let mut price_ids = vec![];
    for (p, action) in [
        (&july, "set_price_july"),
        (&january, "set_price_january"),
        (&july_again, "set_price_july_again"),
    ] {
        let id = logged(
            store,
            &mut log,
            SetupChange::SetHotlinePrice(p.clone()),
            "hotline_price",
            format!("{line}/pris/{}", p.valid_from),
            action,
        )
        .await
        .created()
        .unwrap();
        price_ids.push(id);
    }
    assert_eq!(
        price_ids[0], price_ids[2],
        "a price of the same date replaces the one kept, under its id"
    );
    let other_price = price(other, day(2026, 1, 1), 300, 30_000, "Anden", first_set);
    let other_price_id = logged(
        store,
        &mut other_log,
        SetupChange::SetHotlinePrice(other_price.clone()),
        "hotline_price",
        format!("{other}/pris/2026-01-01"),
        "set_price",
    )
    .await
    .created()
    .unwrap();
    assert!(matches!(
        refused(
            store,
            SetupChange::SetHotlinePrice(price(
                HotlineId(line.0 + other.0 + 100),
                day(2026, 1, 1),
                1,
                1,
                "",
                first_set
            ))
        )
        .await,
        StoreError::NotFound(_)
    ));
    assert_eq!(
        store.list_hotline_prices(line).await.unwrap(),
        vec![
            HotlinePriceRow {
                id: price_ids[1],
                price: january.clone(),
            },
            HotlinePriceRow {
                id: price_ids[0],
                price: july_again.clone(),
            },
        ],
        "by date, the replaced rule as set the second time"
    );
    assert!(matches!(
        refused(
            store,
            SetupChange::RemoveHotlinePrice {
                hotline: other,
                price: price_ids[1],
            }
        )
        .await,
        StoreError::NotFound(_)
    ));
    logged(
        store,
        &mut log,
        SetupChange::RemoveHotlinePrice {
            hotline: line,
            price: price_ids[1],
        },
        "hotline_price",
        format!("{line}/pris/2026-01-01"),
        "remove_price",
    )
    .await;
    assert!(matches!(
        refused(
            store,
            SetupChange::RemoveHotlinePrice {
                hotline: line,
                price: price_ids[1],
            }
        )
        .await,
        StoreError::NotFound(_)
    ));
    assert_eq!(
        store.list_hotline_prices(line).await.unwrap(),
        vec![HotlinePriceRow {
            id: price_ids[0],
            price: july_again,
        }]
    );
    assert_eq!(
        store.list_hotline_prices(other).await.unwrap(),
        vec![HotlinePriceRow {
            id: other_price_id,
            price: other_price,
        }]
    );

    // --- the audit trail: every change that was made, newest first, and
    // nothing of another line or another entity.
    store
        .append_audit(&NewAuditEntry {
            entity: "unit".into(),
            ..hotline_audit("", line.to_string(), "not_a_hotline_entity")
        })
        .await
        .unwrap();
    store
        .append_audit(&hotline_audit(
            "hotline",
            format!("{line}0/koeer"),
            "another_hotline_id",
        ))
        .await
        .unwrap();
    store
        .append_audit(&hotline_audit(
            "hotline",
            format!("{line}0"),
            "another_hotline_id",
        ))
        .await
        .unwrap();
    assert_eq!(audit_actions(store, line).await, newest_first(&log));
    assert_eq!(audit_actions(store, other).await, newest_first(&other_log));
    let audit = store.list_hotline_audit(line, 1000).await.unwrap();
    assert_eq!(
        audit.last().unwrap().entry.entity_id,
        line.to_string(),
        "the creation is written under the new line's id"
    );
    assert_eq!(audit.last().unwrap().entry.entity, "hotline");
    assert_eq!(audit[0].entry.entity_id, format!("{line}/pris/2026-01-01"));
    assert_eq!(
        store
            .list_hotline_audit(line, 3)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.entry.action)
            .collect::<Vec<_>>(),
        newest_first(&log)[..3].to_vec(),
        "the limit keeps the newest"
    );
}

async fn issue(store: &dyn Store, statement: &NewStatement) -> StoreResult<StatementId> {
    let applied = store
        .apply(
            &SetupChange::IssueStatement(statement.clone()),
            &hotline_audit(
                "hotline_statement",
                format!("{}/opgoerelse", statement.hotline),
                "issue_statement",
            ),
        )
        .await?;
    Ok(StatementId(applied.created()?))
}

pub async fn hotline_statements_never_change_and_corrections_are_new(store: &dyn Store) {
    with_reference(store).await;
    let mut log = Vec::new();
    let now = at(2026, 1, 5, 9, 0, 0);
    let line = create_line(store, &mut log, "Fælles hotline", now).await;
    let other = create_line(store, &mut log, "Anden hotline", now).await;
    let statement = |hotline: HotlineId,
                     municipality: u16,
                     amount_ore: i64,
                     corrects: Option<StatementId>,
                     reason: &str,
                     issued_at: DateTime<Utc>| NewStatement {
        hotline,
        municipality: code(municipality),
        first_month: day(2026, 1, 1),
        last_month: day(2026, 3, 1),
        amount_ore,
        body: format!(r#"{{"kommune":{municipality},"beloeb_oere":{amount_ore},"linjer":[]}}"#),
        corrects,
        reason: reason.into(),
        issued_by: "admin@hotline.dk".into(),
        issued_at,
    };
    let first_at = at(2026, 4, 2, 10, 0, 0);
    let first = statement(line, KOEGE, 123_456, None, "1. kvartal", first_at);
    let first_id = issue(store, &first).await.unwrap();
    let kbh = statement(line, KOEBENHAVN, -5_000, None, "1. kvartal", first_at);
    let kbh_id = issue(store, &kbh).await.unwrap();
    let elsewhere = statement(other, KOEGE, 99, None, "1. kvartal", first_at);
    let elsewhere_id = issue(store, &elsewhere).await.unwrap();
    let correction = statement(
        line,
        KOEGE,
        120_000,
        Some(first_id),
        "Rettet indbyggertal",
        at(2026, 4, 9, 13, 30, 0),
    );
    let correction_id = issue(store, &correction).await.unwrap();
    // A correction names a statement of the same line and member.
    for wrong in [
        statement(
            line,
            KOEBENHAVN,
            1,
            Some(first_id),
            "Forkert kommune",
            first_at,
        ),
        statement(line, KOEGE, 1, Some(elsewhere_id), "Anden linje", first_at),
        statement(other, KOEGE, 1, Some(first_id), "Anden linje", first_at),
        statement(
            line,
            KOEGE,
            1,
            Some(StatementId(correction_id.0 + 1000)),
            "Findes ikke",
            first_at,
        ),
    ] {
        assert!(
            matches!(issue(store, &wrong).await, Err(StoreError::NotFound(_))),
            "{wrong:?}"
        );
    }
    let row = |id: StatementId, statement: &NewStatement, corrected_by: Option<StatementId>| {
        StatementRow {
            id,
            statement: statement.clone(),
            corrected_by,
        }
    };
    assert_eq!(
        store.list_statements(line, None).await.unwrap(),
        vec![
            row(correction_id, &correction, None),
            row(kbh_id, &kbh, None),
            row(first_id, &first, Some(correction_id)),
        ],
        "newest first; the corrected statement is as issued, naming its correction"
    );

    // A correction of the correction: each names its own.
    let second = statement(
        line,
        KOEGE,
        121_000,
        Some(correction_id),
        "Rettet igen",
        at(2026, 4, 10, 8, 0, 0),
    );
    let second_id = issue(store, &second).await.unwrap();
    assert_eq!(
        store
            .list_statements(line, Some(code(KOEGE)))
            .await
            .unwrap(),
        vec![
            row(second_id, &second, None),
            row(correction_id, &correction, Some(second_id)),
            row(first_id, &first, Some(correction_id)),
        ],
        "only Køge's"
    );
    assert_eq!(
        store
            .list_statements(line, Some(code(KOEBENHAVN)))
            .await
            .unwrap(),
        vec![row(kbh_id, &kbh, None)],
        "only København's"
    );
    assert!(store
        .list_statements(line, Some(code(AARHUS)))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store.list_statements(other, None).await.unwrap(),
        vec![row(elsewhere_id, &elsewhere, None)],
        "another line's statements are its own"
    );
    assert_eq!(
        store
            .list_statements(other, Some(code(KOEGE)))
            .await
            .unwrap(),
        vec![row(elsewhere_id, &elsewhere, None)]
    );
    // Every statement issued is in the line's audit trail.
    assert_eq!(
        audit_actions(store, line).await,
        vec![
            "issue_statement",
            "issue_statement",
            "issue_statement",
            "issue_statement",
            "create"
        ]
    );
    // That the database itself refuses an UPDATE or DELETE of an issued
    // statement (its triggers) is not checked here: the suite reaches the
    // database only through the Store trait, which has no raw SQL.
}

fn secs(t0: DateTime<Utc>, seconds: i64) -> DateTime<Utc> {
    t0 + Duration::seconds(seconds)
}

/// A call arriving `arrived` seconds after `t0`, answered and ended so
/// many seconds after it.
fn call(
    t0: DateTime<Utc>,
    id: &str,
    queue: &str,
    arrived: i64,
    answered: Option<i64>,
    ended: Option<i64>,
    outcome: CallOutcome,
) -> Call {
    Call {
        call_id: id.into(),
        queue: queue.into(),
        arrived_at: secs(t0, arrived),
        answered_at: answered.map(|s| secs(t0, s)),
        ended_at: ended.map(|s| secs(t0, s)),
        outcome,
        agent: answered.map(|_| "Agent/101".to_owned()),
        transferred: false,
    }
}

fn file(
    hotline: HotlineId,
    name: &str,
    fingerprint: char,
    loaded_at: DateTime<Utc>,
) -> NewCallBatch {
    NewCallBatch {
        hotline,
        file_name: name.into(),
        format: "queue_log".into(),
        fingerprint: fingerprint.to_string().repeat(64),
        loaded_by: "admin@hotline.dk".into(),
        loaded_at,
    }
}

fn stored(result: CallsStored) -> (CallBatchId, u64, u64) {
    match result {
        CallsStored::Stored {
            batch,
            added,
            already_stored,
        } => (batch, added, already_stored),
        CallsStored::SameFile { batch } => panic!("stored before as {batch}"),
    }
}

pub async fn hotline_calls_are_stored_once_and_the_same_file_is_recognised(store: &dyn Store) {
    use CallOutcome::{Abandoned, Answered, Unknown};
    with_reference(store).await;
    let mut log = Vec::new();
    let now = at(2026, 1, 5, 9, 0, 0);
    let line = create_line(store, &mut log, "Fælles hotline", now).await;
    let other = create_line(store, &mut Vec::new(), "Anden hotline", now).await;
    let t0 = at(2026, 3, 2, 8, 0, 0);
    let import = |batch: NewCallBatch, calls: Vec<Call>, entity_id: String| async move {
        store
            .store_calls(
                &batch,
                &calls,
                &hotline_audit("hotline_calls", entity_id, "import_calls"),
            )
            .await
            .unwrap()
    };

    // The first file: two calls that ended, one answered and still talking,
    // one still waiting, and a call of the same id in another queue.
    let c1 = call(t0, "1001", "hotline", 0, Some(20), Some(200), Answered);
    let c2 = call(t0, "1002", "hotline", 60, None, Some(90), Abandoned);
    let c3_open = call(t0, "1003", "hotline", 120, Some(130), None, Answered);
    let c4_open = call(t0, "1004", "hotline", 180, None, None, Unknown);
    let c5 = call(t0, "1001", "overloeb", 1, Some(5), Some(50), Answered);
    let file_a = file(line, "queue_log.1", 'a', at(2026, 3, 2, 12, 0, 0));
    let (a, added, already) = stored(
        import(
            file_a.clone(),
            vec![
                c4_open.clone(),
                c1.clone(),
                c5.clone(),
                c3_open.clone(),
                c2.clone(),
            ],
            String::new(),
        )
        .await,
    );
    assert_eq!((added, already), (5, 0));
    assert_eq!(
        store.list_calls(line, t0, secs(t0, 3600)).await.unwrap(),
        vec![
            c1.clone(),
            c5.clone(),
            c2.clone(),
            c3_open.clone(),
            c4_open.clone()
        ],
        "by arrival"
    );

    // The same file again (by its fingerprint), whatever its name: nothing.
    let again = import(
        NewCallBatch {
            file_name: "kopi af queue_log.1".into(),
            loaded_at: at(2026, 3, 2, 13, 0, 0),
            ..file_a.clone()
        },
        vec![call(t0, "1099", "hotline", 30, None, Some(40), Abandoned)],
        format!("{line}/opkald"),
    )
    .await;
    assert_eq!(again, CallsStored::SameFile { batch: a });
    assert_eq!(store.list_call_batches(line).await.unwrap().len(), 1);
    assert_eq!(
        store
            .list_calls(line, t0, secs(t0, 3600))
            .await
            .unwrap()
            .len(),
        5
    );

    // A rolling log: the first file's calls again, two of them now ended,
    // and two new ones. An ended call is never changed by a later file; a
    // call without an end is completed by the file that ends it, and that
    // counts as added.
    let c1_changed = Call {
        agent: Some("Agent/999".into()),
        transferred: true,
        ..c1.clone()
    };
    let c3 = Call {
        ended_at: Some(secs(t0, 400)),
        transferred: true,
        ..c3_open.clone()
    };
    let c4 = Call {
        ended_at: Some(secs(t0, 240)),
        outcome: Abandoned,
        ..c4_open.clone()
    };
    let c6 = call(t0, "1006", "hotline", 300, Some(310), Some(500), Answered);
    let c7_open = call(t0, "1007", "hotline", 360, None, None, Unknown);
    let file_b = file(line, "queue_log.2", 'b', at(2026, 3, 2, 14, 0, 0));
    let (b, added, already) = stored(
        import(
            file_b.clone(),
            vec![
                c1_changed,
                c2.clone(),
                c3.clone(),
                c4.clone(),
                c6.clone(),
                c7_open.clone(),
            ],
            format!("{line}/opkald"),
        )
        .await,
    );
    assert_eq!(
        (added, already),
        (4, 2),
        "1003 and 1004 completed, 1006 and 1007 new; 1001 and 1002 stored before"
    );

    // A third file: a call still without an end (now answered) is not
    // completed, an ended call is not ended again, and the new calls fall
    // on the bounds of the listing below.
    let c7_answered = Call {
        answered_at: Some(secs(t0, 370)),
        agent: Some("Agent/103".into()),
        outcome: Answered,
        ..c7_open.clone()
    };
    let c3_later = Call {
        ended_at: Some(secs(t0, 999)),
        ..c3.clone()
    };
    let c8 = call(t0, "1008", "hotline", 3600, None, Some(3630), Abandoned);
    let c9 = call(t0, "1009", "hotline", -1, Some(10), Some(70), Answered);
    let file_c = file(line, "queue_log.3", 'c', at(2026, 3, 2, 16, 0, 0));
    let (c, added, already) = stored(
        import(
            file_c.clone(),
            vec![c7_answered, c3_later, c8.clone(), c9.clone()],
            format!("{line}/opkald"),
        )
        .await,
    );
    assert_eq!((added, already), (2, 2));

    // Another line: the same file and the same call ids are its own.
    let elsewhere = call(t0, "1001", "hotline", 0, Some(3), Some(33), Answered);
    let file_other = file(other, "queue_log.1", 'a', at(2026, 3, 2, 12, 30, 0));
    let (o, added, already) = stored(
        import(
            file_other.clone(),
            vec![
                elsewhere.clone(),
                call(t0, "2001", "anden", 30, None, Some(35), Abandoned),
            ],
            format!("{other}/opkald"),
        )
        .await,
    );
    assert_eq!(
        (added, already),
        (2, 0),
        "fingerprints and calls are recognised within one line only"
    );

    assert_eq!(
        store.list_calls(line, t0, secs(t0, 3600)).await.unwrap(),
        vec![
            c1.clone(),
            c5.clone(),
            c2.clone(),
            c3.clone(),
            c4.clone(),
            c6.clone(),
            c7_open.clone(),
        ],
        "arrivals in [from, to), each call once, as first stored or as completed"
    );
    assert_eq!(
        store
            .list_calls(line, secs(t0, -1), secs(t0, 3601))
            .await
            .unwrap(),
        vec![c9, c1, c5, c2.clone(), c3, c4, c6, c7_open, c8]
    );
    assert_eq!(
        store
            .list_calls(line, secs(t0, 60), secs(t0, 120))
            .await
            .unwrap(),
        vec![c2]
    );
    let others = store
        .list_calls(other, secs(t0, -3600), secs(t0, 7200))
        .await
        .unwrap();
    assert_eq!(others.len(), 2);
    assert_eq!(others[0], elsewhere);

    let batch_row =
        |id: CallBatchId, batch: &NewCallBatch, calls: i64, already: i64| CallBatchRow {
            id,
            batch: batch.clone(),
            calls,
            already_stored: already,
        };
    assert_eq!(
        store.list_call_batches(line).await.unwrap(),
        vec![
            batch_row(c, &file_c, 2, 2),
            batch_row(b, &file_b, 4, 2),
            batch_row(a, &file_a, 5, 0),
        ],
        "newest first, with what each file added and found stored before"
    );
    assert_eq!(
        store.list_call_batches(other).await.unwrap(),
        vec![batch_row(o, &file_other, 2, 0)]
    );

    // Each stored file left one audit entry (the same file again none); one
    // written without an entity id is filed under the line's file.
    let audit = store.list_hotline_audit(line, 100).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .map(|r| r.entry.action.as_str())
            .collect::<Vec<_>>(),
        vec!["import_calls", "import_calls", "import_calls", "create"]
    );
    assert_eq!(audit[2].entry.entity_id, format!("{line}/opkald/{a}"));
    assert_eq!(audit[2].at, file_a.loaded_at);
    assert_eq!(audit[0].at, file_c.loaded_at);

    // A large file (more calls than one insert statement takes) and a
    // rolling log repeating all of it.
    let big = create_line(store, &mut Vec::new(), "Stor hotline", now).await;
    let many: Vec<Call> = (0..2_500)
        .map(|i| {
            call(
                t0,
                &format!("{i}"),
                "hotline",
                i * 7,
                None,
                Some(i * 7 + 5),
                Abandoned,
            )
        })
        .collect();
    let (_, added, already) = stored(
        import(
            file(big, "stor.log", 'd', t0),
            many.clone(),
            format!("{big}/opkald"),
        )
        .await,
    );
    assert_eq!((added, already), (2_500, 0));
    let mut rolled = many.clone();
    rolled.extend((2_500..2_510).map(|i| {
        call(
            t0,
            &format!("{i}"),
            "hotline",
            i * 7,
            None,
            Some(i * 7 + 5),
            Abandoned,
        )
    }));
    let (_, added, already) = stored(
        import(
            file(big, "stor.log.1", 'e', t0),
            rolled.clone(),
            format!("{big}/opkald"),
        )
        .await,
    );
    assert_eq!((added, already), (10, 2_500));
    assert_eq!(
        store
            .list_calls(big, secs(t0, -1), secs(t0, 86_400))
            .await
            .unwrap(),
        rolled
    );
}

pub async fn hotline_shifts_are_listed_by_overlap(store: &dyn Store) {
    use MemberKind::{PaysOnly, StaffsAndPays};
    with_reference(store).await;
    let mut log = Vec::new();
    let now = at(2026, 1, 5, 9, 0, 0);
    let line = create_line(store, &mut log, "Fælles hotline", now).await;
    let other = create_line(store, &mut log, "Anden hotline", now).await;
    add_member(
        store,
        &mut log,
        line,
        member(KOEGE, StaffsAndPays, day(2026, 1, 1), None),
    )
    .await;
    add_member(
        store,
        &mut log,
        line,
        member(KOEBENHAVN, PaysOnly, day(2026, 1, 1), None),
    )
    .await;
    add_member(
        store,
        &mut log,
        line,
        member(
            AARHUS,
            StaffsAndPays,
            day(2026, 1, 1),
            Some(day(2026, 3, 3)),
        ),
    )
    .await;
    add_member(
        store,
        &mut log,
        other,
        member(KOEGE, StaffsAndPays, day(2026, 1, 1), None),
    )
    .await;

    let monday = day(2026, 3, 2);
    let shift = |hotline: HotlineId,
                 municipality: u16,
                 starts_at: DateTime<Utc>,
                 ends_at: DateTime<Utc>,
                 agents: i64| NewShift {
        hotline,
        municipality: code(municipality),
        starts_at,
        ends_at,
        agents,
        note: format!("{municipality} {}", starts_at.format("%H:%M")),
        set_by: "admin@hotline.dk".into(),
        set_at: now,
    };
    let add = |s: NewShift| async move {
        let change = SetupChange::AddShift(s.clone());
        let audit = hotline_audit("hotline_shift", format!("{}/vagt", s.hotline), "add_shift");
        store
            .apply(&change, &audit)
            .await
            .map(|applied| ShiftId(applied.created().unwrap()))
    };
    let s1 = shift(line, KOEGE, local(monday, 8, 0), local(monday, 11, 0), 2);
    let s2 = shift(line, AARHUS, local(monday, 11, 0), local(monday, 14, 0), 1);
    let s3 = shift(line, KOEGE, local(monday, 11, 0), local(monday, 14, 0), 1);
    let s4 = shift(line, KOEGE, local(monday, 14, 0), local(monday, 17, 0), 2);
    // Added out of order: listed by start, then as added.
    let id4 = add(s4.clone()).await.unwrap();
    let id1 = add(s1.clone()).await.unwrap();
    let id2 = add(s2.clone()).await.unwrap();
    let id3 = add(s3.clone()).await.unwrap();
    let elsewhere = shift(other, KOEGE, local(monday, 8, 0), local(monday, 11, 0), 1);
    let id_elsewhere = add(elsewhere.clone()).await.unwrap();
    // The first hour of the year in Denmark is still 2025 in UTC: the
    // shift's day is the Danish one.
    let new_year = shift(
        line,
        KOEGE,
        at(2025, 12, 31, 23, 30, 0),
        at(2026, 1, 1, 2, 0, 0),
        1,
    );
    let id_new_year = add(new_year.clone()).await.unwrap();
    for (wrong, why) in [
        (
            shift(
                line,
                KOEBENHAVN,
                local(monday, 8, 0),
                local(monday, 11, 0),
                1,
            ),
            "København pays only",
        ),
        (
            shift(
                line,
                AARHUS,
                local(day(2026, 3, 3), 8, 0),
                local(day(2026, 3, 3), 11, 0),
                1,
            ),
            "Aarhus left on 3 March",
        ),
        (
            shift(
                line,
                AARHUS,
                at(2026, 3, 2, 23, 30, 0),
                at(2026, 3, 3, 2, 0, 0),
                1,
            ),
            "3 March in Denmark, though 2 March in UTC",
        ),
        (
            shift(
                line,
                KOEGE,
                local(day(2025, 12, 31), 8, 0),
                local(day(2025, 12, 31), 11, 0),
                1,
            ),
            "Køge joined on 1 January",
        ),
        (
            shift(other, AARHUS, local(monday, 8, 0), local(monday, 11, 0), 1),
            "Aarhus is no member of the other line",
        ),
    ] {
        assert!(
            matches!(add(wrong).await, Err(StoreError::Invalid(_))),
            "{why}"
        );
    }

    let row = |id: ShiftId, shift: &NewShift| ShiftRow {
        id,
        shift: shift.clone(),
    };
    let list = |from: DateTime<Utc>, to: DateTime<Utc>| async move {
        store.list_shifts(line, from, to).await.unwrap()
    };
    assert_eq!(
        list(local(monday, 11, 0), local(monday, 14, 0)).await,
        vec![row(id2, &s2), row(id3, &s3)],
        "a shift ending at `from` or starting at `to` does not overlap"
    );
    assert_eq!(
        list(local(monday, 10, 59), local(monday, 14, 1)).await,
        vec![row(id1, &s1), row(id2, &s2), row(id3, &s3), row(id4, &s4)]
    );
    assert_eq!(
        list(local(monday, 12, 0), local(monday, 13, 0)).await,
        vec![row(id2, &s2), row(id3, &s3)],
        "a shift covering the whole interval overlaps it"
    );
    assert!(list(local(monday, 17, 0), local(monday, 20, 0))
        .await
        .is_empty());
    assert_eq!(
        list(local(day(2026, 1, 1), 0, 0), local(day(2026, 1, 2), 0, 0)).await,
        vec![row(id_new_year, &new_year)]
    );
    assert_eq!(
        store
            .list_shifts(other, local(monday, 0, 0), local(day(2026, 3, 3), 0, 0))
            .await
            .unwrap(),
        vec![row(id_elsewhere, &elsewhere)],
        "another line's roster is its own"
    );

    // Removing: only through the shift's own line.
    let remove = |hotline: HotlineId, shift: ShiftId| async move {
        store
            .apply(
                &SetupChange::RemoveShift { hotline, shift },
                &hotline_audit(
                    "hotline_shift",
                    format!("{hotline}/vagt/{shift}"),
                    "remove_shift",
                ),
            )
            .await
    };
    assert!(matches!(
        remove(other, id3).await,
        Err(StoreError::NotFound(_))
    ));
    remove(line, id3).await.unwrap();
    assert!(matches!(
        remove(line, id3).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        list(local(monday, 0, 0), local(day(2026, 3, 3), 0, 0)).await,
        vec![row(id1, &s1), row(id2, &s2), row(id4, &s4)]
    );
    assert_eq!(
        store
            .list_shifts(other, local(monday, 0, 0), local(day(2026, 3, 3), 0, 0))
            .await
            .unwrap(),
        vec![row(id_elsewhere, &elsewhere)]
    );
}

// --- the units that answer a line, and the calls they register

/// Makes a unit one that answers the line, with an audit entry of the
/// line's.
async fn add_hotline_unit(
    store: &dyn Store,
    log: &mut Vec<String>,
    hotline: HotlineId,
    unit: UnitId,
    now: DateTime<Utc>,
) {
    logged(
        store,
        log,
        SetupChange::AddHotlineUnit { hotline, unit, now },
        "hotline_unit",
        format!("{hotline}/enhed/{unit}"),
        "add_unit",
    )
    .await;
}

/// A call as the registration tool stores it: in the caller's
/// municipality, without a unit, source hotline.
fn hotline_call(
    caller: u16,
    task: TaskId,
    registered_at: DateTime<Utc>,
    key: Option<&str>,
) -> NewRegistration {
    NewRegistration {
        registered_at,
        source: Source::Hotline,
        idempotency_key: key.map(str::to_owned),
        ..registration(caller, None, task, "TLFIND")
    }
}

fn link(hotline: HotlineId, unit: UnitId, outcome: HotlineOutcome) -> HotlineRegistration {
    HotlineRegistration {
        hotline,
        unit,
        outcome,
    }
}

async fn insert_call(
    store: &dyn Store,
    registration: &NewRegistration,
    link: &HotlineRegistration,
) -> RegistrationId {
    match store
        .insert_hotline_registration(registration, link)
        .await
        .unwrap()
    {
        Inserted::Created(id) => id,
        Inserted::Duplicate(id) => panic!("stored before as {id}"),
    }
}

/// Every registration of the municipality, test ones included.
async fn all_registrations(store: &dyn Store, municipality: u16) -> Vec<RegistrationRow> {
    store
        .list_registrations(
            code(municipality),
            &RegistrationFilter {
                include_test: true,
                ..RegistrationFilter::default()
            },
        )
        .await
        .unwrap()
}

fn hotline_filter(
    hotline: Option<HotlineId>,
    unit: Option<UnitId>,
    from: NaiveDate,
    to: NaiveDate,
    include_test: bool,
) -> HotlineRegistrationFilter {
    HotlineRegistrationFilter {
        hotline,
        unit,
        from,
        to,
        include_test,
        limit: None,
    }
}

/// The ids of the registered calls a filter lists, in the order listed.
async fn listed_calls(store: &dyn Store, filter: HotlineRegistrationFilter) -> Vec<RegistrationId> {
    store
        .list_hotline_registrations(&filter)
        .await
        .unwrap()
        .into_iter()
        .map(|h| h.registration.id)
        .collect()
}

pub async fn hotline_registrations_are_stored_once_with_their_link(store: &dyn Store) {
    use HotlineOutcome::{ReferredElsewhere, ReferredToAttendance, SolvedAtOnce};
    with_reference(store).await;
    let mut log = Vec::new();
    let now = at(2026, 1, 5, 9, 0, 0);
    let line = create_line(store, &mut log, "Fælles hotline", now).await;
    let other = create_line(store, &mut Vec::new(), "Anden hotline", now).await;
    let desk = unit_in(store, KOEGE, "259hotline").await;
    let second_desk = unit_in(store, KOEGE, "259hotline2").await;
    let elsewhere_desk = unit_in(store, AARHUS, "751hotline").await;
    add_hotline_unit(store, &mut log, line, desk, now).await;
    add_hotline_unit(store, &mut log, line, second_desk, now).await;
    add_hotline_unit(store, &mut Vec::new(), other, elsewhere_desk, now).await;
    let task = national_task(store, "23.09.02").await.id;
    let monday = day(2026, 3, 2);

    // --- stored once: the registration in the caller's municipality and
    // its link, in one go.
    let first = hotline_call(KOEBENHAVN, task, local(monday, 9, 0), Some("7:k1"));
    let first_link = link(line, desk, SolvedAtOnce);
    let first_id = insert_call(store, &first, &first_link).await;
    let kbh = all_registrations(store, KOEBENHAVN).await;
    assert_eq!(kbh.len(), 1, "{kbh:?}");
    let row = kbh[0].clone();
    assert_eq!(
        (row.id, row.municipality, row.unit, row.source),
        (first_id, code(KOEBENHAVN), None, Source::Hotline),
        "in the caller's municipality, without a unit, source hotline"
    );
    assert_eq!(
        (row.task, row.batch, row.is_test, row.quantity),
        (task, None, false, 1)
    );
    assert_eq!(
        (row.registered_at, row.day, row.hour),
        (first.registered_at, monday, 9)
    );
    assert_eq!(row.completion, Some(Completion::AtOnce));
    assert_eq!(row.channel.as_str(), "TLFIND");
    for municipality in [KOEGE, AARHUS] {
        assert!(
            all_registrations(store, municipality).await.is_empty(),
            "nothing in the answering unit's municipality ({municipality})"
        );
    }
    assert_eq!(
        store
            .get_registration(code(KOEBENHAVN), first_id)
            .await
            .unwrap(),
        Some(row.clone())
    );
    let first_row = HotlineRegistrationRow {
        registration: row.clone(),
        link: first_link,
    };
    assert_eq!(
        store.get_hotline_registration(first_id).await.unwrap(),
        Some(first_row.clone())
    );
    let everything = hotline_filter(None, None, day(2026, 1, 1), day(2026, 12, 31), true);
    assert_eq!(
        store.list_hotline_registrations(&everything).await.unwrap(),
        vec![first_row.clone()]
    );

    // The same key again (a resent form; even with another outcome and
    // time): the first registration, and nothing more stored.
    let resent = NewRegistration {
        registered_at: local(monday, 9, 5),
        ..first.clone()
    };
    assert_eq!(
        store
            .insert_hotline_registration(&resent, &link(line, desk, ReferredElsewhere))
            .await
            .unwrap(),
        Inserted::Duplicate(first_id)
    );
    assert_eq!(
        all_registrations(store, KOEBENHAVN).await,
        vec![row.clone()]
    );
    assert_eq!(
        store.get_hotline_registration(first_id).await.unwrap(),
        Some(first_row.clone()),
        "the link is as first stored"
    );
    assert_eq!(listed_calls(store, everything).await, vec![first_id]);

    // A registration the store refuses leaves no link, and a link the
    // store refuses (no such unit, no such line: the foreign keys hold)
    // leaves no registration; the key stays unused.
    let mut zero = hotline_call(KOEBENHAVN, task, local(monday, 9, 10), Some("7:k0"));
    zero.quantity = 0;
    assert!(matches!(
        store.insert_hotline_registration(&zero, &first_link).await,
        Err(StoreError::Invalid(_))
    ));
    let unlinkable = hotline_call(KOEBENHAVN, task, local(monday, 9, 10), Some("7:k2"));
    let no_unit = UnitId(desk.0 + second_desk.0 + elsewhere_desk.0 + 1_000);
    let no_line = HotlineId(line.0 + other.0 + 1_000);
    for wrong in [
        link(line, no_unit, SolvedAtOnce),
        link(no_line, desk, SolvedAtOnce),
    ] {
        assert!(
            store
                .insert_hotline_registration(&unlinkable, &wrong)
                .await
                .is_err(),
            "{wrong:?} was stored"
        );
        assert_eq!(
            all_registrations(store, KOEBENHAVN).await,
            vec![row.clone()],
            "a registration without its link was stored ({wrong:?})"
        );
    }
    assert_eq!(listed_calls(store, everything).await, vec![first_id]);

    // --- listed by line, unit, days and test flag, newest first.
    let second = insert_call(
        store,
        &unlinkable,
        &link(line, second_desk, ReferredToAttendance),
    )
    .await;
    // 23:30 UTC on 2 March is 00:30 on 3 March in Denmark: the call's day
    // is the Danish one.
    let mut night = hotline_call(KOEBENHAVN, task, at(2026, 3, 2, 23, 30, 0), None);
    night.is_test = true;
    let night = insert_call(store, &night, &link(line, desk, ReferredElsewhere)).await;
    let elsewhere = insert_call(
        store,
        &hotline_call(KOEGE, task, local(monday, 11, 0), None),
        &link(other, elsewhere_desk, SolvedAtOnce),
    )
    .await;
    let sunday = insert_call(
        store,
        &hotline_call(AARHUS, task, local(day(2026, 3, 1), 12, 0), None),
        &link(line, desk, ReferredToAttendance),
    )
    .await;
    let wednesday = insert_call(
        store,
        &hotline_call(KOEBENHAVN, task, local(day(2026, 3, 4), 8, 0), None),
        &link(line, desk, ReferredToAttendance),
    )
    .await;
    // A registration of the tool is no hotline call.
    let typed = store
        .insert_registration(&registration(KOEBENHAVN, None, task, "TLFIND"))
        .await
        .unwrap()
        .id();
    assert_eq!(store.get_hotline_registration(typed).await.unwrap(), None);
    assert_eq!(
        store
            .get_hotline_registration(RegistrationId(typed.0 + 1_000))
            .await
            .unwrap(),
        None
    );

    let (sun, mon, tue, wed) = (day(2026, 3, 1), monday, day(2026, 3, 3), day(2026, 3, 4));
    assert_eq!(
        listed_calls(store, hotline_filter(Some(line), None, mon, tue, false)).await,
        vec![second, first_id],
        "the line's calls of the days, the test call left out"
    );
    assert_eq!(
        listed_calls(store, hotline_filter(Some(line), None, mon, tue, true)).await,
        vec![night, second, first_id]
    );
    assert_eq!(
        listed_calls(store, hotline_filter(Some(line), None, sun, wed, true)).await,
        vec![wednesday, night, second, first_id, sunday],
        "both days included"
    );
    assert_eq!(
        listed_calls(store, hotline_filter(None, Some(desk), sun, wed, true)).await,
        vec![wednesday, night, first_id, sunday],
        "the unit's calls, whichever municipality they count in"
    );
    assert_eq!(
        listed_calls(
            store,
            hotline_filter(None, Some(second_desk), sun, wed, true)
        )
        .await,
        vec![second]
    );
    assert_eq!(
        listed_calls(store, hotline_filter(Some(other), None, sun, wed, true)).await,
        vec![elsewhere],
        "another line's calls are its own"
    );
    assert!(listed_calls(
        store,
        hotline_filter(Some(line), Some(elsewhere_desk), sun, wed, true)
    )
    .await
    .is_empty());
    assert_eq!(
        listed_calls(store, hotline_filter(None, None, mon, mon, true)).await,
        vec![elsewhere, second, first_id],
        "the night call is on 3 March"
    );
    assert_eq!(
        listed_calls(store, hotline_filter(None, None, tue, tue, true)).await,
        vec![night]
    );
    assert!(
        listed_calls(store, hotline_filter(None, None, tue, tue, false))
            .await
            .is_empty()
    );
    let all_of_them = vec![wednesday, night, elsewhere, second, first_id, sunday];
    assert_eq!(listed_calls(store, everything).await, all_of_them);
    assert_eq!(
        listed_calls(
            store,
            HotlineRegistrationFilter {
                limit: Some(2),
                ..everything
            }
        )
        .await,
        all_of_them[..2].to_vec(),
        "the limit keeps the newest"
    );
    // Each listed as get_hotline_registration finds it, with the
    // registration as its municipality lists it.
    let listed = store.list_hotline_registrations(&everything).await.unwrap();
    for found in &listed {
        assert_eq!(
            store
                .get_hotline_registration(found.registration.id)
                .await
                .unwrap()
                .as_ref(),
            Some(found)
        );
        assert_eq!(
            store
                .get_registration(found.registration.municipality, found.registration.id)
                .await
                .unwrap()
                .as_ref(),
            Some(&found.registration)
        );
    }
    assert_eq!(
        listed
            .iter()
            .map(|h| (h.registration.municipality, h.link))
            .collect::<Vec<_>>(),
        vec![
            (code(KOEBENHAVN), link(line, desk, ReferredToAttendance)),
            (code(KOEBENHAVN), link(line, desk, ReferredElsewhere)),
            (code(KOEGE), link(other, elsewhere_desk, SolvedAtOnce)),
            (
                code(KOEBENHAVN),
                link(line, second_desk, ReferredToAttendance)
            ),
            (code(KOEBENHAVN), first_link),
            (code(AARHUS), link(line, desk, ReferredToAttendance)),
        ]
    );

    // --- a removed registration takes its link with it.
    assert!(
        !store
            .delete_registration(code(KOEGE), first_id)
            .await
            .unwrap(),
        "only in the municipality it counts in"
    );
    assert!(store
        .get_hotline_registration(first_id)
        .await
        .unwrap()
        .is_some());
    assert!(store
        .delete_registration(code(KOEBENHAVN), first_id)
        .await
        .unwrap());
    assert_eq!(
        store.get_hotline_registration(first_id).await.unwrap(),
        None
    );
    store
        .apply(
            &SetupChange::DeleteTestRegistrations {
                municipality: code(KOEBENHAVN),
            },
            &test_audit(Some(code(KOEBENHAVN))),
        )
        .await
        .unwrap();
    assert_eq!(store.get_hotline_registration(night).await.unwrap(), None);
    // The newest registration: SQLite may give its id to the next row, which
    // must not find a link left behind.
    assert!(store
        .delete_registration(code(KOEBENHAVN), typed)
        .await
        .unwrap());
    assert!(store
        .delete_registration(code(KOEBENHAVN), wednesday)
        .await
        .unwrap());
    let next = store
        .insert_registration(&registration(KOEBENHAVN, None, task, "TLFIND"))
        .await
        .unwrap()
        .id();
    assert_eq!(store.get_hotline_registration(next).await.unwrap(), None);
    let next_call = insert_call(
        store,
        &hotline_call(KOEBENHAVN, task, local(wed, 9, 0), None),
        &link(line, desk, SolvedAtOnce),
    )
    .await;
    assert_eq!(
        listed_calls(store, everything).await,
        vec![next_call, elsewhere, second, sunday],
        "the removed calls are gone, links and all"
    );
}

pub async fn hotline_units_answer_one_line_each(store: &dyn Store) {
    with_reference(store).await;
    let (mut log, mut other_log) = (Vec::new(), Vec::new());
    let now = at(2026, 1, 5, 9, 0, 0);
    let later = at(2026, 2, 1, 12, 30, 0);
    let line = create_line(store, &mut log, "Fælles hotline", now).await;
    let other = create_line(store, &mut other_log, "Anden hotline", now).await;
    let koege_hl = unit_in(store, KOEGE, "259hl").await;
    let koege_bs = unit_in(store, KOEGE, "259bs").await;
    let aarhus_hl = unit_in(store, AARHUS, "751hl").await;
    let aarhus_other = unit_in(store, AARHUS, "751bs").await;
    let kbh = unit_in(store, KOEBENHAVN, "101bs").await;
    assert_eq!(store.hotline_of_unit(koege_hl).await.unwrap(), None);
    assert!(store.list_hotline_units(line).await.unwrap().is_empty());

    add_hotline_unit(store, &mut log, line, koege_hl, now).await;
    add_hotline_unit(store, &mut log, line, koege_bs, later).await;
    add_hotline_unit(store, &mut log, line, aarhus_hl, now).await;
    add_hotline_unit(store, &mut other_log, other, aarhus_other, later).await;
    // A unit answers one line: not the same twice, not a second one.
    for (hotline, unit) in [(line, koege_hl), (other, koege_hl), (line, aarhus_other)] {
        let e = refused(
            store,
            SetupChange::AddHotlineUnit {
                hotline,
                unit,
                now: later,
            },
        )
        .await;
        assert!(
            matches!(e, StoreError::Conflict(_)),
            "{unit} on {hotline}: {e:?}"
        );
    }
    for (hotline, unit) in [
        (line, UnitId(koege_hl.0 + kbh.0 + 1_000)),
        (HotlineId(line.0 + other.0 + 100), kbh),
    ] {
        let e = refused(
            store,
            SetupChange::AddHotlineUnit {
                hotline,
                unit,
                now: later,
            },
        )
        .await;
        assert!(
            matches!(e, StoreError::NotFound(_)),
            "{unit} on {hotline}: {e:?}"
        );
    }
    assert_eq!(store.hotline_of_unit(kbh).await.unwrap(), None);

    for (unit, hotline) in [
        (koege_hl, Some(line)),
        (koege_bs, Some(line)),
        (aarhus_hl, Some(line)),
        (aarhus_other, Some(other)),
        (kbh, None),
    ] {
        assert_eq!(
            store.hotline_of_unit(unit).await.unwrap(),
            hotline,
            "{unit}"
        );
    }
    let row = |hotline: HotlineId,
               unit: UnitId,
               municipality: u16,
               municipality_name: &str,
               login: &str,
               added_at: DateTime<Utc>| HotlineUnitRow {
        hotline,
        unit,
        municipality: code(municipality),
        municipality_name: municipality_name.into(),
        name: format!("Enhed {login}"),
        login: login.into(),
        active: true,
        added_at,
    };
    assert_eq!(
        store.list_hotline_units(line).await.unwrap(),
        vec![
            row(line, aarhus_hl, AARHUS, "Aarhus", "751hl", now),
            row(line, koege_bs, KOEGE, "Køge", "259bs", later),
            row(line, koege_hl, KOEGE, "Køge", "259hl", now),
        ],
        "by municipality and name"
    );
    assert_eq!(
        store.list_hotline_units(other).await.unwrap(),
        vec![row(other, aarhus_other, AARHUS, "Aarhus", "751bs", later)]
    );

    // Removed only from its own line; then it may answer another.
    let remove =
        |hotline: HotlineId, unit: UnitId| SetupChange::RemoveHotlineUnit { hotline, unit };
    assert!(matches!(
        refused(store, remove(other, koege_hl)).await,
        StoreError::NotFound(_)
    ));
    logged(
        store,
        &mut log,
        remove(line, koege_hl),
        "hotline_unit",
        format!("{line}/enhed/{koege_hl}"),
        "remove_unit",
    )
    .await;
    assert!(matches!(
        refused(store, remove(line, koege_hl)).await,
        StoreError::NotFound(_)
    ));
    assert!(matches!(
        refused(store, remove(line, kbh)).await,
        StoreError::NotFound(_)
    ));
    assert_eq!(store.hotline_of_unit(koege_hl).await.unwrap(), None);
    assert_eq!(
        store.list_hotline_units(line).await.unwrap(),
        vec![
            row(line, aarhus_hl, AARHUS, "Aarhus", "751hl", now),
            row(line, koege_bs, KOEGE, "Køge", "259bs", later),
        ]
    );
    add_hotline_unit(store, &mut other_log, other, koege_hl, later).await;
    assert_eq!(store.hotline_of_unit(koege_hl).await.unwrap(), Some(other));

    // A unit that stops answering keeps the calls it registered.
    let task = national_task(store, "23.09.02").await.id;
    let call = insert_call(
        store,
        &hotline_call(KOEGE, task, local(day(2026, 3, 2), 9, 0), None),
        &link(line, koege_bs, HotlineOutcome::SolvedAtOnce),
    )
    .await;
    logged(
        store,
        &mut log,
        remove(line, koege_bs),
        "hotline_unit",
        format!("{line}/enhed/{koege_bs}"),
        "remove_unit",
    )
    .await;
    assert_eq!(
        listed_calls(
            store,
            hotline_filter(
                Some(line),
                Some(koege_bs),
                day(2026, 3, 1),
                day(2026, 3, 31),
                true
            )
        )
        .await,
        vec![call]
    );

    // Every change is in its line's audit trail.
    assert_eq!(audit_actions(store, line).await, newest_first(&log));
    assert_eq!(audit_actions(store, other).await, newest_first(&other_log));
}

pub async fn hotline_calls_count_once_for_the_caller(store: &dyn Store) {
    with_reference(store).await;
    let mut log = Vec::new();
    let now = at(2026, 1, 5, 9, 0, 0);
    let line = create_line(store, &mut log, "Fælles hotline", now).await;
    let desk = unit_in(store, KOEGE, "259hotline").await;
    add_hotline_unit(store, &mut log, line, desk, now).await;
    let task = national_task(store, "23.09.02").await.id;
    let monday = day(2026, 3, 2);

    let call = hotline_call(KOEBENHAVN, task, local(monday, 9, 0), Some("7:k1"));
    let id = insert_call(
        store,
        &call,
        &link(line, desk, HotlineOutcome::ReferredToAttendance),
    )
    .await;
    assert_eq!(
        store
            .insert_hotline_registration(&call, &link(line, desk, HotlineOutcome::SolvedAtOnce))
            .await
            .unwrap(),
        Inserted::Duplicate(id)
    );
    let mut test_call = hotline_call(KOEBENHAVN, task, local(monday, 10, 0), None);
    test_call.is_test = true;
    insert_call(
        store,
        &test_call,
        &link(line, desk, HotlineOutcome::SolvedAtOnce),
    )
    .await;
    crate::cube::assert_cube_matches(store, "hotline calls").await;

    let by = |municipalities: Vec<MunicipalityCode>, sources: Vec<Source>, table| Aggregate {
        municipalities,
        sources,
        group_by: vec![Column::Municipality, Column::Unit, Column::Source],
        table,
        ..Aggregate::default()
    };
    let once = AggregateRow {
        keys: vec![
            Key::Municipality(code(KOEBENHAVN)),
            Key::Unit(None),
            Key::Source(Source::Hotline),
        ],
        inquiries: 1,
        rows: 1,
        duration_sum_ms: 4_200,
        duration_count: 1,
    };
    for table in [Table::Cube, Table::Registrations] {
        assert_eq!(
            store.aggregate(&by(vec![], vec![], table)).await.unwrap(),
            vec![once.clone()],
            "once, nationally, in the caller's municipality ({table:?})"
        );
        assert_eq!(
            store
                .aggregate(&by(vec![code(KOEBENHAVN)], vec![Source::Hotline], table))
                .await
                .unwrap(),
            vec![once.clone()]
        );
        assert!(
            store
                .aggregate(&by(vec![code(KOEGE)], vec![], table))
                .await
                .unwrap()
                .is_empty(),
            "never in the answering unit's municipality ({table:?})"
        );
        assert!(store
            .aggregate(&by(vec![code(KOEBENHAVN)], vec![Source::Tool], table))
            .await
            .unwrap()
            .is_empty());
    }
    assert_eq!(
        store.count_by_municipality().await.unwrap(),
        vec![MunicipalityCount {
            municipality: code(KOEBENHAVN),
            inquiries: 1,
            rows: 1,
        }]
    );

    // Undone: counted nowhere.
    assert!(store
        .delete_registration(code(KOEBENHAVN), id)
        .await
        .unwrap());
    crate::cube::assert_cube_matches(store, "an undone hotline call").await;
    for table in [Table::Cube, Table::Registrations] {
        assert!(store
            .aggregate(&by(vec![], vec![], table))
            .await
            .unwrap()
            .is_empty());
    }

    // The registrations table the migration rebuilt takes every source and
    // keeps the answers of its registrations.
    let gender = store.list_questions(code(KOEGE)).await.unwrap().remove(0);
    let mut ids = Vec::new();
    for (i, source) in Source::ALL.into_iter().enumerate() {
        let mut r = registration(KOEGE, None, task, "PRSNLG");
        r.has_form = Some(false);
        r.source = source;
        r.idempotency_key = Some(format!("kilde-{}", source.code()));
        r.answers = vec![NewAnswer {
            question: gender.id,
            option: Some(gender.options[i % gender.options.len()].id),
            text: None,
        }];
        let id = store.insert_registration(&r).await.unwrap();
        assert!(matches!(id, Inserted::Created(_)), "{source:?}: {id:?}");
        ids.push((id.id(), source, r.answers[0].option));
    }
    let rows = all_registrations(store, KOEGE).await;
    let mut sources: Vec<&str> = rows.iter().map(|r| r.source.code()).collect();
    sources.sort_unstable();
    let mut all: Vec<&str> = Source::ALL.iter().map(|s| s.code()).collect();
    all.sort_unstable();
    assert_eq!(sources, all);
    for (id, source, option) in &ids {
        assert_eq!(
            store.list_answers(code(KOEGE), *id).await.unwrap(),
            vec![AnswerRow {
                question: gender.id,
                option: *option,
                text: None,
            }],
            "the answer of the {source:?} registration"
        );
    }
    let (first, last) = (ids[0].0, ids[ids.len() - 1].0);
    assert_eq!(
        store
            .list_answers_between(code(KOEGE), first, last)
            .await
            .unwrap()
            .len(),
        Source::ALL.len()
    );
    assert!(store.delete_registration(code(KOEGE), last).await.unwrap());
    assert!(store
        .list_answers(code(KOEGE), last)
        .await
        .unwrap()
        .is_empty());
    let next = store
        .insert_registration(&registration(KOEGE, None, task, "TLFIND"))
        .await
        .unwrap()
        .id();
    assert!(
        store
            .list_answers(code(KOEGE), next)
            .await
            .unwrap()
            .is_empty(),
        "no answers left behind"
    );
    crate::cube::assert_cube_matches(store, "every source").await;
}
