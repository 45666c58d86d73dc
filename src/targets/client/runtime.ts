// ---------------------------------------------------------------------------
// The client's run time: the same for every plan. It reads the plan's shape
// (`_PLAN`, below) to serialise dates, gate consent and, when `onViolation` is
// set, check what the types cannot say (patterns, bounds, lengths, formats,
// ids) the way `eventsc validate` does.

/** An analytics.js instance (`@segment/analytics-next`): `track(event, properties, options)`. */
export interface BrowserAnalytics {
  track(event: string, properties?: object, options?: object): unknown;
  identify(userId?: string, traits?: object, options?: object): unknown;
  group(groupId?: string, traits?: object, options?: object): unknown;
  page(category?: string | null, name?: string | null, properties?: object, options?: object): unknown;
  screen(category?: string | null, name?: string | null, properties?: object, options?: object): unknown;
}

/** The message every `@segment/analytics-node` call takes. */
export interface NodeMessage {
  userId?: string | undefined;
  anonymousId?: string | undefined;
  context?: object | undefined;
  timestamp?: Date | string | undefined;
  integrations?: object | undefined;
  messageId?: string | undefined;
}

/** An `@segment/analytics-node` instance: `track({ event, properties, userId, … })`. */
export interface NodeAnalytics {
  track(message: NodeMessage & { event: string; properties?: object | undefined }): unknown;
  identify(message: NodeMessage & { traits?: object | undefined }): unknown;
  group(message: NodeMessage & { groupId: string; traits?: object | undefined }): unknown;
  page(message: NodeMessage & { name?: string | undefined; properties?: object | undefined }): unknown;
  screen(message: NodeMessage & { name?: string | undefined; properties?: object | undefined }): unknown;
  closeAndFlush(options?: object): Promise<unknown>;
}

/** What a call passes on to the analytics library besides its properties. */
export interface CallOptions {
  /** The user (analytics-node; analytics.js takes it from `identify`). */
  userId?: string;
  /** The anonymous visitor (analytics-node; analytics.js keeps its own). */
  anonymousId?: string;
  /** When it happened (default: now). */
  timestamp?: Date | string;
  /** Extra `context` (`context.groupId` for events whose identity is `group`). */
  context?: Record<string, unknown>;
  /** Destinations to send to or skip. */
  integrations?: Record<string, boolean | Record<string, unknown>>;
  /** A message id of your own, for de-duplication. */
  messageId?: string;
}

/** A value the plan forbids that the types could not rule out. */
export interface Violation {
  /** The event name, or `identify` / `group` / `page` / `screen`. */
  call: string;
  /** A JSON pointer into the payload, e.g. `/properties/total`. */
  path: string;
  message: string;
}

export interface ClientOptions {
  /**
   * Called for each value the plan forbids that the types cannot rule out
   * (patterns, bounds, lengths, formats, missing ids, ids the plan's envelope
   * rules out, properties not in the plan), with the same rules as `eventsc
   * validate`. Set it in development
   * and tests; when it is not set, nothing is checked. The call is sent anyway.
   */
  onViolation?: (violation: Violation) => void;
  /**
   * Consent gating. When set, a call whose consent purpose is not granted is
   * not sent, properties under a purpose that is not granted are left out, and
   * `context.consent.categoryPreferences` records what was asked and granted.
   */
  consent?: (purpose: ConsentPurpose) => boolean;
}

let _analytics: BrowserAnalytics | NodeAnalytics | undefined;
let _options: ClientOptions = {};

/**
 * Binds the client to an analytics instance: an `AnalyticsBrowser` (or
 * `window.analytics`) from `@segment/analytics-next`, or an `Analytics` from
 * `@segment/analytics-node` (told apart by its `closeAndFlush`). Until it is
 * called, calls are dropped.
 */
export function setAnalytics(analytics: BrowserAnalytics | NodeAnalytics, options: ClientOptions = {}): void {
  _analytics = analytics;
  _options = options;
}

