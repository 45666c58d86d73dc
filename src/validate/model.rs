//! The compiled validation model: what `validate` needs from a checked plan, built
//! once and kept small so the IR and the sources can be dropped before the
//! payloads stream through.
//!
//! Properties of each object are sorted by name (binary search), names are
//! interned, enum value lists and regular expressions are shared, and every rule
//! keeps only its `.events` file and line (`Loc`): each property sits on one line,
//! so its type and modifiers share that line.

use super::pattern;
use crate::ir::{Date, Format, Identity, Literal, PiiClass, Plan, Property, Qa, Ref, Traits, Type};
use crate::source::{SourceMap, Span};
use rustc_hash::FxHashMap as HashMap;

/// Where a rule is written: a file of [`Model::files`] and a 1-based line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Loc {
    pub(crate) file: u32,
    pub(crate) line: u32,
}

/// Lengths (characters of a string, items of a list), inclusive; `u32::MAX` = none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Len {
    pub(crate) min: u32,
    pub(crate) max: u32,
}

impl Len {
    pub(crate) const NONE: Len = Len {
        min: 0,
        max: u32::MAX,
    };

    fn of(p: &Property) -> Len {
        let clamp = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
        Len {
            min: p
                .modifiers()
                .min_length
                .as_ref()
                .map_or(0, |m| clamp(m.value)),
            max: p
                .modifiers()
                .max_length
                .as_ref()
                .map_or(u32::MAX, |m| clamp(m.value)),
        }
    }

    pub(crate) fn is_none(self) -> bool {
        self == Len::NONE
    }
}

/// Numeric bounds, inclusive; infinite = none.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Bounds {
    pub(crate) min: f64,
    pub(crate) max: f64,
}

/// The type of a value, with the constraints that apply to it.
#[derive(Debug)]
pub(crate) enum Ty {
    /// Any value, null included.
    Any,
    String {
        format: Option<Format>,
        /// Index into [`Model::patterns`].
        pattern: Option<u32>,
        len: Len,
    },
    Integer(Bounds),
    Number(Bounds),
    Boolean,
    Datetime,
    Date,
    /// Index into [`Model::enums`].
    Enum(u32),
    List {
        item: Box<Ty>,
        len: Len,
        /// `list(T nullable)`: items may be null.
        item_nullable: bool,
    },
    Object(Box<Object>),
    /// `a | b`: one member per JSON type.
    Union(Box<[Ty]>),
    /// A type with the rarer constraints (`multiple_of`, `not_pattern`,
    /// `not_enum`), checked before the type's own.
    Checked(Box<Checked>),
}

/// The rarer constraints of a value and the type they wrap.
#[derive(Debug)]
pub(crate) struct Checked {
    pub(crate) ty: Ty,
    pub(crate) multiple_of: Option<f64>,
    /// Index into [`Model::patterns`].
    pub(crate) not_pattern: Option<u32>,
    /// Index into [`Model::enums`].
    pub(crate) not_enum: Option<u32>,
}

pub(crate) const REQUIRED: u8 = 1;
pub(crate) const NULLABLE: u8 = 2;

/// An interned property name: an index into [`Names`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Name(u32);

/// Every property name of the plan, once.
#[derive(Debug, Default)]
pub(crate) struct Names(Vec<Box<str>>);

impl Names {
    pub(crate) fn get(&self, n: Name) -> &str {
        self.0.get(n.0 as usize).map_or("", |s| s)
    }
}

/// No consent purpose.
const NO_CONSENT: u16 = u16::MAX;

/// A planned property (48 bytes: a plan of 10,000 events of 20 properties
/// compiles to about 10 MB).
#[derive(Debug)]
pub(crate) struct Prop {
    pub(crate) name: Name,
    pub(crate) flags: u8,
    pub(crate) pii: Option<PiiClass>,
    consent: u16,
    pub(crate) ty: Ty,
    pub(crate) loc: Loc,
    /// Where the effective consent purpose was attached (the property, a parent
    /// object, the event or the block).
    consent_loc: Loc,
}

