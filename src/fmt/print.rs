//! The printer: AST + comments → lines → text. The layout rules are documented in
//! the module docs of [`crate::fmt`].

use super::MAX_WIDTH;
use super::comments::{Attached, Comments, ItemComments, Slot};
use crate::ir::lower::block_fields;
use crate::source::Span;
use crate::syntax::ast::*;

/// Declarations that may be written on one line.
const ONE_LINE_KINDS: &[&str] = &["owner", "consent", "retention", "source", "tool", "enum"];

/// The canonical order of modifiers; unknown ones follow in the order written.
const MODIFIER_ORDER: &[&str] = &[
    "required",
    "nullable",
    "min",
    "max",
    "min_length",
    "max_length",
    "pattern",
    "format",
    "example",
    "pii",
    "consent",
    "retention",
    "deprecated",
    "allow",
];

/// One output line. A line with empty `text` and no comment is blank; a comment on
/// its own line is `text`. Trailing comments of lines of the same `group` align.
struct Line {
    indent: usize,
    text: String,
    comment: Option<usize>,
    group: u32,
}

/// Column widths within one block.
#[derive(Default)]
struct Widths {
    key: usize,
    name: usize,
    ty: usize,
}

pub struct Printer<'a> {
    text: &'a str,
    comments: Comments<'a>,
    lines: Vec<Line>,
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

