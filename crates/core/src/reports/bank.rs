//! The report bank: standard reports every municipality gets, each a
//! report of the engine named by its link query (so each one opens in the
//! pivot, downloads, and answers through the API exactly as shown).

use crate::reports::ReportQuery;
use crate::{CoreError, CoreResult};
use komhen_domain::dl;

/// How a standard report is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// Horizontal bars of inquiries (with the comparison beside them).
    Bars,
    /// Bars of 100 %: the second dimension's shares within the first.
    Stacked,
    /// A line over time.
    Line,
}

/// A standard report.
#[derive(Debug, Clone, Copy)]
pub struct StandardReport {
    /// Its address: `/kommune/{kode}/tal/rapporter/{slug}`.
    pub slug: &'static str,
    pub title: &'static str,
    /// What it shows and what to look for, for the reader.
    pub description: &'static str,
    /// The report as a link's query, without dates.
    pub query: &'static str,
    pub chart: ChartKind,
}

impl StandardReport {
    /// The report's query (its dates and comparison come from the page).
    pub fn report_query(&self) -> CoreResult<ReportQuery> {
        let pairs: Vec<(String, String)> = self
            .query
            .split('&')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        ReportQuery::parse(&pairs)
    }
}

/// The standard reports, in the order the bank lists them.
pub const STANDARD_REPORTS: [StandardReport; 14] = [
    StandardReport {
        slug: "kanalmiks",
        title: dl!("Kanalmiks"),
        description: dl!("Hvor stor en del af de indgående og de udgående henvendelser hver kanal står for, og hvordan andelene har flyttet sig siden sidst."),
        query: "grupper=retning,kanal&andel=gruppe",
        chart: ChartKind::Stacked,
    },
    StandardReport {
        slug: "henvendelsestyper",
        title: dl!("Henvendelsestyper"),
        description: dl!("Hvad borgerne henvender sig om: nye sager, sagsoplysninger, status, vejledning, hjælp til selvbetjening og fejlhenvendelser — for hver retning."),
        query: "grupper=retning,type&andel=gruppe",
        chart: ChartKind::Stacked,
    },
    StandardReport {
        slug: "hotspots",
        title: dl!("Enheder med flest henvendelser"),
        description: dl!("De enheder, der tager imod flest indgående henvendelser (hot spots), med ændringen siden sidst."),
        query: "grupper=enhed&retning=in&sortering=antal",
        chart: ChartKind::Bars,
    },
    StandardReport {
        slug: "personligt-fremmoede",
        title: dl!("Opgaver med flest personlige fremmøder"),
        description: dl!("De opgaver, borgerne oftest møder op personligt for: de første kandidater til selvbetjening, tidsbestilling eller bedre vejledning på nettet."),
        query: "grupper=opgave&medie=personal&retning=in&sortering=antal",
        chart: ChartKind::Bars,
    },
    StandardReport {
        slug: "digitaliseringspotentiale",
        title: dl!("Vejledning og sagsstatus uden for de digitale kanaler"),
        description: dl!("Vejledning, sagsoplysninger og statusforespørgsler, der kom ad telefon, fremmøde, brev eller e-mail: det, der kunne flyttes til hjemmesiden eller til en visning af sagens status."),
        query: "grupper=opgave,type&retning=in&digital=nej&type=VEJL&type=STATUS&type=INFO&sortering=antal",
        chart: ChartKind::Bars,
    },
    StandardReport {
        slug: "papirbreve",
        title: dl!("Papirbreve efter enhed"),
        description: dl!("Breve på papir, ind og ud, for hver enhed: hvor Digital Post kan overtage."),
        query: "grupper=enhed,retning&medie=letter&sortering=antal",
        chart: ChartKind::Bars,
    },
    StandardReport {
        slug: "udgaaende",
        title: dl!("Udgående henvendelser efter kanal"),
        description: dl!("Hvordan kommunen selv kontakter borgere og virksomheder: Digital Post, brev, e-mail, telefon og SMS."),
        query: "grupper=kanal&retning=out",
        chart: ChartKind::Bars,
    },
    StandardReport {
        slug: "registreringstid",
        title: dl!("Registreringstid efter opgave"),
        description: dl!("Hvor lang tid det tog at registrere henvendelserne i registreringsværktøjet (median og gennemsnit), for hver opgave: en lang tid kan betyde et uklart valg."),
        query: "grupper=opgave&kilde=tool&median=ja&sortering=antal",
        chart: ChartKind::Bars,
    },
    StandardReport {
        slug: "fejlhenvendelser",
        title: dl!("Fejlhenvendelser efter enhed"),
        description: dl!("Henvendelser, der kom det forkerte sted hen, for hver enhed: tegn på, at borgerne ikke kan finde vej."),
        query: "grupper=enhed&type=FEJL&sortering=antal",
        chart: ChartKind::Bars,
    },
    StandardReport {
        slug: "over-dagen",
        title: dl!("Henvendelser over dagen"),
        description: dl!("Indgående henvendelser time for time efter medie: hvornår telefonen og skranken har travlt."),
        query: "grupper=time,medie&retning=in",
        chart: ChartKind::Line,
    },
    StandardReport {
        slug: "afslutning",
        title: dl!("Afsluttet straks eller lagt til side"),
        description: dl!("For hver kanal: hvor mange henvendelser der blev afsluttet med det samme, og hvor mange der blev lagt til side til senere behandling."),
        query: "grupper=kanal,afslutning&retning=in&andel=gruppe",
        chart: ChartKind::Stacked,
    },
    StandardReport {
        slug: "kunne-selv",
        title: dl!("Kunne borgeren selv have løst henvendelsen? – efter opgave"),
        description: dl!("For hver opgave: hvor mange af de spurgte der efter medarbejderens vurdering kunne have løst det på hjemmesiden eller borger.dk. Andelene er af dem, der blev spurgt; under tabellen står, hvor mange det var."),
        query: "grupper=opgave,svar.could_self_serve&retning=in&andel=gruppe&sortering=antal",
        chart: ChartKind::Stacked,
    },
    StandardReport {
        slug: "kunne-selv-kanal",
        title: dl!("Kunne borgeren selv have løst henvendelsen? – efter kanal"),
        description: dl!("For hver kanal: hvor mange af de spurgte der kunne have løst det selv på hjemmesiden eller borger.dk — den realistiske del af det, der kan flyttes til selvbetjening."),
        query: "grupper=kanal,svar.could_self_serve&retning=in&andel=gruppe",
        chart: ChartKind::Stacked,
    },
    StandardReport {
        slug: "proevede-hjemmesiden",
        title: dl!("Prøvede borgeren hjemmesiden først?"),
        description: dl!("For hver kanal: hvor mange af de spurgte der havde prøvet hjemmesiden, før de ringede, skrev eller mødte op. Mange ja betyder, at hjemmesiden ikke gav svaret."),
        query: "grupper=kanal,svar.tried_website&retning=in&andel=gruppe",
        chart: ChartKind::Stacked,
    },
];

/// A standard report by its slug.
pub fn find(slug: &str) -> CoreResult<&'static StandardReport> {
    STANDARD_REPORTS
        .iter()
        .find(|r| r.slug == slug)
        .ok_or_else(|| CoreError::NotFound(format!("rapporten «{slug}»")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_standard_report_is_a_valid_query_with_a_unique_slug() {
        for (i, r) in STANDARD_REPORTS.iter().enumerate() {
            let q = r.report_query().unwrap();
            assert!(!q.group_by.is_empty(), "{} groups", r.slug);
            assert!(STANDARD_REPORTS[..i].iter().all(|o| o.slug != r.slug));
            assert_eq!(find(r.slug).unwrap().title, r.title);
        }
        assert!(find("findes-ikke").is_err());
    }
}
