//! The printer: AST + comments → lines → text. The layout rules are documented in
//! the module docs of [`crate::fmt`].

use super::MAX_WIDTH;
use super::comments::{Attached, Comments, ItemComments, Slot};
use crate::source::Span;
use crate::syntax::ast::*;
use crate::vocab;

/// Types longer than this (long inline enums) do not widen the type column.
const MAX_TYPE_COLUMN: usize = 16;

/// One output line. A line with empty `text` and no comment is blank; a comment on
/// its own line is `text`. Trailing comments of lines of the same `group` align.
struct Line {
    indent: usize,
    /// Byte range of the text in [`Printer::buf`].
    text: std::ops::Range<usize>,
    /// Width of the text in characters.
    width: usize,
    comment: Option<usize>,
    group: u32,
}

impl Line {
    fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

/// Column widths within one block.
#[derive(Default)]
struct Widths {
    key: usize,
    name: usize,
    ty: usize,
}

pub(crate) struct Printer<'a> {
    text: &'a str,
    comments: Comments<'a>,
    lines: Vec<Line>,
    /// The text of every line, one after the other.
    buf: String,
    /// Scratch space for measuring.
    scratch: String,
    group: u32,
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

fn pad(s: &str, width: usize) -> String {
    let n = chars(s);
    let mut out = String::with_capacity(width.max(n));
    out.push_str(s);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(n)));
    out
}

/// The position of `key` in a canonical order (unknown words after known ones).
fn rank<'a>(mut order: impl Iterator<Item = &'a str>, key: &str) -> usize {
    order.position(|k| k == key).unwrap_or(usize::MAX)
}

/// The byte range strictly inside a block's braces.
fn inner(b: &Block) -> std::ops::Range<usize> {
    let r = b.span.range();
    (r.start + 1).min(r.end)..r.end.saturating_sub(1).max(r.start)
}

/// The context of a nested field block: the plan's `naming`, `qa` and `rules`.
fn nested_ctx<'k>(parent: Option<&str>, key: &'k str) -> Option<&'k str> {
    match (parent, key) {
        (Some("plan"), "naming" | "qa" | "rules") => Some(key),
        _ => None,
    }
}

