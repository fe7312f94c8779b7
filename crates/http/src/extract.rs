//! Extractors: validated JSON bodies and queries, credentials.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use tollgate_app::Services;
use tollgate_app::auth::{MemberPrincipal, Principal};
use validator::{Validate, ValidationErrors as VErrors, ValidationErrorsKind};

use crate::error::{ApiError, ProblemField};

/// Largest JSON body accepted.
pub const MAX_BODY: usize = 256 * 1024;

/// A JSON body that parsed and passed its `validator` rules. Malformed JSON
/// is 400; a well-formed body with wrong fields is 422 naming them; a body
/// over the limit is 413; another content type is 415.
pub struct ValidJson<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ValidJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let ct_ok = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let m = v.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
                m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
            });
        let declared = declared_length(req);
        let payload = payload.take();
        Box::pin(async move {
            let body = read_body(declared, payload, MAX_BODY, too_large).await?;
            match ct_ok {
                Some(true) => {}
                Some(false) => return Err(ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "send the body as application/json")),
                None if body.is_empty() => {}
                None => return Err(ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "send the body as application/json")),
            }
            let bytes: &[u8] = if body.is_empty() { b"{}" } else { &body };
            let value = parse_json::<T>(bytes)?;
            value.validate().map_err(validation_problem)?;
            Ok(ValidJson(value))
        })
    }
}

/// The body length the client declared (`Content-Length`), if any.
pub fn declared_length(req: &HttpRequest) -> Option<usize> {
    req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok())
}

/// Reads a request body of at most `max` bytes; a longer one (declared or
/// sent) is refused with `too_large()` before more of it is read.
pub async fn read_body<S>(declared: Option<usize>, mut payload: S, max: usize, too_large: impl Fn() -> ApiError) -> Result<web::BytesMut, ApiError>
where
    S: futures_util::Stream<Item = Result<web::Bytes, actix_web::error::PayloadError>> + Unpin,
{
    if declared.is_some_and(|n| n > max) {
        return Err(too_large());
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| ApiError::bad_request("invalid_body", "the request body could not be read"))?;
        if body.len() + chunk.len() > max {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn too_large() -> ApiError {
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", format!("the request body must be at most {} KiB", MAX_BODY / 1024))
}

/// Parses JSON, telling syntax errors (400) from data errors (422 with the field path).
/// A number with a zero fraction (`2.0`) is read as the integer it is, as JSON Schema does.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::bad_request("malformed_json", format!("the body is not valid JSON: {e}")))?;
    if !value.is_object() {
        // Every JSON body is an object; serde would read an array into a struct field by field.
        let message = format!("invalid type: {}, expected an object", kind(&value));
        return Err(ApiError::validation(vec![ProblemField { field: "body".into(), code: "invalid_type".into(), message }]));
    }
    integral_floats(&mut value);
    if let Some(field) = nul_at(&value, "") {
        return Err(nul_problem(field));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let msg = e.into_inner().to_string();
        let (field, code) = if let Some(f) = msg.strip_prefix("missing field `").and_then(|r| r.split('`').next()) {
            (join_path(&path, f), "required")
        } else if let Some(f) = msg.strip_prefix("unknown field `").and_then(|r| r.split('`').next()) {
            // The path already ends at the unknown field.
            (if path.is_empty() || path == "." { f.to_owned() } else { path }, "unknown_field")
        } else {
            (if path == "." { "body".to_owned() } else { path }, "invalid_type")
        };
        ApiError::validation(vec![ProblemField { field, code: code.into(), message: msg }])
    })
}

/// The path (`a.b[2]`) of the first string or key in `v` holding a NUL byte.
fn nul_at(v: &serde_json::Value, path: &str) -> Option<String> {
    match v {
        serde_json::Value::String(s) if s.contains('\0') => Some(if path.is_empty() { "body".into() } else { path.into() }),
        serde_json::Value::Array(items) => items.iter().enumerate().find_map(|(i, x)| nul_at(x, &format!("{path}[{i}]"))),
        serde_json::Value::Object(m) => m.iter().find_map(|(k, x)| {
            let p = if path.is_empty() { k.replace('\0', "") } else { format!("{path}.{}", k.replace('\0', "")) };
            if k.contains('\0') { Some(p) } else { nul_at(x, &p) }
        }),
        _ => None,
    }
}

