//! JSON Schema (draft-07) for plan properties, shared by the `segment` and
//! `jsonschema` targets.
//!
//! One property becomes one subschema:
//!
//! | `.events` | JSON Schema |
//! |---|---|
//! | `string`, `integer`, `number`, `boolean` | `"type"` of the same name |
//! | `datetime` / `date` | `"type": "string"` + `"format": "date-time"` / `"date"` |
//! | `any` | no `"type"` (any value, null included) |
//! | enum (named or inline) | `"enum"` + `"type"` from the values (`string`, `integer`, `number` when one has a fraction, `boolean`; a list when mixed) |
//! | `a \| b` (union) | `"type": [a, b]` + each member's keywords (`items` of its list, `format` of its `datetime`) |
//! | `list(T m…)` | `"type": "array"` + `"items"` (T's schema with the item modifiers `m`); `min_length`/`max_length` → `minItems`/`maxItems` |
//! | `object { … }` | `"type": "object"` + `"properties"` + `"required"` (when any) |
//! | `nullable` | `"type": [T, "null"]` (and `null` added to an `enum`) |
//! | `min`/`max` | `minimum`/`maximum` (inclusive, the number as written) |
//! | `min_length`/`max_length` on strings | `minLength`/`maxLength` |
//! | `pattern`, `format` | `pattern`, `format` |
//! | `multiple_of(n)` | `multipleOf` |
//! | `not_pattern(p)`, `not_enum(…)` | `"not": {"pattern": p}`, `"not": {"enum": […]}` (under `anyOf` when both) |
//! | `closed` (an object, or the field in a block) | `"additionalProperties": false` |
//! | description | `description` |
//!
//! `additionalProperties` is set only by `closed`: otherwise a payload may carry
//! properties the plan does not list (the `validate` command reports them as
//! warnings, not errors), at every level. Only standard draft-07 keywords are used, so strict validators (ajv with
//! `strict: true`) accept the schemas.
//!
//! The schemas are written as JSON text straight away ([`JsonWriter`]), keys in
//! sorted order, exactly as [`super::text::json_pretty`] would print them.

use super::text::JsonWriter;
use crate::ir::{Literal, Property, Type};

/// The `$schema` of every schema written (the `segment` and `jsonschema` targets).
pub(crate) const DRAFT_07: &str = "http://json-schema.org/draft-07/schema#";

/// Writes the subschema of one property as the entries of an object (keys sorted).
pub(crate) fn property(o: &mut JsonWriter, p: &Property) {
    let m = p.modifiers();
    let ty = &p.ty;
    let string = ty.has(|t| matches!(t, Type::String));
    let numeric = ty.has(|t| matches!(t, Type::Integer | Type::Number));
    let object = ty.has(|t| matches!(t, Type::Object(_)));
    let item = ty.members().iter().find_map(|t| match t {
        Type::List(item) => Some(item),
        _ => None,
    });
    let list = item.is_some();
    let nullable = p.is_nullable();
    if object && m.closed.is_some() {
        o.raw("additionalProperties", "false");
    }
    if let Some(d) = &p.description {
        o.str("description", &d.value);
    }
    if let Type::Enum(e) = ty {
        o.array("enum", |a| {
            for v in e.values.iter() {
                match v {
                    Literal::Str(s) => a.item_str(s),
                    other => a.item_raw(&other.json_text()),
                }
            }
            // JSON Schema's `enum` applies to every value, null included.
            if nullable {
                a.item_raw("null");
            }
        });
    }
    let format = ty.members().iter().find_map(|t| match t {
        Type::Datetime => Some("date-time"),
        Type::Date => Some("date"),
        _ => None,
    });
    let format = format.or(if string {
        m.format.as_ref().map(|f| f.value.as_str())
    } else {
        None
    });
    if let Some(f) = format {
        o.str("format", f);
    }
    if let Some(item) = item {
        o.object("items", |o| property(o, item));
    }
    let length = |n: &Option<Box<crate::source::Spanned<u64>>>| n.as_ref().map(|n| n.value);
    if list && let Some(n) = length(&m.max_length) {
        o.raw("maxItems", n);
    }
    if string && let Some(n) = length(&m.max_length) {
        o.raw("maxLength", n);
    }
    if numeric && let Some(n) = &m.max {
        o.raw("maximum", &n.value.json);
    }
    if list && let Some(n) = length(&m.min_length) {
        o.raw("minItems", n);
    }
    if string && let Some(n) = length(&m.min_length) {
        o.raw("minLength", n);
    }
    if numeric && let Some(n) = &m.min {
        o.raw("minimum", &n.value.json);
    }
    if numeric && let Some(n) = &m.multiple_of {
        o.raw("multipleOf", &n.value.json);
    }
    not(o, p);
    if string && let Some(pat) = &m.pattern {
        o.str("pattern", &pat.value);
    }
    if let Type::Object(props) = ty {
        members(o, props.iter());
    }
    let mut types = ty.json_types();
    if types.is_empty() {
        // `any`: no `type` (null included).
        return;
    }
    if nullable {
        types.push("null");
    }
    match types[..] {
        [t] => o.str("type", t),
        _ => o.array("type", |a| {
            for t in &types {
                a.item_str(t);
            }
        }),
    }
}

