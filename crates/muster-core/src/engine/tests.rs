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
    DrillSetup { seed: 7, speed: Speed::REAL_TIME, roles_per_participant: RolePolicy::One }
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
            lines.extend(drill.handle_timeout(at).iter().map(ToString::to_string));
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
            T+00:00:00 #6 [platform,security] InjectFired report by Trigger to platform,security offers [revoke_token]
            T+00:00:00 #7 [platform,security] ActionOpened { action: ActionId("revoke_token"), visible_to: [RoleId("platform"), RoleId("security")] }
            T+00:02:00 #8 [all] Acted ana as platform: revoke_token
            T+00:03:00 #9 [security] InjectFired revoked by Trigger to security offers [review_audit_log]
            T+00:03:00 #10 [security] ActionOpened { action: ActionId("review_audit_log"), visible_to: [RoleId("security")] }
            T+00:05:00 #11 [all] Acted sam as security: review_audit_log
            T+00:05:10 #12 [all] Ended { missed: [] }"#]],
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
            T+00:00:00 #6 [platform,security] InjectFired report by Trigger to platform,security offers [revoke_token]
            T+00:00:00 #7 [platform,security] ActionOpened { action: ActionId("revoke_token"), visible_to: [RoleId("platform"), RoleId("security")] }
            T+00:10:00 #8 [platform] InjectFired still_live by Trigger to platform offers [revoke_token]
            T+00:15:00 #9 [platform,security] ActionOverdue(ActionId("revoke_token"))
            T+00:16:40 #10 [all] Acted ana as platform: revoke_token
            T+00:17:40 #11 [security] InjectFired revoked by Trigger to security offers [review_audit_log]
            T+00:17:40 #12 [security] ActionOpened { action: ActionId("review_audit_log"), visible_to: [RoleId("security")] }
            T+00:25:00 #13 [security] ActionOverdue(ActionId("review_audit_log"))
            T+00:28:20 #14 [all] Ended { missed: [ActionId("review_audit_log")] }"#]],
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
        T+00:00:02 #8 [all] Acted ana as platform: revoke_token
        T+00:00:02 #8 [all] Acted ana as platform: revoke_token
        T+00:00:04 #9 [all] Acted sam as security: revoke_token (repeat)"#]]
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
        T+00:00:01 #8 [facilitator] InjectHeld(InjectId("still_live"))
        T+00:00:02 #9 [all] SpeedChanged(Speed(60000))
        T+00:10:02 #10 [facilitator] InjectReleased(InjectId("still_live"))
        T+00:10:02 #11 [platform] InjectFired still_live by Trigger to platform offers [revoke_token]
        rejected FireInject(InjectId("still_live")): InjectNotPending(InjectId("still_live"))
        T+00:11:02 #12 [facilitator] InjectSkipped(InjectId("revoked"))
        T+00:11:02 #13 [all] Paused
        T+00:15:00 #14 [platform,security] ActionOverdue(ActionId("revoke_token"))
        T+00:20:00 #15 [all] Seeked { from: ScenarioMs(662000), to: ScenarioMs(1200000) }
        T+00:20:00 #16 [facilitator] Noted { kind: Observation, text: "Nobody revoked" }
        T+00:20:00 #17 [platform] InjectFired adhoc-1 by Facilitator to platform offers []
        T+00:20:00 #18 [all] Ended { missed: [ActionId("revoke_token"), ActionId("review_audit_log")] }"#]]
    .assert_eq(&tail.join("\n"));
}

#[test]
fn next_deadline_names_the_next_timer_and_sleeps_while_paused() {
    let mut drill = Drill::new(scenario(MINIMAL), setup());
    assert_eq!(drill.next_deadline(), None, "not started");
    drill.handle(WallMs(0), &Actor::Facilitator, &Command::Start).expect("start");
    assert_eq!(
        drill.next_deadline(),
        Some((WallMs(600_000), DeadlineReason::Inject(InjectId("still_live".into()))))
    );
    drill.handle_timeout(WallMs(599_999));
    assert_eq!(drill.handle_timeout(WallMs(599_999)), vec![], "early or repeated calls do nothing");
    drill.handle(WallMs(600_001), &Actor::Facilitator, &Command::Pause).expect("pause");
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
