//! A dry run of a live drill: the simulator's bot team plays a drill over real WebSockets against a real
//! server, so a facilitator can rehearse the setup (the LAN, the links, the pacing) before the people come.
//!
//! The brain is `muster_core::sim::Simulation` on the same scenario, seed and speed: its bots (with their
//! team profile: diligent, slow, distracted, siloed, absent, mixed) decide what to do and when; each of
//! their commands is sent, at its time, through the connection of the seat that bot holds. The server runs
//! its own engine and timers; the local one only decides. The facilitator's connection starts the drill and
//! ends it when the simulation does (at the nominal duration).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use muster_core::engine::{Actor, Command, DrillState, EventKind, Input, Speed};
use muster_core::sim::{SimConfig, Simulation, Team};
use muster_protocol::live::{ClientMessage, CreateLive, Credential, ServerMessage};
use tokio::time::Instant;

use super::client::{Client, create_on};
use crate::setup::Loaded;

/// What a dry run did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DryRun {
    /// The drill on the server.
    pub drill: String,
    /// Commands the bots sent.
    pub sent: u64,
    /// Of which the server acknowledged.
    pub acknowledged: u64,
    /// Of which the server refused (timing differs a little between the bots' brain and the server).
    pub refused: u64,
}

/// Why a dry run failed.
#[derive(Debug, thiserror::Error)]
pub enum DryRunError {
    /// The drill could not be created.
    #[error(transparent)]
    Create(#[from] super::client::CreateError),
    /// A connection failed.
    #[error(transparent)]
    Client(#[from] super::client::ClientError),
    /// Something else.
    #[error("{0}")]
    Other(String),
}

/// Plays `loaded` (the same scenario as the server's library holds under `key`) on the server at `base`
/// with a bot team, at `speed`, and waits until the drill has ended. `fingerprint` for an `https` server.
pub async fn run(
    base: &str,
    fingerprint: Option<&str>,
    key: &str,
    loaded: &Loaded,
    team: Team,
    speed: Speed,
    seed: u64,
) -> Result<DryRun, DryRunError> {
    let roles = loaded.scenario.roles.clone();
    let request = CreateLive {
        scenario: key.to_owned(),
        team: Some(format!("dry run ({})", team.name())),
        facilitator: Some("muster live dry-run".into()),
        seed: Some(seed.to_string()),
        speed: Some(speed),
        seats: Some(roles.clone()),
    };
    let created = create_on(base, &request).await?;
    let connect = |credential: Credential| async move {
        Client::connect_with(base, fingerprint, credential, 0).await.map(|(client, _)| client)
    };
    let fac = connect(Credential::Token { token: created.facilitator_token.clone(), name: None }).await?;
    // One bot per role, in the order the simulation gives them roles: bot i holds role i, seat i.
    let config = SimConfig { seed, team, participants: None, speed, start: muster_core::engine::WallMs(0) };
    let mut sim = Simulation::new(loaded.scenario.clone(), &loaded.model, &config);
    let mut seats = Vec::new();
    for (bot, seat) in sim.bots().iter().zip(&created.seats) {
        let credential = Credential::Token { token: seat.token.clone(), name: Some(bot.name.clone()) };
        seats.push((bot.id.clone(), connect(credential).await?));
    }
    // Each connection is read on its own task (which also answers the server's pings), counting answers.
    let acknowledged = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let (fac_tx, fac_rx) = fac.split();
    let mut fac_tx = fac_tx;
    let ended = tokio::spawn(async move {
        let mut rx = fac_rx;
        loop {
            match rx.recv().await {
                Ok(ServerMessage::Event { event, .. }) if matches!(event.kind, EventKind::Ended { .. }) => {
                    return true;
                }
                Ok(_) => {}
                Err(_) => return false,
            }
        }
    });
    let mut senders = Vec::new();
    for (id, client) in seats {
        let (tx, mut rx) = client.split();
        let (acknowledged, refused) = (acknowledged.clone(), refused.clone());
        tokio::spawn(async move {
            while let Ok(msg) = rx.recv().await {
                match msg {
                    ServerMessage::Ack { .. } => drop(acknowledged.fetch_add(1, Ordering::Relaxed)),
                    ServerMessage::Rejected { .. } => drop(refused.fetch_add(1, Ordering::Relaxed)),
                    _ => {}
                }
            }
        });
        senders.push((id, tx));
    }
    let mut sent = 0u64;
    let started = Instant::now();
    let mut n = 0u64;
    while let Some(step) = sim.step() {
        let Input::Command { now, actor, command } = step.input else { continue };
        // Pace: the simulation's wall clock starts at 0 with the drill.
        tokio::time::sleep_until(started + Duration::from_millis(now.0)).await;
        match (&actor, command) {
            // Joining and seating happened through the seat links.
            (_, Command::Join { .. } | Command::Assign { .. }) => {}
            (Actor::Facilitator, command) => {
                n += 1;
                fac_tx.send(&ClientMessage::Command { id: format!("f{n}"), command }).await?;
            }
            (Actor::Participant(p), Command::Act { client_id, role, action }) => {
                if let Some((_, tx)) = senders.iter_mut().find(|(id, _)| id == p) {
                    sent += 1;
                    tx.send(&ClientMessage::Act { id: client_id, role, action }).await?;
                }
            }
            (Actor::Participant(_), _) => {}
        }
        if sim.drill().state() == DrillState::Ended {
            break;
        }
    }
    match tokio::time::timeout(Duration::from_secs(30), ended).await {
        Ok(Ok(true)) => {}
        _ => return Err(DryRunError::Other("the drill did not end within 30 s of the last step".into())),
    }
    // The last answers come with the end.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (acknowledged, refused) = (acknowledged.load(Ordering::Relaxed), refused.load(Ordering::Relaxed));
    Ok(DryRun { drill: created.drill, sent, acknowledged, refused })
}
