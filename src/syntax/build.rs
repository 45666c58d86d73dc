//! pest pairs → AST, one function per grammar rule.

use super::Rule;
use super::ast::*;
use crate::diagnostics::{Diagnostic, codes};
use crate::source::{FileId, Span};
use pest::iterators::Pair;

pub(crate) struct Builder {
    file: FileId,
    pub diagnostics: Vec<Diagnostic>,
}

impl Builder {
    pub(crate) fn new(file: FileId) -> Self {
        Builder {
            file,
            diagnostics: Vec::new(),
        }
    }

    fn span(&self, p: &Pair<Rule>) -> Span {
        let s = p.as_span();
        Span::new(self.file, s.start(), s.end())
    }

    pub(crate) fn file(&mut self, p: Pair<Rule>) -> File {
        let decls = p
            .into_inner()
            .filter(|p| p.as_rule() == Rule::decl)
            .map(|p| self.decl(p))
            .collect();
        File { decls }
    }

    fn decl(&mut self, p: Pair<Rule>) -> Decl {
        let span = self.span(&p);
        let mut kind = None;
        let mut name = None;
        let mut block = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::ident if kind.is_none() => kind = Some(self.ident(c)),
                Rule::ident => name = Some(DeclName::Ident(self.ident(c))),
                Rule::owner_ref => name = Some(DeclName::Owner(self.ident(c))),
                Rule::string => name = Some(DeclName::Str(self.string(c))),
                Rule::block => block = Some(self.block(c)),
                _ => {}
            }
        }
        Decl {
            kind: kind.unwrap_or_else(|| self.empty_ident(span)),
            name,
            block: block.unwrap_or(Block {
                items: Vec::new(),
                span,
            }),
            span,
        }
    }

    fn empty_ident(&self, span: Span) -> Ident {
        Ident {
            text: String::new(),
            span,
        }
    }

    fn block(&mut self, p: Pair<Rule>) -> Block {
        let span = self.span(&p);
        let items = p.into_inner().filter_map(|c| self.item(c)).collect();
        Block { items, span }
    }

    fn item(&mut self, p: Pair<Rule>) -> Option<Item> {
        Some(match p.as_rule() {
            Rule::property => Item::Property(self.property(p)),
            Rule::rule_setting => Item::RuleSetting(self.rule_setting(p)),
            Rule::field => Item::Field(self.field(p)),
            Rule::value_list => {
                let span = self.span(&p);
                Item::Values(self.value_list(p), span)
            }
            _ => return None,
        })
    }

    fn property(&mut self, p: Pair<Rule>) -> Property {
        let span = self.span(&p);
        let mut inner = p.into_inner();
        let name = match inner.next() {
            // A quoted name: its value, spanning the quotes.
            Some(n) if n.as_rule() == Rule::string => {
                let s = self.string(n);
                Ident {
                    text: s.value,
                    span: s.span,
                }
            }
            Some(n) => self.ident(n),
            None => self.empty_ident(span),
        };
        let mut inner = inner.peekable();
        let ty = match inner.next() {
            Some(t) => self.union(t, &mut inner),
            None => TypeExpr::Named(self.empty_ident(span)),
        };
        let tail = inner
            .map(|c| match c.as_rule() {
                Rule::string => PropTail::Description(self.string(c)),
                _ => PropTail::Modifier(self.modifier(c)),
            })
            .collect();
        Property {
            name,
            ty,
            tail,
            span,
        }
    }

    /// A type `first` and the `union_ty` pairs that follow it: the type, or the
    /// union of them all.
    fn union<'i>(
        &mut self,
        first: Pair<'i, Rule>,
        rest: &mut std::iter::Peekable<impl Iterator<Item = Pair<'i, Rule>>>,
    ) -> TypeExpr {
        let start = first.as_span().start();
        let first = self.ty(first);
        let mut members = Vec::new();
        let mut end = first.span().end as usize;
        while let Some(u) = rest.next_if(|c| c.as_rule() == Rule::union_ty) {
            end = u.as_span().end();
            if let Some(t) = u.into_inner().next() {
                members.push(self.ty(t));
            }
        }
        if members.is_empty() {
            return first;
        }
        members.insert(0, first);
        let span = Span {
            file: self.file,
            start: start as u32,
            end: end as u32,
        };
        TypeExpr::Union(members, span)
    }

    fn ty(&mut self, p: Pair<Rule>) -> TypeExpr {
        let span = self.span(&p);
        match p.as_rule() {
            Rule::list_ty => {
                let mut inner = p
                    .into_inner()
                    .filter(|c| c.as_rule() != Rule::kw_list)
                    .peekable();
                let item = match inner.next() {
                    Some(t) => self.union(t, &mut inner),
                    None => TypeExpr::Named(self.empty_ident(span)),
                };
                let mods = inner.map(|m| self.modifier(m)).collect();
                TypeExpr::List(Box::new(ListType { item, mods }), span)
            }
            Rule::enum_ty => {
                let values = p
                    .into_inner()
                    .filter(|c| c.as_rule() != Rule::kw_enum)
                    .map(|c| self.value(c))
                    .collect();
                TypeExpr::Enum(values, span)
            }
            Rule::object_ty => {
                let block = p
                    .into_inner()
                    .find(|c| c.as_rule() == Rule::block)
                    .map(|c| self.block(c))
                    .unwrap_or(Block {
                        items: Vec::new(),
                        span,
                    });
                TypeExpr::Object(block, span)
            }
            _ => {
                let id = p
                    .into_inner()
                    .next()
                    .map(|c| self.ident(c))
                    .unwrap_or_else(|| self.empty_ident(span));
                TypeExpr::Named(id)
            }
        }
    }

    fn modifier(&mut self, p: Pair<Rule>) -> Modifier {
        let span = self.span(&p);
        let mut inner = p.into_inner();
        let name = match inner.next() {
            Some(n) => self.ident(n),
            None => self.empty_ident(span),
        };
        let args = inner.next().map(|a| self.call_args(a));
        Modifier { name, args, span }
    }

    fn call_args(&mut self, p: Pair<Rule>) -> Args {
        let span = self.span(&p);
        let args = p.into_inner().map(|a| self.arg(a)).collect();
        Args { args, span }
    }

    fn arg(&mut self, p: Pair<Rule>) -> Arg {
        let span = self.span(&p);
        let inner = p.into_inner().next();
        match inner {
            Some(k) if k.as_rule() == Rule::keyed_arg => {
                let mut kv = k.into_inner();
                let key = kv.next().map(|c| self.ident(c));
                let value = kv
                    .next()
                    .map(|c| self.value(c))
                    .unwrap_or_else(|| Value::Word(self.empty_ident(span)));
                Arg { key, value, span }
            }
            Some(v) => Arg {
                key: None,
                value: self.value(v),
                span,
            },
            None => Arg {
                key: None,
                value: Value::Word(self.empty_ident(span)),
                span,
            },
        }
    }

    fn rule_setting(&mut self, p: Pair<Rule>) -> RuleSetting {
        let span = self.span(&p);
        let mut inner = p.into_inner();
        let rule = match inner.next() {
            Some(s) => self.string(s),
            None => Str {
                value: String::new(),
                span,
            },
        };
        let level = match inner.next() {
            Some(l) => self.ident(l),
            None => self.empty_ident(span),
        };
        RuleSetting { rule, level, span }
    }

    fn field(&mut self, p: Pair<Rule>) -> Field {
        let span = self.span(&p);
        let mut inner = p.into_inner();
        let key = match inner.next() {
            Some(k) => self.ident(k),
            None => self.empty_ident(span),
        };
        let body = match inner.next() {
            None => FieldBody::Empty,
            Some(b) => match b.as_rule() {
                Rule::block => FieldBody::Block(self.block(b)),
                Rule::call_args => FieldBody::Call(self.call_args(b)),
                _ => FieldBody::Values(self.value_list(b)),
            },
        };
        Field { key, body, span }
    }

    fn value_list(&mut self, p: Pair<Rule>) -> Vec<Value> {
        p.into_inner().map(|v| self.value(v)).collect()
    }

    fn value(&mut self, p: Pair<Rule>) -> Value {
        let span = self.span(&p);
        match p.as_rule() {
            Rule::string => Value::Str(self.string(p)),
            Rule::number => Value::Number(self.ident(p)),
            Rule::percent => {
                let text = p.as_str().trim_end_matches('%').trim().to_string();
                Value::Percent(Ident { text, span })
            }
            Rule::date => Value::Date(self.ident(p)),
            Rule::duration => Value::Duration(Box::new(self.duration(p))),
            Rule::window => {
                let mut inner = p.into_inner().filter(|c| c.as_rule() != Rule::kw_in);
                let count = inner
                    .next()
                    .map(|c| self.ident(c))
                    .unwrap_or_else(|| self.empty_ident(span));
                let within = match inner.next() {
                    Some(d) => self.duration(d),
                    None => Duration {
                        amount: self.empty_ident(span),
                        unit: self.empty_ident(span),
                        span,
                    },
                };
                Value::Window(Box::new(Window {
                    count,
                    within,
                    span,
                }))
            }
            Rule::owner_ref => Value::Owner(self.ident(p)),
            Rule::array => {
                let items = p.into_inner().map(|v| self.value(v)).collect();
                Value::Array(items, span)
            }
            _ => Value::Word(self.ident(p)),
        }
    }

    fn duration(&mut self, p: Pair<Rule>) -> Duration {
        let span = self.span(&p);
        let mut inner = p.into_inner();
        let amount = inner
            .next()
            .map(|c| self.ident(c))
            .unwrap_or_else(|| self.empty_ident(span));
        let unit = inner
            .next()
            .map(|c| self.ident(c))
            .unwrap_or_else(|| self.empty_ident(span));
        Duration { amount, unit, span }
    }

    fn ident(&self, p: Pair<Rule>) -> Ident {
        Ident {
            text: p.as_str().to_string(),
            span: self.span(&p),
        }
    }

    fn string(&mut self, p: Pair<Rule>) -> Str {
        let span = self.span(&p);
        let raw = p.as_str();
        let inner = &raw[1..raw.len().saturating_sub(1).max(1)];
        let value = unescape(
            self.file,
            &mut self.diagnostics,
            inner,
            span.start as usize + 1,
        );
        Str { value, span }
    }
}

