//! Engine tests: a timed command script in, an event trace out (one event per line), plus properties
//! over random command sequences: no panic, replay equals live, idempotent retries, monotonic time.

use expect_test::{Expect, expect};
use proptest::prelude::*;

use super::*;
use crate::{load_model, load_scenario};

const MODEL: &str = include_str!("../../../../scenarios/model.ron");
const MINIMAL: &str = include_str!("../../../../tests/data/validate/ok/minimal.ron");
const LEAKED: &str = include_str!("../../../../scenarios/leaked-secret.ron");

fn scenario(src: &str) -> Scenario {
    let model = load_model(MODEL).value.expect("model");
    load_scenario(src, &model).scenario.expect("valid scenario")
}

fn setup() -> DrillSetup {
    DrillSetup::new(7, Speed::REAL_TIME, RolePolicy::One)
}

fn p(id: &str) -> Actor {
    Actor::Participant(ParticipantId(id.to_owned()))
}

fn act(client_id: &str, role: &str, action: &str) -> Command {
    Command::Act {
        client_id: client_id.to_owned(),
        role: RoleId(role.to_owned()),
        action: ActionRef::Scenario(ActionId(action.to_owned())),
    }
}

/// Runs `(wall seconds, actor, command)` steps, waking the drill at every deadline in between like the
/// runtime does, and renders every event and rejection, one per line.
fn run(src: &str, steps: &[(u64, Actor, Command)], end_s: u64) -> String {
    let mut drill = Drill::new(scenario(src), setup());
    let mut lines = Vec::new();
    let wake = |drill: &mut Drill, until: WallMs, lines: &mut Vec<String>| {
        while let Some((at, _)) = drill.next_deadline().filter(|(at, _)| *at <= until) {
            lines.extend(drill.input(&Input::Timeout { now: at }).events.iter().map(ToString::to_string));
        }
    };
    for (s, actor, command) in steps {
        let now = WallMs(1_000_000 + s * 1000);
        wake(&mut drill, now, &mut lines);
        let outcome = drill.input(&Input::Command { now, actor: actor.clone(), command: command.clone() });
        lines.extend(outcome.events.iter().map(ToString::to_string));
        if let Some(r) = outcome.rejection {
            lines.push(format!("rejected {command:?}: {r:?}"));
        }
    }
    wake(&mut drill, WallMs(1_000_000 + end_s * 1000), &mut lines);
    lines.join("\n")
}

fn check(steps: &[(u64, Actor, Command)], end_s: u64, expect: Expect) {
    expect.assert_eq(&run(MINIMAL, steps, end_s));
}

fn roster() -> Vec<(u64, Actor, Command)> {
    vec![
        (0, p("ana"), Command::Join { name: "Ana".into() }),
        (0, p("sam"), Command::Join { name: "Sam".into() }),
        (
            0,
            Actor::Facilitator,
            Command::Assign { participant: ParticipantId("ana".into()), role: RoleId("platform".into()) },
        ),
        (
            0,
            Actor::Facilitator,
            Command::Assign { participant: ParticipantId("sam".into()), role: RoleId("security".into()) },
        ),
        (0, Actor::Facilitator, Command::Start),
    ]
}

