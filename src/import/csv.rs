//! Reading Segment's tracking-plan CSV (RFC 4180), as the `csv` target writes it
//! (`csv/segment-tracking-plan.csv`):
//!
//! ```text
//! Type,Event,Name,Description,Status,Data Type,Permitted Values
//! Identify,,email,Login email,Required,string,
//! Track,Trial Started,,A workspace started a free trial.,,,
//! Track,Trial Started,plan,Plan at the time of the event,Required,string,free|pro|enterprise
//! Track,Trial Started,utm.source,,Optional,string,
//! Track,Trial Started,steps_completed,…,Optional,array,
//! Track,Trial Started,steps_completed.$,,,string,
//! ```
//!
//! Columns are found by their header (case and spaces aside; `Event Name`,
//! `Property Name` and `Property` are accepted too), in any order. A Track row
//! with an empty Name describes the event; Page and Screen rows are page and
//! screen rules (the Event cell names the page, empty for every page); a
//! `Version` column (eventsc's, when the plan has versioned events) makes
//! each Track row's event that version; `a.b` is member `b` of object `a`;
//! `a.$` is the item type of list `a`. Data Type is a JSON type (`string, null`
//! for nullable), or `Date time`. Permitted Values: `^\d{4}-\d{2}-\d{2}$` makes a
//! date; values separated by `|` whose text has no regex syntax left once
//! unescaped make an enum; anything else is a `pattern`. A cell the `csv` target
//! guarded against formula injection (a leading `'`, or a Permitted Values
//! expression starting with a class such as `[=]`) is read without the guard.

use super::{Event, ImportError, Plan, Property, Screen, Traits, Type, Warning};
use crate::syntax::MAX_NESTING;
use rustc_hash::FxHashMap;

/// Parses CSV text into records, each field with its 1-based line.
pub(crate) fn records(text: &str) -> Result<Vec<Vec<(String, usize)>>, ImportError> {
    let mut out = Vec::new();
    let mut record: Vec<(String, usize)> = Vec::new();
    let mut field = String::new();
    let mut line = 1;
    let mut field_line = 1;
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut quote_start = (0, 0);
    let mut col = 0;
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        col += 1;
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    col += 1;
                    field.push('"');
                }
                '"' => {
                    quoted = false;
                    match chars.peek() {
                        None | Some(',' | '\n' | '\r') => {}
                        Some(other) => {
                            return Err(ImportError::new(
                                format!("{line}:{}", col + 1),
                                format!(
                                    "`{other}` after a closing quote: a quoted field ends at its quote (write `\"\"` for a quote inside)"
                                ),
                            ));
                        }
                    }
                }
                '\n' => {
                    field.push('\n');
                    line += 1;
                    col = 0;
                }
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                quoted = true;
                quote_start = (line, col);
                at_field_start = false;
            }
            '"' => {
                return Err(ImportError::new(
                    format!("{line}:{col}"),
                    "a quote inside an unquoted field: quote the whole field and double the quote (`\"a \"\"b\"\"\"`)",
                ));
            }
            ',' => {
                record.push((std::mem::take(&mut field), field_line));
                field_line = line;
                at_field_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                record.push((std::mem::take(&mut field), field_line));
                out.push(std::mem::take(&mut record));
                line += 1;
                col = 0;
                field_line = line;
                at_field_start = true;
            }
            c => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    if quoted {
        return Err(ImportError::new(
            format!("{}:{}", quote_start.0, quote_start.1),
            "this quoted field is never closed",
        ));
    }
    if !field.is_empty() || !record.is_empty() {
        record.push((field, field_line));
        out.push(record);
    }
    // Blank lines are not records.
    out.retain(|r| !(r.len() == 1 && r[0].0.is_empty()));
    Ok(out)
}

struct Columns {
    kind: usize,
    event: usize,
    name: usize,
    description: Option<usize>,
    status: Option<usize>,
    data_type: usize,
    permitted: Option<usize>,
    /// eventsc's `Version` column (Segment's event versions); absent: 1.
    version: Option<usize>,
}

