//! JSON Schema nodes to plan properties, shared by every JSON layout (Segment
//! rules, Config API v1, typewriter, Snowplow Iglu) and by the RudderStack
//! reader (which builds the same nodes from its YAML).
//!
//! | JSON Schema | plan |
//! |---|---|
//! | `type` (a name or a list), `null` in it | the type, a union (`string \| integer`; `integer` in `number`), `nullable` |
//! | no `type`, or `"any"` | `any` (a type implied by `enum`, `properties` or `items`) |
//! | `format: date-time` / `date` on a plain string | `datetime` / `date` |
//! | `enum` (strings, numbers, booleans; `null` makes it nullable), `const` | `enum(…)` |
//! | `items` (absent: `list(any)`) with its own keywords | `list(T modifiers)` |
//! | `properties`, `required` (a name without a schema: `any required`) | `object { … }` |
//! | `additionalProperties: false` | `closed` |
//! | `minimum` `maximum` `minLength` `maxLength` `minItems` `maxItems` `pattern` `format` `multipleOf` | the modifiers |
//! | `not: {pattern}` / `not: {enum}` | `not_pattern(…)` / `not_enum(…)` |
//!
//! Every other keyword is a warning naming its JSON pointer; the keys in
//! [`QUIET`] carry no plan meaning and are only counted.

use super::{Literal, Property, Report, Type, pointer_token};
use crate::syntax::MAX_NESTING;
use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::{Map, Number, Value};

/// Keys skipped quietly wherever they appear in a schema: identifiers and
/// comments of the editor that wrote it.
pub(crate) const QUIET: &[&str] = &["id", "$id", "$schema", "$comment"];

/// The string keywords whose presence keeps `format: date-time` a string with a format.
const STRING_KEYWORDS: &[&str] = &["minLength", "maxLength", "pattern"];

pub(crate) struct Reader<'r> {
    pub(crate) report: &'r mut Report,
    /// Delimiters (`{`, `(`) open around the properties being read, as the
    /// `.events` text will have them (the block's braces count one).
    depth: usize,
}

impl<'r> Reader<'r> {
    /// A reader of the properties of one block (event, identify, envelope…).
    pub(crate) fn new(report: &'r mut Report) -> Self {
        Reader { report, depth: 1 }
    }

    fn warn(&mut self, subject: &str, at: impl Into<String>, message: impl Into<String>) {
        self.report.warn(subject, at, message);
    }

    /// The properties of an object schema and whether it is closed. `at` is the
    /// object's pointer. Keys other than `properties`, `required` and
    /// `additionalProperties` are the caller's.
    pub(crate) fn members(
        &mut self,
        subject: &str,
        obj: &Map<String, Value>,
        at: &str,
    ) -> (Vec<Property>, bool) {
        let mut closed = false;
        match obj.get("additionalProperties") {
            None | Some(Value::Bool(true)) => {}
            Some(Value::Bool(false)) => closed = true,
            Some(_) => self.warn(
                subject,
                format!("{at}/additionalProperties"),
                "a schema for additional properties is not modelled; dropped",
            ),
        }
        // Each name once, in its first place (a map: the list may be long).
        let mut required: Vec<&str> = Vec::new();
        let mut position: FxHashMap<&str, usize> = FxHashMap::default();
        match obj.get("required") {
            None => {}
            Some(Value::Array(a)) => {
                for (i, r) in a.iter().enumerate() {
                    match r.as_str() {
                        Some(r) => {
                            position.entry(r).or_insert_with(|| {
                                required.push(r);
                                required.len() - 1
                            });
                        }
                        None => self.warn(
                            subject,
                            format!("{at}/required/{i}"),
                            "not a property name; dropped",
                        ),
                    }
                }
            }
            Some(_) => self.warn(
                subject,
                format!("{at}/required"),
                "`required` is not a list; dropped",
            ),
        }
        let empty = Map::new();
        let props = match obj.get("properties") {
            None => &empty,
            Some(Value::Object(p)) => p,
            Some(_) => {
                self.warn(
                    subject,
                    format!("{at}/properties"),
                    "`properties` is not an object; dropped",
                );
                &empty
            }
        };
        let mut out = Vec::with_capacity(props.len());
        for (name, schema) in props {
            let here = format!("{at}/properties/{}", pointer_token(name));
            if name.is_empty() {
                self.warn(subject, &here, "a property with an empty name; dropped");
                continue;
            }
            let p = match schema {
                Value::Object(s) => self.property(subject, name, s, &here),
                Value::Bool(true) => Some(Property::new(name.clone(), Type::Any)),
                _ => {
                    self.warn(
                        subject,
                        &here,
                        "the property's schema is not an object; dropped",
                    );
                    None
                }
            };
            out.extend(p);
        }
        // A required name without a schema is a property of any type: the
        // requirement is kept.
        for r in &required {
            if !props.contains_key(*r) && !r.is_empty() {
                out.push(Property::new(r.to_string(), Type::Any));
            }
        }
        // JSON objects have no order; `required` keeps that of the required
        // properties: they come first, in that order, then the optional ones.
        for p in &mut out {
            p.required = position.contains_key(p.name.as_str());
        }
        out.sort_by_key(|p| {
            position
                .get(p.name.as_str())
                .copied()
                .unwrap_or(required.len())
        });
        (out, closed)
    }

