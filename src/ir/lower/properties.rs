//! Properties, their types and modifiers, and `example(...)` checks.

use super::{Kind, Lowerer};
use crate::diagnostics::{Diagnostic, codes, did_you_mean, list_names};
use crate::ir::values::{Date, Format, format_number, is_rfc3339};
use crate::ir::{
    Allow, Effective, EnumType, Flag, Literal, Number, Origin, PiiClass, Property, Ref, Text, Type,
};
use crate::source::{Span, Spanned};
use crate::syntax::ast::{self, PropTail, TypeExpr, Value};
use crate::vocab;
use std::collections::HashMap;

/// Words people reach for, and what they mean here.
fn type_alias(name: &str) -> Option<&'static str> {
    Some(match name {
        "str" | "text" | "varchar" | "String" => "string",
        "int" | "long" | "i64" | "bigint" | "Integer" | "Int" => "integer",
        "float" | "double" | "decimal" | "numeric" | "Number" => "number",
        "bool" | "Boolean" | "Bool" => "boolean",
        "timestamp" | "datetime_tz" | "DateTime" | "Datetime" => "datetime",
        "array" | "Array" => "list(T)",
        "map" | "dict" | "json" | "Object" => "object { … }",
        _ => return None,
    })
}

fn modifier_alias(name: &str) -> Option<&'static str> {
    Some(match name {
        "optional" => "properties are optional unless marked `required`: remove `optional`",
        "not_null" | "nonnull" | "non_null" | "notnull" => {
            "properties are not nullable unless marked `nullable`: remove it"
        }
        "minimum" => "did you mean `min`?",
        "maximum" => "did you mean `max`?",
        "minLength" | "min_len" | "minlen" => "did you mean `min_length`?",
        "maxLength" | "max_len" | "maxlen" | "length" => "did you mean `max_length`?",
        "regex" | "matches" => "did you mean `pattern`?",
        "description" | "desc" | "doc" => {
            "write the description as a string at the end of the line: `x: string \"…\"`"
        }
        "enum" | "values" | "one_of" => {
            "write the allowed values as the type: `x: enum(\"a\", \"b\")`"
        }
        "default" => "defaults are not part of a tracking plan; describe them in the description",
        _ => return None,
    })
}

