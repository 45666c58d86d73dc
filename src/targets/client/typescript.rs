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
//! `orderCompleted(properties, options?)`), documented with the event's
//! description, owner, source, consent and deprecation. Required properties are
//! required, `nullable` adds `| null`, enums are string-literal unions, dates
//! are `Date | string` (sent as RFC 3339 text), lists are `ReadonlyArray`,
//! objects are nested types. Then `setAnalytics(instance, { onViolation,
//! consent })` and the run time (`runtime.ts`, the same for every plan), and
//! the plan's shape as JSON text (`_PLAN`, see [`super::meta_json`]), parsed on
//! the first call. Names are made unique by [`super::names`].

use super::{Names, Style, constraints, event_doc, names};
use crate::ir::{Event, Literal, Plan, Property, Traits, Type};
use crate::targets::encode::text::json_string;
use crate::targets::{Artifact, Context, Target};

pub struct TypeScript;

pub const PATH: &str = "typescript/tracking.ts";

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

pub static STYLE: Style = Style {
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

impl Target for TypeScript {
    fn name(&self) -> &'static str {
        "typescript"
    }

    fn description(&self) -> &'static str {
        "typescript/tracking.ts: a typed tracking client (one function per event) for analytics.js and analytics-node"
    }

    fn generate(&self, cx: &Context) -> Vec<Artifact> {
        vec![Artifact::text(PATH, generate(cx.plan))]
    }

    fn in_all(&self) -> bool {
        false
    }
}

/// The module's text.
pub fn generate(plan: &Plan) -> String {
    let names = names(plan, &STYLE);
    let mut g = Gen {
        plan,
        names: &names,
        out: String::with_capacity(4096 + plan.events.len() * 2048),
    };
    g.header();
    g.types();
    g.functions();
    g.out.push('\n');
    g.out.push_str(RUNTIME);
    if plan.events.is_empty() && plan.identify.is_none() && plan.group.is_none() {
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

    fn types(&mut self) {
        let plan = self.plan;
        for (i, e) in plan.enums.iter().enumerate() {
            self.out.push('\n');
            let doc: Vec<String> = e
                .description
                .as_ref()
                .map(|d| d.value.lines().map(str::to_string).collect())
                .unwrap_or_default();
            self.doc(&doc, "");
            self.out.push_str("export type ");
            self.out.push_str(&self.names.enums[i]);
            self.out.push_str(" = ");
            self.union(e.values.iter().map(|v| &v.value));
            self.out.push_str(";\n");
        }
        for (i, b) in plan.bundles.iter().enumerate() {
            self.out.push('\n');
            let doc: Vec<String> = b
                .description
                .as_ref()
                .map(|d| d.value.lines().map(str::to_string).collect())
                .unwrap_or_default();
            self.doc(&doc, "");
            let props: Vec<&Property> = b.properties.iter().collect();
            let name = self.names.bundles[i].clone();
            self.interface(&name, &[], &props);
        }
        for t in [&plan.identify, &plan.group].into_iter().flatten() {
            self.out.push('\n');
            self.traits_type(t);
        }
        for (i, e) in plan.events.iter().enumerate() {
            self.out.push('\n');
            self.doc(&[format!("The properties of {:?}.", e.name.value)], "");
            self.event_type(i, e);
        }
    }

    fn traits_type(&mut self, t: &Traits) {
        let (name, what) = match t.kind {
            crate::ir::TraitsKind::Group => ("GroupTraits", "group"),
            _ => ("IdentifyTraits", "identify"),
        };
        let mut doc = vec![format!("The traits of an `{what}` call.")];
        if let Some(d) = &t.description {
            doc.extend(d.value.lines().map(str::to_string));
        }
        self.doc(&doc, "");
        let (bundles, own) = split_bundles(&t.properties);
        let bundles: Vec<String> = bundles
            .iter()
            .map(|&b| self.names.bundles[b].clone())
            .collect();
        self.interface(name, &bundles, &own);
    }

    fn event_type(&mut self, i: usize, e: &Event) {
        let name = self.names.event_types[i].clone();
        let (bundles, own) = split_bundles(&e.properties);
        let common = super::common_props(self.plan, e);
        if bundles.is_empty() && own.is_empty() && common.is_empty() {
            self.out.push_str("export type ");
            self.out.push_str(&name);
            self.out.push_str(" = Record<string, never>;\n");
            return;
        }
        let bundles: Vec<String> = bundles
            .iter()
            .map(|&b| self.names.bundles[b].clone())
            .collect();
        let props: Vec<&Property> = common.into_iter().chain(own).collect();
        self.interface(&name, &bundles, &props);
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
            let mut doc: Vec<String> = p
                .description
                .as_ref()
                .map(|d| d.value.lines().map(str::to_string).collect())
                .unwrap_or_default();
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

    fn functions(&mut self) {
        let plan = self.plan;
        for t in [&plan.identify, &plan.group].into_iter().flatten() {
            self.out.push('\n');
            let (kind, id, ty) = match t.kind {
                crate::ir::TraitsKind::Group => ("group", "groupId", "GroupTraits"),
                _ => ("identify", "userId", "IdentifyTraits"),
            };
            let mut doc = vec![format!("Sends an `{kind}` call with the plan's traits.")];
            if let Some(o) = &t.owner {
                doc.push(format!("Owner: @{}", o.name));
            }
            if let Some(c) = t.consent.as_ref().and_then(|r| r.target) {
                doc.push(format!("Consent: {}", plan.consents[c].id.value));
            }
            self.doc(&doc, "");
            let optional = if t.properties.iter().any(Property::is_required) {
                ""
            } else {
                "?"
            };
            self.out.push_str(&format!(
                "export function {kind}({id}: string, traits{optional}: {ty}, options?: CallOptions): void {{\n  _send({kind:?}, 0, {id}, traits, options);\n}}\n"
            ));
        }
        for (i, e) in plan.events.iter().enumerate() {
            self.out.push('\n');
            let replacement = e
                .replaced_by
                .as_ref()
                .and_then(|r| r.target)
                .map(|t| format!("`{}()`", self.names.functions[t]));
            let mut doc = event_doc(plan, e, replacement.as_deref());
            if e.is_deprecated()
                && let Some(last) = doc.last_mut()
            {
                *last = format!("@deprecated {}", last.trim_start_matches("Deprecated: "));
            }
            self.doc(&doc, "");
            let required = super::common_props(plan, e)
                .into_iter()
                .chain(e.properties.iter())
                .any(Property::is_required);
            let optional = if required { "" } else { "?" };
            self.out.push_str("export function ");
            self.out.push_str(&self.names.functions[i]);
            self.out.push_str("(properties");
            self.out.push_str(optional);
            self.out.push_str(": ");
            self.out.push_str(&self.names.event_types[i]);
            self.out
                .push_str(", options?: CallOptions): void {\n  _send(\"track\", ");
            self.out.push_str(&i.to_string());
            self.out.push_str(", undefined, properties, options);\n}\n");
        }
    }
}

/// The bundles a list of properties uses (in order of first use) and the
/// properties of its own.
pub fn split_bundles(props: &[Property]) -> (Vec<usize>, Vec<&Property>) {
    let mut bundles = Vec::new();
    let mut own = Vec::new();
    for p in props {
        match &p.origin {
            crate::ir::Origin::Bundle(u) => {
                if !bundles.contains(&u.bundle) {
                    bundles.push(u.bundle);
                }
            }
            crate::ir::Origin::Own => own.push(p),
        }
    }
    (bundles, own)
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
