//! `typescript`: `typescript/tracking.ts`, a typed tracking client: one ES
//! module, no dependency, for `@segment/analytics-next` (browser) and
//! `@segment/analytics-node` (server).
//!
//! Shape: `PLAN_VERSION`; `ConsentPurpose` (the plan's consent ids); a string
//! union type per named enum; an interface per bundle; `IdentifyTraits` and
//! `GroupTraits` with `identify(userId, traits, options?)` and `group(groupId,
//! traits, options?)` when the plan has those blocks; per event an interface
//! `<Event>Properties` (extending the bundles it uses, with the `common`
//! properties) and a function in lowerCamelCase (`"Order Completed"` →
//! `orderCompleted(properties, options?)`; an older version `orderCompletedV1`,
//! which sends `context.protocols.event_version`), documented with the event's
//! description, owner, source, consent and deprecation; per page or screen rule
//! a type and `page(properties, { name? })` (unnamed rule) or
//! `pagePricing(properties)` (named). Required properties are
//! required, `nullable` adds `| null`, enums are string-literal unions, dates
//! are `Date | string` (sent as RFC 3339 text), lists are `ReadonlyArray`,
//! objects are nested types. Then `setAnalytics(instance, { onViolation,
//! consent })` and the run time (`runtime.ts`, the same for every plan), and
//! the plan's shape as JSON text (`_PLAN`, see [`super::meta_json`]), parsed on
//! the first call. Names are made unique by [`super::names`].

use super::{
    Call, CallKind, ClientTarget, Names, Style, calls, constraints, event_doc, event_type_doc,
    names, view_doc, view_type_doc,
};
use crate::ir::{Event, Literal, Plan, Property, Type};
use crate::source::Spanned;
use crate::targets::encode::text::json_string;

pub(crate) const PATH: &str = "typescript/tracking.ts";

const RUNTIME: &str = include_str!("runtime.ts");

/// JavaScript's reserved words and the names strict mode forbids for a function.
const RESERVED: &[&str] = &[
    "arguments",
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "eval",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "implements",
    "import",
    "in",
    "instanceof",
    "interface",
    "let",
    "new",
    "null",
    "package",
    "private",
    "protected",
    "public",
    "return",
    "static",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "undefined",
    "var",
    "void",
    "while",
    "with",
    "yield",
];

/// Type names TypeScript reserves or the module uses from the standard library.
const TYPE_RESERVED: &[&str] = &[
    "any",
    "Array",
    "Awaited",
    "bigint",
    "boolean",
    "Boolean",
    "Date",
    "Error",
    "Exclude",
    "Extract",
    "Function",
    "JSON",
    "Map",
    "never",
    "number",
    "Number",
    "object",
    "Object",
    "Omit",
    "Partial",
    "Pick",
    "Promise",
    "Readonly",
    "ReadonlyArray",
    "Record",
    "RegExp",
    "Required",
    "Set",
    "string",
    "String",
    "symbol",
    "Symbol",
    "type",
    "unknown",
    "void",
];

pub(crate) static STYLE: Style = Style {
    function: super::lower_camel,
    function_reserved: RESERVED,
    function_suffix: "Event",
    own_functions: &["setAnalytics", "identify", "group"],
    type_reserved: TYPE_RESERVED,
    type_suffix: "Type",
    own_types: &[
        "BrowserAnalytics",
        "CallOptions",
        "ClientOptions",
        "ConsentPurpose",
        "GroupTraits",
        "IdentifyTraits",
        "NodeAnalytics",
        "NodeMessage",
        "Violation",
    ],
    event_type_suffix: "Properties",
};

pub(crate) const TARGET: ClientTarget = ClientTarget {
    name: "typescript",
    description: "typescript/tracking.ts: a typed tracking client (a function per event version, identify, group, page and screen rule) for analytics.js and analytics-node",
    path: PATH,
    render: generate,
};

