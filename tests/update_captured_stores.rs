//! The reducers over the REAL captured agent SQLite stores (`captured/state/agents/*/agent/
//! openclaw-agent.sqlite`: `session_nodes`, `session_windows`, `transcript_events`), alone and
//! fused with the real captured log in both orders. Expected numbers were summed independently
//! with Python over the same databases (49 assistant messages with usage, all with
//! `usage.cost.total`).

mod facts;

use facts::captured::{log_facts, store_facts};
use lanetop::domain::{Model, SessionKind, SessionState};
use lanetop::fact::Fact;
use lanetop::msg::Msg;

fn fold(model: &mut Model, facts: Vec<Fact>) {
    for chunk in facts.chunks(200) {
        lanetop::update::update(model, Msg::Facts(chunk.to_vec()));
    }
}

fn usd(x: f64) -> f64 {
    lanetop::report::round_usd(x)
}

const RUN_KEY: &str =
    "agent:main:cron:f3eb99f7-0dd4-4302-8637-5f7f34e81ab4:run:4291ada2-9349-4bbb-b999-cdc1f9b477ce";

fn assert_store_numbers(model: &Model) {
    let sp = &model.spend;
    assert_eq!(sp.total.turns, 49);
    assert_eq!(sp.total.tokens, 521_472);
    assert_eq!(sp.total.unpriced_tokens, 0);
    assert_eq!(usd(sp.total.usd), 1.572936);
    assert_eq!(usd(sp.by_model["fakeprime/fake-primary"].usd), 0.455967);
    assert_eq!(usd(sp.by_model["fakeback/fake-tertiary"].usd), 0.701775);
    assert_eq!(usd(sp.by_model["fakeprime/fake-secondary"].usd), 0.11523);
    assert_eq!(usd(sp.by_model["fakeback/fake-backup"].usd), 0.299964);
    assert_eq!(usd(sp.by_agent["main"].usd), 0.571473);
    assert_eq!(usd(sp.by_agent["ops"].usd), 0.665628);
    assert_eq!(usd(sp.by_agent["research"].usd), 0.335835);
    assert_eq!(
        usd(sp.by_cron_job["f3eb99f7-0dd4-4302-8637-5f7f34e81ab4"].usd),
        0.13809
    );
    assert_eq!(
        usd(sp.by_cron_job["007ab091-ffcc-493b-979a-d1207036802e"].usd),
        0.115905
    );
    assert_eq!(
        usd(sp.by_cron_job["3bf435b6-ac50-421e-9002-cf16e51b5641"].usd),
        0.221208
    );
    assert_eq!(usd(sp.by_session["agent:main:main"].usd), 0.433383);
    assert_eq!(usd(sp.by_session["agent:ops:main"].usd), 0.549723);

    let s = &model.sessions.by_key;
    let main = &s["agent:main:main"];
    assert_eq!(
        (main.kind, main.user_turns, main.heartbeat_turns),
        (SessionKind::Main, 15, 3)
    );
    assert_eq!(usd(main.cost_usd), 0.433383);
    let run = &s["agent:main:cron:f3eb99f7-0dd4-4302-8637-5f7f34e81ab4:run:4291ada2-9349-4bbb-b999-cdc1f9b477ce"];
    assert_eq!(
        (run.kind, run.status.as_deref()),
        (SessionKind::CronRun, Some("running"))
    );
}

#[test]
fn stores_alone() {
    let mut model = Model::default();
    fold(&mut model, store_facts());
    assert_eq!(model.sessions.by_key.len(), 7, "the 7 session_nodes rows");
    assert!(model.sessions.by_key.values().all(|s| !s.placeholder));
    assert_store_numbers(&model);
    // The state DB's boot rows say the last boot stopped cleanly (SIGTERM) after this cron run
    // started: a session the store still calls `running` while no gateway runs is stale.
    assert_eq!(model.gateway.boots.len(), 3);
    assert_eq!(model.sessions.by_key[RUN_KEY].state, SessionState::Stale);
}

#[test]
fn stores_and_log_in_either_order() {
    for log_first in [true, false] {
        let mut model = Model::default();
        if log_first {
            fold(&mut model, log_facts());
            fold(&mut model, store_facts());
        } else {
            fold(&mut model, store_facts());
            fold(&mut model, log_facts());
        }
        assert_store_numbers(&model);
        let s = &model.sessions.by_key;
        // the log names the main sessions by id: they fold into the keyed rows
        assert_eq!(
            s["agent:main:main"].fallback_episodes, 5,
            "log_first={log_first}"
        );
        assert_eq!(
            s["agent:research:main"].fallback_episodes, 1,
            "log_first={log_first}"
        );
        assert_eq!(
            s["agent:ops:main"].fallback_episodes, 1,
            "log_first={log_first}"
        );
        // the cron run cut by the SIGKILL (last activity 01:54:09) is `running` in the store, but
        // the log shows two boots since: stale
        assert_eq!(
            s[RUN_KEY].state,
            SessionState::Stale,
            "log_first={log_first}"
        );
        assert!(
            s.values().all(|x| x.active_runs.is_empty()),
            "log_first={log_first}"
        );
        let placeholders: Vec<&str> = s
            .values()
            .filter(|x| x.placeholder)
            .map(|x| x.key.as_str())
            .collect();
        let report = lanetop::report::build(&model);
        assert!(
            report.cascades.iter().all(|e| e
                .session
                .as_deref()
                .is_some_and(|k| k.starts_with("agent:"))),
            "every episode names its session key (log_first={log_first})"
        );
        assert_eq!(report.fallbacks.decisions, 18);
        // The one session id the log names that no store row or window knows (a skill-workshop
        // internal run) stays a placeholder keyed by its id.
        assert_eq!(
            placeholders,
            vec![
                "internal-session-effects-skill-workshop-review_4f283746-282c-475d-8a65-cb-e344f0237bf09b8f"
            ],
            "log_first={log_first}"
        );
    }
}
