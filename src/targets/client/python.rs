//! `python`: `python/tracking.py`, a typed tracking client for server code with
//! `segment-analytics-python`, checked by `mypy --strict` and pyright. No
//! dependency at run time (Python 3.8+; `typing_extensions` only for the type
//! checker).
//!
//! Shape: `PLAN_VERSION`; `ConsentPurpose` (a `Literal` of the plan's consent
//! ids); a `Literal` alias per named enum; a `TypedDict` per bundle, per nested
//! object and per event (`<Event>Properties`, inheriting the bundles it uses,
//! with the `common` properties); `identify(user_id, traits, **options)` and
//! `group(group_id, traits, **options)` when the plan has those blocks; per event
//! a function in snake_case (`"Order Completed"` → `order_completed(properties,
//! **options)`, options typed by `CallOptions`; an older version
//! `order_completed_v1`), per page or screen rule `page(properties, name=…)`
//! or `page_pricing(properties)`, documented with the event's
//! description, owner, source, consent and deprecation (`@deprecated` for the
//! type checker). Optional properties are `NotRequired`, `nullable` is
//! `Optional`, enums are `Literal`s, dates are `datetime | str` (`date | str`)
//! sent as RFC 3339 text. Then `set_analytics(analytics, on_violation=…,
//! consent=…)` and the run time (`runtime.py`), and the plan's shape as JSON
//! text (`_PLAN`, see [`super::meta_json`]) with patterns rewritten for Python's
//! `re` ([`python_pattern`]).

use super::{
    Call, CallKind, ClientTarget, Namer, Style, calls, constraints, event_doc, event_type_doc,
    names, pascal, view_doc, view_type_doc,
};
use crate::ir::{Event, Literal, Plan, Property, Type};
use crate::targets::encode::text::json_string;
use rustc_hash::FxHashSet;

pub(crate) const PATH: &str = "python/tracking.py";

const RUNTIME: &str = include_str!("runtime.py");

/// Python's keywords and the builtins the client's code uses.
const RESERVED: &[&str] = &[
    "False",
    "None",
    "True",
    "all",
    "and",
    "any",
    "as",
    "assert",
    "async",
    "await",
    "bool",
    "break",
    "class",
    "continue",
    "def",
    "del",
    "dict",
    "elif",
    "else",
    "enumerate",
    "except",
    "finally",
    "float",
    "for",
    "from",
    "global",
    "if",
    "import",
    "in",
    "int",
    "is",
    "isinstance",
    "lambda",
    "len",
    "list",
    "next",
    "nonlocal",
    "not",
    "object",
    "or",
    "pass",
    "raise",
    "return",
    "str",
    "try",
    "tuple",
    "type",
    "while",
    "with",
    "yield",
];

/// Python's keywords: a `TypedDict` with such a key is written in the
/// functional syntax.
const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

const OWN_TYPES: &[&str] = &[
    "AnalyticsLike",
    "CallOptions",
    "ConsentPurpose",
    "GroupTraits",
    "IdentifyTraits",
    "PLAN_VERSION",
    "Violation",
];

pub(crate) static STYLE: Style = Style {
    function: super::snake,
    function_reserved: RESERVED,
    function_suffix: "_event",
    own_functions: &["set_analytics", "identify", "group"],
    type_reserved: RESERVED,
    type_suffix: "Type",
    own_types: OWN_TYPES,
    event_type_suffix: "Properties",
};

pub(crate) const TARGET: ClientTarget = ClientTarget {
    name: "python",
    description: "python/tracking.py: a typed tracking client (a function per event version, identify, group, page and screen rule) for segment-analytics-python",
    path: PATH,
    render: generate,
};

/// The module's text.
pub(crate) fn generate(plan: &Plan) -> String {
    let names = names(plan, &STYLE);
    // Nested objects get names of their own, after every other type.
    let mut namer = Namer::new(RESERVED, OWN_TYPES, "Type");
    let mut type_names: FxHashSet<String> = FxHashSet::default();
    for n in names
        .enums
        .iter()
        .chain(&names.bundles)
        .chain(&names.event_types)
        .chain(&names.view_types)
        .map(String::as_str)
        .chain(["IdentifyTraits", "GroupTraits"])
    {
        namer.name(n.to_string(), n);
        type_names.insert(n.to_string());
    }
    let mut g = Gen {
        plan,
        names: &names,
        namer,
        type_names,
        out: String::with_capacity(4096 + plan.events.len() * 2048),
    };
    let calls = calls(plan, &names);
    g.header();
    g.types(&calls);
    g.functions(&calls);
    g.out.push_str("\n\n");
    g.out.push_str(RUNTIME);
    g.out
        .push_str("\n\n# The plan's shape, read by the run time.\n_PLAN = ");
    let meta = super::meta_json(plan, &python_pattern);
    super::push_single_quoted(&mut g.out, &meta);
    g.out.push('\n');
    g.out
}

