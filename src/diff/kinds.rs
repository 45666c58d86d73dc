//! The registry of change kinds: every kind of change `eventsc diff` reports,
//! with its class and what it means (`eventsc explain <kind>`, `eventsc
//! explain --list`). The comparison's tables (`fields.rs`) name a kind from
//! here for every change they report, and a kind's class is fixed, so a plan
//! can relax a kind by name (`relax` in `plan { }`, like buf's breaking-change
//! `ignore`). A new kind of change is one entry here and one in `fields.rs`
//! (a test fails on a kind with no place there, or a place with no kind here).

use super::Class;

/// A kind of change.
#[derive(Debug, PartialEq, Eq)]
pub struct ChangeKind {
    /// Stable, kebab-case: what `--format json` calls it.
    pub name: &'static str,
    pub class: Class,
    /// What the change is, and why it has its class.
    pub doc: &'static str,
}

const fn kind(name: &'static str, class: Class, doc: &'static str) -> ChangeKind {
    ChangeKind { name, class, doc }
}

pub(crate) static PLAN_TITLE_CHANGED: ChangeKind = kind(
    "plan-title-changed",
    Class::Documentation,
    "The plan's title changed.",
);
pub(crate) static PLAN_DESCRIPTION_CHANGED: ChangeKind = kind(
    "plan-description-changed",
    Class::Documentation,
    "The plan's description was added, changed or removed.",
);
pub(crate) static PLAN_USE_CASE_CHANGED: ChangeKind = kind(
    "plan-use-case-changed",
    Class::Documentation,
    "The plan's `use_case` was added, changed or removed.",
);
pub(crate) static PLAN_SOURCES_CHANGED: ChangeKind = kind(
    "plan-sources-changed",
    Class::Documentation,
    "Sources were added to or removed from the plan's `sources`.",
);
pub(crate) static PLAN_TOOLS_CHANGED: ChangeKind = kind(
    "plan-tools-changed",
    Class::Documentation,
    "Tools were added to or removed from the plan's `tools`.",
);
pub(crate) static PLAN_CONSTRAINTS_CHANGED: ChangeKind = kind(
    "plan-constraints-changed",
    Class::Governance,
    "Compliance profiles (`constraints`) were added or removed: what the governance rules require changes.",
);
pub(crate) static PLAN_TIMELINE_CHANGED: ChangeKind = kind(
    "plan-timeline-changed",
    Class::Documentation,
    "The plan's delivery date (`timeline`) changed.",
);
pub(crate) static PLAN_RETENTION_CHANGED: ChangeKind = kind(
    "plan-retention-changed",
    Class::Governance,
    "The plan's default retention policy changed: how long every property without its own policy is kept.",
);
pub(crate) static PLAN_NAMING_CHANGED: ChangeKind = kind(
    "plan-naming-changed",
    Class::Governance,
    "The naming convention of events or properties changed.",
);
pub(crate) static PLAN_PATTERN_CHANGED: ChangeKind = kind(
    "plan-pattern-changed",
    Class::Governance,
    "The task graph of the plan (`pattern pipeline` or `diamond`) changed.",
);
pub(crate) static PLAN_QA_CHANGED: ChangeKind = kind(
    "plan-qa-changed",
    Class::Governance,
    "A QA threshold changed: coverage, defect ceiling, retry limit or `escalate_after`.",
);
pub(crate) static PLAN_PEOPLE_CHANGED: ChangeKind = kind(
    "plan-people-changed",
    Class::Governance,
    "The escalation ladder, the rip-cord recipients or the approvers changed.",
);
pub(crate) static PLAN_RULE_CHANGED: ChangeKind = kind(
    "plan-rule-changed",
    Class::Governance,
    "A governance rule's level was set, changed or reset in `rules { }`.",
);
pub(crate) static PLAN_RELAX_CHANGED: ChangeKind = kind(
    "plan-relax-changed",
    Class::Governance,
    "A kind of change was relaxed, or a relaxation changed or removed, in the plan's `relax { }`.",
);
pub(crate) static OWNER_CHANGED: ChangeKind = kind(
    "owner-changed",
    Class::Governance,
    "The owner accountable for the plan, an event, a KPI or traits changed.",
);
pub(crate) static OWNER_DETAILS_CHANGED: ChangeKind = kind(
    "owner-details-changed",
    Class::Documentation,
    "An owner's name, email, Slack channel or description changed.",
);
pub(crate) static OWNER_BACKUP_CHANGED: ChangeKind = kind(
    "owner-backup-changed",
    Class::Governance,
    "An owner's `backup` changed.",
);
pub(crate) static OWNER_ADDED: ChangeKind =
    kind("owner-added", Class::Governance, "An owner was declared.");
