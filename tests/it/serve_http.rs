//! `eventsc serve` answers a burst of new connections (tiny_http 0.12, which
//! it used before, left one of them unread until another closed); the HTTP
//! layer's own tests are in `src/serve/http_tests.rs`.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

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

#[test]
fn eventsc_serve_answers_a_burst_of_new_connections() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut serve = crate::serve::Serve::start(crate::serve::PLAN, dir.path(), &[]);
    let payload = r#"{"type":"track","event":"Order Completed","userId":"u","properties":{}}"#;
    let mut conns: Vec<TcpStream> = (0..24)
        .map(|_| {
            let s = TcpStream::connect(("127.0.0.1", serve.port)).expect("connects");
            s.set_read_timeout(Some(Duration::from_secs(20)))
                .expect("a timeout");
            s
        })
        .collect();
    for c in &mut conns {
        let req = format!(
            "POST /v1/t HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{payload}",
            payload.len()
        );
        c.write_all(req.as_bytes()).expect("sends");
    }
    for c in conns {
        let (status, _, body) = response(&mut BufReader::new(c));
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    }
    let stopped = serve.stop();
    let lines = std::fs::read_to_string(dir.path().join("captured.ndjson")).expect("a capture");
    assert_eq!(lines.lines().count(), 24, "{}", stopped.stderr);
}
