//! A hand-written parser for the grammar of `grammar/events.pest`, for the places
//! where throughput matters (`fmt`, `diff` on plans of thousands of events): it is
//! about ten times faster than the pest parser.
//!
//! It accepts exactly what the pest grammar accepts and builds the identical AST,
//! spans included (pest counts the spaces and comment after a rule that ends in an
//! optional or repeated part into the rule's span; so does this parser). It never
//! reports errors: on any input it does not accept (or an invalid string escape,
//! or nesting deeper than [`MAX_NESTING`]) it returns `None`, and the caller runs
//! the pest parser, which gives the diagnostics. `tests/parser_equivalence.rs`
//! checks both parsers against each other on every fixture and example and on
//! thousands of mutations of them.
//!
//! Each function mirrors one grammar rule; `~` becomes a call to `skip` (pest's
//! implicit `WHITESPACE* (COMMENT WHITESPACE*)*`). A function that fails returns
//! `None`; the caller restores the position where the grammar backtracks.

use super::MAX_NESTING;
use super::ast::*;
use crate::source::{FileId, Span};

/// Parses a whole file, or `None` when the input is not accepted as is.
pub fn parse(file: FileId, text: &str) -> Option<File> {
    let mut p = P {
        s: text.as_bytes(),
        text,
        pos: 0,
        file,
        depth: 0,
        abort: false,
    };
    let f = p.file()?;
    (!p.abort).then_some(f)
}

struct P<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
    file: FileId,
    depth: usize,
    /// Set when the input parses but pest's AST builder would report a problem
    /// (a bad escape) or the nesting guard would refuse it.
    abort: bool,
}