pub(crate) static OWNER_REMOVED: ChangeKind = kind(
    "owner-removed",
    Class::Governance,
    "An owner declaration was removed.",
);
pub(crate) static CONSENT_ADDED: ChangeKind = kind(
    "consent-added",
    Class::Governance,
    "A consent purpose was declared.",
);
pub(crate) static CONSENT_REMOVED: ChangeKind = kind(
    "consent-removed",
    Class::Governance,
    "A consent purpose was removed.",
);
pub(crate) static CONSENT_BASIS_CHANGED: ChangeKind = kind(
    "consent-basis-changed",
    Class::Governance,
    "A consent purpose's lawful basis changed.",
);
pub(crate) static CONSENT_CATEGORY_CHANGED: ChangeKind = kind(
    "consent-category-changed",
    Class::Governance,
    "The consent-manager category of a purpose changed: payloads name it differently.",
);
pub(crate) static CONSENT_DESCRIPTION_CHANGED: ChangeKind = kind(
    "consent-description-changed",
    Class::Documentation,
    "A consent purpose's description changed.",
);
pub(crate) static CONSENT_CHANGED: ChangeKind = kind(
    "consent-changed",
    Class::Governance,
    "The consent purpose of an event, traits or a property changed.",
);
pub(crate) static RETENTION_ADDED: ChangeKind = kind(
    "retention-added",
    Class::Governance,
    "A retention policy was declared.",
);
pub(crate) static RETENTION_REMOVED: ChangeKind = kind(
    "retention-removed",
    Class::Governance,
    "A retention policy was removed.",
);
pub(crate) static RETENTION_DURATION_CHANGED: ChangeKind = kind(
    "retention-duration-changed",
    Class::Governance,
    "How long a retention policy keeps data changed.",
);
pub(crate) static RETENTION_ACTION_CHANGED: ChangeKind = kind(
    "retention-action-changed",
    Class::Governance,
    "What a retention policy does at the end (`delete`, `anonymize`) changed.",
);
pub(crate) static RETENTION_DESCRIPTION_CHANGED: ChangeKind = kind(
    "retention-description-changed",
    Class::Documentation,
    "A retention policy's description changed.",
);
pub(crate) static RETENTION_CHANGED: ChangeKind = kind(
    "retention-changed",
    Class::Governance,
    "The retention policy of an event, traits or a property changed.",
);
pub(crate) static SOURCE_ADDED: ChangeKind = kind(
    "source-added",
    Class::Documentation,
    "A source was declared.",
);
pub(crate) static SOURCE_REMOVED: ChangeKind = kind(
    "source-removed",
    Class::Documentation,
    "A source declaration was removed.",
);
pub(crate) static SOURCE_CHANGED: ChangeKind = kind(
    "source-changed",
    Class::Documentation,
    "A source's kind, warehouse database or schema, or description, or the source of an event, changed.",
);
pub(crate) static TOOL_ADDED: ChangeKind =
    kind("tool-added", Class::Documentation, "A tool was declared.");
pub(crate) static TOOL_REMOVED: ChangeKind = kind(
    "tool-removed",
    Class::Documentation,
    "A tool declaration was removed.",
);
pub(crate) static TOOL_CHANGED: ChangeKind = kind(
    "tool-changed",
    Class::Documentation,
    "A tool's workspace, database, schema or description changed.",
);
pub(crate) static TOOL_BAA_CHANGED: ChangeKind = kind(
    "tool-baa-changed",
    Class::Governance,
    "Whether a HIPAA business associate agreement is signed with a tool changed.",
);
pub(crate) static TRAITS_ADDED: ChangeKind = kind(
    "traits-added",
    Class::Compatible,
    "A `common`, `envelope`, `identify` or `group` block, or a `page` or `screen` rule, was added.",
);
pub(crate) static TRAITS_REMOVED: ChangeKind = kind(
    "traits-removed",
    Class::Breaking,
    "A `common`, `envelope`, `identify` or `group` block, or a `page` or `screen` rule, that had properties was removed: consumers lose them.",
);
pub(crate) static EMPTY_TRAITS_REMOVED: ChangeKind = kind(
    "empty-traits-removed",
    Class::Compatible,
    "A `common`, `envelope`, `identify` or `group` block, or a `page` or `screen` rule, without properties was removed.",
);
pub(crate) static EVENT_ADDED: ChangeKind =
    kind("event-added", Class::Compatible, "An event was added.");
