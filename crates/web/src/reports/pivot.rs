//! The pivot (`/kommune/{kode}/tal/pivot`): one dimension in the rows and
//! optionally another in the columns, a chosen measure in the cells, row and
//! column totals from the engine's margins, the filter lists, and a link
//! that shares the view.

use super::answers::{asked_note, heading, questions_of, Question};
use super::context::{context, filters_kept, link, read_address, Choice, Context, FilterForm};
use super::cost::{self, CostNotes};
use super::table::{drill_link, num, signed, CellView};
use super::PageResult;
use crate::access::Authorized;
use crate::frame::Frame;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse};
use komhen_core::reports::tabular::{decimal_da, thousands, Cell};
use komhen_core::reports::{Comparing, Dimension, Report, ReportQuery, ReportRow, ShareOf};
use komhen_store::Store;
use std::collections::HashMap;

/// What a pivot's cells show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Measure {
    Inquiries,
    Share,
    ShareOfRow,
    Change,
    Median,
    Cost,
}

/// A label in the request's language: a function, as a `const` cannot ask
/// for the language.
type Label = fn() -> &'static str;

impl Measure {
    /// Each measure, its code and its label.
    const ALL: [(Measure, &'static str, Label); 6] = [
        (Measure::Inquiries, "antal", || {
            crate::t("Antal henvendelser")
        }),
        (Measure::Share, "andel", || crate::t("Andel af alle (%)")),
        (Measure::ShareOfRow, "raekkeandel", || {
            crate::t("Andel af rækken (%)")
        }),
        (Measure::Change, "aendring", || {
            crate::t("Ændring mod sammenligningen")
        }),
        (Measure::Median, "median", || {
            crate::t("Median registreringstid (sek.)")
        }),
        (Measure::Cost, "omkostning", || crate::t("Omkostning (kr.)")),
    ];

    fn parse(code: &str) -> Self {
        Self::ALL
            .iter()
            .find(|(_, c, _)| *c == code)
            .map_or(Measure::Inquiries, |(m, _, _)| *m)
    }

    fn code(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(m, _, _)| *m == self)
            .map_or("antal", |(_, c, _)| c)
    }

    fn label(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(m, _, _)| *m == self)
            .map_or("", |(_, _, l)| l())
    }
}

pub(crate) struct PivotRow {
    pub(crate) label: String,
    pub(crate) cells: Vec<CellView>,
    pub(crate) total: CellView,
}

#[derive(Template)]
#[template(path = "reports_pivot.html")]
struct PivotPage {
    frame: Frame,
    base: String,
    form: FilterForm,
    dimensions: Vec<Choice>,
    column_choices: Vec<Choice>,
    measures: Vec<Choice>,
    filters: Vec<FilterSelect>,
    caption: String,
    columns: Vec<String>,
    rows: Vec<PivotRow>,
    totals: Vec<CellView>,
    grand_total: CellView,
    share_link: String,
    csv: String,
    xlsx: String,
    rows_label: String,
    cost_notes: Option<CostNotes>,
    /// By an answer: how many were asked.
    asked: Option<String>,
    /// Why the change is not shown although asked for.
    comparison_note: Option<String>,
}

/// A filter list on the pivot page.
pub(crate) struct FilterSelect {
    pub(crate) key: String,
    pub(crate) label: String,
    pub(crate) options: Vec<Choice>,
}

fn measure_text(m: Measure, row: &ReportRow) -> String {
    match m {
        Measure::Inquiries => thousands(row.inquiries),
        Measure::Share | Measure::ShareOfRow => Cell::Share(row.share).display_da(),
        Measure::Change => row.comparison.map_or(String::new(), |c| signed(c.change)),
        Measure::Median => row
            .median_duration_s
            .map_or(String::new(), |s| decimal_da(s, 0)),
        Measure::Cost => cost::amount(row.cost),
    }
}

/// The pivot's layout as its address chose it: the rows' dimension, the
/// columns' (never the rows' again) and the measure in the cells.
#[derive(Debug, Clone, Copy)]
struct Layout {
    rows: Dimension,
    columns: Option<Dimension>,
    measure: Measure,
}

