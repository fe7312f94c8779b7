//! Wire shapes of lifecycle stages and stage totals.

use serde::{Deserialize, Serialize};
use tollgate_app::customers::StagesView;
use tollgate_app::customers::segments::SegmentView;
use tollgate_domain::stages::RawStage;
use tollgate_http_macros::bounds;
use utoipa::ToSchema;
use validator::Validate;

/// What a stage matches: a Stripe subscription status, or `none` (members without any subscription).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StageStatus {
    Trialing,
    Active,
    PastDue,
    Incomplete,
    IncompleteExpired,
    Unpaid,
    Canceled,
    Paused,
    None,
}

impl StageStatus {
    fn wire(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
    }
    fn of(s: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageBody {
    /// 1 to 40 characters, unique in the app (case-insensitively).
    #[schema(min_length = 1, max_length = 40)]
    pub name: String,
    /// The statuses that put a member in this stage; each status in at most one stage.
    #[schema(max_items = 9)]
    pub statuses: Vec<StageStatus>,
}

/// The app's stages, highest priority first: a member takes the first stage one of their subscriptions matches.
/// (Checked by the domain's stage rules, so every error is reported at once.)
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutStagesRequest {
    #[schema(min_items = 1, max_items = 12)]
    pub stages: Vec<StageBody>,
}

impl PutStagesRequest {
    pub fn into_raw(self) -> Vec<RawStage> {
        self.stages.into_iter().map(|s| RawStage { name: s.name, statuses: s.statuses.into_iter().map(StageStatus::wire).collect() }).collect()
    }
}

/// The recompute of every member's stage that follows an edit.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecomputeProgress {
    pub total: i64,
    pub done: i64,
    pub running: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StagesResponse {
    pub stages: Vec<StageBody>,
    /// False while the app uses the default stages.
    pub customized: bool,
    pub recompute: RecomputeProgress,
}

impl From<StagesView> for StagesResponse {
    fn from(v: StagesView) -> Self {
        StagesResponse {
            stages: v
                .stages
                .to_raw()
                .into_iter()
                .map(|r| StageBody { name: r.name, statuses: r.statuses.iter().filter_map(|s| StageStatus::of(s)).collect() })
                .collect(),
            customized: v.customized,
            recompute: RecomputeProgress { total: v.recompute_total, done: v.recompute_done, running: v.recompute_done < v.recompute_total },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StageTotalResponse {
    /// The stage's name; null for members without a stage.
    pub stage: Option<String>,
    pub members: i64,
    /// Sum of the members' MRR in minor units of the response's currency.
    pub mrr: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StageTotalsResponse {
    /// The currency most paying subscriptions use; null when nobody pays yet.
    pub currency: Option<String>,
    /// Defined stages in priority order (each present, possibly with 0 members), then members without a stage.
    pub data: Vec<StageTotalResponse>,
}

/// The range of MRR movements.
#[bounds]
#[derive(Debug, Deserialize, Validate, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MovementsQuery {
    /// First day (UTC, `YYYY-MM-DD`); default 29 days before `to`.
    #[bound(length(max = 10))]
    pub from: Option<String>,
    /// Last day (UTC, `YYYY-MM-DD`), not after today; default today.
    #[bound(length(max = 10))]
    pub to: Option<String>,
}

/// MRR that moved in one currency (minor units a month; contraction and churn are negative).
#[derive(Debug, Serialize, ToSchema)]
pub struct MovementTotalsResponse {
    pub currency: Option<String>,
    /// Subscriptions contributing for the first time.
    pub new: i64,
    pub expansion: i64,
    pub contraction: i64,
    /// Subscriptions that stopped contributing (canceled, unpaid…).
    pub churned: i64,
    /// Subscriptions contributing again after having stopped.
    pub reactivation: i64,
    /// The sum of the five.
    pub net: i64,
    pub new_subscriptions: i64,
    pub churned_subscriptions: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MovementsResponse {
    #[schema(format = Date)]
    pub from: String,
    #[schema(format = Date)]
    pub to: String,
    /// One entry per currency, the main one (most new MRR) first; empty when nothing moved.
    pub data: Vec<MovementTotalsResponse>,
}

/// A members filter, as the members list takes it (every field optional).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberFilterDto {
    /// Matches the start of the email or any part of the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renews_within_days: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_product: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lacks_product: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mrr_min: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mrr_max: Option<i64>,
    /// `YYYY-MM-DD`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_login_after: Option<String>,
    /// `YYYY-MM-DD` (never logged in counts as before)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_login_before: Option<String>,
    /// `active` or `inactive`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_after: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_before: Option<String>,
}

impl From<MemberFilterDto> for tollgate_domain::members::RawMemberFilter {
    fn from(d: MemberFilterDto) -> Self {
        Self {
            q: d.q,
            stage: d.stage,
            renews_within_days: d.renews_within_days,
            has_product: d.has_product,
            lacks_product: d.lacks_product,
            source: d.source,
            mrr_min: d.mrr_min,
            mrr_max: d.mrr_max,
            last_login_after: d.last_login_after,
            last_login_before: d.last_login_before,
            status: d.status,
            created_after: d.created_after,
            created_before: d.created_before,
        }
    }
}

impl From<tollgate_domain::members::RawMemberFilter> for MemberFilterDto {
    fn from(d: tollgate_domain::members::RawMemberFilter) -> Self {
        Self {
            q: d.q,
            stage: d.stage,
            renews_within_days: d.renews_within_days,
            has_product: d.has_product,
            lacks_product: d.lacks_product,
            source: d.source,
            mrr_min: d.mrr_min,
            mrr_max: d.mrr_max,
            last_login_after: d.last_login_after,
            last_login_before: d.last_login_before,
            status: d.status,
            created_after: d.created_after,
            created_before: d.created_before,
        }
    }
}

/// A saved segment.
#[derive(Debug, Serialize, ToSchema)]
pub struct SegmentResponse {
    pub id: String,
    pub name: String,
    pub filter: MemberFilterDto,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<SegmentView> for SegmentResponse {
    fn from(s: SegmentView) -> Self {
        Self { id: s.id.to_string(), name: s.name, filter: s.filter.into(), created_at: crate::dto::rfc3339(s.created_at), updated_at: crate::dto::rfc3339(s.updated_at) }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SegmentsResponse {
    pub data: Vec<SegmentResponse>,
}

/// A segment to save; on update, a missing field keeps its value.
#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentRequest {
    #[bound(length(min = 1, max = 80))]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::option_object")]
    pub filter: Option<MemberFilterDto>,
}

/// A bulk action on members: exactly one of `filter`, `segment_id`, `user_ids`.
#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkRequest {
    pub action: tollgate_app::customers::bulk::BulkAction,
    /// Everyone matching this filter (the members list's).
    #[serde(default, deserialize_with = "crate::extract::option_object")]
    pub filter: Option<MemberFilterDto>,
    /// Everyone in this saved segment.
    #[bound(length(min = 1, max = 64))]
    pub segment_id: Option<String>,
    /// These members (at most 1000).
    #[bound(items(min = 1, max = 1000))]
    pub user_ids: Option<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkResponse {
    /// The job (`GET /api/v1/jobs/{id}` shows its progress).
    pub job_id: String,
    /// How many members the action is for.
    pub total: i64,
}
