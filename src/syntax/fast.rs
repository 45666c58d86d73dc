//! A hand-written recursive-descent parser that mirrors `grammar/events.pest` rule
//! for rule and builds the same AST several times faster than pest (whose
//! per-rule call-limit and stack guards dominate on large plans; the figure is
//! in ARCHITECTURE.md, "Two parsers, one grammar"; bench/check.sh times `check`).
//!
//! It is only a fast path: it returns `None` on any input it does not accept, and
//! `syntax::parse` then runs pest, which is the grammar of record and produces the
//! located error. `tests/parser_agreement.rs` checks that both parsers accept the
//! same inputs and build the same AST (fixtures, examples and mutated inputs).
//!
//! Each function is named after its grammar rule and, like a PEG rule, either
//! succeeds having consumed input or fails having consumed nothing.

use super::MAX_NESTING;
use super::ast::*;
use super::build::unescape;
use crate::diagnostics::Diagnostic;
use crate::source::{FileId, Span};

pub(crate) struct Parser<'a> {
    text: &'a str,
    s: &'a [u8],
    pos: usize,
    file: FileId,
    depth: usize,
    pub diagnostics: Vec<Diagnostic>,
}

type R<T> = Option<T>;

fn is_alpha(b: u8) -> bool {
    b.is_ascii_alphabetic()
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Parses a whole file, or returns `None` if pest would reject it (or nesting is
/// too deep); the caller then asks pest for the error.
pub(crate) fn parse(file: FileId, text: &str) -> Option<(File, Vec<Diagnostic>)> {
    parse_range(file, text, 0, text.len())
}

/// Parses `text[start..end]` as if it were a whole file (used to recover after a
/// syntax error, one top-level declaration at a time); spans stay absolute.
pub(crate) fn parse_range(
    file: FileId,
    text: &str,
    start: usize,
    end: usize,
) -> Option<(File, Vec<Diagnostic>)> {
    let text = text.get(..end)?;
    let mut p = Parser {
        text,
        s: text.as_bytes(),
        pos: start,
        file,
        depth: 0,
        diagnostics: Vec::new(),
    };
    if start == 0 {
        p.eat("\u{FEFF}".as_bytes());
    }
    let f = p.file_rule()?;
    Some((f, p.diagnostics))
}

/// The header of a declaration starting at `start`: its kind and name, if they parse.
pub(crate) fn decl_header(
    file: FileId,
    text: &str,
    start: usize,
) -> Option<(Ident, Option<DeclName>)> {
    let mut p = Parser {
        text,
        s: text.as_bytes(),
        pos: start,
        file,
        depth: 0,
        diagnostics: Vec::new(),
    };
    let kind = p.ident()?;
    p.hs();
    let name = p.attempt(Parser::decl_name);
    Some((kind, name))
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn at(&self, lit: &[u8]) -> bool {
        self.s[self.pos..].starts_with(lit)
    }

    fn eat(&mut self, lit: &[u8]) -> bool {
        if self.at(lit) {
            self.pos += lit.len();
            true
        } else {
            false
        }
    }

    fn span(&self, start: usize) -> Span {
        Span::new(self.file, start, self.pos)
    }

    /// Runs `f`; on failure restores the position (PEG backtracking).
    fn attempt<T>(&mut self, f: impl FnOnce(&mut Self) -> R<T>) -> R<T> {
        let (save, depth, diags) = (self.pos, self.depth, self.diagnostics.len());
        let r = f(self);
        if r.is_none() {
            self.pos = save;
            self.depth = depth;
            self.diagnostics.truncate(diags);
        }
        r
    }

    // ---- whitespace -----------------------------------------------------

    fn hs(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    /// NEWLINE = "\n" | "\r\n" | "\r"
    fn newline(&mut self) -> bool {
        self.eat(b"\n") || self.eat(b"\r\n") || self.eat(b"\r")
    }

    fn comment(&mut self) -> bool {
        if !self.at(b"//") {
            return false;
        }
        while let Some(b) = self.peek() {
            if b == b'\n' || b == b'\r' {
                break;
            }
            self.pos += 1;
        }
        true
    }

    /// eol = hs ~ comment? ~ NEWLINE
    fn eol(&mut self) -> bool {
        let save = self.pos;
        self.hs();
        self.comment();
        if self.newline() {
            true
        } else {
            self.pos = save;
            false
        }
    }

    /// nls = eol* ~ hs
    fn nls(&mut self) {
        while self.eol() {}
        self.hs();
    }

    /// sep = hs ~ (";" | comment? ~ NEWLINE)
    fn sep(&mut self) -> bool {
        let save = self.pos;
        self.hs();
        if self.eat(b";") {
            return true;
        }
        self.comment();
        if self.newline() {
            true
        } else {
            self.pos = save;
            false
        }
    }

    /// skip = sep* ~ hs
    fn skip(&mut self) {
        while self.sep() {}
        self.hs();
    }

    // ---- structure ------------------------------------------------------

    fn file_rule(&mut self) -> R<File> {
        self.skip();
        let mut decls = Vec::new();
        if let Some(d) = self.attempt(Self::decl) {
            decls.push(d);
            while let Some(d) = self.attempt(|p| {
                if !p.sep() {
                    return None;
                }
                p.skip();
                p.decl()
            }) {
                decls.push(d);
            }
        }
        self.skip();
        self.comment();
        (self.pos == self.s.len()).then_some(File { decls })
    }

    fn decl(&mut self) -> R<Decl> {
        let start = self.pos;
        let kind = self.ident()?;
        self.hs();
        let name = self.attempt(|p| {
            let n = p.decl_name()?;
            p.hs();
            Some(n)
        });
        let block = self.block()?;
        Some(Decl {
            kind,
            name,
            block,
            span: self.span(start),
        })
    }

    fn decl_name(&mut self) -> R<DeclName> {
        if let Some(s) = self.attempt(Self::string) {
            return Some(DeclName::Str(s));
        }
        if let Some(o) = self.attempt(Self::owner_ref) {
            return Some(DeclName::Owner(o));
        }
        self.attempt(Self::ident).map(DeclName::Ident)
    }

    fn enter(&mut self) -> R<()> {
        self.depth += 1;
        (self.depth <= MAX_NESTING).then_some(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn block(&mut self) -> R<Block> {
        self.attempt(|p| {
            let start = p.pos;
            if !p.eat(b"{") {
                return None;
            }
            p.enter()?;
            p.skip();
            let mut items = Vec::new();
            if let Some(i) = p.attempt(Self::item) {
                items.push(i);
                while let Some(i) = p.attempt(|p| {
                    if !p.sep() {
                        return None;
                    }
                    p.skip();
                    p.item()
                }) {
                    items.push(i);
                }
            }
            p.skip();
            if !p.eat(b"}") {
                return None;
            }
            p.leave();
            items.shrink_to_fit();
            Some(Block {
                items,
                span: p.span(start),
            })
        })
    }

    fn item(&mut self) -> R<Item> {
        if let Some(p) = self.attempt(Self::property) {
            return Some(Item::Property(p));
        }
        if let Some(r) = self.attempt(Self::rule_setting) {
            return Some(Item::RuleSetting(r));
        }
        if let Some(f) = self.attempt(Self::field) {
            return Some(Item::Field(f));
        }
        let start = self.pos;
        let vs = self.attempt(Self::value_list)?;
        Some(Item::Values(vs, self.span(start)))
    }

    fn property(&mut self) -> R<Property> {
        let start = self.pos;
        let name = match self.peek() {
            // A quoted name: its value, spanning the quotes.
            Some(b'"') => {
                let s = self.string()?;
                Ident {
                    text: s.value,
                    span: s.span,
                }
            }
            _ => self.ident()?,
        };
        self.hs();
        if !self.eat(b":") {
            return None;
        }
        self.hs();
        let ty = self.ty()?;
        let mut tail = Vec::new();
        while let Some(t) = self.attempt(|p| {
            p.hs();
            if let Some(m) = p.attempt(Self::modifier) {
                return Some(PropTail::Modifier(m));
            }
            p.attempt(Self::string).map(PropTail::Description)
        }) {
            tail.push(t);
        }
        tail.shrink_to_fit();
        Some(Property {
            name,
            ty,
            tail,
            span: self.span(start),
        })
    }

    fn modifier(&mut self) -> R<Modifier> {
        let start = self.pos;
        let name = self.ident()?;
        let args = self.attempt(Self::call_args);
        Some(Modifier {
            name,
            args,
            span: self.span(start),
        })
    }

    /// `open ~ nls ~ (item ~ (nls ~ "," ~ nls ~ item)* ~ (nls ~ ",")?)? ~ nls ~ close`,
    /// the shape of argument lists, inline enums and arrays. `required` asks for at
    /// least one item (inline enums).
    fn delimited<T>(
        &mut self,
        open: &[u8],
        close: &[u8],
        required: bool,
        mut item: impl FnMut(&mut Self) -> R<T>,
    ) -> R<Vec<T>> {
        if !self.eat(open) {
            return None;
        }
        self.enter()?;
        self.nls();
        let mut items = Vec::new();
        if let Some(a) = self.attempt(&mut item) {
            items.push(a);
            while let Some(a) = self.attempt(|p| {
                p.nls();
                if !p.eat(b",") {
                    return None;
                }
                p.nls();
                item(p)
            }) {
                items.push(a);
            }
            self.attempt(|p| {
                p.nls();
                p.eat(b",").then_some(())
            });
        } else if required {
            return None;
        }
        self.nls();
        if !self.eat(close) {
            return None;
        }
        self.leave();
        items.shrink_to_fit();
        Some(items)
    }

    fn call_args(&mut self) -> R<Args> {
        let start = self.pos;
        let args = self.delimited(b"(", b")", false, Self::arg)?;
        Some(Args {
            args,
            span: self.span(start),
        })
    }

    fn arg(&mut self) -> R<Arg> {
        let start = self.pos;
        if let Some((key, value)) = self.attempt(|p| {
            let k = p.ident()?;
            p.hs();
            let v = p.value()?;
            Some((k, v))
        }) {
            return Some(Arg {
                key: Some(key),
                value,
                span: self.span(start),
            });
        }
        let value = self.attempt(Self::value)?;
        Some(Arg {
            key: None,
            value,
            span: self.span(start),
        })
    }

    fn keyword(&mut self, kw: &[u8]) -> bool {
        let save = self.pos;
        if self.eat(kw) && !self.peek().is_some_and(is_ident_char) {
            true
        } else {
            self.pos = save;
            false
        }
    }

    /// `one_ty ~ (hs ~ "|" ~ hs ~ one_ty)*`: a type, or a union of types.
    fn ty(&mut self) -> R<TypeExpr> {
        let start = self.pos;
        let first = self.one_ty()?;
        let mut members = Vec::new();
        while let Some(t) = self.attempt(|p| {
            p.hs();
            if !p.eat(b"|") {
                return None;
            }
            p.hs();
            p.one_ty()
        }) {
            members.push(t);
        }
        if members.is_empty() {
            return Some(first);
        }
        members.insert(0, first);
        members.shrink_to_fit();
        Some(TypeExpr::Union(members, self.span(start)))
    }

    fn one_ty(&mut self) -> R<TypeExpr> {
        if let Some(t) = self.attempt(|p| {
            let start = p.pos;
            if !p.keyword(b"list") {
                return None;
            }
            p.hs();
            if !p.eat(b"(") {
                return None;
            }
            p.enter()?;
            p.nls();
            let item = p.ty()?;
            let mut mods = Vec::new();
            while let Some(m) = p.attempt(|p| {
                p.hs();
                p.modifier()
            }) {
                mods.push(m);
            }
            p.nls();
            if !p.eat(b")") {
                return None;
            }
            p.leave();
            mods.shrink_to_fit();
            Some(TypeExpr::List(
                Box::new(ListType { item, mods }),
                p.span(start),
            ))
        }) {
            return Some(t);
        }
        if let Some(t) = self.attempt(|p| {
            let start = p.pos;
            if !p.keyword(b"enum") {
                return None;
            }
            p.hs();
            let values = p.delimited(b"(", b")", true, Self::enum_value)?;
            Some(TypeExpr::Enum(values, p.span(start)))
        }) {
            return Some(t);
        }
        if let Some(t) = self.attempt(|p| {
            let start = p.pos;
            if !p.keyword(b"object") {
                return None;
            }
            p.hs();
            let b = p.block()?;
            Some(TypeExpr::Object(b, p.span(start)))
        }) {
            return Some(t);
        }
        self.attempt(Self::ident).map(TypeExpr::Named)
    }

    /// `string | number | word`: a value of an inline enum.
    fn enum_value(&mut self) -> R<Value> {
        match self.peek()? {
            b'"' => self.attempt(Self::string).map(Value::Str),
            b if b.is_ascii_digit() || b == b'-' => self.attempt(Self::number).map(Value::Number),
            _ => self.attempt(Self::word).map(Value::Word),
        }
    }

    fn rule_setting(&mut self) -> R<RuleSetting> {
        let start = self.pos;
        let rule = self.string()?;
        self.hs();
        if !self.eat(b"=") {
            return None;
        }
        self.hs();
        let level = self.word()?;
        Some(RuleSetting {
            rule,
            level,
            span: self.span(start),
        })
    }

    fn field(&mut self) -> R<Field> {
        let start = self.pos;
        let key = self.ident()?;
        let body = if let Some(a) = self.attempt(Self::call_args) {
            FieldBody::Call(a)
        } else if let Some(b) = self.attempt(|p| {
            p.hs();
            if let Some(b) = p.block() {
                return Some(FieldBody::Block(b));
            }
            p.attempt(Self::value_list).map(FieldBody::Values)
        }) {
            b
        } else {
            FieldBody::Empty
        };
        Some(Field {
            key,
            body,
            span: self.span(start),
        })
    }

    fn value_list(&mut self) -> R<Vec<Value>> {
        let mut vs = vec![self.value()?];
        while let Some(v) = self.attempt(|p| {
            p.hs();
            if !p.eat(b",") {
                return None;
            }
            p.nls();
            p.value()
        }) {
            vs.push(v);
        }
        // A trailing comma before the closing brace.
        self.attempt(|p| {
            p.hs();
            if !p.eat(b",") {
                return None;
            }
            let save = p.pos;
            p.skip();
            let ok = p.at(b"}");
            p.pos = save;
            ok.then_some(())
        });
        vs.shrink_to_fit();
        Some(vs)
    }

    // ---- values ---------------------------------------------------------

    fn value(&mut self) -> R<Value> {
        let b = self.peek()?;
        if b.is_ascii_digit() || b == b'-' {
            if let Some(v) = self.attempt(Self::window) {
                return Some(v);
            }
            if let Some(d) = self.attempt(Self::duration) {
                return Some(Value::Duration(Box::new(d)));
            }
            if let Some(v) = self.attempt(Self::percent) {
                return Some(v);
            }
            if let Some(d) = self.attempt(Self::date) {
                return Some(Value::Date(d));
            }
            if let Some(n) = self.attempt(Self::number) {
                return Some(Value::Number(n));
            }
            return None;
        }
        match b {
            b'"' => self.attempt(Self::string).map(Value::Str),
            b'@' => self.attempt(Self::owner_ref).map(Value::Owner),
            b'[' => self.attempt(Self::array),
            _ => self.attempt(Self::word).map(Value::Word),
        }
    }

    fn window(&mut self) -> R<Value> {
        let start = self.pos;
        let n = self.number()?;
        self.hs();
        if !self.keyword(b"in") {
            return None;
        }
        self.hs();
        let d = self.duration()?;
        Some(Value::Window(Box::new(Window {
            count: n,
            within: d,
            span: self.span(start),
        })))
    }

    fn duration(&mut self) -> R<Duration> {
        let start = self.pos;
        let amount = self.number()?;
        self.hs();
        let ustart = self.pos;
        while self.peek().is_some_and(is_alpha) {
            self.pos += 1;
        }
        if self.pos == ustart {
            return None;
        }
        let unit = self.token(ustart);
        Some(Duration {
            amount,
            unit,
            span: self.span(start),
        })
    }

    fn token(&self, start: usize) -> Ident {
        Ident {
            text: self.text[start..self.pos].to_string(),
            span: self.span(start),
        }
    }

    fn percent(&mut self) -> R<Value> {
        let start = self.pos;
        self.number()?;
        if !self.eat(b"%") {
            return None;
        }
        let text = self.text[start..self.pos - 1].trim().to_string();
        Some(Value::Percent(Ident {
            text,
            span: self.span(start),
        }))
    }

    fn digits(&mut self, n: usize) -> bool {
        let ok = self.s.len() >= self.pos + n
            && self.s[self.pos..self.pos + n]
                .iter()
                .all(u8::is_ascii_digit);
        if ok {
            self.pos += n;
        }
        ok
    }

    fn date(&mut self) -> R<Ident> {
        let start = self.pos;
        let ok =
            self.digits(4) && self.eat(b"-") && self.digits(2) && self.eat(b"-") && self.digits(2);
        if !ok || self.peek().is_some_and(|b| b.is_ascii_digit() || b == b'-') {
            return None;
        }
        Some(self.token(start))
    }

    fn number(&mut self) -> R<Ident> {
        let start = self.pos;
        self.eat(b"-");
        let d = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        if self.pos == d {
            return None;
        }
        if self.peek() == Some(b'.') && self.s.get(self.pos + 1).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
            while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                self.pos += 1;
            }
        }
        if self
            .peek()
            .is_some_and(|b| b == b'.' || is_alpha(b) || b == b'_')
        {
            return None;
        }
        Some(self.token(start))
    }

    fn owner_ref(&mut self) -> R<Ident> {
        let start = self.pos;
        if !self.eat(b"@") {
            return None;
        }
        while self
            .peek()
            .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        {
            self.pos += 1;
        }
        Some(self.token(start))
    }

    fn ident(&mut self) -> R<Ident> {
        let start = self.pos;
        if !self.peek().is_some_and(|b| is_alpha(b) || b == b'_') {
            return None;
        }
        self.pos += 1;
        while self.peek().is_some_and(is_ident_char) {
            self.pos += 1;
        }
        Some(self.token(start))
    }

    fn word(&mut self) -> R<Ident> {
        let start = self.pos;
        if !self.peek().is_some_and(|b| is_alpha(b) || b == b'_') {
            return None;
        }
        self.pos += 1;
        while self.peek().is_some_and(|b| is_ident_char(b) || b == b'-') {
            self.pos += 1;
        }
        Some(self.token(start))
    }

    fn array(&mut self) -> R<Value> {
        let start = self.pos;
        let items = self.delimited(b"[", b"]", false, Self::value)?;
        Some(Value::Array(items, self.span(start)))
    }

    fn string(&mut self) -> R<Str> {
        let start = self.pos;
        if !self.eat(b"\"") {
            return None;
        }
        let inner = self.pos;
        let mut escapes = false;
        loop {
            match self.peek()? {
                b'"' => break,
                b'\\' => {
                    // "\\" ~ !NEWLINE ~ ANY
                    if matches!(self.s.get(self.pos + 1), None | Some(b'\n' | b'\r')) {
                        return None;
                    }
                    escapes = true;
                    self.pos += 1;
                    self.pos += utf8_len(self.s[self.pos]);
                }
                b'\n' | b'\r' => return None,
                b => self.pos += utf8_len(b),
            }
        }
        let raw = &self.text[inner..self.pos];
        self.pos += 1;
        let value = if escapes {
            unescape(self.file, &mut self.diagnostics, raw, inner)
        } else {
            raw.to_string()
        };
        Some(Str {
            value,
            span: self.span(start),
        })
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}
