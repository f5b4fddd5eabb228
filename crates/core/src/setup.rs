//! Setting up a municipality. Every change is written to the audit log.
//! (Issue 4 grows this into the coordinator's pages.)

use crate::CoreResult;
use chrono::{DateTime, Utc};
use komhen_domain::MunicipalityCode;
use komhen_store::{NewAuditEntry, Store};

/// Switches test mode on (optionally until a moment) or off.
pub async fn set_test_mode(
    store: &dyn Store,
    municipality: MunicipalityCode,
    on: bool,
    until: Option<DateTime<Utc>>,
    actor: &str,
) -> CoreResult<()> {
    let before = store.get_municipality(municipality).await?;
    store.set_test_mode(municipality, on, until).await?;
    let json = |on: bool, until: Option<DateTime<Utc>>| {
        serde_json::json!({ "test_mode": on, "until": until.map(|u| u.to_rfc3339()) }).to_string()
    };
    store
        .append_audit(&NewAuditEntry {
            municipality: Some(municipality),
            actor: actor.to_owned(),
            action: "set_test_mode".into(),
            entity: "municipality".into(),
            entity_id: municipality.to_string(),
            before_json: before.map(|m| json(m.test_mode, m.test_mode_until)),
            after_json: Some(json(on, if on { until } else { None })),
        })
        .await?;
    Ok(())
}
