# ---------------------------------------------------------------------------
# The client's run time: the same for every plan. It reads the plan's shape
# (`_PLAN`, below) to serialise dates, gate consent and, when `on_violation` is
# set, check what the types cannot say (patterns, bounds, lengths, formats,
# ids) the way `eventsc validate` does.


class AnalyticsLike(_t.Protocol):
    """segment-analytics-python: the `segment.analytics` module or an `analytics.Client`."""

    def track(
        self,
        *,
        user_id: _t.Optional[str] = ...,
        event: _t.Optional[str] = ...,
        properties: _t.Optional[_t.Dict[str, object]] = ...,
        context: _t.Optional[_t.Dict[str, object]] = ...,
        timestamp: _t.Optional[_dt.datetime] = ...,
        anonymous_id: _t.Optional[str] = ...,
        integrations: _t.Optional[_t.Dict[str, object]] = ...,
        message_id: _t.Optional[str] = ...,
    ) -> object: ...

    def identify(
        self,
        *,
        user_id: _t.Optional[str] = ...,
        traits: _t.Optional[_t.Dict[str, object]] = ...,
        context: _t.Optional[_t.Dict[str, object]] = ...,
        timestamp: _t.Optional[_dt.datetime] = ...,
        anonymous_id: _t.Optional[str] = ...,
        integrations: _t.Optional[_t.Dict[str, object]] = ...,
        message_id: _t.Optional[str] = ...,
    ) -> object: ...

    def group(
        self,
        *,
        user_id: _t.Optional[str] = ...,
        group_id: _t.Optional[str] = ...,
        traits: _t.Optional[_t.Dict[str, object]] = ...,
        context: _t.Optional[_t.Dict[str, object]] = ...,
        timestamp: _t.Optional[_dt.datetime] = ...,
        anonymous_id: _t.Optional[str] = ...,
        integrations: _t.Optional[_t.Dict[str, object]] = ...,
        message_id: _t.Optional[str] = ...,
    ) -> object: ...

    def page(
        self,
        *,
        user_id: _t.Optional[str] = ...,
        category: _t.Optional[str] = ...,
        name: _t.Optional[str] = ...,
        properties: _t.Optional[_t.Dict[str, object]] = ...,
        context: _t.Optional[_t.Dict[str, object]] = ...,
        timestamp: _t.Optional[_dt.datetime] = ...,
        anonymous_id: _t.Optional[str] = ...,
        integrations: _t.Optional[_t.Dict[str, object]] = ...,
        message_id: _t.Optional[str] = ...,
    ) -> object: ...

    def screen(
        self,
        *,
        user_id: _t.Optional[str] = ...,
        category: _t.Optional[str] = ...,
        name: _t.Optional[str] = ...,
        properties: _t.Optional[_t.Dict[str, object]] = ...,
        context: _t.Optional[_t.Dict[str, object]] = ...,
        timestamp: _t.Optional[_dt.datetime] = ...,
        anonymous_id: _t.Optional[str] = ...,
        integrations: _t.Optional[_t.Dict[str, object]] = ...,
        message_id: _t.Optional[str] = ...,
    ) -> object: ...


class CallOptions(_t.TypedDict, total=False):
    """What a call passes on to segment-analytics-python besides its properties."""

    user_id: str
    """The user (a call needs `user_id` or `anonymous_id`)."""
    anonymous_id: str
    """The anonymous visitor."""
    timestamp: _dt.datetime
    """When it happened (default: now)."""
    context: _t.Mapping[str, object]
    """Extra `context` (`groupId` for events whose identity is `group`)."""
    integrations: _t.Mapping[str, object]
    """Destinations to send to or skip."""
    message_id: str
    """A message id of your own, for de-duplication."""


class Violation(_t.NamedTuple):
    """A value the plan forbids that the types could not rule out."""

    call: str
    """The event name, or `identify` / `group` / `page` / `screen`."""
    path: str
    """A JSON pointer into the payload, e.g. `/properties/total`."""
    message: str


_analytics: _t.Optional[AnalyticsLike] = None
_on_violation: _t.Optional[_t.Callable[[Violation], None]] = None
_consent: _t.Optional[_t.Callable[[ConsentPurpose], bool]] = None


