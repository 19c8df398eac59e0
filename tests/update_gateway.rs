//! Gateway boot counting across the 3 boots of `captured/` (log lines 6, 1825, 2092
//! `loading configuration…`; ready 58, 1881, 2146; SIGTERM 2059, 2691) and the 3 rows of
//! `state/openclaw.sqlite` `gateway_boot_lifecycle`.

mod facts;

use facts::*;
use lanetop::domain::Model;
use lanetop::domain::gateway::GatewayState;
use lanetop::fact::{BootRow, Fact, FactKind, GatewayEvent, LogEvent};

fn g(line: u64, at: &str, e: GatewayEvent) -> Fact {
    ev(line, at, LogEvent::Gateway(e))
}

fn log_lifecycle() -> Vec<Fact> {
    let sig = || GatewayEvent::Signal {
        signal: "SIGTERM".into(),
    };
    vec![
        g(6, "2026-11-22T01:49:20.213+00:00", GatewayEvent::Starting),
        g(
            34,
            "2026-11-22T01:49:23.060+00:00",
            GatewayEvent::AgentModel {
                model: m("fakeprime/fake-primary"),
            },
        ),
        g(58, "2026-11-22T01:49:24.973+00:00", GatewayEvent::Ready),
        // boot 1 was SIGKILLed: no shutdown record.
        g(
            1825,
            "2026-11-22T01:54:31.750+00:00",
            GatewayEvent::Starting,
        ),
        g(1881, "2026-11-22T01:54:39.273+00:00", GatewayEvent::Ready),
        g(2059, "2026-11-22T01:55:02.138+00:00", sig()),
        g(
            2061,
            "2026-11-22T01:55:02.161+00:00",
            GatewayEvent::ShuttingDown,
        ),
        g(
            2092,
            "2026-11-22T01:55:08.359+00:00",
            GatewayEvent::Starting,
        ),
        g(2146, "2026-11-22T01:55:14.999+00:00", GatewayEvent::Ready),
        g(2691, "2026-11-22T01:58:21.623+00:00", sig()),
    ]
}

/// `select * from gateway_boot_lifecycle` of the captured state DB.
fn db_rows() -> Vec<Fact> {
    let row = |id: &str, pid, start, end: Option<i64>| BootRow {
        boot_id: id.into(),
        pid: Some(pid),
        started_at_ms: start,
        completed_at_ms: end,
        outcome: end.map(|_| "clean_stop".into()),
        reason: end.map(|_| "stop (SIGTERM)".into()),
    };
    [
        row(
            "d16c4af5-39cd-4271-99d1-99eaf618ae64",
            22363,
            1795312160615,
            None,
        ),
        row(
            "162ff639-0cfd-4af1-9cc2-8da73f048d50",
            25900,
            1795312472238,
            Some(1795312502459),
        ),
        row(
            "7253eadf-fc94-4c49-8ca4-990f433b7987",
            26285,
            1795312508973,
            Some(1795312701862),
        ),
    ]
    .into_iter()
    .map(|r| {
        fact(
            "2026-11-22T01:58:30.000+00:00",
            state_db(),
            FactKind::GatewayBoot(Box::new(r)),
        )
    })
    .collect()
}

#[test]
fn log_alone_counts_three_boots() {
    let mut model = Model::default();
    fold(&mut model, log_lifecycle());
    let gw = &model.gateway;
    assert_eq!(gw.boots.len(), 3);
    assert_eq!(
        gw.boots[0].ready_at,
        Some(t("2026-11-22T01:49:24.973+00:00"))
    );
    assert_eq!(gw.boots[0].outcome, None, "SIGKILLed: no outcome");
    assert_eq!(gw.boots[1].outcome.as_deref(), Some("SIGTERM"));
    assert_eq!(gw.state, GatewayState::ShuttingDown);
    assert_eq!(gw.last_seen, Some(t("2026-11-22T01:58:21.623+00:00")));
    assert_eq!(
        gw.default_model.as_ref().map(|m| m.to_string()).as_deref(),
        Some("fakeprime/fake-primary")
    );
    assert_eq!(
        model
            .gateway
            .boot_index_at(t("2026-11-22T01:55:26.935+00:00")),
        2
    );
}