/** A type and, on a property or list item, its constraints. */
interface _Type {
  t: string;
  e?: (string | number | boolean)[];
  i?: _Type;
  p?: _Prop[];
  m?: _Type[];
  u?: number;
  min?: number;
  max?: number;
  mul?: number;
  minLen?: number;
  maxLen?: number;
  pat?: string;
  npat?: string;
  fmt?: string;
  ne?: (string | number | boolean)[];
  x?: number;
}

interface _Prop extends _Type {
  n: string;
  r?: number;
  c?: number;
}

interface _Container {
  name?: string;
  identity?: string;
  v?: number;
  consent?: number;
  x?: number;
  props: _Prop[];
}

interface _Shape {
  version: string;
  consents: [string, string][];
  events: _Container[];
  identify?: _Container;
  group?: _Container;
  views?: _Container[];
  envelope?: _Prop[];
}

let _shape: _Shape | undefined;

function _plan(): _Shape {
  if (_shape === undefined) {
    _shape = JSON.parse(_PLAN) as _Shape;
  }
  return _shape;
}

type _Report = (path: string, message: string) => void;

function _send(
  kind: "track" | "identify" | "group" | "page" | "screen",
  at: number,
  id: string | undefined,
  input: object | undefined,
  options: CallOptions | undefined,
): void {
  const a = _analytics;
  if (a === undefined) {
    return;
  }
  const plan = _plan();
  const view = kind === "page" || kind === "screen";
  const c = kind === "track" ? plan.events[at] : view ? plan.views?.[at] : plan[kind];
  if (c === undefined) {
    return;
  }
  const gate = _options.consent;
  let prefs: Record<string, boolean> | undefined;
  const granted = (i: number): boolean => {
    const purpose = plan.consents[i];
    if (gate === undefined || purpose === undefined) {
      return true;
    }
    const ok = gate(purpose[0] as ConsentPurpose);
    prefs = prefs ?? {};
    prefs[purpose[1]] = ok;
    return ok;
  };
  if (c.consent !== undefined && !granted(c.consent)) {
    return;
  }
  const body = _object(input ?? {}, c.props, granted);
  const name = kind === "track" ? (c.name ?? "") : kind;
  // A page or screen: the rule's name, else the one the caller gave (in `id`).
  const viewName = view ? (c.name ?? id) : undefined;
  const context: Record<string, unknown> = { ...(options?.context ?? {}) };
  const protocols: Record<string, unknown> = { ..._record(context["protocols"]) };
  if (c.v !== undefined) {
    // Segment checks the payload against this version (an integer).
    protocols["event_version"] = c.v;
  }
  protocols["plan_version"] = plan.version;
  context["protocols"] = protocols;
  if (prefs !== undefined) {
    // What was asked and decided here wins over what the caller passed.
    const consent = _record(context["consent"]);
    consent["categoryPreferences"] = { ..._record(consent["categoryPreferences"]), ...prefs };
    context["consent"] = consent;
  }
  const node = "closeAndFlush" in a;
  const userId = kind === "identify" ? id : options?.userId;
  const onViolation = _options.onViolation;
  if (onViolation !== undefined) {
    const report: _Report = (path, message) => onViolation({ call: name, path, message });
    _check(body, c.props, kind === "track" || view ? "/properties" : "/traits", c.x === 1, report);
    if (node) {
      _checkIds(c.identity ?? "any", userId !== undefined, options?.anonymousId !== undefined, context, report);
      _checkEnvelope(plan.envelope ?? [], { userId, anonymousId: options?.anonymousId }, report);
    }
  }
  const rest: NodeMessage = { context };
  if (options?.timestamp !== undefined) {
    rest.timestamp = options.timestamp;
  }
  if (options?.integrations !== undefined) {
    rest.integrations = options.integrations;
  }
  if (options?.messageId !== undefined) {
    rest.messageId = options.messageId;
  }
  if (options?.anonymousId !== undefined) {
    rest.anonymousId = options.anonymousId;
  }
  if ("closeAndFlush" in a) {
    if (userId !== undefined) {
      rest.userId = userId;
    }
    if (kind === "track") {
      a.track({ ...rest, event: name, properties: body });
    } else if (view) {
      const message = viewName === undefined ? { ...rest, properties: body } : { ...rest, name: viewName, properties: body };
      if (kind === "page") {
        a.page(message);
      } else {
        a.screen(message);
      }
    } else if (kind === "identify") {
      a.identify({ ...rest, traits: body });
    } else {
      a.group({ ...rest, groupId: id ?? "", traits: body });
    }
  } else if (kind === "track") {
    a.track(name, body, rest);
  } else if (kind === "page") {
    a.page(null, viewName ?? null, body, rest);
  } else if (kind === "screen") {
    a.screen(null, viewName ?? null, body, rest);
  } else if (kind === "identify") {
    a.identify(id, body, rest);
  } else {
    a.group(id, body, rest);
  }
}

