//! Total counts from files: a coordinator's Kanal;Fra;Til;Antal file and a national delivery per municipality.

use super::*;

pub(super) fn read_file(
    preview: &mut TotalsPreview,
    bytes: &[u8],
    layout: TotalsLayout,
) -> Vec<komhen_ingest::totals::TotalsRow> {
    let mut rows = Vec::new();
    match detect_format(bytes) {
        FileFormat::Xlsx | FileFormat::Xls => {
            preview.problems.add(Problem::line(
                1,
                ProblemKind::Unreadable,
                dl!(
                    "filen er en Excel-projektmappe. Gem den i Excel som «CSV UTF-8 \
                     (kommasepareret)» eller «CSV (semikolonsepareret)», og indlæs CSV-filen"
                ),
            ));
            return rows;
        }
        FileFormat::Csv => {}
    }
    let reader = match TotalsReader::with_limits(bytes, layout, FILE_LIMITS) {
        Ok(reader) => reader,
        Err(e) => {
            for problem in e.problems {
                preview.problems.add(problem);
            }
            return rows;
        }
    };
    preview.format = da!(
        "CSV ({}, adskilt med «{}»)",
        reader.encoding().label(),
        match reader.delimiter() {
            b'\t' => dl!("tabulator").to_owned(),
            d => char::from(d).to_string(),
        }
    );
    let mut reader = reader;
    for row in reader.by_ref() {
        preview.rows += 1;
        match row {
            Ok(row) => rows.push(row),
            Err(problems) => preview.problems.add_row(problems),
        }
    }
    // The encoding is known only once a non-ASCII character was read.
    preview.format = da!(
        "CSV ({}, adskilt med «{}»)",
        reader.encoding().label(),
        match reader.delimiter() {
            b'\t' => dl!("tabulator").to_owned(),
            d => char::from(d).to_string(),
        }
    );
    rows
}

/// Reads a municipality's totals file (`Kanal;Fra;Til;Antal`) and says
/// what storing it would do; a file without problems is staged when
/// `stage` (commit it with [`commit`], or drop it with [`delete`]).
pub async fn preview_channel_file(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    file_name: &str,
    bytes: &[u8],
    stage: bool,
) -> CoreResult<TotalsPreview> {
    let mut preview = TotalsPreview::new(file_name, bytes);
    let rows = read_file(&mut preview, bytes, TotalsLayout::Channels);
    let channels = store.list_channels().await?;
    let labels = Labels::load(store).await?;
    for row in rows {
        let TotalsSubject::Channel(written) = &row.subject else {
            continue;
        };
        match find_channel(&channels, written) {
            Some(channel) => preview.totals.push(PreviewTotal {
                line: Some(row.line),
                label: channel.label_da.clone(),
                total: NewTotalCount {
                    municipality,
                    measure: TotalMeasure::Inquiries,
                    channel: Some(channel.code.clone()),
                    from: row.from,
                    to: row.to,
                    count: row.count,
                    source: "csv".into(),
                    batch: None,
                },
            }),
            None => preview.problems.add_row(vec![Problem::cell(
                row.line,
                "Kanal",
                ProblemKind::Invalid,
                da!(
                    "kanalen «{written}» findes ikke i kodelisten. Skriv en kanalkode som \
                     TLFIND eller et navn som «Telefon, indgående»"
                ),
            )]),
        }
    }
    let batch = NewBatch {
        municipality: Some(municipality),
        kind: CSV_KIND,
        file_name: file_name.to_owned(),
        sha256: preview.sha256.clone(),
        fingerprint: None,
        created_by: String::new(),
    };
    finish_preview(store, actor, batch, &mut preview, &labels, stage).await?;
    Ok(preview)
}

/// Reads a national delivery (`Kommune;Fra;Til;Antal`) of one measure and
/// says what storing it would do; staged like [`preview_channel_file`].
pub async fn preview_national_file(
    store: &dyn Store,
    actor: &Actor,
    measure: TotalMeasure,
    file_name: &str,
    bytes: &[u8],
    stage: bool,
) -> CoreResult<TotalsPreview> {
    if !NATIONAL_MEASURES.contains(&measure) {
        return Err(CoreError::Invalid(
            dl!("Centralt leverede tal er logins på borger.dk eller udstedte NemID.").into(),
        ));
    }
    let mut preview = TotalsPreview::new(file_name, bytes);
    let rows = read_file(&mut preview, bytes, TotalsLayout::Municipalities);
    let labels = Labels::load(store).await?;
    for row in rows {
        let TotalsSubject::Municipality(code) = row.subject else {
            continue;
        };
        if !labels.municipalities.contains_key(&code) {
            preview.problems.add_row(vec![Problem::cell(
                row.line,
                "Kommune",
                ProblemKind::Invalid,
                da!("der er ingen kommune med koden {code}"),
            )]);
            continue;
        }
        preview.totals.push(PreviewTotal {
            line: Some(row.line),
            label: labels.subject(code, measure, None),
            total: NewTotalCount {
                municipality: code,
                measure,
                channel: None,
                from: row.from,
                to: row.to,
                count: row.count,
                source: "national".into(),
                batch: None,
            },
        });
    }
    let batch = NewBatch {
        municipality: None,
        kind: national_kind(measure),
        file_name: file_name.to_owned(),
        sha256: preview.sha256.clone(),
        fingerprint: None,
        created_by: String::new(),
    };
    finish_preview(store, actor, batch, &mut preview, &labels, stage).await?;
    Ok(preview)
}