    /// One property schema.
    pub(crate) fn property(
        &mut self,
        subject: &str,
        name: &str,
        s: &Map<String, Value>,
        at: &str,
    ) -> Option<Property> {
        let (ty, nullable, closed) = self.ty(subject, s, at)?;
        let mut p = Property::new(name, ty);
        p.nullable = nullable;
        p.closed = closed;
        self.modifiers(subject, &mut p, s, at);
        Some(p)
    }

    /// The keywords of `s` other than the type's own, onto `p`.
    fn modifiers(&mut self, subject: &str, p: &mut Property, s: &Map<String, Value>, at: &str) {
        let kinds = Kinds::of(&p.ty);
        for (k, v) in s {
            let here = format!("{at}/{}", pointer_token(k));
            let applies = |ok: bool, what: &str| -> Result<(), String> {
                if ok {
                    Ok(())
                } else {
                    Err(format!(
                        "keyword `{k}` applies to {what}, not to {}; dropped",
                        describe(&p.ty)
                    ))
                }
            };
            let result: Result<(), String> = match k.as_str() {
                // The type's own keywords, read by `ty`.
                "type" | "enum" | "const" => Ok(()),
                "items" => applies(kinds.list, "lists"),
                "properties" | "required" | "additionalProperties" => {
                    applies(kinds.object, "objects")
                }
                q if QUIET.contains(&q) => {
                    self.report.skip(q);
                    Ok(())
                }
                "description" => match v {
                    Value::String(d) if d.is_empty() => Ok(()),
                    Value::String(d) => {
                        p.description = Some(d.clone());
                        Ok(())
                    }
                    Value::Null => Ok(()),
                    _ => Err("`description` is not a string; dropped".to_string()),
                },
                "format" => match v.as_str() {
                    Some("date-time") if matches!(p.ty, Type::Datetime) => Ok(()),
                    Some("date") if matches!(p.ty, Type::Date) => Ok(()),
                    Some(f) if crate::ir::Format::parse(f).is_some() => {
                        applies(kinds.string, "strings").map(|()| p.format = Some(f.to_string()))
                    }
                    _ => Err(format!(
                        "format {v} is not one of email, uri, uuid, date, date-time, ipv4, ipv6, hostname; dropped"
                    )),
                },
                "pattern" => match v.as_str() {
                    Some(pat) => {
                        applies(kinds.string, "strings").map(|()| p.pattern = Some(pat.to_string()))
                    }
                    None => Err("`pattern` is not a string; dropped".to_string()),
                },
                "minLength" | "maxLength" | "minItems" | "maxItems" => {
                    let items = k.ends_with("Items");
                    match whole(v).and_then(|n| u64::try_from(n).ok()) {
                        Some(n) => applies(
                            if items { kinds.list } else { kinds.string },
                            if items { "lists" } else { "strings" },
                        )
                        .and_then(|()| {
                            let slot = if k.starts_with("min") {
                                &mut p.min_length
                            } else {
                                &mut p.max_length
                            };
                            if slot.is_some() {
                                Err(format!("`{k}` and a length bound of the other member type cannot both be kept; dropped"))
                            } else {
                                *slot = Some(n);
                                Ok(())
                            }
                        }),
                        None => Err(format!("`{k}` is not a whole number of 0 or more; dropped")),
                    }
                }
                "minimum" | "maximum" | "multipleOf" => match v {
                    Value::Number(n) => applies(kinds.numeric, "numbers").and_then(|()| {
                        let text = decimal(n);
                        if k == "multipleOf" {
                            if n.as_f64().is_some_and(|f| f > 0.0) {
                                p.multiple_of = Some(text);
                                Ok(())
                            } else {
                                Err("`multipleOf` must be greater than 0; dropped".to_string())
                            }
                        } else {
                            *(if k == "minimum" {
                                &mut p.min
                            } else {
                                &mut p.max
                            }) = Some(text);
                            Ok(())
                        }
                    }),
                    _ => Err(format!("`{k}` is not a number; dropped")),
                },
                "not" => self.not(p, v),
                _ => Err(format!("keyword `{k}` is not modelled; dropped")),
            };
            if let Err(message) = result {
                self.warn(subject, here, message);
            }
        }
    }

