//! Verifying the `Stripe-Signature` header of a webhook delivery.
//!
//! Stripe signs each delivery with HMAC-SHA256 over `"{t}.{raw body}"`, keyed
//! with the endpoint's signing secret, and sends
//! `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...][,v0=<hex>]`.
//! Several `v1` entries appear while Stripe rolls an endpoint's secret, and the
//! receiver may itself hold several current secrets (rotation on our side), so
//! every `v1` is checked against every secret. `v0` (test-mode legacy scheme)
//! and unknown keys are ignored.
//!
//! Verify over the exact bytes received, before parsing the body.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Stripe's own libraries default to five minutes.
pub const DEFAULT_TOLERANCE_SECS: i64 = 300;

/// Why a webhook delivery was not accepted as coming from Stripe.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the Stripe-Signature header is missing or empty")]
    MissingHeader,
    #[error("the Stripe-Signature header is malformed: {0}")]
    MalformedHeader(&'static str),
    #[error("the Stripe-Signature header carries no v1 signature")]
    NoV1Signature,
    #[error("no webhook signing secret is configured")]
    NoSecretsConfigured,
    #[error(
        "the signature timestamp {timestamp} is more than {tolerance_secs}s away from now ({now})"
    )]
    TimestampOutsideTolerance {
        timestamp: i64,
        now: i64,
        tolerance_secs: i64,
    },
    #[error("no v1 signature matches any configured signing secret")]
    NoMatchingSignature,
}

/// The parts of a `Stripe-Signature` header that verification uses.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ParsedSignatureHeader<'a> {
    /// The timestamp exactly as sent: Stripe signs this text.
    timestamp_text: &'a str,
    timestamp: i64,
    v1_signatures: Vec<&'a str>,
}

fn parse_signature_header(header: &str) -> Result<ParsedSignatureHeader<'_>, SignatureError> {
    let header = header.trim();
    if header.is_empty() {
        return Err(SignatureError::MissingHeader);
    }
    let mut timestamp: Option<(&str, i64)> = None;
    let mut v1_signatures = Vec::new();
    for item in header.split(',') {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let (key, value) = item
            .split_once('=')
            .ok_or(SignatureError::MalformedHeader("an entry has no '='"))?;
        match key.trim() {
            "t" => {
                if timestamp.is_some() {
                    return Err(SignatureError::MalformedHeader("more than one timestamp"));
                }
                let text = value.trim();
                let parsed = text.parse::<i64>().map_err(|_| {
                    SignatureError::MalformedHeader("the timestamp is not an integer")
                })?;
                timestamp = Some((text, parsed));
            }
            "v1" => v1_signatures.push(value.trim()),
            // v0 and any future scheme: not ours to check.
            _ => {}
        }
    }
    let (timestamp_text, timestamp) =
        timestamp.ok_or(SignatureError::MalformedHeader("no timestamp (t=)"))?;
    if v1_signatures.is_empty() {
        return Err(SignatureError::NoV1Signature);
    }
    Ok(ParsedSignatureHeader {
        timestamp_text,
        timestamp,
        v1_signatures,
    })
}

fn mac_for(secret: &str, timestamp_text: &str, payload: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(timestamp_text.as_bytes());
    mac.update(b".");
    mac.update(payload);
    mac
}

