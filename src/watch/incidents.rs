//! One message per incident: the pure state machine between the detectors' alerts and the
//! push targets. No I/O, no clock: [`Incidents::step`] takes the alerts firing at time `t`
//! and returns the messages to send.
//!
//! An incident is identified by `(kind, subject)` ([`Alert::id`]).
//! - first seen firing → `firing`;
//! - still firing and `repeat` has passed since the last message → `repeat`; also at once
//!   when its severity rose above the last one sent (warn → crit);
//! - not firing → nothing yet; if it fires again within `grace` it is the same incident (no
//!   message: flapping does not spam); after `grace` of quiet → `resolved`, and forgotten.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};

use super::message::{Incident, State};
use crate::domain::detect::{Alert, AlertKind, Severity};

/// Timers of the state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Least time between two messages about one still-firing incident.
    pub repeat: TimeDelta,
    /// Quiet time before `resolved`.
    pub grace: TimeDelta,
}

impl Policy {
    /// From `[watch]` minutes.
    pub fn minutes(repeat: i64, grace: i64) -> Self {
        Policy {
            repeat: TimeDelta::minutes(repeat),
            grace: TimeDelta::minutes(grace),
        }
    }
}

#[derive(Debug, Clone)]
struct Open {
    alert: Alert,
    first_seen: DateTime<Utc>,
    last_seen: DateTime<Utc>,
    last_sent: DateTime<Utc>,
    sent_severity: Severity,
    quiet_since: Option<DateTime<Utc>>,
}

/// The open incidents.
#[derive(Debug, Clone)]
pub struct Incidents {
    pub policy: Policy,
    open: BTreeMap<(AlertKind, String), Open>,
    /// Incidents that fired / resolved since start (the digest counts them).
    pub fired: u64,
    pub resolved: u64,
}

impl Incidents {
    /// No open incident.
    pub fn new(policy: Policy) -> Self {
        Incidents {
            policy,
            open: BTreeMap::new(),
            fired: 0,
            resolved: 0,
        }
    }

    /// Number of open incidents (firing, or quiet within the grace).
    pub fn open(&self) -> usize {
        self.open.len()
    }