fn rank(order: &[&str], key: &str) -> usize {
    order.iter().position(|k| *k == key).unwrap_or(order.len())
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
    pub fn new(text: &'a str) -> Self {
        Printer {
            text,
            comments: Comments::new(text),
            lines: Vec::new(),
            group: 0,
        }
    }

    fn raw(&self, span: Span) -> &'a str {
        self.text.get(span.range()).unwrap_or("")
    }

    fn push(&mut self, indent: usize, text: String, comment: Option<usize>) {
        self.lines.push(Line {
            indent,
            text,
            comment,
            group: self.group,
        });
    }

    fn comment_line(&mut self, indent: usize, ci: usize) {
        let text = self.comments.list[ci].text.clone();
        self.push(indent, text, None);
    }

    /// One blank line (never two, never at the start of the output).
    fn blank(&mut self) {
        if self
            .lines
            .last()
            .is_some_and(|l| !l.text.is_empty() || l.comment.is_some())
        {
            self.push(0, String::new(), None);
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
                        TypeExpr::List(inner, _) => t = inner,
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

    pub fn file(mut self, f: &File) -> String {
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
                    && !self.blank_before(f.decls[k].span, &att.items[k])
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
            let ic = &att.items[k];
            self.leading(0, ic, true);
            match &ones[k] {
                Some((head, items)) => {
                    let head = pad(head, head_width[k]);
                    let line = if items.is_empty() {
                        format!("{head} {{}}")
                    } else {
                        format!("{head} {{ {items} }}")
                    };
                    self.push(0, line, ic.trailing);
                }
                None => {
                    let head = self.decl_head(d);
                    self.block(
                        0,
                        head,
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

    fn decl_head(&self, d: &Decl) -> String {
        match &d.name {
            None => d.kind.text.clone(),
            Some(DeclName::Str(s)) => format!("{} {}", d.kind.text, self.raw(s.span)),
            Some(DeclName::Owner(i) | DeclName::Ident(i)) => format!("{} {}", d.kind.text, i.text),
        }
    }

    /// The head and items of a declaration that fits on one line.
    fn one_line(&self, d: &Decl) -> Option<(String, String)> {
        if !ONE_LINE_KINDS.contains(&d.kind.text.as_str())
            || self.comments.any_within(inner(&d.block))
        {
            return None;
        }
        let (header, body) = arrange(&d.block.items, Some(&d.kind.text));
        let mut parts = Vec::new();
        for i in header.into_iter().chain(body) {
            parts.push(match &d.block.items[i] {
                Item::Field(f) if !matches!(f.body, FieldBody::Block(_)) => self.field_inline(f, 0),
                Item::Values(vs, _) => self.values(vs),
                _ => return None,
            });
        }
        let head = self.decl_head(d);
        let items = parts.join("; ");
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
        head: String,
        block: &Block,
        ctx: Option<&str>,
        close: &str,
        trailing: Option<usize>,
    ) {
        let inner = inner(block);
        if block.items.is_empty() && !self.comments.any_within(inner.clone()) {
            self.push(indent, format!("{head} {{}}{close}"), trailing);
            return;
        }
        let slots: Vec<Slot> = block.items.iter().map(|i| self.slot(i)).collect();
        let open_line = self.comments.line(block.span.start as usize);
        let att = self.comments.attach(inner, Some(open_line), &slots);
        self.break_group();
        self.push(indent, format!("{head} {{"), att.open);
        self.break_group();
        self.body(indent + 1, &block.items, ctx, &att);
        self.break_group();
        self.push(indent, format!("}}{close}"), trailing);
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
            if let Item::Property(p) = &items[i]
                && let Some(ty) = self.ty_inline(&p.ty)
            {
                w.name = w.name.max(chars(&p.name.text) + 1);
                if !p.tail.is_empty() {
                    w.ty = w.ty.max(chars(&ty));
                }
            }
        }
        let last = body.last().or(header.last()).copied();
        for &i in &header {
            self.item(indent, &items[i], ctx, &att.items[i], &w, Some(i) == last);
        }
        w.key = 0;
        if !header.is_empty() && !body.is_empty() {
            self.blank();
        }
        for (n, &i) in body.iter().enumerate() {
            if n > 0 && self.blank_before(items[i].span(), &att.items[i]) {
                self.blank();
            }
            self.item(indent, &items[i], ctx, &att.items[i], &w, Some(i) == last);
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
                    f.key.text.clone(),
                    b,
                    nested_ctx(ctx, &f.key.text),
                    "",
                    ic.trailing,
                ),
                _ => {
                    let line = self.field_inline(f, w.key);
                    self.push(indent, line, ic.trailing);
                }
            },
            Item::Property(p) => self.property(indent, p, w, ic.trailing),
            Item::RuleSetting(r) => {
                let line = format!("{} = {}", self.raw(r.rule.span), r.level.text);
                self.push(indent, line, ic.trailing);
            }
            Item::Values(..) => {}
        }
    }

    // ---- items -------------------------------------------------------------

    fn field_inline(&self, f: &Field, key_width: usize) -> String {
        match &f.body {
            FieldBody::Empty => f.key.text.clone(),
            FieldBody::Values(vs) => format!("{} {}", pad(&f.key.text, key_width), self.values(vs)),
            FieldBody::Call(a) => format!("{}{}", f.key.text, self.args(a)),
            FieldBody::Block(_) => format!("{} {{}}", f.key.text),
        }
    }

    fn property(&mut self, indent: usize, p: &Property, w: &Widths, trailing: Option<usize>) {
        let tail = self.tail(&p.tail);
        let name = format!("{}:", p.name.text);
        if let Some(ty) = self.ty_inline(&p.ty) {
            let line = if tail.is_empty() {
                format!("{} {ty}", pad(&name, w.name))
            } else {
                format!("{} {} {tail}", pad(&name, w.name), pad(&ty, w.ty))
            };
            self.push(indent, line, trailing);
            return;
        }
        if let Some((prefix, block, suffix)) = split_type(&p.ty) {
            let close = if tail.is_empty() {
                suffix
            } else {
                format!("{suffix} {tail}")
            };
            self.block(
                indent,
                format!("{name} {prefix}"),
                block,
                Some("object"),
                &close,
                trailing,
            );
        }
    }

    /// The type on one line; `None` when it holds a non-empty object.
    fn ty_inline(&self, t: &TypeExpr) -> Option<String> {
        Some(match t {
            TypeExpr::Named(i) => i.text.clone(),
            TypeExpr::List(inner, _) => format!("list({})", self.ty_inline(inner)?),
            TypeExpr::Enum(vs, _) => format!(
                "enum({})",
                vs.iter()
                    .map(|s| self.raw(s.span))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            TypeExpr::Object(b, _) => {
                if !b.items.is_empty() || self.comments.any_within(inner(b)) {
                    return None;
                }
                "object {}".to_string()
            }
        })
    }

    /// Modifiers in canonical order, then the description(s).
    fn tail(&self, tail: &[PropTail]) -> String {
        let mut mods: Vec<&Modifier> = tail
            .iter()
            .filter_map(|t| match t {
                PropTail::Modifier(m) => Some(m),
                PropTail::Description(_) => None,
            })
            .collect();
        mods.sort_by_key(|m| rank(MODIFIER_ORDER, &m.name.text));
        let mut parts: Vec<String> = mods
            .into_iter()
            .map(|m| match &m.args {
                Some(a) => format!("{}{}", m.name.text, self.args(a)),
                None => m.name.text.clone(),
            })
            .collect();
        parts.extend(tail.iter().filter_map(|t| match t {
            PropTail::Description(s) => Some(self.raw(s.span).to_string()),
            PropTail::Modifier(_) => None,
        }));
        parts.join(" ")
    }

    fn args(&self, a: &Args) -> String {
        let parts: Vec<String> = a
            .args
            .iter()
            .map(|arg| match &arg.key {
                Some(k) => format!("{} {}", k.text, self.value(&arg.value)),
                None => self.value(&arg.value),
            })
            .collect();
        format!("({})", parts.join(", "))
    }

    fn values(&self, vs: &[Value]) -> String {
        vs.iter()
            .map(|v| self.value(v))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn value(&self, v: &Value) -> String {
        match v {
            Value::Str(s) => self.raw(s.span).to_string(),
            Value::Percent(i) => format!("{}%", i.text),
            Value::Number(i) | Value::Date(i) | Value::Owner(i) | Value::Word(i) => i.text.clone(),
            Value::Duration(d) => format!("{} {}", d.amount.text, d.unit.text),
            Value::Window(n, d, _) => format!("{} in {} {}", n.text, d.amount.text, d.unit.text),
            Value::Array(vs, _) => format!("[{}]", self.values(vs)),
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
        let one = self.values(vs);
        if among.is_empty() && indent * 2 + chars(&one) <= MAX_WIDTH {
            let mut rest = after.into_iter().chain(ic.trailing);
            let first = rest.next();
            self.push(indent, one, first);
            for ci in rest {
                self.comment_line(indent, ci);
            }
            return;
        }
        let n = vs.len();
        let mut lead: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut trail: Vec<Option<usize>> = vec![None; n];
        let mut extra: Vec<usize> = Vec::new();
        for ci in among.into_iter().chain(after) {
            let c = &self.comments.list[ci];
            let line = self.comments.line(c.start);
            let prev = vs.iter().rposition(|v| (v.span().end as usize) <= c.start);
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
                _ => match vs.iter().position(|v| v.span().start as usize >= c.end) {
                    Some(next) => lead[next].push(ci),
                    None => extra.push(ci),
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
            let comma = if k + 1 < n || last { "," } else { "" };
            let text = format!("{}{comma}", self.value(v));
            self.push(indent, text, trail[k]);
        }
        for ci in extra {
            self.comment_line(indent, ci);
        }
    }

    // ---- output ------------------------------------------------------------

    fn finish(self) -> String {
        let mut out = String::with_capacity(self.text.len() + self.text.len() / 8);
        let lines = &self.lines;
        let mut i = 0;
        while i < lines.len() {
            let mut j = i;
            while j < lines.len() && lines[j].group == lines[i].group {
                j += 1;
            }
            let width = lines[i..j]
                .iter()
                .filter(|l| l.comment.is_some() && !l.text.is_empty())
                .map(|l| l.indent * 2 + chars(&l.text))
                .max()
                .unwrap_or(0);
            for l in &lines[i..j] {
                let mut line = String::new();
                if !l.text.is_empty() {
                    line.extend(std::iter::repeat_n(' ', l.indent * 2));
                    line.push_str(&l.text);
                }
                if let Some(ci) = l.comment {
                    let c = &self.comments.list[ci].text;
                    if l.text.is_empty() {
                        line.extend(std::iter::repeat_n(' ', l.indent * 2));
                    } else {
                        let used = l.indent * 2 + chars(&l.text);
                        line.extend(std::iter::repeat_n(' ', width - used + 1));
                    }
                    line.push_str(c);
                }
                out.push_str(line.trim_end());
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

/// Splits the items of a block into the header (fields other than `use`, in
/// canonical order) and the body (the rest, as written). Unknown contexts keep
/// everything as written.
fn arrange(items: &[Item], ctx: Option<&str>) -> (Vec<usize>, Vec<usize>) {
    let Some(order) = ctx.and_then(block_fields) else {
        return (Vec::new(), (0..items.len()).collect());
    };
    let is_header = |it: &Item| matches!(it, Item::Field(f) if f.key.text != "use");
    let mut header: Vec<usize> = (0..items.len()).filter(|&i| is_header(&items[i])).collect();
    header.sort_by_key(|&i| match &items[i] {
        Item::Field(f) => rank(order, &f.key.text),
        _ => order.len(),
    });
    let body = (0..items.len())
        .filter(|&i| !is_header(&items[i]))
        .collect();
    (header, body)
}

/// For a type holding an object: the text before its `{`, the block, and the text
/// after its `}` (`list(object {` … `})`).
fn split_type(t: &TypeExpr) -> Option<(String, &Block, String)> {
    match t {
        TypeExpr::Object(b, _) => Some(("object".to_string(), b, String::new())),
        TypeExpr::List(inner, _) => {
            let (p, b, s) = split_type(inner)?;
            Some((format!("list({p}"), b, format!("{s})")))
        }
        _ => None,
    }
}
