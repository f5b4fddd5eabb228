//! Total counts typed into the form, and the stored entries as a coordinator reads them.

use super::*;

/// What the total form sends, as typed.
#[derive(Debug, Clone, Default)]
pub struct TotalInput {
    /// A channel code (the form's choice) or name.
    pub channel: String,
    /// `ÅÅÅÅ-MM-DD` (a date field) or `DD-MM-ÅÅÅÅ`.
    pub from: String,
    pub to: String,
    /// A whole number, thousands dots allowed.
    pub count: String,
}

pub(super) fn date_input(value: &str, what: &str, problems: &mut Vec<String>) -> Option<NaiveDate> {
    let value = value.trim();
    if value.is_empty() {
        problems.push(da!("Skriv {what}."));
        return None;
    }
    let parsed = ["%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(value, f).ok());
    if parsed.is_none() {
        problems.push(da!(
            "«{value}» er ikke en dato. Skriv {what} som DD-MM-ÅÅÅÅ, fx 01-10-2025."
        ));
    }
    parsed
}

/// Enters one total from the form: checked, then stored as its own batch
/// at once, or refused naming the stored total it overlaps.
pub async fn enter(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    input: &TotalInput,
) -> CoreResult<BatchRow> {
    let mut problems = Vec::new();
    let channels = store.list_channels().await?;
    let channel = if input.channel.trim().is_empty() {
        problems.push(dl!("Vælg en kanal.").to_owned());
        None
    } else {
        let found = find_channel(&channels, &input.channel);
        if found.is_none() {
            problems.push(da!(
                "Kanalen «{}» findes ikke i kodelisten.",
                input.channel.trim()
            ));
        }
        found
    };
    let from = date_input(&input.from, dl!("den første dag"), &mut problems);
    let to = date_input(&input.to, dl!("den sidste dag"), &mut problems);
    if let (Some(from), Some(to)) = (from, to) {
        if from > to {
            problems.push(da!(
                "Den sidste dag ({}) ligger før den første ({}).",
                day_da(to),
                day_da(from)
            ));
        }
    }
    let cleaned: String = input.count.trim().replace('.', "");
    let count = match cleaned.parse::<i64>() {
        Ok(n) if (0..=komhen_ingest::totals::MAX_COUNT).contains(&n) => Some(n),
        _ if cleaned.is_empty() => {
            problems.push(dl!("Skriv antallet af henvendelser (også 0).").to_owned());
            None
        }
        _ => {
            problems.push(da!(
                "«{}» er ikke et antal. Skriv et helt tal fra 0 uden decimaler, fx 1234.",
                input.count.trim()
            ));
            None
        }
    };
    let (Some(channel), Some(from), Some(to), Some(count), true) =
        (channel, from, to, count, problems.is_empty())
    else {
        return Err(CoreError::Invalid(problems.join("\n")));
    };
    let total = NewTotalCount {
        municipality,
        measure: TotalMeasure::Inquiries,
        channel: Some(channel.code.clone()),
        from,
        to,
        count,
        source: "form".into(),
        batch: None,
    };
    let labels = Labels::load(store).await?;
    let found = store
        .find_total_overlaps(std::slice::from_ref(&total))
        .await?;
    if let Some(first) = found.first() {
        // What and when as one value: a channel's name may hold spaces.
        let what = format!("{} {}", channel.label_da, range_da(from, to));
        return Err(CoreError::Invalid(da!(
            "Tallet er ikke gemt: {} overlapper {what}. Slet det gemte tal først, eller vælg en \
             anden periode.",
            labels.describe(&first.existing)
        )));
    }
    let fingerprint = format!(
        "{FORM_KIND};{municipality};{};{from};{to};{count}",
        channel.code
    );
    let batch = store
        .stage_totals(
            &NewBatch {
                municipality: Some(municipality),
                kind: FORM_KIND,
                file_name: String::new(),
                sha256: sha256_hex(fingerprint.as_bytes()),
                fingerprint: None,
                created_by: actor.as_str().to_owned(),
            },
            &[total],
        )
        .await?;
    commit(store, actor, Some(municipality), batch).await
}

/// One entry or file of totals, with its totals.
#[derive(Debug, Clone)]
pub struct TotalsEntry {
    pub batch: BatchRow,
    pub totals: Vec<TotalEntryRow>,
    pub sum: i64,
    pub first_day: Option<NaiveDate>,
    pub last_day: Option<NaiveDate>,
}

/// The committed entries of a municipality (None: the central
/// deliveries), newest first.
pub async fn entries(
    store: &dyn Store,
    municipality: Option<MunicipalityCode>,
) -> CoreResult<Vec<TotalsEntry>> {
    let batches: Vec<BatchRow> = store
        .list_batches(municipality)
        .await?
        .into_iter()
        .filter(|b| b.kind.on_totals_pages() && b.status == BatchStatus::Committed)
        .collect();
    let mut by_batch: HashMap<BatchId, Vec<TotalEntryRow>> = HashMap::new();
    for entry in store.list_totals(municipality).await? {
        if let Some(batch) = entry.total.batch {
            by_batch.entry(batch).or_default().push(entry);
        }
    }
    Ok(batches
        .into_iter()
        .map(|batch| {
            let totals = by_batch.remove(&batch.id).unwrap_or_default();
            TotalsEntry {
                sum: totals.iter().map(|t| t.total.count).sum(),
                first_day: totals.iter().map(|t| t.total.from).min(),
                last_day: totals.iter().map(|t| t.total.to).max(),
                batch,
                totals,
            }
        })
        .collect())
}

/// The figures delivered centrally for a municipality (read-only for it).
pub async fn central_for(
    store: &dyn Store,
    municipality: MunicipalityCode,
) -> CoreResult<Vec<TotalEntryRow>> {
    Ok(store
        .list_totals(Some(municipality))
        .await?
        .into_iter()
        .filter(|e| NATIONAL_MEASURES.contains(&e.total.measure))
        .collect())
}
