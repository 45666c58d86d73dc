//! `models/sources.yml`: the sources, tables, columns, meta, tags and tests of
//! the [`Warehouse`], in the YAML of the chosen dbt line.

use super::warehouse::{Arg, Check, Column, MetaValue, Table, Warehouse};
use super::{DbtVersion, jinja_text};
use crate::ir::Plan;
use crate::targets::encode::text::{self, Entry, Yaml};

/// A string dbt renders: Jinja made literal.
fn s(text: &str) -> Yaml {
    Yaml::str(jinja_text(text).into_owned())
}

fn meta_yaml(meta: &[(&'static str, MetaValue)]) -> Yaml {
    Yaml::Map(
        meta.iter()
            .map(|(k, v)| {
                let v = match v {
                    MetaValue::Str(x) => s(x),
                    MetaValue::Bool(b) => Yaml::Bool(*b),
                    MetaValue::List(xs) => Yaml::List(xs.iter().map(|x| s(x)).collect()),
                };
                ((*k).into(), v)
            })
            .collect(),
    )
}

/// `meta` and `tags`: under `config:` (current dbt) or beside it (legacy).
fn config(out: &mut Vec<Entry>, meta: Yaml, tags: Vec<String>, v: DbtVersion) {
    let mut entries: Vec<Entry> = Vec::new();
    if matches!(&meta, Yaml::Map(m) if !m.is_empty()) {
        entries.push(("meta".into(), meta));
    }
    if !tags.is_empty() {
        entries.push((
            "tags".into(),
            Yaml::List(tags.iter().map(|t| s(t)).collect()),
        ));
    }
    match v {
        DbtVersion::Current if !entries.is_empty() => {
            out.push(("config".into(), Yaml::Map(entries)));
        }
        _ => out.extend(entries),
    }
}

fn arg_yaml(a: &Arg) -> Yaml {
    match a {
        Arg::Word(w) | Arg::Hex(w) => Yaml::str(w.clone()),
        Arg::HexList(list) | Arg::Words(list) => {
            Yaml::List(list.iter().map(|h| Yaml::str(h.clone())).collect())
        }
    }
}

/// A generic test entry: `eventsc_<test>` with its arguments.
fn test_yaml(c: &Check, v: DbtVersion) -> Yaml {
    let name = format!("eventsc_{}", c.test);
    let mut args: Vec<Entry> = c
        .args
        .iter()
        .map(|(k, a)| ((*k).into(), arg_yaml(a)))
        .collect();
    if let Some(e) = &c.scope {
        args.push(("event".into(), Yaml::str(super::warehouse::hex_text(e))));
    }
    if let Some(w) = &c.within {
        let (key, values) = w.arg();
        let values = Yaml::List(values.into_iter().map(Yaml::str).collect());
        args.push(("within".into(), Yaml::Map(vec![(key.into(), values)])));
    }
    if args.is_empty() {
        return Yaml::str(name);
    }
    let body = match v {
        DbtVersion::Current => Yaml::Map(vec![("arguments".into(), Yaml::Map(args))]),
        DbtVersion::Legacy => Yaml::Map(args),
    };
    Yaml::Map(vec![(name.into(), body)])
}

fn column_yaml(c: &Column, tests: Vec<Yaml>, v: DbtVersion) -> Yaml {
    let mut m = vec![("name".into(), Yaml::str(c.name.clone()))];
    if let Some(d) = &c.description {
        m.push(("description".into(), s(d)));
    }
    m.push(("data_type".into(), Yaml::str(c.data_type)));
    config(&mut m, meta_yaml(&c.meta), Vec::new(), v);
    if !tests.is_empty() {
        m.push(("data_tests".into(), Yaml::List(tests)));
    }
    Yaml::Map(m)
}

fn table_yaml(t: &Table, v: DbtVersion) -> Yaml {
    let mut m = vec![
        ("name".into(), Yaml::str(t.name.clone())),
        ("description".into(), s(&t.description)),
    ];
    config(&mut m, meta_yaml(&t.meta), t.tags.clone(), v);
    let mut table_tests = Vec::new();
    let mut by_column: Vec<Vec<Yaml>> = vec![Vec::new(); t.columns.len()];
    for c in &t.checks {
        let test = test_yaml(c, v);
        match c
            .column
            .as_ref()
            .and_then(|name| t.columns.iter().position(|x| &x.name == name))
        {
            Some(i) => {
                if !by_column[i].contains(&test) {
                    by_column[i].push(test);
                }
            }
            None => {
                if !table_tests.contains(&test) {
                    table_tests.push(test);
                }
            }
        }
    }
    if !table_tests.is_empty() {
        m.push(("data_tests".into(), Yaml::List(table_tests)));
    }
    m.push((
        "columns".into(),
        Yaml::List(
            t.columns
                .iter()
                .zip(by_column)
                .map(|(c, tests)| column_yaml(c, tests, v))
                .collect(),
        ),
    ));
    Yaml::Map(m)
}

fn source_meta(plan: &Plan) -> Vec<(&'static str, Yaml)> {
    let mut m = vec![
        ("plan", s(&plan.meta.title.value)),
        (
            "plan_version",
            Yaml::str(plan.meta.version.value.to_string()),
        ),
    ];
    if let Some(o) = &plan.meta.owner {
        m.push(("owner", s(&o.name)));
    }
    let mut consents: Vec<_> = plan.consents.iter().collect();
    consents.sort_by(|a, b| a.id.value.cmp(&b.id.value));
    let consents: Vec<Entry> = consents
        .into_iter()
        .map(|c| {
            let mut v = Vec::new();
            if let Some(b) = &c.basis {
                v.push(("basis".into(), Yaml::str(b.value.as_str())));
            }
            v.push(("category".into(), s(c.category())));
            (c.id.value.clone().into(), Yaml::Map(v))
        })
        .collect();
    if !consents.is_empty() {
        m.push(("consent_purposes", Yaml::Map(consents)));
    }
    let mut retentions: Vec<_> = plan.retentions.iter().collect();
    retentions.sort_by(|a, b| a.id.value.cmp(&b.id.value));
    let retentions: Vec<Entry> = retentions
        .into_iter()
        .map(|r| {
            let mut v = Vec::new();
            if let Some(d) = &r.duration {
                v.push(("duration".into(), Yaml::str(d.value.iso8601())));
            }
            if let Some(a) = &r.action {
                v.push(("action".into(), Yaml::str(a.value.as_str())));
            }
            (r.id.value.clone().into(), Yaml::Map(v))
        })
        .collect();
    if !retentions.is_empty() {
        m.push(("retention_policies", Yaml::Map(retentions)));
    }
    m
}

/// The whole `sources.yml`, written one table at a time (a large plan has
/// thousands).
pub(crate) fn sources_yml(plan: &Plan, wh: &Warehouse, v: DbtVersion) -> String {
    let tables: usize = wh.sources.iter().map(|s| s.tables.len()).sum();
    let mut out = String::with_capacity(4096 + tables * 8192);
    out.push_str(
        "# Written by `eventsc build --target dbt` from the tracking plan; do not edit.\n",
    );
    out.push_str("version: 2\nsources:\n");
    let meta = source_meta(plan);
    let plan_line = format!(
        "Segment warehouse tables of the tracking plan \"{}\" (version {}), generated by eventsc from the plan: do not edit.",
        plan.meta.title.value, plan.meta.version.value
    );
    for src in &wh.sources {
        let mut m: Vec<Entry> = vec![
            ("name".into(), Yaml::str(src.name.clone())),
            (
                "description".into(),
                s(&format!("{} {plan_line}", src.description)),
            ),
        ];
        if let Some(d) = &src.database {
            m.push(("database".into(), Yaml::str(d.clone())));
        }
        m.push(("schema".into(), Yaml::str(src.schema.clone())));
        let meta = Yaml::Map(meta.iter().map(|(k, y)| ((*k).into(), y.clone())).collect());
        config(&mut m, meta, vec!["eventsc".into()], v);
        text::emit_list(&mut out, &[Yaml::Map(m)], 1);
        out.push_str("    tables:\n");
        for t in &src.tables {
            text::emit_list(&mut out, &[table_yaml(t, v)], 3);
        }
    }
    out
}
