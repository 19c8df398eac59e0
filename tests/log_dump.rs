mod log_support;
use log_support::*;
#[test]
#[ignore]
fn dump() {
    for f in ["captured/logs/openclaw.log", "captured-legacy/logs/openclaw.log", "samples/legacy/tmp-openclaw/openclaw-2026-05-24.log", "samples/legacy/tmp-openclaw/openclaw-2026-05-24.2026.3.28-excerpt.log", "samples/gateway-openclaw-2026-09-06.log", "captured/logs/gateway.console.log", "captured-legacy/logs/gateway.console.log"] {
        let facts = parse_file(f);
        println!("== {f}\n{:?}\n{:?}\n{:?}", tally(&facts), fallback_counts(&facts), levels(&facts));
    }
}
