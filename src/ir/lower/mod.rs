//! AST → IR: gives the generic syntax its meaning.
//!
//! Pass 1 registers every named declaration of every file (so references may come
//! before their declaration) and reports unknown kinds and duplicates. Pass 2 lowers
//! each declaration in dependency order (enums, then the declarations properties
//! refer to, bundles, the plan, traits, events, KPIs), validating values where they
//! are read and resolving references on the spot. A last step computes the
//! effective owner, consent and retention of every property.

mod decls;
mod fields;
mod properties;
mod versions;

pub use properties::first_multiple;
pub(crate) use properties::{check_value, is_multiple};

use crate::diagnostics::{Diagnostic, codes, did_you_mean};
use crate::ir::*;
use crate::source::{FileId, Span, Spanned};
use crate::syntax::BrokenDecl;
use crate::syntax::ast::{self, DeclName};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

type Kind = DeclKind;

pub(crate) struct Lowerer<'r> {
    pub diags: Vec<Diagnostic>,
    names: HashMap<Kind, HashMap<String, (usize, Span)>>,
    /// Some event name is declared more than once (see `versions`).
    repeated_events: bool,
    rule_names: &'r [&'static str],
    /// The kinds of change `relax { }` may name.
    change_kinds: &'r [&'static str],
    regex_cache: HashMap<String, Result<(), String>>,
    enum_values: Vec<Arc<[crate::ir::Literal]>>,
    /// Interned enum value lists (see [`EnumType::values`]).
    value_lists: rustc_hash::FxHashSet<Arc<[crate::ir::Literal]>>,
    bundles: Vec<Bundle>,
    refs: Vec<RefSite>,
    /// Names of declarations that did not parse: references to them are not errors.
    broken: HashSet<(Kind, String)>,
    /// Kinds of declarations that did not parse and whose name could not be read.
    broken_kinds: HashSet<Kind>,
    /// Set by `ty` when a type name did not resolve (so the modifiers and example of
    /// that property are not checked against a guessed type).
    type_unknown: bool,
    /// Interned property names and descriptions (see [`crate::ir::Text`]).
    texts: rustc_hash::FxHashSet<Text>,
}

/// Declarations that passed registration (indices into the flat declaration list,
/// with the span of their keyword), by kind, in source order.
#[derive(Default)]
struct Registered {
    plans: Vec<(usize, Span, Spanned<String>)>,
    named: HashMap<Kind, Vec<(usize, Spanned<String>)>>,
    common: Option<(usize, Span)>,
    identify: Option<(usize, Span)>,
    group: Option<(usize, Span)>,
    envelope: Option<(usize, Span)>,
    /// Page and screen rules: declaration, kind, name (none: every page).
    views: Vec<(usize, TraitsKind, Option<Spanned<String>>, Span)>,
}

/// The top-level declarations of a plan, in source order, as lowering reads them:
/// the kind and name of each first (to register every name), then each
/// declaration once, taken to be lowered (and, when owned, freed).
pub(crate) trait DeclSource<'a> {
    /// How many declarations there are.
    fn count(&self) -> usize;
    /// The keyword and name of declaration `i`.
    fn head(&self, i: usize) -> Option<(&ast::Ident, Option<&DeclName>)>;
    /// Every declaration is registered: [`DeclSource::head`] is not called again.
    fn registered(&mut self) {}
    /// Declaration `i` if it is held and not taken yet (enums are read before
    /// they are lowered).
    fn peek(&self, i: usize) -> Option<&ast::Decl>;
    /// Takes declaration `i` to lower it.
    fn take(&mut self, i: usize) -> Option<Cow<'a, ast::Decl>>;
    /// Declaration `d`, taken and lowered, is not needed any more.
    fn done(&mut self, d: Cow<'a, ast::Decl>) {
        drop(d);
    }
}

/// Declarations already parsed, borrowed or owned (see [`Decls::new`]).
pub(crate) struct Decls<'a>(Vec<Option<Cow<'a, ast::Decl>>>);

