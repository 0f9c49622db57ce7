//! The state file of recently used profiles.
