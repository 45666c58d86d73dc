//! The HTTP/1.1 layer in process with an echo handler and small limits:
//! bursts of new connections, keep-alive and pipelining, chunked bodies, the
//! size limits, slow clients, the connection bound (`tests/it/serve_http.rs`:
//! a burst against `eventsc serve` itself).

use super::{self as http, Limits, Request, Response};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// An echo server: the body is `METHOD TARGET\n` and the request body.
struct Echo {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Echo {
    fn start(limits: Limits) -> Echo {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binds");
        let port = listener.local_addr().expect("an address").port();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            http::serve(&listener, &limits, &flag, |req: &Request| {
                let mut body = format!("{} {}\n", req.method, req.target).into_bytes();
                body.extend_from_slice(&req.body);
                Response::new(200, body).header("Content-Type", "text/plain")
            });
        });
        Echo {
            port,
            stop,
            thread: Some(thread),
        }
    }

    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.port)).expect("connects");
        s.set_read_timeout(Some(Duration::from_secs(20)))
            .expect("a timeout");
        s
    }

    /// Stops the server; it must return promptly with connections open.
    fn stop(mut self) -> Duration {
        let t = Instant::now();
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.thread.take() {
            h.join().expect("the server thread ends");
        }
        t.elapsed()
    }
}

impl Drop for Echo {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.thread.take() {
            let _ = h.join();
        }
    }
}

/// One response read off a keep-alive connection: status, headers, body.
fn response(r: &mut impl BufRead) -> (u16, String, Vec<u8>) {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        let n = r.read_line(&mut line).expect("reads a response");
        assert!(n > 0, "the connection closed before a response: {head:?}");
        if line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .and_then(|v| v.trim().parse().ok())
        .expect("a Content-Length");
    let mut body = vec![0; length];
    r.read_exact(&mut body).expect("the body");
    (status, head, body)
}

/// The connection is closed by the server (EOF, or a reset after it).
fn closed(r: &mut impl Read) -> bool {
    let mut b = [0; 1];
    matches!(r.read(&mut b), Ok(0) | Err(_))
}

fn get(target: &str) -> String {
    format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n")
}

#[test]
fn a_burst_of_new_connections_is_answered() {
    // tiny_http's pool left one of a burst unread until another closed.
    let echo = Echo::start(Limits::default());
    let mut conns: Vec<TcpStream> = (0..48).map(|_| echo.connect()).collect();
    for (i, c) in conns.iter_mut().enumerate() {
        c.write_all(get(&format!("/{i}")).as_bytes())
            .expect("sends");
    }
    for (i, c) in conns.into_iter().enumerate() {
        let (status, _, body) = response(&mut BufReader::new(c));
        assert_eq!(status, 200);
        assert_eq!(body, format!("GET /{i}\n").into_bytes());
    }
    assert!(echo.stop() < Duration::from_secs(5));
}

#[test]
fn keep_alive_and_pipelined_requests_are_answered_in_order() {
    let echo = Echo::start(Limits::default());
    let c = echo.connect();
    let mut w = c.try_clone().expect("clones");
    let mut r = BufReader::new(c);
    // Three at once (with an empty line before one: allowed), then one more.
    let post = "POST /v1/t?x=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
    w.write_all(format!("{}\r\n{post}{}", get("/a"), get("/c")).as_bytes())
        .expect("sends");
    for want in ["GET /a\n", "POST /v1/t?x=1\nhello", "GET /c\n"] {
        let (status, head, body) = response(&mut r);
        assert_eq!((status, String::from_utf8_lossy(&body)), (200, want.into()));
        assert!(!head.contains("Connection: close"), "{head}");
    }
    w.write_all(get("/d").as_bytes()).expect("sends");
    assert_eq!(response(&mut r).2, b"GET /d\n");
    // `Connection: close` is honoured.
    w.write_all(b"GET /e HTTP/1.1\r\nConnection: close\r\n\r\n")
        .expect("sends");
    let (_, head, _) = response(&mut r);
    assert!(head.contains("Connection: close"), "{head}");
    assert!(closed(&mut r));

    // HTTP/1.0 closes unless asked to keep alive.
    let mut c = echo.connect();
    c.write_all(b"GET /f HTTP/1.0\r\n\r\n").expect("sends");
    let mut r = BufReader::new(c);
    assert_eq!(response(&mut r).2, b"GET /f\n");
    assert!(closed(&mut r));
    let mut c = echo.connect();
    c.write_all(b"GET /g HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /h HTTP/1.0\r\n\r\n")
        .expect("sends");
    let mut r = BufReader::new(c);
    assert_eq!(response(&mut r).2, b"GET /g\n");
    assert_eq!(response(&mut r).2, b"GET /h\n");
}

