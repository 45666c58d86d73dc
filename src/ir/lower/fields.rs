//! Reading the fields of a block: unknown and duplicate fields, and values of the
//! expected shape, each reported where it was written.

use super::Lowerer;
use crate::diagnostics::{Diagnostic, codes, did_you_mean, list_names};
use crate::ir::values::{Date, Duration, Semver, TimeUnit};
use crate::ir::{Ref, Window};
use crate::source::{Span, Spanned};
use crate::syntax::ast::{self, FieldBody, Item, Value};

/// The items of a block, sorted by what they are.
#[derive(Default)]
pub(crate) struct Items<'a> {
    pub fields: Vec<&'a ast::Field>,
    pub properties: Vec<&'a ast::Property>,
    pub settings: Vec<&'a ast::RuleSetting>,
    pub values: Vec<&'a Value>,
}

/// What a block accepts: its entry in the vocabulary.
pub(crate) type Shape = crate::vocab::Block;

/// Whether a word is a field of some declaration (for "write it without `:`"
/// hints).
pub(crate) fn is_field_name(word: &str) -> bool {
    crate::vocab::is_field(word)
}

impl Lowerer<'_> {
    /// Sorts a block's items, reporting what the block does not accept and
    /// fields written twice.
    pub(crate) fn items<'a>(&mut self, block: &'a ast::Block, shape: &Shape) -> Items<'a> {
        let mut out = Items::default();
        let mut seen: Vec<(&str, Span)> = Vec::new();
        for item in &block.items {
            match item {
                Item::Field(f) => {
                    let key = f.key.text.as_str();
                    if shape.field(key).is_none() {
                        self.unknown_field(f, shape);
                        continue;
                    }
                    if !shape.repeatable.contains(&key) {
                        if let Some(&(_, first)) = seen.iter().find(|(k, _)| *k == key) {
                            self.diags.push(
                                Diagnostic::error(
                                    codes::DUPLICATE_FIELD,
                                    format!("`{key}` is written twice in {}", shape.what),
                                )
                                .primary(f.span, "written again here")
                                .secondary(first, "first written here")
                                .help(format!("keep one `{key}` line")),
                            );
                            continue;
                        }
                        seen.push((key, f.span));
                    }
                    out.fields.push(f);
                }
                Item::Property(p) if shape.properties => out.properties.push(p),
                Item::Property(p) => {
                    let help = if shape.field(&p.name.text).is_some() {
                        format!("fields are written without `:`: `{} …`", p.name.text)
                    } else {
                        "properties belong in an event, bundle, common, envelope, identify, group, page, screen or object block".into()
                    };
                    self.diags.push(
                        Diagnostic::error(
                            codes::UNKNOWN_FIELD,
                            format!("properties are not allowed in {}", shape.what),
                        )
                        .primary(p.span, "a property is not allowed here")
                        .help(help),
                    );
                }
                Item::RuleSetting(r) if shape.settings => out.settings.push(r),
                Item::Values(vs, _) if shape.values => out.values.extend(vs),
                other => {
                    let mut d = Diagnostic::error(
                        codes::UNKNOWN_FIELD,
                        format!("unexpected value in {}", shape.what),
                    )
                    .primary(other.span(), "expected a field name here");
                    if !shape.fields.is_empty() {
                        d = d.help(format!(
                            "{} takes the fields {}",
                            capitalize(shape.what),
                            list_names(&shape.field_names().collect::<Vec<_>>())
                        ));
                    }
                    self.diags.push(d);
                }
            }
        }
        out
    }

    fn unknown_field(&mut self, f: &ast::Field, shape: &Shape) {
        let key = f.key.text.as_str();
        if key == "use" || key == "allow" {
            let (what, places) = if key == "use" {
                ("bundles", "events, `common`, `identify` and `group`")
            } else {
                (
                    "exceptions",
                    "events, `identify` and `group` (and on properties, as a modifier)",
                )
            };
            self.diags.push(
                Diagnostic::error(
                    codes::UNKNOWN_FIELD,
                    format!("`{key}` is not allowed in {}", shape.what),
                )
                .primary(f.key.span, "not allowed here")
                .help(format!("{what} are used in {places}")),
            );
            return;
        }
        let suggestion = did_you_mean(key, shape.field_names(), |c| c.to_string());
        let help = suggestion.or_else(|| {
            crate::vocab::home_of(key).map(|b| b.keyword).map(|home| {
                format!(
                    "`{key}` is a field of `{home}`; {} takes {}",
                    shape.what,
                    list_names(&shape.field_names().collect::<Vec<_>>())
                )
            })
        });
        let help = help.or_else(|| {
            if shape.properties && matches!(f.body, FieldBody::Empty | FieldBody::Values(_)) {
                Some(format!(
                    "to declare a property, write its type after a colon: `{key}: string`"
                ))
            } else if shape.fields.is_empty() {
                None
            } else {
                Some(format!(
                    "{} takes {}",
                    capitalize(shape.what),
                    list_names(&shape.field_names().collect::<Vec<_>>())
                ))
            }
        });
        self.diags.push(
            Diagnostic::error(
                codes::UNKNOWN_FIELD,
                format!("unknown field `{key}` in {}", shape.what),
            )
            .primary(f.key.span, "unknown field")
            .maybe_help(help),
        );
    }

    pub(super) fn bad_value(&mut self, f: &ast::Field, expected: &str, found: Option<&Value>) {
        let (span, found) = match found {
            Some(v) => (v.span(), v.describe().to_string()),
            None => (f.span, "nothing".to_string()),
        };
        self.diags.push(
            Diagnostic::error(
                codes::INVALID_VALUE,
                format!("`{}` takes {expected}, found {found}", f.key.text),
            )
            .primary(span, format!("expected {expected}")),
        );
    }

    /// The single value of a field, or a report.
    fn single<'a>(&mut self, f: &'a ast::Field, expected: &str) -> Option<&'a Value> {
        match &f.body {
            FieldBody::Values(vs) if vs.len() == 1 => Some(&vs[0]),
            FieldBody::Values(vs) if vs.len() > 1 => {
                self.diags.push(
                    Diagnostic::error(
                        codes::INVALID_VALUE,
                        format!("`{}` takes one value, found {}", f.key.text, vs.len()),
                    )
                    .primary(
                        vs[1].span().to(vs[vs.len() - 1].span()),
                        "only one value is allowed",
                    )
                    .help(format!("`{}` takes {expected}", f.key.text)),
                );
                None
            }
            _ => {
                self.bad_value(f, expected, None);
                None
            }
        }
    }

    /// The values of a list field (`sources a, b`); an empty list is reported.
    pub(super) fn many<'a>(&mut self, f: &'a ast::Field, expected: &str) -> &'a [Value] {
        match &f.body {
            FieldBody::Values(vs) => vs,
            _ => {
                self.bad_value(f, expected, None);
                &[]
            }
        }
    }

    pub(crate) fn string(&mut self, f: &ast::Field) -> Option<Spanned<String>> {
        match self.single(f, "a string")? {
            Value::Str(s) => Some(Spanned::new(s.value.clone(), s.span)),
            v => {
                self.bad_value(f, "a string", Some(v));
                None
            }
        }
    }

    /// A warehouse database or schema name (`database`, `schema` of a `source`
    /// or `tool dbt`): letters, digits, `_`, `-` and `$`, starting with a letter
    /// or `_`, at most 128 characters. dbt quotes these names into SQL as they
    /// are, so a quote or a space would break (or inject into) every query.
    pub(crate) fn warehouse_name(&mut self, f: &ast::Field) -> Option<Spanned<String>> {
        let s = self.string(f)?;
        let ok = s.value.len() <= 128
            && s.value
                .starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && s.value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '$'));
        if ok {
            return Some(s);
        }
        self.diags.push(
            Diagnostic::error(
                codes::INVALID_VALUE,
                format!(
                    "`{}` names a warehouse {}: {:?} is not a plain name",
                    f.key.text, f.key.text, s.value
                ),
            )
            .primary(s.span, "letters, digits, `_`, `-` and `$` only")
            .help(format!(
                "write a name like `{} \"analytics_raw\"` (starting with a letter or `_`, at most 128 characters): dbt writes it into SQL unescaped",
                f.key.text
            )),
        );
        None
    }

    pub(crate) fn strings(&mut self, f: &ast::Field) -> Vec<Spanned<String>> {
        let mut out = Vec::new();
        for v in self.many(f, "strings") {
            match v {
                Value::Str(s) => out.push(Spanned::new(s.value.clone(), s.span)),
                v => self.bad_value(f, "strings", Some(v)),
            }
        }
        out
    }

    /// A bare field (`closed`): its span, or a report when values follow.
    pub(crate) fn bare(&mut self, f: &ast::Field) -> Option<Span> {
        if matches!(f.body, FieldBody::Empty) {
            return Some(f.key.span);
        }
        self.diags.push(
            Diagnostic::error(
                codes::INVALID_VALUE,
                format!("`{}` takes no value", f.key.text),
            )
            .primary(f.span, "write it alone")
            .help(format!("write `{}` on a line of its own", f.key.text)),
        );
        None
    }

    /// Segment labels: strings of the form `key:value`.
    pub(crate) fn labels(&mut self, f: &ast::Field) -> Vec<Spanned<String>> {
        let labels = self.strings(f);
        for l in &labels {
            if l.value.split_once(':').is_none_or(|(k, _)| k.is_empty()) {
                self.diags.push(
                    Diagnostic::error(
                        codes::INVALID_VALUE,
                        format!("label {:?} is not `key:value`", l.value),
                    )
                    .primary(l.span, "no `key:` before the value")
                    .help("write a label as `\"key:value\"`, e.g. `\"platform:web\"`"),
                );
            }
        }
        labels
    }

    /// Names (`product`, `web`), as in `sources product, web`.
    pub(crate) fn names(&mut self, f: &ast::Field) -> Vec<Spanned<String>> {
        let mut out = Vec::new();
        for v in self.many(f, "names") {
            match v {
                Value::Word(w) => out.push(Spanned::new(w.text.clone(), w.span)),
                v => self.bad_value(f, "names", Some(v)),
            }
        }
        out
    }

    pub(crate) fn name(&mut self, f: &ast::Field) -> Option<Spanned<String>> {
        match self.single(f, "a name")? {
            Value::Word(w) => Some(Spanned::new(w.text.clone(), w.span)),
            v => {
                let v = v.clone();
                self.bad_value(f, "a name", Some(&v));
                None
            }
        }
    }

    /// One of a closed set of words, with a suggestion for a near miss.
    pub(crate) fn keyword<T>(
        &mut self,
        f: &ast::Field,
        names: &[&str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<Spanned<T>> {
        let w = self.name(f)?;
        self.keyword_of(&w.value, w.span, &f.key.text, names, parse)
    }

    pub(crate) fn keyword_of<T>(
        &mut self,
        word: &str,
        span: Span,
        what: &str,
        names: &[&str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<Spanned<T>> {
        if let Some(v) = parse(word) {
            return Some(Spanned::new(v, span));
        }
        let help = did_you_mean(word, names.iter().copied(), |c| c.to_string())
            .unwrap_or_else(|| format!("`{what}` is one of {}", list_names(names)));
        self.diags.push(
            Diagnostic::error(codes::INVALID_VALUE, format!("unknown {what} `{word}`"))
                .primary(span, format!("not a valid {what}"))
                .help(help),
        );
        None
    }

    pub(crate) fn boolean(&mut self, f: &ast::Field) -> Option<Spanned<bool>> {
        self.keyword(f, &["true", "false"], |s| match s {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        })
    }

    pub(crate) fn owner_ref(&mut self, v: &Value) -> Option<Ref> {
        match v {
            Value::Owner(o) => self
                .check_owner_name(&o.text, o.span)
                .map(|n| Ref::new(n, o.span)),
            _ => None,
        }
    }

    pub(crate) fn owner(&mut self, f: &ast::Field) -> Option<Ref> {
        let v = self.single(f, "an owner like `@analytics`")?;
        let r = self.owner_ref(v);
        if r.is_none() && !matches!(v, Value::Owner(_)) {
            let v = v.clone();
            self.owner_hint(f, &v);
        }
        r
    }

    pub(crate) fn owners(&mut self, f: &ast::Field) -> Vec<Ref> {
        let mut out = Vec::new();
        for v in self.many(f, "owners like `@analytics`") {
            match v {
                Value::Owner(_) => out.extend(self.owner_ref(v)),
                v => self.owner_hint(f, v),
            }
        }
        out
    }

    fn owner_hint(&mut self, f: &ast::Field, v: &Value) {
        let mut d = Diagnostic::error(
            codes::INVALID_VALUE,
            format!(
                "`{}` takes owners like `@analytics`, found {}",
                f.key.text,
                v.describe()
            ),
        )
        .primary(v.span(), "expected an owner");
        if let Value::Word(w) = v {
            d = d.help(format!("owners are written with `@`: `@{}`", w.text));
        }
        self.diags.push(d);
    }

    /// Checks `@name` syntax and returns the name without `@`.
    pub(crate) fn check_owner_name(&mut self, text: &str, span: Span) -> Option<String> {
        let name = text.strip_prefix('@').unwrap_or(text);
        if crate::syntax::is_owner_id(name) {
            return Some(name.to_string());
        }
        let fixed = name.to_ascii_lowercase();
        let help = if name.is_empty() {
            "write a name after `@`, e.g. `@analytics`".to_string()
        } else if fixed != name {
            format!("owner names are lowercase: `@{fixed}`")
        } else {
            "owner names start with a lowercase letter or digit, then letters, digits, `.`, `_` or `-`".to_string()
        };
        self.diags.push(
            Diagnostic::error(codes::INVALID_NAME, format!("invalid owner name `{text}`"))
                .primary(span, "not a valid owner name")
                .help(help),
        );
        None
    }

    pub(crate) fn date(&mut self, f: &ast::Field) -> Option<Spanned<Date>> {
        match self.single(f, "a date like `2026-12-15`")? {
            Value::Date(d) => self.date_of(&d.text, d.span),
            v => {
                let v = v.clone();
                self.bad_value(f, "a date like `2026-12-15`", Some(&v));
                None
            }
        }
    }

    pub(crate) fn date_of(&mut self, text: &str, span: Span) -> Option<Spanned<Date>> {
        match Date::parse(text) {
            Ok(d) => Some(Spanned::new(d, span)),
            Err(why) => {
                self.diags.push(
                    Diagnostic::error(codes::INVALID_DATE, format!("invalid date `{text}`"))
                        .primary(span, why)
                        .help("dates are written YYYY-MM-DD and must exist in the calendar"),
                );
                None
            }
        }
    }

    pub(crate) fn semver(&mut self, f: &ast::Field) -> Option<Spanned<Semver>> {
        match self.single(f, "a version like `\"1.3.0\"`")? {
            Value::Str(s) => match Semver::parse(&s.value) {
                Ok(v) => Some(Spanned::new(v, s.span)),
                Err(why) => {
                    self.diags.push(
                        Diagnostic::error(codes::INVALID_SEMVER, format!("invalid version `{}`", s.value))
                            .primary(s.span, why)
                            .help("versions follow semver 2.0.0: MAJOR.MINOR.PATCH, optionally `-pre` and `+build`, without leading zeros or a `v`"),
                    );
                    None
                }
            },
            v => {
                let v = v.clone();
                self.bad_value(f, "a version string like `\"1.3.0\"`", Some(&v));
                None
            }
        }
    }

    /// A percentage; `bounded` rejects values outside 0–100 here (sampling is left to
    /// its rule).
    pub(crate) fn percent(&mut self, f: &ast::Field, bounded: bool) -> Option<Spanned<f64>> {
        match self.single(f, "a percentage like `95%`")? {
            Value::Percent(p) => {
                let v: f64 = p.text.parse().ok()?;
                if bounded && !(0.0..=100.0).contains(&v) {
                    self.diags.push(
                        Diagnostic::error(
                            codes::INVALID_PERCENT,
                            format!(
                                "`{}` must be between 0% and 100%, found {}%",
                                f.key.text, p.text
                            ),
                        )
                        .primary(p.span, "out of range"),
                    );
                    return None;
                }
                Some(Spanned::new(v, p.span))
            }
            Value::Number(n) => {
                self.diags.push(
                    Diagnostic::error(
                        codes::INVALID_PERCENT,
                        format!(
                            "`{}` takes a percentage, found the number {}",
                            f.key.text, n.text
                        ),
                    )
                    .primary(n.span, "missing `%`")
                    .help(format!("write `{}%`", n.text)),
                );
                None
            }
            v => {
                let v = v.clone();
                self.bad_value(f, "a percentage like `95%`", Some(&v));
                None
            }
        }
    }

    /// A whole number ≥ 0.
    pub(crate) fn count(&mut self, f: &ast::Field) -> Option<Spanned<u32>> {
        match self.single(f, "a whole number")? {
            Value::Number(n) => self.count_of(&n.text, n.span, &f.key.text),
            v => {
                let v = v.clone();
                self.bad_value(f, "a whole number", Some(&v));
                None
            }
        }
    }

    pub(crate) fn count_of(&mut self, text: &str, span: Span, what: &str) -> Option<Spanned<u32>> {
        match text.parse::<u32>() {
            Ok(n) => Some(Spanned::new(n, span)),
            Err(_) => {
                self.diags.push(
                    Diagnostic::error(
                        codes::INVALID_VALUE,
                        format!("`{what}` takes a whole number, found `{text}`"),
                    )
                    .primary(span, "expected a whole number ≥ 0"),
                );
                None
            }
        }
    }

    pub(crate) fn duration_of(&mut self, d: &ast::Duration) -> Option<Spanned<Duration>> {
        let Ok(amount) = d.amount.text.parse::<u32>() else {
            self.diags.push(
                Diagnostic::error(
                    codes::INVALID_DURATION,
                    format!("invalid duration `{} {}`", d.amount.text, d.unit.text),
                )
                .primary(d.amount.span, "the amount must be a whole number ≥ 0")
                .help("durations are a whole number and a unit: `30 days`, `13 months`"),
            );
            return None;
        };
        match TimeUnit::parse(&d.unit.text) {
            Some(unit) => Some(Spanned::new(Duration { amount, unit }, d.span)),
            None => {
                let help = did_you_mean(&d.unit.text, TimeUnit::NAMES.iter().copied(), |c| {
                    c.to_string()
                })
                .unwrap_or_else(|| {
                    "units are `minutes`, `hours`, `days`, `weeks`, `months` and `years`".into()
                });
                self.diags.push(
                    Diagnostic::error(
                        codes::INVALID_DURATION,
                        format!("unknown duration unit `{}`", d.unit.text),
                    )
                    .primary(d.unit.span, "not a unit of time")
                    .help(help),
                );
                None
            }
        }
    }

    pub(crate) fn duration(&mut self, f: &ast::Field) -> Option<Spanned<Duration>> {
        match self.single(f, "a duration like `13 months`")? {
            Value::Duration(d) => self.duration_of(d),
            v => {
                let v = v.clone();
                self.bad_value(f, "a duration like `13 months`", Some(&v));
                None
            }
        }
    }

    pub(crate) fn window(&mut self, f: &ast::Field) -> Option<Window> {
        match self.single(f, "a window like `2 in 48 hours`")? {
            Value::Window(w) => {
                let count = self.count_of(&w.count.text, w.count.span, &f.key.text)?;
                let within = self.duration_of(&w.within)?;
                Some(Window {
                    count: count.value,
                    within: within.value,
                })
            }
            v => {
                let v = v.clone();
                self.bad_value(f, "a window like `2 in 48 hours`", Some(&v));
                None
            }
        }
    }

    pub(crate) fn block<'a>(&mut self, f: &'a ast::Field) -> Option<&'a ast::Block> {
        match &f.body {
            FieldBody::Block(b) => Some(b),
            _ => {
                self.diags.push(
                    Diagnostic::error(
                        codes::INVALID_VALUE,
                        format!("`{}` takes a block: `{} {{ … }}`", f.key.text, f.key.text),
                    )
                    .primary(f.span, "expected `{`"),
                );
                None
            }
        }
    }
}

pub(crate) fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
