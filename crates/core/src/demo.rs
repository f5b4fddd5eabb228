//! The demo: a realistic country to try komhen on.
//!
//! Sets up every municipality with departments and units (Køge with its real
//! 2013 TraceTool logins), assigns the season's tasks, switches optional
//! parameters on for some units, and generates two autumn counting periods
//! of registrations: volumes follow population; phone, e-mail, personal
//! attendance and letters dominate; the second year shifts toward digital
//! channels; durations are plausible. Self-service, website and Digital Post
//! arrive as central rows with a quantity, as the method prescribes.
//!
//! Deterministic (fixed seed) and idempotent: the registrations are one
//! batch of kind `demo`; a completed batch is never loaded twice and an
//! interrupted one is removed and loaded again, so nothing is counted twice.

mod generate;
mod hotline;
mod questionnaire;
use generate::*;

pub use hotline::{HOTLINE_ADMIN, HOTLINE_NAME, HOTLINE_UNIT_LOGIN};

use crate::accounts::access::Actor;
use crate::setup;
use crate::setup::catalogue::PeriodInput;
use crate::{CoreError, CoreResult};
use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use komhen_domain::reference::AnswerKind;
use komhen_domain::{
    danish_instant, ChannelCode, Completion, CountingPeriod, InquiryType, MunicipalityCode,
    NewAnswer, NewRegistration, PeriodId, Role, Season, Source, TaskId, UnitId, UserId,
};
use komhen_store::BatchKind;
use komhen_store::{BatchStatus, NewBatch, NewUser, QuestionRow, SetupChange, Store, TaskRow};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

/// Registrations made in the tool (rows of quantity 1) by default: ready in
/// well under a minute on two cores.
pub const DEFAULT_SIZE: u64 = 250_000;

/// The two autumn periods of the demo.
pub const YEARS: [i32; 2] = [2025, 2026];

/// The password of every demo unit login. Public: this is a demo.
pub const DEMO_PASSWORD: &str = "demo";
/// The password of every demo user (personal users need at least ten characters).
pub const DEMO_USER_PASSWORD: &str = "komhen-demo";

/// One of the demo's personal users.
#[derive(Debug, Clone, Copy)]
pub struct DemoUser {
    pub email: &'static str,
    pub name: &'static str,
    pub role: Role,
    pub municipality: Option<u16>,
    /// The unit of a unit lead, by login.
    pub unit: Option<&'static str>,
}

/// The demo's personal users, one per role.
pub const DEMO_USERS: &[DemoUser] = &[
    DemoUser {
        email: "admin@komhen.example",
        name: "National administrator",
        role: Role::NationalAdmin,
        municipality: None,
        unit: None,
    },
    DemoUser {
        email: "analytiker@komhen.example",
        name: "National analytiker",
        role: Role::Analyst,
        municipality: None,
        unit: None,
    },
    DemoUser {
        email: "tovholder@koege.example",
        name: "Tovholder i Køge",
        role: Role::Coordinator,
        municipality: Some(259),
        unit: None,
    },
    DemoUser {
        email: "analytiker@koege.example",
        name: "Analytiker i Køge",
        role: Role::Analyst,
        municipality: Some(259),
        unit: None,
    },
    DemoUser {
        email: "enhedsleder@koege.example",
        name: "Enhedsansvarlig for Borgerservice i Køge",
        role: Role::UnitLead,
        municipality: Some(259),
        unit: Some("259borgerservice"),
    },
    DemoUser {
        email: "tovholder@aarhus.example",
        name: "Tovholder i Aarhus",
        role: Role::Coordinator,
        municipality: Some(751),
        unit: None,
    },
];

const BATCH_KIND: BatchKind = BatchKind::Demo;
const SEED: u64 = 2026;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOptions {
    pub size: u64,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self { size: DEFAULT_SIZE }
    }
}

/// What the demo holds after loading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    /// False when a completed demo load was found and kept.
    pub generated: bool,
    pub rows: i64,
    pub units: i64,
    pub sample_logins: Vec<String>,
    /// The demo users' e-mails (password [`DEMO_USER_PASSWORD`]).
    pub user_logins: Vec<String>,
}

