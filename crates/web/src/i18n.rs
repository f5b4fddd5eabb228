//! Danish and English. Danish is the default; the language is chosen per
//! browser with the `komhen_lang` cookie (the switch in every page's
//! header, `/sprog`) and, for a personal user, kept on the user and brought
//! back at each login.
//!
//! One request, one language: [`choose`] reads the cookie once and runs
//! the request inside [`CURRENT`], so a template, a notice or an error page
//! asks [`t`] and never passes the language along. Outside a request (the
//! CLI, a background job, a test) the language is Danish.
//!
//! Messages are written in Danish in the source, `{{ crate::t("Gem") }}` in a
//! template, `t("Gem")` in Rust, and the Danish text is the key of the
//! English catalogue in `crates/web/i18n/en/*.json` (gettext's model: the
//! source language is its own catalogue). A text with values takes
//! numbered places, `t1("{0} rækker", n)`; one that needs another English
//! in another place carries a context after `|` (`t("Til|tilstand")`). A test reads every call in the
//! templates and sources and requires an English text for each, with the
//! same places, and no text in the catalogue that no call uses.
//!
//! The unit pages (registration, help, evaluation, login) came first and
//! keep their own [`Text`] table.

use std::collections::HashMap;
use std::fmt::Display;
use std::sync::LazyLock;

use komhen_core::accounts::auth::{LoginError, Wait};
use komhen_core::questionnaire::{Problem, ProblemKind, MAX_ANSWER_VALUES, TEXT_ANSWER_MAX};
use komhen_store::QuestionKind;

/// The language of the unit pages, chosen with a cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    Da,
    En,
}

pub(crate) const LANG_COOKIE: &str = "komhen_lang";

/// What a page needs to know of the request it answers: its language, and
/// its own address for the header's language switch.
#[derive(Debug, Clone)]
struct Here {
    lang: Lang,
    path: String,
}

tokio::task_local! {
    /// The request being answered.
    static CURRENT: Here;
}

/// The language of the request being answered; Danish outside a request.
pub(crate) fn current() -> Lang {
    CURRENT.try_with(|here| here.lang).unwrap_or(Lang::Da)
}

/// The header's link to the other language, back to this page after.
pub(crate) fn switch_href() -> String {
    let (to, back) = CURRENT
        .try_with(|here| (here.lang.other().code(), here.path.clone()))
        .unwrap_or(("en", "/".to_owned()));
    let query =
        serde_urlencoded::to_string([("til", to), ("tilbage", back.as_str())]).unwrap_or_default();
    format!("/sprog?{query}")
}

/// The name of the other language, in that language: what the switch says.
pub(crate) fn switch_label() -> &'static str {
    match current() {
        Lang::Da => "English",
        Lang::En => "Dansk",
    }
}

/// The language a request's cookies ask for.
pub(crate) fn of_headers(headers: &axum::http::HeaderMap) -> Lang {
    let jar = axum_extra::extract::cookie::CookieJar::from_headers(headers);
    Lang::from_code(jar.get(LANG_COOKIE).map_or("da", |c| c.value()))
}

/// The middleware that answers each request in its language.
pub(crate) async fn choose(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let here = Here {
        lang: of_headers(request.headers()),
        path: request
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned(),
    };
    CURRENT.scope(here, next.run(request)).await
}

/// Runs `work` as if answering in `lang` (tests, and work that renders a
/// page outside the request).
#[cfg(test)]
pub(crate) async fn scoped<F: std::future::Future>(lang: Lang, work: F) -> F::Output {
    let path = "/".to_owned();
    CURRENT.scope(Here { lang, path }, work).await
}

#[derive(rust_embed::RustEmbed)]
#[folder = "i18n/en/"]
#[include = "*.json"]
struct English;

/// The English catalogue: Danish text to English, from every file of
/// `i18n/en/`. A file that does not parse is logged and its texts stay
/// Danish; the catalogue test fails on it long before.
static EN_CATALOGUE: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    let mut all = HashMap::new();
    for (_, part) in catalogue_files() {
        all.extend(part);
    }
    all
});

/// The catalogue's files, each as a map, by name.
fn catalogue_files() -> Vec<(String, HashMap<String, String>)> {
    let mut files = Vec::new();
    for name in English::iter() {
        let Some(file) = English::get(&name) else {
            continue;
        };
        match serde_json::from_slice::<HashMap<String, String>>(&file.data) {
            Ok(part) => files.push((name.to_string(), part)),
            Err(error) => tracing::error!(
                file = %name,
                %error,
                "an English catalogue file does not parse; its texts stay Danish"
            ),
        }
    }
    files
}

/// The files of the messages written in the domain, ingest and core
/// crates (`da!`): `messages*.json`.
fn is_message_file(name: &str) -> bool {
    name.starts_with("messages")
}

/// A message of the core crates in English: its Danish with numbered
/// places, split around them, and its English.
struct Pattern {
    /// The Danish text before, between and after the places.
    literals: Vec<String>,
    english: String,
}

