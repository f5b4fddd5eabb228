//! The authorization matrix: every route of the application, called as
//! every kind of user (each role, a user of another municipality, a user
//! without roles, a unit's shared login, and anonymously), for a
//! municipality they belong to and one they do not. The expected access of
//! each route is written here, independently of the router, and the test
//! first checks that the router has exactly these routes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{code, App, Session, KBH, KOEGE};
use komhen_backend::testing::TestStore;
use komhen_core::accounts::access::Access;
use komhen_domain::{AnswerKind, DepartmentId, KleNumber, Role, TaskCodeKind, UnitId, UserId};
use komhen_store::{NewDepartment, NewLocalTask, NewQuestion};
use komhen_store_conformance::SetupShortcuts;
use std::collections::BTreeSet;

/// What each route requires, written by hand: (method, path, access).
fn expected_routes() -> Vec<(&'static str, &'static str, Access)> {
    use Access::*;
    vec![
        ("GET", "/", Public),
        ("GET", "/kommuner", Public),
        ("GET", "/om", Public),
        ("GET", "/tilgaengelighed", Public),
        ("GET", "/healthz", Public),
        ("GET", "/log-ind", Public),
        ("POST", "/log-ind", Public),
        ("POST", "/log-ud", Public),
        ("GET", "/sprog", Public),
        ("GET", "/adgangskode/{token}", Public),
        ("POST", "/adgangskode/{token}", Public),
        ("GET", "/registrering", Unit),
        ("POST", "/registrering", Unit),
        ("GET", "/registrering/hjaelp", Unit),
        ("GET", "/registrering/skema", Unit),
        ("GET", "/registrering/skema/indtast", Unit),
        ("POST", "/registrering/skema/indtast", Unit),
        ("GET", "/registrering/evaluering/{id}", Unit),
        ("POST", "/registrering/evaluering/{id}", Unit),
        ("POST", "/registrering/{id}/fortryd", Unit),
        ("GET", "/registrering/{id}/ret", Unit),
        ("POST", "/registrering/{id}/ret", Unit),
        ("GET", "/mit", SignedIn),
        ("GET", "/konto", SignedIn),
        ("POST", "/konto/adgangskode", SignedIn),
        ("GET", "/kommune/{kode}", ReadMunicipality),
        ("GET", "/kommune/{kode}/enheder", ReadMunicipality),
        ("POST", "/kommune/{kode}/enheder", SetUpMunicipality),
        ("POST", "/kommune/{kode}/forvaltninger", SetUpMunicipality),
        (
            "POST",
            "/kommune/{kode}/forvaltninger/{forvaltning}",
            SetUpMunicipality,
        ),
        ("GET", "/kommune/{kode}/enheder/{enhed}", ReadMunicipality),
        ("POST", "/kommune/{kode}/enheder/{enhed}", SetUpMunicipality),
        (
            "GET",
            "/kommune/{kode}/enheder/{enhed}/loginkort",
            SetUpMunicipality,
        ),
        (
            "POST",
            "/kommune/{kode}/enheder/{enhed}/adgangskode",
            SetUpMunicipality,
        ),
        (
            "POST",
            "/kommune/{kode}/enheder/{enhed}/opgaver",
            SetUpMunicipality,
        ),
        (
            "POST",
            "/kommune/{kode}/enheder/{enhed}/spoergsmaal",
            SetUpMunicipality,
        ),
        (
            "POST",
            "/kommune/{kode}/enheder/{enhed}/kopier",
            SetUpMunicipality,
        ),
        ("GET", "/kommune/{kode}/opgaver", ReadMunicipality),
        ("POST", "/kommune/{kode}/opgaver", SetUpMunicipality),
        (
            "POST",
            "/kommune/{kode}/opgaver/{opgave}/udgaaet",
            SetUpMunicipality,
        ),
        ("POST", "/kommune/{kode}/spoergsmaal", SetUpMunicipality),
        (
            "POST",
            "/kommune/{kode}/spoergsmaal/{spoergsmaal}/aktiv",
            SetUpMunicipality,
        ),
        ("GET", "/kommune/{kode}/testtilstand", ReadMunicipality),
        ("POST", "/kommune/{kode}/testtilstand", SetUpMunicipality),
        (
            "POST",
            "/kommune/{kode}/testtilstand/slet",
            SetUpMunicipality,
        ),
        ("GET", "/kommune/{kode}/perioder", ReadMunicipality),
        (
            "POST",
            "/kommune/{kode}/perioder/{periode}",
            SetUpMunicipality,
        ),
        ("GET", "/kommune/{kode}/brugere", SetUpMunicipality),
        ("POST", "/kommune/{kode}/brugere", SetUpMunicipality),
        (
            "POST",
            "/kommune/{kode}/brugere/{bruger}/link",
            SetUpMunicipality,
        ),
        (
            "POST",
            "/kommune/{kode}/brugere/{bruger}/fjern-rolle",
            SetUpMunicipality,
        ),
        ("GET", "/kommune/{kode}/log", SetUpMunicipality),
        ("GET", "/kommune/{kode}/indlaes", ReadMunicipality),
        (
            "GET",
            "/kommune/{kode}/kodebog/skabelon.csv",
            SetUpMunicipality,
        ),
        (
            "GET",
            "/kommune/{kode}/kodebog/skabelon.xlsx",
            SetUpMunicipality,
        ),
        ("POST", "/kommune/{kode}/indlaes", SetUpMunicipality),
        ("GET", "/kommune/{kode}/indlaes/{upload}", SetUpMunicipality),
        (
            "POST",
            "/kommune/{kode}/indlaes/{upload}/gem",
            SetUpMunicipality,
        ),
        (
            "POST",
            "/kommune/{kode}/indlaes/{upload}/annuller",
            SetUpMunicipality,
        ),
        (
            "GET",
            "/kommune/{kode}/indlaesninger/{batch}",
            ReadMunicipality,
        ),
        (
            "POST",
            "/kommune/{kode}/indlaesninger/{batch}/slet",
            SetUpMunicipality,
        ),
        ("GET", "/kodebog", Public),
        ("GET", "/kodebog/skabelon.csv", Public),
        ("GET", "/kodebog/skabelon.xlsx", Public),
        ("GET", "/admin", National),
        ("GET", "/admin/opgaver", National),
        ("POST", "/admin/kle", National),
        ("POST", "/admin/opgavepakker", National),
        ("GET", "/admin/opgavepakker/{pakke}", National),
        ("POST", "/admin/opgavepakker/{pakke}/opgaver", National),
        (
            "POST",
            "/admin/opgavepakker/{pakke}/opgaver/{opgave}",
            National,
        ),
        ("POST", "/admin/opgaver/{opgave}/udgaaet", National),
        ("GET", "/admin/perioder", National),
        ("POST", "/admin/perioder", National),
        ("POST", "/admin/perioder/{periode}", National),
        ("GET", "/admin/perioder/{periode}/offentliggoer", National),
        ("POST", "/admin/perioder/{periode}/offentliggoer", National),
        ("GET", "/admin/rettelser", National),
        ("POST", "/admin/rettelser/{indlaesning}/godkend", National),
        ("POST", "/admin/rettelser/{indlaesning}/afvis", National),
        ("GET", "/admin/priser", National),
        ("POST", "/admin/priser", National),
        ("POST", "/admin/priser/{pris}/fjern", National),
        ("GET", "/kommune/{kode}/priser", ReadMunicipality),
        ("POST", "/kommune/{kode}/priser", SetUpMunicipality),
        (
            "POST",
            "/kommune/{kode}/priser/{pris}/fjern",
            SetUpMunicipality,
        ),
        ("GET", "/admin/kodelister", National),
        ("POST", "/admin/kodelister/kanaler", National),
        (
            "POST",
            "/admin/kodelister/henvendelsestyper/{henvendelsestype}",
            National,
        ),
        (
            "POST",
            "/admin/kodelister/afslutninger/{afslutning}",
            National,
        ),
        ("GET", "/admin/brugere", National),
        ("POST", "/admin/brugere", National),
        ("POST", "/admin/brugere/{bruger}/link", National),
        ("POST", "/admin/brugere/{bruger}/fjern-rolle", National),
        ("POST", "/admin/brugere/{bruger}/aktiv", National),
        ("GET", "/admin/log", National),
        ("GET", "/kommune/{kode}/hjemmeside", ReadMunicipality),
        (
            "POST",
            "/kommune/{kode}/hjemmeside/sider",
            SetUpMunicipality,
        ),
        (
            "POST",
            "/kommune/{kode}/hjemmeside/sider/fjern",
            SetUpMunicipality,
        ),
        (
            "POST",
            "/kommune/{kode}/hjemmeside/forhaandsvisning",
            SetUpMunicipality,
        ),
        (
            "POST",
            "/kommune/{kode}/hjemmeside/indlaes",
            SetUpMunicipality,
        ),
        (
            "POST",
            "/kommune/{kode}/hjemmeside/filer/slet",
            SetUpMunicipality,
        ),
        (
            "POST",
            "/kommune/{kode}/hjemmeside/centrale-data",
            SetUpMunicipality,
        ),
        ("GET", "/admin/central", National),
        ("POST", "/admin/central/forhaandsvisning", National),
        ("POST", "/admin/central/indlaes", National),
        ("POST", "/admin/central/slet", National),
        ("GET", "/kommune/{kode}/systemer", SetUpMunicipality),
        ("POST", "/kommune/{kode}/systemer", SetUpMunicipality),
        (
            "POST",
            "/kommune/{kode}/systemer/{system}/tilbagekald",
            SetUpMunicipality,
        ),
        ("POST", "/api/v1/registrations", System),
        ("GET", "/api/v1/openapi.json", Public),
        ("GET", "/kommune/{kode}/totaltal", ReadMunicipality),
        (
            "GET",
            "/kommune/{kode}/totaltal/skabelon.csv",
            ReadMunicipality,
        ),
        ("POST", "/kommune/{kode}/totaltal", SetUpMunicipality),
        ("POST", "/kommune/{kode}/totaltal/fil", SetUpMunicipality),
        (
            "POST",
            "/kommune/{kode}/totaltal/telefoni",
            SetUpMunicipality,
        ),
        (
            "POST",
            "/kommune/{kode}/totaltal/telefoni/regler",
            SetUpMunicipality,
        ),
        (
            "POST",
            "/kommune/{kode}/totaltal/telefoni/regler/{regel}/slet",
            SetUpMunicipality,
        ),
        (
            "POST",
            "/kommune/{kode}/totaltal/{indlaesning}/gem",
            SetUpMunicipality,
        ),
        (
            "POST",
            "/kommune/{kode}/totaltal/{indlaesning}/slet",
            SetUpMunicipality,
        ),
        ("GET", "/admin/totaltal", National),
        ("GET", "/admin/totaltal/skabelon.csv", National),
        ("POST", "/admin/totaltal/fil", National),
        ("POST", "/admin/totaltal/{indlaesning}/gem", National),
        ("POST", "/admin/totaltal/{indlaesning}/slet", National),
        ("GET", "/kommune/{kode}/tal", ReadMunicipality),
        ("GET", "/kommune/{kode}/tal/rapporter", ReadMunicipality),
        (
            "GET",
            "/kommune/{kode}/tal/rapporter/{rapport}",
            ReadMunicipality,
        ),
        ("GET", "/kommune/{kode}/tal/pivot", ReadMunicipality),
        (
            "GET",
            "/kommune/{kode}/tal/registreringer",
            ReadMunicipality,
        ),
        ("GET", "/kommune/{kode}/tal/beretning", ReadMunicipality),
        ("POST", "/kommune/{kode}/tal/beretning", SetUpMunicipality),
        ("GET", "/kommune/{kode}/tal/tabel.csv", ReadMunicipality),
        ("GET", "/kommune/{kode}/tal/tabel.xlsx", ReadMunicipality),
        ("GET", "/kommune/{kode}/tal/udtraek", ReadMunicipality),
        ("GET", "/kommune/{kode}/tal/udtraek.csv", ReadMunicipality),
        ("GET", "/kommune/{kode}/tal/udtraek.xlsx", ReadMunicipality),
        (
            "GET",
            "/kommune/{kode}/tal/udtraek-kodebog.csv",
            ReadMunicipality,
        ),
        ("GET", "/api/v1/report", ReadReports),
        ("GET", "/api/v1/savings", ReadReports),
        ("GET", "/api/v1/strategy", ReadReports),
        ("GET", "/kommune/{kode}/besparelser", ReadMunicipality),
        ("GET", "/kommune/{kode}/besparelser.xlsx", ReadMunicipality),
        ("POST", "/kommune/{kode}/besparelser/gem", SetUpMunicipality),
        (
            "POST",
            "/kommune/{kode}/besparelser/{scenarie}/fjern",
            SetUpMunicipality,
        ),
        ("GET", "/kommune/{kode}/strategi", ReadMunicipality),
        ("POST", "/kommune/{kode}/strategi/maal", SetUpMunicipality),
        (
            "POST",
            "/kommune/{kode}/strategi/maal/{maal}/fjern",
            SetUpMunicipality,
        ),
        (
            "POST",
            "/kommune/{kode}/strategi/initiativer",
            SetUpMunicipality,
        ),
        (
            "POST",
            "/kommune/{kode}/strategi/initiativer/{initiativ}/fjern",
            SetUpMunicipality,
        ),
        ("GET", "/kommune/{kode}/sammenligning", ReadMunicipality),
        ("POST", "/kommune/{kode}/sammenligning", SetUpMunicipality),
        ("GET", "/kommuner/{kode}", Public),
        ("GET", "/rangliste", Public),
        ("GET", "/landstal", Public),
        ("GET", "/static/geo/kommuner.geojson", Public),
        ("GET", "/api/v1/public/periods", Public),
        ("GET", "/api/v1/public/metrics", Public),
        ("GET", "/api/v1/public/savings", Public),
        ("GET", "/kommune/{kode}/tjekliste", ReadMunicipality),
        ("GET", "/admin/indberetninger", National),
        ("POST", "/admin/indberetninger/frister", National),
        ("GET", "/admin/udbakke", National),
        ("POST", "/admin/udbakke/paamindelser", National),
        ("GET", "/kommune/{kode}/udbakke", SetUpMunicipality),
        (
            "GET",
            "/kommune/{kode}/spoergeskema/{skema}",
            SetUpMunicipality,
        ),
        (
            "POST",
            "/kommune/{kode}/spoergeskema/{skema}",
            SetUpMunicipality,
        ),
        (
            "POST",
            "/kommune/{kode}/spoergeskema/{skema}/send",
            SetUpMunicipality,
        ),
        (
            "GET",
            "/kommune/{kode}/spoergeskema/{skema}/resultater",
            SetUpMunicipality,
        ),
        ("GET", "/admin/spoergeskemaer", National),
        ("POST", "/admin/spoergeskemaer", National),
        ("POST", "/admin/spoergeskemaer/evaluering", National),
        ("GET", "/admin/spoergeskemaer/{skema}", National),
        ("POST", "/admin/spoergeskemaer/{skema}", National),
        ("POST", "/admin/spoergeskemaer/{skema}/tilstand", National),
        (
            "POST",
            "/admin/spoergeskemaer/{skema}/spoergsmaal",
            National,
        ),
        (
            "POST",
            "/admin/spoergeskemaer/{skema}/spoergsmaal/{spoergsmaal}/fjern",
            National,
        ),
        (
            "POST",
            "/admin/spoergeskemaer/{skema}/spoergsmaal/{spoergsmaal}/flyt",
            National,
        ),
        ("GET", "/admin/spoergeskemaer/{skema}/resultater", National),
        ("GET", "/admin/hotlines", National),
        ("POST", "/admin/hotlines", National),
        ("GET", "/hotline/{linje}", ReadHotline),
        ("POST", "/hotline/{linje}/indstillinger", SetUpHotline),
        ("POST", "/hotline/{linje}/koeer", SetUpHotline),
        ("POST", "/hotline/{linje}/medlemmer", SetUpHotline),
        ("POST", "/hotline/{linje}/medlemmer/afslut", SetUpHotline),
        ("POST", "/hotline/{linje}/aabningstid", SetUpHotline),
        ("POST", "/hotline/{linje}/enheder", SetUpHotline),
        ("POST", "/hotline/{linje}/enheder/fjern", SetUpHotline),
        ("POST", "/hotline/{linje}/roller", SetUpHotline),
        ("POST", "/hotline/{linje}/roller/fjern", SetUpHotline),
        ("POST", "/hotline/{linje}/priser", SetUpHotline),
        ("POST", "/hotline/{linje}/priser/fjern", SetUpHotline),
        ("GET", "/hotline/{linje}/opkald", ReadHotline),
        ("POST", "/hotline/{linje}/opkald", SetUpHotline),
        ("POST", "/hotline/{linje}/opkald/indlaes", SetUpHotline),
        ("GET", "/hotline/{linje}/tal", ReadHotline),
        ("GET", "/hotline/{linje}/bemanding", ReadHotline),
        ("POST", "/hotline/{linje}/vagter", SetUpHotline),
        ("POST", "/hotline/{linje}/vagter/fjern", SetUpHotline),
        ("GET", "/hotline/{linje}/opgoerelser", ReadHotline),
        ("POST", "/hotline/{linje}/opgoerelser", SetUpHotline),
        (
            "POST",
            "/hotline/{linje}/opgoerelser/forhaandsvisning",
            SetUpHotline,
        ),
        (
            "GET",
            "/hotline/{linje}/opgoerelser/{opgoerelse}",
            ReadHotline,
        ),
        ("GET", "/hotline/{linje}/plan", ReadHotline),
        ("GET", "/hotline/{linje}/log", ReadHotline),
    ]
}