/// Resolves escapes; reports an unknown or malformed one at its exact place.
pub(crate) fn unescape(
    file: FileId,
    diagnostics: &mut Vec<Diagnostic>,
    s: &str,
    base: usize,
) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((_, e)) = chars.next() else { break };
        match e {
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'u' => {
                let rest = &s[i + 2..];
                let close = rest.find('}');
                let parsed = match (rest.strip_prefix('{'), close) {
                    (Some(_), Some(close)) => u32::from_str_radix(&rest[1..close], 16)
                        .ok()
                        .filter(|_| (1..=6).contains(&(close - 1)))
                        .and_then(char::from_u32)
                        .map(|ch| (ch, close)),
                    _ => None,
                };
                match parsed {
                    Some((ch, close)) => {
                        out.push(ch);
                        for _ in 0..=close {
                            chars.next();
                        }
                    }
                    None => {
                        let len = close.map_or(2, |c| c + 3).min(s.len() - i);
                        let span = Span::new(file, base + i, base + i + len);
                        diagnostics.push(
                            Diagnostic::error(
                                codes::INVALID_ESCAPE,
                                "invalid unicode escape",
                            )
                            .primary(span, "not a valid `\\u{…}` escape")
                            .help("write 1 to 6 hex digits naming a Unicode scalar value, e.g. `\\u{1F600}`"),
                        );
                    }
                }
            }
            other => {
                let span = Span::new(file, base + i, base + i + 1 + other.len_utf8());
                diagnostics.push(
                    Diagnostic::error(
                        codes::INVALID_ESCAPE,
                        format!("unknown escape `\\{other}` in string"),
                    )
                    .primary(span, "unknown escape")
                    .help("valid escapes are `\\\"`, `\\\\`, `\\n`, `\\t` and `\\u{…}`; write `\\\\` for a backslash"),
                );
            }
        }
    }
    out
}
