//! The live-drill protocol: JSON messages over one WebSocket per person (`GET /api/live/ws`), and the
//! HTTP bodies that create a live drill. Written up with a complete example session in `docs/protocol.md`.
//!
//! Every message is an object with a `type`. The first message a client sends is a [`Hello`]; the server
//! answers with a [`Welcome`] (or a [`ServerMessage::Closed`] and closes), then the events this person may
//! see, each with its sequence number, then every new event as it is logged. Commands carry a client id and
//! get one [`ServerMessage::Ack`] (once the event is durable) or [`ServerMessage::Rejected`] (with a code a
//! program can branch on). Sequence numbers and scenario times stay far below 2^53; the only 64-bit value
//! that could exceed it, the seed, travels as a string.

use muster_core::board::LiveBoard;
use muster_core::engine::{
    ActionRef, ActionStatus, Command, DrillState, Event, EventKind, InjectStatus, ParticipantId, Speed,
};
use muster_core::variables::{Values, fill};
use muster_core::{ActionId, RoleId, Scenario, ScenarioMs};

use crate::AttachmentView;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The version of this protocol; a [`Hello`] with another is refused (`wrong-protocol`).
pub const LIVE_PROTOCOL_VERSION: u32 = 1;

/// Largest message a client may send, in bytes (a bigger frame closes the connection).
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024;

/// The engine's limits a live client enforces before sending, as TypeScript constants
/// (`ui/src/gen/limits.ts`, written by this crate's tests): each limit keeps one name, in the core.
pub fn client_limits_ts() -> String {
    use muster_core::engine::{MAX_NAME_CHARS, MAX_TEXT_CHARS};
    format!(
        "// Generated from the Rust constants by muster-protocol's tests. Do not edit.\n\n\
         /** Longest display or team name, in characters (`MAX_NAME_CHARS`). */\n\
         export const MAX_NAME_CHARS = {MAX_NAME_CHARS};\n\
         /** Longest text of a message, note or inject, in characters (`MAX_TEXT_CHARS`). */\n\
         export const MAX_TEXT_CHARS = {MAX_TEXT_CHARS};\n\
         /** An open action counts as due soon this long before its deadline, in scenario ms (`board::DUE_SOON_MS`). */\n\
         export const DUE_SOON_MS = {};\n",
        muster_core::board::DUE_SOON_MS.0
    )
}

/// The first message on a connection: who this is, and what they have seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Hello {
    /// [`LIVE_PROTOCOL_VERSION`].
    pub protocol: u32,
    /// How this person gets in.
    pub credential: Credential,
    /// The last event sequence number this client holds (0: none); only later events it may see are
    /// sent, plus earlier ones a role given since then lets it see.
    #[serde(default)]
    pub since: u64,
}

/// How a connection proves who it is. Tokens travel only inside the WebSocket, never in a URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Credential {
    /// A facilitator's or participant's token (a per-seat link's token is one).
    Token {
        /// The token.
        token: String,
        /// Display name, on the first use of a seat link (ignored otherwise).
        #[serde(default)]
        name: Option<String>,
    },
    /// A join code: the person waits in the lobby until the facilitator admits them.
    Code {
        /// The code as typed (case and dashes do not matter).
        code: String,
        /// Display name.
        name: String,
    },
}

/// What a client sends after its [`Hello`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// A command to the drill. Participants may send `Act` only; the facilitator steers with the rest.
    Command {
        /// The client's id for this request, echoed in the answer (at most `MAX_CLIENT_ID_BYTES`, 128 bytes).
        id: String,
        /// The command.
        command: Command,
    },
    /// Act as one of one's roles (shorthand for a `Command` with `Act`; `id` is the action's client id,
    /// so a retry with the same id is answered with the first outcome and logged once).
    Act {
        /// Client id.
        id: String,
        /// The role acted as.
        role: RoleId,
        /// What is done.
        action: ActionRef,
    },
    /// Facilitator: the control room's view (injects, actions, roster, lobby, connections).
    Status {
        /// Echoed in the answer.
        id: String,
    },
    /// Facilitator: let a person from the lobby in, with roles.
    Admit {
        /// Echoed in the answer.
        id: String,
        /// The lobby entry.
        lobby: String,
        /// Roles to give (may be empty: assign later).
        roles: Vec<RoleId>,
    },
    /// Facilitator: turn a person in the lobby away.
    Deny {
        /// Echoed in the answer.
        id: String,
        /// The lobby entry.
        lobby: String,
    },
    /// Facilitator: remove a participant (their token stops working; they leave the drill).
    Remove {
        /// Echoed in the answer.
        id: String,
        /// Who.
        participant: ParticipantId,
    },
}

impl ClientMessage {
    /// The client's id of this request, echoed in its answer.
    pub fn id(&self) -> &str {
        match self {
            ClientMessage::Command { id, .. }
            | ClientMessage::Act { id, .. }
            | ClientMessage::Status { id }
            | ClientMessage::Admit { id, .. }
            | ClientMessage::Deny { id, .. }
            | ClientMessage::Remove { id, .. } => id,
        }
    }
}

