//! The website page and the central loads through the router, in-process on
//! the test backend: a coordinator maps pages and uploads a Matomo export
//! (preview, then import), sees the WEB inquiries and chooses to load
//! self-service itself; the national administrator loads a central file
//! that leaves that municipality out. Bad files show every problem and
//! store nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

mod common;

use axum::http::StatusCode;
use common::{input, koege, App, Session};
use komhen_domain::{MunicipalityCode, Role};
use komhen_store::RegistrationFilter;

fn utf16le(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    text.encode_utf16()
        .for_each(|u| bytes.extend_from_slice(&u.to_le_bytes()));
    bytes
}

impl App {
    /// A user with one role, logged in, with the CSRF token of `page`.
    async fn user(
        &self,
        email: &str,
        role: Role,
        municipality: Option<u16>,
        page: &str,
    ) -> Session {
        self.add_user(email, &[(role, municipality, None)]).await;
        self.session(email, page).await
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

const PAGES: &str = "date,Side-URL,Unikke sidevisninger,Sidevisninger,Metadata: url\n\
    2025-10-20,/borger/pas,120,150,https://www.koege.dk/borger/pas\n\
    2025-10-21,/borger/pas/boern,30,31,https://www.koege.dk/borger/pas/boern\n\
    2025-10-21,/om-kommunen,7,7,https://www.koege.dk/om-kommunen\n";

#[tokio::test]
async fn a_coordinator_maps_pages_previews_a_matomo_export_and_imports_it() {
    let app = App::new().await;
    let s = app
        .user(
            "tovholder@koege.dk",
            Role::Coordinator,
            Some(259),
            "/kommune/259/hjemmeside",
        )
        .await;
    let page = app.get("/kommune/259/hjemmeside", &s.cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page
        .body
        .contains(r#"aria-current="page"><span>Hjemmeside"#));
    assert!(page.body.contains("Ingen sider er knyttet"));
    let pas = app
        .store()
        .list_tasks(koege())
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.kle.as_str() == "23.09.02")
        .unwrap();
    let pas_id = pas.id.0.to_string();

    // Mapping: the whole site is refused with the reason; a path is kept.
    let root = app
        .post(
            "/kommune/259/hjemmeside/sider",
            &s.cookie,
            &[
                ("csrf", &s.csrf),
                ("address", "https://www.koege.dk/"),
                ("task", &pas_id),
            ],
        )
        .await;
    assert_eq!(root.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(root.body.contains("Hele hjemmesiden kan ikke"));
    assert_eq!(
        input(&root.body, "address"),
        "https://www.koege.dk/",
        "kept"
    );
    let added = app
        .post(
            "/kommune/259/hjemmeside/sider",
            &s.cookie,
            &[
                ("csrf", &s.csrf),
                ("address", "https://www.koege.dk/Borger/Pas/"),
                ("task", &pas_id),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = app.get(&added.location, &s.cookie).await;
    assert!(page.body.contains("<code>/borger/pas</code>"));

    // Preview: per task, the unmapped page, nothing stored yet.
    let preview = app
        .upload(
            "/kommune/259/hjemmeside/forhaandsvisning",
            &s.cookie,
            &s.csrf,
            ("eksport.csv", &utf16le(PAGES)),
            &[("period", "")],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(preview.body.contains("UTF-16 LE"));
    assert!(preview.body.contains(r#"id="preview-inquiries">150<"#));
    assert!(preview.body.contains("<code>/om-kommunen</code>"));
    assert!(app.web_rows().await.is_empty(), "a preview stores nothing");
    let sha = input(&preview.body, "sha256");
    assert_eq!(sha.len(), 64);

    // Another municipality's coordinator cannot import Køge's upload.
    let other = app
        .user(
            "tovholder@kk.dk",
            Role::Coordinator,
            Some(101),
            "/kommune/101/hjemmeside",
        )
        .await;
    let foreign = app
        .post(
            "/kommune/101/hjemmeside/indlaes",
            &other.cookie,
            &[
                ("csrf", &other.csrf),
                ("sha256", &sha),
                ("file_name", "x.csv"),
            ],
        )
        .await;
    assert_eq!(foreign.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(foreign.body.contains("ikke længere på serveren"));

    let imported = app
        .post(
            "/kommune/259/hjemmeside/indlaes",
            &s.cookie,
            &[
                ("csrf", &s.csrf),
                ("sha256", &sha),
                ("file_name", "sider.csv"),
                ("period", ""),
            ],
        )
        .await;
    assert_eq!(imported.status, StatusCode::SEE_OTHER, "{}", imported.body);
    assert_eq!(imported.location, "/kommune/259/hjemmeside?besked=indlaest");
    let rows = app.web_rows().await;
    let mut got: Vec<(String, i64)> = rows
        .iter()
        .map(|r| (r.day.to_string(), r.quantity))
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![("2025-10-20".into(), 120), ("2025-10-21".into(), 30)]
    );
    let page = app.get(&imported.location, &s.cookie).await;
    assert!(page.body.contains("Filen er indlæst"));
    assert!(page.body.contains("sider.csv"));
    assert!(page.body.contains(r#"id="web-counts-total">150<"#));

    // The same file again: the preview says so, and without «replace» it is refused.
    let again = app
        .upload(
            "/kommune/259/hjemmeside/forhaandsvisning",
            &s.cookie,
            &s.csrf,
            ("eksport.csv", &utf16le(PAGES)),
            &[("period", "")],
        )
        .await;
    assert!(again.body.contains("Præcis denne fil er indlæst"));
    let refused = app
        .post(
            "/kommune/259/hjemmeside/indlaes",
            &s.cookie,
            &[
                ("csrf", &s.csrf),
                ("sha256", &sha),
                ("file_name", "sider.csv"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("indlæst før"));

    // Deleting the upload removes its inquiries.
    let batch = app.store().list_batches(Some(koege())).await.unwrap()[0].id;
    let deleted = app
        .post(
            "/kommune/259/hjemmeside/filer/slet",
            &s.cookie,
            &[("csrf", &s.csrf), ("batch", &batch.0.to_string())],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER, "{}", deleted.body);
    assert!(app.web_rows().await.is_empty());

    // Removing the mapping.
    let mapping = app.store().list_web_pages(koege()).await.unwrap()[0].id;
    let removed = app
        .post(
            "/kommune/259/hjemmeside/sider/fjern",
            &s.cookie,
            &[("csrf", &s.csrf), ("page", &mapping.0.to_string())],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert!(app
        .store()
        .list_web_pages(koege())
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_bad_matomo_export_shows_every_problem_and_no_import_button() {
    let app = App::new().await;
    let s = app
        .user(
            "tovholder@koege.dk",
            Role::Coordinator,
            Some(259),
            "/kommune/259/hjemmeside",
        )
        .await;
    let weekly = "date,label,nb_visits\n\"2025-10-20,2025-10-26\",/borger/pas,40\n\
                  2025-10-27,/borger/pas,mange\n";
    let reply = app
        .upload(
            "/kommune/259/hjemmeside/forhaandsvisning",
            &s.cookie,
            &s.csrf,
            ("eksport.csv", weekly.as_bytes()),
            &[("period", "")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("2 fejl på 2 rækker"), "{}", reply.body);
    assert!(reply.body.contains("ikke én dag"));
    assert!(reply.body.contains("«mange» er ikke et antal"));
    assert!(!reply.body.contains(r#"id="web-import""#));

    let undated = app
        .upload(
            "/kommune/259/hjemmeside/forhaandsvisning",
            &s.cookie,
            &s.csrf,
            ("eksport.csv", b"label,nb_visits\n/borger/pas,40\n"),
            &[("period", "2025-10")],
        )
        .await;
    assert!(undated.body.contains("kan ikke fordeles"));
    let bad_period = app
        .upload(
            "/kommune/259/hjemmeside/forhaandsvisning",
            &s.cookie,
            &s.csrf,
            ("eksport.csv", b"label,nb_visits\n/borger/pas,40\n"),
            &[("period", "sidste uge")],
        )
        .await;
    assert_eq!(bad_period.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_period.body.contains("Ugyldig periode «sidste uge»"));
    assert!(app
        .store()
        .list_batches(Some(koege()))
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_central_load_leaves_out_a_municipality_that_loads_its_own_and_bad_files_store_nothing() {
    let app = App::new().await;
    let coordinator = app
        .user(
            "tovholder@koege.dk",
            Role::Coordinator,
            Some(259),
            "/kommune/259/hjemmeside",
        )
        .await;
    let own = app
        .post(
            "/kommune/259/hjemmeside/centrale-data",
            &coordinator.cookie,
            &[("csrf", &coordinator.csrf), ("own", "SLVBTJN")],
        )
        .await;
    assert_eq!(own.status, StatusCode::SEE_OTHER, "{}", own.body);
    let page = app
        .get("/kommune/259/hjemmeside", &coordinator.cookie)
        .await;
    assert!(page
        .body
        .contains(r#"id="own-SLVBTJN" name="own" value="SLVBTJN" checked"#));

    let admin = app
        .user(
            "admin@komhen.dk",
            Role::NationalAdmin,
            None,
            "/admin/central",
        )
        .await;
    let page = app.get("/admin/central", &admin.cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Køge (259): Selvbetjening"));

    // Bad files: every problem, nothing stored.
    let bad: [(&[u8], &[&str]); 4] = [
        (
            b"Kommune;Opgave;Dato;Antal\n259;23.09.02;31-02-2025;4\n101;99.99.99;21-10-2025;5\n",
            &[
                "datoen «31-02-2025» findes ikke: februar 2025 har 28 dage",
                "opgavekoden 99.99.99 findes ikke",
            ],
        ),
        (b"Kommune;Opgave;Antal\n259;23.09.02;4\n", &["«Dato»"]),
        (
            b"Kommune;Opgave;Dato;Antal;Kanal\n259;23.09.02;21-10-2025;4;X\n",
            &["«Kanal» hører ikke til formatet"],
        ),
        (
            &[0x4B, 0, 0x6F, 0, 0x6D, 0, 0x3B, 0, 0x0A, 0],
            &["UTF-16 uden"],
        ),
    ];
    for (file, expected) in bad {
        let reply = app
            .upload(
                "/admin/central/forhaandsvisning",
                &admin.cookie,
                &admin.csrf,
                ("eksport.csv", file),
                &[("channel", "SLVBTJN")],
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
        for text in expected {
            assert!(reply.body.contains(text), "{text}\n{}", reply.body);
        }
        assert!(!reply.body.contains(r#"id="central-import""#));
    }
    assert!(app.store().list_batches(None).await.unwrap().is_empty());

    // A good file: Køge is left out and named.
    let file = b"Kommune;Opgave;Dato;Antal\r\n259;23.09.02;21-10-2025;1.234\r\n\
                 101;23.09.02;21-10-2025;500\r\n";
    let preview = app
        .upload(
            "/admin/central/forhaandsvisning",
            &admin.cookie,
            &admin.csrf,
            ("eksport.csv", file),
            &[("channel", "SLVBTJN")],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(preview
        .body
        .contains("Springes over: kommunen indlæser selv"));
    assert!(preview.body.contains(r#"id="preview-inquiries">500<"#));
    let imported = app
        .post(
            "/admin/central/indlaes",
            &admin.cookie,
            &[
                ("csrf", &admin.csrf),
                ("channel", "SLVBTJN"),
                ("sha256", &input(&preview.body, "sha256")),
                ("file_name", "slvbtjn.csv"),
            ],
        )
        .await;
    assert_eq!(imported.status, StatusCode::SEE_OTHER, "{}", imported.body);
    let kbh = app
        .store()
        .list_registrations(
            MunicipalityCode::new(101).unwrap(),
            &RegistrationFilter::default(),
        )
        .await
        .unwrap();
    assert_eq!(kbh.len(), 1);
    assert_eq!(kbh[0].quantity, 500);
    assert!(app
        .store()
        .list_registrations(koege(), &RegistrationFilter::default())
        .await
        .unwrap()
        .is_empty());
    let page = app.get("/admin/central", &admin.cookie).await;
    assert!(page.body.contains("slvbtjn.csv"));

    let batch = app.store().list_batches(None).await.unwrap()[0].id;
    let deleted = app
        .post(
            "/admin/central/slet",
            &admin.cookie,
            &[("csrf", &admin.csrf), ("batch", &batch.0.to_string())],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert!(app
        .store()
        .list_registrations(
            MunicipalityCode::new(101).unwrap(),
            &RegistrationFilter::default()
        )
        .await
        .unwrap()
        .is_empty());
}