impl Pattern {
    fn of(danish: &str, english: &str) -> Option<Self> {
        let mut literals = vec![String::new()];
        let mut rest = danish;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            let close = after.find('}');
            let number = close.and_then(|c| after[..c].parse::<usize>().ok());
            match (close, number) {
                (Some(close), Some(n)) if n == literals.len() - 1 => {
                    literals.last_mut()?.push_str(&rest[..open]);
                    literals.push(String::new());
                    rest = &after[close + 1..];
                }
                _ => {
                    literals.last_mut()?.push_str(&rest[..=open]);
                    rest = after;
                }
            }
        }
        literals.last_mut()?.push_str(rest);
        (literals.len() > 1).then(|| Self {
            literals,
            english: english.to_owned(),
        })
    }

    /// Whether place `i` quotes what a person wrote («{0}»: a file's cell,
    /// a form's value), which is shown as written, never translated.
    fn quotes(&self, i: usize) -> bool {
        self.literals[i].ends_with('«') && self.literals[i + 1].starts_with('»')
    }

    /// How much of a message the pattern fixes: the more, the surer.
    fn weight(&self) -> usize {
        self.literals.iter().map(|l| l.chars().count()).sum()
    }

    /// The values in `text`'s places, if `text` is this message.
    fn values<'a>(&self, text: &'a str) -> Option<Vec<&'a str>> {
        let first = &self.literals[0];
        let rest = text.strip_prefix(first.as_str())?;
        let mut values = Vec::with_capacity(self.literals.len() - 1);
        self.fill_from(1, rest, &mut values).then_some(values)
    }

    /// Matches `literals[i..]` against `rest`, each place taking the
    /// shortest value that lets the rest match.
    fn fill_from<'a>(&self, i: usize, rest: &'a str, values: &mut Vec<&'a str>) -> bool {
        let literal = self.literals[i].as_str();
        if i == self.literals.len() - 1 {
            // The last place takes all up to the closing text.
            return match rest.strip_suffix(literal) {
                Some(value) if !value.is_empty() && !value.contains('\n') => {
                    values.push(value);
                    true
                }
                _ => false,
            };
        }
        let mut from = 1;
        while from <= rest.len() {
            if !rest.is_char_boundary(from) {
                from += 1;
                continue;
            }
            let Some(at) = rest[from..].find(literal).map(|a| a + from) else {
                return false;
            };
            if rest[..at].contains('\n') {
                // A value is never more than a line.
                return false;
            }
            values.push(&rest[..at]);
            if self.fill_from(i + 1, &rest[at + literal.len()..], values) {
                return true;
            }
            values.pop();
            from = at + 1;
        }
        false
    }
}

/// The messages with places, the surest first.
static EN_PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    let mut patterns: Vec<Pattern> = catalogue_files()
        .into_iter()
        .filter(|(name, _)| is_message_file(name))
        .flat_map(|(_, part)| part.into_iter())
        .filter_map(|(da, en)| Pattern::of(&da, &en))
        .collect();
    patterns.sort_by_key(|p| std::cmp::Reverse(p.weight()));
    patterns
});

/// The messages without places.
static EN_MESSAGES: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    catalogue_files()
        .into_iter()
        .filter(|(name, _)| is_message_file(name))
        .flat_map(|(_, part)| part.into_iter())
        .collect()
});

/// How deep a message's values are read as messages of their own ("Række
/// 4: {a message}").
const MESSAGE_DEPTH: usize = 3;

/// A message written in the core crates (`da!`), finished, in the
/// request's language: found whole, or by its pattern with its values
/// kept (a value that is itself a message is translated too). A message
/// the catalogue does not know stays Danish.
pub(crate) fn message(danish: &str) -> String {
    match current() {
        Lang::Da => danish.to_owned(),
        // A list of messages, a line each (a form's problems): each line
        // on its own, so no pattern reads across them.
        Lang::En if danish.contains('\n') && !EN_MESSAGES.contains_key(danish) => danish
            .lines()
            .map(|line| english_message(line, 0))
            .collect::<Vec<_>>()
            .join("\n"),
        Lang::En => english_message(danish, 0),
    }
}

/// A text the store keeps in both languages (a channel, a question, an
/// option): the English where the page is English and it has one.
pub(crate) fn pick<'a>(danish: &'a str, english: &'a str) -> &'a str {
    match current() {
        Lang::En if !english.trim().is_empty() => english,
        _ => danish,
    }
}

/// A table's header from the core crates in the request's language: the
/// same table serves the page, the download and the command line.
pub(crate) fn header<S: AsRef<str>>(danish: &[S]) -> Vec<String> {
    danish.iter().map(|h| message(h.as_ref())).collect()
}

fn english_message(danish: &str, depth: usize) -> String {
    if let Some(english) = EN_MESSAGES.get(danish) {
        return english.clone();
    }
    if depth < MESSAGE_DEPTH {
        for pattern in EN_PATTERNS.iter() {
            if let Some(values) = pattern.values(danish) {
                let values: Vec<String> = values
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| {
                        if pattern.quotes(i) {
                            v.to_owned()
                        } else {
                            english_message(v, depth + 1)
                        }
                    })
                    .collect();
                let shown: Vec<&dyn Display> = values.iter().map(|v| v as &dyn Display).collect();
                return fill(&pattern.english, &shown);
            }
        }
        if danish.contains("; ") {
            // A list of messages ("… støder sammen med: a; b").
            return danish
                .split("; ")
                .map(|part| english_message(part, depth + 1))
                .collect::<Vec<_>>()
                .join("; ");
        }
    }
    danish.to_owned()
}

