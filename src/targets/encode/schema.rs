//! JSON Schema (draft-07) for plan properties, shared by the `segment` and
//! `jsonschema` targets.
//!
//! One property becomes one subschema:
//!
//! | `.events` | JSON Schema |
//! |---|---|
//! | `string`, `integer`, `number`, `boolean` | `"type"` of the same name |
//! | `datetime` / `date` | `"type": "string"` + `"format": "date-time"` / `"date"` |
//! | enum (named or inline) | `"type": "string"` + `"enum"` |
//! | `list(T)` | `"type": "array"` + `"items"` (T's schema); `min_length`/`max_length` → `minItems`/`maxItems` |
//! | `object { … }` | `"type": "object"` + `"properties"` + `"required"` (when any) |
//! | `nullable` | `"type": [T, "null"]` (and `null` added to an `enum`) |
//! | `min`/`max` | `minimum`/`maximum` (inclusive, the number as written) |
//! | `min_length`/`max_length` on strings | `minLength`/`maxLength` |
//! | `pattern`, `format` | `pattern`, `format` |
//! | description | `description` |
//!
//! `additionalProperties` is never set: a payload may carry properties the plan does
//! not list (the `validate` command reports them as warnings, not errors), at every
//! level. Only standard draft-07 keywords are used, so strict validators (ajv with
//! `strict: true`) accept the schemas.
//!
//! The schemas are written as JSON text straight away ([`JsonWriter`]), keys in
//! sorted order, exactly as [`super::text::json_pretty`] would print them.

use super::text::JsonWriter;
use crate::ir::{Property, Type};

/// The `$schema` of every schema written (the `segment` and `jsonschema` targets).
pub const DRAFT_07: &str = "http://json-schema.org/draft-07/schema#";

/// Writes the subschema of one property as the entries of an object (keys sorted).
pub fn property(o: &mut JsonWriter, p: &Property) {
    let m = p.modifiers();
    let nullable = p.is_nullable();
    if let Some(d) = &p.description {
        o.str("description", &d.value);
    }
    let (string, numeric, list) = match &p.ty {
        Type::String => (true, false, false),
        Type::Integer | Type::Number => (false, true, false),
        Type::List(_) => (false, false, true),
        _ => (false, false, false),
    };
    let format = match &p.ty {
        Type::String => m.format.as_ref().map(|f| f.value.as_str()),
        _ => None,
    };
    let length = |n: &Option<Box<crate::source::Spanned<u64>>>| n.as_ref().map(|n| n.value);
    type_entries(o, &p.ty, nullable, format, &|o| {
        // Between `items` and `pattern`, in key order.
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
        if string && let Some(pat) = &m.pattern {
            o.str("pattern", &pat.value);
        }
    });
}

/// The keywords a type implies, in key order: `enum`, `format` (the type's, else
/// `format`), `items`, then what `bounds` writes, `properties`, `required` and
/// `type`; `nullable` adds `null` to the enum and the type.
fn type_entries(
    o: &mut JsonWriter,
    ty: &Type,
    nullable: bool,
    format: Option<&str>,
    bounds: &dyn Fn(&mut JsonWriter),
) {
    if let Type::Enum(e) = ty {
        o.array("enum", |a| {
            for v in e.values.iter() {
                a.item_str(v);
            }
            if nullable {
                a.item_raw("null");
            }
        });
    }
    let format = match ty {
        Type::Datetime => Some("date-time"),
        Type::Date => Some("date"),
        _ => format,
    };
    if let Some(f) = format {
        o.str("format", f);
    }
    if let Type::List(inner) = ty {
        o.object("items", |o| type_entries(o, inner, false, None, &|_| {}));
    }
    bounds(o);
    if let Type::Object(props) = ty {
        members(o, props.iter());
    }
    if nullable {
        o.array("type", |a| {
            a.item_str(ty.json_type());
            a.item_str("null");
        });
    } else {
        o.str("type", ty.json_type());
    }
}

/// The `properties` (sorted by name) and, when any is required, `required` (in
/// the given order) entries of an object holding these properties. When two
/// share a name, the first one wins (callers list event properties before common
/// ones). Returns whether any is required.
pub fn members<'a>(o: &mut JsonWriter, props: impl Iterator<Item = &'a Property>) -> bool {
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
/// list of properties (`required` only when one is); returns whether one is.
pub fn object<'a>(o: &mut JsonWriter, props: impl Iterator<Item = &'a Property>) -> bool {
    let required = members(o, props);
    o.str("type", "object");
    required
}
