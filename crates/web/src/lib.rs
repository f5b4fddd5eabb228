//! komhen's web front: routes, page handlers, templates and the embedded
//! static assets. Pages are server-rendered HTML in Danish, usable without
//! JavaScript, in the look of Det Fælles Designsystem.
//!
//! Must not know SQL: every figure comes from `komhen_core`, so the pages,
//! the CLI and the API compute it the same way.

mod access;
mod accounts;
mod address;
mod api;
mod assets;
mod clock;
mod cycle;
mod economics;
mod error;
mod format;
mod forms;
mod frame;
mod hotline;
mod i18n;
mod intake;
mod openapi;
mod outbox;
mod pages;
mod portal;
mod questionnaire;
mod reads;
mod registration;
mod reports;
mod savings;
mod security;
mod strategy;
pub use security::HSTS_MAX_AGE_SECONDS;
mod session;
mod setup;

use access::Routes;
use axum::extract::MatchedPath;
use axum::routing::get;
use axum::Router;
use komhen_core::accounts::access::Access;
use komhen_core::registration::Catalogs;
use komhen_store::Store;
use std::sync::Arc;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub use access::RouteInfo;
pub use clock::Clock;
pub use error::WebError;
#[allow(unused_imports)]
pub(crate) use i18n::{t, t1, t2, t3};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// The units' catalogues, cached per set-up version.
    pub catalogs: Arc<Catalogs>,
    /// Uploads, kept on disk between preview and import.
    pub uploads: Arc<intake::uploads::Uploads>,
    /// Imports of registration files started on this server.
    pub imports: Arc<intake::files::Imports>,
    /// Published periods' portal figures, reused for a minute.
    pub portal: Arc<portal::PortalCache>,
    /// Take the client's address from `X-Forwarded-For` (see `address`).
    pub behind_proxy: bool,
    /// The time the web goes by (login throttling, registering).
    pub clock: Clock,
    /// The SMTP server's mailer, when komhen has one (`KOMHEN_SMTP_URL`).
    pub mailer: Option<Arc<komhen_core::mail::Mailer>>,
    /// The address users reach komhen at (`KOMHEN_BASE_URL`), for links in
    /// mails; None when not set.
    pub base_url: Option<String>,
    /// A read replica for published figures (`reads`), when komhen has one.
    pub replica: Option<Arc<Replica>>,
}

pub use intake::uploads::Uploads;
pub use reads::{Replica, REPLICA_CHECK_EVERY};

/// How the web runs: what `komhen serve` chooses and tests fix.
pub struct Options {
    /// Where uploads wait between preview and import.
    pub uploads: Uploads,
    /// Behind a reverse proxy, the client's address is the right-most
    /// `X-Forwarded-For` address instead of the connection's.
    pub behind_proxy: bool,
    pub clock: Clock,
    /// komhen is reached only over HTTPS: every answer carries
    /// Strict-Transport-Security.
    pub hsts: bool,
    /// Mail goes through this SMTP server; None keeps mails in the outbox.
    pub mailer: Option<Arc<komhen_core::mail::Mailer>>,
    /// The address users reach komhen at (`KOMHEN_BASE_URL`).
    pub base_url: Option<String>,
    /// Published figures are read from this replica while it answers
    /// (`komhen serve --read-database-url`); None reads them from the primary.
    pub replica: Option<Arc<Replica>>,
}

impl Default for Options {
    /// Uploads in the system's temporary folder, no proxy, the system's
    /// time, no Strict-Transport-Security.
    fn default() -> Self {
        Self {
            uploads: Uploads::in_temp(),
            behind_proxy: false,
            clock: Clock::default(),
            hsts: false,
            mailer: None,
            base_url: None,
            replica: None,
        }
    }
}

/// The whole application as one router, for tests: the default options.
pub fn router(store: Arc<dyn Store>) -> Router {
    routes(store, Options::default()).0
}

/// The whole application as one router, with the options `komhen serve`
/// or a test chose. Served, it needs the connection's address
/// (`into_make_service_with_connect_info::<SocketAddr>`).
pub fn router_with(store: Arc<dyn Store>, options: Options) -> Router {
    routes(store, options).0
}

