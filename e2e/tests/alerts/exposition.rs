//! Reading what `/metrics` serves (the OpenMetrics text the operator writes), and turning one
//! scrape into the input series of a `promtool test rules` file, as Prometheus would have stored
//! it with the scrape's `job` and `instance`.

use anyhow::{Context, Result, bail};
use std::collections::{BTreeMap, BTreeSet};

/// One sample line: name, labels, value.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// The samples of an exposition, comments and `# EOF` skipped.
pub fn parse(text: &str) -> Result<Vec<Sample>> {
    let mut samples = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        samples.push(parse_line(line).with_context(|| format!("reading `{line}`"))?);
    }
    Ok(samples)
}

fn parse_line(line: &str) -> Result<Sample> {
    let name_end = line.find(['{', ' ']).context("no value")?;
    let name = line[..name_end].to_owned();
    let mut labels = BTreeMap::new();
    let mut rest = &line[name_end..];
    if let Some(body) = rest.strip_prefix('{') {
        let mut chars = body.char_indices();
        let mut key = String::new();
        loop {
            let Some((at, c)) = chars.next() else {
                bail!("unterminated labels");
            };
            match c {
                '}' => {
                    rest = &body[at + 1..];
                    break;
                }
                ',' => {}
                '=' => {
                    chars.next(); // the opening quote
                    let mut value = String::new();
                    while let Some((_, c)) = chars.next() {
                        match c {
                            '\\' => value.push(chars.next().map_or('\\', |(_, c)| c)),
                            '"' => break,
                            c => value.push(c),
                        }
                    }
                    labels.insert(std::mem::take(&mut key), value);
                }
                c => key.push(c),
            }
        }
    }
    let value = rest.split_whitespace().next().context("no value")?;
    let value = match value {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        v => v.parse()?,
    };
    Ok(Sample {
        name,
        labels,
        value,
    })
}

/// Per served metric name, the label names its series carry.
pub fn label_names(samples: &[Sample]) -> BTreeMap<String, BTreeSet<String>> {
    let mut names: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for sample in samples {
        names
            .entry(sample.name.clone())
            .or_default()
            .extend(sample.labels.keys().cloned());
    }
    names
}

/// The series of `samples` whose name is `name` and whose labels include `labels`.
pub fn find<'a>(samples: &'a [Sample], name: &str, labels: &[(&str, &str)]) -> Vec<&'a Sample> {
    samples
        .iter()
        .filter(|s| s.name == name)
        .filter(|s| {
            labels
                .iter()
                .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .collect()
}

/// The scrape's series as promtool input series: each with the `job` and `instance` a scrape
/// adds, holding its value for `minutes` (a counter stays where it is: no increase).
pub fn input_series(samples: &[Sample], job: &str, minutes: u32) -> Vec<serde_json::Value> {
    samples
        .iter()
        .filter(|s| s.value.is_finite())
        .map(|s| {
            let mut labels = s.labels.clone();
            labels.insert("job".into(), job.into());
            labels.insert("instance".into(), "operator-0".into());
            let labels: Vec<String> = labels
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
                .collect();
            serde_json::json!({
                "series": format!("{}{{{}}}", s.name, labels.join(",")),
                "values": format!("{}x{minutes}", s.value),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openmetrics_lines_are_read() {
        let text = "# HELP x y\n# TYPE x gauge\nkarmada_manager_leader 1\nkarmada_manager_x{cluster=\"m1\",reason=\"a \\\"b\\\"\"} 2.5\nh_bucket{le=\"+Inf\"} 3\n# EOF\n";
        let samples = parse(text).unwrap();
        assert_eq!(samples.len(), 3);
        assert_eq!(samples[0].name, "karmada_manager_leader");
        assert_eq!(samples[1].labels["reason"], "a \"b\"");
        assert_eq!(samples[1].value, 2.5);
        assert_eq!(samples[2].labels["le"], "+Inf");
    }
}
