//! Wire types: what the API accepts and returns.

//! Each capability's own types are next to its routes (`routes/<capability>/dto.rs`);
//! here are those shared by all: lists, paging, and the shapes of members,
//! products and activities.

use serde::{Deserialize, Serialize};
use tollgate_domain::page::Page;
use tollgate_http_macros::bounds;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

/// Members, products and activities have one wire shape, shared with the
/// payloads of outbound events.
pub use tollgate_app::wire::{ActivityResponse, ProductResponse, UserResponse, rfc3339};

/// A page of a list, in a stable order. Pass `next_cursor` as `cursor` to read the next page.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListResponse<T> {
    pub data: Vec<T>,
    pub has_more: bool,
    pub next_cursor: Option<String>,
    /// How many items match in all (only where the list offers `include_total`, when asked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
}

impl<T> ListResponse<T> {
    pub fn from_page<U>(p: Page<U>, f: impl FnMut(U) -> T) -> Self {
        let next_cursor = p.next_cursor;
        ListResponse { data: p.items.into_iter().map(f).collect(), has_more: next_cursor.is_some(), next_cursor, total: None }
    }
}

/// Paging parameters shared by lists.
#[bounds]
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// How many items to return (1 to 100, default 25).
    #[bound(range(min = 1, max = 100))]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    #[bound(length(min = 1, max = 100))]
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    /// Always "accepted": the answer does not reveal whether the email is a member.
    pub status: String,
}
