//! The value visitors: serde seeds that walk the properties (or traits) of a
//! payload with their part of the model, without building a JSON tree:
//! objects of planned properties (unplanned and closed keys, required ones,
//! repeated keys), lists and their items, unions, `null`, and each property's
//! consent. Once a value's type is known, [`super::scalar`] checks it.

use super::escape_pointer;
use super::other::{Other, other_types};
use super::read::Key;
use super::scalar::format_float;
use crate::ir::Literal;
use crate::validate::kinds::{Kind, Violation};
use crate::validate::model::{Loc, Model, Object, Prop, Ty};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::cell::Cell;
use std::fmt;

/// What the seeds share while walking one payload.
pub(super) struct Cx<'m, 'a> {
    pub(super) model: &'m Model,
    pub(super) out: &'a mut Vec<Violation>,
    /// Set when a planned property is repeated.
    pub(super) dup: &'a Cell<bool>,
    /// Consent purposes switched off, by purpose index.
    pub(super) off: &'a [bool],
}

impl Cx<'_, '_> {
    pub(super) fn push(
        &mut self,
        kind: Kind,
        path: &Path,
        expected: String,
        found: String,
        loc: Loc,
    ) {
        self.out.push(Violation {
            kind,
            pointer: path.pointer(),
            expected,
            found,
            loc: Some(loc),
        });
    }
}

#[derive(Clone, Copy)]
pub(super) enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// Where a value is, as a chain of segments on the stack; a JSON pointer is
/// built only when a violation needs one.
#[derive(Clone, Copy)]
pub(super) struct Path<'a> {
    pub(super) parent: Option<&'a Path<'a>>,
    pub(super) seg: Seg<'a>,
}

impl Path<'_> {
    fn pointer(&self) -> String {
        let mut segs = Vec::new();
        let mut p = Some(self);
        while let Some(x) = p {
            segs.push(x.seg);
            p = x.parent;
        }
        let mut out = String::new();
        for s in segs.iter().rev() {
            out.push('/');
            match s {
                Seg::Key(k) => out.push_str(&escape_pointer(k)),
                Seg::Index(i) => out.push_str(&i.to_string()),
            }
        }
        out
    }
}

/// Reports required properties not in `seen` (indices of `obj`, then of `extra`
/// offset by `obj.len()`).
pub(super) fn missing_required(
    cx: &mut Cx,
    obj: &Object,
    extra: Option<&Object>,
    path: &Path,
    seen: &[bool],
) {
    let n = obj.len();
    let is_seen = |i: usize| seen.get(i).copied().unwrap_or(false);
    for (i, p) in obj.props.iter().enumerate() {
        if p.required() && !is_seen(i) {
            missing(cx, p, path);
        }
    }
    if let Some(extra) = extra {
        for (i, p) in extra.props.iter().enumerate() {
            // A property of the event with the same name takes precedence.
            if p.required()
                && !is_seen(n + i)
                && obj
                    .find(&cx.model.names, cx.model.names.get(p.name))
                    .is_none()
            {
                missing(cx, p, path);
            }
        }
    }
}

fn missing(cx: &mut Cx, p: &Prop, path: &Path) {
    let model = cx.model;
    let name = model.names.get(p.name);
    let child = Path {
        parent: Some(path),
        seg: Seg::Key(name),
    };
    let expected = format!("required property `{name}` ({})", p.ty.expected(model));
    cx.push(Kind::Required, &child, expected, "missing".into(), p.loc);
}

/// The seen flags of an object's properties, on the stack when they fit.
enum Seen {
    Small(u128),
    Large(Vec<bool>),
}

impl Seen {
    fn new(n: usize) -> Seen {
        if n <= 128 {
            Seen::Small(0)
        } else {
            Seen::Large(vec![false; n])
        }
    }

    /// Marks `i` seen; whether it was already.
    fn set(&mut self, i: usize) -> bool {
        match self {
            Seen::Small(bits) => {
                let was = *bits & (1 << i) != 0;
                *bits |= 1 << i;
                was
            }
            Seen::Large(v) => std::mem::replace(&mut v[i], true),
        }
    }

    fn all(&self, n: usize, obj: &Object, extra: Option<&Object>) -> bool {
        let required = |i: usize| {
            if i < obj.len() {
                obj.props[i].required()
            } else {
                extra.is_some_and(|e| e.props[i - obj.len()].required())
            }
        };
        (0..n).all(|i| {
            !required(i)
                || match self {
                    Seen::Small(bits) => bits & (1 << i) != 0,
                    Seen::Large(v) => v[i],
                }
        })
    }

    fn to_vec(&self, n: usize) -> Vec<bool> {
        match self {
            Seen::Small(bits) => (0..n).map(|i| bits & (1 << i) != 0).collect(),
            Seen::Large(v) => v.clone(),
        }
    }
}

