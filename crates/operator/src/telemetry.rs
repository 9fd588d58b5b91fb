//! Structured logging with `tracing`. Secret material never reaches a log line: member tokens are
//! `secrecy::SecretString`s, whose Debug output is redacted.

use crate::cli::{LogArgs, LogFormat};
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber. An invalid filter falls back to `info` and says so.
pub fn init(args: &LogArgs) {
    let (filter, bad_filter) = match EnvFilter::try_new(&args.log_level) {
        Ok(filter) => (filter, None),
        Err(err) => (EnvFilter::new("info"), Some(err)),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match args.log_format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .init(),
        LogFormat::Pretty => builder.init(),
    }
    if let Some(err) = bad_filter {
        tracing::warn!(filter = %args.log_level, error = %err, "invalid log filter; using `info`");
    }
}
