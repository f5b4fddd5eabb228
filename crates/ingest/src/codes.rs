//! Cells holding the national codes: task, channel, inquiry type,
//! completion, form.
//!
//! Owns how a file's cell becomes a domain code and the Danish message
//! when it does not, shared by every reader of registrations (codebook,
//! Landkort). Must not check a code against the catalogue (core does).

use crate::cell::{is_null, shown};
use crate::ProblemKind;
use komhen_domain::{da, dl, ChannelCode, Completion, InquiryType, KleNumber, MunicipalityCode};

/// What is wrong with a cell.
pub(crate) type CellProblem = (ProblemKind, String);

fn codes<T: Copy>(all: &[T], code: impl Fn(T) -> &'static str) -> String {
    all.iter().map(|t| code(*t)).collect::<Vec<_>>().join(", ")
}

fn find_code<T: Copy>(all: &[T], code: impl Fn(T) -> &'static str, bytes: &[u8]) -> Option<T> {
    // Files nearly always write the codes in capitals: try that first.
    all.iter()
        .copied()
        .find(|t| code(*t).as_bytes() == bytes)
        .or_else(|| {
            all.iter()
                .copied()
                .find(|t| code(*t).as_bytes().eq_ignore_ascii_case(bytes))
        })
}

pub(crate) fn municipality(bytes: &[u8]) -> Result<MunicipalityCode, CellProblem> {
    if bytes.is_empty() {
        return Err((
            ProblemKind::Empty,
            dl!("kommunekoden mangler. Forventede et tal fra 101 til 999, fx 259").into(),
        ));
    }
    crate::cell::parse_digits(bytes)
        .filter(|_| bytes.len() <= 4)
        .and_then(|n| u16::try_from(n).ok())
        .and_then(|n| MunicipalityCode::new(n).ok())
        .ok_or_else(|| {
            (
                ProblemKind::Invalid,
                da!(
                    "ugyldig kommunekode «{}». Forventede et tal fra 101 til 999, fx 259",
                    shown(bytes)
                ),
            )
        })
}

pub(crate) fn task(bytes: &[u8]) -> Result<KleNumber, CellProblem> {
    if bytes.is_empty() {
        return Err((
            ProblemKind::Empty,
            dl!(
                "opgaven mangler. Forventede et KLE-nummer som 27.24.00, en gruppe som 15.20 \
             eller en KOMHEN-kode som 29.03.99"
            )
            .into(),
        ));
    }
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|text| KleNumber::parse(text).ok())
        .ok_or_else(|| {
            (
                ProblemKind::Invalid,
                da!(
                    "ugyldig opgavekode «{}». Forventede et KLE-nummer som 27.24.00 (emne), \
                     15.20 (gruppe) eller en KOMHEN-kode som 29.03.99",
                    shown(bytes)
                ),
            )
        })
}

pub(crate) fn channel(bytes: &[u8]) -> Result<ChannelCode, CellProblem> {
    if bytes.is_empty() {
        return Err((
            ProblemKind::Empty,
            dl!("kanalen mangler. Forventede en kanalkode, fx TLFIND, PRSNLG, EMLIND").into(),
        ));
    }
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|text| ChannelCode::parse(text).ok())
        .ok_or_else(|| {
            (
                ProblemKind::Invalid,
                da!(
                    "ugyldig kanalkode «{}». Forventede 2–12 bogstaver, fx TLFIND, PRSNLG, EMLIND",
                    shown(bytes)
                ),
            )
        })
}

/// A unit login; empty or `NULL` is none.
pub(crate) fn unit(bytes: &[u8]) -> Result<Option<String>, CellProblem> {
    if is_null(bytes) {
        return Ok(None);
    }
    std::str::from_utf8(bytes)
        .map(|text| Some(text.to_owned()))
        .map_err(|_| {
            (
                ProblemKind::Invalid,
                da!("enheden «{}» har tegn, der ikke kan læses", shown(bytes)),
            )
        })
}

pub(crate) fn inquiry_type(bytes: &[u8]) -> Result<Option<InquiryType>, CellProblem> {
    if is_null(bytes) {
        return Ok(None);
    }
    find_code(&InquiryType::ALL, InquiryType::code, bytes)
        .map(Some)
        .ok_or_else(|| {
            (
                ProblemKind::Invalid,
                da!(
                    "ukendt henvendelsestype «{}». Forventede {} eller tom/NULL",
                    shown(bytes),
                    codes(&InquiryType::ALL, InquiryType::code)
                ),
            )
        })
}

pub(crate) fn completion(bytes: &[u8]) -> Result<Option<Completion>, CellProblem> {
    if is_null(bytes) {
        return Ok(None);
    }
    find_code(&Completion::ALL, Completion::code, bytes)
        .map(Some)
        .ok_or_else(|| {
            (
                ProblemKind::Invalid,
                da!(
                    "ukendt afslutning «{}». Forventede {} eller tom/NULL",
                    shown(bytes),
                    codes(&Completion::ALL, Completion::code)
                ),
            )
        })
}

pub(crate) fn form(bytes: &[u8]) -> Result<Option<bool>, CellProblem> {
    if is_null(bytes) {
        Ok(None)
    } else if bytes.eq_ignore_ascii_case(b"JA") {
        Ok(Some(true))
    } else if bytes.eq_ignore_ascii_case(b"NEJ") {
        Ok(Some(false))
    } else {
        Err((
            ProblemKind::Invalid,
            da!(
                "ugyldig blanket «{}». Forventede JA, NEJ eller tom/NULL",
                shown(bytes)
            ),
        ))
    }
}
