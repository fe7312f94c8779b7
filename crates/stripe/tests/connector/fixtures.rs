//! The JSON objects the tests read.
//!
//! `stripe_objects.json`: Stripe's own published example objects (current
//! API shape), copied from stripe/openapi (see `LICENSE-stripe`).
//! `localstripe_2017_08_15.json`: OLDER API VERSION SHAPE (2017-08-15, as
//! localstripe emits), captured from localstripe 1.15.10.

use serde_json::Value;

const STRIPE_OBJECTS: &str = include_str!("../fixtures/stripe_objects.json");
const LOCALSTRIPE_OBJECTS: &str = include_str!("../fixtures/localstripe_2017_08_15.json");

/// One of Stripe's example objects, by resource name (`"subscription"`,
/// `"checkout.session"`, ...).
pub fn stripe(resource: &str) -> Value {
    let all: Value = serde_json::from_str(STRIPE_OBJECTS).expect("stripe_objects.json is JSON");
    all["resources"]
        .get(resource)
        .unwrap_or_else(|| panic!("no Stripe example object {resource:?}"))
        .clone()
}

/// One of the objects captured from localstripe (old API version shape).
pub fn localstripe(name: &str) -> Value {
    let all: Value =
        serde_json::from_str(LOCALSTRIPE_OBJECTS).expect("localstripe_2017_08_15.json is JSON");
    all["objects"]
        .get(name)
        .unwrap_or_else(|| panic!("no localstripe object {name:?}"))
        .clone()
}

/// A Stripe list envelope around `objects`, as list endpoints answer.
pub fn list_of(objects: Vec<Value>, url: &str, has_more: bool) -> Value {
    serde_json::json!({ "object": "list", "data": objects, "has_more": has_more, "url": url })
}
