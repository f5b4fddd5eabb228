//! What every personal user's page shares (`user_base.html`): the title,
//! the signed-in user with the log-out form, breadcrumbs, the side menu of
//! a municipality's set-up or of the national administration (each item
//! shown only when the guard would let the user in), and the page's
//! notice or error.

use crate::access::Authorized;
use crate::t;
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
            "oprettet" => t("Oprettet."),
            "gemt" => t("Ændringerne er gemt."),
            "kopieret" => t("Opsætningen er kopieret."),
            "slettet" => t("Testregistreringerne er slettet."),
            "inviteret" => t("Personen er inviteret. Giv dem linket herunder."),
            "fjernet" => t("Rollen er fjernet."),
            "adgangskode" => t("Din adgangskode er skiftet."),
            "importeret" => t("KLE-filen er indlæst."),
            "offentliggjort" => t("Perioden er offentliggjort."),
            "trukket" => t("Offentliggørelsen er trukket tilbage."),
            "importeret_fil" => t("Filen er indlæst."),
            "holdt" => t(
                "Filen er gemt, men tæller ikke med endnu: rækker i en offentliggjort periode \
                 venter på, at den nationale administrator godkender dem som rettelse.",
            ),
            "rettelse-godkendt" => {
                t("Rettelsen er godkendt, og periodens tal er offentliggjort igen.")
            }
            "rettelse-afvist" => t("Rettelsen er afvist og slettet; ingen tal er ændret."),
            "slettet_fil" => t("Indlæsningen er slettet; dens henvendelser tælles ikke mere."),
            "fjernet-side" => t("Adressen er fjernet."),
            "indlaest" => t("Filen er indlæst. Den står under «Indlæste filer»."),
            "fil-slettet" => t("Indlæsningen er slettet; dens tal er ude af alle opgørelser."),
            "tilbagekaldt" => t("Nøglen er tilbagekaldt: systemet kan ikke længere sende med den."),
            "totaltal-gemt" => t("Totaltallene er gemt."),
            "totaltal-slettet" => t("Totaltallene er slettet."),
            "regel-slettet" => t("Reglen er slettet."),
            "pris-gemt" => t("Prisen er gemt."),
            "pris-fjernet" => t("Prisen er fjernet."),
            "scenarie-gemt" => t("Scenariet er gemt. Linket herunder åbner det igen."),
            "scenarie-fjernet" => t("Scenariet er fjernet."),
            "maal-gemt" => t("Målet er gemt."),
            "maal-fjernet" => t("Målet er fjernet."),
            "initiativ-gemt" => t("Initiativet er gemt."),
            "initiativ-fjernet" => t("Initiativet er fjernet."),
            "besvaret" => t("Tak. Spørgeskemaets svar er gemt."),
            "evaluering-sendt" => t(
                "Evalueringen er sendt til kommunens enheder. De ser den i registreringsværktøjet.",
            ),
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
                ("", t("Overblik"), Access::ReadMunicipality),
                ("/tal", t("Tal og rapporter"), Access::ReadMunicipality),
                ("/enheder", t("Enheder og logins"), Access::ReadMunicipality),
                (
                    "/opgaver",
                    t("Opgaver og spørgsmål"),
                    Access::ReadMunicipality,
                ),
                ("/testtilstand", t("Testtilstand"), Access::ReadMunicipality),
                ("/perioder", t("Tælleperioder"), Access::ReadMunicipality),
                ("/tjekliste", t("Tjekliste"), Access::ReadMunicipality),
                ("/indlaes", t("Indlæs data"), Access::ReadMunicipality),
                ("/totaltal", t("Totaltal"), Access::ReadMunicipality),
                ("/hjemmeside", t("Hjemmeside"), Access::ReadMunicipality),
                (
                    "/sammenligning",
                    t("Sammenligningsgruppe"),
                    Access::ReadMunicipality,
                ),
                ("/priser", t("Kanalpriser"), Access::ReadMunicipality),
                ("/besparelser", t("Besparelser"), Access::ReadMunicipality),
                ("/strategi", t("Kanalstrategi"), Access::ReadMunicipality),
                ("/systemer", t("Systemer og API"), Access::SetUpMunicipality),
                ("/brugere", t("Brugere"), Access::SetUpMunicipality),
                ("/log", t("Ændringslog"), Access::SetUpMunicipality),
                ("/udbakke", t("Udbakke"), Access::SetUpMunicipality),
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
                    label: t("Hotline"),
                    current: false,
                });
            }
            frame.nav_label = t("Kommunens opsætning");
            frame.crumbs = vec![
                Crumb {
                    href: "/mit".into(),
                    label: t("Mit komhen").into(),
                },
                Crumb {
                    href: base,
                    label: crate::t1("{0} Kommune", &m.name),
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
            ("", t("Overblik")),
            ("/opgaver", t("Opgavekatalog")),
            ("/perioder", t("Tælleperioder")),
            ("/indberetninger", t("Indberetninger")),
            ("/spoergeskemaer", t("Spørgeskemaer")),
            ("/rettelser", t("Rettelser")),
            ("/kodelister", t("Kodelister")),
            ("/priser", t("Kanalpriser")),
            ("/brugere", t("Brugere")),
            ("/log", t("Ændringslog")),
            ("/central", t("Centrale data")),
            ("/totaltal", t("Nationale totaltal")),
            ("/hotlines", t("Hotlines")),
            ("/udbakke", t("Udbakke")),
        ];
        frame.nav = items
            .iter()
            .map(|&(path, label)| NavItem {
                href: format!("/admin{path}"),
                label,
                current: path == current,
            })
            .collect();
        frame.nav_label = t("National administration");
        frame.crumbs = vec![Crumb {
            href: "/mit".into(),
            label: t("Mit komhen").into(),
        }];
        if !current.is_empty() {
            frame.crumbs.push(Crumb {
                href: "/admin".into(),
                label: t("National administration").into(),
            });
        }
        frame
    }

    pub(crate) fn notice(mut self, notice: Option<String>) -> Self {
        self.notice = notice;
        self
    }

    /// The page's error: a message of the core crates, in the page's
    /// language.
    pub(crate) fn error(mut self, error: Option<String>) -> Self {
        self.error = error.map(|e| crate::i18n::message(&e));
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
