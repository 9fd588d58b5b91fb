//! Proptest strategies over JSON, shared by the property tests of the crates that decode
//! Kubernetes and Karmada objects: arbitrary JSON trees over a vocabulary of the keys and
//! values a decoder looks for (so that trees reach its custom code instead of being skipped as
//! unknown fields), mutations of realistic objects, and the configuration every property uses.

mod rng;

pub use rng::Rng;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::Config;
use serde_json::{Map, Number, Value};

/// `cases` cases per property, unless `PROPTEST_CASES` is set (to run more, or fewer, for a
/// while: `PROPTEST_CASES=20000 cargo test -p karmada-manager-core --test properties_decode`).
///
/// No failure persistence file: a failure prints its minimal input, which then becomes a
/// focused regression unit test next to the code it exercises.
pub fn config(cases: u32) -> Config {
    let default = Config::default();
    Config {
        cases: if std::env::var_os("PROPTEST_CASES").is_some() {
            default.cases
        } else {
            cases
        },
        failure_persistence: None,
        ..default
    }
}

/// A JSON number: any `i64`/`u64`/finite `f64`, with the edges well represented.
pub fn json_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
        prop::sample::select(vec![
            0i64,
            1,
            -1,
            i64::from(i32::MAX) + 1,
            i64::from(i32::MIN) - 1,
            i64::MAX,
            i64::MIN,
        ])
        .prop_map(Value::from),
        prop::sample::select(vec![0.5, -0.0, 1e300, -1e300, 1e-300, 1.5e19])
            .prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
    ]
}

/// A JSON string: from `vocabulary`, quantity-like, or anything.
pub fn json_string(vocabulary: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vocabulary).prop_map(str::to_owned),
        2 => "[-+]?[0-9.]{0,8}[eEinumkKMGTP]{0,2}[0-9]{0,3}",
        1 => any::<String>(),
    ]
}

/// A leaf of a JSON tree.
pub fn json_leaf(vocabulary: &'static [&'static str]) -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        2 => json_number(),
        3 => json_string(vocabulary).prop_map(Value::String),
    ]
}

/// Arbitrary JSON, up to about five levels deep, whose object keys mostly come from `keys`
/// and whose strings mostly come from `strings`.
pub fn json_value(
    keys: &'static [&'static str],
    strings: &'static [&'static str],
) -> impl Strategy<Value = Value> {
    json_leaf(strings).prop_recursive(5, 64, 6, move |inner| {
        let key = prop_oneof![
            4 => prop::sample::select(keys).prop_map(str::to_owned),
            1 => any::<String>(),
        ];
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::vec((key, inner), 0..6)
                .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// The JSON type of a value: null, bool, number, string, array, object.
pub fn kind_of(value: &Value) -> usize {
    match value {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::Number(_) => 2,
        Value::String(_) => 3,
        Value::Array(_) => 4,
        Value::Object(_) => 5,
    }
}

/// One change to a realistic object: the node at `target` (pre-order, the root excluded) is
/// replaced by the candidate of a different JSON type picked by `pick`.
#[derive(Clone, Debug)]
pub struct Mutation {
    pub target: Index,
    pub pick: Index,
    /// One candidate per JSON type, in [`kind_of`] order.
    pub candidates: Vec<Value>,
}

/// A [`Mutation`] whose replacements are built from `keys` and `strings`.
pub fn mutation(
    keys: &'static [&'static str],
    strings: &'static [&'static str],
) -> impl Strategy<Value = Mutation> {
    let small = move || json_value(keys, strings);
    let candidates = (
        any::<bool>(),
        json_number(),
        json_string(strings),
        proptest::collection::vec(small(), 0..3),
        proptest::collection::vec((prop::sample::select(keys), small()), 0..3),
    )
        .prop_map(|(flag, number, string, array, object)| {
            vec![
                Value::Null,
                Value::Bool(flag),
                number,
                Value::String(string),
                Value::Array(array),
                Value::Object(object.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()),
            ]
        });
    (any::<Index>(), any::<Index>(), candidates).prop_map(|(target, pick, candidates)| Mutation {
        target,
        pick,
        candidates,
    })
}

/// Number of nodes below the root.
pub fn descendants(value: &Value) -> usize {
    match value {
        Value::Array(items) => items.iter().map(|v| 1 + descendants(v)).sum(),
        Value::Object(entries) => entries.values().map(|v| 1 + descendants(v)).sum(),
        _ => 0,
    }
}

/// Applies `mutation` to `value`; returns what changed, for failure messages.
pub fn apply(value: &mut Value, mutation: &Mutation) -> String {
    let count = descendants(value);
    if count == 0 {
        return "nothing to mutate".to_owned();
    }
    let mut n = mutation.target.index(count);
    replace_nth(value, &mut n, mutation).unwrap_or_else(|| "nothing to mutate".to_owned())
}

/// Replaces the `n`th node below `value` (pre-order) by a candidate of another JSON type.
fn replace_nth(value: &mut Value, n: &mut usize, mutation: &Mutation) -> Option<String> {
    let children: Vec<&mut Value> = match value {
        Value::Array(items) => items.iter_mut().collect(),
        Value::Object(entries) => entries.values_mut().collect(),
        _ => return None,
    };
    for child in children {
        if *n == 0 {
            let kind = kind_of(child);
            let others: Vec<&Value> = mutation
                .candidates
                .iter()
                .filter(|c| kind_of(c) != kind)
                .collect();
            let new = others[mutation.pick.index(others.len())].clone();
            let old = std::mem::replace(child, new.clone());
            return Some(format!("{old} -> {new}"));
        }
        *n -= 1;
        if let Some(changed) = replace_nth(child, n, mutation) {
            return Some(changed);
        }
    }
    None
}
