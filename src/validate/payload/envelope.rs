//! The envelope rules: what the call's top-level fields must hold (`messageId`,
//! timestamps, `userId` / `anonymousId`, `type`), and per type of call what is
//! checked (track: the event, its lifecycle, identity, consent and properties;
//! identify and group: traits; page and screen: properties against the rule for
//! every page or screen and the one for the call's `name`), and the plan's
//! `envelope { }` on every call. The fields were read by [`super::read`]; the
//! properties and traits are walked by [`super::visit`].

use super::read::Key;
use super::read::{Context, Envelope, Field};
use super::visit::{Cx, ObjSeed, Path, Seg, ValSeed, missing_required};
use super::{Checker, MAX_PAYLOAD, escape_pointer, quote, size_violation};
use crate::ir::Identity;
use crate::ir::values::{Date, is_rfc3339};
use crate::validate::kinds::Kind;
use crate::validate::model::{EnvelopeModel, EventModel, EventVersion, Loc, TraitsModel};
use crate::validate::tally::{Call, Target};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;

impl Checker<'_> {
    pub(super) fn check(
        &mut self,
        env: &Envelope,
        len: usize,
    ) -> Result<Target, serde_json::Error> {
        let is_track = matches!(&env.ty, Field::Str(t) if t == "track");
        let model = self.model;
        let eager_event = matches!(&env.event, Field::Str(n) if env.eager.is_some()
            && model.event(n).map(|i| model.version(i, env.context.event_version).unwrap_or_else(|o| o)) == env.eager);
        if env.eager.is_some() && !(is_track && eager_event) {
            // Properties were checked as a track event's, but the payload is
            // not one (or names another event): forget those violations.
            self.violations.drain(..env.eager_violations);
        }
        if len > MAX_PAYLOAD {
            self.violations.push(size_violation(len as u64));
        }
        match &env.message_id {
            Field::Str(s) if !s.is_empty() => {}
            f => self.push(
                Kind::Envelope,
                "/messageId",
                "a messageId string".into(),
                f.describe(),
                None,
            ),
        }
        let mut day = None;
        for (name, f) in [
            ("timestamp", &env.timestamp),
            ("originalTimestamp", &env.original_timestamp),
            ("sentAt", &env.sent_at),
            ("receivedAt", &env.received_at),
        ] {
            match f {
                Field::Absent => {}
                Field::Str(s) if is_rfc3339(s) => {
                    if day.is_none() {
                        day = utc_day(s);
                    }
                }
                f => self.push(
                    Kind::Envelope,
                    &format!("/{name}"),
                    "an RFC 3339 date-time string (like 2026-11-25T10:00:00Z)".into(),
                    f.describe(),
                    None,
                ),
            }
        }
        for (name, f) in [("userId", &env.user_id), ("anonymousId", &env.anonymous_id)] {
            if !matches!(f, Field::Absent | Field::Null | Field::Str(_)) {
                self.push(
                    Kind::Envelope,
                    &format!("/{name}"),
                    "a string".into(),
                    f.describe(),
                    None,
                );
            }
        }
        if !env.user_id.is_id() && !env.anonymous_id.is_id() {
            self.push(
                Kind::Envelope,
                "/userId",
                "a userId or an anonymousId".into(),
                "neither".into(),
                None,
            );
        }
        let ty = match &env.ty {
            Field::Str(s) => s.as_ref(),
            f => {
                self.push(
                    Kind::Envelope,
                    "/type",
                    "a type: track, identify, group, page, screen or alias".into(),
                    f.describe(),
                    None,
                );
                return Ok(Target::Unknown);
            }
        };
        if env.context_seen && !env.context.object {
            self.push(
                Kind::Envelope,
                "/context",
                "an object".into(),
                "not an object".into(),
                None,
            );
        }
        let ctx = &env.context;
        Ok(match ty {
            "track" => self.track(env, ctx, day)?,
            "identify" => {
                if let Some(t) = &self.model.identify {
                    self.block(env.traits, "traits", t, None)?;
                }
                Target::Call(Call::Identify)
            }
            "group" => {
                if !env.group_id.is_id() {
                    self.push(
                        Kind::Envelope,
                        "/groupId",
                        "a groupId (group calls carry one)".into(),
                        env.group_id.describe(),
                        None,
                    );
                }
                if let Some(t) = &self.model.group {
                    self.block(env.traits, "traits", t, None)?;
                }
                Target::Call(Call::Group)
            }
            "page" | "screen" => {
                let page = ty == "page";
                let name = match &env.name {
                    Field::Str(s) => Some(s.as_ref()),
                    _ => None,
                };
                // The rule for this name, with the one for every page (or
                // screen) as its extra properties (as `common` is a track
                // event's).
                let model = self.model;
                let view = |i: u32| &model.views[i as usize].traits;
                match model.view_rules(page, name) {
                    (Some(i), every) => {
                        self.block(env.properties, "properties", view(i), every.map(view))?;
                        return Ok(Target::View(i));
                    }
                    (None, Some(every)) => {
                        self.block(env.properties, "properties", view(every), None)?
                    }
                    (None, None) => {}
                }
                Target::Call(if page { Call::Page } else { Call::Screen })
            }
            "alias" => Target::Call(Call::Alias),
            other => {
                self.push(
                    Kind::Envelope,
                    "/type",
                    "a type: track, identify, group, page, screen or alias".into(),
                    quote(other),
                    None,
                );
                Target::Unknown
            }
        })
    }

    fn track(
        &mut self,
        env: &Envelope,
        ctx: &Context,
        day: Option<i64>,
    ) -> Result<Target, serde_json::Error> {
        let model = self.model;
        let name = match &env.event {
            Field::Str(s) if !s.is_empty() => s.as_ref(),
            f => {
                self.push(
                    Kind::Envelope,
                    "/event",
                    "the event name (track calls carry one)".into(),
                    f.describe(),
                    None,
                );
                return Ok(Target::Unknown);
            }
        };
        let Some(index) = model.event(name) else {
            let found = format!("{}{}", quote(name), self.suggest_event(name));
            self.push(
                Kind::UnplannedEvent,
                "/event",
                "an event of the plan".into(),
                found,
                Some(model.plan_loc),
            );
            return Ok(Target::Unplanned(crate::validate::tally::clip(name).into()));
        };
        let index = match model.version(index, ctx.event_version) {
            Ok(i) => i,
            Err(oldest) => {
                let versions: Vec<String> = model
                    .versions_of(oldest)
                    .iter()
                    .map(u32::to_string)
                    .collect();
                let found = match ctx.event_version {
                    EventVersion::Int(v) => v.to_string(),
                    EventVersion::Other(kind) => kind.to_string(),
                    EventVersion::Absent => String::new(),
                };
                self.push(
                    Kind::UnknownVersion,
                    "/context/protocols/event_version",
                    format!(
                        "a version of the event: {} (checked against version {} instead)",
                        versions.join(", "),
                        versions.first().map_or("1", String::as_str)
                    ),
                    found,
                    Some(model.events[oldest as usize].loc),
                );
                oldest
            }
        };
        let e = &model.events[index as usize];
        self.lifecycle(e, env, day);
        self.identity(e, env, ctx);
        if let Some((c, loc)) = e.consent {
            self.consent_off(c, loc, "the event");
        }
        if env.eager == Some(index) && self.violations.len() >= env.eager_violations {
            // Checked while reading: move those violations after the others,
            // where they are when the properties come before `event`.
            self.violations.rotate_left(env.eager_violations);
            return Ok(Target::Event(index));
        }
        let path = Path {
            parent: None,
            seg: Seg::Key("properties"),
        };
        match env.properties {
            Some(raw) => {
                let mut cx = Cx {
                    model,
                    out: &mut self.violations,
                    dup: &self.dup,
                    off: &self.off,
                };
                let seed = ObjSeed {
                    cx: &mut cx,
                    obj: &e.props,
                    extra: model.common.as_ref(),
                    path,
                    consent: e.consent.map(|c| c.0),
                    loc: e.loc,
                };
                seed.deserialize(&mut serde_json::Deserializer::from_str(raw.get()))?;
            }
            None => {
                let mut cx = Cx {
                    model,
                    out: &mut self.violations,
                    dup: &self.dup,
                    off: &self.off,
                };
                missing_required(&mut cx, &e.props, model.common.as_ref(), &path, &[]);
            }
        }
        Ok(Target::Event(index))
    }

    fn lifecycle(&mut self, e: &EventModel, env: &Envelope, day: Option<i64>) {
        if let (Some((sunset, loc)), Some(day)) = (e.sunset, day)
            && day > sunset.days_since_epoch()
        {
            let ts = [
                &env.timestamp,
                &env.original_timestamp,
                &env.sent_at,
                &env.received_at,
            ]
            .into_iter()
            .find_map(|f| match f {
                Field::Str(s) if is_rfc3339(s) => Some(s.to_string()),
                _ => None,
            })
            .unwrap_or_default();
            self.push(
                Kind::Sunset,
                "/event",
                format!("no payload after the sunset date {sunset}"),
                format!("sent at {ts}"),
                Some(loc),
            );
            return;
        }
        if let Some(loc) = e.deprecated {
            let expected = match &e.replaced_by {
                Some(r) => format!("{r:?} (replaces it)"),
                None => "an event that is not deprecated".into(),
            };
            self.push(
                Kind::DeprecatedEvent,
                "/event",
                expected,
                format!("{:?}, deprecated", &*e.name),
                Some(loc),
            );
        }
    }

    fn identity(&mut self, e: &EventModel, env: &Envelope, ctx: &Context) {
        let (ok, pointer, what) = match e.identity {
            Identity::Any => return,
            Identity::User => (env.user_id.is_id(), "/userId", "a userId"),
            Identity::Anonymous => (env.anonymous_id.is_id(), "/anonymousId", "an anonymousId"),
            Identity::Group => (
                ctx.group_id.is_id(),
                "/context/groupId",
                "a context.groupId",
            ),
        };
        if !ok {
            let found = match e.identity {
                Identity::User => env.user_id.describe(),
                Identity::Anonymous => env.anonymous_id.describe(),
                _ => ctx.group_id.describe(),
            };
            self.push(
                Kind::Identity,
                pointer,
                format!("{what} (`identity {}`)", e.identity),
                found,
                Some(e.identity_loc),
            );
        }
    }

    /// An event's or block's consent purpose switched off in the payload.
    fn consent_off(&mut self, c: u16, loc: Loc, what: &str) {
        if !self.off.get(c as usize).copied().unwrap_or(false) {
            return;
        }
        let cat = &self.model.categories[c as usize];
        self.push(
            Kind::Consent,
            &format!(
                "/context/consent/categoryPreferences/{}",
                escape_pointer(cat)
            ),
            format!("consent category `{cat}` granted for {what}"),
            format!("`{cat}`: false"),
            Some(loc),
        );
    }

    /// The `traits` (identify, group) or `properties` (page, screen) of a call
    /// against a block of the plan.
    fn block(
        &mut self,
        raw: Option<&RawValue>,
        key: &'static str,
        t: &TraitsModel,
        extra: Option<&TraitsModel>,
    ) -> Result<(), serde_json::Error> {
        let consent = t.consent.or(extra.and_then(|e| e.consent));
        if let Some((c, loc)) = consent {
            let what = if key == "traits" {
                "the traits"
            } else {
                "the properties"
            };
            self.consent_off(c, loc, what);
        }
        let model = self.model;
        let path = Path {
            parent: None,
            seg: Seg::Key(key),
        };
        let mut cx = Cx {
            model,
            out: &mut self.violations,
            dup: &self.dup,
            off: &self.off,
        };
        match raw {
            Some(raw) => ObjSeed {
                cx: &mut cx,
                obj: &t.props,
                extra: extra.map(|e| &e.props),
                path,
                consent: consent.map(|c| c.0),
                loc: t.loc,
            }
            .deserialize(&mut serde_json::Deserializer::from_str(raw.get())),
            None => {
                missing_required(&mut cx, &t.props, extra.map(|e| &e.props), &path, &[]);
                Ok(())
            }
        }
    }
}

