use crate::ir::{Plan, TraitsKind, Type};
use crate::rules::{Container, DefaultLevel, Finding, Rule, RuleDoc, for_each_declared};

pub(crate) static DOC: RuleDoc = RuleDoc {
    name: "segment/reserved-name",
    default: DefaultLevel::Error,
    summary: "Reserved Segment names (`userId`, `anonymousId`, `messageId`, `timestamp`, …) are not redefined as properties or traits, and reserved properties and traits (`revenue`, `currency`, `email`, `createdAt`, …) keep the type Segment's spec gives them.",
    why: "Segment and its destinations give these names a meaning: the envelope fields land in the same warehouse columns as properties, and destinations map reserved traits by type. A `userId` property or a numeric `email` trait silently corrupts both.",
    bad: "event \"Order Completed\" {\n  userId:  string\n  revenue: string\n}",
    good: "event \"Order Completed\" {\n  identity user      // the payload's userId is required\n  revenue: number\n}",
};

/// Envelope fields and warehouse columns a property or trait must not be named.
const ENVELOPE: &[&str] = &[
    "anonymousId",
    "anonymous_id",
    "userId",
    "user_id",
    "messageId",
    "message_id",
    "timestamp",
    "originalTimestamp",
    "original_timestamp",
    "sentAt",
    "sent_at",
    "receivedAt",
    "received_at",
    "context",
    "integrations",
    "event",
    "event_text",
    "type",
    "groupId",
    "group_id",
    "previousId",
    "previous_id",
    "channel",
    "properties",
    "traits",
    "uuid_ts",
];

/// Whether this rule reports a top-level property of this name in a container
/// (a name of the envelope, or `id` outside `identify` and `group`).
pub(crate) fn is_reserved(name: &str, c: Container) -> bool {
    ENVELOPE.contains(&name)
        || (name == "id"
            && !matches!(
                c,
                Container::Traits(TraitsKind::Identify | TraitsKind::Group)
            ))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Numeric,
    When,
    Object,
    TextOrNumber,
}

impl Kind {
    fn accepts(self, t: &Type) -> bool {
        match self {
            Kind::Text => matches!(t, Type::String | Type::Enum(_)),
            Kind::Numeric => matches!(t, Type::Integer | Type::Number),
            Kind::When => matches!(t, Type::Datetime | Type::Date | Type::String),
            Kind::Object => matches!(t, Type::Object(_)),
            Kind::TextOrNumber => matches!(t, Type::String | Type::Integer | Type::Number),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Kind::Text => "a string",
            Kind::Numeric => "a number",
            Kind::When => "a date-time",
            Kind::Object => "an object",
            Kind::TextOrNumber => "a string or a number",
        }
    }
}

/// Reserved properties of track calls, with their type.
const TRACK: &[(&str, Kind)] = &[
    ("revenue", Kind::Numeric),
    ("currency", Kind::Text),
    ("value", Kind::Numeric),
];

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
            if at.path.len() != 1 {
                return;
            }
            let p = at.property;
            let name = &*p.name.value;
            if is_reserved(name, c) {
                let help = match name {
                    "userId" | "user_id" | "anonymousId" | "anonymous_id" | "groupId" | "group_id" => {
                        "ids travel in the envelope: set `identity user|anonymous|group` on the event instead".to_string()
                    }
                    "timestamp" | "originalTimestamp" | "original_timestamp" | "sentAt" | "sent_at" | "receivedAt" | "received_at" => {
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
        Container::Bundle(i) => {
            crate::rules::convert_case(&plan.bundles[*i].name.value, "snake_case")
        }
        _ => "event".to_string(),
    }
}