/// `danish` in the request's language. A text missing from the catalogue
/// stays Danish (the catalogue test makes that a failing build).
///
/// A Danish text that needs another English in another place carries its
/// context after a `|`: `t("Til|tilstand")` reads «Til» in Danish and
/// «On» in English, where `t("Til")` reads «To».
pub(crate) fn t(danish: &'static str) -> &'static str {
    match current() {
        Lang::Da => without_context(danish),
        Lang::En => EN_CATALOGUE
            .get(danish)
            .map_or(without_context(danish), |english| english.as_str()),
    }
}

/// A catalogue key's Danish: all before its context, if it has one.
fn without_context(key: &str) -> &str {
    key.rsplit_once('|').map_or(key, |(text, _)| text)
}

/// `danish` with `{0}` replaced, in the request's language.
pub(crate) fn t1(danish: &'static str, a: impl Display) -> String {
    fill(t(danish), &[&a])
}

/// `danish` with `{0}` and `{1}` replaced.
#[allow(dead_code)]
pub(crate) fn t2(danish: &'static str, a: impl Display, b: impl Display) -> String {
    fill(t(danish), &[&a, &b])
}

/// `danish` with `{0}`, `{1}` and `{2}` replaced.
#[allow(dead_code)]
pub(crate) fn t3(
    danish: &'static str,
    a: impl Display,
    b: impl Display,
    c: impl Display,
) -> String {
    fill(t(danish), &[&a, &b, &c])
}

/// A text's numbered places filled in one pass, so a value that itself
/// holds `{1}` is never filled again.
fn fill(text: &str, values: &[&dyn Display]) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let place = after
            .find('}')
            .and_then(|close| Some((after[..close].parse::<usize>().ok()?, close)));
        match place {
            Some((n, close)) if n < values.len() => {
                use std::fmt::Write;
                let _ = write!(out, "{}", values[n]);
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

impl Lang {
    pub(crate) fn from_code(code: &str) -> Self {
        if code == "en" {
            Self::En
        } else {
            Self::Da
        }
    }

    /// `da` or `en`, as in `<html lang>` and the cookie.
    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::Da => "da",
            Self::En => "en",
        }
    }

    pub(crate) fn other(self) -> Self {
        match self {
            Self::Da => Self::En,
            Self::En => Self::Da,
        }
    }

    pub(crate) fn text(self) -> &'static Text {
        match self {
            Self::Da => &DA,
            Self::En => &EN,
        }
    }

    /// Why a login must wait, and how long (the Danish from core).
    pub(crate) fn too_many_attempts(self, wait: Wait) -> String {
        match (self, wait.minutes()) {
            (Self::Da, _) => LoginError::Throttled(wait).to_string(),
            (Self::En, 1) => {
                "Too many wrong attempts from this address. Try again in 1 minute.".to_owned()
            }
            (Self::En, n) => {
                format!("Too many wrong attempts from this address. Try again in {n} minutes.")
            }
        }
    }

    /// What is wrong with an answer to `question` (the Danish from core).
    pub(crate) fn answer_problem(self, problem: &Problem, question: &str) -> String {
        if self == Self::Da {
            return problem.message.clone();
        }
        match &problem.kind {
            ProblemKind::Missing(QuestionKind::Single) => {
                format!("Choose an answer to «{question}».")
            }
            ProblemKind::Missing(QuestionKind::Multiple) => {
                format!("Choose at least one answer to «{question}».")
            }
            ProblemKind::Missing(QuestionKind::Number) => {
                format!("Write a number as the answer to «{question}».")
            }
            ProblemKind::Missing(QuestionKind::Text) => format!("Write an answer to «{question}»."),
            ProblemKind::OnlyOne(QuestionKind::Single) => {
                format!("Choose only one answer to «{question}».")
            }
            ProblemKind::OnlyOne(_) => format!("Give only one answer to «{question}»."),
            ProblemKind::TooMany(n) => format!("Too many answers to «{question}»: at most {n}."),
            ProblemKind::NotAnOption(bad) => {
                format!("«{bad}» is not one of the options of «{question}».")
            }
            ProblemKind::NotANumber => {
                format!("Write a whole number as the answer to «{question}».")
            }
            ProblemKind::OutOfRange {
                min: Some(lo),
                max: Some(hi),
            } => format!("The answer to «{question}» must be between {lo} and {hi}."),
            ProblemKind::OutOfRange {
                min: Some(lo),
                max: None,
            } => format!("The answer to «{question}» must be at least {lo}."),
            ProblemKind::OutOfRange { max, .. } => format!(
                "The answer to «{question}» must be at most {}.",
                max.unwrap_or_default()
            ),
            ProblemKind::TooLong => {
                format!("The answer to «{question}» must be at most {TEXT_ANSWER_MAX} characters.")
            }
        }
    }

    /// The refusal of a form with more answers than a response may hold.
    pub(crate) fn too_many_answers(self) -> String {
        match self {
            Self::Da => komhen_core::questionnaire::too_many_values().to_string(),
            Self::En => format!(
                "The answers were not saved: the form sent more than {MAX_ANSWER_VALUES} \
                 answers. Reload the page and fill it in from there."
            ),
        }
    }
}

