//! Team management: who may invite, re-role and remove the admins of an app.
//!
//! The rules (like Stripe's team settings):
//! - every role may read the team;
//! - an owner may invite any role, change roles and remove anyone;
//! - an admin may invite admins and viewers (never owners) and revoke
//!   those invitations, but not change roles or remove others;
//! - a viewer changes nothing;
//! - anyone may leave an app;
//! - an app always keeps at least one owner.

use time::{Duration, OffsetDateTime};

use crate::auth::Role;

/// How long an admin invitation stays valid.
pub const INVITATION_TTL: Duration = Duration::days(7);

/// Why a team change is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamDenied {
    /// The actor's role may not do this at all (403).
    NotAllowed,
    /// Only an owner may give or take the owner role (403).
    OwnerOnly,
    /// The change would leave the app without an owner (409).
    LastOwner,
}

/// May `actor` invite someone as `role`?
pub fn may_invite(actor: Role, role: Role) -> Result<(), TeamDenied> {
    match (actor, role) {
        (Role::Owner, _) => Ok(()),
        (Role::Admin, Role::Owner) => Err(TeamDenied::OwnerOnly),
        (Role::Admin, _) => Ok(()),
        (Role::Viewer, _) => Err(TeamDenied::NotAllowed),
    }
}

/// May `actor` change the role of an admin who is `current`, to `new`, when
/// the app has `owners` owners?
pub fn may_change_role(actor: Role, current: Role, new: Role, owners: usize) -> Result<(), TeamDenied> {
    if actor != Role::Owner {
        return Err(TeamDenied::NotAllowed);
    }
    if current == Role::Owner && new != Role::Owner && owners <= 1 {
        return Err(TeamDenied::LastOwner);
    }
    Ok(())
}

/// May `actor` remove an admin whose role is `target` (`is_self` when
/// leaving), when the app has `owners` owners?
pub fn may_remove(actor: Role, target: Role, is_self: bool, owners: usize) -> Result<(), TeamDenied> {
    if !is_self && actor != Role::Owner {
        return Err(TeamDenied::NotAllowed);
    }
    if target == Role::Owner && owners <= 1 {
        return Err(TeamDenied::LastOwner);
    }
    Ok(())
}

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationState {
    Pending,
    Expired,
    Accepted,
    /// Revoked by an admin, or replaced by a newer invitation to the same email.
    Revoked,
}

impl InvitationState {
    pub fn of(expires_at: OffsetDateTime, accepted_at: Option<OffsetDateTime>, revoked_at: Option<OffsetDateTime>, now: OffsetDateTime) -> Self {
        if accepted_at.is_some() {
            InvitationState::Accepted
        } else if revoked_at.is_some() {
            InvitationState::Revoked
        } else if expires_at <= now {
            InvitationState::Expired
        } else {
            InvitationState::Pending
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Role::*;

    #[test]
    fn invitations_by_role() {
        assert_eq!(may_invite(Owner, Owner), Ok(()));
        assert_eq!(may_invite(Admin, Viewer), Ok(()));
        assert_eq!(may_invite(Admin, Admin), Ok(()));
        assert_eq!(may_invite(Admin, Owner), Err(TeamDenied::OwnerOnly));
        assert_eq!(may_invite(Viewer, Viewer), Err(TeamDenied::NotAllowed));
    }

    #[test]
    fn an_app_keeps_an_owner() {
        assert_eq!(may_change_role(Owner, Owner, Admin, 1), Err(TeamDenied::LastOwner));
        assert_eq!(may_change_role(Owner, Owner, Admin, 2), Ok(()));
        assert_eq!(may_change_role(Admin, Viewer, Admin, 1), Err(TeamDenied::NotAllowed));
        assert_eq!(may_remove(Owner, Owner, true, 1), Err(TeamDenied::LastOwner));
        assert_eq!(may_remove(Owner, Owner, false, 2), Ok(()));
        assert_eq!(may_remove(Viewer, Viewer, true, 1), Ok(()));
        assert_eq!(may_remove(Admin, Viewer, false, 1), Err(TeamDenied::NotAllowed));
    }

    #[test]
    fn invitation_states() {
        let t = OffsetDateTime::UNIX_EPOCH;
        assert_eq!(InvitationState::of(t + Duration::days(1), None, None, t), InvitationState::Pending);
        assert_eq!(InvitationState::of(t, None, None, t), InvitationState::Expired);
        assert_eq!(InvitationState::of(t + Duration::days(1), Some(t), None, t), InvitationState::Accepted);
        assert_eq!(InvitationState::of(t + Duration::days(1), None, Some(t), t), InvitationState::Revoked);
    }
}
