//! Provenance of a QA run: the hash of the payload bytes as they are read,
//! and the run's date (`SOURCE_DATE_EPOCH` fixes it).

use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::io::{self, Read};
use std::rc::Rc;

/// A reader that hashes what passes through it.
pub(crate) struct Hashing<R> {
    inner: R,
    hash: Rc<RefCell<Sha256>>,
}

impl<R: Read> Hashing<R> {
    /// The reader, and a handle on the hash of what it will have read.
    pub(crate) fn new(inner: R) -> (Hashing<R>, Rc<RefCell<Sha256>>) {
        let hash = Rc::new(RefCell::new(Sha256::new()));
        (
            Hashing {
                inner,
                hash: Rc::clone(&hash),
            },
            hash,
        )
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.borrow_mut().update(&buf[..n]);
        Ok(n)
    }
}

/// Lower-case hex of a finished hash.
pub(crate) fn hex(hash: Sha256) -> String {
    crate::targets::hex(&hash.finalize())
}

/// Now as seconds since 1970 and RFC 3339 (UTC), or `SOURCE_DATE_EPOCH`'s.
pub(crate) fn now() -> Result<(i64, crate::audit::Utc), String> {
    let secs = crate::audit::Utc::now_unix()?;
    Ok((secs, crate::audit::Utc::from_unix(secs)))
}
