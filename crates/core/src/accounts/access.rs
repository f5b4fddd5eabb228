//! Who may do what: the one place where roles become permissions.
//!
//! A personal user's grants (national administrator, coordinator of a
//! municipality, unit lead of chosen units, analyst of a municipality or of
//! the nation) decide every [`Access`] level. The web layer asks [`allows`]
//! for every guarded route and handlers only ever receive what passed it;
//! unit logins (the registrants' shared logins) are decided by
//! `registration::UnitContext` and never reach these pages; systems with a
//! bearer token of the JSON API are decided by `systems::authenticate`.
//!
//! Must not know HTTP: the web layer maps its routes to [`Access`] levels.

use komhen_domain::dl;
use komhen_domain::{HotlineId, MunicipalityCode, Role, UnitId};
use komhen_store::{HotlineAccess, HotlineGrant, HotlineRole, RoleGrantRow, UserRow};

/// Who made a change, as the audit log names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor(String);

impl Actor {
    pub fn user(user: &UserRow) -> Self {
        Self(format!("bruger:{}", user.email))
    }

    pub fn unit(login: &str) -> Self {
        Self(format!("enhed:{login}"))
    }

    /// The `komhen` command line, run by whoever has the server.
    pub fn command_line() -> Self {
        Self("kommandolinje".into())
    }

    /// The demo loader.
    pub fn demo() -> Self {
        Self("demo".into())
    }

    /// Whoever tries logins from one client address (see
    /// `auth::ClientAddress`): the actor of a throttling lock.
    pub fn address(address: &str) -> Self {
        Self(format!("adresse:{address}"))
    }

    /// A municipality's system, by the name its token was issued to.
    pub fn system(name: &str) -> Self {
        Self(format!("system:{name}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who did something, as people read a stored actor: `bruger:kim@koege.dk`
/// → `kim@koege.dk`, `enhed:259bs` → `259bs`, `system:ESDH` → `ESDH`,
/// `kommandolinje` → `kommandolinjen`.
pub fn actor_da(actor: &str) -> String {
    match actor {
        "kommandolinje" => dl!("kommandolinjen").into(),
        other => ["bruger:", "enhed:", "system:", "adresse:"]
            .iter()
            .find_map(|prefix| other.strip_prefix(prefix))
            .unwrap_or(other)
            .to_owned(),
    }
}

/// A logged-in personal user with their grants.
#[derive(Debug, Clone)]
pub struct UserContext {
    pub user: UserRow,
    pub grants: Vec<RoleGrantRow>,
    /// How the user reaches joint hotlines: a role of the hotline's own, or
    /// as coordinator of a current member municipality.
    pub hotlines: Vec<HotlineGrant>,
}

/// Which units of a municipality a user may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitScope {
    All,
    /// A unit lead's own units.
    Only(Vec<UnitId>),
    None,
}

impl UnitScope {
    pub fn includes(&self, unit: UnitId) -> bool {
        match self {
            Self::All => true,
            Self::Only(units) => units.contains(&unit),
            Self::None => false,
        }
    }
}

/// What a route requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// Anyone, logged in or not.
    Public,
    /// A unit's shared login (the registration tool). Decided by
    /// `registration::UnitContext` from the unit session; no personal
    /// user's role opens these pages.
    Unit,
    /// Any logged-in personal user (their own account).
    SignedIn,
    /// Reading a municipality's set-up and figures: its coordinators,
    /// analysts and unit leads (their units only), national analysts and
    /// the national administrator.
    ReadMunicipality,
    /// Changing a municipality's set-up: its coordinators and the national
    /// administrator.
    SetUpMunicipality,
    /// Reading national, unpublished data: national analysts and the
    /// national administrator.
    ReadNational,
    /// Reading figures through the report API: any user who reads a
    /// municipality or the nation; the handler narrows the rows to the
    /// user's scope ([`crate::reports::Scope::of_user`]).
    ReadReports,
    /// Keeping the national catalogue, periods, code lists and users: the
    /// national administrator.
    National,
    /// A municipality's system (queue system, phone system) with a bearer
    /// token of the JSON API. Decided by the token alone (`systems`): the
    /// token names the one municipality it may write to, and no personal
    /// user's role or unit login opens these routes.
    System,
    /// Reading a joint hotline's calls, figures, roster and statements: its
    /// administrators, its steering-group readers, the coordinators of its
    /// current members and the national administrator. Nobody else sees
    /// its calls.
    ReadHotline,
    /// Setting a joint hotline up, importing its calls, keeping its roster
    /// and issuing its statements: its administrators and the national
    /// administrator.
    SetUpHotline,
}

impl UserContext {
    pub fn actor(&self) -> Actor {
        Actor::user(&self.user)
    }

    fn has(&self, role: Role, municipality: Option<MunicipalityCode>) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == role && g.municipality == municipality)
    }

    pub fn is_national_admin(&self) -> bool {
        self.has(Role::NationalAdmin, None)
    }

