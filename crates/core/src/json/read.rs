//! The byte level of [`super`]: whitespace, literals, strings and numbers (skipping a whole
//! value is `skip.rs`, unescaping `unescape.rs`). Each accepts exactly what `serde_json`
//! accepts (`tests/json_parity.rs` checks it).

use serde::de::Error as _;
use wide::u8x16;

use super::{Error, unescape};

/// A string as read: straight from the input when it has no escapes, else unescaped into the
/// reader's scratch buffer.
pub(super) enum Text<'de, 's, T: ?Sized> {
    Input(&'de T),
    Scratch(&'s T),
}

/// A number as `serde_json` reads it: an integer that fits `u64` (not negative) or `i64`
/// (negative), else an `f64`.
pub(super) enum Number {
    U64(u64),
    I64(i64),
    F64(f64),
}

pub(super) struct Read<'de> {
    input: &'de [u8],
    /// The next byte to read.
    at: usize,
    /// Strings with escapes, unescaped.
    scratch: Vec<u8>,
    /// The arrays (`[`) and objects (`{`) a skip without recursion is inside (`skip.rs`).
    pub(super) frames: Vec<u8>,
}

/// A bit for each byte of `chunk` that ends a run of plain string bytes: a quote, a backslash
/// or a control character (below 0x20); bit `i` for byte `i`. Sixteen compares at once (`wide`:
/// SSE2 on x86-64, NEON on AArch64, plain code elsewhere): strings are most of the bytes a
/// member sends (three quarters of a Pod's), and about half of them are longer than the eight
/// bytes a `u64` could look at.
#[inline(always)]
fn special_bytes(chunk: [u8; 16]) -> u32 {
    let bytes = u8x16::new(chunk);
    let control = bytes.min(u8x16::splat(0x1f)).simd_eq(bytes);
    (bytes.simd_eq(u8x16::splat(b'"')) | bytes.simd_eq(u8x16::splat(b'\\')) | control).to_bitmask()
}

impl<'de> Read<'de> {
    pub(super) fn new(input: &'de [u8]) -> Self {
        Read {
            input,
            at: 0,
            scratch: Vec::new(),
            frames: Vec::new(),
        }
    }

    /// Where the reader is, for error messages.
    pub(super) fn position(&self) -> usize {
        self.at
    }

    pub(super) fn error(&self, what: &str) -> Error {
        Error::custom(what)
    }

    /// The next byte that is not whitespace, not consumed.
    #[inline]
    pub(super) fn peek(&mut self) -> Option<u8> {
        while let Some(&byte) = self.input.get(self.at) {
            if !matches!(byte, b' ' | b'\n' | b'\t' | b'\r') {
                return Some(byte);
            }
            self.at += 1;
        }
        None
    }

    /// Consumes the byte [`Read::peek`] returned.
    #[inline]
    pub(super) fn bump(&mut self) {
        self.at += 1;
    }

    /// Consumes `byte`, the next one that is not whitespace, or fails with `what`.
    #[inline]
    pub(super) fn expect(&mut self, byte: u8, what: &str) -> Result<(), Error> {
        if self.peek() == Some(byte) {
            self.bump();
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    /// Inside an array or object: `false` at its `close` (not consumed), else `true` after
    /// stepping over the comma that must separate an item from the one before it (`first`
    /// says there is none yet, and is cleared).
    #[inline]
    pub(super) fn next_item(&mut self, first: &mut bool, close: u8) -> Result<bool, Error> {
        match self.peek() {
            Some(byte) if byte == close => Ok(false),
            Some(b',') if !*first => {
                self.bump();
                Ok(true)
            }
            Some(_) if *first => {
                *first = false;
                Ok(true)
            }
            Some(_) if close == b']' => Err(self.error("expected `,` or `]`")),
            Some(_) => Err(self.error("expected `,` or `}`")),
            None if close == b']' => Err(self.error("EOF while parsing a list")),
            None => Err(self.error("EOF while parsing an object")),
        }
    }

    /// `null`, `true` or `false`, from its first byte (peeked, not consumed).
    pub(super) fn literal(&mut self, word: &[u8]) -> Result<(), Error> {
        if self.input.get(self.at..self.at + word.len()) == Some(word) {
            self.at += word.len();
            Ok(())
        } else {
            Err(self.error("expected ident"))
        }
    }

    /// After the end: only whitespace may follow.
    pub(super) fn end(&mut self) -> Result<(), Error> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.error("trailing characters")),
        }
    }

    /// After a string's opening quote: its raw bytes, and whether they hold escapes. Every
    /// escape is checked; control characters are refused unless `control_ok`, as `serde_json`
    /// refuses them in a string but not in bytes.
    #[inline(always)]
    fn raw_string(&mut self, control_ok: bool) -> Result<(&'de [u8], bool), Error> {
        let start = self.at;
        let mut escaped = false;
        loop {
            self.skip_to_special();
            let Some(&byte) = self.input.get(self.at) else {
                return Err(self.error("EOF while parsing a string"));
            };
            match byte {
                b'"' => {
                    let raw = &self.input[start..self.at];
                    self.at += 1;
                    return Ok((raw, escaped));
                }
                b'\\' => {
                    escaped = true;
                    self.escape()?;
                }
                0..0x20 if !control_ok => {
                    return Err(self.error(
                        "control character (\\u0000-\\u001F) found while parsing a string",
                    ));
                }
                _ => self.at += 1,
            }
        }
    }

