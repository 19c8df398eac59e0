//! Lane reducer tests mirroring phase 4 of `captured/logs/openclaw.log` (lines 964-968 and
//! 1012-1015: `lane wait exceeded` on `session:agent:main:main`).

mod facts;

use facts::*;
use lanetop::domain::{Model, SessionState};
use lanetop::fact::LogEvent;

const LANE: &str = "session:agent:main:main";

fn phase4() -> Vec<lanetop::fact::Fact> {
    vec![
        ev(
            964,
            "2026-11-22T01:51:16.811+00:00",
            LogEvent::LaneTaskDone {
                lane: LANE.into(),
                duration_ms: 11982,
                active: 0,
                queued: 2,
            },
        ),
        ev(
            965,
            "2026-11-22T01:51:16.811+00:00",
            LogEvent::LaneWaitExceeded {
                lane: LANE.into(),
                waited_ms: 7281,
                queue_ahead: 0,
                active_ahead: Some(1),
                active_now: Some(0),
                queue_behind: Some(1),
            },
        ),
        ev(
            966,
            "2026-11-22T01:51:16.811+00:00",
            LogEvent::LaneDequeued {
                lane: LANE.into(),
                wait_ms: 7281,
                queue_size: 1,
            },
        ),
        ev(
            967,
            "2026-11-22T01:51:16.875+00:00",
            LogEvent::LaneEnqueued {
                lane: "main".into(),
                queue_size: 1,
            },
        ),
        ev(
            968,
            "2026-11-22T01:51:16.876+00:00",
            LogEvent::LaneDequeued {
                lane: "main".into(),
                wait_ms: 1,
                queue_size: 0,
            },
        ),
    ]
}

#[test]
fn wait_exceeded_counted_and_not_double_sampled() {
    let mut model = Model::default();
    fold(
        &mut model,
        vec![config_fact("2026-11-22T01:49:00.000+00:00", config())],
    );
    fold(&mut model, phase4());
    let l = &model.lanes.by_name[LANE];
    assert_eq!(l.wait_exceeded, 1);
    assert_eq!(
        l.recent_waits.iter().map(|(_, w)| *w).collect::<Vec<_>>(),
        vec![7281],
        "line 966 is the same wait as 965"
    );
    assert_eq!(
        (l.active, l.queued),
        (1, 1),
        "task started (activeNow 0 + 1), queueBehind 1"
    );
    assert_eq!(l.tasks_done, 1);
    assert_eq!(l.limit, Some(1), "session lanes run one task at a time");
    let main = &model.lanes.by_name["main"];
    assert_eq!(
        main.limit,
        Some(4),
        "agents.defaults.maxConcurrent from config"
    );
    assert_eq!((main.active, main.queued), (1, 0));
    assert_eq!(main.wait_max_ms(), Some(1));

    // Lines 1012-1014: the second wait exceeded (15073 ms).
    fold(
        &mut model,
        vec![
            ev(
                1012,
                "2026-11-22T01:51:24.702+00:00",
                LogEvent::LaneTaskDone {
                    lane: LANE.into(),
                    duration_ms: 7890,
                    active: 0,
                    queued: 1,
                },
            ),
            ev(
                1013,
                "2026-11-22T01:51:24.703+00:00",
                LogEvent::LaneWaitExceeded {
                    lane: LANE.into(),
                    waited_ms: 15073,
                    queue_ahead: 1,
                    active_ahead: Some(1),
                    active_now: Some(0),
                    queue_behind: Some(0),
                },
            ),
            ev(
                1014,
                "2026-11-22T01:51:24.703+00:00",
                LogEvent::LaneDequeued {
                    lane: LANE.into(),
                    wait_ms: 15073,
                    queue_size: 0,
                },
            ),
        ],
    );
    let l = &model.lanes.by_name[LANE];
    assert_eq!(l.wait_exceeded, 2);
    assert_eq!(l.wait_max_ms(), Some(15073));
    assert_eq!(l.wait_p50_ms(), Some(7281));
    assert_eq!(l.tasks_done, 2);

    let r = lanetop::report::build(&model);
    let lane = r
        .lanes
        .iter()
        .find(|x| x.name == LANE)
        .expect("lane in report");
    assert_eq!(
        (lane.wait_exceeded, lane.wait_p50_ms, lane.wait_max_ms),
        (2, Some(7281), Some(15073))
    );
}

/// Without DEBUG lines only the WARN `lane wait exceeded` is logged: it alone counts the start.
#[test]
fn wait_exceeded_alone_at_info_level() {
    let mut model = Model::default();
    fold(
        &mut model,
        vec![ev(
            965,
            "2026-11-22T01:51:16.811+00:00",
            LogEvent::LaneWaitExceeded {
                lane: LANE.into(),
                waited_ms: 7281,
                queue_ahead: 0,
                active_ahead: Some(1),
                active_now: Some(0),
                queue_behind: Some(1),
            },
        )],
    );
    let l = &model.lanes.by_name[LANE];
    assert_eq!((l.active, l.queued, l.wait_exceeded), (1, 1, 1));
}

/// Lines 321-322: `lane task error` on `main` and the session lane (phase 3).
#[test]
fn task_errors_and_session_queue_state() {
    let mut model = Model::default();
    fold(
        &mut model,
        vec![snapshot(
            "2026-11-22T01:49:40.000+00:00",
            "main",
            vec![main_row()],
        )],
    );
    fold(
        &mut model,
        vec![ev(
            292,
            "2026-11-22T01:49:45.657+00:00",
            LogEvent::LaneEnqueued {
                lane: LANE.into(),
                queue_size: 1,
            },
        )],
    );
    assert_eq!(
        model.sessions.by_key["agent:main:main"].state,
        SessionState::Queued,
        "lane session:<key> has a queued task"
    );
    fold(
        &mut model,
        vec![
            ev(
                293,
                "2026-11-22T01:49:45.658+00:00",
                LogEvent::LaneDequeued {
                    lane: LANE.into(),
                    wait_ms: 1,
                    queue_size: 0,
                },
            ),
            ev(
                321,
                "2026-11-22T01:49:47.120+00:00",
                LogEvent::LaneTaskError {
                    lane: "main".into(),
                    duration_ms: 1455,
                    error: "⚠️ Rate limit reached for fake-primary.; Retry-After: 3600 seconds"
                        .into(),
                },
            ),
            ev(
                322,
                "2026-11-22T01:49:47.122+00:00",
                LogEvent::LaneTaskError {
                    lane: LANE.into(),
                    duration_ms: 1463,
                    error: "⚠️ Rate limit reached for fake-primary.; Retry-After: 3600 seconds"
                        .into(),
                },
            ),
        ],
    );
    let l = &model.lanes.by_name[LANE];
    assert_eq!((l.task_errors, l.active, l.queued), (1, 0, 0));
    assert_eq!(model.lanes.by_name["main"].task_errors, 1);
    assert_eq!(
        model.sessions.by_key["agent:main:main"].state,
        SessionState::Idle
    );
    assert_eq!(
        model.sessions.by_key["agent:main:main"].last_activity,
        Some(t("2026-11-22T01:49:47.122+00:00"))
    );
    assert_eq!(
        model.logs.warnings.len(),
        2,
        "ERROR lines are warnings; DEBUG ones are not"
    );
}