impl Layout {
    fn read(own: &HashMap<String, String>) -> Self {
        let rows = own
            .get("raekker")
            .and_then(|c| Dimension::parse(c))
            .unwrap_or(Dimension::Channel);
        Self {
            rows,
            columns: own
                .get("kolonner")
                .and_then(|c| Dimension::parse(c))
                .filter(|d| *d != rows),
            measure: Measure::parse(own.get("maal").map_or("antal", String::as_str)),
        }
    }

    /// Only the change needs a comparison.
    fn comparing(self) -> Comparing {
        if self.measure == Measure::Change {
            Comparing::YearBefore
        } else {
            Comparing::Nothing
        }
    }

    fn dims(self) -> Vec<Dimension> {
        std::iter::once(self.rows).chain(self.columns).collect()
    }

    fn share_of(self) -> ShareOf {
        if self.measure == Measure::ShareOfRow {
            ShareOf::FirstDimension
        } else {
            ShareOf::Total
        }
    }

    fn median(self) -> bool {
        self.measure == Measure::Median
    }

    fn cost(self) -> bool {
        self.measure == Measure::Cost
    }

    /// The page's own keys, for its links and its form.
    fn keys(self) -> Vec<(String, String)> {
        vec![
            ("raekker".to_owned(), self.rows.code().into_owned()),
            (
                "kolonner".to_owned(),
                self.columns
                    .map_or(String::new(), |d| d.code().into_owned()),
            ),
            ("maal".to_owned(), self.measure.code().to_owned()),
        ]
    }

    /// What the table shows, in words.
    fn caption(self, questions: &[Question]) -> String {
        let name = |d: Dimension| {
            let label = heading(d, questions);
            // A question stays as it is asked.
            if matches!(d, Dimension::Answer(_)) {
                format!("«{label}»")
            } else {
                label.to_lowercase()
            }
        };
        match self.columns {
            Some(c) => crate::t3(
                "{0} efter {1} og {2}",
                self.measure.label(),
                name(self.rows),
                name(c),
            ),
            None => crate::t2("{0} efter {1}", self.measure.label(), name(self.rows)),
        }
    }
}

/// `GET /kommune/{kode}/tal/pivot?raekker=opgave&kolonner=kanal&maal=antal&...`
pub(crate) async fn show_pivot(
    State(state): State<AppState>,
    auth: Authorized,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let store = state.store.as_ref();
    let address = read_address(raw)?;
    let layout = Layout::read(&address.own);
    let ctx = context(&state, &auth, &address.query, layout.comparing()).await?;
    let m = auth.municipality()?;
    let table = pivot_table(&state, &ctx, layout).await?;
    let own = layout.keys();
    let share_link = share_link(&ctx, layout, &own);
    let questions = questions_of(store, ctx.code).await?;
    let filters = pivot_filters(store, &ctx, &address.query, &questions).await?;
    let mut hidden = own;
    hidden.extend(filters_kept(&address.query));
    let page = PivotPage {
        frame: Frame::municipality(
            &auth,
            crate::t1("Pivottabel – {0} Kommune", &m.name),
            "/tal",
        ),
        form: ctx.filter_form(&format!("{}/pivot", ctx.base), hidden),
        base: ctx.base.clone(),
        dimensions: dimension_choices(Some(layout.rows), &questions),
        column_choices: column_choices(layout.columns, &questions),
        measures: measure_choices(layout.measure),
        filters,
        caption: layout.caption(&questions),
        asked: table.asked,
        comparison_note: table.comparison_note,
        columns: table.columns,
        rows: table.rows,
        totals: table.totals,
        grand_total: table.grand_total,
        share_link,
        csv: link(&format!("{}/tabel.csv", ctx.base), &table.query, &[]),
        xlsx: link(&format!("{}/tabel.xlsx", ctx.base), &table.query, &[]),
        rows_label: heading(layout.rows, &questions),
        cost_notes: table.cost_notes,
    };
    Ok(Html(page.render()?).into_response())
}

/// The pivot's figures as the page shows them.
struct PivotTable {
    /// The columns' headings.
    columns: Vec<String>,
    rows: Vec<PivotRow>,
    /// The columns' totals.
    totals: Vec<CellView>,
    grand_total: CellView,
    /// The table's query, for its downloads.
    query: ReportQuery,
    /// With cost: the inquiries without a price, example prices.
    cost_notes: Option<CostNotes>,
    /// By an answer: how many were asked, of all.
    asked: Option<String>,
    /// Why the change is not shown although asked for.
    comparison_note: Option<String>,
}

