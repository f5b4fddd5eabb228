//! What every personal user's page shares (`user_base.html`): the title,
//! the signed-in user with the log-out form, breadcrumbs, the side menu of
//! a municipality's set-up or of the national administration (each item
//! shown only when the guard would let the user in), and the page's
//! notice or error.

use crate::access::Authorized;
use komhen_core::accounts::access::{allows, Access};
use serde::Deserialize;

pub(crate) struct NavItem {
    pub(crate) href: String,
    pub(crate) label: &'static str,
    pub(crate) current: bool,
}

pub(crate) struct Crumb {
    pub(crate) href: String,
    pub(crate) label: String,
}

pub(crate) struct Frame {
    pub(crate) title: String,
    pub(crate) user_name: String,
    pub(crate) csrf: String,
    pub(crate) nav: Vec<NavItem>,
    pub(crate) nav_label: &'static str,
    pub(crate) crumbs: Vec<Crumb>,
    pub(crate) notice: Option<String>,
    pub(crate) error: Option<String>,
}

/// The `?besked=` of a page after a change: a fixed code, so a link can
/// never make a page say anything else.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct NoticeQuery {
    besked: Option<String>,
}

impl NoticeQuery {
    /// The notice of a page that reads its own query.
    pub(crate) fn of(code: Option<String>) -> Self {
        Self { besked: code }
    }

    pub(crate) fn text(&self) -> Option<String> {
        let text = match self.besked.as_deref()? {
            "oprettet" => "Oprettet.",
            "gemt" => "Ændringerne er gemt.",
            "kopieret" => "Opsætningen er kopieret.",
            "slettet" => "Testregistreringerne er slettet.",
            "inviteret" => "Personen er inviteret. Giv dem linket herunder.",
            "fjernet" => "Rollen er fjernet.",
            "adgangskode" => "Din adgangskode er skiftet.",
            "importeret" => "KLE-filen er indlæst.",
            "offentliggjort" => "Perioden er offentliggjort.",
            "trukket" => "Offentliggørelsen er trukket tilbage.",
            "importeret_fil" => "Filen er indlæst.",
            "holdt" => {
                "Filen er gemt, men tæller ikke med endnu: rækker i en offentliggjort periode \
                 venter på, at den nationale administrator godkender dem som rettelse."
            }
            "rettelse-godkendt" => {
                "Rettelsen er godkendt, og periodens tal er offentliggjort igen."
            }
            "rettelse-afvist" => "Rettelsen er afvist og slettet; ingen tal er ændret.",
            "slettet_fil" => "Indlæsningen er slettet; dens henvendelser tælles ikke mere.",
            "fjernet-side" => "Adressen er fjernet.",
            "indlaest" => "Filen er indlæst. Den står under «Indlæste filer».",
            "fil-slettet" => "Indlæsningen er slettet; dens tal er ude af alle opgørelser.",
            "tilbagekaldt" => "Nøglen er tilbagekaldt: systemet kan ikke længere sende med den.",
            "totaltal-gemt" => "Totaltallene er gemt.",
            "totaltal-slettet" => "Totaltallene er slettet.",
            "regel-slettet" => "Reglen er slettet.",
            "pris-gemt" => "Prisen er gemt.",
            "pris-fjernet" => "Prisen er fjernet.",
            "scenarie-gemt" => "Scenariet er gemt. Linket herunder åbner det igen.",
            "scenarie-fjernet" => "Scenariet er fjernet.",
            "maal-gemt" => "Målet er gemt.",
            "maal-fjernet" => "Målet er fjernet.",
            "initiativ-gemt" => "Initiativet er gemt.",
            "initiativ-fjernet" => "Initiativet er fjernet.",
            "besvaret" => "Tak. Spørgeskemaets svar er gemt.",
            "evaluering-sendt" => {
                "Evalueringen er sendt til kommunens enheder. De ser den i registreringsværktøjet."
            }
            _ => return None,
        };
        Some(text.to_owned())
    }
}

/// The path of a page with a notice code.
pub(crate) fn with_notice(path: &str, code: &str) -> String {
    let joint = if path.contains('?') { '&' } else { '?' };
    format!("{path}{joint}besked={code}")
}