#[tokio::test]
async fn the_router_has_exactly_the_routes_this_test_expects() {
    let db = TestStore::new().await;
    let table: BTreeSet<(String, String, String)> = komhen_web::route_table(db.store.clone())
        .into_iter()
        .map(|r| (r.method.into(), r.path.into(), format!("{:?}", r.access)))
        .collect();
    let expected: BTreeSet<(String, String, String)> = expected_routes()
        .into_iter()
        .map(|(m, p, a)| (m.into(), p.into(), format!("{a:?}")))
        .collect();
    let missing: Vec<_> = expected.difference(&table).collect();
    let unexpected: Vec<_> = table.difference(&expected).collect();
    assert!(
        missing.is_empty() && unexpected.is_empty(),
        "expected but not registered (or with another access): {missing:#?}\n\
         registered but not expected here: {unexpected:#?}"
    );
}

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Anonymous,
    /// Køge's unit A, by its shared login.
    Unit,
    NationalAdmin,
    /// Coordinator of Køge.
    Coordinator,
    /// Coordinator of København: a user of another municipality.
    OtherCoordinator,
    /// Unit lead of Køge's unit A (not of unit B).
    UnitLead,
    /// Analyst of Køge.
    Analyst,
    NationalAnalyst,
    /// A personal user with no role.
    NoRole,
}

