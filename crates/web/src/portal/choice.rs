//! What the portal's pages share: the choice of a published period and a
//! metric (with their option lists), a period's label, and a figure as the
//! public sees it (a dash and the reason when it is suppressed).

use crate::{AppState, WebError};
use komhen_core::portal::{self, Figure, Metric};
use komhen_store::PeriodRow;
use serde::Deserialize;

/// The page's choice of period and metric.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Choice {
    pub(super) periode: Option<i64>,
    pub(super) maal: Option<String>,
}

/// The published periods and the one chosen (the newest by default).
pub(super) async fn chosen_period(
    state: &AppState,
    choice: &Choice,
) -> Result<(Vec<PeriodRow>, Option<PeriodRow>), WebError> {
    let periods = portal::published_periods(state.published().as_ref()).await?;
    let chosen = match choice.periode {
        Some(id) => Some(
            periods
                .iter()
                .find(|p| p.id.0 == id)
                .cloned()
                .ok_or(WebError::NotFound)?,
        ),
        None => periods.first().cloned(),
    };
    Ok((periods, chosen))
}

pub(super) fn chosen_metric(choice: &Choice) -> Result<Metric, WebError> {
    match choice.maal.as_deref() {
        None | Some("") => Ok(Metric::Digital),
        Some(code) => Metric::parse(code)
            .ok_or_else(|| WebError::BadRequest(crate::t1("Ukendt mål «{0}».", code))),
    }
}

pub(crate) struct Option_ {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

pub(super) fn period_options(periods: &[PeriodRow], chosen: Option<&PeriodRow>) -> Vec<Option_> {
    periods
        .iter()
        .map(|p| Option_ {
            value: p.id.0.to_string(),
            label: period_label(p),
            selected: chosen.is_some_and(|c| c.id == p.id),
        })
        .collect()
}

pub(super) fn metric_options(chosen: Metric) -> Vec<Option_> {
    Metric::ALL
        .iter()
        .map(|m| Option_ {
            value: m.code().into(),
            label: crate::t(m.label_da()).into(),
            selected: *m == chosen,
        })
        .collect()
}

/// The corrections of a period's published figures, oldest first, as the
/// public reads them beside the figures.
/// What a page showing cost says about the prices: the national list, its
/// sources (as the list names them, in Danish), and whether they are
/// examples. Empty when no cost was published.
#[derive(Debug, Clone, Default)]
pub(super) struct CostNote {
    pub(super) text: String,
    pub(super) sources: String,
}

pub(super) fn cost_note(figures: &portal::PeriodFigures) -> CostNote {
    if figures.price_sources.is_empty() {
        return CostNote::default();
    }
    let text = if figures.example_prices {
        crate::t("Omkostningerne er beregnet med den nationale prisliste, som indeholder eksempelpriser, ikke officielle priser; beløbene viser metoden.")
    } else {
        crate::t("Omkostningerne er beregnet med den nationale prisliste.")
    };
    CostNote {
        text: text.to_owned(),
        sources: figures.price_sources.join("; "),
    }
}

pub(super) fn corrections(figures: &portal::PeriodFigures) -> Vec<String> {
    figures
        .publications
        .iter()
        .rev()
        .filter(|p| !p.note.is_empty())
        .map(|p| {
            crate::t2(
                "Rettet den {0}. {1}",
                komhen_domain::danish_local(p.published_at).format("%d-%m-%Y"),
                &p.note,
            )
        })
        .collect()
}

pub(super) fn period_label(p: &PeriodRow) -> String {
    format!(
        "{} ({} – {})",
        p.period.name,
        p.period.starts_on.format("%d-%m-%Y"),
        p.period.ends_on.format("%d-%m-%Y")
    )
}

/// A figure as the public sees it: the value, or «–» when suppressed.
pub(super) fn shown(metric: Metric, f: &Figure) -> String {
    f.value.map_or_else(|| "–".into(), |v| metric.format(v))
}

pub(super) fn suppressed_note(metric: Metric, f: &Figure) -> &'static str {
    if f.value.is_some() {
        ""
    } else if f.suppressed() {
        crate::t("undertrykt: under 20 henvendelser")
    } else if metric == Metric::Participation {
        crate::t("ingen aktive enheder")
    } else if metric.is_kroner() {
        crate::t("en kanal mangler en national pris")
    } else {
        crate::t("intet at beregne")
    }
}
