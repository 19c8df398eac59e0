//! A fixture [`Model`] with realistic values copied from the real 2026.9.6 capture
//! (`../shared/openclaw/captured`: host `vm`, agents main/ops/research, models
//! fakeprime/fake-primary → fakeprime/fake-secondary → fakeback/fake-tertiary, lanes `main` and
//! `session:agent:main:main`, cron jobs heartbeat-main, lab-main-cron, …).
//!
//! Kept apart from the snapshot assertions so it can later be replaced by the real pipeline
//! (ingest → update) over the captured artifacts.
#![allow(dead_code)]

mod activity;
mod money;
mod people;

use activity::{cascades, lanes, logs, sources};
use money::{cron, spend};
use people::{gateway, sessions};

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use lanetop::domain::Model;
use lanetop::fact::{ModelRef, Origin, SourceKind};

/// The fixed clock of every snapshot: shortly after the last captured log line.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 1, 58, 30)
        .single()
        .expect("valid fixed time")
}

pub(crate) fn t(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, h, m, s)
        .single()
        .expect("valid time")
}

pub(crate) fn mr(s: &str) -> ModelRef {
    ModelRef::parse(s).expect("provider/model")
}

pub(crate) fn log_origin(line: u64) -> Origin {
    Origin::line(
        SourceKind::Log,
        Arc::from("/tmp/openclaw/openclaw-2026-11-22.log"),
        line,
    )
}

pub(crate) const MAIN_CRON: &str = "f3eb99f7-0dd4-4302-8637-5f7f34e81ab4";
pub(crate) const OPS_CRON: &str = "007ab091-ffcc-493b-979a-d1207036802e";
pub(crate) const RESEARCH_CRON: &str = "3bf435b6-ac50-421e-9002-cf16e51b5641";
pub(crate) const HB_MAIN: &str = "99683efa-48c2-40fb-ba09-1d0804c81310";
pub(crate) const HB_OPS: &str = "cbb0b8f0-e61b-4f61-97d6-3ce29e9d36f5";

/// Build the fixture model.
pub fn fixture_model() -> Model {
    let mut m = Model {
        now: Some(now()),
        ..Model::default()
    };
    gateway(&mut m);
    sessions(&mut m);
    lanes(&mut m);
    cascades(&mut m);
    spend(&mut m);
    cron(&mut m);
    logs(&mut m);
    sources(&mut m);
    m
}