struct Gen<'a> {
    plan: &'a Plan,
    names: &'a super::Names,
    namer: Namer,
    /// Every generated type name: a key spelt like one is written in the
    /// functional syntax, where it cannot shadow the type.
    type_names: FxHashSet<String>,
    out: String,
}

/// One `TypedDict` to write: its name, bases, properties and doc.
struct Dict<'p> {
    name: String,
    bases: Vec<String>,
    props: Vec<&'p Property>,
    doc: Vec<String>,
}

impl<'p> Gen<'p> {
    fn header(&mut self) {
        let m = &self.plan.meta;
        let title = one_line(&m.title.value);
        let version = m.version.value.to_string();
        self.out.push_str(&format!(
            "# {title} (tracking plan version {version}): a typed tracking client generated by eventsc.\n\
             # Do not edit: change the plan and build again (`eventsc build --target python`).\n\
             #\n\
             # Call `set_analytics(analytics)` once with segment-analytics-python (the\n\
             # `segment.analytics` module or an `analytics.Client`), then one function per event.\n"
        ));
        self.out.push_str(
            "\"\"\"A typed tracking client generated by eventsc from a tracking plan.\"\"\"\n\n\
             from __future__ import annotations\n\n\
             import datetime as _dt\n\
             import json as _json\n\
             import math as _math\n\
             import re as _re\n\
             import typing as _t\n\n\
             if _t.TYPE_CHECKING:\n    \
             from typing_extensions import NotRequired as _NotRequired\n    \
             from typing_extensions import Unpack as _Unpack\n    \
             from typing_extensions import deprecated as _deprecated\n\
             else:\n\n    \
             def _deprecated(message):\n        \
             return lambda f: f\n\n\n",
        );
        self.out.push_str("PLAN_VERSION: _t.Final = ");
        json_string(&mut self.out, &version);
        self.out.push_str(
            "\n\"\"\"The version of the plan this client was generated from (sent as `context.protocols.plan_version`).\"\"\"\n\n",
        );
        self.out.push_str("ConsentPurpose = ");
        let ids: Vec<Literal> = self
            .plan
            .consents
            .iter()
            .map(|c| Literal::Str(c.id.value.clone()))
            .collect();
        if ids.is_empty() {
            self.out.push_str("str");
        } else {
            self.literal(ids.iter());
        }
        self.out
            .push_str("\n\"\"\"The plan's consent purposes.\"\"\"\n");
    }