/// The module's text.
pub(crate) fn generate(plan: &Plan) -> String {
    let names = names(plan, &STYLE);
    let calls = calls(plan, &names);
    let mut g = Gen {
        plan,
        names: &names,
        out: String::with_capacity(4096 + plan.events.len() * 2048),
    };
    g.header();
    g.types(&calls);
    g.functions(&calls);
    g.out.push('\n');
    g.out.push_str(RUNTIME);
    if calls.is_empty() {
        // Nothing calls the run time: a reference keeps `noUnusedLocals` quiet.
        g.out.push_str("\nvoid _send;\n");
    }
    g.out
        .push_str("\n/** The plan's shape, read by the run time. */\nconst _PLAN = ");
    let meta = super::meta_json(plan, &|p| p.to_string());
    super::push_single_quoted(&mut g.out, &meta);
    g.out.push_str(";\n");
    g.out
}

struct Gen<'a> {
    plan: &'a Plan,
    names: &'a Names,
    out: String,
}

impl Gen<'_> {
    fn header(&mut self) {
        let m = &self.plan.meta;
        self.out.push_str("// ");
        self.out.push_str(&one_line(&m.title.value));
        self.out.push_str(" (tracking plan version ");
        self.out.push_str(&m.version.value.to_string());
        self.out.push_str(
            "): a typed tracking client generated by eventsc.\n\
             // Do not edit: change the plan and build again (`eventsc build --target typescript`).\n\
             //\n\
             // Call `setAnalytics(analytics)` once with an AnalyticsBrowser (@segment/analytics-next)\n\
             // or an Analytics (@segment/analytics-node), then one function per event.\n\n",
        );
        self.out.push_str(
            "/** The version of the plan this client was generated from (sent as `context.protocols.plan_version`). */\n\
             export const PLAN_VERSION = ",
        );
        json_string(&mut self.out, &m.version.value.to_string());
        self.out
            .push_str(";\n\n/** The plan's consent purposes. */\nexport type ConsentPurpose = ");
        let ids: Vec<Literal> = self
            .plan
            .consents
            .iter()
            .map(|c| Literal::Str(c.id.value.clone()))
            .collect();
        self.union(ids.iter());
        self.out.push_str(";\n");
    }

    /// `"a" | "b"`, or `never` for none.
    fn union<'v>(&mut self, values: impl ExactSizeIterator<Item = &'v Literal>) {
        if values.len() == 0 {
            self.out.push_str("never");
        }
        for (i, v) in values.enumerate() {
            if i > 0 {
                self.out.push_str(" | ");
            }
            match v {
                Literal::Str(s) => json_string(&mut self.out, s),
                other => self.out.push_str(&other.display()),
            }
        }
    }

    fn types(&mut self, calls: &[Call]) {
        let plan = self.plan;
        for (i, e) in plan.enums.iter().enumerate() {
            self.out.push('\n');
            self.doc(&lines(&e.description), "");
            self.out.push_str("export type ");
            self.out.push_str(&self.names.enums[i]);
            self.out.push_str(" = ");
            self.union(e.values.iter().map(|v| &v.value));
            self.out.push_str(";\n");
        }
        for (i, b) in plan.bundles.iter().enumerate() {
            self.out.push('\n');
            self.doc(&lines(&b.description), "");
            let props: Vec<&Property> = b.properties.iter().collect();
            let name = self.names.bundles[i].clone();
            self.interface(&name, &[], &props);
        }
        for c in calls {
            self.out.push('\n');
            match c.kind {
                CallKind::Identify | CallKind::Group => self.traits_type(c),
                CallKind::Track(i) => {
                    self.doc(&[event_type_doc(&plan.events[i])], "");
                    self.event_type(c);
                }
                CallKind::View(i) => {
                    self.doc(&[view_type_doc(&plan.views[i])], "");
                    self.event_type(c);
                }
            }
        }
    }

    fn traits_type(&mut self, c: &Call) {
        let what = c.function;
        let mut doc = vec![format!("The traits of an `{what}` call.")];
        if let Some(d) = c.traits.and_then(|t| t.description.as_ref()) {
            doc.extend(d.value.lines().map(str::to_string));
        }
        self.doc(&doc, "");
        let bundles = self.bundle_names(&c.bundles);
        self.interface(c.type_name, &bundles, &c.props);
    }

    fn bundle_names(&self, bundles: &[usize]) -> Vec<String> {
        bundles
            .iter()
            .map(|&b| self.names.bundles[b].clone())
            .collect()
    }

    /// The properties' type of an event, page or screen call.
    fn event_type(&mut self, c: &Call) {
        if c.bundles.is_empty() && c.props.is_empty() {
            self.out.push_str("export type ");
            self.out.push_str(c.type_name);
            self.out.push_str(" = Record<string, never>;\n");
            return;
        }
        let bundles = self.bundle_names(&c.bundles);
        self.interface(c.type_name, &bundles, &c.props);
    }

    fn interface(&mut self, name: &str, extends: &[String], props: &[&Property]) {
        self.out.push_str("export interface ");
        self.out.push_str(name);
        if !extends.is_empty() {
            self.out.push_str(" extends ");
            self.out.push_str(&extends.join(", "));
        }
        self.out.push_str(" {\n");
        self.members(props, 1);
        self.out.push_str("}\n");
    }

    fn members(&mut self, props: &[&Property], level: usize) {
        let indent = "  ".repeat(level);
        for p in props {
            let mut doc = lines(&p.description);
            let c = constraints(self.plan, p);
            if !c.is_empty() {
                doc.push(c);
            }
            if p.modifiers().deprecated.is_some() {
                doc.push("@deprecated This property is deprecated in the tracking plan.".into());
            }
            self.doc(&doc, &indent);
            self.out.push_str(&indent);
            member_name(&mut self.out, &p.name.value);
            if !p.is_required() {
                self.out.push('?');
            }
            self.out.push_str(": ");
            self.ty(&p.ty, level);
            if p.is_nullable() {
                self.out.push_str(" | null");
            }
            self.out.push_str(";\n");
        }
    }

    fn ty(&mut self, ty: &Type, level: usize) {
        match ty {
            Type::Any => self.out.push_str("unknown"),
            Type::String => self.out.push_str("string"),
            Type::Integer | Type::Number => self.out.push_str("number"),
            Type::Boolean => self.out.push_str("boolean"),
            Type::Datetime | Type::Date => self.out.push_str("Date | string"),
            Type::Enum(e) => match e.named.as_ref().and_then(|r| r.target) {
                Some(i) => self.out.push_str(&self.names.enums[i]),
                None => self.union(e.values.iter()),
            },
            Type::List(inner) => {
                self.out.push_str("ReadonlyArray<");
                let union = matches!(inner.ty, Type::Union(_));
                if union {
                    self.out.push('(');
                }
                self.ty(&inner.ty, level);
                if union {
                    self.out.push(')');
                }
                if inner.is_nullable() {
                    self.out.push_str(" | null");
                }
                self.out.push('>');
            }
            Type::Union(members) => {
                for (i, m) in members.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(" | ");
                    }
                    self.ty(m, level);
                }
            }
            Type::Object(children) => {
                self.out.push_str("{\n");
                let props: Vec<&Property> = children.iter().collect();
                self.members(&props, level + 1);
                self.out.push_str(&"  ".repeat(level));
                self.out.push('}');
            }
        }
    }

    /// A JSDoc comment (nothing for no lines).
    fn doc(&mut self, lines: &[String], indent: &str) {
        let lines: Vec<String> = lines.iter().map(|l| jsdoc_text(l)).collect();
        match lines.len() {
            0 => {}
            1 => {
                self.out.push_str(indent);
                self.out.push_str("/** ");
                self.out.push_str(&lines[0]);
                self.out.push_str(" */\n");
            }
            _ => {
                self.out.push_str(indent);
                self.out.push_str("/**\n");
                for l in &lines {
                    self.out.push_str(indent);
                    self.out.push_str(if l.is_empty() { " *" } else { " * " });
                    self.out.push_str(l);
                    self.out.push('\n');
                }
                self.out.push_str(indent);
                self.out.push_str(" */\n");
            }
        }
    }

    fn functions(&mut self, calls: &[Call]) {
        let plan = self.plan;
        for c in calls {
            self.out.push('\n');
            match c.kind {
                CallKind::Identify | CallKind::Group => self.traits_function(c),
                CallKind::View(i) => self.view_function(c, i),
                CallKind::Track(i) => self.event_function(c, &plan.events[i]),
            }
        }
    }

    fn traits_function(&mut self, c: &Call) {
        let plan = self.plan;
        let (kind, ty) = (c.function, c.type_name);
        let id = if c.kind == CallKind::Group {
            "groupId"
        } else {
            "userId"
        };
        let mut doc = vec![format!("Sends an `{kind}` call with the plan's traits.")];
        if let Some(t) = c.traits {
            if let Some(o) = &t.owner {
                doc.push(format!("Owner: @{}", o.name));
            }
            if let Some(c) = t.consent.as_ref().and_then(|r| r.target) {
                doc.push(format!("Consent: {}", plan.consents[c].id.value));
            }
        }
        self.doc(&doc, "");
        let optional = if c.required { "" } else { "?" };
        self.out.push_str(&format!(
            "export function {kind}({id}: string, traits{optional}: {ty}, options?: CallOptions): void {{\n  _send({kind:?}, 0, {id}, traits, options);\n}}\n"
        ));
    }

    /// `page(properties, options)` (the name in the options) for the unnamed
    /// rule, `pagePricing(properties, options)` for `page "Pricing"`.
    fn view_function(&mut self, c: &Call, i: usize) {
        let t = &self.plan.views[i];
        let doc = view_doc(self.plan, t);
        self.doc(&doc, "");
        let optional = if c.required { "" } else { "?" };
        let (options, name) = if t.name.is_some() {
            ("CallOptions", "undefined")
        } else {
            ("CallOptions & { name?: string }", "options?.name")
        };
        self.out.push_str(&format!(
            "export function {}(properties{optional}: {}, options?: {options}): void {{\n  _send({:?}, {i}, {name}, properties, options);\n}}\n",
            c.function,
            c.type_name,
            t.kind.keyword(),
        ));
    }

    fn event_function(&mut self, c: &Call, e: &Event) {
        let i = match c.kind {
            CallKind::Track(i) => i,
            _ => 0,
        };
        let replacement = e
            .replaced_by
            .as_ref()
            .and_then(|r| r.target)
            .map(|t| format!("`{}()`", self.names.functions[t]));
        let mut doc = event_doc(self.plan, e, replacement.as_deref());
        if e.is_deprecated()
            && let Some(last) = doc.last_mut()
        {
            *last = format!("@deprecated {}", last.trim_start_matches("Deprecated: "));
        }
        self.doc(&doc, "");
        let optional = if c.required { "" } else { "?" };
        self.out.push_str("export function ");
        self.out.push_str(c.function);
        self.out.push_str("(properties");
        self.out.push_str(optional);
        self.out.push_str(": ");
        self.out.push_str(c.type_name);
        self.out
            .push_str(", options?: CallOptions): void {\n  _send(\"track\", ");
        self.out.push_str(&i.to_string());
        self.out.push_str(", undefined, properties, options);\n}\n");
    }
}

