//! Both clients against a scripted server (a unix socket in a temp dir and a thread): hostile and
//! odd behaviour that a real QEMU does not show on demand.

use qmp_client::fake::{FakeServer, Peer, event_line};
use qmp_client::{Client, Config, Error, ProtocolError};
use serde_json::{Value, json};
use std::future::Future;
use std::thread;
use std::time::{Duration, Instant};

type E = qmp_events::Event;

/// Runs an async test body with a bound, so that a hang fails the test.
async fn bounded<T>(body: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(30), body)
        .await
        .expect("the test took longer than 30 s")
}

/// Waits for the server's script without blocking the runtime (whose tasks must run to close
/// the client's side).
async fn join(server: FakeServer) {
    tokio::task::spawn_blocking(move || server.join())
        .await
        .expect("joining the fake server")
        .expect("the fake server's script");
}

fn short() -> Config {
    Config::new()
        .handshake_timeout(Duration::from_millis(300))
        .command_timeout(Duration::from_secs(5))
}

// ---- connecting ----

#[test]
fn no_greeting_times_out() {
    let server = FakeServer::start(|peer| peer.wait_closed()).unwrap();
    let started = Instant::now();
    let err = Client::<E>::connect_unix_with(server.path(), &short()).unwrap_err();
    assert!(
        matches!(err, Error::Timeout { ref what, .. } if what == "the QMP greeting"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    server.join().unwrap();
}

#[test]
fn close_before_greeting_is_disconnected() {
    let server = FakeServer::start(|_| Ok(())).unwrap();
    let err = Client::<E>::connect_unix_with(server.path(), &short()).unwrap_err();
    assert!(matches!(err, Error::Disconnected), "{err:?}");
    assert!(err.is_fatal());
}

#[test]
fn garbage_instead_of_greeting() {
    for first in [
        "SSH-2.0-OpenSSH_9.2",
        r#"{"return": {}}"#,
        r#"{"QMP": {"version": 1}}"#,
    ] {
        let server = FakeServer::start(move |peer| peer.send(first)).unwrap();
        let err = Client::<E>::connect_unix_with(server.path(), &short()).unwrap_err();
        assert!(
            matches!(err, Error::Protocol(ProtocolError::BadGreeting { .. })),
            "{first}: {err:?}"
        );
    }
}

#[test]
fn greeting_split_across_writes_and_capability_refused() {
    let server = FakeServer::start(|peer| {
        let (a, b) = Peer::GREETING.split_at(20);
        peer.send_raw(a.as_bytes())?;
        thread::sleep(Duration::from_millis(50));
        peer.send(b)?;
        let request = peer.expect()?;
        assert_eq!(request["arguments"], json!({"enable": ["oob"]}));
        peer.reply_error(
            &request,
            "GenericError",
            "Capability negotiation is already complete",
        )
    })
    .unwrap();
    let err = Client::<E>::connect_unix_with(server.path(), &short()).unwrap_err();
    assert_eq!(
        err.as_qmp().map(|e| e.command.as_str()),
        Some("qmp_capabilities")
    );
    server.join().unwrap();
}

/// Sends `text` one byte every 50 ms, until the client goes away.
fn drip(peer: &mut Peer, text: &str) -> std::io::Result<()> {
    for byte in text.bytes() {
        if peer.send_raw(&[byte]).is_err() {
            break;
        }
        thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

/// A handshake deadline of 200 ms, far below the command timeout: only it can end a drip.
fn handshake_200ms() -> Config {
    Config::new()
        .handshake_timeout(Duration::from_millis(200))
        .command_timeout(Duration::from_secs(60))
}

fn dripped_greeting() -> FakeServer {
    FakeServer::start(|peer| drip(peer, &format!("{}\r\n", Peer::GREETING))).unwrap()
}

fn dripped_negotiation() -> FakeServer {
    FakeServer::start(|peer| {
        peer.greet()?;
        let request = peer.expect()?;
        drip(
            peer,
            &format!("{}\r\n", json!({"return": {}, "id": request["id"]})),
        )
    })
    .unwrap()
}

fn assert_handshake_timeout(err: &Error, step: &str) {
    assert!(
        matches!(err, Error::Timeout { what, after }
            if what == step && *after == Duration::from_millis(200)),
        "{err:?}"
    );
}

#[test]
fn a_dripped_greeting_hits_the_handshake_deadline() {
    // Each byte comes well within 200 ms: only a deadline on the whole handshake ends this.
    let server = dripped_greeting();
    let err = Client::<E>::connect_unix_with(server.path(), &handshake_200ms()).unwrap_err();
    assert_handshake_timeout(&err, "the QMP greeting");
}

#[test]
fn a_dripped_negotiation_hits_the_same_deadline() {
    let server = dripped_negotiation();
    let err = Client::<E>::connect_unix_with(server.path(), &handshake_200ms()).unwrap_err();
    assert_handshake_timeout(&err, "reply to `qmp_capabilities`");
}

#[tokio::test]
async fn tokio_dripped_handshakes_hit_the_deadline() {
    bounded(async {
        let server = dripped_greeting();
        let err =
            qmp_client::tokio::Client::<E>::connect_unix_with(server.path(), &handshake_200ms())
                .await
                .unwrap_err();
        assert_handshake_timeout(&err, "the QMP greeting");
        let server = dripped_negotiation();
        let err =
            qmp_client::tokio::Client::<E>::connect_unix_with(server.path(), &handshake_200ms())
                .await
                .unwrap_err();
        assert_handshake_timeout(&err, "reply to `qmp_capabilities`");
    })
    .await;
}

#[test]
fn oob_off_when_not_asked_for() {
    let server = FakeServer::start(|peer| {
        let request = peer.handshake()?;
        assert!(request.get("arguments").is_none(), "{request}");
        peer.wait_closed()
    })
    .unwrap();
    let mut client = Client::<E>::connect_unix_with(server.path(), &short().oob(false)).unwrap();
    assert!(!client.oob_enabled());
    assert!(matches!(
        client.execute_oob("migrate-pause", None),
        Err(Error::OobUnavailable)
    ));
    drop(client);
    server.join().unwrap();
}

// ---- the blocking client ----

#[test]
fn events_during_a_command_are_queued_in_order() {
    let server = FakeServer::start(|peer| {
        peer.handshake()?;
        let request = peer.expect()?;
        for i in 0..3 {
            peer.event("BALLOON_CHANGE", Some(json!({"actual": i})))?;
        }
        peer.reply(&request, json!({"ok": true}))?;
        peer.wait_closed()
    })
    .unwrap();
    let mut client = Client::<E>::connect_unix(server.path()).unwrap();
    assert_eq!(client.execute("x", None).unwrap(), json!({"ok": true}));
    assert_eq!(client.queued_events(), 3);
    for i in 0..3 {
        let msg = client.next_event(Duration::ZERO).unwrap().unwrap();
        assert!(
            matches!(&msg.event, qmp_events::Event::BalloonChange(b) if b.actual == i),
            "{msg:?}"
        );
    }
    assert!(
        client
            .next_event(Duration::from_millis(20))
            .unwrap()
            .is_none()
    );
    drop(client);
    server.join().unwrap();
}

#[test]
fn event_lines_are_kept_verbatim_when_asked() {
    // Odd spacing and member order, as only the raw line shows them.
    const ODD: &str = r#"{"event":"STOP",  "timestamp": {"microseconds": 2, "seconds": 1}}"#;
    let script = |peer: &mut Peer| {
        peer.handshake()?;
        let request = peer.expect()?;
        peer.send(ODD)?; // `\r\n`-terminated, queued during the command
        peer.reply(&request, json!({}))?;
        peer.send_raw(format!("{ODD}\n").as_bytes())?; // read by `next_event_line` itself
        peer.send("not JSON")?;
        peer.wait_closed()
    };
    let server = FakeServer::start(script).unwrap();
    let config = short().keep_event_lines(true);
    let mut client = Client::<E>::connect_unix_with(server.path(), &config).unwrap();
    client.execute("x", None).unwrap();
    for _ in 0..2 {
        let event = client.next_event_line(Duration::from_secs(5)).unwrap();
        let event = event.expect("an event");
        assert_eq!(event.line, ODD);
        assert_eq!(event.message.name(), Some("STOP"));
    }
    assert!(matches!(
        client.next_event_line(Duration::from_secs(5)),
        Err(Error::Protocol(ProtocolError::Malformed { .. }))
    ));
    drop(client);
    server.join().unwrap();

    // Without the setting: the same JSON value, serialized again. Everything the server sends
    // is read before the client goes, so that the server's writes cannot meet a closed socket.
    let server = FakeServer::start(script).unwrap();
    let mut client = Client::<E>::connect_unix_with(server.path(), &short()).unwrap();
    client.execute("x", None).unwrap();
    let odd: Value = serde_json::from_str(ODD).unwrap();
    for _ in 0..2 {
        let event = client.next_event_line(Duration::from_secs(5)).unwrap();
        let event = event.expect("an event");
        assert_eq!(serde_json::from_str::<Value>(&event.line).unwrap(), odd);
        assert_eq!(event.message.to_value(), odd);
    }
    assert!(matches!(
        client.next_event_line(Duration::from_secs(5)),
        Err(Error::Protocol(ProtocolError::Malformed { .. }))
    ));
    drop(client);
    server.join().unwrap();
}

#[test]
fn zero_timeout_reads_what_has_arrived_without_waiting() {
    let server = FakeServer::start(|peer| {
        peer.handshake()?;
        peer.event("STOP", None)?;
        // Half a line: not an event yet.
        peer.send_raw(br#"{"event": "RES"#)?;
        peer.wait_closed()
    })
    .unwrap();
    let mut client = Client::<E>::connect_unix(server.path()).unwrap();
    thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    assert_eq!(
        client.next_event(Duration::ZERO).unwrap().unwrap().name(),
        Some("STOP")
    );
    assert!(client.next_event(Duration::ZERO).unwrap().is_none());
    assert!(started.elapsed() < Duration::from_millis(50));
    drop(client);
    server.join().unwrap();
}

#[test]
fn queue_overflow_reports_lagged() {
    let server = FakeServer::start(|peer| {
        peer.handshake()?;
        let request = peer.expect()?;
        for i in 0..10 {
            peer.event("BALLOON_CHANGE", Some(json!({"actual": i})))?;
        }
        peer.reply(&request, json!({}))?;
        peer.wait_closed()
    })
    .unwrap();
    let mut client =
        Client::<E>::connect_unix_with(server.path(), &short().event_capacity(4)).unwrap();
    client.execute("x", None).unwrap();
    assert!(matches!(
        client.next_event(Duration::ZERO),
        Err(Error::Lagged(6))
    ));
    let msg = client.next_event(Duration::ZERO).unwrap().unwrap();
    assert!(matches!(&msg.event, qmp_events::Event::BalloonChange(b) if b.actual == 6));
}

#[test]
fn garbage_lines_are_reported_and_skipped() {
    let server = FakeServer::start(|peer| {
        peer.handshake()?;
        let request = peer.expect()?;
        peer.send("this is not JSON")?;
        peer.send("[1, 2, 3]")?;
        peer.send(r#"{"neither": "event nor reply"}"#)?;
        peer.send_raw(b"{\"event\": \"X\xff\"}\r\n")?;
        peer.event("SOMETHING_NEW", Some(json!({"x": 1})))?;
        peer.send(r#"{"event": "BALLOON_CHANGE", "data": {"actual": "many"}, "extra": 1}"#)?;
        peer.reply(&request, json!(42))?;
        peer.wait_closed()
    })
    .unwrap();
    let mut client = Client::<E>::connect_unix(server.path()).unwrap();
    assert_eq!(client.execute("x", None).unwrap(), json!(42));
    let mut next = || client.next_event(Duration::ZERO);
    let err = next().unwrap_err();
    assert!(
        matches!(err, Error::Protocol(ProtocolError::Malformed { ref line, .. }) if line == "this is not JSON"),
        "{err:?}"
    );
    assert!(!err.is_fatal());
    assert!(matches!(
        next(),
        Err(Error::Protocol(ProtocolError::Malformed { .. }))
    ));
    assert!(matches!(
        next(),
        Err(Error::Protocol(ProtocolError::Unexpected { .. }))
    ));
    assert!(matches!(
        next(),
        Err(Error::Protocol(ProtocolError::Malformed { .. }))
    ));
    // An unknown event, and a known one whose data does not match: kept, not errors.
    let msg = next().unwrap().unwrap();
    assert!(matches!(&msg.event, qmp_events::Event::Unknown(u) if u.name == "SOMETHING_NEW"));
    let msg = next().unwrap().unwrap();
    assert!(
        matches!(&msg.event, qmp_events::Event::Mismatched(_)),
        "{msg:?}"
    );
    assert_eq!(msg.extra["extra"], 1);
    assert!(next().unwrap().is_none());
}

#[test]
fn reply_with_unknown_id_is_reported() {
    let server = FakeServer::start(|peer| {
        peer.handshake()?;
        let request = peer.expect()?;
        peer.reply(&json!({"id": 999}), json!("stray"))?;
        peer.send(r#"{"return": "no id"}"#)?;
        peer.reply(&request, json!("mine"))?;
        peer.wait_closed()
    })
    .unwrap();
    let mut client = Client::<E>::connect_unix(server.path()).unwrap();
    assert_eq!(client.execute("x", None).unwrap(), json!("mine"));
    let err = client.next_event(Duration::ZERO).unwrap_err();
    assert!(
        matches!(&err, Error::Protocol(ProtocolError::UnknownId { id: Some(id), .. }) if *id == 999),
        "{err:?}"
    );
    let err = client.next_event(Duration::ZERO).unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Protocol(ProtocolError::UnknownId { id: None, .. })
        ),
        "{err:?}"
    );
}

#[test]
fn huge_lines_are_dropped_with_bounded_memory() {
    const LIMIT: usize = 64 * 1024;
    let server = FakeServer::start(|peer| {
        peer.handshake()?;
        let big = "x".repeat(4 << 20);
        // A 4 MiB event, in pieces.
        peer.send_raw(br#"{"event": "HUGE", "data": {"blob": ""#)?;
        for piece in big.as_bytes().chunks(1 << 20) {
            peer.send_raw(piece)?;
        }
        peer.send(r#""}}"#)?;
        peer.event("STOP", None)?;
        // A 4 MiB reply: its command fails with the report, the next one works.
        let request = peer.expect()?;
        peer.reply(&request, Value::String(big.clone()))?;
        let request = peer.expect()?;
        peer.reply_error(&request, "GenericError", &big)?;
        let request = peer.expect()?;
        peer.reply(&request, json!("small"))?;
        peer.wait_closed()
    })
    .unwrap();
    let config = short().max_line_len(LIMIT);
    let mut client = Client::<E>::connect_unix_with(server.path(), &config).unwrap();
    let err = client.next_event(Duration::from_secs(5)).unwrap_err();
    let Error::Protocol(ProtocolError::LineTooLong { len, limit, head }) = &err else {
        panic!("{err:?}")
    };
    assert_eq!((*len, *limit), ((4 << 20) + 39, LIMIT));
    assert!(head.starts_with(r#"{"event": "HUGE""#), "{head}");
    assert_eq!(
        client
            .next_event(Duration::from_secs(5))
            .unwrap()
            .unwrap()
            .name(),
        Some("STOP")
    );
    for _ in 0..2 {
        let err = client.execute("big", None).unwrap_err();
        assert!(
            matches!(err, Error::Protocol(ProtocolError::LineTooLong { .. })),
            "{err:?}"
        );
    }
    assert_eq!(client.execute("small", None).unwrap(), json!("small"));
    assert!(client.next_event(Duration::ZERO).unwrap().is_none());
}

#[test]
fn command_timeout_keeps_framing_and_drops_the_late_reply() {
    let server = FakeServer::start(|peer| {
        peer.handshake()?;
        let slow = peer.expect()?;
        // Half the reply now, the rest after the client gave up.
        let reply = format!("{}\r\n", json!({"return": "late", "id": slow["id"]}));
        let (a, b) = reply.split_at(10);
        peer.send_raw(a.as_bytes())?;
        let next = peer.expect()?;
        peer.send_raw(b.as_bytes())?;
        peer.event("STOP", None)?;
        peer.reply(&next, json!("on time"))?;
        peer.wait_closed()
    })
    .unwrap();
    let mut client = Client::<E>::connect_unix(server.path()).unwrap();
    let err = client
        .execute_with_timeout("slow", None, Duration::from_millis(200))
        .unwrap_err();
    assert!(
        matches!(err, Error::Timeout { ref what, .. } if what == "reply to `slow`"),
        "{err}"
    );
    assert!(!err.is_fatal());
    assert_eq!(client.execute("next", None).unwrap(), json!("on time"));
    // The late reply was dropped quietly; the event behind it is intact.
    assert_eq!(
        client.next_event(Duration::ZERO).unwrap().unwrap().name(),
        Some("STOP")
    );
    assert!(client.next_event(Duration::ZERO).unwrap().is_none());
}

#[test]
fn close_in_the_middle_of_a_reply() {
    let server = FakeServer::start(|peer| {
        peer.handshake()?;
        peer.event("STOP", None)?;
        peer.expect()?;
        peer.send_raw(br#"{"return": {"sta"#)
    })
    .unwrap();
    let mut client = Client::<E>::connect_unix(server.path()).unwrap();
    let err = client.execute("query-status", None).unwrap_err();
    assert!(matches!(err, Error::Disconnected), "{err:?}");
    assert!(err.is_fatal() && client.is_closed());
    // What arrived before the close is still there; then the end, again and again.
    assert_eq!(
        client.next_event(Duration::ZERO).unwrap().unwrap().name(),
        Some("STOP")
    );
    assert!(matches!(
        client.next_event(Duration::ZERO),
        Err(Error::Disconnected)
    ));
    assert!(matches!(
        client.execute("x", None),
        Err(Error::Disconnected)
    ));
}

#[test]
fn error_reply_carries_class_and_desc() {
    let server = FakeServer::mini_qemu().unwrap();
    let mut client = Client::<E>::connect_unix(server.path()).unwrap();
    let err = client.execute("nope", Some(json!({"a": 1}))).unwrap_err();
    let qmp = err.as_qmp().unwrap();
    assert_eq!(
        (qmp.class.as_str(), qmp.desc.as_str()),
        ("CommandNotFound", "The command nope has not been found")
    );
    assert_eq!(
        err.to_string(),
        "`nope` failed: CommandNotFound: The command nope has not been found"
    );
    assert_eq!(
        client.execute("query-status", None).unwrap()["status"],
        "prelaunch"
    );
    client.execute("quit", None).unwrap();
    assert_eq!(
        client
            .next_event(Duration::from_secs(5))
            .unwrap()
            .unwrap()
            .name(),
        Some("SHUTDOWN")
    );
    assert!(matches!(
        client.next_event(Duration::from_secs(5)),
        Err(Error::Disconnected)
    ));
    server.join().unwrap();
}

// ---- the async client ----

#[tokio::test]
async fn tokio_replies_out_of_order_are_matched_by_id() {
    let server = FakeServer::start(|peer| {
        peer.handshake()?;
        let requests: Vec<Value> = (0..20).map(|_| peer.expect()).collect::<Result<_, _>>()?;
        for request in requests.iter().rev() {
            let echo = request["arguments"]["n"].clone();
            peer.reply(request, echo)?;
        }
        peer.wait_closed()
    })
    .unwrap();
    bounded(async {
        let client = qmp_client::tokio::Client::<E>::connect_unix(server.path())
            .await
            .unwrap();
        let tasks: Vec<_> = (0..20)
            .map(|n| {
                let client = client.clone();
                tokio::spawn(async move { client.execute("echo", Some(json!({"n": n}))).await })
            })
            .collect();
        for (n, task) in tasks.into_iter().enumerate() {
            assert_eq!(task.await.unwrap().unwrap(), json!(n));
        }
    })
    .await;
    join(server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokio_burst_to_a_slow_subscriber() {
    const BURST: u64 = 100_000;
    let server = FakeServer::start(|peer| {
        peer.handshake()?;
        let go = peer.expect()?;
        peer.reply(&go, json!({}))?;
        let mut lines = String::new();
        for i in 0..BURST {
            lines.push_str(&event_line("BALLOON_CHANGE", Some(json!({"actual": i}))));
            lines.push_str("\r\n");
            if lines.len() > 1 << 16 {
                peer.send_raw(lines.as_bytes())?;
                lines.clear();
            }
        }
        peer.send_raw(lines.as_bytes())?;
        Ok(())
    })
    .unwrap();
    bounded(async {
        let config = Config::new().event_capacity(256);
        let client = qmp_client::tokio::Client::<E>::connect_unix_with(server.path(), &config)
            .await
            .unwrap();
        let count = |mut stream: qmp_client::tokio::EventStream<E>, slow: bool| async move {
            let (mut received, mut missed, mut last) = (0u64, 0u64, None);
            while let Some(item) = stream.recv().await {
                match item {
                    Ok(msg) => {
                        received += 1;
                        if let qmp_events::Event::BalloonChange(b) = &msg.event {
                            last = Some(b.actual);
                        }
                        if slow && received <= 20 {
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    }
                    Err(Error::Lagged(n)) => missed += n,
                    Err(e) => panic!("{e}"),
                }
            }
            (received, missed, last)
        };
        let fast = tokio::spawn(count(client.events(), false));
        let slow = tokio::spawn(count(client.events(), true));
        client.execute("go", None).await.unwrap();
        let (fast, slow) = (fast.await.unwrap(), slow.await.unwrap());
        println!("fast: {fast:?}, slow: {slow:?}");
        for (received, missed, last) in [fast, slow] {
            assert_eq!(received + missed, BURST);
            assert_eq!(last, Some(BURST as i64 - 1));
        }
        // The slow one was told what it missed, and caught up with the buffered tail.
        assert!(slow.1 > 0, "{slow:?}");
        assert!(slow.0 >= 256, "{slow:?}");
    })
    .await;
    join(server).await;
}

#[tokio::test]
async fn tokio_skipped_lines_reach_every_subscriber() {
    let server = FakeServer::start(|peer| {
        peer.handshake()?;
        let request = peer.expect()?;
        peer.send("garbage")?;
        peer.reply(&json!({"id": 12345}), json!(null))?;
        peer.event("STOP", None)?;
        peer.event("RESUME", None)?;
        peer.send_raw(&vec![b'x'; 100_000])?;
        peer.send("")?;
        peer.reply(&request, json!({}))?;
        peer.wait_closed()
    })
    .unwrap();
    bounded(async {
        let config = Config::new().max_line_len(10_000);
        let client = qmp_client::tokio::Client::<E>::connect_unix_with(server.path(), &config)
            .await
            .unwrap();
        let mut all = client.events();
        let mut resumes = client.events_named(["RESUME"]);
        client.execute("go", None).await.unwrap();
        let mut next = async || all.recv().await.unwrap();
        assert!(matches!(
            next().await,
            Err(Error::Protocol(ProtocolError::Malformed { .. }))
        ));
        assert!(matches!(
            next().await,
            Err(Error::Protocol(ProtocolError::UnknownId { .. }))
        ));
        assert_eq!(next().await.unwrap().name(), Some("STOP"));
        assert_eq!(next().await.unwrap().name(), Some("RESUME"));
        assert!(matches!(
            next().await,
            Err(Error::Protocol(ProtocolError::LineTooLong {
                len: 100_000,
                ..
            }))
        ));
        // The filtered stream skips STOP but not the reports.
        let mut next = async || resumes.recv().await.unwrap();
        assert!(matches!(
            next().await,
            Err(Error::Protocol(ProtocolError::Malformed { .. }))
        ));
        assert!(matches!(
            next().await,
            Err(Error::Protocol(ProtocolError::UnknownId { .. }))
        ));
        assert_eq!(next().await.unwrap().name(), Some("RESUME"));
    })
    .await;
    join(server).await;
}

#[tokio::test]
async fn tokio_close_mid_reply_fails_commands_and_ends_streams() {
    let server = FakeServer::start(|peer| {
        peer.handshake()?;
        peer.expect()?;
        peer.expect()?;
        peer.event("STOP", None)?;
        peer.send_raw(br#"{"return": {"sta"#)
    })
    .unwrap();
    bounded(async {
        let client = qmp_client::tokio::Client::<E>::connect_unix(server.path())
            .await
            .unwrap();
        let mut events = client.events();
        let (a, b) = tokio::join!(client.execute("a", None), client.execute("b", None));
        assert!(matches!(a, Err(Error::Disconnected)), "{a:?}");
        assert!(matches!(b, Err(Error::Disconnected)), "{b:?}");
        assert_eq!(events.recv().await.unwrap().unwrap().name(), Some("STOP"));
        assert!(events.recv().await.is_none());
        assert!(client.is_closed());
        assert!(matches!(
            client.execute("c", None).await,
            Err(Error::Disconnected)
        ));
        assert!(client.events().recv().await.is_none());
    })
    .await;
    join(server).await;
}

#[tokio::test]
async fn tokio_cancelled_command_keeps_the_connection() {
    let server = FakeServer::start(|peer| {
        peer.handshake()?;
        let slow = peer.expect()?;
        let next = peer.expect()?;
        peer.reply(&slow, json!("late"))?;
        peer.reply(&next, json!("next"))?;
        peer.event("STOP", None)?;
        peer.wait_closed()
    })
    .unwrap();
    bounded(async {
        let client = qmp_client::tokio::Client::<E>::connect_unix(server.path())
            .await
            .unwrap();
        let mut events = client.events();
        let err = client
            .execute_with_timeout("slow", None, Duration::from_millis(100))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Timeout { .. }), "{err}");
        assert_eq!(client.execute("next", None).await.unwrap(), json!("next"));
        // The late reply was dropped quietly: the next item is the event.
        assert_eq!(events.recv().await.unwrap().unwrap().name(), Some("STOP"));
    })
    .await;
    join(server).await;
}

#[tokio::test]
async fn tokio_dropping_the_client_closes_the_connection() {
    let server = FakeServer::start(|peer| {
        peer.handshake()?;
        let request = peer.expect()?;
        peer.reply(&request, json!({}))?;
        // Returns once the client side is closed: both tasks have ended.
        peer.wait_closed()
    })
    .unwrap();
    bounded(async {
        let client = qmp_client::tokio::Client::<E>::connect_unix(server.path())
            .await
            .unwrap();
        let mut events = client.events();
        let other = client.clone();
        client.execute("x", None).await.unwrap();
        drop(client);
        drop(other);
        assert!(events.recv().await.is_none());
    })
    .await;
    let started = Instant::now();
    join(server).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn tokio_no_greeting_and_oob() {
    let server = FakeServer::start(|peer| peer.wait_closed()).unwrap();
    let err = qmp_client::tokio::Client::<E>::connect_unix_with(server.path(), &short())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");

    let server = FakeServer::start(|peer| {
        let request = peer.handshake()?;
        assert_eq!(request["arguments"], json!({"enable": ["oob"]}));
        let request = peer.expect()?;
        assert_eq!(request["exec-oob"], "migrate-pause");
        peer.reply_error(&request, "GenericError", "not now")?;
        peer.wait_closed()
    })
    .unwrap();
    bounded(async {
        let client = qmp_client::tokio::Client::<E>::connect_unix(server.path())
            .await
            .unwrap();
        assert!(client.oob_enabled());
        let err = client.execute_oob("migrate-pause", None).await.unwrap_err();
        assert_eq!(err.as_qmp().unwrap().desc, "not now");
    })
    .await;
    join(server).await;
}
