//! Batches: every load of many rows at once (a file, an API batch, a central
//! delivery, paper sheets, total counts, the demo) is one batch, visible in
//! every figure from the moment it is committed and gone from the moment it
//! is deleted.

use crate::TotalMeasure;
use chrono::{DateTime, Utc};
use komhen_domain::{BatchId, MunicipalityCode};

/// What a batch holds and where it came from. Stored as its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchKind {
    /// A codebook file (CSV or XLSX).
    Codebook,
    /// An extract of Det Digitale Landkort.
    Landkort,
    /// Rows posted to the JSON API by a system.
    Api,
    /// Paper sheets typed in.
    Paper,
    /// The demo's generated registrations.
    Demo,
    /// A Matomo pages report: WEB inquiries per task and day.
    MatomoPages,
    /// A Matomo visits summary: the website's visits as total counts.
    MatomoVisits,
    /// A central delivery of self-service statistics.
    CentralSelfService,
    /// A central delivery of Digital Post statistics.
    CentralDigitalPost,
    /// Total counts typed into the form.
    TotalsForm,
    /// Total counts from a `Kanal;Fra;Til;Antal` file.
    TotalsCsv,
    /// Answered calls counted from a phone system's call log.
    TotalsCdr,
    /// A central delivery of one national measure per municipality.
    TotalsNational(TotalMeasure),
}

impl BatchKind {
    /// Every kind, for parsing.
    pub const ALL: [Self; 16] = [
        Self::Codebook,
        Self::Landkort,
        Self::Api,
        Self::Paper,
        Self::Demo,
        Self::MatomoPages,
        Self::MatomoVisits,
        Self::CentralSelfService,
        Self::CentralDigitalPost,
        Self::TotalsForm,
        Self::TotalsCsv,
        Self::TotalsCdr,
        Self::TotalsNational(TotalMeasure::Inquiries),
        Self::TotalsNational(TotalMeasure::WebsiteSessions),
        Self::TotalsNational(TotalMeasure::BorgerdkLogins),
        Self::TotalsNational(TotalMeasure::NemidIssued),
    ];

    /// The code stored in `import_batches.kind`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Codebook => "codebook",
            Self::Landkort => "landkort",
            Self::Api => "api",
            Self::Paper => "paper",
            Self::Demo => "demo",
            Self::MatomoPages => "matomo_pages",
            Self::MatomoVisits => "matomo_visits",
            Self::CentralSelfService => "central_slvbtjn",
            Self::CentralDigitalPost => "central_dokud",
            Self::TotalsForm => "totals_form",
            Self::TotalsCsv => "totals_csv",
            Self::TotalsCdr => "totals_cdr",
            Self::TotalsNational(TotalMeasure::Inquiries) => "totals_inquiries",
            Self::TotalsNational(TotalMeasure::WebsiteSessions) => "totals_website_sessions",
            Self::TotalsNational(TotalMeasure::BorgerdkLogins) => "totals_borgerdk_logins",
            Self::TotalsNational(TotalMeasure::NemidIssued) => "totals_nemid_issued",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == value)
    }

    /// Whether the batch belongs to the totals pages (typed, a CSV file, a
    /// call log, a national delivery), which list and delete only these:
    /// never a batch of registrations, nor a website's visits.
    pub fn on_totals_pages(self) -> bool {
        matches!(
            self,
            Self::TotalsForm | Self::TotalsCsv | Self::TotalsCdr | Self::TotalsNational(_)
        )
    }

    /// What the batch came from, in Danish, as the batch lists show it.
    pub fn label_da(self) -> &'static str {
        match self {
            Self::Codebook => "Kodebogsfil",
            Self::Landkort => "Det Digitale Landkort",
            Self::Api => "API",
            Self::Paper => "Papirskema",
            Self::Demo => "Demodata",
            Self::MatomoPages => "Matomo: sider",
            Self::MatomoVisits => "Matomo: besøg",
            Self::CentralSelfService => "Central selvbetjening",
            Self::CentralDigitalPost => "Central Digital Post",
            Self::TotalsForm => "Indtastet",
            Self::TotalsCsv => "CSV-fil",
            Self::TotalsCdr => "Telefonsystem (Asterisk)",
            Self::TotalsNational(TotalMeasure::BorgerdkLogins) => "Logins på borger.dk",
            Self::TotalsNational(TotalMeasure::NemidIssued) => "Udstedte NemID",
            Self::TotalsNational(_) => "Totaltal",
        }
    }
}

impl std::fmt::Display for BatchKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl PartialEq<&str> for BatchKind {
    fn eq(&self, other: &&str) -> bool {
        self.code() == *other
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBatch {
    /// None for a central load spanning municipalities.
    pub municipality: Option<MunicipalityCode>,
    /// What was loaded.
    pub kind: BatchKind,
    pub file_name: String,
    pub sha256: String,
    /// What the rows say, whatever the file's bytes: the same rows read
    /// from a re-saved or re-encoded file have the same fingerprint. None
    /// where the load has no such rows (totals, an API batch).
    pub fingerprint: Option<String>,
    /// Who loaded it (user e-mail, `cli`, `demo`).
    pub created_by: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchStatus {
    Loading,
    /// Stored in full but held back: some of its rows are dated in a
    /// published period, so it counts nowhere until the national
    /// administrator approves it as a correction (stored as a loading batch
    /// with `held_at` set).
    Held,
    Committed,
    Replaced,
    Deleted,
    Failed,
}

impl BatchStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Loading => "loading",
            Self::Held => "held",
            Self::Committed => "committed",
            Self::Replaced => "replaced",
            Self::Deleted => "deleted",
            Self::Failed => "failed",
        }
    }

    /// The status in Danish, as the batch lists show it.
    pub fn label_da(self) -> &'static str {
        match self {
            Self::Loading => "Indlæses",
            Self::Held => "Afventer godkendelse",
            Self::Committed => "Indlæst",
            Self::Replaced => "Erstattet",
            Self::Deleted => "Slettet",
            Self::Failed => "Fejlet",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [
            Self::Loading,
            Self::Held,
            Self::Committed,
            Self::Replaced,
            Self::Deleted,
            Self::Failed,
        ]
        .into_iter()
        .find(|s| s.code() == value)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRow {
    pub id: BatchId,
    pub municipality: Option<MunicipalityCode>,
    pub kind: BatchKind,
    pub file_name: String,
    pub sha256: String,
    /// See [`NewBatch::fingerprint`].
    pub fingerprint: Option<String>,
    pub row_count: i64,
    pub rejected_count: i64,
    pub status: BatchStatus,
    pub errors: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// For a held batch: the committed batch it replaces once approved.
    pub replaces: Option<BatchId>,
}