    fn literal<'v>(&mut self, values: impl Iterator<Item = &'v Literal>) {
        literal(&mut self.out, values);
    }

    fn types(&mut self, calls: &[Call<'p>]) {
        let plan = self.plan;
        for (i, e) in plan.enums.iter().enumerate() {
            self.out.push('\n');
            self.out.push_str(&self.names.enums[i]);
            self.out.push_str(" = ");
            self.literal(e.values.iter().map(|v| &v.value));
            self.out.push('\n');
            if let Some(d) = &e.description {
                self.docstring(std::slice::from_ref(&d.value), "");
            }
        }
        for (i, b) in plan.bundles.iter().enumerate() {
            let doc = b
                .description
                .as_ref()
                .map(|d| vec![d.value.clone()])
                .unwrap_or_default();
            self.dict(Dict {
                name: self.names.bundles[i].clone(),
                bases: Vec::new(),
                props: b.properties.iter().collect(),
                doc,
            });
        }
        for c in calls {
            let doc = match c.kind {
                CallKind::Identify | CallKind::Group => {
                    let mut doc = vec![format!("The traits of an `{}` call.", c.function)];
                    if let Some(d) = c.traits.and_then(|t| t.description.as_ref()) {
                        doc.push(d.value.clone());
                    }
                    doc
                }
                CallKind::Track(i) => {
                    vec![event_type_doc(&plan.events[i])]
                }
                CallKind::View(i) => vec![view_type_doc(&plan.views[i])],
            };
            self.dict(Dict {
                name: c.type_name.to_string(),
                bases: c
                    .bundles
                    .iter()
                    .map(|&b| self.names.bundles[b].clone())
                    .collect(),
                props: c.props.clone(),
                doc,
            });
        }
    }

    /// The annotation of a `TypedDict` field of `owner` (`Optional` when
    /// nullable, `NotRequired` when optional).
    fn field(&mut self, p: &'p Property, owner: &str) -> String {
        let ty = self.ty(&p.ty, &format!("{owner}{}", pascal(&p.name.value)));
        let ty = if p.is_nullable() {
            format!("_t.Optional[{ty}]")
        } else {
            ty
        };
        if p.is_required() {
            ty
        } else {
            format!("_NotRequired[{ty}]")
        }
    }

    /// Writes a `TypedDict` (and, first, those of its nested objects).
    fn dict(&mut self, d: Dict<'p>) {
        // The type of each property, naming nested objects as they come.
        let mut fields: Vec<(&Property, String)> = Vec::with_capacity(d.props.len());
        for p in &d.props {
            let ty = self.field(p, &d.name);
            fields.push((p, ty));
        }
        let functional = d.props.iter().any(|p| {
            let k: &str = &p.name.value;
            KEYWORDS.contains(&k)
                || RESERVED.contains(&k)
                || k.starts_with('_')
                // A quoted name (`"workspace id"`).
                || !is_identifier(k)
                || self.type_names.contains(k)
        });
        self.out.push_str("\n\n");
        if functional {
            // Keys that cannot be class attributes: the functional syntax, with
            // the bundles' properties inlined (it has no bases), types as
            // strings (evaluated by the type checker only).
            let mut all: Vec<(&Property, String)> = Vec::new();
            for b in &d.bases {
                if let Some(i) = self.names.bundles.iter().position(|n| n == b) {
                    for p in &self.plan.bundles[i].properties {
                        let ty = self.field(p, b);
                        all.push((p, ty));
                    }
                }
            }
            all.extend(fields);
            self.out.push_str(&d.name);
            self.out.push_str(" = _t.TypedDict(\n    ");
            json_string(&mut self.out, &d.name);
            self.out.push_str(",\n    {\n");
            for (p, ty) in &all {
                self.out.push_str("        ");
                json_string(&mut self.out, &p.name.value);
                self.out.push_str(": ");
                json_string(&mut self.out, ty);
                self.out.push_str(",\n");
            }
            self.out.push_str("    },\n)\n");
            self.docstring(&d.doc, "");
            return;
        }
        self.out.push_str("class ");
        self.out.push_str(&d.name);
        self.out.push('(');
        if d.bases.is_empty() {
            self.out.push_str("_t.TypedDict");
        } else {
            self.out.push_str(&d.bases.join(", "));
        }
        self.out.push_str("):\n");
        self.docstring(&d.doc, "    ");
        if fields.is_empty() && !d.doc.is_empty() {
            return;
        }
        if fields.is_empty() {
            self.out.push_str("    pass\n");
        }
        for (i, (p, ty)) in fields.into_iter().enumerate() {
            if i > 0 || !d.doc.is_empty() {
                self.out.push('\n');
            }
            self.out.push_str("    ");
            self.out.push_str(&p.name.value);
            self.out.push_str(": ");
            self.out.push_str(&ty);
            self.out.push('\n');
            let mut doc: Vec<String> = p
                .description
                .as_ref()
                .map(|d| vec![d.value.to_string()])
                .unwrap_or_default();
            let c = constraints(self.plan, p);
            if !c.is_empty() {
                doc.push(c);
            }
            if p.modifiers().deprecated.is_some() {
                doc.push("Deprecated in the tracking plan.".into());
            }
            self.docstring(&doc, "    ");
        }
    }

    /// The annotation of a type; `object_name`: the name a nested object's
    /// `TypedDict` gets (made unique).
    fn ty(&mut self, ty: &'p Type, object_name: &str) -> String {
        match ty {
            Type::Any => "_t.Any".into(),
            Type::String => "str".into(),
            Type::Integer => "int".into(),
            Type::Number => "float".into(),
            Type::Boolean => "bool".into(),
            Type::Datetime => "_t.Union[_dt.datetime, str]".into(),
            Type::Date => "_t.Union[_dt.date, str]".into(),
            Type::Enum(e) => match e.named.as_ref().and_then(|r| r.target) {
                Some(i) => self.names.enums[i].clone(),
                None => {
                    let mut s = String::new();
                    literal(&mut s, e.values.iter());
                    s
                }
            },
            Type::List(inner) => {
                let item = self.ty(&inner.ty, object_name);
                if inner.is_nullable() {
                    format!("_t.List[_t.Optional[{item}]]")
                } else {
                    format!("_t.List[{item}]")
                }
            }
            Type::Union(members) => {
                let members: Vec<String> =
                    members.iter().map(|m| self.ty(m, object_name)).collect();
                format!("_t.Union[{}]", members.join(", "))
            }
            Type::Object(children) => {
                let name = self.namer.name(object_name.to_string(), object_name);
                self.type_names.insert(name.clone());
                self.dict(Dict {
                    name: name.clone(),
                    bases: Vec::new(),
                    props: children.iter().collect(),
                    doc: Vec::new(),
                });
                name
            }
        }
    }

    /// A docstring (nothing for no lines).
    fn docstring(&mut self, paragraphs: &[String], indent: &str) {
        if paragraphs.is_empty() {
            return;
        }
        let text = paragraphs.join("\n\n");
        let lines: Vec<&str> = text.lines().collect();
        self.out.push_str(indent);
        self.out.push_str("\"\"\"");
        for (i, l) in lines.iter().enumerate() {
            if i > 0 {
                self.out.push('\n');
                if !l.is_empty() {
                    self.out.push_str(indent);
                }
            }
            // Only a one-line docstring's text runs into the closing quotes.
            self.out.push_str(&docstring_text(l, lines.len() == 1));
        }
        if lines.len() > 1 {
            self.out.push('\n');
            self.out.push_str(indent);
        }
        self.out.push_str("\"\"\"\n");
    }

    fn functions(&mut self, calls: &[Call]) {
        let plan = self.plan;
        for c in calls {
            match c.kind {
                CallKind::Identify | CallKind::Group => self.traits_function(c),
                CallKind::View(i) => self.view_function(c, i),
                CallKind::Track(i) => self.event_function(c, i, &plan.events[i]),
            }
        }
    }

    fn traits_function(&mut self, c: &Call) {
        let (kind, ty) = (c.function, c.type_name);
        let id = if c.kind == CallKind::Group {
            "group_id"
        } else {
            "user_id"
        };
        let param = if c.required {
            format!("traits: {ty}")
        } else {
            format!("traits: _t.Optional[{ty}] = None")
        };
        self.out.push_str(&format!(
            "\n\ndef {kind}({id}: str, {param}, /, **options: _Unpack[CallOptions]) -> None:\n"
        ));
        let mut doc = vec![format!("Sends an `{kind}` call with the plan's traits.")];
        if let Some(o) = c.traits.and_then(|t| t.owner.as_ref()) {
            doc.push(format!("Owner: @{}", o.name));
        }
        self.docstring(&doc, "    ");
        self.out
            .push_str(&format!("    _send({kind:?}, 0, {id}, traits, options)\n"));
    }

    /// `page(properties, name=…, **options)` for the unnamed rule,
    /// `page_pricing(properties, **options)` for `page "Pricing"`.
    fn view_function(&mut self, c: &Call, i: usize) {
        let t = &self.plan.views[i];
        let ty = c.type_name;
        let param = if c.required {
            format!("properties: {ty}")
        } else {
            format!("properties: _t.Optional[{ty}] = None")
        };
        let (name_param, name) = if t.name.is_some() {
            ("", "None")
        } else {
            ("*, name: _t.Optional[str] = None, ", "name")
        };
        self.out.push_str(&format!(
            "\n\ndef {}({param}, /, {name_param}**options: _Unpack[CallOptions]) -> None:\n",
            c.function
        ));
        self.docstring(&paragraphs(&view_doc(self.plan, t)), "    ");
        self.out.push_str(&format!(
            "    _send({:?}, {i}, {name}, properties, options)\n",
            t.kind.keyword()
        ));
    }

    fn event_function(&mut self, c: &Call, i: usize, e: &Event) {
        let replacement = e
            .replaced_by
            .as_ref()
            .and_then(|r| r.target)
            .map(|t| format!("`{}()`", self.names.functions[t]));
        let doc = event_doc(self.plan, e, replacement.as_deref());
        self.out.push_str("\n\n");
        if e.is_deprecated() {
            self.out.push_str("@_deprecated(");
            json_string(&mut self.out, doc.last().map_or("", String::as_str));
            self.out.push_str(")\n");
        }
        let ty = c.type_name;
        let param = if c.required {
            format!("properties: {ty}")
        } else {
            format!("properties: _t.Optional[{ty}] = None")
        };
        self.out.push_str(&format!(
            "def {}({param}, /, **options: _Unpack[CallOptions]) -> None:\n",
            c.function
        ));
        self.docstring(&paragraphs(&doc), "    ");
        self.out.push_str(&format!(
            "    _send(\"track\", {i}, None, properties, options)\n"
        ));
    }
}

