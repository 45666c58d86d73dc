//! Reading Segment tracking plans kept in Terraform: the `segment_tracking_plan`
//! resources of a `.tf` file, each with its rules:
//!
//! ```hcl
//! resource "segment_tracking_plan" "web" {
//!   name = "Web"
//!   type = "LIVE"
//!   rules = [
//!     {
//!       key         = "Order Completed"
//!       type        = "TRACK"
//!       version     = 1
//!       json_schema = jsonencode({ "$schema" = "…", properties = { … } })
//!     },
//!   ]
//! }
//! ```
//!
//! `rules` may also be written as repeated `rules { … }` blocks; `json_schema` as
//! `jsonencode(…)` of an HCL value, or a JSON string (a quoted string or a
//! heredoc). Only literal HCL is read: a reference (`var.x`), a function other
//! than `jsonencode` or an interpolation is a warning naming its line. Each
//! rule is then read as a Public API rule ([`super::segment`]).

use super::segment::{Builder, Kind, Rule, version};
use super::{ImportError, Plan, Report, pointer_token};
use serde_json::{Map, Value};

pub(crate) fn read(text: &str) -> Result<(Plan, Report), ImportError> {
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        i: 0,
        depth: 0,
        notes: Vec::new(),
    };
    let body = p.body(None)?;
    let mut b = Builder::default();
    for (line, message) in p.notes {
        b.report.warn("plan", format!("line {line}"), message);
    }
    let mut found = 0;
    for res in blocks(&body, "resource") {
        let labels = labels(res);
        if labels.first().map(String::as_str) != Some("segment_tracking_plan") {
            continue;
        }
        found += 1;
        let at = format!(
            "segment_tracking_plan.{}",
            labels.get(1).map_or("", String::as_str)
        );
        resource(&mut b, res, &at)?;
    }
    if found == 0 {
        return Err(ImportError::new(
            "",
            "no `resource \"segment_tracking_plan\"` in this file",
        ));
    }
    Ok(b.finish())
}

fn blocks<'v>(body: &'v Map<String, Value>, name: &str) -> Vec<&'v Map<String, Value>> {
    match body.get(name) {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_object).collect(),
        Some(Value::Object(o)) => vec![o],
        _ => Vec::new(),
    }
}

/// The labels of a block (`resource "type" "name"`).
fn labels(block: &Map<String, Value>) -> Vec<String> {
    block
        .get(LABELS)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Where a block keeps its labels (not a valid HCL name).
const LABELS: &str = " labels";

fn resource(b: &mut Builder, res: &Map<String, Value>, at: &str) -> Result<(), ImportError> {
    for (k, v) in res {
        let here = format!("{at}/{}", pointer_token(k));
        match k.as_str() {
            LABELS | "rules" => {}
            "name" => {
                if let Some(n) = v.as_str()
                    && b.plan.title.is_empty()
                {
                    b.plan.title = n.to_string();
                }
            }
            "description" if v.as_str().is_some_and(str::is_empty) => {}
            "type" | "provider" | "lifecycle" | "depends_on" => b.report.skip(k),
            _ => b.report.warn(
                "plan",
                here,
                format!("resource attribute `{k}` is not modelled; dropped"),
            ),
        }
    }
    let rules: Vec<&Value> = match res.get("rules") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => Vec::new(),
    };
    // `json_schema` strings parsed here, kept alive for the rules.
    let mut parsed: Vec<Option<Value>> = Vec::with_capacity(rules.len());
    for (i, rule) in rules.iter().enumerate() {
        let here = format!("{at}/rules/{i}/json_schema");
        parsed.push(match rule.get("json_schema") {
            Some(Value::String(s)) => {
                Some(serde_json::from_str(s).map_err(|e| {
                    ImportError::new(&here, format!("`json_schema` is not JSON: {e}"))
                })?)
            }
            _ => None,
        });
    }
    for (i, rule) in rules.iter().enumerate() {
        let here = format!("{at}/rules/{i}");
        let Some(obj) = rule.as_object() else {
            return Err(ImportError::new(here, "a rule must be an object"));
        };
        let kind = obj
            .get("type")
            .and_then(Value::as_str)
            .and_then(Kind::parse)
            .ok_or_else(|| {
                ImportError::new(
                    format!("{here}/type"),
                    "a rule needs a `type`: TRACK, IDENTIFY, GROUP, COMMON, PAGE or SCREEN",
                )
            })?;
        let schema = match (&parsed[i], obj.get("json_schema")) {
            (Some(Value::Object(s)), _) => Some(s),
            (_, Some(Value::Object(s))) => Some(s),
            (_, None | Some(Value::Null)) => None,
            _ => {
                return Err(ImportError::new(
                    format!("{here}/json_schema"),
                    "`json_schema` must be a JSON object",
                ));
            }
        };
        for k in obj.keys() {
            if !["key", "type", "version", "json_schema", LABELS].contains(&k.as_str()) {
                b.report.warn(
                    "plan",
                    format!("{here}/{}", pointer_token(k)),
                    format!("rule attribute `{k}` is not modelled; dropped"),
                );
            }
        }
        b.rule(Rule {
            kind,
            key: obj
                .get("key")
                .and_then(Value::as_str)
                .filter(|k| !k.trim().is_empty()),
            version: version(obj.get("version"), &here)?,
            schema,
            at: here.clone(),
            schema_at: format!("{here}/json_schema"),
            description: None,
            lifted: false,
        })?;
    }
    Ok(())
}