/// Who a connection is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum You {
    /// The facilitator: sees every event and steers.
    Facilitator,
    /// A participant.
    Participant {
        /// Their id in the drill.
        id: ParticipantId,
        /// Display name.
        name: String,
        /// Roles held now.
        roles: Vec<RoleId>,
    },
    /// Waiting in the lobby for the facilitator.
    Lobby {
        /// The lobby entry's id.
        lobby: String,
        /// Display name.
        name: String,
    },
}

/// The drill's clock as the server saw it when sending: enough for a client to run its own display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ClockView {
    /// Lifecycle state.
    pub state: DrillState,
    /// Scenario time when sent.
    pub scenario_ms: ScenarioMs,
    /// Speed (1000 = real time).
    pub speed: Speed,
}

/// What the drill is, for every connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DrillHeader {
    /// Drill id.
    pub drill: String,
    /// Scenario id.
    pub scenario_id: String,
    /// Scenario title.
    pub title: String,
    /// Nominal duration.
    pub duration: ScenarioMs,
    /// The roles in play.
    pub roles: Vec<RoleId>,
    /// Team name.
    pub team: Option<String>,
}

/// The server's first answer: who you are and where the drill stands. The events follow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Welcome {
    /// [`LIVE_PROTOCOL_VERSION`].
    pub protocol: u32,
    /// The drill.
    pub drill: DrillHeader,
    /// Who you are.
    pub you: You,
    /// The clock.
    pub clock: ClockView,
    /// The last event sequence number logged (the events this connection may see follow, up to it).
    pub last_seq: u64,
}

/// A person waiting in the lobby.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LobbyEntry {
    /// Entry id (for admit / deny).
    pub lobby: String,
    /// Display name as typed.
    pub name: String,
}

/// A participant in the control room's roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SeatView {
    /// Participant id.
    pub participant: ParticipantId,
    /// Display name.
    pub name: String,
    /// Roles held.
    pub roles: Vec<RoleId>,
    /// Open connections.
    pub connections: u32,
    /// Milliseconds since this participant's last message reached the server (`None`: never).
    pub idle_ms: Option<u64>,
    /// The last ping's round trip to this participant's connection, in milliseconds (`None`: not measured yet).
    #[serde(default)]
    pub latency_ms: Option<u32>,
}

/// The control room's view (facilitator only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StatusView {
    /// The clock.
    pub clock: ClockView,
    /// Every scenario inject: fired, upcoming, held, skipped, averted, waiting.
    pub injects: Vec<InjectStatus>,
    /// Every expected action's progress.
    pub actions: Vec<ActionStatus>,
    /// The roster.
    pub seats: Vec<SeatView>,
    /// Waiting in the lobby.
    pub lobby: Vec<LobbyEntry>,
    /// The next deadline the runtime sleeps until, in scenario time, and why (`None`: nothing scheduled).
    pub next: Option<String>,
    /// The live boards: each role's expected actions, and the RACI standing of each capability in play
    /// (`muster_core::board::live_board` over the log at the clock's scenario time).
    #[serde(default)]
    pub board: LiveBoard,
}

/// The scenario's words for an event, with the drill's values filled: what a participant's inbox shows
/// beside the event. Derived from the scenario when sent, never stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EventDetail {
    /// The inject's sender as the inbox shows it.
    pub from: Option<String>,
    /// The inject's attachments.
    pub attachments: Vec<AttachmentView>,
    /// The expected actions the event names (offered, opened, done, overdue).
    pub actions: Vec<ActionBrief>,
}

/// An expected action as a participant sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ActionBrief {
    /// Id (what an `Act` names).
    pub id: ActionId,
    /// What to do.
    pub label: String,
    /// `task`, `request`, `approval`, `decision` or `notification`.
    pub kind: String,
    /// Scenario time by which it should be done.
    pub deadline: Option<ScenarioMs>,
    /// The roles that own it.
    pub owners: Vec<RoleId>,
}

impl EventDetail {
    /// The detail of `event` in `scenario` with `values`, when it has any.
    pub fn of(event: &Event, scenario: &Scenario, values: &Values) -> Option<EventDetail> {
        let briefs = |ids: &mut dyn Iterator<Item = &ActionId>| -> Vec<ActionBrief> {
            ids.filter_map(|id| scenario.action(id.as_str()))
                .map(|a| ActionBrief {
                    id: a.id.clone(),
                    label: fill(&a.label, values),
                    kind: crate::views::action_kind(a.kind).to_owned(),
                    deadline: a.deadline,
                    owners: a.owners.clone(),
                })
                .collect()
        };
        match &event.kind {
            EventKind::InjectFired { inject, actions, .. } => {
                let i = scenario.inject(inject.as_str());
                Some(EventDetail {
                    from: i.map(|i| fill(&i.from, values)),
                    attachments: i.map_or_else(Vec::new, |i| {
                        i.attachments
                            .iter()
                            .map(|a| AttachmentView {
                                name: fill(&a.name, values),
                                kind: crate::views::attachment_kind(a.kind).to_owned(),
                                content: fill(&a.content, values),
                            })
                            .collect()
                    }),
                    actions: briefs(&mut actions.iter()),
                })
            }
            EventKind::ActionOpened { action, .. } | EventKind::ActionOverdue(action) => Some(EventDetail {
                from: None,
                attachments: Vec::new(),
                actions: briefs(&mut std::iter::once(action)),
            }),
            EventKind::Acted { action, .. } => {
                let ids: Vec<&ActionId> = match action {
                    ActionRef::Scenario(a) => vec![a],
                    ActionRef::Builtin(b) => b.about().into_iter().collect(),
                };
                let actions = briefs(&mut ids.into_iter());
                (!actions.is_empty()).then_some(EventDetail { from: None, attachments: Vec::new(), actions })
            }
            _ => None,
        }
    }
}