/// Checks that `payload` was signed by Stripe with one of `secrets` within
/// `tolerance_secs` of `now_unix` (in either direction).
///
/// `header` is the value of the `Stripe-Signature` header; pass `""` when the
/// request had none. Signatures are compared in constant time, and every `v1`
/// is compared with every secret.
pub fn verify_signature(
    payload: &[u8],
    header: &str,
    secrets: &[&str],
    now_unix: i64,
    tolerance_secs: i64,
) -> Result<(), SignatureError> {
    let parsed = parse_signature_header(header)?;
    if secrets.is_empty() {
        return Err(SignatureError::NoSecretsConfigured);
    }
    let decoded_signatures: Vec<Vec<u8>> = parsed
        .v1_signatures
        .iter()
        // A v1 that is not hex cannot match; it is skipped, not an error,
        // so that one odd entry does not hide a good one.
        .filter_map(|signature| hex::decode(signature).ok())
        .collect();

    let mut matched = false;
    for secret in secrets {
        let mac = mac_for(secret, parsed.timestamp_text, payload);
        for signature in &decoded_signatures {
            // `verify_slice` compares in constant time. No early exit, so the
            // time taken does not depend on which pair matched.
            matched |= mac.clone().verify_slice(signature).is_ok();
        }
    }
    if !matched {
        return Err(SignatureError::NoMatchingSignature);
    }

    let outside = match now_unix.checked_sub(parsed.timestamp) {
        Some(age) => age.checked_abs().is_none_or(|age| age > tolerance_secs),
        None => true,
    };
    if outside {
        return Err(SignatureError::TimestampOutsideTolerance {
            timestamp: parsed.timestamp,
            now: now_unix,
            tolerance_secs,
        });
    }
    Ok(())
}

