//! Central loads of self-service and Digital Post statistics: rows with a
//! quantity for every municipality at once, the municipalities that load a
//! channel themselves left out and named, every problem of a bad file shown
//! and nothing stored, the same file recognised. On the test backend.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use chrono::{TimeZone, Utc};
use komhen_backend::testing::TestStore;
use komhen_core::accounts::access::Actor;
use komhen_core::intake::central::{self, CentralChannel, CentralUpload};
use komhen_domain::{MunicipalityCode, Source};
use komhen_ingest::Limits;
use komhen_store::{NewLocalTask, RegistrationFilter, Store};
use komhen_store_conformance::SetupShortcuts;
use std::io::Write;
use std::path::{Path, PathBuf};

fn koege() -> MunicipalityCode {
    MunicipalityCode::new(259).unwrap()
}

fn kbh() -> MunicipalityCode {
    MunicipalityCode::new(101).unwrap()
}

struct Fixture {
    db: TestStore,
    dir: tempfile::TempDir,
}

impl Fixture {
    async fn new() -> Self {
        let db = TestStore::new().await;
        komhen_core::reference::migrate_and_load(db.store.as_ref())
            .await
            .unwrap();
        db.store
            .create_local_task(&NewLocalTask {
                municipality: koege(),
                kle: komhen_domain::KleNumber::parse("27.24.00").unwrap(),
                kind: komhen_domain::TaskCodeKind::Topic,
                name: "Køges egen opgave".into(),
            })
            .await
            .unwrap();
        Self {
            db,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn store(&self) -> &dyn Store {
        self.db.store.as_ref()
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::File::create(&path)
            .unwrap()
            .write_all(bytes)
            .unwrap();
        path
    }

    fn upload(channel: CentralChannel, path: &Path) -> CentralUpload<'_> {
        CentralUpload {
            channel,
            path,
            file_name: "central.csv",
            limits: Limits::default(),
        }
    }

    async fn preview(&self, channel: CentralChannel, path: &Path) -> central::CentralPreview {
        central::preview_central(self.store(), &Self::upload(channel, path))
            .await
            .unwrap()
    }

    async fn import(
        &self,
        channel: CentralChannel,
        path: &Path,
        replace: bool,
    ) -> Result<central::CentralImported, komhen_core::CoreError> {
        central::import_central(
            self.store(),
            &Actor::command_line(),
            &Self::upload(channel, path),
            replace,
            &mut |_| {},
        )
        .await
    }

    async fn rows(&self, municipality: MunicipalityCode) -> Vec<komhen_store::RegistrationRow> {
        self.store()
            .list_registrations(municipality, &RegistrationFilter::default())
            .await
            .unwrap()
    }
}

const SELF_SERVICE: &str = "Kommune;Opgave;Dato;Antal\r\n\
    259;23.09.02;21-10-2025;1.234\r\n\
    259;27.24.00;21-10-2025;17\r\n\
    259;29.03.04;22-10-2025;0\r\n\
    101;23.09.02;21.10.2025;5.000\r\n\
    101;29.03.04;2025-10-22;12\r\n";

/// As Excel's «CSV UTF-8» saves it: with a byte-order mark.
fn with_bom(text: &str) -> Vec<u8> {
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend_from_slice(text.as_bytes());
    bytes
}

#[tokio::test]
async fn a_self_service_file_becomes_central_rows_with_quantity_for_every_municipality() {
    let f = Fixture::new().await;
    let path = f.file("slvbtjn.csv", &with_bom(SELF_SERVICE));
    let preview = f.preview(CentralChannel::SelfService, &path).await;
    assert!(preview.problems.is_empty(), "{:?}", preview.problems.kept());
    assert_eq!(
        (preview.rows, preview.valid_rows, preview.zero_rows),
        (5, 4, 1)
    );
    assert_eq!(preview.inquiries, 1_234 + 17 + 5_000 + 12);
    let parts: Vec<(u16, &str, u64, i64)> = preview
        .loaded
        .iter()
        .map(|p| (p.municipality.get(), p.name.as_str(), p.rows, p.inquiries))
        .collect();
    assert_eq!(
        parts,
        vec![(101, "København", 2, 5_012), (259, "Køge", 2, 1_251)]
    );
    assert!(preview.left_out.is_empty());

    let imported = f
        .import(CentralChannel::SelfService, &path, false)
        .await
        .unwrap();
    assert_eq!((imported.rows, imported.municipalities), (4, 2));
    assert_eq!(imported.batch.municipality, None, "one central batch");
    assert_eq!(imported.batch.kind, "central_slvbtjn");
    let koege_rows = f.rows(koege()).await;
    assert_eq!(koege_rows.len(), 2);
    let own = koege_rows.iter().find(|r| r.quantity == 17).unwrap();
    assert_eq!(own.channel.as_str(), "SLVBTJN");
    assert_eq!(own.source, Source::Central);
    assert_eq!(
        (own.unit, own.inquiry_type, own.completion, own.has_form),
        (None, None, None, None)
    );
    assert_eq!(
        own.registered_at,
        Utc.with_ymd_and_hms(2025, 10, 21, 10, 0, 0).unwrap()
    );
    assert_eq!(f.rows(kbh()).await.len(), 2);
    assert_eq!(central::central_batches(f.store()).await.unwrap().len(), 1);

    // The same file again: refused; replacing it does not double.
    let again = f
        .import(CentralChannel::SelfService, &path, false)
        .await
        .unwrap_err();
    assert!(again.to_string().contains("indlæst før"), "{again}");
    let replaced = f
        .import(CentralChannel::SelfService, &path, true)
        .await
        .unwrap();
    assert!(replaced.replaced);
    assert_eq!(f.rows(kbh()).await.len(), 2);
    // The same bytes as Digital Post are another load.
    assert!(f
        .preview(CentralChannel::DigitalPost, &path)
        .await
        .duplicate_of
        .is_none());

    central::delete_central_batch(f.store(), replaced.batch.id)
        .await
        .unwrap();
    assert!(f.rows(koege()).await.is_empty());
    assert!(central::central_batches(f.store())
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_municipality_that_loads_its_own_statistics_is_left_out_and_named() {
    let f = Fixture::new().await;
    let actor = Actor::command_line();
    central::set_own_statistics(
        f.store(),
        &actor,
        koege(),
        CentralChannel::SelfService,
        true,
    )
    .await
    .unwrap();
    assert!(central::own_statistics(f.store(), koege())
        .await
        .unwrap()
        .contains(&CentralChannel::SelfService));
    let audit = f.store().list_audit(Some(koege()), 1).await.unwrap();
    assert_eq!(audit[0].entry.entity, "own_statistics");
    assert_eq!(audit[0].entry.entity_id, "SLVBTJN");

    let path = f.file("slvbtjn.csv", SELF_SERVICE.as_bytes());
    let preview = f.preview(CentralChannel::SelfService, &path).await;
    let left: Vec<(u16, u64, i64)> = preview
        .left_out
        .iter()
        .map(|p| (p.municipality.get(), p.rows, p.inquiries))
        .collect();
    assert_eq!(left, vec![(259, 2, 1_251)]);
    assert_eq!(preview.loaded.len(), 1);
    f.import(CentralChannel::SelfService, &path, false)
        .await
        .unwrap();
    assert!(f.rows(koege()).await.is_empty(), "Køge loads its own");
    assert_eq!(f.rows(kbh()).await.len(), 2);

    // Another channel is still delivered centrally.
    let post = f.preview(CentralChannel::DigitalPost, &path).await;
    assert!(post.left_out.is_empty());

    central::set_own_statistics(
        f.store(),
        &actor,
        koege(),
        CentralChannel::SelfService,
        false,
    )
    .await
    .unwrap();
    assert!(central::own_statistics(f.store(), koege())
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_bad_file_shows_every_problem_and_stores_nothing() {
    let f = Fixture::new().await;
    let text = "Kommune;Opgave;Dato;Antal\n\
        259;23.09.02;21-10-2025;10\n\
        259;99.99.99;21-10-2025;10\n\
        259;23.09.02;32-10-2025;10\n\
        998;23.09.02;21-10-2025;10\n\
        101;27.24.00;21-10-2025;10\n\
        259;23.09.02;21-10-2025;3\n\
        259;23.09.02;22-10-2025;mange\n";
    let path = f.file("fejl.csv", text.as_bytes());
    let preview = f.preview(CentralChannel::DigitalPost, &path).await;
    let messages: Vec<String> = preview
        .problems
        .kept()
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(preview.problems.bad_rows(), 6, "{messages:#?}");
    for expected in [
        "linje 3, kolonne «Opgave»: opgavekoden 99.99.99 findes ikke",
        "linje 4, kolonne «Dato»: datoen «32-10-2025» findes ikke: oktober 2025 har 31 dage",
        "linje 5, kolonne «Kommune»: kommunekoden 998 findes ikke",
        "linje 6, kolonne «Opgave»: opgavekoden 27.24.00 findes ikke",
        "linje 7: kommune 259, opgave 23.09.02 og dato 21-10-2025 står også i linje 2",
        "linje 8, kolonne «Antal»: «mange» er ikke et antal",
    ] {
        assert!(
            messages.iter().any(|m| m.contains(expected)),
            "{expected}\n{messages:#?}"
        );
    }
    assert!(!preview.importable());
    let refused = f
        .import(CentralChannel::DigitalPost, &path, false)
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("6 fejl på 6 rækker"),
        "{refused}"
    );

    let missing = f.file("mangler.csv", b"Kommune;Opgave;Antal\n259;23.09.02;10\n");
    let preview = f.preview(CentralChannel::DigitalPost, &missing).await;
    assert!(preview.problems.kept()[0].message.contains("«Dato»"));
    let extra = f.file(
        "ekstra.csv",
        b"Kommune;Opgave;Dato;Antal;Kanal\n259;23.09.02;21-10-2025;10;DOKUD\n",
    );
    let preview = f.preview(CentralChannel::DigitalPost, &extra).await;
    assert!(preview.problems.kept()[0]
        .message
        .contains("«Kanal» hører ikke"));
    let mut no_bom = Vec::new();
    "Kommune;Opgave;Dato;Antal\n259;23.09.02;21-10-2025;10\n"
        .encode_utf16()
        .for_each(|u| no_bom.extend_from_slice(&u.to_le_bytes()));
    let encoding = f.file("utf16.csv", &no_bom);
    let preview = f.preview(CentralChannel::DigitalPost, &encoding).await;
    assert!(preview.problems.kept()[0].message.contains("UTF-16 uden"));
    for path in [&missing, &extra, &encoding] {
        assert!(f
            .import(CentralChannel::DigitalPost, path, false)
            .await
            .is_err());
    }

    assert!(f.rows(koege()).await.is_empty());
    assert!(f.rows(kbh()).await.is_empty());
    assert!(f.store().list_batches(None).await.unwrap().is_empty());
}