pub(crate) static EVENT_REMOVED: ChangeKind = kind(
    "event-removed",
    Class::Breaking,
    "An event was removed without being deprecated and replaced first: consumers lose its data.",
);
pub(crate) static EVENT_REMOVED_AFTER_DEPRECATION: ChangeKind = kind(
    "event-removed-after-deprecation",
    Class::Governance,
    "A deprecated event with a `replaced_by` was removed, as planned.",
);
pub(crate) static EVENT_RENAMED: ChangeKind = kind(
    "event-renamed",
    Class::Breaking,
    "An event was renamed without `replaced_by`: to consumers, the old event disappears.",
);
pub(crate) static EVENT_VERSION_ADDED: ChangeKind = kind(
    "event-version-added",
    Class::Compatible,
    "A version was added above the oldest of an event the old plan has (Segment's event versioning): payloads choose it with `context.protocols.event_version`; those without it are still checked against the oldest version.",
);
pub(crate) static EVENT_VERSION_ADDED_AS_OLDEST: ChangeKind = kind(
    "event-version-added-as-oldest",
    Class::Breaking,
    "A version was added below every version of an event the old plan has: it becomes the oldest, which payloads without `context.protocols.event_version` are checked against (Segment's Protocols does the same), so payloads that passed the old oldest version may now fail.",
);
pub(crate) static EVENT_VERSION_REMOVED: ChangeKind = kind(
    "event-version-removed",
    Class::Breaking,
    "A version of an event was removed while the event stays, without being deprecated and replaced first: payloads that choose it with `context.protocols.event_version` are checked against another version.",
);
pub(crate) static DESCRIPTION_CHANGED: ChangeKind = kind(
    "description-changed",
    Class::Documentation,
    "The description of an event, traits, a property or a KPI changed.",
);
pub(crate) static STATUS_CHANGED: ChangeKind = kind(
    "status-changed",
    Class::Governance,
    "An event's `status` (planned, implemented, deprecated) changed.",
);
pub(crate) static SAMPLING_CHANGED: ChangeKind = kind(
    "sampling-changed",
    Class::Compatible,
    "An event's `sampling` changed: payloads stay valid, volumes change.",
);
pub(crate) static SINCE_CHANGED: ChangeKind = kind(
    "since-changed",
    Class::Documentation,
    "An event's `since` version changed.",
);
pub(crate) static REQUIRE_ONE_OF_CHANGED: ChangeKind = kind(
    "require-one-of-changed",
    Class::Breaking,
    "The envelope's `require_one_of` changed (a field added or removed); classified breaking as the narrowing case is.",
);
pub(crate) static TAGS_CHANGED: ChangeKind = kind(
    "tags-changed",
    Class::Documentation,
    "An event's tags changed.",
);
pub(crate) static LABELS_CHANGED: ChangeKind = kind(
    "labels-changed",
    Class::Documentation,
    "An event's Segment labels changed.",
);
pub(crate) static IDENTITY_CHANGED: ChangeKind = kind(
    "identity-changed",
    Class::Breaking,
    "An event's `identity` was narrowed: payloads that carried only another id are rejected.",
);
pub(crate) static IDENTITY_WIDENED: ChangeKind = kind(
    "identity-widened",
    Class::Compatible,
    "An event's `identity` was widened to `any`: every payload valid before stays valid.",
);
pub(crate) static FLAG_CHANGED: ChangeKind = kind(
    "flag-changed",
    Class::Documentation,
    "An event's feature flag changed.",
);
pub(crate) static RELEASE_CHANGED: ChangeKind = kind(
    "release-changed",
    Class::Documentation,
    "An event's release date changed.",
);
pub(crate) static REPLACED_BY_CHANGED: ChangeKind = kind(
    "replaced-by-changed",
    Class::Governance,
    "The event that replaces an event changed.",
);
pub(crate) static SUNSET_CHANGED: ChangeKind = kind(
    "sunset-changed",
    Class::Documentation,
    "An event's sunset moved later or was removed.",
);
pub(crate) static SUNSET_MOVED_EARLIER: ChangeKind = kind(
    "sunset-moved-earlier",
    Class::Governance,
    "An event's sunset was set or moved earlier: it stops sooner than consumers were told.",
);
pub(crate) static EXCEPTION_ADDED: ChangeKind = kind(
    "exception-added",
    Class::Governance,
    "An exception to a governance rule (`allow`) was added.",
);
pub(crate) static EXCEPTION_REMOVED: ChangeKind = kind(
    "exception-removed",
    Class::Governance,
    "An exception to a governance rule (`allow`) was removed.",
);
pub(crate) static PROPERTY_ADDED: ChangeKind = kind(
    "property-added",
    Class::Compatible,
    "An optional property was added.",
);
pub(crate) static REQUIRED_PROPERTY_ADDED: ChangeKind = kind(
    "required-property-added",
    Class::Breaking,
    "A required property was added: payloads without it are rejected.",
);
pub(crate) static PROPERTY_REMOVED: ChangeKind = kind(
    "property-removed",
    Class::Breaking,
    "A property was removed: consumers lose it, and payloads carrying it may be rejected.",
);
pub(crate) static PROPERTY_DEPRECATED: ChangeKind = kind(
    "property-deprecated",
    Class::Governance,
    "A property was marked `deprecated`.",
);
pub(crate) static PROPERTY_UNDEPRECATED: ChangeKind = kind(
    "property-undeprecated",
    Class::Governance,
    "A property is no longer `deprecated`.",
);
pub(crate) static MADE_REQUIRED: ChangeKind = kind(
    "made-required",
    Class::Breaking,
    "An optional property became `required`: payloads without it are rejected.",
);
pub(crate) static MADE_OPTIONAL: ChangeKind = kind(
    "made-optional",
    Class::Compatible,
    "A required property became optional.",
);
pub(crate) static MADE_NULLABLE: ChangeKind = kind(
    "made-nullable",
    Class::Compatible,
    "A property became `nullable`.",
);
pub(crate) static MADE_NOT_NULLABLE: ChangeKind = kind(
    "made-not-nullable",
    Class::Breaking,
    "A property is no longer `nullable`: payloads with `null` are rejected.",
);
pub(crate) static TYPE_CHANGED: ChangeKind = kind(
    "type-changed",
    Class::Breaking,
    "A property's type changed.",
);
pub(crate) static TYPE_WIDENED: ChangeKind = kind(
    "type-widened",
    Class::Compatible,
    "A property's type now admits more: a member added to a union (`string` → `string | integer`), or the type became `any`.",
);
pub(crate) static LIST_ITEM_TYPE_CHANGED: ChangeKind = kind(
    "list-item-type-changed",
    Class::Breaking,
    "The type of a list's items changed.",
);
pub(crate) static ENUM_VALUE_ADDED: ChangeKind = kind(
    "enum-value-added",
    Class::Compatible,
    "A value was added to an enum a property uses.",
);
pub(crate) static ENUM_VALUE_REMOVED: ChangeKind = kind(
    "enum-value-removed",
    Class::Breaking,
    "A value was removed from an enum a property uses: payloads with it are rejected.",
);
pub(crate) static CONSTRAINT_NARROWED: ChangeKind = kind(
    "constraint-narrowed",
    Class::Breaking,
    "A bound, length, pattern or format was added or narrowed: values that passed may be rejected.",
);
pub(crate) static CONSTRAINT_WIDENED: ChangeKind = kind(
    "constraint-widened",
    Class::Compatible,
    "A bound, length, pattern or format was removed or widened.",
);
pub(crate) static EXAMPLE_CHANGED: ChangeKind = kind(
    "example-changed",
    Class::Documentation,
    "A property's example changed.",
);
pub(crate) static PII_CHANGED: ChangeKind = kind(
    "pii-changed",
    Class::Governance,
    "A property's personal-data class (`pii`) changed.",
);
pub(crate) static KPI_ADDED: ChangeKind =
    kind("kpi-added", Class::Documentation, "A KPI was added.");