impl<'a> Printer<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Printer {
            text,
            comments: Comments::new(text),
            lines: Vec::new(),
            buf: String::with_capacity(text.len() + text.len() / 4),
            scratch: String::new(),
            group: 0,
        }
    }

    fn push(&mut self, indent: usize, text: &str, comment: Option<usize>) {
        let start = self.buf.len();
        self.buf.push_str(text);
        self.end_line(indent, start, comment);
    }

    /// Ends a line whose text was written to `buf` from `start`.
    fn end_line(&mut self, indent: usize, start: usize, comment: Option<usize>) {
        let width = if self.buf.is_char_boundary(start) {
            chars(&self.buf[start..])
        } else {
            0
        };
        self.lines.push(Line {
            indent,
            text: start..self.buf.len(),
            width,
            comment,
            group: self.group,
        });
    }

    fn comment_line(&mut self, indent: usize, ci: usize) {
        let start = self.buf.len();
        self.buf.push_str(&self.comments.list[ci].text);
        self.end_line(indent, start, None);
    }

    /// One blank line (never two, never at the start of the output).
    fn blank(&mut self) {
        if self
            .lines
            .last()
            .is_some_and(|l| !l.is_empty() || l.comment.is_some())
        {
            self.push(0, "", None);
        }
        self.group += 1;
    }

    fn break_group(&mut self) {
        self.group += 1;
    }

    fn blank_after_comment(&self, ci: usize) -> bool {
        self.comments.blank_after(self.comments.list[ci].end)
    }

    /// Leading comments (keeping a blank line after one that had it), then, if
    /// asked, the comments from inside the item.
    fn leading(&mut self, indent: usize, ic: &ItemComments, interior: bool) {
        for &ci in &ic.leading {
            self.comment_line(indent, ci);
            if self.blank_after_comment(ci) {
                self.blank();
            }
        }
        if interior {
            for &ci in &ic.interior {
                self.comment_line(indent, ci);
            }
        }
    }

    /// Whether a blank line came before the item (or its leading comments).
    fn blank_before(&self, span: Span, ic: &ItemComments) -> bool {
        let start = ic
            .leading
            .first()
            .map_or(span.start as usize, |&ci| self.comments.list[ci].start);
        self.comments.blank_before(start)
    }

    fn slot(&self, item: &Item) -> Slot {
        let mut nested = Vec::new();
        match item {
            Item::Field(Field {
                body: FieldBody::Block(b),
                ..
            }) => nested.push(b.span.range()),
            Item::Property(p) => {
                let mut t = &p.ty;
                loop {
                    match t {
                        TypeExpr::List(inner, _) => t = &inner.item,
                        TypeExpr::Object(b, _) => {
                            nested.push(b.span.range());
                            break;
                        }
                        _ => break,
                    }
                }
            }
            _ => {}
        }
        let span = item.span();
        let end = self
            .comments
            .trim_end(span.start as usize, span.end as usize);
        Slot {
            range: span.start as usize..end,
            nested,
        }
    }

    // ---- the file ----------------------------------------------------------

    pub(crate) fn file(mut self, f: &File) -> String {
        let slots: Vec<Slot> = f
            .decls
            .iter()
            .map(|d| Slot {
                range: d.span.range(),
                nested: vec![d.block.span.range()],
            })
            .collect();
        let att = self.comments.attach(0..self.text.len(), None, &slots);
        let ones: Vec<Option<(String, String)>> =
            f.decls.iter().map(|d| self.one_line(d)).collect();
        // Runs of one-line declarations of one kind written on consecutive lines.
        let grouped: Vec<bool> = (0..f.decls.len())
            .map(|k| {
                k > 0
                    && ones[k].is_some()
                    && ones[k - 1].is_some()
                    && f.decls[k].kind.text == f.decls[k - 1].kind.text
                    && !self.blank_before(f.decls[k].span, att.item(k))
            })
            .collect();
        let mut head_width = vec![0; f.decls.len()];
        let mut k = 0;
        while k < f.decls.len() {
            let mut j = k + 1;
            while j < f.decls.len() && grouped[j] {
                j += 1;
            }
            let w = (k..j)
                .filter_map(|i| ones[i].as_ref().map(|(h, _)| chars(h)))
                .max()
                .unwrap_or(0);
            head_width[k..j].fill(w);
            k = j;
        }
        for (k, d) in f.decls.iter().enumerate() {
            if k > 0 && !grouped[k] {
                self.blank();
            }
            let ic = att.item(k);
            self.leading(0, ic, true);
            match &ones[k] {
                Some((head, items)) => {
                    let head = pad(head, head_width[k]);
                    let line = if items.is_empty() {
                        format!("{head} {{}}")
                    } else {
                        format!("{head} {{ {items} }}")
                    };
                    self.push(0, &line, ic.trailing);
                }
                None => {
                    let head = decl_head(d, self.text);
                    self.block(
                        0,
                        &head,
                        &d.block,
                        Some(d.kind.text.as_str()),
                        "",
                        ic.trailing,
                    );
                }
            }
        }
        self.end_comments(0, &att, !f.decls.is_empty());
        self.finish()
    }

    /// The head and items of a declaration that fits on one line.
    fn one_line(&self, d: &Decl) -> Option<(String, String)> {
        if !vocab::declaration(&d.kind.text).is_some_and(|b| b.one_line)
            || self.comments.any_within(inner(&d.block))
        {
            return None;
        }
        let (header, body) = arrange(&d.block.items, Some(&d.kind.text));
        let mut items = String::new();
        for (n, i) in header.into_iter().chain(body).enumerate() {
            if n > 0 {
                items.push_str("; ");
            }
            match &d.block.items[i] {
                Item::Field(f) if !matches!(f.body, FieldBody::Block(_)) => {
                    field_inline(self.text, &mut items, f, 0)
                }
                Item::Values(vs, _) => values(self.text, &mut items, vs),
                _ => return None,
            }
        }
        let head = decl_head(d, self.text);
        let width = chars(&head) + chars(&items) + 5;
        (width <= MAX_WIDTH).then_some((head, items))
    }

    fn end_comments(&mut self, indent: usize, att: &Attached, after_items: bool) {
        for (n, &ci) in att.end.iter().enumerate() {
            if n == 0 && after_items && self.comments.blank_before(self.comments.list[ci].start) {
                self.blank();
            }
            self.comment_line(indent, ci);
            if n + 1 < att.end.len() && self.blank_after_comment(ci) {
                self.blank();
            }
        }
    }

    // ---- blocks ------------------------------------------------------------

    /// `head {`, the items, `}close`; `head {}close` when empty.
    fn block(
        &mut self,
        indent: usize,
        head: &str,
        block: &Block,
        ctx: Option<&str>,
        close: &str,
        trailing: Option<usize>,
    ) {
        let inner = inner(block);
        if block.items.is_empty() && !self.comments.any_within(inner.clone()) {
            self.push(indent, &format!("{head} {{}}{close}"), trailing);
            return;
        }
        let att = if self.comments.any_within(inner.clone()) {
            let slots: Vec<Slot> = block.items.iter().map(|i| self.slot(i)).collect();
            let open_line = self.comments.line(block.span.start as usize);
            self.comments.attach(inner, Some(open_line), &slots)
        } else {
            Attached::default()
        };
        self.break_group();
        let start = self.buf.len();
        self.buf.push_str(head);
        self.buf.push_str(" {");
        self.end_line(indent, start, att.open);
        self.break_group();
        self.body(indent + 1, &block.items, ctx, &att);
        self.break_group();
        let start = self.buf.len();
        self.buf.push('}');
        self.buf.push_str(close);
        self.end_line(indent, start, trailing);
        self.break_group();
    }

    fn body(&mut self, indent: usize, items: &[Item], ctx: Option<&str>, att: &Attached) {
        let (header, body) = arrange(items, ctx);
        let mut w = Widths::default();
        for &i in &header {
            if let Item::Field(f) = &items[i]
                && matches!(f.body, FieldBody::Values(_))
            {
                w.key = w.key.max(chars(&f.key.text));
            }
        }
        for &i in &body {
            if let Item::Property(p) = &items[i] {
                self.scratch.clear();
                if ty_inline(self.text, &self.comments, &mut self.scratch, &p.ty) {
                    w.name = w.name.max(chars(raw(self.text, p.name.span)) + 1);
                    let ty = chars(&self.scratch);
                    if !p.tail.is_empty() && ty <= MAX_TYPE_COLUMN {
                        w.ty = w.ty.max(ty);
                    }
                }
            }
        }
        let last = body.last().or(header.last()).copied();
        for &i in &header {
            self.item(indent, &items[i], ctx, att.item(i), &w, Some(i) == last);
        }
        w.key = 0;
        if !header.is_empty() && !body.is_empty() {
            self.blank();
        }
        for (n, &i) in body.iter().enumerate() {
            if n > 0 && self.blank_before(items[i].span(), att.item(i)) {
                self.blank();
            }
            self.item(indent, &items[i], ctx, att.item(i), &w, Some(i) == last);
        }
        self.end_comments(indent, att, !items.is_empty());
    }

    fn item(
        &mut self,
        indent: usize,
        item: &Item,
        ctx: Option<&str>,
        ic: &ItemComments,
        w: &Widths,
        last: bool,
    ) {
        if let Item::Values(vs, _) = item {
            self.leading(indent, ic, false);
            self.values_item(indent, vs, ic, last);
            return;
        }
        self.leading(indent, ic, true);
        match item {
            Item::Field(f) => match &f.body {
                FieldBody::Block(b) => self.block(
                    indent,
                    &f.key.text,
                    b,
                    nested_ctx(ctx, &f.key.text),
                    "",
                    ic.trailing,
                ),
                _ => {
                    let start = self.buf.len();
                    field_inline(self.text, &mut self.buf, f, w.key);
                    self.end_line(indent, start, ic.trailing);
                }
            },
            Item::Property(p) => self.property(indent, p, w, ic.trailing),
            Item::RuleSetting(r) => {
                let start = self.buf.len();
                self.buf.push_str(raw(self.text, r.rule.span));
                self.buf.push_str(" = ");
                self.buf.push_str(&r.level.text);
                self.end_line(indent, start, ic.trailing);
            }
            Item::Values(..) => {}
        }
    }

    // ---- items -------------------------------------------------------------

    fn property(&mut self, indent: usize, p: &Property, w: &Widths, trailing: Option<usize>) {
        let mut ty = std::mem::take(&mut self.scratch);
        ty.clear();
        if ty_inline(self.text, &self.comments, &mut ty, &p.ty) {
            let start = self.buf.len();
            // As written: an identifier, or a quoted name.
            let name = raw(self.text, p.name.span);
            self.buf.push_str(name);
            self.buf.push(':');
            let name_width = chars(name) + 1;
            self.buf.extend(std::iter::repeat_n(
                ' ',
                w.name.saturating_sub(name_width) + 1,
            ));
            self.buf.push_str(&ty);
            if !p.tail.is_empty() {
                let ty_width = chars(&ty);
                self.buf
                    .extend(std::iter::repeat_n(' ', w.ty.saturating_sub(ty_width) + 1));
                tail(self.text, &mut self.buf, &p.tail);
            }
            self.scratch = ty;
            self.end_line(indent, start, trailing);
            return;
        }
        self.scratch = ty;
        if let Some((prefix, block, suffix)) = split_type(self.text, &p.ty) {
            let mut close = suffix;
            if !p.tail.is_empty() {
                close.push(' ');
                tail(self.text, &mut close, &p.tail);
            }
            let head = format!("{}: {prefix}", raw(self.text, p.name.span));
            self.block(indent, &head, block, Some("object"), &close, trailing);
        }
    }

    /// A bare value list (an enum's values): on one line when it fits and no
    /// comment sits among the values, else one value per line.
    fn values_item(&mut self, indent: usize, vs: &[Value], ic: &ItemComments, last: bool) {
        let list = &self.comments.list;
        let last_start = vs.last().map_or(0, |v| v.span().start as usize);
        // Comments after the last value's start read as the line's trailing comment.
        let (among, after): (Vec<usize>, Vec<usize>) = ic
            .interior
            .iter()
            .partition(|&&ci| list[ci].start < last_start);
        let start = self.buf.len();
        values(self.text, &mut self.buf, vs);
        if among.is_empty() && indent * 2 + chars(&self.buf[start..]) <= MAX_WIDTH {
            let mut rest = after.into_iter().chain(ic.trailing);
            let first = rest.next();
            self.end_line(indent, start, first);
            for ci in rest {
                self.comment_line(indent, ci);
            }
            return;
        }
        self.buf.truncate(start);
        let n = vs.len();
        let mut lead: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut trail: Vec<Option<usize>> = vec![None; n];
        let mut extra: Vec<usize> = Vec::new();
        for ci in among.into_iter().chain(after) {
            let c = &self.comments.list[ci];
            let line = self.comments.line(c.start);
            // The values are in source order: binary searches keep a long list
            // with a comment on every line linear.
            let prev = vs
                .partition_point(|v| (v.span().end as usize) <= c.start)
                .checked_sub(1);
            match prev {
                Some(p)
                    if trail[p].is_none()
                        && self
                            .comments
                            .line((vs[p].span().end as usize).saturating_sub(1))
                            == line =>
                {
                    trail[p] = Some(ci);
                }
                _ => match vs.partition_point(|v| (v.span().start as usize) < c.end) {
                    next if next < n => lead[next].push(ci),
                    _ => extra.push(ci),
                },
            }
        }
        if n > 0 {
            match (trail[n - 1], ic.trailing) {
                (None, t) => trail[n - 1] = t,
                (Some(_), Some(t)) => extra.push(t),
                (Some(_), None) => {}
            }
        }
        for (k, v) in vs.iter().enumerate() {
            for &ci in &lead[k] {
                self.comment_line(indent, ci);
            }
            let start = self.buf.len();
            value(self.text, &mut self.buf, v);
            if k + 1 < n || last {
                self.buf.push(',');
            }
            self.end_line(indent, start, trail[k]);
        }
        for ci in extra {
            self.comment_line(indent, ci);
        }
    }

    // ---- output ------------------------------------------------------------

    fn finish(self) -> String {
        let mut out = String::with_capacity(self.buf.len() + self.lines.len() * 8);
        let lines = &self.lines;
        let mut i = 0;
        while i < lines.len() {
            let mut j = i;
            while j < lines.len() && lines[j].group == lines[i].group {
                j += 1;
            }
            let width = lines[i..j]
                .iter()
                .filter(|l| l.comment.is_some() && !l.is_empty())
                .map(|l| l.indent * 2 + l.width)
                .max()
                .unwrap_or(0);
            for l in &lines[i..j] {
                let line_start = out.len();
                if !l.is_empty() || l.comment.is_some() {
                    out.extend(std::iter::repeat_n(' ', l.indent * 2));
                }
                out.push_str(&self.buf[l.text.clone()]);
                if let Some(ci) = l.comment {
                    if !l.is_empty() {
                        let used = l.indent * 2 + l.width;
                        out.extend(std::iter::repeat_n(' ', width - used + 1));
                    }
                    out.push_str(&self.comments.list[ci].text);
                }
                let trimmed = out[line_start..].trim_end().len();
                out.truncate(line_start + trimmed);
                out.push('\n');
            }
            i = j;
        }
        while out.ends_with("\n\n") {
            out.pop();
        }
        out
    }
}

