//! JSON-RPC over stdio, forgiving: a message that is not valid JSON, or not a
//! JSON-RPC message, is logged to stderr and skipped instead of ending the
//! session (lsp-server's own stdio transport stops reading at the first one).
//! A `Content-Length` above [`MAX_MESSAGE`] is refused the same way, so that no
//! header can make the server allocate without bound. The channels are
//! unbounded, so stdin is always drained and a client that writes before it
//! reads cannot deadlock with the server.

use crossbeam_channel::{Receiver, Sender, unbounded};
use lsp_server::{Connection, Message};
use std::io::{self, BufRead, Read, Write};
use std::thread;

/// The largest message read (a 2,000-event plan is about 2 MB of text).
pub const MAX_MESSAGE: usize = 256 * 1024 * 1024;

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
    let mut line = String::new();
    let mut first = true;
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            return if first {
                Ok(None)
            } else {
                Err(Problem::Io(io::ErrorKind::UnexpectedEof.into()))
            };
        }
        let header = line.trim_end_matches(['\r', '\n']);
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
}
