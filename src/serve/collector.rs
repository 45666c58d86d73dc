//! The collector's state: every message received is appended to the capture
//! file as one line and checked, in the same order, by `validate`'s engine
//! ([`Checker`] into a [`Tally`]), so the live results are exactly those of
//! `eventsc validate` on the capture file. The last violating payloads are
//! kept for the dashboard's feed (bounded).

use crate::validate::kinds::Kind;
use crate::validate::model::Model;
use crate::validate::payload::Checker;
use crate::validate::report::{self, ExampleOut, Summary};
use crate::validate::tally::{Tally, Target};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::VecDeque;
use std::io::{self, Write};
use std::sync::Mutex;

/// Feed items kept for the dashboard.
pub(crate) const FEED: usize = 200;
/// Payload bytes shown in a feed item.
const FEED_PAYLOAD: usize = 16 * 1024;

/// One violating (or malformed) payload, as the dashboard shows it.
#[derive(Serialize, Clone, Debug)]
pub(crate) struct FeedItem {
    /// Increasing from 1, for `/feed.json?after=N`.
    pub(crate) seq: u64,
    /// Its line in the capture file.
    pub(crate) line: u64,
    /// The event name, the call type, or the named page or screen rule
    /// (`page "Pricing"`), as the rows of `/qa.json` name it.
    pub(crate) event: String,
    /// The event's version, when it has several.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) version: Option<u32>,
    pub(crate) defect: bool,
    pub(crate) violations: Vec<FeedViolation>,
    /// The payload with `pii(...)` values redacted; `null` when it is not
    /// JSON or too large.
    pub(crate) payload: Value,
    /// Why it is not a payload (not JSON, not an object).
    pub(crate) malformed: Option<String>,
}

#[derive(Serialize, Clone, Debug)]
pub(crate) struct FeedViolation {
    #[serde(flatten)]
    pub(crate) violation: ExampleOut,
    /// The text of the plan's line the rule is written on.
    pub(crate) plan_line: Option<String>,
}

/// Where the captured lines go.
pub(crate) trait Sink: Send {
    fn append(&mut self, bytes: &[u8]) -> io::Result<()>;
    fn flush(&mut self) -> io::Result<()>;
}

impl<W: Write + Send> Sink for io::BufWriter<W> {
    fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.write_all(bytes)
    }

    fn flush(&mut self) -> io::Result<()> {
        Write::flush(self)
    }
}

struct State<'m> {
    checker: Checker<'m>,
    tally: Tally,
    /// SHA-256 of the capture's bytes so far.
    hash: Sha256,
    sink: Box<dyn Sink + 'm>,
    /// The line the next message gets.
    next_line: u64,
    feed: VecDeque<FeedItem>,
    seq: u64,
}

pub(crate) struct Collector<'m> {
    model: &'m Model,
    /// The text of each line of the plan, by file (for the feed).
    plan_lines: Vec<Vec<Box<str>>>,
    /// The capture file as `validate --payloads` would name it.
    name: String,
    state: Mutex<State<'m>>,
}