/// A parser of literal HCL: bodies (attributes and blocks), objects, tuples,
/// strings, heredocs, numbers, `true`/`false`/`null` and `jsonencode(…)`.
struct Parser<'t> {
    s: &'t [u8],
    text: &'t str,
    i: usize,
    depth: usize,
    /// (line, message) of what was not read.
    notes: Vec<(usize, String)>,
}

const MAX_DEPTH: usize = 128;

impl Parser<'_> {
    fn line_col(&self, at: usize) -> (usize, usize) {
        let before = &self.text[..at.min(self.text.len())];
        let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
        let col = before
            .rfind('\n')
            .map_or(before.len(), |n| before.len() - n - 1)
            + 1;
        (line, col)
    }

    fn error(&self, message: impl Into<String>) -> ImportError {
        let (l, c) = self.line_col(self.i);
        ImportError::new(format!("{l}:{c}"), message)
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    /// Skips spaces, newlines, commas (as separators) and comments.
    fn skip(&mut self, commas: bool) {
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\r' | b'\n' => self.i += 1,
                b',' if commas => self.i += 1,
                b'#' => self.skip_line(),
                b'/' if self.s.get(self.i + 1) == Some(&b'/') => self.skip_line(),
                b'/' if self.s.get(self.i + 1) == Some(&b'*') => {
                    match self.text[self.i + 2..].find("*/") {
                        Some(n) => self.i += n + 4,
                        None => self.i = self.s.len(),
                    }
                }
                _ => break,
            }
        }
    }

    fn skip_line(&mut self) {
        while let Some(c) = self.peek() {
            self.i += 1;
            if c == b'\n' {
                break;
            }
        }
    }

    fn ident(&mut self) -> Option<&str> {
        let start = self.i;
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.' {
                self.i += 1;
            } else {
                break;
            }
        }
        (self.i > start).then(|| &self.text[start..self.i])
    }

    fn enter(&mut self) -> Result<(), ImportError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(format!("nested more than {MAX_DEPTH} deep")));
        }
        Ok(())
    }

    /// Attributes and blocks up to `end` (`}`) or the end of the text.
    fn body(&mut self, end: Option<u8>) -> Result<Map<String, Value>, ImportError> {
        self.enter()?;
        let mut out = Map::new();
        loop {
            self.skip(false);
            match (self.peek(), end) {
                (None, None) => break,
                (None, Some(_)) => return Err(self.error("unclosed block: expected `}`")),
                (Some(c), Some(e)) if c == e => {
                    self.i += 1;
                    break;
                }
                _ => {}
            }
            let name = match self.peek() {
                Some(b'"') => match self.string()? {
                    Value::String(s) => s,
                    _ => String::new(),
                },
                _ => match self.ident() {
                    Some(n) => n.to_string(),
                    None => {
                        return Err(self.error("expected an attribute or a block name"));
                    }
                },
            };
            while matches!(self.peek(), Some(b' ' | b'\t')) {
                self.i += 1;
            }
            if self.peek() == Some(b'=') {
                self.i += 1;
                let v = self.expr()?;
                out.insert(name, v);
                continue;
            }
            // A block: labels, then `{`.
            let mut labels = Vec::new();
            loop {
                self.skip(false);
                match self.peek() {
                    Some(b'{') => {
                        self.i += 1;
                        break;
                    }
                    Some(b'"') => labels.push(self.string()?),
                    _ => match self.ident() {
                        Some(l) => labels.push(Value::String(l.to_string())),
                        None => return Err(self.error("expected `=` or a block's `{`")),
                    },
                }
            }
            let mut block = self.body(Some(b'}'))?;
            block.insert(LABELS.to_string(), Value::Array(labels));
            match out.get_mut(&name) {
                Some(Value::Array(a)) => a.push(Value::Object(block)),
                _ => {
                    out.insert(name, Value::Array(vec![Value::Object(block)]));
                }
            }
        }
        self.depth -= 1;
        Ok(out)
    }

    fn expr(&mut self) -> Result<Value, ImportError> {
        self.skip(false);
        let start = self.i;
        let v = match self.peek() {
            None => return Err(self.error("expected a value")),
            Some(b'{') => {
                self.i += 1;
                self.object()?
            }
            Some(b'[') => {
                self.i += 1;
                self.tuple()?
            }
            Some(b'"') => self.string()?,
            Some(b'<') if self.text[self.i..].starts_with("<<") => self.heredoc()?,
            Some(c) if c == b'-' || c.is_ascii_digit() => self.number()?,
            Some(_) => {
                let Some(word) = self.ident().map(str::to_string) else {
                    return Err(self.error("expected a value"));
                };
                match word.as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    "null" => Value::Null,
                    _ if self.peek() == Some(b'(') => {
                        self.i += 1;
                        self.enter()?;
                        let arg = self.expr()?;
                        self.skip(true);
                        if self.peek() != Some(b')') {
                            return Err(self.error(format!("expected `)` closing `{word}(`")));
                        }
                        self.i += 1;
                        self.depth -= 1;
                        if word == "jsonencode" {
                            arg
                        } else {
                            let (line, _) = self.line_col(start);
                            self.notes.push((line, format!("function `{word}` is not evaluated (only `jsonencode` of literal HCL is read); its value is dropped")));
                            Value::Null
                        }
                    }
                    _ => {
                        let (line, _) = self.line_col(start);
                        self.notes.push((
                            line,
                            format!("`{word}` is a reference, not a literal; its value is dropped"),
                        ));
                        Value::Null
                    }
                }
            }
        };
        Ok(v)
    }

    fn object(&mut self) -> Result<Value, ImportError> {
        self.enter()?;
        let mut out = Map::new();
        loop {
            self.skip(true);
            match self.peek() {
                None => return Err(self.error("unclosed object: expected `}`")),
                Some(b'}') => {
                    self.i += 1;
                    break;
                }
                Some(b'"') => {
                    let Value::String(k) = self.string()? else {
                        return Err(self.error("expected a key"));
                    };
                    self.assign(&mut out, k)?;
                }
                Some(b'(') => return Err(self.error("computed keys (`(expr) = …`) are not read")),
                _ => {
                    let Some(k) = self.ident().map(str::to_string) else {
                        return Err(self.error("expected a key"));
                    };
                    self.assign(&mut out, k)?;
                }
            }
        }
        self.depth -= 1;
        Ok(Value::Object(out))
    }

    fn assign(&mut self, out: &mut Map<String, Value>, k: String) -> Result<(), ImportError> {
        self.skip(false);
        match self.peek() {
            Some(b'=' | b':') => self.i += 1,
            _ => return Err(self.error(format!("expected `=` after `{k}`"))),
        }
        let v = self.expr()?;
        out.insert(k, v);
        Ok(())
    }

    fn tuple(&mut self) -> Result<Value, ImportError> {
        self.enter()?;
        let mut out = Vec::new();
        loop {
            self.skip(true);
            match self.peek() {
                None => return Err(self.error("unclosed list: expected `]`")),
                Some(b']') => {
                    self.i += 1;
                    break;
                }
                _ => out.push(self.expr()?),
            }
        }
        self.depth -= 1;
        Ok(Value::Array(out))
    }

    fn number(&mut self) -> Result<Value, ImportError> {
        let start = self.i;
        while let Some(c) = self.peek() {
            if c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E') {
                self.i += 1;
            } else {
                break;
            }
        }
        serde_json::from_str::<serde_json::Number>(&self.text[start..self.i])
            .map(Value::Number)
            .map_err(|_| self.error(format!("`{}` is not a number", &self.text[start..self.i])))
    }

    /// A quoted string: JSON's escapes, `$${`/`%%{` for literal `${`/`%{`; an
    /// interpolation is kept as written, with a note.
    fn string(&mut self) -> Result<Value, ImportError> {
        let start = self.i;
        self.i += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                self.i = start;
                return Err(self.error("unclosed string"));
            };
            match c {
                b'"' => {
                    self.i += 1;
                    break;
                }
                b'\n' => {
                    self.i = start;
                    return Err(self.error("unclosed string (a newline inside)"));
                }
                b'\\' => {
                    let esc = self.s.get(self.i + 1).copied();
                    self.i += 2;
                    match esc {
                        Some(b'n') => out.push('\n'),
                        Some(b't') => out.push('\t'),
                        Some(b'r') => out.push('\r'),
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'u') => {
                            let hex = self.text.get(self.i..self.i + 4).unwrap_or("");
                            match u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
                                Some(ch) => {
                                    out.push(ch);
                                    self.i += 4;
                                }
                                None => return Err(self.error("bad `\\u` escape")),
                            }
                        }
                        _ => return Err(self.error("unknown escape in a string")),
                    }
                }
                b'$' | b'%'
                    if self.s.get(self.i + 1) == Some(&c)
                        && self.s.get(self.i + 2) == Some(&b'{') =>
                {
                    out.push(c as char);
                    out.push('{');
                    self.i += 3;
                }
                b'$' | b'%' if self.s.get(self.i + 1) == Some(&b'{') => {
                    let (line, _) = self.line_col(self.i);
                    self.notes.push((
                        line,
                        "an interpolation (`${…}`) is not evaluated; kept as written".to_string(),
                    ));
                    out.push(c as char);
                    self.i += 1;
                }
                _ => {
                    // A whole UTF-8 character.
                    let ch = self.text[self.i..].chars().next().unwrap_or('\u{fffd}');
                    out.push(ch);
                    self.i += ch.len_utf8();
                }
            }
        }
        Ok(Value::String(out))
    }

    /// `<<EOT … EOT` or `<<-EOT … EOT` (indented).
    fn heredoc(&mut self) -> Result<Value, ImportError> {
        self.i += 2;
        let indented = self.peek() == Some(b'-');
        if indented {
            self.i += 1;
        }
        let Some(tag) = self.ident().map(str::to_string) else {
            return Err(self.error("expected a heredoc tag after `<<`"));
        };
        let Some(nl) = self.text[self.i..].find('\n') else {
            return Err(self.error("unclosed heredoc"));
        };
        self.i += nl + 1;
        let mut lines = Vec::new();
        loop {
            if self.i >= self.s.len() {
                return Err(self.error(format!("unclosed heredoc: no line `{tag}`")));
            }
            let end = self.text[self.i..]
                .find('\n')
                .map_or(self.s.len(), |n| self.i + n);
            let line = &self.text[self.i..end];
            self.i = (end + 1).min(self.s.len());
            if line.trim() == tag {
                break;
            }
            lines.push(line);
        }
        let text = if indented {
            let strip = lines
                .iter()
                .filter(|l| !l.trim().is_empty())
                .map(|l| l.len() - l.trim_start().len())
                .min()
                .unwrap_or(0);
            lines
                .iter()
                .map(|l| l.get(strip..).unwrap_or(""))
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            lines.join("\n")
        };
        Ok(Value::String(text))
    }
}

