use crate::ir::{Plan, Property, Type};
use crate::rules::{Container, DefaultLevel, Finding, Rule, RuleDoc, with_origin};
use crate::targets::dbt::{STANDARD as STANDARD_COLUMNS, snakecase};

pub static DOC: RuleDoc = RuleDoc {
    name: "segment/column-collision",
    default: DefaultLevel::Error,
    summary: "Two properties of one event (its own, its bundles' and the `common` ones), or two traits of `identify` or `group`, do not land in the same warehouse column, and none lands in a column Segment fills itself (`id`, `user_id`, `received_at`, …).",
    why: "Segment's warehouse loader names columns with its snake_case (`orderId`, `order_id` and `OrderID` are all `order_id`) and flattens objects with `_` (`utm.source` is `utm_source`). Properties that meet in one column overwrite each other's values (or fail the load when their types differ), and the dbt sources describe one column for both; a property named like one of Segment's own columns is mixed with it, and dropped from the dbt sources.",
    bad: "event \"Order Completed\" {\n  orderId:  string\n  order_id: string\n  utm: object { source: string }\n  utm_source: string\n}",
    good: "event \"Order Completed\" {\n  order_id: string\n  utm: object { source: string }\n  referrer_source: string\n}",
};

pub struct ColumnCollision;

/// A column and the property that fills it.
struct Column<'p> {
    name: String,
    property: &'p Property,
    /// Dotted path, for messages.
    dotted: String,
    /// Index path within the container; `None` for a `common` property seen
    /// from an event (reported with `common` itself).
    path: Option<Vec<usize>>,
}

/// The columns of properties as the loader makes them: objects flattened with
/// `_`, lists (of anything) one column holding their JSON.
fn columns<'p>(
    props: &'p [Property],
    prefix: &str,
    dotted: &str,
    path: Option<&[usize]>,
    out: &mut Vec<Column<'p>>,
) {
    for (i, p) in props.iter().enumerate() {
        let name = if prefix.is_empty() {
            snakecase(&p.name.value)
        } else {
            snakecase(&format!("{prefix}_{}", p.name.value))
        };
        let dot = if dotted.is_empty() {
            p.name.value.to_string()
        } else {
            format!("{dotted}.{}", p.name.value)
        };
        let at = path.map(|path| {
            let mut v = path.to_vec();
            v.push(i);
            v
        });
        if let Type::Object(children) = &p.ty {
            columns(children, &name, &dot, at.as_deref(), out);
            continue;
        }
        out.push(Column {
            name,
            property: p,
            dotted: dot,
            path: at,
        });
    }
}

/// The names `segment/reserved-name` reports already (as written).
fn reserved_exactly(dotted: &str) -> bool {
    crate::rules::segment::reserved_name::is_envelope_name(dotted)
}

fn check_table(plan: &Plan, container: Container, cols: &[Column], out: &mut Vec<Finding>) {
    let what = crate::rules::container_name(plan, &container);
    let mut seen: std::collections::HashMap<&str, &Column> = std::collections::HashMap::new();
    for c in cols {
        let Some(path) = &c.path else {
            seen.entry(&c.name).or_insert(c);
            continue;
        };
        if let Some(first) = seen.get(c.name.as_str()) {
            let f = Finding::new(
                container,
                format!(
                    "`{}` and `{}` of {what} land in one warehouse column, `{}`",
                    first.dotted, c.dotted, c.name
                ),
                c.property.name.span,
                format!("its column is `{}`", c.name),
            )
            .secondary(first.property.name.span, format!("`{}` too", c.name))
            .help(
                "Segment's loader snake_cases names and flattens objects with `_`: rename one of them so their columns differ",
            )
            .on_property(path.clone());
            out.push(with_origin(f, c.property));
            continue;
        }
        seen.insert(&c.name, c);
        if STANDARD_COLUMNS.contains(&c.name.as_str()) && !reserved_exactly(&c.dotted) {
            let f = Finding::new(
                container,
                format!(
                    "`{}` of {what} lands in `{}`, a column Segment fills itself",
                    c.dotted, c.name
                ),
                c.property.name.span,
                format!("its column is `{}`", c.name),
            )
            .help("rename it: Segment writes its own value into that column, and the dbt sources leave the property out")
            .on_property(path.clone());
            out.push(with_origin(f, c.property));
        }
    }
}

impl Rule for ColumnCollision {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, plan: &Plan, out: &mut Vec<Finding>) {
        let mut common = Vec::new();
        if let Some(c) = &plan.common {
            columns(&c.properties, "", "", Some(&[]), &mut common);
            check_table(plan, Container::Traits(c.kind), &common, out);
        }
        for t in [&plan.identify, &plan.group].into_iter().flatten() {
            let mut cols = Vec::new();
            columns(&t.properties, "", "", Some(&[]), &mut cols);
            check_table(plan, Container::Traits(t.kind), &cols, out);
        }
        // An event's table: the `common` properties first (reported there),
        // then the event's own.
        let mut cols = Vec::new();
        for (i, e) in plan.events.iter().enumerate() {
            cols.clear();
            if let Some(c) = &plan.common {
                columns(&c.properties, "", "", None, &mut cols);
            }
            columns(&e.properties, "", "", Some(&[]), &mut cols);
            check_table(plan, Container::Event(i), &cols, out);
        }
    }
}