impl Prop {
    /// Effective consent purpose (index into [`Model::categories`]) and where
    /// it was attached.
    pub(crate) fn consent(&self) -> Option<(u16, Loc)> {
        (self.consent != NO_CONSENT).then_some((self.consent, self.consent_loc))
    }

    pub(crate) fn required(&self) -> bool {
        self.flags & REQUIRED != 0
    }

    pub(crate) fn nullable(&self) -> bool {
        self.flags & NULLABLE != 0
    }
}

/// The properties of an event, a traits block or an `object { }`, in the order
/// written (payloads tend to follow it, see [`Object::find_from`]).
#[derive(Debug, Default)]
pub(crate) struct Object {
    pub(crate) props: Box<[Prop]>,
    /// Indices of `props` sorted by name.
    sorted: Box<[u32]>,
    /// `closed`: other keys are defects.
    pub(crate) closed: bool,
}

impl Object {
    pub(crate) fn find(&self, names: &Names, name: &str) -> Option<usize> {
        self.sorted
            .binary_search_by(|&i| names.get(self.props[i as usize].name).cmp(name))
            .ok()
            .map(|k| self.sorted[k] as usize)
    }

    /// Like [`Object::find`], trying `hint` first: keys usually arrive in the
    /// order the plan lists them, and one comparison on data already in cache
    /// beats a binary search over a model larger than the cache.
    pub(crate) fn find_from(&self, names: &Names, hint: usize, name: &str) -> Option<usize> {
        match self.props.get(hint) {
            Some(p) if names.get(p.name) == name => Some(hint),
            _ => self.find(names, name),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.props.len()
    }
}

/// A payload's `context.protocols.event_version`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) enum EventVersion {
    #[default]
    Absent,
    /// An integer (`2`, or `2.0`).
    Int(u64),
    /// Anything else, described (`a string`).
    Other(&'static str),
}

/// The version of event `j` compiled so far (1 when it has none).
fn events_version(events: &[EventModel], j: u32) -> u32 {
    events.get(j as usize).and_then(|e| e.version).unwrap_or(1)
}

/// A planned event (one version of it, when it has several).
#[derive(Debug)]
pub(crate) struct EventModel {
    pub(crate) name: Box<str>,
    /// Its `version`, when its name has several (or it writes one).
    pub(crate) version: Option<u32>,
    pub(crate) loc: Loc,
    /// `status deprecated`: its line.
    pub(crate) deprecated: Option<Loc>,
    pub(crate) replaced_by: Option<Box<str>>,
    pub(crate) sunset: Option<(Date, Loc)>,
    pub(crate) identity: Identity,
    pub(crate) identity_loc: Loc,
    pub(crate) consent: Option<(u16, Loc)>,
    pub(crate) props: Object,
    /// QA covers it ([`crate::ir::qa::in_scope`]).
    pub(crate) in_scope: bool,
}

/// `identify { }` or `group { }`.
#[derive(Debug)]
pub(crate) struct TraitsModel {
    pub(crate) loc: Loc,
    pub(crate) consent: Option<(u16, Loc)>,
    pub(crate) props: Object,
}

/// A page or screen rule (`page { }`, `page "Pricing" { }`).
#[derive(Debug)]
pub(crate) struct ViewModel {
    /// A page rule (else a screen rule).
    pub(crate) page: bool,
    /// The one page or screen it is for; none: every one.
    pub(crate) name: Option<Box<str>>,
    pub(crate) traits: TraitsModel,
}

/// The page (or screen) rules by name: name → index in `Model::views` of a
/// named rule, and the index of the unnamed one.
type ViewIndex = (HashMap<Box<str>, u32>, Option<u32>);

/// `envelope { }`: the payload's own top-level fields, on every call.
#[derive(Debug)]
pub(crate) struct EnvelopeModel {
    pub(crate) props: Object,
    /// `require_one_of a, b`: the payload carries at least one of them.
    pub(crate) require_one_of: Box<[Box<str>]>,
    pub(crate) loc: Loc,
}

/// An owner as the report shows it.
#[derive(Clone, Debug)]
pub(crate) struct OwnerInfo {
    /// `@id`.
    pub(crate) id: String,
    pub(crate) name: String,
    /// Email or Slack channel, when declared.
    pub(crate) contact: Option<String>,
    /// `@id` of the backup.
    pub(crate) backup: Option<String>,
}

/// What the results need to know about the plan.
#[derive(Clone, Debug)]
pub(crate) struct PlanInfo {
    pub(crate) title: String,
    pub(crate) version: String,
    /// `qa { }`: coverage target, defect ceiling, retry limit; the verdict
    /// comes from [`crate::ir::Qa::verdict`].
    pub(crate) qa: Qa,
    /// `2 in 48 hours`.
    pub(crate) escalate_after: String,
    /// SHA-256 of the plan's sources (plan.json's `sources_hash`).
    pub(crate) sources_sha256: String,
    pub(crate) escalation: Vec<OwnerInfo>,
    pub(crate) ripcord: Vec<OwnerInfo>,
}

/// The compiled plan.
#[derive(Debug)]
pub struct Model {
    pub(crate) info: PlanInfo,
    /// File names of [`Loc::file`].
    pub(crate) files: Vec<String>,
    pub(crate) plan_loc: Loc,
    pub(crate) events: Vec<EventModel>,
    /// Name → the event, or the OLDEST version of a versioned event (what
    /// Segment checks a payload without `context.protocols.event_version`
    /// against).
    by_name: HashMap<Box<str>, u32>,
    /// The oldest version's index → (version, index) of every version of
    /// its name, for versioned events only.
    versions: HashMap<u32, Box<[(u32, u32)]>>,
    pub(crate) common: Option<Object>,
    pub(crate) identify: Option<TraitsModel>,
    pub(crate) group: Option<TraitsModel>,
    pub(crate) envelope: Option<EnvelopeModel>,
    /// Page and screen rules, in the plan's order.
    pub(crate) views: Vec<ViewModel>,
    /// Per kind (`[screen, page]`).
    view_index: [ViewIndex; 2],
    /// Consent purpose index → the category a consent manager calls it.
    pub(crate) categories: Vec<Box<str>>,
    pub(crate) enums: Vec<Box<[Literal]>>,
    pub(crate) patterns: Vec<(Box<str>, regex::Regex)>,
    pub(crate) names: Names,
    /// `validate --show-values`: violations quote values of `pii(...)`
    /// properties too (redacted by default).
    pub(crate) show_values: bool,
}

impl Model {
    /// Compiles a checked plan (one without errors). The plan is taken by value:
    /// each event's IR is freed as soon as it is compiled, so the model never
    /// sits in memory beside the whole IR (this is `validate`'s peak).
    pub fn compile(mut plan: Plan, sources: &SourceMap) -> Model {
        let mut b = Builder {
            sources,
            names: HashMap::default(),
            name_list: Names::default(),
            enums: HashMap::default(),
            enum_list: Vec::new(),
            patterns: HashMap::default(),
            pattern_list: Vec::new(),
        };
        let consent = |r: &Option<Ref>, b: &Builder| {
            r.as_ref()
                .and_then(|r| r.target.map(|t| (t as u16, b.loc(r.span))))
        };
        let ir_events = std::mem::take(&mut plan.events);
        let mut events = Vec::with_capacity(ir_events.len());
        let mut by_name = HashMap::default();
        by_name.reserve(ir_events.len());
        let mut versioned: Vec<(u32, u32)> = Vec::new();
        for (i, e) in ir_events.into_iter().enumerate() {
            let ev_consent = consent(&e.consent, &b);
            let version = e.is_versioned().then(|| e.version());
            if let Some(v) = version {
                versioned.push((v, i as u32));
            }
            let mut model = EventModel {
                name: Box::default(),
                version,
                loc: b.loc(e.name.span),
                deprecated: e.is_deprecated().then(|| b.loc(e.status.span)),
                replaced_by: e.replaced_by.as_ref().map(|r| r.name.as_str().into()),
                sunset: e.sunset.as_ref().map(|s| (s.value, b.loc(s.span))),
                identity: e.identity(),
                identity_loc: e
                    .identity
                    .as_ref()
                    .map_or_else(|| b.loc(e.name.span), |i| b.loc(i.span)),
                consent: ev_consent,
                props: Object {
                    // A closed `common` block closes every event's properties
                    // too, as in the event's JSON Schema.
                    closed: e.closed().is_some()
                        || plan.common.as_ref().is_some_and(|c| c.closed.is_some()),
                    ..b.object(&e.properties, ev_consent)
                },
                in_scope: crate::ir::qa::in_scope(&e),
            };
            // The name moves out of the event, which is then freed.
            model.name = e.name.value.into_boxed_str();
            match by_name.get(&model.name) {
                // Another version of this name: the oldest one stays.
                Some(&j) if events_version(&events, j) <= version.unwrap_or(1) => {}
                _ => {
                    by_name.insert(model.name.clone(), i as u32);
                }
            }
            events.push(model);
        }
        let mut versions: HashMap<u32, Vec<(u32, u32)>> = HashMap::default();
        for (v, i) in versioned {
            if let Some(&oldest) = by_name.get(&events[i as usize].name) {
                versions.entry(oldest).or_default().push((v, i));
            }
        }
        let versions = versions
            .into_iter()
            .map(|(k, v)| (k, v.into_boxed_slice()))
            .collect();
        let traits_of = |t: &Traits, b: &mut Builder| {
            let c = consent(&t.consent, b);
            TraitsModel {
                loc: b.loc(t.name.as_ref().map_or(t.keyword_span, |n| n.span)),
                consent: c,
                props: Object {
                    closed: t.closed.is_some(),
                    ..b.object(&t.properties, c)
                },
            }
        };
        let traits = |t: &Option<Traits>, b: &mut Builder| t.as_ref().map(|t| traits_of(t, b));
        let identify = traits(&plan.identify, &mut b);
        let group = traits(&plan.group, &mut b);
        let views: Vec<ViewModel> = plan
            .views
            .iter()
            .map(|t| ViewModel {
                page: t.kind == crate::ir::TraitsKind::Page,
                name: t.name.as_ref().map(|n| n.value.as_str().into()),
                traits: traits_of(t, &mut b),
            })
            .collect();
        let mut view_index: [ViewIndex; 2] = Default::default();
        for (i, v) in views.iter().enumerate() {
            let (named, every) = &mut view_index[usize::from(v.page)];
            match &v.name {
                Some(n) => {
                    named.entry(n.clone()).or_insert(i as u32);
                }
                None => {
                    every.get_or_insert(i as u32);
                }
            }
        }
        let envelope = plan.envelope.as_ref().map(|t| EnvelopeModel {
            props: b.object(&t.properties, None),
            require_one_of: t
                .require_one_of
                .iter()
                .map(|n| n.value.as_str().into())
                .collect(),
            loc: b.loc(t.keyword_span),
        });
        let common = plan.common.as_ref().map(|t| {
            let c = consent(&t.consent, &b);
            Object {
                closed: t.closed.is_some(),
                ..b.object(&t.properties, c)
            }
        });
        let m = &plan.meta;
        let owners = |refs: &[Ref]| -> Vec<OwnerInfo> {
            refs.iter()
                .filter_map(|r| r.target.map(|t| &plan.owners[t]))
                .map(|o| OwnerInfo {
                    id: format!("@{}", o.id.value),
                    name: o.display(),
                    contact: o
                        .email
                        .as_ref()
                        .or(o.slack.as_ref())
                        .map(|c| c.value.clone()),
                    backup: o.backup.as_ref().map(|b| format!("@{}", b.name)),
                })
                .collect()
        };
        let w = m.qa.escalate_after;
        let info = PlanInfo {
            title: m.title.value.clone(),
            version: m.version.value.to_string(),
            qa: m.qa,
            escalate_after: format!("{} in {}", w.count, w.within),
            sources_sha256: crate::targets::plan::sources_hash(sources).value,
            escalation: owners(&m.escalation),
            ripcord: owners(&m.ripcord),
        };
        Model {
            info,
            files: sources.files().map(|(_, f)| f.name.clone()).collect(),
            plan_loc: b.loc(m.span),
            events,
            by_name,
            versions,
            common,
            identify,
            group,
            envelope,
            views,
            view_index,
            categories: plan
                .consents
                .iter()
                .map(|c| c.category().to_string().into_boxed_str())
                .collect(),
            names: b.name_list,
            enums: b.enum_list,
            patterns: b.pattern_list,
            show_values: false,
        }
    }

