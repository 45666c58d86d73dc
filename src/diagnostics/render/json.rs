use crate::diagnostics::Diagnostic;
use crate::source::{SourceMap, Span};
use serde_json::{Value, json};

fn span_json(sources: &SourceMap, span: Span) -> serde_json::Map<String, Value> {
    let file = sources.get(span.file);
    let (start, end) = sources.line_col(span);
    let mut m = serde_json::Map::new();
    m.insert("file".into(), json!(file.name));
    m.insert("line".into(), json!(start.line));
    m.insert("column".into(), json!(start.column));
    m.insert("end_line".into(), json!(end.line));
    m.insert("end_column".into(), json!(end.column));
    m.insert("byte_start".into(), json!(span.start));
    m.insert("byte_end".into(), json!(span.end));
    m
}

/// One diagnostic as a JSON object (also used by other commands' JSON output).
fn to_json(d: &Diagnostic, sources: &SourceMap) -> Value {
    let mut obj = serde_json::Map::new();
    obj.insert("severity".into(), json!(d.severity.as_str()));
    obj.insert("code".into(), json!(d.code));
    obj.insert("message".into(), json!(d.message));
    match d.primary_span() {
        Some(span) => obj.extend(span_json(sources, span)),
        None => {
            for k in ["file", "line", "column", "end_line", "end_column"] {
                obj.insert(k.into(), Value::Null);
            }
        }
    }
    let labels: Vec<Value> = d
        .labels
        .iter()
        .map(|l| {
            let mut m = span_json(sources, l.span);
            m.insert("message".into(), json!(l.message));
            m.insert("primary".into(), json!(l.primary));
            Value::Object(m)
        })
        .collect();
    obj.insert("labels".into(), Value::Array(labels));
    obj.insert("help".into(), json!(d.help));
    Value::Object(obj)
}

/// One JSON object per line.
pub fn render_json(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in diags {
        // Control characters serde_json leaves raw (C1, bidi) are escaped too.
        out.push_str(&crate::visible::json(&to_json(d, sources).to_string()));
        out.push('\n');
    }
    out
}
