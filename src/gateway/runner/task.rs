//! The runner task: effects one at a time, outcomes back to the app loop, and the shutdown
//! rule (every confirmed effect leaves an audit record, even when lanetop quits first).

use std::time::Duration;

use super::{Request, Runner};

/// How long an action in flight may still take once lanetop is quitting (all effect senders
/// dropped) before it is audited as interrupted. The caller waits a little longer than this.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Start the runner task: effects are run one at a time, in order; each outcome goes back to
/// the app loop as [`crate::msg::Msg::ActionDone`].
///
/// Shutdown (every sender dropped, e.g. SIGTERM or SSH dropped): the action in flight gets
/// [`SHUTDOWN_GRACE`] to finish; if it does not, it is audited as interrupted (it may still
/// take effect on the gateway). Effects confirmed but not started are audited as not sent. So
/// every confirmed action leaves an audit record.
pub fn spawn(
    runner: Runner,
    tx: tokio::sync::mpsc::Sender<crate::msg::Msg>,
) -> (
    tokio::sync::mpsc::UnboundedSender<Request>,
    tokio::task::JoinHandle<()>,
) {
    let (etx, mut erx) = tokio::sync::mpsc::unbounded_channel::<Request>();
    let task = tokio::spawn(async move {
        let mut queue = std::collections::VecDeque::new();
        let mut open = true;
        loop {
            let e = match queue.pop_front() {
                Some(e) => e,
                None if open => match erx.recv().await {
                    Some(e) => e,
                    None => break,
                },
                None => break,
            };
            if !open {
                runner.interrupted(&e.effect, "not sent: lanetop exited first", &e.by);
                continue;
            }
            let run = runner.run_by(&e.effect, &e.by);
            tokio::pin!(run);
            let o = loop {
                tokio::select! {
                    o = &mut run => break Some(o),
                    next = erx.recv(), if open => match next {
                        Some(n) => queue.push_back(n),
                        None => {
                            open = false;
                            match tokio::time::timeout(SHUTDOWN_GRACE, &mut run).await {
                                Ok(o) => break Some(o),
                                Err(_) => {
                                    runner.interrupted(
                                        &e.effect,
                                        "interrupted: lanetop exited before the gateway \
                                         answered (the action may still take effect)",
                                        &e.by,
                                    );
                                    break None;
                                }
                            }
                        }
                    },
                }
            };
            if let Some(o) = o
                && tx.send(crate::msg::Msg::ActionDone(o)).await.is_err()
            {
                // The app is gone: keep draining so every confirmed effect is audited.
                open = open && !erx.is_closed();
            }
        }
    });
    (etx, task)
}