/// Where a route is called: Køge with unit A, Køge with unit B, or
/// København with its unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    KoegeUnitA,
    KoegeUnitB,
    Copenhagen,
}

/// Whether `caller` may use a route of `access` at `place`: the rule as the
/// method states it, written out.
fn may(caller: Caller, access: Access, place: Place) -> bool {
    use Caller::*;
    let koege = place != Place::Copenhagen;
    match access {
        Access::Public => true,
        Access::Unit => caller == Unit,
        Access::SignedIn => !matches!(caller, Anonymous | Unit),
        Access::ReadMunicipality => match caller {
            NationalAdmin | NationalAnalyst => true,
            Coordinator | Analyst => koege,
            UnitLead => place == Place::KoegeUnitA,
            OtherCoordinator => !koege,
            Anonymous | Unit | NoRole => false,
        },
        Access::SetUpMunicipality => match caller {
            NationalAdmin => true,
            Coordinator => koege,
            OtherCoordinator => !koege,
            _ => false,
        },
        Access::ReadNational => matches!(caller, NationalAdmin | NationalAnalyst),
        Access::ReadReports => !matches!(caller, Anonymous | Unit | NoRole),
        Access::National => caller == NationalAdmin,
        // Only a system's bearer token: no session of any kind.
        Access::System => false,
        // The hotline at Køge's places has Køge as a member, the one at
        // København's has København: a member's coordinator reads it, a
        // unit lead or an analyst does not, and only the national
        // administrator (or the line's own administrator) sets it up.
        Access::ReadHotline => match caller {
            NationalAdmin => true,
            Coordinator => koege,
            OtherCoordinator => !koege,
            _ => false,
        },
        Access::SetUpHotline => caller == NationalAdmin,
    }
}

