//! Prices for every model: recorded cost > config > refreshed > bundled > unpriced, the price
//! source in the report, re-pricing when a refreshed table arrives, and the refresh itself
//! against a local HTTP server (127.0.0.1).

mod facts;

use std::io::{Read, Write};
use std::sync::Arc;

use facts::*;
use lanetop::domain::Model;
use lanetop::fact::*;
use lanetop::msg::Msg;
use lanetop::prices::{PriceSettings, PriceTable, refresh};
use serde_json::Value;

/// One assistant turn of `agent:main:main`: 1M input, 100k output, 2M cache read, 10k cache
/// write tokens.
fn turn(at: &str, model: &str, cost: Option<f64>) -> Fact {
    fact(
        at,
        agent_db("main"),
        FactKind::Usage(Box::new(UsageRecord {
            agent_id: "main".into(),
            session_id: MAIN_SID.into(),
            session_key: Some("agent:main:main".into()),
            model: m(model),
            input: 1_000_000,
            output: 100_000,
            cache_read: 2_000_000,
            cache_write: 10_000,
            total_tokens: 3_110_000,
            cost_usd: cost,
            ..UsageRecord::default()
        })),
    )
}

fn report(model: &Model) -> Value {
    serde_json::from_str(&lanetop::report::render(
        model,
        lanetop::report::Format::Json,
    ))
    .unwrap()
}

fn model_row<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["spend"]["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["model"] == id)
        .unwrap_or_else(|| panic!("{id} not in {}", r["spend"]["models"]))
}

const OPUS: &str = "anthropic/claude-opus-4-6";
// LiteLLM 1.109.1 `claude-opus-4-6`: 5e-06 in, 2.5e-05 out, 5e-07 cache read, 6.25e-06 write.
const OPUS_USD: f64 =
    1_000_000.0 * 5e-06 + 100_000.0 * 2.5e-05 + 2_000_000.0 * 5e-07 + 10_000.0 * 6.25e-06;

#[test]
fn bundled_prices_a_model_the_config_does_not() {
    let mut model = Model::default();
    fold(
        &mut model,
        vec![snapshot(
            "2026-11-22T01:00:00+00:00",
            "main",
            vec![main_row()],
        )],
    );
    fold(
        &mut model,
        vec![
            turn("2026-11-22T01:00:01+00:00", OPUS, None),
            turn("2026-11-22T01:00:02+00:00", OPUS, Some(0.25)),
            turn("2026-11-22T01:00:03+00:00", "kimi/kimi2.5", None),
        ],
    );
    let r = report(&model);
    let opus = model_row(&r, OPUS);
    // 5 + 2.5 + 1 + 0.0625 = 8.5625 bundled, plus the recorded 0.25 (recorded cost wins).
    assert!((OPUS_USD - 8.5625).abs() < 1e-12);
    assert_eq!(opus["usd"], 8.8125);
    assert_eq!(opus["price_source"], "bundled");
    assert_eq!(opus["price_key"], "claude-opus-4-6");
    assert_eq!(opus["priced_by"]["bundled"], 1);
    assert_eq!(opus["priced_by"]["recorded"], 1);
    assert_eq!(opus["unpriced_tokens"], 0);
    // No price anywhere: unpriced, never $0.
    let kimi = model_row(&r, "kimi/kimi2.5");
    assert_eq!(kimi["price_source"], Value::Null);
    assert_eq!(kimi["unpriced_tokens"], 3_110_000);
    assert_eq!(kimi["priced_by"]["unpriced"], 1);
    assert_eq!(r["spend"]["by_model"]["kimi/kimi2.5"], Value::Null);
    assert_eq!(r["spend"]["unpriced_tokens"], 3_110_000);
    let md = lanetop::report::render(&model, lanetop::report::Format::Markdown);
    assert!(
        md.contains(
            "| anthropic/claude-opus-4-6 | $8.81 | 6220000 | 0 | 2 | bundled: claude-opus-4-6 |"
        ),
        "{md}"
    );
    assert!(
        md.contains("| kimi/kimi2.5 | unpriced | 3110000 | 3110000 | 1 | none |"),
        "{md}"
    );
    assert_eq!(lanetop::prices::label(&model, OPUS), "bundled");
    assert_eq!(lanetop::prices::label(&model, "kimi/kimi2.5"), "none");
}

#[test]
fn config_beats_bundled_and_recorded_beats_both() {
    let mut model = Model::default();
    let mut cfg = ConfigFacts::default();
    cfg.prices.push((
        m(OPUS),
        Price {
            input: 1.0,
            output: 1.0,
            cache_read: 0.0,
            cache_write: 0.0,
        },
    ));
    fold(
        &mut model,
        vec![config_fact("2026-11-22T01:00:00+00:00", cfg)],
    );
    fold(
        &mut model,
        vec![
            turn("2026-11-22T01:00:01+00:00", OPUS, None),
            turn("2026-11-22T01:00:02+00:00", "openai/gpt-5.2", Some(0.5)),
        ],
    );
    let r = report(&model);
    let opus = model_row(&r, OPUS);
    assert_eq!(opus["usd"], 1.1); // 1M × $1 + 100k × $1 per 1M
    assert_eq!(opus["price_source"], "config");
    assert_eq!(opus["price_key"], Value::Null);
    let gpt = model_row(&r, "openai/gpt-5.2");
    assert_eq!(gpt["usd"], 0.5);
    assert_eq!(gpt["priced_by"]["recorded"], 1);
    assert_eq!(lanetop::prices::label(&model, "openai/gpt-5.2"), "recorded");
}

