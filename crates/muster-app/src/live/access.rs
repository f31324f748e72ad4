//! Who may connect to a live drill: the join code, and tokens kept only as SHA-256 hashes.
//!
//! A token is 256 bits from the operating system's CSPRNG, written as 64 hex digits; the server keeps its
//! hash, so a copy of the database lets nobody in. The facilitator's token steers; a seat's token (the
//! per-seat link) admits straight into that seat; a token given to a person admitted from the lobby is
//! theirs. A join code is short and guessable by design: it only puts a person in the lobby, where the
//! facilitator sees and admits them. The document is saved through the store's writer after every change.

use muster_core::RoleId;
use muster_core::engine::ParticipantId;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Bytes of randomness in a token.
pub const TOKEN_BYTES: usize = 32;
/// Characters of a join code (shown as two groups of three).
pub const CODE_CHARS: usize = 6;
/// The join code's alphabet: no 0/O, 1/I/L, to read aloud and type from a projector.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A token's SHA-256, as hex.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TokenHash(pub String);

impl TokenHash {
    /// The hash of `token` as presented (any text: a wrong one simply matches nothing).
    pub fn of(token: &str) -> TokenHash {
        TokenHash(hex::encode(Sha256::digest(token.as_bytes())))
    }
}

/// Fresh randomness from the operating system.
fn random_bytes<const N: usize>() -> Result<[u8; N], getrandom::Error> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)?;
    Ok(bytes)
}

/// A new token (64 hex digits) and its hash.
pub fn new_token() -> Result<(String, TokenHash), getrandom::Error> {
    let token = hex::encode(random_bytes::<TOKEN_BYTES>()?);
    let hash = TokenHash::of(&token);
    Ok((token, hash))
}

/// A new join code, e.g. `K7Q-4MX`.
pub fn new_code() -> Result<String, getrandom::Error> {
    let bytes = random_bytes::<CODE_CHARS>()?;
    let chars: String =
        bytes.iter().map(|b| char::from(CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()])).collect();
    Ok(format!("{}-{}", &chars[..3], &chars[3..]))
}

/// A code as typed, in canonical form (upper case, no spaces or dashes), or `None` if it cannot be one.
pub fn normalize_code(typed: &str) -> Option<String> {
    let code: String =
        typed.chars().filter(|c| !matches!(c, '-' | ' ')).map(|c| c.to_ascii_uppercase()).collect();
    (code.len() == CODE_CHARS && code.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(code)
}

/// A random id for things that are not secrets (lobby entries).
pub fn short_id() -> Result<String, getrandom::Error> {
    Ok(hex::encode(random_bytes::<6>()?))
}

/// A per-seat link's seat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seat {
    /// The role it plays.
    pub role: RoleId,
    /// Its token's hash.
    pub token: TokenHash,
    /// Who sits there, once someone used the link.
    pub participant: Option<ParticipantId>,
}

/// A person admitted from the lobby.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// Their participant id.
    pub participant: ParticipantId,
    /// Their token's hash.
    pub token: TokenHash,
}

/// Who may connect to one live drill: the document the store keeps (`live_access`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Access {
    /// The join code, canonical (no dash).
    pub code: String,
    /// The facilitator's token hash.
    pub facilitator: TokenHash,
    /// Seats with per-seat links.
    pub seats: Vec<Seat>,
    /// People admitted from the lobby.
    pub members: Vec<Member>,
    /// Tokens that no longer work (removed participants).
    pub revoked: Vec<TokenHash>,
    /// The number the next participant id gets (`p1`, `p2`, …).
    pub next_participant: u32,
}

/// Who a token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    /// The facilitator.
    Facilitator,
    /// Seat `n`, taken or not yet.
    Seat(usize),
    /// A participant admitted from the lobby.
    Member(ParticipantId),
}

impl Access {
    /// Whose token this is, if it is one of this drill's and not revoked.
    pub fn holder(&self, hash: &TokenHash) -> Option<Holder> {
        if self.revoked.contains(hash) {
            return None;
        }
        if *hash == self.facilitator {
            return Some(Holder::Facilitator);
        }
        if let Some(n) = self.seats.iter().position(|s| s.token == *hash) {
            return Some(Holder::Seat(n));
        }
        self.members.iter().find(|m| m.token == *hash).map(|m| Holder::Member(m.participant.clone()))
    }

    /// Every token hash that works now (for the server's index of tokens to drills).
    pub fn live_hashes(&self) -> Vec<TokenHash> {
        std::iter::once(self.facilitator.clone())
            .chain(self.seats.iter().map(|s| s.token.clone()))
            .chain(self.members.iter().map(|m| m.token.clone()))
            .filter(|h| !self.revoked.contains(h))
            .collect()
    }

