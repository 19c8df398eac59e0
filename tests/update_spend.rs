//! Spend reducer tests. Usage values are the real assistant messages of session
//! `8e9a3ce9-…` (`agent:main:main`) in `captured/state/agents/main/agent/openclaw-agent.sqlite`
//! (`transcript_events` seq 5, 12, 20): e.g. seq 5 = fakeprime/fake-primary, input 12599,
//! output 15, totalTokens 12614, cost.total 0.038022 USD (config prices 3/15/0.3/3.75 per 1M).

mod facts;

use facts::*;
use lanetop::domain::Model;
use lanetop::fact::{ConfigFacts, Fact, FactKind, Price, UsageRecord};
use lanetop::msg::Msg;

use facts::main_usage as usage;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn cost_from_record_then_config_then_unpriced() {
    let mut model = Model::default();
    let mut cfg = config();
    cfg.prices
        .retain(|(m, _)| m.to_string() == "fakeprime/fake-primary");
    fold(
        &mut model,
        vec![config_fact("2026-11-22T01:49:00.000+00:00", cfg)],
    );
    fold(
        &mut model,
        vec![
            // seq 5, with usage.cost.total
            usage(
                "2026-11-22T01:49:31.089+00:00",
                "fakeprime/fake-primary",
                12599,
                15,
                Some(0.038022),
            ),
            // seq 5's tokens without a cost: priced from config, must give the same USD
            usage(
                "2026-11-22T01:49:40.000+00:00",
                "fakeprime/fake-primary",
                12599,
                15,
                None,
            ),
            // seq 12 (fakeback/fake-tertiary) without a cost and with no config price: unpriced
            usage(
                "2026-11-22T01:49:47.619+00:00",
                "fakeback/fake-tertiary",
                12659,
                15,
                None,
            ),
        ],
    );
    let sp = &model.spend;
    assert!(close(sp.total.usd, 0.076044), "{}", sp.total.usd);
    assert_eq!(sp.total.tokens, 12614 * 2 + 12674);
    assert_eq!(sp.total.unpriced_tokens, 12674);
    assert_eq!(sp.by_model["fakeback/fake-tertiary"].usd, 0.0);
    assert_eq!(sp.by_model["fakeback/fake-tertiary"].unpriced_tokens, 12674);
    let s = &model.sessions.by_key["agent:main:main"];
    assert_eq!((s.tokens, s.unpriced_tokens), (12614 * 2 + 12674, 12674));
    assert!(close(s.cost_usd, 0.076044));
    let r = lanetop::report::build(&model);
    assert_eq!(r.spend.unpriced_tokens, 12674);
    assert_eq!(
        r.spend.by_model["fakeback/fake-tertiary"], None,
        "unpriced: unknown, not $0"
    );
    assert_eq!(r.spend.by_model["fakeprime/fake-primary"], Some(0.076044));
    assert_eq!(r.spend.total_usd, 0.076044);

    // A config with the tertiary price arrives: the unpriced tokens are re-priced everywhere.
    fold(
        &mut model,
        vec![config_fact("2026-11-22T01:50:00.000+00:00", config())],
    );
    let sp = &model.spend;
    let tertiary = 12659.0 * 3.0 / 1e6 + 15.0 * 15.0 / 1e6; // 0.038202 = transcript cost.total of seq 12
    assert!(close(tertiary, 0.038202));
    assert_eq!(sp.total.unpriced_tokens, 0);
    assert!(close(sp.by_model["fakeback/fake-tertiary"].usd, tertiary));
    assert!(close(sp.by_agent["main"].usd, 0.076044 + tertiary));
    assert!(close(
        sp.by_session["agent:main:main"].usd,
        0.076044 + tertiary
    ));
    assert!(sp.unpriced.is_empty());
    let s = &model.sessions.by_key["agent:main:main"];
    assert_eq!(s.unpriced_tokens, 0);
    assert!(close(s.cost_usd, 0.076044 + tertiary));
}

#[test]
fn days_hours_and_burn_rate() {
    let mut model = Model::default();
    fold(
        &mut model,
        vec![
            usage(
                "2026-11-21T23:30:00.000+00:00",
                "fakeprime/fake-primary",
                1000,
                0,
                Some(1.0),
            ),
            usage(
                "2026-11-22T00:40:00.000+00:00",
                "fakeprime/fake-primary",
                1000,
                0,
                Some(2.0),
            ),
            usage(
                "2026-11-22T01:20:00.000+00:00",
                "fakeprime/fake-primary",
                1000,
                0,
                Some(4.0),
            ),
        ],
    );
    let sp = &model.spend;
    let days: Vec<(String, f64)> = sp
        .by_day
        .iter()
        .map(|(d, b)| (d.to_string(), b.usd))
        .collect();
    assert_eq!(
        days,
        vec![
            ("2026-11-21".to_string(), 1.0),
            ("2026-11-22".to_string(), 6.0)
        ]
    );
    assert_eq!(sp.by_hour.len(), 3);
    // report mode: now = newest fact (01:20) → the last 60 min hold 00:40 and 01:20.
    assert_eq!(model.now, Some(t("2026-11-22T01:20:00.000+00:00")));
    assert!(close(sp.burn_rate_usd_per_h(model.now), 6.0));
    // live: a tick at 01:50 leaves only 01:20 in the window.
    lanetop::update::update(&mut model, Msg::Tick(t("2026-11-22T01:50:00.000+00:00")));
    assert!(close(model.spend.burn_rate_usd_per_h(model.now), 4.0));
    // later facts no longer move the clock once ticks drive it
    fold(
        &mut model,
        vec![usage(
            "2026-11-22T03:00:00.000+00:00",
            "fakeprime/fake-primary",
            1,
            0,
            Some(0.5),
        )],
    );
    assert_eq!(model.now, Some(t("2026-11-22T01:50:00.000+00:00")));
}