impl Lowerer<'_> {
    /// Lowers the properties of one block, reporting duplicate names.
    pub(crate) fn properties(&mut self, props: &[&ast::Property]) -> Vec<Property> {
        let mut out: Vec<Property> = Vec::with_capacity(props.len());
        // Names seen, by a map in long blocks (a scan of `out` for each
        // property would be quadratic in a block of 100,000 properties).
        let mut seen: HashMap<&str, Span> = HashMap::new();
        let long = props.len() > 32;
        for p in props {
            let first = if long {
                seen.get(p.name.text.as_str()).copied()
            } else {
                out.iter()
                    .find(|q| *q.name.value == *p.name.text)
                    .map(|q| q.name.span)
            };
            if let Some(first) = first {
                self.diags.push(
                    Diagnostic::error(
                        codes::DUPLICATE_PROPERTY,
                        format!("property `{}` is declared twice", p.name.text),
                    )
                    .primary(p.name.span, "declared again here")
                    .secondary(first, "first declared here")
                    .help("remove one of them, or rename it"),
                );
                continue;
            }
            if long {
                seen.insert(&p.name.text, p.name.span);
            }
            out.push(self.property(p));
        }
        out
    }

    pub(crate) fn property(&mut self, p: &ast::Property) -> Property {
        self.type_unknown = false;
        let diags_before = self.diags.len();
        let name = Spanned::new(self.intern(&p.name.text), p.name.span);
        let ty = self.ty(&p.ty, &name);
        let type_unknown = self.type_unknown;
        if type_unknown && super::fields::is_field_name(&p.name.text) {
            let ty_span = p.ty.span();
            if let Some(d) = self.diags[diags_before..]
                .iter_mut()
                .find(|d| d.code == codes::UNKNOWN_TYPE && d.primary_span() == Some(ty_span))
            {
                let text = match &p.ty {
                    TypeExpr::Named(i) => i.text.clone(),
                    _ => "…".to_string(),
                };
                d.help = Some(format!(
                    "`{0}` is a field: write it without `:`, as `{0} {text}`",
                    p.name.text
                ));
            }
        }
        let mut prop = Property {
            name,
            ty,
            ty_span: p.ty.span(),
            required: Flag::NONE,
            nullable: Flag::NONE,
            description: None,
            mods: None,
            origin: Origin::Own,
            effective: Effective::default(),
            span: p.span,
        };
        let mut seen: Vec<(&str, Span)> = Vec::new();
        let mut example = None;
        for (i, t) in p.tail.iter().enumerate() {
            match t {
                PropTail::Description(s) => {
                    if let Some(first) = &prop.description {
                        self.diags.push(
                            Diagnostic::error(
                                codes::MISPLACED_DESCRIPTION,
                                format!("property `{}` has two descriptions", p.name.text),
                            )
                            .primary(s.span, "second description")
                            .secondary(first.span, "first description")
                            .help("join them into one string"),
                        );
                        continue;
                    }
                    if let Some(PropTail::Modifier(m)) = p.tail[i + 1..]
                        .iter()
                        .find(|t| matches!(t, PropTail::Modifier(_)))
                    {
                        self.diags.push(
                            Diagnostic::error(
                                codes::MISPLACED_DESCRIPTION,
                                "the description must come after the modifiers",
                            )
                            .primary(s.span, "description")
                            .secondary(m.span, "a modifier follows it")
                            .help(format!(
                                "move the description to the end of the line: `{}: … {} \"…\"`",
                                p.name.text, m.name.text
                            )),
                        );
                    }
                    prop.description = Some(Spanned::new(self.intern(&s.value), s.span));
                }
                PropTail::Modifier(m) => {
                    let name = m.name.text.as_str();
                    if name != "allow" {
                        if let Some(&(_, first)) = seen.iter().find(|(n, _)| *n == name) {
                            self.diags.push(
                                Diagnostic::error(
                                    codes::DUPLICATE_MODIFIER,
                                    format!("`{name}` is written twice on `{}`", p.name.text),
                                )
                                .primary(m.span, "written again here")
                                .secondary(first, "first written here")
                                .help(format!("keep one `{name}`")),
                            );
                            continue;
                        }
                        seen.push((name, m.span));
                    }
                    if name == "example" {
                        example = Some(m);
                    } else {
                        self.type_unknown = type_unknown;
                        self.modifier(&mut prop, m);
                    }
                }
            }
        }
        self.check_bounds(&prop);
        if let Some(m) = example
            && !type_unknown
        {
            mods(&mut prop.mods).example = self.example(&prop, m).map(Box::new);
        }
        self.type_unknown = type_unknown;
        prop
    }

    /// The type of property `name` (list items are named after it).
    pub(crate) fn ty(&mut self, t: &TypeExpr, name: &Spanned<Text>) -> Type {
        match t {
            TypeExpr::List(inner, _) => Type::List(Box::new(self.list_item(inner, name))),
            TypeExpr::Union(members, _) => self.union(members, name),
            TypeExpr::Enum(values, span) => {
                let out = self.enum_values(values.iter());
                if out.is_empty() && values.is_empty() {
                    self.diags.push(
                        Diagnostic::error(codes::INVALID_VALUE, "an enum needs at least one value")
                            .primary(*span, "no values"),
                    );
                }
                Type::Enum(Box::new(EnumType {
                    named: None,
                    values: self.intern_values(out.into_iter().map(|v| v.value).collect()),
                }))
            }
            TypeExpr::Object(block, _) => {
                let items = self.items(block, &crate::vocab::OBJECT);
                let props = self.properties(&items.properties);
                self.type_unknown = false;
                Type::Object(props)
            }
            TypeExpr::Named(id) => match id.text.as_str() {
                "string" => Type::String,
                "integer" => Type::Integer,
                "number" => Type::Number,
                "boolean" => Type::Boolean,
                "datetime" => Type::Datetime,
                "date" => Type::Date,
                "any" => Type::Any,
                name => {
                    if let Some(idx) = self.lookup(Kind::Enum, name) {
                        let values = self.enum_values.get(idx).cloned().unwrap_or_default();
                        let mut r = Ref::new(name, id.span);
                        r.target = Some(idx);
                        self.refs.push(crate::ir::RefSite {
                            kind: Kind::Enum,
                            target: idx,
                            span: id.span,
                        });
                        return Type::Enum(Box::new(EnumType {
                            named: Some(Box::new(r)),
                            values,
                        }));
                    }
                    self.type_unknown = true;
                    if !self.is_broken(Kind::Enum, name) {
                        self.unknown_type(name, id.span);
                    }
                    Type::String
                }
            },
        }
    }

    /// The items of `list( … )`: a property named after the list, with the
    /// modifiers written inside the parentheses.
    fn list_item(&mut self, l: &ast::ListType, name: &Spanned<Text>) -> Property {
        let ty = self.ty(&l.item, name);
        let span = l.item.span();
        let mut item = Property {
            name: name.clone(),
            ty,
            ty_span: span,
            required: Flag::NONE,
            nullable: Flag::NONE,
            description: None,
            mods: None,
            origin: Origin::Own,
            effective: Effective::default(),
            span,
        };
        let mut seen: Vec<(&str, Span)> = Vec::new();
        for m in &l.mods {
            let n = m.name.text.as_str();
            if let Some(&(_, first)) = seen.iter().find(|(s, _)| *s == n) {
                self.diags.push(
                    Diagnostic::error(
                        codes::DUPLICATE_MODIFIER,
                        format!("`{n}` is written twice on the items of `{}`", name.value),
                    )
                    .primary(m.span, "written again here")
                    .secondary(first, "first written here")
                    .help(format!("keep one `{n}`")),
                );
                continue;
            }
            seen.push((n, m.span));
            if matches!(
                n,
                "required" | "pii" | "consent" | "retention" | "example" | "deprecated" | "allow"
            ) {
                self.misuse(
                    m,
                    format!("`{n}` applies to the list, not to each item"),
                    format!("write it after the `)`: `{}: list(…) {n}`", name.value),
                );
                continue;
            }
            self.modifier(&mut item, m);
        }
        self.check_bounds(&item);
        item
    }

    /// `a | b | …`: the members, each of its own JSON type.
    fn union(&mut self, members: &[TypeExpr], name: &Spanned<Text>) -> Type {
        let mut out: Vec<(Type, Span)> = Vec::with_capacity(members.len());
        for m in members {
            let span = m.span();
            let what = match m {
                TypeExpr::Object(..) => Some("an `object { … }`"),
                TypeExpr::Enum(..) => Some("an enum"),
                _ => None,
            };
            if let Some(what) = what {
                self.invalid_union(
                    span,
                    format!("{what} cannot be a member of a union"),
                    "a union joins `string`, `integer`, `number`, `boolean`, `datetime`, `date` and `list(…)`; for values of several types write one enum: `enum(\"a\", 1, true)`",
                );
                continue;
            }
            let unknown_before = self.type_unknown;
            self.type_unknown = false;
            let t = self.ty(m, name);
            let unknown = self.type_unknown;
            self.type_unknown |= unknown_before;
            if unknown {
                continue;
            }
            match &t {
                Type::Enum(_) => {
                    self.invalid_union(
                        span,
                        "an enum cannot be a member of a union".to_string(),
                        "for values of several types write one enum: `enum(\"a\", 1, true)`",
                    );
                    continue;
                }
                Type::Any => {
                    self.invalid_union(
                        span,
                        "`any` cannot be a member of a union: it already holds every value"
                            .to_string(),
                        "write `any` alone",
                    );
                    continue;
                }
                _ => {}
            }
            let kind = union_kind(&t);
            if let Some((first, first_span)) = out.iter().find(|(o, _)| union_kind(o) == kind) {
                let message = format!(
                    "`{}` and `{}` are both {kind}: a union has one member of each JSON type",
                    first.display(),
                    t.display()
                );
                let first_span = *first_span;
                self.diags.push(
                    Diagnostic::error(codes::INVALID_UNION, message)
                        .primary(span, "second member of this type")
                        .secondary(first_span, "first member of this type")
                        .help("keep one of them (`number` admits integers too)"),
                );
                continue;
            }
            out.push((t, span));
        }
        match out.len() {
            0 => Type::String,
            1 => out.pop().map_or(Type::String, |(t, _)| t),
            _ => Type::Union(out.into_iter().map(|(t, _)| t).collect()),
        }
    }

    fn invalid_union(&mut self, span: Span, message: String, help: &str) {
        self.diags.push(
            Diagnostic::error(codes::INVALID_UNION, message)
                .primary(span, "not a member a union can have")
                .help(help),
        );
    }

    /// The values of an enum (inline or named), each once: strings, numbers,
    /// `true` and `false`; anything else is reported.
    pub(crate) fn enum_values<'v>(
        &mut self,
        values: impl Iterator<Item = &'v Value>,
    ) -> Vec<Spanned<Literal>> {
        let mut seen: HashMap<String, Span> = HashMap::new();
        let mut out = Vec::new();
        for v in values {
            let Some(lit) = literal(v) else {
                let (message, help) = match v {
                    Value::Word(w) if w.text == "null" => (
                        "`null` is not an enum value".to_string(),
                        "allow null with the modifier `nullable`: `x: enum(\"a\", \"b\") nullable`"
                            .to_string(),
                    ),
                    Value::Word(w) => (
                        format!(
                            "enum values are strings, numbers, `true` and `false`, found the name `{}`",
                            w.text
                        ),
                        format!("quote it: `\"{}\"`", w.text),
                    ),
                    other => (
                        format!(
                            "enum values are strings, numbers, `true` and `false`, found {}",
                            other.describe()
                        ),
                        "write `enum(\"free\", \"pro\")` or `enum(1, 2, 3)`".to_string(),
                    ),
                };
                self.diags.push(
                    Diagnostic::error(codes::INVALID_VALUE, message)
                        .primary(v.span(), "not an enum value")
                        .help(help),
                );
                continue;
            };
            let key = literal_key(&lit);
            if let Some(&first) = seen.get(&key) {
                self.duplicate_enum_value(&lit.display(), v.span(), first);
            } else {
                seen.insert(key, v.span());
                out.push(Spanned::new(lit, v.span()));
            }
        }
        out
    }

    pub(crate) fn duplicate_enum_value(&mut self, value: &str, span: Span, first: Span) {
        self.diags.push(
            Diagnostic::error(
                codes::INVALID_VALUE,
                format!("enum value {value} is listed twice"),
            )
            .primary(span, "listed again here")
            .secondary(first, "first listed here"),
        );
    }

    fn unknown_type(&mut self, name: &str, span: Span) {
        let help = match name {
            "list" => Some("a list needs its item type: `list(string)`".to_string()),
            "enum" => Some("an inline enum lists its values: `enum(\"a\", \"b\")`".to_string()),
            "object" => {
                Some("an object lists its properties: `object { name: string }`".to_string())
            }
            _ if self.lookup(Kind::Bundle, name).is_some() => Some(format!(
                "`{name}` is a bundle: bring its properties in with `use {name}`, or declare an object type"
            )),
            _ => type_alias(name).map(|t| format!("did you mean `{t}`?")),
        };
        let help = help.or_else(|| {
            let enums = self.names_of(Kind::Enum);
            let mut candidates: Vec<&str> = vocab::type_names().collect();
            candidates.extend(enums.iter().map(String::as_str));
            did_you_mean(name, candidates, |c| c.to_string())
        });
        let is_modifier = vocab::modifier(name).is_some();
        let help = help.unwrap_or_else(|| {
            if is_modifier {
                format!("`{name}` is a modifier; write the type first: `x: string {name}`")
            } else {
                format!(
                    "types are {}, an enum name, `enum(…)`, `list(T)` and `object {{ … }}`",
                    list_names(&vocab::type_names().collect::<Vec<_>>())
                )
            }
        });
        self.diags.push(
            Diagnostic::error(codes::UNKNOWN_TYPE, format!("unknown type `{name}`"))
                .primary(
                    span,
                    if is_modifier {
                        "expected a type before modifiers"
                    } else {
                        "not a type or an enum"
                    },
                )
                .help(help),
        );
    }

    fn misuse(&mut self, m: &ast::Modifier, message: String, help: impl Into<String>) {
        self.diags.push(
            Diagnostic::error(codes::MODIFIER_MISUSE, message)
                .primary(m.span, "here")
                .help(help),
        );
    }

    /// The single argument of a modifier, or a report.
    fn one_arg<'a>(&mut self, m: &'a ast::Modifier, expected: &str) -> Option<&'a Value> {
        match &m.args {
            Some(a) if a.args.len() == 1 && a.args[0].key.is_none() => Some(&a.args[0].value),
            _ => {
                let name = &m.name.text;
                self.misuse(
                    m,
                    format!("`{name}` takes one argument: {expected}"),
                    format!("write `{name}({})`", example_arg(name)),
                );
                None
            }
        }
    }

    fn no_args(&mut self, m: &ast::Modifier) -> bool {
        if m.args.is_some() {
            self.misuse(
                m,
                format!("`{}` takes no arguments", m.name.text),
                format!("write `{}` alone", m.name.text),
            );
            return false;
        }
        true
    }

    /// One modifier of a property: its arguments are checked, and that it applies
    /// to the property's type, then it is stored in the property. The flags are
    /// set here; every other modifier (or pair) has its method below, in
    /// `vocab::MODIFIERS` order.
    fn modifier(&mut self, prop: &mut Property, m: &ast::Modifier) {
        match m.name.text.as_str() {
            "required" => {
                if self.no_args(m) {
                    prop.required = Flag::at(m.span);
                }
            }
            "nullable" => {
                if self.no_args(m) {
                    prop.nullable = Flag::at(m.span);
                }
            }
            "deprecated" => {
                if self.no_args(m) {
                    mods(&mut prop.mods).deprecated = Some(m.span);
                }
            }
            "closed" => self.modifier_closed(prop, m),
            "multiple_of" => self.modifier_multiple_of(prop, m),
            "not_enum" => self.modifier_not_enum(prop, m),
            "min" | "max" => self.modifier_bound(prop, m),
            "min_length" | "max_length" => self.modifier_length(prop, m),
            "pattern" | "not_pattern" => self.modifier_pattern(prop, m),
            "format" => self.modifier_format(prop, m),
            "pii" => self.modifier_pii(prop, m),
            "consent" | "retention" => self.modifier_ref(prop, m),
            "allow" => {
                if let Some(a) = self.allow(m.args.as_ref(), m.span) {
                    mods(&mut prop.mods).allows.push(a);
                }
            }
            _ => self.unknown_modifier(m),
        }
    }

    /// `closed` (an object's keys are only its properties).
    fn modifier_closed(&mut self, prop: &mut Property, m: &ast::Modifier) {
        let ty_name = prop.ty.display();
        if !self.no_args(m) || self.type_unknown {
            return;
        }
        if !prop.ty.has(|t| matches!(t, Type::Object(_))) {
            self.misuse(
                m,
                format!("`closed` does not apply to `{ty_name}`"),
                "`closed` closes an `object { … }`: no keys besides its properties",
            );
            return;
        }
        mods(&mut prop.mods).closed = Some(m.span);
    }

    /// `multiple_of(n)`, n > 0, on integers and numbers.
    fn modifier_multiple_of(&mut self, prop: &mut Property, m: &ast::Modifier) {
        let ty_name = prop.ty.display();
        let Some(v) = self.one_arg(m, "a number greater than 0") else {
            return;
        };
        let num = match v {
            Value::Number(n) => parse_number(&n.text).filter(|n| n.value > 0.0),
            _ => None,
        };
        let Some(num) = num else {
            self.misuse(
                m,
                format!(
                    "`multiple_of` takes a number greater than 0, found {}",
                    match v {
                        Value::Number(n) => n.text.clone(),
                        v => v.describe().to_string(),
                    }
                ),
                "write `multiple_of(5)` or `multiple_of(0.01)`",
            );
            return;
        };
        if self.type_unknown {
            return;
        }
        if !prop.ty.has(|t| matches!(t, Type::Integer | Type::Number)) {
            self.misuse(
                m,
                format!("`multiple_of` does not apply to `{ty_name}`"),
                "`multiple_of` applies to integers and numbers",
            );
            return;
        }
        mods(&mut prop.mods).multiple_of = Some(Box::new(Spanned::new(num, m.span)));
    }

    /// `not_enum(…)`: the literals a value must not be (repeats dropped).
    fn modifier_not_enum(&mut self, prop: &mut Property, m: &ast::Modifier) {
        let Some(args) = m.args.as_ref().filter(|a| !a.args.is_empty()) else {
            self.misuse(
                m,
                "`not_enum` lists the values that are not allowed".to_string(),
                "write `not_enum(\"a\", \"b\")`",
            );
            return;
        };
        let mut values = Vec::with_capacity(args.args.len());
        let mut seen = std::collections::HashSet::new();
        for a in &args.args {
            match (&a.key, literal(&a.value)) {
                (None, Some(j)) => {
                    if seen.insert(literal_key(&j)) {
                        values.push(j);
                    }
                }
                _ => {
                    self.misuse(
                        m,
                        format!(
                            "`not_enum` takes strings, numbers and booleans, found {}",
                            a.value.describe()
                        ),
                        "write `not_enum(\"a\", 1, true)`",
                    );
                    return;
                }
            }
        }
        mods(&mut prop.mods).not_enum = Some(Box::new(Spanned::new(values, m.span)));
    }

    /// `min(n)` / `max(n)` on integers and numbers (a whole number for an integer).
    fn modifier_bound(&mut self, prop: &mut Property, m: &ast::Modifier) {
        let name = m.name.text.as_str();
        let ty_name = prop.ty.display();
        let Some(v) = self.one_arg(m, "a number") else {
            return;
        };
        let Value::Number(n) = v else {
            self.misuse(
                m,
                format!("`{name}` takes a number, found {}", v.describe()),
                format!("write `{name}(0)`"),
            );
            return;
        };
        if self.type_unknown {
            return;
        }
        if !prop.ty.has(|t| matches!(t, Type::Integer | Type::Number)) {
            let help = if prop.ty.has(|t| matches!(t, Type::String | Type::List(_))) {
                format!("for a length, use `{name}_length(…)`")
            } else {
                "`min` and `max` bound integers and numbers".to_string()
            };
            self.misuse(m, format!("`{name}` does not apply to `{ty_name}`"), help);
            return;
        }
        let Some(num) = parse_number(&n.text) else {
            // Only a decimal too large for a double gets here.
            self.misuse(
                m,
                format!("`{name}` is beyond the largest number a plan can hold"),
                "bounds are 64-bit floating-point numbers (at most about 1.8e308)",
            );
            return;
        };
        if !prop.ty.has(|t| matches!(t, Type::Number)) && !num.is_integer() {
            self.misuse(
                m,
                format!(
                    "`{name}` of an integer must be a whole number, found {}",
                    n.text
                ),
                "use a whole number, or make the property a `number`",
            );
            return;
        }
        let v = Some(Box::new(Spanned::new(num, m.span)));
        if name == "min" {
            mods(&mut prop.mods).min = v
        } else {
            mods(&mut prop.mods).max = v
        }
    }

    /// `min_length(n)` / `max_length(n)` on strings (characters) and lists (items).
    fn modifier_length(&mut self, prop: &mut Property, m: &ast::Modifier) {
        let name = m.name.text.as_str();
        let ty_name = prop.ty.display();
        let Some(v) = self.one_arg(m, "a whole number") else {
            return;
        };
        if self.type_unknown {
            return;
        }
        if !prop.ty.has(|t| matches!(t, Type::String | Type::List(_))) {
            let help = if prop.ty.has(|t| matches!(t, Type::Integer | Type::Number)) {
                format!("for a numeric bound, use `{}(…)`", &name[..3])
            } else {
                "lengths apply to strings (characters) and lists (items)".to_string()
            };
            self.misuse(m, format!("`{name}` does not apply to `{ty_name}`"), help);
            return;
        }
        let parsed = match v {
            Value::Number(n) => n.text.parse::<u64>().ok(),
            _ => None,
        };
        let Some(len) = parsed else {
            self.misuse(
                m,
                format!("`{name}` takes a whole number ≥ 0"),
                format!("write `{name}(40)`"),
            );
            return;
        };
        let v = Some(Box::new(Spanned::new(len, m.span)));
        if name == "min_length" {
            mods(&mut prop.mods).min_length = v
        } else {
            mods(&mut prop.mods).max_length = v
        }
    }

    /// `pattern("…")` / `not_pattern("…")` on strings: an ECMA-262 regular expression that compiles.
    fn modifier_pattern(&mut self, prop: &mut Property, m: &ast::Modifier) {
        let name = m.name.text.as_str();
        let ty_name = prop.ty.display();
        let Some(v) = self.one_arg(m, "a regular expression string") else {
            return;
        };
        let Value::Str(s) = v else {
            self.misuse(
                m,
                format!("`{name}` takes a string, found {}", v.describe()),
                format!("write `{name}(\"^[A-Z]{{3}}$\")`"),
            );
            return;
        };
        if !prop.ty.has(|t| matches!(t, Type::String)) {
            self.misuse(
                m,
                format!("`{name}` does not apply to `{ty_name}`"),
                "patterns apply to `string` properties",
            );
            return;
        }
        if let Err(why) = self.check_regex(&s.value) {
            self.diags.push(
                Diagnostic::error(codes::INVALID_REGEX, format!("invalid pattern: {why}"))
                    .primary(s.span, "this regular expression does not compile")
                    .help("patterns use the ECMA-262 subset shared by JSON Schema validators: no look-around or back-references; escape `\\` as `\\\\` inside the string"),
            );
            return;
        }
        let v = Some(Box::new(Spanned::new(s.value.clone(), s.span)));
        if name == "pattern" {
            mods(&mut prop.mods).pattern = v;
        } else {
            mods(&mut prop.mods).not_pattern = v;
        }
    }

    /// `format(name)` on strings.
    fn modifier_format(&mut self, prop: &mut Property, m: &ast::Modifier) {
        let ty_name = prop.ty.display();
        let Some(v) = self.one_arg(m, "a format name") else {
            return;
        };
        let (word, span) = match v {
            Value::Word(w) => (w.text.as_str(), w.span),
            Value::Str(s) => (s.value.as_str(), s.span),
            _ => {
                self.misuse(
                    m,
                    format!("`format` takes a format name, found {}", v.describe()),
                    "write `format(email)`",
                );
                return;
            }
        };
        let names: Vec<&str> = Format::ALL.iter().map(|(n, _)| *n).collect();
        let Some(f) = self.keyword_of(word, span, "format", &names, Format::parse) else {
            return;
        };
        if !self.type_unknown && !prop.ty.has(|t| matches!(t, Type::String)) {
            let help = match prop.ty {
                Type::Datetime => "a `datetime` is already RFC 3339: remove `format`".to_string(),
                Type::Date => "a `date` is already YYYY-MM-DD: remove `format`".to_string(),
                _ => "formats apply to `string` properties".to_string(),
            };
            self.misuse(m, format!("`format` does not apply to `{ty_name}`"), help);
            return;
        }
        mods(&mut prop.mods).format = Some(f);
    }

    /// `pii(class)`.
    fn modifier_pii(&mut self, prop: &mut Property, m: &ast::Modifier) {
        let Some(v) = self.one_arg(m, "a PII class") else {
            return;
        };
        let Value::Word(w) = v else {
            self.misuse(
                m,
                format!("`pii` takes a class name, found {}", v.describe()),
                format!("classes are {}", list_names(PiiClass::NAMES)),
            );
            return;
        };
        mods(&mut prop.mods).pii = self.keyword_of(
            &w.text,
            w.span,
            "PII class",
            PiiClass::NAMES,
            PiiClass::parse,
        );
    }

    /// `consent(id)` / `retention(id)`: a reference to a declaration.
    fn modifier_ref(&mut self, prop: &mut Property, m: &ast::Modifier) {
        let name = m.name.text.as_str();
        let Some(v) = self.one_arg(m, "a declared name") else {
            return;
        };
        let Value::Word(w) = v else {
            self.misuse(
                m,
                format!("`{name}` takes a declared name, found {}", v.describe()),
                format!("write `{name}(id)` with the id of a `{name}` declaration"),
            );
            return;
        };
        let kind = if name == "consent" {
            Kind::Consent
        } else {
            Kind::Retention
        };
        let mut r = Ref::new(w.text.clone(), w.span);
        self.resolve(&mut r, kind);
        if name == "consent" {
            mods(&mut prop.mods).consent = Some(Box::new(r))
        } else {
            mods(&mut prop.mods).retention = Some(Box::new(r))
        }
    }

    /// A word that is not a modifier (E0031), with the likeliest fix: an alias,
    /// a near name, a type written as a modifier, or the list.
    fn unknown_modifier(&mut self, m: &ast::Modifier) {
        let name = m.name.text.as_str();
        let help = modifier_alias(name)
            .map(str::to_string)
            .or_else(|| did_you_mean(name, vocab::modifier_names(), |c| c.to_string()))
            .or_else(|| {
                (vocab::type_names().any(|t| t == name) || self.lookup(Kind::Enum, name).is_some())
                    .then(|| {
                        format!("`{name}` is a type; a property has one type, right after `:`")
                    })
            })
            .unwrap_or_else(|| {
                format!(
                    "modifiers are {}",
                    list_names(&vocab::modifier_names().collect::<Vec<_>>())
                )
            });
        self.diags.push(
            Diagnostic::error(
                codes::UNKNOWN_MODIFIER,
                format!("unknown modifier `{name}`"),
            )
            .primary(m.name.span, "not a modifier")
            .help(help),
        );
    }

    /// `allow("rule", reason "…")` on an event, traits block or property.
    pub(crate) fn allow(&mut self, args: Option<&ast::Args>, span: Span) -> Option<Allow> {
        let usage = "write `allow(\"rule/name\", reason \"why this exception is justified\")`";
        let Some(args) = args.filter(|a| !a.args.is_empty()) else {
            self.diags.push(
                Diagnostic::error(codes::INVALID_VALUE, "`allow` names the rule it silences")
                    .primary(span, "no rule named")
                    .help(usage),
            );
            return None;
        };
        let first = &args.args[0];
        let rule = match (&first.key, &first.value) {
            (None, Value::Str(s)) => Spanned::new(s.value.clone(), s.span),
            _ => {
                self.diags.push(
                    Diagnostic::error(
                        codes::INVALID_VALUE,
                        "`allow` takes the rule name as a string first",
                    )
                    .primary(first.span, "expected a string like \"naming/event-case\"")
                    .help(usage),
                );
                return None;
            }
        };
        if !self.rule_names.contains(&rule.value.as_str()) {
            self.unknown_rule(&rule.value, rule.span);
        }
        let mut reason = None;
        for a in &args.args[1..] {
            match (&a.key, &a.value) {
                (Some(k), Value::Str(s)) if k.text == "reason" => {
                    reason = Some(Spanned::new(s.value.clone(), s.span));
                }
                (None, Value::Str(s)) => {
                    self.diags.push(
                        Diagnostic::error(
                            codes::INVALID_VALUE,
                            "the reason of an `allow` is written `reason \"…\"`",
                        )
                        .primary(a.span, "missing `reason`")
                        .help(format!("write `reason {:?}`", s.value)),
                    );
                    reason = Some(Spanned::new(s.value.clone(), s.span));
                }
                _ => {
                    self.diags.push(
                        Diagnostic::error(codes::INVALID_VALUE, "unexpected argument to `allow`")
                            .primary(a.span, "expected `reason \"…\"`")
                            .help(usage),
                    );
                }
            }
        }
        match &reason {
            Some(r) if !r.value.trim().is_empty() => {}
            Some(r) => {
                self.diags.push(
                    Diagnostic::error(
                        codes::ALLOW_WITHOUT_REASON,
                        format!("the exception to `{}` has an empty reason", rule.value),
                    )
                    .primary(r.span, "empty reason")
                    .help(
                        "say why the rule does not apply here, for the reviewers who will read it",
                    ),
                );
            }
            None => {
                self.diags.push(
                    Diagnostic::error(
                        codes::ALLOW_WITHOUT_REASON,
                        format!("the exception to `{}` has no reason", rule.value),
                    )
                    .primary(span, "no `reason \"…\"`")
                    .help(format!(
                        "justify it: `allow(\"{}\", reason \"…\")`",
                        rule.value
                    )),
                );
            }
        }
        Some(Allow { rule, reason, span })
    }

    pub(crate) fn unknown_rule(&mut self, name: &str, span: Span) {
        let known = self.rule_names;
        self.unknown_setting("rule", known, name, span);
    }

    /// A name in `rules { }`, `allow(…)` or `relax { }` that is not one of
    /// `known` (the rules, or the kinds of change).
    pub(crate) fn unknown_setting(&mut self, what: &str, known: &[&str], name: &str, span: Span) {
        let code = if what == "rule" {
            codes::UNKNOWN_RULE
        } else {
            codes::UNKNOWN_CHANGE_KIND
        };
        let help = did_you_mean(name, known.iter().copied(), |c| c.to_string())
            .unwrap_or_else(|| format!("`eventsc explain --list` lists every {what}"));
        self.diags.push(
            Diagnostic::error(code, format!("unknown {what} `{name}`"))
                .primary(span, format!("no {what} has this name"))
                .help(help),
        );
    }

    fn check_regex(&mut self, pattern: &str) -> Result<(), String> {
        if let Some(r) = self.regex_cache.get(pattern) {
            return r.clone();
        }
        let r = regex::Regex::new(pattern).map(|_| ()).map_err(|e| match e {
            regex::Error::Syntax(s) => s
                .lines()
                .find_map(|l| l.strip_prefix("error: "))
                .unwrap_or("syntax error")
                .to_string(),
            other => other.to_string(),
        });
        self.regex_cache.insert(pattern.to_string(), r.clone());
        r
    }

    fn check_bounds(&mut self, p: &Property) {
        let m = p.modifiers();
        if let (Some(min), Some(max)) = (&m.min, &m.max)
            && min.value.value > max.value.value
        {
            self.bounds_error(&p.name.value, "min", min.span, "max", max.span);
        }
        if let (Some(min), Some(max)) = (&m.min_length, &m.max_length)
            && min.value > max.value
        {
            self.bounds_error(
                &p.name.value,
                "min_length",
                min.span,
                "max_length",
                max.span,
            );
        }
        if let Some(step) = &m.multiple_of
            && first_multiple(p).is_none()
        {
            let (lo, hi) = (m.min.as_ref(), m.max.as_ref());
            let mut d = Diagnostic::error(
                codes::INVALID_BOUNDS,
                format!(
                    "`{}` has no multiple of {} between its bounds: no value can satisfy them",
                    p.name.value,
                    format_number(step.value.value)
                ),
            )
            .primary(step.span, "multiple_of");
            for b in [lo, hi].into_iter().flatten() {
                d = d.secondary(b.span, "bound");
            }
            self.diags
                .push(d.help("widen the bounds or change `multiple_of`"));
        }
    }

    fn bounds_error(&mut self, prop: &str, lo: &str, lo_span: Span, hi: &str, hi_span: Span) {
        self.diags.push(
            Diagnostic::error(
                codes::INVALID_BOUNDS,
                format!("`{prop}` has `{lo}` greater than `{hi}`: no value can satisfy both"),
            )
            .primary(lo_span, "lower bound")
            .secondary(hi_span, "upper bound")
            .help(format!("make `{lo}` ≤ `{hi}`")),
        );
    }

    /// Converts and checks `example(...)` against the property's type and constraints.
    fn example(&mut self, p: &Property, m: &ast::Modifier) -> Option<Spanned<serde_json::Value>> {
        let v = self.one_arg(m, "an example value")?;
        let json = match literal_to_json(v, &p.ty) {
            Ok(j) => j,
            Err(why) => {
                self.example_error(p, v.span(), why);
                return None;
            }
        };
        if let Err(why) = check_value(p, &p.ty, &json) {
            self.example_error(p, v.span(), why);
            return None;
        }
        Some(Spanned::new(json, v.span()))
    }

    fn example_error(&mut self, p: &Property, span: Span, why: String) {
        self.diags.push(
            Diagnostic::error(
                codes::EXAMPLE_MISMATCH,
                format!("the example of `{}` does not match its type", p.name.value),
            )
            .primary(span, why)
            .secondary(p.ty_span, format!("the type is `{}`", p.ty.display())),
        );
    }
}

