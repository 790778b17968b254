//! Hostile input at the edges: bounded reads and short quotes.
//!
//! Every file the crate opens (policies, holiday sets) and every file or
//! stream the example binaries read (ticket files, standard input) goes
//! through [`read_file`] or [`read_stream`]: a size taken from metadata is 0
//! for a FIFO or a device, so the only honest bound is to read at most
//! `limit + 1` bytes, and a FIFO must not even be opened (opening one blocks
//! until a writer comes). Error messages quote values through [`shorten`], so
//! a 50 MB name cannot reach standard error whole.
//!
//! This file uses `std` only: the examples include it with `#[path]`, so
//! that the crate and its binaries share one reader.

use std::fmt;
use std::io::Read;
use std::path::Path;

/// Longest quoted value kept whole in a message, in bytes.
pub(crate) const QUOTE_BYTES: usize = 80;
/// Longest message kept whole, in bytes: far below the 64 KiB a caller may
/// print, whatever lists of names it holds.
pub(crate) const MESSAGE_BYTES: usize = 4096;

/// Why a file or stream was not read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The operating system's error.
    Io(std::io::Error),
    /// A directory, FIFO, socket or device.
    NotRegular {
        /// True for a directory.
        dir: bool,
    },
    /// More bytes than the limit; `size` when metadata knew it.
    TooLarge {
        /// The limit in bytes.
        limit: u64,
        /// The size, when known before reading.
        size: Option<u64>,
    },
    /// Bytes that are not UTF-8, at byte offset `at`.
    NotUtf8 {
        /// Offset of the first invalid byte.
        at: usize,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{}", lowercase_first(&e.to_string())),
            ReadError::NotRegular { dir: true } => {
                f.write_str("not a regular file (a directory): expected a file")
            }
            ReadError::NotRegular { dir: false } => {
                f.write_str("not a regular file (a FIFO, socket or device): expected a file")
            }
            ReadError::TooLarge { limit, size: Some(n) } => {
                write!(f, "too large ({n} bytes): expected at most {limit} bytes")
            }
            ReadError::TooLarge { limit, size: None } => {
                write!(
                    f,
                    "too large (more than {limit} bytes): expected at most {limit} bytes"
                )
            }
            ReadError::NotUtf8 { at } => {
                write!(f, "invalid UTF-8 at byte {at}: expected UTF-8 text")
            }
        }
    }
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Reads the regular file at `path` as UTF-8, refusing anything else and
/// anything over `limit` bytes.
///
/// The check before opening follows symbolic links, so a link to a FIFO is
/// refused too. A regular file swapped for a FIFO between the check and the
/// open would still block in `open` (std has no portable non-blocking open
/// without `libc`); the check after opening refuses whatever was opened.
pub(crate) fn read_file(path: &Path, limit: u64) -> Result<String, ReadError> {
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular { dir: meta.is_dir() });
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge {
            limit,
            size: Some(meta.len()),
        });
    }
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular { dir: meta.is_dir() });
    }
    read_stream(file, limit)
}

/// Reads at most `limit` bytes of UTF-8 from `reader`: one byte more means
/// the input is too large, and nothing past it is read.
pub(crate) fn read_stream(reader: impl Read, limit: u64) -> Result<String, ReadError> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit, size: None });
    }
    String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
        at: e.utf8_error().valid_up_to(),
    })
}

/// `message` with every quoted value (`"..."` with its escapes, or
/// `` `...` ``) longer than [`QUOTE_BYTES`] cut to about that length plus
/// `... (N bytes)`, and the whole cut to [`MESSAGE_BYTES`] the same way.
pub(crate) fn shorten(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(MESSAGE_BYTES + 64));
    let mut rest = message;
    while let Some(open) = rest.find(['"', '`']) {
        let quote = rest.as_bytes()[open];
        out.push_str(&rest[..=open]);
        let body = &rest[open + 1..];
        // The closing quote: for `"`, one not escaped by a backslash.
        let mut end = None;
        let mut escaped = false;
        for (i, b) in body.bytes().enumerate() {
            if quote == b'"' && b == b'\\' && !escaped {
                escaped = true;
                continue;
            }
            if b == quote && !escaped {
                end = Some(i);
                break;
            }
            escaped = false;
        }
        let Some(end) = end else {
            rest = body;
            break;
        };
        let value = &body[..end];
        if value.len() > QUOTE_BYTES {
            out.push_str(cut(value, QUOTE_BYTES));
            out.push(quote as char);
            out.push_str(&format!("... ({} bytes)", value.len()));
        } else {
            out.push_str(value);
            out.push(quote as char);
        }
        rest = &body[end + 1..];
    }
    out.push_str(rest);
    if out.len() > MESSAGE_BYTES {
        let total = out.len();
        let mut head = cut(&out, MESSAGE_BYTES).to_string();
        head.push_str(&format!("... ({total} bytes)"));
        return head;
    }
    out
}

/// `s` cut to about `max` bytes plus `... (N bytes)` when longer: for
/// unquoted text such as key paths.
pub(crate) fn shorten_plain(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    format!("{}... ({} bytes)", cut(s, max), s.len())
}

/// The longest prefix of `s` of at most `max` bytes that ends on a char
/// boundary and does not split a backslash escape.
pub(crate) fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let head = &s[..end];
    // An odd run of trailing backslashes would escape the closing quote.
    let slashes = head.bytes().rev().take_while(|&b| b == b'\\').count();
    if slashes % 2 == 1 {
        &head[..head.len() - 1]
    } else {
        head
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_quoted_values_are_cut() {
        let long = "x".repeat(200);
        assert_eq!(
            shorten(&format!("unknown region \"{long}\": expected one of a, b")),
            format!(
                "unknown region \"{}\"... (200 bytes): expected one of a, b",
                "x".repeat(80)
            )
        );
        assert_eq!(
            shorten(&format!("unknown key `{long}`")),
            format!("unknown key `{}`... (200 bytes)", "x".repeat(80))
        );
        let short = "unknown region \"a\\\"b\": expected `c`";
        assert_eq!(shorten(short), short);
        let escapes = format!("\"{}\"", "\\\\".repeat(100));
        let got = shorten(&escapes);
        assert!(got.starts_with(&format!("\"{}\"...", "\\\\".repeat(40))), "{got}");
        assert_eq!(shorten("an \"unclosed quote"), "an \"unclosed quote");
    }

    #[test]
    fn long_messages_are_cut() {
        let names: Vec<String> = (0..10_000).map(|i| format!("n{i}")).collect();
        let got = shorten(&names.join(", "));
        assert!(got.len() < MESSAGE_BYTES + 32, "{}", got.len());
        assert!(got.ends_with(" bytes)"), "{got}");
    }

    #[test]
    fn streams_stop_one_byte_past_the_limit() {
        let endless = std::io::repeat(b'a');
        assert!(matches!(
            read_stream(endless, 10),
            Err(ReadError::TooLarge {
                limit: 10,
                size: None
            })
        ));
        assert_eq!(read_stream(&b"abc"[..], 3).ok().as_deref(), Some("abc"));
        assert_eq!(
            read_stream(&[b'a', 0xff][..], 3).map_err(|e| e.to_string()),
            Err("invalid UTF-8 at byte 1: expected UTF-8 text".to_string())
        );
    }
}