/// Validates an object against planned properties.
pub(super) struct ObjSeed<'m, 'c, 'a, 'p> {
    pub(super) cx: &'c mut Cx<'m, 'a>,
    pub(super) obj: &'m Object,
    /// `common` properties, for track events.
    pub(super) extra: Option<&'m Object>,
    pub(super) path: Path<'p>,
    /// The container's effective consent purpose.
    pub(super) consent: Option<u16>,
    /// Where the container is declared (for unplanned properties).
    pub(super) loc: Loc,
}

impl<'de> DeserializeSeed<'de> for ObjSeed<'_, '_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ObjSeed<'_, '_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    other_types!('de; unit bool i64 u64 f64 str seq);
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        object(
            self.cx,
            self.obj,
            self.extra,
            &self.path,
            self.consent,
            self.loc,
            map,
        )
    }
}

impl ObjSeed<'_, '_, '_, '_> {
    /// Properties or traits that are not an object.
    fn other(self, v: Other) {
        self.cx.push(
            Kind::Type,
            &self.path,
            "an object".into(),
            v.shown(),
            self.loc,
        );
    }
}

fn object<'m, 'de, A: MapAccess<'de>>(
    cx: &mut Cx<'m, '_>,
    obj: &'m Object,
    extra: Option<&'m Object>,
    path: &Path,
    consent: Option<u16>,
    loc: Loc,
    mut map: A,
) -> Result<(), A::Error> {
    let n = obj.len() + extra.map_or(0, Object::len);
    let mut seen = Seen::new(n);
    let mut hint = 0;
    while let Some(Key(key)) = map.next_key()? {
        let names = &cx.model.names;
        let found = match obj.find_from(names, hint, &key) {
            Some(i) => {
                hint = i + 1;
                Some((i, &obj.props[i]))
            }
            None => extra.and_then(|e| e.find(names, &key).map(|i| (obj.len() + i, &e.props[i]))),
        };
        let child = Path {
            parent: Some(path),
            seg: Seg::Key(&key),
        };
        match found {
            Some((i, p)) => {
                if seen.set(i) {
                    cx.dup.set(true);
                }
                map.next_value_seed(ValSeed {
                    cx: &mut *cx,
                    prop: p,
                    ty: &p.ty,
                    item: false,
                    nullable: p.nullable(),
                    path: child,
                    consent,
                })?;
            }
            None => {
                map.next_value::<IgnoredAny>()?;
                let names = &cx.model.names;
                let planned = obj
                    .props
                    .iter()
                    .chain(extra.into_iter().flat_map(|e| e.props.iter()))
                    .map(|p| names.get(p.name));
                let hint = crate::validate::suggest::hint(
                    crate::validate::suggest::closest(&key, planned),
                    |s| format!("`{s}`"),
                );
                // In a closed object (or block) another key is a defect.
                let closed = obj.closed || extra.is_some_and(|e| e.closed);
                cx.push(
                    if closed {
                        Kind::Closed
                    } else {
                        Kind::UnplannedProperty
                    },
                    &child,
                    if closed {
                        "only the planned keys (closed)".into()
                    } else {
                        "a property of the plan".into()
                    },
                    format!("`{key}`, not planned{hint}"),
                    loc,
                );
            }
        }
    }
    if !seen.all(n, obj, extra) {
        let seen = seen.to_vec(n);
        missing_required(cx, obj, extra, path, &seen);
    }
    Ok(())
}

/// Validates one value against a property's type (`item`: a list item, to
/// which the property's own constraints do not apply).
pub(super) struct ValSeed<'m, 'c, 'a, 'p> {
    pub(super) cx: &'c mut Cx<'m, 'a>,
    pub(super) prop: &'m Prop,
    pub(super) ty: &'m Ty,
    pub(super) item: bool,
    /// Whether `null` passes (the property's `nullable`, or its items').
    pub(super) nullable: bool,
    pub(super) path: Path<'p>,
    /// The container's effective consent purpose.
    pub(super) consent: Option<u16>,
}

impl<'de> DeserializeSeed<'de> for ValSeed<'_, '_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl ValSeed<'_, '_, '_, '_> {
    pub(super) fn push(&mut self, kind: Kind, expected: String, found: String) {
        self.cx
            .push(kind, &self.path, expected, found, self.prop.loc);
    }

    /// Looks through the rarer constraints (checking them) and a union (taking
    /// the member of the value's JSON type) to the type the value is checked
    /// against; false when no member fits (reported).
    pub(super) fn resolve(&mut self, v: &Val, found: impl Fn(&Self) -> String) -> bool {
        loop {
            match self.ty {
                Ty::Checked(c) => {
                    self.extra(c, v, &found);
                    self.ty = &c.ty;
                }
                Ty::Union(members) => match members.iter().find(|m| m.carries(v)) {
                    Some(m) => self.ty = m,
                    None => {
                        let found = found(self);
                        self.mismatch(found);
                        return false;
                    }
                },
                _ => return true,
            }
        }
    }

    pub(super) fn mismatch(&mut self, found: String) {
        let kind = if matches!(self.ty, Ty::Enum(_)) {
            Kind::Enum
        } else {
            Kind::Type
        };
        let expected = self.ty.expected(self.cx.model);
        self.push(kind, expected, found);
    }