/// The pivot's report and its margins (the rows' and the columns' totals),
/// each from the engine, as cells that link to the registrations behind
/// them.
async fn pivot_table(
    state: &AppState,
    ctx: &Context,
    layout: Layout,
) -> Result<PivotTable, WebError> {
    let dims = layout.dims();
    let mut request = ctx.request.clone().by(&dims);
    request.share_of = layout.share_of();
    request.median = layout.median();
    request.cost = layout.cost();
    let report = super::run(state, &request).await?;
    let margin = |dims: Vec<Dimension>| {
        let mut r = ctx.request.clone().by(&dims);
        r.median = layout.median();
        r.cost = layout.cost();
        r
    };
    let by_rows = super::run(state, &margin(vec![layout.rows])).await?;
    let by_cols = match layout.columns {
        Some(c) => Some(super::run(state, &margin(vec![c])).await?),
        None => None,
    };
    let mut query = ctx.query.clone();
    query.group_by = dims.clone();
    query.share_of = layout.share_of();
    query.median = request.median;
    query.cost = request.cost;
    let cells = Cells {
        base: &ctx.base,
        query: &query,
        measure: layout.measure,
    };
    let column_keys: Vec<&ReportRow> = by_cols
        .as_ref()
        .map_or(Vec::new(), |r| r.rows.iter().collect());
    let rows = by_rows
        .rows
        .iter()
        .map(|r| pivot_row(&cells, layout, &dims, &report, &column_keys, r))
        .collect();
    let totals = column_keys
        .iter()
        .map(|c| cells.cell(c, &[layout.columns.unwrap_or(layout.rows)]))
        .collect();
    let mut whole = by_rows.total.clone();
    whole.share = 1.0;
    let grand_total = cells.cell(&whole, &[]);
    let columns = column_keys
        .iter()
        .map(|c| c.keys[0].label.clone())
        .collect();
    Ok(PivotTable {
        asked: by_rows.asked.or(report.asked).map(asked_note),
        comparison_note: super::table::empty_comparison_note(&by_rows),
        cost_notes: if layout.cost() {
            CostNotes::of(&by_rows)
        } else {
            None
        },
        columns,
        rows,
        totals,
        grand_total,
        query,
    })
}

/// How a pivot's cell is made: the measure's text, linked to the
/// registrations behind it.
struct Cells<'a> {
    base: &'a str,
    query: &'a ReportQuery,
    measure: Measure,
}

impl Cells<'_> {
    fn cell(&self, row: &ReportRow, dims: &[Dimension]) -> CellView {
        let text = measure_text(self.measure, row);
        CellView {
            repeat: false,
            label: Some(crate::t2(
                "{0} – {1}: vis registreringerne",
                row.keys
                    .iter()
                    .map(|k| k.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                &text,
            )),
            href: drill_link(self.base, self.query, dims, row),
            text,
            num: true,
        }
    }
}

/// A row of the pivot: a cell per column (empty where the report has no
/// row) and the row's total from the rows' margin `r`.
fn pivot_row(
    cells: &Cells,
    layout: Layout,
    dims: &[Dimension],
    report: &Report,
    columns: &[&ReportRow],
    r: &ReportRow,
) -> PivotRow {
    let row_cells = match layout.columns {
        Some(_) => columns
            .iter()
            .map(|c| {
                match report
                    .rows
                    .iter()
                    .find(|x| x.keys[0] == r.keys[0] && x.keys[1] == c.keys[0])
                {
                    Some(x) => cells.cell(x, dims),
                    None => num(String::new()),
                }
            })
            .collect(),
        None => Vec::new(),
    };
    let mut row_total = r.clone();
    if layout.measure == Measure::ShareOfRow {
        row_total.share = 1.0;
    }
    PivotRow {
        label: r.keys[0].label.clone(),
        cells: row_cells,
        total: cells.cell(&row_total, &[layout.rows]),
    }
}

/// The link that shares the view: the page's filters and layout, and the
/// comparison only when the change is shown.
fn share_link(ctx: &Context, layout: Layout, own: &[(String, String)]) -> String {
    let mut query = ctx.query.clone();
    query.group_by.clear();
    if layout.measure != Measure::Change {
        query.comparison = None;
    }
    let own_refs: Vec<(&str, &str)> = own.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    link(&format!("{}/pivot", ctx.base), &query, &own_refs)
}

