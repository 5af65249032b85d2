//! The last webhooks the service rejected (bad signature, stale timestamp, malformed body, ...),
//! kept in memory for the console: when, which connector and account, the error's kind and
//! message and its verification steps. Errors and reports never hold secrets or signatures;
//! bodies are not kept.

use std::collections::VecDeque;
use std::sync::Mutex;

use serde::Serialize;

use crate::HandleError;

/// How many are kept.
pub(super) const KEEP: usize = 100;

/// One rejected webhook.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Rejection {
    pub at_ms: i64,
    pub connector: String,
    pub account: String,
    pub kind: &'static str,
    pub message: String,
    /// The verification steps: (step, passed, detail).
    pub steps: Vec<(String, bool, String)>,
}

/// The last [`KEEP`] rejections, newest last.
#[derive(Default)]
pub(crate) struct Rejected(Mutex<VecDeque<Rejection>>);

impl Rejected {
    /// Remembers a rejected webhook.
    pub(crate) fn push(&self, connector: &str, account: &str, e: &HandleError) {
        let r = Rejection {
            at_ms: crate::queue::now_ms(),
            connector: connector.to_string(),
            account: account.to_string(),
            kind: e.kind.as_str(),
            message: e.message.clone(),
            steps: e
                .report
                .iter()
                .map(|s| (s.step.to_string(), s.ok, s.detail.to_string()))
                .collect(),
        };
        let mut q = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if q.len() == KEEP {
            q.pop_front();
        }
        q.push_back(r);
    }

    /// The rejections kept, newest first.
    pub(crate) fn newest_first(&self) -> Vec<Rejection> {
        let q = self.0.lock().unwrap_or_else(|p| p.into_inner());
        q.iter().rev().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn keeps_the_last_hundred_newest_first() {
        let r = Rejected::default();
        for i in 0..(KEEP + 5) {
            r.push(
                &format!("c{i}"),
                "default",
                &HandleError::new(ErrorKind::InvalidSignature, "no"),
            );
        }
        let all = r.newest_first();
        assert_eq!(all.len(), KEEP);
        assert_eq!(all[0].connector, format!("c{}", KEEP + 4));
        assert_eq!(all[KEEP - 1].connector, "c5");
        assert_eq!(all[0].kind, "InvalidSignature");
    }
}
