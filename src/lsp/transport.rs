//! JSON-RPC over stdio, forgiving: a message that is not valid JSON, or not a
//! JSON-RPC message, is logged to stderr and skipped instead of ending the
//! session (lsp-server's own stdio transport stops reading at the first one).
//! A `Content-Length` above [`MAX_MESSAGE`] is refused the same way, so that no
//! header can make the server allocate without bound; a header line longer than
//! [`MAX_HEADER_LINE`] is skipped as it is read, never held. The channels are
//! unbounded, so stdin is always drained and a client that writes before it
//! reads cannot deadlock with the server.

use crossbeam_channel::{Receiver, Sender, unbounded};
use lsp_server::{Connection, Message};
use std::io::{self, BufRead, Read, Write};
use std::thread;

/// The largest message read (a 2,000-event plan is about 2 MB of text).
pub const MAX_MESSAGE: usize = 256 * 1024 * 1024;

/// The longest header line kept (LSP headers are `Content-Length: N` and
/// `Content-Type: …`, well under 100 bytes).
pub const MAX_HEADER_LINE: usize = 4096;

/// The reader and writer threads, to join at the end.
pub struct IoThreads {
    reader: thread::JoinHandle<()>,
    writer: thread::JoinHandle<()>,
}

impl IoThreads {
    pub fn join(self) {
        let _ = self.reader.join();
        let _ = self.writer.join();
    }
}

/// A connection over stdin and stdout.
pub fn stdio() -> io::Result<(Connection, IoThreads)> {
    let (writer_tx, writer_rx): (Sender<Message>, Receiver<Message>) = unbounded();
    let writer = thread::Builder::new()
        .name("lsp-writer".into())
        .spawn(move || {
            let stdout = io::stdout();
            let mut out = stdout.lock();
            for msg in writer_rx {
                if msg.write(&mut out).is_err() {
                    break;
                }
            }
            let _ = out.flush();
        })?;
    let (reader_tx, reader_rx) = unbounded();
    let reader = thread::Builder::new()
        .name("lsp-reader".into())
        .spawn(move || {
            let stdin = io::stdin();
            let mut input = stdin.lock();
            read_loop(&mut input, &reader_tx);
        })?;
    Ok((
        Connection {
            sender: writer_tx,
            receiver: reader_rx,
        },
        IoThreads { reader, writer },
    ))
}

/// Reads messages until end of input, an I/O error or `exit`.
pub fn read_loop(input: &mut impl BufRead, tx: &Sender<Message>) {
    loop {
        match read_message(input) {
            Ok(None) => return,
            Ok(Some(text)) => match serde_json::from_str::<Message>(&text) {
                Ok(msg) => {
                    let exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
                    if tx.send(msg).is_err() || exit {
                        return;
                    }
                }
                Err(e) => log(&format!(
                    "skipped a message that is not JSON-RPC ({e}): {}",
                    preview(&text)
                )),
            },
            Err(Problem::Skip(why)) => log(&format!("skipped a malformed message: {why}")),
            Err(Problem::Io(e)) => {
                log(&format!("stopped reading: {e}"));
                return;
            }
        }
    }
}

enum Problem {
    /// This message is unusable; the next one may be fine.
    Skip(String),
    Io(io::Error),
}

impl From<io::Error> for Problem {
    fn from(e: io::Error) -> Self {
        Problem::Io(e)
    }
}

