//! `validate`: checks real Segment payloads against the plan (QA replay).
//!
//! The checked plan is compiled once into a small [`model::Model`] (the IR can
//! then be dropped); the payloads stream through in one pass: [`input`] splits
//! them into chunks of records, [`payload`] checks each record, [`tally`] counts
//! per event; with several jobs, chunks are checked in parallel and their
//! tallies merged in input order, so the output does not depend on `--jobs`.
//! [`report`] turns the tally into the QA verdict (coverage and defects against
//! the plan's `qa { }`), the human table, JSON and the Markdown evidence report.
//!
//! Nothing here reads the clock or writes files; the CLI does the writing.
//!
//! Public only for the integration tests (tests/it): the engine driven with
//! tiny chunks, many jobs and fuzzed input; `eventsc validate` and `eventsc
//! serve` are its users.

pub(crate) mod batch;
pub mod input;
pub mod kinds;
pub mod model;
pub mod pattern;
pub mod payload;
pub(crate) mod provenance;
pub(crate) mod record;
pub(crate) mod redact;
pub mod report;
pub(crate) mod scope;
pub(crate) mod suggest;
pub mod tally;

use input::{Chunk, Framer, Record};
use model::Model;
use payload::Checker;
use std::collections::BTreeMap;
use std::io::{self, Read};
use std::sync::{Mutex, mpsc};
use tally::Tally;

/// Checks every payload read from `reader` with `jobs` threads.
pub fn run(model: &Model, reader: impl Read, jobs: usize) -> io::Result<Tally> {
    run_with(model, Framer::new(reader), jobs)
}

/// [`run`] with a given framer (tests use tiny chunks).
pub fn run_with<R: Read>(model: &Model, framer: Framer<R>, jobs: usize) -> io::Result<Tally> {
    run_limited(model, framer, jobs, tally::EXAMPLES)
}

/// [`run_with`], listing up to `limit` violations per event.
pub(crate) fn run_limited<R: Read>(
    model: &Model,
    mut framer: Framer<R>,
    jobs: usize,
    limit: usize,
) -> io::Result<Tally> {
    let mut total = Tally::with_limit(limit);
    if jobs <= 1 {
        let mut checker = Checker::new(model);
        let mut chunk = Chunk::default();
        while framer.next(&mut chunk)? {
            let mut t = Tally::with_limit(limit);
            check_chunk(&mut checker, &chunk, &mut t);
            total.merge(t);
        }
        return Ok(total);
    }
    let max_in_flight = 2 * jobs;
    let (work_tx, work_rx) = mpsc::sync_channel::<(u64, Chunk)>(jobs);
    let work_rx = Mutex::new(work_rx);
    let (done_tx, done_rx) = mpsc::channel::<(u64, Chunk, Tally)>();
    std::thread::scope(|s| {
        for _ in 0..jobs {
            let rx = &work_rx;
            let tx = done_tx.clone();
            s.spawn(move || {
                let mut checker = Checker::new(model);
                loop {
                    let msg = match rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => break,
                    };
                    let Ok((seq, chunk)) = msg else { break };
                    let mut t = Tally::with_limit(limit);
                    check_chunk(&mut checker, &chunk, &mut t);
                    if tx.send((seq, chunk, t)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        let mut pool: Vec<Chunk> = Vec::new();
        let mut pending: BTreeMap<u64, Tally> = BTreeMap::new();
        let (mut sent, mut merged) = (0u64, 0u64);
        let receive = |pool: &mut Vec<Chunk>,
                       pending: &mut BTreeMap<u64, Tally>,
                       merged: &mut u64,
                       total: &mut Tally|
         -> bool {
            let Ok((seq, chunk, t)) = done_rx.recv() else {
                return false;
            };
            pool.push(chunk);
            pending.insert(seq, t);
            while let Some(t) = pending.remove(merged) {
                total.merge(t);
                *merged += 1;
            }
            true
        };
        let mut result = Ok(());
        loop {
            while sent - merged >= max_in_flight as u64 {
                if !receive(&mut pool, &mut pending, &mut merged, &mut total) {
                    break;
                }
            }
            let mut chunk = pool.pop().unwrap_or_default();
            match framer.next(&mut chunk) {
                Ok(true) => {
                    if work_tx.send((sent, chunk)).is_err() {
                        break;
                    }
                    sent += 1;
                }
                Ok(false) => break,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        drop(work_tx);
        while merged < sent {
            if !receive(&mut pool, &mut pending, &mut merged, &mut total) {
                break;
            }
        }
        result
    })?;
    Ok(total)
}

fn check_chunk(checker: &mut Checker, chunk: &Chunk, tally: &mut Tally) {
    for r in &chunk.records {
        match *r {
            Record::Bytes { start, end, line } => {
                let bytes = chunk.bytes(start, end);
                match batch::messages(bytes) {
                    // A Segment batch: each message is a payload, on the batch's line.
                    Some(messages) => {
                        for m in messages {
                            checker.record(tally, line, m);
                        }
                    }
                    None => checker.record(tally, line, bytes),
                }
            }
            Record::TooLarge { len, line } => checker.oversize(tally, line, len),
            Record::Broken { line, message } => checker.malformed(tally, line, message.into()),
        }
    }
}