    /// Feed the alerts firing at `now`; returns the messages to send, in alert order, then
    /// the resolutions (by kind, subject).
    pub fn step(&mut self, alerts: &[Alert], now: DateTime<Utc>) -> Vec<Incident> {
        let mut out = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for a in alerts {
            let key = (a.kind, a.subject.clone());
            if !seen.insert(key.clone()) {
                continue;
            }
            match self.open.get_mut(&key) {
                None => {
                    self.fired += 1;
                    self.open.insert(
                        key,
                        Open {
                            alert: a.clone(),
                            first_seen: now,
                            last_seen: now,
                            last_sent: now,
                            sent_severity: a.severity,
                            quiet_since: None,
                        },
                    );
                    out.push(Incident {
                        state: State::Firing,
                        alert: a.clone(),
                        first_seen: now,
                        last_seen: now,
                    });
                }
                Some(o) => {
                    o.alert = a.clone();
                    o.last_seen = now;
                    o.quiet_since = None;
                    let due = now - o.last_sent >= self.policy.repeat;
                    if due || a.severity > o.sent_severity {
                        o.last_sent = now;
                        o.sent_severity = a.severity;
                        out.push(Incident {
                            state: State::Repeat,
                            alert: a.clone(),
                            first_seen: o.first_seen,
                            last_seen: now,
                        });
                    }
                }
            }
        }
        let grace = self.policy.grace;
        let mut gone = Vec::new();
        for (key, o) in self.open.iter_mut().filter(|(k, _)| !seen.contains(*k)) {
            let quiet = *o.quiet_since.get_or_insert(now);
            if now - quiet >= grace {
                gone.push(key.clone());
            }
        }
        for key in gone {
            if let Some(o) = self.open.remove(&key) {
                self.resolved += 1;
                out.push(Incident {
                    state: State::Resolved,
                    alert: o.alert,
                    first_seen: o.first_seen,
                    last_seen: o.last_seen,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::detect::AlertKind;

    fn alert(kind: AlertKind, subject: &str, sev: Severity, usd: f64) -> Alert {
        Alert {
            kind,
            severity: sev,
            subject: subject.into(),
            cause: "c".into(),
            evidence: Vec::new(),
            usd: Some(usd),
            remedy: None,
            since: None,
        }
    }

    fn t(min: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).unwrap() + TimeDelta::minutes(min)
    }

    fn states(v: &[Incident]) -> Vec<(State, &str)> {
        v.iter()
            .map(|i| (i.state, i.alert.subject.as_str()))
            .collect()
    }

    #[test]
    fn one_message_per_incident_then_repeat_then_resolved() {
        let mut m = Incidents::new(Policy::minutes(60, 10));
        let a = alert(AlertKind::RetryStorm, "job1", Severity::Crit, 3.0);
        assert_eq!(
            states(&m.step(std::slice::from_ref(&a), t(0))),
            [(State::Firing, "job1")]
        );
        for min in 1..60 {
            assert!(
                m.step(std::slice::from_ref(&a), t(min)).is_empty(),
                "minute {min}"
            );
        }
        let r = m.step(std::slice::from_ref(&a), t(60));
        assert_eq!(states(&r), [(State::Repeat, "job1")]);
        assert_eq!(r[0].first_seen, t(0));
        // Quiet: nothing until the grace is over, then one resolved.
        for min in 61..70 {
            assert!(m.step(&[], t(min)).is_empty(), "minute {min}");
        }
        let r = m.step(&[], t(71));
        assert_eq!(states(&r), [(State::Resolved, "job1")]);
        assert_eq!(r[0].last_seen, t(60));
        assert!(m.step(&[], t(200)).is_empty());
        assert_eq!((m.fired, m.resolved, m.open()), (1, 1, 0));
    }

    #[test]
    fn flapping_within_grace_is_one_incident() {
        let mut m = Incidents::new(Policy::minutes(60, 10));
        let a = alert(AlertKind::ZombieRun, "agent:main:main", Severity::Warn, 1.0);
        let mut sent = 0;
        for min in 0..50 {
            let firing = if min % 3 == 0 {
                vec![a.clone()]
            } else {
                vec![]
            };
            sent += m.step(&firing, t(min)).len();
        }
        assert_eq!(sent, 1);
        assert_eq!(m.open(), 1);
    }

    #[test]
    fn kinds_and_subjects_are_separate_and_escalation_is_sent() {
        let mut m = Incidents::new(Policy::minutes(60, 0));
        let a = alert(AlertKind::RetryStorm, "j", Severity::Warn, 1.0);
        let b = alert(AlertKind::ChainReplay, "j", Severity::Warn, 1.0);
        let c = alert(AlertKind::RetryStorm, "k", Severity::Warn, 1.0);
        let dup = alert(AlertKind::RetryStorm, "j", Severity::Warn, 9.0);
        assert_eq!(m.step(&[a.clone(), b.clone(), c, dup], t(0)).len(), 3);
        let mut worse = a.clone();
        worse.severity = Severity::Crit;
        let r = m.step(&[worse.clone(), b.clone()], t(1));
        // escalation of (storm, j) at once; (storm, k) resolved with grace 0.
        assert_eq!(states(&r), [(State::Repeat, "j"), (State::Resolved, "k")]);
        assert_eq!(r[0].alert.severity, Severity::Crit);
        assert!(m.step(&[worse, b], t(2)).is_empty());
    }

    #[test]
    fn nothing_for_no_alerts() {
        let mut m = Incidents::new(Policy::minutes(60, 10));
        for min in 0..100 {
            assert!(m.step(&[], t(min)).is_empty());
        }
        assert_eq!((m.fired, m.resolved), (0, 0));
    }
}