/// One message's body: headers up to an empty line, then `Content-Length` bytes.
fn read_message(input: &mut impl BufRead) -> Result<Option<String>, Problem> {
    let mut length: Option<usize> = None;
    let mut bad_header = None;
    let mut line = Vec::new();
    let mut first = true;
    loop {
        line.clear();
        let (read, complete) = read_header_line(input, &mut line)?;
        if !complete {
            first = false;
            bad_header = Some(format!("a header line longer than {MAX_HEADER_LINE} bytes"));
            continue;
        }
        if read == 0 {
            return if first {
                Ok(None)
            } else {
                Err(Problem::Io(io::ErrorKind::UnexpectedEof.into()))
            };
        }
        let text = String::from_utf8_lossy(&line);
        let header = text.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            if first {
                continue;
            }
            break;
        }
        first = false;
        match header.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse::<usize>() {
                    Ok(n) => length = Some(n),
                    Err(_) => bad_header = Some(format!("bad Content-Length {:?}", value.trim())),
                }
            }
            Some(_) => {}
            None => bad_header = Some(format!("bad header {:?}", preview(header))),
        }
    }
    let Some(length) = length else {
        return Err(Problem::Skip(
            bad_header.unwrap_or_else(|| "no Content-Length header".into()),
        ));
    };
    if length > MAX_MESSAGE {
        // Skip the body without holding it.
        io::copy(&mut input.take(length as u64), &mut io::sink())?;
        return Err(Problem::Skip(format!(
            "a message of {length} bytes is larger than the limit of {MAX_MESSAGE}"
        )));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    match String::from_utf8(body) {
        Ok(text) => Ok(Some(text)),
        Err(_) => Err(Problem::Skip("the body is not UTF-8".into())),
    }
}

/// Reads one header line into `line`, at most [`MAX_HEADER_LINE`] bytes of it:
/// returns the bytes read and whether the line fit (a longer one is consumed to
/// its end without being kept).
fn read_header_line(input: &mut impl BufRead, line: &mut Vec<u8>) -> io::Result<(usize, bool)> {
    let limit = MAX_HEADER_LINE as u64 + 1;
    let read = (&mut *input).take(limit).read_until(b'\n', line)?;
    if read as u64 == limit && line.last() != Some(&b'\n') {
        line.clear();
        skip_line(input)?;
        return Ok((read, false));
    }
    Ok((read, true))
}

/// Consumes input up to and including the next `\n` (or the end).
fn skip_line(input: &mut impl BufRead) -> io::Result<()> {
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        match memchr::memchr(b'\n', buf) {
            Some(i) => {
                input.consume(i + 1);
                return Ok(());
            }
            None => {
                let n = buf.len();
                input.consume(n);
            }
        }
    }
}

fn preview(text: &str) -> String {
    let cut: String = text.chars().take(120).collect();
    if cut.len() < text.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

/// Writes a line to the server's log (stderr; clients show it in their output panel).
pub fn log(message: &str) {
    eprintln!("eventsc lsp: {message}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn malformed_messages_are_skipped() {
        let good = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let input = [
            frame("{not json"),
            "X-Nothing\r\n\r\n".to_string(),
            frame(r#"{"jsonrpc":"2.0","what":1}"#),
            frame(good),
            // Over the limit: skipped without allocating (and it eats the rest).
            "Content-Length: 99999999999\r\n\r\n{}".to_string(),
        ]
        .concat();
        let (tx, rx) = crossbeam_channel::unbounded();
        read_loop(&mut input.as_bytes(), &tx);
        let got: Vec<Message> = rx.try_iter().collect();
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(matches!(&got[0], Message::Notification(n) if n.method == "initialized"));
    }

    #[test]
    fn long_header_lines_are_skipped_without_being_held() {
        let good = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let input = [
            // A header line of 1 MB (no message), then one of 5 KB before a
            // good message, then bytes that are not UTF-8.
            "X".repeat(1 << 20),
            "\r\n\r\n".to_string(),
            format!("X-Long: {}\r\n", "y".repeat(5000)),
            frame(good),
            "\u{ff}\r\n".to_string(),
            frame(good),
        ]
        .concat();
        let (tx, rx) = crossbeam_channel::unbounded();
        read_loop(&mut input.as_bytes(), &tx);
        assert_eq!(rx.try_iter().count(), 2);
        let mut line = Vec::new();
        let long = "z".repeat(3 * MAX_HEADER_LINE);
        let text = format!("{long}\nnext\n");
        let mut reader = text.as_bytes();
        assert_eq!(
            read_header_line(&mut reader, &mut line).unwrap(),
            (MAX_HEADER_LINE + 1, false)
        );
        assert!(line.is_empty(), "nothing of the long line is kept");
        assert_eq!(read_header_line(&mut reader, &mut line).unwrap(), (5, true));
        assert_eq!(line, b"next\n");
    }
}