/// Every fixed text of the unit pages.
#[derive(Debug)]
pub(crate) struct Text {
    pub(crate) logged_in_as: &'static str,
    pub(crate) log_out: &'static str,
    pub(crate) test_mode: &'static str,
    pub(crate) registered: &'static str,
    pub(crate) undo: &'static str,
    pub(crate) not_saved: &'static str,
    pub(crate) correct_heading: &'static str,
    pub(crate) register_heading: &'static str,
    pub(crate) step_direction: &'static str,
    pub(crate) step_channel: &'static str,
    pub(crate) step_task: &'static str,
    pub(crate) search_label: &'static str,
    pub(crate) step_type: &'static str,
    pub(crate) step_completion: &'static str,
    pub(crate) step_form: &'static str,
    pub(crate) form_hint: &'static str,
    pub(crate) no_task_match: &'static str,
    pub(crate) answer: &'static str,
    pub(crate) late_entry: &'static str,
    pub(crate) time_label: &'static str,
    pub(crate) cancel: &'static str,
    pub(crate) keyboard_help: &'static str,
    pub(crate) key: &'static str,
    pub(crate) effect: &'static str,
    pub(crate) help_direction: &'static str,
    pub(crate) help_digits: &'static str,
    pub(crate) help_search_keys: &'static str,
    pub(crate) help_form: &'static str,
    pub(crate) help_enter: &'static str,
    pub(crate) help_escape: &'static str,
    pub(crate) help_undo: &'static str,
    pub(crate) today: &'static str,
    pub(crate) graph_caption: &'static str,
    pub(crate) hour_col: &'static str,
    pub(crate) total: &'static str,
    pub(crate) bar: &'static str,
    pub(crate) today_list: &'static str,
    pub(crate) none_today: &'static str,
    pub(crate) correct_link: &'static str,
    pub(crate) paper_sheet: &'static str,
    pub(crate) enter_sheet: &'static str,
    pub(crate) test_mode_text: &'static str,
    pub(crate) undo_within: &'static str,
    pub(crate) minutes: &'static str,
    pub(crate) search_hint_1: &'static str,
    pub(crate) search_hint_2: &'static str,
    pub(crate) search_hint_3: &'static str,
    pub(crate) search_hint_4: &'static str,
    pub(crate) save: &'static str,
    pub(crate) save_correction: &'static str,
    pub(crate) help_search: &'static str,
    pub(crate) help_search_2: &'static str,
    pub(crate) help_search_3: &'static str,
    pub(crate) inquiry_one: &'static str,
    pub(crate) inquiries: &'static str,
    pub(crate) registered_today: &'static str,
    pub(crate) of_which: &'static str,
    pub(crate) as_test: &'static str,
    pub(crate) test_badge: &'static str,
    pub(crate) at_time: &'static str,
    pub(crate) language_switch: &'static str,
    pub(crate) language_switch_code: &'static str,
    pub(crate) lang: &'static str,
    pub(crate) direction_in: &'static str,
    pub(crate) direction_out: &'static str,
    pub(crate) completion_at_once: &'static str,
    pub(crate) completion_put_aside: &'static str,
    pub(crate) form_yes: &'static str,
    pub(crate) form_no: &'static str,
    pub(crate) with_form: &'static str,
    pub(crate) at_once_short: &'static str,
    pub(crate) put_aside_short: &'static str,
    pub(crate) hotline_for: &'static str,
    pub(crate) step_caller: &'static str,
    pub(crate) caller_hint: &'static str,
    pub(crate) caller_none: &'static str,
    pub(crate) step_outcome: &'static str,
    pub(crate) help_caller: &'static str,
    pub(crate) undone_notice: &'static str,
    pub(crate) corrected_notice: &'static str,
    pub(crate) sheet_saved_notice: &'static str,
    pub(crate) login_heading: &'static str,
    pub(crate) login_lead: &'static str,
    /// Why a personal user who opened the registration is asked to log in
    /// again: registering takes a unit's shared login.
    pub(crate) unit_login_needed: &'static str,
    pub(crate) unit_login_needed_back: &'static str,
    pub(crate) login_failed: &'static str,
    pub(crate) login_label: &'static str,
    pub(crate) password_label: &'static str,
    pub(crate) log_in: &'static str,
    pub(crate) help_link: &'static str,
    pub(crate) help_key: &'static str,
    pub(crate) help_back: &'static str,
    pub(crate) help_back_key: &'static str,
    pub(crate) help_contents: &'static str,
    pub(crate) week_caption: &'static str,
    pub(crate) day_col: &'static str,
    pub(crate) inquiries_col: &'static str,
    pub(crate) today_marker: &'static str,
    /// Monday first, as ISO weeks count.
    pub(crate) weekdays: [&'static str; 7],
    /// The evaluation of the counting weeks: the registration page's link
    /// and the unit's answer page.
    pub(crate) evaluation_invite: &'static str,
    pub(crate) evaluation_answered: &'static str,
    pub(crate) evaluation_answer: &'static str,
    pub(crate) evaluation_change: &'static str,
    pub(crate) evaluation_intro: &'static str,
    pub(crate) evaluation_last_answer: &'static str,
    pub(crate) evaluation_required: &'static str,
    pub(crate) evaluation_optional: &'static str,
    pub(crate) evaluation_submit: &'static str,
    pub(crate) evaluation_saved: &'static str,
    pub(crate) evaluation_not_saved: &'static str,
    pub(crate) evaluation_number_hint: &'static str,
    pub(crate) evaluation_closed: &'static str,
    pub(crate) evaluation_at_most: &'static str,
    pub(crate) evaluation_characters: &'static str,
    pub(crate) back_to_registering: &'static str,
    pub(crate) error_prefix: &'static str,
    pub(crate) missing_direction: &'static str,
    pub(crate) missing_channel: &'static str,
    pub(crate) missing_task: &'static str,
    pub(crate) missing_type: &'static str,
    pub(crate) missing_completion: &'static str,
    pub(crate) missing_form: &'static str,
    pub(crate) missing_caller: &'static str,
    pub(crate) missing_outcome: &'static str,
    pub(crate) offline_saved: &'static str,
    pub(crate) offline_waiting_one: &'static str,
    pub(crate) offline_waiting_many: &'static str,
    pub(crate) offline_login: &'static str,
    pub(crate) offline_refused: &'static str,
    pub(crate) offline_discard: &'static str,
    pub(crate) offline_unsupported: &'static str,
}

impl Text {
    /// What to say of a step of the registration form left open, by the
    /// element the error summary links to.
    pub(crate) fn missing(&self, anchor: &str) -> Option<&'static str> {
        Some(match anchor {
            "step-direction" => self.missing_direction,
            "step-channel" => self.missing_channel,
            "step-task" => self.missing_task,
            "step-inquiry_type" => self.missing_type,
            "step-completion" => self.missing_completion,
            "form-step" => self.missing_form,
            "step-caller" => self.missing_caller,
            "step-outcome" => self.missing_outcome,
            _ => return None,
        })
    }

    /// A day of the week as the unit pages name it: «Tirsdag 21.4.» or
    /// «Tuesday 21/4».
    pub(crate) fn day_label(&self, day: chrono::NaiveDate) -> String {
        use chrono::Datelike;
        let name = self.weekdays[day.weekday().num_days_from_monday() as usize];
        if self.lang == "en" {
            format!("{name} {}/{}", day.day(), day.month())
        } else {
            format!("{name} {}.{}.", day.day(), day.month())
        }
    }
}