/// Why a command or message was refused: a stable code, for programs, and a sentence, for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RejectionView {
    /// E.g. `role-not-held`, `not-facilitator`, `wrong-state`, `rate-limited`, `bad-message`.
    pub code: String,
    /// What went wrong and what to do.
    pub message: String,
}

/// Everything the server sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The answer to a [`Hello`].
    Welcome(Welcome),
    /// An event this connection may see.
    Event {
        /// The event, exactly as logged.
        event: Event,
        /// What the scenario says about it that the event does not carry (for an inject: its sender,
        /// attachments and the actions it offers; for an action: its label), with the drill's values filled.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        detail: Option<EventDetail>,
    },
    /// A command was carried out and is durable.
    Ack {
        /// The client's id of the request.
        id: String,
        /// The sequence number of the first event it produced (`None`: it changed nothing).
        seq: Option<u64>,
        /// Whether this answers a retry of a command carried out before (nothing new was logged).
        retry: bool,
    },
    /// A request was refused; nothing changed.
    Rejected {
        /// The client's id of the request (empty when the message could not be read).
        id: String,
        /// Why.
        #[serde(flatten)]
        why: RejectionView,
    },
    /// The control room's view (answer to `status`).
    Status {
        /// The request's id.
        id: String,
        /// The view.
        status: Box<StatusView>,
    },
    /// The lobby changed (facilitator only).
    Lobby {
        /// Waiting now.
        waiting: Vec<LobbyEntry>,
    },
    /// The facilitator let this lobby connection in: keep the token (it is how you reconnect).
    Admitted {
        /// Your participant token.
        token: String,
        /// Who you are now.
        you: You,
    },
    /// The drill stopped: the log could not be written, or the server is shutting down. Nothing
    /// unacknowledged was kept; the facilitator can resume it.
    Stopped {
        /// Why, for people.
        message: String,
    },
    /// The server closes this connection: take-over by another device, removed, too slow, denied.
    Closed {
        /// `taken-over`, `removed`, `too-slow`, `denied`, `bad-token`, `wrong-protocol`, `stopped`, …
        code: String,
        /// For people.
        message: String,
    },
}

/// `GET /api/live` (the facilitator's machine only): where participants reach this server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LiveServer {
    /// The LAN address participants' join links point to, when the server listens on the LAN (`None`:
    /// participants on this machine only; start with `--lan` to let others join).
    pub lan_url: Option<String>,
    /// SHA-256 fingerprint of the LAN listener's TLS certificate, for people to compare.
    pub fingerprint: Option<String>,
}

/// `POST /api/live`: the facilitator creates a live drill from a library scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CreateLive {
    /// The scenario's key in the library.
    pub scenario: String,
    /// Team name.
    #[serde(default)]
    pub team: Option<String>,
    /// Facilitator's name.
    #[serde(default)]
    pub facilitator: Option<String>,
    /// Seed of the variables as decimal text (random when absent).
    #[serde(default)]
    pub seed: Option<String>,
    /// Speed (1000 = real time; default 1000).
    #[serde(default)]
    pub speed: Option<Speed>,
    /// Seats: a per-seat link for each role listed, once per entry (a role may be listed twice).
    /// Default: one seat per role in play.
    #[serde(default)]
    pub seats: Option<Vec<RoleId>>,
}

/// A per-seat link's parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SeatLink {
    /// The role the seat plays.
    pub role: RoleId,
    /// The seat's token (the link puts it after `#`, so it never reaches a server log).
    pub token: String,
    /// The link: `<server>/join#seat=<token>`.
    pub link: String,
}

/// The answer to [`CreateLive`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LiveCreated {
    /// The drill.
    pub drill: String,
    /// The join code to show (people who enter it wait in the lobby).
    pub code: String,
    /// Where to join: `<server>/join`.
    pub join_url: String,
    /// The facilitator's token (keep it: it steers the drill).
    pub facilitator_token: String,
    /// Per-seat links.
    pub seats: Vec<SeatLink>,
    /// The seed, as decimal text.
    pub seed: String,
    /// SHA-256 fingerprint of the server's TLS certificate, when it serves TLS.
    pub fingerprint: Option<String>,
}