#[test]
fn chunked_bodies_and_expect_continue() {
    let echo = Echo::start(Limits::default());
    let c = echo.connect();
    let mut w = c.try_clone().expect("clones");
    let mut r = BufReader::new(c);
    w.write_all(
        b"POST /v1/batch HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\
          5\r\nhello\r\n1;ext=1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n",
    )
    .expect("sends");
    assert_eq!(response(&mut r).2, b"POST /v1/batch\nhello 0123456789");
    // The connection goes on after a chunked body.
    w.write_all(get("/next").as_bytes()).expect("sends");
    assert_eq!(response(&mut r).2, b"GET /next\n");
    // Expect: 100-continue gets its interim answer before the body is sent.
    w.write_all(b"POST /e HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
        .expect("sends");
    let mut line = String::new();
    r.read_line(&mut line).expect("reads");
    assert_eq!(line, "HTTP/1.1 100 Continue\r\n");
    r.read_line(&mut line).expect("reads");
    w.write_all(b"ok").expect("sends");
    assert_eq!(response(&mut r).2, b"POST /e\nok");

    // Bad framing is refused and the connection closed.
    for bad in [
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
        "GET /\r\n\r\n",
    ] {
        let mut c = echo.connect();
        c.write_all(bad.as_bytes()).expect("sends");
        let mut r = BufReader::new(c);
        let (status, head, body) = response(&mut r);
        assert_eq!(status, 400, "{bad:?}: {}", String::from_utf8_lossy(&body));
        assert!(head.contains("Connection: close"));
        assert!(closed(&mut r), "{bad:?}");
    }
    let mut c = echo.connect();
    c.write_all(b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n")
        .expect("sends");
    assert_eq!(response(&mut BufReader::new(c)).0, 501);
}

#[test]
fn oversized_requests_get_413_414_431_with_the_limit() {
    let limits = Limits {
        request_line: 100,
        header_count: 5,
        header_bytes: 300,
        body_bytes: 1000,
        ..Limits::default()
    };
    let echo = Echo::start(limits);
    let long = "a".repeat(200);
    let many: String = (0..6).map(|i| format!("X-{i}: 1\r\n")).collect();
    // Four chunks of 256 bytes: 1024.
    let chunks = format!("100\r\n{}\r\n", "b".repeat(256)).repeat(4) + "0\r\n\r\n";
    let cases: Vec<(String, u16, &str)> = vec![
        (
            get(&format!("/{long}")),
            414,
            "request line is longer than 100 bytes",
        ),
        (
            format!("GET / HTTP/1.1\r\nX-Big: {long}{long}\r\n\r\n"),
            431,
            "headers are larger than 300 bytes",
        ),
        (
            format!("GET / HTTP/1.1\r\n{many}\r\n"),
            431,
            "more than 5 request headers",
        ),
        (
            "POST / HTTP/1.1\r\nContent-Length: 1001\r\n\r\n".into(),
            413,
            "body is larger than 1000 bytes",
        ),
        (
            format!("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n{chunks}"),
            413,
            "body is larger than 1000 bytes",
        ),
    ];
    for (request, status, message) in cases {
        let mut c = echo.connect();
        c.write_all(request.as_bytes()).expect("sends");
        let (got, _, body) = response(&mut BufReader::new(c));
        let body = String::from_utf8_lossy(&body);
        assert_eq!(got, status, "{body}");
        assert!(body.contains(message), "{body}");
    }
    // Just under the limits is fine.
    let mut c = echo.connect();
    let body = "c".repeat(1000);
    c.write_all(format!("POST / HTTP/1.1\r\nContent-Length: 1000\r\n\r\n{body}").as_bytes())
        .expect("sends");
    assert_eq!(response(&mut BufReader::new(c)).0, 200);
}

#[test]
fn a_slow_client_times_out_without_blocking_others() {
    let limits = Limits {
        idle_time: Duration::from_secs(2),
        head_time: Duration::from_secs(1),
        body_time: Duration::from_secs(1),
        ..Limits::default()
    };
    let echo = Echo::start(limits);
    let start = Instant::now();
    // Headers one byte at a time, slower than their deadline allows.
    let mut slow = echo.connect();
    let trickle = {
        let mut w = slow.try_clone().expect("clones");
        std::thread::spawn(move || {
            for b in b"GET / HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaa" {
                if w.write_all(&[*b]).is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    // A body that never comes, and an idle connection.
    let mut stalled = echo.connect();
    stalled
        .write_all(b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc")
        .expect("sends");
    let mut idle = echo.connect();
    // Meanwhile others are answered at once.
    for i in 0..20 {
        let mut c = echo.connect();
        c.write_all(get(&format!("/{i}")).as_bytes())
            .expect("sends");
        assert_eq!(response(&mut BufReader::new(c)).0, 200);
    }
    assert!(
        start.elapsed() < Duration::from_millis(900),
        "{:?}",
        start.elapsed()
    );
    let (status, _, body) = response(&mut BufReader::new(&mut slow));
    assert_eq!(status, 408, "{}", String::from_utf8_lossy(&body));
    let waited = start.elapsed();
    assert!(waited < Duration::from_secs(4), "{waited:?}");
    assert_eq!(response(&mut BufReader::new(&mut stalled)).0, 408);
    // The idle connection is closed without an answer.
    assert!(closed(&mut idle));
    assert!(start.elapsed() < Duration::from_secs(6));
    let _ = trickle.join();
}

#[test]
fn past_the_connection_bound_new_connections_get_503() {
    let echo = Echo::start(Limits {
        connections: 2,
        ..Limits::default()
    });
    let a = echo.connect();
    let b = echo.connect();
    // Both are being served (answered), so they count.
    for c in [&a, &b] {
        let mut w = c;
        w.write_all(get("/").as_bytes()).expect("sends");
        assert_eq!(response(&mut BufReader::new(c)).0, 200);
    }
    let third = echo.connect();
    let (status, head, body) = response(&mut BufReader::new(&third));
    assert_eq!(status, 503, "{}", String::from_utf8_lossy(&body));
    assert!(head.contains("Retry-After: 1"), "{head}");
    drop((a, b));
    // Once they close, new connections are served again.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mut c = echo.connect();
        c.write_all(get("/").as_bytes()).expect("sends");
        let status = response(&mut BufReader::new(c)).0;
        if status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "still {status}");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Stopping does not wait for idle keep-alive connections.
    let _idle = echo.connect();
    assert!(echo.stop() < Duration::from_secs(2));
}