    /// Approximate heap and inline size of the model, in bytes (for the
    /// benchmark's memory report).
    pub(crate) fn approx_bytes(&self) -> usize {
        use std::mem::size_of;
        fn object(o: &Object) -> usize {
            o.props.len() * (size_of::<Prop>() + size_of::<u32>())
                + o.props.iter().map(|p| ty(&p.ty)).sum::<usize>()
        }
        fn ty(t: &Ty) -> usize {
            match t {
                Ty::List { item, .. } => size_of::<Ty>() + ty(item),
                Ty::Object(o) => size_of::<Object>() + object(o),
                _ => 0,
            }
        }
        let events: usize = self
            .events
            .iter()
            .map(|e| size_of::<EventModel>() + e.name.len() + object(&e.props))
            .sum();
        let index = self.by_name.capacity() * (size_of::<(Box<str>, u32)>() + 1)
            + self.events.iter().map(|e| e.name.len()).sum::<usize>();
        let traits: usize = [&self.identify, &self.group]
            .into_iter()
            .flatten()
            .map(|t| object(&t.props))
            .sum::<usize>()
            + self.common.as_ref().map_or(0, object);
        let enums: usize = self
            .enums
            .iter()
            .map(|e| {
                e.iter()
                    .map(|v| v.as_str().map_or(0, str::len) + 32)
                    .sum::<usize>()
            })
            .sum();
        size_of::<Model>()
            + events
            + index
            + traits
            + enums
            + self.names.0.iter().map(|n| n.len() + 16).sum::<usize>()
    }

