//! Identifiers. Every id is a prefixed, time-ordered UUIDv7 in lowercase hex
//! (`prod_0192f0c3…`), so ids sort by creation time and keyset pagination on
//! them is stable.

use std::fmt;

use crate::error::FieldProblem;

macro_rules! id_type {
    ($(#[$m:meta])* $name:ident, $prefix:literal) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            /// A new, time-ordered id.
            pub fn new() -> Self {
                Self(format!("{}_{}", $prefix, uuid::Uuid::now_v7().simple()))
            }

            /// Parses an id received from outside; rejects other kinds of ids.
            pub fn parse(s: &str) -> Result<Self, FieldProblem> {
                parse_prefixed(s, $prefix).map(Self)
            }

            /// Wraps a value read back from our own storage.
            pub fn from_trusted(s: String) -> Self {
                Self(s)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

fn parse_prefixed(s: &str, prefix: &str) -> Result<String, FieldProblem> {
    let ok = s
        .strip_prefix(prefix)
        .and_then(|r| r.strip_prefix('_'))
        .is_some_and(|hex| hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    if ok {
        Ok(s.to_owned())
    } else {
        Err(FieldProblem::new("invalid_id", format!("must be an id of the form {prefix}_<32 hex digits>")))
    }
}

id_type!(/// A tenant: one site with its own members, products and connectors.
    AppId, "app");
id_type!(AdminId, "adm");
id_type!(UserId, "usr");
id_type!(ProductId, "prod");
id_type!(PageId, "page");
id_type!(GrantId, "grant");
id_type!(ActivityId, "act");
id_type!(ApiKeyId, "key");
id_type!(JobId, "job");
id_type!(EmailId, "email");
id_type!(/// An invitation to join an app's team.
    InvitationId, "inv");
id_type!(/// An outbound webhook endpoint (a Standard Webhooks receiver or a Zapier REST hook).
    EndpointId, "whk");
id_type!(/// One outbound event; its id is the `webhook-id` every delivery of it carries.
    MessageId, "msg");
id_type!(/// One event on its way to one endpoint.
    DeliveryId, "dlv");
id_type!(/// An automation: a trigger, conditions and ordered steps.
    AutomationId, "auto");
id_type!(/// One run of an automation for one trigger.
    RunId, "run");
id_type!(/// An account (a company) whose members share its Stripe subscriptions.
    AccountId, "acc");
id_type!(/// A saved members filter (a segment).
    SegmentId, "seg");
id_type!(/// An email template of an app.
    TemplateId, "tpl");
id_type!(/// A CSV import of members: its parsed rows, its run and its report.
    ImportId, "imp");
id_type!(/// One entry of the audit log.
    AuditId, "aud");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_reject_foreign_kinds() {
        let p = ProductId::new();
        assert_eq!(ProductId::parse(p.as_str()).unwrap(), p);
        assert!(UserId::parse(p.as_str()).is_err());
        assert!(ProductId::parse("prod_XYZ").is_err());
        assert!(ProductId::parse("prod_0192F0C3000070008000000000000000").is_err(), "uppercase rejected");
    }

    #[test]
    fn ids_sort_by_creation() {
        let a = UserId::new();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = UserId::new();
        assert!(a < b);
    }
}
