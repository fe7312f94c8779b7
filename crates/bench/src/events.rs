//! The deliveries the load generator sends: `customer.subscription.updated`
//! events built around Stripe's own example subscription object (the one
//! kept in `crates/stripe/tests/fixtures/stripe_objects.json`), each with
//! its own event, subscription, customer and request ids, serialized
//! compactly (about 4 KB each) and signed like Stripe signs them.

use bytes::Bytes;
use serde_json::{Value, json};

/// Stripe's published example objects, as vendored by the stripe crate's tests.
const STRIPE_OBJECTS: &str = include_str!("../../stripe/tests/fixtures/stripe_objects.json");

/// Event ids are `evt_` + 8 hex digits naming the run + 16 naming the
/// delivery: every id has the same length, so a unique id can be written
/// over a template's in place.
pub const EVENT_ID_LEN: usize = 4 + 8 + 16;

pub fn event_id(run: u32, seq: u64) -> String {
    format!("evt_{run:08x}{seq:016x}")
}

/// One delivery body with where its event id sits.
#[derive(Clone)]
pub struct Delivery {
    pub body: Bytes,
    /// Byte offset of the event id (without quotes) in `body`.
    pub id_at: usize,
}

impl Delivery {
    /// A copy of this body carrying another event id of the same length.
    pub fn with_event_id(&self, id: &str) -> Vec<u8> {
        debug_assert_eq!(id.len(), EVENT_ID_LEN);
        let mut b = self.body.to_vec();
        b[self.id_at..self.id_at + EVENT_ID_LEN].copy_from_slice(id.as_bytes());
        b
    }
}

fn subscription_template() -> anyhow::Result<Value> {
    let all: Value = serde_json::from_str(STRIPE_OBJECTS)?;
    let sub = all["resources"]["subscription"].clone();
    anyhow::ensure!(sub["object"] == "subscription", "the fixture has no example subscription");
    Ok(sub)
}

/// `n` distinct deliveries for run `run` (event ids `event_id(run, 0..n)`),
/// each a plausible update of a different subscription.
pub fn deliveries(run: u32, n: usize, created: i64) -> anyhow::Result<Vec<Delivery>> {
    let template = subscription_template()?;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let id = event_id(run, i as u64);
        let sub_id = format!("sub_1Bench{i:014}");
        let customer = format!("cus_Bench{i:08}");
        let mut sub = template.clone();
        sub["id"] = json!(sub_id);
        sub["customer"] = json!(customer);
        sub["status"] = json!("active");
        sub["cancel_at_period_end"] = json!(i % 3 == 0);
        sub["created"] = json!(created - 86_400 * 30 - i as i64);
        if let Some(items) = sub["items"]["data"].as_array_mut() {
            for item in items {
                item["subscription"] = json!(sub_id);
                item["current_period_start"] = json!(created - 86_400 * 3);
                item["current_period_end"] = json!(created + 86_400 * 27);
            }
        }
        sub["items"]["url"] = json!(format!("/v1/subscription_items?subscription={sub_id}"));
        let event = json!({
            "id": id,
            "object": "event",
            "api_version": "2024-06-20",
            "created": created - (i as i64 % 60),
            "data": {
                "object": sub,
                "previous_attributes": {
                    "cancel_at_period_end": i % 3 != 0,
                    "status": if i % 7 == 0 { "past_due" } else { "active" },
                }
            },
            "livemode": false,
            "pending_webhooks": 1,
            "request": { "id": format!("req_Bench{i:010}"), "idempotency_key": format!("bench-{run:08x}-{i}") },
            "type": "customer.subscription.updated",
        });
        let body = serde_json::to_vec(&event)?;
        let needle = format!("\"{id}\"");
        let id_at = find(&body, needle.as_bytes()).ok_or_else(|| anyhow::anyhow!("event id not found in its body"))? + 1;
        out.push(Delivery { body: Bytes::from(body), id_at });
    }
    Ok(out)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deliveries_are_distinct_stripe_events_of_about_four_kilobytes() {
        let d = deliveries(7, 3, 1_800_000_000).unwrap();
        for (i, x) in d.iter().enumerate() {
            let v: Value = serde_json::from_slice(&x.body).unwrap();
            assert_eq!(v["id"], event_id(7, i as u64));
            assert_eq!(v["type"], "customer.subscription.updated");
            assert_eq!(v["data"]["object"]["object"], "subscription");
            assert!((3_500..5_000).contains(&x.body.len()), "{} bytes", x.body.len());
        }
        let other = d[1].with_event_id(&event_id(8, 99));
        let v: Value = serde_json::from_slice(&other).unwrap();
        assert_eq!(v["id"], event_id(8, 99));
        assert_eq!(v["data"], serde_json::from_slice::<Value>(&d[1].body).unwrap()["data"]);
    }
}