/// Turns floats with a zero fraction that fit an `i64` into integers, everywhere in `v`.
fn integral_floats(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15) {
                *v = serde_json::Value::from(f as i64);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral_floats),
        serde_json::Value::Object(m) => m.values_mut().for_each(integral_floats),
        _ => {}
    }
}

/// Deserializes an optional object field, refusing an array (which serde
/// would otherwise read into a struct field by field).
pub fn option_object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: DeserializeOwned,
{
    use serde::de::Error;
    match <serde_json::Value as serde::Deserialize>::deserialize(d)? {
        serde_json::Value::Null => Ok(None),
        v @ serde_json::Value::Object(_) => T::deserialize(v).map(Some).map_err(D::Error::custom),
        other => Err(D::Error::custom(format!("invalid type: {}, expected an object", kind(&other)))),
    }
}

fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

fn join_path(base: &str, f: &str) -> String {
    if base.is_empty() || base == "." { f.to_owned() } else { format!("{base}.{f}") }
}

/// Turns `validator` errors into problem fields.
pub fn validation_problem(e: VErrors) -> ApiError {
    let mut out = vec![];
    collect(&e, "", &mut out);
    out.sort_by(|a, b| a.field.cmp(&b.field));
    ApiError::validation(out)
}

fn collect(e: &VErrors, prefix: &str, out: &mut Vec<ProblemField>) {
    for (field, kind) in e.errors() {
        let name = if prefix.is_empty() { field.to_string() } else { format!("{prefix}.{field}") };
        match kind {
            ValidationErrorsKind::Field(errs) => {
                for err in errs {
                    let message = err.message.as_ref().map(|m| m.to_string()).unwrap_or_else(|| describe(err));
                    out.push(ProblemField { field: name.clone(), code: err.code.to_string(), message });
                }
            }
            ValidationErrorsKind::Struct(inner) => collect(inner, &name, out),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    collect(inner, &format!("{name}[{i}]"), out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        n: i64,
        #[serde(default, deserialize_with = "option_object")]
        inner: Option<Inner>,
    }
    #[derive(Debug, serde::Deserialize)]
    struct Inner {
        #[allow(dead_code)]
        a: Option<i64>,
    }

    #[test]
    fn integral_floats_are_integers() {
        let b: Body = parse_json(br#"{"n": 522.0}"#).unwrap();
        assert_eq!(b.n, 522);
        let e = parse_json::<Body>(br#"{"n": 1.5}"#).unwrap_err();
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.errors[0].field, "n");
    }

    #[test]
    fn syntax_is_400_and_arrays_are_not_objects() {
        assert_eq!(parse_json::<Body>(b"{").unwrap_err().status, StatusCode::BAD_REQUEST);
        let e = parse_json::<Body>(br#"{"n": 1, "inner": [null]}"#).unwrap_err();
        assert_eq!((e.status, e.errors[0].field.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "inner"));
        assert!(parse_json::<Body>(br#"{"n": 1, "inner": {"a": 2}}"#).unwrap().inner.is_some());
        assert!(parse_json::<Body>(br#"{"n": 1, "inner": null}"#).unwrap().inner.is_none());
        let e = parse_json::<Body>(b"[1, null]").unwrap_err();
        assert_eq!((e.status, e.errors[0].field.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "body"));
    }
}

fn describe(err: &validator::ValidationError) -> String {
    let p = |k: &str| err.params.get(k).map(|v| v.to_string());
    match err.code.as_ref() {
        "length" => match (p("min"), p("max")) {
            (Some(min), Some(max)) => format!("must have between {min} and {max} characters"),
            (Some(min), None) => format!("must have at least {min} characters"),
            (None, Some(max)) => format!("must have at most {max} characters"),
            _ => "has the wrong length".into(),
        },
        "range" => match (p("min"), p("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max}"),
            _ => "is out of range".into(),
        },
        "email" => "must be an email address".into(),
        "url" => "must be a URL".into(),
        other => format!("is invalid ({other})"),
    }
}

/// A query string that parsed into `T` and passed its `validator` rules;
/// unknown or mistyped parameters are 422 naming the parameter.
pub struct ValidQuery<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ValidQuery<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()))
    }
}

/// A NUL byte is refused in every text input, the same on both databases
/// (PostgreSQL cannot store one in text; SQLite would cut strings at it).
fn nul_problem(field: String) -> ApiError {
    ApiError::validation(vec![ProblemField { field, code: "invalid_characters".into(), message: "must not contain a NUL byte".into() }])
}

fn parse_query<T: DeserializeOwned + Validate>(qs: &str) -> Result<ValidQuery<T>, ApiError> {
    if let Some((k, _)) = url::form_urlencoded::parse(qs.as_bytes()).find(|(k, v)| k.contains('\0') || v.contains('\0')) {
        return Err(nul_problem(k.replace('\0', "")));
    }
    let de = serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(qs.as_bytes()));
    let v: T = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let msg = e.into_inner().to_string();
        let (field, code) = if let Some(f) = msg.strip_prefix("unknown field `").and_then(|r| r.split('`').next()) {
            (f.to_owned(), "unknown_parameter")
        } else {
            (if path == "." { "query".into() } else { path }, "invalid_type")
        };
        ApiError::validation(vec![ProblemField { field, code: code.into(), message: msg }])
    })?;
    v.validate().map_err(validation_problem)?;
    Ok(ValidQuery(v))
}

fn bearer(req: &HttpRequest) -> Result<String, ApiError> {
    let h = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("missing_credentials", "send Authorization: Bearer <access token or API key>"))?;
    let s = h.to_str().map_err(|_| ApiError::unauthorized("invalid_credentials", "the Authorization header is not valid text"))?;
    let t = s
        .strip_prefix("Bearer ")
        .or_else(|| s.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 4096)
        .ok_or_else(|| ApiError::unauthorized("invalid_credentials", "the Authorization header must be `Bearer <token>`"))?;
    Ok(t.to_owned())
}

