//! Every set-up journey through its real route, in-process on the test
//! backend: changing one's own password; users invited, given new links,
//! stripped of roles and deactivated from a municipality's page and the
//! national one; the code lists; task packages and retired tasks;
//! counting periods nationally and in a municipality; renamed
//! departments; questions switched off and on; a cancelled upload; and the
//! public list of periods. Each journey checks the answer (status, where it
//! leads, the Danish message), what was stored, and the audit entry, and
//! the refusals a person would meet: a wrong or short password, a form
//! without its token, another municipality's coordinator.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

mod common;

use axum::http::StatusCode;
use common::{code, koege, App, Reply, Session, KBH, KOEGE, PASSWORD};
use komhen_domain::{
    ChannelCode, CountingPeriod, Direction, KleNumber, Medium, PeriodId, Role, Season,
    TaskCodeKind, TaskId, UnitId, UserId,
};
use komhen_store::{PeriodRow, RegistrationFilter, RoleGrantRow, Store};

// --- who acts ---------------------------------------------------------------------

const ADMIN: &str = "admin@komhen.dk";
const KIM: &str = "tovholder@koege.dk";
const KBH_COORDINATOR: &str = "tovholder@kk.dk";

/// The national administrator, signed in.
async fn admin(app: &App) -> Session {
    app.add_user(ADMIN, &[(Role::NationalAdmin, None, None)])
        .await;
    app.session(ADMIN, "/admin").await
}

/// Kim, Køge's coordinator, signed in.
async fn kim(app: &App) -> Session {
    app.add_user(KIM, &[(Role::Coordinator, Some(KOEGE), None)])
        .await;
    app.session(KIM, "/kommune/259").await
}

/// København's coordinator, signed in: another municipality's.
async fn copenhagen(app: &App) -> Session {
    app.add_user(KBH_COORDINATOR, &[(Role::Coordinator, Some(KBH), None)])
        .await;
    app.session(KBH_COORDINATOR, "/kommune/101").await
}

/// What the audit log says `actor` did: (action, entity, entity id),
/// newest first; `municipality` None reads the whole log.
async fn audited(
    app: &App,
    municipality: Option<u16>,
    actor: &str,
) -> Vec<(String, String, String)> {
    app.store()
        .list_audit(municipality.map(code), 1_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.entry.actor == format!("bruger:{actor}"))
        .map(|a| (a.entry.action, a.entry.entity, a.entry.entity_id))
        .collect()
}

fn entry(action: &str, entity: &str, id: impl ToString) -> (String, String, String) {
    (action.into(), entity.into(), id.to_string())
}

/// A change answered with a redirect to `to`: the page it leads to.
async fn follow(app: &App, reply: &Reply, cookie: &str, to: &str) -> Reply {
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(reply.location, to);
    let page = app.get(to, cookie).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page
}

/// What a change naming another municipality's task, question or unit is
/// told: nothing of that name is there.
const NOT_THERE: &str = "Noget, ændringen nævner, findes ikke (længere) i kommunen.";

/// A refused form: the status and the message on the page.
fn refused(reply: &Reply, says: &str) {
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert!(reply.body.contains(says), "«{says}» in {}", reply.body);
}

// --- what is stored -------------------------------------------------------------------

async fn password_hash(store: &dyn Store, user: UserId) -> Option<String> {
    store.get_user(user).await.unwrap().unwrap().password_hash
}

async fn roles(store: &dyn Store, user: UserId) -> Vec<RoleGrantRow> {
    store.list_user_roles(user).await.unwrap()
}

async fn user_named(store: &dyn Store, email: &str) -> komhen_store::UserRow {
    store
        .find_user_by_email(email)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no user {email}"))
}

async fn period_named(store: &dyn Store, name: &str) -> PeriodRow {
    store
        .list_periods(None)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.period.name == name)
        .unwrap_or_else(|| panic!("no period {name}"))
}

async fn period(store: &dyn Store, id: PeriodId) -> PeriodRow {
    store
        .list_periods(None)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.id == id)
        .unwrap()
}

async fn task(store: &dyn Store, id: TaskId) -> komhen_store::TaskRow {
    store
        .list_tasks(koege())
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.id == id)
        .unwrap()
}

async fn koege_rows(store: &dyn Store) -> Vec<komhen_store::RegistrationRow> {
    store
        .list_registrations(koege(), &RegistrationFilter::default())
        .await
        .unwrap()
}

/// The first mandatory task of the newest task package.
async fn mandatory_task(store: &dyn Store) -> TaskId {
    let package = store.list_task_packages().await.unwrap().pop().unwrap();
    store
        .list_package_tasks(package.id)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.mandatory)
        .unwrap()
        .task
        .id
}

// --- pages ---------------------------------------------------------------------------

