//! Stripe's form encoding of request parameters.
//!
//! Stripe takes `application/x-www-form-urlencoded` bodies (and query
//! strings) with nesting spelled in brackets: `metadata[plan]=gold`,
//! `recurring[interval]=month`, and arrays by index:
//! `line_items[0][price]=price_1`, `enabled_events[1]=invoice.paid`.
//!
//! [`FormParams::from_serializable`] flattens any `Serialize` value that
//! becomes a JSON object: `null` and empty arrays or objects are left out
//! (Stripe reads an empty value as "unset"; push one by hand if you mean it),
//! booleans become `true`/`false`.

use serde::Serialize;
use serde_json::Value;

/// Why parameters could not be form-encoded.
#[derive(Debug, thiserror::Error)]
pub enum FormEncodeError {
    #[error("request parameters could not be serialized")]
    Serialize(#[source] serde_json::Error),
    #[error("request parameters must be an object (a struct or a map), not {0}")]
    NotAnObject(&'static str),
}

/// Ordered `key=value` pairs in Stripe's bracket notation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormParams {
    pairs: Vec<(String, String)>,
}

impl FormParams {
    pub fn new() -> Self {
        Self::default()
    }

    /// Flattens a struct or map into Stripe's bracket notation.
    pub fn from_serializable<T: Serialize + ?Sized>(params: &T) -> Result<Self, FormEncodeError> {
        let value = serde_json::to_value(params).map_err(FormEncodeError::Serialize)?;
        Self::from_json(&value)
    }

    /// Flattens a JSON object into Stripe's bracket notation.
    pub fn from_json(value: &Value) -> Result<Self, FormEncodeError> {
        let Value::Object(fields) = value else {
            return Err(FormEncodeError::NotAnObject(crate::types::json_kind(value)));
        };
        let mut params = FormParams::new();
        for (key, field) in fields {
            flatten_into(key.clone(), field, &mut params.pairs);
        }
        Ok(params)
    }

    /// Appends a pair.
    pub fn push(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.pairs.push((key.into(), value.into()));
    }

    /// Replaces every pair with this key by one pair (appended if absent).
    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        match self.pairs.iter().position(|(existing, _)| existing == key) {
            Some(first) => {
                self.pairs[first].1 = value;
                let mut index = 0;
                self.pairs.retain(|(existing, _)| {
                    let keep = existing != key || index == first;
                    index += 1;
                    keep
                });
            }
            None => self.push(key, value),
        }
    }

    /// The value of the first pair with this key.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(existing, _)| existing == key)
            .map(|(_, value)| value.as_str())
    }

    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// `application/x-www-form-urlencoded` text, usable as a body or a query.
    pub fn encode(&self) -> String {
        let mut serializer = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in &self.pairs {
            serializer.append_pair(key, value);
        }
        serializer.finish()
    }
}

fn flatten_into(key: String, value: &Value, pairs: &mut Vec<(String, String)>) {
    match value {
        Value::Null => {}
        Value::Bool(flag) => pairs.push((key, flag.to_string())),
        Value::Number(number) => pairs.push((key, number.to_string())),
        Value::String(text) => pairs.push((key, text.clone())),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                flatten_into(format!("{key}[{index}]"), item, pairs);
            }
        }
        Value::Object(fields) => {
            for (field, item) in fields {
                flatten_into(format!("{key}[{field}]"), item, pairs);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    fn sorted(params: &FormParams) -> Vec<(&str, &str)> {
        let mut pairs: Vec<(&str, &str)> = params
            .pairs()
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str()))
            .collect();
        pairs.sort();
        pairs
    }

    #[test]
    fn flattens_nested_objects_and_arrays_with_brackets() {
        let params = FormParams::from_json(&json!({
            "mode": "subscription",
            "line_items": [
                { "price": "price_1", "quantity": 1 },
                { "price": "price_2", "quantity": 3 }
            ],
            "subscription_data": { "metadata": { "app": "tollgate" } },
            "allow_promotion_codes": true,
            "enabled_events": ["invoice.paid", "charge.refunded"],
            "a": { "b": { "c": "deep" } }
        }))
        .expect("encodes");
        assert_eq!(
            sorted(&params),
            vec![
                ("a[b][c]", "deep"),
                ("allow_promotion_codes", "true"),
                ("enabled_events[0]", "invoice.paid"),
                ("enabled_events[1]", "charge.refunded"),
                ("line_items[0][price]", "price_1"),
                ("line_items[0][quantity]", "1"),
                ("line_items[1][price]", "price_2"),
                ("line_items[1][quantity]", "3"),
                ("mode", "subscription"),
                ("subscription_data[metadata][app]", "tollgate"),
            ]
        );
    }

    #[test]
    fn leaves_out_nulls_and_empty_collections() {
        let params = FormParams::from_json(&json!({
            "customer": null,
            "metadata": {},
            "images": [],
            "name": "Course",
            "active": false,
            "unit_amount": 0
        }))
        .expect("encodes");
        assert_eq!(
            sorted(&params),
            vec![
                ("active", "false"),
                ("name", "Course"),
                ("unit_amount", "0")
            ]
        );
    }

    #[test]
    fn encodes_structs_through_serde() {
        #[derive(Serialize)]
        struct CreatedFilter {
            gt: i64,
        }
        #[derive(Serialize)]
        struct Params {
            created: CreatedFilter,
            #[serde(rename = "type")]
            event_type: Option<&'static str>,
            metadata: BTreeMap<&'static str, &'static str>,
        }
        let params = FormParams::from_serializable(&Params {
            created: CreatedFilter { gt: 1_700_000_000 },
            event_type: None,
            metadata: BTreeMap::from([("user id", "u 1")]),
        })
        .expect("encodes");
        assert_eq!(
            sorted(&params),
            vec![("created[gt]", "1700000000"), ("metadata[user id]", "u 1")]
        );
    }

    #[test]
    fn percent_encodes_keys_and_values() {
        let mut params = FormParams::new();
        params.push("metadata[note]", "a&b=c d/é");
        params.push("email", "buyer+tag@example.com");
        let encoded = params.encode();
        assert_eq!(
            encoded,
            "metadata%5Bnote%5D=a%26b%3Dc+d%2F%C3%A9&email=buyer%2Btag%40example.com"
        );
        let decoded: Vec<(String, String)> = url::form_urlencoded::parse(encoded.as_bytes())
            .into_owned()
            .collect();
        assert_eq!(decoded, params.pairs());
    }

    #[test]
    fn refuses_non_objects() {
        assert!(matches!(
            FormParams::from_json(&json!(["a"])),
            Err(FormEncodeError::NotAnObject("an array"))
        ));
        assert!(matches!(
            FormParams::from_serializable(&"text"),
            Err(FormEncodeError::NotAnObject("a string"))
        ));
    }

    #[test]
    fn set_replaces_every_pair_with_the_key() {
        let mut params = FormParams::new();
        params.push("limit", "10");
        params.push("starting_after", "a");
        params.push("starting_after", "b");
        params.set("starting_after", "c");
        params.set("ending_before", "z");
        assert_eq!(params.get("starting_after"), Some("c"));
        assert_eq!(
            params.pairs(),
            &[
                ("limit".to_owned(), "10".to_owned()),
                ("starting_after".to_owned(), "c".to_owned()),
                ("ending_before".to_owned(), "z".to_owned()),
            ]
        );
    }
}