/// One kind of unit every municipality has, and the tasks it handles
/// (by KLE prefix).
struct UnitKind {
    department: &'static str,
    name: &'static str,
    login_suffix: &'static str,
    kle_prefixes: &'static [&'static str],
    /// Share of the municipality's tool registrations.
    weight: f64,
}

const STANDARD_UNITS: &[UnitKind] = &[
    UnitKind {
        department: "Borgerservice",
        name: "Borgerservice",
        login_suffix: "bs",
        kle_prefixes: &["23.", "29.", "32.03", "32.06"],
        weight: 0.34,
    },
    UnitKind {
        department: "Ydelser og Beskæftigelse",
        name: "Ydelsesservice",
        login_suffix: "ydelse",
        kle_prefixes: &[
            "32.09", "32.12", "32.15", "32.2", "32.3", "32.42", "27.37", "25.",
        ],
        weight: 0.24,
    },
    UnitKind {
        department: "Teknik og Miljø",
        name: "Byg og Miljø",
        login_suffix: "teknik",
        kle_prefixes: &["02.", "05.", "07.", "09.", "82."],
        weight: 0.14,
    },
    UnitKind {
        department: "Børn og Unge",
        name: "Pladsanvisning og Skole",
        login_suffix: "boern",
        kle_prefixes: &["17.", "28.", "18."],
        weight: 0.16,
    },
    UnitKind {
        department: "Social og Sundhed",
        name: "Visitation og Hjælpemidler",
        login_suffix: "social",
        kle_prefixes: &["27.4", "27.6", "32.18"],
        weight: 0.12,
    },
];

/// Tasks citizens can do themselves: they get central self-service and
/// website rows.
const SELF_SERVICE_TASKS: &[&str] = &[
    "23.05.10", "29.03.04", "29.03.12", "28.09.40", "17.20.01", "32.06.04", "23.09.02",
];

/// Tool channels and their shares, first year and second year: the second
/// shows the shift toward digital channels.
const CHANNEL_MIX: &[(&str, f64, f64)] = &[
    ("TLFIND", 0.36, 0.33),
    ("PRSNLG", 0.19, 0.16),
    ("EMLIND", 0.13, 0.15),
    ("PPRIND", 0.05, 0.03),
    ("TLFUD", 0.07, 0.07),
    ("EMLUD", 0.07, 0.08),
    ("PPRUD", 0.06, 0.04),
    ("DOKUD", 0.04, 0.08),
    ("DOCIND", 0.02, 0.04),
    ("SMSUD", 0.01, 0.02),
];

/// The channel codes the generator uses, parsed once.
struct Codes {
    mix: Vec<(ChannelCode, f64, f64)>,
    self_service: ChannelCode,
    website: ChannelCode,
    digital_post_out: ChannelCode,
}

impl Codes {
    fn new() -> CoreResult<Self> {
        let parse = |c: &str| ChannelCode::parse(c).map_err(|e| CoreError::Invalid(e.to_string()));
        Ok(Self {
            mix: CHANNEL_MIX
                .iter()
                .map(|(c, first, second)| Ok((parse(c)?, *first, *second)))
                .collect::<CoreResult<_>>()?,
            self_service: parse("SLVBTJN")?,
            website: parse("WEB")?,
            digital_post_out: parse("DOKUD")?,
        })
    }
}

/// Loads the demo unless a completed demo load is present.
/// The demo's channel prices: examples to show what the pages do with
/// prices, marked as examples everywhere, never official figures. Personal
/// attendance is found from time (15 minutes at 450 kroner an hour), the
/// others are amounts (kroner per inquiry).
const EXAMPLE_PRICES: &[(&str, &str)] = &[
    ("TLFIND", "60"),
    ("TLFUD", "45"),
    ("EMLIND", "40"),
    ("EMLUD", "30"),
    ("PPRIND", "80"),
    ("PPRUD", "60"),
    ("DOCIND", "30"),
    ("DOKUD", "10"),
    ("SMSIND", "8"),
    ("SMSUD", "2"),
    ("CHATIND", "25"),
    ("CHATUD", "20"),
    ("SLVBTJN", "5"),
    ("BRGDK", "5"),
    ("WEB", "1"),
];

