use crate::ir::{Plan, TraitsKind, Type};
use crate::rules::{Container, DefaultLevel, Finding, Rule, RuleDoc, for_each_declared};

pub(crate) static DOC: RuleDoc = RuleDoc {
    name: "segment/reserved-name",
    default: DefaultLevel::Error,
    summary: "Segment's envelope fields (`userId`, `anonymousId`, `messageId`, `context`, `integrations`, …) are not redefined as properties or traits, and reserved properties and traits (`revenue`, `value`, `currency`, `email`, `createdAt`, …) keep the type Segment's spec gives them. Other names Segment uses (`type`, `channel`, `id`, `timestamp`) are ordinary properties here; a property named like a warehouse column Segment fills itself is `segment/warehouse-column`'s.",
    why: "The envelope fields are the call's own (Spec, common fields: https://segment.com/docs/connections/spec/common/): a `userId` or `context` property is read as the call's by destinations, and in a warehouse it lands in (or flattens into) a column Segment fills itself, where it is discarded (https://segment.com/docs/connections/storage/warehouses/schema/). Destinations map reserved properties and traits by their spec'd type (https://segment.com/docs/connections/spec/track/#properties, https://segment.com/docs/connections/spec/identify/#traits, https://segment.com/docs/connections/spec/group/#traits, https://segment.com/docs/connections/spec/page/#properties, https://segment.com/docs/connections/spec/screen/#properties): a string `revenue` or a numeric `email` is dropped or corrupts the mapping.",
    bad: "event \"Order Completed\" {\n  userId:  string\n  revenue: string\n}",
    good: "event \"Order Completed\" {\n  identity user      // the payload's userId is required\n  revenue: number\n}",
};

/// Envelope fields (Segment's common fields and the calls' own fields) a
/// property or trait must not be named: destinations read them as the
/// call's, and the warehouse discards them. `type`, `channel`, `timestamp`,
/// `version` and the snake_case column names are not here: Segment accepts
/// them as properties (`segment/warehouse-column` warns where a warehouse
/// column shadows one).
const ENVELOPE: &[&str] = &[
    "anonymousId",
    "userId",
    "messageId",
    "context",
    "integrations",
    "groupId",
    "previousId",
    "originalTimestamp",
    "sentAt",
    "receivedAt",
    "properties",
    "traits",
];

/// Whether this rule reports a top-level property of this name (an envelope
/// field), in any container.
pub(crate) fn is_reserved(name: &str) -> bool {
    ENVELOPE.contains(&name)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Numeric,
    When,
    Object,
    TextOrNumber,
    TextList,
}

impl Kind {
    fn accepts(self, t: &Type) -> bool {
        match self {
            Kind::Text => matches!(t, Type::String | Type::Enum(_)),
            Kind::Numeric => matches!(t, Type::Integer | Type::Number),
            Kind::When => matches!(t, Type::Datetime | Type::Date | Type::String),
            Kind::Object => matches!(t, Type::Object(_)),
            Kind::TextOrNumber => matches!(t, Type::String | Type::Integer | Type::Number),
            Kind::TextList => {
                matches!(t, Type::List(l) if Kind::Text.accepts(&l.ty))
            }
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Kind::Text => "a string",
            Kind::Numeric => "a number",
            Kind::When => "a date-time",
            Kind::Object => "an object",
            Kind::TextOrNumber => "a string or a number",
            Kind::TextList => "a list of strings",
        }
    }
}

/// Reserved properties of track calls, with their type.
const TRACK: &[(&str, Kind)] = &[
    ("revenue", Kind::Numeric),
    ("currency", Kind::Text),
    ("value", Kind::Numeric),
];

/// Reserved properties of page calls (Spec: Page).
const PAGE: &[(&str, Kind)] = &[
    ("keywords", Kind::TextList),
    ("name", Kind::Text),
    ("path", Kind::Text),
    ("referrer", Kind::Text),
    ("search", Kind::Text),
    ("title", Kind::Text),
    ("url", Kind::Text),
];

/// Reserved properties of screen calls (Spec: Screen).
const SCREEN: &[(&str, Kind)] = &[("name", Kind::Text)];

