//! Golden scoring tests: scripted drills of the `triage` fixture, each with its expectations computed by
//! hand (the comments show the arithmetic), plus the whole finding list as a reviewed snapshot.
//!
//! Worth = weight × 10: revoke 300, request_exception 100, approve_exception 100, verify 200, notify 100.
//! Parts: done 40 %, owner 20 %, on time 20 %, order 10 %, told 10 % (see `RULES`).

use expect_test::{Expect, expect};

use super::*;
use crate::engine::{
    ActionRef, Actor, Builtin, Command, Drill, DrillSetup, Input, RolePolicy, Speed, WallMs,
};
use crate::{load_model, load_scenario};

const MODEL: &str = include_str!("../../../../scenarios/model.ron");
const TRIAGE: &str = include_str!("../../../../tests/data/score/triage.ron");

/// Who plays what: participant id, name, role.
const CAST: [(&str, &str, &str); 5] = [
    ("p1", "Pia", "platform"),
    ("p2", "Sam", "security"),
    ("p3", "Dev", "developer"),
    ("p4", "Rita", "risk_owner"),
    ("p5", "Ike", "incident_commander"),
];

/// A scripted move: at scenario second `s`, participant `who` does `what` as `role`.
struct Move {
    s: u64,
    who: &'static str,
    role: &'static str,
    what: ActionRef,
}

fn m(s: u64, who: &'static str, role: &'static str, what: ActionRef) -> Move {
    Move { s, who, role, what }
}

fn does(action: &str) -> ActionRef {
    ActionRef::Scenario(ActionId(action.into()))
}

fn tell(to: &str, about: &str) -> ActionRef {
    ActionRef::Builtin(Builtin::Notify {
        to: RoleId(to.into()),
        about: Some(ActionId(about.into())),
        text: "fyi".into(),
    })
}

fn hand(action: &str, to: &str) -> ActionRef {
    ActionRef::Builtin(Builtin::HandOff {
        action: ActionId(action.into()),
        to: RoleId(to.into()),
        text: "yours".into(),
    })
}

fn ask(to: &str, about: &str) -> ActionRef {
    ActionRef::Builtin(Builtin::RequestApproval {
        to: RoleId(to.into()),
        about: Some(ActionId(about.into())),
        text: "please approve".into(),
    })
}

const MIN: u64 = 60;

fn model() -> ResponsibilityModel {
    load_model(MODEL).value.expect("model")
}

/// Runs the moves (with the `CAST` joined and assigned, or `cast` when given) on a fresh drill at real
/// time, waking it at every deadline like the runtime does, ends it at `end_s`, and scores the log.
fn drill_with(cast: &[(&str, &str, &[&str])], moves: &[Move], end_s: u64) -> (Score, Vec<Event>) {
    // Rules 2: these moves include segregation-of-duties violations, which rules 3 refuses up front; the
    // scorer still has to find them in drills stored before (`sod_is_enforced_from_rules_3` below).
    let (score, events, refused) = run_moves(2, cast, moves, end_s);
    assert_eq!(refused, [], "moves were refused");
    (score, events)
}

