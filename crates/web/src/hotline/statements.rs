//! The members' statements (`/hotline/{linje}/opgoerelser`): the issued
//! ones, a preview of a new one (every input and month), issuing it, a
//! correction, and one statement as issued (printable, CSV, XLSX).

use super::{
    base, first, frame, kroner, line, millikroner, parse_month, query_pairs, Choice, PageResult,
};
use crate::access::Authorized;
use crate::forms::{refused, when};
use crate::frame::{with_notice, Frame, NoticeQuery};
use crate::reports::download::attachment;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::{Html, IntoResponse, Redirect};
use axum::Form;
use komhen_core::hotline::report::{self, IssuedStatement};
use komhen_core::reports::tabular::{decimal_da, Cell, Table};
use komhen_core::CoreError;
use komhen_domain::{month_label_da, MunicipalityCode, StatementId};
use serde::Deserialize;

struct ListView {
    id: i64,
    href: String,
    member: String,
    period: String,
    amount: String,
    issued: String,
    by: String,
    corrects: String,
    corrected_by: String,
}

#[derive(Template)]
#[template(path = "hotline_statements.html")]
struct ListPage {
    frame: Frame,
    base: String,
    can_set_up: bool,
    statements: Vec<ListView>,
    members: Vec<Choice>,
}

async fn list_page(
    state: &AppState,
    auth: &Authorized,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    let line = line(state, auth).await?;
    let base = base(auth)?;
    let name = |code: MunicipalityCode| {
        line.members
            .iter()
            .find(|m| m.member.municipality == code)
            .map_or_else(|| code.to_string(), |m| m.name.clone())
    };
    let statements = report::statements(state.store.as_ref(), &line, None)
        .await?
        .into_iter()
        .map(|s| ListView {
            id: s.id.0,
            href: format!("{base}/opgoerelser/{}", s.id.0),
            member: name(s.statement.municipality),
            period: format!(
                "{} – {}",
                month_label_da(s.statement.first_month),
                month_label_da(s.statement.last_month)
            ),
            amount: amount_text(s.statement.amount_ore),
            issued: when(s.statement.issued_at),
            by: komhen_core::accounts::access::actor_da(&s.statement.issued_by),
            corrects: s
                .statement
                .corrects
                .map_or(String::new(), |c| format!("nr. {}", c.0)),
            corrected_by: s
                .corrected_by
                .map_or(String::new(), |c| format!("nr. {}", c.0)),
        })
        .collect();
    let mut members: Vec<Choice> = Vec::new();
    for m in &line.members {
        let code = m.member.municipality.to_string();
        if !members.iter().any(|c| c.code == code) {
            members.push(Choice {
                code,
                label: m.name.clone(),
            });
        }
    }
    let page = ListPage {
        frame: frame(auth, crate::t("Opgørelser"), "/opgoerelser")
            .notice(notice)
            .error(error),
        base,
        can_set_up: auth.can_set_up_hotline(),
        statements,
        members,
    };
    Ok(Html(page.render()?))
}

/// «At betale 1.234,56 kr.» or «Til udbetaling 12,00 kr.».
fn amount_text(ore: i64) -> String {
    if ore < 0 {
        crate::t1("Til udbetaling {0}", kroner(-ore))
    } else {
        crate::t1("At betale {0}", kroner(ore))
    }
}