#[cfg(test)]
mod tests {
    use super::read;

    #[test]
    fn hcl_literals() {
        let tf = r#"
# a comment
resource "segment_tracking_plan" "web" {
  name = "Web" // the title
  type = "LIVE"
  rules = [
    {
      key = "Order Completed", type = "TRACK", version = 2
      json_schema = jsonencode({
        "$schema" = "http://json-schema.org/draft-07/schema#"
        properties = {
          properties = {
            type = "object"
            properties = {
              "order id" = { type = "string", pattern = "^[a-z]{3}$$" }
              total: { type = ["number", "null"], minimum = -1.5e0 }
            }
            required = ["order id"]
          }
        }
      })
    },
  ]
  rules {
    key = "Page"
    type = "PAGE"
    json_schema = <<-EOT
      {"properties": {"properties": {"type": "object", "properties": {"path": {"type": "string"}}}}}
    EOT
  }
}
"#;
        let (plan, report) = read(tf).unwrap();
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
        assert_eq!(plan.title, "Web");
        assert_eq!(plan.events.len(), 1);
        assert_eq!(plan.events[0].version, Some(2));
        assert_eq!(plan.events[0].properties[0].name, "order id");
        assert_eq!(
            plan.events[0].properties[0].pattern.as_deref(),
            Some("^[a-z]{3}$$")
        );
        assert_eq!(plan.events[0].properties[1].min.as_deref(), Some("-1.5"));
        assert_eq!(plan.screens.len(), 1);
    }

    #[test]
    fn errors_are_located() {
        let e = read("resource \"segment_tracking_plan\" \"x\" {\n  rules = [ { key = \"a\n")
            .unwrap_err();
        assert_eq!(e.at, "2:21");
        assert!(read("resource \"other\" \"x\" {}").is_err());
        let deep = format!("x = {}{}", "[".repeat(500), "]".repeat(500));
        assert!(read(&deep).unwrap_err().message.contains("deep"));
    }
}