    /// National administrator or national analyst.
    pub fn reads_national(&self) -> bool {
        self.is_national_admin() || self.has(Role::Analyst, None)
    }

    pub fn can_set_up(&self, municipality: MunicipalityCode) -> bool {
        self.is_national_admin() || self.has(Role::Coordinator, Some(municipality))
    }

    pub fn can_read(&self, municipality: MunicipalityCode) -> bool {
        self.unit_scope(municipality) != UnitScope::None
    }

    /// The units of the municipality the user may see.
    pub fn unit_scope(&self, municipality: MunicipalityCode) -> UnitScope {
        if self.reads_national()
            || self.has(Role::Coordinator, Some(municipality))
            || self.has(Role::Analyst, Some(municipality))
        {
            return UnitScope::All;
        }
        let units: Vec<UnitId> = self
            .grants
            .iter()
            .filter(|g| g.role == Role::UnitLead && g.municipality == Some(municipality))
            .filter_map(|g| g.unit)
            .collect();
        if units.is_empty() {
            UnitScope::None
        } else {
            UnitScope::Only(units)
        }
    }

    /// Whether the user may read the hotline (see [`Access::ReadHotline`]).
    pub fn can_read_hotline(&self, hotline: HotlineId) -> bool {
        self.is_national_admin() || self.hotlines.iter().any(|g| g.hotline == hotline)
    }

    /// Whether the user may set the hotline up (see [`Access::SetUpHotline`]).
    pub fn can_set_up_hotline(&self, hotline: HotlineId) -> bool {
        self.is_national_admin()
            || self.hotlines.iter().any(|g| {
                g.hotline == hotline && g.access == HotlineAccess::Role(HotlineRole::Admin)
            })
    }