/// Ids the paths are filled with.
struct Fixture {
    koege_unit_a: UnitId,
    koege_unit_b: UnitId,
    kbh_unit: UnitId,
    koege_department: i64,
    kbh_department: i64,
    koege_task: i64,
    kbh_task: i64,
    koege_question: i64,
    kbh_question: i64,
    period: i64,
    package: i64,
    national_task: i64,
    /// A user acted on by the user routes: not one of the callers.
    koege_victim: UserId,
    kbh_victim: UserId,
    registration: i64,
    koege_system: i64,
    kbh_system: i64,
    /// A hotline with Køge as member, and one with København.
    koege_line: i64,
    kbh_line: i64,
}

/// A hotline with the municipality as a member since 2020.
async fn hotline_with(store: &dyn komhen_store::Store, name: &str, m: u16) -> i64 {
    use komhen_core::hotline::admin;
    let actor = komhen_core::accounts::access::Actor::command_line();
    let id = admin::create(
        store,
        &actor,
        admin::default_settings(name),
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let line = admin::load(store, id).await.unwrap();
    admin::add_member(
        store,
        &actor,
        &line,
        komhen_store::HotlineMember {
            municipality: code(m),
            kind: komhen_domain::hotline::MemberKind::StaffsAndPays,
            joined_on: chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
            left_on: None,
        },
    )
    .await
    .unwrap();
    id.0
}

async fn fixture(app: &App) -> Fixture {
    let store = app.store();
    let dept = |m: u16| async move {
        store
            .create_department(&NewDepartment {
                municipality: code(m),
                name: "Borgerservice".into(),
            })
            .await
            .unwrap()
            .0
    };
    let koege_department = dept(KOEGE).await;
    let kbh_department = dept(KBH).await;
    let koege_unit_a = app
        .add_unit(KOEGE, "259a", Some(DepartmentId(koege_department)))
        .await;
    let koege_unit_b = app
        .add_unit(KOEGE, "259b", Some(DepartmentId(koege_department)))
        .await;
    let kbh_unit = app
        .add_unit(KBH, "101a", Some(DepartmentId(kbh_department)))
        .await;
    let local = |m: u16| async move {
        store
            .create_local_task(&NewLocalTask {
                municipality: code(m),
                kle: KleNumber::parse("27.24.00").unwrap(),
                kind: TaskCodeKind::Topic,
                name: "Egen opgave".into(),
            })
            .await
            .unwrap()
    };
    let koege_task = local(KOEGE).await;
    let kbh_task = local(KBH).await;
    let question = |m: u16, task| async move {
        store
            .create_question(&NewQuestion {
                municipality: Some(code(m)),
                code: None,
                task: Some(task),
                label_da: "Hvilken slags?".into(),
                label_en: "Which kind?".into(),
                answer_kind: AnswerKind::Choice,
                sort_order: 1,
                options: vec![],
            })
            .await
            .unwrap()
            .0
    };
    let koege_question = question(KOEGE, koege_task).await;
    let kbh_question = question(KBH, kbh_task).await;
    store
        .assign_tasks(code(KOEGE), koege_unit_a, &[koege_task])
        .await
        .unwrap();
    let period = store.list_periods(None).await.unwrap();
    let package = store.list_task_packages().await.unwrap();
    let national_task = store.list_national_tasks().await.unwrap();
    let koege_victim = app
        .add_user("offer@koege.dk", &[(Role::Analyst, Some(KOEGE), None)])
        .await;
    let kbh_victim = app
        .add_user("offer@kk.dk", &[(Role::Analyst, Some(KBH), None)])
        .await;
    let registration = store
        .insert_registration(&komhen_domain::NewRegistration {
            municipality: code(KOEGE),
            unit: Some(koege_unit_a),
            task: koege_task,
            channel: komhen_domain::ChannelCode::parse("TLFIND").unwrap(),
            inquiry_type: Some(komhen_domain::InquiryType::Guidance),
            completion: Some(komhen_domain::Completion::AtOnce),
            has_form: None,
            registered_at: chrono::Utc::now(),
            duration_ms: None,
            quantity: 1,
            source: komhen_domain::Source::Tool,
            is_test: false,
            idempotency_key: None,
            answers: vec![],
        })
        .await
        .unwrap()
        .id()
        .0;
    let system = |m: u16| async move {
        komhen_core::setup::systems::issue_token(
            store,
            &komhen_core::accounts::access::Actor::command_line(),
            code(m),
            "Kø-system",
        )
        .await
        .unwrap()
        .id
        .0
    };
    let koege_system = system(KOEGE).await;
    let kbh_system = system(KBH).await;
    let koege_line = hotline_with(store, "Køges linje", KOEGE).await;
    let kbh_line = hotline_with(store, "Københavns linje", KBH).await;
    Fixture {
        koege_line,
        kbh_line,
        koege_unit_a,
        koege_unit_b,
        kbh_unit,
        koege_department,
        kbh_department,
        koege_task: koege_task.0,
        kbh_task: kbh_task.0,
        koege_question,
        kbh_question,
        period: period.first().map_or(1, |p| p.id.0),
        package: package.first().map_or(1, |p| p.id.0),
        national_task: national_task.first().map_or(1, |t| t.id.0),
        koege_victim,
        kbh_victim,
        registration,
        koege_system,
        kbh_system,
    }
}

impl Fixture {
    fn path(&self, template: &str, place: Place) -> String {
        let koege = place != Place::Copenhagen;
        let system = if koege {
            self.koege_system
        } else {
            self.kbh_system
        };
        let (m, unit, dept, task, question, victim) = if koege {
            (
                KOEGE,
                if place == Place::KoegeUnitA {
                    self.koege_unit_a
                } else {
                    self.koege_unit_b
                },
                self.koege_department,
                self.koege_task,
                self.koege_question,
                self.koege_victim,
            )
        } else {
            (
                KBH,
                self.kbh_unit,
                self.kbh_department,
                self.kbh_task,
                self.kbh_question,
                self.kbh_victim,
            )
        };
        let line = if koege {
            self.koege_line
        } else {
            self.kbh_line
        };
        let admin_task = template.starts_with("/admin");
        template
            .replace("{kode}", &m.to_string())
            .replace("{enhed}", &unit.0.to_string())
            .replace("{forvaltning}", &dept.to_string())
            .replace(
                "{opgave}",
                &if admin_task { self.national_task } else { task }.to_string(),
            )
            .replace("{spoergsmaal}", &question.to_string())
            .replace("{periode}", &self.period.to_string())
            .replace("{bruger}", &victim.0.to_string())
            .replace("{pakke}", &self.package.to_string())
            .replace("{token}", &"0".repeat(64))
            .replace("{id}", &self.registration.to_string())
            .replace("{upload}", &"0".repeat(64))
            .replace("{batch}", "999999")
            .replace("{henvendelsestype}", "VEJL")
            .replace("{afslutning}", "STRAKS")
            .replace("{system}", &system.to_string())
            // No such batch or rule: the handler answers, access decided first.
            .replace("{indlaesning}", "999999")
            .replace("{regel}", "999999")
            .replace("{rapport}", "kanalmiks")
            .replace("{linje}", &line.to_string())
            .replace("{opgoerelse}", "999999")
            .replace("{skema}", "999999")
    }
}

/// A fresh application with the fixture and, for the caller, a session.
async fn app_for(caller: Caller) -> (App, Fixture, Option<Session>) {
    let app = App::new().await;
    let store = app.store();
    let f = fixture(&app).await;
    let email = match caller {
        Caller::Anonymous => None,
        Caller::Unit => {
            let s = app.session("259a", "/registrering").await;
            return (app, f, Some(s));
        }
        Caller::NationalAdmin => Some(
            app.add_user("admin@komhen.dk", &[(Role::NationalAdmin, None, None)])
                .await,
        ),
        Caller::Coordinator => Some(
            app.add_user(
                "tovholder@koege.dk",
                &[(Role::Coordinator, Some(KOEGE), None)],
            )
            .await,
        ),
        Caller::OtherCoordinator => Some(
            app.add_user("tovholder@kk.dk", &[(Role::Coordinator, Some(KBH), None)])
                .await,
        ),
        Caller::UnitLead => Some(
            app.add_user(
                "leder@koege.dk",
                &[(Role::UnitLead, Some(KOEGE), Some(f.koege_unit_a))],
            )
            .await,
        ),
        Caller::Analyst => Some(
            app.add_user("analytiker@koege.dk", &[(Role::Analyst, Some(KOEGE), None)])
                .await,
        ),
        Caller::NationalAnalyst => Some(
            app.add_user("analytiker@komhen.dk", &[(Role::Analyst, None, None)])
                .await,
        ),
        Caller::NoRole => Some(app.add_user("ingen@koege.dk", &[]).await),
    };
    let session = match email {
        Some(id) => {
            let email = store.get_user(id).await.unwrap().unwrap().email;
            Some(app.session(&email, "/konto").await)
        }
        None => None,
    };
    (app, f, session)
}

/// How the application answered.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// Sent to the login page (anonymous, or the wrong kind of session).
    ToLogin,
    /// 403: signed in, but not allowed.
    Refused,
    /// 401: a system route without a system's bearer token.
    NoToken,
    /// Anything else below 500: the handler ran.
    Served(StatusCode),
}

