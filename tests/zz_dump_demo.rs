#[test]
#[ignore]
fn dump() {
    let dir = std::path::Path::new("/tmp/det/demo");
    let _ = std::fs::remove_dir_all(dir);
    let h = lanetop::demo::start(dir, lanetop::demo::DemoOptions { speed: 1.0, seed: 0x0C1A_5EED }).unwrap();
    h.stop();
}
