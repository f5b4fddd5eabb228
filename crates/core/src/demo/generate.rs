//! The demo's registrations: generated, seeded, from each municipality's plan.

use super::*;

/// Generates the demo's registrations, each municipality's share of `total`
/// by population over the periods, plus central rows and trial counts.
pub(super) fn generate(
    plans: &[Plan],
    populations: &[i64],
    periods: &[(PeriodId, CountingPeriod)],
    total: u64,
    emit: &mut dyn FnMut(NewRegistration) -> bool,
) -> CoreResult<()> {
    let codes = Codes::new()?;
    let mut rng = StdRng::seed_from_u64(SEED);
    let total_population: i64 = populations.iter().sum();
    for (plan, population) in plans.iter().zip(populations) {
        let share = *population as f64 / total_population as f64;
        for (year_index, (_, period)) in periods.iter().enumerate() {
            let tool_rows = (total as f64 * share / periods.len() as f64).round() as u64;
            for _ in 0..tool_rows {
                if !emit(tool_registration(
                    &mut rng, &codes, plan, period, year_index,
                )) {
                    return Ok(());
                }
            }
            for row in
                central_registrations(&mut rng, &codes, plan, period, year_index, *population)
            {
                if !emit(row) {
                    return Ok(());
                }
            }
        }
    }
    // Trial counts before the first period: stored, flagged, never counted.
    if let (Some(koege), Some((_, first))) = (
        plans.iter().find(|p| p.municipality.get() == 259),
        periods.first(),
    ) {
        let trial_day = first.starts_on - Duration::days(7);
        for _ in 0..40 {
            let mut row = tool_registration(&mut rng, &codes, koege, first, 0);
            row.registered_at = at(trial_day, rng.random_range(8..15), rng.random_range(0..60));
            row.is_test = true;
            if !emit(row) {
                return Ok(());
            }
        }
    }
    Ok(())
}

pub(super) fn pick<'a, T>(rng: &mut StdRng, items: &'a [(T, f64)]) -> &'a T {
    let total: f64 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.random::<f64>() * total;
    for (item, weight) in items {
        if x < *weight {
            return item;
        }
        x -= weight;
    }
    &items[items.len() - 1].0
}

/// A working day of the period and a time of day as counters see them:
/// most inquiries from 9 to 12.
pub(super) fn working_time(rng: &mut StdRng, period: &CountingPeriod) -> chrono::DateTime<Utc> {
    let days = (period.ends_on - period.starts_on).num_days();
    let day = loop {
        let d = period.starts_on + Duration::days(rng.random_range(0..=days));
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            break d;
        }
    };
    let hour = *pick(
        rng,
        &[
            (8, 0.12),
            (9, 0.2),
            (10, 0.2),
            (11, 0.16),
            (12, 0.1),
            (13, 0.12),
            (14, 0.08),
            (15, 0.02),
        ],
    );
    at(day, hour, rng.random_range(0..60))
}

pub(super) fn at(day: NaiveDate, hour: u32, minute: u32) -> chrono::DateTime<Utc> {
    // Working hours never fall in the spring gap; noon UTC is a safe fallback.
    danish_instant(day, hour, minute)
        .unwrap_or_else(|| Utc.from_utc_datetime(&day.and_time(chrono::NaiveTime::MIN)))
}

