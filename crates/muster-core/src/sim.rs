//! Simulated drills: bot participants with behaviours, driven through the real engine on virtual time.
//!
//! The loop jumps to the earlier of the engine's next deadline and the next bot action (as quinn-proto's
//! test pair does), feeds that input, and lets the bots react to the events their roles may see. It is
//! deterministic: everything comes from the seed. `muster simulate` runs this same code, pacing the
//! inputs in real time or not; the store logs the inputs and events it yields.

use std::collections::BTreeMap;

use chacha20::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::engine::{
    ActionPhase, ActionRef, Actor, Builtin, Command, Drill, DrillSetup, DrillState, Event, EventKind, Input,
    Outcome, ParticipantId, RolePolicy, Speed, WallMs,
};
use crate::model::{ActionId, ResponsibilityModel, RoleId};
use crate::scenario::Scenario;
use crate::time::ScenarioMs;

/// How a bot plays its role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Behaviour {
    /// Acts promptly on what it owns and tells the roles the model says to tell.
    Diligent,
    /// Does the right things, late.
    Slow,
    /// Misses about half of what reaches it.
    Distracted,
    /// Does whatever it sees, owned or not, and rarely tells anyone (responsibility confusion).
    OutOfRole,
    /// Joins, then does nothing.
    Absent,
}

/// A team profile for `muster simulate --team`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Team {
    /// Every bot diligent.
    Diligent,
    /// Every bot slow.
    Slow,
    /// Every bot distracted.
    Distracted,
    /// Every bot acts outside its lane.
    Siloed,
    /// Every bot absent.
    Absent,
    /// A realistic mix, drawn from the seed.
    Mixed,
}

impl Team {
    /// All profiles, for help texts.
    pub const ALL: [Team; 6] =
        [Team::Diligent, Team::Slow, Team::Distracted, Team::Siloed, Team::Absent, Team::Mixed];

    /// The profile's name as typed on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Team::Diligent => "diligent",
            Team::Slow => "slow",
            Team::Distracted => "distracted",
            Team::Siloed => "siloed",
            Team::Absent => "absent",
            Team::Mixed => "mixed",
        }
    }

    /// Parses a profile name.
    pub fn from_name(name: &str) -> Option<Team> {
        Team::ALL.into_iter().find(|t| t.name() == name)
    }

    fn behaviour(self, rng: &mut ChaCha8Rng) -> Behaviour {
        match self {
            Team::Diligent => Behaviour::Diligent,
            Team::Slow => Behaviour::Slow,
            Team::Distracted => Behaviour::Distracted,
            Team::Siloed => Behaviour::OutOfRole,
            Team::Absent => Behaviour::Absent,
            Team::Mixed => [
                Behaviour::Diligent,
                Behaviour::Diligent,
                Behaviour::Slow,
                Behaviour::Distracted,
                Behaviour::OutOfRole,
            ][rng.random_range(0..5)],
        }
    }
}

/// How a simulation is set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimConfig {
    /// Seed of the drill's variables and of the bots.
    pub seed: u64,
    /// The team profile.
    pub team: Team,
    /// Number of bot participants; `None`: one per role in play.
    pub participants: Option<usize>,
    /// Engine speed (the pace of scenario time against wall time).
    pub speed: Speed,
    /// Wall time of the first input.
    pub start: WallMs,
}

/// One bot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bot {
    /// Participant id.
    pub id: ParticipantId,
    /// Display name.
    pub name: String,
    /// Roles held.
    pub roles: Vec<RoleId>,
    /// Behaviour.
    pub behaviour: Behaviour,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Intent {
    Act { role: RoleId, action: ActionId, tries: u16, consulted: bool },
    Acknowledge { role: RoleId, inject: crate::model::InjectId },
    Tell { role: RoleId, to: RoleId, about: ActionId },
}

