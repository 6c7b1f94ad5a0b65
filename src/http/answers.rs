//! Answers kept between requests. A contact, or a page of the contact list, asked for again by
//! the same caller with the same address, query and format answers with the bytes rendered the
//! first time, while the database holds the same snapshot: no commit, in any process, since
//! that answer was read (on PostgreSQL: none this process has heard of, see `store::changes`).
//! What an answer shows comes from the database, the caller, the request's target and host, and
//! the server's settings, which do not change while it runs; so an answer kept under an equal
//! snapshot is the answer the request would render.
//!
//! An in-memory database has no snapshot to compare (see [`read_snapshot`]), and nothing is kept.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use bytes::BytesMut;

use super::envelope::{Format, Reply};
use super::request::Call;
use crate::app::App;
use crate::domain::read_snapshot;
use crate::error::ApiResult;
use crate::model::ids::Snapshot;
use crate::model::{PortalId, UserId};

/// All kept answers together stay under this many bytes, copied into one block of this size.
/// Kept one by one, each answer held on to a page of the allocator that the server's other
/// work would have reused or given back: with 8 MiB kept that way, the 100,000-contact bench's
/// peak rose from 82 to 111 MiB.
const MAX_KEPT_BYTES: usize = 2 << 20;
/// A longer answer (a page of hundreds of contacts) is not kept.
const MAX_ANSWER_BYTES: usize = 256 << 10;
/// The kept answers' keys and entries stay under this many bytes: a request's query is the
/// client's to make long, and short answers (an empty page) are many to a block.
const MAX_KEY_BYTES: usize = 512 << 10;

/// The answers kept, all read in one snapshot.
#[derive(Default)]
pub struct Answers {
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    snapshot: Option<Snapshot>,
    /// Where the kept bodies are copied; each kept body shares it.
    block: BytesMut,
    /// What the entries and their keys take besides the block.
    key_bytes: usize,
    answers: HashMap<AnswerKey, Rendered>,
}

/// What an answer depends on besides the database.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AnswerKey {
    portal: PortalId,
    user: UserId,
    format: Format,
    base_url: Arc<str>,
    target: Arc<str>,
}

/// A rendered answer: its body and content type.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub body: Bytes,
    pub content_type: &'static str,
}

/// A reply to keep once rendered, if the request still reads the same snapshot then.
#[derive(Debug, Clone)]
pub struct ToKeep {
    key: AnswerKey,
    snapshot: Snapshot,
}

impl Answers {
    /// The kept answer to `key`, if it was read in `snapshot`.
    fn get(&self, key: &AnswerKey, snapshot: Snapshot) -> Option<Rendered> {
        let kept = self.kept.lock().ok()?;
        (kept.snapshot == Some(snapshot)).then(|| kept.answers.get(key).cloned()).flatten()
    }

    /// Keeps a rendered answer if the request reads, `now`, the snapshot it began with (one
    /// whose reads ended and began again may have read in two). An answer of another snapshot
    /// than the kept ones replaces them all: once the file has moved on, they can only be asked
    /// for by requests already running.
    pub fn keep(&self, now: Option<Snapshot>, to_keep: ToKeep, rendered: Rendered) {
        if now != Some(to_keep.snapshot) || rendered.body.len() > MAX_ANSWER_BYTES {
            return;
        }
        let key_bytes =
            std::mem::size_of::<(AnswerKey, Rendered)>() + to_keep.key.base_url.len() + to_keep.key.target.len();
        let Ok(mut kept) = self.kept.lock() else { return };
        if kept.snapshot != Some(to_keep.snapshot)
            || kept.block.capacity() - kept.block.len() < rendered.body.len()
            || kept.key_bytes + key_bytes > MAX_KEY_BYTES
        {
            kept.snapshot = Some(to_keep.snapshot);
            kept.answers.clear();
            kept.key_bytes = 0;
            kept.block.clear();
            // The same block again, unless an answer being sent still holds part of it.
            kept.block.reserve(MAX_KEPT_BYTES);
        }
        kept.key_bytes += key_bytes;
        kept.block.extend_from_slice(&rendered.body);
        let body = kept.block.split().freeze();
        kept.answers.insert(to_keep.key, Rendered { body, ..rendered });
    }
}

