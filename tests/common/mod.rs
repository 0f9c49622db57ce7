//! Helpers shared by the integration tests. Each test binary uses a different subset, so
//! unused items are expected here.
#![allow(dead_code)]

pub mod home;
pub mod moto;
pub mod plugins;
pub mod shells;
