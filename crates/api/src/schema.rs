//! Adjustments to the JSON schemas schemars derives for the API types, so that the CRDs read
//! well in `kubectl explain` and the API server does not rewrite what the operator stores.
//!
//! Applied with `#[schemars(transform = crate::schema::tidy)]` on every struct of the API; the
//! schema tests fail if a struct lacks it (a `default` keyword, or a description replaced by a
//! type's, shows up).

use schemars::Schema;
use serde_json::{Map, Value};

/// Tidies the schema of one struct: its own description and those of its properties.
///
/// - Reflows descriptions: schemars keeps the line breaks of the doc comment, so a wrapped
///   comment would print as ragged lines in `kubectl explain`. Blank lines stay paragraph
///   breaks.
/// - Removes the `default` keyword schemars derives from `#[serde(default)]`. The attribute is
///   there so that Rust readers tolerate objects written by an older or newer operator, not as
///   an API-server default: left in the CRD, the server would write zeros and empty strings into
///   every stored status and `kubectl explain` would advertise defaults nobody chose.
/// - Keeps a field's own description for `Option<enum>` fields. schemars wraps those in
///   `anyOf: [<enum schema>, null]`, and kube's `OptionalEnum` transform later hoists the enum
///   schema over the field, so the enum type's description would replace the field's.
pub(crate) fn tidy(schema: &mut Schema) {
    if let Some(object) = schema.as_object_mut() {
        reflow_description(object);
    }
    let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    for property in properties.values_mut() {
        let Some(property) = property.as_object_mut() else {
            continue;
        };
        property.remove("default");
        reflow_description(property);
        if property.contains_key("description") {
            forget_branch_descriptions(property);
        }
    }
}

/// Rewrites `description` with single line breaks turned into spaces.
fn reflow_description(object: &mut Map<String, Value>) {
    if let Some(Value::String(description)) = object.get_mut("description") {
        *description = reflow(description);
    }
}

/// Joins the lines of each paragraph with a space; paragraphs stay separated by a blank line.
fn reflow(text: &str) -> String {
    text.split("\n\n")
        .map(|paragraph| {
            paragraph
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Drops the descriptions of the `anyOf` branches of a property that has its own.
fn forget_branch_descriptions(property: &mut Map<String, Value>) {
    if let Some(Value::Array(branches)) = property.get_mut("anyOf") {
        for branch in branches {
            if let Some(branch) = branch.as_object_mut() {
                branch.remove("description");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::reflow;

    #[test]
    fn reflow_joins_lines_and_keeps_paragraphs() {
        assert_eq!(reflow("one\ntwo\n\nthree\n four"), "one two\n\nthree four");
        assert_eq!(reflow("single line"), "single line");
    }
}