/// The kept answer to this request if the database has not changed since it was rendered;
/// otherwise `work`'s reply, to be kept once rendered.
pub async fn kept_or(app: &App, call: &Call, work: impl Future<Output = ApiResult<Reply>>) -> ApiResult<Reply> {
    let Some(snapshot) = read_snapshot(&app.store) else { return work.await };
    let info = &call.info;
    let key = AnswerKey {
        portal: info.portal,
        user: call.caller.user.id,
        format: info.format,
        base_url: info.base_url.clone(),
        target: info.target.clone(),
    };
    if let Some(rendered) = app.answers.get(&key, snapshot) {
        return Ok(Reply::rendered(rendered));
    }
    Ok(work.await?.to_keep(ToKeep { key, snapshot }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(target: &str) -> AnswerKey {
        AnswerKey {
            portal: PortalId(1),
            user: UserId(uuid::Uuid::nil()),
            format: Format::Json,
            base_url: "http://localhost".into(),
            target: target.into(),
        }
    }

    fn keep(answers: &Answers, target: &str, snapshot: Snapshot, len: usize) {
        let rendered = Rendered { body: Bytes::from(vec![b'x'; len]), content_type: "application/json" };
        answers.keep(Some(snapshot), ToKeep { key: key(target), snapshot }, rendered);
    }

    #[test]
    fn an_answer_is_given_only_in_the_snapshot_it_was_read_in() {
        let answers = Answers::default();
        let (first, second) = (Snapshot::Log([1; 48]), Snapshot::Log([2; 48]));
        keep(&answers, "/a", first, 10);
        assert_eq!(answers.get(&key("/a"), first).map(|r| r.body.len()), Some(10));
        assert!(answers.get(&key("/a"), second).is_none());
        assert!(answers.get(&key("/b"), first).is_none());
        // An answer of a newer snapshot replaces the older ones.
        keep(&answers, "/b", second, 10);
        assert!(answers.get(&key("/a"), first).is_none());
        assert!(answers.get(&key("/b"), second).is_some());
    }

    #[test]
    fn an_answer_read_in_two_snapshots_or_too_long_is_not_kept() {
        let answers = Answers::default();
        let (first, second) = (Snapshot::Log([1; 48]), Snapshot::Log([2; 48]));
        let rendered = Rendered { body: Bytes::from_static(b"{}"), content_type: "application/json" };
        answers.keep(Some(second), ToKeep { key: key("/a"), snapshot: first }, rendered.clone());
        answers.keep(None, ToKeep { key: key("/a"), snapshot: first }, rendered);
        assert!(answers.get(&key("/a"), first).is_none());
        keep(&answers, "/long", first, MAX_ANSWER_BYTES + 1);
        assert!(answers.get(&key("/long"), first).is_none());
    }

    #[test]
    fn kept_answers_stay_within_their_block_and_start_over_when_it_is_full() {
        let answers = Answers::default();
        let snapshot = Snapshot::Log([1; 48]);
        let (len, fit) = (MAX_ANSWER_BYTES, MAX_KEPT_BYTES / MAX_ANSWER_BYTES);
        for n in 0..fit {
            keep(&answers, &format!("/{n}"), snapshot, len);
        }
        assert!((0..fit).all(|n| answers.get(&key(&format!("/{n}")), snapshot).is_some()));
        keep(&answers, "/last", snapshot, len);
        assert!(answers.get(&key("/0"), snapshot).is_none(), "the full block started over");
        assert_eq!(answers.get(&key("/last"), snapshot).map(|r| r.body.len()), Some(len));
        let kept = answers.kept.lock().unwrap();
        assert_eq!(kept.answers.len(), 1);
        assert!(kept.block.capacity() <= MAX_KEPT_BYTES, "the one block, reused");
    }

    #[test]
    fn long_queries_count_against_what_is_kept() {
        let answers = Answers::default();
        let snapshot = Snapshot::Log([1; 48]);
        let query = "x".repeat(64 << 10);
        for n in 0..MAX_KEY_BYTES / query.len() + 1 {
            keep(&answers, &format!("/{n}?{query}"), snapshot, 10);
        }
        let kept = answers.kept.lock().unwrap();
        assert!(kept.answers.len() < MAX_KEY_BYTES / query.len(), "{} kept", kept.answers.len());
        assert!(kept.key_bytes <= MAX_KEY_BYTES);
    }
}
