use crate::ir::{Plan, Property, TraitsKind, Type};
use crate::rules::{Container, DefaultLevel, Finding, Rule, RuleDoc, with_origin};
use crate::targets::dbt::{STANDARD as STANDARD_COLUMNS, snakecase};
use std::borrow::Cow;

pub(crate) static DOC: RuleDoc = RuleDoc {
    name: "segment/column-collision",
    default: DefaultLevel::Error,
    summary: "Two properties of one event (its own, its bundles' and the `common` ones), or two traits of `identify` or `group`, do not land in the same warehouse column.",
    why: "Segment's warehouse loader names columns with its snake_case (`orderId`, `order_id` and `OrderID` are all `order_id`) and flattens objects with `_` (`utm.source` is `utm_source`) (https://segment.com/docs/connections/storage/warehouses/schema/). Properties that meet in one column overwrite each other's values (or fail the load when their types differ), and the dbt sources describe one column for both. A property named like one of Segment's own columns is `segment/warehouse-column`'s.",
    bad: "event \"Order Completed\" {\n  orderId:  string\n  order_id: string\n  utm: object { source: string }\n  utm_source: string\n}",
    good: "event \"Order Completed\" {\n  order_id: string\n  utm: object { source: string }\n  referrer_source: string\n}",
};

pub(crate) struct ColumnCollision;

/// What a pass over the tables reports: two of the plan's properties in one
/// column (`segment/column-collision`), or one in a column Segment fills
/// itself (`segment/warehouse-column`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Report {
    Collisions,
    SegmentColumns,
}

/// A column and the property that fills it.
struct Column<'p> {
    /// Borrowed when the name is its own column (`order_id`), which is most.
    name: Cow<'p, str>,
    property: &'p Property,
    /// Declared in the table's own block (not a `common` property seen from
    /// an event, which `common`'s own table reports).
    own: bool,
}

/// Whether go-snakecase leaves a name as it is (lower case words joined by
/// single `_`), so no column name needs building.
fn already_snake(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
        && !s.contains("__")
        && !s.ends_with('_')
}

/// The columns of properties as the loader makes them: objects flattened with
/// `_`, lists (of anything) one column holding their JSON.
fn columns<'p>(props: &'p [Property], prefix: &str, own: bool, out: &mut Vec<Column<'p>>) {
    for p in props {
        let name: Cow<'p, str> = if prefix.is_empty() && already_snake(&p.name.value) {
            Cow::Borrowed(&p.name.value)
        } else if prefix.is_empty() {
            Cow::Owned(snakecase(&p.name.value))
        } else {
            Cow::Owned(snakecase(&format!("{prefix}_{}", p.name.value)))
        };
        if let Type::Object(children) = &p.ty {
            columns(children, &name, own, out);
            continue;
        }
        out.push(Column {
            name,
            property: p,
            own,
        });
    }
}

/// The dotted name and index path of a property of a block (found again by
/// address: only for the rare finding).
fn locate(props: &[Property], target: &Property) -> Option<(String, Vec<usize>)> {
    for (i, p) in props.iter().enumerate() {
        if std::ptr::eq(p, target) {
            return Some((p.name.value.to_string(), vec![i]));
        }
        if let Type::Object(children) = &p.ty
            && let Some((dotted, mut path)) = locate(children, target)
        {
            path.insert(0, i);
            return Some((format!("{}.{dotted}", p.name.value), path));
        }
    }
    None
}

/// The names `segment/reserved-name` reports already (top-level, as written).
fn reported_already(dotted: &str) -> bool {
    !dotted.contains('.') && crate::rules::segment::reserved_name::is_reserved(dotted)
}

