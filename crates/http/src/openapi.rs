//! The rules every operation of the document follows, written once: the
//! problem answers the shared extractors and middleware give (401 and 403
//! from credentials, 400/413/415/422 from a JSON body, 422 from a query,
//! 404 from a path id), and the bounds of id cursors (`cursor`, checked by
//! `tollgate_domain::page::id_cursor`). A list's `limit` declares its bounds
//! on its query type (`#[bound(range(…))]`, checked by the validator too).
//! An operation's own `#[utoipa::path]` declares only
//! what is particular to it; a status it declares itself keeps its
//! description. The same document answers which methods a path takes, for
//! the 405 of an unknown method.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{Object, Schema, Type};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, ResponseBuilder};

/// Longest `cursor` (`tollgate_domain::page::id_cursor`).
const MAX_CURSOR: usize = 64;

/// Adds the shared problem answers and parameter bounds to every operation.
pub(crate) fn complete(api: &mut OpenApi) {
    let schemas = api.components.as_ref().map(|c| c.schemas.clone()).unwrap_or_default();
    for (path, item) in api.paths.paths.iter_mut() {
        let webhook = !path.starts_with("/api/");
        for op in [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch].into_iter().flatten() {
            shared_responses(op, webhook);
            parameter_bounds(op);
            optional_empty_body(op, &schemas, webhook);
        }
    }
}

/// An empty JSON body reads as `{}`: where `{}` is a valid body (no
/// required field), the body itself is optional.
fn optional_empty_body(op: &mut Operation, schemas: &std::collections::BTreeMap<String, RefOr<Schema>>, webhook: bool) {
    let Some(body) = op.request_body.as_mut() else { return };
    let Some(content) = body.content.get("application/json") else { return };
    if webhook {
        return;
    }
    let object = match &content.schema {
        Some(RefOr::Ref(r)) => r.ref_location.strip_prefix("#/components/schemas/").and_then(|n| schemas.get(n)),
        Some(s) => Some(s),
        None => None,
    };
    if let Some(RefOr::T(Schema::Object(o))) = object {
        if o.required.is_empty() && is(o, Type::Object) {
            body.required = Some(utoipa::openapi::Required::False);
        }
    }
}

fn security_schemes(op: &Operation) -> Vec<String> {
    let Some(reqs) = &op.security else { return vec![] };
    let Ok(serde_json::Value::Array(reqs)) = serde_json::to_value(reqs) else { return vec![] };
    reqs.iter().filter_map(|r| r.as_object()).flat_map(|o| o.keys().cloned()).collect()
}

fn shared_responses(op: &mut Operation, webhook: bool) {
    let schemes = security_schemes(op);
    let mut add = |status: &str, description: &str| {
        if !op.responses.responses.contains_key(status) {
            let problem = Content::new(Some(RefOr::Ref(Ref::from_schema_name("Problem"))));
            let r = ResponseBuilder::new().description(description).content("application/problem+json", problem).build();
            op.responses.responses.insert(status.to_owned(), RefOr::T(r));
        }
    };
    if !schemes.is_empty() {
        add("401", "missing_credentials, invalid_credentials, invalid_token or invalid_api_key: send a valid `Authorization: Bearer` credential");
    }
    if schemes.iter().any(|s| s == "bearer") {
        add("403", "forbidden: the admin's role or the API key's scopes do not allow this");
    }
    let params = op.parameters.as_deref().unwrap_or_default();
    if params.iter().any(|p| p.parameter_in == ParameterIn::Path) {
        add("404", "not_found: nothing with this id in the app");
    }
    if params.iter().any(|p| p.parameter_in == ParameterIn::Query) {
        add("422", "validation_failed: `errors` names the query parameters that are unknown, mistyped or out of range");
    }
    if params.iter().any(|p| p.parameter_in == ParameterIn::Header && p.name == "Idempotency-Key") {
        add("409", "idempotency_key_in_use: a request with this Idempotency-Key is still being processed");
        add("422", "idempotency_key_reused (the key was used with another request) or validation_failed");
    }
    let body_types: Vec<String> = op.request_body.as_ref().map(|b| b.content.keys().cloned().collect()).unwrap_or_default();
    if body_types.iter().any(|t| t == "application/json") && !webhook {
        add("400", "malformed_json: the body is not JSON");
        add("413", "payload_too_large: the body is over 256 KiB");
        add("415", "unsupported_media_type: send the body as application/json");
        add("422", "validation_failed: `errors` names the fields that are missing, mistyped or out of range");
    } else if !body_types.is_empty() && !webhook {
        add("400", "invalid_body: the body could not be read");
        add("413", "payload_too_large: the body is over the limit");
    }
}

