//! Who may do what: admin roles, API key scopes.

use std::fmt;
use std::str::FromStr;

use crate::error::FieldProblem;

/// An admin's role in one app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Viewer,
    Admin,
    Owner,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Viewer => "viewer",
        }
    }

    /// What this role may do, as the scopes an API key would need.
    pub fn allows(self, scope: Scope) -> bool {
        match self {
            Role::Owner => true,
            // Every role may read the team; changing it is decided by `team`.
            Role::Admin => scope.family != Family::Admins || scope.access == Access::Read,
            Role::Viewer => scope.access == Access::Read,
        }
    }
}

impl FromStr for Role {
    type Err = FieldProblem;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "owner" => Ok(Role::Owner),
            "admin" => Ok(Role::Admin),
            "viewer" => Ok(Role::Viewer),
            _ => Err(FieldProblem::new("invalid_role", "must be one of owner, admin, viewer")),
        }
    }
}

/// Resource families that scopes are granted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    App,
    Products,
    Users,
    Activities,
    Connectors,
    Jobs,
    Emails,
    ApiKeys,
    Admins,
    /// Outbound webhook endpoints and Zapier REST hooks.
    Webhooks,
    /// Automations, their runs, and email templates.
    Automations,
}

impl Family {
    pub const ALL: [Family; 11] = [
        Family::App,
        Family::Products,
        Family::Users,
        Family::Activities,
        Family::Connectors,
        Family::Jobs,
        Family::Emails,
        Family::ApiKeys,
        Family::Admins,
        Family::Webhooks,
        Family::Automations,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Family::App => "app",
            Family::Products => "products",
            Family::Users => "users",
            Family::Activities => "activities",
            Family::Connectors => "connectors",
            Family::Jobs => "jobs",
            Family::Emails => "emails",
            Family::ApiKeys => "api_keys",
            Family::Admins => "admins",
            Family::Webhooks => "webhooks",
            Family::Automations => "automations",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Access {
    Read,
    Write,
}

/// A permission such as `products:write`. `write` implies `read`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Scope {
    pub family: Family,
    pub access: Access,
}

impl Scope {
    pub const fn read(family: Family) -> Self {
        Self { family, access: Access::Read }
    }
    pub const fn write(family: Family) -> Self {
        Self { family, access: Access::Write }
    }

    /// Whether holding `self` satisfies a need for `needed`.
    pub fn satisfies(self, needed: Scope) -> bool {
        self.family == needed.family && (self.access == Access::Write || needed.access == Access::Read)
    }

    /// Every scope an API key may carry (`admins:*` is for people only).
    pub fn all_for_keys() -> Vec<Scope> {
        Family::ALL
            .iter()
            .filter(|f| **f != Family::Admins && **f != Family::ApiKeys)
            .flat_map(|f| [Scope::read(*f), Scope::write(*f)])
            .collect()
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = match self.access {
            Access::Read => "read",
            Access::Write => "write",
        };
        write!(f, "{}:{}", self.family.as_str(), a)
    }
}

impl FromStr for Scope {
    type Err = FieldProblem;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || FieldProblem::new("invalid_scope", format!("unknown scope {s:?}; scopes look like products:read or users:write"));
        let (fam, acc) = s.split_once(':').ok_or_else(bad)?;
        let family = Family::ALL.iter().copied().find(|f| f.as_str() == fam).ok_or_else(bad)?;
        let access = match acc {
            "read" => Access::Read,
            "write" => Access::Write,
            _ => return Err(bad()),
        };
        Ok(Scope { family, access })
    }
}

/// Parses and de-duplicates the scopes requested for a new API key.
pub fn parse_key_scopes(raw: &[String]) -> Result<Vec<Scope>, FieldProblem> {
    if raw.is_empty() {
        return Err(FieldProblem::new("required", "give at least one scope"));
    }
    let mut out = Vec::new();
    for s in raw {
        let scope: Scope = s.parse()?;
        if matches!(scope.family, Family::Admins | Family::ApiKeys) {
            return Err(FieldProblem::new("invalid_scope", format!("{s} cannot be given to an API key")));
        }
        if !out.contains(&scope) {
            out.push(scope);
        }
    }
    out.sort();
    Ok(out)
}

/// Argon2-hash-free password policy: length only (NIST 800-63B).
pub fn password(s: &str) -> Result<String, FieldProblem> {
    let n = s.chars().count();
    if n < 10 {
        return Err(FieldProblem::new("too_short", "must have at least 10 characters"));
    }
    if n > 256 {
        return Err(FieldProblem::new("too_long", "must have at most 256 characters"));
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_implies_read_but_not_other_families() {
        let pw = Scope::write(Family::Products);
        assert!(pw.satisfies(Scope::read(Family::Products)));
        assert!(pw.satisfies(Scope::write(Family::Products)));
        assert!(!pw.satisfies(Scope::read(Family::Users)));
        assert!(!Scope::read(Family::Users).satisfies(Scope::write(Family::Users)));
    }

    #[test]
    fn roles_allow_as_documented() {
        assert!(Role::Viewer.allows(Scope::read(Family::Users)));
        assert!(!Role::Viewer.allows(Scope::write(Family::Users)));
        assert!(Role::Admin.allows(Scope::write(Family::ApiKeys)));
        assert!(!Role::Admin.allows(Scope::write(Family::Admins)));
        assert!(Role::Owner.allows(Scope::write(Family::Admins)));
        assert!(Role::Admin.allows(Scope::read(Family::Admins)));
        assert!(Role::Viewer.allows(Scope::read(Family::Admins)));
    }

    #[test]
    fn scopes_parse_and_print() {
        for s in Scope::all_for_keys() {
            assert_eq!(s.to_string().parse::<Scope>().unwrap(), s);
        }
        assert!("products:delete".parse::<Scope>().is_err());
        assert!(parse_key_scopes(&["admins:write".into()]).is_err());
        assert_eq!(parse_key_scopes(&["users:read".into(), "users:read".into()]).unwrap().len(), 1);
    }
}