pub(crate) static KPI_REMOVED: ChangeKind = kind(
    "kpi-removed",
    Class::Governance,
    "A KPI was removed: a business question is no longer answered.",
);
pub(crate) static KPI_CHANGED: ChangeKind = kind(
    "kpi-changed",
    Class::Documentation,
    "A KPI's events, dimensions or consumers changed.",
);

/// Every kind, in the order `explain --list` shows them (the order of the
/// comparison: the plan, declarations, traits, events, properties, KPIs).
/// Public only for the integration tests (tests/it).
pub static KINDS: &[&ChangeKind] = &[
    &PLAN_TITLE_CHANGED,
    &PLAN_DESCRIPTION_CHANGED,
    &PLAN_USE_CASE_CHANGED,
    &PLAN_SOURCES_CHANGED,
    &PLAN_TOOLS_CHANGED,
    &PLAN_CONSTRAINTS_CHANGED,
    &PLAN_TIMELINE_CHANGED,
    &PLAN_RETENTION_CHANGED,
    &PLAN_NAMING_CHANGED,
    &PLAN_PATTERN_CHANGED,
    &PLAN_QA_CHANGED,
    &PLAN_PEOPLE_CHANGED,
    &PLAN_RULE_CHANGED,
    &PLAN_RELAX_CHANGED,
    &OWNER_CHANGED,
    &OWNER_DETAILS_CHANGED,
    &OWNER_BACKUP_CHANGED,
    &OWNER_ADDED,
    &OWNER_REMOVED,
    &CONSENT_ADDED,
    &CONSENT_REMOVED,
    &CONSENT_BASIS_CHANGED,
    &CONSENT_CATEGORY_CHANGED,
    &CONSENT_DESCRIPTION_CHANGED,
    &CONSENT_CHANGED,
    &RETENTION_ADDED,
    &RETENTION_REMOVED,
    &RETENTION_DURATION_CHANGED,
    &RETENTION_ACTION_CHANGED,
    &RETENTION_DESCRIPTION_CHANGED,
    &RETENTION_CHANGED,
    &SOURCE_ADDED,
    &SOURCE_REMOVED,
    &SOURCE_CHANGED,
    &TOOL_ADDED,
    &TOOL_REMOVED,
    &TOOL_CHANGED,
    &TOOL_BAA_CHANGED,
    &TRAITS_ADDED,
    &TRAITS_REMOVED,
    &EMPTY_TRAITS_REMOVED,
    &REQUIRE_ONE_OF_CHANGED,
    &EVENT_ADDED,
    &EVENT_REMOVED,
    &EVENT_REMOVED_AFTER_DEPRECATION,
    &EVENT_RENAMED,
    &EVENT_VERSION_ADDED,
    &EVENT_VERSION_ADDED_AS_OLDEST,
    &EVENT_VERSION_REMOVED,
    &DESCRIPTION_CHANGED,
    &STATUS_CHANGED,
    &SAMPLING_CHANGED,
    &SINCE_CHANGED,
    &TAGS_CHANGED,
    &LABELS_CHANGED,
    &IDENTITY_CHANGED,
    &IDENTITY_WIDENED,
    &FLAG_CHANGED,
    &RELEASE_CHANGED,
    &REPLACED_BY_CHANGED,
    &SUNSET_CHANGED,
    &SUNSET_MOVED_EARLIER,
    &EXCEPTION_ADDED,
    &EXCEPTION_REMOVED,
    &PROPERTY_ADDED,
    &REQUIRED_PROPERTY_ADDED,
    &PROPERTY_REMOVED,
    &PROPERTY_DEPRECATED,
    &PROPERTY_UNDEPRECATED,
    &MADE_REQUIRED,
    &MADE_OPTIONAL,
    &MADE_NULLABLE,
    &MADE_NOT_NULLABLE,
    &TYPE_CHANGED,
    &TYPE_WIDENED,
    &LIST_ITEM_TYPE_CHANGED,
    &ENUM_VALUE_ADDED,
    &ENUM_VALUE_REMOVED,
    &CONSTRAINT_NARROWED,
    &CONSTRAINT_WIDENED,
    &EXAMPLE_CHANGED,
    &PII_CHANGED,
    &KPI_ADDED,
    &KPI_REMOVED,
    &KPI_CHANGED,
];

/// The names of every kind (what a plan's `relax { }` may name).
pub(crate) fn names() -> Vec<&'static str> {
    KINDS.iter().map(|k| k.name).collect()
}

/// The kind named `name`. Public only for the integration tests (tests/it).
pub fn find(name: &str) -> Option<&'static ChangeKind> {
    KINDS.iter().copied().find(|k| k.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_kebab_case() {
        let mut names: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
        assert!(
            names
                .iter()
                .all(|n| n.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
        );
        names.sort_unstable();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n);
    }
}
