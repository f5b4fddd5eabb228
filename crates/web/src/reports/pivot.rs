//! The pivot (`/kommune/{kode}/tal/pivot`): one dimension in the rows and
//! optionally another in the columns, a chosen measure in the cells, row and
//! column totals from the engine's margins, the filter lists, and a link
//! that shares the view.

use super::context::{context, link, read_address, Choice, Context, FilterForm};
use super::table::{drill_link, num, signed, CellView};
use super::PageResult;
use crate::access::Authorized;
use crate::frame::Frame;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse};
use komhen_core::reports::tabular::{decimal_da, thousands, Cell};
use komhen_core::reports::{self, Comparing, Dimension, ReportQuery, ReportRow, ShareOf};
use komhen_store::Store;

/// What a pivot's cells show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Measure {
    Inquiries,
    Share,
    ShareOfRow,
    Change,
    Median,
}

impl Measure {
    const ALL: [(Measure, &'static str, &'static str); 5] = [
        (Measure::Inquiries, "antal", "Antal henvendelser"),
        (Measure::Share, "andel", "Andel af alle (%)"),
        (Measure::ShareOfRow, "raekkeandel", "Andel af rækken (%)"),
        (Measure::Change, "aendring", "Ændring mod sammenligningen"),
        (Measure::Median, "median", "Median registreringstid (sek.)"),
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
}

/// A filter list on the pivot page.
pub(crate) struct FilterSelect {
    pub(crate) key: &'static str,
    pub(crate) label: &'static str,
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
    let rows_dim = address
        .own
        .get("raekker")
        .and_then(|c| Dimension::parse(c))
        .unwrap_or(Dimension::Channel);
    let cols_dim = address
        .own
        .get("kolonner")
        .and_then(|c| Dimension::parse(c))
        .filter(|d| *d != rows_dim);
    let measure = Measure::parse(address.own.get("maal").map_or("antal", String::as_str));
    let comparing = if measure == Measure::Change {
        Comparing::YearBefore
    } else {
        Comparing::Nothing
    };
    let ctx = context(&state, &auth, &address.query, comparing).await?;
    let m = auth.municipality()?;
    let dims: Vec<Dimension> = std::iter::once(rows_dim).chain(cols_dim).collect();
    let share_of = if measure == Measure::ShareOfRow {
        ShareOf::FirstDimension
    } else {
        ShareOf::Total
    };
    let mut request = ctx.request.clone().by(&dims);
    request.share_of = share_of;
    request.median = measure == Measure::Median;
    let report = reports::run(store, &request).await?;
    let margin = |dims: Vec<Dimension>| {
        let mut r = ctx.request.clone().by(&dims);
        r.median = measure == Measure::Median;
        r
    };
    let by_rows = reports::run(store, &margin(vec![rows_dim])).await?;
    let by_cols = match cols_dim {
        Some(c) => Some(reports::run(store, &margin(vec![c])).await?),
        None => None,
    };
    let mut table_query = ctx.query.clone();
    table_query.group_by = dims.clone();
    table_query.share_of = share_of;
    table_query.median = request.median;
    let drill =
        |row: &ReportRow, dims: &[Dimension]| drill_link(&ctx.base, &table_query, dims, row);
    let column_labels: Vec<&ReportRow> = by_cols
        .as_ref()
        .map_or(Vec::new(), |r| r.rows.iter().collect());
    let cell_of = |row: &ReportRow, dims: &[Dimension]| {
        let text = measure_text(measure, row);
        CellView {
            repeat: false,
            label: Some(format!(
                "{} – {}: vis registreringerne",
                row.keys
                    .iter()
                    .map(|k| k.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                text
            )),
            href: drill(row, dims),
            text,
            num: true,
        }
    };
    let rows: Vec<PivotRow> = by_rows
        .rows
        .iter()
        .map(|r| {
            let cells = match cols_dim {
                Some(_) => column_labels
                    .iter()
                    .map(|c| {
                        match report
                            .rows
                            .iter()
                            .find(|x| x.keys[0] == r.keys[0] && x.keys[1] == c.keys[0])
                        {
                            Some(x) => cell_of(x, &dims),
                            None => num(String::new()),
                        }
                    })
                    .collect(),
                None => Vec::new(),
            };
            let mut row_total = r.clone();
            if measure == Measure::ShareOfRow {
                row_total.share = 1.0;
            }
            PivotRow {
                label: r.keys[0].label.clone(),
                cells,
                total: cell_of(&row_total, &[rows_dim]),
            }
        })
        .collect();
    let totals: Vec<CellView> = column_labels
        .iter()
        .map(|c| cell_of(c, &[cols_dim.unwrap_or(rows_dim)]))
        .collect();
    let mut whole = by_rows.total.clone();
    whole.share = 1.0;
    let grand_total = cell_of(&whole, &[]);
    let dimension_choices = |selected: Option<Dimension>| -> Vec<Choice> {
        Dimension::ALL
            .iter()
            .map(|d| Choice {
                value: d.code().into(),
                label: d.label_da().into(),
                selected: Some(*d) == selected,
            })
            .collect()
    };
    let mut column_choices = vec![Choice {
        value: String::new(),
        label: "(ingen)".into(),
        selected: cols_dim.is_none(),
    }];
    column_choices.extend(dimension_choices(cols_dim));
    let own = vec![
        ("raekker".to_owned(), rows_dim.code().to_owned()),
        (
            "kolonner".to_owned(),
            cols_dim.map_or(String::new(), |d| d.code().to_owned()),
        ),
        ("maal".to_owned(), measure.code().to_owned()),
    ];
    let mut link_query = ctx.query.clone();
    link_query.group_by.clear();
    if measure != Measure::Change {
        link_query.comparison = None;
    }
    let own_refs: Vec<(&str, &str)> = own.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let share_link = link(&format!("{}/pivot", ctx.base), &link_query, &own_refs);
    let filters = pivot_filters(store, &ctx, &address.query).await?;
    let mut hidden = own.clone();
    hidden.extend(
        address
            .query
            .filters
            .iter()
            .map(|(d, c)| (d.code().to_owned(), c.clone())),
    );
    let page = PivotPage {
        frame: Frame::municipality(&auth, format!("Pivottabel – {} Kommune", m.name), "/tal"),
        form: ctx.filter_form(&format!("{}/pivot", ctx.base), hidden),
        base: ctx.base.clone(),
        dimensions: dimension_choices(Some(rows_dim)),
        column_choices,
        measures: Measure::ALL
            .iter()
            .map(|(m, code, label)| Choice {
                value: (*code).into(),
                label: (*label).into(),
                selected: *m == measure,
            })
            .collect(),
        filters,
        caption: format!(
            "{} efter {}{}",
            Measure::ALL
                .iter()
                .find(|(x, _, _)| *x == measure)
                .map_or("", |(_, _, l)| l),
            rows_dim.label_da().to_lowercase(),
            cols_dim.map_or(String::new(), |c| format!(
                " og {}",
                c.label_da().to_lowercase()
            ))
        ),
        columns: column_labels
            .iter()
            .map(|c| c.keys[0].label.clone())
            .collect(),
        rows,
        totals,
        grand_total,
        share_link,
        csv: link(&format!("{}/tabel.csv", ctx.base), &table_query, &[]),
        xlsx: link(&format!("{}/tabel.xlsx", ctx.base), &table_query, &[]),
        rows_label: rows_dim.label_da().into(),
    };
    Ok(Html(page.render()?).into_response())
}

/// The pivot's filter lists, with the current choices selected.
async fn pivot_filters(
    store: &dyn Store,
    ctx: &Context,
    query: &ReportQuery,
) -> Result<Vec<FilterSelect>, WebError> {
    let chosen = |d: Dimension, value: &str| query.filter_codes(d).contains(&value);
    let any = |d: Dimension| Choice {
        value: String::new(),
        label: "Alle".into(),
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
            label: d.label_da().into(),
            selected: chosen(Dimension::Direction, d.code()),
        });
    }
    filters.push(FilterSelect {
        key: "retning",
        label: "Retning",
        options: directions,
    });
    let mut channels = vec![any(Dimension::Channel)];
    for c in store.list_channels().await? {
        channels.push(Choice {
            selected: chosen(Dimension::Channel, c.code.as_str()),
            value: c.code.to_string(),
            label: c.label_da.clone(),
        });
    }
    filters.push(FilterSelect {
        key: "kanal",
        label: "Kanal",
        options: channels,
    });
    let mut types = vec![any(Dimension::InquiryType)];
    for t in store.list_inquiry_types().await? {
        types.push(Choice {
            selected: chosen(Dimension::InquiryType, t.inquiry_type.code()),
            value: t.inquiry_type.code().into(),
            label: t.label_da.clone(),
        });
    }
    filters.push(FilterSelect {
        key: "type",
        label: "Henvendelsestype",
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
        key: "enhed",
        label: "Enhed",
        options: units,
    });
    Ok(filters)
}