/// An authenticated admin or API key. The principal decides the app.
pub struct Auth(pub Principal);

impl FromRequest for Auth {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(&req).await.map(Auth) })
    }
}

/// Resolves the admin/API-key principal of a request once and caches it.
/// Inside an audited request, the principal becomes the actor of its entry.
pub async fn authenticate(req: &HttpRequest) -> Result<Principal, ApiError> {
    let cached = req.extensions().get::<Principal>().cloned();
    if let Some(p) = cached {
        tollgate_app::audit::set_actor(&p);
        return Ok(p);
    }
    let token = bearer(req)?;
    let services = req.app_data::<web::Data<Services>>().ok_or_else(ApiError::internal)?;
    let p = services.authenticate(&token).await?;
    req.extensions_mut().insert(p.clone());
    tollgate_app::audit::set_actor(&p);
    Ok(p)
}

/// An authenticated member (member area).
pub struct MemberAuth(pub MemberPrincipal);

impl FromRequest for MemberAuth {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let r = (|| {
            let token = bearer(req)?;
            let services = req.app_data::<web::Data<Services>>().ok_or_else(ApiError::internal)?;
            Ok(MemberAuth(services.authenticate_member(&token)?))
        })();
        std::future::ready(r)
    }
}

/// Deserializes a field that may be absent (`None`), `null` (`Some(None)`) or a value.
pub fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(d).map(Some)
}

/// Parses an id from the path; a malformed id names nothing, so 404.
pub fn path_id<T>(raw: &str, what: &str, parse: impl Fn(&str) -> Result<T, tollgate_domain::error::FieldProblem>) -> Result<T, ApiError> {
    parse(raw).map_err(|_| ApiError::not_found(what))
}

/// The client's IP address, for throttling: the socket peer, or, when the
/// peer is one of the configured `trusted_proxies`, the nearest untrusted
/// address in `X-Forwarded-For` (see `tollgate_app::throttle::client_ip`).
pub struct ClientIp(pub Option<std::net::IpAddr>);

impl FromRequest for ClientIp {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(ClientIp(client_ip(req))))
    }
}

/// See [`ClientIp`].
pub fn client_ip(req: &HttpRequest) -> Option<std::net::IpAddr> {
    let peer = req.peer_addr().map(|a| a.ip());
    let forwarded: Vec<&str> = req.headers().get_all("x-forwarded-for").filter_map(|v| v.to_str().ok()).collect();
    match req.app_data::<web::Data<Services>>() {
        Some(s) => s.throttle.client_ip(peer, &forwarded),
        None => peer,
    }
}
