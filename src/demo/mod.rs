//! `--demo` simulator.
//!
//! SEAM: this is a compile stub owned by the TUI branch. The demo helper's branch replaces this
//! file with the real simulator, keeping exactly this API: [`start`] writes a state dir
//! (`<dir>/state`) and a log dir (`<dir>/logs`) in real OpenClaw formats and keeps appending to
//! them until the returned [`DemoHandle`] is dropped.

use std::path::Path;

/// Running simulator; dropping it stops it.
pub struct DemoHandle {
    _private: (),
}

/// Start the simulator writing into `dir` (creates `dir/state` and `dir/logs`).
pub fn start(dir: &Path) -> std::io::Result<DemoHandle> {
    let _ = dir;
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "the demo simulator is not built into this binary",
    ))
}
