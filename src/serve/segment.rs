//! Segment's tracking API as the clients send it: which paths take messages,
//! how a body turns into messages, and the settings analytics.js fetches.
//!
//! - `/v1/batch`, `/v1/b` (analytics.js's batching) and `/v1/import`: a body
//!   `{"batch": [message, …], …}`;
//! - `/v1/track`, `/v1/identify`, `/v1/page`, `/v1/screen`, `/v1/group`,
//!   `/v1/alias` and analytics.js's shorthands `/v1/t`, `/v1/i`, `/v1/p`,
//!   `/v1/s`, `/v1/g`, `/v1/a`: one message whose `type` the path implies;
//! - bodies may be gzip-compressed (`Content-Encoding: gzip`); the write key
//!   (Basic auth or `writeKey` in the body) is accepted and ignored.
//!
//! Each message becomes one line of the capture file, exactly the bytes the
//! client sent except that line breaks between JSON tokens become spaces (a
//! JSON string cannot hold a raw line break, so the JSON is unchanged), and,
//! for a per-call path, `"type"` is added in front when the message has none.

use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::io::Read;

/// The largest body accepted, after decompression (Segment's limit is 500 KB
/// per batch; a capture tool can be more lenient, but not unbounded).
pub(crate) const MAX_BODY: usize = 4 << 20;

/// What a POST path takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Endpoint {
    Batch,
    /// One message of this type.
    Call(&'static str),
}

/// The endpoint of a tracking API path (the query string already removed).
pub(crate) fn endpoint(path: &str) -> Option<Endpoint> {
    let rest = path.strip_prefix("/v1/")?.trim_end_matches('/');
    Some(match rest {
        "batch" | "b" | "import" => Endpoint::Batch,
        "track" | "t" => Endpoint::Call("track"),
        "identify" | "i" => Endpoint::Call("identify"),
        "page" | "p" => Endpoint::Call("page"),
        "screen" | "s" => Endpoint::Call("screen"),
        "group" | "g" => Endpoint::Call("group"),
        "alias" | "a" => Endpoint::Call("alias"),
        _ => return None,
    })
}

/// Why a body was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum BodyError {
    TooLarge,
    /// Not gzip although it says so.
    Encoding(String),
}

/// Reads a body, gunzipping it when `gzip` is set, up to [`MAX_BODY`] bytes.
pub(crate) fn read_body(reader: impl Read, gzip: bool) -> Result<Vec<u8>, BodyError> {
    let mut out = Vec::new();
    let limit = MAX_BODY as u64 + 1;
    let read = if gzip {
        flate2::read::MultiGzDecoder::new(reader)
            .take(limit)
            .read_to_end(&mut out)
    } else {
        reader.take(limit).read_to_end(&mut out)
    };
    match read {
        Ok(_) if out.len() > MAX_BODY => Err(BodyError::TooLarge),
        Ok(_) => Ok(out),
        Err(e) => Err(BodyError::Encoding(e.to_string())),
    }
}

#[derive(Deserialize)]
struct TypeOnly<'a> {
    #[serde(rename = "type", borrow, default)]
    ty: Option<&'a RawValue>,
}

/// A body the endpoint does not take: kept whole as one message (so
/// `validate` reports it as it reads it), with the reason for the response.
pub(crate) type Refused = (Vec<u8>, String);

/// The messages of a body, one capture line each.
pub(crate) fn messages(endpoint: Endpoint, body: &[u8]) -> Result<Vec<Cow<'_, [u8]>>, Refused> {
    match endpoint {
        Endpoint::Batch => match crate::validate::batch::messages(body) {
            Some(b) => Ok(b.into_iter().map(one_line).collect()),
            None => Err((
                one_line(body).into_owned(),
                "expected a JSON object with a `batch` array of messages".into(),
            )),
        },
        Endpoint::Call(ty) => {
            let object = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
            let has_type = std::str::from_utf8(body)
                .ok()
                .filter(|_| object)
                .and_then(|t| serde_json::from_str::<TypeOnly>(t).ok())
                .map(|t| t.ty.is_some());
            match has_type {
                Some(true) => Ok(vec![one_line(body)]),
                Some(false) => {
                    // `{` + `"type":"track",` + the rest, or `{"type":"track"}`.
                    let start = body.iter().position(|&b| b == b'{').unwrap_or(0);
                    let rest = &body[start + 1..];
                    let empty = rest
                        .iter()
                        .find(|b| !b.is_ascii_whitespace())
                        .is_some_and(|&b| b == b'}');
                    let mut out = Vec::with_capacity(body.len() + 20);
                    out.extend_from_slice(&body[..=start]);
                    out.extend_from_slice(b"\"type\":\"");
                    out.extend_from_slice(ty.as_bytes());
                    out.extend_from_slice(if empty { b"\"" } else { b"\"," });
                    out.extend_from_slice(rest);
                    Ok(vec![Cow::Owned(one_line(&out).into_owned())])
                }
                None => Err((
                    one_line(body).into_owned(),
                    "expected a JSON object (one message)".into(),
                )),
            }
        }
    }
}