/// Like [`drill_with`] under the given engine rules; returns the moves refused (index, reason).
fn run_moves(
    rules: u32,
    cast: &[(&str, &str, &[&str])],
    moves: &[Move],
    end_s: u64,
) -> (Score, Vec<Event>, Vec<(usize, String)>) {
    let model = model();
    let scenario = load_scenario(TRIAGE, &model).scenario.expect("fixture loads");
    let setup = DrillSetup { rules, ..DrillSetup::new(1, Speed::REAL_TIME, RolePolicy::Many) };
    let mut drill = Drill::new(scenario.clone(), setup);
    let mut events = Vec::new();
    let mut refused = Vec::new();
    let base = 1_000_000;
    let mut feed = |drill: &mut Drill, s: u64, actor: Actor, command: Command| -> Option<String> {
        let now = WallMs(base + s * 1000);
        while let Some((at, _)) = drill.next_deadline().filter(|(at, _)| *at <= now) {
            events.extend(drill.input(&Input::Timeout { now: at }).events);
        }
        let outcome = drill.input(&Input::Command { now, actor, command: command.clone() });
        events.extend(outcome.events);
        outcome.rejection.map(|r| r.to_string())
    };
    for (id, name, roles) in cast {
        let pid = ParticipantId((*id).into());
        let joined =
            feed(&mut drill, 0, Actor::Participant(pid.clone()), Command::Join { name: (*name).into() });
        assert_eq!(joined, None);
        for role in *roles {
            let command = Command::Assign { participant: pid.clone(), role: RoleId((*role).into()) };
            assert_eq!(feed(&mut drill, 0, Actor::Facilitator, command), None);
        }
    }
    assert_eq!(feed(&mut drill, 0, Actor::Facilitator, Command::Start), None);
    for (k, mv) in moves.iter().enumerate() {
        let command = Command::Act {
            client_id: format!("c{k}"),
            role: RoleId(mv.role.into()),
            action: mv.what.clone(),
        };
        if let Some(r) = feed(&mut drill, mv.s, Actor::Participant(ParticipantId(mv.who.into())), command) {
            refused.push((k, r));
        }
    }
    assert_eq!(feed(&mut drill, end_s, Actor::Facilitator, Command::End), None);
    (score(&scenario, &model, &events), events, refused)
}

fn drill(moves: &[Move], end_s: u64) -> Score {
    let cast: Vec<(&str, &str, &[&str])> =
        CAST.iter().map(|(id, name, role)| (*id, *name, std::slice::from_ref(role))).collect();
    drill_with(&cast, moves, end_s).0
}

/// The moves of a team that does everything right: owners act on time, consult before and inform after.
fn perfect_moves() -> Vec<Move> {
    vec![
        m(4 * MIN, "p1", "platform", tell("incident_commander", "revoke")),
        m(5 * MIN, "p1", "platform", does("revoke")),
        // `revoked` fires at 6m: request_exception and verify open.
        m(8 * MIN, "p2", "security", tell("platform", "verify")),
        m(10 * MIN, "p2", "security", does("verify")),
        m(11 * MIN, "p2", "security", tell("incident_commander", "verify")),
        m(12 * MIN, "p3", "developer", does("request_exception")),
        m(12 * MIN + 30, "p3", "developer", tell("incident_commander", "request_exception")),
        // `exception` fires at 13m: approve_exception opens.
        m(14 * MIN, "p4", "risk_owner", tell("security", "approve_exception")),
        m(15 * MIN, "p4", "risk_owner", does("approve_exception")),
        m(15 * MIN + 30, "p4", "risk_owner", tell("incident_commander", "approve_exception")),
        // `press` fires at 20m: notify opens.
        m(21 * MIN, "p4", "risk_owner", tell("incident_commander", "notify")),
        m(21 * MIN, "p4", "risk_owner", tell("security", "notify")),
        m(22 * MIN, "p4", "risk_owner", does("notify")),
        m(23 * MIN, "p4", "risk_owner", tell("developer", "notify")),
        m(23 * MIN, "p4", "risk_owner", tell("platform", "notify")),
    ]
}

/// One line per finding: rule, kind, action, points of max, events; then the team, objectives.
fn render(s: &Score) -> String {
    let mut out: Vec<String> = s
        .findings
        .iter()
        .map(|f| {
            let action = f.action.as_ref().map_or("-", ActionId::as_str);
            format!("{:?} {:?} {action} {}/{} {:?}", f.rule, f.kind, f.points, f.max, f.events)
        })
        .collect();
    let t = &s.team;
    out.push(format!(
        "team {} ({}/{}), done {}/{}, right owner {}, on time {}, sod {}, not in play {}",
        t.score,
        t.earned,
        t.possible,
        t.done,
        t.in_play,
        t.right_owner,
        t.on_time,
        t.sod_violations,
        t.not_in_play
    ));
    for o in &s.objectives {
        out.push(format!("{} {} {}/{}: {}", o.id, o.rating.letter(), o.earned, o.possible, o.reason));
    }
    out.join("\n")
}