impl Checker<'_> {
    /// The plan's `envelope { }` on a payload (a JSON object, read once more:
    /// only plans with an envelope pay for it): each declared top-level field
    /// against its type and modifiers, the required ones present, and one of
    /// `require_one_of`'s fields present.
    pub(super) fn envelope_fields(&mut self, text: &str, e: &EnvelopeModel) {
        let before = self.violations.len();
        let mut cx = Cx {
            model: self.model,
            out: &mut self.violations,
            dup: &self.dup,
            off: &self.off,
        };
        let mut de = serde_json::Deserializer::from_str(text);
        // The payload already parsed as an object: no error can come back.
        let _ = serde::Deserializer::deserialize_map(
            &mut de,
            TopLevel {
                cx: &mut cx,
                env: e,
            },
        );
        // The envelope constrains the fields it names; the libraries fill
        // many more (`context.page`, `context.consent`…), which are not
        // reported as unplanned (a `closed` object still reports them).
        let tail = self.violations.split_off(before);
        self.violations.extend(
            tail.into_iter()
                .filter(|v| v.kind != Kind::UnplannedProperty),
        );
    }
}

/// Walks the payload's top-level fields for [`Checker::envelope_fields`].
struct TopLevel<'m, 'c, 'a> {
    cx: &'c mut Cx<'m, 'a>,
    env: &'m EnvelopeModel,
}