/// The bytes on one line: CR and LF (only ever whitespace between JSON
/// tokens) become spaces, surrounding whitespace is trimmed.
fn one_line(bytes: &[u8]) -> Cow<'_, [u8]> {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    let bytes = &bytes[start..end];
    if memchr::memchr2(b'\n', b'\r', bytes).is_none() {
        return Cow::Borrowed(bytes);
    }
    Cow::Owned(
        bytes
            .iter()
            .map(|&b| if b == b'\n' || b == b'\r' { b' ' } else { b })
            .collect(),
    )
}

/// The settings analytics.js fetches at load
/// (`GET <cdn>/v1/projects/<writeKey>/settings`): the Segment.io destination
/// pointed at this collector (`host` is the `Host` the page used), and
/// nothing else to load.
pub(crate) fn settings(write_key: &str, host: &str) -> String {
    serde_json::json!({
        "integrations": {
            "Segment.io": {
                "apiKey": write_key,
                "apiHost": format!("{host}/v1"),
                "protocol": "http",
                "unbundledIntegrations": [],
                "addBundledMetadata": true,
                "maybeBundledConfigIds": {},
                "versionSettings": {"version": "4.4.7", "componentTypes": ["browser"]}
            }
        },
        "plan": {
            "track": {"__default": {"enabled": true, "integrations": {}}},
            "identify": {"__default": {"enabled": true}},
            "group": {"__default": {"enabled": true}}
        },
        "edgeFunction": {},
        "analyticsNextEnabled": true,
        "middlewareSettings": {},
        "enabledMiddleware": {},
        "metrics": {"sampleRate": 0},
        "legacyVideoPluginsEnabled": false,
        "remotePlugins": []
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(endpoint: Endpoint, body: &str) -> Vec<String> {
        messages(endpoint, body.as_bytes())
            .expect("accepted")
            .iter()
            .map(|m| String::from_utf8_lossy(m).into_owned())
            .collect()
    }

    #[test]
    fn paths() {
        assert_eq!(endpoint("/v1/batch"), Some(Endpoint::Batch));
        assert_eq!(endpoint("/v1/b"), Some(Endpoint::Batch));
        assert_eq!(endpoint("/v1/t"), Some(Endpoint::Call("track")));
        assert_eq!(endpoint("/v1/identify/"), Some(Endpoint::Call("identify")));
        assert_eq!(endpoint("/v1/x"), None);
        assert_eq!(endpoint("/track"), None);
    }

    #[test]
    fn batches_are_unwrapped() {
        assert_eq!(
            lines(
                Endpoint::Batch,
                "{\"batch\":[{\"type\":\"track\",\n \"event\":\"A\"}, {\"type\":\"page\"}],\"writeKey\":\"k\"}"
            ),
            vec![
                "{\"type\":\"track\",  \"event\":\"A\"}",
                "{\"type\":\"page\"}"
            ]
        );
        let (kept, why) = messages(Endpoint::Batch, b"{\"type\":\"track\"}").unwrap_err();
        assert_eq!(kept, b"{\"type\":\"track\"}");
        assert!(why.contains("batch"));
    }

    #[test]
    fn calls_get_their_type() {
        assert_eq!(
            lines(Endpoint::Call("track"), " {\"event\":\"A\"}\n"),
            vec!["{\"type\":\"track\",\"event\":\"A\"}"]
        );
        assert_eq!(
            lines(Endpoint::Call("page"), "{ }"),
            vec!["{\"type\":\"page\" }"]
        );
        assert_eq!(
            lines(Endpoint::Call("track"), "{\"type\":\"identify\"}"),
            vec!["{\"type\":\"identify\"}"]
        );
        assert!(messages(Endpoint::Call("track"), b"[1]").is_err());
        assert!(messages(Endpoint::Call("track"), b"{\"a\":").is_err());
    }

    #[test]
    fn gzip_bodies() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"{\"batch\":[]}").expect("gzips");
        let bytes = gz.finish().expect("gzips");
        assert_eq!(
            read_body(&bytes[..], true).expect("reads"),
            b"{\"batch\":[]}"
        );
        assert!(matches!(
            read_body(&b"not gzip"[..], true),
            Err(BodyError::Encoding(_))
        ));
        let big = vec![b' '; MAX_BODY + 1];
        assert_eq!(read_body(&big[..], false), Err(BodyError::TooLarge));
    }
}