def set_analytics(
    analytics: AnalyticsLike,
    *,
    on_violation: _t.Optional[_t.Callable[[Violation], None]] = None,
    consent: _t.Optional[_t.Callable[[ConsentPurpose], bool]] = None,
) -> None:
    """Binds the client to segment-analytics-python (until then, calls are dropped).

    `on_violation` is called for each value the plan forbids that the types
    cannot rule out (patterns, bounds, lengths, formats, missing ids, ids the
    plan's envelope rules out, properties not in the plan), with the same rules as `eventsc validate`: set it in
    development and tests; when it is not set, nothing is checked. The call is
    sent anyway.

    `consent` gates calls: when set, a call whose consent purpose is not granted
    is not sent, properties under a purpose that is not granted are left out,
    and `context.consent.categoryPreferences` records what was asked and granted.
    """
    global _analytics, _on_violation, _consent
    _analytics = analytics
    _on_violation = on_violation
    _consent = consent


_shape: _t.Optional[_t.Dict[str, _t.Any]] = None


def _plan() -> _t.Dict[str, _t.Any]:
    global _shape
    shape = _shape
    if shape is None:
        shape = _shape = _json.loads(_PLAN)
    return shape


_Report = _t.Callable[[str, str], None]
_Granted = _t.Callable[[int], bool]


def _send(
    kind: str,
    at: int,
    id_: _t.Optional[str],
    data: _t.Optional[_t.Mapping[str, object]],
    options: CallOptions,
) -> None:
    analytics = _analytics
    if analytics is None:
        return
    plan = _plan()
    view = kind in ("page", "screen")
    c: _t.Dict[str, _t.Any] = plan["events"][at] if kind == "track" else plan["views"][at] if view else plan[kind]
    gate = _consent
    prefs: _t.Dict[str, bool] = {}

    def granted(i: int) -> bool:
        purpose, category = plan["consents"][i]
        if gate is None:
            return True
        ok = bool(gate(purpose))
        prefs[category] = ok
        return ok

    if "consent" in c and not granted(c["consent"]):
        return
    body = _object(data or {}, c["props"], granted)
    name: str = c["name"] if kind == "track" else kind
    # A page or screen: the rule's name, else the one the caller gave (in `id_`).
    view_name: _t.Optional[str] = c.get("name", id_) if view else None
    context: _t.Dict[str, object] = dict(options.get("context") or {})
    protocols = _record(context.get("protocols"))
    if "v" in c:
        # Segment checks the payload against this version (an integer).
        protocols["event_version"] = c["v"]
    protocols["plan_version"] = plan["version"]
    context["protocols"] = protocols
    if gate is not None and prefs:
        # What was asked and decided here wins over what the caller passed.
        consent = _record(context.get("consent"))
        consent["categoryPreferences"] = {**_record(consent.get("categoryPreferences")), **prefs}
        context["consent"] = consent
    user_id = id_ if kind == "identify" else options.get("user_id")
    anonymous_id = options.get("anonymous_id")
    on_violation = _on_violation
    if on_violation is not None:

        def report(path: str, message: str) -> None:
            on_violation(Violation(name, path, message))

        _check(body, c["props"], "/properties" if kind == "track" or view else "/traits", c.get("x") == 1, report)
        _check_ids(c.get("identity", "any"), user_id is not None, anonymous_id is not None, context, report)
        _check_envelope(plan.get("envelope", []), {"userId": user_id, "anonymousId": anonymous_id}, report)
    timestamp = options.get("timestamp")
    integrations = dict(options.get("integrations") or {})
    message_id = options.get("message_id")
    if kind == "track":
        analytics.track(
            user_id=user_id,
            event=name,
            properties=body,
            context=context,
            timestamp=timestamp,
            anonymous_id=anonymous_id,
            integrations=integrations,
            message_id=message_id,
        )
    elif view:
        send = analytics.page if kind == "page" else analytics.screen
        send(
            user_id=user_id,
            name=view_name,
            properties=body,
            context=context,
            timestamp=timestamp,
            anonymous_id=anonymous_id,
            integrations=integrations,
            message_id=message_id,
        )
    elif kind == "identify":
        analytics.identify(
            user_id=user_id,
            traits=body,
            context=context,
            timestamp=timestamp,
            anonymous_id=anonymous_id,
            integrations=integrations,
            message_id=message_id,
        )
    else:
        analytics.group(
            user_id=user_id,
            group_id=id_,
            traits=body,
            context=context,
            timestamp=timestamp,
            anonymous_id=anonymous_id,
            integrations=integrations,
            message_id=message_id,
        )


