//! Many log streams at once, merged line by line onto stdout. Each stream's lines travel whole,
//! prefixed, to the one writer, which writes each in a single call: a line is never split or
//! mixed with another. A stream that fails is reported on stderr when it fails, and the others
//! go on.

use crate::error::PluginError;
use futures::{AsyncBufRead, AsyncBufReadExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, LogParams};
use std::io::Write;
use std::sync::Arc;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;

/// One container's log to read.
pub struct Source {
    /// The pods of the workload's namespace in the member, through the cluster proxy.
    pub pods: Api<Pod>,
    pub cluster: String,
    pub pod: String,
    pub container: String,
    pub prefix: String,
}

enum Event {
    /// A prefixed line, ending with a newline.
    Line(Vec<u8>),
    Failed(PluginError),
}

/// Lines in flight between the streams and the writer; a slow terminal slows the streams.
const BUFFERED_LINES: usize = 1024;

/// Reads every source, at most `limit` at once, and writes their lines to stdout as they come;
/// returns the failures (already reported on stderr). Returns early, quietly, when stdout is
/// closed (`| head`).
pub async fn merge(sources: Vec<Source>, params: &LogParams, limit: usize) -> Vec<PluginError> {
    let (events, mut received) = mpsc::channel(BUFFERED_LINES);
    let permits = Arc::new(Semaphore::new(limit.max(1)));
    let mut tasks = JoinSet::new();
    for source in sources {
        tasks.spawn(read(
            source,
            params.clone(),
            events.clone(),
            permits.clone(),
        ));
    }
    drop(events);
    let mut failures = Vec::new();
    let stdout = std::io::stdout();
    while let Some(event) = received.recv().await {
        match event {
            Event::Line(line) => {
                let mut out = stdout.lock();
                if out.write_all(&line).and_then(|()| out.flush()).is_err() {
                    break;
                }
            }
            Event::Failed(error) => {
                eprintln!("error: {error}");
                failures.push(error);
            }
        }
    }
    tasks.abort_all();
    failures
}

/// Streams one container's log into `events`, or the reason it could not.
async fn read(
    source: Source,
    params: LogParams,
    events: mpsc::Sender<Event>,
    permits: Arc<Semaphore>,
) {
    let Ok(_permit) = permits.acquire_owned().await else {
        return;
    };
    let params = LogParams {
        container: Some(source.container.clone()),
        ..params
    };
    let failure = match source.pods.log_stream(&source.pod, &params).await {
        Ok(stream) => match forward(stream, &source.prefix, &events).await {
            Ok(()) => return,
            Err(error) => PluginError::Unreachable(format!(
                "cluster {}: the log of pod {} container {} broke off: {error}",
                source.cluster, source.pod, source.container
            )),
        },
        Err(error) => refused(error, &source),
    };
    let _ = events.send(Event::Failed(failure)).await;
}

/// Sends each line of `stream` with `prefix` as one event (a last line without a newline gets
/// one), until the stream ends or nobody receives any more.
async fn forward(
    stream: impl AsyncBufRead,
    prefix: &str,
    events: &mpsc::Sender<Event>,
) -> std::io::Result<()> {
    let mut stream = std::pin::pin!(stream);
    let mut text = Vec::new();
    loop {
        text.clear();
        if stream.read_until(b'\n', &mut text).await? == 0 {
            return Ok(());
        }
        let mut line = Vec::with_capacity(prefix.len() + text.len() + 2);
        line.extend_from_slice(prefix.as_bytes());
        line.push(b' ');
        line.extend_from_slice(&text);
        if !line.ends_with(b"\n") {
            line.push(b'\n');
        }
        if events.send(Event::Line(line)).await.is_err() {
            return Ok(());
        }
    }
}

/// The error of a log request, naming the cluster, the pod and the container.
fn refused(error: kube::Error, source: &Source) -> PluginError {
    let what = format!(
        "pods/log of pod {} container {}",
        source.pod, source.container
    );
    match error {
        kube::Error::Api(status) if status.code == 400 || status.code == 404 => {
            PluginError::Api(format!(
                "cluster {}: {what}: {} ({})",
                source.cluster, status.message, status.code
            ))
        }
        other => super::through_proxy(other, &source.cluster, "get", &what),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn lines_of(streams: Vec<(Vec<u8>, &'static str)>) -> Vec<String> {
        let (events, mut received) = mpsc::channel(4);
        let mut tasks = JoinSet::new();
        for (bytes, prefix) in streams {
            let events = events.clone();
            let stream = futures::io::Cursor::new(bytes);
            tasks.spawn(async move { forward(stream, prefix, &events).await });
        }
        drop(events);
        let mut lines = Vec::new();
        while let Some(event) = received.recv().await {
            if let Event::Line(line) = event {
                lines.push(String::from_utf8(line).unwrap());
            }
        }
        lines
    }

    #[tokio::test]
    async fn each_line_travels_whole_with_its_prefix() {
        let lines = lines_of(vec![
            (b"one\ntwo\nlast without newline".to_vec(), "[m1/a]"),
            (b"\nalpha\n".to_vec(), "[m2/b/app]"),
        ])
        .await;
        let of = |prefix: &str| -> Vec<&String> {
            lines.iter().filter(|l| l.starts_with(prefix)).collect()
        };
        assert_eq!(
            of("[m1/a]"),
            [
                "[m1/a] one\n",
                "[m1/a] two\n",
                "[m1/a] last without newline\n"
            ]
        );
        assert_eq!(of("[m2/b/app]"), ["[m2/b/app] \n", "[m2/b/app] alpha\n"]);
        assert_eq!(lines.len(), 5);
    }

    #[tokio::test]
    async fn many_concurrent_streams_never_mix_lines() {
        let text = "x".repeat(10_000);
        let body = format!("{text}\n{text}\n").into_bytes();
        let prefixes = ["[a/p]", "[b/p]", "[c/p]", "[d/p]"];
        let lines = lines_of(prefixes.iter().map(|p| (body.clone(), *p)).collect()).await;
        assert_eq!(lines.len(), 8);
        for line in &lines {
            let (prefix, rest) = line.split_once(' ').unwrap();
            assert!(prefixes.contains(&prefix), "{prefix}");
            assert_eq!(rest.len(), 10_001, "a line was split or mixed");
        }
    }
}
