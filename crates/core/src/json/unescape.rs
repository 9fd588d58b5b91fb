//! Strings with escapes: their text, as `serde_json` makes it.

use serde::de::Error as _;

use super::Error;

/// Unescapes `raw` (every escape already checked) into `out`. With `strict` a lone UTF-16
/// surrogate is an error; without, it becomes its WTF-8 bytes, as `serde_json` makes bytes.
pub(super) fn unescape(raw: &[u8], strict: bool, out: &mut Vec<u8>) -> Result<(), Error> {
    out.clear();
    let mut at = 0;
    while at < raw.len() {
        let Some(escape) = raw[at..].iter().position(|&b| b == b'\\') else {
            out.extend_from_slice(&raw[at..]);
            break;
        };
        out.extend_from_slice(&raw[at..at + escape]);
        at += escape + 1;
        let kind = raw.get(at).copied().unwrap_or_default();
        at += 1;
        let simple = match kind {
            b'b' => b'\x08',
            b'f' => b'\x0c',
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                at = unicode_escape(raw, at, strict, out)?;
                continue;
            }
            other => other,
        };
        out.push(simple);
    }
    Ok(())
}

/// After `\u`: the code point (a surrogate pair joined), pushed; returns where reading goes on.
fn unicode_escape(
    raw: &[u8],
    mut at: usize,
    strict: bool,
    out: &mut Vec<u8>,
) -> Result<usize, Error> {
    let lone = || Error::custom("lone leading surrogate in hex escape");
    let mut unit = hex4(raw, at);
    at += 4;
    if strict && (0xDC00..=0xDFFF).contains(&unit) {
        return Err(lone());
    }
    loop {
        if !(0xD800..=0xDBFF).contains(&unit) {
            push_wtf8(u32::from(unit), out);
            return Ok(at);
        }
        let lead = unit;
        if raw.get(at) != Some(&b'\\') || raw.get(at + 1) != Some(&b'u') {
            if strict {
                return Err(Error::custom("unexpected end of hex escape"));
            }
            // The lead alone; whatever follows is read as it comes (another escape too).
            push_wtf8(u32::from(lead), out);
            return Ok(at);
        }
        let trail = hex4(raw, at + 2);
        at += 6;
        if !(0xDC00..=0xDFFF).contains(&trail) {
            if strict {
                return Err(lone());
            }
            push_wtf8(u32::from(lead), out);
            unit = trail;
            continue;
        }
        let code = ((u32::from(lead - 0xD800) << 10) | u32::from(trail - 0xDC00)) + 0x1_0000;
        push_wtf8(code, out);
        return Ok(at);
    }
}

/// Four hex digits at `at` (checked when the string was read).
fn hex4(raw: &[u8], at: usize) -> u16 {
    raw.get(at..at + 4)
        .and_then(|hex| std::str::from_utf8(hex).ok())
        .and_then(|hex| u16::from_str_radix(hex, 16).ok())
        .unwrap_or_default()
}

/// A code point's UTF-8 bytes; a surrogate's are WTF-8.
fn push_wtf8(code: u32, out: &mut Vec<u8>) {
    // Each `as u8` keeps the bits the encoding's masks select.
    match code {
        0..0x80 => out.push(code as u8),
        0x80..0x800 => {
            out.extend_from_slice(&[0xC0 | (code >> 6) as u8, 0x80 | (code & 0x3F) as u8])
        }
        0x800..0x1_0000 => out.extend_from_slice(&[
            0xE0 | (code >> 12) as u8,
            0x80 | ((code >> 6) & 0x3F) as u8,
            0x80 | (code & 0x3F) as u8,
        ]),
        _ => out.extend_from_slice(&[
            0xF0 | (code >> 18) as u8,
            0x80 | ((code >> 12) & 0x3F) as u8,
            0x80 | ((code >> 6) & 0x3F) as u8,
            0x80 | (code & 0x3F) as u8,
        ]),
    }
}
