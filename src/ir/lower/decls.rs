//! Lowering of each kind of declaration.

use super::{Kind, Lowerer};
use crate::diagnostics::{Diagnostic, codes};
use crate::ir::*;
use crate::source::{Span, Spanned};
use crate::syntax::ast::{self, FieldBody};
use crate::vocab::{
    BUNDLE, COMMON, CONSENT, ENUM, ENVELOPE, EVENT, GROUP, IDENTIFY, KPI, NAMING, OWNER, PAGE,
    PLAN, QA, RELAX, RETENTION, RULES, SCREEN, SOURCE, TOOL,
};
use std::collections::HashMap;

impl Lowerer<'_> {
    fn opt_ref(&mut self, f: &ast::Field, kind: Kind) -> Option<Ref> {
        let mut r = if kind == Kind::Owner {
            self.owner(f)?
        } else {
            let n = self.name(f)?;
            Ref::new(n.value, n.span)
        };
        self.resolve(&mut r, kind);
        Some(r)
    }

    fn refs(&mut self, names: Vec<Spanned<String>>, kind: Kind) -> Vec<Ref> {
        names
            .into_iter()
            .map(|n| {
                let mut r = Ref::new(n.value, n.span);
                self.resolve(&mut r, kind);
                r
            })
            .collect()
    }

    fn owner_refs(&mut self, f: &ast::Field) -> Vec<Ref> {
        let mut rs = self.owners(f);
        for r in &mut rs {
            self.resolve(r, Kind::Owner);
        }
        rs
    }

    pub(crate) fn plan(&mut self, d: &ast::Decl, title: Spanned<String>) -> PlanMeta {
        let mut m = PlanMeta {
            title,
            span: d.span,
            ..PlanMeta::default()
        };
        let items = self.items(&d.block, &PLAN);
        let (mut escalation, mut ripcord, mut approvers) = (None, None, None);
        for f in items.fields {
            match f.key.text.as_str() {
                "use_case" => m.use_case = self.string(f),
                "description" => m.description = self.string(f),
                "sources" => {
                    let names = self.names(f);
                    m.sources = self.refs(names, Kind::Source);
                }
                "tools" => m.tools = self.names(f),
                "constraints" => {
                    for n in self.names(f) {
                        if let Some(c) = self.keyword_of(
                            &n.value,
                            n.span,
                            "constraint",
                            Constraint::NAMES,
                            Constraint::parse,
                        ) {
                            m.constraints.push(c);
                        }
                    }
                }
                "timeline" => m.timeline = self.date(f),
                "version" => {
                    if let Some(v) = self.semver(f) {
                        m.version = v;
                        m.version_written = true;
                    }
                }
                "owner" => m.owner = self.opt_ref(f, Kind::Owner),
                "retention" => m.retention = self.opt_ref(f, Kind::Retention),
                "pattern" => {
                    if let Some(p) = self.keyword(f, Pattern::NAMES, Pattern::parse) {
                        m.pattern = p;
                    }
                }
                "naming" => {
                    if let Some(b) = self.block(f) {
                        m.naming = self.naming(b);
                    }
                }
                "qa" => {
                    if let Some(b) = self.block(f) {
                        m.qa = self.qa(b);
                    }
                }
                "escalation" => escalation = Some(self.owner_refs(f)),
                "ripcord" => ripcord = Some(self.owner_refs(f)),
                "approvers" => approvers = Some(self.owner_refs(f)),
                "rules" => {
                    if let Some(b) = self.block(f) {
                        m.rules = self.rule_settings(b);
                    }
                }
                "relax" => {
                    if let Some(b) = self.block(f) {
                        m.relax = self.change_settings(b);
                    }
                }
                _ => {}
            }
        }
        if m.version.span == Default::default() {
            m.version.span = m.title.span;
        }
        if m.pattern.span == Default::default() {
            m.pattern.span = m.title.span;
        }
        let plan_owner: Vec<Ref> = m.owner.iter().cloned().collect();
        m.escalation = escalation.unwrap_or_else(|| plan_owner.clone());
        m.ripcord = ripcord.unwrap_or_else(|| m.escalation.clone());
        m.approvers = approvers.unwrap_or(plan_owner);
        m
    }

    fn naming(&mut self, b: &ast::Block) -> Naming {
        let mut n = Naming {
            span: Some(b.span),
            ..Naming::default()
        };
        let items = self.items(b, &NAMING);
        for f in items.fields {
            match f.key.text.as_str() {
                "events" => {
                    if let Some(v) = self.keyword(f, EventNaming::NAMES, EventNaming::parse) {
                        n.events = v.value;
                    }
                }
                "properties" => {
                    if let Some(v) = self.keyword(f, PropertyNaming::NAMES, PropertyNaming::parse) {
                        n.properties = v.value;
                    }
                }
                _ => {}
            }
        }
        n
    }

    fn qa(&mut self, b: &ast::Block) -> Qa {
        let mut q = Qa {
            span: Some(b.span),
            ..Qa::default()
        };
        let items = self.items(b, &QA);
        for f in items.fields {
            match f.key.text.as_str() {
                "coverage" => {
                    if let Some(p) = self.percent(f, true) {
                        q.coverage = p.value;
                    }
                }
                "defect_ceiling" => {
                    if let Some(n) = self.count(f) {
                        q.defect_ceiling = n.value;
                    }
                }
                "retry_limit" => {
                    if let Some(n) = self.count(f) {
                        q.retry_limit = n.value;
                    }
                }
                "escalate_after" => {
                    if let Some(w) = self.window(f) {
                        q.escalate_after = w;
                    }
                }
                _ => {}
            }
        }
        q
    }

    fn rule_settings(&mut self, b: &ast::Block) -> Vec<RuleSetting> {
        let known = self.rule_names;
        self.settings(b, &RULES, "rule", known, Level::NAMES, Level::parse)
            .into_iter()
            .map(|(rule, level, span)| RuleSetting { rule, level, span })
            .collect()
    }

    fn change_settings(&mut self, b: &ast::Block) -> Vec<ChangeSetting> {
        let known = self.change_kinds;
        let names = ChangeLevel::NAMES;
        self.settings(
            b,
            &RELAX,
            "kind of change",
            known,
            names,
            ChangeLevel::parse,
        )
        .into_iter()
        .map(|(kind, level, span)| ChangeSetting { kind, level, span })
        .collect()
    }

    /// The settings of a `rules { }` or `relax { }` block (`"name" = level`):
    /// each name one of `known`, once, with a level of `levels`.
    fn settings<L: Copy>(
        &mut self,
        b: &ast::Block,
        shape: &crate::vocab::Block,
        what: &str,
        known: &[&'static str],
        levels: &[&str],
        parse: fn(&str) -> Option<L>,
    ) -> Vec<(Spanned<String>, Spanned<L>, Span)> {
        let items = self.items(b, shape);
        let mut seen: HashMap<&str, Span> = HashMap::new();
        let mut out = Vec::new();
        for s in items.settings {
            let name = s.rule.value.as_str();
            if !known.contains(&name) {
                self.unknown_setting(what, known, name, s.rule.span);
                continue;
            }
            if let Some(&first) = seen.get(name) {
                self.diags.push(
                    Diagnostic::error(
                        codes::DUPLICATE_FIELD,
                        format!("{what} `{name}` is configured twice"),
                    )
                    .primary(s.span, "configured again here")
                    .secondary(first, "first configured here"),
                );
                continue;
            }
            seen.insert(name, s.span);
            if let Some(level) =
                self.keyword_of(&s.level.text, s.level.span, "level", levels, parse)
            {
                out.push((Spanned::new(name.to_string(), s.rule.span), level, s.span));
            }
        }
        out
    }

    pub(crate) fn owner_decl(&mut self, d: &ast::Decl, id: Spanned<String>) -> Owner {
        let mut o = Owner {
            id,
            name: None,
            email: None,
            slack: None,
            description: None,
            backup: None,
            span: d.span,
        };
        for f in self.items(&d.block, &OWNER).fields {
            match f.key.text.as_str() {
                "name" => o.name = self.string(f),
                "email" => o.email = self.string(f),
                "slack" => o.slack = self.string(f),
                "description" => o.description = self.string(f),
                "backup" => o.backup = self.opt_ref(f, Kind::Owner),
                _ => {}
            }
        }
        if let Some(b) = &o.backup
            && b.name == o.id.value
        {
            self.diags.push(
                Diagnostic::error(
                    codes::INVALID_VALUE,
                    format!("@{} is its own backup", o.id.value),
                )
                .primary(b.span, "the backup must be someone else")
                .help("name the person or team that stands in when this owner is unavailable"),
            );
        }
        o
    }

    pub(crate) fn consent_decl(&mut self, d: &ast::Decl, id: Spanned<String>) -> Consent {
        let mut c = Consent {
            id,
            basis: None,
            description: None,
            category: None,
            span: d.span,
        };
        for f in self.items(&d.block, &CONSENT).fields {
            match f.key.text.as_str() {
                "basis" => c.basis = self.keyword(f, Basis::NAMES, Basis::parse),
                "description" => c.description = self.string(f),
                "category" => c.category = self.string(f),
                _ => {}
            }
        }
        if c.basis.is_none() && !self.has_field(&d.block, "basis") {
            self.missing_field(d, "basis", "consent purpose", "basis consent");
        }
        c
    }

    pub(crate) fn retention_decl(&mut self, d: &ast::Decl, id: Spanned<String>) -> Retention {
        let mut r = Retention {
            id,
            duration: None,
            action: None,
            description: None,
            span: d.span,
        };
        for f in self.items(&d.block, &RETENTION).fields {
            match f.key.text.as_str() {
                "duration" => r.duration = self.duration(f),
                "action" => {
                    r.action = self.keyword(f, RetentionAction::NAMES, RetentionAction::parse)
                }
                "description" => r.description = self.string(f),
                _ => {}
            }
        }
        if !self.has_field(&d.block, "duration") {
            self.missing_field(d, "duration", "retention policy", "duration 13 months");
        }
        r
    }

    pub(crate) fn source_decl(&mut self, d: &ast::Decl, id: Spanned<String>) -> Source {
        let mut s = Source {
            id,
            kind: None,
            database: None,
            schema: None,
            description: None,
            span: d.span,
        };
        for f in self.items(&d.block, &SOURCE).fields {
            match f.key.text.as_str() {
                "kind" => s.kind = self.keyword(f, SourceKind::NAMES, SourceKind::parse),
                "database" => s.database = self.warehouse_name(f),
                "schema" => s.schema = self.warehouse_name(f),
                "description" => s.description = self.string(f),
                _ => {}
            }
        }
        s
    }

    pub(crate) fn tool_decl(&mut self, d: &ast::Decl, id: Spanned<String>) -> Tool {
        let mut t = Tool {
            id,
            baa: None,
            workspace: None,
            database: None,
            schema: None,
            description: None,
            span: d.span,
        };
        for f in self.items(&d.block, &TOOL).fields {
            match f.key.text.as_str() {
                "baa" => t.baa = self.boolean(f),
                "workspace" => t.workspace = self.string(f),
                "database" => t.database = self.warehouse_name(f),
                "schema" => t.schema = self.warehouse_name(f),
                "description" => t.description = self.string(f),
                _ => {}
            }
        }
        t
    }

    pub(crate) fn enum_decl(&mut self, d: &ast::Decl, name: Spanned<String>) -> EnumDef {
        let items = self.items(&d.block, &ENUM);
        let mut e = EnumDef {
            name,
            values: Vec::new(),
            description: None,
            span: d.span,
        };
        for f in items.fields {
            if f.key.text == "description" {
                e.description = self.string(f);
            }
        }
        e.values = self.enum_values(items.values.iter().copied());
        if e.values.is_empty() {
            self.diags.push(
                Diagnostic::error(
                    codes::INVALID_VALUE,
                    format!("enum `{}` has no values", e.name.value),
                )
                .primary(d.block.span, "no values")
                .help("list the allowed values: `{ \"free\", \"pro\" }`"),
            );
        }
        e
    }

    pub(crate) fn bundle_decl(&mut self, d: &ast::Decl, name: Spanned<String>) -> Bundle {
        let items = self.items(&d.block, &BUNDLE);
        let mut b = Bundle {
            name,
            description: None,
            properties: Vec::new(),
            span: d.span,
        };
        for f in items.fields {
            if f.key.text == "description" {
                b.description = self.string(f);
            }
        }
        b.properties = self.properties(&items.properties);
        b
    }

    /// `common`, `identify`, `group`, `envelope`, `page` or `screen` (the
    /// name of a page or screen rule is set by the caller).
    pub(crate) fn traits_decl(&mut self, d: &ast::Decl, kind: TraitsKind) -> Traits {
        let shape = match kind {
            TraitsKind::Common => &COMMON,
            TraitsKind::Identify => &IDENTIFY,
            TraitsKind::Group => &GROUP,
            TraitsKind::Envelope => &ENVELOPE,
            TraitsKind::Page => &PAGE,
            TraitsKind::Screen => &SCREEN,
        };
        let items = self.items(&d.block, shape);
        let mut t = Traits {
            kind,
            description: None,
            owner: None,
            consent: None,
            retention: None,
            uses: Vec::new(),
            properties: Vec::new(),
            allows: Vec::new(),
            closed: None,
            name: None,
            require_one_of: Vec::new(),
            keyword_span: d.kind.span,
            span: d.span,
        };
        let mut uses = Vec::new();
        for f in &items.fields {
            match f.key.text.as_str() {
                "description" => t.description = self.string(f),
                "owner" => t.owner = self.opt_ref(f, Kind::Owner),
                "consent" => t.consent = self.opt_ref(f, Kind::Consent),
                "retention" => t.retention = self.opt_ref(f, Kind::Retention),
                "closed" => t.closed = self.bare(f),
                "use" => uses.push(*f),
                "allow" => t.allows.extend(self.allow_field(f)),
                "require_one_of" => t.require_one_of = self.field_names(f),
                _ => {}
            }
        }
        let own = self.properties(&items.properties);
        if kind == TraitsKind::Envelope {
            self.envelope_properties(&own);
        }
        let (uses, props) = self.with_bundles(own, &uses);
        t.uses = uses;
        t.properties = props;
        t
    }

    /// Payload field names, bare or quoted: `require_one_of userId, anonymousId`.
    fn field_names(&mut self, f: &ast::Field) -> Vec<Spanned<String>> {
        let mut out: Vec<Spanned<String>> = Vec::new();
        for v in self.many(f, "field names") {
            let n = match v {
                ast::Value::Word(w) => Spanned::new(w.text.clone(), w.span),
                ast::Value::Str(s) => Spanned::new(s.value.clone(), s.span),
                v => {
                    let v = v.clone();
                    self.bad_value(f, "field names", Some(&v));
                    continue;
                }
            };
            if let Some(first) = out.iter().find(|o| o.value == n.value) {
                self.diags.push(
                    Diagnostic::error(
                        codes::INVALID_VALUE,
                        format!("`{}` is listed twice in `{}`", n.value, f.key.text),
                    )
                    .primary(n.span, "listed again here")
                    .secondary(first.span, "first listed here")
                    .help("list each field once"),
                );
                continue;
            }
            out.push(n);
        }
        out
    }

    /// The envelope's own checks: `properties` is `common`'s (the COMMON rule
    /// writes `common` there).
    fn envelope_properties(&mut self, props: &[Property]) {
        for p in props {
            if &*p.name.value == "properties" {
                self.diags.push(
                    Diagnostic::error(
                        codes::UNKNOWN_FIELD,
                        "the envelope cannot declare `properties`: the properties of track calls are the `common` block's",
                    )
                    .primary(p.name.span, "declared in `common`")
                    .help("move these properties into `common { … }`"),
                );
            }
        }
    }

    fn allow_field(&mut self, f: &ast::Field) -> Option<Allow> {
        match &f.body {
            FieldBody::Call(args) => self.allow(Some(args), f.span),
            _ => self.allow(None, f.span),
        }
    }

    pub(crate) fn event_decl(&mut self, d: &ast::Decl, name: Spanned<String>) -> Event {
        let items = self.items(&d.block, &EVENT);
        let mut e = Event {
            status: Spanned::new(Status::Planned, name.span),
            name,
            description: None,
            owner: None,
            source: None,
            consent: None,
            status_written: false,
            sampling: None,
            retention: None,
            since: None,
            tags: Vec::new(),
            extra: None,
            identity: None,
            release: None,
            replaced_by: None,
            sunset: None,
            uses: Vec::new(),
            properties: Vec::new(),
            allows: Vec::new(),
            span: d.span,
        };
        let mut uses = Vec::new();
        for f in &items.fields {
            match f.key.text.as_str() {
                "description" => e.description = self.string(f),
                "owner" => e.owner = self.opt_ref(f, Kind::Owner),
                "source" => e.source = self.opt_ref(f, Kind::Source),
                "consent" => e.consent = self.opt_ref(f, Kind::Consent),
                "retention" => e.retention = self.opt_ref(f, Kind::Retention).map(Box::new),
                "status" => {
                    if let Some(s) = self.keyword(f, Status::NAMES, Status::parse) {
                        e.status = s;
                        e.status_written = true;
                    }
                }
                "sampling" => e.sampling = self.percent(f, false).map(Box::new),
                "since" => e.since = self.semver(f).map(Box::new),
                "tags" => e.tags = self.strings(f),
                "labels" => e.extra.get_or_insert_default().labels = self.labels(f),
                "version" => {
                    let v = self.event_version(f);
                    let x = e.extra.get_or_insert_default();
                    x.bad_version = v.is_none();
                    x.version = v;
                }
                "closed" => e.extra.get_or_insert_default().closed = self.bare(f),
                "identity" => e.identity = self.keyword(f, Identity::NAMES, Identity::parse),
                "flag" => e.extra.get_or_insert_default().flag = self.string(f),
                "release" => e.release = self.date(f),
                "sunset" => e.sunset = self.date(f),
                "replaced_by" => {
                    if let Some(s) = self.string(f) {
                        let mut r = Ref::new(s.value, s.span);
                        self.resolve(&mut r, Kind::Event);
                        // An older version may name its own event (the
                        // current version replaces it): `versions` judges
                        // that once it knows which version is current.
                        if r.name == e.name.value && !self.repeated_events {
                            self.diags.push(super::versions::replaced_by_itself(&r));
                        }
                        e.replaced_by = Some(Box::new(r));
                    }
                }
                "use" => uses.push(*f),
                "allow" => e.allows.extend(self.allow_field(f)),
                _ => {}
            }
        }
        let own = self.properties(&items.properties);
        let (uses, props) = self.with_bundles(own, &uses);
        e.uses = uses;
        e.properties = props;
        e
    }

    pub(crate) fn kpi_decl(&mut self, d: &ast::Decl, name: Spanned<String>) -> Kpi {
        let mut k = Kpi {
            name,
            description: None,
            owner: None,
            events: Vec::new(),
            dimensions: Vec::new(),
            consumers: Vec::new(),
            span: d.span,
        };
        for f in self.items(&d.block, &KPI).fields {
            match f.key.text.as_str() {
                "description" => k.description = self.string(f),
                "owner" => k.owner = self.opt_ref(f, Kind::Owner),
                "events" => {
                    let names = self.strings(f);
                    k.events = self.refs(names, Kind::Event);
                }
                "dimensions" => k.dimensions = self.names(f),
                "consumers" => k.consumers = self.strings(f),
                _ => {}
            }
        }
        if k.events.is_empty() && !self.has_field(&d.block, "events") {
            self.missing_field(d, "events", "KPI", "events \"Order Completed\"");
        }
        k
    }

    /// Inserts the properties of each `use`d bundle where the `use` is written,
    /// reporting clashes with both sides shown.
    fn with_bundles(
        &mut self,
        own: Vec<Property>,
        uses: &[&ast::Field],
    ) -> (Vec<Ref>, Vec<Property>) {
        if uses.is_empty() {
            return (Vec::new(), own);
        }
        let mut refs = Vec::new();
        // (position of the `use` or property, property): stable-sorted by position.
        let mut placed: Vec<(u32, Property)> = own.into_iter().map(|p| (p.span.start, p)).collect();
        let mut used: Vec<(String, Span)> = Vec::new();
        for f in uses {
            let Some(n) = self.name(f) else { continue };
            if let Some((_, first)) = used.iter().find(|(u, _)| *u == n.value) {
                self.diags.push(
                    Diagnostic::error(
                        codes::DUPLICATE_FIELD,
                        format!("bundle `{}` is used twice", n.value),
                    )
                    .primary(f.span, "used again here")
                    .secondary(*first, "first used here")
                    .help("remove this `use`: the bundle's properties are already there"),
                );
                continue;
            }
            used.push((n.value.clone(), f.span));
            let mut r = Ref::new(n.value, n.span);
            self.resolve(&mut r, Kind::Bundle);
            if let Some(i) = r.target
                && let Some(bundle) = self.bundles.get(i)
            {
                placed.extend(bundle.properties.iter().map(|p| {
                    (
                        f.span.start,
                        Property {
                            origin: Origin::Bundle(Box::new(BundleUse {
                                bundle: i,
                                use_span: f.span,
                            })),
                            ..p.clone()
                        },
                    )
                }));
            }
            refs.push(r);
        }
        refs.shrink_to_fit();
        placed.sort_by_key(|(pos, _)| *pos);
        let mut out: Vec<Property> = Vec::with_capacity(placed.len());
        // Names are interned by this lowering: equal names are one pointer.
        // Long blocks look them up in a map (a scan would be quadratic).
        let mut seen: HashMap<*const str, usize> = HashMap::new();
        let long = placed.len() > 32;
        for (_, p) in placed {
            let first = if long {
                seen.get(&std::sync::Arc::as_ptr(&p.name.value)).copied()
            } else {
                out.iter()
                    .position(|q| std::sync::Arc::ptr_eq(&q.name.value, &p.name.value))
            };
            if let Some(first) = first {
                let d = self.clash(&p, &out[first]);
                self.diags.push(d);
                continue;
            }
            if long {
                seen.insert(std::sync::Arc::as_ptr(&p.name.value), out.len());
            }
            out.push(p);
        }
        (refs, out)
    }

    /// Two properties of one block with the same name, at least one from a bundle.
    fn clash(&self, p: &Property, first: &Property) -> Diagnostic {
        let mut d = Diagnostic::error(
            codes::DUPLICATE_PROPERTY,
            format!("property `{}` is defined twice in this block", p.name.value),
        );
        let mut help = "rename one of them, or drop the `use`".to_string();
        for q in [p, first] {
            match &q.origin {
                Origin::Own => d = d.primary(q.name.span, "declared here"),
                Origin::Bundle(u) => {
                    let BundleUse { bundle, use_span } = u.as_ref();
                    let b = self
                        .bundles
                        .get(*bundle)
                        .map_or("?", |b| b.name.value.as_str());
                    d = d
                        .secondary(q.name.span, format!("defined in bundle `{b}`"))
                        .secondary(*use_span, format!("brought in by `use {b}`"));
                    help = format!(
                        "rename the property, or drop it from the event: `use {b}` already defines it"
                    );
                }
            }
        }
        if !d.labels.iter().any(|l| l.primary) {
            d.labels[0].primary = true;
        }
        d.help(help)
    }

    fn has_field(&self, b: &ast::Block, key: &str) -> bool {
        b.items
            .iter()
            .any(|i| matches!(i, ast::Item::Field(f) if f.key.text == key))
    }

    fn missing_field(&mut self, d: &ast::Decl, field: &str, what: &str, example: &str) {
        let name = d.name.as_ref().map_or(d.kind.span, |n| n.span());
        self.diags.push(
            Diagnostic::error(codes::MISSING, format!("this {what} has no `{field}`"))
                .primary(name, format!("`{field}` is required"))
                .help(format!("add `{example}` inside the block")),
        );
    }
}
