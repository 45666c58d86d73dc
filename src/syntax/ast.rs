//! The concrete-ish syntax tree: exactly what was written, with spans, before any
//! meaning is given to it. Declarations, fields and modifiers are generic here;
//! `crate::ir::lower` decides which ones exist.

use crate::source::Span;

/// One parsed file.
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    pub decls: Vec<Decl>,
}

/// `kind name? { ... }`
#[derive(Clone, Debug, PartialEq)]
pub struct Decl {
    pub kind: Ident,
    pub name: Option<DeclName>,
    pub block: Block,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DeclName {
    Str(Str),
    Owner(Ident),
    Ident(Ident),
}

impl DeclName {
    pub fn span(&self) -> Span {
        match self {
            DeclName::Str(s) => s.span,
            DeclName::Owner(i) | DeclName::Ident(i) => i.span,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub items: Vec<Item>,
    /// From `{` to `}` inclusive.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Property(Property),
    /// `"rule/name" = level`
    RuleSetting(RuleSetting),
    Field(Field),
    /// A bare list of values (the body of an `enum`).
    Values(Vec<Value>, Span),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Property(p) => p.span,
            Item::RuleSetting(r) => r.span,
            Item::Field(f) => f.span,
            Item::Values(_, s) => *s,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct RuleSetting {
    pub rule: Str,
    pub level: Ident,
    pub span: Span,
}

/// `key`, `key v1, v2`, `key { ... }` or `key(args)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub key: Ident,
    pub body: FieldBody,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FieldBody {
    Empty,
    Values(Vec<Value>),
    Block(Block),
    Call(Args),
}

/// `name: type modifier* "description"?`
#[derive(Clone, Debug, PartialEq)]
pub struct Property {
    pub name: Ident,
    pub ty: TypeExpr,
    /// Modifiers and description strings in the order written.
    pub tail: Vec<PropTail>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PropTail {
    Modifier(Modifier),
    Description(Str),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Modifier {
    pub name: Ident,
    pub args: Option<Args>,
    pub span: Span,
}

/// `( arg, arg )`
#[derive(Clone, Debug, PartialEq)]
pub struct Args {
    pub args: Vec<Arg>,
    pub span: Span,
}

/// `value` or `key value` (as in `reason "…"`).
#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    pub key: Option<Ident>,
    pub value: Value,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeExpr {
    Named(Ident),
    /// `list(T modifier*)`: the item type and the modifiers that apply to each item.
    List(Box<ListType>, Span),
    /// `enum("a", 1, true)`: strings, numbers and words (`true`, `false`).
    Enum(Vec<Value>, Span),
    Object(Block, Span),
    /// `string | integer`: two members or more, none itself a union.
    Union(Vec<TypeExpr>, Span),
}

/// The inside of `list( … )`.
#[derive(Clone, Debug, PartialEq)]
pub struct ListType {
    pub item: TypeExpr,
    pub mods: Vec<Modifier>,
}

impl TypeExpr {
    pub fn span(&self) -> Span {
        match self {
            TypeExpr::Named(i) => i.span,
            TypeExpr::List(_, s)
            | TypeExpr::Enum(_, s)
            | TypeExpr::Object(_, s)
            | TypeExpr::Union(_, s) => *s,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Str(Str),
    /// The literal text, e.g. `-12.5`.
    Number(Ident),
    /// The number without `%`.
    Percent(Ident),
    Date(Ident),
    /// Boxed, like `Window`: rare, and large next to the other variants.
    Duration(Box<Duration>),
    /// `2 in 48 hours`
    Window(Box<Window>),
    /// `@growth` (the text includes `@`).
    Owner(Ident),
    /// An identifier or hyphenated word: `product`, `date-time`, `true`.
    Word(Ident),
    Array(Vec<Value>, Span),
}

impl Value {
    pub fn span(&self) -> Span {
        match self {
            Value::Str(s) => s.span,
            Value::Number(i)
            | Value::Percent(i)
            | Value::Date(i)
            | Value::Owner(i)
            | Value::Word(i) => i.span,
            Value::Duration(d) => d.span,
            Value::Window(w) => w.span,
            Value::Array(_, s) => *s,
        }
    }

    /// What kind of value this is, for messages ("expected a date, found a string").
    pub fn describe(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Number(_) => "a number",
            Value::Percent(_) => "a percentage",
            Value::Date(_) => "a date",
            Value::Duration(_) => "a duration",
            Value::Window(_) => "a window (`N in DURATION`)",
            Value::Owner(_) => "an owner reference",
            Value::Word(_) => "a name",
            Value::Array(..) => "a list",
        }
    }
}

/// `COUNT in DURATION`, as in `escalate_after 2 in 48 hours`.
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    pub count: Ident,
    pub within: Duration,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Duration {
    pub amount: Ident,
    pub unit: Ident,
    pub span: Span,
}

/// An identifier or other token text, with its span.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ident {
    pub text: String,
    pub span: Span,
}

/// A string literal, unescaped; `span` includes the quotes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Str {
    pub value: String,
    pub span: Span,
}
