//! The recently used profiles as a value: what the state file holds once read.

use std::cmp::Ordering;
use std::collections::HashMap;

/// At most this many profiles are remembered, so that reading the file stays cheap; the least
/// recently used ones go first.
pub const MAX_ENTRIES: usize = 1_000;

/// Who a profile's credentials turned out to be, as STS `GetCallerIdentity` said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub account_id: String,
    pub arn: String,
    /// `aws`, `aws-cn`, `aws-us-gov`, ...
    pub partition: String,
}

/// An identity together with the time it was seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentityCheck {
    pub identity: Identity,
    /// Unix seconds.
    pub checked_at: u64,
}

/// What is remembered about one profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    /// Unix seconds of the last use; 0 for a profile that was only checked, never used.
    pub last_used: u64,
    pub uses: u64,
    pub identity: Option<IdentityCheck>,
}

impl Entry {
    fn new(name: &str) -> Self {
        Self { name: name.to_owned(), last_used: 0, uses: 0, identity: None }
    }
}

/// The remembered profiles, kept most recently used first with one entry per name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recents {
    entries: Vec<Entry>,
}

impl Recents {
    /// Builds the value from entries in any order. A name that appears twice (only a hand edit
    /// can do that) is folded into one entry rather than refused.
    pub fn from_entries(entries: impl IntoIterator<Item = Entry>) -> Self {
        let mut by_name: HashMap<String, Entry> = HashMap::new();
        for entry in entries {
            match by_name.get_mut(&entry.name) {
                Some(kept) => fold(kept, entry),
                None => {
                    by_name.insert(entry.name.clone(), entry);
                }
            }
        }

        let mut recents = Self { entries: by_name.into_values().collect() };
        recents.settle();
        recents
    }

    /// Up to `limit` profiles that were used, most recent first, ties broken by name.
    pub fn recent(&self, limit: usize) -> Vec<&Entry> {
        self.entries.iter().filter(|e| e.uses > 0).take(limit).collect()
    }

    /// The entry of one profile, used or only checked.
    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.name == name)
    }

    /// Every entry, most recent first.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Counts one use of `name` at `now`.
    pub fn record_use(&mut self, name: &str, now: u64) {
        let entry = self.entry_mut(name);

        // A shell that read the clock earlier may get the lock later; the last use never
        // goes back in time because of that.
        entry.last_used = entry.last_used.max(now);
        entry.uses = entry.uses.saturating_add(1);
        self.settle();
    }

    /// Remembers who `name` turned out to be at `now`. This is not a use: a profile that was
    /// only checked has no uses and does not show among the recent ones.
    pub fn record_identity(&mut self, name: &str, identity: Identity, now: u64) {
        let entry = self.entry_mut(name);
        entry.identity = Some(IdentityCheck { identity, checked_at: now });
        self.settle();
    }

    fn entry_mut(&mut self, name: &str) -> &mut Entry {
        let index = match self.entries.iter().position(|e| e.name == name) {
            Some(index) => index,
            None => {
                self.entries.push(Entry::new(name));
                self.entries.len() - 1
            }
        };
        &mut self.entries[index]
    }

    /// Restores the order and the bound after a change.
    fn settle(&mut self) {
        self.entries.sort_by(recency);
        self.entries.truncate(MAX_ENTRIES);
    }
}

/// Most recent first; among equals, by name so that the order is stable from run to run.
fn recency(a: &Entry, b: &Entry) -> Ordering {
    b.last_used.cmp(&a.last_used).then_with(|| a.name.cmp(&b.name))
}

fn fold(kept: &mut Entry, other: Entry) {
    kept.last_used = kept.last_used.max(other.last_used);
    kept.uses = kept.uses.saturating_add(other.uses);
    let newer = match (&kept.identity, &other.identity) {
        (Some(a), Some(b)) => b.checked_at > a.checked_at,
        (None, Some(_)) => true,
        _ => false,
    };
    if newer {
        kept.identity = other.identity;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(account: &str) -> Identity {
        Identity {
            account_id: account.to_owned(),
            arn: format!("arn:aws:iam::{account}:user/me"),
            partition: "aws".to_owned(),
        }
    }

    fn names(entries: &[&Entry]) -> Vec<String> {
        entries.iter().map(|e| e.name.clone()).collect()
    }

    #[test]
    fn most_recent_first_and_ties_by_name() {
        let mut recents = Recents::default();
        recents.record_use("old", 10);
        recents.record_use("zeta", 30);
        recents.record_use("alpha", 30);
        recents.record_use("mid", 20);

        assert_eq!(names(&recents.recent(10)), ["alpha", "zeta", "mid", "old"]);
        assert_eq!(names(&recents.recent(2)), ["alpha", "zeta"]);
    }

    #[test]
    fn uses_are_counted_and_last_use_never_goes_back() {
        let mut recents = Recents::default();
        recents.record_use("dev", 100);
        recents.record_use("dev", 90);
        recents.record_use("dev", 120);

        let dev = recents.get("dev").unwrap();
        assert_eq!((dev.uses, dev.last_used), (3, 120));
    }

    #[test]
    fn keeps_at_most_the_bound_dropping_least_recent() {
        let mut recents = Recents::default();
        for i in 0..MAX_ENTRIES as u64 + 5 {
            recents.record_use(&format!("p{i}"), 1_000 + i);
        }

        assert_eq!(recents.len(), MAX_ENTRIES);
        for dropped in 0..5 {
            assert!(recents.get(&format!("p{dropped}")).is_none(), "p{dropped} kept");
        }
        assert!(recents.get("p5").is_some());
        assert_eq!(recents.recent(1)[0].name, format!("p{}", MAX_ENTRIES + 4));
    }

    #[test]
    fn identity_is_kept_across_uses() {
        let mut recents = Recents::default();
        recents.record_use("prod", 10);
        recents.record_identity("prod", identity("111122223333"), 11);
        recents.record_use("prod", 50);

        let prod = recents.get("prod").unwrap();
        let check = prod.identity.as_ref().unwrap();
        assert_eq!(check.identity, identity("111122223333"));
        assert_eq!((check.checked_at, prod.uses, prod.last_used), (11, 2, 50));
    }

    #[test]
    fn a_checked_but_unused_profile_is_not_recent() {
        let mut recents = Recents::default();
        recents.record_use("used", 5);
        recents.record_identity("checked", identity("444455556666"), 9);

        assert_eq!(names(&recents.recent(10)), ["used"]);
        assert_eq!(recents.get("checked").unwrap().uses, 0);
    }

    #[test]
    fn duplicate_names_are_folded() {
        let mut first = Entry::new("dup");
        (first.last_used, first.uses) = (10, 2);
        let mut second = Entry::new("dup");
        (second.last_used, second.uses) = (30, 1);
        second.identity = Some(IdentityCheck { identity: identity("1"), checked_at: 3 });

        let recents = Recents::from_entries([first, second]);

        assert_eq!(recents.len(), 1);
        let dup = recents.get("dup").unwrap();
        assert_eq!((dup.last_used, dup.uses), (30, 3));
        assert!(dup.identity.is_some());
    }
}