/// Every dimension to choose from (the municipality's questions after the
/// fixed ones), `selected` chosen.
fn dimension_choices(selected: Option<Dimension>, questions: &[Question]) -> Vec<Choice> {
    Dimension::ALL
        .iter()
        .copied()
        .chain(questions.iter().map(|q| q.dimension))
        .map(|d| Choice {
            value: d.code().into(),
            label: heading(d, questions),
            selected: Some(d) == selected,
        })
        .collect()
}

/// The columns' choices: none, or any dimension.
fn column_choices(selected: Option<Dimension>, questions: &[Question]) -> Vec<Choice> {
    let mut choices = vec![Choice {
        value: String::new(),
        label: crate::t("(ingen)").into(),
        selected: selected.is_none(),
    }];
    choices.extend(dimension_choices(selected, questions));
    choices
}

fn measure_choices(chosen: Measure) -> Vec<Choice> {
    Measure::ALL
        .iter()
        .map(|(m, code, label)| Choice {
            value: (*code).into(),
            label: label().into(),
            selected: *m == chosen,
        })
        .collect()
}

/// The pivot's filter lists, with the current choices selected.
async fn pivot_filters(
    store: &dyn Store,
    ctx: &Context,
    query: &ReportQuery,
    questions: &[Question],
) -> Result<Vec<FilterSelect>, WebError> {
    let chosen = |d: Dimension, value: &str| query.filter_codes(d).contains(&value);
    let any = |d: Dimension| Choice {
        value: String::new(),
        label: crate::t("Alle").into(),
        selected: query.filter_codes(d).is_empty(),
    };
    let mut filters = Vec::new();
    let mut directions = vec![any(Dimension::Direction)];
    for d in [
        komhen_domain::Direction::Incoming,
        komhen_domain::Direction::Outgoing,
    ] {
        directions.push(Choice {
            value: d.code().into(),
            label: crate::t(d.label_da()).into(),
            selected: chosen(Dimension::Direction, d.code()),
        });
    }
    filters.push(FilterSelect {
        key: "retning".into(),
        label: crate::t("Retning").into(),
        options: directions,
    });
    let mut channels = vec![any(Dimension::Channel)];
    for c in store.list_channels().await? {
        channels.push(Choice {
            selected: chosen(Dimension::Channel, c.code.as_str()),
            value: c.code.to_string(),
            label: crate::i18n::pick(&c.label_da, &c.label_en).to_owned(),
        });
    }
    filters.push(FilterSelect {
        key: "kanal".into(),
        label: crate::t("Kanal").into(),
        options: channels,
    });
    let mut types = vec![any(Dimension::InquiryType)];
    for t in store.list_inquiry_types().await? {
        types.push(Choice {
            selected: chosen(Dimension::InquiryType, t.inquiry_type.code()),
            value: t.inquiry_type.code().into(),
            label: crate::i18n::pick(&t.label_da, &t.label_en).to_owned(),
        });
    }
    filters.push(FilterSelect {
        key: "type".into(),
        label: crate::t("Henvendelsestype").into(),
        options: types,
    });
    let mut units = vec![any(Dimension::Unit)];
    for u in store.list_units(ctx.code).await? {
        if ctx
            .scope
            .units
            .as_ref()
            .is_some_and(|only| !only.contains(&u.id))
        {
            continue;
        }
        units.push(Choice {
            selected: chosen(Dimension::Unit, &u.login),
            value: u.login.clone(),
            label: u.name.clone(),
        });
    }
    filters.push(FilterSelect {
        key: "enhed".into(),
        label: crate::t("Enhed").into(),
        options: units,
    });
    // A list per choice question: its answers.
    for q in questions.iter().filter(|q| !q.options.is_empty()) {
        let mut options = vec![any(q.dimension)];
        for (code, label) in &q.options {
            options.push(Choice {
                selected: chosen(q.dimension, code),
                value: code.clone(),
                label: label.clone(),
            });
        }
        filters.push(FilterSelect {
            key: q.dimension.code().into_owned(),
            label: q.label.clone(),
            options,
        });
    }
    Ok(filters)
}