fn parameter_bounds(op: &mut Operation) {
    for p in op.parameters.iter_mut().flatten() {
        let Some(RefOr::T(Schema::Object(o))) = p.schema.as_mut() else { continue };
        if p.parameter_in == ParameterIn::Header && p.name == "Idempotency-Key" {
            o.pattern = Some("^[!-~]{1,255}$".into());
            o.min_length = Some(1);
            o.max_length = Some(255);
        }
        if p.parameter_in != ParameterIn::Query {
            continue;
        }
        // Id cursors; a list with another kind of cursor declares its pattern.
        if p.name == "cursor" && is(o, Type::String) && o.pattern.is_none() {
            o.min_length = Some(1);
            o.max_length = Some(o.max_length.map_or(MAX_CURSOR, |m| m.min(MAX_CURSOR)));
            o.pattern = Some("^[A-Za-z0-9_]+$".into());
        }
    }
}

fn is(o: &Object, t: Type) -> bool {
    match &o.schema_type {
        utoipa::openapi::schema::SchemaType::Type(x) => *x == t,
        utoipa::openapi::schema::SchemaType::Array(xs) => xs.contains(&t),
        _ => false,
    }
}

/// The methods each path of the document takes, to answer an unknown
/// method on a known path with 405 and `Allow`.
#[derive(Debug, Clone, Default)]
pub(crate) struct MethodIndex {
    /// Path templates split into segments (`None` for a `{param}`), with their methods.
    paths: Vec<(Vec<Option<String>>, Vec<&'static str>)>,
}

impl MethodIndex {
    pub(crate) fn new(api: &OpenApi) -> Self {
        let mut paths = vec![];
        for (path, item) in &api.paths.paths {
            let segments = path
                .trim_start_matches('/')
                .split('/')
                .map(|s| if s.starts_with('{') && s.ends_with('}') { None } else { Some(s.to_owned()) })
                .collect();
            let methods: Vec<&'static str> = [
                ("GET", item.get.is_some()),
                ("PUT", item.put.is_some()),
                ("POST", item.post.is_some()),
                ("DELETE", item.delete.is_some()),
                ("PATCH", item.patch.is_some()),
            ]
            .into_iter()
            .filter_map(|(m, has)| has.then_some(m))
            .collect();
            paths.push((segments, methods));
        }
        Self { paths }
    }

    /// The methods of the most specific path template matching `path`
    /// (literal segments win over parameters), if any matches.
    pub(crate) fn allowed(&self, path: &str) -> Option<&[&'static str]> {
        let given: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        self.paths
            .iter()
            .filter(|(segs, _)| {
                segs.len() == given.len() && segs.iter().zip(&given).all(|(s, g)| s.as_deref().is_none_or(|lit| lit == *g) && (s.is_some() || !g.is_empty()))
            })
            .min_by_key(|(segs, _)| segs.iter().map(|s| s.is_none() as usize).collect::<Vec<_>>())
            .map(|(_, m)| m.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_declares_the_shared_answers() {
        let doc = crate::openapi();
        for (path, item) in &doc.paths.paths {
            for op in [&item.get, &item.put, &item.post, &item.delete, &item.patch].into_iter().flatten() {
                let has = |s: &str| op.responses.responses.contains_key(s);
                let id = op.operation_id.clone().unwrap_or_default();
                if !security_schemes(op).is_empty() {
                    assert!(has("401"), "{path} {id} declares no 401");
                }
                if op.request_body.as_ref().is_some_and(|b| b.content.contains_key("application/json")) && path.starts_with("/api/") {
                    for s in ["400", "413", "415", "422"] {
                        assert!(has(s), "{path} {id} declares no {s}");
                    }
                }
            }
        }
    }

    /// Nothing patches `limit` into the document: each list's query type
    /// declares the bounds its validator checks.
    #[test]
    fn every_limit_declares_its_bounds() {
        let doc = crate::openapi();
        let max = f64::from(tollgate_domain::page::MAX_LIMIT);
        for (path, item) in &doc.paths.paths {
            for op in [&item.get, &item.put, &item.post, &item.delete, &item.patch].into_iter().flatten() {
                for p in op.parameters.iter().flatten().filter(|p| p.parameter_in == ParameterIn::Query && p.name == "limit") {
                    let v = serde_json::to_value(&p.schema).unwrap();
                    assert_eq!((v["minimum"].as_f64(), v["maximum"].as_f64()), (Some(1.0), Some(max)), "{path}: limit");
                }
            }
        }
    }

    #[test]
    fn allowed_methods_prefer_literal_segments() {
        let doc = crate::openapi();
        let idx = MethodIndex::new(&doc);
        assert_eq!(idx.allowed("/api/v1/products/sale-problems"), Some(&["GET"][..]));
        assert_eq!(idx.allowed("/api/v1/products/prod_1"), Some(&["GET", "DELETE", "PATCH"][..]));
        assert_eq!(idx.allowed("/api/v1/products/"), None);
        assert_eq!(idx.allowed("/api/v1/nothing"), None);
    }
}