fn check(s: &Score, expect: Expect) {
    expect.assert_eq(&render(s));
}

fn rating(s: &Score, id: &str) -> Rating {
    s.objectives.iter().find(|o| o.id.as_str() == id).expect("objective").rating
}

fn finding<'a>(s: &'a Score, kind: FindingKind, action: &str) -> &'a Finding {
    s.findings
        .iter()
        .find(|f| f.kind == kind && f.action.as_ref().is_some_and(|a| a.as_str() == action))
        .unwrap_or_else(|| panic!("no {kind:?} finding for {action}"))
}

#[test]
fn a_perfect_run_scores_100() {
    let s = drill(&perfect_moves(), 30 * MIN);
    // Every part of every action: 800 of 800.
    assert_eq!((s.team.score, s.team.earned, s.team.possible), (100, 800, 800));
    assert_eq!((s.team.done, s.team.in_play, s.team.right_owner, s.team.on_time), (5, 5, 5, 5));
    assert_eq!(s.team.coverage(), 1.0);
    assert_eq!((rating(&s, "contain"), rating(&s, "decide")), (Rating::Performed, Rating::Performed));
    // revoke: done 40 % of 300 = 120, + order 30 (no prerequisites) = 150; owner 60; on time 60; told 30.
    assert_eq!(finding(&s, FindingKind::Done, "revoke").points, 150);
    assert_eq!(
        finding(&s, FindingKind::OnTime, "revoke").text,
        "Platform / operations engineer (Pia) did “Revoke the leaked key” at T+00:05:00, deadline T+00:15:00: +60 of 60"
    );
    // notify's told part (10) is split over 4 roles: 3, 3, 2, 2.
    let told: Vec<i64> = s
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::Told && f.action.as_ref().is_some_and(|a| a.as_str() == "notify"))
        .map(|f| f.points)
        .collect();
    assert_eq!(told, [3, 3, 2, 2]);
    // Both separate-actor rules were exercised and kept; nothing was penalised.
    assert_eq!(s.findings.iter().filter(|f| f.kind == FindingKind::SodKept).count(), 2);
    assert!(s.findings.iter().all(|f| f.points >= 0 && f.tone == Tone::Strength));
    assert_eq!(s.metrics.time_to_contain, Some(ScenarioMs::from_mins(5)));
    assert_eq!(s.metrics.time_to_notify, Some(ScenarioMs::from_mins(22)));
    check(
        &s,
        expect![[r#"
            Coverage Done revoke 150/150 [16]
            RightOwner Owner revoke 60/60 [16]
            Timeliness OnTime revoke 60/60 [16]
            Communication Told revoke 30/30 [15]
            Coverage Done request_exception 40/40 [24]
            RightOwner Owner request_exception 20/20 [24]
            Timeliness OnTime request_exception 20/20 [24]
            Order InOrder request_exception 10/10 [16, 24]
            Communication Told request_exception 10/10 [25]
            Coverage Done approve_exception 40/40 [29]
            RightOwner Owner approve_exception 20/20 [29]
            Timeliness OnTime approve_exception 20/20 [29]
            Order InOrder approve_exception 10/10 [24, 29]
            Communication Told approve_exception 5/5 [28]
            Communication Told approve_exception 5/5 [30]
            Coverage Done verify 80/80 [22]
            RightOwner Owner verify 40/40 [22]
            Timeliness OnTime verify 40/40 [22]
            Order InOrder verify 20/20 [16, 22]
            Communication Told verify 10/10 [20]
            Communication Told verify 10/10 [23]
            Coverage Done notify 50/50 [35]
            RightOwner Owner notify 20/20 [35]
            Timeliness OnTime notify 20/20 [35]
            Communication Told notify 3/3 [33]
            Communication Told notify 3/3 [34]
            Communication Told notify 2/2 [36]
            Communication Told notify 2/2 [37]
            Segregation SodKept approve_exception 0/0 [24, 29]
            Segregation SodKept verify 0/0 [16, 22]
            team 100 (800/800), done 5/5, right owner 5, on time 5, sod 0, not in play 0
            contain P 500/500: every action done on time, no segregation-of-duties violation, 100 % of its points
            decide P 300/300: every action done on time, no segregation-of-duties violation, 100 % of its points"#]],
    );
}

#[test]
fn a_slow_run_loses_timeliness_with_a_decay() {
    let moves = vec![
        m(4 * MIN, "p1", "platform", tell("incident_commander", "revoke")),
        m(25 * MIN, "p1", "platform", does("revoke")),
        // `revoked` fires at 26m. The developer hands the request to platform, which does it.
        m(27 * MIN, "p3", "developer", hand("request_exception", "platform")),
        m(28 * MIN, "p1", "platform", does("request_exception")),
        m(28 * MIN + 30, "p1", "platform", tell("incident_commander", "request_exception")),
        // `exception` fires at 29m.
        m(30 * MIN, "p2", "security", tell("platform", "verify")),
        m(33 * MIN, "p4", "risk_owner", tell("security", "approve_exception")),
        m(35 * MIN, "p4", "risk_owner", does("approve_exception")),
        m(35 * MIN + 30, "p4", "risk_owner", tell("incident_commander", "approve_exception")),
        m(36 * MIN, "p2", "security", does("verify")),
        m(36 * MIN + 30, "p2", "security", tell("incident_commander", "verify")),
        m(40 * MIN, "p4", "risk_owner", tell("incident_commander", "notify")),
        m(40 * MIN, "p4", "risk_owner", tell("security", "notify")),
        m(42 * MIN, "p4", "risk_owner", does("notify")),
        m(43 * MIN, "p4", "risk_owner", tell("developer", "notify")),
        m(43 * MIN, "p4", "risk_owner", tell("platform", "notify")),
    ];
    let s = drill(&moves, 50 * MIN);
    // revoke: 10 min late; offered at 0 with a 15 min deadline, so the part decays over 15 min:
    // 60 × (15 − 10) / 15 = 20 (40 lost).
    let late = finding(&s, FindingKind::Late, "revoke");
    assert_eq!((late.points, late.max), (20, 60));
    assert_eq!(
        late.text,
        "Platform / operations engineer (Pia) did “Revoke the leaked key” at T+00:25:00, 10m after the deadline T+00:15:00 \
         (the part decays to zero 15m late): +20 of 60"
    );
    // verify: offered at 26m, deadline 30m: the window is 4 min, raised to the 5 min minimum; done 6 min
    // late, so 0 of 40.
    let late = finding(&s, FindingKind::Late, "verify");
    assert_eq!((late.points, late.max), (0, 40));
    // The hand-off keeps the owner part of request_exception: 20 of 20.
    assert_eq!(finding(&s, FindingKind::HandedOff, "request_exception").points, 20);
    // 800 − 40 − 40 = 720 → 90. contain: (260 + 160) / 500 = 84 % → S; decide 300/300 → P.
    assert_eq!((s.team.score, s.team.earned), (90, 720));
    assert_eq!((rating(&s, "contain"), rating(&s, "decide")), (Rating::SomeChallenges, Rating::Performed));
    // Metrics: the explicit hand-off took 1 min; platform sat 21 min on an open revoke.
    let explicit: Vec<_> = s.metrics.handoffs.iter().filter(|h| h.kind == HandoffKind::Explicit).collect();
    assert_eq!(explicit.len(), 1);
    assert_eq!(
        (explicit[0].at, explicit[0].done_at),
        (ScenarioMs::from_mins(27), Some(ScenarioMs::from_mins(28)))
    );
    let prereq: Vec<(&str, &str, &str)> = s
        .metrics
        .handoffs
        .iter()
        .filter(|h| h.kind == HandoffKind::Prerequisite)
        .map(|h| (h.from.as_str(), h.to.as_str(), h.action.as_str()))
        .collect();
    assert_eq!(prereq, [("platform", "security", "verify"), ("platform", "risk_owner", "approve_exception")]);
    assert!(s.metrics.idle_gaps.iter().any(|g| g.role.as_str() == "platform"
        && (g.from, g.to) == (ScenarioMs::from_mins(4), ScenarioMs::from_mins(25))));
    assert_eq!(s.metrics.time_to_contain, Some(ScenarioMs::from_mins(25)));
    check(
        &s,
        expect![[r#"
            Coverage Done revoke 150/150 [20]
            RightOwner Owner revoke 60/60 [20]
            Timeliness Late revoke 20/60 [17, 20]
            Communication Told revoke 30/30 [15]
            Coverage Done request_exception 40/40 [25]
            RightOwner HandedOff request_exception 20/20 [24, 25]
            Timeliness OnTime request_exception 20/20 [25]
            Order InOrder request_exception 10/10 [20, 25]
            Communication Told request_exception 10/10 [26]
            Coverage Done approve_exception 40/40 [32]
            RightOwner Owner approve_exception 20/20 [32]
            Timeliness OnTime approve_exception 20/20 [32]
            Order InOrder approve_exception 10/10 [25, 32]
            Communication Told approve_exception 5/5 [31]
            Communication Told approve_exception 5/5 [33]
            Coverage Done verify 80/80 [34]
            RightOwner Owner verify 40/40 [34]
            Timeliness Late verify 0/40 [29, 34]
            Order InOrder verify 20/20 [20, 34]
            Communication Told verify 10/10 [30]
            Communication Told verify 10/10 [35]
            Coverage Done notify 50/50 [38]
            RightOwner Owner notify 20/20 [38]
            Timeliness OnTime notify 20/20 [38]
            Communication Told notify 3/3 [36]
            Communication Told notify 3/3 [37]
            Communication Told notify 2/2 [39]
            Communication Told notify 2/2 [40]
            Segregation SodKept approve_exception 0/0 [25, 32]
            Segregation SodKept verify 0/0 [20, 34]
            team 90 (720/800), done 5/5, right owner 5, on time 3, sod 0, not in play 0
            contain S 420/500: 84 % of its points; 2 done late, under 90 % of its points
            decide P 300/300: every action done on time, no segregation-of-duties violation, 100 % of its points"#]],
    );
}

#[test]
fn a_wrong_owner_run_is_named_as_responsibility_confusion() {
    let mut moves = perfect_moves();
    // Security revokes the key (platform owns it; security oversees secrets management), then verifies its
    // own containment; platform revokes it again.
    moves[0] = m(4 * MIN, "p2", "security", tell("incident_commander", "revoke"));
    moves[1] = m(5 * MIN, "p2", "security", does("revoke"));
    moves.insert(2, m(7 * MIN, "p1", "platform", does("revoke")));
    let s = drill(&moves, 30 * MIN);
    // revoke: 150 + 0 (outside the lane) + 60 + 30 = 240; oversight −50 % of 300 = −150; duplicate −20 % of
    // 300 = −60. verify: 200, and −50 % of 200 = −100 for verifying one's own containment.
    // 800 − 60 − 150 − 60 − 100 = 430 → 54.
    let confusion = finding(&s, FindingKind::OutsideLane, "revoke");
    assert_eq!((confusion.points, confusion.max), (0, 60));
    assert_eq!(
        confusion.text,
        "Responsibility confusion: Security engineer (Sam) did “Revoke the leaked key”, which Platform / operations \
         engineer owns: +0 of 60"
    );
    assert_eq!(finding(&s, FindingKind::Duplicate, "revoke").points, -60);
    assert_eq!((s.team.score, s.team.earned, s.team.sod_violations, s.team.right_owner), (54, 430, 2, 4));
    // contain: (30 + 100) / 500 = 26 % with all its weight done → M. decide untouched → P.
    assert_eq!((rating(&s, "contain"), rating(&s, "decide")), (Rating::MajorChallenges, Rating::Performed));
    let sod: Vec<(Option<&str>, i64, &[u64])> = s
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::SodViolated)
        .map(|f| (f.sod_rule.as_ref().map(|r| r.as_str()), f.points, f.events.as_slice()))
        .collect();
    assert_eq!(
        sod,
        [
            (Some("containment_verified_independently"), -100, &[16u64, 23][..]),
            (Some("security_oversight"), -150, &[16u64][..]),
        ]
    );
    assert_eq!(s.roles.iter().find(|r| r.role.as_str() == "security").map(|r| r.outside_lane), Some(1));
    let row = s.heatmap.iter().find(|r| r.capability.as_str() == "secrets_management").expect("row");
    assert_eq!(
        (row.expected.as_slice(), row.done_by.as_slice()),
        (&[RoleId::from("platform")][..], &[0, 1, 0, 0, 0][..])
    );
    check(
        &s,
        expect![[r#"
            Coverage Done revoke 150/150 [16]
            RightOwner OutsideLane revoke 0/60 [16]
            Timeliness OnTime revoke 60/60 [16]
            Communication Told revoke 30/30 [15]
            Coverage Done request_exception 40/40 [25]
            RightOwner Owner request_exception 20/20 [25]
            Timeliness OnTime request_exception 20/20 [25]
            Order InOrder request_exception 10/10 [16, 25]
            Communication Told request_exception 10/10 [26]
            Coverage Done approve_exception 40/40 [30]
            RightOwner Owner approve_exception 20/20 [30]
            Timeliness OnTime approve_exception 20/20 [30]
            Order InOrder approve_exception 10/10 [25, 30]
            Communication Told approve_exception 5/5 [29]
            Communication Told approve_exception 5/5 [31]
            Coverage Done verify 80/80 [23]
            RightOwner Owner verify 40/40 [23]
            Timeliness OnTime verify 40/40 [23]
            Order InOrder verify 20/20 [16, 23]
            Communication Told verify 10/10 [21]
            Communication Told verify 10/10 [24]
            Coverage Done notify 50/50 [36]
            RightOwner Owner notify 20/20 [36]
            Timeliness OnTime notify 20/20 [36]
            Communication Told notify 3/3 [34]
            Communication Told notify 3/3 [35]
            Communication Told notify 2/2 [37]
            Communication Told notify 2/2 [38]
            Segregation SodKept approve_exception 0/0 [25, 30]
            Segregation SodViolated verify -100/0 [16, 23]
            Segregation SodViolated revoke -150/0 [16]
            Duplication Duplicate revoke -60/0 [16, 20]
            team 54 (430/800), done 5/5, right owner 4, on time 5, sod 2, not in play 0
            contain M 130/500: 26 % of its points, under 70 %
            decide P 300/300: every action done on time, no segregation-of-duties violation, 100 % of its points"#]],
    );
}

/// Dev holds developer and risk_owner and plays both: the perfect moves, with the risk owner's done by Dev.
/// A cast member: participant id, name, roles.
type Member = (&'static str, &'static str, &'static [&'static str]);

fn self_approval() -> ([Member; 4], Vec<Move>) {
    let cast: [Member; 4] = [
        ("p1", "Pia", &["platform"]),
        ("p2", "Sam", &["security"]),
        ("p3", "Dev", &["developer", "risk_owner"]),
        ("p5", "Ike", &["incident_commander"]),
    ];
    let moves = perfect_moves()
        .into_iter()
        .map(|mv| if mv.who == "p4" { Move { who: "p3", ..mv } } else { mv })
        .collect();
    (cast, moves)
}

#[test]
fn one_person_requesting_and_approving_breaks_segregation_of_duties() {
    // Dev holds developer and risk_owner, and approves the exception they requested.
    let (cast, moves) = self_approval();
    let (s, _) = drill_with(&cast, &moves, 30 * MIN);
    // −50 % of approve_exception's 100 = −50: 750 → 94 (93.75 rounds up). decide: 250/300 = 83 % → S.
    let v = s.findings.iter().find(|f| f.kind == FindingKind::SodViolated).expect("violation");
    assert_eq!(v.sod_rule.as_ref().map(|r| r.as_str()), Some("exception_requester_not_approver"));
    assert_eq!(v.participants, [ParticipantId("p3".into())]);
    assert_eq!((v.points, v.action.as_ref().map(ActionId::as_str)), (-50, Some("approve_exception")));
    assert_eq!(
        v.text,
        "Segregation of duties broken (Whoever requests a risk exception does not approve it): Dev did both \
         “Request a time-boxed exception for a new static key” (request, as Developer) and “Approve or refuse \
         the exception” (approve, as Risk owner), at T+00:12:00 and T+00:15:00: -50"
    );
    assert_eq!((s.team.score, s.team.earned, s.team.sod_violations), (94, 750, 1));
    assert_eq!((rating(&s, "contain"), rating(&s, "decide")), (Rating::Performed, Rating::SomeChallenges));
    assert_eq!(s.participants.iter().find(|p| p.id.0 == "p3").map(|p| p.roles.len()), Some(2));
}

#[test]
fn sod_is_enforced_from_rules_3() {
    // The same moves as above under rules 3: Dev's approval of their own request is refused with the reason,
    // so the approval stays open for someone else and no violation is scored.
    let (cast, moves) = self_approval();
    let (s, _, refused) = run_moves(3, &cast, &moves, 30 * MIN);
    let approve = moves.iter().position(|mv| mv.what == does("approve_exception")).expect("approval move");
    assert_eq!(
        refused,
        [(
            approve,
            "segregation of duties (`exception_requester_not_approver`): you did `request_exception`, so someone \
             else must do `approve_exception`; hand it off or ask another role"
                .to_owned()
        )]
    );
    assert_eq!(s.team.sod_violations, 0);
}

#[test]
fn a_run_where_nobody_acts_scores_0() {
    let s = drill(&[], 60 * MIN);
    // Offered: revoke (at 0) and notify (at 20m). The other three never came up because revoke (and so
    // request_exception) was never done: they count as missed too, so all 800 points are lost.
    assert_eq!((s.team.score, s.team.earned, s.team.possible), (0, 0, 800));
    assert_eq!((s.team.done, s.team.in_play, s.team.not_in_play), (0, 5, 0));
    assert_eq!(
        finding(&s, FindingKind::Missed, "approve_exception").text,
        "Missed: “Approve or refuse the exception” (owner: Risk owner) never came up, because “Request a \
         time-boxed exception for a new static key” was never done. +0 of 100"
    );
    assert_eq!(s.team.coverage(), 0.0);
    assert_eq!((rating(&s, "contain"), rating(&s, "decide")), (Rating::Unable, Rating::Unable));
    assert_eq!(s.metrics.time_to_contain, None);
    assert!(s.metrics.acknowledgements.iter().all(|a| a.acked_at.is_none()));
    assert_eq!(
        finding(&s, FindingKind::Missed, "revoke").text,
        "Missed: nobody did “Revoke the leaked key” (owner: Platform / operations engineer). +0 of 300"
    );
    check(
        &s,
        expect![[r#"
            Coverage Missed revoke 0/300 [14, 16]
            Coverage Gap revoke 0/0 []
            Coverage Missed request_exception 0/100 []
            Coverage Missed approve_exception 0/100 []
            Coverage Missed verify 0/200 []
            Coverage Missed notify 0/100 [18, 22]
            team 0 (0/800), done 0/5, right owner 0, on time 0, sod 0, not in play 0
            contain U 0/500: 0 % of its weight done, under 50 %
            decide U 0/300: 0 % of its weight done, under 50 %"#]],
    );
}

#[test]
fn informed_roles_never_told_and_a_gap_while_another_role_waits() {
    // The perfect run without a single message, and the risk owner never approves although the developer
    // asked for it.
    let mut moves: Vec<Move> = perfect_moves()
        .into_iter()
        .filter(|mv| matches!(mv.what, ActionRef::Scenario(_)) && mv.role != "risk_owner")
        .collect();
    moves.push(m(14 * MIN, "p3", "developer", ask("risk_owner", "approve_exception")));
    moves.push(m(22 * MIN, "p4", "risk_owner", does("notify")));
    moves.sort_by_key(|mv| mv.s);
    let s = drill(&moves, 50 * MIN);
    // Lost: revoke's told part 30, verify's 20, request's 10, notify's 10, and approve_exception's 100.
    // 800 − 170 = 630 → 79. contain: 450/500 = 90 %, all done → P. decide: (90 + 0 + 90) / 300 = 60 %
    // with 200/300 of its weight done → M.
    assert_eq!((s.team.score, s.team.earned), (79, 630));
    assert_eq!((rating(&s, "contain"), rating(&s, "decide")), (Rating::Performed, Rating::MajorChallenges));
    assert_eq!(
        finding(&s, FindingKind::NotTold, "revoke").text,
        "Incident commander (Informed for Secrets management) was never told about “Revoke the leaked key”: +0 of 30"
    );
    let gap = finding(&s, FindingKind::Gap, "approve_exception");
    assert_eq!(
        gap.text,
        "Gap: “Approve or refuse the exception”, owned by Risk owner, was never done while Developer waited on \
         it (Developer asked at T+00:14:00)"
    );
    assert_eq!(gap.roles, [RoleId::from("risk_owner"), RoleId::from("developer")]);
    let plan = plan_draft(&s, &model(), &RULES);
    let issues: Vec<(&str, Rule, &str)> =
        plan.iter().map(|p| (p.capability.as_str(), p.rule, p.owner.as_str())).collect();
    assert_eq!(
        issues,
        [
            ("secrets_management", Rule::Communication, "security"),
            ("cicd_controls", Rule::Communication, "security"),
            ("detection_monitoring", Rule::Communication, "security"),
            ("risk_decisions", Rule::Coverage, "risk_owner"),
            ("communications", Rule::Communication, "risk_owner"),
        ]
    );
    assert_eq!(plan[3].issue, "Risk decisions: 1 expected action left undone (approve_exception)");
    check(
        &s,
        expect![[r#"
            Coverage Done revoke 150/150 [15]
            RightOwner Owner revoke 60/60 [15]
            Timeliness OnTime revoke 60/60 [15]
            Communication NotTold revoke 0/30 [15]
            Coverage Done request_exception 40/40 [21]
            RightOwner Owner request_exception 20/20 [21]
            Timeliness OnTime request_exception 20/20 [21]
            Order InOrder request_exception 10/10 [15, 21]
            Communication NotTold request_exception 0/10 [21]
            Coverage Missed approve_exception 0/100 [23, 28]
            Coverage Gap approve_exception 0/0 [24]
            Coverage Done verify 80/80 [20]
            RightOwner Owner verify 40/40 [20]
            Timeliness OnTime verify 40/40 [20]
            Order InOrder verify 20/20 [15, 20]
            Communication NotTold verify 0/10 [20]
            Communication NotTold verify 0/10 [20]
            Coverage Done notify 50/50 [27]
            RightOwner Owner notify 20/20 [27]
            Timeliness OnTime notify 20/20 [27]
            Communication NotTold notify 0/3 [27]
            Communication NotTold notify 0/3 [27]
            Communication NotTold notify 0/2 [27]
            Communication NotTold notify 0/2 [27]
            Segregation SodKept verify 0/0 [15, 20]
            team 79 (630/800), done 4/5, right owner 4, on time 4, sod 0, not in play 0
            contain P 450/500: every action done on time, no segregation-of-duties violation, 90 % of its points
            decide M 180/300: 60 % of its points, under 70 %"#]],
    );
}

#[test]
fn scoring_is_deterministic_and_findings_add_up() {
    let a = drill(&perfect_moves(), 30 * MIN);
    let b = drill(&perfect_moves(), 30 * MIN);
    assert_eq!(a, b);
    // Each offered action's findings (penalties aside) add up to its worth.
    for action in &a.actions {
        let max: i64 =
            a.findings.iter().filter(|f| f.action.as_ref() == Some(&action.id)).map(|f| f.max).sum();
        assert_eq!(max, action.worth, "{}", action.id);
    }
}