fn raw(text: &str, span: Span) -> &str {
    text.get(span.range()).unwrap_or("")
}

fn decl_head(d: &Decl, text: &str) -> String {
    match &d.name {
        None => d.kind.text.clone(),
        Some(DeclName::Str(s)) => format!("{} {}", d.kind.text, raw(text, s.span)),
        Some(DeclName::Owner(i) | DeclName::Ident(i)) => format!("{} {}", d.kind.text, i.text),
    }
}

fn field_inline(text: &str, out: &mut String, f: &Field, key_width: usize) {
    out.push_str(&f.key.text);
    match &f.body {
        FieldBody::Empty => {}
        FieldBody::Values(vs) => {
            out.extend(std::iter::repeat_n(
                ' ',
                key_width.saturating_sub(chars(&f.key.text)) + 1,
            ));
            values(text, out, vs);
        }
        FieldBody::Call(a) => args(text, out, a),
        FieldBody::Block(_) => out.push_str(" {}"),
    }
}

/// Writes the type on one line; `false` (having written part of it) when it
/// holds a non-empty object.
fn ty_inline(text: &str, comments: &Comments, out: &mut String, t: &TypeExpr) -> bool {
    match t {
        TypeExpr::Named(i) => out.push_str(&i.text),
        TypeExpr::List(inner, _) => {
            out.push_str("list(");
            if !ty_inline(text, comments, out, &inner.item) {
                return false;
            }
            modifiers(text, out, &inner.mods, true);
            out.push(')');
        }
        TypeExpr::Enum(vs, _) => {
            out.push_str("enum(");
            values(text, out, vs);
            out.push(')');
        }
        TypeExpr::Union(members, _) => {
            for (n, m) in members.iter().enumerate() {
                if n > 0 {
                    out.push_str(" | ");
                }
                // An object is no member (lowering says so): kept as written.
                if let TypeExpr::Object(_, span) = m {
                    out.push_str(raw(text, *span));
                } else if !ty_inline(text, comments, out, m) {
                    return false;
                }
            }
        }
        TypeExpr::Object(b, _) => {
            if !b.items.is_empty() || comments.any_within(inner(b)) {
                return false;
            }
            out.push_str("object {}");
        }
    }
    true
}