fn example_arg(name: &str) -> &'static str {
    match name {
        "min" | "max" => "0",
        "min_length" | "max_length" => "40",
        "pattern" | "not_pattern" => "\"^[a-z]+$\"",
        "multiple_of" => "5",
        "format" => "email",
        "pii" => "contact",
        "consent" => "analytics",
        "retention" => "standard",
        _ => "…",
    }
}

/// A literal value (`not_enum`, enum values): a string, number or boolean.
pub(crate) fn literal(v: &Value) -> Option<Literal> {
    Some(match v {
        Value::Str(s) => Literal::Str(s.value.clone()),
        Value::Number(n) => Literal::Num(parse_number(&n.text)?.json),
        Value::Word(w) if w.text == "true" => Literal::Bool(true),
        Value::Word(w) if w.text == "false" => Literal::Bool(false),
        _ => return None,
    })
}

/// A key equal for equal values (`1` and `1.0` are one number).
pub(crate) fn literal_key(l: &Literal) -> String {
    match l {
        Literal::Str(s) => format!("s{s}"),
        Literal::Num(n) => format!("n{}", n.as_f64().unwrap_or(f64::NAN)),
        Literal::Bool(b) => format!("b{b}"),
    }
}

/// What a union may hold once of: `integer` and `number` are both numbers,
/// `string`, `datetime` and `date` all strings.
fn union_kind(t: &Type) -> &'static str {
    match t {
        Type::Integer | Type::Number => "numbers",
        Type::String | Type::Datetime | Type::Date => "strings",
        Type::Boolean => "booleans",
        Type::List(_) => "lists",
        _ => "other",
    }
}