fn norm(h: &str) -> String {
    h.trim()
        .trim_start_matches('\u{FEFF}')
        .to_lowercase()
        .replace(['_', ' '], "")
}

fn columns(header: &[(String, usize)]) -> Result<Columns, ImportError> {
    let find = |names: &[&str]| {
        header
            .iter()
            .position(|(h, _)| names.contains(&norm(h).as_str()))
    };
    let need = |names: &[&str], what: &str| {
        find(names).ok_or_else(|| {
            ImportError::new(
                "1:1",
                format!(
                    "no `{what}` column in the header (expected Type, Event, Name, Description, Status, Data Type, Permitted Values)"
                ),
            )
        })
    };
    Ok(Columns {
        kind: need(&["type", "calltype"], "Type")?,
        event: need(&["event", "eventname"], "Event")?,
        name: need(&["name", "propertyname", "property"], "Name")?,
        description: find(&["description"]),
        status: find(&["status", "required"]),
        data_type: need(&["datatype", "propertytype"], "Data Type")?,
        permitted: find(&["permittedvalues", "allowedvalues"]),
        version: find(&["version", "eventversion"]),
    })
}

/// One property row, before nesting.
struct Row {
    path: Vec<String>,
    line: usize,
    description: String,
    status: String,
    data_type: String,
    permitted: String,
}

