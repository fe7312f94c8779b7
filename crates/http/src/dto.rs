//! Wire types: what the API accepts and returns.
//!
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

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::PartialSchema;

    #[bounds]
    #[derive(Debug, Deserialize, Validate, ToSchema)]
    struct Body {
        #[bound(length(min = 2, max = 5))]
        #[validate(email)]
        #[schema(format = Email)]
        email: String,
        #[bound(range(min = 1, max = 9))]
        n: Option<i64>,
        #[bound(items(min = 1, max = 2))]
        tags: Option<Vec<String>>,
        #[bound(length(equal = 3))]
        code: Option<String>,
    }

    /// One `#[bound]` gives the validator rule (and keeps the field's other
    /// rules) and the document's bounds (and keeps its other settings).
    #[test]
    fn a_bound_is_the_rule_and_the_documented_bounds() {
        let e = Body { email: "a".into(), n: Some(10), tags: Some(vec!["x".into(); 3]), code: Some("usdx".into()) }.validate().unwrap_err();
        let codes = |f: &str| e.field_errors()[f].iter().map(|x| x.code.to_string()).collect::<Vec<_>>();
        assert_eq!(codes("email"), ["length", "email"]);
        assert_eq!(codes("n"), ["range"]);
        assert_eq!(codes("tags"), ["length"]);
        assert_eq!(codes("code"), ["length"]);
        assert!(Body { email: "a@b.c".into(), n: Some(9), tags: Some(vec!["x".into(); 2]), code: Some("usd".into()) }.validate().is_ok());

        let doc = serde_json::to_value(Body::schema()).unwrap();
        let email = &doc["properties"]["email"];
        assert_eq!((email["minLength"].as_u64(), email["maxLength"].as_u64(), email["format"].as_str()), (Some(2), Some(5), Some("email")));
        assert_eq!((doc["properties"]["n"]["minimum"].as_f64(), doc["properties"]["n"]["maximum"].as_f64()), (Some(1.0), Some(9.0)));
        let tags = &doc["properties"]["tags"];
        assert_eq!((tags["minItems"].as_u64(), tags["maxItems"].as_u64(), tags.get("minLength")), (Some(1), Some(2), None));
        let code = &doc["properties"]["code"];
        assert_eq!((code["minLength"].as_u64(), code["maxLength"].as_u64()), (Some(3), Some(3)));
    }

    #[test]
    fn query_bounds_are_documented_on_the_parameters() {
        let params = serde_json::to_value(<ListQuery as IntoParams>::into_params(|| None)).unwrap();
        let param = |name: &str| params.as_array().unwrap().iter().find(|p| p["name"] == name).unwrap()["schema"].clone();
        assert_eq!((param("limit")["minimum"].as_f64(), param("limit")["maximum"].as_f64()), (Some(1.0), Some(100.0)));
        assert_eq!((param("cursor")["minLength"].as_u64(), param("cursor")["maxLength"].as_u64()), (Some(1), Some(100)));
        let e = ListQuery { limit: Some(0), cursor: Some(String::new()) }.validate().unwrap_err();
        assert_eq!(e.field_errors()["limit"][0].code, "range");
        assert_eq!(e.field_errors()["cursor"][0].code, "length");
    }
}