/// Whether `x` is a multiple of `step`: `x / step` is a whole number, as ajv
/// and most JSON Schema validators compute it (so `0.3` is no multiple of
/// `0.1` in floating point, while `0.2` is).
pub(crate) fn is_multiple(x: f64, step: f64) -> bool {
    let q = x / step;
    q.is_finite() && q.fract() == 0.0
}

/// The first value from the lower bound up (from 0 when there is none, or
/// down from the upper bound when it is below 0) that is a multiple of the
/// property's `multiple_of` (by `is_multiple`), within its bounds and whole
/// for an integer; `None` when none is among the first thousand candidates.
/// (Samples use it; lowering reports `None`.)
///
/// Public only for the integration tests (tests/it).
pub fn first_multiple(p: &Property) -> Option<f64> {
    let m = p.modifiers();
    let step = m.multiple_of.as_ref()?.value.value;
    let lo = m.min.as_ref().map(|n| n.value.value);
    let hi = m.max.as_ref().map(|n| n.value.value);
    let integer = !p.ty.has(|t| matches!(t, Type::Number));
    let down = lo.is_none() && hi.is_some_and(|h| h < 0.0);
    let start = match (lo, hi) {
        (Some(lo), _) => (lo / step).ceil(),
        (None, Some(hi)) if hi < 0.0 => (hi / step).floor(),
        (None, _) => 0.0,
    };
    for k in 0..1000 {
        let k = if down {
            start - k as f64
        } else {
            start + k as f64
        };
        let x = k * step;
        if (down && lo.is_some_and(|lo| x < lo)) || (!down && hi.is_some_and(|hi| x > hi)) {
            return None;
        }
        let inside = lo.is_none_or(|lo| x >= lo) && hi.is_none_or(|hi| x <= hi);
        if inside && is_multiple(x, step) && (!integer || x.fract() == 0.0) {
            return Some(x);
        }
    }
    None
}