async fn call(app: &App, method: &str, path: &str, session: Option<&Session>) -> Outcome {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(s) = session {
        request = request.header(header::COOKIE, &s.cookie);
    }
    let body = if method == "POST" {
        request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        format!(
            "csrf={}",
            session.map(|s| s.csrf.as_str()).unwrap_or_default()
        )
    } else {
        String::new()
    };
    let reply = app.send(request.body(Body::from(body)).unwrap()).await;
    let (status, location, body) = (reply.status, reply.location, reply.body);
    assert!(
        status.as_u16() < 500,
        "{method} {path} as {:?}: {status}\n{body}",
        session.map(|s| &s.cookie)
    );
    if status == StatusCode::SEE_OTHER && location.starts_with("/log-ind") {
        Outcome::ToLogin
    } else if status == StatusCode::FORBIDDEN {
        Outcome::Refused
    } else if status == StatusCode::UNAUTHORIZED {
        Outcome::NoToken
    } else {
        Outcome::Served(status)
    }
}

/// Walks every route as one caller at every place.
async fn walk(caller: Caller) {
    let (app, f, session) = app_for(caller).await;
    // Logging out ends the session: walk it last.
    let mut routes = expected_routes();
    routes.sort_by_key(|(_, path, _)| *path == "/log-ud");
    let mut checked = 0;
    for (method, template, access) in routes {
        let places: &[Place] = if template.contains("{enhed}") {
            &[Place::KoegeUnitA, Place::KoegeUnitB, Place::Copenhagen]
        } else if template.contains("{kode}") || template.contains("{linje}") {
            &[Place::KoegeUnitA, Place::Copenhagen]
        } else {
            &[Place::KoegeUnitA]
        };
        for place in places {
            let path = f.path(template, *place);
            let mut outcome = call(&app, method, &path, session.as_ref()).await;
            if outcome == Outcome::NoToken && access != Access::System && path.starts_with("/api/")
            {
                // A personal API route tells a caller without a session
                // 401 in JSON where a page would send it to log in.
                outcome = Outcome::ToLogin;
            }
            if access == Access::Public {
                checked += 1;
                continue;
            }
            let allowed = may(caller, access, *place);
            if access == Access::System {
                // A session or unit login never opens a system route: 401.
                assert_eq!(outcome, Outcome::NoToken, "{method} {path} as {caller:?}");
                checked += 1;
                continue;
            }
            match (&outcome, allowed) {
                (Outcome::Served(_), true) => {}
                (Outcome::ToLogin, false) | (Outcome::Refused, false) => {
                    // Anonymous callers and the wrong kind of session are sent
                    // to log in; signed-in users without the role get a 403.
                    let signed_in_user = !matches!(caller, Caller::Anonymous | Caller::Unit);
                    if access != Access::Unit {
                        assert_eq!(
                            outcome == Outcome::Refused,
                            signed_in_user,
                            "{method} {path} as {caller:?}: {outcome:?}"
                        );
                    }
                }
                _ => panic!(
                    "{method} {path} as {caller:?}: expected {}, got {outcome:?}",
                    if allowed { "access" } else { "no access" }
                ),
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked} calls");
}

#[tokio::test]
async fn anonymous_callers_reach_only_public_pages() {
    walk(Caller::Anonymous).await;
}

#[tokio::test]
async fn a_unit_login_reaches_only_the_registration_tool() {
    walk(Caller::Unit).await;
}

#[tokio::test]
async fn the_national_administrator_reaches_everything_but_the_unit_tool() {
    walk(Caller::NationalAdmin).await;
}

#[tokio::test]
async fn a_coordinator_sets_up_only_their_own_municipality() {
    walk(Caller::Coordinator).await;
}

#[tokio::test]
async fn a_coordinator_of_another_municipality_gets_nothing_here() {
    walk(Caller::OtherCoordinator).await;
}

#[tokio::test]
async fn a_unit_lead_reads_only_their_own_unit() {
    walk(Caller::UnitLead).await;
}

#[tokio::test]
async fn an_analyst_reads_their_municipality_and_changes_nothing() {
    walk(Caller::Analyst).await;
}

#[tokio::test]
async fn a_national_analyst_reads_every_municipality_and_changes_nothing() {
    walk(Caller::NationalAnalyst).await;
}

#[tokio::test]
async fn a_user_without_roles_reaches_only_their_own_account() {
    walk(Caller::NoRole).await;
}