impl<'a> Decls<'a> {
    /// The declarations of parsed files, in order. Owned trees are freed one
    /// declaration at a time, as soon as each is lowered, so the AST and the IR
    /// are not both held in full.
    pub(crate) fn new(files: Vec<(FileId, Cow<'a, ast::File>)>) -> Decls<'a> {
        let mut decls = Vec::new();
        for (_, f) in files {
            match f {
                Cow::Borrowed(f) => decls.extend(f.decls.iter().map(|d| Some(Cow::Borrowed(d)))),
                Cow::Owned(f) => decls.extend(f.decls.into_iter().map(|d| Some(Cow::Owned(d)))),
            }
        }
        Decls(decls)
    }
}

impl<'a> DeclSource<'a> for Decls<'a> {
    fn count(&self) -> usize {
        self.0.len()
    }

    fn head(&self, i: usize) -> Option<(&ast::Ident, Option<&DeclName>)> {
        self.peek(i).map(|d| (&d.kind, d.name.as_ref()))
    }

    fn peek(&self, i: usize) -> Option<&ast::Decl> {
        self.0.get(i).and_then(Option::as_deref)
    }

    fn take(&mut self, i: usize) -> Option<Cow<'a, ast::Decl>> {
        self.0.get_mut(i).and_then(Option::take)
    }
}

use crate::syntax::DECL_KINDS as DECL_KEYWORDS;

/// What registration reads of a declaration: its keyword and name.
#[derive(Clone, Copy)]
struct Head<'d> {
    keyword: &'d ast::Ident,
    name: Option<&'d DeclName>,
}

fn kind_of_keyword(k: &str) -> Option<Kind> {
    Kind::ALL.into_iter().find(|kind| kind.keyword() == k)
}

/// Folds an event name for the uniqueness check: case and runs of whitespace.
pub(crate) fn event_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// What lowering needs to know besides the declarations.
#[derive(Clone, Copy)]
pub(crate) struct Context<'r> {
    /// Where a missing `plan` is reported.
    pub first_file: Option<FileId>,
    /// Declarations that did not parse (see `syntax::pieces`): references to
    /// them are not reported.
    pub broken: &'r [BrokenDecl],
    /// False when some part of the plan did not parse: then a missing `plan`
    /// is not reported (it may be in that part).
    pub complete: bool,
    /// The names of the governance rules (what `allow(…)` and `rules { }` may
    /// name).
    pub rule_names: &'r [&'static str],
    /// The kinds of change of `eventsc diff` (what `relax { }` may name).
    pub change_kinds: &'r [&'static str],
}

