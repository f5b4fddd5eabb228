//! What several core tests set up the same way.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use chrono::NaiveDate;
use komhen_domain::{
    danish_instant, ChannelCode, Completion, InquiryType, KleNumber, MunicipalityCode,
    NewRegistration, Source,
};
use komhen_store::Store;

pub fn code(n: u16) -> MunicipalityCode {
    MunicipalityCode::new(n).unwrap()
}

/// Stores `quantity` guidance inquiries about a passport (23.09.02) on the
/// channel at 10 o'clock on the day, without a unit.
pub async fn register(
    store: &dyn Store,
    municipality: u16,
    channel: &str,
    on: NaiveDate,
    quantity: i64,
    source: Source,
    is_test: bool,
) {
    let task = store
        .list_national_tasks()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.kle == KleNumber::parse("23.09.02").unwrap())
        .unwrap()
        .id;
    store
        .insert_registration(&NewRegistration {
            municipality: code(municipality),
            unit: None,
            task,
            channel: ChannelCode::parse(channel).unwrap(),
            inquiry_type: Some(InquiryType::Guidance),
            completion: Some(Completion::AtOnce),
            has_form: None,
            registered_at: danish_instant(on, 10, 0).unwrap(),
            duration_ms: None,
            quantity,
            source,
            is_test,
            idempotency_key: None,
            answers: Vec::new(),
        })
        .await
        .unwrap();
}
