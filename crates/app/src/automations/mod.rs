//! Automations: when something happens (an activity, a renewal coming up, a
//! trial ending, a failed payment), check conditions and run ordered steps
//! (grant, remove, email, send to an endpoint, wait, stop unless…).
//!
//! - [`model`]: the definition (trigger, conditions, steps) and its checks;
//! - [`engine`]: starting runs (in the trigger's transaction) and running steps as jobs;
//! - [`manage`]: CRUD, versions, runs, retry, dry run, templates;
//! - [`templates`]: Markdown email templates with variables.

pub mod engine;
pub mod manage;
pub use crate::automation_model as model;
pub mod templates;