/** A copy of `v` when it is an object, else an empty object. */
function _record(v: unknown): Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? { ...(v as Record<string, unknown>) } : {};
}

function _checkIds(identity: string, user: boolean, anonymous: boolean, context: Record<string, unknown>, report: _Report): void {
  if (identity === "user" && !user) {
    report("/userId", "missing userId: the event's identity is `user`");
  } else if (identity === "anonymous" && !anonymous) {
    report("/anonymousId", "missing anonymousId: the event's identity is `anonymous`");
  } else if (identity === "group" && typeof context["groupId"] !== "string") {
    report("/context/groupId", "missing context.groupId: the event's identity is `group`");
  } else if (!user && !anonymous) {
    report("", "missing userId or anonymousId");
  }
}

/** The ids the caller passed against the plan's `envelope { }` fields of the same name. */
function _checkEnvelope(fields: _Prop[], ids: Record<string, string | undefined>, report: _Report): void {
  for (const p of fields) {
    const v = ids[p.n];
    if (v === undefined) {
      if (p.r === 1) {
        report("/" + p.n, `missing ${p.n}: the plan's envelope requires it`);
      }
    } else {
      _checkValue(v, p, p, "/" + p.n, report);
    }
  }
}

/** The payload form of an object: dates as RFC 3339 text, `undefined` left out, properties under consent that is not granted left out. */
function _object(o: object, props: _Prop[], granted: (consent: number) => boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) {
      continue;
    }
    const p = props.find((q) => q.n === k);
    if (p === undefined) {
      out[k] = v;
      continue;
    }
    if (p.c !== undefined && !granted(p.c)) {
      continue;
    }
    out[k] = _value(v, p, granted);
  }
  return out;
}

function _value(v: unknown, t: _Type, granted: (consent: number) => boolean): unknown {
  if (t.t === "u") {
    // The member the value is sent as (a Date: the date-time or date one).
    const m = (t.m ?? []).find((x) => (v instanceof Date ? x.t === "t" || x.t === "d" : _carries(x, v)));
    if (m !== undefined) {
      t = m;
    }
  }
  if (v instanceof Date) {
    if (isNaN(v.getTime())) {
      return "Invalid Date";
    }
    const s = v.toISOString();
    return t.t === "d" ? s.slice(0, 10) : s;
  }
  if (Array.isArray(v)) {
    const item = t.i;
    return item === undefined ? v : v.map((x: unknown) => _value(x, item, granted));
  }
  if (t.t === "o" && t.p !== undefined && typeof v === "object" && v !== null) {
    return _object(v, t.p, granted);
  }
  return v;
}

