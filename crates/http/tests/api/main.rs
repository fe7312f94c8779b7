//! API tests: a real server on port 0 over a fresh SQLite file or
//! PostgreSQL database; every test runs on both.

mod helpers;

mod accounts;
mod audit;
mod automations;
mod conformance;
mod content;
mod crm;
mod email;
mod email_change;
mod export;
mod flows;
mod images;
mod import;
mod isolation;
mod jobs;
mod members;
mod metrics;
mod openapi;
mod outbound;
mod outbound_dispatchers;
mod password_reset;
mod passwords;
mod prometheus;
mod scale_out;
mod security;
mod selling;
mod stages;
mod stripe;
mod stripe_emulator;
mod stripe_lifecycle;
mod stripe_errors;
mod stripe_inbox;
mod team;
mod throttle;
mod typed_events;
mod validation;
mod webhooks;
