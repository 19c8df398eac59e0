use std::sync::Arc;
use std::time::Duration;
use lanetop::gateway::{Client, ClientOptions, auth, identity::DeviceIdentity};
#[tokio::test]
#[ignore]
async fn probe() {
    let target = auth::resolve(Some(std::path::Path::new("/tmp/oclab/run-act/home/.openclaw/openclaw.json")), None, None);
    let id = DeviceIdentity::load_or_create(std::path::Path::new("/tmp/act-probe")).unwrap();
    let opts = ClientOptions { target, identity: Arc::new(id), read_only: false, connect_timeout: Duration::from_secs(10) };
    let (c, _ev) = Client::connect(&opts).await.unwrap();
    println!("hello {:?}", c.hello.scopes);
    println!("methods has abort {} patch {}", c.has_method("sessions.abort"), c.has_method("sessions.patch"));
    let v = c.call("health", serde_json::json!({}), Duration::from_secs(5)).await;
    println!("health ok {:?}", v.map(|v| v.get("ok").cloned()));
    let v = c.call("sessions.abort", serde_json::json!({"key":"agent:main:main","clearQueued":true}), Duration::from_secs(5)).await;
    println!("abort {:?}", v);
}