function _pointer(at: string, key: string): string {
  return at + "/" + key.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** `closed`: the object (or block) is closed, so another key is a defect, not only unplanned. */
function _check(o: Record<string, unknown>, props: _Prop[], at: string, closed: boolean, report: _Report): void {
  for (const p of props) {
    const v = o[p.n];
    const path = _pointer(at, p.n);
    if (v === undefined) {
      if (p.r === 1) {
        report(path, "missing required property");
      }
    } else if (v === null) {
      if (p.u !== 1 && p.t !== "a") {
        report(path, "null is not allowed: the property is not nullable");
      }
    } else {
      _checkValue(v, p, p, path, report);
    }
  }
  for (const k of Object.keys(o)) {
    if (!props.some((p) => p.n === k)) {
      report(_pointer(at, k), closed ? "property not in the plan (the object is closed)" : "property not in the plan");
    }
  }
}

/** Whether a union member takes values of `v`'s JSON kind (the first that does is checked). */
function _carries(t: _Type, v: unknown): boolean {
  switch (t.t) {
    case "a":
      return true;
    case "b":
      return typeof v === "boolean";
    case "i":
    case "n":
      return typeof v === "number";
    case "s":
    case "t":
    case "d":
      return typeof v === "string";
    case "e":
      return (t.e ?? []).some((x) => typeof x === typeof v);
    case "l":
      return Array.isArray(v);
    case "o":
      return typeof v === "object" && v !== null && !Array.isArray(v);
    default:
      return false;
  }
}

function _expected(t: _Type): string {
  if (t.t === "e") {
    return "one of " + (t.e ?? []).map((x) => JSON.stringify(x)).join(", ");
  }
  if (t.t === "u") {
    return (t.m ?? []).map(_expected).join(" or ");
  }
  return _EXPECTED[t.t] ?? t.t;
}

/** Whether `x` is a multiple of `step` (within float error, as `eventsc validate` decides). */
function _multiple(x: number, step: number): boolean {
  const q = x / step;
  return Math.abs(q - Math.round(q)) < 1e-9;
}

function _describe(v: unknown): string {
  if (Array.isArray(v)) {
    return "a list";
  }
  if (v === null) {
    return "null";
  }
  return typeof v === "object" ? "an object" : JSON.stringify(v) ?? typeof v;
}

const _EXPECTED: Record<string, string> = {
  a: "any value",
  s: "a string",
  i: "an integer",
  n: "a number",
  b: "true or false",
  t: "an RFC 3339 date-time",
  d: "a date (YYYY-MM-DD)",
  l: "a list",
  o: "an object",
};

/** `v`: not null; `c`: the constraints (a union's members carry their type only). */
function _checkValue(v: unknown, t: _Type, c: _Type | undefined, path: string, report: _Report): void {
  if (c !== undefined) {
    if (c.mul !== undefined && typeof v === "number" && isFinite(v) && !_multiple(v, c.mul)) {
      report(path, `${v} is not a multiple of ${c.mul} (multiple_of)`);
    }
    if (c.npat !== undefined && typeof v === "string" && _regex(c.npat).test(v)) {
      report(path, `${JSON.stringify(v)} matches not_pattern(${JSON.stringify(c.npat)})`);
    }
    if (c.ne !== undefined && c.ne.some((x) => x === v)) {
      report(path, `${JSON.stringify(v)} is ruled out by not_enum`);
    }
  }
  if (t.t === "u") {
    const m = (t.m ?? []).find((x) => _carries(x, v));
    if (m === undefined) {
      report(path, `expected ${_expected(t)}, found ${_describe(v)}`);
      return;
    }
    t = m;
  }
  const wrong = (): void => {
    report(path, `expected ${_expected(t)}, found ${_describe(v)}`);
  };
  switch (t.t) {
    case "s":
      if (typeof v !== "string") {
        return wrong();
      }
      if (c !== undefined) {
        _checkLength([...v].length, c, "characters", path, report);
        if (c.fmt !== undefined && !_format(c.fmt, v)) {
          report(path, `${JSON.stringify(v)} is not a valid ${c.fmt}`);
        }
        if (c.pat !== undefined && !_regex(c.pat).test(v)) {
          report(path, `${JSON.stringify(v)} does not match the pattern ${JSON.stringify(c.pat)}`);
        }
      }
      return;
    case "i":
    case "n":
      if (typeof v !== "number" || !isFinite(v) || (t.t === "i" && !Number.isInteger(v))) {
        return wrong();
      }
      if (c?.min !== undefined && v < c.min) {
        report(path, `${v} is below min(${c.min})`);
      }
      if (c?.max !== undefined && v > c.max) {
        report(path, `${v} is above max(${c.max})`);
      }
      return;
    case "b":
      return typeof v === "boolean" ? undefined : wrong();
    case "t":
      return typeof v === "string" && _dateTime(v) ? undefined : wrong();
    case "d":
      return typeof v === "string" && _date(v) ? undefined : wrong();
    case "e":
      return (t.e ?? []).some((x) => x === v) ? undefined : wrong();
    case "l": {
      if (!Array.isArray(v)) {
        return wrong();
      }
      if (c !== undefined) {
        _checkLength(v.length, c, "items", path, report);
      }
      const item = t.i;
      if (item !== undefined) {
        v.forEach((x: unknown, i: number) => {
          if (x === null || x === undefined) {
            if (item.u !== 1 && item.t !== "a") {
              report(`${path}/${i}`, `expected ${_expected(item)}, found null`);
            }
          } else {
            _checkValue(x, item, item, `${path}/${i}`, report);
          }
        });
      }
      return;
    }
    case "o":
      if (typeof v !== "object" || v === null || Array.isArray(v)) {
        return wrong();
      }
      _check(v as Record<string, unknown>, t.p ?? [], path, t.x === 1, report);
      return;
  }
}

function _checkLength(n: number, c: _Type, unit: string, path: string, report: _Report): void {
  if (c.minLen !== undefined && n < c.minLen) {
    report(path, `${n} ${unit}, fewer than min_length(${c.minLen})`);
  }
  if (c.maxLen !== undefined && n > c.maxLen) {
    report(path, `${n} ${unit}, more than max_length(${c.maxLen})`);
  }
}

const _regexes = new Map<string, RegExp>();

/** A `pattern(...)` as JSON Schema validators read it: ECMA-262 with the `u` flag, unanchored. */
function _regex(source: string): RegExp {
  let r = _regexes.get(source);
  if (r === undefined) {
    r = new RegExp(source, "u");
    _regexes.set(source, r);
  }
  return r;
}

function _date(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (m === null) {
    return false;
  }
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
  return days !== undefined && d >= 1 && d <= days;
}

function _dateTime(s: string): boolean {
  const m = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/.exec(s);
  return (
    m !== null &&
    _date(m[1] ?? "") &&
    Number(m[2]) <= 23 &&
    Number(m[3]) <= 59 &&
    Number(m[4]) <= 60 &&
    (m[7] === undefined || (Number(m[7]) <= 23 && Number(m[8]) <= 59))
  );
}

function _hostname(s: string): boolean {
  return s.length > 0 && s.length <= 253 && s.split(".").every((l) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l));
}

