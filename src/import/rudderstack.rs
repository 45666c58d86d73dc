//! Reading RudderStack rudder-cli projects: a directory of YAML files, each
//! `{version, kind, metadata: {name}, spec}`:
//!
//! | `kind` | `spec` | plan |
//! |---|---|---|
//! | `properties` | `properties: [{id, name, type, description, propConfig \| config}]` | property definitions |
//! | `custom-types` | `types: [{id, name, type, description, config, properties}]` | types a property names in `type` |
//! | `events` | `events: [{id, name, event_type, description, category}]` | events, identify, group, page, screen |
//! | `categories` | `categories: [{id, name}]` | the label `category:<name>` |
//! | `tp` / `tracking-plan` | `{display_name, rules: [{type: event_rule, event, properties: [{$ref \| property, required, properties}]}]}` | the plan |
//!
//! References are the legacy `#/properties/<group>/<id>` (the group is the
//! file's `metadata.name`) or `#property:<id>` (`rudder/v1`); the same for
//! events, custom types and categories. A property's `type` is a JSON type, a
//! comma-separated list of them (`string,null`), or a custom type reference;
//! its config (`enum`, `minLength`/`min_length`, `maxLength`, `pattern`,
//! `format`, `minimum`, `maximum`, `multipleOf`, `itemTypes`…) becomes the
//! JSON Schema keywords read by [`super::schema`]. `allow_unplanned: false` on
//! a rule's event closes the event's properties. Variants are warnings. Every
//! tracking plan of the project is read into one plan (the first names it).

use super::schema;
use super::{Event, ImportError, Plan, Property, Report, Screen, Traits, pointer_token};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

const KINDS: &[&str] = &[
    "tp",
    "tracking-plan",
    "events",
    "properties",
    "custom-types",
    "categories",
];

/// The rudder-cli `kind` of a YAML file, if it has one of the tracking-plan kinds.
pub(crate) fn kind_of(text: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let l = l.trim_start_matches(['{', ' ', '\t']);
        let rest = l
            .strip_prefix("kind:")
            .or_else(|| l.strip_prefix("\"kind\":"))?;
        let k = rest
            .trim()
            .trim_end_matches(',')
            .trim_matches(|c| c == '"' || c == '\'');
        KINDS.contains(&k).then(|| k.to_string())
    })
}

/// A definition and where it is.
struct Def<'v> {
    obj: &'v Map<String, Value>,
    /// `file#/spec/properties/3`.
    at: String,
}

