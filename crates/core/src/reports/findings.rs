//! Automatic findings for a period report, written in Danish: the largest
//! changes, channel shifts, and units that stand out. Each finding carries
//! its counts so a reader can judge it, and none is drawn from fewer than
//! [`MIN_INQUIRIES`] inquiries (nor a shift from fewer than
//! [`MIN_POINTS`] percentage points): a handful of inquiries proves
//! nothing.
//!
//! Every number comes from the report engine, so a finding agrees with
//! the tables beside it.

use crate::reports::tabular::{decimal_da, thousands};
use crate::reports::{self, Dimension, Report, ReportRequest, ReportRow, ShareOf};
use crate::CoreResult;
use komhen_domain::Direction;
use komhen_domain::{da, dl};

/// The fewest inquiries a finding may rest on (in each period compared).
pub const MIN_INQUIRIES: i64 = 50;
/// The smallest change in share worth naming, in percentage points.
pub const MIN_POINTS: f64 = 2.0;
/// How much a unit's share must exceed the municipality's to stand out.
const STANDS_OUT: f64 = 2.0;

/// What a finding is about (for grouping on the page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    Total,
    Channels,
    Tasks,
    Units,
    Potential,
}

impl Topic {
    pub fn label_da(self) -> &'static str {
        match self {
            Self::Total => dl!("Omfang"),
            Self::Channels => dl!("Kanaler"),
            Self::Tasks => dl!("Opgaver"),
            Self::Units => dl!("Enheder"),
            Self::Potential => dl!("Muligheder"),
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub topic: Topic,
    pub text: String,
}

fn pct(share: f64) -> String {
    format!("{} %", decimal_da(share * 100.0, 1))
}

fn points(pp: f64) -> String {
    let sign = if pp > 0.0 { "+" } else { "" };
    let signed = format!("{sign}{}", decimal_da(pp, 1));
    da!("{signed} procentpoint")
}

fn more_or_fewer(now: i64, then: i64) -> String {
    let change = (now - then) as f64 / then as f64 * 100.0;
    if change >= 0.0 {
        da!("{} % flere", decimal_da(change, 0))
    } else {
        da!("{} % færre", decimal_da(-change, 0))
    }
}

async fn run_by(
    store: &dyn komhen_store::Store,
    base: &ReportRequest,
    dims: &[Dimension],
    share_of: ShareOf,
) -> CoreResult<Report> {
    let mut request = base.clone().by(dims);
    request.share_of = share_of;
    request.order = reports::Order::Natural;
    request.median = false;
    reports::run(store, &request).await
}

/// The findings of a period (the request names the municipality or its
/// scope, the dates and the comparison period).
pub async fn period_findings(
    store: &dyn komhen_store::Store,
    base: &ReportRequest,
) -> CoreResult<Vec<Finding>> {
    let mut findings = Vec::new();
    let direction = run_by(store, base, &[Dimension::Direction], ShareOf::Total).await?;
    let total = &direction.total;
    let compared = total.comparison.filter(|c| c.inquiries >= MIN_INQUIRIES);
    let count_of = |code: &str| {
        direction
            .rows
            .iter()
            .find(|r| r.keys[0].code == code)
            .map_or(0, |r| r.inquiries)
    };
    let incoming = count_of(Direction::Incoming.code());
    let outgoing = count_of(Direction::Outgoing.code());
    let (all, incoming, outgoing) = (
        thousands(total.inquiries),
        thousands(incoming),
        thousands(outgoing),
    );
    // One message for the whole finding, so a page in English finds it.
    let text = match compared {
        Some(c) if total.inquiries >= MIN_INQUIRIES => da!(
            "Kommunen registrerede {all} henvendelser i perioden: {incoming} indgående og \
             {outgoing} udgående. Det er {} end i samme uger sidste år ({}).",
            more_or_fewer(total.inquiries, c.inquiries),
            thousands(c.inquiries)
        ),
        _ if base.comparison.is_some() => da!(
            "Kommunen registrerede {all} henvendelser i perioden: {incoming} indgående og \
             {outgoing} udgående. Der er ikke tal nok fra sammenligningsperioden til at sige, \
             om det er flere eller færre."
        ),
        _ => da!(
            "Kommunen registrerede {all} henvendelser i perioden: {incoming} indgående og \
             {outgoing} udgående."
        ),
    };
    findings.push(Finding {
        topic: Topic::Total,
        text,
    });
    if total.inquiries < MIN_INQUIRIES {
        findings.push(Finding {
            topic: Topic::Total,
            text: da!(
                "Med under {MIN_INQUIRIES} henvendelser er der for få til at drage konklusioner om kanaler, opgaver og enheder."
            ),
        });
        return Ok(findings);
    }

    if base.comparison.is_some() {
        channel_shifts(store, base, &mut findings).await?;
        digital_share(store, base, &mut findings).await?;
        task_changes(store, base, &mut findings).await?;
    }
    standing_units(store, base, &mut findings).await?;
    potential(store, base, &mut findings).await?;
    if findings.len() == 1 {
        findings.push(Finding {
            topic: Topic::Total,
            text: da!(
                "Ingen ændringer eller enheder skiller sig ud (fund kræver mindst {MIN_INQUIRIES} henvendelser og {} procentpoint).",
                decimal_da(MIN_POINTS, 0)
            ),
        });
    }
    Ok(findings)
}

/// Channel shifts of at least [`MIN_POINTS`] within each direction.
async fn channel_shifts(
    store: &dyn komhen_store::Store,
    base: &ReportRequest,
    findings: &mut Vec<Finding>,
) -> CoreResult<()> {
    let channels = run_by(
        store,
        base,
        &[Dimension::Direction, Dimension::Channel],
        ShareOf::FirstDimension,
    )
    .await?;
    for (direction, word, most) in [
        (Direction::Incoming, dl!("indgående"), 3),
        (Direction::Outgoing, dl!("udgående"), 2),
    ] {
        let mut shifts: Vec<&ReportRow> = channels
            .rows
            .iter()
            .filter(|r| r.keys[0].code == direction.code())
            .filter(|r| {
                r.comparison.is_some_and(|c| {
                    c.share_change_pp.abs() >= MIN_POINTS
                        && r.inquiries.max(c.inquiries) >= MIN_INQUIRIES
                })
            })
            .collect();
        let group_then: i64 = channels
            .rows
            .iter()
            .filter(|r| r.keys[0].code == direction.code())
            .filter_map(|r| r.comparison.map(|c| c.inquiries))
            .sum();
        if group_then < MIN_INQUIRIES {
            continue;
        }
        shifts.sort_by(|a, b| {
            let pa = a.comparison.map_or(0.0, |c| c.share_change_pp.abs());
            let pb = b.comparison.map_or(0.0, |c| c.share_change_pp.abs());
            pb.total_cmp(&pa)
        });
        for row in shifts.into_iter().take(most) {
            let Some(c) = row.comparison else { continue };
            findings.push(Finding {
                topic: Topic::Channels,
                text: da!(
                    "{}: {} af de {word} henvendelser mod {} sidste år ({}; {} mod {} henvendelser).",
                    row.keys[1].label,
                    pct(row.share),
                    pct(c.share),
                    points(c.share_change_pp),
                    thousands(row.inquiries),
                    thousands(c.inquiries)
                ),
            });
        }
    }
    Ok(())
}

/// The digital share of incoming inquiries, then and now.
async fn digital_share(
    store: &dyn komhen_store::Store,
    base: &ReportRequest,
    findings: &mut Vec<Finding>,
) -> CoreResult<()> {
    let digital = run_by(
        store,
        &ReportRequest {
            filters: crate::reports::Filters {
                directions: vec![Direction::Incoming],
                ..base.filters.clone()
            },
            ..base.clone()
        },
        &[Dimension::Digital],
        ShareOf::Total,
    )
    .await?;
    if let Some(row) = digital.rows.iter().find(|r| r.keys[0].code == "ja") {
        if let Some(c) = row.comparison {
            let then_total = digital.total.comparison.map_or(0, |c| c.inquiries);
            if digital.total.inquiries >= MIN_INQUIRIES && then_total >= MIN_INQUIRIES {
                findings.push(Finding {
                    topic: Topic::Channels,
                    text: da!(
                        "Den digitale andel af de indgående henvendelser er {} ({} af {}) mod {} sidste år ({}).",
                        pct(row.share),
                        thousands(row.inquiries),
                        thousands(digital.total.inquiries),
                        pct(c.share),
                        points(c.share_change_pp)
                    ),
                });
            }
        }
    }

    Ok(())
}

/// The largest changes by task.
async fn task_changes(
    store: &dyn komhen_store::Store,
    base: &ReportRequest,
    findings: &mut Vec<Finding>,
) -> CoreResult<()> {
    let tasks = run_by(store, base, &[Dimension::Task], ShareOf::Total).await?;
    let mut changes: Vec<&ReportRow> = tasks
        .rows
        .iter()
        .filter(|r| {
            r.comparison.is_some_and(|c| {
                r.inquiries >= MIN_INQUIRIES
                    && c.inquiries >= MIN_INQUIRIES
                    && c.change_pct.is_some_and(|p| p.abs() >= 25.0)
            })
        })
        .collect();
    changes.sort_by_key(|r| std::cmp::Reverse(r.comparison.map_or(0, |c| c.change.abs())));
    for row in changes.into_iter().take(3) {
        let Some(c) = row.comparison else { continue };
        findings.push(Finding {
            topic: Topic::Tasks,
            text: da!(
                "{}: {} henvendelser mod {} sidste år ({}).",
                row.keys[0].label,
                thousands(row.inquiries),
                thousands(c.inquiries),
                more_or_fewer(row.inquiries, c.inquiries)
            ),
        });
    }
    Ok(())
}

/// Units whose share of misdirected inquiries or of inquiries put aside
/// stands out from the municipality's.
async fn standing_units(
    store: &dyn komhen_store::Store,
    base: &ReportRequest,
    findings: &mut Vec<Finding>,
) -> CoreResult<()> {
    let units = run_by(
        store,
        &ReportRequest {
            comparison: None,
            ..base.clone()
        },
        &[Dimension::Unit, Dimension::InquiryType],
        ShareOf::FirstDimension,
    )
    .await?;
    let completion = run_by(
        store,
        &ReportRequest {
            comparison: None,
            ..base.clone()
        },
        &[Dimension::Unit, Dimension::Completion],
        ShareOf::FirstDimension,
    )
    .await?;
    for (report, code, what) in [
        (&units, "FEJL", dl!("fejlhenvendelser")),
        (&completion, "HOLD", dl!("henvendelser lagt til side")),
    ] {
        let all: i64 = report.rows.iter().map(|r| r.inquiries).sum();
        let hits: i64 = report
            .rows
            .iter()
            .filter(|r| r.keys[1].code == code)
            .map(|r| r.inquiries)
            .sum();
        if all < MIN_INQUIRIES || hits == 0 {
            continue;
        }
        let overall = hits as f64 / all as f64;
        let mut standing: Vec<(&ReportRow, i64)> = report
            .rows
            .iter()
            .filter(|r| r.keys[1].code == code && r.keys[0].code != "ingen")
            .filter_map(|r| {
                let unit_total: i64 = report
                    .rows
                    .iter()
                    .filter(|o| o.keys[0] == r.keys[0])
                    .map(|o| o.inquiries)
                    .sum();
                (unit_total >= MIN_INQUIRIES && r.share >= overall * STANDS_OUT)
                    .then_some((r, unit_total))
            })
            .collect();
        standing.sort_by(|a, b| b.0.share.total_cmp(&a.0.share));
        for (row, unit_total) in standing.into_iter().take(3) {
            findings.push(Finding {
                topic: Topic::Units,
                text: da!(
                    "{}: {} {what} ({} af {}) mod {} i hele kommunen.",
                    row.keys[0].label,
                    pct(row.share),
                    thousands(row.inquiries),
                    thousands(unit_total),
                    pct(overall)
                ),
            });
        }
    }

    Ok(())
}

/// Guidance, case information and status by phone, in person, letter or
/// e-mail: what could move to the website or a case-status view.
async fn potential(
    store: &dyn komhen_store::Store,
    base: &ReportRequest,
    findings: &mut Vec<Finding>,
) -> CoreResult<()> {
    let potential = run_by(
        store,
        &ReportRequest {
            comparison: None,
            filters: crate::reports::Filters {
                directions: vec![Direction::Incoming],
                ..base.filters.clone()
            },
            ..base.clone()
        },
        &[Dimension::Digital, Dimension::InquiryType],
        ShareOf::Total,
    )
    .await?;
    let movable: i64 = potential
        .rows
        .iter()
        .filter(|r| r.keys[0].code == "nej")
        .filter(|r| matches!(r.keys[1].code.as_str(), "VEJL" | "STATUS" | "INFO"))
        .map(|r| r.inquiries)
        .sum();
    if movable >= MIN_INQUIRIES {
        findings.push(Finding {
            topic: Topic::Potential,
            text: da!(
                "{} indgående henvendelser ({} af alle indgående) var vejledning, sagsoplysninger eller status ad telefon, fremmøde, brev eller e-mail: kandidater til hjemmesiden og til en visning af sagens status.",
                thousands(movable),
                pct(movable as f64 / potential.total.inquiries.max(1) as f64)
            ),
        });
    }
    Ok(())
}

/// The longest recommendations text taken.
pub const RECOMMENDATIONS_MAX: usize = 20_000;

/// Saves the coordinator's recommendations on the municipality's report of
/// a period, audited with the text before and after.
pub async fn save_recommendations(
    store: &dyn komhen_store::Store,
    actor: &crate::accounts::access::Actor,
    municipality: komhen_domain::MunicipalityCode,
    period: komhen_domain::PeriodId,
    text: &str,
) -> CoreResult<()> {
    let text = text.trim().replace("\r\n", "\n");
    if text.chars().count() > RECOMMENDATIONS_MAX {
        return Err(crate::CoreError::Invalid(da!(
            "Anbefalingerne må højst fylde {} tegn.",
            thousands(RECOMMENDATIONS_MAX as i64)
        )));
    }
    let before = store
        .find_period_notes(municipality, period)
        .await?
        .map(|n| n.recommendations);
    if before.as_deref().unwrap_or("") == text {
        return Ok(());
    }
    crate::setup::change(
        store,
        actor,
        komhen_store::SetupChange::SavePeriodNotes {
            municipality,
            period,
            recommendations: text.clone(),
            by: actor.as_str().to_owned(),
            now: chrono::Utc::now(),
        },
        crate::setup::Entry {
            municipality: Some(municipality),
            action: "gem",
            entity: "anbefalinger",
            entity_id: period.to_string(),
            before: before.map(serde_json::Value::String),
            after: (!text.is_empty()).then_some(serde_json::Value::String(text)),
        },
    )
    .await?;
    Ok(())
}
