//! Writing JSON text fast into a byte buffer: the generator emits objects as literal text (in
//! the field order the API server uses) rather than building `serde_json::Value`s, so that
//! generating 15 GB for the full fleet takes seconds per cluster, not minutes.

use std::fmt::Arguments;
use std::io::Write;

use prop_json::Rng;

/// Appends formatted text; `w!(out, "...", args)`.
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {
        $out.fmt(format_args!($($arg)*))
    };
}
pub(crate) use w;

/// A JSON text being written. Every string we interpolate is generated from fixed alphabets
/// (names, hex, digits), never containing `"` or `\`, so no escaping is needed; the unit tests
/// decode every kind of generated object to prove the text is valid JSON.
pub struct Out<'a>(pub &'a mut Vec<u8>);

impl Out<'_> {
    pub fn raw(&mut self, text: &str) {
        self.0.extend_from_slice(text.as_bytes());
    }

    pub fn fmt(&mut self, args: Arguments<'_>) {
        // Writing into a Vec<u8> cannot fail; io::Write returns a Result only for other sinks.
        let _ = self.0.write_fmt(args);
    }

    /// `n` lowercase hex digits from the generator (uids, digests, container ids).
    pub fn hex(&mut self, rng: &mut Rng, n: usize) {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut bits = 0u64;
        for i in 0..n {
            if i % 16 == 0 {
                bits = rng.next_u64();
            }
            self.0.push(DIGITS[(bits & 0xf) as usize]);
            bits >>= 4;
        }
    }

    /// A random v4-shaped uid (`8-4-4-4-12`), as the API server assigns.
    pub fn uid(&mut self, rng: &mut Rng) {
        for (i, n) in [8, 4, 4, 4, 12].into_iter().enumerate() {
            if i > 0 {
                self.0.push(b'-');
            }
            self.hex(rng, n);
        }
    }

    /// An RFC 3339 UTC timestamp (`2025-06-01T12:34:56Z`) for `unix` seconds.
    pub fn time(&mut self, unix: u64) {
        let (days, secs) = (unix / 86_400, unix % 86_400);
        let (y, m, d) = civil_from_days(days);
        w!(
            self,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        );
    }

    /// Replaces the trailing `,` of a list written element by element with `close`.
    pub fn close_list(&mut self, close: &str) {
        if self.0.last() == Some(&b',') {
            self.0.pop();
        }
        self.raw(close);
    }
}

/// Days since 1970-01-01 → (year, month, day): Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339() {
        let mut bytes = Vec::new();
        let mut out = Out(&mut bytes);
        out.time(0);
        out.raw(" ");
        out.time(1_748_781_296); // 2025-06-01T12:34:56Z
        out.raw(" ");
        out.time(951_782_400); // 2000-02-29 (leap day)
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "1970-01-01T00:00:00Z 2025-06-01T12:34:56Z 2000-02-29T00:00:00Z"
        );
    }
}