/// `not`: `{"pattern": …}` for `not_pattern` (with `"type": "string"` when the
/// property holds more than strings, as `pattern` passes any other value),
/// `{"enum": […]}` for `not_enum`, both under `anyOf` when both are written.
fn not(o: &mut JsonWriter, p: &Property) {
    let m = p.modifiers();
    let pattern = m.not_pattern.as_ref().map(|pat| pat.value.as_str());
    let values = m.not_enum.as_ref().map(|v| &v.value);
    let only_strings = p.ty.json_types() == ["string"];
    let pattern_schema = |o: &mut JsonWriter, pat: &str| {
        o.str("pattern", pat);
        if !only_strings {
            o.str("type", "string");
        }
    };
    let enum_schema = |o: &mut JsonWriter, values: &Vec<Literal>| {
        o.array("enum", |a| {
            for v in values {
                match v {
                    Literal::Str(s) => a.item_str(s),
                    other => a.item_raw(&other.json_text()),
                }
            }
        });
    };
    match (pattern, values) {
        (None, None) => {}
        (Some(pat), None) => o.object("not", |o| pattern_schema(o, pat)),
        (None, Some(values)) => o.object("not", |o| enum_schema(o, values)),
        (Some(pat), Some(values)) => o.object("not", |o| {
            o.array("anyOf", |a| {
                a.item_object(|o| enum_schema(o, values));
                a.item_object(|o| pattern_schema(o, pat));
            });
        }),
    }
}

/// The `properties` (sorted by name) and, when any is required, `required` (in
/// the given order) entries of an object holding these properties. When two
/// share a name, the first one wins (callers list event properties before common
/// ones). Returns whether any is required.
pub(crate) fn members<'a>(o: &mut JsonWriter, props: impl Iterator<Item = &'a Property>) -> bool {
    let props: Vec<&Property> = props.collect();
    // By name, the first of equal names first (a stable sort); the first of each
    // run of equal names is kept.
    let mut order: Vec<usize> = (0..props.len()).collect();
    order.sort_by(|&a, &b| props[a].name.value.cmp(&props[b].name.value));
    let mut kept = vec![false; props.len()];
    let mut previous: Option<&str> = None;
    for &i in &order {
        let name = &*props[i].name.value;
        if previous != Some(name) {
            kept[i] = true;
        }
        previous = Some(name);
    }
    o.object("properties", |o| {
        for &i in order.iter().filter(|&&i| kept[i]) {
            o.object(&props[i].name.value, |o| property(o, props[i]));
        }
    });
    let mut required = props
        .iter()
        .zip(&kept)
        .filter(|(p, kept)| **kept && p.is_required())
        .peekable();
    let any = required.peek().is_some();
    if any {
        o.array("required", |a| {
            for (p, _) in required {
                a.item_str(&p.name.value);
            }
        });
    }
    any
}

/// The entries of `{"properties": {…}, "required": […], "type": "object"}` for a
/// list of properties (`required` only when one is), with
/// `"additionalProperties": false` first when `closed`; returns whether one is
/// required.
pub(crate) fn closed_object<'a>(
    o: &mut JsonWriter,
    props: impl Iterator<Item = &'a Property>,
    closed: bool,
) -> bool {
    if closed {
        o.raw("additionalProperties", "false");
    }
    let required = members(o, props);
    o.str("type", "object");
    required
}
