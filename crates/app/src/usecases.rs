//! Use cases, grouped by what they act on.

pub use crate::access;
pub mod admin_auth;
pub mod apps;
pub mod keys;
pub mod member_auth;
pub mod operations;
pub mod password_reset;
pub mod products;
pub mod team;
pub mod users;