#[test]
fn db_alone_counts_three_boots() {
    let mut model = Model::default();
    fold(&mut model, db_rows());
    assert_eq!(model.gateway.boots.len(), 3);
    assert_eq!(
        model.gateway.state,
        GatewayState::Down,
        "the newest boot completed"
    );
    assert_eq!(
        model.gateway.boots[2].reason.as_deref(),
        Some("stop (SIGTERM)")
    );
}

#[test]
fn log_and_db_merge_in_either_order() {
    for db_first in [false, true] {
        let mut model = Model::default();
        if db_first {
            fold(&mut model, db_rows());
            fold(&mut model, log_lifecycle());
        } else {
            fold(&mut model, log_lifecycle());
            fold(&mut model, db_rows());
        }
        // Re-reading both sources must not add boots either.
        fold(&mut model, log_lifecycle());
        fold(&mut model, db_rows());
        let gw = &model.gateway;
        assert_eq!(gw.boots.len(), 3, "db_first={db_first}");
        assert!(
            gw.boots
                .iter()
                .all(|b| b.seen_in_log && b.boot_id.is_some()),
            "db_first={db_first}"
        );
        assert_eq!(gw.boots[0].pid, Some(22363));
        // the DB says the last boot completed its stop: down (the log alone says shutting down)
        assert_eq!(gw.state, GatewayState::Down, "db_first={db_first}");
        assert_eq!(lanetop::report::build(&model).gateway.boots, 3);
    }
}

/// A boot ends the previous process: its runs are no longer active, lanes are empty.
#[test]
fn boot_clears_active_runs_and_lanes() {
    let mut model = Model::default();
    fold(
        &mut model,
        vec![
            snapshot("2026-11-22T01:54:00.000+00:00", "main", vec![main_row()]),
            // Line 1784-ish: the turn cut by the SIGKILL (run 45da57e0…).
            ev(
                1784,
                "2026-11-22T01:54:20.000+00:00",
                LogEvent::RunStarted {
                    run_id: "45da57e0".into(),
                    session_id: MAIN_SID.into(),
                    model: Some(m("fakeprime/fake-primary")),
                    channel: None,
                },
            ),
            ev(
                1785,
                "2026-11-22T01:54:20.001+00:00",
                LogEvent::LaneEnqueued {
                    lane: "main".into(),
                    queue_size: 2,
                },
            ),
        ],
    );
    assert_eq!(
        model.sessions.by_key["agent:main:main"].active_runs.len(),
        1
    );
    fold(
        &mut model,
        vec![g(
            1825,
            "2026-11-22T01:54:31.750+00:00",
            GatewayEvent::Starting,
        )],
    );
    assert!(
        model.sessions.by_key["agent:main:main"]
            .active_runs
            .is_empty()
    );
    assert_eq!(model.lanes.by_name["main"].queued, 0);
}

/// The same boot read from the JSONL file and from the console text (`gateway.console.log`,
/// lines 1, 295, 341 `[gateway] loading configuration…`, 2-3 ms after the JSONL records) is one
/// boot.
#[test]
fn jsonl_and_console_forms_count_once() {
    let mut model = Model::default();
    fold(&mut model, log_lifecycle());
    fold(
        &mut model,
        vec![
            g(1, "2026-11-22T01:49:20.216+00:00", GatewayEvent::Starting),
            g(295, "2026-11-22T01:54:31.753+00:00", GatewayEvent::Starting),
            g(341, "2026-11-22T01:55:08.362+00:00", GatewayEvent::Starting),
        ],
    );
    assert_eq!(model.gateway.boots.len(), 3);
}