/// Where the demo's prices come from, as every page using them says.
pub const EXAMPLE_PRICE_SOURCE: &str = "Eksempelpris i komhens demo, ikke en officiel pris";

async fn set_up_example_prices(store: &dyn Store, actor: &Actor) -> CoreResult<()> {
    use crate::economics::prices::{set_price, PriceInput};
    let input = |channel: &str| PriceInput {
        channel: channel.into(),
        valid_from: "2025-01-01".into(),
        source: EXAMPLE_PRICE_SOURCE.into(),
        example: true,
        ..PriceInput::default()
    };
    let now = chrono::Utc::now();
    for (channel, amount) in EXAMPLE_PRICES {
        let price = PriceInput {
            amount: (*amount).into(),
            ..input(channel)
        };
        set_price(store, actor, None, &price, now).await?;
    }
    let personal = PriceInput {
        minutes: "15".into(),
        hourly_cost: "450".into(),
        ..input("PRSNLG")
    };
    set_price(store, actor, None, &personal, now).await?;
    Ok(())
}

pub async fn load(
    store: &dyn Store,
    options: &DemoOptions,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> CoreResult<DemoSummary> {
    crate::reference::migrate_and_load(store).await?;
    let sha256 = hex(&Sha256::digest(format!(
        "komhen-demo:{SEED}:{}",
        options.size
    )));
    let existing = store.list_batches(None).await?;
    if let Some(done) = existing
        .iter()
        .find(|b| b.kind == BATCH_KIND && b.status == BatchStatus::Committed)
    {
        return summary(store, false, done.row_count).await;
    }
    for interrupted in existing
        .iter()
        .filter(|b| b.kind == BATCH_KIND && b.status == BatchStatus::Loading)
    {
        store.delete_batch(None, interrupted.id).await?;
    }

    let actor = Actor::demo();
    let periods = set_up_periods(store).await?;
    let municipalities = store.list_municipalities().await?;
    let populations: Vec<i64> = municipalities
        .iter()
        .map(|m| m.population.map_or(10_000, |(_, p)| p))
        .collect();
    // One argon2id hash for all demo units: hashing 500 passwords would
    // take longer than the whole demo load.
    let demo_hash = crate::accounts::auth::hash_password(DEMO_PASSWORD).await?;
    let mut plans = Vec::new();
    for m in &municipalities {
        plans.push(set_up_municipality(store, m.code, &demo_hash).await?);
        for period in &periods {
            setup::set_participation(store, &actor, m.code, period.0, true, &[]).await?;
        }
    }

    set_up_users(store).await?;
    set_up_example_prices(store, &actor).await?;
    hotline::set_up(
        store,
        komhen_domain::danish_local(Utc::now()).date(),
        &demo_hash,
    )
    .await?;
    if let Some((newest, _)) = periods.last() {
        questionnaire::set_up(store, *newest, Utc::now()).await?;
    }

    let planned = crate::intake::batch::begin(
        store,
        NewBatch {
            municipality: None,
            kind: BATCH_KIND,
            file_name: format!("demo-{}.generated", options.size),
            sha256,
            fingerprint: None,
            created_by: "demo".into(),
        },
        false,
    )
    .await?;
    let total = options.size;
    let generated_periods = periods.clone();
    let (committed, ()) = planned
        .read(
            store,
            None,
            move |emit| generate(&plans, &populations, &generated_periods, total, emit),
            // Central rows come on top of the tool rows the size names.
            &mut |done| progress(done.min(total), total),
        )
        .await?;
    set_up_totals(store, &actor, &periods).await?;
    // The earlier period is published, as the national administrator does
    // after its submission deadline; the newest is left for them to publish.
    let now = chrono::Utc::now();
    let today = komhen_domain::DateDimensions::of(now).day;
    if let Some((id, period)) = periods.first() {
        if period.submission_deadline < today && periods.len() > 1 {
            crate::setup::catalogue::set_published(store, &actor, *id, true, now).await?;
        }
    }
    summary(store, true, committed.row_count).await
}

/// Municipalities that enter total counts from their phone and front-desk
/// systems in the demo, with the share of those inquiries their units
/// registered (what coverage then shows).
const TOTALS: [(u16, f64); 5] = [
    (259, 0.91),
    (751, 0.84),
    (461, 0.77),
    (101, 0.95),
    (851, 0.88),
];

/// Total counts per week of each period for a few municipalities, on
/// incoming phone calls and personal attendance, entered as a coordinator
/// does on the totals page: the registered inquiries of the week divided by
/// the municipality's coverage, so coverage on the figures pages and the
/// portal has something to show.
async fn set_up_totals(
    store: &dyn Store,
    actor: &Actor,
    periods: &[(PeriodId, CountingPeriod)],
) -> CoreResult<()> {
    use komhen_store::{Aggregate, Column, Key, TestRows};
    for (code, share) in TOTALS {
        let Ok(municipality) = MunicipalityCode::parse(&code.to_string()) else {
            continue;
        };
        for (_, period) in periods {
            for channel in ["TLFIND", "PRSNLG"] {
                let channel_code = komhen_domain::ChannelCode::parse(channel)
                    .map_err(|e| CoreError::internal("en kanal i demoens totaltal", e))?;
                let rows = store
                    .aggregate(&Aggregate {
                        municipalities: vec![municipality],
                        from: Some(period.starts_on),
                        to: Some(period.ends_on),
                        channels: vec![channel_code],
                        test: TestRows::Exclude,
                        group_by: vec![Column::Day],
                        ..Aggregate::default()
                    })
                    .await?;
                let mut monday = period.starts_on;
                while monday <= period.ends_on {
                    let sunday = (monday + chrono::Duration::days(6)).min(period.ends_on);
                    let registered: i64 = rows
                        .iter()
                        .filter(|r| matches!(r.keys.as_slice(), [Key::Day(d)] if *d >= monday && *d <= sunday))
                        .map(|r| r.inquiries)
                        .sum();
                    if registered > 0 {
                        let total = (registered as f64 / share).round() as i64;
                        crate::intake::totals::enter(
                            store,
                            actor,
                            municipality,
                            &crate::intake::totals::TotalInput {
                                channel: channel.into(),
                                from: monday.format("%d-%m-%Y").to_string(),
                                to: sunday.format("%d-%m-%Y").to_string(),
                                count: total.to_string(),
                            },
                        )
                        .await?;
                    }
                    monday = sunday + chrono::Duration::days(1);
                }
            }
        }
    }
    Ok(())
}

/// The demo's personal users, each with a known password and one role.
async fn set_up_users(store: &dyn Store) -> CoreResult<()> {
    let hash = crate::accounts::auth::hash_password(DEMO_USER_PASSWORD).await?;
    let actor = Actor::demo();
    for DemoUser {
        email,
        name,
        role,
        municipality,
        unit,
    } in DEMO_USERS
    {
        let municipality = municipality
            .map(MunicipalityCode::new)
            .transpose()
            .map_err(|e| CoreError::Invalid(e.to_string()))?;
        let user = match store.find_user_by_email(email).await? {
            Some(user) => user,
            None => {
                let applied = setup::change(
                    store,
                    &actor,
                    SetupChange::CreateUser(NewUser {
                        email: (*email).into(),
                        name: (*name).into(),
                        password_hash: Some(hash.clone()),
                    }),
                    setup::Entry {
                        municipality,
                        action: "create",
                        entity: "user",
                        entity_id: String::new(),
                        before: None,
                        after: Some(serde_json::json!({ "email": email, "name": name })),
                    },
                )
                .await?;
                store
                    .get_user(UserId(applied.created()?))
                    .await?
                    .ok_or_else(|| CoreError::Invalid("demobrugeren forsvandt".into()))?
            }
        };
        let unit = match unit {
            Some(login) => store.find_unit_by_login(login).await?.map(|u| u.id),
            None => None,
        };
        let grant = crate::accounts::account::Grant {
            role: *role,
            municipality,
            unit,
        };
        crate::accounts::account::grant_role(store, &actor, &user, grant).await?;
    }
    Ok(())
}

async fn summary(store: &dyn Store, generated: bool, rows: i64) -> CoreResult<DemoSummary> {
    let code = |n| MunicipalityCode::new(n).map_err(|e| CoreError::Invalid(e.to_string()));
    let mut sample_logins = Vec::new();
    for municipality in [259, 751, 825] {
        for unit in store
            .list_units(code(municipality)?)
            .await?
            .into_iter()
            .take(2)
        {
            sample_logins.push(format!("{} ({})", unit.login, unit.name));
        }
    }
    if let Some(unit) = store.find_unit_by_login(HOTLINE_UNIT_LOGIN).await? {
        sample_logins.push(format!("{} ({}, {HOTLINE_NAME})", unit.login, unit.name));
    }
    Ok(DemoSummary {
        generated,
        rows,
        units: store.count_active_units().await?,
        sample_logins,
        user_logins: DEMO_USERS
            .iter()
            .map(|u| u.email.to_owned())
            .chain([HOTLINE_ADMIN.to_owned()])
            .collect(),
    })
}

async fn set_up_periods(store: &dyn Store) -> CoreResult<Vec<(PeriodId, CountingPeriod)>> {
    let package = store
        .list_task_packages()
        .await?
        .into_iter()
        .max_by_key(|p| p.year);
    let mut periods = Vec::new();
    for year in YEARS {
        let period = CountingPeriod::national(year, Season::Autumn)
            .ok_or_else(|| CoreError::Invalid(format!("ingen uge 43–45 i {year}")))?;
        let mut input = PeriodInput::national(year, Season::Autumn)?;
        input.task_package = package.as_ref().map(|p| p.id);
        let id = crate::setup::catalogue::create_period(store, &Actor::demo(), &input).await?;
        periods.push((id, period));
    }
    Ok(periods)
}

/// What the generator needs to know about one municipality.
struct Plan {
    municipality: MunicipalityCode,
    units: Vec<PlannedUnit>,
    /// National tasks for central rows (self-service, website).
    self_service_tasks: Vec<TaskId>,
    digital_post_tasks: Vec<TaskId>,
}

struct PlannedUnit {
    id: UnitId,
    weight: f64,
    tasks: Vec<TaskId>,
    questions: Vec<QuestionRow>,
}

async fn set_up_municipality(
    store: &dyn Store,
    code: MunicipalityCode,
    password_hash: &str,
) -> CoreResult<Plan> {
    let tasks = store.list_tasks(code).await?;
    let package_tasks = match store
        .list_task_packages()
        .await?
        .into_iter()
        .max_by_key(|p| p.year)
    {
        Some(p) => store
            .list_package_tasks(p.id)
            .await?
            .into_iter()
            .map(|t| t.task)
            .collect(),
        None => tasks.clone(),
    };
    let questions = store.list_questions(code).await?;
    let mut units = Vec::new();
    let existing = store.list_units(code).await?;
    if existing.is_empty() {
        if code.get() == 259 {
            set_up_koege(store, code, &package_tasks).await?;
        } else {
            set_up_standard(store, code, &package_tasks).await?;
        }
    }
    let actor = Actor::demo();
    let enable: &[&str] = match code.get() {
        259 => &["gender", "age_band"],
        751 => &["contact_profile", "could_self_serve", "inquiry_minutes"],
        _ => &[],
    };
    for (index, unit) in store.list_units(code).await?.into_iter().enumerate() {
        if unit.password_hash.is_none() {
            setup::set_unit_password_hash(store, &actor, code, unit.id, password_hash).await?;
        }
        let unit_tasks = store.list_unit_tasks(code, unit.id).await?;
        // A hotline unit's registrations are the line's calls (hotline.rs).
        if unit_tasks.is_empty() || store.hotline_of_unit(unit.id).await?.is_some() {
            continue;
        }
        // Optional parameters on the first unit of two municipalities.
        let mut unit_questions = Vec::new();
        if index == 0 {
            unit_questions = questions
                .iter()
                .filter(|q| q.code.as_deref().is_some_and(|c| enable.contains(&c)))
                .cloned()
                .collect();
            if !unit_questions.is_empty() {
                let ids: Vec<_> = unit_questions.iter().map(|q| q.id).collect();
                setup::set_unit_questions(store, &actor, code, unit.id, &ids).await?;
            }
        }
        let weight = STANDARD_UNITS
            .iter()
            .find(|k| unit.login.ends_with(k.login_suffix))
            .map_or(0.04, |k| k.weight);
        units.push(PlannedUnit {
            id: unit.id,
            weight,
            tasks: unit_tasks.iter().map(|t| t.id).collect(),
            questions: unit_questions,
        });
    }
    let find = |kle: &str| {
        package_tasks
            .iter()
            .find(|t| t.kle.as_str() == kle)
            .map(|t| t.id)
    };
    Ok(Plan {
        municipality: code,
        units,
        self_service_tasks: SELF_SERVICE_TASKS.iter().filter_map(|k| find(k)).collect(),
        digital_post_tasks: package_tasks
            .iter()
            .filter(|t| t.kle.as_str().starts_with("32."))
            .map(|t| t.id)
            .collect(),
    })
}

fn tasks_for(kind: &UnitKind, tasks: &[TaskRow]) -> Vec<TaskId> {
    tasks
        .iter()
        .filter(|t| {
            kind.kle_prefixes
                .iter()
                .any(|p| t.kle.as_str().starts_with(p))
        })
        .map(|t| t.id)
        .collect()
}

async fn set_up_standard(
    store: &dyn Store,
    code: MunicipalityCode,
    tasks: &[TaskRow],
) -> CoreResult<()> {
    for kind in STANDARD_UNITS {
        let actor = Actor::demo();
        let department = setup::create_department(store, &actor, code, kind.department).await?;
        let login = format!("{code}{}", kind.login_suffix);
        let unit = setup::create_unit_with(
            store,
            &actor,
            code,
            kind.name,
            &login,
            Some(department),
            None,
        )
        .await?;
        setup::assign_tasks(store, &actor, code, unit, &tasks_for(kind, tasks)).await?;
    }
    Ok(())
}

/// Køge as it counted in autumn 2013: its real unit logins and departments.
async fn set_up_koege(
    store: &dyn Store,
    code: MunicipalityCode,
    tasks: &[TaskRow],
) -> CoreResult<()> {
    let actor = Actor::demo();
    let text = String::from_utf8_lossy(crate::reference::KOEGE_LOGINS);
    let mut departments = Vec::new();
    for line in text.lines().skip(1) {
        let mut cells = line.split(';');
        let (Some(login), Some(role), Some(department)) =
            (cells.next(), cells.next(), cells.next())
        else {
            continue;
        };
        let department_id = match departments.iter().find(|(name, _)| name == department) {
            Some((_, id)) => *id,
            None => {
                let id = setup::create_department(store, &actor, code, department).await?;
                departments.push((department.to_owned(), id));
                id
            }
        };
        // One source row reads "259information Information": the login is the first word.
        let login = login.split_whitespace().next().unwrap_or_default();
        let unit = setup::create_unit_with(
            store,
            &actor,
            code,
            role.trim(),
            login,
            Some(department_id),
            None,
        )
        .await?;
        // Tasks by what the unit's name and department say it does.
        let text = format!("{role} {department}").to_lowercase();
        let kind = if text.contains("borgerservice") || text.contains("sekretariat") {
            &STANDARD_UNITS[0]
        } else if text.contains("ydelse")
            || text.contains("barsel")
            || text.contains("jobcenter")
            || text.contains("besk")
        {
            &STANDARD_UNITS[1]
        } else if text.contains("teknik")
            || text.contains("byg")
            || text.contains("miljø")
            || text.contains("vej")
        {
            &STANDARD_UNITS[2]
        } else if text.contains("børn")
            || text.contains("skole")
            || text.contains("dagtilbud")
            || text.contains("plads")
        {
            &STANDARD_UNITS[3]
        } else {
            &STANDARD_UNITS[4]
        };
        setup::assign_tasks(store, &actor, code, unit, &tasks_for(kind, tasks)).await?;
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
