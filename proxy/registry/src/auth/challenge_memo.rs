//! Each registry's challenge (scheme, realm, service), remembered after its
//! first 401, so that the next request to it with no token yet goes straight
//! to the token service (or sends Basic at once) instead of first being
//! refused: one round trip less for every new repository of a known
//! registry, and no `/v2/` ping ever.
//!
//! Only the registry's own challenge is kept (a 401 from elsewhere is never
//! answered, see `state`), keyed by the registry's origin, and only what
//! every request to it shares: a `scope` or `error` parameter belongs to the
//! request that was refused. A remembered challenge is a hint: a request
//! sent with what it gave and refused anyway is answered from the new 401
//! as before.

use std::collections::HashMap;
use std::sync::Mutex;

use super::challenge::Challenge;

/// Registries remembered at most; past it the memo starts over (a
/// forgotten challenge costs one 401, nothing else).
pub const MAX_REMEMBERED_CHALLENGES: usize = 1024;

/// The parameters of a challenge that hold for every request.
const KEPT: [&str; 2] = ["realm", "service"];

#[derive(Default)]
pub struct ChallengeMemo {
    inner: Mutex<HashMap<String, Challenge>>,
}

impl ChallengeMemo {
    /// The challenge `origin` (`https://host:port`) answered last, if any.
    pub fn get(&self, origin: &str) -> Option<Challenge> {
        self.lock().get(origin).cloned()
    }

    /// Remember `challenge` (the one chosen to answer) for `origin`.
    pub fn remember(&self, origin: &str, challenge: &Challenge) {
        let kept = Challenge {
            scheme: challenge.scheme.clone(),
            params: challenge
                .params
                .iter()
                .filter(|(k, _)| KEPT.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            token68: None,
        };
        let mut map = self.lock();
        if map.len() >= MAX_REMEMBERED_CHALLENGES && !map.contains_key(origin) {
            map.clear();
        }
        map.insert(origin.to_string(), kept);
    }

    /// Forget `origin`'s challenge (it no longer asks for it).
    pub fn forget(&self, origin: &str) {
        self.lock().remove(origin);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Challenge>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::challenge::parse_challenges;

    #[test]
    fn keeps_what_every_request_shares() {
        let memo = ChallengeMemo::default();
        let challenge = parse_challenges(
            r#"Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull",error="insufficient_scope""#,
        )
        .unwrap()
        .remove(0);
        memo.remember("https://r.example", &challenge);
        let kept = memo.get("https://r.example").unwrap();
        assert!(kept.is("bearer"));
        assert_eq!(kept.param("realm"), Some("https://auth.example/token"));
        assert_eq!(kept.param("service"), Some("registry"));
        assert_eq!(kept.param("scope"), None);
        assert_eq!(kept.param("error"), None);
        assert!(memo.get("https://other.example").is_none());
        memo.forget("https://r.example");
        assert!(memo.get("https://r.example").is_none());
    }

    #[test]
    fn stays_bounded() {
        let memo = ChallengeMemo::default();
        let basic = parse_challenges(r#"Basic realm="r""#).unwrap().remove(0);
        for i in 0..MAX_REMEMBERED_CHALLENGES + 3 {
            memo.remember(&format!("https://r{i}.example"), &basic);
        }
        assert!(memo.lock().len() <= MAX_REMEMBERED_CHALLENGES);
    }
}
