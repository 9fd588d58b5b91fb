//! The operator's JSON reader (`json::from_slice`) held to `serde_json` on any text: both accept
//! it or both refuse it, and both decode it to the same value. (`decode_reference.rs` holds
//! the reader to an independent reference on Pods and Nodes; here the question is only whether
//! it reads JSON as `serde_json` does.)
//!
//! - The grammar's edges, one by one: numbers, escapes and surrogates, bytes that are not
//!   UTF-8, commas and colons, depth.
//! - Generated JSON, compact and indented, and the fixtures with bytes changed, inserted and
//!   cut off: skipped, and decoded as a `Value`, as bytes, as slim and as k8s-openapi Pods and
//!   Nodes, and as a watch event.

// Fixture helpers outside #[test] functions panic on bad fixtures by design.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod prop_support;

use std::fmt::Debug;

use k8s_openapi::api::core::v1::{Node, Pod};
use karmada_manager_core::{SlimNode, SlimPod, json};
use kube::core::WatchEvent;
use prop_support::{CORE_KEYS, CORE_STRINGS, config, json_value};
use proptest::prelude::*;
use serde::de::{DeserializeOwned, IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

const POD_WEB: &str = include_str!("fixtures/pod-web.json");
const NODE_GPU: &str = include_str!("fixtures/node-gpu-worker.json");

/// A string read as bytes (`deserialize_bytes`: no UTF-8 check, lone surrogates kept).
#[derive(Debug, PartialEq)]
struct Bytes(Vec<u8>);

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_bytes(BytesVisitor)
    }
}

struct BytesVisitor;

impl<'de> Visitor<'de> for BytesVisitor {
    type Value = Bytes;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("bytes")
    }

    fn visit_bytes<E: serde::de::Error>(self, value: &[u8]) -> Result<Bytes, E> {
        Ok(Bytes(value.to_vec()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Bytes, A::Error> {
        let mut bytes = Vec::new();
        while let Some(byte) = seq.next_element::<u8>()? {
            bytes.push(byte);
        }
        Ok(Bytes(bytes))
    }
}

/// The two readers agree on `text` as a `T`.
fn same<T: DeserializeOwned + PartialEq + Debug>(text: &[u8]) -> Result<(), String> {
    let ours = json::from_slice::<T>(text);
    let theirs = serde_json::from_slice::<T>(text);
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) if a == b => Ok(()),
        (Err(_), Err(_)) => Ok(()),
        _ => Err(format!(
            "as {}: {:?}\n  reader:     {ours:?}\n  serde_json: {theirs:?}",
            std::any::type_name::<T>(),
            String::from_utf8_lossy(text)
        )),
    }
}

/// Skipping: the two accept and refuse the same text.
fn same_skip(text: &[u8]) -> Result<(), String> {
    let ours = json::from_slice::<IgnoredAny>(text).is_ok();
    let theirs = serde_json::from_slice::<IgnoredAny>(text).is_ok();
    if ours == theirs {
        return Ok(());
    }
    Err(format!(
        "skipping {:?}: reader ok {ours}, serde_json ok {theirs}",
        String::from_utf8_lossy(text)
    ))
}

/// `text` read every way the operator reads a member's JSON.
fn alike(text: &[u8]) -> Result<(), String> {
    same_skip(text)?;
    same::<Value>(text)?;
    same::<Vec<Bytes>>(text)?;
    same::<SlimPod>(text)?;
    same::<SlimNode>(text)?;
    // k8s-openapi's own types: timestamps, quantities, int-or-string, managedFields as JSON.
    same::<Pod>(text)?;
    same::<Node>(text)?;
    let events = |text: &[u8]| {
        let ours = json::from_slice::<WatchEvent<SlimPod>>(text).map(|e| format!("{e:?}"));
        let theirs = serde_json::from_slice::<WatchEvent<SlimPod>>(text).map(|e| format!("{e:?}"));
        (ours.ok(), theirs.ok())
    };
    let (ours, theirs) = events(text);
    if ours != theirs {
        return Err(format!("as a watch event: {ours:?} against {theirs:?}"));
    }
    Ok(())
}