pub(crate) static DA: Text = Text {
    logged_in_as: "Logget ind som ",
    log_out: "Log ud",
    test_mode: "Testtilstand",
    registered: "Registreret",
    undo: "Fortryd",
    not_saved: "Registreringen er ikke gemt",
    correct_heading: "Ret registrering",
    register_heading: "Registrér henvendelse",
    step_direction: "1. Retning",
    step_channel: "2. Kanal",
    step_task: "3. Opgave",
    search_label: "Søg på navn eller KLE-nummer",
    step_type: "4. Henvendelsestype",
    step_completion: "5. Afslutning",
    step_form: "6. Blanket ",
    form_hint: "(kun hvor en blanket kan følge med)",
    no_task_match: "Ingen af enhedens opgaver passer på søgningen.",
    answer: "Svar",
    late_entry: "Registrér for et tidligere tidspunkt i dag",
    time_label: "Tidspunkt (tt:mm)",
    cancel: "Annullér",
    keyboard_help: "Tastaturgenveje",
    key: "Tast",
    effect: "Virkning",
    help_direction: "Retning: indgående / udgående (i søgefeltet er det bogstaver: tryk først Skift+Tab)",
    help_digits: "Vælg svar nummer 1–9 i det aktuelle trin (kanal, henvendelsestype, afslutning, spørgsmål)",
    help_search_keys: "Bogstaver og tal i søgefeltet",
    help_form: "Blanket: ja / nej",
    help_enter: "Gem, når alt er valgt",
    help_escape: "Start forfra (retning og kanal huskes)",
    help_undo: "Fortryd den netop gemte registrering",
    today: "I dag",
    graph_caption: "Dagens graf: henvendelser pr. time",
    hour_col: "Time",
    total: "I alt",
    bar: "Søjle",
    today_list: "Dagens registreringer",
    none_today: "Ingen endnu i dag.",
    correct_link: "Ret",
    paper_sheet: "Papirskema",
    enter_sheet: "Indtast udfyldt skema",
    test_mode_text: "er i testtilstand. Registreringer gemmes som test: de vises her, men tælles aldrig med i kommunens eller landets tal.",
    undo_within: "Kan fortrydes i",
    minutes: "minutter",
    search_hint_1: "Skriv for at søge.",
    search_hint_2: "og",
    search_hint_3: "flytter,",
    search_hint_4: "vælger. Enhedens mest brugte opgaver står først.",
    save: "Gem",
    save_correction: "Gem rettelse",
    help_search: "Søg efter opgave;",
    help_search_2: "flytter,",
    help_search_3: "vælger",
    inquiry_one: "henvendelse",
    inquiries: "henvendelser",
    registered_today: "registreret",
    of_which: "heraf",
    as_test: "som test",
    test_badge: "Test",
    at_time: "kl.",
    language_switch: "English",
    language_switch_code: "en",
    lang: "da",
    direction_in: "Indgående",
    direction_out: "Udgående",
    completion_at_once: "Afsluttet straks",
    completion_put_aside: "Lagt til side til senere behandling",
    form_yes: "Ja, der fulgte en blanket med",
    form_no: "Nej",
    with_form: "med blanket",
    at_once_short: "Straks",
    put_aside_short: "Lagt til side",
    hotline_for: "Du registrerer opkald til",
    step_caller: "Borgerens kommune",
    caller_hint: "Skriv kommunens første bogstaver; Enter går videre.",
    caller_none: "Vælg kommune",
    step_outcome: "Udfald",
    help_caller: "Borgerens kommune: skriv de første bogstaver, Enter går videre",
    undone_notice: "Registreringen er fortrudt og tælles ikke med.",
    corrected_notice: "Registreringen er rettet.",
    sheet_saved_notice: "Papirskemaet er gemt:",
    login_heading: "Log ind",
    unit_login_needed: "Henvendelser registreres med en enheds fælles login, ikke med en personlig bruger. Du er logget ind som person. Log ind herunder med enhedens login (fx 259borgerservice) og adgangskoden fra jeres tovholder; din personlige bruger logges så ud i denne browser.",
    unit_login_needed_back: "Tilbage til din side",
    login_lead: "Registrerer du henvendelser, så brug enhedens fælles login, fx <strong>259sek</strong>, og adgangskoden fra jeres tovholder. Tovholdere, enhedsansvarlige og analytikere logger ind med deres e-mail.",
    login_failed: "Du blev ikke logget ind",
    login_label: "Enhedens login eller din e-mail",
    password_label: "Adgangskode",
    log_in: "Log ind",
    help_link: "Hjælp til registrering",
    help_key: "Hjælp til registrering: hvad er én henvendelse, hvem registrerer, eksempler (ikke i et tekstfelt)",
    help_back: "Tilbage til registreringen",
    help_back_key: "eller tryk",
    help_contents: "Indhold",
    week_caption: "Ugen indtil nu: henvendelser pr. dag",
    day_col: "Dag",
    inquiries_col: "Antal",
    today_marker: "(i dag)",
    weekdays: ["Mandag", "Tirsdag", "Onsdag", "Torsdag", "Fredag", "Lørdag", "Søndag"],
    evaluation_invite: "Tovholderen beder enheden evaluere tælleugerne:",
    evaluation_answered: "Enheden har svaret på",
    evaluation_answer: "Svar på evalueringen",
    evaluation_change: "Ret svaret",
    evaluation_intro: "Svarene ses af kommunens tovholder og den nationale administrator.",
    evaluation_last_answer: "Enheden svarede senest",
    evaluation_required: "skal besvares",
    evaluation_optional: "valgfrit",
    evaluation_submit: "Gem svarene",
    evaluation_saved: "Tak. Svarene er gemt; du kan rette dem, så længe evalueringen er åben.",
    evaluation_not_saved: "Svarene er ikke gemt. Ret disse fejl:",
    evaluation_number_hint: "Et helt tal",
    evaluation_closed: "Evalueringen er lukket. Svarene kan ikke længere ændres.",
    evaluation_at_most: "Højst",
    evaluation_characters: "tegn",
    back_to_registering: "Tilbage til registreringen",
    error_prefix: "Fejl:",
    missing_direction: "Vælg en retning: ind eller ud.",
    missing_channel: "Vælg en kanal.",
    missing_task: "Vælg en opgave.",
    missing_type: "Vælg en henvendelsestype.",
    missing_completion: "Vælg, om henvendelsen blev afsluttet straks.",
    missing_form: "Vælg, om der fulgte en blanket med.",
    missing_caller: "Vælg borgerens kommune.",
    missing_outcome: "Vælg hvad opkaldet endte med.",
    offline_saved: "Gemt i browseren – sendes når forbindelsen er tilbage",
    offline_waiting_one: "1 registrering venter på at blive sendt. Den sendes, når forbindelsen er tilbage.",
    offline_waiting_many: "{n} registreringer venter på at blive sendt. De sendes, når forbindelsen er tilbage.",
    offline_login: "Log ind igen, så sendes de registreringer, der venter i browseren.",
    offline_refused: "Serveren afviste en registrering, der var gemt i browseren. Registrér den igen:",
    offline_discard: "Fjern beskeden",
    offline_unsupported: "Forbindelsen svigtede, og browseren kan ikke gemme registreringen. Prøv igen, når forbindelsen er tilbage.",
};

