//! Cost on the figures pages, shared by the overview, the period report,
//! the drill-down and the pivot: the notes under a cost figure (which
//! channels' inquiries had no price, and whether the prices are examples)
//! and the link that shows or hides cost while keeping the rest of the
//! page's query.
//!
//! Must not compute a cost: every amount is the engine's (`ReportRow::cost`,
//! `Report::unpriced`, `Report::example_prices`), written with
//! `economics::prices::amount`.

use super::context::link;
use komhen_core::economics::prices;
use komhen_core::reports::tabular::thousands;
use komhen_core::reports::{Cost, Report, ReportQuery};

/// What a page says under its cost figures.
pub(crate) struct CostNotes {
    /// «N henvendelser har ingen pris …», naming the channels; None when
    /// every inquiry had a price.
    pub(crate) unpriced: Option<String>,
    /// Whether any price used is an example price.
    pub(crate) example: bool,
}

impl CostNotes {
    /// The notes of a report computed with cost; None without cost.
    pub(crate) fn of(report: &Report) -> Option<Self> {
        if !report.request.cost {
            return None;
        }
        let unpriced = (!report.unpriced.is_empty()).then(|| {
            let total: i64 = report.unpriced.iter().map(|u| u.inquiries).sum();
            let channels: Vec<String> = report
                .unpriced
                .iter()
                .map(|u| format!("{} ({})", u.channel, thousands(u.inquiries)))
                .collect();
            crate::t2(
                "{0} henvendelser har ingen pris og er ikke regnet med i omkostningen: {1}. \
                 Sæt de manglende priser under «Kanalpriser».",
                thousands(total),
                channels.join(", "),
            )
        });
        Some(Self {
            unpriced,
            example: report.example_prices,
        })
    }

    /// What the page says when the prices are examples.
    pub(crate) fn example_text(&self) -> &'static str {
        crate::t(
            "Omkostningen bygger på eksempelpriser, ikke på rigtige priser (se «Kanalpriser»).",
        )
    }
}

/// A cost in a table cell: the amount, or empty without cost.
pub(crate) fn amount(cost: Option<Cost>) -> String {
    cost.map_or(String::new(), |c| prices::amount(c.ore))
}

/// The inquiries without a price in a table cell.
pub(crate) fn unpriced(cost: Option<Cost>) -> String {
    cost.map_or(String::new(), |c| thousands(c.unpriced_inquiries))
}

/// The link that shows or hides cost on a page.
pub(crate) struct CostToggle {
    pub(crate) href: String,
    /// «Vis omkostning» or «Skjul omkostning».
    pub(crate) label: &'static str,
    pub(crate) shown: bool,
}

impl CostToggle {
    /// The page at `path` with the query as it is but cost switched, and
    /// the page's own keys (`extra`) kept.
    pub(crate) fn of(path: &str, query: &ReportQuery, extra: &[(&str, &str)]) -> Self {
        let mut switched = query.clone();
        switched.cost = !query.cost;
        Self::to(link(path, &switched, extra), query.cost)
    }

    /// The link to `href`, which shows cost when it is `shown` now not.
    pub(crate) fn to(href: String, shown: bool) -> Self {
        Self {
            href,
            label: if shown {
                crate::t("Skjul omkostning")
            } else {
                crate::t("Vis omkostning")
            },
            shown,
        }
    }
}