/// Reads a tracking-plan CSV.
pub fn read(text: &str) -> Result<(Plan, super::Report), ImportError> {
    let recs = records(text)?;
    let Some((header, rows)) = recs.split_first() else {
        return Err(ImportError::new(
            "1:1",
            "the file is empty: expected a header row",
        ));
    };
    let cols = columns(header)?;
    let mut warnings = Vec::new();
    let mut plan = Plan::default();
    // Rows by owner (identify, group, a page or screen rule, an event
    // version), in first-seen order, with a page or screen rule's
    // description; maps from subjects and event names to their index keep
    // long plans linear.
    let mut blocks: Vec<(String, Owner, Vec<Row>, Option<String>)> = Vec::new();
    let mut block_of: FxHashMap<String, usize> = FxHashMap::default();
    let mut events = Events::default();
    for r in rows {
        let line = r.first().map_or(0, |f| f.1);
        // Cells as the `csv` target guards them against formula injection.
        let get = |i: Option<usize>| -> String {
            i.and_then(|i| r.get(i)).map_or(String::new(), |f| {
                crate::targets::encode::text::csv_unguard(f.0.trim()).to_string()
            })
        };
        if r.len() != header.len() {
            return Err(ImportError::new(
                format!("{line}:1"),
                format!(
                    "this row has {} fields, the header {}",
                    r.len(),
                    header.len()
                ),
            ));
        }
        let kind_written = get(Some(cols.kind));
        let kind = kind_written.to_lowercase();
        let event = get(Some(cols.event));
        let name = get(Some(cols.name));
        let version_written = get(cols.version);
        let version = match version_written.as_str() {
            "" => None,
            v => {
                let at = format!("{line}:{}", cols.version.map_or(1, |c| c + 1));
                match v.parse::<u64>() {
                    Ok(n) if n >= 1 && kind == "track" => Some(n),
                    Ok(n) if n >= 1 => {
                        return Err(ImportError::new(
                            at,
                            format!(
                                "a {kind_written} row has no version: only Track rows (events) do"
                            ),
                        ));
                    }
                    _ => {
                        return Err(ImportError::new(
                            at,
                            format!("`{v}` is not an event version (a whole number from 1)"),
                        ));
                    }
                }
            }
        };
        let (subject, owner) = match kind.as_str() {
            "track" => {
                if event.is_empty() {
                    return Err(ImportError::new(
                        format!("{line}:{}", cols.event + 1),
                        "a Track row needs an Event name",
                    ));
                }
                let subject = match version {
                    Some(v) => format!("event {event:?} version {v}"),
                    None => format!("event {event:?}"),
                };
                (subject, Owner::Event(event.clone(), version))
            }
            "identify" | "group" => (kind.clone(), Owner::Traits),
            "page" | "screen" => {
                let keyword = if kind == "page" { "page" } else { "screen" };
                let name = (!event.is_empty()).then(|| event.clone());
                let subject = match &name {
                    Some(n) => format!("{keyword} {n:?}"),
                    None => keyword.to_string(),
                };
                (subject, Owner::View(keyword, name))
            }
            _ => {
                return Err(ImportError::new(
                    format!("{line}:{}", cols.kind + 1),
                    format!(
                        "unknown row type `{kind_written}` (expected Track, Identify, Group, Page or Screen)"
                    ),
                ));
            }
        };
        let block = match block_of.get(&subject) {
            Some(&b) => b,
            None => {
                block_of.insert(subject.clone(), blocks.len());
                blocks.push((subject.clone(), owner.clone(), Vec::new(), None));
                blocks.len() - 1
            }
        };
        if name.is_empty() {
            // The event's own row: its description.
            let description = Some(get(cols.description)).filter(|d| !d.is_empty());
            match &owner {
                Owner::Event(name, version) => {
                    let e = events.get(&mut plan, name, *version);
                    if description.is_some() {
                        e.description = description;
                    }
                }
                Owner::View(..) => {
                    if description.is_some() {
                        blocks[block].3 = description;
                    }
                }
                Owner::Traits => {}
            }
            continue;
        }
        blocks[block].2.push(Row {
            path: name.split('.').map(str::to_string).collect(),
            line,
            description: get(cols.description),
            status: get(cols.status),
            data_type: get(Some(cols.data_type)),
            permitted: crate::targets::encode::text::csv_unguard_regex(&get(cols.permitted))
                .into_owned(),
        });
    }
    for (subject, owner, rows, description) in blocks {
        let tree = Tree::new(&rows);
        orphans(&subject, &tree, &mut warnings);
        let props = nest(&subject, &tree, &[], &mut warnings);
        match owner {
            Owner::Event(name, version) => {
                events.get(&mut plan, &name, version).properties = props;
            }
            Owner::View(keyword, name) => plan.screens.push(Screen {
                keyword,
                name,
                traits: Traits {
                    description,
                    properties: props,
                    ..Traits::default()
                },
            }),
            Owner::Traits => {
                let t = Some(Traits {
                    properties: props,
                    ..Traits::default()
                });
                if subject == "identify" {
                    plan.identify = t;
                } else {
                    plan.group = t;
                }
            }
        }
    }
    Ok((
        plan,
        super::Report {
            warnings,
            ..super::Report::default()
        },
    ))
}

/// The plan's events by name.
#[derive(Default)]
struct Events(FxHashMap<(String, Option<u64>), usize>);

impl Events {
    /// The event of that name and version, added at the end if it is new.
    fn get<'p>(&mut self, plan: &'p mut Plan, name: &str, version: Option<u64>) -> &'p mut Event {
        let i = *self
            .0
            .entry((name.to_string(), version))
            .or_insert_with(|| {
                plan.events.push(Event {
                    name: name.to_string(),
                    version,
                    ..Event::default()
                });
                plan.events.len() - 1
            });
        &mut plan.events[i]
    }
}

/// Whose a row is: an event version, identify or group (the row's type
/// says which), or a page or screen rule (`page`/`screen`, its name).
#[derive(Clone)]
enum Owner {
    Event(String, Option<u64>),
    Traits,
    View(&'static str, Option<String>),
}

/// The property rows of one event (or identify, group) by path.
struct Tree<'r> {
    rows: &'r [Row],
    /// The first row of each path.
    first: FxHashMap<&'r [String], &'r Row>,
    /// The rows directly under each path, in input order.
    children: FxHashMap<&'r [String], Vec<&'r Row>>,
}