    /// `not: {pattern}` / `not: {enum}`.
    fn not(&mut self, p: &mut Property, v: &Value) -> Result<(), String> {
        let Some(o) = v.as_object().filter(|o| o.len() == 1) else {
            return Err(
                "only `not: {\"pattern\": …}` and `not: {\"enum\": […]}` are modelled; dropped"
                    .to_string(),
            );
        };
        if let Some(pat) = o.get("pattern").and_then(Value::as_str) {
            p.not_pattern = Some(pat.to_string());
            return Ok(());
        }
        if let Some(values) = o.get("enum").and_then(Value::as_array) {
            let lits: Option<Vec<Literal>> = values.iter().map(literal).collect();
            if let Some(lits) = lits.filter(|l| !l.is_empty()) {
                p.not_enum = lits;
                return Ok(());
            }
        }
        Err("only `not: {\"pattern\": …}` and `not: {\"enum\": […]}` of strings, numbers or booleans are modelled; dropped".to_string())
    }

    /// The type of a property schema, whether it admits `null` and whether it
    /// is a closed object.
    pub(crate) fn ty(
        &mut self,
        subject: &str,
        s: &Map<String, Value>,
        at: &str,
    ) -> Option<(Type, bool, bool)> {
        let here = format!("{at}/type");
        let mut nullable = false;
        let mut names: Vec<&str> = Vec::new();
        match s.get("type") {
            None => {}
            Some(Value::String(t)) => names.push(t),
            Some(Value::Array(ts)) => {
                let mut seen = FxHashSet::default();
                for (i, t) in ts.iter().enumerate() {
                    match t.as_str() {
                        Some(t) if seen.insert(t) => names.push(t),
                        Some(_) => {}
                        None => {
                            self.warn(subject, format!("{here}/{i}"), "not a type name; dropped")
                        }
                    }
                }
            }
            Some(_) => self.warn(subject, &here, "`type` is not a name or a list; dropped"),
        }
        // `number` admits every integer: a union has one member per JSON type.
        if names.contains(&"number") {
            names.retain(|t| *t != "integer");
        }
        if names.contains(&"null") {
            nullable = true;
            names.retain(|t| *t != "null");
            if names.is_empty() && s.get("type").is_some_and(Value::is_array) {
                self.warn(
                    subject,
                    &here,
                    "a value that can only be null cannot be expressed; `any nullable` kept",
                );
            }
        }
        // The enum's values (and `const`, an enum of one).
        let enum_values = match (s.get("enum"), s.get("const")) {
            (Some(Value::Array(values)), _) => Some((values.as_slice(), "enum")),
            (Some(_), _) => {
                self.warn(
                    subject,
                    format!("{at}/enum"),
                    "`enum` is not a list; dropped",
                );
                None
            }
            (None, Some(c)) => Some((std::slice::from_ref(c), "const")),
            (None, None) => None,
        };
        if let Some((values, key)) = enum_values {
            let mut lits: Vec<Literal> = Vec::with_capacity(values.len());
            let mut seen = FxHashSet::default();
            for (i, v) in values.iter().enumerate() {
                match v {
                    Value::Null => nullable = true,
                    v => match literal(v) {
                        Some(l) => {
                            if seen.insert(l.clone()) {
                                lits.push(l);
                            }
                        }
                        None => self.warn(
                            subject,
                            if key == "enum" {
                                format!("{at}/enum/{i}")
                            } else {
                                format!("{at}/const")
                            },
                            format!("enum value {v} is not a string, number or boolean; dropped"),
                        ),
                    },
                }
            }
            if !lits.is_empty() {
                return Some((Type::Enum(lits), nullable, false));
            }
        }
        let implied = if !names.is_empty() {
            None
        } else if s.contains_key("properties") || s.contains_key("additionalProperties") {
            Some("object")
        } else if s.contains_key("items")
            || s.contains_key("minItems")
            || s.contains_key("maxItems")
        {
            Some("array")
        } else if STRING_KEYWORDS.iter().any(|k| s.contains_key(*k)) || s.contains_key("format") {
            Some("string")
        } else if ["minimum", "maximum", "multipleOf"]
            .iter()
            .any(|k| s.contains_key(*k))
        {
            Some("number")
        } else {
            None
        };
        if let Some(t) = implied {
            if !matches!(t, "object") {
                self.warn(
                    subject,
                    at,
                    format!("no `type`: its keywords apply to {t}s, so `{t}` is assumed (the other types the schema admits are not kept)"),
                );
            }
            names.push(t);
        }
        if names.is_empty() || names.contains(&"any") {
            return Some((Type::Any, nullable, false));
        }
        // Members or items sit one level deeper, their modifiers' parentheses one more.
        if names.iter().any(|t| matches!(*t, "array" | "object")) && self.depth + 2 > MAX_NESTING {
            self.warn(
                subject,
                at,
                format!("nested more than {MAX_NESTING} levels deep, deeper than a `.events` plan can be; dropped"),
            );
            return None;
        }
        let mut closed = false;
        let mut members = Vec::with_capacity(names.len());
        for t in &names {
            match self.member(subject, t, s, at, names.len() == 1, &mut closed) {
                Some(m) => members.push(m),
                None => self.warn(
                    subject,
                    &here,
                    format!("type `{t}` is not a JSON Schema type; dropped"),
                ),
            }
        }
        match members.len() {
            0 => Some((Type::Any, nullable, false)),
            1 => members.pop().map(|m| (m, nullable, closed)),
            _ if members.iter().any(|m| matches!(m, Type::Object(_))) => {
                self.warn(
                    subject,
                    &here,
                    "a union with `object` cannot be expressed; `any` kept",
                );
                Some((Type::Any, nullable, false))
            }
            _ => Some((Type::Union(members), nullable, false)),
        }
    }