    /// The hotlines the user reaches, each once, in id order.
    pub fn hotline_ids(&self) -> Vec<HotlineId> {
        let mut ids: Vec<HotlineId> = self.hotlines.iter().map(|g| g.hotline).collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// The municipalities the user holds a role in, in code order.
    pub fn municipalities(&self) -> Vec<MunicipalityCode> {
        let mut codes: Vec<MunicipalityCode> =
            self.grants.iter().filter_map(|g| g.municipality).collect();
        codes.sort();
        codes.dedup();
        codes
    }
}

/// Whether `user` (None: anonymous) may use a route of `access` concerning
/// `municipality` and, when the route names one, `unit` (a unit of that
/// municipality). The single rule every guarded route goes through.
pub fn allows(
    user: Option<&UserContext>,
    access: Access,
    municipality: Option<MunicipalityCode>,
    unit: Option<UnitId>,
) -> bool {
    if access == Access::Public {
        return true;
    }
    let Some(user) = user else { return false };
    if !user.user.active {
        return false;
    }
    let in_scope = |m: MunicipalityCode| {
        let scope = user.unit_scope(m);
        match unit {
            Some(unit) => scope.includes(unit),
            None => scope != UnitScope::None,
        }
    };
    match access {
        Access::Public => true,
        Access::Unit => false,
        Access::SignedIn => true,
        Access::ReadMunicipality => municipality.is_some_and(in_scope),
        Access::SetUpMunicipality => municipality.is_some_and(|m| user.can_set_up(m)),
        Access::ReadNational => user.reads_national(),
        Access::ReadReports => {
            user.reads_national() || user.municipalities().iter().any(|m| user.can_read(*m))
        }
        Access::National => user.is_national_admin(),
        // Hotline routes name a hotline, not a municipality: see
        // [`allows_hotline`].
        Access::System | Access::ReadHotline | Access::SetUpHotline => false,
    }
}

/// Whether `user` may use a route of `access` concerning the joint hotline
/// `hotline`: the rule for the hotline levels, beside [`allows`].
pub fn allows_hotline(user: Option<&UserContext>, access: Access, hotline: HotlineId) -> bool {
    let Some(user) = user.filter(|u| u.user.active) else {
        return access == Access::Public;
    };
    match access {
        Access::ReadHotline => user.can_read_hotline(hotline),
        Access::SetUpHotline => user.can_set_up_hotline(hotline),
        other => allows(Some(user), other, None, None),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use komhen_domain::UserId;

    fn user(grants: &[(Role, Option<u16>, Option<i64>)]) -> UserContext {
        UserContext {
            user: UserRow {
                id: UserId(1),
                email: "a@b.dk".into(),
                name: "A".into(),
                password_hash: None,
                active: true,
                last_login_at: None,
                lang: None,
            },
            grants: grants
                .iter()
                .map(|(role, m, u)| RoleGrantRow {
                    role: *role,
                    municipality: m.map(|m| MunicipalityCode::new(m).unwrap()),
                    unit: u.map(UnitId),
                })
                .collect(),
            hotlines: Vec::new(),
        }
    }

    fn m(code: u16) -> Option<MunicipalityCode> {
        Some(MunicipalityCode::new(code).unwrap())
    }

    #[test]
    fn a_coordinator_sets_up_only_their_own_municipality() {
        let c = user(&[(Role::Coordinator, Some(259), None)]);
        assert!(allows(Some(&c), Access::SetUpMunicipality, m(259), None));
        assert!(allows(
            Some(&c),
            Access::ReadMunicipality,
            m(259),
            Some(UnitId(9))
        ));
        assert!(!allows(Some(&c), Access::SetUpMunicipality, m(101), None));
        assert!(!allows(Some(&c), Access::ReadMunicipality, m(101), None));
        assert!(!allows(Some(&c), Access::National, None, None));
        assert!(!allows(Some(&c), Access::ReadNational, None, None));
    }

    #[test]
    fn a_unit_lead_reads_only_their_units_and_changes_nothing() {
        let lead = user(&[(Role::UnitLead, Some(259), Some(7))]);
        assert!(allows(Some(&lead), Access::ReadMunicipality, m(259), None));
        assert!(allows(
            Some(&lead),
            Access::ReadMunicipality,
            m(259),
            Some(UnitId(7))
        ));
        assert!(!allows(
            Some(&lead),
            Access::ReadMunicipality,
            m(259),
            Some(UnitId(8))
        ));
        assert!(!allows(
            Some(&lead),
            Access::SetUpMunicipality,
            m(259),
            None
        ));
        assert_eq!(
            lead.unit_scope(m(259).unwrap()),
            UnitScope::Only(vec![UnitId(7)])
        );
    }

    #[test]
    fn analysts_read_their_scope_and_change_nothing() {
        let local = user(&[(Role::Analyst, Some(259), None)]);
        assert!(allows(
            Some(&local),
            Access::ReadMunicipality,
            m(259),
            Some(UnitId(3))
        ));
        assert!(!allows(
            Some(&local),
            Access::ReadMunicipality,
            m(101),
            None
        ));
        assert!(!allows(
            Some(&local),
            Access::SetUpMunicipality,
            m(259),
            None
        ));
        let national = user(&[(Role::Analyst, None, None)]);
        assert!(allows(
            Some(&national),
            Access::ReadMunicipality,
            m(101),
            None
        ));
        assert!(allows(Some(&national), Access::ReadNational, None, None));
        assert!(!allows(Some(&national), Access::National, None, None));
        assert!(!allows(
            Some(&national),
            Access::SetUpMunicipality,
            m(101),
            None
        ));
    }

    #[test]
    fn the_national_administrator_may_do_everything_but_anonymous_nothing() {
        let admin = user(&[(Role::NationalAdmin, None, None)]);
        for access in [
            Access::SignedIn,
            Access::ReadMunicipality,
            Access::SetUpMunicipality,
            Access::ReadNational,
            Access::National,
        ] {
            assert!(allows(Some(&admin), access, m(101), None), "{access:?}");
            assert!(!allows(None, access, m(101), None), "{access:?}");
        }
        assert!(allows(None, Access::Public, None, None));
        assert!(
            !allows(Some(&admin), Access::System, m(101), None),
            "only a system's token opens system routes"
        );
        let mut inactive = admin.clone();
        inactive.user.active = false;
        assert!(!allows(Some(&inactive), Access::National, None, None));
    }

    #[test]
    fn a_hotline_is_read_by_its_roles_and_member_coordinators_only() {
        let line = HotlineId(4);
        let grant = |access| HotlineGrant {
            hotline: line,
            access,
        };
        let mut admin = user(&[]);
        admin.hotlines = vec![grant(HotlineAccess::Role(HotlineRole::Admin))];
        let mut reader = user(&[]);
        reader.hotlines = vec![grant(HotlineAccess::Role(HotlineRole::Reader))];
        let mut member = user(&[(Role::Coordinator, Some(751), None)]);
        member.hotlines = vec![grant(HotlineAccess::MemberCoordinator(m(751).unwrap()))];
        let outsider = user(&[(Role::Coordinator, Some(101), None)]);
        let national_analyst = user(&[(Role::Analyst, None, None)]);
        let national_admin = user(&[(Role::NationalAdmin, None, None)]);
        for (who, reads, sets_up) in [
            (&admin, true, true),
            (&reader, true, false),
            (&member, true, false),
            (&outsider, false, false),
            (&national_analyst, false, false),
            (&national_admin, true, true),
        ] {
            assert_eq!(allows_hotline(Some(who), Access::ReadHotline, line), reads);
            assert_eq!(
                allows_hotline(Some(who), Access::SetUpHotline, line),
                sets_up
            );
            assert!(!allows_hotline(Some(who), Access::ReadHotline, HotlineId(5)) || sets_up);
            assert!(!allows(Some(who), Access::ReadHotline, None, None));
        }
        assert!(!allows_hotline(None, Access::ReadHotline, line));
    }
}
