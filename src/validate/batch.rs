//! Segment batches: `{"batch": [message, …], …}`, what the server libraries
//! post to `/v1/batch` and what a copy from the browser's network tab holds.
//! `validate` checks each message of a batch as a payload of its own (all on
//! the batch's line); `serve` writes each as a line of the capture.

use serde::Deserialize;
use serde_json::value::RawValue;

#[derive(Deserialize)]
struct Batch<'a> {
    #[serde(borrow)]
    batch: Vec<&'a RawValue>,
    /// A message (it has a `type`) is never a batch, whatever its other keys.
    #[serde(rename = "type", default)]
    ty: Option<serde::de::IgnoredAny>,
}

/// The messages of a batch, or `None` when `bytes` is not one (a JSON object
/// whose `batch` is a list, without a `type`). Cheap for anything else: a
/// record without `"batch"` in it is not parsed.
pub(crate) fn messages(bytes: &[u8]) -> Option<Vec<&[u8]>> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{')
        || memchr::memmem::find(bytes, b"\"batch\"").is_none()
    {
        return None;
    }
    let b: Batch = serde_json::from_str(std::str::from_utf8(bytes).ok()?).ok()?;
    if b.ty.is_some() {
        return None;
    }
    Some(b.batch.into_iter().map(|m| m.get().as_bytes()).collect())
}

#[cfg(test)]
mod tests {

    fn messages(text: &str) -> Option<Vec<&str>> {
        super::messages(text.as_bytes()).map(|m| {
            m.into_iter()
                .map(|b| std::str::from_utf8(b).expect("UTF-8"))
                .collect()
        })
    }

    #[test]
    fn batches() {
        assert_eq!(
            messages(r#"{"batch": [{"type":"page"}, {"type": "track"}], "sentAt": "x"}"#),
            Some(vec![r#"{"type":"page"}"#, r#"{"type": "track"}"#])
        );
        assert_eq!(messages(r#"{"batch": []}"#), Some(vec![]));
        // Messages, and things that are not batches.
        assert_eq!(messages(r#"{"type": "track", "batch": []}"#), None);
        assert_eq!(
            messages(r#"{"type": "track", "properties": {"batch": [1]}}"#),
            None
        );
        assert_eq!(messages(r#"{"batch": 3}"#), None);
        assert_eq!(messages(r#"[{"batch": []}]"#), None);
        assert_eq!(messages(r#"{"batch": [}"#), None);
    }
}