/// The transcript reader may know only the session id: the usage is booked under the id and
/// moved to the key (and to the owning cron job) once a row names it.
#[test]
fn usage_before_key_is_known_moves_to_key_and_job() {
    let job = "f3eb99f7-0dd4-4302-8637-5f7f34e81ab4";
    let sid = "4291ada2-9349-4bbb-b999-cdc1f9b477ce";
    let key = format!("agent:main:cron:{job}:run:{sid}");
    let mut model = Model::default();
    fold(
        &mut model,
        vec![fact(
            "2026-11-22T01:57:00.000+00:00",
            agent_db("main"),
            FactKind::Usage(Box::new(UsageRecord {
                agent_id: "main".into(),
                session_id: sid.into(),
                model: m("fakeprime/fake-secondary"),
                input: 100,
                output: 10,
                total_tokens: 110,
                cost_usd: None,
                ..UsageRecord::default()
            })),
        )],
    );
    assert_eq!(model.spend.by_session[sid].unpriced_tokens, 110);
    let row = lanetop::fact::SessionRow {
        agent_id: "main".into(),
        key: key.clone(),
        session_id: sid.into(),
        status: Some("running".into()),
        created_via: Some("cron".into()),
        ..Default::default()
    };
    fold(
        &mut model,
        vec![snapshot("2026-11-22T01:58:00.000+00:00", "main", vec![row])],
    );
    assert!(!model.spend.by_session.contains_key(sid));
    assert_eq!(model.spend.by_session[&key].unpriced_tokens, 110);
    assert_eq!(model.spend.by_cron_job[job].unpriced_tokens, 110);
    assert_eq!(model.sessions.by_key[&key].unpriced_tokens, 110);
    // and a price for it later re-prices the job bucket too
    let mut cfg = ConfigFacts::default();
    cfg.prices.push((
        m("fakeprime/fake-secondary"),
        Price {
            input: 1.0,
            output: 10.0,
            ..Price::default()
        },
    ));
    fold(
        &mut model,
        vec![config_fact("2026-11-22T01:58:10.000+00:00", cfg)],
    );
    assert!(close(model.spend.by_cron_job[job].usd, 0.0002));
    assert_eq!(model.spend.by_cron_job[job].unpriced_tokens, 0);
    // ...and the session id's bucket, which prices the run.
    assert!(close(model.spend.by_session_id[sid].usd, 0.0002));
    assert_eq!(model.spend.by_session_id[sid].unpriced_tokens, 0);
}

/// `Spend::by_session_id` keeps the newest `SESSION_IDS_CAP` session ids (by first booking):
/// the oldest goes, a re-booked id keeps its place, the total keeps everything.
#[test]
fn session_id_buckets_are_bounded() {
    use lanetop::domain::spend::SESSION_IDS_CAP;
    let mut model = Model::default();
    let record = |sid: String| {
        fact(
            "2026-11-22T01:57:00.000+00:00",
            agent_db("main"),
            FactKind::Usage(Box::new(UsageRecord {
                agent_id: "main".into(),
                session_id: sid,
                model: m("fakeprime/fake-primary"),
                total_tokens: 1,
                cost_usd: Some(0.001),
                ..UsageRecord::default()
            })),
        )
    };
    let facts: Vec<Fact> = (0..=SESSION_IDS_CAP)
        .map(|i| record(format!("s{i}")))
        .chain([record(format!("s{SESSION_IDS_CAP}"))])
        .collect();
    fold(&mut model, facts);
    let ids = &model.spend.by_session_id;
    assert_eq!(ids.len(), SESSION_IDS_CAP);
    assert_eq!(model.spend.session_id_order.len(), SESSION_IDS_CAP);
    assert!(!ids.contains_key("s0"));
    assert!(close(ids["s1"].usd, 0.001));
    assert_eq!(ids[&format!("s{SESSION_IDS_CAP}")].turns, 2);
    assert_eq!(model.spend.total.turns, SESSION_IDS_CAP as u64 + 2);
}

/// A usage record naming no session at all is still spend (booked under `(unknown)`), and
/// absurd times do not panic.
#[test]
fn usage_without_session_and_extreme_times() {
    let mut model = Model::default();
    let mut f = usage(
        "2026-11-22T01:49:31.089+00:00",
        "fakeprime/fake-primary",
        10,
        1,
        Some(0.5),
    );
    if let FactKind::Usage(u) = &mut f.kind {
        u.session_id.clear();
        u.session_key = None;
    }
    f.at = chrono::DateTime::<chrono::Utc>::MIN_UTC;
    fold(&mut model, vec![f]);
    assert_eq!(model.spend.total.usd, 0.5);
    assert!(model.sessions.by_key.contains_key("(unknown)"));
    assert!(!model.sessions.by_key.contains_key(""));
    assert_eq!(model.spend.burn_rate_usd_per_h(model.now), 0.0);
    let _ = lanetop::report::to_json(&model);
    let _ = lanetop::report::to_markdown(&model);
}