    /// The event named `name`: its oldest version when it has several.
    pub(crate) fn event(&self, name: &str) -> Option<u32> {
        self.by_name.get(name).copied()
    }

    /// The version of event `index` (its oldest, see [`Model::event`]) that a
    /// payload's `context.protocols.event_version` picks: `Ok` with the
    /// event's index, or `Err` with the oldest one when the version is not
    /// the plan's (Segment checks such a payload, and one without a version,
    /// against the oldest version).
    pub(crate) fn version(&self, index: u32, version: EventVersion) -> Result<u32, u32> {
        let versions = self.versions.get(&index);
        match version {
            EventVersion::Absent => Ok(index),
            EventVersion::Int(v) => match versions {
                Some(all) => all
                    .iter()
                    .find(|(n, _)| u64::from(*n) == v)
                    .map(|(_, i)| *i)
                    .ok_or(index),
                None if v == 1 => Ok(index),
                None => Err(index),
            },
            EventVersion::Other(_) => Err(index),
        }
    }

    /// The page (or screen) rules that apply to a call named `name`: the
    /// named rule's index in `views`, if any, and the unnamed rule's (for
    /// every page or screen).
    pub(crate) fn view_rules(&self, page: bool, name: Option<&str>) -> (Option<u32>, Option<u32>) {
        let (named, every) = &self.view_index[usize::from(page)];
        (name.and_then(|n| named.get(n).copied()), *every)
    }

