//! Tollgate's domain: pure types and rules. No IO lives here: no database,
//! no HTTP, no clock reads except through [`clock::Clock`].
//!
//! Types that hold user input are built through `parse` functions, so a value
//! of the type is valid by construction ("parse, don't validate").

pub mod access;
pub mod activity;
pub mod app;
pub mod audit;
pub mod auth;
pub mod automation;
pub mod clock;
pub mod connector;
pub mod email;
pub mod error;
pub mod ids;
pub mod jobs;
pub mod members;
pub mod metrics;
pub mod outbound;
pub mod page;
pub mod product;
pub mod reconcile;
pub mod selling;
pub mod stages;
pub mod subscription;
pub mod team;
pub mod user;

pub use error::{FieldError, ValidationErrors};
pub use time::OffsetDateTime;