/// A running simulation.
#[derive(Debug)]
pub struct Simulation {
    drill: Drill,
    model_caps: BTreeMap<String, (Vec<RoleId>, Vec<RoleId>)>,
    bots: Vec<Bot>,
    rng: ChaCha8Rng,
    /// Planned bot moves by (scenario time, tie-breaker).
    plan: BTreeMap<(ScenarioMs, u64), (usize, Intent)>,
    setup_queue: Vec<(Actor, Command)>,
    now: WallMs,
    n_planned: u64,
    n_client: u64,
    ended: bool,
    duration_reached: bool,
}

/// One step of a simulation: the input fed and what it produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The input (to log).
    pub input: Input,
    /// What it produced.
    pub outcome: Outcome,
}

impl Simulation {
    /// A simulation of `scenario` with bots set up as `config` says.
    pub fn new(scenario: Scenario, model: &ResponsibilityModel, config: &SimConfig) -> Simulation {
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed ^ 0x6d75_7374_6572_0001);
        let roles = scenario.roles.clone();
        let n = config.participants.unwrap_or(roles.len()).clamp(1, crate::engine::MAX_PARTICIPANTS);
        let mut bots: Vec<Bot> = (0..n)
            .map(|i| Bot {
                id: ParticipantId(format!("bot-{:03}", i + 1)),
                name: format!("Bot {}", i + 1),
                roles: Vec::new(),
                behaviour: config.team.behaviour(&mut rng),
            })
            .collect();
        // Every role gets someone; with fewer bots than roles, bots hold several.
        for (i, role) in roles.iter().enumerate() {
            bots[i % n].roles.push(role.clone());
        }
        for (i, bot) in bots.iter_mut().enumerate().skip(roles.len()) {
            bot.roles.push(roles[i % roles.len()].clone());
        }
        let policy = if n < roles.len() { RolePolicy::Many } else { RolePolicy::One };
        let setup = DrillSetup::new(config.seed, config.speed, policy);
        let model_caps = model
            .capabilities
            .iter()
            .map(|c| (c.id.0.clone(), (c.consulted.clone(), c.informed.clone())))
            .collect();
        let mut setup_queue = Vec::new();
        for bot in &bots {
            setup_queue.push((Actor::Participant(bot.id.clone()), Command::Join { name: bot.name.clone() }));
            for role in &bot.roles {
                setup_queue.push((
                    Actor::Facilitator,
                    Command::Assign { participant: bot.id.clone(), role: role.clone() },
                ));
            }
        }
        setup_queue.push((Actor::Facilitator, Command::Start));
        setup_queue.reverse();
        Simulation {
            drill: Drill::new(scenario, setup),
            model_caps,
            bots,
            rng,
            plan: BTreeMap::new(),
            setup_queue,
            now: config.start,
            n_planned: 0,
            n_client: 0,
            ended: false,
            duration_reached: false,
        }
    }

    /// The drill as it stands.
    pub fn drill(&self) -> &Drill {
        &self.drill
    }

    /// The bots.
    pub fn bots(&self) -> &[Bot] {
        &self.bots
    }

    /// The current wall time of the simulation.
    pub fn now(&self) -> WallMs {
        self.now
    }

    /// The next step, or `None` when the drill has ended. Steps come in wall-time order.
    pub fn step(&mut self) -> Option<Step> {
        if self.ended {
            return None;
        }
        if let Some((actor, command)) = self.setup_queue.pop() {
            return Some(self.feed(Input::Command { now: self.now, actor, command }));
        }
        // The engine marks the end of the nominal duration; the facilitator (here, the simulation) ends then.
        if self.duration_reached {
            return Some(self.feed(Input::Command {
                now: self.now,
                actor: Actor::Facilitator,
                command: Command::End,
            }));
        }
        // Planned moves that turn out to be moot (already done, prerequisites missing) are dropped or
        // re-planned without an input, so loop until something is fed.
        loop {
            let timer = self.drill.next_deadline().map(|(w, _)| w);
            let bot = self.plan.keys().next().and_then(|(t, _)| self.drill.clock().wall_of(*t));
            // While running, the end of the nominal duration is always a pending timer.
            let w = [timer, bot].into_iter().flatten().min()?;
            self.now = self.now.max(w);
            if timer == Some(w) {
                return Some(self.feed(Input::Timeout { now: self.now }));
            }
            let (_, (bot, intent)) = self.plan.pop_first()?;
            if let Some(command) = self.command_for(bot, intent) {
                let actor = Actor::Participant(self.bots[bot].id.clone());
                return Some(self.feed(Input::Command { now: self.now, actor, command }));
            }
        }
    }

    fn feed(&mut self, input: Input) -> Step {
        let outcome = self.drill.input(&input);
        for event in &outcome.events {
            if event.kind == EventKind::DurationReached {
                self.duration_reached = true;
            }
            self.react(event);
        }
        if self.drill.state() == DrillState::Ended {
            self.ended = true;
        }
        Step { input, outcome }
    }

    fn schedule(&mut self, at: ScenarioMs, bot: usize, intent: Intent) {
        self.n_planned += 1;
        self.plan.insert((at, self.n_planned), (bot, intent));
    }

    /// A reaction delay in scenario time for a behaviour, from a base range in seconds.
    fn delay(&mut self, behaviour: Behaviour, base_s: (u64, u64)) -> ScenarioMs {
        let factor = match behaviour {
            Behaviour::Diligent | Behaviour::OutOfRole => 1,
            Behaviour::Distracted => 2,
            Behaviour::Slow => 10,
            Behaviour::Absent => 1,
        };
        ScenarioMs(self.rng.random_range(base_s.0..=base_s.1) * 1000 * factor)
    }

    /// Lets every bot whose roles may see `event` plan its moves.
    fn react(&mut self, event: &Event) {
        for b in 0..self.bots.len() {
            let bot = &self.bots[b];
            if bot.behaviour == Behaviour::Absent || !event.audience.admits(&bot.roles) {
                continue;
            }
            let behaviour = bot.behaviour;
            let roles = bot.roles.clone();
            if behaviour == Behaviour::Distracted && self.rng.random_range(0..2) == 0 {
                continue;
            }
            match &event.kind {
                EventKind::InjectFired { inject, to, .. } => {
                    if let Some(role) = roles.iter().find(|r| to.contains(r)) {
                        let at = event.at.saturating_add(self.delay(behaviour, (20, 90)));
                        self.schedule(
                            at,
                            b,
                            Intent::Acknowledge { role: role.clone(), inject: inject.clone() },
                        );
                    }
                }
                EventKind::ActionOpened { action, visible_to } => {
                    let Some(spec) = self.drill.scenario().action(action.as_str()) else { continue };
                    let owned = roles.iter().find(|r| spec.owners.contains(r) && visible_to.contains(r));
                    let seen = roles.iter().find(|r| visible_to.contains(r));
                    let role = match behaviour {
                        Behaviour::OutOfRole => seen,
                        _ => owned,
                    };
                    if let Some(role) = role {
                        let at = event.at.saturating_add(self.delay(behaviour, (60, 300)));
                        self.schedule(
                            at,
                            b,
                            Intent::Act {
                                role: role.clone(),
                                action: action.clone(),
                                tries: 0,
                                consulted: false,
                            },
                        );
                    }
                }
                _ => {}
            }
        }
    }

    /// Turns a planned move into a command, or re-plans it when its prerequisites are not done yet.
    fn command_for(&mut self, b: usize, intent: Intent) -> Option<Command> {
        let behaviour = self.bots[b].behaviour;
        self.n_client += 1;
        let client_id = format!("{}-{}", self.bots[b].id, self.n_client);
        match intent {
            Intent::Acknowledge { role, inject } => Some(Command::Act {
                client_id,
                role,
                action: ActionRef::Builtin(Builtin::Acknowledge { inject }),
            }),
            Intent::Tell { role, to, about } => Some(Command::Act {
                client_id,
                role,
                action: ActionRef::Builtin(Builtin::Notify {
                    to,
                    about: Some(about.clone()),
                    text: format!("Done: {about}"),
                }),
            }),
            Intent::Act { role, action, tries, consulted } => {
                let spec = self.drill.scenario().action(action.as_str())?.clone();
                let status = self.drill.actions().iter().find(|s| s.id == action)?;
                let done = |id: &ActionId| {
                    self.drill
                        .actions()
                        .iter()
                        .any(|s| &s.id == id && matches!(s.phase, ActionPhase::Done { .. }))
                };
                if matches!(status.phase, ActionPhase::Done { .. }) && behaviour != Behaviour::OutOfRole {
                    return None;
                }
                if !spec.after.iter().all(done) {
                    // Keep waiting for the prerequisites (the plan ends with the drill anyway).
                    if tries < 500 {
                        let at = self
                            .drill
                            .scenario_time(self.now)
                            .saturating_add(self.delay(behaviour, (60, 120)));
                        self.schedule(at, b, Intent::Act { role, action, tries: tries + 1, consulted });
                    }
                    return None;
                }
                // Diligent and slow bots consult the Consulted roles first, then act a little later.
                let in_play = self.drill.scenario().roles.clone();
                let to_consult: Vec<RoleId> = self
                    .model_caps
                    .get(spec.capability.as_str())
                    .map(|(c, _)| c.iter().filter(|r| in_play.contains(r) && **r != role).cloned().collect())
                    .unwrap_or_default();
                let careful = matches!(behaviour, Behaviour::Diligent | Behaviour::Slow);
                if careful && !consulted && !to_consult.is_empty() {
                    let now = self.drill.scenario_time(self.now);
                    for to in to_consult {
                        let at = now.saturating_add(self.delay(behaviour, (5, 20)));
                        self.schedule(at, b, Intent::Tell { role: role.clone(), to, about: action.clone() });
                    }
                    let at = now.saturating_add(self.delay(behaviour, (30, 60)));
                    self.schedule(at, b, Intent::Act { role, action, tries, consulted: true });
                    return None;
                }
                // Tell the roles the model says to inform (and, for the others, to consult), as the behaviour
                // would.
                if let Some((consulted_roles, informed)) =
                    self.model_caps.get(spec.capability.as_str()).cloned()
                {
                    let consulted_roles = if careful { Vec::new() } else { consulted_roles };
                    let tell_share = match behaviour {
                        Behaviour::Diligent => 10,
                        Behaviour::Slow => 6,
                        Behaviour::Distracted => 4,
                        Behaviour::OutOfRole => 1,
                        Behaviour::Absent => 0,
                    };
                    for to in
                        consulted_roles.iter().chain(&informed).filter(|r| in_play.contains(r) && **r != role)
                    {
                        if self.rng.random_range(0..10) < tell_share {
                            let at = self
                                .drill
                                .scenario_time(self.now)
                                .saturating_add(self.delay(behaviour, (10, 60)));
                            let intent =
                                Intent::Tell { role: role.clone(), to: to.clone(), about: action.clone() };
                            self.schedule(at, b, intent);
                        }
                    }
                }
                Some(Command::Act { client_id, role, action: ActionRef::Scenario(action) })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{load_model, load_scenario};

    const MODEL: &str = include_str!("../../../scenarios/model.ron");
    const LEAKED: &str = include_str!("../../../scenarios/leaked-secret.ron");
    const CI_TOKEN: &str = include_str!("../../../scenarios/compromised-ci-token.ron");
    const DEPENDENCY: &str = include_str!("../../../scenarios/dependency-compromise.ron");
    const CLOUD: &str = include_str!("../../../scenarios/cloud-account-abuse.ron");

    fn simulate(team: Team, seed: u64) -> (Drill, Vec<Step>) {
        let model = load_model(MODEL).value.expect("model");
        let scenario = load_scenario(LEAKED, &model).scenario.expect("scenario");
        let config = SimConfig {
            seed,
            team,
            participants: None,
            speed: Speed::REAL_TIME,
            start: WallMs(1_700_000_000_000),
        };
        let mut sim = Simulation::new(scenario, &model, &config);
        let mut steps = Vec::new();
        while let Some(step) = sim.step() {
            steps.push(step);
            assert!(steps.len() < 100_000, "runaway simulation");
        }
        (sim.drill().clone(), steps)
    }

    fn done_on_time(drill: &Drill) -> usize {
        drill
            .actions()
            .iter()
            .zip(&drill.scenario().actions)
            .filter(|(s, a)| match &s.phase {
                ActionPhase::Done { at, .. } => a.deadline.is_none_or(|d| *at <= d),
                _ => false,
            })
            .count()
    }

    #[test]
    fn same_seed_same_drill_and_replay_matches() {
        let (a, steps) = simulate(Team::Mixed, 11);
        let (b, again) = simulate(Team::Mixed, 11);
        assert_eq!(steps, again);
        assert_eq!(a.actions(), b.actions());
        assert_eq!(a.state(), DrillState::Ended);
        // Replaying the inputs through a fresh engine reproduces every event.
        let mut fresh = Drill::new(a.scenario().clone(), a.setup().clone());
        for step in &steps {
            assert_eq!(fresh.input(&step.input), step.outcome);
        }
    }

    #[test]
    fn team_profiles_are_ordered() {
        let (diligent, _) = simulate(Team::Diligent, 3);
        let (slow, _) = simulate(Team::Slow, 3);
        let (absent, _) = simulate(Team::Absent, 3);
        let n = diligent.actions().len();
        let (d, s, a) = (done_on_time(&diligent), done_on_time(&slow), done_on_time(&absent));
        assert!(d > s && s > a, "on time: diligent {d}, slow {s}, absent {a} of {n}");
        assert_eq!(a, 0);
        assert!(d * 10 >= n * 8, "a diligent team does at least 80 % on time: {d} of {n}");
    }

    #[test]
    fn team_scores_are_ordered_diligent_slow_absent() {
        let model = load_model(MODEL).value.expect("model");
        for scenario in [LEAKED, CI_TOKEN, DEPENDENCY, CLOUD] {
            let scenario = load_scenario(scenario, &model).scenario.expect("scenario");
            let team_score = |team: Team| {
                let config = SimConfig {
                    seed: 3,
                    team,
                    participants: None,
                    speed: Speed::REAL_TIME,
                    start: WallMs(1_700_000_000_000),
                };
                let mut sim = Simulation::new(scenario.clone(), &model, &config);
                let mut events = Vec::new();
                while let Some(step) = sim.step() {
                    events.extend(step.outcome.events);
                }
                crate::score::score(&scenario, &model, &events).team.score
            };
            let (d, s, a) = (team_score(Team::Diligent), team_score(Team::Slow), team_score(Team::Absent));
            // Clearly ordered: at least 10 points apart, and an absent team scores nothing.
            assert!(d >= s + 10 && s >= a + 10, "{}: diligent {d}, slow {s}, absent {a}", scenario.id);
            assert_eq!(a, 0, "{}", scenario.id);
            assert!(d >= 80, "{}: a diligent team scores at least 80, got {d}", scenario.id);
        }
    }

    #[test]
    fn siloed_bots_act_outside_their_lane() {
        // Over a few seeds (one seed may happen to keep every bot in its lane).
        let outside: usize = (0..5)
            .map(|seed| {
                let (drill, _) = simulate(Team::Siloed, seed);
                drill
                    .actions()
                    .iter()
                    .zip(&drill.scenario().actions)
                    .filter(|(s, a)| {
                        matches!(&s.phase, ActionPhase::Done { role, .. } if !a.owners.contains(role))
                    })
                    .count()
            })
            .sum();
        assert!(outside > 0, "no action done outside its owner's lane");
    }
}