    /// Whether event `index` (its oldest) has versions.
    pub(crate) fn is_versioned(&self, index: u32) -> bool {
        self.versions.contains_key(&index)
    }

    /// The versions the plan declares for event `index` (its oldest), or 1.
    pub(crate) fn versions_of(&self, index: u32) -> Vec<u32> {
        let mut v: Vec<u32> = self
            .versions
            .get(&index)
            .map_or_else(|| vec![1], |all| all.iter().map(|(n, _)| *n).collect());
        v.sort_unstable();
        v
    }

    /// `file:line`.
    pub(crate) fn location(&self, loc: Loc) -> String {
        format!(
            "{}:{}",
            self.files
                .get(loc.file as usize)
                .map_or("?", |f| f.as_str()),
            loc.line
        )
    }

    /// Narrows QA's scope to the selected events (`validate --event`): the
    /// others are still checked, but do not count for coverage.
    pub(crate) fn restrict(&mut self, selected: &[bool]) {
        for (e, &s) in self.events.iter_mut().zip(selected) {
            e.in_scope &= s;
        }
    }

    /// The planned event closest to an unplanned name ("did you mean").
    pub(crate) fn suggest_event(&self, name: &str) -> Option<&str> {
        super::suggest::closest(name, self.events.iter().map(|e| &*e.name))
    }