pub(super) fn tool_registration(
    rng: &mut StdRng,
    codes: &Codes,
    plan: &Plan,
    period: &CountingPeriod,
    year_index: usize,
) -> NewRegistration {
    let weighted: Vec<(usize, f64)> = plan
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| (i, u.weight))
        .collect();
    let unit = &plan.units[*pick(rng, &weighted)];
    // A few tasks carry most of a unit's inquiries.
    let task_weights: Vec<(TaskId, f64)> = unit
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| (*t, 1.0 / (i as f64 + 1.0)))
        .collect();
    let task = *pick(rng, &task_weights);
    let mix: Vec<(&ChannelCode, f64)> = codes
        .mix
        .iter()
        .map(|(c, first, second)| (c, if year_index == 0 { *first } else { *second }))
        .collect();
    let channel = (*pick(rng, &mix)).clone();
    let outgoing = channel.as_str().ends_with("UD");
    let inquiry_type = if outgoing {
        *pick(
            rng,
            &[
                (InquiryType::CaseInformation, 0.45),
                (InquiryType::StatusChange, 0.25),
                (InquiryType::Guidance, 0.2),
                (InquiryType::NewCase, 0.1),
            ],
        )
    } else {
        *pick(
            rng,
            &[
                (InquiryType::Guidance, 0.33),
                (InquiryType::CaseInformation, 0.27),
                (InquiryType::NewCase, 0.14),
                (InquiryType::StatusChange, 0.1),
                (InquiryType::SelfServiceHelp, 0.09),
                (InquiryType::Misdirected, 0.07),
            ],
        )
    };
    let at_once = match channel.as_str() {
        "TLFIND" | "PRSNLG" | "TLFUD" => 0.78,
        "EMLIND" | "PPRIND" | "DOCIND" => 0.35,
        _ => 0.9,
    };
    let completion = if rng.random_bool(at_once) {
        Completion::AtOnce
    } else {
        Completion::PutAside
    };
    let has_form = match channel.as_str() {
        "PRSNLG" => Some(rng.random_bool(0.14)),
        "PPRIND" | "PPRUD" => Some(rng.random_bool(0.45)),
        "EMLIND" | "EMLUD" | "DOCIND" | "DOKUD" => Some(rng.random_bool(0.12)),
        _ => None,
    };
    // Registering takes 3-15 seconds, now and then longer.
    let duration_ms = (2_500.0
        + rng.random::<f64>().powi(2) * 12_000.0
        + if rng.random_bool(0.05) { 20_000.0 } else { 0.0 }) as i64;
    let mut answers: Vec<NewAnswer> = unit
        .questions
        .iter()
        .filter(|q| q.answer_kind == AnswerKind::Choice && !q.options.is_empty())
        .map(|q| NewAnswer {
            question: q.id,
            option: Some(q.options[rng.random_range(0..q.options.len())].id),
            text: None,
        })
        .collect();
    // The inquiry's minutes, where asked: longer at the counter than on the
    // phone, drawn from the registering time already drawn (no new draws,
    // so the rest of the demo stays as it was).
    if let Some(q) = unit
        .questions
        .iter()
        .find(|q| q.code.as_deref() == Some(crate::economics::timing::INQUIRY_MINUTES))
    {
        let base = match channel.as_str() {
            "PRSNLG" => 9,
            "TLFIND" | "TLFUD" => 4,
            _ => 2,
        };
        answers.push(NewAnswer {
            question: q.id,
            option: None,
            text: Some((base + duration_ms % 7).to_string()),
        });
    }
    NewRegistration {
        municipality: plan.municipality,
        unit: Some(unit.id),
        task,
        channel,
        inquiry_type: Some(inquiry_type),
        completion: Some(completion),
        has_form,
        registered_at: working_time(rng, period),
        duration_ms: Some(duration_ms),
        quantity: 1,
        source: Source::Tool,
        is_test: false,
        idempotency_key: None,
        answers,
    }
}

/// Central rows: self-service applications and website visits per task
/// and day, Digital Post per day; more of them in the second year.
pub(super) fn central_registrations(
    rng: &mut StdRng,
    codes: &Codes,
    plan: &Plan,
    period: &CountingPeriod,
    year_index: usize,
    population: i64,
) -> Vec<NewRegistration> {
    let growth = if year_index == 0 { 1.0 } else { 1.25 };
    let mut rows = Vec::new();
    let mut day = period.starts_on;
    while day <= period.ends_on {
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        let scale = population as f64 / 10_000.0 * growth * if weekend { 0.3 } else { 1.0 };
        let mut central = |task: TaskId,
                           channel: &ChannelCode,
                           per_10k: f64,
                           inquiry_type: Option<InquiryType>,
                           has_form: Option<bool>| {
            let quantity = (scale * per_10k * (0.7 + rng.random::<f64>() * 0.6)).round() as i64;
            if quantity >= 1 {
                rows.push(NewRegistration {
                    municipality: plan.municipality,
                    unit: None,
                    task,
                    channel: channel.clone(),
                    inquiry_type,
                    completion: Some(Completion::AtOnce),
                    has_form,
                    registered_at: at(day, 12, 0),
                    duration_ms: None,
                    quantity,
                    source: Source::Central,
                    is_test: false,
                    idempotency_key: None,
                    answers: vec![],
                });
            }
        };
        for task in &plan.self_service_tasks {
            central(*task, &codes.self_service, 0.8, None, Some(true));
            // Website visits to the task's pages: advice and guidance, finished at once, no form.
            central(
                *task,
                &codes.website,
                6.0,
                Some(InquiryType::Guidance),
                Some(false),
            );
        }
        if !weekend {
            if let Some(task) = plan.digital_post_tasks.first() {
                central(*task, &codes.digital_post_out, 9.0, None, None);
            }
        }
        day += Duration::days(1);
    }
    rows
}
