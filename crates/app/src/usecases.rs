//! Use cases, grouped by what they act on.

pub mod access;
pub mod admin_auth;
pub mod apps;
pub mod keys;
pub mod member_auth;
pub mod operations;
pub mod password_reset;
pub mod products;
pub mod reconcile;
pub mod team;
pub mod users;
