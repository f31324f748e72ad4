//! The responsibility model, resolved: roles, capabilities with RACI, segregation-of-duties rules.
//!
//! Built only by [`crate::load_model`], so every reference inside points at something that exists and
//! every capability has exactly one Accountable role. It holds no text positions and does no I/O.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($($(#[doc = $doc:literal])* $name:ident,)*) => {$(
        $(#[doc = $doc])*
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name(s.to_owned())
            }
        }
    )*};
}

id_type! {
    /// Id of a role in the model.
    RoleId,
    /// Id of a capability in the model.
    CapabilityId,
    /// Id of a segregation-of-duties rule in the model.
    SodRuleId,
    /// Id of a scenario.
    ScenarioId,
    /// Id of an inject within a scenario.
    InjectId,
    /// Id of an expected action within a scenario.
    ActionId,
    /// Id of an objective within a scenario.
    ObjectiveId,
}

/// The organisation's responsibility model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponsibilityModel {
    /// Name of the model.
    pub name: String,
    /// Format version.
    pub version: u32,
    /// Roles in file order.
    pub roles: Vec<Role>,
    /// Capabilities in file order.
    pub capabilities: Vec<Capability>,
    /// Segregation-of-duties rules in file order.
    pub sod_rules: Vec<SodRule>,
}

/// A role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    /// Id.
    pub id: RoleId,
    /// Display name.
    pub name: String,
    /// Team the role belongs to.
    pub team: String,
    /// One line on its remit.
    pub remit: String,
}

/// One RACI letter.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Raci {
    /// Does the work.
    Responsible,
    /// Answers for it.
    Accountable,
    /// Asked before.
    Consulted,
    /// Told after.
    Informed,
}

impl Raci {
    /// The single letter.
    pub fn letter(self) -> char {
        match self {
            Raci::Responsible => 'R',
            Raci::Accountable => 'A',
            Raci::Consulted => 'C',
            Raci::Informed => 'I',
        }
    }
}

/// A capability and its RACI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capability {
    /// Id.
    pub id: CapabilityId,
    /// Display name.
    pub name: String,
    /// What it covers.
    pub description: String,
    /// Roles that do the work.
    pub responsible: Vec<RoleId>,
    /// The one role that answers for it.
    pub accountable: RoleId,
    /// Roles asked before acting.
    pub consulted: Vec<RoleId>,
    /// Roles told after acting.
    pub informed: Vec<RoleId>,
}

impl Capability {
    /// The letters `role` holds for this capability, in R, A, C, I order.
    pub fn letters(&self, role: &RoleId) -> Vec<Raci> {
        let mut out = Vec::new();
        if self.responsible.contains(role) {
            out.push(Raci::Responsible);
        }
        if &self.accountable == role {
            out.push(Raci::Accountable);
        }
        if self.consulted.contains(role) {
            out.push(Raci::Consulted);
        }
        if self.informed.contains(role) {
            out.push(Raci::Informed);
        }
        out
    }
}

/// A segregation-of-duties rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SodRule {
    /// Id.
    pub id: SodRuleId,
    /// The rule in one sentence.
    pub title: String,
    /// Why.
    pub rationale: String,
    /// What it constrains.
    pub constraint: SodConstraint,
}

/// What a segregation-of-duties rule constrains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SodConstraint {
    /// One participant must not perform both duties.
    SeparateActors {
        /// Label of the first duty.
        first: String,
        /// Label of the second duty.
        second: String,
    },
    /// The overseer keeps oversight of capabilities it does not operate.
    Oversight {
        /// The overseeing role.
        overseer: RoleId,
        /// The capabilities overseen.
        capabilities: Vec<CapabilityId>,
    },
}

/// Which duty of a [`SodConstraint::SeparateActors`] rule an action performs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SodSide {
    /// The rule's `first` duty.
    First,
    /// The rule's `second` duty.
    Second,
}

impl ResponsibilityModel {
    /// The role with this id.
    pub fn role(&self, id: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.id.0 == id)
    }

    /// The capability with this id.
    pub fn capability(&self, id: &str) -> Option<&Capability> {
        self.capabilities.iter().find(|c| c.id.0 == id)
    }

    /// The rule with this id.
    pub fn sod_rule(&self, id: &str) -> Option<&SodRule> {
        self.sod_rules.iter().find(|r| r.id.0 == id)
    }
}
