//! The website channel: paths mapped to tasks (longest wins, audited),
//! Matomo exports in the languages and encodings Matomo writes them turned
//! into WEB inquiries with the method's fixed parameters and into the
//! yearly visits total, every problem shown and nothing stored for a bad
//! file. On the test backend.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use chrono::{NaiveDate, TimeZone, Utc};
use komhen_backend::testing::TestStore;
use komhen_core::accounts::access::Actor;
use komhen_core::intake::website::{self, ReportKind, WebUpload};
use komhen_domain::{Completion, InquiryType, MunicipalityCode, ReportPeriod, Source, TaskId};
use komhen_ingest::Limits;
use komhen_store::{NewLocalTask, RegistrationFilter, Store, TotalMeasure};
use komhen_store_conformance::SetupShortcuts;
use std::io::Write;
use std::path::PathBuf;

const FLAT_PAGES: &[u8] =
    include_bytes!("../../ingest/tests/data/matomo_Actions.getPageUrls_week_flat.csv");
const VISITS_UTF16: &[u8] =
    include_bytes!("../../ingest/tests/data/matomo_VisitsSummary.get_day.utf16.csv");
const EMAILED: &[u8] = include_bytes!("../../ingest/tests/data/matomo_ScheduledReports_month.csv");

fn koege() -> MunicipalityCode {
    MunicipalityCode::new(259).unwrap()
}

fn kbh() -> MunicipalityCode {
    MunicipalityCode::new(101).unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn utf16le(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    text.encode_utf16()
        .for_each(|u| bytes.extend_from_slice(&u.to_le_bytes()));
    bytes
}

struct Fixture {
    db: TestStore,
    dir: tempfile::TempDir,
    pas: TaskId,
    card: TaskId,
}

impl Fixture {
    async fn new() -> Self {
        let db = TestStore::new().await;
        komhen_core::reference::migrate_and_load(db.store.as_ref())
            .await
            .unwrap();
        let tasks = db.store.list_tasks(koege()).await.unwrap();
        let national = |kle: &str| {
            tasks
                .iter()
                .find(|t| t.kle.as_str() == kle && t.municipality.is_none())
                .unwrap()
                .id
        };
        let (pas, card) = (national("23.09.02"), national("29.03.04"));
        Self {
            db,
            dir: tempfile::tempdir().unwrap(),
            pas,
            card,
        }
    }

    fn store(&self) -> &dyn Store {
        self.db.store.as_ref()
    }

    fn actor() -> Actor {
        Actor::command_line()
    }

    async fn map(&self, path: &str, task: TaskId) {
        website::add_web_page(self.store(), &Self::actor(), koege(), path, Some(task))
            .await
            .unwrap();
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::File::create(&path)
            .unwrap()
            .write_all(bytes)
            .unwrap();
        path
    }

    fn upload<'a>(path: &'a std::path::Path, period: Option<&str>) -> WebUpload<'a> {
        WebUpload {
            path,
            file_name: "matomo.csv",
            period: period.map(|p| ReportPeriod::parse(p).unwrap()),
            limits: Limits::default(),
        }
    }

    async fn preview(&self, path: &std::path::Path, period: Option<&str>) -> website::WebPreview {
        website::preview_web(self.store(), koege(), &Self::upload(path, period))
            .await
            .unwrap()
    }

    async fn import(
        &self,
        path: &std::path::Path,
        period: Option<&str>,
        replace: bool,
    ) -> Result<website::WebImported, komhen_core::CoreError> {
        website::import_web(
            self.store(),
            &Self::actor(),
            koege(),
            &Self::upload(path, period),
            replace,
        )
        .await
    }

    async fn web_rows(&self) -> Vec<komhen_store::RegistrationRow> {
        self.store()
            .list_registrations(koege(), &RegistrationFilter::default())
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.channel.as_str() == "WEB")
            .collect()
    }
}

fn messages(preview: &website::WebPreview) -> Vec<String> {
    preview
        .problems
        .kept()
        .iter()
        .map(|p| p.to_string())
        .collect()
}

