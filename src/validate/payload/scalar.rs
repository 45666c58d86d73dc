//! The scalar checks, on one value whose type is known: strings (length,
//! pattern, format, date and date-time), numbers (integer, bounds,
//! `multiple_of`), enums, `not_pattern` and `not_enum`; and how a value is
//! shown in a message (PII redacted unless `--show-values`). `length` also
//! counts a list's items, for the value visitors.

use super::quote;
use super::visit::{Val, ValSeed};
use crate::ir::lower::is_multiple;
use crate::ir::values::{Date, format_number, is_rfc3339};
use crate::ir::{Format, Literal};
use crate::validate::kinds::Kind;
use crate::validate::model::{Checked, Len, Ty};

impl ValSeed<'_, '_, '_, '_> {
    /// `multiple_of`, `not_pattern`, `not_enum`.
    pub(super) fn extra(&mut self, c: &Checked, v: &Val, found: &impl Fn(&Self) -> String) {
        match *v {
            Val::Num(x) => {
                if let Some(step) = c.multiple_of
                    && !is_multiple(x, step)
                {
                    let step = format_number(step);
                    let found = found(self);
                    self.push(
                        Kind::Bounds,
                        format!("a multiple of {step} (multiple_of({step}))"),
                        found,
                    );
                }
            }
            Val::Str(s) => {
                if let Some(i) = c.not_pattern
                    && let Some((source, re)) = self.cx.model.patterns.get(i as usize)
                    && re.is_match(s)
                {
                    let expected = format!("a string not matching /{source}/ (not_pattern)");
                    let found = found(self);
                    self.push(Kind::NotAllowed, expected, found);
                }
            }
            _ => {}
        }
        if let Some(i) = c.not_enum {
            let values = &self.cx.model.enums[i as usize];
            let hit = values.iter().any(|l| match (l, v) {
                (Literal::Str(a), Val::Str(b)) => a == b,
                (Literal::Num(_), Val::Num(x)) => l.is_number(*x),
                (Literal::Bool(a), Val::Bool(b)) => a == b,
                _ => false,
            });
            if hit {
                let expected = format!("none of {} (not_enum)", self.cx.model.enum_list(i));
                let found = found(self);
                self.push(Kind::NotAllowed, expected, found);
            }
        }
    }

    /// A string as shown in messages: redacted for PII properties (unless
    /// `--show-values`).
    fn shown(&self, s: &str) -> String {
        match self.prop.pii {
            Some(class) if !self.cx.model.show_values => {
                format!("a string (redacted: pii({class}))")
            }
            _ => quote(s),
        }
    }

    /// `min_length` / `max_length`: `n` characters of a string or items of a
    /// list (`unit`).
    pub(super) fn length(&mut self, n: u64, len: Len, unit: &str) {
        if n < len.min as u64 {
            self.push(
                Kind::Length,
                format!(
                    "at least {} (min_length({}))",
                    noun(len.min as u64, unit),
                    len.min
                ),
                noun(n, unit),
            );
        } else if n > len.max as u64 {
            self.push(
                Kind::Length,
                format!(
                    "at most {} (max_length({}))",
                    noun(len.max as u64, unit),
                    len.max
                ),
                noun(n, unit),
            );
        }
    }

    pub(super) fn number(&mut self, x: f64, integral: bool, text: impl Fn() -> String) {
        self.present();
        if !self.resolve(&Val::Num(x), |_| text()) {
            return;
        }
        let b = match self.ty {
            Ty::Enum(i) => {
                if !self.cx.model.enums[*i as usize]
                    .iter()
                    .any(|v| v.is_number(x))
                {
                    self.mismatch(text());
                }
                return;
            }
            Ty::Integer(b) => {
                if !integral && x.fract() != 0.0 {
                    self.push(Kind::Type, "an integer".into(), text());
                    return;
                }
                b
            }
            Ty::Number(b) => b,
            Ty::Any => return,
            _ => {
                self.mismatch(text());
                return;
            }
        };
        if x < b.min {
            self.push(
                Kind::Bounds,
                format!("≥ {} (min({}))", format_number(b.min), format_number(b.min)),
                text(),
            );
        } else if x > b.max {
            self.push(
                Kind::Bounds,
                format!("≤ {} (max({}))", format_number(b.max), format_number(b.max)),
                text(),
            );
        }
    }

    pub(super) fn string(&mut self, s: &str) {
        self.present();
        if !self.resolve(&Val::Str(s), |me| me.shown(s)) {
            return;
        }
        match self.ty {
            Ty::String {
                format,
                pattern,
                len,
            } => {
                if !len.is_none() {
                    self.length(s.chars().count() as u64, *len, "character");
                }
                if let Some(f) = format
                    && !f.matches(s)
                {
                    let found = self.shown(s);
                    self.push(Kind::Format, format_expected(*f), found);
                }
                if let Some(i) = pattern
                    && let Some((source, re)) = self.cx.model.patterns.get(*i as usize)
                    && !re.is_match(s)
                {
                    let found = self.shown(s);
                    self.push(
                        Kind::Pattern,
                        format!("a string matching /{source}/"),
                        found,
                    );
                }
            }
            Ty::Datetime => {
                if !is_rfc3339(s) {
                    let found = self.shown(s);
                    self.push(Kind::Format, format_expected(Format::DateTime), found);
                }
            }
            Ty::Date => {
                if Date::parse(s).is_err() {
                    let found = self.shown(s);
                    self.push(Kind::Format, format_expected(Format::Date), found);
                }
            }
            Ty::Enum(i) => {
                let ok = self.cx.model.enums[*i as usize]
                    .iter()
                    .any(|v| v.as_str() == Some(s));
                if !ok {
                    let found = self.shown(s);
                    self.mismatch(found);
                }
            }
            Ty::Any => {}
            _ => {
                let found = self.shown(s);
                self.mismatch(found);
            }
        }
    }
}

/// `1 item`, `2 items`.
fn noun(n: u64, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

fn format_expected(f: Format) -> String {
    match f {
        Format::DateTime => "an RFC 3339 date-time (like 2026-11-25T10:00:00Z)".into(),
        Format::Date => "a date YYYY-MM-DD".into(),
        f => format!("a string in format `{f}`"),
    }
}

pub(super) fn format_float(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        "a number".into()
    }
}