    /// Planned events that QA covers.
    pub(crate) fn planned(&self) -> impl Iterator<Item = (usize, &EventModel)> {
        self.events.iter().enumerate().filter(|(_, e)| e.in_scope)
    }
}

struct Builder<'a> {
    sources: &'a SourceMap,
    names: HashMap<String, Name>,
    name_list: Names,
    enums: HashMap<Vec<Literal>, u32>,
    enum_list: Vec<Box<[Literal]>>,
    patterns: HashMap<String, u32>,
    pattern_list: Vec<(Box<str>, regex::Regex)>,
}

impl Builder<'_> {
    fn loc(&self, span: Span) -> Loc {
        let f = self.sources.get(span.file);
        Loc {
            file: span.file.0,
            line: f.line_index(span.start as usize) as u32 + 1,
        }
    }

    fn name(&mut self, s: &str) -> Name {
        if let Some(&n) = self.names.get(s) {
            return n;
        }
        let n = Name(self.name_list.0.len() as u32);
        self.name_list.0.push(s.into());
        self.names.insert(s.to_string(), n);
        n
    }

    /// `consent`: the effective consent of the container and where it was attached.
    fn object(&mut self, props: &[Property], consent: Option<(u16, Loc)>) -> Object {
        let mut out: Vec<Prop> = Vec::with_capacity(props.len());
        for p in props {
            let prop = self.prop(p, consent);
            // A name declared twice is already an error; keep the first.
            if !out.iter().any(|q| q.name == prop.name) {
                out.push(prop);
            }
        }
        let names = &self.name_list;
        let mut sorted: Vec<u32> = (0..out.len() as u32).collect();
        sorted.sort_by(|&a, &b| {
            names
                .get(out[a as usize].name)
                .cmp(names.get(out[b as usize].name))
        });
        Object {
            props: out.into_boxed_slice(),
            sorted: sorted.into_boxed_slice(),
            closed: false,
        }
    }

    fn prop(&mut self, p: &Property, inherited: Option<(u16, Loc)>) -> Prop {
        let loc = self.loc(p.span);
        let consent = match (&p.modifiers().consent, p.effective.consent()) {
            (Some(r), Some(t)) => Some((t as u16, self.loc(r.span))),
            (None, Some(t)) => match inherited {
                Some((i, l)) if i as usize == t => Some((i, l)),
                _ => Some((t as u16, loc)),
            },
            (_, None) => None,
        };
        let ty = self.ty(p, &p.ty, consent);
        let mut flags = 0;
        if p.is_required() {
            flags |= REQUIRED;
        }
        if p.is_nullable() {
            flags |= NULLABLE;
        }
        Prop {
            name: self.name(&p.name.value),
            flags,
            pii: p.modifiers().pii.as_ref().map(|c| c.value),
            consent: consent.map_or(NO_CONSENT, |c| c.0),
            ty,
            loc,
            consent_loc: consent.map_or(loc, |c| c.1),
        }
    }

    /// The type `ty` of property `p` (its own, or a member of its union) with
    /// the property's constraints.
    fn ty(&mut self, p: &Property, ty: &Type, consent: Option<(u16, Loc)>) -> Ty {
        let m = p.modifiers();
        let ty = self.plain(p, ty, consent);
        let not_pattern = m
            .not_pattern
            .as_ref()
            .and_then(|pat| self.pattern(&pat.value));
        let not_enum = m.not_enum.as_ref().map(|v| self.enum_values(&v.value));
        let multiple_of = m.multiple_of.as_ref().map(|n| n.value.value);
        if not_pattern.is_none() && not_enum.is_none() && multiple_of.is_none() {
            return ty;
        }
        Ty::Checked(Box::new(Checked {
            ty,
            multiple_of,
            not_pattern,
            not_enum,
        }))
    }

    fn plain(&mut self, p: &Property, ty: &Type, consent: Option<(u16, Loc)>) -> Ty {
        let m = p.modifiers();
        let len = Len::of(p);
        let bounds = || Bounds {
            min: m.min.as_ref().map_or(f64::NEG_INFINITY, |n| n.value.value),
            max: m.max.as_ref().map_or(f64::INFINITY, |n| n.value.value),
        };
        match ty {
            Type::String => Ty::String {
                format: m.format.as_ref().map(|f| f.value),
                pattern: m.pattern.as_ref().and_then(|pat| self.pattern(&pat.value)),
                len,
            },
            Type::Integer => Ty::Integer(bounds()),
            Type::Number => Ty::Number(bounds()),
            Type::Any => Ty::Any,
            Type::Boolean => Ty::Boolean,
            Type::Datetime => Ty::Datetime,
            Type::Date => Ty::Date,
            Type::Enum(e) => Ty::Enum(self.enum_values(&e.values)),
            // The items are a property of their own (the modifiers inside
            // `list( … )`).
            Type::List(item) => Ty::List {
                item: Box::new(self.ty(item, &item.ty, consent)),
                len,
                item_nullable: item.is_nullable(),
            },
            Type::Object(children) => Ty::Object(Box::new(Object {
                closed: m.closed.is_some(),
                ..self.object(children, consent)
            })),
            Type::Union(members) => {
                Ty::Union(members.iter().map(|t| self.plain(p, t, consent)).collect())
            }
        }
    }

    fn enum_values(&mut self, values: &[Literal]) -> u32 {
        if let Some(&i) = self.enums.get(values) {
            return i;
        }
        let i = self.enum_list.len() as u32;
        self.enum_list.push(values.into());
        self.enums.insert(values.to_vec(), i);
        i
    }

    fn pattern(&mut self, source: &str) -> Option<u32> {
        if let Some(&i) = self.patterns.get(source) {
            return Some(i);
        }
        // `check` rejects patterns that do not compile, so this always succeeds.
        let re = pattern::compile(source).ok()?;
        let i = self.pattern_list.len() as u32;
        self.pattern_list.push((source.into(), re));
        self.patterns.insert(source.to_string(), i);
        Some(i)
    }
}

impl Ty {
    /// What a value of this type looks like, for "expected …".
    pub(crate) fn expected(&self, model: &Model) -> String {
        match self {
            Ty::Any => "any value".into(),
            Ty::String { .. } => "a string".into(),
            Ty::Integer(_) => "an integer".into(),
            Ty::Number(_) => "a number".into(),
            Ty::Boolean => "`true` or `false`".into(),
            Ty::Datetime => "an RFC 3339 date-time string".into(),
            Ty::Date => "a date string (YYYY-MM-DD)".into(),
            Ty::Enum(i) => format!("one of {}", model.enum_list(*i)),
            Ty::List { .. } => "a list".into(),
            Ty::Object(_) => "an object".into(),
            Ty::Union(members) => members
                .iter()
                .map(|m| m.expected(model))
                .collect::<Vec<_>>()
                .join(" or "),
            Ty::Checked(c) => c.ty.expected(model),
        }
    }
}

impl Model {
    /// `"a", "b", "c"`.
    pub(crate) fn enum_list(&self, i: u32) -> String {
        self.enums
            .get(i as usize)
            .map(|vs| {
                vs.iter()
                    .map(Literal::display)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn props_stay_small() {
        assert!(std::mem::size_of::<super::Prop>() <= 48);
    }
}