/// Doc lines as docstring paragraphs (an empty line separates them).
fn paragraphs(doc: &[String]) -> Vec<String> {
    doc.split(|l| l.is_empty())
        .map(|ls| ls.join("\n"))
        .collect()
}

/// Text safe inside a `"""…"""` docstring: backslashes escaped, and every
/// quote that another quote follows (so no run of three is left), and the
/// final one when `last` (the text runs into the closing quotes).
fn docstring_text(s: &str, last: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' if chars.peek().map_or(last, |&n| n == '"') => out.push_str("\\\""),
            _ => out.push(c),
        }
    }
    out
}

fn one_line(s: &str) -> String {
    s.replace(
        [
            '\n', '\r', '\u{2028}', '\u{2029}', '\u{85}', '\u{0b}', '\u{0c}',
        ],
        " ",
    )
}

/// A `pattern(...)` (ECMA-262 with the `u` flag, as JSON Schema reads it)
/// rewritten for Python's `re`, compiled with `re.ASCII` (so `\d`, `\w`, `\b`
/// are ASCII as in ECMA-262): `$` outside a class becomes `\Z` (Python's `$`
/// also matches before a final newline), `.` excludes the four ECMA-262 line
/// terminators, `\s`/`\S` are spelt out (ECMA-262's list is Unicode),
/// `\u{…}` becomes `\U…`, named groups `(?<n>…)` become `(?P<n>…)` and
/// `\k<n>` becomes `(?P=n)`, and `[`, `&`, `~`, `|` inside a class are escaped
/// (Python reads them as set operations to come).
pub(crate) fn python_pattern(p: &str) -> String {
    const WS: &str = r"\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff";
    let mut out = String::with_capacity(p.len() + 16);
    let chars: Vec<char> = p.chars().collect();
    let mut i = 0;
    let mut in_class = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if i + 1 < chars.len() => {
                let e = chars[i + 1];
                i += 2;
                match e {
                    's' if in_class => out.push_str(WS),
                    's' => {
                        out.push('[');
                        out.push_str(WS);
                        out.push(']');
                    }
                    'S' if !in_class => {
                        out.push_str("[^");
                        out.push_str(WS);
                        out.push(']');
                    }
                    'u' if chars.get(i) == Some(&'{') => {
                        let end = chars[i..].iter().position(|&c| c == '}').map(|n| i + n);
                        let hex: String = end
                            .map(|end| chars[i + 1..end].iter().collect())
                            .unwrap_or_default();
                        match (end, u32::from_str_radix(&hex, 16)) {
                            (Some(end), Ok(v)) => {
                                out.push_str(&format!("\\U{v:08x}"));
                                i = end + 1;
                            }
                            _ => out.push_str("\\u"),
                        }
                    }
                    'k' if chars.get(i) == Some(&'<') => {
                        let end = chars[i..].iter().position(|&c| c == '>').map(|n| i + n);
                        match end {
                            Some(end) => {
                                let name: String = chars[i + 1..end].iter().collect();
                                out.push_str(&format!("(?P={name})"));
                                i = end + 1;
                            }
                            None => out.push_str("\\k"),
                        }
                    }
                    '/' => out.push('/'),
                    _ => {
                        out.push('\\');
                        out.push(e);
                    }
                }
                continue;
            }
            '[' if in_class => out.push_str("\\["),
            '&' | '~' | '|' if in_class => {
                out.push('\\');
                out.push(c);
            }
            '[' => {
                in_class = true;
                out.push('[');
                // A `]` or `^]` right after the opening bracket: ECMA-262 reads
                // `[]` as an empty class, which `check` rejects anyway.
                if chars.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '$' if !in_class => out.push_str("\\Z"),
            '.' if !in_class => out.push_str("[^\\n\\r\\u2028\\u2029]"),
            '(' if !in_class
                && chars.get(i + 1) == Some(&'?')
                && chars.get(i + 2) == Some(&'<')
                && !matches!(chars.get(i + 3), Some('=' | '!')) =>
            {
                out.push_str("(?P<");
                i += 3;
                continue;
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// `_t.Literal["a", 1, True]`. A number with a fraction cannot be a
/// `Literal`: with one, the numbers are `float` (`_t.Union[_t.Literal["a"],
/// float]` next to other values); whole numbers are integers (`1.0` → `1`).
fn literal<'v>(out: &mut String, values: impl Iterator<Item = &'v Literal>) {
    let values: Vec<&Literal> = values.collect();
    let whole = |n: &serde_json::Number| match (n.as_i64(), n.as_u64(), n.as_f64()) {
        (Some(i), _, _) => Some(i.to_string()),
        (_, Some(u), _) => Some(u.to_string()),
        (_, _, Some(x)) if x.fract() == 0.0 && x.abs() < 1e15 => Some(format!("{x:.0}")),
        _ => None,
    };
    let float = values
        .iter()
        .any(|v| matches!(v, Literal::Num(n) if whole(n).is_none()));
    let mut literals: Vec<String> = Vec::new();
    for v in values {
        match v {
            Literal::Str(s) => {
                let mut q = String::new();
                json_string(&mut q, s);
                literals.push(q);
            }
            Literal::Num(n) if !float => literals.extend(whole(n)),
            Literal::Num(_) => {}
            Literal::Bool(true) => literals.push("True".into()),
            Literal::Bool(false) => literals.push("False".into()),
        }
    }
    let literal = format!("_t.Literal[{}]", literals.join(", "));
    match (literals.is_empty(), float) {
        (false, false) => out.push_str(&literal),
        (true, _) => out.push_str("float"),
        (false, true) => {
            out.push_str("_t.Union[");
            out.push_str(&literal);
            out.push_str(", float]");
        }
    }
}

/// Whether a key can be a class attribute: an ASCII identifier.
fn is_identifier(k: &str) -> bool {
    let mut chars = k.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::{docstring_text, is_identifier, literal, python_pattern};
    use crate::ir::Literal;

    fn lit(values: &[Literal]) -> String {
        let mut out = String::new();
        literal(&mut out, values.iter());
        out
    }

    #[test]
    fn enum_values_as_python_types() {
        let num = |t: &str| Literal::Num(t.parse().expect("a number"));
        let s = |t: &str| Literal::Str(t.into());
        assert_eq!(
            lit(&[s("a"), num("1"), Literal::Bool(true)]),
            r#"_t.Literal["a", 1, True]"#
        );
        assert_eq!(lit(&[num("1.0"), num("-2")]), "_t.Literal[1, -2]");
        assert_eq!(lit(&[num("0.5"), num("1")]), "float");
        assert_eq!(
            lit(&[s("auto"), num("0.5")]),
            r#"_t.Union[_t.Literal["auto"], float]"#
        );
        assert!(is_identifier("_private") && is_identifier("a1"));
        assert!(!is_identifier("workspace id") && !is_identifier("$") && !is_identifier("1a"));
    }

    #[test]
    fn docstring_text_cannot_end_the_docstring() {
        assert_eq!(docstring_text(r"a\b", false), r"a\\b");
        // The last line runs into the closing quotes: its final quote is escaped.
        assert_eq!(docstring_text(r#"say "hi""#, true), r#"say "hi\""#);
        // Any other line ends before a newline and the indent.
        assert_eq!(docstring_text(r#"say "hi""#, false), r#"say "hi""#);
        assert_eq!(docstring_text(r#"a"""b"#, false), r#"a\"\""b"#);
        assert_eq!(docstring_text(r#""""""#, true), r#"\"\"\"\""#);
    }

    #[test]
    fn patterns_for_python() {
        assert_eq!(python_pattern("^[A-Z]{3}$"), r"^[A-Z]{3}\Z");
        assert_eq!(python_pattern(r"^\d{5}$"), r"^\d{5}\Z");
        assert_eq!(python_pattern(r"a.b"), r"a[^\n\r\u2028\u2029]b");
        assert_eq!(python_pattern(r"[.$]"), r"[.$]");
        assert_eq!(python_pattern(r"[a|b&&c]"), r"[a\|b\&\&c]");
        assert_eq!(python_pattern(r"\u{1F600}"), r"\U0001f600");
        assert_eq!(python_pattern(r"(?<y>\d+)\k<y>"), r"(?P<y>\d+)(?P=y)");
        assert_eq!(python_pattern(r"(?<=a)b"), r"(?<=a)b");
        assert_eq!(python_pattern(r"\/"), "/");
    }
}
