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

use crate::ir::{Property, Type};
use serde_json::{Map, Value, json};

/// The subschema of one property.
pub fn property(p: &Property) -> Value {
    let mut s = Map::new();
    if let Some(d) = &p.description {
        s.insert("description".into(), Value::String(d.value.to_string()));
    }
    type_into(&mut s, &p.ty);
    match &p.ty {
        Type::String => {
            if let Some(n) = &p.modifiers().min_length {
                s.insert("minLength".into(), json!(n.value));
            }
            if let Some(n) = &p.modifiers().max_length {
                s.insert("maxLength".into(), json!(n.value));
            }
            if let Some(pat) = &p.modifiers().pattern {
                s.insert("pattern".into(), Value::String(pat.value.clone()));
            }
            if let Some(f) = &p.modifiers().format {
                s.insert("format".into(), Value::String(f.value.as_str().into()));
            }
        }
        Type::Integer | Type::Number => {
            if let Some(n) = &p.modifiers().min {
                s.insert("minimum".into(), Value::Number(n.value.json.clone()));
            }
            if let Some(n) = &p.modifiers().max {
                s.insert("maximum".into(), Value::Number(n.value.json.clone()));
            }
        }
        Type::List(_) => {
            if let Some(n) = &p.modifiers().min_length {
                s.insert("minItems".into(), json!(n.value));
            }
            if let Some(n) = &p.modifiers().max_length {
                s.insert("maxItems".into(), json!(n.value));
            }
        }
        _ => {}
    }
    if p.is_nullable() {
        make_nullable(&mut s);
    }
    Value::Object(s)
}

/// The keywords a type alone implies (no modifiers).
fn type_into(s: &mut Map<String, Value>, ty: &Type) {
    s.insert("type".into(), Value::String(ty.json_type().into()));
    match ty {
        Type::Datetime => {
            s.insert("format".into(), "date-time".into());
        }
        Type::Date => {
            s.insert("format".into(), "date".into());
        }
        Type::Enum(e) => {
            s.insert(
                "enum".into(),
                Value::Array(e.values.iter().cloned().map(Value::String).collect()),
            );
        }
        Type::List(inner) => {
            let mut items = Map::new();
            type_into(&mut items, inner);
            s.insert("items".into(), Value::Object(items));
        }
        Type::Object(props) => {
            let (properties, required) = members(props.iter());
            s.insert("properties".into(), properties);
            if !required.is_empty() {
                s.insert("required".into(), Value::Array(required));
            }
        }
        _ => {}
    }
}

fn make_nullable(s: &mut Map<String, Value>) {
    if let Some(Value::String(t)) = s.get("type").cloned() {
        s.insert("type".into(), json!([t, "null"]));
    }
    if let Some(Value::Array(values)) = s.get_mut("enum") {
        values.push(Value::Null);
    }
}

/// `properties` and `required` of an object holding these properties. When two
/// share a name, the first one wins (callers list event properties before common ones).
pub fn members<'a>(props: impl Iterator<Item = &'a Property>) -> (Value, Vec<Value>) {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for p in props {
        if properties.contains_key(&*p.name.value) {
            continue;
        }
        properties.insert(p.name.value.to_string(), property(p));
        if p.is_required() {
            required.push(Value::String(p.name.value.to_string()));
        }
    }
    (Value::Object(properties), required)
}

/// `{"type": "object", "properties": {…}, "required": […]}` for a list of properties.
pub fn object<'a>(props: impl Iterator<Item = &'a Property>) -> (Value, bool) {
    let (properties, required) = members(props);
    let any_required = !required.is_empty();
    let mut s = Map::new();
    s.insert("type".into(), "object".into());
    s.insert("properties".into(), properties);
    if any_required {
        s.insert("required".into(), Value::Array(required));
    }
    (Value::Object(s), any_required)
}