/// Lowers declarations read from `decls` ([`Decls`] for parsed files; `check`
/// streams events through its own [`DeclSource`]) into one plan: the one
/// lowering entry point.
pub(crate) fn lower<'a>(
    decls: &mut dyn DeclSource<'a>,
    cx: &Context<'_>,
) -> (Plan, Vec<Diagnostic>) {
    let Context {
        first_file,
        broken,
        complete,
        rule_names,
        change_kinds,
    } = *cx;
    let mut l = Lowerer {
        diags: Vec::new(),
        names: HashMap::new(),
        repeated_events: false,
        rule_names,
        change_kinds,
        regex_cache: HashMap::new(),
        enum_values: Vec::new(),
        bundles: Vec::new(),
        refs: Vec::new(),
        broken: HashSet::new(),
        broken_kinds: HashSet::new(),
        type_unknown: false,
        texts: rustc_hash::FxHashSet::default(),
        value_lists: rustc_hash::FxHashSet::default(),
    };
    for b in broken {
        let Some(kind) = kind_of_keyword(&b.kind.text) else {
            continue;
        };
        match &b.name {
            Some(DeclName::Str(s)) => l.broken.insert((kind, s.value.clone())),
            Some(DeclName::Ident(i)) => l.broken.insert((kind, i.text.clone())),
            Some(DeclName::Owner(o)) => l
                .broken
                .insert((kind, o.text.trim_start_matches('@').to_string())),
            None => l.broken_kinds.insert(kind),
        };
    }
    let mut reg = Registered::default();
    let total = decls.count();
    for i in 0..total {
        if let Some((kind, name)) = decls.head(i) {
            l.register(i, kind, name, &mut reg);
        }
    }
    decls.registered();

    let mut plan = Plan::default();
    let mut named = std::mem::take(&mut reg.named);
    let mut take = |k: Kind| named.remove(&k).unwrap_or_default();

    // Lowers each registered declaration of a kind, freeing its AST when owned
    // (into a vector of the exact size: a plan may have 100,000 events).
    macro_rules! lower_all {
        ($kind:expr, $f:ident) => {{
            let registered = take($kind);
            let mut out = Vec::with_capacity(registered.len());
            for (i, n) in registered {
                if let Some(d) = decls.take(i) {
                    out.push(l.$f(&d, n));
                    decls.done(d);
                }
            }
            out
        }};
    }

    let enums = take(Kind::Enum);
    l.enum_values = enums
        .iter()
        .filter_map(|(i, _)| decls.peek(*i))
        .map(|d| {
            d.block
                .items
                .iter()
                .filter_map(|i| match i {
                    ast::Item::Values(vs, _) => Some(vs),
                    _ => None,
                })
                .flatten()
                .filter_map(properties::literal)
                .fold((Vec::new(), HashSet::new()), |(mut acc, mut seen), v| {
                    // A set: an enum may have 100,000 values.
                    if seen.insert(properties::literal_key(&v)) {
                        acc.push(v);
                    }
                    (acc, seen)
                })
                .0
        })
        .map(|values| l.intern_values(values))
        .collect();
    plan.enums = enums
        .into_iter()
        .filter_map(|(i, n)| decls.take(i).map(|d| l.enum_decl(&d, n)))
        .collect();
    plan.owners = lower_all!(Kind::Owner, owner_decl);
    plan.consents = lower_all!(Kind::Consent, consent_decl);
    plan.retentions = lower_all!(Kind::Retention, retention_decl);
    plan.sources = lower_all!(Kind::Source, source_decl);
    plan.tools = lower_all!(Kind::Tool, tool_decl);
    l.bundles = lower_all!(Kind::Bundle, bundle_decl);
    if let Some((i, _, title)) = reg.plans.first()
        && let Some(d) = decls.take(*i)
    {
        plan.meta = l.plan(&d, title.clone());
    }
    let mut traits = |slot: Option<(usize, Span)>, kind| {
        slot.and_then(|(i, _)| decls.take(i))
            .map(|d| l.traits_decl(&d, kind))
    };
    plan.common = traits(reg.common, TraitsKind::Common);
    plan.identify = traits(reg.identify, TraitsKind::Identify);
    plan.group = traits(reg.group, TraitsKind::Group);
    plan.envelope = traits(reg.envelope, TraitsKind::Envelope);
    plan.views = std::mem::take(&mut reg.views)
        .into_iter()
        .filter_map(|(i, kind, name, _)| {
            let d = decls.take(i)?;
            let mut t = l.traits_decl(&d, kind);
            t.name = name;
            Some(t)
        })
        .collect();
    plan.events = lower_all!(Kind::Event, event_decl);
    if l.repeated_events {
        l.versions(&mut plan.events);
    }
    plan.kpis = lower_all!(Kind::Kpi, kpi_decl);
    plan.bundles = std::mem::take(&mut l.bundles);

    if complete && reg.plans.is_empty() {
        let span = first_file.map_or(Span::default(), |id| Span::new(id, 0, 0));
        if total == 0 {
            l.diags.push(
                Diagnostic::error(codes::EMPTY_INPUT, "the input is empty: no declarations found")
                    .primary(span, "nothing to check")
                    .help("a tracking plan starts with `plan \"Title\" { … }`; `eventsc init` writes a starter plan"),
            );
        } else {
            l.diags.push(
                Diagnostic::error(
                    codes::MISSING_PLAN,
                    "no `plan` block: a tracking plan needs exactly one",
                )
                .primary(span, "no `plan` block in any file of this plan")
                .help("add `plan \"Title\" { owner @team }` to one of the files"),
            );
        }
    }

    compute_effective(&mut plan);
    plan.refs = std::mem::take(&mut l.refs);
    plan.refs.shrink_to_fit();
    (plan, l.diags)
}

