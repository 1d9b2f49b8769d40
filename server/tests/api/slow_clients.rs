//! Slow and greedy clients: a connection that never finishes its headers, a
//! kept-alive connection nobody uses and a body that stops half-way are
//! closed; one user cannot hold more than eight live streams; a deactivated
//! user's streams end at once.

use std::time::Duration;

use server::{db::Backend, http::streams::PER_USER, http::timeouts};
use tokio::{
    io::{AsyncReadExt as _, AsyncWriteExt as _},
    net::TcpStream,
};

use crate::helpers::{TestApp, on_each_backend, spawn_app};

/// Everything the server sends until it closes the connection, or `None`
/// when it is still open after `wait`.
async fn until_closed(stream: &mut TcpStream, wait: Duration) -> Option<String> {
    let mut seen = Vec::new();
    let read = tokio::time::timeout(wait, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    read.ok()
        .map(|()| String::from_utf8_lossy(&seen).into_owned())
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Past every deadline, with room for a slow machine.
fn beyond(deadline: Duration) -> Duration {
    deadline * 3
}

#[tokio::test]
async fn half_sent_headers_idle_connections_and_stalled_bodies_are_closed() {
    let Some(app) = spawn_app(Backend::Sqlite, &[]).await else {
        return;
    };
    // Headers that never end.
    let mut slow = connect(&app).await;
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // A kept-alive connection, used once.
    let mut idle = connect(&app).await;
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    // A body that stops after 10 of its 100 bytes.
    let mut stalled = connect(&app).await;
    stalled
        .write_all(
            b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{\"email\":",
        )
        .await
        .unwrap();

    let (slow, idle, stalled) = tokio::join!(
        until_closed(&mut slow, beyond(timeouts::HEADERS)),
        until_closed(&mut idle, beyond(timeouts::HEADERS)),
        until_closed(&mut stalled, beyond(timeouts::BODY)),
    );
    let slow = slow.expect("half-sent headers keep the connection open");
    assert!(!slow.contains("200 OK"), "{slow}");
    let idle = idle.expect("an idle kept-alive connection stays open");
    assert!(idle.starts_with("HTTP/1.1 200 OK"), "{idle}");
    let stalled = stalled.expect("a stalled body keeps the connection open");
    assert!(stalled.starts_with("HTTP/1.1 408"), "{stalled}");
}

/// Opens `/api/v1/events` as `client`; the response streams until dropped.
async fn open_stream(app: &TestApp, client: &reqwest::Client) -> reqwest::Response {
    client.get(app.url("/api/v1/events")).send().await.unwrap()
}

#[tokio::test]
async fn a_user_holds_at_most_eight_streams_and_a_deactivated_users_end() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let rep = app.member_of(&admin, "rob@acme.test", "member").await;
        let mut open = Vec::new();
        for _ in 0..PER_USER {
            let r = open_stream(&app, &rep.client).await;
            assert_eq!(r.status(), 200);
            open.push(r);
        }
        let refused = open_stream(&app, &rep.client).await;
        assert_eq!(refused.status(), 429);
        assert!(refused.headers().contains_key("retry-after"));
        // Another user is not affected.
        assert_eq!(open_stream(&app, &admin.client).await.status(), 200);
        // Closing one frees its slot (the server notices the stream is gone
        // when it next writes to it, at the latest at the keep-alive tick).
        drop(open.pop());
        let reopened = tokio::time::timeout(Duration::from_secs(60), async {
            loop {
                let r = open_stream(&app, &rep.client).await;
                if r.status() == 200 {
                    return r;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
        .await
        .expect("a closed stream's slot comes back");
        open.push(reopened);

        // Deactivation ends every stream of the user.
        let r = admin
            .client
            .patch(app.url(&format!("/api/v1/users/{}", rep.id)))
            .json(&serde_json::json!({"active": false}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
        for stream in open {
            let ended = tokio::time::timeout(Duration::from_secs(10), stream.bytes()).await;
            assert!(ended.is_ok(), "a deactivated user's stream stays open");
        }
    })
    .await;
}