/// Every route with what it requires, as registered: what the
/// authorization matrix test walks.
pub fn route_table(store: Arc<dyn Store>) -> Vec<RouteInfo> {
    routes(store, Options::default()).1
}

fn routes(store: Arc<dyn Store>, options: Options) -> (Router, Vec<RouteInfo>) {
    use Access::{National, Public, ReadMunicipality as Read, SetUpMunicipality as SetUp};
    use Access::{ReadHotline, ReadReports, SetUpHotline, SignedIn, System, Unit};
    let options_hsts = options.hsts;
    let state = AppState {
        store,
        catalogs: Arc::new(Catalogs::new()),
        uploads: Arc::new(options.uploads),
        imports: Arc::new(intake::files::Imports::default()),
        portal: Arc::new(portal::PortalCache::default()),
        behind_proxy: options.behind_proxy,
        clock: options.clock,
        base_url: options
            .mailer
            .as_ref()
            .map(|m| m.base_url().to_owned())
            .or(options.base_url),
        mailer: options.mailer,
        replica: options.replica,
    };
    let (router, table) = Routes::new(state.clone())
        // Public pages and logging in.
        .get("/", Public, portal::start_page)
        .get("/kommuner", Public, portal::list_municipalities)
        .get("/kommuner/{kode}", Public, portal::show_municipality)
        .get("/rangliste", Public, portal::show_ranking)
        .get("/landstal", Public, portal::show_national)
        .get("/static/geo/kommuner.geojson", Public, portal::map_geometry)
        .get("/api/v1/public/periods", Public, portal::api_periods)
        .get("/api/v1/public/metrics", Public, portal::api_metrics)
        .get("/api/v1/public/savings", Public, portal::api_savings)
        .get("/om", Public, pages::about_page)
        .get("/tilgaengelighed", Public, pages::accessibility_page)
        .get("/healthz", Public, pages::health)
        .get("/log-ind", Public, accounts::login::show_login)
        .post("/log-ind", Public, accounts::login::log_in)
        .post("/log-ud", Public, accounts::login::log_out)
        .get("/sprog", Public, accounts::login::choose_language)
        .get(
            "/adgangskode/{token}",
            Public,
            accounts::account::show_set_password,
        )
        .post(
            "/adgangskode/{token}",
            Public,
            accounts::account::set_password,
        )
        // The registration tool, behind a unit's shared login.
        .get("/registrering", Unit, registration::show_registration)
        .post("/registrering", Unit, registration::create_registration)
        .get("/registrering/hjaelp", Unit, registration::show_help)
        .get("/registrering/skema", Unit, registration::paper::show_sheet)
        .get(
            "/registrering/skema/indtast",
            Unit,
            registration::paper::show_sheet_entry,
        )
        .post(
            "/registrering/skema/indtast",
            Unit,
            registration::paper::enter_sheet,
        )
        .get(
            "/registrering/evaluering/{id}",
            Unit,
            questionnaire::show_unit_evaluation,
        )
        .post(
            "/registrering/evaluering/{id}",
            Unit,
            questionnaire::save_unit_evaluation,
        )
        .post(
            "/registrering/{id}/fortryd",
            Unit,
            registration::undo_registration,
        )
        .get(
            "/registrering/{id}/ret",
            Unit,
            registration::show_correction,
        )
        .post(
            "/registrering/{id}/ret",
            Unit,
            registration::correct_registration,
        )
        // A personal user's own pages.
        .get("/mit", SignedIn, accounts::account::show_my_page)
        .get("/konto", SignedIn, accounts::account::show_account)
        .post(
            "/konto/adgangskode",
            SignedIn,
            accounts::account::change_password,
        )
        // A municipality's set-up: read by its people, changed by its coordinators.
        .get("/kommune/{kode}", Read, setup::show_overview)
        .get("/kommune/{kode}/enheder", Read, setup::list_units)
        .post("/kommune/{kode}/enheder", SetUp, setup::create_unit)
        .post(
            "/kommune/{kode}/forvaltninger",
            SetUp,
            setup::create_department,
        )
        .post(
            "/kommune/{kode}/forvaltninger/{forvaltning}",
            SetUp,
            setup::update_department,
        )
        .get("/kommune/{kode}/enheder/{enhed}", Read, setup::show_unit)
        .post("/kommune/{kode}/enheder/{enhed}", SetUp, setup::update_unit)
        .get(
            "/kommune/{kode}/enheder/{enhed}/loginkort",
            SetUp,
            setup::show_login_card,
        )
        .post(
            "/kommune/{kode}/enheder/{enhed}/adgangskode",
            SetUp,
            setup::set_unit_password,
        )
        .post(
            "/kommune/{kode}/enheder/{enhed}/opgaver",
            SetUp,
            setup::set_unit_tasks,
        )
        .post(
            "/kommune/{kode}/enheder/{enhed}/spoergsmaal",
            SetUp,
            setup::set_unit_questions,
        )
        .post(
            "/kommune/{kode}/enheder/{enhed}/kopier",
            SetUp,
            setup::copy_unit_setup,
        )
        .get("/kommune/{kode}/opgaver", Read, setup::show_tasks)
        .post("/kommune/{kode}/opgaver", SetUp, setup::create_local_task)
        .post(
            "/kommune/{kode}/opgaver/{opgave}/udgaaet",
            SetUp,
            setup::set_local_task_retired,
        )
        .post(
            "/kommune/{kode}/spoergsmaal",
            SetUp,
            setup::create_task_question,
        )
        .post(
            "/kommune/{kode}/spoergsmaal/{spoergsmaal}/aktiv",
            SetUp,
            setup::set_question_active,
        )
        .get("/kommune/{kode}/testtilstand", Read, setup::show_test_mode)
        .post("/kommune/{kode}/testtilstand", SetUp, setup::set_test_mode)
        .post(
            "/kommune/{kode}/testtilstand/slet",
            SetUp,
            setup::delete_test_registrations,
        )
        .get("/kommune/{kode}/perioder", Read, setup::show_periods)
        .post(
            "/kommune/{kode}/perioder/{periode}",
            SetUp,
            setup::set_participation,
        )
        .get(
            "/kommune/{kode}/brugere",
            SetUp,
            accounts::users::list_users,
        )
        .post(
            "/kommune/{kode}/brugere",
            SetUp,
            accounts::users::invite_user,
        )
        .post(
            "/kommune/{kode}/brugere/{bruger}/link",
            SetUp,
            accounts::users::create_link,
        )
        .post(
            "/kommune/{kode}/brugere/{bruger}/fjern-rolle",
            SetUp,
            accounts::users::revoke_role,
        )
        .get("/kommune/{kode}/log", SetUp, accounts::users::show_audit)
        // Data from the municipality's own systems.
        .get("/kommune/{kode}/indlaes", Read, intake::files::show_intake)
        .get(
            "/kommune/{kode}/kodebog/skabelon.csv",
            SetUp,
            intake::files::own_template_csv,
        )
        .get(
            "/kommune/{kode}/kodebog/skabelon.xlsx",
            SetUp,
            intake::files::own_template_xlsx,
        )
        .upload(
            "/kommune/{kode}/indlaes",
            SetUp,
            intake::files::upload_file,
            intake::files::UPLOAD_LIMIT,
        )
        .get(
            "/kommune/{kode}/indlaes/{upload}",
            SetUp,
            intake::files::show_upload,
        )
        .post(
            "/kommune/{kode}/indlaes/{upload}/gem",
            SetUp,
            intake::files::confirm_upload,
        )
        .post(
            "/kommune/{kode}/indlaes/{upload}/annuller",
            SetUp,
            intake::files::cancel_upload,
        )
        .get(
            "/kommune/{kode}/indlaesninger/{batch}",
            Read,
            intake::files::show_batch,
        )
        .post(
            "/kommune/{kode}/indlaesninger/{batch}/slet",
            SetUp,
            intake::files::delete_batch,
        )
        .get("/kodebog", Public, intake::files::show_codebook)
        .get(
            "/kodebog/skabelon.csv",
            Public,
            intake::files::codebook_template_csv,
        )
        .get(
            "/kodebog/skabelon.xlsx",
            Public,
            intake::files::codebook_template_xlsx,
        )
        // The national administration.
        .get("/admin", National, setup::national::show_overview)
        .get("/admin/opgaver", National, setup::national::show_catalogue)
        .upload(
            "/admin/kle",
            National,
            setup::national::import_kle,
            KLE_FILE_LIMIT,
        )
        .post(
            "/admin/opgavepakker",
            National,
            setup::national::create_package,
        )
        .get(
            "/admin/opgavepakker/{pakke}",
            National,
            setup::national::show_package,
        )
        .post(
            "/admin/opgavepakker/{pakke}/opgaver",
            National,
            setup::national::add_package_task,
        )
        .post(
            "/admin/opgavepakker/{pakke}/opgaver/{opgave}",
            National,
            setup::national::set_package_task,
        )
        .post(
            "/admin/opgaver/{opgave}/udgaaet",
            National,
            setup::national::set_task_retired,
        )
        .get("/admin/perioder", National, setup::national::show_periods)
        .post("/admin/perioder", National, setup::national::create_period)
        .post(
            "/admin/perioder/{periode}",
            National,
            setup::national::update_period,
        )
        .get(
            "/admin/perioder/{periode}/offentliggoer",
            National,
            setup::national::confirm_publish,
        )
        .post(
            "/admin/perioder/{periode}/offentliggoer",
            National,
            setup::national::publish_period,
        )
        .get(
            "/admin/rettelser",
            National,
            setup::national::show_corrections,
        )
        .post(
            "/admin/rettelser/{indlaesning}/godkend",
            National,
            setup::national::approve_correction,
        )
        .post(
            "/admin/rettelser/{indlaesning}/afvis",
            National,
            setup::national::reject_correction,
        )
        .get("/admin/priser", National, economics::show_national_prices)
        .post("/admin/priser", National, economics::save_national_price)
        .post(
            "/admin/priser/{pris}/fjern",
            National,
            economics::remove_national_price,
        )
        .get(
            "/kommune/{kode}/priser",
            Read,
            economics::show_municipal_prices,
        )
        .post(
            "/kommune/{kode}/priser",
            SetUp,
            economics::save_municipal_price,
        )
        .post(
            "/kommune/{kode}/priser/{pris}/fjern",
            SetUp,
            economics::remove_municipal_price,
        )
        .get("/kommune/{kode}/besparelser", Read, savings::show)
        .get(
            "/kommune/{kode}/besparelser.xlsx",
            Read,
            savings::download_xlsx,
        )
        .post("/kommune/{kode}/besparelser/gem", SetUp, savings::save)
        .get("/kommune/{kode}/strategi", Read, strategy::show)
        .post(
            "/kommune/{kode}/strategi/maal",
            SetUp,
            strategy::save_target,
        )
        .post(
            "/kommune/{kode}/strategi/maal/{maal}/fjern",
            SetUp,
            strategy::remove_target,
        )
        .post(
            "/kommune/{kode}/strategi/initiativer",
            SetUp,
            strategy::save_initiative,
        )
        .post(
            "/kommune/{kode}/strategi/initiativer/{initiativ}/fjern",
            SetUp,
            strategy::remove_initiative,
        )
        .post(
            "/kommune/{kode}/besparelser/{scenarie}/fjern",
            SetUp,
            savings::remove,
        )
        .get("/admin/kodelister", National, setup::national::show_codes)
        .post(
            "/admin/kodelister/kanaler",
            National,
            setup::national::save_channel,
        )
        .post(
            "/admin/kodelister/henvendelsestyper/{henvendelsestype}",
            National,
            setup::national::save_inquiry_type,
        )
        .post(
            "/admin/kodelister/afslutninger/{afslutning}",
            National,
            setup::national::save_completion,
        )
        .get("/admin/brugere", National, accounts::users::list_users)
        .post("/admin/brugere", National, accounts::users::invite_user)
        .post(
            "/admin/brugere/{bruger}/link",
            National,
            accounts::users::create_link,
        )
        .post(
            "/admin/brugere/{bruger}/fjern-rolle",
            National,
            accounts::users::revoke_role,
        )
        .post(
            "/admin/brugere/{bruger}/aktiv",
            National,
            accounts::users::set_user_active,
        )
        .get("/admin/log", National, accounts::users::show_audit)
        // The yearly cycle: the coordinator's checklist, the national overview.
        .get("/kommune/{kode}/tjekliste", Read, cycle::show_checklist)
        .get("/admin/indberetninger", National, cycle::show_overview)
        .get("/admin/udbakke", National, outbox::show_outbox)
        .post(
            "/admin/udbakke/paamindelser",
            National,
            outbox::run_reminders,
        )
        .get("/kommune/{kode}/udbakke", SetUp, outbox::show_outbox)
        .post(
            "/admin/indberetninger/frister",
            National,
            cycle::save_deadlines,
        )
        // Questionnaires: written by the national administrator, answered
        // by coordinators, and as the evaluation of the counting weeks sent
        // by a coordinator to the municipality's units.
        .get(
            "/kommune/{kode}/spoergeskema/{skema}",
            SetUp,
            questionnaire::show_answer,
        )
        .post(
            "/kommune/{kode}/spoergeskema/{skema}",
            SetUp,
            questionnaire::save_answer,
        )
        .post(
            "/kommune/{kode}/spoergeskema/{skema}/send",
            SetUp,
            questionnaire::send_to_units,
        )
        .get(
            "/kommune/{kode}/spoergeskema/{skema}/resultater",
            SetUp,
            questionnaire::show_unit_results,
        )
        .get(
            "/admin/spoergeskemaer",
            National,
            questionnaire::list_questionnaires,
        )
        .post(
            "/admin/spoergeskemaer",
            National,
            questionnaire::create_questionnaire,
        )
        .post(
            "/admin/spoergeskemaer/evaluering",
            National,
            questionnaire::create_evaluation,
        )
        .get(
            "/admin/spoergeskemaer/{skema}",
            National,
            questionnaire::show_questionnaire,
        )
        .post(
            "/admin/spoergeskemaer/{skema}",
            National,
            questionnaire::update_questionnaire,
        )
        .post(
            "/admin/spoergeskemaer/{skema}/tilstand",
            National,
            questionnaire::set_state,
        )
        .post(
            "/admin/spoergeskemaer/{skema}/spoergsmaal",
            National,
            questionnaire::add_question,
        )
        .post(
            "/admin/spoergeskemaer/{skema}/spoergsmaal/{spoergsmaal}/fjern",
            National,
            questionnaire::remove_question,
        )
        .post(
            "/admin/spoergeskemaer/{skema}/spoergsmaal/{spoergsmaal}/flyt",
            National,
            questionnaire::move_question,
        )
        .get(
            "/admin/spoergeskemaer/{skema}/resultater",
            National,
            questionnaire::show_results,
        )
        // Joint hotlines: the national list, then each line's pages.
        .get("/admin/hotlines", National, hotline::show_lines)
        .post("/admin/hotlines", National, hotline::create_line)
        .get("/hotline/{linje}", ReadHotline, hotline::show)
        .post(
            "/hotline/{linje}/indstillinger",
            SetUpHotline,
            hotline::save_settings,
        )
        .post("/hotline/{linje}/koeer", SetUpHotline, hotline::save_queues)
        .post(
            "/hotline/{linje}/medlemmer",
            SetUpHotline,
            hotline::add_member,
        )
        .post(
            "/hotline/{linje}/medlemmer/afslut",
            SetUpHotline,
            hotline::end_member,
        )
        .post(
            "/hotline/{linje}/aabningstid",
            SetUpHotline,
            hotline::save_opening_hours,
        )
        .post("/hotline/{linje}/enheder", SetUpHotline, hotline::add_unit)
        .post(
            "/hotline/{linje}/enheder/fjern",
            SetUpHotline,
            hotline::remove_unit,
        )
        .post("/hotline/{linje}/roller", SetUpHotline, hotline::grant_role)
        .post(
            "/hotline/{linje}/roller/fjern",
            SetUpHotline,
            hotline::revoke_role,
        )
        .post("/hotline/{linje}/priser", SetUpHotline, hotline::save_price)
        .post(
            "/hotline/{linje}/priser/fjern",
            SetUpHotline,
            hotline::remove_price,
        )
        .get("/hotline/{linje}/opkald", ReadHotline, hotline::calls::show)
        .upload(
            "/hotline/{linje}/opkald",
            SetUpHotline,
            hotline::calls::preview_file,
            hotline::calls::UPLOAD_LIMIT,
        )
        .post(
            "/hotline/{linje}/opkald/indlaes",
            SetUpHotline,
            hotline::calls::import_file,
        )
        .get("/hotline/{linje}/tal", ReadHotline, hotline::figures::show)
        .get(
            "/hotline/{linje}/bemanding",
            ReadHotline,
            hotline::staffing::show,
        )
        .post(
            "/hotline/{linje}/vagter",
            SetUpHotline,
            hotline::staffing::add_shift,
        )
        .post(
            "/hotline/{linje}/vagter/fjern",
            SetUpHotline,
            hotline::staffing::remove_shift,
        )
        .get(
            "/hotline/{linje}/opgoerelser",
            ReadHotline,
            hotline::statements::show,
        )
        .post(
            "/hotline/{linje}/opgoerelser",
            SetUpHotline,
            hotline::statements::issue,
        )
        .post(
            "/hotline/{linje}/opgoerelser/forhaandsvisning",
            SetUpHotline,
            hotline::statements::preview,
        )
        .get(
            "/hotline/{linje}/opgoerelser/{opgoerelse}",
            ReadHotline,
            hotline::statements::show_one,
        )
        .get("/hotline/{linje}/plan", ReadHotline, hotline::plan::show)
        .get("/hotline/{linje}/log", ReadHotline, hotline::plan::show_log)
        // The website channel and central loads.
        .get(
            "/kommune/{kode}/hjemmeside",
            Read,
            intake::website::show_website,
        )
        .post(
            "/kommune/{kode}/hjemmeside/sider",
            SetUp,
            intake::website::add_web_page,
        )
        .post(
            "/kommune/{kode}/hjemmeside/sider/fjern",
            SetUp,
            intake::website::remove_web_page,
        )
        .post(
            "/kommune/{kode}/hjemmeside/forhaandsvisning",
            SetUp,
            intake::website::preview_web_file,
        )
        .post(
            "/kommune/{kode}/hjemmeside/indlaes",
            SetUp,
            intake::website::import_web_file,
        )
        .post(
            "/kommune/{kode}/hjemmeside/filer/slet",
            SetUp,
            intake::website::delete_web_file,
        )
        .post(
            "/kommune/{kode}/hjemmeside/centrale-data",
            SetUp,
            intake::website::set_own_statistics,
        )
        .get("/admin/central", National, intake::central::show_central)
        .post(
            "/admin/central/forhaandsvisning",
            National,
            intake::central::preview_central_file,
        )
        .post(
            "/admin/central/indlaes",
            National,
            intake::central::import_central_file,
        )
        .post(
            "/admin/central/slet",
            National,
            intake::central::delete_central_file,
        )
        // Systems and the JSON API: a coordinator issues and revokes the
        // tokens; a system with one pushes registrations.
        .get(
            "/kommune/{kode}/systemer",
            SetUp,
            setup::systems::list_systems,
        )
        .post(
            "/kommune/{kode}/systemer",
            SetUp,
            setup::systems::create_system_token,
        )
        .post(
            "/kommune/{kode}/systemer/{system}/tilbagekald",
            SetUp,
            setup::systems::revoke_system_token,
        )
        .post("/api/v1/registrations", System, api::create_registrations)
        .get("/api/v1/openapi.json", Public, openapi::show_openapi)
        // Total counts: a municipality's, and the national deliveries.
        .get(
            "/kommune/{kode}/totaltal",
            Read,
            intake::totals::show_totals,
        )
        .get(
            "/kommune/{kode}/totaltal/skabelon.csv",
            Read,
            intake::totals::download_totals_template,
        )
        .post(
            "/kommune/{kode}/totaltal",
            SetUp,
            intake::totals::enter_total,
        )
        .post(
            "/kommune/{kode}/totaltal/fil",
            SetUp,
            intake::totals::preview_totals_file,
        )
        .post(
            "/kommune/{kode}/totaltal/telefoni",
            SetUp,
            intake::totals::preview_call_log,
        )
        .post(
            "/kommune/{kode}/totaltal/telefoni/regler",
            SetUp,
            intake::totals::create_phone_rule,
        )
        .post(
            "/kommune/{kode}/totaltal/telefoni/regler/{regel}/slet",
            SetUp,
            intake::totals::delete_phone_rule,
        )
        .post(
            "/kommune/{kode}/totaltal/{indlaesning}/gem",
            SetUp,
            intake::totals::save_totals,
        )
        .post(
            "/kommune/{kode}/totaltal/{indlaesning}/slet",
            SetUp,
            intake::totals::delete_totals,
        )
        .get(
            "/admin/totaltal",
            National,
            intake::totals::show_national_totals,
        )
        .get(
            "/admin/totaltal/skabelon.csv",
            National,
            intake::totals::download_national_template,
        )
        .post(
            "/admin/totaltal/fil",
            National,
            intake::totals::preview_national_file,
        )
        .post(
            "/admin/totaltal/{indlaesning}/gem",
            National,
            intake::totals::save_national_totals,
        )
        .post(
            "/admin/totaltal/{indlaesning}/slet",
            National,
            intake::totals::delete_national_totals,
        )
        // A municipality's figures and the report API.
        .get("/kommune/{kode}/tal", Read, reports::show_overview)
        .get("/kommune/{kode}/tal/rapporter", Read, reports::show_bank)
        .get(
            "/kommune/{kode}/tal/rapporter/{rapport}",
            Read,
            reports::show_standard,
        )
        .get("/kommune/{kode}/tal/pivot", Read, reports::show_pivot)
        .get(
            "/kommune/{kode}/tal/registreringer",
            Read,
            reports::show_registrations,
        )
        .get(
            "/kommune/{kode}/tal/beretning",
            Read,
            reports::show_period_report,
        )
        .post(
            "/kommune/{kode}/tal/beretning",
            SetUp,
            reports::save_recommendations,
        )
        .get(
            "/kommune/{kode}/tal/tabel.csv",
            Read,
            reports::download_table_csv,
        )
        .get(
            "/kommune/{kode}/tal/tabel.xlsx",
            Read,
            reports::download_table_xlsx,
        )
        .get(
            "/kommune/{kode}/tal/udtraek",
            Read,
            reports::extract::show_extract,
        )
        .get(
            "/kommune/{kode}/tal/udtraek.csv",
            Read,
            reports::extract::download_csv,
        )
        .get(
            "/kommune/{kode}/tal/udtraek.xlsx",
            Read,
            reports::extract::download_xlsx,
        )
        .get(
            "/kommune/{kode}/tal/udtraek-kodebog.csv",
            Read,
            reports::extract::download_codebook,
        )
        .get("/api/v1/report", ReadReports, reports::api_report)
        .get("/api/v1/savings", ReadReports, savings::api)
        .get("/api/v1/strategy", ReadReports, strategy::api)
        .get(
            "/kommune/{kode}/sammenligning",
            Read,
            portal::show_comparison_group,
        )
        .post(
            "/kommune/{kode}/sammenligning",
            SetUp,
            portal::save_comparison_group,
        )
        .finish();
    let router = router
        .route("/static/{*path}", get(assets::static_file))
        .fallback(pages::not_found)
        // Innermost: it sees the handler's own answer, before the JSON API
        // rewrites an error.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            reads::fall_back,
        ))
        .layer(axum::middleware::from_fn(api::json_errors))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::refuse_cross_site_posts,
        ))
        .layer(axum::middleware::from_fn_with_state(
            security::Hsts(options_hsts),
            security::headers,
        ))
        .layer(axum::middleware::from_fn(i18n::choose))
        // One request, one span: every log line of a request carries its
        // id, which the response returns in `x-request-id`. Spans are
        // info-level so the id reaches an error's line; the per-request
        // lines are debug, so the registration path writes no log at all
        // (their latency is in µs, for finding what makes a slow request).
        // Failures are logged once, with their cause, by `error`, not here.
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(
                    tower_http::trace::DefaultOnResponse::new()
                        .latency_unit(tower_http::LatencyUnit::Micros),
                )
                .on_failure(()),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state);
    (router, table)
}

/// The span of one request: method, route template (never the path, which
/// may hold a one-time link's token) and the request id.
fn request_span<B>(request: &axum::http::Request<B>) -> tracing::Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("-", MatchedPath::as_str);
    tracing::info_span!("request", method = %request.method(), route, id)
}

/// The largest upload komhen takes (a full KLE file is about 8 MB).
const KLE_FILE_LIMIT: usize = 32 * 1024 * 1024;