    /// One member type (`alone`: the only one, where `format` may make a date).
    fn member(
        &mut self,
        subject: &str,
        t: &str,
        s: &Map<String, Value>,
        at: &str,
        alone: bool,
        object_closed: &mut bool,
    ) -> Option<Type> {
        Some(match t {
            "string" => {
                let plain = !STRING_KEYWORDS.iter().any(|k| s.contains_key(*k));
                match s.get("format").and_then(Value::as_str) {
                    Some("date-time") if plain && alone => Type::Datetime,
                    Some("date") if plain && alone => Type::Date,
                    _ => Type::String,
                }
            }
            "integer" => Type::Integer,
            "number" => Type::Number,
            "boolean" => Type::Boolean,
            "array" => {
                let here = format!("{at}/items");
                let item = match s.get("items") {
                    None | Some(Value::Bool(true)) => Property::new("", Type::Any),
                    Some(Value::Object(items)) => {
                        self.depth += 1;
                        let item = self.property(subject, "", items, &here);
                        self.depth -= 1;
                        let mut item = item?;
                        if let Some(d) = item.description.take() {
                            self.warn(
                                subject,
                                format!("{here}/description"),
                                format!(
                                    "a description of list items is not modelled; dropped: {d:?}"
                                ),
                            );
                        }
                        item
                    }
                    Some(_) => {
                        self.warn(
                            subject,
                            &here,
                            "`items` as a list (a tuple) is not modelled; `list(any)` kept",
                        );
                        Property::new("", Type::Any)
                    }
                };
                Type::List(Box::new(item))
            }
            "object" => {
                self.depth += 1;
                let (members, closed) = self.members(subject, s, at);
                self.depth -= 1;
                *object_closed = closed;
                Type::Object(members)
            }
            _ => return None,
        })
    }
}