pub(crate) fn parse_number(text: &str) -> Option<Number> {
    let value: f64 = text.parse().ok()?;
    let json = if !text.contains('.') {
        text.parse::<i64>().ok().map(serde_json::Number::from)
    } else {
        None
    }
    .or_else(|| serde_json::Number::from_f64(value))?;
    Some(Number { value, json })
}

/// An `example(...)` literal as JSON.
fn literal_to_json(v: &Value, ty: &Type) -> Result<serde_json::Value, String> {
    use serde_json::Value as J;
    Ok(match v {
        Value::Str(s) => J::String(s.value.clone()),
        Value::Number(n) => J::Number(
            parse_number(&n.text)
                .ok_or_else(|| format!("`{}` is not a number", n.text))?
                .json,
        ),
        Value::Date(d) => J::String(d.text.clone()),
        Value::Word(w) if w.text == "true" => J::Bool(true),
        Value::Word(w) if w.text == "false" => J::Bool(false),
        Value::Word(w) if w.text == "null" => J::Null,
        Value::Array(items, _) => {
            let inner = match ty {
                Type::List(t) => &t.ty,
                other => other,
            };
            J::Array(
                items
                    .iter()
                    .map(|i| literal_to_json(i, inner))
                    .collect::<Result<_, _>>()?,
            )
        }
        Value::Word(w) => {
            return Err(format!(
                "`{}` is not a value; quote strings: `example(\"{}\")`",
                w.text, w.text
            ));
        }
        other => return Err(format!("{} cannot be an example value", other.describe())),
    })
}