#[test]
fn a_prompt_team_averts_the_escalation() {
    let mut steps = roster();
    steps.push((120, p("ana"), act("c1", "platform", "revoke_token")));
    steps.push((300, p("sam"), act("c2", "security", "review_audit_log")));
    steps.push((310, Actor::Facilitator, Command::End));
    check(
        &steps,
        400,
        expect![[r#"
            T+00:00:00 #1 [all] Joined { participant: ParticipantId("ana"), name: "Ana" }
            T+00:00:00 #2 [all] Joined { participant: ParticipantId("sam"), name: "Sam" }
            T+00:00:00 #3 [all] Assigned { participant: ParticipantId("ana"), role: RoleId("platform") }
            T+00:00:00 #4 [all] Assigned { participant: ParticipantId("sam"), role: RoleId("security") }
            T+00:00:00 #5 [facilitator] Started { seed: 7, variables: [("repo", "payments-api"), ("token", "ghp_FFGGJZB0CV3M")] }
            T+00:00:00 #6 [all] Began
            T+00:00:00 #7 [platform,security] InjectFired report by Trigger to platform,security offers [revoke_token]
            T+00:00:00 #8 [platform,security] ActionOpened { action: ActionId("revoke_token"), visible_to: [RoleId("platform"), RoleId("security")] }
            T+00:02:00 #9 [all] Acted ana as platform: revoke_token
            T+00:03:00 #10 [security] InjectFired revoked by Trigger to security offers [review_audit_log]
            T+00:03:00 #11 [security] ActionOpened { action: ActionId("review_audit_log"), visible_to: [RoleId("security")] }
            T+00:05:00 #12 [all] Acted sam as security: review_audit_log
            T+00:05:10 #13 [all] Ended { missed: [] }"#]],
    );
}

#[test]
fn a_slow_team_gets_the_escalation_and_overdue_actions() {
    let mut steps = roster();
    steps.push((1000, p("ana"), act("c1", "platform", "revoke_token")));
    steps.push((1700, Actor::Facilitator, Command::End));
    check(
        &steps,
        1800,
        expect![[r#"
            T+00:00:00 #1 [all] Joined { participant: ParticipantId("ana"), name: "Ana" }
            T+00:00:00 #2 [all] Joined { participant: ParticipantId("sam"), name: "Sam" }
            T+00:00:00 #3 [all] Assigned { participant: ParticipantId("ana"), role: RoleId("platform") }
            T+00:00:00 #4 [all] Assigned { participant: ParticipantId("sam"), role: RoleId("security") }
            T+00:00:00 #5 [facilitator] Started { seed: 7, variables: [("repo", "payments-api"), ("token", "ghp_FFGGJZB0CV3M")] }
            T+00:00:00 #6 [all] Began
            T+00:00:00 #7 [platform,security] InjectFired report by Trigger to platform,security offers [revoke_token]
            T+00:00:00 #8 [platform,security] ActionOpened { action: ActionId("revoke_token"), visible_to: [RoleId("platform"), RoleId("security")] }
            T+00:10:00 #9 [platform] InjectFired still_live by Trigger to platform offers [revoke_token]
            T+00:15:00 #10 [platform,security] ActionOverdue(ActionId("revoke_token"))
            T+00:16:40 #11 [all] Acted ana as platform: revoke_token
            T+00:17:40 #12 [security] InjectFired revoked by Trigger to security offers [review_audit_log]
            T+00:17:40 #13 [security] ActionOpened { action: ActionId("review_audit_log"), visible_to: [RoleId("security")] }
            T+00:25:00 #14 [security] ActionOverdue(ActionId("review_audit_log"))
            T+00:28:20 #15 [all] Ended { missed: [ActionId("review_audit_log")] }"#]],
    );
}

#[test]
fn rejections_say_why() {
    let mut steps = vec![(0, p("ana"), act("c0", "platform", "revoke_token"))];
    steps.extend(roster());
    steps.extend([
        (1, Actor::Facilitator, Command::Resume),
        (1, p("ana"), Command::Pause),
        (1, p("ana"), act("c1", "security", "revoke_token")),
        (1, p("ana"), act("c2", "platform", "review_audit_log")),
        (1, p("ana"), act("c3", "platform", "nope")),
        (1, p("zed"), act("c4", "platform", "revoke_token")),
        (
            1,
            Actor::Facilitator,
            Command::Assign { participant: ParticipantId("ana".into()), role: RoleId("security".into()) },
        ),
        (
            1,
            Actor::Facilitator,
            Command::Assign { participant: ParticipantId("ana".into()), role: RoleId("compliance".into()) },
        ),
        (1, Actor::Facilitator, Command::SetSpeed(Speed(10))),
        (1, Actor::Facilitator, Command::SeekTo(ScenarioMs(0))),
        (2, p("ana"), act("c5", "platform", "revoke_token")),
        (3, p("ana"), act("c5", "platform", "revoke_token")),
        (4, p("sam"), act("c6", "security", "revoke_token")),
    ]);
    let trace = run(MINIMAL, &steps, 5);
    let rejected: Vec<&str> = trace.lines().filter(|l| l.starts_with("rejected")).collect();
    expect![[r#"
        rejected Act { client_id: "c0", role: RoleId("platform"), action: Scenario(ActionId("revoke_token")) }: WrongState { state: NotStarted }
        rejected Resume: WrongState { state: Running }
        rejected Pause: NotFacilitator
        rejected Act { client_id: "c1", role: RoleId("security"), action: Scenario(ActionId("revoke_token")) }: RoleNotHeld(RoleId("security"))
        rejected Act { client_id: "c2", role: RoleId("platform"), action: Scenario(ActionId("review_audit_log")) }: NotOpen(ActionId("review_audit_log"))
        rejected Act { client_id: "c3", role: RoleId("platform"), action: Scenario(ActionId("nope")) }: UnknownAction(ActionId("nope"))
        rejected Act { client_id: "c4", role: RoleId("platform"), action: Scenario(ActionId("revoke_token")) }: UnknownParticipant(ParticipantId("zed"))
        rejected Assign { participant: ParticipantId("ana"), role: RoleId("security") }: OneRoleEach
        rejected Assign { participant: ParticipantId("ana"), role: RoleId("compliance") }: RoleNotInPlay(RoleId("compliance"))
        rejected SetSpeed(Speed(10)): BadSpeed(Speed(10))
        rejected SeekTo(ScenarioMs(0)): SeekBackwards"#]]
    .assert_eq(&rejected.join("\n"));
    // The retry of c5 returns the first outcome (same event, same seq), and sam's second revocation is
    // recorded as duplicated effort.
    let acted: Vec<&str> = trace.lines().filter(|l| l.contains("Acted")).collect();
    expect![[r#"
        T+00:00:02 #9 [all] Acted ana as platform: revoke_token
        T+00:00:04 #10 [all] Acted sam as security: revoke_token (repeat)"#]]
    .assert_eq(&acted.join("\n"));
}

#[test]
fn facilitator_steers_hold_release_skip_fire_seek_speed() {
    let mut steps = roster();
    steps.extend([
        (1, Actor::Facilitator, Command::HoldInject(InjectId("still_live".into()))),
        (2, Actor::Facilitator, Command::SetSpeed(Speed::times(60).expect("60x"))),
        (12, Actor::Facilitator, Command::ReleaseInject(InjectId("still_live".into()))),
        (13, Actor::Facilitator, Command::FireInject(InjectId("still_live".into()))),
        (13, Actor::Facilitator, Command::SkipInject(InjectId("revoked".into()))),
        (13, Actor::Facilitator, Command::Pause),
        (14, Actor::Facilitator, Command::SeekTo(ScenarioMs::from_mins(20))),
        (
            14,
            Actor::Facilitator,
            Command::Note { kind: NoteKind::Observation, text: "Nobody revoked".into() },
        ),
        (
            14,
            Actor::Facilitator,
            Command::AddInject(AdHocInject {
                title: "CEO asks".into(),
                channel: crate::Channel::Chat,
                to: vec![RoleId("platform".into())],
                body: "Are we ok?".into(),
            }),
        ),
        (15, Actor::Facilitator, Command::End),
    ]);
    let trace = run(MINIMAL, &steps, 20);
    let tail: Vec<&str> = trace.lines().skip(7).collect();
    expect![[r#"
        T+00:00:00 #8 [platform,security] ActionOpened { action: ActionId("revoke_token"), visible_to: [RoleId("platform"), RoleId("security")] }
        T+00:00:01 #9 [facilitator] InjectHeld(InjectId("still_live"))
        T+00:00:02 #10 [all] SpeedChanged(Speed(60000))
        T+00:10:02 #11 [facilitator] InjectReleased(InjectId("still_live"))
        T+00:10:02 #12 [platform] InjectFired still_live by Trigger to platform offers [revoke_token]
        rejected FireInject(InjectId("still_live")): InjectNotPending(InjectId("still_live"))
        T+00:11:02 #13 [facilitator] InjectSkipped(InjectId("revoked"))
        T+00:11:02 #14 [all] Paused
        T+00:15:00 #15 [platform,security] ActionOverdue(ActionId("revoke_token"))
        T+00:20:00 #16 [all] Seeked { from: ScenarioMs(662000), to: ScenarioMs(1200000) }
        T+00:20:00 #17 [facilitator] Noted { kind: Observation, text: "Nobody revoked" }
        T+00:20:00 #18 [platform] InjectFired adhoc-1 by Facilitator to platform offers []
        T+00:20:00 #19 [all] Ended { missed: [ActionId("revoke_token"), ActionId("review_audit_log")] }"#]]
    .assert_eq(&tail.join("\n"));
}

#[test]
fn an_inject_released_while_paused_after_its_due_time_fires_on_resume_not_in_the_past() {
    // Found by the property test: held past its due time, released while paused, then resumed (or
    // seeked): it fires when the clock runs again, never stamped before the events already logged.
    let mut steps = roster();
    steps.extend([
        (1, Actor::Facilitator, Command::HoldInject(InjectId("still_live".into()))),
        (2, Actor::Facilitator, Command::SetSpeed(Speed::times(60).expect("60x"))),
        (12, Actor::Facilitator, Command::Pause),
        (13, Actor::Facilitator, Command::ReleaseInject(InjectId("still_live".into()))),
        (14, Actor::Facilitator, Command::Resume),
    ]);
    let trace = run(MINIMAL, &steps, 14);
    let tail: Vec<&str> = trace.lines().skip(9).collect();
    expect![[r#"
        T+00:00:02 #10 [all] SpeedChanged(Speed(60000))
        T+00:10:02 #11 [all] Paused
        T+00:10:02 #12 [facilitator] InjectReleased(InjectId("still_live"))
        T+00:10:02 #13 [all] Resumed
        T+00:10:02 #14 [platform] InjectFired still_live by Trigger to platform offers [revoke_token]"#]]
    .assert_eq(&tail.join("\n"));
}

#[test]
fn next_deadline_names_the_next_timer_and_sleeps_while_paused() {
    let mut drill = Drill::new(scenario(MINIMAL), setup());
    assert_eq!(drill.next_deadline(), None, "not started");
    let start =
        drill.input(&Input::Command { now: WallMs(0), actor: Actor::Facilitator, command: Command::Start });
    assert_eq!(start.rejection, None);
    assert_eq!(
        drill.next_deadline(),
        Some((WallMs(600_000), DeadlineReason::Inject(InjectId("still_live".into()))))
    );
    drill.input(&Input::Timeout { now: WallMs(599_999) });
    assert_eq!(
        drill.input(&Input::Timeout { now: WallMs(599_999) }).events,
        vec![],
        "early or repeated calls do nothing"
    );
    let pause = drill.input(&Input::Command {
        now: WallMs(600_001),
        actor: Actor::Facilitator,
        command: Command::Pause,
    });
    assert_eq!(pause.rejection, None);
    assert_eq!(drill.next_deadline(), None, "paused");
}

// Property tests over random command sequences.

fn command_strategy() -> impl Strategy<Value = (u64, Actor, Command)> {
    let people = ["ana", "sam", "lee"];
    let roles =
        ["developer", "security", "platform", "incident_commander", "risk_owner", "compliance", "nobody"];
    let scenario = scenario(LEAKED);
    let actions: Vec<String> =
        scenario.actions.iter().map(|a| a.id.0.clone()).chain(["nope".to_owned()]).collect();
    let injects: Vec<String> = scenario.injects.iter().map(|i| i.id.0.clone()).collect();
    let actor = prop_oneof![Just(Actor::Facilitator), prop::sample::select(people.to_vec()).prop_map(p)];
    let role = prop::sample::select(roles.to_vec()).prop_map(|r| RoleId(r.to_owned()));
    let action = prop::sample::select(actions);
    let inject = prop::sample::select(injects).prop_map(InjectId);
    let command = prop_oneof![
        Just(Command::Start),
        Just(Command::Pause),
        Just(Command::Resume),
        Just(Command::End),
        Just(Command::SeekNextInject),
        Just(Command::Leave),
        (1u32..200_000).prop_map(|s| Command::SetSpeed(Speed(s))),
        (0u64..8_000_000).prop_map(|t| Command::SeekTo(ScenarioMs(t))),
        inject.clone().prop_map(Command::FireInject),
        inject.clone().prop_map(Command::HoldInject),
        inject.clone().prop_map(Command::ReleaseInject),
        inject.prop_map(Command::SkipInject),
        prop::sample::select(people.to_vec()).prop_map(|n| Command::Join { name: n.to_owned() }),
        (prop::sample::select(people.to_vec()), role.clone())
            .prop_map(|(who, role)| Command::Assign { participant: ParticipantId(who.to_owned()), role }),
        (prop::sample::select(people.to_vec()), role.clone())
            .prop_map(|(who, role)| Command::Unassign { participant: ParticipantId(who.to_owned()), role }),
        (0u8..6, role.clone(), action.clone()).prop_map(|(c, role, a)| Command::Act {
            client_id: format!("c{c}"),
            role,
            action: ActionRef::Scenario(ActionId(a))
        }),
        (0u8..6, role.clone(), action).prop_map(|(c, role, a)| Command::Act {
            client_id: format!("b{c}"),
            role: role.clone(),
            action: ActionRef::Builtin(Builtin::Notify {
                to: role,
                about: Some(ActionId(a)),
                text: "fyi".into()
            }),
        }),
    ];
    // Wall-time steps, sometimes zero, sometimes long; occasionally a regressing step to test clamping.
    (0u64..900_000, actor, command)
}

fn drive(inputs: &[Input]) -> (Drill, Vec<Event>) {
    let mut drill =
        Drill::new(scenario(LEAKED), DrillSetup { roles_per_participant: RolePolicy::Many, ..setup() });
    let mut events = Vec::new();
    for input in inputs {
        events.extend(drill.input(input).events);
    }
    (drill, events)
}

fn to_inputs(steps: &[(u64, Actor, Command)]) -> Vec<Input> {
    let mut now = 0;
    let mut inputs = Vec::new();
    for (dt, actor, command) in steps {
        now += dt;
        inputs.push(Input::Timeout { now: WallMs(now) });
        inputs.push(Input::Command { now: WallMs(now), actor: actor.clone(), command: command.clone() });
    }
    inputs
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn replay_equals_live_and_time_is_monotonic(steps in prop::collection::vec(command_strategy(), 0..60)) {
        let inputs = to_inputs(&steps);
        let (live, events) = drive(&inputs);
        let (replayed, replay_events) = drive(&inputs);
        prop_assert_eq!(&events, &replay_events);
        prop_assert_eq!(live.actions(), replayed.actions());
        prop_assert_eq!(live.state(), replayed.state());
        // Sequence numbers are dense and event times never go backwards... except that an event's time is
        // its due time, which never precedes the previous one either.
        for (i, e) in events.iter().enumerate() {
            prop_assert_eq!(e.seq, i as u64 + 1);
        }
        for w in events.windows(2) {
            prop_assert!(w[0].at <= w[1].at, "time went backwards: {} then {}", w[0], w[1]);
        }
        // Private injects reach only their recipients.
        for e in &events {
            if let EventKind::InjectFired { to, .. } = &e.kind {
                prop_assert_eq!(&e.audience, &Audience::Roles(to.clone()));
            }
        }
    }

    #[test]
    fn what_a_live_runtime_logs_replays_to_the_same_events(
        steps in prop::collection::vec(command_strategy(), 0..60)
    ) {
        // Commands arrive without a timeout before them (timers fire inside the command's input) and
        // some are retried; only what `loggable` says is logged; retries and rejections log no command.
        let mut live = Drill::new(scenario(LEAKED), DrillSetup { roles_per_participant: RolePolicy::Many, ..setup() });
        let (mut log, mut events) = (Vec::new(), Vec::new());
        let mut now = 0;
        for (k, (dt, actor, command)) in steps.iter().enumerate() {
            now += dt;
            let input = Input::Command { now: WallMs(now), actor: actor.clone(), command: command.clone() };
            for _ in 0..(1 + k % 2) {
                let outcome = live.input(&input);
                prop_assert!(!outcome.retry || outcome.events.is_empty());
                if let Some(logged) = outcome.loggable(&input) {
                    log.push(logged);
                }
                events.extend(outcome.events);
            }
        }
        let (replayed, replay_events) = drive(&log);
        prop_assert_eq!(&events, &replay_events);
        prop_assert_eq!(live.actions(), replayed.actions());
        prop_assert_eq!(live.state(), replayed.state());
        prop_assert_eq!(live.next_seq(), replayed.next_seq());
    }

    #[test]
    fn retries_are_idempotent(steps in prop::collection::vec(command_strategy(), 0..40)) {
        // Sending every command twice gives the same events as sending it once.
        let once = to_inputs(&steps);
        let twice: Vec<Input> = once.iter().flat_map(|i| match i {
            Input::Command { command: Command::Act { .. }, .. } => vec![i.clone(), i.clone()],
            other => vec![other.clone()],
        }).collect();
        let (a, ev_once) = drive(&once);
        let (b, _) = drive(&twice);
        prop_assert_eq!(a.actions(), b.actions());
        prop_assert_eq!(a.next_seq(), b.next_seq());
        let acted = |d: &Drill| d.actions().iter().filter(|s| matches!(s.phase, ActionPhase::Done { .. })).count();
        prop_assert_eq!(acted(&a), acted(&b));
        prop_assert!(ev_once.len() as u64 + 1 == a.next_seq());
    }

    #[test]
    fn scenario_time_is_monotonic_under_pause_resume_speed_and_seek(
        steps in prop::collection::vec(command_strategy(), 0..80)
    ) {
        let mut drill = Drill::new(scenario(LEAKED), setup());
        let mut last = ScenarioMs::ZERO;
        let mut now = 0;
        for (dt, actor, command) in steps {
            now += dt;
            let _ = drill.input(&Input::Command { now: WallMs(now), actor, command });
            let t = drill.scenario_time(WallMs(now));
            prop_assert!(t >= last, "scenario time went from {last} to {t}");
            last = t;
        }
    }
}

// The contract a live runtime relies on.

fn cmd(s: u64, actor: Actor, command: Command) -> Input {
    Input::Command { now: WallMs(1_000_000 + s * 1000), actor, command }
}

/// Feeds inputs as a live runtime does: logs what `Outcome::loggable` says, nothing for a retry.
fn live(drill: &mut Drill, inputs: &[Input], log: &mut Vec<Input>, events: &mut Vec<Event>) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for input in inputs {
        let outcome = drill.input(input);
        if let Some(logged) = outcome.loggable(input) {
            log.push(logged);
        }
        events.extend(outcome.events.iter().cloned());
        outcomes.push(outcome);
    }
    outcomes
}

fn replays(log: &[Input], events: &[Event]) {
    let mut fresh = Drill::new(scenario(MINIMAL), setup());
    let replayed: Vec<Event> = log.iter().flat_map(|i| fresh.input(i).events).collect();
    assert_eq!(replayed, events, "the log replays to the live events");
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.seq, i as u64 + 1, "sequence numbers are dense and in order");
    }
}

#[test]
fn a_retry_after_an_escalation_fell_due_changes_nothing_and_repeats_the_first_ack() {
    let mut drill = Drill::new(scenario(MINIMAL), setup());
    let (mut log, mut events) = (Vec::new(), Vec::new());
    let setup_inputs: Vec<Input> = roster().into_iter().map(|(s, a, c)| cmd(s, a, c)).collect();
    live(&mut drill, &setup_inputs, &mut log, &mut events);
    // Security reviews nothing yet; platform acknowledges the report at T+1m.
    let ack = Command::Act {
        client_id: "k1".into(),
        role: RoleId("platform".into()),
        action: ActionRef::Builtin(Builtin::Acknowledge { inject: InjectId("report".into()) }),
    };
    let first = live(&mut drill, &[cmd(60, p("ana"), ack.clone())], &mut log, &mut events).remove(0);
    assert!(!first.retry);
    let first_ack = first.ack.expect("acknowledged");
    assert!(matches!(events.last().map(|e| &e.kind), Some(EventKind::Acted { .. })));
    // The retry comes at T+11m, after the escalation `still_live` fell due at T+10m (no timeout fed it).
    let n_events = events.len();
    let retry = live(&mut drill, &[cmd(660, p("ana"), ack)], &mut log, &mut events).remove(0);
    assert!(retry.retry, "recognised as a retry");
    assert_eq!(retry.ack, Some(first_ack), "answered with the first outcome");
    assert_eq!(retry.events, vec![], "nothing new");
    assert_eq!(events.len(), n_events);
    // The escalation fires with the next real input, in order.
    let later =
        live(&mut drill, &[Input::Timeout { now: WallMs(1_000_000 + 661_000) }], &mut log, &mut events);
    assert!(
        later[0]
            .events
            .iter()
            .any(|e| matches!(&e.kind, EventKind::InjectFired { inject, .. } if inject.0 == "still_live"))
    );
    replays(&log, &events);
}

#[test]
fn a_refused_command_that_fired_timers_is_logged_as_a_timeout_and_replays() {
    let mut drill = Drill::new(scenario(MINIMAL), setup());
    let (mut log, mut events) = (Vec::new(), Vec::new());
    let setup_inputs: Vec<Input> = roster().into_iter().map(|(s, a, c)| cmd(s, a, c)).collect();
    live(&mut drill, &setup_inputs, &mut log, &mut events);
    // Sam acts as a role he does not hold, after the escalation fell due: refused, but the escalation fires.
    let bad = cmd(700, p("sam"), act("c9", "platform", "revoke_token"));
    let outcome = live(&mut drill, std::slice::from_ref(&bad), &mut log, &mut events).remove(0);
    assert_eq!(outcome.rejection, Some(Rejection::RoleNotHeld(RoleId("platform".into()))));
    assert!(!outcome.events.is_empty(), "the escalation fired first");
    assert_eq!(log.last(), Some(&Input::Timeout { now: WallMs(1_700_000) }));
    // A refused command with nothing due logs nothing.
    let again = cmd(701, p("sam"), act("c10", "platform", "revoke_token"));
    let n_log = log.len();
    let outcome = live(&mut drill, &[again], &mut log, &mut events).remove(0);
    assert!(outcome.rejection.is_some() && outcome.events.is_empty());
    assert_eq!(log.len(), n_log);
    // A refused Act is not remembered: the same client id tried again as the right role goes through.
    let right = cmd(702, p("ana"), act("c10", "platform", "revoke_token"));
    let outcome = live(&mut drill, &[right], &mut log, &mut events).remove(0);
    assert_eq!(outcome.rejection, None);
    assert!(outcome.ack.is_some());
    replays(&log, &events);
}

#[test]
fn messages_reach_the_sender_and_the_target_lifecycle_reaches_everyone() {
    let mut drill = Drill::new(scenario(MINIMAL), setup());
    let (mut log, mut events) = (Vec::new(), Vec::new());
    let setup_inputs: Vec<Input> = roster().into_iter().map(|(s, a, c)| cmd(s, a, c)).collect();
    live(&mut drill, &setup_inputs, &mut log, &mut events);
    let notify = Command::Act {
        client_id: "n1".into(),
        role: RoleId("platform".into()),
        action: ActionRef::Builtin(Builtin::Notify {
            to: RoleId("security".into()),
            about: None,
            text: "revoking".into(),
        }),
    };
    let steps = [
        cmd(10, p("ana"), notify),
        cmd(20, p("ana"), act("c1", "platform", "revoke_token")),
        cmd(30, Actor::Facilitator, Command::Pause),
        cmd(40, Actor::Facilitator, Command::Resume),
        cmd(50, Actor::Facilitator, Command::SetSpeed(Speed(2000))),
        Input::Timeout { now: WallMs(1_000_000 + 200_000) },
    ];
    for outcome in live(&mut drill, &steps, &mut log, &mut events) {
        assert_eq!(outcome.rejection, None);
    }
    let audience_of = |pred: &dyn Fn(&EventKind) -> bool| {
        events.iter().find(|e| pred(&e.kind)).map(|e| e.audience.clone()).expect("event present")
    };
    let roles = |r: &[&str]| Audience::Roles(r.iter().map(|r| RoleId((*r).to_owned())).collect());
    assert_eq!(
        audience_of(&|k| matches!(
            k,
            EventKind::Acted { action: ActionRef::Builtin(Builtin::Notify { .. }), .. }
        )),
        roles(&["platform", "security"])
    );
    assert_eq!(
        audience_of(&|k| matches!(k, EventKind::Acted { action: ActionRef::Scenario(_), .. })),
        Audience::Everyone
    );
    // The seed and the drawn secret values stay with the facilitator; everyone learns the drill began.
    assert_eq!(audience_of(&|k| matches!(k, EventKind::Started { .. })), Audience::Facilitator);
    for lifecycle in [
        &(|k: &EventKind| *k == EventKind::Began) as &dyn Fn(&EventKind) -> bool,
        &|k| *k == EventKind::Paused,
        &|k| *k == EventKind::Resumed,
        &|k| matches!(k, EventKind::SpeedChanged(_)),
    ] {
        assert_eq!(audience_of(lifecycle), Audience::Everyone);
    }
    // A participant's roles: a platform engineer does not see the security-only inject.
    let revoked =
        audience_of(&|k| matches!(k, EventKind::InjectFired { inject, .. } if inject.0 == "revoked"));
    assert!(!revoked.admits(&[RoleId("platform".into())]));
    assert!(revoked.admits(&[RoleId("security".into())]));
    replays(&log, &events);
}

#[test]
fn the_end_of_the_nominal_duration_is_an_event_and_a_deadline() {
    let mut drill = Drill::new(scenario(MINIMAL), setup());
    let (mut log, mut events) = (Vec::new(), Vec::new());
    let setup_inputs: Vec<Input> = roster().into_iter().map(|(s, a, c)| cmd(s, a, c)).collect();
    live(&mut drill, &setup_inputs, &mut log, &mut events);
    live(&mut drill, &[cmd(60, p("ana"), act("c1", "platform", "revoke_token"))], &mut log, &mut events);
    live(&mut drill, &[cmd(200, p("sam"), act("c2", "security", "review_audit_log"))], &mut log, &mut events);
    // The escalation is averted at its time; then nothing else is scheduled but the 30-minute mark.
    let averted =
        live(&mut drill, &[Input::Timeout { now: WallMs(1_000_000 + 600_000) }], &mut log, &mut events);
    assert!(matches!(averted[0].events[0].kind, EventKind::EscalationAverted { .. }));
    assert_eq!(drill.next_deadline(), Some((WallMs(1_000_000 + 1_800_000), DeadlineReason::DurationReached)));
    let out =
        live(&mut drill, &[Input::Timeout { now: WallMs(1_000_000 + 1_800_000) }], &mut log, &mut events);
    let reached = &out[0].events;
    assert_eq!(reached.len(), 1);
    assert_eq!(reached[0].kind, EventKind::DurationReached);
    assert_eq!(reached[0].audience, Audience::Facilitator);
    assert_eq!(reached[0].at, ScenarioMs(1_800_000));
    assert_eq!(drill.next_deadline(), None, "reached once");
    assert_eq!(drill.state(), DrillState::Running, "the facilitator ends it");
    replays(&log, &events);
}

#[test]
fn rules_1_drills_keep_their_audiences_and_have_no_new_events() {
    let setup = DrillSetup { rules: 1, ..setup() };
    let mut drill = Drill::new(scenario(MINIMAL), setup);
    let mut events = Vec::new();
    for (s, a, c) in roster() {
        events.extend(drill.input(&cmd(s, a, c)).events);
    }
    let notify = Command::Act {
        client_id: "n1".into(),
        role: RoleId("platform".into()),
        action: ActionRef::Builtin(Builtin::Notify {
            to: RoleId("security".into()),
            about: None,
            text: "x".into(),
        }),
    };
    events.extend(drill.input(&cmd(10, p("ana"), notify)).events);
    events.extend(drill.input(&Input::Timeout { now: WallMs(1_000_000 + 7_200_000) }).events);
    assert!(!events.iter().any(|e| matches!(e.kind, EventKind::Began | EventKind::DurationReached)));
    let acted = events.iter().find(|e| matches!(e.kind, EventKind::Acted { .. })).expect("acted");
    assert_eq!(acted.audience, Audience::Everyone);
    // A setup stored before `rules` existed reads as rules 1.
    let old: DrillSetup =
        serde_json::from_str(r#"{"seed":7,"speed":1000,"roles_per_participant":"One"}"#).expect("old setup");
    assert_eq!(old.rules, 1);
}

#[test]
fn the_inject_status_says_fired_upcoming_held_waiting_and_why() {
    let mut drill = Drill::new(scenario(MINIMAL), setup());
    let mut events = Vec::new();
    for (s, a, c) in roster() {
        events.extend(drill.input(&cmd(s, a, c)).events);
    }
    let show = |d: &Drill| {
        d.inject_status().iter().map(|s| format!("{} {:?}", s.id, s.state)).collect::<Vec<_>>().join("\n")
    };
    expect![[r#"
        report Fired { at: ScenarioMs(0), by: Trigger }
        still_live Upcoming { at: ScenarioMs(600000), why: UnlessDone { action: ActionId("revoke_token") } }
        revoked Waiting { on: Action { action: ActionId("revoke_token"), delay: ScenarioMs(60000) } }"#]]
    .assert_eq(&show(&drill));
    drill.input(&cmd(30, Actor::Facilitator, Command::HoldInject(InjectId("still_live".into()))));
    drill.input(&cmd(60, p("ana"), act("c1", "platform", "revoke_token")));
    expect![[r#"
        report Fired { at: ScenarioMs(0), by: Trigger }
        still_live Held { due: Some(ScenarioMs(600000)) }
        revoked Upcoming { at: ScenarioMs(120000), why: AfterAction { action: ActionId("revoke_token") } }"#]]
    .assert_eq(&show(&drill));
    assert!(
        drill.inject_status()[0].title.starts_with("Token ghp_"),
        "titles are filled for the facilitator"
    );
}

#[test]
fn the_seed_travels_as_text_and_old_numbers_still_read() {
    let started = EventKind::Started { seed: u64::MAX, variables: Vec::new() };
    let json = serde_json::to_string(&started).expect("json");
    assert_eq!(json, r#"{"Started":{"seed":"18446744073709551615","variables":[]}}"#);
    let old: EventKind = serde_json::from_str(r#"{"Started":{"seed":7,"variables":[]}}"#).expect("old");
    assert_eq!(old, EventKind::Started { seed: 7, variables: Vec::new() });
    assert_eq!(serde_json::from_str::<EventKind>(&json).expect("new"), started);
}
