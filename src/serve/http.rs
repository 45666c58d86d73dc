//! A small HTTP/1.1 server on `std::net`, enough for the collector: one
//! thread per connection (up to a bound; past it a new connection gets 503),
//! each request answered on its connection's own thread (no queue, no
//! hand-off between threads), keep-alive and pipelining, `Content-Length` and
//! chunked request bodies, `Expect: 100-continue`.
//!
//! Every read has a deadline (no slowloris): the request line and headers
//! must arrive within [`Limits::head_time`] of their first byte, the body
//! within [`Limits::body_time`], and an idle keep-alive connection is closed
//! after [`Limits::idle_time`]. The request line, the headers and the body
//! have size limits, answered with 414, 431 and 413 and a message saying
//! which limit; the connection is then closed.

use std::io::{self, BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The bounds of the server.
#[derive(Debug, Clone)]
pub(crate) struct Limits {
    /// Connections served at once; a new one past this gets 503.
    pub(crate) connections: usize,
    /// The longest request line (method, target, version).
    pub(crate) request_line: usize,
    /// Header fields in one request.
    pub(crate) header_count: usize,
    /// The bytes of all header fields of one request.
    pub(crate) header_bytes: usize,
    /// The bytes of a request body as sent (before any decompression).
    pub(crate) body_bytes: usize,
    /// How long a keep-alive connection may wait for its next request.
    pub(crate) idle_time: Duration,
    /// How long the request line and headers may take from their first byte.
    pub(crate) head_time: Duration,
    /// How long the body may take after the headers.
    pub(crate) body_time: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            connections: 64,
            request_line: 8 << 10,
            header_count: 100,
            header_bytes: 32 << 10,
            body_bytes: super::segment::MAX_BODY,
            idle_time: Duration::from_secs(30),
            head_time: Duration::from_secs(10),
            body_time: Duration::from_secs(60),
        }
    }
}

/// A request, its body read in full.
#[derive(Debug)]
pub(crate) struct Request {
    pub(crate) method: String,
    /// The request target as sent (path and query).
    pub(crate) target: String,
    headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Request {
    /// The first header of this name (case-insensitive).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A response; `Content-Length` and `Connection` are added when it is sent.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    headers: Vec<(&'static str, String)>,
    pub(crate) body: Vec<u8>,
}

impl Response {
    pub(crate) fn new(status: u16, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// Adds a header; a value with a control character (which would split the
    /// header) is left out.
    pub(crate) fn header(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.add(name, value);
        self
    }

    pub(crate) fn add(&mut self, name: &'static str, value: impl Into<String>) {
        let value = value.into();
        if !value.bytes().any(|b| b.is_ascii_control() && b != b'\t') {
            self.headers.push((name, value));
        }
    }

    fn write_to(&self, out: &mut impl Write, close: bool) -> io::Result<()> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (n, v) in &self.headers {
            head.push_str(n);
            head.push_str(": ");
            head.push_str(v);
            head.push_str("\r\n");
        }
        head.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        if close {
            head.push_str("Connection: close\r\n");
        }
        head.push_str("\r\n");
        let mut all = head.into_bytes();
        all.extend_from_slice(&self.body);
        out.write_all(&all)?;
        out.flush()
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

/// Serves `listener` with `handler` until `stop` is set; returns once every
/// connection is closed (an idle one at once, a busy one after its response).
pub(crate) fn serve<H>(listener: &TcpListener, limits: &Limits, stop: &AtomicBool, handler: H)
where
    H: Fn(&Request) -> Response + Sync,
{
    // Accepting polls, so that `stop` is seen without a connection to wake it.
    if listener.set_nonblocking(true).is_err() {
        return;
    }
    let open = AtomicUsize::new(0);
    let handler = &handler;
    std::thread::scope(|s| {
        while !stop.load(Ordering::Relaxed) {
            let (stream, _) = match listener.accept() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                }
                // Out of file descriptors and the like: wait, do not spin.
                Err(_) => {
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                }
            };
            if open.load(Ordering::SeqCst) >= limits.connections {
                refuse(stream);
                continue;
            }
            open.fetch_add(1, Ordering::SeqCst);
            let open = &open;
            let spawned = std::thread::Builder::new().spawn_scoped(s, move || {
                connection(stream, limits, stop, handler);
                open.fetch_sub(1, Ordering::SeqCst);
            });
            if spawned.is_err() {
                open.fetch_sub(1, Ordering::SeqCst);
            }
        }
    });
}

/// Past the bound: 503 at once (the answer fits the socket's buffer, so this
/// does not wait), without reading the request.
fn refuse(mut stream: TcpStream) {
    let _ = stream.set_nonblocking(true);
    let r = Response::new(
        503,
        "eventsc serve: too many connections at once; retry shortly\n",
    )
    .header("Content-Type", "text/plain; charset=utf-8")
    .header("Retry-After", "1");
    let _ = r.write_to(&mut stream, true);
    let _ = stream.shutdown(std::net::Shutdown::Write);
}

/// A request that cannot be served: the status and the message, after which
/// the connection is closed.
struct Refusal(u16, String);

fn refusal(status: u16, message: impl Into<String>) -> Refusal {
    Refusal(status, message.into())
}

/// The read side of a connection: reads wait at most until `deadline`, in
/// slices short enough to notice `stop`.
struct Conn<'a> {
    reader: BufReader<&'a TcpStream>,
    stream: &'a TcpStream,
    deadline: Instant,
    stop: &'a AtomicBool,
}