impl Frame {
    /// A page of the user's own (no side menu).
    pub(crate) fn user(auth: &Authorized, title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            user_name: auth.user.user.name.clone(),
            csrf: auth.csrf().to_owned(),
            nav: Vec::new(),
            nav_label: "",
            crumbs: Vec::new(),
            notice: None,
            error: None,
        }
    }

    /// A page of a municipality's set-up, with its side menu.
    pub(crate) fn municipality(auth: &Authorized, title: impl Into<String>, current: &str) -> Self {
        let mut frame = Self::user(auth, title);
        if let Some(m) = &auth.municipality {
            let base = format!("/kommune/{}", m.code);
            let items: &[(&str, &'static str, Access)] = &[
                ("", "Overblik", Access::ReadMunicipality),
                ("/tal", "Tal og rapporter", Access::ReadMunicipality),
                ("/enheder", "Enheder og logins", Access::ReadMunicipality),
                ("/opgaver", "Opgaver og spørgsmål", Access::ReadMunicipality),
                ("/testtilstand", "Testtilstand", Access::ReadMunicipality),
                ("/perioder", "Tælleperioder", Access::ReadMunicipality),
                ("/tjekliste", "Tjekliste", Access::ReadMunicipality),
                ("/indlaes", "Indlæs data", Access::ReadMunicipality),
                ("/totaltal", "Totaltal", Access::ReadMunicipality),
                ("/hjemmeside", "Hjemmeside", Access::ReadMunicipality),
                (
                    "/sammenligning",
                    "Sammenligningsgruppe",
                    Access::ReadMunicipality,
                ),
                ("/priser", "Kanalpriser", Access::ReadMunicipality),
                ("/besparelser", "Besparelser", Access::ReadMunicipality),
                ("/strategi", "Kanalstrategi", Access::ReadMunicipality),
                ("/systemer", "Systemer og API", Access::SetUpMunicipality),
                ("/brugere", "Brugere", Access::SetUpMunicipality),
                ("/log", "Ændringslog", Access::SetUpMunicipality),
                ("/udbakke", "Udbakke", Access::SetUpMunicipality),
            ];
            frame.nav = items
                .iter()
                .filter(|(_, _, access)| allows(Some(&auth.user), *access, Some(m.code), None))
                .map(|&(path, label, _)| NavItem {
                    href: format!("{base}{path}"),
                    label,
                    current: path == current,
                })
                .collect();
            if let Some(line) = auth.user.hotline_ids().first() {
                frame.nav.push(NavItem {
                    href: format!("/hotline/{line}"),
                    label: "Hotline",
                    current: false,
                });
            }
            frame.nav_label = "Kommunens opsætning";
            frame.crumbs = vec![
                Crumb {
                    href: "/mit".into(),
                    label: "Mit komhen".into(),
                },
                Crumb {
                    href: base,
                    label: format!("{} Kommune", m.name),
                },
            ];
            if current.is_empty() {
                frame.crumbs.pop();
            }
        }
        frame
    }

    /// A page of the national administration, with its side menu.
    pub(crate) fn admin(auth: &Authorized, title: impl Into<String>, current: &str) -> Self {
        let mut frame = Self::user(auth, title);
        let items: &[(&str, &'static str)] = &[
            ("", "Overblik"),
            ("/opgaver", "Opgavekatalog"),
            ("/perioder", "Tælleperioder"),
            ("/indberetninger", "Indberetninger"),
            ("/spoergeskemaer", "Spørgeskemaer"),
            ("/rettelser", "Rettelser"),
            ("/kodelister", "Kodelister"),
            ("/priser", "Kanalpriser"),
            ("/brugere", "Brugere"),
            ("/log", "Ændringslog"),
            ("/central", "Centrale data"),
            ("/totaltal", "Nationale totaltal"),
            ("/hotlines", "Hotlines"),
            ("/udbakke", "Udbakke"),
        ];
        frame.nav = items
            .iter()
            .map(|&(path, label)| NavItem {
                href: format!("/admin{path}"),
                label,
                current: path == current,
            })
            .collect();
        frame.nav_label = "National administration";
        frame.crumbs = vec![Crumb {
            href: "/mit".into(),
            label: "Mit komhen".into(),
        }];
        if !current.is_empty() {
            frame.crumbs.push(Crumb {
                href: "/admin".into(),
                label: "National administration".into(),
            });
        }
        frame
    }

    pub(crate) fn notice(mut self, notice: Option<String>) -> Self {
        self.notice = notice;
        self
    }

    pub(crate) fn error(mut self, error: Option<String>) -> Self {
        self.error = error;
        self
    }

    pub(crate) fn crumb(mut self, href: impl Into<String>, label: impl Into<String>) -> Self {
        self.crumbs.push(Crumb {
            href: href.into(),
            label: label.into(),
        });
        self
    }
}
