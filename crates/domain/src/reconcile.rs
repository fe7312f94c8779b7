//! Grant reconciliation: what to change so that the grants one source gave
//! (a Stripe subscription, a CRM tag…) match what the source says now. Pure:
//! the use case reads the open grants, asks [`plan`], and applies the changes
//! in its transaction. Stripe subscriptions and CRM tags both go through it.

use time::OffsetDateTime;

use crate::access::AccessGrant;
use crate::ids::{GrantId, UserId};
use crate::subscription::AccessDecision;

/// One change to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// An active grant whose end moves (a renewal, a cancellation at period end, a reactivation).
    SetEnd { grant: GrantId, until: Option<OffsetDateTime> },
    /// A grant that lapsed by itself (its end passed): closed at its end,
    /// before a new one is given.
    Close { grant: GrantId, at: OffsetDateTime },
    /// A new grant for this person, ending at the decision's `until`.
    Grant { user: UserId, until: Option<OffsetDateTime> },
    /// Access removed.
    Revoke { grant: GrantId },
}

/// What to change so the source's open grants of one product (`open`: every
/// holder's) match `decision` for `people`:
/// - `Grant { until }`: each person ends with one active grant ending at
///   `until`: an active one keeps its id (its end moved when it differs);
///   otherwise their lapsed grants are closed at their end and a new one is
///   given. Holders who are not among `people` are left alone (leaving a
///   seat is decided elsewhere).
/// - `Revoke`: every open grant goes, whoever holds it.
pub fn plan(open: &[AccessGrant], people: &[UserId], decision: AccessDecision, now: OffsetDateTime) -> Vec<Change> {
    let mut changes = Vec::new();
    match decision {
        AccessDecision::Grant { until } => {
            for person in people {
                let mine: Vec<&AccessGrant> = open.iter().filter(|g| &g.user_id == person && g.revoked_at.is_none()).collect();
                match mine.iter().find(|g| g.is_active(now)) {
                    Some(g) if g.ends_at != until => changes.push(Change::SetEnd { grant: g.id.clone(), until }),
                    Some(_) => {}
                    None => {
                        for g in &mine {
                            changes.push(Change::Close { grant: g.id.clone(), at: g.ends_at.unwrap_or(now) });
                        }
                        changes.push(Change::Grant { user: person.clone(), until });
                    }
                }
            }
        }
        AccessDecision::Revoke => {
            changes.extend(open.iter().filter(|g| g.revoked_at.is_none()).map(|g| Change::Revoke { grant: g.id.clone() }));
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use time::Duration;
    use time::macros::datetime;

    use super::*;
    use crate::access::AccessSource;
    use crate::ids::{AppId, ProductId};

    const NOW: OffsetDateTime = datetime!(2026-06-01 12:00 UTC);

    fn grant(id: &GrantId, user: &UserId, ends_at: Option<OffsetDateTime>) -> AccessGrant {
        AccessGrant {
            id: id.clone(),
            app_id: AppId::new(),
            user_id: user.clone(),
            product_id: ProductId::new(),
            source: AccessSource::StripeSubscription,
            source_ref: Some("sub_1".into()),
            reason: None,
            granted_at: NOW - Duration::days(30),
            ends_at,
            revoked_at: None,
            revoke_reason: None,
        }
    }

    fn ids() -> (GrantId, GrantId) {
        (GrantId::new(), GrantId::new())
    }

    #[test]
    fn a_person_without_a_grant_gets_one_ending_when_the_decision_says() {
        let u = UserId::new();
        let until = Some(NOW + Duration::days(10));
        assert_eq!(plan(&[], std::slice::from_ref(&u), AccessDecision::Grant { until }, NOW), vec![Change::Grant { user: u, until }]);
    }

    #[test]
    fn an_active_grant_is_kept_and_only_its_end_moves() {
        let u = UserId::new();
        let (a, _) = ids();
        let open = [grant(&a, &u, Some(NOW + Duration::days(3)))];
        let renewed = Some(NOW + Duration::days(33));
        assert_eq!(plan(&open, std::slice::from_ref(&u), AccessDecision::Grant { until: renewed }, NOW), vec![Change::SetEnd { grant: a.clone(), until: renewed }]);
        assert_eq!(plan(&open, std::slice::from_ref(&u), AccessDecision::Grant { until: Some(NOW + Duration::days(3)) }, NOW), vec![], "nothing changes when it already matches");
    }

    #[test]
    fn a_lapsed_grant_is_closed_at_its_end_before_a_new_one() {
        let u = UserId::new();
        let (a, _) = ids();
        let ended = NOW - Duration::days(2);
        let open = [grant(&a, &u, Some(ended))];
        let until = Some(NOW + Duration::days(30));
        assert_eq!(
            plan(&open, std::slice::from_ref(&u), AccessDecision::Grant { until }, NOW),
            vec![Change::Close { grant: a, at: ended }, Change::Grant { user: u, until }]
        );
    }

    #[test]
    fn revoke_removes_every_holder_and_grant_leaves_other_holders_alone() {
        let (u, v) = (UserId::new(), UserId::new());
        let (a, b) = ids();
        let open = [grant(&a, &u, None), grant(&b, &v, None)];
        assert_eq!(plan(&open, std::slice::from_ref(&u), AccessDecision::Revoke, NOW), vec![Change::Revoke { grant: a.clone() }, Change::Revoke { grant: b.clone() }]);
        assert_eq!(plan(&open, std::slice::from_ref(&u), AccessDecision::Grant { until: None }, NOW), vec![], "v is not among the people: untouched");
    }

    #[test]
    fn revoked_rows_are_never_planned_again() {
        let u = UserId::new();
        let (a, _) = ids();
        let mut g = grant(&a, &u, None);
        g.revoked_at = Some(NOW - Duration::days(1));
        assert_eq!(plan(std::slice::from_ref(&g), std::slice::from_ref(&u), AccessDecision::Revoke, NOW), vec![]);
        assert_eq!(plan(&[g], std::slice::from_ref(&u), AccessDecision::Grant { until: None }, NOW), vec![Change::Grant { user: u, until: None }]);
    }
}