def _record(v: object) -> _t.Dict[str, object]:
    """A copy of `v` when it is a mapping, else an empty dict."""
    return dict(v) if isinstance(v, _t.Mapping) else {}


def _check_ids(identity: str, user: bool, anonymous: bool, context: _t.Mapping[str, object], report: _Report) -> None:
    if identity == "user" and not user:
        report("/userId", "missing userId: the event's identity is `user`")
    elif identity == "anonymous" and not anonymous:
        report("/anonymousId", "missing anonymousId: the event's identity is `anonymous`")
    elif identity == "group" and not isinstance(context.get("groupId"), str):
        report("/context/groupId", "missing context.groupId: the event's identity is `group`")
    elif not user and not anonymous:
        report("", "missing userId or anonymousId")


def _check_envelope(
    fields: _t.List[_t.Any], ids: _t.Mapping[str, _t.Optional[str]], report: _Report
) -> None:
    """The ids the caller passed against the plan's `envelope { }` fields of the same name."""
    for p in fields:
        v = ids.get(p["n"])
        if v is None:
            if p.get("r") == 1:
                report("/" + p["n"], f"missing {p['n']}: the plan's envelope requires it")
        else:
            _check_value(v, p, p, "/" + p["n"], report)


def _object(o: _t.Mapping[str, object], props: _t.List[_t.Any], granted: _Granted) -> _t.Dict[str, object]:
    """The payload form of an object: dates as RFC 3339 text, properties under consent that is not granted left out."""
    out: _t.Dict[str, object] = {}
    for k, v in o.items():
        p = next((q for q in props if q["n"] == k), None)
        if p is None:
            out[k] = v
        elif "c" in p and not granted(p["c"]):
            continue
        else:
            out[k] = _value(v, p, granted)
    return out


def _value(v: object, t: _t.Dict[str, _t.Any], granted: _Granted) -> object:
    if t["t"] == "u":
        # The member the value is sent as (a date: the date-time or date one).
        dated = isinstance(v, _dt.date)
        m = next((x for x in t.get("m", []) if (x["t"] in ("t", "d") if dated else _carries(x, v))), None)
        if m is not None:
            t = m
    if isinstance(v, _dt.datetime):
        if t["t"] == "d":
            return v.date().isoformat()
        if v.tzinfo is None:
            v = v.replace(tzinfo=_dt.timezone.utc)
        return v.isoformat()
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        item = t.get("i")
        return list(v) if item is None else [_value(x, item, granted) for x in v]
    if t["t"] == "o" and isinstance(v, dict):
        return _object(v, t.get("p", []), granted)
    return v


def _pointer(at: str, key: str) -> str:
    return at + "/" + key.replace("~", "~0").replace("/", "~1")


def _check(o: _t.Mapping[str, object], props: _t.List[_t.Any], at: str, closed: bool, report: _Report) -> None:
    """`closed`: the object (or block) is closed, so another key is a defect, not only unplanned."""
    for p in props:
        path = _pointer(at, p["n"])
        if p["n"] not in o:
            if p.get("r") == 1:
                report(path, "missing required property")
            continue
        v = o[p["n"]]
        if v is None:
            if p.get("u") != 1 and p["t"] != "a":
                report(path, "null is not allowed: the property is not nullable")
        else:
            _check_value(v, p, p, path, report)
    names = {p["n"] for p in props}
    for k in o:
        if k not in names:
            message = "property not in the plan (the object is closed)" if closed else "property not in the plan"
            report(_pointer(at, k), message)


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _carries(t: _t.Dict[str, _t.Any], v: object) -> bool:
    """Whether a union member takes values of `v`'s JSON kind (the first that does is checked)."""
    kind = t["t"]
    if kind == "a":
        return True
    if kind == "b":
        return isinstance(v, bool)
    if kind in ("i", "n"):
        return _is_number(v)
    if kind in ("s", "t", "d"):
        return isinstance(v, str)
    if kind == "e":
        return any(_carries({"t": _kind_of(x)}, v) for x in t.get("e", []))
    if kind == "l":
        return isinstance(v, (list, tuple))
    if kind == "o":
        return isinstance(v, dict)
    return False