    /// Moves to the next quote, backslash or control character, sixteen bytes at a time; in the
    /// last fifteen bytes of the input it stays, and [`Read::raw_string`] goes byte by byte.
    #[inline(always)]
    fn skip_to_special(&mut self) {
        while let Some(chunk) = self.input.get(self.at..self.at + 16) {
            let found = special_bytes(chunk.try_into().unwrap_or_default());
            if found != 0 {
                self.at += found.trailing_zeros() as usize;
                return;
            }
            self.at += 16;
        }
    }

    /// After a string's opening quote: past its closing one, checked as a string is (the span
    /// and the escape flag, unused, compile away: `raw_string` is inlined).
    #[inline(always)]
    pub(super) fn skip_string(&mut self) -> Result<(), Error> {
        self.raw_string(false).map(drop)
    }

    /// At a backslash: checks the escape and steps over it.
    fn escape(&mut self) -> Result<(), Error> {
        match self.input.get(self.at + 1) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.at += 2,
            Some(b'u') => {
                let hex = self.input.get(self.at + 2..self.at + 6);
                if !hex.is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)) {
                    return Err(self.error("invalid escape"));
                }
                self.at += 6;
            }
            Some(_) => return Err(self.error("invalid escape")),
            None => return Err(self.error("EOF while parsing a string")),
        }
        Ok(())
    }

    /// After the opening quote: the string, which must be UTF-8.
    pub(super) fn string(&mut self) -> Result<Text<'de, '_, str>, Error> {
        let (raw, escaped) = self.raw_string(false)?;
        let invalid = |_| Error::custom("invalid unicode code point");
        if !escaped {
            return std::str::from_utf8(raw).map(Text::Input).map_err(invalid);
        }
        unescape::unescape(raw, true, &mut self.scratch)?;
        std::str::from_utf8(&self.scratch)
            .map(Text::Scratch)
            .map_err(invalid)
    }

    /// After the opening quote: the string's bytes, unchecked (`serde_json`'s bytes: control
    /// characters pass, and a lone surrogate escape becomes its WTF-8 bytes). Inlined: every
    /// key a visitor reads comes through here.
    #[inline]
    pub(super) fn bytes(&mut self) -> Result<Text<'de, '_, [u8]>, Error> {
        let (raw, escaped) = self.raw_string(true)?;
        if !escaped {
            return Ok(Text::Input(raw));
        }
        unescape::unescape(raw, false, &mut self.scratch)?;
        Ok(Text::Scratch(&self.scratch))
    }

    /// At a number's first byte (`-` or a digit).
    pub(super) fn number(&mut self) -> Result<Number, Error> {
        let start = self.at;
        self.ignore_number()?;
        let text = &self.input[start..self.at];
        let negative = text.first() == Some(&b'-');
        let digits = &text[usize::from(negative)..];
        if digits.iter().all(u8::is_ascii_digit) {
            let value = digits.iter().try_fold(0u64, |value, digit| {
                value.checked_mul(10)?.checked_add(u64::from(digit - b'0'))
            });
            if let Some(value) = value {
                return Ok(integer_number(negative, value));
            }
        }
        // A fraction, an exponent or an integer beyond `u64`: `serde_json`'s own `f64`, so
        // that every value and every "out of range" are the same.
        serde_json::from_slice::<f64>(text).map(Number::F64)
    }

    /// Skips a number: `-`, then `0` or digits not starting with `0`, then a fraction and an
    /// exponent, each optional.
    pub(super) fn ignore_number(&mut self) -> Result<(), Error> {
        if self.input.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        match self.input.get(self.at) {
            Some(b'0') => {
                self.at += 1;
                if self.input.get(self.at).is_some_and(u8::is_ascii_digit) {
                    return Err(self.error("invalid number"));
                }
            }
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error("invalid number")),
        }
        if self.input.get(self.at) == Some(&b'.') {
            self.at += 1;
            self.some_digits()?;
        }
        if matches!(self.input.get(self.at), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.input.get(self.at), Some(b'+' | b'-')) {
                self.at += 1;
            }
            self.some_digits()?;
        }
        Ok(())
    }

    fn digits(&mut self) {
        while self.input.get(self.at).is_some_and(u8::is_ascii_digit) {
            self.at += 1;
        }
    }

    fn some_digits(&mut self) -> Result<(), Error> {
        let start = self.at;
        self.digits();
        if self.at == start {
            return Err(self.error("invalid number"));
        }
        Ok(())
    }
}

/// An integer that fits `u64`, as `serde_json` types it: `-0` and negatives beyond `i64` are
/// floats.
fn integer_number(negative: bool, value: u64) -> Number {
    if !negative {
        return Number::U64(value);
    }
    let negated = (value as i64).wrapping_neg();
    if negated >= 0 {
        Number::F64(-(value as f64))
    } else {
        Number::I64(negated)
    }
}

#[cfg(test)]
mod tests {
    use super::special_bytes;

    /// Every byte value at every position of a chunk of plain bytes: marked exactly when it is
    /// a quote, a backslash or a control character.
    #[test]
    fn special_bytes_marks_exactly_quotes_backslashes_and_control_characters() {
        for position in 0..16 {
            for byte in 0..=u8::MAX {
                let mut chunk = [b'a'; 16];
                chunk[position] = byte;
                let special = byte == b'"' || byte == b'\\' || byte < 0x20;
                let expected = if special { 1 << position } else { 0 };
                assert_eq!(
                    special_bytes(chunk),
                    expected,
                    "byte {byte:#04x} at {position}"
                );
            }
        }
        assert_eq!(special_bytes(*b"\"ab\\cd\x1f012345678"), 0b100_1001);
    }
}