impl<'r> Tree<'r> {
    fn new(rows: &'r [Row]) -> Self {
        let mut first = FxHashMap::default();
        let mut children: FxHashMap<&[String], Vec<&Row>> = FxHashMap::default();
        for r in rows {
            first.entry(r.path.as_slice()).or_insert(r);
            if let Some((_, parent)) = r.path.split_last() {
                children.entry(parent).or_default().push(r);
            }
        }
        Tree {
            rows,
            first,
            children,
        }
    }
}

/// Rows under a parent that is not an object (or a list, for `.$`).
fn orphans(subject: &str, tree: &Tree, warnings: &mut Vec<Warning>) {
    let rows = tree.rows;
    let type_of = |path: &[String]| {
        tree.first.get(path).map(|r| {
            r.data_type
                .split(',')
                .next()
                .unwrap_or("")
                .trim()
                .to_lowercase()
        })
    };
    for r in rows {
        if r.path.len() < 2 {
            continue;
        }
        let parent = &r.path[..r.path.len() - 1];
        let last = r.path.last().map(String::as_str);
        let want = if last == Some("$") { "array" } else { "object" };
        if type_of(parent).as_deref() != Some(want) {
            warnings.push(Warning {
                subject: subject.to_string(),
                at: format!("line {}", r.line),
                message: format!(
                    "`{}` is not under an {want} row `{}`; dropped",
                    r.path.join("."),
                    parent.join(".")
                ),
            });
        }
    }
}

/// The properties directly under `prefix`, with their members and items.
fn nest(
    subject: &str,
    tree: &Tree,
    prefix: &[String],
    warnings: &mut Vec<Warning>,
) -> Vec<Property> {
    let depth = prefix.len();
    let mut out = Vec::new();
    for &r in tree.children.get(prefix).map_or(&[][..], Vec::as_slice) {
        let name = &r.path[depth];
        if name == "$" {
            continue;
        }
        let Some((ty, nullable)) = row_type(subject, r, tree, warnings) else {
            continue;
        };
        let mut p = Property::new(name.clone(), ty);
        p.nullable = nullable;
        p.required = r.status.eq_ignore_ascii_case("required");
        if !r.description.is_empty() {
            p.description = Some(r.description.clone());
        }
        if matches!(p.ty, Type::String) && !r.permitted.is_empty() {
            p.pattern = Some(r.permitted.clone());
        }
        out.push(p);
    }
    out
}

/// The type a row declares (members and items from the rows below it).
fn row_type(
    subject: &str,
    r: &Row,
    tree: &Tree,
    warnings: &mut Vec<Warning>,
) -> Option<(Type, bool)> {
    let parts: Vec<String> = r
        .data_type
        .split(',')
        .map(|s| s.trim().to_lowercase())
        .collect();
    let nullable = parts.iter().any(|p| p == "null");
    let main: Vec<&String> = parts
        .iter()
        .filter(|p| *p != "null" && !p.is_empty())
        .collect();
    let warn = |warnings: &mut Vec<Warning>, message: String| {
        warnings.push(Warning {
            subject: subject.to_string(),
            at: format!("line {}", r.line),
            message,
        });
    };
    let name = match main.as_slice() {
        [one] => one.as_str(),
        [] => {
            warn(
                warnings,
                format!(
                    "`{}` has no Data Type (any value), which cannot be expressed; dropped",
                    r.path.join(".")
                ),
            );
            return None;
        }
        [first, ..] => {
            warn(
                warnings,
                format!(
                    "several types `{}` cannot be expressed; `{first}` kept",
                    r.data_type
                ),
            );
            first.as_str()
        }
    };
    // In the plan, a row's property sits inside one delimiter per path part
    // (the event's braces, then each object's or list's); its members or
    // items one deeper, with their modifiers' parentheses one more.
    if matches!(name, "object" | "array") && r.path.len() + 2 > MAX_NESTING {
        warn(
            warnings,
            format!(
                "`{}` is nested more than {MAX_NESTING} levels deep, deeper than a `.events` plan can be; dropped",
                r.path.join(".")
            ),
        );
        return None;
    }
    let ty = match name {
        "string" => match permitted(&r.permitted) {
            Permitted::Date => Type::Date,
            Permitted::Enum(values) => {
                Type::Enum(values.into_iter().map(super::Literal::Str).collect())
            }
            Permitted::Pattern | Permitted::None => Type::String,
        },
        "date time" | "datetime" | "date-time" => Type::Datetime,
        "integer" => Type::Integer,
        "number" => Type::Number,
        "boolean" => Type::Boolean,
        "object" => Type::Object(nest(subject, tree, &r.path, warnings)),
        "array" => {
            let mut item_path = r.path.clone();
            item_path.push("$".to_string());
            match tree.first.get(item_path.as_slice()) {
                Some(item) => match row_type(subject, item, tree, warnings) {
                    Some((t, item_nullable)) => {
                        let mut item = Property::new("", t);
                        item.nullable = item_nullable;
                        Type::List(Box::new(item))
                    }
                    None => return None,
                },
                // No row for the items: a list of anything.
                None => Type::list(Type::Any),
            }
        }
        other => {
            warn(
                warnings,
                format!("Data Type `{other}` cannot be expressed; dropped"),
            );
            return None;
        }
    };
    Some((ty, nullable))
}