/// What stopped a read.
enum Cut {
    /// The client closed or the connection failed.
    Gone,
    /// The deadline passed.
    Late,
    /// The server is stopping.
    Stop,
}

impl Conn<'_> {
    /// `fill_buf` with the deadline.
    fn fill(&mut self) -> Result<&[u8], Cut> {
        loop {
            if !self.reader.buffer().is_empty() {
                return Ok(self.reader.buffer());
            }
            let left = self.deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Cut::Late);
            }
            let slice = left.min(Duration::from_millis(200));
            if self.stream.set_read_timeout(Some(slice)).is_err() {
                return Err(Cut::Gone);
            }
            match self.reader.fill_buf() {
                Ok([]) => return Err(Cut::Gone),
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    if self.stop.load(Ordering::Relaxed) {
                        return Err(Cut::Stop);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return Err(Cut::Gone),
            }
        }
    }

    /// A line up to `\n` (without the line break), at most `max` bytes;
    /// `Ok(None)` when it is longer.
    fn line(&mut self, max: usize, into: &mut Vec<u8>) -> Result<Option<()>, Cut> {
        into.clear();
        loop {
            let buf = self.fill()?;
            let (take, done) = match memchr::memchr(b'\n', buf) {
                Some(i) => (i + 1, true),
                None => (buf.len(), false),
            };
            if into.len() + take > max + 2 {
                return Ok(None);
            }
            into.extend_from_slice(&buf[..take]);
            self.reader.consume(take);
            if done {
                into.pop();
                if into.last() == Some(&b'\r') {
                    into.pop();
                }
                return Ok(Some(()));
            }
        }
    }

    /// Exactly `n` bytes appended to `into`.
    fn exact(&mut self, mut n: usize, into: &mut Vec<u8>) -> Result<(), Cut> {
        while n > 0 {
            let buf = self.fill()?;
            let take = buf.len().min(n);
            into.extend_from_slice(&buf[..take]);
            self.reader.consume(take);
            n -= take;
        }
        Ok(())
    }
}

fn connection<H>(stream: TcpStream, limits: &Limits, stop: &AtomicBool, handler: &H)
where
    H: Fn(&Request) -> Response + Sync,
{
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(Duration::from_secs(30)));
    let mut conn = Conn {
        reader: BufReader::with_capacity(16 << 10, &stream),
        stream: &stream,
        deadline: Instant::now() + limits.idle_time,
        stop,
    };
    let mut writer = &stream;
    loop {
        conn.deadline = Instant::now() + limits.idle_time;
        match read_request(&mut conn, &mut writer, limits) {
            Ok((request, keep)) => {
                let response = handler(&request);
                let keep = keep && !stop.load(Ordering::Relaxed);
                if response.write_to(&mut writer, !keep).is_err() || !keep {
                    break;
                }
            }
            Err(Some(Refusal(status, message))) => {
                let r = Response::new(status, format!("eventsc serve: {message}\n"))
                    .header("Content-Type", "text/plain; charset=utf-8");
                let _ = r.write_to(&mut writer, true);
                break;
            }
            Err(None) => break,
        }
    }
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