/// Modifiers in canonical order, then the description(s).
fn tail(text: &str, out: &mut String, tail: &[PropTail]) {
    let mods: Vec<&Modifier> = tail
        .iter()
        .filter_map(|t| match t {
            PropTail::Modifier(m) => Some(m),
            PropTail::Description(_) => None,
        })
        .collect();
    let mut first = !modifiers(text, out, mods.iter().copied(), false);
    for t in tail {
        if let PropTail::Description(s) = t {
            if !first {
                out.push(' ');
            }
            first = false;
            out.push_str(raw(text, s.span));
        }
    }
}

/// Writes modifiers in canonical order, separated by spaces (and preceded by one
/// when `lead`); returns whether it wrote any.
fn modifiers<'m>(
    text: &str,
    out: &mut String,
    mods: impl IntoIterator<Item = &'m Modifier>,
    lead: bool,
) -> bool {
    let mut mods: Vec<(usize, &Modifier)> = mods
        .into_iter()
        .map(|m| (rank(vocab::modifier_names(), &m.name.text), m))
        .collect();
    if !mods.is_sorted_by_key(|&(r, _)| r) {
        mods.sort_by_key(|&(r, _)| r);
    }
    for (n, (_, m)) in mods.iter().enumerate() {
        if n > 0 || lead {
            out.push(' ');
        }
        out.push_str(&m.name.text);
        if let Some(a) = &m.args {
            args(text, out, a);
        }
    }
    !mods.is_empty()
}

