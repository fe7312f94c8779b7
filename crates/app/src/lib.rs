//! Tollgate's use cases. Handlers (HTTP, CLI, job worker) parse input into
//! domain types and call these; these decide, and persist through
//! `tollgate-persistence` inside one transaction per use case.

pub mod audit;
pub mod auth;
pub mod connector;
pub mod automations;
pub mod crm;
pub mod crypto;
pub mod customers;
pub mod error;
pub mod images;
pub mod jobs;
pub mod mail;
pub mod markdown;
pub mod member_area;
pub mod members_import;
pub mod outbound;
pub mod selling;
pub mod services;
pub mod stripe;
pub mod throttle;
pub mod usecases;
pub mod webhooks;
pub mod wire;
pub mod worker;

pub use error::{AppError, AppResult};
pub use services::{Services, ServicesConfig, StripeSettings};