def _kind_of(x: object) -> str:
    return "b" if isinstance(x, bool) else "s" if isinstance(x, str) else "n"


def _same(a: object, b: object) -> bool:
    """JSON equality of two scalars: `1` is `1.0`, and `True` is not `1`."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    return _is_number(a) and _is_number(b) and a == b


def _expected(t: _t.Dict[str, _t.Any]) -> str:
    kind: str = t["t"]
    if kind == "e":
        return "one of " + ", ".join(_json.dumps(x) for x in t.get("e", []))
    if kind == "u":
        return " or ".join(_expected(m) for m in t.get("m", []))
    return _EXPECTED.get(kind, kind)


def _multiple(x: float, step: float) -> bool:
    """Whether `x` is a multiple of `step` (within float error, as `eventsc validate` decides)."""
    q = x / step
    return abs(q - round(q)) < 1e-9


_EXPECTED = {
    "a": "any value",
    "s": "a string",
    "i": "an integer",
    "n": "a number",
    "b": "true or false",
    "t": "an RFC 3339 date-time",
    "d": "a date (YYYY-MM-DD)",
    "l": "a list",
    "o": "an object",
}


def _describe(v: object) -> str:
    if isinstance(v, (list, tuple)):
        return "a list"
    if isinstance(v, dict):
        return "an object"
    try:
        return _json.dumps(v)
    except (TypeError, ValueError):
        return type(v).__name__


def _check_value(
    v: object, t: _t.Dict[str, _t.Any], c: _t.Optional[_t.Dict[str, _t.Any]], path: str, report: _Report
) -> None:
    """`v`: not None; `c`: the constraints (a union's members carry their type only)."""
    if c is not None:
        if "mul" in c and _is_number(v) and _math.isfinite(_t.cast(float, v)) and not _multiple(_t.cast(float, v), c["mul"]):
            report(path, f"{v} is not a multiple of {c['mul']} (multiple_of)")
        if "npat" in c and isinstance(v, str) and _regex(c["npat"]).search(v) is not None:
            report(path, f"{_json.dumps(v)} matches not_pattern")
        if "ne" in c and any(_same(x, v) for x in c["ne"]):
            report(path, f"{_json.dumps(v)} is ruled out by not_enum")
    if t["t"] == "u":
        m = next((x for x in t.get("m", []) if _carries(x, v)), None)
        if m is None:
            report(path, f"expected {_expected(t)}, found {_describe(v)}")
            return None
        t = m
    kind = t["t"]

    def wrong() -> None:
        report(path, f"expected {_expected(t)}, found {_describe(v)}")

    if kind == "s":
        if not isinstance(v, str):
            return wrong()
        if c is not None:
            _check_length(len(v), c, "characters", path, report)
            if "fmt" in c and not _format(c["fmt"], v):
                report(path, f"{_json.dumps(v)} is not a valid {c['fmt']}")
            if "pat" in c and _regex(c["pat"]).search(v) is None:
                report(path, f"{_json.dumps(v)} does not match the pattern")
    elif kind in ("i", "n"):
        number = isinstance(v, (int, float)) and not isinstance(v, bool)
        if not number or not _math.isfinite(_t.cast(float, v)):
            return wrong()
        x = _t.cast(float, v)
        if kind == "i" and not float(x).is_integer():
            return wrong()
        if c is not None and "min" in c and x < c["min"]:
            report(path, f"{x} is below min({c['min']})")
        if c is not None and "max" in c and x > c["max"]:
            report(path, f"{x} is above max({c['max']})")
    elif kind == "b":
        if not isinstance(v, bool):
            wrong()
    elif kind == "t":
        if not (isinstance(v, str) and _date_time(v)):
            wrong()
    elif kind == "d":
        if not (isinstance(v, str) and _date(v)):
            wrong()
    elif kind == "e":
        if not any(_same(x, v) for x in t.get("e", [])):
            wrong()
    elif kind == "l":
        if not isinstance(v, (list, tuple)):
            return wrong()
        if c is not None:
            _check_length(len(v), c, "items", path, report)
        item = t.get("i")
        if item is not None:
            for i, x in enumerate(v):
                if x is None:
                    if item.get("u") != 1 and item["t"] != "a":
                        report(f"{path}/{i}", f"expected {_expected(item)}, found null")
                else:
                    _check_value(x, item, item, f"{path}/{i}", report)
    elif kind == "o":
        if not isinstance(v, dict):
            return wrong()
        _check(v, t.get("p", []), path, t.get("x") == 1, report)
    return None


def _check_length(n: int, c: _t.Dict[str, _t.Any], unit: str, path: str, report: _Report) -> None:
    if "minLen" in c and n < c["minLen"]:
        report(path, f"{n} {unit}, fewer than min_length({c['minLen']})")
    if "maxLen" in c and n > c["maxLen"]:
        report(path, f"{n} {unit}, more than max_length({c['maxLen']})")


_regexes: _t.Dict[str, _re.Pattern[str]] = {}


def _regex(source: str) -> _re.Pattern[str]:
    """A `pattern(...)`, rewritten from ECMA-262 for Python's `re` by eventsc (ASCII classes, `$` at the very end)."""
    r = _regexes.get(source)
    if r is None:
        r = _re.compile(source, _re.ASCII)
        _regexes[source] = r
    return r


_DATE = _re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z", _re.ASCII)
_DATE_TIME = _re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?([Zz]|[+-]([0-9]{2}):([0-9]{2}))\Z",
    _re.ASCII,
)