#[test]
fn the_grammar_is_read_alike() {
    let cases: &[&[u8]] = &[
        b"",
        b" ",
        b"null",
        b"true",
        b"false",
        b"nul",
        b"tru",
        b"nulll",
        // Numbers: signs, zeros, fractions, exponents, and the edges of u64, i64 and f64.
        b"0",
        b"-0",
        b"-",
        b"01",
        b"-01",
        b"1.",
        b".5",
        b"1.5",
        b"-0.0",
        b"1e5",
        b"1E+5",
        b"1e-5",
        b"1e",
        b"1e+",
        b"+1",
        b"18446744073709551615",
        b"18446744073709551616",
        b"-9223372036854775808",
        b"-9223372036854775809",
        b"1e400",
        b"-1e400",
        b"1e-400",
        b"123456789012345678901234567890",
        b"0.1",
        b"2.5e-3",
        b"[1,-0,1.0,2e0]",
        // Strings: escapes, surrogates (paired, lone, followed by another escape).
        br#""""#,
        br#""a""#,
        br#""\u0041""#,
        br#""\ud83d\ude00""#,
        br#""\ud83d""#,
        br#""\udc00""#,
        br#""\ud83d\u0041""#,
        br#""\ud83d\n""#,
        br#""\ud83dx""#,
        br#""\ud83d\ud83d\ude00""#,
        br#""\x""#,
        br#""\u12""#,
        br#""\u12g4""#,
        b"\"tab\there\"",
        br#""unterminated"#,
        br#""\"#,
        br#""a\"b\\c\/d\b\f\n\r\t""#,
        br#"["\ud800\udbff"]"#,
        // Bytes that are not UTF-8, in values and keys.
        b"\"\xff\"",
        b"[\"\xc3\xa9\"]",
        b"[\"\xc3\"]",
        b"{\"\xff\":1}",
        b"\x00",
        b"[\"\xed\xa0\x80\"]",
        // Arrays and objects: commas, colons, keys, what follows the end.
        b"[]",
        b"[1,]",
        b"[,1]",
        b"[1 2]",
        b"[1,2]",
        b"{}",
        br#"{"a":1,}"#,
        br#"{"a" 1}"#,
        br#"{"a":}"#,
        b"{1:2}",
        br#"{"a":1 "b":2}"#,
        br#"{"a":1}x"#,
        b"[1] ",
        b" [1]\n",
        br#"{"a":[1,{"b":null}]}"#,
        b"[[[]]]",
        b"[",
        b"{",
        br#"{"a""#,
        br#"{"a":"#,
        b"]",
        b"}",
        br#"{"metadata":{"name":"a"},"metadata":{}}"#,
        br#"{"type":"ADDED","object":{}}"#,
        br#"{"object":{"metadata":{"name":"p"}},"type":"MODIFIED"}"#,
        br#"{"type":"ADDED","object":{"kind":"Pod"},"extra":1}"#,
        br#"{"type":"GONE","object":{}}"#,
        br#"{"metadata":[{"name":"positional"}]}"#,
    ];
    let failures: Vec<String> = cases.iter().filter_map(|text| alike(text).err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A value `depth` arrays deep.
fn nested(depth: usize) -> Vec<u8> {
    let mut text = vec![b'['; depth];
    text.extend(std::iter::repeat_n(b']', depth));
    text
}

#[test]
fn depth_is_limited_alike_and_skipping_goes_any_depth() {
    for depth in [1, 63, 64, 65, 126, 127, 128, 129, 300] {
        same::<Value>(&nested(depth)).unwrap();
    }
    // Skipped, as an unknown field of a Pod: no limit, and no stack to run out of.
    let deep = nested(200_000);
    assert!(json::from_slice::<IgnoredAny>(&deep).is_ok());
    let mut pod = br#"{"metadata":{"name":"p"},"deep":"#.to_vec();
    pod.extend_from_slice(&deep);
    pod.push(b'}');
    same::<SlimPod>(&pod).unwrap();
    let mut unclosed = deep.clone();
    unclosed.pop();
    assert!(json::from_slice::<IgnoredAny>(&unclosed).is_err());
}

/// A string is scanned sixteen bytes at a time, and byte by byte near the end of the input:
/// each byte that ends or breaks a string, at every offset of a string longer than two chunks,
/// in a field that is skipped and in one that is read, and with the input ending soon after.
#[test]
fn a_string_is_read_alike_wherever_its_special_bytes_fall() {
    let mut failures = Vec::new();
    for byte in [b'"', b'\\', 0x00, 0x1f, 0x20, 0x7f, 0x80, 0xff] {
        for offset in 0..40 {
            let mut string = vec![b'x'; 40];
            string[offset] = byte;
            for key in ["skipped", "name"] {
                let mut text = format!(r#"{{"metadata":{{"{key}":""#).into_bytes();
                text.extend_from_slice(&string);
                text.extend_from_slice(br#""}}"#);
                failures.extend(alike(&text).err());
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn errors_say_where_decoding_stopped() {
    let error = json::from_slice::<SlimPod>(br#"{"metadata":{"name":5}}"#).unwrap_err();
    assert!(error.to_string().contains("at byte 21"), "{error}");
    let error = json::from_slice::<Value>(b"[1,]").unwrap_err();
    assert!(error.to_string().contains("trailing comma"), "{error}");
}

/// Bytes that damage JSON most often.
const DAMAGE: &[u8] = b"\"\\,:[]{}0-.eEu ntf\x00\x1f\x7f\x80\xc3\xff";

fn damaged(
    text: &str,
    edits: &[(prop::sample::Index, u8, u8)],
    cut: prop::sample::Index,
) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for (at, byte, how) in edits {
        let at = at.index(bytes.len());
        let byte = DAMAGE[usize::from(*byte) % DAMAGE.len()];
        match how % 3 {
            0 => bytes[at] = byte,
            1 => bytes.insert(at, byte),
            _ => {
                bytes.remove(at);
            }
        }
    }
    let keep = cut.index(bytes.len() * 4 + 1).min(bytes.len());
    bytes.truncate(keep);
    bytes
}

proptest! {
    #![proptest_config(config(400))]

    /// The fixtures with up to three bytes changed, inserted or removed, and often cut short.
    #[test]
    fn damaged_fixtures_are_read_alike(
        which in 0usize..2,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), any::<u8>()), 0..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let text = if which == 0 { POD_WEB } else { NODE_GPU };
        alike(&damaged(text, &edits, cut)).map_err(TestCaseError::fail)?;
    }

    /// Generated JSON, compact or indented, wrapped or not in a watch event.
    #[test]
    fn generated_json_is_read_alike(value in json_value(CORE_KEYS, CORE_STRINGS), pretty in any::<bool>()) {
        let render = |v: &Value| if pretty { serde_json::to_vec_pretty(v) } else { serde_json::to_vec(v) };
        alike(&render(&value).unwrap()).map_err(TestCaseError::fail)?;
        let event = serde_json::json!({"type": "ADDED", "object": value});
        alike(&render(&event).unwrap()).map_err(TestCaseError::fail)?;
    }

    /// Short runs of the bytes that matter to the grammar.
    #[test]
    fn short_byte_runs_are_read_alike(picks in proptest::collection::vec(any::<u8>(), 0..24)) {
        let text: Vec<u8> = picks.iter().map(|p| DAMAGE[usize::from(*p) % DAMAGE.len()]).collect();
        alike(&text).map_err(TestCaseError::fail)?;
    }
}