#[tokio::test]
async fn mappings_take_paths_and_addresses_of_the_municipality_own_catalogue_and_are_audited() {
    let f = Fixture::new().await;
    let store = f.store();
    let actor = Fixture::actor();
    let own = store
        .create_local_task(&NewLocalTask {
            municipality: koege(),
            kle: komhen_domain::KleNumber::parse("27.24.00").unwrap(),
            kind: komhen_domain::TaskCodeKind::Topic,
            name: "Egen opgave".into(),
        })
        .await
        .unwrap();
    let other = store
        .create_local_task(&NewLocalTask {
            municipality: kbh(),
            kle: komhen_domain::KleNumber::parse("27.24.00").unwrap(),
            kind: komhen_domain::TaskCodeKind::Topic,
            name: "Københavns egen".into(),
        })
        .await
        .unwrap();
    let id = website::add_web_page(
        store,
        &actor,
        koege(),
        "https://www.koege.dk/Borger/Pas/?side=2",
        Some(f.pas),
    )
    .await
    .unwrap();
    website::add_web_page(store, &actor, koege(), "/borger/tillaeg/", Some(own))
        .await
        .unwrap();
    let refused = |address: &'static str, task: Option<TaskId>| {
        let actor = actor.clone();
        async move {
            website::add_web_page(store, &actor, koege(), address, task)
                .await
                .unwrap_err()
                .to_string()
        }
    };
    assert!(refused("/borger/pas", Some(f.card))
        .await
        .contains("allerede knyttet"));
    assert!(refused("https://www.koege.dk/", Some(f.card))
        .await
        .contains("Hele hjemmesiden"));
    assert!(refused("/borger/andet", Some(other))
        .await
        .contains("findes ikke i kommunens"));
    assert!(refused("/borger/andet", None).await.contains("Vælg"));

    let pages = website::web_pages(store, koege()).await.unwrap();
    let listed: Vec<(&str, &str)> = pages
        .iter()
        .map(|p| (p.path.as_str(), p.task.kle.as_str()))
        .collect();
    assert_eq!(
        listed,
        vec![("/borger/pas", "23.09.02"), ("/borger/tillaeg", "27.24.00")]
    );
    let audit = store.list_audit(Some(koege()), 10).await.unwrap();
    assert!(audit
        .iter()
        .any(|a| a.entry.entity == "web_page" && a.entry.action == "create"));

    website::remove_web_page(store, &actor, koege(), id)
        .await
        .unwrap();
    assert_eq!(website::web_pages(store, koege()).await.unwrap().len(), 1);
    assert!(website::remove_web_page(store, &actor, kbh(), id)
        .await
        .is_err());
    let audit = store.list_audit(Some(koege()), 1).await.unwrap();
    assert_eq!(
        (
            audit[0].entry.entity.as_str(),
            audit[0].entry.action.as_str()
        ),
        ("web_page", "delete")
    );
}

