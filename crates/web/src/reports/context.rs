//! What every figures page starts from: the page's address (the report
//! query and the page's own keys), the page's context (the request with its
//! dates and comparison worked out, within the user's scope), links that
//! keep the query, and the period and comparison form at the top of the
//! pages.
//!
//! Must not widen a request: it is made within `Scope::of_user`.

use crate::access::Authorized;
use crate::{AppState, WebError};
use chrono::Utc;
use komhen_core::reports::{
    self, Comparing, Dimension, Order, Report, ReportQuery, ReportRequest, Scope, ShareOf,
};
use komhen_domain::MunicipalityCode;
use komhen_store::PeriodRow;
use std::collections::HashMap;

/// Keys of a page's address that are the page's own, not the report's.
const PAGE_KEYS: [&str; 5] = ["periode", "raekker", "kolonner", "maal", "efter"];

/// A page's address split: the report query and the page's own keys.
pub(crate) struct Address {
    pub(crate) query: ReportQuery,
    pub(crate) own: HashMap<String, String>,
}

pub(crate) fn read_address(raw: Option<String>) -> Result<Address, WebError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.as_deref().unwrap_or(""))
        .map_err(|_| WebError::BadRequest(crate::t("Adressen kan ikke læses.").into()))?;
    let mut own = HashMap::new();
    let mut report_pairs = Vec::new();
    for (k, v) in pairs {
        if PAGE_KEYS.contains(&k.as_str()) || k == "besked" {
            own.insert(k, v);
        } else {
            report_pairs.push((k, v));
        }
    }
    // A period chosen in the list gives the dates (`2026-10-19..2026-11-08`).
    if let Some((from, to)) = own.get("periode").and_then(|p| p.split_once("..")) {
        report_pairs.retain(|(k, _)| k != "fra" && k != "til");
        report_pairs.push(("fra".into(), from.to_owned()));
        report_pairs.push(("til".into(), to.to_owned()));
    }
    Ok(Address {
        query: ReportQuery::parse(&report_pairs)?,
        own,
    })
}

/// A query as a link's query string.
pub(super) fn encode(query: &ReportQuery) -> String {
    serde_urlencoded::to_string(query.pairs()).unwrap_or_default()
}

pub(crate) fn link(path: &str, query: &ReportQuery, extra: &[(&str, &str)]) -> String {
    let mut pairs = query.pairs();
    pairs.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let q = serde_urlencoded::to_string(pairs).unwrap_or_default();
    if q.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{q}")
    }
}

/// What every figures page of a municipality starts from.
pub(crate) struct Context {
    pub(crate) code: MunicipalityCode,
    /// `/kommune/259/tal`
    pub(crate) base: String,
    pub(super) scope: Scope,
    periods: Vec<PeriodRow>,
    /// The request with dates and comparison worked out, not grouped.
    pub(crate) request: ReportRequest,
    /// The query with the dates and comparison made explicit (for links).
    pub(crate) query: ReportQuery,
}

pub(crate) async fn context(
    state: &AppState,
    auth: &Authorized,
    query: &ReportQuery,
    default_comparison: Comparing,
) -> Result<Context, WebError> {
    let store = state.store.as_ref();
    let code = auth.code()?;
    let scope = Scope::of_user(&auth.user, code).ok_or(WebError::NoAccess)?;
    let today = komhen_domain::DateDimensions::of(Utc::now()).day;
    let dates = reports::default_dates(store, Some(code), today).await?;
    // The page's own grouping is added per table: the base is ungrouped.
    let mut base = query.clone();
    base.group_by.clear();
    let request = base
        .request(store, &scope, dates, default_comparison)
        .await?;
    let mut explicit = query.clone();
    explicit.dates = Some(request.dates);
    explicit.comparison = Some(match request.comparison {
        Some(d) => Comparing::Dates(d),
        None => Comparing::Nothing,
    });
    Ok(Context {
        code,
        base: format!("/kommune/{code}/tal"),
        scope,
        periods: store.list_periods(Some(code)).await?,
        request,
        query: explicit,
    })
}

impl Context {
    /// The engine's report of the page's request grouped by `dims`.
    pub(super) async fn run(
        &self,
        state: &AppState,
        dims: &[Dimension],
        share_of: ShareOf,
        order: Order,
    ) -> Result<Report, WebError> {
        let mut request = self.request.clone().by(dims);
        request.share_of = share_of;
        request.order = order;
        super::run(state, &request).await
    }

    /// The query of a table: the page's filters with the table's grouping.
    pub(super) fn table_query(
        &self,
        dims: &[Dimension],
        share_of: ShareOf,
        order: Order,
    ) -> ReportQuery {
        let mut q = self.query.clone();
        q.group_by = dims.to_vec();
        q.share_of = share_of;
        q.order = order;
        q
    }

    pub(crate) fn filter_form(
        &self,
        action: &str,
        mut hidden: Vec<(String, String)>,
    ) -> FilterForm {
        // Cost shown stays shown when the period changes.
        if self.query.cost && !hidden.iter().any(|(k, _)| k == "omkostning") {
            hidden.push(("omkostning".to_owned(), "ja".to_owned()));
        }
        let dates = self.request.dates;
        let mut periods: Vec<Choice> = self
            .periods
            .iter()
            .map(|p| {
                let value = format!("{}..{}", p.period.starts_on, p.period.ends_on);
                Choice {
                    selected: p.period.starts_on == dates.from && p.period.ends_on == dates.to,
                    label: format!(
                        "{} ({} – {})",
                        p.period.name,
                        p.period.starts_on.format("%d-%m-%Y"),
                        p.period.ends_on.format("%d-%m-%Y")
                    ),
                    value,
                }
            })
            .collect();
        let custom = !periods.iter().any(|p| p.selected);
        periods.push(Choice {
            value: String::new(),
            label: crate::t("Egne datoer (herunder)").into(),
            selected: custom,
        });
        let compared = self.request.comparison.is_some();
        FilterForm {
            action: action.to_owned(),
            periods,
            from: dates.from.to_string(),
            to: dates.to.to_string(),
            compare_year: compared,
            hidden,
            showing: format!(
                "{}{}",
                dates.label_da(),
                match self.request.comparison {
                    Some(c) => crate::t1(", sammenlignet med {0}", c.label_da()),
                    None => String::new(),
                }
            ),
            unit_lead: self.scope.units.is_some(),
        }
    }
}

pub(crate) struct Choice {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

/// The period and comparison form at the top of the figures pages.
pub(crate) struct FilterForm {
    pub(crate) action: String,
    pub(crate) periods: Vec<Choice>,
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) compare_year: bool,
    /// The page's other keys, kept when the period changes.
    pub(crate) hidden: Vec<(String, String)>,
    /// What the page shows, in words.
    pub(crate) showing: String,
    /// A unit lead sees their own units only: the page says so.
    pub(crate) unit_lead: bool,
}

/// A list's filters as hidden fields of its period form, so choosing
/// another period keeps them.
pub(crate) fn filters_kept(query: &ReportQuery) -> Vec<(String, String)> {
    query
        .filters
        .iter()
        .map(|(d, c)| (d.code().into_owned(), c.clone()))
        .collect()
}