/// Reads the next request; `Err(None)`: close without an answer (the client
/// left, or the connection was idle when it timed out or the server stops).
fn read_request(
    conn: &mut Conn,
    writer: &mut impl Write,
    limits: &Limits,
) -> Result<(Request, bool), Option<Refusal>> {
    let late = |c: Cut| match c {
        Cut::Late => Some(refusal(408, "the request took too long to arrive")),
        Cut::Gone | Cut::Stop => None,
    };
    // Idle: wait for the first byte; empty lines before a request are allowed.
    let mut line = Vec::new();
    loop {
        let first = conn.fill().map_err(|_| None)?[0];
        if first == b'\r' || first == b'\n' {
            conn.reader.consume(1);
            continue;
        }
        break;
    }
    conn.deadline = Instant::now() + limits.head_time;
    if conn
        .line(limits.request_line, &mut line)
        .map_err(late)?
        .is_none()
    {
        return Err(Some(refusal(
            414,
            format!(
                "the request line is longer than {} bytes",
                limits.request_line
            ),
        )));
    }
    let line = String::from_utf8(line).map_err(|_| Some(refusal(400, "a bad request line")))?;
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Some(refusal(400, "a bad request line")));
    };
    if method.is_empty() || !method.bytes().all(is_token) || target.is_empty() {
        return Err(Some(refusal(400, "a bad request line")));
    }
    let http10 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        _ if version.starts_with("HTTP/") => {
            return Err(Some(refusal(505, "only HTTP/1.0 and HTTP/1.1 are served")));
        }
        _ => return Err(Some(refusal(400, "a bad request line"))),
    };

    let mut headers: Vec<(String, String)> = Vec::new();
    let mut used = 0;
    let mut field = Vec::new();
    loop {
        let left = limits.header_bytes.saturating_sub(used);
        let too_big = || {
            Some(refusal(
                431,
                format!(
                    "the request headers are larger than {} bytes",
                    limits.header_bytes
                ),
            ))
        };
        if conn.line(left, &mut field).map_err(late)?.is_none() {
            return Err(too_big());
        }
        used += field.len() + 2;
        if used > limits.header_bytes {
            return Err(too_big());
        }
        if field.is_empty() {
            break;
        }
        if headers.len() == limits.header_count {
            return Err(Some(refusal(
                431,
                format!("more than {} request headers", limits.header_count),
            )));
        }
        let bad = || Some(refusal(400, "a bad header field"));
        let colon = memchr::memchr(b':', &field).ok_or_else(bad)?;
        let name = &field[..colon];
        if name.is_empty() || !name.iter().copied().all(is_token) {
            return Err(bad());
        }
        let value = String::from_utf8_lossy(field[colon + 1..].trim_ascii()).into_owned();
        headers.push((String::from_utf8_lossy(name).into_owned(), value));
    }

    let values = |name: &'static str| {
        headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let connection_has = |token: &str| {
        values("Connection").any(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
    };
    let keep = if http10 {
        connection_has("keep-alive")
    } else {
        !connection_has("close")
    };
    let codings: Vec<&str> = values("Transfer-Encoding")
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    let chunked = !codings.is_empty();
    if chunked {
        if values("Content-Length").next().is_some() {
            return Err(Some(refusal(
                400,
                "both Transfer-Encoding and Content-Length",
            )));
        }
        if codings.len() > 1 || !codings[0].eq_ignore_ascii_case("chunked") {
            return Err(Some(refusal(
                501,
                "a Transfer-Encoding other than chunked (compress with Content-Encoding: gzip)",
            )));
        }
    }
    let mut length = None;
    for v in values("Content-Length") {
        let n = (!v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
            .then(|| v.parse::<u64>().ok())
            .flatten()
            .ok_or_else(|| Some(refusal(400, "a bad Content-Length")))?;
        if length.is_some_and(|l| l != n) {
            return Err(Some(refusal(400, "two different Content-Lengths")));
        }
        length = Some(n);
    }
    let too_large = || {
        Some(refusal(
            413,
            format!(
                "the request body is larger than {} bytes",
                limits.body_bytes
            ),
        ))
    };
    if length.is_some_and(|n| n > limits.body_bytes as u64) {
        return Err(too_large());
    }
    let has_body = chunked || length.is_some_and(|n| n > 0);
    if has_body && values("Expect").any(|v| v.eq_ignore_ascii_case("100-continue")) {
        writer
            .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
            .and_then(|()| writer.flush())
            .map_err(|_| None)?;
    }

    conn.deadline = Instant::now() + limits.body_time;
    let mut body = Vec::new();
    if chunked {
        let mut size_line = Vec::new();
        loop {
            if conn.line(1024, &mut size_line).map_err(late)?.is_none() {
                return Err(Some(refusal(400, "a bad chunk size")));
            }
            let hex = size_line.split(|&b| b == b';').next().unwrap_or(&[]);
            let hex = std::str::from_utf8(hex.trim_ascii()).unwrap_or("");
            let size = (!hex.is_empty() && hex.len() <= 16)
                .then(|| usize::from_str_radix(hex, 16).ok())
                .flatten()
                .ok_or_else(|| Some(refusal(400, "a bad chunk size")))?;
            if size == 0 {
                break;
            }
            if body.len().saturating_add(size) > limits.body_bytes {
                return Err(too_large());
            }
            conn.exact(size, &mut body).map_err(late)?;
            if conn.line(0, &mut size_line).map_err(late)?.is_none() || !size_line.is_empty() {
                return Err(Some(refusal(400, "a chunk longer than its size")));
            }
        }
        // Trailer fields, read and ignored, within the header limit.
        loop {
            let left = limits.header_bytes.saturating_sub(used);
            if conn.line(left, &mut field).map_err(late)?.is_none() {
                return Err(Some(refusal(431, "the trailer fields are too large")));
            }
            used += field.len() + 2;
            if field.is_empty() {
                break;
            }
        }
    } else if let Some(n) = length {
        // At most `body_bytes`, checked above.
        conn.exact(n as usize, &mut body).map_err(late)?;
    }
    Ok((
        Request {
            method: method.to_string(),
            target: target.to_string(),
            headers,
            body,
        },
        keep,
    ))
}

/// A character of an HTTP token (method, header name).
fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
#[path = "http_tests.rs"]
mod tests;
