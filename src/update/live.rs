//! Live RPC reads (lanetop's own gateway client, [`crate::gateway::live`]) merged into the
//! model: link state for the status bar, `sessions.list` active runs, `cron.list` enabled flags.
//! The gateway is authoritative for what it reports; files keep everything else.

use crate::domain::Model;
use crate::fact::{Fact, GatewayLink, LiveCronJob, LiveSessionRow};

pub(super) fn on_link(model: &mut Model, link: &GatewayLink) {
    let g = &mut model.gateway;
    match link {
        GatewayLink::Up {
            url,
            version,
            protocol,
            scopes,
        } => {
            g.reachable = Some(true);
            g.rpc_trouble = None;
            g.rpc_url = Some(url.clone());
            g.rpc_detail = Some(format!(
                "{} protocol {protocol}",
                version.as_deref().unwrap_or("?")
            ));
            g.rpc_scopes = scopes.clone();
            // The running server's version outranks the store's (`on_store_version`).
            if version.is_some() {
                g.version = version.clone();
            }
        }
        GatewayLink::Down { url, error } => {
            g.reachable = Some(false);
            g.rpc_trouble = None;
            g.rpc_url = Some(url.clone());
            g.rpc_detail = Some(error.clone());
            g.rpc_scopes.clear();
            g.live_health = None;
            // Live run flags are stale once the link is gone: files take over again.
            for s in model.sessions.by_key.values_mut() {
                s.live_active = None;
            }
        }
        GatewayLink::Trouble { url, cause } => {
            g.rpc_url = Some(url.clone());
            g.rpc_trouble = cause.clone();
        }
    }
}

pub(super) fn on_sessions(model: &mut Model, fact: &Fact, rows: &[LiveSessionRow]) {
    model.gateway.live_at = Some(fact.at);
    for r in rows {
        let Some(s) = model.sessions.by_key.get_mut(&r.key) else {
            continue;
        };
        s.live_active = Some(r.has_active_run);
        if r.has_active_run {
            for id in &r.active_run_ids {
                if !s.active_runs.contains(id) {
                    s.active_runs.push(id.clone());
                }
            }
            if !s.active_runs.is_empty() && !model.sessions.running.contains(&r.key) {
                model.sessions.running.insert(r.key.clone());
            }
        } else {
            s.active_runs.clear();
        }
    }
}

pub(super) fn on_cron(model: &mut Model, fact: &Fact, jobs: &[LiveCronJob]) {
    model.gateway.live_at = Some(fact.at);
    for j in jobs {
        if let Some(job) = model.cron.jobs.get_mut(&j.id) {
            job.row.enabled = j.enabled;
        }
    }
}