/// The token of the one-time link a users page shows.
fn link_token(html: &str) -> String {
    html.split(r#"<code id="link-url">"#)
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .and_then(|url| url.split("/adgangskode/").nth(1))
        .unwrap_or_else(|| panic!("no link in {html}"))
        .to_owned()
}

/// The invitation form of an analyst, ny@koege.dk, with this token.
fn invitation(csrf: &str) -> [(&str, &str); 4] {
    [
        ("csrf", csrf),
        ("email", "ny@koege.dk"),
        ("name", "Ny Person"),
        ("role", "analyst"),
    ]
}

/// A unit's registration page, as its registrant sees it now.
async fn registration_page(app: &App, unit: &Session) -> String {
    let page = app.get("/registrering", &unit.cookie).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.body
}

fn offers_task(page: &str, task: TaskId) -> bool {
    page.contains(&format!(r#"id="task-{task}""#))
}

/// Gives a unit these tasks through its page.
async fn assign(app: &App, coordinator: &Session, unit: UnitId, tasks: &[TaskId]) {
    let ids: Vec<String> = tasks.iter().map(|t| t.0.to_string()).collect();
    let mut form = vec![("csrf", coordinator.csrf.as_str())];
    form.extend(ids.iter().map(|t| ("task", t.as_str())));
    let saved = app
        .post(
            &format!("/kommune/259/enheder/{unit}/opgaver"),
            &coordinator.cookie,
            &form,
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
}

/// One inquiry registered by a unit on a task, through the tool.
async fn register(app: &App, unit: &Session, task: TaskId, key: &str) -> Reply {
    let task = task.0.to_string();
    app.post(
        "/registrering",
        &unit.cookie,
        &[
            ("csrf", &unit.csrf),
            ("idempotency_key", key),
            ("direction", "in"),
            ("channel", "TLFIND"),
            ("task", &task),
            ("inquiry_type", "VEJL"),
            ("completion", "STRAKS"),
        ],
    )
    .await
}

/// A national period with its own dates, made on the periods page.
async fn custom_period(app: &App, admin: &Session, name: &str, from: &str, to: &str) -> PeriodRow {
    let made = app
        .post(
            "/admin/perioder",
            &admin.cookie,
            &[
                ("csrf", &admin.csrf),
                ("kind", "custom"),
                ("name", name),
                ("starts_on", from),
                ("ends_on", to),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    period_named(app.store(), name).await
}

// --- one's own password ------------------------------------------------------------------

/// A user changes their own password at /konto: the old one and the session end, the new one logs in.
#[tokio::test]
async fn a_user_changes_their_own_password_and_logs_in_with_the_new_one() {
    let app = App::new().await;
    let store = app.store();
    let email = "analytiker@koege.dk";
    let id = app
        .add_user(email, &[(Role::Analyst, Some(KOEGE), None)])
        .await;
    let me = app.session(email, "/konto").await;
    let page = app.get("/konto", &me.cookie).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page
        .body
        .contains(r#"<dd id="account-email">analytiker@koege.dk</dd>"#));
    assert!(page.body.contains("Skift adgangskode"));
    let before = password_hash(store, id).await;
    let new = "en helt ny sætning";

    // What a person gets wrong: each refused on the page, nothing stored.
    for (current, chosen, repeated, says) in [
        (
            "ikke den rigtige",
            new,
            new,
            "Den nuværende adgangskode er forkert.",
        ),
        (
            PASSWORD,
            "kort",
            "kort",
            "Adgangskoden skal være mindst 10 tegn.",
        ),
        (
            PASSWORD,
            new,
            "en anden sætning",
            "De to nye adgangskoder er ikke ens.",
        ),
        (
            PASSWORD,
            email,
            email,
            "Adgangskoden må ikke være din e-mailadresse.",
        ),
    ] {
        let reply = app
            .post(
                "/konto/adgangskode",
                &me.cookie,
                &[
                    ("csrf", &me.csrf),
                    ("current", current),
                    ("new", chosen),
                    ("repeated", repeated),
                ],
            )
            .await;
        refused(&reply, says);
        assert_eq!(password_hash(store, id).await, before, "{says}");
    }
    // A form without the session's token changes nothing either.
    let forged = app
        .post(
            "/konto/adgangskode",
            &me.cookie,
            &[("current", PASSWORD), ("new", new), ("repeated", new)],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    assert_eq!(password_hash(store, id).await, before);
    assert_eq!(
        app.get("/konto", &me.cookie).await.status,
        StatusCode::OK,
        "a refusal keeps the session"
    );

    let changed = app
        .post(
            "/konto/adgangskode",
            &me.cookie,
            &[
                ("csrf", &me.csrf),
                ("current", PASSWORD),
                ("new", new),
                ("repeated", new),
            ],
        )
        .await;
    let login = follow(&app, &changed, "", "/log-ind?besked=adgangskode").await;
    assert!(login.body.contains("Din adgangskode er skiftet."));
    assert_ne!(password_hash(store, id).await, before);

    // The session ends; the old password fails, the new one works.
    let ended = app.get("/konto", &me.cookie).await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER);
    assert!(ended.location.starts_with("/log-ind"), "{}", ended.location);
    let old = app.log_in(email, PASSWORD).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    assert!(old.body.contains("Forkert login eller adgangskode."));
    let fresh = app.log_in(email, new).await;
    assert_eq!(fresh.status, StatusCode::SEE_OTHER, "{}", fresh.body);
    assert_eq!(fresh.location, "/kommune/259");

    // One change in the audit log, without the password.
    assert_eq!(
        audited(&app, None, email).await,
        [entry("change_password", "user", id)]
    );
    let log = store.list_audit(None, 100).await.unwrap();
    assert!(log.iter().all(|a| {
        !a.entry
            .after_json
            .as_deref()
            .unwrap_or_default()
            .contains(new)
            && !a
                .entry
                .before_json
                .as_deref()
                .unwrap_or_default()
                .contains(new)
    }));
}

// --- users from a municipality's page ---------------------------------------------------

/// A coordinator invites a unit lead from Køge's users page, hands out a new link and takes the role away.
#[tokio::test]
async fn a_coordinator_invites_renews_the_link_and_removes_the_role() {
    let app = App::new().await;
    let store = app.store();
    let unit = app.add_unit(KOEGE, "259sek", None).await;
    let kim = kim(&app).await;
    let page = app.get("/kommune/259/brugere", &kim.cookie).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Invitér en person"));
    assert!(page.body.contains(&format!(r#"<option value="{unit}">"#)));

    let unit_id = unit.0.to_string();
    let invited = app
        .post(
            "/kommune/259/brugere",
            &kim.cookie,
            &[
                ("csrf", &kim.csrf),
                ("email", " Nina@Koege.dk "),
                ("name", "Nina Nielsen"),
                ("role", "unit_lead"),
                ("unit", &unit_id),
            ],
        )
        .await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    assert!(invited.body.contains("Personen er inviteret."));
    assert!(invited.body.contains("Link til nina@koege.dk"));
    let first = link_token(&invited.body);
    let nina = user_named(store, "nina@koege.dk").await;
    assert_eq!(nina.name, "Nina Nielsen");
    assert!(nina.active && nina.password_hash.is_none());
    assert_eq!(
        roles(store, nina.id).await,
        [RoleGrantRow {
            role: Role::UnitLead,
            municipality: Some(koege()),
            unit: Some(unit),
        }]
    );
    let users = app.get("/kommune/259/brugere", &kim.cookie).await;
    assert!(users.body.contains("nina@koege.dk"));
    assert!(users.body.contains("Har ikke valgt adgangskode"));
    assert_eq!(
        app.get(&format!("/adgangskode/{first}"), "").await.status,
        StatusCode::OK
    );

    // A new link: the first one stops working, the new one sets the password.
    let renewed = app
        .post(
            &format!("/kommune/259/brugere/{}/link", nina.id),
            &kim.cookie,
            &[("csrf", &kim.csrf)],
        )
        .await;
    assert_eq!(renewed.status, StatusCode::OK, "{}", renewed.body);
    assert!(renewed
        .body
        .contains("Et nyt link er lavet. Tidligere links virker ikke mere."));
    let second = link_token(&renewed.body);
    assert_ne!(first, second);
    let old = app.get(&format!("/adgangskode/{first}"), "").await;
    assert_eq!(old.status, StatusCode::GONE);
    assert!(old.body.contains("Linket er udløbet"), "{}", old.body);
    let password = "ninas egen sætning";
    let set = app
        .post(
            &format!("/adgangskode/{second}"),
            "",
            &[("password", password), ("repeated", password)],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
    let login = app.log_in("nina@koege.dk", password).await;
    assert_eq!(login.location, "/kommune/259", "{}", login.body);
    let nina_cookie = login.cookie.unwrap();
    assert_eq!(
        app.get(&format!("/kommune/259/enheder/{unit}"), &nina_cookie)
            .await
            .status,
        StatusCode::OK
    );

    // The role taken away: she leaves the page and reads nothing of Køge.
    let removed = app
        .post(
            &format!("/kommune/259/brugere/{}/fjern-rolle", nina.id),
            &kim.cookie,
            &[
                ("csrf", &kim.csrf),
                ("role", "unit_lead"),
                ("municipality", "259"),
                ("unit", &unit_id),
            ],
        )
        .await;
    let users = follow(
        &app,
        &removed,
        &kim.cookie,
        "/kommune/259/brugere?besked=fjernet",
    )
    .await;
    assert!(users.body.contains("Rollen er fjernet."));
    assert!(!users.body.contains("nina@koege.dk"));
    assert!(roles(store, nina.id).await.is_empty());
    assert_eq!(
        app.get(&format!("/kommune/259/enheder/{unit}"), &nina_cookie)
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Each step in Køge's audit log, by Kim; no link in it.
    let done = audited(&app, Some(KOEGE), KIM).await;
    for expected in [
        entry("create", "user", nina.id),
        entry("grant_role", "user", nina.id),
        entry("revoke_role", "user", nina.id),
    ] {
        assert!(done.contains(&expected), "{expected:?} in {done:?}");
    }
    assert_eq!(
        done.iter()
            .filter(|e| **e == entry("create_password_link", "user", nina.id))
            .count(),
        2
    );
    let log = app.get("/kommune/259/log", &kim.cookie).await;
    assert_eq!(log.status, StatusCode::OK);
    assert!(log.body.contains("revoke_role"));
    assert!(log.body.contains("create_password_link"));
    assert!(!log.body.contains(&first) && !log.body.contains(&second));
}

/// Another municipality's coordinator, a forged form and a person who also works elsewhere: Køge's users routes refuse and change nothing.
#[tokio::test]
async fn the_users_routes_of_a_municipality_refuse_outsiders_and_forged_forms() {
    let app = App::new().await;
    let store = app.store();
    let kim = kim(&app).await;
    let other = copenhagen(&app).await;
    let nina = app
        .add_user("nina@koege.dk", &[(Role::Analyst, Some(KOEGE), None)])
        .await;
    let both = app
        .add_user(
            "begge@koege.dk",
            &[
                (Role::Analyst, Some(KOEGE), None),
                (Role::Analyst, Some(KBH), None),
            ],
        )
        .await;
    let audit_before = store.list_audit(None, 1_000).await.unwrap().len();

    // Without the session's token.
    let forged = app
        .post("/kommune/259/brugere", &kim.cookie, &invitation("forkert"))
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // København's coordinator on Køge's page.
    assert_eq!(
        app.get("/kommune/259/brugere", &other.cookie).await.status,
        StatusCode::FORBIDDEN
    );
    let outsider = app
        .post(
            "/kommune/259/brugere",
            &other.cookie,
            &invitation(&other.csrf),
        )
        .await;
    assert_eq!(outsider.status, StatusCode::FORBIDDEN);
    assert!(store
        .find_user_by_email("ny@koege.dk")
        .await
        .unwrap()
        .is_none());
    let token_only = [("csrf", other.csrf.as_str())];
    let koege_role = [
        ("csrf", other.csrf.as_str()),
        ("role", "analyst"),
        ("municipality", "259"),
    ];
    for (path, form) in [
        (format!("/kommune/259/brugere/{nina}/link"), &token_only[..]),
        (
            format!("/kommune/259/brugere/{nina}/fjern-rolle"),
            &koege_role[..],
        ),
        // Through København's own page, naming Køge's person or role.
        (format!("/kommune/101/brugere/{nina}/link"), &token_only[..]),
        (
            format!("/kommune/101/brugere/{nina}/fjern-rolle"),
            &koege_role[..],
        ),
    ] {
        let reply = app.post(&path, &other.cookie, form).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{path}: {}",
            reply.body
        );
    }
    assert_eq!(roles(store, nina).await.len(), 1);

    // Køge's coordinator and København's role, or a person who also works there.
    let theirs = app
        .post(
            &format!("/kommune/259/brugere/{both}/fjern-rolle"),
            &kim.cookie,
            &[
                ("csrf", &kim.csrf),
                ("role", "analyst"),
                ("municipality", "101"),
            ],
        )
        .await;
    assert_eq!(theirs.status, StatusCode::FORBIDDEN, "{}", theirs.body);
    let link = app
        .post(
            &format!("/kommune/259/brugere/{both}/link"),
            &kim.cookie,
            &[("csrf", &kim.csrf)],
        )
        .await;
    assert_eq!(link.status, StatusCode::FORBIDDEN, "{}", link.body);
    assert_eq!(roles(store, both).await.len(), 2);
    // A municipality's page cannot make a national administrator.
    let national = app
        .post(
            "/kommune/259/brugere",
            &kim.cookie,
            &[
                ("csrf", &kim.csrf),
                ("email", "chef@koege.dk"),
                ("name", "Chef"),
                ("role", "national_admin"),
            ],
        )
        .await;
    refused(&national, "Du kan ikke give den rolle i den kommune.");
    assert!(store
        .find_user_by_email("chef@koege.dk")
        .await
        .unwrap()
        .is_none());

    assert_eq!(
        store.list_audit(None, 1_000).await.unwrap().len(),
        audit_before,
        "nothing changed, nothing logged"
    );
}

// --- users from the national page -------------------------------------------------------

/// The national administrator invites, renews a link, removes a role and deactivates a user, whose session ends.
#[tokio::test]
async fn the_national_administrator_invites_removes_roles_and_deactivates_users() {
    let app = App::new().await;
    let store = app.store();
    let admin = admin(&app).await;
    let admin_id = user_named(store, ADMIN).await.id;

    let analyst = app
        .post(
            "/admin/brugere",
            &admin.cookie,
            &[
                ("csrf", &admin.csrf),
                ("email", "analytiker@komhen.dk"),
                ("name", "Ane Analytiker"),
                ("role", "analyst"),
                ("municipality", ""),
            ],
        )
        .await;
    assert_eq!(analyst.status, StatusCode::OK, "{}", analyst.body);
    assert!(analyst.body.contains("Personen er inviteret."));
    let ane = user_named(store, "analytiker@komhen.dk").await.id;
    assert_eq!(
        roles(store, ane).await,
        [RoleGrantRow {
            role: Role::Analyst,
            municipality: None,
            unit: None,
        }]
    );
    let coordinator = app
        .post(
            "/admin/brugere",
            &admin.cookie,
            &[
                ("csrf", &admin.csrf),
                ("email", KBH_COORDINATOR),
                ("name", "Karl Tovholder"),
                ("role", "coordinator"),
                ("municipality", "101"),
            ],
        )
        .await;
    assert_eq!(coordinator.status, StatusCode::OK, "{}", coordinator.body);
    let first = link_token(&coordinator.body);
    let karl = user_named(store, KBH_COORDINATOR).await.id;
    assert_eq!(
        roles(store, karl).await,
        [RoleGrantRow {
            role: Role::Coordinator,
            municipality: Some(code(KBH)),
            unit: None,
        }]
    );

    // A new link for Karl.
    let renewed = app
        .post(
            &format!("/admin/brugere/{karl}/link"),
            &admin.cookie,
            &[("csrf", &admin.csrf)],
        )
        .await;
    assert_eq!(renewed.status, StatusCode::OK, "{}", renewed.body);
    assert!(renewed.body.contains("Et nyt link er lavet."));
    let second = link_token(&renewed.body);
    assert_eq!(
        app.get(&format!("/adgangskode/{first}"), "").await.status,
        StatusCode::GONE
    );
    assert_eq!(
        app.get(&format!("/adgangskode/{second}"), "").await.status,
        StatusCode::OK
    );

    // Ane's national role taken away.
    let removed = app
        .post(
            &format!("/admin/brugere/{ane}/fjern-rolle"),
            &admin.cookie,
            &[
                ("csrf", &admin.csrf),
                ("role", "analyst"),
                ("municipality", ""),
                ("unit", ""),
            ],
        )
        .await;
    let users = follow(
        &app,
        &removed,
        &admin.cookie,
        "/admin/brugere?besked=fjernet",
    )
    .await;
    assert!(users.body.contains("Rollen er fjernet."));
    assert!(roles(store, ane).await.is_empty());

    // Kim, signed in, is deactivated: the session ends, no login works.
    let kim_id = app
        .add_user(KIM, &[(Role::Coordinator, Some(KOEGE), None)])
        .await;
    let kim = app.session(KIM, "/kommune/259").await;
    let off = app
        .post(
            &format!("/admin/brugere/{kim_id}/aktiv"),
            &admin.cookie,
            &[("csrf", &admin.csrf), ("active", "nej")],
        )
        .await;
    let users = follow(&app, &off, &admin.cookie, "/admin/brugere?besked=gemt").await;
    assert!(users.body.contains("Ændringerne er gemt."));
    assert!(
        users.body.contains(&format!("{KIM} (deaktiveret)")),
        "{}",
        users.body
    );
    assert!(!store.get_user(kim_id).await.unwrap().unwrap().active);
    let ended = app.get("/kommune/259", &kim.cookie).await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER);
    assert!(ended.location.starts_with("/log-ind"), "{}", ended.location);
    let refused_login = app.log_in(KIM, PASSWORD).await;
    assert_eq!(refused_login.status, StatusCode::UNAUTHORIZED);
    assert!(refused_login
        .body
        .contains("Forkert login eller adgangskode."));
    // And let in again.
    let on = app
        .post(
            &format!("/admin/brugere/{kim_id}/aktiv"),
            &admin.cookie,
            &[("csrf", &admin.csrf), ("active", "ja")],
        )
        .await;
    follow(&app, &on, &admin.cookie, "/admin/brugere?besked=gemt").await;
    assert!(store.get_user(kim_id).await.unwrap().unwrap().active);
    let back = app.log_in(KIM, PASSWORD).await;
    assert_eq!(back.location, "/kommune/259", "{}", back.body);
    let kim_cookie = back.cookie.unwrap();

    // What is refused: shutting oneself out, a coordinator, a forged form.
    let herself = app
        .post(
            &format!("/admin/brugere/{admin_id}/aktiv"),
            &admin.cookie,
            &[("csrf", &admin.csrf), ("active", "nej")],
        )
        .await;
    refused(&herself, "Du kan ikke deaktivere dig selv.");
    let own_role = app
        .post(
            &format!("/admin/brugere/{admin_id}/fjern-rolle"),
            &admin.cookie,
            &[
                ("csrf", &admin.csrf),
                ("role", "national_admin"),
                ("municipality", ""),
                ("unit", ""),
            ],
        )
        .await;
    refused(
        &own_role,
        "Du kan ikke fjerne din egen rolle som national administrator.",
    );
    assert!(store.get_user(admin_id).await.unwrap().unwrap().active);
    assert_eq!(roles(store, admin_id).await.len(), 1);
    let kim_csrf = common::csrf_of(&app.get("/kommune/259", &kim_cookie).await.body);
    let by_coordinator = app
        .post(
            &format!("/admin/brugere/{karl}/aktiv"),
            &kim_cookie,
            &[("csrf", &kim_csrf), ("active", "nej")],
        )
        .await;
    assert_eq!(by_coordinator.status, StatusCode::FORBIDDEN);
    let forged = app
        .post(
            &format!("/admin/brugere/{karl}/aktiv"),
            &admin.cookie,
            &[("active", "nej")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(store.get_user(karl).await.unwrap().unwrap().active);

    // Every change in the national audit log.
    let done = audited(&app, None, ADMIN).await;
    for expected in [
        entry("create", "user", ane),
        entry("grant_role", "user", ane),
        entry("create", "user", karl),
        entry("grant_role", "user", karl),
        entry("revoke_role", "user", ane),
        entry("deactivate", "user", kim_id),
        entry("activate", "user", kim_id),
    ] {
        assert!(done.contains(&expected), "{expected:?} in {done:?}");
    }
    assert_eq!(
        done.iter()
            .filter(|e| **e == entry("create_password_link", "user", karl))
            .count(),
        2
    );
    assert!(!done.contains(&entry("deactivate", "user", admin_id)));
    let log = app.get("/admin/log", &admin.cookie).await;
    assert_eq!(log.status, StatusCode::OK);
    assert!(log.body.contains("deactivate"));
}

// --- code lists --------------------------------------------------------------------------

/// The national administrator renames a channel, adds one and takes it out of use, and relabels an inquiry type and a completion; units see it.
#[tokio::test]
async fn the_national_administrator_keeps_the_code_lists_and_units_see_them() {
    let app = App::new().await;
    let store = app.store();
    let admin = admin(&app).await;
    let kim = kim(&app).await;
    app.add_unit(KOEGE, "259sek", None).await;
    let unit = app.session("259sek", "/registrering").await;
    let page = app.get("/admin/kodelister", &admin.cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    for code in ["TLFIND", "VEJL", "STRAKS"] {
        assert!(page.body.contains(code), "{code}");
    }
    let channel = |code: &str| {
        let code = ChannelCode::parse(code).unwrap();
        async move {
            store
                .list_channels()
                .await
                .unwrap()
                .into_iter()
                .find(|c| c.code == code)
        }
    };
    let phone = channel("TLFIND").await.unwrap();
    let order = phone.sort_order.to_string();

    // TLFIND renamed; a medium and direction sent along are not taken.
    let mut form = vec![
        ("csrf", admin.csrf.as_str()),
        ("code", "TLFIND"),
        ("label_da", "Telefon (indgående)"),
        ("label_en", "Phone (incoming)"),
        ("medium", "letter"),
        ("direction", "out"),
        ("sort_order", &order),
        ("active", "on"),
    ];
    if phone.form_applicable {
        form.push(("form_applicable", "on"));
    }
    if phone.digital {
        form.push(("digital", "on"));
    }
    let renamed = app
        .post("/admin/kodelister/kanaler", &admin.cookie, &form)
        .await;
    let codes = follow(
        &app,
        &renamed,
        &admin.cookie,
        "/admin/kodelister?besked=gemt",
    )
    .await;
    assert!(codes.body.contains("Ændringerne er gemt."));
    assert!(codes.body.contains("Telefon (indgående)"));
    let now = channel("TLFIND").await.unwrap();
    assert_eq!(
        (now.label_da.as_str(), now.label_en.as_str()),
        ("Telefon (indgående)", "Phone (incoming)")
    );
    assert_eq!((now.medium, now.direction), (phone.medium, phone.direction));
    assert_eq!(
        (now.form_applicable, now.digital, now.sort_order, now.active),
        (phone.form_applicable, phone.digital, phone.sort_order, true)
    );

    // A new channel for a chatbot, offered to the units.
    let chat = [
        ("csrf", admin.csrf.as_str()),
        ("code", "chatbotind"),
        ("label_da", "Chatbot, indgående"),
        ("label_en", "Chatbot, incoming"),
        ("medium", "chat"),
        ("direction", "in"),
        ("sort_order", "150"),
        ("digital", "on"),
    ];
    let mut active = chat.to_vec();
    active.push(("active", "on"));
    let added = app
        .post("/admin/kodelister/kanaler", &admin.cookie, &active)
        .await;
    follow(&app, &added, &admin.cookie, "/admin/kodelister?besked=gemt").await;
    let made = channel("CHATBOTIND").await.unwrap();
    assert_eq!(
        (made.medium, made.direction),
        (Medium::Chat, Direction::Incoming)
    );
    assert!(made.digital && made.active && !made.form_applicable);
    assert_eq!(made.sort_order, 150);
    let offered = registration_page(&app, &unit).await;
    assert!(offered.contains(r#"id="channel-CHATBOTIND""#));
    assert!(offered.contains("Telefon (indgående)"));

    // Taken out of use: kept in the list, no longer offered.
    let retired = app
        .post("/admin/kodelister/kanaler", &admin.cookie, &chat)
        .await;
    follow(
        &app,
        &retired,
        &admin.cookie,
        "/admin/kodelister?besked=gemt",
    )
    .await;
    assert!(!channel("CHATBOTIND").await.unwrap().active);
    assert!(!registration_page(&app, &unit)
        .await
        .contains(r#"id="channel-CHATBOTIND""#));

    // An inquiry type's and a completion's labels.
    let guidance = app
        .post(
            "/admin/kodelister/henvendelsestyper/VEJL",
            &admin.cookie,
            &[
                ("csrf", &admin.csrf),
                ("label_da", "Vejledning og rådgivning"),
                ("label_en", "Guidance and advice"),
            ],
        )
        .await;
    let codes = follow(
        &app,
        &guidance,
        &admin.cookie,
        "/admin/kodelister?besked=gemt",
    )
    .await;
    assert!(codes.body.contains("Vejledning og rådgivning"));
    let types = store.list_inquiry_types().await.unwrap();
    let vejl = types
        .iter()
        .find(|t| t.inquiry_type.code() == "VEJL")
        .unwrap();
    assert_eq!(
        (vejl.label_da.as_str(), vejl.label_en.as_str()),
        ("Vejledning og rådgivning", "Guidance and advice")
    );
    assert!(registration_page(&app, &unit)
        .await
        .contains("Vejledning og rådgivning"));
    let at_once = app
        .post(
            "/admin/kodelister/afslutninger/STRAKS",
            &admin.cookie,
            &[
                ("csrf", &admin.csrf),
                ("label_da", "Klaret med det samme"),
                ("label_en", "Done there and then"),
            ],
        )
        .await;
    let codes = follow(
        &app,
        &at_once,
        &admin.cookie,
        "/admin/kodelister?besked=gemt",
    )
    .await;
    assert!(codes.body.contains("Klaret med det samme"));
    let completions = store.list_completions().await.unwrap();
    let straks = completions
        .iter()
        .find(|c| c.completion.code() == "STRAKS")
        .unwrap();
    assert_eq!(
        (straks.label_da.as_str(), straks.label_en.as_str()),
        ("Klaret med det samme", "Done there and then")
    );

    // Refused: an empty label, an unknown code, a coordinator, a forged form.
    let empty = app
        .post(
            "/admin/kodelister/henvendelsestyper/VEJL",
            &admin.cookie,
            &[("csrf", &admin.csrf), ("label_da", " "), ("label_en", "x")],
        )
        .await;
    refused(&empty, "Skriv den danske betegnelse.");
    let unknown = app
        .post(
            "/admin/kodelister/henvendelsestyper/FINDESIKKE",
            &admin.cookie,
            &[("csrf", &admin.csrf), ("label_da", "x"), ("label_en", "x")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let by_coordinator = app
        .post(
            "/admin/kodelister/afslutninger/STRAKS",
            &kim.cookie,
            &[
                ("csrf", &kim.csrf),
                ("label_da", "Kapret"),
                ("label_en", "x"),
            ],
        )
        .await;
    assert_eq!(by_coordinator.status, StatusCode::FORBIDDEN);
    let forged = app
        .post("/admin/kodelister/kanaler", &admin.cookie, &active[1..])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(!channel("CHATBOTIND").await.unwrap().active);
    assert_eq!(
        store.list_inquiry_types().await.unwrap(),
        types,
        "the refusals left the labels"
    );
    assert_eq!(store.list_completions().await.unwrap(), completions);

    let done = audited(&app, None, ADMIN).await;
    assert_eq!(
        done,
        [
            entry("update", "completion", "STRAKS"),
            entry("update", "inquiry_type", "VEJL"),
            entry("update", "channel", "CHATBOTIND"),
            entry("create", "channel", "CHATBOTIND"),
            entry("update", "channel", "TLFIND"),
        ]
    );
}

// --- task packages and retired tasks -----------------------------------------------------

/// The national administrator makes a task package as a copy, adds tasks by KLE number, makes one voluntary and takes one out.
#[tokio::test]
async fn the_national_administrator_builds_a_task_package() {
    let app = App::new().await;
    let store = app.store();
    let admin = admin(&app).await;
    let kim = kim(&app).await;
    let packages = store.list_task_packages().await.unwrap();
    let source = packages.last().unwrap().clone();
    let source_tasks = store.list_package_tasks(source.id).await.unwrap();
    let contents = |tasks: &[komhen_store::PackageTaskRow]| -> Vec<(TaskId, bool)> {
        tasks.iter().map(|t| (t.task.id, t.mandatory)).collect()
    };

    let source_id = source.id.to_string();
    let created = app
        .post(
            "/admin/opgavepakker",
            &admin.cookie,
            &[
                ("csrf", &admin.csrf),
                ("season", "autumn"),
                ("year", "2031"),
                ("copy_from", &source_id),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let id: i64 = created
        .location
        .strip_prefix("/admin/opgavepakker/")
        .and_then(|rest| rest.strip_suffix("?besked=oprettet"))
        .unwrap_or_else(|| panic!("{}", created.location))
        .parse()
        .unwrap();
    let package = store
        .list_task_packages()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.id.0 == id)
        .unwrap();
    assert_eq!(
        (package.code.as_str(), package.name_da.as_str()),
        ("2031-efteraar", "Opgavepakke efterår 2031")
    );
    assert_eq!((package.season, package.year), (Season::Autumn, 2031));
    assert_eq!(
        contents(&store.list_package_tasks(package.id).await.unwrap()),
        contents(&source_tasks),
        "a copy of the package it started from"
    );
    let page = follow(&app, &created, &admin.cookie, &created.location).await;
    assert!(page.body.contains("Oprettet."));
    assert!(page.body.contains("Opgavepakke efterår 2031"));

    // A KLE topic the package lacks, added as mandatory.
    let in_package: Vec<KleNumber> = source_tasks.iter().map(|t| t.task.kle.clone()).collect();
    let topic = store
        .list_kle_entries()
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.level == TaskCodeKind::Topic && !e.retired && !in_package.contains(&e.number))
        .unwrap();
    let path = format!("/admin/opgavepakker/{id}/opgaver");
    let back = format!("/admin/opgavepakker/{id}?besked=gemt");
    let added = app
        .post(
            &path,
            &admin.cookie,
            &[
                ("csrf", &admin.csrf),
                ("kle", topic.number.as_str()),
                ("name", ""),
                ("mandatory", "on"),
            ],
        )
        .await;
    let page = follow(&app, &added, &admin.cookie, &back).await;
    assert!(page.body.contains(topic.number.as_str()));
    let tasks = store.list_package_tasks(package.id).await.unwrap();
    let topic_task = tasks.iter().find(|t| t.task.kle == topic.number).unwrap();
    assert!(topic_task.mandatory);
    assert_eq!(topic_task.task.name, topic.title);
    let topic_task = topic_task.task.id;

    // A number KLE does not have needs a name: then it is a KOMHEN code.
    let pseudo = KleNumber::parse("99.98.97").unwrap();
    assert!(store.get_kle_entry(&pseudo).await.unwrap().is_none());
    let nameless = app
        .post(
            &path,
            &admin.cookie,
            &[("csrf", &admin.csrf), ("kle", "99.98.97"), ("name", "")],
        )
        .await;
    refused(&nameless, "99.98.97 findes ikke i KLE: skriv et navn");
    let named = app
        .post(
            &path,
            &admin.cookie,
            &[
                ("csrf", &admin.csrf),
                ("kle", "99.98.97"),
                ("name", "Borgerservice i øvrigt"),
            ],
        )
        .await;
    follow(&app, &named, &admin.cookie, &back).await;
    let tasks = store.list_package_tasks(package.id).await.unwrap();
    let own_code = tasks.iter().find(|t| t.task.kle == pseudo).unwrap();
    assert_eq!(own_code.task.name, "Borgerservice i øvrigt");
    assert_eq!(own_code.task.kind, TaskCodeKind::Pseudo);
    assert!(!own_code.mandatory);
    let own_code = own_code.task.id;

    // Voluntary, then out of the package.
    let voluntary = app
        .post(
            &format!("{path}/{topic_task}"),
            &admin.cookie,
            &[("csrf", &admin.csrf), ("mandatory", "nej")],
        )
        .await;
    follow(&app, &voluntary, &admin.cookie, &back).await;
    let out = app
        .post(
            &format!("{path}/{own_code}"),
            &admin.cookie,
            &[("csrf", &admin.csrf), ("mandatory", "remove")],
        )
        .await;
    follow(&app, &out, &admin.cookie, &back).await;
    let tasks = store.list_package_tasks(package.id).await.unwrap();
    assert!(
        !tasks
            .iter()
            .find(|t| t.task.id == topic_task)
            .unwrap()
            .mandatory
    );
    assert!(tasks.iter().all(|t| t.task.id != own_code));
    assert_eq!(tasks.len(), source_tasks.len() + 1);
    assert_eq!(
        contents(&store.list_package_tasks(source.id).await.unwrap()),
        contents(&source_tasks),
        "the package copied from is untouched"
    );

    // Refused: a year that is not one, a coordinator, a forged form.
    for (year, says) in [
        ("tja", "«tja» er ikke et årstal."),
        ("1999", "1999 er ikke et år for en opgavepakke."),
    ] {
        let reply = app
            .post(
                "/admin/opgavepakker",
                &admin.cookie,
                &[("csrf", &admin.csrf), ("season", "spring"), ("year", year)],
            )
            .await;
        refused(&reply, says);
    }
    let by_coordinator = app
        .post(
            "/admin/opgavepakker",
            &kim.cookie,
            &[("csrf", &kim.csrf), ("season", "spring"), ("year", "2032")],
        )
        .await;
    assert_eq!(by_coordinator.status, StatusCode::FORBIDDEN);
    let topic_id = topic_task.0.to_string();
    let added_by_coordinator = app
        .post(
            &format!("{path}/{topic_id}"),
            &kim.cookie,
            &[("csrf", &kim.csrf), ("mandatory", "ja")],
        )
        .await;
    assert_eq!(added_by_coordinator.status, StatusCode::FORBIDDEN);
    let forged = app
        .post(
            &format!("{path}/{topic_id}"),
            &admin.cookie,
            &[("mandatory", "ja")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        store.list_task_packages().await.unwrap().len(),
        packages.len() + 1
    );
    assert!(
        !store
            .list_package_tasks(package.id)
            .await
            .unwrap()
            .iter()
            .find(|t| t.task.id == topic_task)
            .unwrap()
            .mandatory
    );

    let done = audited(&app, None, ADMIN).await;
    assert!(
        done.contains(&entry("create", "task_package", id)),
        "{done:?}"
    );
    assert!(
        done.contains(&entry("create", "task", own_code)),
        "{done:?}"
    );
    assert_eq!(
        done.iter()
            .filter(|e| **e == entry("set_package_task", "task_package", id))
            .count(),
        4,
        "{done:?}"
    );
}

/// A retired task, national or the municipality's own, leaves a unit's registration page while its counted rows stay.
#[tokio::test]
async fn a_retired_task_is_no_longer_offered_but_its_rows_stay() {
    let app = App::new().await;
    let store = app.store();
    let admin = admin(&app).await;
    let kim = kim(&app).await;
    let other = copenhagen(&app).await;
    let unit = app.add_unit(KOEGE, "259sek", None).await;

    let own = app
        .post(
            "/kommune/259/opgaver",
            &kim.cookie,
            &[
                ("csrf", &kim.csrf),
                ("kle", "27.24.00"),
                ("name", "Egen opgave"),
            ],
        )
        .await;
    follow(
        &app,
        &own,
        &kim.cookie,
        "/kommune/259/opgaver?besked=oprettet",
    )
    .await;
    let local = store
        .list_tasks(koege())
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.municipality == Some(koege()) && t.name == "Egen opgave")
        .unwrap()
        .id;
    let national = mandatory_task(store).await;
    assign(&app, &kim, unit, &[local, national]).await;
    let registrant = app.session("259sek", "/registrering").await;
    let page = registration_page(&app, &registrant).await;
    assert!(offers_task(&page, local) && offers_task(&page, national));
    for (task, key) in [(local, "r1"), (national, "r2")] {
        let saved = register(&app, &registrant, task, key).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    }
    let counted = |rows: &[komhen_store::RegistrationRow]| -> Vec<TaskId> {
        let mut tasks: Vec<TaskId> = rows.iter().map(|r| r.task).collect();
        tasks.sort();
        tasks
    };
    let before = counted(&koege_rows(store).await);
    assert_eq!(before.len(), 2);

    // Køge retires its own task.
    let retired = app
        .post(
            &format!("/kommune/259/opgaver/{local}/udgaaet"),
            &kim.cookie,
            &[("csrf", &kim.csrf), ("retired", "on")],
        )
        .await;
    let tasks_page = follow(
        &app,
        &retired,
        &kim.cookie,
        "/kommune/259/opgaver?besked=gemt",
    )
    .await;
    assert!(tasks_page.body.contains("Ændringerne er gemt."));
    assert!(tasks_page.body.contains("Genindfør"));
    assert!(task(store, local).await.retired);
    let page = registration_page(&app, &registrant).await;
    assert!(
        !offers_task(&page, local),
        "the retired task is not offered"
    );
    assert!(offers_task(&page, national));
    let late = register(&app, &registrant, local, "r3").await;
    assert_eq!(
        late.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        late.body
    );
    assert_eq!(
        counted(&koege_rows(store).await),
        before,
        "counted rows stay"
    );

    // The national administrator retires a national task.
    let retired = app
        .post(
            &format!("/admin/opgaver/{national}/udgaaet"),
            &admin.cookie,
            &[("csrf", &admin.csrf), ("retired", "on")],
        )
        .await;
    follow(&app, &retired, &admin.cookie, "/admin/opgaver?besked=gemt").await;
    assert!(
        store
            .list_national_tasks()
            .await
            .unwrap()
            .iter()
            .find(|t| t.id == national)
            .unwrap()
            .retired
    );
    assert!(!offers_task(
        &registration_page(&app, &registrant).await,
        national
    ));
    assert_eq!(
        counted(&koege_rows(store).await),
        before,
        "counted rows stay"
    );

    // Køge brings its own task back.
    let back = app
        .post(
            &format!("/kommune/259/opgaver/{local}/udgaaet"),
            &kim.cookie,
            &[("csrf", &kim.csrf)],
        )
        .await;
    follow(&app, &back, &kim.cookie, "/kommune/259/opgaver?besked=gemt").await;
    assert!(!task(store, local).await.retired);
    assert!(offers_task(
        &registration_page(&app, &registrant).await,
        local
    ));

    // Refused, nothing changed: København's coordinator, Køge's coordinator
    // on a national task, a forged form.
    let outsider = app
        .post(
            &format!("/kommune/259/opgaver/{local}/udgaaet"),
            &other.cookie,
            &[("csrf", &other.csrf), ("retired", "on")],
        )
        .await;
    assert_eq!(outsider.status, StatusCode::FORBIDDEN);
    let through_own = app
        .post(
            &format!("/kommune/101/opgaver/{local}/udgaaet"),
            &other.cookie,
            &[("csrf", &other.csrf), ("retired", "on")],
        )
        .await;
    refused(&through_own, NOT_THERE);
    let national_by_kim = app
        .post(
            &format!("/kommune/259/opgaver/{national}/udgaaet"),
            &kim.cookie,
            &[("csrf", &kim.csrf)],
        )
        .await;
    refused(&national_by_kim, NOT_THERE);
    let admin_route_by_kim = app
        .post(
            &format!("/admin/opgaver/{national}/udgaaet"),
            &kim.cookie,
            &[("csrf", &kim.csrf)],
        )
        .await;
    assert_eq!(admin_route_by_kim.status, StatusCode::FORBIDDEN);
    let forged = app
        .post(
            &format!("/kommune/259/opgaver/{local}/udgaaet"),
            &kim.cookie,
            &[("retired", "on")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(!task(store, local).await.retired);
    assert!(task(store, national).await.retired);

    assert_eq!(
        audited(&app, Some(KOEGE), KIM)
            .await
            .into_iter()
            .filter(|(_, entity, _)| entity == "task")
            .collect::<Vec<_>>(),
        [
            entry("reinstate", "task", local),
            entry("retire", "task", local),
            entry("create", "task", local),
        ]
    );
    assert_eq!(
        audited(&app, None, ADMIN).await,
        [entry("retire", "task", national)]
    );
}

// --- counting periods ---------------------------------------------------------------------

/// The national administrator creates a season's period and one with own dates, then edits name, deadline, package and mandatory flag.
#[tokio::test]
async fn the_national_administrator_creates_and_edits_counting_periods() {
    let app = App::new().await;
    let store = app.store();
    let admin = admin(&app).await;
    let kim = kim(&app).await;
    let packages = store.list_task_packages().await.unwrap();
    let (first, last) = (packages[0].id, packages.last().unwrap().id);
    assert_ne!(first, last);
    let page = app.get("/admin/perioder", &admin.cookie).await;
    assert_eq!(page.status, StatusCode::OK);

    let first_id = first.to_string();
    let season = app
        .post(
            "/admin/perioder",
            &admin.cookie,
            &[
                ("csrf", &admin.csrf),
                ("kind", "national"),
                ("season", "spring"),
                ("year", "2031"),
                ("mandatory", "on"),
                ("package", &first_id),
            ],
        )
        .await;
    let expected = CountingPeriod::national(2031, Season::Spring).unwrap();
    let page = follow(
        &app,
        &season,
        &admin.cookie,
        "/admin/perioder?besked=oprettet",
    )
    .await;
    assert!(page.body.contains("Oprettet."));
    assert!(page.body.contains(&expected.name));
    let spring = period_named(store, &expected.name).await;
    assert_eq!(spring.municipality, None);
    assert_eq!(
        (spring.period.starts_on, spring.period.ends_on),
        (expected.starts_on, expected.ends_on)
    );
    assert_eq!(
        spring.period.submission_deadline,
        expected.submission_deadline
    );
    assert!(spring.period.mandatory);
    assert_eq!(spring.task_package, Some(first));

    let own = custom_period(&app, &admin, "Ekstra måling", "2031-09-01", "2031-09-12").await;
    let (from, to) = (
        chrono::NaiveDate::from_ymd_opt(2031, 9, 1).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2031, 9, 12).unwrap(),
    );
    assert_eq!((own.period.starts_on, own.period.ends_on), (from, to));
    assert_eq!(
        own.period.submission_deadline,
        to + chrono::Duration::days(komhen_domain::period::SUBMISSION_DAYS)
    );
    assert!(!own.period.mandatory);
    assert_eq!(own.task_package, None);

    // Refused periods: nothing more is stored.
    for (starts, ends, says) in [
        (
            "2031-09-12",
            "2031-09-01",
            "Perioden slutter før den begynder.",
        ),
        (
            "2031-01-05",
            "2031-06-30",
            "En tælleperiode kan højst vare tre måneder.",
        ),
        ("", "2031-09-01", "Angiv første dag som en dato."),
    ] {
        let reply = app
            .post(
                "/admin/perioder",
                &admin.cookie,
                &[
                    ("csrf", &admin.csrf),
                    ("kind", "custom"),
                    ("name", "Forkert"),
                    ("starts_on", starts),
                    ("ends_on", ends),
                ],
            )
            .await;
        refused(&reply, says);
    }
    let by_coordinator = app
        .post(
            "/admin/perioder",
            &kim.cookie,
            &[
                ("csrf", &kim.csrf),
                ("kind", "national"),
                ("season", "autumn"),
                ("year", "2031"),
            ],
        )
        .await;
    assert_eq!(by_coordinator.status, StatusCode::FORBIDDEN);
    assert_eq!(store.list_periods(None).await.unwrap().len(), 2);

    // Edited: name, deadline, package; no longer mandatory; dates kept.
    let last_id = last.to_string();
    let edit = format!("/admin/perioder/{}", spring.id);
    let edited = app
        .post(
            &edit,
            &admin.cookie,
            &[
                ("csrf", &admin.csrf),
                ("name", "Forår 2031, landsdækkende"),
                ("deadline", "2031-06-30"),
                ("package", &last_id),
            ],
        )
        .await;
    let page = follow(&app, &edited, &admin.cookie, "/admin/perioder?besked=gemt").await;
    assert!(page.body.contains("Ændringerne er gemt."));
    assert!(page.body.contains("Forår 2031, landsdækkende"));
    let now = period(store, spring.id).await;
    assert_eq!(now.period.name, "Forår 2031, landsdækkende");
    assert_eq!(
        now.period.submission_deadline,
        chrono::NaiveDate::from_ymd_opt(2031, 6, 30).unwrap()
    );
    assert!(!now.period.mandatory);
    assert_eq!(now.task_package, Some(last));
    assert_eq!(
        (now.period.starts_on, now.period.ends_on),
        (spring.period.starts_on, spring.period.ends_on)
    );

    // Refused edits leave it as it is.
    for (name, deadline, says) in [
        (
            "Forår 2031",
            "2031-05-01",
            "Fristen for indberetning ligger før periodens slutning.",
        ),
        (" ", "2031-06-30", "Skriv periodens navn."),
        (
            "Forår 2031",
            "",
            "Angiv fristen for indberetning som en dato.",
        ),
    ] {
        let reply = app
            .post(
                &edit,
                &admin.cookie,
                &[
                    ("csrf", &admin.csrf),
                    ("name", name),
                    ("deadline", deadline),
                ],
            )
            .await;
        refused(&reply, says);
    }
    let by_coordinator = app
        .post(
            &edit,
            &kim.cookie,
            &[
                ("csrf", &kim.csrf),
                ("name", "Kapret"),
                ("deadline", "2031-06-30"),
            ],
        )
        .await;
    assert_eq!(by_coordinator.status, StatusCode::FORBIDDEN);
    let forged = app
        .post(
            &edit,
            &admin.cookie,
            &[("name", "Kapret"), ("deadline", "2031-06-30")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(period(store, spring.id).await, now);

    assert_eq!(
        audited(&app, None, ADMIN).await,
        [
            entry("update", "period", spring.id),
            entry("create", "period", own.id),
            entry("create", "period", spring.id),
        ]
    );
    let log = app.get("/admin/log", &admin.cookie).await;
    assert!(
        log.body.contains(&format!("period {}", spring.id)),
        "{}",
        log.body
    );
}

/// A coordinator joins a period with one unit, then with all, then withdraws; the periods page says so each time.
#[tokio::test]
async fn a_coordinator_chooses_how_the_municipality_takes_part_in_a_period() {
    let app = App::new().await;
    let store = app.store();
    let admin = admin(&app).await;
    let kim = kim(&app).await;
    let other = copenhagen(&app).await;
    let first = app.add_unit(KOEGE, "259a", None).await;
    app.add_unit(KOEGE, "259b", None).await;
    let kbh_unit = app.add_unit(KBH, "101a", None).await;
    let autumn = custom_period(
        &app,
        &admin,
        "Efterårsmåling 2031",
        "2031-10-20",
        "2031-11-07",
    )
    .await;
    let path = format!("/kommune/259/perioder/{}", autumn.id);
    let joined = || async {
        store
            .list_participations(koege())
            .await
            .unwrap()
            .contains(&autumn.id)
    };
    let counting = || async { store.list_period_units(koege(), autumn.id).await.unwrap() };

    let page = app.get("/kommune/259/perioder", &kim.cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Efterårsmåling 2031"));
    assert!(page.body.contains("Deltager ikke"));
    assert!(!joined().await);

    let first_id = first.0.to_string();
    let one = app
        .post(
            &path,
            &kim.cookie,
            &[("csrf", &kim.csrf), ("joined", "ja"), ("unit", &first_id)],
        )
        .await;
    let page = follow(&app, &one, &kim.cookie, "/kommune/259/perioder?besked=gemt").await;
    assert!(page.body.contains("Ændringerne er gemt."));
    assert!(
        page.body.contains("1 udvalgte enheder tæller"),
        "{}",
        page.body
    );
    assert!(joined().await);
    assert_eq!(counting().await, [first]);

    let all = app
        .post(&path, &kim.cookie, &[("csrf", &kim.csrf), ("joined", "ja")])
        .await;
    let page = follow(&app, &all, &kim.cookie, "/kommune/259/perioder?besked=gemt").await;
    assert!(page.body.contains("Alle aktive enheder tæller"));
    assert!(joined().await);
    assert!(counting().await.is_empty());

    let out = app
        .post(
            &path,
            &kim.cookie,
            &[("csrf", &kim.csrf), ("joined", "nej")],
        )
        .await;
    let page = follow(&app, &out, &kim.cookie, "/kommune/259/perioder?besked=gemt").await;
    assert!(page.body.contains("Deltager ikke"));
    assert!(!joined().await);

    // Refused, nothing changed: København's coordinator, København's unit, a forged form.
    assert_eq!(
        app.get("/kommune/259/perioder", &other.cookie).await.status,
        StatusCode::FORBIDDEN
    );
    let outsider = app
        .post(
            &path,
            &other.cookie,
            &[("csrf", &other.csrf), ("joined", "ja")],
        )
        .await;
    assert_eq!(outsider.status, StatusCode::FORBIDDEN);
    let kbh_unit_id = kbh_unit.0.to_string();
    let foreign_unit = app
        .post(
            &path,
            &kim.cookie,
            &[
                ("csrf", &kim.csrf),
                ("joined", "ja"),
                ("unit", &kbh_unit_id),
            ],
        )
        .await;
    refused(&foreign_unit, NOT_THERE);
    let forged = app.post(&path, &kim.cookie, &[("joined", "ja")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(!joined().await);
    assert!(counting().await.is_empty());
    assert!(store
        .list_period_units(code(KBH), autumn.id)
        .await
        .unwrap()
        .is_empty());

    assert_eq!(
        audited(&app, Some(KOEGE), KIM).await,
        [
            entry("set_participation", "period", autumn.id),
            entry("set_participation", "period", autumn.id),
            entry("set_participation", "period", autumn.id),
        ]
    );
    let log = app.get("/kommune/259/log", &kim.cookie).await;
    assert!(log.body.contains("set_participation"));
}

// --- departments and questions -------------------------------------------------------------

/// A coordinator renames a department; the units page shows the new name and the unit keeps its department.
#[tokio::test]
async fn a_coordinator_renames_a_department() {
    let app = App::new().await;
    let store = app.store();
    let kim = kim(&app).await;
    let other = copenhagen(&app).await;
    let made = app
        .post(
            "/kommune/259/forvaltninger",
            &kim.cookie,
            &[("csrf", &kim.csrf), ("name", "Borgerservice")],
        )
        .await;
    follow(
        &app,
        &made,
        &kim.cookie,
        "/kommune/259/enheder?besked=oprettet",
    )
    .await;
    let department = store.list_departments(koege()).await.unwrap()[0].clone();
    let unit = app.add_unit(KOEGE, "259sek", Some(department.id)).await;
    let path = format!("/kommune/259/forvaltninger/{}", department.id);

    let renamed = app
        .post(
            &path,
            &kim.cookie,
            &[
                ("csrf", &kim.csrf),
                ("name", "Borger- og Erhvervsservice"),
                ("active", "on"),
            ],
        )
        .await;
    let units = follow(
        &app,
        &renamed,
        &kim.cookie,
        "/kommune/259/enheder?besked=gemt",
    )
    .await;
    assert!(units.body.contains("Ændringerne er gemt."));
    assert!(units.body.contains("Borger- og Erhvervsservice"));
    assert!(!units.body.contains("Borgerservice"), "{}", units.body);
    let now = store.list_departments(koege()).await.unwrap()[0].clone();
    assert_eq!(now.name, "Borger- og Erhvervsservice");
    assert!(now.active);
    assert_eq!(
        store
            .get_unit(koege(), unit)
            .await
            .unwrap()
            .unwrap()
            .department,
        Some(department.id)
    );

    // Refused, nothing changed.
    let empty = app
        .post(
            &path,
            &kim.cookie,
            &[("csrf", &kim.csrf), ("name", " "), ("active", "on")],
        )
        .await;
    refused(&empty, "Skriv forvaltningens navn.");
    let outsider = app
        .post(
            &path,
            &other.cookie,
            &[("csrf", &other.csrf), ("name", "Kapret"), ("active", "on")],
        )
        .await;
    assert_eq!(outsider.status, StatusCode::FORBIDDEN);
    let through_own = app
        .post(
            &format!("/kommune/101/forvaltninger/{}", department.id),
            &other.cookie,
            &[("csrf", &other.csrf), ("name", "Kapret"), ("active", "on")],
        )
        .await;
    refused(&through_own, "Forvaltningen findes ikke i kommunen.");
    let forged = app
        .post(&path, &kim.cookie, &[("name", "Kapret"), ("active", "on")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(store.list_departments(koege()).await.unwrap(), [now]);

    let log = store.list_audit(Some(koege()), 100).await.unwrap();
    let update = log
        .iter()
        .find(|a| a.entry.action == "update" && a.entry.entity == "department")
        .unwrap();
    assert_eq!(update.entry.actor, format!("bruger:{KIM}"));
    assert_eq!(update.entry.entity_id, department.id.to_string());
    assert!(update
        .entry
        .before_json
        .as_deref()
        .unwrap()
        .contains("Borgerservice"));
    assert!(update
        .entry
        .after_json
        .as_deref()
        .unwrap()
        .contains("Borger- og Erhvervsservice"));
    assert_eq!(
        log.iter()
            .filter(|a| a.entry.entity == "department")
            .count(),
        2,
        "created and renamed, no more"
    );
}

/// A coordinator adds a question to a task and turns it off and on again; the unit's registration page hides and shows it.
#[tokio::test]
async fn a_coordinator_turns_a_question_off_and_on() {
    let app = App::new().await;
    let store = app.store();
    let kim = kim(&app).await;
    let other = copenhagen(&app).await;
    let unit = app.add_unit(KOEGE, "259sek", None).await;
    let task = mandatory_task(store).await;
    assign(&app, &kim, unit, &[task]).await;
    let label = "Hvilken slags bidrag?";

    let task_id = task.0.to_string();
    let created = app
        .post(
            "/kommune/259/spoergsmaal",
            &kim.cookie,
            &[
                ("csrf", &kim.csrf),
                ("task", &task_id),
                ("label", label),
                ("options", "Normalbidrag\nForhøjet bidrag"),
            ],
        )
        .await;
    let page = follow(
        &app,
        &created,
        &kim.cookie,
        "/kommune/259/opgaver?besked=oprettet",
    )
    .await;
    assert!(page.body.contains("Oprettet."));
    assert!(page.body.contains(label));
    let question = |questions: Vec<komhen_store::QuestionRow>| {
        questions.into_iter().find(|q| q.label_da == label).unwrap()
    };
    let asked = question(store.list_all_questions(koege()).await.unwrap());
    assert!(asked.active);
    assert_eq!(asked.task, Some(task));
    assert_eq!(asked.options.len(), 2);
    let registrant = app.session("259sek", "/registrering").await;
    let field = format!(r#"name="q_{}""#, asked.id);
    let page = registration_page(&app, &registrant).await;
    assert!(page.contains(label) && page.contains(&field));

    let path = format!("/kommune/259/spoergsmaal/{}/aktiv", asked.id);
    let off = app.post(&path, &kim.cookie, &[("csrf", &kim.csrf)]).await;
    let page = follow(&app, &off, &kim.cookie, "/kommune/259/opgaver?besked=gemt").await;
    assert!(page.body.contains("Ændringerne er gemt."));
    assert!(page.body.contains("Slå til"));
    assert!(!question(store.list_all_questions(koege()).await.unwrap()).active);
    let page = registration_page(&app, &registrant).await;
    assert!(
        !page.contains(label) && !page.contains(&field),
        "switched off: not asked"
    );

    let on = app
        .post(&path, &kim.cookie, &[("csrf", &kim.csrf), ("active", "on")])
        .await;
    follow(&app, &on, &kim.cookie, "/kommune/259/opgaver?besked=gemt").await;
    assert!(question(store.list_all_questions(koege()).await.unwrap()).active);
    let page = registration_page(&app, &registrant).await;
    assert!(
        page.contains(label) && page.contains(&field),
        "on again: asked"
    );

    // Refused, nothing changed.
    let no_task = app
        .post(
            "/kommune/259/spoergsmaal",
            &kim.cookie,
            &[
                ("csrf", &kim.csrf),
                ("task", ""),
                ("label", "Uden opgave?"),
                ("options", "Ja\nNej"),
            ],
        )
        .await;
    refused(&no_task, "Vælg den opgave, spørgsmålet hører til.");
    let outsider = app
        .post(&path, &other.cookie, &[("csrf", &other.csrf)])
        .await;
    assert_eq!(outsider.status, StatusCode::FORBIDDEN);
    let through_own = app
        .post(
            &format!("/kommune/101/spoergsmaal/{}/aktiv", asked.id),
            &other.cookie,
            &[("csrf", &other.csrf)],
        )
        .await;
    refused(&through_own, NOT_THERE);
    let forged = app.post(&path, &kim.cookie, &[]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let all = store.list_all_questions(koege()).await.unwrap();
    assert!(all.iter().all(|q| q.label_da != "Uden opgave?"));
    assert!(question(all).active);

    assert_eq!(
        audited(&app, Some(KOEGE), KIM)
            .await
            .into_iter()
            .filter(|(_, entity, _)| entity == "question")
            .collect::<Vec<_>>(),
        [
            entry("activate", "question", asked.id),
            entry("deactivate", "question", asked.id),
            entry("create", "question", asked.id),
        ]
    );
}

// --- a cancelled upload ---------------------------------------------------------------------

const GOOD: &str = "Kommune;Enhed;Opgave;Kanal;Type;Afslutning;Blanket;Dato;Antal\n\
259;259sek;23.09.02;TLFIND;VEJL;STRAKS;;21-10-2025 09:15;1\n\
259;259sek;23.09.02;PRSNLG;OPRET;HOLD;JA;21-10-2025 10:00;3\n";

/// A coordinator cancels a checked upload: nothing is stored, the file is gone and it can no longer be saved.
#[tokio::test]
async fn a_cancelled_upload_stores_nothing_and_cannot_be_saved() {
    let mut app = App::new().await;
    let folder = tempfile::tempdir().unwrap();
    app.router = komhen_web::router_with(
        app.db.store.clone(),
        komhen_web::Options {
            uploads: komhen_web::Uploads::new(folder.path().to_owned()),
            clock: app.clock.clone(),
            ..komhen_web::Options::default()
        },
    );
    let store = app.store();
    app.add_unit(KOEGE, "259sek", None).await;
    let kim = kim(&app).await;
    let other = copenhagen(&app).await;
    app.add_user("anne@koege.dk", &[(Role::Coordinator, Some(KOEGE), None)])
        .await;
    let anne = app.session("anne@koege.dk", "/kommune/259").await;
    let waiting = || std::fs::read_dir(folder.path()).unwrap().count();

    let preview = app
        .upload(
            "/kommune/259/indlaes",
            &kim.cookie,
            &kim.csrf,
            ("udtraek.csv", GOOD.as_bytes()),
            &[("kind", "")],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(preview.body.contains(r#"<dd id="preview-valid">2</dd>"#));
    let token = preview
        .body
        .split("/indlaes/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_owned();
    let cancel = format!("/kommune/259/indlaes/{token}/annuller");
    assert!(preview.body.contains(&format!(r#"action="{cancel}""#)));
    let kept = waiting();
    assert!(kept > 0, "the checked file waits in the folder");
    let still_waiting = || async {
        let page = app
            .get(&format!("/kommune/259/indlaes/{token}"), &kim.cookie)
            .await;
        page.status == StatusCode::SEE_OTHER && page.location == "/kommune/259/indlaes"
    };
    assert!(still_waiting().await);

    // Refused, the upload still waits: a forged form, another
    // municipality's coordinator, Køge's other coordinator.
    let forged = app.post(&cancel, &kim.cookie, &[]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let outsider = app
        .post(&cancel, &other.cookie, &[("csrf", &other.csrf)])
        .await;
    assert_eq!(outsider.status, StatusCode::FORBIDDEN);
    let through_own = app
        .post(
            &format!("/kommune/101/indlaes/{token}/annuller"),
            &other.cookie,
            &[("csrf", &other.csrf)],
        )
        .await;
    assert_eq!(through_own.status, StatusCode::NOT_FOUND);
    let colleague = app
        .post(&cancel, &anne.cookie, &[("csrf", &anne.csrf)])
        .await;
    assert_eq!(
        colleague.status,
        StatusCode::NOT_FOUND,
        "an upload is its uploader's"
    );
    assert!(still_waiting().await);
    assert_eq!(waiting(), kept);

    let cancelled = app.post(&cancel, &kim.cookie, &[("csrf", &kim.csrf)]).await;
    let intake = follow(&app, &cancelled, &kim.cookie, "/kommune/259/indlaes").await;
    assert!(!intake.body.contains(&token));
    assert_eq!(waiting(), 0, "the file is removed");
    assert_eq!(
        app.get(&format!("/kommune/259/indlaes/{token}"), &kim.cookie)
            .await
            .status,
        StatusCode::NOT_FOUND,
        "the preview is gone"
    );
    let saved = app
        .post(
            &format!("/kommune/259/indlaes/{token}/gem"),
            &kim.cookie,
            &[("csrf", &kim.csrf)],
        )
        .await;
    assert_eq!(saved.status, StatusCode::NOT_FOUND, "{}", saved.body);
    assert!(koege_rows(store).await.is_empty());
    assert!(store.list_batches(Some(koege())).await.unwrap().is_empty());
}

// --- the public list of periods ---------------------------------------------------------------

/// The public API lists only published periods, with id, name, dates, publication time and corrections.
#[tokio::test]
async fn the_public_period_list_names_only_published_periods() {
    let app = App::new().await;
    let store = app.store();
    let admin = admin(&app).await;
    let spring = custom_period(
        &app,
        &admin,
        "Forårsmåling 2024",
        "2024-04-22",
        "2024-05-10",
    )
    .await;
    let autumn = custom_period(
        &app,
        &admin,
        "Efterårsmåling 2024",
        "2024-10-21",
        "2024-11-08",
    )
    .await;
    let future = custom_period(
        &app,
        &admin,
        "Forårsmåling 2031",
        "2031-04-21",
        "2031-05-09",
    )
    .await;
    let list = || async {
        let reply = app.get("/api/v1/public/periods", "").await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert!(
            reply.content_type.starts_with("application/json"),
            "{}",
            reply.content_type
        );
        reply.json()
    };
    assert_eq!(list().await, serde_json::json!({ "periods": [] }));

    let publish = |id: PeriodId, publish: &'static str| {
        let admin = &admin;
        let app = &app;
        async move {
            app.post(
                &format!("/admin/perioder/{id}/offentliggoer"),
                &admin.cookie,
                &[
                    ("csrf", &admin.csrf),
                    ("publish", publish),
                    ("confirm", "ja"),
                ],
            )
            .await
        }
    };
    // Publishing is never one click: without the confirmation the post
    // asks for it, and the confirmation page says what publishing means.
    let unconfirmed = app
        .post(
            &format!("/admin/perioder/{}/offentliggoer", spring.id),
            &admin.cookie,
            &[("csrf", &admin.csrf), ("publish", "ja")],
        )
        .await;
    assert_eq!(unconfirmed.status, StatusCode::SEE_OTHER);
    let asking = follow(
        &app,
        &unconfirmed,
        &admin.cookie,
        &format!("/admin/perioder/{}/offentliggoer?publish=ja", spring.id),
    )
    .await;
    assert!(
        asking.body.contains("Tallene fastfryses"),
        "{}",
        asking.body
    );
    assert!(asking.body.contains(r#"name="confirm" value="ja""#));
    assert_eq!(
        list().await,
        serde_json::json!({ "periods": [] }),
        "not yet published"
    );
    let published = publish(spring.id, "ja").await;
    let page = follow(
        &app,
        &published,
        &admin.cookie,
        "/admin/perioder?besked=offentliggjort",
    )
    .await;
    assert!(page.body.contains("Perioden er offentliggjort."));
    let at = period(store, spring.id).await.published_at.unwrap();
    // A period before its deadline cannot be published.
    let early = publish(future.id, "ja").await;
    refused(
        &early,
        "kan først offentliggøres efter fristen for indberetning",
    );
    assert_eq!(period(store, future.id).await.published_at, None);
    assert_eq!(period(store, autumn.id).await.published_at, None);

    let listed = list().await;
    let periods = listed["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 1, "only the published one: {listed}");
    let one = periods[0].as_object().unwrap();
    let mut fields: Vec<&str> = one.keys().map(String::as_str).collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        ["corrections", "from", "id", "name", "published_at", "to"]
    );
    assert_eq!(one["id"], spring.id.0);
    assert_eq!(one["name"], "Forårsmåling 2024");
    assert_eq!(one["from"], "2024-04-22");
    assert_eq!(one["to"], "2024-05-10");
    let when = chrono::DateTime::parse_from_rfc3339(one["published_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    assert_eq!(when, at);
    assert_eq!(one["corrections"], serde_json::json!([]));

    // Withdrawn: gone from the list again.
    let withdrawn = publish(spring.id, "nej").await;
    let page = follow(
        &app,
        &withdrawn,
        &admin.cookie,
        "/admin/perioder?besked=trukket",
    )
    .await;
    assert!(page.body.contains("Offentliggørelsen er trukket tilbage."));
    assert_eq!(list().await, serde_json::json!({ "periods": [] }));
    assert_eq!(
        audited(&app, None, ADMIN)
            .await
            .into_iter()
            .filter(|(action, _, _)| action.ends_with("publish"))
            .collect::<Vec<_>>(),
        [
            entry("unpublish", "period", spring.id),
            entry("publish", "period", spring.id),
        ]
    );
}

/// A task of the municipality's own never takes a national task's code,
/// nor the name of another own task; the page says why and nothing is made.
#[tokio::test]
async fn an_own_task_takes_neither_a_national_code_nor_an_own_tasks_name() {
    let app = App::new().await;
    let store = app.store();
    let kim = kim(&app).await;
    let national_id = mandatory_task(store).await;
    let national = store
        .list_tasks(koege())
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.id == national_id)
        .unwrap();
    let create = |kle: String, name: &'static str| {
        let app = &app;
        let kim = &kim;
        async move {
            app.post(
                "/kommune/259/opgaver",
                &kim.cookie,
                &[("csrf", &kim.csrf), ("kle", &kle), ("name", name)],
            )
            .await
        }
    };
    let own_count = || async {
        store
            .list_tasks(koege())
            .await
            .unwrap()
            .iter()
            .filter(|t| t.municipality.is_some())
            .count()
    };

    let reused = create(national.kle.to_string(), "Min udgave").await;
    assert_eq!(
        reused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reused.body
    );
    assert!(
        reused.body.contains(&format!(
            "Koden {} bruges af den nationale opgave",
            national.kle
        )),
        "{}",
        reused.body
    );
    assert_eq!(own_count().await, 0);

    let first = create("27.24.00".into(), "Egen opgave").await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let twin = create("27.24.01".into(), " egen opgave ").await;
    assert_eq!(
        twin.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        twin.body
    );
    assert!(
        twin.body
            .contains("Kommunen har allerede en egen opgave med navnet «Egen opgave» (27.24.00)"),
        "{}",
        twin.body
    );
    assert_eq!(own_count().await, 1);
}