#[derive(Default)]
struct Project<'v> {
    /// (kind, id) and (kind, group/id) → definition.
    defs: HashMap<(&'static str, String), Def<'v>>,
    plans: Vec<(&'v Map<String, Value>, String)>,
}

impl<'v> Project<'v> {
    fn add(&mut self, kind: &'static str, group: &str, obj: &'v Map<String, Value>, at: String) {
        let Some(id) = obj.get("id").and_then(Value::as_str) else {
            return;
        };
        self.defs.insert(
            (kind, format!("{group}/{id}")),
            Def {
                obj,
                at: at.clone(),
            },
        );
        self.defs
            .entry((kind, id.to_string()))
            .or_insert(Def { obj, at });
    }

    /// Resolves `#/properties/<group>/<id>` or `#property:<id>`.
    fn resolve(&self, kind: &'static str, reference: &str) -> Option<&Def<'v>> {
        let (legacy, v1) = match kind {
            "properties" => ("#/properties/", "#property:"),
            "events" => ("#/events/", "#event:"),
            "custom-types" => ("#/custom-types/", "#custom-type:"),
            _ => ("#/categories/", "#category:"),
        };
        let key = reference
            .strip_prefix(legacy)
            .or_else(|| reference.strip_prefix(v1))?;
        self.defs.get(&(kind, key.to_string()))
    }
}

/// Reads the YAML files of a project (paths relative to it).
pub(crate) fn read(files: &[(String, String)]) -> Result<(Plan, Report), ImportError> {
    let mut report = Report::default();
    let mut docs: Vec<(&str, Value)> = Vec::new();
    for (path, text) in files {
        if !super::detect::is_yaml(path) {
            continue;
        }
        if kind_of(text).is_none() {
            report.warn(
                "plan",
                path.clone(),
                "not a rudder-cli tracking-plan file (no `kind` among tp, tracking-plan, events, properties, custom-types, categories); skipped",
            );
            continue;
        }
        let v: Value = yaml_serde::from_str(text).map_err(|e| {
            let at = e.location().map_or(path.clone(), |l| {
                format!("{path}:{}:{}", l.line(), l.column())
            });
            ImportError::new(at, format!("invalid YAML: {e}"))
        })?;
        docs.push((path, v));
    }
    let mut project = Project::default();
    for (path, doc) in &docs {
        let kind = doc.get("kind").and_then(Value::as_str).unwrap_or_default();
        let group = doc
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let spec = doc.get("spec").and_then(Value::as_object);
        let Some(spec) = spec else {
            report.warn("plan", format!("{path}#/spec"), "no `spec`; skipped");
            continue;
        };
        let (list_key, kind): (&str, &'static str) = match kind {
            "properties" => ("properties", "properties"),
            "events" => ("events", "events"),
            "custom-types" => ("types", "custom-types"),
            "categories" => ("categories", "categories"),
            _ => {
                project.plans.push((spec, format!("{path}#/spec")));
                continue;
            }
        };
        if let Some(items) = spec.get(list_key).and_then(Value::as_array) {
            for (i, item) in items.iter().enumerate() {
                if let Some(obj) = item.as_object() {
                    project.add(kind, group, obj, format!("{path}#/spec/{list_key}/{i}"));
                }
            }
        }
    }
    if project.plans.is_empty() {
        return Err(ImportError::new(
            "",
            "no tracking plan in the project (a YAML file with `kind: tp` or `kind: tracking-plan`)",
        ));
    }
    let mut plan = Plan::default();
    let mut r = Reader {
        project: &project,
        report: &mut report,
        depth: 0,
    };
    for (spec, at) in &project.plans {
        r.tracking_plan(&mut plan, spec, at);
    }
    Ok((plan, report))
}

struct Reader<'p, 'v> {
    project: &'p Project<'v>,
    report: &'p mut Report,
    /// Properties within properties (a custom type may contain itself).
    depth: usize,
}

/// Deeper nesting of properties is a warning (and a cycle of custom types stops there).
const MAX_NESTING: usize = 32;

impl Reader<'_, '_> {
    fn tracking_plan(&mut self, plan: &mut Plan, spec: &Map<String, Value>, at: &str) {
        if plan.title.is_empty()
            && let Some(n) = spec
                .get("display_name")
                .or_else(|| spec.get("name"))
                .and_then(Value::as_str)
        {
            plan.title = n.to_string();
        }
        for (k, _) in spec {
            if !["id", "display_name", "name", "description", "rules"].contains(&k.as_str()) {
                self.report.warn(
                    "plan",
                    format!("{at}/{}", pointer_token(k)),
                    format!("tracking plan field `{k}` is not modelled; dropped"),
                );
            }
        }
        let rules = spec.get("rules").and_then(Value::as_array);
        for (i, rule) in rules.into_iter().flatten().enumerate() {
            let here = format!("{at}/rules/{i}");
            if let Some(rule) = rule.as_object() {
                self.rule(plan, rule, &here);
            }
        }
    }

    fn rule(&mut self, plan: &mut Plan, rule: &Map<String, Value>, at: &str) {
        // rudder/v0.1: `event: {$ref, allow_unplanned, identity_section}`;
        // rudder/v1: `event: "#event:id"`, with `additional_properties` and
        // `identity_section` on the rule (some v0.1 projects put
        // `allow_unplanned` there too).
        let event = match rule.get("event") {
            Some(Value::Object(o)) => Some(o),
            _ => None,
        };
        let reference = match rule.get("event") {
            Some(Value::String(r)) => r.as_str(),
            _ => event
                .and_then(|o| o.get("$ref"))
                .and_then(Value::as_str)
                .unwrap_or_default(),
        };
        // (the value, its pointer) of a field of the event object or the rule.
        let field = |names: &[&str]| {
            names.iter().find_map(|&k| {
                let in_event = event
                    .and_then(|o| o.get(k))
                    .map(|v| (v, format!("{at}/event/{k}")));
                in_event.or_else(|| rule.get(k).map(|v| (v, format!("{at}/{k}"))))
            })
        };
        let allow_unplanned =
            field(&["allow_unplanned", "additional_properties"]).and_then(|(v, _)| v.as_bool());
        let identity_section = field(&["identity_section"]);
        let Some(def) = self.project.resolve("events", reference) else {
            self.report.warn(
                "plan",
                format!("{at}/event"),
                format!("the rule's event `{reference}` is not defined in the project; the rule is dropped"),
            );
            return;
        };
        let ev = def.obj;
        let id = ev.get("id").and_then(Value::as_str).unwrap_or_default();
        let name = ev
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty());
        let event_type = ev
            .get("event_type")
            .and_then(Value::as_str)
            .unwrap_or("track");
        let subject = match event_type {
            "track" => format!("event {:?}", name.unwrap_or(id)),
            other => other.to_string(),
        };
        for k in event.into_iter().flat_map(Map::keys) {
            if !["$ref", "allow_unplanned", "identity_section"].contains(&k.as_str()) {
                self.report.warn(
                    &subject,
                    format!("{at}/event/{}", pointer_token(k)),
                    format!("rule event field `{k}` is not modelled; dropped"),
                );
            }
        }
        if let Some((section, here)) = identity_section {
            self.identity_section(&subject, event_type, section, here);
        }
        for (k, _) in rule {
            match k.as_str() {
                "type" | "id" | "event" | "properties" | "allow_unplanned"
                | "additional_properties" | "identity_section" => {}
                "variants" => self.report.warn(
                    &subject,
                    format!("{at}/variants"),
                    "variants (properties that depend on a discriminator's value) are not modelled; dropped",
                ),
                _ => self.report.warn(
                    &subject,
                    format!("{at}/{}", pointer_token(k)),
                    format!("rule field `{k}` is not modelled; dropped"),
                ),
            }
        }
        let props = self.properties(
            &subject,
            rule.get("properties"),
            &format!("{at}/properties"),
        );
        let closed = allow_unplanned == Some(false);
        let description = ev
            .get("description")
            .and_then(Value::as_str)
            .filter(|d| !d.is_empty())
            .map(str::to_string);
        let mut labels = Vec::new();
        if let Some(c) = ev.get("category").and_then(Value::as_str) {
            match self.project.resolve("categories", c) {
                Some(cat) => {
                    let n = cat
                        .obj
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    labels.push(format!("category:{n}"));
                }
                None => self.report.warn(
                    &subject,
                    format!("{}/category", def.at),
                    format!("category `{c}` is not defined in the project; dropped"),
                ),
            }
        }
        let traits = |props: Vec<Property>, description: Option<String>| Traits {
            description,
            closed,
            properties: props,
            ..Traits::default()
        };
        match event_type {
            "track" => plan.events.push(Event {
                name: name.unwrap_or(id).to_string(),
                description,
                labels,
                closed,
                properties: props,
                ..Event::default()
            }),
            "identify" | "group" => {
                let slot = if event_type == "identify" {
                    &mut plan.identify
                } else {
                    &mut plan.group
                };
                if slot.is_some() {
                    self.report.warn(
                        &subject,
                        at,
                        format!("a second {event_type} rule: only the first is kept"),
                    );
                } else {
                    *slot = Some(traits(props, description));
                }
            }
            "page" | "screen" => plan.screens.push(Screen {
                keyword: if event_type == "page" { "page" } else { "screen" },
                name: name.map(str::to_string),
                traits: traits(props, description),
            }),
            other => self.report.warn(
                &subject,
                format!("{}/event_type", def.at),
                format!("event type `{other}` is not one of track, identify, group, page, screen; the rule is dropped"),
            ),
        }
        if event_type != "track" && ev.contains_key("category") {
            self.report.warn(
                &subject,
                format!("{}/category", def.at),
                "a category has no place on identify, group, page or screen; dropped",
            );
        }
    }

    /// `identity_section`: the part of the call a rule's properties are checked
    /// in (`properties`, `traits` or `context.traits`; RudderStack asks for it on
    /// identify, group, page and screen rules). The plan's blocks check
    /// Segment's place: `properties` for events, pages and screens, `traits`
    /// for identify and group; another section keeps the properties there, with
    /// a warning.
    fn identity_section(&mut self, subject: &str, event_type: &str, section: &Value, at: String) {
        let (place, block) = match event_type {
            "track" => ("properties", "the event"),
            "identify" => ("traits", "the `identify` block"),
            "group" => ("traits", "the `group` block"),
            "page" => ("properties", "the `page` rule"),
            "screen" => ("properties", "the `screen` rule"),
            _ => return,
        };
        match section.as_str() {
            Some(s) if s == place => {}
            Some(s) => self.report.warn(
                subject,
                at,
                format!("`identity_section: {s}` is not modelled: {block} checks the call's `{place}`, where its properties are kept"),
            ),
            None => self.report.warn(
                subject,
                at,
                "`identity_section` is not a string; dropped",
            ),
        }
    }

    /// A rule's (or an object's) property list: `[{$ref | property, required, properties}]`.
    fn properties(&mut self, subject: &str, list: Option<&Value>, at: &str) -> Vec<Property> {
        let mut out = Vec::new();
        let Some(list) = list.and_then(Value::as_array) else {
            return out;
        };
        for (i, entry) in list.iter().enumerate() {
            let here = format!("{at}/{i}");
            let Some(entry) = entry.as_object() else {
                continue;
            };
            let reference = entry
                .get("$ref")
                .or_else(|| entry.get("property"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            let Some(def) = self.project.resolve("properties", reference) else {
                self.report.warn(
                    subject,
                    &here,
                    format!("property `{reference}` is not defined in the project; dropped"),
                );
                continue;
            };
            let nested = entry.get("properties");
            if let Some(mut p) = self.definition(subject, def, nested, &here) {
                p.required = entry.get("required").and_then(Value::as_bool) == Some(true);
                out.push(p);
            }
        }
        // Required properties first, as the other readers order them.
        out.sort_by_key(|p| !p.required);
        out
    }

    /// A property definition as a plan property; `nested`: the members a
    /// rule gives an object property.
    fn definition(
        &mut self,
        subject: &str,
        def: &Def,
        nested: Option<&Value>,
        at: &str,
    ) -> Option<Property> {
        let obj = def.obj;
        let name = obj
            .get("name")
            .or_else(|| obj.get("id"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if self.depth >= MAX_NESTING {
            self.report.warn(
                subject,
                at,
                format!("`{name}` is nested more than {MAX_NESTING} deep (a custom type that contains itself?); dropped"),
            );
            return None;
        }
        self.depth += 1;
        let p = self.definition_at_depth(subject, def, nested, at, name);
        self.depth -= 1;
        p
    }

    fn definition_at_depth(
        &mut self,
        subject: &str,
        def: &Def,
        nested: Option<&Value>,
        at: &str,
        name: String,
    ) -> Option<Property> {
        let obj = def.obj;
        let (node, members) = self.schema_node(subject, obj, &def.at, 0);
        let mut reader = schema::Reader::new(self.report);
        let mut p = reader.property(subject, &name, &node, &def.at)?;
        let listed = self.properties(subject, nested, &format!("{at}/properties"));
        if let super::Type::Object(m) = &mut p.ty {
            m.extend(members);
            m.extend(listed);
        } else if !listed.is_empty() {
            self.report.warn(
                subject,
                format!("{at}/properties"),
                format!("`{name}` is not an object: its nested properties are dropped"),
            );
        }
        Some(p)
    }

    /// A property's or custom type's JSON Schema node, and the members of an
    /// object custom type (read from its `properties` list).
    fn schema_node(
        &mut self,
        subject: &str,
        obj: &Map<String, Value>,
        at: &str,
        depth: usize,
    ) -> (Map<String, Value>, Vec<Property>) {
        let mut node = Map::new();
        let mut members = Vec::new();
        let ty = obj.get("type").and_then(Value::as_str).unwrap_or_default();
        if ty.starts_with('#') {
            match self.project.resolve("custom-types", ty) {
                Some(ct) if depth < 16 => {
                    let (n, m) = self.schema_node(subject, ct.obj, &ct.at, depth + 1);
                    node = n;
                    members = m;
                    if let Some(list) = ct.obj.get("properties") {
                        let listed =
                            self.properties(subject, Some(list), &format!("{}/properties", ct.at));
                        members.extend(listed);
                    }
                    if ct.obj.contains_key("variants") {
                        self.report.warn(
                            subject,
                            format!("{}/variants", ct.at),
                            "variants are not modelled; dropped",
                        );
                    }
                }
                _ => self.report.warn(
                    subject,
                    format!("{at}/type"),
                    format!("custom type `{ty}` is not defined in the project; `any` kept"),
                ),
            }
        } else if !ty.is_empty() {
            let types: Vec<Value> = ty
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(|t| json!(t))
                .collect();
            node.insert(
                "type".to_string(),
                if types.len() == 1 {
                    types[0].clone()
                } else {
                    Value::Array(types)
                },
            );
        }
        if let Some(d) = obj.get("description") {
            node.entry("description").or_insert(d.clone());
        }
        let config = obj
            .get("propConfig")
            .or_else(|| obj.get("config"))
            .and_then(Value::as_object);
        for (k, v) in config.into_iter().flatten() {
            let key = camel(k);
            match key.as_str() {
                "itemTypes" => {
                    let items: Vec<Value> = v
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|t| {
                            let t = t.as_str()?;
                            if t.starts_with('#') {
                                let ct = self.project.resolve("custom-types", t)?;
                                Some(Value::Object(
                                    self.schema_node(subject, ct.obj, &ct.at, depth + 1).0,
                                ))
                            } else {
                                Some(json!({ "type": t }))
                            }
                        })
                        .collect();
                    let item = match items.as_slice() {
                        [] => json!({}),
                        [one] => one.clone(),
                        _ => {
                            let names: Vec<Value> = items
                                .iter()
                                .filter_map(|i| i.get("type").cloned())
                                .collect();
                            json!({ "type": names })
                        }
                    };
                    node.insert("items".to_string(), item);
                }
                _ => {
                    node.insert(key, v.clone());
                }
            }
        }
        // The custom type's own members come as a plan list, not a schema.
        if node.get("type").is_some_and(|t| t == "object") {
            node.entry("properties").or_insert(json!({}));
        }
        (node, members)
    }
}

/// `min_length` → `minLength` (rudder/v1 config keys).
fn camel(k: &str) -> String {
    let mut out = String::with_capacity(k.len());
    let mut up = false;
    for c in k.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{camel, kind_of, read};

    fn files(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect()
    }

    #[test]
    fn kinds_and_keys() {
        assert_eq!(
            kind_of("version: rudder/v1\nkind: \"tracking-plan\"\n").as_deref(),
            Some("tracking-plan")
        );
        assert_eq!(
            kind_of("{\n  \"kind\": \"events\",\n").as_deref(),
            Some("events")
        );
        assert_eq!(kind_of("kind: destination\n"), None);
        assert_eq!(camel("min_length"), "minLength");
        assert_eq!(camel("item_types"), "itemTypes");
    }

    /// rudder/v1 rules carry `additional_properties` and `identity_section`
    /// themselves; rudder/v0.1 in the rule's `event`. The section a block
    /// checks is read silently, another one is a warning, and so is a key of
    /// the rule's `event` that the plan does not hold.
    #[test]
    fn identity_sections_and_closed_rules() {
        let events = "version: rudder/v1\nkind: events\nmetadata:\n  name: g\nspec:\n  events:\n    - id: t\n      name: Tree Grown\n      event_type: track\n    - id: who\n      event_type: identify\n    - id: p\n      event_type: page\n    - id: s\n      event_type: screen\n";
        let props = "version: rudder/v1\nkind: properties\nmetadata:\n  name: g\nspec:\n  properties:\n    - id: height\n      name: height\n      type: number\n";
        let rule = |id: &str, event: &str, extra: &str| {
            format!(
                "    - type: event_rule\n      id: {id}\n      event: \"#event:{event}\"\n{extra}      properties:\n        - property: \"#property:height\"\n"
            )
        };
        let v1 = format!(
            "version: rudder/v1\nkind: tracking-plan\nmetadata:\n  name: g\nspec:\n  id: tp\n  display_name: Trees\n  rules:\n{}{}{}",
            rule("r1", "t", "      additional_properties: false\n"),
            rule("r2", "who", "      identity_section: traits\n"),
            rule("r3", "p", "      identity_section: context.traits\n"),
        );
        let (plan, report) = read(&files(&[
            ("e.yaml", events),
            ("p.yaml", props),
            ("tp.yaml", &v1),
        ]))
        .unwrap();
        assert!(
            plan.events[0].closed,
            "additional_properties: false closes the event"
        );
        assert_eq!(plan.identify.as_ref().map(|t| t.properties.len()), Some(1));
        assert_eq!(plan.screens.len(), 1);
        assert_eq!(
            plan.screens[0].traits.properties.len(),
            1,
            "kept in the page rule"
        );
        let messages: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(
            messages[0].contains("/rules/2/identity_section")
                && messages[0].contains("`identity_section: context.traits` is not modelled"),
            "{messages:?}"
        );

        let v0 = "version: rudder/v0.1\nkind: tp\nmetadata:\n  name: g\nspec:\n  id: tp\n  display_name: Trees\n  rules:\n    - type: event_rule\n      id: r1\n      event:\n        $ref: \"#/events/g/t\"\n        allow_unplanned: false\n        colour: green\n    - type: event_rule\n      id: r2\n      event:\n        $ref: \"#/events/g/s\"\n        identity_section: properties\n      allow_unplanned: false\n";
        let (plan, report) = read(&files(&[("e.yaml", events), ("tp.yaml", v0)])).unwrap();
        assert!(plan.events[0].closed);
        assert!(plan.screens[0].traits.closed, "allow_unplanned on the rule");
        let messages: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(
            messages[0].contains("/rules/0/event/colour"),
            "{messages:?}"
        );
    }

    #[test]
    fn a_custom_type_that_contains_itself_stops() {
        let project = files(&[
            (
                "p.yaml",
                "version: rudder/v0.1\nkind: properties\nmetadata:\n  name: g\nspec:\n  properties:\n    - id: node\n      name: node\n      type: \"#/custom-types/g/tree\"\n",
            ),
            (
                "c.yaml",
                "version: rudder/v0.1\nkind: custom-types\nmetadata:\n  name: g\nspec:\n  types:\n    - id: tree\n      name: Tree\n      type: object\n      properties:\n        - $ref: \"#/properties/g/node\"\n",
            ),
            (
                "e.yaml",
                "version: rudder/v0.1\nkind: events\nmetadata:\n  name: g\nspec:\n  events:\n    - id: t\n      name: Tree Grown\n      event_type: track\n",
            ),
            (
                "tp.yaml",
                "version: rudder/v0.1\nkind: tp\nmetadata:\n  name: g\nspec:\n  id: tp\n  display_name: Trees\n  rules:\n    - type: event_rule\n      id: r\n      event:\n        $ref: \"#/events/g/t\"\n      properties:\n        - $ref: \"#/properties/g/node\"\n",
            ),
        ]);
        let (plan, report) = read(&project).unwrap();
        assert_eq!(plan.title, "Trees");
        assert_eq!(plan.events.len(), 1);
        assert!(
            report.warnings.iter().any(|w| w.message.contains("deep")),
            "{:?}",
            report.warnings
        );
    }
}
