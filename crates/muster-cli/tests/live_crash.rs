//! SIGKILL a live server while participants act; after a restart every acknowledged action is in the log,
//! the database is intact and replays, the drill is back (paused) and the clients continue where they were.
//! Rounds: `MUSTER_LIVE_CRASH_ROUNDS` (default 4; more on demand). Loopback only; every loop is bounded.

use std::time::Duration;

use muster_app::live::client::{Client, create_on};
use muster_core::RoleId;
use muster_core::engine::{ActionRef, Builtin, Command, DrillState, EventKind, Speed};
use muster_protocol::live::{ClientMessage, CreateLive, Credential, ServerMessage};

mod common;

use common::serve;

fn notify(id: &str, n: u32) -> ClientMessage {
    ClientMessage::Act {
        id: id.into(),
        role: RoleId("platform".into()),
        action: ActionRef::Builtin(Builtin::Notify {
            to: RoleId("security".into()),
            about: None,
            text: format!("update {n}"),
        }),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_loses_no_acknowledged_action_and_the_drill_goes_on() {
    let rounds: u32 =
        std::env::var("MUSTER_LIVE_CRASH_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(4);
    let dir = tempfile::tempdir().expect("tempdir");

    let mut server = serve(dir.path()).await;
    let request = CreateLive {
        scenario: "minimal".into(),
        team: None,
        facilitator: None,
        seed: Some("3".into()),
        speed: Some(Speed::REAL_TIME),
        seats: Some(vec![RoleId("platform".into())]),
    };
    let created = create_on(&server.base, &request).await.expect("create");
    let fac_token = created.facilitator_token.clone();
    let seat = created.seats[0].token.clone();
    let (mut fac, _) =
        Client::connect(&server.base, Credential::Token { token: fac_token.clone(), name: None }, 0)
            .await
            .expect("facilitator");
    let (mut player, _) =
        Client::connect(&server.base, Credential::Token { token: seat.clone(), name: Some("Pia".into()) }, 0)
            .await
            .expect("player");
    fac.send(&ClientMessage::Command { id: "start".into(), command: Command::Start }).await.expect("start");

    let mut acknowledged: Vec<String> = Vec::new();
    let mut last_seq = 0u64;
    let mut n = 0u32;
    for round in 0..rounds {
        // Act as fast as the answers come, for a while that differs per round, then kill without warning.
        let stop_at = tokio::time::Instant::now() + Duration::from_millis(150 + u64::from(round) * 97 % 400);
        let mut in_flight = 0u32;
        while tokio::time::Instant::now() < stop_at && n < 100_000 {
            n += 1;
            in_flight += 1;
            if player.send(&notify(&format!("a{n}"), n)).await.is_err() {
                break;
            }
            // Keep a few in flight, so the kill lands between send, commit and ack.
            while in_flight > 3 {
                match player.recv_within(Duration::from_secs(5)).await {
                    Ok(ServerMessage::Ack { id, .. }) => {
                        acknowledged.push(id);
                        in_flight -= 1;
                    }
                    Ok(ServerMessage::Event { event, .. }) => last_seq = last_seq.max(event.seq),
                    Ok(ServerMessage::Rejected { why, .. }) if why.code == "rate-limited" => in_flight -= 1,
                    Ok(_) => {}
                    Err(e) => panic!("round {round}: {e}"),
                }
            }
        }
        server.child.kill().await.expect("SIGKILL");
        drop(player);
        drop(fac);
        server = serve(dir.path()).await;
        // The drill is back, paused where it stood; everything acknowledged is in its log.
        let (f, welcome) =
            Client::connect(&server.base, Credential::Token { token: fac_token.clone(), name: None }, 0)
                .await
                .expect("facilitator after restart");
        fac = f;
        assert_eq!(welcome.clock.state, DrillState::Paused, "round {round}: resumed paused");
        let mut logged = std::collections::BTreeSet::new();
        loop {
            match fac.recv_within(Duration::from_millis(500)).await {
                Ok(ServerMessage::Event { event, .. }) => {
                    if let EventKind::Acted { client_id, .. } = event.kind {
                        logged.insert(client_id);
                    }
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        for id in &acknowledged {
            assert!(logged.contains(id), "round {round}: acknowledged action {id} is missing after the kill");
        }
        fac.send(&ClientMessage::Command { id: format!("resume{round}"), command: Command::Resume })
            .await
            .expect("resume");
        // The player reconnects with what it saw and carries on.
        let (p, welcome) =
            Client::connect(&server.base, Credential::Token { token: seat.clone(), name: None }, last_seq)
                .await
                .expect("player after restart");
        player = p;
        assert!(welcome.last_seq >= last_seq);
    }
    assert!(acknowledged.len() > 10, "the test acted: {} acknowledged", acknowledged.len());
    server.child.kill().await.expect("kill");
    // The file is intact: the drill's log replays event for event.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_muster"))
        .args(["replay", &created.drill, "--verify", "--db"])
        .arg(dir.path().join("muster.db"))
        .output()
        .expect("replay");
    assert!(out.status.success(), "replay: {}", String::from_utf8_lossy(&out.stdout));
}