impl<'m> Collector<'m> {
    /// A collector appending to `sink`, which already holds `lines` lines
    /// counted in `tally` and hashed in `hash` (a resumed capture).
    pub(crate) fn new(
        model: &'m Model,
        plan_lines: Vec<Vec<Box<str>>>,
        name: String,
        sink: Box<dyn Sink + 'm>,
        (tally, lines, hash): (Tally, u64, Sha256),
    ) -> Self {
        Collector {
            model,
            plan_lines,
            name,
            state: Mutex::new(State {
                checker: Checker::new(model),
                tally,
                hash,
                sink,
                next_line: lines + 1,
                feed: VecDeque::new(),
                seq: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State<'m>> {
        // A panic while holding the lock leaves counts that are still
        // consistent enough to report; keep serving.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends the messages to the capture (one line each) and checks them.
    /// The capture is flushed before this returns, so a client told "200"
    /// has its payloads in the file.
    pub(crate) fn ingest<B: AsRef<[u8]>>(&self, messages: &[B]) -> io::Result<()> {
        let mut guard = self.lock();
        let st = &mut *guard;
        for m in messages {
            let bytes = m.as_ref();
            st.sink.append(bytes)?;
            st.sink.append(b"\n")?;
            st.hash.update(bytes);
            st.hash.update(b"\n");
            let line = st.next_line;
            st.next_line += 1;
            let malformed_before = st.tally.malformed;
            st.checker.record(&mut st.tally, line, bytes);
            let malformed = st.tally.malformed > malformed_before;
            if malformed || !st.checker.violations().is_empty() {
                st.seq += 1;
                let item = self.feed_item(st.seq, line, bytes, &st.checker, malformed, &st.tally);
                if st.feed.len() == FEED {
                    st.feed.pop_front();
                }
                st.feed.push_back(item);
            }
        }
        st.sink.flush()
    }

    fn feed_item(
        &self,
        seq: u64,
        line: u64,
        bytes: &[u8],
        checker: &Checker,
        malformed: bool,
        tally: &Tally,
    ) -> FeedItem {
        let model = self.model;
        let mut payload = if bytes.len() <= FEED_PAYLOAD {
            serde_json::from_slice::<Value>(bytes).unwrap_or(Value::Null)
        } else {
            Value::Null
        };
        // What validate counted it as: the event's version, the named page
        // or screen rule, the call.
        let target = if malformed { None } else { checker.target() };
        let event = match target {
            Some(t) => report::target_name(model, t, false),
            None => "(no usable type)".into(),
        };
        if let Some(t) = target {
            report::redact(model, t, &mut payload);
        }
        let message_id = payload
            .get("messageId")
            .and_then(Value::as_str)
            .map(str::to_string);
        let violations: Vec<FeedViolation> = checker
            .violations()
            .iter()
            .map(|v| FeedViolation {
                violation: {
                    // Personal data is redacted as in the evidence report.
                    let mut e = report::example(model, line, message_id.clone(), v);
                    report::private_example(model, target.unwrap_or(&Target::Unknown), &mut e);
                    e
                },
                plan_line: v.loc.and_then(|l| {
                    self.plan_lines
                        .get(l.file as usize)?
                        .get((l.line as usize).checked_sub(1)?)
                        .map(|s| s.trim().to_string())
                }),
            })
            .collect();
        FeedItem {
            seq,
            line,
            event,
            version: target.and_then(|t| report::target_version(model, t)),
            defect: malformed || violations.iter().any(|v| v.violation.kind.is_defect()),
            violations,
            payload: if malformed { Value::Null } else { payload },
            malformed: malformed.then(|| {
                tally
                    .malformed_lines
                    .iter()
                    .find(|(l, _)| *l == line)
                    .map_or_else(|| Kind::Malformed.about().to_string(), |(_, m)| m.clone())
            }),
        }
    }

    /// The results so far, as `validate` would report them on the capture
    /// (dated now, or `SOURCE_DATE_EPOCH`).
    pub(crate) fn summary(&self) -> Summary {
        let st = self.lock();
        let mut s = report::summarize(self.model, &st.tally, &self.name);
        s.provenance.payloads_sha256 = crate::validate::provenance::hex(st.hash.clone());
        drop(st);
        if let Ok((_, date)) = crate::validate::provenance::now() {
            s.provenance.date = date.rfc3339();
        }
        s
    }

    /// Feed items after `seq`, oldest first, and the last seq.
    pub(crate) fn feed_after(&self, seq: u64) -> (Vec<FeedItem>, u64) {
        let st = self.lock();
        let items = st.feed.iter().filter(|i| i.seq > seq).cloned().collect();
        (items, st.seq)
    }

    /// Flushes the capture.
    pub(crate) fn flush(&self) -> io::Result<()> {
        self.lock().sink.flush()
    }
}