/// Builds a `Stripe-Signature` header value for `payload` signed with `secret`
/// at `timestamp`, as Stripe would send it. For tests and benchmarks.
pub fn sign(payload: &[u8], secret: &str, timestamp: i64) -> String {
    let timestamp_text = timestamp.to_string();
    let signature = mac_for(secret, &timestamp_text, payload)
        .finalize()
        .into_bytes();
    format!("t={timestamp_text},v1={}", hex::encode(signature))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAYLOAD: &[u8] = br#"{"id":"evt_test_webhook","object":"event"}"#;
    const SECRET: &str = "whsec_test_secret_for_tollgate";
    const ROTATED_SECRET: &str = "whsec_rotated_second_secret";
    const TIMESTAMP: i64 = 1_700_000_000;
    /// Computed independently with Python:
    /// `hmac.new(b"whsec_test_secret_for_tollgate",
    ///  b'1700000000.{"id":"evt_test_webhook","object":"event"}',
    ///  hashlib.sha256).hexdigest()`
    const PYTHON_SIGNATURE: &str =
        "df42ddb57c3205f3b8508e5741b79cc142cc802b16607efa2eb71b4f0d34af3a";
    /// Same payload and timestamp, keyed with `ROTATED_SECRET` (Python too).
    const PYTHON_SIGNATURE_ROTATED: &str =
        "83ced03e099e136eb3af48f8ec7297ce322fa939dccd4bc52ffb72685cbe302c";

    #[test]
    fn sign_matches_an_independently_computed_vector() {
        assert_eq!(
            sign(PAYLOAD, SECRET, TIMESTAMP),
            format!("t=1700000000,v1={PYTHON_SIGNATURE}")
        );
    }

    #[test]
    fn accepts_the_independent_vector() {
        let header = format!("t=1700000000,v1={PYTHON_SIGNATURE}");
        assert_eq!(
            verify_signature(PAYLOAD, &header, &[SECRET], TIMESTAMP + 10, 300),
            Ok(())
        );
    }

    #[test]
    fn accepts_any_v1_with_any_secret_and_ignores_v0() {
        // Stripe rolling its secret: two v1 entries, only the second is ours.
        let header = format!(
            "t=1700000000,v1={},v1={PYTHON_SIGNATURE_ROTATED},v0=deadbeef",
            "0".repeat(64)
        );
        assert_eq!(
            verify_signature(PAYLOAD, &header, &[SECRET, ROTATED_SECRET], TIMESTAMP, 300),
            Ok(())
        );
        assert_eq!(
            verify_signature(PAYLOAD, &header, &[ROTATED_SECRET, SECRET], TIMESTAMP, 300),
            Ok(())
        );
        assert_eq!(
            verify_signature(PAYLOAD, &header, &[SECRET], TIMESTAMP, 300),
            Err(SignatureError::NoMatchingSignature)
        );
    }

    #[test]
    fn tolerates_spaces_and_unknown_keys() {
        let header = format!(" t=1700000000 , v1={PYTHON_SIGNATURE} , v9=whatever ");
        assert_eq!(
            verify_signature(PAYLOAD, &header, &[SECRET], TIMESTAMP, 300),
            Ok(())
        );
    }

    #[test]
    fn rejects_a_changed_payload() {
        let header = sign(PAYLOAD, SECRET, TIMESTAMP);
        let tampered = br#"{"id":"evt_test_webhook","object":"evenT"}"#;
        assert_eq!(
            verify_signature(tampered, &header, &[SECRET], TIMESTAMP, 300),
            Err(SignatureError::NoMatchingSignature)
        );
    }

    #[test]
    fn rejects_a_changed_timestamp() {
        let header = format!("t=1700000001,v1={PYTHON_SIGNATURE}");
        assert_eq!(
            verify_signature(PAYLOAD, &header, &[SECRET], TIMESTAMP, 300),
            Err(SignatureError::NoMatchingSignature)
        );
    }

    #[test]
    fn rejects_timestamps_outside_tolerance_in_both_directions() {
        let header = sign(PAYLOAD, SECRET, TIMESTAMP);
        // Exactly at the edge is accepted.
        assert_eq!(
            verify_signature(PAYLOAD, &header, &[SECRET], TIMESTAMP + 300, 300),
            Ok(())
        );
        assert_eq!(
            verify_signature(PAYLOAD, &header, &[SECRET], TIMESTAMP - 300, 300),
            Ok(())
        );
        let too_old = verify_signature(PAYLOAD, &header, &[SECRET], TIMESTAMP + 301, 300);
        assert_eq!(
            too_old,
            Err(SignatureError::TimestampOutsideTolerance {
                timestamp: TIMESTAMP,
                now: TIMESTAMP + 301,
                tolerance_secs: 300
            })
        );
        let from_the_future = verify_signature(PAYLOAD, &header, &[SECRET], TIMESTAMP - 301, 300);
        assert!(matches!(
            from_the_future,
            Err(SignatureError::TimestampOutsideTolerance { .. })
        ));
    }

    #[test]
    fn extreme_timestamps_do_not_overflow() {
        let header = sign(PAYLOAD, SECRET, i64::MIN);
        assert!(matches!(
            verify_signature(PAYLOAD, &header, &[SECRET], i64::MAX, 300),
            Err(SignatureError::TimestampOutsideTolerance { .. })
        ));
    }

    #[test]
    fn distinguishes_header_problems() {
        let verify = |header: &str| verify_signature(PAYLOAD, header, &[SECRET], TIMESTAMP, 300);
        assert_eq!(verify(""), Err(SignatureError::MissingHeader));
        assert_eq!(verify("   "), Err(SignatureError::MissingHeader));
        assert!(matches!(
            verify("garbage"),
            Err(SignatureError::MalformedHeader(_))
        ));
        assert!(matches!(
            verify(&format!("v1={PYTHON_SIGNATURE}")),
            Err(SignatureError::MalformedHeader(_))
        ));
        assert!(matches!(
            verify(&format!("t=soon,v1={PYTHON_SIGNATURE}")),
            Err(SignatureError::MalformedHeader(_))
        ));
        assert!(matches!(
            verify(&format!("t=1,t=2,v1={PYTHON_SIGNATURE}")),
            Err(SignatureError::MalformedHeader(_))
        ));
        assert_eq!(
            verify("t=1700000000,v0=abcdef"),
            Err(SignatureError::NoV1Signature)
        );
        assert_eq!(
            verify("t=1700000000,v1=not-hex"),
            Err(SignatureError::NoMatchingSignature)
        );
        // A truncated signature is a mismatch, not a panic.
        assert_eq!(
            verify(&format!("t=1700000000,v1={}", &PYTHON_SIGNATURE[..32])),
            Err(SignatureError::NoMatchingSignature)
        );
    }

    #[test]
    fn no_secrets_is_a_configuration_error() {
        let header = sign(PAYLOAD, SECRET, TIMESTAMP);
        assert_eq!(
            verify_signature(PAYLOAD, &header, &[], TIMESTAMP, 300),
            Err(SignatureError::NoSecretsConfigured)
        );
    }
}
