//! Closed sets the API carries as strings (stored as text, checked where
//! they come in): their values, so the OpenAPI document lists them as
//! `enum`s. Fields keep their `String` type and name one of these with
//! `#[schema(value_type = …)]`; what is accepted and answered is unchanged.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A Stripe price's billing interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PriceInterval {
    Day,
    Week,
    Month,
    Year,
}

/// What a hosted media file is: `video` and `audio` play in the member area, `file` downloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Video,
    Audio,
    File,
}

/// Where a received Stripe event is: `pending` (to process), `processed`, `ignored` (nothing to do) or `failed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InboxStatus {
    Pending,
    Processed,
    Ignored,
    Failed,
}

/// How processing a received Stripe event ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InboxOutcome {
    Processed,
    Ignored,
    Failed,
}

/// Where a member import is: `previewed` (uploaded, not run), `running`, `done` or `failed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MemberImportStatus {
    Previewed,
    Running,
    Done,
    Failed,
}

/// What running an import did with a row: `created` a member, `updated`
/// (name changed), `granted` (an existing member, new products only) or `skipped`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportRowOutcome {
    Created,
    Updated,
    Granted,
    Skipped,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The values are those the rest of the code writes and checks.
    #[test]
    fn values_match_the_stored_strings() {
        let names = |v: serde_json::Value| v.as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_owned()).collect::<Vec<_>>();
        use serde_json::json;
        assert_eq!(names(json!([MediaKind::Video, MediaKind::Audio, MediaKind::File])), ["video", "audio", "file"]);
        assert_eq!(
            names(json!([InboxStatus::Pending, InboxStatus::Processed, InboxStatus::Ignored, InboxStatus::Failed])),
            crate::routes::stripe_inbox::STATUSES
        );
        assert_eq!(names(json!([MemberImportStatus::Previewed, MemberImportStatus::Done])), ["previewed", "done"]);
        assert_eq!(
            names(json!([ImportRowOutcome::Created, ImportRowOutcome::Updated, ImportRowOutcome::Granted, ImportRowOutcome::Skipped])),
            tollgate_app::members_import::OUTCOMES
        );
        assert_eq!(names(json!([PriceInterval::Day, PriceInterval::Year])), ["day", "year"]);
    }
}