function _ipv4(s: string): boolean {
  const parts = s.split(".");
  return parts.length === 4 && parts.every((p) => /^(?:0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

function _ipv6(s: string): boolean {
  let head = s;
  if (s.includes(".")) {
    const colon = s.lastIndexOf(":");
    if (colon < 0 || !_ipv4(s.slice(colon + 1))) {
      return false;
    }
    head = s.slice(0, colon + 1) + "0:0";
  }
  const halves = head.split("::");
  if (halves.length > 2) {
    return false;
  }
  let groups = 0;
  for (const half of halves) {
    if (half === "") {
      continue;
    }
    for (const g of half.split(":")) {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) {
        return false;
      }
      groups++;
    }
  }
  return halves.length === 2 ? groups <= 7 : groups === 8;
}

/** The `format(...)` checks of `eventsc validate` (JSON Schema's formats, ajv-formats' fast mode). */
function _format(f: string, s: string): boolean {
  switch (f) {
    case "email": {
      const at = s.lastIndexOf("@");
      const local = s.slice(0, at);
      const domain = s.slice(at + 1);
      return (
        at > 0 &&
        local.length <= 64 &&
        local.split(".").every((p) => /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$/.test(p)) &&
        _hostname(domain) &&
        domain.includes(".")
      );
    }
    case "uri":
      return /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`\u0000-\u001f\u007f-\u009f]*$/u.test(s);
    case "uuid":
      return /^(?:urn:uuid:)?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/.test(s);
    case "date":
      return _date(s);
    case "date-time":
      return _dateTime(s);
    case "ipv4":
      return _ipv4(s);
    case "ipv6":
      return _ipv6(s);
    case "hostname":
      return _hostname(s);
    default:
      return true;
  }
}