/// The store's `schema_meta` release names the gateway while there is no RPC link; the running
/// server's hello outranks it, and a later store read does not take it back.
#[test]
fn store_version_until_the_hello_names_the_server() {
    use lanetop::fact::GatewayLink;
    let mut model = Model::default();
    let store = |v: &str| {
        fact(
            "2026-11-22T01:58:30+00:00",
            state_db(),
            FactKind::StoreVersion { version: v.into() },
        )
    };
    fold(&mut model, vec![store("2026.9.6")]);
    assert_eq!(model.gateway.version.as_deref(), Some("2026.9.6"));
    let hello = fact(
        "2026-11-22T01:58:31+00:00",
        state_db(),
        FactKind::GatewayLink(GatewayLink::Up {
            url: "ws://127.0.0.1:18789".into(),
            version: Some("2026.9.7".into()),
            protocol: 3,
            scopes: vec![],
        }),
    );
    fold(&mut model, vec![hello]);
    assert_eq!(model.gateway.version.as_deref(), Some("2026.9.7"));
    fold(&mut model, vec![store("2026.9.6")]);
    assert_eq!(model.gateway.version.as_deref(), Some("2026.9.7"));
}

/// `lanetop report` folds the state DB before the log: the DB's completed last boot, then the
/// log's `received SIGTERM; shutting down` (line 2693) would leave the gateway shutting down;
/// the log's `shutdown completed cleanly in 144ms` (line 2698) says it is down.
#[test]
fn clean_stop_is_down_whatever_the_order_of_the_reads() {
    let stop = || {
        vec![
            g(
                2693,
                "2026-11-22T01:58:21.651+00:00",
                GatewayEvent::ShuttingDown,
            ),
            g(2698, "2026-11-22T01:58:21.807+00:00", GatewayEvent::Stopped),
        ]
    };
    let mut db_first = Model::default();
    fold(&mut db_first, db_rows());
    fold(&mut db_first, log_lifecycle());
    fold(&mut db_first, stop());
    assert_eq!(db_first.gateway.state, GatewayState::Down);
    let mut log_first = Model::default();
    fold(&mut log_first, log_lifecycle());
    fold(&mut log_first, stop());
    fold(&mut log_first, db_rows());
    assert_eq!(log_first.gateway.state, GatewayState::Down);
    // An in-process restart (captured-legacy lines 2660, 2671): down, then up again.
    let mut restart = Model::default();
    fold(&mut restart, log_lifecycle());
    fold(
        &mut restart,
        vec![
            g(2660, "2026-11-22T02:00:00.000+00:00", GatewayEvent::Stopped),
            g(2671, "2026-11-22T02:00:01.352+00:00", GatewayEvent::Ready),
        ],
    );
    assert_eq!(restart.gateway.state, GatewayState::Up);
}

/// SIGUSR1 restarts the gateway in the same process (captured-legacy lines 2646-2671: signal,
/// `received SIGUSR1; restarting`, `shutdown completed cleanly`, `gateway ready`): the boot
/// neither ends nor takes the signal as its outcome; the gateway is up again.
#[test]
fn sigusr1_restart_does_not_end_the_boot() {
    let mut model = Model::default();
    fold(
        &mut model,
        vec![
            g(1, "2026-11-22T02:32:18.352+00:00", GatewayEvent::Starting),
            g(22, "2026-11-22T02:32:25.000+00:00", GatewayEvent::Ready),
            g(
                2646,
                "2026-11-22T02:41:32.900+00:00",
                GatewayEvent::Signal {
                    signal: "SIGUSR1".into(),
                },
            ),
            g(
                2647,
                "2026-11-22T02:41:32.929+00:00",
                GatewayEvent::Restarting,
            ),
            g(2660, "2026-11-22T02:41:53.005+00:00", GatewayEvent::Stopped),
            g(2671, "2026-11-22T02:41:54.357+00:00", GatewayEvent::Ready),
        ],
    );
    let gw = &model.gateway;
    assert_eq!(gw.boots.len(), 1);
    assert_eq!(gw.boots[0].ended_at, None);
    assert_eq!(gw.boots[0].outcome, None);
    assert_eq!(gw.state, GatewayState::Up);
}
