//! `openclaw.json` parsing against the real configs (2026.9.6, 2026.5.20) and the sample.

mod common;

use std::path::Path;

use lanetop::fact::{ModelRef, Price};
use lanetop::ingest::config::{load_config, parse_config};
use lanetop::ingest::store::StoreError;

fn m(s: &str) -> ModelRef {
    ModelRef::parse(s).unwrap()
}

fn chain_str(c: &lanetop::fact::ModelChain) -> Vec<String> {
    c.primary
        .iter()
        .chain(&c.fallbacks)
        .map(ToString::to_string)
        .collect()
}

const LAB_PRICE: Price = Price {
    input: 3.0,
    output: 15.0,
    cache_read: 0.3,
    cache_write: 3.75,
};

#[test]
fn captured_9_6_config() {
    let c = load_config(&common::openclaw("captured/config/openclaw.json")).unwrap();
    assert_eq!(
        chain_str(&c.default_chain),
        [
            "fakeprime/fake-primary",
            "fakeprime/fake-secondary",
            "fakeback/fake-tertiary"
        ]
    );
    assert_eq!(c.agents, ["main", "ops", "research"]);
    let chains: Vec<(String, Vec<String>)> = c
        .agent_chains
        .iter()
        .map(|(a, ch)| (a.clone(), chain_str(ch)))
        .collect();
    assert_eq!(
        chains,
        [
            (
                "ops".to_owned(),
                vec![
                    "fakeback/fake-tertiary".to_owned(),
                    "fakeback/fake-backup".into(),
                    "fakeprime/fake-primary".into()
                ]
            ),
            (
                "research".to_owned(),
                vec![
                    "fakeprime/fake-secondary".to_owned(),
                    "fakeback/fake-backup".into()
                ]
            ),
        ]
    );
    assert_eq!(c.prices.len(), 4);
    for id in [
        "fakeprime/fake-primary",
        "fakeprime/fake-secondary",
        "fakeback/fake-tertiary",
        "fakeback/fake-backup",
    ] {
        assert!(c.prices.contains(&(m(id), LAB_PRICE)), "{id}");
    }
    // Transcript check: 9131 input + 15 output tokens cost 0.027618 USD at these prices.
    assert!((LAB_PRICE.cost_usd(9131, 15, 0, 0) - 0.027618).abs() < 1e-9);
    // main and ops have their own heartbeat block, so research gets none (as the state DB shows:
    // only heartbeat-main and heartbeat-ops jobs).
    assert_eq!(
        c.heartbeat_every_ms,
        [("main".to_owned(), 60_000), ("ops".to_owned(), 60_000)]
    );
    assert_eq!(c.gateway_port, Some(18790));
    assert_eq!(
        c.log_file.as_deref(),
        Some("/home/operator/lab/logs/openclaw.log")
    );
    assert_eq!(c.log_level.as_deref(), Some("debug"));
    assert_eq!(
        (c.main_max_concurrent, c.subagent_max_concurrent),
        (None, None)
    );
    let dump = format!("{c:?}");
    assert!(
        !dump.contains("lab-dummy-token") && !dump.contains("sk-lab"),
        "no secrets kept"
    );
}

#[test]
fn captured_legacy_5_20_config_uses_agents_list() {
    let c = load_config(&common::openclaw("captured-legacy/config/openclaw.json")).unwrap();
    assert_eq!(c.agents, ["main", "ops", "research"]);
    assert_eq!(c.agent_chains.len(), 2);
    assert_eq!(
        chain_str(&c.agent_chains[0].1),
        [
            "fakeback/fake-tertiary",
            "fakeback/fake-backup",
            "fakeprime/fake-primary"
        ]
    );
    assert_eq!(
        c.heartbeat_every_ms,
        [("main".to_owned(), 60_000), ("ops".to_owned(), 60_000)]
    );
    assert_eq!(c.gateway_port, Some(18836));
    assert_eq!(c.prices.len(), 4);
}

#[test]
fn json5_sample() {
    let c = load_config(&common::openclaw("samples/openclaw.json5")).unwrap();
    assert_eq!(
        chain_str(&c.default_chain),
        [
            "anthropic/claude-opus-4-6",
            "openai/gpt-5.4",
            "minimax/MiniMax-M2.7"
        ]
    );
    assert_eq!(
        (c.main_max_concurrent, c.subagent_max_concurrent),
        (Some(8), Some(8))
    );
    assert_eq!(
        c.prices,
        [(
            m("minimax/MiniMax-M2.7"),
            Price {
                input: 0.3,
                output: 1.2,
                cache_read: 0.03,
                cache_write: 0.375
            }
        )]
    );
    assert_eq!(c.heartbeat_every_ms, [("main".to_owned(), 1_800_000)]);
    assert_eq!(c.gateway_port, Some(18789));
    assert_eq!((c.log_level.as_deref(), c.log_file), (Some("info"), None));
}

#[test]
fn bad_config_names_path_line_and_column() {
    let err = parse_config(
        "{\n  gateway: {\n    port: 18789,,\n  }\n}",
        Path::new("/etc/openclaw.json"),
    )
    .unwrap_err();
    let StoreError::Format { path, message } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(path, "/etc/openclaw.json");
    assert_eq!(
        message,
        "invalid JSON5: expected identifier at line 3 column 17"
    );
    assert!(matches!(
        load_config(Path::new("/nonexistent/openclaw.json")),
        Err(StoreError::Io { .. })
    ));
}
