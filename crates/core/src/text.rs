//! Text that others control, bounded before it reaches a status, a condition or an Event.
//!
//! Members, Karmada and the authors of hub objects write text the operator quotes: a member's
//! 403 body, Karmada's `appliedMessage` and condition messages, an eviction reason, a decode
//! error that quotes the offending value, a Work annotation's parse error, a URL from a
//! Cluster's spec. Any of it can be megabytes long. Each piece is cut with [`bounded`] where it
//! is quoted, to one of the limits below, and every condition message is cut once more as a
//! whole ([`CONDITION_MESSAGE_LIMIT`]), so what the operator writes never grows with its input.
//! Text of a normal size is never cut: the limits are far above what a real message needs.

/// Most bytes of one piece of foreign text that stands on its own: `clusters[].appliedMessage`,
/// the body of a member's error answer, an error chain, a decode error.
pub const QUOTE_LIMIT: usize = 1024;

/// Most bytes of foreign text quoted inside a longer message that may quote several of them: a
/// Karmada condition in a placement's condition, one cluster's `appliedMessage` in `Applied`, a
/// policy's decode error in `MalformedPolicy`.
pub const INLINE_QUOTE_LIMIT: usize = 512;

/// Most bytes of one value quoted from an object: an endpoint or proxy URL, a Secret or policy
/// name, an eviction reason, a version string. Real values (Kubernetes names are at most 253
/// bytes) are never cut.
pub const VALUE_LIMIT: usize = 512;

/// Most bytes of a `clusters[].problems[].message` of a placement.
pub const PROBLEM_MESSAGE_LIMIT: usize = 512;

/// Most bytes of a whole condition message, however many bounded parts it quotes. Every
/// condition passes through [`DesiredCondition::new`](crate::DesiredCondition::new) and
/// [`merge_conditions`](crate::merge_conditions), which both apply it.
pub const CONDITION_MESSAGE_LIMIT: usize = 4 * 1024;

/// Most bytes of an Event's note: `events.k8s.io/v1` refuses notes over 1 KiB.
pub const EVENT_NOTE_LIMIT: usize = 1000;

/// `text`, or when it is longer than `max` bytes, its start cut on a character boundary and
/// followed by a marker that says how much was cut, `… (1048200 bytes cut)`, so that the result,
/// marker included, is at most `max` bytes. When `max` leaves no room for that marker, the
/// start is followed by `…` alone, or nothing at all below 3 bytes.
pub fn bounded(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let (end, marker) = cut(text, max);
    let mut out = String::with_capacity(end + marker.len());
    out.push_str(&text[..end]);
    out.push_str(&marker);
    out
}

/// [`bounded`] for an owned string: returned as it is when it fits, without a copy.
pub fn bounded_owned(mut text: String, max: usize) -> String {
    if text.len() > max {
        let (end, marker) = cut(&text, max);
        text.truncate(end);
        text.push_str(&marker);
    }
    text
}

/// Where to cut `text` (longer than `max`) and the marker to append.
fn cut(text: &str, max: usize) -> (usize, String) {
    // The marker is longest when it counts every byte, so room is kept for that one; the real
    // count is never longer.
    let widest = marker(text.len()).len();
    if widest <= max {
        let end = char_floor(text, max - widest);
        return (end, marker(text.len() - end));
    }
    const ELLIPSIS: &str = "…";
    match max.checked_sub(ELLIPSIS.len()) {
        Some(room) => (char_floor(text, room), ELLIPSIS.to_owned()),
        None => (char_floor(text, max), String::new()),
    }
}

fn marker(cut: usize) -> String {
    format!("… ({cut} bytes cut)")
}

/// The largest character boundary of `text` at or below `at`.
fn char_floor(text: &str, at: usize) -> usize {
    if at >= text.len() {
        return text.len();
    }
    // 0 is always a boundary, so this stops before `end` could underflow.
    let mut end = at;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_fits_is_unchanged() {
        assert_eq!(bounded("", 0), "");
        assert_eq!(bounded("héllo", 6), "héllo");
        assert_eq!(bounded("héllo", 100), "héllo");
        let exact = "x".repeat(QUOTE_LIMIT);
        assert_eq!(bounded(&exact, QUOTE_LIMIT), exact);
        assert_eq!(bounded_owned(exact.clone(), QUOTE_LIMIT), exact);
    }

    #[test]
    fn a_cut_says_how_much_was_cut() {
        let text = "a".repeat(100);
        let cut = bounded(&text, 50);
        // Room is kept for "… (100 bytes cut)", 19 bytes; the real marker is one shorter.
        assert_eq!(cut, format!("{}… (69 bytes cut)", "a".repeat(31)));
        assert_eq!(cut.len(), 49);
        assert_eq!(bounded_owned(text, 50), cut);
        let one_over = "b".repeat(QUOTE_LIMIT + 1);
        let cut = bounded(&one_over, QUOTE_LIMIT);
        assert!(cut.ends_with(" bytes cut)"), "{cut}");
        assert!(cut.len() <= QUOTE_LIMIT);
    }

    #[test]
    fn cuts_fall_on_character_boundaries() {
        // 2, 3 and 4-byte characters: every cut point lands inside some character.
        let text = "é€😀".repeat(1000);
        for max in 0..200 {
            let cut = bounded(&text, max);
            assert!(cut.len() <= max, "{max}: {} bytes", cut.len());
            let kept = cut.split('…').next().unwrap();
            assert!(text.starts_with(kept), "{max}: {cut}");
        }
    }

    #[test]
    fn never_longer_than_max_and_marked_when_there_is_room() {
        let texts = [
            "x".repeat(5_000),
            "é".repeat(3_000),
            "ab😀".repeat(20_000),
            "z".repeat(2 << 20),
        ];
        for text in &texts {
            let widest = marker(text.len()).len();
            for max in (0..300).chain([999, 1000, 1024, 4096, text.len() - 1]) {
                let cut = bounded(text, max);
                assert!(cut.len() <= max, "{max}: {} bytes", cut.len());
                if max >= widest {
                    let (kept, count) = cut.rsplit_once("… (").unwrap();
                    let count: usize = count.strip_suffix(" bytes cut)").unwrap().parse().unwrap();
                    assert_eq!(kept.len() + count, text.len(), "{max}: {cut}");
                } else if max >= 3 {
                    assert!(cut.ends_with('…'), "{max}: {cut}");
                }
            }
        }
    }
}
