//! Helpers for the store reader tests (copying captures, checksumming trees).
#![allow(dead_code)]
use std::path::Path;

/// Recursively copy `src` into `dst` (created), making every copy writable by the owner.
pub fn copy_tree(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), &to).unwrap();
            let mut perm = std::fs::metadata(&to).unwrap().permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perm.set_readonly(false);
            std::fs::set_permissions(&to, perm).unwrap();
        }
    }
}

/// Every file under `root`: relative path → (sha256 hex, length, mtime), sorted by path.
/// Directories are listed too (hash empty) so that a created or removed directory shows.
pub fn tree_fingerprint(root: &Path) -> Vec<(String, String, u64, std::time::SystemTime)> {
    use sha2::{Digest, Sha256};
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String, u64, std::time::SystemTime)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            let rel = p.strip_prefix(root).unwrap().display().to_string();
            if meta.is_dir() {
                out.push((rel + "/", String::new(), 0, meta.modified().unwrap()));
                walk(root, &p, out);
            } else {
                let bytes = std::fs::read(&p).unwrap();
                let hash = format!("{:x}", Sha256::digest(&bytes));
                out.push((rel, hash, meta.len(), meta.modified().unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}
