//! Selectors written out as one line, the way `kubectl` prints them (`env=prod,tier in (a,b)`),
//! so a reader of `status.placement.clusterAffinity` sees the form they would type.
//!
//! Follows apimachinery's `Selector.String()`: requirements sorted by key (stably, so
//! `matchLabels` come before expressions on the same key), each value list sorted. An invalid
//! requirement (an operator kubectl does not know) is still shown, as `key Operator (values)`,
//! rather than kubectl's bare `<error>`: the summary is for finding such mistakes.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use karmada_types::FieldSelector;

/// A label selector as `kubectl` prints it; `None` when it has no requirement at all (which
/// selects every cluster).
pub fn label_selector_text(selector: &LabelSelector) -> Option<String> {
    let pairs = selector
        .match_labels
        .iter()
        .flatten()
        .map(|(key, value)| (key.as_str(), format!("{key}={value}")));
    let expressions = selector.match_expressions.iter().flatten().map(|r| {
        let values = r.values.as_deref().unwrap_or_default();
        (
            r.key.as_str(),
            requirement_text(&r.key, &r.operator, values),
        )
    });
    join(pairs.chain(expressions).collect())
}

/// A field selector (`provider`, `region`, `zone`) in the same form, e.g.
/// `region in (eu-west-1)`; `None` when it has no requirement.
pub fn field_selector_text(selector: &FieldSelector) -> Option<String> {
    let requirements = selector.match_expressions.iter().map(|r| {
        let values = r.values.as_deref().unwrap_or_default();
        (
            r.key.as_str(),
            requirement_text(&r.key, &r.operator, values),
        )
    });
    join(requirements.collect())
}

fn join(mut requirements: Vec<(&str, String)>) -> Option<String> {
    if requirements.is_empty() {
        return None;
    }
    requirements.sort_by(|a, b| a.0.cmp(b.0));
    let texts: Vec<String> = requirements.into_iter().map(|(_, text)| text).collect();
    Some(texts.join(","))
}

fn requirement_text(key: &str, operator: &str, values: &[String]) -> String {
    let mut sorted: Vec<&str> = values.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    let list = sorted.join(",");
    match operator {
        "In" => format!("{key} in ({list})"),
        "NotIn" => format!("{key} notin ({list})"),
        "Exists" => key.to_owned(),
        "DoesNotExist" => format!("!{key}"),
        "Gt" => format!("{key}>{list}"),
        "Lt" => format!("{key}<{list}"),
        other => format!("{key} {other} ({list})"),
    }
}
