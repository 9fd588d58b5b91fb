//! A watch's answer: one JSON event per line, each decoded from the line's own bytes with the
//! core's reader (`karmada_manager_core::json`).

use bytes::{Bytes, BytesMut};
use futures::{Stream, StreamExt, stream};
use kube::core::{Status, WatchEvent};
use serde::de::{DeserializeOwned, IgnoredAny};

/// The events of a watch whose answer arrives as `chunks`. An error ends the events.
pub fn watch_events<K, C>(
    chunks: C,
) -> impl Stream<Item = Result<WatchEvent<K>, kube::Error>> + Send
where
    K: DeserializeOwned + Clone + Send + 'static,
    C: Stream<Item = Result<Bytes, kube::Error>> + Send + Unpin + 'static,
{
    let lines = Lines {
        chunks,
        buffer: BytesMut::new(),
        scanned: 0,
        ended: false,
    };
    stream::unfold(lines, |mut lines| async move {
        let event = lines.next_event().await?;
        Some((event, lines))
    })
}

struct Lines<C> {
    chunks: C,
    /// Received and not yet decoded.
    buffer: BytesMut,
    /// How much of `buffer` is known to hold no newline.
    scanned: usize,
    ended: bool,
}

impl<C> Lines<C>
where
    C: Stream<Item = Result<Bytes, kube::Error>> + Unpin,
{
    async fn next_event<K>(&mut self) -> Option<Result<WatchEvent<K>, kube::Error>>
    where
        K: DeserializeOwned + Clone,
    {
        loop {
            while let Some(line) = self.next_line() {
                if let Some(event) = decode_line(&line) {
                    return Some(event);
                }
            }
            if self.ended {
                return None;
            }
            match self.chunks.next().await {
                Some(Ok(chunk)) => self.buffer.extend_from_slice(&chunk),
                Some(Err(err)) => {
                    self.ended = true;
                    return Some(Err(err));
                }
                None => {
                    self.ended = true;
                    // The last line may come without its newline.
                    let rest = self.buffer.split();
                    self.scanned = 0;
                    if let Some(event) = decode_line(&rest) {
                        return Some(event);
                    }
                }
            }
        }
    }

    fn next_line(&mut self) -> Option<BytesMut> {
        let Some(at) = self.buffer[self.scanned..].iter().position(|&b| b == b'\n') else {
            self.scanned = self.buffer.len();
            return None;
        };
        let line = self.buffer.split_to(self.scanned + at + 1);
        self.scanned = 0;
        Some(line)
    }
}

/// One line's event; `None` for a blank line, or one cut short (the last of a watch that
/// ended mid-line, which kube's client drops too). A line that is not an event is the server's
/// `Status` (an error it reports in the stream) or else a decoding error.
fn decode_line<K>(line: &[u8]) -> Option<Result<WatchEvent<K>, kube::Error>>
where
    K: DeserializeOwned + Clone,
{
    match karmada_manager_core::json::from_slice(line) {
        Ok(event) => Some(Ok(event)),
        // Asked of `serde_json` only for a line that failed: it tells JSON that ends too soon.
        Err(_) if serde_json::from_slice::<IgnoredAny>(line).is_err_and(|e| e.is_eof()) => None,
        Err(err) => Some(Err(match serde_json::from_slice::<Status>(line) {
            Ok(status) => kube::Error::Api(status.boxed()),
            Err(_) => kube::Error::SerdeError(err),
        })),
    }
}