    /// A non-null value is present: its consent purpose must not be switched off
    /// (when it differs from its container's, which is checked there).
    pub(super) fn present(&mut self) {
        if self.item {
            return;
        }
        if let Some((c, loc)) = self.prop.consent()
            && Some(c) != self.consent
            && self.cx.off.get(c as usize).copied().unwrap_or(false)
        {
            let cat = &self.cx.model.categories[c as usize];
            let expected = format!(
                "consent category `{cat}` granted for `{}`",
                self.cx.model.names.get(self.prop.name)
            );
            self.cx.push(
                Kind::Consent,
                &self.path,
                expected,
                format!("`{cat}`: false in context.consent.categoryPreferences"),
                loc,
            );
        }
    }
}

/// What a value is, for [`ValSeed::resolve`].
pub(super) enum Val<'v> {
    Bool(bool),
    Num(f64),
    Str(&'v str),
    Seq,
    Map,
}

impl Ty {
    /// Whether the type (through its rarer constraints) is `any`.
    fn is_any(&self) -> bool {
        match self {
            Ty::Any => true,
            Ty::Checked(c) => c.ty.is_any(),
            _ => false,
        }
    }

    /// Whether a union member carries values like `v`.
    fn carries(&self, v: &Val) -> bool {
        matches!(
            (self, v),
            (Ty::Any, _)
                | (Ty::Boolean, Val::Bool(_))
                | (Ty::Integer(_) | Ty::Number(_), Val::Num(_))
                | (
                    Ty::String { .. } | Ty::Datetime | Ty::Date | Ty::Enum(_),
                    Val::Str(_)
                )
                | (Ty::List { .. }, Val::Seq)
                | (Ty::Object(_), Val::Map)
        )
    }
}

impl<'de> Visitor<'de> for ValSeed<'_, '_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value")
    }
    fn visit_unit<E>(mut self) -> Result<(), E> {
        if !self.ty.is_any() && !self.nullable {
            let expected = format!("{} (not nullable)", self.ty.expected(self.cx.model));
            self.push(Kind::Null, expected, "null".into());
        }
        Ok(())
    }
    fn visit_bool<E>(mut self, b: bool) -> Result<(), E> {
        self.present();
        if !self.resolve(&Val::Bool(b), |_| b.to_string()) {
            return Ok(());
        }
        match self.ty {
            Ty::Boolean | Ty::Any => {}
            Ty::Enum(i) if self.cx.model.enums[*i as usize].contains(&Literal::Bool(b)) => {}
            _ => self.mismatch(b.to_string()),
        }
        Ok(())
    }
    fn visit_i64<E>(mut self, v: i64) -> Result<(), E> {
        self.number(v as f64, true, || v.to_string());
        Ok(())
    }
    fn visit_u64<E>(mut self, v: u64) -> Result<(), E> {
        self.number(v as f64, true, || v.to_string());
        Ok(())
    }
    fn visit_f64<E>(mut self, v: f64) -> Result<(), E> {
        self.number(v, false, || format_float(v));
        Ok(())
    }
    fn visit_borrowed_str<E>(mut self, s: &'de str) -> Result<(), E> {
        self.string(s);
        Ok(())
    }
    fn visit_str<E>(mut self, s: &str) -> Result<(), E> {
        self.string(s);
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        self.present();
        if !self.resolve(&Val::Seq, |_| "a list".into()) {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        let Ty::List {
            item,
            len,
            item_nullable,
        } = self.ty
        else {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            if !matches!(self.ty, Ty::Any) {
                self.mismatch("a list".into());
            }
            return Ok(());
        };
        let consent = self.prop.consent().map(|c| c.0).or(self.consent);
        let mut n = 0usize;
        loop {
            let path = Path {
                parent: Some(&self.path),
                seg: Seg::Index(n),
            };
            let seed = ValSeed {
                cx: &mut *self.cx,
                prop: self.prop,
                ty: item,
                item: true,
                nullable: *item_nullable,
                path,
                consent,
            };
            if seq.next_element_seed(seed)?.is_none() {
                break;
            }
            n += 1;
        }
        self.length(n as u64, *len, "item");
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        self.present();
        if !self.resolve(&Val::Map, |_| "an object".into()) {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        let Ty::Object(obj) = self.ty else {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            if !matches!(self.ty, Ty::Any) {
                self.mismatch("an object".into());
            }
            return Ok(());
        };
        let consent = self.prop.consent().map(|c| c.0).or(self.consent);
        object(self.cx, obj, None, &self.path, consent, self.prop.loc, map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_segments() {
        assert_eq!(escape_pointer("a/b~c"), "a~1b~0c");
        let root = Path {
            parent: None,
            seg: Seg::Key("properties"),
        };
        let child = Path {
            parent: Some(&root),
            seg: Seg::Key("x/y"),
        };
        let item = Path {
            parent: Some(&child),
            seg: Seg::Index(2),
        };
        assert_eq!(item.pointer(), "/properties/x~1y/2");
    }
}
