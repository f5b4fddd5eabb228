//! Files built to exhaust the server's memory, uploaded through the real
//! upload routes: each is refused on its preview with a Danish sentence
//! naming the limit, and nothing is stored. (The server's peak memory
//! for the same files is measured by `bench/upload_bombs.sh`.)
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

mod common;

#[path = "../../ingest/tests/bombs/mod.rs"]
mod bombs;

use axum::http::StatusCode;
use common::{coordinator, koege, App};
use komhen_store::RegistrationFilter;

async fn stored_rows(app: &App) -> usize {
    app.store()
        .list_registrations(koege(), &RegistrationFilter::default())
        .await
        .unwrap()
        .len()
}

/// Uploads `bytes` as a registration file and expects the named refusal.
async fn assert_refused(app: &App, file_name: &str, bytes: &[u8], message: &str) {
    let (cookie, csrf) = coordinator(app, "kim@koege.dk").await;
    let preview = app
        .upload(
            "/kommune/259/indlaes",
            &cookie,
            &csrf,
            (file_name, bytes),
            &[("kind", "")],
        )
        .await;
    assert_eq!(
        preview.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        preview.body
    );
    assert!(preview.body.contains("preview-refused"), "{}", preview.body);
    assert!(preview.body.contains(message), "{}", preview.body);
    assert!(
        !preview.body.contains("confirm-form"),
        "no way to import it"
    );
    assert_eq!(stored_rows(app).await, 0);
}

#[tokio::test]
async fn a_workbook_with_thirty_million_cells_in_one_row_is_refused_and_stores_nothing() {
    let app = App::new().await;
    let mut bytes = Vec::new();
    bombs::xlsx_wide_row(&mut bytes, 30_000_000).unwrap();
    let message = "række 1 i projektmappen har flere end 1.000 celler, som er grænsen";
    assert_refused(&app, "bred.xlsx", &bytes, message).await;
}

#[tokio::test]
async fn a_workbook_with_a_shared_text_of_a_gigabyte_is_refused_and_stores_nothing() {
    let app = App::new().await;
    let mut bytes = Vec::new();
    bombs::xlsx_long_string(&mut bytes, 1 << 30).unwrap();
    let message = "er større end grænsen på 256 KB";
    assert_refused(&app, "lang.xlsx", &bytes, message).await;
}

#[tokio::test]
async fn a_csv_file_with_one_line_of_ten_million_columns_is_refused_and_stores_nothing() {
    let app = App::new().await;
    let mut bytes = Vec::new();
    bombs::csv_wide_line(&mut bytes, 10_000_000).unwrap();
    let message = "linjen har flere end 1.000 kolonner, som er grænsen";
    assert_refused(&app, "bred.csv", &bytes, message).await;
}
