//! The naive operator: full objects in kube-runtime reflector stores, as
//! `reflector(writer, watcher(Api::<Pod>::all(..), ..))` keeps them.

use anyhow::Result;
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::core::WatchEvent;
use kube::runtime::reflector::store::Writer;
use kube::runtime::watcher::Event;

use super::{Sink, decode, initial_watch_event};
use crate::generate::Kind;
use crate::results::Decode;

/// One member's two stores.
pub struct Naive {
    decode: Decode,
    nodes: Writer<Node>,
    pods: Writer<Pod>,
}

impl Naive {
    pub fn new(decode: Decode) -> Naive {
        Naive {
            decode,
            nodes: Writer::default(),
            pods: Writer::default(),
        }
    }

    /// Objects held: (nodes, pods).
    pub fn counts(&self) -> (usize, usize) {
        (self.nodes.as_reader().len(), self.pods.as_reader().len())
    }

    /// The two stores, for tests.
    #[cfg(test)]
    pub fn stores(&self) -> (&Writer<Node>, &Writer<Pod>) {
        (&self.nodes, &self.pods)
    }
}

impl Sink for Naive {
    fn init(&mut self, kind: Kind) {
        match kind {
            Kind::Node => self.nodes.apply_watcher_event(&Event::Init),
            Kind::Pod => self.pods.apply_watcher_event(&Event::Init),
        }
    }

    fn line(&mut self, kind: Kind, line: &[u8]) -> Result<()> {
        match kind {
            Kind::Node => apply(&mut self.nodes, self.decode, line),
            Kind::Pod => apply(&mut self.pods, self.decode, line),
        }
    }
}

/// Decodes one line and applies it as the reflector does (the store clones the object into an
/// `Arc`; the decoded event is then dropped, as the reflector's consumer would).
fn apply<K>(writer: &mut Writer<K>, mode: Decode, line: &[u8]) -> Result<()>
where
    K: kube::Resource<DynamicType = ()> + Clone + serde::de::DeserializeOwned + 'static,
{
    let event = decode::<WatchEvent<K>>(mode, line)?;
    if let Some(event) = initial_watch_event(event)? {
        writer.apply_watcher_event(&event);
    }
    Ok(())
}
