//! Discovery over temp dirs and over copies of the real captured state dirs, with an explicit
//! environment (the process environment is never touched).

mod common;

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

use lanetop::fact::Generation;
use lanetop::ingest::discover::{
    DiscoverError, DiscoverOptions, Env, LogTarget, discover_with, profile_stem,
};

/// Copy a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dst);
        } else {
            fs::copy(e.path(), &dst).unwrap();
        }
    }
}

/// An environment rooted in `root`: home `root/home`, tmp `root/tmp`, default log dir
/// `root/tmp/openclaw`, uid 1000.
fn env(root: &Path, vars: &[(&str, &Path)]) -> Env {
    Env {
        vars: vars
            .iter()
            .map(|(k, v)| (k.to_string(), OsString::from(v.as_os_str())))
            .collect(),
        home: Some(root.join("home")),
        tmp_dir: root.join("tmp"),
        default_log_dir: root.join("tmp/openclaw"),
        uid: 1000,
    }
}

fn agent_ids(d: &lanetop::ingest::discover::Discovery) -> Vec<String> {
    d.agents.iter().map(|(id, _)| id.clone()).collect()
}

/// What discovery should pick when no `--log` is given: `logging.file` when the config parser
/// yields it, else the default family (waiting) under `root/tmp/openclaw`.
fn expected_log(config: &Path, root: &Path) -> LogTarget {
    match lanetop::ingest::config::load_config(config)
        .ok()
        .and_then(|c| c.log_file)
    {
        Some(f) => LogTarget::File(PathBuf::from(f)),
        None => LogTarget::Family {
            dir: root.join("tmp/openclaw"),
            stem: "openclaw".into(),
        },
    }
}

#[test]
fn logging_file_from_config() {
    let root = tempfile::tempdir().unwrap();
    let state = root.path().join("home/.openclaw");
    fs::create_dir_all(&state).unwrap();
    let custom = root.path().join("custom/gw.log");
    let cfg = state.join("openclaw.json");
    fs::write(
        &cfg,
        format!(
            "{{ \"logging\": {{ \"file\": \"{}\" }} }}\n",
            custom.display()
        ),
    )
    .unwrap();
    let d = discover_with(&DiscoverOptions::default(), &env(root.path(), &[])).unwrap();
    assert_eq!(d.config_path, Some(cfg.clone()));
    let want = expected_log(&cfg, root.path());
    assert_eq!(d.logs, vec![want.clone()]);
    if lanetop::ingest::config::load_config(&cfg).is_ok() {
        assert_eq!(want, LogTarget::File(custom));
    }
}

#[test]
fn captured_sqlite_state_dir_via_option() {
    let root = tempfile::tempdir().unwrap();
    let state = root.path().join("state");
    copy_dir(&common::openclaw("captured/state"), &state);
    let opts = DiscoverOptions {
        state_dir: Some(state.clone()),
        ..Default::default()
    };
    let d = discover_with(&opts, &env(root.path(), &[])).unwrap();
    assert_eq!(d.state_dir.as_deref(), Some(state.as_path()));
    assert_eq!(d.config_path, Some(state.join("openclaw.json")));
    assert_eq!(d.generation, Some(Generation::Sqlite));
    assert_eq!(agent_ids(&d), ["main", "ops", "research"]);
    // The captured config sets `logging.file` (a lab path that does not exist here): once the
    // config parser reads it, that file is the target; without it, the default family.
    assert_eq!(
        d.logs,
        vec![expected_log(&state.join("openclaw.json"), root.path())]
    );
}

