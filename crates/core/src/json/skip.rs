//! Skipping a whole value that no visitor asked for: checked as strictly as a value that is
//! read, and as fast as the reader goes.

use super::Error;
use super::read::Read;

/// How deep [`Read::skip`] recurses before it follows the rest with a stack of its own: far
/// deeper than any Kubernetes object, and far from the thread's stack limit.
const RECURSION: u32 = 64;

impl Read<'_> {
    /// Skips one value of any kind, checked as strictly as one that is read. Arrays and
    /// objects are descended into by recursion up to [`RECURSION`] levels, the common case and
    /// the fastest; a value nested deeper is followed with a stack of its own, so any depth
    /// is fine, as with `serde_json`. Inlined where a visitor skips a value: most skipped
    /// values are strings and numbers, skipped there without a call.
    #[inline]
    pub(super) fn skip(&mut self) -> Result<(), Error> {
        self.skip_item(0)
    }

    /// A value at `depth`: a scalar in place, an array or object by [`Read::skip_nested`].
    #[inline(always)]
    fn skip_item(&mut self, depth: u32) -> Result<(), Error> {
        match self.peek() {
            Some(b'[' | b'{') if depth >= RECURSION => self.skip_deep(),
            Some(b'[' | b'{') => self.skip_nested(depth),
            next => self.skip_scalar(next),
        }
    }

    /// An array or object at `depth`, at its opening bracket (peeked).
    fn skip_nested(&mut self, depth: u32) -> Result<(), Error> {
        if self.peek() == Some(b'[') {
            self.bump();
            if self.peek() == Some(b']') {
                self.bump();
                return Ok(());
            }
            loop {
                self.skip_item(depth + 1)?;
                match self.peek() {
                    Some(b',') => self.bump(),
                    Some(b']') => {
                        self.bump();
                        return Ok(());
                    }
                    Some(_) => return Err(self.error("expected `,` or `]`")),
                    None => return Err(self.error("EOF while parsing a list")),
                }
            }
        }
        self.bump();
        if self.peek() == Some(b'}') {
            self.bump();
            return Ok(());
        }
        loop {
            self.key_of_skipped()?;
            self.skip_item(depth + 1)?;
            match self.peek() {
                Some(b',') => self.bump(),
                Some(b'}') => {
                    self.bump();
                    return Ok(());
                }
                Some(_) => return Err(self.error("expected `,` or `}`")),
                None => return Err(self.error("EOF while parsing an object")),
            }
        }
    }

    /// A value that holds no other, from its first byte `next` (peeked): a string, a literal
    /// or a number; anything else is an error.
    #[inline(always)]
    fn skip_scalar(&mut self, next: Option<u8>) -> Result<(), Error> {
        match next {
            Some(b'"') => {
                self.bump();
                self.skip_string()
            }
            Some(b'n') => self.literal(b"null"),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'-' | b'0'..=b'9') => self.ignore_number(),
            Some(_) => Err(self.error("expected value")),
            None => Err(self.error("EOF while parsing a value")),
        }
    }

    /// [`Read::skip`] without recursion, for a value nested deeper than [`RECURSION`].
    fn skip_deep(&mut self) -> Result<(), Error> {
        self.frames.clear();
        loop {
            while self.open_or_scalar()? {}
            // A value is complete: close what ends after it, up to the next value.
            loop {
                let Some(&frame) = self.frames.last() else {
                    return Ok(());
                };
                match self.peek() {
                    Some(b',') => {
                        self.bump();
                        if frame == b'{' {
                            self.key_of_skipped()?;
                        }
                        break;
                    }
                    Some(b']') if frame == b'[' => {}
                    Some(b'}') if frame == b'{' => {}
                    Some(_) if frame == b'[' => return Err(self.error("expected `,` or `]`")),
                    Some(_) => return Err(self.error("expected `,` or `}`")),
                    None => return Err(self.error("EOF while parsing a value")),
                }
                self.bump();
                self.frames.pop();
            }
        }
    }

    /// Reads a whole value that holds no other (`false`), or opens an array or object that
    /// does (`true`: pushed, its first key read; its first value comes next).
    fn open_or_scalar(&mut self) -> Result<bool, Error> {
        match self.peek() {
            Some(b'[') => {
                self.bump();
                if self.peek() != Some(b']') {
                    self.frames.push(b'[');
                    return Ok(true);
                }
                self.bump();
            }
            Some(b'{') => {
                self.bump();
                if self.peek() != Some(b'}') {
                    self.frames.push(b'{');
                    self.key_of_skipped()?;
                    return Ok(true);
                }
                self.bump();
            }
            next => self.skip_scalar(next)?,
        }
        Ok(false)
    }

    /// A key and its colon, in an object being skipped.
    #[inline(always)]
    fn key_of_skipped(&mut self) -> Result<(), Error> {
        match self.peek() {
            Some(b'"') => self.bump(),
            Some(_) => return Err(self.error("key must be a string")),
            None => return Err(self.error("EOF while parsing an object")),
        }
        self.skip_string()?;
        self.expect(b':', "expected `:`")
    }
}
