//! A list's pages. Each is asked for as soon as the head of the page before names it, and
//! decoded by the list's own task, so that receiving, decoding and indexing overlap.

use super::Target;
use bytes::Bytes;
use http_body_util::BodyExt;
use kube::core::ObjectList;
use serde::de::DeserializeOwned;
use tokio::sync::mpsc;
use tokio_util::task::AbortOnDropHandle;

/// How far into a page its `metadata.continue` is looked for: the API server writes `kind`,
/// `apiVersion` and `metadata` before `items`.
const HEAD: usize = 4096;

/// One decoded page.
pub struct Page<K> {
    pub items: Vec<K>,
    /// The list's resourceVersion (empty counts as none).
    pub resource_version: Option<String>,
    /// The next page's token; `None` on the last page.
    pub continue_token: Option<String>,
}

/// The pages of one list, in order, ending after the last page or an error. Dropping it
/// cancels the list and the page asked for ahead.
pub struct Pages<K> {
    receiver: mpsc::Receiver<Result<Page<K>, kube::Error>>,
    _task: AbortOnDropHandle<()>,
}

impl<K> Pages<K>
where
    K: DeserializeOwned + Clone + Send + 'static,
{
    pub fn list(target: Target) -> Self {
        // One decoded page waits for the index while the list's task decodes the next.
        let (sender, receiver) = mpsc::channel(1);
        let task = tokio::spawn(list_pages(target, sender));
        Pages {
            receiver,
            _task: AbortOnDropHandle::new(task),
        }
    }

    pub async fn next(&mut self) -> Option<Result<Page<K>, kube::Error>> {
        self.receiver.recv().await
    }
}

type Received = Result<Bytes, kube::Error>;

/// The list's task: receives each page whole, asks for the next before decoding this one, and
/// hands the decoded pages over in order.
async fn list_pages<K>(target: Target, pages: mpsc::Sender<Result<Page<K>, kube::Error>>)
where
    K: DeserializeOwned + Clone + Send + 'static,
{
    let mut ahead: Option<AbortOnDropHandle<Received>> = None;
    let mut continue_token = None;
    loop {
        let received = match ahead.take() {
            Some(ahead) => ahead
                .await
                .unwrap_or_else(|panic| Err(kube::Error::Service(panic.into()))),
            None => receive(target.clone(), continue_token.take()).await,
        };
        let page = received.and_then(|body| {
            let guessed = continue_token_in_head(&body);
            ahead = guessed.clone().map(|token| {
                AbortOnDropHandle::new(tokio::spawn(receive(target.clone(), Some(token))))
            });
            let page = decode::<K>(&body)?;
            if page.continue_token != guessed {
                ahead = None; // the head misled us (an escaped token): ask for the named page
            }
            Ok(page)
        });
        let next = page
            .as_ref()
            .ok()
            .and_then(|page| page.continue_token.clone());
        if pages.send(page).await.is_err() {
            return; // nobody is listening any more
        }
        match next {
            Some(token) => continue_token = Some(token),
            None => return, // the last page, or an error
        }
    }
}

/// One page's answer, received whole.
async fn receive(target: Target, continue_token: Option<String>) -> Received {
    let response = target.send(target.list(continue_token)?).await?;
    Ok(response.into_body().collect().await?.to_bytes())
}

fn decode<K>(body: &[u8]) -> Result<Page<K>, kube::Error>
where
    K: DeserializeOwned + Clone,
{
    let list: ObjectList<K> =
        karmada_manager_core::json::from_slice(body).map_err(kube::Error::SerdeError)?;
    let non_empty = |value: Option<String>| value.filter(|v| !v.is_empty());
    Ok(Page {
        items: list.items,
        resource_version: non_empty(list.metadata.resource_version),
        continue_token: non_empty(list.metadata.continue_),
    })
}

/// The page's `metadata.continue`, when its head names a next page. Continue tokens are plain
/// base64: one that holds an escape is left to the decoded page (nothing is asked for ahead).
pub(super) fn continue_token_in_head(body: &[u8]) -> Option<String> {
    const KEY: &[u8] = b"\"continue\":\"";
    let head = &body[..body.len().min(HEAD)];
    let start = head.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
    let length = body[start..].iter().take(HEAD).position(|&b| b == b'"')?;
    let token = &body[start..start + length];
    if token.is_empty() || token.contains(&b'\\') {
        return None;
    }
    String::from_utf8(token.to_vec()).ok()
}