fn args(text: &str, out: &mut String, a: &Args) {
    out.push('(');
    for (n, arg) in a.args.iter().enumerate() {
        if n > 0 {
            out.push_str(", ");
        }
        if let Some(k) = &arg.key {
            out.push_str(&k.text);
            out.push(' ');
        }
        value(text, out, &arg.value);
    }
    out.push(')');
}

fn values(text: &str, out: &mut String, vs: &[Value]) {
    for (n, v) in vs.iter().enumerate() {
        if n > 0 {
            out.push_str(", ");
        }
        value(text, out, v);
    }
}

fn value(text: &str, out: &mut String, v: &Value) {
    match v {
        Value::Str(s) => out.push_str(raw(text, s.span)),
        Value::Percent(i) => {
            out.push_str(&i.text);
            out.push('%');
        }
        Value::Number(i) | Value::Date(i) | Value::Owner(i) | Value::Word(i) => {
            out.push_str(&i.text)
        }
        Value::Duration(d) => {
            out.push_str(&d.amount.text);
            out.push(' ');
            out.push_str(&d.unit.text);
        }
        Value::Window(w) => {
            out.push_str(&w.count.text);
            out.push_str(" in ");
            out.push_str(&w.within.amount.text);
            out.push(' ');
            out.push_str(&w.within.unit.text);
        }
        Value::Array(vs, _) => {
            out.push('[');
            values(text, out, vs);
            out.push(']');
        }
    }
}