/// The lines of a description (none without one).
fn lines<S: AsRef<str>>(description: &Option<Spanned<S>>) -> Vec<String> {
    description
        .as_ref()
        .map(|d| d.value.as_ref().lines().map(str::to_string).collect())
        .unwrap_or_default()
}

/// A property name as an interface member: the name when it is an
/// identifier, else a string literal (`"workspace id"`).
fn member_name(out: &mut String, name: &str) {
    let mut chars = name.chars();
    let identifier = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if identifier {
        out.push_str(name);
    } else {
        json_string(out, name);
    }
}

/// Text safe inside a `/** … */` comment.
fn jsdoc_text(s: &str) -> String {
    s.replace("*/", "*\\/")
}

/// Text on one line (for a `//` comment).
fn one_line(s: &str) -> String {
    s.replace(['\n', '\r', '\u{2028}', '\u{2029}'], " ")
}

#[cfg(test)]
mod tests {
    use super::member_name;

    #[test]
    fn member_names_are_quoted_unless_identifiers() {
        let name = |n: &str| {
            let mut out = String::new();
            member_name(&mut out, n);
            out
        };
        assert_eq!(name("order_id"), "order_id");
        assert_eq!(name("$"), "$");
        assert_eq!(name("delete"), "delete");
        assert_eq!(name("workspace id"), r#""workspace id""#);
        assert_eq!(name("1st"), r#""1st""#);
        assert_eq!(name("a\"b"), r#""a\"b""#);
    }
}