/// Reports the columns of one table; `own`: the block whose properties are
/// reported (an event's, or a traits block's), `shared`: `common` seen from an
/// event.
fn check_table(
    report: Report,
    plan: &Plan,
    container: Container,
    own: &[Property],
    shared: (&[Property], Option<Container>),
    cols: &[Column],
    out: &mut Vec<Finding>,
) {
    let (shared, shared_in) = shared;
    // Sorted by name, declaration order kept among equals: the first of a
    // name keeps its column, the others are reported.
    let mut order: Vec<usize> = (0..cols.len()).collect();
    order.sort_by(|&a, &b| cols[a].name.cmp(&cols[b].name).then(a.cmp(&b)));
    let what = || crate::rules::container_name(plan, &container);
    let located = |c: &Column| {
        locate(own, c.property).or_else(|| locate(shared, c.property).map(|(d, _)| (d, Vec::new())))
    };
    for (k, &i) in order.iter().enumerate() {
        let c = &cols[i];
        let first = order[..k]
            .last()
            .map(|&j| &cols[j])
            .filter(|f| f.name == c.name)
            .map(|_| {
                // The first column of this name.
                let mut j = k;
                while j > 0 && cols[order[j - 1]].name == c.name {
                    j -= 1;
                }
                &cols[order[j]]
            });
        if !c.own || (first.is_none() && !STANDARD_COLUMNS.contains(&&*c.name)) {
            continue;
        }
        let Some((dotted, path)) = located(c) else {
            continue;
        };
        if let Some(first) = first {
            if report != Report::Collisions {
                continue;
            }
            let first_dotted = located(first).map_or_else(String::new, |(d, _)| d);
            // A property of the shared block (`common`, or the rule for
            // every page) says whose it is: `count` of `common` and `count`
            // of the event read as two properties, not one named twice.
            let first_of = match shared_in.filter(|_| !first.own) {
                Some(s) => format!(" of {}", crate::rules::container_name(plan, &s)),
                None => String::new(),
            };
            let f = Finding::new(
                container,
                format!(
                    "`{first_dotted}`{first_of} and `{dotted}` of {} land in one warehouse column, `{}`",
                    what(),
                    c.name
                ),
                c.property.name.span,
                format!("its column is `{}`", c.name),
            )
            .secondary(first.property.name.span, format!("`{}` too", c.name))
            .help(
                "Segment's loader snake_cases names and flattens objects with `_`: rename one of them so their columns differ",
            )
            .on_property(path);
            out.push(with_origin(f, c.property));
        } else if report == Report::SegmentColumns
            && STANDARD_COLUMNS.contains(&&*c.name)
            && !reported_already(&dotted)
        {
            let f = Finding::new(
                container,
                format!(
                    "`{dotted}` of {} lands in `{}`, a column Segment fills itself",
                    what(),
                    c.name
                ),
                c.property.name.span,
                format!("its column is `{}`", c.name),
            )
            .help("in a warehouse Segment discards the property (its own value fills that column) and the dbt sources leave it out: rename it if the plan is loaded into one")
            .on_property(path);
            out.push(with_origin(f, c.property));
        }
    }
}

impl Rule for ColumnCollision {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, plan: &Plan, out: &mut Vec<Finding>) {
        check_tables(Report::Collisions, plan, out);
    }
}

/// Reports one kind of finding over every table: the traits' tables, then
/// the events'.
pub(super) fn check_tables(report: Report, plan: &Plan, out: &mut Vec<Finding>) {
    {
        let mut cols = Vec::new();
        for t in plan.traits() {
            cols.clear();
            columns(&t.properties, "", true, &mut cols);
            check_table(
                report,
                plan,
                Container::Traits(t.kind),
                &t.properties,
                (&[], None),
                &cols,
                out,
            );
        }
        // Page and screen calls: a named rule's properties share the table
        // with those of the rule for every page (or screen).
        for (i, t) in plan.views.iter().enumerate() {
            let every_at = plan
                .views
                .iter()
                .position(|v| v.kind == t.kind && v.name.is_none() && t.name.is_some());
            let every = every_at.map_or(&[][..], |j| &plan.views[j].properties[..]);
            cols.clear();
            columns(every, "", false, &mut cols);
            columns(&t.properties, "", true, &mut cols);
            check_table(
                report,
                plan,
                Container::View(i),
                &t.properties,
                (every, every_at.map(Container::View)),
                &cols,
                out,
            );
        }
        // An event's table: the `common` properties (reported with `common`),
        // then the event's own.
        let common = plan.common.as_ref().map_or(&[][..], |c| &c.properties[..]);
        for (i, e) in plan.events.iter().enumerate() {
            cols.clear();
            columns(common, "", false, &mut cols);
            columns(&e.properties, "", true, &mut cols);
            check_table(
                report,
                plan,
                Container::Event(i),
                &e.properties,
                (common, Some(Container::Traits(TraitsKind::Common))),
                &cols,
                out,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_taken_as_they_are_are_their_own_snake_case() {
        for s in ["order_id", "a", "utm_source", "x1_y2", "v2", "a_b_c", "abc"] {
            assert!(already_snake(s), "{s}");
            assert_eq!(snakecase(s), s);
        }
        for s in ["orderId", "_x", "a__b", "b_", "OrderID", "1a", ""] {
            assert!(!already_snake(s), "{s}");
        }
    }
}
