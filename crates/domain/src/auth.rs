//! Who may do what: admin roles, API key scopes.

use std::fmt;
use std::str::FromStr;

use crate::error::FieldProblem;

/// An admin's role in one app: owner, admin or viewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
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

/// The password policy (NIST 800-63B: length, and no guessable passwords):
/// 10 to 256 characters, and strong enough by zxcvbn's estimate (score 3 of
/// 4, "safely unguessable": about 10^8 guesses or more). `user_inputs` (the
/// account's email, name, site name) count as guessable words. Passphrases
/// of three or four ordinary words pass ("correct horse battery");
/// `aaaaaaaaaa`, `password12` or `qwertyuiop1` do not.
pub fn password(s: &str, user_inputs: &[&str]) -> Result<String, FieldProblem> {
    let n = s.chars().count();
    if n < 10 {
        return Err(FieldProblem::new("too_short", "must have at least 10 characters"));
    }
    if n > 256 {
        return Err(FieldProblem::new("too_long", "must have at most 256 characters"));
    }
    let mut inputs: Vec<&str> = user_inputs.iter().copied().filter(|i| !i.trim().is_empty()).collect();
    // An email's local part, and each word of it or of a name, are guessable on their own.
    let local_parts = user_inputs.iter().filter_map(|i| i.split_once('@').map(|(local, _)| local));
    let words = user_inputs.iter().flat_map(|i| i.split(|c: char| c == '@' || c == '.' || c == '-' || c == '_' || c.is_whitespace()));
    inputs.extend(local_parts.chain(words).filter(|p| p.chars().count() >= 3));
    inputs.push("tollgate");
    let estimate = zxcvbn::zxcvbn(s, &inputs);
    if u8::from(estimate.score()) >= MIN_PASSWORD_SCORE {
        return Ok(s.to_owned());
    }
    let mut advice = vec![];
    if let Some(f) = estimate.feedback() {
        if let Some(w) = f.warning() {
            advice.push(w.to_string());
        }
        advice.extend(f.suggestions().iter().map(|s| s.to_string()));
    }
    if advice.is_empty() {
        advice.push("Add another word or two. Uncommon words are better.".into());
    }
    Err(FieldProblem::new("too_weak", format!("is too easy to guess. {}", advice.join(" "))))
}

/// zxcvbn scores 0 to 4; 3 and up is accepted.
pub const MIN_PASSWORD_SCORE: u8 = 3;

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
    fn passwords_need_length_and_strength() {
        assert_eq!(password("short", &[]).unwrap_err().code, "too_short");
        assert_eq!(password(&"long passphrase ".repeat(17), &[]).unwrap_err().code, "too_long");
        for weak in ["aaaaaaaaaa", "password12", "1234567890", "qwertyuiop", "Password123!", "letmein1234", "iloveyou123"] {
            let e = password(weak, &[]).unwrap_err();
            assert_eq!(e.code, "too_weak", "{weak}");
            assert!(e.message.starts_with("is too easy to guess. ") && e.message.len() > 30, "{weak}: {}", e.message);
        }
        // zxcvbn's own advice is passed on.
        assert!(password("password12", &[]).unwrap_err().message.contains("This is a very common password."));
        // The passphrases the docs, tests and fixtures use stay valid.
        for ok in [
            "correct horse battery",
            "correct horse battery staple",
            "a brand new password",
            "ada's long password",
            "a long member password",
            "bob's long password",
            "cobol forever 1959",
            "viewer password 123",
            "zapier test password 1",
            "a long bench password",
            "another long password",
            "a long password",
        ] {
            assert_eq!(password(ok, &["owner@example.com", "Olivia", "Academy"]).as_deref(), Ok(ok), "{ok}");
        }
    }

    #[test]
    fn fixture_passphrases_pass_with_their_own_accounts() {
        // As the e2e runner, the Zapier tests, the bench and the README use them.
        for (pw, inputs) in [
            ("zapier test password 1", ["zapier-owner@example.com", "Zed Owner", "Zapier Test Academy"]),
            ("correct horse battery", ["owner@example.com", "Olive Owner", "Academy"]),
            ("cobol forever 1959", ["grace@example.com", "Grace Hopper", ""]),
            ("viewer password 123", ["viewer@example.com", "Vera Viewer", ""]),
            ("a long bench password", ["bench@example.com", "Bench", "Bench"]),
            ("a long password", ["you@example.com", "You", "My academy"]),
        ] {
            assert_eq!(password(pw, &inputs).as_deref(), Ok(pw));
        }
    }

    #[test]
    fn passwords_made_of_the_account_are_weak() {
        assert!(password("ada.lovelace1", &[]).is_ok(), "fine for a stranger");
        assert_eq!(password("ada.lovelace1", &["ada.lovelace@example.com", "Ada Lovelace"]).unwrap_err().code, "too_weak");
        assert_eq!(password("academy2024!", &["owner@example.com", "Olivia", "Academy"]).unwrap_err().code, "too_weak");
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