/// Reserved traits of identify calls (Segment spec), camelCase and snake_case.
const IDENTIFY: &[(&str, Kind)] = &[
    ("address", Kind::Object),
    ("age", Kind::Numeric),
    ("avatar", Kind::Text),
    ("birthday", Kind::When),
    ("company", Kind::Object),
    ("createdAt", Kind::When),
    ("created_at", Kind::When),
    ("description", Kind::Text),
    ("email", Kind::Text),
    ("firstName", Kind::Text),
    ("first_name", Kind::Text),
    ("gender", Kind::Text),
    ("id", Kind::Text),
    ("lastName", Kind::Text),
    ("last_name", Kind::Text),
    ("name", Kind::Text),
    ("phone", Kind::Text),
    ("title", Kind::Text),
    ("username", Kind::Text),
    ("website", Kind::Text),
];

/// Reserved traits of group calls.
const GROUP: &[(&str, Kind)] = &[
    ("address", Kind::Object),
    ("avatar", Kind::Text),
    ("createdAt", Kind::When),
    ("created_at", Kind::When),
    ("description", Kind::Text),
    ("email", Kind::Text),
    ("employees", Kind::TextOrNumber),
    ("id", Kind::Text),
    ("industry", Kind::Text),
    ("name", Kind::Text),
    ("phone", Kind::Text),
    ("plan", Kind::Text),
    ("website", Kind::Text),
];

pub(crate) struct ReservedName;

impl Rule for ReservedName {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, plan: &Plan, out: &mut Vec<Finding>) {
        for_each_declared(plan, &mut |at| {
            let c = at.container;
            if at.path.len() != 1 || c == Container::Traits(TraitsKind::Envelope) {
                // The envelope declares the envelope's fields.
                return;
            }
            let p = at.property;
            let name = &*p.name.value;
            if is_reserved(name) {
                let help = match name {
                    "userId" | "anonymousId" | "groupId" | "previousId" => {
                        "ids travel in the envelope: set `identity user|anonymous|group` on the event instead".to_string()
                    }
                    "originalTimestamp" | "sentAt" | "receivedAt" => {
                        "Segment sets the timestamps; name the business time after what happened, e.g. `completed_at`".to_string()
                    }
                    _ => format!("rename it, e.g. `{}_{}`", container_prefix(plan, &c), name.to_lowercase()),
                };
                out.push(
                    Finding::new(
                        c,
                        format!(
                            "`{name}` is reserved by Segment and cannot be a property or trait"
                        ),
                        p.name.span,
                        "reserved name",
                    )
                    .on_property(at.path.to_vec())
                    .help(help),
                );
                return;
            }
            let table: &[(&str, Kind)] = match c {
                Container::Traits(TraitsKind::Identify) => IDENTIFY,
                Container::Traits(TraitsKind::Group) => GROUP,
                Container::View(i) if plan.views[i].kind == TraitsKind::Page => PAGE,
                Container::View(_) => SCREEN,
                _ => TRACK,
            };
            if let Some((_, kind)) = table.iter().find(|(n, _)| *n == name)
                && !kind.accepts(&p.ty)
            {
                let what = if matches!(c, Container::Traits(_)) {
                    "trait"
                } else {
                    "property"
                };
                out.push(
                    Finding::new(
                        c,
                        format!(
                            "`{name}` is a reserved Segment {what} and must be {}, not `{}`",
                            kind.describe(),
                            p.ty.display()
                        ),
                        p.ty_span,
                        format!("Segment expects {}", kind.describe()),
                    )
                    .on_property(at.path.to_vec())
                    .help(format!(
                        "give `{name}` {} type, or rename the {what}",
                        kind.describe()
                    )),
                );
            }
        });
    }
}

fn container_prefix(plan: &Plan, c: &Container) -> String {
    match c {
        Container::Event(i) => crate::rules::convert_case(
            plan.events[*i]
                .name
                .value
                .split(' ')
                .next()
                .unwrap_or("event"),
            "snake_case",
        ),
        Container::Traits(k) => k.keyword().to_string(),
        Container::View(i) => plan.views[*i].kind.keyword().to_string(),
        Container::Bundle(i) => {
            crate::rules::convert_case(&plan.bundles[*i].name.value, "snake_case")
        }
        _ => "event".to_string(),
    }
}