/// `GET /hotline/{linje}/opgoerelser`
pub(crate) async fn show(
    State(state): State<AppState>,
    auth: Authorized,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let pairs = query_pairs(raw.as_deref());
    let notice = NoticeQuery::of(Some(first(&pairs, "besked").to_owned())).text();
    Ok(list_page(&state, &auth, notice, None)
        .await?
        .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct StatementForm {
    municipality: String,
    first_month: String,
    last_month: String,
    #[serde(deserialize_with = "crate::forms::id")]
    corrects: Option<i64>,
    reason: String,
}

impl StatementForm {
    fn read(&self) -> Result<(MunicipalityCode, chrono::NaiveDate, chrono::NaiveDate), CoreError> {
        let invalid = |m: &str| CoreError::Invalid(m.to_owned());
        Ok((
            MunicipalityCode::parse(self.municipality.trim())
                .map_err(|_| invalid(crate::t("Vælg en medlemskommune.")))?,
            parse_month(&self.first_month)
                .ok_or_else(|| invalid(crate::t("Vælg opgørelsens første måned.")))?,
            parse_month(&self.last_month)
                .ok_or_else(|| invalid(crate::t("Vælg opgørelsens sidste måned.")))?,
        ))
    }
}

struct MonthView {
    month: String,
    charged: bool,
    inhabitants: String,
    price: String,
    base: String,
    discount: String,
}

struct StatementView {
    member: String,
    kind: &'static str,
    population: String,
    population_year: i32,
    period: String,
    months: Vec<MonthView>,
    base: String,
    discount: String,
    staffed_hours: String,
    credit_per_hour: String,
    credit: String,
    amount: String,
}

fn view(issued: &IssuedStatement) -> StatementView {
    let s = &issued.statement;
    StatementView {
        member: format!("{} ({})", s.name, s.code),
        kind: crate::t(s.kind.label_da()),
        population: crate::format::number(s.population),
        population_year: issued.population_year,
        period: format!(
            "{} – {}",
            month_label_da(s.first_month),
            month_label_da(s.last_month)
        ),
        months: s
            .lines
            .iter()
            .map(|l| MonthView {
                month: month_label_da(l.month),
                charged: l.charged,
                inhabitants: crate::format::number(l.inhabitants),
                price: millikroner(l.price_millikr),
                base: kroner(l.base_ore),
                discount: if l.in_discount {
                    format!("{} % = {}", l.discount_percent, kroner(l.discount_ore))
                } else {
                    "–".into()
                },
            })
            .collect(),
        base: kroner(s.base_ore),
        discount: kroner(s.discount_ore),
        staffed_hours: decimal_da(s.staffed_hours, 2),
        credit_per_hour: kroner(s.credit_ore_per_hour),
        credit: kroner(s.credit_ore),
        amount: amount_text(s.amount_due_ore),
    }
}

/// A statement as a table for CSV and XLSX.
fn statement_table(issued: &IssuedStatement) -> Table {
    let s = &issued.statement;
    let kr = |ore: i64| Cell::Decimal(ore as f64 / 100.0, 2);
    let mut rows: Vec<Vec<Cell>> = s
        .lines
        .iter()
        .map(|l| {
            vec![
                Cell::Text(month_label_da(l.month)),
                Cell::Text(if l.charged { "ja" } else { "nej" }.into()),
                Cell::Integer(l.inhabitants),
                Cell::Decimal(l.price_millikr as f64 / 1000.0, 3),
                kr(l.base_ore),
                Cell::Integer(if l.in_discount {
                    i64::from(l.discount_percent)
                } else {
                    0
                }),
                kr(l.discount_ore),
            ]
        })
        .collect();
    let sum = |label: String, value: Cell| {
        let mut row = vec![Cell::Text(label)];
        row.extend(std::iter::repeat_n(Cell::Empty, 3));
        row.push(value);
        row.extend([Cell::Empty, Cell::Empty]);
        row
    };
    rows.push(sum("Grundbeløb i alt".into(), kr(s.base_ore)));
    rows.push(sum("Rabat i alt".into(), kr(-s.discount_ore)));
    rows.push(sum(
        format!(
            "Godtgørelse: {} timer à {}",
            decimal_da(s.staffed_hours, 2),
            kroner(s.credit_ore_per_hour)
        ),
        kr(-s.credit_ore),
    ));
    rows.push(sum(
        if s.amount_due_ore < 0 {
            "Til udbetaling"
        } else {
            "At betale"
        }
        .into(),
        kr(s.amount_due_ore.abs()),
    ));
    Table {
        header: [
            "Måned",
            "Medlem",
            "Indbyggere",
            "Pris pr. borger (kr.)",
            "Grundbeløb (kr.)",
            "Rabat (%)",
            "Rabat (kr.)",
        ]
        .iter()
        .map(|h| (*h).to_owned())
        .collect(),
        rows,
    }
}

#[derive(Template)]
#[template(path = "hotline_statement.html")]
struct StatementPage {
    frame: Frame,
    base: String,
    statement: StatementView,
    /// None on a preview.
    id: Option<i64>,
    issued: String,
    corrected_by: String,
    can_correct: bool,
    form: StatementFormView,
    csv: String,
    xlsx: String,
}

/// The hidden fields that issue (or correct) the statement shown.
struct StatementFormView {
    municipality: String,
    first_month: String,
    last_month: String,
}

/// `POST /hotline/{linje}/opgoerelser/forhaandsvisning`
pub(crate) async fn preview(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<StatementForm>,
) -> PageResult {
    let line = line(&state, &auth).await?;
    let outcome = match form.read() {
        Ok((code, first_month, last_month)) => {
            report::preview_statement(state.store.as_ref(), &line, code, first_month, last_month)
                .await
                .map(|s| (s, code, first_month, last_month))
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok((issued, code, first_month, last_month)) => {
            let base = base(&auth)?;
            let page = StatementPage {
                frame: frame(
                    &auth,
                    crate::t("Forhåndsvisning af opgørelse"),
                    "/opgoerelser",
                )
                .crumb(format!("{base}/opgoerelser"), crate::t("Opgørelser")),
                base,
                statement: view(&issued),
                id: None,
                issued: String::new(),
                corrected_by: String::new(),
                can_correct: false,
                form: StatementFormView {
                    municipality: code.to_string(),
                    first_month: first_month.format("%Y-%m").to_string(),
                    last_month: last_month.format("%Y-%m").to_string(),
                },
                csv: String::new(),
                xlsx: String::new(),
            };
            Ok(Html(page.render()?).into_response())
        }
        Err(CoreError::Invalid(message)) => Ok(refused(
            list_page(&state, &auth, None, Some(message)).await?,
        )),
        Err(e) => Err(e.into()),
    }
}

/// `POST /hotline/{linje}/opgoerelser`: issues a statement, or a
/// correction (`corrects`, `reason`).
pub(crate) async fn issue(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<StatementForm>,
) -> PageResult {
    let line = line(&state, &auth).await?;
    let outcome = match form.read() {
        Ok((code, first_month, last_month)) => {
            report::issue_statement(
                state.store.as_ref(),
                &auth.user.actor(),
                &line,
                &report::Issue {
                    municipality: code,
                    first_month,
                    last_month,
                    corrects: form.corrects.map(StatementId),
                    reason: &form.reason,
                },
            )
            .await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(id) => Ok(Redirect::to(&with_notice(
            &format!("{}/opgoerelser/{}", base(&auth)?, id.0),
            "oprettet",
        ))
        .into_response()),
        Err(CoreError::Invalid(message)) => Ok(refused(
            list_page(&state, &auth, None, Some(message)).await?,
        )),
        Err(e) => Err(e.into()),
    }
}

/// `GET /hotline/{linje}/opgoerelser/{opgoerelse}?format=csv|xlsx`
pub(crate) async fn show_one(
    State(state): State<AppState>,
    auth: Authorized,
    Path((_, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let line = line(&state, &auth).await?;
    let Some(row) = report::statements(state.store.as_ref(), &line, None)
        .await?
        .into_iter()
        .find(|s| s.id.0 == id)
    else {
        return Err(WebError::NotFound);
    };
    let issued = report::stored_statement(&row)?;
    let pairs = query_pairs(raw.as_deref());
    let base = base(&auth)?;
    let name = format!("hotline-{}-opgoerelse-{id}", line.id());
    match first(&pairs, "format") {
        "csv" => {
            return Ok(attachment(
                statement_table(&issued).csv()?,
                "text/csv; charset=utf-8",
                &format!("{name}.csv"),
            ))
        }
        "xlsx" => {
            return Ok(attachment(
                statement_table(&issued).xlsx("Opgørelse")?,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &format!("{name}.xlsx"),
            ))
        }
        _ => {}
    }
    let notice = NoticeQuery::of(Some(first(&pairs, "besked").to_owned())).text();
    let s = &row.statement;
    let page = StatementPage {
        frame: frame(&auth, crate::t1("Opgørelse nr. {0}", id), "/opgoerelser")
            .crumb(format!("{base}/opgoerelser"), crate::t("Opgørelser"))
            .notice(notice),
        csv: format!("{base}/opgoerelser/{id}?format=csv"),
        xlsx: format!("{base}/opgoerelser/{id}?format=xlsx"),
        base,
        statement: view(&issued),
        id: Some(id),
        issued: format!(
            "{}{}{}",
            crate::t2(
                "Udstedt {0} af {1}.",
                when(s.issued_at),
                komhen_core::accounts::access::actor_da(&s.issued_by),
            ),
            s.corrects
                .map_or(String::new(), |c| crate::t1(" Retter nr. {0}.", c.0)),
            if s.reason.is_empty() {
                String::new()
            } else {
                crate::t1(" Begrundelse: {0}", &s.reason)
            }
        ),
        corrected_by: row
            .corrected_by
            .map_or(String::new(), |c| crate::t1("Rettet af nr. {0}.", c.0)),
        can_correct: auth.can_set_up_hotline() && row.corrected_by.is_none(),
        form: StatementFormView {
            municipality: s.municipality.to_string(),
            first_month: s.first_month.format("%Y-%m").to_string(),
            last_month: s.last_month.format("%Y-%m").to_string(),
        },
    };
    Ok(Html(page.render()?).into_response())
}