const REFRESHED: &str = r#"{
  "zai/glm-9": {"litellm_provider": "zai", "input_cost_per_token": 1e-06,
                "output_cost_per_token": 2e-06, "cache_read_input_token_cost": 1e-07,
                "cache_creation_input_token_cost": 0},
  "claude-opus-4-6": {"litellm_provider": "anthropic", "input_cost_per_token": 1e-06,
                "output_cost_per_token": 1e-06, "cache_read_input_token_cost": 0,
                "cache_creation_input_token_cost": 0}
}"#;

#[test]
fn a_refreshed_table_reprices_unpriced_usage_and_wins_over_bundled() {
    let mut model = Model::default();
    fold(
        &mut model,
        vec![turn("2026-11-22T01:00:01+00:00", "zai/glm-9", None)],
    );
    assert_eq!(model.spend.total.unpriced_tokens, 3_110_000);
    let t = PriceTable::parse(REFRESHED).unwrap();
    lanetop::update::update(&mut model, Msg::Prices(Arc::new(t)));
    // 1M × 1e-6 + 100k × 2e-6 + 2M × 1e-7 + 10k × 0 = 1.4
    assert_eq!(model.spend.total.unpriced_tokens, 0);
    assert!(
        (model.spend.total.usd - 1.4).abs() < 1e-9,
        "{}",
        model.spend.total.usd
    );
    let p = model.spend.priced_by["zai/glm-9"];
    assert_eq!((p.refreshed, p.unpriced), (1, 0));
    assert_eq!(
        model
            .sessions
            .by_key
            .get("agent:main:main")
            .map(|s| s.unpriced_tokens),
        Some(0)
    );
    // New turns of a model both tables know take the refreshed price.
    fold(
        &mut model,
        vec![turn("2026-11-22T01:00:02+00:00", OPUS, None)],
    );
    let r = report(&model);
    assert_eq!(model_row(&r, OPUS)["price_source"], "refreshed");
    assert_eq!(model_row(&r, OPUS)["usd"], 1.1);
}

/// Serve `body` with `status` to every connection on 127.0.0.1 (a thread; ends with the test).
fn serve(status: &'static str, body: &'static str) -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { return };
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{addr}/prices.json")
}

#[tokio::test]
async fn refresh_fetches_caches_and_is_read_back_only_when_configured() {
    let dir = tempfile::tempdir().unwrap();
    let url = serve("200 OK", REFRESHED);
    let t = refresh::fetch_and_cache(&url, Some(&dir.path().join(refresh::CACHE_FILE)))
        .await
        .unwrap();
    assert_eq!(t.len(), 2);
    let settings = PriceSettings {
        refresh_url: Some(url.clone()),
        ..PriceSettings::default()
    };
    let book = refresh::startup_book(&settings, Some(dir.path()));
    let cfg = ConfigFacts::default();
    assert_eq!(
        book.resolve(&cfg, "zai/glm-9").map(|r| r.source()),
        Some(lanetop::prices::PriceSource::Refreshed)
    );
    // Not configured: the cache is not read, and nothing is started.
    let book = refresh::startup_book(&PriceSettings::default(), Some(dir.path()));
    assert!(book.resolve(&cfg, "zai/glm-9").is_none());
    assert!(book.bundled.is_some());
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    assert!(
        refresh::spawn(
            &PriceSettings::default(),
            Some(dir.path().into()),
            tx.clone()
        )
        .is_none()
    );
    // `bundled = false` drops the bundled table.
    let off = PriceSettings {
        bundled: false,
        ..PriceSettings::default()
    };
    assert!(
        refresh::startup_book(&off, None)
            .resolve(&cfg, OPUS)
            .is_none()
    );
    // Configured with a stale cache: the task fetches at once and sends the table.
    let fresh = tempfile::tempdir().unwrap();
    let task = refresh::spawn(&settings, Some(fresh.path().into()), tx).unwrap();
    let msg = tokio::time::timeout(std::time::Duration::from_secs(20), rx.recv())
        .await
        .unwrap();
    assert!(matches!(msg, Some(Msg::Prices(t)) if t.len() == 2));
    assert!(fresh.path().join(refresh::CACHE_FILE).is_file());
    task.abort();
}

#[tokio::test]
async fn a_bad_refresh_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join(refresh::CACHE_FILE);
    let e = refresh::fetch_and_cache(&serve("200 OK", "<html>maintenance</html>"), Some(&cache))
        .await
        .unwrap_err();
    assert!(e.contains("not JSON"), "{e}");
    let e = refresh::fetch_and_cache(&serve("503 Service Unavailable", "{}"), Some(&cache))
        .await
        .unwrap_err();
    assert!(e.contains("HTTP 503"), "{e}");
    assert!(!cache.exists());
}

#[test]
fn prices_settings_parse_and_fail_with_line() {
    let mut c = lanetop::domain::detect::DetectConfig::default();
    lanetop::config::settings::parse_into(
        "t.toml",
        "[prices]\nrefresh_url = \"https://example.org/p.json\"\nrefresh_hours = 6\nbundled = false\n",
        &mut c,
    )
    .unwrap();
    assert_eq!(
        c.prices.refresh_url.as_deref(),
        Some("https://example.org/p.json")
    );
    assert_eq!((c.prices.refresh_hours, c.prices.bundled), (6, false));
    let e = lanetop::config::settings::parse_into(
        "t.toml",
        "[prices]\n\nrefresh_url = \"ftp://x\"\n",
        &mut c,
    )
    .unwrap_err();
    assert_eq!(e.line, Some(3));
    let e =
        lanetop::config::settings::parse_into("t.toml", "[prices]\nurl = \"https://x\"\n", &mut c)
            .unwrap_err();
    assert!(e.to_string().contains("unknown key `prices.url`"), "{e}");
}