#[test]
fn captured_legacy_state_dir_via_env() {
    let root = tempfile::tempdir().unwrap();
    let state = root.path().join("legacy-state");
    copy_dir(&common::openclaw("captured-legacy/state"), &state);
    let d = discover_with(
        &DiscoverOptions::default(),
        &env(root.path(), &[("OPENCLAW_STATE_DIR", &state)]),
    )
    .unwrap();
    assert_eq!(d.state_dir.as_deref(), Some(state.as_path()));
    assert_eq!(d.generation, Some(Generation::Legacy));
    let mut want: Vec<String> = fs::read_dir(state.join("agents"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    want.sort();
    assert_eq!(agent_ids(&d), want);
    assert!(want.contains(&"ops".to_string()));
}

#[test]
fn openclaw_home_is_a_home_dir_or_a_state_dir() {
    let root = tempfile::tempdir().unwrap();
    // Lab layout: OPENCLAW_HOME=$RUN_DIR/home, state in $RUN_DIR/home/.openclaw.
    let home = root.path().join("run/home");
    fs::create_dir_all(home.join(".openclaw/agents/main")).unwrap();
    let d = discover_with(
        &DiscoverOptions::default(),
        &env(root.path(), &[("OPENCLAW_HOME", &home)]),
    )
    .unwrap();
    assert_eq!(d.state_dir, Some(home.join(".openclaw")));
    assert_eq!(agent_ids(&d), ["main"]);
    assert_eq!(d.generation, None);
    // OPENCLAW_HOME pointing at a state dir itself.
    let st = root.path().join("st");
    fs::create_dir_all(st.join("agents/ops")).unwrap();
    let d = discover_with(
        &DiscoverOptions::default(),
        &env(root.path(), &[("OPENCLAW_HOME", &st)]),
    )
    .unwrap();
    assert_eq!(d.state_dir, Some(st));
    // --state-dir wins over the environment.
    let opts = DiscoverOptions {
        state_dir: Some(home.join(".openclaw")),
        ..Default::default()
    };
    let d = discover_with(
        &opts,
        &env(root.path(), &[("OPENCLAW_HOME", &root.path().join("st"))]),
    )
    .unwrap();
    assert_eq!(d.state_dir, Some(home.join(".openclaw")));
}

#[test]
fn profile_picks_state_dir_and_log_stem() {
    let root = tempfile::tempdir().unwrap();
    fs::create_dir_all(root.path().join("home/.openclaw-work")).unwrap();
    fs::create_dir_all(root.path().join("home/.openclaw")).unwrap();
    let logs = root.path().join("tmp/openclaw");
    fs::create_dir_all(&logs).unwrap();
    fs::write(logs.join("openclaw-work-2026-11-22.log"), b"x\n").unwrap();
    let e = env(root.path(), &[("OPENCLAW_PROFILE", Path::new("work"))]);
    let d = discover_with(&DiscoverOptions::default(), &e).unwrap();
    assert_eq!(d.profile.as_deref(), Some("work"));
    assert_eq!(d.state_dir, Some(root.path().join("home/.openclaw-work")));
    assert_eq!(
        d.logs,
        vec![LogTarget::Family {
            dir: logs.clone(),
            stem: "openclaw-work".into()
        }]
    );
    // --profile beats the environment; no profile → ~/.openclaw.
    let opts = DiscoverOptions {
        profile: Some("default".into()),
        ..Default::default()
    };
    let d = discover_with(&opts, &e).unwrap();
    assert_eq!(d.profile, None);
    assert_eq!(d.state_dir, Some(root.path().join("home/.openclaw")));
}

#[test]
fn profile_segment_escaping() {
    assert_eq!(profile_stem(None), "openclaw");
    assert_eq!(profile_stem(Some("dev")), "openclaw-dev");
    assert_eq!(profile_stem(Some("a-b_c")), "openclaw-a--b-0c");
    assert_eq!(profile_stem(Some("Work")), "openclaw--1work");
    assert_eq!(profile_stem(Some("a.b")), "openclaw-a-22e-b");
}

#[test]
fn default_family_and_uid_fallback_dir() {
    let root = tempfile::tempdir().unwrap();
    let fallback = root.path().join("tmp/openclaw-1000");
    fs::create_dir_all(&fallback).unwrap();
    fs::write(fallback.join("openclaw-2026-11-22.log"), b"x\n").unwrap();
    // No state dir at all, but logs in the fallback dir: that is enough.
    let d = discover_with(&DiscoverOptions::default(), &env(root.path(), &[])).unwrap();
    assert_eq!(d.state_dir, None);
    assert_eq!(
        d.logs,
        vec![LogTarget::Family {
            dir: fallback.clone(),
            stem: "openclaw".into()
        }]
    );
    let main = root.path().join("tmp/openclaw");
    fs::create_dir_all(&main).unwrap();
    fs::write(main.join("openclaw-2026-11-21.1.log"), b"x\n").unwrap();
    let d = discover_with(&DiscoverOptions::default(), &env(root.path(), &[])).unwrap();
    assert_eq!(
        d.logs,
        vec![
            LogTarget::Family {
                dir: main,
                stem: "openclaw".into()
            },
            LogTarget::Family {
                dir: fallback,
                stem: "openclaw".into()
            },
        ]
    );
}

#[test]
fn explicit_log_paths() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("logs");
    fs::create_dir_all(&dir).unwrap();
    fs::copy(
        common::openclaw("captured/logs/openclaw.log"),
        dir.join("openclaw.log"),
    )
    .unwrap();
    let opts = DiscoverOptions {
        logs: vec![dir.clone()],
        ..Default::default()
    };
    let d = discover_with(&opts, &env(root.path(), &[])).unwrap();
    assert_eq!(d.logs, vec![LogTarget::File(dir.join("openclaw.log"))]);
    // A dated name is a rolling family; a dir of dated files gives its families.
    let dated = dir.join("openclaw-dev-2026-11-22.log");
    let opts = DiscoverOptions {
        logs: vec![dated],
        ..Default::default()
    };
    let d = discover_with(&opts, &env(root.path(), &[])).unwrap();
    assert_eq!(
        d.logs,
        vec![LogTarget::Family {
            dir: dir.clone(),
            stem: "openclaw-dev".into()
        }]
    );
    fs::write(dir.join("openclaw-2026-11-22.3.log"), b"x\n").unwrap();
    let opts = DiscoverOptions {
        logs: vec![dir.clone()],
        ..Default::default()
    };
    let d = discover_with(&opts, &env(root.path(), &[])).unwrap();
    assert_eq!(
        d.logs,
        vec![LogTarget::Family {
            dir: dir.clone(),
            stem: "openclaw".into()
        }]
    );
    // A bare file name is watched in the current dir.
    assert_eq!(
        LogTarget::File("openclaw.log".into()).dir(),
        PathBuf::from(".")
    );
    assert_eq!(LogTarget::File(dir.join("openclaw.log")).dir(), dir);
    // A file whose directory does not exist is an error.
    let opts = DiscoverOptions {
        logs: vec![root.path().join("nope/x.log")],
        ..Default::default()
    };
    assert!(matches!(
        discover_with(&opts, &env(root.path(), &[])),
        Err(DiscoverError::LogPathMissing(_))
    ));
}

#[test]
fn nothing_found_says_where_it_looked_and_what_to_do() {
    let root = tempfile::tempdir().unwrap();
    let err = discover_with(&DiscoverOptions::default(), &env(root.path(), &[])).unwrap_err();
    let msg = err.to_string();
    let looked: Vec<PathBuf> = vec![
        root.path().join("home/.openclaw"),
        root.path().join("tmp/openclaw/openclaw-YYYY-MM-DD[.N].log"),
        root.path()
            .join("tmp/openclaw-1000/openclaw-YYYY-MM-DD[.N].log"),
    ];
    for p in looked {
        assert!(
            msg.contains(&p.display().to_string()),
            "{msg} lacks {}",
            p.display()
        );
    }
    for hint in ["--state-dir", "--log", "OPENCLAW_STATE_DIR", "--demo"] {
        assert!(msg.contains(hint), "{msg} lacks {hint}");
    }
    // With OPENCLAW_HOME, both readings of it are listed.
    let h = root.path().join("oc-home");
    let msg = discover_with(
        &DiscoverOptions::default(),
        &env(root.path(), &[("OPENCLAW_HOME", &h)]),
    )
    .unwrap_err()
    .to_string();
    assert!(
        msg.contains(&format!("{}\n", h.join(".openclaw").display())),
        "{msg}"
    );
    assert!(msg.contains(&format!("{}\n", h.display())), "{msg}");
    // A state dir given but missing is reported too.
    let missing = root.path().join("missing-state");
    let opts = DiscoverOptions {
        state_dir: Some(missing.clone()),
        ..Default::default()
    };
    let msg = discover_with(&opts, &env(root.path(), &[]))
        .unwrap_err()
        .to_string();
    assert!(msg.contains(&missing.display().to_string()), "{msg}");
}