#[tokio::test]
async fn a_flat_pages_report_becomes_one_web_inquiry_row_per_task_and_day_longest_path_winning() {
    let f = Fixture::new().await;
    f.map("/dir1", f.pas).await;
    f.map("/dir1/sub/dir/page1.html", f.card).await;
    let path = f.file("pages.csv", FLAT_PAGES);

    let preview = f.preview(&path, Some("21-10-2025")).await;
    assert_eq!(preview.kind, Some(ReportKind::Pages));
    assert!(preview.problems.is_empty(), "{:?}", messages(&preview));
    let by_task: Vec<(&str, i64)> = preview
        .by_task
        .iter()
        .map(|t| (t.task.kle.as_str(), t.visits))
        .collect();
    assert_eq!(by_task, vec![("23.09.02", 4), ("29.03.04", 2)]);
    assert_eq!(preview.inquiries, 6);
    assert_eq!(preview.unmapped_pages, 8);
    assert_eq!(preview.unmapped_visits, 14);
    assert_eq!(preview.unmapped[0].visits, 2, "most visits first");
    assert!(preview
        .unmapped
        .iter()
        .any(|u| u.page == "/sub/dir/dir1/page1.html" && u.visits == 1));
    assert_eq!(preview.first_day, Some(day(2025, 10, 21)));

    let imported = f.import(&path, Some("21-10-2025"), false).await.unwrap();
    assert_eq!((imported.rows, imported.count), (2, 6));
    let rows = f.web_rows().await;
    assert_eq!(rows.len(), 2);
    let noon = Utc.with_ymd_and_hms(2025, 10, 21, 10, 0, 0).unwrap();
    for row in &rows {
        assert_eq!(row.inquiry_type, Some(InquiryType::Guidance));
        assert_eq!(row.completion, Some(Completion::AtOnce));
        assert_eq!(row.has_form, Some(false));
        assert_eq!(row.unit, None);
        assert_eq!(row.source, Source::Upload);
        assert_eq!(row.registered_at, noon, "midday Danish (summer) time");
        assert_eq!(row.hour, 12);
        assert_eq!(row.batch, Some(imported.batch.id));
    }
    let pas = rows.iter().find(|r| r.task == f.pas).unwrap();
    assert_eq!(pas.quantity, 4);
    let counted = website::web_inquiries_by_task(f.store(), koege())
        .await
        .unwrap();
    assert_eq!(counted[0].1, 4);

    // The same file again: refused, or replaces without doubling.
    let again = f
        .import(&path, Some("21-10-2025"), false)
        .await
        .unwrap_err();
    assert!(again.to_string().contains("indlæst før"), "{again}");
    let replaced = f.import(&path, Some("21-10-2025"), true).await.unwrap();
    assert!(replaced.replaced);
    assert_eq!(f.web_rows().await.len(), 2);
    assert_eq!(
        website::web_batches(f.store(), koege())
            .await
            .unwrap()
            .len(),
        1
    );

    website::delete_web_batch(f.store(), koege(), replaced.batch.id)
        .await
        .unwrap();
    assert!(f.web_rows().await.is_empty());
    assert!(
        website::delete_web_batch(f.store(), kbh(), replaced.batch.id)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_danish_utf16_export_per_day_gives_each_day_its_own_rows_and_skips_folders() {
    let f = Fixture::new().await;
    f.map("https://www.koege.dk/borger/pas", f.pas).await;
    let text = "date,Side-URL,Unikke sidevisninger,Sidevisninger,Metadata: url\n\
                2025-10-20,/borger/pas,120,150,https://www.koege.dk/borger/pas\n\
                2025-10-20,/borger/pas/boern,30,31,https://www.koege.dk/borger/pas/boern?x=1\n\
                2025-10-21,/borger/pas,90,99,https://www.koege.dk/Borger/Pas/\n\
                2025-10-21,borger,500,600,\n\
                2025-10-21,/om-kommunen,7,7,https://www.koege.dk/om-kommunen\n";
    let path = f.file("sider.csv", &utf16le(text));
    let preview = f.preview(&path, None).await;
    assert!(preview.problems.is_empty(), "{:?}", messages(&preview));
    assert_eq!(preview.format, "UTF-16 LE");
    assert_eq!(preview.folder_rows, 1);
    assert!(preview.warnings.iter().any(|w| w.contains("mapperækker")));
    assert_eq!(preview.by_task[0].days, 2);
    assert_eq!(preview.by_task[0].visits, 240);
    assert_eq!(preview.unmapped[0].page, "/om-kommunen");
    f.import(&path, None, false).await.unwrap();
    let mut got: Vec<(NaiveDate, i64)> = f
        .web_rows()
        .await
        .iter()
        .map(|r| (r.day, r.quantity))
        .collect();
    got.sort();
    assert_eq!(got, vec![(day(2025, 10, 20), 150), (day(2025, 10, 21), 90)]);
}

#[tokio::test]
async fn an_english_translated_pages_report_is_read_by_its_labels() {
    let f = Fixture::new().await;
    f.map("/borger/pas", f.pas).await;
    let text = "Page URL,Unique Pageviews,Pageviews,Bounce Rate\n/borger/pas,12,20,5%\n\
                Page URL not defined,3,3,0%\n";
    let path = f.file("pages-en.csv", text.as_bytes());
    let preview = f.preview(&path, Some("2025-10-21")).await;
    assert!(preview.problems.is_empty(), "{:?}", messages(&preview));
    assert_eq!(preview.inquiries, 12);
    assert!(!preview.unmapped[0].is_page, "a label that is no address");
}

#[tokio::test]
async fn a_pages_report_without_a_day_is_refused_not_spread_and_nothing_is_stored() {
    let f = Fixture::new().await;
    f.map("/index.htm", f.pas).await;
    let path = f.file("emailed.csv", EMAILED);
    let undated = f.preview(&path, None).await;
    assert_eq!(undated.kind, Some(ReportKind::Pages));
    assert!(messages(&undated)[0].contains("ingen dato pr. række"));
    let month = f.preview(&path, Some("2025-10")).await;
    assert!(messages(&month)[0].contains("kan ikke fordeles"));
    assert!(f.import(&path, Some("2025-10"), false).await.is_err());

    let weekly = f.file(
        "uge.csv",
        b"date,label,nb_visits\n\"2025-10-20,2025-10-26\",/index.htm,40\n2025-10-27,/index.htm,abc\n",
    );
    let preview = f.preview(&weekly, None).await;
    let all = messages(&preview);
    assert_eq!(all.len(), 2, "{all:?}");
    assert!(all.iter().any(|m| m.contains("ikke én dag")));
    assert!(all.iter().any(|m| m.contains("«abc» er ikke et antal")));
    assert!(f.import(&weekly, None, false).await.is_err());

    let outside = f.file(
        "udenfor.csv",
        b"date,label,nb_visits\n2025-10-20,/index.htm,4\n",
    );
    let preview = f.preview(&outside, Some("21-10-2025")).await;
    assert!(messages(&preview)[0].contains("uden for den angivne periode"));
    assert!(f.web_rows().await.is_empty());
    assert!(website::web_batches(f.store(), koege())
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn the_visits_summary_becomes_the_website_sessions_total_for_its_period() {
    let f = Fixture::new().await;
    let path = f.file("besoeg.csv", VISITS_UTF16);
    let undated = f.preview(&path, None).await;
    assert_eq!(undated.kind, Some(ReportKind::Visits));
    assert!(messages(&undated)[0].contains("Angiv perioden"));

    let imported = f.import(&path, Some("2025"), false).await.unwrap();
    assert_eq!((imported.kind, imported.count), (ReportKind::Visits, 2));
    let totals = website::website_sessions(f.store(), koege()).await.unwrap();
    assert_eq!(totals.len(), 1);
    assert_eq!(totals[0].measure, TotalMeasure::WebsiteSessions);
    assert_eq!(
        (totals[0].from, totals[0].to, totals[0].count),
        (day(2025, 1, 1), day(2025, 12, 31), 2)
    );
    assert_eq!(totals[0].batch, Some(imported.batch.id));

    // Per day: one total per day; overlapping an earlier total is a warning.
    let daily = f.file(
        "pr-dag.csv",
        &utf16le("date,Unikke besøgende,Besøg\n2025-10-20,10,12\n2025-10-21,7,9\n"),
    );
    let preview = f.preview(&daily, None).await;
    assert!(preview.problems.is_empty());
    assert_eq!(preview.sessions.len(), 2);
    assert!(preview.warnings[0].contains("allerede besøgstal"));

    website::delete_web_batch(f.store(), koege(), imported.batch.id)
        .await
        .unwrap();
    assert!(website::website_sessions(f.store(), koege())
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_workbook_or_utf16_without_byte_order_mark_is_refused_before_reading() {
    let f = Fixture::new().await;
    let xlsx = f.file("rapport.xlsx", b"PK\x03\x04 noget zip");
    let preview = f.preview(&xlsx, Some("21-10-2025")).await;
    assert!(messages(&preview)[0].contains("Excel-projektmappe"));
    let mut no_bom = Vec::new();
    "label,nb_visits\n/borger/pas,3\n"
        .encode_utf16()
        .for_each(|u| no_bom.extend_from_slice(&u.to_le_bytes()));
    let path = f.file("uden-bom.csv", &no_bom);
    let preview = f.preview(&path, Some("21-10-2025")).await;
    assert!(messages(&preview)[0].contains("UTF-16 uden"));
    assert!(f.import(&path, Some("21-10-2025"), false).await.is_err());
    let neither = f.file("andet.csv", b"Kommune;Opgave\n259;23.09.02\n");
    let preview = f.preview(&neither, None).await;
    assert_eq!(preview.kind, None);
    assert!(!preview.problems.is_empty());
}