def _date(s: str) -> bool:
    m = _DATE.match(s)
    if m is None:
        return False
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not 1 <= mo <= 12:
        return False
    leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]
    return 1 <= d <= days


def _date_time(s: str) -> bool:
    m = _DATE_TIME.match(s)
    if m is None or not _date(m.group(1)):
        return False
    if int(m.group(2)) > 23 or int(m.group(3)) > 59 or int(m.group(4)) > 60:
        return False
    return m.group(7) is None or (int(m.group(7)) <= 23 and int(m.group(8)) <= 59)


_LABEL = _re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\Z", _re.ASCII)
_LOCAL = _re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+\Z", _re.ASCII)
_URI = _re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`\x00-\x1f\x7f-\x9f]*\Z")
_UUID = _re.compile(
    r"(?:urn:uuid:)?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\Z", _re.ASCII
)
_IPV4_PART = _re.compile(r"(?:0|[1-9][0-9]{0,2})\Z", _re.ASCII)
_IPV6_GROUP = _re.compile(r"[0-9A-Fa-f]{1,4}\Z", _re.ASCII)


def _hostname(s: str) -> bool:
    return 0 < len(s) <= 253 and all(_LABEL.match(label) for label in s.split("."))


def _ipv4(s: str) -> bool:
    parts = s.split(".")
    return len(parts) == 4 and all(_IPV4_PART.match(p) and int(p) <= 255 for p in parts)


def _ipv6(s: str) -> bool:
    head = s
    if "." in s:
        colon = s.rfind(":")
        if colon < 0 or not _ipv4(s[colon + 1 :]):
            return False
        head = s[: colon + 1] + "0:0"
    halves = head.split("::")
    if len(halves) > 2:
        return False
    groups = 0
    for half in halves:
        if half == "":
            continue
        for g in half.split(":"):
            if not _IPV6_GROUP.match(g):
                return False
            groups += 1
    return groups <= 7 if len(halves) == 2 else groups == 8


def _format(f: str, s: str) -> bool:
    """The `format(...)` checks of `eventsc validate` (JSON Schema's formats)."""
    if f == "email":
        at = s.rfind("@")
        local, domain = s[:at], s[at + 1 :]
        return (
            at > 0
            and len(local) <= 64
            and all(_LOCAL.match(p) for p in local.split("."))
            and _hostname(domain)
            and "." in domain
        )
    if f == "uri":
        return _URI.match(s) is not None
    if f == "uuid":
        return _UUID.match(s) is not None
    if f == "date":
        return _date(s)
    if f == "date-time":
        return _date_time(s)
    if f == "ipv4":
        return _ipv4(s)
    if f == "ipv6":
        return _ipv6(s)
    if f == "hostname":
        return _hostname(s)
    return True