fn describe_json(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Checks a JSON value against a property's type and constraints; the error says why not.
/// (Also used by the `samples` target to vet the values it derives.)
pub(crate) fn check_value(p: &Property, ty: &Type, v: &serde_json::Value) -> Result<(), String> {
    let m = p.modifiers();
    use serde_json::Value as J;
    if v.is_null() {
        return if p.is_nullable() {
            Ok(())
        } else {
            Err("`null` is not allowed: the property is not `nullable`".into())
        };
    }
    let wrong = |expected: &str| Err(format!("expected {expected}, found {}", describe_json(v)));
    if let Some(not) = &m.not_enum
        && not.value.iter().any(|l| l.matches(v))
    {
        return Err(format!("{v} is not allowed (not_enum)"));
    }
    match (ty, v) {
        (Type::Any, _) => Ok(()),
        (Type::Union(members), _) => match members.iter().find(|t| carries(t, v)) {
            Some(t) => check_value(p, t, v),
            None => wrong(&ty.display()),
        },
        (Type::String, J::String(s)) => {
            let len = s.chars().count() as u64;
            if let Some(min) = &m.min_length
                && len < min.value
            {
                return Err(format!(
                    "{len} characters, fewer than min_length({})",
                    min.value
                ));
            }
            if let Some(max) = &m.max_length
                && len > max.value
            {
                return Err(format!(
                    "{len} characters, more than max_length({})",
                    max.value
                ));
            }
            if let Some(f) = &m.format
                && !f.value.matches(s)
            {
                return Err(format!("{s:?} is not a valid `{}`", f.value));
            }
            if let Some(pat) = &m.pattern
                && crate::validate::pattern::compile(&pat.value).is_ok_and(|r| !r.is_match(s))
            {
                return Err(format!("{s:?} does not match the pattern"));
            }
            if let Some(pat) = &m.not_pattern
                && regex::Regex::new(&pat.value).is_ok_and(|r| r.is_match(s))
            {
                return Err(format!("{s:?} matches the not_pattern"));
            }
            Ok(())
        }
        (Type::String, _) => wrong("a string"),
        (Type::Datetime, J::String(s)) if is_rfc3339(s) => Ok(()),
        (Type::Datetime, _) => wrong("an RFC 3339 date-time string like \"2026-11-25T10:00:00Z\""),
        (Type::Date, J::String(s)) => Date::parse(s).map(|_| ()),
        (Type::Date, _) => wrong("a date string like \"2026-11-25\""),
        (Type::Boolean, J::Bool(_)) => Ok(()),
        (Type::Boolean, _) => wrong("`true` or `false`"),
        (Type::Integer | Type::Number, J::Number(n)) => {
            let x = n.as_f64().unwrap_or(0.0);
            if matches!(ty, Type::Integer) && x.fract() != 0.0 {
                return Err(format!("{n} is not a whole number"));
            }
            if let Some(min) = &m.min
                && x < min.value.value
            {
                return Err(format!(
                    "{n} is below min({})",
                    format_number(min.value.value)
                ));
            }
            if let Some(max) = &m.max
                && x > max.value.value
            {
                return Err(format!(
                    "{n} is above max({})",
                    format_number(max.value.value)
                ));
            }
            if let Some(step) = &m.multiple_of
                && !is_multiple(x, step.value.value)
            {
                return Err(format!(
                    "{n} is not a multiple of {}",
                    format_number(step.value.value)
                ));
            }
            Ok(())
        }
        (Type::Integer, _) => wrong("an integer"),
        (Type::Number, _) => wrong("a number"),
        (Type::Enum(e), _) if e.values.iter().any(|l| l.matches(v)) => Ok(()),
        (Type::Enum(e), _) => Err(format!(
            "{v} is not one of {}",
            e.values
                .iter()
                .map(Literal::display)
                .collect::<Vec<_>>()
                .join(", ")
        )),
        (Type::List(inner), J::Array(items)) => {
            let n = items.len() as u64;
            if let Some(min) = &m.min_length
                && n < min.value
            {
                return Err(format!("{n} items, fewer than min_length({})", min.value));
            }
            if let Some(max) = &m.max_length
                && n > max.value
            {
                return Err(format!("{n} items, more than max_length({})", max.value));
            }
            for (i, x) in items.iter().enumerate() {
                check_value(inner, &inner.ty, x).map_err(|e| format!("item {}: {e}", i + 1))?;
            }
            Ok(())
        }
        (Type::List(_), _) => wrong("a list like `[\"a\", \"b\"]`"),
        (Type::Object(_), _) => {
            Err("objects take no example: their properties' examples are used".into())
        }
    }
}

/// Whether a member of a union carries values of `v`'s JSON type.
fn carries(t: &Type, v: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    matches!(
        (t, v),
        (Type::String | Type::Datetime | Type::Date, J::String(_))
            | (Type::Integer | Type::Number, J::Number(_))
            | (Type::Boolean, J::Bool(_))
            | (Type::List(_), J::Array(_))
    )
}

/// A property's modifiers, to write one (the box is made on first use; a
/// function of the field so that the property's type can stay borrowed).
fn mods(m: &mut Option<Box<crate::ir::Modifiers>>) -> &mut crate::ir::Modifiers {
    m.get_or_insert_with(Box::default)
}