/// Splits the items of a block into the header (fields other than `use`, in
/// canonical order) and the body (the rest, as written). Unknown contexts keep
/// everything as written.
fn arrange(items: &[Item], ctx: Option<&str>) -> (Vec<usize>, Vec<usize>) {
    let Some(block) = ctx.and_then(vocab::block) else {
        return (Vec::new(), (0..items.len()).collect());
    };
    let is_header = |it: &Item| matches!(it, Item::Field(f) if f.key.text != "use");
    let mut header: Vec<usize> = (0..items.len()).filter(|&i| is_header(&items[i])).collect();
    header.sort_by_key(|&i| match &items[i] {
        Item::Field(f) => rank(block.field_names(), &f.key.text),
        _ => usize::MAX,
    });
    let body = (0..items.len())
        .filter(|&i| !is_header(&items[i]))
        .collect();
    (header, body)
}

/// For a type holding an object: the text before its `{`, the block, and the text
/// after its `}` (`list(object {` … `})`).
fn split_type<'t>(text: &str, t: &'t TypeExpr) -> Option<(String, &'t Block, String)> {
    match t {
        TypeExpr::Object(b, _) => Some(("object".to_string(), b, String::new())),
        TypeExpr::List(inner, _) => {
            let (p, b, mut s) = split_type(text, &inner.item)?;
            // The modifiers of the items, after the object's `}`.
            let mut mods = String::new();
            modifiers(text, &mut mods, &inner.mods, true);
            s.push_str(&mods);
            Some((format!("list({p}"), b, format!("{s})")))
        }
        _ => None,
    }
}