impl<'de> Visitor<'de> for TopLevel<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a payload object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let TopLevel { cx, env } = self;
        let obj = &env.props;
        let mut seen = vec![false; obj.props.len()];
        let mut one_of = env.require_one_of.is_empty();
        while let Some(Key(key)) = map.next_key()? {
            one_of |= env.require_one_of.iter().any(|n| **n == *key);
            match obj.find(&cx.model.names, &key) {
                Some(i) => {
                    seen[i] = true;
                    let p = &obj.props[i];
                    map.next_value_seed(ValSeed {
                        cx: &mut *cx,
                        prop: p,
                        ty: &p.ty,
                        item: false,
                        nullable: p.nullable(),
                        path: Path {
                            parent: None,
                            seg: Seg::Key(&key),
                        },
                        consent: None,
                    })?;
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let model = cx.model;
        for (p, _) in obj
            .props
            .iter()
            .zip(&seen)
            .filter(|(p, s)| p.required() && !**s)
        {
            let name = model.names.get(p.name);
            let at = Path {
                parent: None,
                seg: Seg::Key(name),
            };
            let expected = format!("required field `{name}` ({})", p.ty.expected(model));
            cx.push(Kind::Required, &at, expected, "missing".into(), p.loc);
        }
        // `userId` or `anonymousId` is already an envelope rule of its own.
        let ids = ["userId", "anonymousId"];
        let built_in =
            env.require_one_of.len() == 2 && env.require_one_of.iter().all(|n| ids.contains(&&**n));
        if !one_of && !built_in {
            let names: Vec<String> = env
                .require_one_of
                .iter()
                .map(|n| format!("`{n}`"))
                .collect();
            let at = Path {
                parent: None,
                seg: Seg::Key(&env.require_one_of[0]),
            };
            cx.push(
                Kind::Required,
                &at,
                format!("one of {} (require_one_of)", names.join(", ")),
                "none of them".into(),
                env.loc,
            );
        }
        Ok(())
    }
}

/// The UTC day (days since 1970-01-01) of an RFC 3339 date-time.
pub(crate) fn utc_day(s: &str) -> Option<i64> {
    let date = Date::parse(s.get(..10)?).ok()?;
    let h: i64 = s.get(11..13)?.parse().ok()?;
    let m: i64 = s.get(14..16)?.parse().ok()?;
    let offset = match s.as_bytes().last()? {
        b'Z' | b'z' => 0,
        _ => {
            let off = s.get(s.len() - 6..)?;
            let sign = if off.starts_with('-') { -1 } else { 1 };
            let oh: i64 = off.get(1..3)?.parse().ok()?;
            let om: i64 = off.get(4..6)?.parse().ok()?;
            sign * (oh * 60 + om)
        }
    };
    let minutes = date.days_since_epoch() * 1440 + h * 60 + m - offset;
    Some(minutes.div_euclid(1440))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_days() {
        let day = |s| utc_day(s).expect("a day");
        let d = Date::parse("2026-12-31").expect("date").days_since_epoch();
        assert_eq!(day("2026-12-31T23:59:59Z"), d);
        assert_eq!(day("2027-01-01T00:30:00+01:00"), d);
        assert_eq!(day("2027-01-01T01:30:00+01:00"), d + 1);
        assert_eq!(day("2026-12-31T20:00:00.5-05:00"), d + 1);
        assert_eq!(day("2026-12-31t10:00:00z"), d);
    }
}