/// A JSON number as the `.events` language writes numbers (`-?[0-9]+(\.[0-9]+)?`):
/// `1e-7` is `0.0000001`, `1e+20` is `100000000000000000000`, `-0` is `0`.
/// Integers beyond 64 bits have been read as the nearest double (JSON
/// readers do the same); the plan stores bounds as doubles too.
pub(crate) fn decimal(n: &Number) -> String {
    if n.is_f64() {
        let f = n.as_f64().unwrap_or(0.0);
        if f == 0.0 {
            "0".to_string()
        } else {
            // `Display` of an f64 never uses an exponent and gives the
            // shortest digits that read back as the same number.
            format!("{f}")
        }
    } else {
        n.to_string()
    }
}

/// A JSON number that is a whole number (`3`, `3.0`, `3e2`), if it is one
/// within the range of `u64` or `i64`.
pub(crate) fn whole(v: &Value) -> Option<i128> {
    let n = v.as_number()?;
    if let Some(i) = n.as_i64() {
        return Some(i.into());
    }
    if let Some(u) = n.as_u64() {
        return Some(u.into());
    }
    let f = n.as_f64()?;
    (f.fract() == 0.0 && f >= i64::MIN as f64 && f < u64::MAX as f64).then_some(f as i128)
}

/// A JSON value as an enum literal.
pub(crate) fn literal(v: &Value) -> Option<Literal> {
    match v {
        Value::String(s) => Some(Literal::Str(s.clone())),
        Value::Number(n) => Some(Literal::Num(decimal(n))),
        Value::Bool(b) => Some(Literal::Bool(*b)),
        _ => None,
    }
}

/// Which kinds of value a type admits, for the keywords that apply to them.
struct Kinds {
    string: bool,
    numeric: bool,
    list: bool,
    object: bool,
}

impl Kinds {
    fn of(t: &Type) -> Kinds {
        let mut k = Kinds {
            string: false,
            numeric: false,
            list: false,
            object: false,
        };
        k.add(t);
        k
    }

    fn add(&mut self, t: &Type) {
        match t {
            Type::String => self.string = true,
            Type::Integer | Type::Number => self.numeric = true,
            Type::List(_) => self.list = true,
            Type::Object(_) => self.object = true,
            Type::Enum(values) => {
                for v in values {
                    match v {
                        Literal::Str(_) => self.string = true,
                        Literal::Num(_) => self.numeric = true,
                        Literal::Bool(_) => {}
                    }
                }
            }
            Type::Union(members) => {
                for m in members {
                    self.add(m);
                }
            }
            Type::Datetime | Type::Date | Type::Boolean | Type::Any => {}
        }
    }
}

/// "a string", "an integer"…
pub(crate) fn describe(t: &Type) -> &'static str {
    match t {
        Type::String => "a string",
        Type::Integer => "an integer",
        Type::Number => "a number",
        Type::Boolean => "a boolean",
        Type::Datetime => "a datetime",
        Type::Date => "a date",
        Type::Any => "any value",
        Type::Enum(_) => "an enum",
        Type::Union(_) => "a union",
        Type::List(_) => "a list",
        Type::Object(_) => "an object",
    }
}
