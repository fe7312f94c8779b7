//! Tollgate's use cases. Handlers (HTTP, CLI, job worker) parse input into
//! domain types and call these; these decide, and persist through
//! `tollgate-persistence` inside one transaction per use case.

pub mod attempts;
pub mod access;
pub mod audit;
pub mod automation_model;
pub mod auth;
pub mod connector;
pub mod connector_settings;
pub mod automations;
pub mod config;
pub mod crm;
pub mod crypto;
pub mod customers;
pub mod error;
pub mod events;
pub mod images;
pub mod jobs;
pub mod mail;
pub mod mailer;
pub mod markdown;
pub mod member_area;
pub mod members_import;
pub mod net;
pub mod outbound;
pub mod registry;
pub mod selling;
pub mod services;
pub mod storage;
pub mod stripe;
pub mod throttle;
pub mod usecases;
pub mod webhooks;
pub mod wire;
pub mod worker;

pub use error::{AppError, AppResult};
pub use config::StripeSettings;
pub use services::{Services, ServicesConfig};
