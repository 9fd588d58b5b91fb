//! What a replica's log says about its shard group: how often its view of the live replicas
//! changed and when it last did (membership flapping would show here first), and its warnings
//! and errors.

use serde::Serialize;
use serde_json::Value;
use tokio::time::Instant;

/// Distinct warning and error messages kept per replica.
const PROBLEMS_KEPT: usize = 5;

#[derive(Debug, Default, Serialize)]
pub struct LogSummary {
    /// `joined the shard group` lines (one expected).
    pub joined: usize,
    /// `shard membership changed` lines.
    pub membership_changes: usize,
    /// Seconds from the group's start to this replica's last membership change.
    pub last_membership_change_s: Option<f64>,
    /// The `replicas` and `members` fields of that last change.
    pub last_replicas: Option<u64>,
    pub last_members: Option<u64>,
    /// The most members it owned at any time: above `last_members` when it started before it
    /// saw the others, and watched (listed) more than its share meanwhile.
    pub most_members: Option<u64>,
    pub warnings: usize,
    pub errors: usize,
    /// The first distinct warning and error messages (with their `error` field).
    pub problems: Vec<String>,
}

/// Summarises JSON log lines read at the given instants; `since` is the group's start.
pub fn summarize(lines: &[(Instant, String)], since: Instant) -> LogSummary {
    let mut summary = LogSummary::default();
    for (at, line) in lines {
        let Ok(event) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let message = event["message"].as_str().unwrap_or_default();
        if message.contains("joined the shard group") {
            summary.joined += 1;
        }
        if message.contains("shard membership changed") {
            summary.membership_changes += 1;
            summary.last_membership_change_s = Some((*at - since).as_secs_f64());
            summary.last_replicas = event["replicas"].as_u64();
            summary.last_members = event["members"].as_u64();
            summary.most_members = summary.most_members.max(summary.last_members);
        }
        match event["level"].as_str() {
            Some("WARN") => summary.warnings += 1,
            Some("ERROR") => summary.errors += 1,
            _ => continue,
        }
        let problem = match event["error"].as_str() {
            Some(error) => format!("{message}: {error}"),
            None => message.to_owned(),
        };
        if summary.problems.len() < PROBLEMS_KEPT && !summary.problems.contains(&problem) {
            summary.problems.push(problem);
        }
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn counts_membership_changes_and_problems() {
        let start = Instant::now();
        let at = |s| start + Duration::from_secs(s);
        let lines = [
            (at(0), r#"{"level":"INFO","message":"joined the shard group"}"#),
            (at(1), r#"{"level":"INFO","message":"shard membership changed","replicas":1,"members":16}"#),
            (at(3), r#"{"level":"INFO","message":"shard membership changed","replicas":2,"members":9}"#),
            (at(4), r#"{"level":"WARN","message":"member watch failed","error":"410 Gone"}"#),
            (at(5), r#"{"level":"WARN","message":"member watch failed","error":"410 Gone"}"#),
            (at(6), "not json"),
        ]
        .map(|(at, line)| (at, line.to_owned()));
        let s = summarize(&lines, start);
        assert_eq!((s.joined, s.membership_changes), (1, 2));
        assert_eq!(s.last_membership_change_s, Some(3.0));
        assert_eq!((s.last_replicas, s.last_members), (Some(2), Some(9)));
        assert_eq!(s.most_members, Some(16));
        assert_eq!((s.warnings, s.errors), (2, 0));
        assert_eq!(s.problems, ["member watch failed: 410 Gone"]);
    }
}