pub(crate) static EN: Text = Text {
    logged_in_as: "Logged in as ",
    log_out: "Log out",
    test_mode: "Test mode",
    registered: "Registered",
    undo: "Undo",
    not_saved: "The registration was not saved",
    correct_heading: "Correct a registration",
    register_heading: "Register an inquiry",
    step_direction: "1. Direction",
    step_channel: "2. Channel",
    step_task: "3. Task",
    search_label: "Search by name or KLE number",
    step_type: "4. Inquiry type",
    step_completion: "5. Completion",
    step_form: "6. Form ",
    form_hint: "(only where a form can come along)",
    no_task_match: "None of the unit's tasks match the search.",
    answer: "Answer",
    late_entry: "Register for an earlier time today",
    time_label: "Time (hh:mm)",
    cancel: "Cancel",
    keyboard_help: "Keyboard shortcuts",
    key: "Key",
    effect: "Effect",
    help_direction: "Direction: incoming / outgoing (in the search box they are letters: press Shift+Tab first)",
    help_digits: "Choose answer 1–9 of the current step (channel, inquiry type, completion, question)",
    help_search_keys: "Letters and digits in the search box",
    help_form: "Form: yes / no",
    help_enter: "Save when everything is chosen",
    help_escape: "Start over (direction and channel are kept)",
    help_undo: "Undo the registration just saved",
    today: "Today",
    graph_caption: "Today's graph: inquiries per hour",
    hour_col: "Hour",
    total: "Total",
    bar: "Bar",
    today_list: "Today's registrations",
    none_today: "None yet today.",
    correct_link: "Correct",
    paper_sheet: "Paper sheet",
    enter_sheet: "Type in a filled sheet",
    test_mode_text: "is in test mode. Registrations are stored as test: they show here but never count in the municipality's or the nation's figures.",
    undo_within: "Can be undone for",
    minutes: "minutes",
    search_hint_1: "Type to search.",
    search_hint_2: "and",
    search_hint_3: "move,",
    search_hint_4: "chooses. The unit's most used tasks come first.",
    save: "Save",
    save_correction: "Save correction",
    help_search: "Search for a task;",
    help_search_2: "move,",
    help_search_3: "chooses",
    inquiry_one: "inquiry",
    inquiries: "inquiries",
    registered_today: "registered",
    of_which: "of which",
    as_test: "as test",
    test_badge: "Test",
    at_time: "at",
    language_switch: "Dansk",
    language_switch_code: "da",
    lang: "en",
    direction_in: "Incoming",
    direction_out: "Outgoing",
    completion_at_once: "Finished at once",
    completion_put_aside: "Put aside for later handling",
    form_yes: "Yes, a form came with it",
    form_no: "No",
    with_form: "with a form",
    at_once_short: "At once",
    put_aside_short: "Put aside",
    hotline_for: "You are registering calls to",
    step_caller: "Caller's municipality",
    caller_hint: "Type the municipality's first letters; Enter moves on.",
    caller_none: "Choose municipality",
    step_outcome: "Outcome",
    help_caller: "Caller's municipality: type the first letters, Enter moves on",
    undone_notice: "The registration was undone and does not count.",
    corrected_notice: "The registration was corrected.",
    sheet_saved_notice: "The paper sheet was saved:",
    login_heading: "Log in",
    unit_login_needed: "Inquiries are registered with a unit's shared login, not with a personal user. You are logged in as a person. Log in below with the unit's login (e.g. 259borgerservice) and the password from your coordinator; your personal user is then logged out in this browser.",
    unit_login_needed_back: "Back to your page",
    login_lead: "If you register inquiries, use the unit's shared login, e.g. <strong>259sek</strong>, and the password from your coordinator. Coordinators, unit leads and analysts log in with their e-mail.",
    login_failed: "You were not logged in",
    login_label: "The unit's login or your e-mail",
    password_label: "Password",
    log_in: "Log in",
    help_link: "Help with registering",
    help_key: "Help with registering: what is one inquiry, who registers it, examples (not in a text field)",
    help_back: "Back to registering",
    help_back_key: "or press",
    help_contents: "Contents",
    week_caption: "The week so far: inquiries per day",
    day_col: "Day",
    inquiries_col: "Count",
    today_marker: "(today)",
    weekdays: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    evaluation_invite: "Your coordinator asks the unit to evaluate the counting weeks:",
    evaluation_answered: "The unit has answered",
    evaluation_answer: "Answer the evaluation",
    evaluation_change: "Change the answer",
    evaluation_intro: "The answers are read by the municipality's coordinator and the national \
                       administrator. The questions are in Danish.",
    evaluation_last_answer: "The unit last answered",
    evaluation_required: "required",
    evaluation_optional: "optional",
    evaluation_submit: "Save the answers",
    evaluation_saved: "Thank you. The answers are saved; you can change them while the \
                       evaluation is open.",
    evaluation_not_saved: "The answers were not saved. Correct these errors:",
    evaluation_number_hint: "A whole number",
    evaluation_closed: "The evaluation is closed. The answers can no longer be changed.",
    evaluation_at_most: "At most",
    evaluation_characters: "characters",
    back_to_registering: "Back to registering",
    error_prefix: "Error:",
    missing_direction: "Choose a direction: in or out.",
    missing_channel: "Choose a channel.",
    missing_task: "Choose a task.",
    missing_type: "Choose an inquiry type.",
    missing_completion: "Choose whether the inquiry was completed at once.",
    missing_form: "Choose whether a form came along.",
    missing_caller: "Choose the caller's municipality.",
    missing_outcome: "Choose what came of the call.",
    offline_saved: "Kept in the browser – sent when the connection is back",
    offline_waiting_one: "1 registration is waiting to be sent. It is sent when the connection is back.",
    offline_waiting_many: "{n} registrations are waiting to be sent. They are sent when the connection is back.",
    offline_login: "Log in again to send the registrations waiting in the browser.",
    offline_refused: "The server refused a registration kept in the browser. Register it again:",
    offline_discard: "Dismiss",
    offline_unsupported: "The connection failed and the browser cannot keep the registration. Try again when the connection is back.",
};

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    /// The Danish texts of every `t("…")`, `t1("…", …)`, `t2` and `t3`
    /// call in the files under `dir` ending in `ext`, with where each is.
    fn calls_in(dir: &Path, ext: &str, found: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                calls_in(&path, ext, found);
            } else if path.extension().is_some_and(|e| e == ext) {
                let source = std::fs::read_to_string(&path).unwrap();
                for text in texts_of(&source) {
                    found
                        .entry(text)
                        .or_insert_with(|| path.display().to_string());
                }
            }
        }
    }

    /// The string literals that open a call of `t`, `t1`, `t2` or `t3`,
    /// as Rust reads them (escapes and line continuations resolved).
    fn texts_of(source: &str) -> Vec<String> {
        let bytes = source.as_bytes();
        let mut texts = Vec::new();
        for (at, _) in source.match_indices('t') {
            let before = at.checked_sub(1).map(|i| bytes[i]);
            if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.') {
                continue;
            }
            let line_start = source[..at].rfind('\n').map_or(0, |n| n + 1);
            if source[line_start..at].trim_start().starts_with("//") {
                continue;
            }
            let mut i = at + 1;
            if bytes.get(i).is_some_and(|b| matches!(b, b'1'..=b'3')) {
                i += 1;
            }
            if bytes.get(i) != Some(&b'(') {
                continue;
            }
            i += 1;
            while bytes.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
                i += 1;
            }
            if bytes.get(i) != Some(&b'"') {
                continue;
            }
            texts.push(literal(&source[i + 1..]));
        }
        texts
    }

    /// The value of a string literal whose opening quote is just before
    /// `rest`.
    fn literal(rest: &str) -> String {
        let mut out = String::new();
        let mut chars = rest.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('\n') => {
                        while chars.peek().is_some_and(|c| c.is_whitespace()) {
                            chars.next();
                        }
                    }
                    Some(other) => out.push(other),
                    None => break,
                },
                c => out.push(c),
            }
        }
        out
    }

    fn places(text: &str) -> BTreeSet<String> {
        let mut found = BTreeSet::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            rest = &rest[open + 1..];
            if let Some(close) = rest.find('}') {
                if rest[..close].parse::<usize>().is_ok() {
                    found.insert(rest[..close].to_owned());
                }
            }
        }
        found
    }

    /// The Danish of every `da!("…")` and `dl!("…")` in the files under
    /// `dir`, its `format!` places (`{name}`, `{}`, `{:.1}`) numbered as
    /// they come.
    fn messages_in(dir: &Path, found: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                messages_in(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let source = std::fs::read_to_string(&path).unwrap();
                let marks = source
                    .match_indices("da!(")
                    .chain(source.match_indices("dl!("));
                for (at, _) in marks {
                    let line_start = source[..at].rfind('\n').map_or(0, |n| n + 1);
                    let line = source[line_start..at].trim_start();
                    if line.starts_with("//") || line.starts_with("macro_rules") {
                        continue;
                    }
                    let rest = source[at + 4..].trim_start();
                    let Some(rest) = rest.strip_prefix('"') else {
                        continue;
                    };
                    found
                        .entry(numbered(&literal(rest)))
                        .or_insert_with(|| path.display().to_string());
                }
            }
        }
    }

    /// A `format!` string with its places numbered `{0}`, `{1}`, … in
    /// order, and `{{`, `}}` as the braces they print.
    fn numbered(format: &str) -> String {
        let mut out = String::new();
        let mut n = 0;
        let mut chars = format.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    out.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    out.push('}');
                }
                '{' => {
                    for c in chars.by_ref() {
                        if c == '}' {
                            break;
                        }
                    }
                    out.push_str(&format!("{{{n}}}"));
                    n += 1;
                }
                c => out.push(c),
            }
        }
        out
    }

    #[test]
    fn format_places_are_numbered_as_they_come() {
        assert_eq!(
            numbered("datoen «{raw}» findes ikke: {} har {days:>2} dage {{x}}"),
            "datoen «{0}» findes ikke: {1} har {2} dage {x}"
        );
    }

    #[test]
    fn every_text_has_english_with_the_same_places_and_none_is_left_over() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut used = BTreeMap::new();
        calls_in(&root.join("templates"), "html", &mut used);
        calls_in(&root.join("src"), "rs", &mut used);
        assert!(used.len() > 50, "the scan finds the calls: {}", used.len());
        let mut messages = BTreeMap::new();
        for krate in ["domain", "ingest", "core"] {
            messages_in(&root.join("..").join(krate).join("src"), &mut messages);
        }

        // Each file on its own, so a text given two translations is caught.
        let mut english: BTreeMap<String, (String, String)> = BTreeMap::new();
        let mut files: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut twice = Vec::new();
        for name in English::iter() {
            let file = English::get(&name).unwrap();
            let part: BTreeMap<String, String> = serde_json::from_slice(&file.data)
                .unwrap_or_else(|e| panic!("i18n/en/{name}: {e}"));
            for (da, en) in part {
                if let Some((other, at)) = english.get(&da) {
                    if *other != en {
                        twice.push(format!("«{da}»: {at} and {name} differ"));
                    }
                }
                files
                    .entry(da.clone())
                    .or_default()
                    .insert(name.to_string());
                english.insert(da, (en, name.to_string()));
            }
        }
        assert!(
            twice.is_empty(),
            "texts translated twice, differently: {twice:#?}"
        );

        let missing: Vec<String> = used
            .iter()
            .filter(|(da, _)| english.get(*da).is_none_or(|(en, _)| en.trim().is_empty()))
            .map(|(da, at)| format!("{}: \"\" ({at})", serde_json::to_string(da).unwrap()))
            .collect();
        assert!(
            missing.is_empty(),
            "{} texts have no English in crates/web/i18n/en/:\n{}",
            missing.len(),
            missing.join("\n")
        );
        let missing: Vec<String> = messages
            .iter()
            .filter(|(da, _)| {
                english.get(*da).is_none_or(|(en, _)| en.trim().is_empty())
                    || !files[*da].iter().any(|f| is_message_file(f))
            })
            .map(|(da, at)| format!("{}: \"\" ({at})", serde_json::to_string(da).unwrap()))
            .collect();
        assert!(
            missing.is_empty(),
            "{} messages have no English in crates/web/i18n/en/messages*.json:\n{}",
            missing.len(),
            missing.join("\n")
        );
        let only_places: Vec<&String> = messages
            .keys()
            .filter(|da| Pattern::of(da, "").is_some_and(|p| p.weight() == 0))
            .collect();
        assert!(
            only_places.is_empty(),
            "messages of places alone: {only_places:#?}"
        );
        let unused: Vec<String> = files
            .iter()
            .flat_map(|(da, names)| names.iter().map(move |name| (da, name)))
            .filter(|(da, name)| {
                if is_message_file(name) {
                    !messages.contains_key(*da)
                } else {
                    !used.contains_key(*da)
                }
            })
            .map(|(da, name)| format!("{name}: {da}"))
            .collect();
        assert!(
            unused.is_empty(),
            "texts no call uses any more: {unused:#?}"
        );
        let mismatched: Vec<&String> = english
            .iter()
            .filter(|(da, (en, _))| places(da) != places(en))
            .map(|(da, _)| da)
            .collect();
        assert!(
            mismatched.is_empty(),
            "English with other places: {mismatched:#?}"
        );
    }

    #[tokio::test]
    async fn a_message_is_translated_by_its_pattern_and_its_values_kept() {
        let pattern = Pattern::of("Række {0}: {1}", "Row {0}: {1}").unwrap();
        assert_eq!(pattern.values("Række 4: a: b"), Some(vec!["4", "a: b"]));
        assert_eq!(pattern.values("Række : b"), None, "a place is never empty");
        assert_eq!(pattern.values("Rækker 4: b"), None);
        let inner = Pattern::of("«{0}» findes ikke ({1} dage)", "").unwrap();
        assert_eq!(
            inner.values("«a» findes ikke» findes ikke (3 dage)"),
            Some(vec!["a» findes ikke", "3"])
        );
        assert_eq!(message("hvad som helst"), "hvad som helst", "Danish as is");
        scoped(Lang::En, async {
            let two = "Vælg en kanal.\nSkriv en titel på spørgeskemaet.";
            let lines = message(two);
            assert_eq!(lines.lines().count(), 2, "{lines}");
            assert!(
                !lines.contains("Vælg") && !lines.contains("Skriv"),
                "{lines}"
            );
            let list = message("Vælg en kanal.; Skriv en titel på spørgeskemaet.");
            assert!(!list.contains("Vælg") && list.contains("; "), "{list}");
        })
        .await;
        let quoted = Pattern::of("kanalkoden «{0}» findes ikke: {1}", "").unwrap();
        assert!(quoted.quotes(0), "a quotation is kept as written");
        assert!(!quoted.quotes(1), "a message in a place is translated");
    }

    #[tokio::test]
    async fn a_request_in_english_reads_the_catalogue_and_fills_its_places() {
        assert_eq!(t("Forside"), "Forside", "Danish outside a request");
        scoped(Lang::En, async {
            assert_eq!(t("Forside"), "Home");
            assert_eq!(t1("{0} Kommune", "Køge"), "Køge Municipality");
            assert_eq!(current(), Lang::En);
            assert_eq!(t("Til|tilstand"), "On");
            assert_eq!(t("Til"), "To");
        })
        .await;
        assert_eq!(t("Til|tilstand"), "Til", "the context is never shown");
        scoped(Lang::Da, async {
            assert_eq!(t1("{0} Kommune", "Køge"), "Køge Kommune");
        })
        .await;
    }

    #[test]
    fn places_are_filled_once_and_a_brace_that_is_no_place_stays() {
        assert_eq!(fill("{1} af {0}", &[&"a", &"{1}"]), "{1} af a");
        assert_eq!(fill("{x} {0} {", &[&7]), "{x} 7 {");
        assert_eq!(fill("{5}", &[&7]), "{5}");
    }
}