impl Lowerer<'_> {
    /// The shared copy of an enum's values (see [`EnumType::values`]).
    fn intern_values(&mut self, values: Vec<crate::ir::Literal>) -> Arc<[crate::ir::Literal]> {
        interned(&mut self.value_lists, values)
    }

    /// The shared copy of `s` (see [`Text`]).
    fn intern(&mut self, s: &str) -> Text {
        interned(&mut self.texts, s)
    }

    fn lookup(&self, kind: Kind, name: &str) -> Option<usize> {
        self.names.get(&kind)?.get(name).map(|(i, _)| *i)
    }

    fn names_of(&self, kind: Kind) -> Vec<String> {
        let mut v: Vec<String> = self
            .names
            .get(&kind)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        v.sort();
        v
    }

    /// Whether `name` may be a declaration of `kind` that did not parse.
    fn is_broken(&self, kind: Kind, name: &str) -> bool {
        self.broken_kinds.contains(&kind) || self.broken.contains(&(kind, name.to_string()))
    }

    /// Resolves a reference, or reports it with the closest existing name.
    fn resolve(&mut self, r: &mut Ref, kind: Kind) {
        if let Some(i) = self.lookup(kind, &r.name) {
            r.target = Some(i);
            self.refs.push(RefSite {
                kind,
                target: i,
                span: r.span,
            });
            return;
        }
        if self.is_broken(kind, &r.name) {
            return;
        }
        let names = self.names_of(kind);
        let help = did_you_mean(&r.name, names.iter().map(String::as_str), |c| {
            kind.render(c)
        })
        .or_else(|| {
            Kind::ALL
                .into_iter()
                .filter(|k| *k != kind)
                .find(|k| self.lookup(*k, &r.name).is_some())
                .map(|other| {
                    format!(
                        "`{}` is a {}, not a {}",
                        other.render(&r.name),
                        other.noun(),
                        kind.noun()
                    )
                })
        })
        .unwrap_or_else(|| {
            if names.is_empty() {
                format!(
                    "no {} is declared; declare it with `{} {} {{ … }}`",
                    kind.noun(),
                    kind.keyword(),
                    kind.render(&r.name)
                )
            } else {
                format!(
                    "declared {}s: {}",
                    kind.noun(),
                    names
                        .iter()
                        .take(8)
                        .map(|n| format!("`{}`", kind.render(n)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        });
        self.diags.push(
            Diagnostic::error(
                codes::UNRESOLVED,
                format!("unknown {} `{}`", kind.noun(), kind.render(&r.name)),
            )
            .primary(r.span, format!("no {} has this name", kind.noun()))
            .help(help),
        );
    }

    fn register(
        &mut self,
        index: usize,
        keyword: &ast::Ident,
        name: Option<&DeclName>,
        reg: &mut Registered,
    ) {
        let d = Head { keyword, name };
        let kind = keyword.text.as_str();
        let named = |k: Kind| Some(k);
        let k = match kind {
            "plan" => {
                let Some(title) = self.quoted_name(d, "a plan", "plan \"Pipeline velocity\" {")
                else {
                    return;
                };
                if let Some((_, first, _)) = reg.plans.first() {
                    self.diags.push(
                        Diagnostic::error(
                            codes::DUPLICATE_PLAN,
                            "a tracking plan has exactly one `plan` block",
                        )
                        .primary(d.keyword.span, "second `plan` block")
                        .secondary(*first, "first `plan` block")
                        .help("merge the two blocks, or check them as separate plans"),
                    );
                    return;
                }
                reg.plans.push((index, d.keyword.span, title));
                return;
            }
            "page" | "screen" => {
                self.register_view(index, d, reg);
                return;
            }
            "common" | "identify" | "group" | "envelope" => {
                if let Some(n) = d.name {
                    self.diags.push(
                        Diagnostic::error(codes::MISSING, format!("`{kind}` takes no name"))
                            .primary(n.span(), "unexpected name")
                            .help(format!("write `{kind} {{ … }}`")),
                    );
                }
                let slot = match kind {
                    "common" => &mut reg.common,
                    "identify" => &mut reg.identify,
                    "envelope" => &mut reg.envelope,
                    _ => &mut reg.group,
                };
                if let Some((_, first)) = slot {
                    self.diags.push(
                        Diagnostic::error(
                            codes::DUPLICATE_DECLARATION,
                            format!("`{kind}` is declared twice"),
                        )
                        .primary(d.keyword.span, "declared again here")
                        .secondary(*first, "first declared here")
                        .help(format!("a plan has one `{kind}` block: merge them")),
                    );
                } else {
                    *slot = Some((index, d.keyword.span));
                }
                return;
            }
            "owner" => named(Kind::Owner),
            "consent" => named(Kind::Consent),
            "retention" => named(Kind::Retention),
            "source" => named(Kind::Source),
            "tool" => named(Kind::Tool),
            "enum" => named(Kind::Enum),
            "bundle" => named(Kind::Bundle),
            "event" => named(Kind::Event),
            "kpi" => named(Kind::Kpi),
            _ => None,
        };
        let Some(k) = k else {
            let inside_plan = crate::vocab::PLAN.field(kind).is_some();
            let help = did_you_mean(kind, DECL_KEYWORDS.iter().copied(), |c| c.to_string())
                .filter(|_| !inside_plan)
                .or_else(|| {
                    inside_plan.then(|| {
                        format!(
                            "`{kind}` belongs inside the `plan` block: `plan \"…\" {{ {kind} … }}`"
                        )
                    })
                })
                .unwrap_or_else(|| {
                    format!(
                        "declarations are {}",
                        crate::diagnostics::list_names(DECL_KEYWORDS)
                    )
                });
            self.diags.push(
                Diagnostic::error(
                    codes::UNKNOWN_DECLARATION,
                    format!("unknown declaration `{kind}`"),
                )
                .primary(d.keyword.span, "not a kind of declaration")
                .help(help),
            );
            return;
        };
        let name = match k {
            Kind::Event => self.quoted_name(d, "an event", "event \"Order Completed\" {"),
            Kind::Kpi => self.quoted_name(d, "a KPI", "kpi \"Trial to paid\" {"),
            Kind::Owner => self.owner_name(d),
            _ => self.ident_name(d, k),
        };
        let Some(name) = name else { return };
        let map = self.names.entry(k).or_default();
        if k == Kind::Event {
            // Several declarations may share an event's name (its versions,
            // read from the body): `versions` checks them once lowered. The
            // name resolves to the first until then.
            let idx = reg.named.get(&k).map_or(0, Vec::len);
            if map.contains_key(&name.value) {
                self.repeated_events = true;
            } else {
                map.insert(name.value.clone(), (idx, name.span));
            }
            reg.named.entry(k).or_default().push((index, name));
            return;
        }
        if let Some(&(_, first)) = map.get(&name.value) {
            self.diags.push(
                Diagnostic::error(
                    codes::DUPLICATE_DECLARATION,
                    format!("{} `{}` is declared twice", k.noun(), k.render(&name.value)),
                )
                .primary(name.span, "declared again here")
                .secondary(first, "first declared here")
                .help(format!(
                    "{} names are unique: rename or remove one",
                    k.noun()
                )),
            );
            return;
        }
        let idx = map.len();
        map.insert(name.value.clone(), (idx, name.span));
        reg.named.entry(k).or_default().push((index, name));
    }

    /// `page { }`, `page "Pricing" { }`, `screen …`: one rule per kind and name.
    fn register_view(&mut self, index: usize, d: Head<'_>, reg: &mut Registered) {
        let kind = if d.keyword.text == "page" {
            TraitsKind::Page
        } else {
            TraitsKind::Screen
        };
        let keyword = kind.keyword();
        let name = match d.name {
            None => None,
            Some(_) => {
                let example = format!("{keyword} \"Pricing\" {{");
                let what = format!("a named `{keyword}` rule");
                let Some(n) = self.quoted_name(d, &what, &example) else {
                    return;
                };
                Some(n)
            }
        };
        let at = name.as_ref().map_or(d.keyword.span, |n| n.span);
        let same = |n: &Option<Spanned<String>>| {
            n.as_ref().map(|n| &n.value) == name.as_ref().map(|n| &n.value)
        };
        if let Some(&(_, _, _, first)) = reg.views.iter().find(|(_, k, n, _)| *k == kind && same(n))
        {
            let label = match &name {
                Some(n) => format!("`{keyword} {:?}`", n.value),
                None => format!("`{keyword}` (every {keyword})"),
            };
            self.diags.push(
                Diagnostic::error(
                    codes::DUPLICATE_DECLARATION,
                    format!("{label} is declared twice"),
                )
                .primary(at, "declared again here")
                .secondary(first, "first declared here")
                .help("a plan has one rule per page or screen name: merge them"),
            );
            return;
        }
        reg.views.push((index, kind, name, at));
    }

    fn quoted_name(&mut self, d: Head<'_>, what: &str, example: &str) -> Option<Spanned<String>> {
        match d.name {
            Some(DeclName::Str(s)) if !s.value.trim().is_empty() => {
                Some(Spanned::new(s.value.clone(), s.span))
            }
            Some(DeclName::Str(s)) => {
                self.diags.push(
                    Diagnostic::error(codes::MISSING, format!("{what} needs a name"))
                        .primary(s.span, "empty name")
                        .help(format!("write `{example}`")),
                );
                None
            }
            Some(other) => {
                self.diags.push(
                    Diagnostic::error(
                        codes::MISSING,
                        format!("the name of {what} is a quoted string"),
                    )
                    .primary(other.span(), "expected a string")
                    .help(format!("write `{example}`")),
                );
                None
            }
            None => {
                self.diags.push(
                    Diagnostic::error(codes::MISSING, format!("{what} needs a name"))
                        .primary(d.keyword.span, "no name")
                        .help(format!("write `{example}`")),
                );
                None
            }
        }
    }

    fn owner_name(&mut self, d: Head<'_>) -> Option<Spanned<String>> {
        match d.name {
            Some(DeclName::Owner(o)) => self
                .check_owner_name(&o.text, o.span)
                .map(|n| Spanned::new(n, o.span)),
            other => {
                let span = other.as_ref().map_or(d.keyword.span, |n| n.span());
                let help = match other {
                    Some(DeclName::Ident(i)) => format!("write `owner @{} {{ … }}`", i.text),
                    _ => "write `owner @team { name \"…\" }`".to_string(),
                };
                self.diags.push(
                    Diagnostic::error(codes::MISSING, "an owner is named with `@`")
                        .primary(span, "expected `@name`")
                        .help(help),
                );
                None
            }
        }
    }

    fn ident_name(&mut self, d: Head<'_>, k: Kind) -> Option<Spanned<String>> {
        let example = match k {
            Kind::Consent => "consent analytics {",
            Kind::Retention => "retention standard {",
            Kind::Source => "source web {",
            Kind::Tool => "tool segment {",
            Kind::Enum => "enum Plan {",
            _ => "bundle Account {",
        };
        match d.name {
            Some(DeclName::Ident(i)) => Some(Spanned::new(i.text.clone(), i.span)),
            other => {
                let span = other.as_ref().map_or(d.keyword.span, |n| n.span());
                let msg = match other {
                    Some(DeclName::Str(_)) => {
                        format!("the name of a {} is an identifier, not a string", k.noun())
                    }
                    Some(DeclName::Owner(_)) => {
                        format!("the name of a {} is an identifier", k.noun())
                    }
                    _ => format!("a {} needs a name", k.noun()),
                };
                self.diags.push(
                    Diagnostic::error(codes::MISSING, msg)
                        .primary(span, "expected a name")
                        .help(format!("write `{example}`")),
                );
                None
            }
        }
    }
}

/// Sets `effective` on every property: its own consent/retention, else its
/// container's (event, traits block, parent object), else the plan's retention.
/// The copy of `v` in `set`, added when missing.
fn interned<T, V>(set: &mut rustc_hash::FxHashSet<Arc<T>>, v: V) -> Arc<T>
where
    T: ?Sized + Eq + std::hash::Hash,
    V: std::borrow::Borrow<T> + Into<Arc<T>>,
{
    if let Some(t) = set.get(v.borrow()) {
        return t.clone();
    }
    let t: Arc<T> = v.into();
    set.insert(t.clone());
    t
}

fn compute_effective(plan: &mut Plan) {
    fn apply(props: &mut [Property], ctx: Effective) {
        for p in props {
            let m = p.modifiers();
            p.effective = Effective::new(
                ctx.owner(),
                m.consent.as_ref().map_or(ctx.consent(), |r| r.target),
                m.retention.as_ref().map_or(ctx.retention(), |r| r.target),
                ctx.unresolved() || broken(m.consent.as_deref()) || broken(m.retention.as_deref()),
            );
            let inner = p.effective;
            let mut ty = &mut p.ty;
            while let Type::List(t) = ty {
                ty = &mut t.ty;
            }
            if let Type::Object(children) = ty {
                apply(children, inner);
            }
        }
    }
    fn broken(r: Option<&Ref>) -> bool {
        r.is_some_and(|r| r.target.is_none())
    }
    let target = |r: Option<&Ref>| r.and_then(|r| r.target);
    let plan_retention = target(plan.meta.retention.as_ref());
    let plan_broken = broken(plan.meta.retention.as_ref());
    // What an event or traits block gives its properties.
    let container = |owner: Option<&Ref>, consent: Option<&Ref>, retention: Option<&Ref>| {
        Effective::new(
            target(owner),
            target(consent),
            retention.map_or(plan_retention, |r| r.target),
            broken(consent) || broken(retention) || (retention.is_none() && plan_broken),
        )
    };
    for e in &mut plan.events {
        let ctx = container(e.owner.as_ref(), e.consent.as_ref(), e.retention.as_deref());
        apply(&mut e.properties, ctx);
    }
    for t in [
        &mut plan.common,
        &mut plan.identify,
        &mut plan.group,
        &mut plan.envelope,
    ]
    .into_iter()
    .flatten()
    .chain(plan.views.iter_mut())
    {
        let ctx = container(t.owner.as_ref(), t.consent.as_ref(), t.retention.as_ref());
        apply(&mut t.properties, ctx);
    }
    for b in &mut plan.bundles {
        // A bundle has no owner, consent or retention of its own.
        apply(&mut b.properties, container(None, None, None));
    }
}