fn is_alpha(b: u8) -> bool {
    b.is_ascii_alphabetic()
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl<'a> P<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn at(&self, b: u8) -> bool {
        self.peek() == Some(b)
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        if self.at(b) {
            self.pos += 1;
            Some(())
        } else {
            None
        }
    }

    fn span(&self, start: usize) -> Span {
        Span::new(self.file, start, self.pos)
    }

    fn ident_at(&self, start: usize) -> Ident {
        Ident {
            text: self.text[start..self.pos].to_string(),
            span: self.span(start),
        }
    }

    /// `WHITESPACE* (COMMENT WHITESPACE*)*`; WHITESPACE is space, tab or BOM; a
    /// comment runs up to (not including) the newline.
    fn skip(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t') => self.pos += 1,
                Some(0xEF) if self.s[self.pos..].starts_with("\u{FEFF}".as_bytes()) => {
                    self.pos += 3
                }
                Some(b'/') if self.s.get(self.pos + 1) == Some(&b'/') => {
                    while let Some(b) = self.peek() {
                        if b == b'\n' || b == b'\r' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                _ => return,
            }
        }
    }

    /// NEWLINE: `\n`, `\r\n` or `\r`.
    fn newline(&mut self) -> bool {
        match self.peek() {
            Some(b'\n') => {
                self.pos += 1;
                true
            }
            Some(b'\r') => {
                self.pos += 1;
                if self.at(b'\n') {
                    self.pos += 1;
                }
                true
            }
            _ => false,
        }
    }

    /// `x*` of a silent rule `x` inside a non-atomic rule: the first `x` without a
    /// skip, each further one after a skip (undone when `x` fails).
    fn star(&mut self, x: fn(&mut Self) -> bool) -> bool {
        if !x(self) {
            return false;
        }
        loop {
            let save = self.pos;
            self.skip();
            if !x(self) {
                self.pos = save;
                return true;
            }
        }
    }

    fn nl_star(&mut self) {
        self.star(Self::newline);
    }

    fn sep(&mut self) -> bool {
        if self.at(b';') {
            self.pos += 1;
            true
        } else {
            self.newline()
        }
    }

    fn sep_star(&mut self) {
        self.star(Self::sep);
    }

    fn sep_plus(&mut self) -> bool {
        self.star(Self::sep)
    }

    /// Runs a rule that opens a delimiter, enforcing the nesting limit.
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            self.abort = true;
        }
        let r = f(self);
        self.depth -= 1;
        r
    }

    /// `p` at the current position, or the position restored and `None`.
    fn attempt<T>(&mut self, p: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        let save = self.pos;
        let r = p(self);
        if r.is_none() {
            self.pos = save;
        }
        r
    }

    // ---- atoms -------------------------------------------------------------

    /// `ident = @{ (ASCII_ALPHA | "_") ~ ident_char* }`
    fn ident(&mut self) -> Option<Ident> {
        let start = self.pos;
        match self.peek() {
            Some(b) if is_alpha(b) || b == b'_' => self.pos += 1,
            _ => return None,
        }
        while self.peek().is_some_and(is_ident_char) {
            self.pos += 1;
        }
        Some(self.ident_at(start))
    }

    /// `word = @{ (ASCII_ALPHA | "_") ~ (ident_char | "-")* }`
    fn word(&mut self) -> Option<Ident> {
        let start = self.pos;
        match self.peek() {
            Some(b) if is_alpha(b) || b == b'_' => self.pos += 1,
            _ => return None,
        }
        while self.peek().is_some_and(|b| is_ident_char(b) || b == b'-') {
            self.pos += 1;
        }
        Some(self.ident_at(start))
    }

    /// `"kw" ~ !ident_char`
    fn keyword(&mut self, kw: &str) -> Option<()> {
        let end = self.pos + kw.len();
        if self.s.get(self.pos..end) == Some(kw.as_bytes())
            && !self.s.get(end).copied().is_some_and(is_ident_char)
        {
            self.pos = end;
            Some(())
        } else {
            None
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// `number = @{ "-"? ~ ASCII_DIGIT+ ~ ("." ~ ASCII_DIGIT+)? ~ !("." | ASCII_ALPHA | "_") }`
    fn number_end(&mut self) -> Option<()> {
        if self.at(b'-') {
            self.pos += 1;
        }
        if self.digits() == 0 {
            return None;
        }
        if self.at(b'.') && self.s.get(self.pos + 1).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
            self.digits();
        }
        match self.peek() {
            Some(b) if b == b'.' || b == b'_' || is_alpha(b) => None,
            _ => Some(()),
        }
    }

    fn number(&mut self) -> Option<Ident> {
        let start = self.pos;
        self.attempt(|p| p.number_end())?;
        Some(self.ident_at(start))
    }

    /// `duration = { number ~ unit }`, `unit = @{ ASCII_ALPHA+ }`
    fn duration(&mut self) -> Option<Duration> {
        let start = self.pos;
        let amount = self.number()?;
        self.skip();
        let ustart = self.pos;
        while self.peek().is_some_and(is_alpha) {
            self.pos += 1;
        }
        if self.pos == ustart {
            return None;
        }
        let unit = self.ident_at(ustart);
        Some(Duration {
            amount,
            unit,
            span: self.span(start),
        })
    }

    /// `date = @{ ASCII_DIGIT{4} ~ "-" ~ ASCII_DIGIT{2} ~ "-" ~ ASCII_DIGIT{2} ~ !(ASCII_DIGIT | "-") }`
    fn date(&mut self) -> Option<Ident> {
        let start = self.pos;
        let d = |p: &Self, i: usize| p.s.get(start + i).is_some_and(u8::is_ascii_digit);
        let ok = (0..4).all(|i| d(self, i))
            && self.s.get(start + 4) == Some(&b'-')
            && (5..7).all(|i| d(self, i))
            && self.s.get(start + 7) == Some(&b'-')
            && (8..10).all(|i| d(self, i))
            && !self
                .s
                .get(start + 10)
                .is_some_and(|&b| b.is_ascii_digit() || b == b'-');
        if !ok {
            return None;
        }
        self.pos = start + 10;
        Some(self.ident_at(start))
    }

    /// `owner_ref = @{ "@" ~ (ASCII_ALPHANUMERIC | "." | "_" | "-")* }`
    fn owner_ref(&mut self) -> Option<Ident> {
        let start = self.pos;
        self.eat(b'@')?;
        while self
            .peek()
            .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        {
            self.pos += 1;
        }
        Some(self.ident_at(start))
    }

    /// `string = ${ "\"" ~ str_inner ~ "\"" }`, escapes resolved as the AST
    /// builder does (a bad one aborts: pest's builder reports it).
    fn string(&mut self) -> Option<Str> {
        let start = self.pos;
        self.eat(b'"')?;
        let inner_start = self.pos;
        let mut escapes = false;
        loop {
            match self.peek()? {
                b'"' => break,
                b'\n' | b'\r' => return None,
                b'\\' => {
                    escapes = true;
                    self.pos += 1;
                    match self.peek()? {
                        b'\n' | b'\r' => return None,
                        _ => self.pos += self.char_len(),
                    }
                }
                _ => self.pos += self.char_len(),
            }
        }
        let inner = &self.text[inner_start..self.pos];
        self.pos += 1;
        let value = if escapes {
            match unescape(inner) {
                Some(v) => v,
                None => {
                    self.abort = true;
                    String::new()
                }
            }
        } else {
            inner.to_string()
        };
        Some(Str {
            value,
            span: self.span(start),
        })
    }

    fn char_len(&self) -> usize {
        self.text[self.pos..]
            .chars()
            .next()
            .map_or(1, char::len_utf8)
    }

    // ---- values ------------------------------------------------------------

    /// `value = _{ window | duration | percent | date | number | string | owner_ref | array | word }`
    fn value(&mut self) -> Option<Value> {
        match self.peek()? {
            b'0'..=b'9' | b'-' => {
                let start = self.pos;
                if let Some(v) = self.attempt(|p| {
                    let count = p.number()?;
                    p.skip();
                    p.keyword("in")?;
                    p.skip();
                    let d = p.duration()?;
                    Some(Value::Window(count, d, p.span(start)))
                }) {
                    return Some(v);
                }
                if let Some(d) = self.attempt(|p| p.duration()) {
                    return Some(Value::Duration(d));
                }
                if let Some(v) = self.attempt(|p| {
                    p.number_end()?;
                    p.eat(b'%')?;
                    let raw = &p.text[start..p.pos];
                    Some(Value::Percent(Ident {
                        text: raw.trim_end_matches('%').trim().to_string(),
                        span: p.span(start),
                    }))
                }) {
                    return Some(v);
                }
                if let Some(d) = self.date() {
                    return Some(Value::Date(d));
                }
                self.number().map(Value::Number)
            }
            b'"' => self.string().map(Value::Str),
            b'@' => self.owner_ref().map(Value::Owner),
            b'[' => self.attempt(|p| p.array()),
            _ => self.word().map(Value::Word),
        }
    }

    /// `x ~ (nl* ~ "," ~ nl* ~ x)*`: the items of a comma-separated list. Leaves
    /// the position after the last item.
    fn comma_list<T>(&mut self, first: T, item: fn(&mut Self) -> Option<T>) -> Vec<T> {
        let inner = |p: &mut Self| -> Option<T> {
            p.nl_star();
            p.skip();
            p.eat(b',')?;
            p.skip();
            p.nl_star();
            p.skip();
            item(p)
        };
        let mut out = vec![first];
        // pest: `x ~ r*` is x, skip, then `r (skip r)*`; a failed `skip r` is undone,
        // the skip before the first `r` is not.
        self.skip();
        if let Some(x) = self.attempt(inner) {
            out.push(x);
            loop {
                let save = self.pos;
                self.skip();
                match self.attempt(inner) {
                    Some(x) => out.push(x),
                    None => {
                        self.pos = save;
                        break;
                    }
                }
            }
        }
        out
    }

    /// `array = { "[" ~ nl* ~ (value ~ (nl* ~ "," ~ nl* ~ value)* ~ (nl* ~ ",")?)? ~ nl* ~ "]" }`
    fn array(&mut self) -> Option<Value> {
        let start = self.pos;
        self.nested(|p| {
            p.eat(b'[')?;
            p.skip();
            p.nl_star();
            p.skip();
            let items = p.list_body(Self::value);
            p.skip();
            p.nl_star();
            p.skip();
            p.eat(b']')?;
            Some(Value::Array(items, p.span(start)))
        })
    }

    /// `(x ~ (nl* ~ "," ~ nl* ~ x)* ~ (nl* ~ ",")?)?`
    fn list_body<T>(&mut self, item: fn(&mut Self) -> Option<T>) -> Vec<T> {
        let Some(first) = self.attempt(item) else {
            return Vec::new();
        };
        let items = self.comma_list(first, item);
        self.skip();
        self.attempt(|p| {
            p.nl_star();
            p.skip();
            p.eat(b',')
        });
        items
    }

    /// `value_list = { value ~ (nl* ~ "," ~ nl* ~ value)* ~ ("," ~ &(nl* ~ "}"))? }`
    fn value_list(&mut self) -> Option<(Vec<Value>, Span)> {
        let start = self.pos;
        let first = self.value()?;
        let values = self.comma_list(first, Self::value);
        self.skip();
        self.attempt(|p| {
            p.eat(b',')?;
            p.skip();
            let save = p.pos;
            p.nl_star();
            p.skip();
            let closes = p.at(b'}');
            p.pos = save;
            closes.then_some(())
        });
        Some((values, self.span(start)))
    }

    /// `call_args = { "(" ~ nl* ~ (arg ~ (nl* ~ "," ~ nl* ~ arg)* ~ (nl* ~ ",")?)? ~ nl* ~ ")" }`
    fn call_args(&mut self) -> Option<Args> {
        let start = self.pos;
        self.nested(|p| {
            p.eat(b'(')?;
            p.skip();
            p.nl_star();
            p.skip();
            let args = p.list_body(Self::arg);
            p.skip();
            p.nl_star();
            p.skip();
            p.eat(b')')?;
            Some(Args {
                args,
                span: p.span(start),
            })
        })
    }

    /// `arg = { keyed_arg | value }`, `keyed_arg = { ident ~ value }`
    fn arg(&mut self) -> Option<Arg> {
        let start = self.pos;
        if let Some(a) = self.attempt(|p| {
            let key = p.ident()?;
            p.skip();
            let value = p.value()?;
            Some(Arg {
                key: Some(key),
                value,
                span: p.span(start),
            })
        }) {
            return Some(a);
        }
        let value = self.value()?;
        Some(Arg {
            key: None,
            value,
            span: self.span(start),
        })
    }

    // ---- types -------------------------------------------------------------

    /// `ty = _{ list_ty | enum_ty | object_ty | named_ty }`
    fn ty(&mut self) -> Option<TypeExpr> {
        let start = self.pos;
        if let Some(t) = self.attempt(|p| {
            p.keyword("list")?;
            p.skip();
            p.nested(|p| {
                p.eat(b'(')?;
                p.skip();
                let inner = p.ty()?;
                p.skip();
                p.eat(b')')?;
                Some(TypeExpr::List(Box::new(inner), p.span(start)))
            })
        }) {
            return Some(t);
        }
        if let Some(t) = self.attempt(|p| {
            p.keyword("enum")?;
            p.skip();
            p.nested(|p| {
                p.eat(b'(')?;
                p.skip();
                p.nl_star();
                p.skip();
                let first = p.string()?;
                let values = p.comma_list(first, Self::string);
                p.skip();
                p.attempt(|p| {
                    p.nl_star();
                    p.skip();
                    p.eat(b',')
                });
                p.skip();
                p.nl_star();
                p.skip();
                p.eat(b')')?;
                Some(TypeExpr::Enum(values, p.span(start)))
            })
        }) {
            return Some(t);
        }
        if let Some(t) = self.attempt(|p| {
            p.keyword("object")?;
            p.skip();
            let block = p.block()?;
            Some(TypeExpr::Object(block, p.span(start)))
        }) {
            return Some(t);
        }
        self.ident().map(TypeExpr::Named)
    }

    // ---- items -------------------------------------------------------------

    /// `block = { "{" ~ sep* ~ (item ~ (sep+ ~ item)*)? ~ sep* ~ "}" }`
    fn block(&mut self) -> Option<Block> {
        let start = self.pos;
        self.nested(|p| {
            p.eat(b'{')?;
            p.skip();
            p.sep_star();
            p.skip();
            let mut items = Vec::new();
            if let Some(first) = p.attempt(Self::item) {
                items.push(first);
                loop {
                    let save = p.pos;
                    p.skip();
                    let next = p.attempt(|p| {
                        if !p.sep_plus() {
                            return None;
                        }
                        p.skip();
                        p.item()
                    });
                    match next {
                        Some(i) => items.push(i),
                        None => {
                            p.pos = save;
                            break;
                        }
                    }
                }
            }
            p.skip();
            p.sep_star();
            p.skip();
            p.eat(b'}')?;
            Some(Block {
                items,
                span: p.span(start),
            })
        })
    }

    /// `item = _{ property | rule_setting | field | value_list }`
    fn item(&mut self) -> Option<Item> {
        match self.peek()? {
            b if is_alpha(b) || b == b'_' => {
                if let Some(prop) = self.attempt(Self::property) {
                    return Some(Item::Property(prop));
                }
                self.field().map(Item::Field)
            }
            b'"' => {
                if let Some(r) = self.attempt(Self::rule_setting) {
                    return Some(Item::RuleSetting(r));
                }
                let (vs, span) = self.value_list()?;
                Some(Item::Values(vs, span))
            }
            _ => {
                let (vs, span) = self.value_list()?;
                Some(Item::Values(vs, span))
            }
        }
    }

    /// `property = { ident ~ ":" ~ ty ~ (modifier | string)* }`
    fn property(&mut self) -> Option<Property> {
        let start = self.pos;
        let name = self.ident()?;
        self.skip();
        self.eat(b':')?;
        self.skip();
        let ty = self.ty()?;
        self.skip();
        let mut tail = Vec::new();
        let tail_item = |p: &mut Self| -> Option<PropTail> {
            if p.at(b'"') {
                p.string().map(PropTail::Description)
            } else {
                p.modifier().map(PropTail::Modifier)
            }
        };
        if let Some(t) = self.attempt(tail_item) {
            tail.push(t);
            loop {
                let save = self.pos;
                self.skip();
                match self.attempt(tail_item) {
                    Some(t) => tail.push(t),
                    None => {
                        self.pos = save;
                        break;
                    }
                }
            }
        }
        Some(Property {
            name,
            ty,
            tail,
            span: self.span(start),
        })
    }

    /// `modifier = { ident ~ call_args? }`
    fn modifier(&mut self) -> Option<Modifier> {
        let start = self.pos;
        let name = self.ident()?;
        self.skip();
        let args = if self.at(b'(') {
            self.attempt(Self::call_args)
        } else {
            None
        };
        Some(Modifier {
            name,
            args,
            span: self.span(start),
        })
    }

    /// `rule_setting = { string ~ "=" ~ word }`
    fn rule_setting(&mut self) -> Option<RuleSetting> {
        let start = self.pos;
        let rule = self.string()?;
        self.skip();
        self.eat(b'=')?;
        self.skip();
        let level = self.word()?;
        Some(RuleSetting {
            rule,
            level,
            span: self.span(start),
        })
    }

    /// `field = { ident ~ (call_args | block | value_list)? }`
    fn field(&mut self) -> Option<Field> {
        let start = self.pos;
        let key = self.ident()?;
        self.skip();
        let body = match self.peek() {
            Some(b'(') => self.attempt(Self::call_args).map(FieldBody::Call),
            Some(b'{') => self.attempt(Self::block).map(FieldBody::Block),
            _ => self
                .attempt(Self::value_list)
                .map(|(vs, _)| FieldBody::Values(vs)),
        };
        Some(Field {
            key,
            body: body.unwrap_or(FieldBody::Empty),
            span: self.span(start),
        })
    }

    // ---- declarations --------------------------------------------------------

    /// `decl = { ident ~ decl_name? ~ block }`
    fn decl(&mut self) -> Option<Decl> {
        let start = self.pos;
        let kind = self.ident()?;
        self.skip();
        let name = match self.peek() {
            Some(b'"') => self.attempt(Self::string).map(DeclName::Str),
            Some(b'@') => self.owner_ref().map(DeclName::Owner),
            _ => self.attempt(Self::ident).map(DeclName::Ident),
        };
        self.skip();
        let block = self.block()?;
        Some(Decl {
            kind,
            name,
            block,
            span: self.span(start),
        })
    }

    /// `file = { SOI ~ sep* ~ (decl ~ (sep+ ~ decl)*)? ~ sep* ~ EOI }`
    fn file(&mut self) -> Option<File> {
        self.skip();
        self.sep_star();
        self.skip();
        let mut decls = Vec::new();
        if let Some(first) = self.attempt(Self::decl) {
            decls.push(first);
            loop {
                let save = self.pos;
                self.skip();
                let next = self.attempt(|p| {
                    if !p.sep_plus() {
                        return None;
                    }
                    p.skip();
                    p.decl()
                });
                match next {
                    Some(d) => decls.push(d),
                    None => {
                        self.pos = save;
                        break;
                    }
                }
            }
        }
        self.skip();
        self.sep_star();
        self.skip();
        (self.pos == self.s.len()).then_some(File { decls })
    }
}

/// Resolves escapes as the AST builder does; `None` where it reports an error.
fn unescape(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let (_, e) = chars.next()?;
        match e {
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'u' => {
                let rest = &s[i + 2..];
                let close = rest.find('}')?;
                rest.strip_prefix('{')?;
                if !(1..=6).contains(&(close - 1)) {
                    return None;
                }
                let ch = u32::from_str_radix(&rest[1..close], 16)
                    .ok()
                    .and_then(char::from_u32)?;
                out.push(ch);
                for _ in 0..=close {
                    chars.next();
                }
            }
            _ => return None,
        }
    }
    Some(out)
}