    /// A new participant id.
    pub fn next_id(&mut self) -> ParticipantId {
        self.next_participant += 1;
        ParticipantId(format!("p{}", self.next_participant))
    }

    /// Brings the document in line with the drill's roster after a restart: the access list and the log
    /// are written in separate transactions, so a crash (or a failed write) between them can leave a seat
    /// pointing at someone who never joined, or forget a participant number already used. Returns whether
    /// anything changed.
    pub fn reconcile<'a>(&mut self, roster: impl Iterator<Item = &'a ParticipantId> + Clone) -> bool {
        let before = self.clone();
        let joined = |p: &ParticipantId| roster.clone().any(|r| r == p);
        for seat in &mut self.seats {
            if seat.participant.as_ref().is_some_and(|p| !joined(p)) {
                seat.participant = None;
            }
        }
        self.members.retain(|m| joined(&m.participant));
        let highest = roster.filter_map(|p| p.0.strip_prefix('p')?.parse::<u32>().ok()).max().unwrap_or(0);
        self.next_participant = self.next_participant.max(highest);
        *self != before
    }

    /// Revokes every token of `participant` (seat and member); returns whether there was one.
    pub fn revoke(&mut self, participant: &ParticipantId) -> bool {
        let mut hashes: Vec<TokenHash> = self
            .seats
            .iter()
            .filter(|s| s.participant.as_ref() == Some(participant))
            .map(|s| s.token.clone())
            .collect();
        hashes.extend(self.members.iter().filter(|m| m.participant == *participant).map(|m| m.token.clone()));
        let any = !hashes.is_empty();
        for h in hashes {
            if !self.revoked.contains(&h) {
                self.revoked.push(h);
            }
        }
        any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_kept_hashed() {
        let (a, ha) = new_token().expect("token");
        let (b, hb) = new_token().expect("token");
        assert_eq!(a.len(), 2 * TOKEN_BYTES);
        assert_ne!(a, b);
        assert_ne!(ha, hb);
        assert_eq!(TokenHash::of(&a), ha);
        assert!(!ha.0.contains(&a), "the hash does not contain the token");
    }

    #[test]
    fn codes_read_aloud_and_normalise() {
        let code = new_code().expect("code");
        assert_eq!(code.len(), CODE_CHARS + 1);
        let canonical = normalize_code(&code.to_lowercase()).expect("typed in lower case");
        assert_eq!(canonical, code.replace('-', ""));
        assert_eq!(normalize_code("ABC-DE"), None);
        assert_eq!(normalize_code("ABC-DE0"), None, "0 is not in the alphabet");
        assert_eq!(normalize_code("<script>"), None);
    }

    #[test]
    fn reconcile_frees_seats_of_people_who_never_joined_and_keeps_ids_unique() {
        let (_, fac) = new_token().expect("token");
        let (_, seat) = new_token().expect("token");
        let mut access = Access {
            code: "ABCDEF".into(),
            facilitator: fac,
            seats: vec![Seat {
                role: RoleId("security".into()),
                token: seat,
                participant: Some(ParticipantId("p3".into())),
            }],
            members: Vec::new(),
            revoked: Vec::new(),
            next_participant: 1,
        };
        let roster = [ParticipantId("p1".into()), ParticipantId("p2".into())];
        assert!(access.reconcile(roster.iter()));
        assert_eq!(access.seats[0].participant, None, "p3 never joined: the seat is free again");
        assert_eq!(access.next_id(), ParticipantId("p3".into()), "no id of the roster is given twice");
        assert!(!access.reconcile(roster.iter()), "nothing more to change");
    }

    #[test]
    fn revoked_tokens_belong_to_nobody() {
        let (_, fac) = new_token().expect("token");
        let (_, seat) = new_token().expect("token");
        let mut access = Access {
            code: "ABCDEF".into(),
            facilitator: fac.clone(),
            seats: vec![Seat { role: RoleId("security".into()), token: seat.clone(), participant: None }],
            members: Vec::new(),
            revoked: Vec::new(),
            next_participant: 0,
        };
        assert_eq!(access.holder(&fac), Some(Holder::Facilitator));
        assert_eq!(access.holder(&seat), Some(Holder::Seat(0)));
        let p = access.next_id();
        access.seats[0].participant = Some(p.clone());
        assert!(access.revoke(&p));
        assert_eq!(access.holder(&seat), None);
        assert_eq!(access.live_hashes(), vec![fac]);
    }
}