enum Permitted {
    None,
    Date,
    Enum(Vec<String>),
    Pattern,
}

/// What the Permitted Values of a string row mean.
fn permitted(v: &str) -> Permitted {
    if v.is_empty() {
        return Permitted::None;
    }
    if v == r"^\d{4}-\d{2}-\d{2}$" {
        return Permitted::Date;
    }
    let mut values = Vec::new();
    for part in split_unescaped_bars(v) {
        match unescape_literal(&part) {
            Some(s) => values.push(s),
            None => return Permitted::Pattern,
        }
    }
    Permitted::Enum(values)
}

/// Splits at `|` not preceded by a backslash.
fn split_unescaped_bars(v: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let last = out.last_mut();
                if let Some(l) = last {
                    l.push('\\');
                    if let Some(n) = chars.next() {
                        l.push(n);
                    }
                }
            }
            '|' => out.push(String::new()),
            c => {
                if let Some(l) = out.last_mut() {
                    l.push(c);
                }
            }
        }
    }
    out
}

/// A regex-escaped literal back to its text; `None` if it holds regex syntax.
fn unescape_literal(s: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let n = chars.next()?;
                if n.is_ascii_alphanumeric() {
                    return None; // \d, \w, …: a class, not a literal
                }
                out.push(n);
            }
            '.' | '+' | '*' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '^' | '$' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::records;

    fn texts(t: &str) -> Vec<Vec<String>> {
        records(t)
            .unwrap()
            .into_iter()
            .map(|r| r.into_iter().map(|(f, _)| f).collect())
            .collect()
    }

    #[test]
    fn rfc_4180() {
        assert_eq!(
            texts("a,\"b,c\",\"d \"\"e\"\"\"\r\n1,\"multi\nline\",3\n\n"),
            vec![vec!["a", "b,c", "d \"e\""], vec!["1", "multi\nline", "3"]]
        );
        assert_eq!(texts("x,y"), vec![vec!["x", "y"]]);
        assert_eq!(texts("x,"), vec![vec!["x", ""]]);
    }

    #[test]
    fn located_errors() {
        let e = records("a,b\n1,\"open\n2,3\n").unwrap_err();
        assert_eq!(
            (e.at.as_str(), e.message.as_str()),
            ("2:3", "this quoted field is never closed")
        );
        let e = records("a,b\n1,x\"y\n").unwrap_err();
        assert_eq!(e.at, "2:4");
        let e = records("a,b\n\"q\"x,1\n").unwrap_err();
        assert_eq!(e.at, "2:4");
    }
}
